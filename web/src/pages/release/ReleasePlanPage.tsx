// /release-plans/:caseId — a penitentiary case's release plan: the receiving probation unit,
// address, transport, documents, the first appointment (within N days of release), programmes
// (the case's referrals) and notes, agreed or still a draft; the plan's actions with owning
// agencies and deadlines; its multi-agency panel meetings (record one; each has its own page with
// printable minutes); and, on release, the handover of the case to the receiving unit.
import { useState } from 'preact/hooks';
import { ApiError, get, purposeHeaders, request, type Items, type StatedPurpose, type UnitMember } from '../../api';
import { ConfirmDialog } from '../../components/Dialog';
import { FormError, SelectField, Success, TextAreaField, TextField } from '../../components/Form';
import { Link } from '../../components/Link';
import { useAction, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { fieldErrors } from '../../problems';
import { navigate } from '../../router';
import { useSession, useTimeZone } from '../../session';
import { RecordGate } from '../cases/Access';
import { localProblem } from '../cases/Decisions';
import { DateField, RadioGroup } from '../cases/Fields';
import { formatDay, getVersioned, personName, today, type CaseRecord } from '../cases/model';
import { ActionForm, ActionsTable, MeetingForm } from './Meetings';
import {
  DOC_KINDS, DOC_STATUSES, addDays, daysBetween, label, loadOrg, loadPlan, localTime, plural,
  type Org, type PlanState, type ReferralSummary, type ReleaseAction, type ReleasePlan,
} from './model';
import { PlanStatus } from './ReleasePlanningList';
import './release.css';

export function ReleasePlanPage({ caseId }: { caseId: string }) {
  const { t } = useI18n();
  const [purpose, setPurpose] = useState<StatedPurpose | null>(null);
  const headers = purposeHeaders(purpose);
  const record = useLoad((signal) => getVersioned<CaseRecord>(`/api/v1/cases/${encodeURIComponent(caseId)}`, { signal, headers }),
    [caseId, purpose]);
  const c = record.data?.data;
  return (
    <>
      <p class="breadcrumbs"><Link href="/release-planning">{t('rel.list.title')}</Link></p>
      <div class="page-head">
        <h1 tabIndex={-1} id="rel-heading">{c ? t('rel.plan.title.case', { number: c.number }) : t('rel.plan.title')}</h1>
      </div>
      <RecordGate load={record} purpose={purpose} onPurpose={setPurpose} idPrefix="rel">
        {(data) => <PlanBody record={data.data} headers={headers} />}
      </RecordGate>
    </>
  );
}

function PlanBody({ record: c, headers }: { record: CaseRecord; headers: Record<string, string> }) {
  const { t, lang } = useI18n();
  const { can, user } = useSession();
  const zone = useTimeZone();
  const state = useLoad((signal) => loadPlan(c.id, signal, headers), [c.id]);
  const org = useLoad(() => loadOrg(), []);
  const referrals = useLoad((signal) => (can('referrals.read')
    ? get<Items<ReferralSummary>>(`/api/v1/cases/${encodeURIComponent(c.id)}/referrals`, { signal, headers }).catch(() => ({ items: [] }))
    : Promise.resolve({ items: [] as ReferralSummary[] })), [c.id]);
  const [form, setForm] = useState<'' | 'plan' | 'action' | 'meeting' | 'handover'>('');
  const [editAction, setEditAction] = useState<ReleaseAction | null>(null);
  const [done, setDone] = useState('');
  const [handed, setHanded] = useState(false);
  const s = state.data;
  const plan = s?.plan ?? null;
  const live = plan ? plan.status === 'draft' || plan.status === 'agreed' : false;
  const mayWrite = can('release.write') && c.status !== 'closed';
  const reload = () => state.reload();
  if (handed) {
    // The case has moved: the prison may no longer reach it, so nothing is read again here.
    return (
      <>
        <Success><p id="rel-done">{done}</p></Success>
        {plan && user?.unit?.id === plan.receiving_unit_id ? (
          <p><Link href={`/cases/${encodeURIComponent(c.id)}`} class="rel-to-case">{t('rel.plan.handed_over.link')}</Link></p>
        ) : <p id="rel-moved">{t('rel.plan.moved', { unit: plan?.receiving_unit_name ?? '' })}</p>}
        <p><Link href="/release-planning">{t('rel.list.title')}</Link></p>
      </>
    );
  }
  return (
    <>
      <p class="rel-case-line">
        <Link href={`/cases/${encodeURIComponent(c.id)}`}>{t('rel.plan.case', { number: c.number })}</Link>
        {' — '}{personName(c.person)}{' · '}{c.unit_name}
      </p>
      {state.status === 'error' ? (
        <div class="alert alert-error" role="alert">
          <p class="alert-title">{t('load.error')}</p>
          <button type="button" class="button" onClick={state.reload}>{t('status.retry')}</button>
        </div>
      ) : null}
      {!s && state.status === 'loading' ? <p class="muted" role="status">{t('status.loading')}</p> : null}
      {done ? <Success><p id="rel-done">{done}</p></Success> : null}
      {s && !plan ? (
        c.kind === 'penitentiary' ? (
          form === 'plan' ? (
            <PlanForm record={c} state={s} org={org.data} referrals={referrals.data?.items ?? []} headers={headers}
              onCancel={() => setForm('')} onSaved={() => { setForm(''); setDone(t('rel.plan.started')); reload(); }} />
          ) : (
            <section class="card" aria-labelledby="rel-none-heading">
              <h2 id="rel-none-heading">{t('rel.plan.none.title')}</h2>
              <p id="rel-plan-none">{t('rel.plan.none.text')}</p>
              {mayWrite ? (
                <button type="button" class="button" id="rel-plan-start" onClick={() => { setForm('plan'); setDone(''); }}>{t('rel.plan.start')}</button>
              ) : null}
            </section>
          )
        ) : <p id="rel-plan-none">{t('rel.plan.not_penitentiary')}</p>
      ) : null}
      {plan && s ? (
        <>
          <section class="card" aria-labelledby="rel-plan-heading" id="rel-plan">
            <div class="card-head">
              <h2 id="rel-plan-heading" tabIndex={-1}>{t('rel.plan.title')} <PlanStatus status={plan.status} /></h2>
              {mayWrite && live && form !== 'plan' ? (
                <button type="button" class="button button-secondary" id="rel-plan-edit" onClick={() => { setForm('plan'); setDone(''); }}>
                  {t('rel.plan.edit')}</button>
              ) : null}
            </div>
            {plan.status === 'handed_over' ? (
              <p class="notice" id="rel-handed-over">{t('rel.plan.handed_over', { unit: plan.receiving_unit_name })}{' '}
                <Link href={`/cases/${encodeURIComponent(c.id)}#plan`}>{t('rel.plan.handed_over.link')}</Link></p>
            ) : null}
            {form === 'plan' ? (
              <PlanForm record={c} state={s} org={org.data} referrals={referrals.data?.items ?? []} headers={headers}
                onCancel={() => setForm('')} onSaved={() => { setForm(''); setDone(t('rel.plan.saved')); reload(); }} />
            ) : <PlanFacts plan={plan} />}
          </section>

          <section class="card" aria-labelledby="rel-actions-heading" id="rel-actions">
            <div class="card-head">
              <h2 id="rel-actions-heading" tabIndex={-1}>{t('rel.actions.title')}</h2>
              {mayWrite && live && form !== 'action' ? (
                <button type="button" class="button button-secondary" id="rel-action-add"
                  onClick={() => { setEditAction(null); setForm('action'); setDone(''); }}>{t('rel.action.add')}</button>
              ) : null}
            </div>
            <p class="muted">{t('rel.actions.about')}</p>
            {form === 'action' ? (
              <ActionForm planId={plan.id} org={org.data} action={editAction ?? undefined} headers={headers}
                onCancel={() => { setForm(''); setEditAction(null); }}
                onSaved={() => { setForm(''); setDone(editAction ? t('rel.action.changed') : t('rel.action.added')); setEditAction(null); reload(); }} />
            ) : null}
            {plan.actions.length ? (
              <ActionsTable actions={plan.actions} id="rel-actions-table" todayDay={today(zone)}
                onChange={mayWrite && live ? (a) => { setEditAction(a); setForm('action'); setDone(''); } : undefined} />
            ) : <p id="rel-actions-none">{t('rel.actions.none')}</p>}
          </section>

          <section class="card" aria-labelledby="rel-meetings-heading" id="rel-meetings">
            <div class="card-head">
              <h2 id="rel-meetings-heading" tabIndex={-1}>{t('rel.meetings.title')}</h2>
              {mayWrite && live && form !== 'meeting' ? (
                <button type="button" class="button button-secondary" id="rel-meeting-add" onClick={() => { setForm('meeting'); setDone(''); }}>
                  {t('rel.meeting.record')}</button>
              ) : null}
            </div>
            <p class="muted">{t('rel.meetings.about')}</p>
            {form === 'meeting' ? (
              <MeetingForm planId={plan.id} org={org.data} headers={headers} onCancel={() => setForm('')}
                onSaved={(id) => navigate(`/panel-meetings/${encodeURIComponent(id)}`)} />
            ) : null}
            {plan.meetings.length ? (
              <ul class="plain-list rel-meetings" id="rel-meetings-list">
                {plan.meetings.map((m) => (
                  <li key={m.id} data-id={m.id}>
                    <Link href={`/panel-meetings/${encodeURIComponent(m.id)}`}>{t('rel.meeting.on', { date: formatDay(m.held_on, lang) })}</Link>
                    {' '}<span class="muted">{[m.place, plural(t, lang, 'rel.meeting.attendees.n', m.attendees)].filter(Boolean).join(' · ')}</span>
                  </li>
                ))}
              </ul>
            ) : <p id="rel-meetings-none">{t('rel.meetings.none')}</p>}
          </section>

          {live && can('release.handover') ? (
            <section class="card" aria-labelledby="rel-handover-heading" id="rel-handover">
              <h2 id="rel-handover-heading" tabIndex={-1}>{t('rel.handover.title')}</h2>
              <p>{t('rel.handover.about', { unit: plan.receiving_unit_name })}</p>
              {form === 'handover' ? (
                <HandoverForm plan={plan} version={s.version ?? String(plan.version)} headers={headers} onCancel={() => setForm('')}
                  onDone={(text) => { setForm(''); setDone(text); setHanded(true); }} />
              ) : (
                <button type="button" class="button" id="rel-handover-start" onClick={() => { setForm('handover'); setDone(''); }}>
                  {t('rel.handover.start')}</button>
              )}
            </section>
          ) : null}
        </>
      ) : null}
    </>
  );
}

function PlanFacts({ plan }: { plan: ReleasePlan }) {
  const { t, lang } = useI18n();
  return (
    <>
      <dl class="facts facts-compact rel-facts" id="rel-plan-facts">
        <div class="fact"><dt>{t('rel.plan.release_on')}</dt><dd>{plan.release_on ? formatDay(plan.release_on, lang) : '—'}</dd></div>
        <div class="fact"><dt>{t('rel.plan.receiving')}</dt><dd id="rel-plan-receiving">{plan.receiving_unit_name}</dd></div>
        <div class="fact"><dt>{t('rel.plan.first')}</dt>
          <dd id="rel-plan-first">{plan.first_appointment_at ? localTime(plan.first_appointment_at, lang) : '—'}
            {plan.first_appointment_place ? <span class="cell-sub">{plan.first_appointment_place}</span> : null}</dd></div>
        <div class="fact"><dt>{t('rel.plan.address')}</dt><dd>{plan.address || '—'}</dd></div>
        <div class="fact"><dt>{t('rel.plan.transport')}</dt><dd>{plan.transport || '—'}</dd></div>
      </dl>
      <h3>{t('rel.plan.documents')}</h3>
      {plan.documents.length ? (
        <ul class="plain-list" id="rel-plan-documents">
          {plan.documents.map((d, i) => (
            <li key={i} data-kind={d.kind}>
              {label(t, 'doc', d.kind)}: <span class={d.status === 'have' ? 'badge badge-ok' : d.status === 'needed' ? 'badge badge-bad' : 'badge badge-warn'}>
                {label(t, 'doc.status', d.status)}</span>{d.note ? <span class="muted"> — {d.note}</span> : null}
            </li>
          ))}
        </ul>
      ) : <p class="muted">{t('rel.plan.documents.none')}</p>}
      <h3>{t('rel.plan.programmes')}</h3>
      {plan.referrals.length ? (
        <ul class="plain-list" id="rel-plan-programmes">
          {plan.referrals.map((r) => (
            <li key={r.id}>{r.programme_name ?? r.id}{r.partner_name ? <span class="muted"> — {r.partner_name}</span> : null}</li>
          ))}
        </ul>
      ) : <p class="muted">{t('rel.plan.programmes.none')}</p>}
      {plan.notes ? <><h3>{t('rel.plan.notes')}</h3><p class="rel-pre">{plan.notes}</p></> : null}
    </>
  );
}

interface DocDraft { kind: string; status: string; note: string }

interface PlanFormProps {
  record: CaseRecord;
  state: PlanState;
  org: Org | undefined;
  referrals: ReferralSummary[];
  headers: Record<string, string>;
  onSaved: () => void;
  onCancel: () => void;
}

function PlanForm({ record: c, state, org, referrals, headers, onSaved, onCancel }: PlanFormProps) {
  const { t, lang } = useI18n();
  const p = state.plan;
  const [unit, setUnit] = useState(p?.receiving_unit_id ?? '');
  const [address, setAddress] = useState(p?.address ?? '');
  const [transport, setTransport] = useState(p?.transport ?? '');
  const [docs, setDocs] = useState<DocDraft[]>((p?.documents ?? []).map((d) => ({ kind: d.kind, status: d.status, note: d.note ?? '' })));
  const [first, setFirst] = useState(p?.first_appointment_at?.slice(0, 16) ?? '');
  const [place, setPlace] = useState(p?.first_appointment_place ?? '');
  const [notes, setNotes] = useState(p?.notes ?? '');
  const [chosen, setChosen] = useState<string[]>((p?.referrals ?? []).map((r) => r.id));
  const [status, setStatus] = useState(p?.status === 'agreed' ? 'agreed' : 'draft');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const releaseOn = p?.release_on ?? state.release_on;
  const limit = p?.first_appointment_limit ?? (releaseOn && state.first_appointment_days != null ? addDays(releaseOn, state.first_appointment_days) : null);
  const days = releaseOn && limit ? daysBetween(releaseOn, limit) : state.first_appointment_days;
  const mistakes: { field: string; message: string }[] = [];
  if (!unit) mistakes.push({ field: 'receiving_unit_id', message: t('rel.pick.unit') });
  const outside = releaseOn && limit
    ? t('rel.first.outside', { from: formatDay(releaseOn, lang), to: formatDay(limit, lang) }) : t('rel.first.refused');
  if (first && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(first)) mistakes.push({ field: 'first_appointment_at', message: t('rel.first.format') });
  else if (first && releaseOn && limit && (first.slice(0, 10) < releaseOn.slice(0, 10) || first.slice(0, 10) > limit.slice(0, 10))) {
    mistakes.push({ field: 'first_appointment_at', message: outside });
  }
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? translateFirst(serverError, outside);
  const fe = fieldErrors(error, t);
  const fields: Record<string, string> = {
    receiving_unit_id: 'plan-unit', address: 'plan-address', transport: 'plan-transport', first_appointment_at: 'plan-first',
    first_appointment_place: 'plan-place', notes: 'plan-notes', referral_ids: 'plan-referrals', status: 'plan-status', documents: 'plan-docs-add',
  };
  const labels: Record<string, string> = {
    receiving_unit_id: t('rel.plan.receiving'), address: t('rel.plan.address'), transport: t('rel.plan.transport'),
    first_appointment_at: t('rel.plan.first'), first_appointment_place: t('rel.plan.first.place'), notes: t('rel.plan.notes'),
    referral_ids: t('rel.plan.programmes'), status: t('rel.plan.status'), documents: t('rel.plan.documents'),
  };
  const firstHint = days != null
    ? (releaseOn && limit
      ? t('rel.first.range', { n: days, from: formatDay(releaseOn, lang), to: formatDay(limit, lang) })
      : t('rel.first.range.days', { n: days }))
    : t('rel.first.range.unknown');
  const setDoc = (i: number, patch: Partial<DocDraft>) => setDocs((list) => list.map((d, j) => (j === i ? { ...d, ...patch } : d)));
  const docError = (i: number, f: string) => fe[`documents[${i}].${f}`] ?? fe[`documents.${i}.${f}`];
  const units = org?.probationUnits ?? [];
  return (
    <form class="form form-wide rel-plan-form" noValidate aria-labelledby="plan-form-title" id="plan-form"
      onSubmit={(e) => {
        e.preventDefault();
        setAttempt((x) => x + 1);
        if (mistakes.length) return;
        void run(async () => {
          const body = {
            receiving_unit_id: unit, address: address.trim() || null, transport: transport.trim() || null,
            documents: docs.map((d) => ({ kind: d.kind, status: d.status, note: d.note.trim() || null })),
            first_appointment_at: first || null, first_appointment_place: place.trim() || null, notes: notes.trim() || null,
            referral_ids: chosen, status,
          };
          await request('PUT', `/api/v1/cases/${encodeURIComponent(c.id)}/release-plan`,
            { body, headers, ifMatch: p ? state.version ?? String(p.version) : null });
          onSaved();
        });
      }}>
      <h3 id="plan-form-title">{p ? t('rel.plan.edit') : t('rel.plan.start')}</h3>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={fields} labels={labels} />
      <SelectField id={fields.receiving_unit_id ?? ''} label={labels.receiving_unit_id ?? ''} value={unit} onValue={setUnit}
        hint={t('rel.plan.receiving.hint')} error={fe.receiving_unit_id}
        options={[{ value: '', label: t('rel.pick') }, ...units.map((u) => ({ value: u.id, label: `${u.agency_name} — ${u.name}` }))]} />
      <TextAreaField id={fields.address ?? ''} label={labels.address ?? ''} value={address} onValue={setAddress} rows={2} max={1000} error={fe.address} />
      <TextAreaField id={fields.transport ?? ''} label={labels.transport ?? ''} value={transport} onValue={setTransport} rows={2} max={1000}
        error={fe.transport} />
      <fieldset class="field rel-rows" id="plan-docs">
        <legend>{labels.documents}</legend>
        <p class="hint">{t('rel.plan.documents.hint')}</p>
        {docs.map((d, i) => (
          <div class="rel-row" key={i} data-row={i}>
            <div class="form-grid">
              <SelectField id={`plan-doc-${i}-kind`} label={t('rel.doc.kind')} value={d.kind} onValue={(v) => setDoc(i, { kind: v })}
                error={docError(i, 'kind')} options={DOC_KINDS.map((k) => ({ value: k, label: label(t, 'doc', k) }))} />
              <SelectField id={`plan-doc-${i}-status`} label={t('rel.doc.status')} value={d.status} onValue={(v) => setDoc(i, { status: v })}
                error={docError(i, 'status')} options={DOC_STATUSES.map((k) => ({ value: k, label: label(t, 'doc.status', k) }))} />
              <TextField id={`plan-doc-${i}-note`} label={t('rel.doc.note')} value={d.note} onValue={(v) => setDoc(i, { note: v })} optional
                maxLength={500} error={docError(i, 'note')} />
            </div>
            <button type="button" class="button button-secondary button-small" id={`plan-doc-${i}-remove`}
              onClick={() => setDocs((list) => list.filter((_, j) => j !== i))}>{t('rel.doc.remove', { n: i + 1 })}</button>
          </div>
        ))}
        {docs.length < 20 ? (
          <button type="button" class="button button-secondary button-small" id="plan-docs-add"
            onClick={() => setDocs((list) => [...list, { kind: 'passport', status: 'needed', note: '' }])}>{t('rel.doc.add')}</button>
        ) : null}
        {fe.documents ? <p class="field-error">{fe.documents}</p> : null}
      </fieldset>
      <div class="form-grid">
        <TextField id={fields.first_appointment_at ?? ''} label={labels.first_appointment_at ?? ''} type="datetime-local" value={first}
          onValue={setFirst} optional hint={firstHint} error={fe.first_appointment_at} />
        <TextField id={fields.first_appointment_place ?? ''} label={labels.first_appointment_place ?? ''} value={place} onValue={setPlace}
          optional maxLength={300} error={fe.first_appointment_place} />
      </div>
      <fieldset class="field checkbox-group" id={fields.referral_ids}>
        <legend>{labels.referral_ids}</legend>
        {referrals.length ? (
          <div class="checkbox-list">
            {referrals.map((r) => (
              <div class="checkbox" key={r.id}>
                <input type="checkbox" id={`plan-ref-${r.id}`} checked={chosen.includes(r.id)}
                  onChange={(e) => { const on = e.currentTarget.checked; setChosen((l) => (on ? [...l, r.id] : l.filter((x) => x !== r.id))); }} />
                <label for={`plan-ref-${r.id}`}>{r.programme_name ?? r.id}
                  <span class="checkbox-about">{[r.partner_name, r.status ? label(t, 'referral', r.status) : ''].filter(Boolean).join(' · ')}</span></label>
              </div>
            ))}
          </div>
        ) : <p class="hint">{t('rel.plan.programmes.no_referrals')}</p>}
        {fe.referral_ids ? <p class="field-error">{fe.referral_ids}</p> : null}
      </fieldset>
      <TextAreaField id={fields.notes ?? ''} label={labels.notes ?? ''} value={notes} onValue={setNotes} rows={3} max={4000} error={fe.notes} />
      <RadioGroup id={fields.status ?? ''} legend={labels.status ?? ''} value={status} onValue={setStatus} error={fe.status}
        options={[{ value: 'draft', label: label(t, 'plan.status', 'draft'), about: t('rel.plan.status.draft.about') },
          { value: 'agreed', label: label(t, 'plan.status', 'agreed'), about: t('rel.plan.status.agreed.about') }]} />
      <div class="button-row">
        <button type="submit" class="button" id="plan-submit" disabled={busy}>{p ? t('rel.save') : t('rel.plan.start')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}

/** The server's English words on the first appointment's date, said in the UI language instead. */
function translateFirst(error: unknown, message: string): unknown {
  if (!(error instanceof ApiError) || !error.problem) return error;
  const errors = error.problem.errors.map((e) => (e.field === 'first_appointment_at' && /release|days|after|before/i.test(e.message)
    ? { ...e, message } : e));
  return new ApiError(error.message, error.status, { ...error.problem, errors }, error.retryAfter);
}

interface HandoverResult { case_id: string; plan_id: string; plan_actions: number; appointment_id: string | null }

function HandoverForm({ plan, version, headers, onCancel, onDone }: {
  plan: ReleasePlan; version: string; headers: Record<string, string>; onCancel: () => void; onDone: (text: string) => void;
}) {
  const { t, lang } = useI18n();
  const zone = useTimeZone();
  const [releasedOn, setReleasedOn] = useState(today(zone));
  const [kind, setKind] = useState('executive');
  const [consent, setConsent] = useState('');
  const [officer, setOfficer] = useState('');
  const [attempt, setAttempt] = useState(0);
  const [confirming, setConfirming] = useState(false);
  const { busy, error: serverError, run } = useAction();
  const members = useLoad((signal) => get<Items<UnitMember>>(`/api/v1/units/${encodeURIComponent(plan.receiving_unit_id)}/members`, { signal }),
    [plan.receiving_unit_id]);
  const officers = (members.data?.items ?? []).filter((m) => m.status !== 'disabled' && (m.roles.includes('probation_officer') || m.roles.includes('unit_head')));
  const mistakes: { field: string; message: string }[] = [];
  if (!releasedOn) mistakes.push({ field: 'released_on', message: t('field.required') });
  else if (releasedOn > today(zone)) mistakes.push({ field: 'released_on', message: t('rel.not_future') });
  if (kind === 'post_penitentiary' && !consent) mistakes.push({ field: 'consent_on', message: t('rel.handover.consent.required') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const fields = { released_on: 'handover-released_on', kind: 'handover-kind', consent_on: 'handover-consent_on', officer_id: 'handover-officer' };
  const labels = { released_on: t('rel.handover.released_on'), kind: t('rel.handover.kind'), consent_on: t('rel.handover.consent_on'),
    officer_id: t('rel.handover.officer') };
  const openActions = plan.actions.filter((a) => a.status === 'open').length;
  // A warning, not a refusal: the release may have come early, but a date a month before the plan's is more likely a slip.
  const early = !!(releasedOn && plan.release_on && daysBetween(releasedOn, plan.release_on) > 30);
  const submit = () => {
    void run(async () => {
      const body: Record<string, unknown> = { released_on: releasedOn, kind };
      if (kind === 'post_penitentiary') body.consent_on = consent;
      if (officer) body.officer_id = officer;
      const r = await request<HandoverResult>('POST', `/api/v1/release-plans/${encodeURIComponent(plan.id)}/handover`,
        { body, headers, ifMatch: version });
      setConfirming(false);
      onDone(plural(t, lang, r.data.appointment_id ? 'rel.handover.done.appointment' : 'rel.handover.done', r.data.plan_actions,
        { unit: plan.receiving_unit_name }));
    }).then((ok) => { if (!ok) setConfirming(false); });
  };
  return (
    <form class="form form-wide" noValidate aria-labelledby="handover-form-title" id="handover-form"
      onSubmit={(e) => {
        e.preventDefault();
        setAttempt((x) => x + 1);
        if (mistakes.length) return;
        setConfirming(true);
      }}>
      <h3 id="handover-form-title">{t('rel.handover.start')}</h3>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={fields} labels={labels} />
      <div class="form-grid">
        <DateField id={fields.released_on} label={labels.released_on} value={releasedOn} onValue={setReleasedOn} max={today(zone)} required
          error={fe.released_on} />
      </div>
      {early ? (
        <p class="notice rel-warn" id="handover-early" role="status">{t('rel.handover.early', { date: formatDay(plan.release_on, lang) })}</p>
      ) : null}
      <RadioGroup id={fields.kind} legend={labels.kind} value={kind} onValue={setKind} error={fe.kind}
        options={[{ value: 'executive', label: t('rel.handover.kind.executive'), about: t('rel.handover.kind.executive.about') },
          { value: 'post_penitentiary', label: t('rel.handover.kind.post_penitentiary'), about: t('rel.handover.kind.post_penitentiary.about') }]} />
      {kind === 'post_penitentiary' ? (
        <div class="form-grid">
          <DateField id={fields.consent_on} label={labels.consent_on} value={consent} onValue={setConsent} max={today(zone)} required
            hint={t('rel.handover.consent.hint')} error={fe.consent_on} />
        </div>
      ) : null}
      {members.status === 'error' ? (
        <p class="hint" id="handover-officer-none">{t('rel.handover.officer.unavailable', { unit: plan.receiving_unit_name })}</p>
      ) : (
        <SelectField id={fields.officer_id} label={labels.officer_id} value={officer} onValue={setOfficer} error={fe.officer_id}
          hint={t('rel.handover.officer.hint')}
          options={[{ value: '', label: t('rel.handover.officer.later') }, ...officers.map((m) => ({ value: m.id, label: m.display_name }))]} />
      )}
      <div class="button-row">
        <button type="submit" class="button" id="handover-submit" disabled={busy}>{t('rel.handover.submit')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
      <ConfirmDialog open={confirming} title={t('rel.handover.confirm.title')} confirmLabel={t('rel.handover.confirm')} busy={busy}
        onCancel={() => setConfirming(false)} onConfirm={submit}>
        <ul id="handover-what">
          <li>{t('rel.handover.what.unit', { unit: plan.receiving_unit_name })}</li>
          <li>{t('rel.handover.what.kind', { kind: kind === 'executive' ? t('rel.handover.kind.executive') : t('rel.handover.kind.post_penitentiary') })}</li>
          <li>{plural(t, lang, 'rel.handover.what.actions', openActions)}</li>
          <li>{plan.first_appointment_at
            ? t('rel.handover.what.appointment', { at: localTime(plan.first_appointment_at, lang) })
            : t('rel.handover.what.no_appointment')}</li>
          <li>{t('rel.handover.what.plan')}</li>
        </ul>
      </ConfirmDialog>
    </form>
  );
}
