// /alerts — the alert queue: one's own alerts, the unit's, or the escalated ones, with status and
// severity filters. Each row shows the severity, what raised it (the rule's title in the UI
// language, or the officer's own summary), whose case, when it is due, when it was raised, who has
// it, and whether the time to acknowledge it has passed. An alert is a signal someone verifies
// (S6, S25); the alert's page has the actions. Also the types and small parts the other alert pages share.
import { useState } from 'preact/hooks';
import { get, query } from '../../api';
import { SelectField } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { useI18n, type Lang, type MessageKey } from '../../i18n';
import { useDates, useSession } from '../../session';
import { formatDay } from '../cases/model';
import { ComplianceGate, ComplianceTabs } from './Tabs';
import './alerts.css';

type T = (key: MessageKey, params?: Readonly<Record<string, string | number>>) => string;

export const SEVERITIES = ['high', 'medium', 'low'] as const;
export const ALERT_STATUSES = ['active', 'open', 'acknowledged', 'closed', 'all'] as const;
export type Queue = 'mine' | 'unit' | 'escalated';

export interface AlertEvent {
  at: string;
  actor_name: string | null;
  action: string;
  reason: string | null;
  detail: Record<string, unknown>;
}

export interface Alert {
  id: string;
  case_id: string;
  case_number: string;
  person_id: string;
  person_name: string;
  unit_id: string;
  unit_name: string;
  rule_code: string | null;
  rule_title: { ky: string; ru: string; en: string } | null;
  source: 'rule' | 'officer' | 'device';
  severity: string;
  summary: string;
  evidence: Record<string, unknown>;
  due_on: string | null;
  status: 'open' | 'acknowledged' | 'verified' | 'dismissed';
  outcome: 'breach' | 'task' | null;
  assigned_to: string | null;
  assigned_to_name: string | null;
  raised_at: string;
  raised_by_name: string | null;
  ack_due_at: string;
  ack_overdue: boolean;
  escalation_level: number;
  escalated_at: string | null;
  acknowledged_at: string | null;
  acknowledged_by_name: string | null;
  closed_at: string | null;
  closed_by_name: string | null;
  close_reason: string | null;
  breach_id: string | null;
  task_id: string | null;
  version: number;
  events?: AlertEvent[];
}

export interface Task {
  id: string;
  case_id: string;
  case_number: string;
  person_name: string;
  unit_id: string;
  title: string;
  detail: string | null;
  due_on: string | null;
  overdue: boolean;
  assigned_to: string | null;
  assigned_to_name: string | null;
  status: 'open' | 'done' | 'cancelled';
  source_alert_id: string | null;
  created_at: string;
  created_by_name: string | null;
  closed_at: string | null;
  closed_by_name: string | null;
  close_note: string | null;
  version: number;
}

export interface Page<I> {
  items: I[];
  next_cursor: string | null;
  queue: string;
}

/** What raised the alert, as people read it: the rule's title in the UI language, else the officer's summary. */
export function alertTitle(a: Pick<Alert, 'rule_title' | 'summary'>, lang: Lang): string {
  if (!a.rule_title) return a.summary;
  return a.rule_title[lang] || a.rule_title.en || a.summary;
}

/** A translated code, or the code itself when the UI does not know it. */
export function label(t: T, prefix: string, code: string | null | undefined): string {
  if (!code) return '';
  const key = `${prefix}.${code}` as MessageKey;
  const text = t(key);
  return text === key ? code : text;
}

export function SeverityBadge({ severity }: { severity: string }) {
  const { t } = useI18n();
  const cls = severity === 'high' ? 'badge badge-bad' : severity === 'medium' ? 'badge badge-warn' : 'badge badge-info';
  return <span class={`${cls} alert-severity`}>{label(t, 'alerts.severity', severity)}</span>;
}

export function AlertStatusBadge({ status, outcome }: { status: string; outcome?: string | null }) {
  const { t } = useI18n();
  const cls = status === 'open' ? 'badge badge-warn' : status === 'acknowledged' ? 'badge badge-info'
    : status === 'verified' ? 'badge badge-ok' : 'badge badge-off';
  const text = status === 'verified' && outcome ? t(outcome === 'breach' ? 'alerts.status.verified_breach' : 'alerts.status.verified_task')
    : label(t, 'alerts.status', status);
  return <span class={cls}>{text}</span>;
}

/** The "not acknowledged in time" mark. */
export function OverdueMark() {
  const { t } = useI18n();
  return <span class="badge badge-bad alert-overdue">{t('alerts.ack_overdue')}</span>;
}

/** The queue in the address (?queue=), else the role's default: the unit's for a unit head, one's own for others. */
function initialQueue(isHead: boolean): Queue {
  const q = new URLSearchParams(location.search).get('queue');
  if (q === 'mine' || q === 'unit' || q === 'escalated') return q;
  return isHead ? 'unit' : 'mine';
}

function initialStatus(): string {
  const s = new URLSearchParams(location.search).get('status');
  return s && (ALERT_STATUSES as readonly string[]).includes(s) ? s : 'active';
}

/** The queue for those with alerts.read; the competent authority is sent on to the tab it may open. */
export function AlertsQueuePage() {
  return <ComplianceGate permission="alerts.read"><AlertsQueue /></ComplianceGate>;
}

function AlertsQueue() {
  const { t, lang } = useI18n();
  const { user } = useSession();
  const dates = useDates();
  const isHead = !!user?.roles.includes('unit_head');
  const [queue, setQueue] = useState<Queue>(() => initialQueue(isHead));
  const [status, setStatus] = useState(initialStatus);
  const [severity, setSeverity] = useState('');
  const [more, setMore] = useState<{ items: Alert[]; next: string | null } | null>(null);
  const loadMore = useAction();
  const load = useLoad((signal) => {
    setMore(null);
    return get<Page<Alert>>(`/api/v1/alerts${query({ queue, status, severity })}`, { signal });
  }, [queue, status, severity]);
  const queues: Queue[] = isHead ? ['unit', 'escalated', 'mine'] : ['mine', 'unit', 'escalated'];
  const next = more ? more.next : load.data?.next_cursor ?? null;
  const showMore = () => void loadMore.run(async () => {
    if (!next) return;
    const page = await get<Page<Alert>>(`/api/v1/alerts${query({ queue, status, severity, cursor: next })}`);
    setMore({ items: [...(more?.items ?? []), ...page.items], next: page.next_cursor });
  });
  return (
    <>
      <ComplianceTabs current="alerts" />
      <div class="page-head">
        <h1 tabIndex={-1}>{t('alerts.title')}</h1>
      </div>
      <p class="lead">{t(`alerts.about.${queue}` as MessageKey)}</p>
      <div class="alert-queue-switch" role="group" aria-label={t('alerts.queue')}>
        {queues.map((q) => (
          <button type="button" key={q} id={`alerts-queue-${q}`} aria-pressed={queue === q}
            class={queue === q ? 'button button-small' : 'button button-secondary button-small'}
            onClick={() => setQueue(q)}>
            {t(`alerts.queue.${q}` as MessageKey)}
          </button>
        ))}
      </div>
      <div class="filters">
        <SelectField id="alerts-status" label={t('alerts.filter.status')} value={status} onValue={setStatus}
          options={ALERT_STATUSES.map((s) => ({ value: s, label: t(`alerts.filter.status.${s}` as MessageKey) }))} />
        <SelectField id="alerts-severity" label={t('alerts.filter.severity')} value={severity} onValue={setSeverity}
          options={[{ value: '', label: t('alerts.filter.severity.any') },
            ...SEVERITIES.map((s) => ({ value: s, label: label(t, 'alerts.severity', s) }))]} />
      </div>
      <LoadState load={load}>
        {(data) => {
          const items = [...data.items, ...(more?.items ?? [])];
          return items.length === 0 ? <p id="alerts-empty">{t('alerts.none')}</p> : (
            <>
              <div class="table-wrap">
                <table class="table alerts-table" id="alerts-table">
                  <caption class="visually-hidden">{t(`alerts.queue.${queue}` as MessageKey)}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('alerts.col.severity')}</th>
                      <th scope="col">{t('alerts.col.what')}</th>
                      <th scope="col">{t('alerts.col.person')}</th>
                      <th scope="col">{t('alerts.col.due')}</th>
                      <th scope="col">{t('alerts.col.raised')}</th>
                      <th scope="col">{t('alerts.col.assignee')}</th>
                      <th scope="col">{t('alerts.col.status')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((a) => (
                      <tr key={a.id} class={a.ack_overdue ? 'alert-row is-overdue' : 'alert-row'}>
                        <td><SeverityBadge severity={a.severity} /></td>
                        <th scope="row">
                          <Link href={`/alerts/${encodeURIComponent(a.id)}`}>{alertTitle(a, lang)}</Link>
                          {a.rule_title ? null : <span class="cell-sub">{t('alerts.source.officer')}</span>}
                        </th>
                        <td>
                          {a.person_name}
                          <span class="cell-sub"><Link href={`/cases/${encodeURIComponent(a.case_id)}`}>{a.case_number}</Link></span>
                        </td>
                        <td class="cell-nowrap">{a.due_on ? formatDay(a.due_on, lang) : <span class="muted">—</span>}</td>
                        <td class="cell-nowrap">{dates.short(a.raised_at)}</td>
                        <td>
                          {a.assigned_to_name ?? <span class="muted">{t('alerts.unassigned')}</span>}
                          {a.escalation_level > 0
                            ? <span class="cell-sub">{t('alerts.escalated_level', { n: a.escalation_level })}</span> : null}
                        </td>
                        <td>
                          <AlertStatusBadge status={a.status} outcome={a.outcome} />
                          {a.ack_overdue ? <> <OverdueMark /></> : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {next ? (
                <p>
                  <button type="button" class="button button-secondary" id="alerts-more" disabled={loadMore.busy} onClick={showMore}>
                    {t('alerts.more')}
                  </button>
                </p>
              ) : null}
            </>
          );
        }}
      </LoadState>
    </>
  );
}
