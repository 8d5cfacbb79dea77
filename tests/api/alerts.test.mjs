// Alerts and tasks (S6, S7, S25): an alert is a signal someone verifies — acknowledged, then verified as a
// breach allegation or a task, or dismissed with a reason. Each step is status-guarded (an illegal one is
// 409), takes If-Match (428 without it, 412 when stale), has an alert_event with actor and reason, a timeline
// event and a processing-log entry. Alerts are reached through their case; acknowledging, verifying and
// dismissing are for the assignee or a unit head. Unacknowledged alerts
// escalate to the unit head, then the head above; the measure never changes (S7).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, zoneAtMidMorning } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin;
const u = {};   // clients by name
const acc = {}; // account ids by name
const ids = {};

// The server runs in a zone where it is mid-morning when the suite starts: its clock moves ahead by hours, and
// "today" must not change half-way through.
const ZONE = zoneAtMidMorning();
function today(timeZone = ZONE) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}
const q = (s) => sql(srv.db, s);
const v = (n) => ({ 'if-match': `"${n}"` });
const count = (table, where = '1 = 1') => Number(q(`SELECT COUNT(*) FROM ${table} WHERE ${where}`));

async function user(name, login, role, unit) {
  const r = await admin.post('/api/v1/users', { login, display_name: `Test ${login}`, agency_id: ids.agency, unit_id: unit, roles: [role] });
  assert.equal(r.status, 201, r.text);
  acc[name] = r.body.user.id;
  u[name] = (await firstLogin(srv.url, login, r.body.one_time_password)).client;
}

// A rule's alert as the engine would have raised it (the engine's own tests raise them through the rules).
function ruleAlert({ caseId = ids.case, rule = 'appointment.no_outcome', severity = 'medium', assigned = acc.officer,
  ackDue = Date.now() + 48 * 3600000, raised = Date.now() - 3600000, evidence = null } = {}) {
  const id = randomUUID();
  const ev = evidence || { appointment_id: randomUUID(), occurrence: `${addDays(today(), -2)}T10:00`, kind: 'office_visit', hours: 24 };
  q(`INSERT INTO alert (id, case_id, unit_id, rule_code, source, severity, dedupe_key, summary, evidence, due_on, status,
       assigned_to, raised_at, ack_due_at)
     VALUES ('${id}', '${caseId}', (SELECT unit_id FROM case_file WHERE id = '${caseId}'), '${rule}', 'rule', '${severity}',
       '${rule}:${id}', 'Appointment passed without an outcome', '${JSON.stringify(ev)}', '${addDays(today(), -2)}', 'open',
       ${assigned ? `'${assigned}'` : 'NULL'}, ${raised}, ${ackDue})`);
  q(`INSERT INTO alert_event (id, alert_id, at, action, detail) VALUES ('${randomUUID()}', '${id}', ${raised}, 'raised', '{}')`);
  return id;
}

async function timelineKinds(caseId = ids.case) {
  const r = await u.officer.get(`/api/v1/cases/${caseId}/timeline`);
  assert.equal(r.status, 200, r.text);
  return r.body.items.map((e) => e.kind);
}

before(async () => {
  srv = await startServer({ env: { KADAM_CLOCK_CONTROL: '1' } });
  sql(srv.db, `UPDATE setting SET value = '${ZONE}' WHERE key = 'timezone'`);
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'alerts.admin')))).client;
  assert.equal((await admin.get('/api/v1/system')).body.timezone, ZONE, 'the server reads the zone set');
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Alert Probation', kind: 'probation' })).body.id;
  ids.region = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Region' })).body.id;
  ids.a = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office A', parent_id: ids.region })).body.id;
  ids.b = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office B', parent_id: ids.region })).body.id;
  await user('officer', 'al.officer', 'probation_officer', ids.a);
  await user('officer2', 'al.officer2', 'probation_officer', ids.a);
  await user('officerB', 'al.officer.b', 'probation_officer', ids.b);
  await user('headA', 'al.head.a', 'unit_head', ids.a);
  await user('headR', 'al.head.r', 'unit_head', ids.region);
  let r = await u.officer.post('/api/v1/people', { surname: 'Токтогулов', given_name: 'Эрмек', birth_date: '1990-02-03', languages: ['ky'] });
  assert.equal(r.status, 201, r.text);
  ids.person = r.body.id;
  r = await u.officer.post('/api/v1/cases', { person_id: ids.person, kind: 'executive', officer_id: acc.officer, opened_on: addDays(today(), -30), open_reason: 'Court order received' });
  assert.equal(r.status, 201, r.text);
  ids.case = r.body.id;
  ids.caseNumber = r.body.number;
  r = await u.officer.post(`/api/v1/cases/${ids.case}/decisions`, {
    authority: 'Sverdlovsky district court', number: '1-77/26', decided_on: addDays(today(), -30),
    measure: 'probation_supervision', articles: ['CC-130'], start_on: addDays(today(), -20), term: '2y',
    duties: ['residence', 'report'],
  });
  assert.equal(r.status, 201, r.text);
  ids.decision = r.body.id;
  const catalogue = (await u.officer.get('/api/v1/condition-catalogue')).body;
  const residence = catalogue.conditions.find((c) => c.duty === 'residence');
  const cond = (address) => ({
    decision_id: ids.decision, code: residence.code, params: { address }, answers: 'need',
    answers_detail: 'A stable address supports desistance', review_on: addDays(today(), 90),
  });
  r = await u.officer.post(`/api/v1/cases/${ids.case}/conditions`, cond('Бишкек, ул. Токтогула 5'));
  assert.equal(r.status, 201, r.text);
  ids.condition = r.body.id;
  // An ended condition of the same case cannot be alleged.
  ids.ended = randomUUID();
  const cols = 'case_id, decision_id, catalogue_version, code, duty, free_text, params, answers, answers_detail, review_on, effective_from, created_at, created_by, updated_at';
  q(`INSERT INTO case_condition (id, status, effective_to, end_reason, ${cols})
     SELECT '${ids.ended}', 'ended', effective_from, 'removed', ${cols} FROM case_condition WHERE id = '${ids.condition}'`);
  // A case in office B.
  r = await u.officerB.post('/api/v1/people', { surname: 'Садыкова', given_name: 'Айгуль', birth_date: '1985-05-06', languages: ['ru'] });
  assert.equal(r.status, 201, r.text);
  r = await u.officerB.post('/api/v1/cases', { person_id: r.body.id, kind: 'executive', officer_id: acc.officerB, opened_on: addDays(today(), -10), open_reason: 'Court order received' });
  assert.equal(r.status, 201, r.text);
  ids.caseB = r.body.id;
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

test('an officer raises an alert on a case: open, assigned to the case officer, with its evidence and history', async () => {
  let r = await u.officer2.post(`/api/v1/cases/${ids.case}/alerts`, { summary: 'Neighbour reports he has not slept at home for a week', severity: 'high', evidence_note: 'Phone call from the neighbour on Monday' });
  assert.equal(r.status, 201, r.text);
  const a = r.body;
  assert.equal(a.status, 'open');
  assert.equal(a.source, 'officer');
  assert.equal(a.rule_code, null);
  assert.equal(a.rule_title, null);
  assert.equal(a.severity, 'high');
  assert.equal(a.case_id, ids.case);
  assert.equal(a.case_number, ids.caseNumber);
  assert.equal(a.person_name, 'Токтогулов Эрмек');
  assert.equal(a.unit_name, 'Office A');
  assert.equal(a.assigned_to, acc.officer, 'the case officer has it');
  assert.equal(a.assigned_to_name, 'Test al.officer');
  assert.equal(a.raised_by_name, 'Test al.officer2');
  assert.deepEqual(a.evidence, { note: 'Phone call from the neighbour on Monday' });
  assert.equal(a.ack_overdue, false);
  assert.equal(a.escalation_level, 0);
  assert.ok(Date.parse(a.ack_due_at) > Date.now() + 23 * 3600000);
  assert.deepEqual(a.events.map((e) => [e.action, e.actor_name]), [['raised', 'Test al.officer2']]);
  assert.equal(r.headers.get('etag'), '"1"');
  ids.manual = a.id;
  // An officer's alerts are never deduplicated: the same observation raised again is a second alert.
  r = await u.officer2.post(`/api/v1/cases/${ids.case}/alerts`, { summary: 'Neighbour reports he has not slept at home for a week', severity: 'high' });
  assert.equal(r.status, 201, r.text);
  assert.notEqual(r.body.id, ids.manual);
  ids.manual2 = r.body.id;
  assert.ok((await timelineKinds()).includes('alert.raised'));
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'alert' AND record_id = '${ids.manual}'`), 1);
});

test('bad bodies are refused with 422 naming each field, and nothing changes', async () => {
  const before = count('alert');
  let r = await u.officer.post(`/api/v1/cases/${ids.case}/alerts`, { summary: '', severity: 'urgent', evidence_note: 'x'.repeat(2001), extra: 1 });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['evidence_note', 'extra', 'severity', 'summary']);
  r = await u.officer.post(`/api/v1/cases/${ids.case}/alerts`, { summary: '   ', severity: 'low' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['summary']);
  r = await u.officer.post(`/api/v1/cases/${ids.case}/alerts`, { summary: 'x'.repeat(501), severity: 'low' });
  assert.deepEqual(r.body.errors.map((e) => e.field), ['summary']);
  assert.equal(count('alert'), before);

  const id = ids.manual;
  r = await u.officer.post(`/api/v1/alerts/${id}/dismissal`, {});
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['reason']);
  r = await u.officer.post(`/api/v1/alerts/${id}/dismissal`, { reason: 'x'.repeat(2001) });
  assert.deepEqual(r.body.errors.map((e) => e.field), ['reason']);
  r = await u.officer.post(`/api/v1/alerts/${id}/assignment`, { assignee_id: 'nobody' });
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['assignee_id', 'reason']);
  r = await u.officer.post(`/api/v1/alerts/${id}/verification`, { outcome: 'sanction' });
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['outcome', 'reasons']);
  r = await u.officer.post(`/api/v1/alerts/${id}/verification`, { outcome: 'breach', reasons: 'Checked' });
  assert.deepEqual(r.body.errors.map((e) => e.field), ['breach']);
  r = await u.officer.post(`/api/v1/alerts/${id}/verification`, { outcome: 'task', reasons: 'Checked', breach: { allegation: 'x', occurred_on: today() } });
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['breach', 'task']);
  r = await u.officer.post(`/api/v1/alerts/${id}/verification`, {
    outcome: 'breach', reasons: 'Checked',
    breach: { allegation: '', occurred_on: addDays(today(), 1), condition_ids: [ids.condition, ids.condition, 'x'] },
  });
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(),
    ['breach.allegation', 'breach.condition_ids[1]', 'breach.condition_ids[2]', 'breach.occurred_on']);
  r = await u.officer.post(`/api/v1/alerts/${id}/verification`, {
    outcome: 'breach', reasons: 'Checked', breach: { allegation: 'x', occurred_on: today(), condition_ids: Array(21).fill(ids.condition) },
  });
  assert.deepEqual(r.body.errors.map((e) => e.field), ['breach.condition_ids']);
  r = await u.officer.post(`/api/v1/alerts/${id}/verification`, { outcome: 'task', reasons: 'Checked', task: { title: 'x'.repeat(201), due_on: '2026-02-30', assigned_to: 'me' } });
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['task.assigned_to', 'task.due_on', 'task.title']);
  // Conditions must be active conditions of this case.
  r = await u.officer.post(`/api/v1/alerts/${id}/verification`, {
    outcome: 'breach', reasons: 'Checked', breach: { allegation: 'Not at home', occurred_on: today(), condition_ids: [ids.ended, randomUUID()] },
  }, v(1));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => [e.field, e.message]), [
    ['breach.condition_ids[0]', 'is not an active condition of this case'],
    ['breach.condition_ids[1]', 'is not a condition of this case'],
  ]);
  // An assignee must reach the case's unit.
  r = await u.officer.post(`/api/v1/alerts/${id}/assignment`, { assignee_id: acc.officerB, reason: 'Cover' }, v(1));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['assignee_id']);
  r = await u.officer.post(`/api/v1/alerts/${id}/assignment`, { assignee_id: acc.officer, reason: 'Mine' }, v(1));
  assert.equal(r.status, 422, r.text);
  r = await u.officer.post(`/api/v1/alerts/${id}/verification`, { outcome: 'task', reasons: 'Checked', task: { title: 'Visit', assigned_to: acc.officerB } }, v(1));
  assert.deepEqual(r.body.errors.map((e) => e.field), ['task.assigned_to']);
  assert.equal(q(`SELECT status || ':' || version FROM alert WHERE id = '${id}'`), 'open:1');
  assert.equal(count('alert_event', `alert_id = '${id}'`), 1);
});

test('reach: another unit\'s officer gets 403 (404 for an unknown alert); only the assignee or a unit head acknowledges', async () => {
  let r = await u.officerB.get(`/api/v1/alerts/${ids.manual}`);
  assert.equal(r.status, 403, r.text);
  r = await u.officerB.post(`/api/v1/alerts/${ids.manual}/acknowledgement`, undefined, v(1));
  assert.equal(r.status, 403, r.text);
  r = await u.officerB.post(`/api/v1/alerts/${ids.manual}/dismissal`, { reason: 'Not mine' }, v(1));
  assert.equal(r.status, 403, r.text);
  r = await u.officerB.get(`/api/v1/cases/${ids.case}/alerts`);
  assert.equal(r.status, 403, r.text);
  r = await u.officerB.post(`/api/v1/cases/${ids.case}/alerts`, { summary: 'Something', severity: 'low' });
  assert.equal(r.status, 403, r.text);
  r = await u.officer.get(`/api/v1/alerts/${randomUUID()}`);
  assert.equal(r.status, 404, r.text);
  r = await u.officer.get('/api/v1/alerts/not-an-id');
  assert.equal(r.status, 404, r.text);
  // Officer B's queues show nothing of office A.
  r = await u.officerB.get('/api/v1/alerts?queue=unit');
  assert.equal(r.status, 200, r.text);
  assert.ok(!r.body.items.some((a) => a.case_id === ids.case));
  // A colleague in the same unit sees it, but it is not theirs to acknowledge.
  r = await u.officer2.get(`/api/v1/alerts/${ids.manual}`);
  assert.equal(r.status, 200, r.text);
  r = await u.officer2.post(`/api/v1/alerts/${ids.manual}/acknowledgement`, undefined, v(1));
  assert.equal(r.status, 403, r.text);
  assert.match(r.body.type, /not-assignee$/);
  assert.match(r.body.detail, /assigned to, or a head of the case's unit/);
  // The head of the unit above may.
  r = await u.headR.post(`/api/v1/alerts/${ids.manual2}/acknowledgement`, undefined, v(1));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.acknowledged_by_name, 'Test al.head.r');
  assert.equal(count('audit_log', `outcome = 'denied' AND record_type = 'alert' AND record_id = '${ids.manual}'`) >= 1, true);
  assert.equal(count('audit_log', `action = 'consult' AND record_type = 'alert' AND record_id = '${ids.manual}'`), 1, 'one entry per alert read');
});

test('the lifecycle: acknowledge, assign, verify as a task; every illegal step is 409', async () => {
  const id = ids.manual;
  // Every step takes If-Match: 428 without it, 412 with a version that is not the stored one.
  let r = await u.officer.post(`/api/v1/alerts/${id}/acknowledgement`);
  assert.equal(r.status, 428, r.text);
  r = await u.officer.post(`/api/v1/alerts/${id}/acknowledgement`, undefined, v(7));
  assert.equal(r.status, 412, r.text);
  assert.match(r.body.type, /precondition-failed$/);
  assert.equal(q(`SELECT status || ':' || version FROM alert WHERE id = '${id}'`), 'open:1');
  r = await u.officer.post(`/api/v1/alerts/${id}/acknowledgement`, undefined, v(1));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'acknowledged');
  assert.equal(r.body.acknowledged_by_name, 'Test al.officer');
  assert.equal(r.headers.get('etag'), '"2"');
  r = await u.officer.post(`/api/v1/alerts/${id}/acknowledgement`, undefined, v(2));
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /alert-state$/);
  assert.match(r.body.detail, /already been acknowledged/);
  // The state allows an assignment, but the version read before the acknowledgement is stale.
  r = await u.officer.post(`/api/v1/alerts/${id}/assignment`, { assignee_id: acc.officer2, reason: 'On leave from tomorrow' }, v(1));
  assert.equal(r.status, 412, r.text);
  r = await u.officer.post(`/api/v1/alerts/${id}/assignment`, { assignee_id: acc.officer2, reason: 'On leave from tomorrow' });
  assert.equal(r.status, 428, r.text);
  r = await u.officer.post(`/api/v1/alerts/${id}/assignment`, { assignee_id: acc.officer2, reason: 'On leave from tomorrow' }, v(2));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), '"3"');
  assert.equal(r.body.assigned_to, acc.officer2);
  assert.equal(r.body.status, 'acknowledged', 'reassigning keeps the acknowledgement');
  assert.equal(count('notification', `account_id = '${acc.officer2}' AND kind = 'alert.assigned' AND record_id = '${id}'`), 1);
  r = await u.officer2.post(`/api/v1/alerts/${id}/verification`, {
    outcome: 'task', reasons: 'Confirmed with the neighbour; a home visit is needed',
    task: { title: 'Home visit to check the address', due_on: addDays(today(), 3) },
  }, v(3));
  assert.equal(r.status, 200, r.text);
  const a = r.body;
  assert.equal(a.status, 'verified');
  assert.equal(a.version, 4);
  assert.equal(a.outcome, 'task');
  assert.equal(a.breach_id, null);
  assert.ok(a.task_id);
  assert.equal(a.closed_by_name, 'Test al.officer2');
  assert.equal(a.close_reason, 'Confirmed with the neighbour; a home visit is needed');
  assert.deepEqual(a.events.map((e) => e.action), ['raised', 'acknowledged', 'assigned', 'verified']);
  assert.equal(a.events[2].reason, 'On leave from tomorrow');
  assert.equal(a.events[3].detail.task_id, a.task_id);
  ids.task = a.task_id;
  r = await u.officer.get(`/api/v1/cases/${ids.case}/tasks`);
  assert.equal(r.status, 200, r.text);
  const task = r.body.items.find((t) => t.id === a.task_id);
  assert.equal(task.source_alert_id, id);
  assert.equal(task.assigned_to, acc.officer, 'a task goes to the case officer by default');
  assert.equal(task.status, 'open');
  assert.equal(task.due_on, addDays(today(), 3));
  // Nothing more can happen to a verified alert.
  for (const [path, body] of [['acknowledgement', undefined], ['dismissal', { reason: 'x' }],
    ['verification', { outcome: 'task', reasons: 'x', task: { title: 'x' } }], ['assignment', { assignee_id: acc.officer, reason: 'x' }]]) {
    r = await u.officer.post(`/api/v1/alerts/${id}/${path}`, body, v(4));
    assert.equal(r.status, 409, `${path}: ${r.text}`);
    assert.match(r.body.detail, /already been verified/);
  }
  const kinds = await timelineKinds();
  for (const k of ['alert.acknowledged', 'alert.assigned', 'alert.verified', 'task.created']) assert.ok(kinds.includes(k), k);
  assert.equal(count('audit_log', `action = 'alter' AND record_type = 'alert' AND record_id = '${id}'`), 3);
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'task' AND record_id = '${ids.task}'`), 1);
});

test('verifying as a task an alert whose rule opened a task already takes that task, not a second one', async () => {
  const id = ruleAlert({ rule: 'reassessment.due', evidence: { instrument: 'kadam.needs-screening', due_on: addDays(today(), 5) } });
  const ruleTask = randomUUID();
  q(`INSERT INTO task (id, case_id, unit_id, title, due_on, assigned_to, status, source_alert_id, created_at)
     VALUES ('${ruleTask}', '${ids.case}', (SELECT unit_id FROM case_file WHERE id = '${ids.case}'), 'Reassess by ${addDays(today(), 5)}',
       '${addDays(today(), 5)}', '${acc.officer}', 'open', '${id}', ${Date.now()})`);
  const r = await u.officer.post(`/api/v1/alerts/${id}/verification`, {
    outcome: 'task', reasons: 'The reassessment is booked', task: { title: 'Reassess', due_on: addDays(today(), 5) },
  }, v(1));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.task_id, ruleTask);
  assert.equal(count('task', `source_alert_id = '${id}'`), 1);
});

test('dismissal with a reason; a dismissed alert cannot be verified', async () => {
  const id = ruleAlert({ severity: 'low' });
  let r = await u.officer.post(`/api/v1/alerts/${id}/dismissal`, { reason: 'The appointment was moved; the outcome is recorded on the new date.' }, v(1));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'dismissed');
  assert.equal(r.body.outcome, null);
  assert.equal(r.body.rule_title.en, 'Appointment passed without an outcome');
  assert.equal(r.body.rule_title.ky, 'Жолугушуунун жыйынтыгы жазылган жок');
  assert.equal(r.body.evidence.kind, 'office_visit');
  r = await u.officer.post(`/api/v1/alerts/${id}/verification`, { outcome: 'task', reasons: 'x', task: { title: 'x' } }, v(2));
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.detail, /already been dismissed/);
  r = await u.officer.post(`/api/v1/alerts/${id}/dismissal`, { reason: 'again' }, v(1));
  assert.equal(r.status, 409, r.text);
  assert.ok((await timelineKinds()).includes('alert.dismissed'));
});

test('verification as a breach allegation opens one in state reported with the alleged conditions (S6, S25)', async () => {
  const id = ruleAlert({ rule: 'contact.failed', severity: 'high', evidence: { contact_id: randomUUID(), appointment_id: null, outcome: 'failed_to_attend', occurred_at: new Date().toISOString() } });
  let r = await u.officer.post(`/api/v1/alerts/${id}/verification`, {
    outcome: 'breach', reasons: 'He did not come and did not call; no acceptable reason known',
    breach: { allegation: 'Failed to report on the appointed day', occurred_on: addDays(today(), -1), condition_ids: [ids.condition] },
  }, v(1));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'verified');
  assert.equal(r.body.outcome, 'breach');
  assert.ok(r.body.breach_id);
  assert.equal(r.body.task_id, null);
  const b = r.body.breach_id;
  assert.equal(q(`SELECT state || '|' || alert_id || '|' || occurred_on FROM breach WHERE id = '${b}'`), `reported|${id}|${addDays(today(), -1)}`);
  assert.equal(q(`SELECT condition_id FROM breach_condition WHERE breach_id = '${b}'`), ids.condition);
  const kinds = await timelineKinds();
  assert.ok(kinds.includes('breach.reported'));
  assert.ok(kinds.includes('alert.verified'));
  // Nothing about the measure changed (S7).
  assert.equal(q(`SELECT status FROM case_condition WHERE id = '${ids.condition}'`), 'active');
  assert.equal(q(`SELECT status FROM case_file WHERE id = '${ids.case}'`), 'open');
});

test('two concurrent steps on one alert at the version read: exactly one applies, the others get 412 or 409', async () => {
  const id = ruleAlert();
  const results = await Promise.all([
    u.officer.post(`/api/v1/alerts/${id}/dismissal`, { reason: 'Recorded late; nothing missed' }, v(1)),
    u.headA.post(`/api/v1/alerts/${id}/verification`, { outcome: 'task', reasons: 'Needs a follow-up call', task: { title: 'Call him' } }, v(1)),
    u.officer.post(`/api/v1/alerts/${id}/acknowledgement`, undefined, v(1)),
  ]);
  const codes = results.map((r) => r.status);
  assert.equal(codes.filter((c) => c === 200).length, 1, codes.join(','));
  const status = q(`SELECT status || ':' || version FROM alert WHERE id = '${id}'`);
  assert.ok(['dismissed:2', 'verified:2', 'acknowledged:2'].includes(status), status);
  assert.equal(count('alert_event', `alert_id = '${id}' AND action IN ('acknowledged', 'dismissed', 'verified')`), 1);
  assert.equal(count('task', `source_alert_id = '${id}'`), status === 'verified:2' ? 1 : 0);
  for (const r of results) if (r.status !== 200) assert.ok([409, 412].includes(r.status), r.text);
  // After an acknowledgement the closing steps are still allowed: the losers were told the alert changed.
  if (status === 'acknowledged:2') assert.deepEqual(codes.slice(0, 2), [412, 412]);
});

test('verifying and dismissing are for the assignee or a unit head: a colleague of the same unit gets 403', async () => {
  const first = ruleAlert({ assigned: acc.officer }), second = ruleAlert({ assigned: acc.officer });
  const denied = count('audit_log', `outcome = 'denied' AND record_type = 'alert' AND record_id = '${first}'`);
  let r = await u.officer2.get(`/api/v1/alerts/${first}`);
  assert.equal(r.status, 200, r.text);
  r = await u.officer2.post(`/api/v1/alerts/${first}/verification`, { outcome: 'task', reasons: 'Looked at it', task: { title: 'Call him' } }, v(1));
  assert.equal(r.status, 403, r.text);
  assert.match(r.body.type, /not-assignee$/);
  assert.match(r.body.detail, /assigned to, or a head of the case's unit, can verify it/);
  r = await u.officer2.post(`/api/v1/alerts/${first}/dismissal`, { reason: 'Not relevant' }, v(1));
  assert.equal(r.status, 403, r.text);
  assert.match(r.body.type, /not-assignee$/);
  assert.equal(count('audit_log', `outcome = 'denied' AND record_type = 'alert' AND record_id = '${first}'`), denied + 2);
  assert.equal(q(`SELECT status || ':' || version FROM alert WHERE id = '${first}'`), 'open:1');
  assert.equal(count('alert_event', `alert_id = '${first}'`), 1);
  // The head of the case's unit may do both.
  r = await u.headA.post(`/api/v1/alerts/${first}/verification`, { outcome: 'task', reasons: 'Needs a follow-up call', task: { title: 'Call him' } }, v(1));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'verified');
  assert.equal(r.body.closed_by_name, 'Test al.head.a');
  r = await u.headA.post(`/api/v1/alerts/${second}/dismissal`, { reason: 'Recorded late; nothing missed' }, v(1));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'dismissed');
  assert.equal(r.body.closed_by_name, 'Test al.head.a');
});

test('queues: mine, unit, escalated; filters; open first by severity; cursor pagination; one log entry per list', async () => {
  const low = ruleAlert({ severity: 'low', raised: Date.now() - 7200000 });
  const high = ruleAlert({ severity: 'high', raised: Date.now() - 7200000 });
  const other = ruleAlert({ severity: 'medium', assigned: acc.officer2 });
  const late = ruleAlert({ severity: 'medium', ackDue: Date.now() - 60000 });
  let r = await u.officer.get('/api/v1/alerts');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.queue, 'mine', 'an officer\'s default queue is their own');
  const mine = r.body.items.map((a) => a.id);
  assert.ok(mine.includes(low) && mine.includes(high) && mine.includes(late));
  assert.ok(!mine.includes(other));
  assert.ok(r.body.items.every((a) => a.status === 'open' || a.status === 'acknowledged'), 'active by default');
  // Open before acknowledged, high before medium before low.
  const rank = (a) => (a.status === 'open' ? 0 : 10) + { high: 0, medium: 1, low: 2 }[a.severity];
  const ranks = r.body.items.map(rank);
  assert.deepEqual(ranks, [...ranks].sort((x, y) => x - y));
  assert.equal(r.body.items.find((a) => a.id === late).ack_overdue, true);
  assert.equal(r.body.items.find((a) => a.id === low).ack_overdue, false);

  r = await u.headA.get('/api/v1/alerts');
  assert.equal(r.body.queue, 'unit', 'a unit head\'s default queue is the unit\'s');
  assert.ok(r.body.items.some((a) => a.id === other));
  r = await u.officer.get('/api/v1/alerts?queue=unit&severity=high');
  assert.ok(r.body.items.length >= 1 && r.body.items.every((a) => a.severity === 'high'));
  r = await u.officer.get(`/api/v1/alerts?queue=unit&status=closed&case_id=${ids.case}`);
  assert.ok(r.body.items.length >= 3 && r.body.items.every((a) => ['verified', 'dismissed'].includes(a.status)));
  r = await u.officer.get('/api/v1/alerts?queue=unit&rule=contact.failed&status=all');
  assert.ok(r.body.items.length >= 1 && r.body.items.every((a) => a.rule_code === 'contact.failed'));
  r = await u.headR.get('/api/v1/alerts?queue=unit&status=all');
  const all = r.body.items.map((a) => a.id);
  // Page through two at a time: the same alerts in the same order.
  const paged = [];
  let cursor = null;
  for (let i = 0; i < 50; i++) {
    r = await u.headR.get(`/api/v1/alerts?queue=unit&status=all&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, r.text);
    paged.push(...r.body.items.map((a) => a.id));
    cursor = r.body.next_cursor;
    if (!cursor) break;
  }
  assert.deepEqual(paged, all);
  for (const bad of ['queue=everyone', 'status=pending', 'severity=urgent', 'limit=0', 'limit=201', 'cursor=zzz', 'case_id=x', 'rule=DROP%20TABLE']) {
    r = await u.officer.get(`/api/v1/alerts?${bad}`);
    assert.equal(r.status, 422, `${bad}: ${r.text}`);
    assert.equal(r.body.errors[0].field, bad.split('=')[0]);
  }
  const logged = count('audit_log', `action = 'consult' AND record_type = 'alert' AND record_id IS NULL AND detail LIKE 'list mine:%'`);
  r = await u.officer.get('/api/v1/alerts');
  assert.equal(count('audit_log', `action = 'consult' AND record_type = 'alert' AND record_id IS NULL AND detail LIKE 'list mine:%'`), logged + 1);
  assert.match(q(`SELECT detail FROM audit_log WHERE record_type = 'alert' AND detail LIKE 'list mine:%' ORDER BY seq DESC LIMIT 1`), new RegExp(`^list mine: ${r.body.items.length} shown`));
  // The case's alerts.
  r = await u.officer.get(`/api/v1/cases/${ids.case}/alerts?status=active`);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.body.items.every((a) => a.case_id === ids.case && ['open', 'acknowledged'].includes(a.status)));
  r = await u.officer.get(`/api/v1/cases/${ids.case}/alerts?status=nope`);
  assert.equal(r.status, 422);
  // Summary counts within the caller's reach.
  r = await u.officer.get('/api/v1/alerts/summary');
  assert.equal(r.status, 200, r.text);
  const mineActive = Number(q(`SELECT COUNT(*) FROM alert WHERE assigned_to = '${acc.officer}' AND status IN ('open', 'acknowledged')`));
  assert.equal(r.body.mine.active, mineActive);
  assert.equal(r.body.mine.unacknowledged, Number(q(`SELECT COUNT(*) FROM alert WHERE assigned_to = '${acc.officer}' AND status = 'open'`)));
  assert.ok(r.body.mine.ack_overdue >= 1);
  assert.equal(r.body.unit.active, Number(q(`SELECT COUNT(*) FROM alert WHERE case_id = '${ids.case}' AND status IN ('open', 'acknowledged')`)));
  assert.ok(Array.isArray(r.body.by_rule));
  assert.equal(r.body.by_rule.reduce((n, x) => n + x.count, 0), r.body.unit.active);
  r = await u.officerB.get('/api/v1/alerts/summary');
  assert.equal(r.body.unit.active, 0);
});

test('tasks: add, list mine and unit, change with If-Match, mark done or cancel with a note', async () => {
  let r = await u.officer.post(`/api/v1/cases/${ids.case}/tasks`, { title: '', due_on: 'soon', assigned_to: acc.officerB, detail: 'x'.repeat(2001) });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['detail', 'due_on', 'title']);
  r = await u.officer.post(`/api/v1/cases/${ids.case}/tasks`, { title: 'Ask for the employment contract', assigned_to: acc.officerB });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['assigned_to']);
  r = await u.officerB.post(`/api/v1/cases/${ids.case}/tasks`, { title: 'Not my case' });
  assert.equal(r.status, 403, r.text);
  r = await u.headA.post(`/api/v1/cases/${ids.case}/tasks`, { title: 'Ask for the employment contract', detail: 'The employer is in Tokmok', due_on: addDays(today(), -1), assigned_to: acc.officer2 });
  assert.equal(r.status, 201, r.text);
  const t = r.body;
  assert.equal(t.status, 'open');
  assert.equal(t.overdue, true);
  assert.equal(t.assigned_to_name, 'Test al.officer2');
  assert.equal(t.created_by_name, 'Test al.head.a');
  assert.equal(t.case_number, ids.caseNumber);
  assert.equal(r.headers.get('etag'), '"1"');
  r = await u.officer2.get('/api/v1/tasks');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.queue, 'mine');
  assert.deepEqual(r.body.items.map((x) => x.id), [t.id]);
  r = await u.headA.get('/api/v1/tasks');
  assert.equal(r.body.queue, 'unit');
  assert.ok(r.body.items.some((x) => x.id === t.id) && r.body.items.some((x) => x.id === ids.task));
  assert.equal(r.body.items[0].id, t.id, 'soonest due first');
  r = await u.officerB.get('/api/v1/tasks?queue=unit');
  assert.equal(r.body.items.length, 0);
  r = await u.officer.get('/api/v1/tasks?status=later');
  assert.equal(r.status, 422);
  // Changes need If-Match.
  r = await u.officer2.put(`/api/v1/tasks/${t.id}`, { due_on: addDays(today(), 5) });
  assert.equal(r.status, 428, r.text);
  r = await u.officer2.put(`/api/v1/tasks/${t.id}`, { due_on: addDays(today(), 5) }, { 'if-match': '"9"' });
  assert.equal(r.status, 412, r.text);
  r = await u.officer2.put(`/api/v1/tasks/${t.id}`, {}, { 'if-match': '"1"' });
  assert.equal(r.status, 422, r.text);
  r = await u.officer2.put(`/api/v1/tasks/${t.id}`, { status: 'cancelled' }, { 'if-match': '"1"' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['close_note']);
  r = await u.officer2.put(`/api/v1/tasks/${t.id}`, { due_on: addDays(today(), 5), detail: null }, { 'if-match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.due_on, addDays(today(), 5));
  assert.equal(r.body.detail, null);
  assert.equal(r.body.overdue, false);
  assert.equal(r.headers.get('etag'), '"2"');
  r = await u.officer2.put(`/api/v1/tasks/${t.id}`, { status: 'done', close_note: 'Copy received and filed' }, { 'if-match': '"2"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'done');
  assert.equal(r.body.closed_by_name, 'Test al.officer2');
  assert.equal(r.body.close_note, 'Copy received and filed');
  r = await u.officer2.put(`/api/v1/tasks/${t.id}`, { status: 'open' }, { 'if-match': '"3"' });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /task-state$/);
  // Cancel the task from the verified alert.
  const v = q(`SELECT version FROM task WHERE id = '${ids.task}'`);
  r = await u.officer.put(`/api/v1/tasks/${ids.task}`, { status: 'cancelled', close_note: 'He came to the office with proof of address' }, { 'if-match': `"${v}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'cancelled');
  r = await u.headA.get('/api/v1/tasks?status=all&queue=unit');
  assert.ok(r.body.items.length >= 2);
  const kinds = await timelineKinds();
  for (const k of ['task.created', 'task.changed', 'task.done', 'task.cancelled']) assert.ok(kinds.includes(k), k);
  r = await u.officer.get('/api/v1/alerts/summary');
  assert.equal(r.body.tasks.mine_open, Number(q(`SELECT COUNT(*) FROM task WHERE assigned_to = '${acc.officer}' AND status = 'open'`)));
});

test('escalation: an alert nobody acknowledged goes to the unit head, then the head above; never the measure (S7)', async (t) => {
  const id = ruleAlert({ ackDue: Date.now() - 1000 });
  const acked = ruleAlert({ ackDue: Date.now() - 1000 });
  let r = await u.officer.post(`/api/v1/alerts/${acked}/acknowledgement`, undefined, v(1));
  assert.equal(r.status, 200, r.text);
  const measure = q(`SELECT COUNT(*) || ':' || MAX(version) FROM case_condition WHERE case_id = '${ids.case}' AND status = 'active'`);
  const run = async (minutes) => {
    const c = await admin.put('/api/v1/system/clock', { now: new Date(Date.now() + minutes * 60000).toISOString() });
    assert.equal(c.status, 200, c.text);
    const j = await admin.post('/api/v1/system/jobs/run');
    assert.equal(j.status, 200, j.text);
    return j.body;
  };
  let ran = await run(1);
  assert.ok(ran.ran.some((x) => x.job === 'alerts.escalate' && x.status === 'ok'), JSON.stringify(ran));
  r = await u.officer.get(`/api/v1/alerts/${id}`);
  assert.equal(r.body.escalation_level, 1);
  assert.equal(r.body.assigned_to, acc.headA, 'level 1: the head of the case\'s unit');
  assert.ok(r.body.escalated_at);
  assert.ok(Date.parse(r.body.ack_due_at) > Date.now() + 47 * 3600000, 'the rule\'s escalation time again');
  assert.equal(r.body.status, 'open');
  const ev = r.body.events.at(-1);
  assert.equal(ev.action, 'escalated');
  assert.equal(ev.actor_name, null, 'the engine');
  assert.equal(ev.detail.to, acc.headA);
  assert.equal(count('notification', `account_id = '${acc.headA}' AND kind = 'alert.escalated' AND record_id = '${id}'`), 1);
  r = await u.officer.get(`/api/v1/alerts/${acked}`);
  assert.equal(r.body.escalation_level, 0, 'an acknowledged alert never escalates');
  r = await u.headA.get('/api/v1/alerts?queue=escalated');
  assert.ok(r.body.items.some((a) => a.id === id));
  assert.ok(!r.body.items.some((a) => a.id === acked));
  // Still not acknowledged: level 2 goes to the head of the unit above.
  q(`UPDATE alert SET ack_due_at = 1 WHERE id = '${id}'`);
  ran = await run(3);
  r = await u.headR.get(`/api/v1/alerts/${id}`);
  assert.equal(r.body.escalation_level, 2);
  assert.equal(r.body.assigned_to, acc.headR);
  assert.equal(count('notification', `account_id = '${acc.headR}' AND kind = 'alert.escalated'`), 1);
  // Nobody above the region: it stays with the region's head.
  q(`UPDATE alert SET ack_due_at = 1 WHERE id = '${id}'`);
  await run(5);
  r = await u.headR.get(`/api/v1/alerts/${id}`);
  assert.equal(r.body.escalation_level, 3);
  assert.equal(r.body.assigned_to, acc.headR);
  assert.ok((await timelineKinds()).includes('alert.escalated'));
  assert.equal(q(`SELECT COUNT(*) || ':' || MAX(version) FROM case_condition WHERE case_id = '${ids.case}' AND status = 'active'`), measure);
  r = await u.headR.get('/api/v1/alerts/summary');
  assert.ok(r.body.unit.escalated >= 1);
  r = await u.headR.post(`/api/v1/alerts/${id}/acknowledgement`, undefined, v(4));
  assert.equal(r.status, 200, r.text);
  await admin.put('/api/v1/system/clock', { now: new Date().toISOString() });
});
