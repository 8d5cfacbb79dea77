// A typed input per catalogue parameter (S2: practical, precise conditions, not vague text):
// address / person / organisation / text -> a text input; date -> a date input; number -> a
// number input with the parameter's limits; time_window -> two times (saying when the window
// crosses midnight); weekly -> weekday boxes and two times; zone -> a name and a polygon, drawn
// on a plain coordinate grid (no map tiles are reachable offline) or pasted as GeoJSON.
import { useEffect, useRef, useState } from 'preact/hooks';
import { TextField } from '../../components/Form';
import { useI18n } from '../../i18n';
import { DateField } from '../cases/Fields';
import { crossesMidnight, inLang, WEEKDAYS, type ParamSpec, type T } from './types';

/** What the form keeps for a parameter while it is being typed. */
export type Draft =
  | string
  | { from: string; to: string }
  | { days: string[]; from: string; to: string }
  | { name: string; geojson: string };

export function emptyDraft(type: string): Draft {
  if (type === 'time_window') return { from: '', to: '' };
  if (type === 'weekly') return { days: [], from: '', to: '' };
  if (type === 'zone') return { name: '', geojson: '' };
  return '';
}

/** A stored value (from a condition) as a draft. */
export function draftOf(type: string, value: unknown): Draft {
  const v = (value ?? {}) as Record<string, unknown>;
  const s = (x: unknown) => (typeof x === 'string' ? x : '');
  if (type === 'time_window') return { from: s(v.from), to: s(v.to) };
  if (type === 'weekly') return { days: Array.isArray(v.days) ? v.days.filter((d): d is string => typeof d === 'string') : [], from: s(v.from), to: s(v.to) };
  if (type === 'zone') return { name: s(v.name), geojson: v.geometry ? JSON.stringify(v.geometry) : '' };
  if (typeof value === 'number') return String(value);
  return s(value);
}

/** The JSON values the API takes, from the drafts (empty optional parameters left out). */
export function paramValues(specs: readonly ParamSpec[], drafts: Readonly<Record<string, Draft>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of specs) {
    const d = drafts[p.name] ?? emptyDraft(p.type);
    if (typeof d === 'string') {
      const v = d.trim();
      if (!v) continue;
      out[p.name] = p.type === 'number' && /^-?\d+$/.test(v) ? Number(v) : v;
    } else if ('geojson' in d) {
      if (!d.name.trim() && !d.geojson.trim()) continue;
      let geometry: unknown = d.geojson.trim() || null;
      try {
        if (d.geojson.trim()) geometry = JSON.parse(d.geojson);
      } catch {
        /* sent as typed: the server names the field */
      }
      out[p.name] = { name: d.name.trim(), geometry };
    } else if ('days' in d) {
      if (!d.days.length && !d.from && !d.to) continue;
      out[p.name] = { days: WEEKDAYS.filter((w) => d.days.includes(w)), from: d.from, to: d.to };
    } else {
      if (!d.from && !d.to) continue;
      out[p.name] = { from: d.from, to: d.to };
    }
  }
  return out;
}

/** Each parameter's controls: the server's field name -> the control's id and label (for errors). */
export function paramFields(prefix: string, specs: readonly ParamSpec[], t: T, lang: string): Record<string, { id: string; label: string }> {
  const out: Record<string, { id: string; label: string }> = {};
  for (const p of specs) {
    const id = `${prefix}-param-${p.name}`;
    const label = inLang(p.label, lang) || p.name;
    out[`params.${p.name}`] = { id: p.type === 'time_window' || p.type === 'weekly' ? `${id}-from` : p.type === 'zone' ? `${id}-name` : id, label };
    if (p.type === 'time_window' || p.type === 'weekly') {
      out[`params.${p.name}.from`] = { id: `${id}-from`, label: `${label}: ${t('conditions.param.from')}` };
      out[`params.${p.name}.to`] = { id: `${id}-to`, label: `${label}: ${t('conditions.param.to')}` };
    }
    if (p.type === 'weekly') out[`params.${p.name}.days`] = { id: `${id}-days`, label: `${label}: ${t('conditions.param.days')}` };
    if (p.type === 'zone') {
      out[`params.${p.name}.name`] = { id: `${id}-name`, label: `${label}: ${t('conditions.param.zone_name')}` };
      out[`params.${p.name}.geometry`] = { id: `${id}-geojson`, label: `${label}: ${t('conditions.param.geometry')}` };
    }
  }
  return out;
}

interface ParamInputProps {
  prefix: string;
  spec: ParamSpec;
  value: Draft;
  onValue: (v: Draft) => void;
  /** Messages by server field name ("params.hours", "params.hours.from", ...). */
  errors: Readonly<Record<string, string>>;
}

export function ParamInput({ prefix, spec: p, value, onValue, errors }: ParamInputProps) {
  const { t, lang } = useI18n();
  const id = `${prefix}-param-${p.name}`;
  const label = inLang(p.label, lang) || p.name;
  const err = (sub = '') => errors[`params.${p.name}${sub}`];
  const optional = !p.required;
  if (p.type === 'time_window' && typeof value === 'object' && 'from' in value && !('days' in value)) {
    return (
      <fieldset class={err() ? 'field param-times has-error' : 'field param-times'} id={id}>
        <legend>{label}{optional ? <span class="optional"> {t('form.optional')}</span> : null}</legend>
        <div class="param-row">
          <TimeInput id={`${id}-from`} label={t('conditions.param.from')} value={value.from} error={err('.from') ?? err()}
            onValue={(v) => onValue({ ...value, from: v })} />
          <TimeInput id={`${id}-to`} label={t('conditions.param.to')} value={value.to} error={err('.to')}
            onValue={(v) => onValue({ ...value, to: v })} />
        </div>
        {crossesMidnight(value.from, value.to) ? <p class="hint" role="status">{t('conditions.param.overnight', { from: value.from, to: value.to })}</p> : null}
      </fieldset>
    );
  }
  if (p.type === 'weekly' && typeof value === 'object' && 'days' in value) {
    return (
      <fieldset class={err() ? 'field param-times has-error' : 'field param-times'} id={id}>
        <legend>{label}{optional ? <span class="optional"> {t('form.optional')}</span> : null}</legend>
        <div class="weekday-list" id={`${id}-days`} tabIndex={-1} role="group" aria-label={t('conditions.param.days')}>
          {WEEKDAYS.map((d) => (
            <span class="checkbox weekday" key={d}>
              <input type="checkbox" id={`${id}-day-${d}`} checked={value.days.includes(d)}
                onChange={(e) => onValue({ ...value, days: e.currentTarget.checked ? [...value.days, d] : value.days.filter((x) => x !== d) })} />
              <label for={`${id}-day-${d}`}>{t(`conditions.weekday.${d}` as Parameters<T>[0])}</label>
            </span>
          ))}
        </div>
        {err('.days') ? <p class="field-error">{err('.days')}</p> : null}
        <div class="param-row">
          <TimeInput id={`${id}-from`} label={t('conditions.param.from')} value={value.from} error={err('.from') ?? err()}
            onValue={(v) => onValue({ ...value, from: v })} />
          <TimeInput id={`${id}-to`} label={t('conditions.param.to')} value={value.to} error={err('.to')}
            onValue={(v) => onValue({ ...value, to: v })} />
        </div>
        {crossesMidnight(value.from, value.to) ? <p class="hint" role="status">{t('conditions.param.overnight', { from: value.from, to: value.to })}</p> : null}
      </fieldset>
    );
  }
  if (p.type === 'zone' && typeof value === 'object' && 'geojson' in value) {
    return <ZoneInput id={id} label={label} optional={optional} value={value} onValue={onValue}
      nameError={err('.name') ?? err()} geometryError={err('.geometry')} />;
  }
  const text = typeof value === 'string' ? value : '';
  if (p.type === 'date') {
    return <DateField id={id} label={label} value={text} onValue={onValue} optional={optional} error={err()} />;
  }
  if (p.type === 'number') {
    const hint = p.min !== undefined && p.max !== undefined ? t('conditions.param.range', { min: p.min, max: p.max }) : undefined;
    return (
      <TextField id={id} label={label} value={text} onValue={onValue} type="number" inputMode="numeric" optional={optional}
        error={err()} hint={hint} {...(p.min !== undefined ? { min: p.min } : {})} {...(p.max !== undefined ? { max: p.max } : {})} />
    );
  }
  const max = p.type === 'address' ? 300 : p.type === 'text' ? 500 : 200;
  return <TextField id={id} label={label} value={text} onValue={onValue} optional={optional} error={err()} maxLength={max} />;
}

function TimeInput({ id, label, value, onValue, error }: { id: string; label: string; value: string; onValue: (v: string) => void; error?: string | undefined }) {
  return (
    <div class={error ? 'field has-error' : 'field'}>
      <label for={id}>{label}</label>
      <input id={id} type="time" class="input input-time" value={value} onInput={(e) => onValue(e.currentTarget.value)}
        aria-invalid={error ? 'true' : undefined} aria-describedby={error ? `${id}-error` : undefined} />
      {error ? <p class="field-error" id={`${id}-error`}>{error}</p> : null}
    </div>
  );
}

// ---- zone: a polygon on a coordinate grid ----

type Point = [number, number]; // lon, lat

/** The outer ring's points (without the closing repeat), or null when the text is not a polygon. */
export function ringOf(geojson: string): Point[] | null {
  if (!geojson.trim()) return [];
  try {
    const g = JSON.parse(geojson) as { type?: string; coordinates?: unknown };
    if (g.type !== 'Polygon' || !Array.isArray(g.coordinates) || !Array.isArray(g.coordinates[0])) return null;
    const ring = (g.coordinates[0] as unknown[]).filter((p): p is Point => Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number');
    if (ring.length > 1) {
      const a = ring[0] as Point;
      const b = ring[ring.length - 1] as Point;
      if (a[0] === b[0] && a[1] === b[1]) ring.pop();
    }
    return ring;
  } catch {
    return null;
  }
}

function polygonText(points: readonly Point[]): string {
  if (!points.length) return '';
  const round = (n: number) => Math.round(n * 1e5) / 1e5;
  const ring = points.map(([x, y]) => [round(x), round(y)]);
  if (points.length >= 3) ring.push([...(ring[0] as number[])]);
  return JSON.stringify({ type: 'Polygon', coordinates: [ring] });
}

const W = 400;
const H = 300;
/** Bishkek, where most cases are: the grid starts there. */
const HOME: Point = [74.6, 42.87];

interface View {
  lon: number;
  lat: number;
  /** Degrees of latitude from the top to the bottom of the grid. */
  span: number;
}

function fitView(points: readonly Point[]): View | null {
  if (!points.length) return null;
  const lons = points.map((p) => p[0]);
  const lats = points.map((p) => p[1]);
  const minLon = Math.min(...lons);
  const maxLon = Math.max(...lons);
  const minLat = Math.min(...lats);
  const maxLat = Math.max(...lats);
  const k = Math.cos(((minLat + maxLat) / 2) * Math.PI / 180);
  const span = Math.max(maxLat - minLat, ((maxLon - minLon) * k * H) / W, 0.002) * 1.6;
  return { lon: (minLon + maxLon) / 2, lat: (minLat + maxLat) / 2, span };
}

function niceStep(span: number): number {
  const raw = span / 5;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m < 2 ? 1 : m < 5 ? 2 : 5) * p;
}

interface ZoneInputProps {
  id: string;
  label: string;
  optional: boolean;
  value: { name: string; geojson: string };
  onValue: (v: Draft) => void;
  nameError: string | undefined;
  geometryError: string | undefined;
}

function ZoneInput({ id, label, optional, value, onValue, nameError, geometryError }: ZoneInputProps) {
  const { t } = useI18n();
  const ring = ringOf(value.geojson);
  const points = ring ?? [];
  const [view, setView] = useState<View>(() => fitView(points) ?? { lon: HOME[0], lat: HOME[1], span: 0.06 });
  // The plot's width on the page, so that the labels below it do not run into each other.
  const plotRef = useRef<HTMLDivElement>(null);
  const [plotPx, setPlotPx] = useState(W);
  useEffect(() => {
    const el = plotRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return undefined;
    const ro = new ResizeObserver((entries) => { const w = entries[0]?.contentRect.width; if (w) setPlotPx(w); });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const k = Math.cos((view.lat * Math.PI) / 180);
  const latPerPx = view.span / H;
  const lonPerPx = latPerPx / k;
  const toXY = ([lon, lat]: Point) => [W / 2 + (lon - view.lon) / lonPerPx, H / 2 - (lat - view.lat) / latPerPx] as const;
  const toLonLat = (x: number, y: number): Point => [view.lon + (x - W / 2) * lonPerPx, view.lat - (y - H / 2) * latPerPx];
  const set = (next: Point[]) => onValue({ ...value, geojson: polygonText(next) });
  const step = niceStep(view.span);
  const lonStep = niceStep(view.span / k);
  // The grid lines, and their labels outside the plot (latitudes to the left, longitudes below),
  // in the page's own small type: none too close to a corner, and at most six along the bottom.
  const lines: { x1: number; y1: number; x2: number; y2: number }[] = [];
  const yLabels: { at: number; label: string }[] = [];
  const xLabels: { at: number; label: string }[] = [];
  const fmt = (n: number, s: number) => n.toFixed(Math.max(0, -Math.floor(Math.log10(s))));
  for (let lat = Math.ceil((view.lat - view.span / 2) / step) * step; lat <= view.lat + view.span / 2; lat += step) {
    const [, y] = toXY([view.lon, lat]);
    lines.push({ x1: 0, y1: y, x2: W, y2: y });
    if (y > H * 0.04 && y < H * 0.96) yLabels.push({ at: (y / H) * 100, label: fmt(lat, step) });
  }
  const lonHalf = (W / 2) * lonPerPx;
  const xs: { at: number; label: string }[] = [];
  for (let lon = Math.ceil((view.lon - lonHalf) / lonStep) * lonStep; lon <= view.lon + lonHalf; lon += lonStep) {
    const [x] = toXY([lon, view.lat]);
    lines.push({ x1: x, y1: 0, x2: x, y2: H });
    if (x > W * 0.03 && x < W * 0.97) xs.push({ at: (x / W) * 100, label: fmt(lon, lonStep) });
  }
  // As many longitude labels as fit side by side at the plot's drawn width (about 7 px a character).
  const fit = Math.max(2, Math.floor(plotPx / (7 * Math.max(4, ...xs.map((l) => l.label.length)) + 14)));
  const every = Math.ceil(xs.length / Math.min(6, fit));
  xs.forEach((l, i) => { if (i % every === 0) xLabels.push(l); });
  const xy = points.map(toXY);
  const pan = (dx: number, dy: number) => setView((v) => ({ ...v, lon: v.lon + (dx * v.span) / Math.cos((v.lat * Math.PI) / 180), lat: v.lat + dy * v.span }));
  return (
    <fieldset class="field zone-field" id={id}>
      <legend>{label}{optional ? <span class="optional"> {t('form.optional')}</span> : null}</legend>
      <TextField id={`${id}-name`} label={t('conditions.param.zone_name')} value={value.name} maxLength={200}
        onValue={(v) => onValue({ ...value, name: v })} error={nameError} />
      <p class="hint" id={`${id}-map-hint`}>{t('conditions.zone.hint')}</p>
      <div class="zone-map">
        <div class="zone-plot" ref={plotRef} style={{ marginLeft: `${0.6 + 0.4 * Math.max(4, ...yLabels.map((l) => l.label.length))}rem` }}>
        <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-map-label`} aria-describedby={`${id}-map-hint`}
          onClick={(e) => {
            const svg = e.currentTarget as SVGSVGElement;
            const r = svg.getBoundingClientRect();
            const x = ((e.clientX - r.left) / r.width) * W;
            const y = ((e.clientY - r.top) / r.height) * H;
            set([...points, toLonLat(x, y)]);
          }}>
          <title id={`${id}-map-label`}>{t('conditions.zone.map', { n: points.length })}</title>
          <rect x="0" y="0" width={W} height={H} class="zone-bg" />
          {lines.map((l, i) => <line key={i} x1={l.x1} y1={l.y1} x2={l.x2} y2={l.y2} class="zone-grid" />)}
          {xy.length >= 3 ? <polygon points={xy.map(([x, y]) => `${x},${y}`).join(' ')} class="zone-shape" />
            : xy.length === 2 ? <polyline points={xy.map(([x, y]) => `${x},${y}`).join(' ')} class="zone-shape" /> : null}
          {xy.map(([x, y], i) => <circle key={i} cx={x} cy={y} r="4" class="zone-point" />)}
        </svg>
        {yLabels.map((l) => <span key={`y${l.label}`} class="zone-label zone-label-y" style={{ top: `${l.at}%` }} aria-hidden="true">{l.label}</span>)}
        {xLabels.map((l) => <span key={`x${l.label}`} class="zone-label zone-label-x" style={{ left: `${l.at}%` }} aria-hidden="true">{l.label}</span>)}
        </div>
      </div>
      <div class="button-row zone-buttons">
        <button type="button" class="button button-secondary button-small" onClick={() => set(points.slice(0, -1))} disabled={!points.length}>
          {t('conditions.zone.undo')}
        </button>
        <button type="button" class="button button-secondary button-small" onClick={() => set([])} disabled={!points.length}>
          {t('conditions.zone.clear')}
        </button>
        <button type="button" class="button button-secondary button-small" onClick={() => setView((v) => ({ ...v, span: v.span / 2 }))}>
          {t('conditions.zone.zoom_in')}
        </button>
        <button type="button" class="button button-secondary button-small" onClick={() => setView((v) => ({ ...v, span: v.span * 2 }))}>
          {t('conditions.zone.zoom_out')}
        </button>
        <button type="button" class="button button-secondary button-small" onClick={() => pan(-0.25, 0)}>{t('conditions.zone.west')}</button>
        <button type="button" class="button button-secondary button-small" onClick={() => pan(0.25, 0)}>{t('conditions.zone.east')}</button>
        <button type="button" class="button button-secondary button-small" onClick={() => pan(0, 0.25)}>{t('conditions.zone.north')}</button>
        <button type="button" class="button button-secondary button-small" onClick={() => pan(0, -0.25)}>{t('conditions.zone.south')}</button>
        {points.length ? (
          <button type="button" class="button button-secondary button-small" onClick={() => { const v = fitView(points); if (v) setView(v); }}>
            {t('conditions.zone.fit')}
          </button>
        ) : null}
      </div>
      <div class={geometryError || ring === null ? 'field has-error' : 'field'}>
        <label for={`${id}-geojson`}>{t('conditions.param.geometry')}</label>
        <p class="hint" id={`${id}-geojson-hint`}>{t('conditions.zone.geojson_hint')}</p>
        <textarea id={`${id}-geojson`} class="input zone-geojson" rows={3} value={value.geojson} spellcheck={false}
          onInput={(e) => {
            const text = e.currentTarget.value;
            onValue({ ...value, geojson: text });
            const r = ringOf(text);
            const v = r ? fitView(r) : null;
            if (v) setView(v);
          }}
          aria-invalid={geometryError || ring === null ? 'true' : undefined}
          aria-describedby={`${id}-geojson-hint${geometryError || ring === null ? ` ${id}-geojson-error` : ''}`} />
        {geometryError || ring === null ? (
          <p class="field-error" id={`${id}-geojson-error`}>{geometryError ?? t('conditions.zone.not_polygon')}</p>
        ) : null}
      </div>
    </fieldset>
  );
}
