// Who reaches electronic-monitoring data (S10, S12, S13, S23, S24, S25), proven over every EM GET route of
// `kadam routes --json` with real ids in every path slot, called by each role: the monitoring operator (em.operate)
// sees EM data of every unit, logged with the centre's basis, but not the case record; the case's officer and unit
// head see their units' orders; another unit's officer and head get 404 with the refusal logged; a police liaison
// reaches nothing but an approved request's trail, within its window and until access_until; an analyst, a partner
// and a prison caseworker get 403 everywhere. A curfew-only order shows no coordinates (S23) except as an alert's
// evidence, which only the centre and those reaching the case through their own units see. Police requests hold
// their window's fixes from the EM retention while pending or approved (S12), and the subject-access export lists
// the person's monitoring without the raw locations (S13). The clock is moved (KADAM_CLOCK_CONTROL) in a zone where
// it is mid-morning, so no run crosses local midnight.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { clockDriver, runKadam, startServer, zoneAtMidMorning } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { Client, createAdmin, firstLogin } from '../lib/auth.mjs';
import { imei } from '../lib/devices.mjs';

let srv, admin, clock, tz, routes;
const ids = {};
const u = {};
const secrets = {};
const MIN = 60000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const iso = (ms) => new Date(ms).toISOString();
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));
const login = (key) => `acc.${key.toLowerCase()}`;
const denied = (key) => count('audit_log', `action = 'access.denied' AND actor_login = ${q(login(key))}`);
const PURPOSE = { 'x-kadam-purpose': 'supervision', 'x-kadam-justification': 'Covering for a colleague on leave' };

function localDate(ms) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}
function localHHMM(ms) {
  return new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms)).slice(0, 5);
}
function addDays(date, n) {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}

async function user(key, role, agency, unit) {
  const r = await admin.post('/api/v1/users', { login: login(key), display_name: `Test ${key}`, agency_id: agency, unit_id: unit, roles: [role] });
  assert.equal(r.status, 201, r.text);
  const first = await firstLogin(srv.url, login(key), r.body.one_time_password);
  u[key] = first.client;
  secrets[key] = { password: first.password, recovery: [...first.recovery] };
}

// A new session with a recovery code: sessions lapse when the clock moves by hours.
async function relogin(key) {
  const client = new Client(srv.url);
  let r = await client.post('/api/v1/auth/login', { login: login(key), password: secrets[key].password });
  assert.equal(r.status, 200, r.text);
  r = await client.post('/api/v1/auth/totp', { recovery_code: secrets[key].recovery.shift() });
  assert.equal(r.status, 200, r.text);
  u[key] = client;
}

async function caseWithDecision(who, duties, surname) {
  const today = localDate(clock.at);
  let r = await who.post('/api/v1/people', { surname, given_name: 'Тест', birth_date: '1990-05-05', languages: ['ky'] });
  assert.equal(r.status, 201, r.text);
  const personId = r.body.id;
  r = await who.post('/api/v1/cases', { person_id: personId, kind: 'executive', opened_on: addDays(today, -20), open_reason: 'Court order received' });
  assert.equal(r.status, 201, r.text);
  const caseId = r.body.id, caseNumber = r.body.number;
  r = await who.post(`/api/v1/cases/${caseId}/decisions`, {
    authority: 'Pervomaisky district court', number: `1-${surname.length}/26`, decided_on: addDays(today, -20),
    measure: 'probation_supervision', articles: ['CC-130'], start_on: addDays(today, -10), term: '2y', duties,
  });
  assert.equal(r.status, 201, r.text);
  return { personId, caseId, caseNumber, decisionId: r.body.id };
}

const HOME = { lat: 42.8467, lon: 74.6035 };
// The curfew-only person's position away from home: a distinctive coordinate searched for in every answer.
const AWAY = { lat: 42.8557, lon: 74.6035 };
const district = {
  kind: 'inclusion', name: 'Home district', shape: 'polygon',
  geometry: { type: 'Polygon', coordinates: [[[74.58, 42.82], [74.63, 42.82], [74.63, 42.87], [74.58, 42.87], [74.58, 42.82]]] },
};
const avoid = { kind: 'exclusion', name: 'Former partner\'s street', shape: 'circle', center: { lat: 42.8333, lon: 74.6111 }, radius_m: 300 };

async function order(c, modes, extra, deviceId, fittedAt) {
  const today = localDate(clock.at);
  let r = await u.officerA.post(`/api/v1/cases/${c.caseId}/em-orders`, {
    decision_id: c.decisionId, modes, starts_on: addDays(today, -1), ends_on: addDays(today, 60),
    home_address: 'Бишкек, ул. Ахунбаева 12', home_lat: HOME.lat, home_lon: HOME.lon, home_radius_m: 60,
    household_effect: 'Lives with his mother; she was told how the home unit works.', ...extra,
  });
  assert.equal(r.status, 201, r.text);
  const orderId = r.body.id;
  r = await u.officerA.post(`/api/v1/em/orders/${orderId}/fittings`, { device_id: deviceId, fitted_at: iso(fittedAt) });
  assert.equal(r.status, 201, r.text);
  return orderId;
}

async function gateway(fixes) {
  const r = await clock.call('POST', '/api/v1/em/fixes', { fixes });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.refused, []);
  return r.body;
}

async function queueUntil(pred) {
  let r;
  for (let i = 0; i < 200; i++) {
    r = await u.operator.get('/api/v1/em/queue');
    assert.equal(r.status, 200, r.text);
    const hit = r.body.items.find(pred);
    if (hit) return hit;
    await new Promise((ok) => setTimeout(ok, 10));
  }
  assert.fail(`the queue never showed the alert: ${r.text}`);
}

before(async () => {
  srv = await startServer({ env: { KADAM_CLOCK_CONTROL: '1' } });
  const zone = zoneAtMidMorning();
  sql(srv.db, `UPDATE setting SET value = ${q(zone)} WHERE key = 'timezone'`);
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'acc.admin')))).client;
  tz = (await admin.get('/api/v1/system')).body.timezone;
  let r = await admin.post('/api/v1/tokens', { name: 'em access test', expires_in_days: 30, permissions: ['system.jobs', 'system.clock', 'em.ingest'] });
  assert.equal(r.status, 201, r.text);
  clock = clockDriver(srv, r.body.secret);
  await clock.move(Date.now());
  const agency = async (name, kind) => (await admin.post('/api/v1/agencies', { name, kind })).body.id;
  const unit = async (agencyId, name, parent) => (await admin.post('/api/v1/units', { agency_id: agencyId, name, ...(parent ? { parent_id: parent } : {}) })).body.id;
  ids.agency = await agency('Access Probation', 'probation');
  ids.region = await unit(ids.agency, 'Region');
  ids.a = await unit(ids.agency, 'Office A', ids.region);
  ids.b = await unit(ids.agency, 'Office B', ids.region);
  ids.centreAgency = await agency('Access Centre', 'monitoring_centre');
  ids.centre = await unit(ids.centreAgency, 'Control room');
  ids.policeAgency = await agency('Access City Police', 'police');
  ids.desk = await unit(ids.policeAgency, 'Investigations');
  ids.partnerAgency = await agency('Access Mentors NGO', 'partner');
  ids.partnerUnit = await unit(ids.partnerAgency, 'Mentors');
  ids.prisonAgency = await agency('Access Colony 3', 'prison');
  ids.prisonUnit = await unit(ids.prisonAgency, 'Social department');
  await user('officerA', 'probation_officer', ids.agency, ids.a);
  await user('officerB', 'probation_officer', ids.agency, ids.b);
  await user('head', 'unit_head', ids.agency, ids.region);
  await user('headB', 'unit_head', ids.agency, ids.b);
  await user('operator', 'monitoring_operator', ids.centreAgency, ids.centre);
  await user('police', 'police_liaison', ids.policeAgency, ids.desk);
  await user('police2', 'police_liaison', ids.policeAgency, ids.desk);
  await user('analyst', 'analyst', ids.agency, ids.region);
  await user('partner', 'partner', ids.partnerAgency, ids.partnerUnit);
  await user('prison', 'prison_case_worker', ids.prisonAgency, ids.prisonUnit);
  await user('dpo', 'data_protection_officer', ids.agency, ids.region);
  const listed = runKadam(['routes', '--json']);
  assert.equal(listed.status, 0, listed.stderr);
  routes = JSON.parse(listed.stdout);

  ids.tagImei = imei('86077700000777');
  r = await u.operator.post('/api/v1/em/devices', { kind: 'ankle_tag', identifier: ids.tagImei, protocol: 'gateway' });
  assert.equal(r.status, 201, r.text);
  ids.tag = r.body.id;
  r = await u.operator.post('/api/v1/em/devices', { kind: 'phone', identifier: 'acc-phone-1', protocol: 'gateway' });
  assert.equal(r.status, 201, r.text);
  ids.phone = r.body.id;

  // A trail-and-zones order and a curfew-only order, both in office A.
  const t = await caseWithDecision(u.officerA, ['electronic_monitoring', 'residence', 'exclusion'], 'Трейлов');
  Object.assign(ids, { trailPerson: t.personId, trailCase: t.caseId, trailNumber: t.caseNumber });
  ids.trailOrder = await order(t, { curfew: false, inclusion: true, exclusion: true, trail: true }, {}, ids.tag, clock.at - 6 * HOUR);
  r = await u.officerA.post(`/api/v1/em/orders/${ids.trailOrder}/zones`, district);
  assert.equal(r.status, 201, r.text);
  r = await u.officerA.post(`/api/v1/em/orders/${ids.trailOrder}/zones`, avoid);
  assert.equal(r.status, 201, r.text);
  const c = await caseWithDecision(u.officerA, ['electronic_monitoring', 'curfew'], 'Комендантов');
  Object.assign(ids, { curfewPerson: c.personId, curfewCase: c.caseId, curfewNumber: c.caseNumber });
  // The curfew case is allocated to officer A; the trail case is not allocated to anyone.
  sql(srv.db, `UPDATE case_file SET officer_id = (SELECT id FROM account WHERE login = 'acc.officera') WHERE id = ${q(c.caseId)}`);
  ids.curfewOrder = await order(c, { curfew: true, inclusion: false, exclusion: false, trail: false }, {
    curfew_grace_min: 1,
    curfew: [{ days: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], start: localHHMM(clock.at - 60 * MIN), end: localHHMM(clock.at + 6 * 60 * MIN) }],
  }, ids.phone, clock.at - 2 * HOUR);

  // The trail: fixes inside the district from five hours ago, a strap tamper among them.
  const t0 = clock.at;
  await gateway([0, 1, 2, 3, 4].map((i) => ({ device: ids.tagImei, at: t0 - 5 * HOUR + i * HOUR, lat: 42.845 + i / 1000, lon: 74.60, accuracy_m: 8,
    ...(i === 4 ? { events: ['strap_tamper'] } : {}) })));
  ids.tamper = (await queueUntil((x) => x.alert.rule_code === 'em.strap_tamper' && x.order_id === ids.trailOrder)).alert;
  // The curfew-only person away from home past the grace: a curfew absence whose evidence holds the away fixes.
  await clock.move(t0 + 4 * MIN);
  await gateway([
    { device: 'acc-phone-1', at: t0, lat: HOME.lat, lon: HOME.lon, accuracy_m: 12 },
    { device: 'acc-phone-1', at: t0 + 30000, lat: AWAY.lat, lon: AWAY.lon, accuracy_m: 12, events: ['sos'] },
    { device: 'acc-phone-1', at: t0 + 60000, lat: AWAY.lat, lon: AWAY.lon, accuracy_m: 12 },
    { device: 'acc-phone-1', at: t0 + 150000, lat: AWAY.lat, lon: AWAY.lon, accuracy_m: 12 },
  ]);
  ids.absence = (await queueUntil((x) => x.alert.rule_code === 'em.curfew_absence' && x.order_id === ids.curfewOrder)).alert;
  assert.ok(ids.absence.evidence.fixes.some((f) => f.lat === AWAY.lat), 'the evidence keeps the locations of the incident');

  // A police request for the trail order's last four hours, approved by the region's head.
  r = await u.police.post('/api/v1/em/police-requests', {
    case_number: ids.trailNumber, legal_basis: 'Criminal Procedure Code art. 180; warrant 12/26',
    reason: 'Investigation of a burglary in the district that evening', from: iso(t0 - 4.5 * HOUR), to: iso(t0 - 1.5 * HOUR),
  });
  assert.equal(r.status, 201, r.text);
  ids.request = r.body.id;
  r = await u.head.post(`/api/v1/em/police-requests/${ids.request}/decision`, { decision: 'approved', note: 'Warrant checked' });
  assert.equal(r.status, 200, r.text);
});

after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

// Every EM GET route with the real id its slot takes.
const PATHS = {
  '/api/v1/em/devices': () => '/api/v1/em/devices',
  '/api/v1/em/devices/{id}': () => `/api/v1/em/devices/${ids.tag}`,
  '/api/v1/em/unknown-devices': () => '/api/v1/em/unknown-devices',
  '/api/v1/em/orders': () => '/api/v1/em/orders',
  '/api/v1/cases/{id}/em-orders': () => `/api/v1/cases/${ids.trailCase}/em-orders`,
  '/api/v1/em/orders/{id}': () => `/api/v1/em/orders/${ids.trailOrder}`,
  '/api/v1/em/orders/{id}/zones.geojson': () => `/api/v1/em/orders/${ids.trailOrder}/zones.geojson`,
  '/api/v1/em/orders/{id}/trail': () => `/api/v1/em/orders/${ids.trailOrder}/trail`,
  '/api/v1/em/orders/{id}/position': () => `/api/v1/em/orders/${ids.trailOrder}/position`,
  '/api/v1/em/orders/{id}/events': () => `/api/v1/em/orders/${ids.trailOrder}/events`,
  '/api/v1/em/queue': () => '/api/v1/em/queue',
  '/api/v1/em/police-requests': () => '/api/v1/em/police-requests',
  '/api/v1/em/police-requests/{id}': () => `/api/v1/em/police-requests/${ids.request}`,
  '/api/v1/em/police-requests/{id}/trail': () => `/api/v1/em/police-requests/${ids.request}/trail`,
};
const ORDER_ROUTES = ['/api/v1/cases/{id}/em-orders', '/api/v1/em/orders/{id}', '/api/v1/em/orders/{id}/zones.geojson',
  '/api/v1/em/orders/{id}/trail', '/api/v1/em/orders/{id}/position', '/api/v1/em/orders/{id}/events'];
const ALL_403 = Object.fromEntries(Object.keys(PATHS).map((p) => [p, 403]));
const expect = (over) => ({ ...ALL_403, ...over });
const readers = { '/api/v1/em/devices': 200, '/api/v1/em/devices/{id}': 200, '/api/v1/em/orders': 200 };
const ordersOk = Object.fromEntries(ORDER_ROUTES.map((p) => [p, 200]));
const ordersHidden = Object.fromEntries(ORDER_ROUTES.map((p) => [p, 404]));
const EXPECTED = {
  officerA: expect({ ...readers, ...ordersOk }),
  head: expect({ ...readers, ...ordersOk, '/api/v1/em/unknown-devices': 200, '/api/v1/em/police-requests': 200, '/api/v1/em/police-requests/{id}': 200 }),
  operator: expect({ ...readers, ...ordersOk, '/api/v1/em/unknown-devices': 200, '/api/v1/em/queue': 200 }),
  officerB: expect({ ...readers, ...ordersHidden }),
  headB: expect({ ...readers, ...ordersHidden, '/api/v1/em/unknown-devices': 200, '/api/v1/em/police-requests': 200, '/api/v1/em/police-requests/{id}': 404 }),
  police: expect({ '/api/v1/em/police-requests': 200, '/api/v1/em/police-requests/{id}': 200, '/api/v1/em/police-requests/{id}/trail': 200 }),
  police2: expect({ '/api/v1/em/police-requests': 200, '/api/v1/em/police-requests/{id}': 404, '/api/v1/em/police-requests/{id}/trail': 404 }),
  analyst: ALL_403,
  partner: ALL_403,
  prison: ALL_403,
  dpo: ALL_403,
};

test('S24: every EM GET route answers each role as its reach allows, every refusal logged', async () => {
  const em = routes.filter((r) => r.method === 'GET' && (r.path.includes('/em/') || r.path.includes('/em-orders')) && !r.path.startsWith('/em/'));
  assert.deepEqual(em.map((r) => r.path).sort(), Object.keys(PATHS).sort(), 'a new EM GET route needs its row here');
  for (const [login, table] of Object.entries(EXPECTED)) {
    for (const [pattern, status] of Object.entries(table)) {
      const before = denied(login);
      const r = await u[login].get(PATHS[pattern]());
      assert.equal(r.status, status, `${login} GET ${pattern}: ${r.text}`);
      assert.equal(denied(login), before + (status === 200 ? 0 : 1), `${login} GET ${pattern}: the refusal is logged`);
    }
  }
});

test('S24: what each answer holds: another unit sees the device but not whom it is fitted to nor the order', async () => {
  let r = await u.officerB.get(`/api/v1/em/devices/${ids.tag}`);
  assert.equal(r.body.fitting.case_id, null);
  assert.equal(r.body.fitting.person_name, null);
  assert.ok(!r.text.includes(ids.trailCase) && !r.text.includes(ids.trailOrder), r.text);
  r = await u.officerB.get('/api/v1/em/orders');
  assert.ok(!r.body.items.some((o) => o.id === ids.trailOrder || o.id === ids.curfewOrder));
  r = await u.headB.get('/api/v1/em/police-requests?status=approved');
  assert.deepEqual(r.body.items, []);
  r = await u.officerA.get('/api/v1/em/orders');
  assert.deepEqual(r.body.items.map((o) => o.id).sort(), [ids.trailOrder, ids.curfewOrder].sort());
  r = await u.police2.get('/api/v1/em/police-requests');
  assert.deepEqual(r.body.items, [], 'another liaison of the same agency sees no request of a colleague');
  r = await u.police.get(`/api/v1/em/police-requests/${ids.request}`);
  assert.equal(r.body.person_name, undefined, 'the police learn no name from the request');
});

test('S24: the operator sees EM data but not the case record; device alerts only', async () => {
  for (const path of [`/api/v1/people/${ids.trailPerson}`, `/api/v1/cases/${ids.trailCase}`, `/api/v1/cases/${ids.trailCase}/notes`,
    `/api/v1/cases/${ids.trailCase}/alerts`, `/api/v1/cases/${ids.trailCase}/timeline`]) {
    const r = await u.operator.get(path);
    assert.ok(r.status === 403 || r.status === 404, `${path}: ${r.status}`);
  }
  let r = await u.officerA.post(`/api/v1/cases/${ids.trailCase}/alerts`, { summary: 'Officer concern', severity: 'low' });
  assert.equal(r.status, 201, r.text);
  const own = r.body.id;
  r = await u.operator.get('/api/v1/alerts?queue=unit&status=all');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.body.items.length >= 2);
  assert.ok(r.body.items.every((a) => a.source === 'device'), 'the centre lists device alerts only');
  assert.ok(!r.body.items.some((a) => a.id === own));
  // The centre's reads are logged with its purpose and basis (S10).
  const basis = sql(srv.db, "SELECT purpose || '|' || justification FROM audit_log WHERE actor_login = 'acc.operator'"
    + " AND action = 'consult' AND record_type = 'alert' AND record_id IS NULL ORDER BY seq DESC LIMIT 1").trim();
  assert.equal(basis, 'monitoring|Monitoring centre: EM alert queue');
  r = await u.operator.get(`/api/v1/em/devices/${ids.tag}`);
  assert.equal(r.body.fitting.case_id, ids.trailCase, 'the centre sees whom a device is fitted to');
  assert.equal(sql(srv.db, `SELECT purpose || '|' || justification FROM audit_log WHERE actor_login = 'acc.operator' AND action = 'consult'`
    + ` AND record_type = 'em_device' AND record_id = ${q(ids.tag)} ORDER BY seq DESC LIMIT 1`).trim(), 'monitoring|Monitoring centre: EM alert queue');
  r = await u.operator.get('/api/v1/em/devices');
  assert.equal(sql(srv.db, "SELECT purpose FROM audit_log WHERE actor_login = 'acc.operator' AND action = 'consult'"
    + " AND record_type = 'em_device' AND record_id IS NULL ORDER BY seq DESC LIMIT 1").trim(), 'monitoring');
});

test('S10: EM reads are logged with the record and the window; police reads as disclosures with recipient and basis', async () => {
  const from = iso(clock.at - 3 * HOUR), to = iso(clock.at);
  let r = await u.officerA.get(`/api/v1/em/orders/${ids.trailOrder}/trail?from=${from}&to=${to}`);
  assert.equal(r.status, 200, r.text);
  const row = sql(srv.db, `SELECT action || '|' || record_id || '|' || detail FROM audit_log WHERE actor_login = 'acc.officera'`
    + " AND record_type = 'em_trail' ORDER BY seq DESC LIMIT 1").trim();
  assert.ok(row.startsWith(`consult|${ids.trailOrder}|`) && row.includes(from.slice(0, 16)), row);
  r = await u.police.get(`/api/v1/em/police-requests/${ids.request}/trail`);
  assert.equal(r.status, 200, r.text);
  const disc = sql(srv.db, "SELECT recipient || '|' || justification || '|' || record_id FROM audit_log WHERE action = 'disclose'"
    + " AND actor_login = 'acc.police' AND record_type = 'em_trail' ORDER BY seq DESC LIMIT 1").trim();
  assert.equal(disc, `Access City Police|Criminal Procedure Code art. 180; warrant 12/26|${ids.trailOrder}`);
  // Only the window's fixes (two of the five: 4 h and 3 h ago; 2 h ago is after the window's end at 1.5 h... and 5 h before it).
  const t = r.body.fixes.map((f) => Date.parse(f.at));
  assert.ok(t.length >= 1 && t.every((x) => x >= Date.parse(r.body.from) && x < Date.parse(r.body.to)), JSON.stringify(r.body));
});

test('S23: a curfew-only order shows no coordinates except an alert\'s evidence, to the centre and the case\'s own unit', async () => {
  const away = String(AWAY.lat);
  for (const who of ['officerA', 'head', 'operator']) {
    let r = await u[who].get(`/api/v1/em/orders/${ids.curfewOrder}/trail`);
    assert.equal(r.status, 409, r.text);
    assert.equal(r.body.type, 'urn:kadam:problem:trail-not-ordered');
    r = await u[who].get(`/api/v1/em/orders/${ids.curfewOrder}/position`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.body).sort(), ['at', 'at_home', 'order_id']);
    r = await u[who].get(`/api/v1/em/orders/${ids.curfewOrder}/events`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.items.some((e) => e.event === 'sos'));
    assert.ok(r.body.items.every((e) => e.lat === null && e.lon === null));
    r = await u[who].get(`/api/v1/em/orders/${ids.curfewOrder}/zones.geojson`);
    assert.ok(!r.text.includes(away));
    // The alert's evidence keeps the incident's locations for those who verify it.
    r = await u[who].get(`/api/v1/alerts/${ids.absence.id}`);
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.evidence.fixes.some((f) => f.lat === AWAY.lat), `${who} sees the evidence`);
  }
  // A unit head of another unit reaches the alert with a stated purpose, as any case: not its locations.
  let r = await u.headB.get(`/api/v1/alerts/${ids.absence.id}`, PURPOSE);
  assert.equal(r.status, 200, r.text);
  assert.ok(!r.text.includes(away), r.text);
  assert.equal(r.body.evidence.locations_withheld, true);
  assert.ok(r.body.evidence.fixes.length > 0 && r.body.evidence.fixes.every((f) => f.lat === undefined && f.at));
  r = await u.headB.get(`/api/v1/cases/${ids.curfewCase}/alerts`, PURPOSE);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.body.items.some((a) => a.id === ids.absence.id));
  assert.ok(!r.text.includes(away), r.text);
  // Nor does the data protection officer, who holds no EM permission.
  r = await u.dpo.get(`/api/v1/cases/${ids.curfewCase}/alerts`);
  assert.equal(r.status, 200, r.text);
  assert.ok(!r.text.includes(away), r.text);
  // The police cannot ask for a curfew-only order's locations: the same answer as an unknown case.
  r = await u.police.post('/api/v1/em/police-requests', { case_number: '2099-000001', legal_basis: 'Criminal Procedure Code art. 180',
    reason: 'Investigation of an assault that evening', from: iso(clock.at - 3 * HOUR), to: iso(clock.at - HOUR) });
  assert.equal(r.status, 422, r.text);
  const unknown = r.body.errors[0].message;
  r = await u.police.post('/api/v1/em/police-requests', { case_number: ids.curfewNumber, legal_basis: 'Criminal Procedure Code art. 180',
    reason: 'Investigation of an assault that evening', from: iso(clock.at - 3 * HOUR), to: iso(clock.at - HOUR) });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'case_number');
  assert.equal(r.body.errors[0].message, unknown);
});

test('S23: an approved request discloses nothing once the order no longer orders a trail', async () => {
  sql(srv.db, `UPDATE em_order SET mode_trail = 0 WHERE id = ${q(ids.trailOrder)}`);
  const before = denied('police');
  const r = await u.police.get(`/api/v1/em/police-requests/${ids.request}/trail`);
  sql(srv.db, `UPDATE em_order SET mode_trail = 1 WHERE id = ${q(ids.trailOrder)}`);
  assert.equal(r.status, 409, r.text);
  assert.equal(r.body.type, 'urn:kadam:problem:trail-not-ordered');
  assert.equal(denied('police'), before + 1);
});

test('S25: the operator verifies a device alert as a task for the officer, never as a breach; the evidence stays', async () => {
  let r = await u.operator.get(`/api/v1/alerts/${ids.absence.id}`);
  const version = r.body.version;
  r = await u.operator.post(`/api/v1/alerts/${ids.absence.id}/verification`, { outcome: 'breach', reasons: 'Away during the curfew',
    breach: { allegation: 'Away from home during the curfew', occurred_on: localDate(clock.at) } }, { 'if-match': `"${version}"` });
  assert.equal(r.status, 403, r.text);
  assert.equal(r.body.type, 'urn:kadam:problem:breach-not-permitted');
  r = await u.operator.post(`/api/v1/alerts/${ids.absence.id}/verification`, { outcome: 'task', reasons: 'Away 1 km for 2 min',
    task: { title: 'Ask the person about the absence' } }, { 'if-match': `"${version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.outcome, 'task');
  assert.ok(r.body.evidence.fixes.some((f) => f.lat === AWAY.lat), 'the evidence stays with the verified alert');
  const officerId = sql(srv.db, "SELECT id FROM account WHERE login = 'acc.officera'").trim();
  r = await u.officerA.get('/api/v1/tasks?queue=mine');
  assert.ok(r.body.items.some((t) => t.source_alert_id === ids.absence.id && t.assigned_to === officerId), r.text);
  // A case allocated to nobody: the centre's task waits unassigned in the unit's queue, not with the operator.
  r = await u.operator.get(`/api/v1/alerts/${ids.tamper.id}`);
  r = await u.operator.post(`/api/v1/alerts/${ids.tamper.id}/verification`, { outcome: 'task', reasons: 'Tamper confirmed by the device twice',
    task: { title: 'Check the strap at the next visit' } }, { 'if-match': `"${r.body.version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(sql(srv.db, `SELECT COALESCE(assigned_to, 'nobody') FROM task WHERE source_alert_id = ${q(ids.tamper.id)}`).trim(), 'nobody');
  r = await u.head.get('/api/v1/tasks?queue=unit');
  assert.ok(r.body.items.some((t) => t.source_alert_id === ids.tamper.id), r.text);
  // The officer's own list still shows device alerts.
  r = await u.officerA.get('/api/v1/alerts?queue=unit&status=all');
  assert.ok(r.body.items.some((a) => a.id === ids.tamper.id && a.source === 'device'));
});

test('S13: the subject-access export lists the monitoring, withholds exclusion boundaries and gives locations per day', async () => {
  let r = await u.dpo.post('/api/v1/access-requests', { person_id: ids.trailPerson, received_on: localDate(clock.at), channel: 'letter', language: 'en' });
  assert.equal(r.status, 201, r.text);
  r = await u.dpo.get(`/api/v1/people/${ids.trailPerson}/export?access_request_id=${r.body.id}`);
  assert.equal(r.status, 200, r.text);
  const c = r.body.cases.find((x) => x.number === ids.trailNumber);
  assert.equal(c.monitoring.length, 1);
  const o = c.monitoring[0];
  assert.deepEqual(o.modes, ['inclusion', 'exclusion', 'trail']);
  assert.match(o.household_effect, /mother/);
  assert.equal(o.zones.length, 2);
  const excl = o.zones.find((z) => z.kind === 'exclusion');
  assert.equal(excl.boundary_withheld, true);
  assert.ok(!r.text.includes('74.6111'), 'no exclusion boundary');
  assert.deepEqual(o.zones.find((z) => z.kind === 'inclusion').geometry, district.geometry);
  assert.equal(o.fittings[0].device_kind, 'ankle_tag');
  assert.ok(o.device_events.some((e) => e.event === 'strap_tamper'));
  assert.ok(o.alerts.some((a) => a.rule_code === 'em.strap_tamper'));
  assert.equal(o.location_days.reduce((n, d) => n + d.fixes, 0), 5);
  assert.ok(!r.text.includes('42.847') && !r.text.includes('"lat"'), 'no raw locations');
  assert.equal(r.body.withheld.exclusion_zones, 1);
  assert.ok(r.body.notices.some((n) => /locations are given on request/.test(n)));
  assert.ok(r.body.notices.some((n) => /exclusion zones are withheld/.test(n)));
});

test('S12: a pending or approved police request holds its window from the EM retention until refused or ended', async () => {
  const t = clock.at;
  // A second request for a window 12 days ago, where old fixes are stored; a fix 10 days ago is not asked for.
  const num = Number(sql(srv.db, `SELECT num FROM em_device WHERE id = ${q(ids.tag)}`));
  sql(srv.db, `UPDATE em_fitting SET fitted_at = ${t - 20 * DAY} WHERE device_id = ${q(ids.tag)}`);
  const old = [t - 12 * DAY + HOUR, t - 12 * DAY + 2 * HOUR, t - 10 * DAY].map((at) => `(${num}, ${Math.round(at)}, ${Math.round(at)}, 42.85, 74.60, 8, 80)`);
  sql(srv.db, `INSERT INTO em_fix_inbox (device_num, at, received_at, lat, lon, accuracy_m, battery_pct) VALUES ${old.join(', ')}`);
  let r = await u.police.post('/api/v1/em/police-requests', { case_number: ids.trailNumber, legal_basis: 'Criminal Procedure Code art. 180; warrant 13/26',
    reason: 'Investigation of a theft twelve days ago', from: iso(t - 12 * DAY), to: iso(t - 12 * DAY + 3 * HOUR) });
  assert.equal(r.status, 201, r.text);
  const pending = r.body.id;
  assert.ok(count('em_fix_hold', `alert_id = 'police:${pending}'`) >= 1, 'the window is held');
  const inWindow = `device_num = ${num} AND at BETWEEN ${t - 12 * DAY} AND ${t - 12 * DAY + 3 * HOUR}`;
  const tenDays = `device_num = ${num} AND at = ${Math.round(t - 10 * DAY)}`;
  const stored = (where) => count('em_fix_inbox', where) + Number(sql(srv.db, `SELECT COALESCE(SUM(n), 0) FROM em_fix_chunk WHERE device_num = ${num}`
    + ` AND first_at <= ${where.includes('BETWEEN') ? t - 12 * DAY + 3 * HOUR : Math.round(t - 10 * DAY)} AND last_at >= ${where.includes('BETWEEN') ? t - 12 * DAY : Math.round(t - 10 * DAY)}`));
  assert.equal(stored(inWindow), 2);
  assert.equal(stored(tenDays), 1);
  // Retention of 9 days (the least is 7): the unasked day goes, the held window stays.
  sql(srv.db, "UPDATE setting SET value = '9' WHERE key = 'em.retention_days'");
  await clock.move(t + 2 * HOUR);
  const ran = await clock.runJobs('em.retention');
  assert.equal(stored(tenDays), 0, `an old day nobody holds is erased: ${JSON.stringify(ran)}`);
  assert.equal(stored(inWindow), 2, 'the pending request\'s window is kept');
  // Refused: the hold goes, and the next run erases the window.
  await relogin('head');
  r = await u.head.post(`/api/v1/em/police-requests/${pending}/decision`, { decision: 'refused', note: 'No warrant attached' });
  assert.equal(r.status, 200, r.text);
  assert.equal(count('em_fix_hold', `alert_id = 'police:${pending}'`), 0);
  await clock.move(t + 4 * HOUR);
  await clock.runJobs('em.retention');
  assert.equal(stored(inWindow), 0);
  // The first request (approved) holds its window until its access ends; then any police route releases it.
  assert.ok(count('em_fix_hold', `alert_id = 'police:${ids.request}'`) >= 1);
  await clock.move(t + 15 * DAY);
  await relogin('police');
  r = await u.police.get(`/api/v1/em/police-requests/${ids.request}/trail`);
  assert.equal(r.status, 403, r.text);
  assert.equal(r.body.type, 'urn:kadam:problem:access-ended');
  r = await u.police.get('/api/v1/em/police-requests');
  assert.equal(r.status, 200, r.text);
  assert.equal(count('em_fix_hold', `alert_id = 'police:${ids.request}'`), 0, 'the ended access holds nothing');
});
