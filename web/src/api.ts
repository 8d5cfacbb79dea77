// Calls to the Kadam JSON API (/api/v1/...). Same origin only; the session cookie,
// when there is one, goes with every call. Every call goes through request(), which
// adds the CSRF token to state-changing methods, reads problem+json errors, and tells
// the app when the server says the session is gone (401 unauthenticated).

/** GET /api/v1/system: what this server is and how it is set up. */
export interface SystemInfo {
  name: string;
  version: string;
  backend: string;
  schema_version: number;
  deployment_name: string;
  default_language: string;
  timezone: string;
  demo: boolean;
  time: string;
}

/** One field's complaint in a 422 problem. */
export interface FieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem as the server sends it; slug is the part after urn:kadam:problem:. */
export interface Problem {
  type: string;
  slug: string;
  title: string;
  status: number;
  detail: string;
  errors: FieldError[];
  /** The whole body, for extension members such as locked_until. */
  body: Record<string, unknown>;
}

export class ApiError extends Error {
  readonly status: number;
  /** The problem+json body, when the server sent one. */
  readonly problem: Problem | null;
  /** Retry-After in seconds, when the server sent it. */
  readonly retryAfter: number | null;
  constructor(message: string, status: number, problem: Problem | null = null, retryAfter: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  /** The problem's slug ('' when there is no problem body). */
  get slug(): string {
    return this.problem?.slug ?? '';
  }
}

const PROBLEM_PREFIX = 'urn:kadam:problem:';
const JSON_TYPE = /^application\/([\w.+-]*\+)?json\b/i;

// ---- session plumbing: the CSRF token (memory only) and the "session ended" hook ----

let csrfToken: string | null = null;
let onUnauthenticated: (() => void) | null = null;
let acceptLanguage = '';

/** Remembers the CSRF token from a login response or GET /api/v1/auth/session (null forgets it). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called whenever the server answers 401 unauthenticated to an ordinary call. */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

/** The UI language, sent as Accept-Language so messages can come back in it. */
export function setRequestLanguage(lang: string): void {
  acceptLanguage = lang;
}

export interface RequestOptions {
  body?: unknown;
  /** A JSON text sent as it is (a file the user chose): the server's parser says where it is malformed. */
  jsonText?: string;
  /** The version for If-Match (sent quoted, as the ETag had it). */
  ifMatch?: string | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Do not call the unauthenticated handler on 401 (the login steps, the session probe). */
  no401Redirect?: boolean;
}

export interface ApiResponse<T> {
  status: number;
  data: T;
  /** The ETag's version without quotes, or null. */
  etag: string | null;
}

function parseProblem(body: unknown, status: number): Problem | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as Record<string, unknown>;
  const type = typeof b.type === 'string' ? b.type : '';
  const errors: FieldError[] = Array.isArray(b.errors)
    ? b.errors.flatMap((e): FieldError[] => {
      if (typeof e !== 'object' || e === null) return [];
      const r = e as Record<string, unknown>;
      return [{ field: typeof r.field === 'string' ? r.field : '', message: typeof r.message === 'string' ? r.message : '' }];
    })
    : [];
  return {
    type,
    slug: type.startsWith(PROBLEM_PREFIX) ? type.slice(PROBLEM_PREFIX.length) : type,
    title: typeof b.title === 'string' ? b.title : '',
    status: typeof b.status === 'number' ? b.status : status,
    detail: typeof b.detail === 'string' ? b.detail : '',
    errors,
    body: b,
  };
}

/** Strips the quotes (and a weak prefix) from an ETag. */
export function etagVersion(etag: string | null): string | null {
  if (!etag) return null;
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/** The one way the UI talks to the API. Rejects with ApiError for any non-2xx answer. */
export async function request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', ...options.headers };
  if (acceptLanguage) headers['Accept-Language'] = acceptLanguage;
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (options.ifMatch != null) headers['If-Match'] = `"${options.ifMatch}"`;
  const init: RequestInit = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (options.jsonText !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = options.jsonText;
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  if (options.signal) init.signal = options.signal;
  const response = await fetch(path, init);
  const type = response.headers.get('Content-Type') ?? '';
  let body: unknown = null;
  if (response.status !== 204 && JSON_TYPE.test(type)) {
    try {
      body = await response.json();
    } catch {
      body = null;
    }
  }
  if (!response.ok) {
    const problem = parseProblem(body, response.status);
    const retry = Number(response.headers.get('Retry-After'));
    const error = new ApiError(`HTTP ${response.status}${problem?.slug ? ` ${problem.slug}` : ''}`,
      response.status, problem, Number.isFinite(retry) && retry > 0 ? retry : null);
    if (response.status === 401 && !options.no401Redirect && (!problem || problem.slug === 'unauthenticated')) {
      csrfToken = null;
      onUnauthenticated?.();
    }
    throw error;
  }
  if (response.status !== 204 && body === null) {
    throw new ApiError(`unexpected content type ${type || '(none)'}`, response.status);
  }
  return { status: response.status, data: body as T, etag: etagVersion(response.headers.get('ETag')) };
}

export const get = <T>(path: string, options?: RequestOptions) => request<T>('GET', path, options).then((r) => r.data);
export const post = <T>(path: string, body: unknown = {}, options?: RequestOptions) =>
  request<T>('POST', path, { ...options, body }).then((r) => r.data);
export const put = <T>(path: string, body: unknown, ifMatch: string | null, options?: RequestOptions) =>
  request<T>('PUT', path, { ...options, body, ifMatch }).then((r) => r.data);
export const del = (path: string, options?: RequestOptions) => request<null>('DELETE', path, options).then(() => undefined);

/** A query string from the non-empty values, with the leading '?' (or ''). */
export function query(params: Readonly<Record<string, string | number | null | undefined>>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function getSystem(signal?: AbortSignal): Promise<SystemInfo> {
  const body = await get<unknown>('/api/v1/system', signal ? { signal, no401Redirect: true } : { no401Redirect: true });
  if (typeof body !== 'object' || body === null) throw new ApiError('malformed response', 200);
  const b = body as Record<string, unknown>;
  const text = (key: string): string => (typeof b[key] === 'string' ? (b[key] as string) : '');
  return {
    name: text('name'),
    version: text('version'),
    backend: text('backend'),
    schema_version: typeof b.schema_version === 'number' ? b.schema_version : 0,
    deployment_name: text('deployment_name'),
    default_language: text('default_language'),
    timezone: text('timezone'),
    demo: b.demo === true,
    time: text('time'),
  };
}

/** A short, untranslated description of why a call failed, for the error state. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'network error';
  if (error instanceof Error) return error.message;
  return String(error);
}

/** What the UI knows about /api/v1/system at a moment. */
export type SystemState =
  | { status: 'loading' }
  | { status: 'ok'; info: SystemInfo }
  | { status: 'error'; detail: string };

/** getSystem() as a state; never rejects. */
export function loadSystem(): Promise<SystemState> {
  return getSystem().then(
    (info): SystemState => ({ status: 'ok', info }),
    (error: unknown): SystemState => ({ status: 'error', detail: describeError(error) }),
  );
}

// ---- identity types (see the API contract) ----

export type Stage = 'password_change' | 'totp_enrol' | 'totp' | 'full';

export interface StageResponse {
  stage: Stage;
  csrf_token: string;
}

export interface SessionUser {
  id: string;
  login: string;
  display_name: string;
  agency: { id: string; name: string; kind: string };
  unit: { id: string; name: string } | null;
  roles: string[];
  permissions: string[];
  preferred_language: string;
}

export interface SessionInfo {
  stage: Stage;
  csrf_token: string;
  user: SessionUser;
  session: { id: string; created_at: string; expires_at: string; idle_expires_at: string };
}

export interface MySession {
  id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  remote_addr: string;
  user_agent: string;
  current: boolean;
}

export const AGENCY_KINDS = ['probation', 'prison', 'court', 'police', 'partner', 'monitoring_centre', 'administration'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

export interface Agency {
  id: string;
  name: string;
  kind: string;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface Unit {
  id: string;
  agency_id: string;
  parent_id: string | null;
  name: string;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface UnitMember {
  id: string;
  login: string;
  display_name: string;
  roles: string[];
  status: string;
}

export interface AdminUser {
  id: string;
  login: string;
  display_name: string;
  agency_id: string;
  unit_id: string | null;
  roles: string[];
  preferred_language: string;
  status: 'active' | 'disabled';
  totp_enrolled: boolean;
  password_must_change: boolean;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface Role {
  name: string;
  description: string;
  permissions: string[];
}

export interface Token {
  id: string;
  name: string;
  permissions: string[];
  created_by: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface AuditEntry {
  seq: number;
  id: string;
  at: string;
  actor_id: string | null;
  actor_login: string | null;
  agency_id: string | null;
  action: string;
  record_type: string | null;
  record_id: string | null;
  purpose: string | null;
  justification: string | null;
  recipient: string | null;
  request_id: string | null;
  remote_addr: string | null;
  outcome: string;
  detail: string | null;
  hash: string | null;
}

export interface AuditPage {
  items: AuditEntry[];
  next: number | null;
}

export interface Verification {
  ok: boolean;
  entries: number;
  checkpoints: number;
  first_bad_seq: number | null;
  message: string;
  checked_at: string;
}

export interface Items<T> {
  items: T[];
}

export const ROLE_NAMES = ['administrator', 'unit_head', 'probation_officer', 'monitoring_operator', 'prison_case_worker',
  'partner', 'competent_authority', 'police_liaison', 'analyst', 'auditor', 'data_protection_officer'] as const;

export const AUDIT_ACTIONS = ['auth.login', 'auth.logout', 'auth.mfa', 'auth.mfa_enrol', 'auth.recovery_code',
  'auth.password_change', 'auth.session_end', 'auth.lockout', 'access.denied', 'access.break_glass',
  'consult', 'collect', 'alter', 'disclose', 'combine', 'erase', 'account.create', 'account.update', 'account.disable', 'account.enable',
  'token.create', 'token.revoke', 'grant.create', 'grant.revoke'] as const;

export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const;

export const PURPOSES = ['supervision', 'administration', 'investigation', 'audit', 'disclosure'] as const;

/** Purposes the server may record on a grant (break-glass grants carry 'emergency'). */
export const GRANT_PURPOSES = [...PURPOSES, 'emergency'] as const;

/** GET /api/v1/access-grants: one share or break-glass access on a unit within the caller's own. */
export interface AccessGrant {
  id: string;
  kind: 'share' | 'break_glass' | string;
  account_id: string;
  account_login: string;
  account_name: string;
  unit_id: string;
  unit_name: string;
  purpose: string;
  justification: string;
  granted_by: string;
  granted_by_login: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

/** POST /api/v1/break-glass's answer. */
export interface BreakGlass {
  id: string;
  kind: string;
  account_id: string;
  unit_id: string;
  purpose: string;
  justification: string;
  created_at: string;
  expires_at: string;
  /** How many heads of the unit (and the units above it) were told. */
  notified: number;
}

/** One of GET /api/v1/me/notifications. */
export interface Notification {
  id: string;
  kind: string;
  subject: string;
  record_type: string | null;
  record_id: string | null;
  created_at: string;
  read_at: string | null;
}

export interface Notifications {
  items: Notification[];
  unread: number;
}

/** A stated purpose for reading records outside one's own unit (sent as X-Kadam-Purpose / -Justification). */
export interface StatedPurpose {
  purpose: string;
  justification: string;
}

/**
 * A header value carrying UTF-8 text. fetch() takes header values as byte strings (one
 * character per byte, none above U+00FF), so Cyrillic is passed as its UTF-8 bytes, which the
 * server reads as UTF-8. Line breaks, which a header cannot hold, become spaces.
 */
export function encodeHeader(text: string): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ').trim();
  let out = '';
  for (const byte of new TextEncoder().encode(flat)) out += String.fromCharCode(byte);
  return out;
}

/** The request headers that state a purpose (none for null). */
export function purposeHeaders(p: StatedPurpose | null): Record<string, string> {
  return p ? { 'X-Kadam-Purpose': p.purpose, 'X-Kadam-Justification': encodeHeader(p.justification) } : {};
}
