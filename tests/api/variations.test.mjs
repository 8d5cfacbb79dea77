// Variations of conditions (S8): the officer proposes, the unit head endorses or returns (never
// their own proposal), the competent authority — in a court agency, outside the case's units —
// decides an endorsed one, only once the officer's reasons and the person's account are on file.
// An approval applies at once: the condition is replaced (history on the new one) or ended.
// Each step is on the timeline and in the processing log (S10); the authority's reads carry
// the referral as their basis.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin, officer, head, head2, authority, officerB;
const ids = {};
let catalogue;
const byDuty = (duty) => catalogue.conditions.find((c) => c.duty === duty);

function today(timeZone = 'Asia/Bishkek') {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));

async function user(login, role, agency, unit) {
  const r = await admin.post('/api/v1/users', { login, display_name: `Test ${login}`, agency_id: agency, unit_id: unit, roles: [role] });
  assert.equal(r.status, 201, r.text);
  return (await firstLogin(srv.url, login, r.body.one_time_password)).client;
}

function residence(address, extra = {}) {
  return {
    code: byDuty('residence').code, params: { address }, answers: 'need',
    answers_detail: 'A stable address supports desistance', review_on: addDays(today(), 90), ...extra,
  };
}

async function timelineKinds() {
  const r = await officer.get(`/api/v1/cases/${ids.case}/timeline`);
  assert.equal(r.status, 200, r.text);
  return r.body.items.map((e) => e.kind);
}

before(async () => {
  srv = await startServer();
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'var.admin')))).client;
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Variation Probation', kind: 'probation' })).body.id;
  ids.region = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Region' })).body.id;
  ids.a = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office A', parent_id: ids.region })).body.id;
  ids.b = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office B', parent_id: ids.region })).body.id;
  let r = await admin.post('/api/v1/agencies', { name: 'Pervomaisky district court', kind: 'court' });
  assert.equal(r.status, 201, r.text);
  ids.court = r.body.id;
  r = await admin.post('/api/v1/units', { agency_id: ids.court, name: 'Criminal chamber' });
  assert.equal(r.status, 201, r.text);
  ids.chamber = r.body.id;
  officer = await user('var.officer', 'probation_officer', ids.agency, ids.a);
  officerB = await user('var.officer.b', 'probation_officer', ids.agency, ids.b);
  head = await user('var.head', 'unit_head', ids.agency, ids.region);
  head2 = await user('var.head2', 'unit_head', ids.agency, ids.region);
  authority = await user('var.judge', 'competent_authority', ids.court, ids.chamber);
  r = await officer.post('/api/v1/people', { surname: 'Осмонов', given_name: 'Азамат', birth_date: '1988-08-08', languages: ['ky'] });
  assert.equal(r.status, 201, r.text);
  ids.person = r.body.id;
  r = await officer.post('/api/v1/cases', { person_id: ids.person, kind: 'executive', opened_on: addDays(today(), -20), open_reason: 'Court order received' });
  assert.equal(r.status, 201, r.text);
  ids.case = r.body.id;
  r = await officer.post(`/api/v1/cases/${ids.case}/decisions`, {
    authority: 'Pervomaisky district court', number: '1-12/26', decided_on: addDays(today(), -20),
    measure: 'probation_supervision', articles: ['CC-130'], start_on: addDays(today(), -10), term: '2y',
    duties: ['residence', 'report'],
  });
  assert.equal(r.status, 201, r.text);
  ids.decision = r.body.id;
  catalogue = (await officer.get('/api/v1/condition-catalogue')).body;
  assert.ok(byDuty('residence'), 'the catalogue has a residence condition');
  r = await officer.post(`/api/v1/cases/${ids.case}/conditions`, { decision_id: ids.decision, ...residence('Бишкек, ул. Ахунбаева 12') });
  assert.equal(r.status, 201, r.text);
  ids.original = r.body.id;
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

let v; // the change variation, as last read

test('proposing: the action decides what is needed; the proposal is checked and authorised (S1)', async () => {
  let r = await officer.post(`/api/v1/cases/${ids.case}/variations`, { action: 'remove', reason: 'x', proposal: residence('Somewhere 1') });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['condition_id', 'proposal']);
  r = await officer.post(`/api/v1/cases/${ids.case}/variations`, { action: 'add', reason: 'More structure needed' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['proposal']);
  r = await officer.post(`/api/v1/cases/${ids.case}/variations`, { action: 'change', condition_id: ids.original, reason: 'Moved', proposal: residence('X', { answers: undefined }) });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['proposal.answers']);
  // The decision does not authorise a curfew: the proposal is refused with the reason.
  const curfew = byDuty('curfew');
  r = await officer.post(`/api/v1/cases/${ids.case}/variations`, {
    action: 'add', reason: 'Night-time risk',
    proposal: { decision_id: ids.decision, code: curfew.code, params: { address: 'Бишкек, ул. Ахунбаева 12', hours: { from: '22:00', to: '06:00' } }, answers: 'risk', answers_detail: 'Night', review_on: addDays(today(), 60) },
  });
  assert.equal(r.status, 422, r.text);
  assert.match(r.body.type, /not-authorised/);
  assert.equal(r.body.errors[0].field, 'proposal.code');
  assert.match(r.body.errors[0].message, /does not authorise the duty 'curfew'/);
  assert.equal(count('condition_variation'), 0);
});

test('the officer proposes a change; it is not yet ready for a decision without the person\'s view', async () => {
  const r = await officer.post(`/api/v1/cases/${ids.case}/variations`, {
    action: 'change', condition_id: ids.original, reason: 'The family moved to a new flat in the same district',
    proposal: residence('Бишкек, мкр. Джал 23, кв. 4'),
  });
  assert.equal(r.status, 201, r.text);
  v = r.body;
  assert.equal(v.status, 'proposed');
  assert.equal(v.action, 'change');
  assert.equal(v.case_id, ids.case);
  assert.match(v.case_number, /^\d{4}-\d{6}$/);
  assert.equal(v.person_name, 'Осмонов Азамат');
  assert.equal(v.unit_name, 'Office A');
  assert.equal(v.condition.id, ids.original);
  assert.equal(v.proposal.decision_id, ids.decision, 'the decision defaults to the changed condition\'s');
  assert.ok(v.proposal_text.ky.includes('мкр. Джал 23'));
  assert.ok(v.proposal_text.ru.includes('мкр. Джал 23'));
  assert.equal(v.ready_for_decision, false);
  assert.deepEqual(v.missing, ['person_view']);
  assert.equal(v.proposed_by_name, 'Test var.officer');
  assert.equal(r.headers.get('etag'), '"1"');
  // One pending variation per condition.
  const again = await officer.post(`/api/v1/cases/${ids.case}/variations`, { action: 'remove', condition_id: ids.original, reason: 'Not needed' });
  assert.equal(again.status, 409, again.text);
  assert.match(again.body.type, /pending-variation/);
  assert.ok((await timelineKinds()).includes('variation.proposed'));
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'condition_variation' AND record_id = '${v.id}'`), 1);
});

test('the authority does not see a proposal its unit head has not endorsed; an officer may not review', async () => {
  let r = await authority.get('/api/v1/variations');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items, []);
  r = await authority.get(`/api/v1/variations/${v.id}`);
  assert.equal(r.status, 403, r.text);
  r = await officer.post(`/api/v1/variations/${v.id}/review`, { endorse: true });
  assert.equal(r.status, 403, r.text);
  r = await officerB.get(`/api/v1/variations/${v.id}`);
  assert.equal(r.status, 403, r.text);
  r = await officerB.get('/api/v1/variations');
  assert.deepEqual(r.body.items, []);
  r = await officer.get('/api/v1/variations?status=proposed');
  assert.deepEqual(r.body.items.map((x) => x.id), [v.id]);
  r = await head.get('/api/v1/variations');
  assert.deepEqual(r.body.items.map((x) => x.id), [v.id]);
});

test('the unit head returns it with a comment; the officer edits it under If-Match and it is proposed again', async () => {
  let r = await head.post(`/api/v1/variations/${v.id}/review`, { endorse: false });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'comment');
  r = await head.post(`/api/v1/variations/${v.id}/review`, { endorse: false, comment: 'Give the date of the move' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'returned');
  assert.equal(r.body.reviewed_by_name, 'Test var.head');
  assert.equal(r.body.review_comment, 'Give the date of the move');
  r = await head.post(`/api/v1/variations/${v.id}/review`, { endorse: true });
  assert.equal(r.status, 409);
  assert.match(r.body.type, /wrong-state/);
  const reason = 'The family moved on 1 March to a new flat in the same district (tenancy seen)';
  r = await officer.put(`/api/v1/variations/${v.id}`, { reason });
  assert.equal(r.status, 428);
  r = await officer.put(`/api/v1/variations/${v.id}`, { reason }, { 'if-match': '"1"' });
  assert.equal(r.status, 412);
  r = await officer.put(`/api/v1/variations/${v.id}`, { reason }, { 'if-match': '"2"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'proposed');
  assert.equal(r.body.reason, reason);
  assert.equal(r.headers.get('etag'), '"3"');
  const kinds = await timelineKinds();
  assert.ok(kinds.includes('variation.returned'));
  assert.equal(kinds.filter((k) => k === 'variation.proposed').length, 2);
});

test('a unit head may not review their own proposal; a proposal can be withdrawn', async () => {
  let r = await head.post(`/api/v1/cases/${ids.case}/variations`, { action: 'remove', condition_id: ids.original, reason: 'x' });
  assert.equal(r.status, 409, 'the condition already has a pending variation');
  r = await head.post(`/api/v1/cases/${ids.case}/variations`, {
    action: 'add', reason: 'Reporting would help', person_view: 'Agrees',
    proposal: { decision_id: ids.decision, free_text: 'Call the officer every Friday morning', duty: 'report', answers: 'need', answers_detail: 'Structure', review_on: addDays(today(), 60) },
  });
  assert.equal(r.status, 201, r.text);
  const own = r.body;
  assert.equal(own.ready_for_decision, true);
  r = await head.post(`/api/v1/variations/${own.id}/review`, { endorse: true });
  assert.equal(r.status, 403, r.text);
  assert.match(r.body.type, /own-proposal/);
  r = await officer.post(`/api/v1/variations/${own.id}/withdrawal`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'withdrawn');
  r = await officer.post(`/api/v1/variations/${own.id}/withdrawal`);
  assert.equal(r.status, 409);
  assert.ok((await timelineKinds()).includes('variation.withdrawn'));
});

test('endorsed, it reaches the authority, whose reads are logged with the referral as basis; an officer cannot decide', async () => {
  let r = await head2.post(`/api/v1/variations/${v.id}/review`, { endorse: true, comment: 'Proportionate' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'endorsed');
  v = r.body;
  r = await authority.get('/api/v1/variations');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((x) => x.id), [v.id], 'only the endorsed one');
  assert.equal(r.body.items[0].person_name, 'Осмонов Азамат');
  r = await authority.get('/api/v1/variations?status=endorsed');
  assert.deepEqual(r.body.items.map((x) => x.id), [v.id]);
  r = await authority.get(`/api/v1/variations/${v.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.condition.id, ids.original);
  const logged = sql(srv.db, `SELECT purpose || '|' || justification FROM audit_log WHERE action = 'consult' AND record_type = 'condition_variation' AND record_id = '${v.id}' AND actor_login = 'var.judge'`).split('\n');
  assert.equal(logged.length, 3, 'the two lists and the single read');
  for (const l of logged) assert.equal(l, 'administration|Referred to the competent authority for decision');
  r = await officer.post(`/api/v1/variations/${v.id}/decision`, { approved: true, authority_reference: 'x', reasons: 'y', effective_from: today() });
  assert.equal(r.status, 403, r.text);
  r = await head.post(`/api/v1/variations/${v.id}/decision`, { approved: true, authority_reference: 'x', reasons: 'y', effective_from: today() });
  assert.equal(r.status, 403, r.text);
});

test('the decision shows how the person has complied: level, outcomes of 180 days of contacts, unexplained conditions', async () => {
  const zeros = {
    attended_complied: 0, attended_failed_to_comply: 0, sent_home: 0, acceptable_absence: 0, unacceptable_absence: 0,
    failed_to_attend: 0,
  };
  const since = addDays(today(), -180);
  const consults = () => count('audit_log', `action = 'consult' AND actor_login = 'var.judge'`);
  let before = consults();
  let r = await authority.get(`/api/v1/variations/${v.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(consults(), before + 1, 'covered by the variation read\'s one entry');
  const officerId = (await officer.get('/api/v1/auth/session')).body.user.id;
  assert.equal(r.body.proposed_by, officerId);
  assert.deepEqual(r.body.compliance, { level: null, since, outcomes: zeros, conditions_active: 1, unexplained: 1 });
  // Contacts recorded through the API, one on the first day counted and one the day before it.
  const contacts = [
    { kind: 'office', happened_local: `${addDays(today(), -1)}T10:00`, outcome: 'attended_complied' },
    { kind: 'home_visit', happened_local: `${addDays(today(), -2)}T16:30`, outcome: 'attended_complied' },
    { kind: 'office', happened_local: `${addDays(today(), -3)}T10:00`, outcome: 'failed_to_attend' },
    { kind: 'office', happened_local: `${since}T00:00`, outcome: 'acceptable_absence', absence_reason: 'medical' },
    { kind: 'phone', happened_local: `${addDays(since, -1)}T23:59`, outcome: 'unacceptable_absence' },
  ];
  for (const c of contacts) {
    r = await officer.post(`/api/v1/cases/${ids.case}/contacts`, c);
    assert.equal(r.status, 201, r.text);
  }
  r = await officer.put(`/api/v1/cases/${ids.case}/supervision-level`, { level: 'high', reason: 'Missed an appointment this month' });
  assert.equal(r.status, 200, r.text);
  r = await officer.post(`/api/v1/cases/${ids.case}/explanations`, { explained_on: today(), language: 'ky', acknowledged: true, condition_ids: [ids.original] });
  assert.equal(r.status, 201, r.text);
  before = consults();
  r = await authority.get(`/api/v1/variations/${v.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(consults(), before + 1);
  assert.equal(count('audit_log', `actor_login = 'var.judge' AND record_type IN ('contact', 'case_contacts', 'case_supervision', 'case_conditions')`), 0);
  const c = r.body.compliance;
  assert.deepEqual(c.level, { code: 'high', title: { ky: 'Жогорку', ru: 'Высокий', en: 'High' } });
  assert.equal(c.since, since);
  assert.deepEqual(c.outcomes, { ...zeros, attended_complied: 2, failed_to_attend: 1, acceptable_absence: 1 });
  assert.equal(c.conditions_active, 1);
  assert.equal(c.unexplained, 0, 'the explanation named the condition');
  // The list items do without it.
  r = await authority.get('/api/v1/variations');
  assert.equal(r.body.items[0].compliance, undefined);
  assert.equal(r.body.items[0].proposed_by, officerId);
});

test('S8: no decision until the person\'s account is on file; then the approval replaces the condition', async () => {
  const decision = { approved: true, authority_reference: 'Ruling 4-101/26', reasons: 'The new address is suitable', effective_from: today() };
  let r = await authority.post(`/api/v1/variations/${v.id}/decision`, decision);
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /not-ready/);
  assert.deepEqual(r.body.missing, ['person_view']);
  // Once endorsed, only the person's view may still be added.
  r = await officer.put(`/api/v1/variations/${v.id}`, { reason: 'changed' }, { 'if-match': `"${v.version}"` });
  assert.equal(r.status, 409, r.text);
  r = await officer.put(`/api/v1/variations/${v.id}`, { person_view: 'Agrees; the flat is closer to his work' }, { 'if-match': `"${v.version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'endorsed');
  assert.equal(r.body.ready_for_decision, true);
  assert.deepEqual(r.body.missing, []);
  r = await authority.post(`/api/v1/variations/${v.id}/decision`, { ...decision, effective_from: undefined });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'effective_from');
  r = await authority.post(`/api/v1/variations/${v.id}/decision`, decision);
  assert.equal(r.status, 200, r.text);
  v = r.body;
  assert.equal(v.status, 'approved');
  assert.equal(v.decided_by_name, 'Test var.judge');
  assert.equal(v.authority_reference, 'Ruling 4-101/26');
  assert.equal(v.effective_from, today());
  assert.ok(v.result_condition_id);
  r = await authority.post(`/api/v1/variations/${v.id}/decision`, decision);
  assert.equal(r.status, 409);
  assert.match(r.body.type, /wrong-state/);
  // The new condition replaces the old one, with the history.
  r = await officer.get(`/api/v1/conditions/${v.result_condition_id}`);
  assert.equal(r.status, 200, r.text);
  const c = r.body;
  assert.equal(c.status, 'active');
  assert.equal(c.variation_id, v.id);
  assert.equal(c.replaces_id, ids.original);
  assert.equal(c.decision_id, ids.decision);
  assert.equal(c.effective_from, today());
  assert.ok(c.texts.ru.includes('мкр. Джал 23'));
  assert.equal(c.text, c.texts.ky, 'the person speaks ky');
  assert.deepEqual(c.history.map((h) => [h.id, h.status, h.end_reason]), [[ids.original, 'ended', 'varied']]);
  assert.deepEqual(c.variations.map((x) => x.id), [v.id]);
  r = await officer.get(`/api/v1/cases/${ids.case}/conditions`);
  assert.equal(r.body.active_count, 1);
  assert.deepEqual(r.body.items.map((x) => x.status), ['active', 'ended']);
  const kinds = await timelineKinds();
  for (const k of ['variation.endorsed', 'variation.approved', 'condition.ended', 'condition.imposed']) assert.ok(kinds.includes(k), k);
  assert.equal(count('audit_log', `action = 'alter' AND record_type = 'condition_variation' AND record_id = '${v.id}' AND actor_login = 'var.judge'`), 1);
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'condition' AND record_id = '${v.result_condition_id}' AND actor_login = 'var.judge'`), 1);
  assert.equal(count('audit_log', `action = 'alter' AND record_type = 'condition' AND record_id = '${ids.original}'`), 1);
  // The authority keeps seeing what it decided.
  r = await authority.get('/api/v1/variations?status=decided');
  assert.deepEqual(r.body.items.map((x) => x.id), [v.id]);
});

test('a removal: refused leaves the condition; approved ends it', async () => {
  const target = v.result_condition_id;
  async function endorsedRemoval() {
    let r = await officer.post(`/api/v1/cases/${ids.case}/variations`, { action: 'remove', condition_id: target, reason: 'Stable for six months', person_view: 'Asks for it' });
    assert.equal(r.status, 201, r.text);
    r = await head.post(`/api/v1/variations/${r.body.id}/review`, { endorse: true });
    assert.equal(r.status, 200, r.text);
    return r.body;
  }
  let rm = await endorsedRemoval();
  let r = await authority.post(`/api/v1/variations/${rm.id}/decision`, { approved: false, authority_reference: 'Ruling 4-140/26', reasons: 'Too early' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'refused');
  assert.equal(r.body.result_condition_id, null);
  assert.equal((await officer.get(`/api/v1/conditions/${target}`)).body.status, 'active');
  rm = await endorsedRemoval();
  r = await authority.post(`/api/v1/variations/${rm.id}/decision`, { approved: true, authority_reference: 'Ruling 4-170/26', reasons: 'Progress', effective_from: today() });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'approved');
  r = await officer.get(`/api/v1/conditions/${target}`);
  assert.equal(r.body.status, 'ended');
  assert.equal(r.body.end_reason, 'removed');
  assert.equal(r.body.effective_to, today());
  const kinds = await timelineKinds();
  assert.ok(kinds.includes('variation.refused'));
  r = await officer.get(`/api/v1/cases/${ids.case}/variations`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((x) => x.status).sort(), ['approved', 'approved', 'refused', 'withdrawn']);
});
