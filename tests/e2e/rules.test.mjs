// Browser tests of Administration → Compliance rules and → Scheduled jobs (issue 6): the
// administrator sees the fifteen rules with their titles, thresholds and escalation times, changes a
// threshold (a value out of range is shown at its field, nothing saved), switches a rule off, then
// runs the due jobs from the jobs page and sees what ran, with the job's recent runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, lowContrast, openPage } from '../lib/browser.mjs';
import { createAdmin, firstLogin } from '../lib/identity.mjs';
import { root, startServer } from '../lib/server.mjs';

const uiDir = process.env.KADAM_UI_DIR || join(root, 'web/dist');
const load = (lang) => ({
  ...JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.json`), 'utf8')),
  ...JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.compliance.json`), 'utf8')),
  ...JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.rules.json`), 'utf8')),
});
const en = load('en');
const ru = load('ru');
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (_, k) => String(params[k]));

let server;
let browser;
let admin;

before(async () => {
  assert.ok(existsSync(join(uiDir, 'index.html')), `${uiDir} has no built UI: run \`npm run build\` first`);
  server = await startServer({ uiDir });
  browser = await launch();
  const { login, password } = createAdmin(server.db, 'rules.admin', 'Rules Admin');
  admin = await firstLogin(server.url, login, password);
  await admin.client.expect(200, 'PUT', '/api/v1/me/preferences', { preferred_language: 'en' });
});

after(async () => {
  await browser?.close();
  const r = await server?.stop();
  if (r) assert.equal(r.code, 0, server.logs().slice(-3000));
});

test('the administrator changes a rule threshold and switches a rule off', async (t) => {
  const { page, problems } = await openPage(browser, t, { cookies: [admin.client.browserCookie()], storedLang: 'en' });
  await page.goto(`${server.url}/admin/compliance-rules`);
  await page.getByRole('heading', { level: 1, name: en['admin.rules'] }).waitFor();
  const rows = page.locator('#rules-table tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 29); // 16 supervision and compliance rules, 13 electronic-monitoring rules
  const first = page.locator('#rule-appointment-no_outcome');
  assert.match(await first.innerText(), /Appointment passed without an outcome/);
  assert.match(await first.innerText(), new RegExp(fill(en['rules.unit.hours'], { n: 24 })));
  assert.match(await page.locator('#rule-contact-failed').innerText(), new RegExp(en['rules.fires.event']));

  // A threshold out of range: shown at its field, nothing saved.
  await page.locator('#rule-edit-appointment\\.no_outcome').click();
  await page.getByRole('heading', { level: 2, name: fill(en['rules.edit_title'], { title: 'Appointment passed without an outcome' }) }).waitFor();
  await page.locator('#rule-threshold').fill('9000');
  await page.getByRole('button', { name: en['rules.save'] }).click();
  await page.locator('#rule-threshold-error').waitFor();
  assert.equal(await page.locator('#rule-threshold').getAttribute('aria-invalid'), 'true');
  const stored = await admin.client.expect(200, 'GET', '/api/v1/compliance/rules');
  assert.equal(stored.items[0].threshold, 24);

  await page.locator('#rule-threshold').fill('36');
  await page.locator('#rule-escalate').fill('12');
  await page.getByRole('button', { name: en['rules.save'] }).click();
  await page.getByText(fill(en['rules.saved'], { title: 'Appointment passed without an outcome' })).waitFor();
  await page.waitForFunction(() => /36/.test(document.querySelector('#rule-appointment-no_outcome')?.textContent ?? ''));
  let rule = (await admin.client.expect(200, 'GET', '/api/v1/compliance/rules')).items[0];
  assert.equal(rule.threshold, 36);
  assert.equal(rule.escalate_after_hours, 12);
  assert.equal(rule.version, 2);
  assert.equal(rule.updated_by_name, 'Rules Admin');

  // Switch the event rule off (it has no threshold field).
  await page.locator('#rule-edit-contact\\.failed').click();
  assert.equal(await page.locator('#rule-threshold').count(), 0);
  await page.locator('#rule-enabled').uncheck();
  await page.getByRole('button', { name: en['rules.save'] }).click();
  await page.waitForFunction((off) => (document.querySelector('#rule-contact-failed')?.textContent ?? '').includes(off),
    en['rules.off']);
  rule = (await admin.client.expect(200, 'GET', '/api/v1/compliance/rules')).items.find((r) => r.code === 'contact.failed');
  assert.equal(rule.enabled, false);
  assert.deepEqual(await lowContrast(page), []);
  assert.deepEqual(problems, []);
});

test('the jobs page runs the due jobs and shows their runs, in Russian too', async (t) => {
  const { page, problems } = await openPage(browser, t, { cookies: [admin.client.browserCookie()], storedLang: 'en' });
  await page.goto(`${server.url}/admin/jobs`);
  await page.getByRole('heading', { level: 1, name: en['admin.jobs'] }).waitFor();
  await page.getByRole('heading', { level: 2, name: new RegExp(en['jobs.name.compliance.rules']) }).waitFor();
  await page.getByRole('button', { name: en['jobs.run'] }).click();
  const ran = page.locator('#jobs-ran');
  await ran.waitFor();
  assert.match(await ran.innerText(), new RegExp(en['jobs.name.compliance.rules']));
  await page.getByRole('table', { name: en['jobs.recent_runs'] }).first().waitFor();
  assert.match(await page.locator('main').innerText(), new RegExp(en['jobs.status.ok']));
  // Again: nothing was due.
  await page.getByRole('button', { name: en['jobs.run'] }).click();
  await page.getByText(en['jobs.ran_none']).waitFor();
  assert.deepEqual(await lowContrast(page), []);
  assert.deepEqual(problems, []);

  const other = await openPage(browser, t, { cookies: [admin.client.browserCookie()], storedLang: 'ru', locale: 'ru-RU' });
  await admin.client.expect(200, 'PUT', '/api/v1/me/preferences', { preferred_language: 'ru' });
  await other.page.goto(`${server.url}/admin/jobs`);
  await other.page.getByRole('heading', { level: 1, name: ru['admin.jobs'] }).waitFor();
  await other.page.getByRole('button', { name: ru['jobs.run'] }).waitFor();
  assert.deepEqual(other.problems, []);
});
