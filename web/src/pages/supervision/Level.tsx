// The supervision level card: the current level with its written reason, who set it and when;
// the policy minimum for the level (contacts and home visits per period, reassessment interval)
// and whether the case meets it now; the history; and, for supervision.write holders, the form
// that changes the level (a written reason is required). The level the latest assessment's judgement
// suggests is shown with a "use suggestion" action; the officer still decides, and a level that
// departs from the suggestion needs a longer reason (the server says so too). The history says
// whether each choice followed the suggestion of its time.
import { useState } from 'preact/hooks';
import { get, request } from '../../api';
import { FormError, SelectField, Success, TextAreaField, countChars } from '../../components/Form';
import { useAction, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { fieldErrors } from '../../problems';
import { useDates } from '../../session';
import { localProblem } from '../cases/Decisions';
import { DateField } from '../cases/Fields';
import { formatDay, localised } from '../cases/model';
import { LoadError, caseApi, focusLater, loadLevels } from './common';
import { plural, type Counted, type Supervision as SupervisionBase, type SupervisionLevel } from './model';
import type { Suggestion } from '../assessments/model';
import { suggestionText } from '../assessments/AssessmentsCard';

type Supervision = Omit<SupervisionBase, 'history'> & {
  suggestion?: Suggestion | null;
  history: (SupervisionBase['history'][number] & {
    assessment_id?: string | null;
    suggested_level?: string | null;
    follows_suggestion?: boolean | null;
  })[];
};

/** The reason's minimum when the chosen level departs from the suggested one. */
const DEPART_MIN = 30;

interface Props {
  caseId: string;
  canWrite: boolean;
  headers: Record<string, string>;
  tick: number;
  onChanged: () => void;
}

export function LevelCard({ caseId, canWrite, headers, tick, onChanged }: Props) {
  const { t, lang } = useI18n();
  const dates = useDates();
  const sup = useLoad((signal) => get<Supervision>(caseApi(caseId, 'supervision'), { signal, headers }), [caseId, tick]);
  const levels = useLoad(() => loadLevels(), []);
  const [editing, setEditing] = useState(false);
  const [initial, setInitial] = useState('');
  const [saved, setSaved] = useState(false);
  const s = sup.data;
  const suggestion = s?.suggestion ?? null;
  const c = s?.compliance ?? null;
  return (
    <section class="card sup-card" aria-labelledby="supervision-heading" id="supervision">
      <div class="card-head">
        <h2 id="supervision-heading" tabIndex={-1}>{t('sup.level.title')}</h2>
        {canWrite && !editing ? (
          <button type="button" class="button" id="level-change" onClick={() => { setInitial(s?.level?.level ?? ''); setEditing(true); setSaved(false); }}>
            {s?.level ? t('sup.level.change') : t('sup.level.set')}
          </button>
        ) : null}
      </div>
      {sup.status === 'error' ? <LoadError onRetry={sup.reload} /> : null}
      {!s && sup.status === 'loading' ? <p class="muted" role="status">{t('status.loading')}</p> : null}
      {saved ? <Success><p>{t('sup.level.saved')}</p></Success> : null}
      {suggestion ? (
        <div class="notice sup-suggestion" id="level-suggestion">
          <p>{suggestionText(t, suggestion, lang)}{' '}
            {s?.level?.level === suggestion.level ? <span class="badge badge-ok">{t('assess.suggestion.current')}</span> : null}</p>
          <p class="hint">{t('assess.suggestion.decides')}</p>
          {canWrite && !editing && s?.level?.level !== suggestion.level ? (
            <button type="button" class="button button-secondary button-small" id="level-use-suggestion"
              onClick={() => { setInitial(suggestion.level); setEditing(true); setSaved(false); }}>{t('assess.suggestion.use')}</button>
          ) : null}
        </div>
      ) : null}
      {editing ? (
        <LevelForm key={initial} caseId={caseId} headers={headers} levels={levels.data ?? []} current={s?.level?.level ?? ''} initial={initial}
          suggestion={suggestion}
          onCancel={() => { setEditing(false); focusLater('level-change'); }}
          onSaved={() => { setEditing(false); setSaved(true); sup.reload(); onChanged(); focusLater('supervision-heading'); }} />
      ) : null}
      {s && !s.level ? <p>{t('sup.level.none')}</p> : null}
      {s?.level ? (
        <>
          <p class="sup-level">
            <span class="badge badge-info sup-level-name" id="level-current">{localised(s.level.title, lang) || s.level.level}</span>
            {c ? (
              <span class={c.met ? 'badge badge-ok' : 'badge badge-bad'} id="level-compliance">
                {c.met ? t('sup.compliance.all_met') : t('sup.compliance.all_not_met')}
              </span>
            ) : null}
          </p>
          <dl class="facts facts-compact">
            <div class="fact"><dt>{t('sup.level.reason')}</dt><dd class="sup-text">{s.level.reason}</dd></div>
            {s.history[0] && s.history[0].follows_suggestion != null ? (
              <div class="fact"><dt>{t('assess.suggestion.title')}</dt>
                <dd id="level-follows"><FollowsMark row={s.history[0]} levels={levels.data ?? []}
                  stale={(suggestion?.level ?? null) !== (s.history[0].suggested_level ?? null)} /></dd></div>
            ) : null}
            <div class="fact"><dt>{t('sup.level.from')}</dt><dd>{formatDay(s.level.effective_from, lang)}</dd></div>
            <div class="fact"><dt>{t('sup.level.set_by')}</dt>
              <dd>{t('sup.by_at', { name: s.level.set_by_name ?? '—', time: dates.short(s.level.set_at) })}</dd></div>
          </dl>
        </>
      ) : null}
      {c && s?.policy ? (
        <div class="sup-compliance">
          <h3>{t('sup.policy.title')}</h3>
          <ul class="plain-list sup-checks" id="level-checks">
            <CheckLine label={t('sup.policy.contacts')} noun="sup.n.contacts" counted={c.contacts} />
            <CheckLine label={t('sup.policy.home_visits')} noun="sup.n.home_visits" counted={c.home_visits} />
            <li class="sup-check">
              <span class={c.reassessment.overdue ? 'badge badge-bad' : 'badge badge-ok'}>
                {c.reassessment.overdue ? t('sup.reassessment.overdue') : t('sup.reassessment.in_time')}
              </span>{' '}
              {t('sup.reassessment.line', { n: c.reassessment.interval_days, date: formatDay(c.reassessment.due_on, lang) })}
              {c.reassessment.last_on ? ` ${t('sup.reassessment.last', { date: formatDay(c.reassessment.last_on, lang) })}` : ''}
            </li>
          </ul>
        </div>
      ) : null}
      {s && s.history.length > 1 ? (
        <details class="sup-history">
          <summary>{t('sup.level.history', { n: s.history.length })}</summary>
          <ol class="plain-list">
            {s.history.map((h) => (
              <li key={h.id} class="sup-history-item">
                <strong>{localised(h.level_title, lang) || h.level}</strong>{' '}
                {t('sup.level.history.line', { date: formatDay(h.effective_from, lang), name: h.set_by_name ?? '—' })}
                <FollowsMark row={h} levels={levels.data ?? []} />
                <p class="sup-text">{h.reason}</p>
              </li>
            ))}
          </ol>
        </details>
      ) : null}
    </section>
  );
}

/**
 * Whether a level choice followed the suggestion of its time (nothing when there was none). It is
 * history: `stale` says the suggestion has changed since, so the mark is not shown as current.
 */
function FollowsMark({ row, levels, stale = false }: { row: Supervision['history'][number]; levels: SupervisionLevel[]; stale?: boolean }) {
  const { t, lang } = useI18n();
  if (row.follows_suggestion == null) return null;
  const l = levels.find((x) => x.code === row.suggested_level);
  const level = l ? localised(l.title, lang) || l.code : row.suggested_level ?? '';
  const followed = row.follows_suggestion;
  const cls = stale ? 'badge badge-off sup-follows' : followed ? 'badge badge-ok sup-follows' : 'badge badge-warn sup-follows';
  return (
    <>
      {' '}<span class={cls} data-follows={String(followed)} data-stale={stale ? 'true' : undefined}>
        {followed ? t('assess.suggestion.followed', { level }) : t('assess.suggestion.departed', { level })}</span>
      {stale ? <span class="hint sup-follows-stale"> {t('assess.suggestion.since')}</span> : null}
    </>
  );
}

/** "2 contacts in the last 28 days (minimum 1)", with a met / not met badge. */
function CheckLine({ label, noun, counted }: { label: string; noun: string; counted: Counted }) {
  const { t, lang } = useI18n();
  if (counted.required <= 0) {
    return <li class="sup-check"><span class="badge badge-off">{t('sup.policy.none')}</span> {label}</li>;
  }
  return (
    <li class="sup-check">
      <span class={counted.met ? 'badge badge-ok' : 'badge badge-bad'}>{counted.met ? t('sup.compliance.met') : t('sup.compliance.not_met')}</span>{' '}
      {t('sup.policy.line', { count: plural(t, lang, noun, counted.done), days: plural(t, lang, 'sup.n.days', counted.period_days),
        required: counted.required })}
    </li>
  );
}

interface FormProps {
  caseId: string;
  headers: Record<string, string>;
  levels: SupervisionLevel[];
  current: string;
  initial: string;
  suggestion: Suggestion | null;
  onCancel: () => void;
  onSaved: () => void;
}

const REASON = { min: 10, max: 2000 };

function LevelForm({ caseId, headers, levels, current, initial, suggestion, onCancel, onSaved }: FormProps) {
  const { t, lang } = useI18n();
  const [level, setLevel] = useState(initial || current);
  const [reason, setReason] = useState('');
  const [from, setFrom] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const mistakes: { field: string; message: string }[] = [];
  if (!level) mistakes.push({ field: 'level', message: t('sup.level.choose') });
  const n = countChars(reason);
  const departs = !!suggestion && !!level && level !== suggestion.level;
  const suggestedTitle = suggestion ? localised(suggestion.level_title, lang) || suggestion.level : '';
  if (n < REASON.min || n > REASON.max) mistakes.push({ field: 'reason', message: t('sup.chars', { min: REASON.min, max: REASON.max }) });
  else if (departs && n < DEPART_MIN) mistakes.push({ field: 'reason', message: t('assess.suggestion.depart.short', { n: DEPART_MIN, level: suggestedTitle }) });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const fields = { level: 'level-select', reason: 'level-reason', effective_from: 'level-from' };
  const labels = { level: t('sup.level.level'), reason: t('sup.level.reason'), effective_from: t('sup.level.from') };
  const chosen = levels.find((l) => l.code === level);
  return (
    <form class="form form-wide" noValidate aria-labelledby="level-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (mistakes.length) { setAttempt((a) => a + 1); return; }
        setAttempt(0);
        void run(async () => {
          const body: Record<string, string> = { level, reason: reason.trim() };
          if (suggestion) body.assessment_id = suggestion.assessment_id;
          if (from) body.effective_from = from;
          await request('PUT', caseApi(caseId, 'supervision-level'), { body, headers });
          onSaved();
        });
      }}>
      <h3 id="level-form-title">{t('sup.level.change')}</h3>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={fields} labels={labels} />
      <div class="form-grid">
        <SelectField id={fields.level} label={labels.level} value={level} onValue={setLevel} required error={fe.level}
          autoFocus
          options={[{ value: '', label: t('sup.pick') },
            ...levels.filter((l) => l.active || l.code === current).map((l) => ({ value: l.code, label: localised(l.title, lang) || l.code }))]} />
        <DateField id={fields.effective_from} label={labels.effective_from} value={from} onValue={setFrom} optional
          error={fe.effective_from} hint={t('sup.level.from.hint')} />
      </div>
      {chosen ? (
        <p class="hint" id="level-policy">
          {t('sup.level.policy', {
            contacts: plural(t, lang, 'sup.n.contacts', chosen.min_contacts), cdays: plural(t, lang, 'sup.n.days', chosen.contacts_period_days),
            visits: plural(t, lang, 'sup.n.home_visits', chosen.min_home_visits), vdays: plural(t, lang, 'sup.n.days', chosen.home_visits_period_days),
            rdays: plural(t, lang, 'sup.n.days', chosen.reassessment_days) })}
        </p>
      ) : null}
      {departs ? (
        <p class="notice" id="level-departs">{t('assess.suggestion.depart', { level: suggestedTitle, n: DEPART_MIN })}</p>
      ) : null}
      <TextAreaField id={fields.reason} label={labels.reason} value={reason} onValue={setReason} rows={4} min={departs ? DEPART_MIN : REASON.min}
        max={REASON.max} error={fe.reason}
        hint={departs ? t('sup.level.reason.hint.depart', { n: DEPART_MIN, level: suggestedTitle }) : t('sup.level.reason.hint', { n: REASON.min })} />
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{busy ? t('cases.saving') : t('sup.level.submit')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}
