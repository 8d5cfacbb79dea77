// /cases — the caseload: the user's own cases counted by kind and status, and for unit heads
// (cases.allocate) the unit's, per officer, with the unallocated ones; then the cases
// themselves, filtered by kind, status and officer (mine or all within reach), a page at a time.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, query } from '../../api';
import { FormError, SelectField } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { caseKindLabel, caseStatusLabel } from '../../labels';
import { useSession } from '../../session';
import { CASE_KINDS, CASE_STATUSES, formatDay, type CaseListItem, type CaseListPage, type Caseload, type Counts } from './model';

const PAGE_SIZE = 50;

interface Filters {
  kind: string;
  status: string;
  officer: 'me' | 'all';
}

/** The filters a link may set (?kind=executive&status=open&officer=all); the rest default. */
function initialFilters(mine: boolean): Filters {
  const q = new URLSearchParams(location.search);
  const kind = q.get('kind') ?? '';
  const status = q.get('status') ?? 'open';
  const officer = q.get('officer');
  return {
    kind: (CASE_KINDS as readonly string[]).includes(kind) ? kind : '',
    status: status === '' || (CASE_STATUSES as readonly string[]).includes(status) ? status : 'open',
    officer: officer === 'all' || officer === 'me' ? officer : mine ? 'me' : 'all',
  };
}

export function CasesPage() {
  const { t } = useI18n();
  const { user, can } = useSession();
  const head = can('cases.allocate') && user?.unit ? user.unit : null;
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>{t('section.cases')}</h1>
        <Link href="/cases/pretrial" class="button button-secondary">{t('pretrial.title')}</Link>
      </div>
      <p class="lead">{t('about.cases')}</p>
      <MyCaseload />
      {head ? <UnitCaseload unitId={head.id} unitName={head.name} /> : null}
      <CaseList mineByDefault={!head} />
    </>
  );
}

function MyCaseload() {
  const { t } = useI18n();
  const load = useLoad((signal) => get<Caseload>('/api/v1/caseload?officer_id=me', { signal }), []);
  return (
    <section class="card" aria-labelledby="my-caseload-heading">
      <h2 id="my-caseload-heading">{t('caseload.mine')}</h2>
      <LoadState load={load}>
        {(data) => (data.total === 0 ? <p>{t('caseload.mine.none')}</p> : (
          <CountsTable labelledBy="my-caseload-heading" rows={[{ key: 'me', label: t('caseload.you'), counts: data }]} />
        ))}
      </LoadState>
    </section>
  );
}

function UnitCaseload({ unitId, unitName }: { unitId: string; unitName: string }) {
  const { t } = useI18n();
  const load = useLoad((signal) => get<Caseload>(`/api/v1/caseload${query({ unit_id: unitId })}`, { signal }), [unitId]);
  return (
    <section class="card" aria-labelledby="unit-caseload-heading">
      <h2 id="unit-caseload-heading">{t('caseload.unit', { unit: load.data?.unit?.name ?? unitName })}</h2>
      <LoadState load={load}>
        {(data) => (
          <>
            <p class={data.unallocated > 0 ? 'caseload-unallocated has-unallocated' : 'caseload-unallocated'}>
              {t('caseload.unallocated', { n: data.unallocated })}
            </p>
            {data.officers.length === 0 ? <p>{t('caseload.unit.none')}</p> : null}
            {data.total > 0 ? (
              <CountsTable labelledBy="unit-caseload-heading"
                rows={data.officers.map((o) => ({ key: o.officer_id, label: o.officer_name, counts: o }))}
                total={{ key: 'total', label: t('caseload.unit.total'), counts: data }} />
            ) : null}
          </>
        )}
      </LoadState>
    </section>
  );
}

interface Row {
  key: string;
  label: string;
  counts: Counts;
}

/** Counts by kind and by status, a row per officer (and a total row). */
function CountsTable({ rows, total, labelledBy }: { rows: Row[]; total?: Row; labelledBy: string }) {
  const { t } = useI18n();
  const cell = (counts: Counts, group: 'by_kind' | 'by_status', code: string) => counts[group]?.[code] ?? 0;
  const line = (r: Row, Tag: 'th' | 'td') => (
    <tr key={r.key}>
      <Tag scope="row">{r.label}</Tag>
      {CASE_KINDS.map((k) => <td key={k} class="cell-number">{cell(r.counts, 'by_kind', k)}</td>)}
      {CASE_STATUSES.map((s) => <td key={s} class="cell-number cell-status">{cell(r.counts, 'by_status', s)}</td>)}
      <td class="cell-number cell-total">{r.counts.total}</td>
    </tr>
  );
  return (
    <div class="table-wrap" role="region" aria-labelledby={labelledBy} tabIndex={0}>
      <table class="table table-counts">
        <thead>
          <tr>
            <td />
            <th scope="colgroup" colSpan={CASE_KINDS.length}>{t('caseload.by_kind')}</th>
            <th scope="colgroup" colSpan={CASE_STATUSES.length} class="cell-status">{t('caseload.by_status')}</th>
            <td />
          </tr>
          <tr>
            <th scope="col">{t('cases.officer')}</th>
            {CASE_KINDS.map((k) => <th scope="col" key={k} class="cell-number">{caseKindLabel(t, k)}</th>)}
            {CASE_STATUSES.map((s) => <th scope="col" key={s} class="cell-number cell-status">{caseStatusLabel(t, s)}</th>)}
            <th scope="col" class="cell-number">{t('caseload.total')}</th>
          </tr>
        </thead>
        <tbody>{rows.map((r) => line(r, 'th'))}</tbody>
        {total ? <tfoot>{line(total, 'th')}</tfoot> : null}
      </table>
    </div>
  );
}

function CaseList({ mineByDefault }: { mineByDefault: boolean }) {
  const { t, lang } = useI18n();
  const [filters, setFilters] = useState<Filters>(() => initialFilters(mineByDefault));
  const [items, setItems] = useState<CaseListItem[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [firstBusy, setFirstBusy] = useState(false);
  const [firstError, setFirstError] = useState<unknown>(null);
  const more = useAction();
  // Bumped whenever the filters change, so a "more" page that arrives late is dropped.
  const generation = useRef(0);

  const url = (f: Filters, cursor: string | null) => `/api/v1/cases${query({
    kind: f.kind, status: f.status, officer_id: f.officer === 'me' ? 'me' : '', limit: PAGE_SIZE, cursor,
  })}`;

  useEffect(() => {
    const controller = new AbortController();
    const gen = ++generation.current;
    setFirstBusy(true);
    setFirstError(null);
    get<CaseListPage>(url(filters, null), { signal: controller.signal }).then(
      (page) => {
        if (controller.signal.aborted || gen !== generation.current) return;
        setItems(page.items);
        setNext(page.next_cursor ?? null);
        setLoaded(true);
        setFirstBusy(false);
      },
      (e: unknown) => {
        if (controller.signal.aborted) return;
        setFirstError(e);
        setFirstBusy(false);
      },
    );
    return () => controller.abort();
  }, [filters.kind, filters.status, filters.officer]);

  const loadMore = () => {
    const gen = generation.current;
    const cursor = next;
    if (cursor === null) return;
    void more.run(async () => {
      const page = await get<CaseListPage>(url(filters, cursor));
      if (gen !== generation.current) return;
      setItems((prev) => [...prev, ...page.items]);
      setNext(page.next_cursor ?? null);
    });
  };
  const busy = firstBusy || more.busy;
  const error = firstError ?? more.error;

  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));

  return (
    <section aria-labelledby="case-list-heading">
      <h2 id="case-list-heading">{t('cases.list')}</h2>
      <form class="filters" role="search" aria-label={t('cases.list.filters')} onSubmit={(e) => e.preventDefault()}>
        <SelectField id="cases-kind" label={t('cases.kind')} value={filters.kind} onValue={(kind) => set({ kind })}
          options={[{ value: '', label: t('filter.any') }, ...CASE_KINDS.map((k) => ({ value: k, label: caseKindLabel(t, k) }))]} />
        <SelectField id="cases-status" label={t('cases.status')} value={filters.status} onValue={(status) => set({ status })}
          options={[{ value: '', label: t('filter.any') }, ...CASE_STATUSES.map((s) => ({ value: s, label: caseStatusLabel(t, s) }))]} />
        <SelectField id="cases-officer" label={t('cases.officer')} value={filters.officer}
          onValue={(v) => set({ officer: v === 'me' ? 'me' : 'all' })}
          options={[{ value: 'me', label: t('cases.officer.me') }, { value: 'all', label: t('cases.officer.all') }]} />
      </form>
      <FormError error={error} />
      <p class="muted results-count" role="status">
        {busy && !loaded ? t('status.loading') : loaded ? (next !== null ? t('cases.shown_more', { n: items.length }) : t('table.count', { n: items.length })) : ''}
      </p>
      {loaded && items.length === 0 ? <p>{t('cases.none')}</p> : null}
      {items.length ? (
        <div class="table-wrap" role="region" aria-labelledby="case-list-heading" tabIndex={0}>
          <table class="table table-cases">
            <thead>
              <tr>
                <th scope="col">{t('cases.number')}</th>
                <th scope="col">{t('cases.person')}</th>
                <th scope="col">{t('cases.kind')}</th>
                <th scope="col">{t('cases.status')}</th>
                <th scope="col">{t('cases.officer')}</th>
                <th scope="col">{t('cases.opened_on')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id}>
                  <th scope="row" class="cell-nowrap"><Link href={`/cases/${encodeURIComponent(c.id)}`}>{c.number}</Link></th>
                  <td>
                    <span class="cell-main">{c.person_name}</span>
                    {c.birth_date ? <span class="cell-sub">{t('cases.born', { date: formatDay(c.birth_date, lang) })}</span> : null}
                  </td>
                  <td>{caseKindLabel(t, c.kind)}</td>
                  <td>
                    <span class={c.status === 'open' ? 'badge badge-ok' : c.status === 'closed' ? 'badge badge-off' : 'badge badge-warn'}>
                      {caseStatusLabel(t, c.status)}
                    </span>
                  </td>
                  <td>
                    <span class="cell-main">{c.officer_name || <span class="muted">{t('cases.unallocated')}</span>}</span>
                    <span class="cell-sub">{c.unit_name}</span>
                  </td>
                  <td class="cell-nowrap">
                    <span class="cell-main">{formatDay(c.opened_on, lang)}</span>
                    {c.closed_on ? <span class="cell-sub">{t('cases.closed_at', { date: formatDay(c.closed_on, lang) })}</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {next !== null ? (
        <div class="button-row">
          <button type="button" class="button button-secondary" disabled={busy} onClick={loadMore}>
            {busy ? t('status.loading') : t('cases.more')}
          </button>
        </div>
      ) : null}
    </section>
  );
}
