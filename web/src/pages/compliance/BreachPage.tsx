// /breaches/:id — one breach allegation by due process (S6-S9): a stepper of every state with the
// current one marked and the done ones with who and when (the appeal marked as happening only if one
// is lodged; closure and withdrawal as ends), the next required step in plain words naming who takes
// it, every fact due process depends on (the notification and the account's deadline, the person's
// account, the officer's assessment with the alternatives considered, the countersignature and its
// note, the referral, the decision with its appeal route and deadline, the appeal), the form for the
// next step shown only to those whose role may take it — its mistakes caught before sending and every
// message said in the UI language — the printable documents in the chosen language, and every transition.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, get, request } from '../../api';
import { FormError, SelectField, Success, TextAreaField, TextField } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { useI18n, type Lang, type MessageKey } from '../../i18n';
import { fieldMessage } from '../../problems';
import { useDates, useSession, useTimeZone } from '../../session';
import { localProblem } from '../cases/Decisions';
import { DateField } from '../cases/Fields';
import { formatDay, getVersioned, today } from '../cases/model';
import './breaches.css';

export type BreachState = 'reported' | 'notified' | 'account_recorded' | 'assessed' | 'countersigned' | 'referred'
  | 'decided' | 'appealed' | 'appeal_decided' | 'closed' | 'withdrawn';

export interface BreachEvent {
  at: string; actor_name: string; action: string; from_state: string | null; to_state: string; reason: string | null;
}

type Texts = Partial<Record<Lang, string>>;

export interface Breach {
  id: string; case_id: string; case_number: string; person_id: string; person_name: string; person_language: Lang;
  unit_name: string; state: BreachState; allegation: string; occurred_on: string;
  conditions: { id: string; code: string | null; text: string | null; texts?: Texts | null }[];
  reported_at: string | null; reported_by_name: string | null;
  notified_on: string | null; notice_method: string | null; notice_language: string | null; account_due_on: string | null;
  account_kind: string | null; account_text: string | null; account_on: string | null;
  facts: string | null; alternatives: string | null; recommended_response: string | null;
  assessed_at: string | null; assessed_by_name: string | null;
  countersigned_at: string | null; countersigned_by_name: string | null; countersign_note: string | null;
  referred_at: string | null; referred_by_name: string | null; authority: string | null; referral_note: string | null;
  decision_outcome: string | null; decision_reasons: string | null; alternatives_considered: string | null;
  authority_reference: string | null; decided_on: string | null; decided_by_name: string | null;
  appeal_route: string | null; appeal_deadline_on: string | null;
  appealed_on: string | null; appeal_by: string | null; appeal_grounds: string | null; appeal_outcome: string | null;
  appeal_decided_on: string | null; appeal_reasons: string | null;
  closed_at: string | null; closed_by_name: string | null; close_reason: string | null;
  version: number;
  next: { step: string | null; actions: string[]; message: string };
  events?: BreachEvent[];
}

type T = (key: MessageKey, params?: Readonly<Record<string, string | number>>) => string;
const msg = (t: T, key: string, params?: Readonly<Record<string, string | number>>) => t(key as MessageKey, params);

/** The states of the procedure, in order; the appeal's two happen only if an appeal is lodged. */
export const STATES: readonly BreachState[] = ['reported', 'notified', 'account_recorded', 'assessed', 'countersigned',
  'referred', 'decided', 'appealed', 'appeal_decided'];
const OPTIONAL: readonly BreachState[] = ['appealed', 'appeal_decided'];
const ALL_STATES: readonly BreachState[] = [...STATES, 'closed', 'withdrawn'];
export { ALL_STATES };

/** Who may take each step (the routes' permissions). */
const PERMISSION: Readonly<Record<string, string>> = {
  notification: 'breaches.write', account: 'breaches.write', assessment: 'breaches.write',
  countersignature: 'breaches.countersign', referral: 'breaches.write', closure: 'breaches.write',
  decision: 'breaches.decide', appeal: 'breaches.write', 'appeal-decision': 'breaches.decide', withdrawal: 'breaches.write',
};

/** Who takes each step, in words. */
const WHO: Readonly<Record<string, string>> = {
  countersignature: 'breach.who.head', decision: 'breach.who.authority', 'appeal-decision': 'breach.who.authority',
};
const whoTakes = (t: T, action: string) => msg(t, WHO[action] ?? 'breach.who.officer');

export function StateBadge({ state }: { state: BreachState }) {
  const { t } = useI18n();
  return <span class={`badge breach-state breach-state-${state}`}>{msg(t, `breach.state.${state}`)}</span>;
}

export function nextText(t: T, b: Pick<Breach, 'next'>): string {
  return b.next.step ? t('breach.next', { step: msg(t, `breach.step.${b.next.step}`) }) : t('breach.next.none');
}

const NEGATIVE = ['warning', 'formal_warning', 'increased_contact', 'added_support', 'variation_request', 'referral'];

interface Field {
  name: string;
  kind: 'date' | 'text' | 'textarea' | 'select';
  options?: readonly string[];
  optionKey?: string;
  optional?: boolean;
  max?: number;
}

/** Each step's form, as the API's table has it. */
const FORMS: Readonly<Record<string, readonly Field[]>> = {
  notification: [{ name: 'notified_on', kind: 'date' }, { name: 'method', kind: 'select', options: ['in_person', 'letter', 'phone', 'representative'] },
    { name: 'language', kind: 'select', options: ['ky', 'ru', 'en'] }, { name: 'account_due_on', kind: 'date', optional: true }],
  account: [{ name: 'kind', kind: 'select', options: ['given', 'declined', 'none_by_deadline'] },
    { name: 'text', kind: 'textarea', max: 4000 }, { name: 'account_on', kind: 'date' }],
  assessment: [{ name: 'facts', kind: 'textarea', max: 4000 }, { name: 'alternatives', kind: 'textarea', max: 4000 },
    { name: 'recommended_response', kind: 'select', options: NEGATIVE, optionKey: 'response' }],
  countersignature: [{ name: 'decision', kind: 'select', options: ['countersign', 'return'] }, { name: 'note', kind: 'textarea', optional: true, max: 2000 }],
  referral: [{ name: 'authority', kind: 'text', max: 200 }, { name: 'note', kind: 'textarea', optional: true, max: 2000 }],
  closure: [{ name: 'response', kind: 'select', options: ['warning', 'formal_warning', 'increased_contact', 'added_support'], optionKey: 'response', optional: true },
    { name: 'reasons', kind: 'textarea', max: 2000 }],
  decision: [{ name: 'outcome', kind: 'select', options: ['no_action', 'warning', 'vary_conditions', 'revoke', 'other'] },
    { name: 'reasons', kind: 'textarea', max: 4000 }, { name: 'alternatives_considered', kind: 'textarea', max: 4000 },
    { name: 'authority_reference', kind: 'text', max: 100 }, { name: 'decided_on', kind: 'date' },
    { name: 'appeal_route', kind: 'textarea', max: 1000 }, { name: 'appeal_deadline_on', kind: 'date', optional: true }],
  appeal: [{ name: 'appealed_on', kind: 'date' }, { name: 'by', kind: 'select', options: ['person', 'defender', 'prosecutor', 'service'] },
    { name: 'grounds', kind: 'textarea', max: 4000 }],
  'appeal-decision': [{ name: 'outcome', kind: 'select', options: ['upheld', 'overturned', 'varied'] }, { name: 'decided_on', kind: 'date' },
    { name: 'reasons', kind: 'textarea', max: 4000 }],
  withdrawal: [{ name: 'reason', kind: 'textarea', max: 2000 }],
};

/** The fields of a step shown with the values chosen so far (the person's words only with an account given). */
function shownFields(action: string, values: Record<string, string>): readonly Field[] {
  const fields = FORMS[action] ?? [];
  return action === 'account' && values.kind !== 'given' ? fields.filter((f) => f.name !== 'text') : fields;
}

function initial(action: string, b: Breach, day: string): Record<string, string> {
  const v: Record<string, string> = {};
  for (const f of FORMS[action] ?? []) {
    if (f.kind === 'date' && !f.optional) v[f.name] = day;
    else if (f.kind === 'select' && !f.optional) v[f.name] = f.options?.[0] ?? '';
    else v[f.name] = '';
  }
  if (action === 'notification') v.language = b.person_language;
  if (action === 'closure' && b.recommended_response) v.response = b.recommended_response;
  return v;
}

type Check = { field: string; message: string };

/** The mistakes the server would refuse, found before sending, in the UI language. */
function checkStep(action: string, v: Record<string, string>, b: Breach, now: string, t: T, lang: Lang): Check[] {
  const out: Check[] = [];
  const day = (d: string | null) => (d ? formatDay(d, lang) : '');
  const need = (name: string) => { if (!(v[name] ?? '').trim()) out.push({ field: name, message: t('field.required') }); };
  const notAfterToday = (name: string) => { if (v[name] && v[name]! > now) out.push({ field: name, message: t('breach.err.future') }); };
  const notBefore = (name: string, limit: string | null, key: string) => {
    if (v[name] && limit && v[name]! < limit) out.push({ field: name, message: msg(t, key, { date: day(limit) }) });
  };
  for (const f of shownFields(action, v)) if (!f.optional) need(f.name);
  switch (action) {
    case 'notification':
      notAfterToday('notified_on');
      notBefore('notified_on', b.occurred_on, 'breach.err.before_occurred');
      if (v.account_due_on && v.notified_on && v.account_due_on < v.notified_on) {
        out.push({ field: 'account_due_on', message: t('breach.err.due_before_notified') });
      }
      break;
    case 'account':
      notAfterToday('account_on');
      notBefore('account_on', b.notified_on, 'breach.err.before_notified');
      if (v.kind === 'none_by_deadline' && b.account_due_on && now <= b.account_due_on) {
        out.push({ field: 'kind', message: t('breach.err.none_early', { date: day(b.account_due_on) }) });
      }
      break;
    case 'countersignature':
      if (v.decision === 'return' && !(v.note ?? '').trim()) out.push({ field: 'note', message: t('breach.err.note_on_return') });
      break;
    case 'decision':
      notAfterToday('decided_on');
      if (v.appeal_deadline_on && v.decided_on && v.appeal_deadline_on < v.decided_on) {
        out.push({ field: 'appeal_deadline_on', message: t('breach.err.deadline_before_decision') });
      }
      break;
    case 'appeal':
      notAfterToday('appealed_on');
      notBefore('appealed_on', b.decided_on, 'breach.err.before_decision');
      if (v.appealed_on && b.appeal_deadline_on && v.appealed_on > b.appeal_deadline_on) {
        out.push({ field: 'appealed_on', message: t('breach.err.after_appeal_deadline', { date: day(b.appeal_deadline_on) }) });
      }
      break;
    case 'appeal-decision':
      notAfterToday('decided_on');
      notBefore('decided_on', b.appealed_on, 'breach.err.before_appeal');
      break;
    default:
      break;
  }
  // One message per field: the first found.
  return out.filter((e, i) => out.findIndex((x) => x.field === e.field) === i);
}

/** A message of the server's (English) said in the UI language; never the server's words, codes or ISO dates. */
function serverFieldMessage(field: string, message: string, b: Breach, t: T, lang: Lang): string {
  const m = message.trim();
  const day = (d: string | null | undefined) => (d ? formatDay(d, lang) : '');
  let match = /\((\d{4}-\d{2}-\d{2})\)/.exec(m);
  const date = match ? day(match[1]) : '';
  if (/^none_by_deadline is possible only after/i.test(m)) return t('breach.err.none_early', { date: date || day(b.account_due_on) });
  if (/^must not be after the appeal deadline/i.test(m)) return t('breach.err.after_appeal_deadline', { date: date || day(b.appeal_deadline_on) });
  if (/^must not be after today/i.test(m)) return t('breach.err.future');
  if (/^must not be before the date of the alleged breach/i.test(m)) return t('breach.err.before_occurred', { date: day(b.occurred_on) });
  if (/^must not be before notified_on/i.test(m)) return t('breach.err.due_before_notified');
  if (/^must not be before the person was notified/i.test(m)) return t('breach.err.before_notified', { date: day(b.notified_on) });
  if (/^must not be before decided_on/i.test(m)) return t('breach.err.deadline_before_decision');
  if (/^must not be before the decision/i.test(m)) return t('breach.err.before_decision', { date: day(b.decided_on) });
  if (/^must not be before the appeal was lodged/i.test(m)) return t('breach.err.before_appeal', { date: day(b.appealed_on) });
  if (/^is required when the assessment is returned/i.test(m)) return t('breach.err.note_on_return');
  if (/^is required\b/i.test(m) || /^must not be blank/i.test(m)) return t('field.required');
  if (/^must be absent unless/i.test(m)) return t('breach.err.text_absent');
  if (/^needs the competent authority/i.test(m)) return t('breach.err.needs_authority');
  if (/response/i.test(m) && /ladder/i.test(m)) return t('breach.err.response');
  match = /^must (?:have|be) at most (\d+) characters?/i.exec(m);
  if (match) return fieldMessage(t, m);
  void field;
  return t('breach.err.invalid');
}

/** The server's refusal in the UI language: per-field messages translated, the step-level ones named. */
function localError(error: unknown, b: Breach, t: T, lang: Lang): { error: unknown; message?: string } {
  if (!(error instanceof ApiError)) return { error };
  if (error.slug === 'breach-state') return { error, message: t('breach.err.state') };
  if (error.slug === 'own-assessment') return { error, message: t('breach.err.own_assessment') };
  const errors = error.problem?.errors ?? [];
  if (error.status !== 422 || !errors.length) return { error };
  return { error: localProblem(errors.map((e) => ({ field: e.field, message: serverFieldMessage(e.field, e.message, b, t, lang) }))) };
}

function StepForm({ action, breach, version, onDone }: { action: string; breach: Breach; version: string; onDone: (text: string) => void }) {
  const { t, lang } = useI18n();
  const zone = useTimeZone();
  const now = today(zone);
  const [values, setValues] = useState(() => initial(action, breach, now));
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const fields = shownFields(action, values);
  const mistakes = checkStep(action, values, breach, now, t, lang);
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const shown = local ? { error: local } : localError(serverError, breach, t, lang);
  const id = (name: string) => `breach-${action}-${name}`;
  const errs: Record<string, string> = {};
  if (shown.error instanceof ApiError) for (const e of shown.error.problem?.errors ?? []) errs[e.field] = e.message;
  const submit = (e: Event) => {
    e.preventDefault();
    if (mistakes.length) { setAttempt((n) => n + 1); return; }
    setAttempt(0);
    void run(async () => {
      const body: Record<string, string> = {};
      for (const f of fields) if ((values[f.name] ?? '').trim()) body[f.name] = f.kind === 'date' || f.kind === 'select' ? values[f.name]! : values[f.name]!.trim();
      await request('POST', `/api/v1/breaches/${encodeURIComponent(breach.id)}/${action}`, { body, ifMatch: version });
      onDone(t('breach.saved'));
    });
  };
  const label = (name: string) => msg(t, `breach.field.${name}`);
  const hint = (name: string): string | undefined => {
    if (action === 'account' && name === 'kind' && breach.account_due_on) {
      return t('breach.hint.account_due', { date: formatDay(breach.account_due_on, lang) });
    }
    if (action === 'appeal' && name === 'appealed_on' && breach.appeal_deadline_on) {
      return t('breach.hint.appeal_deadline', { date: formatDay(breach.appeal_deadline_on, lang) });
    }
    if (action === 'countersignature' && name === 'note') return t('breach.hint.note');
    return undefined;
  };
  return (
    <form class="breach-form" onSubmit={submit} noValidate aria-labelledby={`${id('form')}-heading`}>
      <h3 id={`${id('form')}-heading`}>{msg(t, `breach.action.${action}`)}</h3>
      <FormError error={shown.error} message={shown.message} focusKey={local ? attempt : serverError}
        fields={Object.fromEntries(fields.map((f) => [f.name, id(f.name)]))}
        labels={Object.fromEntries(fields.map((f) => [f.name, label(f.name)]))} />
      {fields.map((f) => {
        const common = { id: id(f.name), label: label(f.name), value: values[f.name] ?? '', error: errs[f.name],
          onValue: (v: string) => setValues((prev) => ({ ...prev, [f.name]: v })) };
        const h = hint(f.name);
        if (f.kind === 'date') {
          return <DateField key={f.name} {...common} optional={f.optional ?? false} {...(f.optional ? {} : { max: now })} {...(h ? { hint: h } : {})} />;
        }
        if (f.kind === 'textarea') return <TextAreaField key={f.name} {...common} max={f.max ?? 4000} rows={3} {...(h ? { hint: h } : {})} />;
        if (f.kind === 'select') {
          const options = (f.options ?? []).map((o) => ({ value: o, label: f.name === 'language' ? msg(t, `breach.lang.${o}`) : msg(t, `breach.opt.${f.optionKey ?? f.name}.${o}`) }));
          return <SelectField key={f.name} {...common} optional={f.optional ?? false} {...(h ? { hint: h } : {})}
            options={f.optional ? [{ value: '', label: '—' }, ...options] : options} />;
        }
        return <TextField key={f.name} {...common} maxLength={f.max ?? 200} optional={f.optional ?? false} />;
      })}
      <button type="submit" class={action === 'withdrawal' ? 'button' : 'button button-primary'} disabled={busy}>{msg(t, `breach.action.${action}`)}</button>
    </form>
  );
}

function Stepper({ b }: { b: Breach }) {
  const { t } = useI18n();
  const dates = useDates();
  let shown: BreachState[] = [...STATES];
  let end = -1;
  const ended = b.state === 'closed' || b.state === 'withdrawn';
  if (ended) {
    // The line stops where it ended.
    const last = [...(b.events ?? [])].reverse().find((e) => e.to_state === b.state)?.from_state as BreachState | undefined;
    const cut = last ? STATES.indexOf(last) : 0;
    shown = [...STATES.slice(0, cut + 1), b.state];
    end = shown.length - 1;
  } else if (b.state === 'countersigned' && b.next.actions.includes('closure') && !b.next.actions.includes('referral')) {
    // The service's own response: the allegation closes here, nothing goes to the authority.
    shown = [...STATES.slice(0, 5), 'closed'];
    end = shown.length - 1;
  }
  const current = shown.indexOf(b.state);
  return (
    <ol class="breach-stepper" aria-label={t('breach.stepper')}>
      {shown.map((s, i) => {
        const done = i < current;
        const optional = !ended && OPTIONAL.includes(s);
        const ev = [...(b.events ?? [])].reverse().find((e) => e.to_state === s);
        const cls = [i === current ? 'is-current' : done ? 'is-done' : 'is-todo', optional ? 'is-optional' : '', i === end ? 'is-end' : ''].filter(Boolean).join(' ');
        return (
          <li key={s} class={cls} aria-current={i === current ? 'step' : undefined}>
            <span class="breach-step-name">{msg(t, `breach.state.${s}`)}</span>
            {i === current ? <span class="visually-hidden"> ({t('breach.step.current')})</span> : null}
            {optional && i > current ? <span class="breach-step-note">{t('breach.step.optional')}</span> : null}
            {s === 'referred' && i > current && !ended ? <span class="breach-step-note">{t('breach.step.or_closed')}</span> : null}
            {i === end ? <span class="breach-step-note">{t('breach.step.end')}</span> : null}
            {(done || i === current) && ev ? <span class="breach-step-who">{t('breach.step.done_by', { who: ev.actor_name, when: dates.short(ev.at) })}</span> : null}
          </li>
        );
      })}
    </ol>
  );
}

function Documents({ b }: { b: Breach }) {
  const { t } = useI18n();
  const [lang, setLang] = useState<string>(b.person_language);
  const kinds = ['notification'];
  if (['countersigned', 'referred', 'decided', 'appealed', 'appeal_decided'].includes(b.state)) kinds.push('referral-pack');
  if (['decided', 'appealed', 'appeal_decided'].includes(b.state)) kinds.push('decision');
  return (
    <section class="card" aria-labelledby="breach-docs-heading">
      <h2 id="breach-docs-heading">{t('breach.documents')}</h2>
      <SelectField id="breach-doc-lang" label={t('breach.documents.lang')} value={lang} onValue={setLang}
        options={['ky', 'ru', 'en'].map((l) => ({ value: l, label: msg(t, `breach.lang.${l}`) }))} />
      <ul class="breach-docs">
        {kinds.map((k) => (
          <li key={k}><a href={`/api/v1/breaches/${encodeURIComponent(b.id)}/documents/${k}?lang=${lang}`} target="_blank" rel="noopener">{msg(t, `breach.doc.${k}`)}</a></li>
        ))}
      </ul>
    </section>
  );
}

/** One labelled fact; nothing when there is no value. */
function Fact({ label, value, text, id }: { label: string; value: ComponentChildren; text?: boolean; id?: string }) {
  if (value === null || value === undefined || value === '') return null;
  return (
    <div class={text ? 'breach-fact is-text' : 'breach-fact'}>
      <dt>{label}</dt>
      <dd class={text ? 'breach-text' : undefined} id={id}>{value}</dd>
    </div>
  );
}

function Part({ id, title, children }: { id: string; title: string; children: ComponentChildren }) {
  return (
    <div class="breach-part" id={id}>
      <h3>{title}</h3>
      <dl class="breach-facts">{children}</dl>
    </div>
  );
}

/** Every fact of the allegation that due process depends on, in the order it happened. */
function Facts({ b }: { b: Breach }) {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const dates = useDates();
  const day = (d: string | null) => (d ? formatDay(d, lang) : null);
  const by = (who: string | null, at: string | null) => (who ? (at ? t('breach.step.done_by', { who, when: dates.short(at) }) : who) : null);
  const opt = (prefix: string, code: string | null) => (code ? msg(t, `breach.opt.${prefix}.${code}`) : null);
  const conditionText = (c: Breach['conditions'][number]) => c.texts?.[lang] || c.text || c.texts?.en || c.texts?.ru || c.texts?.ky || c.code || '—';
  return (
    <section class="card breach-facts-card" aria-labelledby="breach-facts-heading">
      <h2 id="breach-facts-heading">{t('breach.allegation')}</h2>
      <Part id="breach-part-allegation" title={t('breach.section.allegation')}>
        <Fact label={t('breach.person')} value={b.person_name} />
        <Fact label={t('breach.case')} id="breach-case"
          value={can('people.read') ? <Link href={`/cases/${encodeURIComponent(b.case_id)}`}>{b.case_number}</Link> : b.case_number} />
        <Fact label={t('breach.unit')} value={b.unit_name} />
        <Fact label={t('breach.allegation')} value={b.allegation} text />
        <Fact label={t('breach.occurred_on')} value={day(b.occurred_on)} />
        <Fact label={t('breach.conditions')} id="breach-conditions"
          value={b.conditions.length ? <ul>{b.conditions.map((c) => <li key={c.id}>{conditionText(c)}</li>)}</ul> : '—'} />
        <Fact label={t('breach.reported_by')} value={by(b.reported_by_name, b.reported_at)} />
      </Part>
      {b.notified_on ? (
        <Part id="breach-part-notification" title={t('breach.section.notification')}>
          <Fact label={t('breach.notified_on')} value={day(b.notified_on)} />
          <Fact label={t('breach.notice_method')} value={opt('method', b.notice_method)} />
          <Fact label={t('breach.notice_language')} value={b.notice_language ? msg(t, `breach.lang.${b.notice_language}`) : null} />
          <Fact label={t('breach.account_due_on')} value={day(b.account_due_on)} id="breach-account-due" />
        </Part>
      ) : null}
      {b.account_kind ? (
        <Part id="breach-part-account" title={t('breach.account')}>
          <Fact label={t('breach.account_kind')} value={opt('kind', b.account_kind)} />
          <Fact label={t('breach.account_on')} value={day(b.account_on)} />
          <Fact label={t('breach.account_text')} value={b.account_text} text />
        </Part>
      ) : null}
      {b.facts ? (
        <Part id="breach-part-assessment" title={t('breach.assessment')}>
          <Fact label={t('breach.field.facts')} value={b.facts} text />
          <Fact label={t('breach.field.alternatives')} value={b.alternatives} text id="breach-alternatives" />
          <Fact label={t('breach.field.recommended_response')} value={opt('response', b.recommended_response)} />
          <Fact label={t('breach.assessed_by')} value={by(b.assessed_by_name, b.assessed_at)} />
        </Part>
      ) : null}
      {b.countersigned_at || b.countersign_note ? (
        <Part id="breach-part-countersignature" title={t('breach.section.countersignature')}>
          <Fact label={t('breach.countersigned_by')} value={by(b.countersigned_by_name, b.countersigned_at)} />
          <Fact label={t('breach.countersign_note')} value={b.countersign_note} text id="breach-countersign-note" />
        </Part>
      ) : null}
      {b.referred_at ? (
        <Part id="breach-part-referral" title={t('breach.section.referral')}>
          <Fact label={t('breach.authority')} value={b.authority} />
          <Fact label={t('breach.referral_note')} value={b.referral_note} text />
          <Fact label={t('breach.referred_by')} value={by(b.referred_by_name, b.referred_at)} />
        </Part>
      ) : null}
      {b.decision_outcome ? (
        <Part id="breach-part-decision" title={t('breach.section.decision')}>
          <Fact label={t('breach.field.outcome')} value={opt('outcome', b.decision_outcome)} />
          <Fact label={t('breach.field.reasons')} value={b.decision_reasons} text />
          <Fact label={t('breach.field.alternatives_considered')} value={b.alternatives_considered} text />
          <Fact label={t('breach.field.authority_reference')} value={b.authority_reference} />
          <Fact label={t('breach.field.decided_on')} value={day(b.decided_on)} />
          <Fact label={t('breach.decided_by')} value={b.decided_by_name} />
          <Fact label={t('breach.field.appeal_route')} value={b.appeal_route} text />
          <Fact label={t('breach.appeal_deadline')} value={day(b.appeal_deadline_on)} id="breach-appeal-deadline" />
        </Part>
      ) : null}
      {b.appealed_on ? (
        <Part id="breach-part-appeal" title={t('breach.section.appeal')}>
          <Fact label={t('breach.field.appealed_on')} value={day(b.appealed_on)} />
          <Fact label={t('breach.field.by')} value={opt('by', b.appeal_by)} />
          <Fact label={t('breach.field.grounds')} value={b.appeal_grounds} text />
          <Fact label={t('breach.appeal_outcome')} value={opt('outcome', b.appeal_outcome)} />
          <Fact label={t('breach.appeal_decided_on')} value={day(b.appeal_decided_on)} />
          <Fact label={t('breach.appeal_reasons')} value={b.appeal_reasons} text />
        </Part>
      ) : null}
      {b.closed_at ? (
        <Part id="breach-part-closure" title={msg(t, `breach.state.${b.state}`)}>
          <Fact label={t('breach.closed_by')} value={by(b.closed_by_name, b.closed_at)} />
          <Fact label={t('breach.close_reason')} value={b.close_reason} text />
        </Part>
      ) : null}
    </section>
  );
}

function History({ b }: { b: Breach }) {
  const { t } = useI18n();
  const dates = useDates();
  const events = b.events ?? [];
  // The countersignature's note is kept on the allegation; shown with the last countersignature.
  let lastSigned = -1;
  events.forEach((e, i) => { if (e.to_state === 'countersigned') lastSigned = i; });
  return (
    <section class="card" aria-labelledby="breach-history-heading">
      <h2 id="breach-history-heading">{t('breach.history')}</h2>
      <ol class="breach-history" id="breach-history">
        {events.map((e, i) => {
          const reason = e.reason ?? (i === lastSigned ? b.countersign_note : null);
          return (
            <li key={i}>
              <span class="muted">{dates.short(e.at)}</span> · {e.actor_name} · {e.from_state ? `${msg(t, `breach.state.${e.from_state}`)} → ` : ''}{msg(t, `breach.state.${e.to_state}`)}
              {e.action === 'return' ? <> <span class="badge badge-warn">{t('breach.history.returned')}</span></> : null}
              {reason ? <div class="breach-text breach-history-reason">{reason}</div> : null}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function BreachBody({ b, version, onDone }: { b: Breach; version: string; onDone: (text: string) => void }) {
  const { t } = useI18n();
  const { can } = useSession();
  const mine = b.next.actions.filter((a) => a !== 'withdrawal' && can(PERMISSION[a] ?? '-'));
  const canWithdraw = b.next.actions.includes('withdrawal') && can('breaches.write');
  return (
    <>
      <div class="alert breach-next" role="status" id="breach-next">
        <p class="alert-title">{nextText(t, b)}</p>
        {b.next.step && !mine.length ? <p>{t('breach.next.for', { who: whoTakes(t, b.next.step) })}</p> : null}
      </div>
      <Stepper b={b} />
      <div class="breach-grid">
        <Facts b={b} />
        {mine.length ? (
          <div class="breach-forms">
            {mine.map((a) => <section class="card" key={`${a}-${version}`}><StepForm action={a} breach={b} version={version} onDone={onDone} /></section>)}
          </div>
        ) : null}
      </div>
      <Documents b={b} />
      {canWithdraw ? (
        <details class="card breach-withdraw">
          <summary>{t('breach.withdraw.title')}</summary>
          <StepForm key={`w-${version}`} action="withdrawal" breach={b} version={version} onDone={onDone} />
        </details>
      ) : null}
      <History b={b} />
    </>
  );
}

export function BreachPage({ id }: { id: string }) {
  const { t, lang } = useI18n();
  // The conditions come in the UI language (?lang=), not the person's.
  const load = useLoad((signal) => getVersioned<Breach>(`/api/v1/breaches/${encodeURIComponent(id)}?lang=${lang}`, { signal }), [id, lang]);
  const [done, setDone] = useState('');
  const b = load.data?.data;
  return (
    <>
      <p class="breadcrumbs"><Link href="/breaches">{t('breaches.title')}</Link></p>
      <div class="page-head">
        <h1 tabIndex={-1} id="breach-heading">
          {t('breach.title')}{b ? ` · ${b.case_number}` : ''} {b ? <StateBadge state={b.state} /> : null}
        </h1>
      </div>
      {done ? <Success><p class="alert-title">{done}</p></Success> : null}
      <LoadState load={load}>
        {(v) => <BreachBody b={v.data} version={v.version} onDone={(text) => { setDone(text); load.reload(); }} />}
      </LoadState>
    </>
  );
}

/** Reads a list of breaches (for the list page and the case card). */
export function loadBreaches(path: string, headers: Record<string, string> = {}, signal?: AbortSignal) {
  return get<{ items: Breach[]; next_cursor?: string | null }>(path, { headers, ...(signal ? { signal } : {}) });
}
