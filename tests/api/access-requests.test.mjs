// Subject-access requests (S13): registering a request and its legal deadline, the list of
// open and overdue ones, closing it (a refusal needs its reason), and the export of
// everything held on the person with the lawful redactions counted and stated, logged as
// a disclosure to the data subject (S10). Only the data-protection officer's role may do
// it, and only for people within reach (S16).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin, head, dpo, dpoB, officer;
const units = {};
let subject, other, request, overdueRequest;

function today(timeZone = 'Asia/Bishkek') {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));
const PURPOSE = { 'x-kadam-purpose': 'disclosure', 'x-kadam-justification': 'subject-access request from the person' };

async function user(login, role, unit) {
  const r = await admin.post('/api/v1/users', {
    login, display_name: `Test ${login}`, agency_id: units.agency, unit_id: unit, roles: [role],
  });
  assert.equal(r.status, 201, r.text);
  return (await firstLogin(srv.url, login, r.body.one_time_password)).client;
}

async function download(client, path, headers = {}) {
  const res = await fetch(`${srv.url}${path}`, { headers: { cookie: client.cookie, ...headers } });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

before(async () => {
  srv = await startServer();
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'sar.admin')))).client;
  units.agency = (await admin.post('/api/v1/agencies', { name: 'SAR Probation', kind: 'probation' })).body.id;
  units.region = (await admin.post('/api/v1/units', { agency_id: units.agency, name: 'Region' })).body.id;
  units.a = (await admin.post('/api/v1/units', { agency_id: units.agency, name: 'Office A', parent_id: units.region })).body.id;
  units.b = (await admin.post('/api/v1/units', { agency_id: units.agency, name: 'Office B', parent_id: units.region })).body.id;
  head = await user('sar.head', 'unit_head', units.region);
  dpo = await user('sar.dpo', 'data_protection_officer', units.region);
  dpoB = await user('sar.dpo.b', 'data_protection_officer', units.b);
  officer = await user('sar.officer', 'probation_officer', units.a);
  const csv = [
    'surname,given_name,patronymic,sex,birth_date,document_type,document_number,case_kind,unit,decision_authority,decision_date,measure,articles,start_on,term,note',
    'Асанов,Бакыт,Маратович,male,1990-02-03,passport,AN1234567,executive,Office A,Бишкек шаардык соту,2026-01-10,probation_supervision,CC-138,2026-01-15,2y,Ишке орношту',
    'Асанов,Бакыт,Маратович,male,1990-02-03,passport,AN1234567,pre_trial,Office A,,,,,,,',
    'Zzother,Secretname,,female,1980-01-01,passport,OT9999999,executive,Office A,,,,,,,Other person note MARKER-OTHER',
  ].join('\n');
  const res = await fetch(`${srv.url}/api/v1/imports?dry_run=false`, {
    method: 'POST', headers: { cookie: head.cookie, 'x-csrf-token': head.csrf, 'content-type': 'text/csv' }, body: csv,
  });
  assert.equal(res.status, 201, await res.text());
  subject = sql(srv.db, "SELECT person_id FROM person_document WHERE number = 'AN1234567'");
  other = sql(srv.db, "SELECT person_id FROM person_document WHERE number = 'OT9999999'");
  const executive = sql(srv.db, `SELECT id FROM case_file WHERE person_id = '${subject}' AND kind = 'executive'`);
  const now = Date.now();
  const officerId = sql(srv.db, "SELECT id FROM account WHERE login = 'sar.officer'");
  // What the record holds besides: notes of each sensitivity, a third party, a phone, an alias.
  sql(srv.db, `INSERT INTO note (id, case_id, author_id, written_at, sensitivity, nature, source, body) VALUES
    ('01a00000-0000-7000-8000-000000000001', '${executive}', '${officerId}', ${now}, 'normal', 'fact', 'observation', 'Attended <b>on time</b> & sober'),
    ('01a00000-0000-7000-8000-000000000002', '${executive}', '${officerId}', ${now}, 'restricted', 'assessment', 'police', 'RESTRICTED-MARKER intelligence'),
    ('01a00000-0000-7000-8000-000000000003', '${executive}', '${officerId}', ${now}, 'sensitive', 'assessment', 'person', 'Says he wants to study')`);
  sql(srv.db, `INSERT INTO third_party (id, person_id, relationship, full_name, contact, created_at) VALUES
    ('01a00000-0000-7000-8000-000000000010', '${subject}', 'spouse', 'THIRDPARTY-MARKER Асанова', '+996 555 000000', ${now})`);
  sql(srv.db, `INSERT INTO person_phone (id, person_id, number, label, created_at) VALUES
    ('01a00000-0000-7000-8000-000000000020', '${subject}', '+996 700 123456', 'mobile', ${now})`);
  sql(srv.db, `INSERT INTO person_alias (id, person_id, name, kind, created_at) VALUES
    ('01a00000-0000-7000-8000-000000000030', '${subject}', 'Bakyt Asanov', 'spelling', ${now})`);
  // A referral to a partner's programme with attendance and a progress note, and a reintegration need.
  sql(srv.db, `INSERT INTO agency (id, name, kind, created_at, updated_at) VALUES
    ('01a00000-0000-7000-8000-000000000040', 'SAR Mentors NGO', 'partner', ${now}, ${now})`);
  sql(srv.db, `INSERT INTO programme (id, name, type, provider_agency_id, places, schedule, languages, eligibility, created_at, updated_at)
    VALUES ('01a00000-0000-7000-8000-000000000041', 'Mentoring circle', 'mentoring', '01a00000-0000-7000-8000-000000000040', 10,
    'Mondays', 'ky', 'Adults', ${now}, ${now})`);
  sql(srv.db, `INSERT INTO referral (id, case_id, programme_id, partner_agency_id, status, reason, shared_fields, share_until,
    referred_on, referred_by, status_at, created_at, updated_at) VALUES ('01a00000-0000-7000-8000-000000000042', '${executive}',
    '01a00000-0000-7000-8000-000000000041', '01a00000-0000-7000-8000-000000000040', 'enrolled', 'Needs a mentor to keep to work',
    '["name","phone"]', '2026-12-31', '2026-02-01', '${officerId}', ${now}, ${now}, ${now})`);
  sql(srv.db, `INSERT INTO referral_attendance (id, referral_id, session_on, status, absence_reason, recorded_by, recorded_at) VALUES
    ('01a00000-0000-7000-8000-000000000043', '01a00000-0000-7000-8000-000000000042', '2026-02-09', 'absent', 'Ill, a note from the clinic', '${officerId}', ${now})`);
  sql(srv.db, `INSERT INTO referral_progress_note (id, referral_id, written_on, text, author_id, created_at) VALUES
    ('01a00000-0000-7000-8000-000000000044', '01a00000-0000-7000-8000-000000000042', '2026-02-10', 'Talks openly in the group', '${officerId}', ${now})`);
  sql(srv.db, `INSERT INTO reintegration_need (id, case_id, area, description, owner_agency_id, due_on, status, created_at, created_by, updated_at)
    VALUES ('01a00000-0000-7000-8000-000000000045', '${executive}', 'housing', 'A room near the workshop', '${units.agency}', '2026-03-01',
    'open', ${now}, '${officerId}', ${now})`);
  // A pre-trial report with an inquiry whose findings come from the neighbours.
  const pretrialCase = sql(srv.db, `SELECT id FROM case_file WHERE person_id = '${subject}' AND kind = 'pre_trial'`);
  const r = await officer.post(`/api/v1/cases/${pretrialCase}/pretrial-report`, { court: 'Октябрь райондук соту', received_on: today(), language: 'ky' });
  assert.equal(r.status, 201, r.text);
  const task = r.body.tasks.find((t) => t.kind === 'neighbours');
  assert.equal((await officer.put(`/api/v1/pretrial-reports/${r.body.id}/tasks/${task.id}`,
    { status: 'done', findings: 'NEIGHBOUR-MARKER said he is quiet' }, { 'if-match': '"1"' })).status, 200);
  assert.equal((await officer.put(`/api/v1/pretrial-reports/${r.body.id}`,
    { report: { family: 'Үйлөнгөн, эки баласы бар.' } }, { 'if-match': '"1"' })).status, 200);
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

test('only the data-protection role handles access requests; refusals are logged', async () => {
  assert.equal((await officer.get('/api/v1/access-requests')).status, 403);
  assert.equal((await officer.post('/api/v1/access-requests', { person_id: subject, received_on: today(), channel: 'letter', language: 'ky' })).status, 403);
  assert.equal((await officer.get(`/api/v1/people/${subject}/export?access_request_id=${subject}`)).status, 403);
  assert.ok(count('audit_log', "action = 'access.denied' AND actor_login = 'sar.officer'") >= 3);
  assert.equal(count('access_request'), 0);
});

test('registering a request: every bad field named, nothing stored; then due in 7 days', async () => {
  let r = await dpo.post('/api/v1/access-requests', { person_id: 'me', received_on: '2026-13-01', channel: 'pigeon', language: 'fr', urgent: true });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['channel', 'language', 'person_id', 'received_on', 'urgent']);
  r = await dpo.post('/api/v1/access-requests', { person_id: subject, received_on: addDays(today(), 1), channel: 'letter', language: 'ru' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'received_on');
  r = await dpo.post('/api/v1/access-requests', { person_id: '00000000-0000-7000-8000-000000000000', received_on: today(), channel: 'letter', language: 'ru' });
  assert.equal(r.status, 404);
  assert.equal(count('access_request'), 0);

  const received = addDays(today(), -2);
  r = await dpo.post('/api/v1/access-requests', { person_id: subject, received_on: received, channel: 'in_person', language: 'ru' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  request = r.body;
  assert.equal(r.headers.get('etag'), '"1"');
  assert.equal(request.status, 'open');
  assert.equal(request.due_on, addDays(received, 7), 'the legal deadline: setting access_request.due_days');
  assert.equal(request.days_left, 5);
  assert.equal(request.is_overdue, false);
  assert.equal(request.person_name, 'Асанов Бакыт Маратович');
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'access_request' AND record_id = '${request.id}'`), 1);

  r = await dpo.post('/api/v1/access-requests', { person_id: subject, received_on: addDays(today(), -10), channel: 'letter', language: 'en' });
  assert.equal(r.status, 201);
  overdueRequest = r.body;
  assert.equal(overdueRequest.days_left, -3);
  assert.equal(overdueRequest.is_overdue, true);
});

test('the list shows open requests by due date, overdue first', async () => {
  let r = await dpo.get('/api/v1/access-requests');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.items.map((i) => i.id), [overdueRequest.id, request.id]);
  const item = r.body.items[1];
  for (const k of ['id', 'person_id', 'person_name', 'received_on', 'due_on', 'channel', 'status', 'language', 'days_left',
    'is_overdue', 'outcome_note', 'closed_at']) assert.ok(k in item, k);
  assert.equal((await dpo.get('/api/v1/access-requests?status=fulfilled')).body.items.length, 0);
  r = await dpo.get('/api/v1/access-requests?status=late');
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'status');
});

test('the export needs an open request of this very person', async () => {
  let r = await dpo.get(`/api/v1/people/${subject}/export`);
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'access_request_id');
  r = await dpo.get(`/api/v1/people/${other}/export?access_request_id=${request.id}`);
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'access_request_id');
  r = await dpo.get(`/api/v1/people/${subject}/export?access_request_id=${request.id}&format=pdf&lang=de`);
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['format', 'lang']);
  assert.equal(count('audit_log', "action = 'disclose'"), 0);
});

test('the JSON export: everything held, restricted notes and third parties withheld and counted, nobody else', async () => {
  const r = await download(dpo, `/api/v1/people/${subject}/export?access_request_id=${request.id}`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-disposition'), /^attachment; filename="kadam-subject-access-\d{4}-\d{2}-\d{2}\.json"$/);
  const x = JSON.parse(r.text);
  assert.equal(x.person.surname, 'Асанов');
  assert.deepEqual(x.person.languages, []);
  assert.equal(x.documents[0].number, 'AN1234567');
  assert.equal(x.phones[0].number, '+996 700 123456');
  assert.equal(x.aliases[0].name, 'Bakyt Asanov');
  assert.equal(x.photo, null);
  assert.equal(x.cases.length, 2);
  const executive = x.cases.find((c) => c.kind === 'executive');
  assert.equal(executive.decisions[0].measure, 'probation_supervision');
  assert.deepEqual(executive.decisions[0].articles, ['CC-138']);
  assert.ok(executive.key_dates.length >= 1);
  assert.deepEqual(executive.notes.map((n) => n.body).sort(), ['Attended <b>on time</b> & sober', 'Says he wants to study', 'Ишке орношту']);
  assert.ok(executive.timeline.some((e) => e.kind === 'case.imported'));
  // Programmes and reintegration: the referral with what it shared and until when, its attendance and notes, the needs.
  assert.deepEqual(executive.referrals.map((x) => [x.programme, x.provider, x.status, x.shared_fields, x.shared_until]),
    [['Mentoring circle', 'SAR Mentors NGO', 'enrolled', ['name', 'phone'], '2026-12-31']]);
  assert.deepEqual(executive.referrals[0].attendance, [{ session_on: '2026-02-09', status: 'absent', absence_reason: 'Ill, a note from the clinic' }]);
  assert.deepEqual(executive.referrals[0].progress_notes, [{ written_on: '2026-02-10', text: 'Talks openly in the group' }]);
  assert.deepEqual(executive.reintegration_needs.map((n) => [n.area, n.description, n.owner_agency]), [['housing', 'A room near the workshop', 'SAR Probation']]);
  assert.equal(executive.release_plan, null);
  const pretrial = x.cases.find((c) => c.kind === 'pre_trial').pretrial_report;
  assert.equal(pretrial.report.family, 'Үйлөнгөн, эки баласы бар.');
  assert.ok(pretrial.tasks.every((t) => !('findings' in t)));
  assert.deepEqual(x.withheld, { restricted_notes: 1, third_parties: 1, inquiry_findings: 1, exclusion_zones: 0 });
  assert.equal(x.access_request.id, request.id);
  assert.equal(x.language, 'ru', 'the request\'s language by default');
  assert.ok(x.notices.some((n) => n.includes('журнала обработки')));
  for (const marker of ['RESTRICTED-MARKER', 'THIRDPARTY-MARKER', 'NEIGHBOUR-MARKER', 'MARKER-OTHER', 'Zzother', 'Secretname', other]) {
    assert.ok(!r.text.includes(marker), `${marker} is not in the export`);
  }
  const log = sql(srv.db, `SELECT purpose || '|' || justification || '|' || recipient || '|' || detail FROM audit_log WHERE action = 'disclose' AND record_type = 'person' AND record_id = '${subject}'`);
  assert.equal(log.split('|').slice(0, 3).join('|'), `disclosure|subject-access request ${request.id}|the data subject (person ${subject})`);
  assert.match(log, /withheld: 1 restricted notes, 1 third parties, 1 inquiry findings/);
});

test('the HTML export: a printable document in the chosen language, escaped, with its own CSP', async () => {
  for (const [lang, heading, withheld] of [
    ['ru', 'Личные данные', 'Записи ограниченного доступа не предоставлены в соответствии с законом: 1.'],
    ['ky', 'Жеке маалыматтар', 'Мыйзамга ылайык чектелген деп белгиленген жазуулар берилген жок: 1.'],
    ['en', 'Personal details', 'Notes marked restricted are withheld under the law: 1.'],
  ]) {
    const r = await download(dpo, `/api/v1/people/${subject}/export?access_request_id=${request.id}&format=html&lang=${lang}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(r.headers.get('content-security-policy'), /style-src 'sha256-/);
    assert.ok(r.text.startsWith('<!DOCTYPE html>'));
    assert.ok(r.text.includes(`<html lang="${lang}">`));
    assert.ok(r.text.includes(heading), `${lang}: ${heading}`);
    assert.ok(r.text.includes(withheld), `${lang}: ${withheld}`);
    assert.ok(r.text.includes('Attended &lt;b&gt;on time&lt;/b&gt; &amp; sober'));
    assert.ok(r.text.includes('Mentoring circle') && r.text.includes('Talks openly in the group') && r.text.includes('A room near the workshop'));
    assert.ok(!/<script/i.test(r.text));
    assert.ok(!r.text.includes('RESTRICTED-MARKER') && !r.text.includes('Zzother'));
  }
});

test('a data-protection officer outside the person\'s units must state a purpose', async () => {
  let r = await dpoB.get(`/api/v1/people/${subject}/export?access_request_id=${request.id}`);
  assert.equal(r.status, 428);
  r = await dpoB.get(`/api/v1/people/${subject}/export?access_request_id=${request.id}`, PURPOSE);
  assert.equal(r.status, 200);
  // the list reaches the agency's requests all the same
  assert.equal((await dpoB.get('/api/v1/access-requests')).body.items.length, 2);
});

test('closing: a refusal needs its reason; a closed request is final and ends the export', async () => {
  const url = `/api/v1/access-requests/${overdueRequest.id}/closure`;
  let r = await dpo.post(url, { status: 'refused' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'outcome_note');
  r = await dpo.post(url, { status: 'refused', outcome_note: 'too short' });
  assert.equal(r.status, 422);
  r = await dpo.post(url, { status: 'withdrawn', outcome_note: 5 });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['outcome_note', 'status']);
  r = await dpo.post(url, { status: 'refused', outcome_note: 'A repeat of the request answered last week (Law No. 58).' }, { 'if-match': '"7"' });
  assert.equal(r.status, 412);
  assert.equal(sql(srv.db, `SELECT status FROM access_request WHERE id = '${overdueRequest.id}'`), 'open');
  r = await dpo.post(url, { status: 'refused', outcome_note: 'A repeat of the request answered last week (Law No. 58).' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.status, 'refused');
  assert.ok(r.body.closed_at);
  assert.equal(r.body.is_overdue, false, 'a closed request is no longer overdue');
  r = await dpo.post(`/api/v1/access-requests/${request.id}/closure`, { status: 'fulfilled' }, { 'if-match': '"1"' });
  assert.equal(r.status, 200);
  r = await dpo.post(`/api/v1/access-requests/${request.id}/closure`, { status: 'refused', outcome_note: 'Changed our mind, sorry.' });
  assert.equal(r.status, 409);
  r = await dpo.get(`/api/v1/people/${subject}/export?access_request_id=${request.id}`);
  assert.equal(r.status, 422);
  assert.deepEqual((await dpo.get('/api/v1/access-requests?status=all')).body.items.map((i) => i.status).sort(), ['fulfilled', 'refused']);
  assert.equal(count('audit_log', "action = 'alter' AND record_type = 'access_request'"), 2);
  assert.equal((await dpo.post('/api/v1/access-requests/00000000-0000-7000-8000-000000000000/closure', { status: 'fulfilled' })).status, 404);
});
