// Browser tests of a breach allegation by due process (S6-S9): the page shows the state and the next
// required step; the officer records the notification through the form; the unit head countersigns;
// the competent authority (the demo court's judge) decides. The list shows the allegation with its state.
//
// One server with the demo data and one Chromium for the file. The allegation is made on a new case of
// the demo officer (verified from an officer's alert through the API, or as the verification writes it
// when the alerts API is not there).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, openPage, shotsDir } from '../lib/browser.mjs';
import { firstLogin } from '../lib/identity.mjs';
import { freshDatabase, root, runKadam, startServer } from '../lib/server.mjs';

const uiDir = process.env.KADAM_UI_DIR || join(root, 'web/dist');
const en = {
  ...JSON.parse(readFileSync(join(root, 'web/src/i18n/en.json'), 'utf8')),
  ...JSON.parse(readFileSync(join(root, 'web/src/i18n/en.breaches.json'), 'utf8')),
};
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (_, k) => String(params[k]));

let db, server, browser, shots;
const who = {};
const data = {};

function demoPasswords(stdout) {
  const out = {};
  for (const m of stdout.matchAll(/^\s*(\S+)\s+\S+\s+one-time password:\s*(\S+)/gm)) out[m[1]] = m[2];
  return out;
}
function today(timeZone = 'Asia/Bishkek') {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

async function version(client, id) {
  return (await client.expect(200, 'GET', `/api/v1/breaches/${id}`)).version;
}
async function move(client, id, action, body) {
  const v = await version(client, id);
  return client.expect(200, 'POST', `/api/v1/breaches/${id}/${action}`, body, { 'if-match': `"${v}"` });
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
  who.judge = await firstLogin(server.url, 'judge.bishkek', passwords['judge.bishkek']);
  const officer = who.officer.client;
  const me = (await officer.expect(200, 'GET', '/api/v1/auth/session')).user;
  data.person = await officer.expect(201, 'POST', '/api/v1/people', {
    surname: 'Нарушаев', given_name: 'Бакыт', birth_date: '1991-02-03', sex: 'male', languages: ['ky'],
    confirm_not_duplicate: true,
  });
  data.case = await officer.expect(201, 'POST', '/api/v1/cases', {
    person_id: data.person.id, kind: 'executive', officer_id: me.id, opened_on: '2026-01-10', open_reason: 'Suspended sentence to supervise',
  });
  data.decision = await officer.expect(201, 'POST', `/api/v1/cases/${data.case.id}/decisions`, {
    authority: 'Pervomaisky District Court of Bishkek', number: '1-888/2026', decided_on: '2026-01-05',
    measure: 'probation_supervision', articles: ['CC-130'], start_on: '2026-01-10', term: '2y', remand_days: 0, duties: ['report'],
  });
  const condition = await officer.expect(201, 'POST', `/api/v1/cases/${data.case.id}/conditions`, {
    decision_id: data.decision.id, free_text: 'Report to the probation office every Monday', duty: 'report',
    answers: 'need', answers_detail: 'Structure', review_on: '2026-12-01',
  });
  const allegation = 'Did not report on Monday and gave no reason';
  const occurred = today();
  // A breach allegation exists only from a verified alert (S25).
  const alert = await officer.expect(201, 'POST', `/api/v1/cases/${data.case.id}/alerts`, { summary: 'Missed Monday', severity: 'high' });
  const v = await officer.expect(200, 'POST', `/api/v1/alerts/${alert.id}/verification`, {
    outcome: 'breach', reasons: 'Confirmed', breach: { allegation, occurred_on: occurred, condition_ids: [condition.id] },
  }, { 'If-Match': `"${alert.version}"` });
  data.breach = v.breach_id;
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
const next = (page) => page.locator('#breach-next');
const stateName = (s) => en[`breach.state.${s}`];

describe('a breach allegation by due process', () => {
  test('the page shows the state and the next step; the officer records the notification', async (t) => {
    const { page, problems } = await open(t, 'officer');
    await page.goto(`${server.url}/breaches/${data.breach}`);
    await next(page).getByText(fill(en['breach.next'], { step: en['breach.step.notification'] })).waitFor();
    await page.locator('.breach-stepper li.is-current').getByText(stateName('reported')).waitFor();
    assert.equal(await page.locator('.breach-stepper li').count(), 9);
    // The appeal is not a required step.
    assert.equal(await page.locator('.breach-stepper li.is-optional').count(), 2);
    await page.locator('.breach-stepper li.is-optional').first().getByText(en['breach.step.optional']).waitFor();
    // A mistake is caught before sending, in words: a notification before the alleged breach.
    const notif = page.locator('form.breach-form').filter({ hasText: en['breach.action.notification'] }).first();
    await notif.locator('#breach-notification-notified_on').fill('2020-01-01');
    await notif.getByRole('button', { name: en['breach.action.notification'] }).click();
    await page.locator('#breach-notification-notified_on-error').waitFor();
    assert.doesNotMatch(await page.locator('#breach-notification-notified_on-error').innerText(), /\d{4}-\d{2}-\d{2}|notified_on/);
    await notif.locator('#breach-notification-notified_on').fill(today());
    const form = page.locator('form.breach-form').filter({ hasText: en['breach.action.notification'] }).first();
    await form.locator('#breach-notification-method').selectOption('letter');
    await form.getByRole('button', { name: en['breach.action.notification'] }).click();
    await next(page).getByText(fill(en['breach.next'], { step: en['breach.step.account'] })).waitFor();
    await page.locator('.breach-stepper li.is-current').getByText(stateName('notified')).waitFor();
    await page.locator('.breach-stepper li.is-done').first().getByText('Demo Officer Bishkek').waitFor();
    // The documents open in a new tab, in the chosen language.
    const link = page.getByRole('link', { name: en['breach.doc.notification'] });
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.match(await link.getAttribute('href'), /documents\/notification\?lang=ky$/);
    await page.screenshot({ path: join(shots, 'breach-notified.png'), fullPage: true });
    assert.deepEqual(problems, []);
    const b = await who.officer.client.expect(200, 'GET', `/api/v1/breaches/${data.breach}`);
    assert.equal(b.state, 'notified');
    assert.equal(b.notice_method, 'letter');
    // The account and the assessment, through the API.
    await move(who.officer.client, data.breach, 'account', { kind: 'given', text: 'Ооруп калдым', account_on: today() });
    await move(who.officer.client, data.breach, 'assessment', {
      facts: 'One missed appointment', alternatives: 'Warning, closer contact', recommended_response: 'referral',
    });
  });

  test('the unit head countersigns; the officer sees no countersign form', async (t) => {
    const officerPage = await open(t, 'officer');
    await officerPage.page.goto(`${server.url}/breaches/${data.breach}`);
    // The banner says who takes the step, not just "someone else".
    await next(officerPage.page).getByText(fill(en['breach.next.for'], { who: en['breach.who.head'] })).waitFor();
    // Every fact due process depends on is shown: the notification, the account's deadline, the account,
    // the alternatives the officer considered.
    const facts = await officerPage.page.locator('.breach-facts-card').innerText();
    for (const key of ['breach.notified_on', 'breach.notice_method', 'breach.account_due_on', 'breach.account_on',
      'breach.field.alternatives']) assert.ok(facts.includes(en[key]), `${en[key]} in ${facts}`);
    assert.ok(facts.includes('Warning, closer contact'), 'the alternatives considered are shown');
    assert.doesNotMatch(facts, /\d{4}-\d{2}-\d{2}/, 'no ISO dates');
    assert.equal(await officerPage.page.locator('#breach-countersignature-decision').count(), 0);
    const { page, problems } = await open(t, 'head');
    await page.goto(`${server.url}/breaches/${data.breach}`);
    await next(page).getByText(fill(en['breach.next'], { step: en['breach.step.countersignature'] })).waitFor();
    await page.locator('#breach-countersignature-decision').selectOption('countersign');
    await page.getByRole('button', { name: en['breach.action.countersignature'] }).click();
    await next(page).getByText(fill(en['breach.next'], { step: en['breach.step.referral'] })).waitFor();
    await page.locator('.breach-stepper li.is-current').getByText(stateName('countersigned')).waitFor();
    assert.deepEqual(problems, []);
    await move(who.officer.client, data.breach, 'referral', { authority: 'Bishkek City Court (demo)' });
  });

  test('the competent authority decides, with the alternatives considered and the appeal route', async (t) => {
    const { page, problems } = await open(t, 'judge');
    // The section's link (/alerts) takes the judge to the one tab they may open.
    await page.goto(`${server.url}/alerts`);
    await page.waitForURL(/\/breaches$/);
    await page.getByRole('heading', { level: 1, name: en['breaches.title'] }).waitFor();
    assert.equal(await page.getByText(en['error.forbidden']).count(), 0);
    // The list scrolls inside its container.
    await page.locator('.table-wrap #breaches-table').waitFor();
    await page.getByRole('link', { name: 'Нарушаев Бакыт' }).click();
    await next(page).getByText(fill(en['breach.next'], { step: en['breach.step.decision'] })).waitFor();
    // The judge cannot open the case page: the case number is text, not a link that would refuse.
    assert.equal(await page.locator('#breach-case a').count(), 0);
    assert.equal((await page.locator('#breach-case').innerText()).trim(), data.case.number);
    await page.locator('#breach-decision-outcome').selectOption('warning');
    await page.locator('#breach-decision-reasons').fill('One missed appointment with a family reason.');
    await page.locator('#breach-decision-authority_reference').fill('1-909/26');
    await page.locator('#breach-decision-appeal_route').fill('Appeal chamber of the Bishkek City Court');
    await page.getByRole('button', { name: en['breach.action.decision'] }).click();
    // alternatives_considered is required (S8): the server's 422 names it.
    await page.locator('.form-error').getByText(en['breach.field.alternatives_considered'], { exact: false }).waitFor();
    await page.locator('#breach-decision-alternatives_considered').fill('Custody is not proportionate; a warning suffices.');
    await page.getByRole('button', { name: en['breach.action.decision'] }).click();
    await page.locator('.breach-stepper li.is-current').getByText(stateName('decided')).waitFor();
    await next(page).getByText(fill(en['breach.next'], { step: en['breach.step.appeal'] })).waitFor();
    await page.screenshot({ path: join(shots, 'breach-decided.png'), fullPage: true });
    assert.deepEqual(problems, []);
    const b = await who.officer.client.expect(200, 'GET', `/api/v1/breaches/${data.breach}`);
    assert.equal(b.state, 'decided');
    assert.equal(b.decided_by_name, 'Demo Judge Bishkek');
    assert.ok(b.appeal_deadline_on);
  });
});
