// Browser tests of accounts, login and administration: the first login of the first
// administrator through the UI (one-time password, own password, TOTP enrolment, recovery
// codes), logging out and in again, wrong passwords, creating a user, the processing log,
// navigation by permission, one's own sessions, and the profile language.
//
// One server and one Chromium for the file. Accounts other than the one under test are
// prepared over the API (tests/lib/identity.mjs) and their session cookie is handed to a
// fresh browser context. TOTP codes are computed from the enrolment secret as an
// authenticator app would (tests/lib/totp.mjs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAPTOP, TABLET, launch, lowContrast, openPage, shotsDir } from '../lib/browser.mjs';
import { Client, createAdmin, firstLogin, login as apiLogin, makeUser, strongPassword } from '../lib/identity.mjs';
import { root, startServer } from '../lib/server.mjs';
import { freshTotp, markTotpUsed, totp } from '../lib/totp.mjs';

const LANGS = ['ky', 'ru', 'en'];
const catalogue = Object.fromEntries(LANGS.map((lang) =>
  [lang, JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.json`), 'utf8'))]));
const en = catalogue.en;

let server;
let browser;
let shots;
// The administrator made by `kadam admin create`, logged in over the API (see the before hook).
let admin;

before(async () => {
  assert.ok(existsSync(join(root, 'web/dist/index.html')), 'web/dist is missing: run `npm run build` first');
  server = await startServer();
  browser = await launch();
  shots = shotsDir();
  const created = createAdmin(server.db, 'root-admin', 'Root Admin');
  admin = await firstLogin(server.url, created.login, created.password);
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

async function shoot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** Whether the page is wider than the window (a table must scroll inside its own box). */
const overflows = (page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

/** Screenshots at laptop and tablet size; at both, the contrast check and no sideways scrolling. */
async function shootBoth(page, name) {
  const before = page.viewportSize();
  for (const [size, viewport] of [['laptop', LAPTOP], ['tablet', TABLET]]) {
    await page.setViewportSize(viewport);
    assert.deepEqual(await lowContrast(page), [], `${name}: text contrast below 4.5:1 (${size})`);
    assert.equal(await overflows(page), false, `${name}: the page scrolls sideways (${size})`);
    await shoot(page, `${name}-${size}`);
  }
  await page.setViewportSize(before);
}

const h1 = (page) => page.locator('#main h1');
const alertText = (page) => page.getByRole('alert').first().textContent();
const nav = (page) => page.locator('#primary-nav a').allTextContents();

async function logOutThroughMenu(page) {
  await page.locator('#user-menu-button').click();
  await page.getByRole('button', { name: en['user.logout'], exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/login');
  await h1(page).filter({ hasText: en['login.title'] }).waitFor();
}

describe('first login of the first administrator, through the UI', () => {
  // Steps share the account: they run in order.
  let account; // { login, password, secret, recoveryCodes }

  test('one-time password → own password → TOTP enrolment → recovery codes → dashboard, by keyboard', async (t) => {
    const created = createAdmin(server.db, 'first-admin', 'Aigul First');
    const { page, problems } = await open(t);
    await page.goto(`${server.url}/admin/users`);
    await page.waitForURL((u) => u.pathname === '/login');
    assert.equal(new URL(page.url()).searchParams.get('next'), '/admin/users', 'the page first asked for is kept');
    await h1(page).filter({ hasText: en['login.title'] }).waitFor();

    // The form: labels, autocomplete, focus on the login field.
    const loginField = page.getByLabel(en['login.login'], { exact: true });
    const passwordField = page.getByLabel(en['login.password'], { exact: true });
    assert.equal(await loginField.getAttribute('autocomplete'), 'username');
    assert.equal(await passwordField.getAttribute('autocomplete'), 'current-password');
    assert.equal(await passwordField.getAttribute('type'), 'password');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'login-name');
    await shootBoth(page, 'login');

    // Keyboard only: type, Tab, type, Enter.
    await page.keyboard.type(created.login);
    await page.keyboard.press('Tab');
    await page.keyboard.type(created.password);
    await page.keyboard.press('Enter');

    // Forced change: server rules are shown per field (422), then a good password.
    await h1(page).filter({ hasText: en['password.forced.title'] }).waitFor();
    const newField = page.getByLabel(en['password.new'], { exact: true });
    const repeatField = page.getByLabel(en['password.repeat'], { exact: true });
    assert.equal(await newField.getAttribute('autocomplete'), 'new-password');
    assert.equal(await repeatField.getAttribute('autocomplete'), 'new-password');
    await shootBoth(page, 'login-password-change');
    // Focus is on the step's heading; Tab leads to the first field.
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'pw-new');
    await page.keyboard.type('short');
    await page.keyboard.press('Tab');
    await page.keyboard.type('short');
    await page.keyboard.press('Enter');
    await page.locator('#pw-new-error').waitFor();
    assert.equal(await newField.getAttribute('aria-invalid'), 'true');
    assert.match(await newField.getAttribute('aria-describedby'), /pw-new-error/);
    assert.match(await alertText(page), new RegExp(en['error.validation'].replace(/[.]/g, '\\.')));
    await shootBoth(page, 'login-password-error');

    const password = strongPassword();
    await newField.fill('');
    await newField.focus();
    await page.keyboard.type(password);
    await repeatField.fill('');
    await repeatField.focus();
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');

    // Enrolment: a QR code (SVG, drawn in the page) and the key as text.
    await h1(page).filter({ hasText: en['totp.enrol.title'] }).waitFor();
    const qr = page.getByRole('img', { name: en['totp.enrol.qr_label'] });
    await qr.waitFor();
    assert.equal(await qr.evaluate((el) => el.tagName.toLowerCase()), 'svg');
    const shown = await page.locator('#totp-secret').textContent();
    const secret = shown.replace(/\s+/g, '');
    assert.match(secret, /^[A-Z2-7]{16,}$/, `a base32 key is shown: ${shown}`);
    const codeField = page.getByLabel(en['totp.code'], { exact: true });
    assert.equal(await codeField.getAttribute('autocomplete'), 'one-time-code');
    assert.equal(await codeField.getAttribute('inputmode'), 'numeric');
    await shootBoth(page, 'login-totp-enrol');

    // A wrong code first: the field error from the server (422 errors[field=code]).
    const good = totp(secret);
    const wrong = String((Number(good) + 500000) % 1000000).padStart(6, '0');
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1');
    for (let i = 0; i < 6 && await page.evaluate(() => document.activeElement?.id) !== 'totp-code'; i++) await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'totp-code', 'Tab reaches the code field');
    await page.keyboard.type(wrong);
    await page.keyboard.press('Enter');
    await page.locator('#totp-code-error').waitFor();
    assert.equal(await codeField.getAttribute('aria-invalid'), 'true');
    await codeField.focus();
    await page.keyboard.type(await freshTotp(secret));
    await page.keyboard.press('Enter');
    markTotpUsed(secret);

    // The ten recovery codes, once, with the warning; then on to the page first asked for.
    await h1(page).filter({ hasText: en['recovery.title'] }).waitFor();
    assert.ok((await alertText(page)).includes(en['recovery.store_now']));
    const codes = (await page.locator('.recovery-codes li').allTextContents()).map((c) => c.trim());
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    await shootBoth(page, 'login-recovery-codes');
    await page.getByRole('button', { name: en['recovery.continue'] }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/admin/users');
    await h1(page).filter({ hasText: en['admin.users'] }).waitFor();
    assert.equal((await page.locator('#user-menu-button .user-name').textContent()).trim(), 'Aigul First');

    await page.getByRole('link', { name: en['section.dashboard'], exact: true }).click();
    await h1(page).filter({ hasText: en['dashboard.welcome'] }).waitFor();
    assert.ok((await page.locator('#main').textContent()).includes('Aigul First'), 'the dashboard names the user');
    assert.deepEqual(problems, []);
    account = { login: created.login, password, secret, recoveryCodes: codes };
  });

  test('log out through the user menu, then log in again with password and TOTP', async (t) => {
    assert.ok(account, 'needs the first-login test');
    const { page, problems } = await open(t);
    const client = await apiLogin(server.url, account.login, account.password, { recoveryCode: account.recoveryCodes[9] });
    await page.context().addCookies([client.browserCookie()]);
    await page.goto(`${server.url}/`);
    await h1(page).filter({ hasText: en['dashboard.welcome'] }).waitFor();

    // The menu opens with the keyboard and closes with Escape.
    const menuButton = page.locator('#user-menu-button');
    await menuButton.focus();
    await page.keyboard.press('Enter');
    await page.locator('#user-menu-button[aria-expanded="true"]').waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('href')), '/account', 'Tab goes into the menu');
    await page.keyboard.press('Escape');
    await page.locator('#user-menu-button[aria-expanded="false"]').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'user-menu-button', 'focus is back on the button');
    await logOutThroughMenu(page);
    // The session is over on the server too.
    assert.equal((await client.call('GET', '/api/v1/auth/session')).status, 401);
    await page.goto(`${server.url}/account`);
    await page.waitForURL((u) => u.pathname === '/login');

    await page.getByLabel(en['login.login'], { exact: true }).fill(account.login);
    await page.getByLabel(en['login.password'], { exact: true }).fill(account.password);
    await page.getByRole('button', { name: en['login.submit'], exact: true }).click();
    await h1(page).filter({ hasText: en['totp.check.title'] }).waitFor();
    const codeField = page.getByLabel(en['totp.code'], { exact: true });
    assert.equal(await codeField.getAttribute('autocomplete'), 'one-time-code');
    assert.equal(await codeField.getAttribute('inputmode'), 'numeric');
    await shootBoth(page, 'login-totp');
    await codeField.fill(await freshTotp(account.secret));
    await page.getByRole('button', { name: en['totp.check.submit'], exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/account');
    await h1(page).filter({ hasText: en['account.title'] }).waitFor();
    assert.deepEqual(problems, []);
  });

  test('"use a recovery code instead" logs in with a recovery code, once', async (t) => {
    assert.ok(account, 'needs the first-login test');
    const { page, problems } = await open(t);
    await page.goto(`${server.url}/login`);
    await page.getByLabel(en['login.login'], { exact: true }).fill(account.login);
    await page.getByLabel(en['login.password'], { exact: true }).fill(account.password);
    await page.getByRole('button', { name: en['login.submit'], exact: true }).click();
    await h1(page).filter({ hasText: en['totp.check.title'] }).waitFor();
    await page.getByRole('button', { name: en['totp.use_recovery'] }).click();
    const field = page.getByLabel(en['totp.recovery'], { exact: true });
    await field.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'recovery-code', 'focus moves to the new field');
    await field.fill('AAAA-BBBB-CCCC');
    await page.getByRole('button', { name: en['totp.check.submit'], exact: true }).click();
    await page.locator('#recovery-code-error').waitFor();
    assert.ok((await alertText(page)).includes(en['login.error.recovery']));
    await field.fill(account.recoveryCodes[0].toLowerCase());
    await page.getByRole('button', { name: en['totp.check.submit'], exact: true }).click();
    await h1(page).filter({ hasText: en['dashboard.welcome'] }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/');
    assert.deepEqual(problems, []);
  });
});

describe('login errors', () => {
  test('a wrong password is announced, and the form stays usable', async (t) => {
    const { page, problems } = await open(t, { storedLang: 'ru' });
    await page.goto(`${server.url}/login`);
    const ru = catalogue.ru;
    await page.getByLabel(ru['login.login'], { exact: true }).fill('root-admin');
    await page.getByLabel(ru['login.password'], { exact: true }).fill('not the password at all');
    await page.getByRole('button', { name: ru['login.submit'], exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal((await alert.textContent()).trim(), ru['login.error.credentials']);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'alert', 'focus goes to the error');
    assert.equal(await page.getByLabel(ru['login.password'], { exact: true }).inputValue(), '', 'the password is cleared');
    assert.equal(new URL(page.url()).pathname, '/login');
    await shootBoth(page, 'login-wrong-password');
    assert.deepEqual(problems, []);
  });

  test('too many attempts from this computer (429) is said plainly', async (t) => {
    const { page, problems } = await open(t, { storedLang: 'ky' });
    await page.route('**/api/v1/auth/login', (route) => route.fulfill({
      status: 429, contentType: 'application/problem+json', headers: { 'Retry-After': '42' },
      body: JSON.stringify({ type: 'urn:kadam:problem:rate-limited', title: 'Too many requests', status: 429 }),
    }));
    await page.goto(`${server.url}/login`);
    const ky = catalogue.ky;
    await page.getByLabel(ky['login.login'], { exact: true }).fill('root-admin');
    await page.getByLabel(ky['login.password'], { exact: true }).fill('whatever it is');
    await page.getByRole('button', { name: ky['login.submit'], exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal((await alert.textContent()).trim(), ky['login.error.rate_limited_wait'].replace('{seconds}', '42'));
    assert.deepEqual(problems, []);
  });

  test('a locked account shows until when, in the deployment time zone', async (t) => {
    const victim = await makeUser(admin.client, 'locked-user', ['probation_officer']);
    const anon = new Client(server.url);
    let last;
    for (let i = 0; i < 6; i++) {
      last = await anon.call('POST', '/api/v1/auth/login', { login: victim.login, password: `wrong password ${i}` });
      if (last.status === 423) break;
    }
    assert.equal(last.status, 423, `locked after failures: ${JSON.stringify(last.body)}`);
    const { page, problems } = await open(t);
    await page.goto(`${server.url}/login`);
    await page.getByLabel(en['login.login'], { exact: true }).fill(victim.login);
    await page.getByLabel(en['login.password'], { exact: true }).fill(victim.password);
    await page.getByRole('button', { name: en['login.submit'], exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = await alert.textContent();
    const system = await (await fetch(`${server.url}/api/v1/system`)).json();
    const until = new Date(last.body.locked_until);
    const hhmm = new Intl.DateTimeFormat('en-GB', { timeZone: system.timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(until);
    assert.ok(text.includes(hhmm), `the lock time ${hhmm} (${system.timezone}) is shown: ${text}`);
    assert.ok(text.startsWith(en['login.error.locked'].split('{time}')[0]), text);
    assert.deepEqual(problems, []);
  });
});

describe('administration', () => {
  test('an administrator creates a probation officer and sees the one-time password once', async (t) => {
    const { page, problems } = await open(t, { cookies: [admin.client.browserCookie()] });
    await page.goto(`${server.url}/admin/users`);
    await h1(page).filter({ hasText: en['admin.users'] }).waitFor();
    await page.locator('table').first().waitFor();
    await page.getByRole('button', { name: en['users.new'], exact: true }).click();
    await page.getByLabel(en['login.login'], { exact: true }).fill('officer-one');
    await page.getByLabel(en['user.display_name'], { exact: true }).fill('Bakyt Officer');
    await page.getByRole('checkbox', { name: new RegExp(`^${en['role.probation_officer']}`) }).check();
    await page.locator('#main').getByLabel(en['user.language'], { exact: true }).selectOption('ru');
    await shootBoth(page, 'users-create');
    await page.getByRole('button', { name: en['users.create'], exact: true }).click();

    const box = page.getByRole('region', { name: /officer-one/ });
    await box.waitFor();
    const otp = (await page.locator('#new-user-password').textContent()).trim();
    assert.ok(otp.length >= 8, `a one-time password is shown: ${otp}`);
    assert.ok((await box.textContent()).includes(en['users.otp_note']));
    await box.getByRole('button', { name: en['action.copy'], exact: true }).waitFor();
    await page.getByRole('cell', { name: /Bakyt Officer/ }).or(page.getByRole('rowheader', { name: /Bakyt Officer/ })).first().waitFor();
    await shootBoth(page, 'users');

    // The password works, once, and leads to the forced change.
    const officer = new Client(server.url);
    const r = await officer.expect(200, 'POST', '/api/v1/auth/login', { login: 'officer-one', password: otp });
    assert.equal(r.stage, 'password_change');

    await box.getByRole('button', { name: en['action.done'], exact: true }).click();
    assert.equal(await page.locator('#new-user-password').count(), 0, 'the password is gone once dismissed');
    assert.deepEqual(problems, []);
  });

  test('an administrator disables a user after a confirmation that says sessions end at once', async (t) => {
    const target = await makeUser(admin.client, 'to-disable', ['partner'], { display_name: 'Cholpon Partner' });
    const { page, problems } = await open(t, { cookies: [admin.client.browserCookie()] });
    await page.goto(`${server.url}/admin/users`);
    await page.getByLabel(en['users.search'], { exact: true }).fill('to-disable');
    await page.getByRole('button', { name: en['action.search'], exact: true }).click();
    await page.getByRole('button', { name: `${en['users.manage']} Cholpon Partner` }).click();
    await page.getByRole('heading', { name: en['users.edit_title'].replace('{name}', 'Cholpon Partner') }).waitFor();
    await page.getByRole('button', { name: en['users.disable'], exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.ok((await dialog.textContent()).includes(en['users.disable.text'].replace('{name}', 'Cholpon Partner')));
    await shoot(page, 'users-disable-dialog');
    await dialog.getByRole('button', { name: en['users.disable'], exact: true }).click();
    await page.getByRole('status').filter({ hasText: en['users.disabled'] }).waitFor();
    assert.equal((await target.client.call('GET', '/api/v1/auth/session')).status, 401, 'their session ended');

    // Enable again, then a new one-time password, shown once.
    await page.getByRole('button', { name: en['users.enable'], exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: en['users.enable'], exact: true }).click();
    await page.getByRole('status').filter({ hasText: en['users.enabled'] }).waitFor();
    await page.getByRole('button', { name: en['users.reset_password'], exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: en['users.reset_password'], exact: true }).click();
    const otp = (await page.locator('#reset-password-otp').textContent()).trim();
    const back = await new Client(server.url).expect(200, 'POST', '/api/v1/auth/login', { login: 'to-disable', password: otp });
    assert.equal(back.stage, 'password_change', 'the new one-time password works and must be changed');
    assert.deepEqual(problems, []);
  });

  test('the processing log shows the login events and an intact chain', async (t) => {
    const auditor = await makeUser(admin.client, 'auditor-one', ['auditor'], { display_name: 'Dinara Auditor' });
    // Every look at the log is itself logged: enough of them make a second page.
    for (let i = 0; i < 55; i++) await auditor.client.expect(200, 'GET', '/api/v1/audit/verification');
    const { page, problems } = await open(t, { cookies: [auditor.client.browserCookie()] });
    await page.goto(`${server.url}/`);
    await h1(page).waitFor();
    assert.ok((await nav(page)).includes(en['section.audit']), 'an auditor sees the processing log');
    await page.getByRole('link', { name: en['section.audit'], exact: true }).click();
    await h1(page).filter({ hasText: en['section.audit'] }).waitFor();
    await page.locator('#verify-result').waitFor();
    assert.equal((await page.locator('#verify-result').textContent()).trim(), en['audit.verify.ok']);
    assert.equal(await page.locator('.verify').evaluate((el) => el.classList.contains('verify-ok')), true);

    await page.locator('table.table-log tbody tr').first().waitFor();
    // Newest first.
    const seqs = (await page.locator('table.table-log tbody tr td:first-child .cell-sub').allTextContents()).map((s) => Number(s.replace('#', '')));
    assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a));
    assert.equal(seqs.length, 50, 'a page of 50');
    await shootBoth(page, 'audit');

    // "Load more" appends the next page (older entries), still newest first.
    await page.getByRole('button', { name: en['audit.more'], exact: true }).click();
    await page.waitForFunction(() => document.querySelectorAll('table.table-log tbody tr').length > 50);
    const all = (await page.locator('table.table-log tbody tr td:first-child .cell-sub').allTextContents()).map((s) => Number(s.replace('#', '')));
    assert.deepEqual(all.slice(0, 50), seqs);
    assert.deepEqual(all, [...all].sort((a, b) => b - a));
    assert.equal(new Set(all).size, all.length, 'no entry twice');

    // Search: the login events (there are some, and only they are listed), then this auditor's own entries.
    const rowsWhere = (col, want) => page.waitForFunction(([c, w]) => {
      const cells = [...document.querySelectorAll(`table.table-log tbody tr td:nth-child(${c})`)];
      return cells.length > 0 && cells.every((td) => td.textContent.includes(w));
    }, [col, want]);
    await page.getByLabel(en['audit.action'], { exact: true }).selectOption('auth.login');
    await page.getByRole('button', { name: en['action.search'], exact: true }).click();
    await rowsWhere(3, 'auth.login');
    await page.getByLabel(en['audit.action'], { exact: true }).selectOption('');
    await page.getByLabel(en['audit.actor'], { exact: true }).fill('auditor-one');
    await page.getByRole('button', { name: en['action.search'], exact: true }).click();
    await rowsWhere(2, 'auditor-one');

    await page.getByRole('button', { name: en['audit.verify.again'] }).click();
    await page.locator('#verify-result').waitFor();
    assert.deepEqual(problems, []);
  });

  test('agencies, units as a tree, API tokens and roles', async (t) => {
    const { page, problems } = await open(t, { cookies: [admin.client.browserCookie()] });
    await page.goto(`${server.url}/admin`);
    await h1(page).filter({ hasText: en['section.admin'] }).waitFor();
    const sub = page.getByRole('navigation', { name: en['admin.nav'] });

    // Agencies: create, then rename.
    await sub.getByRole('link', { name: en['admin.agencies'], exact: true }).click();
    await h1(page).filter({ hasText: en['admin.agencies'] }).waitFor();
    await page.getByRole('button', { name: en['agencies.new'], exact: true }).click();
    await page.getByLabel(en['agencies.name'], { exact: true }).fill('Chui Probation');
    await page.getByLabel(en['agencies.kind'], { exact: true }).selectOption('probation');
    await page.getByRole('button', { name: en['agencies.create'], exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Chui Probation' }).waitFor();
    await page.getByRole('rowheader', { name: 'Chui Probation', exact: true }).waitFor();
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Chui Probation', exact: true }) });
    assert.ok((await row.textContent()).includes(en['kind.probation']), 'the kind is shown translated');
    await row.getByRole('button', { name: new RegExp(`^${en['action.edit']}`) }).click();
    const name = page.getByLabel(en['agencies.name'], { exact: true });
    await name.waitFor();
    assert.equal(await name.inputValue(), 'Chui Probation');
    await name.fill('Chui Regional Probation');
    await page.getByRole('button', { name: en['action.save'], exact: true }).click();
    await page.getByRole('rowheader', { name: 'Chui Regional Probation', exact: true }).waitFor();

    // Units: a region and a district under it; the tree nests the district.
    await sub.getByRole('link', { name: en['admin.units'], exact: true }).click();
    await h1(page).filter({ hasText: en['admin.units'] }).waitFor();
    for (const [unit, parent] of [['Sokuluk Region', ''], ['Sokuluk District Office', 'Sokuluk Region']]) {
      await page.getByRole('button', { name: en['units.new'], exact: true }).click();
      await page.getByLabel(en['units.name'], { exact: true }).fill(unit);
      const agencySelect = page.locator('#unit-new-agency');
      await agencySelect.selectOption({ label: 'Chui Regional Probation' });
      if (parent) await page.locator('#unit-new-parent').selectOption({ label: parent });
      await page.getByRole('button', { name: en['units.create'], exact: true }).click();
      await page.getByRole('status').filter({ hasText: unit }).waitFor();
    }
    const nested = page.locator('section.unit-agency ul.unit-tree ul.unit-tree .unit-name', { hasText: 'Sokuluk District Office' });
    await nested.waitFor();
    await shootBoth(page, 'units');

    // Rename and move the district to the top level.
    await page.getByRole('button', { name: `${en['action.edit']}: Sokuluk District Office` }).click();
    await page.locator('#unit-edit-name').fill('Sokuluk Office');
    const parentOptions = await page.locator('#unit-edit-parent option').allTextContents();
    assert.ok(!parentOptions.some((o) => o.includes('Sokuluk District Office')), 'a unit cannot be put under itself');
    await page.locator('#unit-edit-parent').selectOption('');
    await page.getByRole('button', { name: en['action.save'], exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Sokuluk Office' }).waitFor();
    await page.locator('section.unit-agency > ul.unit-tree > li > .unit-row .unit-name', { hasText: 'Sokuluk Office' }).waitFor();

    // API tokens: the secret once, then revoke.
    await sub.getByRole('link', { name: en['admin.tokens'], exact: true }).click();
    await h1(page).filter({ hasText: en['admin.tokens'] }).waitFor();
    await page.getByRole('button', { name: en['tokens.new'], exact: true }).click();
    await page.getByLabel(en['tokens.name'], { exact: true }).fill('Monitoring gateway');
    await page.getByRole('checkbox', { name: new RegExp(en['perm.units.read']) }).check();
    await page.getByLabel(en['tokens.days'], { exact: true }).fill('30');
    await shootBoth(page, 'tokens-create');
    await page.getByRole('button', { name: en['tokens.create'], exact: true }).click();
    const secret = (await page.locator('#token-secret').textContent()).trim();
    assert.match(secret, /^kdt_/);
    const viaToken = await fetch(`${server.url}/api/v1/units`, { headers: { Authorization: `Bearer ${secret}` } });
    assert.equal(viaToken.status, 200, 'the token works');
    await page.getByRole('button', { name: en['action.done'], exact: true }).click();
    await page.getByRole('button', { name: `${en['tokens.revoke']} Monitoring gateway` }).click();
    await page.getByRole('dialog').getByRole('button', { name: en['tokens.revoke'], exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Monitoring gateway' }).waitFor();
    await page.getByText(en['tokens.revoked'], { exact: true }).waitFor();
    const revoked = await fetch(`${server.url}/api/v1/units`, { headers: { Authorization: `Bearer ${secret}` } });
    assert.equal(revoked.status, 401, 'the revoked token is refused');

    // Roles: read-only, all eleven.
    await sub.getByRole('link', { name: en['admin.roles'], exact: true }).click();
    await h1(page).filter({ hasText: en['admin.roles'] }).waitFor();
    await page.getByRole('rowheader', { name: new RegExp(en['role.auditor']) }).waitFor();
    assert.equal(await page.locator('table tbody tr').count(), 11);
    assert.deepEqual(problems, []);
  });

  test("a unit head sees their own unit's members, and another unit's only with a purpose", async (t) => {
    const agency = await admin.client.expect(201, 'POST', '/api/v1/agencies', { name: 'Osh Probation', kind: 'probation' });
    const own = await admin.client.expect(201, 'POST', '/api/v1/units', { agency_id: agency.id, name: 'Osh City' });
    const other = await admin.client.expect(201, 'POST', '/api/v1/units', { agency_id: agency.id, name: 'Kara-Suu' });
    const head = await makeUser(admin.client, 'unit-head', ['unit_head'], { display_name: 'Iskender Head' });
    const headUser = await admin.client.call('GET', `/api/v1/users/${head.user.id}`);
    await admin.client.expect(200, 'PUT', `/api/v1/users/${head.user.id}`, {
      display_name: 'Iskender Head', agency_id: agency.id, unit_id: own.id, roles: ['unit_head'], preferred_language: 'en',
    }, { 'If-Match': headUser.headers.get('etag') });
    await makeUser(admin.client, 'kara-suu-officer', ['probation_officer'], { display_name: 'Jyldyz Officer' }).then(async (u) => {
      const cur = await admin.client.call('GET', `/api/v1/users/${u.user.id}`);
      await admin.client.expect(200, 'PUT', `/api/v1/users/${u.user.id}`, {
        display_name: 'Jyldyz Officer', agency_id: agency.id, unit_id: other.id, roles: ['probation_officer'], preferred_language: 'en',
      }, { 'If-Match': cur.headers.get('etag') });
    });
    const session = await apiLogin(server.url, head.login, head.password, { recoveryCode: head.recoveryCodes[0] });
    const { page, problems } = await open(t, { cookies: [session.browserCookie()] });
    // Reading agencies and units does not open Administration; a unit head works on My unit.
    await page.goto(`${server.url}/admin/units`);
    await h1(page).filter({ hasText: en['forbidden.title'] }).waitFor();
    await page.getByRole('link', { name: en['section.unit'], exact: true }).click();
    await h1(page).filter({ hasText: en['section.unit'] }).waitFor();
    await page.getByRole('heading', { name: en['myunit.members'].replace('{name}', 'Osh City') }).waitFor();
    await page.getByRole('rowheader', { name: 'Iskender Head' }).waitFor();

    await page.locator('#other-unit').selectOption({ label: 'Kara-Suu' });
    await page.getByRole('button', { name: en['units.members.show'], exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(en['units.justification'], { exact: true }).waitFor();
    await dialog.getByLabel(en['units.purpose'], { exact: true }).selectOption('supervision');
    await dialog.getByLabel(en['units.justification'], { exact: true }).fill('short');
    await dialog.getByRole('button', { name: en['units.members.show'], exact: true }).click();
    await page.locator('#other-members-justification-error').waitFor();
    await dialog.getByLabel(en['units.justification'], { exact: true }).fill('Замещаю коллегу в Кара-Суу на время отпуска');
    await dialog.getByRole('button', { name: en['units.members.show'], exact: true }).click();
    await page.getByRole('rowheader', { name: 'Jyldyz Officer' }).waitFor();
    await shootBoth(page, 'units-members');

    const log = await admin.client.expect(200, 'GET', `/api/v1/audit?record_id=${other.id}`);
    assert.ok(log.items.some((e) => e.purpose === 'supervision' && e.justification === 'Замещаю коллегу в Кара-Суу на время отпуска'),
      `the purpose is logged: ${JSON.stringify(log.items.map((e) => [e.action, e.purpose, e.justification]))}`);
    assert.deepEqual(problems, []);
  });

  test('a broken chain is shown in red with the message and the first bad entry', async (t) => {
    const { page, problems } = await open(t, { cookies: [admin.client.browserCookie()] });
    // The real chain is intact; the answer for a damaged one is played to the page.
    await page.route('**/api/v1/audit/verification', (route) => route.fulfill({
      status: 200, contentType: 'application/json',
      body: JSON.stringify({ ok: false, entries: 120, checkpoints: 2, first_bad_seq: 77,
        message: 'entry 77: hash does not match', checked_at: new Date().toISOString() }),
    }));
    await page.goto(`${server.url}/audit`);
    await page.locator('#verify-result').waitFor();
    assert.equal((await page.locator('#verify-result').textContent()).trim(), en['audit.verify.bad']);
    assert.equal(await page.locator('.verify').evaluate((el) => el.classList.contains('verify-bad')), true);
    const panel = await page.locator('.verify').textContent();
    assert.ok(panel.includes('entry 77: hash does not match'));
    assert.ok(panel.includes(en['audit.verify.first_bad'].replace('{seq}', '77')));
    assert.ok(panel.includes('120'));
    const colour = await page.locator('#verify-result').evaluate((el) => getComputedStyle(el).color);
    assert.equal(colour, 'rgb(180, 35, 24)', 'red');
    await shootBoth(page, 'audit-broken');
    assert.deepEqual(problems, []);
  });

  test('saving a user someone else changed meanwhile says so, and Reload shows their change', async (t) => {
    const target = await admin.client.expect(201, 'POST', '/api/v1/users', {
      login: 'edited-twice', display_name: 'Kanat Original', agency_id: (await admin.client.expect(200, 'GET', '/api/v1/auth/session')).user.agency.id,
      roles: ['analyst'], preferred_language: 'ky',
    });
    const { page, problems } = await open(t, { cookies: [admin.client.browserCookie()] });
    await page.goto(`${server.url}/admin/users`);
    await page.getByRole('button', { name: `${en['users.manage']} Kanat Original` }).click();
    const name = page.locator('#e-name');
    await name.waitFor();
    assert.equal(await name.inputValue(), 'Kanat Original');

    // Another administrator saves first.
    const fresh = await admin.client.call('GET', `/api/v1/users/${target.user.id}`);
    await admin.client.expect(200, 'PUT', `/api/v1/users/${target.user.id}`, {
      display_name: 'Kanat Renamed Elsewhere', agency_id: fresh.body.agency_id, unit_id: null, roles: ['analyst'], preferred_language: 'ky',
    }, { 'If-Match': fresh.headers.get('etag') });

    await name.fill('Kanat Mine');
    await page.getByRole('button', { name: en['action.save'], exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.ok((await alert.textContent()).includes(en['error.stale']), await alert.textContent());
    await shoot(page, 'users-stale');
    await alert.getByRole('button', { name: en['action.reload'], exact: true }).click();
    await page.waitForFunction(() => document.getElementById('e-name')?.value === 'Kanat Renamed Elsewhere');
    await name.fill('Kanat Mine');
    await page.getByRole('button', { name: en['action.save'], exact: true }).click();
    await page.getByRole('status').filter({ hasText: en['users.saved'] }).waitFor();
    const saved = await admin.client.expect(200, 'GET', `/api/v1/users/${target.user.id}`);
    assert.equal(saved.display_name, 'Kanat Mine');
    assert.deepEqual(problems, []);
  });

  test('navigation hides Administration and the log from a user without those permissions', async (t) => {
    const operator = await makeUser(admin.client, 'operator-one', ['monitoring_operator'], { display_name: 'Erlan Operator' });
    const { page, problems } = await open(t, { cookies: [operator.client.browserCookie()] });
    // The monitoring operator lands on the monitoring centre's queue; the nav holds only what they can use.
    await page.goto(`${server.url}/`);
    await page.waitForURL(`${server.url}/monitoring`);
    const labels = await nav(page);
    assert.ok(!labels.includes(en['section.admin']), `no Administration: ${labels}`);
    assert.ok(!labels.includes(en['section.audit']), `no Processing log: ${labels}`);
    assert.ok(!labels.includes(en['section.people']), `no person records for the monitoring centre: ${labels}`);
    assert.ok(labels.includes(en['section.monitoring']), `the monitoring section: ${labels}`);

    // Typing the address leads to "no access", not to the page.
    for (const path of ['/admin', '/admin/users', '/audit']) {
      await page.goto(`${server.url}${path}`);
      await h1(page).filter({ hasText: en['forbidden.title'] }).waitFor();
    }
    assert.deepEqual(problems, []);
  });
});

describe('my account and session handling', () => {
  test('My account lists my sessions, marks this one, and ends another', async (t) => {
    const me = await makeUser(admin.client, 'two-sessions', ['analyst'], { display_name: 'Farida Analyst' });
    const second = await apiLogin(server.url, me.login, me.password, { recoveryCode: me.recoveryCodes[0] });
    const { page, problems } = await open(t, { cookies: [second.browserCookie()] });
    await page.goto(`${server.url}/`);
    await page.locator('#user-menu-button').click();
    await page.getByRole('link', { name: en['user.account'], exact: true }).click();
    await h1(page).filter({ hasText: en['account.title'] }).waitFor();
    const rows = page.locator('section[aria-labelledby="sessions-heading"] tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 2);
    assert.equal(await page.getByText(en['account.session.this'], { exact: true }).count(), 1);
    await shootBoth(page, 'account');

    await page.getByRole('button', { name: new RegExp(`^${en['account.session.end']}`) }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: en['account.session.end'], exact: true }).click();
    await page.getByRole('status').filter({ hasText: en['account.sessions.ended'] }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('section[aria-labelledby="sessions-heading"] tbody tr').length === 1);
    assert.equal((await me.client.call('GET', '/api/v1/auth/session')).status, 401, 'the other session ended');
    assert.equal((await second.call('GET', '/api/v1/auth/session')).status, 200, 'this one goes on');

    // Change the password: a mismatch is caught in the page, a wrong current one by the server.
    const next = strongPassword();
    await page.getByLabel(en['password.current'], { exact: true }).fill('not my password at all');
    await page.getByLabel(en['password.new'], { exact: true }).fill(next);
    await page.getByLabel(en['password.repeat'], { exact: true }).fill(`${next}x`);
    await page.getByRole('button', { name: en['password.change'], exact: true }).click();
    await page.locator('#acc-pw-repeat-error').waitFor();
    await page.getByLabel(en['password.repeat'], { exact: true }).fill(next);
    await page.getByRole('button', { name: en['password.change'], exact: true }).click();
    await page.locator('#acc-pw-current-error').waitFor();
    assert.equal(new URL(page.url()).pathname, '/account', 'a wrong current password does not log out');
    await page.getByLabel(en['password.current'], { exact: true }).fill(me.password);
    await page.getByRole('button', { name: en['password.change'], exact: true }).click();
    await page.getByRole('status').filter({ hasText: en['account.password.done'] }).waitFor();
    const again = await new Client(server.url).call('POST', '/api/v1/auth/login', { login: me.login, password: next });
    assert.equal(again.status, 200, 'the new password works');
    assert.deepEqual(problems, []);
  });

  test('when the session ends on the server, the next call sends the user to /login, then back', async (t) => {
    const me = await makeUser(admin.client, 'ends-elsewhere', ['analyst'], { display_name: 'Gulnara Analyst' });
    const { page, problems } = await open(t, { cookies: [me.client.browserCookie()] });
    await page.goto(`${server.url}/`);
    await h1(page).filter({ hasText: en['dashboard.welcome'] }).waitFor();
    await me.client.expect(204, 'POST', '/api/v1/auth/logout', {});
    // The next call decides: opening My account, or a call the page makes by itself
    // first (the notifications bell), whichever comes first. Either must end at /login.
    let viaMenu = true;
    try {
      await page.locator('#user-menu-button').click({ timeout: 5000 });
      await page.getByRole('link', { name: en['user.account'], exact: true }).click({ timeout: 5000 });
    } catch {
      viaMenu = false; // the page had already left for /login
    }
    await page.waitForURL((u) => u.pathname === '/login');
    const next = new URL(page.url()).searchParams.get('next');
    assert.ok(next === '/account' || (!viaMenu && next === '/'), `next=${next}`);
    await page.getByRole('status').filter({ hasText: en['login.session_ended'] }).waitFor();
    assert.deepEqual(problems, []);
  });

  test("logged in, the user's preferred language is the default; switching it saves it to the profile", async (t) => {
    const me = await makeUser(admin.client, 'speaks-russian', ['analyst'], { display_name: 'Hasan Analyst', preferred_language: 'ru' });
    const { page, problems } = await openPage(browser, t, { locale: 'en-US', cookies: [me.client.browserCookie()] });
    await page.goto(`${server.url}/`);
    await h1(page).filter({ hasText: catalogue.ru['dashboard.welcome'] }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ru');

    const saved = page.waitForRequest((req) => req.url().endsWith('/api/v1/me/preferences') && req.method() === 'PUT');
    await page.locator('#lang-select').selectOption('ky');
    const req = await saved;
    assert.deepEqual(req.postDataJSON(), { preferred_language: 'ky' });
    assert.ok(req.headers()['x-csrf-token'], 'the CSRF token goes with it');
    await (await req.response()).finished();
    const session = await me.client.expect(200, 'GET', '/api/v1/auth/session');
    assert.equal(session.user.preferred_language, 'ky');
    assert.deepEqual(problems, []);
  });
});
