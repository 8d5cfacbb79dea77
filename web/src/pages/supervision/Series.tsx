// The appointments behind the schedule that still lie ahead, one line per series (or single
// appointment): what, when it starts, how it repeats in words; and, for supervision.write holders,
// cancelling a whole series, or a single appointment, with a reason (what remains of it disappears
// from the schedule, the diary and the calendar feed; outcomes already recorded stay).
import { useState } from 'preact/hooks';
import { request } from '../../api';
import { FormError, TextField, countChars } from '../../components/Form';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { fieldErrors } from '../../problems';
import { useTimeZone } from '../../session';
import { localProblem } from '../cases/Decisions';
import { formatDay } from '../cases/model';
import { RepeatRule, focusLater } from './common';
import { apptKindLabel, localClock, localDay, untilDay, type Appointment, type Occurrence } from './model';

interface Props {
  appointments: Appointment[];
  /** The schedule's occurrences (a window around today). */
  occurrences: Occurrence[];
  /** Now, as a local time in the deployment zone. */
  now: string;
  canWrite: boolean;
  headers: Record<string, string>;
  onChanged: (message: string) => void;
}

/**
 * Whether an appointment still has an occurrence to come: one in the schedule's window; or, when the
 * window shows none of it at all, a start still ahead, or a rule whose end (UNTIL) is not past.
 */
function ahead(a: Appointment, occurrences: readonly Occurrence[], now: string, zone: string): boolean {
  const own = occurrences.filter((o) => o.appointment_id === a.id);
  if (own.some((o) => !o.cancelled && o.start_local >= now)) return true;
  if (own.length) return false;
  if (a.starts_local >= now) return true;
  if (!a.rrule) return false;
  const until = /(?:^|;)UNTIL=([^;]+)/i.exec(a.rrule)?.[1];
  if (until) {
    const day = untilDay(until.toUpperCase(), zone);
    return day === null || day >= now.slice(0, 10);
  }
  return !/(?:^|;)COUNT=/i.test(a.rrule);
}

export function SeriesList({ appointments, occurrences, now, canWrite, headers, onChanged }: Props) {
  const { t, lang } = useI18n();
  const zone = useTimeZone();
  const [cancelling, setCancelling] = useState('');
  const active = appointments.filter((a) => a.status === 'active' && ahead(a, occurrences, now, zone));
  if (!active.length) return null;
  return (
    <>
      <h3 id="series-heading">{t('sup.series.title')}</h3>
      <ul class="plain-list sup-series" aria-labelledby="series-heading">
        {active.map((a) => (
          <li key={a.id} id={`series-${a.id}`} tabIndex={-1}>
            <p>
              <strong>{apptKindLabel(t, a.kind)}</strong>{' — '}{a.purpose}
            </p>
            <p class="cell-sub">
              {t('sup.series.from', { date: formatDay(localDay(a.starts_local), lang), time: localClock(a.starts_local) })}
              {a.rrule ? <> · <RepeatRule rule={a.rrule} /></> : <> · {t('sup.series.once')}</>}
            </p>
            {canWrite && cancelling !== a.id ? (
              <button type="button" class="button button-secondary button-small" id={`series-cancel-${a.id}`}
                onClick={() => setCancelling(a.id)}>
                {a.rrule ? t('sup.series.cancel') : t('sup.series.cancel_one')}<span class="visually-hidden">: {a.purpose}</span>
              </button>
            ) : null}
            {cancelling === a.id ? (
              <CancelSeriesForm appointment={a} headers={headers}
                onCancel={() => { setCancelling(''); focusLater(`series-cancel-${a.id}`); }}
                onSaved={() => { setCancelling(''); onChanged(a.rrule ? t('sup.series.cancelled') : t('sup.series.cancelled_one')); }} />
            ) : null}
          </li>
        ))}
      </ul>
    </>
  );
}

function CancelSeriesForm({ appointment: a, headers, onCancel, onSaved }: { appointment: Appointment;
  headers: Record<string, string>; onCancel: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const n = countChars(reason);
  const mistakes = n < 3 || n > 500 ? [{ field: 'reason', message: t('sup.chars', { min: 3, max: 500 }) }] : [];
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const p = `series-${a.id}-cancel`;
  const fields = { reason: `${p}-reason` };
  const labels = { reason: t('sup.reason') };
  return (
    <form class="form form-wide sup-subform" noValidate aria-labelledby={`${p}-title`}
      onSubmit={(e) => {
        e.preventDefault();
        if (mistakes.length) { setAttempt((x) => x + 1); return; }
        setAttempt(0);
        void run(async () => {
          await request('POST', `/api/v1/appointments/${encodeURIComponent(a.id)}/cancellation`,
            { body: { reason: reason.trim() }, headers });
          onSaved();
        });
      }}>
      <h4 id={`${p}-title`}>{a.rrule ? t('sup.series.cancel_title') : t('sup.series.cancel_one_title')}</h4>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={fields} labels={labels} />
      <TextField id={fields.reason} label={labels.reason} value={reason} onValue={setReason} required maxLength={500}
        error={fe.reason} hint={a.rrule ? t('sup.series.cancel_hint') : t('sup.series.cancel_one_hint')} />
      <div class="button-row">
        <button type="submit" class="button button-danger" disabled={busy}>
          {busy ? t('cases.saving') : a.rrule ? t('sup.series.cancel_submit') : t('sup.series.cancel_one')}
        </button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}
