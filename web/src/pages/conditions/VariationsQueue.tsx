// /supervision/variations: the proposals to vary conditions (S8). Unit heads see those proposed
// in their units, to review; the competent authority sees those endorsed and referred to it, to
// decide; officers see their units' proposals. A status filter; each row links to the proposal.
import { useState } from 'preact/hooks';
import { get, query } from '../../api';
import { SelectField } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { useDates, useSession } from '../../session';
import { StatusBadge, missingText, variationWhat } from './Variations';
import { type Variation } from './types';
import './conditions.css';

const FILTERS = ['proposed', 'endorsed', 'decided', 'all'] as const;

export function VariationsQueuePage() {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const dates = useDates();
  const initial = can('variations.decide') ? 'endorsed' : can('variations.review') ? 'proposed' : 'all';
  const [status, setStatus] = useState<string>(initial);
  const load = useLoad((signal) => get<{ items: Variation[] }>(`/api/v1/variations${query({ status: status === 'all' ? '' : status })}`,
    { signal }), [status]);
  const about = can('variations.decide') ? t('variations.queue.about.decide') : can('variations.review') ? t('variations.queue.about.review')
    : t('variations.queue.about.officer');
  return (
    <>
      <p class="breadcrumbs"><Link href="/supervision">{t('section.supervision')}</Link></p>
      <div class="page-head">
        <h1 tabIndex={-1}>{t('variations.title')}</h1>
      </div>
      <p class="lead">{about}</p>
      <p><Link href="/supervision/catalogue">{t('catalogue.title')}</Link></p>
      <div class="filters">
        <SelectField id="variations-status" label={t('variations.filter')} value={status} onValue={setStatus}
          options={FILTERS.map((f) => ({ value: f, label: t(`variations.filter.${f}` as 'variations.filter.all') }))} />
      </div>
      <LoadState load={load}>
        {(data) => (
          data.items.length === 0 ? <p id="variations-empty">{t('variations.queue.none')}</p> : (
            <div class="table-wrap">
              <table class="table variations-table">
                <caption class="visually-hidden">{t('variations.title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('variations.col.what')}</th>
                    <th scope="col">{t('variations.col.person')}</th>
                    <th scope="col">{t('variations.col.status')}</th>
                    <th scope="col">{t('variations.col.proposed')}</th>
                    <th scope="col">{t('variations.col.missing')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((v) => {
                    const missing = ['proposed', 'returned', 'endorsed'].includes(v.status) ? missingText(t, v) : '';
                    return (
                      <tr key={v.id}>
                        <th scope="row"><Link href={`/variations/${encodeURIComponent(v.id)}`}>{variationWhat(t, v, lang)}</Link></th>
                        <td>{v.person_name}<span class="cell-sub">{v.case_number} · {v.unit_name}</span></td>
                        <td><StatusBadge status={v.status} /></td>
                        <td class="cell-nowrap">{dates.short(v.proposed_at)}<span class="cell-sub">{v.proposed_by_name ?? ''}</span></td>
                        <td>{missing ? <span class="badge badge-warn">{missing}</span> : <span class="muted">—</span>}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )
        )}
      </LoadState>
    </>
  );
}
