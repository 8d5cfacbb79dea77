// Shared by the people pages (/people, /people/new, /people/:id, /people/access-requests,
// /people/import): the records' types, the section's sub-navigation, dates without a time,
// the purpose a record outside one's units asks for (428 purpose-required), what a refusal or
// a missing record looks like, a date and a file field, raw (non-JSON) uploads, and a picker
// that finds a person by name.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  ApiError, PURPOSES, get, purposeHeaders, query, type FieldError, type Problem, type StatedPurpose,
} from '../../api';
import { FormDialog } from '../../components/Dialog';
import { SelectField, TextAreaField, TextField, countChars } from '../../components/Form';
import { Link } from '../../components/Link';
import { LOCALES, useI18n, type Lang, type MessageKey, type Params } from '../../i18n';
import { peopleLabel, purposeLabel } from '../../labels';
import { fieldErrors, problemMessage } from '../../problems';
import { useSession, useTimeZone } from '../../session';

type T = (key: MessageKey, params?: Params) => string;

// ---- the records (see the API contract) ----

/** One of GET /api/v1/people?q=. */
export interface PersonHit {
  id: string;
  surname: string;
  given_name: string;
  patronymic: string | null;
  surname_latin: string | null;
  given_name_latin: string | null;
  patronymic_latin: string | null;
  birth_date: string | null;
  sex: string | null;
  unit_name: string | null;
  score: number;
  match: string;
  open_cases: number;
}

/** One of POST /api/v1/people/duplicates (and of a 409 possible-duplicate's duplicates). */
export interface Duplicate {
  id: string;
  surname: string;
  given_name: string;
  patronymic: string | null;
  surname_latin: string | null;
  given_name_latin: string | null;
  birth_date: string | null;
  unit_name: string | null;
  score: number;
  reasons: string[];
  in_scope: boolean;
}

export interface PersonDocument {
  id: string;
  type: string;
  number: string;
  country: string | null;
  issued_on: string | null;
  expires_on: string | null;
}

export interface PersonAddress {
  id: string;
  kind: string;
  address: string;
  valid_from: string | null;
  valid_to: string | null;
}

export interface PersonPhone {
  id: string;
  number: string;
  label: string | null;
}

export interface PersonAlias {
  id: string;
  name: string;
  kind: string;
}

export interface PersonCase {
  id: string;
  number: string;
  kind: string;
  status: string;
  unit_id: string;
  unit_name: string | null;
  officer_id: string | null;
  officer_name: string | null;
  opened_on: string | null;
  closed_on: string | null;
}

export interface PersonMerge {
  id: string;
  kept_id: string;
  merged_id: string;
  reason: string;
  merged_at: string;
}

/** GET /api/v1/people/{id}. */
export interface Person {
  id: string;
  unit_id: string;
  unit_name: string | null;
  surname: string;
  given_name: string;
  patronymic: string | null;
  surname_latin: string | null;
  given_name_latin: string | null;
  patronymic_latin: string | null;
  sex: string | null;
  birth_date: string | null;
  birth_place: string | null;
  citizenship: string | null;
  /** An array (the contract); a comma-separated text is read too. */
  languages: string[] | string | null;
  preferred_language: string | null;
  merged_into: string | null;
  has_photo: boolean | number;
  created_at: string;
  updated_at: string;
  version: number;
  aliases: PersonAlias[];
  documents: PersonDocument[];
  addresses: PersonAddress[];
  phones: PersonPhone[];
  cases: PersonCase[];
  merges: PersonMerge[];
  third_parties_restricted: boolean | number;
}

export interface ThirdParty {
  id: string;
  relationship: string;
  full_name: string;
  birth_date: string | null;
  contact: string | null;
  note: string | null;
  created_at: string;
}

/** One of GET /api/v1/access-requests. */
export interface AccessRequest {
  id: string;
  person_id: string;
  person_name: string;
  received_on: string;
  due_on: string;
  channel: string;
  status: string;
  language: string;
  days_left: number;
  is_overdue: boolean | number;
  outcome_note: string | null;
  closed_at: string | null;
}

export const SEXES = ['male', 'female'] as const;
export const DOC_TYPES = ['passport', 'id_card', 'foreign_passport', 'birth_certificate', 'residence_permit', 'other'] as const;
export const ADDRESS_KINDS = ['registered', 'actual', 'temporary'] as const;
export const ALIAS_KINDS = ['alias', 'former_name', 'spelling'] as const;
export const RELATIONSHIPS = ['spouse', 'child', 'parent', 'sibling', 'relative', 'associate', 'victim', 'other'] as const;
export const CASE_KINDS = ['pre_trial', 'executive', 'penitentiary', 'post_penitentiary'] as const;
/** Languages a person may speak (ISO 639-1, as the server stores them). */
export const LANGUAGE_CODES = ['ky', 'ru', 'uz', 'tg', 'kk', 'tr', 'ar', 'en'] as const;
/** The languages documents can be handed over in. */
export const DOC_LANGS = ['ky', 'ru', 'en'] as const;
/** Countries offered for citizenship and documents (any ISO 3166-1 alpha-2 code may be typed). */
export const COUNTRY_SUGGESTIONS = ['KG', 'KZ', 'UZ', 'TJ', 'RU', 'TR', 'CN', 'AF', 'SY', 'IQ'] as const;

// ---- small helpers ----

/** A server boolean (true/false, or 1/0 from a database column). */
export const truthy = (v: unknown): boolean => v === true || v === 1 || v === '1' || v === 'true';

/** The person's languages as a list, whichever form the server sent. */
export function languageList(v: string[] | string | null | undefined): string[] {
  if (Array.isArray(v)) return v.filter(Boolean);
  return (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

const join = (...parts: (string | null | undefined)[]) => parts.filter((p) => p && p.trim()).join(' ');

/** The name as in the documents ("Бердибаев Азамат Кубанычбекович"). */
export const nameOf = (p: { surname: string; given_name: string; patronymic?: string | null }) =>
  join(p.surname, p.given_name, p.patronymic);

/** The Latin spelling ('' when there is none). */
export const latinOf = (p: { surname_latin?: string | null; given_name_latin?: string | null; patronymic_latin?: string | null }) =>
  join(p.surname_latin, p.given_name_latin, p.patronymic_latin);

/**
 * A date without a time (YYYY-MM-DD) for people: in English 12/04/1990, in Kyrgyz and
 * Russian 12.04.1990 (numbers only, the form their documents share, whatever locale data the
 * browser has). '' for none; the text itself if it is not a date.
 */
export function formatDay(date: string | null | undefined, lang: Lang): string {
  if (!date) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.slice(0, 10));
  if (!m) return date;
  const at = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  try {
    return new Intl.DateTimeFormat(lang === 'en' ? LOCALES.en : 'ru-RU',
      { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  } catch {
    return date;
  }
}

/** formatDay in the UI language. */
export function useDay(): (date: string | null | undefined) => string {
  const { lang } = useI18n();
  return (date) => formatDay(date, lang);
}

/** Today (YYYY-MM-DD) in the deployment's time zone. */
export function useToday(): string {
  const zone = useTimeZone();
  const options: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit' };
  if (zone) options.timeZone = zone;
  try {
    return new Intl.DateTimeFormat('en-CA', options).format(new Date());
  } catch {
    return new Date().toISOString().slice(0, 10);
  }
}

/** value, once it has stayed the same for ms. */
export function useDebounced<V>(value: V, ms: number): V {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
  }, [value]);
  return settled;
}

/** documents[0].number and documents.0.number are one field. */
export const normaliseField = (field: string) => field.replace(/\[(\d+)\]/g, '.$1').replace(/^\./, '');

/** The server's field messages keyed by normalised field name. */
export function fieldErrorsOf(error: unknown, t: T): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, text] of Object.entries(fieldErrors(error, t))) out[normaliseField(field)] = text;
  return out;
}

/** A 422-like error for mistakes caught before sending, shown as the server's would be. */
export function localProblem(errors: FieldError[]): ApiError {
  return new ApiError('invalid form', 422, {
    type: 'urn:kadam:problem:validation-failed', slug: 'validation-failed', title: '', status: 422, detail: '', errors, body: {},
  });
}

export const isStatus = (error: unknown, status: number) => error instanceof ApiError && error.status === status;
export const needsPurpose = (error: unknown) =>
  error instanceof ApiError && (error.status === 428 || error.slug === 'purpose-required');

// ---- raw uploads (a photo, a CSV file): not JSON, so not through api.request ----

function problemOf(body: unknown, status: number): Problem | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as Record<string, unknown>;
  const type = typeof b.type === 'string' ? b.type : '';
  const errors: FieldError[] = Array.isArray(b.errors)
    ? b.errors.flatMap((e): FieldError[] => {
      if (typeof e !== 'object' || e === null) return [];
      const r = e as Record<string, unknown>;
      return [{ field: typeof r.field === 'string' ? r.field : '', message: typeof r.message === 'string' ? r.message : '' }];
    })
    : [];
  const prefix = 'urn:kadam:problem:';
  return {
    type,
    slug: type.startsWith(prefix) ? type.slice(prefix.length) : type,
    title: typeof b.title === 'string' ? b.title : '',
    status: typeof b.status === 'number' ? b.status : status,
    detail: typeof b.detail === 'string' ? b.detail : '',
    errors,
    body: b,
  };
}

/** The session's CSRF token, for the raw uploads below. */
export function useCsrf(): string | null {
  const { state } = useSession();
  return state.status === 'full' ? state.info.csrf_token : null;
}

/**
 * Sends a body that is not JSON (a file) with its own content type, the CSRF token and any
 * extra headers; resolves to the JSON answer (null for 204 or none), rejects with ApiError.
 */
export async function sendRaw<R>(method: string, path: string, body: Blob | string | null, contentType: string | null,
  csrf: string | null, lang: string, headers: Record<string, string> = {}): Promise<R | null> {
  const h: Record<string, string> = { Accept: 'application/json, application/problem+json', ...headers };
  if (lang) h['Accept-Language'] = lang;
  if (csrf) h['X-CSRF-Token'] = csrf;
  if (contentType) h['Content-Type'] = contentType;
  const init: RequestInit = { method, headers: h, credentials: 'same-origin', cache: 'no-store' };
  if (body !== null) init.body = body;
  const response = await fetch(path, init);
  const type = response.headers.get('Content-Type') ?? '';
  let parsed: unknown = null;
  if (response.status !== 204 && /^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    try {
      parsed = await response.json();
    } catch {
      parsed = null;
    }
  }
  if (!response.ok) {
    const problem = problemOf(parsed, response.status);
    throw new ApiError(`HTTP ${response.status}${problem?.slug ? ` ${problem.slug}` : ''}`, response.status, problem);
  }
  return parsed as R | null;
}

/**
 * GETs a file (an export) with extra headers (a stated purpose), as a Blob; rejects with
 * ApiError (its problem read when the answer is problem+json).
 */
export async function fetchBlob(path: string, lang: string, headers: Record<string, string> = {}): Promise<Blob> {
  const h: Record<string, string> = { ...headers };
  if (lang) h['Accept-Language'] = lang;
  const response = await fetch(path, { headers: h, credentials: 'same-origin', cache: 'no-store' });
  if (!response.ok) {
    let parsed: unknown = null;
    if (/^application\/([\w.+-]*\+)?json\b/i.test(response.headers.get('Content-Type') ?? '')) {
      try {
        parsed = await response.json();
      } catch {
        parsed = null;
      }
    }
    const problem = problemOf(parsed, response.status);
    throw new ApiError(`HTTP ${response.status}${problem?.slug ? ` ${problem.slug}` : ''}`, response.status, problem);
  }
  return response.blob();
}

/** Saves a Blob as a file (the browser's download). */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// ---- the section's sub-navigation ----

export type PeoplePageId = 'search' | 'new' | 'access-requests' | 'import';

const PEOPLE_PAGES: readonly { id: PeoplePageId; path: string; label: MessageKey; permission: string }[] = [
  { id: 'search', path: '/people', label: 'people.nav.search', permission: 'people.read' },
  { id: 'new', path: '/people/new', label: 'people.nav.new', permission: 'people.write' },
  { id: 'access-requests', path: '/people/access-requests', label: 'people.nav.access_requests', permission: 'access_requests.manage' },
  { id: 'import', path: '/people/import', label: 'people.nav.import', permission: 'import.run' },
];

/** Links between the people pages this user may open (none when only one is). */
export function PeopleNav({ current }: { current: PeoplePageId | null }) {
  const { t } = useI18n();
  const { can } = useSession();
  const pages = PEOPLE_PAGES.filter((p) => can(p.permission));
  if (pages.length < 2) return null;
  return (
    <nav class="sub-nav" aria-label={t('people.nav')}>
      <ul>
        {pages.map((p) => (
          <li key={p.id}>
            <Link href={p.path} current={p.id === current}>{t(p.label)}</Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

// ---- a purpose for records outside one's units (428), refusals, missing records ----

const JUSTIFY = { min: 10, max: 500 };

interface PurposeDialogProps {
  open: boolean;
  idPrefix: string;
  onCancel: () => void;
  onSubmit: (p: StatedPurpose) => void;
  /** The purpose chosen at first (supervision by default). */
  initial?: string;
  /** The intro sentence, when not the record's. */
  intro?: string;
  title?: string;
  submitLabel?: string;
}

/**
 * The purpose and justification stated last in this page load: the next purpose dialog starts
 * from them (still to be confirmed, so each record's access is stated, and logged, on its own).
 */
let lastPurpose: StatedPurpose | null = null;

/** Why the caller needs a record outside their units: a purpose and a justification (both logged). */
export function PurposeDialog({ open, idPrefix, onCancel, onSubmit, initial = 'supervision', intro, title, submitLabel }: PurposeDialogProps) {
  const { t } = useI18n();
  const [purpose, setPurpose] = useState<string>(initial);
  const [justification, setJustification] = useState('');
  const [tried, setTried] = useState(false);
  useEffect(() => {
    if (open && lastPurpose && !justification) {
      setPurpose(lastPurpose.purpose);
      setJustification(lastPurpose.justification);
    }
  }, [open]);
  const fieldId = `${idPrefix}-justification`;
  const n = countChars(justification);
  const bad = n < JUSTIFY.min || n > JUSTIFY.max;
  const error = tried && bad ? t('units.justification.length') : null;
  return (
    <FormDialog open={open} wide id={`${idPrefix}-dialog`} title={title ?? t('people.purpose.title')}
      submitLabel={submitLabel ?? t('people.purpose.submit')}
      onCancel={() => { setTried(false); onCancel(); }}
      onSubmit={() => {
        if (bad) {
          setTried(true);
          document.getElementById(fieldId)?.focus();
          return;
        }
        setTried(false);
        lastPurpose = { purpose, justification: justification.replace(/\s+/g, ' ').trim() };
        onSubmit(lastPurpose);
      }}>
      <p>{intro ?? t('people.purpose.intro')}</p>
      <SelectField id={`${idPrefix}-purpose`} label={t('units.purpose')} value={purpose} onValue={setPurpose} required autoFocus
        options={PURPOSES.map((p) => ({ value: p, label: purposeLabel(t, p) }))} />
      <TextAreaField id={fieldId} label={t('units.justification')} value={justification} onValue={setJustification}
        hint={t('units.justification.hint')} error={error ?? undefined} announce rows={3} min={JUSTIFY.min} max={JUSTIFY.max} />
    </FormDialog>
  );
}

/** A stated purpose (sent with every call about the record) and the dialog that asks for it. */
export function usePurpose() {
  const [purpose, setPurpose] = useState<StatedPurpose | null>(null);
  const [asking, setAsking] = useState(false);
  return {
    purpose,
    ask: () => setAsking(true),
    clear: () => setPurpose(null),
    dialog: (idPrefix: string, options: { title?: string; intro?: string; submitLabel?: string } = {}) => (
      <PurposeDialog open={asking} idPrefix={idPrefix} {...options} onCancel={() => setAsking(false)}
        onSubmit={(p) => { setAsking(false); setPurpose(p); }} />
    ),
  };
}

/**
 * For holders of people.read.any: searching beyond one's own units, with a stated purpose
 * (sent with each search, and logged). Shows the purpose while it holds, and a way back.
 */
export function WideSearch({ idPrefix, purpose, onAsk, onClear }:
  { idPrefix: string; purpose: StatedPurpose | null; onAsk: () => void; onClear: () => void }) {
  const { t } = useI18n();
  const { can } = useSession();
  if (!can('people.read.any')) return null;
  return purpose ? (
    <div class="wide-search wide-search-on" role="status">
      <p>
        <strong>{t('people.wide.on')}</strong>{' '}
        {t('people.wide.purpose', { purpose: purposeLabel(t, purpose.purpose), justification: purpose.justification })}
      </p>
      <button type="button" class="button button-secondary button-small" id={`${idPrefix}-wide-off`} onClick={onClear}>
        {t('people.wide.off')}
      </button>
    </div>
  ) : (
    <div class="wide-search">
      <p class="hint">{t('people.wide.about')}</p>
      <button type="button" class="button button-secondary button-small" id={`${idPrefix}-wide`} onClick={onAsk}>
        {t('people.wide.start')}
      </button>
    </div>
  );
}

/** The first 428 opens the purpose dialog by itself (the user asked for the record just now); later ones by a button. */
export function useAskOnce(error: unknown, ask: () => void): void {
  const asked = useRef(false);
  const needed = needsPurpose(error);
  useEffect(() => {
    if (needed && !asked.current) {
      asked.current = true;
      ask();
    }
  }, [needed]);
}

interface AccessProblemProps {
  error: unknown;
  /** Opens the purpose dialog (428). */
  onPurpose?: () => void;
  onRetry?: () => void;
  /** What is missing, for 404 ("This person's record does not exist"). */
  notFound?: string;
}

/** What a page shows instead of a record it could not load: purpose needed, refused, missing, or failed. */
export function AccessProblem({ error, onPurpose, onRetry, notFound }: AccessProblemProps) {
  const { t } = useI18n();
  if (needsPurpose(error)) {
    return (
      <div class="notice" role="note">
        <p>{t('people.purpose.intro')}</p>
        {onPurpose ? <button type="button" class="button" onClick={onPurpose}>{t('units.purpose.state')}</button> : null}
      </div>
    );
  }
  if (isStatus(error, 403)) {
    return (
      <div class="alert alert-error" role="alert">
        <p class="alert-title">{t('people.refused')}</p>
        <p>{t('people.refused.logged')}</p>
      </div>
    );
  }
  if (isStatus(error, 404)) {
    return (
      <div class="alert alert-error" role="alert">
        <p class="alert-title">{notFound ?? t('error.not_found')}</p>
        <p><Link href="/people">{t('people.back_to_search')}</Link></p>
      </div>
    );
  }
  return (
    <div class="alert alert-error" role="alert">
      <p class="alert-title">{t('load.error')}</p>
      <p>{problemMessage(t, error)}</p>
      {onRetry ? <button type="button" class="button" onClick={onRetry}>{t('status.retry')}</button> : null}
    </div>
  );
}

// ---- fields the shared form components do not have: a date and a file ----

interface FrameProps {
  id: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  optional?: boolean | undefined;
  children: ComponentChildren;
}

function Frame({ id, label, hint, error, optional, children }: FrameProps) {
  const { t } = useI18n();
  return (
    <div class={error ? 'field has-error' : 'field'}>
      <label for={id}>
        {label}
        {optional ? <span class="optional"> {t('form.optional')}</span> : null}
      </label>
      {hint ? <p class="hint" id={`${id}-hint`}>{hint}</p> : null}
      {children}
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          <span class="visually-hidden">{t('form.error_prefix')} </span>
          {error}
        </p>
      ) : null}
    </div>
  );
}

const described = (id: string, hint?: string, error?: string) =>
  [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

interface DateFieldProps {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  hint?: string | undefined;
  error?: string | undefined;
  required?: boolean;
  optional?: boolean;
  /** YYYY-MM-DD limits. */
  min?: string;
  max?: string;
}

/** A date (the browser's date picker; the value is YYYY-MM-DD). */
export function DateField(p: DateFieldProps) {
  return (
    <Frame id={p.id} label={p.label} hint={p.hint} error={p.error} optional={p.optional}>
      <input id={p.id} name={p.id} class="input input-date" type="date" value={p.value}
        onInput={(e) => p.onValue(e.currentTarget.value)} required={p.required} min={p.min} max={p.max}
        aria-invalid={p.error ? 'true' : undefined} aria-describedby={described(p.id, p.hint, p.error)} />
    </Frame>
  );
}

interface FileFieldProps {
  id: string;
  label: string;
  accept: string;
  onFile: (file: File | null) => void;
  hint?: string | undefined;
  error?: string | undefined;
  inputRef?: { current: HTMLInputElement | null };
}

export function FileField(p: FileFieldProps) {
  return (
    <Frame id={p.id} label={p.label} hint={p.hint} error={p.error}>
      <input id={p.id} name={p.id} class="input input-file" type="file" accept={p.accept} ref={p.inputRef ?? null}
        onChange={(e) => p.onFile(e.currentTarget.files?.[0] ?? null)}
        aria-invalid={p.error ? 'true' : undefined} aria-describedby={described(p.id, p.hint, p.error)} />
    </Frame>
  );
}

// ---- badges ----

const MATCH_CLASS: Readonly<Record<string, string>> = {
  exact: 'badge badge-ok', typo: 'badge badge-warn', document: 'badge badge-info', birth_date: 'badge badge-off',
};

/** How a search result matched the query. */
export function MatchBadge({ match }: { match: string }) {
  const { t } = useI18n();
  return <span class={MATCH_CLASS[match] ?? 'badge badge-off'}>{peopleLabel(t, 'match', match)}</span>;
}

// ---- picking a person by search ----

interface PersonPickerProps {
  id: string;
  label: string;
  value: PersonHit | null;
  onChange: (p: PersonHit | null) => void;
  /** A person not to offer (the record being merged into). */
  exclude?: string;
  error?: string | undefined;
  /** Searching beyond one's units (people.read.any): the parent renders its dialog, outside any form. */
  wide?: { purpose: StatedPurpose | null; ask: () => void; clear: () => void };
}

/** Type a name (any script, typos allowed), a document number or a birth date; choose from the results. */
export function PersonPicker({ id, label, value, onChange, exclude, error, wide }: PersonPickerProps) {
  const { t } = useI18n();
  const day = useDay();
  const [q, setQ] = useState('');
  const settled = useDebounced(q.trim(), 300);
  const [hits, setHits] = useState<{ q: string; items: PersonHit[] } | null>(null);
  const [failed, setFailed] = useState<unknown>(null);
  const input = useRef<HTMLInputElement>(null);
  const change = useRef<HTMLButtonElement>(null);
  const picked = useRef(false);

  useEffect(() => {
    if (value || settled.length < 2) {
      setHits(null);
      return undefined;
    }
    const controller = new AbortController();
    setFailed(null);
    get<{ items: PersonHit[] }>(`/api/v1/people${query({ q: settled, limit: 10 })}`,
      { signal: controller.signal, headers: purposeHeaders(wide?.purpose ?? null) }).then(
      (r) => setHits({ q: settled, items: r.items.filter((h) => h.id !== exclude) }),
      (e: unknown) => { if (!controller.signal.aborted) setFailed(e); },
    );
    return () => controller.abort();
  }, [settled, value, wide?.purpose]);

  useEffect(() => {
    if (value && picked.current) change.current?.focus();
    picked.current = false;
  }, [value]);

  if (value) {
    return (
      <div class="field person-picked">
        <p class="person-picked-label" id={`${id}-label`}>{label}</p>
        <div class="person-picked-box">
          <span>
            <span class="cell-main">{nameOf(value)}</span>
            <span class="cell-sub">
              {[latinOf(value), day(value.birth_date), value.unit_name].filter(Boolean).join(' · ')}
            </span>
          </span>
          <button type="button" class="button button-secondary button-small" ref={change}
            aria-describedby={`${id}-label`}
            onClick={() => { onChange(null); window.setTimeout(() => input.current?.focus(), 0); }}>
            {t('people.picker.change')}
          </button>
        </div>
        {error ? <p class="field-error" id={`${id}-error`}>{error}</p> : null}
      </div>
    );
  }
  return (
    <div class="person-picker">
      <TextField id={id} type="search" label={label} value={q} onValue={setQ} hint={t('people.search.hint')}
        error={error} inputRef={input} autocomplete="off" spellcheck={false} />
      {wide ? <WideSearch idPrefix={id} purpose={wide.purpose} onAsk={wide.ask} onClear={wide.clear} /> : null}
      <p class="muted results-count" role="status">
        {failed ? problemMessage(t, failed)
          : hits && hits.q === q.trim() ? (hits.items.length ? t('table.count', { n: hits.items.length }) : t('people.search.none_short'))
            : ''}
      </p>
      {hits && hits.items.length ? (
        <ul class="plain-list picker-results" aria-label={t('people.picker.results')}>
          {hits.items.map((h) => (
            <li key={h.id} class="picker-result">
              <span>
                <span class="cell-main">{nameOf(h)}</span>
                <span class="cell-sub">{[latinOf(h), day(h.birth_date), h.unit_name].filter(Boolean).join(' · ')}</span>
              </span>
              <button type="button" class="button button-secondary button-small"
                aria-label={`${t('people.picker.choose')}: ${nameOf(h)}${h.birth_date ? `, ${day(h.birth_date)}` : ''}`}
                onClick={() => { picked.current = true; onChange(h); }}>
                {t('people.picker.choose')}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The page's heading, the section's sub-navigation above it. */
export function PeopleHeading({ current, title, lead, children }:
  { current: PeoplePageId | null; title: string; lead?: string; children?: ComponentChildren }) {
  return (
    <>
      <PeopleNav current={current} />
      <div class="page-head">
        <h1 tabIndex={-1}>{title}</h1>
        {children}
      </div>
      {lead ? <p class="lead">{lead}</p> : null}
    </>
  );
}
