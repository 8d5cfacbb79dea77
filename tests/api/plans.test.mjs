// Supervision plans: one per case; objectives linked to needs; actions owned by the officer, the
// person or a partner agency, with due dates and overdue flags; periodic reviews that set the next
// review; optimistic locking (If-Match) on the plan, objectives and actions; the timeline and the
// processing log; refusals for other units and for roles without supervision.write.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin, officer, officerB, worker, tz, t;
const ids = {};

function today(timeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));
const fields = (r) => r.body.errors.map((e) => e.field).sort();
const ifMatch = (v) => ({ 'if-match': `"${v}"` });

async function user(login, role, unit, agency = ids.agency) {
  const r = await admin.post('/api/v1/users', { login, display_name: `Test ${login}`, agency_id: agency, unit_id: unit, roles: [role] });
  assert.equal(r.status, 201, r.text);
  ids[login] = r.body.user.id;
  return (await firstLogin(srv.url, login, r.body.one_time_password)).client;
}

async function openCase(surname) {
  let r = await officer.post('/api/v1/people', { surname, given_name: 'Тест', birth_date: '1991-04-04' });
  assert.equal(r.status, 201, r.text);
  r = await officer.post('/api/v1/cases', {
    person_id: r.body.id, kind: 'executive', opened_on: addDays(t, -30), open_reason: 'Court order received',
    officer_id: ids['plan.officer'],
  });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}

before(async () => {
  srv = await startServer();
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'plan.admin')))).client;
  tz = (await admin.get('/api/v1/system')).body.timezone || 'Asia/Bishkek';
  t = today(tz);
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Plan Probation', kind: 'probation' })).body.id;
  ids.partner = (await admin.post('/api/v1/agencies', { name: 'Employment Centre', kind: 'partner' })).body.id;
  ids.court = (await admin.post('/api/v1/agencies', { name: 'Plan Court', kind: 'court' })).body.id;
  ids.a = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office A' })).body.id;
  ids.b = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office B' })).body.id;
  ids.courtUnit = (await admin.post('/api/v1/units', { agency_id: ids.court, name: 'Chamber' })).body.id;
  officer = await user('plan.officer', 'probation_officer', ids.a);
  officerB = await user('plan.officer.b', 'probation_officer', ids.b);
  worker = await user('plan.worker', 'prison_case_worker', ids.a);
  await user('plan.judge', 'competent_authority', ids.courtUnit, ids.court);
  ids.case = await openCase('Мамытов');
  ids.case2 = await openCase('Алиева');
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

let plan; // as last answered

test('a case without a plan answers plan: null; objectives and reviews need a plan first', async () => {
  let r = await officer.get(`/api/v1/cases/${ids.case}/plan`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { plan: null });
  assert.equal(count('audit_log', `action = 'consult' AND record_type = 'case_plan' AND record_id = '${ids.case}'`), 1);
  r = await officer.post(`/api/v1/cases/${ids.case}/plan/objectives`, { need: 'employment', description: 'Find work' });
  assert.equal(r.status, 409);
  assert.equal(r.body.type, 'urn:kadam:problem:no-plan');
  r = await officer.post(`/api/v1/cases/${ids.case}/plan/reviews`, { summary: 'Nothing yet' });
  assert.equal(r.status, 409);
});

test('starting a plan: bad input is refused; the plan starts with its first review date', async () => {
  for (const bad of [{ review_every_days: 6 }, { review_every_days: 367 }, { review_every_days: '28' }, {}]) {
    const r = await officer.put(`/api/v1/cases/${ids.case}/plan`, bad);
    assert.equal(r.status, 422, JSON.stringify(bad));
    assert.deepEqual(fields(r), ['review_every_days']);
  }
  let r = await officer.put(`/api/v1/cases/${ids.case}/plan`, { review_every_days: 28, colour: 'red' });
  assert.deepEqual(fields(r), ['colour']);
  assert.equal(count('supervision_plan'), 0);
  r = await officer.put(`/api/v1/cases/${ids.case}/plan`, { review_every_days: 28 });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('etag'), '"1"');
  plan = r.body;
  assert.equal(plan.case_id, ids.case);
  assert.equal(plan.review_every_days, 28);
  assert.equal(plan.next_review_on, addDays(t, 28));
  assert.equal(plan.review_due, false);
  assert.equal(plan.version, 1);
  assert.deepEqual(plan.objectives, []);
  assert.deepEqual(plan.reviews, []);
  assert.equal(count('case_event', `case_id = '${ids.case}' AND kind = 'plan.started'`), 1);
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'supervision_plan' AND record_id = '${plan.id}'`), 1);
  r = await officer.get(`/api/v1/cases/${ids.case}/plan`);
  assert.equal(r.headers.get('etag'), '"1"');
  assert.deepEqual(r.body, plan);
});

test('changing the interval needs the current version', async () => {
  let r = await officer.put(`/api/v1/cases/${ids.case}/plan`, { review_every_days: 14 });
  assert.equal(r.status, 428);
  r = await officer.put(`/api/v1/cases/${ids.case}/plan`, { review_every_days: 14 }, ifMatch(7));
  assert.equal(r.status, 412);
  r = await officer.put(`/api/v1/cases/${ids.case}/plan`, { review_every_days: 14 }, ifMatch(1));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), '"2"');
  assert.equal(r.body.review_every_days, 14);
  assert.equal(r.body.next_review_on, addDays(t, 14), 'counted again from the start of the plan');
  assert.equal(count('case_event', `case_id = '${ids.case}' AND kind = 'plan.changed'`), 1);
  r = await officer.put(`/api/v1/cases/${ids.case}/plan`, { review_every_days: 21 }, ifMatch(1));
  assert.equal(r.status, 412, 'the version read before the change is stale');
  plan = (await officer.get(`/api/v1/cases/${ids.case}/plan`)).body;
  assert.equal(plan.review_every_days, 14);
});

test('objectives: needs from the list, in the order added', async () => {
  let r = await officer.post(`/api/v1/cases/${ids.case}/plan/objectives`, { need: 'housing', description: '', status: 'open' });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['description', 'need', 'status']);
  r = await officer.post(`/api/v1/cases/${ids.case}/plan/objectives`, { need: 'employment', description: 'x'.repeat(2001) });
  assert.deepEqual(fields(r), ['description']);
  r = await officer.post(`/api/v1/cases/${ids.case}/plan/objectives`, { need: 'employment', description: 'Find stable <b>work</b>' });
  assert.equal(r.status, 201, r.text);
  r = await officer.post(`/api/v1/cases/${ids.case}/plan/objectives`, { need: 'identity_documents', description: 'Replace the lost passport' });
  assert.equal(r.status, 201, r.text);
  plan = r.body;
  assert.deepEqual(plan.objectives.map((o) => [o.need, o.status, o.position, o.version, o.actions.length]),
    [['employment', 'open', 1, 1, 0], ['identity_documents', 'open', 2, 1, 0]]);
  assert.equal(plan.objectives[0].description, 'Find stable <b>work</b>');
  const ev = sql(srv.db, `SELECT detail FROM case_event WHERE case_id = '${ids.case}' AND kind = 'plan.objective_added' ORDER BY at LIMIT 1`);
  assert.deepEqual(JSON.parse(ev), { need: 'employment', position: 1 });
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'plan_objective'`), 2);
});

test('actions: the owner must fit its kind, and exist', async () => {
  const objective = plan.objectives[0].id;
  const post = (body) => officer.post(`/api/v1/plan-objectives/${objective}/actions`, body);
  const base = { description: 'Register at the employment centre', due_on: addDays(t, 10) };
  let r = await post({ ...base, owner_kind: 'officer' });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['owner_account_id']);
  r = await post({ ...base, owner_kind: 'partner', owner_account_id: ids['plan.officer'] });
  assert.deepEqual(fields(r), ['owner_account_id', 'owner_agency_id']);
  r = await post({ ...base, owner_kind: 'person', owner_agency_id: ids.partner });
  assert.deepEqual(fields(r), ['owner_agency_id']);
  r = await post({ description: '', owner_kind: 'family', due_on: '2026-13-01' });
  assert.deepEqual(fields(r), ['description', 'due_on', 'owner_kind']);
  // An account of another agency, an agency that is not a partner, an unknown id.
  r = await post({ ...base, owner_kind: 'officer', owner_account_id: ids['plan.judge'] });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['owner_account_id']);
  r = await post({ ...base, owner_kind: 'partner', owner_agency_id: ids.court });
  assert.deepEqual(fields(r), ['owner_agency_id']);
  r = await post({ ...base, owner_kind: 'partner', owner_agency_id: '00000000-0000-7000-8000-000000000000' });
  assert.deepEqual(fields(r), ['owner_agency_id']);
  assert.equal(count('plan_action'), 0);
  r = await officer.post('/api/v1/plan-objectives/00000000-0000-7000-8000-000000000000/actions', { ...base, owner_kind: 'person' });
  assert.equal(r.status, 404);

  r = await post({ ...base, owner_kind: 'officer', owner_account_id: ids['plan.officer.b'] }); // any account of the agency
  assert.equal(r.status, 201, r.text);
  r = await post({ description: 'Attend the job fair', owner_kind: 'partner', owner_agency_id: ids.partner, due_on: addDays(t, 20) });
  assert.equal(r.status, 201, r.text);
  r = await post({ description: 'Bring the CV', owner_kind: 'person', due_on: addDays(t, -1) });
  assert.equal(r.status, 201, r.text);
  plan = r.body;
  const actions = plan.objectives[0].actions;
  assert.deepEqual(actions.map((a) => [a.owner_kind, a.owner_name, a.status, a.overdue, a.version]), [
    ['person', null, 'open', true, 1],
    ['officer', 'Test plan.officer.b', 'open', false, 1],
    ['partner', 'Employment Centre', 'open', false, 1],
  ]);
  assert.equal(actions[1].owner_account_id, ids['plan.officer.b']);
  assert.equal(actions[2].owner_agency_id, ids.partner);
  assert.equal(actions[0].objective_id, objective);
  assert.equal(actions[0].done_on, null);
  assert.equal(count('case_event', `case_id = '${ids.case}' AND kind = 'plan.action_added'`), 3);
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'plan_action'`), 3);
});

test('changing an action: If-Match, status and done date, owner', async () => {
  const [late, mine] = plan.objectives[0].actions;
  const put = (id, body, v) => officer.put(`/api/v1/plan-actions/${id}`, body, v === undefined ? undefined : ifMatch(v));
  let r = await put(late.id, { status: 'done' });
  assert.equal(r.status, 428);
  r = await put(late.id, { status: 'done' }, 2);
  assert.equal(r.status, 412);
  r = await put(late.id, { status: 'finished', done_on: addDays(t, 1) }, 1);
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['done_on', 'status']);
  r = await put(late.id, { status: 'done', done_on: addDays(t, 1) }, 1);
  assert.deepEqual(fields(r), ['done_on']);
  r = await put(late.id, { status: 'cancelled', done_on: t }, 1);
  assert.deepEqual(fields(r), ['done_on']);
  r = await put(late.id, { done_on: t }, 1);
  assert.deepEqual(fields(r), ['done_on'], 'a done date for an open action');
  r = await put(late.id, {}, 1);
  assert.equal(r.status, 422);
  r = await put(late.id, { owner_account_id: ids['plan.officer'] }, 1);
  assert.deepEqual(fields(r), ['owner_kind']);
  r = await put(late.id, { status: 'done' }, 1);
  assert.equal(r.status, 200, r.text);
  let a = r.body.objectives[0].actions.find((x) => x.id === late.id);
  assert.deepEqual([a.status, a.done_on, a.overdue, a.version], ['done', t, false, 2]);
  // Owner change: the whole owner is replaced.
  r = await put(mine.id, { owner_kind: 'person' }, 1);
  assert.equal(r.status, 200, r.text);
  a = r.body.objectives[0].actions.find((x) => x.id === mine.id);
  assert.deepEqual([a.owner_kind, a.owner_account_id, a.owner_name, a.version], ['person', null, null, 2]);
  r = await put(mine.id, { owner_kind: 'officer', owner_account_id: ids['plan.judge'] }, 2);
  assert.deepEqual(fields(r), ['owner_account_id']);
  r = await put(mine.id, { owner_kind: 'officer', owner_account_id: ids['plan.officer'], due_on: addDays(t, -3), description: 'Call the employer' }, 2);
  assert.equal(r.status, 200, r.text);
  a = r.body.objectives[0].actions.find((x) => x.id === mine.id);
  assert.deepEqual([a.owner_name, a.due_on, a.overdue, a.description], ['Test plan.officer', addDays(t, -3), true, 'Call the employer']);
  const ev = JSON.parse(sql(srv.db, `SELECT detail FROM case_event WHERE case_id = '${ids.case}' AND kind = 'plan.action_changed' ORDER BY at DESC LIMIT 1`));
  assert.deepEqual(ev.changed.sort(), ['description', 'due_on', 'owner_account_id', 'owner_kind']);
  assert.equal(count('audit_log', `action = 'alter' AND record_type = 'plan_action'`), 3);
  // A done action reopened loses its done date.
  r = await put(late.id, { status: 'open' }, 2);
  a = r.body.objectives[0].actions.find((x) => x.id === late.id);
  assert.deepEqual([a.status, a.done_on, a.overdue], ['open', null, true]);
  r = await put(late.id, { status: 'done', done_on: addDays(t, -2) }, 3);
  a = r.body.objectives[0].actions.find((x) => x.id === late.id);
  assert.deepEqual([a.status, a.done_on], ['done', addDays(t, -2)]);
  plan = r.body;
});

test('changing an objective: If-Match and the statuses of the list', async () => {
  const o = plan.objectives[1];
  const put = (body, v) => officer.put(`/api/v1/plan-objectives/${o.id}`, body, ifMatch(v));
  let r = await put({ status: 'done' }, 1);
  assert.deepEqual(fields(r), ['status']);
  r = await put({}, 1);
  assert.equal(r.status, 422);
  r = await put({ status: 'achieved' }, 5);
  assert.equal(r.status, 412);
  r = await officer.put(`/api/v1/plan-objectives/${o.id}`, { status: 'achieved' });
  assert.equal(r.status, 428);
  r = await put({ status: 'achieved' }, 1);
  assert.equal(r.status, 200, r.text);
  const changed = r.body.objectives.find((x) => x.id === o.id);
  assert.deepEqual([changed.status, changed.version, changed.need], ['achieved', 2, 'identity_documents']);
  const ev = JSON.parse(sql(srv.db, `SELECT detail FROM case_event WHERE case_id = '${ids.case}' AND kind = 'plan.objective_changed'`));
  assert.deepEqual(ev, { need: 'identity_documents', status: 'achieved', changed: ['status'] });
  r = await officer.put('/api/v1/plan-objectives/00000000-0000-7000-8000-000000000000', { status: 'achieved' }, ifMatch(1));
  assert.equal(r.status, 404);
});

test('reviews set the next review; review_due follows today', async () => {
  const post = (body) => officer.post(`/api/v1/cases/${ids.case}/plan/reviews`, body);
  let r = await post({ summary: '', reviewed_on: addDays(t, 1) });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['reviewed_on', 'summary']);
  r = await post({ summary: 'ok', reviewed_on: addDays(t, -5), next_review_on: addDays(t, -5) });
  assert.deepEqual(fields(r), ['next_review_on']);
  r = await post({ summary: 'ok', next_review_on: addDays(t, 400) });
  assert.deepEqual(fields(r), ['next_review_on']);
  assert.equal(count('plan_review'), 0);
  // A review long ago: the next one (every 14 days) is already due.
  r = await post({ summary: 'Work search started; passport applied for', reviewed_on: addDays(t, -20) });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.next_review_on, addDays(t, -6));
  assert.equal(r.body.review_due, true);
  assert.equal(r.body.version, 3, 'a review changes the plan');
  r = await post({ summary: 'Employment centre registration done', next_review_on: addDays(t, 30) });
  assert.equal(r.status, 201, r.text);
  plan = r.body;
  assert.equal(plan.next_review_on, addDays(t, 30));
  assert.equal(plan.review_due, false);
  assert.deepEqual(plan.reviews.map((x) => [x.reviewed_on, x.next_review_on, x.reviewed_by_name]), [
    [t, addDays(t, 30), 'Test plan.officer'],
    [addDays(t, -20), addDays(t, -6), 'Test plan.officer'],
  ]);
  assert.equal(count('case_event', `case_id = '${ids.case}' AND kind = 'plan.reviewed'`), 2);
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'plan_review'`), 2);
  // A new interval counts from the last review.
  r = await officer.put(`/api/v1/cases/${ids.case}/plan`, { review_every_days: 7 }, ifMatch(plan.version));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.next_review_on, addDays(t, 7));
});

test('other units, and roles without supervision.write, cannot change the plan', async () => {
  const objective = plan.objectives[0];
  const action = objective.actions[0];
  const tries = [
    (c) => c.put(`/api/v1/cases/${ids.case}/plan`, { review_every_days: 30 }, ifMatch(plan.version)),
    (c) => c.put(`/api/v1/cases/${ids.case2}/plan`, { review_every_days: 30 }),
    (c) => c.post(`/api/v1/cases/${ids.case}/plan/objectives`, { need: 'health', description: 'See a doctor' }),
    (c) => c.put(`/api/v1/plan-objectives/${objective.id}`, { status: 'dropped' }, ifMatch(objective.version)),
    (c) => c.post(`/api/v1/plan-objectives/${objective.id}/actions`, { description: 'x', owner_kind: 'person', due_on: t }),
    (c) => c.put(`/api/v1/plan-actions/${action.id}`, { status: 'cancelled' }, ifMatch(action.version)),
    (c) => c.post(`/api/v1/cases/${ids.case}/plan/reviews`, { summary: 'Not mine' }),
  ];
  for (const c of [worker, officerB]) {
    for (const attempt of tries) {
      const r = await attempt(c);
      assert.equal(r.status, 403, r.text);
    }
  }
  assert.equal((await officerB.get(`/api/v1/cases/${ids.case}/plan`)).status, 403);
  const read = await worker.get(`/api/v1/cases/${ids.case}/plan`);
  assert.equal(read.status, 200, 'people.read reads the plan');
  assert.equal(read.body.version, plan.version + 1);
  assert.equal(count('supervision_plan'), 1);
  assert.ok(count('audit_log', `outcome = 'denied' AND actor_login = 'plan.officer.b'`) >= 5);
});
