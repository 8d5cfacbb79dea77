// The compliance rules: each time rule raises an alert on a case built for it, with its evidence, once
// (its dedupe key); an appointment without outcome raises only once the clock has moved past it by
// the threshold (PUT /system/clock, never a sleep); a disabled rule raises nothing; a changed threshold
// changes the result; a failed outcome raises contact.failed at once, in the same transaction; closed
// cases raise nothing. The rules API: list ordered by rank, If-Match updates, 422 naming each field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { clockDriver, startServer, zoneAtMidMorning } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin, officer, token, tz, clock;
const ids = {};
const HOUR = 3600_000;

function localDate(ms) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}
function localTime(ms) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const alerts = (rule, where = '1 = 1') => JSON.parse(`[${sql(srv.db,
  `SELECT case_id || '|' || COALESCE(dedupe_key, '') || '|' || evidence || '|' || COALESCE(due_on, '') || '|' || severity || '|' || status FROM alert WHERE rule_code = ${q(rule)} AND ${where} ORDER BY raised_at, id`)
  .split('\n').filter(Boolean).map((line) => {
    const [caseId, key, ...rest] = line.split('|');
    const [status, severity, due, ...ev] = rest.reverse();
    return JSON.stringify({ case_id: caseId, key, evidence: JSON.parse(ev.reverse().join('|')), due_on: due || null, severity, status });
  }).join(',')}]`);

// Requests as the administrator's API token (a session would end when the clock jumps past its idle time).
const call = (...a) => clock.call(...a);
const moveClock = (ms) => clock.move(ms);
const runJobs = () => clock.runJobs();
async function setRule(code, change) {
  // Read as stored (a token may not read the list, which is for sessions).
  const [enabled, severity, threshold, escalate, version] = sql(srv.db,
    `SELECT is_enabled || '|' || severity || '|' || COALESCE(CAST(threshold AS TEXT), '') || '|' || escalate_after_hours || '|' || version FROM compliance_rule WHERE code = ${q(code)}`).split('|');
  const cur = { enabled: enabled === '1', severity, threshold: threshold === '' ? null : Number(threshold),
    escalate_after_hours: Number(escalate), version: Number(version) };
  const body = { enabled: cur.enabled, severity: cur.severity, threshold: cur.threshold,
    escalate_after_hours: cur.escalate_after_hours, ...change };
  const r = await call('PUT', `/api/v1/compliance/rules/${code}`, body, { 'if-match': `"${cur.version}"` });
  assert.equal(r.status, 200, r.text);
  return r.body;
}

async function openCase(surname) {
  let r = await officer.post('/api/v1/people', { surname, given_name: 'Тест', birth_date: '1990-05-05', languages: ['ky'] });
  assert.equal(r.status, 201, r.text);
  const person = r.body.id;
  r = await officer.post('/api/v1/cases', {
    person_id: person, kind: 'executive', opened_on: addDays(ids.today, -400), open_reason: 'Court order received',
    officer_id: ids.officer,
  });
  assert.equal(r.status, 201, r.text);
  return { id: r.body.id, person };
}

before(async () => {
  srv = await startServer({ env: { KADAM_CLOCK_CONTROL: '1' } });
  // The clock moves ahead by hours and days: a zone where it is mid-morning now keeps each step's local dates
  // what the test computes, whatever the hour the run starts.
  const zone = zoneAtMidMorning();
  sql(srv.db, `UPDATE setting SET value = ${q(zone)} WHERE key = 'timezone'`);
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'rules.admin')))).client;
  tz = (await admin.get('/api/v1/system')).body.timezone;
  assert.equal(tz, zone, 'the server reads the zone set');
  ids.today = localDate(Date.now());
  let r = await admin.post('/api/v1/tokens', { name: 'rules test', expires_in_days: 30,
    permissions: ['system.jobs', 'system.clock', 'reference.manage'] });
  assert.equal(r.status, 201, r.text);
  token = r.body.secret;
  clock = clockDriver(srv, token, 0);
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Rules Probation', kind: 'probation' })).body.id;
  ids.unit = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Rules Office' })).body.id;
  r = await admin.post('/api/v1/users', { login: 'rules.officer', display_name: 'Rules Officer', agency_id: ids.agency,
    unit_id: ids.unit, roles: ['probation_officer'] });
  assert.equal(r.status, 201, r.text);
  ids.officer = r.body.user.id;
  officer = (await firstLogin(srv.url, 'rules.officer', r.body.one_time_password)).client;
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

test('the rules are listed by rank with titles in three languages; updates need If-Match and valid fields', async () => {
  const r = await officer.get('/api/v1/compliance/rules');
  assert.equal(r.status, 200, r.text);
  // 16 supervision and compliance rules (ranks 1-16) and 13 electronic-monitoring rules (ranks 20-32).
  assert.equal(r.body.items.length, 29);
  assert.deepEqual(r.body.items.map((x) => x.rank),
    [...[...Array(16).keys()].map((i) => i + 1), ...[...Array(13).keys()].map((i) => i + 20)]);
  assert.deepEqual(r.body.items.filter((x) => x.code.startsWith('em.')).length, 13);
  const nr = r.body.items[0];
  assert.equal(nr.code, 'appointment.no_outcome');
  assert.equal(nr.fires_on, 'time');
  assert.equal(nr.enabled, true);
  assert.equal(nr.threshold, 24);
  assert.equal(nr.threshold_unit, 'hours');
  assert.equal(nr.title.en, 'Appointment passed without an outcome');
  assert.ok(nr.title.ky && nr.title.ru);
  assert.equal(nr.version, 1);
  const failed = r.body.items.find((x) => x.code === 'contact.failed');
  assert.equal(failed.fires_on, 'event');
  assert.equal(failed.threshold, null);
  assert.equal(failed.threshold_unit, null);
  // Reading the rules is logged (administration).
  assert.ok(Number(sql(srv.db, "SELECT COUNT(*) FROM audit_log WHERE record_type = 'compliance_rule' AND action = 'consult'")) >= 1);
  // The officer may not change them.
  assert.equal((await officer.put('/api/v1/compliance/rules/contact.failed', {})).status, 403);

  const body = { enabled: true, severity: 'high', threshold: null, escalate_after_hours: 12 };
  let u = await call('PUT', '/api/v1/compliance/rules/contact.failed', body);
  assert.equal(u.status, 428, 'If-Match is required');
  u = await call('PUT', '/api/v1/compliance/rules/contact.failed', body, { 'if-match': '"7"' });
  assert.equal(u.status, 412);
  u = await call('PUT', '/api/v1/compliance/rules/no.such', body, { 'if-match': '"1"' });
  assert.equal(u.status, 404);
  u = await call('PUT', '/api/v1/compliance/rules/contact.failed', { enabled: 'yes', severity: 'severe', threshold: 5,
    escalate_after_hours: 0 }, { 'if-match': '"1"' });
  assert.equal(u.status, 422);
  assert.deepEqual(u.body.errors.map((e) => e.field).sort(), ['enabled', 'escalate_after_hours', 'severity']);
  u = await call('PUT', '/api/v1/compliance/rules/contact.failed', { ...body, threshold: 5 }, { 'if-match': '"1"' });
  assert.equal(u.status, 422, 'a rule without a threshold takes none');
  assert.deepEqual(u.body.errors.map((e) => e.field), ['threshold']);
  u = await call('PUT', '/api/v1/compliance/rules/appointment.no_outcome', { ...body, threshold: null }, { 'if-match': '"1"' });
  assert.equal(u.status, 422, 'a rule with a threshold needs one');
  assert.deepEqual(u.body.errors.map((e) => e.field), ['threshold']);
  u = await call('PUT', '/api/v1/compliance/rules/appointment.no_outcome', { ...body, threshold: 8785 }, { 'if-match': '"1"' });
  assert.equal(u.status, 422);
  assert.deepEqual(u.body.errors.map((e) => e.field), ['threshold']);
  assert.equal(sql(srv.db, "SELECT version FROM compliance_rule WHERE code = 'contact.failed'"), '1', 'nothing changed');

  u = await call('PUT', '/api/v1/compliance/rules/contact.failed', body, { 'if-match': '"1"' });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.headers.get('etag'), '"2"');
  assert.equal(u.body.severity, 'high');
  assert.equal(u.body.escalate_after_hours, 12);
  assert.equal(u.body.version, 2);
  assert.ok(u.body.updated_at);
  assert.equal(Number(sql(srv.db, "SELECT COUNT(*) FROM audit_log WHERE record_type = 'compliance_rule' AND record_id = 'contact.failed' AND action = 'alter'")), 1);
  await setRule('contact.failed', { escalate_after_hours: 24 });
});

test('each time rule raises once, with its evidence, on a case built for it; closed cases raise nothing', async () => {
  const T = ids.today;
  const a = await openCase('Асанов');
  const b = await openCase('Бекова');
  const p = await openCase('Токтогулов');
  const closed = await openCase('Жапаров');
  ids.a = a.id;
  ids.b = b.id;
  const now = Date.now();
  const measure = sql(srv.db, "SELECT code FROM ref_measure WHERE is_custodial = 0 ORDER BY code LIMIT 1");
  const decision = (caseId) => {
    const id = randomUUID();
    sql(srv.db, `INSERT INTO decision (id, case_id, authority, decided_on, measure, start_on, term, created_at, updated_at)
      VALUES (${q(id)}, ${q(caseId)}, 'Test court', ${q(addDays(T, -400))}, ${q(measure)}, ${q(addDays(T, -400))}, '2y', ${now}, ${now})`);
    return id;
  };
  const da = decision(a.id), dp = decision(p.id), dc = decision(closed.id);
  const condition = (caseId, decisionId, reviewOn) => {
    const id = randomUUID();
    sql(srv.db, `INSERT INTO case_condition (id, case_id, decision_id, duty, free_text, answers, answers_detail, review_on,
      effective_from, status, created_at, updated_at) VALUES (${q(id)}, ${q(caseId)}, ${q(decisionId)}, 'report',
      'Report weekly', 'risk', 'Test', ${q(reviewOn)}, ${q(addDays(T, -400))}, 'active', ${now}, ${now})`);
    return id;
  };
  const cDue = condition(a.id, da, addDays(T, 3));
  const cOver = condition(a.id, da, addDays(T, -2));
  const cFar = condition(a.id, da, addDays(T, 40));
  const cClosed = condition(closed.id, dc, addDays(T, 1));
  const plan = randomUUID();
  sql(srv.db, `INSERT INTO supervision_plan (id, case_id, review_every_days, next_review_on, created_at, created_by, updated_at)
    VALUES (${q(plan)}, ${q(a.id)}, 90, ${q(addDays(T, 5))}, ${now}, ${q(ids.officer)}, ${now})`);
  const keyDate = (decisionId, caseId, kind, date) => sql(srv.db, `INSERT INTO key_date (decision_id, kind, case_id, date,
    explanation, computed_at) VALUES (${q(decisionId)}, ${q(kind)}, ${q(caseId)}, ${q(date)}, 'test', ${now})`);
  keyDate(da, a.id, 'supervision_end', addDays(T, 10));
  keyDate(dc, closed.id, 'supervision_end', addDays(T, 10));
  sql(srv.db, `UPDATE case_file SET kind = 'penitentiary' WHERE id = ${q(p.id)}`);
  keyDate(dp, p.id, 'release', addDays(T, 60));
  keyDate(da, a.id, 'release', addDays(T, 60)); // not a penitentiary case: no alert
  const pretrial = (caseId, due) => {
    const id = randomUUID();
    sql(srv.db, `INSERT INTO pretrial_request (id, case_id, court, received_on, due_on, status, template, language,
      created_at, updated_at) VALUES (${q(id)}, ${q(caseId)}, 'Test court', ${q(addDays(T, -10))}, ${q(due)}, 'requested',
      'psr@1', 'ky', ${now}, ${now})`);
    return id;
  };
  const prDue = pretrial(a.id, addDays(T, 2));
  const prOver = pretrial(b.id, addDays(T, -1));
  const complaint = (c, due) => {
    const id = randomUUID();
    sql(srv.db, `INSERT INTO complaint (id, person_id, case_id, unit_id, received_on, channel, about, summary, language,
      answer_due_on, status, created_at, created_by, updated_at) VALUES (${q(id)}, ${q(c.person)}, ${q(c.id)}, ${q(ids.unit)},
      ${q(addDays(due, -14))}, 'letter', 'other', 'Test complaint', 'ky', ${q(due)}, 'open', ${now}, ${q(ids.officer)}, ${now})`);
    return id;
  };
  const coDue = complaint(a, addDays(T, 1));
  const coOver = complaint(b, addDays(T, -3));
  // Levels: "high" (4 contacts in 28 days, reassessed after 120 days) in force for 125 days on A (overdue,
  // none held); "low" (1 in 28, 365 days) since 360 days on B (due in 5 days) with its one contact held.
  const level = (caseId, code, from) => {
    const id = randomUUID();
    sql(srv.db, `INSERT INTO case_supervision_level (id, case_id, level, reason, effective_from, set_by, set_at)
      VALUES (${q(id)}, ${q(caseId)}, ${q(code)}, 'Test', ${q(from)}, ${q(ids.officer)}, ${now})`);
    return id;
  };
  const la = level(a.id, 'high', addDays(T, -125));
  const lb = level(b.id, 'low', addDays(T, -360));
  level(p.id, 'low', addDays(T, -3)); // not in force for a full period yet
  let r = await officer.post(`/api/v1/cases/${b.id}/contacts`, { kind: 'office', happened_local: `${addDays(T, -3)}T10:00`,
    outcome: 'attended_complied' });
  assert.equal(r.status, 201, r.text);
  r = await officer.post(`/api/v1/cases/${a.id}/contacts`, { kind: 'phone', happened_local: `${addDays(T, -2)}T10:00`,
    outcome: 'attended_complied' });
  assert.equal(r.status, 201, r.text);
  sql(srv.db, `UPDATE case_file SET status = 'closed', closed_on = ${q(T)}, close_reason = 'test' WHERE id = ${q(closed.id)}`);

  const detail = await runJobs();
  assert.equal(detail.raised, 12, `${JSON.stringify(detail)} ${sql(srv.db, "SELECT rule_code, dedupe_key FROM alert")}`);

  const one = (code) => {
    const list = alerts(code);
    assert.equal(list.length, 1, `${code}: ${JSON.stringify(list)}`);
    assert.equal(list[0].status, 'open');
    return list[0];
  };
  let x = alerts('condition.review_due');
  assert.equal(x.length, 1, 'the near review only; not the far one nor the closed case\'s');
  assert.deepEqual(x[0].evidence, { condition_id: cDue, code: null, review_on: addDays(T, 3) });
  assert.equal(x[0].key, `condition.review_due:${cDue}:${addDays(T, 3)}`);
  assert.equal(x[0].due_on, addDays(T, 3));
  assert.equal(x[0].severity, 'low');
  assert.ok(![cFar, cClosed].some((c) => JSON.stringify(alerts('condition.review_due')).includes(c)));
  x = one('condition.review_overdue');
  assert.deepEqual(x.evidence, { condition_id: cOver, code: null, review_on: addDays(T, -2) });
  x = one('plan.review_due');
  assert.deepEqual(x.evidence, { plan_id: plan, next_review_on: addDays(T, 5) });
  x = one('supervision.end_approaching');
  assert.equal(x.case_id, a.id);
  assert.deepEqual(x.evidence, { decision_id: da, date: addDays(T, 10) });
  x = one('release.approaching');
  assert.equal(x.case_id, p.id);
  assert.deepEqual(x.evidence, { decision_id: dp, date: addDays(T, 60) });
  x = one('pretrial.report_due');
  assert.deepEqual(x.evidence, { pretrial_request_id: prDue, due_on: addDays(T, 2) });
  x = one('pretrial.report_overdue');
  assert.deepEqual(x.evidence, { pretrial_request_id: prOver, due_on: addDays(T, -1) });
  assert.equal(x.severity, 'high');
  x = one('complaint.answer_due');
  assert.deepEqual(x.evidence, { complaint_id: coDue, answer_due_on: addDays(T, 1) });
  x = one('complaint.answer_overdue');
  assert.deepEqual(x.evidence, { complaint_id: coOver, answer_due_on: addDays(T, -3) });
  x = one('reassessment.overdue');
  assert.equal(x.case_id, a.id);
  assert.deepEqual(x.evidence, { level: 'high', level_from: addDays(T, -125), due_on: addDays(T, -5) });
  assert.ok(x.key.startsWith(`reassessment.overdue:${la}:`));
  x = one('reassessment.due');
  assert.equal(x.case_id, b.id);
  assert.deepEqual(x.evidence, { level: 'low', level_from: addDays(T, -360), due_on: addDays(T, 5) });
  assert.ok(x.key.startsWith(`reassessment.due:${lb}:`));
  x = one('level.min_contacts');
  assert.equal(x.case_id, a.id, 'B held its one contact; P is not a full period into its level');
  assert.deepEqual(x.evidence, { level: 'high', min_contacts: 4, done: 1, period_from: addDays(T, -27), period_to: T });
  // Each alert is on the case's timeline.
  assert.ok(Number(sql(srv.db, `SELECT COUNT(*) FROM case_event WHERE case_id = ${q(a.id)} AND kind = 'alert.raised'`)) >= 8);
  // Raised by the system: logged with no account as actor.
  assert.ok(Number(sql(srv.db, "SELECT COUNT(*) FROM audit_log WHERE record_type = 'alert' AND actor_id IS NULL AND action = 'collect'")) >= 12);

  // Run again at a later slot: nothing new.
  const total = Number(sql(srv.db, 'SELECT COUNT(*) FROM alert'));
  await moveClock(Date.now() + 6 * 60_000);
  const again = await runJobs();
  assert.equal(again.raised, 0, JSON.stringify(again));
  assert.equal(Number(sql(srv.db, 'SELECT COUNT(*) FROM alert')), total);
  // A moved date raises anew.
  sql(srv.db, `UPDATE supervision_plan SET next_review_on = ${q(addDays(T, 6))} WHERE id = ${q(plan)}`);
  await moveClock(clock.at + 6 * 60_000);
  assert.equal((await runJobs()).raised, 1);
  assert.equal(alerts('plan.review_due').length, 2);
});

test('a failed outcome raises contact.failed at once; an unscheduled unacceptable absence too', async () => {
  const c = await openCase('Осмонов');
  const start = localTime(clock.at - 5 * HOUR);
  let r = await officer.post(`/api/v1/cases/${c.id}/appointments`, { kind: 'office', purpose: 'Reporting',
    starts_local: start, duration_min: 30 });
  assert.equal(r.status, 201, r.text);
  const ap = r.body.id;
  r = await officer.post(`/api/v1/appointments/${ap}/outcome`, { occurrence_local: start, outcome: 'failed_to_attend' });
  assert.equal(r.status, 201, r.text);
  const contact = r.body.id;
  let list = alerts('contact.failed', `case_id = ${q(c.id)}`);
  assert.equal(list.length, 1);
  assert.equal(list[0].key, `contact.failed:${contact}:${start}`);
  assert.equal(list[0].evidence.contact_id, contact);
  assert.equal(list[0].evidence.appointment_id, ap);
  assert.equal(list[0].evidence.outcome, 'failed_to_attend');
  assert.match(list[0].evidence.occurred_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  assert.equal(list[0].due_on, start.slice(0, 10));
  assert.equal(Number(sql(srv.db, `SELECT COUNT(*) FROM case_event WHERE case_id = ${q(c.id)} AND kind = 'alert.raised'`)), 1);
  r = await officer.post(`/api/v1/cases/${c.id}/contacts`, { kind: 'home_visit', happened_local: localTime(clock.at - HOUR),
    outcome: 'unacceptable_absence' });
  assert.equal(r.status, 201, r.text);
  list = alerts('contact.failed', `case_id = ${q(c.id)}`);
  assert.equal(list.length, 2);
  assert.equal(list[1].evidence.appointment_id, null);
  assert.equal(list[1].evidence.outcome, 'unacceptable_absence');
  r = await officer.post(`/api/v1/cases/${c.id}/contacts`, { kind: 'phone', happened_local: localTime(clock.at - HOUR),
    outcome: 'attended_complied' });
  assert.equal(r.status, 201);
  assert.equal(alerts('contact.failed', `case_id = ${q(c.id)}`).length, 2, 'a held contact raises nothing');
  // The backstop in the time run finds nothing more to raise.
  await moveClock(clock.at + 6 * 60_000);
  await runJobs();
  assert.equal(alerts('contact.failed', `case_id = ${q(c.id)}`).length, 2);
  // Disabled: nothing.
  await setRule('contact.failed', { enabled: false });
  r = await officer.post(`/api/v1/cases/${c.id}/contacts`, { kind: 'phone', happened_local: localTime(clock.at - HOUR),
    outcome: 'failed_to_attend' });
  assert.equal(r.status, 201);
  assert.equal(alerts('contact.failed', `case_id = ${q(c.id)}`).length, 2, 'a disabled rule raises nothing');
  await setRule('contact.failed', { enabled: true });
});

test('an appointment without outcome raises once the clock passes its end by the threshold; disabled or a longer threshold: nothing', async () => {
  const c = await openCase('Мамытов');
  const past = localTime(clock.at - 3 * HOUR);
  const later = localTime(clock.at + 20 * HOUR);
  let r = await officer.post(`/api/v1/cases/${c.id}/appointments`, { kind: 'office', purpose: 'Reporting', starts_local: past,
    duration_min: 30 });
  assert.equal(r.status, 201, r.text);
  const first = r.body.id;
  r = await officer.post(`/api/v1/cases/${c.id}/appointments`, { kind: 'home_visit', purpose: 'Visit', starts_local: later,
    duration_min: 30 });
  assert.equal(r.status, 201, r.text);
  const second = r.body.id;
  const mine = () => alerts('appointment.no_outcome', `case_id = ${q(c.id)}`);
  await moveClock(clock.at + 6 * 60_000);
  await runJobs();
  assert.equal(mine().length, 0, 'ended less than 24 hours ago');

  await moveClock(clock.at + 26 * HOUR);
  await runJobs();
  let list = mine();
  assert.equal(list.length, 1, JSON.stringify(list));
  assert.equal(list[0].key, `appointment.no_outcome:${first}:${past}`);
  assert.equal(list[0].evidence.appointment_id, first);
  assert.equal(list[0].evidence.occurrence, past);
  assert.equal(list[0].evidence.kind, 'office');
  assert.ok(list[0].evidence.hours >= 24 && list[0].evidence.hours <= 30, JSON.stringify(list[0].evidence));
  assert.equal(list[0].due_on, past.slice(0, 10));
  // Run twice: still one.
  await moveClock(clock.at + 6 * 60_000);
  await runJobs();
  assert.equal(mine().length, 1);

  // The second ended about 29 hours before this run, but the rule is off.
  await setRule('appointment.no_outcome', { enabled: false });
  await moveClock(clock.at + 24 * HOUR);
  await runJobs();
  assert.equal(mine().length, 1, 'a disabled rule raises nothing');
  // On again with 48 hours: still too early.
  await setRule('appointment.no_outcome', { enabled: true, threshold: 48 });
  await moveClock(clock.at + 6 * 60_000);
  await runJobs();
  assert.equal(mine().length, 1, 'a longer threshold: not yet');
  // 12 hours: now it is raised.
  await setRule('appointment.no_outcome', { threshold: 12 });
  await moveClock(clock.at + 6 * 60_000);
  await runJobs();
  list = mine();
  assert.equal(list.length, 2);
  assert.equal(list[1].evidence.appointment_id, second);
  assert.equal(list[1].evidence.kind, 'home_visit');
});
