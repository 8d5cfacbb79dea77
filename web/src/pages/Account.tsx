// /account: who I am, my sessions (ending the others), and changing my password.
import { useState } from 'preact/hooks';
import { ApiError, del, get, post, setCsrfToken, type Items, type MySession, type StageResponse } from '../api';
import { ConfirmDialog } from '../components/Dialog';
import { FormError, Success, TextField } from '../components/Form';
import { LoadState } from '../components/LoadState';
import { useAction, useLoad } from '../hooks';
import { LANG_NAMES, isLang, useI18n } from '../i18n';
import { fieldErrors } from '../problems';
import { roleLabel } from '../labels';
import { useDates, useSession } from '../session';

/** "Firefox 128 on Windows" from a User-Agent header; the header itself when it is not recognised. */
export function describeBrowser(ua: string): string {
  if (!ua) return '—';
  const browsers: [RegExp, string][] = [
    [/Edg\/(\d+)/, 'Edge'], [/OPR\/(\d+)/, 'Opera'], [/YaBrowser\/(\d+)/, 'Yandex Browser'],
    [/Firefox\/(\d+)/, 'Firefox'], [/Chrom(?:e|ium)\/(\d+)/, 'Chrome'], [/Version\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari/, 'Safari'],
  ];
  const systems: [RegExp, string][] = [
    [/Windows/, 'Windows'], [/Android/, 'Android'], [/iPhone|iPad/, 'iOS'], [/Mac OS X/, 'macOS'], [/CrOS/, 'ChromeOS'], [/Linux/, 'Linux'],
  ];
  const browser = browsers.find(([re]) => re.test(ua));
  const system = systems.find(([re]) => re.test(ua));
  if (!browser) return ua.length > 60 ? `${ua.slice(0, 57)}…` : ua;
  const version = ua.match(browser[0])?.[1];
  const name = version ? `${browser[1]} ${version}` : browser[1];
  return system ? `${name} · ${system[1]}` : name;
}

export function Account() {
  const { t } = useI18n();
  const { user } = useSession();
  if (!user) return null;
  return (
    <>
      <h1 tabIndex={-1}>{t('account.title')}</h1>
      <section class="card" aria-labelledby="me-heading">
        <h2 id="me-heading">{t('account.me')}</h2>
        <dl class="facts">
          <div class="fact"><dt>{t('user.display_name')}</dt><dd>{user.display_name}</dd></div>
          <div class="fact"><dt>{t('login.login')}</dt><dd>{user.login}</dd></div>
          <div class="fact"><dt>{t('user.agency')}</dt><dd>{user.agency.name}</dd></div>
          <div class="fact"><dt>{t('user.unit')}</dt><dd>{user.unit?.name ?? '—'}</dd></div>
          <div class="fact">
            <dt>{t('user.roles')}</dt>
            <dd>{user.roles.map((r) => roleLabel(t, r)).join(', ') || '—'}</dd>
          </div>
          <div class="fact">
            <dt>{t('user.language')}</dt>
            <dd>{isLang(user.preferred_language) ? LANG_NAMES[user.preferred_language] : user.preferred_language}</dd>
          </div>
        </dl>
      </section>
      <Sessions />
      <ChangePassword />
    </>
  );
}

function Sessions() {
  const { t } = useI18n();
  const dates = useDates();
  const sessions = useLoad((signal) => get<Items<MySession>>('/api/v1/me/sessions', { signal }), []);
  const [ending, setEnding] = useState<MySession | null>(null);
  const [ended, setEnded] = useState(false);
  const action = useAction();

  return (
    <section class="card" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">{t('account.sessions')}</h2>
      <p class="muted">{t('account.sessions.about')}</p>
      {ended ? <Success><p>{t('account.sessions.ended')}</p></Success> : null}
      <FormError error={action.error} />
      <LoadState load={sessions}>
        {(data) => (
          <div class="table-wrap" role="region" aria-labelledby="sessions-heading" tabIndex={0}>
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">{t('account.session.created')}</th>
                  <th scope="col">{t('account.session.last_seen')}</th>
                  <th scope="col">{t('account.session.expires')}</th>
                  <th scope="col">{t('account.session.address')}</th>
                  <th scope="col">{t('account.session.browser')}</th>
                  <th scope="col"><span class="visually-hidden">{t('table.actions')}</span></th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((s) => (
                  <tr key={s.id} class={s.current ? 'is-current' : undefined}>
                    <td>{dates.short(s.created_at)}</td>
                    <td>{dates.short(s.last_seen_at)}</td>
                    <td>{dates.short(s.expires_at)}</td>
                    <td>{s.remote_addr || '—'}</td>
                    <td title={s.user_agent}>{describeBrowser(s.user_agent)}</td>
                    <td class="cell-actions">
                      {s.current ? (
                        <span class="badge badge-info">{t('account.session.this')}</span>
                      ) : (
                        <button type="button" class="button button-secondary button-small" onClick={() => setEnding(s)}>
                          {t('account.session.end')}
                          <span class="visually-hidden"> ({describeBrowser(s.user_agent)}, {s.remote_addr})</span>
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </LoadState>
      <ConfirmDialog
        open={ending !== null}
        title={t('account.session.end_title')}
        confirmLabel={t('account.session.end')}
        danger
        busy={action.busy}
        onCancel={() => setEnding(null)}
        onConfirm={() => {
          const target = ending;
          if (!target) return;
          setEnded(false);
          void action.run(async () => {
            await del(`/api/v1/me/sessions/${encodeURIComponent(target.id)}`);
            setEnded(true);
          }).then(() => {
            setEnding(null);
            sessions.reload();
          });
        }}
      >
        <p>{ending ? t('account.session.end_text', { browser: describeBrowser(ending.user_agent), address: ending.remote_addr }) : ''}</p>
      </ConfirmDialog>
    </section>
  );
}

function ChangePassword() {
  const { t } = useI18n();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [done, setDone] = useState(false);
  const { busy, error, run, setError } = useAction();
  const fe = fieldErrors(error, t);
  const wrongCurrent = error instanceof ApiError && error.slug === 'invalid-credentials';
  return (
    <section class="card" aria-labelledby="password-heading">
      <h2 id="password-heading">{t('account.password')}</h2>
      <form
        class="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setDone(false);
          if (next !== repeat) {
            setMismatch(true);
            setError(null);
            document.getElementById('acc-pw-repeat')?.focus();
            return;
          }
          setMismatch(false);
          void run(async () => {
            const r = await post<StageResponse>('/api/v1/auth/password', { current_password: current, new_password: next });
            if (r?.csrf_token) setCsrfToken(r.csrf_token);
            setCurrent('');
            setNext('');
            setRepeat('');
            setDone(true);
          });
        }}
      >
        {done ? <Success><p>{t('account.password.done')}</p></Success> : null}
        <FormError error={error} message={wrongCurrent ? t('password.error.current') : undefined}
          fields={{ current_password: 'acc-pw-current', new_password: 'acc-pw-new' }}
          labels={{ current_password: t('password.current'), new_password: t('password.new') }} />
        {mismatch ? <div class="alert alert-error" role="alert"><p>{t('password.error.mismatch')}</p></div> : null}
        <TextField id="acc-pw-current" type="password" label={t('password.current')} value={current} onValue={setCurrent}
          autocomplete="current-password" required error={wrongCurrent ? t('password.error.current') : fe.current_password} />
        <TextField id="acc-pw-new" type="password" label={t('password.new')} value={next} onValue={setNext}
          autocomplete="new-password" required hint={t('password.rules')} error={fe.new_password} />
        <TextField id="acc-pw-repeat" type="password" label={t('password.repeat')} value={repeat} onValue={setRepeat}
          autocomplete="new-password" required error={mismatch ? t('password.error.mismatch') : undefined} />
        <div class="button-row">
          <button type="submit" class="button" disabled={busy}>{t('password.change')}</button>
        </div>
      </form>
    </section>
  );
}
