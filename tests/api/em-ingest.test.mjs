// Device fixes in and out: a gateway's batch (an API token with em.ingest), the OsmAnd protocol (query string,
// form body, the Traccar Client JSON body), duplicates and late fixes, unknown identifiers refused, listed and
// logged, bad fields refused whole with their index; an order's trail (only where the decision orders it, S23)
// and position, each read logged; and durability: a fix answered 200 survives kill -9 of the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';
import { imei } from '../lib/devices.mjs';

let srv, srv2, admin, officer, operator, gatewayToken;
const ids = {};
const now = Date.now();
const count = (table, where = '1 = 1') => Number(sql((srv2 || srv).db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));
const iso = (ms) => new Date(ms).toISOString();
const dateOnly = (ms) => iso(ms).slice(0, 10);

function baseUrl() { return (srv2 || srv).url; }

async function gateway(body, token = gatewayToken) {
  const res = await fetch(`${baseUrl()}/api/v1/em/fixes`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, text, headers: res.headers };
}

async function osmand(method, query, body, contentType) {
  const res = await fetch(`${baseUrl()}/em/osmand${query ? `?${query}` : ''}`, {
    method, headers: contentType ? { 'content-type': contentType } : {}, body,
  });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

async function user(login, role, agency, unit) {
  const r = await admin.post('/api/v1/users', { login, display_name: `Test ${login}`, agency_id: agency, unit_id: unit, roles: [role] });
  assert.equal(r.status, 201, r.text);
  return (await firstLogin(srv.url, login, r.body.one_time_password)).client;
}

async function caseWithDecision(duties, surname) {
  let r = await officer.post('/api/v1/people', { surname, given_name: 'Тест', birth_date: '1990-05-05', languages: ['ky'] });
  assert.equal(r.status, 201, r.text);
  r = await officer.post('/api/v1/cases', { person_id: r.body.id, kind: 'executive', opened_on: dateOnly(now - 20 * 86400000), open_reason: 'Court order received' });
  assert.equal(r.status, 201, r.text);
  const caseId = r.body.id;
  r = await officer.post(`/api/v1/cases/${caseId}/decisions`, {
    authority: 'Pervomaisky district court', number: `1-${surname.length}/26`, decided_on: dateOnly(now - 20 * 86400000),
    measure: 'probation_supervision', articles: ['CC-130'], start_on: dateOnly(now - 10 * 86400000), term: '2y', duties,
  });
  assert.equal(r.status, 201, r.text);
  return { caseId, decisionId: r.body.id };
}

async function orderWithDevice(c, modes, deviceId, fittedAt) {
  let r = await officer.post(`/api/v1/cases/${c.caseId}/em-orders`, {
    decision_id: c.decisionId, modes, starts_on: dateOnly(now - 86400000), ends_on: dateOnly(now + 180 * 86400000),
    home_address: 'Бишкек, ул. Ахунбаева 12', home_lat: 42.8467, home_lon: 74.6035, home_radius_m: 60,
    household_effect: 'Lives alone; the neighbours are not affected.',
    curfew: modes.curfew ? [{ days: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], start: '22:00', end: '06:00' }] : undefined,
  });
  assert.equal(r.status, 201, r.text);
  const orderId = r.body.id;
  r = await officer.post(`/api/v1/em/orders/${orderId}/fittings`, { device_id: deviceId, fitted_at: iso(fittedAt) });
  assert.equal(r.status, 201, r.text);
  return orderId;
}

before(async () => {
  srv = await startServer();
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'ing.admin')))).client;
  let r = await admin.post('/api/v1/tokens', { name: 'gateway', permissions: ['em.ingest'], expires_in_days: 1 });
  assert.equal(r.status, 201, r.text);
  gatewayToken = r.body.secret;
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Ingest Probation', kind: 'probation' })).body.id;
  ids.unit = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office I' })).body.id;
  ids.centreAgency = (await admin.post('/api/v1/agencies', { name: 'Ingest Centre', kind: 'monitoring_centre' })).body.id;
  ids.centre = (await admin.post('/api/v1/units', { agency_id: ids.centreAgency, name: 'Room' })).body.id;
  officer = await user('ing.officer', 'probation_officer', ids.agency, ids.unit);
  operator = await user('ing.operator', 'monitoring_operator', ids.centreAgency, ids.centre);
  ids.tag = imei('86012345678901');
  r = await operator.post('/api/v1/em/devices', { kind: 'ankle_tag', identifier: ids.tag, protocol: 'gt06' });
  assert.equal(r.status, 201, r.text);
  ids.tagId = r.body.id;
  r = await operator.post('/api/v1/em/devices', { kind: 'phone', identifier: 'phone-ingest-1', protocol: 'osmand' });
  assert.equal(r.status, 201, r.text);
  ids.phoneId = r.body.id;
  r = await operator.post('/api/v1/em/devices', { kind: 'phone', identifier: 'phone-curfew-1', protocol: 'osmand' });
  assert.equal(r.status, 201, r.text);
  ids.curfewPhoneId = r.body.id;
});

after(async () => {
  if (srv2) {
    const { code } = await srv2.stop();
    assert.equal(code, 0, srv2.logs().slice(-3000));
  }
  await srv.stop();
});

test('a gateway batch is stored and counted; an unknown identifier refuses only its own fixes', async () => {
  const fixes = [
    { device: ids.tag, at: iso(now - 180000), lat: 42.8470, lon: 74.6040, accuracy_m: 8, speed_kmh: 4.5, course_deg: 90, battery_pct: 81 },
    { device: 'unknown-77', at: now - 170000, lat: 42.9, lon: 74.6 },
    { device: ids.tag, at: now - 120000, lat: 42.8480, lon: 74.6050, accuracy_m: 9 },
    { device: ids.tag, at: iso(now - 60000), lat: 42.8490, lon: 74.6060, battery_pct: 79, events: ['strap_tamper'] },
  ];
  let r = await gateway({ fixes });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { stored: 3, duplicates: 0, late: 0, refused: [{ index: 1, device: 'unknown-77', reason: 'unknown_device' }] });
  assert.equal(count('em_fix_inbox'), 3);
  // The device's row says when it was last heard and its battery.
  r = await operator.get(`/api/v1/em/devices/${ids.tagId}`);
  assert.equal(r.status, 200, r.text);
  assert.ok(Math.abs(Date.parse(r.body.last_fix_at) - (now - 60000)) < 1000, r.body.last_fix_at);
  assert.equal(r.body.battery_pct, 79);
  assert.ok(r.body.last_seen_at);
  // The processing log: the collection (counts only) and the refusal.
  assert.ok(count('audit_log', "action = 'collect' AND record_type = 'em_fix'") >= 1);
  assert.ok(count('audit_log', "action = 'access.denied' AND record_type = 'em_device'") >= 1);
  assert.equal(count('audit_log', "detail LIKE '%unknown-77%'"), 0, 'identifiers and positions stay out of the log');
});

test('a resent batch is all duplicates; an older fix is stored as late', async () => {
  let r = await gateway({ fixes: [
    { device: ids.tag, at: iso(now - 180000), lat: 42.8470, lon: 74.6040 },
    { device: ids.tag, at: now - 120000, lat: 42.8480, lon: 74.6050 },
  ] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { stored: 0, duplicates: 2, late: 0, refused: [] });
  r = await gateway({ fixes: [{ device: ids.tag, at: now - 150000, lat: 42.8475, lon: 74.6045 }] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { stored: 1, duplicates: 0, late: 1, refused: [] });
  assert.equal(count('em_fix_inbox'), 4);
  assert.equal(count('em_fix_inbox', 'flags = 1'), 1);
  // Events without a position: not a fix (nothing appended), but accepted.
  r = await gateway({ fixes: [{ device: ids.tag, at: now - 50000, events: ['battery_low'] }, { device: ids.tag, at: now - 40000 }] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.stored, 0);
  assert.deepEqual(r.body.refused, []);
  assert.equal(count('em_fix_inbox'), 4);
});

test('bad fields: 422 naming each by index, nothing stored', async () => {
  const before = count('em_fix_inbox');
  let r = await gateway({ fixes: [
    { device: ids.tag, at: now - 30000, lat: 42.8, lon: 74.6, events: ['bogus'] },
    { device: ids.tag, at: now - 20000, lat: 95, lon: 74.6, battery_pct: 101 },
    { device: 'has space', at: 'yesterday', lat: 42.8 },
    { device: ids.tag, at: now - 10000, lat: 42.8, lon: 74.6, colour: 'red' },
  ] });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.headers.get('content-type'), 'application/problem+json');
  const fields = r.body.errors.map((e) => e.field).sort();
  for (const f of ['fixes[0].events[0]', 'fixes[1].lat', 'fixes[1].battery_pct', 'fixes[2].device', 'fixes[2].at', 'fixes[2].lon', 'fixes[3].colour'])
    assert.ok(fields.includes(f), `${f} in ${fields}`);
  assert.ok(!fields.some((f) => f.startsWith('fixes[0].lat')));
  // A time more than a day ahead fails the fix check, named by its index.
  r = await gateway({ fixes: [{ device: ids.tag, at: now - 5000, lat: 42.8, lon: 74.6 }, { device: ids.tag, at: now + 3 * 86400000, lat: 42.8, lon: 74.6 }] });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['fixes[1]']);
  r = await gateway({ fixes: [] });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'fixes');
  r = await gateway({ fixes: Array.from({ length: 5001 }, (_, i) => ({ device: 'x', at: now - i })) });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'fixes');
  assert.equal(count('em_fix_inbox'), before);
  // Only holders of em.ingest: an officer's session is refused.
  r = await officer.post('/api/v1/em/fixes', { fixes: [{ device: ids.tag, at: now - 1000, lat: 42.8, lon: 74.6 }] });
  assert.equal(r.status, 403, r.text);
});

test('OsmAnd: query string, form body and the Traccar Client JSON body; unknown devices 403; bad messages 400', async () => {
  const before = count('em_fix_inbox');
  let r = await osmand('GET', `id=phone-ingest-1&lat=42.8501&lon=74.6101&timestamp=${Math.floor((now - 100000) / 1000)}&speed=2&bearing=45&batt=66&accuracy=12`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.text, '');
  r = await osmand('POST', `id=phone-ingest-1&lat=42.8502&lon=74.6102&timestamp=${Math.floor((now - 90000) / 1000)}`);
  assert.equal(r.status, 200, r.text);
  r = await osmand('POST', '', `id=phone-ingest-1&lat=42.8503&lon=74.6103&timestamp=${Math.floor((now - 80000) / 1000)}&hdop=1.2`,
    'application/x-www-form-urlencoded');
  assert.equal(r.status, 200, r.text);
  r = await osmand('POST', '', JSON.stringify({
    location: { timestamp: iso(now - 70000), coords: { latitude: 42.8504, longitude: 74.6104, accuracy: 5, speed: 1.5, heading: 90, altitude: 760 },
      is_moving: true, odometer: 0, event: 'motionchange', battery: { level: 0.64, is_charging: false }, activity: { type: 'walking' } },
    device_id: 'phone-ingest-1',
  }), 'application/json');
  assert.equal(r.status, 200, r.text);
  assert.equal(count('em_fix_inbox'), before + 4);
  // The same message again: a duplicate, answered 200 (the phone forgets it), not stored twice.
  r = await osmand('GET', `id=phone-ingest-1&lat=42.8501&lon=74.6101&timestamp=${Math.floor((now - 100000) / 1000)}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(count('em_fix_inbox'), before + 4);
  // A message without a time is taken as of its arrival.
  r = await osmand('GET', 'id=phone-ingest-1&lat=42.8505&lon=74.6105');
  assert.equal(r.status, 200, r.text);
  assert.equal(count('em_fix_inbox'), before + 5);
  const at = Number(sql(srv.db, "SELECT at FROM em_fix_inbox WHERE lat = 42.8505"));
  const received = Number(sql(srv.db, "SELECT received_at FROM em_fix_inbox WHERE lat = 42.8505"));
  assert.ok(at <= received && received - at < 60000, `taken as of its arrival: at ${at}, received ${received}`);
  r = await osmand('GET', `id=stranger-phone&lat=42.85&lon=74.61&timestamp=${Math.floor(now / 1000)}`);
  assert.equal(r.status, 403, r.text);
  assert.match(r.text, /unknown device/);
  r = await osmand('GET', `id=phone-ingest-1&lat=142.85&lon=74.61&timestamp=${Math.floor(now / 1000)}`);
  assert.equal(r.status, 400, r.text);
  assert.match(r.type, /^text\/plain/);
  assert.match(r.text, /lat/);
  r = await osmand('POST', '', '{"device_id":', 'application/json');
  assert.equal(r.status, 400, r.text);
  assert.equal(count('em_fix_inbox'), before + 5);
});

test('unknown identifiers are listed for em.devices, counted per protocol, and the read is logged', async () => {
  let r = await operator.get('/api/v1/em/unknown-devices');
  assert.equal(r.status, 200, r.text);
  const gw = r.body.items.find((i) => i.identifier === 'unknown-77');
  assert.equal(gw.protocol, 'gateway');
  assert.equal(gw.messages, 1);
  assert.equal(gw.last_address, '127.0.0.1');
  assert.match(gw.first_seen_at, /^\d{4}-\d\d-\d\dT/);
  const phone = r.body.items.find((i) => i.identifier === 'stranger-phone');
  assert.equal(phone.protocol, 'osmand');
  assert.equal(count('audit_log', "action = 'consult' AND record_type = 'em_unknown_device'"), 1);
  r = await officer.get('/api/v1/em/unknown-devices');
  assert.equal(r.status, 403, r.text);
  r = await operator.get('/api/v1/em/unknown-devices?limit=0');
  assert.equal(r.status, 422, r.text);
  // Once registered, an identifier is no longer listed as unknown (its count stays for the record).
  r = await operator.post('/api/v1/em/devices', { kind: 'phone', identifier: 'stranger-phone', protocol: 'osmand' });
  assert.equal(r.status, 201, r.text);
  r = await operator.get('/api/v1/em/unknown-devices');
  assert.equal(r.status, 200, r.text);
  assert.ok(!r.body.items.some((i) => i.identifier === 'stranger-phone'), JSON.stringify(r.body.items));
  assert.ok(r.body.items.some((i) => i.identifier === 'unknown-77'));
  assert.equal(count('em_unknown_device', "identifier = 'stranger-phone'"), 1);
});

test('position: "at home" only where a curfew is ordered', async () => {
  const zoneCase = await caseWithDecision(['electronic_monitoring', 'exclusion'], 'Зоналов');
  let r = await operator.post('/api/v1/em/devices', { kind: 'phone', identifier: 'phone-zones-1', protocol: 'osmand' });
  assert.equal(r.status, 201, r.text);
  const order = await orderWithDevice(zoneCase, { curfew: false, inclusion: false, exclusion: true, trail: false }, r.body.id, now - 3600000);
  r = await osmand('GET', `id=phone-zones-1&lat=42.84672&lon=74.60352&timestamp=${Math.floor((now - 20000) / 1000)}`);
  assert.equal(r.status, 200, r.text);
  r = await officer.get(`/api/v1/em/orders/${order}/position`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.at_home, null, 'the fix is at the address written on the order, but no curfew is ordered');
  assert.equal(r.body.lat, 42.84672);
});

test('trail and position: only the fitted period, in order, late fixes marked; curfew-only orders show no trail', async () => {
  const trailCase = await caseWithDecision(['electronic_monitoring', 'curfew', 'exclusion'], 'Трейлов');
  // Fitted 165 s ago: the fix of 180 s ago is before the fitting and not part of this order's trail.
  ids.order = await orderWithDevice(trailCase, { curfew: true, inclusion: false, exclusion: true, trail: true }, ids.tagId, now - 165000);
  let r = await officer.get(`/api/v1/em/orders/${ids.order}/trail`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.fixes.map((f) => Date.parse(f.at)), [now - 150000, now - 120000, now - 60000]);
  assert.deepEqual(r.body.fixes.map((f) => f.late), [true, false, false]);
  assert.equal(r.body.truncated, false);
  assert.equal(r.body.order_id, ids.order);
  assert.deepEqual(r.body.fixes[2].events, ['strap_tamper']);
  assert.equal(r.body.fixes[2].battery_pct, 79);
  assert.equal(r.body.fixes[1].accuracy_m, 9);
  assert.equal(r.body.fixes[1].lat, 42.848);
  // A window: from and to, at most 7 days apart.
  r = await officer.get(`/api/v1/em/orders/${ids.order}/trail?from=${iso(now - 130000)}&to=${iso(now - 100000)}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.fixes.length, 1);
  assert.ok(Math.abs(Date.parse(r.body.from) - (now - 130000)) < 1000, r.body.from);
  r = await officer.get(`/api/v1/em/orders/${ids.order}/trail?from=${iso(now - 8 * 86400000)}&to=${iso(now)}`);
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'to');
  r = await officer.get(`/api/v1/em/orders/${ids.order}/trail?from=yesterday`);
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'from');
  // Each read is logged as a consultation of the trail, naming the window.
  const logged = sql(srv.db, `SELECT detail FROM audit_log WHERE action = 'consult' AND record_type = 'em_trail' AND record_id = '${ids.order}' ORDER BY seq`);
  assert.equal(logged.split('\n').length, 2);
  assert.match(logged, /"from":"[^"]+","to":"[^"]+","fixes":3/);
  // The monitoring centre reads it too.
  r = await operator.get(`/api/v1/em/orders/${ids.order}/trail`);
  assert.equal(r.status, 200, r.text);
  // Position: the newest fix, the zones, whether at home.
  r = await officer.get(`/api/v1/em/orders/${ids.order}/position`);
  assert.equal(r.status, 200, r.text);
  assert.equal(Date.parse(r.body.at), now - 60000);
  assert.equal(r.body.lat, 42.849);
  assert.equal(r.body.battery_pct, 79);
  assert.equal(r.body.at_home, false);
  assert.deepEqual(r.body.inside, []);
  assert.equal(r.body.stale, false);
  assert.ok(r.body.received_at);

  // A curfew-only order: no trail (409), and its position says only whether the person is at home.
  const curfewCase = await caseWithDecision(['electronic_monitoring', 'curfew'], 'Комендантов');
  ids.curfewOrder = await orderWithDevice(curfewCase, { curfew: true, inclusion: false, exclusion: false, trail: false }, ids.curfewPhoneId, now - 3600000);
  r = await officer.get(`/api/v1/em/orders/${ids.curfewOrder}/position`);
  assert.equal(r.status, 404, r.text);
  assert.match(r.body.type, /no-fix/);
  r = await osmand('GET', `id=phone-curfew-1&lat=42.84672&lon=74.60352&timestamp=${Math.floor((now - 30000) / 1000)}`);
  assert.equal(r.status, 200, r.text);
  r = await officer.get(`/api/v1/em/orders/${ids.curfewOrder}/trail`);
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /trail-not-ordered/);
  r = await officer.get(`/api/v1/em/orders/${ids.curfewOrder}/position`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.body).sort(), ['at', 'at_home', 'order_id']);
  assert.equal(r.body.at_home, true);
  // Unknown orders: 404.
  r = await officer.get('/api/v1/em/orders/00000000-0000-0000-0000-000000000000/trail');
  assert.equal(r.status, 404, r.text);
});

test('the compaction job moves the inbox into chunks and the trail reads the same', async () => {
  const before = (await officer.get(`/api/v1/em/orders/${ids.order}/trail`)).body.fixes;
  sql(srv.db, "UPDATE job SET next_run_at = 0 WHERE name = 'em.compact'");
  const r = await admin.post('/api/v1/system/jobs/run');
  assert.equal(r.status, 200, r.text);
  const run = r.body.ran.find((x) => x.job === 'em.compact');
  assert.equal(run?.status, 'ok', r.text);
  assert.equal(count('em_fix_inbox'), 0);
  assert.ok(count('em_fix_chunk') >= 3);
  const after = (await officer.get(`/api/v1/em/orders/${ids.order}/trail`)).body.fixes;
  assert.deepEqual(after, before);
});

test('durability: a batch answered 200 survives kill -9 of the server', async () => {
  const fixes = Array.from({ length: 50 }, (_, i) => ({ device: ids.tag, at: now - 30000 + i * 100, lat: 42.85 + i * 1e-5, lon: 74.61 }));
  const r = await gateway({ fixes });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.stored, 50);
  srv.proc.kill('SIGKILL');
  const gone = await srv.exited;
  assert.equal(gone.signal, 'SIGKILL');
  srv2 = await startServer({ db: srv.db });
  officer.url = srv2.url;
  const trail = await officer.get(`/api/v1/em/orders/${ids.order}/trail`);
  assert.equal(trail.status, 200, trail.text);
  assert.equal(trail.body.fixes.length, 3 + 50);
  assert.equal(Date.parse(trail.body.fixes.at(-1).at), now - 30000 + 4900);
  // The restarted writer knows the device's newest fix: the same batch again is all duplicates or late, none new.
  const again = await gateway({ fixes: fixes.slice(0, 1) });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.body.stored, again.body.late);
});
