// /cases/pretrial — pre-trial reports the courts asked for: open, due soon, overdue, submitted.
// Overdue ones stand out; each shows how many days are left.
import { useState } from 'preact/hooks';
import { get, query } from '../../api';
import { SelectField } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { pretrialStatusLabel } from '../../labels';
import { PRETRIAL_FILTERS, flag, formatDay, type PretrialListItem, type T } from './model';

export const isOverdue = (r: PretrialListItem) => flag(r, 'overdue');

/** "3 days left", "due today", "overdue by 2 days", as a badge where it needs attention. */
export function DaysLeft({ item }: { item: Pick<PretrialListItem, 'days_left' | 'status' | 'is_overdue' | 'overdue'> }) {
  const { t } = useI18n();
  if (item.status === 'submitted' || item.status === 'withdrawn' || item.days_left === null || item.days_left === undefined) {
    return <span class="muted">—</span>;
  }
  const n = item.days_left;
  if (flag(item, 'overdue') || n < 0) return <span class="badge badge-bad">{t('pretrial.overdue_by', { n: Math.abs(n) })}</span>;
  if (n === 0) return <span class="badge badge-warn">{t('pretrial.due_today')}</span>;
  return <span class={n <= 7 ? 'badge badge-warn' : 'days-left'}>{t('pretrial.days_left', { n })}</span>;
}

function initialStatus(): string {
  const s = new URLSearchParams(location.search).get('status') ?? '';
  return (PRETRIAL_FILTERS as readonly string[]).includes(s) ? s : 'open';
}

function filterLabel(t: T, f: string): string {
  return t(`pretrial.filter.${f}` as Parameters<T>[0]);
}

export function PretrialListPage() {
  const { t, lang } = useI18n();
  const [status, setStatus] = useState(initialStatus);
  const list = useLoad((signal) => get<{ items: PretrialListItem[] }>(`/api/v1/pretrial-reports${query({ status })}`, { signal }), [status]);
  return (
    <>
      <p class="breadcrumbs"><Link href="/cases">{t('section.cases')}</Link></p>
      <h1 tabIndex={-1}>{t('pretrial.title')}</h1>
      <p class="lead">{t('pretrial.about')}</p>
      <form class="filters" role="search" aria-label={t('pretrial.title')} onSubmit={(e) => e.preventDefault()}>
        <SelectField id="pretrial-status" label={t('pretrial.show')} value={status} onValue={setStatus}
          options={PRETRIAL_FILTERS.map((f) => ({ value: f, label: filterLabel(t, f) }))} />
      </form>
      <LoadState load={list}>
        {(data) => (
          <>
            <p class="muted results-count" role="status">{t('table.count', { n: data.items.length })}</p>
            {data.items.length === 0 ? <p>{t('pretrial.none')}</p> : (
              <div class="table-wrap" role="region" aria-labelledby="pretrial-caption" tabIndex={0}>
                <table class="table table-pretrial">
                  <caption id="pretrial-caption" class="visually-hidden">{t('pretrial.title')}: {filterLabel(t, status)}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('cases.number')}</th>
                      <th scope="col">{t('cases.person')}</th>
                      <th scope="col">{t('pretrial.court')}</th>
                      <th scope="col">{t('pretrial.received_on')}</th>
                      <th scope="col">{t('pretrial.due_on')}</th>
                      <th scope="col">{t('pretrial.days')}</th>
                      <th scope="col">{t('pretrial.status')}</th>
                      <th scope="col"><span class="visually-hidden">{t('table.actions')}</span></th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.map((r) => (
                      <tr key={r.id} class={isOverdue(r) && r.status !== 'submitted' ? 'is-overdue' : undefined}>
                        <th scope="row"><Link href={`/cases/${encodeURIComponent(r.case_id)}`}>{r.case_number}</Link></th>
                        <td>{r.person_name}</td>
                        <td>{r.court}</td>
                        <td class="cell-nowrap">{formatDay(r.received_on, lang)}</td>
                        <td class="cell-nowrap">{formatDay(r.due_on, lang)}</td>
                        <td><DaysLeft item={r} /></td>
                        <td>{pretrialStatusLabel(t, r.status)}</td>
                        <td class="cell-actions">
                          <Link href={`/pretrial/${encodeURIComponent(r.id)}`}>
                            {r.status === 'submitted' ? t('pretrial.view') : t('pretrial.edit')}
                            <span class="visually-hidden">: {r.case_number}, {r.person_name}</span>
                          </Link>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </LoadState>
    </>
  );
}
