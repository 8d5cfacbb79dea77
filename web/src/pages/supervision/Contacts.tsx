// Contacts: what happened at each meeting, visit or call (the outcome, an absence's reason, how
// long, notes, the condition it concerned), newest first; and the form for an unscheduled
// contact. OutcomeFields is shared with the outcome form of a scheduled occurrence.
import { useState } from 'preact/hooks';
import { get, request } from '../../api';
import { FormError, SelectField, Success, TextAreaField, TextField } from '../../components/Form';
import { useAction, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { fieldErrors } from '../../problems';
import { useTimeZone } from '../../session';
import { localProblem } from '../cases/Decisions';
import { DateField } from '../cases/Fields';
import { formatDay } from '../cases/model';
import { LoadError, TimeField, ZoneNote, caseApi, conditionName, focusLater, nowLocal, wholeIn } from './common';
import {
  ABSENCE_REASONS, CONTACT_KINDS, OUTCOMES, absenceLabel, apptKindLabel, outcomeClass, outcomeLabel,
  type ConditionItem, type Contact, type T,
} from './model';

export interface OutcomeValues {
  outcome: string;
  reason: string;
  detail: string;
  duration: string;
  notes: string;
  condition: string;
}

export const EMPTY_OUTCOME: OutcomeValues = { outcome: '', reason: '', detail: '', duration: '', notes: '', condition: '' };

/** The mistakes in outcome values, as field errors named like the API's. */
export function outcomeMistakes(t: T, v: OutcomeValues): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  if (!v.outcome) out.push({ field: 'outcome', message: t('sup.outcome.choose') });
  if (v.outcome === 'acceptable_absence' && !v.reason) out.push({ field: 'absence_reason', message: t('sup.absence.choose') });
  if (v.outcome === 'acceptable_absence' && v.reason === 'other' && !v.detail.trim()) {
    out.push({ field: 'absence_detail', message: t('sup.absence.detail.required') });
  }
  if (v.duration.trim() && !wholeIn(v.duration, 1, 720)) out.push({ field: 'duration_min', message: t('sup.between', { min: 1, max: 720 }) });
  return out;
}

/** The outcome values as the API's body members. */
export function outcomeBody(v: OutcomeValues): Record<string, string | number> {
  const body: Record<string, string | number> = { outcome: v.outcome };
  if (v.outcome === 'acceptable_absence') {
    body.absence_reason = v.reason;
    if (v.reason === 'other') body.absence_detail = v.detail.trim();
  }
  if (v.duration.trim()) body.duration_min = Number(v.duration);
  if (v.notes.trim()) body.notes = v.notes.trim();
  if (v.condition) body.condition_id = v.condition;
  return body;
}

export function outcomeFieldIds(p: string): Record<string, string> {
  return { outcome: `${p}-outcome`, absence_reason: `${p}-absence`, absence_detail: `${p}-absence-detail`,
    duration_min: `${p}-duration`, notes: `${p}-notes`, condition_id: `${p}-condition` };
}

export function outcomeFieldLabels(t: T): Record<string, string> {
  return { outcome: t('sup.outcome'), absence_reason: t('sup.absence'), absence_detail: t('sup.absence.detail'),
    duration_min: t('sup.duration'), notes: t('sup.notes'), condition_id: t('sup.condition') };
}

interface OutcomeFieldsProps {
  prefix: string;
  values: OutcomeValues;
  onChange: (v: OutcomeValues) => void;
  errors: Record<string, string>;
  conditions: ConditionItem[];
}

export function OutcomeFields({ prefix, values: v, onChange, errors: fe, conditions }: OutcomeFieldsProps) {
  const { t, lang } = useI18n();
  const ids = outcomeFieldIds(prefix);
  const labels = outcomeFieldLabels(t);
  const set = (patch: Partial<OutcomeValues>) => onChange({ ...v, ...patch });
  return (
    <>
      <div class="form-grid">
        <SelectField id={ids.outcome!} label={labels.outcome!} value={v.outcome} onValue={(x) => set({ outcome: x })} required
          error={fe.outcome} options={[{ value: '', label: t('sup.pick') }, ...OUTCOMES.map((o) => ({ value: o, label: outcomeLabel(t, o) }))]} />
        {v.outcome === 'acceptable_absence' ? (
          <SelectField id={ids.absence_reason!} label={labels.absence_reason!} value={v.reason} onValue={(x) => set({ reason: x })}
            required error={fe.absence_reason}
            options={[{ value: '', label: t('sup.pick') }, ...ABSENCE_REASONS.map((r) => ({ value: r, label: absenceLabel(t, r) }))]} />
        ) : null}
        {v.outcome === 'acceptable_absence' && v.reason === 'other' ? (
          <TextField id={ids.absence_detail!} label={labels.absence_detail!} value={v.detail} onValue={(x) => set({ detail: x })}
            required maxLength={500} error={fe.absence_detail} />
        ) : null}
        <TextField id={ids.duration_min!} label={labels.duration_min!} value={v.duration} onValue={(x) => set({ duration: x })}
          optional type="number" inputMode="numeric" min={1} max={720} error={fe.duration_min} class="input-short" />
        <SelectField id={ids.condition_id!} label={labels.condition_id!} value={v.condition} onValue={(x) => set({ condition: x })}
          optional error={fe.condition_id}
          options={[{ value: '', label: t('sup.condition.none') },
            ...conditions.filter((c) => c.status === 'active' || c.id === v.condition).map((c) => ({ value: c.id, label: conditionName(c, lang) }))]} />
      </div>
      <TextAreaField id={ids.notes!} label={`${labels.notes} ${t('form.optional')}`} value={v.notes} onValue={(x) => set({ notes: x })}
        rows={3} max={4000} error={fe.notes} />
    </>
  );
}

interface Props {
  caseId: string;
  canWrite: boolean;
  headers: Record<string, string>;
  tick: number;
  conditions: ConditionItem[];
  onChanged: () => void;
}

export function ContactsCard({ caseId, canWrite, headers, tick, conditions, onChanged }: Props) {
  const { t, lang } = useI18n();
  const list = useLoad((signal) => get<{ items: Contact[] }>(caseApi(caseId, 'contacts'), { signal, headers }), [caseId, tick]);
  const [adding, setAdding] = useState(false);
  const [saved, setSaved] = useState(false);
  const items = list.data?.items ?? [];
  const condition = (id: string | null) => {
    const c = id ? conditions.find((x) => x.id === id) : undefined;
    return c ? conditionName(c, lang) : id ? '—' : '';
  };
  return (
    <section class="card sup-card" aria-labelledby="contacts-heading" id="contacts">
      <div class="card-head">
        <h2 id="contacts-heading" tabIndex={-1}>{t('sup.contacts.title')}</h2>
        {canWrite && !adding ? (
          <button type="button" class="button" id="contact-add" onClick={() => { setAdding(true); setSaved(false); }}>
            {t('sup.contact.add')}
          </button>
        ) : null}
      </div>
      <p class="muted">{t('sup.contacts.about')}</p>
      {saved ? <Success><p>{t('sup.contact.saved')}</p></Success> : null}
      {adding ? (
        <ContactForm caseId={caseId} headers={headers} conditions={conditions}
          onCancel={() => { setAdding(false); focusLater('contact-add'); }}
          onSaved={() => { setAdding(false); setSaved(true); onChanged(); focusLater('contacts-heading'); }} />
      ) : null}
      {list.status === 'error' ? <LoadError onRetry={list.reload} /> : null}
      {!list.data && list.status === 'loading' ? <p class="muted" role="status">{t('status.loading')}</p> : null}
      {list.data && items.length === 0 ? <p>{t('sup.contacts.none')}</p> : null}
      {items.length ? (
        <div class="table-wrap">
          <table class="table sup-table" id="contacts-table">
            <caption class="visually-hidden">{t('sup.contacts.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('sup.when')}</th>
                <th scope="col">{t('sup.kind')}</th>
                <th scope="col">{t('sup.outcome')}</th>
                <th scope="col">{t('sup.duration.short')}</th>
                <th scope="col">{t('sup.notes')}</th>
                <th scope="col">{t('sup.condition')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id}>
                  <td class="cell-nowrap">{formatDay(c.happened_local.slice(0, 10), lang)} {c.happened_local.slice(11, 16)}</td>
                  <td>{apptKindLabel(t, c.kind)}{c.appointment_id ? '' : <span class="cell-sub">{t('sup.contact.unscheduled')}</span>}</td>
                  <td>
                    <span class={outcomeClass(c.outcome)}>{outcomeLabel(t, c.outcome)}</span>
                    {c.absence_reason ? <span class="cell-sub">{absenceLabel(t, c.absence_reason)}{c.absence_detail ? `: ${c.absence_detail}` : ''}</span> : null}
                  </td>
                  <td>{c.duration_min ? t('sup.minutes', { n: c.duration_min }) : '—'}</td>
                  <td class="sup-text">{c.notes ?? ''}<span class="cell-sub">{c.recorded_by_name ?? ''}</span></td>
                  <td>{condition(c.condition_id)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function ContactForm({ caseId, headers, conditions, onCancel, onSaved }: { caseId: string; headers: Record<string, string>;
  conditions: ConditionItem[]; onCancel: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const zone = useTimeZone();
  const now = nowLocal(zone);
  const [kind, setKind] = useState('office');
  const [day, setDay] = useState(now.slice(0, 10));
  const [time, setTime] = useState(now.slice(11, 16));
  const [values, setValues] = useState<OutcomeValues>(EMPTY_OUTCOME);
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const mistakes = outcomeMistakes(t, values);
  if (!day || !time) mistakes.unshift({ field: 'happened_local', message: t('cases.required') });
  else if (`${day}T${time}` > now) mistakes.unshift({ field: 'happened_local', message: t('sup.contact.future') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const fields = { kind: 'contact-kind', happened_local: 'contact-day', ...outcomeFieldIds('contact') };
  const labels = { kind: t('sup.kind'), happened_local: t('sup.when'), ...outcomeFieldLabels(t) };
  return (
    <form class="form form-wide" noValidate aria-labelledby="contact-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (mistakes.length) { setAttempt((a) => a + 1); return; }
        setAttempt(0);
        void run(async () => {
          await request('POST', caseApi(caseId, 'contacts'), {
            body: { kind, happened_local: `${day}T${time}`, ...outcomeBody(values) }, headers,
          });
          onSaved();
        });
      }}>
      <h3 id="contact-form-title">{t('sup.contact.add')}</h3>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={fields} labels={labels} />
      <ZoneNote zone={zone} />
      <div class="form-grid">
        <SelectField id={fields.kind} label={labels.kind} value={kind} onValue={setKind} required error={fe.kind} autoFocus
          options={CONTACT_KINDS.map((k) => ({ value: k, label: apptKindLabel(t, k) }))} />
        <DateField id="contact-day" label={t('sup.date')} value={day} onValue={setDay} required error={fe.happened_local} />
        <TimeField id="contact-time" label={t('sup.time')} value={time} onValue={setTime} required />
      </div>
      <OutcomeFields prefix="contact" values={values} onChange={setValues} errors={fe} conditions={conditions} />
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{busy ? t('cases.saving') : t('sup.contact.submit')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}
