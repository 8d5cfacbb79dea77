// Electronic monitoring: the device inventory, monitoring orders under a decision (S23) and fittings.
// An order needs a decision of its case in force whose duties include electronic_monitoring and what each
// mode needs; the household effect is recorded; one active order per case. Devices are fitted from stock, one
// at a time per order, and go back in stock when removed or when the order ends. The monitoring centre
// (em.operate) reaches every order, logged with its basis; officers reach their units' orders; another unit's
// officer gets 404 and roles without EM permissions get 403 (S24). Every read and change is logged (S10).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin, officer, officerB, head, operator, analyst;
const ids = {};

function today(timeZone = 'Asia/Bishkek') {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));

/** A 15-digit IMEI with a correct Luhn check digit from a 14-digit body. */
function imei(body14) {
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    let d = Number(body14[i]);
    if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return body14 + String((10 - (sum % 10)) % 10);
}

async function user(login, role, agency, unit) {
  const r = await admin.post('/api/v1/users', { login, display_name: `Test ${login}`, agency_id: agency, unit_id: unit, roles: [role] });
  assert.equal(r.status, 201, r.text);
  ids[login] = r.body.user?.id ?? r.body.id;
  return (await firstLogin(srv.url, login, r.body.one_time_password)).client;
}

async function decision(caseId, duties, extra = {}) {
  const r = await officer.post(`/api/v1/cases/${caseId}/decisions`, {
    authority: 'Pervomaisky district court', number: extra.number ?? '1-7/26', decided_on: addDays(today(), -20),
    measure: 'probation_supervision', articles: ['CC-130'], start_on: addDays(today(), -10), term: extra.term ?? '2y',
    duties,
  });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}

const order = (extra = {}) => ({
  decision_id: ids.decision,
  modes: { curfew: true, inclusion: false, exclusion: true, trail: true },
  starts_on: today(), ends_on: addDays(today(), 180),
  home_address: 'Бишкек, ул. Ахунбаева 12', home_lat: 42.8467, home_lon: 74.6035, home_radius_m: 60,
  household_effect: 'Lives with his mother and two children; the home unit stands in the hall.',
  curfew_grace_min: 15,
  curfew: [{ days: ['MO', 'TU', 'WE', 'TH', 'FR'], start: '22:00', end: '06:00' }, { days: ['SA', 'SU'], start: '20:00', end: '08:00' }],
  ...extra,
});

async function timelineKinds(caseId = ids.case) {
  const r = await officer.get(`/api/v1/cases/${caseId}/timeline`);
  assert.equal(r.status, 200, r.text);
  return r.body.items.map((e) => e.kind);
}

before(async () => {
  srv = await startServer();
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'em.admin')))).client;
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'EM Probation', kind: 'probation' })).body.id;
  ids.region = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Region' })).body.id;
  ids.a = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office A', parent_id: ids.region })).body.id;
  ids.b = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office B', parent_id: ids.region })).body.id;
  ids.centreAgency = (await admin.post('/api/v1/agencies', { name: 'Monitoring Centre', kind: 'monitoring_centre' })).body.id;
  ids.centre = (await admin.post('/api/v1/units', { agency_id: ids.centreAgency, name: 'Control room' })).body.id;
  officer = await user('em.officer', 'probation_officer', ids.agency, ids.a);
  officerB = await user('em.officer.b', 'probation_officer', ids.agency, ids.b);
  head = await user('em.head', 'unit_head', ids.agency, ids.region);
  operator = await user('em.operator', 'monitoring_operator', ids.centreAgency, ids.centre);
  analyst = await user('em.analyst', 'analyst', ids.agency, ids.region);
  let r = await officer.post('/api/v1/people', { surname: 'Осмонов', given_name: 'Азамат', birth_date: '1988-08-08', languages: ['ky'] });
  assert.equal(r.status, 201, r.text);
  ids.person = r.body.id;
  r = await officer.post('/api/v1/cases', { person_id: ids.person, kind: 'executive', opened_on: addDays(today(), -20), open_reason: 'Court order received' });
  assert.equal(r.status, 201, r.text);
  ids.case = r.body.id;
  ids.caseNumber = r.body.number;
  ids.decision = await decision(ids.case, ['electronic_monitoring', 'curfew', 'exclusion', 'report']);
  ids.plain = await decision(ids.case, ['report', 'residence'], { number: '1-8/26' });
  ids.noCurfew = await decision(ids.case, ['electronic_monitoring', 'residence'], { number: '1-9/26' });
  ids.old = await decision(ids.case, ['electronic_monitoring', 'curfew'], { number: '1-1/25' });
  sql(srv.db, `UPDATE decision SET status = 'superseded' WHERE id = '${ids.old}'`);
  // A second case, in office B.
  r = await officerB.post('/api/v1/people', { surname: 'Токтогулов', given_name: 'Бакыт', birth_date: '1990-01-02', languages: ['ru'] });
  assert.equal(r.status, 201, r.text);
  r = await officerB.post('/api/v1/cases', { person_id: r.body.id, kind: 'executive', opened_on: addDays(today(), -5), open_reason: 'Court order received' });
  assert.equal(r.status, 201, r.text);
  ids.caseB = r.body.id;
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

test('device inventory: IMEIs are checked, identifiers unique, only em.devices registers', async () => {
  ids.imei1 = imei('49015420323751');
  ids.imei2 = imei('35209900176148');
  let r = await operator.post('/api/v1/em/devices', { kind: 'ankle_tag', identifier: ids.imei1, protocol: 'gt06', model: 'GT06N', phone_number: '+996555000111' });
  assert.equal(r.status, 201, r.text);
  ids.device1 = r.body.id;
  assert.equal(r.body.num, 1);
  assert.equal(r.body.status, 'in_stock');
  assert.equal(r.body.fitting, null);
  assert.equal(r.headers.get('etag'), '"1"');
  r = await head.post('/api/v1/em/devices', { kind: 'ankle_tag', identifier: ids.imei2, protocol: 'teltonika' });
  assert.equal(r.status, 201, r.text);
  ids.device2 = r.body.id;
  assert.equal(r.body.num, 2);
  r = await operator.post('/api/v1/em/devices', { kind: 'phone', identifier: 'phone-77', protocol: 'osmand' });
  assert.equal(r.status, 201, r.text);
  ids.phone = r.body.id;
  // A wrong check digit, a short IMEI, a space in an OsmAnd id, an unknown field.
  const bad = ids.imei1.slice(0, 14) + String((Number(ids.imei1[14]) + 1) % 10);
  r = await operator.post('/api/v1/em/devices', { kind: 'ankle_tag', identifier: bad, protocol: 'gt06' });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'identifier');
  assert.match(r.body.errors[0].message, /not a valid IMEI \(check digit\)/);
  r = await operator.post('/api/v1/em/devices', { kind: 'ankle_tag', identifier: '12345', protocol: 'teltonika' });
  assert.equal(r.status, 422, r.text);
  assert.match(r.body.errors[0].message, /15 digits/);
  r = await operator.post('/api/v1/em/devices', { kind: 'phone', identifier: 'my phone', protocol: 'osmand', colour: 'red' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['colour']);
  r = await operator.post('/api/v1/em/devices', { kind: 'phone', identifier: 'my phone', protocol: 'osmand' });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'identifier');
  r = await operator.post('/api/v1/em/devices', { kind: 'home_unit', identifier: ids.imei1, protocol: 'gt06' });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /identifier-taken/);
  assert.equal(r.body.device_id, ids.device1);
  // Officers read the inventory but do not register devices; analysts do neither.
  r = await officer.post('/api/v1/em/devices', { kind: 'phone', identifier: 'phone-78', protocol: 'osmand' });
  assert.equal(r.status, 403, r.text);
  r = await analyst.get('/api/v1/em/devices');
  assert.equal(r.status, 403, r.text);
  assert.equal(count('em_device'), 3);
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'em_device'`), 3);
});

test('device list, search, paging and reading are logged', async () => {
  let r = await officer.get('/api/v1/em/devices?limit=2');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((d) => d.num), [1, 2]);
  assert.equal(r.body.next_cursor, '2');
  r = await officer.get(`/api/v1/em/devices?limit=2&cursor=${r.body.next_cursor}`);
  assert.deepEqual(r.body.items.map((d) => d.id), [ids.phone]);
  assert.equal(r.body.next_cursor, null);
  r = await officer.get('/api/v1/em/devices?q=PHONE-7');
  assert.deepEqual(r.body.items.map((d) => d.id), [ids.phone]);
  r = await officer.get('/api/v1/em/devices?status=faulty');
  assert.deepEqual(r.body.items, []);
  r = await officer.get('/api/v1/em/devices?status=lost');
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'status');
  r = await officer.get(`/api/v1/em/devices/${ids.device1}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.identifier, ids.imei1);
  assert.deepEqual(r.body.fittings, []);
  r = await officer.get('/api/v1/em/devices/00000000-0000-0000-0000-000000000000');
  assert.equal(r.status, 404, r.text);
  assert.ok(count('audit_log', `action = 'consult' AND record_type = 'em_device' AND record_id IS NULL AND actor_login = 'em.officer'`) >= 4);
  assert.equal(count('audit_log', `action = 'consult' AND record_type = 'em_device' AND record_id = '${ids.device1}'`), 1);
});

test('device changes need If-Match; status is in_stock, faulty or retired (assigned only by fitting)', async () => {
  let r = await operator.put(`/api/v1/em/devices/${ids.device2}`, { status: 'faulty' });
  assert.equal(r.status, 428, r.text);
  r = await operator.put(`/api/v1/em/devices/${ids.device2}`, { status: 'faulty' }, { 'if-match': '"7"' });
  assert.equal(r.status, 412, r.text);
  r = await operator.put(`/api/v1/em/devices/${ids.device2}`, { status: 'assigned' }, { 'if-match': '"1"' });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'status');
  r = await operator.put(`/api/v1/em/devices/${ids.device2}`, { status: 'faulty', note: 'Strap clasp cracked', model: 'FMB920' }, { 'if-match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'faulty');
  assert.equal(r.body.model, 'FMB920');
  assert.equal(r.body.version, 2);
  assert.equal(r.headers.get('etag'), '"2"');
  r = await officer.put(`/api/v1/em/devices/${ids.device2}`, { status: 'in_stock' }, { 'if-match': '"2"' });
  assert.equal(r.status, 403, r.text);
  assert.equal(count('audit_log', `action = 'alter' AND record_type = 'em_device' AND record_id = '${ids.device2}'`), 1);
});

test('S23: an order needs a decision of the case in force ordering EM and each mode\'s duty', async () => {
  const fields = (r) => r.body.errors.map((e) => e.field).sort();
  let r = await officer.post(`/api/v1/cases/${ids.case}/em-orders`, order({ decision_id: ids.plain }));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['decision_id']);
  assert.match(r.body.errors[0].message, /Decision 1-8\/26 .*does not order the duty 'electronic_monitoring'/);
  r = await officer.post(`/api/v1/cases/${ids.case}/em-orders`, order({ decision_id: ids.noCurfew }));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['modes', 'modes']);
  assert.ok(r.body.errors.some((e) => /Decision 1-9\/26 .*'curfew'/.test(e.message)), r.text);
  assert.ok(r.body.errors.some((e) => /Decision 1-9\/26 .*'exclusion'/.test(e.message)), r.text);
  r = await officer.post(`/api/v1/cases/${ids.case}/em-orders`, order({ decision_id: ids.decision, modes: { curfew: false, inclusion: true, exclusion: false, trail: false }, curfew: [] }));
  assert.equal(r.status, 422, r.text);
  assert.match(r.body.errors[0].message, /Decision 1-7\/26 .*'residence' or 'travel'/);
  r = await officer.post(`/api/v1/cases/${ids.case}/em-orders`, order({ decision_id: ids.old }));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['decision_id']);
  assert.match(r.body.errors[0].message, /Decision 1-1\/25 .*is not in force/);
  r = await officer.post(`/api/v1/cases/${ids.caseB}/em-orders`, order());
  assert.equal(r.status, 404, r.text, 'another unit\'s case is out of reach');
  r = await officerB.post(`/api/v1/cases/${ids.caseB}/em-orders`, order());
  assert.equal(r.status, 422, r.text);
  assert.match(r.body.errors[0].message, /not a decision of this case/);
  // The supervision ends two years after the start: an order past it is refused.
  r = await officer.post(`/api/v1/cases/${ids.case}/em-orders`, order({ ends_on: addDays(today(), 2 * 366 + 30) }));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['ends_on']);
  assert.match(r.body.errors[0].message, /end of supervision .* under Decision 1-7\/26/);
  assert.equal(count('em_order'), 0);
});

test('order bodies: household effect, curfew home and windows, dates, limits', async () => {
  const fields = (r) => r.body.errors.map((e) => e.field).sort();
  let r = await officer.post(`/api/v1/cases/${ids.case}/em-orders`, order({ household_effect: 'short', home_lat: undefined, home_lon: undefined }));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['home_lat', 'home_lon', 'household_effect']);
  r = await officer.post(`/api/v1/cases/${ids.case}/em-orders`, order({ curfew: [] }));
  assert.deepEqual(fields(r), ['curfew']);
  r = await officer.post(`/api/v1/cases/${ids.case}/em-orders`, order({
    curfew: [{ days: ['MO', 'MO'], start: '22:00', end: '06:00' }, { days: ['XX'], start: '25:00', end: '06:00' }, { days: ['SU'], start: '06:00', end: '06:00' }],
  }));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['curfew[0]', 'curfew[1]', 'curfew[1].start', 'curfew[2].end']);
  r = await officer.post(`/api/v1/cases/${ids.case}/em-orders`, order({ curfew: Array.from({ length: 15 }, () => ({ days: ['MO'], start: '22:00', end: '06:00' })) }));
  assert.deepEqual(fields(r), ['curfew']);
  r = await officer.post(`/api/v1/cases/${ids.case}/em-orders`, order({ starts_on: addDays(today(), 10), ends_on: today(), home_lat: 95 }));
  assert.deepEqual(fields(r), ['ends_on', 'home_lat']);
  r = await officer.post(`/api/v1/cases/${ids.case}/em-orders`, order({ modes: { curfew: false, inclusion: false, exclusion: false, trail: false }, curfew: [] }));
  assert.deepEqual(fields(r), ['modes']);
  r = await officer.post(`/api/v1/cases/${ids.case}/em-orders`, order({ modes: { curfew: false, inclusion: false, exclusion: true, trail: true } }));
  assert.deepEqual(fields(r), ['curfew'], 'windows without a curfew are refused');
  r = await officer.post(`/api/v1/cases/${ids.case}/em-orders`, {});
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['decision_id', 'ends_on', 'household_effect', 'modes', 'starts_on']);
  assert.equal(count('em_order'), 0);
});

test('an order is made under the decision, on the timeline and in the log; one active order per case', async () => {
  let r = await officer.post(`/api/v1/cases/${ids.case}/em-orders`, order());
  assert.equal(r.status, 201, r.text);
  const o = r.body;
  ids.order = o.id;
  assert.equal(r.headers.get('etag'), '"1"');
  assert.equal(o.case_id, ids.case);
  assert.equal(o.case_number, ids.caseNumber);
  assert.equal(o.person_name, 'Осмонов Азамат');
  assert.equal(o.decision.id, ids.decision);
  assert.equal(o.decision.number, '1-7/26');
  assert.deepEqual(o.decision.duties, ['electronic_monitoring', 'curfew', 'exclusion', 'report']);
  assert.deepEqual(o.modes, { curfew: true, inclusion: false, exclusion: true, trail: true });
  assert.equal(o.home_lat, 42.8467);
  assert.equal(o.home_radius_m, 60);
  assert.equal(o.curfew_grace_min, 15);
  assert.equal(o.status, 'active');
  assert.deepEqual(o.curfew, [{ days: ['MO', 'TU', 'WE', 'TH', 'FR'], start: '22:00', end: '06:00' }, { days: ['SA', 'SU'], start: '20:00', end: '08:00' }]);
  assert.deepEqual(o.zones, []);
  assert.deepEqual(o.absences, []);
  assert.deepEqual(o.fittings, []);
  assert.equal(o.device, null);
  assert.equal(o.open_alerts, 0);
  assert.ok((await timelineKinds()).includes('em.order_created'));
  const summary = sql(srv.db, `SELECT summary FROM case_event WHERE kind = 'em.order_created'`);
  assert.equal(summary, 'Electronic monitoring ordered (curfew, exclusion, trail)');
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'em_order' AND record_id = '${ids.order}'`), 1);
  r = await officer.post(`/api/v1/cases/${ids.case}/em-orders`, order());
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /order-exists/);
  assert.equal(r.body.order_id, ids.order);
  assert.ok(r.body.detail.includes(ids.order));
});

test('S24: officers of the case\'s units and the monitoring centre reach the order; others do not', async () => {
  for (const c of [officer, head, operator]) {
    const r = await c.get(`/api/v1/em/orders/${ids.order}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.id, ids.order);
  }
  assert.equal(count('audit_log', `action = 'consult' AND record_type = 'em_order' AND record_id = '${ids.order}'`), 3);
  assert.equal(sql(srv.db, `SELECT purpose || '|' || justification FROM audit_log WHERE action = 'consult' AND record_type = 'em_order' AND record_id = '${ids.order}' AND actor_login = 'em.operator'`),
    'monitoring|Monitoring centre: EM alert queue');
  let r = await officerB.get(`/api/v1/em/orders/${ids.order}`);
  assert.equal(r.status, 404, r.text);
  assert.equal(count('audit_log', `outcome = 'denied' AND record_type = 'em_order' AND record_id = '${ids.order}' AND actor_login = 'em.officer.b'`), 1);
  // A stated purpose does not open EM data.
  r = await officerB.get(`/api/v1/em/orders/${ids.order}`, { 'x-kadam-purpose': 'supervision', 'x-kadam-justification': 'Covering for a colleague' });
  assert.equal(r.status, 404, r.text);
  r = await analyst.get(`/api/v1/em/orders/${ids.order}`);
  assert.equal(r.status, 403, r.text);
  r = await officerB.get(`/api/v1/cases/${ids.case}/em-orders`);
  assert.equal(r.status, 404, r.text);
  r = await officer.get(`/api/v1/cases/${ids.case}/em-orders`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((x) => x.id), [ids.order]);
  assert.equal(count('audit_log', `action = 'consult' AND record_type = 'case_em_orders' AND record_id = '${ids.case}'`), 1);
  r = await operator.get('/api/v1/em/orders');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((x) => x.id), [ids.order]);
  assert.equal(r.body.items[0].person_name, 'Осмонов Азамат');
  assert.equal(r.body.items[0].zones, undefined);
  assert.equal(count('audit_log', `action = 'consult' AND record_type = 'em_order' AND record_id IS NULL AND actor_login = 'em.operator' AND purpose = 'monitoring'`), 1);
  r = await officerB.get('/api/v1/em/orders');
  assert.deepEqual(r.body.items, []);
  r = await head.get(`/api/v1/em/orders?q=${encodeURIComponent('Осмонов')}`);
  assert.deepEqual(r.body.items.map((x) => x.id), [ids.order]);
  r = await head.get('/api/v1/em/orders?status=ended');
  assert.deepEqual(r.body.items, []);
  r = await head.get('/api/v1/em/orders?status=lost');
  assert.equal(r.status, 422, r.text);
  assert.ok(count('audit_log', `action = 'consult' AND record_type = 'em_order' AND record_id IS NULL`) >= 4);
  // The operator changes no order.
  r = await operator.put(`/api/v1/em/orders/${ids.order}`, order({ decision_id: undefined }), { 'if-match': '"1"' });
  assert.equal(r.status, 403, r.text);
});

test('changing an order needs If-Match, keeps the decision and bumps the rules version', async () => {
  const change = order({ decision_id: undefined, curfew_grace_min: 5, curfew: [{ days: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], start: '23:00', end: '06:00' }] });
  let r = await officer.put(`/api/v1/em/orders/${ids.order}`, change);
  assert.equal(r.status, 428, r.text);
  r = await officer.put(`/api/v1/em/orders/${ids.order}`, change, { 'if-match': '"9"' });
  assert.equal(r.status, 412, r.text);
  r = await officer.put(`/api/v1/em/orders/${ids.order}`, { ...change, decision_id: ids.noCurfew }, { 'if-match': '"1"' });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'decision_id');
  r = await officer.put(`/api/v1/em/orders/${ids.order}`, { ...change, modes: { curfew: true, inclusion: true, exclusion: true, trail: true } }, { 'if-match': '"1"' });
  assert.equal(r.status, 422, r.text);
  assert.match(r.body.errors[0].message, /'residence' or 'travel'/);
  r = await officerB.put(`/api/v1/em/orders/${ids.order}`, change, { 'if-match': '"1"' });
  assert.equal(r.status, 404, r.text);
  const before = Number(sql(srv.db, `SELECT rules_version FROM em_order WHERE id = '${ids.order}'`));
  r = await officer.put(`/api/v1/em/orders/${ids.order}`, change, { 'if-match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.version, 2);
  assert.equal(r.body.curfew_grace_min, 5);
  assert.deepEqual(r.body.curfew, [{ days: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], start: '23:00', end: '06:00' }]);
  assert.equal(Number(sql(srv.db, `SELECT rules_version FROM em_order WHERE id = '${ids.order}'`)), before + 1);
  assert.ok((await timelineKinds()).includes('em.order_changed'));
  assert.equal(count('audit_log', `action = 'alter' AND record_type = 'em_order' AND record_id = '${ids.order}'`), 1);
});

test('fitting: from stock only, one live device per order; removal puts it back', async () => {
  const fit = (c, device, extra = {}) => c.post(`/api/v1/em/orders/${ids.order}/fittings`, { device_id: device, ...extra });
  let r = await fit(officer, ids.device2);
  assert.equal(r.status, 409, r.text, 'a faulty device is not fitted');
  assert.match(r.body.type, /device-unavailable/);
  r = await fit(officer, '00000000-0000-0000-0000-000000000000');
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'device_id');
  r = await fit(officer, ids.device1, { fitted_at: new Date(Date.now() + 86400000).toISOString() });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'fitted_at');
  r = await fit(officerB, ids.device1);
  assert.equal(r.status, 404, r.text);
  r = await fit(operator, ids.device1, { note: 'Left ankle' });
  assert.equal(r.status, 201, r.text);
  ids.fitting1 = r.body.id;
  assert.equal(r.body.device_identifier, ids.imei1);
  assert.equal(r.body.fitted_by_name, 'Test em.operator');
  assert.equal(r.body.removed_at, null);
  r = await fit(officer, ids.phone);
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /device-fitted/);
  assert.equal(r.body.device_id, ids.device1);
  // The device shows where it is fitted to those who reach the case, and nothing of it to others.
  r = await operator.get(`/api/v1/em/devices/${ids.device1}`);
  assert.equal(r.body.status, 'assigned');
  assert.equal(r.body.fitting.order_id, ids.order);
  assert.equal(r.body.fitting.case_number, ids.caseNumber);
  assert.equal(r.body.fitting.person_name, 'Осмонов Азамат');
  r = await officer.get('/api/v1/em/devices?status=assigned');
  assert.equal(r.body.items[0].fitting.case_id, ids.case);
  r = await officerB.get(`/api/v1/em/devices/${ids.device1}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'assigned');
  assert.equal(r.body.fitting.order_id, null);
  assert.equal(r.body.fitting.person_name, null);
  assert.equal(r.body.fittings[0].order_id, null);
  // A fitted device's status is not changed by hand.
  r = await operator.put(`/api/v1/em/devices/${ids.device1}`, { status: 'retired' }, { 'if-match': `"${r.body.version}"` });
  assert.equal(r.status, 409, r.text);
  r = await officer.get(`/api/v1/em/orders/${ids.order}`);
  assert.equal(r.body.device.id, ids.device1);
  assert.equal(r.body.fittings.length, 1);
  // Removal: replaced puts it back in stock; a second removal is refused.
  r = await officer.post(`/api/v1/em/fittings/${ids.fitting1}/removal`, { reason: 'order_ended' });
  assert.equal(r.status, 422, r.text, 'order_ended is for ending the order');
  r = await officerB.post(`/api/v1/em/fittings/${ids.fitting1}/removal`, { reason: 'replaced' });
  assert.equal(r.status, 404, r.text);
  r = await officer.post(`/api/v1/em/fittings/${ids.fitting1}/removal`, { reason: 'replaced', note: 'Swapped for a phone' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.removal_reason, 'replaced');
  assert.ok(r.body.removed_at);
  r = await officer.post(`/api/v1/em/fittings/${ids.fitting1}/removal`, { reason: 'replaced' });
  assert.equal(r.status, 409, r.text);
  assert.equal(sql(srv.db, `SELECT status FROM em_device WHERE id = '${ids.device1}'`), 'in_stock');
  r = await fit(officer, ids.phone);
  assert.equal(r.status, 201, r.text);
  ids.fitting2 = r.body.id;
  const kinds = await timelineKinds();
  assert.ok(kinds.includes('em.device_fitted') && kinds.includes('em.device_removed'), kinds.join());
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'em_fitting'`), 2);
  assert.equal(count('audit_log', `action = 'alter' AND record_type = 'em_fitting' AND record_id = '${ids.fitting1}'`), 1);
  assert.equal(sql(srv.db, `SELECT purpose FROM audit_log WHERE action = 'collect' AND record_type = 'em_fitting' AND record_id = '${ids.fitting1}'`), 'monitoring');
});

test('ending an order removes its devices (order_ended) and puts them back in stock', async () => {
  let r = await officer.post(`/api/v1/em/orders/${ids.order}/end`, {});
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'reason');
  r = await officerB.post(`/api/v1/em/orders/${ids.order}/end`, { reason: 'Court ended the measure' });
  assert.equal(r.status, 404, r.text);
  r = await officer.post(`/api/v1/em/orders/${ids.order}/end`, { reason: 'Court ended the measure' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'ended');
  assert.equal(r.body.end_reason, 'Court ended the measure');
  assert.ok(r.body.ended_at);
  assert.equal(r.body.device, null);
  assert.equal(r.body.fittings.find((f) => f.id === ids.fitting2).removal_reason, 'order_ended');
  assert.equal(sql(srv.db, `SELECT status FROM em_device WHERE id = '${ids.phone}'`), 'in_stock');
  r = await officer.post(`/api/v1/em/orders/${ids.order}/end`, { reason: 'Again' });
  assert.equal(r.status, 409, r.text);
  r = await officer.put(`/api/v1/em/orders/${ids.order}`, order({ decision_id: undefined }), { 'if-match': `"3"` });
  assert.equal(r.status, 409, r.text);
  r = await officer.post(`/api/v1/em/orders/${ids.order}/fittings`, { device_id: ids.device1 });
  assert.equal(r.status, 409, r.text);
  assert.ok((await timelineKinds()).includes('em.order_ended'));
  r = await head.get('/api/v1/em/orders?status=ended');
  assert.deepEqual(r.body.items.map((x) => x.id), [ids.order]);
  // A new order may follow the ended one.
  r = await officer.post(`/api/v1/cases/${ids.case}/em-orders`, order({ modes: { curfew: false, inclusion: false, exclusion: false, trail: true }, curfew: [], home_lat: undefined, home_lon: undefined }));
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.body.curfew, []);
  assert.equal(r.body.home_lat, null);
  // Every event on the timeline names no personal data.
  const summaries = sql(srv.db, `SELECT summary FROM case_event WHERE kind LIKE 'em.%'`);
  assert.doesNotMatch(summaries, /Осмонов|Ахунбаева|Азамат/);
});
