// Browser tests of programmes and referrals (issue 9), with the narrow UI of a partner organisation:
// an officer refers a case to a programme from the case page sharing only the name and the phone; the
// partner's user logs in, sees a navigation of the dashboard and Programmes only (and "no access" when
// typing a staff address), opens the referral from the dashboard, sees the name and the phone and not the
// birth date, the address or a link to the case, accepts and enrols it, records the attendance of a
// session and a progress note; the officer then sees the status and the attendance on the case page and
// the note on the referral. The status labels come from the status table in the UI language. The pages
// fit a 360 px wide screen, and no page logs a console error.
//
// One server (SQLite by default) and one Chromium for the file; the accounts are made over the API.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, openPage, shotsDir } from '../lib/browser.mjs';
import { createAdmin, firstLogin } from '../lib/identity.mjs';
import { root, startServer } from '../lib/server.mjs';

const uiDir = process.env.KADAM_UI_DIR || join(root, 'web/dist');
const load = (lang) => Object.assign({}, ...['', '.cases', '.programmes'].map((part) =>
  JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}${part}.json`), 'utf8'))));
const en = load('en');
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (_, k) => String(params[k]));

const PHONE = '+996 555 765 432';
const ADDRESS = 'Бишкек, ул. Ахунбаева 77';
const BIRTH = '1988-11-23';
const NOTE = 'Came to every session this week and took part in the workshop.';

let server;
let browser;
let shots;
const who = {}; // admin, officer, partner: { client, user }
const data = {}; // case, partner, programme, referral

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
  const created = createAdmin(server.db, 'prog-admin', 'Programme Admin');
  who.admin = { client: (await firstLogin(server.url, created.login, created.password)).client };
  const admin = who.admin.client;
  const agency = await admin.expect(201, 'POST', '/api/v1/agencies', { name: 'Programme Probation (e2e)', kind: 'probation' });
  const unit = await admin.expect(201, 'POST', '/api/v1/units', { agency_id: agency.id, name: 'Office P' });
  data.partner = await admin.expect(201, 'POST', '/api/v1/partners', {
    name: 'Trades Centre (e2e)', partner_kind: 'ngo', contact_name: 'Aida Contact', phone: '+996 312 111111',
  });
  for (const [key, login, roles, agencyId, unitId, name] of [
    ['officer', 'officer.prog', ['probation_officer'], agency.id, unit.id, 'Aibek Officer'],
    ['partner', 'partner.prog', ['partner'], data.partner.id, null, 'Nurgul Provider'],
  ]) {
    const body = { login, display_name: name, agency_id: agencyId, roles, preferred_language: 'en' };
    if (unitId) body.unit_id = unitId;
    const r = await admin.expect(201, 'POST', '/api/v1/users', body);
    who[key] = { client: (await firstLogin(server.url, login, r.one_time_password)).client, user: r.user };
  }
  data.programme = await admin.expect(201, 'POST', '/api/v1/programmes', {
    name: 'Welding for work', type: 'vocational_training', provider_agency_id: data.partner.id, places: 6,
    schedule: 'Tuesdays and Thursdays 14:00-16:00, 12 weeks', languages: ['ky', 'ru'], eligibility: 'Adults under supervision',
  });
  const officer = who.officer.client;
  const person = await officer.expect(201, 'POST', '/api/v1/people', {
    surname: 'Токтогулов', given_name: 'Эрлан', surname_latin: 'Toktogulov', given_name_latin: 'Erlan',
    birth_date: BIRTH, sex: 'male', languages: ['ky'], preferred_language: 'ky', confirm_not_duplicate: true,
    phones: [{ number: PHONE, label: 'mobile' }],
    addresses: [{ kind: 'actual', address: ADDRESS, valid_from: '2024-01-01' }],
  });
  data.case = await officer.expect(201, 'POST', '/api/v1/cases', {
    person_id: person.id, kind: 'executive', officer_id: who.officer.user.id, opened_on: addDays(today(), -40),
    open_reason: 'Suspended sentence to supervise',
  });
});

after(async () => {
  await browser?.close();
  const r = await server?.stop();
  if (r && r.code !== 0 && r.code !== null) console.error(server.logs());
  if (shots) console.log(`# screenshots in ${shots}`);
});

function open(t, as, options = {}) {
  return openPage(browser, t, { storedLang: 'en', cookies: [who[as].client.browserCookie()], ...options });
}

const h1 = (page) => page.locator('#main h1');
const nav = (page) => page.locator('#primary-nav a').allTextContents();
const fitsWidth = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);

async function openCase(page) {
  await page.goto(`${server.url}/cases/${data.case.id}`);
  await h1(page).filter({ hasText: fill(en['cases.case.title'], { number: data.case.number }) }).waitFor();
  await page.locator('#referrals').getByRole('heading', { name: en['ref.card.title'], exact: true }).waitFor();
}

describe('programmes and referrals', () => {
  test('an officer refers the case to a programme, sharing only the name and the phone', async (t) => {
    const { page, problems } = await open(t, 'officer');
    await openCase(page);
    const card = page.locator('#referrals');
    await card.locator('#referrals-none').waitFor();
    await card.locator('#referral-new').click();
    const form = card.locator('#refer-form');
    await form.waitFor();
    // The picker says type, provider, languages, free places and the waiting list.
    const option = form.locator(`#refer-programme option[value="${data.programme.id}"]`);
    const label = await option.textContent();
    for (const part of ['Welding for work', en['prog.type.vocational_training'], 'Trades Centre (e2e)', en['prog.lang.ky']]) {
      assert.ok(label.includes(part), `${part} in "${label}"`);
    }
    assert.ok(label.includes('6 of 6 free, 0 waiting'), `free places and the waiting list in "${label}"`);
    // Sending it empty names the missing fields, nothing is made.
    await form.locator('#refer-submit').click();
    await form.locator('.form-error').waitFor();
    assert.match(await form.locator('.form-error').textContent(), new RegExp(en['ref.pick.choose']));
    await form.locator('#refer-programme').selectOption(data.programme.id);
    await form.locator('#refer-reason').fill('Needs a trade to find work after the sentence.');
    // Every field says what the provider will see.
    assert.ok((await form.locator('#refer-fields').textContent()).includes(en['ref.field.about.address']));
    await form.locator('#refer-fields-name').check();
    await form.locator('#refer-fields-phone').check();
    await form.locator('#refer-until').fill(addDays(today(), 60));
    await form.locator('#refer-submit').click();
    await card.locator('#referrals-done').waitFor();
    // The list is read again after the referral is made.
    const row = card.locator('#referrals-table tbody tr');
    await row.first().waitFor();
    assert.equal(await row.count(), 1);
    assert.equal(await row.getAttribute('data-status'), 'referred');
    assert.ok((await row.textContent()).includes('Referred'), 'the status label comes from the status table');
    data.referral = await row.getAttribute('data-id');
    const api = await who.officer.client.expect(200, 'GET', `/api/v1/referrals/${data.referral}`);
    assert.deepEqual([...api.shared_fields].sort(), ['name', 'phone']);
    assert.equal(api.share_until, addDays(today(), 60));
    assert.deepEqual(problems, []);
  });

  test('the partner sees the narrow UI and only what is shared, accepts, enrols, records attendance and a note', async (t) => {
    assert.ok(data.referral, 'the referral of the first test');
    const { page, problems } = await open(t, 'partner');
    await page.goto(`${server.url}/`);
    await h1(page).filter({ hasText: en['dashboard.welcome'] }).waitFor();
    assert.deepEqual(await nav(page), [en['section.dashboard'], en['section.programmes']]);
    // Every section link on the dashboard opens (none ends in "no access").
    const cards = await page.locator('.section-card').evaluateAll((els) => els.map((a) => a.getAttribute('href')));
    assert.deepEqual(cards, ['/programmes']);
    // No server details for a partner, and the tile in its own words.
    assert.equal(await page.locator('#status-heading').count(), 0);
    await page.locator('.section-card', { hasText: en['about.programmes.partner'] }).waitFor();
    // A referral not shared (here: no such referral) says so plainly, with the way back and no retry.
    await page.goto(`${server.url}/referrals/00000000-0000-4000-8000-000000000000`);
    await page.locator('#referral-gone').filter({ hasText: en['ref.gone.partner'] }).waitFor();
    assert.equal(await page.getByRole('button', { name: en['status.retry'] }).count(), 0);
    await page.locator('#main a[href="/referrals"]').filter({ hasText: en['ref.gone.back'] }).waitFor();
    await page.goto(`${server.url}/`);
    const mine = page.locator('#partner-referrals');
    await mine.getByRole('heading', { name: en['ref.list.partner'], exact: true }).waitFor();
    await mine.locator(`tr[data-id="${data.referral}"] a`).click();
    await page.waitForURL(`${server.url}/referrals/${data.referral}`);
    await h1(page).filter({ hasText: fill(en['ref.title'], { programme: 'Welding for work' }) }).waitFor();
    const person = page.locator('#referral-person');
    await person.waitFor();
    const fields = await person.locator('[data-field]').evaluateAll((els) => els.map((e) => e.getAttribute('data-field')));
    assert.deepEqual(fields, ['case_number', 'name', 'phone']);
    const text = await page.locator('#main').textContent();
    assert.ok(text.includes('Токтогулов Эрлан'), 'the name is shared');
    assert.ok(text.includes(PHONE), 'the phone is shared');
    assert.ok(!text.includes('1988') && !text.includes('23/11/1988'), 'no birth date');
    assert.ok(!text.includes('Ахунбаева'), 'no address');
    assert.equal(await page.locator('#main a[href^="/cases/"]').count(), 0, 'no link to the case');
    assert.equal(await page.locator('#referral-share').count(), 0, 'the share is the staff\'s to change');
    // The stepper marks the current status.
    assert.equal(await page.locator('.prog-stepper [aria-current="step"]').getAttribute('data-status'), 'referred');

    // Accept, then enrol.
    await page.locator('#move-accepted').click();
    await page.locator('#referral-move-form').waitFor();
    await page.locator('#move-submit').click();
    await page.locator('#referral-done').filter({ hasText: fill(en['ref.moved'], { status: 'Accepted' }) }).waitFor();
    await page.locator('.prog-stepper [aria-current="step"][data-status="accepted"]').waitFor();
    // Declining would need a reason from the reasons table: none is offered now (accepted → declined is no move).
    assert.equal(await page.locator('#move-declined').count(), 0);
    await page.locator('#move-enrolled').click();
    await page.locator('#move-submit').click();
    await page.locator('#referral-done').filter({ hasText: fill(en['ref.moved'], { status: 'Enrolled' }) }).waitFor();

    // The attendance register of the programme.
    await page.locator('#main').getByRole('link', { name: 'Welding for work', exact: true }).click();
    await h1(page).filter({ hasText: 'Welding for work' }).waitFor();
    const register = page.locator('#attendance');
    await register.waitFor();
    assert.equal(await register.locator('#attendance-on').inputValue(), today());
    // Absent without a reason is refused before sending.
    await register.locator('#att-0-absent').check();
    await register.locator('#attendance-save').click();
    await register.locator('.form-error').waitFor();
    // The summary names the person, not a field key.
    const summary = await register.locator('.form-error').textContent();
    assert.ok(!summary.includes('reason-'), `no raw field key: ${summary}`);
    await register.locator('#att-0-present').check();
    await register.locator('#attendance-save').click();
    await register.locator('#attendance-done').waitFor();
    // After saving, no error is left beside the success, and the date is not ISO.
    assert.equal(await register.locator('.form-error').count(), 0);
    assert.ok(!(await register.locator('#attendance-done').textContent()).includes(today()));
    await page.locator('#prog-enrolled').filter({ hasText: fill(en['prog.attendance.line'], { present: 1, late: 0, absent: 0 }) }).waitFor();

    // A progress note on the referral.
    await page.goto(`${server.url}/referrals/${data.referral}`);
    const notes = page.locator('#referral-notes');
    await notes.locator('#note-text').waitFor();
    await notes.locator('#note-text').fill(NOTE);
    await notes.locator('#note-submit').click();
    await notes.locator('.prog-notes').filter({ hasText: NOTE }).waitFor();
    await page.locator('#referral-attendance').filter({ hasText: en['prog.att.present'] }).waitFor();

    // A staff address typed in leads to "no access".
    for (const path of ['/people', `/cases/${data.case.id}`, '/supervision']) {
      await page.goto(`${server.url}${path}`);
      await h1(page).filter({ hasText: en['forbidden.title'] }).waitFor();
    }
    assert.deepEqual(problems, []);
  });

  test('the officer sees the status and the attendance on the case page, and the note on the referral', async (t) => {
    assert.ok(data.referral);
    const { page, problems } = await open(t, 'officer');
    await openCase(page);
    const row = page.locator(`#referrals-table tr[data-id="${data.referral}"]`);
    await row.waitFor();
    assert.equal(await row.getAttribute('data-status'), 'enrolled');
    assert.ok((await row.textContent()).includes('Enrolled'));
    await row.locator('.referral-attendance').filter({ hasText: fill(en['prog.attendance.line'], { present: 1, late: 0, absent: 0 }) }).waitFor();
    await row.locator('a').click();
    await page.waitForURL(`${server.url}/referrals/${data.referral}`);
    await page.locator('#referral-notes').filter({ hasText: NOTE }).waitFor();
    // Staff see the share and may change it; the case is one link away.
    await page.locator('#referral-share').waitFor();
    assert.equal(await page.locator(`#referral-case a[href="/cases/${data.case.id}"]`).count(), 1);
    // The officer may withdraw (with a reason from the reasons table).
    await page.locator('#move-withdrawn').click();
    const reasons = await page.locator('#move-reason option').allTextContents();
    for (const r of ['Motivation', 'Operational reasons', 'Personal reasons']) assert.ok(reasons.includes(r), `${r} in ${reasons}`);
    assert.deepEqual(problems, []);
  });

  test('an administrator registers a partner organisation and adds a programme it provides', async (t) => {
    const { page, problems } = await open(t, 'admin');
    await page.goto(`${server.url}/admin/partners`);
    await h1(page).filter({ hasText: en['admin.partners'] }).waitFor();
    await page.locator(`#partners-table tr[data-id="${data.partner.id}"]`).waitFor();
    await page.locator('#partner-new').click();
    // Checked before sending: the name and kind are required, the e-mail must look like one.
    await page.locator('#partner-new-email').fill('not-an-address');
    await page.locator('#partner-new-submit').click();
    const local = page.locator('.form-error');
    await local.filter({ hasText: en['partner.kind.choose'] }).waitFor();
    assert.ok((await local.textContent()).includes(en['partner.email.invalid']));
    await page.locator('#partner-new-email').fill('');
    await page.locator('#partner-new-name').fill('Family Centre (e2e)');
    await page.locator('#partner-new-partner_kind').selectOption('health_service');
    await page.locator('#partner-new-contact_name').fill('Dinara Contact');
    await page.locator('#partner-new-submit').click();
    await page.locator('#partner-notice').filter({ hasText: fill(en['partner.created'], { name: 'Family Centre (e2e)' }) }).waitFor();
    const row = page.locator('#partners-table tr', { hasText: 'Family Centre (e2e)' });
    assert.ok((await row.textContent()).includes(en['partner.kind.health_service']));
    // The same name again is refused, saying why.
    await page.locator('#partner-new').click();
    await page.locator('#partner-new-name').fill('Family Centre (e2e)');
    await page.locator('#partner-new-partner_kind').selectOption('ngo');
    await page.locator('#partner-new-submit').click();
    await page.locator('.form-error').filter({ hasText: en['partner.name_taken'] }).waitFor();
    // The Name field is the one marked.
    assert.equal(await page.locator('#partner-new-name').getAttribute('aria-invalid'), 'true');
    await page.getByRole('button', { name: en['action.cancel'], exact: true }).click();
    // Change it: the kind.
    await row.getByRole('button').click();
    await page.locator('#partner-edit-partner_kind').selectOption('psychologist');
    await page.locator('#partner-edit-submit').click();
    await page.locator('#partner-notice').filter({ hasText: fill(en['partner.saved'], { name: 'Family Centre (e2e)' }) }).waitFor();
    await page.locator('#partners-table tr', { hasText: 'Family Centre (e2e)' }).filter({ hasText: en['partner.kind.psychologist'] }).waitFor();

    // A programme it provides, from the catalogue.
    await page.goto(`${server.url}/programmes`);
    await h1(page).filter({ hasText: en['section.programmes'] }).waitFor();
    await page.locator('#main').getByRole('link', { name: en['prog.new'], exact: true }).click();
    await h1(page).filter({ hasText: en['prog.new'] }).waitFor();
    await page.locator('#prog-save').click();
    await page.locator('.form-error').waitFor();
    await page.locator('#prog-f-name').fill('Parenting after return');
    await page.locator('#prog-f-type').selectOption('family_support');
    await page.locator('#prog-f-provider').selectOption({ label: 'Family Centre (e2e)' });
    await page.locator('#prog-f-places').fill('8');
    await page.locator('#prog-f-schedule').fill('Mondays 10:00-12:00, 8 weeks');
    await page.locator('#prog-f-languages-ky').check();
    await page.locator('#prog-f-eligibility').fill('Parents under supervision');
    await page.locator('#prog-save').click();
    await page.waitForURL(/\/programmes\/[0-9a-f-]+$/);
    await h1(page).filter({ hasText: 'Parenting after return' }).waitFor();
    assert.ok((await page.locator('#prog-places').textContent()).includes(fill(en['prog.places.free'], { free: 8, places: 8 })));
    // The catalogue filtered by type holds it, and not the welding course.
    await page.goto(`${server.url}/programmes?type=family_support`);
    await page.locator('#prog-list').filter({ hasText: 'Parenting after return' }).waitFor();
    assert.equal(await page.locator('#prog-list').filter({ hasText: 'Welding for work' }).count(), 0);
    assert.deepEqual(problems, []);
  });

  test('at 360 px the pages fit, in Russian the status labels come from the status table', async (t) => {
    assert.ok(data.referral);
    const small = { viewport: { width: 360, height: 740 } };
    const partner = await open(t, 'partner', { ...small, storedLang: 'ru' });
    await partner.page.goto(`${server.url}/referrals/${data.referral}`);
    await partner.page.locator('#referral-person').waitFor();
    assert.equal((await partner.page.locator('#ref-status-title .badge').textContent()).trim(), 'Участвует');
    assert.ok(await fitsWidth(partner.page), 'the referral fits 360 px');
    await partner.page.screenshot({ path: join(shots, 'referral-partner-360.png'), fullPage: true });
    await partner.page.goto(`${server.url}/programmes/${data.programme.id}`);
    await partner.page.locator('#attendance').waitFor();
    assert.ok(await fitsWidth(partner.page), 'the programme fits 360 px');
    await partner.page.goto(`${server.url}/`);
    await partner.page.locator('#partner-referrals').waitFor();
    assert.ok(await fitsWidth(partner.page), 'the dashboard fits 360 px');
    assert.deepEqual(partner.problems, []);

    const officer = await open(t, 'officer', small);
    await officer.page.goto(`${server.url}/cases/${data.case.id}`);
    await officer.page.locator('#referrals-table').waitFor();
    assert.ok(await fitsWidth(officer.page), 'the case page fits 360 px');
    await officer.page.goto(`${server.url}/programmes`);
    await officer.page.locator('#prog-list').waitFor();
    assert.ok(await fitsWidth(officer.page), 'the catalogue fits 360 px');
    assert.deepEqual(officer.problems, []);
  });
});
