// The case record (issue 4): people with their documents and names in both
// scripts, transliteration-aware and typo-tolerant search, duplicates and
// merging, cases with allocation history, decisions with computed key dates,
// notes, the timeline and caseloads; the data rule and the processing log.
// Runs on SQLite and PostgreSQL alike (TEST_BACKEND): the search results and
// their order must be the same on both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let srv, admin, agencyId, unitA, unitA1, unitB;
const u = {}; // logged-in clients by name
const ids = {};

before(async () => {
  srv = await startServer();
  const { login, password } = createAdmin(srv.db, 'admin1');
  admin = (await firstLogin(srv.url, login, password)).client;
  let r = await admin.post('/api/v1/agencies', { name: 'Probation', kind: 'probation' });
  agencyId = r.body.id;
  unitA = (await admin.post('/api/v1/units', { agency_id: agencyId, name: 'Region A' })).body.id;
  unitA1 = (await admin.post('/api/v1/units', { agency_id: agencyId, name: 'District A1', parent_id: unitA })).body.id;
  unitB = (await admin.post('/api/v1/units', { agency_id: agencyId, name: 'Region B' })).body.id;
  const make = async (name, role, unit) => {
    r = await admin.post('/api/v1/users', { login: name, display_name: `Test ${name}`, agency_id: agencyId, unit_id: unit, roles: [role] });
    assert.equal(r.status, 201, r.text);
    ids[name] = r.body.user.id;
    u[name] = (await firstLogin(srv.url, name, r.body.one_time_password)).client;
  };
  await make('officer.a', 'probation_officer', unitA);
  await make('officer.a1', 'probation_officer', unitA1);
  await make('officer.b', 'probation_officer', unitB);
  await make('head.a', 'unit_head', unitA);
  await make('head.b', 'unit_head', unitB);
  await make('analyst', 'analyst', null);
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

function audit(where) {
  return sql(srv.db, `SELECT action || '|' || outcome || '|' || COALESCE(record_type,'') || '|' || COALESCE(record_id,'') || '|' || COALESCE(purpose,'') || '|' || COALESCE(detail,'') FROM audit_log WHERE ${where} ORDER BY seq`).split('\n').filter(Boolean);
}

const berdibaev = {
  surname: 'Бердибаев', given_name: 'Азамат', patronymic: 'Нурланович', sex: 'male', birth_date: '1990-04-12',
  birth_place: 'Талас', citizenship: 'KG', languages: ['ky', 'ru'], preferred_language: 'ky',
  documents: [{ type: 'passport', number: 'AN 1234567', country: 'KG', issued_on: '2015-05-01' }],
  addresses: [{ kind: 'registered', address: 'Бишкек, ул. Токтогула 1', valid_from: '2019-01-01' }],
  phones: [{ number: '+996 555 123 456', label: 'mobile' }],
  aliases: [{ name: 'Азик', kind: 'alias' }],
};

test('register a person: names in both scripts, documents, addresses, phones, aliases', async () => {
  const r = await u['officer.a'].post('/api/v1/people', berdibaev);
  assert.equal(r.status, 201, r.text);
  const p = r.body;
  ids.berdibaev = p.id;
  assert.equal(p.surname, 'Бердибаев');
  assert.match(p.surname_latin, /^Berdibae?v$/, 'Latin spelling made by transliteration');
  assert.deepEqual(p.languages, ['ky', 'ru']);
  assert.equal(p.documents[0].number, 'AN 1234567');
  assert.equal(p.addresses[0].valid_to, null);
  assert.equal(p.phones.length, 1);
  assert.equal(p.aliases[0].name, 'Азик');
  assert.equal(p.has_photo, false);
  assert.equal(p.third_parties_restricted, false);
  assert.equal(r.headers.get('etag'), '"1"');
  assert.equal(audit(`action = 'collect' AND record_type = 'person' AND record_id = '${p.id}'`).length, 1);
});

test('bad input is refused field by field and changes nothing', async () => {
  const before = sql(srv.db, 'SELECT COUNT(*) FROM person');
  const r = await u['officer.a'].post('/api/v1/people', {
    surname: '', given_name: 'X', birth_date: '2990-01-01', citizenship: 'kg', sex: 'other',
    documents: [{ type: 'passport', number: '1' }], phones: [{ number: 'x' }], extra: 1,
  });
  assert.equal(r.status, 422);
  assert.equal(r.headers.get('content-type'), 'application/problem+json');
  const fields = r.body.errors.map((e) => e.field).sort();
  for (const f of ['surname', 'sex', 'extra', 'documents[0].number', 'phones[0].number', 'birth_date'])
    assert.ok(fields.includes(f), `${f} in ${fields}`);
  assert.equal(sql(srv.db, 'SELECT COUNT(*) FROM person'), before);
});

test('search finds every spelling, a typo, a document number and a birth date, best first', async () => {
  // Two more people with similar names, registered without duplicates.
  let r = await u['officer.a'].post('/api/v1/people', { surname: 'Бердиев', given_name: 'Азамат', birth_date: '1985-01-01' });
  assert.equal(r.status, 201, r.text);
  ids.berdiev = r.body.id;
  r = await u['officer.a'].post('/api/v1/people', { surname: 'Жумабеков', given_name: 'Чыңгыз', birth_date: '1992-02-02', surname_latin: 'Zhumabekov' });
  assert.equal(r.status, 201, r.text);
  ids.zhumabekov = r.body.id;
  const find = async (q) => {
    const res = await u['officer.a'].get(`/api/v1/people?q=${encodeURIComponent(q)}`);
    assert.equal(res.status, 200, res.text);
    return res.body.items;
  };
  for (const q of ['Бердибаев', 'Berdibaev', 'Berdibayev', 'BERDIBAEV', 'berdibaev azamat', 'Бердибаев Азамат Нурланович']) {
    const items = await find(q);
    assert.equal(items[0]?.id, ids.berdibaev, `${q}: ${JSON.stringify(items.map((i) => i.surname))}`);
    assert.equal(items[0].match, 'exact', q);
  }
  const typo = await find('Berdibeav');
  assert.equal(typo[0]?.id, ids.berdibaev);
  assert.equal(typo[0].match, 'typo');
  assert.equal((await find('Бердибаевв'))[0]?.id, ids.berdibaev, 'an extra letter');
  assert.equal((await find('Jumabekov'))[0]?.id, ids.zhumabekov, 'Zh and J are one letter');
  assert.equal((await find('Chingiz'))[0]?.id, ids.zhumabekov, 'ң and ы in a Latin spelling');
  assert.equal((await find('AN1234567'))[0]?.id, ids.berdibaev);
  assert.equal((await find('AN1234567'))[0].match, 'document');
  assert.equal((await find('12.04.1990'))[0]?.id, ids.berdibaev);
  assert.equal((await find('12.04.1990'))[0].match, 'birth_date');
  assert.equal((await find('Азик'))[0]?.id, ids.berdibaev, 'by alias');
  // "Azamat" alone finds both Azamats; the exact surnames rank the right one first.
  const both = await find('Azamat Berdiev');
  assert.equal(both[0].id, ids.berdiev);
  assert.deepEqual((await find('Zzyzx Qwerty')), []);
  // Each search is logged with the records it showed.
  const logged = audit(`action = 'consult' AND record_type = 'person' AND detail LIKE 'search:%'`);
  assert.ok(logged.some((l) => l.includes(ids.berdibaev)));
  // q is required and bounded
  assert.equal((await u['officer.a'].get('/api/v1/people')).status, 422);
  assert.equal((await u['officer.a'].get(`/api/v1/people?q=${'x'.repeat(201)}`)).status, 422);
});

test('search and records reach only the caller\'s units; others are refused and logged', async () => {
  const items = (await u['officer.b'].get('/api/v1/people?q=Berdibaev')).body.items;
  assert.deepEqual(items, []);
  let r = await u['officer.b'].get(`/api/v1/people/${ids.berdibaev}`);
  assert.equal(r.status, 403);
  assert.ok(audit(`action = 'access.denied' AND record_id = '${ids.berdibaev}'`).length >= 1);
  // A district officer below Region A does not see Region A's person; Region A's head does.
  assert.equal((await u['officer.a1'].get(`/api/v1/people/${ids.berdibaev}`)).status, 403);
  assert.equal((await u['head.a'].get(`/api/v1/people/${ids.berdibaev}`)).status, 200);
  // Head of B: with people.read.any, a stated purpose opens it and is logged.
  r = await u['head.b'].get(`/api/v1/people/${ids.berdibaev}`);
  assert.equal(r.status, 428);
  r = await u['head.b'].get(`/api/v1/people/${ids.berdibaev}`, {
    'x-kadam-purpose': 'investigation', 'x-kadam-justification': 'Checking a transfer request from Region A',
  });
  assert.equal(r.status, 200);
  assert.ok(audit(`action = 'consult' AND record_id = '${ids.berdibaev}' AND purpose = 'investigation'`).length === 1);
  // The analyst has no person permission at all.
  assert.equal((await u.analyst.get('/api/v1/people?q=Berdibaev')).status, 403);
});

test('a likely duplicate is shown before a person is created; confirming creates a second record', async () => {
  const dup = { surname: 'Berdibayev', given_name: 'Azamat', birth_date: '1990-04-12' };
  let r = await u['officer.a'].post('/api/v1/people/duplicates', dup);
  assert.equal(r.status, 200);
  assert.equal(r.body.items[0].id, ids.berdibaev);
  assert.deepEqual(r.body.items[0].reasons.sort(), ['birth_date', 'name']);
  // Another unit learns that a record exists and where, but not its content.
  r = await u['officer.b'].post('/api/v1/people/duplicates', { ...dup, documents: [{ number: 'AN1234567' }] });
  assert.equal(r.body.items[0].id, ids.berdibaev);
  assert.equal(r.body.items[0].in_scope, false);
  assert.equal(r.body.items[0].surname, undefined);
  assert.equal(r.body.items[0].unit_name, 'Region A');
  // Creating it anyway is stopped with the list, then allowed once confirmed.
  r = await u['officer.b'].post('/api/v1/people', dup);
  assert.equal(r.status, 409);
  assert.equal(r.body.type, 'urn:kadam:problem:possible-duplicate');
  assert.equal(r.body.duplicates[0].id, ids.berdibaev);
  r = await u['officer.b'].post('/api/v1/people', { ...dup, confirm_not_duplicate: true });
  assert.equal(r.status, 201);
  ids.berdibayevB = r.body.id;
});

test('changing a person needs the current ETag; the search follows the new name', async () => {
  const p = (await u['officer.a'].get(`/api/v1/people/${ids.zhumabekov}`)).body;
  const body = { surname: 'Жумабекова', given_name: 'Чолпон', birth_date: '1992-02-02', sex: 'female' };
  let r = await u['officer.a'].put(`/api/v1/people/${ids.zhumabekov}`, body);
  assert.equal(r.status, 428);
  r = await u['officer.a'].put(`/api/v1/people/${ids.zhumabekov}`, body, { 'if-match': `"${p.version + 5}"` });
  assert.equal(r.status, 412);
  assert.equal(r.body.type, 'urn:kadam:problem:precondition-failed', 'the same problem type as every other stale write');
  r = await u['officer.a'].put(`/api/v1/people/${ids.zhumabekov}`, body, { 'if-match': `"${p.version}"` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.surname_latin, 'Zhumabekova');
  const items = (await u['officer.a'].get('/api/v1/people?q=Cholpon')).body.items;
  assert.equal(items[0]?.id, ids.zhumabekov);
  assert.deepEqual((await u['officer.a'].get('/api/v1/people?q=Chingiz')).body.items, []);
});

test('documents, addresses, phones, aliases: add and remove, each logged', async () => {
  const c = u['officer.a'];
  let r = await c.post(`/api/v1/people/${ids.berdiev}/documents`, { type: 'foreign_passport', number: 'U12345678', country: 'TR' });
  assert.equal(r.status, 201, r.text);
  const doc = r.body.id;
  assert.equal((await c.get('/api/v1/people?q=U12345678')).body.items[0].id, ids.berdiev);
  r = await c.post(`/api/v1/people/${ids.berdiev}/addresses`, { kind: 'actual', address: 'Ош, ул. Ленина 5', valid_from: '2024-01-01' });
  assert.equal(r.status, 201);
  r = await c.post(`/api/v1/people/${ids.berdiev}/addresses`, { kind: 'actual', address: 'Бишкек, ул. Киевская 7', valid_from: '2025-06-01' });
  const p = (await c.get(`/api/v1/people/${ids.berdiev}`)).body;
  assert.equal(p.addresses.length, 2);
  assert.equal(p.addresses.find((a) => a.address.startsWith('Ош')).valid_to, '2025-06-01', 'the earlier address ended');
  r = await c.post(`/api/v1/people/${ids.berdiev}/aliases`, { name: 'Berdiyev', kind: 'spelling' });
  assert.equal(r.status, 201);
  r = await c.delete(`/api/v1/people/${ids.berdiev}/documents/${doc}`);
  assert.equal(r.status, 204);
  assert.equal((await c.delete(`/api/v1/people/${ids.berdiev}/documents/${doc}`)).status, 404);
  assert.equal((await c.post(`/api/v1/people/${ids.berdiev}/phones`, { number: '1' })).status, 422);
  assert.ok(audit(`record_id = '${ids.berdiev}' AND action = 'alter'`).some((l) => l.includes('document')));
});

test('the photo: type and size checked, stored outside the web root, served through the policy', async () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');
  const put = (body, type) => fetch(`${srv.url}/api/v1/people/${ids.berdibaev}/photo`, {
    method: 'PUT', body, headers: { 'content-type': type, cookie: u['officer.a'].cookie, 'x-csrf-token': u['officer.a'].csrf },
  });
  assert.equal((await put(png, 'text/plain')).status, 415);
  assert.equal((await put(Buffer.from('GIF89a not a png'), 'image/png')).status, 422);
  assert.equal((await put(png, 'image/png')).status, 204);
  const got = await fetch(`${srv.url}/api/v1/people/${ids.berdibaev}/photo`, { headers: { cookie: u['officer.a'].cookie } });
  assert.equal(got.status, 200);
  assert.equal(got.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await got.arrayBuffer()), png);
  const other = await fetch(`${srv.url}/api/v1/people/${ids.berdibaev}/photo`, { headers: { cookie: u['officer.b'].cookie } });
  assert.equal(other.status, 403);
  assert.equal((await u['officer.a'].get(`/api/v1/people/${ids.berdibaev}`)).body.has_photo, true);
  assert.equal((await fetch(`${srv.url}/api/v1/people/${ids.berdibaev}/photo`)).status, 401);
});

test('third parties sit behind their own permission (S15)', async () => {
  let r = await u['officer.a'].post(`/api/v1/people/${ids.berdibaev}/third-parties`, { relationship: 'spouse', full_name: 'Айгуль Бердибаева', contact: '+996 700 000 001' });
  assert.equal(r.status, 201, r.text);
  r = await u['officer.a'].get(`/api/v1/people/${ids.berdibaev}/third-parties`);
  assert.equal(r.body.items[0].full_name, 'Айгуль Бердибаева');
  assert.ok(audit(`record_type = 'third_party' AND action = 'consult'`).length >= 1);
  // Roles without people.third_parties never reach it (the DPO has people.read but not this).
  r = await admin.post('/api/v1/users', { login: 'dpo', display_name: 'DPO', agency_id: agencyId, unit_id: unitA, roles: ['data_protection_officer'] });
  const dpo = (await firstLogin(srv.url, 'dpo', r.body.one_time_password)).client;
  assert.equal((await dpo.get(`/api/v1/people/${ids.berdibaev}/third-parties`)).status, 403);
  assert.equal((await dpo.get(`/api/v1/people/${ids.berdibaev}`)).body.third_parties_restricted, true);
});

test('cases: open, decision with computed key dates, correction recomputes and the timeline shows it', async () => {
  const c = u['officer.a'];
  let r = await c.post('/api/v1/cases', { person_id: ids.berdibaev, kind: 'penitentiary', opened_on: '2026-01-15', open_reason: 'Admitted to the institution', officer_id: ids['officer.a'] });
  assert.equal(r.status, 201, r.text);
  const k = r.body;
  ids.case1 = k.id;
  assert.match(k.number, /^2026-\d{6}$/);
  assert.equal(k.officer_name, 'Test officer.a');
  assert.equal(k.assignments.length, 1);
  r = await c.post(`/api/v1/cases/${k.id}/decisions`, {
    authority: 'Bishkek city court', number: '1-234/26', decided_on: '2026-01-10', measure: 'deprivation_of_liberty',
    articles: ['CC-130'], start_on: '2026-01-10', term: '5y6m', remand_days: 120, duties: [],
  });
  assert.equal(r.status, 201, r.text);
  const d = r.body;
  const byKind = Object.fromEntries(d.key_dates.map((x) => [x.kind, x]));
  assert.equal(byKind.release.date, '2031-03-11');
  assert.equal(byKind.conditional_release_earliest.date, '2028-06-12', JSON.stringify(byKind.conditional_release_earliest.explanation));
  assert.deepEqual(byKind.release.explanation.steps.map((s) => s.op), ['start', 'add_term', 'last_day', 'credit_remand']);
  assert.match(byKind.release.explanation.formula, /2031-03-11/);
  // An extremism article: no conditional release, and the page says why.
  r = await c.put(`/api/v1/decisions/${d.id}`, {
    authority: 'Bishkek city court', number: '1-234/26', decided_on: '2026-01-10', measure: 'deprivation_of_liberty',
    articles: ['CC-130', 'CC-330'], start_on: '2026-01-10', term: '5y6m', remand_days: 200, duties: [],
  }, { 'if-match': `"${d.version}"` });
  assert.equal(r.status, 200, r.text);
  const after = Object.fromEntries(r.body.key_dates.map((x) => [x.kind, x]));
  assert.equal(after.release.date, '2030-12-21');
  assert.equal(after.conditional_release_earliest.date, null);
  assert.ok(after.conditional_release_earliest.explanation.steps.some((s) => s.op === 'excluded' && s.reason === 'extremism'));
  const timeline = (await c.get(`/api/v1/cases/${k.id}/timeline?order=asc`)).body.items;
  const kinds = timeline.map((e) => e.kind);
  assert.deepEqual(kinds.slice(0, 2), ['case.opened', 'decision.recorded']);
  const moved = timeline.filter((e) => e.kind === 'key_date.changed');
  assert.deepEqual(moved.map((e) => [e.detail.kind, e.detail.from, e.detail.to]).sort(),
    [['conditional_release_earliest', '2028-06-12', null], ['release', '2031-03-11', '2030-12-21']]);
  // Bad references are named.
  r = await c.post(`/api/v1/cases/${k.id}/decisions`, { authority: 'Court', decided_on: '2026-01-10', measure: 'flogging', articles: ['CC-999'], start_on: '2026-01-10', term: '5 years' });
  assert.equal(r.status, 422);
  r = await c.post(`/api/v1/cases/${k.id}/decisions`, { authority: 'Court', decided_on: '2026-01-10', measure: 'flogging', articles: ['CC-130'], start_on: '2026-01-10', term: '1y' });
  assert.equal(r.body.errors[0].field, 'measure');
  r = await c.post(`/api/v1/cases/${k.id}/decisions`, { authority: 'Court', decided_on: '2026-01-10', measure: 'probation_supervision', articles: ['CC-130'], start_on: '2026-01-10', term: '1y', duties: ['dance'] });
  assert.equal(r.body.errors[0].field, 'duties');
});

test('a non-custodial measure gives the end of supervision; the case page carries it', async () => {
  const c = u['officer.a'];
  let r = await c.post('/api/v1/cases', { person_id: ids.berdiev, kind: 'executive', opened_on: '2026-02-01', open_reason: 'Court order received' });
  ids.case2 = r.body.id;
  r = await c.post(`/api/v1/cases/${ids.case2}/decisions`, {
    authority: 'Osh city court', decided_on: '2026-01-20', measure: 'probation_supervision', articles: ['CC-166'],
    start_on: '2026-02-01', term: '2y', duties: ['report', 'residence'],
  });
  assert.equal(r.status, 201, r.text);
  const page = (await c.get(`/api/v1/cases/${ids.case2}`)).body;
  assert.equal(page.decisions[0].key_dates[0].kind, 'supervision_end');
  assert.equal(page.decisions[0].key_dates[0].date, '2028-01-31');
  assert.deepEqual(page.decisions[0].duties, ['report', 'residence']);
  assert.equal(page.person.id, ids.berdiev);
  // post-penitentiary cases need the person's own request
  r = await c.post('/api/v1/cases', { person_id: ids.berdiev, kind: 'post_penitentiary', opened_on: '2026-02-01', open_reason: 'Asked for help' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'consent_on');
});

test('notes: fact or assessment with a source; restricted notes are withheld from others', async () => {
  let r = await u['officer.a'].post(`/api/v1/cases/${ids.case1}/notes`, { sensitivity: 'normal', nature: 'fact', source: 'observation', body: 'Attended the interview on time.' });
  assert.equal(r.status, 201, r.text);
  r = await u['officer.a'].post(`/api/v1/cases/${ids.case1}/notes`, { sensitivity: 'restricted', nature: 'assessment', source: 'police', source_detail: 'Liaison officer', body: 'Concern about contacts.' });
  assert.equal(r.status, 201);
  assert.equal((await u['officer.a'].post(`/api/v1/cases/${ids.case1}/notes`, { sensitivity: 'secret', nature: 'opinion', source: 'x', body: '' })).body.errors.length, 4);
  // Another officer of the unit (here: the unit head has notes.restricted) vs a colleague without it.
  r = await admin.post('/api/v1/users', { login: 'officer.a2', display_name: 'A2', agency_id: agencyId, unit_id: unitA, roles: ['probation_officer'] });
  const a2 = (await firstLogin(srv.url, 'officer.a2', r.body.one_time_password)).client;
  r = await a2.get(`/api/v1/cases/${ids.case1}/notes`);
  assert.equal(r.body.items.length, 1);
  assert.equal(r.body.withheld, 1);
  r = await u['head.a'].get(`/api/v1/cases/${ids.case1}/notes`);
  assert.equal(r.body.items.length, 2);
  assert.equal(r.body.withheld, 0);
  const timeline = (await u['officer.a'].get(`/api/v1/cases/${ids.case1}/timeline`)).body.items;
  const note = timeline.find((e) => e.kind === 'note.added' && e.detail.nature === 'assessment');
  assert.equal(note.detail.source, 'police');
  assert.doesNotMatch(JSON.stringify(note), /Concern/, 'the timeline carries labels, not the note');
});

test('allocation and transfer keep their history; caseloads count by kind and status', async () => {
  let r = await u['officer.a'].post(`/api/v1/cases/${ids.case2}/allocation`, { officer_id: ids['officer.a'], reason: 'Allocate' });
  assert.equal(r.status, 403, 'officers do not allocate');
  r = await u['head.a'].post(`/api/v1/cases/${ids.case2}/allocation`, { officer_id: ids['officer.b'], reason: 'Wrong unit' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'officer_id');
  r = await u['head.a'].post(`/api/v1/cases/${ids.case2}/allocation`, { officer_id: ids['officer.a'], reason: 'Caseload balance' });
  assert.equal(r.status, 200, r.text);
  let load = (await u['officer.a'].get('/api/v1/caseload?officer_id=me')).body;
  assert.equal(load.by_kind.penitentiary, 1);
  assert.equal(load.by_kind.executive, 1);
  assert.equal(load.by_status.open, 2);
  load = (await u['head.a'].get('/api/v1/caseload')).body;
  assert.equal(load.unit.name, 'Region A');
  assert.equal(load.total, 2);
  assert.equal(load.officers[0].officer_name, 'Test officer.a');
  // Transfer to Region B: the history keeps both, Region A loses sight of it.
  r = await u['head.a'].post(`/api/v1/cases/${ids.case2}/allocation`, { unit_id: unitB, reason: 'Moved to region B' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.assignments.length, 3);
  assert.equal(r.body.assignments[0].unit_name, 'Region B');
  assert.ok(r.body.assignments[1].to_at);
  assert.equal((await u['officer.b'].get(`/api/v1/cases/${ids.case2}`)).status, 200);
  load = (await u['head.b'].get('/api/v1/caseload')).body;
  assert.equal(load.unallocated, 1);
  const list = (await u['officer.a'].get('/api/v1/cases')).body.items.map((x) => x.id);
  assert.ok(list.includes(ids.case1) && !list.includes(ids.case2));
  // close: another unit's head may read the case with a stated purpose, not close it
  r = await u['head.a'].post(`/api/v1/cases/${ids.case2}/close`, { closed_on: '2026-03-01', reason: 'Not ours to close' }, {
    'x-kadam-purpose': 'administration', 'x-kadam-justification': 'Tidying the caseload',
  });
  assert.equal(r.status, 403, r.text);
  assert.equal((await u['officer.b'].get(`/api/v1/cases/${ids.case2}`)).body.status, 'open');
  r = await u['officer.b'].post(`/api/v1/cases/${ids.case2}/close`, { closed_on: '2025-01-01', reason: 'Early' });
  assert.equal(r.status, 422);
  r = await u['officer.b'].post(`/api/v1/cases/${ids.case2}/close`, { closed_on: '2026-03-01', reason: 'Supervision ended' });
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'closed');
  assert.equal((await u['officer.b'].post(`/api/v1/cases/${ids.case2}/close`, { closed_on: '2026-03-01', reason: 'Again' })).status, 409);
});

test('cases list pages with a cursor', async () => {
  for (let i = 0; i < 3; i++) {
    const r = await u['officer.a'].post('/api/v1/cases', { person_id: ids.berdibaev, kind: 'executive', opened_on: `2026-03-0${i + 1}`, open_reason: `Order ${i}` });
    assert.equal(r.status, 201);
  }
  const seen = [];
  let cursor = '';
  for (let page = 0; page < 5; page++) {
    const r = await u['officer.a'].get(`/api/v1/cases?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, r.text);
    seen.push(...r.body.items.map((x) => x.id));
    if (!r.body.next_cursor) break;
    cursor = r.body.next_cursor;
  }
  assert.equal(new Set(seen).size, seen.length);
  assert.equal(seen.length, 4);
  assert.equal((await u['officer.a'].get('/api/v1/cases?kind=bogus')).status, 422);
});

test('merging two records of one person keeps both histories and is logged as a combination', async () => {
  // Region B's duplicate gets a case, then B's head merges it into nothing it cannot see...
  let r = await u['officer.b'].post('/api/v1/cases', { person_id: ids.berdibayevB, kind: 'executive', opened_on: '2026-04-01', open_reason: 'Order' });
  const caseB = r.body.id;
  r = await u['head.b'].post(`/api/v1/people/${ids.berdibayevB}/merge`, { other_id: ids.berdibaev, reason: 'Same passport and birth date' });
  assert.equal(r.status, 428, 'the other record is outside B without a purpose');
  r = await u['head.a'].post(`/api/v1/people/${ids.berdibaev}/merge`, { other_id: ids.berdibayevB, reason: 'short' });
  assert.equal(r.status, 422);
  r = await u['head.a'].post(`/api/v1/people/${ids.berdibaev}/merge`, { other_id: ids.berdibayevB, reason: 'Same passport and birth date' }, {
    'x-kadam-purpose': 'administration', 'x-kadam-justification': 'Duplicate registered in Region B',
  });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.body.cases.some((c) => c.id === caseB), 'the case moved');
  assert.ok(r.body.aliases.some((a) => a.kind === 'merged' && a.name.includes('Berdibayev')));
  assert.equal(r.body.merges.length, 1);
  const merged = (await u['head.a'].get(`/api/v1/people/${ids.berdibayevB}`, {
    'x-kadam-purpose': 'administration', 'x-kadam-justification': 'Checking the merged record',
  })).body;
  assert.equal(merged.merged_into, ids.berdibaev);
  const tl = (await u['officer.b'].get(`/api/v1/cases/${caseB}/timeline`)).body.items;
  assert.equal(tl[0].kind, 'person.merged');
  assert.equal(audit(`action = 'combine'`).length, 2);
  // The merged record no longer turns up in search.
  const items = (await u['head.a'].get('/api/v1/people?q=Berdibaev')).body.items.map((x) => x.id);
  assert.ok(!items.includes(ids.berdibayevB));
  r = await u['head.a'].post(`/api/v1/people/${ids.berdibaev}/merge`, { other_id: ids.berdibayevB, reason: 'Same passport and birth date' }, {
    'x-kadam-purpose': 'administration', 'x-kadam-justification': 'Duplicate registered in Region B',
  });
  assert.equal(r.status, 409);
});

test('reference lists and transliteration', async () => {
  let r = await u['officer.a'].get('/api/v1/reference');
  assert.equal(r.status, 200);
  assert.ok(r.body.articles.find((a) => a.code === 'CC-252').terrorism);
  assert.ok(r.body.measures.find((m) => m.code === 'deprivation_of_liberty').custodial);
  assert.equal(r.body.settings.pretrial_due_days, 30);
  assert.deepEqual(r.body.case_kinds, ['pre_trial', 'executive', 'penitentiary', 'post_penitentiary']);
  r = await u['officer.a'].get(`/api/v1/transliteration?text=${encodeURIComponent('Өмүрбеков')}`);
  assert.equal(r.status, 200);
  assert.match(r.body.latin, /^[ÖO]m[üu]rbekov$/);
  assert.equal((await u['officer.a'].put('/api/v1/reference/articles/CC-999', { title_ky: 'a', title_ru: 'b', title_en: 'c', category: 'grave', extremism: false, terrorism: false })).status, 403);
  r = await admin.put('/api/v1/reference/articles/CC-999', { title_ky: 'Мисал', title_ru: 'Пример', title_en: 'Example', category: 'grave', extremism: true, terrorism: false });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.extremism, true);
  r = await admin.put('/api/v1/reference/release-rules/grave', { numerator: 3, denominator: 2 });
  assert.equal(r.status, 422);
  r = await admin.put('/api/v1/reference/release-rules/grave', { numerator: 3, denominator: 4 });
  assert.equal(r.status, 200);
});

test('changing a release rule or an article recomputes the key dates that depend on it', async () => {
  const c = u['officer.a'];
  let r = await c.post('/api/v1/cases', { person_id: ids.berdiev, kind: 'penitentiary', opened_on: '2026-05-01', open_reason: 'Admitted' });
  const caseId = r.body.id;
  r = await c.post(`/api/v1/cases/${caseId}/decisions`, {
    authority: 'Court', decided_on: '2026-04-20', measure: 'deprivation_of_liberty', articles: ['CC-166'],
    start_on: '2026-05-01', term: '3y',
  });
  assert.equal(r.status, 201, r.text);
  const early = (x) => x.key_dates.find((k) => k.kind === 'conditional_release_earliest');
  const before = early(r.body).date; // a third of 3 years (minor)
  assert.equal(before, '2027-05-02');
  r = await admin.put('/api/v1/reference/release-rules/minor', { numerator: 1, denominator: 2 });
  assert.equal(r.status, 200, r.text);
  let page = (await c.get(`/api/v1/cases/${caseId}`)).body;
  assert.equal(early(page.decisions[0]).date, '2027-10-31');
  r = await admin.put('/api/v1/reference/articles/CC-166', { title_ky: 'Бейбаштык (мисал)', title_ru: 'Хулиганство (пример)', title_en: 'Hooliganism (example)', category: 'minor', extremism: true, terrorism: false });
  assert.equal(r.status, 200, r.text);
  page = (await c.get(`/api/v1/cases/${caseId}`)).body;
  assert.equal(early(page.decisions[0]).date, null);
  const moved = (await c.get(`/api/v1/cases/${caseId}/timeline?order=asc`)).body.items.filter((e) => e.kind === 'key_date.changed');
  assert.deepEqual(moved.map((e) => [e.detail.from, e.detail.to, e.actor_name]),
    [['2027-05-02', '2027-10-31', 'Administrator'], ['2027-10-31', null, 'Administrator']].map(([a, b]) => [a, b, moved[0].actor_name]));
  assert.ok(audit(`record_type = 'ref_article' AND record_id = 'CC-166'`)[0].includes('recomputed for'));
});
