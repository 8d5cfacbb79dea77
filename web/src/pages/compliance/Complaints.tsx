// /complaints — the complaints register (S9; Tokyo Rules 3.5-3.7) of the caller's units: every
// complaint with its answer deadline, the overdue ones first and marked, filtered by status; and the
// form to register one, from a case (the case page's "Register a complaint" opens it with the case
// chosen) — the person and unit follow the case.
import { useState } from 'preact/hooks';
import { get, query, request } from '../../api';
import { FormError, SelectField, TextAreaField, TextField } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { LANG_NAMES, LANGS, useI18n, type MessageKey } from '../../i18n';
import { fieldErrors } from '../../problems';
import { navigate } from '../../router';
import { useTimeZone } from '../../session';
import { useSession } from '../../session';
import { localProblem } from '../cases/Decisions';
import { DateField } from '../cases/Fields';
import { formatDay, today, type CaseListPage, type T } from '../cases/model';
import { ComplianceGate, ComplianceTabs } from './Tabs';
import './responses.css';

export interface Complaint {
  id: string;
  person_id: string;
  person_name: string;
  case_id: string | null;
  case_number: string | null;
  unit_id: string;
  unit_name: string;
  received_on: string;
  channel: string;
  about: string;
  breach_id: string | null;
  summary: string;
  language: string;
  answer_due_on: string;
  overdue: boolean;
  status: 'open' | 'answered' | 'withdrawn';
  answer: string | null;
  withdraw_reason: string | null;
  answered_on: string | null;
  answered_by_name: string | null;
  created_at: string;
  created_by_name: string;
  version: number;
}

export const CHANNELS = ['in_person', 'letter', 'email', 'phone', 'representative'] as const;
export const ABOUTS = ['breach', 'decision', 'conditions', 'officer_conduct', 'data', 'other'] as const;
const FILTERS = ['open', 'answered', 'withdrawn', 'all'] as const;

export const channelLabel = (t: T, c: string) => t(`complaints.channel.${c}` as MessageKey);
export const aboutLabel = (t: T, a: string) => t(`complaints.about.${a}` as MessageKey);

export function ComplaintStatus({ k }: { k: Pick<Complaint, 'status' | 'overdue'> }) {
  const { t } = useI18n();
  return (
    <>
      <span class={k.status === 'open' ? 'badge badge-info' : k.status === 'answered' ? 'badge badge-ok' : 'badge badge-off'}>
        {t(`complaints.status.${k.status}` as MessageKey)}
      </span>
      {k.overdue ? <> <span class="badge badge-bad">{t('complaints.overdue')}</span></> : null}
    </>
  );
}

export function ComplaintsPage() {
  return <ComplianceGate permission="complaints.read"><ComplaintsList /></ComplianceGate>;
}

function ComplaintsList() {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const params = new URLSearchParams(location.search);
  const [status, setStatus] = useState<string>('open');
  const [adding, setAdding] = useState(params.get('new') === '1' && can('complaints.write'));
  const load = useLoad((signal) => get<{ items: Complaint[]; next_cursor: string | null }>(
    `/api/v1/complaints${query({ status, limit: 200 })}`, { signal }), [status]);
  return (
    <>
      <ComplianceTabs current="complaints" />
      <div class="page-head">
        <h1 tabIndex={-1} id="complaints-heading">{t('complaints.title')}</h1>
        {can('complaints.write') && !adding ? (
          <button type="button" class="button" id="complaint-add" onClick={() => setAdding(true)}>{t('complaints.register')}</button>
        ) : null}
      </div>
      <p class="lead">{t('complaints.about_register')}</p>
      {adding ? (
        <ComplaintForm caseId={params.get('case_id') ?? ''} onCancel={() => setAdding(false)}
          onSaved={(id) => navigate(`/complaints/${encodeURIComponent(id)}`)} />
      ) : null}
      <div class="filters">
        <SelectField id="complaints-status" label={t('complaints.filter')} value={status} onValue={setStatus}
          options={FILTERS.map((f) => ({ value: f, label: t(`complaints.filter.${f}` as MessageKey) }))} />
      </div>
      <LoadState load={load}>
        {(data) => {
          // Overdue first (the server already puts open ones first, by due date).
          const items = [...data.items].sort((a, b) => Number(b.overdue) - Number(a.overdue));
          return items.length === 0 ? <p id="complaints-empty">{t('complaints.none')}</p> : (
            <div class="table-wrap">
              <table class="table complaints-table" id="complaints-table">
                <caption class="visually-hidden">{t('complaints.title')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('complaints.col.due')}</th>
                    <th scope="col">{t('complaints.col.person')}</th>
                    <th scope="col">{t('complaints.col.case')}</th>
                    <th scope="col">{t('complaints.col.about')}</th>
                    <th scope="col">{t('complaints.col.received')}</th>
                    <th scope="col">{t('complaints.col.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((k) => (
                    <tr key={k.id} class={k.overdue ? 'complaint-overdue' : undefined}>
                      <td class="cell-nowrap">
                        <Link href={`/complaints/${encodeURIComponent(k.id)}`}>{formatDay(k.answer_due_on, lang)}</Link>
                      </td>
                      <th scope="row">{k.person_name}<span class="cell-sub">{k.unit_name}</span></th>
                      <td>{k.case_id && k.case_number
                        ? <Link href={`/cases/${encodeURIComponent(k.case_id)}`}>{k.case_number}</Link> : '—'}</td>
                      <td>{aboutLabel(t, k.about)}<span class="cell-sub">{channelLabel(t, k.channel)}</span></td>
                      <td class="cell-nowrap">{formatDay(k.received_on, lang)}</td>
                      <td><ComplaintStatus k={k} /></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        }}
      </LoadState>
    </>
  );
}

function ComplaintForm({ caseId: initialCase, onCancel, onSaved }: { caseId: string; onCancel: () => void;
  onSaved: (id: string) => void }) {
  const { t } = useI18n();
  const zone = useTimeZone();
  const now = today(zone);
  const cases = useLoad((signal) => get<CaseListPage>(`/api/v1/cases${query({ status: 'open', limit: 200 })}`, { signal }), []);
  const [caseId, setCaseId] = useState(initialCase);
  const [filter, setFilter] = useState('');
  const [received, setReceived] = useState(now);
  const [channel, setChannel] = useState('');
  const [about, setAbout] = useState('');
  const [summary, setSummary] = useState('');
  const [language, setLanguage] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const mistakes: { field: string; message: string }[] = [];
  if (!caseId.trim()) mistakes.push({ field: 'case_id', message: t('cases.required') });
  if (!received) mistakes.push({ field: 'received_on', message: t('cases.required') });
  else if (received > now) mistakes.push({ field: 'received_on', message: t('complaints.received.future') });
  if (!channel) mistakes.push({ field: 'channel', message: t('cases.required') });
  if (!about) mistakes.push({ field: 'about', message: t('cases.required') });
  if (!summary.trim()) mistakes.push({ field: 'summary', message: t('cases.required') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const fields = { case_id: 'complaint-case', received_on: 'complaint-received', channel: 'complaint-channel',
    about: 'complaint-about', summary: 'complaint-summary', language: 'complaint-language' };
  const labels = { case_id: t('complaints.case'), received_on: t('complaints.received_on'), channel: t('complaints.channel'),
    about: t('complaints.about_what'), summary: t('complaints.summary'), language: t('complaints.language') };
  const known = cases.data?.items ?? [];
  // The open cases narrowed by what is typed: part of the case number or of the person's name.
  const words = filter.trim().toLocaleLowerCase().split(/\s+/).filter(Boolean);
  const matching = known.filter((c) => {
    const hay = `${c.number} ${c.person_name}`.toLocaleLowerCase();
    return words.every((w) => hay.includes(w));
  });
  const chosen = known.find((c) => c.id === caseId);
  const options = [{ value: '', label: t('complaints.case.choose') },
    ...(caseId && !chosen ? [{ value: caseId, label: caseId }] : []),
    ...(chosen && !matching.includes(chosen) ? [chosen] : []).map((c) => ({ value: c.id, label: `${c.number} · ${c.person_name}` })),
    ...matching.map((c) => ({ value: c.id, label: `${c.number} · ${c.person_name}` }))];
  const onFilter = (v: string) => {
    setFilter(v);
    const w = v.trim().toLocaleLowerCase().split(/\s+/).filter(Boolean);
    const m = w.length ? known.filter((c) => w.every((x) => `${c.number} ${c.person_name}`.toLocaleLowerCase().includes(x))) : [];
    if (m.length === 1 && m[0]) setCaseId(m[0].id);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setAttempt((n) => n + 1);
    if (mistakes.length) return;
    const body: Record<string, string> = { case_id: caseId.trim(), received_on: received, channel, about, summary: summary.trim() };
    if (language) body.language = language;
    let id = '';
    const ok = await run(async () => {
      id = (await request<Complaint>('POST', '/api/v1/complaints', { body })).data.id;
    });
    if (ok) onSaved(id);
  };
  return (
    <section class="card" aria-labelledby="complaint-form-heading">
      <form class="form" onSubmit={submit} noValidate>
        <h2 id="complaint-form-heading">{t('complaints.register')}</h2>
        <p class="muted">{t('complaints.register.about')}</p>
        <FormError error={error} fields={fields} labels={labels} focusKey={attempt} />
        <div class="form-grid">
          <div class="complaint-case-pick">
            <TextField id="complaint-case-filter" label={t('complaints.case.filter')} value={filter} onValue={onFilter}
              type="search" maxLength={100} hint={t('complaints.case.filter.hint')} autocomplete="off" />
            <SelectField id={fields.case_id} label={labels.case_id} value={caseId} onValue={setCaseId} required
              error={fe.case_id} options={options} />
            <p class="hint" role="status" id="complaint-case-matches">
              {words.length ? (matching.length ? t('complaints.case.matches', { n: matching.length }) : t('complaints.case.no_match')) : ''}
            </p>
          </div>
          <DateField id={fields.received_on} label={labels.received_on} value={received} onValue={setReceived} required
            max={now} error={fe.received_on} />
          <SelectField id={fields.channel} label={labels.channel} value={channel} onValue={setChannel} required error={fe.channel}
            options={[{ value: '', label: t('complaints.pick') }, ...CHANNELS.map((c) => ({ value: c, label: channelLabel(t, c) }))]} />
          <SelectField id={fields.about} label={labels.about} value={about} onValue={setAbout} required error={fe.about}
            options={[{ value: '', label: t('complaints.pick') }, ...ABOUTS.map((a) => ({ value: a, label: aboutLabel(t, a) }))]} />
          <SelectField id={fields.language} label={labels.language} value={language} onValue={setLanguage} optional
            error={fe.language}
            options={[{ value: '', label: t('complaints.language.person') }, ...LANGS.map((l) => ({ value: l, label: LANG_NAMES[l] }))]} />
        </div>
        <TextAreaField id={fields.summary} label={labels.summary} value={summary} onValue={setSummary} rows={4} max={4000}
          error={fe.summary} />
        <div class="button-row">
          <button type="submit" class="button" id="complaint-save" disabled={busy}>{busy ? t('responses.saving') : t('complaints.register.save')}</button>
          <button type="button" class="button button-secondary" onClick={onCancel}>{t('action.cancel')}</button>
        </div>
      </form>
    </section>
  );
}
