// Release planning, panel meetings and reintegration needs as the API gives them (issue 9 contract),
// and the small helpers the release pages share: agencies and units for the pickers, dates.
import { ApiError, get, request, type Agency, type Items, type Unit } from '../../api';
import { LOCALES, type Lang, type MessageKey, type Params } from '../../i18n';
import { formatDay } from '../cases/model';

export type T = (key: MessageKey, params?: Params) => string;

export const PLAN_STATUSES = ['draft', 'agreed', 'handed_over', 'cancelled'] as const;
export const DOC_KINDS = ['passport', 'id_card', 'birth_certificate', 'military_record', 'other'] as const;
export const DOC_STATUSES = ['have', 'applied', 'needed'] as const;
export const ACTION_STATUSES = ['open', 'done', 'cancelled'] as const;
export const NEED_AREAS = ['identity_documents', 'housing', 'work', 'education', 'health', 'family', 'finances', 'debts',
  'community_religious_support'] as const;
export const NEED_STATUSES = ['open', 'in_progress', 'done', 'cancelled'] as const;
export const MINUTES_LANGS = ['ky', 'ru', 'en'] as const;

export interface PlanningItem {
  case_id: string;
  case_number: string;
  person_name: string;
  unit_name: string;
  release_on: string;
  days_to_release: number;
  plan: null | {
    id: string;
    status: string;
    receiving_unit_id: string;
    receiving_unit_name: string;
    first_appointment_at: string | null;
    actions_open: number;
    meetings: number;
  };
}

export interface Planning {
  months_before: number;
  items: PlanningItem[];
}

export interface PlanDocument {
  kind: string;
  status: string;
  note: string | null;
}

export interface ReleaseAction {
  id: string;
  meeting_id: string | null;
  description: string;
  owner_agency_id: string;
  owner_agency_name: string;
  owner_name: string | null;
  due_on: string;
  status: string;
  plan_action_id: string | null;
  version: number;
}

export interface ReferralSummary {
  id: string;
  programme_name?: string;
  programme_type?: string;
  partner_name?: string;
  status?: string;
}

export interface ReleasePlan {
  id: string;
  case_id: string;
  case_number: string;
  release_on: string | null;
  receiving_unit_id: string;
  receiving_unit_name: string;
  status: string;
  address: string | null;
  transport: string | null;
  documents: PlanDocument[];
  first_appointment_at: string | null;
  first_appointment_place: string | null;
  first_appointment_limit: string | null;
  notes: string | null;
  referrals: ReferralSummary[];
  actions: ReleaseAction[];
  meetings: { id: string; held_on: string; place: string | null; attendees: number }[];
  version: number;
  handed_over_at: string | number | null;
}

export interface Attendee {
  agency_id: string;
  agency_name?: string;
  name: string;
  role_title: string | null;
  present: boolean | number;
}

export interface Meeting {
  id: string;
  plan_id: string;
  case_id: string;
  case_number: string;
  held_on: string;
  place: string | null;
  agenda: string;
  decisions: string;
  attendees: Attendee[];
  actions: ReleaseAction[];
  version: number;
}

export interface Need {
  id: string;
  case_id: string;
  case_number: string;
  area: string;
  description: string;
  owner_agency_id: string;
  owner_agency_name: string;
  owner_account_id: string | null;
  owner_account_name: string | null;
  due_on: string;
  status: string;
  overdue: boolean | number;
  outcome_note: string | null;
  closed_on: string | null;
  version: number;
}

/** What GET /cases/{id}/release-plan says: the plan, or none (with what the server tells about the release). */
export interface PlanState {
  plan: ReleasePlan | null;
  version: string | null;
  release_on: string | null;
  first_appointment_days: number | null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v ? v : null;
}

/**
 * GET /api/v1/cases/{id}/release-plan. No plan yet comes back as a 404 (or as a body whose plan is
 * null); what the server adds about the release date and the days allowed is kept either way.
 */
export async function loadPlan(caseId: string, signal: AbortSignal, headers: Record<string, string>): Promise<PlanState> {
  try {
    const r = await request<Record<string, unknown>>('GET', `/api/v1/cases/${encodeURIComponent(caseId)}/release-plan`, { signal, headers });
    const b = r.data ?? {};
    const inner = (b.plan !== undefined ? b.plan : b) as Record<string, unknown> | null;
    const plan = inner && typeof inner.id === 'string' ? (inner as unknown as ReleasePlan) : null;
    return {
      plan: plan ? { ...plan, documents: plan.documents ?? [], actions: plan.actions ?? [], meetings: plan.meetings ?? [], referrals: plan.referrals ?? [] } : null,
      version: r.etag ?? (plan ? String(plan.version) : null),
      release_on: str(plan?.release_on) ?? str(b.release_on),
      first_appointment_days: num(b.first_appointment_days) ?? num((inner ?? {}).first_appointment_days),
    };
  } catch (e) {
    // The case itself was read first (the page and the card stand on it), so a 404 here means no plan yet.
    if (e instanceof ApiError && e.status === 404) {
      const b = e.problem?.body ?? {};
      return { plan: null, version: null, release_on: str(b.release_on), first_appointment_days: num(b.first_appointment_days) };
    }
    throw e;
  }
}

/** Agencies (for owner pickers) and units of probation agencies (the receiving unit), loaded once a page load. */
export interface Org {
  agencies: Agency[];
  probationUnits: (Unit & { agency_name: string })[];
}

let orgCache: Promise<Org> | null = null;

export function loadOrg(): Promise<Org> {
  if (!orgCache) {
    orgCache = Promise.all([get<Items<Agency>>('/api/v1/agencies'), get<Items<Unit>>('/api/v1/units')]).then(([a, u]) => {
      const agencies = [...a.items].sort((x, y) => x.name.localeCompare(y.name));
      const probation = new Map(agencies.filter((x) => x.kind === 'probation').map((x) => [x.id, x.name]));
      const probationUnits = u.items.filter((x) => probation.has(x.agency_id))
        .map((x) => ({ ...x, agency_name: probation.get(x.agency_id) ?? '' }))
        .sort((x, y) => `${x.agency_name} ${x.name}`.localeCompare(`${y.agency_name} ${y.name}`));
      return { agencies, probationUnits };
    }, (e: unknown) => {
      orgCache = null;
      throw e;
    });
  }
  return orgCache;
}

/** The day n days after a YYYY-MM-DD day. */
export function addDays(day: string, n: number): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(day);
  if (!m) return day;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + n)).toISOString().slice(0, 10);
}

/** Whole days from a to b (YYYY-MM-DD). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b.slice(0, 10)}T00:00:00Z`) - Date.parse(`${a.slice(0, 10)}T00:00:00Z`)) / 86400000);
}

/**
 * "2026-05-04T10:30" as the days and times elsewhere in the UI show (useDates().short: "04.05.2026, 10:30",
 * in English "04/05/2026, 10:30"); a local time, so there is no zone to convert.
 */
export function localTime(value: string | null | undefined, lang: Lang): string {
  if (!value) return '';
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})/.exec(value);
  return m ? `${formatDay(m[1], lang)}, ${m[2]}:${m[3]}` : value;
}

/** Counted phrases (`${base}.one|few|many|other`): the supervision pages' own helper. */
export { plural } from '../supervision/model';

/** Agencies that may own an action or a reintegration task: probation, prison and partners. */
export const OWNER_AGENCY_KINDS: readonly string[] = ['probation', 'prison', 'partner'];

/** Countries a returnee most often comes back from, first in the picker. */
export const LIKELY_COUNTRIES = ['SY', 'IQ', 'TR', 'AF'] as const;

/** Every ISO 3166-1 alpha-2 code (assigned). */
export const COUNTRY_CODES: readonly string[] = (
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI '
  + 'CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP '
  + 'GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK '
  + 'LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA '
  + 'PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF '
  + 'TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW').split(' ');

/** A country's name in the UI language (the code itself when the browser cannot name it). */
export function countryName(code: string | null | undefined, lang: Lang): string {
  if (!code) return '';
  const c = code.toUpperCase();
  try {
    return new Intl.DisplayNames([LOCALES[lang], lang === 'ky' ? 'ru-RU' : 'en-GB'], { type: 'region' }).of(c) ?? c;
  } catch {
    return c;
  }
}

/** The country picker's options: the likely ones first, then the rest by name. */
export function countryOptions(lang: Lang): { value: string; label: string }[] {
  const likely = LIKELY_COUNTRIES.map((c) => ({ value: c, label: countryName(c, lang) }));
  const rest = COUNTRY_CODES.filter((c) => !(LIKELY_COUNTRIES as readonly string[]).includes(c))
    .map((c) => ({ value: c, label: countryName(c, lang) }))
    .sort((a, b) => a.label.localeCompare(b.label, LOCALES[lang]));
  return [...likely, ...rest];
}

export const truthy = (v: unknown) => v === true || v === 1 || v === 'true';

/** A code's label from the catalogue ("rel.<group>.<code>"), or the code itself when there is none. */
export function label(t: T, group: string, code: string | null | undefined): string {
  if (!code) return '—';
  const key = `rel.${group}.${code}` as MessageKey;
  const text = t(key);
  return text === key ? code : text;
}
