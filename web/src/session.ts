// Who is logged in, as the app shell knows it, and the deployment facts pages need
// (the time zone for dates). Both are provided by the App through context.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { SessionInfo, SessionUser, SystemState } from './api';
import { formatDateTime, formatShort } from './format';
import { useI18n } from './i18n';

export type SessionState =
  | { status: 'loading' }
  /** Not logged in. ended: a session this page was using has ended (expired, logged out elsewhere). */
  | { status: 'anonymous'; ended: boolean }
  /** Part-way through login (password change or second factor still due). */
  | { status: 'partial'; info: SessionInfo }
  | { status: 'full'; info: SessionInfo }
  /** The server could not say (network error, server error). */
  | { status: 'error'; detail: string };

export interface SessionApi {
  state: SessionState;
  /** The logged-in user (full sessions only). */
  user: SessionUser | null;
  /** Whether the user has at least one of the permissions. */
  can: (...permissions: string[]) => boolean;
  /** Asks the server again (after login steps, or a change to one's own account). */
  refresh: () => Promise<SessionState>;
  /** Ends the session on the server and goes to the login page. */
  logout: () => Promise<void>;
}

export const SessionContext = createContext<SessionApi>({
  state: { status: 'loading' },
  user: null,
  can: () => false,
  refresh: () => Promise.resolve({ status: 'loading' }),
  logout: () => Promise.resolve(),
});

export function useSession(): SessionApi {
  return useContext(SessionContext);
}

export const SystemContext = createContext<SystemState>({ status: 'loading' });

/** The deployment's time zone ('' while unknown: the browser's own zone is used). */
export function useTimeZone(): string {
  const system = useContext(SystemContext);
  return system.status === 'ok' ? system.info.timezone : '';
}

/** Date formatting in the deployment's time zone and the UI language. */
export function useDates(): { long: (iso: string) => string; short: (iso: string | null | undefined, seconds?: boolean) => string } {
  const { lang } = useI18n();
  const zone = useTimeZone();
  return {
    long: (iso) => formatDateTime(iso, zone, lang),
    short: (iso, seconds = false) => formatShort(iso, zone, lang, seconds),
  };
}
