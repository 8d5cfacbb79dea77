// /pretrial/:id — a pre-trial (social inquiry) report for a court. The template's sections, with
// their titles and guidance in the UI language, are written in the report's own language (ky, ru
// or en); each has a character count against its limit. Saving sends If-Match: if someone else
// saved meanwhile (412) the page says so and offers to reload. The inquiry tasks (family,
// neighbours, employer, living conditions, ...) each have a status and findings, saved one by one
// with their own version. Submitting may be refused (409) with what is still missing; after
// submission everything is read-only. The printable document opens in a new tab.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, purposeHeaders, request, type StatedPurpose } from '../../api';
import { ConfirmDialog } from '../../components/Dialog';
import { FormError, SelectField, Success, TextAreaField } from '../../components/Form';
import { Link } from '../../components/Link';
import { useAction, useLoad } from '../../hooks';
import { LANG_NAMES, isLang, useI18n } from '../../i18n';
import { pretrialStatusLabel, taskKindLabel, taskStatusLabel } from '../../labels';
import { useDates, useSession, useTimeZone } from '../../session';
import { RecordGate } from './Access';
import { RadioGroup } from './Fields';
import {
  REPORT_LANGS, TASK_STATUSES, daysUntil, formatDay, getVersioned, localised, personName,
  type PretrialReport, type PretrialTask, type T, type TemplateSection, type Versioned,
} from './model';
import { NatureBadge } from './Notes';
import { DaysLeft } from './PretrialList';

export function PretrialEditorPage({ id }: { id: string }) {
  const { t } = useI18n();
  const [purpose, setPurpose] = useState<StatedPurpose | null>(null);
  const headers = purposeHeaders(purpose);
  const load = useLoad((signal) => getVersioned<PretrialReport>(`/api/v1/pretrial-reports/${encodeURIComponent(id)}`,
    { signal, headers }), [id, purpose]);
  const r = load.data?.data;
  return (
    <>
      <p class="breadcrumbs">
        <Link href="/cases/pretrial">{t('pretrial.title')}</Link>
        {r ? <> › <Link href={`/cases/${encodeURIComponent(r.case_id)}`}>{t('cases.case.title', { number: r.case_number })}</Link></> : null}
      </p>
      <h1 tabIndex={-1} id="report-heading">{r ? t('pretrial.report.title', { number: r.case_number }) : t('pretrial.report')}</h1>
      <RecordGate load={load} purpose={purpose} onPurpose={setPurpose} idPrefix="report">
        {(data) => <Editor key={data.version} loaded={data} headers={headers} onReload={load.reload} />}
      </RecordGate>
    </>
  );
}

interface EditorProps {
  loaded: Versioned<PretrialReport>;
  headers: Record<string, string>;
  onReload: () => void;
}

function Editor({ loaded, headers, onReload }: EditorProps) {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const dates = useDates();
  const zone = useTimeZone();
  const r = loaded.data;
  const [texts, setTexts] = useState<Record<string, string>>(() => ({ ...(r.report ?? {}) }));
  const [language, setLanguage] = useState(isLang(r.language) ? r.language : lang);
  const [version, setVersion] = useState(loaded.version);
  const [dirty, setDirty] = useState(false);
  const [savedAt, setSavedAt] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const save = useAction();
  const submit = useAction();
  const readOnly = r.status === 'submitted' || r.status === 'withdrawn' || !can('pretrial.write');
  const sections = r.template?.sections ?? [];
  const base = `/api/v1/pretrial-reports/${encodeURIComponent(r.id)}`;

  // Leaving the page with unsaved text asks first.
  useEffect(() => {
    if (!dirty) return undefined;
    const warn = (e: BeforeUnloadEvent) => { e.preventDefault(); };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  const doSave = async () => {
    const res = await request<PretrialReport>('PUT', base, { body: { report: texts, language }, ifMatch: version, headers });
    setVersion(res.etag ?? String(res.data?.version ?? version));
    setDirty(false);
    setSavedAt(new Date().toISOString());
  };

  const stale = save.error instanceof ApiError && save.error.status === 412;
  const missing = submit.error instanceof ApiError && submit.error.status === 409;
  // The server names a section "report.<id>" (or "<id>") and a task "tasks.<kind>".
  const fields: Record<string, string> = {};
  const labels: Record<string, string> = {};
  for (const s of sections) {
    const title = localised(s.title, lang) || s.id;
    for (const name of [s.id, `report.${s.id}`]) {
      fields[name] = `section-${s.id}`;
      labels[name] = title;
    }
  }
  for (const task of r.tasks ?? []) {
    fields[`tasks.${task.kind}`] = `task-${task.id}-findings`;
    labels[`tasks.${task.kind}`] = t('pretrial.missing.task_label', { task: taskKindLabel(t, task.kind) });
  }
  const left = typeof r.days_left === 'number' ? r.days_left : daysUntil(r.due_on, zone);

  return (
    <>
      <section class="card" aria-labelledby="report-facts-heading">
        <h2 id="report-facts-heading" class="visually-hidden">{t('pretrial.facts')}</h2>
        <p class="report-person">
          <Link href={`/people/${encodeURIComponent(r.person.id)}`}>{personName(r.person)}</Link>
          {r.person.birth_date ? <span class="muted"> · {t('cases.born', { date: formatDay(r.person.birth_date, lang) })}</span> : null}
        </p>
        <dl class="facts facts-compact">
          <div class="fact"><dt>{t('pretrial.court')}</dt><dd>{r.court}</dd></div>
          <div class="fact"><dt>{t('pretrial.court_reference')}</dt><dd>{r.court_reference || '—'}</dd></div>
          <div class="fact"><dt>{t('pretrial.received_on')}</dt><dd>{formatDay(r.received_on, lang)}</dd></div>
          <div class="fact">
            <dt>{t('pretrial.due_on')}</dt>
            <dd>
              {formatDay(r.due_on, lang)}
              {r.status === 'submitted' || r.status === 'withdrawn' ? null : <> <DaysLeft item={{ days_left: left, status: r.status }} /></>}
            </dd>
          </div>
          <div class="fact"><dt>{t('pretrial.status')}</dt><dd>{pretrialStatusLabel(t, r.status)}</dd></div>
        </dl>
        {r.submitted_at ? (
          <p class="report-submitted">
            {t('pretrial.submitted_by', { time: dates.short(r.submitted_at), name: r.submitted_by_name ?? '—' })}
          </p>
        ) : null}
        <p>
          <a class="button button-secondary" href={`${base}/document?lang=${language}`} target="_blank" rel="noopener">
            {t('pretrial.document')}
            <span class="visually-hidden"> {t('pretrial.new_tab')}</span>
          </a>
        </p>
      </section>

      {readOnly && r.status === 'submitted' ? (
        <div class="notice" role="note"><p>{t('pretrial.read_only')}</p></div>
      ) : null}

      <section class="card" aria-labelledby="report-text-heading">
        <h2 id="report-text-heading" tabIndex={-1}>{t('pretrial.sections')}</h2>
        {stale ? (
          <div class="alert alert-error" role="alert">
            <p class="alert-title">{t('pretrial.stale')}</p>
            <p>{t('pretrial.stale.text')}</p>
            <button type="button" class="button" onClick={onReload}>{t('pretrial.reload')}</button>
          </div>
        ) : <FormError error={save.error} fields={fields} labels={labels} />}
        {missing ? (
          <FormError error={missingProblem(t, submit.error)} message={t('pretrial.submit.missing')} fields={fields} labels={labels} />
        ) : <FormError error={submit.error} />}
        {savedAt && !dirty ? <Success><p>{t('pretrial.saved', { time: dates.short(savedAt, true) })}</p></Success> : null}
        {readOnly ? (
          <>
            <p class="muted">{t('pretrial.language.is', { lang: LANG_NAMES[language] })}</p>
            {sections.map((s) => (
              <div class="report-section" key={s.id}>
                <h3>{localised(s.title, lang) || s.id}</h3>
                <SectionTags section={s} />
                <p class="report-text">{texts[s.id] || <span class="muted">{t('pretrial.section.empty')}</span>}</p>
              </div>
            ))}
          </>
        ) : (
          <form class="form form-wide report-form" noValidate aria-labelledby="report-text-heading"
            onSubmit={(e) => { e.preventDefault(); void save.run(doSave); }}>
            <SelectField id="report-language" label={t('pretrial.language')} value={language} hint={t('pretrial.language.hint')}
              onValue={(v) => { if (isLang(v)) { setLanguage(v); setDirty(true); } }}
              options={REPORT_LANGS.map((l) => ({ value: l, label: LANG_NAMES[l] }))} />
            {sections.map((s) => {
              const title = localised(s.title, lang) || s.id;
              return (
                <div class="report-field" key={s.id}>
                  <SectionTags section={s} />
                  <TextAreaField id={`section-${s.id}`} rows={6}
                    label={s.required ? t('pretrial.section.required', { title }) : title}
                    hint={localised(s.guidance, lang) || undefined}
                    value={texts[s.id] ?? ''} {...(s.max_length ? { max: s.max_length } : {})}
                    onValue={(v) => { setTexts((prev) => ({ ...prev, [s.id]: v })); setDirty(true); }} />
                </div>
              );
            })}
            <div class="button-row report-buttons">
              <button type="submit" class="button" disabled={save.busy}>{save.busy ? t('cases.saving') : t('pretrial.save')}</button>
              <button type="button" class="button button-secondary" id="report-submit" disabled={save.busy || submit.busy}
                onClick={() => { submit.setError(null); setConfirming(true); }}>
                {t('pretrial.submit')}
              </button>
              <span class="muted unsaved" role="status">{dirty ? t('pretrial.unsaved') : ''}</span>
            </div>
          </form>
        )}
      </section>

      <Tasks report={r} readOnly={readOnly} headers={headers} />

      <ConfirmDialog open={confirming} title={t('pretrial.submit.title')} confirmLabel={t('pretrial.submit')} busy={submit.busy}
        onCancel={() => setConfirming(false)}
        onConfirm={() => {
          void submit.run(async () => {
            if (dirty) await doSave();
            await request('POST', `${base}/submission`, { body: {}, headers });
            onReload();
          }).then(() => setConfirming(false));
        }}>
        <p>{t('pretrial.submit.text')}</p>
        {dirty ? <p>{t('pretrial.submit.saves')}</p> : null}
      </ConfirmDialog>
    </>
  );
}

/** A section's nature (fact or assessment, S14) and whether it holds special-category data (S15). */
function SectionTags({ section }: { section: TemplateSection }) {
  const { t } = useI18n();
  if (!section.nature && !section.special_category) return null;
  return (
    <p class="section-tags">
      {section.nature ? <NatureBadge nature={section.nature} /> : null}
      {section.special_category ? <span class="badge badge-warn">{t('pretrial.section.special')}</span> : null}
    </p>
  );
}

/** The 409's list with its messages in the UI language (the server writes them in English). */
function missingProblem(t: T, error: unknown): unknown {
  if (!(error instanceof ApiError) || !error.problem) return error;
  const errors = error.problem.errors.map((e) => ({
    field: e.field,
    message: e.field.startsWith('tasks.') ? t('pretrial.missing.task')
      : e.field.startsWith('report.') || /required/i.test(e.message) ? t('pretrial.missing.section') : e.message,
  }));
  return new ApiError(error.message, error.status, { ...error.problem, errors }, error.retryAfter);
}

function Tasks({ report, readOnly, headers }: { report: PretrialReport; readOnly: boolean; headers: Record<string, string> }) {
  const { t } = useI18n();
  const [tasks, setTasks] = useState<PretrialTask[]>(report.tasks ?? []);
  const base = `/api/v1/pretrial-reports/${encodeURIComponent(report.id)}`;
  const replaceTask = (task: PretrialTask) => setTasks((prev) => prev.map((x) => (x.id === task.id ? task : x)));
  const refresh = async (taskId: string) => {
    const fresh = await get<PretrialReport>(base, { headers });
    const task = fresh.tasks.find((x) => x.id === taskId);
    if (task) replaceTask(task);
  };
  return (
    <section class="card" aria-labelledby="tasks-heading" id="tasks">
      <h2 id="tasks-heading" tabIndex={-1}>{t('pretrial.tasks')}</h2>
      <p class="muted">{t('pretrial.tasks.about')}</p>
      {tasks.length === 0 ? <p>{t('pretrial.tasks.none')}</p> : (
        <ul class="task-list">
          {tasks.map((task) => (
            <li key={task.id}>
              <TaskItem task={task} readOnly={readOnly} base={base} headers={headers}
                onSaved={(saved) => (saved && saved.id === task.id && saved.version !== undefined ? replaceTask(saved) : refresh(task.id))} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

interface TaskItemProps {
  task: PretrialTask;
  readOnly: boolean;
  base: string;
  headers: Record<string, string>;
  onSaved: (task: PretrialTask | null) => void | Promise<void>;
}

function TaskItem({ task, readOnly, base, headers, onSaved }: TaskItemProps) {
  const { t, lang } = useI18n();
  const dates = useDates();
  const [status, setStatus] = useState(task.status);
  const [findings, setFindings] = useState(task.findings ?? '');
  const [saved, setSaved] = useState(false);
  const { busy, error, run } = useAction();
  const first = useRef(true);
  // A newer version from the server (after a save) replaces what is shown.
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    setStatus(task.status);
    setFindings(task.findings ?? '');
  }, [task.version]);
  const p = `task-${task.id}`;
  const kind = taskKindLabel(t, task.kind);
  const badge = task.status === 'done' ? 'badge badge-ok' : task.status === 'not_possible' ? 'badge badge-off' : 'badge badge-warn';
  return (
    <article class="task" aria-labelledby={`${p}-title`}>
      <div class="task-head">
        <h3 id={`${p}-title`}>{kind}</h3>
        <span class={badge}>{taskStatusLabel(t, task.status)}</span>
        {task.due_on ? <span class="muted">{t('pretrial.task.due', { date: formatDay(task.due_on, lang) })}</span> : null}
      </div>
      {task.done_at ? (
        <p class="muted task-done">{t('pretrial.task.done_by', { time: dates.short(task.done_at), name: task.done_by_name ?? '—' })}</p>
      ) : null}
      {readOnly ? (
        <p class="report-text">{task.findings || <span class="muted">{t('pretrial.task.no_findings')}</span>}</p>
      ) : (
        <form class="task-form" noValidate aria-labelledby={`${p}-title`}
          onSubmit={(e) => {
            e.preventDefault();
            setSaved(false);
            void run(async () => {
              const res = await request<PretrialTask>('PUT', `${base}/tasks/${encodeURIComponent(task.id)}`,
                { body: { status, findings: findings.trim() || null }, ifMatch: String(task.version), headers });
              setSaved(true);
              await onSaved(res.data && typeof res.data === 'object' && 'id' in res.data ? res.data : null);
            });
          }}>
          <FormError error={error} fields={{ status: `${p}-status`, findings: `${p}-findings` }}
            labels={{ status: t('pretrial.task.status'), findings: t('pretrial.task.findings') }} />
          <RadioGroup id={`${p}-status`} legend={t('pretrial.task.status')} value={status} onValue={setStatus}
            options={TASK_STATUSES.map((s) => ({ value: s, label: taskStatusLabel(t, s) }))} />
          <TextAreaField id={`${p}-findings`} label={t('pretrial.task.findings')} value={findings} onValue={setFindings} rows={3} max={5000} />
          <div class="button-row">
            <button type="submit" class="button button-secondary" disabled={busy}>
              {busy ? t('cases.saving') : t('pretrial.task.save')}
              <span class="visually-hidden">: {kind}</span>
            </button>
            {saved && !busy && !error ? <span class="task-saved" role="status">{t('pretrial.task.saved')}</span> : null}
          </div>
        </form>
      )}
    </article>
  );
}
