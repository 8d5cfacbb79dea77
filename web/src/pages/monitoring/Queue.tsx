// /monitoring — the monitoring centre's alert queue (S25): device alerts, most severe and oldest first, with
// the rule's title in the UI language, the person, the case, the device, when it was raised and how long ago.
// An alert opens below the table with its evidence on a small map (the fixes around the event and the zone)
// and in a table, and the operator's actions: acknowledge, verify as a task for the supervising officer
// (with a note), or dismiss as a false alarm (with a reason). The queue refreshes every 20 seconds in the
// background (X-Kadam-Background, so the poll does not hold the session open).
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { get, query, request } from '../../api';
import { FormError, SelectField, Success, TextAreaField, TextField } from '../../components/Form';
import { Link } from '../../components/Link';
import { useAction, useLoad } from '../../hooks';
import { useI18n, type Lang } from '../../i18n';
import { fieldErrors, problemMessage } from '../../problems';
import { useDates } from '../../session';
import { localProblem } from '../cases/Decisions';
import { getVersioned } from '../cases/model';
import { SeverityBadge } from '../compliance/AlertsQueue';
import { MapView } from './MapView';
import { codeLabel, coords, distanceText, evidenceFixes, fixTime, orderPath, type Order, type QueueItem, type T } from './model';
import { MonitoringGate, MonitoringTabs } from './Tabs';

const REFRESH_MS = 20_000;

/** How long ago, in words. */
export function ageText(t: T, iso: string, now: number): string {
  const min = Math.max(0, Math.floor((now - Date.parse(iso)) / 60_000));
  if (min < 60) return t('em.age.min', { n: min });
  const h = Math.floor(min / 60);
  if (h < 48) return t('em.age.h', { h, m: min % 60 });
  return t('em.age.d', { n: Math.floor(h / 24) });
}

export function ruleTitle(t: T, item: Pick<QueueItem, 'title' | 'alert'>, lang: Lang): string {
  return item.title?.[lang] || codeLabel(t, 'em.rule', item.alert.rule_code) || item.alert.summary;
}

export function QueuePage() {
  return <MonitoringGate tab="queue"><Queue /></MonitoringGate>;
}

function Queue() {
  const { t, lang } = useI18n();
  const dates = useDates();
  const [status, setStatus] = useState<'open' | 'acknowledged'>('open');
  const [items, setItems] = useState<QueueItem[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [now, setNow] = useState(Date.now());
  const [selected, setSelected] = useState<string | null>(null);
  const [done, setDone] = useState('');
  const latest = useRef(0);
  const refresh = useCallback(async (background: boolean) => {
    const seq = ++latest.current;
    try {
      const r = await get<{ items: QueueItem[] }>(`/api/v1/em/queue${query({ status })}`,
        background ? { headers: { 'X-Kadam-Background': '1' } } : {});
      if (seq !== latest.current) return;
      setItems(r.items);
      setError(null);
      setNow(Date.now());
    } catch (e) {
      if (seq === latest.current) setError(e);
    }
  }, [status]);
  useEffect(() => {
    setItems(null);
    void refresh(false);
    const timer = window.setInterval(() => void refresh(true), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [refresh]);
  const chosen = items?.find((i) => i.alert.id === selected) ?? null;
  return (
    <>
      <MonitoringTabs current="queue" />
      <div class="page-head">
        <h1 tabIndex={-1}>{t('em.queue.title')}</h1>
      </div>
      <p class="lead">{t('em.queue.about')}</p>
      <div class="filters">
        <SelectField id="em-queue-status" label={t('em.queue.status')} value={status}
          onValue={(v) => { setStatus(v === 'acknowledged' ? 'acknowledged' : 'open'); setSelected(null); }}
          options={[{ value: 'open', label: t('em.queue.status.open') }, { value: 'acknowledged', label: t('em.queue.status.acknowledged') }]} />
      </div>
      {done ? <Success><p id="em-queue-done">{done}</p></Success> : null}
      {error ? (
        <div class="alert alert-error" role="alert">
          <p class="alert-title">{t('load.error')}</p>
          <p>{problemMessage(t, error)}</p>
          <button type="button" class="button" onClick={() => void refresh(false)}>{t('status.retry')}</button>
        </div>
      ) : null}
      {items === null && !error ? <p class="muted" role="status">{t('status.loading')}</p> : null}
      {items && items.length === 0 ? <p id="em-queue-empty">{t('em.queue.none')}</p> : null}
      {items && items.length > 0 ? (
        <div class="table-wrap">
          <table class="table em-stack-table" id="em-queue-table">
            <caption class="visually-hidden">{t('em.queue.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('em.col.severity')}</th>
                <th scope="col">{t('em.col.what')}</th>
                <th scope="col">{t('em.col.person')}</th>
                <th scope="col">{t('em.col.device')}</th>
                <th scope="col" class="em-hide-narrow">{t('em.col.raised')}</th>
                <th scope="col">{t('em.col.age')}</th>
                <th scope="col"><span class="visually-hidden">{t('em.col.actions')}</span></th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <tr key={i.alert.id} data-id={i.alert.id} class={i.alert.severity === 'high' ? 'em-queue-row is-high' : 'em-queue-row'}>
                  <td><SeverityBadge severity={i.alert.severity} /></td>
                  <th scope="row">
                    {ruleTitle(t, i, lang)}
                    {i.alert.escalation_level > 0 ? <span class="cell-sub">{t('em.queue.escalated', { n: i.alert.escalation_level })}</span> : null}
                  </th>
                  <td>
                    {i.person_name}
                    <span class="cell-sub"><Link href={orderPath(i.order_id)}>{t('em.case_number', { number: i.case_number })}</Link></span>
                  </td>
                  <td><span class="em-narrow-label">{t('em.col.device')}: </span>{i.device_identifier ?? <span class="muted">—</span>}</td>
                  <td class="cell-nowrap em-hide-narrow">{dates.short(i.alert.raised_at)}</td>
                  <td class="cell-nowrap"><span class="em-narrow-label">{t('em.col.age')}: </span>{ageText(t, i.alert.raised_at, now)}</td>
                  <td>
                    <button type="button" class="button button-small button-secondary" aria-expanded={selected === i.alert.id}
                      aria-controls="em-alert-panel" id={`em-open-${i.alert.id}`}
                      onClick={() => { setSelected(selected === i.alert.id ? null : i.alert.id); setDone(''); }}>
                      {selected === i.alert.id ? t('em.queue.close') : t('em.queue.open')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {chosen ? (
        <AlertPanel key={chosen.alert.id} item={chosen}
          onDone={(text) => { setDone(text); setSelected(null); void refresh(false); }} />
      ) : null}
    </>
  );
}

function AlertPanel({ item, onDone }: { item: QueueItem; onDone: (text: string) => void }) {
  const { t, lang } = useI18n();
  const dates = useDates();
  const a = item.alert;
  const fixes = evidenceFixes(a.evidence);
  const zoneId = typeof a.evidence.zone_id === 'string' ? a.evidence.zone_id : null;
  const order = useLoad((signal) => get<Order>(`/api/v1/em/orders/${encodeURIComponent(item.order_id)}`, { signal }).catch(() => null),
    [item.order_id]);
  const zones = (order.data?.zones ?? []).filter((z) => (zoneId ? z.id === zoneId : z.status === 'active'));
  const distance = typeof a.evidence.distance_m === 'number' ? a.evidence.distance_m : null;
  const trail = fixes.map((f) => ({ lat: f.lat, lon: f.lon, accuracy_m: f.accuracy_m ?? null, label: dates.short(fixTime(f.at), true) }));
  return (
    <section class="card" id="em-alert-panel" aria-labelledby="em-alert-heading">
      <h2 id="em-alert-heading" tabIndex={-1}>{ruleTitle(t, item, lang)}</h2>
      <dl class="facts">
        <div class="fact"><dt>{t('em.col.person')}</dt><dd>{item.person_name} · <Link href={`/cases/${encodeURIComponent(item.case_id)}`}>{t('em.case_number', { number: item.case_number })}</Link></dd></div>
        <div class="fact"><dt>{t('em.col.raised')}</dt><dd>{dates.short(a.raised_at)}</dd></div>
        <div class="fact"><dt>{t('em.evidence.summary')}</dt><dd>{a.summary}</dd></div>
        {distance !== null && distance !== 0 && zoneId ? (
          <div class="fact">
            <dt>{t(distance < 0 ? 'em.evidence.inside_by' : 'em.evidence.outside_by')}</dt>
            <dd>{distanceText(t, Math.abs(distance))}</dd>
          </div>
        ) : null}
        {zones.length && zoneId ? <div class="fact"><dt>{t('em.evidence.zone')}</dt><dd>{zones.map((z) => z.name).join(', ')}</dd></div> : null}
      </dl>
      {fixes.length ? (
        <div class="em-evidence">
          <h3>{t('em.evidence.fixes')}</h3>
          <MapView id="em-alert-map" label={t('em.evidence.map')} zones={zones} trail={trail}
            position={trail[trail.length - 1] ?? null} fitKey={`${a.id}:${zones.length}`} small />
          <div class="table-wrap">
            <table class="table" id="em-alert-fixes">
              <caption class="visually-hidden">{t('em.evidence.fixes')}</caption>
              <thead><tr><th scope="col">{t('em.col.time')}</th><th scope="col">{t('em.col.coords')}</th><th scope="col">{t('em.col.accuracy')}</th></tr></thead>
              <tbody>
                {fixes.map((f, n) => (
                  <tr key={n}>
                    <td class="cell-nowrap">{dates.short(fixTime(f.at), true)}</td>
                    <td>{coords(f.lat, f.lon)}</td>
                    <td>{f.accuracy_m != null ? distanceText(t, f.accuracy_m) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : <p class="muted">{t('em.evidence.no_fixes')}</p>}
      <p><Link href={orderPath(item.order_id)}>{t('em.queue.open_order')}</Link></p>
      <h3>{t('em.queue.actions')}</h3>
      {a.status === 'open' ? <Acknowledge id={a.id} onDone={onDone} /> : null}
      <Verify id={a.id} defaultTitle={t('em.queue.task_default', { what: ruleTitle(t, item, lang) })} onDone={onDone} />
      <Dismiss id={a.id} onDone={onDone} />
    </section>
  );
}

/** The alert's current version (the queue's rows may be older than the alert). */
async function alertVersion(id: string): Promise<string> {
  const v = await getVersioned<{ version: number }>(`/api/v1/alerts/${encodeURIComponent(id)}`);
  return v.version;
}

function Acknowledge({ id, onDone }: { id: string; onDone: (text: string) => void }) {
  const { t } = useI18n();
  const { busy, error, run } = useAction();
  return (
    <div class="alert-action">
      <FormError error={error} />
      <button type="button" class="button" id="em-acknowledge" disabled={busy} onClick={() => void run(async () => {
        await request('POST', `/api/v1/alerts/${encodeURIComponent(id)}/acknowledgement`, { ifMatch: await alertVersion(id) });
        onDone(t('em.queue.acknowledged'));
      })}>{t('em.queue.acknowledge')}</button>
    </div>
  );
}

function Verify({ id, defaultTitle, onDone }: { id: string; defaultTitle: string; onDone: (text: string) => void }) {
  const { t } = useI18n();
  const [note, setNote] = useState('');
  const [title, setTitle] = useState(defaultTitle);
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const missing = [
    ...(note.trim() ? [] : [{ field: 'reasons', message: t('em.required') }]),
    ...(title.trim() ? [] : [{ field: 'task.title', message: t('em.required') }]),
  ];
  const local = attempt > 0 && missing.length ? localProblem(missing) : null;
  const error = local ?? serverError;
  const ids = { reasons: 'em-verify-note', 'task.title': 'em-verify-title' };
  const labels = { reasons: t('em.queue.verify.note'), 'task.title': t('em.queue.verify.title') };
  const fe = fieldErrors(error, t);
  return (
    <details class="alert-action" id="em-verify">
      <summary>{t('em.queue.verify')}</summary>
      <p class="hint">{t('em.queue.verify.about')}</p>
      <form class="form form-wide" noValidate onSubmit={(e) => {
        e.preventDefault();
        if (missing.length) { setAttempt((n) => n + 1); return; }
        setAttempt(0);
        void run(async () => {
          await request('POST', `/api/v1/alerts/${encodeURIComponent(id)}/verification`, {
            body: { outcome: 'task', reasons: note.trim(), task: { title: title.trim() } }, ifMatch: await alertVersion(id),
          });
          onDone(t('em.queue.verified'));
        });
      }}>
        <FormError error={error} focusKey={local ? attempt : serverError} fields={ids} labels={labels} />
        <TextAreaField id={ids.reasons} label={labels.reasons} value={note} onValue={setNote} rows={3} max={2000}
          hint={t('em.queue.verify.note.hint')} error={fe.reasons} />
        <TextField id={ids['task.title']} label={labels['task.title']} value={title} onValue={setTitle} maxLength={200}
          error={fe['task.title']} />
        <div class="button-row">
          <button type="submit" class="button" id="em-verify-submit" disabled={busy}>{t('em.queue.verify.submit')}</button>
        </div>
      </form>
    </details>
  );
}

function Dismiss({ id, onDone }: { id: string; onDone: (text: string) => void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const local = attempt > 0 && !reason.trim() ? localProblem([{ field: 'reason', message: t('em.required') }]) : null;
  const error = local ?? serverError;
  return (
    <details class="alert-action" id="em-dismiss">
      <summary>{t('em.queue.dismiss')}</summary>
      <form class="form form-wide" noValidate onSubmit={(e) => {
        e.preventDefault();
        if (!reason.trim()) { setAttempt((n) => n + 1); return; }
        setAttempt(0);
        void run(async () => {
          await request('POST', `/api/v1/alerts/${encodeURIComponent(id)}/dismissal`, { body: { reason: reason.trim() }, ifMatch: await alertVersion(id) });
          onDone(t('em.queue.dismissed'));
        });
      }}>
        <FormError error={error} focusKey={local ? attempt : serverError} fields={{ reason: 'em-dismiss-reason' }}
          labels={{ reason: t('em.queue.dismiss.reason') }} />
        <TextAreaField id="em-dismiss-reason" label={t('em.queue.dismiss.reason')} value={reason} onValue={setReason} rows={3} max={2000}
          hint={t('em.queue.dismiss.hint')} error={fieldErrors(error, t).reason} />
        <div class="button-row">
          <button type="submit" class="button button-secondary" id="em-dismiss-submit" disabled={busy}>{t('em.queue.dismiss.submit')}</button>
        </div>
      </form>
    </details>
  );
}
