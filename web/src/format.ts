// Dates and times for people: always in the deployment's time zone (storage is UTC).
// Browsers without locale data for a language (Chromium ships none for Kyrgyz) would
// silently fall back to English month names; for those, use the numeric form that
// Kyrgyz and Russian documents share (29.11.2026, 11:38:25), which carries no words.
import { LOCALES, type Lang } from './i18n';

const NUMERIC: Intl.DateTimeFormatOptions = {
  year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
};

function supported(locale: string): boolean {
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([locale]).length > 0;
  } catch {
    return false;
  }
}

/** A date and time in full, e.g. "29 November 2026 at 11:38:25"; the ISO text if it cannot be read. */
export function formatDateTime(iso: string, timeZone: string, lang: Lang): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const locale = LOCALES[lang];
  const native = supported(locale);
  const options: Intl.DateTimeFormatOptions = native
    ? { dateStyle: 'long', timeStyle: 'medium', hourCycle: 'h23' }
    : { ...NUMERIC };
  if (timeZone) options.timeZone = timeZone;
  try {
    return new Intl.DateTimeFormat(native ? locale : 'ru-RU', options).format(date);
  } catch {
    return date.toISOString(); // unknown zone name
  }
}

/** "UTC+06:00" for the zone at that moment, or '' if the browser does not know the zone. */
export function zoneOffset(timeZone: string, iso: string): string {
  const date = new Date(iso);
  try {
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(Number.isNaN(date.getTime()) ? new Date() : date);
    const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
    return name === 'GMT' ? 'UTC' : name.replace(/^GMT/, 'UTC');
  } catch {
    return '';
  }
}

const SHORT: Intl.DateTimeFormatOptions = {
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
};

/** A compact date and time for tables, e.g. "29.11.2026, 11:38"; '' for null; the text itself if unreadable. */
export function formatShort(iso: string | null | undefined, timeZone: string, lang: Lang, seconds = false): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  // Numbers only, so Kyrgyz uses the form it shares with Russian (29.11.2026, 11:38) whatever
  // locale data the browser has (some give Kyrgyz a year-first pattern).
  const locale = lang === 'en' ? LOCALES.en : 'ru-RU';
  const options: Intl.DateTimeFormatOptions = seconds ? { ...SHORT, second: '2-digit' } : { ...SHORT };
  if (timeZone) options.timeZone = timeZone;
  try {
    return new Intl.DateTimeFormat(locale, options).format(date);
  } catch {
    return date.toISOString();
  }
}

/** The zone's offset from UTC in milliseconds at a moment. */
function offsetMs(timeZone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(at));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour') % 24, n('minute'), n('second'));
  return asUtc - Math.floor(at / 1000) * 1000;
}

/**
 * A wall-clock time typed in a datetime-local field ("2026-11-29T11:38"), read in the
 * deployment's time zone, as RFC 3339 UTC; '' when empty or unreadable.
 */
export function zonedToRfc3339(local: string, timeZone: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!m) return '';
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  if (!timeZone) return new Date(wall).toISOString().replace(/\.\d{3}Z$/, 'Z');
  try {
    // Two passes settle the offset across a daylight-saving change.
    let at = wall - offsetMs(timeZone, wall);
    at = wall - offsetMs(timeZone, at);
    return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
  } catch {
    return new Date(wall).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
}
