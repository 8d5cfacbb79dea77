// /admin/jobs: the scheduler's jobs (system.jobs). Per job its interval, its next run, its last run
// (when, on which server, how it went) and its recent runs; "Run due jobs now" runs what is due on
// this server and says what this call ran (a slot another server ran is not run again).
import { useState } from 'preact/hooks';
import { get, post } from '../../api';
import { FormError, Success } from '../../components/Form';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { useI18n, type MessageKey } from '../../i18n';
import { useDates } from '../../session';
import { AdminNav } from './AdminHome';

interface Run {
  slot_at: string;
  server: string;
  started_at: string;
  finished_at: string;
  status: 'ok' | 'failed';
  detail: Record<string, unknown>;
}

interface Job {
  name: string;
  interval_s: number;
  next_run_at: string;
  last_run_at: string | null;
  last_server: string | null;
  last_status: 'ok' | 'failed' | null;
  last_detail: Record<string, unknown> | null;
  runs: Run[];
}

interface Jobs {
  server: string;
  now: string;
  items: Job[];
}

interface Ran {
  server: string;
  now: string;
  ran: { job: string; slot_at: string; status: 'ok' | 'failed'; detail: Record<string, unknown> }[];
}

const k = (key: string) => key as MessageKey;

/** The counts of a run as "evaluated: 12, raised: 1". */
function detailText(detail: Record<string, unknown> | null | undefined, t: (key: MessageKey) => string): string {
  if (!detail) return '—';
  const parts = Object.entries(detail).map(([key, v]) => `${t(k(`jobs.detail.${key}`))}: ${typeof v === 'string' || typeof v === 'number' ? v : JSON.stringify(v)}`);
  return parts.length ? parts.join(', ') : '—';
}

export function JobsPage() {
  const { t } = useI18n();
  const dates = useDates();
  const jobs = useLoad((signal) => get<Jobs>('/api/v1/system/jobs', { signal }), []);
  const { busy, error, run } = useAction();
  const [ran, setRan] = useState<Ran | null>(null);
  const jobTitle = (name: string) => t(k(`jobs.name.${name}`));
  // Slot 0 (1970) is the run right after installation, before any slot was due.
  const slotText = (at: string) => (Date.parse(at) <= 0 ? t('jobs.first_run') : dates.short(at, true));
  return (
    <>
      <AdminNav current="jobs" />
      <div class="page-head">
        <h1 tabIndex={-1}>{t('admin.jobs')}</h1>
        <button type="button" class="button" id="jobs-run" disabled={busy}
          onClick={() => void run(async () => {
            setRan(await post<Ran>('/api/v1/system/jobs/run'));
            jobs.reload();
          })}>
          {busy ? t('jobs.running') : t('jobs.run')}
        </button>
      </div>
      <p class="lead">{t('admin.jobs.about')}</p>
      <FormError error={error} />
      {ran ? (
        <Success>
          <p id="jobs-ran">
            {ran.ran.length === 0 ? t('jobs.ran_none')
              : t('jobs.ran', { list: ran.ran.map((r) => `${jobTitle(r.job)} (${t(k(`jobs.status.${r.status}`))})`).join('; ') })}
          </p>
        </Success>
      ) : null}
      <LoadState load={jobs}>
        {(data) => (
          <>
            <p>{t('jobs.this_server', { server: data.server, now: dates.short(data.now, true) })}</p>
            {data.items.map((job) => (
              <section class="card" key={job.name} aria-labelledby={`job-${job.name.replace('.', '-')}`}>
                <h2 id={`job-${job.name.replace('.', '-')}`}>
                  {jobTitle(job.name)} <code class="cell-sub">{job.name}</code>
                </h2>
                <dl class="facts">
                  <div><dt>{t('jobs.interval')}</dt><dd>{t('jobs.every', { n: Math.round(job.interval_s / 60) })}</dd></div>
                  <div><dt>{t('jobs.next_run')}</dt><dd>{dates.short(job.next_run_at, true)}</dd></div>
                  <div><dt>{t('jobs.last_run')}</dt><dd>{job.last_run_at ? dates.short(job.last_run_at, true) : t('jobs.never')}</dd></div>
                  <div><dt>{t('jobs.last_server')}</dt><dd>{job.last_server ?? '—'}</dd></div>
                  <div><dt>{t('jobs.last_status')}</dt><dd>{job.last_status ? t(k(`jobs.status.${job.last_status}`)) : '—'}</dd></div>
                  <div><dt>{t('jobs.last_detail')}</dt><dd>{detailText(job.last_detail, t)}</dd></div>
                </dl>
                {job.runs.length ? (
                  <div class="table-wrap" role="region" aria-labelledby={`runs-${job.name.replace('.', '-')}`} tabIndex={0}>
                    <table class="table">
                      <caption id={`runs-${job.name.replace('.', '-')}`}>{t('jobs.recent_runs')}</caption>
                      <thead>
                        <tr>
                          <th scope="col">{t('jobs.slot')}</th>
                          <th scope="col">{t('jobs.server')}</th>
                          <th scope="col">{t('jobs.started')}</th>
                          <th scope="col">{t('jobs.took')}</th>
                          <th scope="col">{t('jobs.status')}</th>
                          <th scope="col">{t('jobs.detail')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {job.runs.map((r) => (
                          <tr key={r.slot_at}>
                            <th scope="row">{slotText(r.slot_at)}</th>
                            <td><code>{r.server}</code></td>
                            <td>{dates.short(r.started_at, true)}</td>
                            <td>{t('jobs.ms', { n: Math.max(0, Date.parse(r.finished_at) - Date.parse(r.started_at)) })}</td>
                            <td>{t(k(`jobs.status.${r.status}`))}</td>
                            <td>{detailText(r.detail, t)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                ) : <p>{t('jobs.no_runs')}</p>}
              </section>
            ))}
          </>
        )}
      </LoadState>
    </>
  );
}
