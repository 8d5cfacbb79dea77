// Pieces the supervision cards share: the load error with a retry, the case URL, focus helpers,
// the supervision levels of the reference lists, and the mistakes-before-sending pattern.
import { get } from '../../api';
import { zoneOffset } from '../../format';
import { useI18n } from '../../i18n';
import { useTimeZone } from '../../session';
import { loadReference } from '../cases/model';
import { describeRrule, type ConditionItem, type SupervisionLevel } from './model';

export function caseApi(caseId: string, rest: string): string {
  return `/api/v1/cases/${encodeURIComponent(caseId)}/${rest}`;
}

/** Moves focus to an element once the page has drawn it. */
export function focusLater(id: string): void {
  window.setTimeout(() => document.getElementById(id)?.focus(), 0);
}

export function LoadError({ onRetry }: { onRetry: () => void }) {
  const { t } = useI18n();
  return (
    <div class="alert alert-error" role="alert">
      <p class="alert-title">{t('load.error')}</p>
      <button type="button" class="button" onClick={onRetry}>{t('status.retry')}</button>
    </div>
  );
}

/** The supervision levels of GET /api/v1/reference (shared cache with the case page). */
export async function loadLevels(): Promise<SupervisionLevel[]> {
  const r = (await loadReference()) as unknown as { supervision_levels?: SupervisionLevel[] };
  return [...(r.supervision_levels ?? [])].sort((a, b) => a.rank - b.rank);
}

/** A case's conditions (active first), for the "related condition" selects. */
export async function loadConditions(caseId: string, headers: Record<string, string>, signal: AbortSignal): Promise<ConditionItem[]> {
  const r = await get<{ items?: ConditionItem[] }>(caseApi(caseId, 'conditions'), { signal, headers });
  return r.items ?? [];
}

/** A condition's name for a select: its title in the UI language, else its duty or free text. */
export function conditionName(c: ConditionItem, lang: 'ky' | 'ru' | 'en'): string {
  const title = c.title ? (c.title[lang] || c.title.en || '') : '';
  const text = title || c.duty || c.free_text || c.text || c.code || c.id;
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** Whether a number field holds a whole number in a range. */
export function wholeIn(v: string, min: number, max: number): boolean {
  if (!/^\d+$/.test(v.trim())) return false;
  const n = Number(v);
  return n >= min && n <= max;
}

/** The local time now in the zone, "YYYY-MM-DDTHH:MM". */
export function nowLocal(zone: string): string {
  const options: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    hourCycle: 'h23' };
  if (zone) options.timeZone = zone;
  try {
    const parts = new Intl.DateTimeFormat('en-CA', options).formatToParts(new Date());
    const v = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
    return `${v('year')}-${v('month')}-${v('day')}T${v('hour')}:${v('minute')}`;
  } catch {
    return new Date().toISOString().slice(0, 16);
  }
}

interface TimeFieldProps {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  hint?: string | undefined;
  error?: string | undefined;
  required?: boolean;
}

/** A wall-clock time (HH:MM), with the browser's time picker. */
export function TimeField(p: TimeFieldProps) {
  const { t } = useI18n();
  const described = [p.hint ? `${p.id}-hint` : '', p.error ? `${p.id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={p.error ? 'field has-error' : 'field'}>
      <label for={p.id}>{p.label}</label>
      {p.hint ? <p class="hint" id={`${p.id}-hint`}>{p.hint}</p> : null}
      <input id={p.id} name={p.id} type="time" class="input input-date" value={p.value} step={300}
        onInput={(e) => p.onValue(e.currentTarget.value)} required={p.required}
        aria-invalid={p.error ? 'true' : undefined} aria-describedby={described} />
      {p.error ? (
        <p class="field-error" id={`${p.id}-error`}>
          <span class="visually-hidden">{t('form.error_prefix')} </span>
          {p.error}
        </p>
      ) : null}
    </div>
  );
}

/** "Times are in Asia/Bishkek (UTC+06:00)". */
export function ZoneNote({ zone, id }: { zone: string; id?: string }) {
  const { t } = useI18n();
  const name = zone || Intl.DateTimeFormat().resolvedOptions().timeZone;
  const offset = zoneOffset(name, new Date().toISOString());
  return <p class="hint sup-zone" id={id}>{t('sup.zone', { zone: offset ? `${name} (${offset})` : name })}</p>;
}

/**
 * How an appointment repeats, in words in the UI language; a rule that cannot be put in words is
 * shown as written, folded away, and wraps rather than widening the page.
 */
export function RepeatRule({ rule, zone, id }: { rule: string; zone?: string; id?: string }) {
  const { t, lang } = useI18n();
  const deployment = useTimeZone();
  const words = describeRrule(rule, t, lang, zone || deployment);
  if (words) return <span class="sup-rule" id={id}>{words}</span>;
  return (
    <details class="sup-rule-raw" id={id}>
      <summary>{t('sup.rrule.raw')}</summary>
      <span class="hint">{t('sup.rrule.raw.about')}</span>{' '}
      <code class="sup-rrule">{rule}</code>
    </details>
  );
}
