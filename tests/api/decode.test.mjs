// `kadam decode`: an operator diagnosing a device sees what one message decodes to, as JSON — OsmAnd
// query strings and Traccar Client bodies, GT06 and Teltonika frames in hex (several in a row, with
// the server's answer to each) — and a message that cannot be decoded exits 1 naming the byte offset
// and the reason; bad usage exits 2. No database and no server are involved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runKadam } from '../lib/server.mjs';

function decode(protocol, input, opts = {}) {
  return runKadam(['decode', '--protocol', protocol, input], opts);
}

function decoded(protocol, input, opts) {
  const r = decode(protocol, input, opts);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('an OsmAnd query string decodes to one fix, speed in km/h, accuracy from HDOP', () => {
  const out = decoded('osmand',
    '/?id=902064&lat=42.06288&lon=-88.23412&timestamp=2016-01-27T18%3A55%3A47Z&hdop=6.0&altitude=224.0&speed=10&alarm=sos&batt=41');
  assert.equal(out.protocol, 'osmand');
  assert.equal(out.messages.length, 1);
  const [m] = out.messages;
  assert.equal(m.kind, 'location');
  assert.equal(m.fixes.length, 1);
  const f = m.fixes[0];
  assert.equal(f.device, '902064');
  assert.equal(f.at, '2016-01-27T18:55:47.000Z');
  assert.equal(f.lat, 42.06288);
  assert.equal(f.lon, -88.23412);
  assert.equal(f.accuracy_m, 30);
  assert.ok(Math.abs(f.speed_kmh - 18.52) < 1e-9);
  assert.equal(f.altitude_m, 224);
  assert.equal(f.battery_pct, 41);
  assert.equal(f.valid, true);
  assert.deepEqual(f.events, ['sos']);
  assert.equal(f.problem, null);
});

test('a Traccar Client JSON body decodes; a mocked location is not valid', () => {
  const body = JSON.stringify({
    location: {
      timestamp: '2025-06-15T13:45:12.862Z', mock: true,
      coords: { latitude: 37.4219983, longitude: -122.084, accuracy: 5, speed: 2, heading: -1, altitude: 5 },
      is_moving: false, event: 'motionchange', battery: { level: 0.5, is_charging: true }, activity: { type: 'still' },
    },
    device_id: '48241179',
  });
  const f = decoded('osmand', body).messages[0].fixes[0];
  assert.equal(f.device, '48241179');
  assert.equal(f.at, '2025-06-15T13:45:12.862Z');
  assert.equal(f.speed_kmh, 7.2);
  assert.equal(f.course_deg, null);
  assert.equal(f.battery_pct, 50);
  assert.equal(f.valid, false);
  assert.deepEqual(f.events, ['charging']);
});

test('INPUT "-" reads standard input', () => {
  const out = decoded('osmand', '-', { input: 'id=77&lat=0&lon=0&timestamp=1767225600\n' });
  const f = out.messages[0].fixes[0];
  assert.equal(f.device, '77');
  // Decoded, but the server would refuse it: the common 0,0 of a device without a position.
  assert.match(f.problem, /^lat, lon: both 0/);
});

test('GT06 login, location, status and alarm frames in a row, each with the answer the server sends', () => {
  const hex = [
    '78 78 0D 01 01 23 45 67 89 01 23 45 00 01 8C DD 0D 0A',
    '78781F120B081D112E10CF027AC7EB0C46584900148F01CC00287D001FB8000380810D0A',
    '78780A134004040001000FDCEE0D0A',
    '7878251613020C12141AC5027951430C2A16F60014000900000000001A00007C550300020002F1E70D0A',
  ].join(' ');
  const out = decoded('gt06', hex);
  assert.equal(out.protocol, 'gt06');
  assert.deepEqual(out.messages.map((m) => m.kind), ['login', 'location', 'status', 'alarm']);
  const [login, loc, status, alarm] = out.messages;
  assert.equal(login.imei, '123456789012345');
  assert.equal(login.ack_hex, '787805010001D9DC0D0A');
  assert.deepEqual(login.fixes, []);
  assert.equal(loc.ack_hex, undefined);
  const f = loc.fixes[0];
  assert.equal(f.device, '123456789012345');
  assert.equal(f.at, '2011-08-29T17:46:16.000Z');
  assert.ok(Math.abs(f.lat - 23.111668) < 1e-6);
  assert.ok(Math.abs(f.lon - 114.409285) < 1e-6);
  assert.equal(f.satellites, 15);
  assert.equal(f.course_deg, 143);
  assert.equal(f.valid, true);
  assert.ok(status.ack_hex.startsWith('7878051300'));
  assert.deepEqual(status.fixes[0].events, ['heartbeat']);
  assert.equal(status.fixes[0].battery_pct, 67);
  assert.deepEqual(alarm.fixes[0].events, ['strap_removed', 'charging']);
});

test('Teltonika: the IMEI packet, then codec 8 and codec 8E packets, answered with their record counts', () => {
  const hex = '000F333536333037303432343431303133'
    + '000000000000003608010000016B40D8EA30010000000000000000000000000000000105021503010101425E0F01F10000601A014E0000000000000000010000C7CF'
    + '000000000000004A8E010000016B412CEE000100000000000000000000000000000000010005000100010100010011001D00010010015E2C880002000B000000003544C87A000E000000001DD7E06A00000100002994';
  const out = decoded('teltonika', hex);
  assert.deepEqual(out.messages.map((m) => m.kind), ['login', 'avl', 'avl']);
  assert.equal(out.messages[0].imei, '356307042441013');
  assert.equal(out.messages[0].ack_hex, '01');
  assert.equal(out.messages[1].codec, '8');
  assert.equal(out.messages[2].codec, '8E');
  assert.equal(out.messages[1].ack_hex, '00000001');
  const f = out.messages[1].fixes[0];
  assert.equal(f.device, '356307042441013');
  assert.equal(f.at, '2019-06-10T10:04:46.000Z');
  assert.equal(f.lat, null);
  assert.equal(f.valid, false);
});

test('a message that cannot be decoded exits 1 naming the byte offset and the reason', () => {
  // The second frame's CRC is wrong (8081 -> 8082): the first decodes, the failure names byte 18.
  let r = decode('gt06', '78780D01012345678901234500018CDD0D0A'
    + '78781F120B081D112E10CF027AC7EB0C46584900148F01CC00287D001FB8000380820D0A');
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^kadam decode: at byte offset 18: CRC mismatch/);
  r = decode('gt06', '78780D0101234567');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /at byte offset 0: an incomplete frame/);
  r = decode('teltonika', '000000000000002808010000016B40D9AD80010000000000000000000000000000000103021503010101425E100000020000F22A');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /at byte offset 0: CRC mismatch/);
  r = decode('teltonika', 'zz');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /not a hex digit/);
  r = decode('gt06', '787');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /odd number/);
  r = decode('osmand', 'id=1&lat=north&lon=2');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^kadam decode: lat: not a number/);
  r = decode('osmand', '{"device_id": "x"');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /body: not JSON/);
});

test('usage: --help documents each protocol; bad usage exits 2', () => {
  const help = runKadam(['decode', '--help']);
  assert.equal(help.status, 0);
  for (const p of ['osmand', 'gt06', 'teltonika']) assert.match(help.stdout, new RegExp(`--protocol ${p} `));
  assert.equal(runKadam(['decode', 'id=1']).status, 2);
  assert.equal(runKadam(['decode', '--protocol', 'nmea', 'x']).status, 2);
  assert.equal(runKadam(['decode', '--protocol', 'gt06']).status, 2);
  assert.equal(runKadam(['decode', '--protocol', 'gt06', 'a', 'b']).status, 2);
  assert.equal(runKadam(['decode', '--protocol', 'gt06', '--verbose', 'aa']).status, 2);
});
