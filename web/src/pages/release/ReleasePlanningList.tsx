// /release-planning: penitentiary cases whose release falls within the planning window.
// "My prison's releases" (view=prison): open penitentiary cases of the caller's units;
// "Coming to my unit" (view=receiving): cases whose live release plan names one of the caller's
// units as the receiving unit. Each row links to the case's release plan.
import { useState } from 'preact/hooks';
import { get } from '../../api';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { useSession } from '../../session';
import { formatDay } from '../cases/model';
import { label, localTime, type Planning } from './model';
import './release.css';

type View = 'prison' | 'receiving';

/**
 * The tabs a user has: the prison's list for prison staff (a prison agency, a prison case worker, or
 * who imports the prison's records), the receiving list for probation; both for anyone else.
 */
function viewsFor(user: ReturnType<typeof useSession>['user'], can: (p: string) => boolean): View[] {
  const prison = !!user && (user.agency.kind === 'prison' || user.roles.includes('prison_case_worker') || can('import.run'));
  const probation = !!user && user.agency.kind === 'probation';
  const out: View[] = [];
  if (prison) out.push('prison');
  if (probation) out.push('receiving');
  return out.length ? out : ['prison', 'receiving'];
}

export function ReleasePlanningList() {
  const { t, lang } = useI18n();
  const { user, can } = useSession();
  const views = viewsFor(user, can);
  const [view, setView] = useState<View>(() => {
    const q = new URLSearchParams(location.search).get('view');
    if ((q === 'prison' || q === 'receiving') && views.includes(q)) return q;
    // As the API decides: a prison case worker starts on the prison's list.
    if (views.length === 1) return views[0] ?? 'receiving';
    return user?.roles.includes('prison_case_worker') ? 'prison' : 'receiving';
  });
  const load = useLoad((signal) => get<Planning>(`/api/v1/release-planning?view=${view}`, { signal }), [view]);
  const choose = (v: View) => {
    setView(v);
    history.replaceState(null, '', `${location.pathname}?view=${v}`);
  };
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>{t('rel.list.title')}</h1>
      </div>
      <p class="lead">{t('rel.list.about')}</p>
      {views.length > 1 ? (
      <div class="rel-tabs" role="tablist" aria-label={t('rel.list.views')}>
        {views.map((v) => (
          <button key={v} type="button" role="tab" id={`rel-tab-${v}`} aria-selected={view === v} aria-controls="rel-list-panel"
            class={view === v ? 'rel-tab is-current' : 'rel-tab'} tabIndex={view === v ? 0 : -1} onClick={() => choose(v)}
            onKeyDown={(e) => {
              if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
              const next = v === 'prison' ? 'receiving' : 'prison';
              choose(next);
              window.setTimeout(() => document.getElementById(`rel-tab-${next}`)?.focus(), 0);
            }}>
            {t(v === 'prison' ? 'rel.list.prison' : 'rel.list.receiving')}
          </button>
        ))}
      </div>
      ) : <h2 class="rel-view-title" id={`rel-tab-${view}`}>{t(view === 'prison' ? 'rel.list.prison' : 'rel.list.receiving')}</h2>}
      <div id="rel-list-panel" role={views.length > 1 ? 'tabpanel' : undefined} aria-labelledby={`rel-tab-${view}`}>
        <LoadState load={load}>
          {(data) => (
            <>
              <p class="muted" id="rel-window">{t(view === 'prison' ? 'rel.list.window.prison' : 'rel.list.window.receiving',
                { months: data.months_before })}</p>
              {data.items.length === 0 ? (
                <p id="rel-list-empty">{t(view === 'prison' ? 'rel.list.empty.prison' : 'rel.list.empty.receiving', { months: data.months_before })}</p>
              ) : (
                <div class="table-wrap rel-stack-wrap">
                  <table class="table rel-stack rel-list-table" id="rel-list">
                    <caption class="visually-hidden">{t(view === 'prison' ? 'rel.list.prison' : 'rel.list.receiving')}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{t('rel.col.case')}</th>
                        <th scope="col">{t('rel.col.prison')}</th>
                        <th scope="col">{t('rel.col.release')}</th>
                        <th scope="col">{t('rel.col.plan')}</th>
                        <th scope="col">{t('rel.col.receiving')}</th>
                        <th scope="col">{t('rel.col.first')}</th>
                        <th scope="col">{t('rel.col.actions')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.items.map((i) => (
                        <tr key={i.case_id} data-case={i.case_id} data-number={i.case_number}>
                          <th scope="row">
                            <Link href={`/release-plans/${encodeURIComponent(i.case_id)}`}>{i.case_number}</Link>
                            <span class="cell-sub">{i.person_name}</span>
                          </th>
                          <td data-label={t('rel.col.prison')}>{i.unit_name}</td>
                          <td data-label={t('rel.col.release')} class="cell-nowrap">
                            {formatDay(i.release_on, lang)}
                            <span class={i.days_to_release < 0 ? 'cell-sub rel-past' : i.days_to_release <= 30 ? 'cell-sub rel-soon' : 'cell-sub'}>
                              {i.days_to_release < 0 ? t('rel.days.past', { n: -i.days_to_release })
                                : i.days_to_release === 0 ? t('rel.days.today') : t('rel.days.to_go', { n: i.days_to_release })}
                            </span>
                          </td>
                          <td data-label={t('rel.col.plan')}>
                            {i.plan ? <PlanStatus status={i.plan.status} /> : <span class="badge badge-warn">{t('rel.plan.none')}</span>}
                          </td>
                          <td data-label={t('rel.col.receiving')}>{i.plan?.receiving_unit_name || '—'}</td>
                          <td data-label={t('rel.col.first')}>{localTime(i.plan?.first_appointment_at, lang) || '—'}</td>
                          <td data-label={t('rel.col.actions')}>{i.plan ? i.plan.actions_open : '—'}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </>
          )}
        </LoadState>
      </div>
    </>
  );
}

export function PlanStatus({ status }: { status: string }) {
  const { t } = useI18n();
  const cls = status === 'agreed' ? 'badge badge-ok' : status === 'handed_over' ? 'badge badge-info'
    : status === 'cancelled' ? 'badge badge-off' : 'badge badge-warn';
  return <span class={`${cls} rel-plan-status`} data-status={status}>{label(t, 'plan.status', status)}</span>;
}
