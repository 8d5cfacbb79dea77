// Reintegration needs (issue 9): a need (identity documents, housing, work, ...) is a task of its case with an
// owning agency (and optionally an active account of it), a due date not before the case was opened, and a
// status that moves open → in_progress → done | cancelled (closing needs an outcome note and sets closed_on;
// a closed need is final). Changes need If-Match and the case within one's own units (or a grant); each read
// and change is logged and each change is on the timeline. The lists: mine (needs I own or of cases I hold),
// the unit's, and overdue ones — which the clock makes overdue. Post-penitentiary cases are opened at the
// person's own request: consent_on is required for them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, clockDriver, zoneAtMidMorning } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { Client, createAdmin, firstLogin, totp, NEW_PASSWORD } from '../lib/auth.mjs';

let srv, admin, officer, officer2, officerB, head, tz;
const ids = {};
const secrets = {};
const DAY = 86400_000;

function localDate(ms) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));
const fields = (r) => r.body.errors.map((e) => e.field).sort();

async function user(login, role, unit, agency = ids.agency) {
  const r = await admin.post('/api/v1/users', { login, display_name: `Test ${login}`, agency_id: agency, unit_id: unit, roles: [role] });
  assert.equal(r.status, 201, r.text);
  ids[login] = r.body.user.id;
  const first = await firstLogin(srv.url, login, r.body.one_time_password);
  secrets[login] = first.secret;
  return first.client;
}

async function openCase(client, surname, officerId, extra = {}) {
  let r = await client.post('/api/v1/people', { surname, given_name: 'Тест', birth_date: '1988-03-03', languages: ['ky'] });
  assert.equal(r.status, 201, r.text);
  const person = r.body.id;
  r = await client.post('/api/v1/cases', { person_id: person, kind: 'executive', opened_on: addDays(ids.today, -20),
    open_reason: 'Court order received', ...(officerId ? { officer_id: officerId } : {}), ...extra });
  assert.equal(r.status, 201, r.text);
  return { id: r.body.id, person, number: r.body.number };
}

async function timeline(caseId) {
  const r = await officer.get(`/api/v1/cases/${caseId}/timeline`);
  assert.equal(r.status, 200, r.text);
  return r.body.items;
}

const need = (extra = {}) => ({ area: 'housing', description: 'Find a room to rent near the office',
  owner_agency_id: ids.agency, due_on: addDays(ids.today, 10), ...extra });

before(async () => {
  srv = await startServer({ env: { KADAM_CLOCK_CONTROL: '1' } });
  // The last test moves the clock ahead by days: a zone where it is mid-morning keeps each day whole.
  const zone = zoneAtMidMorning();
  sql(srv.db, `UPDATE setting SET value = ${q(zone)} WHERE key = 'timezone'`);
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'ri.admin')))).client;
  tz = (await admin.get('/api/v1/system')).body.timezone;
  assert.equal(tz, zone);
  ids.today = localDate(Date.now());
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Reintegration Probation', kind: 'probation' })).body.id;
  ids.prison = (await admin.post('/api/v1/agencies', { name: 'Reintegration Prison', kind: 'prison' })).body.id;
  ids.a = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office A' })).body.id;
  ids.b = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office B' })).body.id;
  ids.colony = (await admin.post('/api/v1/units', { agency_id: ids.prison, name: 'Colony 1' })).body.id;
  officer = await user('ri.officer', 'probation_officer', ids.a);
  officer2 = await user('ri.officer2', 'probation_officer', ids.a);
  officerB = await user('ri.officer.b', 'probation_officer', ids.b);
  head = await user('ri.head', 'unit_head', ids.a);
  await user('ri.prison', 'prison_case_worker', ids.colony, ids.prison);
  ids.case = await openCase(officer, 'Асанов', ids['ri.officer']);
  ids.case2 = await openCase(officer2, 'Бекова', ids['ri.officer2']);
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

test('a need is checked before anything is stored: each bad field named', async () => {
  const path = `/api/v1/cases/${ids.case.id}/reintegration-needs`;
  let r = await officer.post(path, {});
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['area', 'description', 'due_on', 'owner_agency_id']);
  r = await officer.post(path, need({ area: 'castle', description: '  ', owner_agency_id: 'nope', due_on: '2026-02-30', colour: 'red' }));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['area', 'colour', 'description', 'due_on', 'owner_agency_id']);
  // The data rules: an unknown agency; an account of another agency; a due date before the case was opened.
  r = await officer.post(path, need({ owner_agency_id: crypto.randomUUID(), due_on: addDays(ids.today, -21) }));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['due_on', 'owner_agency_id']);
  r = await officer.post(path, need({ owner_account_id: ids['ri.prison'] }));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['owner_account_id']);
  assert.match(r.body.errors[0].message, /active account of the owning agency/);
  r = await officer.post(path, need({ owner_agency_id: ids.prison, owner_account_id: ids['ri.officer'], due_on: addDays(ids.today, -30) }));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['due_on', 'owner_account_id']);
  assert.equal(count('reintegration_need'), 0, 'nothing stored');
  // Outside one's units: refused and logged; unknown case: 404.
  r = await officerB.post(path, need());
  assert.equal(r.status, 403, r.text);
  r = await officer.post(`/api/v1/cases/${crypto.randomUUID()}/reintegration-needs`, need());
  assert.equal(r.status, 404, r.text);
});

test('a need is recorded as a task: owner, due date, open; on the timeline and in the log', async () => {
  const r = await officer.post(`/api/v1/cases/${ids.case.id}/reintegration-needs`,
    need({ area: 'identity_documents', description: 'Passport to be renewed', owner_agency_id: ids.prison, owner_account_id: ids['ri.prison'] }));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('etag'), '"1"');
  const n = r.body;
  ids.need = n.id;
  assert.equal(n.case_id, ids.case.id);
  assert.equal(n.case_number, ids.case.number);
  assert.equal(n.area, 'identity_documents');
  assert.equal(n.owner_agency_id, ids.prison);
  assert.equal(n.owner_agency_name, 'Reintegration Prison');
  assert.equal(n.owner_account_id, ids['ri.prison']);
  assert.equal(n.owner_account_name, 'Test ri.prison');
  assert.equal(n.due_on, addDays(ids.today, 10));
  assert.equal(n.status, 'open');
  assert.equal(n.overdue, false);
  assert.equal(n.outcome_note, null);
  assert.equal(n.closed_on, null);
  assert.equal(n.version, 1);
  const ev = (await timeline(ids.case.id)).filter((e) => e.kind === 'need.added');
  assert.equal(ev.length, 1);
  assert.equal(ev[0].detail.need_id, n.id);
  assert.equal(ev[0].detail.area, 'identity_documents');
  assert.doesNotMatch(ev[0].summary, /Асанов|Passport/);
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'reintegration_need' AND record_id = ${q(n.id)}`), 1);

  const list = await officer.get(`/api/v1/cases/${ids.case.id}/reintegration-needs`);
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.body.items.map((x) => x.id), [n.id]);
  assert.equal(count('audit_log', `action = 'consult' AND record_type = 'case_reintegration_needs' AND record_id = ${q(ids.case.id)}`), 1);
  assert.equal((await officerB.get(`/api/v1/cases/${ids.case.id}/reintegration-needs`)).status, 403);
});

test('the status moves open → in_progress → done; If-Match; closed needs are final', async () => {
  const path = `/api/v1/reintegration-needs/${ids.need}`;
  let r = await officer.put(path, { status: 'in_progress' });
  assert.equal(r.status, 428, r.text);
  r = await officer.put(path, { status: 'in_progress' }, { 'if-match': '"7"' });
  assert.equal(r.status, 412, r.text);
  r = await officer.put(path, {}, { 'if-match': '"1"' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['body']);
  r = await officer.put(path, { status: 'done' }, { 'if-match': '"1"' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['outcome_note']);
  r = await officer.put(path, { status: 'in_progress', outcome_note: 'too early', area: null }, { 'if-match': '"1"' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['area', 'outcome_note']);
  r = await officer.put(path, { due_on: addDays(ids.today, -25) }, { 'if-match': '"1"' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['due_on']);
  r = await officerB.put(path, { status: 'in_progress' }, { 'if-match': '"1"' });
  assert.equal(r.status, 403, r.text);

  r = await officer.put(path, { status: 'in_progress' }, { 'if-match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), '"2"');
  assert.equal(r.body.status, 'in_progress');
  assert.equal(r.body.owner_account_id, ids['ri.prison'], 'the owner kept');
  r = await officer.put(path, { status: 'open' }, { 'if-match': '"2"' });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /need-move/);
  // A new owning agency without an account of its own drops the old agency's account.
  r = await officer.put(path, { owner_agency_id: ids.agency }, { 'if-match': '"2"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.owner_account_id, null);
  assert.equal(r.body.owner_agency_name, 'Reintegration Probation');
  r = await officer.put(path, { status: 'done', outcome_note: 'The passport was issued' }, { 'if-match': '"3"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'done');
  assert.equal(r.body.outcome_note, 'The passport was issued');
  assert.equal(r.body.closed_on, ids.today);
  assert.equal(r.body.version, 4);
  r = await officer.put(path, { description: 'Something else' }, { 'if-match': '"4"' });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /need-closed/);
  const kinds = (await timeline(ids.case.id)).map((e) => e.kind).filter((k) => k.startsWith('need.'));
  assert.deepEqual(kinds.sort(), ['need.added', 'need.changed', 'need.done', 'need.in_progress']);
  assert.equal(count('audit_log', `action = 'alter' AND record_type = 'reintegration_need' AND record_id = ${q(ids.need)}`), 3);
});

test('the lists: mine (owned by me or of my cases), the unit\'s, within one\'s units only; logged', async () => {
  let r = await officer.post(`/api/v1/cases/${ids.case.id}/reintegration-needs`, need({ area: 'work', description: 'Job centre registration' }));
  assert.equal(r.status, 201, r.text);
  ids.work = r.body.id;
  r = await officer2.post(`/api/v1/cases/${ids.case2.id}/reintegration-needs`, need({ area: 'health', description: 'Register with a clinic',
    owner_account_id: ids['ri.officer'], due_on: addDays(ids.today, 3) }));
  assert.equal(r.status, 201, r.text);
  ids.health = r.body.id;
  r = await officer2.post(`/api/v1/cases/${ids.case2.id}/reintegration-needs`, need({ area: 'debts', description: 'Agree a repayment plan' }));
  assert.equal(r.status, 201, r.text);
  ids.debts = r.body.id;

  const list = async (client, query) => {
    const res = await client.get(`/api/v1/reintegration-needs${query}`);
    assert.equal(res.status, 200, res.text);
    return res.body.items.map((x) => x.id);
  };
  // Mine: the officer's own case's open needs and the one on another case they own; the default is mine, open.
  assert.deepEqual(await list(officer, ''), [ids.health, ids.work]);
  assert.deepEqual(await list(officer, '?view=mine&status=all'), [ids.health, ids.need, ids.work]);
  assert.deepEqual(await list(officer2, '?view=mine'), [ids.health, ids.debts]);
  assert.deepEqual(await list(officer2, '?view=unit'), [ids.health, ids.work, ids.debts]);
  assert.deepEqual(await list(head, '?view=unit&status=all'), [ids.health, ids.need, ids.work, ids.debts]);
  assert.deepEqual(await list(head, '?view=mine&status=all'), [], 'a head who holds no case and owns no need');
  assert.deepEqual(await list(officerB, '?view=unit&status=all'), [], 'another unit sees none');
  assert.deepEqual(await list(officer, '?view=unit&overdue=true'), []);
  const bad = await officer.get('/api/v1/reintegration-needs?view=everyone&status=closed&overdue=maybe');
  assert.equal(bad.status, 422);
  assert.deepEqual(fields(bad), ['overdue', 'status', 'view']);
  const logged = sql(srv.db, `SELECT detail FROM audit_log WHERE action = 'consult' AND record_type = 'reintegration_need'
    AND record_id IS NULL AND actor_id = ${q(ids['ri.officer2'])} ORDER BY seq`).split('\n');
  assert.ok(logged.some((d) => d.startsWith('list mine: 2 shown') && d.includes(ids.debts)), logged.join('\n'));
});

test('post-penitentiary cases are opened at the person\'s own request: consent_on is required and kept', async () => {
  let r = await officer.post('/api/v1/people', { surname: 'Жолдошев', given_name: 'Тест', birth_date: '1985-01-01', languages: ['ky'] });
  assert.equal(r.status, 201, r.text);
  const person = r.body.id;
  const body = { person_id: person, kind: 'post_penitentiary', opened_on: ids.today, open_reason: 'Asked for help after release' };
  r = await officer.post('/api/v1/cases', body);
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['consent_on']);
  assert.equal(count('case_file', `person_id = ${q(person)}`), 0);
  r = await officer.post('/api/v1/cases', { ...body, kind: 'executive', consent_on: ids.today });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['consent_on']);
  r = await officer.post('/api/v1/cases', { ...body, consent_on: ids.today });
  assert.equal(r.status, 201, r.text);
  const got = await officer.get(`/api/v1/cases/${r.body.id}`);
  assert.equal(got.status, 200, got.text);
  assert.equal(got.body.kind, 'post_penitentiary');
  assert.equal(got.body.consent_on, ids.today);
  // Needs are what such a case is for.
  const n = await officer.post(`/api/v1/cases/${r.body.id}/reintegration-needs`, need({ area: 'community_religious_support', description: 'Meet the mentor' }));
  assert.equal(n.status, 201, n.text);
});

test('overdue: as the clock passes a due date, the need is overdue in the lists until it is done', async () => {
  // A need due tomorrow is not overdue today.
  let r = await officer.post(`/api/v1/cases/${ids.case.id}/reintegration-needs`, need({ area: 'family', description: 'Family mediation', due_on: addDays(ids.today, 1) }));
  assert.equal(r.status, 201, r.text);
  const family = r.body.id;
  assert.equal(r.body.overdue, false);
  assert.deepEqual((await officer.get('/api/v1/reintegration-needs?view=unit&overdue=true')).body.items, []);

  r = await admin.post('/api/v1/tokens', { name: 'reintegration clock', expires_in_days: 30, permissions: ['system.clock'] });
  assert.equal(r.status, 201, r.text);
  const clock = clockDriver(srv, r.body.secret);
  const later = Date.now() + 5 * DAY; // health is due in 3 days, family tomorrow; the rest in 10
  await clock.move(later);
  try {
    // Sessions idle for days have ended: log in again at the server's time.
    const c = new Client(srv.url);
    let s = await c.post('/api/v1/auth/login', { login: 'ri.officer', password: NEW_PASSWORD });
    assert.equal(s.body.stage, 'totp', s.text);
    s = await c.post('/api/v1/auth/totp', { code: totp(secrets['ri.officer'], later) });
    assert.equal(s.status, 200, s.text);
    r = await c.get('/api/v1/reintegration-needs?view=unit&overdue=true');
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.items.map((x) => x.id), [family, ids.health]);
    assert.ok(r.body.items.every((x) => x.overdue === true));
    r = await c.get('/api/v1/reintegration-needs?view=mine&overdue=true');
    assert.deepEqual(r.body.items.map((x) => x.id), [family, ids.health]);
    r = await c.get(`/api/v1/cases/${ids.case.id}/reintegration-needs`);
    const byId = Object.fromEntries(r.body.items.map((x) => [x.id, x]));
    assert.equal(byId[family].overdue, true);
    assert.equal(byId[ids.work].overdue, false);
    assert.equal(byId[ids.need].overdue, false, 'a done need is never overdue');
    // Done: no longer overdue.
    r = await c.put(`/api/v1/reintegration-needs/${family}`, { status: 'cancelled', outcome_note: 'The family declined mediation' }, { 'if-match': '"1"' });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.overdue, false);
    assert.equal(r.body.closed_on, localDate(later));
    r = await c.get('/api/v1/reintegration-needs?view=unit&overdue=true');
    assert.deepEqual(r.body.items.map((x) => x.id), [ids.health]);
  } finally {
    await clock.move(Date.now());
  }
});
