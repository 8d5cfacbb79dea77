// Browser tests of conditions and their variations (issue 5): an officer imposes a condition
// through the case page's form (typed parameters, the live preview of the text, the S1 refusal of
// a condition the decision does not authorise), records that the conditions were explained (S4)
// and proposes a variation; the unit head endorses it from the queue; a competent authority of a
// court decides it (S8) — and cannot while the person's account is missing; the case then shows
// the new condition in force and the old one ended.
//
// One server with the demo data (`kadam demo`) and one Chromium for the file. The demo officer and
// unit head of the Bishkek city office and the demo administrator complete their first login over
// the API; the administrator creates the court (agency, unit, competent-authority account).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAPTOP, launch, lowContrast, openPage, shotsDir } from '../lib/browser.mjs';
import { firstLogin } from '../lib/identity.mjs';
import { freshDatabase, root, runKadam, startServer } from '../lib/server.mjs';

const uiDir = process.env.KADAM_UI_DIR || join(root, 'web/dist');
const load = (lang) => ({
  ...JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.json`), 'utf8')),
  ...JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.cases.json`), 'utf8')),
  ...JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.conditions.json`), 'utf8')),
});
const en = load('en');
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (_, k) => String(params[k]));
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let db;
let server;
let browser;
let shots;
const who = {}; // officer, head, admin, court: firstLogin() results
const data = {}; // person, case, decision

function demoPasswords(stdout) {
  const out = {};
  for (const m of stdout.matchAll(/^\s*(\S+)\s+\S+\s+one-time password:\s*(\S+)/gm)) out[m[1]] = m[2];
  return out;
}

before(async () => {
  assert.ok(existsSync(join(uiDir, 'index.html')), `${uiDir} has no built UI: run \`npm run build\` first`);
  db = freshDatabase();
  const demo = runKadam(['demo', '--db', db.url]);
  assert.equal(demo.status, 0, `kadam demo failed: ${demo.stderr}`);
  const passwords = demoPasswords(demo.stdout);
  for (const login of ['officer.bishkek', 'head.bishkek', 'admin']) assert.ok(passwords[login], `no one-time password for ${login}`);
  server = await startServer({ db: db.url, uiDir });
  browser = await launch();
  shots = shotsDir();
  who.officer = await firstLogin(server.url, 'officer.bishkek', passwords['officer.bishkek']);
  who.head = await firstLogin(server.url, 'head.bishkek', passwords['head.bishkek']);
  who.admin = await firstLogin(server.url, 'admin', passwords.admin);
  const officer = who.officer.client;
  const me = (await officer.expect(200, 'GET', '/api/v1/auth/session')).user;

  // The court: an agency of kind court, a unit, and a judge with the competent-authority role.
  const admin = who.admin.client;
  const agency = await admin.expect(201, 'POST', '/api/v1/agencies', { name: 'Oktyabrsky District Court (test)', kind: 'court' });
  const unit = await admin.expect(201, 'POST', '/api/v1/units', { agency_id: agency.id, name: 'Criminal chamber' });
  const judge = await admin.expect(201, 'POST', '/api/v1/users', {
    login: 'judge.test', display_name: 'Judge Test', agency_id: agency.id, unit_id: unit.id, roles: ['competent_authority'],
    preferred_language: 'en',
  });
  who.court = await firstLogin(server.url, 'judge.test', judge.one_time_password);

  // A person, an executive case of the officer's and a decision that authorises a curfew and
  // reporting, but no exclusion (so an exclusion condition is refused: S1).
  data.person = await officer.expect(201, 'POST', '/api/v1/people', {
    surname: 'Условиев', given_name: 'Азамат', surname_latin: 'Usloviev', given_name_latin: 'Azamat',
    birth_date: '1990-07-01', sex: 'male', languages: ['ru'], preferred_language: 'ru', confirm_not_duplicate: true,
  });
  data.case = await officer.expect(201, 'POST', '/api/v1/cases', {
    person_id: data.person.id, kind: 'executive', officer_id: me.id, opened_on: '2026-01-10', open_reason: 'Suspended sentence to supervise',
  });
  data.decision = await officer.expect(201, 'POST', `/api/v1/cases/${data.case.id}/decisions`, {
    authority: 'Pervomaisky District Court of Bishkek', number: '1-777/2026', decided_on: '2026-01-05',
    measure: 'probation_supervision', articles: ['CC-130'], start_on: '2026-01-10', term: '2y', remand_days: 0, duties: ['curfew', 'report'],
  });
});

after(async () => {
  await browser?.close();
  const r = await server?.stop();
  if (r && r.code !== 0 && r.code !== null) console.error(server.logs());
  db?.drop();
  if (shots) console.log(`# screenshots in ${shots}`);
});

function open(t, as, options = {}) {
  return openPage(browser, t, { storedLang: 'en', cookies: [who[as].client.browserCookie()], ...options });
}

const h1 = (page) => page.locator('#main h1');
const card = (page) => page.locator('#conditions');
const overflows = (page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

async function openCase(page) {
  await page.goto(`${server.url}/cases/${data.case.id}`);
  await h1(page).filter({ hasText: fill(en['cases.case.title'], { number: data.case.number }) }).waitFor();
  await card(page).getByRole('heading', { name: en['conditions.title'], exact: true }).waitFor();
}

describe('conditions', () => {
  test('an officer imposes a condition through the form: typed parameters, preview, S1 refusal', async (t) => {
    const { page, problems } = await open(t, 'officer');
    await openCase(page);
    await card(page).getByText(en['conditions.none']).waitFor();
    await page.locator('#condition-add').click();
    const form = page.locator('form.condition-form');
    await form.waitFor();
    // The only decision in force is chosen already.
    assert.equal(await form.locator('#cond-new-decision').inputValue(), data.decision.id);

    // An exclusion the decision does not authorise: the preview says why, and the submit is disabled.
    await form.locator('#cond-new-code').selectOption('avoid_places');
    await form.locator('#cond-new-param-places').fill('Bars and nightclubs');
    const refused = form.locator('.preview-refused');
    await refused.waitFor();
    assert.match(await refused.textContent(), new RegExp(esc(en['conditions.preview.not_authorised'])));
    // Worded in the UI language from the refusal's codes: the chosen decision and the duty it lacks.
    const decisionName = 'Pervomaisky District Court of Bishkek № 1-777/2026, 05/01/2026';
    const lacks = fill(en['conditions.refusal.duty_not_authorised'], { decision: decisionName, duty: '\u0000' }).split('\u0000')[0];
    await refused.filter({ hasText: lacks }).waitFor();
    // No raw template with {placeholders} on the form: the preview shows the filled-in text.
    assert.doesNotMatch(await form.textContent(), /\{\w+\}/);
    assert.equal(await form.getByRole('button', { name: en['conditions.form.submit'] }).isDisabled(), true);

    // A curfew: an address and hours that cross midnight.
    await form.locator('#cond-new-code').selectOption('curfew');
    await form.locator('#cond-new-param-address').fill('Bishkek, Chui avenue 100, flat 5');
    await form.locator('#cond-new-param-hours-from').fill('22:00');
    await form.locator('#cond-new-param-hours-to').fill('06:00');
    await form.getByText(fill(en['conditions.param.overnight'], { from: '22:00', to: '06:00' })).waitFor();
    await form.getByLabel(en['conditions.answers.risk'], { exact: true }).check();
    await form.locator('#cond-new-detail').fill('Offences were committed at night');
    await form.locator('#cond-new-review').fill('2027-01-10');
    // The preview: authorised, and the text as the person reads it (Russian) and in English.
    await form.locator('.preview-ok').waitFor();
    const person = form.locator('.preview-text.is-person dd');
    await person.filter({ hasText: 'Chui avenue 100' }).waitFor();
    assert.match(await person.getAttribute('lang'), /^ru$/);
    assert.match(await form.locator('.preview-text dd[lang="en"]').textContent(), /22:00/);
    await page.screenshot({ path: join(shots, 'conditions-form.png'), fullPage: true });
    assert.deepEqual(await lowContrast(page), [], 'condition form: text contrast below 4.5:1');
    await form.getByRole('button', { name: en['conditions.form.submit'] }).click();

    await page.locator('#conditions-done').getByText(en['conditions.imposed']).waitFor();
    const item = card(page).locator('article.condition').filter({ hasText: 'Chui avenue 100' });
    await item.waitFor();
    // In the UI language by default, with its legal basis, what it answers and its S4 status.
    assert.match(await item.locator('.condition-text').textContent(), /22:00/);
    assert.match(await item.textContent(), /1-777\/2026, 05\/01\/2026/);
    assert.match(await item.textContent(), new RegExp(esc(en['conditions.explained.never'])));
    assert.match(await card(page).locator('#conditions-count').textContent(), new RegExp(esc(fill(en['conditions.count'], { n: 1, max: 6 }))));
    // The printable sheet in each language.
    for (const l of ['ky', 'ru', 'en']) {
      assert.equal(await card(page).locator(`.sheet-links a[href$="/conditions/sheet?lang=${l}"]`).count(), 1);
    }
    assert.deepEqual(problems, []);
  });

  test('a server 422 is shown at its field and takes focus', async (t) => {
    const { page } = await open(t, 'officer');
    await openCase(page);
    await page.locator('#condition-add').click();
    const form = page.locator('form.condition-form');
    await form.locator('#cond-new-code').selectOption('notify_changes');
    await form.locator('#cond-new-param-days').fill('99'); // above the parameter's maximum
    await form.getByLabel(en['conditions.answers.need'], { exact: true }).check();
    await form.locator('#cond-new-detail').fill('Keeps the office informed');
    await form.locator('#cond-new-review').fill('2027-01-10');
    await form.getByRole('button', { name: en['conditions.form.submit'] }).click();
    const summary = form.locator('.form-error');
    await summary.waitFor();
    assert.equal(await summary.getAttribute('role'), 'alert');
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('form-error')), true);
    assert.equal(await form.locator('#cond-new-param-days').getAttribute('aria-invalid'), 'true');
    await summary.locator('a[href="#cond-new-param-days"]').click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'cond-new-param-days');
  });

  test('the officer records that the conditions were explained (S4)', async (t) => {
    const { page, problems } = await open(t, 'officer');
    await openCase(page);
    await page.locator('#explanation-add').click();
    const form = page.locator('form.explanation-form');
    await form.waitFor();
    assert.equal(await form.locator('#explanation-language').inputValue(), 'ru');
    await form.getByRole('button', { name: en['conditions.explanation.submit'] }).click();
    // Acknowledgement is a required choice.
    await form.locator('.form-error').waitFor();
    await form.getByLabel(en['conditions.explanation.ack.yes'], { exact: true }).check();
    await form.locator('#explanation-interpreter').fill('A. Interpreter');
    await form.getByRole('button', { name: en['conditions.explanation.submit'] }).click();
    await page.locator('#conditions-done').getByText(en['conditions.explanation.recorded']).waitFor();
    const row = card(page).locator('table.explanation-table tbody tr');
    await row.first().waitFor();
    assert.match(await row.first().textContent(), /A\. Interpreter/);
    const item = card(page).locator('article.condition').filter({ hasText: 'Chui avenue 100' });
    assert.match(await item.textContent(), /acknowledged/);
    assert.deepEqual(problems, []);
  });

  test('the officer proposes a variation; the unit head endorses it; the court decides it; the case shows the new condition', async (t) => {
    const { page, problems } = await open(t, 'officer');
    await openCase(page);
    const item = card(page).locator('article.condition').filter({ hasText: 'Chui avenue 100' });
    await item.getByRole('button', { name: new RegExp(`^${esc(en['variations.propose.change'])}`) }).click();
    const form = page.locator('form.condition-form');
    await form.waitFor();
    const p = await form.getAttribute('aria-labelledby').then((id) => id.replace(/-title$/, ''));
    // The form starts from the condition's own values.
    await page.waitForFunction((id) => document.getElementById(id)?.value.includes('Chui avenue 100'), `${p}-param-address`);
    await form.locator(`#${p}-param-hours-from`).fill('23:00');
    await form.locator(`#${p}-reason`).fill('Six months without breach; works an evening shift until 22:30');
    await form.locator(`#${p}-person-view`).fill('Agrees; asks that the curfew start after the shift');
    await form.locator('.preview-text dd[lang="en"]').filter({ hasText: '23:00' }).waitFor();
    await form.getByRole('button', { name: en['variations.propose.submit'] }).click();
    await page.locator('#conditions-done').getByText(en['variations.proposed']).waitFor();
    const row = card(page).locator('table tbody tr').filter({ hasText: en['variations.status.proposed'] });
    await row.waitFor();
    const href = await row.locator('a').getAttribute('href');
    const variationId = href.split('/').pop();
    // The proposer may complete or withdraw it.
    await page.goto(`${server.url}/variations/${variationId}`);
    await page.locator('#variation-edit-reason').waitFor();
    await page.getByRole('button', { name: en['variation.withdraw'], exact: true }).waitFor();
    assert.deepEqual(problems, []);
    // What the person has done meanwhile: a supervision level and a kept appointment.
    const officer = who.officer.client;
    await officer.expect(200, 'PUT', `/api/v1/cases/${data.case.id}/supervision-level`, { level: 'medium', reason: 'Stable address and work; reports on time' });
    const twoDaysAgo = new Date(Date.now() - 2 * 86400000).toISOString().slice(0, 10);
    await officer.expect(201, 'POST', `/api/v1/cases/${data.case.id}/contacts`, { kind: 'office', happened_local: `${twoDaysAgo}T10:00`, outcome: 'attended_complied' });

    // The unit head finds it in the queue and endorses it.
    const head = await open(t, 'head');
    await head.page.goto(`${server.url}/supervision/variations`);
    await h1(head.page).filter({ hasText: en['variations.title'] }).waitFor();
    assert.equal(await head.page.locator('#variations-status').inputValue(), 'proposed');
    await head.page.locator(`a[href="/variations/${variationId}"]`).click();
    await head.page.locator('#variation-proposed-text').filter({ hasText: '23:00' }).waitFor();
    assert.match(await head.page.locator('#variation-person-view').textContent(), /Agrees/);
    // Reviewing someone else's proposal: no officer's form, no withdrawal.
    await head.page.locator('#variation-compliance').waitFor();
    assert.equal(await head.page.locator('#variation-edit-heading').count(), 0);
    assert.equal(await head.page.getByRole('button', { name: en['variation.withdraw'], exact: true }).count(), 0);
    await head.page.locator('#variation-endorse').click();
    await head.page.locator('#variation-done').filter({ hasText: en['variation.endorsed'] }).waitFor();
    assert.deepEqual(head.problems, []);

    // The court decides it.
    const court = await open(t, 'court');
    await court.page.goto(`${server.url}/supervision/variations`);
    await h1(court.page).filter({ hasText: en['variations.title'] }).waitFor();
    assert.equal(await court.page.locator('#variations-status').inputValue(), 'endorsed');
    await court.page.locator(`a[href="/variations/${variationId}"]`).click();
    await court.page.locator('#variation-now-text').filter({ hasText: '22:00' }).waitFor();
    // The heading names the action and the condition; the case number is plain text for the court,
    // which may not open the case (no people.read), and the basis shows the decision's date.
    const curfewTitle = JSON.parse(readFileSync(join(root, 'data/conditions/catalogue-v1.json'), 'utf8'))
      .conditions.find((c) => c.code === 'curfew').title.en;
    await court.page.locator('#variation-heading').filter({ hasText: `${en['variations.action.change']}: ${curfewTitle}` }).waitFor();
    await court.page.locator('.fact dd').filter({ hasText: data.case.number }).first().waitFor();
    assert.equal(await court.page.locator(`#main a[href^="/cases/"]`).count(), 0);
    await court.page.locator('.variation-side').getByText(/1-777\/2026, 05\/01\/2026/).waitFor();
    // How the person has complied, beside the officer's reasons.
    const compliance = court.page.locator('#variation-compliance');
    await compliance.getByRole('heading', { name: en['variation.compliance.title'] }).waitFor();
    assert.equal((await court.page.locator('#variation-compliance-level').textContent()).trim(), 'Medium');
    assert.equal((await compliance.locator('[data-outcome="attended_complied"] dd').textContent()).trim(), '1');
    assert.equal((await compliance.locator('[data-outcome="failed_to_attend"] dd').textContent()).trim(), '0');
    assert.match(await compliance.locator('[data-outcome="attended_complied"] dt').textContent(), /Attended and complied/);
    assert.equal((await court.page.locator('#variation-compliance-active').textContent()).trim(), '1');
    assert.equal(await court.page.locator('#variation-edit-heading').count(), 0, 'the court does not write conditions');
    await court.page.getByLabel(en['variation.decide.approve'], { exact: true }).check();
    await court.page.locator('#variation-decide-ref').fill('3-45/2026');
    await court.page.locator('#variation-decide-reasons').fill('Compliance for six months; the shift ends at 22:30. Keeping the curfew unchanged was considered.');
    await court.page.screenshot({ path: join(shots, 'variation-decide.png'), fullPage: true });
    assert.deepEqual(await lowContrast(court.page), [], 'variation page: text contrast below 4.5:1');
    await court.page.locator('#variation-decide').click();
    await court.page.locator('#variation-done').filter({ hasText: en['variation.approved'] }).waitFor();
    assert.deepEqual(court.problems, []);

    // Back on the case: the new condition is in force, the old one ended as varied.
    await openCase(page);
    const active = card(page).locator('ol.condition-list').first().locator('article.condition');
    await active.filter({ hasText: '23:00' }).waitFor();
    assert.equal(await active.filter({ hasText: '22:00' }).count(), 0);
    const ended = card(page).locator('details.conditions-ended');
    await ended.locator('summary').click();
    const old = ended.locator('article.condition').filter({ hasText: '22:00' });
    await old.waitFor();
    assert.match(await old.textContent(), new RegExp(esc(en['conditions.end_reason.varied'])));
    assert.match(await card(page).locator('table tbody tr').filter({ has: page.locator(`a[href="/variations/${variationId}"]`) }).textContent(),
      new RegExp(esc(en['variations.status.approved'])));
  });

  test('the court cannot decide while the person\'s account is missing (S8)', async (t) => {
    const officer = who.officer.client;
    const list = await officer.expect(200, 'GET', `/api/v1/cases/${data.case.id}/conditions`);
    const condition = list.items.find((x) => x.status === 'active');
    const v = await officer.expect(201, 'POST', `/api/v1/cases/${data.case.id}/variations`, {
      action: 'remove', condition_id: condition.id, reason: 'The person has moved in with family and works days',
    });
    await who.head.client.expect(200, 'POST', `/api/v1/variations/${v.id}/review`, { endorse: true });
    const { page, problems } = await open(t, 'court');
    await page.goto(`${server.url}/variations/${v.id}`);
    await page.locator('#variation-person-view-missing').waitFor();
    await page.locator('#variation-missing').waitFor();
    assert.equal(await page.locator('#variation-decide').isDisabled(), true);
    assert.match(await page.locator('#variation-decide-blocked').textContent(), new RegExp(esc(en['variations.missing.person_view'])));
    assert.deepEqual(problems, []);

    // Endorsed, the person's account may still be added by the unit head — and nothing else.
    const head = await open(t, 'head');
    await head.page.goto(`${server.url}/variations/${v.id}`);
    await head.page.locator('#variation-edit-person-view').waitFor();
    assert.equal(await head.page.locator('#variation-edit-reason').count(), 0);
    assert.equal(await head.page.getByRole('button', { name: en['variation.withdraw'], exact: true }).count(), 0);
    await head.page.locator('#variation-edit-person-view').fill('Agrees; lives with his parents now');
    await head.page.locator('#variation-edit-person-view').locator('xpath=ancestor::form').getByRole('button', { name: en['variation.edit.save'] }).click();
    await head.page.locator('#variation-done').filter({ hasText: en['variation.edit.saved'] }).waitFor();
    assert.deepEqual(head.problems, []);
    await page.reload();
    await page.locator('#variation-person-view').filter({ hasText: 'lives with his parents' }).waitFor();
    assert.equal(await page.locator('#variation-decide').isDisabled(), false);
  });

  test('the catalogue page shows each condition in three languages and the versions; works at 360 px', async (t) => {
    const { page, problems } = await open(t, 'officer', { viewport: { width: 360, height: 740 } });
    await page.goto(`${server.url}/supervision/catalogue`);
    await h1(page).filter({ hasText: en['catalogue.title'] }).waitFor();
    const curfew = page.locator('article.catalogue-item').filter({ has: page.locator('code', { hasText: /^curfew$/ }) });
    await curfew.waitFor();
    assert.equal(await curfew.locator('.catalogue-lang').count(), 3);
    await page.locator('table.catalogue-versions tbody tr').first().waitFor();
    // No upload for an officer (reference.manage).
    assert.equal(await page.locator('#catalogue-file').count(), 0);
    assert.equal(await overflows(page), false, 'catalogue: the page scrolls sideways at 360 px');
    // The case page with the condition form open, at 360 px too.
    await openCase(page);
    await page.locator('#condition-add').click();
    await page.locator('#cond-new-code').selectOption('exclusion_zone');
    const svg = page.locator('.zone-map svg');
    await svg.waitFor();
    // Three clicks on the grid draw a closed GeoJSON polygon.
    const box = await svg.boundingBox();
    for (const [x, y] of [[0.2, 0.2], [0.7, 0.2], [0.4, 0.6]]) await svg.click({ position: { x: x * box.width, y: y * box.height } });
    const geometry = JSON.parse(await page.locator('#cond-new-param-zone-geojson').inputValue());
    assert.equal(geometry.type, 'Polygon');
    assert.equal(geometry.coordinates[0].length, 4);
    assert.deepEqual(geometry.coordinates[0][0], geometry.coordinates[0][3]);
    await page.locator('.zone-field').screenshot({ path: join(shots, 'zone-360.png') });
    assert.equal(await overflows(page), false, 'condition form: the page scrolls sideways at 360 px');
    await page.screenshot({ path: join(shots, 'conditions-360.png'), fullPage: true });
    await page.setViewportSize(LAPTOP);
    assert.deepEqual(problems, []);
  });

  test('an administrator loading a bad catalogue file is told which member is wrong', async (t) => {
    const { page, problems } = await open(t, 'admin');
    await page.goto(`${server.url}/supervision/catalogue`);
    await h1(page).filter({ hasText: en['catalogue.title'] }).waitFor();
    const current = await who.admin.client.expect(200, 'GET', '/api/v1/condition-catalogue');
    const bad = { version: current.version + 1, label: 'Broken', conditions: [{ ...current.conditions[0], text: { ky: 'x', ru: 'x' } }] };
    await page.locator('#catalogue-file').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
    await page.getByRole('button', { name: en['catalogue.upload.submit'] }).click();
    const alert = page.locator('#catalogue-upload-error');
    await alert.waitFor();
    assert.equal(await alert.getAttribute('role'), 'alert');
    assert.match(await alert.textContent(), /conditions\[0\]\.text/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'catalogue-upload-error');
    assert.deepEqual(problems, []);
  });
});
