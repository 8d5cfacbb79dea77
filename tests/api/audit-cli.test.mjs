// `kadam audit`: verify, export, checkpoint and keygen against a real database
// (TEST_BACKEND picks SQLite or PostgreSQL, like the other API tests).
//
// Entries come from the server's handlers once they log; until then these
// tests write them with an independent implementation of the chain as
// src/audit/audit.h documents it (Python's hashlib BLAKE2b), which also proves
// the documentation is enough to write a separate verifier.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, statSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runKadam, freshDatabase } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';

const FIELDS = ['actor_id', 'actor_login', 'agency_id', 'action', 'record_type', 'record_id', 'purpose',
  'justification', 'recipient', 'request_id', 'remote_addr', 'outcome', 'detail'];

// The chain of audit.h: hash = BLAKE2b-256(prev || canonical(entry)).
const CHAIN_PY = `
import hashlib, json, struct, sys
FIELDS = ${JSON.stringify(FIELDS)}
def field(v):
    if v is None:
        return b"\\x00"
    b = str(v).encode()
    return b"\\x01" + struct.pack(">I", len(b)) + b
prev, out = "0" * 64, []
for seq, e in enumerate(json.load(sys.stdin), 1):
    canonical = b"kadam-audit-v1\\x00" + field(seq) + field(e["id"]) + field(e["at"]) + b"".join(field(e.get(f)) for f in FIELDS)
    h = hashlib.blake2b(bytes.fromhex(prev) + canonical, digest_size=32).hexdigest()
    out.append(dict(e, seq=seq, prev_hash=prev, hash=h))
    prev = h
print(json.dumps(out))
`;

function chain(entries) {
  const r = spawnSync('python3', ['-c', CHAIN_PY], { input: JSON.stringify(entries), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const lit = (v) => (v === null || v === undefined ? 'NULL' : `'${String(v).replace(/'/g, "''")}'`);

// Appends entries the way audit_append does, through the append-only triggers.
function appendEntries(url, entries) {
  for (const e of chain(entries)) {
    const cols = ['seq', 'id', 'at', ...FIELDS, 'prev_hash', 'hash'];
    const values = cols.map((c) => (c === 'seq' || c === 'at' ? String(e[c]) : lit(e[c] ?? null)));
    sql(url, `INSERT INTO audit_log (${cols.join(', ')}) VALUES (${values.join(', ')});` +
      ` UPDATE audit_head SET seq = ${e.seq}, hash = ${lit(e.hash)} WHERE id = 1;`);
  }
}

function sampleEntries(n) {
  const out = [];
  for (let i = 1; i <= n; i++) {
    out.push({
      id: `0190a000-0000-7000-8000-00000000000${i}`, at: 1764394270000 + i,
      actor_id: 'acc-1', actor_login: 'aida', agency_id: 'agency-1', action: 'consult',
      record_type: 'person', record_id: `person-${i}`, purpose: 'supervision', justification: 'assigned case',
      recipient: null, request_id: `req-${i}`, remote_addr: '192.0.2.1', outcome: 'success',
      detail: i === 2 ? '' : null, // "" and NULL differ
    });
  }
  return out;
}

function allowTampering(db, table) {
  if (db.backend === 'postgresql') sql(db.url, `ALTER TABLE ${table} DISABLE TRIGGER USER`);
  else for (const t of sql(db.url, `SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = '${table}'`).split('\n')) sql(db.url, `DROP TRIGGER ${t}`);
}

function migrated() {
  const db = freshDatabase();
  const r = runKadam(['migrate', '--db', db.url]);
  assert.equal(r.status, 0, r.stderr);
  return db;
}

const tmp = () => mkdtempSync(join(tmpdir(), 'kadam-audit-'));

test('verify and export on a migrated empty database', () => {
  const db = migrated();
  try {
    const v = runKadam(['audit', 'verify', '--db', db.url]);
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, /processing log intact: 0 entries, 0 checkpoints/);
    const out = join(tmp(), 'log.jsonl');
    const x = runKadam(['audit', 'export', '--db', db.url, '--out', out]);
    assert.equal(x.status, 0, x.stderr);
    assert.match(x.stdout, /exported 0 entries/);
    assert.equal(readFileSync(out, 'utf8'), '');
    assert.equal(statSync(out).mode & 0o777, 0o600);
  } finally {
    db.drop();
  }
});

test('keygen, checkpoint, verify with the public key, export and resume', () => {
  const db = migrated();
  const dir = tmp();
  try {
    appendEntries(db.url, sampleEntries(3));
    let r = runKadam(['audit', 'verify', '--db', db.url]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /intact: 3 entries, 0 checkpoints/);

    const key = join(dir, 'audit.key');
    r = runKadam(['audit', 'keygen', '--out', key]);
    assert.equal(r.status, 0, r.stderr);
    const pub = r.stdout.trim();
    assert.match(pub, /^[0-9a-f]{64}$/);
    assert.equal(statSync(key).mode & 0o777, 0o600);
    writeFileSync(join(dir, 'audit.pub'), `${pub}\n`);
    r = runKadam(['audit', 'keygen', '--out', key]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /never overwritten/);

    r = runKadam(['audit', 'checkpoint', '--db', db.url, '--key', key]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /checkpoint signed at entry 3/);
    r = runKadam(['audit', 'checkpoint', '--db', db.url, '--key', key]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /nothing to sign/);
    r = runKadam(['audit', 'verify', '--db', db.url, '--public-key', join(dir, 'audit.pub')]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /intact: 3 entries, 1 checkpoints/);
    r = runKadam(['audit', 'verify', '--db', db.url, '--key', key]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    // The configuration's audit_key_file is the default key of checkpoint and verify.
    const conf = join(dir, 'kadam.conf');
    writeFileSync(conf, `audit_key_file = ${key}\n`);
    r = runKadam(['audit', 'checkpoint', '--config', conf, '--db', db.url]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /nothing to sign/);

    const other = join(dir, 'other.key');
    writeFileSync(join(dir, 'other.pub'), runKadam(['audit', 'keygen', '--out', other]).stdout);
    r = runKadam(['audit', 'verify', '--db', db.url, '--public-key', join(dir, 'other.pub')]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /checkpoint at entry 3 was signed by another key/);
    writeFileSync(conf, `audit_key_file = ${other}\n`);
    r = runKadam(['audit', 'verify', '--config', conf, '--db', db.url]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /signed by another key/);

    chmodSync(key, 0o644);
    r = runKadam(['audit', 'checkpoint', '--db', db.url, '--key', key]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /chmod 600/);

    const out = join(dir, 'log.jsonl');
    r = runKadam(['audit', 'export', '--db', db.url, '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /exported 3 entries/);
    appendEntries(db.url, []); // nothing new
    r = runKadam(['audit', 'export', '--db', db.url, '--out', out]);
    assert.match(r.stdout, /exported 0 entries/);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    const expected = chain(sampleEntries(3));
    assert.deepEqual(lines.map((l) => l.seq), [1, 2, 3]);
    assert.deepEqual(lines.map((l) => l.hash), expected.map((e) => e.hash));
    assert.equal(lines[1].detail, '');
    assert.equal(lines[0].detail, null);
    assert.equal(lines[0].at, '2025-11-29T05:31:10.001Z');
    assert.equal(lines[0].at_ms, 1764394270001);

    writeFileSync(out, 'garbage\n', { flag: 'a' });
    r = runKadam(['audit', 'export', '--db', db.url, '--out', out]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /log\.jsonl: the last line is not valid JSON/);
  } finally {
    db.drop();
  }
});

test('verify exits 1 naming a hand-edited checkpoint or entry', () => {
  const db = migrated();
  const dir = tmp();
  try {
    appendEntries(db.url, sampleEntries(4));
    const key = join(dir, 'audit.key');
    assert.equal(runKadam(['audit', 'keygen', '--out', key]).status, 0);
    assert.equal(runKadam(['audit', 'checkpoint', '--db', db.url, '--key', key]).status, 0);

    allowTampering(db, 'audit_checkpoint');
    sql(db.url, 'UPDATE audit_checkpoint SET hash = (SELECT hash FROM audit_log WHERE seq = 3) WHERE seq = 4');
    let r = runKadam(['audit', 'verify', '--db', db.url, '--key', key]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /NOT intact: the checkpoint at entry 4 has a signature that does not verify/);
    sql(db.url, 'UPDATE audit_checkpoint SET hash = (SELECT hash FROM audit_log WHERE seq = 4) WHERE seq = 4');
    assert.equal(runKadam(['audit', 'verify', '--db', db.url, '--key', key]).status, 0);

    allowTampering(db, 'audit_log');
    sql(db.url, "UPDATE audit_log SET action = 'erase' WHERE seq = 2");
    r = runKadam(['audit', 'verify', '--db', db.url]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /entry 2 was changed: its hash does not match its content/);
    sql(db.url, "UPDATE audit_log SET action = 'consult' WHERE seq = 2");
    sql(db.url, 'DELETE FROM audit_log WHERE seq = 3');
    r = runKadam(['audit', 'verify', '--db', db.url]);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /entry 3 is missing/);
  } finally {
    db.drop();
  }
});

test('audit --help and bad usage', () => {
  assert.equal(runKadam(['audit', '--help']).status, 0);
  for (const sub of ['verify', 'export', 'checkpoint', 'keygen']) {
    const help = runKadam(['audit', sub, '--help']);
    assert.equal(help.status, 0, sub);
    assert.match(help.stdout, /usage: kadam audit/, sub);
    const bad = runKadam(['audit', sub, '--no-such-flag']);
    assert.equal(bad.status, 2, sub);
    assert.match(bad.stderr, /usage: kadam audit/, sub);
  }
  assert.equal(runKadam(['audit']).status, 2);
  assert.equal(runKadam(['audit', 'frobnicate']).status, 2);
  assert.equal(runKadam(['audit', 'verify', 'extra']).status, 2);
  assert.equal(runKadam(['audit', 'verify', '--out', 'x']).status, 2);
  assert.equal(runKadam(['audit', 'verify', '--public-key', 'a', '--key', 'b']).status, 2);
  assert.equal(runKadam(['audit', 'export', '--db', 'sqlite:/nonexistent/x.db']).status, 2);
  assert.equal(runKadam(['audit', 'checkpoint', '--db', 'sqlite:/nonexistent/x.db']).status, 2);
  assert.equal(runKadam(['audit', 'keygen']).status, 2);
  const r = runKadam(['audit', 'verify', '--db', 'sqlite:/nonexistent/x.db']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot open database/);
});
