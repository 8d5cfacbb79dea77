// The Release plan card of the case page: on a penitentiary case, the plan in brief (status,
// receiving unit, release date, first appointment, open actions, meetings) with a link to the
// whole plan, or a way to start one; on other kinds, only when a plan exists (a handed-over one).
import { Link } from '../../components/Link';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { useSession } from '../../session';
import { formatDay, type CaseRecord } from '../cases/model';
import { loadPlan, localTime } from './model';
import { PlanStatus } from './ReleasePlanningList';
import './release.css';

interface Props {
  record: CaseRecord;
  headers: Record<string, string>;
  onChanged: () => void;
}

export function ReleasePlanCard(props: Props) {
  const { can } = useSession();
  if (!can('release.read')) return null;
  return <Card {...props} />;
}

function Card({ record: c, headers }: Props) {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const load = useLoad((signal) => loadPlan(c.id, signal, headers), [c.id, c.version]);
  const plan = load.data?.plan ?? null;
  const penitentiary = c.kind === 'penitentiary';
  if (!penitentiary && !plan) return null;
  const href = `/release-plans/${encodeURIComponent(c.id)}`;
  return (
    <section class="card" aria-labelledby="release-plan-heading" id="release-plan">
      <div class="card-head">
        <h2 id="release-plan-heading" tabIndex={-1}>{t('rel.plan.title')} {plan ? <PlanStatus status={plan.status} /> : null}</h2>
      </div>
      {load.status === 'error' ? (
        <div class="alert alert-error" role="alert">
          <p class="alert-title">{t('load.error')}</p>
          <button type="button" class="button" onClick={load.reload}>{t('status.retry')}</button>
        </div>
      ) : null}
      {!load.data && load.status === 'loading' ? <p class="muted" role="status">{t('status.loading')}</p> : null}
      {load.data && !plan ? (
        <>
          <p id="release-plan-none">{t('rel.plan.none.text')}</p>
          <p><Link href={href} class="release-plan-open">{can('release.write') && c.status !== 'closed' ? t('rel.plan.start') : t('rel.plan.open')}</Link></p>
        </>
      ) : null}
      {plan ? (
        <>
          <dl class="facts facts-compact rel-facts">
            <div class="fact"><dt>{t('rel.plan.release_on')}</dt><dd>{plan.release_on ? formatDay(plan.release_on, lang) : '—'}</dd></div>
            <div class="fact"><dt>{t('rel.plan.receiving')}</dt><dd>{plan.receiving_unit_name}</dd></div>
            <div class="fact"><dt>{t('rel.plan.first')}</dt><dd>{localTime(plan.first_appointment_at, lang) || '—'}</dd></div>
            <div class="fact"><dt>{t('rel.col.actions')}</dt><dd>{plan.actions.filter((a) => a.status === 'open' && !a.plan_action_id).length}</dd></div>
            <div class="fact"><dt>{t('rel.meetings.title')}</dt><dd>{plan.meetings.length}</dd></div>
          </dl>
          <p><Link href={href} class="release-plan-open">{t('rel.plan.open')}</Link></p>
        </>
      ) : null}
    </section>
  );
}
