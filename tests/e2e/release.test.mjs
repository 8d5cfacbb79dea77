// Browser tests of release planning (issue 9): a prison case worker finds a penitentiary case due for
// release on "My prison's releases", starts its release plan naming the receiving probation unit with a
// first appointment (a date outside the allowed days first: the server's error stands at the field),
// records a panel meeting with two agencies and an action, and opens the minutes in Russian; the
// receiving unit's officer sees the case on "Coming to my unit" (also at 360 px); the receiving unit's
// head hands it over on release after a confirmation saying what will happen; the case page then shows
// the supervision plan with the carried action. On the same case, a reintegration need is added and
// marked done. No console errors anywhere.
//
// One server (SQLite by default) and one Chromium for the file; the accounts are made over the API.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, lowContrast, openPage, shotsDir } from '../lib/browser.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/identity.mjs';
import { root, startServer, zoneAtMidMorning } from '../lib/server.mjs';

const uiDir = process.env.KADAM_UI_DIR || join(root, 'web/dist');
const load = (lang) => Object.assign({}, ...['', '.cases', '.supervision', '.release'].map((part) =>
  JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}${part}.json`), 'utf8'))));
const en = load('en');
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (_, k) => String(params[k]));
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

let server;
let browser;
let shots;
let zone;
const who = {}; // admin, worker, officer, head: { client, user }
const data = {}; // prison, colony, probation, office, case, meeting

function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}

before(async () => {
  assert.ok(existsSync(join(uiDir, 'index.html')), `${uiDir} has no built UI: run \`npm run build\` first`);
  server = await startServer({ uiDir });
  // A zone where it is mid-morning now: today's date cannot change while the file runs.
  zone = zoneAtMidMorning();
  sql(server.db, `UPDATE setting SET value = ${q(zone)} WHERE key = 'timezone'`);
  browser = await launch();
  shots = shotsDir();
  const created = createAdmin(server.db, 'root-admin', 'Root Admin');
  who.admin = { client: (await firstLogin(server.url, created.login, created.password)).client };
  const admin = who.admin.client;
  data.prison = await admin.expect(201, 'POST', '/api/v1/agencies', { name: 'Prison Service (e2e)', kind: 'prison' });
  data.colony = await admin.expect(201, 'POST', '/api/v1/units', { agency_id: data.prison.id, name: 'Colony 12' });
  data.probation = await admin.expect(201, 'POST', '/api/v1/agencies', { name: 'Probation Service (e2e)', kind: 'probation' });
  data.office = await admin.expect(201, 'POST', '/api/v1/units', { agency_id: data.probation.id, name: 'Osh City Office' });
  for (const [key, login, name, role, agency, unit] of [
    ['worker', 'worker.e2e', 'Aida Worker', 'prison_case_worker', data.prison, data.colony],
    ['officer', 'officer.e2e', 'Bakyt Officer', 'probation_officer', data.probation, data.office],
    ['head', 'head.e2e', 'Cholpon Head', 'unit_head', data.probation, data.office],
  ]) {
    const r = await admin.expect(201, 'POST', '/api/v1/users', {
      login, display_name: name, agency_id: agency.id, unit_id: unit.id, roles: [role], preferred_language: 'en',
    });
    who[key] = { client: (await firstLogin(server.url, login, r.one_time_password)).client, user: r.user };
  }
  const worker = who.worker.client;
  const person = data.person = await worker.expect(201, 'POST', '/api/v1/people', {
    surname: 'Эргешов', given_name: 'Талант', surname_latin: 'Ergeshov', given_name_latin: 'Talant',
    birth_date: '1988-07-14', sex: 'male', languages: ['ky'], preferred_language: 'ky', confirm_not_duplicate: true,
  });
  data.case = await worker.expect(201, 'POST', '/api/v1/cases', {
    person_id: person.id, kind: 'penitentiary', officer_id: who.worker.user.id, opened_on: addDays(today(), -400),
    open_reason: 'Admitted to the institution',
  });
  // A custodial decision in force whose release falls today (start + term - 1 day).
  const start = addDays(today(), -100);
  const decision = await worker.expect(201, 'POST', `/api/v1/cases/${data.case.id}/decisions`, {
    authority: 'Osh city court', number: '1-77/26', decided_on: start, measure: 'deprivation_of_liberty', articles: ['CC-130'],
    start_on: start, term: '101d', remand_days: 0, duties: [],
  });
  assert.equal(decision.key_dates.find((k) => k.kind === 'release')?.date, today());
});

after(async () => {
  await browser?.close();
  const r = await server?.stop();
  if (r && r.code !== 0 && r.code !== null) console.error(server.logs());
  if (shots) console.log(`# screenshots in ${shots}`);
});

function open(t, as, viewport) {
  return openPage(browser, t, { storedLang: 'en', cookies: [who[as].client.browserCookie()], ...(viewport ? { viewport } : {}) });
}

const h1 = (page) => page.locator('#main h1');

/** The page is no wider than the viewport (nothing to scroll sideways). */
async function fits(page, width) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= width, `the page is ${wide} px wide at ${width} px`);
}

describe('release planning', () => {
  test('a prison case worker finds the case due for release and starts its plan; a first appointment too late is refused at the field', async (t) => {
    const { page, problems } = await open(t, 'worker');
    await page.goto(`${server.url}/release-planning`);
    await h1(page).filter({ hasText: en['rel.list.title'] }).waitFor();
    // Prison staff have only the prison's list: no tab for what comes to a probation unit.
    await page.locator('#rel-tab-prison').waitFor();
    assert.equal(await page.locator('#rel-tab-receiving').count(), 0);
    await page.locator('#rel-window').getByText(fill(en['rel.list.window.prison'], { months: 6 })).waitFor();
    const row = page.locator(`#rel-list tr[data-case="${data.case.id}"]`);
    await row.waitFor();
    assert.match(await row.textContent(), new RegExp(en['rel.days.today']));
    assert.match(await row.textContent(), new RegExp(en['rel.plan.none']));
    assert.match(await row.textContent(), /Colony 12/);
    await row.getByRole('link', { name: data.case.number }).click();

    await page.waitForURL(new RegExp(`/release-plans/${data.case.id}$`));
    await h1(page).filter({ hasText: fill(en['rel.plan.title.case'], { number: data.case.number }) }).waitFor();
    await page.locator('#rel-plan-start').click();
    const form = page.locator('#plan-form');
    await form.waitFor();
    // The allowed range is stated.
    const hint = await page.locator('#plan-first-hint').textContent();
    assert.match(hint, /Within 3 days of release/);
    await page.locator('#plan-unit').selectOption(data.office.id);
    await page.locator('#plan-address').fill('Osh, Lenin street 5, flat 2 (his sister\'s home)');
    await page.locator('#plan-transport').fill('Bus ticket bought by the prison; the sister meets him');
    await page.locator('#plan-docs-add').click();
    await page.locator('#plan-doc-0-kind').selectOption('passport');
    await page.locator('#plan-doc-0-status').selectOption('applied');
    await page.locator('#plan-doc-0-note').fill('Applied at the Osh office');
    await page.locator('#plan-first').fill(`${addDays(today(), 10)}T10:00`);
    await page.locator('#plan-place').fill('Osh City Office, room 4');
    await page.locator('#plan-submit').click();
    // Outside the window: refused at the field before sending, in the UI's words.
    await page.locator('#plan-first-error').waitFor();
    assert.match(await page.locator('#plan-first-error').textContent(), /must be between/);
    await page.locator('.form-error').waitFor();
    await page.locator('#plan-first').fill(`${addDays(today(), 2)}T10:00`);
    await page.locator('#plan-status-agreed').check();
    await page.locator('#plan-submit').click();
    await page.locator('#rel-done').getByText(en['rel.plan.started']).waitFor();
    await page.locator('#rel-plan-receiving').getByText('Osh City Office').waitFor();
    await page.locator('.rel-plan-status[data-status="agreed"]').first().waitFor();
    await page.screenshot({ path: join(shots, 'release-plan.png'), fullPage: true });
    assert.deepEqual(await lowContrast(page), [], 'release plan: text contrast below 4.5:1');
    assert.deepEqual(problems, []);
  });

  test('the case worker records a panel meeting with two agencies and an action, and opens the minutes in Russian', async (t) => {
    const { page, context, problems } = await open(t, 'worker');
    await page.goto(`${server.url}/release-plans/${data.case.id}`);
    await page.locator('#rel-meeting-add').click();
    await page.locator('#meeting-form').waitFor();
    await page.locator('#meeting-place').fill('Colony 12, meeting room');
    await page.locator('#meeting-agenda').fill('Release on time; where he lives; first weeks of supervision');
    await page.locator('#meeting-att-0-agency_id').selectOption(data.prison.id);
    await page.locator('#meeting-att-0-name').fill('Aida Worker');
    await page.locator('#meeting-att-0-role_title').fill('Case worker');
    // One row to start with; an empty extra row is dropped, not refused.
    assert.equal(await page.locator('#meeting-att-1-name').count(), 0);
    // Owners are probation, prison or partner agencies only; no administration among attendees either.
    assert.equal(await page.locator('#meeting-att-0-agency_id option', { hasText: 'Administration' }).count(), 0);
    await page.locator('#meeting-attendees-add').click();
    await page.locator('#meeting-att-1-agency_id').selectOption(data.probation.id);
    await page.locator('#meeting-att-1-name').fill('Bakyt Officer');
    await page.locator('#meeting-attendees-add').click();
    await page.locator('#meeting-decisions').fill('He lives with his sister; probation meets him in the first week');
    await page.locator('#meeting-actions-add').click();
    await page.locator('#meeting-act-0-description').fill('Find a hostel place as a fallback');
    await page.locator('#meeting-act-0-owner_agency_id').selectOption(data.probation.id);
    await page.locator('#meeting-act-0-owner_name').fill('Bakyt Officer');
    await page.locator('#meeting-act-0-due_on').fill(addDays(today(), 14));
    await page.locator('#meeting-submit').click();

    await page.waitForURL(/\/panel-meetings\/[0-9a-f-]+$/);
    data.meeting = page.url().split('/').pop();
    await page.locator('#meeting-attendees-table tbody tr').nth(1).waitFor();
    assert.equal(await page.locator('#meeting-attendees-table tbody tr').count(), 2);
    await page.locator('#meeting-actions-table').getByText('Find a hostel place as a fallback').waitFor();
    // The minutes in Russian open in a new tab.
    const link = page.locator('#meeting-minutes-ru');
    assert.equal(await link.getAttribute('target'), '_blank');
    const [popup] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await popup.waitForLoadState();
    assert.match(popup.url(), /\/minutes\?lang=ru$/);
    assert.equal(await popup.evaluate(() => document.documentElement.lang), 'ru');
    assert.match(await popup.evaluate(() => document.body.textContent), new RegExp(data.case.number));
    // Back on the plan, the meeting and its action are listed.
    await page.goto(`${server.url}/release-plans/${data.case.id}`);
    await page.locator(`#rel-meetings-list li[data-id="${data.meeting}"]`).waitFor();
    await page.locator('#rel-actions-table th', { hasText: 'Find a hostel place as a fallback' }).waitFor();
    assert.deepEqual(problems, []);
  });

  test('the receiving unit\'s officer sees the case on "Coming to my unit", also at 360 px', async (t) => {
    const { page, problems } = await open(t, 'officer', { width: 360, height: 780 });
    await page.goto(`${server.url}/release-planning`);
    await page.locator('#rel-tab-receiving').waitFor();
    assert.equal(await page.locator('#rel-tab-prison').count(), 0);
    const row = page.locator(`#rel-list tr[data-case="${data.case.id}"]`);
    await row.waitFor();
    assert.match(await row.textContent(), /Osh City Office/);
    assert.match(await row.textContent(), new RegExp(en['rel.plan.status.agreed']));
    await fits(page, 360);
    await page.screenshot({ path: join(shots, 'release-list-360.png'), fullPage: true });
    await row.getByRole('link', { name: data.case.number }).click();
    await page.locator('#rel-plan-facts').waitFor();
    await fits(page, 360);
    // A probation officer does not hand over.
    assert.equal(await page.locator('#rel-handover-start').count(), 0);
    assert.deepEqual(problems, []);
  });

  test('the receiving unit\'s head hands the case over after a confirmation; the supervision plan holds the carried action', async (t) => {
    const { page, problems } = await open(t, 'head');
    await page.goto(`${server.url}/release-plans/${data.case.id}`);
    await page.locator('#rel-handover-start').click();
    await page.locator('#handover-form').waitFor();
    assert.equal(await page.locator('#handover-released_on').inputValue(), today());
    // Post-penitentiary asks for the consent date (checked before sending).
    await page.locator('#handover-kind-post_penitentiary').check();
    await page.locator('#handover-submit').click();
    await page.locator('#handover-consent_on-error').waitFor();
    await page.locator('#handover-kind-executive').check();
    await page.locator('#handover-officer').selectOption(who.officer.user.id);
    await page.locator('#handover-submit').click();
    const dialog = page.getByRole('dialog', { name: en['rel.handover.confirm.title'] });
    await dialog.waitFor();
    const what = await dialog.textContent();
    assert.ok(what.includes(fill(en['rel.handover.what.unit'], { unit: 'Osh City Office' })), what);
    assert.ok(what.includes(fill(en['rel.handover.what.actions.one'], { n: 1 })), what);
    assert.ok(what.includes(fill(en['rel.handover.what.appointment'], { at: '' }).trim().slice(0, 20)), what);
    await dialog.getByRole('button', { name: en['rel.handover.confirm'], exact: true }).click();
    await page.locator('#rel-done').waitFor();
    assert.match(await page.locator('#rel-done').textContent(), /handed over to Osh City Office; 1 action joined/);
    await page.locator('a.rel-to-case').click();
    await page.waitForURL(new RegExp(`/cases/${data.case.id}$`));
    const plan = page.locator('#plan');
    await plan.getByText('Find a hostel place as a fallback').first().waitFor();
    // The release plan card shows the plan as handed over.
    await page.locator('#release-plan .rel-plan-status[data-status="handed_over"]').waitFor();
    assert.deepEqual(problems, []);
  });

  test('a reintegration need is added on the case page and marked done with how it ended', async (t) => {
    const { page, problems } = await open(t, 'officer');
    await page.goto(`${server.url}/cases/${data.case.id}`);
    const card = page.locator('#reintegration');
    await card.locator('#needs-none').waitFor();
    await card.locator('#need-add').click();
    await card.locator('#need-new-area').selectOption('housing');
    await card.locator('#need-new-description').fill('A room of his own within three months');
    await card.locator('#need-new-agency').selectOption(data.probation.id);
    await card.locator('#need-new-due').fill(addDays(today(), 30));
    await card.locator('#need-new-submit').click();
    await card.locator('#needs-done').getByText(en['rel.need.added']).waitFor();
    const row = card.locator('#needs-table tr[data-area="housing"]');
    await row.waitFor();
    assert.equal(await row.getAttribute('data-status'), 'open');
    await row.locator('button[id^="need-change-"]').click();
    await card.locator('#need-edit-status').selectOption('done');
    // Done needs an outcome note (checked before sending).
    await card.locator('#need-edit-submit').click();
    await card.locator('#need-edit-outcome-error').waitFor();
    await card.locator('#need-edit-outcome').fill('Rents a room from a relative');
    await card.locator('#need-edit-submit').click();
    await card.locator('#needs-done').getByText(en['rel.need.changed']).waitFor();
    await card.locator('#needs-table tr[data-area="housing"][data-status="done"]').waitFor();
    assert.match(await card.locator('#needs-table tr[data-area="housing"]').textContent(), /Rents a room from a relative/);
    assert.deepEqual(problems, []);
  });

  test('the family section records a returnee child with a child-protection referral, restricted; the flags show', async (t) => {
    const { page, problems } = await open(t, 'officer');
    await page.goto(`${server.url}/people/${data.person.id}`);
    await page.locator('#person-tp-show').click();
    await page.locator('#person-tp-add').click();
    await page.locator('#tp-new-relationship').selectOption('child');
    await page.locator('#tp-new-full_name').fill('Эргешова Айпери');
    await page.locator('#tp-new-returnee').check();
    await page.locator('#tp-new-returned_from').selectOption('SY');
    await page.locator('#tp-new-restricted').check();
    await page.locator('#tp-new-child_protection').check();
    await page.locator('#tp-new-child_protection_on').fill(today());
    await page.locator('#tp-new-child_protection_note').fill('Referred for school enrolment and counselling');
    await page.locator('#tp-new button[type="submit"], form.add-form button[type="submit"]').first().click();
    const flags = page.locator('.table-third-parties .tp-family');
    await flags.waitFor();
    await flags.locator('.tp-child-protection').getByText(en['rel.family.cp.flag']).waitFor();
    await flags.locator('.tp-restricted').waitFor();
    await flags.locator('.tp-returnee').getByText(fill(en['rel.family.returnee.from'], { country: new Intl.DisplayNames(['en-GB'], { type: 'region' }).of('SY') })).waitFor();
    assert.deepEqual(problems, []);
  });
});
