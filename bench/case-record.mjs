// The case-record benchmark of `make bench` (issue 4): on a server whose
// database holds the demo people (`kadam demo --people N`), measures one
// request at a time the latency of
//   - GET /api/v1/people?q=<a Latin spelling, with one typo, of a surname and
//     given name that exist in Cyrillic> (e.g. "Berdibeav Azamat"),
//   - GET /api/v1/cases/{id} (the case page) over random cases, and
//   - GET /healthz, the floor,
// interleaved round by round, so a busy machine slows all three alike, and
// prints p50 and p95 of each and each p95 as a ratio to /healthz's p95.
//
//   node bench/case-record.mjs URL DB [REQUESTS]
//
// The reader is a unit head at the root unit "Central office" (made here
// through the administration API; also an administrator, the one role that may
// make API tokens), through an API token that may only read people: the search
// and case reads are scoped to the caller's units, and that unit's scope
// covers every probation unit below it. Needs the demo
// data (agencies, units) that `kadam demo` loads.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createAdmin, firstLogin } from '../tests/lib/auth.mjs';
import { sql } from '../tests/lib/db.mjs';

const [url, db, requestsArg] = process.argv.slice(2);
const requests = Number(requestsArg || 300);
const warmup = 30;
const tag = randomBytes(3).toString('hex');

// A deterministic PRNG (mulberry32), so runs ask the same things.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(20260404);

// The reader: a unit head at the probation service's root unit, with a token that reads people and cases.
const [agencyId, rootId] = sql(db,
  "SELECT u.agency_id || '|' || u.id FROM unit u JOIN agency a ON a.id = u.agency_id" +
  " WHERE a.name = 'Probation Service (demo)' AND u.name = 'Central office'").split('|');
if (!rootId) throw new Error('no demo unit "Central office": run `kadam demo` on the database first');
const admin = createAdmin(db, `bench.admin.${tag}`);
const { client: adminClient } = await firstLogin(url, admin.login, admin.password);
let r = await adminClient.post('/api/v1/users', {
  login: `bench.head.${tag}`, display_name: 'Benchmark reader', agency_id: agencyId, unit_id: rootId,
  roles: ['unit_head', 'administrator'], // administrator: only that role may make API tokens
});
if (r.status !== 201) throw new Error(`creating the reader: ${r.status} ${r.text}`);
const { client: head } = await firstLogin(url, `bench.head.${tag}`, r.body.one_time_password);
r = await head.post('/api/v1/tokens', { name: `bench ${tag}`, permissions: ['people.read'], expires_in_days: 1 });
if (r.status !== 201) throw new Error(`creating the token: ${r.status} ${r.text}`);
const auth = { authorization: `Bearer ${r.body.secret}` };

// Samples spread over the whole table (ids end in a given pair of hex digits: about 1 row in 256, wherever it
// was written), from the probation units the reader covers.
const probationUnits = `SELECT id FROM unit WHERE agency_id = '${agencyId}'`;
function sample(query, pick) {
  for (const suffix of ['a7', '7', '']) {
    const rows = sql(db, query.replace('SUFFIX', suffix)).split('\n').filter(Boolean);
    if (rows.length >= pick || suffix === '') return rows;
  }
  return [];
}

// One typo in the surname: two neighbouring letters swapped in its second half ("Berdibaev" → "Berdibeav"), or,
// every third query, a letter left out.
function typo(word, i) {
  const at = Math.floor(word.length / 2) + Math.floor(rand() * (Math.floor(word.length / 2) - 1));
  if (i % 3 === 2) return word.slice(0, at) + word.slice(at + 1);
  if (word[at] === word[at + 1]) return word.slice(0, at) + word.slice(at + 1);
  return word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2);
}
const people = sample(
  "SELECT surname_latin || '|' || given_name_latin FROM person WHERE id LIKE '%SUFFIX'" +
  ` AND unit_id IN (${probationUnits}) AND length(surname_latin) >= 7 AND surname_latin NOT LIKE '% %' LIMIT 200`,
  20).map((row) => row.split('|'));
if (people.length === 0) throw new Error('no demo people to search for: seed them with `kadam demo --people N`');
const queries = [];
for (let i = 0; i < 20; i++) {
  const [surname, given] = people[Math.floor(rand() * people.length)];
  queries.push({ q: `${typo(surname, i)} ${given}`, surname, given });
}
const cases = sample(
  `SELECT id FROM case_file WHERE id LIKE '%SUFFIX' AND unit_id IN (${probationUnits}) LIMIT 5000`, requests);
if (cases.length === 0) throw new Error('no demo cases: seed them with `kadam demo --people N`');

async function timed(path, headers) {
  const t = performance.now();
  const res = await fetch(`${url}${path}`, { headers });
  const body = await res.text();
  const ms = performance.now() - t;
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${body.slice(0, 300)}`);
  return { ms, body };
}

const series = { healthz: [], search: [], case: [] };
let found = 0, searched = 0, results = 0;
const misses = new Map();
for (let i = 0; i < warmup + requests; i++) {
  const q = queries[i % queries.length];
  const id = cases[Math.floor(rand() * cases.length)];
  const h = await timed('/healthz');
  const s = await timed(`/api/v1/people?q=${encodeURIComponent(q.q)}`, auth);
  const c = await timed(`/api/v1/cases/${id}`, auth);
  if (i < warmup) continue;
  series.healthz.push(h.ms);
  series.search.push(s.ms);
  series.case.push(c.ms);
  const items = JSON.parse(s.body).items;
  searched++;
  results += items.length;
  // Found: the first result has the spelling the typo was made from.
  if (items.length && items[0].surname_latin === q.surname && items[0].given_name_latin === q.given) found++;
  else misses.set(q.q, `${q.q} → ${items.length ? `${items[0].surname_latin} ${items[0].given_name_latin}` : 'nothing'}` +
    ` (wanted ${q.surname} ${q.given})`);
}

function quantile(values, q) {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)];
}
const counts = sql(db, "SELECT (SELECT COUNT(*) FROM person) || ' people, ' || (SELECT COUNT(*) FROM case_file) || ' cases'");
console.log(`case record: ${counts}; ${requests} requests of each kind after ${warmup} to warm up, one at a time`);
const base = quantile(series.healthz, 0.95);
const line = (label, values, note) => {
  const p50 = quantile(values, 0.5), p95 = quantile(values, 0.95);
  console.log(`${label.padEnd(40)} p50 ${p50.toFixed(2).padStart(8)} ms   p95 ${p95.toFixed(2).padStart(8)} ms   ${note(p95)}`);
};
line('GET /healthz', series.healthz, () => '(baseline)');
line('GET /api/v1/people?q= (1 typo, Latin)', series.search, (p95) => `p95 ratio to /healthz ${(p95 / base).toFixed(1)}`);
line('GET /api/v1/cases/{id}', series.case, (p95) => `p95 ratio to /healthz ${(p95 / base).toFixed(1)}`);
console.log(`search: ${queries.length} queries like "${queries[0].q}" (for ${queries[0].surname} ${queries[0].given});` +
  ` the first result had the intended spelling in ${found} of ${searched}, ${(results / searched).toFixed(1)} results` +
  ' on average (at most 20)');
if (misses.size) console.log(`search: not first: ${[...misses.values()].slice(0, 3).join('; ')}`);
