// Administration → Settings: the deployment's numeric settings with their defaults and bounds, changed
// with If-Match (a never-changed setting's version is 1), each change logged with the old and new value,
// refused out of bounds or for an unknown key; and the code that uses a setting reads the new value.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin, head;
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));

before(async () => {
  srv = await startServer();
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'set.admin')))).client;
  const agency = (await admin.post('/api/v1/agencies', { name: 'Settings Probation', kind: 'probation' })).body.id;
  const unit = (await admin.post('/api/v1/units', { agency_id: agency, name: 'Office' })).body.id;
  const r = await admin.post('/api/v1/users', { login: 'set.head', display_name: 'Test set.head', agency_id: agency,
    unit_id: unit, roles: ['unit_head'] });
  assert.equal(r.status, 201, r.text);
  head = (await firstLogin(srv.url, 'set.head', r.body.one_time_password)).client;
});
after(async () => { assert.equal((await srv.stop()).code, 0); });

test('the settings are listed with value, default, bounds and meaning; only administrators see them', async () => {
  const r = await admin.get('/api/v1/settings');
  assert.equal(r.status, 200, r.text);
  const keys = r.body.items.map((s) => s.key);
  for (const k of ['pretrial.due_days', 'complaints.answer_days', 'release_planning.months_before',
    'release_plan.first_appointment_days', 'referrals.share_max_days']) assert.ok(keys.includes(k), k);
  const months = r.body.items.find((s) => s.key === 'release_planning.months_before');
  assert.deepEqual({ ...months, about: undefined }, { key: 'release_planning.months_before', value: 6, default: 6, min: 1,
    max: 36, unit: 'months', about: undefined, version: 1, updated_at: null });
  assert.match(months.about, /release-planning lists/);
  assert.equal((await head.get('/api/v1/settings')).status, 403);
});

test('a change needs If-Match, stays within bounds, is logged, and the code reads it at once', async () => {
  const path = '/api/v1/settings/release_planning.months_before';
  let r = await admin.put(path, { value: 9 });
  assert.equal(r.status, 428, r.text);
  for (const [body, message] of [[{ value: 37 }, 'must be from 1 to 36'], [{ value: 0 }, 'must be from 1 to 36']]) {
    r = await admin.put(path, body, { 'if-match': '"1"' });
    assert.equal(r.status, 422, r.text);
    assert.deepEqual(r.body.errors, [{ field: 'value', message }]);
  }
  r = await admin.put(path, { value: '9' }, { 'if-match': '"1"' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'value');
  r = await admin.put(path, { value: 9, colour: 'red' }, { 'if-match': '"1"' });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['colour']);
  r = await admin.put('/api/v1/settings/no.such.setting', { value: 1 }, { 'if-match': '"1"' });
  assert.equal(r.status, 404, r.text);
  r = await admin.put('/api/v1/settings/timezone', { value: 1 }, { 'if-match': '"1"' });
  assert.equal(r.status, 404, 'only the registered numeric settings change here');
  assert.equal(sql(srv.db, "SELECT value FROM setting WHERE key = 'release_planning.months_before'"), '6', 'nothing changed');

  r = await admin.put(path, { value: 9 }, { 'if-match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.value, 9);
  assert.ok(r.body.version > 1);
  assert.equal(r.headers.get('etag'), `"${r.body.version}"`);
  assert.match(r.body.updated_at, /^\d{4}-/);
  const version = r.body.version;
  r = await admin.put(path, { value: 12 }, { 'if-match': '"1"' });
  assert.equal(r.status, 412, 'a stale version is refused');
  assert.equal(count('audit_log', "action = 'alter' AND record_type = 'setting' AND record_id = 'release_planning.months_before'"
    + " AND detail = 'release_planning.months_before: 6 -> 9'"), 1);

  // The release-planning list states the window it used.
  r = await head.get('/api/v1/release-planning?view=prison');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.months_before, 9);
  r = await admin.put(path, { value: 6 }, { 'if-match': `"${version}"` });
  assert.equal(r.status, 200, r.text);
});

test('two changes made at once from the same version: one is stored, the other refused (no lost update)', async () => {
  const path = '/api/v1/settings/pretrial.due_days';
  const version = (await admin.get('/api/v1/settings')).body.items.find((s) => s.key === 'pretrial.due_days').version;
  const answers = await Promise.all([20, 25, 28, 35].map((value) => admin.put(path, { value }, { 'if-match': `"${version}"` })));
  const statuses = answers.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 412, 412, 412], answers.map((r) => r.text).join('\n'));
  const stored = Number(sql(srv.db, "SELECT value FROM setting WHERE key = 'pretrial.due_days'"));
  assert.equal(stored, answers.find((r) => r.status === 200).body.value);
  assert.equal(count('audit_log', "action = 'alter' AND record_type = 'setting' AND record_id = 'pretrial.due_days'"), 1);
});
