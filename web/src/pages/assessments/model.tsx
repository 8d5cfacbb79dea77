// The shapes of assessments and instruments as the API gives them (see the issue-8 contract), and the
// helpers and small components every assessment page shares.
import { ApiError } from '../../api';
import { useI18n, type Lang, type MessageKey, type Params } from '../../i18n';
import { problemMessage } from '../../problems';

export type T = (key: MessageKey, params?: Params) => string;

// ---- shapes (see the issue-8 contract) ----

export interface Texts {
  ky?: string;
  ru?: string;
  en?: string;
}

export interface ScaleValue {
  id: string;
  label: Texts;
  description?: Texts;
}

export interface Scale {
  id: string;
  values: ScaleValue[];
}

export interface DefItem {
  id: string;
  kind: string;
  scale: string;
  title: Texts;
  guidance: Texts;
}

export interface DefDomain {
  id: string;
  kind: string;
  name: Texts;
  description?: Texts;
  rating_scale: string;
  items: DefItem[];
}

export interface Definition {
  id: string;
  version: string;
  name: Texts;
  description?: Texts;
  publisher?: string;
  licence?: string;
  validated: boolean;
  notice?: Texts;
  scales: Scale[];
  domains: DefDomain[];
  judgements: { id: string; label: Texts; description: Texts }[];
}

export interface Instrument {
  id: string;
  code: string;
  version: string;
  name: Texts;
  publisher: string;
  licence: string;
  validated: boolean;
  certification_required: boolean;
  reassessment_days: number;
  current: boolean;
  notice: Texts | null;
  definition?: Definition;
}

export interface AssessmentSummary {
  id: string;
  case_id: string;
  case_number: string;
  /** Not in the contract's Summary; shown when the server sends it. */
  person_name?: string | null;
  instrument_id: string;
  instrument_code: string;
  instrument_version: string;
  instrument_name: Texts;
  reason: string;
  trigger_id: string | null;
  status: string;
  assessor_id: string;
  assessor_name: string;
  assessed_on: string | null;
  judgement: string | null;
  judgement_label: Texts | null;
  submitted_at: string | null;
  countersigned_at: string | null;
  countersigned_by_name: string | null;
  superseded_at: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface Rating {
  value: string;
  evidence: string;
  source: string | null;
  source_detail: string | null;
}

export interface AssessmentAction {
  id?: string;
  kind: string;
  description: string;
  due_on: string;
  plan_action_id?: string | null;
}

export interface Assessment extends AssessmentSummary {
  sources: string;
  limitations: string;
  rationale: string | null;
  scenarios: { kind: string; description: string }[];
  ratings: Record<string, Rating>;
  domains: Record<string, { value: string; comment: string | null }>;
  actions: AssessmentAction[];
  countersign_note: string | null;
  returned_at: string | null;
  returned_by_name: string | null;
  return_note: string | null;
  superseded_by: string | null;
  withdrawn_at: string | null;
  withdraw_reason: string | null;
  plan_objective_id: string | null;
  certification_required: boolean;
  assessor_certified: boolean;
  missing: { field: string; message: string }[];
  allowed: { edit: boolean; submit: boolean; countersign: boolean; return: boolean; withdraw: boolean };
}

export interface Suggestion {
  level: string;
  level_title: Texts;
  assessment_id: string;
  instrument_id: string;
  instrument_code: string;
  instrument_name: Texts;
  judgement: string;
  judgement_label: Texts;
  assessed_on: string;
}

export const STATUSES = ['draft', 'submitted', 'countersigned', 'superseded', 'withdrawn'] as const;
export const REASONS = ['initial', 'interval', 'trigger', 'other'] as const;
export const SOURCES = ['observation', 'person', 'family', 'employer', 'police', 'court', 'prison', 'partner', 'document', 'other'] as const;
export const SCENARIO_KINDS = ['repeat', 'escalation', 'twist', 'improvement'] as const;
export const ACTION_KINDS = ['monitoring', 'supervision', 'intervention', 'victim_safety'] as const;
export const TRIGGER_KINDS = ['work', 'address', 'release', 'new_information', 'other', 'breach'] as const;

/** A text in the UI language, else English, else any. */
export function inLang(text: Texts | null | undefined, lang: Lang): string {
  if (!text) return '';
  return text[lang] || text.en || text.ru || text.ky || '';
}

/** A label of a code from the catalogue ("assess.status.draft"), the code itself when unknown. */
export function codeLabel(t: T, base: string, code: string): string {
  const key = `${base}.${code}` as MessageKey;
  const text = t(key);
  return text === key ? code : text;
}

export function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  const cls = status === 'countersigned' ? 'badge badge-ok' : status === 'submitted' ? 'badge badge-info'
    : status === 'draft' ? 'badge badge-warn' : 'badge badge-off';
  return <span class={`${cls} assess-status`} data-status={status}>{codeLabel(t, 'assess.status', status)}</span>;
}

/** The sentence for an assessment's 409s (worded here), else the general one. */
export function assessProblem(t: T, error: unknown): string {
  if (error instanceof ApiError && error.slug === 'assessment-incomplete') return t('assess.problem.incomplete');
  if (error instanceof ApiError && error.status === 409) {
    const key = `assess.problem.${error.slug}` as MessageKey;
    const text = t(key, { detail: error.problem?.detail ?? '' });
    if (text !== key) return text;
  }
  return problemMessage(t, error);
}

/** The standing line: the final judgement is the assessor's. */
export function JudgementNotice() {
  const { t } = useI18n();
  return <p class="assess-judgement-notice" id="assess-judgement-notice">{t('assess.judgement.standing')}</p>;
}

export function valueLabel(def: Definition, scaleId: string, value: string | null | undefined, lang: Lang): string {
  if (!value) return '';
  const v = def.scales.find((s) => s.id === scaleId)?.values.find((x) => x.id === value);
  return v ? inLang(v.label, lang) || value : value;
}
