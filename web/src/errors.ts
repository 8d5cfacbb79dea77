// Reports uncaught errors and unhandled promise rejections to the server
// (POST /api/v1/client-errors), so that failures in the field reach the logs.
// Fire-and-forget: a failed report is dropped, and at most MAX_REPORTS go per page load
// so that an error in a loop cannot flood the server.

const ENDPOINT = '/api/v1/client-errors';
const MAX_REPORTS = 10;
const LIMITS = { message: 1000, url: 2000, stack: 8000 } as const;

/** The body the server receives. line and column are 0 and stack is '' when unknown. */
export interface ClientErrorReport {
  message: string;
  url: string;
  line: number;
  column: number;
  stack: string;
  language: string;
}

let sent = 0;

function clip(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text;
}

export function sendReport(report: ClientErrorReport): void {
  if (sent >= MAX_REPORTS) return;
  sent += 1;
  const body: ClientErrorReport = {
    ...report,
    message: clip(report.message, LIMITS.message),
    url: clip(report.url, LIMITS.url),
    stack: clip(report.stack, LIMITS.stack),
  };
  try {
    fetch(ENDPOINT, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      keepalive: true,
      body: JSON.stringify(body),
    }).catch(() => {});
  } catch {
    /* reporting must never raise an error of its own */
  }
}

function describe(reason: unknown): { message: string; stack: string } {
  if (reason instanceof Error) return { message: `${reason.name}: ${reason.message}`, stack: reason.stack ?? '' };
  try {
    return { message: typeof reason === 'string' ? reason : JSON.stringify(reason) ?? String(reason), stack: '' };
  } catch {
    return { message: String(reason), stack: '' };
  }
}

export function installErrorReporter(language: () => string): void {
  window.addEventListener('error', (event: Event) => {
    // Failed <img>/<script> loads also fire 'error', but not as ErrorEvent on window.
    if (!(event instanceof ErrorEvent)) return;
    const { stack } = describe(event.error);
    sendReport({
      message: event.message || describe(event.error).message,
      url: event.filename || location.href,
      line: event.lineno || 0,
      column: event.colno || 0,
      stack,
      language: language(),
    });
  });
  window.addEventListener('unhandledrejection', (event: PromiseRejectionEvent) => {
    const { message, stack } = describe(event.reason);
    sendReport({ message: `Unhandled rejection: ${message}`, url: location.href, line: 0, column: 0, stack, language: language() });
  });
}
