// The "Conditions" card of the case page: the active conditions, each with its text as the
// person reads it, the decision that authorises it (S1), the risk or need it answers (S3), its
// review date (S5) and whether it was explained (S4); the S2 count with a warning above the
// agency's limit; the ended ones with why they ended; the printable sheet in ky / ru / en.
// Forms: impose a condition, record an explanation, review a condition, and propose variations
// (add, change, remove), which the unit head endorses and the competent authority decides (S8).
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, request } from '../../api';
import { FormError, Success, TextAreaField, TextField } from '../../components/Form';
import { useAction, useLoad } from '../../hooks';
import { LANG_NAMES, LANGS, useI18n, type Lang } from '../../i18n';
import { problemMessage } from '../../problems';
import { useSession, useTimeZone } from '../../session';
import type { CaseRecord } from '../cases/model';
import { localProblem } from '../cases/Decisions';
import { DateField, RadioGroup } from '../cases/Fields';
import { formatDay, today } from '../cases/model';
import { ConditionForm, ConditionPicker, conditionTitle, type FormMode } from './ConditionForm';
import { CaseVariations, RemoveProposalForm } from './Variations';
import { basisLabel, codeLabel, focusLater, inLang, matchErrors, type Condition, type ConditionList, type Explanation, type Variation } from './types';
import './conditions.css';

export interface CasePanelProps {
  record: CaseRecord;
  headers: Record<string, string>;
  onChanged: () => void;
}

type Open = null | FormMode | { kind: 'explain' };
type Acting = null | { id: string; kind: 'review' | 'change' | 'remove' };

export function ConditionsPanel({ record: c, headers, onChanged }: CasePanelProps) {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const base = `/api/v1/cases/${encodeURIComponent(c.id)}`;
  const list = useLoad((signal) => get<ConditionList>(`${base}/conditions`, { signal, headers }), [c.id]);
  const variations = useLoad((signal) => get<{ items: Variation[] }>(`${base}/variations`, { signal, headers }), [c.id]);
  const [viewLang, setViewLang] = useState<Lang>(lang);
  useEffect(() => setViewLang(lang), [lang]);
  const [open, setOpen] = useState<Open>(null);
  const [acting, setActing] = useState<Acting>(null);
  const [done, setDone] = useState<{ text: string; warnings?: string[] } | null>(null);
  const doneRef = useRef<HTMLDivElement>(null);
  useEffect(() => { if (done) doneRef.current?.focus(); }, [done]);

  const canWrite = can('conditions.write') && c.status !== 'closed';
  const data = list.data;
  const active = data?.items.filter((x) => x.status === 'active') ?? [];
  const ended = data?.items.filter((x) => x.status !== 'active') ?? [];
  const personLang = data?.lang ?? lang;
  const reload = () => {
    list.reload();
    variations.reload();
    onChanged();
  };
  const finish = (text: string, warnings?: string[]) => {
    setOpen(null);
    setActing(null);
    setDone(warnings?.length ? { text, warnings } : { text });
    reload();
  };
  const start = (o: Open) => {
    setOpen(o);
    setActing(null);
    setDone(null);
  };

  return (
    <section class="card conditions-card" aria-labelledby="conditions-heading" id="conditions">
      <div class="card-head">
        <h2 id="conditions-heading" tabIndex={-1}>{t('conditions.title')}</h2>
        {canWrite && !open ? (
          <div class="button-row">
            <button type="button" class="button" id="condition-add" onClick={() => start({ kind: 'impose' })}>{t('conditions.impose')}</button>
            <button type="button" class="button button-secondary" id="explanation-add" onClick={() => start({ kind: 'explain' })}
              disabled={!active.length}>{t('conditions.explain')}</button>
            <button type="button" class="button button-secondary" id="variation-add" onClick={() => start({ kind: 'add' })}>
              {t('variations.propose.add')}
            </button>
          </div>
        ) : null}
      </div>
      <p class="muted">{t('conditions.about')}</p>
      {done ? (
        <div tabIndex={-1} ref={doneRef} id="conditions-done">
          <Success>
            <p class="alert-title">{done.text}</p>
            {done.warnings?.map((w) => <p key={w}>{w}</p>)}
          </Success>
        </div>
      ) : null}
      {open && open.kind !== 'explain' ? (
        <ConditionForm caseId={c.id} headers={headers} decisions={c.decisions ?? []} personLang={personLang} mode={open}
          onCancel={() => { setOpen(null); focusLater(open.kind === 'impose' ? 'condition-add' : 'variation-add'); }}
          onSaved={(r) => finish(open.kind === 'impose' ? t('conditions.imposed') : t('variations.proposed'),
            r.warnings?.map((w) => (w.code === 'above_limit' ? t('conditions.warn.above_limit') : w.message)))} />
      ) : null}
      {open?.kind === 'explain' && data ? (
        <ExplanationForm caseId={c.id} headers={headers} active={active} personLang={personLang}
          onCancel={() => { setOpen(null); focusLater('explanation-add'); }}
          onSaved={() => finish(t('conditions.explanation.recorded'))} />
      ) : null}
      {list.status === 'error' ? (
        <div class="alert alert-error" role="alert">
          <p class="alert-title">{t('load.error')}</p>
          <p>{problemMessage(t, list.error)}</p>
          <button type="button" class="button" onClick={list.reload}>{t('status.retry')}</button>
        </div>
      ) : null}
      {!data && list.status === 'loading' ? <p class="muted" role="status">{t('status.loading')}</p> : null}
      {data ? (
        <>
          <div class="conditions-summary">
            <p id="conditions-count">
              {t('conditions.count', { n: data.active_count, max: data.warn_above })}
              {data.unexplained_count ? <> · <span class="badge badge-warn">{t('conditions.unexplained', { n: data.unexplained_count })}</span></> : null}
            </p>
            <div class="field conditions-lang">
              <label for="conditions-lang">{t('conditions.view_lang')}</label>
              <select id="conditions-lang" class="input" value={viewLang} onChange={(e) => setViewLang(e.currentTarget.value as Lang)}>
                {LANGS.map((l) => <option key={l} value={l}>{LANG_NAMES[l]}{l === personLang ? ` (${t('conditions.person_lang')})` : ''}</option>)}
              </select>
            </div>
          </div>
          {data.above_limit ? (
            <div class="alert alert-warning" role="alert" id="conditions-above-limit">
              <p class="alert-title">{t('conditions.above_limit.title', { n: data.active_count, max: data.warn_above })}</p>
              <p>{t('conditions.above_limit.about')}</p>
            </div>
          ) : null}
          {active.length ? (
            <p class="sheet-links">
              {t('conditions.sheet')}:{' '}
              {LANGS.map((l) => (
                <a key={l} class="button button-secondary button-small" href={`${base}/conditions/sheet?lang=${l}`} target="_blank" rel="noopener"
                  lang={l}>
                  {LANG_NAMES[l]}<span class="visually-hidden"> ({t('conditions.sheet.new_tab')})</span>
                </a>
              ))}
            </p>
          ) : null}
          {active.length === 0 ? <p>{t('conditions.none')}</p> : (
            <ol class="condition-list">
              {active.map((x) => (
                <li key={x.id}>
                  <ConditionItem condition={x} viewLang={viewLang} canWrite={canWrite} acting={acting?.id === x.id ? acting.kind : null}
                    onAct={(kind) => { setActing(kind ? { id: x.id, kind } : null); setOpen(null); setDone(null); }} />
                  {acting?.id === x.id && acting.kind === 'review' ? (
                    <ReviewForm condition={x} headers={headers}
                      onCancel={() => { setActing(null); focusLater(`condition-review-${x.id}`); }}
                      onSaved={(outcome) => {
                        if (outcome === 'keep') finish(t('conditions.review.recorded'));
                        else {
                          setDone({ text: t('conditions.review.recorded_vary') });
                          setActing({ id: x.id, kind: outcome === 'remove' ? 'remove' : 'change' });
                          reload();
                        }
                      }} />
                  ) : null}
                  {acting?.id === x.id && acting.kind === 'change' ? (
                    <ConditionForm caseId={c.id} headers={headers} decisions={c.decisions ?? []} personLang={personLang}
                      mode={{ kind: 'change', condition: x }}
                      onCancel={() => { setActing(null); focusLater(`condition-change-${x.id}`); }}
                      onSaved={() => finish(t('variations.proposed'))} />
                  ) : null}
                  {acting?.id === x.id && acting.kind === 'remove' ? (
                    <RemoveProposalForm caseId={c.id} headers={headers} condition={x}
                      onCancel={() => { setActing(null); focusLater(`condition-remove-${x.id}`); }}
                      onSaved={() => finish(t('variations.proposed'))} />
                  ) : null}
                </li>
              ))}
            </ol>
          )}
          {ended.length ? (
            <details class="conditions-ended">
              <summary>{t('conditions.ended', { n: ended.length })}</summary>
              <ol class="condition-list">
                {ended.map((x) => <li key={x.id}><ConditionItem condition={x} viewLang={viewLang} canWrite={false} acting={null} onAct={() => {}} /></li>)}
              </ol>
            </details>
          ) : null}
          <h3 id="explanations-heading">{t('conditions.explanations')}</h3>
          <ExplanationList items={data.explanations ?? []} conditions={data.items} />
        </>
      ) : null}
      <h3 id="case-variations-heading">{t('variations.case.title')}</h3>
      {variations.status === 'error' ? (
        <div class="alert alert-error" role="alert">
          <p class="alert-title">{t('load.error')}</p>
          <button type="button" class="button" onClick={variations.reload}>{t('status.retry')}</button>
        </div>
      ) : null}
      {variations.data ? <CaseVariations items={variations.data.items} /> : null}
    </section>
  );
}

interface ConditionItemProps {
  condition: Condition;
  viewLang: Lang;
  canWrite: boolean;
  acting: string | null;
  onAct: (kind: 'review' | 'change' | 'remove' | null) => void;
}

function ConditionItem({ condition: x, viewLang, canWrite, acting, onAct }: ConditionItemProps) {
  const { t, lang } = useI18n();
  const head = `condition-${x.id}-title`;
  const text = inLang(x.texts, viewLang) || x.text;
  const e = x.explained;
  return (
    <article class={x.status === 'active' ? 'condition' : 'condition condition-ended'} aria-labelledby={head} id={`condition-${x.id}`}>
      <div class="condition-head">
        <h3 id={head}>{x.title ? inLang(x.title, viewLang === lang ? lang : viewLang) : t('conditions.exceptional')}</h3>
        <p class="badges">
          {x.category ? <span class="badge badge-info">{codeLabel(t, 'conditions.category', x.category)}</span> : null}
          {x.em ? <span class="badge badge-warn" title={t('conditions.em.about')}>{t('conditions.em')}</span> : null}
          {!x.code ? <span class="badge badge-warn">{t('conditions.exceptional')}</span> : null}
          {x.status === 'active' && x.review_due ? <span class="badge badge-bad">{t('conditions.review_due')}</span> : null}
          {x.status !== 'active' ? <span class="badge badge-off">{codeLabel(t, 'conditions.end_reason', x.end_reason ?? 'ended')}</span> : null}
        </p>
      </div>
      <p class="condition-text" lang={viewLang}>{text}</p>
      <dl class="facts facts-compact">
        <div class="fact"><dt>{t('conditions.basis')}</dt><dd>{basisLabel(x, lang) || '—'}</dd></div>
        <div class="fact">
          <dt>{t('conditions.answers')}</dt>
          <dd>{codeLabel(t, 'conditions.answers', x.answers)}: {x.answers_detail}</dd>
        </div>
        {x.status === 'active' ? (
          <div class={x.review_due ? 'fact is-due' : 'fact'}>
            <dt>{t('conditions.review_on')}</dt>
            <dd>{x.review_on ? formatDay(x.review_on, lang) : '—'}{x.review_due ? <strong class="due-mark"> — {t('conditions.review_due')}</strong> : null}</dd>
          </div>
        ) : null}
        <div class="fact"><dt>{t('conditions.effective')}</dt>
          <dd>{formatDay(x.effective_from, lang)}{x.effective_to ? ` – ${formatDay(x.effective_to, lang)}` : ''}</dd></div>
        {x.status === 'active' ? (
          <div class="fact">
            <dt>{t('conditions.explained')}</dt>
            <dd>{e ? t(e.acknowledged ? 'conditions.explained.ack' : 'conditions.explained.not_ack',
              { date: formatDay(e.explained_on, lang), lang: LANG_NAMES[e.language as Lang] ?? e.language })
              : <span class="badge badge-warn">{t('conditions.explained.never')}</span>}</dd>
          </div>
        ) : null}
      </dl>
      {canWrite && !acting ? (
        <div class="button-row">
          <button type="button" class="button button-secondary button-small" id={`condition-review-${x.id}`} onClick={() => onAct('review')}>
            {t('conditions.review')}<span class="visually-hidden">: {conditionTitle(x, lang, t)}</span>
          </button>
          <button type="button" class="button button-secondary button-small" id={`condition-change-${x.id}`} onClick={() => onAct('change')}>
            {t('variations.propose.change')}<span class="visually-hidden">: {conditionTitle(x, lang, t)}</span>
          </button>
          <button type="button" class="button button-secondary button-small" id={`condition-remove-${x.id}`} onClick={() => onAct('remove')}>
            {t('variations.propose.remove')}<span class="visually-hidden">: {conditionTitle(x, lang, t)}</span>
          </button>
        </div>
      ) : null}
    </article>
  );
}

function ReviewForm({ condition, headers, onCancel, onSaved }: {
  condition: Condition; headers: Record<string, string>; onCancel: () => void; onSaved: (outcome: string) => void;
}) {
  const { t } = useI18n();
  const zone = useTimeZone();
  const p = `review-${condition.id}`;
  const [outcome, setOutcome] = useState('');
  const [note, setNote] = useState('');
  const [next, setNext] = useState('');
  const [reviewedOn, setReviewedOn] = useState(today(zone));
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  useEffect(() => { document.getElementById(`${p}-outcome-keep`)?.focus(); }, []);
  const mistakes: { field: string; message: string }[] = [];
  if (!outcome) mistakes.push({ field: 'outcome', message: t('conditions.review.outcome.choose') });
  if (!note.trim()) mistakes.push({ field: 'note', message: t('conditions.required') });
  if (outcome === 'keep' && !next) mistakes.push({ field: 'next_review_on', message: t('conditions.required') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const known = {
    outcome: { id: `${p}-outcome`, label: t('conditions.review.outcome') },
    note: { id: `${p}-note`, label: t('conditions.review.note') },
    next_review_on: { id: `${p}-next`, label: t('conditions.review.next') },
    reviewed_on: { id: `${p}-on`, label: t('conditions.review.on') },
  };
  const m = matchErrors(error, t, known);
  return (
    <form class="form form-wide review-form" noValidate aria-labelledby={`${p}-title`}
      onSubmit={(e) => {
        e.preventDefault();
        if (mistakes.length) {
          setAttempt((a) => a + 1);
          return;
        }
        setAttempt(0);
        void run(async () => {
          const body: Record<string, unknown> = { outcome, note: note.trim(), reviewed_on: reviewedOn };
          if (next) body.next_review_on = next;
          await request('POST', `/api/v1/conditions/${encodeURIComponent(condition.id)}/reviews`, { body, headers });
          onSaved(outcome);
        });
      }}>
      <h4 id={`${p}-title`}>{t('conditions.review.title')}</h4>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={m.ids} labels={m.labels} />
      <RadioGroup id={known.outcome.id} legend={known.outcome.label} value={outcome} onValue={setOutcome} error={m.at.outcome}
        options={['keep', 'vary', 'remove'].map((o) => ({ value: o, label: t(`conditions.review.outcome.${o}` as 'conditions.review.outcome.keep'),
          about: t(`conditions.review.outcome.${o}.about` as 'conditions.review.outcome.keep.about') }))} />
      <TextAreaField id={known.note.id} label={known.note.label} value={note} onValue={setNote} max={2000} rows={3} error={m.at.note} />
      <div class="form-grid">
        <DateField id={known.reviewed_on.id} label={known.reviewed_on.label} value={reviewedOn} onValue={setReviewedOn} error={m.at.reviewed_on} />
        {outcome === 'keep' || !outcome ? (
          <DateField id={known.next_review_on.id} label={known.next_review_on.label} value={next} onValue={setNext}
            error={m.at.next_review_on} optional={outcome !== 'keep'} min={today(zone)} />
        ) : null}
      </div>
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{busy ? t('conditions.saving') : t('conditions.review.submit')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}

function ExplanationForm({ caseId, headers, active, personLang, onCancel, onSaved }: {
  caseId: string; headers: Record<string, string>; active: readonly Condition[]; personLang: string; onCancel: () => void; onSaved: () => void;
}) {
  const { t, lang } = useI18n();
  const zone = useTimeZone();
  const p = 'explanation';
  const [on, setOn] = useState(today(zone));
  const [language, setLanguage] = useState(personLang);
  const [interpreter, setInterpreter] = useState('');
  const [ack, setAck] = useState('');
  const [remarks, setRemarks] = useState('');
  const [ids, setIds] = useState<string[]>(active.map((x) => x.id));
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  useEffect(() => { document.getElementById(`${p}-on`)?.focus(); }, []);
  const mistakes: { field: string; message: string }[] = [];
  if (!on) mistakes.push({ field: 'explained_on', message: t('conditions.required') });
  if (!ack) mistakes.push({ field: 'acknowledged', message: t('conditions.explanation.ack.choose') });
  if (ack === 'no' && !remarks.trim()) mistakes.push({ field: 'remarks', message: t('conditions.explanation.remarks.required') });
  if (!ids.length) mistakes.push({ field: 'condition_ids', message: t('conditions.explanation.conditions.choose') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const known = {
    explained_on: { id: `${p}-on`, label: t('conditions.explanation.on') },
    language: { id: `${p}-language`, label: t('conditions.explanation.language') },
    interpreter: { id: `${p}-interpreter`, label: t('conditions.explanation.interpreter') },
    acknowledged: { id: `${p}-ack`, label: t('conditions.explanation.ack') },
    remarks: { id: `${p}-remarks`, label: t('conditions.explanation.remarks') },
    condition_ids: { id: `${p}-conditions`, label: t('conditions.explanation.conditions') },
  };
  const m = matchErrors(error, t, known);
  return (
    <form class="form form-wide explanation-form" noValidate aria-labelledby={`${p}-title`}
      onSubmit={(e) => {
        e.preventDefault();
        if (mistakes.length) {
          setAttempt((a) => a + 1);
          return;
        }
        setAttempt(0);
        void run(async () => {
          const body: Record<string, unknown> = { explained_on: on, language, acknowledged: ack === 'yes', condition_ids: ids };
          if (interpreter.trim()) body.interpreter = interpreter.trim();
          if (remarks.trim()) body.remarks = remarks.trim();
          await request<Explanation>('POST', `/api/v1/cases/${encodeURIComponent(caseId)}/explanations`, { body, headers });
          onSaved();
        });
      }}>
      <h3 id={`${p}-title`}>{t('conditions.explain')}</h3>
      <p class="hint">{t('conditions.explanation.about')}</p>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={m.ids} labels={m.labels} />
      <div class="form-grid">
        <DateField id={known.explained_on.id} label={known.explained_on.label} value={on} onValue={setOn} required error={m.at.explained_on}
          max={today(zone)} />
        <div class={m.at.language ? 'field has-error' : 'field'}>
          <label for={known.language.id}>{known.language.label}</label>
          <select id={known.language.id} class="input" value={language} onChange={(e) => setLanguage(e.currentTarget.value)}>
            {LANGS.map((l) => <option key={l} value={l}>{LANG_NAMES[l]}</option>)}
          </select>
          {m.at.language ? <p class="field-error">{m.at.language}</p> : null}
        </div>
        <TextField id={known.interpreter.id} label={known.interpreter.label} value={interpreter} onValue={setInterpreter} optional
          maxLength={200} error={m.at.interpreter} hint={t('conditions.explanation.interpreter.hint')} />
      </div>
      <RadioGroup id={known.acknowledged.id} legend={known.acknowledged.label} value={ack} onValue={setAck} error={m.at.acknowledged}
        options={[{ value: 'yes', label: t('conditions.explanation.ack.yes') }, { value: 'no', label: t('conditions.explanation.ack.no') }]} />
      <TextAreaField id={known.remarks.id} label={known.remarks.label} value={remarks} onValue={setRemarks} max={2000} rows={3}
        error={m.at.remarks} hint={t('conditions.explanation.remarks.hint')} />
      <ConditionPicker id={known.condition_ids.id} legend={known.condition_ids.label} items={active} selected={ids} onChange={setIds} lang={lang} />
      {m.at.condition_ids ? <p class="field-error">{m.at.condition_ids}</p> : null}
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{busy ? t('conditions.saving') : t('conditions.explanation.submit')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}

function ExplanationList({ items, conditions }: { items: readonly Explanation[]; conditions: readonly Condition[] }) {
  const { t, lang } = useI18n();
  if (!items.length) return <p class="muted" id="explanations-none">{t('conditions.explanations.none')}</p>;
  return (
    <div class="table-wrap">
      <table class="table explanation-table" aria-labelledby="explanations-heading">
        <thead>
          <tr>
            <th scope="col">{t('conditions.explanation.on')}</th>
            <th scope="col">{t('conditions.explanation.language')}</th>
            <th scope="col">{t('conditions.explanation.ack')}</th>
            <th scope="col">{t('conditions.explanation.by')}</th>
            <th scope="col">{t('conditions.explanation.conditions')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.id}>
              <th scope="row" class="cell-nowrap">{formatDay(e.explained_on, lang)}</th>
              <td>{LANG_NAMES[e.language as Lang] ?? e.language}{e.interpreter ? <span class="cell-sub">{t('conditions.explanation.with_interpreter', { name: e.interpreter })}</span> : null}</td>
              <td>
                {e.acknowledged ? <span class="badge badge-ok">{t('conditions.explanation.ack.yes')}</span>
                  : <span class="badge badge-bad">{t('conditions.explanation.ack.no')}</span>}
                {e.remarks ? <span class="cell-sub">{e.remarks}</span> : null}
              </td>
              <td>{e.explained_by_name ?? ''}</td>
              <td>{(e.condition_ids ?? []).map((id) => {
                const x = conditions.find((k) => k.id === id);
                return x ? conditionTitle(x, lang, t) : null;
              }).filter(Boolean).join('; ') || (e.condition_ids ?? []).length}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
