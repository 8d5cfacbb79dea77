// What a partner organisation's user can learn, proven over the whole route table (issue 9; S10, S15, S16): a
// referral shares only `name` with the provider, and then every GET route of `kadam routes --json` is called as the
// provider's user with every real id substituted for every path parameter (the case, the person, the referral, the
// programme, the partner). Routes the partner role does not hold (its permissions read from the database) answer
// 403; no answer of any route carries the person's birth date, address, phone, patronymic, case id or person id, nor
// anything of a referral made to another partner. Once the share has ended (the clock moved to the next local day)
// no answer carries the referral's id or the person's name, and the provider can no longer act on the referral.
// Staff see referrals of cases in their own units only: another unit's appear as counts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { clockDriver, runKadam, startServer, zoneAtMidMorning } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { Client, createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin, clock, tz, routes, partnerPermissions;
const ids = {};
const users = {};
const DAY = 86400_000;

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const ifMatch = (v) => ({ 'if-match': `"${v}"` });
const c = (login) => users[login].client;
function localDate(ms) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
}

// The person referred: every value distinctive, so that a search of the raw answers finds it wherever it leaks.
const PERSON = {
  surname: 'Курманжанова', given_name: 'Айпери', patronymic: 'Жолдошбековна',
  surname_latin: 'Kurmanzhanova', given_name_latin: 'Aiperi', patronymic_latin: 'Joldoshbekovna',
  sex: 'female', birth_date: '1987-03-14', languages: ['ky', 'ru'],
  phones: [{ number: '+996 700 918273', label: 'mobile' }],
  addresses: [{ kind: 'actual', address: 'Kochkor, Sheberdi street 4417', valid_from: '2020-01-01' }],
};
// Another unit's person, referred to another partner's programme with every field shared.
const OTHER = {
  surname: 'Сыдыкбеков', given_name: 'Талантбек', patronymic: 'Маратович', surname_latin: 'Sydykbekov',
  given_name_latin: 'Talantbek', sex: 'male', birth_date: '1979-11-02', languages: ['ky'],
  phones: [{ number: '+996 555 604417', label: 'mobile' }],
  addresses: [{ kind: 'actual', address: 'Naryn, Orozbakov street 9931', valid_from: '2019-01-01' }],
};

async function user(login, roles, agency, unit) {
  const body = { login, display_name: `Test ${login}`, agency_id: agency, roles };
  if (unit) body.unit_id = unit;
  const r = await admin.post('/api/v1/users', body);
  assert.equal(r.status, 201, r.text);
  const first = await firstLogin(srv.url, login, r.body.one_time_password);
  users[login] = { id: r.body.user.id, client: first.client, password: first.password, recovery: [...first.recovery] };
}

// A new session with a recovery code: TOTP codes follow the real clock, which this suite moves.
async function relogin(login) {
  const u = users[login];
  const client = new Client(srv.url);
  let r = await client.post('/api/v1/auth/login', { login, password: u.password });
  assert.equal(r.status, 200, r.text);
  r = await client.post('/api/v1/auth/totp', { recovery_code: u.recovery.shift() });
  assert.equal(r.status, 200, r.text);
  u.client = client;
}

async function partner(name) {
  const r = await admin.post('/api/v1/partners', { name, partner_kind: 'ngo', contact_name: 'Contact' });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}

async function programme(provider, name) {
  const r = await admin.post('/api/v1/programmes', { name, type: 'mentoring', provider_agency_id: provider, places: 5,
    schedule: 'Mondays 10:00-12:00', languages: ['ky'], eligibility: 'Adults under supervision' });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}

async function openCase(officer, person) {
  let r = await c(officer).post('/api/v1/people', person);
  assert.equal(r.status, 201, r.text);
  const personId = r.body.id;
  r = await c(officer).post('/api/v1/cases', { person_id: personId, kind: 'executive', opened_on: addDays(ids.today, -40),
    open_reason: 'Court order received', officer_id: users[officer].id });
  assert.equal(r.status, 201, r.text);
  return { id: r.body.id, number: r.body.number, person: personId };
}

async function refer(officer, caseId, programmeId, fields, until) {
  const r = await c(officer).post(`/api/v1/cases/${caseId}/referrals`, { programme_id: programmeId,
    reason: 'Mentoring to rebuild ties with the community', shared_fields: fields, share_until: until });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

async function move(who, id, to) {
  const v = (await c('pa.officer').get(`/api/v1/referrals/${id}`)).body.version ??
    (await c('pa.officer.b').get(`/api/v1/referrals/${id}`)).body.version;
  const r = await c(who).post(`/api/v1/referrals/${id}/transitions`, { to }, ifMatch(v));
  assert.equal(r.status, 200, `${to}: ${r.text}`);
  return r.body;
}

// Every GET route of the route table, each path parameter replaced by each candidate id (one at a time, the same
// in every slot). Returns [{ route, path, status, text }].
async function callEveryGet(client, candidates) {
  const out = [];
  for (const route of routes.filter((r) => r.method === 'GET')) {
    const paths = route.path.includes('{') ? candidates.map((v) => route.path.replace(/\{[^}]+\}/g, v)) : [route.path];
    // Lists with the filters a partner would use.
    if (route.path === '/api/v1/referrals')
      paths.push(`/api/v1/referrals?programme_id=${ids.prog}`, '/api/v1/referrals?status=enrolled');
    if (route.path === '/api/v1/programmes') paths.push('/api/v1/programmes?status=all');
    for (const path of paths) {
      const r = await client.get(path);
      // A problem's `instance` repeats the path asked for: the caller's own input, not something it learnt.
      let text = r.text;
      if (r.body && typeof r.body === 'object' && r.body.instance === path) text = JSON.stringify({ ...r.body, instance: null });
      out.push({ route, path, status: r.status, text });
    }
  }
  return out;
}

const permitted = (route) => ['public', 'authenticated', 'login.pending'].includes(route.permission) ||
  partnerPermissions.includes(route.permission);

before(async () => {
  srv = await startServer({ env: { KADAM_CLOCK_CONTROL: '1' } });
  // The clock moves a day ahead: a zone where it is mid-morning now keeps the local dates predictable.
  const zone = zoneAtMidMorning();
  sql(srv.db, `UPDATE setting SET value = ${q(zone)} WHERE key = 'timezone'`);
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'pa.admin')))).client;
  tz = (await admin.get('/api/v1/system')).body.timezone;
  assert.equal(tz, zone);
  ids.today = localDate(Date.now());
  let r = await admin.post('/api/v1/tokens', { name: 'partner access test', expires_in_days: 30,
    permissions: ['system.clock', 'audit.read'] });
  assert.equal(r.status, 201, r.text);
  clock = clockDriver(srv, r.body.secret);

  const listed = runKadam(['routes', '--json']);
  assert.equal(listed.status, 0, listed.stderr);
  routes = JSON.parse(listed.stdout);
  partnerPermissions = sql(srv.db, "SELECT permission FROM role_permission WHERE role = 'partner' ORDER BY permission")
    .split('\n').map((s) => s.trim()).filter(Boolean);
  assert.ok(partnerPermissions.includes('referrals.provide'), partnerPermissions.join(','));

  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Access Probation', kind: 'probation' })).body.id;
  ids.unitA = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Access Office A' })).body.id;
  ids.unitB = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Access Office B' })).body.id;
  await user('pa.officer', ['probation_officer'], ids.agency, ids.unitA);
  await user('pa.officer.b', ['probation_officer'], ids.agency, ids.unitB);
  ids.p1 = await partner('Access Mentoring Centre');
  ids.p2 = await partner('Access Other NGO');
  await user('pa.partner', ['partner'], ids.p1);
  await user('pa.partner.other', ['partner'], ids.p2);
  ids.prog = await programme(ids.p1, 'Community mentoring');
  ids.prog2 = await programme(ids.p2, 'Other mentoring');

  ids.case = await openCase('pa.officer', PERSON);
  r = await c('pa.officer').put(`/api/v1/cases/${ids.case.id}/plan`, { review_every_days: 28 });
  assert.equal(r.status, 201, r.text);
  r = await c('pa.officer').post(`/api/v1/cases/${ids.case.id}/plan/objectives`, { need: 'employment', description: 'Kurmanzhanova finds steady work' });
  assert.equal(r.status, 201, r.text);
  ids.other = await openCase('pa.officer.b', OTHER);

  // The referral under test shares only the name; the provider accepts and enrols it, keeps the register and notes.
  ids.ref = (await refer('pa.officer', ids.case.id, ids.prog, ['name'], addDays(ids.today, 10))).id;
  await move('pa.partner', ids.ref, 'accepted');
  await move('pa.partner', ids.ref, 'enrolled');
  r = await c('pa.partner').post(`/api/v1/programmes/${ids.prog}/attendance`, { session_on: ids.today,
    entries: [{ referral_id: ids.ref, status: 'present' }] });
  assert.equal(r.status, 200, r.text);
  r = await c('pa.partner').post(`/api/v1/referrals/${ids.ref}/progress-notes`, { written_on: ids.today, text: 'Came on time, took part.' });
  assert.equal(r.status, 201, r.text);
  // Another unit's person: referred to the other partner with everything shared, and to this partner with the name.
  ids.otherRef = (await refer('pa.officer.b', ids.other.id, ids.prog2, ['name', 'birth_date', 'sex', 'languages', 'phone',
    'address', 'officer', 'needs'], addDays(ids.today, 10))).id;
  await move('pa.partner.other', ids.otherRef, 'accepted');
  await move('pa.partner.other', ids.otherRef, 'enrolled');
  ids.otherRefHere = (await refer('pa.officer.b', ids.other.id, ids.prog, ['name'], addDays(ids.today, 10))).id;
  await move('pa.partner', ids.otherRefHere, 'accepted');
  await move('pa.partner', ids.otherRefHere, 'enrolled');
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

// What must never reach the provider of a referral sharing only the name.
const never = () => [
  ['birth date', PERSON.birth_date], ['address', 'Sheberdi'], ['phone', '918273'], ['patronymic', PERSON.patronymic],
  ['latin patronymic', PERSON.patronymic_latin], ['case id', ids.case.id], ['person id', ids.case.person],
  ['plan objective', 'steady work'],
  ['other referral', ids.otherRef], ['other birth date', OTHER.birth_date], ['other address', 'Orozbakov'],
  ['other phone', '604417'], ['other patronymic', OTHER.patronymic], ['other case id', ids.other.id],
  ['other person id', ids.other.person],
];

test('the provider\'s user through every GET route: only the shared name, nothing else of the person or the case', async () => {
  const candidates = [ids.case.id, ids.case.person, ids.ref, ids.prog, ids.p1, ids.other.id, ids.other.person,
    ids.otherRef, ids.prog2, ids.p2];
  const answers = await callEveryGet(c('pa.partner'), candidates);
  assert.ok(answers.length > 100, `${answers.length} calls`);
  const leaks = [];
  for (const a of answers) {
    assert.ok(a.status < 500, `${a.path}: ${a.status} ${a.text.slice(0, 300)}`);
    if (!permitted(a.route)) assert.equal(a.status, 403, `${a.path} (${a.route.permission}) answered ${a.status}`);
    for (const [what, value] of never()) if (a.text.includes(value)) leaks.push(`${a.path} holds the ${what}`);
  }
  assert.deepEqual(leaks, []);
  // The routes that do show the referral: the name is there (the search above is not vacuous), as is the number.
  const seen = (path) => answers.find((a) => a.path === path);
  for (const path of [`/api/v1/referrals/${ids.ref}`, '/api/v1/referrals', `/api/v1/programmes/${ids.prog}/participants`]) {
    assert.equal(seen(path).status, 200, `${path}: ${seen(path).text}`);
    assert.ok(seen(path).text.includes(PERSON.surname) && seen(path).text.includes(PERSON.given_name_latin), path);
    assert.ok(seen(path).text.includes(ids.case.number), path);
  }
  // A case, a person, another partner's referral or programme: unknown to the partner (404, never a 403 that would
  // tell an existing record from none).
  for (const path of [`/api/v1/cases/${ids.case.id}/referrals`, `/api/v1/referrals/${ids.otherRef}`,
    `/api/v1/programmes/${ids.prog2}`, `/api/v1/programmes/${ids.prog2}/participants`, `/api/v1/partners/${ids.p2}`])
    assert.equal(seen(path).status, 404, `${path}: ${seen(path).status}`);
  // The other person's referral to this provider shows, with only its shared name.
  const participants = JSON.parse(seen(`/api/v1/programmes/${ids.prog}/participants`).text);
  assert.deepEqual(participants.enrolled.map((p) => p.referral_id).sort(), [ids.ref, ids.otherRefHere].sort());
  assert.deepEqual(participants.others, { enrolled: 0, waiting: 0 });
  for (const p of participants.enrolled) assert.deepEqual(Object.keys(p.person).sort(), ['case_number', 'name']);

  // The other partner: nothing of either person.
  const others = await callEveryGet(c('pa.partner.other'), [ids.case.id, ids.case.person, ids.ref, ids.prog, ids.p1]);
  for (const a of others) {
    for (const value of [ids.case.id, ids.case.person, ids.ref, PERSON.surname, PERSON.birth_date, PERSON.given_name_latin])
      assert.equal(a.text.includes(value), false, `${a.path} shows the other partner ${value}`);
  }
  // Every read of the referral by the provider was logged with the share as its basis.
  const log = await clock.call('GET', `/api/v1/audit?${new URLSearchParams({ record_type: 'referral', record_id: ids.ref, action: 'consult', limit: '200' })}`);
  const reads = log.body.items.filter((e) => e.actor_login === 'pa.partner');
  assert.ok(reads.length >= 3, JSON.stringify(log.body.items.slice(0, 3)));
  for (const e of reads) assert.equal(e.justification, `referral share until ${addDays(ids.today, 10)}: name`);
});

test('the provider cannot change a share, move outside the table, or reach a case by its id', async () => {
  const v = (await c('pa.officer').get(`/api/v1/referrals/${ids.ref}`)).body.version;
  let r = await c('pa.partner').put(`/api/v1/referrals/${ids.ref}/share`, { shared_fields: ['name', 'birth_date'],
    share_until: addDays(ids.today, 20) }, ifMatch(v));
  assert.equal(r.status, 403, r.text);
  r = await c('pa.partner').post(`/api/v1/referrals/${ids.ref}/transitions`, { to: 'referred' }, ifMatch(v));
  assert.equal(r.status, 409, r.text);
  assert.deepEqual(r.body.moves.map((m) => m.to).sort(), ['completed', 'withdrawn']);
  r = await c('pa.partner').post(`/api/v1/referrals/${ids.ref}/transitions`, { to: 'completed' }, ifMatch(v));
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /report-missing/);
  const after = (await c('pa.officer').get(`/api/v1/referrals/${ids.ref}`)).body;
  assert.equal(after.version, v, 'nothing changed');
  assert.deepEqual(after.shared_fields, ['name']);
  assert.equal(after.status, 'enrolled');
});

test('staff see the referrals of their own units\' cases; another unit\'s appear only as counts', async () => {
  let r = await c('pa.officer').get('/api/v1/referrals');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((x) => x.id), [ids.ref]);
  r = await c('pa.officer').get(`/api/v1/programmes/${ids.prog}/participants`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.enrolled.map((p) => p.referral_id), [ids.ref]);
  assert.deepEqual(r.body.others, { enrolled: 1, waiting: 0 });
  r = await c('pa.officer').get(`/api/v1/programmes/${ids.prog2}/participants`);
  assert.deepEqual(r.body.enrolled, []);
  assert.deepEqual(r.body.others, { enrolled: 1, waiting: 0 });
  for (const path of [`/api/v1/referrals/${ids.otherRef}`, `/api/v1/referrals/${ids.otherRefHere}`, `/api/v1/cases/${ids.other.id}/referrals`]) {
    r = await c('pa.officer').get(path);
    assert.ok(r.status === 403 || r.status === 428, `${path}: ${r.status}`);
  }
  // Nothing of the other unit's person in any of these answers, nor in the officer's lists.
  for (const path of ['/api/v1/referrals', `/api/v1/programmes/${ids.prog}/participants`, `/api/v1/programmes/${ids.prog2}/participants`]) {
    r = await c('pa.officer').get(path);
    for (const value of [OTHER.surname, OTHER.given_name_latin, ids.other.id, ids.otherRef, ids.otherRefHere])
      assert.equal(r.text.includes(value), false, `${path} shows ${value}`);
  }
  // Staff do not keep the register, and moves their roles lack are refused.
  r = await c('pa.officer').post(`/api/v1/programmes/${ids.prog}/attendance`, { session_on: ids.today,
    entries: [{ referral_id: ids.ref, status: 'present' }] });
  assert.equal(r.status, 403, r.text);
  const v = (await c('pa.officer').get(`/api/v1/referrals/${ids.ref}`)).body.version;
  r = await c('pa.officer').post(`/api/v1/referrals/${ids.ref}/transitions`, { to: 'completed' }, ifMatch(v));
  assert.equal(r.status, 409, r.text);
});

test('places under concurrency: of simultaneous enrolments in the last place one wins; simultaneous referrals of a case to a programme make one', async () => {
  const r0 = await admin.post('/api/v1/programmes', { name: 'One place', type: 'mentoring', provider_agency_id: ids.p1, places: 1,
    schedule: 'Fridays 10:00-12:00', languages: ['ky'], eligibility: 'Adults under supervision' });
  assert.equal(r0.status, 201, r0.text);
  const one = r0.body.id;
  const refs = [];
  for (const surname of ['Алиев', 'Бакиров', 'Виноградов', 'Гулямов']) {
    const k = await openCase('pa.officer', { surname, given_name: 'Тест', birth_date: '1990-01-01', languages: ['ky'] });
    const ref = await refer('pa.officer', k.id, one, ['name'], addDays(ids.today, 10));
    refs.push((await move('pa.partner', ref.id, 'accepted')));
  }
  const answers = await Promise.all(refs.map((ref) => c('pa.partner').post(`/api/v1/referrals/${ref.id}/transitions`,
    { to: 'enrolled' }, ifMatch(ref.version))));
  assert.deepEqual(answers.map((r) => r.status).sort(), [200, 409, 409, 409], answers.map((r) => r.text).join('\n'));
  for (const r of answers.filter((x) => x.status === 409)) assert.match(r.body.type, /programme-full/);
  assert.equal(Number(sql(srv.db, `SELECT COUNT(*) FROM referral WHERE programme_id = ${q(one)} AND status = 'enrolled'`)), 1);
  const g = await c('pa.officer').get(`/api/v1/programmes/${one}`);
  assert.equal(g.body.places_taken, 1);
  assert.equal(g.body.places_free, 0);

  const k = await openCase('pa.officer', { surname: 'Дуйшеев', given_name: 'Тест', birth_date: '1990-01-01', languages: ['ky'] });
  const made = await Promise.all([1, 2, 3].map(() => c('pa.officer').post(`/api/v1/cases/${k.id}/referrals`, { programme_id: ids.prog,
    reason: 'Mentoring to rebuild ties with the community', shared_fields: ['name'], share_until: addDays(ids.today, 10) })));
  assert.deepEqual(made.map((r) => r.status).sort(), [201, 409, 409], made.map((r) => r.text).join('\n'));
  assert.equal(Number(sql(srv.db, `SELECT COUNT(*) FROM referral WHERE case_id = ${q(k.id)}`)), 1);
});

test('when the share ends the provider learns nothing more: no route shows the referral or the name', async () => {
  // Shared until the end of today; still visible today.
  let v = (await c('pa.officer').get(`/api/v1/referrals/${ids.ref}`)).body.version;
  let r = await c('pa.officer').put(`/api/v1/referrals/${ids.ref}/share`, { shared_fields: ['name'], share_until: ids.today }, ifMatch(v));
  assert.equal(r.status, 200, r.text);
  assert.equal((await c('pa.partner').get(`/api/v1/referrals/${ids.ref}`)).status, 200, 'still today');
  // The next local day (the zone is at mid-morning now).
  await clock.move(Date.now() + DAY);
  const tomorrow = addDays(ids.today, 1);
  for (const u of ['pa.partner', 'pa.officer']) await relogin(u);
  const gone = [['referral id', ids.ref], ['surname', PERSON.surname], ['given name', PERSON.given_name],
    ['latin surname', PERSON.surname_latin], ['latin given name', PERSON.given_name_latin], ...never()];
  const answers = await callEveryGet(c('pa.partner'), [ids.case.id, ids.case.person, ids.ref, ids.prog, ids.p1]);
  const leaks = [];
  for (const a of answers) {
    assert.ok(a.status < 500, `${a.path}: ${a.status}`);
    for (const [what, value] of gone) if (a.text.includes(value)) leaks.push(`${a.path} holds the ${what}`);
  }
  assert.deepEqual(leaks, []);
  assert.equal(answers.find((a) => a.path === `/api/v1/referrals/${ids.ref}`).status, 404);
  // The other person's live referral still shows: the lists work, they just leave the ended share out.
  const participants = answers.find((a) => a.path === `/api/v1/programmes/${ids.prog}/participants`);
  assert.equal(participants.status, 200);
  assert.deepEqual(JSON.parse(participants.text).enrolled.map((p) => p.referral_id), [ids.otherRefHere]);

  // Nor can it act on it: every change answers as for an unknown referral, and nothing is written.
  const before = Number(sql(srv.db, `SELECT version FROM referral WHERE id = ${q(ids.ref)}`));
  r = await c('pa.partner').post(`/api/v1/referrals/${ids.ref}/transitions`, { to: 'withdrawn', reason_code: 'motivation' }, ifMatch(before));
  assert.equal(r.status, 404, r.text);
  r = await c('pa.partner').put(`/api/v1/referrals/${ids.ref}/report`, { outcome: 'achieved', report: 'Finished the whole course well.' }, ifMatch(before));
  assert.equal(r.status, 404, r.text);
  r = await c('pa.partner').post(`/api/v1/referrals/${ids.ref}/progress-notes`, { written_on: tomorrow, text: 'One more note' });
  assert.equal(r.status, 404, r.text);
  r = await c('pa.partner').post(`/api/v1/programmes/${ids.prog}/attendance`, { session_on: tomorrow,
    entries: [{ referral_id: ids.ref, status: 'present' }] });
  assert.equal(r.status, 422, r.text);
  for (const [, value] of gone) assert.equal(r.text.includes(value) && value !== ids.ref, false, r.text);
  assert.equal(Number(sql(srv.db, `SELECT version FROM referral WHERE id = ${q(ids.ref)}`)), before);
  assert.equal(Number(sql(srv.db, `SELECT COUNT(*) FROM referral_attendance WHERE referral_id = ${q(ids.ref)}`)), 1);
  assert.equal(Number(sql(srv.db, `SELECT COUNT(*) FROM referral_progress_note WHERE referral_id = ${q(ids.ref)}`)), 1);
  // Each refusal logged as a denial for the ended share.
  const log = await clock.call('GET', `/api/v1/audit?${new URLSearchParams({ record_type: 'referral', record_id: ids.ref, action: 'access.denied', limit: '200' })}`);
  const denied = log.body.items.filter((e) => e.actor_login === 'pa.partner');
  assert.ok(denied.length >= 5, JSON.stringify(denied));
  assert.ok(denied.every((e) => e.detail === 'share expired'), JSON.stringify(denied.map((e) => e.detail)));
  // The referring staff still see it, the share marked as ended.
  r = await c('pa.officer').get(`/api/v1/referrals/${ids.ref}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.share_live, false);
});
