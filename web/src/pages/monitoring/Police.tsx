// /monitoring/police-requests — police liaison (S24): make a request for a person's EM data (the case number,
// the legal basis, the reason, the window), see one's own requests and, for an approved one while access
// lasts, the window's trail on a map and in a table; a unit head decides the pending ones with a note.
import { useRef, useState } from 'preact/hooks';
import { get, query, request } from '../../api';
import { FormError, SelectField, Success, TextAreaField, TextField } from '../../components/Form';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { fieldErrors } from '../../problems';
import { useDates, useSession, useTimeZone } from '../../session';
import { zonedToRfc3339 } from '../../format';
import { localProblem } from '../cases/Decisions';
import { MapView } from './MapView';
import { codeLabel, coords, type PoliceRequest, type Trail } from './model';
import { MonitoringGate, MonitoringTabs } from './Tabs';

const SHOWN = 500;

export function PolicePage() {
  return <MonitoringGate tab="police"><Police /></MonitoringGate>;
}

function Police() {
  const { t } = useI18n();
  const { can } = useSession();
  const dates = useDates();
  // A unit head's list is the requests of the cases in reach with one status (pending unless another is asked);
  // a liaison's is their own requests, of any status or one.
  const decider = can('em.police.decide') && !can('em.police.request');
  const [status, setStatus] = useState(decider ? 'pending' : '');
  const [done, setDone] = useState('');
  const [trailOf, setTrailOf] = useState<string | null>(null);
  const load = useLoad((signal) => get<{ items: PoliceRequest[] }>(`/api/v1/em/police-requests${query({ status })}`, { signal }), [status]);
  const changed = (text: string) => { setDone(text); load.reload(); };
  return (
    <>
      <MonitoringTabs current="police" />
      <div class="page-head"><h1 tabIndex={-1}>{t('em.police.title')}</h1></div>
      <p class="lead">{t('em.police.about')}</p>
      {done ? <Success><p id="em-police-done">{done}</p></Success> : null}
      {can('em.police.request') ? <RequestForm onDone={() => changed(t('em.police.sent'))} /> : null}
      <div class="filters">
        <SelectField id="em-police-status" label={t('em.police.status')} value={status} onValue={setStatus}
          options={[...(decider ? [] : [{ value: '', label: t('em.any') }]),
            ...['pending', 'approved', 'refused', 'withdrawn'].map((s) => ({ value: s, label: codeLabel(t, 'em.police.status', s) }))]} />
      </div>
      <LoadState load={load}>
        {(data) => (data.items.length === 0 ? <p id="em-police-none">{t('em.police.none')}</p> : (
          <ul class="em-police-list" id="em-police-list">
            {data.items.map((r) => (
              <li key={r.id} class="card" data-id={r.id}>
                <h2>{t('em.case_number', { number: r.case_number })}{r.person_name ? ` · ${r.person_name}` : ''}</h2>
                <dl class="facts">
                  <div class="fact"><dt>{t('em.police.status')}</dt><dd>{codeLabel(t, 'em.police.status', r.status)}</dd></div>
                  <div class="fact"><dt>{t('em.police.requested_by')}</dt><dd>{[r.requested_by_name, r.agency_name].filter(Boolean).join(' · ')}</dd></div>
                  <div class="fact"><dt>{t('em.police.legal_basis')}</dt><dd>{r.legal_basis}</dd></div>
                  <div class="fact"><dt>{t('em.police.reason')}</dt><dd class="pre-line">{r.reason}</dd></div>
                  <div class="fact"><dt>{t('em.police.window')}</dt><dd>{t('em.order.period', { from: dates.short(r.from), to: dates.short(r.to) })}</dd></div>
                  {r.decided_at ? <div class="fact"><dt>{t('em.police.decided')}</dt><dd>{dates.short(r.decided_at)} · {r.decided_by_name ?? ''}{r.decision_note ? ` · ${r.decision_note}` : ''}</dd></div> : null}
                  {r.access_until ? <div class="fact"><dt>{t('em.police.access_until')}</dt><dd>{dates.short(r.access_until)}</dd></div> : null}
                </dl>
                {r.status === 'pending' && can('em.police.decide') ? <Decide request={r} onDone={changed} /> : null}
                {r.status === 'approved' && can('em.police.request') ? (
                  <button type="button" class="button button-secondary" aria-expanded={trailOf === r.id} onClick={() => setTrailOf(trailOf === r.id ? null : r.id)}>
                    {t('em.police.show_trail')}
                  </button>
                ) : null}
                {trailOf === r.id ? <PoliceTrail id={r.id} /> : null}
              </li>
            ))}
          </ul>
        ))}
      </LoadState>
    </>
  );
}

function RequestForm({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  const zone = useTimeZone();
  const [number, setNumber] = useState('');
  const [basis, setBasis] = useState('');
  const [reason, setReason] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [attempt, setAttempt] = useState(0);
  const box = useRef<HTMLDetailsElement>(null);
  const { busy, error: serverError, run } = useAction();
  const mistakes: { field: string; message: string }[] = [];
  if (!number.trim()) mistakes.push({ field: 'case_number', message: t('em.required') });
  if (basis.trim().length < 10) mistakes.push({ field: 'legal_basis', message: t('em.min_chars', { n: 10 }) });
  if (reason.trim().length < 10) mistakes.push({ field: 'reason', message: t('em.min_chars', { n: 10 }) });
  if (!from) mistakes.push({ field: 'from', message: t('em.required') });
  if (!to) mistakes.push({ field: 'to', message: t('em.required') });
  else if (from && to <= from) mistakes.push({ field: 'to', message: t('em.police.to.after') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const ids = { case_number: 'em-pr-case', legal_basis: 'em-pr-basis', reason: 'em-pr-reason', from: 'em-pr-from', to: 'em-pr-to' };
  const labels = { case_number: t('em.police.case_number'), legal_basis: t('em.police.legal_basis'), reason: t('em.police.reason'), from: t('em.police.from'), to: t('em.police.to') };
  return (
    <details class="alert-action" id="em-police-new" ref={box}>
      <summary>{t('em.police.new')}</summary>
      <form class="form form-wide" noValidate onSubmit={(e) => {
        e.preventDefault();
        setAttempt((n) => n + 1);
        if (mistakes.length) return;
        void run(async () => {
          await request('POST', '/api/v1/em/police-requests', { body: {
            case_number: number.trim(), legal_basis: basis.trim(), reason: reason.trim(),
            from: zonedToRfc3339(from, zone), to: zonedToRfc3339(to, zone),
          } });
          setNumber(''); setBasis(''); setReason(''); setFrom(''); setTo(''); setAttempt(0);
          if (box.current) box.current.open = false;
          onDone();
        });
      }}>
        <FormError error={error} focusKey={local ? attempt : serverError} fields={ids} labels={labels} />
        <TextField id={ids.case_number} label={labels.case_number} value={number} onValue={setNumber} maxLength={40} error={fe.case_number} />
        <TextField id={ids.legal_basis} label={labels.legal_basis} value={basis} onValue={setBasis} maxLength={500} error={fe.legal_basis} hint={t('em.police.legal_basis.hint')} />
        <TextAreaField id={ids.reason} label={labels.reason} value={reason} onValue={setReason} rows={3} max={2000} error={fe.reason} />
        <TextField id={ids.from} label={labels.from} type="datetime-local" value={from} onValue={setFrom} error={fe.from} />
        <TextField id={ids.to} label={labels.to} type="datetime-local" value={to} onValue={setTo} error={fe.to} />
        <div class="button-row"><button type="submit" class="button" id="em-pr-submit" disabled={busy}>{t('em.police.submit')}</button></div>
      </form>
    </details>
  );
}

function Decide({ request: r, onDone }: { request: PoliceRequest; onDone: (text: string) => void }) {
  const { t } = useI18n();
  const [note, setNote] = useState('');
  const { busy, error, run } = useAction();
  const send = (decision: 'approved' | 'refused') => void run(async () => {
    await request('POST', `/api/v1/em/police-requests/${encodeURIComponent(r.id)}/decision`, { body: { decision, note: note.trim() }, ifMatch: String(r.version) });
    onDone(t(decision === 'approved' ? 'em.police.approved' : 'em.police.refused'));
  });
  return (
    <form class="form em-decide" noValidate onSubmit={(e) => e.preventDefault()}>
      <FormError error={error} fields={{ note: `em-pd-note-${r.id}` }} labels={{ note: t('em.police.decision_note') }} />
      <TextAreaField id={`em-pd-note-${r.id}`} label={t('em.police.decision_note')} value={note} onValue={setNote} rows={2} max={1000} error={fieldErrors(error, t).note} />
      <div class="button-row">
        <button type="button" class="button" disabled={busy} onClick={() => send('approved')}>{t('em.police.approve')}</button>
        <button type="button" class="button button-secondary" disabled={busy} onClick={() => send('refused')}>{t('em.police.refuse')}</button>
      </div>
    </form>
  );
}

function PoliceTrail({ id }: { id: string }) {
  const { t } = useI18n();
  const dates = useDates();
  const load = useLoad((signal) => get<Trail>(`/api/v1/em/police-requests/${encodeURIComponent(id)}/trail`, { signal }), [id]);
  return (
    <LoadState load={load}>
      {(tr) => (
        <>
          <MapView id={`em-pt-map-${id}`} label={t('em.trail.title')} small fitKey={id}
            trail={tr.fixes.map((f) => ({ lat: f.lat, lon: f.lon, accuracy_m: f.accuracy_m }))} />
          {tr.fixes.length === 0 ? <p>{t('em.trail.none')}</p> : (
            <div class="table-wrap em-scroll" tabIndex={0} role="region" aria-label={t('em.trail.title')}>
              <p role="status">{t('em.trail.count', { n: tr.fixes.length })}{tr.fixes.length > SHOWN ? ` ${t('em.trail.first', { n: SHOWN })}` : ''}</p>
              <table class="table">
                <caption class="visually-hidden">{t('em.trail.title')}</caption>
                <thead><tr><th scope="col">{t('em.col.time')}</th><th scope="col">{t('em.col.coords')}</th></tr></thead>
                <tbody>{tr.fixes.slice(0, SHOWN).map((f, n) => <tr key={n}><td>{dates.short(f.at, true)}</td><td>{coords(f.lat, f.lon)}</td></tr>)}</tbody>
              </table>
            </div>
          )}
        </>
      )}
    </LoadState>
  );
}
