// /admin/instruments: the risk and needs instruments loaded as data (reference.manage). The table lists
// every loaded version (the current one marked); "View" opens one version in the page (?id=) with its
// notice, scales, domains, items and guidance in the UI language. A new file is imported from here: the
// browser reads it, refuses anything that is not JSON, and posts it as the body; a refused file shows
// every problem the server found, by its path in the file. Below, the table of which supervision level
// each final judgement suggests: a suggestion only, the officer still decides, with a reason.
import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, request, type Items } from '../../api';
import { Success } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { useI18n, type Lang, type MessageKey } from '../../i18n';
import { problemMessage } from '../../problems';
import { useDates, useSession } from '../../session';
import { AdminNav } from './AdminHome';
import './instruments.css';

export type Texts = { ky: string; ru: string; en: string };

export interface Instrument {
  id: string;
  code: string;
  version: string;
  name: Texts;
  publisher: string;
  licence: string;
  validated: boolean;
  certification_required: boolean;
  certification_valid_days: number;
  reassessment_days: number;
  sha256: string;
  loaded_at: string;
  loaded_by_name: string | null;
  current: boolean;
  domain_count: number;
  item_count: number;
  notice: Texts | null;
}

interface ScaleValue { id: string; label: Texts; description?: Texts }
interface Scale { id: string; values: ScaleValue[] }
interface Item { id: string; kind: 'static' | 'dynamic'; scale: string; title: Texts; guidance: Texts }
interface Domain { id: string; kind: string; name: Texts; description?: Texts; rating_scale: string; items: Item[] }
interface Judgement { id: string; label: Texts; description: Texts }
interface Definition {
  id: string;
  version: string;
  name: Texts;
  description?: Texts;
  notice?: Texts;
  scales?: Scale[];
  domains?: Domain[];
  judgements?: Judgement[];
}

interface InstrumentFull extends Instrument {
  definition: Definition;
}

interface Suggestion {
  instrument_code: string;
  instrument_name: Texts | null;
  judgement: string;
  judgement_label: Texts | null;
  position: number;
  level: string | null;
  level_title: Texts | null;
  version: number;
  updated_at: string | null;
  updated_by_name: string | null;
}

interface Level {
  code: string;
  title: Texts;
  active: boolean;
}

/** A key built from a code (every such code has its key in the instruments part file). */
const k = (key: string) => key as MessageKey;
/** A piece of an element id from a code that may hold dots. */
export const idPart = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');
/** A multilingual text in the UI language (the English one, else the first there is, if missing). */
export const say = (text: Texts | null | undefined, lang: Lang, fallback = '') =>
  (text ? text[lang] || text.en || text.ru || text.ky || fallback : fallback);

/** The maximum body the server takes (1 MB). */
const MAX_FILE = 1024 * 1024;

function selectedId(): string | null {
  return new URLSearchParams(location.search).get('id');
}

export function InstrumentsPage() {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const dates = useDates();
  const list = useLoad((signal) => get<Items<Instrument>>('/api/v1/instruments', { signal }), []);
  const [viewing, setViewing] = useState<string | null>(selectedId);
  const [notice, setNotice] = useState<string | null>(null);
  const [suggestionsTick, setSuggestionsTick] = useState(0);

  const view = (id: string | null) => {
    setViewing(id);
    const url = id ? `${location.pathname}?id=${encodeURIComponent(id)}` : location.pathname;
    if (url !== location.pathname + location.search) history.replaceState(null, '', url);
  };
  const closeView = (id: string) => {
    view(null);
    window.setTimeout(() => document.getElementById(`instrument-view-${id}`)?.focus(), 0);
  };
  const yes = (b: boolean) => (b ? t('instruments.yes') : t('instruments.no'));

  return (
    <>
      <AdminNav current="instruments" />
      <div class="page-head">
        <h1 tabIndex={-1}>{t('admin.instruments')}</h1>
      </div>
      <p class="lead">{t('admin.instruments.about')}</p>
      <p>{t('instruments.spj')}</p>
      <ul class="plain-list instrument-links">
        <li>
          <a href="/api/v1/instruments/schema" download="instrument.schema.json" id="instrument-schema-link">
            {t('instruments.schema_link')}
          </a>
        </li>
        {can('certifications.manage') ? (
          <li><Link href="/supervision/certifications">{t('instruments.certifications_link')}</Link></li>
        ) : null}
      </ul>
      {notice ? <Success><p>{notice}</p></Success> : null}

      <section aria-labelledby="instruments-loaded">
        <h2 id="instruments-loaded">{t('instruments.loaded')}</h2>
        <LoadState load={list}>
          {(data) => (data.items.length === 0 ? <p class="muted">{t('instruments.none')}</p> : (
            <div class="table-wrap" role="region" aria-labelledby="instruments-caption" tabIndex={0}>
              <table class="table instruments-table" id="instruments-table">
                <caption id="instruments-caption" class="visually-hidden">{t('instruments.loaded')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('instruments.instrument')}</th>
                    <th scope="col">{t('instruments.version')}</th>
                    <th scope="col">{t('instruments.validated')}</th>
                    <th scope="col">{t('instruments.certification')}</th>
                    <th scope="col">{t('instruments.reassessment')}</th>
                    <th scope="col">{t('instruments.contents')}</th>
                    <th scope="col">{t('instruments.publisher')}</th>
                    <th scope="col">{t('instruments.loaded_when')}</th>
                    <th scope="col"><span class="visually-hidden">{t('table.actions')}</span></th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((i) => (
                    <tr key={i.id} id={`instrument-${idPart(i.code)}-${idPart(i.version)}`}
                      class={viewing === i.id ? 'is-selected' : undefined}>
                      <th scope="row">
                        <span class="cell-main">{say(i.name, lang, i.code)}</span>
                        <code class="cell-sub">{i.code}</code>
                      </th>
                      <td>
                        <span class="cell-main">{i.version}</span>
                        {i.current ? <span class="badge badge-ok">{t('instruments.current_yes')}</span>
                          : <span class="badge badge-off">{t('instruments.current_no')}</span>}
                      </td>
                      <td>{i.validated ? yes(true) : <span class="badge badge-warn">{t('instruments.not_validated')}</span>}</td>
                      <td>{i.certification_required
                        ? t('instruments.certification_required', { days: i.certification_valid_days })
                        : t('instruments.certification_not_required')}</td>
                      <td>{t('instruments.every_days', { days: i.reassessment_days })}</td>
                      <td>{t('instruments.counts', { domains: i.domain_count, items: i.item_count })}</td>
                      <td>
                        <span class="cell-main">{i.publisher}</span>
                        <span class="cell-sub">{i.licence}</span>
                      </td>
                      <td>
                        <span class="cell-main">{dates.short(i.loaded_at)}</span>
                        <span class="cell-sub">{i.loaded_by_name ?? t('instruments.loaded_by_system')}</span>
                      </td>
                      <td>
                        <button type="button" class="button button-secondary button-small" id={`instrument-view-${i.id}`}
                          aria-expanded={viewing === i.id} aria-controls={viewing === i.id ? 'instrument-detail' : undefined}
                          onClick={() => { view(viewing === i.id ? null : i.id); setNotice(null); }}>
                          {t('instruments.view')}<span class="visually-hidden">: {say(i.name, lang, i.code)} {i.version}</span>
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
        </LoadState>
      </section>

      {viewing ? <InstrumentDetail key={viewing} id={viewing} onClose={() => closeView(viewing)} /> : null}

      <ImportForm onLoaded={(i) => {
        setNotice(t('instruments.import.done', { name: say(i.name, lang, i.code), version: i.version }));
        list.reload();
        setSuggestionsTick((n) => n + 1);
        view(i.id);
      }} />

      <Suggestions tick={suggestionsTick} />
    </>
  );
}

/** One instrument version as loaded: notice, scales, judgements, domains and items with guidance. */
function InstrumentDetail({ id, onClose }: { id: string; onClose: () => void }) {
  const { t, lang } = useI18n();
  const one = useLoad((signal) => get<InstrumentFull>(`/api/v1/instruments/${encodeURIComponent(id)}`, { signal }), [id]);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => { if (one.status === 'ok') heading.current?.focus(); }, [one.status === 'ok']);
  return (
    <section class="card card-editor instrument-detail" id="instrument-detail" aria-labelledby="instrument-detail-title">
      <LoadState load={one}>
        {(i) => {
          const d = i.definition ?? ({} as Definition);
          const scales = new Map((d.scales ?? []).map((s) => [s.id, s]));
          const scaleText = (sid: string) => {
            const s = scales.get(sid);
            return s ? s.values.map((v) => say(v.label, lang, v.id)).join(' · ') : sid;
          };
          return (
            <>
              <div class="card-head">
                <h2 id="instrument-detail-title" tabIndex={-1} ref={heading}>
                  {t('instruments.detail_title', { name: say(i.name, lang, i.code), version: i.version })}
                </h2>
                <button type="button" class="button button-secondary button-small" onClick={onClose}>
                  {t('instruments.close')}
                </button>
              </div>
              <p><code>{i.code}</code> · {i.publisher} · {i.licence}</p>
              {i.notice || !i.validated ? (
                <div class="alert alert-warning instrument-notice">
                  {!i.validated ? <p class="alert-title">{t('instruments.not_validated_long')}</p> : null}
                  {i.notice ? <p>{say(i.notice, lang)}</p> : null}
                </div>
              ) : null}
              {d.description ? <p>{say(d.description, lang)}</p> : null}
              <dl class="facts facts-compact">
                <div><dt>{t('instruments.certification')}</dt>
                  <dd>{i.certification_required ? t('instruments.certification_required', { days: i.certification_valid_days })
                    : t('instruments.certification_not_required')}</dd></div>
                <div><dt>{t('instruments.reassessment')}</dt><dd>{t('instruments.every_days', { days: i.reassessment_days })}</dd></div>
                <div><dt>{t('instruments.sha256')}</dt><dd><code class="instrument-hash">{i.sha256}</code></dd></div>
              </dl>

              <h3>{t('instruments.scales')}</h3>
              <ul class="instrument-scales">
                {(d.scales ?? []).map((s) => (
                  <li key={s.id}><code>{s.id}</code>: {scaleText(s.id)}</li>
                ))}
              </ul>

              <h3>{t('instruments.judgements')}</h3>
              <p class="hint">{t('instruments.judgements_hint')}</p>
              <ol class="instrument-judgements">
                {(d.judgements ?? []).map((j) => (
                  <li key={j.id}><strong>{say(j.label, lang, j.id)}</strong> — {say(j.description, lang)}</li>
                ))}
              </ol>

              <h3>{t('instruments.domains')}</h3>
              {(d.domains ?? []).map((dom) => (
                <section key={dom.id} class="instrument-domain" aria-labelledby={`domain-${idPart(dom.id)}`}>
                  <h4 id={`domain-${idPart(dom.id)}`}>
                    {say(dom.name, lang, dom.id)}{' '}
                    <span class="badge badge-info">{t(k(`instruments.kind.${dom.kind}`))}</span>
                  </h4>
                  {dom.description ? <p>{say(dom.description, lang)}</p> : null}
                  <p class="hint">{t('instruments.domain_rated', { scale: scaleText(dom.rating_scale) })}</p>
                  <div class="table-wrap" role="region" aria-labelledby={`domain-${idPart(dom.id)}`} tabIndex={0}>
                    <table class="table instrument-items">
                      <thead>
                        <tr>
                          <th scope="col">{t('instruments.item')}</th>
                          <th scope="col">{t('instruments.item_kind')}</th>
                          <th scope="col">{t('instruments.scale')}</th>
                          <th scope="col">{t('instruments.guidance')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {dom.items.map((it) => (
                          <tr key={it.id} id={`item-${idPart(it.id)}`}>
                            <th scope="row">
                              <span class="cell-main">{say(it.title, lang, it.id)}</span>
                              <code class="cell-sub">{it.id}</code>
                            </th>
                            <td>{t(k(`instruments.item_kind.${it.kind}`))}</td>
                            <td>{scaleText(it.scale)}</td>
                            <td class="instrument-guidance">{say(it.guidance, lang)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                </section>
              ))}
            </>
          );
        }}
      </LoadState>
    </section>
  );
}

type Refusal =
  | { kind: 'choose' }
  | { kind: 'too_big' }
  | { kind: 'not_json'; detail: string }
  | { kind: 'problems'; title: string; detail: string; errors: { field: string; message: string }[] }
  | { kind: 'loaded'; code: string; version: string; detail: string }
  | { kind: 'other'; error: unknown };

/** Import a file: read here, refused here when it is not JSON, else posted as the body. */
function ImportForm({ onLoaded }: { onLoaded: (i: Instrument) => void }) {
  const { t } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [inputKey, setInputKey] = useState(0);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [tries, setTries] = useState(0);
  const { busy, run } = useAction();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => { if (refusal) box.current?.focus(); }, [refusal, tries]);

  const submit = () => {
    setTries((n) => n + 1);
    if (!file) { setRefusal({ kind: 'choose' }); return; }
    if (file.size > MAX_FILE) { setRefusal({ kind: 'too_big' }); return; }
    void run(async () => {
      setRefusal(null);
      let body: unknown;
      try {
        body = JSON.parse(await file.text());
      } catch (e) {
        setRefusal({ kind: 'not_json', detail: e instanceof Error ? e.message : String(e) });
        return;
      }
      const head = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
      try {
        const r = await request<Instrument>('POST', '/api/v1/instruments', { body });
        setFile(null);
        setInputKey((n) => n + 1);
        onLoaded(r.data);
      } catch (e) {
        if (e instanceof ApiError && e.status === 422 && e.problem) {
          setRefusal({ kind: 'problems', title: e.problem.title, detail: e.problem.detail, errors: e.problem.errors });
        } else if (e instanceof ApiError && e.status === 409) {
          setRefusal({ kind: 'loaded', code: String(head.id ?? ''), version: String(head.version ?? ''),
            detail: e.problem?.detail || e.problem?.title || '' });
        } else {
          setRefusal({ kind: 'other', error: e });
        }
      }
    });
  };

  return (
    <section class="card" aria-labelledby="instrument-import-title">
      <h2 id="instrument-import-title">{t('instruments.import.title')}</h2>
      <p>{t('instruments.import.about')}</p>
      <form class="form form-wide" noValidate onSubmit={(e) => { e.preventDefault(); submit(); }}>
        {refusal ? (
          <div class="alert alert-error form-error instrument-refusal" role="alert" tabIndex={-1} ref={box}
            id="instrument-import-error">
            {refusal.kind === 'choose' ? <p class="alert-title">{t('instruments.import.choose')}</p> : null}
            {refusal.kind === 'too_big' ? <p class="alert-title">{t('instruments.import.too_big')}</p> : null}
            {refusal.kind === 'not_json' ? (
              <>
                <p class="alert-title">{t('instruments.import.not_json')}</p>
                <p class="alert-detail">{refusal.detail}</p>
              </>
            ) : null}
            {refusal.kind === 'problems' ? (
              <>
                <p class="alert-title">{t('instruments.import.problems', { n: refusal.errors.length })}</p>
                {refusal.detail ? <p class="alert-detail">{refusal.detail}</p> : null}
                <ul class="instrument-problems" id="instrument-problems">
                  {refusal.errors.map((x, n) => (
                    <li key={n}>
                      <code>{x.field === '' ? t('instruments.import.whole_file') : x.field}</code> — {x.message}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            {refusal.kind === 'loaded' ? (
              <>
                <p class="alert-title">{refusal.code && refusal.version
                  ? t('instruments.import.loaded', { code: refusal.code, version: refusal.version })
                  : t('instruments.import.loaded_any')}</p>
                {refusal.detail ? <p class="alert-detail">{refusal.detail}</p> : null}
              </>
            ) : null}
            {refusal.kind === 'other' ? (
              <>
                <p class="alert-title">{t('instruments.import.refused')}</p>
                <p>{problemMessage(t, refusal.error)}</p>
              </>
            ) : null}
          </div>
        ) : null}
        <div class="field">
          <label for="instrument-file">{t('instruments.import.file')}</label>
          <p class="hint" id="instrument-file-hint">{t('instruments.import.file_hint')}</p>
          <input key={inputKey} id="instrument-file" name="instrument-file" type="file" accept="application/json,.json"
            class="input input-file" aria-describedby="instrument-file-hint"
            onChange={(e) => { setFile(e.currentTarget.files?.[0] ?? null); setRefusal(null); }} />
        </div>
        <div class="button-row">
          <button type="submit" class="button" id="instrument-import" disabled={busy}>
            {busy ? t('instruments.import.busy') : t('instruments.import.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}

/** The level-suggestion table: per instrument, per judgement, the level it suggests (or none). */
function Suggestions({ tick }: { tick: number }) {
  const { t, lang } = useI18n();
  const rows = useLoad((signal) => get<Items<Suggestion>>('/api/v1/level-suggestions', { signal }), [tick]);
  const levels = useLoad((signal) => get<{ supervision_levels?: Level[] }>('/api/v1/reference', { signal })
    .then((r) => r.supervision_levels ?? []), []);
  return (
    <section class="card" aria-labelledby="suggestions-title">
      <h2 id="suggestions-title">{t('instruments.suggestions.title')}</h2>
      <div class="notice instrument-suggest-note" id="suggestions-note">
        <p>{t('instruments.suggestions.note')}</p>
      </div>
      <LoadState load={rows}>
        {(data) => {
          const groups: { code: string; name: Texts | null; rows: Suggestion[] }[] = [];
          for (const r of data.items) {
            const g = groups.find((x) => x.code === r.instrument_code);
            if (g) g.rows.push(r);
            else groups.push({ code: r.instrument_code, name: r.instrument_name, rows: [r] });
          }
          if (groups.length === 0) return <p class="muted">{t('instruments.suggestions.none')}</p>;
          return groups.map((g) => (
            <Fragment key={g.code}>
              <h3 id={`suggestions-${idPart(g.code)}`}>
                {say(g.name, lang, g.code)} <code class="heading-sub">{g.code}</code>
              </h3>
              <div class="table-wrap" role="region" aria-labelledby={`suggestions-${idPart(g.code)}`} tabIndex={0}>
                <table class="table suggestions-table">
                  <thead>
                    <tr>
                      <th scope="col">{t('instruments.suggestions.judgement')}</th>
                      <th scope="col">{t('instruments.suggestions.level')}</th>
                      <th scope="col">{t('instruments.suggestions.changed')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {g.rows.map((r) => (
                      <SuggestionRow key={r.judgement} row={r} levels={levels.data ?? []}
                        onSaved={rows.reload} />
                    ))}
                  </tbody>
                </table>
              </div>
            </Fragment>
          ));
        }}
      </LoadState>
    </section>
  );
}

function SuggestionRow({ row, levels, onSaved }: { row: Suggestion; levels: readonly Level[]; onSaved: () => void }) {
  const { t, lang } = useI18n();
  const dates = useDates();
  const [level, setLevel] = useState(row.level ?? '');
  const [saved, setSaved] = useState(false);
  useEffect(() => { setLevel(row.level ?? ''); }, [row.version, row.level]);
  const { busy, error, run } = useAction();
  const id = `suggestion-${idPart(row.instrument_code)}-${idPart(row.judgement)}`;
  const label = say(row.judgement_label, lang, row.judgement);
  const options = levels.filter((l) => l.active || l.code === row.level);
  const changed = level !== (row.level ?? '');
  return (
    <tr id={`${id}-row`}>
      <th scope="row">
        <span class="cell-main">{label}</span>
        <code class="cell-sub">{row.judgement}</code>
        {row.position < 0 ? <span class="cell-sub">{t('instruments.suggestions.gone')}</span> : null}
      </th>
      <td>
        <form class="inline-form suggestion-form" noValidate onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          void run(async () => {
            await request('PUT', `/api/v1/level-suggestions/${encodeURIComponent(row.instrument_code)}/${encodeURIComponent(row.judgement)}`,
              { body: { level: level === '' ? null : level }, ifMatch: String(row.version) });
            setSaved(true);
            onSaved();
          });
        }}>
          <label for={id} class="visually-hidden">{t('instruments.suggestions.level_for', { judgement: label })}</label>
          <select id={id} class="input" value={level} onChange={(e) => { setLevel(e.currentTarget.value); setSaved(false); }}
            aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-error` : undefined}>
            <option value="">{t('instruments.suggestions.no_suggestion')}</option>
            {options.map((l) => <option key={l.code} value={l.code}>{say(l.title, lang, l.code)}</option>)}
            {row.level && !options.some((l) => l.code === row.level)
              ? <option value={row.level}>{say(row.level_title, lang, row.level)}</option> : null}
          </select>
          <button type="submit" class="button button-small" id={`${id}-save`} disabled={busy || !changed}>
            {busy ? t('instruments.saving') : t('instruments.suggestions.save')}
            <span class="visually-hidden">: {label}</span>
          </button>
          {error ? (
            <p class="field-error" id={`${id}-error`} role="alert">
              {error instanceof ApiError && error.status === 422 && error.problem?.errors.length
                ? error.problem.errors.map((x) => x.message).join(' ') : problemMessage(t, error)}
            </p>
          ) : null}
          {saved && !error ? <p class="hint" role="status">{t('instruments.suggestions.saved')}</p> : null}
        </form>
      </td>
      <td>
        {row.updated_at ? (
          <>
            <span class="cell-main">{dates.short(row.updated_at)}</span>
            <span class="cell-sub">{row.updated_by_name ?? '—'}</span>
          </>
        ) : '—'}
      </td>
    </tr>
  );
}
