// Logging in from tests: TOTP codes (RFC 6238, HMAC-SHA1), a client that keeps
// the session cookie and the CSRF token, and whole login flows.
import { createHmac } from 'node:crypto';
import { runKadam } from './server.mjs';

export function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const out = [];
  for (const ch of s.replace(/=+$/, '').toUpperCase()) {
    const idx = alphabet.indexOf(ch);
    if (idx < 0) throw new Error(`bad base32 ${ch}`);
    value = (value << 5) | idx;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// The code for the 30-second step containing timeMs (+ offset steps).
export function totp(secretB32, timeMs = Date.now(), offsetSteps = 0) {
  const step = Math.floor(timeMs / 30000) + offsetSteps;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secretB32)).update(counter).digest();
  const o = mac[mac.length - 1] & 15;
  const n = ((mac[o] & 127) << 24) | (mac[o + 1] << 16) | (mac[o + 2] << 8) | mac[o + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

// A client for one server that keeps a session cookie and the CSRF token.
export class Client {
  constructor(url) {
    this.url = url;
    this.cookie = null;
    this.csrf = null;
    this.headers = {};
  }

  async request(method, path, body, extraHeaders = {}) {
    const headers = { ...this.headers, ...extraHeaders };
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrf && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.url}${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const set = res.headers.get('set-cookie');
    if (set) {
      const m = set.match(/kadam_session=([^;]*)/);
      this.cookie = m && m[1] ? `kadam_session=${m[1]}` : null;
    }
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = null; }
    if (json && json.csrf_token) this.csrf = json.csrf_token;
    return { status: res.status, headers: res.headers, body: json, text };
  }

  get(path, headers) { return this.request('GET', path, undefined, headers); }
  post(path, body, headers) { return this.request('POST', path, body, headers); }
  put(path, body, headers) { return this.request('PUT', path, body, headers); }
  delete(path, headers) { return this.request('DELETE', path, undefined, headers); }
}

export const NEW_PASSWORD = 'correct horse battery staple 42';

// Runs `kadam admin create` and returns { login, password }.
export function createAdmin(db, login = 'admin1') {
  const r = runKadam(['admin', 'create', '--db', db, '--login', login, '--name', 'Test Administrator']);
  if (r.status !== 0) throw new Error(`admin create failed: ${r.stderr}`);
  const password = r.stdout.match(/one-time password: (\S+)/)[1];
  return { login, password };
}

// The whole first login: one-time password, change, TOTP enrolment. Returns { client, secret, recovery }.
export async function firstLogin(url, login, oneTimePassword, newPassword = NEW_PASSWORD) {
  const client = new Client(url);
  let r = await client.post('/api/v1/auth/login', { login, password: oneTimePassword });
  if (r.status !== 200 || r.body.stage !== 'password_change') throw new Error(`login: ${r.status} ${r.text}`);
  r = await client.post('/api/v1/auth/password', { current_password: oneTimePassword, new_password: newPassword });
  if (r.status !== 200 || r.body.stage !== 'totp_enrol') throw new Error(`password: ${r.status} ${r.text}`);
  r = await client.post('/api/v1/auth/totp/enrol');
  if (r.status !== 200) throw new Error(`enrol: ${r.status} ${r.text}`);
  const secret = r.body.secret;
  r = await client.post('/api/v1/auth/totp/confirm', { code: totp(secret) });
  if (r.status !== 200 || r.body.stage !== 'full') throw new Error(`confirm: ${r.status} ${r.text}`);
  return { client, secret, recovery: r.body.recovery_codes, password: newPassword };
}

// Logs in again with password and a TOTP code of a later step (codes are single-use).
export async function login(url, login, password, secret, step = 1) {
  const client = new Client(url);
  let r = await client.post('/api/v1/auth/login', { login, password });
  if (r.status !== 200 || r.body.stage !== 'totp') throw new Error(`login: ${r.status} ${r.text}`);
  r = await client.post('/api/v1/auth/totp', { code: totp(secret, Date.now(), step) });
  if (r.status !== 200 || r.body.stage !== 'full') throw new Error(`totp: ${r.status} ${r.text}`);
  return client;
}
