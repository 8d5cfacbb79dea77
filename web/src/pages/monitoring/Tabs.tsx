// The tabs of the monitoring section, each shown to those whose permissions open it: the operator's alert
// queue, the orders, the device inventory, police requests. The section's landing page (/monitoring) is
// the queue for an operator and otherwise the first tab the user may open.
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { Link } from '../../components/Link';
import { useI18n, type MessageKey } from '../../i18n';
import { replace } from '../../router';
import { useSession } from '../../session';

export type MonitoringTab = 'queue' | 'orders' | 'devices' | 'police';

const TABS: readonly { id: MonitoringTab; path: string; label: MessageKey; anyOf: readonly string[] }[] = [
  { id: 'queue', path: '/monitoring', label: 'em.tab.queue', anyOf: ['em.operate'] },
  { id: 'orders', path: '/monitoring/orders', label: 'em.tab.orders', anyOf: ['em.read'] },
  { id: 'devices', path: '/monitoring/devices', label: 'em.tab.devices', anyOf: ['em.devices', 'em.read'] },
  { id: 'police', path: '/monitoring/police-requests', label: 'em.tab.police', anyOf: ['em.police.read', 'em.police.request', 'em.police.decide'] },
];

/** The permissions each tab needs (any one). */
export const TAB_PERMISSIONS: Readonly<Record<MonitoringTab, readonly string[]>> =
  Object.fromEntries(TABS.map((tab) => [tab.id, tab.anyOf])) as Record<MonitoringTab, readonly string[]>;

function firstTab(can: (...p: string[]) => boolean): string | null {
  return TABS.find((tab) => can(...tab.anyOf))?.path ?? null;
}

/** A tab's page for those it is open to; anyone else in the section is sent on to the first tab they may open. */
export function MonitoringGate({ tab, children }: { tab: MonitoringTab; children: ComponentChildren }) {
  const { t } = useI18n();
  const { can } = useSession();
  const allowed = can(...TAB_PERMISSIONS[tab]);
  const target = allowed ? null : firstTab(can);
  useEffect(() => {
    if (target && target !== location.pathname) replace(target);
  }, [target]);
  if (allowed) return <>{children}</>;
  if (target && target !== location.pathname) return <p class="muted" role="status">{t('status.loading')}</p>;
  return (
    <div class="alert alert-error" role="alert">
      <p class="alert-title">{t('error.forbidden')}</p>
    </div>
  );
}

export function MonitoringTabs({ current }: { current: MonitoringTab }) {
  const { t } = useI18n();
  const { can } = useSession();
  const tabs = TABS.filter((tab) => can(...tab.anyOf));
  if (tabs.length < 2) return null;
  return (
    <nav class="sub-nav" aria-label={t('em.tabs')}>
      <ul>
        {tabs.map((tab) => (
          <li key={tab.id}>
            <Link href={tab.path} current={tab.id === current}>{t(tab.label)}</Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Sends the browser elsewhere at once (the operator's landing page). */
export function Redirect({ to }: { to: string }) {
  const { t } = useI18n();
  useEffect(() => { replace(to); }, [to]);
  return <p class="muted" role="status">{t('status.loading')}</p>;
}
