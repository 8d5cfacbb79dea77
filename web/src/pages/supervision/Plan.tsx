// The supervision plan card: start a plan with a review interval; objectives grouped by the need
// they answer, each with its status and actions (owner: the officer, the person or a partner
// organisation; due dates, overdue ones marked; mark done); periodic reviews with a banner when
// one is due. Every change to an existing objective, action or plan sends its version (If-Match).
import { useState } from 'preact/hooks';
import { get, request, type Agency, type Items, type UnitMember } from '../../api';
import { FormError, SelectField, Success, TextAreaField, TextField, countChars } from '../../components/Form';
import { useAction, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { fieldErrors, problemMessage } from '../../problems';
import { useSession, useTimeZone } from '../../session';
import { localProblem } from '../cases/Decisions';
import { DateField } from '../cases/Fields';
import { formatDay, today } from '../cases/model';
import { LoadError, caseApi, focusLater, wholeIn } from './common';
import {
  NEEDS, OBJECTIVE_STATUSES, OWNER_KINDS, actionStatusLabel, needLabel, objectiveStatusLabel, ownerKindLabel,
  type Plan, type PlanAction, type PlanObjective,
} from './model';

interface Props {
  caseId: string;
  unitId: string;
  canWrite: boolean;
  headers: Record<string, string>;
  onChanged: () => void;
}

type PlanAnswer = Plan | { plan: null };

function isPlan(p: PlanAnswer | undefined): p is Plan {
  return !!p && 'objectives' in p;
}

export function PlanCard({ caseId, unitId, canWrite, headers, onChanged }: Props) {
  const { t, lang } = useI18n();
  const load = useLoad((signal) => get<PlanAnswer>(caseApi(caseId, 'plan'), { signal, headers }), [caseId]);
  const [form, setForm] = useState<'' | 'objective' | 'review' | 'interval'>('');
  const [done, setDone] = useState('');
  const plan = isPlan(load.data) ? load.data : null;
  const changed = (message: string, focus = 'plan-heading') => {
    setForm('');
    setDone(message);
    load.reload();
    onChanged();
    focusLater(focus);
  };
  const groups = NEEDS.map((need) => ({ need, items: (plan?.objectives ?? []).filter((o) => o.need === need) }))
    .concat([{ need: 'other' as const, items: (plan?.objectives ?? []).filter((o) => !(NEEDS as readonly string[]).includes(o.need)) }])
    .filter((g) => g.items.length);
  return (
    <section class="card sup-card" aria-labelledby="plan-heading" id="plan">
      <div class="card-head">
        <h2 id="plan-heading" tabIndex={-1}>{t('sup.plan.title')}</h2>
        {plan && canWrite && !form ? (
          <div class="button-row">
            <button type="button" class="button" id="objective-add" onClick={() => { setForm('objective'); setDone(''); }}>
              {t('sup.objective.add')}
            </button>
            <button type="button" class="button button-secondary" id="plan-review-add" onClick={() => { setForm('review'); setDone(''); }}>
              {t('sup.review.add')}
            </button>
          </div>
        ) : null}
      </div>
      {load.status === 'error' ? <LoadError onRetry={load.reload} /> : null}
      {!load.data && load.status === 'loading' ? <p class="muted" role="status">{t('status.loading')}</p> : null}
      {done ? <Success><p>{done}</p></Success> : null}
      {load.data && !plan ? (
        canWrite ? <PlanStart caseId={caseId} headers={headers} plan={null} onSaved={() => changed(t('sup.plan.started'))} />
          : <p>{t('sup.plan.none')}</p>
      ) : null}
      {plan ? (
        <>
          {plan.review_due ? (
            <div class="alert alert-warning" role="note" id="plan-review-due">
              <p class="alert-title">{t('sup.plan.review_due', { date: formatDay(plan.next_review_on, lang) })}</p>
            </div>
          ) : null}
          <dl class="facts facts-compact">
            <div class="fact"><dt>{t('sup.plan.review_interval')}</dt><dd>{t('sup.days', { n: plan.review_every_days })}
              {canWrite && !form ? (
                <> <button type="button" class="link-button" id="plan-interval-edit" onClick={() => { setForm('interval'); setDone(''); }}>
                  {t('action.edit')}</button></>
              ) : null}
            </dd></div>
            <div class="fact"><dt>{t('sup.plan.next_review')}</dt><dd>{plan.next_review_on ? formatDay(plan.next_review_on, lang) : '—'}</dd></div>
          </dl>
          {form === 'interval' ? (
            <PlanStart caseId={caseId} headers={headers} plan={plan}
              onCancel={() => { setForm(''); focusLater('plan-interval-edit'); }}
              onSaved={() => changed(t('sup.plan.saved'))} />
          ) : null}
          {form === 'objective' ? (
            <ObjectiveForm caseId={caseId} headers={headers} onCancel={() => { setForm(''); focusLater('objective-add'); }}
              onSaved={() => changed(t('sup.objective.added'))} />
          ) : null}
          {form === 'review' ? (
            <ReviewForm caseId={caseId} headers={headers} onCancel={() => { setForm(''); focusLater('plan-review-add'); }}
              onSaved={() => changed(t('sup.review.added'))} />
          ) : null}
          {plan.objectives.length === 0 ? <p>{t('sup.objective.none')}</p> : null}
          {groups.map((g) => (
            <div class="sup-need" key={g.need}>
              <h3 class="sup-need-title">{needLabel(t, g.need)}</h3>
              <ul class="plain-list">
                {g.items.map((o) => (
                  <ObjectiveItem key={o.id} objective={o} unitId={unitId} canWrite={canWrite} headers={headers}
                    onChanged={(m) => changed(m, `objective-${o.id}`)} />
                ))}
              </ul>
            </div>
          ))}
          {plan.reviews.length ? (
            <div class="sup-reviews">
              <h3>{t('sup.review.list')}</h3>
              <ol class="plain-list">
                {plan.reviews.map((r) => (
                  <li key={r.id} class="sup-review">
                    <p class="note-meta">{t('sup.review.meta', { date: formatDay(r.reviewed_on, lang), name: r.reviewed_by_name ?? '—' })}
                      {r.next_review_on ? ` · ${t('sup.review.next', { date: formatDay(r.next_review_on, lang) })}` : ''}</p>
                    <p class="sup-text">{r.summary}</p>
                  </li>
                ))}
              </ol>
            </div>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

function PlanStart({ caseId, headers, plan, onSaved, onCancel }: { caseId: string; headers: Record<string, string>; plan: Plan | null;
  onSaved: () => void; onCancel?: () => void }) {
  const { t } = useI18n();
  const [days, setDays] = useState(plan ? String(plan.review_every_days) : '90');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const mistakes = wholeIn(days, 7, 366) ? [] : [{ field: 'review_every_days', message: t('sup.between', { min: 7, max: 366 }) }];
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const fields = { review_every_days: 'plan-every' };
  const labels = { review_every_days: t('sup.plan.every') };
  return (
    <form class="form inline-form" noValidate aria-labelledby="plan-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (mistakes.length) { setAttempt((a) => a + 1); return; }
        setAttempt(0);
        void run(async () => {
          await request('PUT', caseApi(caseId, 'plan'), { body: { review_every_days: Number(days) }, headers,
            ifMatch: plan ? String(plan.version) : null });
          onSaved();
        });
      }}>
      <h3 id="plan-form-title">{plan ? t('sup.plan.interval') : t('sup.plan.start')}</h3>
      {!plan ? <p class="hint">{t('sup.plan.about')}</p> : null}
      <FormError error={error} focusKey={local ? attempt : serverError} fields={fields} labels={labels} />
      <TextField id={fields.review_every_days} label={labels.review_every_days} value={days} onValue={setDays} type="number"
        inputMode="numeric" min={7} max={366} required error={fe.review_every_days} hint={t('sup.plan.every.hint')} class="input-short" />
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{busy ? t('cases.saving') : plan ? t('action.save') : t('sup.plan.start')}</button>
        {onCancel ? <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button> : null}
      </div>
    </form>
  );
}

function ObjectiveForm({ caseId, headers, onCancel, onSaved }: { caseId: string; headers: Record<string, string>;
  onCancel: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const [need, setNeed] = useState('');
  const [description, setDescription] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const mistakes: { field: string; message: string }[] = [];
  if (!need) mistakes.push({ field: 'need', message: t('sup.need.choose') });
  const n = countChars(description);
  if (n < 1 || n > 2000) mistakes.push({ field: 'description', message: t('sup.chars', { min: 1, max: 2000 }) });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const fields = { need: 'objective-need', description: 'objective-description' };
  const labels = { need: t('sup.objective.need'), description: t('sup.objective.description') };
  return (
    <form class="form form-wide" noValidate aria-labelledby="objective-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (mistakes.length) { setAttempt((a) => a + 1); return; }
        setAttempt(0);
        void run(async () => {
          await request('POST', caseApi(caseId, 'plan/objectives'), { body: { need, description: description.trim() }, headers });
          onSaved();
        });
      }}>
      <h3 id="objective-form-title">{t('sup.objective.add')}</h3>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={fields} labels={labels} />
      <SelectField id={fields.need} label={labels.need} value={need} onValue={setNeed} required error={fe.need} autoFocus
        options={[{ value: '', label: t('sup.pick') }, ...NEEDS.map((x) => ({ value: x, label: needLabel(t, x) }))]} />
      <TextAreaField id={fields.description} label={labels.description} value={description} onValue={setDescription} rows={3}
        max={2000} error={fe.description} hint={t('sup.objective.description.hint')} />
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{busy ? t('cases.saving') : t('sup.objective.submit')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}

function ObjectiveItem({ objective: o, unitId, canWrite, headers, onChanged }: { objective: PlanObjective; unitId: string;
  canWrite: boolean; headers: Record<string, string>; onChanged: (message: string) => void }) {
  const { t, lang } = useI18n();
  const zone = useTimeZone();
  const [adding, setAdding] = useState(false);
  const [status, setStatus] = useState(o.status);
  const statusAction = useAction();
  const markAction = useAction();
  const saveStatus = (next: string) => {
    setStatus(next);
    void statusAction.run(async () => {
      await request('PUT', `/api/v1/plan-objectives/${encodeURIComponent(o.id)}`, { body: { status: next }, ifMatch: String(o.version), headers });
      onChanged(t('sup.objective.saved'));
    }).then((ok) => { if (!ok) setStatus(o.status); });
  };
  const markDone = (a: PlanAction) => {
    void markAction.run(async () => {
      await request('PUT', `/api/v1/plan-actions/${encodeURIComponent(a.id)}`,
        { body: { status: 'done', done_on: today(zone) }, ifMatch: String(a.version), headers });
      onChanged(t('sup.action.marked'));
    });
  };
  const failure = statusAction.error ?? markAction.error;
  return (
    <li class="sup-objective" id={`objective-${o.id}`} tabIndex={-1}>
      <div class="sup-objective-head">
        <p class="sup-text sup-objective-text">{o.description}</p>
        {canWrite ? (
          <div class="field sup-inline-field">
            <label for={`objective-status-${o.id}`}>{t('sup.objective.status')}</label>
            <select id={`objective-status-${o.id}`} class="input" value={status} disabled={statusAction.busy}
              onChange={(e) => saveStatus(e.currentTarget.value)}>
              {OBJECTIVE_STATUSES.map((s) => <option key={s} value={s}>{objectiveStatusLabel(t, s)}</option>)}
            </select>
          </div>
        ) : <span class={o.status === 'open' ? 'badge badge-info' : 'badge badge-off'}>{objectiveStatusLabel(t, o.status)}</span>}
      </div>
      {failure ? <div class="alert alert-error" role="alert"><p class="alert-title">{problemMessage(t, failure)}</p></div> : null}
      {o.actions.length ? (
        <ul class="plain-list sup-actions">
          {o.actions.map((a) => (
            <li key={a.id} class={a.overdue ? 'sup-action is-overdue' : 'sup-action'} id={`action-${a.id}`}>
              <span class="sup-action-text">{a.description}</span>
              <span class="sup-action-meta">
                {ownerKindLabel(t, a.owner_kind)}{a.owner_name ? `: ${a.owner_name}` : ''}
                {a.due_on ? ` · ${t('sup.action.due', { date: formatDay(a.due_on, lang) })}` : ''}
                {a.done_on ? ` · ${t('sup.action.done_on', { date: formatDay(a.done_on, lang) })}` : ''}
              </span>
              <span class={a.status === 'done' ? 'badge badge-ok' : a.overdue ? 'badge badge-bad' : a.status === 'cancelled' ? 'badge badge-off' : 'badge badge-info'}>
                {a.overdue && a.status === 'open' ? t('sup.action.overdue') : actionStatusLabel(t, a.status)}
              </span>
              {canWrite && a.status === 'open' ? (
                <button type="button" class="button button-secondary button-small" disabled={markAction.busy} onClick={() => markDone(a)}>
                  {t('sup.action.mark_done')}<span class="visually-hidden">: {a.description}</span>
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : <p class="muted">{t('sup.action.none')}</p>}
      {canWrite && !adding ? (
        <button type="button" class="button button-secondary button-small" id={`action-add-${o.id}`} onClick={() => setAdding(true)}>
          {t('sup.action.add')}<span class="visually-hidden">: {o.description}</span>
        </button>
      ) : null}
      {adding ? (
        <ActionForm objectiveId={o.id} unitId={unitId} headers={headers}
          onCancel={() => { setAdding(false); focusLater(`action-add-${o.id}`); }}
          onSaved={() => { setAdding(false); onChanged(t('sup.action.added')); }} />
      ) : null}
    </li>
  );
}

function ActionForm({ objectiveId, unitId, headers, onCancel, onSaved }: { objectiveId: string; unitId: string;
  headers: Record<string, string>; onCancel: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const { user } = useSession();
  const members = useLoad((signal) => get<Items<UnitMember>>(`/api/v1/units/${encodeURIComponent(unitId)}/members`, { signal })
    .then((r) => r.items).catch(() => [] as UnitMember[]), [unitId]);
  const agencies = useLoad((signal) => get<Items<Agency>>('/api/v1/agencies', { signal })
    .then((r) => r.items.filter((a) => a.kind === 'partner')).catch(() => [] as Agency[]), []);
  const p = `action-${objectiveId}`;
  const [description, setDescription] = useState('');
  const [owner, setOwner] = useState('officer');
  const [account, setAccount] = useState(user?.id ?? '');
  const [agency, setAgency] = useState('');
  const [due, setDue] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const officers = members.data ?? [];
  const officerOptions = officers.some((m) => m.id === user?.id) || !user ? officers.map((m) => ({ value: m.id, label: m.display_name }))
    : [{ value: user.id, label: user.display_name }, ...officers.map((m) => ({ value: m.id, label: m.display_name }))];
  const mistakes: { field: string; message: string }[] = [];
  const n = countChars(description);
  if (n < 1 || n > 2000) mistakes.push({ field: 'description', message: t('sup.chars', { min: 1, max: 2000 }) });
  if (owner === 'officer' && !account) mistakes.push({ field: 'owner_account_id', message: t('sup.owner.officer.choose') });
  if (owner === 'partner' && !agency) mistakes.push({ field: 'owner_agency_id', message: t('sup.owner.partner.choose') });
  if (!due) mistakes.push({ field: 'due_on', message: t('cases.required') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const fields = { description: `${p}-description`, owner_kind: `${p}-owner`, owner_account_id: `${p}-officer`,
    owner_agency_id: `${p}-partner`, due_on: `${p}-due` };
  const labels = { description: t('sup.action.description'), owner_kind: t('sup.action.owner'), owner_account_id: t('sup.owner.officer'),
    owner_agency_id: t('sup.owner.partner'), due_on: t('sup.action.due_on') };
  return (
    <form class="form form-wide sup-subform" noValidate aria-labelledby={`${p}-title`}
      onSubmit={(e) => {
        e.preventDefault();
        if (mistakes.length) { setAttempt((a) => a + 1); return; }
        setAttempt(0);
        void run(async () => {
          const body: Record<string, string> = { description: description.trim(), owner_kind: owner, due_on: due };
          if (owner === 'officer') body.owner_account_id = account;
          if (owner === 'partner') body.owner_agency_id = agency;
          await request('POST', `/api/v1/plan-objectives/${encodeURIComponent(objectiveId)}/actions`, { body, headers });
          onSaved();
        });
      }}>
      <h4 id={`${p}-title`}>{t('sup.action.add')}</h4>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={fields} labels={labels} />
      <TextField id={fields.description} label={labels.description} value={description} onValue={setDescription} required
        maxLength={2000} error={fe.description} />
      <div class="form-grid">
        <SelectField id={fields.owner_kind} label={labels.owner_kind} value={owner} onValue={setOwner} required error={fe.owner_kind}
          options={OWNER_KINDS.map((k) => ({ value: k, label: ownerKindLabel(t, k) }))} />
        {owner === 'officer' ? (
          <SelectField id={fields.owner_account_id} label={labels.owner_account_id} value={account} onValue={setAccount} required
            error={fe.owner_account_id} options={[{ value: '', label: t('sup.pick') }, ...officerOptions]} />
        ) : null}
        {owner === 'partner' ? (
          <SelectField id={fields.owner_agency_id} label={labels.owner_agency_id} value={agency} onValue={setAgency} required
            error={fe.owner_agency_id}
            hint={agencies.data && agencies.data.length === 0 ? t('sup.owner.partner.none') : undefined}
            options={[{ value: '', label: t('sup.pick') }, ...(agencies.data ?? []).map((a) => ({ value: a.id, label: a.name }))]} />
        ) : null}
        <DateField id={fields.due_on} label={labels.due_on} value={due} onValue={setDue} required error={fe.due_on} />
      </div>
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{busy ? t('cases.saving') : t('sup.action.submit')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}

function ReviewForm({ caseId, headers, onCancel, onSaved }: { caseId: string; headers: Record<string, string>;
  onCancel: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const zone = useTimeZone();
  const [on, setOn] = useState(today(zone));
  const [summary, setSummary] = useState('');
  const [next, setNext] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const mistakes: { field: string; message: string }[] = [];
  const n = countChars(summary);
  if (n < 1 || n > 4000) mistakes.push({ field: 'summary', message: t('sup.chars', { min: 1, max: 4000 }) });
  if (next && on && next <= on) mistakes.push({ field: 'next_review_on', message: t('sup.review.next.after') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const fields = { reviewed_on: 'review-on', summary: 'review-summary', next_review_on: 'review-next' };
  const labels = { reviewed_on: t('sup.review.on'), summary: t('sup.review.summary'), next_review_on: t('sup.plan.next_review') };
  return (
    <form class="form form-wide" noValidate aria-labelledby="review-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (mistakes.length) { setAttempt((a) => a + 1); return; }
        setAttempt(0);
        void run(async () => {
          const body: Record<string, string> = { summary: summary.trim() };
          if (on) body.reviewed_on = on;
          if (next) body.next_review_on = next;
          await request('POST', caseApi(caseId, 'plan/reviews'), { body, headers });
          onSaved();
        });
      }}>
      <h3 id="review-form-title">{t('sup.review.add')}</h3>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={fields} labels={labels} />
      <div class="form-grid">
        <DateField id={fields.reviewed_on} label={labels.reviewed_on} value={on} onValue={setOn} required error={fe.reviewed_on} />
        <DateField id={fields.next_review_on} label={labels.next_review_on} value={next} onValue={setNext} optional
          error={fe.next_review_on} hint={t('sup.review.next.hint')} />
      </div>
      <TextAreaField id={fields.summary} label={labels.summary} value={summary} onValue={setSummary} rows={4} max={4000}
        error={fe.summary} autoFocus />
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{busy ? t('cases.saving') : t('sup.review.submit')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}
