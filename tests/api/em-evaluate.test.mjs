// Electronic monitoring evaluation end to end (S23-S25): fixes from a gateway batch are evaluated after they are
// stored; leaving an inclusion zone for the dwell, a curfew absence past its grace, a strap tamper and silence
// each raise one device alert, which reaches the monitoring centre's queue with its evidence. The operator
// acknowledges and verifies as a task for the officer (never as a breach: S25); an officer of another unit reaches
// neither the order nor its events. The server's clock is moved (KADAM_CLOCK_CONTROL) in a zone where it is
// mid-morning, so no run crosses local midnight.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { clockDriver, startServer, zoneAtMidMorning } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';
import { imei } from '../lib/devices.mjs';

let srv, admin, officer, officerB, operator, clock, tz;
const ids = {};
const MIN = 60000;
const iso = (ms) => new Date(ms).toISOString();
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

function localDate(ms) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}
function localHHMM(ms) {
  const s = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
  return s.slice(0, 5);
}
function addDays(date, n) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

async function user(login, role, agency, unit) {
  const r = await admin.post('/api/v1/users', { login, display_name: `Test ${login}`, agency_id: agency, unit_id: unit, roles: [role] });
  assert.equal(r.status, 201, r.text);
  return (await firstLogin(srv.url, login, r.body.one_time_password)).client;
}

async function caseWithDecision(who, duties, surname) {
  const today = localDate(clock.at);
  let r = await who.post('/api/v1/people', { surname, given_name: 'Тест', birth_date: '1990-05-05', languages: ['ky'] });
  assert.equal(r.status, 201, r.text);
  r = await who.post('/api/v1/cases', { person_id: r.body.id, kind: 'executive', opened_on: addDays(today, -20), open_reason: 'Court order received' });
  assert.equal(r.status, 201, r.text);
  const caseId = r.body.id;
  r = await who.post(`/api/v1/cases/${caseId}/decisions`, {
    authority: 'Pervomaisky district court', number: `1-${surname.length}/26`, decided_on: addDays(today, -20),
    measure: 'probation_supervision', articles: ['CC-130'], start_on: addDays(today, -10), term: '2y', duties,
  });
  assert.equal(r.status, 201, r.text);
  return { caseId, decisionId: r.body.id };
}

const HOME = { lat: 42.8467, lon: 74.6035 };
// The inclusion zone: a square of about 4 x 5.5 km around home.
const district = {
  kind: 'inclusion', name: 'Home district', shape: 'polygon',
  geometry: { type: 'Polygon', coordinates: [[[74.58, 42.82], [74.63, 42.82], [74.63, 42.87], [74.58, 42.87], [74.58, 42.82]]] },
};

async function order(who, c, modes, extra, deviceId) {
  const today = localDate(clock.at);
  let r = await who.post(`/api/v1/cases/${c.caseId}/em-orders`, {
    decision_id: c.decisionId, modes, starts_on: today, ends_on: addDays(today, 60),
    home_address: 'Бишкек, ул. Ахунбаева 12', home_lat: HOME.lat, home_lon: HOME.lon, home_radius_m: 60,
    household_effect: 'Lives alone; the neighbours are not affected.', ...extra,
  });
  assert.equal(r.status, 201, r.text);
  const orderId = r.body.id;
  r = await who.post(`/api/v1/em/orders/${orderId}/fittings`, { device_id: deviceId, fitted_at: iso(clock.at - MIN) });
  assert.equal(r.status, 201, r.text);
  return orderId;
}

async function gateway(fixes) {
  const r = await clock.call('POST', '/api/v1/em/fixes', { fixes });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.refused, []);
  return r.body;
}

// The evaluator runs on the ingest writer right after the batch's commit, after the gateway's answer: the queue is
// read until the alert is there, a bounded number of times (no wall-clock limit decides the outcome).
async function queueUntil(pred, status) {
  let r;
  for (let i = 0; i < 200; i++) {
    r = await operator.get(`/api/v1/em/queue${status ? `?status=${status}` : ''}`);
    assert.equal(r.status, 200, r.text);
    if (pred(r.body.items)) return r.body.items;
    await new Promise((ok) => setTimeout(ok, 10));
  }
  assert.fail(`the queue never showed the alert: ${JSON.stringify(r.body.items.map((x) => x.alert.rule_code))}\n${srv.logs().split("\n").filter((l) => !l.includes("\"msg\":\"request\"")).join("\n").slice(-3000)}`);
}
const itemOf = (items, rule, orderId) => items.find((x) => x.alert.rule_code === rule && x.order_id === orderId);

before(async () => {
  srv = await startServer({ env: { KADAM_CLOCK_CONTROL: '1' } });
  const zone = zoneAtMidMorning();
  sql(srv.db, `UPDATE setting SET value = ${q(zone)} WHERE key = 'timezone'`);
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'eval.admin')))).client;
  tz = (await admin.get('/api/v1/system')).body.timezone;
  assert.equal(tz, zone);
  let r = await admin.post('/api/v1/tokens', { name: 'evaluate test', expires_in_days: 30,
    permissions: ['system.jobs', 'system.clock', 'em.ingest'] });
  assert.equal(r.status, 201, r.text);
  clock = clockDriver(srv, r.body.secret);
  await clock.move(Date.now());
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Evaluate Probation', kind: 'probation' })).body.id;
  ids.unit = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office E' })).body.id;
  ids.unitB = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office F' })).body.id;
  ids.centreAgency = (await admin.post('/api/v1/agencies', { name: 'Evaluate Centre', kind: 'monitoring_centre' })).body.id;
  ids.centre = (await admin.post('/api/v1/units', { agency_id: ids.centreAgency, name: 'Room' })).body.id;
  officer = await user('eval.officer', 'probation_officer', ids.agency, ids.unit);
  officerB = await user('eval.officer.b', 'probation_officer', ids.agency, ids.unitB);
  operator = await user('eval.operator', 'monitoring_operator', ids.centreAgency, ids.centre);
  ids.tag = imei('86077700000001');
  r = await operator.post('/api/v1/em/devices', { kind: 'ankle_tag', identifier: ids.tag, protocol: 'gateway' });
  assert.equal(r.status, 201, r.text);
  ids.tagId = r.body.id;
  ids.phone = 'phone-eval-curfew';
  r = await operator.post('/api/v1/em/devices', { kind: 'phone', identifier: ids.phone, protocol: 'gateway' });
  assert.equal(r.status, 201, r.text);
  ids.phoneId = r.body.id;

  const zoneCase = await caseWithDecision(officer, ['electronic_monitoring', 'residence'], 'Зонов');
  ids.zoneCase = zoneCase.caseId;
  ids.zoneOrder = await order(officer, zoneCase, { curfew: false, inclusion: true, exclusion: false, trail: true }, {}, ids.tagId);
  r = await officer.post(`/api/v1/em/orders/${ids.zoneOrder}/zones`, district);
  assert.equal(r.status, 201, r.text);
  ids.zone = r.body.id;

  // A curfew from an hour ago to six hours ahead, local time, every day; a minute's grace.
  const curfewCase = await caseWithDecision(officer, ['electronic_monitoring', 'curfew'], 'Комендантов');
  ids.curfewOrder = await order(officer, curfewCase, { curfew: true, inclusion: false, exclusion: false, trail: false }, {
    curfew_grace_min: 1,
    curfew: [{ days: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], start: localHHMM(clock.at - 60 * MIN), end: localHHMM(clock.at + 6 * 60 * MIN) }],
  }, ids.phoneId);
});

after(async () => {
  await srv.stop();
});

test('leaving the inclusion zone for the dwell raises one alert; jitter at the edge and the way back raise none', async () => {
  const t0 = clock.at + MIN;
  await clock.move(t0);
  // Inside, then jitter across the east edge (74.63) within the fix's accuracy plus the margin: nothing.
  const edge = 74.63, m = 1 / (Math.cos(42.845 * Math.PI / 180) * 111320);
  const jitter = Array.from({ length: 12 }, (_, i) => ({ device: ids.tag, at: t0 - 30000 + i * 2000, lat: 42.845,
    lon: edge + (i % 2 ? 10 : -10) * m, accuracy_m: 15 }));
  let r = await gateway([{ device: ids.tag, at: t0 - 40000, lat: 42.845, lon: 74.60, accuracy_m: 8 }, ...jitter]);
  assert.equal(r.stored, 13);
  // Out by 500 m for 90 s (the dwell is 60 s): one alert, however many fixes.
  await clock.move(t0 + 2 * MIN);
  const out = [0, 30, 60, 90].map((s) => ({ device: ids.tag, at: t0 + MIN + s * 1000, lat: 42.845, lon: edge + 500 * m, accuracy_m: 10 }));
  await gateway(out.slice(0, 2));
  await gateway(out.slice(2));
  const items = await queueUntil((xs) => itemOf(xs, 'em.inclusion_exit', ids.zoneOrder));
  const item = itemOf(items, 'em.inclusion_exit', ids.zoneOrder);
  assert.equal(items.filter((x) => x.alert.rule_code === 'em.inclusion_exit').length, 1);
  assert.equal(item.case_id, ids.zoneCase);
  assert.equal(item.device_identifier, ids.tag);
  assert.equal(item.alert.severity, 'high');
  assert.equal(item.alert.status, 'open');
  assert.match(item.alert.summary, /^Left inclusion zone 'Home district' for \d+ min$/);
  assert.deepEqual(Object.keys(item.title).sort(), ['en', 'ky', 'ru']);
  const ev = item.alert.evidence;
  assert.equal(ev.order_id, ids.zoneOrder);
  assert.equal(ev.device_id, ids.tagId);
  assert.equal(ev.zone_id, ids.zone);
  assert.equal(ev.started_at, t0 + MIN);
  assert.ok(ev.distance_m > 400 && ev.distance_m < 600, String(ev.distance_m));
  assert.ok(ev.fixes.length >= 4 && ev.fixes.length <= 14, JSON.stringify(ev.fixes.map((f) => f.at - t0)));
  assert.equal(ev.fixes.at(-1).at, t0 + MIN + 60000, "the fix that completed the dwell");
  // The evidence's day is held past the EM retention (S12).
  assert.ok(Number(sql(srv.db, `SELECT COUNT(*) FROM em_fix_hold WHERE alert_id = ${q(item.alert.id)}`)) >= 1);
  // More fixes outside: the same episode, no second alert.
  await clock.move(t0 + 4 * MIN);
  await gateway([{ device: ids.tag, at: t0 + 3 * MIN, lat: 42.845, lon: edge + 800 * m, accuracy_m: 10 }]);
  r = await operator.get('/api/v1/em/queue');
  assert.equal(r.body.items.filter((x) => x.alert.rule_code === 'em.inclusion_exit').length, 1);
  assert.equal(Number(sql(srv.db, "SELECT COUNT(*) FROM alert WHERE rule_code = 'em.inclusion_exit'")), 1);
  ids.exitAlert = item.alert;
  // The queue's read is logged as the monitoring centre's consultation.
  const logged = sql(srv.db, "SELECT purpose || '|' || justification FROM audit_log WHERE action = 'consult'"
    + " AND record_type = 'alert' AND detail LIKE 'em queue:%' ORDER BY seq DESC LIMIT 1");
  assert.equal(logged.trim(), 'monitoring|Monitoring centre: EM alert queue');
});

test('a strap tamper raises one alert per episode and is listed among the order\'s events', async () => {
  const t = clock.at;
  await gateway([
    { device: ids.tag, at: t - 20000, lat: 42.845, lon: 74.60, accuracy_m: 8, events: ['strap_tamper'] },
    { device: ids.tag, at: t - 10000, lat: 42.845, lon: 74.60, accuracy_m: 8, events: ['strap_tamper', 'charging'] },
  ]);
  const items = await queueUntil((xs) => itemOf(xs, 'em.strap_tamper', ids.zoneOrder));
  assert.equal(items.filter((x) => x.alert.rule_code === 'em.strap_tamper').length, 1);
  const alertId = itemOf(items, 'em.strap_tamper', ids.zoneOrder).alert.id;
  let r = await officer.get(`/api/v1/em/orders/${ids.zoneOrder}/events`);
  assert.equal(r.status, 200, r.text);
  const tamper = r.body.items.filter((e) => e.event === 'strap_tamper');
  assert.equal(tamper.length, 2);
  assert.ok(tamper.every((e) => e.alert_id === alertId && e.lat === 42.845));
  assert.equal(r.body.items.filter((e) => e.event === 'charging' && e.alert_id === null).length, 1);
  // Logged as a read of the order's device data.
  assert.equal(sql(srv.db, `SELECT COUNT(*) FROM audit_log WHERE action = 'consult' AND record_type = 'em_device'`
    + ` AND record_id = ${q(ids.zoneOrder)}`).trim(), '1');
  // Bad windows are refused by name.
  r = await officer.get(`/api/v1/em/orders/${ids.zoneOrder}/events?from=yesterday`);
  assert.equal(r.status, 422, r.text);
  assert.ok(r.body.errors.some((e) => e.field === 'from'));
});

test('away from home during the curfew past its grace raises a curfew absence', async () => {
  const t = clock.at;
  await clock.move(t + 3 * MIN);
  // At home, then 1 km away for two minutes (grace one minute, dwell 60 s).
  await gateway([
    { device: ids.phone, at: t, lat: HOME.lat, lon: HOME.lon, accuracy_m: 12 },
    { device: ids.phone, at: t + 30000, lat: HOME.lat + 0.009, lon: HOME.lon, accuracy_m: 12 },
    { device: ids.phone, at: t + 60000, lat: HOME.lat + 0.009, lon: HOME.lon, accuracy_m: 12 },
  ]);
  let r = await operator.get('/api/v1/em/queue');
  assert.equal(itemOf(r.body.items, 'em.curfew_absence', ids.curfewOrder), undefined, 'within the grace');
  await gateway([{ device: ids.phone, at: t + 150000, lat: HOME.lat + 0.009, lon: HOME.lon, accuracy_m: 12 }]);
  const items = await queueUntil((xs) => itemOf(xs, 'em.curfew_absence', ids.curfewOrder));
  const item = itemOf(items, 'em.curfew_absence', ids.curfewOrder);
  assert.match(item.alert.summary, /^Away from home during curfew for \d+ min$/);
  assert.equal(item.alert.evidence.started_at, t + 30000);
  // A curfew-only order's events show no coordinates (S23).
  await gateway([{ device: ids.phone, at: t + 160000, lat: HOME.lat, lon: HOME.lon, events: ['sos'] }]);
  await queueUntil((xs) => itemOf(xs, 'em.sos', ids.curfewOrder));
  r = await officer.get(`/api/v1/em/orders/${ids.curfewOrder}/events`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.items[0].event, 'sos');
  assert.equal(r.body.items[0].lat, null);
});

test('an officer of another unit reaches neither the order nor its events nor its alerts', async () => {
  let r = await officerB.get(`/api/v1/em/orders/${ids.zoneOrder}/events`);
  assert.equal(r.status, 404, r.text);
  r = await officerB.get(`/api/v1/alerts/${ids.exitAlert.id}`);
  assert.equal(r.status, 403, r.text, 'an alert out of reach is refused as every alert is (alerts.c)');
  r = await officerB.get('/api/v1/em/queue');
  assert.equal(r.status, 403, r.text);
  r = await officer.get('/api/v1/em/queue');
  assert.equal(r.status, 403, r.text, 'the queue is the monitoring centre\'s');
});

test('the operator acknowledges and verifies as a task, never as a breach; the officer gets the task', async () => {
  const id = ids.exitAlert.id;
  let r = await operator.get(`/api/v1/alerts/${id}`);
  assert.equal(r.status, 200, r.text);
  r = await operator.post(`/api/v1/alerts/${id}/acknowledgement`, undefined, { 'if-match': `"${r.body.version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'acknowledged');
  let items = await queueUntil((xs) => itemOf(xs, 'em.inclusion_exit', ids.zoneOrder), 'acknowledged');
  assert.ok(itemOf(items, 'em.inclusion_exit', ids.zoneOrder).alert.acknowledged_at);
  // A breach allegation is the officer's to start (S25).
  const version = r.body.version;
  r = await operator.post(`/api/v1/alerts/${id}/verification`, { outcome: 'breach', reasons: 'Left the district',
    breach: { allegation: 'Left the inclusion zone', occurred_on: localDate(clock.at) } }, { 'if-match': `"${version}"` });
  assert.equal(r.status, 403, r.text);
  assert.equal(r.body.type, 'urn:kadam:problem:breach-not-permitted');
  r = await operator.post(`/api/v1/alerts/${id}/verification`, { outcome: 'task', reasons: 'Confirmed on the map: 500 m out for 2 min',
    task: { title: 'Call the person about leaving the district' } }, { 'if-match': `"${version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'verified');
  assert.equal(r.body.outcome, 'task');
  // The task is the supervising officer's; the operator's actions are logged with the centre's basis.
  r = await officer.get(`/api/v1/cases/${ids.zoneCase}/tasks`);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.body.items.some((t) => t.source_alert_id === id && t.status === 'open'));
  assert.equal(sql(srv.db, `SELECT COUNT(*) FROM audit_log WHERE record_type = 'alert' AND record_id = ${q(id)}`
    + " AND action = 'alter' AND purpose = 'monitoring'").trim(), '2');
  items = (await operator.get('/api/v1/em/queue')).body.items;
  assert.equal(itemOf(items, 'em.inclusion_exit', ids.zoneOrder), undefined, 'verified alerts leave the queue');
  // The operator dismisses a false alarm with a reason.
  const tamper = itemOf(items, 'em.strap_tamper', ids.zoneOrder).alert;
  r = await operator.post(`/api/v1/alerts/${tamper.id}/dismissal`, { reason: 'Strap checked on video call: intact' }, { 'if-match': `"${tamper.version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'dismissed');
  // The operator reaches no alert that is not a device's.
  r = await officer.post(`/api/v1/cases/${ids.zoneCase}/alerts`, { summary: 'Officer concern', severity: 'low' });
  assert.equal(r.status, 201, r.text);
  r = await operator.get(`/api/v1/alerts/${r.body.id}`);
  assert.equal(r.status, 403, r.text);
});

test('silence: no location and no contact each raise one alert per silence', async () => {
  sql(srv.db, "UPDATE setting SET value = '2' WHERE key = 'em.no_location_min'");
  sql(srv.db, "UPDATE setting SET value = '4' WHERE key = 'em.no_contact_min'");
  await clock.move(clock.at + 5 * MIN);
  await clock.runJobs('em.silence');
  await clock.move(clock.at + 2 * MIN);
  await clock.runJobs('em.silence');
  const r = await operator.get('/api/v1/em/queue');
  for (const rule of ['em.no_location', 'em.no_contact'])
    for (const orderId of [ids.zoneOrder, ids.curfewOrder])
      assert.equal(r.body.items.filter((x) => x.alert.rule_code === rule && x.order_id === orderId).length, 1, `${rule} ${orderId}`);
  // Sorted most severe first, then oldest.
  const ranks = r.body.items.map((x) => ({ high: 0, medium: 1, low: 2 })[x.alert.severity]);
  assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b));
});
