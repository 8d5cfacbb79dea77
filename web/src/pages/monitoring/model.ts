// Electronic monitoring (issue 7): the shapes the EM API answers with (see the contract), the codes the
// pages translate, and small helpers shared by the monitoring pages, the case card and the map.
import { get } from '../../api';
import type { MessageKey, Params } from '../../i18n';

export type T = (key: MessageKey, params?: Params) => string;

export const DEVICE_KINDS = ['ankle_tag', 'home_unit', 'phone'] as const;
export const PROTOCOLS = ['osmand', 'gt06', 'teltonika', 'gateway'] as const;
export const DEVICE_STATUSES = ['in_stock', 'assigned', 'faulty', 'retired'] as const;
export const MODES = ['curfew', 'inclusion', 'exclusion', 'trail'] as const;
export type Mode = (typeof MODES)[number];
export const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
/** The reasons a person may give for removing a device (order_ended is the server's own, when an order ends). */
export const REMOVAL_REASONS = ['replaced', 'faulty', 'other'] as const;

/** The decision duties each mode needs besides electronic_monitoring (S23): any one of them. */
export const MODE_DUTIES: Readonly<Record<Mode, readonly string[]>> = {
  curfew: ['curfew'], inclusion: ['residence', 'travel'], exclusion: ['exclusion'], trail: [],
};

/** Whether a decision's duties allow a mode (S23). */
export function modeAllowed(duties: readonly string[], mode: Mode): boolean {
  if (!duties.includes('electronic_monitoring')) return false;
  const need = MODE_DUTIES[mode];
  return need.length === 0 || need.some((d) => duties.includes(d));
}

export interface DeviceFitting {
  id: string;
  order_id: string;
  case_id: string;
  case_number: string;
  person_name: string;
  fitted_at: string;
}

export interface Device {
  id: string;
  num: number;
  kind: string;
  identifier: string;
  protocol: string;
  model: string | null;
  phone_number: string | null;
  status: string;
  note: string | null;
  last_seen_at: string | null;
  last_fix_at: string | null;
  battery_pct: number | null;
  created_at: string;
  version: number;
  fitting: DeviceFitting | null;
}

export interface UnknownDevice {
  identifier: string;
  protocol: string;
  first_seen_at: string | null;
  last_seen_at: string | null;
  /** How many messages were refused. */
  messages: number | null;
  last_address: string | null;
}

export interface Zone {
  id: string;
  order_id: string;
  kind: 'inclusion' | 'exclusion';
  name: string;
  shape: 'polygon' | 'circle';
  geometry: GeoJsonGeometry | null;
  center: LatLon | null;
  radius_m: number | null;
  buffer_m: number;
  status: string;
  version: number;
}

export interface LatLon {
  lat: number;
  lon: number;
}

export interface GeoJsonGeometry {
  type: string;
  coordinates: unknown;
}

export interface CurfewWindow {
  days: string[];
  start: string;
  end: string;
}

export interface Absence {
  id: string;
  order_id: string;
  starts_at: string;
  ends_at: string;
  reason: string;
  covers_zones: boolean;
  approved_by_name: string | null;
  approved_at: string | null;
  cancelled_at: string | null;
}

export interface Fitting {
  id: string;
  device_id: string;
  device_identifier: string;
  device_kind: string;
  fitted_at: string;
  fitted_by_name: string | null;
  removed_at: string | null;
  removal_reason: string | null;
}

export interface OrderDecision {
  id: string;
  authority: string;
  number: string | null;
  decided_on: string;
  duties: string[];
}

export interface OrderDevice {
  id: string;
  identifier: string;
  kind: string;
  last_seen_at: string | null;
  last_fix_at: string | null;
  battery_pct: number | null;
}

export interface Order {
  id: string;
  case_id: string;
  case_number: string;
  person_id: string;
  person_name: string;
  decision_id: string;
  decision: OrderDecision | null;
  modes: Record<Mode, boolean>;
  starts_on: string;
  ends_on: string;
  home_address: string | null;
  home_lat: number | null;
  home_lon: number | null;
  home_radius_m: number | null;
  household_effect: string;
  curfew_grace_min: number | null;
  status: string;
  ended_at: string | null;
  end_reason: string | null;
  curfew?: CurfewWindow[];
  zones?: Zone[];
  absences?: Absence[];
  fittings?: Fitting[];
  device: OrderDevice | null;
  open_alerts: number;
  version: number;
}

export interface Position {
  order_id: string;
  at: string;
  received_at?: string;
  lat?: number;
  lon?: number;
  accuracy_m?: number | null;
  battery_pct?: number | null;
  at_home: boolean | null;
  inside?: { zone_id: string; inside: boolean }[];
  stale?: boolean;
}

export interface TrailFix {
  at: string;
  lat: number;
  lon: number;
  accuracy_m: number | null;
  speed_kmh: number | null;
  battery_pct: number | null;
  events: string[];
  late: boolean;
}

export interface Trail {
  order_id: string;
  from: string;
  to: string;
  fixes: TrailFix[];
  truncated: boolean;
}

export interface EvidenceFix {
  at: number | string;
  lat: number;
  lon: number;
  accuracy_m?: number | null;
}

export interface QueueAlert {
  id: string;
  rule_code: string;
  severity: string;
  summary: string;
  status: string;
  raised_at: string;
  acknowledged_at: string | null;
  escalation_level: number;
  evidence: Record<string, unknown>;
  version?: number;
}

export interface QueueItem {
  alert: QueueAlert;
  order_id: string;
  case_id: string;
  case_number: string;
  person_name: string;
  device_identifier: string | null;
  title: { ky: string; ru: string; en: string } | null;
}

export interface PoliceRequest {
  id: string;
  order_id: string | null;
  case_number: string;
  person_name?: string | null;
  requested_by_name: string | null;
  agency_name: string | null;
  legal_basis: string;
  reason: string;
  from: string;
  to: string;
  status: string;
  decided_by_name: string | null;
  decided_at: string | null;
  decision_note: string | null;
  access_until: string | null;
  version: number;
}

/** A translated code, or the code itself when the UI does not know it. */
export function codeLabel(t: T, prefix: string, code: string | null | undefined): string {
  if (!code) return '';
  const key = `${prefix}.${code}` as MessageKey;
  const text = t(key);
  return text === key ? code : text;
}

/** A distance for people: metres under a kilometre, else kilometres with one decimal. */
export function distanceText(t: T, m: number): string {
  return m < 1000 ? t('em.m', { n: Math.round(m) }) : t('em.km', { n: (m / 1000).toFixed(1) });
}

/** Coordinates as people write them (five decimals, about a metre). */
export function coords(lat: number, lon: number): string {
  return `${lat.toFixed(5)}, ${lon.toFixed(5)}`;
}

/** An evidence fix's time as an ISO string (the evaluator writes milliseconds). */
export function fixTime(at: number | string): string {
  return typeof at === 'number' ? new Date(at).toISOString() : at;
}

/** The fixes of an alert's evidence that carry coordinates. */
export function evidenceFixes(evidence: Record<string, unknown>): EvidenceFix[] {
  const list = evidence.fixes;
  if (!Array.isArray(list)) return [];
  return list.filter((f): f is EvidenceFix => typeof f === 'object' && f !== null
    && typeof (f as EvidenceFix).lat === 'number' && typeof (f as EvidenceFix).lon === 'number');
}

let tileSetting: Promise<{ url: string; attribution: string }> | null = null;

/**
 * The deployment's tile server (map_tile_url in /api/v1/system, from the server's configuration); '' when none is configured: the map then draws on a blank background with a graticule.
 */
export function tileServer(): Promise<{ url: string; attribution: string }> {
  tileSetting ??= get<Record<string, unknown>>('/api/v1/system', { no401Redirect: true }).then(
    (s) => ({
      url: typeof s.map_tile_url === 'string' ? s.map_tile_url : typeof s.em_tile_url === 'string' ? s.em_tile_url : '',
      attribution: typeof s.em_tile_attribution === 'string' ? s.em_tile_attribution : '',
    }),
    () => ({ url: '', attribution: '' }),
  );
  return tileSetting;
}

/** The path of the monitoring section's pages. */
export const orderPath = (id: string) => `/monitoring/orders/${encodeURIComponent(id)}`;

/** Days from one YYYY-MM-DD later. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
}

/** The outer ring of a polygon geometry as [lat, lon] points (GeoJSON is [lon, lat]). */
export function polygonRing(g: GeoJsonGeometry | null): [number, number][] {
  if (!g || g.type !== 'Polygon' || !Array.isArray(g.coordinates)) return [];
  const ring = (g.coordinates as unknown[])[0];
  if (!Array.isArray(ring)) return [];
  return ring.flatMap((p): [number, number][] => (Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number'
    ? [[p[1], p[0]]] : []));
}
