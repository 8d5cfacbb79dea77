// The Reintegration card of the case page (every kind but pre-trial): the person's reintegration
// needs as tasks — area, what is to be done, the owning agency and person, the due date (overdue
// ones stand out) and the status; add one, change one (a task that is done or cancelled says how
// it ended). Changes send If-Match with the task's version.
import { useState } from 'preact/hooks';
import { get, request, type Items, type UnitMember } from '../../api';
import { FormError, SelectField, Success, TextAreaField } from '../../components/Form';
import { useAction, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { fieldErrors } from '../../problems';
import { useSession } from '../../session';
import { localProblem } from '../cases/Decisions';
import { DateField } from '../cases/Fields';
import { formatDay, type CaseRecord } from '../cases/model';
import { agencyOptions } from './Meetings';
import { NEED_AREAS, NEED_STATUSES, label, loadOrg, truthy, type Need, type Org } from './model';
import './release.css';

interface Props {
  record: CaseRecord;
  headers: Record<string, string>;
  onChanged: () => void;
}

export function ReintegrationCard(props: Props) {
  const { can } = useSession();
  if (props.record.kind === 'pre_trial' || !can('people.read') || !can('reintegration.write', 'release.read')) return null;
  return <Card {...props} />;
}

function Card({ record: c, headers, onChanged }: Props) {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const load = useLoad((signal) => get<Items<Need>>(`/api/v1/cases/${encodeURIComponent(c.id)}/reintegration-needs`, { signal, headers }), [c.id]);
  const org = useLoad(() => loadOrg(), []);
  const members = useLoad((signal) => get<Items<UnitMember>>(`/api/v1/units/${encodeURIComponent(c.unit_id)}/members`, { signal })
    .catch(() => ({ items: [] as UnitMember[] })), [c.unit_id]);
  const [form, setForm] = useState<string>(''); // '' | 'new' | a need's id
  const [done, setDone] = useState('');
  const canWrite = can('reintegration.write') && c.status !== 'closed';
  const saved = (text: string) => { setForm(''); setDone(text); load.reload(); onChanged(); };
  const items = load.data?.items ?? [];
  const editing = items.find((n) => n.id === form);
  return (
    <section class="card" aria-labelledby="reintegration-heading" id="reintegration">
      <div class="card-head">
        <h2 id="reintegration-heading" tabIndex={-1}>{t('rel.needs.title')}</h2>
        {canWrite && !form ? (
          <button type="button" class="button" id="need-add" onClick={() => { setForm('new'); setDone(''); }}>{t('rel.need.add')}</button>
        ) : null}
      </div>
      <p class="muted">{t('rel.needs.about')}</p>
      {load.status === 'error' ? (
        <div class="alert alert-error" role="alert">
          <p class="alert-title">{t('load.error')}</p>
          <button type="button" class="button" onClick={load.reload}>{t('status.retry')}</button>
        </div>
      ) : null}
      {!load.data && load.status === 'loading' ? <p class="muted" role="status">{t('status.loading')}</p> : null}
      {done ? <Success><p id="needs-done">{done}</p></Success> : null}
      {form === 'new' ? (
        <NeedForm caseId={c.id} org={org.data} members={members.data?.items ?? []} headers={headers} onCancel={() => setForm('')}
          onSaved={() => saved(t('rel.need.added'))} />
      ) : null}
      {editing ? (
        <NeedForm caseId={c.id} need={editing} org={org.data} members={members.data?.items ?? []} headers={headers} onCancel={() => setForm('')}
          onSaved={() => saved(t('rel.need.changed'))} />
      ) : null}
      {load.data ? (
        items.length === 0 ? <p id="needs-none">{t('rel.needs.none')}</p> : (
          <div class="table-wrap rel-stack-wrap">
            <table class="table rel-stack" id="needs-table">
              <caption class="visually-hidden">{t('rel.needs.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('rel.need.area')}</th>
                  <th scope="col">{t('rel.need.owner')}</th>
                  <th scope="col">{t('rel.need.due')}</th>
                  <th scope="col">{t('rel.need.status')}</th>
                  {canWrite ? <th scope="col"><span class="visually-hidden">{t('table.actions')}</span></th> : null}
                </tr>
              </thead>
              <tbody>
                {items.map((n) => {
                  const overdue = truthy(n.overdue);
                  return (
                    <tr key={n.id} data-id={n.id} data-area={n.area} data-status={n.status} class={overdue ? 'is-overdue' : undefined}>
                      <th scope="row">{label(t, 'area', n.area)}<span class="cell-sub rel-need-description">{n.description}</span></th>
                      <td data-label={t('rel.need.owner')}>{n.owner_agency_name}
                        {n.owner_account_name ? <span class="cell-sub">{n.owner_account_name}</span> : null}</td>
                      <td data-label={t('rel.need.due')} class="cell-nowrap">{formatDay(n.due_on, lang)}
                        {overdue ? <> <span class="badge badge-bad rel-overdue">{t('rel.overdue')}</span></> : null}</td>
                      <td data-label={t('rel.need.status')}>
                        <span class={n.status === 'done' ? 'badge badge-ok' : n.status === 'cancelled' ? 'badge badge-off' : 'badge badge-info'}
                          data-status={n.status}>{label(t, 'need.status', n.status)}</span>
                        {n.closed_on ? <span class="cell-sub">{t('rel.need.closed_on', { date: formatDay(n.closed_on, lang) })}</span> : null}
                        {n.outcome_note ? <span class="cell-sub">{n.outcome_note}</span> : null}
                      </td>
                      {canWrite ? (
                        <td class="cell-actions">
                          <button type="button" class="button button-secondary button-small" id={`need-change-${n.id}`}
                            onClick={() => { setForm(n.id); setDone(''); }}>
                            {t('rel.change')}<span class="visually-hidden"> {label(t, 'area', n.area)}</span></button>
                        </td>
                      ) : null}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )
      ) : null}
    </section>
  );
}

interface NeedFormProps {
  caseId: string;
  need?: Need | undefined;
  org: Org | undefined;
  members: UnitMember[];
  headers: Record<string, string>;
  onSaved: () => void;
  onCancel: () => void;
}

function NeedForm({ caseId, need, org, members, headers, onSaved, onCancel }: NeedFormProps) {
  const { t } = useI18n();
  const p = need ? `need-edit` : 'need-new';
  const [area, setArea] = useState(need?.area ?? '');
  const [description, setDescription] = useState(need?.description ?? '');
  const [agency, setAgency] = useState(need?.owner_agency_id ?? '');
  const [account, setAccount] = useState(need?.owner_account_id ?? '');
  const [due, setDue] = useState(need?.due_on ?? '');
  const [status, setStatus] = useState(need?.status ?? 'open');
  const [outcome, setOutcome] = useState(need?.outcome_note ?? '');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const closing = status === 'done' || status === 'cancelled';
  const mistakes: { field: string; message: string }[] = [];
  if (!area) mistakes.push({ field: 'area', message: t('rel.pick.area') });
  const n = description.trim().length;
  if (n < 3 || n > 2000) mistakes.push({ field: 'description', message: t('sup.chars', { min: 3, max: 2000 }) });
  if (!agency) mistakes.push({ field: 'owner_agency_id', message: t('rel.pick.agency') });
  if (!due) mistakes.push({ field: 'due_on', message: t('field.required') });
  if (closing && outcome.trim().length < 3) mistakes.push({ field: 'outcome_note', message: t('rel.need.outcome.required') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const fields = { area: `${p}-area`, description: `${p}-description`, owner_agency_id: `${p}-agency`, owner_account_id: `${p}-account`,
    due_on: `${p}-due`, status: `${p}-status`, outcome_note: `${p}-outcome` };
  const labels = { area: t('rel.need.area'), description: t('rel.need.description'), owner_agency_id: t('rel.need.agency'),
    owner_account_id: t('rel.need.account'), due_on: t('rel.need.due'), status: t('rel.need.status'), outcome_note: t('rel.need.outcome') };
  const people = members.filter((m) => m.status !== 'disabled');
  if (need?.owner_account_id && !people.some((m) => m.id === need.owner_account_id)) {
    people.push({ id: need.owner_account_id, login: '', display_name: need.owner_account_name ?? need.owner_account_id, roles: [], status: 'active' });
  }
  return (
    <form class="form form-wide" noValidate aria-labelledby={`${p}-title`} id={p}
      onSubmit={(e) => {
        e.preventDefault();
        setAttempt((x) => x + 1);
        if (mistakes.length) return;
        void run(async () => {
          const body: Record<string, unknown> = { area, description: description.trim(), owner_agency_id: agency,
            owner_account_id: account || null, due_on: due };
          if (need) {
            body.status = status;
            if (closing) body.outcome_note = outcome.trim();
            await request('PUT', `/api/v1/reintegration-needs/${encodeURIComponent(need.id)}`, { body, headers, ifMatch: String(need.version) });
          } else {
            await request('POST', `/api/v1/cases/${encodeURIComponent(caseId)}/reintegration-needs`, { body, headers });
          }
          onSaved();
        });
      }}>
      <h3 id={`${p}-title`}>{need ? t('rel.need.change') : t('rel.need.add')}</h3>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={fields} labels={labels} />
      <div class="form-grid">
        <SelectField id={fields.area} label={labels.area} value={area} onValue={setArea} error={fe.area} autoFocus
          options={[{ value: '', label: t('rel.pick') }, ...NEED_AREAS.map((a) => ({ value: a, label: label(t, 'area', a) }))]} />
        <DateField id={fields.due_on} label={labels.due_on} value={due} onValue={setDue} error={fe.due_on} />
      </div>
      <TextAreaField id={fields.description} label={labels.description} value={description} onValue={setDescription} rows={2} min={3} max={2000}
        error={fe.description} />
      <div class="form-grid">
        <SelectField id={fields.owner_agency_id} label={labels.owner_agency_id} value={agency} onValue={setAgency} error={fe.owner_agency_id}
          options={agencyOptions(t, org)} hint={t('rel.need.agency.hint')} />
        <SelectField id={fields.owner_account_id} label={labels.owner_account_id} value={account} onValue={setAccount} optional
          error={fe.owner_account_id}
          options={[{ value: '', label: t('rel.need.account.none') }, ...people.map((m) => ({ value: m.id, label: m.display_name }))]} />
      </div>
      {need ? (
        <>
          <SelectField id={fields.status} label={labels.status} value={status} onValue={setStatus} error={fe.status}
            options={NEED_STATUSES.map((s) => ({ value: s, label: label(t, 'need.status', s) }))} />
          {closing ? (
            <TextAreaField id={fields.outcome_note} label={labels.outcome_note} value={outcome} onValue={setOutcome} rows={2} min={3} max={2000}
              error={fe.outcome_note} />
          ) : null}
        </>
      ) : null}
      <div class="button-row">
        <button type="submit" class="button" id={`${p}-submit`} disabled={busy}>{need ? t('rel.save') : t('rel.need.add')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}
