// /complaints/:id — one complaint of the register (S9): who made it, about what, when it was
// received and by when it must be answered (marked when overdue); the answer once given, or the
// reason it was withdrawn; and, while it is open, the forms to record the answer or the withdrawal
// (each sent with If-Match: a complaint is answered or withdrawn once).
import { useState } from 'preact/hooks';
import { request } from '../../api';
import { FormError, Success, TextAreaField } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { LANG_NAMES, useI18n, type Lang } from '../../i18n';
import { fieldErrors } from '../../problems';
import { useDates, useSession, useTimeZone } from '../../session';
import { localProblem } from '../cases/Decisions';
import { DateField } from '../cases/Fields';
import { formatDay, getVersioned, today } from '../cases/model';
import { ComplaintStatus, aboutLabel, channelLabel, type Complaint } from './Complaints';
import './responses.css';

export function ComplaintPage({ id }: { id: string }) {
  const { t } = useI18n();
  const load = useLoad((signal) => getVersioned<Complaint>(`/api/v1/complaints/${encodeURIComponent(id)}`, { signal }), [id]);
  const [done, setDone] = useState('');
  return (
    <>
      <p class="breadcrumbs"><Link href="/complaints">{t('complaints.title')}</Link></p>
      <div class="page-head">
        <h1 tabIndex={-1} id="complaint-heading">{t('complaints.one')}</h1>
      </div>
      {done ? <Success><p class="alert-title" id="complaint-done">{done}</p></Success> : null}
      <LoadState load={load}>
        {(k) => <ComplaintBody complaint={k.data} version={k.version} onChanged={(text) => { setDone(text); load.reload(); }} />}
      </LoadState>
    </>
  );
}

function ComplaintBody({ complaint: k, version, onChanged }: { complaint: Complaint; version: string;
  onChanged: (text: string) => void }) {
  const { t, lang } = useI18n();
  const dates = useDates();
  const { can } = useSession();
  const [mode, setMode] = useState<'' | 'answer' | 'withdraw'>('');
  const open = k.status === 'open';
  return (
    <>
      <section class="card" aria-labelledby="complaint-facts-heading">
        <h2 id="complaint-facts-heading">{aboutLabel(t, k.about)}</h2>
        <p id="complaint-status"><ComplaintStatus k={k} /></p>
        <dl class="facts facts-compact">
          <div class="fact"><dt>{t('complaints.col.person')}</dt><dd>{k.person_name}</dd></div>
          <div class="fact"><dt>{t('complaints.case')}</dt><dd>{k.case_id && k.case_number
            ? <Link href={`/cases/${encodeURIComponent(k.case_id)}`}>{k.case_number}</Link> : '—'}</dd></div>
          <div class="fact"><dt>{t('complaints.unit')}</dt><dd>{k.unit_name}</dd></div>
          <div class="fact"><dt>{t('complaints.received_on')}</dt><dd>{formatDay(k.received_on, lang)}</dd></div>
          <div class="fact"><dt>{t('complaints.channel')}</dt><dd>{channelLabel(t, k.channel)}</dd></div>
          <div class="fact"><dt>{t('complaints.language')}</dt><dd>{LANG_NAMES[k.language as Lang] ?? k.language}</dd></div>
          <div class="fact"><dt>{t('complaints.col.due')}</dt><dd id="complaint-due">{formatDay(k.answer_due_on, lang)}</dd></div>
          <div class="fact"><dt>{t('complaints.registered')}</dt><dd>{dates.short(k.created_at)} · {k.created_by_name}</dd></div>
          {k.breach_id ? (
            <div class="fact"><dt>{t('complaints.breach')}</dt><dd>
              <Link href={`/breaches/${encodeURIComponent(k.breach_id)}`}>{t('complaints.breach.open')}</Link></dd></div>
          ) : null}
        </dl>
        <h3>{t('complaints.summary')}</h3>
        <p class="sup-text" id="complaint-summary">{k.summary}</p>
        {k.status !== 'open' ? (
          <>
            <h3>{t(k.status === 'answered' ? 'complaints.answer' : 'complaints.withdrawal.reason')}</h3>
            <p class="sup-text" id="complaint-answer">{k.status === 'answered' ? k.answer : k.withdraw_reason}</p>
            <p class="muted">{formatDay(k.answered_on, lang)}{k.answered_by_name ? ` · ${k.answered_by_name}` : ''}</p>
          </>
        ) : null}
        {open && k.overdue ? <p class="alert alert-warning" role="status">{t('complaints.overdue.about')}</p> : null}
        {open && can('complaints.write') && !mode ? (
          <div class="button-row">
            <button type="button" class="button" id="complaint-answer-open" onClick={() => setMode('answer')}>{t('complaints.answer.record')}</button>
            <button type="button" class="button button-secondary" id="complaint-withdraw-open" onClick={() => setMode('withdraw')}>
              {t('complaints.withdrawal.record')}
            </button>
          </div>
        ) : null}
      </section>
      {open && mode ? (
        <ActionForm mode={mode} complaint={k} version={version} onCancel={() => setMode('')}
          onDone={(text) => { setMode(''); onChanged(text); }} />
      ) : null}
    </>
  );
}

function ActionForm({ mode, complaint: k, version, onCancel, onDone }: { mode: 'answer' | 'withdraw'; complaint: Complaint;
  version: string; onCancel: () => void; onDone: (text: string) => void }) {
  const { t } = useI18n();
  const zone = useTimeZone();
  const now = today(zone);
  const [text, setText] = useState('');
  const [on, setOn] = useState(now);
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const answer = mode === 'answer';
  const textField = answer ? 'answer' : 'reason';
  const mistakes: { field: string; message: string }[] = [];
  if (!text.trim()) mistakes.push({ field: textField, message: t('cases.required') });
  if (answer && !on) mistakes.push({ field: 'answered_on', message: t('cases.required') });
  else if (answer && on > now) mistakes.push({ field: 'answered_on', message: t('complaints.received.future') });
  else if (answer && on < k.received_on) mistakes.push({ field: 'answered_on', message: t('complaints.answered_on.before') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const fields = { answer: 'complaint-answer-text', reason: 'complaint-withdraw-reason', answered_on: 'complaint-answered-on' };
  const labels = { answer: t('complaints.answer'), reason: t('complaints.withdrawal.reason'), answered_on: t('complaints.answered_on') };
  const submit = async (e: Event) => {
    e.preventDefault();
    setAttempt((n) => n + 1);
    if (mistakes.length) return;
    const ok = await run(async () => {
      await request('POST', `/api/v1/complaints/${encodeURIComponent(k.id)}/${answer ? 'answer' : 'withdrawal'}`, {
        body: answer ? { answer: text.trim(), answered_on: on } : { reason: text.trim() }, ifMatch: version,
      });
    });
    if (ok) onDone(t(answer ? 'complaints.answer.done' : 'complaints.withdrawal.done'));
  };
  return (
    <section class="card" aria-labelledby="complaint-action-heading">
      <form class="form" onSubmit={submit} noValidate>
        <h2 id="complaint-action-heading">{t(answer ? 'complaints.answer.record' : 'complaints.withdrawal.record')}</h2>
        <FormError error={error} fields={fields} labels={labels} focusKey={attempt} />
        <TextAreaField id={answer ? fields.answer : fields.reason} label={answer ? labels.answer : labels.reason} value={text}
          onValue={setText} rows={4} max={answer ? 4000 : 2000} error={fe[textField]} autoFocus />
        {answer ? (
          <DateField id={fields.answered_on} label={labels.answered_on} value={on} onValue={setOn} required max={now}
            min={k.received_on} error={fe.answered_on} />
        ) : null}
        <div class="button-row">
          <button type="submit" class="button" id="complaint-action-save" disabled={busy}>
            {busy ? t('responses.saving') : t(answer ? 'complaints.answer.save' : 'complaints.withdrawal.save')}
          </button>
          <button type="button" class="button button-secondary" onClick={onCancel}>{t('action.cancel')}</button>
        </div>
      </form>
    </section>
  );
}
