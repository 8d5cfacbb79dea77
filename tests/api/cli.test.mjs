// The kadam command line: usage and exit codes, configuration sources and
// their errors, migrations, demo data, refusing a newer schema, shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { runKadam, startServer, freshDatabase, freePort } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';

const commands = ['serve', 'migrate', 'demo', 'routes', 'version'];

test('every subcommand has --help (exit 0) and exits 2 on bad usage', () => {
  assert.equal(runKadam(['--help']).status, 0);
  assert.equal(runKadam([]).status, 2);
  const unknown = runKadam(['frobnicate']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  for (const c of commands) {
    const help = runKadam([c, '--help']);
    assert.equal(help.status, 0, c);
    assert.match(help.stdout, new RegExp(`usage: kadam ${c}`), c);
    const bad = runKadam([c, '--no-such-flag']);
    assert.equal(bad.status, 2, c);
    assert.match(bad.stderr, /usage: kadam/, c);
  }
  assert.equal(runKadam(['serve', '--listen']).status, 2);
  assert.equal(runKadam(['migrate', 'sideways']).status, 2);
});

test('version prints the version', () => {
  const r = runKadam(['version']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^kadam \d+\.\d+\.\d+/);
});

test('routes --json lists the route table', () => {
  const r = runKadam(['routes', '--json']);
  assert.equal(r.status, 0);
  const routes = JSON.parse(r.stdout);
  assert.ok(routes.some((x) => x.method === 'GET' && x.path === '/healthz' && x.permission === 'public'));
});

test('a bad setting names its source, key and problem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kadam-cfg-'));
  const file = join(dir, 'kadam.conf');
  writeFileSync(file, '# settings\nlisten = 127.0.0.1:9\n\nbogus_key = 1\n');
  let r = runKadam(['serve', '--config', file]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /kadam\.conf:4: unknown setting 'bogus_key'/);
  writeFileSync(file, 'db_pool_size = lots\n');
  r = runKadam(['serve', '--config', file]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /kadam\.conf:1: db_pool_size: bad value 'lots': expected a whole number/);
  r = runKadam(['serve'], { env: { ...process.env, KADAM_MAX_CONNECTIONS: '0' } });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /KADAM_MAX_CONNECTIONS: max_connections: bad value '0': must be between 1 and/);
  r = runKadam(['serve'], { env: { ...process.env, KADAM_COLOUR: 'blue' } });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /KADAM_COLOUR: unknown setting 'colour'/);
  r = runKadam(['serve', '--listen', 'nowhere']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--listen: listen: bad value 'nowhere': expected HOST:PORT/);
  r = runKadam(['migrate', '--db', 'mysql://x']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--db: db: bad value 'mysql:\/\/x'/);
  r = runKadam(['serve', '--config', join(dir, 'missing.conf')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /missing\.conf: cannot open/);
});

test('file, then environment, then flags: later wins', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kadam-cfg-'));
  const file = join(dir, 'kadam.conf');
  const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(file, `listen = 127.0.0.1:${p1}\n`);
  // env beats file
  let srv = await startServer({ args: ['--config', file], env: { KADAM_LISTEN: `127.0.0.1:${p2}` } });
  assert.match(srv.logs(), new RegExp(`http://127.0.0.1:${srv.port}/`));
  await srv.stop();
  // startServer always passes --listen, so the flag beat both the env and the file.
  srv = await startServer({ args: ['--config', file], env: { KADAM_LISTEN: `127.0.0.1:${p3}` } });
  assert.notEqual(srv.port, p3);
  assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);
  await srv.stop();
  // without the flag, the environment beats the file
  const db = freshDatabase();
  const { spawn } = await import('node:child_process');
  const proc = spawn(process.env.KADAM_BIN || 'build/kadam', ['serve', '--config', file, '--db', db.url],
    { env: { ...process.env, KADAM_LISTEN: `127.0.0.1:${p2}` }, stdio: 'ignore' });
  let up = false;
  for (let i = 0; i < 200 && !up; i++) {
    await new Promise((ok) => setTimeout(ok, 50));
    up = await fetch(`http://127.0.0.1:${p2}/healthz`).then((r) => r.ok, () => false);
  }
  proc.kill('SIGTERM');
  await new Promise((ok) => proc.on('exit', ok));
  db.drop();
  assert.ok(up, 'listening on the port from KADAM_LISTEN');
});

test('migrate applies once, status lists migrations, demo seeds', () => {
  const db = freshDatabase();
  try {
    let r = runKadam(['migrate', '--db', db.url]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /schema version [1-9]/);
    assert.match(r.stderr, /applied \d+ migration/);
    r = runKadam(['migrate', '--db', db.url]);
    assert.equal(r.status, 0);
    assert.doesNotMatch(r.stderr, /applied/);
    r = runKadam(['migrate', 'status', '--db', db.url]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /0001 init\s+applied \d{4}-/);
    r = runKadam(['demo', '--db', db.url]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(sql(db.url, "SELECT value FROM setting WHERE key = 'demo'"), 'true');
    r = runKadam(['demo', '--db', db.url]);
    assert.equal(r.status, 0, 'demo runs again');
  } finally {
    db.drop();
  }
});

test('serve refuses a database newer than it knows', () => {
  const db = freshDatabase();
  try {
    assert.equal(runKadam(['migrate', '--db', db.url]).status, 0);
    sql(db.url, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)");
    const r = runKadam(['serve', '--db', db.url, '--listen', '127.0.0.1:0']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /9999/);
    assert.match(r.stderr, /upgrade kadam/i);
  } finally {
    db.drop();
  }
});

test('demo data shows in /api/v1/system', async () => {
  const srv = await startServer({ demo: true });
  const s = await (await fetch(`${srv.url}/api/v1/system`)).json();
  assert.equal(s.demo, true);
  assert.equal(s.deployment_name, 'Kadam demo');
  assert.equal((await srv.stop()).code, 0);
});

test('SIGTERM lets an in-flight request finish, then exits 0', async () => {
  const srv = await startServer();
  const result = new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: srv.port, method: 'POST', path: '/api/v1/client-errors',
      headers: { 'content-type': 'application/json', 'content-length': 18 } }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode));
    });
    req.on('error', fail);
    req.write('{"message":');
    // The request is in flight (headers and half the body read) when the signal arrives.
    setTimeout(() => {
      srv.proc.kill('SIGTERM');
      setTimeout(() => req.end('"late"}'), 300);
    }, 200);
  });
  assert.equal(await result, 204);
  const { code } = await srv.stop();
  assert.equal(code, 0);
  assert.match(srv.logs(), /received SIGTERM/);
  // After shutdown nothing listens.
  await assert.rejects(fetch(`${srv.url}/healthz`));
});

test('SIGINT stops the server too, exit 0', async () => {
  const srv = await startServer();
  assert.equal((await fetch(`${srv.url}/healthz`)).status, 200);
  const { code } = await srv.stop('SIGINT');
  assert.equal(code, 0);
  assert.match(srv.logs(), /received SIGINT/);
});

test('connections per address are limited', async () => {
  const { connect } = await import('node:net');
  const srv = await startServer({ env: { KADAM_MAX_CONNECTIONS_PER_IP: '2' } });
  const open = () => new Promise((ok, fail) => {
    const s = connect(srv.port, '127.0.0.1', () => ok(s));
    s.on('error', fail);
  });
  const a = await open();
  const b = await open();
  // A third connection from the same address is accepted by the kernel and closed by the server unanswered.
  const c = await open();
  const closed = await new Promise((ok) => {
    let data = '';
    c.on('data', (d) => { data += d; });
    c.on('close', () => ok(data));
    c.on('error', () => {});
    c.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  });
  assert.equal(closed, '', 'the third connection got no answer');
  a.destroy();
  b.destroy();
  // Once the others are gone, a new connection is served again.
  let ok = false;
  for (let i = 0; i < 100 && !ok; i++) {
    ok = await fetch(`${srv.url}/healthz`).then((r) => r.ok, () => false);
    if (!ok) await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(ok);
  assert.equal((await srv.stop()).code, 0);
});

test('serve signs a processing-log checkpoint with the key from audit_key_file, at the latest on shutdown', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kadam-key-'));
  const key = join(dir, 'audit.key');
  const gen = runKadam(['audit', 'keygen', '--out', key]);
  assert.equal(gen.status, 0, gen.stderr);
  const publicKey = gen.stdout.match(/[0-9a-f]{64}/)[0];
  writeFileSync(join(dir, 'public.key'), `${publicKey}\n`);
  const db = freshDatabase();
  try {
    const admin = runKadam(['admin', 'create', '--db', db.url, '--login', 'keyholder']);
    assert.equal(admin.status, 0, admin.stderr);
    const srv = await startServer({ db: db.url, env: { KADAM_AUDIT_KEY_FILE: key } });
    const r = await fetch(`${srv.url}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'keyholder', password: 'not the password at all' }),
    });
    assert.equal(r.status, 401);
    assert.equal((await srv.stop()).code, 0);
    assert.match(srv.logs(), /checkpoint signed at entry \d+/);
    assert.ok(Number(sql(db.url, 'SELECT COUNT(*) FROM audit_checkpoint')) >= 1);
    const v = runKadam(['audit', 'verify', '--db', db.url, '--public-key', join(dir, 'public.key')]);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /intact: \d+ entries, [1-9]\d* checkpoint/);
    const missing = runKadam(['serve', '--db', db.url, '--listen', '127.0.0.1:0'], { env: { ...process.env, KADAM_AUDIT_KEY_FILE: join(dir, 'nope.key') } });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /audit_key_file/);
  } finally {
    db.drop();
  }
});
