// Police requests for EM data (S24): a police liaison asks by case number, with the legal basis, for a window of
// at most 31 days in the past; a unit head of the case's units approves or refuses; while access lasts only the
// requester reads the approved window's fixes, each read logged as a disclosure to the police agency with the
// legal basis. A pending, refused or expired request gives nothing. Every step is in the processing log (S10).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin, officer, head, headB, police, police2, analyst;
const ids = {};
const HOUR = 3600000;
const now = Date.now();
const iso = (ms) => new Date(ms).toISOString();

function today(timeZone = 'Asia/Bishkek') {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(d, n) {
  return new Date(Date.parse(`${d}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));

async function user(login, role, agency, unit) {
  const r = await admin.post('/api/v1/users', { login, display_name: `Test ${login}`, agency_id: agency, unit_id: unit, roles: [role] });
  assert.equal(r.status, 201, r.text);
  return (await firstLogin(srv.url, login, r.body.one_time_password)).client;
}

const request = (extra = {}) => ({
  case_number: ids.caseNumber,
  legal_basis: 'Criminal Procedure Code art. 180; warrant 45/26 of the Pervomaisky district court',
  reason: 'Investigation of an assault near the Osh bazaar on the evening in question',
  from: iso(now - 4 * HOUR), to: iso(now - HOUR), ...extra,
});

before(async () => {
  srv = await startServer();
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'pol.admin')))).client;
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Police-test Probation', kind: 'probation' })).body.id;
  ids.region = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Region' })).body.id;
  ids.a = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office A', parent_id: ids.region })).body.id;
  ids.b = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office B', parent_id: ids.region })).body.id;
  ids.policeAgency = (await admin.post('/api/v1/agencies', { name: 'Bishkek City Police', kind: 'police' })).body.id;
  ids.desk = (await admin.post('/api/v1/units', { agency_id: ids.policeAgency, name: 'Investigations' })).body.id;
  officer = await user('pol.officer', 'probation_officer', ids.agency, ids.a);
  head = await user('pol.head', 'unit_head', ids.agency, ids.region);
  headB = await user('pol.head.b', 'unit_head', ids.agency, ids.b);
  police = await user('pol.liaison', 'police_liaison', ids.policeAgency, ids.desk);
  police2 = await user('pol.liaison2', 'police_liaison', ids.policeAgency, ids.desk);
  analyst = await user('pol.analyst', 'analyst', ids.agency, ids.region);
  let r = await officer.post('/api/v1/people', { surname: 'Абдыкадыров', given_name: 'Нурлан', birth_date: '1985-05-05', languages: ['ky'] });
  assert.equal(r.status, 201, r.text);
  const person = r.body.id;
  r = await officer.post('/api/v1/cases', { person_id: person, kind: 'executive', opened_on: addDays(today(), -20), open_reason: 'Court order received' });
  assert.equal(r.status, 201, r.text);
  ids.case = r.body.id;
  ids.caseNumber = r.body.number;
  r = await officer.post('/api/v1/cases', { person_id: person, kind: 'pre_trial', opened_on: addDays(today(), -20), open_reason: 'Court order received' });
  assert.equal(r.status, 201, r.text);
  ids.unmonitoredNumber = r.body.number;
  r = await officer.post(`/api/v1/cases/${ids.case}/decisions`, {
    authority: 'Pervomaisky district court', number: '1-3/26', decided_on: addDays(today(), -20),
    measure: 'probation_supervision', articles: ['CC-130'], start_on: addDays(today(), -10), term: '2y',
    duties: ['electronic_monitoring', 'report'],
  });
  assert.equal(r.status, 201, r.text);
  r = await officer.post(`/api/v1/cases/${ids.case}/em-orders`, {
    decision_id: r.body.id, modes: { curfew: false, inclusion: false, exclusion: false, trail: true },
    starts_on: addDays(today(), -2), ends_on: addDays(today(), 90),
    household_effect: 'Lives alone; no effect on others in the household.',
  });
  assert.equal(r.status, 201, r.text);
  ids.order = r.body.id;
  r = await head.post('/api/v1/em/devices', { kind: 'phone', identifier: 'pol-phone-1', protocol: 'osmand' });
  assert.equal(r.status, 201, r.text);
  ids.num = r.body.num;
  r = await officer.post(`/api/v1/em/orders/${ids.order}/fittings`, { device_id: r.body.id, fitted_at: iso(now - 24 * HOUR) });
  assert.equal(r.status, 201, r.text);
  // Fixes inside the window (three) and outside it (two).
  const rows = [now - 5 * HOUR, now - 3 * HOUR, now - 2.5 * HOUR, now - 2 * HOUR, now - 0.5 * HOUR]
    .map((at, i) => `(${ids.num}, ${Math.round(at)}, ${Math.round(at) + 1000}, ${42.87 + i / 1000}, 74.59, 8, 80)`);
  sql(srv.db, `INSERT INTO em_fix_inbox (device_num, at, received_at, lat, lon, accuracy_m, battery_pct) VALUES ${rows.join(', ')}`);
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

test('a police liaison requests a window by case number with the legal basis', async () => {
  const fields = (r) => r.body.errors.map((e) => e.field).sort();
  let r = await police.post('/api/v1/em/police-requests', request({ case_number: '1999-999999' }));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['case_number']);
  const unknown = r.body.errors[0].message;
  r = await police.post('/api/v1/em/police-requests', request({ case_number: ids.unmonitoredNumber }));
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].message, unknown, 'an unknown case and one without monitoring read the same');
  r = await police.post('/api/v1/em/police-requests', request({ from: iso(now - 40 * 24 * HOUR) }));
  assert.deepEqual(fields(r), ['to']);
  assert.match(r.body.errors[0].message, /31 days/);
  r = await police.post('/api/v1/em/police-requests', request({ to: iso(now + 24 * HOUR) }));
  assert.deepEqual(fields(r), ['to']);
  assert.match(r.body.errors[0].message, /future/);
  r = await police.post('/api/v1/em/police-requests', request({ from: iso(now - HOUR), to: iso(now - 2 * HOUR) }));
  assert.deepEqual(fields(r), ['to']);
  r = await police.post('/api/v1/em/police-requests', request({ legal_basis: 'law' }));
  assert.deepEqual(fields(r), ['legal_basis']);
  r = await police.post('/api/v1/em/police-requests', request({ from: 'yesterday at noon' }));
  assert.deepEqual(fields(r), ['from']);
  r = await officer.post('/api/v1/em/police-requests', request());
  assert.equal(r.status, 403, r.text);
  r = await head.post('/api/v1/em/police-requests', request());
  assert.equal(r.status, 403, r.text);
  assert.equal(count('em_police_request'), 0);
  r = await police.post('/api/v1/em/police-requests', request());
  assert.equal(r.status, 201, r.text);
  ids.req = r.body.id;
  assert.equal(r.body.status, 'pending');
  assert.equal(r.body.order_id, ids.order);
  assert.equal(r.body.case_number, ids.caseNumber);
  assert.equal(r.body.agency_name, 'Bishkek City Police');
  assert.equal(r.body.requested_by_name, 'Test pol.liaison');
  assert.equal(r.body.person_name, undefined, 'the police see no name');
  assert.equal(r.body.from, iso(now - 4 * HOUR));
  assert.equal(r.body.access_until, null);
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'em_police_request' AND record_id = '${ids.req}'`), 1);
});

test('lists and reads: the requester their own, unit heads the pending ones in their units', async () => {
  let r = await police.get('/api/v1/em/police-requests');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((x) => x.id), [ids.req]);
  assert.equal(r.body.items[0].person_name, undefined);
  r = await police2.get('/api/v1/em/police-requests');
  assert.deepEqual(r.body.items, []);
  r = await head.get('/api/v1/em/police-requests');
  assert.deepEqual(r.body.items.map((x) => x.id), [ids.req]);
  assert.equal(r.body.items[0].person_name, 'Абдыкадыров Нурлан');
  r = await headB.get('/api/v1/em/police-requests');
  assert.deepEqual(r.body.items, []);
  r = await head.get('/api/v1/em/police-requests?status=approved');
  assert.deepEqual(r.body.items, []);
  r = await analyst.get('/api/v1/em/police-requests');
  assert.equal(r.status, 403, r.text);
  r = await police.get(`/api/v1/em/police-requests/${ids.req}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), '"1"');
  r = await head.get(`/api/v1/em/police-requests/${ids.req}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.person_name, 'Абдыкадыров Нурлан');
  for (const c of [police2, headB]) {
    r = await c.get(`/api/v1/em/police-requests/${ids.req}`);
    assert.equal(r.status, 404, r.text);
  }
  assert.equal(count('audit_log', `action = 'consult' AND record_type = 'em_police_request' AND record_id = '${ids.req}'`), 2);
  assert.ok(count('audit_log', `action = 'consult' AND record_type = 'em_police_request' AND record_id IS NULL`) >= 5);
  assert.equal(count('audit_log', `outcome = 'denied' AND record_type = 'em_police_request' AND record_id = '${ids.req}'`), 2);
});

test('nothing before the decision; the unit head of the case decides', async () => {
  let r = await police.get(`/api/v1/em/police-requests/${ids.req}/trail`);
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /not-approved/);
  assert.equal(r.body.fixes, undefined);
  r = await headB.post(`/api/v1/em/police-requests/${ids.req}/decision`, { decision: 'approved', note: 'Basis checked' });
  assert.equal(r.status, 404, r.text);
  r = await police.post(`/api/v1/em/police-requests/${ids.req}/decision`, { decision: 'approved', note: 'Self' });
  assert.equal(r.status, 403, r.text);
  r = await head.post(`/api/v1/em/police-requests/${ids.req}/decision`, { decision: 'maybe' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['decision', 'note']);
  r = await head.post(`/api/v1/em/police-requests/${ids.req}/decision`, { decision: 'approved', note: 'Warrant seen; the window is narrow' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'approved');
  assert.equal(r.body.decided_by_name, 'Test pol.head');
  const until = Date.parse(r.body.access_until) - Date.parse(r.body.decided_at);
  assert.equal(until, 14 * 24 * HOUR, 'em.police_access_days is 14');
  r = await head.post(`/api/v1/em/police-requests/${ids.req}/decision`, { decision: 'refused', note: 'Changed my mind' });
  assert.equal(r.status, 409, r.text);
  assert.equal(count('audit_log', `action = 'alter' AND record_type = 'em_police_request' AND record_id = '${ids.req}'`), 1);
});

test('the requester alone reads the approved window, logged as a disclosure with the legal basis', async () => {
  let r = await police.get(`/api/v1/em/police-requests/${ids.req}/trail`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.order_id, ids.order);
  assert.equal(r.body.truncated, false);
  assert.equal(r.body.fixes.length, 3, r.text);
  assert.deepEqual(r.body.fixes.map((f) => f.at), [now - 3 * HOUR, now - 2.5 * HOUR, now - 2 * HOUR].map((x) => iso(Math.round(x))));
  assert.equal(r.body.fixes[0].battery_pct, 80);
  assert.equal(r.body.fixes[0].accuracy_m, 8);
  const logged = sql(srv.db, `SELECT recipient || '|' || justification || '|' || detail FROM audit_log WHERE action = 'disclose' AND record_type = 'em_trail' AND record_id = '${ids.order}'`);
  assert.equal(logged.split('\n').length, 1);
  assert.ok(logged.startsWith(`Bishkek City Police|${request().legal_basis}|window `), logged);
  assert.match(logged, /3 fixes/);
  r = await police2.get(`/api/v1/em/police-requests/${ids.req}/trail`);
  assert.equal(r.status, 404, r.text, 'not the rest of the agency');
  r = await head.get(`/api/v1/em/police-requests/${ids.req}/trail`);
  assert.equal(r.status, 403, r.text);
  r = await officer.get(`/api/v1/em/police-requests/${ids.req}`);
  assert.equal(r.status, 403, r.text);
  // Police never reach the order itself.
  r = await police.get(`/api/v1/em/orders/${ids.order}`);
  assert.equal(r.status, 403, r.text);
});

test('expired access and a refused request give nothing', async () => {
  sql(srv.db, `UPDATE em_police_request SET access_until = 1000 WHERE id = '${ids.req}'`);
  let r = await police.get(`/api/v1/em/police-requests/${ids.req}/trail`);
  assert.equal(r.status, 403, r.text);
  assert.match(r.body.type, /access-ended/);
  r = await police.post('/api/v1/em/police-requests', request({ reason: 'A second incident in the same district that week' }));
  assert.equal(r.status, 201, r.text);
  const second = r.body.id;
  r = await head.post(`/api/v1/em/police-requests/${second}/decision`, { decision: 'refused', note: 'No warrant attached' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'refused');
  assert.equal(r.body.access_until, null);
  r = await police.get(`/api/v1/em/police-requests/${second}/trail`);
  assert.equal(r.status, 409, r.text);
  assert.equal(r.body.fixes, undefined);
  assert.equal(count('audit_log', `action = 'disclose' AND record_type = 'em_trail'`), 1, 'only the one approved read was disclosed');
  assert.ok(count('audit_log', `outcome = 'denied' AND record_type = 'em_police_request' AND actor_login = 'pol.liaison'`) >= 3);
  r = await police.get('/api/v1/em/police-requests?status=refused');
  assert.deepEqual(r.body.items.map((x) => x.id), [second]);
});
