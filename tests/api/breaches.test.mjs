// Breach allegations by due process (S6-S9): reported, notified, the person's account, the officer's
// assessment, a unit head's countersignature (never the assessor's own), then referral to the competent
// authority (decision, appeal) or closure with the service's own response; withdrawal before a decision.
// Every transition is If-Match guarded, a breach_event row, a timeline event and a processing-log entry; a
// transition from the wrong state is 409 with what must happen first. The authority sees only what is referred
// to it; the three documents print in ky, ru and en.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin, officer, head, head2, authority, auditor, officerB;
const ids = {};

function today(timeZone = 'Asia/Bishkek') {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

async function user(login, role, agency, unit) {
  const r = await admin.post('/api/v1/users', { login, display_name: `Test ${login}`, agency_id: agency, unit_id: unit, roles: [role] });
  assert.equal(r.status, 201, r.text);
  return (await firstLogin(srv.url, login, r.body.one_time_password)).client;
}

const ALLEGATION = 'Did not report to the probation office on the appointed Monday and gave no reason';

// A breach allegation exists only from a verified alert (S25): an officer raises one and verifies it.
async function newBreach(allegation = ALLEGATION, conditionIds = [ids.condition]) {
  const occurred = addDays(today(), -3);
  const r = await officer.post(`/api/v1/cases/${ids.case}/alerts`, { summary: 'Missed the Monday appointment', severity: 'high' });
  assert.equal(r.status, 201, r.text);
  const v = await officer.post(`/api/v1/alerts/${r.body.id}/verification`, {
    outcome: 'breach', reasons: 'Confirmed: no contact and no reason given',
    breach: { allegation, occurred_on: occurred, condition_ids: conditionIds },
  }, { 'if-match': `"${r.body.version}"` });
  assert.equal(v.status, 200, v.text);
  assert.ok(v.body.breach_id);
  return v.body.breach_id;
}

async function read(client, id) {
  const r = await client.get(`/api/v1/breaches/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
}

// One transition under If-Match of the version just read.
async function move(client, id, action, body, expect = 200) {
  const b = await read(officer, id).catch(() => null) ?? await read(client, id);
  const r = await client.post(`/api/v1/breaches/${id}/${action}`, body, { 'if-match': `"${b.version}"` });
  assert.equal(r.status, expect, `${action}: ${r.text}`);
  return r;
}

const notification = () => ({ notified_on: today(), method: 'in_person', language: 'ky' });
const account = () => ({ kind: 'given', text: 'Менин апам ооруканада жаткан, ошон үчүн келе алган жокмун.', account_on: today() });
const assessment = (recommended) => ({
  facts: 'He missed one appointment; his mother was in hospital (discharge note seen).',
  alternatives: 'A warning; more frequent contact for a month; help arranging care for his mother.',
  recommended_response: recommended,
});
const decision = (extra = {}) => ({
  outcome: 'warning', reasons: 'A single missed appointment with a credible family reason.',
  alternatives_considered: 'Custody was not proportionate; a warning and closer contact suffice.',
  authority_reference: '1-77/26', decided_on: today(), appeal_route: 'Bishkek City Court, appeal chamber', ...extra,
});

before(async () => {
  srv = await startServer();
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'br.admin')))).client;
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Breach Probation', kind: 'probation' })).body.id;
  ids.region = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Region' })).body.id;
  ids.a = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office A', parent_id: ids.region })).body.id;
  ids.b = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office B', parent_id: ids.region })).body.id;
  let r = await admin.post('/api/v1/agencies', { name: 'Oktyabrsky district court', kind: 'court' });
  ids.court = r.body.id;
  r = await admin.post('/api/v1/units', { agency_id: ids.court, name: 'Criminal chamber' });
  ids.chamber = r.body.id;
  officer = await user('br.officer', 'probation_officer', ids.agency, ids.a);
  officerB = await user('br.officer.b', 'probation_officer', ids.agency, ids.b);
  head = await user('br.head', 'unit_head', ids.agency, ids.region);
  head2 = await user('br.head2', 'unit_head', ids.agency, ids.region);
  authority = await user('br.judge', 'competent_authority', ids.court, ids.chamber);
  r = await admin.post('/api/v1/users', { login: 'br.auditor', display_name: 'Test auditor', agency_id: ids.agency, unit_id: null, roles: ['auditor'] });
  assert.equal(r.status, 201, r.text);
  auditor = (await firstLogin(srv.url, 'br.auditor', r.body.one_time_password)).client;
  r = await officer.post('/api/v1/people', { surname: 'Токтогулов', given_name: 'Эрлан', birth_date: '1990-04-12', languages: ['ky'] });
  assert.equal(r.status, 201, r.text);
  ids.person = r.body.id;
  r = await officer.post('/api/v1/cases', { person_id: ids.person, kind: 'executive', opened_on: addDays(today(), -40), open_reason: 'Court order received' });
  assert.equal(r.status, 201, r.text);
  ids.case = r.body.id;
  // Allocated to the officer, who is then the one its alerts go to (and who may verify them).
  const officerId = sql(srv.db, `SELECT id FROM account WHERE login = 'br.officer'`);
  r = await head.post(`/api/v1/cases/${ids.case}/allocation`, { officer_id: officerId, reason: 'Allocate' });
  assert.equal(r.status, 200, r.text);
  r = await officer.post(`/api/v1/cases/${ids.case}/decisions`, {
    authority: 'Oktyabrsky district court', number: '1-55/26', decided_on: addDays(today(), -40),
    measure: 'probation_supervision', articles: ['CC-130'], start_on: addDays(today(), -30), term: '2y',
    duties: ['residence', 'report'],
  });
  assert.equal(r.status, 201, r.text);
  ids.decision = r.body.id;
  const catalogue = (await officer.get('/api/v1/condition-catalogue')).body;
  const report = catalogue.conditions.find((c) => c.duty === 'report');
  const params = {};
  for (const p of report.params ?? []) if (p.type === 'integer' || p.type === 'number') params[p.name] = 1;
  r = await officer.post(`/api/v1/cases/${ids.case}/conditions`, {
    decision_id: ids.decision, free_text: 'Report to the probation office every Monday at 10:00', duty: 'report',
    answers: 'need', answers_detail: 'Structure and contact', review_on: addDays(today(), 90),
  });
  assert.equal(r.status, 201, r.text);
  ids.condition = r.body.id;
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

let A; // the breach walked to a decision and an appeal

test('a reported allegation shows its next step; illegal transitions are 409 with what must happen first', async () => {
  A = await newBreach();
  const b = await read(officer, A);
  assert.equal(b.state, 'reported');
  assert.equal(b.allegation, ALLEGATION);
  assert.equal(b.person_language, 'ky');
  assert.equal(b.person_name, 'Токтогулов Эрлан');
  assert.equal(b.conditions.length, 1);
  assert.equal(b.conditions[0].id, ids.condition);
  assert.match(b.conditions[0].text, /Monday/);
  assert.equal(b.next.step, 'notification');
  assert.deepEqual(b.next.actions, ['notification', 'withdrawal']);
  assert.match(b.next.message, /Notify the person/);
  assert.equal(b.events.length, 1);
  const wrong = {
    account: [officer, account(), /must be notified of the allegation before their account is recorded/],
    assessment: [officer, assessment('warning'), /account .* must be recorded before the officer's assessment/],
    countersignature: [head2, { decision: 'countersign' }, /must assess the allegation before a unit head countersigns/],
    referral: [officer, { authority: 'Court' }, /must countersign the assessment before the allegation is referred/],
    closure: [officer, { reasons: 'x' }, /must countersign the assessment before the allegation is closed/],
    appeal: [officer, { appealed_on: today(), by: 'person', grounds: 'x' }, /must decide the allegation before an appeal/],
  };
  for (const [action, [client, body, message]] of Object.entries(wrong)) {
    const r = await client.post(`/api/v1/breaches/${A}/${action}`, body, { 'if-match': `"${b.version}"` });
    assert.equal(r.status, 409, `${action}: ${r.text}`);
    assert.match(r.body.type, /breach-state/);
    assert.match(r.body.detail, message);
    assert.equal(r.body.next.step, 'notification', action);
  }
  // The authority's own transitions on an allegation not referred to it: it does not exist for the authority
  // (as on GET), so nothing of its state leaks; S8 holds because only a referral, which needs the account and
  // the facts, brings it there.
  let r = await authority.post(`/api/v1/breaches/${A}/decision`, decision(), { 'if-match': `"${b.version}"` });
  assert.equal(r.status, 404, r.text);
  assert.equal(r.body.state, undefined);
  r = await authority.post(`/api/v1/breaches/${A}/appeal-decision`, { outcome: 'upheld', decided_on: today(), reasons: 'x' }, { 'if-match': `"${b.version}"` });
  assert.equal(r.status, 404, r.text);
  // S8: only the competent authority decides (the route's permission).
  r = await officer.post(`/api/v1/breaches/${A}/decision`, decision(), { 'if-match': `"${b.version}"` });
  assert.equal(r.status, 403, r.text);
  r = await head.post(`/api/v1/breaches/${A}/decision`, decision(), { 'if-match': `"${b.version}"` });
  assert.equal(r.status, 403, r.text);
  assert.equal((await read(officer, A)).version, b.version, 'nothing moved');
});

test('If-Match is required and checked; bad bodies name each field', async () => {
  let r = await officer.post(`/api/v1/breaches/${A}/notification`, notification());
  assert.equal(r.status, 428, r.text);
  r = await officer.post(`/api/v1/breaches/${A}/notification`, notification(), { 'if-match': '"7"' });
  assert.equal(r.status, 412, r.text);
  r = await officer.post(`/api/v1/breaches/${A}/notification`, { notified_on: addDays(today(), 1), method: 'pigeon', language: 'de', account_due_on: addDays(today(), -1), extra: 1 }, { 'if-match': '"1"' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['account_due_on', 'extra', 'language', 'method', 'notified_on']);
  r = await officer.post(`/api/v1/breaches/${A}/notification`, {}, { 'if-match': '"1"' });
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['language', 'method', 'notified_on']);
  r = await officer.post(`/api/v1/breaches/${A}/notification`, { ...notification(), notified_on: addDays(today(), -30) }, { 'if-match': '"1"' });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'notified_on');
  // Another unit's officer may not touch it (nor see it).
  r = await officerB.post(`/api/v1/breaches/${A}/notification`, notification(), { 'if-match': '"1"' });
  assert.equal(r.status, 403, r.text);
  assert.equal(count('breach_event', `breach_id = '${A}'`), 1);
});

test('notification, account, assessment: each a row, a timeline event and a log entry', async () => {
  let r = await move(officer, A, 'notification', notification());
  assert.equal(r.body.state, 'notified');
  assert.equal(r.body.account_due_on, addDays(today(), 10), 'breaches.account_days after notified_on');
  assert.equal(r.body.notice_method, 'in_person');
  assert.equal(r.body.next.step, 'account');
  assert.equal(r.headers.get('etag'), '"2"');
  // none_by_deadline before the deadline: refused on `kind`.
  r = await officer.post(`/api/v1/breaches/${A}/account`, { kind: 'none_by_deadline', account_on: today() }, { 'if-match': '"2"' });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'kind');
  r = await officer.post(`/api/v1/breaches/${A}/account`, { kind: 'given', account_on: today() }, { 'if-match': '"2"' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['text']);
  r = await move(officer, A, 'account', account());
  assert.equal(r.body.state, 'account_recorded');
  assert.equal(r.body.account_text, account().text);
  r = await officer.post(`/api/v1/breaches/${A}/assessment`, { facts: '   ', alternatives: 'x', recommended_response: 'positive_progress' }, { 'if-match': '"3"' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['facts']);
  r = await officer.post(`/api/v1/breaches/${A}/assessment`, { ...assessment('positive_progress') }, { 'if-match': '"3"' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['recommended_response']);
  r = await move(head, A, 'assessment', assessment('referral'));
  assert.equal(r.body.state, 'assessed');
  assert.equal(r.body.assessed_by_name, 'Test br.head');
  assert.equal(r.body.next.step, 'countersignature');
  const b = await read(officer, A);
  assert.deepEqual(b.events.map((e) => [e.action, e.from_state, e.to_state]), [
    ['report', null, 'reported'], ['notification', 'reported', 'notified'],
    ['account', 'notified', 'account_recorded'], ['assessment', 'account_recorded', 'assessed']]);
  assert.equal(b.events[3].actor_name, 'Test br.head');
  const tl = (await officer.get(`/api/v1/cases/${ids.case}/timeline`)).body.items.map((e) => e.kind);
  for (const k of ['breach.notified', 'breach.account_recorded', 'breach.assessed']) assert.ok(tl.includes(k), k);
  assert.equal(count('audit_log', `action = 'alter' AND record_type = 'breach' AND record_id = '${A}'`), 3);
});

test('the assessor may not countersign; a return sends it back; another head countersigns', async () => {
  let b = await read(officer, A);
  let r = await head.post(`/api/v1/breaches/${A}/countersignature`, { decision: 'countersign' }, { 'if-match': `"${b.version}"` });
  assert.equal(r.status, 403, r.text);
  assert.match(r.body.type, /own-assessment/);
  assert.match(r.body.detail, /did not make the assessment/);
  r = await officer.post(`/api/v1/breaches/${A}/countersignature`, { decision: 'countersign' }, { 'if-match': `"${b.version}"` });
  assert.equal(r.status, 403, 'an officer does not countersign');
  r = await head2.post(`/api/v1/breaches/${A}/countersignature`, { decision: 'return' }, { 'if-match': `"${b.version}"` });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'note');
  r = await move(head2, A, 'countersignature', { decision: 'return', note: 'Say which alternatives the person agreed to' });
  assert.equal(r.body.state, 'account_recorded');
  r = await move(head, A, 'assessment', assessment('referral'));
  r = await move(head2, A, 'countersignature', { decision: 'countersign' });
  assert.equal(r.body.state, 'countersigned');
  assert.equal(r.body.countersigned_by_name, 'Test br.head2');
  assert.equal(r.body.next.step, 'referral', 'the recommended response needs the authority');
  assert.deepEqual(r.body.next.actions, ['referral', 'withdrawal']);
  b = r.body;
  r = await officer.post(`/api/v1/breaches/${A}/closure`, { reasons: 'x' }, { 'if-match': `"${b.version}"` });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.detail, /needs the competent authority: refer the allegation instead/);
  const tl = (await officer.get(`/api/v1/cases/${ids.case}/timeline`)).body.items.map((e) => e.kind);
  assert.ok(tl.includes('breach.returned'));
  assert.ok(tl.includes('breach.countersigned'));
});

test('the authority does not see an allegation before it is referred; then it does, logged as a referral', async () => {
  let r = await authority.get(`/api/v1/breaches/${A}`);
  assert.equal(r.status, 404, r.text);
  r = await authority.get('/api/v1/breaches');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items, []);
  r = await authority.get(`/api/v1/breaches/${A}/documents/referral-pack`);
  assert.equal(r.status, 404, r.text);
  r = await officerB.get(`/api/v1/breaches/${A}`);
  assert.equal(r.status, 403, r.text);
  r = await move(officer, A, 'referral', { authority: 'Oktyabrsky district court', note: 'Please decide on the recommended referral' });
  assert.equal(r.body.state, 'referred');
  assert.equal(r.body.authority, 'Oktyabrsky district court');
  assert.ok(r.body.response_id, 'the referral is recorded as a response');
  assert.equal(count('response', `breach_id = '${A}' AND code = 'referral'`), 1);
  r = await authority.get('/api/v1/breaches');
  assert.deepEqual(r.body.items.map((x) => x.id), [A]);
  assert.equal(r.body.next_cursor, null);
  r = await authority.get(`/api/v1/breaches/${A}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.next.step, 'decision');
  assert.ok(count('audit_log', `action = 'consult' AND record_type = 'breach' AND record_id = '${A}' AND justification = 'Referred to the competent authority for decision'`) >= 2);
});

test('the competent authority decides with alternatives and the appeal route; an appeal and its outcome follow', async () => {
  let b = await read(authority, A);
  let r = await authority.post(`/api/v1/breaches/${A}/decision`, decision({ alternatives_considered: '' }), { 'if-match': `"${b.version}"` });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['alternatives_considered']);
  r = await authority.post(`/api/v1/breaches/${A}/decision`, decision({ appeal_route: undefined, decided_on: addDays(today(), 1) }), { 'if-match': `"${b.version}"` });
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['appeal_route', 'decided_on']);
  r = await authority.post(`/api/v1/breaches/${A}/decision`, decision(), { 'if-match': `"${b.version}"` });
  assert.equal(r.status, 200, r.text);
  b = r.body;
  assert.equal(b.state, 'decided');
  assert.equal(b.decided_by_name, 'Test br.judge');
  assert.equal(b.appeal_deadline_on, addDays(today(), 10), 'breaches.appeal_days after decided_on');
  assert.equal(b.next.step, 'appeal');
  assert.match(b.next.message, new RegExp(`appealed until ${b.appeal_deadline_on}`));
  r = await authority.get(`/api/v1/breaches/${A}`);
  assert.equal(r.status, 200, 'the authority still sees what it decided');
  r = await officer.post(`/api/v1/breaches/${A}/appeal`, { appealed_on: addDays(today(), 11), by: 'person', grounds: 'x' }, { 'if-match': `"${b.version}"` });
  assert.equal(r.status, 422, r.text);
  r = await officer.post(`/api/v1/breaches/${A}/appeal`, { appealed_on: today(), by: 'defender', grounds: 'The family reason was not weighed.' }, { 'if-match': `"${b.version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.state, 'appealed');
  r = await authority.post(`/api/v1/breaches/${A}/appeal-decision`, { outcome: 'upheld', decided_on: today(), reasons: 'The warning was proportionate.' }, { 'if-match': `"${r.body.version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.state, 'appeal_decided');
  assert.equal(r.body.next.step, null);
  r = await officer.post(`/api/v1/breaches/${A}/withdrawal`, { reason: 'x' }, { 'if-match': `"${r.body.version}"` });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.detail, /not yet decided, closed or withdrawn/);
  const tl = (await officer.get(`/api/v1/cases/${ids.case}/timeline`)).body.items.map((e) => e.kind);
  for (const k of ['breach.referred', 'breach.decided', 'breach.appealed', 'breach.appeal_decided']) assert.ok(tl.includes(k), k);
});

test('the documents print in ky, ru and en with the key facts; a document not yet available is 409', async () => {
  for (const [lang, deadline, heading] of [['ky', addDays(today(), 10).split('-').reverse().join('.'), 'Компетенттүү органга жолдомо'],
    ['ru', addDays(today(), 10).split('-').reverse().join('.'), 'Направление в компетентный орган'], ['en', null, 'Referral to the competent authority']]) {
    let r = await officer.get(`/api/v1/breaches/${A}/documents/referral-pack?lang=${lang}`);
    assert.equal(r.status, 200, lang);
    assert.match(r.headers.get('content-type'), /text\/html/);
    assert.match(r.headers.get('content-security-policy'), /default-src 'none'/);
    let html = r.text;
    assert.ok(html.includes(heading), lang);
    assert.ok(html.includes(ALLEGATION), `${lang}: the allegation`);
    assert.ok(html.includes(account().text), `${lang}: the account verbatim`);
    assert.ok(html.includes('1-55/26'), `${lang}: the decision`);
    assert.ok(html.includes('Report to the probation office every Monday'), `${lang}: the conditions`);
    assert.ok(html.includes('Test br.head2'), `${lang}: the countersignature`);
    r = await officer.get(`/api/v1/breaches/${A}/documents/decision?lang=${lang}`);
    html = r.text;
    assert.equal(r.status, 200, lang);
    assert.ok(html.includes(ALLEGATION), `${lang}: the allegation`);
    assert.ok(html.includes('Custody was not proportionate'), `${lang}: the alternatives considered`);
    assert.ok(html.includes('Bishkek City Court, appeal chamber'), `${lang}: the appeal route`);
    if (deadline) assert.ok(html.includes(deadline), `${lang}: the appeal deadline ${deadline}`);
    else assert.match(html, /An appeal may be lodged until \d+ \w+ \d{4}/);
    r = await officer.get(`/api/v1/breaches/${A}/documents/notification?lang=${lang}`);
    html = r.text;
    assert.ok(html.includes(ALLEGATION), `${lang}: the allegation`);
  }
  // The person's language by default; the authority reads what it decided.
  let r = await officer.get(`/api/v1/breaches/${A}/documents/notification`);
  let html = r.text;
  assert.match(html, /lang="ky"/);
  assert.ok(html.includes('Азырынча эч нерсе чечиле элек'), 'nothing is decided yet');
  r = await authority.get(`/api/v1/breaches/${A}/documents/decision?lang=ru`);
  assert.equal(r.status, 200);
  assert.ok((r.text).includes('Жалоба может быть подана до'));
  const B = await newBreach('Came to the office drunk <script>alert(1)</script>');
  r = await officer.get(`/api/v1/breaches/${B}/documents/referral-pack`);
  assert.equal(r.status, 409);
  r = await officer.get(`/api/v1/breaches/${B}/documents/decision`);
  assert.equal(r.status, 409);
  r = await officer.get(`/api/v1/breaches/${B}/documents/notification?lang=en`);
  html = r.text;
  assert.ok(!html.includes('<script>alert'), 'escaped');
  assert.ok(html.includes('&lt;script&gt;'));
  r = await officer.get(`/api/v1/breaches/${B}/documents/nonsense`);
  assert.equal(r.status, 404);
  ids.B = B;
});

test('closure with the service\'s own response; referral refused for it; withdrawal with a reason', async () => {
  const B = ids.B;
  await move(officer, B, 'notification', { notified_on: today(), method: 'letter', language: 'ru', account_due_on: today() });
  await move(officer, B, 'account', { kind: 'declined', account_on: today() });
  await move(officer, B, 'assessment', assessment('warning'));
  let r = await move(head, B, 'countersignature', { decision: 'countersign', note: 'Agreed' });
  assert.equal(r.body.next.step, 'closure');
  r = await officer.post(`/api/v1/breaches/${B}/referral`, { authority: 'Court' }, { 'if-match': `"${r.body.version}"` });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.detail, /close the allegation instead/);
  assert.equal(r.body.next.step, 'closure');
  let b = await read(officer, B);
  r = await officer.post(`/api/v1/breaches/${B}/closure`, { response: 'referral', reasons: 'x' }, { 'if-match': `"${b.version}"` });
  assert.equal(r.status, 422, 'a closing response must need no authority');
  assert.equal(r.body.errors[0].field, 'response');
  r = await officer.post(`/api/v1/breaches/${B}/closure`, { response: 'positive_progress', reasons: 'x' }, { 'if-match': `"${b.version}"` });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'response');
  r = await move(officer, B, 'closure', { response: 'formal_warning', reasons: 'Second lapse in a month: a formal warning' });
  assert.equal(r.body.state, 'closed');
  assert.equal(r.body.close_reason, 'Second lapse in a month: a formal warning');
  assert.equal(r.body.closed_by_name, 'Test br.officer');
  assert.equal(count('response', `breach_id = '${B}' AND code = 'formal_warning'`), 1);
  assert.equal(r.body.next.step, null);
  const C = await newBreach('Left the city without permission');
  r = await officer.post(`/api/v1/breaches/${C}/withdrawal`, {}, { 'if-match': '"1"' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'reason');
  r = await move(officer, C, 'withdrawal', { reason: 'The trip was approved by the court; the alert was mistaken' });
  assert.equal(r.body.state, 'withdrawn');
  assert.equal(r.body.events.at(-1).reason, 'The trip was approved by the court; the alert was mistaken');
  r = await officer.post(`/api/v1/breaches/${C}/notification`, notification(), { 'if-match': `"${r.body.version}"` });
  assert.equal(r.status, 409);
  assert.equal(r.body.next.step, null);
  const tl = (await officer.get(`/api/v1/cases/${ids.case}/timeline`)).body.items.map((e) => e.kind);
  assert.ok(tl.includes('breach.closed'));
  assert.ok(tl.includes('breach.withdrawn'));
});

test('lists: the case\'s allegations, the unit queue by state with a cursor, the authority\'s queue', async () => {
  let r = await officer.get(`/api/v1/cases/${ids.case}/breaches`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.items.length, 3);
  assert.ok(r.body.items.every((x) => x.next && 'step' in x.next));
  r = await officer.get('/api/v1/breaches?state=closed');
  assert.deepEqual(r.body.items.map((x) => x.id), [ids.B]);
  r = await head.get('/api/v1/breaches?limit=2');
  assert.equal(r.body.items.length, 2);
  assert.ok(r.body.next_cursor);
  const r2 = await head.get(`/api/v1/breaches?limit=2&cursor=${encodeURIComponent(r.body.next_cursor)}`);
  assert.equal(r2.status, 200, r2.text);
  assert.equal(r2.body.items.length, 1);
  assert.equal(r2.body.next_cursor, null);
  assert.equal(new Set([...r.body.items, ...r2.body.items].map((x) => x.id)).size, 3);
  r = await officerB.get('/api/v1/breaches');
  assert.deepEqual(r.body.items, []);
  r = await officer.get('/api/v1/breaches?state=nonsense&limit=0');
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['limit', 'state']);
  r = await authority.get('/api/v1/breaches');
  assert.deepEqual(r.body.items.map((x) => x.id), [A], 'what it decided; not the closed or withdrawn ones');
});

test('the processing log holds every read and change (auditor\'s search)', async () => {
  const r = await auditor.get(`/api/v1/audit?record_id=${A}&limit=200`);
  assert.equal(r.status, 200, r.text);
  const actions = r.body.items.map((e) => e.action);
  assert.ok(actions.filter((a) => a === 'alter').length >= 9, JSON.stringify(actions));
  assert.ok(actions.includes('consult'));
  assert.ok(r.body.items.some((e) => e.justification === 'Referred to the competent authority for decision'));
  assert.equal(count('breach_event', `breach_id = '${A}'`), 11);
});

test('nothing moves by itself (S7): running the jobs changes no allegation', async () => {
  const before = sql(srv.db, 'SELECT id, state, version FROM breach ORDER BY id');
  const r = await admin.post('/api/v1/system/jobs/run');
  assert.equal(r.status, 200, r.text);
  // Every job ran (their first slots are due at installation): the rules and the escalation looked at every case,
  // the monitoring jobs at every device, and still no allegation moved.
  assert.deepEqual(r.body.ran.map((x) => x.job).sort(),
    ['alerts.escalate', 'compliance.rules', 'em.compact', 'em.retention', 'em.silence']);
  assert.ok(r.body.ran.every((x) => x.status === 'ok'), r.text);
  assert.equal(sql(srv.db, 'SELECT id, state, version FROM breach ORDER BY id'), before);
});
