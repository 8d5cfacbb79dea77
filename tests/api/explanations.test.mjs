// S4: the conditions are explained to the person orally and in writing in a language they
// understand. The explanation records the date, language, interpreter, acknowledgement (remarks
// when refused) and the conditions it covered; the printable sheet carries the person's name, the
// case, each condition in force with its legal basis and review date, and the signature lines, in
// one language. The timeline and the processing log; refusals for other units and read-only roles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin, officer, officerB, worker, tz, t;
const ids = {};
const conditions = {};

function today(timeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}
const dmy = (iso) => iso.split('-').reverse().join('.');
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));
const fields = (r) => r.body.errors.map((e) => e.field).sort();

async function user(login, role, unit) {
  const r = await admin.post('/api/v1/users', { login, display_name: `Test ${login}`, agency_id: ids.agency, unit_id: unit, roles: [role] });
  assert.equal(r.status, 201, r.text);
  ids[login] = r.body.user.id;
  return (await firstLogin(srv.url, login, r.body.one_time_password)).client;
}

async function openCase(person) {
  let r = await officer.post('/api/v1/people', person);
  assert.equal(r.status, 201, r.text);
  r = await officer.post('/api/v1/cases', {
    person_id: r.body.id, kind: 'executive', opened_on: addDays(t, -20), open_reason: 'Court order received',
    officer_id: ids['ex.officer'],
  });
  assert.equal(r.status, 201, r.text);
  const caseId = r.body.id;
  r = await officer.post(`/api/v1/cases/${caseId}/decisions`, {
    authority: 'Бишкек шаарынын Биринчи май райондук соту', number: '1-77/26', decided_on: addDays(t, -25),
    measure: 'probation_supervision', articles: ['CC-166'], start_on: addDays(t, -20), term: '2y',
    duties: ['report', 'residence', 'curfew', 'exclusion'],
  });
  assert.equal(r.status, 201, r.text);
  return { caseId, decisionId: r.body.id };
}

async function impose(caseId, decisionId, extra) {
  const r = await officer.post(`/api/v1/cases/${caseId}/conditions`, {
    decision_id: decisionId, answers: 'risk', answers_detail: 'Offences were committed at night', review_on: addDays(t, 90), ...extra,
  });
  assert.equal(r.status, 201, r.text);
  return r.body;
}

before(async () => {
  srv = await startServer();
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'ex.admin')))).client;
  tz = (await admin.get('/api/v1/system')).body.timezone || 'Asia/Bishkek';
  t = today(tz);
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Explanation Probation', kind: 'probation' })).body.id;
  ids.a = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office A' })).body.id;
  ids.b = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office B' })).body.id;
  officer = await user('ex.officer', 'probation_officer', ids.a);
  officerB = await user('ex.officer.b', 'probation_officer', ids.b);
  worker = await user('ex.worker', 'prison_case_worker', ids.a);
  ({ caseId: ids.case, decisionId: ids.decision } = await openCase({
    surname: 'Усенов', given_name: 'Нурбек', patronymic: 'Асанович', surname_latin: 'Usenov', given_name_latin: 'Nurbek',
    birth_date: '1990-02-03', languages: ['uz', 'ru', 'ky'],
  }));
  ({ caseId: ids.case2, decisionId: ids.decision2 } = await openCase({
    surname: 'Каримов', given_name: 'Улан', birth_date: '1987-07-07', languages: ['uz'],
  }));
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

test('an explanation needs conditions in force to explain', async () => {
  const r = await officer.post(`/api/v1/cases/${ids.case}/explanations`, { explained_on: t, language: 'ru', acknowledged: true });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['condition_ids']);
  assert.equal(count('condition_explanation'), 0);
});

test('the sheet of a case without conditions says so, in the person\'s language', async () => {
  const res = await fetch(`${srv.url}/api/v1/cases/${ids.case2}/conditions/sheet`, { headers: { cookie: officer.cookie } });
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.match(html, /<html lang="ky">/, 'no ky/ru/en among the person\'s languages: the deployment default');
  assert.match(html, /Учурда күчүндөгү шарттар жок\./);
});

test('bad input is refused naming each field, and nothing is recorded', async () => {
  conditions.address = await impose(ids.case, ids.decision, { code: 'live_at_address', params: { address: 'ул. Токтогула 1, <кв. 5> & "двор"' } });
  conditions.curfew = await impose(ids.case, ids.decision, { code: 'curfew', params: { address: 'ул. Токтогула 1', hours: { from: '22:00', to: '06:00' } } });
  conditions.free = await impose(ids.case, ids.decision, { free_text: 'Звонить сотруднику <каждую> пятницу', duty: 'report', params: {} });
  conditions.zone = await impose(ids.case, ids.decision, { code: 'exclusion_zone', params: { zone: { name: 'Рынок <Дордой>',
    geometry: { type: 'Polygon', coordinates: [[[74.59, 42.87], [74.6, 42.87], [74.6, 42.88], [74.59, 42.87]]] } } } });
  conditions.other = await impose(ids.case2, ids.decision2, { code: 'live_at_address', params: { address: 'Ош, ул. Ленина 5' } });
  const post = (body) => officer.post(`/api/v1/cases/${ids.case}/explanations`, body);
  let r = await post({ explained_on: addDays(t, 1), language: 'de', interpreter: '', acknowledged: 'yes', colour: 1 });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['acknowledged', 'colour', 'explained_on', 'interpreter', 'language']);
  r = await post({ explained_on: addDays(t, 1), language: 'ru', acknowledged: false });
  assert.deepEqual(fields(r), ['explained_on', 'remarks']);
  r = await post({ language: 'ru', acknowledged: true, remarks: 'x'.repeat(2001) });
  assert.deepEqual(fields(r), ['explained_on', 'remarks']);
  r = await post({ explained_on: t, language: 'ru', acknowledged: true, condition_ids: [] });
  assert.deepEqual(fields(r), ['condition_ids']);
  r = await post({ explained_on: t, language: 'ru', acknowledged: true, condition_ids: ['nope', conditions.free.id, conditions.free.id] });
  assert.deepEqual(fields(r), ['condition_ids[0]', 'condition_ids[2]']);
  r = await post({ explained_on: t, language: 'ru', acknowledged: true, condition_ids: [conditions.free.id, conditions.other.id] });
  assert.equal(r.status, 422);
  assert.deepEqual(fields(r), ['condition_ids[1]'], 'a condition of another case');
  assert.equal(count('condition_explanation'), 0);
});

test('an explanation covers every condition in force by default; the timeline and the log record it', async () => {
  const r = await officer.post(`/api/v1/cases/${ids.case}/explanations`, {
    explained_on: addDays(t, -1), language: 'ru', interpreter: 'Айгуль Бекова', acknowledged: true,
  });
  assert.equal(r.status, 201, r.text);
  const e = r.body;
  assert.deepEqual(Object.keys(e).sort(), ['acknowledged', 'condition_ids', 'created_at', 'explained_by', 'explained_by_name',
    'explained_on', 'id', 'interpreter', 'language', 'remarks']);
  assert.equal(e.explained_on, addDays(t, -1));
  assert.equal(e.language, 'ru');
  assert.equal(e.interpreter, 'Айгуль Бекова');
  assert.equal(e.acknowledged, true);
  assert.equal(e.remarks, null);
  assert.equal(e.explained_by, ids['ex.officer']);
  assert.equal(e.explained_by_name, 'Test ex.officer');
  assert.deepEqual([...e.condition_ids].sort(), [conditions.address.id, conditions.curfew.id, conditions.free.id, conditions.zone.id].sort());
  const ev = JSON.parse(sql(srv.db, `SELECT detail FROM case_event WHERE case_id = '${ids.case}' AND kind = 'conditions.explained'`));
  assert.deepEqual(ev, { explained_on: addDays(t, -1), language: 'ru', acknowledged: true, interpreter: true, conditions: 4 });
  assert.doesNotMatch(sql(srv.db, `SELECT summary FROM case_event WHERE case_id = '${ids.case}' AND kind = 'conditions.explained'`), /Айгуль/);
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'condition_explanation' AND record_id = '${e.id}' AND actor_login = 'ex.officer'`), 1);
  // The conditions list shows them explained.
  const list = (await officer.get(`/api/v1/cases/${ids.case}/conditions`)).body;
  assert.equal(list.unexplained_count, 0);
  assert.equal(list.items.find((c) => c.id === conditions.free.id).explained.explanation_id, e.id);
});

test('a refusal to sign is recorded with its remarks, for the conditions named', async () => {
  const r = await officer.post(`/api/v1/cases/${ids.case}/explanations`, {
    explained_on: t, language: 'ky', acknowledged: false, remarks: 'Refused to sign; says he will appeal', condition_ids: [conditions.curfew.id],
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.acknowledged, false);
  assert.equal(r.body.interpreter, null);
  assert.equal(r.body.remarks, 'Refused to sign; says he will appeal');
  assert.deepEqual(r.body.condition_ids, [conditions.curfew.id]);
});

test('the printable sheet: the person, the case, each condition with its legal basis and review date, the signatures', async () => {
  const get = (q = '', client = officer) => fetch(`${srv.url}/api/v1/cases/${ids.case}/conditions/sheet${q}`, { headers: { cookie: client.cookie } });
  let res = await get();
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/html; charset=utf-8/);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const csp = res.headers.get('content-security-policy');
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /style-src 'sha256-[A-Za-z0-9+/=]+'/);
  assert.doesNotMatch(csp, /script-src|unsafe-inline/);
  let html = await res.text();
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /<html lang="ru">/, 'the first of the person\'s languages that is ky, ru or en');
  assert.match(html, /Уведомление об условиях пробационного надзора/);
  assert.match(html, /Усенов Нурбек Асанович/);
  assert.match(html, /Usenov Nurbek/);
  assert.match(html, /03\.02\.1990/);
  const number = (await officer.get(`/api/v1/cases/${ids.case}`)).body.number;
  assert.ok(html.includes(number), 'the case number');
  for (const c of [conditions.address, conditions.curfew, conditions.free]) {
    const text = c.texts ? c.texts.ru : c.free_text;
    assert.ok(text && html.includes(esc(text)), `the condition text in Russian: ${text}`);
  }
  assert.ok(html.includes(esc(conditions.address.title.ru)));
  assert.ok(html.includes('&lt;кв. 5&gt; &amp; &quot;двор&quot;'), 'values are escaped');
  assert.ok(!html.includes('<кв. 5>') && !html.includes('<каждую>'), 'nothing unescaped');
  assert.ok(html.includes('Особое условие'), 'a free-text condition has no catalogue title');
  // A zone is printed with its corners, so the person can tell where it runs (S2: precise).
  assert.ok(html.includes('Границы территории «Рынок &lt;Дордой&gt;» (широта, долгота): 42.87000, 74.59000; 42.87000, 74.60000; 42.88000, 74.60000'),
    'the zone\'s boundary on the sheet');
  assert.ok(html.includes('Бишкек шаарынын Биринчи май райондук соту, № 1-77/26, ' + dmy(addDays(t, -25))), 'the legal basis');
  assert.ok(html.includes(dmy(addDays(t, 90))), 'the review date');
  assert.ok(!html.includes('Ош, ул. Ленина'), 'only this case\'s conditions');
  assert.match(html, /разъяснены мне устно и письменно на русском языке/);
  for (const line of ['Подпись поднадзорного лица', 'Подпись сотрудника пробации', 'Подпись переводчика', 'Место', 'Дата']) {
    assert.ok(html.includes(line), line);
  }
  assert.ok(html.includes('Test ex.officer'), 'the case officer\'s name on the officer line');
  assert.doesNotMatch(html, /<script/i);
  assert.equal(count('audit_log', `action = 'consult' AND record_type = 'case_conditions' AND record_id = '${ids.case}' AND detail LIKE '%lang=ru%'`), 1);

  // The same sheet in Kyrgyz and in English: that language only.
  res = await get('?lang=ky');
  html = await res.text();
  assert.match(html, /<html lang="ky">/);
  assert.match(html, /Пробациялык көзөмөлдүн шарттары жөнүндө билдирүү/);
  assert.match(html, /кыргыз тилинде оозеки жана жазуу жүзүндө түшүндүрүлдү/);
  assert.ok(html.includes(esc(conditions.curfew.texts.ky)));
  assert.ok(!html.includes('Подпись') && !html.includes('Signature'));
  res = await get('?lang=en');
  html = await res.text();
  assert.match(html, /<html lang="en">/);
  assert.match(html, /Notice of the conditions of probation supervision/);
  assert.match(html, /explained to me orally and in writing in English/);
  assert.ok(html.includes(esc(conditions.curfew.texts.en)));
  const [ry, rm, rd] = addDays(t, 90).split('-');
  const month = new Date(Date.UTC(2000, Number(rm) - 1, 1)).toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' });
  assert.ok(html.includes(`${Number(rd)} ${month} ${ry}`), 'dates written out in English ("5 March 2027"), as the condition texts');
  assert.ok(html.includes('Special condition'));
  assert.ok(!html.includes('Подпись') && !html.includes('колу'));

  res = await get('?lang=de');
  assert.equal(res.status, 422);
  assert.equal((await res.json()).errors[0].field, 'lang');
  res = await fetch(`${srv.url}/api/v1/cases/00000000-0000-7000-8000-000000000000/conditions/sheet`, { headers: { cookie: officer.cookie } });
  assert.equal(res.status, 404);
  // Another unit's officer: refused and logged. The prison case worker reads (people.read).
  res = await get('', officerB);
  assert.equal(res.status, 403);
  res = await get('?lang=en', worker);
  assert.equal(res.status, 200);
});

test('roles without conditions.write and officers of other units cannot record an explanation', async () => {
  const body = { explained_on: t, language: 'ru', acknowledged: true };
  let r = await worker.post(`/api/v1/cases/${ids.case}/explanations`, body);
  assert.equal(r.status, 403);
  r = await officerB.post(`/api/v1/cases/${ids.case}/explanations`, body);
  assert.equal(r.status, 403);
  r = await officer.post('/api/v1/cases/00000000-0000-7000-8000-000000000000/explanations', body);
  assert.equal(r.status, 404);
  assert.equal(count('condition_explanation'), 2);
});
