// The complaints register (S9, Tokyo Rules 3.5-3.7): a complaint is registered from a case (its
// person and unit follow) or for a person with a unit, gets its answer deadline from the setting
// complaints.answer_days, shows as overdue once the deadline has passed unanswered, and is answered
// or withdrawn exactly once (If-Match; 409 otherwise). It is reached through its unit; every read
// and change is logged (S10), and a complaint with a case is on the case's timeline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin;
const ids = {};
const who = {};

function today(timeZone = 'Asia/Bishkek') {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));
const UNKNOWN = '01890a5d-ac96-774b-bcce-b302099a8057';

async function user(login, role, unit) {
  const r = await admin.post('/api/v1/users', { login, display_name: `Test ${login}`, agency_id: ids.agency, unit_id: unit, roles: [role] });
  assert.equal(r.status, 201, r.text);
  who[login] = { id: r.body.user.id, client: (await firstLogin(srv.url, login, r.body.one_time_password)).client };
  return who[login].client;
}

const complaint = (body) => ({ received_on: today(), channel: 'letter', about: 'officer_conduct', summary: 'Says the home visit came without notice', ...body });
const register = (client, body) => client.post('/api/v1/complaints', complaint(body));

async function timelineKinds(caseId) {
  const r = await who['comp.a'].client.get(`/api/v1/cases/${caseId}/timeline`);
  assert.equal(r.status, 200, r.text);
  return r.body.items.map((e) => e.kind);
}

before(async () => {
  srv = await startServer();
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'comp.admin')))).client;
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Complaint Probation', kind: 'probation' })).body.id;
  ids.a = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office A' })).body.id;
  ids.b = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office B' })).body.id;
  await user('comp.a', 'probation_officer', ids.a);
  await user('comp.head.a', 'unit_head', ids.a);
  await user('comp.b', 'probation_officer', ids.b);
  const a = who['comp.a'].client;
  let r = await a.post('/api/v1/people', { surname: 'Осмонов', given_name: 'Азамат', birth_date: '1988-08-08', languages: ['ru', 'ky'] });
  assert.equal(r.status, 201, r.text);
  ids.person = r.body.id;
  r = await a.post('/api/v1/cases', { person_id: ids.person, kind: 'executive', opened_on: addDays(today(), -60), open_reason: 'Court order received', officer_id: who['comp.a'].id });
  assert.equal(r.status, 201, r.text);
  ids.case = r.body.id;
  r = await a.post('/api/v1/people', { surname: 'Асанова', given_name: 'Гүлнара', birth_date: '1979-01-02', languages: ['ky'] });
  ids.person2 = r.body.id;
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

test('registering from a case: person and unit follow; the deadline is received_on + 14 days by default', async () => {
  const r = await register(who['comp.a'].client, { case_id: ids.case });
  assert.equal(r.status, 201, r.text);
  const k = r.body;
  ids.first = k.id;
  assert.equal(r.headers.get('etag'), '"1"');
  assert.equal(k.person_id, ids.person);
  assert.equal(k.person_name, 'Осмонов Азамат');
  assert.equal(k.case_id, ids.case);
  assert.match(k.case_number, /^\d{4}-\d{6}$/);
  assert.equal(k.unit_id, ids.a);
  assert.equal(k.unit_name, 'Office A');
  assert.equal(k.received_on, today());
  assert.equal(k.answer_due_on, addDays(today(), 14));
  assert.equal(k.overdue, false);
  assert.equal(k.status, 'open');
  assert.equal(k.language, 'ru', 'the person\'s first language by default');
  assert.equal(k.channel, 'letter');
  assert.equal(k.about, 'officer_conduct');
  assert.equal(k.answer, null);
  assert.equal(k.created_by_name, 'Test comp.a');
  assert.equal(k.version, 1);
  assert.ok((await timelineKinds(ids.case)).includes('complaint.received'));
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'complaint' AND record_id = '${k.id}' AND actor_login = 'comp.a'`), 1);
  // The timeline names no text of the complaint.
  assert.equal(count('case_event', `kind = 'complaint.received' AND (summary LIKE '%home visit%' OR detail LIKE '%home visit%')`), 0);
});

test('registering for a person with a unit; the deadline follows the setting', async () => {
  const a = who['comp.a'].client;
  let r = await register(a, { person_id: ids.person2, unit_id: ids.a, language: 'ky', about: 'data', channel: 'in_person' });
  assert.equal(r.status, 201, r.text);
  ids.noCase = r.body.id;
  assert.equal(r.body.case_id, null);
  assert.equal(r.body.case_number, null);
  assert.equal(r.body.person_name, 'Асанова Гүлнара');
  assert.equal(r.body.language, 'ky');
  sql(srv.db, "UPDATE setting SET value = '30' WHERE key = 'complaints.answer_days'");
  r = await register(a, { case_id: ids.case, received_on: addDays(today(), -2), about: 'conditions' });
  sql(srv.db, "UPDATE setting SET value = '14' WHERE key = 'complaints.answer_days'");
  assert.equal(r.status, 201, r.text);
  ids.thirty = r.body.id;
  assert.equal(r.body.answer_due_on, addDays(today(), 28));
});

test('bad registrations are refused naming the field; nothing is stored', async () => {
  const a = who['comp.a'].client;
  const before = count('complaint');
  const fields = async (body) => {
    const r = await a.post('/api/v1/complaints', body);
    assert.equal(r.status, 422, r.text);
    return r.body.errors.map((e) => e.field).sort();
  };
  assert.deepEqual(await fields(complaint({ case_id: ids.case, received_on: addDays(today(), 1) })), ['received_on']);
  assert.deepEqual(await fields(complaint({ case_id: ids.case, person_id: ids.person })), ['person_id']);
  assert.deepEqual(await fields(complaint({})), ['case_id']);
  assert.deepEqual(await fields(complaint({ person_id: ids.person2 })), ['unit_id']);
  assert.deepEqual(await fields(complaint({ case_id: ids.case, channel: 'pigeon', about: 'weather', summary: '' })), ['about', 'channel', 'summary']);
  assert.deepEqual(await fields(complaint({ case_id: ids.case, summary: 'x'.repeat(4001), language: 'de' })), ['language', 'summary']);
  assert.deepEqual(await fields(complaint({ case_id: ids.case, breach_id: UNKNOWN })), ['breach_id']);
  // Another unit is not one's own.
  assert.deepEqual(await fields(complaint({ person_id: ids.person2, unit_id: ids.b })), ['unit_id']);
  let r = await register(a, { case_id: UNKNOWN });
  assert.equal(r.status, 404, r.text);
  r = await register(who['comp.b'].client, { case_id: ids.case });
  assert.ok([403, 428].includes(r.status), r.text);
  assert.equal(count('complaint'), before);
});

test('overdue: received long ago and not answered; overdue ones first', async () => {
  const a = who['comp.a'].client;
  let r = await register(a, { case_id: ids.case, received_on: addDays(today(), -20), about: 'breach', channel: 'phone' });
  assert.equal(r.status, 201, r.text);
  ids.overdue = r.body.id;
  assert.equal(r.body.answer_due_on, addDays(today(), -6));
  assert.equal(r.body.overdue, true);
  r = await a.get('/api/v1/complaints?overdue=1');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((k) => k.id), [ids.overdue]);
  r = await a.get('/api/v1/complaints');
  assert.equal(r.body.items[0].id, ids.overdue, 'the overdue one first');
  assert.equal(r.body.items.length, 4);
  assert.equal(r.body.next_cursor, null);
  // The list logs one consult naming what it showed.
  assert.ok(count('audit_log', `action = 'consult' AND record_type = 'complaint' AND record_id IS NULL AND actor_login = 'comp.a' AND detail LIKE '%${ids.overdue}%'`) >= 1);
});

test('answering: If-Match, once; a stale version is 412, a second answer 409', async () => {
  const a = who['comp.head.a'].client;
  let r = await a.get(`/api/v1/complaints/${ids.first}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), '"1"');
  assert.equal(count('audit_log', `action = 'consult' AND record_type = 'complaint' AND record_id = '${ids.first}' AND actor_login = 'comp.head.a'`), 1);
  const body = { answer: 'Answered in writing: the visit had been announced by letter', answered_on: today() };
  r = await a.post(`/api/v1/complaints/${ids.first}/answer`, body);
  assert.equal(r.status, 428, r.text);
  r = await a.post(`/api/v1/complaints/${ids.first}/answer`, body, { 'if-match': '"7"' });
  assert.equal(r.status, 412, r.text);
  r = await a.post(`/api/v1/complaints/${ids.first}/answer`, { answer: '', answered_on: addDays(today(), 1) }, { 'if-match': '"1"' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['answer', 'answered_on']);
  r = await a.post(`/api/v1/complaints/${ids.first}/answer`, { ...body, answered_on: addDays(today(), -1) }, { 'if-match': '"1"' });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'answered_on');
  r = await a.post(`/api/v1/complaints/${ids.first}/answer`, body, { 'if-match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), '"2"');
  assert.equal(r.body.status, 'answered');
  assert.equal(r.body.answer, body.answer);
  assert.equal(r.body.answered_on, today());
  assert.equal(r.body.answered_by_name, 'Test comp.head.a');
  assert.equal(r.body.overdue, false);
  r = await a.post(`/api/v1/complaints/${ids.first}/answer`, body, { 'if-match': '"2"' });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /complaint-state/);
  assert.match(r.body.detail, /already answered/);
  r = await a.post(`/api/v1/complaints/${ids.first}/withdrawal`, { reason: 'Changed their mind' }, { 'if-match': '"2"' });
  assert.equal(r.status, 409, r.text);
  assert.ok((await timelineKinds(ids.case)).includes('complaint.answered'));
  assert.equal(count('audit_log', `action = 'alter' AND record_type = 'complaint' AND record_id = '${ids.first}'`), 1);
  // The overdue one answered late is no longer overdue.
  r = await who['comp.a'].client.post(`/api/v1/complaints/${ids.overdue}/answer`, body, { 'if-match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.overdue, false);
});

test('withdrawal: open -> withdrawn, then nothing more', async () => {
  const a = who['comp.a'].client;
  let r = await a.post(`/api/v1/complaints/${ids.thirty}/withdrawal`, {}, { 'if-match': '"1"' });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'reason');
  r = await a.post(`/api/v1/complaints/${ids.thirty}/withdrawal`, { reason: 'The person withdrew it at the office' }, { 'if-match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'withdrawn');
  assert.equal(r.body.withdraw_reason, 'The person withdrew it at the office');
  assert.equal(r.body.answer, null);
  r = await a.post(`/api/v1/complaints/${ids.thirty}/answer`, { answer: 'Late', answered_on: today() }, { 'if-match': '"2"' });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.detail, /withdrawn/);
  assert.ok((await timelineKinds(ids.case)).includes('complaint.withdrawn'));
});

test('the register: filters, pages, and reach by the complaint\'s unit', async () => {
  const a = who['comp.a'].client;
  let r = await a.get('/api/v1/complaints?status=answered');
  assert.deepEqual(r.body.items.map((k) => k.id).sort(), [ids.first, ids.overdue].sort());
  r = await a.get('/api/v1/complaints?status=open');
  assert.deepEqual(r.body.items.map((k) => k.id), [ids.noCase]);
  r = await a.get(`/api/v1/complaints?person_id=${ids.person2}&status=all`);
  assert.deepEqual(r.body.items.map((k) => k.id), [ids.noCase]);
  r = await a.get(`/api/v1/complaints?case_id=${ids.case}`);
  assert.equal(r.body.items.length, 3);
  // Pages of one.
  const seen = [];
  let cursor = null;
  do {
    r = await a.get(`/api/v1/complaints?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, r.text);
    seen.push(...r.body.items.map((k) => k.id));
    cursor = r.body.next_cursor;
  } while (cursor && seen.length < 10);
  assert.equal(seen.length, 4);
  assert.equal(new Set(seen).size, 4);
  assert.equal(seen[0], ids.noCase, 'open ones first');
  for (const q of ['status=closed', 'overdue=yes', 'limit=0', 'person_id=x', 'case_id=1']) {
    r = await a.get(`/api/v1/complaints?${q}`);
    assert.equal(r.status, 422, `${q}: ${r.text}`);
  }
  // Another unit's officer neither lists nor reads them.
  r = await who['comp.b'].client.get('/api/v1/complaints?status=all');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items, []);
  r = await who['comp.b'].client.get(`/api/v1/complaints/${ids.first}`);
  assert.ok([403, 428].includes(r.status), r.text);
  r = await who['comp.b'].client.post(`/api/v1/complaints/${ids.noCase}/withdrawal`, { reason: 'x' }, { 'if-match': '"1"' });
  assert.ok([403, 428].includes(r.status), r.text);
  r = await a.get(`/api/v1/complaints/${UNKNOWN}`);
  assert.equal(r.status, 404, r.text);
  // The competent authority has no complaints.read.
  r = await admin.get('/api/v1/complaints');
  assert.equal(r.status, 403, r.text);
});
