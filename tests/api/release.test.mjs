// Release planning (penitentiary probation): a case is on the prison's list from a configurable number of months
// before its release date (the release key date of its decision in force) and on the receiving probation unit's
// list while its release plan is live; the receiving unit reaches the case only then. The plan names a probation
// unit, documents, programmes (the case's referrals) and a first appointment within N days of release. Panel
// meetings record attendees by agency, decisions and actions, and print as minutes in ky, ru and en. The handover
// moves the case to the receiving unit (kind executive, or post-penitentiary with the person's consent), carries the
// open actions into the supervision plan and books the first appointment; the prison then no longer reaches it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, zoneAtMidMorning } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin, worker, officer, head, officerB, headB, tz;
const ids = {};
const q = (s) => `'${String(s).replace(/'/g, "''")}'`;
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));
const etag = (r) => r.headers.get('etag');

function localDate(ms = Date.now()) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}

async function user(login, role, agency, unit) {
  const r = await admin.post('/api/v1/users', { login, display_name: `Test ${login}`, agency_id: agency, unit_id: unit, roles: [role] });
  assert.equal(r.status, 201, r.text);
  ids[login] = r.body.user.id;
  return (await firstLogin(srv.url, login, r.body.one_time_password)).client;
}

async function agency(name, kind) {
  const r = await admin.post('/api/v1/agencies', { name, kind });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}

async function unit(agencyId, name, parent) {
  const r = await admin.post('/api/v1/units', { agency_id: agencyId, name, ...(parent ? { parent_id: parent } : {}) });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}

// A case opened by the prison case worker; with releaseIn (days from today) a custodial decision in force whose
// computed release date falls then (start + term - 1 day).
async function prisonCase(surname, releaseIn, kind = 'penitentiary') {
  let r = await worker.post('/api/v1/people', { surname, given_name: 'Тест', birth_date: '1990-05-05', languages: ['ky'] });
  assert.equal(r.status, 201, r.text);
  const person = r.body.id;
  r = await worker.post('/api/v1/cases', { person_id: person, kind, opened_on: addDays(ids.today, -400), open_reason: 'Admitted to the institution', officer_id: ids['rel.worker'] });
  assert.equal(r.status, 201, r.text);
  const c = { id: r.body.id, number: r.body.number, person };
  if (releaseIn !== undefined) {
    const start = addDays(ids.today, -100);
    r = await worker.post(`/api/v1/cases/${c.id}/decisions`, {
      authority: 'Bishkek city court', number: `1-${surname}/26`, decided_on: start, measure: 'deprivation_of_liberty',
      articles: ['CC-130'], start_on: start, term: `${releaseIn + 101}d`, remand_days: 0, duties: [],
    });
    assert.equal(r.status, 201, r.text);
    const release = r.body.key_dates.find((k) => k.kind === 'release');
    assert.equal(release.date, addDays(ids.today, releaseIn));
    c.release = release.date;
  }
  return c;
}

const listed = (r) => r.body.items.map((x) => x.case_id);

before(async () => {
  srv = await startServer();
  // A zone where it is mid-morning now: today's date cannot change while the suite runs.
  const zone = zoneAtMidMorning();
  sql(srv.db, `UPDATE setting SET value = ${q(zone)} WHERE key = 'timezone'`);
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'rel.admin')))).client;
  tz = (await admin.get('/api/v1/system')).body.timezone;
  assert.equal(tz, zone);
  ids.today = localDate();
  ids.prison = await agency('Release Prison Service', 'prison');
  ids.colony = await unit(ids.prison, 'Colony 47');
  ids.probation = await agency('Release Probation', 'probation');
  ids.region = await unit(ids.probation, 'Region');
  ids.officeA = await unit(ids.probation, 'Office A', ids.region);
  ids.officeB = await unit(ids.probation, 'Office B', ids.region);
  ids.partner = await agency('Release Partner NGO', 'partner');
  ids.police = await agency('Release Police', 'police');
  worker = await user('rel.worker', 'prison_case_worker', ids.prison, ids.colony);
  officer = await user('rel.officer', 'probation_officer', ids.probation, ids.officeA);
  head = await user('rel.head', 'unit_head', ids.probation, ids.officeA);
  officerB = await user('rel.officer.b', 'probation_officer', ids.probation, ids.officeB);
  headB = await user('rel.head.b', 'unit_head', ids.probation, ids.officeB);
  ids.soon = await prisonCase('Асанов', 150);      // about 5 months ahead
  ids.later = await prisonCase('Бекова', 240);     // about 8 months ahead
  ids.past = await prisonCase('Жумабаев', -41);    // released over 30 days ago
  ids.recent = await prisonCase('Токтогулов', -10); // released 10 days ago
  ids.none = await prisonCase('Осмонов');           // no decision yet: no release date
  ids.exec = await prisonCase('Исаков', 100, 'executive');
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

test('the prison\'s list: penitentiary cases released within the window (setting release_planning.months_before), logged', async () => {
  let r = await worker.get('/api/v1/release-planning?view=prison');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.months_before, 6);
  assert.deepEqual(listed(r), [ids.recent.id, ids.soon.id]);
  const soon = r.body.items.find((x) => x.case_id === ids.soon.id);
  assert.equal(soon.case_number, ids.soon.number);
  assert.equal(soon.person_name, 'Асанов Тест');
  assert.equal(soon.unit_name, 'Colony 47');
  assert.equal(soon.release_on, ids.soon.release);
  assert.equal(soon.days_to_release, 150);
  assert.equal(soon.plan, null);
  // One consult entry naming the cases shown.
  const detail = sql(srv.db, `SELECT detail FROM audit_log WHERE action = 'consult' AND record_type = 'case' AND detail LIKE '%release planning: prison%' ORDER BY seq DESC LIMIT 1`);
  assert.ok(detail.includes(ids.soon.id) && detail.includes(ids.recent.id) && !detail.includes(ids.later.id), detail);
  // The default view of a prison case worker is the prison's list.
  r = await worker.get('/api/v1/release-planning');
  assert.equal(r.body.view, 'prison');
  assert.deepEqual(listed(r), [ids.recent.id, ids.soon.id]);
  // Nine months: the case 8 months ahead joins the list.
  sql(srv.db, `UPDATE setting SET value = '9' WHERE key = 'release_planning.months_before'`);
  r = await worker.get('/api/v1/release-planning?view=prison');
  assert.equal(r.body.months_before, 9);
  assert.deepEqual(listed(r), [ids.recent.id, ids.soon.id, ids.later.id]);
  sql(srv.db, `UPDATE setting SET value = '6' WHERE key = 'release_planning.months_before'`);
  r = await worker.get('/api/v1/release-planning?view=prison');
  assert.ok(!listed(r).includes(ids.later.id));
  // Other units see nothing of the prison's cases; a bad view is named.
  r = await officer.get('/api/v1/release-planning?view=prison');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items, []);
  r = await officer.get('/api/v1/release-planning?view=everything');
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['view']);
});

test('a release plan: probation receiving unit, first appointment within N days of release, the case\'s referrals', async () => {
  const url = `/api/v1/cases/${ids.soon.id}/release-plan`;
  // Before a plan, the receiving officer does not reach the case.
  let r = await officer.get(`/api/v1/cases/${ids.soon.id}`);
  assert.ok([403, 428].includes(r.status), r.text);
  r = await worker.get(url);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.plan, null);
  assert.equal(r.body.release_on, ids.soon.release);
  assert.equal(r.body.first_appointment_limit, addDays(ids.soon.release, 3));
  // Bad bodies: each field named, nothing stored.
  r = await worker.put(url, { receiving_unit_id: 'x', documents: [{ kind: 'visa', status: 'have' }], first_appointment_at: '2026-13-40T10:00', status: 'handed_over', colour: 'red' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(),
    ['colour', 'documents[0].kind', 'first_appointment_at', 'receiving_unit_id', 'status']);
  r = await worker.put(url, { receiving_unit_id: ids.colony });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['receiving_unit_id']);
  assert.match(r.body.errors[0].message, /probation/);
  const limit = addDays(ids.soon.release, 3);
  r = await worker.put(url, { receiving_unit_id: ids.officeA, first_appointment_at: `${addDays(ids.soon.release, 4)}T10:00` });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['first_appointment_at']);
  assert.ok(r.body.errors[0].message.includes(limit), r.body.errors[0].message);
  r = await worker.put(url, { receiving_unit_id: ids.officeA, first_appointment_at: `${addDays(ids.soon.release, -1)}T10:00` });
  assert.equal(r.status, 422, r.text);
  // A referral of another case is refused; one of this case is shown as a summary.
  const programme = randomUUID(), mine = randomUUID(), other = randomUUID();
  const now = Date.now();
  sql(srv.db, `INSERT INTO programme (id, name, type, provider_agency_id, places, schedule, languages, eligibility, status, created_at, updated_at) VALUES (${q(programme)}, 'Job skills', 'vocational_training', ${q(ids.partner)}, 10, 'Tuesdays', 'ky,ru', 'Adults', 'open', ${now}, ${now})`);
  for (const [id, c] of [[mine, ids.soon.id], [other, ids.later.id]])
    sql(srv.db, `INSERT INTO referral (id, case_id, programme_id, partner_agency_id, status, reason, shared_fields, share_until, referred_on, referred_by, status_at, created_at, updated_at) VALUES (${q(id)}, ${q(c)}, ${q(programme)}, ${q(ids.partner)}, 'accepted', 'Needs a trade after release', '["name"]', ${q(addDays(ids.today, 200))}, ${q(ids.today)}, ${q(ids['rel.worker'])}, ${now}, ${now}, ${now})`);
  r = await worker.put(url, { receiving_unit_id: ids.officeA, referral_ids: [mine, other] });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['referral_ids[1]']);
  assert.equal(count('release_plan'), 0);

  const body = {
    receiving_unit_id: ids.officeA, address: 'Bishkek, Chui avenue 1, with his mother', transport: 'Collected by family',
    documents: [{ kind: 'passport', status: 'applied', note: 'Applied at the colony' }, { kind: 'id_card', status: 'needed' }],
    first_appointment_at: `${limit}T10:00`, first_appointment_place: 'Office A, room 3', notes: 'Wants work in construction',
    referral_ids: [mine],
  };
  r = await worker.put(url, body);
  assert.equal(r.status, 201, r.text);
  const p = r.body;
  ids.plan = p.id;
  assert.equal(etag(r), `"${p.version}"`);
  assert.equal(p.status, 'draft');
  assert.equal(p.case_number, ids.soon.number);
  assert.equal(p.receiving_unit_name, 'Office A');
  assert.equal(p.release_on, ids.soon.release);
  assert.equal(p.first_appointment_at, `${limit}T10:00`);
  assert.equal(p.first_appointment_limit, limit);
  assert.deepEqual(p.documents, body.documents);
  assert.deepEqual(p.referrals, [{ id: mine, programme_name: 'Job skills', partner_name: 'Release Partner NGO', status: 'accepted' }]);
  assert.deepEqual(p.actions, []);
  assert.deepEqual(p.meetings, []);
  assert.equal(p.handed_over_at, null);
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'release_plan' AND record_id = ${q(p.id)}`), 1);

  // A change needs If-Match; absent fields are kept.
  r = await worker.put(url, { receiving_unit_id: ids.officeA, status: 'agreed' });
  assert.equal(r.status, 428, r.text);
  r = await worker.put(url, { receiving_unit_id: ids.officeA, status: 'agreed' }, { 'if-match': '"99"' });
  assert.equal(r.status, 412, r.text);
  r = await worker.put(url, { receiving_unit_id: ids.officeA, status: 'agreed' }, { 'if-match': `"${p.version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'agreed');
  assert.equal(r.body.version, p.version + 1);
  assert.equal(r.body.address, body.address);
  assert.equal(r.body.referrals.length, 1);
  ids.planVersion = r.body.version;
  const kinds = (await worker.get(`/api/v1/cases/${ids.soon.id}/timeline?order=asc`)).body.items.map((e) => e.kind);
  assert.deepEqual(kinds.filter((k) => k.startsWith('release_plan')), ['release_plan.started', 'release_plan.changed']);

  // A case without a release date keeps a plan, but not a first appointment; only penitentiary cases have plans.
  r = await worker.put(`/api/v1/cases/${ids.none.id}/release-plan`, { receiving_unit_id: ids.officeA, first_appointment_at: `${ids.today}T10:00` });
  assert.equal(r.status, 422, r.text);
  assert.match(r.body.errors[0].message, /no release date/);
  r = await worker.put(`/api/v1/cases/${ids.none.id}/release-plan`, { receiving_unit_id: ids.officeA });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.release_on, null);
  assert.equal(r.body.first_appointment_limit, null);
  ids.nonePlan = r.body.id;
  r = await worker.put(`/api/v1/cases/${ids.exec.id}/release-plan`, { receiving_unit_id: ids.officeA });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /not-penitentiary/);
});

test('the receiving unit: its list, and it reaches the case while the plan is live', async () => {
  let r = await officer.get(`/api/v1/cases/${ids.soon.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.may_change, false, 'the receiving unit reads the case, it does not change it');
  assert.equal((await worker.get(`/api/v1/cases/${ids.soon.id}`)).body.may_change, true);
  r = await officer.get(`/api/v1/cases/${ids.soon.id}/release-plan`);
  assert.equal(r.status, 200, r.text);
  r = await officer.get('/api/v1/release-planning?view=receiving');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(listed(r), [ids.soon.id, ids.none.id]);
  const row = r.body.items[0];
  assert.equal(row.unit_name, 'Colony 47');
  assert.deepEqual(row.plan, { id: ids.plan, status: 'agreed', receiving_unit_id: ids.officeA, receiving_unit_name: 'Office A',
    first_appointment_at: `${addDays(ids.soon.release, 3)}T10:00`, actions_open: 0, meetings: 0 });
  // The default view for probation staff is the receiving list; another office sees none of it.
  r = await officer.get('/api/v1/release-planning');
  assert.equal(r.body.view, 'receiving');
  r = await officerB.get('/api/v1/release-planning?view=receiving');
  assert.deepEqual(r.body.items, []);
  r = await officerB.get(`/api/v1/cases/${ids.soon.id}`);
  assert.ok([403, 428].includes(r.status), r.text);
  // The prison list shows the plan too.
  r = await worker.get('/api/v1/release-planning?view=prison');
  assert.equal(r.body.items.find((x) => x.case_id === ids.soon.id).plan.status, 'agreed');
});

test('before the handover the receiving unit reads and plans; it never closes, allocates or changes the prison\'s case', async () => {
  const caseUrl = `/api/v1/cases/${ids.soon.id}`;
  const before = sql(srv.db, `SELECT unit_id || ' ' || officer_id || ' ' || status || ' ' || version FROM case_file WHERE id = ${q(ids.soon.id)}`);
  // The receiving unit's reads are logged with the plan as their basis.
  const basis = () => count('audit_log', `action = 'consult' AND record_type = 'case' AND record_id = ${q(ids.soon.id)}
    AND actor_id = ${q(ids['rel.officer'])} AND purpose = 'supervision' AND justification = ${q(`receiving unit of release plan ${ids.plan}`)}`);
  const logged = basis();
  let r = await officer.get(caseUrl);
  assert.equal(r.status, 200, r.text);
  assert.equal(basis(), logged + 1);
  // Case-level changes stay with the prison: closing, allocating, the person's record.
  r = await head.post(`${caseUrl}/close`, { closed_on: ids.today, reason: 'Taken over early' });
  assert.ok([403, 428].includes(r.status), r.text);
  r = await officer.post(`${caseUrl}/close`, { closed_on: ids.today, reason: 'Taken over early' });
  assert.equal(r.status, 403, r.text);
  r = await head.post(`${caseUrl}/allocation`, { officer_id: ids['rel.worker'], reason: 'Taking it over early' });
  assert.ok([403, 428].includes(r.status), r.text);
  r = await officer.post(`/api/v1/people/${ids.soon.person}/phones`, { number: '+996 700 111 222' });
  assert.equal(r.status, 403, r.text);
  assert.equal(sql(srv.db, `SELECT unit_id || ' ' || officer_id || ' ' || status || ' ' || version FROM case_file WHERE id = ${q(ids.soon.id)}`), before);
  assert.equal(count('person_phone', `person_id = ${q(ids.soon.person)}`), 0);
  assert.ok(count('audit_log', `action = 'access.denied' AND record_id = ${q(ids.soon.id)} AND actor_id = ${q(ids['rel.officer'])}`) >= 1);
  // A restricted family member (S15) stays with the person's own units: the receiving unit is told how many.
  const child = randomUUID(), now = Date.now();
  sql(srv.db, `INSERT INTO third_party (id, person_id, relationship, full_name, created_at, created_by, returnee, restricted, child_protection, child_protection_on, child_protection_note, updated_at, version) VALUES (${q(child)}, ${q(ids.soon.person)}, 'child', 'Restricted Child', ${now}, ${q(ids['rel.worker'])}, 1, 1, 1, ${q(ids.today)}, 'Referred to child protection on return', ${now}, 1)`);
  r = await head.get(`/api/v1/people/${ids.soon.person}/third-parties`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items, []);
  assert.equal(r.body.restricted_hidden, 1);
  r = await head.get('/api/v1/child-protection');
  assert.equal(r.status, 200, r.text);
  assert.ok(!r.body.items.some((x) => x.third_party_id === child), 'not listed');
  assert.equal(r.body.restricted_hidden, 1);
  assert.ok(!r.text.includes('Restricted Child'));
  sql(srv.db, `DELETE FROM third_party WHERE id = ${q(child)}`);
});

test('a plan on a case that was closed gives the receiving unit nothing', async () => {
  let r = await worker.put(`/api/v1/cases/${ids.later.id}/release-plan`, { receiving_unit_id: ids.officeA });
  assert.equal(r.status, 201, r.text);
  r = await officer.get(`/api/v1/cases/${ids.later.id}`);
  assert.equal(r.status, 200, r.text);
  r = await worker.post(`/api/v1/cases/${ids.later.id}/close`, { closed_on: ids.today, reason: 'Transferred to another country' });
  assert.equal(r.status, 200, r.text);
  r = await officer.get(`/api/v1/cases/${ids.later.id}`);
  assert.ok([403, 428].includes(r.status), r.text);
  r = await officer.get(`/api/v1/people/${ids.later.person}`);
  assert.ok([403, 428].includes(r.status), r.text);
  r = await officer.get('/api/v1/release-planning?view=receiving');
  assert.ok(!listed(r).includes(ids.later.id));
});

test('actions and a panel meeting with attendees by agency; minutes in ky, ru and en', async () => {
  const plan = `/api/v1/release-plans/${ids.plan}`;
  let r = await worker.post(`${plan}/actions`, { description: 'Go', due_on: 'soon' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['description', 'due_on', 'owner_agency_id']);
  r = await worker.post(`${plan}/actions`, { description: 'Apply for a passport', owner_agency_id: randomUUID(), due_on: addDays(ids.today, 30) });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['owner_agency_id']);
  r = await worker.post(`${plan}/actions`, { description: 'Apply for a passport', owner_agency_id: ids.prison, owner_name: 'Colony registry', due_on: addDays(ids.today, 30) });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.owner_agency_name, 'Release Prison Service');
  assert.equal(r.body.status, 'open');
  ids.action1 = r.body;
  r = await officer.post(`${plan}/actions`, { description: 'Find a hostel place', owner_agency_id: ids.probation, due_on: addDays(ids.today, 60) });
  assert.equal(r.status, 201, r.text);
  ids.action2 = r.body;

  const meeting = {
    held_on: ids.today, place: 'Colony 47, meeting room',
    agenda: 'Release plan review <script>alert(1)</script>', decisions: 'Housing with the mother & a job-skills course',
    attendees: [
      { agency_id: ids.prison, name: 'Айгүл Сыдыкова', role_title: 'Case worker', present: true },
      { agency_id: ids.probation, name: 'Нурлан Абдыкеров', role_title: 'Probation officer', present: true },
      { agency_id: ids.partner, name: 'Gulnara NGO', present: false },
      { agency_id: ids.prison, name: 'Psychologist', present: true },
    ],
    actions: [{ description: 'Enrol in the job-skills course', owner_agency_id: ids.partner, owner_name: 'Gulnara', due_on: addDays(ids.today, 45) }],
  };
  r = await worker.post(`${plan}/panel-meetings`, { ...meeting, held_on: addDays(ids.today, 1), attendees: [{ agency_id: randomUUID(), name: 'X', present: 'yes' }] });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['attendees[0].present', 'held_on']);
  r = await worker.post(`${plan}/panel-meetings`, { ...meeting, attendees: [{ agency_id: randomUUID(), name: 'X', present: true }] });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['attendees[0].agency_id']);
  assert.equal(count('panel_meeting'), 0);
  r = await worker.post(`${plan}/panel-meetings`, meeting);
  assert.equal(r.status, 201, r.text);
  const m = r.body;
  ids.meeting = m.id;
  assert.equal(m.case_number, ids.soon.number);
  assert.deepEqual(m.attendees.map((a) => [a.agency_name, a.name, a.present]), [
    ['Release Prison Service', 'Айгүл Сыдыкова', true], ['Release Probation', 'Нурлан Абдыкеров', true],
    ['Release Partner NGO', 'Gulnara NGO', false], ['Release Prison Service', 'Psychologist', true]]);
  assert.equal(m.actions.length, 1);
  assert.equal(m.actions[0].meeting_id, m.id);
  ids.action3 = m.actions[0];
  r = await officer.get(`/api/v1/panel-meetings/${m.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(etag(r), `"${m.version}"`);
  // A correction replaces the attendees (If-Match); actions are not changed there.
  r = await worker.put(`/api/v1/panel-meetings/${m.id}`, { ...meeting, actions: undefined });
  assert.equal(r.status, 428, r.text);
  r = await worker.put(`/api/v1/panel-meetings/${m.id}`, meeting, { 'if-match': `"${m.version}"` });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['actions']);
  const corrected = { ...meeting, attendees: [...meeting.attendees, { agency_id: ids.police, name: 'Police liaison', present: true }] };
  delete corrected.actions;
  r = await worker.put(`/api/v1/panel-meetings/${m.id}`, corrected, { 'if-match': `"${m.version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.attendees.length, 5);
  assert.equal(r.body.actions.length, 1);
  r = await worker.put(`/api/v1/panel-meetings/${m.id}`, corrected, { 'if-match': `"${m.version}"` });
  assert.equal(r.status, 412, r.text);

  // The plan lists the actions and the meeting.
  r = await worker.get(`/api/v1/cases/${ids.soon.id}/release-plan`);
  assert.equal(r.body.actions.length, 3);
  assert.deepEqual(r.body.meetings.map((x) => [x.id, x.attendees]), [[m.id, 5]]);
  ids.planVersion = r.body.version;
  const timeline = (await worker.get(`/api/v1/cases/${ids.soon.id}/timeline`)).body.items.map((e) => e.kind);
  assert.equal(timeline.filter((k) => k === 'panel.meeting').length, 2);

  // The minutes: a whole page in each language, the fixed wording of that language, values escaped.
  const words = {
    ky: ['Ведомстволор аралык комиссиянын жыйынынын протоколу', 'Күн тартиби', 'Катышкан жок', 'Комиссиянын төрагасы'],
    ru: ['Протокол заседания межведомственной комиссии', 'Повестка дня', 'Отсутствовал(а)', 'Председатель комиссии'],
    en: ['Minutes of the multi-agency panel meeting', 'Agenda', 'Absent', 'Chair of the panel'],
  };
  for (const lang of ['ky', 'ru', 'en']) {
    r = await officer.get(`/api/v1/panel-meetings/${m.id}/minutes?lang=${lang}`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /text\/html/);
    assert.match(r.headers.get('content-security-policy'), /default-src 'none'/);
    assert.ok(r.text.startsWith('<!DOCTYPE html>'));
    assert.ok(r.text.includes(`<html lang="${lang}">`));
    for (const w of words[lang]) assert.ok(r.text.includes(w), `${lang}: ${w}`);
    for (const other of ['ky', 'ru', 'en'].filter((x) => x !== lang)) assert.ok(!r.text.includes(words[other][0]), `${lang} has no ${other} title`);
    assert.ok(r.text.includes(ids.soon.number));
    assert.ok(r.text.includes('Асанов Тест'));
    assert.ok(r.text.includes('Release Partner NGO'));
    assert.ok(r.text.includes('Enrol in the job-skills course'));
    assert.ok(!r.text.includes('<script>'), 'escaped');
    assert.ok(r.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(r.text.includes('Housing with the mother &amp; a job-skills course'));
  }
  assert.ok(r.text.includes(new Date(`${ids.soon.release}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })), 'release date in words');
  r = await officer.get(`/api/v1/panel-meetings/${m.id}/minutes?lang=de`);
  assert.equal(r.status, 422);
  assert.equal(count('audit_log', `action = 'consult' AND record_type = 'panel_meeting' AND record_id = ${q(m.id)} AND detail LIKE 'minutes lang=%'`), 3);
  r = await officerB.get(`/api/v1/panel-meetings/${m.id}/minutes?lang=en`);
  assert.ok([403, 428].includes(r.status), r.text);

  // An action done before release does not carry over.
  r = await worker.put(`/api/v1/release-actions/${ids.action1.id}`, {});
  assert.equal(r.status, 422, r.text);
  r = await worker.put(`/api/v1/release-actions/${ids.action1.id}`, { status: 'done' });
  assert.equal(r.status, 428, r.text);
  r = await worker.put(`/api/v1/release-actions/${ids.action1.id}`, { status: 'done' }, { 'if-match': `"${ids.action1.version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'done');
  assert.equal(r.body.description, 'Apply for a passport');
  r = await worker.put(`/api/v1/release-actions/${ids.action1.id}`, { status: 'open' }, { 'if-match': `"${ids.action1.version}"` });
  assert.equal(r.status, 412, r.text);
});

test('the handover: checks first, then the case moves to probation with its actions and first appointment', async () => {
  const url = `/api/v1/release-plans/${ids.plan}/handover`;
  let r = await worker.get(`/api/v1/cases/${ids.soon.id}/release-plan`);
  const version = r.body.version;
  const ok = { released_on: ids.today, kind: 'executive', officer_id: ids['rel.officer'] };
  r = await worker.post(url, { released_on: addDays(ids.today, 1), kind: 'post_penitentiary' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['consent_on', 'released_on']);
  r = await worker.post(url, { ...ok, consent_on: ids.today });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['consent_on']);
  r = await worker.post(url, ok);
  assert.equal(r.status, 428, r.text);
  r = await worker.post(url, ok, { 'if-match': `"${version - 1}"` });
  assert.equal(r.status, 412, r.text);
  r = await worker.post(url, { ...ok, officer_id: ids['rel.officer.b'] }, { 'if-match': `"${version}"` });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['officer_id']);
  r = await worker.post(url, { ...ok, released_on: '2001-01-01' }, { 'if-match': `"${version}"` });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['released_on']);
  assert.match(r.body.errors[0].message, /before the case was opened/);
  r = await officer.post(url, ok, { 'if-match': `"${version}"` });
  assert.equal(r.status, 403, r.text); // a probation officer does not hand over
  assert.equal(count('release_plan', `status = 'handed_over'`), 0);

  r = await worker.post(url, ok, { 'if-match': `"${version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.case_id, ids.soon.id);
  assert.equal(r.body.plan_id, ids.plan);
  assert.equal(r.body.plan_actions, 2);
  assert.ok(r.body.appointment_id);
  const appointment = r.body.appointment_id;

  // The case is probation's now: unit, officer, kind, allocation history.
  r = await officer.get(`/api/v1/cases/${ids.soon.id}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.may_change, true);
  assert.equal(r.body.kind, 'executive');
  assert.equal(r.body.unit_id, ids.officeA);
  assert.equal(r.body.officer_id, ids['rel.officer']);
  assert.equal(r.body.assignments.length, 2);
  assert.match(r.body.assignments[0].reason, /handed over/);
  // The open actions are in the supervision plan under one objective; the partner's stays the partner's.
  r = await officer.get(`/api/v1/cases/${ids.soon.id}/plan`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.objectives.length, 1);
  const objective = r.body.objectives[0];
  assert.equal(objective.description, 'Release plan');
  assert.equal(objective.need, 'reintegration');
  assert.deepEqual(objective.actions.map((a) => [a.description, a.owner_kind, a.owner_kind === 'partner' ? a.owner_agency_id : a.owner_account_id]).sort(), [
    ['Enrol in the job-skills course', 'partner', ids.partner], ['Find a hostel place', 'officer', ids['rel.officer']]]);
  assert.equal(count('release_action', `plan_id = ${q(ids.plan)} AND plan_action_id IS NOT NULL`), 2);
  // The first appointment, with the officer, at the time the plan set.
  r = await officer.get(`/api/v1/appointments/${appointment}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.officer_id, ids['rel.officer']);
  assert.equal(r.body.starts_local, `${addDays(ids.soon.release, 3)}T10:00`);
  assert.equal(r.body.location, 'Office A, room 3');
  const events = (await officer.get(`/api/v1/cases/${ids.soon.id}/timeline?order=asc`)).body.items;
  const kinds = events.map((e) => e.kind);
  // The transfer says it was the handover (the timeline words that in the reader's language).
  assert.equal(events.find((e) => e.kind === 'case.transferred').detail.handover, true);
  for (const k of ['case.transferred', 'plan.started', 'plan.objective_added', 'appointment.scheduled', 'release.handover'])
    assert.ok(kinds.includes(k), k);
  assert.equal(count('audit_log', `action = 'alter' AND record_type = 'case' AND record_id = ${q(ids.soon.id)} AND detail LIKE 'handed over%'`), 1);

  // The plan is no longer live: the prison no longer reaches the case; the plan reads as handed over.
  r = await worker.get(`/api/v1/cases/${ids.soon.id}`);
  assert.ok([403, 428].includes(r.status), r.text);
  r = await worker.get('/api/v1/release-planning?view=prison');
  assert.ok(!listed(r).includes(ids.soon.id));
  r = await officer.get('/api/v1/release-planning?view=receiving');
  assert.deepEqual(listed(r), [ids.none.id]);
  r = await head.get(`/api/v1/cases/${ids.soon.id}/release-plan`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.status, 'handed_over');
  assert.ok(r.body.handed_over_at);
  // A second handover, a new action or meeting: 409.
  r = await head.post(url, ok, { 'if-match': etag(r) });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /handed-over/);
  r = await head.post(`/api/v1/release-plans/${ids.plan}/actions`, { description: 'Late action', owner_agency_id: ids.probation, due_on: ids.today });
  assert.equal(r.status, 409, r.text);
});

test('a post-penitentiary handover by the prison, with the person\'s consent: no officer named, the receiving unit\'s head takes the case', async () => {
  const url = `/api/v1/release-plans/${ids.nonePlan}/handover`;
  let r = await head.get(`/api/v1/cases/${ids.none.id}/release-plan`);
  assert.equal(r.status, 200, r.text);
  const version = r.body.version;
  r = await headB.post(url, { released_on: ids.today, kind: 'post_penitentiary', consent_on: ids.today }, { 'if-match': `"${version}"` });
  assert.ok([403, 428].includes(r.status), r.text); // another office's head does not reach it
  r = await worker.post(url, { released_on: ids.today, kind: 'post_penitentiary', consent_on: ids.today }, { 'if-match': `"${version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.plan_actions, 0);
  assert.equal(r.body.appointment_id, null);
  r = await head.get(`/api/v1/cases/${ids.none.id}`);
  assert.equal(r.body.kind, 'post_penitentiary');
  assert.equal(r.body.consent_on, ids.today);
  assert.equal(r.body.officer_id, ids['rel.head']); // no officer named: the head of the receiving unit
  r = await head.get(`/api/v1/cases/${ids.none.id}/plan`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.plan, null); // nothing to carry: no supervision plan started
});

test('a first appointment before the actual release is not booked: the handover asks for the plan to be changed', async () => {
  const url = `/api/v1/cases/${ids.recent.id}/release-plan`;
  const first = `${addDays(ids.recent.release, 1)}T09:30`;
  let r = await worker.put(url, { receiving_unit_id: ids.officeA, first_appointment_at: first });
  assert.equal(r.status, 201, r.text);
  const plan = r.body;
  r = await worker.post(`/api/v1/release-plans/${plan.id}/handover`, { released_on: ids.today, kind: 'executive', officer_id: ids['rel.officer'] },
    { 'if-match': `"${plan.version}"` });
  assert.equal(r.status, 409, r.text);
  assert.match(r.body.type, /first-appointment-before-release/);
  assert.equal(count('release_plan', `id = ${q(plan.id)} AND status = 'draft'`), 1);
  assert.equal(count('case_file', `id = ${q(ids.recent.id)} AND kind = 'penitentiary' AND unit_id = ${q(ids.colony)}`), 1);
  assert.equal(count('appointment', `case_id = ${q(ids.recent.id)}`), 0);
  r = await worker.put(url, { receiving_unit_id: ids.officeA, first_appointment_at: null }, { 'if-match': `"${plan.version}"` });
  assert.equal(r.status, 200, r.text);
  r = await worker.post(`/api/v1/release-plans/${plan.id}/handover`, { released_on: ids.today, kind: 'executive', officer_id: ids['rel.officer'] },
    { 'if-match': `"${r.body.version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.appointment_id, null);
});
