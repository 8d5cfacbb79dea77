// /supervision/assessments: the assessments waiting for a step. "Mine": the caller's drafts and
// submitted ones; "To countersign" (unit heads, assessments.countersign): submitted ones in the
// caller's units made by someone else. Each row links to the assessment. Each tab says how many it
// holds. A unit head lands on "To countersign" whenever something waits there: what waits for their
// countersignature holds up a colleague's work, while their own drafts are one tab away (and the
// count on the tab says whether there are any); with nothing to countersign they land on "Mine".
import { useState } from 'preact/hooks';
import { get } from '../../api';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { useDates, useSession } from '../../session';
import { formatDay } from '../cases/model';
import { StatusBadge, codeLabel, inLang, type AssessmentSummary } from './model';
import './assessments.css';

type View = 'mine' | 'countersign';

export function AssessmentsQueuePage() {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const dates = useDates();
  const views: View[] = can('assessments.countersign') ? ['mine', 'countersign'] : ['mine'];
  const mayCountersign = can('assessments.countersign');
  // The view asked for in the address; null until the counts decide where a unit head lands.
  const [asked, setView] = useState<View | null>(() => {
    const q = new URLSearchParams(location.search).get('view');
    if (q === 'countersign' && mayCountersign) return 'countersign';
    if (q === 'mine' || !mayCountersign) return 'mine';
    return null;
  });
  const mine = useLoad((signal) => get<{ items: AssessmentSummary[] }>('/api/v1/assessments?view=mine', { signal }), []);
  const countersign = useLoad((signal) => (mayCountersign
    ? get<{ items: AssessmentSummary[] }>('/api/v1/assessments?view=countersign', { signal })
    : Promise.resolve({ items: [] as AssessmentSummary[] })), [mayCountersign]);
  const waiting = countersign.data?.items.length ?? 0;
  const view: View = asked ?? (countersign.data ? (waiting > 0 ? 'countersign' : 'mine') : 'mine');
  const decided = asked !== null || countersign.status !== 'loading';
  const load = view === 'mine' ? mine : countersign;
  const count = (v: View) => (v === 'mine' ? mine.data?.items.length : countersign.data?.items.length);
  const choose = (v: View) => {
    setView(v);
    history.replaceState(null, '', `${location.pathname}?view=${v}`);
  };
  return (
    <>
      <p class="breadcrumbs"><Link href="/supervision">{t('section.supervision')}</Link></p>
      <div class="page-head">
        <h1 tabIndex={-1}>{t('assessments.title')}</h1>
      </div>
      <p class="lead">{t('assess.queue.about')}</p>
      <p class="sup-links"><Link href="/supervision/certifications">{t('certifications.title')}</Link></p>
      {views.length > 1 && decided ? (
        <div class="assess-tabs" role="tablist" aria-label={t('assess.queue.views')}>
          {views.map((v) => (
            <button key={v} type="button" role="tab" id={`assess-tab-${v}`} aria-selected={view === v} aria-controls="assess-queue-panel"
              class={view === v ? 'assess-tab is-current' : 'assess-tab'} onClick={() => choose(v)}
              onKeyDown={(e) => {
                if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
                const next = views[(views.indexOf(v) + (e.key === 'ArrowRight' ? 1 : views.length - 1)) % views.length] ?? 'mine';
                choose(next);
                window.setTimeout(() => document.getElementById(`assess-tab-${next}`)?.focus(), 0);
              }}
              tabIndex={view === v ? 0 : -1}>
              {t(v === 'mine' ? 'assess.queue.mine' : 'assess.queue.countersign')}
              {count(v) != null ? <span class="assess-tab-count"> ({count(v)})</span> : null}
            </button>
          ))}
        </div>
      ) : null}
      <div id="assess-queue-panel" role={views.length > 1 ? 'tabpanel' : undefined}
        aria-labelledby={views.length > 1 ? `assess-tab-${view}` : undefined}>
        {!decided ? <p class="muted" role="status">{t('status.loading')}</p> : <LoadState load={load}>
          {(data) => (
            data.items.length === 0 ? (
              <p id="assess-queue-empty">{t(view === 'mine' ? 'assess.queue.mine.none' : 'assess.queue.countersign.none')}</p>
            ) : (
              <div class="table-wrap">
                <table class="table assess-table" id="assess-queue">
                  <caption class="visually-hidden">{t(view === 'mine' ? 'assess.queue.mine' : 'assess.queue.countersign')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('assess.case')}</th>
                      <th scope="col">{t('assess.instrument')}</th>
                      <th scope="col">{t('assess.status')}</th>
                      <th scope="col">{t('assess.assessor')}</th>
                      <th scope="col">{t('assess.assessed_on')}</th>
                      <th scope="col">{t('assess.updated')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.map((a) => (
                      <tr key={a.id} data-id={a.id}>
                        <th scope="row"><Link href={`/assessments/${encodeURIComponent(a.id)}`}>{a.person_name ? `${a.person_name} · ` : ''}{a.case_number}</Link></th>
                        <td>{t('assess.instrument.version', { name: inLang(a.instrument_name, lang) || a.instrument_code, version: a.instrument_version })}
                          <span class="cell-sub">{codeLabel(t, 'assess.reason', a.reason)}</span></td>
                        <td><StatusBadge status={a.status} /></td>
                        <td>{a.assessor_name}</td>
                        <td class="cell-nowrap">{a.assessed_on ? formatDay(a.assessed_on, lang) : '—'}</td>
                        <td class="cell-nowrap">{dates.short(a.updated_at)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          )}
        </LoadState>}
      </div>
    </>
  );
}
