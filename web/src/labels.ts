// Translated names for the server's codes (roles, agency kinds, log actions, ...).
// A code the UI does not know yet is shown as it is, never hidden.
import type { MessageKey, Params } from './i18n';

type T = (key: MessageKey, params?: Params) => string;

function lookup(t: T, prefix: string, code: string): string {
  const key = `${prefix}.${code}` as MessageKey;
  const text = t(key);
  return text === key ? code : text;
}

export const roleLabel = (t: T, role: string) => lookup(t, 'role', role);
export const kindLabel = (t: T, kind: string) => lookup(t, 'kind', kind);
export const actionLabel = (t: T, action: string) => lookup(t, 'log.action', action);
export const outcomeLabel = (t: T, outcome: string) => lookup(t, 'log.outcome', outcome);
export const purposeLabel = (t: T, purpose: string) => lookup(t, 'purpose', purpose);
export const permissionLabel = (t: T, permission: string) => lookup(t, 'perm', permission);
export const statusLabel = (t: T, status: string) => lookup(t, 'ustatus', status);
/** A role's description in the UI language when the UI knows the role; else the server's text. */
export function roleDescription(t: T, role: string, serverText: string): string {
  const key = `roledesc.${role}` as MessageKey;
  const text = t(key);
  return text === key ? serverText : text;
}

// ---- people, subject-access requests (web/src/pages/people) ----
export type PeopleCodeGroup = 'sex' | 'doc_type' | 'address_kind' | 'alias_kind' | 'relationship' | 'match' | 'reason'
  | 'case_kind' | 'case_status' | 'language';
export const peopleLabel = (t: T, group: PeopleCodeGroup, code: string) => lookup(t, `people.${group}`, code);
export const sarLabel = (t: T, group: 'channel' | 'status', code: string) => lookup(t, `sar.${group}`, code);

// ---- cases, decisions, notes, timeline, pre-trial reports (the Cases section) ----
export const caseKindLabel = (t: T, kind: string) => lookup(t, 'cases.kind', kind);
export const caseStatusLabel = (t: T, status: string) => lookup(t, 'cases.status', status);
export const decisionStatusLabel = (t: T, status: string) => lookup(t, 'cases.decision.status', status);
export const keyDateLabel = (t: T, kind: string) => lookup(t, 'keydate.kind', kind);
export const noteNatureLabel = (t: T, nature: string) => lookup(t, 'cases.note.nature', nature);
export const noteSourceLabel = (t: T, source: string) => lookup(t, 'cases.note.source', source);
export const noteSensitivityLabel = (t: T, sensitivity: string) => lookup(t, 'cases.note.sensitivity', sensitivity);
export const timelineKindLabel = (t: T, kind: string) => lookup(t, 'timeline.kind', kind);
export const pretrialStatusLabel = (t: T, status: string) => lookup(t, 'pretrial.status', status);
export const taskKindLabel = (t: T, kind: string) => lookup(t, 'pretrial.task.kind', kind);
export const taskStatusLabel = (t: T, status: string) => lookup(t, 'pretrial.task.status', status);
