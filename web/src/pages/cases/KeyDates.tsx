// A case's key dates (computed by the server from its decisions, never typed), each with a
// "how was this computed" disclosure that walks through the server's steps in the UI language:
// "Start 10.01.2026 → + 5 years 6 months → last day (−1 day) → remand credited: 120 days → 11.03.2031".
import { useI18n, type Lang } from '../../i18n';
import { keyDateLabel } from '../../labels';
import { useDates } from '../../session';
import { formatDay, termWords, type Decision, type KeyDate, type Step, type T } from './model';

const n = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** One step of a computation, said in the UI language. */
export function stepText(t: T, lang: Lang, step: Step, decision?: Decision): string {
  const date = formatDay(step.result ?? '', lang);
  const ratio = `${n(step.numerator)}/${n(step.denominator)}`;
  switch (step.op) {
    case 'start':
      return t('keydate.step.start', { date });
    case 'add_term':
      return t('keydate.step.add_term', { term: termWords(t, lang, step.term ?? decision?.term ?? '') });
    case 'last_day':
      return t('keydate.step.last_day');
    case 'remand_not_credited':
      return t('keydate.step.remand_not_credited', { n: n(step.value) });
    case 'credit_remand':
      return step.numerator && step.denominator && step.numerator !== step.denominator
        ? t('keydate.step.credit_remand_ratio', { n: n(step.value), basis: n(step.basis), ratio })
        : t('keydate.step.credit_remand', { n: n(step.value) });
    case 'remand_exceeds_term':
      return t('keydate.step.remand_exceeds_term', { n: n(step.value) });
    case 'remand_exceeds_fraction':
      return t('keydate.step.remand_exceeds_fraction', { n: n(step.value) });
    case 'fraction_of_term':
      return t('keydate.step.fraction_of_term', { fraction: ratio, basis: n(step.basis), n: n(step.value) });
    case 'excluded': {
      const key = `keydate.reason.${step.reason ?? ''}`;
      const reason = t(key as Parameters<T>[0]);
      return t('keydate.step.excluded', { reason: reason === key ? (step.reason ?? '') : reason });
    }
    case 'after_release':
      return t('keydate.step.after_release', { date });
    default:
      return date ? `${step.op}: ${date}` : step.op;
  }
}

/** Steps whose own text says why a date is missing. */
const WHY_NONE = new Set(['excluded', 'after_release']);

interface KeyDateItemProps {
  keyDate: KeyDate;
  decision: Decision;
  idPrefix: string;
}

function KeyDateItem({ keyDate, decision, idPrefix }: KeyDateItemProps) {
  const { t, lang } = useI18n();
  const dates = useDates();
  const steps = keyDate.explanation?.steps ?? [];
  const why = steps.filter((s) => WHY_NONE.has(s.op)).map((s) => stepText(t, lang, s, decision));
  const id = `${idPrefix}-${keyDate.kind}`;
  return (
    <div class="keydate" id={id}>
      <dt class="keydate-kind">{keyDateLabel(t, keyDate.kind)}</dt>
      <dd class="keydate-value">
        {keyDate.date ? (
          <span class="keydate-date">{formatDay(keyDate.date, lang)}</span>
        ) : (
          <span class="keydate-none">{why.length ? why.join('; ') : t('keydate.none')}</span>
        )}
        {steps.length || keyDate.explanation?.formula ? (
          <details class="keydate-how">
            <summary>
              {t('keydate.how')}
              <span class="visually-hidden">: {keyDateLabel(t, keyDate.kind)}</span>
            </summary>
            {steps.length ? (
              <ol class="keydate-steps">
                {steps.map((s, i) => <li key={i} class={`keydate-step keydate-step-${s.op}`}>{stepText(t, lang, s, decision)}</li>)}
                {keyDate.date ? <li class="keydate-step keydate-step-result">{formatDay(keyDate.date, lang)}</li> : null}
              </ol>
            ) : <p class="keydate-formula">{keyDate.explanation?.formula}</p>}
            {keyDate.computed_at ? (
              <p class="keydate-computed">{t('keydate.computed_at', { time: dates.short(keyDate.computed_at) })}</p>
            ) : null}
          </details>
        ) : null}
      </dd>
    </div>
  );
}

const ORDER = ['supervision_end', 'release', 'conditional_release_earliest'];

/** The key dates of the decisions in force (all decisions' when none is). */
export function KeyDatesPanel({ decisions }: { decisions: readonly Decision[] }) {
  const { t, lang } = useI18n();
  const inForce = decisions.filter((d) => d.status === 'in_force');
  const shown = (inForce.length ? inForce : decisions).filter((d) => d.key_dates?.length);
  return (
    <section class="card keydates-card" aria-labelledby="keydates-heading" id="keydates">
      <h2 id="keydates-heading" tabIndex={-1}>{t('keydate.title')}</h2>
      <p class="muted">{t('keydate.about')}</p>
      {shown.length === 0 ? <p>{t('keydate.empty')}</p> : shown.map((d) => (
        <div class="keydates-group" key={d.id}>
          {shown.length > 1 ? (
            <h3 class="keydates-decision">
              {t('keydate.of_decision', { authority: d.authority, date: formatDay(d.decided_on, lang) })}
            </h3>
          ) : null}
          <dl class="keydates">
            {[...d.key_dates].sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind)).map((k) => (
              <KeyDateItem key={k.kind} keyDate={k} decision={d} idPrefix={`keydate-${d.id}`} />
            ))}
          </dl>
        </div>
      ))}
    </section>
  );
}
