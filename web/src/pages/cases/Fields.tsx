// Form controls the shared Form components do not have yet, built the same way: a visible label,
// hint and error tied to the control with aria-describedby, aria-invalid on a field in error.
import { useI18n } from '../../i18n';

function describedBy(id: string, hint?: string, error?: string): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function FieldError({ id, error }: { id: string; error: string | undefined }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <p class="field-error" id={`${id}-error`}>
      <span class="visually-hidden">{t('form.error_prefix')} </span>
      {error}
    </p>
  );
}

interface DateFieldProps {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  hint?: string | undefined;
  error?: string | undefined;
  required?: boolean;
  optional?: boolean;
  min?: string;
  max?: string;
}

/** A calendar date (YYYY-MM-DD), with the browser's date picker. */
export function DateField(p: DateFieldProps) {
  const { t } = useI18n();
  return (
    <div class={p.error ? 'field has-error' : 'field'}>
      <label for={p.id}>
        {p.label}
        {p.optional ? <span class="optional"> {t('form.optional')}</span> : null}
      </label>
      {p.hint ? <p class="hint" id={`${p.id}-hint`}>{p.hint}</p> : null}
      <input id={p.id} name={p.id} type="date" class="input input-date" value={p.value}
        onInput={(e) => p.onValue(e.currentTarget.value)} required={p.required} min={p.min} max={p.max}
        aria-invalid={p.error ? 'true' : undefined} aria-describedby={describedBy(p.id, p.hint, p.error)} />
      <FieldError id={p.id} error={p.error} />
    </div>
  );
}

interface RadioGroupProps {
  id: string;
  legend: string;
  value: string;
  onValue: (value: string) => void;
  options: readonly { value: string; label: string; about?: string }[];
  hint?: string;
  error?: string | undefined;
}

/** One choice of a few, all visible: radios in a fieldset whose legend names the group. */
export function RadioGroup({ id, legend, value, onValue, options, hint, error }: RadioGroupProps) {
  return (
    <fieldset class={error ? 'field checkbox-group has-error' : 'field checkbox-group'} id={id}
      aria-describedby={describedBy(id, hint, error)}>
      <legend>{legend}</legend>
      {hint ? <p class="hint" id={`${id}-hint`}>{hint}</p> : null}
      <div class="checkbox-list">
        {options.map((o) => {
          const rid = `${id}-${o.value}`;
          return (
            <div class="checkbox" key={o.value}>
              <input type="radio" id={rid} name={id} value={o.value} checked={value === o.value}
                onChange={() => onValue(o.value)} />
              <label for={rid}>
                {o.label}
                {o.about ? <span class="checkbox-about">{o.about}</span> : null}
              </label>
            </div>
          );
        })}
      </div>
      <FieldError id={id} error={error} />
    </fieldset>
  );
}

interface TermFieldProps {
  id: string;
  legend: string;
  years: string;
  months: string;
  days: string;
  onChange: (part: 'years' | 'months' | 'days', value: string) => void;
  hint?: string;
  error?: string | undefined;
}

/** A term as years, months and days: three small number inputs in one fieldset. */
export function TermField({ id, legend, years, months, days, onChange, hint, error }: TermFieldProps) {
  const { t } = useI18n();
  const parts = [
    ['years', years, t('cases.term.years_label')],
    ['months', months, t('cases.term.months_label')],
    ['days', days, t('cases.term.days_label')],
  ] as const;
  return (
    <fieldset class={error ? 'field term-field has-error' : 'field term-field'} id={id}
      aria-describedby={describedBy(id, hint, error)}>
      <legend>{legend}</legend>
      {hint ? <p class="hint" id={`${id}-hint`}>{hint}</p> : null}
      <div class="term-parts">
        {parts.map(([part, value, label]) => (
          <div class="term-part" key={part}>
            <label for={`${id}-${part}`}>{label}</label>
            <input id={`${id}-${part}`} name={`${id}-${part}`} class="input" type="number" inputMode="numeric"
              min={0} max={part === 'years' ? 50 : part === 'months' ? 600 : 99999} value={value}
              onInput={(e) => onChange(part, e.currentTarget.value)} aria-invalid={error ? 'true' : undefined} />
          </div>
        ))}
      </div>
      <FieldError id={id} error={error} />
    </fieldset>
  );
}
