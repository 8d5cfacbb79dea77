// Frame builders for the device protocols Kadam listens to over TCP (GT06 and Teltonika codecs 8 and 8E), written
// independently of the C decoders so a test checks the server against the wire formats, and a small TCP client
// that reads answers as they arrive. Used by tests/api/em-tcp.test.mjs.
import { connect } from 'node:net';

// CRC-ITU as GT06 uses it (CRC-16/X-25: reflected 0x1021, init 0xFFFF, final xor 0xFFFF). "123456789" -> 0x906E.
export function crcItu(bytes) {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return (crc ^ 0xffff) & 0xffff;
}

// CRC-16/IBM as Teltonika uses it (CRC-16/ARC: reflected 0x8005, init 0). "123456789" -> 0xBB3D.
export function crc16Ibm(bytes) {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc & 0xffff;
}

const u16 = (v) => [(v >>> 8) & 0xff, v & 0xff];
const u32 = (v) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(v)); return [...b]; };
const i32 = (v) => { const b = Buffer.alloc(4); b.writeInt32BE(v); return [...b]; };

// ---- GT06 ----

// A 0x7878 frame: length, protocol number, content, serial, CRC over length..serial, 0x0D0A. crcXor spoils the CRC.
export function gt06Frame(protocol, content, serial, { crcXor = 0 } = {}) {
  const body = [5 + content.length, protocol, ...content, ...u16(serial)];
  return Buffer.from([0x78, 0x78, ...body, ...u16(crcItu(body) ^ crcXor), 0x0d, 0x0a]);
}

// Login (0x01): the IMEI as 8 bytes of BCD with a leading 0 nibble.
export function gt06Login(imei, serial = 1, opts) {
  const digits = imei.padStart(16, '0');
  const bcd = [];
  for (let i = 0; i < 16; i += 2) bcd.push(Number(digits[i]) * 16 + Number(digits[i + 1]));
  return gt06Frame(0x01, bcd, serial, opts);
}

function gt06Time(at) {
  const d = new Date(at);
  return [d.getUTCFullYear() - 2000, d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
}

function gt06Gps({ at, lat, lon, speedKmh = 0, course = 0, satellites = 8 }) {
  let flags = course & 0x3ff;
  flags |= 1 << 12;                 // positioned
  if (lat >= 0) flags |= 1 << 10;   // north
  if (lon < 0) flags |= 1 << 11;    // west
  return [...gt06Time(at), 0xc0 | (satellites & 0x0f), ...u32(Math.round(Math.abs(lat) * 1800000)),
    ...u32(Math.round(Math.abs(lon) * 1800000)), speedKmh & 0xff, ...u16(flags)];
}

// Location (0x12): GPS then LBS (MCC 437 Kyrgyzstan, MNC 1, LAC, cell).
export function gt06Location(fix, serial = 2, opts) {
  return gt06Frame(0x12, [...gt06Gps(fix), ...u16(437), 1, ...u16(0x1234), 0x00, 0x56, 0x78], serial, opts);
}

// Status / heartbeat (0x13): terminal information, voltage level 0-6, GSM signal, alarm and language.
export function gt06Heartbeat(serial = 3, { info = 0x45, voltage = 5, gsm = 4 } = {}) {
  return gt06Frame(0x13, [info, voltage, gsm, 0x00, 0x02], serial);
}

// The answer the server sends: 0x7878 05 protocol serial CRC 0D0A.
export function gt06Ack(protocol, serial) {
  return gt06Frame(protocol, [], serial);
}

// ---- Teltonika ----

export function teltonikaImei(imei) {
  return Buffer.from([...u16(imei.length), ...Buffer.from(imei, 'ascii')]);
}

// One AVL record. io: { n1: {id: value}, n2: ..., n4: ..., n8: ... } (ids < 256 for codec 8).
function avlRecord(codec, { at, lat, lon, altitude = 800, angle = 90, satellites = 9, speedKmh = 12, priority = 0, io = {} }) {
  const wide = codec === 0x8e;
  const id = wide ? u16 : (v) => [v & 0xff];
  const count = wide ? u16 : (v) => [v & 0xff];
  const groups = [[io.n1 || {}, 1], [io.n2 || {}, 2], [io.n4 || {}, 4], [io.n8 || {}, 8]];
  const total = groups.reduce((s, [g]) => s + Object.keys(g).length, 0);
  const ioBytes = [...id(0), ...count(total)];
  for (const [g, size] of groups) {
    ioBytes.push(...count(Object.keys(g).length));
    for (const [k, v] of Object.entries(g)) {
      ioBytes.push(...id(Number(k)));
      if (size === 1) ioBytes.push(v & 0xff);
      else if (size === 2) ioBytes.push(...u16(v));
      else if (size === 4) ioBytes.push(...u32(v));
      else ioBytes.push(...u64(v));
    }
  }
  if (wide) ioBytes.push(...u16(0)); // no NX elements
  return [...u64(at), priority, ...i32(Math.round(lon * 1e7)), ...i32(Math.round(lat * 1e7)), ...u16(altitude),
    ...u16(angle), satellites, ...u16(speedKmh), ...ioBytes];
}

// An AVL data packet: 4 zero bytes, data length, codec, count, records, count again, CRC-16/IBM (4 bytes).
// count2 overrides the second count (a wrong one must be refused); crcXor spoils the CRC.
export function teltonikaAvl(codec, records, { count2, crcXor = 0 } = {}) {
  const data = [codec, records.length, ...records.flatMap((r) => avlRecord(codec, r)), count2 ?? records.length];
  return Buffer.from([0, 0, 0, 0, ...u32(data.length), ...data, ...u32(crc16Ibm(data) ^ crcXor)]);
}

// ---- a device connection ----

// Connects to host:port; resolves to a client whose read(n) resolves with the next n bytes the server sends (or
// rejects if the connection closes first), and whose closed promise resolves when the server closes.
export function deviceClient(port, host = '127.0.0.1') {
  return new Promise((ok, fail) => {
    const sock = connect(port, host);
    let data = Buffer.alloc(0);
    let ended = false;
    let waiter = null;
    let closedResolve;
    const closed = new Promise((r) => { closedResolve = r; });
    const pump = () => {
      if (!waiter) return;
      if (data.length >= waiter.n) {
        const out = data.subarray(0, waiter.n);
        data = data.subarray(waiter.n);
        const w = waiter;
        waiter = null;
        w.ok(out);
      } else if (ended) {
        const w = waiter;
        waiter = null;
        w.fail(new Error(`connection closed with ${data.length} of ${w.n} bytes`));
      }
    };
    sock.on('data', (d) => { data = Buffer.concat([data, d]); pump(); });
    const end = () => { ended = true; pump(); closedResolve(true); };
    sock.on('end', end);
    sock.on('close', end);
    sock.on('error', () => end());
    sock.once('connect', () => ok({
      sock,
      closed,
      write: (buf) => new Promise((r) => sock.write(buf, r)),
      read: (n) => new Promise((r, f) => { waiter = { n, ok: r, fail: f }; pump(); }),
      buffered: () => data.length,
      end: () => sock.destroy(),
    }));
    sock.once('error', fail);
  });
}

// A 15-digit IMEI from 14 digits and its Luhn check digit (the inventory refuses a wrong check digit).
export function imei(first14) {
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    let d = Number(first14[i]);
    if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return first14 + String((10 - (sum % 10)) % 10);
}
