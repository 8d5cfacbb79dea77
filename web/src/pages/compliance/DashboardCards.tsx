// The dashboard's alert cards: one's own active, unacknowledged and overdue-for-acknowledgement
// alerts, the unit's escalated ones, and one's own open and overdue tasks, each linking to the queue.
import { get } from '../../api';
import { Link } from '../../components/Link';
import { useLoad } from '../../hooks';
import { useI18n, type MessageKey } from '../../i18n';

export interface AlertsSummary {
  mine: { active: number; unacknowledged: number; ack_overdue: number };
  unit: { active: number; escalated: number };
  tasks: { mine_open: number; mine_overdue: number; unit_open: number };
  by_rule: { rule_code: string | null; count: number }[];
}

export function ComplianceDashboardCards() {
  const { t } = useI18n();
  const summary = useLoad((signal) => get<AlertsSummary>('/api/v1/alerts/summary', { signal }), []);
  const s = summary.data;
  const count = (n: number | undefined) => (n === undefined ? '…' : String(n));
  const cards: { id: string; href: string; n: number | undefined; label: MessageKey; alert?: boolean }[] = [
    { id: 'mine-active', href: '/alerts?queue=mine', n: s?.mine.active, label: 'alerts.dash.mine_active' },
    { id: 'mine-open', href: '/alerts?queue=mine&status=open', n: s?.mine.unacknowledged, label: 'alerts.dash.unacknowledged' },
    { id: 'mine-overdue', href: '/alerts?queue=mine&status=open', n: s?.mine.ack_overdue, label: 'alerts.dash.ack_overdue', alert: true },
    { id: 'unit-escalated', href: '/alerts?queue=escalated', n: s?.unit.escalated, label: 'alerts.dash.escalated', alert: true },
    { id: 'tasks-open', href: '/alerts/tasks?queue=mine', n: s?.tasks.mine_open, label: 'alerts.dash.tasks_open' },
    { id: 'tasks-overdue', href: '/alerts/tasks?queue=mine', n: s?.tasks.mine_overdue, label: 'alerts.dash.tasks_overdue', alert: true },
  ];
  return (
    <section class="caseload-cards" aria-labelledby="alerts-cards-heading" id="alerts-cards">
      <h2 id="alerts-cards-heading">{t('alerts.dash.title')}</h2>
      {summary.status === 'error' ? <p class="muted">{t('alerts.dash.error')}</p> : null}
      <ul class="count-grid">
        {cards.map((c) => (
          <li key={c.id}>
            <Link href={c.href} class={c.alert && (c.n ?? 0) > 0 ? 'count-card count-card-alert' : 'count-card'}>
              <span class="count-card-number" id={`alerts-card-${c.id}`}>{count(c.n)}</span>
              <span class="count-card-label">{t(c.label)}</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
