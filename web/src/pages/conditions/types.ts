// The shapes the conditions API sends (see the issue-5 contract: Catalogue, Conditions,
// Explanation, Variations) and the small helpers the conditions pages share.
import { ApiError } from '../../api';
import type { Lang, MessageKey, Params } from '../../i18n';
import { fieldErrors } from '../../problems';
import { formatDay } from '../cases/model';

export type T = (key: MessageKey, params?: Params) => string;

export interface Texts {
  ky?: string;
  ru?: string;
  en?: string;
}

export const PARAM_TYPES = ['address', 'zone', 'time_window', 'weekly', 'person', 'organisation', 'date', 'number', 'text'] as const;
export const CATEGORIES = ['reporting', 'residence', 'movement', 'contact', 'activity', 'documents', 'monitoring', 'digital'] as const;
export const WEEKDAYS = ['mo', 'tu', 'we', 'th', 'fr', 'sa', 'su'] as const;
export const VARIATION_STATUSES = ['proposed', 'returned', 'endorsed', 'approved', 'refused', 'withdrawn'] as const;

export interface ParamSpec {
  name: string;
  type: string;
  required: boolean;
  label: Texts;
  min?: number;
  max?: number;
}

export interface ConditionType {
  code: string;
  category: string;
  duty: string;
  standard: boolean;
  em: boolean;
  title: Texts;
  text: Texts;
  params: ParamSpec[];
}

export interface Catalogue {
  version: number;
  label: string;
  loaded_at: string;
  is_current: boolean;
  conditions: ConditionType[];
}

export interface CatalogueVersion {
  version: number;
  label: string;
  sha256: string;
  loaded_at: string;
  loaded_by_name: string | null;
  is_current: boolean;
  mapping: Record<string, string> | null;
}

export interface Explained {
  explanation_id: string;
  explained_on: string;
  language: string;
  acknowledged: boolean;
}

export interface Condition {
  id: string;
  case_id: string;
  decision_id: string;
  /** "<authority> № <number>", without the date (see decision_decided_on). */
  decision_label: string | null;
  /** The decision's date, YYYY-MM-DD. */
  decision_decided_on?: string | null;
  variation_id: string | null;
  catalogue_version: number | null;
  code: string | null;
  category: string | null;
  title: Texts | null;
  duty: string | null;
  free_text: string | null;
  params: Record<string, unknown> | null;
  em: boolean;
  standard: boolean;
  text: string;
  texts?: Texts;
  answers: string;
  answers_detail: string;
  review_on: string | null;
  review_due: boolean;
  effective_from: string;
  effective_to: string | null;
  status: string;
  end_reason: string | null;
  replaces_id: string | null;
  created_at: string;
  created_by_name: string | null;
  explained: Explained | null;
  version: number;
}

export interface Explanation {
  id: string;
  explained_on: string;
  language: string;
  explained_by: string | null;
  explained_by_name: string | null;
  interpreter: string | null;
  acknowledged: boolean;
  remarks: string | null;
  condition_ids: string[];
  created_at: string;
}

export interface ConditionList {
  lang: string;
  items: Condition[];
  active_count: number;
  warn_above: number;
  above_limit: boolean;
  unexplained_count: number;
  explanations: Explanation[];
}

export interface ConditionInput {
  decision_id?: string;
  code?: string;
  free_text?: string;
  duty?: string;
  params: Record<string, unknown>;
  answers: string;
  answers_detail: string;
  review_on: string;
  effective_from?: string;
}

export interface Warning {
  code: string;
  message: string;
}

/** Why the decision does not authorise a condition, as codes the UI words in its language. */
export interface Refusal {
  why: 'duty_not_authorised' | 'decision_not_in_force' | 'decision_of_another_case' | string;
  duty: string | null;
  decision_id: string | null;
}

export interface Preview {
  authorised: boolean;
  /** The server's English sentence: shown only when there is no refusal to word. */
  reason: string | null;
  refusal?: Refusal | null;
  text: Texts;
  warnings: Warning[];
}

/** How the person has complied, for the decision on a variation (single reads only). */
export interface VariationCompliance {
  /** The case's current supervision level, null when none was set. */
  level: { code: string; title: Texts } | null;
  /** The first day counted (180 days before today). */
  since: string;
  /** Contacts recorded since `since`, by outcome (every outcome present). */
  outcomes: Record<string, number>;
  conditions_active: number;
  /** Active conditions no explanation covered (S4). */
  unexplained: number;
}

export interface Variation {
  id: string;
  case_id: string;
  case_number: string;
  person_name: string;
  unit_name: string;
  action: string;
  condition_id: string | null;
  condition: Condition | null;
  proposal: ConditionInput | null;
  proposal_text: Texts | null;
  reason: string | null;
  person_view: string | null;
  status: string;
  /** The proposer's account id. */
  proposed_by: string;
  proposed_by_name: string | null;
  proposed_at: string;
  reviewed_by_name: string | null;
  reviewed_at: string | null;
  review_comment: string | null;
  decided_by_name: string | null;
  decided_at: string | null;
  authority_reference: string | null;
  decision_reasons: string | null;
  effective_from: string | null;
  result_condition_id: string | null;
  ready_for_decision: boolean;
  missing: string[];
  version: number;
  /** In GET /variations/{id} and the answers to changes; list items have none. */
  compliance?: VariationCompliance;
}

/** A text of a {ky, ru, en} object in a language, else English, else any. */
export function inLang(texts: Texts | null | undefined, lang: Lang | string): string {
  if (!texts) return '';
  const l = lang as keyof Texts;
  return texts[l] || texts.en || texts.ru || texts.ky || '';
}

/** "<authority> № <number>, 05.01.2026": a condition's decision as people read it. */
export function basisLabel(c: Pick<Condition, 'decision_label' | 'decision_decided_on'>, lang: Lang): string {
  if (!c.decision_label) return '';
  return c.decision_decided_on ? `${c.decision_label}, ${formatDay(c.decision_decided_on, lang)}` : c.decision_label;
}

/** A translated code ("conditions.category.residence"), or the code itself when the UI does not know it. */
export function codeLabel(t: T, prefix: string, code: string | null | undefined): string {
  if (!code) return '';
  const key = `${prefix}.${code}` as MessageKey;
  const text = t(key);
  return text === key ? code : text;
}

/** The badge class of a variation's status. */
export function statusBadge(status: string): string {
  switch (status) {
    case 'approved': return 'badge badge-ok';
    case 'endorsed': return 'badge badge-info';
    case 'proposed': return 'badge badge-warn';
    case 'returned': return 'badge badge-warn';
    case 'refused': return 'badge badge-bad';
    default: return 'badge badge-off';
  }
}

/**
 * The server's per-field messages, each matched to the closest field the form knows: an error on
 * "params.zone.geometry.coordinates[0]" belongs to the "params.zone.geometry" control. Returns the
 * messages by known field (for the controls) and, by the server's own field name, the control's id
 * and label (for the error summary's links).
 */
export function matchErrors(error: unknown, t: T, known: Readonly<Record<string, { id: string; label: string }>>): {
  at: Record<string, string>;
  ids: Record<string, string>;
  labels: Record<string, string>;
} {
  const at: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const labels: Record<string, string> = {};
  const raw = fieldErrors(error, t);
  const keys = Object.keys(known).sort((a, b) => b.length - a.length);
  for (const [field, message] of Object.entries(raw)) {
    const k = keys.find((key) => field === key || field.startsWith(`${key}.`) || field.startsWith(`${key}[`));
    if (!k) continue;
    const target = known[k];
    if (!target) continue;
    at[k] = at[k] ? `${at[k]} ${message}` : message;
    ids[field] = target.id;
    labels[field] = target.label;
  }
  return { at, ids, labels };
}

export function isProblem(error: unknown, slug: string): boolean {
  return error instanceof ApiError && error.slug === slug;
}

/** Focus an element by id after the current render. */
export function focusLater(id: string): void {
  window.setTimeout(() => document.getElementById(id)?.focus(), 0);
}

/** "22:00" > "06:00": the window runs past midnight. */
export function crossesMidnight(from: string, to: string): boolean {
  return Boolean(from && to && from > to);
}
