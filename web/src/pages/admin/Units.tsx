// /admin/units: each agency's units as a tree (nested lists), creating a unit under a
// parent, renaming or moving one, and who works in it. Seeing another unit's staff asks
// for a purpose and a justification, which the server logs, or is refused (then, for holders of
// break_glass, emergency access can be taken): see components/UnitMembers.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, post, put, type Unit } from '../../api';
import { FormError, SelectField, Success, TextField } from '../../components/Form';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { UnitMembers } from '../../components/UnitMembers';
import { kindLabel } from '../../labels';
import { fieldErrors } from '../../problems';
import { useSession } from '../../session';
import { AdminNav } from './AdminHome';
import { getVersioned, subtreeIds, unitOptions, useReference, type Reference } from './common';

type Panel = { kind: 'create' } | { kind: 'edit'; id: string } | { kind: 'members'; unit: Unit } | null;

export function UnitsPage() {
  const { t } = useI18n();
  const { can } = useSession();
  const ref = useReference();
  const manage = can('units.manage');
  const members = can('units.members.read');
  const [panel, setPanel] = useState<Panel>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const agencyIds = [...new Set([...ref.agencies.map((a) => a.id), ...ref.units.map((u) => u.agency_id)])];
  const agencyName = (id: string) => ref.agencies.find((a) => a.id === id)?.name ?? id;
  const agencyKind = (id: string) => ref.agencies.find((a) => a.id === id)?.kind;
  const closeTo = (focusId: string | null) => {
    setPanel(null);
    if (focusId) window.setTimeout(() => document.getElementById(focusId)?.focus(), 0);
  };

  return (
    <>
      <AdminNav current="units" />
      <div class="page-head">
        <h1 tabIndex={-1}>{t('admin.units')}</h1>
        {manage && panel?.kind !== 'create' ? (
          <button type="button" class="button" onClick={() => { setPanel({ kind: 'create' }); setNotice(null); }}>
            {t('units.new')}
          </button>
        ) : null}
      </div>
      <p class="lead">{t('admin.units.about')}</p>
      {notice ? <Success><p>{notice}</p></Success> : null}

      {panel?.kind === 'create' ? (
        <section class="card" aria-labelledby="unit-new-heading">
          <h2 id="unit-new-heading">{t('units.new')}</h2>
          <UnitForm reference={ref} onCancel={() => setPanel(null)} onSaved={(u) => {
            setPanel(null);
            setNotice(t('units.created', { name: u.name }));
            ref.reloadUnits();
          }} />
        </section>
      ) : null}
      {panel?.kind === 'edit' ? (
        <UnitEditor key={panel.id} id={panel.id} reference={ref} onClose={() => closeTo(`unit-edit-${panel.id}`)}
          onSaved={(u) => {
            setPanel(null);
            setNotice(t('units.saved', { name: u.name }));
            ref.reloadUnits();
          }} />
      ) : null}
      {panel?.kind === 'members' ? (
        <UnitMembers key={panel.unit.id} unit={panel.unit} idPrefix="members" card="editor" focusHeading
          onClose={() => closeTo(`unit-members-${panel.unit.id}`)} />
      ) : null}

      {!ref.ready ? <p class="muted" role="status">{t('status.loading')}</p> : agencyIds.length === 0 ? (
        <p>{t('units.none')}</p>
      ) : agencyIds.map((agencyId) => {
        const roots = ref.units.filter((u) => u.agency_id === agencyId && (!u.parent_id || !ref.units.some((p) => p.id === u.parent_id)));
        const kind = agencyKind(agencyId);
        return (
          <section class="card unit-agency" key={agencyId} aria-labelledby={`agency-${agencyId}`}>
            <h2 id={`agency-${agencyId}`}>
              {agencyName(agencyId)}
              {kind ? <span class="heading-sub"> · {kindLabel(t, kind)}</span> : null}
            </h2>
            {roots.length ? (
              <UnitList units={ref.units} nodes={roots} label={agencyName(agencyId)} manage={manage} members={members}
                selected={panel && panel.kind !== 'create' ? (panel.kind === 'edit' ? panel.id : panel.unit.id) : null}
                onEdit={(u) => { setPanel({ kind: 'edit', id: u.id }); setNotice(null); }}
                onMembers={(u) => { setPanel({ kind: 'members', unit: u }); setNotice(null); }}
                seen={new Set()} />
            ) : <p class="muted">{t('units.empty')}</p>}
          </section>
        );
      })}
    </>
  );
}

interface UnitListProps {
  units: readonly Unit[];
  nodes: readonly Unit[];
  label?: string;
  manage: boolean;
  members: boolean;
  selected: string | null;
  onEdit: (u: Unit) => void;
  onMembers: (u: Unit) => void;
  seen: Set<string>;
}

/** One level of the tree: a list whose items hold their children's list. */
function UnitList({ units, nodes, label, manage, members, selected, onEdit, onMembers, seen }: UnitListProps) {
  const { t } = useI18n();
  const sorted = [...nodes].sort((a, b) => a.name.localeCompare(b.name)).filter((u) => !seen.has(u.id));
  return (
    <ul class="unit-tree" aria-label={label}>
      {sorted.map((u) => {
        seen.add(u.id);
        const children = units.filter((c) => c.parent_id === u.id);
        return (
          <li key={u.id}>
            <div class={u.id === selected ? 'unit-row is-selected' : 'unit-row'}>
              <span class="unit-name">{u.name}</span>
              {children.length ? <span class="unit-count">{t('units.children', { n: children.length })}</span> : null}
              <span class="unit-actions">
                {members ? (
                  <button type="button" id={`unit-members-${u.id}`} class="button button-secondary button-small" onClick={() => onMembers(u)}
                    aria-label={`${t('units.members')}: ${u.name}`}>
                    {t('units.members')}
                  </button>
                ) : null}
                {manage ? (
                  <button type="button" id={`unit-edit-${u.id}`} class="button button-secondary button-small" onClick={() => onEdit(u)}
                    aria-label={`${t('action.edit')}: ${u.name}`}>
                    {t('action.edit')}
                  </button>
                ) : null}
              </span>
            </div>
            {children.length ? (
              <UnitList units={units} nodes={children} manage={manage} members={members} selected={selected}
                onEdit={onEdit} onMembers={onMembers} seen={seen} />
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

interface UnitFormProps {
  reference: Reference;
  initial?: Unit;
  version?: string;
  onCancel: () => void;
  onSaved: (u: Unit) => void;
  onStale?: () => void;
}

function UnitForm({ reference, initial, version, onCancel, onSaved, onStale }: UnitFormProps) {
  const { t } = useI18n();
  const p = initial ? 'unit-edit' : 'unit-new';
  const agencyIds = reference.agencies.length ? reference.agencies.map((a) => a.id) : [...new Set(reference.units.map((u) => u.agency_id))];
  const [agency, setAgency] = useState(initial?.agency_id ?? agencyIds[0] ?? '');
  const [parent, setParent] = useState(initial?.parent_id ?? '');
  const [name, setName] = useState(initial?.name ?? '');
  const { busy, error, run } = useAction();
  const fe = fieldErrors(error, t);
  const stale = error instanceof ApiError && error.status === 412;
  const exclude = initial ? subtreeIds(reference.units, initial.id) : new Set<string>();
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  return (
    <form
      class="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          const saved = initial
            ? await put<Unit>(`/api/v1/units/${encodeURIComponent(initial.id)}`, { name: name.trim(), parent_id: parent || null }, version ?? null)
            : await post<Unit>('/api/v1/units', parent ? { agency_id: agency, parent_id: parent, name: name.trim() } : { agency_id: agency, name: name.trim() });
          onSaved(saved ?? { ...(initial as Unit), name: name.trim() });
        });
      }}
    >
      <FormError error={error} fields={{ name: `${p}-name`, parent_id: `${p}-parent`, agency_id: `${p}-agency` }}
        labels={{ name: t('units.name'), parent_id: t('units.parent'), agency_id: t('user.agency') }}>
        {stale && onStale ? <button type="button" class="button" onClick={onStale}>{t('action.reload')}</button> : null}
      </FormError>
      <div class="form-grid">
        <TextField id={`${p}-name`} label={t('units.name')} value={name} onValue={setName} required autocomplete="off"
          error={fe.name} inputRef={first} />
        {initial ? null : (
          <SelectField id={`${p}-agency`} label={t('user.agency')} value={agency} required error={fe.agency_id}
            onValue={(v) => { setAgency(v); setParent(''); }}
            options={agencyIds.map((id) => ({ value: id, label: reference.agencies.find((a) => a.id === id)?.name ?? id }))} />
        )}
        <SelectField id={`${p}-parent`} label={t('units.parent')} value={parent} onValue={setParent} error={fe.parent_id}
          hint={t('units.parent.hint')}
          options={[{ value: '', label: t('units.top_level') }, ...unitOptions(reference.units, initial?.agency_id ?? agency, exclude)]} />
      </div>
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{initial ? t('action.save') : t('units.create')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}

function UnitEditor({ id, reference, onClose, onSaved }: { id: string; reference: Reference; onClose: () => void; onSaved: (u: Unit) => void }) {
  const { t } = useI18n();
  const record = useLoad(() => getVersioned<Unit>(`/api/v1/units/${encodeURIComponent(id)}`), [id]);
  return (
    <section class="card card-editor" aria-labelledby="unit-edit-heading">
      <h2 id="unit-edit-heading">{record.data ? t('units.edit_title', { name: record.data.data.name }) : t('action.edit')}</h2>
      <LoadState load={record}>
        {({ data, version }) => (
          <UnitForm key={version} reference={reference} initial={data} version={version} onCancel={onClose} onSaved={onSaved} onStale={record.reload} />
        )}
      </LoadState>
    </section>
  );
}
