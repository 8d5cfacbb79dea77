// /alerts/:id — one alert: what raised it and its evidence in words (dates formatted, records linked
// to the case), who has it and by when it must be acknowledged, its history, and the actions:
// acknowledge (the one it is assigned to, or a unit head), assign to an officer of the unit, verify
// — as a breach allegation (what, when, which active conditions) or as a task — or dismiss with a
// reason (S6, S25). After verification as a breach, the breach allegation's page is linked.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { get, request, type Items, type UnitMember } from '../../api';
import { FormError, SelectField, Success, TextAreaField, TextField } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { useI18n, type Lang, type MessageKey } from '../../i18n';
import { useDates, useSession, useTimeZone } from '../../session';
import { localProblem } from '../cases/Decisions';
import { DateField, RadioGroup } from '../cases/Fields';
import { formatDay, getVersioned, today } from '../cases/model';
import { matchErrors } from '../conditions/types';
import { conditionName, loadConditions } from '../supervision/common';
import { apptKindLabel, outcomeLabel } from '../supervision/model';
import { AlertStatusBadge, OverdueMark, SeverityBadge, alertTitle, label, type Alert, type AlertEvent } from './AlertsQueue';
import './alerts.css';

type T = (key: MessageKey, params?: Readonly<Record<string, string | number>>) => string;

export function AlertPage({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const load = useLoad((signal) => getVersioned<Alert>(`/api/v1/alerts/${encodeURIComponent(id)}`, { signal }), [id]);
  const [done, setDone] = useState('');
  const a = load.data?.data;
  return (
    <>
      <p class="breadcrumbs"><Link href="/alerts">{t('alerts.title')}</Link></p>
      <div class="page-head">
        <h1 tabIndex={-1} id="alert-heading">{a ? alertTitle(a, lang) : t('compliance.alert')}</h1>
      </div>
      {done ? <Success><p class="alert-title" id="alert-done">{done}</p></Success> : null}
      <LoadState load={load}>
        {(v) => <AlertBody alert={v.data} onChanged={(text) => { setDone(text); load.reload(); }} />}
      </LoadState>
    </>
  );
}

function AlertBody({ alert: a, onChanged }: { alert: Alert; onChanged: (text: string) => void }) {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const dates = useDates();
  const active = a.status === 'open' || a.status === 'acknowledged';
  const members = useLoad((signal) => (active && can('alerts.work')
    ? get<Items<UnitMember>>(`/api/v1/units/${encodeURIComponent(a.unit_id)}/members`, { signal })
      .then((r) => r.items.filter((m) => m.status !== 'disabled' && (m.roles.includes('probation_officer') || m.roles.includes('unit_head'))))
      .catch(() => [] as UnitMember[])
    : Promise.resolve([] as UnitMember[])), [a.unit_id, active]);
  return (
    <>
      <section class="card" aria-labelledby="alert-facts-heading">
        <h2 id="alert-facts-heading">{t('alerts.facts')}</h2>
        <p class="alert-badges">
          <SeverityBadge severity={a.severity} /> <AlertStatusBadge status={a.status} outcome={a.outcome} />
          {a.ack_overdue ? <> <OverdueMark /></> : null}
          {a.escalation_level > 0 ? <> <span class="badge badge-warn">{t('alerts.escalated_level', { n: a.escalation_level })}</span></> : null}
        </p>
        <dl class="facts" id="alert-facts">
          <Fact label={t('alerts.person')}>
            {a.person_name} · <Link href={`/cases/${encodeURIComponent(a.case_id)}`}>{t('alerts.case', { number: a.case_number })}</Link>
          </Fact>
          <Fact label={t('alerts.unit')}>{a.unit_name}</Fact>
          <Fact label={t('alerts.raised')}>
            {dates.short(a.raised_at)} · {a.raised_by_name ?? t(a.source === 'device' ? 'alerts.source.device' : 'alerts.source.rule')}
          </Fact>
          {a.due_on ? <Fact label={t('alerts.due_on')}>{formatDay(a.due_on, lang)}</Fact> : null}
          <Fact label={t('alerts.assignee')} id="alert-assignee">{a.assigned_to_name ?? t('alerts.unassigned')}</Fact>
          {a.status === 'open' ? <Fact label={t('alerts.ack_due')}>{dates.short(a.ack_due_at)}</Fact> : null}
          {a.escalated_at ? <Fact label={t('alerts.escalated_at')}>{dates.short(a.escalated_at)}</Fact> : null}
          {a.acknowledged_at ? (
            <Fact label={t('alerts.acknowledged')}>{dates.short(a.acknowledged_at)} · {a.acknowledged_by_name ?? ''}</Fact>
          ) : null}
          {a.closed_at ? (
            <Fact label={t(a.status === 'dismissed' ? 'alerts.dismissed' : 'alerts.verified')}>
              {dates.short(a.closed_at)} · {a.closed_by_name ?? ''}
            </Fact>
          ) : null}
        </dl>
        {a.close_reason ? (
          <div class="alert-reason">
            <h3>{t('alerts.close_reason')}</h3>
            <p class="pre-line" id="alert-close-reason">{a.close_reason}</p>
          </div>
        ) : null}
        {a.breach_id ? (
          <p><Link href={`/breaches/${encodeURIComponent(a.breach_id)}`} class="button button-secondary">{t('alerts.open_breach')}</Link></p>
        ) : null}
        {a.task_id ? <p><Link href="/alerts/tasks">{t('alerts.open_tasks')}</Link></p> : null}
      </section>
      <Evidence alert={a} />
      {active && can('alerts.work') ? (
        <section class="card" aria-labelledby="alert-actions-heading">
          <h2 id="alert-actions-heading">{t('alerts.actions')}</h2>
          <p class="hint" id="alert-actions-about">{t(a.status === 'open' ? 'alerts.actions.about' : 'alerts.actions.about_acknowledged')}</p>
          {a.status === 'open' ? <Acknowledge alert={a} onDone={onChanged} /> : null}
          <VerifyForm alert={a} members={members.data ?? []} onDone={onChanged} />
          <AssignForm alert={a} members={members.data ?? []} onDone={onChanged} />
          <DismissForm alert={a} onDone={onChanged} />
        </section>
      ) : null}
      <History events={a.events ?? []} />
    </>
  );
}

function Fact({ label: name, id, children }: { label: string; id?: string; children: ComponentChildren }) {
  return (
    <div class="fact">
      <dt>{name}</dt>
      <dd id={id}>{children}</dd>
    </div>
  );
}

const ID_KEYS = ['appointment_id', 'contact_id', 'condition_id', 'plan_id', 'decision_id', 'pretrial_request_id', 'complaint_id'];
const DAY_KEYS = ['review_on', 'due_on', 'next_review_on', 'date', 'period_from', 'period_to', 'level_from', 'answer_due_on'];

/** One evidence value in words. */
function evidenceValue(key: string, value: unknown, a: Alert, t: T, lang: Lang, short: (iso: string) => string) {
  if (value === null || value === undefined || value === '') return <span class="muted">—</span>;
  const text = String(value);
  if (key === 'complaint_id') return <Link href={`/complaints/${encodeURIComponent(text)}`}>{t('alerts.evidence.open_complaint')}</Link>;
  if (ID_KEYS.includes(key)) return <Link href={`/cases/${encodeURIComponent(a.case_id)}`}>{t('alerts.evidence.on_case', { number: a.case_number })}</Link>;
  if (DAY_KEYS.includes(key)) return formatDay(text, lang);
  if (key === 'occurred_at') return short(text);
  if (key === 'occurrence') return `${formatDay(text.slice(0, 10), lang)} ${text.slice(11, 16)}`;
  if (key === 'kind') return apptKindLabel(t, text);
  if (key === 'outcome') return outcomeLabel(t, text);
  if (key === 'hours') return t('alerts.evidence.hours_value', { n: text });
  return text;
}

function Evidence({ alert: a }: { alert: Alert }) {
  const { t, lang } = useI18n();
  const dates = useDates();
  const entries = Object.entries(a.evidence ?? {});
  return (
    <section class="card" aria-labelledby="alert-evidence-heading">
      <h2 id="alert-evidence-heading">{t('alerts.evidence')}</h2>
      {entries.length === 0 ? <p class="muted">{t('alerts.evidence.none')}</p> : (
        <dl class="facts" id="alert-evidence">
          {entries.map(([key, value]) => (
            <div key={key} class="fact">
              <dt>{label(t, 'alerts.evidence', key)}</dt>
              <dd class={key === 'note' ? 'pre-line' : undefined}>{evidenceValue(key, value, a, t, lang, (iso) => dates.short(iso))}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

function History({ events }: { events: AlertEvent[] }) {
  const { t } = useI18n();
  const dates = useDates();
  return (
    <section class="card" aria-labelledby="alert-history-heading">
      <h2 id="alert-history-heading">{t('alerts.history')}</h2>
      <ol class="alert-history" id="alert-history">
        {events.map((e, i) => (
          <li key={i}>
            <span class="alert-history-when">{dates.short(e.at)}</span>{' '}
            <strong>{label(t, 'alerts.event', e.action)}</strong>{' '}
            <span>{e.actor_name ?? t('alerts.engine')}</span>
            {e.action === 'escalated' && typeof e.detail.level === 'number'
              ? <span class="muted"> · {t('alerts.escalated_level', { n: e.detail.level })}</span> : null}
            {e.reason ? <p class="alert-history-reason pre-line">{e.reason}</p> : null}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Acknowledge({ alert: a, onDone }: { alert: Alert; onDone: (text: string) => void }) {
  const { t } = useI18n();
  const { busy, error, run } = useAction();
  return (
    <div class="alert-action">
      <FormError error={error} />
      <button type="button" class="button" id="alert-acknowledge" disabled={busy}
        onClick={() => void run(async () => {
          await request('POST', `/api/v1/alerts/${encodeURIComponent(a.id)}/acknowledgement`, { ifMatch: String(a.version) });
          onDone(t('alerts.acknowledged.done'));
        })}>
        {t('alerts.acknowledge')}
      </button>
      <p class="hint">{t('alerts.acknowledge.about')}</p>
    </div>
  );
}

function memberOptions(members: readonly UnitMember[], exclude: string | null) {
  return members.filter((m) => m.id !== exclude).map((m) => ({ value: m.id, label: m.display_name }));
}

function AssignForm({ alert: a, members, onDone }: { alert: Alert; members: readonly UnitMember[]; onDone: (text: string) => void }) {
  const { t } = useI18n();
  const [assignee, setAssignee] = useState('');
  const [reason, setReason] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const missing = [
    ...(assignee ? [] : [{ field: 'assignee_id', message: t('alerts.assign.who.required') }]),
    ...(reason.trim() ? [] : [{ field: 'reason', message: t('alerts.reason.required') }]),
  ];
  const local = attempt > 0 && missing.length ? localProblem(missing) : null;
  const error = local ?? serverError;
  const known = {
    assignee_id: { id: 'alert-assign-who', label: t('alerts.assign.who') },
    reason: { id: 'alert-assign-reason', label: t('alerts.assign.reason') },
  };
  const m = matchErrors(error, t, known);
  return (
    <details class="alert-action" id="alert-assign">
      <summary>{t('alerts.assign')}</summary>
      <form class="form form-wide" noValidate onSubmit={(e) => {
        e.preventDefault();
        if (missing.length) { setAttempt((n) => n + 1); return; }
        setAttempt(0);
        void run(async () => {
          await request('POST', `/api/v1/alerts/${encodeURIComponent(a.id)}/assignment`, { body: { assignee_id: assignee, reason: reason.trim() }, ifMatch: String(a.version) });
          onDone(t('alerts.assign.done'));
        });
      }}>
        <FormError error={error} focusKey={local ? attempt : serverError} fields={m.ids} labels={m.labels} />
        <SelectField id={known.assignee_id.id} label={known.assignee_id.label} value={assignee} onValue={setAssignee}
          error={m.at.assignee_id} hint={t('alerts.assign.who.hint')}
          options={[{ value: '', label: t('alerts.choose') }, ...memberOptions(members, a.assigned_to)]} />
        <TextAreaField id={known.reason.id} label={known.reason.label} value={reason} onValue={setReason} max={2000} rows={2}
          error={m.at.reason} />
        <div class="button-row">
          <button type="submit" class="button" disabled={busy} id="alert-assign-submit">{t('alerts.assign.submit')}</button>
        </div>
      </form>
    </details>
  );
}

function DismissForm({ alert: a, onDone }: { alert: Alert; onDone: (text: string) => void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const local = attempt > 0 && !reason.trim() ? localProblem([{ field: 'reason', message: t('alerts.reason.required') }]) : null;
  const error = local ?? serverError;
  const known = { reason: { id: 'alert-dismiss-reason', label: t('alerts.dismiss.reason') } };
  const m = matchErrors(error, t, known);
  return (
    <details class="alert-action" id="alert-dismiss">
      <summary>{t('alerts.dismiss')}</summary>
      <form class="form form-wide" noValidate onSubmit={(e) => {
        e.preventDefault();
        if (!reason.trim()) { setAttempt((n) => n + 1); return; }
        setAttempt(0);
        void run(async () => {
          await request('POST', `/api/v1/alerts/${encodeURIComponent(a.id)}/dismissal`, { body: { reason: reason.trim() }, ifMatch: String(a.version) });
          onDone(t('alerts.dismiss.done'));
        });
      }}>
        <FormError error={error} focusKey={local ? attempt : serverError} fields={m.ids} labels={m.labels} />
        <TextAreaField id={known.reason.id} label={known.reason.label} value={reason} onValue={setReason} max={2000} rows={3}
          error={m.at.reason} hint={t('alerts.dismiss.hint')} />
        <div class="button-row">
          <button type="submit" class="button button-secondary" disabled={busy} id="alert-dismiss-submit">{t('alerts.dismiss.submit')}</button>
        </div>
      </form>
    </details>
  );
}

function VerifyForm({ alert: a, members, onDone }: { alert: Alert; members: readonly UnitMember[]; onDone: (text: string) => void }) {
  const { t, lang } = useI18n();
  const zone = useTimeZone();
  const now = today(zone);
  const [outcome, setOutcome] = useState('');
  const [reasons, setReasons] = useState('');
  const [allegation, setAllegation] = useState('');
  const [occurredOn, setOccurredOn] = useState(a.due_on && a.due_on <= now ? a.due_on : '');
  const [chosen, setChosen] = useState<string[]>([]);
  const [title, setTitle] = useState('');
  const [dueOn, setDueOn] = useState('');
  const [assignee, setAssignee] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, setError, run } = useAction();
  const conditions = useLoad((signal) => (outcome === 'breach'
    ? loadConditions(a.case_id, {}, signal).then((items) => items.filter((c) => c.status === 'active'))
    : Promise.resolve([])), [a.case_id, outcome]);
  const missing = [
    ...(outcome ? [] : [{ field: 'outcome', message: t('alerts.verify.outcome.required') }]),
    ...(reasons.trim() ? [] : [{ field: 'reasons', message: t('alerts.reason.required') }]),
    ...(outcome === 'breach' && !allegation.trim() ? [{ field: 'breach.allegation', message: t('alerts.verify.allegation.required') }] : []),
    ...(outcome === 'breach' && !occurredOn ? [{ field: 'breach.occurred_on', message: t('alerts.verify.occurred_on.required') }] : []),
    ...(outcome === 'task' && !title.trim() ? [{ field: 'task.title', message: t('alerts.verify.title.required') }] : []),
  ];
  const local = attempt > 0 && missing.length ? localProblem(missing) : null;
  const error = local ?? serverError;
  const known = {
    outcome: { id: 'alert-verify-outcome', label: t('alerts.verify.outcome') },
    reasons: { id: 'alert-verify-reasons', label: t('alerts.verify.reasons') },
    'breach.allegation': { id: 'alert-verify-allegation', label: t('alerts.verify.allegation') },
    'breach.occurred_on': { id: 'alert-verify-occurred', label: t('alerts.verify.occurred_on') },
    'breach.condition_ids': { id: 'alert-verify-conditions', label: t('alerts.verify.conditions') },
    'task.title': { id: 'alert-verify-title', label: t('alerts.verify.title') },
    'task.due_on': { id: 'alert-verify-due', label: t('alerts.verify.due_on') },
    'task.assigned_to': { id: 'alert-verify-assignee', label: t('alerts.verify.assignee') },
  };
  const m = matchErrors(error, t, known);
  const toggle = (id: string) => setChosen((list) => (list.includes(id) ? list.filter((x) => x !== id) : [...list, id]));
  const submit = () => {
    if (missing.length) { setAttempt((n) => n + 1); return; }
    setAttempt(0);
    void run(async () => {
      const body: Record<string, unknown> = { outcome, reasons: reasons.trim() };
      if (outcome === 'breach') body.breach = { allegation: allegation.trim(), occurred_on: occurredOn, condition_ids: chosen };
      else body.task = { title: title.trim(), ...(dueOn ? { due_on: dueOn } : {}), ...(assignee ? { assigned_to: assignee } : {}) };
      await request('POST', `/api/v1/alerts/${encodeURIComponent(a.id)}/verification`, { body, ifMatch: String(a.version) });
      onDone(outcome === 'breach' ? t('alerts.verify.done_breach') : t('alerts.verify.done_task'));
    });
  };
  return (
    <details class="alert-action" id="alert-verify">
      <summary>{t('alerts.verify')}</summary>
      <form class="form form-wide" noValidate onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <FormError error={error} focusKey={local ? attempt : serverError} fields={m.ids} labels={m.labels} />
        <RadioGroup id={known.outcome.id} legend={known.outcome.label} value={outcome} onValue={(v) => { setOutcome(v); setAttempt(0); setError(null); }} error={m.at.outcome}
          options={[
            { value: 'task', label: t('alerts.verify.as_task'), about: t('alerts.verify.as_task.about') },
            { value: 'breach', label: t('alerts.verify.as_breach'), about: t('alerts.verify.as_breach.about') },
          ]} />
        <TextAreaField id={known.reasons.id} label={known.reasons.label} value={reasons} onValue={setReasons} max={2000} rows={3}
          error={m.at.reasons} hint={t('alerts.verify.reasons.hint')} />
        {outcome === 'breach' ? (
          <>
            <TextAreaField id={known['breach.allegation'].id} label={known['breach.allegation'].label} value={allegation}
              onValue={setAllegation} max={2000} rows={3} error={m.at['breach.allegation']} hint={t('alerts.verify.allegation.hint')} />
            <DateField id={known['breach.occurred_on'].id} label={known['breach.occurred_on'].label} value={occurredOn}
              onValue={setOccurredOn} max={now} error={m.at['breach.occurred_on']} />
            <fieldset class={m.at['breach.condition_ids'] ? 'field checkbox-group has-error' : 'field checkbox-group'}
              id={known['breach.condition_ids'].id}>
              <legend>{known['breach.condition_ids'].label}</legend>
              <p class="hint">{t('alerts.verify.conditions.hint')}</p>
              {conditions.status === 'loading' ? <p class="muted">{t('status.loading')}</p> : null}
              {conditions.status === 'ok' && conditions.data.length === 0 ? <p class="muted">{t('alerts.verify.conditions.none')}</p> : null}
              <div class="checkbox-list">
                {(conditions.data ?? []).map((c) => (
                  <div class="checkbox" key={c.id}>
                    <input type="checkbox" id={`alert-verify-condition-${c.id}`} checked={chosen.includes(c.id)} onChange={() => toggle(c.id)} />
                    <label for={`alert-verify-condition-${c.id}`}>{conditionName(c, lang)}</label>
                  </div>
                ))}
              </div>
              {m.at['breach.condition_ids'] ? <p class="field-error">{m.at['breach.condition_ids']}</p> : null}
            </fieldset>
          </>
        ) : null}
        {outcome === 'task' ? (
          <>
            <TextField id={known['task.title'].id} label={known['task.title'].label} value={title} onValue={setTitle} maxLength={200}
              error={m.at['task.title']} />
            <DateField id={known['task.due_on'].id} label={known['task.due_on'].label} value={dueOn} onValue={setDueOn} min={now}
              optional error={m.at['task.due_on']} />
            <SelectField id={known['task.assigned_to'].id} label={known['task.assigned_to'].label} value={assignee} onValue={setAssignee}
              error={m.at['task.assigned_to']} options={[{ value: '', label: t('alerts.verify.assignee.default') }, ...memberOptions(members, null)]} />
          </>
        ) : null}
        <div class="button-row">
          <button type="submit" class="button" disabled={busy} id="alert-verify-submit">{t('alerts.verify.submit')}</button>
        </div>
      </form>
    </details>
  );
}
