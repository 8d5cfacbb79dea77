// CSV import of people and cases (POST /api/v1/imports): the Content-Type, the dry run
// (the default) and the real run, errors by line and column with nothing written, one
// transaction for the whole file, matching people by document number, the units a caller
// may import into, and the processing log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin, head, headB, officer;
const units = {};

/** Today in the deployment's zone (the default setting, Asia/Bishkek), as YYYY-MM-DD. */
function today(timeZone = 'Asia/Bishkek') {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}

async function user(login, role, unit) {
  const r = await admin.post('/api/v1/users', {
    login, display_name: `Test ${login}`, agency_id: units.agency, unit_id: unit, roles: [role],
  });
  assert.equal(r.status, 201, r.text);
  return (await firstLogin(srv.url, login, r.body.one_time_password)).client;
}

/** Posts a CSV body with the session's cookie and CSRF token. */
async function postCsv(client, query, body, contentType = 'text/csv; charset=utf-8') {
  const res = await fetch(`${srv.url}/api/v1/imports${query}`, {
    method: 'POST',
    headers: { cookie: client.cookie, 'x-csrf-token': client.csrf, 'content-type': contentType },
    body,
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: json, text, headers: res.headers };
}

const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));

before(async () => {
  srv = await startServer();
  const first = await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'import.admin')));
  admin = first.client;
  units.agency = (await admin.post('/api/v1/agencies', { name: 'Import Probation', kind: 'probation' })).body.id;
  units.region = (await admin.post('/api/v1/units', { agency_id: units.agency, name: 'Import Region' })).body.id;
  units.a = (await admin.post('/api/v1/units', { agency_id: units.agency, name: 'Office A', parent_id: units.region })).body.id;
  units.b = (await admin.post('/api/v1/units', { agency_id: units.agency, name: 'Office B', parent_id: units.region })).body.id;
  head = await user('import.head', 'unit_head', units.region);
  headB = await user('import.head.b', 'unit_head', units.b);
  officer = await user('import.officer', 'probation_officer', units.a);
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

const HEADER = 'surname,given_name,patronymic,sex,birth_date,document_type,document_number,case_kind,unit,opened_on,' +
  'decision_authority,decision_date,measure,articles,start_on,term,remand_days,note';

test('only text/csv is taken, and dry_run is true or false', async () => {
  let r = await postCsv(head, '', '{"a":1}', 'application/json');
  assert.equal(r.status, 415);
  assert.equal(r.body.type, 'urn:kadam:problem:unsupported-media-type');
  r = await postCsv(head, '?dry_run=maybe', `${HEADER}\n`);
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'dry_run');
});

test('a probation officer may not import (logged), and nothing is written', async () => {
  const r = await postCsv(officer, '?dry_run=false', `${HEADER}\nАсанов,Бакыт,,male,1990-01-01,,,executive,Office A\n`);
  assert.equal(r.status, 403);
  assert.equal(count('person'), 0);
  assert.ok(count('audit_log', "action = 'access.denied' AND actor_login = 'import.officer'") >= 1);
});

const goodRows = () => [
  HEADER,
  `Асанов,Бакыт,Маратович,male,1990-02-03,passport,AN 1234567,executive,Office A,${addDays(today(), -3)},` +
    `Бишкек шаардык соту,2026-01-10,probation_supervision,CC-138,2026-01-15,2y,,"Released; lives with his ""mother"""`,
  'Sadykova,Aida,,female,15.06.1985,id_card,ID-555-777,pre_trial,Office A,,,,,,,,,',
  'Токтогулов,Нурлан,,male,1979-11-30,,,penitentiary,Office B,,Court 2,2025-03-01,deprivation_of_liberty,CC-252;CC-327,2025-03-01,8y,120,',
];

test('a dry run (the default) reports what would happen and writes nothing', async () => {
  const r = await postCsv(head, '', goodRows().join('\r\n') + '\r\n');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, {
    dry_run: true, rows: 3, is_valid: true, errors: [], errors_total: 0,
    people_created: 3, people_matched: 0, cases_created: 3,
  });
  assert.equal(count('person'), 0);
  assert.equal(count('case_file'), 0);
  assert.equal(count('case_counter'), 0, 'even the case-number counter is rolled back');
  // the check itself is in the processing log (it looked people up by document number)
  assert.ok(count('audit_log', "action = 'consult' AND actor_login = 'import.head' AND detail LIKE 'CSV import dry run%'") >= 1);
});

test('a file with bad rows: every error by line and column; a real run imports nothing', async () => {
  const rows = goodRows();
  rows[1] = rows[1].replace('Office A', 'Office Z').replace('probation_supervision', 'flogging');
  rows[2] = rows[2].replace('15.06.1985', addDays(today(), 2)); // born the day after tomorrow
  rows[3] = rows[3].replace('CC-252;CC-327', 'CC-252;CC-999');
  rows.push('Bad,"Quote,,,'); // an unterminated quote runs to the end of the file
  const body = rows.join('\n') + '\n';
  let r = await postCsv(head, '?dry_run=true', body);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.is_valid, false);
  const found = r.body.errors.map((e) => `${e.line}:${e.column}`);
  for (const want of ['2:unit', '2:measure', '3:birth_date', '4:articles']) assert.ok(found.includes(want), `${want} in ${found}`);
  assert.ok(r.body.errors.find((e) => e.line === 4 && e.column === 'articles').message.includes('CC-999'));
  assert.equal(r.body.errors_total, r.body.errors.length);
  assert.ok(r.body.errors_total >= 5, JSON.stringify(r.body.errors));

  r = await postCsv(head, '?dry_run=false', body);
  assert.equal(r.status, 422, r.text);
  assert.match(r.headers.get('content-type'), /application\/problem\+json/);
  assert.equal(r.body.type, 'urn:kadam:problem:import-invalid');
  assert.equal(r.body.dry_run, false);
  assert.equal(r.body.is_valid, false);
  assert.deepEqual(r.body.errors.map((e) => `${e.line}:${e.column}`), found);
  assert.equal(r.body.people_created, 0);
  assert.equal(count('person'), 0);
  assert.equal(count('case_file'), 0);
  assert.equal(count('audit_log', "action = 'collect' AND record_type IN ('person', 'case')"), 0);
});

test('a unit outside one\'s own is refused by name', async () => {
  const r = await postCsv(headB, '', `${HEADER}\nАсанов,Бакыт,,male,1990-02-03,,,executive,Office A\n`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.errors, [{ line: 2, column: 'unit', message: r.body.errors[0].message }]);
  assert.match(r.body.errors[0].message, /unit within your own/);
});

test('the fixed file is imported in one go, with decisions, notes and the processing log', async () => {
  const r = await postCsv(head, '?dry_run=false', goodRows().join('\n'));
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.body, {
    dry_run: false, rows: 3, is_valid: true, errors: [], errors_total: 0,
    people_created: 3, people_matched: 0, cases_created: 3,
  });
  assert.equal(count('person'), 3);
  assert.equal(count('case_file'), 3);
  assert.equal(count('case_file', `unit_id = '${units.b}' AND kind = 'penitentiary'`), 1);
  assert.equal(count('person', "surname = 'Sadykova' AND birth_date = '1985-06-15'"), 1, 'DD.MM.YYYY is normalised');
  assert.equal(count('person_document', "number_key = 'AN1234567'"), 1);
  assert.equal(count('decision'), 2);
  assert.equal(count('decision_article'), 3);
  assert.ok(count('key_date') >= 3, 'key dates were computed');
  assert.equal(count('note'), 1);
  assert.equal(sql(srv.db, 'SELECT body FROM note'), 'Released; lives with his "mother"');
  assert.equal(count('case_file', `opened_on = '${addDays(today(), -3)}'`), 1);
  assert.equal(count('case_file', `opened_on = '${today()}'`), 2, 'opened_on defaults to today in the deployment zone');
  assert.equal(count('case_event', "kind = 'case.imported'"), 3);
  assert.equal(count('audit_log', "action = 'collect' AND record_type = 'person' AND actor_login = 'import.head'"), 3);
  assert.equal(count('audit_log', "action = 'collect' AND record_type = 'case' AND actor_login = 'import.head'"), 3);
});

test('people are matched by document number, in the database and within the file', async () => {
  // the same passport written differently, a new case of another kind; the second row is the same person again
  const body = [
    HEADER,
    'Асанов,Бакыт,Маратович,male,1990-02-03,passport,an-1234567,pre_trial,Office A,,,,,,,,,',
    'Жээнбеков,Улан,,male,1992-04-04,passport,KG 000111,pre_trial,Office A,,,,,,,,,',
    'Жээнбеков,Улан,,male,1992-04-04,passport,kg000111,executive,Office B,,,,,,,,,',
  ].join('\n');
  let r = await postCsv(head, '', body);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.is_valid, true, JSON.stringify(r.body.errors));
  assert.equal(r.body.people_created, 1);
  assert.equal(r.body.people_matched, 1);
  assert.equal(r.body.cases_created, 3);
  r = await postCsv(head, '?dry_run=false', body);
  assert.equal(r.status, 201, r.text);
  assert.equal(count('person'), 4);
  assert.equal(count('person', "surname = 'Асанов'"), 1, 'no duplicate person');
  assert.equal(count('case_file', "person_id = (SELECT id FROM person WHERE surname = 'Асанов')"), 2);
  assert.equal(count('case_file', "person_id = (SELECT id FROM person WHERE surname = 'Жээнбеков')"), 2);

  // the same file again: every case would repeat an open one, so nothing is imported
  r = await postCsv(head, '?dry_run=false', body);
  assert.equal(r.status, 422);
  assert.equal(r.body.errors.length, 3);
  assert.ok(r.body.errors.every((e) => e.column === 'case_kind' && /already has an open case/.test(e.message)));
  assert.equal(count('case_file'), 6);
});

test('a decision the domain refuses fails its line and rolls everything back', async () => {
  // a term that runs past the calendar the system keeps (2200-12-31)
  const body = [
    HEADER,
    'Новый,Человек,,male,1991-01-01,,,executive,Office A,,Court,2025-01-01,probation_supervision,CC-138,2025-01-01,2y,,',
    'Другой,Человек,,male,1991-01-01,,,executive,Office A,,Court,2025-01-01,probation_supervision,CC-138,2190-01-01,49y,,',
  ].join('\n');
  const persons = count('person'), cases = count('case_file');
  const r = await postCsv(head, '?dry_run=false', body);
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors.length, 1);
  assert.equal(r.body.errors[0].line, 3);
  assert.equal(count('person'), persons);
  assert.equal(count('case_file'), cases);
});

test('post-penitentiary rows are refused: such a case starts with the person\'s own request', async () => {
  const body = [HEADER, 'Осмонов,Нурлан,,male,1980-01-01,passport,AN7654321,post_penitentiary,Office A,,,,,,,,,'].join('\n');
  const r = await postCsv(head, '', body);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.is_valid, false);
  assert.deepEqual(r.body.errors.map((e) => [e.line, e.column]), [[2, 'case_kind']]);
});
