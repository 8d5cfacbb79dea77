// /people: finding a person. One box takes a name in any script and spelling (typos too), a
// document number or a birth date; results come as the user types (from two characters),
// best first, with the name in both scripts. The query stays in the address (?q=), so the
// back button returns to the same results.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, purposeHeaders, query } from '../../api';
import { TextField } from '../../components/Form';
import { Link } from '../../components/Link';
import { useI18n } from '../../i18n';
import { peopleLabel } from '../../labels';
import { problemMessage } from '../../problems';
import { useSession } from '../../session';
import { MatchBadge, PeopleHeading, WideSearch, latinOf, nameOf, useDay, useDebounced, usePurpose, type PersonHit } from './common';

const LIMIT = 20;

type Results =
  | { status: 'idle' }
  | { status: 'loading'; q: string; items?: PersonHit[] }
  | { status: 'ok'; q: string; items: PersonHit[] }
  | { status: 'error'; q: string; error: unknown };

function initialQuery(): string {
  return new URLSearchParams(location.search).get('q') ?? '';
}

export function PeopleSearchPage() {
  const { t } = useI18n();
  const { can } = useSession();
  const [q, setQ] = useState(initialQuery);
  const settled = useDebounced(q.trim(), 300);
  const [results, setResults] = useState<Results>({ status: 'idle' });
  const [tick, setTick] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const wide = usePurpose();

  useEffect(() => {
    // Keep the query in the address without adding a history entry per keystroke.
    const url = settled ? `/people${query({ q: settled })}` : '/people';
    if (location.pathname === '/people' && url !== location.pathname + location.search) history.replaceState(null, '', url);
    if (settled.length < 2) {
      setResults({ status: 'idle' });
      return undefined;
    }
    const controller = new AbortController();
    setResults((prev) => (prev.status === 'ok' ? { status: 'loading', q: settled, items: prev.items } : { status: 'loading', q: settled }));
    get<{ items: PersonHit[] }>(`/api/v1/people${query({ q: settled, limit: LIMIT })}`,
      { signal: controller.signal, headers: purposeHeaders(wide.purpose) }).then(
      (r) => { if (!controller.signal.aborted) setResults({ status: 'ok', q: settled, items: r.items }); },
      (error: unknown) => { if (!controller.signal.aborted) setResults({ status: 'error', q: settled, error }); },
    );
    return () => controller.abort();
  }, [settled, tick, wide.purpose]);

  useEffect(() => { if (initialQuery()) input.current?.focus(); }, []);

  const typing = q.trim() !== settled;
  const items = results.status === 'ok' ? results.items : results.status === 'loading' ? results.items ?? [] : [];
  let status = '';
  if (q.trim().length === 1) status = t('people.search.more');
  else if (results.status === 'loading' || (typing && q.trim().length >= 2)) status = t('people.search.searching');
  else if (results.status === 'ok') status = results.items.length ? t('people.search.found', { n: results.items.length }) : '';

  return (
    <>
      <PeopleHeading current="search" title={t('section.people')} lead={t('people.search.lead')}>
        {can('people.write') ? <Link href="/people/new" class="button">{t('people.register')}</Link> : null}
      </PeopleHeading>
      <form class="filters people-search" role="search" aria-label={t('people.search.label')} noValidate
        onSubmit={(e) => { e.preventDefault(); setTick((n) => n + 1); }}>
        <TextField id="people-q" type="search" label={t('people.search.label')} value={q} onValue={setQ}
          hint={t('people.search.hint')} autocomplete="off" spellcheck={false} inputRef={input} class="input-search" />
        <WideSearch idPrefix="people" purpose={wide.purpose} onAsk={wide.ask}
          onClear={() => { wide.clear(); input.current?.focus(); }} />
      </form>
      <p class="muted results-count" role="status" aria-live="polite">{status}</p>

      {results.status === 'error' ? (
        <div class="alert alert-error" role="alert">
          <p class="alert-title">{t('people.search.failed')}</p>
          <p>{problemMessage(t, results.error)}</p>
          <button type="button" class="button" onClick={() => setTick((n) => n + 1)}>{t('status.retry')}</button>
        </div>
      ) : null}

      {results.status === 'ok' && results.items.length === 0 && !typing ? (
        <div class="notice people-empty">
          <p class="alert-title">{t('people.search.none', { q: results.q })}</p>
          <p>{t('people.search.none.tips')}</p>
          {can('people.write') ? (
            <p><Link href="/people/new">{t('people.search.none.register')}</Link></p>
          ) : null}
        </div>
      ) : null}

      {items.length ? <ResultsTable items={items} /> : null}
      {wide.dialog('people-wide', { title: t('people.wide.title'), intro: t('people.wide.intro'), submitLabel: t('people.wide.start') })}
    </>
  );
}

function ResultsTable({ items }: { items: readonly PersonHit[] }) {
  const { t } = useI18n();
  const day = useDay();
  return (
    <div class="table-wrap" role="region" aria-labelledby="people-results-caption" tabIndex={0}>
      <table class="table table-people">
        <caption id="people-results-caption" class="visually-hidden">{t('people.search.results')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('people.name')}</th>
            <th scope="col">{t('people.birth_date')}</th>
            <th scope="col">{t('people.unit')}</th>
            <th scope="col">{t('people.search.match')}</th>
            <th scope="col">{t('people.open_cases')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((p) => {
            const latin = latinOf(p);
            return (
              <tr key={p.id}>
                <th scope="row">
                  <Link href={`/people/${encodeURIComponent(p.id)}`} class="cell-main">{nameOf(p)}</Link>
                  {latin ? <span class="cell-sub">{latin}</span> : null}
                </th>
                <td class="cell-nowrap">
                  <span class="cell-main">{day(p.birth_date) || '—'}</span>
                  {p.sex ? <span class="cell-sub">{peopleLabel(t, 'sex', p.sex)}</span> : null}
                </td>
                <td>{p.unit_name || '—'}</td>
                <td><MatchBadge match={p.match} /></td>
                <td>{p.open_cases > 0 ? <span class="badge badge-info">{p.open_cases}</span> : <span class="muted">0</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
