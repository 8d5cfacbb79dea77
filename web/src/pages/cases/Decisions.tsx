// The decisions a case carries out (its legal basis, S1): authority, number, date, the measure,
// the criminal-code articles (extremism and terrorism ones marked), term, remand and the duties
// the decision authorises. Recording one and correcting one (with If-Match): the server
// computes the key dates, which the page shows again at once.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, request } from '../../api';
import { CheckboxGroup, FormError, SelectField, Success, TextField } from '../../components/Form';
import { useAction } from '../../hooks';
import { useI18n, type Lang } from '../../i18n';
import { decisionStatusLabel, keyDateLabel } from '../../labels';
import { fieldErrors } from '../../problems';
import { useTimeZone } from '../../session';
import { DateField, TermField } from './Fields';
import {
  flag, formatDay, parseTerm, plural, termText, termWords, titleOf, today,
  type Decision, type RefArticle, type Reference, type T,
} from './model';

/** A 422-like error for mistakes caught before sending, shown as the server's would be. */
export function localProblem(errors: { field: string; message: string }[]): ApiError {
  return new ApiError('invalid form', 422, {
    type: 'urn:kadam:problem:validation-failed', slug: 'validation-failed', title: '', status: 422, detail: '', errors, body: {},
  });
}

/** The badges that mark an article as extremist or terrorist. */
export function ArticleBadges({ article }: { article: RefArticle | undefined }) {
  const { t } = useI18n();
  if (!article) return null;
  return (
    <>
      {flag(article, 'terrorism') ? <span class="badge badge-bad badge-offence">{t('cases.article.terrorism')}</span> : null}
      {flag(article, 'extremism') ? <span class="badge badge-bad badge-offence">{t('cases.article.extremism')}</span> : null}
    </>
  );
}

function articleAbout(t: T, a: RefArticle): string {
  const parts: string[] = [];
  if (a.category) {
    const key = `cases.category.${a.category}`;
    const label = t(key as Parameters<T>[0]);
    parts.push(label === key ? a.category : label);
  }
  if (flag(a, 'terrorism')) parts.push(t('cases.article.terrorism'));
  if (flag(a, 'extremism')) parts.push(t('cases.article.extremism'));
  return parts.join(' · ');
}

interface DecisionListProps {
  decisions: readonly Decision[];
  reference: Reference | null;
  canWrite: boolean;
  caseId: string;
  caseKind: string;
  headers: Record<string, string>;
  onChanged: () => void;
}

export function DecisionList({ decisions, reference, canWrite, caseId, caseKind, headers, onChanged }: DecisionListProps) {
  const { t, lang } = useI18n();
  const [editing, setEditing] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [done, setDone] = useState<{ text: string; dates: string[] } | null>(null);
  const doneRef = useRef<HTMLDivElement>(null);
  useEffect(() => { if (done) doneRef.current?.focus(); }, [done]);

  const saved = (d: Decision, isNew: boolean) => {
    setEditing(null);
    setAdding(false);
    setDone({
      text: isNew ? t('cases.decision.recorded') : t('cases.decision.corrected'),
      dates: (d.key_dates ?? []).map((k) => `${keyDateLabel(t, k.kind)}: ${k.date ? formatDay(k.date, lang) : t('keydate.none')}`),
    });
    onChanged();
  };

  return (
    <section class="card" aria-labelledby="decisions-heading" id="decisions">
      <div class="card-head">
        <h2 id="decisions-heading" tabIndex={-1}>{t('cases.decisions')}</h2>
        {canWrite && !adding ? (
          <button type="button" class="button" id="decision-add" onClick={() => { setAdding(true); setEditing(null); setDone(null); }}>
            {t('cases.decision.add')}
          </button>
        ) : null}
      </div>
      <p class="muted">{t('cases.decisions.about')}</p>
      {done ? (
        <div tabIndex={-1} ref={doneRef} id="decision-done">
          <Success>
            <p class="alert-title">{done.text}</p>
            {done.dates.length ? <ul>{done.dates.map((d) => <li key={d}>{d}</li>)}</ul> : null}
          </Success>
        </div>
      ) : null}
      {adding ? (
        <DecisionForm caseId={caseId} caseKind={caseKind} reference={reference} headers={headers}
          onCancel={() => { setAdding(false); window.setTimeout(() => document.getElementById('decision-add')?.focus(), 0); }}
          onSaved={(d) => saved(d, true)} />
      ) : null}
      {decisions.length === 0 && !adding ? <p>{t('cases.decisions.none')}</p> : null}
      {decisions.map((d) => (editing === d.id ? (
        <DecisionForm key={d.id} caseId={caseId} caseKind={caseKind} reference={reference} headers={headers} decision={d}
          onCancel={() => { setEditing(null); window.setTimeout(() => document.getElementById(`decision-edit-${d.id}`)?.focus(), 0); }}
          onSaved={(saved2) => saved(saved2, false)} />
      ) : (
        <DecisionCard key={d.id} decision={d} reference={reference} lang={lang}
          onEdit={canWrite ? () => { setEditing(d.id); setAdding(false); setDone(null); } : null} />
      )))}
    </section>
  );
}

interface DecisionCardProps {
  decision: Decision;
  reference: Reference | null;
  lang: Lang;
  onEdit: (() => void) | null;
}

function DecisionCard({ decision: d, reference, lang, onEdit }: DecisionCardProps) {
  const { t } = useI18n();
  const measure = reference?.measures.find((m) => m.code === d.measure);
  const headingId = `decision-${d.id}-heading`;
  return (
    <article class="decision" aria-labelledby={headingId}>
      <div class="decision-head">
        <h3 id={headingId}>{titleOf(measure, lang, d.measure)}</h3>
        <span class={d.status === 'in_force' ? 'badge badge-ok' : 'badge badge-off'}>{decisionStatusLabel(t, d.status)}</span>
        {onEdit ? (
          <button type="button" class="button button-secondary button-small decision-edit" id={`decision-edit-${d.id}`} onClick={onEdit}>
            {t('cases.decision.correct')}
            <span class="visually-hidden">: {titleOf(measure, lang, d.measure)}, {formatDay(d.decided_on, lang)}</span>
          </button>
        ) : null}
      </div>
      <dl class="facts facts-compact">
        <div class="fact"><dt>{t('cases.decision.authority')}</dt><dd>{d.authority}</dd></div>
        <div class="fact"><dt>{t('cases.decision.number')}</dt><dd>{d.number || '—'}</dd></div>
        <div class="fact"><dt>{t('cases.decision.decided_on')}</dt><dd>{formatDay(d.decided_on, lang)}</dd></div>
        <div class="fact"><dt>{t('cases.decision.start_on')}</dt><dd>{formatDay(d.start_on, lang)}</dd></div>
        <div class="fact"><dt>{t('cases.decision.term')}</dt><dd>{termWords(t, lang, d.term)}</dd></div>
        <div class="fact"><dt>{t('cases.decision.remand_days')}</dt><dd>{d.remand_days ? plural(t, lang, 'cases.term.days', d.remand_days) : '—'}</dd></div>
      </dl>
      <div class="decision-lists">
        <div>
          <h4>{t('cases.decision.articles')}</h4>
          {d.articles.length ? (
            <ul class="article-list">
              {d.articles.map((code) => {
                const a = reference?.articles.find((x) => x.code === code);
                return (
                  <li key={code}>
                    <code class="article-code">{code}</code> {a ? titleOf(a, lang, code) : null} <ArticleBadges article={a} />
                  </li>
                );
              })}
            </ul>
          ) : <p class="muted">—</p>}
        </div>
        <div>
          <h4>{t('cases.decision.duties')}</h4>
          {d.duties.length ? (
            <ul class="duty-list">
              {d.duties.map((code) => <li key={code}>{titleOf(reference?.duties.find((x) => x.code === code), lang, code)}</li>)}
            </ul>
          ) : <p class="muted">{t('cases.decision.no_duties')}</p>}
        </div>
      </div>
    </article>
  );
}

interface DecisionFormProps {
  caseId: string;
  caseKind: string;
  reference: Reference | null;
  headers: Record<string, string>;
  /** The decision to correct (absent: a new one). */
  decision?: Decision;
  onCancel: () => void;
  onSaved: (d: Decision) => void;
}

function DecisionForm({ caseId, caseKind, reference, headers, decision, onCancel, onSaved }: DecisionFormProps) {
  const { t, lang } = useI18n();
  const zone = useTimeZone();
  const p = decision ? `decision-${decision.id}` : 'decision-new';
  const term = parseTerm(decision?.term) ?? { years: 0, months: 0, days: 0 };
  const [authority, setAuthority] = useState(decision?.authority ?? '');
  const [number, setNumber] = useState(decision?.number ?? '');
  const [decidedOn, setDecidedOn] = useState(decision?.decided_on ?? today(zone));
  const [measure, setMeasure] = useState(decision?.measure ?? '');
  const [articles, setArticles] = useState<string[]>(decision?.articles ?? []);
  const [startOn, setStartOn] = useState(decision?.start_on ?? '');
  const [years, setYears] = useState(decision ? String(term.years) : '');
  const [months, setMonths] = useState(decision ? String(term.months) : '');
  const [days, setDays] = useState(decision ? String(term.days) : '');
  const [remand, setRemand] = useState(decision?.remand_days ? String(decision.remand_days) : '');
  const [duties, setDuties] = useState<string[]>(decision?.duties ?? []);
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  useEffect(() => { document.getElementById(`${p}-authority`)?.focus(); }, []);

  const whole = (v: string) => (v.trim() === '' ? 0 : /^\d+$/.test(v.trim()) ? Number(v) : NaN);
  const parts = { years: whole(years), months: whole(months), days: whole(days) };
  const termValue = Number.isNaN(parts.years + parts.months + parts.days) ? '' : termText(parts);
  const mistakes: { field: string; message: string }[] = [];
  if (!authority.trim()) mistakes.push({ field: 'authority', message: t('cases.required') });
  if (!decidedOn) mistakes.push({ field: 'decided_on', message: t('cases.required') });
  if (!measure) mistakes.push({ field: 'measure', message: t('cases.decision.measure.choose') });
  if (!startOn) mistakes.push({ field: 'start_on', message: t('cases.required') });
  if (!termValue) mistakes.push({ field: 'term', message: t('cases.decision.term.invalid') });
  if (remand.trim() && !/^\d+$/.test(remand.trim())) mistakes.push({ field: 'remand_days', message: t('cases.decision.remand.invalid') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);

  const active = (reference?.articles ?? []).filter((a) => (a.active !== false && a.is_active !== false) || articles.includes(a.code));
  const measures = reference?.measures ?? [];
  const custodial = measures.filter((m) => flag(m, 'custodial'));
  const other = measures.filter((m) => !flag(m, 'custodial'));
  const measureGroups = [
    { label: t('cases.decision.measures.noncustodial'), options: other.map((m) => ({ value: m.code, label: titleOf(m, lang) })) },
    { label: t('cases.decision.measures.custodial'), options: custodial.map((m) => ({ value: m.code, label: titleOf(m, lang) })) },
  ].filter((g) => g.options.length);
  if (caseKind === 'penitentiary') measureGroups.reverse();

  const fields = {
    authority: `${p}-authority`, number: `${p}-number`, decided_on: `${p}-decided`, measure: `${p}-measure`,
    articles: `${p}-articles`, start_on: `${p}-start`, term: `${p}-term-years`, remand_days: `${p}-remand`, duties: `${p}-duties`,
  };
  const labels = {
    authority: t('cases.decision.authority'), number: t('cases.decision.number'), decided_on: t('cases.decision.decided_on'),
    measure: t('cases.decision.measure'), articles: t('cases.decision.articles'), start_on: t('cases.decision.start_on'),
    term: t('cases.decision.term'), remand_days: t('cases.decision.remand_days'), duties: t('cases.decision.duties'),
  };

  return (
    <form class="form form-wide decision-form" noValidate aria-labelledby={`${p}-title`}
      onSubmit={(e) => {
        e.preventDefault();
        if (mistakes.length) {
          setAttempt((a) => a + 1);
          return;
        }
        setAttempt(0);
        void run(async () => {
          const body = {
            authority: authority.trim(), number: number.trim() || null, decided_on: decidedOn, measure, articles,
            start_on: startOn, term: termValue, remand_days: remand.trim() ? Number(remand) : 0, duties,
          };
          const r = decision
            ? await request<Decision>('PUT', `/api/v1/decisions/${encodeURIComponent(decision.id)}`,
              { body, ifMatch: String(decision.version), headers })
            : await request<Decision>('POST', `/api/v1/cases/${encodeURIComponent(caseId)}/decisions`, { body, headers });
          onSaved(r.data);
        });
      }}>
      <h3 id={`${p}-title`}>{decision ? t('cases.decision.correct.title') : t('cases.decision.add')}</h3>
      {decision ? <p class="hint">{t('cases.decision.correct.about')}</p> : null}
      <FormError error={error} focusKey={local ? attempt : serverError} fields={fields} labels={labels} />
      <div class="form-grid">
        <TextField id={fields.authority} label={labels.authority} value={authority} onValue={setAuthority} required
          error={fe.authority} maxLength={300} hint={t('cases.decision.authority.hint')} />
        <TextField id={fields.number} label={labels.number} value={number} onValue={setNumber} optional error={fe.number} maxLength={100} />
        <DateField id={fields.decided_on} label={labels.decided_on} value={decidedOn} onValue={setDecidedOn} required error={fe.decided_on} />
        <SelectField id={fields.measure} label={labels.measure} value={measure} onValue={setMeasure} required error={fe.measure}
          options={[{ value: '', label: reference ? t('cases.decision.measure.pick') : t('status.loading') }]} groups={measureGroups} />
        <DateField id={fields.start_on} label={labels.start_on} value={startOn} onValue={setStartOn} required error={fe.start_on}
          hint={t('cases.decision.start_on.hint')} />
        <TextField id={fields.remand_days} label={labels.remand_days} value={remand} onValue={setRemand} optional type="number"
          inputMode="numeric" min={0} error={fe.remand_days} hint={t('cases.decision.remand.hint')} />
      </div>
      <TermField id={`${p}-term`} legend={labels.term} years={years} months={months} days={days}
        onChange={(part, v) => (part === 'years' ? setYears(v) : part === 'months' ? setMonths(v) : setDays(v))}
        hint={termValue ? t('cases.decision.term.reads', { term: termWords(t, lang, termValue) }) : t('cases.decision.term.hint')}
        error={fe.term} />
      <CheckboxGroup id={fields.articles} legend={labels.articles} selected={articles} onChange={setArticles} error={fe.articles}
        hint={t('cases.decision.articles.hint')}
        options={active.map((a) => ({ value: a.code, label: `${a.code} — ${titleOf(a, lang)}`, about: articleAbout(t, a) }))} />
      <CheckboxGroup id={fields.duties} legend={labels.duties} selected={duties} onChange={setDuties} error={fe.duties}
        hint={t('cases.decision.duties.hint')}
        options={(reference?.duties ?? []).map((d) => ({ value: d.code, label: titleOf(d, lang) }))} />
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>
          {busy ? t('cases.saving') : decision ? t('cases.decision.correct.submit') : t('cases.decision.submit')}
        </button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}
