// /admin/agencies: the organisations whose staff use Kadam (the probation service, prisons,
// courts, partners, ...): list, create, rename or change the kind.
import { useEffect, useRef, useState } from 'preact/hooks';
import { AGENCY_KINDS, ApiError, get, post, put, type Agency, type Items } from '../../api';
import { FormError, SelectField, Success, TextField } from '../../components/Form';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { kindLabel } from '../../labels';
import { fieldErrors } from '../../problems';
import { useDates, useSession } from '../../session';
import { AdminNav } from './AdminHome';
import { getVersioned } from './common';

export function AgenciesPage() {
  const { t } = useI18n();
  const dates = useDates();
  const { can } = useSession();
  const manage = can('agencies.manage');
  const agencies = useLoad((signal) => get<Items<Agency>>('/api/v1/agencies', { signal }), []);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <>
      <AdminNav current="agencies" />
      <div class="page-head">
        <h1 tabIndex={-1}>{t('admin.agencies')}</h1>
        {manage && !creating ? (
          <button type="button" class="button" onClick={() => { setCreating(true); setEditing(null); setNotice(null); }}>
            {t('agencies.new')}
          </button>
        ) : null}
      </div>
      <p class="lead">{t('admin.agencies.about')}</p>
      {notice ? <Success><p>{notice}</p></Success> : null}

      {creating ? (
        <section class="card" aria-labelledby="agency-new-heading">
          <h2 id="agency-new-heading">{t('agencies.new')}</h2>
          <AgencyForm
            onCancel={() => setCreating(false)}
            onSaved={(a) => {
              setCreating(false);
              setNotice(t('agencies.created', { name: a.name }));
              agencies.reload();
            }}
          />
        </section>
      ) : null}

      {editing ? (
        <AgencyEditor
          key={editing}
          id={editing}
          onClose={() => {
            const id = editing;
            setEditing(null);
            window.setTimeout(() => document.getElementById(`edit-${id}`)?.focus(), 0);
          }}
          onSaved={(a) => {
            setEditing(null);
            setNotice(t('agencies.saved', { name: a.name }));
            agencies.reload();
          }}
        />
      ) : null}

      <LoadState load={agencies}>
        {(data) => (
          <div class="table-wrap" role="region" aria-labelledby="agencies-caption" tabIndex={0}>
            <table class="table">
              <caption id="agencies-caption" class="visually-hidden">{t('admin.agencies')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('agencies.name')}</th>
                  <th scope="col">{t('agencies.kind')}</th>
                  <th scope="col">{t('users.updated_at')}</th>
                  {manage ? <th scope="col"><span class="visually-hidden">{t('table.actions')}</span></th> : null}
                </tr>
              </thead>
              <tbody>
                {[...data.items].sort((a, b) => a.name.localeCompare(b.name)).map((a) => (
                  <tr key={a.id} class={a.id === editing ? 'is-selected' : undefined}>
                    <th scope="row">{a.name}</th>
                    <td>{kindLabel(t, a.kind)}</td>
                    <td>{dates.short(a.updated_at)}</td>
                    {manage ? (
                      <td class="cell-actions">
                        <button type="button" id={`edit-${a.id}`} class="button button-secondary button-small"
                          onClick={() => { setEditing(a.id); setCreating(false); setNotice(null); }}>
                          {t('action.edit')}<span class="visually-hidden"> {a.name}</span>
                        </button>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </LoadState>
    </>
  );
}

interface AgencyFormProps {
  initial?: Agency;
  version?: string;
  onCancel: () => void;
  onSaved: (a: Agency) => void;
  onStale?: () => void;
}

function AgencyForm({ initial, version, onCancel, onSaved, onStale }: AgencyFormProps) {
  const { t } = useI18n();
  const p = initial ? 'agency-edit' : 'agency-new';
  const [name, setName] = useState(initial?.name ?? '');
  const [kind, setKind] = useState<string>(initial?.kind ?? 'probation');
  const { busy, error, run } = useAction();
  const fe = fieldErrors(error, t);
  const stale = error instanceof ApiError && error.status === 412;
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  return (
    <form
      class="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          const body = { name: name.trim(), kind };
          const saved = initial
            ? await put<Agency>(`/api/v1/agencies/${encodeURIComponent(initial.id)}`, body, version ?? null)
            : await post<Agency>('/api/v1/agencies', body);
          onSaved(saved ?? { ...(initial as Agency), ...body });
        });
      }}
    >
      <FormError error={error} fields={{ name: `${p}-name`, kind: `${p}-kind` }}
        labels={{ name: t('agencies.name'), kind: t('agencies.kind') }}>
        {stale && onStale ? <button type="button" class="button" onClick={onStale}>{t('action.reload')}</button> : null}
      </FormError>
      <div class="form-grid">
        <TextField id={`${p}-name`} label={t('agencies.name')} value={name} onValue={setName} required
          autocomplete="off" error={fe.name} inputRef={first} />
        <SelectField id={`${p}-kind`} label={t('agencies.kind')} value={kind} onValue={setKind} required error={fe.kind}
          options={AGENCY_KINDS.map((k) => ({ value: k, label: kindLabel(t, k) }))} />
      </div>
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{initial ? t('action.save') : t('agencies.create')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}

function AgencyEditor({ id, onClose, onSaved }: { id: string; onClose: () => void; onSaved: (a: Agency) => void }) {
  const { t } = useI18n();
  const record = useLoad(() => getVersioned<Agency>(`/api/v1/agencies/${encodeURIComponent(id)}`), [id]);
  return (
    <section class="card card-editor" aria-labelledby="agency-edit-heading">
      <h2 id="agency-edit-heading">
        {record.data ? t('agencies.edit_title', { name: record.data.data.name }) : t('action.edit')}
      </h2>
      <LoadState load={record}>
        {({ data, version }) => (
          <AgencyForm key={version} initial={data} version={version} onCancel={onClose} onSaved={onSaved} onStale={record.reload} />
        )}
      </LoadState>
    </section>
  );
}
