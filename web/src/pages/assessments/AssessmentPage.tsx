// /assessments/:id — one risk and needs assessment made with an instrument loaded as data. The
// header says whose case, which instrument (and version), its status and assessor, the
// instrument's notice, a banner when the instrument is not validated, and — always — that the final
// judgement is the assessor's own and is never computed from the items. The assessor edits a draft:
// per domain each item's rating (guidance in the UI language, folded away), evidence and source,
// then the domain's own rating; the sources consulted and limitations; the judgement with its
// rationale; scenarios and risk-management actions. What still stops submission is listed as a
// checklist; the server's 422 errors stand next to their fields. A unit head countersigns or
// returns a submitted one. Everyone else, and every other status, gets the read-only view.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, request } from '../../api';
import { ConfirmDialog } from '../../components/Dialog';
import { FormError, SelectField, Success, TextAreaField, TextField } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { useI18n, type Lang, type MessageKey } from '../../i18n';
import { fieldMessage } from '../../problems';
import { navigate } from '../../router';
import { useDates, useSession, useTimeZone } from '../../session';
import { localProblem } from '../cases/Decisions';
import { DateField, RadioGroup } from '../cases/Fields';
import { formatDay, getVersioned, today } from '../cases/model';
import { plural } from '../supervision/model';
import './assessments.css';
import {
  SOURCES, SCENARIO_KINDS, ACTION_KINDS, inLang, codeLabel, StatusBadge, assessProblem, JudgementNotice, valueLabel, type T, type Definition, type Instrument, type Assessment,
} from './model';

const LIMITS = { text: 4000, evidence: 4000, detail: 300, comment: 2000, scenario: 2000, action: 1000, scenarios: 10, actions: 20,
  withdraw: { min: 5, max: 1000 }, countersign: 2000, ret: { min: 5, max: 2000 } };

// ---- the page ----

interface Loaded {
  a: Assessment;
  version: string;
  instrument: Instrument | null;
}

async function loadAll(id: string, signal: AbortSignal): Promise<Loaded> {
  const r = await getVersioned<Assessment>(`/api/v1/assessments/${encodeURIComponent(id)}`, { signal });
  let instrument: Instrument | null = null;
  try {
    instrument = await get<Instrument>(`/api/v1/instruments/${encodeURIComponent(r.data.instrument_id)}`, { signal });
  } catch (e) {
    if (signal.aborted) throw e;
  }
  return { a: r.data, version: r.version, instrument };
}

export function AssessmentPage({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const load = useLoad((signal) => loadAll(id, signal), [id]);
  const [done, setDone] = useState('');
  // Every step answers with the assessment as it now is: shown at once, without asking again.
  const [fresh, setFresh] = useState<{ a: Assessment; version: string } | null>(null);
  const a = fresh?.a ?? load.data?.a;
  return (
    <>
      <p class="breadcrumbs"><Link href="/supervision/assessments">{t('assessments.title')}</Link></p>
      <div class="page-head">
        <h1 tabIndex={-1} id="assessment-heading">
          {a ? `${inLang(a.instrument_name, lang) || a.instrument_code}: ${a.case_number}` : t('assessment.title')}
        </h1>
      </div>
      {done ? <Success><p class="alert-title" id="assessment-done">{done}</p></Success> : null}
      <LoadState load={load}>
        {(d) => {
          const shown = fresh ? { ...d, ...fresh } : d;
          return (
            <AssessmentBody key={shown.version} data={shown} onChanged={(text, next) => {
              setDone(text);
              if (next) setFresh(next);
              else { setFresh(null); load.reload(); }
              window.scrollTo(0, 0);
            }} />
          );
        }}
      </LoadState>
    </>
  );
}

type OnChanged = (text: string, next?: { a: Assessment; version: string }) => void;

/** The assessment and its version from a step's answer (null when the answer has none). */
function answered(r: { data: unknown; etag: string | null }): { a: Assessment; version: string } | undefined {
  const a = r.data as Assessment | null;
  if (!a || typeof a !== 'object' || !a.id || !a.status) return undefined;
  return { a, version: r.etag ?? String(a.version) };
}

function AssessmentBody({ data, onChanged }: { data: Loaded; onChanged: OnChanged }) {
  const { t, lang } = useI18n();
  const dates = useDates();
  const { user } = useSession();
  const { a, instrument } = data;
  const def = instrument?.definition ?? null;
  const notice = instrument?.notice ?? def?.notice ?? null;
  const validated = instrument ? instrument.validated : def?.validated ?? true;
  const editable = a.allowed?.edit ?? (a.status === 'draft' && user?.id === a.assessor_id);
  return (
    <>
      <section class="card assess-head" aria-labelledby="assess-facts-heading">
        <h2 id="assess-facts-heading" class="visually-hidden">{t('assess.facts')}</h2>
        <dl class="facts facts-compact">
          <div class="fact"><dt>{t('assess.case')}</dt><dd>
            <Link href={`/cases/${encodeURIComponent(a.case_id)}#assessments`}>{a.person_name ? `${a.person_name} · ${a.case_number}` : a.case_number}</Link>
          </dd></div>
          <div class="fact"><dt>{t('assess.instrument')}</dt>
            <dd id="assess-instrument">{t('assess.instrument.version', { name: inLang(a.instrument_name, lang) || a.instrument_code, version: a.instrument_version })}</dd></div>
          <div class="fact"><dt>{t('assess.status')}</dt><dd><StatusBadge status={a.status} /></dd></div>
          <div class="fact"><dt>{t('assess.assessor')}</dt><dd id="assess-assessor">{a.assessor_name}</dd></div>
          <div class="fact"><dt>{t('assess.reason')}</dt><dd>{codeLabel(t, 'assess.reason', a.reason)}</dd></div>
          {a.assessed_on ? <div class="fact"><dt>{t('assess.assessed_on')}</dt><dd>{formatDay(a.assessed_on, lang)}</dd></div> : null}
          {a.submitted_at ? <div class="fact"><dt>{t('assess.submitted_at')}</dt><dd>{dates.short(a.submitted_at)}</dd></div> : null}
          {a.countersigned_at ? (
            <div class="fact"><dt>{t('assess.countersigned')}</dt>
              <dd>{t('assess.by_at', { name: a.countersigned_by_name ?? '—', time: dates.short(a.countersigned_at) })}</dd></div>
          ) : null}
        </dl>
        {!validated ? (
          <div class="alert alert-warning assess-unvalidated" role="note" id="assess-unvalidated">
            <p class="alert-title">{t('assess.unvalidated')}</p>
            <p>{t('assess.unvalidated.about')}</p>
          </div>
        ) : null}
        {notice && inLang(notice, lang) ? <p class="notice assess-notice" id="assess-notice">{inLang(notice, lang)}</p> : null}
        <JudgementNotice />
        {a.status === 'draft' && a.returned_at ? (
          <div class="alert alert-warning" role="status" id="assess-returned">
            <p class="alert-title">{t('assess.returned', { name: a.returned_by_name ?? '—', time: dates.short(a.returned_at) })}</p>
            {a.return_note ? <p class="prewrap">{a.return_note}</p> : null}
          </div>
        ) : null}
        {a.status === 'withdrawn' ? (
          <p class="notice" id="assess-withdrawn">{t('assess.withdrawn.line', { time: dates.short(a.withdrawn_at) })}
            {a.withdraw_reason ? ` ${a.withdraw_reason}` : ''}</p>
        ) : null}
        {a.status === 'superseded' && a.superseded_by ? (
          <p class="notice"><Link href={`/assessments/${encodeURIComponent(a.superseded_by)}`}>{t('assess.superseded.link')}</Link></p>
        ) : null}
        {a.certification_required && !a.assessor_certified && a.status === 'draft' ? (
          <div class="alert alert-warning" role="status" id="assess-not-certified">
            <p>{t('assess.not_certified')}</p>
          </div>
        ) : null}
        <p><Link href={`/assessment-history/${encodeURIComponent(a.case_id)}?instrument=${encodeURIComponent(a.instrument_code)}`}>
          {t('assess.history.link')}</Link></p>
      </section>
      {!def ? (
        <div class="alert alert-error" role="alert"><p>{t('assess.definition.missing')}</p></div>
      ) : editable ? (
        <EditForm a={a} version={data.version} def={def} onChanged={onChanged} />
      ) : (
        <ReadOnly a={a} def={def} />
      )}
      {a.status === 'submitted' && (a.allowed?.countersign || a.allowed?.return) ? (
        <CountersignForm a={a} version={data.version} onChanged={onChanged} />
      ) : null}
    </>
  );
}

// ---- the draft ----

interface DraftRating {
  value: string;
  evidence: string;
  source: string;
  source_detail: string;
}

interface Draft {
  assessed_on: string;
  sources: string;
  limitations: string;
  ratings: Record<string, DraftRating>;
  domains: Record<string, { value: string; comment: string }>;
  judgement: string;
  rationale: string;
  scenarios: { kind: string; description: string }[];
  actions: { kind: string; description: string; due_on: string }[];
}

function draftOf(a: Assessment): Draft {
  const ratings: Record<string, DraftRating> = {};
  for (const [k, r] of Object.entries(a.ratings ?? {})) {
    ratings[k] = { value: r.value ?? '', evidence: r.evidence ?? '', source: r.source ?? '', source_detail: r.source_detail ?? '' };
  }
  const domains: Record<string, { value: string; comment: string }> = {};
  for (const [k, d] of Object.entries(a.domains ?? {})) domains[k] = { value: d.value ?? '', comment: d.comment ?? '' };
  return {
    assessed_on: a.assessed_on ?? '',
    sources: a.sources ?? '',
    limitations: a.limitations ?? '',
    ratings,
    domains,
    judgement: a.judgement ?? '',
    rationale: a.rationale ?? '',
    scenarios: (a.scenarios ?? []).map((s) => ({ kind: s.kind, description: s.description })),
    actions: (a.actions ?? []).map((x) => ({ kind: x.kind, description: x.description, due_on: x.due_on ?? '' })),
  };
}

/** The PUT body: the whole draft; ratings and domains only where something was entered. */
function bodyOf(d: Draft): Record<string, unknown> {
  const ratings: Record<string, unknown> = {};
  for (const [k, r] of Object.entries(d.ratings)) {
    if (!r.value && !r.evidence.trim() && !r.source && !r.source_detail.trim()) continue;
    const one: Record<string, unknown> = { value: r.value || null, evidence: r.evidence.trim() };
    if (r.source) one.source = r.source;
    if (r.source_detail.trim()) one.source_detail = r.source_detail.trim();
    ratings[k] = one;
  }
  const domains: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d.domains)) {
    if (!v.value && !v.comment.trim()) continue;
    domains[k] = { value: v.value || null, comment: v.comment.trim() || null };
  }
  const body: Record<string, unknown> = {
    sources: d.sources.trim(),
    limitations: d.limitations.trim(),
    ratings,
    domains,
    judgement: d.judgement || null,
    rationale: d.rationale.trim(),
    scenarios: d.scenarios.map((s) => ({ kind: s.kind, description: s.description.trim() })),
    actions: d.actions.map((x) => ({ kind: x.kind, description: x.description.trim(), due_on: x.due_on })),
  };
  if (d.assessed_on) body.assessed_on = d.assessed_on;
  return body;
}

/** The element id a server field name points at (for the summary's links and the checklist). */
function fieldId(field: string): string {
  const safe = (s: string) => s.replace(/[^\w-]/g, '_');
  let m = /^ratings\.([^.]+)(?:\.(value|evidence|source|source_detail))?$/.exec(field);
  if (m) {
    const part = m[2] ?? 'value';
    return `as-r-${safe(m[1] ?? '')}-${part === 'source_detail' ? 'detail' : part}`;
  }
  m = /^domains\.([^.]+)(?:\.(value|comment))?$/.exec(field);
  if (m) return `as-d-${safe(m[1] ?? '')}-${m[2] ?? 'value'}`;
  m = /^(scenarios|actions)(?:\.(\d+)|\[(\d+)\])(?:\.(\w+))?$/.exec(field);
  if (m) return `as-${m[1]}-${m[2] ?? m[3]}-${m[4] ?? 'description'}`;
  return `as-${safe(field)}`;
}

/** A field message in the UI language: the assessment's own wordings, else the general ones. */
function assessMessage(t: T, message: string): string {
  if (/^is not rated\b/i.test(message)) return t('assess.missing.not_rated');
  if (/^is required\b/i.test(message)) return t('assess.required');
  // Whole sentences, so that no adjective has to agree with a field's gender (ru).
  const m = /^must (?:have|be) at least (\d+) characters?(?: long)?\.?$/i.exec(message.trim());
  if (m) return m[1] === '1' ? t('assess.required') : t('assess.chars.min', { n: m[1] ?? '' });
  return fieldMessage(t, message);
}

/** The error with its field messages worded in the UI language (for the form's summary). */
function localisedError(error: unknown, t: T): unknown {
  if (!(error instanceof ApiError) || !error.problem) return error;
  const problem = { ...error.problem, errors: error.problem.errors.map((e) => ({ field: e.field, message: assessMessage(t, e.message) })) };
  return new ApiError(error.message, error.status, problem, error.retryAfter);
}

/** The server's per-field messages by field name, worded in the UI language. */
function assessFieldErrors(error: unknown, t: T): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof ApiError) || !error.problem) return out;
  for (const e of error.problem.errors) {
    const text = assessMessage(t, e.message);
    out[e.field] = out[e.field] ? `${out[e.field]} ${text}` : text;
  }
  return out;
}

/** What a server field name is called on the form. */
function fieldLabel(t: T, lang: Lang, def: Definition, field: string): string {
  const item = (id: string) => def.domains.flatMap((d) => d.items).find((i) => i.id === id);
  let m = /^ratings\.([^.]+)(?:\.(\w+))?$/.exec(field);
  if (m) {
    const it = item(m[1] ?? '');
    const name = it ? `${it.id} ${inLang(it.title, lang)}` : m[1] ?? '';
    const part = m[2] ? ` — ${codeLabel(t, 'assess.field', m[2])}` : '';
    return `${name}${part}`;
  }
  m = /^domains\.([^.]+)(?:\.(\w+))?$/.exec(field);
  if (m) {
    const d = def.domains.find((x) => x.id === m?.[1]);
    return t('assess.domain.rating.of', { domain: d ? inLang(d.name, lang) : m[1] ?? '' });
  }
  m = /^(scenarios|actions)(?:\.(\d+)|\[(\d+)\])(?:\.(\w+))?$/.exec(field);
  if (m) {
    const part = m[4] ? ` — ${codeLabel(t, 'assess.field', m[4])}` : '';
    return `${t(m[1] === 'scenarios' ? 'assess.scenarios' : 'assess.actions')} ${Number(m[2] ?? m[3]) + 1}${part}`;
  }
  return codeLabel(t, 'assess.field', field);
}

function valueOptions(def: Definition, scaleId: string, lang: Lang): { value: string; label: string; about?: string }[] {
  const scale = def.scales.find((s) => s.id === scaleId);
  return (scale?.values ?? []).map((v) => {
    const about = inLang(v.description, lang);
    return about ? { value: v.id, label: inLang(v.label, lang) || v.id, about } : { value: v.id, label: inLang(v.label, lang) || v.id };
  });
}


function EditForm({ a, version, def, onChanged }: { a: Assessment; version: string; def: Definition; onChanged: OnChanged }) {
  const { t, lang } = useI18n();
  const zone = useTimeZone();
  const [d, setD] = useState<Draft>(() => draftOf(a));
  // The saved draft's version and missing list (a save whose submission failed moves them on).
  const [current, setCurrent] = useState<{ a: Assessment; version: string }>({ a, version });
  const [dirty, setDirty] = useState(false);
  const [withdrawing, setWithdrawing] = useState(false);
  const [withdrawReason, setWithdrawReason] = useState('');
  const [leaving, setLeaving] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();
  const fe = assessFieldErrors(error, t);
  // Leaving with unsaved changes asks first: a reload or a closed tab through the browser's own
  // question, a link inside Kadam through ours (the click is caught before the link's handler).
  useEffect(() => {
    if (!dirty) return undefined;
    const warn = (e: BeforeUnloadEvent) => { e.preventDefault(); e.returnValue = ''; };
    const click = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const link = e.target instanceof Element ? e.target.closest('a[href]') : null;
      if (!(link instanceof HTMLAnchorElement) || (link.target && link.target !== '_self') || link.hasAttribute('download')) return;
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin || (url.pathname === location.pathname && url.search === location.search)) return;
      e.preventDefault();
      e.stopPropagation();
      setLeaving(`${url.pathname}${url.search}${url.hash}`);
    };
    window.addEventListener('beforeunload', warn);
    document.addEventListener('click', click, true);
    return () => {
      window.removeEventListener('beforeunload', warn);
      document.removeEventListener('click', click, true);
    };
  }, [dirty]);
  const update = (change: (x: Draft) => Draft) => { setD((x) => change(x)); setDirty(true); };
  const rating = (item: string): DraftRating => d.ratings[item] ?? { value: '', evidence: '', source: '', source_detail: '' };
  const setRating = (item: string, part: keyof DraftRating, value: string) =>
    update((x) => ({ ...x, ratings: { ...x.ratings, [item]: { ...rating(item), ...x.ratings[item], [part]: value } } }));
  const domain = (id: string) => d.domains[id] ?? { value: '', comment: '' };
  const setDomain = (id: string, part: 'value' | 'comment', value: string) =>
    update((x) => ({ ...x, domains: { ...x.domains, [id]: { ...domain(id), ...x.domains[id], [part]: value } } }));
  const ids: Record<string, string> = {};
  const labels: Record<string, string> = {};
  for (const e of [...(error instanceof ApiError ? error.problem?.errors ?? [] : []), ...(current.a.missing ?? [])]) {
    ids[e.field] = fieldId(e.field);
    labels[e.field] = fieldLabel(t, lang, def, e.field);
  }
  // An error on `ratings.X` (not rated at all) is shown at the item's value.
  const err = (field: string, ...more: string[]) => {
    const names = [field, ...more];
    // scenarios.0.x is sent back as scenarios[0].x.
    for (const n of [field, ...more]) {
      const m = /^(scenarios|actions)\.(\d+)(.*)$/.exec(n);
      if (m) names.push(`${m[1]}[${m[2]}]${m[3]}`);
    }
    return names.map((f) => fe[f]).filter(Boolean).join(' ') || undefined;
  };
  const save = (then?: 'submit') => run(async () => {
    const r = await request<Assessment>('PUT', `/api/v1/assessments/${encodeURIComponent(a.id)}`, { body: bodyOf(d), ifMatch: current.version });
    if (then === 'submit') {
      const etag = r.etag ?? String(r.data.version);
      let s: Awaited<ReturnType<typeof request<Assessment>>>;
      try {
        s = await request<Assessment>('POST', `/api/v1/assessments/${encodeURIComponent(a.id)}/submission`, { ifMatch: etag });
      } catch (e) {
        // The draft is saved even though it could not be submitted: keep the form, with the new version.
        const saved = answered(r);
        if (saved) { setCurrent(saved); setDirty(false); }
        throw e;
      }
      onChanged(t('assess.submitted'), answered(s));
      return;
    }
    onChanged(t('assess.saved'), answered(r));
  });
  return (
    <form class="form form-wide assess-form" noValidate aria-labelledby="assess-form-heading"
      onSubmit={(e) => { e.preventDefault(); void save(); }}>
      <h2 id="assess-form-heading">{t('assess.form.title')}</h2>
      {/* Focus moves here whenever an action is refused (a new error). */}
      <FormError error={localisedError(error, t)} focusKey={error} fields={ids} labels={labels}
        message={error ? assessProblem(t, error) : undefined} />
      <Missing a={current.a} def={def} dirty={dirty} />
      <div class="form-grid">
        <DateField id="as-assessed_on" label={t('assess.assessed_on')} value={d.assessed_on} max={today(zone)}
          onValue={(v) => update((x) => ({ ...x, assessed_on: v }))} error={err('assessed_on')} />
      </div>
      {def.domains.map((dom) => (
        <fieldset class="card assess-domain" key={dom.id} id={`as-domain-${dom.id}`} data-domain={dom.id}>
          <legend class="assess-domain-name">
            <span>{inLang(dom.name, lang) || dom.id}</span>{' '}
            <span class="badge badge-off">{codeLabel(t, 'assess.domain.kind', dom.kind)}</span>
          </legend>
          {dom.description && inLang(dom.description, lang) ? <p class="hint">{inLang(dom.description, lang)}</p> : null}
          {dom.items.map((it) => {
            const r = rating(it.id);
            const base = `as-r-${it.id.replace(/[^\w-]/g, '_')}`;
            const guidance = inLang(it.guidance, lang);
            return (
              <div class="assess-item" key={it.id} data-item={it.id}>
                <h3 class="assess-item-title">
                  <span class="assess-item-id">{it.id}</span> {inLang(it.title, lang) || it.id}{' '}
                  <span class={it.kind === 'static' ? 'badge badge-off' : 'badge badge-info'}>{codeLabel(t, 'assess.item.kind', it.kind)}</span>
                </h3>
                {guidance ? (
                  <details class="assess-guidance" id={`${base}-guidance`}>
                    <summary>{t('assess.guidance')}</summary>
                    <p class="prewrap">{guidance}</p>
                  </details>
                ) : null}
                <RadioGroup id={`${base}-value`} legend={t('assess.rating.value', { item: it.id, title: inLang(it.title, lang) || it.id })} value={r.value}
                  onValue={(v) => setRating(it.id, 'value', v)} options={valueOptions(def, it.scale, lang)}
                  error={err(`ratings.${it.id}`, `ratings.${it.id}.value`)} />
                <TextAreaField id={`${base}-evidence`} label={t('assess.rating.evidence')} value={r.evidence} rows={3} max={LIMITS.evidence}
                  onValue={(v) => setRating(it.id, 'evidence', v)} error={err(`ratings.${it.id}.evidence`)} />
                <div class="form-grid">
                  <SelectField id={`${base}-source`} label={t('assess.rating.source')} value={r.source}
                    onValue={(v) => setRating(it.id, 'source', v)} error={err(`ratings.${it.id}.source`)}
                    options={[{ value: '', label: t('assess.pick') }, ...SOURCES.map((s) => ({ value: s, label: codeLabel(t, 'assess.source', s) }))]} />
                  <TextField id={`${base}-detail`} label={t('assess.rating.source_detail')} value={r.source_detail} optional maxLength={LIMITS.detail}
                    onValue={(v) => setRating(it.id, 'source_detail', v)} error={err(`ratings.${it.id}.source_detail`)} />
                </div>
              </div>
            );
          })}
          <div class="assess-domain-rating">
            <RadioGroup id={`as-d-${dom.id.replace(/[^\w-]/g, '_')}-value`} legend={t('assess.domain.rating.of', { domain: inLang(dom.name, lang) || dom.id })}
              value={domain(dom.id).value} onValue={(v) => setDomain(dom.id, 'value', v)} options={valueOptions(def, dom.rating_scale, lang)}
              hint={t('assess.domain.rating.hint')} error={err(`domains.${dom.id}`, `domains.${dom.id}.value`)} />
            <TextAreaField id={`as-d-${dom.id.replace(/[^\w-]/g, '_')}-comment`} label={t('assess.domain.comment')} rows={2} max={LIMITS.comment}
              value={domain(dom.id).comment} onValue={(v) => setDomain(dom.id, 'comment', v)} error={err(`domains.${dom.id}.comment`)} />
          </div>
        </fieldset>
      ))}
      <section class="card" aria-labelledby="assess-basis-heading">
        <h2 id="assess-basis-heading">{t('assess.basis')}</h2>
        <TextAreaField id="as-sources" label={t('assess.field.sources')} hint={t('assess.sources.hint')} value={d.sources} max={LIMITS.text}
          onValue={(v) => update((x) => ({ ...x, sources: v }))} error={err('sources')} />
        <TextAreaField id="as-limitations" label={t('assess.field.limitations')} hint={t('assess.limitations.hint')} value={d.limitations}
          max={LIMITS.text} onValue={(v) => update((x) => ({ ...x, limitations: v }))} error={err('limitations')} />
      </section>
      <section class="card" aria-labelledby="assess-judgement-heading">
        <h2 id="assess-judgement-heading">{t('assess.field.judgement')}</h2>
        <JudgementNotice />
        <RadioGroup id="as-judgement" legend={t('assess.judgement.legend')} value={d.judgement}
          onValue={(v) => update((x) => ({ ...x, judgement: v }))} error={err('judgement')}
          options={def.judgements.map((j) => {
            const about = inLang(j.description, lang);
            return about ? { value: j.id, label: inLang(j.label, lang) || j.id, about } : { value: j.id, label: inLang(j.label, lang) || j.id };
          })} />
        <TextAreaField id="as-rationale" label={t('assess.field.rationale')} hint={t('assess.rationale.hint')} value={d.rationale}
          max={LIMITS.text} onValue={(v) => update((x) => ({ ...x, rationale: v }))} error={err('rationale')} />
      </section>
      <ListEditor title={t('assess.scenarios')} about={t('assess.scenarios.about')} prefix="scenarios" max={LIMITS.scenarios}
        addLabel={t('assess.scenario.add')} removeLabel={(n) => t('assess.scenario.remove', { n })} error={err('scenarios')}
        items={d.scenarios} onItems={(items) => update((x) => ({ ...x, scenarios: items }))}
        blank={() => ({ kind: 'repeat', description: '' })}
        render={(s, i, set) => (
          <>
            <SelectField id={`as-scenarios-${i}-kind`} label={t('assess.scenario.kind')} value={s.kind} onValue={(v) => set({ ...s, kind: v })}
              error={err(`scenarios.${i}.kind`)} options={SCENARIO_KINDS.map((k) => ({ value: k, label: codeLabel(t, 'assess.scenario', k) }))} />
            <TextAreaField id={`as-scenarios-${i}-description`} label={t('assess.scenario.description')} value={s.description} rows={3}
              max={LIMITS.scenario} onValue={(v) => set({ ...s, description: v })} error={err(`scenarios.${i}.description`, `scenarios.${i}`)} />
          </>
        )} />
      <ListEditor title={t('assess.actions')} about={t('assess.actions.about')} prefix="actions" max={LIMITS.actions}
        addLabel={t('assess.action.add')} removeLabel={(n) => t('assess.action.remove', { n })} error={err('actions')}
        items={d.actions} onItems={(items) => update((x) => ({ ...x, actions: items }))}
        blank={() => ({ kind: 'supervision', description: '', due_on: '' })}
        render={(x, i, set) => (
          <>
            <div class="form-grid">
              <SelectField id={`as-actions-${i}-kind`} label={t('assess.action.kind')} value={x.kind} onValue={(v) => set({ ...x, kind: v })}
                error={err(`actions.${i}.kind`)} options={ACTION_KINDS.map((k) => ({ value: k, label: codeLabel(t, 'assess.action', k) }))} />
              <DateField id={`as-actions-${i}-due_on`} label={t('assess.action.due_on')} value={x.due_on} onValue={(v) => set({ ...x, due_on: v })}
                error={err(`actions.${i}.due_on`)} />
            </div>
            <TextAreaField id={`as-actions-${i}-description`} label={t('assess.action.description')} value={x.description} rows={2}
              max={LIMITS.action} onValue={(v) => set({ ...x, description: v })} error={err(`actions.${i}.description`, `actions.${i}`)} />
          </>
        )} />
      <p class="hint">{t('assess.submit.hint')}</p>
      {(a.allowed?.withdraw ?? true) && !withdrawing ? (
        <div class="button-row assess-buttons">
          <button type="button" class="button button-secondary" id="assess-withdraw" onClick={() => setWithdrawing(true)}>{t('assess.withdraw')}</button>
        </div>
      ) : null}
      {withdrawing ? (
        <div class="assess-withdraw" role="group" aria-labelledby="assess-withdraw-heading">
          <h3 id="assess-withdraw-heading">{t('assess.withdraw')}</h3>
          <TextAreaField id="as-withdraw-reason" label={t('assess.withdraw.reason')} value={withdrawReason} onValue={setWithdrawReason}
            min={LIMITS.withdraw.min} max={LIMITS.withdraw.max} rows={2} autoFocus error={fe.reason} />
          <div class="button-row">
            <button type="button" class="button button-danger" id="assess-withdraw-confirm" disabled={busy}
              onClick={() => {
                const n = withdrawReason.trim().length;
                if (n < LIMITS.withdraw.min || n > LIMITS.withdraw.max) {
                  setError(localProblem([{ field: 'reason', message: t('assess.chars.between', LIMITS.withdraw) }]));
                  return;
                }
                void run(async () => {
                const r = await request<Assessment>('POST', `/api/v1/assessments/${encodeURIComponent(a.id)}/withdrawal`,
                  { body: { reason: withdrawReason.trim() }, ifMatch: current.version });
                onChanged(t('assess.withdrawn'), answered(r));
              }); }}>{t('assess.withdraw.confirm')}</button>
            <button type="button" class="button button-secondary" onClick={() => setWithdrawing(false)}>{t('action.cancel')}</button>
          </div>
        </div>
      ) : null}
      {/* Save and submit stay in reach wherever one is in the long form. */}
      <div class="assess-savebar" role="group" aria-label={t('assess.savebar')} id="assess-savebar">
        <span class={dirty ? 'assess-savebar-state is-dirty' : 'assess-savebar-state'} role="status" id="assess-dirty">
          {dirty ? t('assess.unsaved') : t('assess.all_saved')}</span>
        <div class="button-row">
          <button type="submit" class="button button-secondary" id="assess-save" disabled={busy}>{busy ? t('cases.saving') : t('assess.save')}</button>
          <button type="button" class="button" id="assess-submit" disabled={busy}
            onClick={() => { void save('submit'); }}>{t('assess.submit')}</button>
        </div>
      </div>
      <ConfirmDialog open={leaving !== null} title={t('assess.leave.title')} confirmLabel={t('assess.leave.confirm')} danger
        onCancel={() => setLeaving(null)}
        onConfirm={() => { const to = leaving; setLeaving(null); setDirty(false); if (to) navigate(to); }}>
        <p id="assess-leave-text">{t('assess.leave.text')}</p>
      </ConfirmDialog>
    </form>
  );
}

/** What still stops submission, as the server said it for the saved draft: a checklist linking to each field. */
function Missing({ a, def, dirty }: { a: Assessment; def: Definition; dirty: boolean }) {
  const { t, lang } = useI18n();
  const missing = a.missing ?? [];
  if (!missing.length) {
    return <p class="notice assess-complete" id="assess-missing-none" role="status">{t('assess.missing.none')}</p>;
  }
  return (
    <section class="assess-missing" aria-labelledby="assess-missing-heading" id="assess-missing">
      <h3 id="assess-missing-heading">{t('assess.missing.title', { n: missing.length })}</h3>
      {dirty ? <p class="hint">{t('assess.missing.stale')}</p> : null}
      <ul class="assess-checklist">
        {missing.map((m) => {
          const target = fieldId(m.field);
          return (
            <li key={m.field} data-field={m.field}>
              <span class="assess-box" aria-hidden="true">☐</span>{' '}
              <a href={`#${target}`} onClick={(e) => {
                e.preventDefault();
                const el = document.getElementById(target);
                const focusable = el?.matches('input, select, textarea') ? el : el?.querySelector<HTMLElement>('input, select, textarea') ?? el;
                focusable?.focus();
                el?.scrollIntoView({ block: 'center' });
              }}>
                {fieldLabel(t, lang, def, m.field)}: {assessMessage(t, m.message)}
              </a>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

interface ListEditorProps<I> {
  title: string;
  about: string;
  prefix: string;
  max: number;
  addLabel: string;
  removeLabel: (n: number) => string;
  error: string | undefined;
  items: I[];
  onItems: (items: I[]) => void;
  blank: () => I;
  render: (item: I, index: number, set: (item: I) => void) => ComponentChildren;
}

/** A list of small records: each with its fields and a remove button, and an add button under them. */
function ListEditor<I>({ title, about, prefix, max, addLabel, removeLabel, error, items, onItems, blank, render }: ListEditorProps<I>) {
  const { t } = useI18n();
  const headingId = `as-${prefix}-heading`;
  return (
    <section class="card assess-list" aria-labelledby={headingId} id={`as-${prefix}`}>
      <h2 id={headingId}>{title}</h2>
      <p class="hint">{about}</p>
      {error ? <p class="field-error"><span class="visually-hidden">{t('form.error_prefix')} </span>{error}</p> : null}
      {items.length === 0 ? <p class="muted">{t('assess.list.none')}</p> : null}
      <ol class="plain-list assess-list-items">
        {items.map((item, i) => (
          <li key={i} class="assess-list-item" data-index={i}>
            {render(item, i, (next) => onItems(items.map((x, j) => (j === i ? next : x))))}
            <button type="button" class="button button-secondary button-small" id={`as-${prefix}-${i}-remove`}
              onClick={() => {
                onItems(items.filter((_, j) => j !== i));
                window.setTimeout(() => document.getElementById(`as-${prefix}-add`)?.focus(), 0);
              }}>{removeLabel(i + 1)}</button>
          </li>
        ))}
      </ol>
      {items.length < max ? (
        <button type="button" class="button button-secondary" id={`as-${prefix}-add`}
          onClick={() => {
            onItems([...items, blank()]);
            window.setTimeout(() => document.getElementById(`as-${prefix}-${items.length}-kind`)?.focus(), 0);
          }}>{addLabel}</button>
      ) : null}
    </section>
  );
}

// ---- read only ----

/** A rating with its scale for context: "Need: considerable (3 of 3)", the value's description on hover. */
function ScaleValueText({ def, scale, value }: { def: Definition; scale: string; value: string }) {
  const { t, lang } = useI18n();
  const values = def.scales.find((s) => s.id === scale)?.values ?? [];
  const at = values.findIndex((v) => v.id === value);
  const label = valueLabel(def, scale, value, lang);
  const key = `assess.scale.${scale}` as MessageKey;
  const framed = t(key, { value: label });
  const text = framed === key ? label : framed;
  const about = at >= 0 ? inLang(values[at]?.description, lang) : '';
  return (
    <span class="assess-scale-value" data-value={value} title={about || undefined}>
      {text}{at >= 0 ? <span class="muted"> ({t('assess.scale.position', { n: at + 1, of: values.length })})</span> : null}
    </span>
  );
}

function ReadOnly({ a, def }: { a: Assessment; def: Definition }) {
  const { t, lang } = useI18n();
  const judgement = def.judgements.find((j) => j.id === a.judgement);
  return (
    <>
      {def.domains.map((dom) => {
        const dr = a.domains?.[dom.id];
        return (
          <section class="card assess-domain" key={dom.id} aria-labelledby={`ro-domain-${dom.id}`} data-domain={dom.id}>
            <h2 id={`ro-domain-${dom.id}`}>{inLang(dom.name, lang) || dom.id}{' '}
              <span class="badge badge-off">{codeLabel(t, 'assess.domain.kind', dom.kind)}</span></h2>
            <p class="assess-domain-value">
              <strong>{t('assess.domain.rating')}:</strong>{' '}
              {dr?.value ? <ScaleValueText def={def} scale={dom.rating_scale} value={dr.value} /> : <span class="muted">{t('assess.not_rated')}</span>}
              {dr?.comment ? <span class="prewrap"> — {dr.comment}</span> : null}
            </p>
            <ul class="plain-list assess-ro-items">
              {dom.items.map((it) => {
                const r = a.ratings?.[it.id];
                return (
                  <li key={it.id} class="assess-item" data-item={it.id}>
                    <h3 class="assess-item-title"><span class="assess-item-id">{it.id}</span> {inLang(it.title, lang)}{' '}
                      <span class={it.kind === 'static' ? 'badge badge-off' : 'badge badge-info'}>{codeLabel(t, 'assess.item.kind', it.kind)}</span></h3>
                    {inLang(it.guidance, lang) ? (
                      <details class="assess-guidance"><summary>{t('assess.guidance')}</summary><p class="prewrap">{inLang(it.guidance, lang)}</p></details>
                    ) : null}
                    {r ? (
                      <dl class="assess-ro-rating">
                        <div class="fact"><dt>{t('assess.rating')}</dt><dd class="assess-value"><ScaleValueText def={def} scale={it.scale} value={r.value} /></dd></div>
                        <div class="fact"><dt>{t('assess.rating.source')}</dt><dd>{r.source ? codeLabel(t, 'assess.source', r.source) : '—'}
                          {r.source_detail ? ` (${r.source_detail})` : ''}</dd></div>
                        <div class="fact assess-ro-evidence"><dt>{t('assess.rating.evidence')}</dt><dd class="prewrap">{r.evidence || '—'}</dd></div>
                      </dl>
                    ) : <p class="muted">{t('assess.not_rated')}</p>}
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
      <section class="card" aria-labelledby="ro-basis">
        <h2 id="ro-basis">{t('assess.basis')}</h2>
        <h3>{t('assess.field.sources')}</h3>
        <p class="prewrap">{a.sources || '—'}</p>
        <h3>{t('assess.field.limitations')}</h3>
        <p class="prewrap">{a.limitations || '—'}</p>
      </section>
      <section class="card" aria-labelledby="ro-judgement">
        <h2 id="ro-judgement">{t('assess.field.judgement')}</h2>
        <JudgementNotice />
        <p id="assess-judgement"><strong>{judgement ? inLang(judgement.label, lang) : a.judgement ? inLang(a.judgement_label, lang) || a.judgement
          : t('assess.judgement.none')}</strong>{judgement && inLang(judgement.description, lang) ? ` — ${inLang(judgement.description, lang)}` : ''}</p>
        {a.rationale ? <><h3>{t('assess.field.rationale')}</h3><p class="prewrap" id="assess-rationale">{a.rationale}</p></> : null}
        {a.countersign_note ? <><h3>{t('assess.countersign.note')}</h3><p class="prewrap">{a.countersign_note}</p></> : null}
      </section>
      <section class="card" aria-labelledby="ro-scenarios">
        <h2 id="ro-scenarios">{t('assess.scenarios')}</h2>
        {(a.scenarios ?? []).length ? (
          <ul class="plain-list">
            {a.scenarios.map((s, i) => <li key={i}><strong>{codeLabel(t, 'assess.scenario', s.kind)}:</strong> <span class="prewrap">{s.description}</span></li>)}
          </ul>
        ) : <p class="muted">{t('assess.list.none')}</p>}
      </section>
      <section class="card" aria-labelledby="ro-actions">
        <h2 id="ro-actions">{t('assess.actions')}</h2>
        {(a.actions ?? []).length ? (
          <ul class="plain-list" id="assess-actions">
            {a.actions.map((x, i) => (
              <li key={x.id ?? i}>
                <strong>{codeLabel(t, 'assess.action', x.kind)}:</strong> {x.description}{' '}
                <span class="muted">{t('assess.action.due', { date: formatDay(x.due_on, lang) })}</span>
                {x.plan_action_id ? <> · <Link href={`/cases/${encodeURIComponent(a.case_id)}#plan`}>{t('assess.action.in_plan')}</Link></> : null}
              </li>
            ))}
          </ul>
        ) : <p class="muted">{t('assess.list.none')}</p>}
      </section>
    </>
  );
}

// ---- the unit head's step ----

function CountersignForm({ a, version, onChanged }: { a: Assessment; version: string; onChanged: OnChanged }) {
  const { t, lang } = useI18n();
  const [note, setNote] = useState('');
  const [confirming, setConfirming] = useState(false);
  const { busy, error, setError, run } = useAction();
  const fe = assessFieldErrors(error, t);
  const step = (path: 'countersignature' | 'return', done: string) => {
    const n = note.trim().length;
    // The return note is checked here first, worded as a whole sentence in the UI language.
    if (path === 'return' && (n < LIMITS.ret.min || n > LIMITS.ret.max)) {
      setError(localProblem([{ field: 'note', message: t('assess.chars.between', LIMITS.ret) }]));
      return;
    }
    if (path === 'countersignature' && n > LIMITS.countersign) {
      setError(localProblem([{ field: 'note', message: t('assess.chars.max', { n: LIMITS.countersign }) }]));
      return;
    }
    void run(async () => {
      const r = await request<Assessment>('POST', `/api/v1/assessments/${encodeURIComponent(a.id)}/${path}`,
        { body: { note: note.trim() }, ifMatch: version });
      onChanged(done, answered(r));
    }).then(() => setConfirming(false));
  };
  const instrument = inLang(a.instrument_name, lang) || a.instrument_code;
  const actions = (a.actions ?? []).length;
  return (
    <section class="card" aria-labelledby="assess-countersign-heading" id="assess-countersign">
      <h2 id="assess-countersign-heading">{t('assess.countersign.title')}</h2>
      <p class="hint">{t('assess.countersign.about')}</p>
      <form class="form form-wide" noValidate onSubmit={(e) => { e.preventDefault(); setError(null); setConfirming(true); }}>
        <FormError error={localisedError(error, t)} focusKey={error} fields={{ note: 'as-note' }} labels={{ note: t('assess.countersign.note') }}
          message={error ? assessProblem(t, error) : undefined} />
        <TextAreaField id="as-note" label={t('assess.countersign.note')} hint={t('assess.countersign.note.hint')} value={note}
          onValue={setNote} rows={3} max={LIMITS.countersign} error={fe.note} />
        <div class="button-row">
          {a.allowed?.countersign ? (
            <button type="submit" class="button" id="assess-countersign-button" disabled={busy}>{t('assess.countersign')}</button>
          ) : null}
          {a.allowed?.return ? (
            <button type="button" class="button button-secondary" id="assess-return-button" disabled={busy}
              onClick={() => step('return', t('assess.returned.done'))}>{t('assess.return')}</button>
          ) : null}
        </div>
      </form>
      <ConfirmDialog open={confirming} title={t('assess.countersign.confirm.title')} confirmLabel={t('assess.countersign')} busy={busy}
        returnFocus={() => (error ? document.querySelector<HTMLElement>('#assess-countersign .form-error') : null)}
        onCancel={() => setConfirming(false)}
        onConfirm={() => step('countersignature', t('assess.countersigned.done'))}>
        <p id="assess-countersign-confirm-text">{t('assess.countersign.confirm.text', { instrument })}</p>
        <p>{actions ? plural(t, lang, 'assess.countersign.confirm.actions', actions) : t('assess.countersign.confirm.no_actions')}</p>
      </ConfirmDialog>
    </section>
  );
}
