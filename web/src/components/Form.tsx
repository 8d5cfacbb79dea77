// Form building blocks. Every control has a visible label; hints and errors are tied to
// it with aria-describedby, and a field in error carries aria-invalid. A failed submit
// shows an error summary (role="alert", so it is announced) that links to the fields.
import type { ComponentChildren, Ref } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useI18n } from '../i18n';
import { fieldErrors, problemMessage } from '../problems';

function describedBy(id: string, hint?: string, error?: string, extra?: string): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : '', extra ?? ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

interface FieldFrameProps {
  id: string;
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  /** Marks the label "(optional)". */
  optional?: boolean | undefined;
  /** The error is announced when it appears (for forms without an error summary). */
  announce?: boolean | undefined;
  children: ComponentChildren;
}

function FieldFrame({ id, label, hint, error, optional, announce, children }: FieldFrameProps) {
  const { t } = useI18n();
  return (
    <div class={error ? 'field has-error' : 'field'}>
      <label for={id}>
        {label}
        {optional ? <span class="optional"> {t('form.optional')}</span> : null}
      </label>
      {hint ? <p class="hint" id={`${id}-hint`}>{hint}</p> : null}
      {children}
      {error ? (
        <p class="field-error" id={`${id}-error`} role={announce ? 'alert' : undefined}>
          <span class="visually-hidden">{t('form.error_prefix')} </span>
          {error}
        </p>
      ) : null}
    </div>
  );
}

export interface TextFieldProps {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  type?: 'text' | 'password' | 'search' | 'number' | 'datetime-local' | 'email';
  autocomplete?: string;
  inputMode?: 'numeric' | 'text' | 'search';
  hint?: string | undefined;
  error?: string | undefined;
  required?: boolean;
  optional?: boolean;
  maxLength?: number;
  minLength?: number;
  min?: number;
  max?: number;
  pattern?: string;
  spellcheck?: boolean;
  autocapitalize?: 'none' | 'off' | 'on' | 'sentences' | 'words' | 'characters';
  inputRef?: Ref<HTMLInputElement>;
  class?: string;
  name?: string;
  /** id of a <datalist> of suggestions. */
  list?: string;
  /** id of another element that describes the field (besides its hint and error). */
  describedBy?: string | undefined;
}

export function TextField(p: TextFieldProps) {
  return (
    <FieldFrame id={p.id} label={p.label} hint={p.hint} error={p.error} optional={p.optional}>
      <input
        id={p.id}
        name={p.name ?? p.id}
        ref={p.inputRef ?? null}
        class={p.class ? `input ${p.class}` : 'input'}
        type={p.type ?? 'text'}
        value={p.value}
        onInput={(e) => p.onValue(e.currentTarget.value)}
        autocomplete={p.autocomplete}
        inputMode={p.inputMode}
        required={p.required}
        maxLength={p.maxLength}
        minLength={p.minLength}
        min={p.min}
        max={p.max}
        pattern={p.pattern}
        spellcheck={p.spellcheck}
        autocapitalize={p.autocapitalize}
        list={p.list}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={describedBy(p.id, p.hint, p.error, p.describedBy)}
      />
    </FieldFrame>
  );
}

export interface SelectFieldProps {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  options: readonly { value: string; label: string }[];
  hint?: string | undefined;
  error?: string | undefined;
  required?: boolean;
  optional?: boolean;
  disabled?: boolean;
  /** Options in labelled groups (<optgroup>), after `options`. */
  groups?: readonly { label: string; options: readonly { value: string; label: string }[] }[];
  autoFocus?: boolean;
  /** id of another element that describes the field (besides its hint and error). */
  describedBy?: string | undefined;
}

export function SelectField(p: SelectFieldProps) {
  return (
    <FieldFrame id={p.id} label={p.label} hint={p.hint} error={p.error} optional={p.optional}>
      <select
        id={p.id}
        name={p.id}
        class="input"
        value={p.value}
        onChange={(e) => p.onValue(e.currentTarget.value)}
        required={p.required}
        disabled={p.disabled}
        autoFocus={p.autoFocus}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={describedBy(p.id, p.hint, p.error, p.describedBy)}
      >
        {p.options.map((o) => (
          <option key={o.value} value={o.value}>{o.label}</option>
        ))}
        {p.groups?.map((g) => (
          <optgroup key={g.label} label={g.label}>
            {g.options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
          </optgroup>
        ))}
      </select>
    </FieldFrame>
  );
}

export interface TextAreaFieldProps {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  hint?: string | undefined;
  error?: string | undefined;
  rows?: number;
  /** The limits; with max, a counter of the characters typed is shown under the field. */
  min?: number;
  max?: number;
  autoFocus?: boolean;
  /** The error is announced when it appears (for forms without an error summary). */
  announce?: boolean;
}

/** Characters as a person counts them (whitespace runs count once, ends not at all). */
export function countChars(text: string): number {
  return [...text.replace(/\s+/g, ' ').trim()].length;
}

/** A multi-line text with its label, hint, error and (given a maximum) a character counter. */
export function TextAreaField(p: TextAreaFieldProps) {
  const { t } = useI18n();
  const n = countChars(p.value);
  const counter = p.max ? `${p.id}-count` : undefined;
  const outside = p.max !== undefined && (n > p.max || (p.min !== undefined && n > 0 && n < p.min));
  return (
    <FieldFrame id={p.id} label={p.label} hint={p.hint} error={p.error} announce={p.announce}>
      <textarea
        id={p.id}
        name={p.id}
        class="input"
        rows={p.rows ?? 4}
        value={p.value}
        onInput={(e) => p.onValue(e.currentTarget.value)}
        autoFocus={p.autoFocus}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={describedBy(p.id, p.hint, p.error, counter)}
      />
      {p.max !== undefined ? (
        <p class={outside ? 'char-count is-outside' : 'char-count'} id={counter}>
          {t('form.count', { n, max: p.max })}
        </p>
      ) : null}
    </FieldFrame>
  );
}

export interface CheckboxGroupProps {
  id: string;
  legend: string;
  options: readonly { value: string; label: string; about?: string }[];
  selected: readonly string[];
  onChange: (selected: string[]) => void;
  error?: string | undefined;
  hint?: string;
}

/** Checkboxes in a fieldset whose legend names the group. */
export function CheckboxGroup({ id, legend, options, selected, onChange, error, hint }: CheckboxGroupProps) {
  const { t } = useI18n();
  return (
    <fieldset class={error ? 'field checkbox-group has-error' : 'field checkbox-group'} id={id}
      aria-describedby={describedBy(id, hint, error)}>
      <legend>{legend}</legend>
      {hint ? <p class="hint" id={`${id}-hint`}>{hint}</p> : null}
      <div class="checkbox-list">
        {options.map((o) => {
          const cid = `${id}-${o.value.replace(/[^\w-]/g, '_')}`;
          return (
            <div class="checkbox" key={o.value}>
              <input
                type="checkbox"
                id={cid}
                value={o.value}
                checked={selected.includes(o.value)}
                onChange={(e) => {
                  const on = e.currentTarget.checked;
                  onChange(on ? [...selected, o.value] : selected.filter((v) => v !== o.value));
                }}
              />
              <label for={cid}>
                {o.label}
                {o.about ? <span class="checkbox-about">{o.about}</span> : null}
              </label>
            </div>
          );
        })}
      </div>
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          <span class="visually-hidden">{t('form.error_prefix')} </span>
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

interface FormErrorProps {
  error: unknown;
  /** Field name (as the server says it) -> the id of its control, for links from the summary. */
  fields?: Readonly<Record<string, string>>;
  /** Field name -> label, for the summary's lines. */
  labels?: Readonly<Record<string, string>>;
  /** Overrides the main sentence. */
  message?: string | undefined;
  /**
   * Focus moves to the summary when this changes (by default, when the error does). For a
   * summary recomputed as the user fixes the fields, pass something that changes per submit.
   */
  focusKey?: unknown;
  children?: ComponentChildren;
}

/** The summary of a failed submit: announced when it appears, and it takes focus. */
export function FormError({ error, fields = {}, labels = {}, message, focusKey, children }: FormErrorProps) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) ref.current?.focus();
  }, [focusKey === undefined ? error : focusKey]);
  if (!error) return null;
  const perField = fieldErrors(error, t);
  const entries = Object.entries(perField);
  return (
    <div class="alert alert-error form-error" role="alert" tabIndex={-1} ref={ref}>
      <p class="alert-title">{message ?? problemMessage(t, error)}</p>
      {entries.length ? (
        <ul>
          {entries.map(([field, text]) => {
            const target = fields[field];
            const line = `${labels[field] ?? field}: ${text}`;
            return (
              <li key={field}>
                {target ? (
                  <a
                    href={`#${target}`}
                    onClick={(e) => {
                      e.preventDefault();
                      document.getElementById(target)?.focus();
                    }}
                  >
                    {line}
                  </a>
                ) : line}
              </li>
            );
          })}
        </ul>
      ) : null}
      {children}
    </div>
  );
}

/** A polite announcement of something that went well ("Saved."). */
export function Success({ children }: { children: ComponentChildren }) {
  return (
    <div class="alert alert-success" role="status">
      {children}
    </div>
  );
}
