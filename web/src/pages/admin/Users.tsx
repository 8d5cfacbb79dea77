// /admin/users: find accounts, create them (the one-time password is shown once), change
// them (with If-Match, so two administrators cannot overwrite each other unseen), disable
// and enable them, reset a password or a second factor.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, post, put, query, type AdminUser, type Items } from '../../api';
import { ConfirmDialog } from '../../components/Dialog';
import { CheckboxGroup, FormError, SelectField, Success, TextField } from '../../components/Form';
import { LoadState } from '../../components/LoadState';
import { OneTimeSecret } from '../../components/Secret';
import { useAction, useLoad } from '../../hooks';
import { LANGS, LANG_NAMES, useI18n, type MessageKey } from '../../i18n';
import { roleDescription, roleLabel, statusLabel } from '../../labels';
import { fieldErrors } from '../../problems';
import { useDates, useSession } from '../../session';
import { AdminNav } from './AdminHome';
import { agencyName, getVersioned, unitName, unitOptions, useReference, type Reference } from './common';

interface Filters {
  q: string;
  agency_id: string;
  unit_id: string;
  status: string;
}

const EMPTY: Filters = { q: '', agency_id: '', unit_id: '', status: '' };

export function UsersPage() {
  const { t } = useI18n();
  const { can } = useSession();
  const ref = useReference();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const users = useLoad((signal) => get<Items<AdminUser>>(`/api/v1/users${query({ ...filters })}`, { signal }),
    [filters.q, filters.agency_id, filters.unit_id, filters.status]);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ login: string; password: string } | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const manage = can('users.manage');

  const setFilter = (patch: Partial<Filters>, apply: boolean) => {
    const next = { ...draft, ...patch };
    if (patch.agency_id !== undefined && patch.agency_id !== draft.agency_id) next.unit_id = '';
    setDraft(next);
    if (apply) setFilters(next);
  };

  const agencyOptions = [{ value: '', label: t('filter.any') }, ...ref.agencies.map((a) => ({ value: a.id, label: a.name }))];
  const unitFilterOptions = [{ value: '', label: t('filter.any') },
    ...(draft.agency_id ? unitOptions(ref.units, draft.agency_id) : ref.agencies.flatMap((a) => unitOptions(ref.units, a.id)))];

  return (
    <>
      <AdminNav current="users" />
      <div class="page-head">
        <h1 tabIndex={-1}>{t('admin.users')}</h1>
        {manage && !creating && !created ? (
          <button type="button" class="button" onClick={() => { setCreating(true); setSelected(null); }}>
            {t('users.new')}
          </button>
        ) : null}
      </div>
      <p class="lead">{t('admin.users.about')}</p>

      {created ? (
        <OneTimeSecret
          id="new-user-password"
          title={t('users.created', { login: created.login })}
          secret={created.password}
          onDone={() => setCreated(null)}
        >
          <p>{t('users.otp_note')}</p>
        </OneTimeSecret>
      ) : null}

      {creating ? (
        <section class="card" aria-labelledby="create-user-heading">
          <h2 id="create-user-heading" tabIndex={-1}>{t('users.new')}</h2>
          <UserForm
            mode="create"
            reference={ref}
            onCancel={() => setCreating(false)}
            onSaved={(login, password) => {
              setCreating(false);
              setCreated({ login, password });
              users.reload();
            }}
          />
        </section>
      ) : null}

      {selected ? (
        <UserEditor
          key={selected}
          id={selected}
          reference={ref}
          manage={manage}
          onClose={() => {
            const id = selected;
            setSelected(null);
            window.setTimeout(() => document.getElementById(`manage-${id}`)?.focus(), 0);
          }}
          onChanged={users.reload}
        />
      ) : null}

      <form
        class="filters"
        role="search"
        aria-label={t('users.find')}
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
        }}
      >
        <TextField id="users-q" type="search" label={t('users.search')} value={draft.q}
          onValue={(q) => setFilter({ q }, false)} spellcheck={false} />
        {ref.agencies.length ? (
          <SelectField id="users-agency" label={t('user.agency')} value={draft.agency_id}
            onValue={(agency_id) => setFilter({ agency_id }, true)} options={agencyOptions} />
        ) : null}
        {ref.units.length ? (
          <SelectField id="users-unit" label={t('user.unit')} value={draft.unit_id}
            onValue={(unit_id) => setFilter({ unit_id }, true)} options={unitFilterOptions} />
        ) : null}
        <SelectField id="users-status" label={t('user.status')} value={draft.status}
          onValue={(status) => setFilter({ status }, true)}
          options={[{ value: '', label: t('filter.any') }, { value: 'active', label: statusLabel(t, 'active') },
            { value: 'disabled', label: statusLabel(t, 'disabled') }]} />
        <div class="filters-buttons">
          <button type="submit" class="button">{t('action.search')}</button>
          <button type="button" class="button button-secondary" onClick={() => { setDraft(EMPTY); setFilters(EMPTY); }}>
            {t('action.clear')}
          </button>
        </div>
      </form>

      <LoadState load={users}>
        {(data) => (
          <>
            <p class="muted results-count" role="status">
              {t('table.count', { n: data.items.length })}
              {manage && data.items.length ? ` ${t('users.manage_hint')}` : ''}
            </p>
            {data.items.length ? (
              <div class="table-wrap" role="region" aria-labelledby="users-caption" tabIndex={0}>
                <table class="table">
                  <caption id="users-caption" class="visually-hidden">{t('admin.users')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('user.display_name')}</th>
                      <th scope="col">{t('user.agency')} / {t('user.unit')}</th>
                      <th scope="col">{t('user.roles')}</th>
                      <th scope="col">{t('user.status')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.map((u) => (
                      <tr key={u.id} class={u.id === selected ? 'is-selected' : undefined}>
                        <th scope="row">
                          {manage ? (
                            // The name opens the account (no separate column: the table stays narrow enough for a tablet).
                            <button type="button" id={`manage-${u.id}`} class="link-button cell-main"
                              onClick={() => { setSelected(u.id); setCreating(false); }}>
                              <span class="visually-hidden">{t('users.manage')} </span>
                              {u.display_name}
                            </button>
                          ) : <span class="cell-main">{u.display_name}</span>}
                          <span class="cell-sub">{u.login}</span>
                        </th>
                        <td>
                          <span class="cell-main">{agencyName(ref.agencies, u.agency_id)}</span>
                          {u.unit_id ? <span class="cell-sub">{unitName(ref.units, u.unit_id)}</span> : null}
                        </td>
                        <td>{u.roles.map((r) => roleLabel(t, r)).join(', ') || '—'}</td>
                        <td><UserBadges user={u} /></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <p>{t('users.none')}</p>
            )}
          </>
        )}
      </LoadState>
    </>
  );
}

function UserBadges({ user }: { user: AdminUser }) {
  const { t } = useI18n();
  const dates = useDates();
  const locked = user.locked_until && Date.parse(user.locked_until) > Date.now();
  return (
    <span class="badges">
      <span class={user.status === 'active' ? 'badge badge-ok' : 'badge badge-off'}>{statusLabel(t, user.status)}</span>
      {locked ? <span class="badge badge-bad">{t('users.locked_until', { time: dates.short(user.locked_until) })}</span> : null}
      {user.password_must_change ? <span class="badge badge-info">{t('users.must_change')}</span> : null}
      {!user.totp_enrolled ? <span class="badge badge-warn">{t('users.no_totp')}</span> : null}
    </span>
  );
}

interface UserFormProps {
  mode: 'create' | 'edit';
  reference: Reference;
  initial?: AdminUser;
  version?: string;
  onCancel: () => void;
  /** create: the login and its one-time password; edit: the saved record. */
  onSaved: (login: string, password: string, saved?: AdminUser) => void;
  /** 412: the record changed under us. */
  onStale?: () => void;
}

const FIELD_IDS = (p: string) => ({
  login: `${p}-login`, display_name: `${p}-name`, agency_id: `${p}-agency`, unit_id: `${p}-unit`,
  roles: `${p}-roles`, preferred_language: `${p}-lang`,
});

function UserForm({ mode, reference, initial, version, onCancel, onSaved, onStale }: UserFormProps) {
  const { t, lang } = useI18n();
  const p = mode === 'create' ? 'u' : 'e';
  const ids = FIELD_IDS(p);
  const [login, setLogin] = useState('');
  const [name, setName] = useState(initial?.display_name ?? '');
  const [agency, setAgency] = useState(initial?.agency_id ?? reference.agencies[0]?.id ?? '');
  const [unit, setUnit] = useState(initial?.unit_id ?? '');
  const [roles, setRoles] = useState<string[]>(initial?.roles ?? []);
  const [language, setLanguage] = useState(initial?.preferred_language ?? lang);
  const { busy, error, run } = useAction();
  const fe = fieldErrors(error, t);
  const stale = error instanceof ApiError && (error.status === 412 || error.slug === 'precondition-failed');

  // The agency list may arrive after the form opens.
  useEffect(() => {
    if (!agency && reference.agencies[0]) setAgency(reference.agencies[0].id);
  }, [reference.agencies]);

  const labels: Record<string, string> = {
    login: t('login.login'), display_name: t('user.display_name'), agency_id: t('user.agency'),
    unit_id: t('user.unit'), roles: t('user.roles'), preferred_language: t('user.language'),
  };

  return (
    <form
      class="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          const body = { display_name: name.trim(), agency_id: agency, unit_id: unit || null, roles, preferred_language: language };
          if (mode === 'create') {
            const r = await post<{ user: AdminUser; one_time_password: string }>('/api/v1/users', { login: login.trim(), ...body });
            onSaved(r.user?.login ?? login.trim(), r.one_time_password);
          } else if (initial) {
            const saved = await put<AdminUser>(`/api/v1/users/${encodeURIComponent(initial.id)}`, body, version ?? null);
            onSaved(initial.login, '', saved);
          }
        });
      }}
    >
      <FormError error={error} fields={ids} labels={labels}>
        {stale && onStale ? (
          <button type="button" class="button" onClick={onStale}>{t('action.reload')}</button>
        ) : null}
      </FormError>
      <div class="form-grid">
        {mode === 'create' ? (
          <TextField id={ids.login} label={t('login.login')} value={login} onValue={setLogin} required
            autocomplete="off" spellcheck={false} autocapitalize="none" hint={t('users.login.hint')} error={fe.login} />
        ) : null}
        <TextField id={ids.display_name} label={t('user.display_name')} value={name} onValue={setName} required
          autocomplete="off" error={fe.display_name} />
        {reference.agencies.length ? (
          <SelectField id={ids.agency_id} label={t('user.agency')} value={agency} required error={fe.agency_id}
            onValue={(v) => { setAgency(v); setUnit(''); }}
            options={reference.agencies.map((a) => ({ value: a.id, label: a.name }))} />
        ) : (
          <TextField id={ids.agency_id} label={t('user.agency')} value={agency} onValue={setAgency} required error={fe.agency_id} />
        )}
        <SelectField id={ids.unit_id} label={t('user.unit')} value={unit} onValue={setUnit} error={fe.unit_id} optional
          options={[{ value: '', label: t('users.no_unit') }, ...unitOptions(reference.units, agency)]} />
        <SelectField id={ids.preferred_language} label={t('user.language')} value={language} onValue={setLanguage} required
          error={fe.preferred_language} options={LANGS.map((l) => ({ value: l, label: LANG_NAMES[l] }))} />
      </div>
      <CheckboxGroup id={ids.roles} legend={t('user.roles')} selected={roles} onChange={setRoles} error={fe.roles}
        options={reference.roles.map((r) => ({ value: r.name, label: roleLabel(t, r.name), about: roleDescription(t, r.name, r.description) }))} />
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{mode === 'create' ? t('users.create') : t('action.save')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}

type Pending = 'disable' | 'enable' | 'reset-password' | 'reset-totp' | null;

const CONFIRM: Record<Exclude<Pending, null>, { title: MessageKey; text: MessageKey; button: MessageKey; danger: boolean }> = {
  disable: { title: 'users.disable.title', text: 'users.disable.text', button: 'users.disable', danger: true },
  enable: { title: 'users.enable.title', text: 'users.enable.text', button: 'users.enable', danger: false },
  'reset-password': { title: 'users.reset_password.title', text: 'users.reset_password.text', button: 'users.reset_password', danger: true },
  'reset-totp': { title: 'users.reset_totp.title', text: 'users.reset_totp.text', button: 'users.reset_totp', danger: true },
};

interface UserEditorProps {
  id: string;
  reference: Reference;
  manage: boolean;
  onClose: () => void;
  onChanged: () => void;
}

function UserEditor({ id, reference, manage, onClose, onChanged }: UserEditorProps) {
  const { t } = useI18n();
  const dates = useDates();
  const record = useLoad(() => getVersioned<AdminUser>(`/api/v1/users/${encodeURIComponent(id)}`), [id]);
  const [pending, setPending] = useState<Pending>(null);
  const [otp, setOtp] = useState<string | null>(null);
  const [notice, setNotice] = useState<MessageKey | null>(null);
  const action = useAction();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const confirm = pending ? CONFIRM[pending] : null;
  const user = record.data?.data;

  return (
    <section class="card card-editor" aria-labelledby="edit-user-heading">
      <div class="card-head">
        <h2 id="edit-user-heading" tabIndex={-1} ref={heading}>
          {user ? t('users.edit_title', { name: user.display_name }) : t('users.manage')}
        </h2>
        <button type="button" class="button button-secondary button-small" onClick={onClose}>{t('action.close')}</button>
      </div>
      {notice ? <Success><p>{t(notice)}</p></Success> : null}
      <FormError error={action.error} />
      {otp ? (
        <OneTimeSecret id="reset-password-otp" title={t('users.reset_password.done')} secret={otp} onDone={() => setOtp(null)}>
          <p>{t('users.otp_note')}</p>
        </OneTimeSecret>
      ) : null}
      <LoadState load={record}>
        {({ data, version }) => (
          <>
            <dl class="facts facts-compact">
              <div class="fact"><dt>{t('login.login')}</dt><dd>{data.login}</dd></div>
              <div class="fact"><dt>{t('user.status')}</dt><dd><UserBadges user={data} /></dd></div>
              <div class="fact"><dt>{t('users.totp')}</dt><dd>{data.totp_enrolled ? t('users.totp.on') : t('users.totp.off')}</dd></div>
              <div class="fact"><dt>{t('users.created_at')}</dt><dd>{dates.short(data.created_at)}</dd></div>
              <div class="fact"><dt>{t('users.updated_at')}</dt><dd>{dates.short(data.updated_at)}</dd></div>
            </dl>
            {manage ? (
              <>
                <UserForm
                  key={version}
                  mode="edit"
                  reference={reference}
                  initial={data}
                  version={version}
                  onCancel={onClose}
                  onStale={record.reload}
                  onSaved={() => {
                    setNotice('users.saved');
                    record.reload();
                    onChanged();
                  }}
                />
                <h3 class="section-divider">{t('users.actions')}</h3>
                <div class="button-row">
                  {data.status === 'active' ? (
                    <button type="button" class="button button-danger" onClick={() => setPending('disable')}>{t('users.disable')}</button>
                  ) : (
                    <button type="button" class="button" onClick={() => setPending('enable')}>{t('users.enable')}</button>
                  )}
                  <button type="button" class="button button-secondary" onClick={() => setPending('reset-password')}>
                    {t('users.reset_password')}
                  </button>
                  <button type="button" class="button button-secondary" onClick={() => setPending('reset-totp')}>
                    {t('users.reset_totp')}
                  </button>
                </div>
              </>
            ) : null}
          </>
        )}
      </LoadState>
      <ConfirmDialog
        open={confirm !== null}
        title={confirm ? t(confirm.title, { name: user?.display_name ?? '' }) : ''}
        confirmLabel={confirm ? t(confirm.button) : ''}
        danger={confirm?.danger ?? false}
        busy={action.busy}
        onCancel={() => setPending(null)}
        onConfirm={() => {
          const what = pending;
          if (!what) return;
          setNotice(null);
          void action.run(async () => {
            const path = `/api/v1/users/${encodeURIComponent(id)}/${what}`;
            if (what === 'reset-password') {
              const r = await post<{ one_time_password: string }>(path, {});
              setOtp(r.one_time_password);
            } else {
              await post<AdminUser>(path, {});
              setNotice(what === 'disable' ? 'users.disabled' : what === 'enable' ? 'users.enabled' : 'users.totp_reset');
            }
          }).then(() => {
            setPending(null);
            record.reload();
            onChanged();
          });
        }}
      >
        <p>{confirm ? t(confirm.text, { name: user?.display_name ?? '' }) : ''}</p>
      </ConfirmDialog>
    </section>
  );
}
