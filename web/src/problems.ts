// Turning API failures into sentences for people, in the UI language.
import { ApiError } from './api';
import type { MessageKey, Params } from './i18n';

type T = (key: MessageKey, params?: Params) => string;

/** The sentence for a failed call (not field-level: see fieldMessage). */
export function problemMessage(t: T, error: unknown): string {
  if (!(error instanceof ApiError)) {
    if (error instanceof TypeError) return t('error.network');
    return t('error.generic', { detail: error instanceof Error ? error.message : String(error) });
  }
  switch (error.slug) {
    case 'forbidden':
      return t('error.forbidden');
    case 'precondition-failed':
      return t('error.stale');
    case 'csrf-failed':
      return t('error.csrf');
    case 'rate-limited':
      return t('error.rate_limited');
    case 'validation-failed':
      return t('error.validation');
    case 'not-found':
      return t('error.not_found');
    case 'unauthenticated':
      return t('error.session_ended');
    case 'invalid-credentials':
      return t('login.error.credentials');
    case 'invalid-code':
      return t('login.error.code');
    default:
      break;
  }
  if (error.status === 429) return t('error.rate_limited');
  if (error.status === 403) return t('error.forbidden');
  if (error.status >= 500) return t('error.server', { status: error.status });
  return t('error.generic', { detail: error.problem?.detail || error.problem?.title || error.message });
}

/** The server's per-field messages, by field name (several joined). */
export function fieldErrors(error: unknown, t: T): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof ApiError) || !error.problem) return out;
  for (const e of error.problem.errors) {
    const text = fieldMessage(t, e.message);
    out[e.field] = out[e.field] ? `${out[e.field]} ${text}` : text;
  }
  return out;
}

/**
 * The server writes field messages in English ("must have at least 12 characters");
 * the ones the UI knows are said in the UI language, anything else is shown as sent.
 */
export function fieldMessage(t: T, message: string): string {
  const m = message.trim();
  let match = /^must (?:have|be) at least (\d+) characters?(?: long)?\.?$/i.exec(m);
  if (match) return match[1] === '1' ? t('field.required') : t('field.too_short', { n: match[1] ?? '' });
  match = /^must (?:have|be) at most (\d+) characters?(?: long)?\.?$/i.exec(m);
  if (match) return t('field.too_long', { n: match[1] ?? '' });
  match = /^must be between (\d+) and (\d+)\.?$/i.exec(m);
  if (match) return t('field.between', { min: match[1] ?? '', max: match[2] ?? '' });
  match = /^must be one of:? (.+?)\.?$/i.exec(m);
  if (match) return t('field.one_of', { values: match[1] ?? '' });
  match = /^must have between (\d+) and (\d+) characters\.?$/i.exec(m);
  if (match) return t('field.between_chars', { min: match[1] ?? '', max: match[2] ?? '' });
  if (/^is too common\b/i.test(m)) return t('field.too_common');
  if (/^must not be your login or (?:your )?name\.?$/i.test(m)) return t('field.personal');
  if (/^must differ from the current password\.?$/i.test(m)) return t('field.same_password');
  if (/^may use only a-z, 0-9/i.test(m)) return t('field.login_chars');
  if (/^is not a known (?:agency|unit)\.?$/i.test(m)) return t('field.unknown');
  if (/^must be a unit of the same agency and not below this unit\.?$/i.test(m)) return t('field.bad_parent');
  if (/^must be an RFC 3339 time or a date\.?$/i.test(m)) return t('field.bad_time');
  if (/^is not the current code\.?$/i.test(m)) return t('field.wrong_code');
  if (/^is required\.?$/i.test(m)) return t('field.required');
  if (/^(is already taken|is taken|already exists|is already in use)\.?$/i.test(m)) return t('field.taken');
  return message;
}
