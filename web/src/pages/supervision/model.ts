// The supervision records as the API gives them (see the issue 5 contract: supervision level, plan,
// appointments and contacts, diary and calendar feed), and the small helpers the supervision
// pages share: civil-date arithmetic, local times ("YYYY-MM-DDTHH:MM" in the deployment zone),
// the RRULE the schedule form builds, and translated names for the server's codes.
import { LOCALES, type Lang, type MessageKey, type Params } from '../../i18n';
import { formatDay, type Localised } from '../cases/model';

export type T = (key: MessageKey, params?: Params) => string;

export const APPOINTMENT_KINDS = ['office', 'home_visit', 'phone', 'video'] as const;
export const CONTACT_KINDS = ['office', 'home_visit', 'phone', 'video', 'other'] as const;
export const OUTCOMES = ['attended_complied', 'attended_failed_to_comply', 'sent_home', 'acceptable_absence',
  'unacceptable_absence', 'failed_to_attend'] as const;
export const ABSENCE_REASONS = ['court', 'employment', 'family', 'medical', 'religious', 'other'] as const;
export const NEEDS = ['accommodation', 'employment', 'education', 'health', 'substance_use', 'family', 'finances',
  'attitudes', 'disengagement', 'identity_documents', 'risk_management', 'reintegration', 'other'] as const;
export const OBJECTIVE_STATUSES = ['open', 'achieved', 'partly_achieved', 'not_achieved', 'dropped'] as const;
export const ACTION_STATUSES = ['open', 'done', 'cancelled'] as const;
export const OWNER_KINDS = ['officer', 'person', 'partner'] as const;
export const WEEKDAYS = ['mo', 'tu', 'we', 'th', 'fr', 'sa', 'su'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

// ---- supervision level ----

export interface SupervisionLevel {
  code: string;
  rank: number;
  title: Localised;
  min_contacts: number;
  contacts_period_days: number;
  min_home_visits: number;
  home_visits_period_days: number;
  reassessment_days: number;
  active: boolean;
}

export interface LevelRow {
  level: string;
  title: Localised;
  reason: string;
  effective_from: string;
  set_by_name: string | null;
  set_at: string;
}

export interface Counted {
  required: number;
  period_days: number;
  done: number;
  met: boolean;
  from: string;
  to: string;
}

export interface Supervision {
  level: LevelRow | null;
  history: { id: string; level: string; level_title: Localised; reason: string; effective_from: string;
    set_by_name: string | null; set_at: string }[];
  policy: SupervisionLevel | null;
  compliance: null | {
    contacts: Counted;
    home_visits: Counted;
    reassessment: { interval_days: number; last_on: string | null; due_on: string; overdue: boolean };
    met: boolean;
  };
}

// ---- plan ----

export interface PlanAction {
  id: string;
  objective_id: string;
  description: string;
  owner_kind: string;
  owner_account_id: string | null;
  owner_name: string | null;
  owner_agency_id: string | null;
  due_on: string | null;
  status: string;
  done_on: string | null;
  overdue: boolean;
  version: number;
}

export interface PlanObjective {
  id: string;
  need: string;
  description: string;
  status: string;
  position: number;
  version: number;
  actions: PlanAction[];
}

export interface Plan {
  id: string;
  case_id: string;
  review_every_days: number;
  next_review_on: string | null;
  review_due: boolean;
  version: number;
  objectives: PlanObjective[];
  reviews: { id: string; reviewed_on: string; reviewed_by_name: string | null; summary: string; next_review_on: string | null }[];
}

// ---- appointments, contacts, diary ----

export interface Contact {
  id: string;
  case_id: string;
  appointment_id: string | null;
  occurrence_local: string | null;
  kind: string;
  happened_local: string;
  duration_min: number | null;
  outcome: string;
  absence_reason: string | null;
  absence_detail: string | null;
  notes: string | null;
  condition_id: string | null;
  recorded_by_name: string | null;
  recorded_at: string;
}

export interface Appointment {
  id: string;
  case_id: string;
  case_number: string;
  person_name: string;
  officer_id: string | null;
  officer_name: string | null;
  kind: string;
  location: string | null;
  purpose: string;
  condition_id: string | null;
  starts_local: string;
  duration_min: number;
  rrule: string | null;
  status: string;
  cancel_reason: string | null;
  exceptions: { occurrence_local: string; new_starts_local: string | null; reason: string; changed_by_name: string | null;
    changed_at: string }[];
  version: number;
}

export interface Occurrence {
  appointment_id: string;
  case_id: string;
  case_number: string;
  person_name: string;
  officer_id: string | null;
  officer_name: string | null;
  kind: string;
  location: string | null;
  purpose: string;
  start_local: string;
  end_local: string;
  start: string;
  original_local: string;
  moved: boolean;
  cancelled: boolean;
  reason: string | null;
  duration_min: number;
  recurring: boolean;
  outcome: Contact | null;
}

export interface Schedule {
  from: string;
  to: string;
  timezone: string;
  items: Occurrence[];
  appointments: Appointment[];
}

export interface Diary {
  from: string;
  to: string;
  timezone: string;
  officer_id: string;
  officer_name: string;
  items: Occurrence[];
}

export interface Feed {
  active: boolean;
  created_at: string | null;
  last_used_at: string | null;
}

/** The conditions list as far as the contact form needs it. */
export interface ConditionItem {
  id: string;
  code: string | null;
  title: Localised | null;
  text?: string;
  duty?: string | null;
  free_text?: string | null;
  status: string;
}

// ---- labels ----

function lookup(t: T, prefix: string, code: string): string {
  const key = `${prefix}.${code}` as MessageKey;
  const text = t(key);
  return text === key ? code : text;
}

export const apptKindLabel = (t: T, kind: string) => lookup(t, 'sup.kind', kind);
export const outcomeLabel = (t: T, outcome: string) => lookup(t, 'sup.outcome', outcome);
export const absenceLabel = (t: T, reason: string) => lookup(t, 'sup.absence', reason);
export const needLabel = (t: T, need: string) => lookup(t, 'sup.need', need);
export const objectiveStatusLabel = (t: T, status: string) => lookup(t, 'sup.objective.status', status);
export const actionStatusLabel = (t: T, status: string) => lookup(t, 'sup.action.status', status);
export const ownerKindLabel = (t: T, kind: string) => lookup(t, 'sup.owner', kind);
export const weekdayLabel = (t: T, day: string) => lookup(t, 'sup.day', day);

/** The badge class of an outcome: kept (ok), a failure (bad), an excused absence (info). */
export function outcomeClass(outcome: string): string {
  if (outcome === 'attended_complied') return 'badge badge-ok';
  if (outcome === 'acceptable_absence') return 'badge badge-info';
  if (outcome === 'sent_home') return 'badge badge-warn';
  return 'badge badge-bad';
}

// ---- civil dates and local times ----

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function dayMs(day: string): number | null {
  const m = DAY.exec(day);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

/** A civil date plus n days. */
export function addDays(day: string, n: number): string {
  const ms = dayMs(day);
  if (ms === null) return day;
  return new Date(ms + n * 86400000).toISOString().slice(0, 10);
}

/** 0 = Monday ... 6 = Sunday. */
export function weekdayIndex(day: string): number {
  const ms = dayMs(day);
  if (ms === null) return 0;
  return (new Date(ms).getUTCDay() + 6) % 7;
}

/** The Monday of the week a date is in. */
export function weekStart(day: string): string {
  return addDays(day, -weekdayIndex(day));
}

/** The date part of a local time. */
export const localDay = (local: string) => local.slice(0, 10);
/** The time part of a local time ("09:30"). */
export const localClock = (local: string) => local.slice(11, 16);

// ---- the recurrence rule the schedule form builds ----

export type Repeat = 'none' | 'weekly' | 'fortnightly' | 'monthly' | 'advanced';
export type RepeatEnd = 'count' | 'until';

export interface RepeatSpec {
  repeat: Repeat;
  days: readonly Weekday[];
  monthDay: string;
  end: RepeatEnd;
  count: string;
  until: string;
  raw: string;
}

/** The RRULE value (without "RRULE:") for the form's choices; null for a single appointment. */
export function buildRrule(s: RepeatSpec): string | null {
  if (s.repeat === 'none') return null;
  if (s.repeat === 'advanced') return s.raw.trim().replace(/^RRULE:/i, '') || null;
  const parts: string[] = [];
  if (s.repeat === 'monthly') {
    parts.push('FREQ=MONTHLY', `BYMONTHDAY=${s.monthDay.trim()}`);
  } else {
    parts.push('FREQ=WEEKLY');
    if (s.repeat === 'fortnightly') parts.push('INTERVAL=2');
    const days = WEEKDAYS.filter((d) => s.days.includes(d));
    if (days.length) parts.push(`BYDAY=${days.map((d) => d.toUpperCase()).join(',')}`);
  }
  if (s.end === 'count') parts.push(`COUNT=${s.count.trim()}`);
  else if (s.until) parts.push(`UNTIL=${s.until.replace(/-/g, '')}T235959`);
  return parts.join(';');
}

// ---- a recurrence rule in words ----

const PLURAL_FORMS = ['one', 'few', 'many', 'other'] as const;

/** A counted phrase ("{n} weeks") in the language's plural form for n: the key `${base}.one|few|many|other`. */
export function plural(t: T, lang: Lang, base: string, n: number, params: Params = {}): string {
  let form = 'other';
  try {
    form = new Intl.PluralRules(LOCALES[lang]).select(n);
  } catch {
    form = n === 1 ? 'one' : 'other';
  }
  const f = (PLURAL_FORMS as readonly string[]).includes(form) ? form : 'other';
  return t(`${base}.${f}` as MessageKey, { n, ...params });
}

/** "a, b and c" in the language. */
function listOf(lang: Lang, items: string[]): string {
  try {
    return new Intl.ListFormat(LOCALES[lang], { style: 'long', type: 'conjunction' }).format(items);
  } catch {
    return items.join(', ');
  }
}

/** The civil date (YYYY-MM-DD) of an RRULE UNTIL value in the deployment zone: a UTC time ("…Z") is converted. */
export function untilDay(value: string, zone: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(value);
  if (!m) return null;
  const day = `${m[1]}-${m[2]}-${m[3]}`;
  if (!m[7]) return day;
  const at = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: zone || undefined, year: 'numeric', month: '2-digit', day: '2-digit' })
      .format(new Date(at));
  } catch {
    return day;
  }
}

const FREQS = { DAILY: 'days', WEEKLY: 'weeks', MONTHLY: 'months', YEARLY: 'years' } as const;
type Freq = keyof typeof FREQS;

/**
 * A recurrence rule in words in the UI language, for the rules the schedule form builds and the common
 * ones: FREQ DAILY / WEEKLY / MONTHLY / YEARLY, INTERVAL, BYDAY (weekdays, with WEEKLY), BYMONTHDAY
 * (with MONTHLY; -1 is the last day), COUNT, UNTIL (a date in the deployment zone) — "every 2 weeks
 * on Tuesday, 12 times", "monthly on day 15, until 30.06.2027". Null for anything else (the caller
 * shows the rule itself).
 */
export function describeRrule(rule: string, t: T, lang: Lang, zone: string): string | null {
  const parts = new Map<string, string>();
  for (const part of rule.trim().replace(/^RRULE:/i, '').split(';')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    const key = part.slice(0, eq).toUpperCase();
    if (parts.has(key)) return null;
    parts.set(key, part.slice(eq + 1).toUpperCase());
  }
  const known = new Set(['FREQ', 'INTERVAL', 'BYDAY', 'BYMONTHDAY', 'COUNT', 'UNTIL', 'WKST']);
  for (const key of parts.keys()) if (!known.has(key)) return null;
  const freq = parts.get('FREQ') as Freq | undefined;
  if (!freq || !(freq in FREQS)) return null;
  const intervalText = parts.get('INTERVAL') ?? '1';
  if (!/^[1-9]\d{0,2}$/.test(intervalText)) return null;
  const interval = Number(intervalText);
  const words: string[] = [];
  let head = interval === 1 ? t(`sup.rrule.freq.${freq.toLowerCase()}` as MessageKey) : plural(t, lang, `sup.rrule.every.${FREQS[freq]}`, interval);

  const byDay = parts.get('BYDAY');
  if (byDay !== undefined) {
    if (freq !== 'WEEKLY') return null;
    const days = byDay.split(',').map((d) => d.toLowerCase());
    if (!days.length || days.some((d) => !(WEEKDAYS as readonly string[]).includes(d))) return null;
    const ordered = WEEKDAYS.filter((d) => days.includes(d));
    head += ` ${t('sup.rrule.on_days', { days: listOf(lang, ordered.map((d) => t(`sup.rrule.day.${d}` as MessageKey))) })}`;
  }
  const byMonthDay = parts.get('BYMONTHDAY');
  if (byMonthDay !== undefined) {
    if (freq !== 'MONTHLY') return null;
    const days = byMonthDay.split(',');
    if (days.length === 1 && days[0] === '-1') head += ` ${t('sup.rrule.last_day')}`;
    else {
      if (days.some((d) => !/^(?:[1-9]|[12]\d|3[01])$/.test(d))) return null;
      const sorted = [...new Set(days.map(Number))].sort((a, b) => a - b);
      head += ` ${sorted.length === 1 ? t('sup.rrule.month_day', { n: sorted[0] ?? 1 })
        : t('sup.rrule.month_days', { days: listOf(lang, sorted.map(String)) })}`;
    }
  }
  words.push(head);
  const count = parts.get('COUNT');
  const until = parts.get('UNTIL');
  if (count !== undefined && until !== undefined) return null;
  if (count !== undefined) {
    if (!/^[1-9]\d{0,3}$/.test(count)) return null;
    words.push(plural(t, lang, 'sup.rrule.times', Number(count)));
  }
  if (until !== undefined) {
    const day = untilDay(until, zone);
    if (!day) return null;
    words.push(t('sup.rrule.until', { date: formatDay(day, lang) }));
  }
  return words.join(', ');
}
