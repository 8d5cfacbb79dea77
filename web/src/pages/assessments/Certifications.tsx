// /supervision/certifications: assessor certifications. Only a certified user may submit an assessment
// with an instrument that requires it. With certifications.manage (unit heads, administrators): the
// register with filters, a form to record a certification (the expiry defaults from the instrument's
// certification_valid_days) and Revoke with a written reason. Without it: one's own certifications.
// The form checks itself before sending (translated messages) and says the server's 422 in the UI
// language where the meaning is known; the Assessor filter lists everyone in the register; recording a
// second live certification for the same person and instrument is warned about (not refused); the
// revoke dialog says whether the person keeps another live certification for the instrument.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, query, request, type AdminUser, type Items, type UnitMember } from '../../api';
import { FormDialog } from '../../components/Dialog';
import { SelectField, Success, TextAreaField, TextField, countChars } from '../../components/Form';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { useI18n, type Lang, type MessageKey, type Params } from '../../i18n';
import { fieldErrors, fieldMessage, problemMessage } from '../../problems';
import { useSession, useTimeZone } from '../../session';
import { DateField } from '../cases/Fields';
import { formatDay, today } from '../cases/model';
import type { Instrument, Texts } from '../admin/Instruments';

interface Certification {
  id: string;
  account_id: string;
  account_name: string;
  instrument_code: string;
  instrument_name: Texts | null;
  certified_on: string;
  expires_on: string;
  issuer: string;
  reference: string | null;
  recorded_by_name: string;
  recorded_at: string;
  revoked_at: string | null;
  revoked_by_name: string | null;
  revoke_reason: string | null;
  live: boolean;
}

interface Account {
  id: string;
  name: string;
  login: string;
}

type Status = 'live' | 'expired' | 'revoked';
const STATUSES: readonly Status[] = ['live', 'expired', 'revoked'];
const REASON = { min: 5, max: 1000 };

const say = (text: Texts | null | undefined, lang: Lang, fallback: string) =>
  (text ? text[lang] || text.en || fallback : fallback);

function statusOf(c: Certification): Status {
  if (c.revoked_at) return 'revoked';
  return c.live ? 'live' : 'expired';
}

function addDays(day: string, n: number): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return '';
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + n * 86400000).toISOString().slice(0, 10);
}

/** The accounts a manager may pick: every active account (users.read), else the staff of one's unit. */
function useAccounts(enabled: boolean) {
  const { can, user } = useSession();
  const unitId = user?.unit?.id ?? null;
  return useLoad(async (signal): Promise<Account[]> => {
    if (!enabled) return [];
    if (can('users.read')) {
      const r = await get<Items<AdminUser>>(`/api/v1/users${query({ status: 'active' })}`, { signal });
      return r.items.map((u) => ({ id: u.id, name: u.display_name, login: u.login }));
    }
    if (can('units.members.read') && unitId) {
      const r = await get<Items<UnitMember>>(`/api/v1/units/${encodeURIComponent(unitId)}/members`, { signal });
      return r.items.filter((u) => u.status === 'active').map((u) => ({ id: u.id, name: u.display_name, login: u.login }));
    }
    return [];
  }, [enabled, unitId]);
}

export function CertificationsPage() {
  const { t } = useI18n();
  const { can } = useSession();
  const manage = can('certifications.manage');
  const [notice, setNotice] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const instruments = useLoad((signal) => get<Items<Instrument>>('/api/v1/instruments', { signal })
    .then((r) => r.items.filter((i) => i.current)), []);
  const accounts = useAccounts(manage);
  const { user } = useSession();
  // The whole register (no filter): the Assessor filter's choices, the warning on a second live
  // certification, and the revoke dialog's wording come from it.
  const all = useLoad((signal) => (manage ? get<Items<Certification>>('/api/v1/certifications', { signal })
    .then((r) => r.items) : Promise.resolve([] as Certification[])), [manage, tick]);
  const [recording, setRecording] = useState(false);
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>{t('certifications.title')}</h1>
        {manage && !recording ? (
          <button type="button" class="button" id="certification-new" onClick={() => { setRecording(true); setNotice(null); }}>
            {t('certifications.record')}
          </button>
        ) : null}
      </div>
      <p class="lead">{t('certifications.about')}</p>
      {notice ? <Success><p>{notice}</p></Success> : null}
      {manage && recording ? (
        <RecordForm instruments={instruments.data ?? []} register={all.data ?? []}
          accounts={(accounts.data ?? []).filter((a) => a.id !== user?.id)}
          onCancel={() => { setRecording(false); window.setTimeout(() => document.getElementById('certification-new')?.focus(), 0); }}
          onSaved={(c) => {
            setRecording(false);
            setNotice(t('certifications.recorded', { name: c.account_name }));
            setTick((n) => n + 1);
          }} />
      ) : null}
      {manage ? (
        <Register tick={tick} instruments={instruments.data ?? []} register={all.data ?? []}
          onChanged={(text) => { setNotice(text); setTick((n) => n + 1); }} />
      ) : (
        <Own />
      )}
    </>
  );
}

/** The caller's own certifications (the server gives no one else's to a non-manager). */
function Own() {
  const { t } = useI18n();
  const list = useLoad((signal) => get<Items<Certification>>('/api/v1/certifications', { signal }), []);
  return (
    <section aria-labelledby="certifications-own">
      <h2 id="certifications-own">{t('certifications.own')}</h2>
      <LoadState load={list}>
        {(data) => (data.items.length === 0
          ? <p class="muted" id="certifications-none">{t('certifications.own_none')}</p>
          : <CertTable items={data.items} showAccount={false} captionId="certifications-own" />)}
      </LoadState>
    </section>
  );
}

/** The people in the register, by name (the filter offers exactly these). */
function assessorsOf(register: readonly Certification[]): { id: string; name: string }[] {
  const seen = new Map<string, string>();
  for (const c of register) if (!seen.has(c.account_id)) seen.set(c.account_id, c.account_name);
  return [...seen].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** The live certifications of one person for one instrument, except one. */
function liveOthers(register: readonly Certification[], accountId: string, code: string, except = ''): Certification[] {
  return register.filter((c) => c.account_id === accountId && c.instrument_code === code && c.live && c.id !== except);
}

function Register({ tick, instruments, register, onChanged }: {
  tick: number; instruments: readonly Instrument[]; register: readonly Certification[]; onChanged: (text: string) => void;
}) {
  const { t, lang } = useI18n();
  const [account, setAccount] = useState('');
  const [instrument, setInstrument] = useState('');
  const [status, setStatus] = useState<'' | Status>('');
  const live = status === '' ? '' : status === 'live' ? 'true' : 'false';
  const list = useLoad((signal) => get<Items<Certification>>(
    `/api/v1/certifications${query({ account_id: account, instrument, live })}`, { signal }), [account, instrument, live, tick]);
  const [revoking, setRevoking] = useState<Certification | null>(null);
  const people = assessorsOf(register);
  // Two people of the same name are told apart by a number.
  const named = people.map((p) => ({
    value: p.id,
    label: people.filter((o) => o.name === p.name).length > 1
      ? `${p.name} (${people.filter((o) => o.name === p.name).indexOf(p) + 1})` : p.name,
  }));
  if (account && !people.some((p) => p.id === account)) named.push({ value: account, label: account });
  // Every current instrument, and any other code the register holds.
  const codes = instruments.map((i) => ({ value: i.code, label: say(i.name, lang, i.code) }));
  for (const c of register) {
    if (!codes.some((o) => o.value === c.instrument_code)) {
      codes.push({ value: c.instrument_code, label: say(c.instrument_name, lang, c.instrument_code) });
    }
  }
  return (
    <section aria-labelledby="certifications-register">
      <h2 id="certifications-register">{t('certifications.register')}</h2>
      <form class="filters" role="search" aria-label={t('certifications.filters')} onSubmit={(e) => e.preventDefault()}>
        <SelectField id="cert-filter-account" label={t('certifications.account')} value={account} onValue={setAccount}
          options={[{ value: '', label: t('certifications.any') }, ...named]} />
        <SelectField id="cert-filter-instrument" label={t('certifications.instrument')} value={instrument} onValue={setInstrument}
          options={[{ value: '', label: t('certifications.any') }, ...codes]} />
        <SelectField id="cert-filter-status" label={t('certifications.status')} value={status}
          onValue={(v) => setStatus(v as '' | Status)}
          options={[{ value: '', label: t('certifications.any') },
            ...STATUSES.map((s) => ({ value: s, label: t(`certifications.status.${s}`) }))]} />
      </form>
      <LoadState load={list}>
        {(data) => {
          const items = data.items.filter((c) => status === '' || statusOf(c) === status);
          return items.length === 0 ? <p class="muted" id="certifications-none">{t('certifications.none')}</p> : (
            <CertTable items={items} showAccount captionId="certifications-register"
              onRevoke={(c) => setRevoking(c)} />
          );
        }}
      </LoadState>
      {revoking ? (
        <RevokeDialog cert={revoking} others={liveOthers(register, revoking.account_id, revoking.instrument_code, revoking.id)}
          onCancel={() => setRevoking(null)}
          onDone={(c) => {
            setRevoking(null);
            onChanged(t('certifications.revoked_done', { name: c.account_name }));
          }} />
      ) : null}
    </section>
  );
}

function CertTable({ items, showAccount, captionId, onRevoke }: {
  items: readonly Certification[]; showAccount: boolean; captionId: string; onRevoke?: (c: Certification) => void;
}) {
  const { t, lang } = useI18n();
  return (
    <div class="table-wrap" role="region" aria-labelledby={captionId} tabIndex={0}>
      <table class="table" id="certifications-table">
        <thead>
          <tr>
            {showAccount ? <th scope="col">{t('certifications.account')}</th> : null}
            <th scope="col">{t('certifications.instrument')}</th>
            <th scope="col">{t('certifications.certified_on')}</th>
            <th scope="col">{t('certifications.expires_on')}</th>
            <th scope="col">{t('certifications.issuer_column')}</th>
            <th scope="col">{t('certifications.status')}</th>
            {onRevoke ? <th scope="col"><span class="visually-hidden">{t('table.actions')}</span></th> : null}
          </tr>
        </thead>
        <tbody>
          {items.map((c) => {
            const s = statusOf(c);
            const name = say(c.instrument_name, lang, c.instrument_code);
            return (
              <tr key={c.id} id={`certification-${c.id}`}>
                {showAccount ? <th scope="row">{c.account_name}</th> : null}
                <td>
                  <span class="cell-main">{name}</span>
                  <code class="cell-sub">{c.instrument_code}</code>
                </td>
                <td class="cell-nowrap">{formatDay(c.certified_on, lang)}</td>
                <td class="cell-nowrap">{formatDay(c.expires_on, lang)}</td>
                <td>
                  <span class="cell-main">{c.issuer}</span>
                  {c.reference ? <span class="cell-sub">{t('certifications.reference_is', { reference: c.reference })}</span> : null}
                  <span class="cell-sub">{t('certifications.recorded_by', { name: c.recorded_by_name })}</span>
                </td>
                <td>
                  <span class={s === 'live' ? 'badge badge-ok' : s === 'revoked' ? 'badge badge-bad' : 'badge badge-off'}>
                    {t(`certifications.status.${s}`)}
                  </span>
                  {c.revoked_at ? (
                    <span class="cell-sub">{t('certifications.revoked_by', { name: c.revoked_by_name ?? '—', reason: c.revoke_reason ?? '' })}</span>
                  ) : null}
                </td>
                {onRevoke ? (
                  <td class="cell-actions">
                    {!c.revoked_at ? (
                      <button type="button" class="button button-secondary button-small" id={`certification-revoke-${c.id}`}
                        onClick={() => onRevoke(c)}>
                        {t('certifications.revoke')}
                        <span class="visually-hidden">: {c.account_name}, {name}</span>
                      </button>
                    ) : null}
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

type T = (key: MessageKey, params?: Params) => string;

/** The server's message on a field of the form, in the UI language where its meaning is known. */
function serverFieldMessage(t: T, lang: Lang, field: string, message: string): string {
  const m = message.trim();
  const known = (key: MessageKey) => t(key);
  switch (field) {
    case 'account_id':
      if (/^(must be an? (account )?id|is required)\.?$/i.test(m)) return known('certifications.err.account');
      if (/^is not an enabled account( of your agency)?\.?$/i.test(m)) return known('certifications.err.account_disabled');
      if (/\b(yourself|your own|own certification|oneself|self)\b/i.test(m)) return known('certifications.err.self');
      break;
    case 'instrument_code':
      if (/^(is required|must have at least 1 characters?|must be a string)\.?$/i.test(m)) return known('certifications.err.instrument');
      if (/^is not a loaded instrument\.?$/i.test(m)) return known('certifications.err.instrument_gone');
      break;
    case 'certified_on':
      if (/^is required\.?$/i.test(m) || /^must be a date/i.test(m)) return known('certifications.err.certified_on');
      if (/^must not be in the future\.?$/i.test(m)) return known('certifications.err.future');
      break;
    case 'expires_on':
      if (/^must be a date/i.test(m)) return known('certifications.err.date');
      if (/^must be after/i.test(m)) return known('certifications.err.expires_order');
      break;
    case 'issuer':
      if (/^(is required|must not be blank|must have at least 1 characters?)\.?$/i.test(m)) return known('certifications.err.issuer');
      break;
    default:
      break;
  }
  const said = fieldMessage(t, m);
  if (said !== message || lang === 'en') return said;
  // Not a message the UI knows: a translated sentence, the server's words only as a detail.
  return t('certifications.err.other', { detail: m });
}

function RecordForm({ instruments, accounts, register, onCancel, onSaved }: {
  instruments: readonly Instrument[]; accounts: readonly Account[]; register: readonly Certification[];
  onCancel: () => void; onSaved: (c: Certification) => void;
}) {
  const { t, lang } = useI18n();
  const zone = useTimeZone();
  const now = today(zone);
  const [account, setAccount] = useState('');
  const [instrument, setInstrument] = useState('');
  const [certifiedOn, setCertifiedOn] = useState(now);
  const [expiresOn, setExpiresOn] = useState('');
  const [expiryTouched, setExpiryTouched] = useState(false);
  const [issuer, setIssuer] = useState('');
  const [reference, setReference] = useState('');
  const [checked, setChecked] = useState<Record<string, string>>({});
  const [tries, setTries] = useState(0);
  // A new attempt stopped by the form's own checks hides the server's answer to the previous one.
  const [showServer, setShowServer] = useState(true);
  const { busy, error: lastError, run } = useAction();
  const error = showServer ? lastError : null;
  const heading = useRef<HTMLHeadingElement>(null);
  const summary = useRef<HTMLDivElement>(null);
  useEffect(() => { heading.current?.focus(); }, []);
  const chosen = instruments.find((i) => i.code === instrument) ?? null;
  // The expiry follows the instrument's usual validity until the user sets it.
  useEffect(() => {
    if (expiryTouched) return;
    setExpiresOn(chosen && certifiedOn ? addDays(certifiedOn, chosen.certification_valid_days) : '');
  }, [instrument, certifiedOn, chosen?.certification_valid_days]);
  const labels: Record<string, string> = {
    account_id: t('certifications.account'), instrument_code: t('certifications.instrument'),
    certified_on: t('certifications.certified_on'), expires_on: t('certifications.expires_on'),
    issuer: t('certifications.issuer'), reference: t('certifications.reference'),
  };
  const fields: Record<string, string> = {
    account_id: 'cert-account', instrument_code: 'cert-instrument', certified_on: 'cert-certified-on',
    expires_on: 'cert-expires-on', issuer: 'cert-issuer', reference: 'cert-reference',
  };
  // The server's 422, field by field, in the UI language.
  const fromServer: Record<string, string> = {};
  if (error instanceof ApiError && error.status === 422 && error.problem) {
    for (const e of error.problem.errors) {
      const text = serverFieldMessage(t, lang, e.field, e.message);
      fromServer[e.field] = fromServer[e.field] ? `${fromServer[e.field]} ${text}` : text;
    }
  }
  const fe: Record<string, string> = { ...fromServer, ...checked };
  const entries = Object.entries(fe);
  const serverOnly = error && !(error instanceof ApiError && error.status === 422);
  useEffect(() => { if (entries.length || serverOnly) summary.current?.focus(); }, [tries, error]);
  // Already live for this person and instrument: a warning, not a refusal.
  const holding = account && instrument ? liveOthers(register, account, instrument) : [];
  const person = accounts.find((a) => a.id === account);

  const check = (): Record<string, string> => {
    const out: Record<string, string> = {};
    const day = /^\d{4}-\d{2}-\d{2}$/;
    if (!account) out.account_id = t('certifications.err.account');
    if (!instrument) out.instrument_code = t('certifications.err.instrument');
    if (!certifiedOn || !day.test(certifiedOn)) out.certified_on = t('certifications.err.certified_on');
    else if (certifiedOn > now) out.certified_on = t('certifications.err.future');
    if (expiresOn && !day.test(expiresOn)) out.expires_on = t('certifications.err.date');
    else if (expiresOn && certifiedOn && expiresOn <= certifiedOn) out.expires_on = t('certifications.err.expires_order');
    if (!issuer.trim()) out.issuer = t('certifications.err.issuer');
    return out;
  };

  return (
    <section class="card card-editor" aria-labelledby="cert-form-title">
      <form class="form form-wide" noValidate onSubmit={(e) => {
        e.preventDefault();
        const found = check();
        setChecked(found);
        setTries((n) => n + 1);
        setShowServer(Object.keys(found).length === 0);
        if (Object.keys(found).length) return;
        void run(async () => {
          const body: Record<string, unknown> = {
            account_id: account, instrument_code: instrument, certified_on: certifiedOn,
            issuer: issuer.trim(), reference: reference.trim(),
          };
          if (expiresOn) body.expires_on = expiresOn;
          const r = await request<Certification>('POST', '/api/v1/certifications', { body });
          onSaved(r.data);
        });
      }}>
        <h2 id="cert-form-title" tabIndex={-1} ref={heading}>{t('certifications.record')}</h2>
        {entries.length || serverOnly ? (
          <div class="alert alert-error form-error" role="alert" tabIndex={-1} ref={summary} id="cert-form-error">
            <p class="alert-title">{entries.length ? t('error.validation') : problemMessage(t, error)}</p>
            {entries.length ? (
              <ul>
                {entries.map(([field, text]) => (
                  <li key={field}>
                    <a href={`#${fields[field] ?? ''}`} onClick={(e) => {
                      e.preventDefault();
                      const target = fields[field];
                      if (target) document.getElementById(target)?.focus();
                    }}>{`${labels[field] ?? t('certifications.err.field')}: ${text}`}</a>
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
        <SelectField id="cert-account" label={labels.account_id as string} value={account}
          onValue={(v) => { setAccount(v); setChecked(({ account_id: _, ...rest }) => rest); }} required
          options={[{ value: '', label: t('certifications.choose') },
            ...accounts.map((a) => ({ value: a.id, label: `${a.name} (${a.login})` }))]}
          hint={accounts.length === 0 ? t('certifications.no_accounts') : t('certifications.account_hint')} error={fe.account_id} />
        <SelectField id="cert-instrument" label={labels.instrument_code as string} value={instrument}
          onValue={(v) => { setInstrument(v); setChecked(({ instrument_code: _, ...rest }) => rest); }} required
          options={[{ value: '', label: t('certifications.choose') },
            ...instruments.map((i) => ({ value: i.code, label: `${say(i.name, lang, i.code)} (${i.version})` }))]}
          error={fe.instrument_code} />
        {holding.length ? (
          <div class="alert alert-warning" role="status" id="cert-already-live">
            <p>{t('certifications.already_live', {
              name: person?.name ?? holding[0]!.account_name,
              instrument: say(holding[0]!.instrument_name, lang, instrument),
              date: formatDay(holding.map((c) => c.expires_on).sort().at(-1) ?? '', lang),
            })}</p>
          </div>
        ) : null}
        <div class="form-grid">
          <DateField id="cert-certified-on" label={labels.certified_on as string} value={certifiedOn} onValue={setCertifiedOn}
            required max={now} error={fe.certified_on} />
          <DateField id="cert-expires-on" label={labels.expires_on as string} value={expiresOn}
            onValue={(v) => { setExpiresOn(v); setExpiryTouched(true); }} {...(certifiedOn ? { min: certifiedOn } : {})} error={fe.expires_on}
            hint={chosen ? t('certifications.expiry_hint', { days: chosen.certification_valid_days }) : t('certifications.expiry_hint_none')} />
        </div>
        <TextField id="cert-issuer" label={labels.issuer as string} value={issuer} onValue={setIssuer} required maxLength={200}
          hint={t('certifications.issuer_hint')} error={fe.issuer} />
        <TextField id="cert-reference" label={labels.reference as string} value={reference} onValue={setReference} optional
          maxLength={100} error={fe.reference} />
        <div class="button-row">
          <button type="submit" class="button" disabled={busy}>{busy ? t('instruments.saving') : t('certifications.save')}</button>
          <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
        </div>
      </form>
    </section>
  );
}

function RevokeDialog({ cert, others, onCancel, onDone }: {
  cert: Certification; others: readonly Certification[]; onCancel: () => void; onDone: (c: Certification) => void;
}) {
  const { t, lang } = useI18n();
  const [reason, setReason] = useState('');
  const { busy, error, run } = useAction();
  const fe = fieldErrors(error, t);
  const n = countChars(reason);
  const tooShort = n < REASON.min;
  const [tried, setTried] = useState(false);
  const instrument = say(cert.instrument_name, lang, cert.instrument_code);
  const until = others.map((c) => c.expires_on).sort().at(-1) ?? '';
  const about = !cert.live
    ? t('certifications.revoke_about_expired', { name: cert.account_name, instrument })
    : others.length
      ? t('certifications.revoke_about_other', { name: cert.account_name, instrument, date: formatDay(until, lang) })
      : t('certifications.revoke_about_last', { name: cert.account_name, instrument });
  return (
    <FormDialog open title={t('certifications.revoke_title', { name: cert.account_name })} submitLabel={t('certifications.revoke')}
      danger busy={busy} id="certification-revoke-dialog"
      returnFocus={() => document.getElementById(`certification-revoke-${cert.id}`)}
      onCancel={onCancel}
      onSubmit={() => {
        setTried(true);
        if (tooShort) return;
        void run(async () => {
          const r = await request<Certification>('POST', `/api/v1/certifications/${encodeURIComponent(cert.id)}/revocation`,
            { body: { reason: reason.trim() } });
          onDone(r.data ?? cert);
        });
      }}>
      <p id="certification-revoke-about">{about}</p>
      {error && !fe.reason ? (
        <div class="alert alert-error" role="alert">
          <p>{error instanceof ApiError && error.status === 409 ? t('certifications.already_revoked') : problemMessage(t, error)}</p>
        </div>
      ) : null}
      <TextAreaField id="cert-revoke-reason" label={t('certifications.reason')} value={reason} onValue={setReason}
        min={REASON.min} max={REASON.max} announce
        error={fe.reason ?? (tried && tooShort ? t('certifications.reason_short', { n: REASON.min }) : undefined)} />
    </FormDialog>
  );
}
