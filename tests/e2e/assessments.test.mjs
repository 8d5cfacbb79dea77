// Browser tests of risk and needs assessments (issue 8): an officer, certified for the needs
// screening in the setup, starts one from the case page's Assessments card, reads an item's
// guidance, rates some items, saves and gets the list of what is still missing (and the server's
// errors next to their fields when submitting too early), completes it and submits it; the unit
// head countersigns it from the queue, and its risk-management action shows in the supervision plan;
// after a second assessment the history page draws the chart and the item-by-item table with the
// changes marked better or worse (a risk item rated higher is worse, a protective one stronger is
// better); the supervision level card shows the suggestion and refuses, before sending, a short
// reason for departing from it. Also: leaving a draft with unsaved changes asks first, a refused
// submission moves focus to the error summary, and countersigning asks for confirmation.
//
// One server (SQLite by default) and one Chromium for the file; the accounts are made over the API.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, lowContrast, openPage, shotsDir } from '../lib/browser.mjs';
import { createAdmin, firstLogin } from '../lib/identity.mjs';
import { root, startServer } from '../lib/server.mjs';

const uiDir = process.env.KADAM_UI_DIR || join(root, 'web/dist');
const load = (lang) => Object.assign({}, ...['', '.cases', '.supervision', '.assessments'].map((part) =>
  JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}${part}.json`), 'utf8'))));
const en = load('en');
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (_, k) => String(params[k]));
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The text of a message before its first placeholder (to match a filled-in message). */
const head = (text) => text.split('{')[0];

const NS = 'kadam.needs-screening';

let server;
let browser;
let shots;
const who = {}; // admin, officer, head: { client, user }
const data = {}; // case, instrument, def, first, second

function today(timeZone = 'Asia/Bishkek') {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}

before(async () => {
  assert.ok(existsSync(join(uiDir, 'index.html')), `${uiDir} has no built UI: run \`npm run build\` first`);
  server = await startServer({ uiDir });
  browser = await launch();
  shots = shotsDir();
  const created = createAdmin(server.db, 'root-admin', 'Root Admin');
  who.admin = { client: (await firstLogin(server.url, created.login, created.password)).client };
  const admin = who.admin.client;
  const agency = await admin.expect(201, 'POST', '/api/v1/agencies', { name: 'Assessment Probation (e2e)', kind: 'probation' });
  const unit = await admin.expect(201, 'POST', '/api/v1/units', { agency_id: agency.id, name: 'Office A' });
  for (const [key, login, role] of [['officer', 'officer.e2e', 'probation_officer'], ['head', 'head.e2e', 'unit_head']]) {
    const r = await admin.expect(201, 'POST', '/api/v1/users', {
      login, display_name: key === 'officer' ? 'Aibek Officer' : 'Gulnara Head', agency_id: agency.id, unit_id: unit.id, roles: [role],
      preferred_language: 'en',
    });
    who[key] = { client: (await firstLogin(server.url, login, r.one_time_password)).client, user: r.user };
  }
  const officer = who.officer.client;
  // The officer is certified for the needs screening (by the unit head, over the API).
  await who.head.client.expect(201, 'POST', '/api/v1/certifications', {
    account_id: who.officer.user.id, instrument_code: NS, certified_on: addDays(today(), -30), issuer: 'Kadam training team', reference: 'E2E-1',
  });
  const person = await officer.expect(201, 'POST', '/api/v1/people', {
    surname: 'Баалоов', given_name: 'Нурлан', surname_latin: 'Baaloov', given_name_latin: 'Nurlan',
    birth_date: '1991-03-04', sex: 'male', languages: ['ky'], preferred_language: 'ky', confirm_not_duplicate: true,
  });
  data.case = await officer.expect(201, 'POST', '/api/v1/cases', {
    person_id: person.id, kind: 'executive', officer_id: who.officer.user.id, opened_on: addDays(today(), -40), open_reason: 'Suspended sentence to supervise',
  });
  const instruments = await officer.expect(200, 'GET', '/api/v1/instruments');
  data.instrument = instruments.items.find((i) => i.code === NS && i.current);
  assert.ok(data.instrument, 'the needs screening is loaded');
  data.def = (await officer.expect(200, 'GET', `/api/v1/instruments/${data.instrument.id}`)).definition;
});

after(async () => {
  await browser?.close();
  const r = await server?.stop();
  if (r && r.code !== 0 && r.code !== null) console.error(server.logs());
  if (shots) console.log(`# screenshots in ${shots}`);
});

function open(t, as) {
  return openPage(browser, t, { storedLang: 'en', cookies: [who[as].client.browserCookie()] });
}

const h1 = (page) => page.locator('#main h1');
const items = () => data.def.domains.flatMap((d) => d.items);
const values = (scaleId) => data.def.scales.find((s) => s.id === scaleId).values.map((v) => v.id);

async function openCase(page) {
  await page.goto(`${server.url}/cases/${data.case.id}`);
  await h1(page).filter({ hasText: fill(en['cases.case.title'], { number: data.case.number }) }).waitFor();
  await page.locator('#assessments').getByRole('heading', { name: en['assessments.title'], exact: true }).waitFor();
}

/** A complete body for the API: every item at the first or last value of its scale. */
function completeBody(pick, judgement) {
  const ratings = {};
  for (const i of items()) {
    const v = values(i.scale);
    ratings[i.id] = { value: pick === 'last' ? v.at(-1) : v[0], evidence: `Seen for ${i.id}`, source: 'document' };
  }
  const domains = {};
  for (const d of data.def.domains) {
    const v = values(d.rating_scale);
    domains[d.id] = { value: pick === 'last' ? v.at(-1) : v[0], comment: null };
  }
  return {
    assessed_on: today(), sources: 'Interview; the court file', limitations: 'The employer was not reached', ratings, domains, judgement,
    rationale: 'Weighed as a whole by the assessor', scenarios: [],
    actions: [{ kind: 'monitoring', description: 'Check in weekly by phone', due_on: addDays(today(), 30) }],
  };
}

describe('assessments', () => {
  test('an officer starts a needs screening from the case page, rates, sees what is missing, completes and submits it', async (t) => {
    const { page, problems } = await open(t, 'officer');
    await openCase(page);
    const card = page.locator('#assessments');
    await card.locator('#assessments-none').waitFor();
    await card.locator('#assessment-start').click();
    const form = card.locator('form.assess-start');
    await form.waitFor();
    // The instrument list says the caller is certified for the needs screening.
    const option = form.locator(`#assess-start-instrument option[value="${data.instrument.id}"]`);
    assert.match(await option.textContent(), new RegExp(esc(en['assess.cert.yes'])));
    await form.locator('#assess-start-instrument').selectOption(data.instrument.id);
    assert.equal(await form.locator('#assess-start-reason').inputValue(), 'initial');
    // Reason "trigger" asks for the trigger.
    await form.locator('#assess-start-reason').selectOption('trigger');
    await form.locator('#assess-start-trigger').waitFor();
    await form.locator('#assess-start-reason').selectOption('initial');
    await form.locator('#assess-start-submit').click();

    await page.waitForURL(/\/assessments\/[0-9a-f-]+$/);
    data.first = page.url().split('/').pop();
    await page.locator('#assess-instrument').filter({ hasText: data.instrument.version }).waitFor();
    await page.locator('#assess-judgement-notice').first().waitFor();
    assert.equal((await page.locator('#assess-judgement-notice').first().textContent()).trim(), en['assess.judgement.standing']);
    if (data.def.validated === false) await page.locator('#assess-unvalidated').getByText(en['assess.unvalidated']).waitFor();

    // The guidance of the first item, in English, folded away until asked for.
    const first = items()[0];
    const guidance = page.locator(`#as-r-${first.id}-guidance`);
    const guidanceText = first.guidance.en.trim().split('\n')[0].slice(0, 40);
    assert.equal(await guidance.getByText(guidanceText, { exact: false }).isVisible(), false);
    await guidance.locator('summary').click();
    await guidance.getByText(guidanceText, { exact: false }).first().waitFor();

    // Rate two items and save: the draft is kept, and what is still missing is listed.
    const [a, b] = items();
    await page.locator(`#as-r-${a.id}-value-${values(a.scale)[1]}`).check();
    await page.locator(`#as-r-${a.id}-evidence`).fill('He said so in the interview and the file agrees');
    await page.locator(`#as-r-${a.id}-source`).selectOption('person');
    await page.locator(`#as-r-${b.id}-value-${values(b.scale)[0]}`).check();
    await page.locator('#assess-dirty').getByText(en['assess.unsaved']).waitFor();
    // The radio groups are named by the item's id and title.
    await page.getByRole('group', { name: fill(en['assess.rating.value'], { item: a.id, title: a.title.en }) }).first().waitFor();

    // Unsaved changes: a link inside Kadam asks first (and staying keeps the page); a reload would too.
    const url = page.url();
    await page.locator('.breadcrumbs a').click();
    const leave = page.getByRole('dialog', { name: en['assess.leave.title'] });
    await leave.waitFor();
    await leave.getByRole('button', { name: en['action.cancel'] }).click();
    await leave.waitFor({ state: 'hidden' });
    assert.equal(page.url(), url, 'staying keeps the draft open');
    assert.equal(await page.locator(`#as-r-${a.id}-value-${values(a.scale)[1]}`).isChecked(), true);
    assert.equal(await page.evaluate(() => {
      const e = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(e);
      return e.defaultPrevented;
    }), true, 'the browser is asked to warn before unloading');

    await page.locator('#assess-save').click();
    await page.locator('#assessment-done').getByText(en['assess.saved']).waitFor();
    const missing = page.locator('#assess-missing');
    await missing.waitFor();
    assert.equal(await missing.locator(`li[data-field="ratings.${a.id}"]`).count(), 0, 'a rated item is not missing');
    await missing.locator(`li[data-field="ratings.${items()[2].id}"]`).waitFor();
    await missing.locator(`li[data-field="ratings.${b.id}.evidence"]`).waitFor();
    await missing.locator('li[data-field="judgement"]').waitFor();
    await missing.locator('li[data-field="sources"]').waitFor();
    // The saved values came back.
    assert.equal(await page.locator(`#as-r-${a.id}-value-${values(a.scale)[1]}`).isChecked(), true);
    assert.equal(await page.locator(`#as-r-${a.id}-source`).inputValue(), 'person');

    // Saved: nothing to warn about any more.
    await page.locator('#assess-dirty').getByText(en['assess.all_saved']).waitFor();
    assert.equal(await page.evaluate(() => {
      const e = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(e);
      return e.defaultPrevented;
    }), false);

    // Submitting too early: focus moves to the error summary, and the errors stand next to their fields.
    await page.locator('#assess-submit').click();
    await page.locator('.form-error').getByText(en['assess.problem.incomplete']).waitFor();
    await page.waitForFunction(() => document.activeElement?.classList.contains('form-error'));
    await page.locator(`#as-r-${items()[2].id}-value-error`).waitFor();
    await page.locator('#as-judgement-error').waitFor();
    await page.locator('#as-sources-error').waitFor();

    // Complete it through the form.
    await page.locator('#as-assessed_on').fill(today());
    for (const [n, i] of items().entries()) {
      const v = values(i.scale);
      await page.locator(`#as-r-${i.id}-value-${v[n % 2 === 0 ? 0 : Math.min(1, v.length - 1)]}`).check();
      if (i.id !== a.id) await page.locator(`#as-r-${i.id}-evidence`).fill(`Evidence for ${i.id}`);
      await page.locator(`#as-r-${i.id}-source`).selectOption('document');
    }
    for (const d of data.def.domains) await page.locator(`#as-d-${d.id}-value-${values(d.rating_scale)[0]}`).check();
    await page.locator('#as-sources').fill('Two interviews; the court file; the police record');
    await page.locator('#as-limitations').fill('The employer could not be reached');
    const judgement = data.def.judgements[1].id;
    await page.locator(`#as-judgement-${judgement}`).check();
    await page.locator('#as-rationale').fill('Stable home, but the associates and attitudes call for attention');
    await page.locator('#as-scenarios-add').click();
    assert.equal((await page.locator('#as-scenarios-0-remove').textContent()).trim(), fill(en['assess.scenario.remove'], { n: 1 }));
    await page.locator('#as-scenarios-0-kind').selectOption('repeat');
    await page.locator('#as-scenarios-0-description').fill('Renewed contact with the old group after a job loss');
    await page.locator('#as-actions-add').click();
    await page.locator('#as-actions-0-kind').selectOption('supervision');
    await page.locator('#as-actions-0-due_on').fill(addDays(today(), 21));
    await page.locator('#as-actions-0-description').fill('Discuss associates at every office visit');
    await page.screenshot({ path: join(shots, 'assessment-form.png') });
    assert.deepEqual(await lowContrast(page), [], 'assessment form: text contrast below 4.5:1');
    await page.locator('#assess-submit').click();
    await page.locator('#assessment-done, .form-error').first().waitFor();
    if (await page.locator('.form-error').count()) assert.fail(`submitting: ${await page.locator('.form-error').textContent()}`);
    await page.locator('#assessment-done').getByText(en['assess.submitted']).waitFor();
    await page.locator('.assess-status[data-status="submitted"]').first().waitFor();
    // Now read only: no form.
    assert.equal(await page.locator('form.assess-form').count(), 0);
    assert.deepEqual(problems, []);
  });

  test('the unit head countersigns it from the queue; its action goes into the supervision plan', async (t) => {
    const { page, problems } = await open(t, 'head');
    await page.goto(`${server.url}/supervision/assessments`);
    await h1(page).filter({ hasText: en['assessments.title'] }).waitFor();
    // With something to countersign, a unit head lands on that tab.
    await page.locator('#assess-tab-countersign[aria-selected="true"]').waitFor();
    const row = page.locator(`#assess-queue tr[data-id="${data.first}"]`);
    await row.waitFor();
    await row.getByRole('link').click();
    await page.waitForURL(new RegExp(`/assessments/${data.first}$`));
    await page.locator('#assess-countersign').waitFor();
    await page.locator('#as-note').fill('Sound and well evidenced');
    await page.locator('#assess-countersign-button').click();
    // Countersigning asks first, saying what it does.
    const confirm = page.getByRole('dialog', { name: en['assess.countersign.confirm.title'] });
    await confirm.waitFor();
    assert.match(await confirm.textContent(), new RegExp(esc(fill(en['assess.countersign.confirm.actions.one'], { n: 1 }))));
    await confirm.getByRole('button', { name: en['assess.countersign'], exact: true }).click();
    await page.locator('#assessment-done').getByText(en['assess.countersigned.done']).waitFor();
    await page.locator('.assess-status[data-status="countersigned"]').first().waitFor();

    // The plan has a risk-management objective with the action.
    await page.goto(`${server.url}/cases/${data.case.id}`);
    const plan = page.locator('#plan');
    await plan.getByText(en['sup.need.risk_management'], { exact: false }).first().waitFor();
    await plan.getByText('Discuss associates at every office visit', { exact: true }).waitFor();
    // The case card lists it, with the suggestion.
    const card = page.locator('#assessments');
    await card.locator('#assessments-table tr[data-status="countersigned"]').waitFor();
    await card.locator('#assessments-suggestion').waitFor();
    // The latest countersigned judgement per instrument, and which one the suggestion comes from.
    await card.locator(`#assessments-latest li[data-id="${data.first}"] #assessments-latest-used`).waitFor();
    assert.deepEqual(problems, []);
  });

  test('open triggers show when the reassessment is due; an engine trigger is worded by kind and links to its note', async (t) => {
    const officer = who.officer.client;
    const on = addDays(today(), -3);
    const own = await officer.expect(201, 'POST', `/api/v1/cases/${data.case.id}/reassessment-triggers`,
      { kind: 'work', occurred_on: on, summary: 'Lost his job at the market' });
    const note = await officer.expect(201, 'POST', `/api/v1/cases/${data.case.id}/notes`, { sensitivity: 'normal', nature: 'fact',
      source: 'person', body: 'Said he has met his old associates again.', new_information: true });
    const rules = await officer.expect(200, 'GET', '/api/v1/compliance/rules');
    const rule = rules.items.find((r) => r.code === 'reassessment.triggered');
    const days = rule?.threshold ?? 30;
    const { page, problems } = await open(t, 'officer');
    await openCase(page);
    const list = page.locator('#assessments-triggers');
    const mine = list.locator(`li[data-id="${own.id}"]`);
    await mine.waitFor();
    assert.equal(await mine.locator('.assess-trigger-due').getAttribute('data-due'), addDays(on, days));
    await mine.getByText('Lost his job at the market', { exact: false }).waitFor();
    const engine = list.locator('li[data-kind="new_information"]');
    await engine.waitFor();
    await engine.getByText(en['assess.trigger.kind.new_information']).waitFor();
    const stored = (await officer.expect(200, 'GET', `/api/v1/cases/${data.case.id}/assessments`)).triggers.find((x) => x.kind === 'new_information');
    assert.equal(stored.record_id, note.id);
    if (stored.summary) assert.equal(await engine.getByText(stored.summary, { exact: false }).count(), 0, 'the engine summary is not shown');
    await engine.locator('.assess-trigger-note').click();
    await page.waitForFunction((id) => document.activeElement?.id === `note-${id}` || document.activeElement?.id === 'notes-heading', note.id);
    assert.deepEqual(problems, []);
  });

  test('after a second assessment the history page charts the domains and compares item by item', async (t) => {
    // The second one over the API: every item at the top of its scale, a higher judgement.
    const officer = who.officer.client;
    const second = await officer.expect(201, 'POST', `/api/v1/cases/${data.case.id}/assessments`, { instrument_id: data.instrument.id, reason: 'interval' });
    data.second = second.id;
    let r = await officer.call('PUT', `/api/v1/assessments/${second.id}`, completeBody('last', data.def.judgements.at(-1).id),
      { 'If-Match': `"${second.version}"` });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r = await officer.call('POST', `/api/v1/assessments/${second.id}/submission`, undefined, { 'If-Match': r.headers.get('etag') });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r = await who.head.client.call('POST', `/api/v1/assessments/${second.id}/countersignature`, { note: '' }, { 'If-Match': r.headers.get('etag') });
    assert.equal(r.status, 200, JSON.stringify(r.body));

    const { page, problems } = await open(t, 'officer');
    await page.goto(`${server.url}/assessment-history/${data.case.id}?instrument=${NS}`);
    await h1(page).filter({ hasText: en['assessment.history.title'] }).waitFor();
    const canvas = page.locator('#history-chart canvas').first();
    await canvas.waitFor();
    assert.match(await canvas.getAttribute('aria-label'), new RegExp(esc(head(en['assess.history.chart.label']))));
    // One legend entry per domain.
    for (const d of data.def.domains) await page.locator('#history-chart .u-legend').getByText(d.name.en, { exact: false }).first().waitFor();
    // The chart fits its box (no horizontal overflow).
    assert.ok(await page.locator('#history-chart').evaluate((el) => el.scrollWidth <= el.clientWidth + 1));
    const table = page.locator('#history-table');
    await table.waitFor();
    assert.equal(await table.locator('thead th').count(), 3, 'the item column and two assessments');
    // Items rated at the first value before and the last now: a risk item is worse, a protective one
    // better — marked by colour and in words (with a spoken sentence).
    const kindOf = (item) => data.def.domains.find((d) => d.items.some((i) => i.id === item.id)).kind;
    const risk = items().find((i) => kindOf(i) === 'risk');
    const protective = items().find((i) => kindOf(i) === 'protective');
    const worse = table.locator(`tr[data-row="${risk.id}"] td`).nth(1);
    assert.equal(await worse.getAttribute('data-change'), 'worse');
    assert.match(await worse.getAttribute('class'), /is-worse/);
    assert.match(await worse.locator('.assess-change').textContent(), new RegExp(esc(en['assess.change.worse.short'])));
    assert.match(await worse.locator('.assess-change').textContent(), new RegExp(esc(en['assess.change.worse'])));
    if (protective) {
      const better = table.locator(`tr[data-row="${protective.id}"] td`).nth(1);
      assert.equal(await better.getAttribute('data-change'), 'better');
      assert.match(await better.locator('.assess-change').textContent(), new RegExp(esc(en['assess.change.better'])));
      const pd = data.def.domains.find((d) => d.kind === 'protective');
      assert.equal(await table.locator(`tr[data-row="domain-${pd.id}"] td`).nth(1).getAttribute('data-change'), 'better');
    }
    assert.ok(await table.locator('td.is-changed').count() >= items().length / 2);
    await table.locator('tr[data-row="judgement"] td[data-change="worse"]').waitFor();
    // The legend says what the marks mean.
    await page.locator('#history-legend').getByText(en['assess.change.better.about']).waitFor();
    await page.screenshot({ path: join(shots, 'assessment-history.png'), fullPage: true });
    // The instrument switcher.
    assert.equal(await page.locator('input[name="history-instrument"]:checked').inputValue(), NS);
    assert.deepEqual(problems, []);
  });

  test('the level card shows the suggestion and refuses a short reason for departing from it', async (t) => {
    const { page, problems } = await open(t, 'officer');
    await openCase(page);
    const level = page.locator('#supervision');
    const suggestion = level.locator('#level-suggestion');
    await suggestion.waitFor();
    assert.match(await suggestion.textContent(), new RegExp(esc(head(en['assess.suggestion']))));
    // "Use the suggestion" opens the form with the suggested level chosen.
    await level.locator('#level-use-suggestion').click();
    const suggested = await level.locator('#level-select').inputValue();
    assert.ok(suggested, 'the suggested level is chosen');
    // Another level and a short reason: refused before anything is sent.
    const other = (await level.locator('#level-select option').evaluateAll((os) => os.map((o) => o.value)))
      .find((v) => v && v !== suggested);
    await level.locator('#level-select').selectOption(other);
    await level.locator('#level-departs').waitFor();
    // The hint under the reason follows the rule in force: 30 characters when departing.
    assert.match(await level.locator('#level-reason-hint').textContent(), new RegExp(`\\b30\\b`));
    await level.locator('#level-select').selectOption(suggested);
    assert.match(await level.locator('#level-reason-hint').textContent(), new RegExp(`\\b10\\b`));
    assert.doesNotMatch(await level.locator('#level-policy').textContent(), /\b1 home visits\b|\b1 contacts\b/);
    await level.locator('#level-select').selectOption(other);
    await level.locator('#level-reason').fill('Works nights now.');
    let sent = 0;
    page.on('request', (req) => { if (req.url().endsWith('/supervision-level')) sent += 1; });
    await level.getByRole('button', { name: en['sup.level.submit'] }).click();
    await level.locator('#level-reason-error').getByText(head(en['assess.suggestion.depart.short']), { exact: false }).waitFor();
    assert.equal(sent, 0);
    // With the reason long enough it is saved, and the history says it departed from the suggestion.
    await level.locator('#level-reason').fill('Works night shifts now, so the office visits are moved; the officer will review in a month.');
    await level.getByRole('button', { name: en['sup.level.submit'] }).click();
    await level.getByText(en['sup.level.saved']).waitFor();
    assert.equal(sent, 1);
    await level.locator('#level-follows').getByText(head(en['assess.suggestion.departed']), { exact: false }).waitFor();
    const supervision = await who.officer.client.expect(200, 'GET', `/api/v1/cases/${data.case.id}/supervision`);
    assert.equal(supervision.history[0].follows_suggestion, false);
    assert.equal(supervision.history[0].assessment_id, data.second);
    assert.deepEqual(problems, []);
  });
});
