// Calls to the Kadam JSON API (/api/v1/...). Same origin only; the session cookie,
// when there is one, goes with every call.

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

export class ApiError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

async function getJson(path: string, signal?: AbortSignal): Promise<unknown> {
  const init: RequestInit = { headers: { Accept: 'application/json' }, credentials: 'same-origin' };
  if (signal) init.signal = signal;
  const response = await fetch(path, init);
  if (!response.ok) throw new ApiError(`HTTP ${response.status}`, response.status);
  const type = response.headers.get('Content-Type') ?? '';
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    throw new ApiError(`unexpected content type ${type || '(none)'}`, response.status);
  }
  return response.json();
}

export async function getSystem(signal?: AbortSignal): Promise<SystemInfo> {
  const body = await getJson('/api/v1/system', signal);
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
