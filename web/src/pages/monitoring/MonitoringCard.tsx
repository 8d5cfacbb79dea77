// The Electronic monitoring card of the case page: the case's monitoring orders (modes, dates, device,
// open alerts, a link to the order's page) and "Order monitoring": the decision in force it rests on (S23),
// the modes as checkboxes each saying which duty of the decision it needs, the dates, the home address and
// its coordinates (typed, or set by a click on the small map), the effect on the household, the curfew
// timetable and its grace period. The same form edits an order on its page (everything but the decision).
import { useState } from 'preact/hooks';
import { get, request } from '../../api';
import { CheckboxGroup, FormError, SelectField, Success, TextAreaField, TextField } from '../../components/Form';
import { Link } from '../../components/Link';
import { useAction, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { useSession, useTimeZone } from '../../session';
import { localProblem } from '../cases/Decisions';
import { DateField } from '../cases/Fields';
import { formatDay, today, type CaseRecord, type Decision } from '../cases/model';
import { matchErrors } from '../conditions/types';
import { CurfewEditor } from './Curfew';
import { MapView } from './MapView';
import { MODES, addDays, codeLabel, modeAllowed, orderPath, type CurfewWindow, type Mode, type Order } from './model';
import { ModeList } from './Orders';

interface Props {
  record: CaseRecord;
  headers: Record<string, string>;
  onChanged: () => void;
}

export function MonitoringCard(props: Props) {
  const { can } = useSession();
  if (!can('em.read')) return null;
  return <Card {...props} />;
}

function Card({ record: c, headers, onChanged }: Props) {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const load = useLoad((signal) => get<{ items: Order[] }>(`/api/v1/cases/${encodeURIComponent(c.id)}/em-orders`, { signal, headers }), [c.id]);
  const [form, setForm] = useState(false);
  const [done, setDone] = useState('');
  const canWrite = can('em.orders') && c.status === 'open' && c.may_change !== false;
  const items = load.data?.items ?? [];
  // One active order per case: another is ordered once it has ended.
  const canOrder = canWrite && Boolean(load.data) && !items.some((o) => o.status === 'active');
  return (
    <section class="card" aria-labelledby="em-card-heading" id="monitoring">
      <div class="card-head">
        <h2 id="em-card-heading" tabIndex={-1}>{t('em.card.title')}</h2>
        {canOrder && !form ? (
          <button type="button" class="button" id="em-order-new" onClick={() => { setForm(true); setDone(''); }}>{t('em.order.new')}</button>
        ) : null}
      </div>
      {load.status === 'error' ? (
        <div class="alert alert-error" role="alert">
          <p class="alert-title">{t('load.error')}</p>
          <button type="button" class="button" onClick={load.reload}>{t('status.retry')}</button>
        </div>
      ) : null}
      {!load.data && load.status === 'loading' ? <p class="muted" role="status">{t('status.loading')}</p> : null}
      {done ? <Success><p id="em-card-done">{done}</p></Success> : null}
      {form ? (
        <OrderForm caseId={c.id} decisions={c.decisions ?? []} headers={headers} onCancel={() => setForm(false)}
          onSaved={() => { setForm(false); setDone(t('em.order.created')); load.reload(); onChanged(); }} />
      ) : null}
      {load.data ? (items.length === 0 ? <p id="em-card-none">{t('em.card.none')}</p> : (
        <div class="table-wrap">
          <table class="table" id="em-card-table">
            <caption class="visually-hidden">{t('em.card.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('em.col.order')}</th>
                <th scope="col">{t('em.col.modes')}</th>
                <th scope="col">{t('em.col.device')}</th>
                <th scope="col">{t('em.col.open_alerts')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((o) => (
                <tr key={o.id} data-id={o.id}>
                  <th scope="row">
                    <Link href={orderPath(o.id)}>{t('em.order.period', { from: formatDay(o.starts_on, lang), to: formatDay(o.ends_on, lang) })}</Link>
                    <span class="cell-sub">{codeLabel(t, 'em.order.status', o.status)}</span>
                  </th>
                  <td><ModeList modes={o.modes} /></td>
                  <td>{o.device ? o.device.identifier : <span class="muted">{t('em.no_device')}</span>}</td>
                  <td>{o.open_alerts}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )) : null}
    </section>
  );
}

function decisionLabel(t: ReturnType<typeof useI18n>['t'], d: Pick<Decision, 'authority' | 'number' | 'decided_on'>, lang: 'ky' | 'ru' | 'en'): string {
  return t('em.decision.line', { authority: d.authority, number: d.number ?? '—', date: formatDay(d.decided_on, lang) });
}

/** A number typed in a field, or null when empty; NaN when it is not a number. */
function num(text: string): number | null {
  const s = text.trim().replace(',', '.');
  if (!s) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : NaN;
}

export function OrderForm({ caseId, decisions, order, headers = {}, onCancel, onSaved }: {
  caseId?: string; decisions?: readonly Decision[]; order?: Order & { version: number }; headers?: Record<string, string>;
  onCancel: () => void; onSaved: (o: Order) => void;
}) {
  const { t, lang } = useI18n();
  const zone = useTimeZone();
  const inForce = (decisions ?? []).filter((d) => d.status === 'in_force');
  const [decisionId, setDecisionId] = useState(order?.decision_id ?? (inForce.length === 1 ? inForce[0]?.id ?? '' : ''));
  const [modes, setModes] = useState<string[]>(order ? MODES.filter((m) => order.modes[m]) : []);
  const [startsOn, setStartsOn] = useState(order?.starts_on ?? today(zone));
  const [endsOn, setEndsOn] = useState(order?.ends_on ?? addDays(today(zone), 90));
  const [address, setAddress] = useState(order?.home_address ?? '');
  const [lat, setLat] = useState(order?.home_lat != null ? String(order.home_lat) : '');
  const [lon, setLon] = useState(order?.home_lon != null ? String(order.home_lon) : '');
  const [radius, setRadius] = useState(order?.home_radius_m != null ? String(order.home_radius_m) : '50');
  const [effect, setEffect] = useState(order?.household_effect ?? '');
  const [grace, setGrace] = useState(order?.curfew_grace_min != null ? String(order.curfew_grace_min) : '10');
  const [curfew, setCurfew] = useState<CurfewWindow[]>(order?.curfew ?? []);
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const decision = order?.decision ?? inForce.find((d) => d.id === decisionId) ?? null;
  const duties = decision?.duties ?? [];
  const latN = num(lat);
  const lonN = num(lon);
  const mistakes: { field: string; message: string }[] = [];
  if (!order && !decisionId) mistakes.push({ field: 'decision_id', message: t('em.order.decision.choose') });
  if (!modes.length) mistakes.push({ field: 'modes', message: t('em.order.modes.choose') });
  if (!startsOn) mistakes.push({ field: 'starts_on', message: t('em.required') });
  if (!endsOn || endsOn < startsOn) mistakes.push({ field: 'ends_on', message: t('em.order.ends.after') });
  if (effect.trim().length < 10) mistakes.push({ field: 'household_effect', message: t('em.order.effect.min') });
  if (latN !== null && (Number.isNaN(latN) || latN < -90 || latN > 90)) mistakes.push({ field: 'home_lat', message: t('em.bad_lat') });
  if (lonN !== null && (Number.isNaN(lonN) || lonN < -180 || lonN > 180)) mistakes.push({ field: 'home_lon', message: t('em.bad_lon') });
  if (modes.includes('curfew') && (latN === null || lonN === null)) mistakes.push({ field: 'home_lat', message: t('em.order.home.needed') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const known = {
    decision_id: { id: 'em-f-decision', label: t('em.order.decision') },
    modes: { id: 'em-f-modes', label: t('em.order.modes') },
    starts_on: { id: 'em-f-starts', label: t('em.order.starts_on') },
    ends_on: { id: 'em-f-ends', label: t('em.order.ends_on') },
    home_address: { id: 'em-f-address', label: t('em.order.home_address') },
    home_lat: { id: 'em-f-lat', label: t('em.lat') },
    home_lon: { id: 'em-f-lon', label: t('em.lon') },
    home_radius_m: { id: 'em-f-radius', label: t('em.order.home_radius') },
    household_effect: { id: 'em-f-effect', label: t('em.order.household_effect') },
    curfew_grace_min: { id: 'em-f-grace', label: t('em.order.grace') },
    curfew: { id: 'em-f-curfew', label: t('em.curfew.title') },
  };
  const m = matchErrors(error, t, known);
  const submit = () => {
    setAttempt((x) => x + 1);
    if (mistakes.length) return;
    void run(async () => {
      const body: Record<string, unknown> = {
        modes: Object.fromEntries(MODES.map((md) => [md, modes.includes(md)])),
        starts_on: startsOn, ends_on: endsOn, household_effect: effect.trim(),
        home_address: address.trim() || null, home_lat: latN, home_lon: lonN,
        home_radius_m: num(radius) ?? null, curfew_grace_min: num(grace) ?? null,
        curfew: modes.includes('curfew') ? curfew : [],
      };
      if (order) {
        const r = await request<Order>('PUT', `/api/v1/em/orders/${encodeURIComponent(order.id)}`, { body, ifMatch: String(order.version), headers });
        onSaved(r.data);
      } else {
        body.decision_id = decisionId;
        const r = await request<Order>('POST', `/api/v1/cases/${encodeURIComponent(caseId ?? '')}/em-orders`, { body, headers });
        onSaved(r.data);
      }
    });
  };
  const home = latN !== null && lonN !== null && !Number.isNaN(latN) && !Number.isNaN(lonN)
    ? { lat: latN, lon: lonN, radius_m: num(radius) || 50 } : null;
  return (
    <form class="form form-wide" noValidate id="em-order-form" aria-labelledby="em-order-form-title"
      onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <h3 id="em-order-form-title">{order ? t('em.order.edit') : t('em.order.new')}</h3>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={m.ids} labels={m.labels} />
      {order ? (
        decision ? <p>{t('em.order.decision')}: {decisionLabel(t, decision, lang)}</p> : null
      ) : (
        <SelectField id={known.decision_id.id} label={known.decision_id.label} value={decisionId} onValue={setDecisionId}
          error={m.at.decision_id} hint={inForce.length ? t('em.order.decision.hint') : t('em.order.decision.none')}
          options={[{ value: '', label: t('em.choose') }, ...inForce.map((d) => ({ value: d.id, label: decisionLabel(t, d, lang) }))]} />
      )}
      <CheckboxGroup id={known.modes.id} legend={known.modes.label} selected={modes} onChange={setModes} error={m.at.modes}
        hint={t('em.order.modes.hint')}
        options={MODES.map((md: Mode) => ({
          value: md, label: codeLabel(t, 'em.mode', md),
          about: `${t(`em.mode.${md}.about` as 'em.mode.trail.about')}${decision && !modeAllowed(duties, md) ? ` ${t('em.mode.not_in_decision')}` : ''}`,
        }))} />
      <DateField id={known.starts_on.id} label={known.starts_on.label} value={startsOn} onValue={setStartsOn} error={m.at.starts_on} />
      <DateField id={known.ends_on.id} label={known.ends_on.label} value={endsOn} onValue={setEndsOn} min={startsOn} error={m.at.ends_on} />
      <TextField id={known.home_address.id} label={known.home_address.label} value={address} onValue={setAddress} maxLength={300}
        optional error={m.at.home_address} />
      <p class="hint" id="em-f-home-hint">{t('em.order.home.hint')}</p>
      <MapView id="em-f-map" label={t('em.order.home.map')} small home={home} fitKey={home ? 'home' : ''}
        onPick={(la, lo) => { setLat(la.toFixed(6)); setLon(lo.toFixed(6)); }} />
      <div class="em-window-times">
        <TextField id={known.home_lat.id} label={known.home_lat.label} value={lat} onValue={setLat} inputMode="text" maxLength={20}
          error={m.at.home_lat} optional={!modes.includes('curfew')} />
        <TextField id={known.home_lon.id} label={known.home_lon.label} value={lon} onValue={setLon} inputMode="text" maxLength={20}
          error={m.at.home_lon} optional={!modes.includes('curfew')} />
        <TextField id={known.home_radius_m.id} label={known.home_radius_m.label} value={radius} onValue={setRadius} type="number"
          min={10} max={1000} error={m.at.home_radius_m} />
      </div>
      <TextAreaField id={known.household_effect.id} label={known.household_effect.label} value={effect} onValue={setEffect}
        rows={3} min={10} max={2000} hint={t('em.order.household_effect.hint')} error={m.at.household_effect} />
      {modes.includes('curfew') ? (
        <>
          <CurfewEditor id={known.curfew.id} windows={curfew} onChange={setCurfew} error={m.at.curfew} />
          <TextField id={known.curfew_grace_min.id} label={known.curfew_grace_min.label} value={grace} onValue={setGrace} type="number"
            min={0} max={120} hint={t('em.order.grace.hint')} error={m.at.curfew_grace_min} />
        </>
      ) : null}
      <div class="button-row">
        <button type="submit" class="button" id="em-order-submit" disabled={busy}>{order ? t('em.save') : t('em.order.submit')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}
