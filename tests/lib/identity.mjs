// Accounts and sessions for tests: the first administrator (made by `kadam admin create`),
// an HTTP client that keeps the session cookie and CSRF token as a browser would, and the
// login steps (password, forced change, TOTP enrolment, TOTP) done over the API.
import { randomBytes } from 'node:crypto';
import { runKadam } from './server.mjs';
import { freshTotp, markTotpUsed } from './totp.mjs';

/** A password that passes the server's rules (12+ characters, not common, not the login or name). */
export const strongPassword = () => `quiet river lantern ${randomBytes(4).toString('hex')}`;

/** Runs `kadam admin create` and returns { login, password } (the one-time password it printed). */
export function createAdmin(db, login, name) {
  const args = ['admin', 'create', '--db', db, '--login', login];
  if (name) args.push('--name', name);
  const r = runKadam(args);
  if (r.status !== 0) throw new Error(`kadam admin create failed (${r.status}): ${r.stderr}${r.stdout}`);
  const m = r.stdout.match(/one-time password:\s*(\S+)/i);
  if (!m) throw new Error(`no one-time password in the output of kadam admin create:\n${r.stdout}`);
  return { login, password: m[1] };
}

/** A session as a browser would hold it: the kadam_session cookie and the CSRF token. */
export class Client {
  constructor(base) {
    this.base = base;
    this.cookie = null;
    this.csrf = null;
  }

  /** Sends a request; resolves to { status, body, headers } (body parsed when JSON). */
  async call(method, path, body, headers = {}) {
    const h = { Accept: 'application/json', ...headers };
    if (this.cookie) h.Cookie = `kadam_session=${this.cookie}`;
    if (this.csrf && method !== 'GET') h['X-CSRF-Token'] = this.csrf;
    if (body !== undefined) h['Content-Type'] = 'application/json';
    const res = await fetch(this.base + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    for (const c of res.headers.getSetCookie()) {
      const m = c.match(/^kadam_session=([^;]*)/);
      if (m) this.cookie = m[1] || null;
    }
    const text = await res.text();
    let parsed = null;
    try { parsed = text ? JSON.parse(text) : null; } catch { parsed = text; }
    if (parsed && typeof parsed === 'object' && typeof parsed.csrf_token === 'string') this.csrf = parsed.csrf_token;
    return { status: res.status, body: parsed, headers: res.headers };
  }

  /** Like call(), but throws unless the status is the expected one; resolves to the body. */
  async expect(status, method, path, body, headers) {
    const r = await this.call(method, path, body, headers);
    if (r.status !== status) {
      throw new Error(`${method} ${path}: expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
    }
    return r.body;
  }

  /** The cookie for a Playwright browser context. */
  browserCookie() {
    return { name: 'kadam_session', value: this.cookie, url: this.base };
  }
}

/**
 * A first login over the API: one-time password, new password, TOTP enrolment.
 * Resolves to { client (a full session), password, secret, recoveryCodes }.
 */
export async function firstLogin(base, login, oneTimePassword, newPassword = strongPassword()) {
  const client = new Client(base);
  let r = await client.expect(200, 'POST', '/api/v1/auth/login', { login, password: oneTimePassword });
  if (r.stage === 'password_change') {
    r = await client.expect(200, 'POST', '/api/v1/auth/password', { current_password: oneTimePassword, new_password: newPassword });
  }
  if (r.stage !== 'totp_enrol') throw new Error(`expected stage totp_enrol, got ${r.stage}`);
  const enrol = await client.expect(200, 'POST', '/api/v1/auth/totp/enrol', {});
  const code = await freshTotp(enrol.secret);
  const done = await client.expect(200, 'POST', '/api/v1/auth/totp/confirm', { code });
  markTotpUsed(enrol.secret);
  return { client, password: newPassword, secret: enrol.secret, recoveryCodes: done.recovery_codes };
}

/** A later login over the API with password and a TOTP code (or a recovery code). */
export async function login(base, name, password, { secret, recoveryCode } = {}) {
  const client = new Client(base);
  const r = await client.expect(200, 'POST', '/api/v1/auth/login', { login: name, password });
  if (r.stage === 'full') return client;
  if (r.stage !== 'totp') throw new Error(`expected stage totp, got ${r.stage}`);
  const body = recoveryCode ? { recovery_code: recoveryCode } : { code: await freshTotp(secret) };
  await client.expect(200, 'POST', '/api/v1/auth/totp', body);
  return client;
}

/**
 * An administrator's client makes an account with the given roles in the administrator's
 * agency, and the new user completes the first login. Resolves to firstLogin()'s result
 * plus { login, user }.
 */
export async function makeUser(admin, name, roles, extra = {}) {
  const me = await admin.expect(200, 'GET', '/api/v1/auth/session');
  const created = await admin.expect(201, 'POST', '/api/v1/users', {
    login: name, display_name: extra.display_name ?? `Test ${name}`, agency_id: me.user.agency.id,
    roles, preferred_language: extra.preferred_language ?? 'en',
  });
  const first = await firstLogin(admin.base, name, created.one_time_password);
  return { ...first, login: name, user: created.user };
}
