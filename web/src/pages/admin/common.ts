// Shared by the administration pages: the reference data (agencies, units, roles) a form
// needs for its selects, the unit tree, and reading a record together with its version.
import { get, request, ROLE_NAMES, type Agency, type Items, type Role, type Unit } from '../../api';
import { useLoad } from '../../hooks';
import { useSession } from '../../session';

export interface Reference {
  agencies: Agency[];
  units: Unit[];
  roles: Role[];
  /** Whether the lists are in (they stay empty where the user may not read them). */
  ready: boolean;
  reloadUnits: () => void;
  reloadAgencies: () => void;
}

export function useReference(): Reference {
  const { can } = useSession();
  const agencies = useLoad((signal) => (can('agencies.read')
    ? get<Items<Agency>>('/api/v1/agencies', { signal }).then((r) => r.items)
    : Promise.resolve([] as Agency[])), []);
  const units = useLoad((signal) => (can('units.read')
    ? get<Items<Unit>>('/api/v1/units', { signal }).then((r) => r.items)
    : Promise.resolve([] as Unit[])), []);
  const roles = useLoad((signal) => (can('roles.read')
    ? get<Items<Role>>('/api/v1/roles', { signal }).then((r) => r.items)
    : Promise.resolve(ROLE_NAMES.map((name): Role => ({ name, description: '', permissions: [] })))), []);
  return {
    agencies: agencies.data ?? [],
    units: units.data ?? [],
    roles: roles.data ?? [],
    ready: agencies.status !== 'loading' && units.status !== 'loading' && roles.status !== 'loading',
    reloadUnits: units.reload,
    reloadAgencies: agencies.reload,
  };
}

export interface TreeRow {
  unit: Unit;
  depth: number;
}

/**
 * An agency's units in tree order (each parent before its children, siblings by name),
 * with their depth. Units whose parent is missing are shown at the top level.
 */
export function unitTree(units: readonly Unit[], agencyId: string): TreeRow[] {
  const mine = units.filter((u) => u.agency_id === agencyId);
  const ids = new Set(mine.map((u) => u.id));
  const children = new Map<string | null, Unit[]>();
  for (const u of mine) {
    const parent = u.parent_id && ids.has(u.parent_id) ? u.parent_id : null;
    const list = children.get(parent) ?? [];
    list.push(u);
    children.set(parent, list);
  }
  for (const list of children.values()) list.sort((a, b) => a.name.localeCompare(b.name));
  const out: TreeRow[] = [];
  const seen = new Set<string>();
  const walk = (parent: string | null, depth: number) => {
    for (const u of children.get(parent) ?? []) {
      if (seen.has(u.id)) continue; // a cycle in bad data must not hang the page
      seen.add(u.id);
      out.push({ unit: u, depth });
      walk(u.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** The ids of a unit and everything below it (a unit cannot move under these). */
export function subtreeIds(units: readonly Unit[], rootId: string): Set<string> {
  const out = new Set<string>([rootId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const u of units) {
      if (u.parent_id && out.has(u.parent_id) && !out.has(u.id)) {
        out.add(u.id);
        grew = true;
      }
    }
  }
  return out;
}

/** Select options for an agency's units, indented by depth. */
export function unitOptions(units: readonly Unit[], agencyId: string, exclude: ReadonlySet<string> = new Set()): { value: string; label: string }[] {
  return unitTree(units, agencyId)
    .filter((r) => !exclude.has(r.unit.id))
    .map((r) => ({ value: r.unit.id, label: `${'\u00a0\u00a0\u00a0'.repeat(r.depth)}${r.unit.name}` }));
}

/** A record with the version to send back in If-Match (the ETag, else the body's version). */
export async function getVersioned<T extends { version?: number }>(path: string): Promise<{ data: T; version: string }> {
  const r = await request<T>('GET', path);
  return { data: r.data, version: r.etag ?? String(r.data.version ?? '') };
}

export function agencyName(agencies: readonly Agency[], id: string | null | undefined): string {
  if (!id) return '—';
  return agencies.find((a) => a.id === id)?.name ?? id;
}

export function unitName(units: readonly Unit[], id: string | null | undefined): string {
  if (!id) return '—';
  return units.find((u) => u.id === id)?.name ?? id;
}
