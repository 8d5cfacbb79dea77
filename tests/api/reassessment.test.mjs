// Reassessment (issue 8): a case falls due for reassessment by its supervision level's interval while it has
// no completed assessment, then by the shorter of the instrument's and the level's interval from the latest
// submitted or countersigned one (the instrument's alone without a level); each trigger (a new current address,
// a note of new information, a verified breach, a release date passing, an officer's own) is recorded and logged
// once and raises one alert and one task through the compliance engine; countersigning an assessment (not
// submitting it: a submitted one can be returned and withdrawn) resolves the triggers before it and closes every
// reminder task and alert, each logged. The latest countersigned judgement suggests a level; the officer decides,
// and departing from it needs a reason of 30 characters. Time moves with PUT /system/clock (never a sleep).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { clockDriver, startServer, zoneAtMidMorning } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin, officer, head, token, tz, clock;
const ids = {};
const DAY = 86400_000;
const NS = 'kadam.needs-screening';

function localDate(ms) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));
const rows = (statement) => sql(srv.db, statement).split('\n').filter(Boolean).map((l) => l.split('|'));

// The administrator's API token: moves the clock and runs the jobs.
const call = (...a) => clock.call(...a);
const moveClock = (ms) => clock.move(ms);
async function runJobs() {
  await moveClock(clock.at + 6 * 60_000); // the next slot of the scheduler
  return clock.runJobs();
}

async function user(login, role) {
  const r = await admin.post('/api/v1/users', { login, display_name: `Test ${login}`, agency_id: ids.agency,
    unit_id: ids.unit, roles: [role] });
  assert.equal(r.status, 201, r.text);
  return { id: r.body.user.id, client: (await firstLogin(srv.url, login, r.body.one_time_password)).client };
}

async function openCase(surname) {
  let r = await officer.post('/api/v1/people', { surname, given_name: 'Тест', birth_date: '1990-05-05', languages: ['ky'] });
  assert.equal(r.status, 201, r.text);
  const person = r.body.id;
  r = await officer.post('/api/v1/cases', { person_id: person, kind: 'executive', opened_on: addDays(ids.today, -400),
    open_reason: 'Court order received', officer_id: ids.officer });
  assert.equal(r.status, 201, r.text);
  return { id: r.body.id, person };
}

async function setLevel(caseId, body) {
  return officer.put(`/api/v1/cases/${caseId}/supervision-level`, body);
}

// The alerts and tasks of a reassessment rule on a case.
const alertsOf = (caseId, rule) => rows(`SELECT id, dedupe_key, due_on, status, COALESCE(outcome, ''), evidence FROM alert
  WHERE case_id = ${q(caseId)} AND rule_code = ${q(rule)} ORDER BY raised_at, id`)
  .map(([id, key, due, status, outcome, ...ev]) => ({ id, key, due_on: due, status, outcome, evidence: JSON.parse(ev.join('|')) }));
const tasksOf = (alertId) => rows(`SELECT id, title, COALESCE(due_on, ''), COALESCE(assigned_to, ''), status FROM task
  WHERE source_alert_id = ${q(alertId)} ORDER BY created_at, id`)
  .map(([id, title, due, assigned, status]) => ({ id, title, due_on: due, assigned_to: assigned, status }));
const triggersOf = (caseId) => rows(`SELECT id, kind, occurred_on, COALESCE(record_type, ''), COALESCE(record_id, ''),
  COALESCE(resolved_by, '') FROM reassessment_trigger WHERE case_id = ${q(caseId)} ORDER BY recorded_at, id`)
  .map(([id, kind, occurred, rt, rid, resolved]) => ({ id, kind, occurred_on: occurred, record_type: rt, record_id: rid, resolved_by: resolved }));

// One alert and one task of reassessment.triggered for a trigger, due the rule's 30 days after it occurred.
function assertRaised(caseId, trigger) {
  const list = alertsOf(caseId, 'reassessment.triggered').filter((a) => a.key === `reassessment.triggered:${trigger.id}`);
  assert.equal(list.length, 1, JSON.stringify(list));
  const a = list[0];
  assert.equal(a.status, 'open');
  assert.equal(a.due_on, addDays(trigger.occurred_on, 30));
  assert.equal(a.evidence.trigger_id, trigger.id);
  assert.equal(a.evidence.kind, trigger.kind);
  const tasks = tasksOf(a.id);
  assert.equal(tasks.length, 1, 'one task to reassess');
  assert.match(tasks[0].title, /^Reassess/);
  assert.equal(tasks[0].due_on, a.due_on);
  assert.equal(tasks[0].assigned_to, ids.officer);
  assert.equal(tasks[0].status, 'open');
  return a;
}

// A complete needs-screening assessment by the officer through the API: started, filled, submitted, and
// countersigned by the unit head when asked.
const versionOf = async (id) => (await officer.get(`/api/v1/assessments/${id}`)).body.version;
async function countersign(id) {
  const r = await head.post(`/api/v1/assessments/${id}/countersignature`, { note: '' }, { 'if-match': `"${await versionOf(id)}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'countersigned');
}
async function assess(caseId, assessedOn, judgement, { countersign = false, reason = 'initial', triggerId } = {}) {
  let r = await officer.post(`/api/v1/cases/${caseId}/assessments`, { instrument_id: ids.instrument, reason,
    ...(triggerId ? { trigger_id: triggerId } : {}) });
  assert.equal(r.status, 201, r.text);
  const id = r.body.id;
  const ratings = {};
  const domains = {};
  for (const d of ids.definition.domains) {
    const scale = (sid) => ids.definition.scales.find((s) => s.id === sid);
    domains[d.id] = { value: scale(d.rating_scale).values[1].id, comment: '' };
    for (const it of d.items)
      ratings[it.id] = { value: scale(it.scale).values[1].id, evidence: 'Seen at the interview and in the file', source: 'observation' };
  }
  r = await officer.put(`/api/v1/assessments/${id}`, { assessed_on: assessedOn, sources: 'Interview; court file',
    limitations: 'One interview only', ratings, domains, judgement, rationale: 'Weighed the areas as a whole',
    scenarios: [], actions: [] }, { 'if-match': `"${r.body.version}"` });
  assert.equal(r.status, 200, r.text);
  r = await officer.post(`/api/v1/assessments/${id}/submission`, undefined, { 'if-match': `"${r.body.version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'submitted');
  if (countersign) {
    r = await head.post(`/api/v1/assessments/${id}/countersignature`, { note: '' }, { 'if-match': `"${r.body.version}"` });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.status, 'countersigned');
  }
  return id;
}

before(async () => {
  srv = await startServer({ env: { KADAM_CLOCK_CONTROL: '1' } });
  // The clock moves ahead by hours: a zone where it is mid-morning now keeps every test within one local day.
  const zone = zoneAtMidMorning();
  sql(srv.db, `UPDATE setting SET value = ${q(zone)} WHERE key = 'timezone'`);
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'reas.admin')))).client;
  tz = (await admin.get('/api/v1/system')).body.timezone;
  assert.equal(tz, zone, 'the server reads the zone set');
  ids.today = localDate(Date.now());
  let r = await admin.post('/api/v1/tokens', { name: 'reassessment test', expires_in_days: 30,
    permissions: ['system.jobs', 'system.clock', 'reference.manage'] });
  assert.equal(r.status, 201, r.text);
  token = r.body.secret;
  clock = clockDriver(srv, token);
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Reassessment Probation', kind: 'probation' })).body.id;
  ids.unit = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Reassessment Office' })).body.id;
  const o = await user('reas.officer', 'probation_officer');
  officer = o.client;
  ids.officer = o.id;
  const h = await user('reas.head', 'unit_head');
  head = h.client;
  ids.head = h.id;
  // An officer of another unit (logged in now: TOTP follows the real clock, which the tests move later).
  const unitB = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Reassessment Office B' })).body.id;
  r = await admin.post('/api/v1/users', { login: 'reas.officer.b', display_name: 'Test reas.officer.b', agency_id: ids.agency,
    unit_id: unitB, roles: ['probation_officer'] });
  assert.equal(r.status, 201, r.text);
  ids.officerB = { id: r.body.user.id, client: (await firstLogin(srv.url, 'reas.officer.b', r.body.one_time_password)).client };
  // The shipped instrument and a certification for the officer.
  r = await officer.get('/api/v1/instruments');
  assert.equal(r.status, 200, r.text);
  const ns = r.body.items.find((i) => i.code === NS && i.current);
  assert.ok(ns, r.text);
  ids.instrument = ns.id;
  r = await officer.get(`/api/v1/instruments/${ns.id}`);
  assert.equal(r.status, 200, r.text);
  ids.definition = r.body.definition;
  r = await admin.post('/api/v1/certifications', { account_id: ids.officer, instrument_code: NS,
    certified_on: addDays(ids.today, -30), issuer: 'Training centre' });
  assert.equal(r.status, 201, r.text);
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

test('with no assessment the case is due by its level\'s interval; the rule raises an alert and a task once', async () => {
  const T = ids.today;
  const a = await openCase('Асанова');
  ids.a = a;
  let r = await officer.get(`/api/v1/cases/${a.id}/supervision`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.suggestion, null);
  assert.equal(r.body.compliance, null);
  // "high": reassessed every 120 days; in force for 125 days, so 5 days overdue.
  r = await setLevel(a.id, { level: 'high', reason: 'Several risk factors', effective_from: addDays(T, -125) });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.compliance.reassessment, { interval_days: 120, last_on: null, due_on: addDays(T, -5),
    overdue: true, basis: 'no_assessment', instrument_code: null });
  assert.equal(r.body.suggestion, null);
  assert.equal(r.body.history[0].follows_suggestion, null);
  assert.equal(r.body.history[0].suggested_level, null);
  assert.equal(r.body.history[0].assessment_id, null);
  const levelRow = r.body.history[0].id;

  await runJobs();
  let list = alertsOf(a.id, 'reassessment.overdue');
  assert.equal(list.length, 1, JSON.stringify(list));
  assert.equal(list[0].key, `reassessment.overdue:${levelRow}:${addDays(T, -5)}`);
  assert.deepEqual(list[0].evidence, { level: 'high', level_from: addDays(T, -125), due_on: addDays(T, -5) });
  let tasks = tasksOf(list[0].id);
  assert.equal(tasks.length, 1);
  assert.match(tasks[0].title, /reassessment was due on /);
  assert.equal(tasks[0].due_on, addDays(T, -5));
  assert.equal(tasks[0].assigned_to, ids.officer);
  ids.overdueAlert = list[0].id;
  // Again: nothing new.
  await runJobs();
  assert.equal(alertsOf(a.id, 'reassessment.overdue').length, 1);
  assert.equal(tasksOf(list[0].id).length, 1);
  assert.equal(count('task', `case_id = ${q(a.id)}`), 1);
});

test('each kind of trigger is recorded once and raises one alert and one task', async () => {
  const T = ids.today;
  const a = ids.a;
  // A second open case of the same person, and a closed one: an address raises on each open case only.
  let r = await officer.post('/api/v1/cases', { person_id: a.person, kind: 'executive', opened_on: addDays(T, -100),
    open_reason: 'Second order', officer_id: ids.officer });
  assert.equal(r.status, 201, r.text);
  const second = r.body.id;
  r = await officer.post('/api/v1/cases', { person_id: a.person, kind: 'executive', opened_on: addDays(T, -300),
    open_reason: 'Old order', officer_id: ids.officer });
  assert.equal(r.status, 201, r.text);
  const closed = r.body.id;
  sql(srv.db, `UPDATE case_file SET status = 'closed', closed_on = ${q(T)}, close_reason = 'test' WHERE id = ${q(closed)}`);

  // address
  r = await officer.post(`/api/v1/people/${a.person}/addresses`, { kind: 'actual', address: 'Bishkek, Chui 1',
    valid_from: addDays(T, -2) });
  assert.equal(r.status, 201, r.text);
  const address = r.body.id;
  let tr = triggersOf(a.id).filter((t) => t.kind === 'address');
  assert.equal(tr.length, 1);
  assert.deepEqual(tr[0].record_type, 'person_address');
  assert.equal(tr[0].record_id, address);
  assert.equal(tr[0].occurred_on, T, 'the day Kadam learns of the change, not valid_from');
  assertRaised(a.id, tr[0]);
  assert.equal(triggersOf(second).filter((t) => t.kind === 'address').length, 1, 'each open case');
  // Each logged once, by the officer.
  for (const c of [a.id, second]) {
    const [t] = triggersOf(c).filter((x) => x.kind === 'address');
    assert.equal(count('audit_log', `record_type = 'reassessment_trigger' AND record_id = ${q(t.id)}`), 1);
    assert.equal(count('audit_log', `record_type = 'reassessment_trigger' AND record_id = ${q(t.id)} AND action = 'collect'
      AND actor_id = ${q(ids.officer)} AND detail = ${q(c)}`), 1);
  }
  assert.equal(triggersOf(closed).length, 0, 'not a closed case');
  assert.equal(count('case_event', `case_id = ${q(a.id)} AND kind = 'reassessment.triggered'`), 1);

  // a note marked as new information (and one that is not)
  r = await officer.post(`/api/v1/cases/${a.id}/notes`, { sensitivity: 'normal', nature: 'fact', source: 'person',
    body: 'Said he has met his old associates again.', new_information: true });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.new_information, true);
  const note = r.body.id;
  r = await officer.post(`/api/v1/cases/${a.id}/notes`, { sensitivity: 'normal', nature: 'fact', source: 'person',
    body: 'Attended on time.' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.new_information, false);
  r = await officer.post(`/api/v1/cases/${a.id}/notes`, { sensitivity: 'normal', nature: 'fact', source: 'person',
    body: 'x', new_information: 'yes' });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['new_information']);
  r = await officer.get(`/api/v1/cases/${a.id}/notes`);
  assert.deepEqual(r.body.items.map((n) => n.new_information).sort(), [false, true]);
  tr = triggersOf(a.id).filter((t) => t.kind === 'new_information');
  assert.equal(tr.length, 1);
  assert.equal(tr[0].record_type, 'note');
  assert.equal(tr[0].record_id, note);
  assert.equal(tr[0].occurred_on, T);
  assertRaised(a.id, tr[0]);
  assert.equal(count('audit_log', `record_type = 'reassessment_trigger' AND record_id = ${q(tr[0].id)}`), 1);
  assert.equal(count('audit_log', `record_type = 'reassessment_trigger' AND record_id = ${q(tr[0].id)} AND action = 'collect'
    AND actor_id = ${q(ids.officer)}`), 1);

  // a breach allegation from a verified alert
  r = await officer.post(`/api/v1/cases/${a.id}/alerts`, { summary: 'Missed the Monday appointment', severity: 'high' });
  assert.equal(r.status, 201, r.text);
  const breachAlert = r.body.id;
  r = await officer.post(`/api/v1/alerts/${r.body.id}/verification`, { outcome: 'breach',
    reasons: 'Confirmed: no contact and no reason given',
    breach: { allegation: 'Did not report on the appointed Monday', occurred_on: addDays(T, -3), condition_ids: [] },
  }, { 'if-match': `"${r.body.version}"` });
  assert.equal(r.status, 200, r.text);
  const breach = r.body.breach_id;
  tr = triggersOf(a.id).filter((t) => t.kind === 'breach');
  assert.equal(tr.length, 1);
  assert.equal(tr[0].record_type, 'breach');
  assert.equal(tr[0].record_id, breach);
  assert.equal(tr[0].occurred_on, addDays(T, -3));
  assertRaised(a.id, tr[0]);
  // Recorded by the engine; the officer's verification is in the alert's own log.
  assert.equal(sql(srv.db, `SELECT COALESCE(recorded_by, 'engine') FROM reassessment_trigger WHERE id = ${q(tr[0].id)}`), 'engine');
  assert.equal(count('audit_log', `record_type = 'reassessment_trigger' AND record_id = ${q(tr[0].id)} AND action = 'collect'
    AND actor_id IS NULL`), 1);
  assert.equal(count('audit_log', `record_type = 'alert' AND record_id = ${q(breachAlert)} AND action = 'alter'
    AND actor_id = ${q(ids.officer)}`), 1);

  // an officer's own
  r = await officer.post(`/api/v1/cases/${a.id}/reassessment-triggers`, { kind: 'work', occurred_on: addDays(T, -1),
    summary: 'Started work at a building site' });
  assert.equal(r.status, 201, r.text);
  const manual = r.body;
  assert.equal(manual.kind, 'work');
  assert.equal(manual.occurred_on, addDays(T, -1));
  assert.equal(manual.summary, 'Started work at a building site');
  assert.equal(manual.record_type, null);
  assert.equal(manual.record_id, null);
  assert.equal(manual.recorded_by_name, 'Test reas.officer');
  assert.match(manual.recorded_at, /^\d{4}-\d{2}-\d{2}T/);
  assert.equal(manual.resolved_by, null);
  assert.equal(manual.resolved_at, null);
  assertRaised(a.id, { id: manual.id, kind: 'work', occurred_on: manual.occurred_on });
  // The same words again are a new trigger (an officer's own is never deduplicated).
  r = await officer.post(`/api/v1/cases/${a.id}/reassessment-triggers`, { kind: 'work', occurred_on: addDays(T, -1),
    summary: 'Started work at a building site' });
  assert.equal(r.status, 201, r.text);
  assert.notEqual(r.body.id, manual.id);
  // Logged once: collected by the officer.
  assert.equal(count('audit_log', `record_type = 'reassessment_trigger' AND record_id = ${q(manual.id)}`), 1);
  assert.equal(count('audit_log', `record_type = 'reassessment_trigger' AND record_id = ${q(manual.id)}
    AND action = 'collect' AND actor_id = ${q(ids.officer)}`), 1);
  assert.ok(count('audit_log', "record_type = 'reassessment_trigger' AND action = 'collect'") >= 6);

  // Running the rules adds nothing for these (the backstop finds every one raised).
  const before = count('alert', "rule_code = 'reassessment.triggered'");
  await runJobs();
  assert.equal(count('alert', "rule_code = 'reassessment.triggered'"), before);
  // Every trigger kind is on the case's list with the shape of the route.
  r = await officer.get(`/api/v1/cases/${a.id}/assessments`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([...new Set(r.body.triggers.map((t) => t.kind))].sort(), ['address', 'breach', 'new_information', 'work']);
  assert.equal(r.body.triggers.find((t) => t.kind === 'breach').recorded_by_name, null);
  assert.equal(r.body.triggers.find((t) => t.kind === 'address').recorded_by_name, 'Test reas.officer');
});

test('an address raises a trigger as of today, also when it takes effect later', async () => {
  const c = await openCase('Адресова');
  const r = await officer.post(`/api/v1/people/${c.person}/addresses`, { kind: 'registered', address: 'Osh, Lenina 5',
    valid_from: addDays(ids.today, 20) });
  assert.equal(r.status, 201, r.text);
  const tr = triggersOf(c.id);
  assert.equal(tr.length, 1);
  assert.equal(tr[0].occurred_on, ids.today);
  assertRaised(c.id, tr[0]);
});

test('an officer of another unit under a grant records a trigger; the log names the grant (S10, S17)', async () => {
  const { id: other, client: b } = ids.officerB;
  const c = await openCase('Грантова');
  let r;
  const path = `/api/v1/cases/${c.id}/reassessment-triggers`;
  const body = { kind: 'other', occurred_on: addDays(ids.today, -1), summary: 'Reported by the covering officer' };
  r = await b.post(path, body);
  assert.equal(r.status, 403, r.text);
  r = await head.post('/api/v1/access-grants', { account_id: other, unit_id: ids.unit, purpose: 'supervision',
    justification: 'covering for reas.officer this week', expires_in_hours: 2 });
  assert.equal(r.status, 201, r.text);
  const grant = r.body.id;
  r = await b.post(path, body);
  assert.equal(r.status, 201, r.text);
  const log = rows(`SELECT action, COALESCE(actor_id, ''), COALESCE(purpose, ''), COALESCE(justification, '') FROM audit_log
    WHERE record_type = 'reassessment_trigger' AND record_id = ${q(r.body.id)}`);
  assert.deepEqual(log, [['collect', other, 'supervision', `share grant ${grant}`]]);
  assertRaised(c.id, { id: r.body.id, kind: 'other', occurred_on: body.occurred_on });
});

test('the trigger route: 422 naming each field, 409 on a closed case, 403 without the permission', async () => {
  const a = ids.a;
  const before = count('reassessment_trigger');
  let r = await officer.post(`/api/v1/cases/${a.id}/reassessment-triggers`, {});
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['kind', 'occurred_on', 'summary']);
  r = await officer.post(`/api/v1/cases/${a.id}/reassessment-triggers`, { kind: 'breach', occurred_on: '2024-02-30',
    summary: 'abc' });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['kind', 'occurred_on', 'summary'],
    'a breach is recorded only from a verified alert');
  r = await officer.post(`/api/v1/cases/${a.id}/reassessment-triggers`, { kind: 'other', occurred_on: addDays(ids.today, 1),
    summary: 'Something that has not happened yet' });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['occurred_on']);
  r = await officer.post(`/api/v1/cases/${a.id}/reassessment-triggers`, { kind: 'other', occurred_on: ids.today,
    summary: 'x'.repeat(301) });
  assert.equal(r.status, 422);
  r = await officer.post(`/api/v1/cases/${a.id}/reassessment-triggers`, { kind: 'other', occurred_on: ids.today,
    summary: '      ' });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['summary']);
  assert.equal(count('reassessment_trigger'), before, 'nothing recorded');
  const c = await openCase('Закрытов');
  sql(srv.db, `UPDATE case_file SET status = 'closed', closed_on = ${q(ids.today)}, close_reason = 'test' WHERE id = ${q(c.id)}`);
  r = await officer.post(`/api/v1/cases/${c.id}/reassessment-triggers`, { kind: 'other', occurred_on: ids.today,
    summary: 'A change in the family' });
  assert.equal(r.status, 409);
  assert.equal(r.body.type.endsWith('case-closed'), true, r.text);
  r = await admin.post(`/api/v1/cases/${a.id}/reassessment-triggers`, { kind: 'other', occurred_on: ids.today,
    summary: 'A change in the family' });
  assert.equal(r.status, 403);
  r = await officer.post(`/api/v1/cases/${randomUUID()}/reassessment-triggers`, { kind: 'other', occurred_on: ids.today,
    summary: 'A change in the family' });
  assert.equal(r.status, 404);
});

test('a disabled rule raises nothing; on again, the backstop raises the trigger\'s alert and task', async () => {
  const a = ids.a;
  const rule = () => rows("SELECT is_enabled, severity, threshold, escalate_after_hours, version FROM compliance_rule WHERE code = 'reassessment.triggered'")[0];
  const put = async (enabled) => {
    const [, severity, threshold, escalate, version] = rule();
    const r = await call('PUT', '/api/v1/compliance/rules/reassessment.triggered', { enabled, severity,
      threshold: Number(threshold), escalate_after_hours: Number(escalate) }, { 'if-match': `"${version}"` });
    assert.equal(r.status, 200, r.text);
  };
  await put(false);
  const r = await officer.post(`/api/v1/cases/${a.id}/reassessment-triggers`, { kind: 'other', occurred_on: ids.today,
    summary: 'A change in the family' });
  assert.equal(r.status, 201, r.text);
  assert.equal(count('alert', `dedupe_key = ${q(`reassessment.triggered:${r.body.id}`)}`), 0);
  await runJobs();
  assert.equal(count('alert', `dedupe_key = ${q(`reassessment.triggered:${r.body.id}`)}`), 0, 'still off');
  await put(true);
  await runJobs();
  assertRaised(a.id, { id: r.body.id, kind: 'other', occurred_on: ids.today });
});

// The reassessment reminders of a case: alert id -> [status, ...its tasks' statuses].
const remindersOf = (caseId) => Object.fromEntries(rows(`SELECT id, status FROM alert WHERE case_id = ${q(caseId)}
  AND rule_code LIKE 'reassessment.%' ORDER BY id`).map(([id, status]) => [id, [status, ...tasksOf(id).map((t) => t.status)]]));

test('a submitted assessment resolves nothing; returned it is a draft and counts no more; withdrawn, still nothing', async () => {
  const T = ids.today;
  const a = ids.a;
  const reminders = remindersOf(a.id);
  assert.ok(Object.values(reminders).every(([status, ...tasks]) => status === 'open' && tasks.every((t) => t === 'open')),
    JSON.stringify(reminders));
  const id = await assess(a.id, addDays(T, -1), 'medium');
  assert.deepEqual(triggersOf(a.id).filter((t) => t.resolved_by), [], 'a submission resolves no trigger');
  assert.deepEqual(remindersOf(a.id), reminders, 'nor closes a reminder');
  // A submitted assessment counts for the due date.
  let r = await officer.get(`/api/v1/cases/${a.id}/supervision`);
  assert.deepEqual(r.body.compliance.reassessment, { interval_days: 120, last_on: addDays(T, -1), due_on: addDays(T, 119),
    overdue: false, basis: 'level', instrument_code: NS });
  // Returned: a draft again, so the case is due by its level as before.
  r = await head.post(`/api/v1/assessments/${id}/return`, { note: 'Say which file you read' },
    { 'if-match': `"${await versionOf(id)}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'draft');
  r = await officer.get(`/api/v1/cases/${a.id}/supervision`);
  assert.deepEqual(r.body.compliance.reassessment, { interval_days: 120, last_on: null, due_on: addDays(T, -5),
    overdue: true, basis: 'no_assessment', instrument_code: null });
  r = await officer.get(`/api/v1/cases/${a.id}/assessments`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.reassessment.map((d) => [d.basis, d.due_on, d.assessment_id]), [['no_assessment', addDays(T, -5), null]]);
  r = await officer.post(`/api/v1/assessments/${id}/withdrawal`, { reason: 'Started again with the right file' },
    { 'if-match': `"${await versionOf(id)}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'withdrawn');
  assert.deepEqual(triggersOf(a.id).filter((t) => t.resolved_by), []);
  assert.deepEqual(remindersOf(a.id), reminders);
});

test('countersigning an assessment resolves the triggers before it and closes every reminder, each logged; due then by min(instrument, level)', async () => {
  const T = ids.today;
  const a = ids.a;
  // A trigger after the day the assessment speaks for stays open.
  const late = triggersOf(a.id).find((t) => t.occurred_on === T && t.kind === 'new_information');
  assert.ok(late);
  const open = () => triggersOf(a.id).filter((t) => !t.resolved_by);
  const assessment = await assess(a.id, addDays(T, -1), 'medium');
  assert.deepEqual(triggersOf(a.id).filter((t) => t.resolved_by), [], 'not before the countersignature');
  // The level's overdue reminder has more open tasks than a fixed buffer would hold: every one is closed.
  const [over] = alertsOf(a.id, 'reassessment.overdue');
  const [first] = tasksOf(over.id);
  for (let i = 1; i <= 10; i++)
    sql(srv.db, `INSERT INTO task (id, case_id, unit_id, title, status, source_alert_id, created_at)
      SELECT ${q(randomUUID())}, case_id, unit_id, ${q(`Reassess (copy ${i})`)}, 'open', source_alert_id, created_at + ${i}
      FROM task WHERE id = ${q(first.id)}`);
  assert.equal(tasksOf(over.id).length, 11);
  await countersign(assessment);
  const resolved = triggersOf(a.id).filter((t) => t.resolved_by === assessment);
  assert.deepEqual(resolved.map((t) => t.kind).sort(), ['breach', 'work', 'work']);
  assert.ok(resolved.every((t) => t.occurred_on <= addDays(T, -1)));
  assert.deepEqual(open().map((t) => t.kind).sort(), ['address', 'new_information', 'other'], 'those of today stay open');
  const logged = (type, id) => count('audit_log', `record_type = ${q(type)} AND record_id = ${q(id)} AND action = 'alter'
    AND actor_id = ${q(ids.head)}`);
  // Their alerts are verified (outcome task) by the countersigner and their tasks done, each logged; the later ones
  // stay open.
  for (const t of triggersOf(a.id)) {
    const [al] = alertsOf(a.id, 'reassessment.triggered').filter((x) => x.key === `reassessment.triggered:${t.id}`);
    const [task] = tasksOf(al.id);
    if (t.resolved_by) {
      assert.equal(al.status, 'verified');
      assert.equal(al.outcome, 'task');
      assert.equal(task.status, 'done');
      assert.equal(count('alert_event', `alert_id = ${q(al.id)} AND action = 'verified' AND actor_id = ${q(ids.head)}`), 1);
      assert.equal(sql(srv.db, `SELECT task_id FROM alert WHERE id = ${q(al.id)}`), task.id);
      assert.equal(logged('alert', al.id), 1);
      assert.equal(logged('task', task.id), 1);
      assert.equal(count('case_event', `record_type = 'alert' AND record_id = ${q(al.id)} AND kind = 'alert.verified'`), 1);
    } else {
      assert.equal(al.status, 'open');
      assert.equal(task.status, 'open');
    }
  }
  // The level's overdue reminder is closed too, with all its tasks.
  const [closed] = alertsOf(a.id, 'reassessment.overdue');
  assert.equal(closed.status, 'verified');
  assert.deepEqual(tasksOf(over.id).map((t) => t.status), Array(11).fill('done'));
  assert.ok(tasksOf(over.id).every((t) => logged('task', t.id) === 1));
  assert.equal(logged('alert', over.id), 1);
  assert.equal(sql(srv.db, `SELECT task_id FROM alert WHERE id = ${q(over.id)}`), first.id);
  assert.match(sql(srv.db, `SELECT close_reason FROM alert WHERE id = ${q(over.id)}`), /countersigned/);
  // Now due by the shorter of the instrument's (180) and the level's (high: 120) interval.
  let r = await officer.get(`/api/v1/cases/${a.id}/supervision`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.compliance.reassessment, { interval_days: 120, last_on: addDays(T, -1), due_on: addDays(T, 119),
    overdue: false, basis: 'level', instrument_code: NS });
  // The suggestion: one shape on both routes.
  const fromSupervision = r.body.suggestion;
  r = await officer.get(`/api/v1/cases/${a.id}/assessments`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(fromSupervision, r.body.suggestion);
  ids.assessment = assessment;
});

test('the latest countersigned judgement suggests a level; a departure needs 30 characters; history shows it', async () => {
  const T = ids.today;
  const a = ids.a;
  let r = await officer.get(`/api/v1/cases/${a.id}/supervision`);
  assert.equal(r.status, 200, r.text);
  const sg = r.body.suggestion;
  assert.equal(sg.level, 'medium');
  assert.deepEqual(sg.level_title, { ky: 'Орточо', ru: 'Средний', en: 'Medium' });
  assert.equal(sg.assessment_id, ids.assessment);
  assert.equal(sg.instrument_id, ids.instrument);
  assert.equal(sg.instrument_code, NS);
  assert.ok(sg.instrument_name.en && sg.instrument_name.ru && sg.instrument_name.ky);
  assert.equal(sg.judgement, 'medium');
  assert.ok(sg.judgement_label.en);
  assert.equal(sg.assessed_on, addDays(T, -1));

  // Departing from the suggestion: the reason must say why, in 30 characters at least.
  r = await setLevel(a.id, { level: 'low', reason: 'Doing well now' });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['reason']);
  assert.match(r.body.errors[0].message, /differs from the suggested medium/);
  r = await setLevel(a.id, { level: 'medium', reason: 'As the assessment suggests', assessment_id: randomUUID() });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['assessment_id']);
  r = await setLevel(a.id, { level: 'medium', reason: 'As suggested', assessment_id: 'nope' });
  assert.equal(r.status, 422);
  assert.equal(count('case_supervision_level', `case_id = ${q(a.id)}`), 1, 'nothing changed');
  // Following it: a short reason is enough.
  r = await setLevel(a.id, { level: 'medium', reason: 'As the assessment suggests', assessment_id: ids.assessment });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.history[0].level, 'medium');
  assert.equal(r.body.history[0].assessment_id, ids.assessment);
  assert.equal(r.body.history[0].suggested_level, 'medium');
  assert.equal(r.body.history[0].follows_suggestion, true);
  assert.equal(r.body.history[1].follows_suggestion, null);
  // medium: 180 days, as the instrument's: basis instrument.
  assert.deepEqual(r.body.compliance.reassessment, { interval_days: 180, last_on: addDays(T, -1), due_on: addDays(T, 179),
    overdue: false, basis: 'instrument', instrument_code: NS });
  // Departing with a full reason (no assessment_id: the suggestion is still recorded).
  r = await setLevel(a.id, { level: 'high', reason: 'Two new warnings from the police this month' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.history[0].suggested_level, 'medium');
  assert.equal(r.body.history[0].assessment_id, null);
  assert.equal(r.body.history[0].follows_suggestion, false);
  assert.equal(r.body.compliance.reassessment.interval_days, 120);
  assert.equal(r.body.compliance.reassessment.basis, 'level');
  const ev = JSON.parse(sql(srv.db, `SELECT detail FROM case_event WHERE case_id = ${q(a.id)} AND kind = 'supervision.level_set' ORDER BY at DESC LIMIT 1`));
  assert.equal(ev.suggested_level, 'medium');
});

test('a case with a completed assessment and no level is due by the instrument\'s interval alone', async () => {
  const T = ids.today;
  const c = await openCase('Безуровнева');
  const id = await assess(c.id, addDays(T, -170), 'low');
  let r = await officer.get(`/api/v1/cases/${c.id}/supervision`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.level, null);
  r = await officer.get(`/api/v1/cases/${c.id}/assessments`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.reassessment.length, 1, r.text);
  const [d] = r.body.reassessment;
  assert.deepEqual([d.instrument_code, d.assessment_id, d.last_on, d.due_on, d.interval_days, d.basis, d.overdue],
    [NS, id, addDays(T, -170), addDays(T, 10), 180, 'instrument', false]);
  await runJobs();
  const list = alertsOf(c.id, 'reassessment.due');
  assert.equal(list.length, 1, JSON.stringify(list));
  assert.equal(list[0].key, `reassessment.due:${id}:${addDays(T, 10)}`);
  assert.deepEqual(list[0].evidence, { level: null, level_from: null, instrument: NS, assessment_id: id,
    last_on: addDays(T, -170), interval_days: 180, basis: 'instrument', due_on: addDays(T, 10) });
  assert.equal(tasksOf(list[0].id).length, 1);
  await runJobs();
  assert.equal(alertsOf(c.id, 'reassessment.due').length, 1, 'once');
});

test('a release date passing records a trigger; the interval falls due and overdue as the clock moves', async () => {
  const T = ids.today;
  const c = await openCase('Релизов');
  let r = await setLevel(c.id, { level: 'low', reason: 'First level set' });
  assert.equal(r.status, 200, r.text);
  // A completed assessment 170 days ago: due in 10 days (instrument 180 < low 365).
  const assessment = await assess(c.id, addDays(T, -170), 'low');
  const now = Date.now();
  const measure = sql(srv.db, 'SELECT code FROM ref_measure ORDER BY code LIMIT 1');
  const decision = randomUUID();
  sql(srv.db, `INSERT INTO decision (id, case_id, authority, decided_on, measure, start_on, term, created_at, updated_at)
    VALUES (${q(decision)}, ${q(c.id)}, 'Test court', ${q(addDays(T, -400))}, ${q(measure)}, ${q(addDays(T, -400))}, '2y', ${now}, ${now})`);
  sql(srv.db, `INSERT INTO key_date (decision_id, kind, case_id, date, explanation, computed_at) VALUES (${q(decision)},
    'release', ${q(c.id)}, ${q(addDays(T, 2))}, 'test', ${now})`);
  await runJobs();
  assert.equal(triggersOf(c.id).length, 0, 'not yet released');
  assert.equal(alertsOf(c.id, 'reassessment.due').length, 1, 'due within 14 days');
  let [due] = alertsOf(c.id, 'reassessment.due');
  assert.equal(due.key, `reassessment.due:${assessment}:${addDays(T, 10)}`);
  assert.equal(due.evidence.instrument, NS);
  assert.equal(due.evidence.assessment_id, assessment);
  assert.equal(due.evidence.interval_days, 180);
  assert.equal(due.evidence.basis, 'instrument');
  assert.equal(tasksOf(due.id).length, 1);

  // Three days on: released.
  await moveClock(clock.at + 3 * DAY);
  await runJobs();
  const tr = triggersOf(c.id);
  assert.equal(tr.length, 1);
  assert.equal(tr[0].kind, 'release');
  assert.equal(tr[0].record_type, 'decision');
  assert.equal(tr[0].record_id, decision);
  assert.equal(tr[0].occurred_on, addDays(T, 2));
  assertRaised(c.id, tr[0]);
  await runJobs();
  assert.equal(triggersOf(c.id).length, 1, 'once');
  assert.equal(count('audit_log', `record_type = 'reassessment_trigger' AND record_id = ${q(tr[0].id)} AND action = 'collect' AND actor_id IS NULL`), 1);

  // Eight more days: past the due date (the overdue threshold is 0 days).
  await moveClock(clock.at + 8 * DAY);
  await runJobs();
  const over = alertsOf(c.id, 'reassessment.overdue');
  assert.equal(over.length, 1);
  assert.equal(over[0].key, `reassessment.overdue:${assessment}:${addDays(T, 10)}`);
  assert.equal(tasksOf(over[0].id).length, 1);
  [due] = alertsOf(c.id, 'reassessment.due');
  assert.equal(due.status, 'open');
});
