// The case page's responses: the ladder in two columns — responses to non-compliance and
// recognitions of progress (Tokyo Rule 11.2) — with how often each was given on this case; the
// case's responses, newest first, with a printable letter (in the person's language by default, or
// one picked); and the form to record one. A variation request and a referral are not offered here:
// they come from a variation proposal and a breach referral.
import { useState } from 'preact/hooks';
import { get, request } from '../../api';
import { FormError, SelectField, Success, TextAreaField } from '../../components/Form';
import { Link } from '../../components/Link';
import { useAction, useLoad } from '../../hooks';
import { LANG_NAMES, LANGS, useI18n, type Lang } from '../../i18n';
import { fieldErrors } from '../../problems';
import { useSession, useTimeZone } from '../../session';
import { localProblem } from '../cases/Decisions';
import { DateField } from '../cases/Fields';
import { formatDay, localised, today, type Localised } from '../cases/model';
import type { CasePanelProps } from '../supervision/SupervisionPanels';
import './responses.css';

export interface LadderStep {
  code: string;
  polarity: 'negative' | 'positive';
  rank: number;
  needs_authority: boolean;
  has_letter: boolean;
  title: Localised;
}

export interface ResponseItem {
  id: string;
  case_id: string;
  code: string;
  polarity: 'negative' | 'positive';
  title: Localised;
  needs_authority: boolean;
  has_letter: boolean;
  breach_id: string | null;
  given_on: string;
  given_by_name: string | null;
  officer_id: string | null;
  unit_id: string;
  reasons: string;
  detail: string | null;
  created_at: string;
}

/** Codes recorded elsewhere (a variation proposal, a breach referral). */
export const NOT_DIRECT = ['variation_request', 'referral'];

let ladderCache: Promise<LadderStep[]> | null = null;

/** GET /api/v1/reference/responses, once per page load. */
export function loadLadder(): Promise<LadderStep[]> {
  ladderCache ??= get<{ items: LadderStep[] }>('/api/v1/reference/responses').then((r) => r.items).catch((e: unknown) => {
    ladderCache = null;
    throw e;
  });
  return ladderCache;
}

export function letterUrl(id: string, lang: Lang | ''): string {
  return `/api/v1/responses/${encodeURIComponent(id)}/letter${lang ? `?lang=${lang}` : ''}`;
}

export function ResponsesCard({ record: c, headers, onChanged }: CasePanelProps) {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const ladder = useLoad(() => loadLadder(), []);
  const list = useLoad((signal) => get<{ items: ResponseItem[]; positive: number; negative: number }>(
    `/api/v1/cases/${encodeURIComponent(c.id)}/responses`, { signal, headers }), [c.id]);
  const [adding, setAdding] = useState(false);
  const [saved, setSaved] = useState(false);
  const [letterLang, setLetterLang] = useState<Lang | ''>('');
  const canWrite = can('responses.write') && c.status !== 'closed';
  const items = list.data?.items ?? [];
  const given = (code: string) => items.filter((r) => r.code === code).length;
  const steps = ladder.data ?? [];
  const column = (polarity: 'negative' | 'positive') => {
    const own = steps.filter((s) => s.polarity === polarity);
    const total = polarity === 'negative' ? list.data?.negative ?? 0 : list.data?.positive ?? 0;
    const id = `responses-${polarity}`;
    return (
      <section class={`resp-column resp-${polarity}`} aria-labelledby={`${id}-heading`}>
        <h3 id={`${id}-heading`}>
          {t(polarity === 'negative' ? 'responses.negative' : 'responses.positive')}
          {' '}<span class="badge badge-info" id={`${id}-count`}>{total}</span>
        </h3>
        <ol class="resp-ladder">
          {own.map((s) => (
            <li key={s.code} class={given(s.code) ? 'resp-step resp-step-given' : 'resp-step'}>
              <span>{localised(s.title, lang)}</span>
              {s.needs_authority ? <span class="cell-sub">{t('responses.needs_authority')}</span> : null}
              <span class="resp-step-count" aria-label={t('responses.given_times', { n: given(s.code) })}>{given(s.code)}</span>
            </li>
          ))}
        </ol>
      </section>
    );
  };
  return (
    <section class="card" aria-labelledby="responses-heading" id="responses">
      <div class="card-head">
        <h2 id="responses-heading" tabIndex={-1}>{t('responses.title')}</h2>
        <div class="button-row">
          {can('complaints.write') ? (
            <Link href={`/complaints?new=1&case_id=${encodeURIComponent(c.id)}`} class="button button-secondary">
              {t('complaints.register.from_case')}
            </Link>
          ) : null}
          {canWrite && !adding ? (
            <button type="button" class="button" id="response-add" onClick={() => { setAdding(true); setSaved(false); }}>
              {t('responses.add')}
            </button>
          ) : null}
        </div>
      </div>
      <p class="muted">{t('responses.about')}</p>
      {ladder.status === 'error' || list.status === 'error' ? (
        <div class="alert alert-error" role="alert">
          <p class="alert-title">{t('load.error')}</p>
          <button type="button" class="button" onClick={() => { ladder.reload(); list.reload(); }}>{t('status.retry')}</button>
        </div>
      ) : null}
      <div class="resp-columns">
        {column('negative')}
        {column('positive')}
      </div>
      {saved ? <Success><p>{t('responses.saved')}</p></Success> : null}
      {adding ? (
        <ResponseForm caseId={c.id} headers={headers} steps={steps}
          onCancel={() => { setAdding(false); window.setTimeout(() => document.getElementById('response-add')?.focus(), 0); }}
          onSaved={() => { setAdding(false); setSaved(true); list.reload(); onChanged(); }} />
      ) : null}
      <h3>{t('responses.list')}</h3>
      {!list.data && list.status === 'loading' ? <p class="muted" role="status">{t('status.loading')}</p> : null}
      {list.data && items.length === 0 ? <p id="responses-none">{t('responses.none')}</p> : null}
      {items.length ? (
        <>
          <div class="filters">
            <SelectField id="responses-letter-lang" label={t('responses.letter_lang')} value={letterLang}
              onValue={(v) => setLetterLang(v as Lang | '')}
              options={[{ value: '', label: t('responses.letter_lang.person') },
                ...LANGS.map((l) => ({ value: l, label: LANG_NAMES[l] }))]} />
          </div>
          <ul class="resp-list" id="responses-list">
            {items.map((r) => (
              <li key={r.id} class={`resp-item resp-item-${r.polarity}`}>
                <p class="resp-item-head">
                  <span class={r.polarity === 'positive' ? 'badge badge-ok' : 'badge badge-warn'}>
                    {t(r.polarity === 'positive' ? 'responses.kind.positive' : 'responses.kind.negative')}
                  </span>
                  {' '}<strong>{localised(r.title, lang)}</strong>
                  {' · '}{formatDay(r.given_on, lang)}
                  {r.given_by_name ? ` · ${r.given_by_name}` : ''}
                </p>
                <p class="sup-text">{r.reasons}</p>
                {r.detail ? <p class="sup-text muted">{r.detail}</p> : null}
                <p class="resp-links">
                  {r.has_letter ? (
                    <a href={letterUrl(r.id, letterLang)} target="_blank" rel="noopener">
                      {t('responses.letter')}{letterLang ? ` (${LANG_NAMES[letterLang]})` : ''}
                    </a>
                  ) : null}
                  {r.breach_id ? <Link href={`/breaches/${encodeURIComponent(r.breach_id)}`}>{t('responses.breach')}</Link> : null}
                </p>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function ResponseForm({ caseId, headers, steps, onCancel, onSaved }: { caseId: string; headers: Record<string, string>;
  steps: LadderStep[]; onCancel: () => void; onSaved: () => void }) {
  const { t, lang } = useI18n();
  const zone = useTimeZone();
  const now = today(zone);
  const [code, setCode] = useState('');
  const [givenOn, setGivenOn] = useState(now);
  const [reasons, setReasons] = useState('');
  const [detail, setDetail] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const mistakes: { field: string; message: string }[] = [];
  if (!code) mistakes.push({ field: 'code', message: t('responses.code.choose') });
  if (!givenOn) mistakes.push({ field: 'given_on', message: t('cases.required') });
  else if (givenOn > now) mistakes.push({ field: 'given_on', message: t('responses.given_on.future') });
  if (!reasons.trim()) mistakes.push({ field: 'reasons', message: t('cases.required') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const fields = { code: 'response-code', given_on: 'response-given-on', reasons: 'response-reasons', detail: 'response-detail' };
  const labels = { code: t('responses.code'), given_on: t('responses.given_on'), reasons: t('responses.reasons'), detail: t('responses.detail') };
  const group = (polarity: 'negative' | 'positive') => ({
    label: t(polarity === 'negative' ? 'responses.negative' : 'responses.positive'),
    options: steps.filter((s) => s.polarity === polarity && !NOT_DIRECT.includes(s.code))
      .map((s) => ({ value: s.code, label: localised(s.title, lang) })),
  });
  const submit = async (e: Event) => {
    e.preventDefault();
    setAttempt((n) => n + 1);
    if (mistakes.length) return;
    const body: Record<string, string> = { code, given_on: givenOn, reasons: reasons.trim() };
    if (detail.trim()) body.detail = detail.trim();
    const ok = await run(async () => {
      await request('POST', `/api/v1/cases/${encodeURIComponent(caseId)}/responses`, { body, headers });
    });
    if (ok) onSaved();
  };
  return (
    <form class="form resp-form" onSubmit={submit} noValidate aria-labelledby="response-form-heading">
      <h3 id="response-form-heading">{t('responses.add')}</h3>
      <FormError error={error} fields={fields} labels={labels} focusKey={attempt} />
      <div class="form-grid">
        <SelectField id={fields.code} label={labels.code} value={code} onValue={setCode} required error={fe.code}
          options={[{ value: '', label: t('responses.code.choose') }]} groups={[group('negative'), group('positive')]} />
        <DateField id={fields.given_on} label={labels.given_on} value={givenOn} onValue={setGivenOn} required max={now}
          error={fe.given_on} />
      </div>
      <TextAreaField id={fields.reasons} label={labels.reasons} value={reasons} onValue={setReasons} rows={3} max={2000}
        hint={t('responses.reasons.hint')} error={fe.reasons} />
      <TextAreaField id={fields.detail} label={`${labels.detail} ${t('form.optional')}`} value={detail} onValue={setDetail}
        rows={2} max={2000} error={fe.detail} />
      <div class="button-row">
        <button type="submit" class="button" id="response-save" disabled={busy}>{busy ? t('responses.saving') : t('responses.save')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}
