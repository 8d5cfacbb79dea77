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
