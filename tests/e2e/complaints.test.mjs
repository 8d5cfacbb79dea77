// Browser tests of responses and complaints (issue 6): an officer records a response on the case
// page (the ladder in two columns, the response listed with its printable letter), then registers a
// complaint from the case page's link and answers it on the complaint's page (S9); the dashboard
// shows the ratio of positive to negative responses.
//
// One server with the demo data (`kadam demo`) and one Chromium for the file.
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
  ...JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.cases.json`), 'utf8')),
  ...JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.responses.json`), 'utf8')),
});
const en = load('en');
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (_, k) => String(params[k]));

let db;
let server;
let browser;
let shots;
const who = {};
const data = {};

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
  assert.ok(passwords['officer.bishkek'], 'no one-time password for officer.bishkek');
  server = await startServer({ db: db.url, uiDir });
  browser = await launch();
  shots = shotsDir();
  who.officer = await firstLogin(server.url, 'officer.bishkek', passwords['officer.bishkek']);
  const officer = who.officer.client;
  const me = (await officer.expect(200, 'GET', '/api/v1/auth/session')).user;
  data.person = await officer.expect(201, 'POST', '/api/v1/people', {
    surname: 'Жоопбеков', given_name: 'Нурлан', surname_latin: 'Zhoopbekov', given_name_latin: 'Nurlan',
    birth_date: '1991-03-04', sex: 'male', languages: ['ky'], preferred_language: 'ky', confirm_not_duplicate: true,
  });
  data.case = await officer.expect(201, 'POST', '/api/v1/cases', {
    person_id: data.person.id, kind: 'executive', officer_id: me.id, opened_on: '2026-01-10', open_reason: 'Suspended sentence to supervise',
  });
});

after(async () => {
  await browser?.close();
  const r = await server?.stop();
  if (r && r.code !== 0 && r.code !== null) console.error(server.logs());
  db?.drop();
  if (shots) console.log(`# screenshots in ${shots}`);
});

function open(t, options = {}) {
  return openPage(browser, t, { storedLang: 'en', cookies: [who.officer.client.browserCookie()], ...options });
}

const card = (page) => page.locator('#responses');

describe('responses and complaints', () => {
  test('an officer records a response on the case page and sees it with its letter', async (t) => {
    const { page, problems } = await open(t);
    await page.goto(`${server.url}/cases/${data.case.id}`);
    await card(page).getByRole('heading', { name: en['responses.title'], exact: true }).waitFor();
    await card(page).getByText(en['responses.none']).waitFor();
    // The ladder in two columns, both empty on this case.
    await card(page).getByRole('heading', { name: new RegExp(en['responses.negative']) }).waitFor();
    await card(page).getByRole('heading', { name: new RegExp(en['responses.positive']) }).waitFor();
    assert.equal((await card(page).locator('#responses-negative-count').textContent()).trim(), '0');

    await page.locator('#response-add').click();
    const form = card(page).locator('form.resp-form');
    await form.waitFor();
    // Reasons are required: the form says so before sending.
    await form.locator('#response-code').selectOption('warning');
    await form.locator('#response-save').click();
    await form.locator('.form-error').waitFor();
    // A variation request and a referral are not offered.
    assert.equal(await form.locator('#response-code option[value="referral"]').count(), 0);
    assert.equal(await form.locator('#response-code option[value="variation_request"]').count(), 0);
    await form.locator('#response-reasons').fill('Missed the appointment of 3 March without telling the officer');
    await form.locator('#response-save').click();
    await card(page).getByText(en['responses.saved']).waitFor();
    const item = card(page).locator('#responses-list li').first();
    await item.getByText('Missed the appointment of 3 March').waitFor();
    assert.match(await item.textContent(), /Warning/);
    assert.equal((await card(page).locator('#responses-negative-count').textContent()).trim(), '1');
    // The letter: in the person's language by default, another one on request.
    const link = item.getByRole('link', { name: new RegExp(en['responses.letter']) });
    assert.match(await link.getAttribute('href'), /\/api\/v1\/responses\/[0-9a-f-]+\/letter$/);
    await card(page).locator('#responses-letter-lang').selectOption('ru');
    assert.match(await link.getAttribute('href'), /\/letter\?lang=ru$/);
    const letter = await page.request.get(`${server.url}${await link.getAttribute('href')}`);
    assert.equal(letter.status(), 200);
    assert.match(await letter.text(), /Предупреждение[\s\S]*Жоопбеков Нурлан/);
    await page.screenshot({ path: join(shots, 'responses-card.png'), fullPage: false });
    assert.deepEqual(await lowContrast(page), [], 'responses card: text contrast below 4.5:1');
    assert.deepEqual(problems, []);
  });

  test('a complaint registered from the case page and answered on its page', async (t) => {
    const { page, problems } = await open(t);
    await page.goto(`${server.url}/cases/${data.case.id}`);
    await card(page).getByRole('link', { name: en['complaints.register.from_case'] }).click();
    const form = page.locator('#complaint-form-heading').locator('xpath=..');
    await form.waitFor();
    assert.equal(await page.locator('#complaint-case').inputValue(), data.case.id, 'the case is chosen');
    // No internal codes in what people read.
    assert.doesNotMatch(await page.locator('main').innerText(), /\(S\d+\)/);
    // The case list can be narrowed by typing: one match is chosen.
    await page.locator('#complaint-case').selectOption('');
    await page.locator('#complaint-case-filter').fill(data.case.number);
    await page.locator('#complaint-case-matches').getByText(fill(en['complaints.case.matches'], { n: 1 })).waitFor();
    assert.equal(await page.locator('#complaint-case').inputValue(), data.case.id, 'the only match is chosen');
    await page.locator('#complaint-save').click();
    await page.locator('.form-error').waitFor();
    await page.locator('#complaint-channel').selectOption('letter');
    await page.locator('#complaint-about').selectOption('officer_conduct');
    await page.locator('#complaint-summary').fill('Says the home visit came without notice');
    await page.locator('#complaint-save').click();
    await page.locator('#complaint-heading').waitFor();
    await page.locator('#complaint-summary').getByText('Says the home visit came without notice').waitFor();
    assert.match(await page.locator('#complaint-status').textContent(), new RegExp(en['complaints.status.open']));
    await page.locator('#complaint-answer-open').click();
    await page.locator('#complaint-answer-text').fill('Answered in writing: visits are announced by letter.');
    await page.locator('#complaint-action-save').click();
    await page.locator('#complaint-done').getByText(en['complaints.answer.done']).waitFor();
    await page.locator('#complaint-answer').getByText('visits are announced by letter').waitFor();
    assert.match(await page.locator('#complaint-status').textContent(), new RegExp(en['complaints.status.answered']));

    // The register lists it among the answered ones.
    await page.goto(`${server.url}/complaints`);
    await page.locator('#complaints-status').selectOption('answered');
    await page.locator('#complaints-table').getByText('Жоопбеков Нурлан').waitFor();
    assert.deepEqual(await lowContrast(page), [], 'complaints register: text contrast below 4.5:1');
    // The case's timeline has it.
    await page.goto(`${server.url}/cases/${data.case.id}`);
    await page.locator('#timeline').getByText(en['timeline.kind.complaint.answered']).first().waitFor();
    assert.deepEqual(problems, []);
  });

  test('the dashboard shows positive and negative responses per unit and officer', async (t) => {
    const { page, problems } = await open(t);
    await page.goto(`${server.url}/`);
    const ratio = page.locator('#response-ratio');
    await ratio.getByRole('heading', { name: en['responses.ratio.title'] }).waitFor();
    await ratio.locator('#response-ratio-units tbody tr').first().waitFor();
    assert.equal(await ratio.locator('#response-ratio-officers tbody tr').count(), 1, 'an officer sees their own row');
    assert.deepEqual(problems, []);
  });
});
