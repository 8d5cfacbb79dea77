// Identity and access (issue 3): no default account, login with password and
// TOTP, lockout, sessions and their timeouts, CSRF, API tokens, administration,
// the data rule for units with purpose of access, and the processing log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, runKadam } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { Client, createAdmin, firstLogin, login, totp, NEW_PASSWORD } from '../lib/auth.mjs';

let srv, admin, adminSecret, agencyId, unitA, unitB, unitA1;
const officers = {};

before(async () => {
  // Many logins from one address in a minute here; the per-address limit has its own test.
  srv = await startServer({ env: { KADAM_LOGIN_ATTEMPTS_PER_MINUTE: '10000' } });
  const { login: name, password } = createAdmin(srv.db, 'admin1');
  const first = await firstLogin(srv.url, name, password);
  admin = first.client;
  adminSecret = first.secret;
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

async function makeUser(login, role, unitId, extra = {}) {
  const r = await admin.post('/api/v1/users', {
    login, display_name: `Test ${login}`, agency_id: agencyId, unit_id: unitId, roles: [role], ...extra,
  });
  assert.equal(r.status, 201, r.text);
  return { id: r.body.user.id, password: r.body.one_time_password };
}

function auditRows(where) {
  return sql(srv.db, `SELECT action || '|' || outcome || '|' || COALESCE(record_type,'') || '|' || COALESCE(record_id,'') || '|' || COALESCE(purpose,'') || '|' || COALESCE(justification,'') || '|' || COALESCE(actor_login,'') FROM audit_log WHERE ${where} ORDER BY seq`).split('\n').filter(Boolean);
}

test('there is no default account (S22)', async () => {
  const c = new Client(srv.url);
  for (const [login, password] of [['admin', 'admin'], ['root', 'password123456'], ['kadam', 'kadam']]) {
    const r = await c.post('/api/v1/auth/login', { login, password });
    assert.equal(r.status, 401);
    assert.equal(r.body.type, 'urn:kadam:problem:invalid-credentials');
  }
  assert.equal(sql(srv.db, 'SELECT COUNT(*) FROM account'), '1');
});

test('the session cookie is HttpOnly, SameSite=Strict, and the session knows its user', async () => {
  const c = new Client(srv.url);
  const res = await fetch(`${srv.url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: 'admin1', password: NEW_PASSWORD }),
  });
  const cookie = res.headers.get('set-cookie');
  assert.match(cookie, /^kadam_session=kds_[A-Za-z0-9_-]{43};/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.match(cookie, /Path=\//);
  assert.doesNotMatch(cookie, /Secure/, 'no Secure flag over plain HTTP');
  const token = cookie.match(/kadam_session=([^;]+)/)[1];
  assert.equal(sql(srv.db, `SELECT COUNT(*) FROM session WHERE token_hash LIKE '%${token.slice(4, 14)}%'`), '0',
    'the token itself is not stored');
  const s = await admin.get('/api/v1/auth/session');
  assert.equal(s.status, 200);
  assert.equal(s.body.stage, 'full');
  assert.equal(s.body.user.login, 'admin1');
  assert.ok(s.body.user.permissions.includes('users.manage'));
  assert.ok(s.body.user.roles.includes('administrator'));
  assert.equal(c.cookie, null);
});

test('a half-finished login reaches nothing but the login routes', async () => {
  const c = new Client(srv.url);
  const r = await c.post('/api/v1/auth/login', { login: 'admin1', password: NEW_PASSWORD });
  assert.equal(r.body.stage, 'totp');
  assert.equal((await c.get('/api/v1/users')).status, 401);
  assert.equal((await c.get('/api/v1/auth/session')).body.stage, 'totp');
  const bad = await c.post('/api/v1/auth/totp', { code: '000000' });
  assert.equal(bad.status, 401);
  assert.equal(bad.body.type, 'urn:kadam:problem:invalid-code');
  const fmt = await c.post('/api/v1/auth/totp', { code: '12ab56' });
  assert.equal(fmt.status, 401);
  assert.equal((await c.post('/api/v1/auth/totp', {})).status, 422);
  // reset the failure count the two wrong codes left behind
  sql(srv.db, "UPDATE account SET failed_logins = 0 WHERE login = 'admin1'");
});

test('state-changing requests need the CSRF token', async () => {
  const c = new Client(srv.url);
  c.cookie = admin.cookie;
  const r = await c.post('/api/v1/agencies', { name: 'No CSRF', kind: 'court' });
  assert.equal(r.status, 403);
  assert.equal(r.body.type, 'urn:kadam:problem:csrf-failed');
  c.csrf = 'x'.repeat(43);
  assert.equal((await c.post('/api/v1/agencies', { name: 'Wrong CSRF', kind: 'court' })).status, 403);
  assert.equal(sql(srv.db, "SELECT COUNT(*) FROM agency WHERE name LIKE '%CSRF'"), '0');
  assert.ok(auditRows("action = 'access.denied'").some((r) => r.includes('CSRF') || r.includes('/api/v1/agencies')));
});

test('administrators build agencies and units; bad input changes nothing', async () => {
  let r = await admin.post('/api/v1/agencies', { name: 'Test Probation', kind: 'probation' });
  assert.equal(r.status, 201, r.text);
  agencyId = r.body.id;
  assert.equal(r.headers.get('etag'), '"1"');
  r = await admin.post('/api/v1/agencies', { name: 'Test Probation', kind: 'probation' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'name');
  r = await admin.post('/api/v1/agencies', { name: '', kind: 'spaceship' });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['kind', 'name']);
  r = await admin.post('/api/v1/units', { agency_id: agencyId, name: 'Region A' });
  unitA = r.body.id;
  r = await admin.post('/api/v1/units', { agency_id: agencyId, name: 'District A1', parent_id: unitA });
  assert.equal(r.status, 201);
  unitA1 = r.body.id;
  r = await admin.post('/api/v1/units', { agency_id: agencyId, name: 'Region B' });
  unitB = r.body.id;
  // a cycle is refused
  r = await admin.put(`/api/v1/units/${unitA}`, { name: 'Region A', parent_id: unitA1 }, { 'if-match': '"1"' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'parent_id');
  // If-Match: missing 428, stale 412, right 200
  r = await admin.put(`/api/v1/agencies/${agencyId}`, { name: 'Test Probation Service', kind: 'probation' });
  assert.equal(r.status, 428);
  r = await admin.put(`/api/v1/agencies/${agencyId}`, { name: 'Test Probation Service', kind: 'probation' }, { 'if-match': '"7"' });
  assert.equal(r.status, 412);
  r = await admin.put(`/api/v1/agencies/${agencyId}`, { name: 'Test Probation Service', kind: 'probation' }, { 'if-match': '"1"' });
  assert.equal(r.status, 200);
  assert.equal(r.body.version, 2);
  assert.equal((await admin.get(`/api/v1/units?agency_id=${agencyId}`)).body.items.length, 3);
  assert.equal((await admin.get('/api/v1/agencies/00000000-0000-7000-8000-000000000000')).status, 404);
});

test('accounts: one-time password, password rules, first login with TOTP', async () => {
  officers.a = await makeUser('officer.a', 'probation_officer', unitA);
  officers.a1 = await makeUser('officer.a1', 'probation_officer', unitA1);
  officers.b = await makeUser('officer.b', 'probation_officer', unitB);
  officers.head = await makeUser('head.b', 'unit_head', unitB);
  officers.auditor = await makeUser('auditor.one', 'auditor', null);
  let r = await admin.post('/api/v1/users', { login: 'officer.a', display_name: 'x', agency_id: agencyId, roles: [] });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'login');
  r = await admin.post('/api/v1/users', { login: 'Bad Login', display_name: 'x', agency_id: agencyId, roles: ['nope'] });
  assert.equal(r.status, 422);
  const c = new Client(srv.url);
  r = await c.post('/api/v1/auth/login', { login: 'officer.a', password: officers.a.password });
  assert.equal(r.body.stage, 'password_change');
  for (const [pw, message] of [['short', /at least 12/], ['password1234', /common/], ['officer.a', /at least 12|login/],
    ['Test officer.a', /login|name/]]) {
    r = await c.post('/api/v1/auth/password', { current_password: officers.a.password, new_password: pw });
    assert.equal(r.status, 422, pw);
    assert.equal(r.body.errors[0].field, 'new_password');
    assert.match(r.body.errors[0].message, message, pw);
  }
  // the one-time password still works: nothing was changed
  r = await c.post('/api/v1/auth/password', { current_password: officers.a.password, new_password: NEW_PASSWORD });
  assert.equal(r.status, 200);
  assert.equal(r.body.stage, 'totp_enrol');
  assert.equal((await c.get('/api/v1/me/sessions')).status, 401, 'not logged in before TOTP');
  r = await c.post('/api/v1/auth/totp/enrol');
  assert.match(r.body.otpauth_uri, /^otpauth:\/\/totp\/Kadam:officer\.a\?secret=[A-Z2-7]+&issuer=Kadam/);
  r = await c.post('/api/v1/auth/totp/confirm', { code: '123456' === totp(r.body.secret) ? '654321' : '123456' });
  assert.equal(r.status, 422);
  const enrol = await c.post('/api/v1/auth/totp/enrol');
  officers.a.secret = enrol.body.secret;
  r = await c.post('/api/v1/auth/totp/confirm', { code: totp(officers.a.secret) });
  assert.equal(r.status, 200);
  assert.equal(r.body.recovery_codes.length, 10);
  officers.a.recovery = r.body.recovery_codes;
  officers.a.client = c;
  const list = await admin.get('/api/v1/users?q=officer');
  assert.deepEqual(list.body.items.map((u) => [u.login, u.roles]).sort(),
    [['officer.a', ['probation_officer']], ['officer.a1', ['probation_officer']], ['officer.b', ['probation_officer']]]);
  assert.equal(list.body.items.find((u) => u.login === 'officer.a').totp_enrolled, true);
  assert.equal((await admin.get('/api/v1/users?status=gone')).status, 422);
  for (const k of ['a1', 'b', 'head', 'auditor']) {
    const login = { a1: 'officer.a1', b: 'officer.b', head: 'head.b', auditor: 'auditor.one' }[k];
    const f = await firstLogin(srv.url, login, officers[k].password);
    officers[k].client = f.client;
    officers[k].secret = f.secret;
  }
});

test('a recovery code logs in once', async () => {
  const c = new Client(srv.url);
  await c.post('/api/v1/auth/login', { login: 'officer.a', password: NEW_PASSWORD });
  let r = await c.post('/api/v1/auth/totp', { recovery_code: officers.a.recovery[0].toLowerCase() });
  assert.equal(r.status, 200, r.text);
  const c2 = new Client(srv.url);
  await c2.post('/api/v1/auth/login', { login: 'officer.a', password: NEW_PASSWORD });
  r = await c2.post('/api/v1/auth/totp', { recovery_code: officers.a.recovery[0] });
  assert.equal(r.status, 401);
  sql(srv.db, "UPDATE account SET failed_logins = 0 WHERE login = 'officer.a'");
});

test('an officer sees their own unit and below; another unit is refused and logged', async () => {
  const a = officers.a.client;
  let r = await a.get(`/api/v1/units/${unitA}/members`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((m) => m.login), ['officer.a']);
  r = await a.get(`/api/v1/units/${unitA1}/members`);
  assert.equal(r.status, 200, 'a unit below one\'s own');
  r = await officers.a1.client.get(`/api/v1/units/${unitA}/members`);
  assert.equal(r.status, 403, 'not the unit above');
  r = await a.get(`/api/v1/units/${unitB}/members`);
  assert.equal(r.status, 403);
  assert.equal(r.body.type, 'urn:kadam:problem:forbidden');
  const denied = auditRows(`action = 'access.denied' AND record_id = '${unitB}'`);
  assert.ok(denied.some((row) => row.endsWith('|officer.a')), denied.join('\n'));
  r = await a.get('/api/v1/users');
  assert.equal(r.status, 403, 'officers do not administer accounts');
  const consult = auditRows(`action = 'consult' AND record_id = '${unitA}'`);
  assert.ok(consult.some((row) => row.includes('|supervision|')), 'own scope is logged as supervision');
});

test('reaching another unit needs a permission, then a purpose and justification', async () => {
  const head = officers.head.client;
  let r = await head.get(`/api/v1/units/${unitA}/members`);
  assert.equal(r.status, 428);
  assert.equal(r.body.type, 'urn:kadam:problem:purpose-required');
  r = await head.get(`/api/v1/units/${unitA}/members`, { 'x-kadam-purpose': 'gossip', 'x-kadam-justification': 'short' });
  assert.equal(r.status, 422);
  r = await head.get(`/api/v1/units/${unitA}/members`, {
    'x-kadam-purpose': 'investigation', 'x-kadam-justification': 'Case transfer from Region A, ticket 42',
  });
  assert.equal(r.status, 200);
  const rows = auditRows(`action = 'consult' AND record_id = '${unitA}' AND actor_login = 'head.b'`);
  assert.ok(rows.some((row) => row.includes('|investigation|Case transfer from Region A, ticket 42|')), rows.join('\n'));
});

test('a unit head shares a unit for a time; revoking ends it', async () => {
  const head = officers.head.client; // head of Region B
  let r = await officers.a.client.get(`/api/v1/units/${unitB}/members`);
  assert.equal(r.status, 403);
  r = await head.post('/api/v1/access-grants', {
    account_id: officers.a.id, unit_id: unitA, purpose: 'supervision', justification: 'not my unit', expires_in_hours: 2,
  });
  assert.equal(r.status, 403, 'only units within one\'s own can be shared');
  r = await head.post('/api/v1/access-grants', {
    account_id: officers.head.id, unit_id: unitB, purpose: 'supervision', justification: 'sharing with myself', expires_in_hours: 2,
  });
  assert.equal(r.status, 422, 'not with oneself');
  r = await head.post('/api/v1/access-grants', {
    account_id: officers.a.id, unit_id: unitB, purpose: 'supervision', justification: 'covering for officer.b this week', expires_in_hours: 2,
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.kind, 'share');
  const grant = r.body.id;
  r = await officers.a.client.get(`/api/v1/units/${unitB}/members`);
  assert.equal(r.status, 200, 'the grant opens the unit');
  // an expired grant opens nothing
  sql(srv.db, `UPDATE access_grant SET expires_at = created_at WHERE id = '${grant}'`);
  assert.equal((await officers.a.client.get(`/api/v1/units/${unitB}/members`)).status, 403);
  sql(srv.db, `UPDATE access_grant SET expires_at = created_at + 3600000 WHERE id = '${grant}'`);
  assert.equal((await head.delete(`/api/v1/access-grants/${grant}`)).status, 204);
  assert.equal((await officers.a.client.get(`/api/v1/units/${unitB}/members`)).status, 403, 'revoked');
  assert.ok(auditRows(`action = 'grant.create' AND record_id = '${grant}'`).length === 1);
  assert.ok(auditRows(`action = 'grant.revoke' AND record_id = '${grant}'`).length === 1);
});

test('break-glass needs a reason, is time-limited, and tells the unit head (S17)', async () => {
  const a = officers.a.client;
  let r = await a.post('/api/v1/break-glass', { unit_id: unitB, justification: 'urgent', minutes: 600 });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['justification', 'minutes']);
  r = await a.post('/api/v1/break-glass', { unit_id: unitA, justification: 'my own unit, which needs no glass', minutes: 30 });
  assert.equal(r.status, 409);
  r = await a.post('/api/v1/break-glass', { unit_id: unitB, justification: 'Person at risk tonight, officer.b unreachable', minutes: 30 });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.kind, 'break_glass');
  assert.equal(r.body.notified, 1);
  assert.equal(Date.parse(r.body.expires_at) - Date.parse(r.body.created_at), 30 * 60 * 1000);
  assert.equal((await a.get(`/api/v1/units/${unitB}/members`)).status, 200);
  const emergency = auditRows(`action = 'consult' AND record_id = '${unitB}' AND actor_login = 'officer.a' AND purpose = 'emergency'`);
  assert.equal(emergency.length, 1, 'a read under break-glass is logged as an emergency, naming the grant');
  assert.match(emergency[0], new RegExp(`break_glass grant ${r.body.id}`));
  const n = await officers.head.client.get('/api/v1/me/notifications');
  assert.equal(n.body.unread, 1);
  assert.match(n.body.items[0].subject, /officer\.a/);
  assert.equal((await officers.head.client.post(`/api/v1/me/notifications/${n.body.items[0].id}/read`)).status, 204);
  assert.equal((await officers.head.client.post(`/api/v1/me/notifications/${n.body.items[0].id}/read`)).status, 204, 'again: still read');
  assert.equal((await officers.head.client.get('/api/v1/me/notifications')).body.unread, 0);
  const rows = auditRows(`action = 'access.break_glass' AND record_id = '${unitB}'`);
  assert.equal(rows.length, 1);
  assert.match(rows[0], /Person at risk tonight/);
  sql(srv.db, `UPDATE access_grant SET revoked_at = created_at WHERE kind = 'break_glass'`);
  // Not into another agency's units.
  const other = (await admin.post('/api/v1/agencies', { name: 'Test Police', kind: 'police' })).body.id;
  const station = (await admin.post('/api/v1/units', { agency_id: other, name: 'Station 1' })).body.id;
  r = await a.post('/api/v1/break-glass', { unit_id: station, justification: 'Person at risk tonight, officer.b unreachable', minutes: 30 });
  assert.equal(r.status, 403);
  assert.ok(auditRows(`action = 'access.denied' AND record_id = '${station}'`).length === 1);
});

test('a request the UI makes by itself does not hold the session open (S20)', async () => {
  const c = officers.head.client;
  const id = (await c.get('/api/v1/auth/session')).body.session.id;
  const back = Date.now() - 20 * 60 * 1000;
  sql(srv.db, `UPDATE session SET last_seen_at = ${back} WHERE id = '${id}'`);
  assert.equal((await c.get('/api/v1/me/notifications', { 'x-kadam-background': '1' })).status, 200);
  assert.equal(sql(srv.db, `SELECT last_seen_at FROM session WHERE id = '${id}'`), String(back));
  assert.equal((await c.get('/api/v1/me/notifications')).status, 200);
  assert.ok(Number(sql(srv.db, `SELECT last_seen_at FROM session WHERE id = '${id}'`)) > back, 'a person\'s request does');
});

test('lockout after five failures, for every password', async () => {
  const c = new Client(srv.url);
  for (let i = 0; i < 5; i++) {
    const r = await c.post('/api/v1/auth/login', { login: 'officer.b', password: `wrong password ${i}` });
    assert.equal(r.status, 401);
  }
  let r = await c.post('/api/v1/auth/login', { login: 'officer.b', password: NEW_PASSWORD });
  assert.equal(r.status, 423);
  assert.equal(r.body.type, 'urn:kadam:problem:account-locked');
  const until = Date.parse(r.body.locked_until);
  assert.ok(until - Date.now() >= 10 * 60 * 1000, 'locked for at least 10 minutes (S20)');
  assert.ok(auditRows("action = 'auth.lockout'").length >= 1);
  assert.ok(auditRows("action = 'auth.login' AND outcome = 'failure' AND actor_login = 'officer.b'").length >= 5);
  assert.ok(auditRows("action = 'auth.login' AND outcome = 'success' AND actor_login = 'officer.b'").length >= 1,
    'successful logins name their account');
  // an administrator's password reset lifts the lock
  r = await admin.post(`/api/v1/users/${officers.b.id}/reset-password`);
  assert.equal(r.status, 200);
  r = await c.post('/api/v1/auth/login', { login: 'officer.b', password: r.body.one_time_password });
  assert.equal(r.status, 200);
  assert.equal(r.body.stage, 'password_change');
});

test('disabling an account ends its sessions at once', async () => {
  const c = officers.a1.client;
  assert.equal((await c.get('/api/v1/auth/session')).status, 200);
  const r = await admin.post(`/api/v1/users/${officers.a1.id}/disable`);
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'disabled');
  assert.equal((await c.get('/api/v1/auth/session')).status, 401);
  const again = new Client(srv.url);
  const l = await again.post('/api/v1/auth/login', { login: 'officer.a1', password: NEW_PASSWORD });
  assert.equal(l.status, 401);
  assert.equal((await admin.post(`/api/v1/users/${officers.a1.id}/enable`)).body.status, 'active');
});

test('role changes take effect on the next request', async () => {
  const c = officers.auditor.client;
  assert.equal((await c.get('/api/v1/tokens')).status, 403);
  const u = await admin.get(`/api/v1/users/${officers.auditor.id}`);
  const etag = u.headers.get('etag');
  let r = await admin.put(`/api/v1/users/${officers.auditor.id}`, {
    display_name: 'Test auditor', agency_id: agencyId, unit_id: null, roles: ['auditor', 'administrator'], preferred_language: 'ru',
  }, { 'if-match': etag });
  assert.equal(r.status, 200, r.text);
  assert.equal((await c.get('/api/v1/tokens')).status, 200);
  r = await admin.put(`/api/v1/users/${officers.auditor.id}`, {
    display_name: 'Test auditor', agency_id: agencyId, unit_id: null, roles: ['auditor'], preferred_language: 'ru',
  }, { 'if-match': r.headers.get('etag') });
  assert.equal((await c.get('/api/v1/tokens')).status, 403);
});

test('sessions: list, end another, idle and absolute timeouts, logout', async () => {
  const second = await login(srv.url, 'officer.a', NEW_PASSWORD, officers.a.secret, 1);
  const list = await second.get('/api/v1/me/sessions');
  assert.equal(list.status, 200);
  assert.ok(list.body.items.length >= 2);
  const other = list.body.items.find((s) => !s.current);
  assert.equal((await second.delete(`/api/v1/me/sessions/${other.id}`)).status, 204);
  assert.equal((await second.delete('/api/v1/me/sessions/00000000-0000-7000-8000-000000000000')).status, 404);
  // idle: 30 minutes without a request
  const me = (await second.get('/api/v1/auth/session')).body.session.id;
  sql(srv.db, `UPDATE session SET last_seen_at = last_seen_at - ${31 * 60 * 1000} WHERE id = '${me}'`);
  assert.equal((await second.get('/api/v1/auth/session')).status, 401);
  // absolute: 12 hours after login, however active
  const adminSession = (await admin.get('/api/v1/auth/session')).body.session;
  assert.equal(Date.parse(adminSession.expires_at) - Date.parse(adminSession.created_at), 12 * 3600 * 1000);
  const fresh = await login(srv.url, 'admin1', NEW_PASSWORD, adminSecret, 1);
  const freshId = (await fresh.get('/api/v1/auth/session')).body.session.id;
  sql(srv.db, `UPDATE session SET expires_at = created_at - 1 WHERE id = '${freshId}'`);
  assert.equal((await fresh.get('/api/v1/auth/session')).status, 401);
  const logout = await officers.a.client.post('/api/v1/auth/logout');
  assert.equal(logout.status, 204);
  assert.equal((await officers.a.client.get('/api/v1/auth/session')).status, 401);
});

test('API tokens: scoped, shown once, revocable, never more than their creator holds', async () => {
  let r = await admin.post('/api/v1/tokens', { name: 'gateway', permissions: ['units.read'], expires_in_days: 30 });
  assert.equal(r.status, 201, r.text);
  const secret = r.body.secret;
  assert.match(secret, /^kdt_[A-Za-z0-9_-]{43}$/);
  assert.equal(JSON.stringify((await admin.get('/api/v1/tokens')).body).includes(secret), false, 'shown once');
  const bearer = { authorization: `Bearer ${secret}` };
  assert.equal((await fetch(`${srv.url}/api/v1/units`, { headers: bearer })).status, 200);
  assert.equal((await fetch(`${srv.url}/api/v1/users`, { headers: bearer })).status, 403, 'outside its scope');
  assert.equal((await fetch(`${srv.url}/api/v1/auth/session`, { headers: bearer })).status, 403);
  r = await admin.post('/api/v1/tokens', { name: 'greedy', permissions: ['units.members.read.any'], expires_in_days: 30 });
  assert.equal(r.status, 422, 'the administrator does not hold it');
  r = await admin.post('/api/v1/tokens', { name: 'x', permissions: ['nope'], expires_in_days: 999 });
  assert.equal(r.status, 422);
  const id = (await admin.get('/api/v1/tokens')).body.items.find((t) => t.name === 'gateway').id;
  assert.equal((await admin.delete(`/api/v1/tokens/${id}`)).status, 204);
  const after = await fetch(`${srv.url}/api/v1/units`, { headers: bearer });
  assert.equal(after.status, 401);
  assert.equal((await after.json()).type, 'urn:kadam:problem:invalid-token');
  assert.equal((await fetch(`${srv.url}/api/v1/units`, { headers: { authorization: 'Bearer nonsense' } })).status, 401);
});

test('the auditor searches the log; verify catches a row edited in the database', async () => {
  const aud = officers.auditor.client;
  let r = await aud.get('/api/v1/audit?action=access.denied&limit=5');
  assert.equal(r.status, 200);
  assert.ok(r.body.items.length >= 1);
  assert.ok(r.body.items.every((e) => e.action === 'access.denied'));
  r = await aud.get(`/api/v1/audit?actor_login=officer.a&record_id=${unitB}`);
  assert.ok(r.body.items.some((e) => e.outcome === 'denied'));
  r = await aud.get('/api/v1/audit?from=yesterday');
  assert.equal(r.status, 422);
  r = await aud.get('/api/v1/audit/verification');
  assert.equal(r.status, 200);
  assert.equal(r.body.ok, true, r.body.message);
  assert.ok(r.body.entries > 20);
  let v = runKadam(['audit', 'verify', '--db', srv.db]);
  assert.equal(v.status, 0, v.stdout + v.stderr);
  // Tamper: rewrite one entry by hand, as someone with database access might.
  const victim = sql(srv.db, "SELECT MIN(seq) FROM audit_log WHERE action = 'access.denied'");
  if (srv.db.startsWith('sqlite:')) {
    sql(srv.db, 'DROP TRIGGER IF EXISTS audit_log_no_update');
  } else {
    sql(srv.db, 'ALTER TABLE audit_log DISABLE TRIGGER USER');
  }
  sql(srv.db, `UPDATE audit_log SET outcome = 'success' WHERE seq = ${victim}`);
  v = runKadam(['audit', 'verify', '--db', srv.db]);
  assert.equal(v.status, 1);
  assert.match(v.stdout + v.stderr, new RegExp(`\\b${victim}\\b`));
  r = await aud.get('/api/v1/audit/verification');
  assert.equal(r.body.ok, false);
  assert.equal(String(r.body.first_bad_seq), victim);
});

test('login attempts are limited per address (S20)', async () => {
  const limited = await startServer({ env: { KADAM_LOGIN_ATTEMPTS_PER_MINUTE: '3' } });
  try {
    const c = new Client(limited.url);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await c.post('/api/v1/auth/login', { login: `nobody${i}`, password: 'x' })).status);
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
    const r = await c.post('/api/v1/auth/login', { login: 'nobody', password: 'x' });
    assert.equal(r.body.type, 'urn:kadam:problem:rate-limited');
    assert.equal(r.headers.get('retry-after'), '60');
  } finally {
    assert.equal((await limited.stop()).code, 0);
  }
});
