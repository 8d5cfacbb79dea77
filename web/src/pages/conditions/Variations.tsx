// Variations of conditions (S8) as the case page shows them: the proposals on the case with their
// status and what is still missing before the competent authority can decide, and the short form
// that proposes removing a condition.
import { useEffect, useState } from 'preact/hooks';
import { request } from '../../api';
import { FormError, TextAreaField } from '../../components/Form';
import { Link } from '../../components/Link';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { useDates } from '../../session';
import { localProblem } from '../cases/Decisions';
import { conditionTitle } from './ConditionForm';
import { codeLabel, inLang, matchErrors, statusBadge, type Condition, type T, type Variation } from './types';

export function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  return <span class={statusBadge(status)}>{codeLabel(t, 'variations.status', status)}</span>;
}

/** "Missing: the person's account" for a variation not ready for a decision. */
export function missingText(t: T, v: Variation): string {
  const missing = v.missing?.length ? v.missing : v.ready_for_decision ? [] : ['person_view'];
  return missing.map((m) => codeLabel(t, 'variations.missing', m)).join(', ');
}

/** What a variation would do, in one line: "Change: Curfew". */
export function variationWhat(t: T, v: Variation, lang: string): string {
  const what = v.condition ? conditionTitle(v.condition, lang, t) : v.proposal_text ? inLang(v.proposal_text, lang).slice(0, 80) : '';
  return `${codeLabel(t, 'variations.action', v.action)}${what ? `: ${what}` : ''}`;
}

export function CaseVariations({ items }: { items: readonly Variation[] }) {
  const { t, lang } = useI18n();
  const dates = useDates();
  if (!items.length) return <p class="muted">{t('variations.none')}</p>;
  return (
    <div class="table-wrap">
      <table class="table">
        <caption class="visually-hidden">{t('variations.case.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('variations.col.what')}</th>
            <th scope="col">{t('variations.col.status')}</th>
            <th scope="col">{t('variations.col.proposed')}</th>
            <th scope="col">{t('variations.col.missing')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((v) => {
            const missing = ['proposed', 'returned', 'endorsed'].includes(v.status) ? missingText(t, v) : '';
            return (
              <tr key={v.id}>
                <th scope="row"><Link href={`/variations/${encodeURIComponent(v.id)}`}>{variationWhat(t, v, lang)}</Link></th>
                <td><StatusBadge status={v.status} /></td>
                <td class="cell-nowrap">{dates.short(v.proposed_at)}<span class="cell-sub">{v.proposed_by_name ?? ''}</span></td>
                <td>{missing ? <span class="badge badge-warn">{missing}</span> : <span class="muted">—</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

interface RemoveFormProps {
  caseId: string;
  headers: Record<string, string>;
  condition: Condition;
  onCancel: () => void;
  onSaved: () => void;
}

/** Propose removing a condition: the officer's reasons and, when already heard, the person's account. */
export function RemoveProposalForm({ caseId, headers, condition, onCancel, onSaved }: RemoveFormProps) {
  const { t, lang } = useI18n();
  const p = `var-remove-${condition.id}`;
  const [reason, setReason] = useState('');
  const [personView, setPersonView] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  useEffect(() => { document.getElementById(`${p}-reason`)?.focus(); }, []);
  const mistakes = reason.trim() ? [] : [{ field: 'reason', message: t('conditions.required') }];
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const known = {
    reason: { id: `${p}-reason`, label: t('variations.reason') },
    person_view: { id: `${p}-person-view`, label: t('variations.person_view') },
  };
  const m = matchErrors(error, t, known);
  return (
    <form class="form form-wide" noValidate aria-labelledby={`${p}-title`}
      onSubmit={(e) => {
        e.preventDefault();
        if (mistakes.length) {
          setAttempt((a) => a + 1);
          return;
        }
        setAttempt(0);
        void run(async () => {
          const body: Record<string, unknown> = { action: 'remove', condition_id: condition.id, reason: reason.trim() };
          if (personView.trim()) body.person_view = personView.trim();
          await request('POST', `/api/v1/cases/${encodeURIComponent(caseId)}/variations`, { body, headers });
          onSaved();
        });
      }}>
      <h4 id={`${p}-title`}>{t('variations.propose.remove')}: {conditionTitle(condition, lang, t)}</h4>
      <p class="hint">{t('variations.propose.about')}</p>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={m.ids} labels={m.labels} />
      <TextAreaField id={known.reason.id} label={known.reason.label} value={reason} onValue={setReason} max={4000}
        error={m.at.reason} hint={t('variations.reason.hint')} />
      <TextAreaField id={known.person_view.id} label={known.person_view.label} value={personView} onValue={setPersonView} max={4000}
        error={m.at.person_view} hint={t('variations.person_view.hint')} />
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{busy ? t('conditions.saving') : t('variations.propose.submit')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}
