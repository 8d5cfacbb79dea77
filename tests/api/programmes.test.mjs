// Partner organisations, the programme catalogue, participants and the attendance register (issue 9; S10, S16):
// an administrator registers a partner (an agency of kind partner with its profile, names unique); a partner's
// users see only their own organisation and the programmes it provides, and add or change only those; places taken
// count the enrolled referrals and the waiting list is in order; staff see the participants of cases within their
// units and only counts of the rest, a partner only the referrals shared with it while the share lasts; only the
// provider keeps the attendance register — for enrolled referrals with a live share, never for a future session,
// an absence always with its reason, and recording a session again replaces it. Reads and changes are logged;
// attendance is on each case's timeline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin;
const ids = {};
const users = {};

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));
const ifMatch = (v) => ({ 'if-match': `"${v}"` });
const etag = (r) => r.headers.get('etag');
const fieldsOf = (problem) => (problem.errors || []).map((e) => e.field);
const c = (login) => users[login].client;

async function today() {
  // The server's own today, in its zone (the setting `timezone`).
  const tz = (await admin.get('/api/v1/system')).body.timezone;
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}

async function user(login, roles, agency, unit) {
  const body = { login, display_name: `Test ${login}`, agency_id: agency, roles };
  if (unit) body.unit_id = unit;
  const r = await admin.post('/api/v1/users', body);
  assert.equal(r.status, 201, r.text);
  users[login] = { id: r.body.user.id, client: (await firstLogin(srv.url, login, r.body.one_time_password)).client };
}

const programmeBody = (provider, extra = {}) => ({
  name: 'Welding course', type: 'vocational_training', provider_agency_id: provider, places: 2,
  schedule: 'Tuesdays and Thursdays 14:00-16:00, 12 weeks', languages: ['ky', 'ru'],
  eligibility: 'Adults under probation supervision', ...extra,
});

async function openCase(who, surname) {
  let r = await c(who).post('/api/v1/people', { surname, given_name: 'Бакыт', birth_date: '1990-05-05', languages: ['ky'] });
  assert.equal(r.status, 201, r.text);
  r = await c(who).post('/api/v1/cases', { person_id: r.body.id, kind: 'executive', opened_on: addDays(ids.today, -30),
    open_reason: 'Court order received' });
  assert.equal(r.status, 201, r.text);
  return { id: r.body.id, number: r.body.number };
}

async function refer(who, caseId, programme, fields = ['name']) {
  const r = await c(who).post(`/api/v1/cases/${caseId}/referrals`, { programme_id: programme,
    reason: 'Needs a trade to find work after the sentence', shared_fields: fields, share_until: addDays(ids.today, 30) });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}

async function move(who, referral, to) {
  const v = (await c('pg.officer').get(`/api/v1/referrals/${referral}`)).body.version;
  const r = await c(who).post(`/api/v1/referrals/${referral}/transitions`, { to }, ifMatch(v));
  assert.equal(r.status, 200, `${to}: ${r.text}`);
}

before(async () => {
  srv = await startServer();
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'pg.admin')))).client;
  ids.today = await today();
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Programmes Probation', kind: 'probation' })).body.id;
  ids.unitA = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Programmes Office A' })).body.id;
  ids.unitB = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Programmes Office B' })).body.id;
  await user('pg.officer', ['probation_officer'], ids.agency, ids.unitA);
  await user('pg.officer.b', ['probation_officer'], ids.agency, ids.unitB);
  await user('pg.head', ['unit_head'], ids.agency, ids.unitA);
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

test('registering a partner: the body is checked, the name is unique among agencies, the change is logged', async () => {
  let r = await admin.post('/api/v1/partners', { name: ' ', partner_kind: 'charity', email: 'nobody', phone: 'call me', extra: 1 });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fieldsOf(r.body).sort(), ['email', 'extra', 'name', 'partner_kind', 'phone']);
  assert.equal(count('partner_profile'), 0);
  r = await admin.post('/api/v1/partners', { name: 'Programmes Probation', partner_kind: 'ngo' });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /name-taken/);
  assert.equal(count('partner_profile'), 0);

  r = await admin.post('/api/v1/partners', { name: 'Umut Trades Centre', partner_kind: 'ngo', contact_name: 'Aigul',
    phone: '+996 312 123456', email: 'office@umut.kg', address: 'Bishkek', note: 'Trades' });
  assert.equal(r.status, 201, r.text);
  assert.equal(etag(r), '"1"');
  ids.p1 = r.body.id;
  assert.equal(r.headers.get('location'), `/api/v1/partners/${ids.p1}`);
  assert.equal(r.body.partner_kind, 'ngo');
  assert.equal(r.body.email, 'office@umut.kg');
  assert.deepEqual(r.body.programmes, []);
  assert.equal(sql(srv.db, `SELECT kind FROM agency WHERE id = ${q(ids.p1)}`), 'partner');
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'partner' AND record_id = ${q(ids.p1)} AND purpose = 'administration'`), 1);
  r = await admin.post('/api/v1/partners', { name: 'Umut Trades Centre', partner_kind: 'school' });
  assert.equal(r.status, 409, r.text);

  r = await admin.post('/api/v1/partners', { name: 'Ishenim Mentors', partner_kind: 'religious_organisation' });
  assert.equal(r.status, 201, r.text);
  ids.p2 = r.body.id;
  await user('pg.partner', ['partner'], ids.p1);
  await user('pg.partner.other', ['partner'], ids.p2);
});

test('a partner sees only its own organisation; staff see all; a change needs the current version', async () => {
  let r = await c('pg.partner').get('/api/v1/partners');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((p) => p.id), [ids.p1]);
  assert.equal(r.body.items[0].programmes, 0);
  r = await c('pg.partner').get(`/api/v1/partners/${ids.p2}`);
  assert.equal(r.status, 404, r.text);
  r = await c('pg.partner').get(`/api/v1/partners/${ids.p1}`);
  assert.equal(r.status, 200, r.text);
  r = await c('pg.officer').get('/api/v1/partners');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((p) => p.name), ['Ishenim Mentors', 'Umut Trades Centre']);
  assert.ok(count('audit_log', `action = 'consult' AND record_type = 'partner'`) >= 3);

  const body = { name: 'Umut Trades Centre', partner_kind: 'employer', contact_name: 'Nurlan' };
  r = await admin.put(`/api/v1/partners/${ids.p1}`, body);
  assert.equal(r.status, 428, r.text);
  r = await admin.put(`/api/v1/partners/${ids.p1}`, body, ifMatch(7));
  assert.equal(r.status, 412, r.text);
  r = await admin.put(`/api/v1/partners/${ids.p1}`, { ...body, name: 'Ishenim Mentors' }, ifMatch(1));
  assert.equal(r.status, 409, r.text);
  r = await admin.put(`/api/v1/partners/${ids.p1}`, body, ifMatch(1));
  assert.equal(r.status, 200, r.text);
  assert.equal(etag(r), '"2"');
  assert.equal(r.body.partner_kind, 'employer');
  assert.equal(r.body.contact_name, 'Nurlan');
  assert.equal(r.body.email, null, 'a field left out is cleared');
  r = await admin.put(`/api/v1/partners/${crypto.randomUUID()}`, body, ifMatch(1));
  assert.equal(r.status, 404, r.text);
});

test('programmes: checked bodies, a known provider, a partner adds and changes only its own and sees only those', async () => {
  let r = await admin.post('/api/v1/programmes', programmeBody('nope', { type: 'yoga', places: 0, languages: ['ky', 'ky'],
    schedule: '  ', starts_on: '2026-05-01', ends_on: '2026-04-01', status: 'open' }));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fieldsOf(r.body).sort(), ['ends_on', 'languages', 'places', 'provider_agency_id', 'schedule', 'status', 'type']);
  r = await admin.post('/api/v1/programmes', programmeBody(crypto.randomUUID()));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fieldsOf(r.body), ['provider_agency_id']);
  assert.equal(count('programme'), 0);

  r = await c('pg.partner').post('/api/v1/programmes', programmeBody(ids.p1));
  assert.equal(r.status, 201, r.text);
  ids.prog = r.body.id;
  assert.equal(etag(r), '"1"');
  assert.equal(r.body.provider_name, 'Umut Trades Centre');
  assert.equal(r.body.provider_kind, 'employer');
  assert.deepEqual(r.body.languages, ['ky', 'ru']);
  assert.equal(r.body.places_taken, 0);
  assert.equal(r.body.places_free, 2);
  assert.equal(r.body.waiting, 0);
  assert.equal(r.body.status, 'open');
  r = await c('pg.partner').post('/api/v1/programmes', programmeBody(ids.p1));
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /name-taken/);
  r = await c('pg.partner').post('/api/v1/programmes', programmeBody(ids.p2, { name: 'Mentoring' }));
  assert.equal(r.status, 403, r.text);
  assert.equal(count('audit_log', `action = 'access.denied' AND record_type = 'programme'`), 1);

  r = await admin.post('/api/v1/programmes', programmeBody(ids.p2, { name: 'Mentoring', type: 'mentoring', languages: ['uz'] }));
  assert.equal(r.status, 201, r.text);
  ids.prog2 = r.body.id;
  // Only a partner organisation provides programmes: its users alone accept referrals (the status table), and staff
  // of any other agency would otherwise be taken for the provider of referrals to it.
  r = await c('pg.head').post('/api/v1/programmes', programmeBody(ids.agency, { name: 'Family support group', type: 'family_support' }));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fieldsOf(r.body), ['provider_agency_id']);
  assert.equal(count('programme', `provider_agency_id = ${q(ids.agency)}`), 0);
  ids.p3 = (await admin.post('/api/v1/partners', { name: 'Oila Family Centre', partner_kind: 'ngo' })).body.id;
  r = await c('pg.head').post('/api/v1/programmes', programmeBody(ids.p3, { name: 'Family support group', type: 'family_support' }));
  assert.equal(r.status, 201, r.text, 'a unit head adds a programme of any partner');
  ids.prog3 = r.body.id;

  r = await c('pg.partner').get('/api/v1/programmes?status=all');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((p) => p.id), [ids.prog]);
  r = await c('pg.partner').get(`/api/v1/programmes/${ids.prog2}`);
  assert.equal(r.status, 404, r.text);
  r = await c('pg.partner').get(`/api/v1/partners/${ids.p1}`);
  assert.deepEqual(r.body.programmes.map((p) => p.id), [ids.prog]);
  r = await c('pg.officer').get('/api/v1/programmes');
  assert.deepEqual(r.body.items.map((p) => p.id).sort(), [ids.prog, ids.prog2, ids.prog3].sort());
  r = await c('pg.officer').get('/api/v1/programmes?language=uz');
  assert.deepEqual(r.body.items.map((p) => p.id), [ids.prog2]);
  r = await c('pg.officer').get('/api/v1/programmes?type=vocational_training');
  assert.deepEqual(r.body.items.map((p) => p.id), [ids.prog]);
  r = await c('pg.officer').get(`/api/v1/programmes?provider=${ids.p2}`);
  assert.deepEqual(r.body.items.map((p) => p.id), [ids.prog2]);
  r = await c('pg.officer').get('/api/v1/programmes?type=yoga&language=fr&status=paused&provider=x');
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fieldsOf(r.body).sort(), ['language', 'provider', 'status', 'type']);

  // Changes: the partner's own programme, never another's, never handed to another provider.
  // Another agency's programme is unknown to a partner (404 as in GET: no 403 telling it exists); the refusal logged.
  r = await c('pg.partner').put(`/api/v1/programmes/${ids.prog2}`, programmeBody(ids.p2, { name: 'Mentoring' }), ifMatch(1));
  assert.equal(r.status, 404, r.text);
  assert.equal(count('audit_log', `action = 'access.denied' AND record_type = 'programme' AND record_id = ${q(ids.prog2)}`), 1);
  r = await c('pg.partner').put(`/api/v1/programmes/${ids.prog}`, programmeBody(ids.p2), ifMatch(1));
  assert.equal(r.status, 403, r.text);
  r = await c('pg.partner').put(`/api/v1/programmes/${ids.prog}`, programmeBody(ids.p1, { places: 3 }));
  assert.equal(r.status, 428, r.text);
  r = await c('pg.partner').put(`/api/v1/programmes/${ids.prog}`, programmeBody(ids.p1, { places: 3 }), ifMatch(5));
  assert.equal(r.status, 412, r.text);
  r = await c('pg.partner').put(`/api/v1/programmes/${ids.prog}`, programmeBody(ids.p1, { places: 3, location: 'Bishkek' }), ifMatch(1));
  assert.equal(r.status, 200, r.text);
  assert.equal(etag(r), '"2"');
  assert.equal(r.body.places, 3);
  assert.equal(r.body.location, 'Bishkek');
  // Closed programmes leave the default catalogue.
  r = await admin.put(`/api/v1/programmes/${ids.prog3}`, programmeBody(ids.p3, { name: 'Family support group', type: 'family_support', status: 'closed' }), ifMatch(1));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'closed');
  r = await c('pg.officer').get('/api/v1/programmes');
  assert.ok(!r.body.items.some((p) => p.id === ids.prog3));
  r = await c('pg.officer').get('/api/v1/programmes?status=closed');
  assert.deepEqual(r.body.items.map((p) => p.id), [ids.prog3]);
});

test('places, the waiting list and who sees which participants', async () => {
  ids.caseA1 = await openCase('pg.officer', 'Асанов');
  ids.caseA2 = await openCase('pg.officer', 'Бекова');
  ids.caseA3 = await openCase('pg.officer', 'Жумабаев');
  ids.caseB = await openCase('pg.officer.b', 'Токтогулов');
  ids.r1 = await refer('pg.officer', ids.caseA1.id, ids.prog, ['name']);
  ids.r2 = await refer('pg.officer', ids.caseA2.id, ids.prog, []);
  ids.r3 = await refer('pg.officer', ids.caseA3.id, ids.prog, ['name']);
  ids.rB = await refer('pg.officer.b', ids.caseB.id, ids.prog, ['name']);
  for (const r of [ids.r1, ids.r2, ids.r3]) await move('pg.partner', r, 'accepted');
  await move('pg.partner', ids.r1, 'enrolled');
  await move('pg.partner', ids.r2, 'enrolled');
  await move('pg.partner', ids.r3, 'waitlisted');
  const v = (await c('pg.officer.b').get(`/api/v1/referrals/${ids.rB}`)).body.version;
  let r = await c('pg.partner').post(`/api/v1/referrals/${ids.rB}/transitions`, { to: 'accepted' }, ifMatch(v));
  assert.equal(r.status, 200, r.text);
  r = await c('pg.partner').post(`/api/v1/referrals/${ids.rB}/transitions`, { to: 'waitlisted' }, ifMatch(r.body.version));
  assert.equal(r.status, 200, r.text);

  r = await c('pg.officer').get(`/api/v1/programmes/${ids.prog}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.places_taken, 2);
  assert.equal(r.body.places_free, 1);
  assert.equal(r.body.waiting, 2);
  r = await c('pg.partner').put(`/api/v1/programmes/${ids.prog}`, programmeBody(ids.p1, { places: 1 }), ifMatch(r.body.version));
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /places-taken/);

  // Staff of office A: their three cases with names and numbers; office B's referral only counted.
  r = await c('pg.officer').get(`/api/v1/programmes/${ids.prog}/participants`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.enrolled.map((p) => p.referral_id), [ids.r1, ids.r2]);
  assert.deepEqual(r.body.waiting.map((p) => [p.referral_id, p.position]), [[ids.r3, 1]]);
  assert.deepEqual(r.body.others, { enrolled: 0, waiting: 1 });
  assert.equal(r.body.enrolled[0].person.case_id, ids.caseA1.id);
  assert.equal(r.body.enrolled[0].person.case_number, ids.caseA1.number);
  assert.match(r.body.enrolled[0].person.name, /^Асанов Бакыт/);
  assert.equal(r.body.enrolled[0].position, null);
  assert.match(r.body.enrolled[0].status_at, /^\d{4}-\d{2}-\d{2}T/, 'an instant as RFC 3339 text');
  assert.deepEqual(r.body.enrolled[0].attendance, { present: 0, late: 0, absent: 0 });
  assert.ok(!JSON.stringify(r.body).includes('Токтогулов'));
  assert.equal(count('audit_log', `action = 'consult' AND record_type = 'referral' AND record_id IS NULL AND detail LIKE ${q(`list programme ${ids.prog} participants: 3 shown%`)}`), 1);
  r = await c('pg.officer.b').get(`/api/v1/programmes/${ids.prog}/participants`);
  assert.deepEqual(r.body.waiting.map((p) => [p.referral_id, p.position]), [[ids.rB, 2]], 'the position counts the whole list');
  assert.deepEqual(r.body.others, { enrolled: 2, waiting: 1 });

  // The provider: every referral shared with it, the person only as shared, each read logged with its share.
  r = await c('pg.partner').get(`/api/v1/programmes/${ids.prog}/participants`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.enrolled.map((p) => p.referral_id), [ids.r1, ids.r2]);
  assert.deepEqual(r.body.waiting.map((p) => [p.referral_id, p.position]), [[ids.r3, 1], [ids.rB, 2]]);
  assert.deepEqual(r.body.others, { enrolled: 0, waiting: 0 });
  for (const p of [...r.body.enrolled, ...r.body.waiting]) assert.equal(p.person.case_id, undefined);
  assert.deepEqual(Object.keys(r.body.enrolled[0].person).sort(), ['case_number', 'name']);
  assert.deepEqual(r.body.enrolled[1].person, { case_number: ids.caseA2.number }, 'nothing shared: the case number only');
  assert.equal(count('audit_log', `action = 'consult' AND record_type = 'referral' AND record_id = ${q(ids.r1)} AND purpose = 'supervision' AND justification LIKE 'referral share until%name%' AND detail = ${q(`programme ${ids.prog} participants`)}`), 1);
  // Another partner does not know the programme.
  r = await c('pg.partner.other').get(`/api/v1/programmes/${ids.prog}/participants`);
  assert.equal(r.status, 404, r.text);
  r = await c('pg.officer').get(`/api/v1/programmes/${crypto.randomUUID()}/participants`);
  assert.equal(r.status, 404, r.text);
});

test('attendance: the provider only, enrolled referrals with a live share, no future session, absences with reasons', async () => {
  const url = `/api/v1/programmes/${ids.prog}/attendance`;
  const yesterday = addDays(ids.today, -1);
  let r = await c('pg.partner').post(url, { session_on: yesterday, entries: [{ referral_id: ids.r1, status: 'absent' }] });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fieldsOf(r.body), ['entries[0].absence_reason']);
  r = await c('pg.partner').post(url, { session_on: addDays(ids.today, 1), entries: [{ referral_id: ids.r1, status: 'present' }] });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fieldsOf(r.body), ['session_on']);
  r = await c('pg.partner').post(url, { session_on: yesterday, entries: [] });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fieldsOf(r.body), ['entries']);
  r = await c('pg.partner').post(url, { session_on: yesterday, entries: [{ referral_id: ids.r1, status: 'present' },
    { referral_id: ids.r3, status: 'present' }] });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fieldsOf(r.body), ['entries[1].referral_id'], 'a referral on the waiting list is not enrolled');
  r = await c('pg.partner').post(url, { session_on: yesterday, entries: [{ referral_id: crypto.randomUUID(), status: 'late' }] });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fieldsOf(r.body), ['entries[0].referral_id']);
  r = await c('pg.partner.other').post(url, { session_on: yesterday, entries: [{ referral_id: ids.r1, status: 'present' }] });
  assert.equal(r.status, 404, r.text, 'another partner does not know the programme');
  r = await c('pg.officer').post(url, { session_on: yesterday, entries: [{ referral_id: ids.r1, status: 'present' }] });
  assert.equal(r.status, 403, r.text, 'staff do not keep the register');
  assert.equal(count('referral_attendance'), 0);

  r = await c('pg.partner').post(url, { session_on: yesterday, entries: [{ referral_id: ids.r1, status: 'present' },
    { referral_id: ids.r2, status: 'late' }] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { recorded: 2 });
  // Recording the session again replaces the referral's row for that date.
  r = await c('pg.partner').post(url, { session_on: yesterday, entries: [{ referral_id: ids.r1, status: 'absent', absence_reason: 'Ill, a note from the clinic' }] });
  assert.equal(r.status, 200, r.text);
  assert.equal(count('referral_attendance', `referral_id = ${q(ids.r1)}`), 1);
  assert.equal(sql(srv.db, `SELECT status || '|' || absence_reason FROM referral_attendance WHERE referral_id = ${q(ids.r1)}`), 'absent|Ill, a note from the clinic');
  r = await c('pg.partner').post(url, { session_on: ids.today, entries: [{ referral_id: ids.r1, status: 'present' }] });
  assert.equal(r.status, 200, r.text);
  r = await c('pg.officer').get(`/api/v1/programmes/${ids.prog}/participants`);
  assert.deepEqual(r.body.enrolled.map((p) => p.attendance), [{ present: 1, late: 0, absent: 1 }, { present: 0, late: 1, absent: 0 }]);
  // The case's list of referrals carries the same counts (the case page shows them without reading each referral).
  r = await c('pg.officer').get(`/api/v1/cases/${ids.caseA1.id}/referrals`);
  assert.deepEqual(r.body.items.find((x) => x.id === ids.r1).attendance_counts, { present: 1, late: 0, absent: 1 });

  assert.equal(count('audit_log', `action = 'alter' AND record_type = 'referral' AND record_id = ${q(ids.r1)} AND detail LIKE 'attendance %'`), 3);
  const t = await c('pg.officer').get(`/api/v1/cases/${ids.caseA1.id}/timeline`);
  assert.equal(t.status, 200, t.text);
  const events = t.body.items.filter((e) => e.kind === 'referral.attendance');
  assert.equal(events.length, 3, 'one event per case per call');
  assert.ok(!JSON.stringify(events).includes('clinic'), 'the timeline names no reason');

  // Once the share has ended the provider can no longer record for that referral.
  sql(srv.db, `UPDATE referral SET share_until = ${q(addDays(ids.today, -1))} WHERE id = ${q(ids.r2)}`);
  r = await c('pg.partner').post(url, { session_on: ids.today, entries: [{ referral_id: ids.r2, status: 'present' }] });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fieldsOf(r.body), ['entries[0].referral_id']);
  assert.equal(count('audit_log', `action = 'access.denied' AND record_type = 'referral' AND record_id = ${q(ids.r2)} AND detail = 'share expired'`), 1);
  r = await c('pg.partner').get(`/api/v1/programmes/${ids.prog}/participants`);
  assert.deepEqual(r.body.enrolled.map((p) => p.referral_id), [ids.r1]);
  assert.deepEqual(r.body.others, { enrolled: 1, waiting: 0 });
});
