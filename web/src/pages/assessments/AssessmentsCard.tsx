// The Assessments card of the case page: the case's assessments (newest first), when each
// instrument's reassessment falls due (overdue ones stand out), the open reassessment triggers,
// the supervision level the latest judgement suggests, a form to start an assessment (the
// instrument list says whether the caller is certified for each) and one to record a trigger,
// and a link to the change over time per instrument. Shown to holders of assessments.read.
import { useState } from 'preact/hooks';
import { get, request } from '../../api';
import { FormError, SelectField, Success, TextAreaField } from '../../components/Form';
import { Link } from '../../components/Link';
import { useAction, useLoad } from '../../hooks';
import { useI18n, type Lang } from '../../i18n';
import { fieldErrors } from '../../problems';
import { navigate } from '../../router';
import { useDates, useSession, useTimeZone } from '../../session';
import { localProblem } from '../cases/Decisions';
import { DateField } from '../cases/Fields';
import { formatDay, today, type CaseRecord } from '../cases/model';
import {
  REASONS, StatusBadge, assessProblem, codeLabel, inLang, type Assessment, type AssessmentSummary, type Suggestion, type T, type Texts,
} from './model';
import './assessments.css';

export interface Due {
  instrument_code: string;
  instrument_name: Texts | null;
  assessment_id: string | null;
  last_on: string | null;
  due_on: string;
  interval_days: number;
  basis: string;
  overdue: boolean;
}

export interface Trigger {
  id: string;
  kind: string;
  occurred_on: string;
  summary: string;
  record_type: string | null;
  record_id: string | null;
  recorded_by_name: string | null;
  recorded_at: string;
  resolved_by: string | null;
  resolved_at: string | null;
}

export interface CaseAssessments {
  items: AssessmentSummary[];
  reassessment: Due[];
  triggers: Trigger[];
  suggestion: Suggestion | null;
  instruments: { id: string; code: string; version: string; name: Texts; certification_required: boolean; caller_certified: boolean }[];
}

const RECORDABLE_TRIGGERS = ['work', 'address', 'release', 'new_information', 'other'] as const;

/** "The latest countersigned judgement (<instrument>, <date>), <judgement>, suggests <level>." */
export function suggestionText(t: T, s: Suggestion, lang: Lang): string {
  return t('assess.suggestion', {
    instrument: inLang(s.instrument_name, lang) || s.instrument_code,
    judgement: inLang(s.judgement_label, lang) || s.judgement,
    level: inLang(s.level_title, lang) || s.level,
    date: s.assessed_on ? formatDay(s.assessed_on, lang) : '—',
  });
}

/** A row of the level-suggestion table (GET /level-suggestions). */
export interface LevelSuggestionRow {
  instrument_code: string;
  judgement: string;
  level: string | null;
  level_title: Texts | null;
}

interface Rule {
  code: string;
  threshold: number | null;
  threshold_unit: 'hours' | 'days' | null;
}

/** Days after a trigger within which the reassessment is due (rule reassessment.triggered; 30 when unknown). */
function triggerDays(rules: Rule[] | undefined): number {
  const r = rules?.find((x) => x.code === 'reassessment.triggered');
  if (!r || r.threshold == null) return 30;
  return r.threshold_unit === 'hours' ? Math.ceil(r.threshold / 24) : r.threshold;
}

function addDays(day: string, n: number): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(day);
  if (!m) return day;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + n)).toISOString().slice(0, 10);
}

/** Go to a note in the notes section of the case page (to the section when the note is not listed). */
function toNote(e: MouseEvent, noteId: string | null) {
  e.preventDefault();
  const el = (noteId ? document.getElementById(`note-${noteId}`) : null) ?? document.getElementById('notes');
  if (!el) return;
  el.scrollIntoView({ block: 'start' });
  const heading = el.id === 'notes' ? document.getElementById('notes-heading') : el;
  if (heading) {
    if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

interface Props {
  record: CaseRecord;
  headers: Record<string, string>;
  onChanged: () => void;
}

export function AssessmentsCard({ record: c, headers, onChanged }: Props) {
  const { can } = useSession();
  if (!can('assessments.read')) return null;
  return <Card record={c} headers={headers} onChanged={onChanged} />;
}

function Card({ record: c, headers, onChanged }: Props) {
  const { t, lang } = useI18n();
  const dates = useDates();
  const { can } = useSession();
  const zone = useTimeZone();
  const load = useLoad((signal) => get<CaseAssessments>(`/api/v1/cases/${encodeURIComponent(c.id)}/assessments`, { signal, headers }), [c.id]);
  const table = useLoad((signal) => get<{ items: LevelSuggestionRow[] }>('/api/v1/level-suggestions', { signal }), []);
  const rules = useLoad((signal) => get<{ items: Rule[] }>('/api/v1/compliance/rules', { signal }), []);
  const days = triggerDays(rules.data?.items);
  const [form, setForm] = useState<'' | 'start' | 'trigger'>('');
  const [done, setDone] = useState('');
  const canWrite = can('assessments.write') && c.status !== 'closed';
  const d = load.data;
  const open = (d?.triggers ?? []).filter((x) => !x.resolved_at);
  const codes = new Map<string, Texts | null>();
  for (const i of d?.instruments ?? []) codes.set(i.code, i.name);
  for (const a of d?.items ?? []) if (!codes.has(a.instrument_code)) codes.set(a.instrument_code, a.instrument_name);
  // Per instrument, the latest countersigned assessment (items come newest first).
  const latest: AssessmentSummary[] = [];
  for (const a of d?.items ?? []) {
    if (a.status === 'countersigned' && !latest.some((x) => x.instrument_code === a.instrument_code)) latest.push(a);
  }
  const levelFor = (a: AssessmentSummary) => {
    const row = table.data?.items.find((x) => x.instrument_code === a.instrument_code && x.judgement === a.judgement);
    return row?.level ? inLang(row.level_title, lang) || row.level : null;
  };
  return (
    <section class="card assess-card" aria-labelledby="assessments-heading" id="assessments">
      <div class="card-head">
        <h2 id="assessments-heading" tabIndex={-1}>{t('assessments.title')}</h2>
        {canWrite && !form ? (
          <div class="button-row">
            <button type="button" class="button" id="assessment-start" onClick={() => { setForm('start'); setDone(''); }}>{t('assess.start')}</button>
            <button type="button" class="button button-secondary" id="trigger-add" onClick={() => { setForm('trigger'); setDone(''); }}>
              {t('assess.trigger.add')}</button>
          </div>
        ) : null}
      </div>
      <p class="muted">{t('assess.card.about')}</p>
      {load.status === 'error' ? (
        <div class="alert alert-error" role="alert">
          <p class="alert-title">{t('load.error')}</p>
          <button type="button" class="button" onClick={load.reload}>{t('status.retry')}</button>
        </div>
      ) : null}
      {!d && load.status === 'loading' ? <p class="muted" role="status">{t('status.loading')}</p> : null}
      {done ? <Success><p id="assessments-done">{done}</p></Success> : null}
      {form === 'start' && d ? (
        <StartForm caseId={c.id} headers={headers} data={d} onCancel={() => setForm('')} />
      ) : null}
      {form === 'trigger' ? (
        <TriggerForm caseId={c.id} headers={headers} onCancel={() => setForm('')}
          onSaved={() => { setForm(''); setDone(t('assess.trigger.recorded')); load.reload(); onChanged(); }} />
      ) : null}
      {d?.suggestion ? (
        <p class="notice assess-suggestion" id="assessments-suggestion">{suggestionText(t, d.suggestion, lang)} {t('assess.suggestion.decides')}</p>
      ) : null}
      {latest.length ? (
        <>
          <h3>{t('assess.latest.title')}</h3>
          <ul class="plain-list assess-latest" id="assessments-latest">
            {latest.map((a) => {
              const level = levelFor(a);
              return (
                <li key={a.id} data-code={a.instrument_code} data-id={a.id}>
                  <Link href={`/assessments/${encodeURIComponent(a.id)}`}>{inLang(a.instrument_name, lang) || a.instrument_code}</Link>:{' '}
                  {t('assess.latest.line', {
                    judgement: a.judgement ? inLang(a.judgement_label, lang) || a.judgement : '—',
                    date: a.assessed_on ? formatDay(a.assessed_on, lang) : '—',
                  })}{' '}
                  {level ? t('assess.latest.level', { level }) : t('assess.latest.no_level')}
                  {d?.suggestion?.assessment_id === a.id ? <>{' '}<span class="badge badge-info" id="assessments-latest-used">{t('assess.latest.used')}</span></> : null}
                </li>
              );
            })}
          </ul>
        </>
      ) : null}
      {d && d.reassessment.length ? (
        <>
          <h3>{t('assess.due.title')}</h3>
          <ul class="plain-list assess-due" id="assessments-due">
            {d.reassessment.map((r) => (
              <li key={r.instrument_code} class={r.overdue ? 'assess-due-item is-overdue' : 'assess-due-item'} data-code={r.instrument_code}>
                <span class={r.overdue ? 'badge badge-bad' : 'badge badge-ok'}>{r.overdue ? t('assess.due.overdue') : t('assess.due.in_time')}</span>{' '}
                {t('assess.due.line', { instrument: inLang(r.instrument_name, lang) || r.instrument_code, date: formatDay(r.due_on, lang) })}
                {' '}<span class="muted">{r.last_on ? t('assess.due.last', { date: formatDay(r.last_on, lang) }) : ''}
                  {' '}{codeLabel(t, 'assess.due.basis', r.basis)}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {open.length ? (
        <>
          <h3>{t('assess.triggers.title')}</h3>
          <ul class="plain-list assess-triggers" id="assessments-triggers">
            {open.map((x) => {
              const due = addDays(x.occurred_on, days);
              const overdue = due < today(zone);
              // An officer's own trigger has their summary; the engine's (record_type set) are worded here by kind.
              const own = !x.record_type;
              return (
                <li key={x.id} data-kind={x.kind} data-id={x.id} class="assess-trigger">
                  <span class="badge badge-warn">{codeLabel(t, 'assess.trigger.kind', x.kind)}</span>{' '}
                  {t('assess.trigger.on.line', { date: formatDay(x.occurred_on, lang) })}{' '}
                  <span class={overdue ? 'assess-trigger-due is-overdue' : 'assess-trigger-due'} data-due={due}>
                    {t(overdue ? 'assess.trigger.due.overdue' : 'assess.trigger.due', { date: formatDay(due, lang) })}</span>
                  {own && x.summary ? <span class="assess-trigger-summary"> — {x.summary}</span> : null}
                  {x.kind === 'new_information' && x.record_type === 'note' ? (
                    <>{' '}<a href={`#note-${x.record_id ?? ''}`} class="assess-trigger-note" onClick={(e) => toNote(e, x.record_id)}>
                      {t('assess.trigger.note.link')}</a></>
                  ) : null}
                  <span class="cell-sub">{x.recorded_by_name
                    ? t('assess.by_at', { name: x.recorded_by_name, time: dates.short(x.recorded_at) })
                    : t('assess.trigger.by_engine', { time: dates.short(x.recorded_at) })}</span>
                </li>
              );
            })}
          </ul>
        </>
      ) : null}
      {d ? (
        d.items.length === 0 ? <p id="assessments-none">{t('assess.none')}</p> : (
          <div class="table-wrap assess-stack-wrap">
            <table class="table assess-table assess-stack" id="assessments-table">
              <caption class="visually-hidden">{t('assessments.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('assess.instrument')}</th>
                  <th scope="col">{t('assess.status')}</th>
                  <th scope="col">{t('assess.assessed_on')}</th>
                  <th scope="col">{t('assess.field.judgement')}</th>
                  <th scope="col">{t('assess.assessor')}</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((a) => (
                  <tr key={a.id} data-status={a.status}>
                    <th scope="row"><Link href={`/assessments/${encodeURIComponent(a.id)}`}>
                      {t('assess.instrument.version', { name: inLang(a.instrument_name, lang) || a.instrument_code, version: a.instrument_version })}
                    </Link><span class="cell-sub">{codeLabel(t, 'assess.reason', a.reason)}</span></th>
                    <td data-label={t('assess.status')}><StatusBadge status={a.status} /></td>
                    <td class="cell-nowrap" data-label={t('assess.assessed_on')}>{a.assessed_on ? formatDay(a.assessed_on, lang) : '—'}</td>
                    <td data-label={t('assess.field.judgement')}>{a.judgement ? inLang(a.judgement_label, lang) || a.judgement : '—'}</td>
                    <td data-label={t('assess.assessor')}>{a.assessor_name}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : null}
      {codes.size ? (
        <p class="assess-history-links">
          {[...codes.entries()].map(([code, name]) => (
            <Link key={code} href={`/assessment-history/${encodeURIComponent(c.id)}?instrument=${encodeURIComponent(code)}`}>
              {t('assess.history.of', { instrument: inLang(name, lang) || code })}
            </Link>
          ))}
        </p>
      ) : null}
    </section>
  );
}

function StartForm({ caseId, headers, data, onCancel }: { caseId: string; headers: Record<string, string>; data: CaseAssessments; onCancel: () => void }) {
  const { t, lang } = useI18n();
  const [instrument, setInstrument] = useState(data.instruments.length === 1 ? data.instruments[0]?.id ?? '' : '');
  const [reason, setReason] = useState<string>(data.items.some((a) => a.status !== 'withdrawn') ? 'interval' : 'initial');
  const [trigger, setTrigger] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const open = data.triggers.filter((x) => !x.resolved_at);
  const mistakes: { field: string; message: string }[] = [];
  if (!instrument) mistakes.push({ field: 'instrument_id', message: t('assess.start.choose') });
  if (reason === 'trigger' && !trigger) mistakes.push({ field: 'trigger_id', message: t('assess.start.trigger.choose') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const chosen = data.instruments.find((i) => i.id === instrument);
  const fields = { instrument_id: 'assess-start-instrument', reason: 'assess-start-reason', trigger_id: 'assess-start-trigger' };
  const labels = { instrument_id: t('assess.instrument'), reason: t('assess.reason'), trigger_id: t('assess.trigger') };
  return (
    <form class="form form-wide assess-start" noValidate aria-labelledby="assess-start-title"
      onSubmit={(e) => {
        e.preventDefault();
        setAttempt((n) => n + 1);
        if (mistakes.length) return;
        void run(async () => {
          const body: Record<string, string> = { instrument_id: instrument, reason };
          if (reason === 'trigger') body.trigger_id = trigger;
          const r = await request<Assessment>('POST', `/api/v1/cases/${encodeURIComponent(caseId)}/assessments`, { body, headers });
          navigate(`/assessments/${encodeURIComponent(r.data.id)}`);
        });
      }}>
      <h3 id="assess-start-title">{t('assess.start')}</h3>
      <FormError error={error} focusKey={attempt} fields={fields} labels={labels} message={error && !local ? assessProblem(t, error) : undefined} />
      <div class="form-grid">
        <SelectField id={fields.instrument_id} label={labels.instrument_id} value={instrument} onValue={setInstrument} autoFocus error={fe.instrument_id}
          options={[{ value: '', label: t('assess.pick') }, ...data.instruments.map((i) => ({
            value: i.id,
            label: `${inLang(i.name, lang) || i.code} ${i.version} — ${!i.certification_required ? t('assess.cert.not_required')
              : i.caller_certified ? t('assess.cert.yes') : t('assess.cert.no')}`,
          }))]} />
        <SelectField id={fields.reason} label={labels.reason} value={reason} onValue={setReason} error={fe.reason}
          options={REASONS.map((r) => ({ value: r, label: codeLabel(t, 'assess.reason', r) }))} />
        {reason === 'trigger' ? (
          <SelectField id={fields.trigger_id} label={labels.trigger_id} value={trigger} onValue={setTrigger} error={fe.trigger_id}
            hint={open.length ? undefined : t('assess.start.trigger.none')}
            options={[{ value: '', label: t('assess.pick') }, ...open.map((x) => ({
              value: x.id, label: `${codeLabel(t, 'assess.trigger.kind', x.kind)}, ${formatDay(x.occurred_on, lang)}${!x.record_type && x.summary ? `: ${x.summary.slice(0, 60)}` : ''}`,
            }))]} />
        ) : null}
      </div>
      {chosen && chosen.certification_required && !chosen.caller_certified ? (
        <p class="notice" id="assess-start-uncertified">{t('assess.start.uncertified')}</p>
      ) : null}
      <div class="button-row">
        <button type="submit" class="button" id="assess-start-submit" disabled={busy}>{t('assess.start.submit')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}

function TriggerForm({ caseId, headers, onCancel, onSaved }: { caseId: string; headers: Record<string, string>; onCancel: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const zone = useTimeZone();
  const [kind, setKind] = useState('');
  const [on, setOn] = useState(today(zone));
  const [summary, setSummary] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const mistakes: { field: string; message: string }[] = [];
  if (!kind) mistakes.push({ field: 'kind', message: t('assess.trigger.kind.choose') });
  if (!on) mistakes.push({ field: 'occurred_on', message: t('cases.required') });
  const n = summary.trim().length;
  if (n < 5 || n > 300) mistakes.push({ field: 'summary', message: t('sup.chars', { min: 5, max: 300 }) });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const fields = { kind: 'trigger-kind', occurred_on: 'trigger-on', summary: 'trigger-summary' };
  const labels = { kind: t('assess.trigger.kind'), occurred_on: t('assess.trigger.on'), summary: t('assess.trigger.summary') };
  return (
    <form class="form form-wide" noValidate aria-labelledby="trigger-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        setAttempt((x) => x + 1);
        if (mistakes.length) return;
        void run(async () => {
          await request('POST', `/api/v1/cases/${encodeURIComponent(caseId)}/reassessment-triggers`,
            { body: { kind, occurred_on: on, summary: summary.trim() }, headers });
          onSaved();
        });
      }}>
      <h3 id="trigger-form-title">{t('assess.trigger.add')}</h3>
      <p class="hint">{t('assess.trigger.about')}</p>
      <FormError error={error} focusKey={attempt} fields={fields} labels={labels} />
      <div class="form-grid">
        <SelectField id={fields.kind} label={labels.kind} value={kind} onValue={setKind} autoFocus error={fe.kind}
          options={[{ value: '', label: t('assess.pick') }, ...RECORDABLE_TRIGGERS.map((k) => ({ value: k, label: codeLabel(t, 'assess.trigger.kind', k) }))]} />
        <DateField id={fields.occurred_on} label={labels.occurred_on} value={on} onValue={setOn} max={today(zone)} error={fe.occurred_on} />
      </div>
      <TextAreaField id={fields.summary} label={labels.summary} value={summary} onValue={setSummary} rows={2} min={5} max={300} error={fe.summary}
        hint={t('assess.trigger.summary.hint')} />
      <div class="button-row">
        <button type="submit" class="button" id="trigger-submit" disabled={busy}>{t('assess.trigger.submit')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}
