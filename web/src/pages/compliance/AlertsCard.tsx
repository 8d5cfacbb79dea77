// The case page's alerts card: the case's active alerts and open tasks, each linked, with forms to
// raise an alert from one's own observation (what was seen, how serious) and to add a task.
import { useState } from 'preact/hooks';
import { get, request } from '../../api';
import { FormError, SelectField, Success, TextAreaField, TextField } from '../../components/Form';
import { Link } from '../../components/Link';
import { useAction, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { useDates, useSession, useTimeZone } from '../../session';
import { localProblem } from '../cases/Decisions';
import { DateField } from '../cases/Fields';
import { formatDay, today } from '../cases/model';
import { matchErrors } from '../conditions/types';
import type { CasePanelProps } from '../supervision/SupervisionPanels';
import { AlertStatusBadge, OverdueMark, SEVERITIES, SeverityBadge, alertTitle, label, type Alert, type Task } from './AlertsQueue';
import { TaskStatusBadge } from './Tasks';
import './alerts.css';

export function AlertsCard({ record: c, headers, onChanged }: CasePanelProps) {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const dates = useDates();
  const [form, setForm] = useState<'' | 'alert' | 'task'>('');
  const [done, setDone] = useState('');
  const alerts = useLoad((signal) => get<{ items: Alert[] }>(`/api/v1/cases/${encodeURIComponent(c.id)}/alerts?status=active`,
    { signal, headers }), [c.id]);
  const tasks = useLoad((signal) => get<{ items: Task[] }>(`/api/v1/cases/${encodeURIComponent(c.id)}/tasks`, { signal, headers })
    .then((r) => r.items.filter((x) => x.status === 'open')), [c.id]);
  const canWork = can('alerts.work') && c.status !== 'closed';
  const changed = (text: string) => {
    setForm('');
    setDone(text);
    alerts.reload();
    tasks.reload();
    onChanged();
  };
  return (
    <section class="card" aria-labelledby="case-alerts-heading" id="alerts">
      <div class="card-head">
        <h2 id="case-alerts-heading" tabIndex={-1}>{t('alerts.card.title')}</h2>
        {canWork ? (
          <div class="button-row">
            <button type="button" class="button button-secondary button-small" id="case-alert-raise" aria-expanded={form === 'alert'}
              onClick={() => { setDone(''); setForm(form === 'alert' ? '' : 'alert'); }}>{t('alerts.card.raise')}</button>
            <button type="button" class="button button-secondary button-small" id="case-task-add" aria-expanded={form === 'task'}
              onClick={() => { setDone(''); setForm(form === 'task' ? '' : 'task'); }}>{t('alerts.card.add_task')}</button>
          </div>
        ) : null}
      </div>
      {done ? <Success><p class="alert-title">{done}</p></Success> : null}
      {form === 'alert' ? <RaiseForm caseId={c.id} onDone={changed} onCancel={() => setForm('')} /> : null}
      {form === 'task' ? <TaskForm caseId={c.id} onDone={changed} onCancel={() => setForm('')} /> : null}
      <h3>{t('alerts.card.active')}</h3>
      {alerts.status === 'error' ? <p class="muted">{t('load.error')}</p> : null}
      {alerts.data && alerts.data.items.length === 0 ? <p class="muted" id="case-alerts-none">{t('alerts.card.none')}</p> : null}
      {alerts.data && alerts.data.items.length > 0 ? (
        <ul class="alert-list" id="case-alerts">
          {alerts.data.items.map((a) => (
            <li key={a.id}>
              <SeverityBadge severity={a.severity} />{' '}
              <Link href={`/alerts/${encodeURIComponent(a.id)}`}>{alertTitle(a, lang)}</Link>{' '}
              <AlertStatusBadge status={a.status} />{a.ack_overdue ? <> <OverdueMark /></> : null}
              <span class="cell-sub">
                {dates.short(a.raised_at)}{a.assigned_to_name ? ` · ${a.assigned_to_name}` : ''}
                {a.due_on ? ` · ${t('alerts.due_on')}: ${formatDay(a.due_on, lang)}` : ''}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      <h3>{t('alerts.card.tasks')}</h3>
      {tasks.status === 'error' ? <p class="muted">{t('load.error')}</p> : null}
      {tasks.data && tasks.data.length === 0 ? <p class="muted" id="case-tasks-none">{t('alerts.card.no_tasks')}</p> : null}
      {tasks.data && tasks.data.length > 0 ? (
        <ul class="alert-list" id="case-tasks">
          {tasks.data.map((x) => (
            <li key={x.id}>
              {x.title} <TaskStatusBadge task={x} />
              <span class="cell-sub">
                {x.due_on ? `${t('tasks.col.due')}: ${formatDay(x.due_on, lang)}` : t('tasks.no_due')}
                {x.assigned_to_name ? ` · ${x.assigned_to_name}` : ''}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      <p><Link href="/alerts/tasks">{t('alerts.card.all_tasks')}</Link></p>
    </section>
  );
}

function RaiseForm({ caseId, onDone, onCancel }: { caseId: string; onDone: (text: string) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const [summary, setSummary] = useState('');
  const [severity, setSeverity] = useState('medium');
  const [note, setNote] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const local = attempt > 0 && !summary.trim() ? localProblem([{ field: 'summary', message: t('alerts.raise.summary.required') }]) : null;
  const error = local ?? serverError;
  const known = {
    summary: { id: 'alert-raise-summary', label: t('alerts.raise.summary') },
    severity: { id: 'alert-raise-severity', label: t('alerts.raise.severity') },
    evidence_note: { id: 'alert-raise-note', label: t('alerts.raise.note') },
  };
  const m = matchErrors(error, t, known);
  return (
    <form class="form form-wide" noValidate aria-labelledby="alert-raise-heading" onSubmit={(e) => {
      e.preventDefault();
      if (!summary.trim()) { setAttempt((n) => n + 1); return; }
      setAttempt(0);
      void run(async () => {
        await request('POST', `/api/v1/cases/${encodeURIComponent(caseId)}/alerts`, {
          body: { summary: summary.trim(), severity, ...(note.trim() ? { evidence_note: note.trim() } : {}) },
        });
        onDone(t('alerts.raise.done'));
      });
    }}>
      <h3 id="alert-raise-heading">{t('alerts.card.raise')}</h3>
      <p class="hint">{t('alerts.raise.about')}</p>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={m.ids} labels={m.labels} />
      <TextField id={known.summary.id} label={known.summary.label} value={summary} onValue={setSummary} maxLength={500} error={m.at.summary} />
      <SelectField id={known.severity.id} label={known.severity.label} value={severity} onValue={setSeverity} error={m.at.severity}
        options={SEVERITIES.map((s) => ({ value: s, label: label(t, 'alerts.severity', s) }))} />
      <TextAreaField id={known.evidence_note.id} label={known.evidence_note.label} value={note} onValue={setNote} max={2000} rows={3}
        error={m.at.evidence_note} hint={t('alerts.raise.note.hint')} />
      <div class="button-row">
        <button type="submit" class="button" disabled={busy} id="alert-raise-submit">{t('alerts.raise.submit')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel}>{t('alerts.cancel_form')}</button>
      </div>
    </form>
  );
}

function TaskForm({ caseId, onDone, onCancel }: { caseId: string; onDone: (text: string) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const zone = useTimeZone();
  const [title, setTitle] = useState('');
  const [detail, setDetail] = useState('');
  const [dueOn, setDueOn] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const local = attempt > 0 && !title.trim() ? localProblem([{ field: 'title', message: t('alerts.verify.title.required') }]) : null;
  const error = local ?? serverError;
  const known = {
    title: { id: 'task-add-title', label: t('alerts.verify.title') },
    detail: { id: 'task-add-detail', label: t('tasks.detail') },
    due_on: { id: 'task-add-due', label: t('alerts.verify.due_on') },
  };
  const m = matchErrors(error, t, known);
  return (
    <form class="form form-wide" noValidate aria-labelledby="task-add-heading" onSubmit={(e) => {
      e.preventDefault();
      if (!title.trim()) { setAttempt((n) => n + 1); return; }
      setAttempt(0);
      void run(async () => {
        await request('POST', `/api/v1/cases/${encodeURIComponent(caseId)}/tasks`, {
          body: { title: title.trim(), ...(detail.trim() ? { detail: detail.trim() } : {}), ...(dueOn ? { due_on: dueOn } : {}) },
        });
        onDone(t('tasks.added'));
      });
    }}>
      <h3 id="task-add-heading">{t('alerts.card.add_task')}</h3>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={m.ids} labels={m.labels} />
      <TextField id={known.title.id} label={known.title.label} value={title} onValue={setTitle} maxLength={200} error={m.at.title} />
      <TextAreaField id={known.detail.id} label={known.detail.label} value={detail} onValue={setDetail} max={2000} rows={2} error={m.at.detail} />
      <DateField id={known.due_on.id} label={known.due_on.label} value={dueOn} onValue={setDueOn} min={today(zone)} optional error={m.at.due_on} />
      <div class="button-row">
        <button type="submit" class="button" disabled={busy} id="task-add-submit">{t('tasks.add.submit')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel}>{t('alerts.cancel_form')}</button>
      </div>
    </form>
  );
}
