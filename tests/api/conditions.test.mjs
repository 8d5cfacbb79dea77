// Imposed conditions (S1-S5): a condition the decision does not authorise is refused with the
// reason (S1); the risk or need it answers (S3) and its review date (S5) are required; the
// agency's limit gives a warning, not a refusal (S2); parameters are typed; the text is
// rendered from the catalogue in ky/ru/en and in the person's language; reviews; the
// timeline and the processing log (S10); the unit rule (S16).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin, officer, officerB;
const ids = {};
let catalogue; // GET /api/v1/condition-catalogue
const byDuty = (duty) => catalogue.conditions.find((c) => c.duty === duty);

function today(timeZone = 'Asia/Bishkek') {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));

async function user(login, role, unit) {
  const r = await admin.post('/api/v1/users', {
    login, display_name: `Test ${login}`, agency_id: ids.agency, unit_id: unit, roles: [role],
  });
  assert.equal(r.status, 201, r.text);
  return (await firstLogin(srv.url, login, r.body.one_time_password)).client;
}

// A residence condition as the catalogue defines it, with values for its parameters.
function residence(extra = {}) {
  return {
    decision_id: ids.decision, code: byDuty('residence').code, params: { address: 'Бишкек, ул. Токтогула 101, кв. 5' },
    answers: 'need', answers_detail: 'A stable address supports desistance', review_on: addDays(today(), 90), ...extra,
  };
}

before(async () => {
  srv = await startServer();
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'cond.admin')))).client;
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Conditions Probation', kind: 'probation' })).body.id;
  ids.a = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office A' })).body.id;
  ids.b = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office B' })).body.id;
  officer = await user('cond.officer', 'probation_officer', ids.a);
  officerB = await user('cond.officer.b', 'probation_officer', ids.b);
  let r = await officer.post('/api/v1/people', {
    surname: 'Асанов', given_name: 'Бакыт', birth_date: '1990-02-03', languages: ['uz', 'ru'],
  });
  assert.equal(r.status, 201, r.text);
  ids.person = r.body.id;
  r = await officer.post('/api/v1/cases', {
    person_id: ids.person, kind: 'executive', opened_on: addDays(today(), -40), open_reason: 'Court order received',
  });
  assert.equal(r.status, 201, r.text);
  ids.case = r.body.id;
  // The decision authorises residence and reporting, not a curfew; supervision runs for a year.
  r = await officer.post(`/api/v1/cases/${ids.case}/decisions`, {
    authority: 'Бишкек шаарынын Биринчи май райондук соту', number: '1-77/26', decided_on: addDays(today(), -40),
    measure: 'probation_supervision', articles: ['CC-130'], start_on: addDays(today(), -30), term: '1y',
    duties: ['residence', 'report'],
  });
  assert.equal(r.status, 201, r.text);
  ids.decision = r.body.id;
  ids.supervisionEnd = r.body.key_dates.find((k) => k.kind === 'supervision_end')?.date;
  r = await officer.get('/api/v1/condition-catalogue');
  assert.equal(r.status, 200, r.text);
  catalogue = r.body;
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

test('the catalogue offers conditions for the duties the tests use', () => {
  for (const duty of ['residence', 'report', 'curfew']) assert.ok(byDuty(duty), `no condition for duty ${duty}`);
  assert.ok(ids.supervisionEnd, 'the decision has an end of supervision');
});

test('S1: a condition the decision does not authorise is refused with the reason, and preview says why', async () => {
  const curfew = byDuty('curfew');
  const body = {
    decision_id: ids.decision, code: curfew.code,
    params: { address: 'Бишкек, ул. Токтогула 101', hours: { from: '22:00', to: '06:00' } },
    answers: 'risk', answers_detail: 'Offending happened at night', review_on: addDays(today(), 60),
  };
  let r = await officer.post(`/api/v1/cases/${ids.case}/conditions`, body);
  assert.equal(r.status, 422, r.text);
  assert.match(r.body.type, /not-authorised/);
  assert.equal(r.body.errors[0].field, 'code');
  assert.match(r.body.errors[0].message, /Биринчи май райондук соту No 1-77\/26 of .* does not authorise the duty 'curfew'/);
  r = await officer.post(`/api/v1/cases/${ids.case}/conditions/preview`, body);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.authorised, false);
  assert.match(r.body.reason, /does not authorise the duty 'curfew'/);
  assert.deepEqual(Object.keys(r.body.text).sort(), ['en', 'ky', 'ru']);
  // A free text names its duty, and the same rule applies to it.
  r = await officer.post(`/api/v1/cases/${ids.case}/conditions`, {
    decision_id: ids.decision, free_text: 'Stay at home after ten in the evening', duty: 'curfew',
    answers: 'risk', answers_detail: 'Night offending', review_on: addDays(today(), 60),
  });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'duty');
  // A decision that is not in force authorises nothing.
  sql(srv.db, `UPDATE decision SET status = 'superseded' WHERE id = '${ids.decision}'`);
  r = await officer.post(`/api/v1/cases/${ids.case}/conditions`, residence());
  sql(srv.db, `UPDATE decision SET status = 'in_force' WHERE id = '${ids.decision}'`);
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'decision_id');
  assert.match(r.body.errors[0].message, /not in force/);
  assert.equal(count('case_condition', `case_id = '${ids.case}'`), 0);
});

test('S3 and S5: the risk or need and the review date are required; the review falls within supervision', async () => {
  let r = await officer.post(`/api/v1/cases/${ids.case}/conditions`, {
    decision_id: ids.decision, code: byDuty('residence').code, params: { address: 'x street 1' },
  });
  assert.equal(r.status, 422, r.text);
  const fields = r.body.errors.map((e) => e.field).sort();
  assert.deepEqual(fields, ['answers', 'answers_detail', 'review_on']);
  r = await officer.post(`/api/v1/cases/${ids.case}/conditions`, residence({ answers: 'both', effective_from: addDays(today(), 5), review_on: addDays(today(), 5) }));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['answers', 'review_on']);
  r = await officer.post(`/api/v1/cases/${ids.case}/conditions`, residence({ review_on: addDays(ids.supervisionEnd, 1) }));
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'review_on');
  assert.match(r.body.errors[0].message, new RegExp(ids.supervisionEnd));
  // Free text: exceptional, 10..1000 characters, with its duty; never with a code.
  r = await officer.post(`/api/v1/cases/${ids.case}/conditions`, residence({ free_text: 'short' }));
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['duty', 'free_text', 'free_text', 'params']);
  r = await officer.post(`/api/v1/cases/${ids.case}/conditions`, { ...residence(), code: undefined, params: undefined, free_text: 'Keep the officer informed of any travel plans' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['duty']);
  r = await officer.post(`/api/v1/cases/${ids.case}/conditions`, { ...residence(), code: 'no_such_code' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['code']);
  assert.equal(count('case_condition', `case_id = '${ids.case}'`), 0);
});

test('parameters are typed: each bad value is named', async () => {
  const report = catalogue.conditions.find((c) => c.duty === 'report' && c.params.some((p) => p.type === 'weekly'));
  assert.ok(report, 'a reporting condition has a weekly schedule');
  const weekly = report.params.find((p) => p.type === 'weekly');
  const values = {};
  for (const p of report.params) values[p.name] = p.type === 'weekly' ? { days: ['xx'], from: '25:00', to: '12:00' } : 'Octyabr district office';
  let r = await officer.post(`/api/v1/cases/${ids.case}/conditions`, {
    decision_id: ids.decision, code: report.code, params: values, answers: 'risk', answers_detail: 'Regular contact', review_on: addDays(today(), 60),
  });
  assert.equal(r.status, 422, r.text);
  assert.ok(r.body.errors.some((e) => e.field.startsWith(`params.${weekly.name}`)), r.text);
  // A required parameter missing.
  r = await officer.post(`/api/v1/cases/${ids.case}/conditions`, residence({ params: {} }));
  assert.equal(r.status, 422, r.text);
  assert.ok(r.body.errors[0].field.startsWith('params.address'), r.text);
  // A parameter the type does not have.
  r = await officer.post(`/api/v1/cases/${ids.case}/conditions`, residence({ params: { address: 'Бишкек, ул. Токтогула 1', colour: 'red' } }));
  assert.equal(r.status, 422, r.text);
  assert.ok(r.body.errors[0].field.startsWith('params'), r.text);
  assert.equal(count('case_condition', `case_id = '${ids.case}'`), 0);
});

test('imposing a condition: rendered from the catalogue in the person\'s language and in ky/ru/en, logged, on the timeline', async () => {
  const type = byDuty('residence');
  const body = residence();
  let r = await officer.post(`/api/v1/cases/${ids.case}/conditions/preview`, body);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.authorised, true);
  assert.equal(r.body.reason, null);
  assert.deepEqual(r.body.warnings, []);
  const preview = r.body.text;
  r = await officer.post(`/api/v1/cases/${ids.case}/conditions`, body);
  assert.equal(r.status, 201, r.text);
  const c = r.body;
  ids.residence = c.id;
  assert.equal(c.case_id, ids.case);
  assert.equal(c.decision_id, ids.decision);
  assert.match(c.decision_label, /Биринчи май райондук соту/);
  assert.match(c.decision_label, /1-77\/26/);
  assert.equal(c.code, type.code);
  assert.equal(c.category, type.category);
  assert.equal(c.duty, 'residence');
  assert.deepEqual(c.title, type.title);
  assert.equal(c.standard, type.standard);
  assert.equal(c.em, type.em);
  assert.equal(c.free_text, null);
  assert.equal(c.status, 'active');
  assert.equal(c.effective_from, today());
  assert.equal(c.review_on, body.review_on);
  assert.equal(c.review_due, false);
  assert.equal(c.answers, 'need');
  assert.equal(c.variation_id, null);
  assert.equal(c.explained, null);
  assert.equal(c.created_by_name, 'Test cond.officer');
  assert.deepEqual(c.warnings, []);
  assert.equal(r.headers.get('etag'), '"1"');
  // The texts are the catalogue's own, with the value in place of its placeholder.
  for (const lang of ['ky', 'ru', 'en']) {
    const template = type.text[lang];
    const [head, tail] = template.split('{address}');
    assert.ok(c.texts[lang].startsWith(head), `${lang}: ${c.texts[lang]}`);
    assert.ok(c.texts[lang].endsWith(tail), `${lang}: ${c.texts[lang]}`);
    assert.ok(c.texts[lang].includes(body.params.address));
    assert.ok(!c.texts[lang].includes('{'));
  }
  assert.deepEqual(preview, c.texts);
  // The person speaks uz and ru: ru is the first of ky/ru/en.
  assert.equal(c.text, c.texts.ru);
  r = await officer.get(`/api/v1/cases/${ids.case}/conditions?lang=en`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.lang, 'en');
  assert.equal(r.body.items[0].text, c.texts.en);
  r = await officer.get(`/api/v1/cases/${ids.case}/conditions`);
  assert.equal(r.body.lang, 'ru');
  assert.equal(r.body.active_count, 1);
  assert.equal(r.body.unexplained_count, 1);
  assert.deepEqual(r.body.explanations, []);
  r = await officer.get(`/api/v1/cases/${ids.case}/conditions?lang=de`);
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'lang');
  // Timeline and processing log.
  r = await officer.get(`/api/v1/cases/${ids.case}/timeline`);
  const ev = r.body.items.find((e) => e.kind === 'condition.imposed');
  assert.ok(ev, 'a condition.imposed event');
  assert.equal(ev.record_id, c.id);
  assert.ok(!JSON.stringify(ev).includes('Токтогула'), 'the timeline names no address');
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'condition' AND record_id = '${c.id}' AND actor_login = 'cond.officer'`), 1);
  assert.ok(count('audit_log', `action = 'consult' AND record_type = 'case_conditions' AND record_id = '${ids.case}'`) >= 2);
});

test('S2: above the agency\'s limit the answer warns, and still imposes', async () => {
  sql(srv.db, `UPDATE setting SET value = '1' WHERE key = 'conditions.warn_above'`);
  const body = {
    decision_id: ids.decision, free_text: 'Tell the officer before any trip outside Bishkek', duty: 'report',
    answers: 'risk', answers_detail: 'Travel to conflict zones', review_on: addDays(today(), 30),
  };
  let r = await officer.post(`/api/v1/cases/${ids.case}/conditions/preview`, body);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.warnings, [{ code: 'above_limit', message: "2 active conditions; the agency's limit is 1" }]);
  assert.equal(r.body.text.ky, body.free_text);
  r = await officer.post(`/api/v1/cases/${ids.case}/conditions`, body);
  assert.equal(r.status, 201, r.text);
  ids.freeText = r.body.id;
  assert.deepEqual(r.body.warnings, [{ code: 'above_limit', message: "2 active conditions; the agency's limit is 1" }]);
  assert.equal(r.body.code, null);
  assert.equal(r.body.title, null);
  assert.equal(r.body.catalogue_version, null);
  assert.equal(r.body.free_text, body.free_text);
  assert.equal(r.body.text, body.free_text);
  r = await officer.get(`/api/v1/cases/${ids.case}/conditions`);
  assert.equal(r.body.active_count, 2);
  assert.equal(r.body.warn_above, 1);
  assert.equal(r.body.above_limit, true);
  sql(srv.db, `UPDATE setting SET value = '6' WHERE key = 'conditions.warn_above'`);
});

test('S5: a review keeps the condition with a new date, or records that a variation is due', async () => {
  let r = await officer.post(`/api/v1/conditions/${ids.residence}/reviews`, { outcome: 'keep', note: 'Lives there' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'next_review_on');
  r = await officer.post(`/api/v1/conditions/${ids.residence}/reviews`, { outcome: 'keep', note: 'Lives there', reviewed_on: addDays(today(), 1), next_review_on: addDays(today(), 100) });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'reviewed_on');
  const next = addDays(today(), 120);
  r = await officer.post(`/api/v1/conditions/${ids.residence}/reviews`, { outcome: 'keep', note: 'Lives there, stable', next_review_on: next });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.outcome, 'keep');
  assert.equal(r.body.reviewed_on, today());
  assert.equal(r.body.condition.review_on, next);
  assert.equal(r.body.condition.version, 2);
  r = await officer.post(`/api/v1/conditions/${ids.freeText}/reviews`, { outcome: 'vary', note: 'Should become a catalogue condition' });
  assert.equal(r.status, 201, r.text);
  r = await officer.get(`/api/v1/conditions/${ids.residence}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.reviews.length, 1);
  assert.equal(r.body.reviews[0].reviewed_by_name, 'Test cond.officer');
  assert.deepEqual(r.body.history, []);
  assert.deepEqual(r.body.variations, []);
  assert.equal(r.headers.get('etag'), '"2"');
  r = await officer.get(`/api/v1/conditions/${ids.freeText}`);
  assert.equal(r.body.review_on, addDays(today(), 30), 'vary leaves the date');
  r = await officer.get(`/api/v1/cases/${ids.case}/timeline`);
  assert.equal(r.body.items.filter((e) => e.kind === 'condition.reviewed').length, 2);
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'condition_review'`), 2);
  assert.ok(count('audit_log', `action = 'consult' AND record_type = 'condition' AND record_id = '${ids.residence}'`) >= 1);
});

test('S16: an officer of another unit reaches neither the list nor a condition', async () => {
  let r = await officerB.get(`/api/v1/cases/${ids.case}/conditions`);
  assert.equal(r.status, 403);
  r = await officerB.get(`/api/v1/conditions/${ids.residence}`);
  assert.equal(r.status, 403);
  r = await officerB.post(`/api/v1/cases/${ids.case}/conditions`, residence());
  assert.equal(r.status, 403);
  r = await officer.get('/api/v1/conditions/00000000-0000-7000-8000-000000000000');
  assert.equal(r.status, 404);
  // A unit head of another unit may read the case by stating a purpose, but not impose or review conditions.
  const headB = await user('cond.head.b', 'unit_head', ids.b);
  const why = { 'x-kadam-purpose': 'supervision', 'x-kadam-justification': 'Covering for a colleague on leave' };
  r = await headB.get(`/api/v1/cases/${ids.case}/conditions`, why);
  assert.equal(r.status, 200, r.text);
  r = await headB.request('POST', `/api/v1/cases/${ids.case}/conditions`, residence(), why);
  assert.equal(r.status, 403, r.text);
  r = await headB.request('POST', `/api/v1/conditions/${ids.residence}/reviews`,
    { outcome: 'keep', note: 'Still needed', next_review_on: addDays(today(), 60) }, why);
  assert.equal(r.status, 403, r.text);
  assert.equal(count('case_condition', `case_id = '${ids.case}'`), 2);
});
