// Risk and needs assessments (S14): an assessor starts a draft with a shipped instrument, saves it
// whole (each bad value named by its path), submits it once complete and only while certified; a
// unit head other than the assessor countersigns it — its scenarios and actions go into the
// supervision plan, the case's open reassessment triggers are resolved, and earlier-dated ones with
// the same instrument are superseded (an older-dated one countersigned late gives way at once to the
// newer one that stands) — or returns it. Two concurrent starts open one draft.
// The final judgement is whatever the assessor chose, whatever the items say. Each step is on the
// timeline and in the processing log; cases outside the caller's units answer as scope_case does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

const NS = 'kadam.needs-screening';
const DR = 'kadam.disengagement-review';

let srv, admin, officer, officer2, officerB, head, head2;
const ids = {};
const inst = {}; // code -> { id, def }

function today(timeZone = 'Asia/Bishkek') {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));
const etag = (r) => r.headers.get('etag');

async function user(login, role, unit) {
  const r = await admin.post('/api/v1/users', { login, display_name: `Test ${login}`, agency_id: ids.agency, unit_id: unit, roles: [role] });
  assert.equal(r.status, 201, r.text);
  ids[login] = r.body.user.id;
  return (await firstLogin(srv.url, login, r.body.one_time_password)).client;
}

// Certifies an account for an instrument, as a unit head records it.
async function certify(accountId, code) {
  const r = await head.post('/api/v1/certifications', { account_id: accountId, instrument_code: code, certified_on: addDays(today(), -30), issuer: 'Kadam training team', reference: 'CERT-1' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.live, true);
}

const items = (code) => inst[code].def.domains.flatMap((d) => d.items.map((i) => ({ ...i, domain: d.id })));
const scale = (code, id) => inst[code].def.scales.find((s) => s.id === id).values.map((v) => v.id);

// A complete body: every item rated at `pick` of its scale ('last' or 'first') with evidence and a source.
function complete(code, pick, judgement, extra = {}) {
  const ratings = {};
  for (const i of items(code)) {
    const values = scale(code, i.scale);
    ratings[i.id] = { value: pick === 'last' ? values.at(-1) : values[0], evidence: `Seen for ${i.id}`, source: 'document', source_detail: 'Court file' };
  }
  const domains = {};
  for (const d of inst[code].def.domains) domains[d.id] = { value: scale(code, d.rating_scale)[0], comment: null };
  return {
    assessed_on: today(), sources: 'Interview with the person; the court file', limitations: 'The family was not reached',
    ratings, domains, judgement, rationale: 'The assessor weighed the whole picture', scenarios: [], actions: [], ...extra,
  };
}

async function timeline(caseId = ids.case) {
  const r = await officer.get(`/api/v1/cases/${caseId}/timeline`);
  assert.equal(r.status, 200, r.text);
  return r.body.items;
}

before(async () => {
  srv = await startServer();
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'as.admin')))).client;
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Assessment Probation', kind: 'probation' })).body.id;
  ids.region = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Region' })).body.id;
  ids.a = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office A', parent_id: ids.region })).body.id;
  ids.b = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office B', parent_id: ids.region })).body.id;
  officer = await user('as.officer', 'probation_officer', ids.a);
  officer2 = await user('as.officer2', 'probation_officer', ids.a);
  officerB = await user('as.officer.b', 'probation_officer', ids.b);
  head = await user('as.head', 'unit_head', ids.region);
  head2 = await user('as.head2', 'unit_head', ids.region);
  for (const [n, name] of [['person', 'Асанов'], ['person2', 'Бекова']]) {
    const r = await officer.post('/api/v1/people', { surname: name, given_name: 'Тест', birth_date: '1990-01-01', languages: ['ky'] });
    assert.equal(r.status, 201, r.text);
    ids[n] = r.body.id;
  }
  let r = await officer.post('/api/v1/cases', { person_id: ids.person, kind: 'executive', opened_on: addDays(today(), -20), open_reason: 'Court order received' });
  assert.equal(r.status, 201, r.text);
  ids.case = r.body.id;
  r = await officer2.post('/api/v1/cases', { person_id: ids.person2, kind: 'executive', opened_on: addDays(today(), -20), open_reason: 'Court order received' });
  assert.equal(r.status, 201, r.text);
  ids.case2 = r.body.id;
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

test('a case\'s assessments: none yet, the current instruments and whether the caller is certified', async () => {
  const r = await officer.get(`/api/v1/cases/${ids.case}/assessments`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items, []);
  assert.ok(Array.isArray(r.body.reassessment));
  assert.deepEqual(r.body.triggers, []);
  assert.equal(r.body.suggestion, null);
  const codes = r.body.instruments.map((i) => i.code);
  assert.deepEqual(codes, [DR, NS]);
  for (const i of r.body.instruments) {
    assert.equal(i.certification_required, true);
    assert.equal(i.caller_certified, false);
    assert.ok(i.name.en && i.name.ru && i.name.ky);
    // The definition as loaded: the item ids are read from it, not counted here.
    const g = await officer.get(`/api/v1/instruments/${i.id}`);
    assert.equal(g.status, 200, g.text);
    inst[i.code] = { id: i.id, def: g.body.definition };
  }
  assert.ok(items(NS).some((i) => i.id === 'NS01'));
  assert.ok(items(DR).some((i) => i.id === 'DR01'));
  assert.equal(count('audit_log', `action = 'consult' AND record_type = 'case_assessments' AND record_id = '${ids.case}'`), 1);
});

test('starting a draft: the body is checked, one open assessment per instrument, on the timeline and in the log', async () => {
  await certify(ids['as.officer'], NS);
  let r = await officer.post(`/api/v1/cases/${ids.case}/assessments`, { instrument_id: inst[NS].id });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['reason']);
  r = await officer.post(`/api/v1/cases/${ids.case}/assessments`, { instrument_id: inst[NS].id, reason: 'trigger' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['trigger_id']);
  r = await officer.post(`/api/v1/cases/${ids.case}/assessments`, { instrument_id: crypto.randomUUID(), reason: 'initial' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['instrument_id']);
  r = await officer.post(`/api/v1/cases/${ids.case}/assessments`, { instrument_id: inst[NS].id, reason: 'trigger', trigger_id: crypto.randomUUID() });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['trigger_id']);
  assert.equal(count('assessment'), 0);

  r = await officer.post(`/api/v1/cases/${ids.case}/assessments`, { instrument_id: inst[NS].id, reason: 'initial' });
  assert.equal(r.status, 201, r.text);
  const a = r.body;
  ids.ns1 = a.id;
  assert.equal(etag(r), '"1"');
  assert.equal(a.status, 'draft');
  assert.equal(a.case_id, ids.case);
  assert.equal(a.instrument_code, NS);
  assert.equal(a.instrument_version, '1.0');
  assert.equal(a.instrument_name.en, inst[NS].def.name.en);
  assert.equal(a.assessor_id, ids['as.officer']);
  assert.equal(a.assessor_name, 'Test as.officer');
  assert.equal(a.reason, 'initial');
  assert.equal(a.judgement, null);
  assert.equal(a.judgement_label, null);
  assert.equal(a.certification_required, true);
  assert.equal(a.assessor_certified, true);
  assert.deepEqual(a.ratings, {});
  assert.deepEqual(a.scenarios, []);
  assert.deepEqual(a.actions, []);
  assert.deepEqual(a.allowed, { edit: true, submit: true, countersign: false, return: false, withdraw: true });
  // Everything is still missing: each item, each domain, and the texts.
  const fields = a.missing.map((m) => m.field);
  assert.deepEqual(fields, ['assessed_on', 'sources', 'limitations', ...items(NS).map((i) => `ratings.${i.id}`),
    ...inst[NS].def.domains.map((d) => `domains.${d.id}`), 'judgement', 'rationale']);

  r = await officer2.post(`/api/v1/cases/${ids.case}/assessments`, { instrument_id: inst[NS].id, reason: 'other' });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /assessment-open/);
  const started = (await timeline()).filter((e) => e.kind === 'assessment.started');
  assert.equal(started.length, 1);
  assert.equal(started[0].detail.assessment_id, ids.ns1);
  assert.equal(started[0].detail.instrument_code, NS);
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'assessment' AND record_id = '${ids.ns1}'`), 1);
});

test('saving partial drafts: every bad id and value is named by its path; If-Match; only the assessor', async () => {
  const first = items(NS)[0].id;
  let r = await officer.put(`/api/v1/assessments/${ids.ns1}`, { sources: 'x' });
  assert.equal(r.status, 428, r.text);
  r = await officer.put(`/api/v1/assessments/${ids.ns1}`, {
    assessed_on: addDays(today(), 1),
    ratings: { [first]: { value: 'enormous', source: 'rumour' }, XX99: { value: 'some' }, NS02: 'some' },
    domains: { nowhere: { value: 'low' }, criminal_history: { value: 'none' } },
    judgement: 'apocalyptic', scenarios: [{ kind: 'sideways', description: '' }], actions: [{ kind: 'monitoring', description: 'Weekly', due_on: '2026-02-30' }],
    colour: 'red',
  }, { 'if-match': '"1"' });
  assert.equal(r.status, 422, r.text);
  const fields = r.body.errors.map((e) => e.field).sort();
  assert.deepEqual(fields, ['actions[0].due_on', 'assessed_on', 'colour', 'domains.criminal_history.value', 'domains.nowhere',
    'judgement', 'ratings.NS02', 'ratings.XX99', `ratings.${first}.source`, `ratings.${first}.value`,
    'scenarios[0].description', 'scenarios[0].kind'].sort());
  const bad = r.body.errors.find((e) => e.field === `ratings.${first}.value`);
  assert.match(bad.message, new RegExp(`must be one of: ${scale(NS, items(NS)[0].scale).join(', ')}`));
  assert.match(r.body.errors.find((e) => e.field === 'judgement').message, /low, medium, high, very_high/);
  assert.equal(count('assessment', `id = '${ids.ns1}' AND version = 1`), 1, 'nothing changed');

  // A partial draft: one item without its source (allowed in a draft), one domain.
  const partial = { sources: 'Interview', ratings: { [first]: { value: 'some', evidence: 'Two convictions' } }, domains: { criminal_history: { value: 'moderate', comment: 'History' } } };
  r = await officer.put(`/api/v1/assessments/${ids.ns1}`, partial, { 'if-match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(etag(r), '"2"');
  assert.deepEqual(r.body.ratings, { [first]: { value: 'some', evidence: 'Two convictions', source: null, source_detail: null } });
  assert.deepEqual(r.body.domains, { criminal_history: { value: 'moderate', comment: 'History' } });
  assert.equal(r.body.sources, 'Interview');
  assert.equal(r.body.limitations, '');
  const missing = r.body.missing.map((m) => m.field);
  assert.ok(missing.includes(`ratings.${first}.source`));
  assert.ok(!missing.includes(`ratings.${first}`));
  assert.ok(!missing.includes('sources'));
  assert.ok(!missing.includes('domains.criminal_history'));

  r = await officer.put(`/api/v1/assessments/${ids.ns1}`, partial, { 'if-match': '"1"' });
  assert.equal(r.status, 412, r.text);
  r = await officer2.put(`/api/v1/assessments/${ids.ns1}`, partial, { 'if-match': '"2"' });
  assert.equal(r.status, 403, r.text);
  assert.match(r.body.type, /not-assessor/);
  r = await officer2.get(`/api/v1/assessments/${ids.ns1}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.allowed, { edit: false, submit: false, countersign: false, return: false, withdraw: false });
  // Saving a draft is logged but adds nothing to the timeline.
  assert.ok(!(await timeline()).some((e) => e.kind === 'assessment.saved'));
  assert.equal(count('audit_log', `action = 'alter' AND record_type = 'assessment' AND record_id = '${ids.ns1}'`), 1);
});

test('submitting an incomplete draft lists every missing field; an uncertified assessor is refused', async () => {
  let r = await officer.post(`/api/v1/assessments/${ids.ns1}/submission`, undefined, { 'if-match': '"2"' });
  assert.equal(r.status, 422, r.text);
  assert.match(r.body.type, /assessment-incomplete/);
  const first = items(NS)[0].id;
  assert.deepEqual(r.body.errors.map((e) => e.field), ['assessed_on', 'limitations', `ratings.${first}.source`,
    ...items(NS).slice(1).map((i) => `ratings.${i.id}`),
    ...inst[NS].def.domains.filter((d) => d.id !== 'criminal_history').map((d) => `domains.${d.id}`), 'judgement', 'rationale']);
  assert.equal(count('assessment', `id = '${ids.ns1}' AND status = 'draft' AND version = 2`), 1);

  // officer2 is not certified: a complete draft on the second case is refused at submission.
  r = await officer2.post(`/api/v1/cases/${ids.case2}/assessments`, { instrument_id: inst[NS].id, reason: 'initial' });
  assert.equal(r.status, 201, r.text);
  ids.uncertified = r.body.id;
  assert.equal(r.body.assessor_certified, false);
  r = await officer2.put(`/api/v1/assessments/${ids.uncertified}`, complete(NS, 'first', 'medium'), { 'if-match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.missing, []);
  r = await officer2.post(`/api/v1/assessments/${ids.uncertified}/submission`, undefined, { 'if-match': '"2"' });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /not-certified/);
  assert.ok(r.body.detail.includes(NS), r.body.detail);
  assert.equal(count('assessment', `id = '${ids.uncertified}' AND status = 'draft'`), 1);
});

test('the final judgement is the assessor\'s: every item at the top of its scale and "low" is stored as given', async () => {
  const body = complete(NS, 'last', 'low', {
    scenarios: [{ kind: 'repeat', description: 'Repeat theft if unemployed' }, { kind: 'improvement', description: 'Stable work and family' }],
    actions: [
      { kind: 'monitoring', description: 'Weekly reporting at the office', due_on: addDays(today(), 14) },
      { kind: 'intervention', description: 'Refer to the employment programme', due_on: addDays(today(), 30) },
    ],
  });
  let r = await officer.put(`/api/v1/assessments/${ids.ns1}`, body, { 'if-match': '"2"' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.missing, []);
  assert.equal(r.body.judgement, 'low');
  assert.equal(r.body.judgement_label.en, inst[NS].def.judgements[0].label.en);
  for (const i of items(NS)) assert.equal(r.body.ratings[i.id].value, scale(NS, i.scale).at(-1));
  assert.equal(r.body.actions.length, 2);
  assert.deepEqual(r.body.scenarios, body.scenarios);
  r = await officer.post(`/api/v1/assessments/${ids.ns1}/submission`, undefined, { 'if-match': '"3"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'submitted');
  assert.equal(r.body.judgement, 'low', 'submission keeps the assessor\'s judgement');
  assert.ok(r.body.submitted_at);
  assert.equal(etag(r), '"4"');
  assert.equal(sql(srv.db, `SELECT judgement FROM assessment WHERE id = '${ids.ns1}'`), 'low');
  r = await officer.put(`/api/v1/assessments/${ids.ns1}`, body, { 'if-match': '"4"' });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /not-draft/);
  assert.ok((await timeline()).some((e) => e.kind === 'assessment.submitted' && e.detail.assessment_id === ids.ns1));
});

test('queues: the assessor\'s own, and those awaiting a unit head\'s countersignature', async () => {
  let r = await officer.get('/api/v1/assessments?view=mine');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((a) => a.id), [ids.ns1]);
  assert.equal(r.body.items[0].case_number.length > 0, true);
  r = await officer2.get('/api/v1/assessments');
  assert.deepEqual(r.body.items.map((a) => a.id), [ids.uncertified]);
  r = await head.get('/api/v1/assessments?view=countersign');
  assert.deepEqual(r.body.items.map((a) => a.id), [ids.ns1]);
  r = await officer.get('/api/v1/assessments?view=countersign');
  assert.deepEqual(r.body.items, [], 'only a unit head countersigns');
  r = await officerB.get('/api/v1/assessments?view=mine');
  assert.deepEqual(r.body.items, []);
  r = await head.get('/api/v1/assessments?view=everything');
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'view');
  assert.ok(count('audit_log', `action = 'consult' AND record_type = 'assessment' AND record_id IS NULL AND detail LIKE 'list countersign: 1 shown%'`) >= 1);
});

test('returned to draft by the unit head, resubmitted, countersigned: its actions go into a new supervision plan', async () => {
  let r = await head.post(`/api/v1/assessments/${ids.ns1}/return`, { note: 'no' }, { 'if-match': '"4"' });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'note');
  r = await officer.post(`/api/v1/assessments/${ids.ns1}/return`, { note: 'Please look again' }, { 'if-match': '"4"' });
  assert.equal(r.status, 403, r.text);
  r = await head.post(`/api/v1/assessments/${ids.ns1}/return`, { note: 'Say which file you read' }, { 'if-match': '"3"' });
  assert.equal(r.status, 412, r.text);
  r = await head.post(`/api/v1/assessments/${ids.ns1}/return`, { note: 'Say which file you read' }, { 'if-match': '"4"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'draft');
  assert.equal(r.body.returned_by_name, 'Test as.head');
  assert.equal(r.body.return_note, 'Say which file you read');
  assert.ok(r.body.returned_at);
  r = await head.post(`/api/v1/assessments/${ids.ns1}/countersignature`, {}, { 'if-match': '"5"' });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /not-submitted/);

  const got = await officer.get(`/api/v1/assessments/${ids.ns1}`);
  const body = { ...got.body, sources: 'Interview; court file 1-12/26' };
  const put = Object.fromEntries(['assessed_on', 'sources', 'limitations', 'ratings', 'domains', 'judgement', 'rationale', 'scenarios', 'actions'].map((k) => [k, body[k]]));
  r = await officer.put(`/api/v1/assessments/${ids.ns1}`, put, { 'if-match': '"5"' });
  assert.equal(r.status, 200, r.text);
  r = await officer.post(`/api/v1/assessments/${ids.ns1}/submission`, undefined, { 'if-match': '"6"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(count('supervision_plan', `case_id = '${ids.case}'`), 0);

  r = await head.post(`/api/v1/assessments/${ids.ns1}/countersignature`, { note: 'Agreed' }, { 'if-match': '"7"' });
  assert.equal(r.status, 200, r.text);
  const a = r.body;
  assert.equal(a.status, 'countersigned');
  assert.equal(a.countersigned_by_name, 'Test as.head');
  assert.equal(a.countersign_note, 'Agreed');
  assert.ok(a.plan_objective_id);
  assert.ok(a.actions.every((x) => x.plan_action_id));
  assert.deepEqual(a.allowed, { edit: false, submit: false, countersign: false, return: false, withdraw: false });

  r = await officer.get(`/api/v1/cases/${ids.case}/plan`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.review_every_days, 90);
  assert.equal(r.body.next_review_on, addDays(today(), 90));
  assert.equal(r.body.objectives.length, 1);
  const o = r.body.objectives[0];
  assert.equal(o.id, a.plan_objective_id);
  assert.equal(o.need, 'risk_management');
  assert.equal(o.description, `Risk-management actions from the assessment of ${today()} (${inst[NS].def.name.en})\n`
    + 'Scenario, a repeat: Repeat theft if unemployed\nScenario, improvement: Stable work and family');
  assert.deepEqual(o.actions.map((x) => [x.description, x.owner_kind, x.owner_account_id, x.due_on, x.status]), [
    ['Weekly reporting at the office', 'officer', ids['as.officer'], addDays(today(), 14), 'open'],
    ['Refer to the employment programme', 'officer', ids['as.officer'], addDays(today(), 30), 'open'],
  ]);
  assert.deepEqual(o.actions.map((x) => x.id).sort(), a.actions.map((x) => x.plan_action_id).sort());
  const kinds = (await timeline()).map((e) => e.kind);
  for (const k of ['assessment.returned', 'assessment.countersigned', 'plan.started', 'plan.objective_added'])
    assert.ok(kinds.includes(k), k);
  assert.equal(kinds.filter((k) => k === 'assessment.submitted').length, 2);
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'plan_action'`), 2);
});

test('a later countersigned assessment supersedes the earlier one; the plan gains an objective; triggers resolve at countersignature', async () => {
  let r = await officer.post(`/api/v1/cases/${ids.case}/reassessment-triggers`, { kind: 'other', occurred_on: today(), summary: 'The person moved in with a new partner' });
  assert.equal(r.status, 201, r.text);
  const triggerId = r.body.id;
  const trigger = async () => (await officer.get(`/api/v1/cases/${ids.case}/assessments`)).body.triggers.find((t) => t.id === triggerId);
  r = await officer.post(`/api/v1/cases/${ids.case}/assessments`, { instrument_id: inst[NS].id, reason: 'trigger', trigger_id: triggerId });
  assert.equal(r.status, 201, r.text);
  ids.ns2 = r.body.id;
  const body = complete(NS, 'first', 'medium', { actions: [{ kind: 'supervision', description: 'Home visit', due_on: addDays(today(), 7) }] });
  r = await officer.put(`/api/v1/assessments/${ids.ns2}`, body, { 'if-match': '"1"' });
  assert.equal(r.status, 200, r.text);
  r = await officer.post(`/api/v1/assessments/${ids.ns2}/submission`, undefined, { 'if-match': '"2"' });
  assert.equal(r.status, 200, r.text);
  // Submitted is not done: a unit head may still return it, and its assessor withdraw it.
  let t = await trigger();
  assert.equal(t.resolved_at, null, 'a submission resolves no trigger');
  assert.equal(t.resolved_by, null);
  r = await head2.post(`/api/v1/assessments/${ids.ns2}/countersignature`, {}, { 'if-match': '"3"' });
  assert.equal(r.status, 200, r.text + srv.logs().slice(-1500));
  t = await trigger();
  assert.ok(t.resolved_at, 'the countersignature resolves the trigger');
  assert.equal(t.resolved_by, ids.ns2);
  r = await officer.get(`/api/v1/assessments/${ids.ns1}`);
  assert.equal(r.body.status, 'superseded');
  assert.equal(r.body.superseded_by, ids.ns2);
  assert.ok(r.body.superseded_at);
  const ev = (await timeline()).filter((e) => e.kind === 'assessment.superseded');
  assert.deepEqual(ev.map((e) => [e.detail.assessment_id, e.detail.superseded_by]), [[ids.ns1, ids.ns2]]);
  r = await officer.get(`/api/v1/cases/${ids.case}/plan`);
  assert.equal(r.body.objectives.length, 2);
  assert.equal(r.body.objectives[1].actions[0].description, 'Home visit');
  assert.equal(count('supervision_plan', `case_id = '${ids.case}'`), 1);
});

test('a second instrument is independent; nobody countersigns their own assessment', async () => {
  await certify(ids['as.head2'], DR);
  let r = await head2.post(`/api/v1/cases/${ids.case}/assessments`, { instrument_id: inst[DR].id, reason: 'other' });
  assert.equal(r.status, 201, r.text);
  ids.dr = r.body.id;
  assert.equal(r.body.instrument_code, DR);
  const judgement = inst[DR].def.judgements.at(-1).id;
  r = await head2.put(`/api/v1/assessments/${ids.dr}`, complete(DR, 'first', judgement), { 'if-match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.missing, []);
  r = await head2.post(`/api/v1/assessments/${ids.dr}/submission`, undefined, { 'if-match': '"2"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.allowed.countersign, false);
  assert.equal(r.body.allowed.return, true);
  r = await head2.post(`/api/v1/assessments/${ids.dr}/countersignature`, {}, { 'if-match': '"3"' });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /own-assessment/);
  r = await head.post(`/api/v1/assessments/${ids.dr}/countersignature`, {}, { 'if-match': '"3"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.judgement, judgement);
  assert.equal(r.body.plan_objective_id, null, 'no scenario and no action: nothing for the plan');
  r = await officer.get(`/api/v1/assessments/${ids.ns2}`);
  assert.equal(r.body.status, 'countersigned', 'the needs screening is not superseded by another instrument');
  r = await officer.get(`/api/v1/cases/${ids.case}/assessments`);
  assert.deepEqual(r.body.items.map((a) => [a.id, a.status]), [[ids.dr, 'countersigned'], [ids.ns2, 'countersigned'], [ids.ns1, 'superseded']]);
  // The latest countersigned judgement suggests a level (the table the migration seeds).
  const sg = r.body.suggestion;
  assert.ok(sg, JSON.stringify(r.body));
  const expected = { [ids.dr]: ['intensive', DR, judgement], [ids.ns2]: ['medium', NS, 'medium'] }[sg.assessment_id];
  assert.ok(expected, `suggestion from ${sg.assessment_id}`);
  assert.deepEqual([sg.level, sg.instrument_code, sg.judgement], expected);
  assert.equal(sg.instrument_id, inst[expected[1]].id);
  assert.ok(sg.level_title.en && sg.instrument_name.en && sg.judgement_label.en);
  assert.equal(sg.assessed_on, today());
});

test('history: one instrument\'s completed assessments, oldest first, with positions on their scales', async () => {
  let r = await officer.get(`/api/v1/cases/${ids.case}/assessments/history`);
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'instrument');
  r = await officer.get(`/api/v1/cases/${ids.case}/assessments/history?instrument=no.such`);
  assert.equal(r.status, 422, r.text);
  r = await officer.get(`/api/v1/cases/${ids.case}/assessments/history?instrument=${NS}`);
  assert.equal(r.status, 200, r.text);
  const h = r.body;
  assert.equal(h.instrument_code, NS);
  assert.equal(h.instrument_name.en, inst[NS].def.name.en);
  assert.deepEqual(h.items.map((i) => i.id), items(NS).map((i) => i.id));
  assert.deepEqual(h.domains.map((d) => d.id), inst[NS].def.domains.map((d) => d.id));
  assert.deepEqual(h.domains[0].values.map((v) => v.id), scale(NS, 'domain_need'));
  assert.equal(h.items[0].domain, 'criminal_history');
  assert.deepEqual(h.judgements.map((j) => j.id), ['low', 'medium', 'high', 'very_high']);
  assert.deepEqual(h.assessments.map((a) => [a.id, a.status, a.judgement, a.judgement_position]),
    [[ids.ns1, 'superseded', 'low', 0], [ids.ns2, 'countersigned', 'medium', 1]]);
  const [first, second] = h.assessments;
  assert.equal(first.instrument_version, '1.0');
  assert.equal(first.assessed_on, today());
  for (const i of items(NS)) {
    assert.deepEqual(first.items[i.id], { value: scale(NS, i.scale).at(-1), position: scale(NS, i.scale).length - 1 });
    assert.deepEqual(second.items[i.id], { value: scale(NS, i.scale)[0], position: 0 });
  }
  assert.deepEqual(first.domains.criminal_history, { value: 'low', position: 0 });
  // Drafts and withdrawn ones are not in the history.
  r = await officer.get(`/api/v1/cases/${ids.case2}/assessments/history?instrument=${NS}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.assessments, []);
  assert.ok(count('audit_log', `action = 'consult' AND record_type = 'case_assessments' AND record_id = '${ids.case}' AND detail = 'history: ${NS}'`) >= 1);
});

test('an older-dated assessment countersigned after a newer one is superseded by it at once, and stays out of the plan', async () => {
  const objectives = async () => (await officer.get(`/api/v1/cases/${ids.case}/plan`)).body.objectives.length;
  const before = await objectives();
  let r = await officer.post(`/api/v1/cases/${ids.case}/assessments`, { instrument_id: inst[NS].id, reason: 'other' });
  assert.equal(r.status, 201, r.text);
  ids.ns3 = r.body.id;
  const body = complete(NS, 'last', 'high', {
    assessed_on: addDays(today(), -3), actions: [{ kind: 'monitoring', description: 'Check the address', due_on: addDays(today(), 5) }],
  });
  r = await officer.put(`/api/v1/assessments/${ids.ns3}`, body, { 'if-match': '"1"' });
  assert.equal(r.status, 200, r.text);
  r = await officer.post(`/api/v1/assessments/${ids.ns3}/submission`, undefined, { 'if-match': '"2"' });
  assert.equal(r.status, 200, r.text);
  r = await head.post(`/api/v1/assessments/${ids.ns3}/countersignature`, { note: 'Late paperwork' }, { 'if-match': '"3"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'superseded', 'the newer-dated countersigned one stands');
  assert.equal(r.body.superseded_by, ids.ns2);
  assert.ok(r.body.countersigned_at);
  assert.equal(r.body.countersign_note, 'Late paperwork');
  assert.equal(r.body.plan_objective_id, null);
  assert.ok(r.body.actions.every((x) => x.plan_action_id === null));
  assert.equal(await objectives(), before, 'the actions of an assessment that does not stand stay out of the plan');
  r = await officer.get(`/api/v1/assessments/${ids.ns2}`);
  assert.equal(r.body.status, 'countersigned');
  assert.equal(r.body.version, 4, 'the newer one is untouched');
  const events = await timeline();
  const ev = events.filter((e) => e.kind === 'assessment.superseded' && e.detail.assessment_id === ids.ns3);
  assert.deepEqual(ev.map((e) => e.detail.superseded_by), [ids.ns2]);
  const signed = events.find((e) => e.kind === 'assessment.countersigned' && e.detail.assessment_id === ids.ns3);
  assert.equal(signed.detail.superseded_by, ids.ns2);
  r = await officer.get(`/api/v1/cases/${ids.case}/assessments`);
  assert.equal(r.body.suggestion.assessment_id === ids.ns3, false, 'the superseded one suggests nothing');
  r = await officer.get(`/api/v1/cases/${ids.case}/assessments/history?instrument=${NS}`);
  assert.deepEqual(r.body.assessments.map((a) => a.id), [ids.ns3, ids.ns1, ids.ns2], 'oldest first by assessed_on');
});

test('two concurrent starts with one instrument open one draft: the other is refused as open', async () => {
  // Four sessions (one session's requests queue on its row).
  const start = (client) => client.post(`/api/v1/cases/${ids.case}/assessments`, { instrument_id: inst[NS].id, reason: 'other' });
  const results = await Promise.all([officer, officer2, head, head2].map(start));
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [201, 409, 409, 409], results.map((r) => r.text).join('\n'));
  for (const r of results.filter((x) => x.status === 409))
    assert.match(r.body.type, /assessment-open/);
  const id = results.find((r) => r.status === 201).body.id;
  assert.equal(count('assessment', `case_id = '${ids.case}' AND status = 'draft'`), 1);
  const r = await head.post(`/api/v1/assessments/${id}/withdrawal`, { reason: 'Only testing the lock' }, { 'if-match': '"1"' });
  assert.equal(r.status, 200, r.text);
});

test('withdrawing a draft: its assessor or a unit head, with a reason; not once submitted', async () => {
  let r = await officer2.post(`/api/v1/assessments/${ids.uncertified}/withdrawal`, { reason: 'no' }, { 'if-match': '"2"' });
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'reason');
  r = await officer.post(`/api/v1/assessments/${ids.uncertified}/withdrawal`, { reason: 'Started by mistake' }, { 'if-match': '"2"' });
  assert.equal(r.status, 403, r.text);
  assert.match(r.body.type, /not-assessor/);
  r = await officer2.post(`/api/v1/assessments/${ids.uncertified}/withdrawal`, { reason: 'Started by mistake' }, { 'if-match': '"2"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'withdrawn');
  assert.equal(r.body.withdraw_reason, 'Started by mistake');
  assert.ok(r.body.withdrawn_at);
  assert.ok((await timeline(ids.case2)).some((e) => e.kind === 'assessment.withdrawn'));
  // A unit head withdraws another's draft; a countersigned one cannot be withdrawn.
  r = await officer2.post(`/api/v1/cases/${ids.case2}/assessments`, { instrument_id: inst[NS].id, reason: 'other' });
  assert.equal(r.status, 201, r.text);
  const id = r.body.id;
  r = await head.post(`/api/v1/assessments/${id}/withdrawal`, { reason: 'The case is being transferred' }, { 'if-match': '"1"' });
  assert.equal(r.status, 200, r.text);
  r = await officer.post(`/api/v1/assessments/${ids.ns2}/withdrawal`, { reason: 'Changed my mind' }, { 'if-match': '"4"' });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /not-draft/);
  r = await officer2.get(`/api/v1/cases/${ids.case2}/assessments`);
  assert.deepEqual(r.body.items.map((a) => a.status), ['withdrawn', 'withdrawn']);
});

test('a case outside the caller\'s units: refused as the case is, and logged', async () => {
  let r = await officerB.get(`/api/v1/cases/${ids.case}/assessments`);
  assert.equal(r.status, 403, r.text);
  r = await officerB.get(`/api/v1/assessments/${ids.ns2}`);
  assert.equal(r.status, 403, r.text);
  r = await officerB.get(`/api/v1/cases/${ids.case}/assessments/history?instrument=${NS}`);
  assert.equal(r.status, 403, r.text);
  r = await officerB.post(`/api/v1/cases/${ids.case}/assessments`, { instrument_id: inst[NS].id, reason: 'initial' });
  assert.equal(r.status, 403, r.text);
  r = await officerB.get(`/api/v1/assessments/${crypto.randomUUID()}`);
  assert.equal(r.status, 404, r.text);
  r = await officerB.get(`/api/v1/cases/${crypto.randomUUID()}/assessments`);
  assert.equal(r.status, 404, r.text);
  assert.ok(count('audit_log', `outcome <> 'success' AND actor_id = '${ids['as.officer.b']}'`) >= 3);
  // Every read of one assessment is a consult of it.
  assert.ok(count('audit_log', `action = 'consult' AND record_type = 'assessment' AND record_id = '${ids.ns1}'`) >= 3);
});
