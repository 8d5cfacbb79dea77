// /monitoring/orders/:id — one monitoring order: the person, case, decision, modes, dates, the effect on the
// household, the curfew timetable, approved absences, fittings (fit a device in stock, remove one with a
// reason), and the map: zones, home, the latest position with its accuracy (refreshed) and, only where the
// order includes the trail (S23), the trail of a chosen day. A zone editor draws polygons by clicking points
// (undo, close, cancel) or circles (centre and radius), imports GeoJSON and exports it. Everything on the
// map is also below it in words: the zones, the last position, the trail as a table with pages.
import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, request } from '../../api';
import { FormError, SelectField, Success, TextAreaField, TextField } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { fieldErrors } from '../../problems';
import { useDates, useSession, useTimeZone } from '../../session';
import { formatDay, getVersioned, today } from '../cases/model';
import { zonedToRfc3339 } from '../../format';
import { CurfewList } from './Curfew';
import { MapView, mapCentre, type MapDraft } from './MapView';
import { OrderForm } from './MonitoringCard';
import { ModeList } from './Orders';
import {
  REMOVAL_REASONS, addDays, codeLabel, coords, distanceText, type Device, type Order, type Position, type Trail, type Zone,
} from './model';
import { MonitoringTabs } from './Tabs';

const POSITION_MS = 30_000;
const PAGE = 50;

export function OrderPage({ id }: { id: string }) {
  const { t } = useI18n();
  const load = useLoad((signal) => getVersioned<Order>(`/api/v1/em/orders/${encodeURIComponent(id)}`, { signal }), [id]);
  const [done, setDone] = useState('');
  const o = load.data?.data;
  return (
    <>
      <MonitoringTabs current="orders" />
      <p class="breadcrumbs"><Link href="/monitoring/orders">{t('em.orders.title')}</Link></p>
      <div class="page-head"><h1 tabIndex={-1} id="em-order-heading">{o ? t('em.order.title', { name: o.person_name }) : t('em.order.title.plain')}</h1></div>
      {done ? <Success><p id="em-order-done">{done}</p></Success> : null}
      <LoadState load={load}>
        {(v) => <OrderBody order={{ ...v.data, version: Number(v.version) || v.data.version }}
          onChanged={(text) => { setDone(text); load.reload(); }} />}
      </LoadState>
    </>
  );
}

function OrderBody({ order: o, onChanged }: { order: Order; onChanged: (text: string) => void }) {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const [editing, setEditing] = useState(false);
  const active = o.status === 'active';
  const canEdit = can('em.orders') && active;
  const zones = (o.zones ?? []).filter((z) => z.status === 'active');
  const [draft, setDraft] = useState<MapDraft | null>(null);
  const [pickHandler, setPickHandler] = useState<((lat: number, lon: number) => void) | null>(null);
  const position = usePosition(o);
  const [trail, setTrail] = useState<Trail | null>(null);
  const home = o.home_lat != null && o.home_lon != null ? { lat: o.home_lat, lon: o.home_lon, radius_m: o.home_radius_m } : null;
  const pos = position && position.lat != null && position.lon != null
    ? { lat: position.lat, lon: position.lon, accuracy_m: position.accuracy_m ?? null } : null;
  return (
    <>
      <section class="card em-order-facts" aria-labelledby="em-order-facts">
        <h2 id="em-order-facts">{t('em.order.facts')}</h2>
        <dl class="facts">
          <div class="fact"><dt>{t('em.col.person')}</dt><dd>{o.person_name} · <Link href={`/cases/${encodeURIComponent(o.case_id)}`}>{t('em.case_number', { number: o.case_number })}</Link></dd></div>
          {o.decision ? <div class="fact"><dt>{t('em.order.decision')}</dt><dd>{t('em.decision.line', { authority: o.decision.authority, number: o.decision.number ?? '—', date: formatDay(o.decision.decided_on, lang) })}</dd></div> : null}
          <div class="fact"><dt>{t('em.order.modes')}</dt><dd id="em-order-modes"><ModeList modes={o.modes} /></dd></div>
          <div class="fact"><dt>{t('em.order.period.label')}</dt><dd>{t('em.order.period', { from: formatDay(o.starts_on, lang), to: formatDay(o.ends_on, lang) })}</dd></div>
          <div class="fact"><dt>{t('em.order.status')}</dt><dd>{codeLabel(t, 'em.order.status', o.status)}{o.end_reason ? ` · ${o.end_reason}` : ''}</dd></div>
          {o.home_address ? <div class="fact"><dt>{t('em.order.home_address')}</dt><dd>{o.home_address}</dd></div> : null}
          <div class="fact"><dt>{t('em.order.household_effect')}</dt><dd class="pre-line">{o.household_effect}</dd></div>
          <div class="fact"><dt>{t('em.col.open_alerts')}</dt><dd>{o.open_alerts}</dd></div>
        </dl>
        {o.modes.curfew ? (<><h3>{t('em.curfew.title')}</h3><CurfewList windows={o.curfew ?? []} />
          {o.curfew_grace_min != null ? <p class="hint">{t('em.order.grace.value', { n: o.curfew_grace_min })}</p> : null}</>) : null}
        {canEdit && !editing ? <button type="button" class="button button-secondary" id="em-order-edit" onClick={() => setEditing(true)}>{t('em.order.edit')}</button> : null}
        {editing ? <OrderForm order={o} onCancel={() => setEditing(false)} onSaved={() => { setEditing(false); onChanged(t('em.saved')); }} /> : null}
        {canEdit && !editing ? <EndOrder order={o} onDone={() => onChanged(t('em.order.ended'))} /> : null}
      </section>

      <section class="card" aria-labelledby="em-map-heading" id="em-map-card">
        <h2 id="em-map-heading">{t('em.map.title')}</h2>
        <MapView id="em-order-map" label={t('em.map.label', { name: o.person_name })} zones={zones} home={home}
          position={pos} trail={(trail?.fixes ?? []).map((f) => ({ lat: f.lat, lon: f.lon, accuracy_m: f.accuracy_m }))}
          draft={draft} onPick={pickHandler ?? undefined} fitKey={`${o.id}:${trail?.from ?? ''}:${trail?.fixes.length ? 1 : 0}:${pos ? 1 : 0}:${zones.length}`} />
        <ul class="em-legend" aria-label={t('em.map.legend')}>
          {o.modes.inclusion ? <li><span class="em-swatch em-swatch-inclusion" />{t('em.zone.kind.inclusion')}</li> : null}
          {o.modes.exclusion ? <li><span class="em-swatch em-swatch-exclusion" />{t('em.zone.kind.exclusion')}</li> : null}
          {o.modes.inclusion || o.modes.exclusion ? <li><span class="em-swatch em-swatch-buffer" />{t('em.zone.buffer')}</li> : null}
          {home ? <li><span class="em-swatch em-swatch-home" />{t('em.map.home')}</li> : null}
          <li><span class="em-swatch em-swatch-position" />{t('em.map.position')}</li>
          {o.modes.trail ? <li><span class="em-swatch em-swatch-trail" />{t('em.trail.title')}</li> : null}
        </ul>
        <PositionText order={o} position={position} />
        <ZoneList order={o} zones={zones} canEdit={canEdit} onChanged={onChanged} />
        {canEdit && (o.modes.inclusion || o.modes.exclusion) ? (
          <ZoneEditor order={o} onDraft={setDraft} onPickHandler={(h) => setPickHandler(() => h)} onChanged={onChanged} />
        ) : null}
      </section>

      <TrailCard order={o} onTrail={setTrail} />
      <Fittings order={o} onChanged={onChanged} />
      <Absences order={o} canEdit={canEdit} onChanged={onChanged} />
    </>
  );
}

function usePosition(o: Order): Position | null {
  const [p, setP] = useState<Position | null>(null);
  useEffect(() => {
    if (!(o.modes.trail || o.modes.inclusion || o.modes.exclusion || o.modes.curfew)) return undefined;
    let live = true;
    const ask = (background: boolean) => get<Position>(`/api/v1/em/orders/${encodeURIComponent(o.id)}/position`,
      background ? { headers: { 'X-Kadam-Background': '1' } } : {})
      .then((r) => { if (live) setP(r); }, () => { if (live) setP(null); });
    void ask(false);
    const timer = window.setInterval(() => void ask(true), POSITION_MS);
    return () => { live = false; window.clearInterval(timer); };
  }, [o.id]);
  return p;
}

function PositionText({ order: o, position: p }: { order: Order; position: Position | null }) {
  const { t } = useI18n();
  const dates = useDates();
  if (!p) return <p id="em-position" role="status">{t('em.position.none')}</p>;
  const parts: string[] = [];
  if (p.lat != null && p.lon != null) {
    parts.push(t('em.position.at', { when: dates.short(p.at, true), coords: coords(p.lat, p.lon) }));
    if (p.accuracy_m != null) parts.push(t('em.position.accuracy', { d: distanceText(t, p.accuracy_m) }));
  } else parts.push(t('em.position.when', { when: dates.short(p.at, true) }));
  if (p.at_home === true) parts.push(t('em.position.home'));
  if (p.at_home === false) parts.push(t('em.position.away'));
  for (const z of p.inside ?? []) {
    const zone = (o.zones ?? []).find((x) => x.id === z.zone_id);
    if (zone) parts.push(t(z.inside ? 'em.position.inside' : 'em.position.outside', { zone: zone.name }));
  }
  if (p.stale) parts.push(t('em.position.stale'));
  if (p.battery_pct != null) parts.push(t('em.position.battery', { n: p.battery_pct }));
  return <p id="em-position" role="status">{parts.join(' ')}</p>;
}

function zoneShapeText(t: ReturnType<typeof useI18n>['t'], z: Zone): string {
  if (z.shape === 'circle' && z.center && z.radius_m) return t('em.zone.circle', { coords: coords(z.center.lat, z.center.lon), r: distanceText(t, z.radius_m) });
  const ring = Array.isArray(z.geometry?.coordinates) ? ((z.geometry?.coordinates as unknown[])[0] as unknown[] | undefined) : undefined;
  return t('em.zone.polygon', { n: Math.max(0, (ring?.length ?? 1) - 1) });
}

function ZoneList({ order: o, zones, canEdit, onChanged }: { order: Order; zones: Zone[]; canEdit: boolean; onChanged: (text: string) => void }) {
  const { t } = useI18n();
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <>
      <h3>{t('em.zones.title')}</h3>
      {zones.length === 0 ? <p id="em-zones-none">{t('em.zones.none')}</p> : (
        <div class="table-wrap">
          <table class="table" id="em-zones-table">
            <caption class="visually-hidden">{t('em.zones.title')}</caption>
            <thead><tr><th scope="col">{t('em.zone.name')}</th><th scope="col">{t('em.zone.kind')}</th><th scope="col">{t('em.zone.shape')}</th><th scope="col">{t('em.zone.buffer')}</th>{canEdit ? <th scope="col"><span class="visually-hidden">{t('em.col.actions')}</span></th> : null}</tr></thead>
            <tbody>
              {zones.map((z) => (
                <Fragment key={z.id}>
                  <tr data-id={z.id}>
                    <th scope="row">{z.name}</th>
                    <td>{codeLabel(t, 'em.zone.kind', z.kind)}</td>
                    <td>{zoneShapeText(t, z)}</td>
                    <td>{distanceText(t, z.buffer_m)}</td>
                    {canEdit ? (
                      <td>
                        <button type="button" class="button button-small button-secondary" id={`em-ze-open-${z.id}`}
                          aria-expanded={editing === z.id} aria-label={t('em.zone.edit.named', { name: z.name })}
                          onClick={() => setEditing(editing === z.id ? null : z.id)}>{editing === z.id ? t('action.cancel') : t('em.zone.edit')}</button>
                      </td>
                    ) : null}
                  </tr>
                  {canEdit && editing === z.id ? (
                    <tr class="em-zone-edit-row">
                      <td colSpan={5}><ZoneEdit zone={z} onDone={(text) => { setEditing(null); onChanged(text); }} /></td>
                    </tr>
                  ) : null}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p><a class="button button-small button-secondary" id="em-zones-export" href={`/api/v1/em/orders/${encodeURIComponent(o.id)}/zones.geojson`}
        download={`zones-${o.case_number}.geojson`}>{t('em.zones.export')}</a></p>
    </>
  );
}

/** The body of PUT /em/zones/{id}: the whole zone (the server replaces it), with the changes made here. */
function zoneBody(z: Zone, name: string, buffer: number, radius: number): Record<string, unknown> {
  const body: Record<string, unknown> = { kind: z.kind, name, shape: z.shape, buffer_m: buffer };
  if (z.shape === 'circle') {
    body.center = z.center;
    body.radius_m = radius;
  } else body.geometry = z.geometry;
  return body;
}

function ZoneEdit({ zone: z, onDone }: { zone: Zone; onDone: (text: string) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState(z.name);
  const [buffer, setBuffer] = useState(String(z.buffer_m));
  const [radius, setRadius] = useState(String(z.radius_m ?? ''));
  const [reason, setReason] = useState('');
  const { busy, error, run } = useAction();
  const retire = useAction();
  const fe = fieldErrors(error, t);
  const ids = { name: `em-ze-name-${z.id}`, buffer_m: `em-ze-buffer-${z.id}`, radius_m: `em-ze-radius-${z.id}` };
  const labels = { name: t('em.zone.name'), buffer_m: t('em.zone.buffer_m'), radius_m: t('em.zone.radius') };
  return (
    <div class="em-zone-edit">
      <form class="form" noValidate id={`em-ze-${z.id}`} onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          await request('PUT', `/api/v1/em/zones/${encodeURIComponent(z.id)}`, {
            body: zoneBody(z, name.trim(), buffer.trim() === '' ? 0 : Number(buffer), Number(radius)), ifMatch: String(z.version),
          });
          onDone(t('em.saved'));
        });
      }}>
        <FormError error={error} fields={ids} labels={labels} />
        <TextField id={ids.name} label={labels.name} value={name} onValue={setName} maxLength={100} error={fe.name} />
        <TextField id={ids.buffer_m} label={labels.buffer_m} value={buffer} onValue={setBuffer} type="number" min={0} max={5000} error={fe.buffer_m} />
        {z.shape === 'circle' ? (
          <TextField id={ids.radius_m} label={labels.radius_m} value={radius} onValue={setRadius} type="number" min={10} max={100000} error={fe.radius_m} />
        ) : null}
        <div class="button-row">
          <button type="submit" class="button button-small" id={`em-ze-save-${z.id}`} disabled={busy}>{t('em.save')}</button>
        </div>
      </form>
      <form class="form" noValidate id={`em-zr-${z.id}`} onSubmit={(e) => {
        e.preventDefault();
        void retire.run(async () => {
          await request('POST', `/api/v1/em/zones/${encodeURIComponent(z.id)}/retirement`, { body: { reason: reason.trim() }, ifMatch: String(z.version) });
          onDone(t('em.zone.retired'));
        });
      }}>
        <FormError error={retire.error} fields={{ reason: `em-zr-reason-${z.id}` }} labels={{ reason: t('em.zone.retire.reason') }} />
        <TextField id={`em-zr-reason-${z.id}`} label={t('em.zone.retire.reason')} value={reason} onValue={setReason} maxLength={500}
          error={fieldErrors(retire.error, t).reason} />
        <div class="button-row">
          <button type="submit" class="button button-small button-secondary" id={`em-zr-submit-${z.id}`} disabled={retire.busy}>{t('em.zone.retire')}</button>
        </div>
      </form>
    </div>
  );
}

function ZoneEditor({ order: o, onDraft, onPickHandler, onChanged }: {
  order: Order; onDraft: (d: MapDraft | null) => void; onPickHandler: (h: ((lat: number, lon: number) => void) | null) => void;
  onChanged: (text: string) => void;
}) {
  const { t } = useI18n();
  const kinds = (['inclusion', 'exclusion'] as const).filter((k) => o.modes[k]);
  const [open, setOpen] = useState(false);
  const [shape, setShape] = useState<'polygon' | 'circle'>('polygon');
  const [kind, setKind] = useState<'inclusion' | 'exclusion'>(kinds[0] ?? 'inclusion');
  const [name, setName] = useState('');
  const [buffer, setBuffer] = useState('50');
  const [radius, setRadius] = useState('200');
  const [points, setPoints] = useState<[number, number][]>([]);
  const [center, setCenter] = useState<{ lat: number; lon: number } | null>(null);
  const { busy, error, setError, run } = useAction();
  const imp = useAction();
  const fe = fieldErrors(error, t);
  useEffect(() => {
    if (!open) { onDraft(null); onPickHandler(null); return; }
    onDraft({ shape, kind, points, center, radius_m: Number(radius) || 0 });
    onPickHandler(shape === 'polygon'
      ? (lat, lon) => setPoints((ps) => [...ps, [lat, lon]])
      : (lat, lon) => setCenter({ lat, lon }));
  }, [open, shape, kind, points, center, radius]);
  useEffect(() => () => { onDraft(null); onPickHandler(null); }, []);
  const reset = () => { setPoints([]); setCenter(null); setName(''); setError(null); };
  const addCentre = () => {
    const c = mapCentre('em-order-map');
    if (!c) return;
    if (shape === 'polygon') setPoints((ps) => [...ps, [c.lat, c.lon]]);
    else setCenter(c);
  };
  const save = () => void run(async () => {
    const body: Record<string, unknown> = { kind, name: name.trim(), buffer_m: Number(buffer) || 0, shape };
    if (shape === 'polygon') {
      if (points.length < 3) throw new ApiError('points', 422, { type: 'urn:kadam:problem:validation-failed', slug: 'validation-failed', title: '', status: 422, detail: '', errors: [{ field: 'geometry', message: t('em.zone.points.min') }], body: {} });
      const ring = points.map(([la, lo]) => [lo, la]);
      ring.push(ring[0] as number[]);
      body.geometry = { type: 'Polygon', coordinates: [ring] };
    } else {
      body.center = center;
      body.radius_m = Number(radius) || 0;
    }
    await request('POST', `/api/v1/em/orders/${encodeURIComponent(o.id)}/zones`, { body });
    reset();
    setOpen(false);
    onChanged(t('em.zone.added'));
  });
  if (!open) {
    return (
      <>
        <div class="button-row">
          <button type="button" class="button" id="em-zone-new" onClick={() => { imp.setError(null); setOpen(true); }}>{t('em.zone.new')}</button>
          <input type="file" id="em-zone-import" class="visually-hidden em-file" accept=".geojson,.json,application/geo+json,application/json"
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              e.currentTarget.value = '';
              if (!file) return;
              void imp.run(async () => {
                const text = await file.text();
                await request('POST', `/api/v1/em/orders/${encodeURIComponent(o.id)}/zones/import`, { jsonText: text });
                onChanged(t('em.zones.imported'));
              });
            }} />
          <label class="button button-secondary" for="em-zone-import">{t('em.zones.import')}</label>
        </div>
        <p class="hint">{t('em.zones.import.hint')}</p>
        <FormError error={imp.error} />
      </>
    );
  }
  return (
    <form class="form form-wide" noValidate id="em-zone-form" aria-labelledby="em-zone-form-title" onSubmit={(e) => { e.preventDefault(); save(); }}>
      <h3 id="em-zone-form-title">{t('em.zone.new')}</h3>
      <p class="hint" role="status" id="em-zone-help">
        {shape === 'polygon' ? t('em.zone.help.polygon', { n: points.length }) : center ? t('em.zone.help.circle_set', { coords: coords(center.lat, center.lon) }) : t('em.zone.help.circle')}
      </p>
      <FormError error={error} fields={{ kind: 'em-zone-kind', name: 'em-zone-name', buffer_m: 'em-zone-buffer', radius_m: 'em-zone-radius', geometry: 'em-zone-centre', center: 'em-zone-centre' }}
        labels={{ kind: t('em.zone.kind'), name: t('em.zone.name'), buffer_m: t('em.zone.buffer_m'), radius_m: t('em.zone.radius'), geometry: t('em.zone.shape'), center: t('em.zone.shape') }} />
      <SelectField id="em-zone-shape" label={t('em.zone.shape')} value={shape} onValue={(v) => { setShape(v === 'circle' ? 'circle' : 'polygon'); setPoints([]); setCenter(null); }}
        options={[{ value: 'polygon', label: t('em.zone.shape.polygon') }, { value: 'circle', label: t('em.zone.shape.circle') }]} />
      <SelectField id="em-zone-kind" label={t('em.zone.kind')} value={kind} onValue={(v) => setKind(v === 'exclusion' ? 'exclusion' : 'inclusion')}
        options={kinds.map((k) => ({ value: k, label: codeLabel(t, 'em.zone.kind', k) }))} error={fe.kind} />
      <TextField id="em-zone-name" label={t('em.zone.name')} value={name} onValue={setName} maxLength={100} error={fe.name} />
      <TextField id="em-zone-buffer" label={t('em.zone.buffer_m')} value={buffer} onValue={setBuffer} type="number" min={0} max={5000}
        hint={t('em.zone.buffer.hint')} error={fe.buffer_m} />
      {shape === 'circle' ? (
        <TextField id="em-zone-radius" label={t('em.zone.radius')} value={radius} onValue={setRadius} type="number" min={10} max={100000} error={fe.radius_m} />
      ) : null}
      <div class="em-editor-tools">
        <button type="button" class="button button-small button-secondary" id="em-zone-centre" onClick={addCentre}>
          {shape === 'polygon' ? t('em.zone.add_centre') : t('em.zone.set_centre')}
        </button>
        {shape === 'polygon' ? (
          <button type="button" class="button button-small button-secondary" id="em-zone-undo" disabled={!points.length}
            onClick={() => setPoints((ps) => ps.slice(0, -1))}>{t('em.zone.undo')}</button>
        ) : null}
      </div>
      {fe.geometry || fe.center ? <p class="field-error" role="alert">{fe.geometry ?? fe.center}</p> : null}
      <div class="button-row">
        <button type="submit" class="button" id="em-zone-save" disabled={busy}>{shape === 'polygon' ? t('em.zone.close_save') : t('em.save')}</button>
        <button type="button" class="button button-secondary" id="em-zone-cancel" disabled={busy} onClick={() => { reset(); setOpen(false); }}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}

function TrailCard({ order: o, onTrail }: { order: Order; onTrail: (t: Trail | null) => void }) {
  const { t } = useI18n();
  const zone = useTimeZone();
  const dates = useDates();
  const [day, setDay] = useState(today(zone));
  const [page, setPage] = useState(0);
  const load = useLoad((signal) => {
    if (!o.modes.trail) return Promise.resolve(null);
    const from = zonedToRfc3339(`${day}T00:00`, zone);
    const to = zonedToRfc3339(`${addDays(day, 1)}T00:00`, zone);
    return get<Trail>(`/api/v1/em/orders/${encodeURIComponent(o.id)}/trail?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { signal });
  }, [o.id, day]);
  useEffect(() => { onTrail(load.data ?? null); setPage(0); }, [load.data]);
  if (!o.modes.trail) {
    return (
      <section class="card" aria-labelledby="em-trail-heading">
        <h2 id="em-trail-heading">{t('em.trail.title')}</h2>
        <p id="em-trail-not-ordered">{t('em.trail.not_ordered')}</p>
      </section>
    );
  }
  const fixes = load.data?.fixes ?? [];
  const pages = Math.max(1, Math.ceil(fixes.length / PAGE));
  return (
    <section class="card" aria-labelledby="em-trail-heading" id="em-trail">
      <h2 id="em-trail-heading">{t('em.trail.title')}</h2>
      <div class="filters">
        <div class="field">
          <label for="em-trail-day">{t('em.trail.day')}</label>
          <input id="em-trail-day" type="date" class="input input-date" value={day} max={today(zone)} onInput={(e) => e.currentTarget.value && setDay(e.currentTarget.value)} />
        </div>
      </div>
      <LoadState load={load}>
        {(tr) => (!tr || tr.fixes.length === 0 ? <p id="em-trail-none">{t('em.trail.none')}</p> : (
          <>
            <p role="status">{t('em.trail.count', { n: tr.fixes.length })}{tr.truncated ? ` ${t('em.trail.truncated')}` : ''}</p>
            <div class="table-wrap">
              <table class="table" id="em-trail-table">
                <caption class="visually-hidden">{t('em.trail.title')}</caption>
                <thead><tr><th scope="col">{t('em.col.time')}</th><th scope="col">{t('em.col.coords')}</th><th scope="col">{t('em.col.accuracy')}</th><th scope="col">{t('em.col.speed')}</th><th scope="col">{t('em.col.events')}</th></tr></thead>
                <tbody>
                  {tr.fixes.slice(page * PAGE, page * PAGE + PAGE).map((f, n) => (
                    <tr key={n}>
                      <td class="cell-nowrap">{dates.short(f.at, true)}{f.late ? <span class="cell-sub">{t('em.trail.late')}</span> : null}</td>
                      <td>{coords(f.lat, f.lon)}</td>
                      <td>{f.accuracy_m != null ? distanceText(t, f.accuracy_m) : '—'}</td>
                      <td>{f.speed_kmh != null ? t('em.kmh', { n: Math.round(f.speed_kmh) }) : '—'}</td>
                      <td>{f.events.map((ev) => codeLabel(t, 'em.event', ev)).join(', ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {pages > 1 ? (
              <div class="button-row" role="group" aria-label={t('em.trail.pages')}>
                <button type="button" class="button button-small button-secondary" disabled={page === 0} onClick={() => setPage(page - 1)}>{t('em.prev')}</button>
                <span>{t('em.page', { n: page + 1, of: pages })}</span>
                <button type="button" class="button button-small button-secondary" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>{t('em.next')}</button>
              </div>
            ) : null}
          </>
        ))}
      </LoadState>
    </section>
  );
}

function Fittings({ order: o, onChanged }: { order: Order; onChanged: (text: string) => void }) {
  const { t } = useI18n();
  const { can } = useSession();
  const dates = useDates();
  const canFit = can('em.fit') && o.status === 'active';
  const fittings = o.fittings ?? [];
  const fitted = fittings.some((f) => !f.removed_at);
  return (
    <section class="card" aria-labelledby="em-fittings-heading" id="em-fittings">
      <h2 id="em-fittings-heading">{t('em.fittings.title')}</h2>
      {fittings.length === 0 ? <p id="em-fittings-none">{t('em.fittings.none')}</p> : (
        <div class="table-wrap">
          <table class="table" id="em-fittings-table">
            <caption class="visually-hidden">{t('em.fittings.title')}</caption>
            <thead><tr><th scope="col">{t('em.col.device')}</th><th scope="col">{t('em.fitting.fitted')}</th><th scope="col">{t('em.fitting.removed')}</th>{canFit ? <th scope="col"><span class="visually-hidden">{t('em.col.actions')}</span></th> : null}</tr></thead>
            <tbody>
              {fittings.map((f) => (
                <tr key={f.id} data-id={f.id}>
                  <th scope="row">{codeLabel(t, 'em.kind', f.device_kind)} {f.device_identifier}</th>
                  <td>{dates.short(f.fitted_at)}{f.fitted_by_name ? <span class="cell-sub">{f.fitted_by_name}</span> : null}</td>
                  <td>{f.removed_at ? <>{dates.short(f.removed_at)}<span class="cell-sub">{codeLabel(t, 'em.removal', f.removal_reason)}</span></> : <span class="badge badge-ok">{t('em.fitting.on')}</span>}</td>
                  {canFit ? <td>{!f.removed_at ? <RemoveFitting id={f.id} onDone={onChanged} /> : null}</td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canFit && !fitted ? <FitForm order={o} onDone={onChanged} /> : null}
    </section>
  );
}

function FitForm({ order: o, onDone }: { order: Order; onDone: (text: string) => void }) {
  const { t } = useI18n();
  const devices = useLoad((signal) => get<{ items: Device[] }>('/api/v1/em/devices?status=in_stock&limit=200', { signal }), []);
  const [device, setDevice] = useState('');
  const { busy, error, run } = useAction();
  return (
    <form class="form" noValidate id="em-fit-form" onSubmit={(e) => {
      e.preventDefault();
      void run(async () => {
        await request('POST', `/api/v1/em/orders/${encodeURIComponent(o.id)}/fittings`, { body: { device_id: device } });
        onDone(t('em.fitting.done'));
      });
    }}>
      <h3>{t('em.fitting.new')}</h3>
      <FormError error={error} fields={{ device_id: 'em-fit-device' }} labels={{ device_id: t('em.col.device') }} />
      <SelectField id="em-fit-device" label={t('em.col.device')} value={device} onValue={setDevice} error={fieldErrors(error, t).device_id}
        hint={devices.data && devices.data.items.length === 0 ? t('em.fitting.no_stock') : undefined}
        options={[{ value: '', label: t('em.choose') }, ...(devices.data?.items ?? []).map((d) => ({ value: d.id, label: `${codeLabel(t, 'em.kind', d.kind)} ${d.identifier}` }))]} />
      <div class="button-row"><button type="submit" class="button" id="em-fit-submit" disabled={busy || !device}>{t('em.fitting.submit')}</button></div>
    </form>
  );
}

function RemoveFitting({ id, onDone }: { id: string; onDone: (text: string) => void }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<string>('replaced');
  const [note, setNote] = useState('');
  const { busy, error, run } = useAction();
  if (!open) return <button type="button" class="button button-small button-secondary" onClick={() => setOpen(true)}>{t('em.fitting.remove')}</button>;
  return (
    <form class="form" noValidate onSubmit={(e) => {
      e.preventDefault();
      void run(async () => {
        await request('POST', `/api/v1/em/fittings/${encodeURIComponent(id)}/removal`, { body: { reason, ...(note.trim() ? { note: note.trim() } : {}) } });
        onDone(t('em.fitting.removed_done'));
      });
    }}>
      <FormError error={error} fields={{ reason: `em-rm-reason-${id}`, note: `em-rm-note-${id}` }}
        labels={{ reason: t('em.fitting.reason'), note: t('em.note') }} />
      <SelectField id={`em-rm-reason-${id}`} label={t('em.fitting.reason')} value={reason} onValue={setReason}
        options={REMOVAL_REASONS.map((r) => ({ value: r, label: codeLabel(t, 'em.removal', r) }))} />
      <TextField id={`em-rm-note-${id}`} label={t('em.note')} value={note} onValue={setNote} maxLength={500} optional />
      <div class="button-row">
        <button type="submit" class="button button-small" disabled={busy}>{t('em.fitting.remove')}</button>
        <button type="button" class="button button-small button-secondary" onClick={() => setOpen(false)}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}

function EndOrder({ order: o, onDone }: { order: Order; onDone: () => void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const { busy, error, run } = useAction();
  return (
    <details class="alert-action" id="em-order-end">
      <summary>{t('em.order.end')}</summary>
      <form class="form" noValidate onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          await request('POST', `/api/v1/em/orders/${encodeURIComponent(o.id)}/end`, { body: { reason: reason.trim() }, ifMatch: String(o.version) });
          onDone();
        });
      }}>
        <FormError error={error} fields={{ reason: 'em-end-reason' }} labels={{ reason: t('em.order.end.reason') }} />
        <TextAreaField id="em-end-reason" label={t('em.order.end.reason')} value={reason} onValue={setReason} rows={2} max={1000}
          error={fieldErrors(error, t).reason} hint={t('em.order.end.hint')} />
        <div class="button-row"><button type="submit" class="button button-secondary" disabled={busy}>{t('em.order.end')}</button></div>
      </form>
    </details>
  );
}

function Absences({ order: o, canEdit, onChanged }: { order: Order; canEdit: boolean; onChanged: (text: string) => void }) {
  const { t } = useI18n();
  const dates = useDates();
  const zone = useTimeZone();
  const list = o.absences ?? [];
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');
  const [covers, setCovers] = useState(false);
  const newBox = useRef<HTMLDetailsElement>(null);
  const { busy, error, run } = useAction();
  const fe = fieldErrors(error, t);
  if (!o.modes.curfew && !o.modes.inclusion && !o.modes.exclusion) return null;
  return (
    <section class="card" aria-labelledby="em-absences-heading" id="em-absences">
      <h2 id="em-absences-heading">{t('em.absences.title')}</h2>
      <p class="hint">{t('em.absences.about')}</p>
      {list.length === 0 ? <p id="em-absences-none">{t('em.absences.none')}</p> : (
        <ul id="em-absences-list">
          {list.map((a) => (
            <li key={a.id}>
              {t('em.absence.line', { from: dates.short(a.starts_at), to: dates.short(a.ends_at), reason: a.reason })}
              {a.covers_zones ? ` ${t('em.absence.covers_zones')}` : ''}
              {a.cancelled_at ? <> <span class="badge badge-off">{t('em.absence.cancelled')}</span></> : canEdit ? (
                <CancelAbsence id={a.id} onDone={() => onChanged(t('em.absence.cancel.done'))} />
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {canEdit ? (
        <details class="alert-action" id="em-absence-new" ref={newBox}>
          <summary>{t('em.absence.new')}</summary>
          <form class="form" noValidate onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              await request('POST', `/api/v1/em/orders/${encodeURIComponent(o.id)}/absences`, {
                body: { starts_at: zonedToRfc3339(from, zone), ends_at: zonedToRfc3339(to, zone), reason: reason.trim(), covers_zones: covers },
              });
              setFrom(''); setTo(''); setReason('');
              if (newBox.current) newBox.current.open = false;
              onChanged(t('em.absence.approved'));
            });
          }}>
            <FormError error={error} fields={{ starts_at: 'em-abs-from', ends_at: 'em-abs-to', reason: 'em-abs-reason', covers_zones: 'em-abs-zones' }}
              labels={{ starts_at: t('em.absence.from'), ends_at: t('em.absence.to'), reason: t('em.absence.reason'), covers_zones: t('em.absence.covers_zones.label') }} />
            <TextField id="em-abs-from" label={t('em.absence.from')} type="datetime-local" value={from} onValue={setFrom} error={fe.starts_at} />
            <TextField id="em-abs-to" label={t('em.absence.to')} type="datetime-local" value={to} onValue={setTo} error={fe.ends_at} />
            <TextAreaField id="em-abs-reason" label={t('em.absence.reason')} value={reason} onValue={setReason} rows={2} max={500} error={fe.reason} />
            <div class="checkbox">
              <input type="checkbox" id="em-abs-zones" checked={covers} onChange={(e) => setCovers(e.currentTarget.checked)} />
              <label for="em-abs-zones">{t('em.absence.covers_zones.label')}</label>
            </div>
            <div class="button-row"><button type="submit" class="button" disabled={busy}>{t('em.absence.approve')}</button></div>
          </form>
        </details>
      ) : null}
    </section>
  );
}

function CancelAbsence({ id, onDone }: { id: string; onDone: () => void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const { busy, error, run } = useAction();
  return (
    <details class="alert-action em-absence-cancel">
      <summary>{t('em.absence.cancel')}</summary>
      <form class="form" noValidate onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          await request('POST', `/api/v1/em/absences/${encodeURIComponent(id)}/cancellation`, { body: { reason: reason.trim() } });
          onDone();
        });
      }}>
        <FormError error={error} fields={{ reason: `em-ac-reason-${id}` }} labels={{ reason: t('em.absence.cancel.reason') }} />
        <TextField id={`em-ac-reason-${id}`} label={t('em.absence.cancel.reason')} value={reason} onValue={setReason} maxLength={500}
          error={fieldErrors(error, t).reason} />
        <div class="button-row"><button type="submit" class="button button-small button-secondary" disabled={busy}>{t('em.absence.cancel.submit')}</button></div>
      </form>
    </details>
  );
}
