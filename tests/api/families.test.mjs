// Returnee families (issue 9, S15): a family member may have returned with the person (and from where), be
// linked to their own person record (which the caller must reach), be restricted, and carry a
// child-protection referral (children only: a date, a note, optionally the agency), which goes on the
// timeline of each open case of the person without naming anyone. A restricted family member is seen and
// changed only by callers whose own units hold the person: a grant or a stated purpose shows the others and
// how many were withheld; each restricted row shown is a processing-log entry of its own. The
// child-protection list covers the persons within one's reach, restricted rows only within one's own units.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin, officer, headA, headB, officerB, headC;
const ids = {};
const PURPOSE = { 'x-kadam-purpose': 'investigation', 'x-kadam-justification': 'Checking a transfer request from Office A' };
const RESTRICTED = 'restricted family member (S15)';

function today(timeZone = 'Asia/Bishkek') {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));
const fields = (r) => r.body.errors.map((e) => e.field).sort();
const tp = (person = ids.person) => `/api/v1/people/${person}/third-parties`;

async function user(login, role, unit) {
  const r = await admin.post('/api/v1/users', { login, display_name: `Test ${login}`, agency_id: ids.agency, unit_id: unit, roles: [role] });
  assert.equal(r.status, 201, r.text);
  ids[login] = r.body.user.id;
  return (await firstLogin(srv.url, login, r.body.one_time_password)).client;
}
async function person(client, surname, given, birth) {
  const r = await client.post('/api/v1/people', { surname, given_name: given, birth_date: birth, languages: ['ky'] });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}
async function timeline(caseId) {
  const r = await officer.get(`/api/v1/cases/${caseId}/timeline`);
  assert.equal(r.status, 200, r.text);
  return r.body.items;
}

before(async () => {
  srv = await startServer();
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'fam.admin')))).client;
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Families Probation', kind: 'probation' })).body.id;
  ids.cpAgency = (await admin.post('/api/v1/agencies', { name: 'District Child Protection', kind: 'partner' })).body.id;
  for (const u of ['a', 'b', 'c'])
    ids[u] = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: `Office ${u.toUpperCase()}` })).body.id;
  officer = await user('fam.officer', 'probation_officer', ids.a);
  headA = await user('fam.head.a', 'unit_head', ids.a);
  headB = await user('fam.head.b', 'unit_head', ids.b);
  officerB = await user('fam.officer.b', 'probation_officer', ids.b);
  headC = await user('fam.head.c', 'unit_head', ids.c);
  ids.person = await person(officer, 'Эргешов', 'Тимур', '1985-07-07');
  ids.sibling = await person(officer, 'Эргешова', 'Гулзат', '1989-02-11');
  ids.elsewhere = await person(officerB, 'Сыдыков', 'Бакыт', '1979-10-30');
  const r = await officer.post('/api/v1/cases', { person_id: ids.person, kind: 'executive', opened_on: addDays(today(), -30),
    open_reason: 'Court order received', officer_id: ids['fam.officer'] });
  assert.equal(r.status, 201, r.text);
  ids.case = r.body.id;
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

test('a returnee family member: the new fields, each bad one named, nothing stored', async () => {
  let r = await officer.post(tp(), { relationship: 'spouse', full_name: 'Айгуль', child_protection: true });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['child_protection', 'child_protection_note', 'child_protection_on']);
  assert.match(r.body.errors.find((e) => e.field === 'child_protection').message, /only for a child/);
  r = await officer.post(tp(), { relationship: 'child', full_name: 'Айбек', child_protection: true, child_protection_on: today() });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['child_protection_note']);
  r = await officer.post(tp(), { relationship: 'child', full_name: 'Айбек', child_protection: true, child_protection_on: addDays(today(), 2),
    child_protection_note: 'short' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['child_protection_note', 'child_protection_on']);
  r = await officer.post(tp(), { relationship: 'child', full_name: 'Айбек', child_protection_note: 'Referred by the school',
    returned_from: 'SY', restricted: 'yes' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['child_protection_note', 'restricted', 'returned_from']);
  r = await officer.post(tp(), { relationship: 'spouse', full_name: 'Айгуль', returnee: true, returned_from: 'sy' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['returned_from']);
  r = await officer.post(tp(), { relationship: 'child', full_name: 'Айбек', child_protection: true, child_protection_on: today(),
    child_protection_note: 'Referred by the school nurse', child_protection_agency_id: crypto.randomUUID() });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['child_protection_agency_id']);
  assert.equal(count('third_party'), 0);

  r = await officer.post(tp(), { relationship: 'spouse', full_name: 'Айгуль Эргешова', returnee: true, returned_from: 'SY', contact: '+996 700 000 002' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('etag'), '"1"');
  ids.spouse = r.body.id;
  assert.equal(r.body.returnee, true);
  assert.equal(r.body.returned_from, 'SY');
  assert.equal(r.body.restricted, false);
  assert.equal(r.body.child_protection, false);
  assert.equal(r.body.linked_person_id, null);
  assert.equal(r.body.version, 1);
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'third_party' AND record_id = ${q(ids.spouse)}`), 1);
});

test('a linked person: another, existing person within the caller\'s reach', async () => {
  const body = { relationship: 'sibling', full_name: 'Гулзат Эргешова', returnee: true };
  let r = await officer.post(tp(), { ...body, linked_person_id: ids.person });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['linked_person_id']);
  r = await officer.post(tp(), { ...body, linked_person_id: crypto.randomUUID() });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['linked_person_id']);
  r = await officer.post(tp(), { ...body, linked_person_id: ids.elsewhere });
  assert.equal(r.status, 403, r.text);
  assert.equal(count('third_party', `person_id = ${q(ids.person)}`), 1);
  r = await officer.post(tp(), { ...body, linked_person_id: ids.sibling });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.linked_person_id, ids.sibling);
  ids.linked = r.body.id;
});

test('a restricted child with a child-protection referral: on each open case\'s timeline, naming no one', async () => {
  const r = await officer.post(tp(), { relationship: 'child', full_name: 'Нурислам Эргешов', birth_date: '2016-04-04', returnee: true,
    returned_from: 'IQ', restricted: true, child_protection: true, child_protection_on: today(),
    child_protection_agency_id: ids.cpAgency, child_protection_note: 'Referred to the district child-protection service' });
  assert.equal(r.status, 201, r.text);
  ids.child = r.body.id;
  assert.equal(r.body.restricted, true);
  assert.equal(r.body.child_protection, true);
  assert.equal(r.body.child_protection_on, today());
  assert.equal(r.body.child_protection_agency_name, 'District Child Protection');
  const ev = (await timeline(ids.case)).filter((e) => e.kind === 'family.child_protection');
  assert.equal(ev.length, 1);
  assert.equal(ev[0].detail.third_party_id, ids.child);
  assert.equal(ev[0].detail.child_protection, true);
  assert.doesNotMatch(ev[0].summary, /Нурислам|Эргешов/);
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'third_party' AND record_id = ${q(ids.child)} AND detail = ${q(RESTRICTED)}`), 1);
});

test('restricted rows: the own unit sees them, each read logged; a grant or a stated purpose does not', async () => {
  const consults = (actor) => count('audit_log', `action = 'consult' AND record_type = 'third_party' AND record_id = ${q(ids.child)}
    AND detail = ${q(RESTRICTED)} AND actor_id = ${q(ids[actor])}`);
  let r = await officer.get(tp());
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((t) => t.id), [ids.spouse, ids.linked, ids.child]);
  assert.equal(r.body.restricted_hidden, 0);
  assert.equal(consults('fam.officer'), 1);
  await officer.get(tp());
  assert.equal(consults('fam.officer'), 2, 'each read is its own entry');
  // A unit head of another unit: with a stated purpose, then under a grant.
  r = await headB.get(tp());
  assert.equal(r.status, 428, r.text);
  r = await headB.get(tp(), PURPOSE);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((t) => t.id), [ids.spouse, ids.linked]);
  assert.equal(r.body.restricted_hidden, 1);
  r = await headA.post('/api/v1/access-grants', { account_id: ids['fam.head.b'], unit_id: ids.a, purpose: 'supervision',
    justification: 'Covering Office A this week', expires_in_hours: 2 });
  assert.equal(r.status, 201, r.text);
  r = await headB.get(tp());
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((t) => t.id), [ids.spouse, ids.linked]);
  assert.equal(r.body.restricted_hidden, 1);
  assert.equal(consults('fam.head.b'), 0);
  // The own unit's head sees it too.
  r = await headA.get(tp());
  assert.equal(r.body.restricted_hidden, 0);
  assert.equal(r.body.items.length, 3);
  assert.equal(consults('fam.head.a'), 1);
});

test('changing family members: If-Match; restricted rows only within the own units; a purpose reads, never changes', async () => {
  let r = await headB.put(`${tp()}/${ids.child}`, { note: 'Seen at school' }, { 'if-match': '"1"' });
  assert.equal(r.status, 403, r.text);
  assert.equal(count('audit_log', `action = 'access.denied' AND record_id = ${q(ids.child)}`), 1);
  r = await headB.delete(`${tp()}/${ids.child}`);
  assert.equal(r.status, 403, r.text);
  r = await headB.post(tp(), { relationship: 'parent', full_name: 'Мать', restricted: true });
  assert.equal(r.status, 403, r.text);
  r = await headB.put(`${tp()}/${ids.spouse}`, { restricted: true }, { 'if-match': '"1"' });
  assert.equal(r.status, 403, r.text, 'a grant cannot hide a row from itself');
  // Under the grant an ordinary row can be changed; with a stated purpose only read.
  r = await headB.put(`${tp()}/${ids.spouse}`, { contact: '+996 700 000 003' }, { 'if-match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), '"2"');
  r = await headC.put(`${tp()}/${ids.spouse}`, { contact: '+996 700 000 004' }, { ...PURPOSE, 'if-match': '"2"' });
  assert.equal(r.status, 403, r.text);

  const path = `${tp()}/${ids.child}`;
  r = await officer.put(path, { note: 'Attends school' });
  assert.equal(r.status, 428, r.text);
  r = await officer.put(path, { note: 'Attends school' }, { 'if-match': '"5"' });
  assert.equal(r.status, 412, r.text);
  r = await officer.put(path, {}, { 'if-match': '"1"' });
  assert.equal(r.status, 422, r.text);
  r = await officer.put(path, { relationship: 'spouse' }, { 'if-match': '"1"' });
  assert.equal(r.status, 422, r.text, 'a child-protection referral stays with a child');
  assert.deepEqual(fields(r), ['child_protection']);
  r = await officer.put(path, { full_name: null, returned_from: 'iq' }, { 'if-match': '"1"' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(fields(r), ['full_name', 'returned_from']);
  r = await officer.put(path, { note: 'Attends school' }, { 'if-match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.note, 'Attends school');
  assert.equal(r.body.version, 2);
  assert.equal(r.body.child_protection, true, 'the rest kept');
  assert.equal(r.body.returned_from, 'IQ');
  assert.equal(count('audit_log', `action = 'alter' AND record_type = 'third_party' AND record_id = ${q(ids.child)} AND detail = ${q(RESTRICTED)}`), 1);
  r = await officer.put(`${tp()}/${crypto.randomUUID()}`, { note: 'x' }, { 'if-match': '"1"' });
  assert.equal(r.status, 404, r.text);
  r = await officer.put(`${tp(ids.sibling)}/${ids.child}`, { note: 'x' }, { 'if-match': '"1"' });
  assert.equal(r.status, 404, r.text, 'another person\'s family member');
});

test('the child-protection list: persons within reach, restricted rows only within the own units, one log entry', async () => {
  // A second referral, not restricted, set by a change.
  let r = await officer.post(tp(), { relationship: 'child', full_name: 'Айша Эргешова', birth_date: '2018-02-02' });
  assert.equal(r.status, 201, r.text);
  ids.child2 = r.body.id;
  r = await officer.put(`${tp()}/${ids.child2}`, { child_protection: true, child_protection_on: addDays(today(), -1),
    child_protection_note: 'School reported absences after the return' }, { 'if-match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.child_protection, true);
  assert.equal((await timeline(ids.case)).filter((e) => e.kind === 'family.child_protection').length, 2);

  const restrictedReads = (actor) => count('audit_log', `action = 'consult' AND record_type = 'third_party'
    AND record_id = ${q(ids.child)} AND detail = ${q(RESTRICTED)} AND actor_id = ${q(ids[actor])}`);
  const reads = restrictedReads('fam.officer');
  r = await officer.get('/api/v1/child-protection');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((x) => x.third_party_id), [ids.child, ids.child2]);
  assert.equal(restrictedReads('fam.officer'), reads + 1, 'the restricted row shown is a consult of its own');
  const first = r.body.items[0];
  assert.equal(first.person_id, ids.person);
  assert.match(first.person_name, /^Эргешов Тимур/);
  assert.ok(first.case_number);
  assert.equal(first.full_name, 'Нурислам Эргешов');
  assert.equal(first.birth_date, '2016-04-04');
  assert.equal(first.agency_name, 'District Child Protection');
  assert.equal(first.note, 'Referred to the district child-protection service');
  assert.equal(r.body.restricted_hidden, 0);
  const log = sql(srv.db, `SELECT detail FROM audit_log WHERE action = 'consult' AND record_type = 'third_party' AND record_id IS NULL
    AND actor_id = ${q(ids['fam.officer'])}`);
  assert.match(log, /^list child protection: 2 shown/);
  // Under the grant: the restricted child is withheld and counted.
  r = await headB.get('/api/v1/child-protection');
  assert.deepEqual(r.body.items.map((x) => x.third_party_id), [ids.child2]);
  assert.equal(r.body.restricted_hidden, 1);
  assert.equal(restrictedReads('fam.head.b'), 0);
  r = await officerB.get('/api/v1/child-protection');
  assert.deepEqual(r.body.items, []);
  assert.equal(r.body.restricted_hidden, 0);

  // Withdrawing the referral clears its date, note and agency, and is on the timeline.
  r = await officer.put(`${tp()}/${ids.child2}`, { child_protection: false }, { 'if-match': '"2"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.child_protection, false);
  assert.equal(r.body.child_protection_on, null);
  assert.equal(r.body.child_protection_note, null);
  const ev = (await timeline(ids.case)).filter((e) => e.kind === 'family.child_protection');
  assert.equal(ev.length, 3);
  assert.ok(ev.some((e) => e.detail.child_protection === false && e.detail.third_party_id === ids.child2));
  r = await officer.get('/api/v1/child-protection');
  assert.deepEqual(r.body.items.map((x) => x.third_party_id), [ids.child]);
});

test('removing a restricted family member: only within the own units', async () => {
  assert.equal((await headB.delete(`${tp()}/${ids.child}`)).status, 403);
  assert.equal((await officer.delete(`${tp()}/${ids.child}`)).status, 204);
  assert.equal((await officer.delete(`${tp()}/${ids.child}`)).status, 404);
  assert.equal(count('third_party', `id = ${q(ids.child)}`), 0);
  assert.equal((await headB.get(tp())).body.restricted_hidden, 0);
});
