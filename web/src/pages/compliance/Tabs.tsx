// The tabs of the Alerts section: the alert queue, tasks, breach allegations and complaints, each shown to
// those whose permissions open it (the competent authority sees only breaches).
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { Link } from '../../components/Link';
import { useI18n, type MessageKey } from '../../i18n';
import { replace } from '../../router';
import { useSession } from '../../session';

export type ComplianceTab = 'alerts' | 'tasks' | 'breaches' | 'complaints';

const TABS: readonly { id: ComplianceTab; path: string; label: MessageKey; permission: string }[] = [
  { id: 'alerts', path: '/alerts', label: 'compliance.tab.alerts', permission: 'alerts.read' },
  { id: 'tasks', path: '/alerts/tasks', label: 'compliance.tab.tasks', permission: 'alerts.read' },
  { id: 'breaches', path: '/breaches', label: 'compliance.tab.breaches', permission: 'breaches.list' },
  { id: 'complaints', path: '/complaints', label: 'compliance.tab.complaints', permission: 'complaints.read' },
];

/** The first tab a user may open (the section's landing page redirects there when the queue is not theirs). */
export function firstComplianceTab(can: (permission: string) => boolean): string | null {
  return TABS.find((tab) => can(tab.permission))?.path ?? null;
}

/**
 * Shows a tab's page only to those whose permission opens it; anyone else (the competent authority
 * following the section's link to /alerts) is sent on to the first tab they may open, so no one lands
 * on "Your role does not allow this" inside a section they do have.
 */
export function ComplianceGate({ permission, children }: { permission: string; children: ComponentChildren }) {
  const { t } = useI18n();
  const { can } = useSession();
  const allowed = can(permission);
  const target = allowed ? null : firstComplianceTab(can);
  useEffect(() => {
    if (target && target !== location.pathname) replace(target);
  }, [target]);
  if (allowed) return <>{children}</>;
  if (target) return <p class="muted" role="status">{t('status.loading')}</p>;
  return (
    <div class="alert alert-error" role="alert">
      <p class="alert-title">{t('error.forbidden')}</p>
    </div>
  );
}

export function ComplianceTabs({ current }: { current: ComplianceTab }) {
  const { t } = useI18n();
  const { can } = useSession();
  const tabs = TABS.filter((tab) => can(tab.permission));
  if (tabs.length < 2) return null;
  return (
    <nav class="sub-nav" aria-label={t('compliance.tabs')}>
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
