// The case record as the API gives it (see the case-record API contract), and the small
// helpers the Cases pages share: the reference lists (loaded once per page load), titles in the
// UI language, civil dates (YYYY-MM-DD) for people, terms ("5y6m10d") and today's date in the
// deployment's time zone.
import { get, request, type RequestOptions } from '../../api';
import { LOCALES, type Lang, type MessageKey, type Params } from '../../i18n';

export type T = (key: MessageKey, params?: Params) => string;

export const CASE_KINDS = ['pre_trial', 'executive', 'penitentiary', 'post_penitentiary'] as const;
export const CASE_STATUSES = ['open', 'suspended', 'closed'] as const;
export const NOTE_SENSITIVITIES = ['normal', 'sensitive', 'restricted'] as const;
export const NOTE_NATURES = ['fact', 'assessment'] as const;
export const NOTE_SOURCES = ['observation', 'person', 'family', 'employer', 'police', 'court', 'prison', 'partner',
  'document', 'other'] as const;
export const REPORT_LANGS: readonly Lang[] = ['ky', 'ru', 'en'];
export const TASK_STATUSES = ['open', 'done', 'not_possible'] as const;
export const PRETRIAL_FILTERS = ['open', 'due', 'overdue', 'submitted', 'all'] as const;

// ---- reference lists ----

interface Titled {
  code: string;
  title_ky?: string;
  title_ru?: string;
  title_en?: string;
}

export interface RefArticle extends Titled {
  category?: string;
  /** Booleans come out of the server as is_X or X (see the contract); flag() reads either. */
  extremism?: boolean;
  is_extremism?: boolean;
  terrorism?: boolean;
  is_terrorism?: boolean;
  active?: boolean;
  is_active?: boolean;
}

export interface RefMeasure extends Titled {
  custodial?: boolean;
  is_custodial?: boolean;
  tokyo_rule?: string | null;
}

export type RefDuty = Titled;

export interface Reference {
  articles: RefArticle[];
  measures: RefMeasure[];
  duties: RefDuty[];
  release_rules?: { category: string; numerator: number; denominator: number }[];
  settings?: {
    exclude_extremism?: boolean | string;
    exclude_terrorism?: boolean | string;
    remand_credit?: string;
    pretrial_due_days?: number | string;
    access_request_due_days?: number | string;
  };
  case_kinds?: string[];
}

/** A boolean the server may name X or is_X. */
export function flag(item: object, name: string): boolean {
  const r = item as Record<string, unknown>;
  const v = r[name] ?? r[`is_${name}`];
  return v === true || v === 1 || v === 'true';
}

/** An item's title in the UI language (else English, else its code). */
export function titleOf(item: Titled | undefined, lang: Lang, code = ''): string {
  if (!item) return code;
  return item[`title_${lang}`] || item.title_en || item.code || code;
}

let referenceCache: Promise<Reference> | null = null;

/** GET /api/v1/reference, once per page load (a failure is asked again next time). */
export function loadReference(): Promise<Reference> {
  if (!referenceCache) {
    referenceCache = get<Reference>('/api/v1/reference').then(
      (r) => ({ ...r, articles: r.articles ?? [], measures: r.measures ?? [], duties: r.duties ?? [] }),
      (e: unknown) => {
        referenceCache = null;
        throw e;
      },
    );
  }
  return referenceCache;
}

// ---- cases ----

export interface CaseListItem {
  id: string;
  number: string;
  kind: string;
  status: string;
  person_id: string;
  person_name: string;
  birth_date: string | null;
  unit_id: string;
  unit_name: string;
  officer_id: string | null;
  officer_name: string | null;
  opened_on: string;
  closed_on: string | null;
}

export interface CaseListPage {
  items: CaseListItem[];
  next_cursor: string | null;
}

export interface Counts {
  total: number;
  by_kind: Record<string, number>;
  by_status: Record<string, number>;
}

export interface Caseload extends Counts {
  unit: { id: string; name: string } | null;
  officers: (Counts & { officer_id: string; officer_name: string })[];
  unallocated: number;
}

export interface Step {
  op: string;
  value?: number | null;
  basis?: number | null;
  numerator?: number | null;
  denominator?: number | null;
  /** "5y6m", or the parts. */
  term?: string | { years?: number; months?: number; days?: number } | null;
  reason?: string | null;
  result?: string | null;
}

export interface KeyDate {
  kind: string;
  date: string | null;
  explanation: { formula?: string; steps?: Step[] } | null;
  computed_at: string | null;
}

export interface Decision {
  id: string;
  authority: string;
  number: string | null;
  decided_on: string;
  measure: string;
  start_on: string;
  term: string;
  remand_days: number | null;
  duties: string[];
  articles: string[];
  status: string;
  version: number;
  key_dates: KeyDate[];
}

export interface Assignment {
  unit_id: string;
  unit_name: string;
  officer_id: string | null;
  officer_name: string | null;
  from_at: string;
  to_at: string | null;
  reason: string;
  by_name: string | null;
}

export interface CaseRecord {
  id: string;
  number: string;
  kind: string;
  status: string;
  opened_on: string;
  open_reason: string;
  closed_on: string | null;
  close_reason: string | null;
  consent_on: string | null;
  version: number;
  unit_id: string;
  unit_name: string;
  officer_id: string | null;
  officer_name: string | null;
  person: {
    id: string;
    surname: string;
    given_name: string;
    patronymic: string | null;
    surname_latin: string | null;
    given_name_latin: string | null;
    patronymic_latin: string | null;
    birth_date: string | null;
    has_photo?: boolean;
    photo?: boolean;
  };
  decisions: Decision[];
  assignments: Assignment[];
  pretrial_report_id: string | null;
  /** Whether the caller may change the case (its own units or a grant; not a stated purpose, not the receiving unit
   * of a release plan before the handover). */
  may_change?: boolean;
}

export interface Note {
  id: string;
  written_at: string;
  author_id: string;
  author_name: string;
  sensitivity: string;
  nature: string;
  source: string;
  source_detail: string | null;
  body: string;
}

export interface Notes {
  items: Note[];
  withheld: number;
}

export interface TimelineEvent {
  id: string;
  at: string | number;
  kind: string;
  actor_name: string | null;
  summary: string;
  detail: Record<string, unknown> | null;
  record_type: string | null;
  record_id: string | null;
}

// ---- pre-trial reports ----

export interface PretrialListItem {
  id: string;
  case_id: string;
  case_number: string;
  person_id: string;
  person_name: string;
  court: string;
  received_on: string;
  due_on: string;
  status: string;
  days_left: number | null;
  is_overdue?: boolean;
  overdue?: boolean;
}

export interface Localised {
  ky?: string;
  ru?: string;
  en?: string;
}

export interface TemplateSection {
  id: string;
  title: Localised;
  guidance: Localised;
  required: boolean;
  max_length: number | null;
  /** Whether the section records facts or the officer's assessment (S14). */
  nature?: string;
  /** Special-category data (health, family; S15). */
  special_category?: boolean;
}

export interface PretrialTask {
  id: string;
  kind: string;
  status: string;
  due_on: string | null;
  findings: string | null;
  done_at: string | null;
  done_by_name: string | null;
  version: number;
}

export interface PretrialReport {
  id: string;
  case_id: string;
  case_number: string;
  person: { id: string; surname: string; given_name: string; patronymic: string | null; birth_date: string | null };
  court: string;
  court_reference: string | null;
  received_on: string;
  due_on: string;
  status: string;
  language: string;
  template: { id: string; version: number | string; title?: Localised; sections: TemplateSection[] };
  report: Record<string, string>;
  tasks: PretrialTask[];
  submitted_at: string | null;
  submitted_by_name: string | null;
  version: number;
  days_left?: number | null;
  is_overdue?: boolean;
}

/** A text in the UI language, else English, else any. */
export function localised(text: Localised | string | undefined | null, lang: Lang): string {
  if (!text) return '';
  if (typeof text === 'string') return text;
  return text[lang] || text.en || text.ru || text.ky || '';
}

// ---- reading with a version ----

export interface Versioned<D> {
  data: D;
  /** For If-Match: the ETag, else the body's version. */
  version: string;
}

export async function getVersioned<D extends { version?: number }>(path: string, options: RequestOptions = {}): Promise<Versioned<D>> {
  const r = await request<D>('GET', path, options);
  return { data: r.data, version: r.etag ?? String(r.data.version ?? '') };
}

// ---- names, dates, terms ----

export function personName(p: { surname: string; given_name: string; patronymic?: string | null }): string {
  return [p.surname, p.given_name, p.patronymic].filter(Boolean).join(' ');
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A civil date (YYYY-MM-DD) for people: numbers only, in the form Kyrgyz and Russian documents
 * share (10.01.2026), or the English one (10/01/2026); the text itself if it is not a date.
 */
export function formatDay(day: string | null | undefined, lang: Lang): string {
  if (!day) return '';
  const m = DAY.exec(day);
  if (!m) return day;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  try {
    return new Intl.DateTimeFormat(lang === 'en' ? LOCALES.en : 'ru-RU',
      { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'UTC' }).format(date);
  } catch {
    return day;
  }
}

/** Today's date (YYYY-MM-DD) in the deployment's time zone (the browser's when unknown). */
export function today(timeZone: string): string {
  const options: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit' };
  if (timeZone) options.timeZone = timeZone;
  try {
    return new Intl.DateTimeFormat('en-CA', options).format(new Date());
  } catch {
    return new Date().toISOString().slice(0, 10);
  }
}

export interface TermParts {
  years: number;
  months: number;
  days: number;
}

/** "5y6m10d" → its parts (null when it is not a term). */
export function parseTerm(text: string | null | undefined): TermParts | null {
  const m = /^(?:(\d{1,5})y)?(?:(\d{1,5})m)?(?:(\d{1,5})d)?$/.exec(text ?? '');
  if (!m || !text) return null;
  return { years: Number(m[1] ?? 0), months: Number(m[2] ?? 0), days: Number(m[3] ?? 0) };
}

/** The parts as the API writes a term ("5y6m10d", zero parts left out; '' for a zero term). */
export function termText(p: TermParts): string {
  return `${p.years ? `${p.years}y` : ''}${p.months ? `${p.months}m` : ''}${p.days ? `${p.days}d` : ''}`;
}

/** A count with its noun in the plural form the language needs ("1 year", "2 года", "5 лет"). */
export function plural(t: T, lang: Lang, base: 'cases.term.years' | 'cases.term.months' | 'cases.term.days', n: number): string {
  let category = 'other';
  try {
    category = new Intl.PluralRules(LOCALES[lang]).select(n);
  } catch {
    /* no plural rules for the locale: the general form */
  }
  const form = ['one', 'few', 'many'].includes(category) ? category : 'other';
  return t(`${base}.${form}` as MessageKey, { n });
}

/** A term in words in the UI language: "5 years 6 months", "45 days". */
export function termWords(t: T, lang: Lang, term: Step['term'] | string | null | undefined): string {
  let parts: TermParts | null = null;
  if (typeof term === 'string') parts = parseTerm(term);
  else if (term && typeof term === 'object') {
    parts = { years: Number(term.years ?? 0), months: Number(term.months ?? 0), days: Number(term.days ?? 0) };
  }
  if (!parts) return typeof term === 'string' ? term : '';
  const words: string[] = [];
  if (parts.years) words.push(plural(t, lang, 'cases.term.years', parts.years));
  if (parts.months) words.push(plural(t, lang, 'cases.term.months', parts.months));
  if (parts.days) words.push(plural(t, lang, 'cases.term.days', parts.days));
  return words.length ? words.join(' ') : plural(t, lang, 'cases.term.days', 0);
}

/** Days from today to a civil date (negative when past). */
export function daysUntil(day: string, timeZone: string): number | null {
  const a = DAY.exec(day);
  const b = DAY.exec(today(timeZone));
  if (!a || !b) return null;
  const d = (m: RegExpExecArray) => Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Math.round((d(a) - d(b)) / 86400000);
}
