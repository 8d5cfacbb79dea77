// /referrals/:id: one referral. Its status on a stepper drawn from the status table; the moves the
// caller may make now (from the referral's `moves`: a reason from the reasons table when the move
// needs one, and a note); what it shares and until when (staff may change it); its history,
// attendance, the provider's progress notes and the end-of-programme report. A partner sees the
// person only through the shared fields, and no link to the case.
import { useState } from 'preact/hooks';
import { ApiError, request } from '../../api';
import { CheckboxGroup, FormError, SelectField, Success, TextAreaField } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { fieldErrors, problemMessage } from '../../problems';
import { useDates, useSession, useTimeZone } from '../../session';
import { isPartner } from '../../router';
import { localProblem } from '../cases/Decisions';
import { DateField, RadioGroup } from '../cases/Fields';
import { formatDay, getVersioned, today, type Versioned } from '../cases/model';
import {
  OUTCOMES, ProgrammesNav, ReferralStatusBadge, SharedPersonView, ShareUntil, codeLabel, inLang, reasonLabel, statusLabel,
  truthy, useReferralReference, type Move, type ReferralDetail, type ReferralReference, type T,
} from './model';

/** The sentence for a refused referral call (the 409s this workflow has, else the general one). */
export function referralProblem(t: T, error: unknown): string {
  if (error instanceof ApiError) {
    if (error.slug === 'programme-full') return t('ref.problem.full');
    if (error.slug === 'report-missing') return t('ref.problem.report');
    if (error.slug === 'referral-move') return t('ref.problem.move');
    if (error.slug === 'programme-closed') return t('ref.problem.closed');
    if (error.status === 409 && error.problem?.detail) return error.problem.detail;
  }
  return problemMessage(t, error);
}

export function ReferralPage({ id }: { id: string }) {
  const { t } = useI18n();
  const { can, user } = useSession();
  const record = useLoad((signal) => getVersioned<ReferralDetail>(`/api/v1/referrals/${encodeURIComponent(id)}`, { signal }), [id]);
  const reference = useReferralReference();
  if (record.status === 'error' && record.error instanceof ApiError && record.error.status === 404 && isPartner(user?.permissions ?? [])) {
    // A partner loses a referral when its share ends (or it was never shared): say so plainly.
    return (
      <>
        <ProgrammesNav current="referrals" />
        <h1 tabIndex={-1}>{t('ref.referral')}</h1>
        <div class="alert alert-warning" role="status" id="referral-gone">
          <p>{t('ref.gone.partner')}</p>
        </div>
        <p><Link href="/referrals">{t('ref.gone.back')}</Link></p>
      </>
    );
  }
  return (
    <>
      <ProgrammesNav current="referrals" />
      <p class="breadcrumbs"><Link href="/referrals">{t(can('referrals.provide') ? 'ref.list.partner' : 'ref.list.title')}</Link></p>
      {/* The status table first: a status is never shown by its code while the labels are on their way. */}
      <LoadState load={reference}>
        {(statuses) => (
          <LoadState load={record}>
            {(v) => <ReferralBody record={v} reference={statuses} onChanged={record.reload} />}
          </LoadState>
        )}
      </LoadState>
    </>
  );
}

function ReferralBody({ record, reference, onChanged }: { record: Versioned<ReferralDetail>; reference: ReferralReference | undefined; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const dates = useDates();
  const { can } = useSession();
  const r = record.data;
  const partner = can('referrals.provide') && !!r.person;
  const [done, setDone] = useState('');
  const changed = (message: string) => { setDone(message); onChanged(); };
  const active = ['accepted', 'waitlisted', 'enrolled'].includes(r.status);
  return (
    <>
      <h1 tabIndex={-1}>{t('ref.title', { programme: r.programme_name })}</h1>
      {done ? <Success><p id="referral-done">{done}</p></Success> : null}
      <section class="card" aria-labelledby="ref-status-title" id="referral-status">
        <h2 id="ref-status-title">{t('ref.status')}: <ReferralStatusBadge code={r.status} reference={reference} /></h2>
        <Stepper referral={r} reference={reference} />
        <Moves record={record} reference={reference} onMoved={(to) => changed(t('ref.moved', { status: statusLabel(reference, to, lang) }))} />
      </section>
      <section class="card" aria-labelledby="ref-about-title">
        <h2 id="ref-about-title">{t('ref.about')}</h2>
        {partner && r.person ? (
          <SharedPersonView person={r.person} fields={r.shared_fields} />
        ) : (
          <p id="referral-case">{r.person_name}{' · '}
            {r.case_id ? <Link href={`/cases/${encodeURIComponent(r.case_id)}`}>{t('ref.case', { number: r.case_number ?? '' })}</Link> : r.case_number}
          </p>
        )}
        <dl class="facts">
          <div class="fact"><dt>{t('ref.programme')}</dt><dd>
            <Link href={`/programmes/${encodeURIComponent(r.programme_id)}`}>{r.programme_name}</Link>
            {' '}({codeLabel(t, 'prog.type', r.programme_type)})</dd></div>
          <div class="fact"><dt>{t('prog.provider')}</dt><dd>{r.partner_name}</dd></div>
          <div class="fact"><dt>{t('ref.referred_on')}</dt><dd>{formatDay(r.referred_on, lang)}{r.referred_by_name ? ` · ${r.referred_by_name}` : ''}</dd></div>
          <div class="fact"><dt>{t('ref.share_until')}</dt><dd><ShareUntil referral={r} /></dd></div>
        </dl>
        <h3 class="prog-reason-title">{t('ref.reason')}</h3>
        <p class="prog-text" id="referral-reason">{r.reason}</p>
      </section>
      {!partner ? <ShareCard record={record} onSaved={() => changed(t('ref.share.saved'))} /> : null}
      <section class="card" aria-labelledby="ref-history-title" id="referral-history">
        <h2 id="ref-history-title">{t('ref.history')}</h2>
        <ol class="plain-list prog-history">
          {r.events.map((e, i) => (
            <li key={i} data-to={e.to}>
              <span class="cell-nowrap">{dates.short(e.at)}</span>{' '}
              {e.from ? t('ref.history.moved', { from: statusLabel(reference, e.from, lang), to: statusLabel(reference, e.to, lang) })
                : t('ref.history.made')}
              {e.actor_name ? ` · ${e.actor_name}` : ''}
              {e.reason_code ? <span class="cell-sub">{t('ref.history.reason', { reason: reasonLabel(reference, e.reason_code, lang) })}</span> : null}
              {e.note ? <span class="cell-sub">{e.note}</span> : null}
            </li>
          ))}
        </ol>
      </section>
      <section class="card" aria-labelledby="ref-attendance-title" id="referral-attendance">
        <h2 id="ref-attendance-title">{t('prog.attendance')}</h2>
        {r.attendance.length === 0 ? <p>{t('ref.attendance.none')}</p> : (
          <div class="table-wrap prog-stack-wrap">
            <table class="table prog-table">
              <caption class="visually-hidden">{t('prog.attendance')}</caption>
              <thead><tr><th scope="col">{t('prog.attendance.on')}</th><th scope="col">{t('ref.attendance.status')}</th></tr></thead>
              <tbody>
                {[...r.attendance].sort((a, b) => b.session_on.localeCompare(a.session_on)).map((a) => (
                  <tr key={a.session_on} data-status={a.status}>
                    <th scope="row" class="cell-nowrap">{formatDay(a.session_on, lang)}</th>
                    <td data-label={t('ref.attendance.status')}>{codeLabel(t, 'prog.att', a.status)}{a.absence_reason ? <span class="cell-sub">{a.absence_reason}</span> : null}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section class="card" aria-labelledby="ref-notes-title" id="referral-notes">
        <h2 id="ref-notes-title">{t('ref.notes')}</h2>
        {r.progress_notes.length === 0 ? <p>{t('ref.notes.none')}</p> : (
          <ul class="plain-list prog-notes">
            {[...r.progress_notes].sort((a, b) => b.written_on.localeCompare(a.written_on)).map((n) => (
              <li key={n.id}>
                <p class="cell-sub">{formatDay(n.written_on, lang)}{n.author_name ? ` · ${n.author_name}` : ''}</p>
                <p class="prog-text">{n.text}</p>
              </li>
            ))}
          </ul>
        )}
        {can('referrals.provide') && partner && active ? (
          <NoteForm referralId={r.id} onSaved={() => changed(t('ref.notes.saved'))} />
        ) : null}
      </section>
      <section class="card" aria-labelledby="ref-report-title" id="referral-report">
        <h2 id="ref-report-title">{t('ref.report')}</h2>
        {r.report ? (
          <>
            <p><strong>{t('ref.outcome')}:</strong> <span id="referral-outcome">{codeLabel(t, 'ref.outcome', r.outcome)}</span>
              {r.report_on ? <span class="muted"> · {formatDay(r.report_on, lang)}</span> : null}</p>
            <p class="prog-text">{r.report}</p>
          </>
        ) : <p>{t('ref.report.none')}</p>}
        {can('referrals.provide') && partner && (r.status === 'enrolled' || r.status === 'completed') ? (
          <ReportForm record={record} onSaved={() => changed(t('ref.report.saved'))} />
        ) : null}
      </section>
    </>
  );
}

/** The path through the status table: the statuses that are not final, then the final one reached (or the first). */
function Stepper({ referral, reference }: { referral: ReferralDetail; reference: ReferralReference | undefined }) {
  const { t, lang } = useI18n();
  if (!reference) return null;
  const sorted = [...reference.statuses].sort((a, b) => a.position - b.position);
  const current = sorted.find((s) => s.code === referral.status);
  const path = sorted.filter((s) => !truthy(s.is_terminal));
  const end = current && truthy(current.is_terminal) ? current : sorted.find((s) => truthy(s.is_terminal));
  if (end) path.push(end);
  // Done: a status the referral has been in (from its history); passed over: one before the current it skipped.
  const reached = new Set(referral.events.map((e) => e.to));
  const at = path.findIndex((s) => s.code === referral.status);
  return (
    <ol class="prog-stepper" aria-label={t('ref.stepper')}>
      {path.map((s, i) => {
        const state = s.code === referral.status ? 'current' : reached.has(s.code) ? 'done' : i < at ? 'skipped' : 'todo';
        return (
          <li key={s.code} class={`prog-step is-${state}`} aria-current={state === 'current' ? 'step' : undefined} data-status={s.code}>
            <span class="prog-step-mark" aria-hidden="true">{state === 'done' ? '✓' : i + 1}</span>
            <span class="prog-step-label">{inLang(s.label, lang) || s.code}</span>
            {state === 'current' || state === 'done' || state === 'skipped'
              ? <span class="visually-hidden"> ({t(state === 'current' ? 'ref.step.current' : state === 'done' ? 'ref.step.done' : 'ref.step.skipped')})</span>
              : null}
          </li>
        );
      })}
    </ol>
  );
}

function Moves({ record, reference, onMoved }: { record: Versioned<ReferralDetail>; reference: ReferralReference | undefined; onMoved: (to: string) => void }) {
  const { t, lang } = useI18n();
  const [chosen, setChosen] = useState<Move | null>(null);
  const moves = record.data.moves ?? [];
  if (!moves.length) return <p class="muted" id="referral-no-moves">{t('ref.moves.none')}</p>;
  return (
    <>
      {!chosen ? (
        <div class="button-row" id="referral-moves">
          {moves.map((m) => (
            <button key={m.to} type="button" id={`move-${m.to}`} class={m.to === 'withdrawn' || m.to === 'declined' ? 'button button-secondary' : 'button'}
              onClick={() => setChosen(m)}>
              {t('ref.move.to', { status: statusLabel(reference, m.to, lang) })}
            </button>
          ))}
        </div>
      ) : (
        <MoveForm key={chosen.to} record={record} move={chosen} reference={reference} onCancel={() => setChosen(null)}
          onMoved={() => { setChosen(null); onMoved(chosen.to); }} />
      )}
    </>
  );
}

function MoveForm({ record, move, reference, onCancel, onMoved }: {
  record: Versioned<ReferralDetail>; move: Move; reference: ReferralReference | undefined; onCancel: () => void; onMoved: () => void;
}) {
  const { t, lang } = useI18n();
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const needsReason = truthy(move.needs_reason);
  const reasons = (reference?.reasons ?? []).filter((x) => x.to_status === move.to);
  const mistakes: { field: string; message: string }[] = [];
  if (needsReason && !reason) mistakes.push({ field: 'reason_code', message: t('ref.move.reason.choose') });
  if (note.trim().length > 2000) mistakes.push({ field: 'note', message: t('prog.chars', { min: 0, max: 2000 }) });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const label = statusLabel(reference, move.to, lang);
  return (
    <form class="form form-wide" noValidate aria-labelledby="move-title" id="referral-move-form" onSubmit={(e) => {
      e.preventDefault();
      setAttempt((n) => n + 1);
      if (mistakes.length) return;
      void run(async () => {
        const body: Record<string, string> = { to: move.to };
        if (needsReason) body.reason_code = reason;
        if (note.trim()) body.note = note.trim();
        await request('POST', `/api/v1/referrals/${encodeURIComponent(record.data.id)}/transitions`, { body, ifMatch: record.version });
        onMoved();
      });
    }}>
      <h3 id="move-title">{t('ref.move.to', { status: label })}</h3>
      {move.needs === 'place' ? <p class="hint">{t('ref.move.needs.place')}</p> : null}
      {move.needs === 'report' ? <p class="hint">{t('ref.move.needs.report')}</p> : null}
      <FormError error={error} focusKey={attempt} fields={{ reason_code: 'move-reason', note: 'move-note' }}
        labels={{ reason_code: t('ref.move.reason'), note: t('ref.move.note') }} message={error && !local ? referralProblem(t, error) : undefined} />
      {needsReason ? (
        <SelectField id="move-reason" label={t('ref.move.reason')} value={reason} onValue={setReason} error={fe.reason_code} autoFocus
          options={[{ value: '', label: t('prog.pick') }, ...reasons.map((x) => ({ value: x.code, label: inLang(x.label, lang) || x.code }))]} />
      ) : null}
      <TextAreaField id="move-note" label={`${t('ref.move.note')} ${t('form.optional')}`} value={note} onValue={setNote} rows={2} max={2000}
        error={fe.note} autoFocus={!needsReason} />
      <div class="button-row">
        <button type="submit" class="button" id="move-submit" disabled={busy}>{t('ref.move.confirm', { status: label })}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}

/** Checkboxes for the share fields, each with what the provider will see. */
export function ShareFields({ id, fields, selected, onChange, error }: {
  id: string; fields: readonly string[]; selected: string[]; onChange: (v: string[]) => void; error?: string | undefined;
}) {
  const { t } = useI18n();
  return (
    <CheckboxGroup id={id} legend={t('ref.share.fields')} hint={t('ref.share.fields.hint')} selected={selected} onChange={onChange} error={error}
      options={fields.map((f) => ({ value: f, label: codeLabel(t, 'ref.field', f), about: codeLabel(t, 'ref.field.about', f) }))} />
  );
}

function ShareCard({ record, onSaved }: { record: Versioned<ReferralDetail>; onSaved: () => void }) {
  const { t } = useI18n();
  const { can } = useSession();
  const zone = useTimeZone();
  const reference = useReferralReference();
  const r = record.data;
  const [editing, setEditing] = useState(false);
  const [fields, setFields] = useState<string[]>(r.shared_fields);
  const [until, setUntil] = useState(r.share_until);
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const mistakes: { field: string; message: string }[] = [];
  if (!until) mistakes.push({ field: 'share_until', message: t('prog.required') });
  else if (until < today(zone)) mistakes.push({ field: 'share_until', message: t('ref.share.until.past') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  return (
    <section class="card" aria-labelledby="ref-share-title" id="referral-share">
      <div class="card-head">
        <h2 id="ref-share-title">{t('ref.share')}</h2>
        {can('referrals.write') && !editing ? (
          <button type="button" class="button button-secondary" id="share-edit" onClick={() => setEditing(true)}>{t('ref.share.change')}</button>
        ) : null}
      </div>
      <p>{r.shared_fields.length ? t('ref.share.line', { fields: r.shared_fields.map((f) => codeLabel(t, 'ref.field', f)).join(', ') })
        : t('ref.share.nothing')}</p>
      <p>{t('ref.share_until')}: <ShareUntil referral={r} /></p>
      {editing ? (
        <form class="form form-wide" noValidate onSubmit={(e) => {
          e.preventDefault();
          setAttempt((n) => n + 1);
          if (mistakes.length) return;
          void run(async () => {
            await request('PUT', `/api/v1/referrals/${encodeURIComponent(r.id)}/share`, { body: { shared_fields: fields, share_until: until }, ifMatch: record.version });
            setEditing(false);
            onSaved();
          });
        }}>
          <FormError error={error} focusKey={attempt} fields={{ share_until: 'share-until', shared_fields: 'share-fields' }}
            labels={{ share_until: t('ref.share_until'), shared_fields: t('ref.share.fields') }} />
          <ShareFields id="share-fields" fields={reference.data?.share_fields ?? r.shared_fields} selected={fields} onChange={setFields} error={fe.shared_fields} />
          <DateField id="share-until" label={t('ref.share_until')} value={until} onValue={setUntil} min={today(zone)} error={fe.share_until}
            hint={t('ref.share.until.hint.change')} />
          <div class="button-row">
            <button type="submit" class="button" id="share-save" disabled={busy}>{t('action.save')}</button>
            <button type="button" class="button button-secondary" onClick={() => setEditing(false)} disabled={busy}>{t('action.cancel')}</button>
          </div>
        </form>
      ) : null}
    </section>
  );
}

function NoteForm({ referralId, onSaved }: { referralId: string; onSaved: () => void }) {
  const { t } = useI18n();
  const zone = useTimeZone();
  const [on, setOn] = useState(today(zone));
  const [text, setText] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const mistakes: { field: string; message: string }[] = [];
  if (!on) mistakes.push({ field: 'written_on', message: t('prog.required') });
  const n = text.trim().length;
  if (n < 3 || n > 4000) mistakes.push({ field: 'text', message: t('prog.chars', { min: 3, max: 4000 }) });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  return (
    <form class="form form-wide" noValidate aria-labelledby="note-form-title" id="referral-note-form" onSubmit={(e) => {
      e.preventDefault();
      setAttempt((x) => x + 1);
      if (mistakes.length) return;
      void run(async () => {
        await request('POST', `/api/v1/referrals/${encodeURIComponent(referralId)}/progress-notes`, { body: { written_on: on, text: text.trim() } });
        setText('');
        onSaved();
      });
    }}>
      <h3 id="note-form-title">{t('ref.notes.add')}</h3>
      <FormError error={error} focusKey={attempt} fields={{ written_on: 'note-on', text: 'note-text' }}
        labels={{ written_on: t('ref.notes.on'), text: t('ref.notes.text') }} />
      <DateField id="note-on" label={t('ref.notes.on')} value={on} onValue={setOn} max={today(zone)} error={fe.written_on} />
      <TextAreaField id="note-text" label={t('ref.notes.text')} value={text} onValue={setText} rows={4} min={3} max={4000} error={fe.text} />
      <div class="button-row">
        <button type="submit" class="button" id="note-submit" disabled={busy}>{t('ref.notes.add')}</button>
      </div>
    </form>
  );
}

function ReportForm({ record, onSaved }: { record: Versioned<ReferralDetail>; onSaved: () => void }) {
  const { t } = useI18n();
  const r = record.data;
  const [open, setOpen] = useState(false);
  const [outcome, setOutcome] = useState(r.outcome ?? '');
  const [report, setReport] = useState(r.report ?? '');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const mistakes: { field: string; message: string }[] = [];
  if (!outcome) mistakes.push({ field: 'outcome', message: t('ref.outcome.choose') });
  const n = report.trim().length;
  if (n < 10 || n > 8000) mistakes.push({ field: 'report', message: t('prog.chars', { min: 10, max: 8000 }) });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  if (!open) {
    return (
      <button type="button" class="button button-secondary" id="report-write" onClick={() => setOpen(true)}>
        {t(r.report ? 'ref.report.correct' : 'ref.report.write')}
      </button>
    );
  }
  return (
    <form class="form form-wide" noValidate id="referral-report-form" onSubmit={(e) => {
      e.preventDefault();
      setAttempt((x) => x + 1);
      if (mistakes.length) return;
      void run(async () => {
        await request('PUT', `/api/v1/referrals/${encodeURIComponent(r.id)}/report`, { body: { outcome, report: report.trim() }, ifMatch: record.version });
        setOpen(false);
        onSaved();
      });
    }}>
      <FormError error={error} focusKey={attempt} fields={{ outcome: 'report-outcome', report: 'report-text' }}
        labels={{ outcome: t('ref.outcome'), report: t('ref.report') }} message={error && !local ? referralProblem(t, error) : undefined} />
      <RadioGroup id="report-outcome" legend={t('ref.outcome')} value={outcome} onValue={setOutcome} error={fe.outcome}
        options={OUTCOMES.map((o) => ({ value: o, label: codeLabel(t, 'ref.outcome', o) }))} />
      <TextAreaField id="report-text" label={t('ref.report')} value={report} onValue={setReport} rows={6} min={10} max={8000} error={fe.report} />
      <div class="button-row">
        <button type="submit" class="button" id="report-submit" disabled={busy}>{t('action.save')}</button>
        <button type="button" class="button button-secondary" onClick={() => setOpen(false)} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}
