// Browser tests of access to other units (S16, S17, S21): a probation officer refused another
// unit's staff and the refusal found by an auditor in the processing log; break-glass access and
// the notification it sends to the unit's head; a unit head sharing a unit for a time and revoking
// it; which navigation each role gets.
//
// One server and one Chromium for the file. The organisation (an agency, units A and B with B1
// below B, and the accounts) is prepared over the API by an administrator; the people under
// test log in through the UI where the story says so, else their API session's cookie is handed
// to a fresh browser context. TOTP codes are single-use per 30-second step (tests/lib/totp.mjs
// waits for a fresh step when an account logs in twice within one).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAPTOP, TABLET, launch, lowContrast, openPage, shotsDir } from '../lib/browser.mjs';
import { createAdmin, firstLogin } from '../lib/identity.mjs';
import { root, startServer } from '../lib/server.mjs';
import { freshTotp } from '../lib/totp.mjs';

const en = JSON.parse(readFileSync(join(root, 'web/src/i18n/en.json'), 'utf8'));
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (_, k) => String(params[k]));

let server;
let browser;
let shots;
let admin; // firstLogin() result of the administrator
let system; // GET /api/v1/system
const org = {}; // agency, unitA, unitB, unitB1
const people = {}; // officer, officer2, head, auditor: firstLogin() results plus { login, name, user }

/** An account in a unit (or none), through its first login; resolves like firstLogin() plus { login, name, user }. */
async function member(login, name, role, unitId) {
  const body = { login, display_name: name, agency_id: org.agency.id, roles: [role], preferred_language: 'en' };
  if (unitId) body.unit_id = unitId;
  const created = await admin.client.expect(201, 'POST', '/api/v1/users', body);
  const first = await firstLogin(server.url, login, created.one_time_password);
  return { ...first, login, name, user: created.user };
}

before(async () => {
  assert.ok(existsSync(join(root, 'web/dist/index.html')), 'web/dist is missing: run `npm run build` first');
  server = await startServer();
  browser = await launch();
  shots = shotsDir();
  const created = createAdmin(server.db, 'root-admin', 'Root Admin');
  admin = await firstLogin(server.url, created.login, created.password);
  system = await admin.client.expect(200, 'GET', '/api/v1/system');
  org.agency = await admin.client.expect(201, 'POST', '/api/v1/agencies', { name: 'Chui Probation', kind: 'probation' });
  org.unitA = await admin.client.expect(201, 'POST', '/api/v1/units', { agency_id: org.agency.id, name: 'Alamedin Office' });
  org.unitB = await admin.client.expect(201, 'POST', '/api/v1/units', { agency_id: org.agency.id, name: 'Bishkek City Office' });
  org.unitB1 = await admin.client.expect(201, 'POST', '/api/v1/units',
    { agency_id: org.agency.id, parent_id: org.unitB.id, name: 'Bishkek Lenin District' });
  people.officer = await member('officer-a', 'Aibek Officer', 'probation_officer', org.unitA.id);
  people.officer2 = await member('officer-a2', 'Nurlan Second', 'probation_officer', org.unitA.id);
  people.head = await member('head-b', 'Saltanat Head', 'unit_head', org.unitB.id);
  people.auditor = await member('auditor-x', 'Dinara Auditor', 'auditor', null);
});

after(async () => {
  await browser?.close();
  const r = await server?.stop();
  if (r && r.code !== 0 && r.code !== null) console.error(server.logs());
  if (shots) console.log(`# screenshots in ${shots}`);
});

function open(t, options = {}) {
  return openPage(browser, t, { storedLang: 'en', ...options });
}

const h1 = (page) => page.locator('#main h1');
const nav = (page) => page.locator('#primary-nav a').allTextContents();
const overflows = (page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

/**
 * Screenshots at laptop and tablet size; at both, the contrast check and no sideways scrolling.
 * A modal dialog's backdrop covers the window only, so with one open the window is shot, not the page.
 */
async function shootBoth(page, name, { fullPage = true } = {}) {
  const before = page.viewportSize();
  for (const [size, viewport] of [['laptop', LAPTOP], ['tablet', TABLET]]) {
    await page.setViewportSize(viewport);
    assert.deepEqual(await lowContrast(page), [], `${name}: text contrast below 4.5:1 (${size})`);
    assert.equal(await overflows(page), false, `${name}: the page scrolls sideways (${size})`);
    await page.screenshot({ path: join(shots, `${name}-${size}.png`), fullPage });
  }
  await page.setViewportSize(before);
}

/** Logs in through the login page with password and a TOTP code, and waits for the dashboard. */
async function uiLogin(page, who) {
  await page.goto(`${server.url}/login`);
  await page.getByLabel(en['login.login'], { exact: true }).fill(who.login);
  await page.getByLabel(en['login.password'], { exact: true }).fill(who.password);
  await page.getByRole('button', { name: en['login.submit'], exact: true }).click();
  await h1(page).filter({ hasText: en['totp.check.title'] }).waitFor();
  await page.getByLabel(en['totp.code'], { exact: true }).fill(await freshTotp(who.secret));
  await page.getByRole('button', { name: en['totp.check.submit'], exact: true }).click();
  await h1(page).filter({ hasText: en['dashboard.welcome'] }).waitFor();
}

/** On My unit: picks a unit under "Another unit's staff" and asks for its members. */
async function showOtherUnit(page, unit) {
  await page.locator('#other-unit').selectOption(unit.id);
  await page.getByRole('region', { name: en['myunit.other.title'] })
    .getByRole('button', { name: en['units.members.show'], exact: true }).click();
}

/** HH:MM of an instant in the deployment's time zone. */
function hhmm(iso) {
  return new Intl.DateTimeFormat('en-GB', { timeZone: system.timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(new Date(iso));
}

describe('access to other units', () => {
  test('navigation: Administration only for administering roles; My unit for unit staff', async (t) => {
    const cases = [
      [people.officer.client, { admin: false, unit: true }],
      [people.head.client, { admin: false, unit: true }],
      [people.auditor.client, { admin: true, unit: false }],
      [admin.client, { admin: true, unit: false }],
    ];
    for (const [client, want] of cases) {
      const { page, problems } = await open(t, { cookies: [client.browserCookie()] });
      await page.goto(`${server.url}/`);
      await h1(page).filter({ hasText: en['dashboard.welcome'] }).waitFor();
      const labels = await nav(page);
      assert.equal(labels.includes(en['section.admin']), want.admin, `Administration ${want.admin ? 'shown' : 'hidden'}: ${labels}`);
      assert.equal(labels.includes(en['section.unit']), want.unit, `My unit ${want.unit ? 'shown' : 'hidden'}: ${labels}`);
      if (!want.admin) {
        // Typing the address leads to "no access", not to the page (a probation officer has agencies.read and units.read).
        for (const path of ['/admin', '/admin/units']) {
          await page.goto(`${server.url}${path}`);
          await h1(page).filter({ hasText: en['forbidden.title'] }).waitFor();
        }
      }
      if (!want.unit) {
        await page.goto(`${server.url}/unit`);
        await h1(page).filter({ hasText: en['forbidden.title'] }).waitFor();
      }
      assert.deepEqual(problems, []);
      await page.context().close();
    }
  });

  test('the Units administration page refuses another unit the same way, with break-glass offered', async (t) => {
    // An administrator who is also a probation officer in unit A: Administration, and members of units.
    const both = await member('admin-officer', 'Gulzat Both', 'administrator', org.unitA.id);
    const current = await admin.client.call('GET', `/api/v1/users/${both.user.id}`);
    await admin.client.expect(200, 'PUT', `/api/v1/users/${both.user.id}`, {
      display_name: both.name, agency_id: org.agency.id, unit_id: org.unitA.id, roles: ['administrator', 'probation_officer'],
      preferred_language: 'en',
    }, { 'If-Match': current.headers.get('etag') });
    const { page, problems } = await open(t, { cookies: [both.client.browserCookie()] });
    await page.goto(`${server.url}/admin/units`);
    await h1(page).filter({ hasText: en['admin.units'] }).waitFor();
    await page.getByRole('button', { name: `${en['units.members']}: ${org.unitB1.name}` }).click();
    const refusal = page.getByRole('alert').filter({ hasText: en['units.members.refused'] });
    await refusal.waitFor();
    await refusal.getByRole('button', { name: en['glass.button'], exact: true }).click();
    await page.getByRole('dialog', { name: fill(en['glass.title'], { name: org.unitB1.name }) }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate((id) => document.activeElement?.id, null), 'members-glass', 'focus is back on the button');
    assert.deepEqual(problems, []);
  });

  test("acceptance: an officer is refused another unit's staff, and an auditor finds the refusal in the log", async (t) => {
    const { officer, auditor } = people;
    const { page, problems } = await open(t);
    await uiLogin(page, officer);
    await page.getByRole('link', { name: en['section.unit'], exact: true }).click();
    await h1(page).filter({ hasText: en['section.unit'] }).waitFor();
    // The own unit's staff, without being asked anything.
    const own = page.getByRole('region', { name: fill(en['myunit.members'], { name: org.unitA.name }) });
    await own.getByRole('rowheader', { name: officer.name }).waitFor();
    await own.getByRole('rowheader', { name: people.officer2.name }).waitFor();
    const options = await page.locator('#other-unit option').allTextContents();
    assert.ok(options.some((o) => o.includes(org.unitB.name)), `unit B is offered: ${options}`);
    assert.ok(!options.some((o) => o.trim() === org.unitA.name), 'not the own unit');

    await showOtherUnit(page, org.unitB);
    const refusal = page.getByRole('alert').filter({ hasText: en['units.members.refused'] });
    await refusal.waitFor();
    assert.equal(await page.locator('#other-members-heading').evaluate((el) => el === document.activeElement), true,
      'focus moves to the panel');
    assert.equal(await refusal.getByRole('button', { name: en['glass.button'], exact: true }).count(), 1,
      'a holder of break_glass is offered emergency access');
    await shootBoth(page, 'unit-refused');
    assert.deepEqual(problems, []);

    // The auditor, logging in through the UI, finds the refusal in the processing log.
    const second = await open(t);
    const log = second.page;
    await uiLogin(log, auditor);
    await log.getByRole('link', { name: en['section.audit'], exact: true }).click();
    await h1(log).filter({ hasText: en['section.audit'] }).waitFor();
    await log.getByLabel(en['audit.actor'], { exact: true }).fill(officer.login);
    await log.getByLabel(en['audit.action'], { exact: true }).selectOption('access.denied');
    await log.getByRole('button', { name: en['action.search'], exact: true }).click();
    const row = log.locator('table.table-log tbody tr').filter({ hasText: org.unitB.id });
    await row.first().waitFor();
    const text = await row.first().textContent();
    assert.ok(text.includes('access.denied') && text.includes(officer.login) && text.includes(en['log.outcome.denied']), text);
    assert.equal(await log.locator('table.table-log tbody tr').count(), 1, 'exactly one refusal for this officer');
    await log.locator('#verify-result').waitFor();
    assert.equal((await log.locator('#verify-result').textContent()).trim(), en['audit.verify.ok']);
    assert.equal(await log.locator('.verify').evaluate((el) => el.classList.contains('verify-ok')), true);
    assert.deepEqual(second.problems, []);
  });

  test("break-glass: the officer takes emergency access to unit B and sees its staff; B's head is notified", async (t) => {
    const { officer, head } = people;
    const { page, problems } = await open(t, { cookies: [officer.client.browserCookie()] });
    await page.goto(`${server.url}/unit`);
    await h1(page).filter({ hasText: en['section.unit'] }).waitFor();
    await showOtherUnit(page, org.unitB);
    await page.getByRole('button', { name: en['glass.button'], exact: true }).click();

    const dialog = page.getByRole('dialog', { name: fill(en['glass.title'], { name: org.unitB.name }) });
    await dialog.waitFor();
    const said = await dialog.textContent();
    for (const key of ['glass.warning.title', 'glass.warning.emergency', 'glass.warning.notified', 'glass.warning.logged']) {
      assert.ok(said.includes(en[key]), `the warning says: ${en[key]}`);
    }
    const why = dialog.getByLabel(en['glass.justification'], { exact: true });
    assert.equal(await why.evaluate((el) => el === document.activeElement), true, 'focus starts in the reason');
    const minutes = dialog.getByLabel(en['glass.minutes'], { exact: true });
    assert.deepEqual(await minutes.locator('option').evaluateAll((os) => os.map((o) => o.value)), ['15', '30', '60', '120', '240']);

    // Too short a reason is caught in the page; the counter counts.
    await why.fill('Urgent, sorry');
    assert.equal((await dialog.locator('#other-members-glass-justification-count').textContent()).trim(),
      fill(en['form.count'], { n: 13, max: 1000 }));
    await dialog.getByRole('button', { name: en['glass.submit'], exact: true }).click();
    await dialog.locator('#other-members-glass-justification-error').filter({ hasText: en['glass.justification.length'] }).waitFor();
    assert.equal(await why.getAttribute('aria-invalid'), 'true');

    const reason = 'Подопечный из Бишкека задержан ночью в Аламедине, нужен контакт его куратора';
    await why.fill(reason);
    await minutes.selectOption('30');
    await shootBoth(page, 'unit-break-glass-dialog', { fullPage: false });
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/break-glass'));
    await dialog.getByRole('button', { name: en['glass.submit'], exact: true }).click();
    const grant = await (await answered).json();
    assert.equal(grant.notified, 1, 'the head of B was told');

    // Until when, in the deployment's time zone; then B's staff.
    const granted = page.getByRole('status').filter({ hasText: en['glass.granted'].split('{unit}')[0] });
    await granted.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'other-members-granted', 'focus goes to the outcome');
    const until = await granted.textContent();
    assert.ok(until.includes(org.unitB.name) && until.includes(hhmm(grant.expires_at)),
      `until ${hhmm(grant.expires_at)} (${system.timezone}): ${until}`);
    const panel = page.getByRole('region', { name: fill(en['units.members_of'], { name: org.unitB.name }) });
    await panel.getByRole('rowheader', { name: head.name }).waitFor();
    await shootBoth(page, 'unit-break-glass-done');
    assert.deepEqual(problems, []);

    const log = await admin.client.expect(200, 'GET', `/api/v1/audit?action=access.break_glass&record_id=${org.unitB.id}`);
    assert.ok(log.items.some((e) => e.actor_login === officer.login && e.justification === reason),
      `the reason is logged: ${JSON.stringify(log.items.map((e) => [e.actor_login, e.justification]))}`);

    // The head of B logs in and finds one unread notification naming the officer.
    const second = await open(t);
    const hp = second.page;
    await uiLogin(hp, head);
    const bell = hp.locator('#notifications-button');
    await hp.waitForFunction((label) => document.getElementById('notifications-button')?.getAttribute('aria-label') === label,
      fill(en['notif.button.unread'], { n: 1 }));
    assert.equal((await bell.locator('.bell-count').textContent()).trim(), '1');

    // Keyboard: Enter opens, Tab goes into the panel, Enter marks read, Escape closes.
    await bell.focus();
    await hp.keyboard.press('Enter');
    const box = hp.getByRole('region', { name: en['notif.title'] });
    await box.waitFor();
    assert.equal(await bell.getAttribute('aria-expanded'), 'true');
    const item = box.locator('li.notif').first();
    // The unit's name comes with the unit list, asked for when the panel opens.
    await item.getByText(fill(en['notif.unit'], { name: org.unitB.name })).waitFor();
    const itemText = await item.textContent();
    assert.ok(itemText.includes(officer.name) && itemText.includes(officer.login), `names the officer: ${itemText}`);
    assert.ok(itemText.includes(en['notif.kind.break_glass']) && itemText.includes(en['notif.new']), itemText);
    assert.ok(itemText.includes(fill(en['notif.unit'], { name: org.unitB.name })), `names the unit: ${itemText}`);
    await shootBoth(hp, 'notifications-panel');
    await hp.keyboard.press('Tab');
    assert.equal(await hp.evaluate(() => document.activeElement?.textContent?.startsWith('Mark read')), true,
      'Tab reaches "Mark read"');
    await hp.keyboard.press('Enter');
    await hp.waitForFunction((label) => document.getElementById('notifications-button')?.getAttribute('aria-label') === label,
      en['notif.button.none']);
    assert.equal(await bell.locator('.bell-count').count(), 0);
    assert.equal(await item.evaluate((el) => el.classList.contains('is-unread')), false);
    const mine = await head.client.expect(200, 'GET', '/api/v1/me/notifications');
    assert.equal(mine.unread, 0);
    assert.ok(mine.items[0].read_at, 'read on the server');
    await hp.keyboard.press('Escape');
    await hp.locator('#notifications-button[aria-expanded="false"]').waitFor();
    assert.equal(await hp.evaluate(() => document.activeElement?.id), 'notifications-button', 'focus is back on the bell');
    assert.equal(await box.isVisible(), false);
    assert.deepEqual(second.problems, []);
  });

  test('a unit head shares unit B with an officer of another unit for a time, then revokes it', async (t) => {
    const { head, officer, officer2 } = people;
    // Before: the second officer is refused B.
    assert.equal((await officer2.client.call('GET', `/api/v1/units/${org.unitB.id}/members`)).status, 403);
    const { page, problems } = await open(t, { cookies: [head.client.browserCookie()] });
    await page.goto(`${server.url}/unit`);
    await h1(page).filter({ hasText: en['section.unit'] }).waitFor();

    // The emergency access of the earlier test is listed.
    const grants = page.getByRole('region', { name: en['grants.title'] });
    const glassRow = grants.locator('tbody tr').filter({ hasText: en['grants.kind.break_glass'] });
    await glassRow.first().waitFor();
    const glassText = await glassRow.first().textContent();
    assert.ok(glassText.includes(officer.name) && glassText.includes(officer.login) && glassText.includes(en['grants.state.active']),
      glassText);

    // Unit A is not the head's: they state a purpose (a dialog) to see its staff.
    await showOtherUnit(page, org.unitA);
    const purpose = page.getByRole('dialog', { name: fill(en['units.purpose.title'], { name: org.unitA.name }) });
    await purpose.waitFor();
    await purpose.getByLabel(en['units.purpose'], { exact: true }).selectOption('supervision');
    await purpose.getByLabel(en['units.justification'], { exact: true }).fill('short');
    await purpose.getByRole('button', { name: en['units.members.show'], exact: true }).click();
    await purpose.locator('#other-members-justification-error').waitFor();
    await purpose.getByLabel(en['units.justification'], { exact: true }).fill('Choosing a stand-in for the Lenin district');
    await purpose.getByRole('button', { name: en['units.members.show'], exact: true }).click();
    const panel = page.getByRole('region', { name: fill(en['units.members_of'], { name: org.unitA.name }) });
    await panel.getByRole('rowheader', { name: officer2.name }).waitFor();

    // Share: the account comes from the staff seen on the page; the unit from B and below only.
    await grants.getByRole('button', { name: en['grants.share'], exact: true }).click();
    const form = page.getByRole('form', { name: en['grants.share'] });
    await form.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'share-account', 'focus starts in the form');
    const units = await form.locator('#share-unit option').allTextContents();
    assert.deepEqual(units.map((u) => u.trim()), [org.unitB.name, org.unitB1.name]);
    const accounts = await form.locator('#share-account option').allTextContents();
    assert.ok(accounts.includes(`${officer2.name} (${officer2.login})`), `offered: ${accounts}`);
    assert.ok(!accounts.some((a) => a.includes(head.login)), 'not oneself');

    await form.getByRole('button', { name: en['grants.share.submit'], exact: true }).click();
    await form.locator('#share-account-error').waitFor();
    await form.locator('#share-account').selectOption(officer2.user.id);
    await form.locator('#share-unit').selectOption(org.unitB.id);
    await form.getByLabel(en['units.purpose'], { exact: true }).selectOption('supervision');
    await form.getByLabel(en['units.justification'], { exact: true }).fill('Covers the Bishkek caseload during leave');
    await form.getByLabel(en['grants.hours'], { exact: true }).selectOption('8');
    await shootBoth(page, 'unit-share');
    await form.getByRole('button', { name: en['grants.share.submit'], exact: true }).click();
    await page.getByRole('status').filter({ hasText: officer2.name }).waitFor();
    const shareRow = grants.locator('tbody tr').filter({ hasText: en['grants.kind.share'] }).filter({ hasText: officer2.login });
    await shareRow.waitFor();
    const shareText = await shareRow.textContent();
    assert.ok(shareText.includes(org.unitB.name) && shareText.includes(en['purpose.supervision'])
      && shareText.includes('Covers the Bishkek caseload during leave') && shareText.includes(head.login), shareText);
    assert.equal((await officer2.client.call('GET', `/api/v1/units/${org.unitB.id}/members`)).status, 200, 'the share works');
    await shootBoth(page, 'unit');

    // Revoke, after a confirmation.
    await shareRow.getByRole('button', { name: new RegExp(`^${en['grants.revoke']}`) }).click();
    const confirm = page.getByRole('dialog', { name: fill(en['grants.revoke.title'], { name: officer2.name, unit: org.unitB.name }) });
    await confirm.waitFor();
    assert.ok((await confirm.textContent()).includes(en['grants.revoke.text']));
    await confirm.getByRole('button', { name: en['grants.revoke'], exact: true }).click();
    await page.getByRole('status').filter({ hasText: fill(en['grants.revoked'], { name: officer2.name, unit: org.unitB.name }) }).waitFor();
    await shareRow.filter({ hasText: en['grants.state.revoked'] }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'grants-heading', 'focus stays in the list, not lost');
    assert.equal(await shareRow.getByRole('button').count(), 0, 'nothing left to revoke');
    assert.equal((await officer2.client.call('GET', `/api/v1/units/${org.unitB.id}/members`)).status, 403, 'revoked at once');

    const log = await admin.client.expect(200, 'GET', '/api/v1/audit?record_type=access_grant');
    const actions = log.items.filter((e) => e.actor_login === head.login).map((e) => e.action);
    assert.ok(actions.includes('grant.create') && actions.includes('grant.revoke'), `logged: ${actions}`);
    assert.deepEqual(problems, []);
  });
});
