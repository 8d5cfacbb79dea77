// Starts a `kadam serve` for one test suite on a free port with a fresh database,
// and stops it afterwards. Used by the API tests (tests/api) and the browser
// tests (tests/e2e).
//
// Environment:
//   KADAM_BIN     the binary to run (default ./build/kadam; the sanitizer run sets build-asan/kadam)
//   TEST_BACKEND  "sqlite" (default) or "postgresql"
//   TEST_PG_URL   a PostgreSQL URL whose user may CREATE DATABASE (required for postgresql)
//   KADAM_UI_DIR  the built UI to serve (default web/dist)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

export const root = resolve(new URL('../..', import.meta.url).pathname);

// A free port for a server. The SQLite and PostgreSQL suites run side by side (scripts/run-tests), so each
// takes its ports from its own range below the kernel's ephemeral range: two suites never pick the same port
// between this check and their server's bind.
const PORT_RANGES = { sqlite: [20000, 26000], postgresql: [26000, 32000] };

function portFree(port) {
  return new Promise((ok) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => ok(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => ok(true)));
  });
}

export async function freePort() {
  const [lo, hi] = PORT_RANGES[process.env.TEST_BACKEND || 'sqlite'] || PORT_RANGES.sqlite;
  for (let i = 0; i < 200; i++) {
    const port = lo + Math.floor(Math.random() * (hi - lo));
    if (await portFree(port)) return port;
  }
  throw new Error(`no free port in ${lo}..${hi}`);
}

function psql(url, sql) {
  const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
}

// Makes a fresh, empty database and returns { url, drop() }.
export function freshDatabase() {
  const backend = process.env.TEST_BACKEND || 'sqlite';
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'kadam-test-'));
    return { backend, url: `sqlite:${join(dir, 'kadam.db')}`, drop: () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (backend !== 'postgresql') throw new Error(`unknown TEST_BACKEND ${backend}`);
  const base = process.env.TEST_PG_URL;
  if (!base) throw new Error('TEST_BACKEND=postgresql needs TEST_PG_URL');
  const name = `kadam_test_${randomBytes(6).toString('hex')}`;
  psql(base, `CREATE DATABASE ${name}`);
  const u = new URL(base);
  u.pathname = `/${name}`;
  return { backend, url: u.toString(), drop: () => psql(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

// Runs a kadam subcommand to completion; returns { status, stdout, stderr }.
export function runKadam(args, opts = {}) {
  const bin = process.env.KADAM_BIN || join(root, 'build/kadam');
  return spawnSync(bin, args, { encoding: 'utf8', cwd: root, ...opts });
}

// Starts `kadam serve`. Options: { args: [...extra flags], env: {...}, db: url, demo: bool }.
// env KADAM_CLOCK_CONTROL: '1' lets setClock() below move the server's clock.
// Resolves to { url, port, db, proc, logs(), stop() }.
export async function startServer(options = {}) {
  const bin = process.env.KADAM_BIN || join(root, 'build/kadam');
  const owned = options.db ? null : freshDatabase();
  const db = options.db || owned.url;
  if (options.demo) {
    const r = runKadam(['demo', '--db', db]);
    if (r.status !== 0) throw new Error(`kadam demo failed: ${r.stderr}`);
  }
  const port = await freePort();
  const args = ['serve', '--listen', `127.0.0.1:${port}`, '--db', db,
    '--ui-dir', options.uiDir || process.env.KADAM_UI_DIR || join(root, 'web/dist'), ...(options.args || [])];
  // Test suites log in many times a minute from one address: the per-address
  // login limit is lifted unless a test sets it (its own test does).
  // The scheduler does not run by itself in tests (scheduler_tick_s = 0) unless a test sets it: tests
  // run the due jobs with POST /api/v1/system/jobs/run after moving the clock.
  const testEnv = { KADAM_LOGIN_ATTEMPTS_PER_MINUTE: '10000', KADAM_SCHEDULER_TICK_S: '0', ...(options.env || {}) };
  const env = { ...process.env, ...testEnv };
  for (const k of Object.keys(env)) if (k.startsWith('KADAM_') && k !== 'KADAM_BIN' && !(k in testEnv)) delete env[k];
  const proc = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((ok) => proc.on('exit', (code, signal) => ok({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  // Wait until /healthz answers (the server prints nothing we rely on).
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`kadam serve exited ${proc.exitCode}:\n${out}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch { /* not listening yet */ }
    if (i > 600) { proc.kill('SIGKILL'); throw new Error(`kadam serve did not start:\n${out}`); }
    await new Promise((ok) => setTimeout(ok, 50));
  }
  return {
    url, port, db, proc,
    logs: () => out,
    // Resolves once the server's output matches re (output arrives through a pipe, after the response).
    async waitForLog(re) {
      for (let i = 0; i < 400 && !re.test(out); i++) await new Promise((ok) => setTimeout(ok, 25));
      return out;
    },
    exited,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const r = await exited;
      if (owned) owned.drop();
      return r;
    },
  };
}

// Moves a server's clock (it must run with env KADAM_CLOCK_CONTROL: '1') to `now` (a Date or RFC 3339
// text) as an administrator's Client (tests/lib/auth.mjs); time keeps running from there. Returns the
// server's new now.
export async function setClock(admin, now) {
  const text = now instanceof Date ? now.toISOString() : String(now);
  const r = await admin.put('/api/v1/system/clock', { now: text });
  if (r.status !== 200) throw new Error(`setting the clock failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.now;
}

// A real time zone (no daylight saving time) whose local time now is closest to 10:00: a suite that moves its
// server's clock ahead by hours and compares local dates uses it (setting `timezone`), so that no test run,
// whatever the hour of day it starts, crosses a local midnight half-way.
const FIXED_ZONES = [[-10, 'Pacific/Honolulu'], [-7, 'America/Phoenix'], [-6, 'America/Regina'],
  [-5, 'America/Bogota'], [-4, 'America/La_Paz'], [-3, 'America/Argentina/Buenos_Aires'], [-1, 'Atlantic/Cape_Verde'],
  [0, 'Africa/Abidjan'], [1, 'Africa/Lagos'], [2, 'Africa/Johannesburg'], [3, 'Europe/Moscow'], [4, 'Asia/Dubai'],
  [5, 'Asia/Tashkent'], [6, 'Asia/Bishkek'], [7, 'Asia/Bangkok'], [8, 'Asia/Singapore'], [9, 'Asia/Tokyo'],
  [10, 'Australia/Brisbane'], [13, 'Pacific/Tongatapu'], [14, 'Pacific/Kiritimati']];

export function zoneAtMidMorning(now = Date.now()) {
  const hourUtc = new Date(now).getUTCHours() + new Date(now).getUTCMinutes() / 60;
  let best = FIXED_ZONES[0];
  let bestGap = Infinity;
  for (const z of FIXED_ZONES) {
    const local = (((hourUtc + z[0]) % 24) + 24) % 24;
    const gap = Math.abs(local - 10);
    if (gap < bestGap) { best = z; bestGap = gap; }
  }
  return best[1];
}

/**
 * Drives a server whose clock a suite moves (KADAM_CLOCK_CONTROL=1): calls made with an API token (a session would
 * end after 30 idle minutes of server time), moving the clock, and running the due jobs. `at` is where the suite
 * last put the clock (ms).
 */
export function clockDriver(srv, token, at = Date.now()) {
  const d = {
    at,
    async call(method, path, body, headers = {}) {
      const h = { authorization: `Bearer ${token}`, ...headers };
      if (body !== undefined) h['content-type'] = 'application/json';
      const res = await fetch(`${srv.url}${path}`, { method, headers: h,
        body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      let json = null;
      try { json = text ? JSON.parse(text) : null; } catch { json = null; }
      return { status: res.status, body: json, text, headers: res.headers };
    },
    async move(ms) {
      const r = await d.call('PUT', '/api/v1/system/clock', { now: new Date(ms).toISOString() });
      if (r.status !== 200) throw new Error(`moving the clock: ${r.status} ${r.text}`);
      d.at = ms;
    },
    /** Runs the due jobs and returns the detail of the named job's run, which must have run and succeeded. */
    async runJobs(job = 'compliance.rules') {
      const r = await d.call('POST', '/api/v1/system/jobs/run');
      if (r.status !== 200) throw new Error(`running jobs: ${r.status} ${r.text}`);
      const run = r.body.ran.find((x) => x.job === job);
      if (!run || run.status !== 'ok') throw new Error(`${job} did not run cleanly: ${r.text}`);
      return run.detail;
    },
  };
  return d;
}
