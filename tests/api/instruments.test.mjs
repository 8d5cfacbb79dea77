// Risk and needs instruments as data: the two shipped instruments loaded at start and readable, the
// published schema served byte for byte, the import of a new file (a second version supersedes the
// current one, the same version again is a conflict), bad files refused with every problem named by
// its JSON Pointer (schema problems and what a schema cannot say) and nothing loaded; the level
// suggestion table (If-Match); assessor certifications (record, list one's own or everyone's,
// revoke); the processing log; `kadam instrument check` and `import`. And a cross-check: ajv
// (a JSON Schema 2020-12 validator) compiles docs/instrument.schema.json in strict mode and must
// agree with Kadam's own validator on every JSON file of tests/data/instruments and the fuzz corpus,
// down to the path of each problem; files named "semantic-*" are valid for the schema and refused by
// Kadam only for what a schema cannot say.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { startServer, root, runKadam } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

const SHIPPED = {
  'kadam.needs-screening': 'data/instruments/kadam-needs-screening.json',
  'kadam.disengagement-review': 'data/instruments/kadam-disengagement-review.json',
};
const FIXTURES = join(root, 'tests/data/instruments');
const CORPUS = join(root, 'tests/fuzz/corpus/instrument');
const fixture = (name) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const mini = fixture('mini-1.0.json');

let srv, admin, head, officer, officer2;
const ids = {};
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));

function today(timeZone = 'Asia/Bishkek') {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}

async function user(login, role, agency = ids.agency, unit = ids.unit) {
  const r = await admin.post('/api/v1/users', {
    login, display_name: `Test ${login}`, agency_id: agency, unit_id: unit, roles: [role],
  });
  assert.equal(r.status, 201, r.text);
  ids[login] = r.body.user.id;
  return (await firstLogin(srv.url, login, r.body.one_time_password)).client;
}

before(async () => {
  srv = await startServer();
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'ins.admin')))).client;
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Instrument Probation', kind: 'probation' })).body.id;
  ids.unit = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office' })).body.id;
  head = await user('ins.head', 'unit_head');
  officer = await user('ins.officer', 'probation_officer');
  officer2 = await user('ins.officer2', 'probation_officer');
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

test('the published schema is served byte for byte, to anyone', async () => {
  const r = await fetch(`${srv.url}/api/v1/instruments/schema`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.equal(await r.text(), readFileSync(join(root, 'docs/instrument.schema.json'), 'utf8'));
});

test('both shipped instruments are loaded at start, listed and readable with their definitions', async () => {
  assert.equal((await fetch(`${srv.url}/api/v1/instruments`)).status, 401);
  const r = await officer.get('/api/v1/instruments');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((i) => i.code), ['kadam.disengagement-review', 'kadam.needs-screening']);
  for (const item of r.body.items) {
    const bytes = readFileSync(join(root, SHIPPED[item.code]));
    const file = JSON.parse(bytes.toString('utf8'));
    assert.equal(item.version, file.version);
    assert.equal(item.current, true);
    assert.deepEqual(item.name, file.name);
    assert.equal(item.publisher, file.publisher);
    assert.equal(item.licence, file.licence);
    assert.equal(item.validated, file.validated);
    assert.equal(item.certification_required, true);
    assert.equal(item.certification_valid_days, file.certification.valid_days);
    assert.equal(item.reassessment_days, file.reassessment_days);
    assert.equal(item.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(item.loaded_by_name, null, 'shipped with the program');
    assert.match(item.loaded_at, /^\d{4}-\d\d-\d\dT/);
    assert.equal(item.domain_count, file.domains.length);
    assert.equal(item.item_count, file.domains.reduce((n, d) => n + d.items.length, 0));
    assert.deepEqual(item.notice, file.notice ?? null);
    assert.equal(item.definition, undefined, 'the list leaves the definitions out');
    const one = await officer.get(`/api/v1/instruments/${item.id}`);
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(one.body.definition, file);
    assert.deepEqual({ ...one.body, definition: undefined }, { ...item, definition: undefined });
  }
  const [review, needs] = r.body.items;
  assert.equal(review.version, '1.0');
  assert.equal(review.validated, false, 'the disengagement review is not a validated instrument');
  assert.ok(review.notice && review.notice.en && review.notice.ru && review.notice.ky);
  assert.equal(review.reassessment_days, 120);
  assert.equal(review.certification_valid_days, 730);
  assert.equal(needs.reassessment_days, 180);
  assert.equal(needs.certification_valid_days, 1095);
  const def = (await officer.get(`/api/v1/instruments/${needs.id}`)).body.definition;
  assert.deepEqual(def.judgements.map((j) => j.id), ['low', 'medium', 'high', 'very_high']);
  for (const d of ['criminal_history', 'attitudes', 'associates', 'personality', 'family', 'education_employment',
    'leisure', 'substance_use', 'protective', 'motivation']) {
    assert.ok(def.domains.some((x) => x.id === d), `needs screening domain ${d}`);
  }
  const rdef = (await officer.get(`/api/v1/instruments/${review.id}`)).body.definition;
  assert.deepEqual(rdef.judgements.map((j) => j.id), ['low_concern', 'moderate_concern', 'high_concern']);
  assert.deepEqual(rdef.domains.map((d) => d.id),
    ['beliefs', 'social_context', 'history_capability', 'commitment_motivation', 'protective']);
  assert.equal((await officer.get('/api/v1/instruments/0190a000-0000-7000-8000-000000000000')).status, 404);
});

test('an administrator imports a new instrument; a second version supersedes it; the same version is a conflict', async () => {
  let r = await officer.post('/api/v1/instruments', mini);
  assert.equal(r.status, 403, 'only reference.manage loads instruments');
  r = await admin.post('/api/v1/instruments', mini);
  assert.equal(r.status, 201, r.text);
  ids.mini10 = r.body.id;
  assert.equal(r.body.code, 'test.mini');
  assert.equal(r.body.version, '1.0');
  assert.equal(r.body.current, true);
  assert.equal(r.body.certification_required, false);
  assert.equal(r.body.certification_valid_days, 365);
  assert.equal(r.body.loaded_by_name, 'Test Administrator');
  assert.equal(r.body.domain_count, 2);
  assert.equal(r.body.item_count, 3);
  assert.deepEqual(r.body.definition, mini);
  assert.equal(r.body.sha256, createHash('sha256').update(JSON.stringify(mini)).digest('hex'),
    'the hash of the canonical body text');
  // A suggestion row (no level yet) for each judgement.
  let s = (await officer.get('/api/v1/level-suggestions')).body.items.filter((x) => x.instrument_code === 'test.mini');
  assert.deepEqual(s.map((x) => [x.judgement, x.position, x.level]), [['minor', 0, null], ['major', 1, null]]);
  assert.deepEqual(s[0].instrument_name, mini.name);
  assert.deepEqual(s[1].judgement_label, mini.judgements[1].label);

  const v11 = fixture('mini-1.1.json');
  r = await admin.post('/api/v1/instruments', v11);
  assert.equal(r.status, 201, r.text);
  ids.mini11 = r.body.id;
  assert.equal(r.body.current, true);
  assert.equal(r.body.certification_required, true);
  const list = (await officer.get('/api/v1/instruments')).body.items.filter((i) => i.code === 'test.mini');
  assert.deepEqual(list.map((i) => [i.version, i.current]), [['1.1', true], ['1.0', false]], 'newest first');
  assert.equal((await officer.get(`/api/v1/instruments/${ids.mini10}`)).body.current, false);
  s = (await officer.get('/api/v1/level-suggestions')).body.items.filter((x) => x.instrument_code === 'test.mini');
  assert.deepEqual(s.map((x) => [x.judgement, x.position]), [['minor', 0], ['major', 1], ['severe', 2]]);

  const before = count('instrument');
  r = await admin.post('/api/v1/instruments', mini);
  assert.equal(r.status, 409, r.text);
  assert.equal(r.body.type, 'urn:kadam:problem:instrument-loaded');
  assert.equal(count('instrument'), before);
  assert.equal(count('instrument', "code = 'test.mini' AND is_current = 1 AND version = '1.1'"), 1);
  assert.equal(count('audit_log', `action = 'alter' AND record_type = 'instrument' AND record_id = '${ids.mini10}'
    AND actor_login = 'ins.admin'`), 1);
  assert.equal(count('audit_log', `action = 'alter' AND record_type = 'instrument' AND record_id = '${ids.mini11}'`), 1);
});

test('integral numbers (180.0) are integers, stored as such; concurrent imports of one version load it once', async () => {
  // The body as text: JSON.stringify would write 180.0 as 180.
  const text = readFileSync(join(FIXTURES, 'integral-numbers.json'), 'utf8');
  assert.match(text, /"reassessment_days": 180\.0/);
  const post = () => fetch(`${srv.url}/api/v1/instruments`, {
    method: 'POST', body: text,
    headers: { 'content-type': 'application/json', cookie: admin.cookie, 'x-csrf-token': admin.csrf },
  });
  const before = count('instrument');
  const answers = await Promise.all([post(), post(), post(), post()]);
  const bodies = await Promise.all(answers.map((r) => r.text()));
  assert.deepEqual(answers.map((r) => r.status).sort(), [201, 409, 409, 409], bodies.join('\n'));
  for (const [i, r] of answers.entries())
    if (r.status === 409) assert.equal(JSON.parse(bodies[i]).type, 'urn:kadam:problem:instrument-loaded');
  assert.equal(count('instrument'), before + 1);
  const created = JSON.parse(bodies[answers.findIndex((r) => r.status === 201)]);
  assert.equal(created.reassessment_days, 180);
  assert.equal(created.certification_valid_days, 365);
  const stored = sql(srv.db, `SELECT definition FROM instrument WHERE id = '${created.id}'`);
  assert.match(stored, /"reassessment_days":180,/, 'stored as an integer');
  assert.match(stored, /"valid_days":365\}/);
  assert.equal(sql(srv.db, `SELECT reassessment_days FROM instrument WHERE id = '${created.id}'`).trim(), '180');
  const got = await admin.get(`/api/v1/instruments/${created.id}`);
  assert.match(got.text, /"reassessment_days":180,/);
  assert.doesNotMatch(got.text, /180\.0|365\.0/);
  // A fractional number is not an integer.
  const r = await admin.post('/api/v1/instruments', { ...JSON.parse(text), id: 'test.fractional', reassessment_days: 180.5 });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['/reassessment_days']);
});

test('a bad file is refused with every problem named by its path, semantic ones included; nothing is loaded', async () => {
  const before = count('instrument');
  const suggestions = count('level_suggestion');
  let r = await admin.post('/api/v1/instruments', fixture('bad-many-problems.json'));
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.type, 'urn:kadam:problem:instrument-invalid');
  assert.equal(r.body.title, 'The instrument file has problems');
  const got = Object.fromEntries(r.body.errors.map((e) => [e.field, e.message]));
  assert.deepEqual(Object.keys(got).sort(), [
    '/colour', '/domains/0/items/1/scale', '/domains/0/kind', '/domains/1/items/0/id', '/id', '/judgements',
    '/publisher', '/reassessment_days', '/scales/0/values/0/label/en', '/validated'].sort());
  assert.equal(got['/publisher'], 'is required');
  assert.equal(got['/colour'], 'is not allowed here');
  assert.equal(got['/id'], 'must match ^[a-z0-9][a-z0-9._-]*$');
  assert.equal(got['/validated'], 'must be true or false');
  assert.equal(got['/reassessment_days'], 'must be at least 1');
  assert.equal(got['/scales/0/values/0/label/en'], 'must be at most 100 characters');
  assert.equal(got['/domains/0/kind'], 'must be one of: risk, protective, motivation, additional');
  assert.equal(got['/judgements'], 'must have at least 2 items');
  assert.match(got['/domains/1/items/0/id'], /repeats the item id "T01" of \/domains\/0\/items\/0/);
  assert.match(got['/domains/0/items/1/scale'], /names no scale/);
  assert.match(r.body.detail, /^10 problems/);

  // Valid for the schema, refused for what it cannot say.
  r = await admin.post('/api/v1/instruments', fixture('semantic-duplicate-ids.json'));
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['/domains/0/items/0/scale', '/domains/1/id',
    '/domains/1/items/0/scale', '/judgements/1/id', '/scales/0/values/1/id', '/scales/1/id']);
  // The whole file at fault: the root's pointer is "".
  r = await admin.post('/api/v1/instruments', ['not', 'an', 'object']);
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors, [{ field: '', message: 'must be an object' }]);
  // More problems than are listed: the detail says how many more.
  r = await admin.post('/api/v1/instruments', JSON.parse(readFileSync(join(CORPUS, 'semantic-over-the-problem-cap.json'), 'utf8')));
  assert.equal(r.status, 422);
  assert.equal(r.body.errors.length, 200);
  assert.match(r.body.detail, /the first 200 are listed, and \d+ more are not/);
  assert.equal(count('instrument'), before, 'nothing loaded');
  assert.equal(count('level_suggestion'), suggestions);
});

test('level suggestions: the seeded table, and a change with If-Match', async () => {
  let r = await officer.get('/api/v1/level-suggestions');
  assert.equal(r.status, 200, r.text);
  const needs = r.body.items.filter((x) => x.instrument_code === 'kadam.needs-screening');
  assert.deepEqual(needs.map((x) => [x.judgement, x.level, x.position]),
    [['low', 'low', 0], ['medium', 'medium', 1], ['high', 'high', 2], ['very_high', 'intensive', 3]]);
  const review = r.body.items.filter((x) => x.instrument_code === 'kadam.disengagement-review');
  assert.deepEqual(review.map((x) => [x.judgement, x.level]),
    [['low_concern', 'medium'], ['moderate_concern', 'high'], ['high_concern', 'intensive']]);
  assert.deepEqual(r.body.items.map((x) => x.instrument_code),
    [...r.body.items.map((x) => x.instrument_code)].sort(), 'ordered by instrument code');
  const row = needs[3];
  assert.equal(row.version, 1);
  assert.equal(row.updated_by_name, null);
  assert.ok(row.level_title.en && row.level_title.ru && row.level_title.ky);
  assert.ok(row.judgement_label.en && row.instrument_name.en);

  const path = '/api/v1/level-suggestions/kadam.needs-screening/very_high';
  r = await officer.put(path, { level: 'high' }, { 'if-match': '"1"' });
  assert.equal(r.status, 403, 'only reference.manage changes the table');
  r = await admin.put(path, { level: 'high' });
  assert.equal(r.status, 428);
  r = await admin.put(path, { level: 'high' }, { 'if-match': '"7"' });
  assert.equal(r.status, 412);
  r = await admin.put(path, { level: 'galactic' }, { 'if-match': '"1"' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'level');
  r = await admin.put(path, { levels: 'high' }, { 'if-match': '"1"' });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['level', 'levels']);
  r = await admin.put('/api/v1/level-suggestions/kadam.needs-screening/extreme', { level: 'high' }, { 'if-match': '"1"' });
  assert.equal(r.status, 404);
  r = await admin.put(path, { level: 'high' }, { 'if-match': '"1"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('etag'), '"2"');
  assert.equal(r.body.level, 'high');
  assert.equal(r.body.version, 2);
  assert.equal(r.body.position, 3);
  assert.equal(r.body.updated_by_name, 'Test Administrator');
  r = await admin.put(path, { level: null }, { 'if-match': '"1"' });
  assert.equal(r.status, 412, 'the old version is stale now');
  r = await admin.put(path, { level: null }, { 'if-match': '"2"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.level, null);
  assert.equal(r.body.level_title, null);
  r = await admin.put(path, { level: 'intensive' }, { 'if-match': '"3"' });
  assert.equal(r.status, 200, r.text);
  assert.equal(count('audit_log', "action = 'alter' AND record_type = 'level_suggestion'"
    + " AND record_id = 'kadam.needs-screening/very_high'"), 3);
  // An inactive level cannot be suggested.
  sql(srv.db, "UPDATE ref_supervision_level SET is_active = 0 WHERE code = 'low'");
  try {
    r = await admin.put('/api/v1/level-suggestions/test.mini/minor', { level: 'low' }, { 'if-match': '"1"' });
    assert.equal(r.status, 422);
    assert.equal(r.body.errors[0].field, 'level');
  } finally {
    sql(srv.db, "UPDATE ref_supervision_level SET is_active = 1 WHERE code = 'low'");
  }
});

test('certifications: recorded by a unit head, listed (one\'s own for an officer), revoked with a reason', async () => {
  const t = today();
  const body = {
    account_id: ids['ins.officer'], instrument_code: 'kadam.needs-screening', certified_on: addDays(t, -10),
    issuer: 'Kadam training centre', reference: 'NS-2026-014',
  };
  let r = await officer.post('/api/v1/certifications', body);
  assert.equal(r.status, 403, 'certifications.manage records them');
  r = await head.post('/api/v1/certifications', body);
  assert.equal(r.status, 201, r.text);
  const cert = r.body;
  assert.equal(cert.account_id, ids['ins.officer']);
  assert.equal(cert.account_name, 'Test ins.officer');
  assert.equal(cert.instrument_code, 'kadam.needs-screening');
  assert.ok(cert.instrument_name.en);
  assert.equal(cert.certified_on, addDays(t, -10));
  assert.equal(cert.expires_on, addDays(t, -10 + 1095), 'the instrument\'s usual validity');
  assert.equal(cert.issuer, 'Kadam training centre');
  assert.equal(cert.reference, 'NS-2026-014');
  assert.equal(cert.recorded_by_name, 'Test ins.head');
  assert.match(cert.recorded_at, /^\d{4}-/);
  assert.equal(cert.revoked_at, null);
  assert.equal(cert.live, true);
  // An expired one, for the other officer, with an explicit expiry; and one for the review.
  r = await admin.post('/api/v1/certifications', { ...body, account_id: ids['ins.officer2'], certified_on: addDays(t, -400),
    expires_on: addDays(t, -1), reference: null });
  assert.equal(r.status, 201, r.text);
  const expired = r.body;
  assert.equal(expired.live, false);
  assert.equal(expired.reference, null);
  r = await head.post('/api/v1/certifications', { ...body, instrument_code: 'kadam.disengagement-review',
    certified_on: t, reference: '' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.expires_on, addDays(t, 730));
  assert.equal(r.body.live, true, 'live from its first day');
  const review = r.body;

  // 422s, each naming its field; nothing recorded.
  const n = count('assessor_certification');
  r = await head.post('/api/v1/certifications', { ...body, account_id: ids['ins.head'] });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors, [{ field: 'account_id', message: 'you cannot certify yourself' }]);
  r = await head.post('/api/v1/certifications', { ...body, account_id: '0190a000-0000-7000-8000-000000000000',
    instrument_code: 'no.such-instrument' });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['account_id', 'instrument_code']);
  r = await head.post('/api/v1/certifications', { ...body, certified_on: addDays(t, 1), issuer: '   ', colour: 1 });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['certified_on', 'colour', 'issuer']);
  r = await head.post('/api/v1/certifications', { ...body, expires_on: addDays(t, -10) });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['expires_on']);
  r = await head.post('/api/v1/certifications', { account_id: 'x', reference: 'r'.repeat(101) });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field).sort(),
    ['account_id', 'certified_on', 'instrument_code', 'issuer', 'reference']);
  const disabled = await user('ins.leaver', 'probation_officer');
  assert.ok(disabled);
  assert.equal((await admin.post(`/api/v1/users/${ids['ins.leaver']}/disable`)).status, 200);
  r = await head.post('/api/v1/certifications', { ...body, account_id: ids['ins.leaver'] });
  assert.equal(r.status, 422);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['account_id']);
  assert.equal(count('assessor_certification'), n);

  // Lists: everyone's for a manager (filters), one's own for anyone else.
  r = await head.get('/api/v1/certifications');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((c) => c.id), [review.id, expired.id, cert.id], 'newest first');
  r = await head.get(`/api/v1/certifications?account_id=${ids['ins.officer']}&instrument=kadam.needs-screening`);
  assert.deepEqual(r.body.items.map((c) => c.id), [cert.id]);
  r = await head.get('/api/v1/certifications?live=false');
  assert.deepEqual(r.body.items.map((c) => c.id), [expired.id]);
  r = await head.get('/api/v1/certifications?live=true');
  assert.deepEqual(r.body.items.map((c) => c.id), [review.id, cert.id]);
  r = await officer.get('/api/v1/certifications');
  assert.deepEqual(r.body.items.map((c) => c.id), [review.id, cert.id], 'one\'s own');
  r = await officer2.get(`/api/v1/certifications?account_id=${ids['ins.officer']}`);
  assert.deepEqual(r.body.items.map((c) => c.id), [expired.id], 'never another\'s');
  for (const q of ['live=maybe', 'account_id=nope', `instrument=${'x'.repeat(64)}`]) {
    r = await head.get(`/api/v1/certifications?${q}`);
    assert.equal(r.status, 422, q);
    assert.equal(r.body.errors[0].field, q.split('=')[0]);
  }

  // Revocation.
  r = await officer.post(`/api/v1/certifications/${cert.id}/revocation`, { reason: 'Left the unit' });
  assert.equal(r.status, 403);
  r = await head.post(`/api/v1/certifications/${cert.id}/revocation`, { reason: 'no' });
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'reason');
  r = await head.post('/api/v1/certifications/0190a000-0000-7000-8000-000000000000/revocation', { reason: 'Left the unit' });
  assert.equal(r.status, 404);
  r = await head.post(`/api/v1/certifications/${cert.id}/revocation`, { reason: 'Did not complete the refresher' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.live, false);
  assert.match(r.body.revoked_at, /^\d{4}-/);
  assert.equal(r.body.revoked_by_name, 'Test ins.head');
  assert.equal(r.body.revoke_reason, 'Did not complete the refresher');
  r = await head.post(`/api/v1/certifications/${cert.id}/revocation`, { reason: 'Again and again' });
  assert.equal(r.status, 409);
  assert.equal(r.body.type, 'urn:kadam:problem:already-revoked');
  r = await officer.get('/api/v1/certifications?live=true');
  assert.deepEqual(r.body.items.map((c) => c.id), [review.id]);

  // A unit head of another agency neither sees nor records nor revokes this agency's staff's certifications; the
  // administrator (who keeps every agency's accounts) sees them all.
  const otherAgency = (await admin.post('/api/v1/agencies', { name: 'Other Probation', kind: 'probation' })).body.id;
  const otherUnit = (await admin.post('/api/v1/units', { agency_id: otherAgency, name: 'Other office' })).body.id;
  const otherHead = await user('ins.otherhead', 'unit_head', otherAgency, otherUnit);
  r = await otherHead.get('/api/v1/certifications');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items, []);
  r = await otherHead.post('/api/v1/certifications', { ...body, reference: 'X-1' });
  assert.equal(r.status, 422, r.text);
  assert.deepEqual(r.body.errors, [{ field: 'account_id', message: 'is not an enabled account of your agency' }]);
  r = await otherHead.post(`/api/v1/certifications/${review.id}/revocation`, { reason: 'Not one of ours' });
  assert.equal(r.status, 404, r.text);
  r = await admin.get('/api/v1/certifications');
  assert.ok([cert.id, expired.id, review.id].every((id) => r.body.items.some((c) => c.id === id)));

  // The processing log.
  assert.equal(count('audit_log', `action = 'collect' AND record_type = 'assessor_certification' AND record_id = '${cert.id}'
    AND actor_id = '${ids['ins.head']}'`), 1);
  assert.equal(count('audit_log', `action = 'alter' AND record_type = 'assessor_certification' AND record_id = '${cert.id}'`), 1);
  assert.ok(count('audit_log', `action = 'consult' AND record_type = 'assessor_certification' AND actor_id = '${ids['ins.head']}'
    AND detail LIKE 'list: 3 shown%'`) >= 1);
});

test('kadam instrument check and import', async () => {
  let r = runKadam(['instrument', 'check', join(FIXTURES, 'mini-1.0.json')]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), `${join(FIXTURES, 'mini-1.0.json')}: valid instrument test.mini 1.0 (2 domains, 3 items)`);
  for (const [code, file] of Object.entries(SHIPPED)) {
    r = runKadam(['instrument', 'check', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`valid instrument ${code.replace('.', '\\.')} 1\\.0 \\(\\d+ domains, \\d+ items\\)`));
  }
  r = runKadam(['instrument', 'check', join(FIXTURES, 'bad-many-problems.json')]);
  assert.equal(r.status, 1);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 10, r.stderr);
  assert.ok(lines.includes('/publisher: is required'));
  assert.ok(lines.includes('/colour: is not allowed here'));
  assert.ok(lines.some((l) => l.startsWith('/domains/1/items/0/id: repeats the item id')));
  r = runKadam(['instrument', 'check', join(CORPUS, 'not-an-object.json')]);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, '/: must be an object\n');
  r = runKadam(['instrument', 'check', join(CORPUS, 'truncated.txt')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /not valid JSON/);
  r = runKadam(['instrument', 'check']);
  assert.equal(r.status, 2);
  r = runKadam(['instrument', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /kadam instrument import FILE/);

  const before = count('instrument');
  r = runKadam(['instrument', 'import', join(FIXTURES, 'label-100-characters.json'), '--db', srv.db]);
  assert.equal(r.status, 0, r.stderr);
  const m = r.stdout.match(/^loaded test\.mini 1\.0-len as instrument ([0-9a-f-]{36})$/m);
  assert.ok(m, r.stdout);
  assert.equal(count('instrument'), before + 1);
  assert.equal(count('audit_log', `action = 'alter' AND record_type = 'instrument' AND record_id = '${m[1]}'
    AND actor_login = 'kadam instrument (command line)'`), 1);
  const loaded = (await officer.get(`/api/v1/instruments/${m[1]}`)).body;
  assert.equal(loaded.current, true);
  assert.equal(loaded.loaded_by_name, null);
  assert.equal(loaded.sha256, createHash('sha256').update(readFileSync(join(FIXTURES, 'label-100-characters.json'))).digest('hex'),
    'the command line hashes the file\'s bytes');
  r = runKadam(['instrument', 'import', join(FIXTURES, 'label-100-characters.json'), '--db', srv.db]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /already loaded/);
  r = runKadam(['instrument', 'import', join(FIXTURES, 'semantic-item-and-scale.json'), '--db', srv.db]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^\/domains\/0\/items\/1\/scale: names no scale/m);
  assert.equal(count('instrument'), before + 1);
});

test('ajv compiles the published schema in strict mode and agrees with Kadam on every file, path by path', () => {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  const validate = ajv.compile(JSON.parse(readFileSync(join(root, 'docs/instrument.schema.json'), 'utf8')));
  const escape = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');
  // ajv names a missing or extra member by its parent; Kadam by the member itself.
  const ajvPath = (e) => (e.keyword === 'required' ? `${e.instancePath}/${escape(e.params.missingProperty)}`
    : e.keyword === 'additionalProperties' ? `${e.instancePath}/${escape(e.params.additionalProperty)}` : e.instancePath);
  const semanticMessage = /repeats the .* id|names no scale|more problems/;
  let compared = 0, semantic = 0, invalid = 0;
  for (const dir of [FIXTURES, CORPUS]) {
    for (const name of readdirSync(dir).sort()) {
      const file = join(dir, name);
      let doc;
      try {
        doc = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        continue; // not JSON: neither validator sees it
      }
      const ajvValid = validate(doc);
      const r = runKadam(['instrument', 'check', file]);
      assert.ok(r.status === 0 || r.status === 1, `${name}: ${r.stderr}`);
      const lines = r.stderr.split('\n').filter(Boolean);
      const schemaPaths = new Set(lines.filter((l) => !semanticMessage.test(l))
        .map((l) => l.slice(0, l.indexOf(': '))).map((p) => (p === '/' ? '' : p)));
      if (name.startsWith('semantic-')) {
        assert.equal(ajvValid, true, `${name}: valid for the schema (${JSON.stringify(validate.errors)})`);
        assert.equal(r.status, 1, `${name}: Kadam refuses it for what a schema cannot say`);
        assert.equal(schemaPaths.size, 0, `${name}: only semantic problems (${r.stderr})`);
        semantic++;
      } else {
        assert.equal(r.status === 0, ajvValid, `${name}: ajv ${ajvValid}, Kadam ${r.status === 0}: ${r.stderr}`);
        const expected = new Set((validate.errors || []).map(ajvPath));
        assert.deepEqual([...schemaPaths].sort(), [...expected].sort(), `${name}: the same paths`);
        if (!ajvValid) invalid++;
      }
      compared++;
    }
  }
  assert.ok(compared >= 15 && semantic >= 3 && invalid >= 6, `${compared} files, ${semantic} semantic, ${invalid} invalid`);
});
