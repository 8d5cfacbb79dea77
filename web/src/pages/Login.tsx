// /login: password, then whatever the server says is still due (a new password in place of
// a one-time one, enrolling an authenticator, or a code from it), then back to the page
// the user first asked for.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, post, setCsrfToken, type Stage, type StageResponse } from '../api';
import { FormError, TextField } from '../components/Form';
import { QrCode } from '../components/QrCode';
import { CopyButton } from '../components/Secret';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { fieldErrors } from '../problems';
import { replace, safeNext } from '../router';
import { useDates, useSession } from '../session';

type Step = 'credentials' | 'password_change' | 'totp_enrol' | 'totp' | 'recovery_codes';

function stepFor(stage: Stage): Step | null {
  return stage === 'full' ? null : stage;
}

function nextPath(): string {
  return safeNext(new URLSearchParams(location.search).get('next')) ?? '/';
}

/**
 * Focuses the step's heading whenever the step changes (not on the first render), unless the
 * step put focus in its only field itself (the TOTP code).
 */
function useStepFocus(step: Step): void {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const active = document.activeElement;
    if (active instanceof HTMLInputElement && active.closest('#main')) return;
    document.querySelector<HTMLElement>('#main h1')?.focus();
  }, [step]);
}

export function Login() {
  const { t } = useI18n();
  const session = useSession();
  const initial = session.state.status === 'partial' ? stepFor(session.state.info.stage) : null;
  const [step, setStep] = useState<Step>(initial ?? 'credentials');
  // The password just typed, for the forced change (which asks for the current one).
  const password = useRef<string | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[]>([]);
  const [leaving, setLeaving] = useState(false);
  useStepFocus(step);

  // Already logged in (e.g. /login opened in a second tab): straight on.
  useEffect(() => {
    if (session.state.status === 'full' && step !== 'recovery_codes') replace(nextPath());
  }, []);

  // The part-way session ended (expired, or ended elsewhere): begin again.
  const firstState = useRef(true);
  useEffect(() => {
    if (firstState.current) {
      firstState.current = false;
      return;
    }
    if (session.state.status === 'anonymous' && step !== 'recovery_codes') {
      password.current = null;
      setStep('credentials');
    }
  }, [session.state]);

  const finish = async () => {
    setLeaving(true);
    await session.refresh();
    replace(nextPath());
  };

  const advance = (response: StageResponse) => {
    setCsrfToken(response.csrf_token);
    const next = stepFor(response.stage);
    if (next) setStep(next);
    else void finish();
  };

  const startAgain = async () => {
    try {
      await post('/api/v1/auth/logout', {}, { no401Redirect: true });
    } catch {
      /* the session may already be gone: starting again is what we want anyway */
    }
    setCsrfToken(null);
    password.current = null;
    setStep('credentials');
  };

  if (leaving) {
    return <p class="muted" role="status">{t('status.loading')}</p>;
  }

  return (
    <div class={step === 'totp_enrol' || step === 'recovery_codes' ? 'login login-wide' : 'login'}>
      {step === 'credentials' ? (
        <Credentials
          ended={session.state.status === 'anonymous' && session.state.ended}
          onDone={(response, typed) => {
            password.current = typed;
            advance(response);
          }}
        />
      ) : step === 'password_change' ? (
        <PasswordChange knownPassword={password.current} onDone={(r) => { password.current = null; advance(r); }} />
      ) : step === 'totp_enrol' ? (
        <TotpEnrol
          onDone={(codes, csrf) => {
            setCsrfToken(csrf);
            setRecoveryCodes(codes);
            setStep('recovery_codes');
          }}
        />
      ) : step === 'totp' ? (
        <TotpCheck onDone={advance} />
      ) : (
        <RecoveryCodes codes={recoveryCodes} onContinue={() => void finish()} />
      )}
      {step !== 'credentials' && step !== 'recovery_codes' ? (
        <p class="login-again">
          <button type="button" class="link-button" onClick={() => void startAgain()}>
            {t('login.start_again')}
          </button>
        </p>
      ) : null}
    </div>
  );
}

function Credentials({ ended, onDone }: { ended: boolean; onDone: (r: StageResponse, password: string) => void }) {
  const { t } = useI18n();
  const dates = useDates();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();
  const loginRef = useRef<HTMLInputElement>(null);
  useEffect(() => loginRef.current?.focus(), []);

  let message: string | undefined;
  if (error instanceof ApiError) {
    if (error.status === 423 || error.slug === 'account-locked') {
      const until = error.problem?.body.locked_until;
      message = typeof until === 'string' ? t('login.error.locked', { time: dates.long(until) }) : t('login.error.locked_unknown');
    } else if (error.status === 429 || error.slug === 'rate-limited') {
      message = error.retryAfter
        ? t('login.error.rate_limited_wait', { seconds: error.retryAfter })
        : t('login.error.rate_limited');
    } else if (error.status === 401) {
      message = t('login.error.credentials');
    }
  }
  const fe = fieldErrors(error, t);

  return (
    <>
      <h1 tabIndex={-1}>{t('login.title')}</h1>
      <p class="lead">{t('login.intro')}</p>
      {ended && !error ? (
        <div class="notice" role="status">
          <p>{t('login.session_ended')}</p>
        </div>
      ) : null}
      <form
        class="form"
        noValidate
        aria-busy={busy ? 'true' : 'false'}
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const r = await post<StageResponse>('/api/v1/auth/login', { login: login.trim(), password }, { no401Redirect: true });
            onDone(r, password);
          }).then((ok) => { if (!ok) setPassword(''); });
        }}
      >
        <FormError error={error} message={message} fields={{ login: 'login-name', password: 'login-password' }}
          labels={{ login: t('login.login'), password: t('login.password') }} />
        <TextField id="login-name" name="username" label={t('login.login')} value={login} onValue={setLogin}
          autocomplete="username" required spellcheck={false} autocapitalize="none" inputRef={loginRef}
          error={fe.login} />
        <TextField id="login-password" name="password" type="password" label={t('login.password')} value={password}
          onValue={setPassword} autocomplete="current-password" required error={fe.password} />
        <div class="button-row">
          <button type="submit" class="button" disabled={busy}>{busy ? t('login.busy') : t('login.submit')}</button>
        </div>
      </form>
    </>
  );
}

function PasswordChange({ knownPassword, onDone }: { knownPassword: string | null; onDone: (r: StageResponse) => void }) {
  const { t } = useI18n();
  const [current, setCurrent] = useState('');
  const [askCurrent, setAskCurrent] = useState(knownPassword === null);
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const { busy, error, run, setError } = useAction();
  const fe = fieldErrors(error, t);
  const wrongCurrent = error instanceof ApiError && error.slug === 'invalid-credentials';
  const currentError = wrongCurrent ? t('password.error.current') : fe.current_password;

  return (
    <>
      <h1 tabIndex={-1}>{t('password.forced.title')}</h1>
      <p class="lead">{t('password.forced.intro')}</p>
      <form
        class="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (next !== repeat) {
            setMismatch(true);
            setError(null);
            document.getElementById('pw-repeat')?.focus();
            return;
          }
          setMismatch(false);
          void run(async () => {
            try {
              const r = await post<StageResponse>('/api/v1/auth/password',
                { current_password: askCurrent ? current : knownPassword, new_password: next });
              onDone(r);
            } catch (err) {
              if (err instanceof ApiError && err.slug === 'invalid-credentials') setAskCurrent(true);
              throw err;
            }
          });
        }}
      >
        <FormError error={error} message={wrongCurrent ? t('password.error.current') : undefined}
          fields={{ current_password: 'pw-current', new_password: 'pw-new' }}
          labels={{ current_password: t('password.current'), new_password: t('password.new') }} />
        {mismatch ? (
          <div class="alert alert-error" role="alert"><p>{t('password.error.mismatch')}</p></div>
        ) : null}
        {askCurrent ? (
          <TextField id="pw-current" type="password" label={t('password.current')} value={current} onValue={setCurrent}
            autocomplete="current-password" required error={currentError} />
        ) : null}
        <TextField id="pw-new" type="password" label={t('password.new')} value={next} onValue={setNext}
          autocomplete="new-password" required hint={t('password.rules')} error={fe.new_password} />
        <TextField id="pw-repeat" type="password" label={t('password.repeat')} value={repeat} onValue={setRepeat}
          autocomplete="new-password" required error={mismatch ? t('password.error.mismatch') : undefined} />
        <div class="button-row">
          <button type="submit" class="button" disabled={busy}>{t('password.submit')}</button>
        </div>
      </form>
    </>
  );
}

/** Six digits, with spaces and other separators people type or paste removed. */
function cleanCode(code: string): string {
  return code.replace(/\D/g, '');
}

interface CodeFieldProps {
  value: string;
  onValue: (v: string) => void;
  error?: string | undefined;
  id?: string;
  /** Take focus when shown (not during enrolment, where there is first a code to scan). */
  autoFocus?: boolean;
}

function CodeField({ value, onValue, error, id = 'totp-code', autoFocus = false }: CodeFieldProps) {
  const { t } = useI18n();
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (autoFocus) ref.current?.focus();
  }, []);
  return (
    <TextField id={id} name="one-time-code" label={t('totp.code')} value={value} onValue={onValue}
      autocomplete="one-time-code" inputMode="numeric" pattern="[0-9 ]*" maxLength={7} required
      hint={t('totp.code.hint')} error={error} class="input-code" inputRef={ref} spellcheck={false} />
  );
}

interface Enrolment {
  secret: string;
  otpauth_uri: string;
}

function TotpEnrol({ onDone }: { onDone: (codes: string[], csrf: string) => void }) {
  const { t } = useI18n();
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const start = useAction();
  const confirm = useAction();
  const [code, setCode] = useState('');
  const begin = () => {
    void start.run(async () => {
      setEnrolment(await post<Enrolment>('/api/v1/auth/totp/enrol', {}));
    });
  };
  useEffect(begin, []);
  const fe = fieldErrors(confirm.error, t);
  const grouped = enrolment ? enrolment.secret.replace(/(.{4})(?=.)/g, '$1 ') : '';

  return (
    <>
      <h1 tabIndex={-1}>{t('totp.enrol.title')}</h1>
      <p class="lead">{t('totp.enrol.intro')}</p>
      {start.error ? (
        <FormError error={start.error}>
          <button type="button" class="button" onClick={begin}>{t('status.retry')}</button>
        </FormError>
      ) : null}
      {!enrolment ? (
        start.busy ? <p class="muted" role="status">{t('status.loading')}</p> : null
      ) : (
        <>
          <ol class="steps">
            <li>
              <p>{t('totp.enrol.step_app')}</p>
            </li>
            <li>
              <p>{t('totp.enrol.step_scan')}</p>
              <div class="enrol-codes">
                <QrCode text={enrolment.otpauth_uri} label={t('totp.enrol.qr_label')} />
                <div class="enrol-manual">
                  <p id="totp-secret-label">{t('totp.enrol.manual')}</p>
                  <code class="secret secret-key" id="totp-secret" aria-labelledby="totp-secret-label" data-secret={enrolment.secret}>
                    {grouped}
                  </code>
                  <p>
                    <CopyButton text={enrolment.secret} label={t('totp.enrol.copy_key')} />
                  </p>
                  <p class="hint">{t('totp.enrol.manual_hint')}</p>
                </div>
              </div>
            </li>
            <li>
              <p>{t('totp.enrol.step_code')}</p>
              <form
                class="form"
                noValidate
                onSubmit={(e) => {
                  e.preventDefault();
                  void confirm.run(async () => {
                    const r = await post<StageResponse & { recovery_codes: string[] }>('/api/v1/auth/totp/confirm', { code: cleanCode(code) });
                    onDone(r.recovery_codes ?? [], r.csrf_token);
                  }).then((ok) => { if (!ok) setCode(''); });
                }}
              >
                <FormError error={confirm.error} fields={{ code: 'totp-code' }} labels={{ code: t('totp.code') }} />
                <CodeField value={code} onValue={setCode} error={fe.code} />
                <div class="button-row">
                  <button type="submit" class="button" disabled={confirm.busy}>{t('totp.enrol.submit')}</button>
                </div>
              </form>
            </li>
          </ol>
        </>
      )}
    </>
  );
}

function TotpCheck({ onDone }: { onDone: (r: StageResponse) => void }) {
  const { t } = useI18n();
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState('');
  const { busy, error, run, setError } = useAction();
  const fe = fieldErrors(error, t);
  const invalid = error instanceof ApiError && (error.slug === 'invalid-code' || error.status === 401);
  const message = invalid ? (useRecovery ? t('login.error.recovery') : t('login.error.code')) : undefined;
  const recoveryRef = useRef<HTMLInputElement>(null);
  const firstSwitch = useRef(true);
  useEffect(() => {
    if (firstSwitch.current) {
      firstSwitch.current = false;
      return;
    }
    if (useRecovery) recoveryRef.current?.focus();
    else document.getElementById('totp-code')?.focus();
  }, [useRecovery]);

  return (
    <>
      <h1 tabIndex={-1}>{t('totp.check.title')}</h1>
      <p class="lead">{useRecovery ? t('totp.check.recovery_intro') : t('totp.check.intro')}</p>
      <form
        class="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const body = useRecovery ? { recovery_code: recovery.trim().toUpperCase() } : { code: cleanCode(code) };
            onDone(await post<StageResponse>('/api/v1/auth/totp', body));
          }).then((ok) => {
            if (ok) return;
            setCode('');
            setRecovery('');
          });
        }}
      >
        <FormError error={error} message={message}
          fields={{ code: 'totp-code', recovery_code: 'recovery-code' }}
          labels={{ code: t('totp.code'), recovery_code: t('totp.recovery') }} />
        {useRecovery ? (
          <TextField id="recovery-code" label={t('totp.recovery')} value={recovery} onValue={setRecovery}
            autocomplete="one-time-code" hint={t('totp.recovery.hint')} required spellcheck={false}
            autocapitalize="characters" inputRef={recoveryRef} error={invalid ? t('login.error.recovery') : fe.recovery_code} />
        ) : (
          <CodeField value={code} onValue={setCode} error={invalid ? t('login.error.code') : fe.code} autoFocus />
        )}
        <div class="button-row">
          <button type="submit" class="button" disabled={busy}>{t('totp.check.submit')}</button>
          <button
            type="button"
            class="link-button"
            onClick={() => {
              setError(null);
              setUseRecovery((v) => !v);
            }}
          >
            {useRecovery ? t('totp.use_app') : t('totp.use_recovery')}
          </button>
        </div>
      </form>
    </>
  );
}

function RecoveryCodes({ codes, onContinue }: { codes: string[]; onContinue: () => void }) {
  const { t } = useI18n();
  return (
    <>
      <h1 tabIndex={-1}>{t('recovery.title')}</h1>
      <div class="alert alert-warning" role="alert">
        <p class="alert-title">{t('recovery.store_now')}</p>
        <p>{t('recovery.explain')}</p>
      </div>
      <ol class="recovery-codes" aria-label={t('recovery.list_label')}>
        {codes.map((c) => (
          <li key={c}><code>{c}</code></li>
        ))}
      </ol>
      <p>
        <CopyButton text={codes.join('\n')} label={t('recovery.copy')} />
      </p>
      <div class="button-row">
        <button type="button" class="button" onClick={onContinue}>{t('recovery.continue')}</button>
      </div>
    </>
  );
}
