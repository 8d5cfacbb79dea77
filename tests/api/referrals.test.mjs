// Referrals to programmes (issue 9; S10, S15, S16): the status table is data (statuses, which role may move a
// referral from which status to which, reasons); a referral shares with its provider only the fields it names,
// until its share_until; a partner sees nothing else — no case, no person id, no field not shared — and a partner
// of another agency sees nothing at all; once the share has ended the provider's users get 404 and their list drops
// it, while the referring staff still see it. Every partner read is logged with the share as its basis, each
// share as a disclosure to the partner agency. Moves follow the caller's roles; enrolment counts the places;
// completion needs the provider's report. Time moves with PUT /system/clock (never a sleep).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { clockDriver, startServer, zoneAtMidMorning } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { Client, createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin, clock, tz;
const ids = {};
const users = {}; // name -> { id, client, password, recovery }
const DAY = 86400_000;

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));
function localDate(ms) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}
const ifMatch = (v) => ({ 'if-match': `"${v}"` });
const c = (name) => users[name].client;

async function user(login, roles, agency, unit) {
  const body = { login, display_name: `Test ${login}`, agency_id: agency, roles };
  if (unit) body.unit_id = unit;
  const r = await admin.post('/api/v1/users', body);
  assert.equal(r.status, 201, r.text);
  const first = await firstLogin(srv.url, login, r.body.one_time_password);
  users[login] = { id: r.body.user.id, client: first.client, password: first.password, recovery: [...first.recovery] };
  return users[login];
}

// A new session with a recovery code: TOTP codes follow the real clock, which this suite moves.
async function relogin(login) {
  const u = users[login];
  const client = new Client(srv.url);
  let r = await client.post('/api/v1/auth/login', { login, password: u.password });
  assert.equal(r.status, 200, r.text);
  r = await client.post('/api/v1/auth/totp', { recovery_code: u.recovery.shift() });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.stage, 'full');
  u.client = client;
}

async function partner(name) {
  const r = await admin.post('/api/v1/partners', { name, partner_kind: 'ngo', contact_name: 'Contact', phone: '+996 312 000000' });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}

async function programme(provider, name, places) {
  const r = await admin.post('/api/v1/programmes', { name, type: 'vocational_training', provider_agency_id: provider,
    places, schedule: 'Tuesdays 14:00-16:00, 12 weeks', languages: ['ky', 'ru'], eligibility: 'Adults under supervision' });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}

async function openCase(surname, extra = {}) {
  let r = await c('rf.officer').post('/api/v1/people', { surname, given_name: 'Бакыт', patronymic: 'Уулу',
    surname_latin: `${surname}-lat`, given_name_latin: 'Bakyt', sex: 'male', birth_date: '1990-05-05', languages: ['ky', 'ru'],
    ...extra });
  assert.equal(r.status, 201, r.text);
  const person = r.body.id;
  r = await c('rf.officer').post('/api/v1/cases', { person_id: person, kind: 'executive', opened_on: addDays(ids.today, -60),
    open_reason: 'Court order received', officer_id: users['rf.officer'].id });
  assert.equal(r.status, 201, r.text);
  return { id: r.body.id, number: r.body.number, person };
}

const refer = (caseId, body, who = 'rf.officer') => c(who).post(`/api/v1/cases/${caseId}/referrals`, {
  programme_id: ids.programme, reason: 'Needs a trade to find work after the sentence', shared_fields: ['name', 'phone'],
  share_until: addDays(ids.today, 30), ...body });
const get = (who, id) => c(who).get(`/api/v1/referrals/${id}`);
async function move(who, id, body, version) {
  const v = version ?? (await get('rf.officer', id)).body.version;
  return c(who).post(`/api/v1/referrals/${id}/transitions`, body, ifMatch(v));
}
async function audit(query) {
  const r = await clock.call('GET', `/api/v1/audit?${new URLSearchParams({ limit: '200', ...query })}`);
  assert.equal(r.status, 200, r.text);
  return r.body.items;
}
const fieldsOf = (problem) => (problem.errors || []).map((e) => e.field);

before(async () => {
  srv = await startServer({ env: { KADAM_CLOCK_CONTROL: '1' } });
  // The clock moves a day ahead: a zone where it is mid-morning now keeps the local dates predictable.
  const zone = zoneAtMidMorning();
  sql(srv.db, `UPDATE setting SET value = ${q(zone)} WHERE key = 'timezone'`);
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'rf.admin')))).client;
  tz = (await admin.get('/api/v1/system')).body.timezone;
  assert.equal(tz, zone, 'the server reads the zone set');
  ids.today = localDate(Date.now());
  let r = await admin.post('/api/v1/tokens', { name: 'referrals test', expires_in_days: 30,
    permissions: ['system.clock', 'audit.read'] });
  assert.equal(r.status, 201, r.text);
  clock = clockDriver(srv, r.body.secret);
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Referral Probation', kind: 'probation' })).body.id;
  ids.unitA = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Referral Office A' })).body.id;
  ids.unitB = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Referral Office B' })).body.id;
  await user('rf.officer', ['probation_officer'], ids.agency, ids.unitA);
  await user('rf.head', ['unit_head'], ids.agency, ids.unitA);
  await user('rf.officer.b', ['probation_officer'], ids.agency, ids.unitB);
  ids.p1 = await partner('Referral Trades Centre');
  ids.p2 = await partner('Referral Other NGO');
  await user('rf.partner', ['partner'], ids.p1);
  await user('rf.partner.other', ['partner'], ids.p2);
  ids.programme = await programme(ids.p1, 'Welding course', 1);
  ids.closed = await programme(ids.p1, 'Closed course', 5);
  sql(srv.db, `UPDATE programme SET status = 'closed' WHERE id = ${q(ids.closed)}`);
  ids.case1 = await openCase('Асанов', {
    phones: [{ number: '+996 555 123456', label: 'mobile' }],
    addresses: [{ kind: 'registered', address: 'Osh, Lenin 1', valid_from: '2015-01-01' },
      { kind: 'actual', address: 'Bishkek, Chui 10', valid_from: '2024-01-01' }],
  });
  ids.case2 = await openCase('Бекова');
  // An open objective of the supervision plan: what "needs" shares.
  r = await c('rf.officer').put(`/api/v1/cases/${ids.case1.id}/plan`, { review_every_days: 28 });
  assert.equal(r.status, 201, r.text);
  r = await c('rf.officer').post(`/api/v1/cases/${ids.case1.id}/plan/objectives`, { need: 'employment', description: 'Find steady work' });
  assert.equal(r.status, 201, r.text);
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

test('the status table is read from the database: statuses, transitions by role, reasons and share fields', async () => {
  let r = await c('rf.partner').get('/api/v1/reference/referral-statuses');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.statuses.map((s) => s.code), ['referred', 'accepted', 'waitlisted', 'enrolled', 'completed', 'declined', 'withdrawn']);
  const enrolled = r.body.statuses.find((s) => s.code === 'enrolled');
  assert.equal(enrolled.holds_place, true);
  assert.equal(enrolled.is_terminal, false);
  assert.equal(r.body.statuses.find((s) => s.code === 'completed').is_terminal, true);
  assert.deepEqual(Object.keys(enrolled.label).sort(), ['en', 'ky', 'ru']);
  assert.ok(r.body.transitions.some((t) => t.from === 'referred' && t.to === 'accepted' && t.role === 'partner' && t.needs_reason === false));
  assert.ok(r.body.transitions.some((t) => t.from === 'enrolled' && t.to === 'completed' && t.needs === 'report'));
  assert.deepEqual(r.body.reasons.filter((x) => x.to_status === 'withdrawn').map((x) => x.code),
    ['motivation', 'operational', 'personal', 'withdrawn_other']);
  assert.deepEqual(r.body.share_fields, ['name', 'birth_date', 'sex', 'languages', 'phone', 'address', 'officer', 'needs']);
  // Changed in the database, changed in the answer: nothing is compiled in.
  sql(srv.db, "UPDATE referral_status SET label_en = 'Waiting for a place' WHERE code = 'waitlisted'");
  sql(srv.db, "INSERT INTO referral_reason (code, to_status, position, label_ky, label_ru, label_en) VALUES ('moved_away', 'withdrawn', 5, 'Көчүп кетти', 'Переехал', 'Moved away')");
  r = await c('rf.officer').get('/api/v1/reference/referral-statuses');
  assert.equal(r.body.statuses.find((s) => s.code === 'waitlisted').label.en, 'Waiting for a place');
  assert.ok(r.body.reasons.some((x) => x.code === 'moved_away' && x.label.ru === 'Переехал'));
  sql(srv.db, "UPDATE referral_status SET label_en = 'On the waiting list' WHERE code = 'waitlisted'");
});

test('making a referral: each bad field named, nothing made; the case in the caller\'s units, open; the programme open', async () => {
  const before = count('referral');
  let r = await refer(ids.case1.id, { shared_fields: ['name', 'salary', 'name'], share_until: ids.today, reason: 'short' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fieldsOf(r.body).sort(), ['reason', 'share_until', 'shared_fields[1]', 'shared_fields[2]']);
  r = await refer(ids.case1.id, { share_until: addDays(ids.today, 367) });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fieldsOf(r.body), ['share_until']);
  r = await refer(ids.case1.id, { shared_fields: ['name', 'birth_date', 'sex', 'languages', 'phone', 'address', 'officer', 'needs', 'name'] });
  assert.equal(r.status, 422, r.text);
  r = await refer(ids.case1.id, { programme_id: '00000000-0000-7000-8000-000000000000' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fieldsOf(r.body), ['programme_id']);
  r = await refer(ids.case1.id, { programme_id: ids.closed });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /programme-closed/);
  r = await refer(ids.case1.id, {}, 'rf.officer.b');
  assert.equal(r.status, 403, r.text);
  r = await refer(ids.case1.id, {}, 'rf.partner');
  assert.equal(r.status, 403, r.text, 'a partner does not refer');
  assert.equal(count('referral'), before, 'nothing made');
});

test('a referral sharing name and phone: the partner sees exactly those, another partner nothing; each read logged', async () => {
  let r = await refer(ids.case1.id, {});
  assert.equal(r.status, 201, r.text);
  const ref = r.body;
  ids.ref1 = ref.id;
  assert.equal(ref.status, 'referred');
  assert.equal(ref.case_id, ids.case1.id);
  assert.equal(ref.partner_agency_id, ids.p1);
  assert.equal(ref.partner_name, 'Referral Trades Centre');
  assert.deepEqual(ref.shared_fields, ['name', 'phone']);
  assert.equal(ref.share_live, true, JSON.stringify(ref));
  assert.equal(ref.referred_on, ids.today);
  assert.match(ref.status_at, /^\d{4}-\d{2}-\d{2}T/, 'an instant as RFC 3339 text');
  assert.match(ref.person_name, /Асанов/);
  assert.deepEqual(ref.moves.map((m) => m.to), ['withdrawn'], 'an officer may only withdraw a new referral');
  assert.equal(r.headers.get('etag'), `"${ref.version}"`);
  r = await refer(ids.case1.id, {});
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /already-referred/);

  // The timeline names no personal data; the processing log has the collection and the disclosure to the agency.
  r = await c('rf.officer').get(`/api/v1/cases/${ids.case1.id}/timeline`);
  const made = r.body.items.find((e) => e.kind === 'referral.made');
  assert.ok(made, JSON.stringify(r.body.items.map((e) => e.kind)));
  assert.doesNotMatch(made.summary, /Асанов|Needs a trade/);
  let log = await audit({ record_type: 'referral', record_id: ref.id });
  const disclosed = log.filter((e) => e.action === 'disclose');
  assert.equal(disclosed.length, 1, JSON.stringify(log));
  assert.equal(disclosed[0].recipient, 'Referral Trades Centre');
  assert.equal(disclosed[0].justification, `referral share until ${addDays(ids.today, 30)}: name,phone`);
  assert.equal(log.filter((e) => e.action === 'collect').length, 1);

  // The provider's user: the referral's own content and the person's shared fields, nothing else.
  r = await get('rf.partner', ref.id);
  assert.equal(r.status, 200, r.text);
  const seen = r.body;
  assert.deepEqual(Object.keys(seen.person).sort(), ['case_number', 'name', 'phone']);
  assert.equal(seen.person.case_number, ids.case1.number);
  // "name" is the surname and given name in both scripts; the patronymic names the father (a family member, S15).
  assert.deepEqual(seen.person.name, { surname: 'Асанов', given_name: 'Бакыт', latin: 'Асанов-lat Bakyt' });
  assert.deepEqual(seen.person.phone, [{ number: '+996 555 123456', label: 'mobile' }]);
  for (const k of ['case_id', 'person_id', 'person_name', 'referred_by', 'notes'])
    assert.equal(k in seen, false, `no ${k} for a partner`);
  const text = JSON.stringify(seen);
  for (const secret of [ids.case1.id, ids.case1.person, '1990-05-05', 'Chui', 'Lenin', 'Find steady work', users['rf.officer'].id, 'Уулу', 'Uulu'])
    assert.equal(text.includes(secret), false, `the partner's view holds ${secret}`);
  assert.equal(seen.reason, 'Needs a trade to find work after the sentence');
  assert.deepEqual(seen.moves.map((m) => m.to), ['accepted', 'declined']);
  assert.equal(seen.events.length, 1);
  assert.equal(seen.events[0].to, 'referred');
  assert.match(seen.events[0].at, /^\d{4}-\d{2}-\d{2}T/);

  // Another partner: as if it did not exist, and the refusal logged.
  r = await get('rf.partner.other', ref.id);
  assert.equal(r.status, 404, r.text);
  r = await move('rf.partner.other', ref.id, { to: 'accepted' });
  assert.equal(r.status, 404, r.text);
  r = await c('rf.partner.other').get('/api/v1/referrals');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items, []);
  // A partner never reaches a case: every case is unknown to it (the same 404 as for no case at all), even under a
  // grant of the case's unit, and the refusal is logged.
  r = await c('rf.partner.other').get(`/api/v1/cases/${ids.case1.id}/referrals`);
  assert.equal(r.status, 404, 'a partner never reaches a case');
  const unknown = await c('rf.partner.other').get(`/api/v1/cases/${crypto.randomUUID()}/referrals`);
  assert.equal(unknown.status, 404);
  assert.deepEqual({ ...r.body, instance: null, request_id: null }, { ...unknown.body, instance: null, request_id: null });
  // No unit head can share a unit with a partner's user; and were a grant there anyway, it would open nothing.
  r = await c('rf.head').post('/api/v1/access-grants', { account_id: users['rf.partner'].id, unit_id: ids.unitA, expires_in_hours: 2,
    purpose: 'supervision', justification: 'A grant that must not open a case to a partner' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['account_id']);
  assert.equal(count('access_grant', `account_id = ${q(users['rf.partner'].id)}`), 0);
  sql(srv.db, `INSERT INTO access_grant (id, kind, account_id, unit_id, purpose, justification, granted_by, created_at, expires_at)
    VALUES (${q(crypto.randomUUID())}, 'share', ${q(users['rf.partner'].id)}, ${q(ids.unitA)}, 'supervision', 'Put in by hand',
    ${q(users['rf.head'].id)}, ${Date.now()}, ${Date.now() + 7200000})`);
  r = await c('rf.partner').get(`/api/v1/cases/${ids.case1.id}/referrals`);
  assert.equal(r.status, 404, 'a grant does not open a case to a partner');
  assert.equal(r.text.includes('Асанов'), false);
  sql(srv.db, `UPDATE access_grant SET revoked_at = 1 WHERE account_id = ${q(users['rf.partner'].id)}`);
  assert.equal(count('audit_log', `action = 'access.denied' AND record_type = 'case' AND record_id = ${q(ids.case1.id)} AND detail = 'a partner never reaches a case'`), 2);

  // The provider's list: the same view.
  r = await c('rf.partner').get('/api/v1/referrals');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((x) => x.id), [ref.id]);
  assert.deepEqual(Object.keys(r.body.items[0].person).sort(), ['case_number', 'name', 'phone']);
  assert.equal('case_id' in r.body.items[0], false);

  log = await audit({ record_type: 'referral', record_id: ref.id });
  const reads = log.filter((e) => e.action === 'consult' && e.actor_login === 'rf.partner');
  assert.equal(reads.length, 2, 'the GET and the list, each logged');
  for (const e of reads) {
    assert.equal(e.purpose, 'supervision');
    assert.equal(e.justification, `referral share until ${addDays(ids.today, 30)}: name,phone`);
  }
  const denied = log.filter((e) => e.action === 'access.denied' && e.actor_login === 'rf.partner.other');
  assert.equal(denied.length, 2, JSON.stringify(log));
  assert.ok(denied.every((e) => e.detail === 'referral of another agency'));
});

test('moves follow the status table and the caller\'s roles; a changed row changes what may be done', async () => {
  const id = ids.ref1;
  let v = (await get('rf.officer', id)).body.version;
  let r = await c('rf.officer').post(`/api/v1/referrals/${id}/transitions`, { to: 'accepted' });
  assert.equal(r.status, 428, r.text);
  r = await move('rf.officer', id, { to: 'accepted' }, v + 7);
  assert.equal(r.status, 412, r.text);
  r = await move('rf.officer', id, { to: 'accepted' }, v);
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /referral-move/);
  assert.deepEqual(r.body.moves.map((m) => m.to), ['withdrawn']);
  assert.equal(r.body.moves[0].needs_reason, true);
  // The table without the partner's acceptance: refused, and the answer lists what is left.
  sql(srv.db, "DELETE FROM referral_transition WHERE from_status = 'referred' AND to_status = 'accepted' AND role = 'partner'");
  r = await move('rf.partner', id, { to: 'accepted' }, v);
  assert.equal(r.status, 409, r.text);
  assert.deepEqual(r.body.moves.map((m) => m.to), ['declined']);
  sql(srv.db, "INSERT INTO referral_transition (from_status, to_status, role, needs_reason, needs) VALUES ('referred', 'accepted', 'partner', 0, NULL)");
  r = await move('rf.partner', id, { to: 'accepted', note: 'Starts next week' }, v);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'accepted');
  assert.equal(r.body.version, v + 1);
  assert.equal('case_id' in r.body, false, 'the partner view after a move');
  assert.deepEqual(Object.keys(r.body.person).sort(), ['case_number', 'name', 'phone']);
  assert.deepEqual(r.body.moves.map((m) => m.to).sort(), ['enrolled', 'waitlisted', 'withdrawn']);
  assert.equal(r.body.events.at(-1).note, 'Starts next week');

  // The one place: the first enrolment takes it, the second is refused and waits.
  r = await move('rf.partner', id, { to: 'enrolled' });
  assert.equal(r.status, 200, r.text);
  r = await refer(ids.case2.id, {});
  assert.equal(r.status, 201, r.text);
  ids.ref2 = r.body.id;
  r = await move('rf.partner', ids.ref2, { to: 'accepted' });
  assert.equal(r.status, 200, r.text);
  r = await move('rf.partner', ids.ref2, { to: 'enrolled' });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /programme-full/);
  r = await move('rf.partner', ids.ref2, { to: 'waitlisted' });
  assert.equal(r.status, 200, r.text);

  // Withdrawal needs a reason from the withdrawal list.
  r = await move('rf.officer', ids.ref2, { to: 'withdrawn' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fieldsOf(r.body), ['reason_code']);
  r = await move('rf.officer', ids.ref2, { to: 'withdrawn', reason_code: 'not_eligible' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fieldsOf(r.body), ['reason_code']);
  r = await move('rf.officer.b', ids.ref2, { to: 'withdrawn', reason_code: 'motivation' });
  assert.equal(r.status, 403, r.text, 'outside the officer\'s units');
  r = await move('rf.officer', ids.ref2, { to: 'withdrawn', reason_code: 'motivation', note: 'Told the officer about a family matter' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'withdrawn');
  assert.deepEqual(r.body.moves, []);
  assert.equal(r.body.events.at(-1).reason_code, 'motivation');
  assert.equal(r.body.events.at(-1).note, 'Told the officer about a family matter');
  // The provider sees the move and its reason code, not the note staff wrote for the case record.
  r = await get('rf.partner', ids.ref2);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.events.at(-1).reason_code, 'motivation');
  assert.equal(r.body.events.at(-1).note, null);
  assert.equal(r.body.events.find((e) => e.to === 'accepted').note, null, 'no note given');
  r = await c('rf.officer').get(`/api/v1/cases/${ids.case2.id}/timeline`);
  assert.ok(r.body.items.some((e) => e.kind === 'referral.withdrawn'));
  assert.equal(count('referral_event', `referral_id = ${q(ids.ref2)}`), 4, 'referred, accepted, waitlisted, withdrawn');

  // Completion needs the end-of-programme report.
  r = await move('rf.partner', id, { to: 'completed' });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /report-missing/);
});

test('progress notes and the end-of-programme report: by the provider only', async () => {
  const id = ids.ref1;
  let r = await c('rf.officer').post(`/api/v1/referrals/${id}/progress-notes`, { written_on: ids.today, text: 'Doing well' });
  assert.equal(r.status, 403, r.text);
  r = await c('rf.partner.other').post(`/api/v1/referrals/${id}/progress-notes`, { written_on: ids.today, text: 'Doing well' });
  assert.equal(r.status, 404, r.text);
  r = await c('rf.partner').post(`/api/v1/referrals/${id}/progress-notes`, { written_on: addDays(ids.today, 1), text: 'x' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fieldsOf(r.body).sort(), ['text', 'written_on']);
  r = await c('rf.partner').post(`/api/v1/referrals/${id}/progress-notes`, { written_on: ids.today, text: 'Attended every session so far' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.author_name, 'Test rf.partner');
  r = await c('rf.partner').post(`/api/v1/referrals/${ids.ref2}/progress-notes`, { written_on: ids.today, text: 'Withdrawn one' });
  assert.equal(r.status, 409, r.text, 'not while withdrawn');

  let v = (await get('rf.partner', id)).body.version;
  const report = { outcome: 'partly_achieved', report: 'Completed most modules; a work placement was found' };
  r = await c('rf.head').put(`/api/v1/referrals/${id}/report`, report, ifMatch(v));
  assert.equal(r.status, 403, r.text);
  r = await c('rf.partner').put(`/api/v1/referrals/${id}/report`, report);
  assert.equal(r.status, 428, r.text);
  r = await c('rf.partner').put(`/api/v1/referrals/${id}/report`, { outcome: 'great', report: 'ok' }, ifMatch(v));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fieldsOf(r.body).sort(), ['outcome', 'report']);
  r = await c('rf.partner').put(`/api/v1/referrals/${id}/report`, report, ifMatch(v - 1));
  assert.equal(r.status, 412, r.text);
  r = await c('rf.partner').put(`/api/v1/referrals/${id}/report`, report, ifMatch(v));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.outcome, 'partly_achieved');
  assert.equal(r.body.report_on, ids.today);
  r = await move('rf.partner', id, { to: 'completed' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'completed');

  // The staff view: the whole history, the provider's notes and report.
  r = await get('rf.officer', id);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.events.map((e) => e.to), ['referred', 'accepted', 'enrolled', 'completed']);
  assert.equal(r.body.progress_notes.length, 1);
  assert.equal(r.body.progress_notes[0].text, 'Attended every session so far');
  assert.equal(r.body.report, report.report);
  r = await c('rf.officer').get(`/api/v1/cases/${ids.case1.id}/timeline`);
  assert.ok(r.body.items.some((e) => e.kind === 'referral.report'));
  assert.ok(r.body.items.some((e) => e.kind === 'referral.completed'));
});

test('a change of share takes effect at once: every field, then only the name', async () => {
  const id = ids.ref1;
  let v = (await get('rf.officer', id)).body.version;
  const all = ['name', 'birth_date', 'sex', 'languages', 'phone', 'address', 'officer', 'needs'];
  let r = await c('rf.partner').put(`/api/v1/referrals/${id}/share`, { shared_fields: all, share_until: addDays(ids.today, 30) }, ifMatch(v));
  assert.equal(r.status, 403, r.text, 'the provider never widens its own view');
  r = await c('rf.officer').put(`/api/v1/referrals/${id}/share`, { shared_fields: all, share_until: addDays(ids.today, 30) });
  assert.equal(r.status, 428, r.text);
  r = await c('rf.officer').put(`/api/v1/referrals/${id}/share`, { shared_fields: all, share_until: addDays(ids.today, -1) }, ifMatch(v));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fieldsOf(r.body), ['share_until']);
  r = await c('rf.officer').put(`/api/v1/referrals/${id}/share`, { shared_fields: all, share_until: addDays(ids.today, 30) }, ifMatch(v + 3));
  assert.equal(r.status, 412, r.text);
  r = await c('rf.officer').put(`/api/v1/referrals/${id}/share`, { shared_fields: all, share_until: addDays(ids.today, 30) }, ifMatch(v));
  assert.equal(r.status, 200, r.text);
  r = await get('rf.partner', id);
  assert.equal(r.status, 200, r.text);
  const p = r.body.person;
  assert.deepEqual(Object.keys(p).sort(), ['address', 'birth_date', 'case_number', 'languages', 'name', 'needs', 'officer', 'phone', 'sex']);
  assert.equal(p.birth_date, '1990-05-05');
  assert.equal(p.sex, 'male');
  assert.deepEqual(p.languages, ['ky', 'ru']);
  assert.equal(p.address, 'Bishkek, Chui 10', 'the current actual address');
  assert.deepEqual(p.officer, { name: 'Test rf.officer', unit_name: 'Referral Office A' });
  assert.deepEqual(p.needs, [{ need: 'employment', description: 'Find steady work' }]);

  v = (await get('rf.officer', id)).body.version;
  r = await c('rf.officer').put(`/api/v1/referrals/${id}/share`, { shared_fields: ['name'], share_until: addDays(ids.today, 30) }, ifMatch(v));
  assert.equal(r.status, 200, r.text);
  r = await get('rf.partner', id);
  assert.deepEqual(Object.keys(r.body.person).sort(), ['case_number', 'name']);
  const log = await audit({ record_type: 'referral', record_id: id, action: 'disclose' });
  assert.equal(log.length, 3, 'the referral and two changes, each a disclosure');
  assert.equal(log[0].justification, `referral share until ${addDays(ids.today, 30)}: name`);
  r = await c('rf.officer').get(`/api/v1/cases/${ids.case1.id}/timeline`);
  assert.equal(r.body.items.filter((e) => e.kind === 'referral.share_changed').length, 2);
});

test('when the share ends the partner loses the referral; the staff still see it', async () => {
  const id = ids.ref1;
  // Both referrals shared until the end of today.
  let r;
  for (const ref of [id, ids.ref2]) {
    const v = (await get('rf.officer', ref)).body.version;
    r = await c('rf.officer').put(`/api/v1/referrals/${ref}/share`, { shared_fields: ['name', 'phone'], share_until: ids.today }, ifMatch(v));
    assert.equal(r.status, 200, r.text);
  }
  assert.equal((await get('rf.partner', id)).status, 200, 'still today');
  assert.equal((await c('rf.partner').get('/api/v1/referrals')).body.items.length, 2);
  // The next day (the zone is mid-morning now, so this is the next local date).
  await clock.move(Date.now() + DAY);
  const tomorrow = addDays(ids.today, 1);
  for (const u of ['rf.partner', 'rf.officer']) await relogin(u);
  r = await get('rf.partner', id);
  assert.equal(r.status, 404, r.text);
  r = await c('rf.partner').get('/api/v1/referrals');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items, [], 'the list drops it');
  r = await c('rf.partner').post(`/api/v1/referrals/${id}/progress-notes`, { written_on: tomorrow, text: 'One more note' });
  assert.equal(r.status, 404, r.text);
  r = await get('rf.officer', id);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.share_live, false);
  assert.equal(r.body.case_id, ids.case1.id);
  r = await c('rf.officer').get(`/api/v1/cases/${ids.case1.id}/referrals`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((x) => x.id), [id]);
  r = await c('rf.officer').get('/api/v1/referrals');
  assert.ok(r.body.items.some((x) => x.id === id));
  const denied = (await audit({ record_type: 'referral', record_id: id, action: 'access.denied' }))
    .filter((e) => e.actor_login === 'rf.partner');
  assert.equal(denied.length, 2, 'the GET and the note, each refused and logged');
  assert.ok(denied.every((e) => e.detail === 'share expired'));
});
