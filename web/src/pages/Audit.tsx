// /audit: the processing log. At the top, whether the log's hash chain is intact; below,
// a search over the entries, newest first, a page at a time.
import { useEffect, useState } from 'preact/hooks';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES, get, query, type AuditEntry, type AuditPage as Page, type Verification } from '../api';
import { FormError, SelectField, TextField } from '../components/Form';
import { LoadState } from '../components/LoadState';
import { zonedToRfc3339 } from '../format';
import { useAction, useLoad } from '../hooks';
import { useI18n } from '../i18n';
import { actionLabel, outcomeLabel, purposeLabel } from '../labels';
import { useDates, useTimeZone } from '../session';

const PAGE_SIZE = 50;

/** Suggestions for the record-type field (any text may be searched). */
const RECORD_TYPES = ['account', 'agency', 'unit', 'api_token', 'session', 'access_grant', 'processing_log', 'route'];

interface Search {
  actor_login: string;
  record_type: string;
  record_id: string;
  action: string;
  outcome: string;
  from: string;
  to: string;
}

const EMPTY: Search = { actor_login: '', record_type: '', record_id: '', action: '', outcome: '', from: '', to: '' };

export function AuditPage() {
  const { t } = useI18n();
  return (
    <>
      <h1 tabIndex={-1}>{t('section.audit')}</h1>
      <p class="lead">{t('about.audit')}</p>
      <VerificationPanel />
      <LogSearch />
    </>
  );
}

function VerificationPanel() {
  const { t } = useI18n();
  const dates = useDates();
  const check = useLoad((signal) => get<Verification>('/api/v1/audit/verification', { signal }), []);
  const v = check.data;
  return (
    <section class={v ? (v.ok ? 'card verify verify-ok' : 'card verify verify-bad') : 'card verify'} aria-labelledby="verify-heading">
      <div class="card-head">
        <h2 id="verify-heading">{t('audit.verify.title')}</h2>
        <button type="button" class="button button-secondary button-small" onClick={check.reload} disabled={check.status === 'loading'}>
          {t('audit.verify.again')}
        </button>
      </div>
      <div role="status" aria-live="polite">
        {check.status === 'loading' ? <p class="muted">{t('audit.verify.checking')}</p> : null}
      </div>
      <LoadState load={check}>
        {(data) => (
          <>
            <p class={data.ok ? 'verify-result verify-result-ok' : 'verify-result verify-result-bad'} id="verify-result">
              <svg class="verify-icon" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" focusable="false">
                {data.ok
                  ? <path d="M4 10.5l4 4 8-9" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round" />
                  : <path d="M5 5l10 10M15 5L5 15" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" />}
              </svg>
              {data.ok ? t('audit.verify.ok') : t('audit.verify.bad')}
            </p>
            {!data.ok ? (
              <div class="alert alert-error">
                <p>{data.message}</p>
                {data.first_bad_seq !== null ? <p>{t('audit.verify.first_bad', { seq: data.first_bad_seq })}</p> : null}
              </div>
            ) : null}
            <dl class="facts facts-compact">
              <div class="fact"><dt>{t('audit.verify.entries')}</dt><dd>{data.entries}</dd></div>
              <div class="fact"><dt>{t('audit.verify.checkpoints')}</dt><dd>{data.checkpoints}</dd></div>
              <div class="fact"><dt>{t('audit.verify.checked_at')}</dt><dd>{dates.short(data.checked_at, true)}</dd></div>
            </dl>
          </>
        )}
      </LoadState>
    </section>
  );
}

function LogSearch() {
  const { t } = useI18n();
  const zone = useTimeZone();
  const [draft, setDraft] = useState<Search>(EMPTY);
  const [search, setSearch] = useState<Search>(EMPTY);
  const [items, setItems] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [loaded, setLoaded] = useState(false);
  const { busy, error, run } = useAction();
  const [rangeError, setRangeError] = useState(false);

  const params = (s: Search, before: number | null) => query({
    actor_login: s.actor_login.trim(), record_type: s.record_type.trim(), record_id: s.record_id.trim(),
    action: s.action, outcome: s.outcome,
    from: s.from ? zonedToRfc3339(s.from, zone) : '', to: s.to ? zonedToRfc3339(s.to, zone) : '',
    before, limit: PAGE_SIZE,
  });

  const load = (s: Search, before: number | null) => run(async () => {
    const page = await get<Page>(`/api/v1/audit${params(s, before)}`);
    setItems((prev) => (before === null ? page.items : [...prev, ...page.items]));
    setNext(page.next ?? null);
    setLoaded(true);
  });

  useEffect(() => {
    void load(search, null);
  }, [search]);

  const set = (patch: Partial<Search>) => setDraft((d) => ({ ...d, ...patch }));

  return (
    <section aria-labelledby="log-heading">
      <h2 id="log-heading">{t('audit.search.title')}</h2>
      <form
        class="filters filters-audit"
        role="search"
        aria-label={t('audit.search.title')}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (draft.from && draft.to && draft.from > draft.to) {
            setRangeError(true);
            document.getElementById('audit-to')?.focus();
            return;
          }
          setRangeError(false);
          setSearch({ ...draft });
        }}
      >
        <TextField id="audit-actor" label={t('audit.actor')} value={draft.actor_login} onValue={(v) => set({ actor_login: v })}
          spellcheck={false} autocapitalize="none" />
        <SelectField id="audit-action" label={t('audit.action')} value={draft.action} onValue={(v) => set({ action: v })}
          options={[{ value: '', label: t('filter.any') }, ...AUDIT_ACTIONS.map((a) => ({ value: a, label: actionLabel(t, a) }))]} />
        <SelectField id="audit-outcome" label={t('audit.outcome')} value={draft.outcome} onValue={(v) => set({ outcome: v })}
          options={[{ value: '', label: t('filter.any') }, ...AUDIT_OUTCOMES.map((o) => ({ value: o, label: outcomeLabel(t, o) }))]} />
        <TextField id="audit-record-type" label={t('audit.record_type')} value={draft.record_type}
          onValue={(v) => set({ record_type: v })} spellcheck={false} autocapitalize="none" list="audit-record-types" />
        <datalist id="audit-record-types">
          {RECORD_TYPES.map((r) => <option key={r} value={r} />)}
        </datalist>
        <TextField id="audit-record-id" label={t('audit.record_id')} value={draft.record_id}
          onValue={(v) => set({ record_id: v })} spellcheck={false} autocapitalize="none" />
        <TextField id="audit-from" type="datetime-local" label={t('audit.from')} value={draft.from} onValue={(v) => set({ from: v })}
          describedBy={zone ? 'audit-zone' : undefined} />
        <TextField id="audit-to" type="datetime-local" label={t('audit.to')} value={draft.to} onValue={(v) => set({ to: v })}
          error={rangeError ? t('audit.range_error') : undefined} describedBy={zone ? 'audit-zone' : undefined} />
        {zone ? <p class="hint filters-note" id="audit-zone">{t('audit.zone_hint', { zone })}</p> : null}
        <div class="filters-buttons">
          <button type="submit" class="button">{t('action.search')}</button>
          <button type="button" class="button button-secondary" onClick={() => { setDraft(EMPTY); setRangeError(false); setSearch(EMPTY); }}>
            {t('action.clear')}
          </button>
        </div>
      </form>

      <FormError error={error} />
      <p class="muted results-count" role="status">
        {busy && !loaded ? t('status.loading') : loaded ? (next !== null ? t('audit.shown_more', { n: items.length }) : t('table.count', { n: items.length })) : ''}
      </p>
      {loaded && items.length === 0 ? <p>{t('audit.none')}</p> : null}
      {items.length ? <LogTable items={items} /> : null}
      {next !== null ? (
        <div class="button-row">
          <button type="button" class="button button-secondary" disabled={busy} onClick={() => void load(search, next)}>
            {busy ? t('status.loading') : t('audit.more')}
          </button>
        </div>
      ) : null}
    </section>
  );
}

function LogTable({ items }: { items: AuditEntry[] }) {
  const { t } = useI18n();
  const dates = useDates();
  return (
    <div class="table-wrap" role="region" aria-labelledby="log-caption" tabIndex={0}>
      <table class="table table-log">
        <caption id="log-caption" class="visually-hidden">{t('audit.results')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('audit.at')}</th>
            <th scope="col">{t('audit.actor')}</th>
            <th scope="col">{t('audit.action')}</th>
            <th scope="col">{t('audit.record')}</th>
            <th scope="col">{t('audit.outcome')}</th>
            <th scope="col">{t('audit.details')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.seq}>
              <td class="cell-nowrap">
                <span class="cell-main">{dates.short(e.at, true)}</span>
                <span class="cell-sub">#{e.seq}</span>
              </td>
              <td>{e.actor_login ?? '—'}</td>
              <td>
                <span class="cell-main">{actionLabel(t, e.action)}</span>
                <code class="cell-sub">{e.action}</code>
              </td>
              <td>
                {e.record_type ? <span class="cell-main">{e.record_type}</span> : '—'}
                {e.record_id ? <code class="cell-sub cell-id">{e.record_id}</code> : null}
              </td>
              <td>
                <span class={e.outcome === 'success' ? 'badge badge-ok' : e.outcome === 'denied' ? 'badge badge-bad' : 'badge badge-warn'}>
                  {outcomeLabel(t, e.outcome)}
                </span>
              </td>
              <td>
                <details class="log-details">
                  <summary>{t('audit.more_details')}<span class="visually-hidden"> #{e.seq}</span></summary>
                  <dl>
                    {e.purpose ? <><dt>{t('audit.purpose')}</dt><dd>{purposeLabel(t, e.purpose)}</dd></> : null}
                    {e.justification ? <><dt>{t('audit.justification')}</dt><dd>{e.justification}</dd></> : null}
                    {e.recipient ? <><dt>{t('audit.recipient')}</dt><dd>{e.recipient}</dd></> : null}
                    {e.detail ? <><dt>{t('audit.detail')}</dt><dd>{e.detail}</dd></> : null}
                    <dt>{t('audit.address')}</dt><dd>{e.remote_addr || '—'}</dd>
                    <dt>{t('audit.request_id')}</dt><dd><code>{e.request_id || '—'}</code></dd>
                    {e.hash ? <><dt>{t('audit.hash')}</dt><dd><code class="cell-id">{e.hash}</code></dd></> : null}
                  </dl>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
