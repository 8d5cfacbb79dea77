// Browser tests of the alert queue (issue 6): the demo officer sees their alerts on the dashboard
// and in their queue, opens one (its evidence in words), acknowledges it and verifies it as a task,
// which then appears among the tasks; the unit head lands on the unit's queue and switches to the
// escalated alerts — those nobody acknowledged in time. An alert is never a breach by itself (S6).
//
// One server with the demo data (`kadam demo`: the rules raised alerts as of now, officers worked
// some, some escalated) and one Chromium for the file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, lowContrast, openPage, shotsDir } from '../lib/browser.mjs';
import { firstLogin } from '../lib/identity.mjs';
import { freshDatabase, root, runKadam, startServer } from '../lib/server.mjs';

const uiDir = process.env.KADAM_UI_DIR || join(root, 'web/dist');
const load = (lang) => ({
  ...JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.json`), 'utf8')),
  ...JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.compliance.json`), 'utf8')),
  ...JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.alerts.json`), 'utf8')),
});
const en = load('en');
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (_, k) => String(params[k]));

let db;
let server;
let browser;
let shots;
const who = {};
let alert; // the officer's open alert the test works

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
  server = await startServer({ db: db.url, uiDir });
  browser = await launch();
  shots = shotsDir();
  who.officer = await firstLogin(server.url, 'officer.bishkek', passwords['officer.bishkek']);
  who.head = await firstLogin(server.url, 'head.bishkek', passwords['head.bishkek']);
  const open = await who.officer.client.expect(200, 'GET', '/api/v1/alerts?queue=mine&status=open&limit=200');
  alert = open.items.find((a) => a.rule_code && a.rule_code !== 'contact.failed');
  assert.ok(alert, 'the demo officer has an open rule alert');
});

after(async () => {
  await browser?.close();
  const r = await server?.stop();
  if (r && r.code !== 0 && r.code !== null) console.error(server.logs());
  db?.drop();
  if (shots) console.log(`# screenshots in ${shots}`);
});

function open(t, as) {
  return openPage(browser, t, { storedLang: 'en', cookies: [who[as].client.browserCookie()] });
}

const h1 = (page) => page.locator('#main h1');
const overflows = (page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

describe('alerts', () => {
  test('the officer sees the counts, the queue, opens an alert, acknowledges it and verifies it as a task', async (t) => {
    const { page, problems } = await open(t, 'officer');
    await page.goto(`${server.url}/`);
    const mine = page.locator('#alerts-card-mine-active');
    await mine.waitFor();
    await page.waitForFunction(() => /^\d+$/.test(document.querySelector('#alerts-card-mine-active')?.textContent ?? ''));
    assert.ok(Number(await mine.textContent()) > 0, 'the dashboard counts the officer\'s active alerts');

    await page.goto(`${server.url}/alerts`);
    await h1(page).filter({ hasText: en['alerts.title'] }).waitFor();
    assert.equal(await page.locator('#alerts-queue-mine').getAttribute('aria-pressed'), 'true', 'an officer starts on their own queue');
    const table = page.locator('#alerts-table');
    await table.waitFor();
    assert.ok(await table.locator('tbody tr').count() > 0);
    // Each row: the severity, what raised it in words, the person and a link to the case.
    const row = table.locator('tbody tr').filter({ has: page.locator(`a[href="/alerts/${alert.id}"]`) });
    await row.waitFor();
    assert.ok((await row.locator(`a[href="/cases/${alert.case_id}"]`).textContent()).includes(alert.case_number));
    assert.ok((await row.textContent()).includes(alert.rule_title.en));
    await page.screenshot({ path: join(shots, 'alerts-queue.png'), fullPage: true });
    assert.deepEqual(await lowContrast(page), []);

    // Only high alerts when filtered.
    await page.locator('#alerts-severity').selectOption('high');
    await page.waitForFunction(() => [...document.querySelectorAll('#alerts-table tbody tr')]
      .every((r) => r.querySelector('.alert-severity')?.textContent === 'High') || !!document.querySelector('#alerts-empty'));
    await page.locator('#alerts-severity').selectOption('');

    await row.locator(`a[href="/alerts/${alert.id}"]`).first().click();
    await h1(page).filter({ hasText: alert.rule_title.en }).waitFor();
    const evidence = page.locator('#alert-evidence');
    await evidence.waitFor();
    // The evidence in words: labelled, no raw keys or JSON.
    const evidenceText = await evidence.textContent();
    assert.doesNotMatch(evidenceText, /[{}"]|_id\b/);
    assert.ok(await page.locator('#alert-history li').count() >= 1);

    await page.locator('#alert-acknowledge').click();
    await page.locator('#alert-done').filter({ hasText: en['alerts.acknowledged.done'] }).waitFor();
    await page.locator('.badge', { hasText: en['alerts.status.acknowledged'] }).first().waitFor();

    await page.locator('#alert-verify > summary').click();
    await page.getByLabel(en['alerts.verify.as_task'], { exact: false }).first().check();
    await page.locator('#alert-verify-submit').click();
    // Nothing filled in: the form says what is missing and sends nothing.
    await page.locator('#alert-verify .form-error').waitFor();
    await page.locator('#alert-verify-reasons').fill('Checked the diary: the outcome was never written down.');
    await page.locator('#alert-verify-title').fill('Write down the outcome of the missed appointment');
    await page.locator('#alert-verify-submit').click();
    await page.locator('#alert-done').filter({ hasText: en['alerts.verify.done_task'] }).waitFor();
    await page.locator('.badge', { hasText: en['alerts.status.verified_task'] }).first().waitFor();
    assert.equal(await page.locator('#alert-acknowledge').count(), 0, 'no more actions on a verified alert');
    assert.ok((await page.locator('#alert-history').textContent()).includes(en['alerts.event.verified']));
    await page.screenshot({ path: join(shots, 'alert-verified.png'), fullPage: true });

    await page.goto(`${server.url}/alerts/tasks`);
    await h1(page).filter({ hasText: en['tasks.title'] }).waitFor();
    await page.locator('#tasks-table').getByText('Write down the outcome of the missed appointment').waitFor();
    assert.equal(await overflows(page), false);
    assert.deepEqual(problems, []);
  });

  test('the unit head starts on the unit\'s queue and sees the escalated alerts', async (t) => {
    const { page, problems } = await open(t, 'head');
    await page.goto(`${server.url}/alerts`);
    await h1(page).filter({ hasText: en['alerts.title'] }).waitFor();
    assert.equal(await page.locator('#alerts-queue-unit').getAttribute('aria-pressed'), 'true');
    await page.locator('#alerts-table').waitFor();
    await page.locator('#alerts-queue-escalated').click();
    await page.locator('#alerts-queue-escalated[aria-pressed="true"]').waitFor();
    const rows = page.locator('#alerts-table tbody tr');
    await page.waitForFunction(() => {
      const r = [...document.querySelectorAll('#alerts-table tbody tr')];
      return r.length > 0 && r.every((x) => /Escalated \(level \d\)/.test(x.textContent ?? ''));
    });
    const n = await rows.count();
    assert.ok(n > 0, 'the demo has escalated alerts in the head\'s unit');
    const escalated = await who.head.client.expect(200, 'GET', '/api/v1/alerts?queue=escalated&limit=200');
    assert.equal(n, Math.min(escalated.items.length, 50));
    assert.ok(escalated.items.every((a) => a.escalation_level > 0));
    // Those still open and past their time show the mark.
    if (escalated.items.some((a) => a.ack_overdue)) await page.getByText(en['alerts.ack_overdue']).first().waitFor();
    const summary = await who.head.client.expect(200, 'GET', '/api/v1/alerts/summary');
    assert.equal(summary.unit.escalated, escalated.items.length);
    await page.goto(`${server.url}/`);
    await page.locator('#alerts-card-unit-escalated', { hasText: fill('{n}', { n: summary.unit.escalated }) }).waitFor();
    await page.screenshot({ path: join(shots, 'alerts-escalated.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });
});
