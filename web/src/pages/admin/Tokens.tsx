// /admin/tokens: API tokens for machine clients — scoped to permissions, expiring, revocable.
// The secret is shown once, when the token is made.
import { useEffect, useRef, useState } from 'preact/hooks';
import { del, get, post, type AdminUser, type Items, type Role, type Token } from '../../api';
import { ConfirmDialog } from '../../components/Dialog';
import { CheckboxGroup, FormError, Success, TextField } from '../../components/Form';
import { LoadState } from '../../components/LoadState';
import { OneTimeSecret } from '../../components/Secret';
import { useAction, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { permissionLabel } from '../../labels';
import { fieldErrors } from '../../problems';
import { useDates, useSession } from '../../session';
import { AdminNav } from './AdminHome';

/** Every permission some role has (the server knows no others worth granting). */
function allPermissions(roles: readonly Role[]): string[] {
  return [...new Set(roles.flatMap((r) => r.permissions))].sort();
}

export function TokensPage() {
  const { t } = useI18n();
  const dates = useDates();
  const { can } = useSession();
  const tokens = useLoad((signal) => get<Items<Token>>('/api/v1/tokens', { signal }), []);
  const roles = useLoad((signal) => (can('roles.read')
    ? get<Items<Role>>('/api/v1/roles', { signal }).then((r) => r.items) : Promise.resolve([] as Role[])), []);
  const users = useLoad((signal) => (can('users.read')
    ? get<Items<AdminUser>>('/api/v1/users', { signal }).then((r) => r.items) : Promise.resolve([] as AdminUser[])), []);
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const [revoking, setRevoking] = useState<Token | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const revoke = useAction();
  const who = (id: string) => users.data?.find((u) => u.id === id)?.login ?? id;
  const now = Date.now();

  return (
    <>
      <AdminNav current="tokens" />
      <div class="page-head">
        <h1 tabIndex={-1}>{t('admin.tokens')}</h1>
        {!creating && !secret ? (
          <button type="button" class="button" onClick={() => { setCreating(true); setNotice(null); }}>{t('tokens.new')}</button>
        ) : null}
      </div>
      <p class="lead">{t('admin.tokens.about')}</p>
      {notice ? <Success><p>{notice}</p></Success> : null}
      <FormError error={revoke.error} />

      {secret ? (
        <OneTimeSecret id="token-secret" title={t('tokens.created', { name: secret.name })} secret={secret.secret}
          onDone={() => setSecret(null)}>
          <p>{t('tokens.secret_note')}</p>
        </OneTimeSecret>
      ) : null}

      {creating ? (
        <section class="card" aria-labelledby="token-new-heading">
          <h2 id="token-new-heading">{t('tokens.new')}</h2>
          <TokenForm permissions={allPermissions(roles.data ?? [])} onCancel={() => setCreating(false)}
            onSaved={(name, s) => {
              setCreating(false);
              setSecret({ name, secret: s });
              tokens.reload();
            }} />
        </section>
      ) : null}

      <LoadState load={tokens}>
        {(data) => (data.items.length ? (
          <div class="table-wrap" role="region" aria-labelledby="tokens-caption" tabIndex={0}>
            <table class="table">
              <caption id="tokens-caption" class="visually-hidden">{t('admin.tokens')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('tokens.name')}</th>
                  <th scope="col">{t('tokens.permissions')}</th>
                  <th scope="col">{t('tokens.created_at')}</th>
                  <th scope="col">{t('tokens.expires_at')}</th>
                  <th scope="col">{t('tokens.last_used')}</th>
                  <th scope="col">{t('user.status')}</th>
                  <th scope="col"><span class="visually-hidden">{t('table.actions')}</span></th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((tk) => {
                  const expired = Date.parse(tk.expires_at) <= now;
                  const state = tk.revoked_at ? 'revoked' : expired ? 'expired' : 'active';
                  return (
                    <tr key={tk.id}>
                      <th scope="row">{tk.name}</th>
                      <td>
                        <ul class="plain-list">
                          {tk.permissions.map((p) => <li key={p}><code>{p}</code></li>)}
                        </ul>
                      </td>
                      <td>
                        <span class="cell-main">{dates.short(tk.created_at)}</span>
                        <span class="cell-sub">{who(tk.created_by)}</span>
                      </td>
                      <td>{dates.short(tk.expires_at)}</td>
                      <td>{tk.last_used_at ? dates.short(tk.last_used_at) : t('tokens.never')}</td>
                      <td>
                        <span class={state === 'active' ? 'badge badge-ok' : 'badge badge-off'}>
                          {t(state === 'active' ? 'tokens.active' : state === 'revoked' ? 'tokens.revoked' : 'tokens.expired')}
                        </span>
                        {tk.revoked_at ? <span class="cell-sub">{dates.short(tk.revoked_at)}</span> : null}
                      </td>
                      <td class="cell-actions">
                        {state === 'active' ? (
                          <button type="button" class="button button-danger button-small" onClick={() => setRevoking(tk)}>
                            {t('tokens.revoke')}<span class="visually-hidden"> {tk.name}</span>
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : <p>{t('tokens.none')}</p>)}
      </LoadState>

      <ConfirmDialog
        open={revoking !== null}
        title={t('tokens.revoke.title', { name: revoking?.name ?? '' })}
        confirmLabel={t('tokens.revoke')}
        danger
        busy={revoke.busy}
        onCancel={() => setRevoking(null)}
        onConfirm={() => {
          const target = revoking;
          if (!target) return;
          void revoke.run(async () => {
            await del(`/api/v1/tokens/${encodeURIComponent(target.id)}`);
            setNotice(t('tokens.revoked_notice', { name: target.name }));
          }).then(() => {
            setRevoking(null);
            tokens.reload();
          });
        }}
      >
        <p>{t('tokens.revoke.text')}</p>
      </ConfirmDialog>
    </>
  );
}

function TokenForm({ permissions, onCancel, onSaved }: { permissions: string[]; onCancel: () => void; onSaved: (name: string, secret: string) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [days, setDays] = useState('90');
  const { busy, error, run } = useAction();
  const fe = fieldErrors(error, t);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  return (
    <form
      class="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          const r = await post<{ token: Token; secret: string }>('/api/v1/tokens',
            { name: name.trim(), permissions: chosen, expires_in_days: Number(days) });
          onSaved(r.token?.name ?? name.trim(), r.secret);
        });
      }}
    >
      <FormError error={error} fields={{ name: 'token-name', permissions: 'token-perms', expires_in_days: 'token-days' }}
        labels={{ name: t('tokens.name'), permissions: t('tokens.permissions'), expires_in_days: t('tokens.days') }} />
      <div class="form-grid">
        <TextField id="token-name" label={t('tokens.name')} value={name} onValue={setName} required autocomplete="off"
          hint={t('tokens.name.hint')} error={fe.name} inputRef={first} />
        <TextField id="token-days" type="number" label={t('tokens.days')} value={days} onValue={setDays} required
          min={1} max={365} inputMode="numeric" hint={t('tokens.days.hint')} error={fe.expires_in_days} />
      </div>
      <CheckboxGroup id="token-perms" legend={t('tokens.permissions')} selected={chosen} onChange={setChosen}
        error={fe.permissions} hint={t('tokens.permissions.hint')}
        options={permissions.map((p) => ({ value: p, label: permissionLabel(t, p), about: p }))} />
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{t('tokens.create')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}
