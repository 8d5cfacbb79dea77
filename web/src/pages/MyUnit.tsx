// /unit: the caller's own unit. Who works in it; a way to look at another unit's staff (which
// the server may allow with a stated purpose, or refuse — then, for holders of break_glass,
// emergency access); and, for holders of grants.manage, the shares and emergency accesses on the
// unit and those below it, sharing one of them with an account for a time, and revoking.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import {
  ApiError, PURPOSES, del, get, post,
  type AccessGrant, type Agency, type Items, type Unit, type UnitMember,
} from '../api';
import { ConfirmDialog } from '../components/Dialog';
import { FormError, SelectField, Success, TextAreaField, countChars } from '../components/Form';
import { LoadState } from '../components/LoadState';
import { UnitMembers, type UnitRef } from '../components/UnitMembers';
import { useAction, useLoad } from '../hooks';
import { useI18n } from '../i18n';
import { purposeLabel } from '../labels';
import { fieldErrors } from '../problems';
import { useDates, useSession } from '../session';
import { subtreeIds, unitTree } from './admin/common';

/** Members seen on this page, by unit: offered when sharing. */
type Seen = Readonly<Record<string, { unit: UnitRef; members: readonly UnitMember[] }>>;

const SHARE_HOURS = [1, 4, 8, 24, 72, 168, 720] as const;

/** A 422-like error for mistakes caught before sending, so the form shows them as it shows the server's. */
function localProblem(errors: { field: string; message: string }[]): ApiError {
  return new ApiError('invalid form', 422, {
    type: 'urn:kadam:problem:validation-failed', slug: 'validation-failed', title: '', status: 422, detail: '', errors, body: {},
  });
}

export function MyUnitPage() {
  const { t } = useI18n();
  const { user, can } = useSession();
  const own = user?.unit ?? null;
  const units = useLoad((signal) => (can('units.read')
    ? get<Items<Unit>>('/api/v1/units', { signal }).then((r) => r.items)
    : Promise.resolve([] as Unit[])), []);
  const [seen, setSeen] = useState<Seen>({});
  const remember = useCallback((unit: UnitRef, members: UnitMember[]) => {
    setSeen((prev) => ({ ...prev, [unit.id]: { unit, members } }));
  }, []);
  if (!user) return null;

  return (
    <>
      <h1 tabIndex={-1}>{t('section.unit')}</h1>
      <p class="lead">
        {own ? t('myunit.lead', { unit: own.name, agency: user.agency.name }) : t('about.unit')}
      </p>
      {!own ? (
        <div class="notice" role="note"><p>{t('myunit.no_unit')}</p></div>
      ) : null}
      {own && can('units.members.read') ? (
        <UnitMembers unit={own} idPrefix="own-members" title={t('myunit.members', { name: own.name })} onMembers={remember} />
      ) : null}
      {can('units.members.read') && can('units.read') ? (
        <OtherUnit units={units.data ?? []} own={own} loading={units.status === 'loading'} onMembers={remember} />
      ) : null}
      {own && can('grants.manage') ? <Grants own={own} units={units.data ?? null} seen={seen} onMembers={remember} /> : null}
    </>
  );
}

/** Select options for units, grouped by agency, in tree order. */
function useUnitGroups(units: readonly Unit[], exclude: ReadonlySet<string>) {
  const { can } = useSession();
  const agencies = useLoad((signal) => (can('agencies.read')
    ? get<Items<Agency>>('/api/v1/agencies', { signal }).then((r) => r.items)
    : Promise.resolve([] as Agency[])), []);
  const ids = [...new Set(units.map((u) => u.agency_id))];
  const name = (id: string) => agencies.data?.find((a) => a.id === id)?.name ?? id;
  return ids.sort((a, b) => name(a).localeCompare(name(b))).map((id) => ({
    label: name(id),
    options: unitTree(units, id).filter((r) => !exclude.has(r.unit.id))
      .map((r) => ({ value: r.unit.id, label: `${'\u00a0\u00a0\u00a0'.repeat(r.depth)}${r.unit.name}` })),
  })).filter((g) => g.options.length > 0);
}

interface OtherUnitProps {
  units: readonly Unit[];
  own: UnitRef | null;
  loading: boolean;
  onMembers: (unit: UnitRef, members: UnitMember[]) => void;
}

/** Another unit's staff: pick a unit, then see what the server allows. */
function OtherUnit({ units, own, loading, onMembers }: OtherUnitProps) {
  const { t } = useI18n();
  const [choice, setChoice] = useState('');
  const [shown, setShown] = useState<{ unit: UnitRef; n: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const groups = useUnitGroups(units, new Set(own ? [own.id] : []));
  return (
    <section class="card" aria-labelledby="other-unit-heading">
      <h2 id="other-unit-heading">{t('myunit.other.title')}</h2>
      <p class="muted">{t('myunit.other.about')}</p>
      <form
        class="inline-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const unit = units.find((u) => u.id === choice);
          if (!unit) {
            setError(t('myunit.other.choose'));
            document.getElementById('other-unit')?.focus();
            return;
          }
          setError(null);
          setShown((prev) => ({ unit: { id: unit.id, name: unit.name }, n: (prev?.n ?? 0) + 1 }));
        }}
      >
        <SelectField id="other-unit" label={t('myunit.other.unit')} value={choice} onValue={setChoice} required
          disabled={loading} error={error ?? undefined}
          options={[{ value: '', label: loading ? t('status.loading') : t('myunit.other.pick') }]} groups={groups} />
        <button type="submit" class="button">{t('units.members.show')}</button>
      </form>
      {shown ? (
        <div class="section-divider">
          <UnitMembers key={`${shown.unit.id}-${shown.n}`} unit={shown.unit} idPrefix="other-members" card={false}
            focusHeading onMembers={onMembers}
            onClose={() => {
              setShown(null);
              window.setTimeout(() => document.getElementById('other-unit')?.focus(), 0);
            }} />
        </div>
      ) : null}
    </section>
  );
}

function grantState(g: AccessGrant, now: number): 'active' | 'expired' | 'revoked' {
  if (g.revoked_at) return 'revoked';
  return Date.parse(g.expires_at) <= now ? 'expired' : 'active';
}

interface GrantsProps {
  own: UnitRef;
  /** All units the user may see (null: not readable). */
  units: readonly Unit[] | null;
  seen: Seen;
  onMembers: (unit: UnitRef, members: UnitMember[]) => void;
}

/** Shares and emergency accesses on the unit and those below it; sharing; revoking. */
function Grants({ own, units, seen, onMembers }: GrantsProps) {
  const { t } = useI18n();
  const dates = useDates();
  const grants = useLoad((signal) => get<Items<AccessGrant>>('/api/v1/access-grants', { signal }), []);
  const [sharing, setSharing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<AccessGrant | null>(null);
  const revoke = useAction();
  const now = Date.now();
  // After a revocation its button goes away: focus goes to the list's heading instead.
  const revoked = useRef(false);
  const kindBadge = (kind: string) => (kind === 'break_glass'
    ? <span class="badge badge-warn">{t('grants.kind.break_glass')}</span>
    : kind === 'share' ? <span class="badge badge-info">{t('grants.kind.share')}</span> : <span class="badge badge-off">{kind}</span>);

  return (
    <section class="card" aria-labelledby="grants-heading">
      <div class="card-head">
        <h2 id="grants-heading" tabIndex={-1}>{t('grants.title')}</h2>
        {!sharing ? (
          <button type="button" class="button" id="grants-share" onClick={() => { setSharing(true); setNotice(null); }}>
            {t('grants.share')}
          </button>
        ) : null}
      </div>
      <p class="muted">{t('grants.about')}</p>
      {notice ? <Success><p>{notice}</p></Success> : null}
      <FormError error={revoke.error} />
      {sharing ? (
        <ShareForm own={own} units={units} seen={seen} onMembers={onMembers}
          onCancel={() => {
            setSharing(false);
            window.setTimeout(() => document.getElementById('grants-share')?.focus(), 0);
          }}
          onSaved={(g) => {
            setSharing(false);
            setNotice(t('grants.shared', { unit: g.unit_name, name: g.account_name, time: dates.short(g.expires_at) }));
            grants.reload();
          }} />
      ) : null}
      <LoadState load={grants}>
        {(data) => (data.items.length ? (
          <div class="table-wrap" role="region" aria-labelledby="grants-heading" tabIndex={0}>
            <table class="table table-grants">
              <thead>
                <tr>
                  <th scope="col">{t('grants.account')}</th>
                  <th scope="col">{t('grants.unit')}</th>
                  <th scope="col">{t('grants.purpose')}</th>
                  <th scope="col">{t('grants.granted_by')}</th>
                  <th scope="col">{t('grants.expires')}</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((g) => {
                  const state = grantState(g, now);
                  return (
                    <tr key={g.id}>
                      <th scope="row">
                        <span class="cell-main">{g.account_name}</span>
                        <span class="cell-sub">{g.account_login}</span>
                      </th>
                      <td>{g.unit_name}</td>
                      <td class="cell-why">
                        <span class="cell-main">
                          {kindBadge(g.kind)}
                          {g.kind === 'break_glass' && g.purpose === 'emergency' ? null : <> {purposeLabel(t, g.purpose)}</>}
                        </span>
                        <span class="cell-sub">{g.justification}</span>
                      </td>
                      <td>
                        <span class="cell-main">{g.granted_by_login}</span>
                        <span class="cell-sub">{dates.short(g.created_at)}</span>
                      </td>
                      <td class="cell-until">
                        <span class="cell-main cell-nowrap">{dates.short(g.expires_at)}</span>
                        <span class={state === 'active' ? 'badge badge-ok' : 'badge badge-off'}>{t(`grants.state.${state}`)}</span>
                        {g.revoked_at ? <span class="cell-sub">{t('grants.revoked_at', { time: dates.short(g.revoked_at) })}</span> : null}
                        {state === 'active' ? (
                          <button type="button" class="button button-danger button-small" id={`grant-revoke-${g.id}`}
                            onClick={() => { revoke.setError(null); setRevoking(g); }}>
                            {t('grants.revoke')}
                            <span class="visually-hidden">: {g.account_name}, {g.unit_name}</span>
                          </button>
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : <p>{t('grants.none')}</p>)}
      </LoadState>

      <ConfirmDialog
        open={revoking !== null}
        title={t('grants.revoke.title', { name: revoking?.account_name ?? '', unit: revoking?.unit_name ?? '' })}
        confirmLabel={t('grants.revoke')}
        danger
        busy={revoke.busy}
        onCancel={() => { revoked.current = false; setRevoking(null); }}
        returnFocus={() => (revoked.current ? document.getElementById('grants-heading') : null)}
        onConfirm={() => {
          const target = revoking;
          if (!target) return;
          void revoke.run(async () => {
            await del(`/api/v1/access-grants/${encodeURIComponent(target.id)}`);
            setNotice(t('grants.revoked', { name: target.account_name, unit: target.unit_name }));
          }).then((done) => {
            revoked.current = done;
            setRevoking(null);
            grants.reload();
          });
        }}
      >
        <p>{t('grants.revoke.text')}</p>
      </ConfirmDialog>
    </section>
  );
}

interface ShareFormProps {
  own: UnitRef;
  units: readonly Unit[] | null;
  seen: Seen;
  onMembers: (unit: UnitRef, members: UnitMember[]) => void;
  onCancel: () => void;
  onSaved: (g: AccessGrant) => void;
}

/** Share a unit within one's own with an account, for a time, with a purpose and a justification. */
function ShareForm({ own, units, seen, onMembers, onCancel, onSaved }: ShareFormProps) {
  const { t } = useI18n();
  const { user } = useSession();
  // The unit and the units below it (the only ones that can be shared).
  const below = units ? subtreeIds(units, own.id) : new Set([own.id]);
  const shareable: { value: string; label: string }[] = units && units.some((u) => u.id === own.id)
    ? unitTree(units, units.find((u) => u.id === own.id)?.agency_id ?? '').filter((r) => below.has(r.unit.id))
      .map((r) => ({ value: r.unit.id, label: `${'\u00a0\u00a0\u00a0'.repeat(r.depth)}${r.unit.name}` }))
    : [{ value: own.id, label: own.name }];
  const [account, setAccount] = useState('');
  const [unit, setUnit] = useState(own.id);
  const [purpose, setPurpose] = useState<string>('supervision');
  const [justification, setJustification] = useState('');
  const [hours, setHours] = useState('8');
  // Mistakes caught here are shown the way the server's 422 would be (summary and fields), from
  // the first submit they stopped on, and only while they last.
  const [attempt, setAttempt] = useState(0);
  const mistakes: { field: string; message: string }[] = [];
  if (!account) mistakes.push({ field: 'account_id', message: t('grants.account.choose') });
  const chars = countChars(justification);
  if (chars < 10 || chars > 500) mistakes.push({ field: 'justification', message: t('units.justification.length') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const { busy, error: serverError, run } = useAction();
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);

  // The staff of the units below one's own are offered too (one's own unit's are loaded above).
  useEffect(() => {
    for (const u of units ?? []) {
      if (!below.has(u.id) || seen[u.id]) continue;
      get<Items<UnitMember>>(`/api/v1/units/${encodeURIComponent(u.id)}/members`).then(
        (r) => onMembers({ id: u.id, name: u.name }, r.items), () => { /* not offered */ });
    }
  }, [units]);
  useEffect(() => { document.getElementById('share-account')?.focus(); }, []);

  const groups = Object.values(seen)
    .sort((a, b) => Number(below.has(b.unit.id)) - Number(below.has(a.unit.id)) || a.unit.name.localeCompare(b.unit.name))
    .map((s) => ({
      label: s.unit.name,
      options: s.members.filter((m) => m.id !== user?.id && m.status === 'active')
        .map((m) => ({ value: m.id, label: `${m.display_name} (${m.login})` })),
    }))
    .filter((g) => g.options.length > 0);

  return (
    <form
      class="form share-form"
      noValidate
      aria-labelledby="share-heading"
      onSubmit={(e) => {
        e.preventDefault();
        if (mistakes.length) {
          setAttempt((n) => n + 1);
          return;
        }
        setAttempt(0);
        void run(async () => {
          const g = await post<AccessGrant>('/api/v1/access-grants', {
            account_id: account, unit_id: unit, purpose,
            justification: justification.replace(/\s+/g, ' ').trim(), expires_in_hours: Number(hours),
          });
          onSaved(g);
        });
      }}
    >
      <h3 id="share-heading">{t('grants.share')}</h3>
      <p class="hint" id="share-about">{t('grants.share.about')}</p>
      <FormError error={error} focusKey={local ? attempt : serverError}
        message={error instanceof ApiError && error.status === 403 ? t('grants.refused') : undefined}
        fields={{ account_id: 'share-account', unit_id: 'share-unit', purpose: 'share-purpose', justification: 'share-justification', expires_in_hours: 'share-hours' }}
        labels={{ account_id: t('grants.account'), unit_id: t('grants.unit'), purpose: t('units.purpose'), justification: t('units.justification'), expires_in_hours: t('grants.hours') }} />
      <div class="form-grid">
        <SelectField id="share-account" label={t('grants.account')} value={account} onValue={setAccount} required
          describedBy="share-about" error={fe.account_id}
          options={[{ value: '', label: groups.length ? t('grants.account.pick') : t('grants.account.nobody') }]} groups={groups} />
        <SelectField id="share-unit" label={t('grants.unit')} value={unit} onValue={setUnit} required
          describedBy="share-about" error={fe.unit_id} options={shareable} />
        <SelectField id="share-purpose" label={t('units.purpose')} value={purpose} onValue={setPurpose} required error={fe.purpose}
          options={PURPOSES.map((p) => ({ value: p, label: purposeLabel(t, p) }))} />
        <SelectField id="share-hours" label={t('grants.hours')} value={hours} onValue={setHours} required error={fe.expires_in_hours}
          options={SHARE_HOURS.map((h) => ({ value: String(h), label: t(`grants.hours.${h}`) }))} />
      </div>
      <TextAreaField id="share-justification" label={t('units.justification')} value={justification} onValue={setJustification}
        hint={t('units.justification.hint')} error={fe.justification} rows={3} min={10} max={500} />
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{t('grants.share.submit')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}
