// The condition catalogue: the shipped version loaded at start with every condition in ky, ru and en;
// the versions list; importing a new version (checks naming the member, 409 for an old version,
// permission), and a version whose mapping moves an active condition to its new code, with a
// condition.recoded timeline event and the processing log (S10), or is refused naming what stops it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, root, runKadam } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

const shippedBytes = readFileSync(join(root, 'data/conditions/catalogue-v1.json'));
const shipped = JSON.parse(shippedBytes.toString('utf8'));
const CODES = ['report_office', 'notify_changes', 'live_at_address', 'curfew', 'exclusion_zone', 'inclusion_zone',
  'stay_in_district', 'avoid_places', 'no_contact', 'attend_programme', 'work_or_study', 'surrender_travel_documents',
  'electronic_monitoring', 'device_internet_restriction'];
const LANGS = ['ky', 'ru', 'en'];
const TYPES = ['address', 'zone', 'time_window', 'weekly', 'person', 'organisation', 'date', 'number', 'text'];
const CATEGORIES = ['reporting', 'residence', 'movement', 'contact', 'activity', 'documents', 'monitoring', 'digital'];

let srv, admin, officer;
const ids = {};
const count = (table, where = '1 = 1') => Number(sql(srv.db, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));

function today(timeZone = 'Asia/Bishkek') {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
function addDays(iso, n) {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}

// The shipped file as version `version`, with `curfew` renamed and extra changes applied by edit(doc).
function variant(version, edit = () => {}) {
  const doc = structuredClone(shipped);
  doc.version = version;
  edit(doc);
  return doc;
}
const cond = (doc, code) => doc.conditions.find((c) => c.code === code);

before(async () => {
  srv = await startServer();
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'cat.admin')))).client;
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Catalogue Probation', kind: 'probation' })).body.id;
  ids.unit = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Office' })).body.id;
  const r = await admin.post('/api/v1/users', {
    login: 'cat.officer', display_name: 'Test cat.officer', agency_id: ids.agency, unit_id: ids.unit,
    roles: ['probation_officer'],
  });
  assert.equal(r.status, 201, r.text);
  officer = (await firstLogin(srv.url, 'cat.officer', r.body.one_time_password)).client;
});
after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, srv.logs().slice(-3000));
});

test('the shipped catalogue is loaded at start: every condition with its texts in ky, ru and en', async () => {
  const r = await officer.get('/api/v1/condition-catalogue');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.version, 1);
  assert.equal(r.body.label, 'Kadam standard catalogue (2026)');
  assert.equal(r.body.is_current, true);
  assert.match(r.body.loaded_at, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual(r.body.conditions.map((c) => c.code).sort(), [...CODES].sort());
  for (const c of r.body.conditions) {
    assert.ok(CATEGORIES.includes(c.category), `${c.code} category`);
    assert.equal(typeof c.standard, 'boolean');
    assert.equal(typeof c.em, 'boolean');
    assert.ok(c.duty, `${c.code} duty`);
    for (const l of LANGS) {
      assert.ok(c.title[l] && c.text[l], `${c.code} has ${l}`);
      for (const p of c.params) assert.ok(c.text[l].includes(`{${p.name}}`) || !p.required, `${c.code}.${l} uses {${p.name}}`);
    }
    assert.match(c.text.ky, /[а-яөүң]/i, `${c.code}: Kyrgyz in Cyrillic`);
    for (const p of c.params) {
      assert.ok(TYPES.includes(p.type), `${c.code}.${p.name} type`);
      assert.equal(typeof p.required, 'boolean');
      for (const l of LANGS) assert.ok(p.label[l], `${c.code}.${p.name} label ${l}`);
    }
  }
  const byCode = Object.fromEntries(r.body.conditions.map((c) => [c.code, c]));
  assert.equal(byCode.curfew.em, true);
  assert.deepEqual(byCode.curfew.params.map((p) => p.type), ['address', 'time_window']);
  assert.equal(byCode.exclusion_zone.params[0].type, 'zone');
  assert.equal(byCode.report_office.standard, true);
  assert.deepEqual(byCode.report_office.params.map((p) => p.type).sort(), ['organisation', 'weekly']);
  assert.deepEqual(byCode.notify_changes.params[0], {
    name: 'days', type: 'number', required: true, min: 2, max: 20,
    label: { ky: 'Мөөнөт (календардык күн)', ru: 'Срок (календарных дней)', en: 'Time limit (calendar days)' },
  });
  // Every duty of the reference list is offered by some condition.
  const duties = sql(srv.db, 'SELECT code FROM ref_duty ORDER BY code').split('\n');
  for (const d of duties) assert.ok(r.body.conditions.some((c) => c.duty === d), `a condition for duty ${d}`);
  // A version by number, and the refusals.
  assert.deepEqual((await officer.get('/api/v1/condition-catalogue?version=1')).body, r.body);
  assert.equal((await officer.get('/api/v1/condition-catalogue?version=7')).status, 404);
  const bad = await officer.get('/api/v1/condition-catalogue?version=one');
  assert.equal(bad.status, 422);
  assert.equal(bad.body.errors[0].field, 'version');
  // Reading needs a login.
  assert.equal((await fetch(`${srv.url}/api/v1/condition-catalogue`)).status, 401);
});

test('the versions list names the file\'s sha256 and who loaded it', async () => {
  const r = await officer.get('/api/v1/condition-catalogue/versions');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.items.length, 1);
  const v = r.body.items[0];
  assert.equal(v.version, 1);
  assert.equal(v.sha256, createHash('sha256').update(shippedBytes).digest('hex'));
  assert.equal(v.loaded_by_name, null, 'shipped with the program');
  assert.equal(v.is_current, true);
  assert.deepEqual(v.mapping, {});
});

test('a bad file is refused naming the member; an old version is a conflict; only reference.manage loads', async () => {
  const before = count('condition_catalogue');
  let doc = variant(2, (d) => { delete d.conditions[3].text.ky; });
  let r = await admin.post('/api/v1/condition-catalogue', doc);
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'conditions[3].text.ky');
  doc = variant(2, (d) => { d.conditions[0].params[0].type = 'colour'; });
  r = await admin.post('/api/v1/condition-catalogue', doc);
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'conditions[0].params[0].type');
  doc = variant(2, (d) => { d.conditions[2].text.en += ' Near {where}.'; });
  r = await admin.post('/api/v1/condition-catalogue', doc);
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'conditions[2].text.en');
  assert.match(r.body.errors[0].message, /\{where\}/);
  doc = variant(2, (d) => { d.conditions[1].code = 'Bad Code'; });
  r = await admin.post('/api/v1/condition-catalogue', doc);
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'conditions[1].code');
  doc = variant(2, (d) => { d.conditions[1].duty = 'dancing'; });
  r = await admin.post('/api/v1/condition-catalogue', doc);
  assert.equal(r.status, 422);
  assert.equal(r.body.errors[0].field, 'conditions[1].duty');
  r = await admin.post('/api/v1/condition-catalogue', variant(1));
  assert.equal(r.status, 409, r.text);
  assert.equal(r.body.errors[0].field, 'version');
  r = await officer.post('/api/v1/condition-catalogue', variant(2));
  assert.equal(r.status, 403);
  assert.equal(count('condition_catalogue'), before, 'nothing loaded');
  assert.equal(count('condition_type', 'version > 1'), 0);
});

test('a new version moves an active condition to its mapped code, on the timeline and in the log', async () => {
  // A person, a case and a decision authorising a curfew, through the API.
  let r = await officer.post('/api/v1/people', { surname: 'Осмонов', given_name: 'Азамат', birth_date: '1988-08-08' });
  assert.equal(r.status, 201, r.text);
  r = await officer.post('/api/v1/cases', {
    person_id: r.body.id, kind: 'executive', opened_on: addDays(today(), -20), open_reason: 'Court order received',
  });
  assert.equal(r.status, 201, r.text);
  ids.case = r.body.id;
  r = await officer.post(`/api/v1/cases/${ids.case}/decisions`, {
    authority: 'Бишкек шаарынын Ленин райондук соту', number: '1-12/26', decided_on: addDays(today(), -20),
    measure: 'probation_supervision', articles: ['CC-130'], start_on: addDays(today(), -10), term: '1y',
    duties: ['curfew', 'residence'],
  });
  assert.equal(r.status, 201, r.text);
  ids.decision = r.body.id;
  // The active condition is written directly: imposing conditions is another route's business.
  const accountId = sql(srv.db, "SELECT id FROM account WHERE login = 'cat.officer'");
  const params = JSON.stringify({ address: 'Бишкек, Ахунбаева 12', hours: { from: '22:00', to: '06:00' } });
  for (const [id, code, duty, values] of [['cat-cond-curfew', 'curfew', 'curfew', params],
    ['cat-cond-home', 'live_at_address', 'residence', JSON.stringify({ address: 'Бишкек, Ахунбаева 12' })]]) {
    sql(srv.db, `INSERT INTO case_condition (id, case_id, decision_id, catalogue_version, code, duty, params, answers,
      answers_detail, review_on, effective_from, status, created_at, created_by, updated_at)
      VALUES ('${id}', '${ids.case}', '${ids.decision}', 1, '${code}', '${duty}', '${values}', 'risk', 'Night-time offending',
      '${addDays(today(), 60)}', '${addDays(today(), -10)}', 'active', 1, '${accountId}', 1)`);
  }

  // Renamed without a mapping: the active curfew holds its code back.
  const renamed = (d) => { cond(d, 'curfew').code = 'curfew_em'; };
  r = await admin.post('/api/v1/condition-catalogue', variant(2, renamed));
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'replaces.curfew');
  // Mapped to a type that requires a parameter the condition lacks: refused naming it.
  r = await admin.post('/api/v1/condition-catalogue', variant(2, (d) => {
    renamed(d);
    d.replaces = { curfew: 'curfew_em' };
    const c = cond(d, 'curfew_em');
    c.params.push({ name: 'device', type: 'text', required: true, label: { ky: 'Түзмөк', ru: 'Устройство', en: 'Device' } });
    for (const l of LANGS) c.text[l] += ' {device}';
  }));
  assert.equal(r.status, 422, r.text);
  assert.equal(r.body.errors[0].field, 'replaces.curfew');
  assert.match(r.body.errors[0].message, /params\.device/);
  assert.equal(count('condition_catalogue'), 1);
  assert.equal(sql(srv.db, "SELECT code FROM case_condition WHERE id = 'cat-cond-curfew'"), 'curfew');

  // The mapping alone: the curfew moves, the residence condition stays with its code.
  const v2 = variant(2, (d) => { renamed(d); d.replaces = { curfew: 'curfew_em' }; });
  r = await admin.post('/api/v1/condition-catalogue', v2);
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.body, { version: 2, label: shipped.label, recoded: 1 });
  assert.equal(sql(srv.db, "SELECT code || ' ' || catalogue_version FROM case_condition WHERE id = 'cat-cond-curfew'"), 'curfew_em 2');
  assert.equal(sql(srv.db, "SELECT code || ' ' || catalogue_version FROM case_condition WHERE id = 'cat-cond-home'"), 'live_at_address 2');
  assert.equal(JSON.parse(sql(srv.db, "SELECT params FROM case_condition WHERE id = 'cat-cond-curfew'")).hours.from, '22:00');

  r = await officer.get(`/api/v1/cases/${ids.case}/timeline`);
  assert.equal(r.status, 200, r.text);
  const events = r.body.items.filter((e) => e.kind === 'condition.recoded');
  assert.equal(events.length, 1);
  assert.equal(events[0].record_id, 'cat-cond-curfew');
  const detail = typeof events[0].detail === 'string' ? JSON.parse(events[0].detail) : events[0].detail;
  assert.equal(detail.from_code, 'curfew');
  assert.equal(detail.to_code, 'curfew_em');
  assert.equal(detail.to_version, 2);
  assert.ok(!JSON.stringify(events[0]).includes('Ахунбаева'), 'the timeline names no address');
  assert.equal(count('audit_log', "action = 'alter' AND record_type = 'condition_catalogue' AND record_id = '2' AND actor_login = 'cat.admin'"), 1);
  assert.equal(count('audit_log', "action = 'alter' AND record_type = 'condition' AND record_id = 'cat-cond-curfew'"), 1);

  // The versions: newest first, the mapping, who loaded it, which is current.
  r = await officer.get('/api/v1/condition-catalogue/versions');
  assert.deepEqual(r.body.items.map((v) => [v.version, v.is_current]), [[2, true], [1, false]]);
  assert.deepEqual(r.body.items[0].mapping, { curfew: 'curfew_em' });
  assert.equal(r.body.items[0].loaded_by_name, 'Test Administrator');
  assert.equal(r.body.items[0].sha256.length, 64);
  r = await officer.get('/api/v1/condition-catalogue');
  assert.equal(r.body.version, 2);
  assert.ok(r.body.conditions.some((c) => c.code === 'curfew_em'));
  r = await officer.get('/api/v1/condition-catalogue?version=1');
  assert.equal(r.body.is_current, false);
  assert.ok(r.body.conditions.some((c) => c.code === 'curfew'));

  // Loading it again is a conflict.
  r = await admin.post('/api/v1/condition-catalogue', v2);
  assert.equal(r.status, 409);
});

test('kadam catalogue check and import', async () => {
  let r = runKadam(['catalogue', 'check', 'data/conditions/catalogue-v1.json']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /version 1, 14 conditions/);
  r = runKadam(['catalogue', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /kadam catalogue import FILE/);
  r = runKadam(['catalogue', 'check']);
  assert.equal(r.status, 2);
  r = runKadam(['catalogue', 'frobnicate']);
  assert.equal(r.status, 2);
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'kadam-catalogue-'));
  try {
    const bad = variant(3, (d) => { delete d.conditions[5].title.en; });
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    r = runKadam(['catalogue', 'check', join(dir, 'bad.json')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /conditions\[5\]\.title\.en: is missing/);
    writeFileSync(join(dir, 'dup.json'), '{"version": 3, "version": 4}');
    r = runKadam(['catalogue', 'check', join(dir, 'dup.json')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /not valid JSON/);
    // Import into the server's database: version 3 keeps curfew_em, so nothing is recoded.
    const v3 = variant(3, (d) => { cond(d, 'curfew').code = 'curfew_em'; d.label = 'Kadam catalogue (test 3)'; });
    writeFileSync(join(dir, 'v3.json'), JSON.stringify(v3));
    r = runKadam(['catalogue', 'import', join(dir, 'v3.json'), '--db', srv.db]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /version 3; 0 active conditions recoded/);
    r = runKadam(['catalogue', 'import', join(dir, 'v3.json'), '--db', srv.db]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /refused: version: must be above 3/);
    assert.equal(count('audit_log', "action = 'alter' AND record_type = 'condition_catalogue' AND record_id = '3'"), 1);
    const cur = await officer.get('/api/v1/condition-catalogue');
    assert.equal(cur.body.version, 3);
    assert.equal(cur.body.label, 'Kadam catalogue (test 3)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
