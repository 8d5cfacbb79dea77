// Browser test of the supervision policy table (/admin/supervision-levels): an administrator
// changes a level's minimum contacts (a bad number is refused at its field), adds a level and
// takes it out of use; the reference list the case page reads follows. An officer has no such page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAPTOP, launch, lowContrast, openPage } from '../lib/browser.mjs';
import { createAdmin, firstLogin } from '../lib/identity.mjs';
import { root, startServer } from '../lib/server.mjs';

const en = JSON.parse(readFileSync(join(root, 'web/src/i18n/en.json'), 'utf8'));
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (_, k) => String(params[k]));
const uiDir = process.env.KADAM_UI_DIR || join(root, 'web/dist');

let server;
let browser;
let admin;

before(async () => {
  assert.ok(existsSync(join(uiDir, 'index.html')), `${uiDir} is missing: build the UI first`);
  server = await startServer({ uiDir });
  browser = await launch();
  const made = createAdmin(server.db, 'levels.admin');
  admin = await firstLogin(server.url, made.login, made.password);
});

after(async () => {
  await browser?.close();
  const r = await server?.stop();
  if (r && r.code !== 0 && r.code !== null) console.error(server.logs());
});

const levels = async () => (await admin.client.expect(200, 'GET', '/api/v1/reference')).supervision_levels;

describe('supervision levels', () => {
  test('an administrator changes, adds and retires levels; bad numbers are refused at their field', async (t) => {
    const { page, problems } = await openPage(browser, t, { storedLang: 'en', cookies: [admin.client.browserCookie()] });
    await page.goto(`${server.url}/admin/supervision-levels`);
    await page.locator('#main h1').filter({ hasText: en['admin.levels'] }).waitFor();
    const row = page.locator('tr').filter({ hasText: 'Low' });
    await row.getByText(fill(en['levels.per_period'], { n: 1, days: 28 })).waitFor();

    await page.locator('#level-edit-low').click();
    await page.locator('#level-min_contacts').fill('500');
    await page.getByRole('button', { name: en['levels.save'] }).click();
    await page.locator('.form-error[role="alert"]').getByText(en['levels.min_contacts'], { exact: false }).waitFor();
    assert.equal((await levels()).find((l) => l.code === 'low').min_contacts, 1, 'a refused change changes nothing');
    await page.locator('#level-min_contacts').fill('2');
    await page.getByRole('button', { name: en['levels.save'] }).click();
    await page.getByText(fill(en['levels.saved'], { code: 'low' })).waitFor();
    await row.getByText(fill(en['levels.per_period'], { n: 2, days: 28 })).waitFor();
    assert.equal((await levels()).find((l) => l.code === 'low').min_contacts, 2);

    await page.locator('#level-new').click();
    await page.locator('#level-code').fill('very_low');
    await page.locator('#level-title-ky').fill('Өтө төмөн');
    await page.locator('#level-title-ru').fill('Очень низкий');
    await page.locator('#level-title-en').fill('Very low');
    await page.locator('#level-min_contacts').fill('1');
    await page.locator('#level-contacts_period_days').fill('90');
    await page.locator('#level-active').uncheck();
    await page.getByRole('button', { name: en['levels.save'] }).click();
    await page.getByText(fill(en['levels.saved'], { code: 'very_low' })).waitFor();
    const added = (await levels()).find((l) => l.code === 'very_low');
    assert.equal(added.contacts_period_days, 90);
    assert.equal(added.active, false);
    assert.equal(added.title.en, 'Very low');
    await page.setViewportSize(LAPTOP);
    assert.deepEqual(await lowContrast(page), []);
    assert.deepEqual(problems, []);
  });
});
