// The dashboard's cards for the Cases section: the user's open cases by kind, and pre-trial
// reports due soon and overdue, each linking into the section.
import { get } from '../../api';
import { Link } from '../../components/Link';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { caseKindLabel } from '../../labels';
import { CASE_KINDS, type Caseload, type PretrialListItem } from './model';

export function CaseloadCards() {
  const { t } = useI18n();
  const caseload = useLoad((signal) => get<Caseload>('/api/v1/caseload?officer_id=me', { signal }), []);
  const due = useLoad((signal) => get<{ items: PretrialListItem[] }>('/api/v1/pretrial-reports?status=due', { signal }), []);
  const overdue = useLoad((signal) => get<{ items: PretrialListItem[] }>('/api/v1/pretrial-reports?status=overdue', { signal }), []);
  const c = caseload.data;
  const count = (n: number | undefined) => (n === undefined ? '…' : String(n));
  const failed = caseload.status === 'error' || due.status === 'error' || overdue.status === 'error';
  return (
    <section class="caseload-cards" aria-labelledby="caseload-cards-heading">
      <h2 id="caseload-cards-heading">{t('caseload.dashboard')}</h2>
      {failed ? <p class="muted">{t('caseload.dashboard.error')}</p> : null}
      <ul class="count-grid">
        <li>
          <Link href="/cases?officer=me&status=open" class="count-card">
            <span class="count-card-number">{count(c?.by_status?.open)}</span>
            <span class="count-card-label">{t('caseload.card.open')}</span>
          </Link>
        </li>
        {CASE_KINDS.map((k) => (
          <li key={k}>
            <Link href={`/cases?officer=me&status=&kind=${k}`} class="count-card">
              <span class="count-card-number">{count(c ? c.by_kind?.[k] ?? 0 : undefined)}</span>
              <span class="count-card-label">{caseKindLabel(t, k)}</span>
              <span class="count-card-sub">{t('caseload.card.mine')}</span>
            </Link>
          </li>
        ))}
        <li>
          <Link href="/cases/pretrial?status=due" class="count-card">
            <span class="count-card-number">{count(due.data?.items.length)}</span>
            <span class="count-card-label">{t('caseload.card.pretrial_due')}</span>
          </Link>
        </li>
        <li>
          <Link href="/cases/pretrial?status=overdue"
            class={overdue.data && overdue.data.items.length > 0 ? 'count-card count-card-alert' : 'count-card'}>
            <span class="count-card-number">{count(overdue.data?.items.length)}</span>
            <span class="count-card-label">{t('caseload.card.pretrial_overdue')}</span>
          </Link>
        </li>
      </ul>
    </section>
  );
}
