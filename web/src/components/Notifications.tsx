// The bell in the header: how many of one's notifications are unread (its accessible name says
// the number), opening a panel that lists them with "Mark read". A disclosure like the user
// menu: Tab and Enter work as anywhere else, Escape and a click elsewhere close it.
//
// The count is asked for when the page loads, after each navigation, and every 60 seconds —
// but the timer asks only when the person has used the page since the last ask. Every call to
// the API counts as activity for the server's idle lock (S20: 30 minutes), so a timer that
// polled regardless would keep an abandoned session open for ever.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, post, type Items, type Notification, type Notifications as List, type Unit } from '../api';
import { useI18n, type MessageKey, type Params } from '../i18n';
import { problemMessage } from '../problems';
import { useDates, useSession } from '../session';

const POLL_MS = 60_000;
const ACTIVITY = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

type T = (key: MessageKey, params?: Params) => string;

/** The server writes subjects in English; the ones the UI knows are said in the UI language. */
export function notificationText(t: T, n: Notification): string {
  const glass = /^(.*) \(([^()\s]+)\) took emergency access to this unit for (\d+) minutes?\.?$/.exec(n.subject);
  if (n.kind === 'break_glass' && glass) {
    return t('notif.break_glass.text', { name: glass[1] ?? '', login: glass[2] ?? '', minutes: glass[3] ?? '' });
  }
  return n.subject;
}

function kindTitle(t: T, kind: string): string {
  const key = `notif.kind.${kind}` as MessageKey;
  const text = t(key);
  return text === key ? t('notif.kind.other') : text;
}

export function NotificationBell({ path }: { path: string }) {
  const { t } = useI18n();
  const { can } = useSession();
  const dates = useDates();
  const [list, setList] = useState<List | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState(false);
  const [marking, setMarking] = useState<string | null>(null);
  const [units, setUnits] = useState<Unit[] | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const lastActivity = useRef(Date.now());
  const lastAsked = useRef(0);
  const latest = useRef(0);
  const mounted = useRef(true);
  useEffect(() => () => { mounted.current = false; }, []);

  // The newest ask wins: an older answer arriving late is dropped.
  const load = useCallback(async () => {
    const seq = ++latest.current;
    lastAsked.current = Date.now();
    try {
      // A poll is not the person at work: it must not hold the session open (S20).
      const next = await get<List>('/api/v1/me/notifications', { headers: { 'X-Kadam-Background': '1' } });
      if (!mounted.current || seq !== latest.current) return;
      setList({ items: Array.isArray(next.items) ? next.items : [], unread: typeof next.unread === 'number' ? next.unread : 0 });
      setError(null);
    } catch (e) {
      // The last count stays shown; the panel says what failed.
      if (mounted.current && seq === latest.current) setError(e);
    }
  }, []);

  // At the start and after every navigation.
  useEffect(() => { void load(); }, [path]);

  // Every minute, if the page has been used since the last ask; and when the tab comes back.
  useEffect(() => {
    const mark = () => { lastActivity.current = Date.now(); };
    for (const type of ACTIVITY) document.addEventListener(type, mark, { capture: true, passive: true });
    const onVisible = () => {
      if (document.visibilityState === 'visible' && Date.now() - lastAsked.current > POLL_MS) {
        mark();
        void load();
      }
    };
    document.addEventListener('visibilitychange', onVisible);
    const timer = window.setInterval(() => {
      if (document.visibilityState !== 'visible' || lastActivity.current <= lastAsked.current) return;
      void load();
    }, POLL_MS);
    return () => {
      for (const type of ACTIVITY) document.removeEventListener(type, mark, { capture: true });
      document.removeEventListener('visibilitychange', onVisible);
      window.clearInterval(timer);
    };
  }, []);

  // Opening the panel asks again, and (once) for the unit names the notifications refer to.
  useEffect(() => {
    if (!open) return undefined;
    void load();
    if (units === null && can('units.read')) {
      get<Items<Unit>>('/api/v1/units').then((r) => { if (mounted.current) setUnits(r.items); }, () => { /* ids stay unnamed */ });
    }
    const outside = (event: Event) => {
      if (box.current && event.target instanceof Node && !box.current.contains(event.target)) setOpen(false);
    };
    document.addEventListener('pointerdown', outside);
    document.addEventListener('focusin', outside);
    return () => {
      document.removeEventListener('pointerdown', outside);
      document.removeEventListener('focusin', outside);
    };
  }, [open]);

  const unread = list?.unread ?? 0;
  const label = list === null ? t('notif.title') : unread > 0 ? t('notif.button.unread', { n: unread }) : t('notif.button.none');
  const unitName = (n: Notification) => (n.record_type === 'unit' && n.record_id
    ? units?.find((u) => u.id === n.record_id)?.name ?? null : null);

  const markRead = async (n: Notification) => {
    setMarking(n.id);
    try {
      await post(`/api/v1/me/notifications/${encodeURIComponent(n.id)}/read`, {});
    } catch (e) {
      // 404: read already (in another tab); anything else is said in the panel.
      if (!(e instanceof ApiError && e.status === 404)) setError(e);
    }
    await load();
    if (!mounted.current) return;
    setMarking(null);
    // The button is gone: keep focus in the panel, on the notification itself.
    document.getElementById(`notif-${n.id}`)?.focus();
  };

  return (
    <div
      class="notifications"
      ref={box}
      onKeyDown={(event) => {
        if (event.key !== 'Escape' || !open) return;
        event.stopPropagation();
        setOpen(false);
        button.current?.focus();
      }}
    >
      <button
        type="button"
        id="notifications-button"
        class={unread > 0 ? 'bell-button has-unread' : 'bell-button'}
        ref={button}
        aria-expanded={open ? 'true' : 'false'}
        aria-controls="notifications-panel"
        aria-label={label}
        onClick={() => setOpen((o) => !o)}
      >
        <svg class="bell-icon" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" focusable="false">
          <path d="M10 2.5a5 5 0 0 0-5 5v3.2L3.5 13.5v1h13v-1L15 10.7V7.5a5 5 0 0 0-5-5z" fill="none" stroke="currentColor"
            stroke-width="1.7" stroke-linejoin="round" />
          <path d="M8 16.5a2 2 0 0 0 4 0" fill="none" stroke="currentColor" stroke-width="1.7" stroke-linecap="round" />
        </svg>
        {unread > 0 ? <span class="bell-count" aria-hidden="true">{unread > 99 ? '99+' : unread}</span> : null}
      </button>
      <div id="notifications-panel" class={open ? 'notif-panel is-open' : 'notif-panel'} role="region"
        aria-labelledby="notifications-heading">
        <div class="notif-head">
          <h2 id="notifications-heading">{t('notif.title')}</h2>
          <span class="notif-summary">{unread > 0 ? t('notif.unread', { n: unread }) : t('notif.all_read')}</span>
        </div>
        {error ? (
          <div class="alert alert-error notif-error" role="alert">
            <p>{problemMessage(t, error)}</p>
          </div>
        ) : null}
        {list === null ? (
          error ? null : <p class="muted notif-empty">{t('status.loading')}</p>
        ) : list.items.length === 0 ? (
          <p class="muted notif-empty">{t('notif.none')}</p>
        ) : (
          <ul class="notif-list">
            {list.items.map((n) => {
              const isUnread = n.read_at === null;
              const unit = unitName(n);
              return (
                <li key={n.id} id={`notif-${n.id}`} tabIndex={-1} class={isUnread ? 'notif is-unread' : 'notif'}>
                  <p class="notif-title">
                    {isUnread ? <span class="badge badge-info notif-new">{t('notif.new')}</span> : null}
                    <span>{kindTitle(t, n.kind)}</span>
                  </p>
                  <p class="notif-text">{notificationText(t, n)}</p>
                  {unit ? <p class="notif-meta">{t('notif.unit', { name: unit })}</p> : null}
                  <p class="notif-meta">
                    <time dateTime={n.created_at}>{dates.short(n.created_at)}</time>
                    {!isUnread && n.read_at ? <span> · {t('notif.read_at', { time: dates.short(n.read_at) })}</span> : null}
                  </p>
                  {isUnread ? (
                    <button type="button" class="button button-secondary button-small" disabled={marking === n.id}
                      onClick={() => void markRead(n)}>
                      {t('notif.mark_read')}
                      <span class="visually-hidden">: {notificationText(t, n)}</span>
                    </button>
                  ) : null}
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </div>
  );
}
