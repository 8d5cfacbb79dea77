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
