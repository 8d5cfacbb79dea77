// Electronic monitoring: an order's zones and approved absences (S23). A zone is a GeoJSON polygon (valid per GEOS,
// across the antimeridian too) or a circle, of a kind the order includes; zones come one at a time or as a
// FeatureCollection (all or nothing, errors named features[i]...), go out as application/geo+json (a circle as a
// Point with radius_m) and that export imports again. An absence lasts at most 14 days within the order's dates and
// is cancelled with a reason. Every change bumps the order's rules_version, is on the case timeline and in the
// processing log; another unit's officer learns nothing (404).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin, officer, officerB;
const ids = {};

function today(timeZone = 'Asia/Bishkek') {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));
const rulesVersion = (order) => Number(sql(srv.db, `SELECT rules_version FROM em_order WHERE id = '${order}'`));
const fields = (r) => r.body.errors.map((e) => e.field);
const message = (r, field) => r.body.errors.find((e) => e.field === field)?.message;
const hours = (h) => new Date(Date.now() + h * 3600000).toISOString();

const square = (lon, lat, d = 0.01) => ({
  type: 'Polygon', coordinates: [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]],
});
const district = { kind: 'inclusion', name: 'Home district', shape: 'polygon', geometry: square(74.57, 42.85, 0.05), buffer_m: 100 };

async function user(login, role, unit) {
  const r = await admin.post('/api/v1/users', { login, display_name: `Test ${login}`, agency_id: ids.agency, unit_id: unit, roles: [role] });
  assert.equal(r.status, 201, r.text);
  return (await firstLogin(srv.url, login, r.body.one_time_password)).client;
}

async function caseWithOrder(surname, duties, modes, extra = {}) {
  let r = await officer.post('/api/v1/people', { surname, given_name: 'Тест', birth_date: '1990-01-01', languages: ['ky'] });
  assert.equal(r.status, 201, r.text);
  r = await officer.post('/api/v1/cases', { person_id: r.body.id, kind: 'executive', opened_on: addDays(today(), -40), open_reason: 'Court order received' });
  assert.equal(r.status, 201, r.text);
  const caseId = r.body.id;
  r = await officer.post(`/api/v1/cases/${caseId}/decisions`, {
    authority: 'Oktyabrsky district court', number: '1-77/26', decided_on: addDays(today(), -40),
    measure: 'probation_supervision', articles: ['CC-130'], start_on: addDays(today(), -30), term: '2y', duties,
  });
  assert.equal(r.status, 201, r.text);
  const decision = r.body.id;
  r = await officer.post(`/api/v1/cases/${caseId}/em-orders`, {
    decision_id: decision, modes, starts_on: addDays(today(), -2), ends_on: addDays(today(), 30),
    household_effect: 'Lives with a partner; the curfew keeps the evenings at home.', ...extra,
  });
  assert.equal(r.status, 201, r.text);
  return { caseId, order: r.body.id };
}

async function timelineKinds(caseId) {
  const r = await officer.get(`/api/v1/cases/${caseId}/timeline`);
  assert.equal(r.status, 200, r.text);
  return r.body.items.map((e) => e.kind);
}

before(async () => {
  srv = await startServer();
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'emz.admin')))).client;
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Zones Probation', kind: 'probation' })).body.id;
  ids.a = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office A' })).body.id;
  ids.b = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office B' })).body.id;
  officer = await user('emz.officer', 'probation_officer', ids.a);
  officerB = await user('emz.officer.b', 'probation_officer', ids.b);
  // Curfew, inclusion and trail (no exclusion duty); and exclusion only.
  Object.assign(ids, Object.fromEntries(Object.entries(await caseWithOrder('Асанов',
    ['report', 'electronic_monitoring', 'curfew', 'residence'], { curfew: true, inclusion: true, exclusion: false, trail: true },
    { home_address: 'Bishkek, Kievskaya 120', home_lat: 42.879, home_lon: 74.604,
      curfew: [{ days: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], start: '22:00', end: '06:00' }] })).map(([k, v]) => [k === 'caseId' ? 'case' : k, v])));
  const second = await caseWithOrder('Бекова', ['report', 'electronic_monitoring', 'exclusion'],
    { curfew: false, inclusion: false, exclusion: true, trail: false });
  ids.case2 = second.caseId;
  ids.order2 = second.order;
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

test('a zone body is checked whole: each bad field named, nothing stored', async () => {
  const before = count('em_zone');
  let r = await officer.post(`/api/v1/em/orders/${ids.order}/zones`, {});
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r).sort(), ['kind', 'name', 'shape']);
  r = await officer.post(`/api/v1/em/orders/${ids.order}/zones`, {
    kind: 'everywhere', name: ' ', shape: 'circle', center: { lat: 91, lon: 74.6 }, radius_m: 5, buffer_m: 6000,
    schedule: [{ days: ['MO', 'MO'], start: '25:00', end: '06:00' }], colour: 'red',
  });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r).sort(), ['buffer_m', 'center.lat', 'colour', 'kind', 'name', 'radius_m', 'schedule[0].days',
    'schedule[0].start'].sort());
  r = await officer.post(`/api/v1/em/orders/${ids.order}/zones`, { ...district, name: 'x'.repeat(101) });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['name']);
  // A polygon needs its geometry; a circle's members are not a polygon's.
  r = await officer.post(`/api/v1/em/orders/${ids.order}/zones`, { kind: 'inclusion', name: 'A', shape: 'polygon', radius_m: 100 });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r).sort(), ['geometry', 'radius_m']);
  // An open ring, a position out of range, a point too many.
  const open = { type: 'Polygon', coordinates: [[[74.5, 42.8], [74.6, 42.8], [74.6, 42.9], [74.5, 42.85]]] };
  r = await officer.post(`/api/v1/em/orders/${ids.order}/zones`, { ...district, geometry: open });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['geometry.coordinates[0]']);
  assert.match(message(r, 'geometry.coordinates[0]'), /closed/);
  const far = square(74.5, 42.8);
  far.coordinates[0][2] = [200, 42.81];
  r = await officer.post(`/api/v1/em/orders/${ids.order}/zones`, { ...district, geometry: far });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['geometry.coordinates[0][2]']);
  const ring = Array.from({ length: 2001 }, (_, i) => [74.5 + 0.01 * Math.cos((2 * Math.PI * i) / 2000), 42.8 + 0.01 * Math.sin((2 * Math.PI * i) / 2000)]);
  ring[2000] = ring[0];
  r = await officer.post(`/api/v1/em/orders/${ids.order}/zones`, { ...district, geometry: { type: 'Polygon', coordinates: [ring] } });
  assert.equal(r.status, 422, r.text);
  assert.match(message(r, 'geometry.coordinates'), /at most 2000 points/);
  r = await officer.post(`/api/v1/em/orders/${ids.order}/zones`, { ...district, geometry: { type: 'LineString', coordinates: [[0, 0], [1, 1]] } });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['geometry.type']);
  assert.equal(count('em_zone'), before);
});

test('a self-intersecting polygon is refused with GEOS\'s reason', async () => {
  const bow = { type: 'Polygon', coordinates: [[[74.5, 42.8], [74.6, 42.9], [74.6, 42.8], [74.5, 42.9], [74.5, 42.8]]] };
  const r = await officer.post(`/api/v1/em/orders/${ids.order}/zones`, { ...district, geometry: bow });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['geometry']);
  assert.match(message(r, 'geometry'), /not a valid polygon: Self-intersection/);
});

test('a zone of a kind the order does not include is refused (S23)', async () => {
  const before = count('em_zone');
  let r = await officer.post(`/api/v1/em/orders/${ids.order}/zones`, { kind: 'exclusion', name: 'Restricted area 1', shape: 'circle', center: { lat: 42.85, lon: 74.6 }, radius_m: 300 });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['kind']);
  assert.equal(message(r, 'kind'), 'the order does not include exclusion zones');
  r = await officer.post(`/api/v1/em/orders/${ids.order2}/zones`, district);
  assert.equal(r.status, 422, r.text);
  assert.equal(message(r, 'kind'), 'the order does not include inclusion zones');
  assert.equal(count('em_zone'), before);
});

test('polygons and circles: stored, on the timeline, logged, and the order\'s rules_version goes up', async () => {
  const v0 = rulesVersion(ids.order);
  let r = await officer.post(`/api/v1/em/orders/${ids.order}/zones`, district);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('etag'), '"1"');
  assert.equal(r.body.shape, 'polygon');
  assert.equal(r.body.kind, 'inclusion');
  assert.equal(r.body.buffer_m, 100);
  assert.deepEqual(r.body.geometry, district.geometry);
  assert.equal(r.body.center, null);
  assert.equal(r.body.status, 'active');
  ids.zone = r.body.id;
  assert.equal(rulesVersion(ids.order), v0 + 1);
  r = await officer.post(`/api/v1/em/orders/${ids.order2}/zones`, {
    kind: 'exclusion', name: 'Restricted area 1', shape: 'circle', center: { lat: 42.853, lon: 74.596 }, radius_m: 350.5,
    schedule: [{ days: ['SA', 'SU'], start: '20:00', end: '08:00' }],
  });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.body.center, { lat: 42.853, lon: 74.596 });
  assert.equal(r.body.radius_m, 350.5);
  assert.equal(r.body.buffer_m, 0);
  assert.equal(r.body.geometry, null);
  assert.deepEqual(r.body.schedule, [{ days: ['SA', 'SU'], start: '20:00', end: '08:00' }]);
  ids.circle = r.body.id;
  assert.ok((await timelineKinds(ids.case)).includes('em.zone_added'));
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'em_zone' AND record_id = '${ids.zone}'`), 1);
  const summary = sql(srv.db, `SELECT summary FROM case_event WHERE record_id = '${ids.zone}'`);
  assert.doesNotMatch(summary, /Home district/, 'the timeline names no zone (it may name a place)');
});

test('a polygon across the antimeridian, and one split at it as a MultiPolygon, are accepted', async () => {
  // Near Fiji and Chukotka (only the geometry matters here).
  const across = { type: 'Polygon', coordinates: [[[179.5, -17], [-179.5, -17], [-179.5, -16], [179.5, -16], [179.5, -17]]] };
  let r = await officer.post(`/api/v1/em/orders/${ids.order}/zones`, { ...district, name: 'Across the antimeridian', geometry: across });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.body.geometry, across);
  const split = { type: 'MultiPolygon', coordinates: [
    [[[179, 65], [180, 65], [180, 66], [179, 66], [179, 65]]], [[[-180, 65], [-179, 65], [-179, 66], [-180, 66], [-180, 65]]]] };
  r = await officer.post(`/api/v1/em/orders/${ids.order}/zones`, { ...district, name: 'Split at the antimeridian', geometry: split });
  assert.equal(r.status, 201, r.text);
  // Across the prime meridian too.
  r = await officer.post(`/api/v1/em/orders/${ids.order}/zones`, { ...district, name: 'Greenwich', geometry: square(-0.01, 51.47, 0.02) });
  assert.equal(r.status, 201, r.text);
  for (const id of [r.body.id]) {
    const x = await officer.post(`/api/v1/em/zones/${id}/retirement`, { reason: 'Drawn for a test' });
    assert.equal(x.status, 200, x.text);
  }
});

test('changing a zone needs If-Match; a retired zone stays as it was', async () => {
  let r = await officer.put(`/api/v1/em/zones/${ids.zone}`, { ...district, name: 'Home district (wider)' });
  assert.equal(r.status, 428, r.text);
  r = await officer.put(`/api/v1/em/zones/${ids.zone}`, { ...district, name: 'Home district (wider)' }, { 'if-match': '"7"' });
  assert.equal(r.status, 412, r.text);
  r = await officer.put(`/api/v1/em/zones/${ids.zone}`, { ...district, kind: 'exclusion' }, { 'if-match': '"1"' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['kind']);
  const v = rulesVersion(ids.order);
  r = await officer.put(`/api/v1/em/zones/${ids.zone}`, { ...district, name: 'Home district (wider)', shape: 'circle', geometry: undefined, center: { lat: 42.88, lon: 74.6 }, radius_m: 2000 }, { 'if-match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.version, 2);
  assert.equal(r.body.shape, 'circle');
  assert.equal(r.body.geometry, null);
  assert.equal(r.headers.get('etag'), '"2"');
  assert.equal(rulesVersion(ids.order), v + 1);
  r = await officer.put(`/api/v1/em/zones/${ids.zone}`, district, { 'if-match': '"2"' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.geometry, district.geometry);
  r = await officer.post(`/api/v1/em/zones/${ids.zone}/retirement`, {});
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['reason']);
  r = await officer.post(`/api/v1/em/zones/${ids.zone}/retirement`, { reason: 'The court narrowed the area' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'retired');
  // The reason is kept on the zone (retire_reason) and shown; the timeline's detail has codes only, no free text.
  assert.equal(r.body.retire_reason, 'The court narrowed the area');
  assert.equal(sql(srv.db, `SELECT retire_reason FROM em_zone WHERE id = '${ids.zone}'`).trim(), 'The court narrowed the area');
  assert.equal(count('case_event', `kind = 'em.zone_retired' AND detail LIKE '%narrowed%'`), 0);
  let o = await officer.get(`/api/v1/em/orders/${ids.order}`);
  assert.equal(o.body.zones.find((z) => z.id === ids.zone).retire_reason, 'The court narrowed the area');
  assert.equal(rulesVersion(ids.order), v + 3);
  r = await officer.post(`/api/v1/em/zones/${ids.zone}/retirement`, { reason: 'Again' });
  assert.equal(r.status, 409, r.text);
  r = await officer.put(`/api/v1/em/zones/${ids.zone}`, district, { 'if-match': '"4"' });
  assert.equal(r.status, 409, r.text);
  assert.ok((await timelineKinds(ids.case)).includes('em.zone_retired'));
  r = await officer.put(`/api/v1/em/zones/${crypto.randomUUID()}`, district, { 'if-match': '"1"' });
  assert.equal(r.status, 404, r.text);
});

test('import is all or nothing with each bad feature named; the export imports again', async () => {
  const before = count('em_zone', `order_id = '${ids.order}'`);
  const fc = (features) => ({ type: 'FeatureCollection', features });
  const feature = (geometry, properties) => ({ type: 'Feature', geometry, properties });
  const good = feature(square(74.58, 42.86), { kind: 'inclusion', name: 'Work area', buffer_m: 50 });
  const circle = feature({ type: 'Point', coordinates: [74.6, 42.87] }, { kind: 'inclusion', name: 'Clinic', radius_m: 150 });
  const bow = feature({ type: 'Polygon', coordinates: [[[74.5, 42.8], [74.6, 42.9], [74.6, 42.8], [74.5, 42.9], [74.5, 42.8]]] }, { kind: 'inclusion', name: 'Bow' });
  let r = await officer.post(`/api/v1/em/orders/${ids.order}/zones/import`, fc([good, circle, bow,
    feature({ type: 'Point', coordinates: [74.6, 42.87] }, { kind: 'inclusion', name: 'No radius' }),
    feature({ type: 'LineString', coordinates: [[0, 0], [1, 1]] }, { kind: 'inclusion', name: 'Line' }),
    feature(square(74.5, 42.8), { name: 'No kind' })]));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['features[2].geometry', 'features[3].properties.radius_m', 'features[4].geometry', 'features[5].properties.kind']);
  r = await officer.post(`/api/v1/em/orders/${ids.order}/zones/import`, fc([good, feature(square(74.5, 42.8), { kind: 'exclusion', name: 'Not ordered' })]));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['features[1].properties.kind']);
  r = await officer.post(`/api/v1/em/orders/${ids.order}/zones/import`, fc([]));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['features']);
  r = await officer.post(`/api/v1/em/orders/${ids.order}/zones/import`, { type: 'FeatureCollection', features: Array(201).fill(good) });
  assert.equal(r.status, 422, r.text);
  assert.equal(count('em_zone', `order_id = '${ids.order}'`), before);

  const v = rulesVersion(ids.order);
  r = await officer.post(`/api/v1/em/orders/${ids.order}/zones/import`, fc([good, circle]));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.items.length, 2);
  assert.deepEqual(r.body.items.map((z) => z.shape), ['polygon', 'circle']);
  assert.equal(r.body.items[1].radius_m, 150);
  assert.equal(rulesVersion(ids.order), v + 1);
  assert.ok((await timelineKinds(ids.case)).includes('em.zones_imported'));

  // Export: the active zones, a circle as a Point with properties.radius_m.
  r = await officer.get(`/api/v1/em/orders/${ids.order}/zones.geojson`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^application\/geo\+json/);
  const exported = JSON.parse(r.text);
  assert.equal(exported.type, 'FeatureCollection');
  const active = count('em_zone', `order_id = '${ids.order}' AND status = 'active'`);
  assert.equal(exported.features.length, active);
  const point = exported.features.find((f) => f.properties.name === 'Clinic');
  assert.deepEqual(point.geometry, { type: 'Point', coordinates: [74.6, 42.87] });
  assert.equal(point.properties.radius_m, 150);
  assert.equal(point.properties.kind, 'inclusion');
  assert.ok(point.properties.id);
  assert.equal(exported.features.find((f) => f.properties.name === 'Work area').properties.buffer_m, 50);
  assert.equal(count('audit_log', `action = 'consult' AND record_type = 'em_order' AND record_id = '${ids.order}' AND detail LIKE '%GeoJSON%'`), 1);
  // Round trip.
  r = await officer.post(`/api/v1/em/orders/${ids.order}/zones/import`, exported);
  assert.equal(r.status, 201, r.text);
  assert.equal(count('em_zone', `order_id = '${ids.order}' AND status = 'active'`), 2 * active);
  const again = JSON.parse((await officer.get(`/api/v1/em/orders/${ids.order}/zones.geojson`)).text);
  const shapes = (c) => c.features.map((f) => JSON.stringify([f.geometry, f.properties.kind, f.properties.name, f.properties.radius_m ?? null])).sort();
  assert.deepEqual(shapes(again), [...shapes(exported), ...shapes(exported)].sort());
});

test('absences: at most 14 days within the order\'s dates, cancelled with a reason, on the timeline', async () => {
  const before = count('em_absence');
  let r = await officer.post(`/api/v1/em/orders/${ids.order}/absences`, {});
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r).sort(), ['ends_at', 'reason', 'starts_at']);
  r = await officer.post(`/api/v1/em/orders/${ids.order}/absences`, { starts_at: hours(5), ends_at: hours(4), reason: 'Hospital' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['ends_at']);
  r = await officer.post(`/api/v1/em/orders/${ids.order}/absences`, { starts_at: hours(1), ends_at: hours(1 + 24 * 15), reason: 'Hospital' });
  assert.equal(r.status, 422, r.text);
  assert.match(message(r, 'ends_at'), /14 days/);
  r = await officer.post(`/api/v1/em/orders/${ids.order}/absences`, { starts_at: 'tomorrow', ends_at: hours(4), reason: 'ab', covers_zones: 'yes', extra: 1 });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r).sort(), ['covers_zones', 'extra', 'reason', 'starts_at']);
  // Outside the order's dates (it ends in 30 days; started 2 days ago).
  r = await officer.post(`/api/v1/em/orders/${ids.order}/absences`, { starts_at: hours(24 * 29), ends_at: hours(24 * 33), reason: 'Family wedding in Osh' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['ends_at']);
  r = await officer.post(`/api/v1/em/orders/${ids.order}/absences`, { starts_at: hours(-24 * 4), ends_at: hours(-24 * 3), reason: 'Family wedding in Osh' });
  assert.equal(r.status, 422, r.text);
  assert.ok(fields(r).includes('starts_at'));
  // No curfew on order 2 and no inclusion zones either: nothing to cover.
  r = await officer.post(`/api/v1/em/orders/${ids.order2}/absences`, { starts_at: hours(1), ends_at: hours(5), reason: 'Hospital visit' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['covers_zones']);
  assert.equal(count('em_absence'), before);

  const v = rulesVersion(ids.order);
  // One instant for both ends: two calls of Date.now() may be a millisecond apart, and the server keeps milliseconds.
  const at = Date.now();
  const starts = new Date(at + 2 * 3600000).toISOString(), ends = new Date(at + 8 * 3600000).toISOString();
  r = await officer.post(`/api/v1/em/orders/${ids.order}/absences`, { starts_at: starts, ends_at: ends, reason: 'Hospital appointment (cardiology)', covers_zones: true });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.covers_zones, true);
  assert.equal(r.body.reason, 'Hospital appointment (cardiology)');
  assert.equal(r.body.approved_by_name, 'Test emz.officer');
  assert.equal(r.body.cancelled_at, null);
  assert.equal(Date.parse(r.body.starts_at), Date.parse(starts));
  assert.equal(Date.parse(r.body.ends_at) - Date.parse(r.body.starts_at), 6 * 3600000);
  const absence = r.body.id;
  assert.equal(rulesVersion(ids.order), v + 1);
  assert.ok((await timelineKinds(ids.case)).includes('em.absence_approved'));
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'em_absence' AND record_id = '${absence}'`), 1);

  r = await officer.post(`/api/v1/em/absences/${absence}/cancellation`, { reason: '' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['reason']);
  r = await officer.post(`/api/v1/em/absences/${absence}/cancellation`, { reason: 'The appointment was moved' });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.body.cancelled_at);
  // The reason is kept on the absence (cancel_reason) and shown, not written into the timeline.
  assert.equal(r.body.cancel_reason, 'The appointment was moved');
  assert.equal(count('case_event', `kind = 'em.absence_cancelled' AND detail LIKE '%moved%'`), 0);
  const o = await officer.get(`/api/v1/em/orders/${ids.order}`);
  assert.equal(o.body.absences.find((a) => a.id === absence).cancel_reason, 'The appointment was moved');
  assert.equal(rulesVersion(ids.order), v + 2);
  assert.ok((await timelineKinds(ids.case)).includes('em.absence_cancelled'));
  r = await officer.post(`/api/v1/em/absences/${absence}/cancellation`, { reason: 'Again' });
  assert.equal(r.status, 409, r.text);
  r = await officer.post(`/api/v1/em/absences/${crypto.randomUUID()}/cancellation`, { reason: 'Unknown' });
  assert.equal(r.status, 404, r.text);
});

test('another unit\'s officer reaches neither the zones nor the absences (404), and nothing changes', async () => {
  const zones = count('em_zone');
  const v = rulesVersion(ids.order);
  let r = await officerB.post(`/api/v1/em/orders/${ids.order}/zones`, district);
  assert.equal(r.status, 404, r.text);
  r = await officerB.get(`/api/v1/em/orders/${ids.order}/zones.geojson`);
  assert.equal(r.status, 404, r.text);
  r = await officerB.post(`/api/v1/em/orders/${ids.order}/zones/import`, { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: square(74.5, 42.8), properties: { kind: 'inclusion', name: 'X' } }] });
  assert.equal(r.status, 404, r.text);
  r = await officerB.post(`/api/v1/em/zones/${ids.circle}/retirement`, { reason: 'Not mine' });
  assert.equal(r.status, 404, r.text);
  r = await officerB.put(`/api/v1/em/zones/${ids.circle}`, { kind: 'exclusion', name: 'X', shape: 'circle', center: { lat: 1, lon: 1 }, radius_m: 100 }, { 'if-match': '"1"' });
  assert.equal(r.status, 404, r.text);
  r = await officerB.post(`/api/v1/em/orders/${ids.order}/absences`, { starts_at: hours(2), ends_at: hours(8), reason: 'Hospital appointment' });
  assert.equal(r.status, 404, r.text);
  assert.equal(count('em_zone'), zones);
  assert.equal(rulesVersion(ids.order), v);
  r = await officer.post(`/api/v1/em/orders/${crypto.randomUUID()}/zones`, district);
  assert.equal(r.status, 404, r.text);
});
