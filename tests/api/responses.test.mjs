// Responses to non-compliance and to progress (Tokyo Rule 11.2), recorded side by side on a case:
// the ladder, recording (a variation request and a referral come from elsewhere and are refused
// here), printable letters in ky, ru and en in the person's language by default, and the ratio of
// positive to negative responses per officer and per unit, within the caller's units only. Every
// read and change is in the processing log (S10) and every response on the case's timeline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin;
const ids = {};
const who = {}; // login -> { client, id }

function today(timeZone = 'Asia/Bishkek') {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));

async function user(login, role, unit) {
  const r = await admin.post('/api/v1/users', { login, display_name: `Test ${login}`, agency_id: ids.agency, unit_id: unit, roles: [role] });
  assert.equal(r.status, 201, r.text);
  who[login] = { id: r.body.user.id, client: (await firstLogin(srv.url, login, r.body.one_time_password)).client };
  return who[login].client;
}

async function openCase(client, surname, given, languages, officerId) {
  let r = await client.post('/api/v1/people', { surname, given_name: given, birth_date: '1990-02-03', languages });
  assert.equal(r.status, 201, r.text);
  const person = r.body.id;
  r = await client.post('/api/v1/cases', { person_id: person, kind: 'executive', opened_on: addDays(today(), -500), open_reason: 'Court order received', officer_id: officerId });
  assert.equal(r.status, 201, r.text);
  return { person, case: r.body.id };
}

const respond = (client, caseId, body) => client.post(`/api/v1/cases/${caseId}/responses`, { given_on: today(), reasons: 'Recorded in a test', ...body });

before(async () => {
  srv = await startServer();
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'resp.admin')))).client;
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Response Probation', kind: 'probation' })).body.id;
  ids.region = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Region' })).body.id;
  ids.a = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office A', parent_id: ids.region })).body.id;
  ids.b = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office B', parent_id: ids.region })).body.id;
  await user('resp.a', 'probation_officer', ids.a);
  await user('resp.a2', 'probation_officer', ids.a);
  await user('resp.b', 'probation_officer', ids.b);
  await user('resp.head.a', 'unit_head', ids.a);
  await user('resp.head.r', 'unit_head', ids.region);
  const one = await openCase(who['resp.a'].client, 'Осмонов', 'Азамат', ['ky'], who['resp.a'].id);
  ids.person1 = one.person;
  ids.case1 = one.case;
  ids.case2 = (await openCase(who['resp.a2'].client, 'Петрова', 'Анна', ['ru'], who['resp.a2'].id)).case;
  ids.case3 = (await openCase(who['resp.b'].client, 'Smith', 'John', ['en'], who['resp.b'].id)).case;
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

test('the ladder: responses to non-compliance, then recognitions of progress', async () => {
  const r = await who['resp.a'].client.get('/api/v1/reference/responses');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((i) => i.code), ['warning', 'formal_warning', 'increased_contact', 'added_support',
    'variation_request', 'referral', 'positive_progress', 'reduced_reporting', 'early_termination']);
  const warning = r.body.items[0];
  assert.deepEqual(warning, { code: 'warning', polarity: 'negative', rank: 1, needs_authority: false, has_letter: true,
    title: { ky: 'Эскертүү', ru: 'Предупреждение', en: 'Warning' } });
  assert.equal(r.body.items.find((i) => i.code === 'referral').needs_authority, true);
  assert.equal(r.body.items.find((i) => i.code === 'reduced_reporting').polarity, 'positive');
});

test('recording responses: both kinds side by side, newest first, on the timeline and in the log', async () => {
  const a = who['resp.a'].client;
  let r = await respond(a, ids.case1, { code: 'warning', given_on: addDays(today(), -3), reasons: 'Missed the appointment of Monday without telling the officer', detail: 'Explained the reporting duty again' });
  assert.equal(r.status, 201, r.text);
  const warning = r.body;
  ids.warning = warning.id;
  assert.equal(warning.code, 'warning');
  assert.equal(warning.polarity, 'negative');
  assert.equal(warning.title.ru, 'Предупреждение');
  assert.equal(warning.has_letter, true);
  assert.equal(warning.needs_authority, false);
  assert.equal(warning.breach_id, null);
  assert.equal(warning.case_id, ids.case1);
  assert.equal(warning.given_by_name, 'Test resp.a');
  assert.equal(warning.officer_id, who['resp.a'].id);
  assert.equal(warning.unit_id, ids.a);
  assert.equal(warning.detail, 'Explained the reporting duty again');
  assert.match(warning.created_at, /^\d{4}-\d\d-\d\dT/);
  r = await respond(a, ids.case1, { code: 'positive_progress', reasons: 'Kept every appointment for three months and found steady work' });
  assert.equal(r.status, 201, r.text);
  ids.progress = r.body.id;
  assert.equal(r.body.polarity, 'positive');
  assert.equal(r.body.detail, null);
  // A unit head of the case's unit records too.
  r = await respond(who['resp.head.a'].client, ids.case1, { code: 'added_support', given_on: addDays(today(), -10), reasons: 'Referred to a housing adviser' });
  assert.equal(r.status, 201, r.text);
  ids.support = r.body.id;
  assert.equal(r.body.officer_id, who['resp.a'].id, 'the ratio counts the case officer');

  r = await a.get(`/api/v1/cases/${ids.case1}/responses`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((i) => i.code), ['positive_progress', 'warning', 'added_support']);
  assert.equal(r.body.positive, 1);
  assert.equal(r.body.negative, 2);
  const timeline = await a.get(`/api/v1/cases/${ids.case1}/timeline`);
  assert.equal(timeline.body.items.filter((e) => e.kind === 'response.given').length, 3);
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'response' AND record_id = '${warning.id}' AND actor_login = 'resp.a'`), 1);
  assert.ok(count('audit_log', `action = 'consult' AND record_type = 'case_responses' AND record_id = '${ids.case1}'`) >= 1);
  // Another unit's officer does not reach the case.
  r = await who['resp.b'].client.get(`/api/v1/cases/${ids.case1}/responses`);
  assert.ok([403, 428].includes(r.status), r.text);
  r = await respond(who['resp.b'].client, ids.case1, { code: 'warning' });
  assert.ok([403, 428].includes(r.status), r.text);
});

test('refused: a variation request and a referral, unknown codes, future dates, no reasons; nothing recorded', async () => {
  const a = who['resp.a'].client;
  const before = count('response');
  for (const code of ['variation_request', 'referral', 'jail']) {
    const r = await respond(a, ids.case1, { code });
    assert.equal(r.status, 422, r.text);
    assert.deepEqual(r.body.errors.map((e) => e.field), ['code']);
  }
  let r = await respond(a, ids.case1, { code: 'referral' });
  assert.match(r.body.errors[0].message, /referr/);
  r = await respond(a, ids.case1, { code: 'warning', given_on: addDays(today(), 1) });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['given_on']);
  r = await a.post(`/api/v1/cases/${ids.case1}/responses`, { code: 'warning', given_on: today() });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['reasons']);
  r = await respond(a, ids.case1, { code: 'warning', reasons: '   \n ' });
  assert.deepEqual(r.body.errors.map((e) => e.field), ['reasons']);
  r = await respond(a, ids.case1, { code: 'warning', reasons: 'x'.repeat(2001), detail: 'y'.repeat(2001), colour: 'red' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['colour', 'detail', 'reasons']);
  r = await respond(a, '01890a5d-ac96-774b-bcce-b302099a8057', { code: 'warning' });
  assert.equal(r.status, 404, r.text);
  assert.equal(count('response'), before);
});

test('letters in the person\'s language by default, and in ky, ru and en on request', async () => {
  const a = who['resp.a'].client;
  let r = await a.get(`/api/v1/responses/${ids.warning}/letter`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /text\/html/);
  assert.match(r.headers.get('content-security-policy'), /style-src 'sha256-/);
  assert.match(r.text, /<html lang="ky">/);
  for (const word of ['Эскертүү', 'Осмонов Азамат', 'Сизден эмне күтүлөт', 'арыз', '14 күндүн', 'Office A', 'Missed the appointment of Monday']) {
    assert.ok(r.text.includes(word), `ky letter has ${word}`);
  }
  r = await a.get(`/api/v1/responses/${ids.warning}/letter?lang=ru`);
  assert.equal(r.status, 200, r.text);
  for (const word of ['Предупреждение', 'Осмонов Азамат', 'Что от вас ожидается', 'жалобу', '14 дней', 'Что не было соблюдено']) {
    assert.ok(r.text.includes(word), `ru letter has ${word}`);
  }
  r = await a.get(`/api/v1/responses/${ids.warning}/letter?lang=en`);
  for (const word of ['Warning', 'Dear Осмонов Азамат', 'What is expected of you', 'What was not kept', 'complaint', 'within 14 days', 'Explained the reporting duty again']) {
    assert.ok(r.text.includes(word), `en letter has ${word}`);
  }
  // The date as people read it (civil_date_human).
  const [y, m, d] = addDays(today(), -3).split('-');
  assert.ok(r.text.includes(`${Number(d)} `) && r.text.includes(y), 'the date is written out');
  r = await a.get(`/api/v1/responses/${ids.warning}/letter?lang=ru`);
  assert.ok(r.text.includes(`${d}.${m}.${y}`), 'ru date dd.mm.yyyy');
  // A recognition of progress says what was achieved and what changes.
  r = await a.get(`/api/v1/responses/${ids.progress}/letter?lang=en`);
  for (const word of ['Recognition of your progress', 'What you have achieved', 'What changes', 'found steady work']) {
    assert.ok(r.text.includes(word), `progress letter has ${word}`);
  }
  r = await a.get(`/api/v1/responses/${ids.progress}/letter?lang=ky`);
  assert.ok(r.text.includes('Оң жылышты таануу') && r.text.includes('Эмне өзгөрөт'));
  r = await a.get(`/api/v1/responses/${ids.progress}/letter?lang=ru`);
  assert.ok(r.text.includes('Признание положительной динамики') && r.text.includes('Что меняется'));
  // Escaped: what the officer wrote cannot become markup.
  r = await respond(a, ids.case1, { code: 'formal_warning', reasons: '<script>alert(1)</script> & "late"' });
  assert.equal(r.status, 201, r.text);
  ids.formal = r.body.id;
  r = await a.get(`/api/v1/responses/${ids.formal}/letter?lang=en`);
  assert.ok(!r.text.includes('<script>'), 'no markup from the reasons');
  assert.ok(r.text.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;late&quot;'));
  assert.ok(r.text.includes('Formal warning'));
  // The changed setting shows in the letter's deadline.
  sql(srv.db, "UPDATE setting SET value = '21' WHERE key = 'complaints.answer_days'");
  r = await a.get(`/api/v1/responses/${ids.formal}/letter?lang=en`);
  sql(srv.db, "UPDATE setting SET value = '14' WHERE key = 'complaints.answer_days'");
  assert.ok(r.text.includes('within 21 days'));
  // No letter for added support; a bad language; an unknown response.
  r = await a.get(`/api/v1/responses/${ids.support}/letter`);
  assert.equal(r.status, 404, r.text);
  r = await a.get(`/api/v1/responses/${ids.warning}/letter?lang=de`);
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'lang');
  r = await a.get('/api/v1/responses/01890a5d-ac96-774b-bcce-b302099a8057/letter');
  assert.equal(r.status, 404, r.text);
  r = await who['resp.b'].client.get(`/api/v1/responses/${ids.warning}/letter`);
  assert.ok([403, 428].includes(r.status), r.text);
  assert.equal(count('audit_log', `action = 'consult' AND record_type = 'response' AND record_id = '${ids.warning}' AND detail LIKE '%lang=ru%'`), 2);
});

test('the ratio per unit and per officer, within the caller\'s units', async () => {
  const a2 = who['resp.a2'].client, b = who['resp.b'].client;
  // Case 2 (officer a2, Office A): 3 positive, 2 negative, and one more negative long ago.
  for (const code of ['positive_progress', 'reduced_reporting', 'positive_progress', 'warning', 'increased_contact']) {
    assert.equal((await respond(a2, ids.case2, { code })).status, 201);
  }
  assert.equal((await respond(a2, ids.case2, { code: 'warning', given_on: addDays(today(), -400) })).status, 201);
  // Case 3 (officer b, Office B): 1 positive, nothing negative.
  assert.equal((await respond(b, ids.case3, { code: 'positive_progress' })).status, 201);
  // Case 1 (officer a): positive_progress, warning, added_support, formal_warning.
  const officerRow = (body, login) => body.officers.find((o) => o.officer_id === who[login].id);
  const unitRow = (body, unit) => body.units.find((u) => u.unit_id === unit);

  let r = await who['resp.head.r'].client.get('/api/v1/compliance/responses-summary');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.to, today());
  assert.equal(r.body.from, addDays(today(), -364));
  assert.deepEqual(r.body.units.map((u) => u.unit_name), ['Office A', 'Office B', 'Region']);
  assert.deepEqual(unitRow(r.body, ids.a), { unit_id: ids.a, unit_name: 'Office A', positive: 4, negative: 5, ratio: 0.8 });
  assert.deepEqual(unitRow(r.body, ids.b), { unit_id: ids.b, unit_name: 'Office B', positive: 1, negative: 0, ratio: null });
  assert.equal(unitRow(r.body, ids.region).ratio, null);
  assert.deepEqual(officerRow(r.body, 'resp.a'), { officer_id: who['resp.a'].id, officer_name: 'Test resp.a', unit_id: ids.a, unit_name: 'Office A', positive: 1, negative: 3, ratio: 1 / 3 });
  assert.deepEqual(officerRow(r.body, 'resp.a2'), { officer_id: who['resp.a2'].id, officer_name: 'Test resp.a2', unit_id: ids.a, unit_name: 'Office A', positive: 3, negative: 2, ratio: 1.5 });
  assert.equal(officerRow(r.body, 'resp.b').ratio, null);
  // The period: the old warning counts once it is inside.
  r = await who['resp.head.r'].client.get(`/api/v1/compliance/responses-summary?from=${addDays(today(), -500)}&to=${today()}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(officerRow(r.body, 'resp.a2').negative, 3);
  assert.equal(officerRow(r.body, 'resp.a2').ratio, 1);
  r = await who['resp.head.r'].client.get(`/api/v1/compliance/responses-summary?from=${addDays(today(), -500)}&to=${addDays(today(), -300)}`);
  assert.deepEqual(r.body.officers.map((o) => [o.officer_name, o.positive, o.negative]), [['Test resp.a2', 0, 1]]);

  // The head of Office A sees Office A and its officers, not Office B.
  r = await who['resp.head.a'].client.get('/api/v1/compliance/responses-summary');
  assert.deepEqual(r.body.units.map((u) => u.unit_id), [ids.a]);
  assert.deepEqual(r.body.officers.map((o) => o.officer_name), ['Test resp.a', 'Test resp.a2']);
  // An officer sees their unit and their own row.
  r = await who['resp.a'].client.get('/api/v1/compliance/responses-summary');
  assert.deepEqual(r.body.units.map((u) => [u.unit_id, u.positive, u.negative]), [[ids.a, 4, 5]]);
  assert.deepEqual(r.body.officers.map((o) => o.officer_id), [who['resp.a'].id]);
  // An officer of another unit does not see Office A's numbers.
  r = await b.get('/api/v1/compliance/responses-summary');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.units.map((u) => u.unit_id), [ids.b]);
  assert.deepEqual(r.body.officers.map((o) => [o.officer_id, o.positive, o.negative, o.ratio]), [[who['resp.b'].id, 1, 0, null]]);
  assert.ok(!JSON.stringify(r.body).includes(who['resp.a'].id));

  // Bad periods.
  r = await b.get(`/api/v1/compliance/responses-summary?from=${today()}&to=${addDays(today(), -1)}`);
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'from');
  r = await b.get('/api/v1/compliance/responses-summary?to=2026-02-30');
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'to');
  // One consult entry per reading, naming the period.
  assert.equal(count('audit_log', `action = 'consult' AND record_type = 'responses_summary' AND actor_login = 'resp.head.r' AND detail LIKE '%${addDays(today(), -500)}..${addDays(today(), -300)}%'`), 1);
  assert.equal(count('audit_log', `action = 'consult' AND record_type = 'responses_summary' AND actor_login = 'resp.b'`), 1);
});

test('a closed case takes no new responses', async () => {
  const a = who['resp.a'].client;
  sql(srv.db, `UPDATE case_file SET status = 'closed' WHERE id = '${ids.case1}'`);
  const r = await respond(a, ids.case1, { code: 'warning' });
  sql(srv.db, `UPDATE case_file SET status = 'open' WHERE id = '${ids.case1}'`);
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /case-closed/);
});
