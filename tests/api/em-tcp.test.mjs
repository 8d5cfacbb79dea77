// Electronic monitoring over TCP: the GT06 and Teltonika listeners. A device logs in (answered only once the
// server knows it from the inventory; an unknown identifier is refused, the connection closed, and the identifier
// registered for the operators), then sends fixes that are acknowledged only after they are stored: once the
// acknowledgement arrives the fix is readable. Frames split across writes and several frames in one write are
// both understood; bytes that are not a frame (bad CRC, wrong record count, a message before the login, a frame
// longer than the protocol allows) close the connection. Hundreds of idle connections do not stop others from
// being served, and connections beyond the configured limit are refused at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startServer, freePort } from '../lib/server.mjs';
import { sql } from '../lib/db.mjs';
import { createAdmin, firstLogin } from '../lib/auth.mjs';
import {
  deviceClient, imei, gt06Login, gt06Location, gt06Heartbeat, gt06Ack, teltonikaImei, teltonikaAvl,
} from '../lib/devices.mjs';

let srv, admin, operator, gt06Port, teltonikaPort;
const ids = {};
const GT06_IMEI = imei('35971004900001');
const GT06_IMEI_2 = imei('35971004900002');
const TELTONIKA_IMEI = imei('35209308100001');
const UNKNOWN_GT06 = imei('35971004999999');
const RETIRING_GT06 = imei('35971004900003');
const UNKNOWN_TELTONIKA = imei('35209308999999');

const BISHKEK = { lat: 42.8746, lon: 74.5698 };
// Device times: whole seconds (GT06 carries seconds), a little in the past, increasing per fix.
let nextAt = Math.floor(Date.now() / 1000) * 1000 - 3600000;
const fixAt = () => { nextAt += 10000; return nextAt; };

async function device(identifier, protocol) {
  const r = await operator.post('/api/v1/em/devices', { kind: 'ankle_tag', identifier, protocol, model: 'Test tag' });
  assert.equal(r.status, 201, r.text);
  ids[identifier] = { id: r.body.id, num: r.body.num };
  return r.body;
}

// Fixes stored for a device (the inbox and the packed chunks of the fix store).
function storedFixes(identifier) {
  const num = Number(ids[identifier].num);
  return Number(sql(srv.db, `SELECT (SELECT COUNT(*) FROM em_fix_inbox WHERE device_num = ${num})
    + (SELECT COUNT(*) FROM em_fix_chunk WHERE device_num = ${num})`));
}

async function lastFixAt(identifier) {
  const r = await operator.get(`/api/v1/em/devices/${ids[identifier].id}`);
  assert.equal(r.status, 200, r.text);
  return r.body.last_fix_at;
}

async function gt06LoggedIn(imei = GT06_IMEI, serial = 1) {
  const dev = await deviceClient(gt06Port);
  await dev.write(gt06Login(imei, serial));
  assert.deepEqual(await dev.read(10), gt06Ack(0x01, serial));
  return dev;
}

before(async () => {
  gt06Port = await freePort();
  teltonikaPort = await freePort();
  srv = await startServer({ env: {
    KADAM_EM_GT06_LISTEN: `127.0.0.1:${gt06Port}`, KADAM_EM_TELTONIKA_LISTEN: `127.0.0.1:${teltonikaPort}`,
  } });
  admin = (await firstLogin(srv.url, ...Object.values(createAdmin(srv.db, 'tcp.admin')))).client;
  ids.agency = (await admin.post('/api/v1/agencies', { name: 'Monitoring Probation', kind: 'probation' })).body.id;
  ids.unit = (await admin.post('/api/v1/units', { agency_id: ids.agency, name: 'Monitoring centre' })).body.id;
  const r = await admin.post('/api/v1/users', { login: 'tcp.operator', display_name: 'Test operator', agency_id: ids.agency,
    unit_id: ids.unit, roles: ['monitoring_operator'] });
  assert.equal(r.status, 201, r.text);
  operator = (await firstLogin(srv.url, 'tcp.operator', r.body.one_time_password)).client;
  await device(GT06_IMEI, 'gt06');
  await device(GT06_IMEI_2, 'gt06');
  await device(TELTONIKA_IMEI, 'teltonika');
  await device(RETIRING_GT06, 'gt06');
});

after(async () => {
  const { code } = await srv.stop();
  assert.equal(code, 0, `server exit status (sanitizer reports?):\n${srv.logs().slice(-4000)}`);
});

test('a GT06 login is acknowledged, and a location only once it is stored', async () => {
  const dev = await gt06LoggedIn();
  const before = storedFixes(GT06_IMEI);
  const at = fixAt();
  await dev.write(gt06Location({ at, ...BISHKEK, speedKmh: 4 }, 7));
  assert.deepEqual(await dev.read(10), gt06Ack(0x12, 7));
  // acknowledged means committed: readable at once
  assert.equal(storedFixes(GT06_IMEI), before + 1);
  assert.equal(Date.parse(await lastFixAt(GT06_IMEI)), at);
  // a heartbeat is answered with its own protocol number and serial
  await dev.write(gt06Heartbeat(8));
  assert.deepEqual(await dev.read(10), gt06Ack(0x13, 8));
  assert.equal(storedFixes(GT06_IMEI), before + 1, 'a heartbeat is not a fix');
  // a position a device sends without a GPS fix (0, 0) can never be stored: acknowledged so the device forgets it
  await dev.write(gt06Location({ at: fixAt(), lat: 0, lon: 0 }, 9));
  assert.deepEqual(await dev.read(10), gt06Ack(0x12, 9));
  assert.equal(storedFixes(GT06_IMEI), before + 1);
  assert.equal(Date.parse(await lastFixAt(GT06_IMEI)), at);
  dev.end();
});

test('GT06 frames split across writes and several frames in one write are all understood', async () => {
  const dev = await deviceClient(gt06Port);
  const before = storedFixes(GT06_IMEI_2);
  // login and two locations in one write: the locations wait for the login's check, then are acknowledged in order
  const a1 = fixAt();
  const a2 = fixAt();
  await dev.write(Buffer.concat([gt06Login(GT06_IMEI_2, 1), gt06Location({ at: a1, ...BISHKEK }, 2),
    gt06Location({ at: a2, lat: 42.875, lon: 74.571 }, 3)]));
  assert.deepEqual(await dev.read(30), Buffer.concat([gt06Ack(0x01, 1), gt06Ack(0x12, 2), gt06Ack(0x12, 3)]));
  assert.equal(storedFixes(GT06_IMEI_2), before + 2);
  // one location in three pieces, the last piece carrying the start of the next frame
  const a3 = fixAt();
  const a4 = fixAt();
  const f3 = gt06Location({ at: a3, lat: 42.876, lon: 74.572 }, 4);
  const f4 = gt06Location({ at: a4, lat: 42.877, lon: 74.573 }, 5);
  await dev.write(f3.subarray(0, 1));
  await dev.write(f3.subarray(1, 12));
  await dev.write(Buffer.concat([f3.subarray(12), f4.subarray(0, 5)]));
  assert.deepEqual(await dev.read(10), gt06Ack(0x12, 4));
  await dev.write(f4.subarray(5));
  assert.deepEqual(await dev.read(10), gt06Ack(0x12, 5));
  assert.equal(storedFixes(GT06_IMEI_2), before + 4);
  assert.equal(Date.parse(await lastFixAt(GT06_IMEI_2)), a4);
  dev.end();
});

test('a backlog sent back to back (more than the 64 a connection may have in flight) is acknowledged in order', async () => {
  // A device that was out of coverage sends its stored positions at once; the listener pauses reading at 64
  // unanswered, and a wake-up's acknowledgements for one connection go out together: every one, in order.
  const dev = await gt06LoggedIn(GT06_IMEI_2, 20);
  const before = storedFixes(GT06_IMEI_2);
  const frames = [], acks = [];
  for (let k = 0; k < 150; k++) {
    frames.push(gt06Location({ at: fixAt(), lat: 42.87 + k * 1e-5, lon: 74.57 }, 21 + k));
    acks.push(gt06Ack(0x12, 21 + k));
  }
  await dev.write(Buffer.concat(frames));
  assert.deepEqual(await dev.read(acks.length * 10), Buffer.concat(acks));
  assert.equal(storedFixes(GT06_IMEI_2), before + 150);
  assert.equal(Date.parse(await lastFixAt(GT06_IMEI_2)), nextAt);
  dev.end();
});

test('a fix the writer refuses is never acknowledged: a device retired while connected is closed', async () => {
  const dev = await gt06LoggedIn(RETIRING_GT06);
  await dev.write(gt06Location({ at: fixAt(), ...BISHKEK }, 2));
  assert.deepEqual(await dev.read(10), gt06Ack(0x12, 2));
  const before = storedFixes(RETIRING_GT06);
  const cur = await operator.get(`/api/v1/em/devices/${ids[RETIRING_GT06].id}`);
  const r = await operator.put(`/api/v1/em/devices/${ids[RETIRING_GT06].id}`, { status: 'retired' },
    { 'if-match': cur.headers.get('etag') });
  assert.equal(r.status, 200, r.text);
  await dev.write(gt06Location({ at: fixAt(), ...BISHKEK }, 3));
  assert.equal(await dev.closed, true);
  assert.equal(dev.buffered(), 0, 'no acknowledgement for a fix that was not stored');
  assert.equal(storedFixes(RETIRING_GT06), before);
});

test('bytes that are not a GT06 frame close the connection and store nothing', async () => {
  const before = storedFixes(GT06_IMEI);
  // a login with a wrong CRC
  let dev = await deviceClient(gt06Port);
  await dev.write(gt06Login(GT06_IMEI, 1, { crcXor: 0x0101 }));
  assert.equal(await dev.closed, true);
  assert.equal(dev.buffered(), 0, 'nothing is answered');
  // a location before any login
  dev = await deviceClient(gt06Port);
  await dev.write(gt06Location({ at: fixAt(), ...BISHKEK }, 2));
  assert.equal(await dev.closed, true);
  assert.equal(dev.buffered(), 0);
  // a location with a wrong CRC after a good login
  dev = await gt06LoggedIn();
  await dev.write(gt06Location({ at: fixAt(), ...BISHKEK }, 3, { crcXor: 1 }));
  assert.equal(await dev.closed, true);
  assert.equal(dev.buffered(), 0);
  // text, as a port scanner or a misdirected device sends
  dev = await deviceClient(gt06Port);
  await dev.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  assert.equal(await dev.closed, true);
  assert.equal(storedFixes(GT06_IMEI), before);
});

test('an unknown GT06 device is refused, its connection closed, and it is listed for the operators', async () => {
  const dev = await deviceClient(gt06Port);
  await dev.write(gt06Login(UNKNOWN_GT06, 1));
  assert.equal(await dev.closed, true);
  assert.equal(dev.buffered(), 0, 'an unknown device gets no login acknowledgement');
  const r = await operator.get('/api/v1/em/unknown-devices');
  assert.equal(r.status, 200, r.text);
  const row = r.body.items.find((u) => u.identifier === UNKNOWN_GT06);
  assert.ok(row, r.text);
  assert.equal(row.protocol, 'gt06');
});

test('Teltonika: the IMEI is accepted, codec 8 and 8E packets are acknowledged with their record count', async () => {
  const dev = await deviceClient(teltonikaPort);
  const before = storedFixes(TELTONIKA_IMEI);
  await dev.write(teltonikaImei(TELTONIKA_IMEI));
  assert.deepEqual(await dev.read(1), Buffer.from([0x01]));
  const io = { n1: { 239: 1, 240: 1, 113: 87 }, n2: { 66: 12400, 67: 4010 } };
  const r8 = [0, 1].map((i) => ({ at: fixAt(), lat: BISHKEK.lat + i / 1000, lon: BISHKEK.lon, io }));
  await dev.write(teltonikaAvl(0x08, r8));
  assert.deepEqual(await dev.read(4), Buffer.from([0, 0, 0, 2]));
  assert.equal(storedFixes(TELTONIKA_IMEI), before + 2);
  const r8e = [0, 1, 2].map((i) => ({ at: fixAt(), lat: -33.9 - i / 1000, lon: -70.6, io }));
  const packet = teltonikaAvl(0x8e, r8e);
  // split in two writes
  await dev.write(packet.subarray(0, 20));
  await dev.write(packet.subarray(20));
  assert.deepEqual(await dev.read(4), Buffer.from([0, 0, 0, 3]));
  assert.equal(storedFixes(TELTONIKA_IMEI), before + 5);
  assert.equal(Date.parse(await lastFixAt(TELTONIKA_IMEI)), r8e[2].at);
  // a packet whose two record counts disagree closes the connection, unacknowledged and unstored
  await dev.write(teltonikaAvl(0x08, [{ at: fixAt(), ...BISHKEK }], { count2: 2 }));
  assert.equal(await dev.closed, true);
  assert.equal(dev.buffered(), 0);
  assert.equal(storedFixes(TELTONIKA_IMEI), before + 5);
});

test('Teltonika: a wrong CRC, an AVL packet before the IMEI, an unknown IMEI and an overlong packet close', async () => {
  const before = storedFixes(TELTONIKA_IMEI);
  let dev = await deviceClient(teltonikaPort);
  await dev.write(teltonikaImei(TELTONIKA_IMEI));
  assert.deepEqual(await dev.read(1), Buffer.from([0x01]));
  await dev.write(teltonikaAvl(0x08, [{ at: fixAt(), ...BISHKEK }], { crcXor: 0x10 }));
  assert.equal(await dev.closed, true);
  assert.equal(dev.buffered(), 0);

  dev = await deviceClient(teltonikaPort);
  await dev.write(teltonikaAvl(0x08, [{ at: fixAt(), ...BISHKEK }]));
  assert.equal(await dev.closed, true);
  assert.equal(dev.buffered(), 0);

  dev = await deviceClient(teltonikaPort);
  await dev.write(teltonikaImei(UNKNOWN_TELTONIKA));
  assert.deepEqual(await dev.read(1), Buffer.from([0x00]), 'an unknown IMEI is answered 0x00');
  assert.equal(await dev.closed, true);
  const r = await operator.get('/api/v1/em/unknown-devices');
  assert.equal(r.status, 200, r.text);
  assert.ok(r.body.items.some((u) => u.identifier === UNKNOWN_TELTONIKA && u.protocol === 'teltonika'), r.text);

  // a packet announcing 60,000 bytes of data (more than a device sends): closed before it could grow that far
  dev = await deviceClient(teltonikaPort);
  await dev.write(teltonikaImei(TELTONIKA_IMEI));
  assert.deepEqual(await dev.read(1), Buffer.from([0x01]));
  const head = Buffer.from([0, 0, 0, 0, 0, 0, 0xea, 0x60, 0x08, 0x10]);
  await dev.write(head);
  for (let i = 0; i < 12 && !dev.sock.destroyed; i++) await dev.write(Buffer.alloc(1000, 0x11));
  assert.equal(await dev.closed, true);
  assert.equal(dev.buffered(), 0);
  assert.equal(storedFixes(TELTONIKA_IMEI), before);
});

test('200 idle connections at once: every one is still served', async () => {
  const conns = [];
  for (let i = 0; i < 200; i++) conns.push(await deviceClient(gt06Port));
  // a device connecting after them is served at once
  const late = await gt06LoggedIn(GT06_IMEI, 9);
  const at = fixAt();
  await late.write(gt06Location({ at, ...BISHKEK }, 10));
  assert.deepEqual(await late.read(10), gt06Ack(0x12, 10));
  // and each idle one logs in and is answered
  await Promise.all(conns.map((c, i) => c.write(gt06Login(GT06_IMEI, 100 + i))));
  const acks = await Promise.all(conns.map((c) => c.read(10)));
  acks.forEach((a, i) => assert.deepEqual(a, gt06Ack(0x01, 100 + i)));
  for (const c of conns) c.end();
  late.end();
});

test('connections beyond the configured limit are refused at once', async () => {
  const port = await freePort();
  // a second server on the same database (its devices), allowing three device connections
  const small = await startServer({ db: srv.db, env: { KADAM_EM_GT06_LISTEN: `127.0.0.1:${port}`, KADAM_EM_MAX_CONNECTIONS: '3' } });
  try {
    const open = [];
    for (let i = 0; i < 3; i++) {
      const dev = await deviceClient(port);
      await dev.write(gt06Login(GT06_IMEI, 1));
      assert.deepEqual(await dev.read(10), gt06Ack(0x01, 1));
      open.push(dev);
    }
    const extra = await deviceClient(port);
    await extra.write(gt06Login(GT06_IMEI, 2));
    assert.equal(await extra.closed, true, 'the fourth connection is closed by the server');
    assert.equal(extra.buffered(), 0);
    await small.waitForLog(/connection limit/);
    assert.match(small.logs(), /connection limit/, 'the refusal is logged');
    // once one closes, a place is free again (the server sees the close on a later loop turn: retry until served)
    open[0].end();
    await open[0].closed;
    let served = false;
    for (let attempt = 0; attempt < 100 && !served; attempt++) {
      const dev = await deviceClient(port);
      await dev.write(gt06Login(GT06_IMEI, 3));
      served = await dev.read(10).then((b) => b.equals(gt06Ack(0x01, 3)), () => false);
      dev.end();
    }
    assert.ok(served, 'a connection is served again once a place is free');
    for (const c of open.slice(1)) c.end();
  } finally {
    const { code } = await small.stop();
    assert.equal(code, 0, `server exit status (sanitizer reports?):\n${small.logs().slice(-4000)}`);
  }
});

test('a device port that cannot be bound stops the server from starting, naming the port', async () => {
  const port = await freePort();
  const holder = createServer();
  await new Promise((ok) => holder.listen(port, '127.0.0.1', ok));
  try {
    await assert.rejects(startServer({ db: srv.db, env: { KADAM_EM_TELTONIKA_LISTEN: `127.0.0.1:${port}` } }),
      (e) => e.message.includes(`port ${port}`) && /em_teltonika_listen/.test(e.message));
  } finally {
    holder.close();
  }
});
