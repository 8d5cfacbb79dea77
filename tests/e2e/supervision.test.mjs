// Browser tests of supervision on the case page and the officer's diary: setting the supervision
// level with a written reason shows whether the policy minimum is met; a plan gets an objective
// and an action, which is marked done; a weekly appointment is scheduled and its occurrences
// listed; an outcome is recorded (an acceptable absence needs its reason); one occurrence is
// moved with a reason; the diary's week view shows it; a calendar feed URL is created, read as
// text/calendar, and revoked.
//
// One server with the demo data (`kadam demo`) and one Chromium for the file. The demo officer of
// the Bishkek city office completes the first login over the API and hands the session cookie to
// fresh browser contexts. The tests run in order on one case opened over the API.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAPTOP, launch, lowContrast, openPage, shotsDir } from '../lib/browser.mjs';
import { firstLogin } from '../lib/identity.mjs';
import { freshDatabase, root, runKadam, startServer } from '../lib/server.mjs';

const load = (lang) => ({
  ...JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.json`), 'utf8')),
  ...JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.cases.json`), 'utf8')),
  ...JSON.parse(readFileSync(join(root, `web/src/i18n/${lang}.supervision.json`), 'utf8')),
});
const en = load('en');
const fill = (text, params) => text.replace(/\{(\w+)\}/g, (_, k) => String(params[k]));
const uiDir = process.env.KADAM_UI_DIR || join(root, 'web/dist');
const PHONE = { width: 360, height: 740 };
const ZONE = 'Asia/Bishkek';

let db;
let server;
let browser;
let shots;
let officer;
const data = {};

function demoPasswords(stdout) {
  const out = {};
  for (const m of stdout.matchAll(/^\s*(\S+)\s+\S+\s+one-time password:\s*(\S+)/gm)) out[m[1]] = m[2];
  return out;
}

/** Today in the deployment zone, YYYY-MM-DD. */
function today(zone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

function addDays(day, n) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d) + n * 86400000).toISOString().slice(0, 10);
}

/** 0 = Monday. */
const weekday = (day) => (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
const DAYS = ['mo', 'tu', 'we', 'th', 'fr', 'sa', 'su'];
/** dd.mm.yyyy / dd/mm/yyyy as the UI writes a day in English. */
const shown = (day) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;

before(async () => {
  assert.ok(existsSync(join(uiDir, 'index.html')), `${uiDir} is missing: build the UI first`);
  db = freshDatabase();
  const demo = runKadam(['demo', '--db', db.url]);
  assert.equal(demo.status, 0, `kadam demo failed: ${demo.stderr}`);
  const passwords = demoPasswords(demo.stdout);
  server = await startServer({ db: db.url, uiDir });
  browser = await launch();
  shots = shotsDir();
  officer = await firstLogin(server.url, 'officer.bishkek', passwords['officer.bishkek']);
  officer.user = (await officer.client.expect(200, 'GET', '/api/v1/auth/session')).user;
  data.zone = (await officer.client.expect(200, 'GET', '/api/v1/system')).timezone || ZONE;
  data.person = await officer.client.expect(201, 'POST', '/api/v1/people', {
    surname: 'Надзоров', given_name: 'Айбек', surname_latin: 'Nadzorov', given_name_latin: 'Aibek',
    birth_date: '1990-05-20', sex: 'male', confirm_not_duplicate: true,
  });
  data.case = await officer.client.expect(201, 'POST', '/api/v1/cases', {
    person_id: data.person.id, kind: 'executive', officer_id: officer.user.id, opened_on: '2026-01-10',
    open_reason: 'Suspended sentence to supervise',
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
  return openPage(browser, t, { storedLang: 'en', cookies: [officer.client.browserCookie()], ...options });
}

const overflows = (page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

/** Screenshots at laptop and phone width; at both, the contrast check and no sideways scrolling. */
async function shoot(page, name, card) {
  for (const [size, viewport] of [['laptop', LAPTOP], ['phone', PHONE]]) {
    await page.setViewportSize(viewport);
    assert.deepEqual(await lowContrast(page), [], `${name}: text contrast below 4.5:1 (${size})`);
    assert.equal(await overflows(page), false, `${name}: the page scrolls sideways (${size})`);
    if (card) await page.locator(card).screenshot({ path: join(shots, `${name}-${size}.png`) });
    else await page.screenshot({ path: join(shots, `${name}-${size}.png`), fullPage: true });
  }
  await page.setViewportSize(LAPTOP);
}

async function openCase(t) {
  const opened = await open(t);
  await opened.page.goto(`${server.url}/cases/${data.case.id}`);
  await opened.page.locator('#main h1').filter({ hasText: fill(en['cases.case.title'], { number: data.case.number }) }).waitFor();
  return opened;
}

describe('supervision', () => {
  test('a level set with a written reason shows whether the policy minimum is met', async (t) => {
    const { page, problems } = await openCase(t);
    const card = page.locator('#supervision');
    await card.getByText(en['sup.level.none']).waitFor();
    await card.getByRole('button', { name: en['sup.level.set'] }).click();
    await page.locator('#level-select').selectOption({ label: 'Intensive' });
    await page.locator('#level-policy').filter({ hasText: /8/ }).waitFor();
    await page.locator('#level-reason').fill('Too short');
    await card.getByRole('button', { name: en['sup.level.submit'] }).click();
    const summary = card.locator('.form-error[role="alert"]');
    await summary.getByText(`${en['sup.level.reason']}: ${fill(en['sup.chars'], { min: 10, max: 2000 })}`).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('form-error')), true, 'focus goes to the error summary');
    await page.locator('#level-reason').fill('Assessed as high risk; weekly reporting and home visits are needed.');
    await card.getByRole('button', { name: en['sup.level.submit'] }).click();
    await card.getByText(en['sup.level.saved']).waitFor();
    await page.locator('#level-current').filter({ hasText: 'Intensive' }).waitFor();
    await page.locator('#level-compliance').filter({ hasText: en['sup.compliance.all_not_met'] }).waitFor();
    // "0 contacts in the last 28 days (minimum 8)": the count, the period and the minimum, in words.
    await page.locator('#level-checks').getByText(fill(en['sup.policy.line'], {
      count: fill(en['sup.n.contacts.other'], { n: 0 }), days: fill(en['sup.n.days.other'], { n: 28 }), required: 8 })).waitFor();
    await card.getByText('Assessed as high risk').waitFor();
    await shoot(page, 'supervision-level', '#supervision');
    assert.deepEqual(problems, []);
  });

  test('a plan gets an objective and an action, which is marked done', async (t) => {
    const { page, problems } = await openCase(t);
    const card = page.locator('#plan');
    await card.getByText(en['sup.plan.about']).waitFor();
    await page.locator('#plan-every').fill('60');
    await card.getByRole('button', { name: en['sup.plan.start'] }).click();
    await card.getByText(en['sup.plan.started']).waitFor();
    await card.getByText(fill(en['sup.days'], { n: 60 })).waitFor();

    await card.getByRole('button', { name: en['sup.objective.add'] }).click();
    await page.locator('#objective-need').selectOption('employment');
    await page.locator('#objective-description').fill('Find steady work within three months');
    await card.locator('form').getByRole('button', { name: en['sup.objective.submit'] }).click();
    await card.getByText(en['sup.objective.added']).waitFor();
    await card.locator('.sup-need-title', { hasText: en['sup.need.employment'] }).waitFor();
    const objective = card.locator('.sup-objective', { hasText: 'Find steady work' });

    await objective.getByRole('button', { name: new RegExp(en['sup.action.add']) }).click();
    const form = objective.locator('form');
    await form.getByLabel(en['sup.action.description']).fill('Register with the employment centre');
    await form.getByLabel(en['sup.action.owner']).selectOption('partner');
    await form.getByLabel(en['sup.owner.partner']).selectOption({ label: 'Community Support NGO (demo)' });
    await form.getByLabel(en['sup.action.due_on']).fill(addDays(today(data.zone), 14));
    await form.getByRole('button', { name: en['sup.action.submit'] }).click();
    await card.getByText(en['sup.action.added']).waitFor();
    const action = card.locator('.sup-action', { hasText: 'Register with the employment centre' });
    await action.getByText('Community Support NGO (demo)').waitFor();
    await action.locator('.badge', { hasText: en['sup.action.status.open'] }).waitFor();

    await action.getByRole('button', { name: new RegExp(en['sup.action.mark_done']) }).click();
    await card.getByText(en['sup.action.marked']).waitFor();
    await card.locator('.sup-action', { hasText: 'Register with the employment centre' })
      .locator('.badge', { hasText: en['sup.action.status.done'] }).waitFor();
    const plan = await officer.client.expect(200, 'GET', `/api/v1/cases/${data.case.id}/plan`);
    assert.equal(plan.objectives[0].actions[0].status, 'done');
    await shoot(page, 'supervision-plan', '#plan');
    assert.deepEqual(problems, []);
  });

  test('a weekly appointment is scheduled and its occurrences are listed', async (t) => {
    const { page, problems } = await openCase(t);
    const card = page.locator('#appointments');
    // Starting two weeks ago on today's weekday, so that some occurrences are past and some to come.
    const start = addDays(today(data.zone), -14);
    const other = DAYS[(weekday(start) + 3) % 7];
    data.start = start;
    await card.getByRole('button', { name: en['sup.appointment.add'] }).click();
    await page.locator('#appt-kind').selectOption('office');
    await page.locator('#appt-location').fill('Office 12');
    await page.locator('#appt-purpose').fill('Weekly reporting');
    await page.locator('#appt-day').fill(start);
    await page.locator('#appt-time').fill('10:00');
    await card.getByText(fill(en['sup.zone'], { zone: '' }).replace(/\.$/, '').trim()).first().waitFor();
    await page.locator('#appt-repeat').selectOption('weekly');
    await page.locator(`#appt-days-${other}`).check();
    await page.locator('#appt-count').fill('8');
    const both = [DAYS[weekday(start)], other].sort((a, b) => DAYS.indexOf(a) - DAYS.indexOf(b));
    const rule = `FREQ=WEEKLY;BYDAY=${both.map((d) => d.toUpperCase()).join(',')};COUNT=8`;
    // The rule in words, not as written: "weekly on Monday and Thursday, 8 times".
    const words = `${en['sup.rrule.freq.weekly']} ${fill(en['sup.rrule.on_days'], {
      days: both.map((d) => en[`sup.rrule.day.${d}`]).join(' and ') })}, ${fill(en['sup.rrule.times.other'], { n: 8 })}`;
    await page.locator('#appt-rule-preview').filter({ hasText: words }).waitFor();
    assert.equal(await page.locator('#appt-rule-preview code').count(), 0);
    await card.getByRole('button', { name: en['sup.appointment.submit'] }).click();
    await card.getByText(en['sup.appointment.saved']).waitFor();
    const upcoming = page.locator('#occurrences-upcoming > li');
    const recent = page.locator('#occurrences-recent > li');
    await recent.first().waitFor();
    await upcoming.first().waitFor();
    assert.equal(await upcoming.count() + await recent.count(), 8, 'eight occurrences in the schedule');
    await recent.first().getByText('Weekly reporting · Office 12', { exact: false }).waitFor();
    await recent.first().locator('.badge', { hasText: en['sup.occ.outcome_due'] }).waitFor();
    const schedule = await officer.client.expect(200, 'GET', `/api/v1/cases/${data.case.id}/appointments`);
    assert.equal(schedule.appointments[0].rrule, rule);
    // The series in words too, with its own cancel button; no raw rule on the page.
    await card.locator('.sup-series li').filter({ hasText: words })
      .getByRole('button', { name: new RegExp(en['sup.series.cancel']) }).waitFor();
    assert.equal(await card.locator('.sup-series code').count(), 0);
    await shoot(page, 'supervision-appointments', '#appointments');
    assert.deepEqual(problems, []);
  });

  test('an outcome is recorded; an acceptable absence needs its reason', async (t) => {
    const { page, problems } = await openCase(t);
    const first = page.locator('#occurrences-recent > li').last(); // the oldest: the start day
    await first.getByRole('button', { name: new RegExp(en['sup.occ.record_outcome']) }).click();
    const form = first.locator('form');
    await form.getByLabel(en['sup.outcome'], { exact: true }).selectOption('acceptable_absence');
    await form.getByRole('button', { name: en['sup.occ.outcome_submit'] }).click();
    await form.locator('.form-error').getByText(`${en['sup.absence']}: ${en['sup.absence.choose']}`).waitFor();
    await form.getByLabel(en['sup.absence'], { exact: true }).selectOption('other');
    await form.getByRole('button', { name: en['sup.occ.outcome_submit'] }).click();
    await form.locator('.form-error').getByText(`${en['sup.absence.detail']}: ${en['sup.absence.detail.required']}`).waitFor();
    await form.getByLabel(en['sup.absence'], { exact: true }).selectOption('medical');
    await form.getByRole('button', { name: en['sup.occ.outcome_submit'] }).click();
    await page.locator('#appointments').getByText(en['sup.occ.outcome_saved']).waitFor();
    const done = page.locator('#occurrences-recent > li').last();
    await done.locator('.badge', { hasText: en['sup.outcome.acceptable_absence'] }).waitFor();
    await done.getByText(en['sup.absence.medical']).waitFor();
    const row = page.locator('#contacts-table tbody tr');
    await row.first().getByText(en['sup.outcome.acceptable_absence']).waitFor();
    await shoot(page, 'supervision-contacts', '#contacts');
    const contacts = await officer.client.expect(200, 'GET', `/api/v1/cases/${data.case.id}/contacts`);
    assert.equal(contacts.items[0].absence_reason, 'medical');
    assert.equal(contacts.items[0].occurrence_local, `${data.start}T10:00`);
    assert.deepEqual(problems, []);
  });

  test('an occurrence is moved with a reason', async (t) => {
    const { page, problems } = await openCase(t);
    const next = page.locator('#occurrences-upcoming > li').first();
    const original = await next.locator('.sup-occ-when strong').textContent();
    await next.getByRole('button', { name: new RegExp(en['sup.occ.reschedule']) }).click();
    const form = next.locator('form');
    await form.getByLabel(en['sup.occ.new_clock']).fill('15:30');
    await form.getByRole('button', { name: en['sup.occ.move_submit'] }).click();
    await form.locator('.form-error').getByText(`${en['sup.reason']}: ${fill(en['sup.chars'], { min: 3, max: 500 })}`).waitFor();
    await form.getByLabel(en['sup.reason']).fill('The officer is in court that morning');
    await form.getByRole('button', { name: en['sup.occ.move_submit'] }).click();
    await page.locator('#appointments').getByText(en['sup.occ.moved_done']).waitFor();
    const moved = page.locator('#occurrences-upcoming > li', { hasText: '15:30' });
    await moved.locator('.badge', { hasText: en['sup.occ.moved'] }).waitFor();
    await moved.getByText('The officer is in court that morning').waitFor();
    const appt = (await officer.client.expect(200, 'GET', `/api/v1/cases/${data.case.id}/appointments`)).appointments[0];
    assert.equal(appt.exceptions.length, 1);
    data.moved = appt.exceptions[0].new_starts_local;
    assert.match(data.moved, /T15:30$/);
    assert.ok(original && !original.includes('15:30'));
    assert.deepEqual(problems, []);
  });

  test('the diary week view shows the moved appointment', async (t) => {
    const { page, problems } = await open(t);
    await page.goto(`${server.url}/supervision`);
    await page.locator('#main h1').filter({ hasText: en['diary.title'] }).waitFor();
    await page.getByRole('link', { name: en['diary.link.variations'] }).waitFor();
    await page.getByRole('link', { name: en['diary.link.catalogue'] }).waitFor();
    const day = data.moved.slice(0, 10);
    const monday = (d) => addDays(d, -weekday(d));
    const weeks = Math.round((Date.parse(monday(day)) - Date.parse(monday(today(data.zone)))) / (7 * 86400000));
    for (let i = 0; i < weeks; i++) await page.locator('#diary-next').click();
    await page.locator('#diary-range').filter({ hasText: shown(monday(day)) }).waitFor();
    const cell = page.locator(`#diary-days [data-day="${day}"]`);
    const item = cell.locator('li', { hasText: '15:30' });
    await item.getByRole('link', { name: data.case.number }).waitFor();
    await item.getByText('Надзоров Айбек').waitFor();
    await item.locator('.badge', { hasText: en['sup.occ.moved'] }).waitFor();
    // The day view, moved day by day to that day, shows it too.
    await page.locator('#diary-view-day').click();
    const anchor = weeks > 0 ? monday(day) : today(data.zone);
    await page.locator('#diary-range').filter({ hasText: shown(anchor) }).waitFor();
    const steps = Math.round((Date.parse(day) - Date.parse(anchor)) / 86400000);
    for (let i = 0; i < Math.abs(steps); i++) await page.locator(steps > 0 ? '#diary-next' : '#diary-prev').click();
    await page.locator('#diary-range').filter({ hasText: shown(day) }).waitFor();
    await page.locator(`#diary-days [data-day="${day}"] li`, { hasText: '15:30' }).getByRole('link', { name: data.case.number }).waitFor();
    assert.equal(await page.locator('#diary-days [data-day]').count(), 1, 'the day view shows one day');
    await shoot(page, 'supervision-diary');
    assert.deepEqual(problems, []);
  });

  test('a calendar feed URL is created, read as text/calendar, and revoked', async (t) => {
    const { page, problems } = await open(t);
    await page.goto(`${server.url}/supervision`);
    const card = page.locator('#feed');
    await card.locator('#feed-status').getByText(en['feed.inactive']).waitFor();
    await page.locator('#feed-create').click();
    const url = (await page.locator('#feed-url').textContent()).trim();
    assert.match(url, /^http:\/\/.+\/api\/v1\/calendar\/.+\.ics$/);
    await card.getByText(en['feed.howto.thunderbird']).waitFor();
    await card.getByText(en['feed.howto.outlook']).waitFor();
    await card.locator('#feed-status').getByText(en['feed.active']).waitFor();
    await shoot(page, 'supervision-feed', '#feed');
    let r = await fetch(url);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/calendar/);
    const ics = await r.text();
    assert.match(ics, /BEGIN:VCALENDAR/);
    assert.match(ics, /BEGIN:VEVENT/);
    await card.locator('#feed-status').getByText(en['feed.last_used']).waitFor();
    await page.locator('#feed-revoke').click();
    await page.getByRole('dialog').getByRole('button', { name: en['feed.revoke'] }).click();
    await card.getByText(en['feed.revoked']).waitFor();
    await card.locator('#feed-status').getByText(en['feed.inactive']).waitFor();
    assert.equal(await page.locator('#feed-url').count(), 0, 'the URL is no longer shown');
    r = await fetch(url);
    assert.equal(r.status, 404);
    assert.deepEqual(problems, []);
  });
});
