// Supervision levels (S5): the policy table in the reference lists and its changes by the
// administrator; a case's level set with a written reason, its history, and whether the policy
// minimum is met (contacts and home visits in the period up to today, reassessment due), the
// timeline and the processing log; refusals for other units and for roles without supervision.write.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin, officer, officerB, worker, tz;
const ids = {};

function today(timeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));

async function user(login, role, unit) {
  const r = await admin.post('/api/v1/users', {
    login, display_name: `Test ${login}`, agency_id: ids.agency, unit_id: unit, roles: [role],
  });
  assert.equal(r.status, 201, r.text);
  ids[login] = r.body.user.id;
  return (await firstLogin(srv.url, login, r.body.one_time_password)).client;
}

async function openCase(client, surname, unitOfficer) {
  let r = await client.post('/api/v1/people', { surname, given_name: 'Тест', birth_date: '1990-05-05', languages: ['ky'] });
  assert.equal(r.status, 201, r.text);
  r = await client.post('/api/v1/cases', {
    person_id: r.body.id, kind: 'executive', opened_on: addDays(today(tz), -90), open_reason: 'Court order received',
    officer_id: unitOfficer,
  });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}

before(async () => {
  srv = await startServer();
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'sup.admin')))).client;
  tz = (await admin.get('/api/v1/system')).body.timezone || 'Asia/Bishkek';
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Supervision Probation', kind: 'probation' })).body.id;
  ids.a = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office A' })).body.id;
  ids.b = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office B' })).body.id;
  officer = await user('sup.officer', 'probation_officer', ids.a);
  officerB = await user('sup.officer.b', 'probation_officer', ids.b);
  worker = await user('sup.worker', 'prison_case_worker', ids.a);
  ids.case = await openCase(officer, 'Садыков', ids['sup.officer']);
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

test('the reference lists carry the supervision levels with their policy, most intensive first', async () => {
  const r = await officer.get('/api/v1/reference');
  assert.equal(r.status, 200, r.text);
  const levels = r.body.supervision_levels;
  assert.deepEqual(levels.map((l) => l.code), ['intensive', 'high', 'medium', 'low']);
  assert.deepEqual(levels.map((l) => l.rank), [1, 2, 3, 4]);
  assert.deepEqual(levels[0], {
    code: 'intensive', rank: 1, title: { ky: 'Күчөтүлгөн', ru: 'Усиленный', en: 'Intensive' }, min_contacts: 8,
    contacts_period_days: 28, min_home_visits: 2, home_visits_period_days: 28, reassessment_days: 90, active: true,
  });
});

test('a case without a level answers nulls, and the reading is logged', async () => {
  const r = await officer.get(`/api/v1/cases/${ids.case}/supervision`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { level: null, history: [], policy: null, compliance: null, suggestion: null });
  assert.equal(count('audit_log', `action = 'consult' AND record_type = 'case_supervision' AND record_id = '${ids.case}' AND actor_login = 'sup.officer'`), 1);
});

test('the administrator adds and changes a level; every number is checked against its range', async () => {
  const body = {
    title: { ky: 'Жумалык', ru: 'Еженедельный', en: 'Weekly' }, min_contacts: 2, contacts_period_days: 7,
    min_home_visits: 1, home_visits_period_days: 14, reassessment_days: 30,
  };
  let r = await admin.put('/api/v1/reference/supervision-levels/weekly_test', body);
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.body, { code: 'weekly_test', rank: 5, ...body, active: true });
  r = await admin.put('/api/v1/reference/supervision-levels/weekly_test', { ...body, min_contacts: 3 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.min_contacts, 3);
  assert.equal(r.body.rank, 5, 'a change keeps the rank');
  r = await admin.put('/api/v1/reference/supervision-levels/weekly_test', body);
  assert.equal(r.status, 200);
  assert.equal(count('audit_log', `action = 'alter' AND record_type = 'ref_supervision_level' AND record_id = 'weekly_test'`), 3);
  // A level no longer in use.
  r = await admin.put('/api/v1/reference/supervision-levels/retired_test', { ...body, active: false });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.active, false);
  assert.equal(r.body.rank, 6);

  const before = count('ref_supervision_level');
  r = await admin.put('/api/v1/reference/supervision-levels/Bad-Code', {
    title: { ky: 'x', en: '' }, min_contacts: -1, contacts_period_days: 0, min_home_visits: 101,
    home_visits_period_days: 367, reassessment_days: 1097, active: 'yes', colour: 'red',
  });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['active', 'code', 'colour', 'contacts_period_days',
    'home_visits_period_days', 'min_contacts', 'min_home_visits', 'reassessment_days']);
  r = await admin.put('/api/v1/reference/supervision-levels/x', { ...body, title: { ky: 'x', en: '', de: 'y' } });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['code', 'title.de', 'title.en', 'title.ru']);
  r = await admin.put(`/api/v1/reference/supervision-levels/${'a'.repeat(31)}`, body);
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'code');
  assert.equal(count('ref_supervision_level'), before);
  // Only the administrator (reference.manage).
  r = await officer.put('/api/v1/reference/supervision-levels/weekly_test', body);
  assert.equal(r.status, 403);
});

test('setting a level: bad input is refused naming each field, and nothing is recorded', async () => {
  let r = await officer.put(`/api/v1/cases/${ids.case}/supervision-level`, { level: 'weekly_test', reason: 'too short', effective_from: '2026-02-30', extra: 1 });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['effective_from', 'extra', 'reason']);
  r = await officer.put(`/api/v1/cases/${ids.case}/supervision-level`, { reason: 'x'.repeat(2001) });
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['level', 'reason']);
  r = await officer.put(`/api/v1/cases/${ids.case}/supervision-level`, { level: 'nonexistent', reason: 'A reason long enough' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'level');
  r = await officer.put(`/api/v1/cases/${ids.case}/supervision-level`, { level: 'retired_test', reason: 'A reason long enough' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'level');
  assert.match(r.body.errors[0].message, /no longer/);
  r = await officer.put('/api/v1/cases/00000000-0000-7000-8000-000000000000/supervision-level', { level: 'low', reason: 'A reason long enough' });
  assert.equal(r.status, 404);
  assert.equal(count('case_supervision_level'), 0);
});

test('roles without supervision.write and officers of other units cannot set the level', async () => {
  let r = await worker.put(`/api/v1/cases/${ids.case}/supervision-level`, { level: 'low', reason: 'A reason long enough' });
  assert.equal(r.status, 403);
  r = await officerB.put(`/api/v1/cases/${ids.case}/supervision-level`, { level: 'low', reason: 'A reason long enough' });
  assert.equal(r.status, 403);
  r = await officerB.get(`/api/v1/cases/${ids.case}/supervision`);
  assert.equal(r.status, 403);
  // The prison case worker reads (people.read) but does not change.
  r = await worker.get(`/api/v1/cases/${ids.case}/supervision`);
  assert.equal(r.status, 200);
  assert.equal(count('case_supervision_level'), 0);
});

test('the level is set with a reason; compliance counts the contacts held in the period up to today', async () => {
  const t = today(tz);
  let r = await officer.put(`/api/v1/cases/${ids.case}/supervision-level`, {
    level: 'weekly_test', reason: 'Two breaches of curfew in the last month', effective_from: addDays(t, -40),
  });
  assert.equal(r.status, 200, r.text);
  let s = r.body;
  assert.equal(s.level.level, 'weekly_test');
  assert.deepEqual(s.level.title, { ky: 'Жумалык', ru: 'Еженедельный', en: 'Weekly' });
  assert.equal(s.level.reason, 'Two breaches of curfew in the last month');
  assert.equal(s.level.effective_from, addDays(t, -40));
  assert.equal(s.level.set_by_name, 'Test sup.officer');
  assert.match(s.level.set_at, /^\d{4}-\d\d-\d\dT/);
  assert.equal(s.history.length, 1);
  assert.equal(s.policy.code, 'weekly_test');
  assert.equal(s.policy.min_contacts, 2);
  assert.deepEqual(s.compliance.contacts, { required: 2, period_days: 7, done: 0, met: false, from: addDays(t, -6), to: t });
  assert.deepEqual(s.compliance.home_visits, { required: 1, period_days: 14, done: 0, met: false, from: addDays(t, -13), to: t });
  assert.deepEqual(s.compliance.reassessment, { interval_days: 30, last_on: null, due_on: addDays(t, -10), overdue: true,
    basis: 'no_assessment', instrument_code: null });
  assert.equal(s.compliance.met, false);
  const ev = JSON.parse(sql(srv.db, `SELECT detail FROM case_event WHERE case_id = '${ids.case}' AND kind = 'supervision.level_set'`));
  assert.deepEqual(ev, { level: 'weekly_test', previous: null, effective_from: addDays(t, -40) });
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'case_supervision_level' AND actor_login = 'sup.officer'`), 1);

  // Contacts through the contacts API: only those held in the window count.
  const contact = async (kind, day, outcome) => {
    // Today's contact at midnight: any later hour may still be in the future when the test runs early in the day.
    const at = day === 0 ? '00:00' : '10:00';
    const res = await officer.post(`/api/v1/cases/${ids.case}/contacts`, { kind, happened_local: `${addDays(t, day)}T${at}`, outcome });
    assert.equal(res.status, 201, res.text);
  };
  await contact('office', -6, 'attended_complied');          // contacts: first day of the window
  await contact('phone', -7, 'attended_complied');           // contacts: the day before the window
  await contact('office', -1, 'failed_to_attend');           // not held
  await contact('office', -2, 'unacceptable_absence');       // not held
  await contact('home_visit', -13, 'sent_home');             // home visits: first day of their window
  await contact('home_visit', -14, 'attended_complied');     // home visits: the day before
  s = (await officer.get(`/api/v1/cases/${ids.case}/supervision`)).body;
  assert.equal(s.compliance.contacts.done, 1);
  assert.equal(s.compliance.contacts.met, false);
  assert.equal(s.compliance.home_visits.done, 1);
  assert.equal(s.compliance.home_visits.met, true);
  await contact('video', 0, 'attended_failed_to_comply');    // today counts
  s = (await officer.get(`/api/v1/cases/${ids.case}/supervision`)).body;
  assert.equal(s.compliance.contacts.done, 2);
  assert.equal(s.compliance.contacts.met, true);
  assert.equal(s.compliance.met, false, 'the reassessment is overdue');

  // A new level (reassessed today): the history keeps both, newest first.
  r = await officer.put(`/api/v1/cases/${ids.case}/supervision-level`, { level: 'weekly_test', reason: 'Reassessed after the review meeting' });
  assert.equal(r.status, 200, r.text);
  s = r.body;
  assert.equal(s.level.effective_from, t, 'effective_from defaults to today');
  assert.deepEqual(s.compliance.reassessment, { interval_days: 30, last_on: null, due_on: addDays(t, 30), overdue: false,
    basis: 'no_assessment', instrument_code: null });
  assert.equal(s.compliance.met, true);
  assert.deepEqual(s.history.map((h) => h.reason), ['Reassessed after the review meeting', 'Two breaches of curfew in the last month']);
  assert.deepEqual(s.history[1].level_title, { ky: 'Жумалык', ru: 'Еженедельный', en: 'Weekly' });
  r = await officer.put(`/api/v1/cases/${ids.case}/supervision-level`, { level: 'low', reason: 'Steady progress over three months' });
  assert.equal(r.status, 200);
  assert.equal(r.body.level.level, 'low');
  assert.equal(r.body.compliance.home_visits.required, 0);
  assert.equal(r.body.compliance.home_visits.met, true);
  const kinds = (await officer.get(`/api/v1/cases/${ids.case}/timeline`)).body.items.map((e) => e.kind);
  assert.equal(kinds.filter((k) => k === 'supervision.level_set').length, 3);
  const last = JSON.parse(sql(srv.db, `SELECT detail FROM case_event WHERE case_id = '${ids.case}' AND kind = 'supervision.level_set' ORDER BY at DESC LIMIT 1`));
  assert.deepEqual(last, { level: 'low', previous: 'weekly_test', effective_from: t });
});
