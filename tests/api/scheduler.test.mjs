// The scheduler: two `kadam serve` processes on one database, their clocks moved forward together
// across several slots, many concurrent "run the due jobs now" calls at both; every slot of every job
// runs exactly once (the runs the calls report and the runs recorded are the same set, with no
// (job, slot_at) twice), one run per job per clock move (no catch-up storm), and no call fails.
// Also: the clock route is 404 without clock_control and refuses a time that is not RFC 3339.
// Runs on both backends (SQLite: two processes share the file's write lock).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';

let one, two, plain, token;
const JOBS = {
  'compliance.rules': 300, 'alerts.escalate': 60, 'em.compact': 60, 'em.silence': 60, 'em.retention': 3600,
};

// A request with the administrator's API token (sessions would end when the clock jumps past their idle time).
async function call(srv, method, path, body) {
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${srv.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: res.status, body: json, text };
}

async function clock(srv, ms) {
  const r = await call(srv, 'PUT', '/api/v1/system/clock', { now: new Date(ms).toISOString() });
  assert.equal(r.status, 200, r.text);
  assert.ok(Math.abs(Date.parse(r.body.now) - ms) < 5000, `the clock moved to ${r.body.now}`);
}

before(async () => {
  one = await startServer({ env: { KADAM_CLOCK_CONTROL: '1' } });
  const admin = (await firstLogin(one.url, ...Object.values(createAdmin(one.db, 'sched.admin')))).client;
  const r = await admin.post('/api/v1/tokens', { name: 'scheduler test', expires_in_days: 30,
    permissions: ['system.jobs', 'system.clock'] });
  assert.equal(r.status, 201, r.text);
  token = r.body.secret;
  two = await startServer({ db: one.db, env: { KADAM_CLOCK_CONTROL: '1' } });
  plain = await startServer({ db: one.db });
});

after(async () => {
  for (const srv of [plain, two, one]) {
    if (!srv) continue;
    const { code } = await srv.stop();
    assert.equal(code, 0, srv.logs().slice(-3000));
  }
});

test('the clock route is 404 without clock_control, and refuses a time that is not RFC 3339', async () => {
  let r = await call(plain, 'PUT', '/api/v1/system/clock', { now: new Date().toISOString() });
  assert.equal(r.status, 404);
  assert.match(r.body.type, /not-found/);
  for (const now of ['2026-03-01', '2026-03-01 09:00:00Z', '2026-02-30T09:00:00Z', 'soon', '2026-03-01T09:00:00']) {
    r = await call(one, 'PUT', '/api/v1/system/clock', { now });
    assert.equal(r.status, 422, now);
    assert.deepEqual(r.body.errors.map((e) => e.field), ['now'], now);
  }
  r = await call(one, 'PUT', '/api/v1/system/clock', { now: new Date().toISOString(), later: 1 });
  assert.equal(r.status, 422);
  // The change is logged (administration).
  const before = Number(sql(one.db, "SELECT COUNT(*) FROM audit_log WHERE record_type = 'system_clock'"));
  await clock(one, Date.now());
  assert.equal(Number(sql(one.db, "SELECT COUNT(*) FROM audit_log WHERE record_type = 'system_clock'")), before + 1);
});

test('two servers on one database: every slot runs exactly once, whichever server claims it', async () => {
  const reported = []; // every run the calls answered: { job, slot_at, status, server }
  const fire = async (servers, n) => {
    const calls = [];
    for (const srv of servers) for (let i = 0; i < n; i++) calls.push(call(srv, 'POST', '/api/v1/system/jobs/run'));
    const answers = await Promise.all(calls);
    for (const a of answers) {
      assert.equal(a.status, 200, a.text);
      for (const run of a.body.ran) reported.push({ ...run, server: a.body.server });
    }
  };
  // Clocks are set one second after a slot boundary of both jobs, so no boundary passes while a round of
  // calls is under way (a round takes far less than a minute): each move makes exactly one slot due.
  const aligned = (ms) => Math.ceil(ms / 300_000) * 300_000 + 1000;
  let at = aligned(Date.now());
  // Slot 0 of each job (due since the migration) on the first server alone.
  await clock(one, at);
  await fire([one], 5);
  // Five moves of both clocks, ten minutes each, with concurrent calls at both.
  const STEPS = 5;
  for (let step = 1; step <= STEPS; step++) {
    at += 600_000;
    await clock(one, at);
    await clock(two, at + 250); // the two clocks need not agree
    await fire([one, two], 12);
  }
  // One more move on the second server alone, so both servers have run jobs.
  at += 600_000;
  await clock(two, at);
  await fire([two], 5);

  const jobs = await call(one, 'GET', '/api/v1/system/jobs');
  assert.equal(jobs.status, 200, jobs.text);
  assert.equal(typeof jobs.body.server, 'string');
  const servers = new Set([(await call(one, 'GET', '/api/v1/system/jobs')).body.server,
    (await call(two, 'GET', '/api/v1/system/jobs')).body.server]);
  assert.equal(servers.size, 2, 'each process has its own name (host/pid/start)');
  for (const name of servers) assert.match(name, /^[^/]+\/\d+\/\d+$/);
  const names = jobs.body.items.map((j) => j.name).sort();
  assert.deepEqual(names, Object.keys(JOBS).sort());
  for (const job of jobs.body.items) {
    assert.equal(job.interval_s, JOBS[job.name]);
    const runs = job.runs;
    // One run per clock move that passed one of its slots: for jobs of ten minutes or less every move (the first,
    // five together, the last); the hourly retention only at the moves that crossed an hour. No catch-up for the
    // skipped slots.
    if (JOBS[job.name] <= 600) assert.equal(runs.length, STEPS + 2, `${job.name}: ${JSON.stringify(runs)}`);
    else assert.ok(runs.length >= 1 && runs.length <= STEPS + 2, `${job.name}: ${JSON.stringify(runs)}`);
    const slots = runs.map((r) => r.slot_at);
    assert.equal(new Set(slots).size, slots.length, `${job.name}: no slot twice`);
    assert.ok(runs.every((r) => r.status === 'ok'), `${job.name}: no run failed`);
    for (let i = 1; i < runs.length; i++) assert.ok(runs[i - 1].slot_at > runs[i].slot_at, 'newest first');
    // Slots lie on the job's interval.
    for (const r of runs) assert.equal(Date.parse(r.slot_at) % (JOBS[job.name] * 1000), 0, r.slot_at);
    // The next slot is the first after the latest clock.
    const next = Date.parse(job.next_run_at);
    assert.ok(next > at && next <= at + JOBS[job.name] * 1000, job.next_run_at);
    assert.equal(job.last_status, 'ok');
    assert.ok(servers.has(job.last_server));
    // What the calls reported is exactly what was recorded: each slot reported once, by the server that ran it.
    const mine = reported.filter((r) => r.job === job.name);
    assert.equal(mine.length, runs.length, `${job.name}: reported ${JSON.stringify(mine)}`);
    assert.deepEqual(mine.map((r) => r.slot_at).sort(), [...slots].sort());
    for (const r of runs) assert.equal(mine.find((m) => m.slot_at === r.slot_at).server, r.server);
    if (JOBS[job.name] > 600) continue; // the hourly job runs too seldom here to be shared
    assert.ok(runs.some((r) => r.server === jobs.body.server), `${job.name}: the first server ran some`);
    assert.ok(runs.some((r) => r.server !== jobs.body.server), `${job.name}: the second server ran some`);
  }
  assert.ok(reported.every((r) => r.status === 'ok'));
  const rules = reported.find((r) => r.job === 'compliance.rules');
  assert.equal(typeof rules.detail.evaluated, 'number');
  assert.equal(typeof rules.detail.raised, 'number');
  // The database agrees: one row per (job, slot), as many as the runs reported.
  assert.equal(Number(sql(one.db, 'SELECT COUNT(*) FROM job_run')), reported.length);
  assert.equal(Number(sql(one.db, 'SELECT COUNT(*) FROM (SELECT job, slot_at FROM job_run GROUP BY job, slot_at) s')),
    reported.length);
  // Nothing is due now: another round runs nothing.
  const again = await call(two, 'POST', '/api/v1/system/jobs/run');
  assert.equal(again.status, 200);
  assert.deepEqual(again.body.ran, []);
});

test('a clock jump of days runs each job once and moves it to the first slot after now', async () => {
  const current = Date.parse((await call(one, 'GET', '/api/v1/system/jobs')).body.now);
  const now = Math.ceil((current + 3 * 86400_000) / 300_000) * 300_000 + 1000;
  await clock(one, now);
  const r = await call(one, 'POST', '/api/v1/system/jobs/run');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.ran.map((x) => x.job).sort(), Object.keys(JOBS).sort());
  const jobs = (await call(one, 'GET', '/api/v1/system/jobs')).body.items;
  for (const job of jobs) {
    const next = Date.parse(job.next_run_at);
    assert.ok(next > now && next <= now + JOBS[job.name] * 1000, `${job.name} next ${job.next_run_at}`);
  }
});

test('only administrators see and run the jobs', async () => {
  const r = await fetch(`${one.url}/api/v1/system/jobs`);
  assert.equal(r.status, 401);
});
