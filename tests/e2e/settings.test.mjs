// Browser test of Administration → Settings (/admin/settings): an administrator reads each deployment
// setting with its meaning and bounds, is refused a value out of bounds at its field (nothing changes),
// saves one within them, and the code that uses it reads the new value; in Russian the page speaks Russian.
// A unit head has no such page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, openPage } from '../lib/browser.mjs';
import { createAdmin, firstLogin } from '../lib/identity.mjs';
import { root, startServer } from '../lib/server.mjs';

const load = (lang) => ({
  ...JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.json`), 'utf8')),
  ...JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.settings.json`), 'utf8')),
});
const en = load('en');
const ru = load('ru');
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (_, k) => String(params[k]));
const uiDir = process.env.KADAM_UI_DIR || join(root, 'web/dist');

let server;
let browser;
let admin;

before(async () => {
  assert.ok(existsSync(join(uiDir, 'index.html')), `${uiDir} is missing: build the UI first`);
  server = await startServer({ uiDir });
  browser = await launch();
  const made = createAdmin(server.db, 'settings.admin');
  admin = await firstLogin(server.url, made.login, made.password);
});

after(async () => {
  await browser?.close();
  const r = await server?.stop();
  if (r && r.code !== 0 && r.code !== null) console.error(server.logs());
});

const setting = async (key) => (await admin.client.expect(200, 'GET', '/api/v1/settings')).items.find((s) => s.key === key);

describe('settings', () => {
  test('an administrator changes the release-planning window; a value out of bounds is refused at its field', async (t) => {
    const { page, problems } = await openPage(browser, t, { storedLang: 'en', cookies: [admin.client.browserCookie()] });
    await page.goto(`${server.url}/admin/settings`);
    await page.locator('#main h1').filter({ hasText: en['admin.settings'] }).waitFor();
    const row = page.locator('#setting-release-planning-months-before-row');
    await row.getByText(en['settings.key.release_planning.months_before'], { exact: true }).waitFor();
    await row.getByText(en['settings.about.release_planning.months_before']).waitFor();
    await row.getByText(fill(en['settings.bounds'], { min: 1, max: 36, def: 6 }), { exact: false }).waitFor();
    const input = page.locator('#setting-release-planning-months-before');
    assert.equal(await input.inputValue(), '6');

    await input.fill('40');
    await page.locator('#setting-release-planning-months-before-save').click();
    await row.getByText('must be from 1 to 36', { exact: false }).first().waitFor();
    assert.equal((await setting('release_planning.months_before')).value, 6, 'a refused value changes nothing');

    await input.fill('9');
    await page.locator('#setting-release-planning-months-before-save').click();
    await page.getByText(fill(en['settings.saved'], { title: en['settings.key.release_planning.months_before'],
      value: `9 ${en['settings.unit.months']}` })).waitFor();
    assert.equal((await setting('release_planning.months_before')).value, 9);
    await row.getByText(en['settings.never']).waitFor({ state: 'detached' });
    // The same row can be saved again with the version it now shows.
    await input.fill('7');
    await page.locator('#setting-release-planning-months-before-save').click();
    await page.getByText(fill(en['settings.saved'], { title: en['settings.key.release_planning.months_before'],
      value: `7 ${en['settings.unit.months']}` })).waitFor();
    assert.equal((await setting('release_planning.months_before')).value, 7);
    assert.deepEqual(problems, []);
  });

  test('in Russian', async (t) => {
    const { page, problems } = await openPage(browser, t, { storedLang: 'ru', cookies: [admin.client.browserCookie()] });
    await page.goto(`${server.url}/admin/settings`);
    await page.locator('#main h1').filter({ hasText: ru['admin.settings'] }).waitFor();
    await page.getByText(ru['settings.key.complaints.answer_days'], { exact: true }).waitFor();
    assert.deepEqual(problems, []);
  });
});
