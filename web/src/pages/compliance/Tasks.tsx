// /alerts/tasks — tasks: one's own or the unit's, open first and soonest due first. An open task is
// marked done (with a note if wanted) or cancelled (with a note saying why). Tasks come from verified
// alerts or are added on the case page.
import { useState } from 'preact/hooks';
import { get, query, request } from '../../api';
import { FormError, SelectField, Success, TextAreaField } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { useI18n, type MessageKey } from '../../i18n';
import { useSession } from '../../session';
import { localProblem } from '../cases/Decisions';
import { formatDay } from '../cases/model';
import { matchErrors } from '../conditions/types';
import { label, type Page, type Task } from './AlertsQueue';
import { ComplianceGate, ComplianceTabs } from './Tabs';
import './alerts.css';

const TASK_FILTERS = ['open', 'done', 'cancelled', 'all'] as const;

export function TaskStatusBadge({ task }: { task: Pick<Task, 'status' | 'overdue'> }) {
  const { t } = useI18n();
  if (task.status === 'open' && task.overdue) return <span class="badge badge-bad">{t('tasks.overdue')}</span>;
  const cls = task.status === 'open' ? 'badge badge-warn' : task.status === 'done' ? 'badge badge-ok' : 'badge badge-off';
  return <span class={cls}>{label(t, 'tasks.status', task.status)}</span>;
}

export function TasksPage() {
  return <ComplianceGate permission="alerts.read"><TasksList /></ComplianceGate>;
}

function TasksList() {
  const { t, lang } = useI18n();
  const { user, can } = useSession();
  const isHead = !!user?.roles.includes('unit_head');
  const [queue, setQueue] = useState(() => {
    const q = new URLSearchParams(location.search).get('queue');
    return q === 'mine' || q === 'unit' ? q : isHead ? 'unit' : 'mine';
  });
  const [status, setStatus] = useState('open');
  const [closing, setClosing] = useState<{ task: Task; to: 'done' | 'cancelled' } | null>(null);
  const [done, setDone] = useState('');
  const load = useLoad((signal) => get<Page<Task>>(`/api/v1/tasks${query({ queue, status, limit: 200 })}`, { signal }), [queue, status]);
  const canWork = can('alerts.work');
  return (
    <>
      <ComplianceTabs current="tasks" />
      <div class="page-head">
        <h1 tabIndex={-1}>{t('tasks.title')}</h1>
      </div>
      <p class="lead">{t('tasks.about')}</p>
      {done ? <Success><p class="alert-title" id="tasks-done">{done}</p></Success> : null}
      <div class="alert-queue-switch" role="group" aria-label={t('alerts.queue')}>
        {(['mine', 'unit'] as const).map((q) => (
          <button type="button" key={q} id={`tasks-queue-${q}`} aria-pressed={queue === q}
            class={queue === q ? 'button button-small' : 'button button-secondary button-small'} onClick={() => setQueue(q)}>
            {t(`tasks.queue.${q}` as MessageKey)}
          </button>
        ))}
      </div>
      <div class="filters">
        <SelectField id="tasks-status" label={t('tasks.filter.status')} value={status} onValue={setStatus}
          options={TASK_FILTERS.map((s) => ({ value: s, label: t(`tasks.filter.${s}` as MessageKey) }))} />
      </div>
      {closing ? (
        <CloseForm task={closing.task} to={closing.to} onCancel={() => setClosing(null)}
          onDone={(text) => { setClosing(null); setDone(text); load.reload(); }} />
      ) : null}
      <LoadState load={load}>
        {(data) => data.items.length === 0 ? <p id="tasks-empty">{t('tasks.none')}</p> : (
          <div class="table-wrap">
            <table class="table tasks-table" id="tasks-table">
              <caption class="visually-hidden">{t(`tasks.queue.${queue}` as MessageKey)}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('tasks.col.title')}</th>
                  <th scope="col">{t('tasks.col.person')}</th>
                  <th scope="col">{t('tasks.col.due')}</th>
                  <th scope="col">{t('tasks.col.assignee')}</th>
                  <th scope="col">{t('tasks.col.status')}</th>
                  {canWork ? <th scope="col"><span class="visually-hidden">{t('tasks.col.actions')}</span></th> : null}
                </tr>
              </thead>
              <tbody>
                {data.items.map((task) => (
                  <tr key={task.id}>
                    <th scope="row">
                      {task.title}
                      {task.detail ? <span class="cell-sub">{task.detail}</span> : null}
                      {task.source_alert_id
                        ? <span class="cell-sub"><Link href={`/alerts/${encodeURIComponent(task.source_alert_id)}`}>{t('tasks.from_alert')}</Link></span>
                        : null}
                      {task.close_note ? <span class="cell-sub">{task.close_note}</span> : null}
                    </th>
                    <td>
                      {task.person_name}
                      <span class="cell-sub"><Link href={`/cases/${encodeURIComponent(task.case_id)}`}>{task.case_number}</Link></span>
                    </td>
                    <td class="cell-nowrap">{task.due_on ? formatDay(task.due_on, lang) : <span class="muted">—</span>}</td>
                    <td>{task.assigned_to_name ?? <span class="muted">—</span>}</td>
                    <td><TaskStatusBadge task={task} /></td>
                    {canWork ? (
                      <td class="cell-nowrap">
                        {task.status === 'open' ? (
                          <>
                            <button type="button" class="button button-small" id={`task-done-${task.id}`}
                              onClick={() => setClosing({ task, to: 'done' })}>{t('tasks.mark_done')}</button>{' '}
                            <button type="button" class="button button-secondary button-small" id={`task-cancel-${task.id}`}
                              onClick={() => setClosing({ task, to: 'cancelled' })}>{t('tasks.cancel')}</button>
                          </>
                        ) : null}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </LoadState>
    </>
  );
}

/** Marks a task done or cancelled, with a note (required to cancel). */
export function CloseForm({ task, to, onDone, onCancel }: { task: Task; to: 'done' | 'cancelled'; onDone: (text: string) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const [note, setNote] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const local = attempt > 0 && to === 'cancelled' && !note.trim()
    ? localProblem([{ field: 'close_note', message: t('tasks.note.required') }]) : null;
  const error = local ?? serverError;
  const known = { close_note: { id: 'task-close-note', label: t('tasks.note') } };
  const m = matchErrors(error, t, known);
  return (
    <section class="card" aria-labelledby="task-close-heading" id="task-close">
      <h2 id="task-close-heading">{t(to === 'done' ? 'tasks.mark_done.title' : 'tasks.cancel.title', { title: task.title })}</h2>
      <form class="form form-wide" noValidate onSubmit={(e) => {
        e.preventDefault();
        if (to === 'cancelled' && !note.trim()) { setAttempt((n) => n + 1); return; }
        setAttempt(0);
        void run(async () => {
          await request('PUT', `/api/v1/tasks/${encodeURIComponent(task.id)}`, {
            body: { status: to, ...(note.trim() ? { close_note: note.trim() } : {}) }, ifMatch: String(task.version),
          });
          onDone(t(to === 'done' ? 'tasks.done.done' : 'tasks.cancelled.done'));
        });
      }}>
        <FormError error={error} focusKey={local ? attempt : serverError} fields={m.ids} labels={m.labels} />
        <TextAreaField id={known.close_note.id} label={known.close_note.label} value={note} onValue={setNote} max={2000} rows={2}
          error={m.at.close_note} autoFocus hint={to === 'done' ? t('tasks.note.hint_done') : t('tasks.note.hint_cancel')} />
        <div class="button-row">
          <button type="submit" class="button" disabled={busy} id="task-close-submit">
            {t(to === 'done' ? 'tasks.mark_done' : 'tasks.cancel')}
          </button>
          <button type="button" class="button button-secondary" onClick={onCancel}>{t('tasks.keep')}</button>
        </div>
      </form>
    </section>
  );
}
