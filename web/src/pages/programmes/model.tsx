// Shapes and helpers shared by the programme and referral pages (issue 9): the programme catalogue,
// partner organisations, referrals and what they share, and the referral status table, which is
// data from GET /api/v1/reference/referral-statuses (its labels come in ky, ru and en).
import { get } from '../../api';
import { Link } from '../../components/Link';
import { useLoad } from '../../hooks';
import { useI18n, type Lang, type MessageKey, type Params } from '../../i18n';
import { useSession } from '../../session';
import { formatDay } from '../cases/model';
import './programmes.css';

export type T = (key: MessageKey, params?: Params) => string;

export interface Texts {
  ky?: string;
  ru?: string;
  en?: string;
}

export const PROGRAMME_TYPES = ['disengagement_counselling', 'theological_dialogue', 'psychological_support',
  'vocational_training', 'education', 'employment', 'family_support', 'mentoring', 'substance_use'] as const;
export const PROGRAMME_LANGUAGES = ['ky', 'ru', 'en', 'uz'] as const;
export const PARTNER_KINDS = ['ngo', 'religious_organisation', 'employer', 'school', 'health_service', 'psychologist',
  'local_government'] as const;
export const ATTENDANCE = ['present', 'late', 'absent'] as const;
export const OUTCOMES = ['achieved', 'partly_achieved', 'not_achieved'] as const;

export interface Programme {
  id: string;
  name: string;
  type: string;
  provider_agency_id: string;
  provider_name: string;
  provider_kind: string | null;
  description: string | null;
  places: number;
  places_taken: number;
  places_free: number;
  waiting: number;
  schedule: string;
  languages: string[];
  eligibility: string;
  location: string | null;
  starts_on: string | null;
  ends_on: string | null;
  status: 'open' | 'closed' | string;
  version: number;
}

export interface Partner {
  id: string;
  name: string;
  partner_kind: string;
  contact_name: string | null;
  phone: string | null;
  email: string | null;
  address: string | null;
  note: string | null;
  programmes: number | Programme[];
  version: number;
}

/** What a referral shares of the person with the provider (only the shared members are present). */
export interface SharedPerson {
  case_number: string;
  name?: { surname: string | null; given_name: string | null; patronymic: string | null; latin: string | null };
  birth_date?: string | null;
  sex?: string | null;
  languages?: string[];
  phone?: { number: string | null; label: string | null }[];
  address?: string | null;
  officer?: { name: string | null; unit_name: string | null };
  needs?: { need: string | null; description: string | null }[];
}

export interface Move {
  to: string;
  needs_reason: boolean | number;
  needs: string | null;
}

export interface Referral {
  id: string;
  case_id?: string;
  case_number?: string;
  person_name?: string;
  person?: SharedPerson;
  programme_id: string;
  programme_name: string;
  programme_type: string;
  partner_agency_id: string;
  partner_name: string;
  status: string;
  reason: string;
  shared_fields: string[];
  share_until: string;
  share_live: boolean;
  referred_on: string;
  referred_by?: string;
  referred_by_name: string | null;
  status_at: string;
  outcome: string | null;
  report: string | null;
  report_on: string | null;
  version: number;
  moves: Move[];
  /** Sessions recorded so far, by status. */
  attendance_counts: { present: number; late: number; absent: number };
}

export interface ReferralEvent {
  at: string;
  actor_name: string | null;
  from: string | null;
  to: string;
  reason_code: string | null;
  note: string | null;
}

export interface Attendance {
  session_on: string;
  status: string;
  absence_reason: string | null;
}

export interface ProgressNote {
  id: string;
  written_on: string;
  text: string;
  author_name: string | null;
}

export interface ReferralDetail extends Referral {
  events: ReferralEvent[];
  attendance: Attendance[];
  progress_notes: ProgressNote[];
}

export interface Participant {
  referral_id: string;
  status: string;
  status_at: string;
  position: number | null;
  person: SharedPerson | { case_id: string; case_number: string; name: string };
  attendance: { present: number; late: number; absent: number };
}

export interface Participants {
  enrolled: Participant[];
  waiting: Participant[];
  others: { enrolled: number; waiting: number };
}

export interface RefStatus {
  code: string;
  position: number;
  is_terminal: boolean | number;
  holds_place: boolean | number;
  label: Texts;
}

export interface RefReason {
  code: string;
  to_status: string;
  label: Texts;
}

export interface ReferralReference {
  statuses: RefStatus[];
  transitions: { from: string; to: string; role: string; needs_reason: boolean | number; needs: string | null }[];
  reasons: RefReason[];
  share_fields: string[];
}

export function inLang(text: Texts | null | undefined, lang: Lang): string {
  if (!text) return '';
  return text[lang] || text.en || text.ru || text.ky || '';
}

/** A label of a code from this part's catalogue ("prog.type.education"), the code itself when unknown. */
export function codeLabel(t: T, base: string, code: string | null | undefined): string {
  if (!code) return '—';
  const key = `${base}.${code}` as MessageKey;
  const text = t(key);
  return text === key ? code : text;
}

/** The reference lists of referrals, loaded once per page. */
export function useReferralReference() {
  return useLoad((signal) => get<ReferralReference>('/api/v1/reference/referral-statuses', { signal }), []);
}

/** A status's label in the UI language, from the status table (the code when the table is not in yet). */
export function statusLabel(ref: ReferralReference | undefined, code: string | null | undefined, lang: Lang): string {
  if (!code) return '—';
  const s = ref?.statuses.find((x) => x.code === code);
  return inLang(s?.label, lang) || code;
}

export function reasonLabel(ref: ReferralReference | undefined, code: string | null | undefined, lang: Lang): string {
  if (!code) return '';
  const r = ref?.reasons.find((x) => x.code === code);
  return inLang(r?.label, lang) || code;
}

const STATUS_CLASS: Readonly<Record<string, string>> = {
  referred: 'badge badge-info', accepted: 'badge badge-info', waitlisted: 'badge badge-warn', enrolled: 'badge badge-ok',
  completed: 'badge badge-ok', declined: 'badge badge-off', withdrawn: 'badge badge-off',
};

export function ReferralStatusBadge({ code, reference }: { code: string; reference: ReferralReference | undefined }) {
  const { lang } = useI18n();
  return <span class={STATUS_CLASS[code] ?? 'badge'} data-status={code}>{statusLabel(reference, code, lang)}</span>;
}

/** "Expired" when a share has ended. */
export function ShareUntil({ referral }: { referral: Pick<Referral, 'share_until' | 'share_live'> }) {
  const { t, lang } = useI18n();
  return (
    <span class="prog-share-until">
      {formatDay(referral.share_until, lang)}
      {!referral.share_live ? <>{' '}<span class="badge badge-bad prog-expired">{t('ref.share.expired')}</span></> : null}
    </span>
  );
}

export function sharedName(p: SharedPerson | undefined): string {
  if (!p?.name) return '';
  return [p.name.surname, p.name.given_name, p.name.patronymic].filter(Boolean).join(' ');
}

/** The name of a participant or the case number (a partner's view holds a name only when it is shared). */
export function participantName(p: Participant['person']): string {
  if ('name' in p && typeof p.name === 'string') return p.name;
  return sharedName(p as SharedPerson);
}

/** The person as the provider sees it: exactly the shared fields, each labelled. */
export function SharedPersonView({ person, fields }: { person: SharedPerson; fields: readonly string[] }) {
  const { t, lang } = useI18n();
  const rows: [string, string, string][] = [[t('ref.case_number'), person.case_number, 'case_number']];
  for (const f of fields) {
    let value = '';
    if (f === 'name' && person.name) {
      value = sharedName(person);
      if (person.name.latin) value += ` (${person.name.latin})`;
    } else if (f === 'birth_date') value = formatDay(person.birth_date ?? '', lang);
    else if (f === 'sex') value = codeLabel(t, 'ref.sex', person.sex ?? null);
    else if (f === 'languages') value = (person.languages ?? []).map((l) => codeLabel(t, 'prog.lang', l)).join(', ');
    else if (f === 'phone') value = (person.phone ?? []).map((p) => (p.label ? `${p.number ?? ''} (${p.label})` : p.number ?? '')).join(', ');
    else if (f === 'address') value = person.address ?? '';
    else if (f === 'officer') value = [person.officer?.name, person.officer?.unit_name].filter(Boolean).join(', ');
    else if (f === 'needs') value = (person.needs ?? []).map((n) => [n.need, n.description].filter(Boolean).join(': ')).join('; ');
    rows.push([codeLabel(t, 'ref.field', f), value || '—', f]);
  }
  return (
    <dl class="facts prog-shared" id="referral-person">
      {rows.map(([term, value, field]) => (
        <div class="fact" key={field} data-field={field}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The links between the pages of the Programmes section, each shown to those who may open it. */
export function ProgrammesNav({ current }: { current: 'catalogue' | 'referrals' | 'release' | null }) {
  const { t } = useI18n();
  const { can } = useSession();
  const links: { id: 'catalogue' | 'referrals' | 'release'; href: string; label: MessageKey; show: boolean }[] = [
    { id: 'catalogue', href: '/programmes', label: 'prog.catalogue', show: can('programmes.read') },
    { id: 'referrals', href: '/referrals', label: can('referrals.provide') ? 'ref.list.partner' : 'ref.list.title', show: can('referrals.read') },
    { id: 'release', href: '/release-planning', label: 'prog.release_planning', show: can('release.read') },
  ];
  const shown = links.filter((l) => l.show);
  if (shown.length < 2) return null;
  return (
    <nav class="sub-nav" aria-label={t('prog.nav')}>
      <ul>
        {shown.map((l) => (
          <li key={l.id}><Link href={l.href} current={l.id === current}>{t(l.label)}</Link></li>
        ))}
      </ul>
    </nav>
  );
}

export function addDays(day: string, n: number): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(day);
  if (!m) return day;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + n)).toISOString().slice(0, 10);
}

/** Whether a move needs a reason (the API sends booleans; the table stores 0/1). */
export const truthy = (v: boolean | number | null | undefined) => v === true || v === 1;
