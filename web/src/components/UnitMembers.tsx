// The staff of one unit, as the server allows the caller to see them. A unit within one's own
// opens at once. Another unit may answer:
//   428 purpose-required — the caller may see it with a stated purpose: a dialog asks for the
//        purpose and a justification, and the list is asked for again with them (both are logged);
//   403 forbidden — outside the caller's reach: the refusal (which the server has logged) is said
//        plainly, and a holder of `break_glass` may take emergency access (S17) for a while,
//        with a written reason; the unit's heads are told at once.
// Used on the My unit page and on the Units administration page.
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  ApiError, PURPOSES, get, post, purposeHeaders,
  type BreakGlass, type Items, type StatedPurpose, type UnitMember,
} from '../api';
import { zoneOffset } from '../format';
import { useAction, useLoad } from '../hooks';
import { useI18n } from '../i18n';
import { purposeLabel, roleLabel, statusLabel } from '../labels';
import { fieldErrors } from '../problems';
import { useDates, useSession, useTimeZone } from '../session';
import { FormDialog } from './Dialog';
import { FormError, SelectField, Success, TextAreaField, countChars } from './Form';
import { LoadState } from './LoadState';

export interface UnitRef {
  id: string;
  name: string;
}

interface UnitMembersProps {
  unit: UnitRef;
  /** Prefix of the element ids (several panels may be on one page). */
  idPrefix: string;
  /** The heading's text; "Members of {name}" by default. */
  title?: string;
  /** Shows a Close button. */
  onClose?: () => void;
  /** Moves focus to the heading when the panel appears. */
  focusHeading?: boolean;
  /** Told of the members whenever they load (the My unit page offers them for sharing). */
  onMembers?: (unit: UnitRef, members: UnitMember[]) => void;
  /** A card of its own ('card'), one that stands out as the page's current task ('editor'), or part of a card (false). */
  card?: 'card' | 'editor' | false;
}

export const GLASS_MINUTES = [15, 30, 60, 120, 240] as const;
const JUSTIFY = { min: 10, max: 500 };
const GLASS_JUSTIFY = { min: 20, max: 1000 };

export function UnitMembers({ unit, idPrefix, title, onClose, focusHeading = false, onMembers, card = 'card' }: UnitMembersProps) {
  const { t } = useI18n();
  const { can } = useSession();
  const dates = useDates();
  const zone = useTimeZone();
  const [purpose, setPurpose] = useState<StatedPurpose | null>(null);
  const [dialog, setDialog] = useState<'purpose' | 'glass' | null>(null);
  const [granted, setGranted] = useState<BreakGlass | null>(null);
  const asked = useRef(false);
  const list = useLoad((signal) => get<Items<UnitMember>>(`/api/v1/units/${encodeURIComponent(unit.id)}/members`,
    { signal, headers: purposeHeaders(purpose) }), [unit.id, purpose]);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => { if (focusHeading) heading.current?.focus(); }, []);
  // After breaking the glass the refusal (and the button that opened the dialog) is gone:
  // focus goes to the sentence that says until when access lasts.
  const grantedBox = useRef<HTMLDivElement>(null);

  const error = list.status === 'error' && list.error instanceof ApiError ? list.error : null;
  const needsPurpose = error !== null && (error.status === 428 || error.slug === 'purpose-required');
  const forbidden = error !== null && error.status === 403;
  const badPurpose = purpose !== null && error !== null && error.status === 422;

  // The first 428 opens the purpose dialog by itself (the user asked for this list just now).
  useEffect(() => {
    if (needsPurpose && !asked.current) {
      asked.current = true;
      setDialog('purpose');
    }
  }, [needsPurpose]);

  useEffect(() => {
    if (list.status === 'ok' && onMembers) onMembers(unit, list.data.items);
  }, [list.status, list.data]);

  const headingId = `${idPrefix}-heading`;
  const until = granted ? `${dates.long(granted.expires_at)}${zone ? ` (${zoneOffset(zone, granted.expires_at) || zone})` : ''}` : '';
  const Tag = card ? 'section' : 'div';

  return (
    <Tag class={card === 'editor' ? 'card card-editor unit-members' : card ? 'card unit-members' : 'unit-members'} aria-labelledby={headingId}>
      <div class="card-head">
        <h2 id={headingId} tabIndex={-1} ref={heading}>{title ?? t('units.members_of', { name: unit.name })}</h2>
        {onClose ? <button type="button" class="button button-secondary button-small" onClick={onClose}>{t('action.close')}</button> : null}
      </div>
      {granted ? (
        <div tabIndex={-1} ref={grantedBox} id={`${idPrefix}-granted`}>
          <Success>
            <p class="alert-title">{t('glass.granted', { unit: unit.name, time: until })}</p>
            <p>{t('glass.granted.notified', { n: granted.notified })}</p>
          </Success>
        </div>
      ) : null}
      {needsPurpose || badPurpose ? (
        <div class="notice" role="note">
          {badPurpose ? <FormError error={error} /> : null}
          <p>{t('units.purpose.intro')}</p>
          <button type="button" class="button" onClick={() => setDialog('purpose')}>{t('units.purpose.state')}</button>
        </div>
      ) : forbidden ? (
        <div class="alert alert-error refusal" role="alert">
          <p class="alert-title">{t('units.members.refused')}</p>
          {can('break_glass') ? (
            <>
              <p>{t('glass.offer')}</p>
              <button type="button" class="button button-danger" id={`${idPrefix}-glass`} onClick={() => setDialog('glass')}>
                {t('glass.button')}
              </button>
            </>
          ) : <p>{t('units.members.refused.ask')}</p>}
        </div>
      ) : (
        <LoadState load={list}>
          {(data) => (data.items.length ? <MembersTable items={data.items} labelledBy={headingId} /> : <p>{t('units.members.none')}</p>)}
        </LoadState>
      )}

      <PurposeDialog open={dialog === 'purpose'} idPrefix={idPrefix} unit={unit}
        onCancel={() => setDialog(null)}
        onSubmit={(p) => { setDialog(null); setPurpose(p); }} />
      {can('break_glass') ? (
        <BreakGlassDialog open={dialog === 'glass'} idPrefix={idPrefix} unit={unit} returnFocus={() => grantedBox.current}
          onCancel={() => setDialog(null)}
          onDone={(g) => {
            setDialog(null);
            setGranted(g);
            list.reload();
          }} />
      ) : null}
    </Tag>
  );
}

export function MembersTable({ items, labelledBy }: { items: readonly UnitMember[]; labelledBy: string }) {
  const { t } = useI18n();
  return (
    <div class="table-wrap" role="region" aria-labelledby={labelledBy} tabIndex={0}>
      <table class="table">
        <thead>
          <tr>
            <th scope="col">{t('user.display_name')}</th>
            <th scope="col">{t('login.login')}</th>
            <th scope="col">{t('user.roles')}</th>
            <th scope="col">{t('user.status')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((m) => (
            <tr key={m.id}>
              <th scope="row">{m.display_name}</th>
              <td>{m.login}</td>
              <td>{m.roles.map((r) => roleLabel(t, r)).join(', ') || '—'}</td>
              <td>
                <span class={m.status === 'active' ? 'badge badge-ok' : 'badge badge-off'}>{statusLabel(t, m.status)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface PurposeDialogProps {
  open: boolean;
  idPrefix: string;
  unit: UnitRef;
  onCancel: () => void;
  onSubmit: (p: StatedPurpose) => void;
}

/** Why the caller needs another unit's staff: a purpose and a justification of 10 to 500 characters. */
function PurposeDialog({ open, idPrefix, unit, onCancel, onSubmit }: PurposeDialogProps) {
  const { t } = useI18n();
  const [purpose, setPurpose] = useState<string>('administration');
  const [justification, setJustification] = useState('');
  const [tried, setTried] = useState(false);
  const fieldId = `${idPrefix}-justification`;
  const n = countChars(justification);
  const bad = n < JUSTIFY.min || n > JUSTIFY.max;
  // Said after a submit, and only while it is still true.
  const error = tried && bad ? t('units.justification.length') : null;
  return (
    <FormDialog open={open} wide title={t('units.purpose.title', { name: unit.name })} submitLabel={t('units.members.show')}
      onCancel={() => { setTried(false); onCancel(); }}
      onSubmit={() => {
        if (bad) {
          setTried(true);
          document.getElementById(fieldId)?.focus();
          return;
        }
        setTried(false);
        onSubmit({ purpose, justification: justification.replace(/\s+/g, ' ').trim() });
      }}>
      <p>{t('units.purpose.intro')}</p>
      <SelectField id={`${idPrefix}-purpose`} label={t('units.purpose')} value={purpose} onValue={setPurpose} required autoFocus
        options={PURPOSES.map((p) => ({ value: p, label: purposeLabel(t, p) }))} />
      <TextAreaField id={fieldId} label={t('units.justification')} value={justification} onValue={setJustification}
        hint={t('units.justification.hint')} error={error ?? undefined} announce rows={3} min={JUSTIFY.min} max={JUSTIFY.max} />
    </FormDialog>
  );
}

interface BreakGlassDialogProps {
  open: boolean;
  idPrefix: string;
  unit: UnitRef;
  returnFocus: () => HTMLElement | null;
  onCancel: () => void;
  onDone: (g: BreakGlass) => void;
}

/** Emergency access (S17): a warning, a reason of 20 to 1000 characters, and for how long. */
function BreakGlassDialog({ open, idPrefix, unit, returnFocus, onCancel, onDone }: BreakGlassDialogProps) {
  const { t } = useI18n();
  const [justification, setJustification] = useState('');
  const [minutes, setMinutes] = useState('30');
  const [tooShort, setTooShort] = useState(false);
  const { busy, error, setError, run } = useAction();
  const fe = fieldErrors(error, t);
  const fieldId = `${idPrefix}-glass-justification`;
  const n = countChars(justification);
  // Said after a submit, and only while it is still true.
  const local = tooShort && (n < GLASS_JUSTIFY.min || n > GLASS_JUSTIFY.max) ? t('glass.justification.length') : undefined;
  return (
    <FormDialog open={open} id={`${idPrefix}-glass-dialog`} wide danger busy={busy} returnFocus={returnFocus}
      title={t('glass.title', { name: unit.name })} submitLabel={t('glass.submit')}
      onCancel={() => { setTooShort(false); setError(null); onCancel(); }}
      onSubmit={() => {
        if (n < GLASS_JUSTIFY.min || n > GLASS_JUSTIFY.max) {
          setTooShort(true);
          setError(null);
          document.getElementById(fieldId)?.focus();
          return;
        }
        setTooShort(false);
        void run(async () => {
          try {
            const g = await post<BreakGlass>('/api/v1/break-glass',
              { unit_id: unit.id, justification: justification.replace(/\s+/g, ' ').trim(), minutes: Number(minutes) });
            setJustification('');
            onDone(g);
          } catch (e) {
            // 409 not-needed: access is there already (a grant made meanwhile): just show the list.
            if (e instanceof ApiError && e.status === 409 && e.slug === 'not-needed') {
              onCancel();
              return;
            }
            throw e;
          }
        });
      }}>
      <div class="alert alert-warning glass-warning">
        <p class="alert-title">{t('glass.warning.title')}</p>
        <ul>
          <li>{t('glass.warning.emergency')}</li>
          <li>{t('glass.warning.notified')}</li>
          <li>{t('glass.warning.logged')}</li>
        </ul>
      </div>
      <FormError error={error} fields={{ justification: fieldId, minutes: `${idPrefix}-glass-minutes` }}
        labels={{ justification: t('glass.justification'), minutes: t('glass.minutes') }}
        message={error instanceof ApiError && error.status === 403 ? t('glass.refused') : undefined} />
      <TextAreaField id={fieldId} label={t('glass.justification')} value={justification} onValue={setJustification}
        hint={t('glass.justification.hint')} error={local ?? fe.justification} announce={local !== undefined} rows={4} autoFocus
        min={GLASS_JUSTIFY.min} max={GLASS_JUSTIFY.max} />
      <SelectField id={`${idPrefix}-glass-minutes`} label={t('glass.minutes')} value={minutes} onValue={setMinutes} required
        error={fe.minutes}
        options={GLASS_MINUTES.map((m) => ({ value: String(m), label: t(`glass.minutes.${m}`) }))} />
    </FormDialog>
  );
}
