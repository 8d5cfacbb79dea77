// /admin/instruments: the risk and needs instruments loaded as data (reference.manage). The table lists
// every loaded version (the current one marked); "View" opens one version in the page (?id=) with its
// notice, scales, domains, items and guidance in the UI language. A new file is imported from here: the
// browser reads it, refuses anything that is not JSON (saying the line and column), and posts it as the
// body; a refused file shows every problem the server found in a table, by its path in the file (in
// document order, with the item's id for a path inside an item); the messages are the schema checker's,
// in English, and the page says so in the UI language. Below, the table of which supervision level
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
            <>
              <p class="hint instruments-scroll-hint" id="instruments-scroll-hint">{t('instruments.scroll_hint')}</p>
              <div class="table-wrap" role="region" aria-labelledby="instruments-loaded" aria-describedby="instruments-scroll-hint" tabIndex={0}>
                <table class="table instruments-table" id="instruments-table">
                  <thead>
                    <tr>
                      <th scope="col">{t('instruments.instrument')}</th>
                      <th scope="col">{t('instruments.version')}</th>
                      <th scope="col">{t('instruments.rules')}</th>
                      <th scope="col">{t('instruments.contents')}</th>
                      <th scope="col">{t('instruments.publisher')}</th>
                      <th scope="col">{t('instruments.loaded_when')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.map((i) => (
                      <tr key={i.id} id={`instrument-${idPart(i.code)}-${idPart(i.version)}`}
                        class={viewing === i.id ? 'is-selected' : undefined}>
                        <th scope="row">
                          <span class="cell-main">{say(i.name, lang, i.code)}</span>
                          <code class="cell-sub">{i.code}</code>
                          <button type="button" class="button button-secondary button-small instrument-view-button" id={`instrument-view-${i.id}`}
                            aria-expanded={viewing === i.id} aria-controls={viewing === i.id ? 'instrument-detail' : undefined}
                            onClick={() => { view(viewing === i.id ? null : i.id); setNotice(null); }}>
                            {viewing === i.id ? t('instruments.viewing') : t('instruments.view')}
                            <span class="visually-hidden">: {say(i.name, lang, i.code)} {i.version}</span>
                          </button>
                        </th>
                        <td>
                          <span class="cell-main">{i.version}</span>
                          {i.current ? <span class="badge badge-ok">{t('instruments.current_yes')}</span>
                            : <span class="badge badge-off">{t('instruments.current_no')}</span>}
                          {' '}
                          {i.validated ? <span class="badge badge-info">{t('instruments.validated_yes')}</span>
                            : <span class="badge badge-warn">{t('instruments.not_validated')}</span>}
                        </td>
                        <td>
                          <span class="cell-main">{i.certification_required
                            ? t('instruments.certification_required_short', { days: i.certification_valid_days })
                            : t('instruments.certification_not_required')}</span>
                          <span class="cell-sub">{t('instruments.every_days', { days: i.reassessment_days })}</span>
                        </td>
                        <td>{t('instruments.counts', { domains: i.domain_count, items: i.item_count })}</td>
                        <td>
                          <span class="cell-main">{i.publisher}</span>
                          <span class="cell-sub instrument-licence" title={i.licence}>{i.licence}</span>
                        </td>
                        <td>
                          <span class="cell-main">{dates.short(i.loaded_at)}</span>
                          <span class="cell-sub">{i.loaded_by_name ?? t('instruments.loaded_by_system')}</span>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
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
              <p><code>{i.code}</code></p>
              {i.notice || !i.validated ? (
                <div class="alert alert-warning instrument-notice">
                  {!i.validated ? <p class="alert-title">{t('instruments.not_validated_long')}</p> : null}
                  {i.notice ? <p>{say(i.notice, lang)}</p> : null}
                </div>
              ) : null}
              {d.description ? <p>{say(d.description, lang)}</p> : null}
              <dl class="facts facts-compact">
                <div class="fact"><dt>{t('instruments.publisher_only')}</dt><dd>{i.publisher}</dd></div>
                <div class="fact"><dt>{t('instruments.certification')}</dt>
                  <dd>{i.certification_required ? t('instruments.certification_required', { days: i.certification_valid_days })
                    : t('instruments.certification_not_required')}</dd></div>
                <div class="fact"><dt>{t('instruments.reassessment')}</dt><dd>{t('instruments.every_days', { days: i.reassessment_days })}</dd></div>
                <div class="fact"><dt>{t('instruments.sha256')}</dt><dd><code class="instrument-hash">{i.sha256}</code></dd></div>
                <div class="fact instrument-licence-fact"><dt>{t('instruments.licence')}</dt><dd id="instrument-licence-full">{i.licence}</dd></div>
              </dl>

              <h3>{t('instruments.scales')}</h3>
              <ul class="instrument-scales" id="instrument-scales">
                {(d.scales ?? []).map((s) => (
                  <li key={s.id} id={`scale-${idPart(s.id)}`}>
                    <span class="cell-main">{scaleText(s.id)}</span>
                    <span class="cell-sub">{t('instruments.scale_id')} <code>{s.id}</code></span>
                    {s.values.some((v) => v.description) ? (
                      <dl class="instrument-scale-values">
                        {s.values.map((v) => (
                          <div key={v.id}><dt>{say(v.label, lang, v.id)}</dt><dd>{say(v.description, lang)}</dd></div>
                        ))}
                      </dl>
                    ) : null}
                  </li>
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

type Problem = { field: string; message: string };
type Refusal =
  | { kind: 'choose' }
  | { kind: 'too_big' }
  | { kind: 'empty' }
  | { kind: 'not_json'; line: number | null; column: number | null }
  | { kind: 'problems'; errors: Problem[]; total: number; doc: unknown }
  | { kind: 'loaded'; code: string; version: string }
  | { kind: 'other'; error: unknown };

/** The segments of a JSON Pointer ("" is the whole document). */
export function pointerParts(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.replace(/^\//, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const naturally = new Intl.Collator('en', { numeric: true });

/**
 * Problems in document order where the file tells it (the order of an object's members as written,
 * array elements by index), else a natural sort of the pointers (/domains/2 before /domains/10);
 * members the file lacks come after those it has, by name.
 */
export function sortProblems(errors: readonly Problem[], doc: unknown): Problem[] {
  const rank = (pointer: string): (number | string)[] => {
    const out: (number | string)[] = [];
    let at: unknown = doc;
    for (const part of pointerParts(pointer)) {
      if (Array.isArray(at) && /^\d+$/.test(part)) {
        out.push(Number(part));
        at = at[Number(part)];
      } else if (at && typeof at === 'object' && !Array.isArray(at)) {
        const keys = Object.keys(at as Record<string, unknown>);
        const n = keys.indexOf(part);
        out.push(n >= 0 ? n : keys.length, part);
        at = n >= 0 ? (at as Record<string, unknown>)[part] : undefined;
      } else {
        out.push(/^\d+$/.test(part) ? Number(part) : part);
        at = undefined;
      }
    }
    return out;
  };
  const cmp = (a: (number | string)[], b: (number | string)[]) => {
    for (let n = 0; n < Math.min(a.length, b.length); n++) {
      const x = a[n]!, y = b[n]!;
      if (x === y) continue;
      if (typeof x === 'number' && typeof y === 'number') return x - y;
      return naturally.compare(String(x), String(y));
    }
    return a.length - b.length;
  };
  return errors.map((e, n) => ({ e, n, r: rank(e.field) }))
    .sort((a, b) => cmp(a.r, b.r) || naturally.compare(a.e.field, b.e.field) || a.n - b.n)
    .map((x) => x.e);
}

/** The ids of the domain and the item a pointer falls under (/domains/N/items/M/...), when the file has them. */
export function placeOf(pointer: string, doc: unknown): { domain: string | null; item: string | null } {
  const parts = pointerParts(pointer);
  const none = { domain: null, item: null };
  if (parts[0] !== 'domains' || parts[1] === undefined || !/^\d+$/.test(parts[1])) return none;
  const domains = (doc as { domains?: unknown } | null)?.domains;
  const domain = Array.isArray(domains) ? domains[Number(parts[1])] as { id?: unknown; items?: unknown } | undefined : undefined;
  const domainId = typeof domain?.id === 'string' && domain.id ? domain.id : null;
  if (parts[2] !== 'items' || parts[3] === undefined || !/^\d+$/.test(parts[3])) return { domain: domainId, item: null };
  const items = domain?.items;
  const item = Array.isArray(items) ? items[Number(parts[3])] as { id?: unknown } | undefined : undefined;
  return { domain: domainId, item: typeof item?.id === 'string' && item.id ? item.id : null };
}


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
      const text = await file.text();
      if (text.trim() === '') { setRefusal({ kind: 'empty' }); return; }
      // The file goes as it is: the server's JSON parser (jansson) is the one that decides, and says where a
      // file is malformed (a duplicate member too, which the browser's parser lets through).
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch { /* the server says where */ }
      const head = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
      try {
        const r = await request<Instrument>('POST', '/api/v1/instruments', { jsonText: text });
        setFile(null);
        setInputKey((n) => n + 1);
        onLoaded(r.data);
      } catch (e) {
        if (e instanceof ApiError && e.status === 400 && e.problem?.slug === 'malformed-json') {
          const list = e.problem.body.errors;
          const where = (Array.isArray(list) ? list[0] : undefined) as { line?: unknown; column?: unknown } | undefined;
          setRefusal({ kind: 'not_json', line: typeof where?.line === 'number' ? where.line : null,
            column: typeof where?.column === 'number' ? where.column : null });
        } else if (e instanceof ApiError && e.status === 422 && e.problem) {
          const more = /^(\d+) problems: the first (\d+) are listed/.exec(e.problem.detail ?? '');
          const errors = sortProblems(e.problem.errors, body);
          setRefusal({ kind: 'problems', errors, total: more ? Number(more[1]) : errors.length, doc: body });
        } else if (e instanceof ApiError && e.status === 409) {
          setRefusal({ kind: 'loaded', code: typeof head.id === 'string' ? head.id : '',
            version: typeof head.version === 'string' ? head.version : '' });
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
            {refusal.kind === 'empty' ? <p class="alert-title">{t('instruments.import.empty')}</p> : null}
            {refusal.kind === 'not_json' ? (
              <>
                <p class="alert-title">{t('instruments.import.not_json')}</p>
                {refusal.line !== null && refusal.column !== null ? (
                  <p id="instrument-import-where">{t('instruments.import.not_json_at', { line: refusal.line, column: refusal.column })}</p>
                ) : null}
              </>
            ) : null}
            {refusal.kind === 'problems' ? (
              <>
                <p class="alert-title" id="instrument-problems-summary">{t('instruments.import.problems', { n: refusal.total })}</p>
                {refusal.total > refusal.errors.length ? (
                  <p>{t('instruments.import.more', { shown: refusal.errors.length, more: refusal.total - refusal.errors.length })}</p>
                ) : null}
                <p class="hint" id="instrument-problems-note">{t('instruments.import.english_note')}</p>
                <div class="table-wrap instrument-problems-wrap" role="region" aria-labelledby="instrument-problems-summary" tabIndex={0}>
                  <table class="table instrument-problems" id="instrument-problems" aria-describedby="instrument-problems-note">
                    <thead>
                      <tr>
                        <th scope="col">{t('instruments.import.path')}</th>
                        <th scope="col">{t('instruments.import.message')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {refusal.errors.map((x, n) => {
                        const where = placeOf(x.field, refusal.doc);
                        return (
                          <tr key={n}>
                            <th scope="row">
                              <code class="problem-path">{x.field === '' ? t('instruments.import.whole_file') : x.field}</code>
                              {where.item ? <span class="cell-sub problem-place">{t('instruments.import.at_item', { id: where.item })}</span>
                                : where.domain ? <span class="cell-sub problem-place">{t('instruments.import.at_domain', { id: where.domain })}</span> : null}
                            </th>
                            <td class="problem-message" lang="en">{x.message}</td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
              </>
            ) : null}
            {refusal.kind === 'loaded' ? (
              <p class="alert-title">{refusal.code && refusal.version
                ? t('instruments.import.loaded', { code: refusal.code, version: refusal.version })
                : t('instruments.import.loaded_any')}</p>
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
  // The row as last known to be stored: the table's copy, or this row's own save when that is newer (the table's
  // reload after a save may still be on its way, and must neither undo the save nor a choice made since).
  const [stored, setStored] = useState(row);
  useEffect(() => { setStored((s) => (row.version >= s.version ? row : s)); }, [row]);
  const [level, setLevel] = useState(row.level ?? '');
  const [saved, setSaved] = useState(false);
  useEffect(() => { setLevel(stored.level ?? ''); }, [stored.version, stored.level]);
  const { busy, error, run } = useAction();
  const id = `suggestion-${idPart(row.instrument_code)}-${idPart(row.judgement)}`;
  const label = say(row.judgement_label, lang, row.judgement);
  const options = levels.filter((l) => l.active || l.code === stored.level);
  const changed = level !== (stored.level ?? '');
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
            const answer = await request<Suggestion>('PUT',
              `/api/v1/level-suggestions/${encodeURIComponent(row.instrument_code)}/${encodeURIComponent(row.judgement)}`,
              { body: { level: level === '' ? null : level }, ifMatch: String(stored.version) });
            setStored(answer.data);
            setSaved(true);
            onSaved();
          });
        }}>
          <label for={id} class="visually-hidden">{t('instruments.suggestions.level_for', { judgement: label })}</label>
          <select id={id} class="input" value={level} onChange={(e) => { setLevel(e.currentTarget.value); setSaved(false); }}
            aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-error` : undefined}>
            <option value="">{t('instruments.suggestions.no_suggestion')}</option>
            {options.map((l) => <option key={l.code} value={l.code}>{say(l.title, lang, l.code)}</option>)}
            {stored.level && !options.some((l) => l.code === stored.level)
              ? <option value={stored.level}>{say(stored.level_title, lang, stored.level)}</option> : null}
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
        {stored.updated_at ? (
          <>
            <span class="cell-main">{dates.short(stored.updated_at)}</span>
            <span class="cell-sub">{stored.updated_by_name ?? '—'}</span>
          </>
        ) : '—'}
      </td>
    </tr>
  );
}
