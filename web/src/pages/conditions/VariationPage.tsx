// /variations/:id — one proposal to vary a condition, with everything the decision needs (S8):
// whose case, the condition now and as proposed, the officer's reasons, the person's account
// (shown as missing when it is not on file), the unit head's review, and how the person has
// complied (level, contact outcomes of the last 180 days, conditions not yet explained). Actions
// by permission: the proposer completes or withdraws it (anyone who writes conditions may still add
// the person's account once it is endorsed), the unit head endorses or returns it, the competent
// authority approves or refuses it — not before the person's account is on file.
import { useState } from 'preact/hooks';
import { request } from '../../api';
import { FormError, Success, TextAreaField, TextField } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { useI18n, type Lang } from '../../i18n';
import { useDates, useSession, useTimeZone } from '../../session';
import { localProblem } from '../cases/Decisions';
import { DateField, RadioGroup } from '../cases/Fields';
import { formatDay, getVersioned, today } from '../cases/model';
import { OUTCOMES, outcomeLabel } from '../supervision/model';
import { conditionTitle, loadCatalogue } from './ConditionForm';
import { StatusBadge, missingText } from './Variations';
import { basisLabel, codeLabel, inLang, isProblem, matchErrors, type Catalogue, type T, type Variation,
  type VariationCompliance } from './types';
import './conditions.css';

/** What the variation is about: the proposed condition's title, else the current one's. */
function variationSubject(v: Variation, catalogue: Catalogue | null, lang: Lang, t: T): string {
  const p = v.proposal;
  if (p?.code) {
    const type = catalogue?.conditions.find((c) => c.code === p.code);
    if (type) return inLang(type.title, lang) || p.code;
    if (v.condition?.code === p.code) return conditionTitle(v.condition, lang, t);
    return p.code;
  }
  if (p?.free_text) return `${t('conditions.exceptional')}: ${p.free_text.split(/\s+/).slice(0, 8).join(' ')}`;
  return v.condition ? conditionTitle(v.condition, lang, t) : '';
}

export function VariationPage({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const load = useLoad((signal) => getVersioned<Variation>(`/api/v1/variations/${encodeURIComponent(id)}`, { signal }), [id]);
  const catalogue = useLoad(() => loadCatalogue(), []);
  const v = load.data?.data;
  const subject = v ? variationSubject(v, catalogue.data ?? null, lang, t) : '';
  const [done, setDone] = useState('');
  return (
    <>
      <p class="breadcrumbs"><Link href="/supervision/variations">{t('variations.title')}</Link></p>
      <div class="page-head">
        <h1 tabIndex={-1} id="variation-heading">
          {v ? `${codeLabel(t, 'variations.action', v.action)}${subject ? `: ${subject}` : ''}` : t('variation.title')}
        </h1>
      </div>
      {done ? <Success><p class="alert-title" id="variation-done">{done}</p></Success> : null}
      <LoadState load={load}>
        {(v) => <VariationBody variation={v.data} version={v.version} onChanged={(text) => { setDone(text); load.reload(); }} />}
      </LoadState>
    </>
  );
}

function VariationBody({ variation: v, version, onChanged }: { variation: Variation; version: string; onChanged: (text: string) => void }) {
  const { t, lang } = useI18n();
  const dates = useDates();
  const { can, user } = useSession();
  const open = v.status === 'proposed' || v.status === 'returned';
  // The proposer completes or withdraws an open proposal; once endorsed, anyone who writes
  // conditions may still add the person's account (S8), and nothing else.
  const mine = !!user && user.id === v.proposed_by;
  const editing = !can('conditions.write') ? null : open && mine ? 'full' : v.status === 'endorsed' ? 'person_view' : null;
  const missing = ['proposed', 'returned', 'endorsed'].includes(v.status) ? missingText(t, v) : '';
  const now = v.condition;
  return (
    <>
      <section class="card" aria-labelledby="variation-facts-heading">
        <h2 id="variation-facts-heading" class="visually-hidden">{t('variation.facts')}</h2>
        <dl class="facts facts-compact">
          <div class="fact"><dt>{t('variations.col.person')}</dt><dd>{v.person_name}</dd></div>
          <div class="fact"><dt>{t('variation.case')}</dt><dd>{can('people.read')
            ? <Link href={`/cases/${encodeURIComponent(v.case_id)}#conditions`}>{v.case_number}</Link> : v.case_number}</dd></div>
          <div class="fact"><dt>{t('variation.unit')}</dt><dd>{v.unit_name}</dd></div>
          <div class="fact"><dt>{t('variations.col.status')}</dt><dd><StatusBadge status={v.status} /></dd></div>
          <div class="fact"><dt>{t('variations.col.proposed')}</dt><dd>{dates.short(v.proposed_at)} · {v.proposed_by_name ?? ''}</dd></div>
        </dl>
        {missing ? (
          <div class="alert alert-warning" role="status" id="variation-missing">
            <p class="alert-title">{t('variation.missing', { what: missing })}</p>
            <p>{t('variation.missing.about')}</p>
          </div>
        ) : null}
      </section>
      <section class="card" aria-labelledby="variation-change-heading">
        <h2 id="variation-change-heading">{t('variation.change')}</h2>
        <div class="variation-compare">
          <div class="variation-side">
            <h3>{t('variation.now')}</h3>
            {now ? (
              <>
                <p class="condition-name">{conditionTitle(now, lang, t)}</p>
                <p class="condition-text" id="variation-now-text">{inLang(now.texts, lang) || now.text}</p>
                <p class="muted">{t('conditions.basis')}: {basisLabel(now, lang) || '—'}</p>
              </>
            ) : <p class="muted">{t('variation.now.none')}</p>}
          </div>
          <div class="variation-side">
            <h3>{t('variation.proposed')}</h3>
            {v.action === 'remove' ? <p id="variation-proposed-text">{t('variation.proposed.remove')}</p> : (
              <>
                <p class="condition-text" id="variation-proposed-text">{inLang(v.proposal_text, lang) || '—'}</p>
                {v.proposal ? (
                  <p class="muted">
                    {codeLabel(t, 'conditions.answers', v.proposal.answers)}: {v.proposal.answers_detail}
                    {v.proposal.review_on ? ` · ${t('conditions.review_on')}: ${formatDay(v.proposal.review_on, lang)}` : ''}
                  </p>
                ) : null}
              </>
            )}
          </div>
        </div>
      </section>
      <section class="card" aria-labelledby="variation-reasons-heading">
        <h2 id="variation-reasons-heading">{t('variation.grounds')}</h2>
        <h3>{t('variations.reason')}</h3>
        {v.reason ? <p class="prewrap" id="variation-reason">{v.reason}</p> : <p><span class="badge badge-bad">{t('variation.absent')}</span></p>}
        <h3>{t('variations.person_view')}</h3>
        {v.person_view ? <p class="prewrap" id="variation-person-view">{v.person_view}</p>
          : <p id="variation-person-view-missing"><span class="badge badge-bad">{t('variation.absent')}</span> {t('variation.person_view.missing')}</p>}
        {v.reviewed_at || v.review_comment ? (
          <>
            <h3>{t('variation.review')}</h3>
            <p>{t('variation.review.by', { name: v.reviewed_by_name ?? '', time: dates.short(v.reviewed_at) })}</p>
            {v.review_comment ? <p class="prewrap">{v.review_comment}</p> : null}
          </>
        ) : null}
        {v.decided_at ? (
          <>
            <h3>{t('variation.decision')}</h3>
            <dl class="facts facts-compact">
              <div class="fact"><dt>{t('variation.decided_by')}</dt><dd>{v.decided_by_name ?? ''} · {dates.short(v.decided_at)}</dd></div>
              <div class="fact"><dt>{t('variation.authority_reference')}</dt><dd>{v.authority_reference ?? ''}</dd></div>
              {v.effective_from ? <div class="fact"><dt>{t('variation.effective_from')}</dt><dd>{formatDay(v.effective_from, lang)}</dd></div> : null}
            </dl>
            {v.decision_reasons ? <p class="prewrap">{v.decision_reasons}</p> : null}
          </>
        ) : null}
      </section>
      {v.compliance ? <ComplianceCard c={v.compliance} /> : null}
      {editing ? <EditForm v={v} version={version} onSaved={onChanged} personViewOnly={editing === 'person_view'} /> : null}
      {v.status === 'proposed' && can('variations.review') ? <ReviewForm v={v} onSaved={onChanged} /> : null}
      {v.status === 'endorsed' && can('variations.decide') ? <DecideForm v={v} onSaved={onChanged} /> : null}
    </>
  );
}

/** How the person has complied: what the authority weighs beside the officer's reasons (S8). */
function ComplianceCard({ c }: { c: VariationCompliance }) {
  const { t, lang } = useI18n();
  const since = formatDay(c.since, lang);
  return (
    <section class="card" aria-labelledby="variation-compliance-heading" id="variation-compliance">
      <h2 id="variation-compliance-heading">{t('variation.compliance.title')}</h2>
      <p class="hint">{t('variation.compliance.about', { date: since })}</p>
      <dl class="facts facts-compact">
        <div class="fact">
          <dt>{t('variation.compliance.level')}</dt>
          <dd id="variation-compliance-level">{c.level ? inLang(c.level.title, lang) || c.level.code : t('variation.compliance.level.none')}</dd>
        </div>
        <div class="fact"><dt>{t('variation.compliance.active')}</dt><dd id="variation-compliance-active">{c.conditions_active}</dd></div>
        <div class="fact">
          <dt>{t('variation.compliance.unexplained')}</dt>
          <dd id="variation-compliance-unexplained">{c.unexplained > 0 ? <span class="badge badge-warn">{c.unexplained}</span> : c.unexplained}</dd>
        </div>
      </dl>
      <h3 id="variation-compliance-outcomes-heading">{t('variation.compliance.outcomes', { date: since })}</h3>
      <dl class="facts facts-compact" aria-labelledby="variation-compliance-outcomes-heading" id="variation-compliance-outcomes">
        {OUTCOMES.map((o) => (
          <div class="fact" key={o} data-outcome={o}><dt>{outcomeLabel(t, o)}</dt><dd>{c.outcomes[o] ?? 0}</dd></div>
        ))}
      </dl>
    </section>
  );
}

function EditForm({ v, version, onSaved, personViewOnly }: {
  v: Variation; version: string; onSaved: (text: string) => void; personViewOnly: boolean;
}) {
  const { t } = useI18n();
  const [reason, setReason] = useState(v.reason ?? '');
  const [personView, setPersonView] = useState(v.person_view ?? '');
  const [confirmWithdraw, setConfirmWithdraw] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  // Adding the person's account to an endorsed proposal: there is nothing else to save.
  const local = attempt > 0 && personViewOnly && !personView.trim()
    ? localProblem([{ field: 'person_view', message: t('conditions.required') }]) : null;
  const error = local ?? serverError;
  const known = {
    reason: { id: 'variation-edit-reason', label: t('variations.reason') },
    person_view: { id: 'variation-edit-person-view', label: t('variations.person_view') },
  };
  const m = matchErrors(error, t, known);
  return (
    <section class="card" aria-labelledby="variation-edit-heading">
      <h2 id="variation-edit-heading">{personViewOnly ? t('variation.edit.person_view') : t('variation.edit')}</h2>
      <form class="form form-wide" noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (personViewOnly && !personView.trim()) {
            setAttempt((a) => a + 1);
            return;
          }
          setAttempt(0);
          void run(async () => {
            // Once endorsed the reasons are fixed: only the person's account is sent.
            const body: Record<string, unknown> = personViewOnly ? {} : { reason: reason.trim() };
            if (personView.trim()) body.person_view = personView.trim();
            await request('PUT', `/api/v1/variations/${encodeURIComponent(v.id)}`, { body, ifMatch: version });
            onSaved(v.status === 'returned' ? t('variation.edit.resubmitted') : t('variation.edit.saved'));
          });
        }}>
        {v.status === 'returned' ? <p class="notice">{t('variation.edit.returned')}</p> : null}
        {personViewOnly ? <p class="hint">{t('variation.edit.endorsed')}</p> : null}
        <FormError error={error} focusKey={local ? attempt : serverError} fields={m.ids} labels={m.labels} />
        {personViewOnly ? null : (
          <TextAreaField id={known.reason.id} label={known.reason.label} value={reason} onValue={setReason} max={4000} error={m.at.reason}
            hint={t('variations.reason.hint')} />
        )}
        <TextAreaField id={known.person_view.id} label={known.person_view.label} value={personView} onValue={setPersonView} max={4000}
          error={m.at.person_view} hint={t('variations.person_view.hint')} />
        <div class="button-row">
          <button type="submit" class="button" disabled={busy}>
            {v.status === 'returned' ? t('variation.edit.resubmit') : t('variation.edit.save')}
          </button>
          {personViewOnly ? null : confirmWithdraw ? (
            <>
              <button type="button" class="button button-danger" disabled={busy} id="variation-withdraw-confirm"
                onClick={() => void run(async () => {
                  await request('POST', `/api/v1/variations/${encodeURIComponent(v.id)}/withdrawal`);
                  onSaved(t('variation.withdrawn'));
                })}>
                {t('variation.withdraw.confirm')}
              </button>
              <button type="button" class="button button-secondary" onClick={() => setConfirmWithdraw(false)}>{t('action.cancel')}</button>
            </>
          ) : (
            <button type="button" class="button button-secondary" onClick={() => setConfirmWithdraw(true)}>{t('variation.withdraw')}</button>
          )}
        </div>
      </form>
    </section>
  );
}

function ReviewForm({ v, onSaved }: { v: Variation; onSaved: (text: string) => void }) {
  const { t } = useI18n();
  const [comment, setComment] = useState('');
  const [attempt, setAttempt] = useState(0);
  const [returning, setReturning] = useState(false);
  const { busy, error: serverError, run } = useAction();
  const local = attempt > 0 && returning && !comment.trim() ? localProblem([{ field: 'comment', message: t('variation.review.comment.required') }]) : null;
  const error = local ?? serverError;
  const known = { comment: { id: 'variation-review-comment', label: t('variation.review.comment') } };
  const m = matchErrors(error, t, known);
  const send = (endorse: boolean) => {
    setReturning(!endorse);
    if (!endorse && !comment.trim()) {
      setAttempt((a) => a + 1);
      return;
    }
    setAttempt(0);
    void run(async () => {
      const body: Record<string, unknown> = { endorse };
      if (comment.trim()) body.comment = comment.trim();
      await request('POST', `/api/v1/variations/${encodeURIComponent(v.id)}/review`, { body });
      onSaved(endorse ? t('variation.endorsed') : t('variation.returned'));
    });
  };
  return (
    <section class="card" aria-labelledby="variation-review-heading">
      <h2 id="variation-review-heading">{t('variation.review.title')}</h2>
      <p class="hint">{t('variation.review.about')}</p>
      <form class="form form-wide" noValidate onSubmit={(e) => { e.preventDefault(); send(true); }}>
        <FormError error={error} focusKey={local ? attempt : serverError} fields={m.ids} labels={m.labels} />
        <TextAreaField id={known.comment.id} label={known.comment.label} value={comment} onValue={setComment} max={2000} rows={3}
          error={m.at.comment} hint={t('variation.review.comment.hint')} />
        <div class="button-row">
          <button type="submit" class="button" disabled={busy} id="variation-endorse">{t('variation.endorse')}</button>
          <button type="button" class="button button-secondary" disabled={busy} id="variation-return" onClick={() => send(false)}>
            {t('variation.return')}
          </button>
        </div>
      </form>
    </section>
  );
}

function DecideForm({ v, onSaved }: { v: Variation; onSaved: (text: string) => void }) {
  const { t } = useI18n();
  const zone = useTimeZone();
  const [approved, setApproved] = useState('');
  const [ref, setRef] = useState('');
  const [reasons, setReasons] = useState('');
  const [from, setFrom] = useState(today(zone));
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const ready = v.ready_for_decision;
  const mistakes: { field: string; message: string }[] = [];
  if (!approved) mistakes.push({ field: 'approved', message: t('variation.decide.choose') });
  if (!ref.trim()) mistakes.push({ field: 'authority_reference', message: t('conditions.required') });
  if (!reasons.trim()) mistakes.push({ field: 'reasons', message: t('conditions.required') });
  if (approved === 'yes' && !from) mistakes.push({ field: 'effective_from', message: t('conditions.required') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const known = {
    approved: { id: 'variation-decide-approved', label: t('variation.decide.outcome') },
    authority_reference: { id: 'variation-decide-ref', label: t('variation.authority_reference') },
    reasons: { id: 'variation-decide-reasons', label: t('variation.decide.reasons') },
    effective_from: { id: 'variation-decide-from', label: t('variation.effective_from') },
  };
  const m = matchErrors(error, t, known);
  return (
    <section class="card" aria-labelledby="variation-decide-heading">
      <h2 id="variation-decide-heading">{t('variation.decide.title')}</h2>
      <p class="hint">{t('variation.decide.about')}</p>
      <form class="form form-wide" noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!ready) return;
          if (mistakes.length) {
            setAttempt((a) => a + 1);
            return;
          }
          setAttempt(0);
          void run(async () => {
            const body: Record<string, unknown> = { approved: approved === 'yes', authority_reference: ref.trim(), reasons: reasons.trim() };
            if (approved === 'yes') body.effective_from = from;
            await request('POST', `/api/v1/variations/${encodeURIComponent(v.id)}/decision`, { body });
            onSaved(approved === 'yes' ? t('variation.approved') : t('variation.refused'));
          });
        }}>
        <FormError error={error} focusKey={local ? attempt : serverError} fields={m.ids} labels={m.labels}
          message={isProblem(error, 'not-ready') ? t('variation.decide.not_ready') : undefined} />
        <RadioGroup id={known.approved.id} legend={known.approved.label} value={approved} onValue={setApproved} error={m.at.approved}
          options={[{ value: 'yes', label: t('variation.decide.approve') }, { value: 'no', label: t('variation.decide.refuse') }]} />
        <div class="form-grid">
          <TextField id={known.authority_reference.id} label={known.authority_reference.label} value={ref} onValue={setRef} maxLength={100}
            error={m.at.authority_reference} hint={t('variation.authority_reference.hint')} />
          {approved !== 'no' ? (
            <DateField id={known.effective_from.id} label={known.effective_from.label} value={from} onValue={setFrom} error={m.at.effective_from} />
          ) : null}
        </div>
        <TextAreaField id={known.reasons.id} label={known.reasons.label} value={reasons} onValue={setReasons} max={4000} error={m.at.reasons}
          hint={t('variation.decide.reasons.hint')} />
        <div class="button-row">
          <button type="submit" class="button" disabled={busy || !ready} id="variation-decide"
            aria-describedby={ready ? undefined : 'variation-decide-blocked'}>{t('variation.decide.submit')}</button>
        </div>
        {!ready ? <p class="field-error" id="variation-decide-blocked">{t('variation.decide.blocked', { what: missingText(t, v) })}</p> : null}
      </form>
    </section>
  );
}
