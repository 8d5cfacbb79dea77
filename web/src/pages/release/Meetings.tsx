// The forms of a release plan that more than one page uses: a panel meeting (record and correct:
// date, place, agenda, attendees by agency, decisions, and — when recording — its actions), and
// one action of the plan (add and change: owning agency, owner, deadline, status).
import { useState } from 'preact/hooks';
import { request } from '../../api';
import { FormError, SelectField, TextAreaField, TextField } from '../../components/Form';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { fieldErrors } from '../../problems';
import { useTimeZone } from '../../session';
import { DateField } from '../cases/Fields';
import { localProblem } from '../cases/Decisions';
import { formatDay, today } from '../cases/model';
import { ACTION_STATUSES, OWNER_AGENCY_KINDS, label, truthy, type Meeting, type Org, type ReleaseAction, type T } from './model';

type Mistake = { field: string; message: string };

function chars(t: T, mistakes: Mistake[], field: string, value: string, min: number, max: number) {
  const n = value.trim().length;
  if (n < min || n > max) mistakes.push({ field, message: min <= 1 && n === 0 ? t('field.required') : t('sup.chars', { min, max }) });
}

/**
 * The agencies a picker offers: an owner (of an action or a reintegration task) is a probation, prison or
 * partner agency; a meeting's attendee may come from any agency but the administration.
 */
export function agencyOptions(t: T, org: Org | undefined, use: 'owner' | 'attendee' = 'owner') {
  const fits = (kind: string) => (use === 'owner' ? OWNER_AGENCY_KINDS.includes(kind) : kind !== 'administration');
  return [{ value: '', label: t('rel.pick') }, ...(org?.agencies ?? []).filter((a) => fits(a.kind)).map((a) => ({ value: a.id, label: a.name }))];
}

interface AttendeeDraft { agency_id: string; name: string; role_title: string; present: boolean }
interface ActionDraft { description: string; owner_agency_id: string; owner_name: string; due_on: string }

const emptyAttendee = (): AttendeeDraft => ({ agency_id: '', name: '', role_title: '', present: true });
const emptyAction = (): ActionDraft => ({ description: '', owner_agency_id: '', owner_name: '', due_on: '' });

/** A field's server error under either spelling of a row's field ("attendees[0].name" or "attendees.0.name"). */
function rowError(fe: Record<string, string>, list: string, i: number, field: string): string | undefined {
  return fe[`${list}[${i}].${field}`] ?? fe[`${list}.${i}.${field}`];
}

interface MeetingFormProps {
  planId: string;
  org: Org | undefined;
  /** The meeting to correct (no actions then: those change through the action routes). */
  meeting?: { data: Meeting; version: string } | undefined;
  headers: Record<string, string>;
  onSaved: (id: string) => void;
  onCancel: () => void;
}

export function MeetingForm({ planId, org, meeting, headers, onSaved, onCancel }: MeetingFormProps) {
  const { t } = useI18n();
  const zone = useTimeZone();
  const m = meeting?.data;
  const [heldOn, setHeldOn] = useState(m?.held_on ?? today(zone));
  const [place, setPlace] = useState(m?.place ?? '');
  const [agenda, setAgenda] = useState(m?.agenda ?? '');
  const [decisions, setDecisions] = useState(m?.decisions ?? '');
  const [attendees, setAttendees] = useState<AttendeeDraft[]>(m
    ? m.attendees.map((a) => ({ agency_id: a.agency_id, name: a.name, role_title: a.role_title ?? '', present: truthy(a.present) }))
    : [emptyAttendee()]);
  const [actions, setActions] = useState<ActionDraft[]>([]);
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const mistakes: Mistake[] = [];
  if (!heldOn) mistakes.push({ field: 'held_on', message: t('field.required') });
  else if (heldOn > today(zone)) mistakes.push({ field: 'held_on', message: t('rel.not_future') });
  chars(t, mistakes, 'agenda', agenda, 3, 4000);
  chars(t, mistakes, 'decisions', decisions, 3, 8000);
  // Rows left completely empty are dropped on sending, and not checked.
  const blank = (a: AttendeeDraft) => !a.agency_id && !a.name.trim() && !a.role_title.trim();
  const filled = attendees.filter((a) => !blank(a));
  if (filled.length === 0) mistakes.push({ field: 'attendees', message: t('rel.meeting.attendees.none') });
  attendees.forEach((a, i) => {
    if (blank(a)) return;
    if (!a.agency_id) mistakes.push({ field: `attendees[${i}].agency_id`, message: t('rel.pick.agency') });
    chars(t, mistakes, `attendees[${i}].name`, a.name, 1, 200);
  });
  actions.forEach((a, i) => {
    chars(t, mistakes, `actions[${i}].description`, a.description, 3, 1000);
    if (!a.owner_agency_id) mistakes.push({ field: `actions[${i}].owner_agency_id`, message: t('rel.pick.agency') });
    if (!a.due_on) mistakes.push({ field: `actions[${i}].due_on`, message: t('field.required') });
  });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const fields: Record<string, string> = { held_on: 'meeting-held_on', place: 'meeting-place', agenda: 'meeting-agenda',
    decisions: 'meeting-decisions', attendees: 'meeting-attendees-add' };
  const labels: Record<string, string> = { held_on: t('rel.meeting.held_on'), place: t('rel.meeting.place'), agenda: t('rel.meeting.agenda'),
    decisions: t('rel.meeting.decisions'), attendees: t('rel.meeting.attendees') };
  attendees.forEach((_, i) => {
    for (const [f, l] of [['agency_id', 'rel.agency'], ['name', 'rel.meeting.name'], ['role_title', 'rel.meeting.role']] as const) {
      fields[`attendees[${i}].${f}`] = `meeting-att-${i}-${f}`;
      labels[`attendees[${i}].${f}`] = `${t('rel.meeting.attendee', { n: i + 1 })}, ${t(l)}`;
    }
  });
  actions.forEach((_, i) => {
    for (const [f, l] of [['description', 'rel.action.description'], ['owner_agency_id', 'rel.action.agency'],
      ['owner_name', 'rel.action.owner'], ['due_on', 'rel.action.due']] as const) {
      fields[`actions[${i}].${f}`] = `meeting-act-${i}-${f}`;
      labels[`actions[${i}].${f}`] = `${t('rel.meeting.action', { n: i + 1 })}, ${t(l)}`;
    }
  });
  const setAtt = (i: number, patch: Partial<AttendeeDraft>) => setAttendees((list) => list.map((a, j) => (j === i ? { ...a, ...patch } : a)));
  const setAct = (i: number, patch: Partial<ActionDraft>) => setActions((list) => list.map((a, j) => (j === i ? { ...a, ...patch } : a)));
  const agencies = agencyOptions(t, org, 'attendee');
  const owners = agencyOptions(t, org, 'owner');
  return (
    <form class="form form-wide rel-meeting-form" noValidate aria-labelledby="meeting-form-title" id="meeting-form"
      onSubmit={(e) => {
        e.preventDefault();
        setAttempt((x) => x + 1);
        if (mistakes.length) return;
        // The rows sent are the rows shown, so the server's "attendees[i]" names the row on the screen.
        if (filled.length !== attendees.length) setAttendees(filled);
        void run(async () => {
          const body: Record<string, unknown> = {
            held_on: heldOn, place: place.trim() || null, agenda: agenda.trim(), decisions: decisions.trim(),
            attendees: filled.map((a) => ({ agency_id: a.agency_id, name: a.name.trim(), role_title: a.role_title.trim() || null, present: a.present })),
          };
          if (m && meeting) {
            await request('PUT', `/api/v1/panel-meetings/${encodeURIComponent(m.id)}`, { body, headers, ifMatch: meeting.version });
            onSaved(m.id);
          } else {
            body.actions = actions.map((a) => ({ description: a.description.trim(), owner_agency_id: a.owner_agency_id,
              owner_name: a.owner_name.trim() || null, due_on: a.due_on }));
            const r = await request<Meeting>('POST', `/api/v1/release-plans/${encodeURIComponent(planId)}/panel-meetings`, { body, headers });
            onSaved(r.data.id);
          }
        });
      }}>
      <h3 id="meeting-form-title">{m ? t('rel.meeting.edit') : t('rel.meeting.record')}</h3>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={fields} labels={labels} />
      <div class="form-grid">
        <DateField id={fields.held_on ?? ''} label={labels.held_on ?? ''} value={heldOn} onValue={setHeldOn} max={today(zone)} required error={fe.held_on} />
        <TextField id={fields.place ?? ''} label={labels.place ?? ''} value={place} onValue={setPlace} optional maxLength={300} error={fe.place} />
      </div>
      <TextAreaField id={fields.agenda ?? ''} label={labels.agenda ?? ''} value={agenda} onValue={setAgenda} rows={3} min={3} max={4000} error={fe.agenda} />
      <fieldset class="field rel-rows" id="meeting-attendees" aria-describedby={fe.attendees ? 'meeting-attendees-error' : undefined}>
        <legend>{t('rel.meeting.attendees')}</legend>
        <p class="hint">{t('rel.meeting.attendees.hint')}</p>
        {attendees.map((a, i) => (
          <div class="rel-row" key={i} data-row={i}>
            <p class="rel-row-title">{t('rel.meeting.attendee', { n: i + 1 })}</p>
            <div class="form-grid">
              <SelectField id={`meeting-att-${i}-agency_id`} label={t('rel.agency')} value={a.agency_id} onValue={(v) => setAtt(i, { agency_id: v })}
                options={agencies} error={rowError(fe, 'attendees', i, 'agency_id')} />
              <TextField id={`meeting-att-${i}-name`} label={t('rel.meeting.name')} value={a.name} onValue={(v) => setAtt(i, { name: v })}
                maxLength={200} autocomplete="off" error={rowError(fe, 'attendees', i, 'name')} />
              <TextField id={`meeting-att-${i}-role_title`} label={t('rel.meeting.role')} value={a.role_title} optional
                onValue={(v) => setAtt(i, { role_title: v })} maxLength={200} autocomplete="off" error={rowError(fe, 'attendees', i, 'role_title')} />
            </div>
            <div class="checkbox">
              <input type="checkbox" id={`meeting-att-${i}-present`} checked={a.present} onChange={(e) => setAtt(i, { present: e.currentTarget.checked })} />
              <label for={`meeting-att-${i}-present`}>{t('rel.meeting.present')}</label>
            </div>
            <button type="button" class="button button-secondary button-small" id={`meeting-att-${i}-remove`}
              onClick={() => setAttendees((list) => list.filter((_, j) => j !== i))}>{t('rel.meeting.attendee.remove', { n: i + 1 })}</button>
          </div>
        ))}
        {attendees.length < 40 ? (
          <button type="button" class="button button-secondary button-small" id="meeting-attendees-add"
            onClick={() => setAttendees((list) => [...list, emptyAttendee()])}>{t('rel.meeting.attendee.add')}</button>
        ) : null}
        {fe.attendees ? <p class="field-error" id="meeting-attendees-error">{fe.attendees}</p> : null}
      </fieldset>
      <TextAreaField id={fields.decisions ?? ''} label={labels.decisions ?? ''} value={decisions} onValue={setDecisions} rows={4} min={3} max={8000}
        error={fe.decisions} />
      {m ? <p class="hint">{t('rel.meeting.actions.elsewhere')}</p> : (
        <fieldset class="field rel-rows" id="meeting-actions">
          <legend>{t('rel.meeting.actions')}</legend>
          <p class="hint">{t('rel.meeting.actions.hint')}</p>
          {actions.map((a, i) => (
            <div class="rel-row" key={i} data-row={i}>
              <p class="rel-row-title">{t('rel.meeting.action', { n: i + 1 })}</p>
              <TextField id={`meeting-act-${i}-description`} label={t('rel.action.description')} value={a.description}
                onValue={(v) => setAct(i, { description: v })} maxLength={1000} error={rowError(fe, 'actions', i, 'description')} />
              <div class="form-grid">
                <SelectField id={`meeting-act-${i}-owner_agency_id`} label={t('rel.action.agency')} value={a.owner_agency_id}
                  onValue={(v) => setAct(i, { owner_agency_id: v })} options={owners} error={rowError(fe, 'actions', i, 'owner_agency_id')} />
                <TextField id={`meeting-act-${i}-owner_name`} label={t('rel.action.owner')} value={a.owner_name} optional
                  onValue={(v) => setAct(i, { owner_name: v })} maxLength={200} autocomplete="off" error={rowError(fe, 'actions', i, 'owner_name')} />
                <DateField id={`meeting-act-${i}-due_on`} label={t('rel.action.due')} value={a.due_on} onValue={(v) => setAct(i, { due_on: v })}
                  error={rowError(fe, 'actions', i, 'due_on')} />
              </div>
              <button type="button" class="button button-secondary button-small" id={`meeting-act-${i}-remove`}
                onClick={() => setActions((list) => list.filter((_, j) => j !== i))}>{t('rel.meeting.action.remove', { n: i + 1 })}</button>
            </div>
          ))}
          {actions.length < 40 ? (
            <button type="button" class="button button-secondary button-small" id="meeting-actions-add"
              onClick={() => setActions((list) => [...list, emptyAction()])}>{t('rel.meeting.action.add')}</button>
          ) : null}
        </fieldset>
      )}
      <div class="button-row">
        <button type="submit" class="button" id="meeting-submit" disabled={busy}>{m ? t('rel.save') : t('rel.meeting.submit')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}

interface ActionFormProps {
  planId: string;
  org: Org | undefined;
  action?: ReleaseAction | undefined;
  headers: Record<string, string>;
  onSaved: () => void;
  onCancel: () => void;
}

/** Add an action to the plan, or change one (with its status). */
export function ActionForm({ planId, org, action, headers, onSaved, onCancel }: ActionFormProps) {
  const { t } = useI18n();
  const p = action ? `action-edit-${action.id}` : 'action-new';
  const [description, setDescription] = useState(action?.description ?? '');
  const [agency, setAgency] = useState(action?.owner_agency_id ?? '');
  const [owner, setOwner] = useState(action?.owner_name ?? '');
  const [due, setDue] = useState(action?.due_on ?? '');
  const [status, setStatus] = useState(action?.status ?? 'open');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const mistakes: Mistake[] = [];
  chars(t, mistakes, 'description', description, 3, 1000);
  if (!agency) mistakes.push({ field: 'owner_agency_id', message: t('rel.pick.agency') });
  if (!due) mistakes.push({ field: 'due_on', message: t('field.required') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const fields = { description: `${p}-description`, owner_agency_id: `${p}-agency`, owner_name: `${p}-owner`, due_on: `${p}-due`, status: `${p}-status` };
  const labels = { description: t('rel.action.description'), owner_agency_id: t('rel.action.agency'), owner_name: t('rel.action.owner'),
    due_on: t('rel.action.due'), status: t('rel.action.status') };
  return (
    <form class="form form-wide rel-action-form" noValidate aria-labelledby={`${p}-title`} id={p}
      onSubmit={(e) => {
        e.preventDefault();
        setAttempt((x) => x + 1);
        if (mistakes.length) return;
        void run(async () => {
          const body: Record<string, unknown> = { description: description.trim(), owner_agency_id: agency, owner_name: owner.trim() || null, due_on: due };
          if (action) {
            body.status = status;
            await request('PUT', `/api/v1/release-actions/${encodeURIComponent(action.id)}`, { body, headers, ifMatch: String(action.version) });
          } else {
            await request('POST', `/api/v1/release-plans/${encodeURIComponent(planId)}/actions`, { body, headers });
          }
          onSaved();
        });
      }}>
      <h4 id={`${p}-title`}>{action ? t('rel.action.change') : t('rel.action.add')}</h4>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={fields} labels={labels} />
      <TextField id={fields.description} label={labels.description} value={description} onValue={setDescription} maxLength={1000} error={fe.description} />
      <div class="form-grid">
        <SelectField id={fields.owner_agency_id} label={labels.owner_agency_id} value={agency} onValue={setAgency} options={agencyOptions(t, org)}
          error={fe.owner_agency_id} />
        <TextField id={fields.owner_name} label={labels.owner_name} value={owner} onValue={setOwner} optional maxLength={200} autocomplete="off"
          error={fe.owner_name} />
        <DateField id={fields.due_on} label={labels.due_on} value={due} onValue={setDue} error={fe.due_on} />
        {action ? (
          <SelectField id={fields.status} label={labels.status} value={status} onValue={setStatus} error={fe.status}
            options={ACTION_STATUSES.map((s) => ({ value: s, label: label(t, 'action.status', s) }))} />
        ) : null}
      </div>
      <div class="button-row">
        <button type="submit" class="button" id={`${p}-submit`} disabled={busy}>{action ? t('rel.save') : t('rel.action.add')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}

/** The actions of a plan or a meeting as a table; open overdue ones stand out. */
export function ActionsTable({ actions, id, onChange, todayDay }: {
  actions: ReleaseAction[]; id: string; todayDay: string; onChange?: ((a: ReleaseAction) => void) | undefined;
}) {
  const { t, lang } = useI18n();
  return (
    <div class="table-wrap rel-stack-wrap">
      <table class="table rel-stack" id={id}>
        <caption class="visually-hidden">{t('rel.actions.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('rel.action.description')}</th>
            <th scope="col">{t('rel.action.agency')}</th>
            <th scope="col">{t('rel.action.owner')}</th>
            <th scope="col">{t('rel.action.due')}</th>
            <th scope="col">{t('rel.action.status')}</th>
            {onChange ? <th scope="col"><span class="visually-hidden">{t('table.actions')}</span></th> : null}
          </tr>
        </thead>
        <tbody>
          {actions.map((a) => {
            const overdue = a.status === 'open' && a.due_on < todayDay;
            return (
              <tr key={a.id} data-id={a.id} data-status={a.status} class={overdue ? 'is-overdue' : undefined}>
                <th scope="row">{a.description}
                  {a.plan_action_id ? <span class="cell-sub">{t('rel.action.carried')}</span> : null}</th>
                <td data-label={t('rel.action.agency')}>{a.owner_agency_name}</td>
                <td data-label={t('rel.action.owner')}>{a.owner_name || '—'}</td>
                <td data-label={t('rel.action.due')} class="cell-nowrap">
                  {formatDay(a.due_on, lang)}
                  {overdue ? <> <span class="badge badge-bad">{t('rel.overdue')}</span></> : null}
                </td>
                <td data-label={t('rel.action.status')}>{label(t, 'action.status', a.status)}</td>
                {onChange ? (
                  <td class="cell-actions">
                    <button type="button" class="button button-secondary button-small" id={`action-change-${a.id}`} onClick={() => onChange(a)}>
                      {t('rel.change')}<span class="visually-hidden"> {a.description}</span>
                    </button>
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

