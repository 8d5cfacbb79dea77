// The condition form: impose a condition on a case, or propose one as a variation (add, change).
// The decision that authorises it (S1), a catalogue condition (or, behind an explicit switch,
// free text and the duty it rests on), a typed input per parameter (S2), the risk or need it
// answers (S3), its review date (S5). A debounced preview shows the text as the person will read
// it, whether the decision authorises it, and the S2 warning; the submit waits for a yes.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, get, request } from '../../api';
import { fieldMessage, problemMessage } from '../../problems';
import { CheckboxGroup, FormError, SelectField, TextAreaField } from '../../components/Form';
import { useAction, useLoad } from '../../hooks';
import { LANG_NAMES, useI18n, type Lang } from '../../i18n';
import { useTimeZone } from '../../session';
import { localProblem } from '../cases/Decisions';
import { DateField, RadioGroup } from '../cases/Fields';
import { formatDay, loadReference, titleOf, today, type Decision } from '../cases/model';
import { draftOf, emptyDraft, ParamInput, paramFields, paramValues, type Draft } from './ParamInputs';
import {
  CATEGORIES, basisLabel, codeLabel, inLang, isProblem, matchErrors,
  type Catalogue, type Condition, type ConditionInput, type Preview, type T,
} from './types';

let catalogueCache: Promise<Catalogue> | null = null;

/** The current catalogue, once per page load (a failure is asked again next time). */
export function loadCatalogue(): Promise<Catalogue> {
  if (!catalogueCache) {
    catalogueCache = get<Catalogue>('/api/v1/condition-catalogue').catch((e: unknown) => {
      catalogueCache = null;
      throw e;
    });
  }
  return catalogueCache;
}

/** Forget the cached catalogue (after a new version is loaded). */
export function forgetCatalogue(): void {
  catalogueCache = null;
}

/** The same day next year (a placeholder review date for the preview). */
function nextYear(zone: string): string {
  const d = today(zone);
  return `${Number(d.slice(0, 4)) + 1}${d.slice(4)}`.replace(/-02-29$/, '-02-28');
}

/** "Court of X, 1-234/2026, 05.01.2026" for a decision. */
export function decisionLabel(d: Decision, lang: Lang, measureTitle: string): string {
  return [measureTitle, d.authority, d.number, formatDay(d.decided_on, lang)].filter(Boolean).join(', ');
}

export type FormMode =
  | { kind: 'impose' }
  | { kind: 'add' }
  | { kind: 'change'; condition: Condition };

interface ConditionFormProps {
  caseId: string;
  headers: Record<string, string>;
  decisions: readonly Decision[];
  /** The person's language: the preview shows the text in it first. */
  personLang: string;
  mode: FormMode;
  onCancel: () => void;
  onSaved: (result: { warnings?: { code: string; message: string }[] }) => void;
}

export function ConditionForm({ caseId, headers, decisions, personLang, mode, onCancel, onSaved }: ConditionFormProps) {
  const { t, lang } = useI18n();
  const zone = useTimeZone();
  const catalogue = useLoad(() => loadCatalogue(), []);
  const reference = useLoad(() => loadReference(), []);
  const proposing = mode.kind !== 'impose';
  const base = mode.kind === 'change' ? mode.condition : null;
  const p = mode.kind === 'impose' ? 'cond-new' : mode.kind === 'add' ? 'var-add' : `var-change-${base?.id ?? ''}`;

  const inForce = decisions.filter((d) => d.status === 'in_force');
  const [decisionId, setDecisionId] = useState(base ? '' : inForce.length === 1 ? (inForce[0]?.id ?? '') : '');
  const [free, setFree] = useState(Boolean(base && !base.code));
  const [code, setCode] = useState(base?.code ?? '');
  const [freeText, setFreeText] = useState(base?.free_text ?? '');
  const [duty, setDuty] = useState(base && !base.code ? (base.duty ?? '') : '');
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const [answers, setAnswers] = useState(base?.answers ?? '');
  const [detail, setDetail] = useState(base?.answers_detail ?? '');
  const [reviewOn, setReviewOn] = useState(base?.review_on ?? '');
  const [effectiveFrom, setEffectiveFrom] = useState('');
  const [reason, setReason] = useState('');
  const [personView, setPersonView] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const [preview, setPreview] = useState<{ data: Preview | null; error: unknown; busy: boolean }>({ data: null, error: null, busy: false });

  const types = catalogue.data?.conditions ?? [];
  const type = free ? null : types.find((c) => c.code === code) ?? null;
  const specs = type?.params ?? [];

  // A change starts from the condition's own values.
  const seeded = useRef(false);
  useEffect(() => {
    if (seeded.current || !base || !type) return;
    seeded.current = true;
    const next: Record<string, Draft> = {};
    for (const s of type.params) next[s.name] = draftOf(s.type, base.params?.[s.name]);
    setDrafts(next);
  }, [type]);

  useEffect(() => { document.getElementById(`${p}-decision`)?.focus(); }, []);

  const draft = (name: string, typeName: string) => drafts[name] ?? emptyDraft(typeName);

  const body: ConditionInput = useMemo(() => {
    const b: ConditionInput = { params: free ? {} : paramValues(specs, drafts), answers, answers_detail: detail.trim(), review_on: reviewOn };
    if (decisionId) b.decision_id = decisionId;
    if (free) {
      b.free_text = freeText.trim();
      b.duty = duty;
    } else b.code = code;
    if (effectiveFrom) b.effective_from = effectiveFrom;
    return b;
  }, [decisionId, free, code, freeText, duty, drafts, answers, detail, reviewOn, effectiveFrom, specs]);

  // The preview: half a second after the last change, once there is something to render.
  const previewKey = JSON.stringify(body);
  const ready = (free ? body.free_text && duty : code) && (body.decision_id || base);
  useEffect(() => {
    if (!ready) {
      setPreview({ data: null, error: null, busy: false });
      return undefined;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      setPreview((prev) => ({ ...prev, busy: true }));
      // What the condition answers and when it is reviewed do not change its text or whether the
      // decision authorises it: the preview does not wait for them.
      const sent = {
        ...body, decision_id: body.decision_id ?? base?.decision_id, answers: body.answers || 'risk',
        answers_detail: body.answers_detail || '-', review_on: body.review_on || nextYear(zone),
      };
      request<Preview>('POST', `/api/v1/cases/${encodeURIComponent(caseId)}/conditions/preview`,
        { body: sent, headers, signal: controller.signal }).then(
        (r) => { if (!controller.signal.aborted) setPreview({ data: r.data, error: null, busy: false }); },
        (e: unknown) => { if (!controller.signal.aborted) setPreview({ data: null, error: e, busy: false }); },
      );
    }, 500);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [previewKey, ready]);

  // Mistakes caught before sending.
  const mistakes: { field: string; message: string }[] = [];
  if (!proposing && !decisionId) mistakes.push({ field: 'decision_id', message: t('conditions.form.decision.choose') });
  if (mode.kind === 'add' && !decisionId) mistakes.push({ field: 'decision_id', message: t('conditions.form.decision.choose') });
  if (free) {
    if (!freeText.trim()) mistakes.push({ field: 'free_text', message: t('conditions.required') });
    if (!duty) mistakes.push({ field: 'duty', message: t('conditions.form.duty.choose') });
  } else if (!code) mistakes.push({ field: 'code', message: t('conditions.form.code.choose') });
  for (const s of specs) {
    if (s.required && !(s.name in body.params)) mistakes.push({ field: `params.${s.name}`, message: t('conditions.required') });
  }
  if (!answers) mistakes.push({ field: 'answers', message: t('conditions.form.answers.choose') });
  if (!detail.trim()) mistakes.push({ field: 'answers_detail', message: t('conditions.required') });
  if (!reviewOn) mistakes.push({ field: 'review_on', message: t('conditions.required') });
  if (proposing && !reason.trim()) mistakes.push({ field: 'reason', message: t('conditions.required') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;

  const labels: Record<string, string> = {
    decision_id: t('conditions.form.decision'), code: t('conditions.form.code'), free_text: t('conditions.form.free_text'),
    duty: t('conditions.form.duty'), answers: t('conditions.form.answers'), answers_detail: t('conditions.form.answers_detail'),
    review_on: t('conditions.form.review_on'), effective_from: t('conditions.form.effective_from'),
    reason: t('variations.reason'), person_view: t('variations.person_view'),
  };
  const ids: Record<string, string> = {
    decision_id: `${p}-decision`, code: `${p}-code`, free_text: `${p}-free-text`, duty: `${p}-duty`, answers: `${p}-answers`,
    answers_detail: `${p}-detail`, review_on: `${p}-review`, effective_from: `${p}-from`, reason: `${p}-reason`, person_view: `${p}-person-view`,
  };
  const known: Record<string, { id: string; label: string }> = {};
  for (const [k, id] of Object.entries(ids)) known[k] = { id, label: labels[k] ?? k };
  Object.assign(known, paramFields(p, specs, t, lang));
  if (proposing) for (const [k, v] of Object.entries({ ...known })) if (k !== 'reason' && k !== 'person_view') known[`proposal.${k}`] = v;
  const matched = matchErrors(error, t, known);
  const fe = (k: string) => matched.at[k] ?? matched.at[`proposal.${k}`];
  const paramErrors: Record<string, string> = {};
  for (const [k, v] of Object.entries(matched.at)) if (k.startsWith('params.') || k.startsWith('proposal.params.')) paramErrors[k.replace(/^proposal\./, '')] = v;

  const refused = refusalText(preview.data, t, lang, {
    decisions, chosen: decisionId || base?.decision_id || '',
    fallbackDecision: base ? basisLabel(base, lang) : '',
    dutyTitle: (code) => titleOf(reference.data?.duties.find((d) => d.code === code), lang, code),
  });
  const decisionOptions = inForce.map((d) => ({
    value: d.id,
    label: decisionLabel(d, lang, titleOf(reference.data?.measures.find((m) => m.code === d.measure), lang, d.measure)),
  }));
  const groups = CATEGORIES.map((cat) => ({
    label: codeLabel(t, 'conditions.category', cat),
    options: types.filter((c) => c.category === cat).map((c) => ({ value: c.code, label: inLang(c.title, lang) || c.code })),
  })).concat([{
    label: t('conditions.category.other'),
    options: types.filter((c) => !(CATEGORIES as readonly string[]).includes(c.category)).map((c) => ({ value: c.code, label: inLang(c.title, lang) || c.code })),
  }]).filter((g) => g.options.length);

  const title = mode.kind === 'impose' ? t('conditions.form.title') : mode.kind === 'add' ? t('variations.propose.add')
    : t('variations.propose.change');
  const langs: string[] = [personLang, ...(['ky', 'ru', 'en'] as const).filter((l) => l !== personLang)];

  return (
    <form class="form form-wide condition-form" noValidate aria-labelledby={`${p}-title`}
      onSubmit={(e) => {
        e.preventDefault();
        if (mistakes.length) {
          setAttempt((a) => a + 1);
          return;
        }
        setAttempt(0);
        void run(async () => {
          if (mode.kind === 'impose') {
            const r = await request<Condition & { warnings?: { code: string; message: string }[] }>('POST',
              `/api/v1/cases/${encodeURIComponent(caseId)}/conditions`, { body, headers });
            onSaved(r.data);
            return;
          }
          const v: Record<string, unknown> = { action: mode.kind, proposal: body, reason: reason.trim() };
          if (personView.trim()) v.person_view = personView.trim();
          if (mode.kind === 'change') v.condition_id = mode.condition.id;
          await request('POST', `/api/v1/cases/${encodeURIComponent(caseId)}/variations`, { body: v, headers });
          onSaved({});
        });
      }}>
      <h3 id={`${p}-title`}>{title}</h3>
      {mode.kind === 'change' ? <p class="hint">{t('variations.propose.change.about')}</p> : null}
      {proposing ? <p class="hint">{t('variations.propose.about')}</p> : null}
      <FormError error={error} focusKey={local ? attempt : serverError} fields={{ ...ids, ...matched.ids }} labels={{ ...labels, ...matched.labels }}
        message={isProblem(error, 'not-authorised') ? t('conditions.not_authorised') : undefined} />
      {catalogue.status === 'error' ? (
        <div class="alert alert-error" role="alert">
          <p class="alert-title">{t('conditions.catalogue.error')}</p>
          <button type="button" class="button" onClick={catalogue.reload}>{t('status.retry')}</button>
        </div>
      ) : null}
      <div class="condition-decision">
        <SelectField id={ids.decision_id as string} label={labels.decision_id as string} value={decisionId} onValue={setDecisionId}
          required={!base} optional={Boolean(base)} error={fe('decision_id')}
          hint={base ? t('variations.decision.same', { decision: basisLabel(base, lang) }) : t('conditions.form.decision.hint')}
          options={[{ value: '', label: base ? t('variations.decision.keep') : inForce.length ? t('conditions.form.decision.pick') : t('conditions.form.decision.none') }, ...decisionOptions]} />
      </div>
      <div class="checkbox exceptional-switch">
        <input type="checkbox" id={`${p}-free`} checked={free} onChange={(e) => setFree(e.currentTarget.checked)} />
        <label for={`${p}-free`}>
          {t('conditions.form.exceptional')}
          <span class="checkbox-about">{t('conditions.form.exceptional.about')}</span>
        </label>
      </div>
      {free ? (
        <div class="form-grid">
          <TextAreaField id={ids.free_text as string} label={labels.free_text as string} value={freeText} onValue={setFreeText}
            max={2000} error={fe('free_text')} hint={t('conditions.form.free_text.hint')} />
          <SelectField id={ids.duty as string} label={labels.duty as string} value={duty} onValue={setDuty} required error={fe('duty')}
            hint={t('conditions.form.duty.hint')}
            options={[{ value: '', label: t('conditions.form.duty.pick') },
              ...(reference.data?.duties ?? []).map((d) => ({ value: d.code, label: titleOf(d, lang) }))]} />
        </div>
      ) : (
        <>
          <SelectField id={ids.code as string} label={labels.code as string} value={code} required error={fe('code')}
            onValue={(v) => { setCode(v); setDrafts({}); }}
            options={[{ value: '', label: catalogue.data ? t('conditions.form.code.pick') : t('status.loading') }]} groups={groups} />
          {type ? (
            <div class="condition-type-about">
              <p class="badges">
                <span class="badge badge-info">{codeLabel(t, 'conditions.category', type.category)}</span>
                {type.em ? <span class="badge badge-warn">{t('conditions.em')}</span> : null}
                <span class="badge badge-off">{type.standard ? t('conditions.standard') : t('conditions.additional')}</span>
              </p>
              <p class="muted">{t('conditions.form.duty_needed', { duty: titleOf(reference.data?.duties.find((d) => d.code === type.duty), lang, type.duty) })}</p>
            </div>
          ) : null}
          {specs.length ? (
            <div class="params">
              <h4>{t('conditions.form.params')}</h4>
              {specs.map((s) => (
                <ParamInput key={`${code}-${s.name}`} prefix={p} spec={s} value={draft(s.name, s.type)} errors={paramErrors}
                  onValue={(v) => setDrafts((d) => ({ ...d, [s.name]: v }))} />
              ))}
            </div>
          ) : null}
        </>
      )}
      <RadioGroup id={ids.answers as string} legend={labels.answers as string} value={answers} onValue={setAnswers} error={fe('answers')}
        hint={t('conditions.form.answers.hint')}
        options={[{ value: 'risk', label: t('conditions.answers.risk') }, { value: 'need', label: t('conditions.answers.need') }]} />
      <TextAreaField id={ids.answers_detail as string} label={labels.answers_detail as string} value={detail} onValue={setDetail} max={500}
        rows={2} error={fe('answers_detail')} hint={t('conditions.form.answers_detail.hint')} />
      <div class="form-grid">
        <DateField id={ids.review_on as string} label={labels.review_on as string} value={reviewOn} onValue={setReviewOn} required
          error={fe('review_on')} min={today(zone)} />
        <DateField id={ids.effective_from as string} label={labels.effective_from as string} value={effectiveFrom} onValue={setEffectiveFrom}
          optional error={fe('effective_from')} hint={t('conditions.form.effective_from.hint')} />
      </div>
      {proposing ? (
        <>
          <TextAreaField id={ids.reason as string} label={labels.reason as string} value={reason} onValue={setReason} max={4000}
            error={fe('reason')} hint={t('variations.reason.hint')} />
          <TextAreaField id={ids.person_view as string} label={labels.person_view as string} value={personView} onValue={setPersonView}
            max={4000} error={fe('person_view')} hint={t('variations.person_view.hint')} />
        </>
      ) : null}
      <section class="condition-preview" aria-labelledby={`${p}-preview-title`} aria-live="polite" id={`${p}-preview`}>
        <h4 id={`${p}-preview-title`}>{t('conditions.preview.title')}</h4>
        {!ready ? <p class="muted">{t('conditions.preview.waiting')}</p> : null}
        {ready && preview.busy ? <p class="muted">{t('conditions.preview.loading')}</p> : null}
        {preview.error ? <PreviewError error={preview.error} t={t} /> : null}
        {preview.data ? (
          <>
            {refused ? (
              <div class="alert alert-error preview-refused" role="alert">
                <p class="alert-title">{t('conditions.preview.not_authorised')}</p>
                <p>{refused}</p>
              </div>
            ) : <p class="preview-ok"><span class="badge badge-ok">{t('conditions.preview.authorised')}</span></p>}
            {preview.data.warnings?.map((w) => (
              <div class="alert alert-warning" key={w.code} role="status">
                <p>{w.code === 'above_limit' ? t('conditions.warn.above_limit') : w.message}</p>
              </div>
            ))}
            <dl class="preview-texts">
              {langs.map((l) => (
                <div key={l} class={l === personLang ? 'preview-text is-person' : 'preview-text'}>
                  <dt>{LANG_NAMES[l as Lang] ?? l}{l === personLang ? ` — ${t('conditions.preview.person_lang')}` : ''}</dt>
                  <dd lang={l} class="condition-text">{inLang(preview.data?.text, l)}</dd>
                </div>
              ))}
            </dl>
          </>
        ) : null}
      </section>
      <div class="button-row">
        <button type="submit" class="button" disabled={busy || Boolean(refused)} aria-describedby={refused ? `${p}-preview` : undefined}>
          {busy ? t('conditions.saving') : mode.kind === 'impose' ? t('conditions.form.submit') : t('variations.propose.submit')}
        </button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
      {refused ? <p class="hint">{t('conditions.form.submit.blocked')}</p> : null}
    </form>
  );
}

/** "Court of X № 1-234/2026, 05.01.2026": a decision as the refusal names it. */
function decisionName(d: Decision, lang: Lang): string {
  return `${[d.authority, d.number].filter(Boolean).join(' № ')}, ${formatDay(d.decided_on, lang)}`;
}

/**
 * Why the decision does not authorise the condition, in the UI language: from the preview's refusal
 * codes, the duty's title and the decision the form has chosen; the server's English sentence only
 * when there are no codes to word. Empty when the decision authorises it.
 */
function refusalText(r: Preview | null, t: T, lang: Lang, ctx: {
  decisions: readonly Decision[]; chosen: string; fallbackDecision: string; dutyTitle: (code: string) => string;
}): string {
  if (!r || r.authorised) return '';
  const f = r.refusal;
  if (f) {
    const id = f.decision_id || ctx.chosen;
    const d = ctx.decisions.find((x) => x.id === id);
    const decision = d ? decisionName(d, lang) : ctx.fallbackDecision;
    if (decision) {
      if (f.why === 'duty_not_authorised' && f.duty) return t('conditions.refusal.duty_not_authorised', { decision, duty: ctx.dutyTitle(f.duty) });
      if (f.why === 'decision_not_in_force') return t('conditions.refusal.decision_not_in_force', { decision });
      if (f.why === 'decision_of_another_case') return t('conditions.refusal.decision_of_another_case', { decision });
    } else if (f.why === 'duty_not_authorised' && f.duty) {
      return t('conditions.refusal.duty_not_authorised.chosen', { duty: ctx.dutyTitle(f.duty) });
    } else if (f.why === 'decision_of_another_case') {
      return t('conditions.refusal.decision_of_another_case.chosen');
    } else if (f.why === 'decision_not_in_force') {
      return t('conditions.refusal.decision_not_in_force.chosen');
    }
  }
  return r.reason || t('conditions.preview.not_authorised');
}

function PreviewError({ error, t }: { error: unknown; t: T }) {
  const errs = error instanceof ApiError && error.problem ? error.problem.errors : [];
  return (
    <div class="notice preview-incomplete">
      <p>{error instanceof ApiError && error.status === 422 ? t('conditions.preview.incomplete') : problemMessage(t, error)}</p>
      {errs.length ? <ul>{errs.map((e) => <li key={e.field}>{e.field}: {fieldMessage(t, e.message)}</li>)}</ul> : null}
    </div>
  );
}

/** The small checkbox list of conditions (for the explanation form). */
export function ConditionPicker({ id, legend, items, selected, onChange, lang }: {
  id: string; legend: string; items: readonly Condition[]; selected: string[]; onChange: (s: string[]) => void; lang: string;
}) {
  return (
    <CheckboxGroup id={id} legend={legend} selected={selected} onChange={onChange}
      options={items.map((c) => ({ value: c.id, label: conditionTitle(c, lang) }))} />
  );
}

/** A condition's title in a language (free text: its first words). */
export function conditionTitle(c: Condition, lang: string, t?: T): string {
  if (c.title) return inLang(c.title, lang) || c.code || '';
  const words = (c.free_text ?? '').split(/\s+/).slice(0, 8).join(' ');
  return t ? `${t('conditions.exceptional')}: ${words}` : words;
}
