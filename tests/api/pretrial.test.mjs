// Pre-trial reports: a court's request on a pre-trial case, the four inquiry tasks, the
// report's sections against the template, submission with what is missing, the printable
// document in ky/ru/en, the due and overdue lists in the deployment's time zone, the data
// rule for other units (S16), the timeline and the processing log (S10).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin, head, officer, officerB;
const units = {};
const cases = {};

// The server's clock cannot be moved from a test; deadlines are made relative to today instead.
function today(timeZone = 'Asia/Bishkek') {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}
function daysBetween(a, b) {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86400000);
}
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));

async function user(login, role, unit) {
  const r = await admin.post('/api/v1/users', {
    login, display_name: `Test ${login}`, agency_id: units.agency, unit_id: unit, roles: [role],
  });
  assert.equal(r.status, 201, r.text);
  return (await firstLogin(srv.url, login, r.body.one_time_password)).client;
}

before(async () => {
  srv = await startServer();
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'pretrial.admin')))).client;
  units.agency = (await admin.post('/api/v1/agencies', { name: 'Pretrial Probation', kind: 'probation' })).body.id;
  units.region = (await admin.post('/api/v1/units', { agency_id: units.agency, name: 'Region' })).body.id;
  units.a = (await admin.post('/api/v1/units', { agency_id: units.agency, name: 'Office A', parent_id: units.region })).body.id;
  units.b = (await admin.post('/api/v1/units', { agency_id: units.agency, name: 'Office B', parent_id: units.region })).body.id;
  head = await user('pt.head', 'unit_head', units.region);
  officer = await user('pt.officer', 'probation_officer', units.a);
  officerB = await user('pt.officer.b', 'probation_officer', units.b);
  // The people and cases, through the CSV import.
  const csv = [
    'surname,given_name,patronymic,birth_date,document_type,document_number,case_kind,unit',
    'Асанов,Бакыт,Маратович,1990-02-03,passport,PT0000001,pre_trial,Office A',
    'Sadykova,Aida,,1985-06-15,passport,PT0000002,pre_trial,Office A',
    'Токтогулов,Нурлан,,1979-11-30,passport,PT0000003,pre_trial,Office A',
    'Эсенова,Гүлзат,,1995-01-20,passport,PT0000004,pre_trial,Office A',
    'Осмонов,Азамат,,1988-08-08,passport,PT0000005,executive,Office A',
    'Байматов,Эмиль,,1991-09-09,passport,PT0000006,pre_trial,Office B',
  ].join('\n');
  const res = await fetch(`${srv.url}/api/v1/imports?dry_run=false`, {
    method: 'POST', headers: { cookie: head.cookie, 'x-csrf-token': head.csrf, 'content-type': 'text/csv' }, body: csv,
  });
  assert.equal(res.status, 201, await res.text());
  for (const [key, doc] of [['main', 'PT0000001'], ['overdue', 'PT0000002'], ['soon', 'PT0000003'], ['later', 'PT0000004'],
    ['executive', 'PT0000005'], ['other', 'PT0000006']]) {
    cases[key] = sql(srv.db, `SELECT c.id FROM case_file c JOIN person_document d ON d.person_id = c.person_id WHERE d.number = '${doc}'`);
  }
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

let report; // the main report, as last read

test('a court request creates the report with four inquiries, the template, a timeline event and a log entry', async () => {
  const received = addDays(today(), -2);
  const r = await officer.post(`/api/v1/cases/${cases.main}/pretrial-report`, {
    court: 'Бишкек шаарынын Биринчи май райондук соту', court_reference: 'УД-123/2026', received_on: received, language: 'ru',
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('etag'), '"1"');
  report = r.body;
  assert.equal(report.case_id, cases.main);
  assert.equal(report.status, 'requested');
  assert.equal(report.received_on, received);
  assert.equal(report.due_on, addDays(received, 30), 'due by default 30 days after receipt (setting pretrial.due_days)');
  assert.equal(report.days_left, 28);
  assert.equal(report.language, 'ru');
  assert.equal(report.person.surname, 'Асанов');
  assert.equal(report.person.birth_date, '1990-02-03');
  assert.match(report.case_number, /^\d{4}-\d{6}$/);
  assert.deepEqual(report.tasks.map((t) => t.kind), ['family', 'neighbours', 'employer', 'living_conditions']);
  assert.ok(report.tasks.every((t) => t.status === 'open' && t.due_on === report.due_on && t.version === 1));
  assert.equal(report.template.id, 'social-inquiry');
  assert.equal(report.template.version, 1);
  assert.equal(report.template.sections.length, 8);
  for (const s of report.template.sections) {
    for (const lang of ['ky', 'ru', 'en']) {
      assert.ok(s.title[lang] && s.guidance[lang], `${s.id} has ${lang}`);
    }
    assert.equal(typeof s.required, 'boolean');
    assert.ok(s.max_length > 0);
  }
  assert.equal(report.template.sections.find((s) => s.id === 'health').special_category, true);
  assert.equal(report.template.sections.find((s) => s.id === 'risk_and_needs').nature, 'assessment');
  assert.deepEqual(report.report, {});
  assert.equal(report.submitted_at, null);
  assert.equal(count('case_event', `case_id = '${cases.main}' AND kind = 'pretrial.requested'`), 1);
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'pretrial_request' AND record_id = '${report.id}' AND actor_login = 'pt.officer'`), 1);
  assert.equal(sql(srv.db, `SELECT template FROM pretrial_request WHERE id = '${report.id}'`), 'social-inquiry@1');
});

test('bad input is refused naming every field, and nothing is created', async () => {
  const before = count('pretrial_request');
  let r = await officer.post(`/api/v1/cases/${cases.later}/pretrial-report`, {
    court: '', received_on: '2026-02-30', language: 'de', due_on: 'soon', colour: 'red',
  });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['colour', 'court', 'due_on', 'language', 'received_on']);
  r = await officer.post(`/api/v1/cases/${cases.later}/pretrial-report`, {
    court: 'Court', received_on: addDays(today(), 1), due_on: addDays(today(), -5), language: 'ky',
  });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['due_on', 'received_on']);
  r = await officer.post(`/api/v1/cases/${cases.later}/pretrial-report`, { court: 'x'.repeat(201), received_on: today(), language: 'ky' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'court');
  assert.equal(count('pretrial_request'), before);
});

test('only one request per case, and only on a pre-trial case', async () => {
  let r = await officer.post(`/api/v1/cases/${cases.main}/pretrial-report`, { court: 'Court', received_on: today(), language: 'ky' });
  assert.equal(r.status, 409);
  assert.equal(r.body.type, 'urn:kadam:problem:already-requested');
  r = await officer.post(`/api/v1/cases/${cases.executive}/pretrial-report`, { court: 'Court', received_on: today(), language: 'ky' });
  assert.equal(r.status, 409);
  assert.equal(r.body.type, 'urn:kadam:problem:not-pre-trial');
  r = await officer.post('/api/v1/cases/00000000-0000-7000-8000-000000000000/pretrial-report', { court: 'Court', received_on: today(), language: 'ky' });
  assert.equal(r.status, 404);
});

test('an officer of another unit can neither read nor change the report; the refusals are logged', async () => {
  let r = await officerB.get(`/api/v1/pretrial-reports/${report.id}`);
  assert.equal(r.status, 403);
  r = await officerB.put(`/api/v1/pretrial-reports/${report.id}`, { report: { family: 'x' } }, { 'if-match': '"1"' });
  assert.equal(r.status, 403);
  r = await officerB.get(`/api/v1/pretrial-reports/${report.id}/document`);
  assert.equal(r.status, 403);
  r = await officerB.post(`/api/v1/cases/${cases.later}/pretrial-report`, { court: 'Court', received_on: today(), language: 'ky' });
  assert.equal(r.status, 403);
  assert.ok(count('audit_log', `action = 'access.denied' AND actor_login = 'pt.officer.b' AND record_id = '${cases.main}'`) >= 3);
  assert.equal(count('pretrial_request', `case_id = '${cases.later}'`), 0);
  r = await officerB.get('/api/v1/pretrial-reports?status=all');
  assert.equal(r.status, 200);
  assert.ok(!r.body.items.some((i) => i.id === report.id));
  r = await officer.get('/api/v1/pretrial-reports/00000000-0000-7000-8000-000000000000');
  assert.equal(r.status, 404);
});

test('writing the report: If-Match, sections of the template only, lengths; the first write starts the work', async () => {
  const url = `/api/v1/pretrial-reports/${report.id}`;
  let r = await officer.put(url, { report: { family: 'Живёт с женой и двумя детьми.' } });
  assert.equal(r.status, 428);
  r = await officer.put(url, { report: { family: 'x' } }, { 'if-match': '"9"' });
  assert.equal(r.status, 412);
  r = await officer.put(url, { report: { family: 'ok', horoscope: 'Leo', health: 'x'.repeat(3001), housing: 5 }, language: 'fr' },
    { 'if-match': '"1"' });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['language', 'report.health', 'report.horoscope', 'report.housing']);
  r = await officer.put(url, { language: 'ru' }, { 'if-match': '"1"' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'report');
  assert.equal(sql(srv.db, `SELECT version || status FROM pretrial_request WHERE id = '${report.id}'`), '1requested');

  r = await officer.put(url, {
    report: { family: 'Живёт с женой и двумя детьми.', housing: '<script>alert(1)</script> Квартира & двор', health: '' },
    language: 'ky',
  }, { 'if-match': '"1"' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.headers.get('etag'), '"2"');
  assert.equal(r.body.status, 'in_progress');
  assert.equal(r.body.language, 'ky');
  assert.deepEqual(Object.keys(r.body.report).sort(), ['family', 'housing'], 'empty sections are not kept');
  assert.equal(count('case_event', `case_id = '${cases.main}' AND kind = 'pretrial.report_edited'`), 1);
  assert.equal(count('audit_log', `action = 'alter' AND record_type = 'pretrial_request' AND record_id = '${report.id}'`), 1);
  report = r.body;
  // reading it is logged as a consultation
  r = await officer.get(url);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('etag'), '"2"');
  assert.ok(count('audit_log', `action = 'consult' AND record_type = 'pretrial_request' AND record_id = '${report.id}'`) >= 1);
});

test('an inquiry task: findings required once done, If-Match on the task', async () => {
  const task = report.tasks.find((t) => t.kind === 'family');
  const url = `/api/v1/pretrial-reports/${report.id}/tasks/${task.id}`;
  let r = await officer.put(url, { status: 'done' }, { 'if-match': '"1"' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'findings');
  r = await officer.put(url, { status: 'finished', findings: 'x'.repeat(4001) }, { 'if-match': '"1"' });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['findings', 'status']);
  r = await officer.put(url, { status: 'done', findings: 'Поговорил с женой.' });
  assert.equal(r.status, 428);
  r = await officer.put(url, { status: 'done', findings: 'Поговорил с женой.' }, { 'if-match': '"1"' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.headers.get('etag'), '"2"');
  assert.equal(r.body.status, 'done');
  assert.equal(r.body.done_by_name, 'Test pt.officer');
  assert.ok(r.body.done_at);
  r = await officer.put(url, { status: 'open' }, { 'if-match': '"1"' });
  assert.equal(r.status, 412);
  r = await officer.put(`/api/v1/pretrial-reports/${report.id}/tasks/00000000-0000-7000-8000-000000000000`, { status: 'open' }, { 'if-match': '"1"' });
  assert.equal(r.status, 404);
  assert.equal(count('case_event', `case_id = '${cases.main}' AND kind = 'pretrial.task_updated'`), 1);
  assert.equal(count('audit_log', `action = 'alter' AND record_type = 'pretrial_task' AND record_id = '${task.id}'`), 1);
});

test('submission lists what is missing, then submits once; a submitted report no longer changes', async () => {
  const url = `/api/v1/pretrial-reports/${report.id}`;
  let r = await officer.post(`${url}/submission`);
  assert.equal(r.status, 409);
  assert.equal(r.body.type, 'urn:kadam:problem:report-incomplete');
  const missing = r.body.errors.map((e) => e.field);
  for (const f of ['report.personal_circumstances', 'report.education_employment', 'report.charge_and_account',
    'report.risk_and_needs', 'report.proposal', 'tasks.neighbours', 'tasks.employer', 'tasks.living_conditions']) {
    assert.ok(missing.includes(f), `${f} in ${missing}`);
  }
  assert.ok(!missing.includes('report.health'), 'health is optional');
  assert.ok(!missing.includes('report.family') && !missing.includes('tasks.family'));
  assert.equal(sql(srv.db, `SELECT status FROM pretrial_request WHERE id = '${report.id}'`), 'in_progress');

  r = await officer.get(url);
  const sections = {
    ...r.body.report, personal_circumstances: '34 жашта, Кыргыз Республикасынын жараны.', education_employment: 'Слесарь.',
    charge_and_account: 'Отказался давать пояснения.', risk_and_needs: 'Риск низкий (источник: беседы).', proposal: 'Пробационный надзор.',
  };
  r = await officer.put(url, { report: sections }, { 'if-match': r.headers.get('etag') });
  assert.equal(r.status, 200);
  for (const t of r.body.tasks.filter((x) => x.status === 'open')) {
    const done = await officer.put(`${url}/tasks/${t.id}`, { status: t.kind === 'employer' ? 'not_possible' : 'done', findings: 'Проведено.' },
      { 'if-match': `"${t.version}"` });
    assert.equal(done.status, 200);
  }
  r = await officer.post(`${url}/submission`, undefined, { 'if-match': '"1"' });
  assert.equal(r.status, 412, 'an If-Match, when sent, must be current');
  r = await officer.post(`${url}/submission`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.status, 'submitted');
  assert.ok(r.body.submitted_at);
  assert.equal(r.body.submitted_by_name, 'Test pt.officer');
  assert.equal(count('case_event', `case_id = '${cases.main}' AND kind = 'pretrial.submitted'`), 1);
  // the submission is a disclosure to the court (S10)
  const d = sql(srv.db, `SELECT purpose || '|' || recipient || '|' || justification FROM audit_log WHERE action = 'disclose' AND record_id = '${report.id}'`);
  assert.match(d, /^disclosure\|the court: Бишкек шаарынын Биринчи май райондук соту\|.*УД-123\/2026/);

  r = await officer.post(`${url}/submission`);
  assert.equal(r.status, 409);
  r = await officer.put(url, { report: sections }, { 'if-match': r.headers.get('etag') || '"9"' });
  assert.ok([409, 412].includes(r.status));
  r = await officer.get(url);
  const etag = r.headers.get('etag');
  r = await officer.put(url, { report: sections }, { 'if-match': etag });
  assert.equal(r.status, 409);
  assert.equal(r.body.type, 'urn:kadam:problem:report-closed');
  const task = r.body && report.tasks[0];
  r = await officer.put(`${url}/tasks/${task.id}`, { status: 'open' }, { 'if-match': '"2"' });
  assert.equal(r.status, 409);
});

test('the printable document: chosen language, everything escaped, its own CSP, no scripts', async () => {
  const url = `/api/v1/pretrial-reports/${report.id}/document`;
  let r = await officer.get(`${url}?lang=de`);
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'lang');
  for (const [lang, title, heading] of [
    ['ru', 'Досудебный доклад (социальное обследование)', 'Жилищно-бытовые условия'],
    ['ky', 'Сотко чейинки баяндама (социалдык иликтөө)', 'Турак жайы жана жашоо шарттары'],
    ['en', 'Pre-trial report (social inquiry)', 'Housing and living conditions'],
  ]) {
    const res = await fetch(`${srv.url}${url}?lang=${lang}`, { headers: { cookie: officer.cookie } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    const html = await res.text();
    assert.match(html, new RegExp(`<html lang="${lang}">`));
    assert.ok(html.includes(`<h1>${title}</h1>`), lang);
    assert.ok(html.includes(heading), `${lang}: ${heading}`);
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt; Квартира &amp; двор'));
    assert.ok(!/<script/i.test(html), 'no script element');
    assert.ok(html.includes('Асанов Бакыт Маратович'));
    const csp = res.headers.get('content-security-policy');
    assert.match(csp, /style-src 'sha256-[A-Za-z0-9+/]+=*'/);
    assert.match(csp, /default-src 'none'/);
  }
  // without ?lang the report's own language (ky, set by the last write)
  const res = await fetch(`${srv.url}${url}`, { headers: { cookie: officer.cookie } });
  assert.match(await res.text(), /<html lang="ky">/);
  assert.ok(count('audit_log', `action = 'consult' AND record_id = '${report.id}' AND detail LIKE 'document lang=%'`) >= 4);
});

test('the lists: open, due within a week, overdue, submitted, in the deployment\'s time zone', async () => {
  const t = today();
  const make = async (key, received, due) => {
    const r = await head.post(`/api/v1/cases/${cases[key]}/pretrial-report`, { court: `Court ${key}`, received_on: received, language: 'ky', ...(due ? { due_on: due } : {}) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id;
  };
  const ids = {
    overdue: await make('overdue', addDays(t, -40)),           // due 10 days ago
    soon: await make('soon', addDays(t, -20), addDays(t, 5)),   // due in 5 days
    later: await make('later', t),                              // due in 30 days
  };
  const list = async (status, client = officer) => {
    const r = await client.get(`/api/v1/pretrial-reports${status ? `?status=${status}` : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.items;
  };
  let items = await list();
  assert.deepEqual(items.map((i) => i.id), [ids.overdue, ids.soon, ids.later], 'open ones, by due date');
  const overdue = items[0];
  assert.equal(overdue.is_overdue, true);
  assert.equal(overdue.days_left, -10);
  assert.equal(overdue.person_name, 'Sadykova Aida');
  assert.equal(overdue.case_id, cases.overdue);
  assert.ok(overdue.case_number && overdue.person_id && overdue.court === 'Court overdue');
  assert.equal(items[1].days_left, 5);
  assert.equal(items[1].is_overdue, false);
  assert.deepEqual((await list('due')).map((i) => i.id), [ids.soon]);
  assert.deepEqual((await list('overdue')).map((i) => i.id), [ids.overdue]);
  assert.deepEqual((await list('submitted')).map((i) => i.id), [report.id]);
  assert.equal((await list('all')).length, 4);
  const bad = await officer.get('/api/v1/pretrial-reports?status=late');
  assert.equal(bad.status, 422);
  assert.equal(bad.body.errors[0].field, 'status');
  // the other unit sees none of them
  assert.deepEqual(await list('all', officerB), []);

  // "today" follows the timezone setting: 25 hours apart, Kiritimati and Pago Pago see different days
  for (const zone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
    sql(srv.db, `UPDATE setting SET value = '${zone}' WHERE key = 'timezone'`);
    const local = today(zone);
    items = await list('all');
    const later = items.find((i) => i.id === ids.later);
    assert.equal(later.days_left, daysBetween(local, addDays(t, 30)), zone);
  }
  sql(srv.db, "UPDATE setting SET value = 'Asia/Bishkek' WHERE key = 'timezone'");
});
