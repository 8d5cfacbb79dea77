// Browser tests of the Cases section: an officer opens a case from the caseload and reads its key
// dates with how each was computed; recording and correcting a decision shows the dates the
// server computed; a note recorded as an assessment is labelled so in the notes and the timeline
// (S14); the pre-trial report editor saves a section, lists the inquiry tasks, saves a task,
// says what is missing when the report cannot be submitted yet, and offers a reload when someone
// else saved meanwhile.
//
// One server with the demo data (`kadam demo`) and one Chromium for the file. The demo officer of
// the Bishkek city office completes the first login over the API and hands the session cookie to
// fresh browser contexts. A demo case with key dates is used when the demo data has one; the
// cases each story needs are otherwise prepared over the API, as an officer would open them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAPTOP, TABLET, launch, lowContrast, openPage, shotsDir } from '../lib/browser.mjs';
import { firstLogin } from '../lib/identity.mjs';
import { freshDatabase, root, runKadam, startServer } from '../lib/server.mjs';

const load = (lang) => ({
  ...JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.json`), 'utf8')),
  ...JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.cases.json`), 'utf8')),
});
const en = load('en');
const ru = load('ru');
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (_, k) => String(params[k]));

let db;
let server;
let browser;
let shots;
let officer; // firstLogin() result of the demo officer, plus { user }
const data = {}; // person, custodial, executive, pretrial: cases prepared for the stories

/** The one-time passwords `kadam demo` printed, by login. */
function demoPasswords(stdout) {
  const out = {};
  for (const m of stdout.matchAll(/^\s*(\S+)\s+\S+\s+one-time password:\s*(\S+)/gm)) out[m[1]] = m[2];
  return out;
}

/** A case of the officer's, opened (and allocated to them) over the API. */
async function openCase(kind, reason) {
  return officer.client.expect(201, 'POST', '/api/v1/cases', {
    person_id: data.person.id, kind, officer_id: officer.user.id, opened_on: '2026-01-10', open_reason: reason,
  });
}

before(async () => {
  assert.ok(existsSync(join(root, 'web/dist/index.html')), 'web/dist is missing: run `npm run build` first');
  db = freshDatabase();
  const demo = runKadam(['demo', '--db', db.url]);
  assert.equal(demo.status, 0, `kadam demo failed: ${demo.stderr}`);
  const passwords = demoPasswords(demo.stdout);
  assert.ok(passwords['officer.bishkek'], `no one-time password for officer.bishkek in:\n${demo.stdout}`);
  server = await startServer({ db: db.url });
  browser = await launch();
  shots = shotsDir();
  officer = await firstLogin(server.url, 'officer.bishkek', passwords['officer.bishkek']);
  officer.user = (await officer.client.expect(200, 'GET', '/api/v1/auth/session')).user;

  // A demo case of the officer's whose decision has key dates, if the demo data has one.
  const mine = await officer.client.expect(200, 'GET', '/api/v1/cases?officer_id=me&status=open&limit=200');
  for (const item of mine.items) {
    const c = await officer.client.expect(200, 'GET', `/api/v1/cases/${item.id}`);
    if (c.decisions.some((d) => d.key_dates.some((k) => k.date))) {
      data.demo = c;
      break;
    }
  }
  data.person = await officer.client.expect(201, 'POST', '/api/v1/people', {
    surname: 'Тестов', given_name: 'Мирлан', patronymic: 'Бакытович', surname_latin: 'Testov', given_name_latin: 'Mirlan',
    birth_date: '1991-03-15', sex: 'male', confirm_not_duplicate: true,
  });
  // A custodial term for terrorism: release with remand credited, no conditional release.
  data.custodial = await openCase('penitentiary', 'Sentence received from the court');
  await officer.client.expect(201, 'POST', `/api/v1/cases/${data.custodial.id}/decisions`, {
    authority: 'Pervomaisky District Court of Bishkek', number: '1-234/2026', decided_on: '2026-01-05',
    measure: 'deprivation_of_liberty', articles: ['CC-252'], start_on: '2026-01-10', term: '5y6m', remand_days: 120,
    duties: [],
  });
  data.executive = await openCase('executive', 'Suspended sentence to supervise');
  data.pretrial = await openCase('pre_trial', 'The court asked for a social inquiry report');
});

after(async () => {
  await browser?.close();
  const r = await server?.stop();
  if (r && r.code !== 0 && r.code !== null) console.error(server.logs());
  db?.drop();
  if (shots) console.log(`# screenshots in ${shots}`);
});

function open(t, options = {}) {
  return openPage(browser, t, { storedLang: 'en', cookies: [officer.client.browserCookie()], ...options });
}

const h1 = (page) => page.locator('#main h1');
const overflows = (page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

/** Screenshots at laptop and tablet size; at both, the contrast check and no sideways scrolling. */
async function shootBoth(page, name) {
  const before = page.viewportSize();
  for (const [size, viewport] of [['laptop', LAPTOP], ['tablet', TABLET]]) {
    await page.setViewportSize(viewport);
    assert.deepEqual(await lowContrast(page), [], `${name}: text contrast below 4.5:1 (${size})`);
    assert.equal(await overflows(page), false, `${name}: the page scrolls sideways (${size})`);
    await page.screenshot({ path: join(shots, `${name}-${size}.png`), fullPage: true });
  }
  await page.setViewportSize(before);
}

/** The key date of a kind on the case page (its <div> in the key dates panel). */
const keyDate = (page, kind, lang = en) => page.locator('#keydates .keydate')
  .filter({ has: page.locator('dt', { hasText: new RegExp(`^${lang[`keydate.kind.${kind}`]}$`) }) });

/** The texts of a key date's explanation, after opening its disclosure. */
async function explanation(page, kind, lang = en) {
  const item = keyDate(page, kind, lang);
  await item.locator('summary', { hasText: lang['keydate.how'] }).click();
  const steps = item.locator('.keydate-steps li');
  await steps.first().waitFor();
  return (await steps.allTextContents()).map((s) => s.trim());
}

describe('cases', () => {
  test('an officer opens a case from the caseload and sees its key dates with the explanation', async (t) => {
    const { page, problems } = await open(t);
    await page.goto(`${server.url}/`);
    await h1(page).filter({ hasText: en['dashboard.welcome'] }).waitFor();
    // The dashboard counts the officer's open cases and links into the section.
    const card = page.getByRole('link', { name: new RegExp(en['caseload.card.open']) });
    await card.filter({ hasText: /^\s*[1-9]\d*/ }).waitFor();
    await card.click();
    await h1(page).filter({ hasText: en['section.cases'] }).waitFor();
    await page.getByRole('region', { name: en['caseload.mine'] }).getByRole('rowheader', { name: en['caseload.you'] }).waitFor();

    const target = data.demo ?? data.custodial;
    await page.getByRole('link', { name: target.number, exact: true }).click();
    await h1(page).filter({ hasText: fill(en['cases.case.title'], { number: target.number }) }).waitFor();

    if (data.demo) {
      // Whatever the demo's decision is, each dated key date explains itself, from the start.
      const dated = data.demo.decisions.flatMap((d) => d.key_dates).find((k) => k.date);
      const steps = await explanation(page, dated.kind);
      assert.match(steps[0], new RegExp(`^${fill(en['keydate.step.start'], { date: '' }).trim()}`));
    }
    if (!data.demo) {
      assert.equal((await keyDate(page, 'release').locator('.keydate-date').textContent()).trim(), '11/03/2031');
      assert.deepEqual(await explanation(page, 'release'), [
        'Start 10/01/2026', '+ 5 years 6 months', 'last day (−1 day)', 'remand credited: 120 days', '11/03/2031',
      ]);
      const none = keyDate(page, 'conditional_release_earliest');
      assert.equal((await none.locator('.keydate-none').textContent()).trim(),
        fill(en['keydate.step.excluded'], { reason: en['keydate.reason.terrorism'] }));
      // The decision's article is marked as a terrorism offence.
      await page.locator('#decisions .article-list li', { hasText: 'CC-252' })
        .locator('.badge', { hasText: en['cases.article.terrorism'] }).waitFor();
    }
    await shootBoth(page, 'case');
    assert.deepEqual(problems, []);
  });

  test('the explanation is said in the UI language (Russian)', async (t) => {
    const { page, problems } = await open(t, { storedLang: 'ru' });
    await page.goto(`${server.url}/cases/${data.custodial.id}`);
    await h1(page).filter({ hasText: fill(ru['cases.case.title'], { number: data.custodial.number }) }).waitFor();
    assert.deepEqual(await explanation(page, 'release', ru), ['Начало 10.01.2026', '+ срок 5 лет 6 месяцев', 'последний день (−1 день)',
      'зачтено содержание под стражей, дней: 120', '11.03.2031']);
    assert.deepEqual(problems, []);
  });

  test('recording a decision shows the computed dates, and correcting it recomputes them', async (t) => {
    const { page, problems } = await open(t);
    await page.goto(`${server.url}/cases/${data.executive.id}`);
    await h1(page).filter({ hasText: fill(en['cases.case.title'], { number: data.executive.number }) }).waitFor();
    await page.locator('#keydates', { hasText: en['keydate.empty'] }).waitFor();

    await page.getByRole('button', { name: en['cases.decision.add'], exact: true }).click();
    const form = page.locator('form.decision-form');
    await form.getByLabel(en['cases.decision.authority'], { exact: true }).fill('Leninsky District Court of Bishkek');
    await form.getByLabel(en['cases.decision.decided_on'], { exact: true }).fill('2026-01-28');
    await form.getByLabel(en['cases.decision.measure'], { exact: true }).selectOption('probation_supervision');
    await form.getByLabel(en['cases.decision.start_on'], { exact: true }).fill('2026-02-01');
    await form.getByLabel(en['cases.term.years_label'], { exact: true }).fill('2');
    await form.getByRole('checkbox', { name: /^CC-130/ }).check();
    await form.getByRole('checkbox', { name: 'Report to the probation office' }).check();
    await form.getByRole('button', { name: en['cases.decision.submit'], exact: true }).click();

    // The success message lists the dates the server computed; the key dates panel shows them too.
    await page.locator('#decision-done', { hasText: `${en['keydate.kind.supervision_end']}: 31/01/2028` }).waitFor();
    const end = keyDate(page, 'supervision_end');
    await end.locator('.keydate-date', { hasText: '31/01/2028' }).waitFor();
    assert.deepEqual(await explanation(page, 'supervision_end'), ['Start 01/02/2026', '+ 2 years', 'last day (−1 day)', '31/01/2028']);

    // A correction: the term was 2 years 6 months.
    await page.getByRole('button', { name: new RegExp(`^${en['cases.decision.correct']}`) }).click();
    const edit = page.locator('form.decision-form');
    await edit.getByLabel(en['cases.term.months_label'], { exact: true }).fill('6');
    await edit.getByRole('button', { name: en['cases.decision.correct.submit'], exact: true }).click();
    await page.locator('#decision-done', { hasText: en['cases.decision.corrected'] }).waitFor();
    await keyDate(page, 'supervision_end').locator('.keydate-date', { hasText: '31/07/2028' }).waitFor();
    // The timeline keeps the change: from → to.
    await page.locator('#timeline .timeline-item', { hasText: en['timeline.kind.key_date.changed'] })
      .filter({ hasText: fill(en['timeline.key_date.changed'], { kind: en['keydate.kind.supervision_end'], from: '31/01/2028', to: '31/07/2028' }) })
      .waitFor();
    assert.deepEqual(problems, []);
  });

  test('a note recorded as an assessment is labelled so in the notes and the timeline', async (t) => {
    const { page, problems } = await open(t);
    await page.goto(`${server.url}/cases/${data.custodial.id}`);
    await h1(page).filter({ hasText: fill(en['cases.case.title'], { number: data.custodial.number }) }).waitFor();
    await page.getByRole('button', { name: en['cases.note.add'], exact: true }).click();
    const form = page.locator('form.note-form');
    // Without saying fact or assessment, the note is not sent.
    await form.getByLabel(en['cases.note.body'], { exact: true }).fill('Engages well with the programme; motivation seems genuine.');
    await form.getByRole('button', { name: en['cases.note.submit'], exact: true }).click();
    await form.getByRole('alert').filter({ hasText: en['cases.note.nature.choose'] }).waitFor();
    await form.getByRole('radio', { name: new RegExp(`^${en['cases.note.nature.assessment']}`) }).check();
    await form.getByLabel(en['cases.note.source'], { exact: true }).selectOption('observation');
    await form.getByRole('button', { name: en['cases.note.submit'], exact: true }).click();

    const label = fill(en['cases.note.label.assessment'], { source: en['cases.note.source.observation'] });
    await page.locator('#notes .note-assessment', { hasText: 'Engages well with the programme' })
      .locator('.badge-assessment', { hasText: label }).waitFor();
    const event = page.locator('#timeline .timeline-item', { hasText: en['timeline.kind.note.added'] })
      .filter({ hasText: 'Engages well with the programme' });
    await event.locator('.badge-assessment', { hasText: label }).waitFor();
    assert.equal(await event.locator('.badge-fact').count(), 0, 'not labelled a fact');
    assert.deepEqual(problems, []);
  });

  test('the pre-trial editor saves a section and lists the inquiry tasks', async (t) => {
    const { page, problems } = await open(t);
    await page.goto(`${server.url}/cases/${data.pretrial.id}`);
    await h1(page).filter({ hasText: fill(en['cases.case.title'], { number: data.pretrial.number }) }).waitFor();

    // The court's request: then the link to the report.
    const request = page.locator('#pretrial');
    await request.getByLabel(en['pretrial.court'], { exact: true }).fill('Oktyabrsky District Court of Bishkek');
    await request.getByLabel(en['pretrial.received_on'], { exact: true }).fill('2026-11-20');
    await request.getByLabel(en['pretrial.language'], { exact: true }).selectOption('ru');
    await request.getByRole('button', { name: en['pretrial.request.submit'], exact: true }).click();
    await request.getByRole('link', { name: en['pretrial.open'], exact: true }).click();
    await h1(page).filter({ hasText: fill(en['pretrial.report.title'], { number: data.pretrial.number }) }).waitFor();

    // The inquiry tasks.
    const tasks = page.locator('#tasks');
    for (const kind of ['family', 'neighbours', 'employer', 'living_conditions']) {
      await tasks.getByRole('heading', { name: en[`pretrial.task.kind.${kind}`], exact: true }).waitFor();
    }

    // A section, saved; still there after a reload.
    const text = 'Lives with his parents in Bishkek; speaks Kyrgyz and Russian (source: the person, passport).';
    const section = page.getByLabel(/^Personal circumstances/);
    await section.fill(text);
    await page.getByText(en['pretrial.unsaved'], { exact: true }).waitFor();
    await page.getByRole('button', { name: en['pretrial.save'], exact: true }).click();
    await page.getByRole('status').filter({ hasText: en['pretrial.saved'].split('{')[0].trim() }).waitFor();
    await page.reload();
    await h1(page).filter({ hasText: fill(en['pretrial.report.title'], { number: data.pretrial.number }) }).waitFor();
    assert.equal(await page.getByLabel(/^Personal circumstances/).inputValue(), text);

    // A task's findings, saved with its own version.
    const family = page.locator('#tasks article').filter({ has: page.getByRole('heading', { name: en['pretrial.task.kind.family'], exact: true }) });
    await family.getByRole('radio', { name: en['pretrial.task.status.done'], exact: true }).check();
    await family.getByLabel(en['pretrial.task.findings'], { exact: true }).fill('Lives with both parents; the family supports him.');
    await family.getByRole('button', { name: new RegExp(`^${en['pretrial.task.save']}`) }).click();
    await family.locator('.task-head .badge', { hasText: en['pretrial.task.status.done'] }).waitFor();

    // Submitting too early: the server's list of what is missing, in the UI's words.
    await page.getByRole('button', { name: en['pretrial.submit'], exact: true }).click();
    await page.getByRole('dialog', { name: en['pretrial.submit.title'] }).getByRole('button', { name: en['pretrial.submit'], exact: true }).click();
    const missing = page.getByRole('alert').filter({ hasText: en['pretrial.submit.missing'] });
    await missing.waitFor();
    assert.match(await missing.textContent(), new RegExp(fill(en['pretrial.missing.task_label'], { task: en['pretrial.task.kind.neighbours'] })));
    await shootBoth(page, 'pretrial-editor');

    // Someone else saves meanwhile: saving again says so and offers a reload.
    const report = await officer.client.call('GET', `/api/v1/cases/${data.pretrial.id}`);
    const current = await officer.client.call('GET', `/api/v1/pretrial-reports/${report.body.pretrial_report_id}`);
    await officer.client.expect(200, 'PUT', `/api/v1/pretrial-reports/${report.body.pretrial_report_id}`,
      { report: { ...current.body.report, housing: 'A two-room flat.' }, language: 'ru' }, { 'If-Match': current.headers.get('etag') });
    await page.getByLabel(/^Personal circumstances/).fill(`${text} Edited.`);
    await page.getByRole('button', { name: en['pretrial.save'], exact: true }).click();
    const stale = page.getByRole('alert').filter({ hasText: en['pretrial.stale'] });
    await stale.waitFor();
    await stale.getByRole('button', { name: en['pretrial.reload'], exact: true }).click();
    await page.waitForFunction(() => document.querySelector('#section-housing')?.value === 'A two-room flat.');
    assert.deepEqual(problems, []);
  });
});
