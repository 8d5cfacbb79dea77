// The person's schedule: upcoming and recent occurrences of their appointments (office meetings,
// home visits, calls, video), each with its outcome, or marked moved or cancelled; the form that
// schedules one, single or repeating (the RRULE is built here from the choices, or typed under
// "advanced"); and per occurrence: record the outcome, move it or cancel it (a reason each
// time), print the letter in Kyrgyz, Russian or English. Times are the deployment zone's.
import { useState } from 'preact/hooks';
import { get, request } from '../../api';
import { CheckboxGroup, FormError, SelectField, Success, TextAreaField, TextField, countChars } from '../../components/Form';
import { useAction, useLoad } from '../../hooks';
import { LANG_NAMES, useI18n } from '../../i18n';
import { fieldErrors } from '../../problems';
import { useTimeZone } from '../../session';
import { localProblem } from '../cases/Decisions';
import { DateField, RadioGroup } from '../cases/Fields';
import { REPORT_LANGS, formatDay, today } from '../cases/model';
import { SeriesList } from './Series';
import { LoadError, RepeatRule, TimeField, ZoneNote, caseApi, conditionName, focusLater, nowLocal, wholeIn } from './common';
import { EMPTY_OUTCOME, OutcomeFields, outcomeBody, outcomeFieldIds, outcomeFieldLabels, outcomeMistakes, type OutcomeValues } from './Contacts';
import {
  APPOINTMENT_KINDS, WEEKDAYS, absenceLabel, apptKindLabel, buildRrule, localClock, localDay, outcomeClass, outcomeLabel,
  weekdayIndex, weekdayLabel, type ConditionItem, type Occurrence, type Repeat, type RepeatEnd, type Schedule, type Weekday,
} from './model';

interface Props {
  caseId: string;
  canWrite: boolean;
  headers: Record<string, string>;
  tick: number;
  conditions: ConditionItem[];
  onChanged: () => void;
}

/** An occurrence's key: its appointment and the time the rule gave it. */
const occKey = (o: Occurrence) => `${o.appointment_id}|${o.original_local}`;
const occDom = (o: Occurrence) => `occ-${o.appointment_id}-${o.original_local.replace(/[^0-9]/g, '')}`;

export function AppointmentsCard({ caseId, canWrite, headers, tick, conditions, onChanged }: Props) {
  const { t } = useI18n();
  const zone = useTimeZone();
  const schedule = useLoad((signal) => get<Schedule>(caseApi(caseId, 'appointments'), { signal, headers }), [caseId, tick]);
  const [adding, setAdding] = useState(false);
  const [done, setDone] = useState('');
  const now = nowLocal(schedule.data?.timezone || zone);
  const items = schedule.data?.items ?? [];
  const upcoming = items.filter((o) => o.start_local >= now);
  const recent = items.filter((o) => o.start_local < now).reverse();
  const changed = (message: string, focus: string) => {
    setDone(message);
    onChanged();
    focusLater(focus);
  };
  return (
    <section class="card sup-card" aria-labelledby="appointments-heading" id="appointments">
      <div class="card-head">
        <h2 id="appointments-heading" tabIndex={-1}>{t('sup.appointments.title')}</h2>
        {canWrite && !adding ? (
          <button type="button" class="button" id="appointment-add" onClick={() => { setAdding(true); setDone(''); }}>
            {t('sup.appointment.add')}
          </button>
        ) : null}
      </div>
      {!adding ? <ZoneNote zone={schedule.data?.timezone || zone} /> : null}
      {done ? <Success><p>{done}</p></Success> : null}
      {adding ? (
        <ScheduleForm caseId={caseId} headers={headers} conditions={conditions}
          onCancel={() => { setAdding(false); focusLater('appointment-add'); }}
          onSaved={() => { setAdding(false); changed(t('sup.appointment.saved'), 'appointments-heading'); }} />
      ) : null}
      {schedule.status === 'error' ? <LoadError onRetry={schedule.reload} /> : null}
      {!schedule.data && schedule.status === 'loading' ? <p class="muted" role="status">{t('status.loading')}</p> : null}
      {schedule.data ? (
        <>
          <h3>{t('sup.appointments.upcoming')}</h3>
          {upcoming.length ? (
            <ol class="plain-list sup-occurrences" id="occurrences-upcoming">
              {upcoming.map((o) => (
                <OccurrenceItem key={occKey(o)} occ={o} past={false} canWrite={canWrite} headers={headers} conditions={conditions}
                  onChanged={(m) => changed(m, occDom(o))} />
              ))}
            </ol>
          ) : <p class="muted">{t('sup.appointments.none_upcoming')}</p>}
          <h3>{t('sup.appointments.recent')}</h3>
          {recent.length ? (
            <ol class="plain-list sup-occurrences" id="occurrences-recent">
              {recent.map((o) => (
                <OccurrenceItem key={occKey(o)} occ={o} past canWrite={canWrite} headers={headers} conditions={conditions}
                  onChanged={(m) => changed(m, occDom(o))} />
              ))}
            </ol>
          ) : <p class="muted">{t('sup.appointments.none_recent')}</p>}
          <SeriesList appointments={schedule.data.appointments ?? []} occurrences={items} now={now} canWrite={canWrite} headers={headers}
            onChanged={(m) => changed(m, 'appointments-heading')} />
        </>
      ) : null}
    </section>
  );
}

/** The badges of an occurrence: its outcome, or moved / cancelled / outcome due. */
export function OccurrenceBadges({ occ, past }: { occ: Occurrence; past: boolean }) {
  const { t } = useI18n();
  return (
    <span class="badges sup-badges">
      {occ.cancelled ? <span class="badge badge-off">{t('sup.occ.cancelled')}</span> : null}
      {occ.moved && !occ.cancelled ? <span class="badge badge-warn">{t('sup.occ.moved')}</span> : null}
      {occ.outcome ? <span class={outcomeClass(occ.outcome.outcome)}>{outcomeLabel(t, occ.outcome.outcome)}</span> : null}
      {!occ.outcome && !occ.cancelled && past ? <span class="badge badge-warn">{t('sup.occ.outcome_due')}</span> : null}
    </span>
  );
}

interface OccurrenceProps {
  occ: Occurrence;
  past: boolean;
  canWrite: boolean;
  headers: Record<string, string>;
  conditions: ConditionItem[];
  onChanged: (message: string) => void;
}

function OccurrenceItem({ occ: o, past, canWrite, headers, conditions, onChanged }: OccurrenceProps) {
  const { t, lang } = useI18n();
  const zone = useTimeZone();
  const [form, setForm] = useState<'' | 'outcome' | 'move' | 'cancel'>('');
  const id = occDom(o);
  const letter = (l: string) => `/api/v1/appointments/${encodeURIComponent(o.appointment_id)}/letter?occurrence=${
    encodeURIComponent(o.original_local)}&lang=${l}`;
  const close = () => { setForm(''); focusLater(`${id}-actions`); };
  return (
    <li class={o.cancelled ? 'sup-occ is-cancelled' : 'sup-occ'} id={id} tabIndex={-1}>
      <div class="sup-occ-main">
        <p class="sup-occ-when">
          <strong>{weekdayLabel(t, WEEKDAYS[weekdayIndex(localDay(o.start_local))] ?? 'mo')}{' '}
            {formatDay(localDay(o.start_local), lang)} {localClock(o.start_local)}–{localClock(o.end_local)}</strong>{' '}
          {apptKindLabel(t, o.kind)}
        </p>
        <p class="sup-occ-what">{o.purpose}{o.location ? ` · ${o.location}` : ''}{o.officer_name ? ` · ${o.officer_name}` : ''}</p>
        {o.moved && o.original_local !== o.start_local ? (
          <p class="cell-sub">{t('sup.occ.moved_from', { time: `${formatDay(localDay(o.original_local), lang)} ${localClock(o.original_local)}` })}
            {o.reason ? ` — ${o.reason}` : ''}</p>
        ) : null}
        {o.cancelled && o.reason ? <p class="cell-sub">{t('sup.occ.cancel_reason', { reason: o.reason })}</p> : null}
        {o.outcome?.absence_reason ? (
          <p class="cell-sub">{absenceLabel(t, o.outcome.absence_reason)}{o.outcome.absence_detail ? `: ${o.outcome.absence_detail}` : ''}</p>
        ) : null}
        <OccurrenceBadges occ={o} past={past} />
      </div>
      <div class="sup-occ-actions" id={`${id}-actions`} tabIndex={-1}>
        {canWrite && !o.cancelled && !form ? (
          <>
            {!o.outcome && localDay(o.start_local) <= today(zone) ? (
              <button type="button" class="button button-small" onClick={() => setForm('outcome')}>
                {t('sup.occ.record_outcome')}<span class="visually-hidden">: {o.start_local}</span>
              </button>
            ) : null}
            {!o.outcome ? (
              <button type="button" class="button button-secondary button-small" onClick={() => setForm('move')}>
                {t('sup.occ.reschedule')}<span class="visually-hidden">: {o.start_local}</span>
              </button>
            ) : null}
            {!o.outcome ? (
              <button type="button" class="button button-secondary button-small" onClick={() => setForm('cancel')}>
                {t('sup.occ.cancel')}<span class="visually-hidden">: {o.start_local}</span>
              </button>
            ) : null}
          </>
        ) : null}
        {!o.cancelled ? (
          <span class="sup-letters">
            {t('sup.occ.letter')}:{' '}
            {REPORT_LANGS.map((l) => (
              <a key={l} href={letter(l)} target="_blank" rel="noopener" lang={l} class="sup-letter">
                {LANG_NAMES[l]}<span class="visually-hidden"> ({t('sup.occ.letter')}, {o.start_local.replace('T', ' ')})</span>
              </a>
            ))}
          </span>
        ) : null}
      </div>
      {form === 'outcome' ? (
        <OutcomeForm occ={o} headers={headers} conditions={conditions} onCancel={close}
          onSaved={() => { setForm(''); onChanged(t('sup.occ.outcome_saved')); }} />
      ) : null}
      {form === 'move' || form === 'cancel' ? (
        <MoveForm occ={o} cancel={form === 'cancel'} headers={headers} onCancel={close}
          onSaved={() => { setForm(''); onChanged(form === 'cancel' ? t('sup.occ.cancelled_done') : t('sup.occ.moved_done')); }} />
      ) : null}
    </li>
  );
}

function OutcomeForm({ occ, headers, conditions, onCancel, onSaved }: { occ: Occurrence; headers: Record<string, string>;
  conditions: ConditionItem[]; onCancel: () => void; onSaved: () => void }) {
  const { t, lang } = useI18n();
  const p = `${occDom(occ)}-o`;
  const [values, setValues] = useState<OutcomeValues>({ ...EMPTY_OUTCOME, duration: String(occ.duration_min) });
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const mistakes = outcomeMistakes(t, values);
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  return (
    <form class="form form-wide sup-subform" noValidate aria-labelledby={`${p}-title`}
      onSubmit={(e) => {
        e.preventDefault();
        if (mistakes.length) { setAttempt((a) => a + 1); return; }
        setAttempt(0);
        void run(async () => {
          await request('POST', `/api/v1/appointments/${encodeURIComponent(occ.appointment_id)}/outcome`, {
            body: { occurrence_local: occ.original_local, ...outcomeBody(values) }, headers,
          });
          onSaved();
        });
      }}>
      <h4 id={`${p}-title`}>{t('sup.occ.outcome_title', { time: `${formatDay(localDay(occ.start_local), lang)} ${localClock(occ.start_local)}` })}</h4>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={outcomeFieldIds(p)} labels={outcomeFieldLabels(t)} />
      <OutcomeFields prefix={p} values={values} onChange={setValues} errors={fe} conditions={conditions} />
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{busy ? t('cases.saving') : t('sup.occ.outcome_submit')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}

function MoveForm({ occ, cancel, headers, onCancel, onSaved }: { occ: Occurrence; cancel: boolean; headers: Record<string, string>;
  onCancel: () => void; onSaved: () => void }) {
  const { t, lang } = useI18n();
  const zone = useTimeZone();
  const p = `${occDom(occ)}-${cancel ? 'c' : 'm'}`;
  const [day, setDay] = useState(localDay(occ.start_local));
  const [time, setTime] = useState(localClock(occ.start_local));
  const [reason, setReason] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const mistakes: { field: string; message: string }[] = [];
  if (!cancel && (!day || !time)) mistakes.push({ field: 'new_starts_local', message: t('cases.required') });
  else if (!cancel && `${day}T${time}` === occ.start_local) mistakes.push({ field: 'new_starts_local', message: t('sup.occ.same_time') });
  const n = countChars(reason);
  if (n < 3 || n > 500) mistakes.push({ field: 'reason', message: t('sup.chars', { min: 3, max: 500 }) });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const fields = { new_starts_local: `${p}-day`, reason: `${p}-reason` };
  const labels = { new_starts_local: t('sup.occ.new_time'), reason: t('sup.reason') };
  const when = `${formatDay(localDay(occ.start_local), lang)} ${localClock(occ.start_local)}`;
  return (
    <form class="form form-wide sup-subform" noValidate aria-labelledby={`${p}-title`}
      onSubmit={(e) => {
        e.preventDefault();
        if (mistakes.length) { setAttempt((a) => a + 1); return; }
        setAttempt(0);
        void run(async () => {
          await request('POST', `/api/v1/appointments/${encodeURIComponent(occ.appointment_id)}/reschedule`, {
            body: { occurrence_local: occ.original_local, new_starts_local: cancel ? null : `${day}T${time}`, reason: reason.trim() }, headers,
          });
          onSaved();
        });
      }}>
      <h4 id={`${p}-title`}>{cancel ? t('sup.occ.cancel_title', { time: when }) : t('sup.occ.move_title', { time: when })}</h4>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={fields} labels={labels} />
      {!cancel ? (
        <>
          <ZoneNote zone={zone} />
          <div class="form-grid">
            <DateField id={fields.new_starts_local} label={t('sup.occ.new_date')} value={day} onValue={setDay} required
              error={fe.new_starts_local} />
            <TimeField id={`${p}-time`} label={t('sup.occ.new_clock')} value={time} onValue={setTime} required />
          </div>
        </>
      ) : null}
      <TextField id={fields.reason} label={labels.reason} value={reason} onValue={setReason} required maxLength={500} error={fe.reason}
        hint={cancel ? t('sup.occ.cancel_hint') : t('sup.occ.move_hint')} />
      <div class="button-row">
        <button type="submit" class={cancel ? 'button button-danger' : 'button'} disabled={busy}>
          {busy ? t('cases.saving') : cancel ? t('sup.occ.cancel_submit') : t('sup.occ.move_submit')}
        </button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}

const REPEATS: readonly Repeat[] = ['none', 'weekly', 'fortnightly', 'monthly', 'advanced'];

function ScheduleForm({ caseId, headers, conditions, onCancel, onSaved }: { caseId: string; headers: Record<string, string>;
  conditions: ConditionItem[]; onCancel: () => void; onSaved: () => void }) {
  const { t, lang } = useI18n();
  const zone = useTimeZone();
  const now = nowLocal(zone);
  const [kind, setKind] = useState('office');
  const [location, setLocation] = useState('');
  const [purpose, setPurpose] = useState('');
  const [condition, setCondition] = useState('');
  const [day, setDay] = useState(now.slice(0, 10));
  const [time, setTime] = useState('10:00');
  const [duration, setDuration] = useState('60');
  const [repeat, setRepeat] = useState<Repeat>('none');
  const [days, setDays] = useState<Weekday[]>([]);
  const [monthDay, setMonthDay] = useState('');
  const [end, setEnd] = useState<RepeatEnd>('count');
  const [count, setCount] = useState('10');
  const [until, setUntil] = useState('');
  const [raw, setRaw] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const startDay = WEEKDAYS[weekdayIndex(day)] ?? 'mo';
  const chosenDays = days.length ? days : [startDay];
  const chosenMonthDay = monthDay || String(Number(day.slice(8, 10)) || 1);
  const rrule = buildRrule({ repeat, days: chosenDays, monthDay: chosenMonthDay, end, count, until, raw });
  const mistakes: { field: string; message: string }[] = [];
  const pn = countChars(purpose);
  if (pn < 1 || pn > 500) mistakes.push({ field: 'purpose', message: t('sup.chars', { min: 1, max: 500 }) });
  if (!day || !time) mistakes.push({ field: 'starts_local', message: t('cases.required') });
  if (!wholeIn(duration, 5, 720)) mistakes.push({ field: 'duration_min', message: t('sup.between', { min: 5, max: 720 }) });
  if (repeat === 'monthly' && !wholeIn(chosenMonthDay, 1, 31)) mistakes.push({ field: 'month_day', message: t('sup.between', { min: 1, max: 31 }) });
  if (repeat !== 'none' && repeat !== 'advanced') {
    if (end === 'count' && !wholeIn(count, 1, 500)) mistakes.push({ field: 'count', message: t('sup.between', { min: 1, max: 500 }) });
    if (end === 'until' && (!until || until < day)) mistakes.push({ field: 'until', message: t('sup.repeat.until.after') });
  }
  if (repeat === 'advanced' && !raw.trim()) mistakes.push({ field: 'rrule', message: t('cases.required') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const fields = { kind: 'appt-kind', location: 'appt-location', purpose: 'appt-purpose', condition_id: 'appt-condition',
    starts_local: 'appt-day', duration_min: 'appt-duration', rrule: repeat === 'advanced' ? 'appt-rrule' : 'appt-repeat',
    month_day: 'appt-monthday', count: 'appt-count', until: 'appt-until', officer_id: 'appt-kind' };
  const labels = { kind: t('sup.kind'), location: t('sup.location'), purpose: t('sup.purpose'), condition_id: t('sup.condition'),
    starts_local: t('sup.start'), duration_min: t('sup.duration'), rrule: t('sup.repeat'), month_day: t('sup.repeat.month_day'),
    count: t('sup.repeat.count'), until: t('sup.repeat.until'), officer_id: t('sup.officer') };
  return (
    <form class="form form-wide" noValidate aria-labelledby="appt-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (mistakes.length) { setAttempt((a) => a + 1); return; }
        setAttempt(0);
        void run(async () => {
          const body: Record<string, string | number> = { kind, purpose: purpose.trim(), starts_local: `${day}T${time}`,
            duration_min: Number(duration) };
          if (location.trim()) body.location = location.trim();
          if (condition) body.condition_id = condition;
          if (rrule) body.rrule = rrule;
          await request('POST', caseApi(caseId, 'appointments'), { body, headers });
          onSaved();
        });
      }}>
      <h3 id="appt-form-title">{t('sup.appointment.add')}</h3>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={fields} labels={labels} />
      <div class="form-grid">
        <SelectField id={fields.kind} label={labels.kind} value={kind} onValue={setKind} required error={fe.kind} autoFocus
          options={APPOINTMENT_KINDS.map((k) => ({ value: k, label: apptKindLabel(t, k) }))} />
        <TextField id={fields.location} label={labels.location} value={location} onValue={setLocation} optional maxLength={300}
          error={fe.location} />
        <SelectField id={fields.condition_id} label={labels.condition_id} value={condition} onValue={setCondition} optional
          error={fe.condition_id}
          options={[{ value: '', label: t('sup.condition.none') },
            ...conditions.filter((c) => c.status === 'active').map((c) => ({ value: c.id, label: conditionName(c, lang) }))]} />
      </div>
      <TextField id={fields.purpose} label={labels.purpose} value={purpose} onValue={setPurpose} required maxLength={500}
        error={fe.purpose} hint={t('sup.purpose.hint')} />
      <ZoneNote zone={zone} id="appt-zone" />
      <div class="form-grid">
        <DateField id={fields.starts_local} label={t('sup.date')} value={day} onValue={setDay} required error={fe.starts_local} />
        <TimeField id="appt-time" label={t('sup.time')} value={time} onValue={setTime} required />
        <TextField id={fields.duration_min} label={labels.duration_min} value={duration} onValue={setDuration} required type="number"
          inputMode="numeric" min={5} max={720} error={fe.duration_min} class="input-short" />
      </div>
      <SelectField id="appt-repeat" label={labels.rrule} value={repeat} onValue={(v) => setRepeat(v as Repeat)} required
        error={repeat !== 'advanced' ? fe.rrule : undefined}
        options={REPEATS.map((r) => ({ value: r, label: t(`sup.repeat.${r}`) }))} />
      {repeat === 'weekly' || repeat === 'fortnightly' ? (
        <CheckboxGroup id="appt-days" legend={t('sup.repeat.days')} selected={chosenDays}
          onChange={(v) => setDays(v as Weekday[])} hint={t('sup.repeat.days.hint')}
          options={WEEKDAYS.map((d) => ({ value: d, label: weekdayLabel(t, d) }))} />
      ) : null}
      {repeat === 'monthly' ? (
        <TextField id={fields.month_day} label={labels.month_day} value={chosenMonthDay} onValue={setMonthDay} required type="number"
          inputMode="numeric" min={1} max={31} error={fe.month_day} class="input-short" />
      ) : null}
      {repeat !== 'none' && repeat !== 'advanced' ? (
        <div class="sup-repeat-end">
          <RadioGroup id="appt-end" legend={t('sup.repeat.end')} value={end} onValue={(v) => setEnd(v as RepeatEnd)}
            options={[{ value: 'count', label: t('sup.repeat.end.count') }, { value: 'until', label: t('sup.repeat.end.until') }]} />
          {end === 'count' ? (
            <TextField id={fields.count} label={labels.count} value={count} onValue={setCount} required type="number" inputMode="numeric"
              min={1} max={500} error={fe.count} class="input-short" />
          ) : (
            <DateField id={fields.until} label={labels.until} value={until} onValue={setUntil} required error={fe.until} min={day} />
          )}
        </div>
      ) : null}
      {repeat === 'advanced' ? (
        <TextAreaField id="appt-rrule" label={t('sup.repeat.raw')} value={raw} onValue={setRaw} rows={2} max={300}
          error={fe.rrule} hint={t('sup.repeat.raw.hint')} />
      ) : null}
      {rrule ? <div class="hint" id="appt-rule-preview">{t('sup.repeat.rule')}: <RepeatRule rule={rrule} zone={zone} /></div> : null}
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{busy ? t('cases.saving') : t('sup.appointment.submit')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}
