// The monitoring map (Leaflet): zones (inclusion green, exclusion red, their buffers dashed), the home
// and its radius, the latest position with its accuracy circle, a trail or an alert's fixes as a line
// with points, and a zone being drawn. The tile server is a deployment setting; with none, the map
// draws on a blank background with a latitude/longitude graticule and a scale, and requests nothing
// from any tile host. No image markers: points are circle markers. Keyboard: the map pans with the
// arrow keys and zooms with + and - once focused; the pages repeat everything in tables below it.
import 'leaflet/dist/leaflet.css';
import * as L from 'leaflet';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../../i18n';
import { polygonRing, tileServer, type LatLon, type Zone } from './model';
import './monitoring.css';

export interface MapPoint {
  lat: number;
  lon: number;
  accuracy_m?: number | null;
  /** Shown on hover and to screen readers through the table the page gives. */
  label?: string;
}

export interface MapDraft {
  shape: 'polygon' | 'circle';
  kind: 'inclusion' | 'exclusion';
  points: [number, number][];
  center: LatLon | null;
  radius_m: number;
}

export interface MapViewProps {
  id: string;
  /** The map's accessible name. */
  label: string;
  zones?: readonly Zone[];
  home?: { lat: number; lon: number; radius_m: number | null } | null;
  position?: MapPoint | null;
  trail?: readonly MapPoint[];
  draft?: MapDraft | null;
  /** A click on the map (the zone editor's points, the home picker). */
  onPick?: ((lat: number, lon: number) => void) | undefined;
  /** Fit the view to the content again when this changes. */
  fitKey?: string;
  small?: boolean;
  /** Where to look when there is nothing to show (Bishkek by default). */
  fallback?: LatLon;
}

const GREEN = '#1b7f3b';
const RED = '#b3261e';
const BLUE = '#1f5fbf';
const HOME = '#6a3fa0';
const STEPS = [20, 10, 5, 2, 1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0005];

function graticule(map: L.Map, layer: L.LayerGroup): void {
  layer.clearLayers();
  const b = map.getBounds();
  // A step for each axis, so that a wide map has latitude lines too (three or more each way).
  const stepFor = (span: number) => STEPS.find((s) => span / s >= 3) ?? STEPS[STEPS.length - 1] ?? 1;
  const latStep = stepFor(b.getNorth() - b.getSouth());
  const lonStep = stepFor(b.getEast() - b.getWest());
  const places = (step: number) => Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
  const style = { color: '#8a94a6', weight: 1, opacity: 0.6, interactive: false };
  const south = Math.max(-85, b.getSouth());
  const north = Math.min(85, b.getNorth());
  // Labels keep clear of the zoom buttons (top left) and the scale (bottom left): latitudes along the right
  // edge, longitudes along the bottom from the scale's width on.
  const size = map.getSize();
  for (let lat = Math.ceil(south / latStep) * latStep; lat <= north; lat += latStep) {
    layer.addLayer(L.polyline([[lat, b.getWest()], [lat, b.getEast()]], style));
    const y = map.latLngToContainerPoint([lat, b.getEast()]).y;
    if (y < 16 || y > size.y - 24) continue;
    layer.addLayer(L.marker([lat, b.getEast()], {
      interactive: false, keyboard: false,
      icon: L.divIcon({ className: 'em-grid-label em-grid-label-lat', html: `${lat.toFixed(places(latStep))}°`, iconSize: [60, 14], iconAnchor: [62, 14] }),
    }));
  }
  for (let lon = Math.ceil(b.getWest() / lonStep) * lonStep; lon <= b.getEast(); lon += lonStep) {
    layer.addLayer(L.polyline([[south, lon], [north, lon]], style));
    const x = map.latLngToContainerPoint([south, lon]).x;
    if (x < 110 || x > size.x - 50) continue;
    layer.addLayer(L.marker([south, lon], {
      interactive: false, keyboard: false,
      icon: L.divIcon({ className: 'em-grid-label', html: `${lon.toFixed(places(lonStep))}°`, iconSize: [60, 14], iconAnchor: [-2, 16] }),
    }));
  }
}

function drawZone(layer: L.LayerGroup, z: Zone, bounds: L.LatLngBounds[]): void {
  const color = z.kind === 'inclusion' ? GREEN : RED;
  const solid = { color, weight: 3, fillOpacity: 0.08, fillColor: color };
  const dashed = { color, weight: 2, dashArray: '6 6', fill: false, interactive: false };
  const tip = z.name;
  if (z.shape === 'circle' && z.center && z.radius_m) {
    const c = L.circle([z.center.lat, z.center.lon], { ...solid, radius: z.radius_m }).bindTooltip(tip);
    layer.addLayer(c);
    if (z.buffer_m > 0) {
      const outer = z.kind === 'inclusion' ? Math.max(1, z.radius_m - z.buffer_m) : z.radius_m + z.buffer_m;
      layer.addLayer(L.circle([z.center.lat, z.center.lon], { ...dashed, radius: outer }));
    }
    bounds.push(L.latLng(z.center.lat, z.center.lon).toBounds(z.radius_m * 2 + z.buffer_m * 2));
    return;
  }
  const ring = polygonRing(z.geometry);
  if (ring.length < 3) return;
  const poly = L.polygon(ring, solid).bindTooltip(tip);
  layer.addLayer(poly);
  const pb = poly.getBounds();
  bounds.push(pb);
  if (z.buffer_m > 0) {
    // The buffer band's other edge: the ring moved inwards (inclusion) or outwards (exclusion) by the buffer width.
    const inner = offsetRing(ring, z.kind === 'inclusion' ? -z.buffer_m : z.buffer_m);
    if (inner.length >= 3) layer.addLayer(L.polygon(inner, dashed));
  }
}

/**
 * A ring moved by d metres along its normals (positive: outwards), with mitred corners capped at three times the
 * width: a guide to where the buffer band ends, drawn on the map (the evaluation is the server's, with GEOS).
 */
export function offsetRing(ring: readonly [number, number][], d: number): [number, number][] {
  const pts = ring.length > 1 && ring[0]![0] === ring[ring.length - 1]![0] && ring[0]![1] === ring[ring.length - 1]![1]
    ? ring.slice(0, -1) : ring.slice();
  const n = pts.length;
  if (n < 3) return [];
  const lat0 = pts.reduce((a, p) => a + p[0], 0) / n;
  const kx = 111_320 * Math.max(0.05, Math.cos((lat0 * Math.PI) / 180));
  const ky = 110_540;
  const xy = pts.map(([la, lo]) => [lo * kx, la * ky] as const);
  let area = 0;
  for (let i = 0; i < n; i++) {
    const a = xy[i]!;
    const b = xy[(i + 1) % n]!;
    area += a[0] * b[1] - b[0] * a[1];
  }
  // Outward normal of an edge (dx, dy): (dy, -dx) for a counter-clockwise ring, (-dy, dx) for a clockwise one.
  const sign = area > 0 ? 1 : -1;
  const normal = (a: readonly [number, number], b: readonly [number, number]): [number, number] => {
    const dx = b[0] - a[0];
    const dy = b[1] - a[1];
    const len = Math.hypot(dx, dy) || 1;
    return [(sign * dy) / len, (-sign * dx) / len];
  };
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const prev = xy[(i + n - 1) % n]!;
    const cur = xy[i]!;
    const next = xy[(i + 1) % n]!;
    const n1 = normal(prev, cur);
    const n2 = normal(cur, next);
    const dot = n1[0] * n2[0] + n1[1] * n2[1];
    let mx = (n1[0] + n2[0]) / (1 + dot || 1);
    let my = (n1[1] + n2[1]) / (1 + dot || 1);
    const len = Math.hypot(mx, my);
    if (len > 3) { mx = (mx / len) * 3; my = (my / len) * 3; }
    out.push([(cur[1] + d * my) / ky, (cur[0] + d * mx) / kx]);
  }
  return out;
}

/** Leaflet's scale bar with its units in the UI language (Leaflet writes "m" and "km"). */
interface ScaleInternals {
  _getRoundNum(n: number): number;
  _updateScale(scale: HTMLElement, text: string, ratio: number): void;
  _mScale: HTMLElement;
}
let scaleWords: { m: (n: number) => string; km: (n: number) => string } = { m: (n) => `${n} m`, km: (n) => `${n} km` };
const Scale = L.Control.Scale.extend({
  _updateMetric(this: ScaleInternals, maxMeters: number) {
    const meters = this._getRoundNum(maxMeters);
    const label = meters < 1000 ? scaleWords.m(meters) : scaleWords.km(meters / 1000);
    this._updateScale(this._mScale, label, meters / maxMeters);
  },
}) as unknown as new (options?: L.Control.ScaleOptions) => L.Control.Scale;

/** The map. Everything it shows is also on the page in words (the callers' tables). */
export function MapView(p: MapViewProps) {
  const { t, lang } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const content = useRef<L.LayerGroup | null>(null);
  const grid = useRef<L.LayerGroup | null>(null);
  const pick = useRef(p.onPick);
  pick.current = p.onPick;
  const fitted = useRef<string | null>(null);
  const [tiles, setTiles] = useState<{ url: string; attribution: string } | null>(null);
  scaleWords = { m: (n) => t('em.m', { n }), km: (n) => t('em.km', { n }) };

  useEffect(() => {
    let live = true;
    void tileServer().then((s) => { if (live) setTiles(s); });
    return () => { live = false; };
  }, []);

  useEffect(() => {
    if (!box.current || !tiles) return undefined;
    const fallback = p.fallback ?? { lat: 42.8746, lon: 74.5698 };
    const m = L.map(box.current, {
      center: [fallback.lat, fallback.lon], zoom: 13, attributionControl: Boolean(tiles.url), keyboard: true,
      worldCopyJump: true, zoomControl: false,
    });
    L.control.zoom({ zoomInTitle: t('em.map.zoom_in'), zoomOutTitle: t('em.map.zoom_out') }).addTo(m);
    if (tiles.url) {
      L.tileLayer(tiles.url, { maxZoom: 19, attribution: tiles.attribution }).addTo(m);
      m.attributionControl?.setPrefix(false);
    } else {
      const g = L.layerGroup().addTo(m);
      grid.current = g;
      const redraw = () => graticule(m, g);
      m.on('moveend zoomend resize', redraw);
      redraw();
    }
    new Scale({ imperial: false }).addTo(m);
    content.current = L.layerGroup().addTo(m);
    m.on('click', (e: L.LeafletMouseEvent) => pick.current?.(e.latlng.lat, e.latlng.lng));
    map.current = m;
    trackCentre(p.id, m);
    box.current.classList.toggle('em-map-blank', !tiles.url);
    return () => {
      m.remove();
      map.current = null;
      content.current = null;
      grid.current = null;
      fitted.current = null;
    };
  }, [tiles, lang]);

  // Redraw the content whenever what the page gives changes.
  useEffect(() => {
    const m = map.current;
    const layer = content.current;
    if (!m || !layer) return;
    layer.clearLayers();
    const bounds: L.LatLngBounds[] = [];
    for (const z of p.zones ?? []) drawZone(layer, z, bounds);
    if (p.home) {
      const r = p.home.radius_m ?? 50;
      layer.addLayer(L.circle([p.home.lat, p.home.lon], { radius: r, color: HOME, weight: 2, fillOpacity: 0.05 })
        .bindTooltip(t('em.map.home')));
      layer.addLayer(L.circleMarker([p.home.lat, p.home.lon], { radius: 5, color: HOME, fillColor: HOME, fillOpacity: 1 }));
      bounds.push(L.latLng(p.home.lat, p.home.lon).toBounds(r * 4));
    }
    const trail = p.trail ?? [];
    if (trail.length) {
      const line = L.polyline(trail.map((f) => [f.lat, f.lon] as [number, number]), { color: BLUE, weight: 2, opacity: 0.8 });
      layer.addLayer(line);
      const every = Math.max(1, Math.ceil(trail.length / 2000));
      trail.forEach((f, i) => {
        if (i % every !== 0 && i !== trail.length - 1) return;
        const mk = L.circleMarker([f.lat, f.lon], { radius: 3, color: BLUE, weight: 1, fillColor: '#fff', fillOpacity: 1 });
        if (f.label) mk.bindTooltip(f.label);
        layer.addLayer(mk);
      });
      bounds.push(line.getBounds());
    }
    if (p.position) {
      const pos = p.position;
      if (pos.accuracy_m) {
        layer.addLayer(L.circle([pos.lat, pos.lon], { radius: pos.accuracy_m, color: BLUE, weight: 1, fillOpacity: 0.15, interactive: false }));
      }
      const mk = L.circleMarker([pos.lat, pos.lon], { radius: 8, color: '#fff', weight: 2, fillColor: BLUE, fillOpacity: 1 });
      mk.bindTooltip(pos.label ?? t('em.map.position'));
      layer.addLayer(mk);
      bounds.push(L.latLng(pos.lat, pos.lon).toBounds(Math.max(200, (pos.accuracy_m ?? 0) * 4)));
    }
    const d = p.draft;
    if (d) {
      const color = d.kind === 'inclusion' ? GREEN : RED;
      if (d.shape === 'polygon' && d.points.length) {
        layer.addLayer(L.polyline(d.points, { color, weight: 3, dashArray: '2 6' }));
        for (const pt of d.points) layer.addLayer(L.circleMarker(pt, { radius: 5, color, fillColor: '#fff', fillOpacity: 1, interactive: false }));
      }
      if (d.shape === 'circle' && d.center) {
        layer.addLayer(L.circle([d.center.lat, d.center.lon], { radius: d.radius_m || 1, color, weight: 3, dashArray: '2 6', interactive: false }));
        layer.addLayer(L.circleMarker([d.center.lat, d.center.lon], { radius: 5, color, fillColor: '#fff', fillOpacity: 1, interactive: false }));
      }
    }
    const key = p.fitKey ?? '';
    if (fitted.current !== key && bounds.length) {
      fitted.current = key;
      const all = bounds.reduce((acc, b) => acc.extend(b), L.latLngBounds(bounds[0]!.getSouthWest(), bounds[0]!.getNorthEast()));
      // Not animated: Leaflet drops a fit asked for while an earlier one's zoom animation runs.
      m.fitBounds(all, { padding: [20, 20], maxZoom: 17, animate: false });
    }
  }, [tiles, lang, p.zones, p.home, p.position, p.trail, p.draft, p.fitKey]);

  return (
    <div class={p.small ? 'em-map-wrap em-map-small' : 'em-map-wrap'}>
      <div id={p.id} ref={box} class="em-map" role="region" aria-label={p.label} />
      {tiles && !tiles.url ? <p class="hint em-map-note">{t('em.map.no_tiles')}</p> : null}
    </div>
  );
}

const centres = new Map<string, LatLon>();

/** The centre of the map with this id (the editor's "add the centre" button, for the keyboard). */
export function mapCentre(id: string): LatLon | null {
  return centres.get(id) ?? null;
}

function trackCentre(id: string, m: L.Map): void {
  const update = () => {
    const c = m.getCenter();
    centres.set(id, { lat: c.lat, lon: c.lng });
  };
  m.on('moveend', update);
  update();
}
