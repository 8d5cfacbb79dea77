// `kadam simulate` (issue 7) against a test server: 5 devices, one each way in and one more (OsmAnd over HTTP, the
// batch API, GT06 and Teltonika over TCP), registered by the simulator, 30 seconds of device time one fix a second.
//
// No waiting on the wall clock: the simulator runs in simulated time by default (its rounds' fixes are timed the
// last 30 s before now, and a round starts once the server has answered the last one, TCP fixes once acknowledged),
// so the run takes as long as the server needs to store 150 fixes. The server's clock is not moved: device times
// near now are what a real device sends.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, runKadam, freePort } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, token, gt06, teltonika;
const q = (s) => sql(srv.db, s);

before(async () => {
  gt06 = await freePort();
  teltonika = await freePort();
  srv = await startServer({ env: { KADAM_EM_GT06_LISTEN: `127.0.0.1:${gt06}`, KADAM_EM_TELTONIKA_LISTEN: `127.0.0.1:${teltonika}` } });
  const admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'sim.admin')))).client;
  const agency = (await admin.post('/api/v1/agencies', { name: 'Simulated Monitoring Centre', kind: 'monitoring_centre' })).body.id;
  const unit = (await admin.post('/api/v1/units', { agency_id: agency, name: 'Control room' })).body.id;
  // A monitoring-centre account that is also an administrator: em.devices to register, em.ingest for the batch API.
  let r = await admin.post('/api/v1/users', { login: 'sim.centre', display_name: 'Test centre', agency_id: agency, unit_id: unit,
    roles: ['monitoring_operator', 'administrator'] });
  assert.equal(r.status, 201, r.text);
  const centre = (await firstLogin(srv.url, 'sim.centre', r.body.one_time_password)).client;
  r = await centre.post('/api/v1/tokens', { name: 'simulator', permissions: ['em.ingest', 'em.devices', 'em.operate', 'em.read'],
    expires_in_days: 1 });
  assert.equal(r.status, 201, r.text);
  token = r.body.secret;
});

after(async () => {
  if (srv) await srv.stop();
});

function simulate(...extra) {
  return runKadam(['simulate', '--url', srv.url, '--token', token, '--gt06', `127.0.0.1:${gt06}`,
    '--teltonika', `127.0.0.1:${teltonika}`, ...extra], { timeout: 120000 });
}

const stored = () => Number(q('SELECT (SELECT COUNT(*) FROM em_fix_inbox) + (SELECT COALESCE(SUM(n), 0) FROM em_fix_chunk)'));

test('5 devices over the four ways in, registered by the simulator, every fix acknowledged and stored', () => {
  const r = simulate('--devices', '5', '--duration-s', '30', '--interval-s', '1', '--register', '--operator-token', token,
    '--towns', 'bishkek,osh', '--violation-rate', '0.1', '--seed', '7');
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /registered 5 devices \(0 were already in the inventory\)/);
  assert.match(r.stdout, /round 30 of 30; fixes sent 150, acknowledged 150, errors 0/);
  assert.match(r.stdout, /open alerts in the queue/, 'the operator token reads the queue');
  const devices = q("SELECT protocol || ' ' || kind || ' ' || identifier FROM em_device ORDER BY num").split('\n');
  assert.deepEqual(devices.map((d) => d.split(' ').slice(0, 2).join(' ')),
    ['osmand phone', 'gateway ankle_tag', 'gt06 ankle_tag', 'teltonika home_unit', 'osmand phone']);
  assert.match(devices[2], /^gt06 ankle_tag 86\d{13}$/, 'IMEIs for the TCP devices');
  assert.equal(stored(), 150, 'every acknowledged fix is in the fix store');
  assert.equal(Number(q('SELECT COUNT(*) FROM em_device WHERE last_fix_at IS NOT NULL')), 5);
  // Osh's devices are in Osh (lat 40.5), Bishkek's in Bishkek (42.87), or on an excursion near their town.
  const lats = q('SELECT MIN(lat) || \' \' || MAX(lat) FROM em_fix_inbox').split(' ').map(Number);
  assert.ok(lats[0] > 40.3 && lats[1] < 43.1, `fixes near the towns: ${lats}`);
});

test('a second run needs no registration; its fixes are newer and all stored', () => {
  const before = stored();
  // Times after the first run's (which end now): GT06 sends whole seconds, and a device's fix in a second it already
  // sent is a duplicate, acknowledged but not stored again.
  const r = simulate('--devices', '5', '--duration-s', '5', '--interval-s', '1', '--seed', '8',
    '--start-ms', String(Date.now() + 2000));
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /fixes sent 25, acknowledged 25, errors 0/);
  assert.equal(stored(), before + 25);
});

test('devices the inventory does not hold are refused: errors counted, exit status 1', () => {
  const before = stored();
  const r = simulate('--devices', '4', '--duration-s', '2', '--interval-s', '1', '--prefix', 'x77');
  assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /acknowledged 0, errors [1-9]/);
  assert.equal(stored(), before, 'nothing stored for unknown devices');
  assert.ok(Number(q("SELECT COUNT(*) FROM em_unknown_device WHERE identifier LIKE 'x77-%'")) >= 1, 'the refusals are counted');
});

test('--zones-geojson prints the towns as inclusion circles; bad usage exits 2', () => {
  let r = runKadam(['simulate', '--zones-geojson', '--towns', 'bishkek,osh,jalal-abad,karakol']);
  assert.equal(r.status, 0, r.stderr);
  const fc = JSON.parse(r.stdout);
  assert.equal(fc.type, 'FeatureCollection');
  assert.deepEqual(fc.features.map((f) => f.properties.name), ['bishkek', 'osh', 'jalal-abad', 'karakol']);
  assert.ok(fc.features.every((f) => f.geometry.type === 'Point' && f.properties.kind === 'inclusion' && f.properties.radius_m > 0));
  r = runKadam(['simulate', '--zones-geojson', '--towns', 'atlantis']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown town 'atlantis'/);
  r = runKadam(['simulate', '--url', srv.url, '--token', token, '--violation-rate', '2']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--violation-rate/);
  r = runKadam(['simulate', '--token', token]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--url/);
});
