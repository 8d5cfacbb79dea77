// The Referrals card of the case page: the case's referrals to programmes (programme, provider,
// status, until when the share runs, "expired" once it has ended), and "Refer to a programme": a
// programme picker that shows type, provider, languages, free places and the waiting list; the
// reason, written for the provider; a checkbox for each field the provider may see, each saying in
// plain words what the provider will see; and the date the share ends. Shown to holders of
// referrals.read (the form: referrals.write, on an open case).
import { useState } from 'preact/hooks';
import { get, request } from '../../api';
import { FormError, SelectField, Success, TextAreaField } from '../../components/Form';
import { Link } from '../../components/Link';
import { useAction, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { fieldErrors } from '../../problems';
import { useSession, useTimeZone } from '../../session';
import { localProblem } from '../cases/Decisions';
import { DateField } from '../cases/Fields';
import { formatDay, today, type CaseRecord } from '../cases/model';
import {
  ReferralStatusBadge, ShareUntil, addDays, codeLabel, useReferralReference, type Programme, type Referral, type ReferralReference,
} from './model';
import { ShareFields, referralProblem } from './ReferralPage';

interface Props {
  record: CaseRecord;
  headers: Record<string, string>;
  onChanged: () => void;
}

export function ReferralsCard(props: Props) {
  const { can } = useSession();
  if (!can('referrals.read', 'referrals.write')) return null;
  return <Card {...props} />;
}

function Card({ record: c, headers, onChanged }: Props) {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const reference = useReferralReference();
  const load = useLoad((signal) => get<{ items: Referral[] }>(`/api/v1/cases/${encodeURIComponent(c.id)}/referrals`, { signal, headers }), [c.id]);
  const [form, setForm] = useState(false);
  const [done, setDone] = useState('');
  const canWrite = can('referrals.write') && c.status === 'open';
  const items = load.data?.items ?? [];
  return (
    <section class="card" aria-labelledby="referrals-heading" id="referrals">
      <div class="card-head">
        <h2 id="referrals-heading" tabIndex={-1}>{t('ref.card.title')}</h2>
        {canWrite && !form ? (
          <button type="button" class="button" id="referral-new" onClick={() => { setForm(true); setDone(''); }}>{t('ref.new')}</button>
        ) : null}
      </div>
      {load.status === 'error' ? (
        <div class="alert alert-error" role="alert">
          <p class="alert-title">{t('load.error')}</p>
          <button type="button" class="button" onClick={load.reload}>{t('status.retry')}</button>
        </div>
      ) : null}
      {!load.data && load.status === 'loading' ? <p class="muted" role="status">{t('status.loading')}</p> : null}
      {done ? <Success><p id="referrals-done">{done}</p></Success> : null}
      {form && reference.data ? (
        <ReferForm caseId={c.id} headers={headers} reference={reference.data} onCancel={() => setForm(false)}
          onSaved={() => { setForm(false); setDone(t('ref.made')); load.reload(); onChanged(); }} />
      ) : null}
      {load.data ? (
        items.length === 0 ? <p id="referrals-none">{t('ref.card.none')}</p> : (
          <div class="table-wrap prog-stack-wrap">
            <table class="table prog-table" id="referrals-table">
              <caption class="visually-hidden">{t('ref.card.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('ref.programme')}</th>
                  <th scope="col">{t('prog.provider')}</th>
                  <th scope="col">{t('ref.status')}</th>
                  <th scope="col">{t('ref.share_until')}</th>
                  <th scope="col">{t('prog.attendance')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((r) => (
                  <tr key={r.id} data-id={r.id} data-status={r.status}>
                    <th scope="row"><Link href={`/referrals/${encodeURIComponent(r.id)}`}>{r.programme_name}</Link>
                      <span class="cell-sub">{codeLabel(t, 'prog.type', r.programme_type)} · {formatDay(r.referred_on, lang)}</span></th>
                    <td data-label={t('prog.provider')}>{r.partner_name}</td>
                    <td data-label={t('ref.status')}><ReferralStatusBadge code={r.status} reference={reference.data} /></td>
                    <td data-label={t('ref.share_until')} class="cell-nowrap"><ShareUntil referral={r} /></td>
                    <td data-label={t('prog.attendance')} class="referral-attendance"><AttendanceCounts counts={r.attendance_counts} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : null}
    </section>
  );
}

/** A referral's attendance so far ("present 3, late 1, absent 0"), as the case's list gives it. */
function AttendanceCounts({ counts }: { counts: Referral['attendance_counts'] }) {
  const { t } = useI18n();
  if (!counts.present && !counts.late && !counts.absent) return <span class="muted">{t('ref.attendance.none.short')}</span>;
  return <>{t('prog.attendance.line', { present: counts.present, late: counts.late, absent: counts.absent })}</>;
}

function programmeLabel(t: ReturnType<typeof useI18n>['t'], p: Programme): string {
  return t('ref.pick.line', {
    name: p.name, type: codeLabel(t, 'prog.type', p.type), provider: p.provider_name,
    languages: p.languages.map((l) => codeLabel(t, 'prog.lang', l)).join(', '),
    free: p.places_free, places: p.places, waiting: p.waiting,
  });
}

function ReferForm({ caseId, headers, reference, onCancel, onSaved }: {
  caseId: string; headers: Record<string, string>; reference: ReferralReference; onCancel: () => void; onSaved: () => void;
}) {
  const { t } = useI18n();
  const zone = useTimeZone();
  const programmes = useLoad((signal) => get<{ items: Programme[] }>('/api/v1/programmes?status=open', { signal }), []);
  const [programme, setProgramme] = useState('');
  const [reason, setReason] = useState('');
  const [fields, setFields] = useState<string[]>([]);
  const [until, setUntil] = useState(addDays(today(zone), 180));
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const mistakes: { field: string; message: string }[] = [];
  if (!programme) mistakes.push({ field: 'programme_id', message: t('ref.pick.choose') });
  const n = reason.trim().length;
  if (n < 10 || n > 2000) mistakes.push({ field: 'reason', message: t('prog.chars', { min: 10, max: 2000 }) });
  if (!until) mistakes.push({ field: 'share_until', message: t('prog.required') });
  else if (until <= today(zone)) mistakes.push({ field: 'share_until', message: t('ref.share.until.future') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const chosen = programmes.data?.items.find((p) => p.id === programme);
  const ids = { programme_id: 'refer-programme', reason: 'refer-reason', shared_fields: 'refer-fields', share_until: 'refer-until' };
  const labels = { programme_id: t('ref.programme'), reason: t('ref.reason'), shared_fields: t('ref.share.fields'), share_until: t('ref.share_until') };
  return (
    <form class="form form-wide" noValidate aria-labelledby="refer-title" id="refer-form" onSubmit={(e) => {
      e.preventDefault();
      setAttempt((x) => x + 1);
      if (mistakes.length) return;
      void run(async () => {
        await request('POST', `/api/v1/cases/${encodeURIComponent(caseId)}/referrals`, {
          body: { programme_id: programme, reason: reason.trim(), shared_fields: fields, share_until: until }, headers,
        });
        onSaved();
      });
    }}>
      <h3 id="refer-title">{t('ref.new')}</h3>
      <FormError error={error} focusKey={attempt} fields={ids} labels={labels} message={error && !local ? referralProblem(t, error) : undefined} />
      <SelectField id={ids.programme_id} label={labels.programme_id} value={programme} onValue={setProgramme} autoFocus error={fe.programme_id}
        hint={programmes.data && !programmes.data.items.length ? t('ref.pick.none') : undefined}
        options={[{ value: '', label: t('prog.pick') }, ...(programmes.data?.items ?? []).map((p) => ({ value: p.id, label: programmeLabel(t, p) }))]} />
      {chosen ? (
        <p class="notice" id="refer-programme-about">
          {programmeLabel(t, chosen)}. {t('prog.schedule')}: {chosen.schedule}. {t('prog.eligibility')}: {chosen.eligibility}
          {chosen.places_free <= 0 ? <> {t('ref.pick.full')}</> : null}
        </p>
      ) : null}
      <TextAreaField id={ids.reason} label={labels.reason} hint={t('ref.reason.hint')} value={reason} onValue={setReason} rows={3} min={10} max={2000}
        error={fe.reason} />
      <ShareFields id={ids.shared_fields} fields={reference.share_fields} selected={fields} onChange={setFields} error={fe.shared_fields} />
      <DateField id={ids.share_until} label={labels.share_until} value={until} onValue={setUntil} min={addDays(today(zone), 1)} error={fe.share_until}
        hint={t('ref.share.until.hint')} />
      <div class="button-row">
        <button type="submit" class="button" id="refer-submit" disabled={busy}>{t('ref.submit')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}
