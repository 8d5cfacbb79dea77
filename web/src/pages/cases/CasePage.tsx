// /cases/:id — one case: who it is about, its kind and status, unit and officer; its key dates with
// how each was computed; a pre-trial case's court request; the decisions it carries out (record,
// correct); allocation (unit heads) and closing; notes (facts and assessments apart, S14); the
// timeline. A case outside the caller's units may need a stated purpose (428), which then goes
// with every request the page makes.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, purposeHeaders, request, type StatedPurpose } from '../../api';
import { FormError, SelectField, Success, TextField } from '../../components/Form';
import { Link } from '../../components/Link';
import { useAction, useLoad } from '../../hooks';
import { LANG_NAMES, useI18n } from '../../i18n';
import { caseKindLabel, caseStatusLabel } from '../../labels';
import { fieldErrors } from '../../problems';
import { useSession, useTimeZone } from '../../session';
import { RecordGate } from './Access';
import { AllocationPanel, CloseCase } from './Allocation';
import { DecisionList, localProblem } from './Decisions';
import { DateField } from './Fields';
import { KeyDatesPanel } from './KeyDates';
import {
  REPORT_LANGS, formatDay, getVersioned, loadReference, personName, today,
  type CaseRecord, type Notes, type TimelineEvent, type Versioned,
} from './model';
import { NotesPanel } from './Notes';
import { ConditionsPanel } from '../conditions/ConditionsPanel';
import { SupervisionPanels } from '../supervision/SupervisionPanels';
import { AssessmentsCard } from '../assessments/AssessmentsCard';
import { AlertsCard } from '../compliance/AlertsCard';
import { BreachesCard } from '../compliance/BreachesCard';
import { ResponsesCard } from '../compliance/ResponsesCard';
import { ReferralsCard } from '../programmes/ReferralsCard';
import { MonitoringCard } from '../monitoring/MonitoringCard';
import { ReintegrationCard } from '../release/ReintegrationCard';
import { ReleasePlanCard } from '../release/ReleasePlanCard';
import { TimelineList } from './Timeline';

export function CasePage({ id }: { id: string }) {
  const { t } = useI18n();
  const [purpose, setPurpose] = useState<StatedPurpose | null>(null);
  const headers = purposeHeaders(purpose);
  const record = useLoad((signal) => getVersioned<CaseRecord>(`/api/v1/cases/${encodeURIComponent(id)}`, { signal, headers }),
    [id, purpose]);
  const title = record.data ? t('cases.case.title', { number: record.data.data.number }) : t('cases.case');
  return (
    <>
      <p class="breadcrumbs"><Link href="/cases">{t('section.cases')}</Link></p>
      <div class="page-head">
        <h1 tabIndex={-1} id="case-heading">{title}</h1>
      </div>
      <RecordGate load={record} purpose={purpose} onPurpose={setPurpose} idPrefix="case">
        {(data) => <CaseBody record={data} headers={headers} onChanged={record.reload} />}
      </RecordGate>
    </>
  );
}

interface CaseBodyProps {
  record: Versioned<CaseRecord>;
  headers: Record<string, string>;
  onChanged: () => void;
}

function CaseBody({ record: { data: c }, headers, onChanged }: CaseBodyProps) {
  const { t } = useI18n();
  const { can } = useSession();
  const reference = useLoad(() => loadReference(), []);
  const notes = useLoad((signal) => get<Notes>(`/api/v1/cases/${encodeURIComponent(c.id)}/notes`, { signal, headers }), [c.id]);
  const [order, setOrder] = useState<'desc' | 'asc'>('desc');
  const timeline = useLoad((signal) => get<{ items: TimelineEvent[] }>(
    `/api/v1/cases/${encodeURIComponent(c.id)}/timeline?order=${order}`, { signal, headers }), [c.id, order]);
  const [closed, setClosed] = useState(false);
  const changed = () => {
    onChanged();
    timeline.reload();
  };
  // A case read under a stated purpose, or by the unit that will receive the person on release, is not changed here.
  const canWrite = can('cases.write') && c.status !== 'closed' && c.may_change !== false;
  const names: Record<string, string> = { [c.unit_id]: c.unit_name };
  if (c.officer_id && c.officer_name) names[c.officer_id] = c.officer_name;
  for (const a of c.assignments ?? []) {
    names[a.unit_id] = a.unit_name;
    if (a.officer_id && a.officer_name) names[a.officer_id] = a.officer_name;
  }

  return (
    <>
      <CaseHeader record={c} />
      {closed ? <Success><p>{t('cases.close.done')}</p></Success> : null}
      {canWrite ? (
        <div class="button-row case-actions">
          <CloseCase record={c} headers={headers} onClosed={() => { setClosed(true); changed(); }} />
        </div>
      ) : null}
      <nav class="case-toc" aria-label={t('cases.toc')}>
        <ul>
          <li><a href="#keydates">{t('keydate.title')}</a></li>
          {c.kind === 'pre_trial' ? <li><a href="#pretrial">{t('pretrial.request')}</a></li> : null}
          <li><a href="#decisions">{t('cases.decisions')}</a></li>
          <li><a href="#conditions">{t('cases.toc.conditions')}</a></li>
          <li><a href="#supervision">{t('cases.toc.supervision')}</a></li>
          <li><a href="#plan">{t('cases.toc.plan')}</a></li>
          <li><a href="#appointments">{t('cases.toc.appointments')}</a></li>
          <li><a href="#contacts">{t('cases.toc.contacts')}</a></li>
          {can('assessments.read') ? <li><a href="#assessments">{t('assessments.title')}</a></li> : null}
          <li><a href="#allocation">{t('cases.allocation')}</a></li>
          <li><a href="#notes">{t('cases.notes')}</a></li>
          <li><a href="#timeline">{t('timeline.title')}</a></li>
        </ul>
      </nav>
      <KeyDatesPanel decisions={c.decisions ?? []} />
      {c.kind === 'pre_trial' ? <PretrialPanel record={c} headers={headers} onChanged={changed} /> : null}
      {reference.status === 'error' ? (
        <div class="alert alert-error" role="alert">
          <p class="alert-title">{t('cases.reference.error')}</p>
          <button type="button" class="button" onClick={reference.reload}>{t('status.retry')}</button>
        </div>
      ) : null}
      <DecisionList decisions={c.decisions ?? []} reference={reference.data ?? null} canWrite={canWrite} caseId={c.id}
        caseKind={c.kind} headers={headers} onChanged={changed} />
      <ConditionsPanel record={c} headers={headers} onChanged={changed} />
      <SupervisionPanels record={c} headers={headers} onChanged={changed} />
      <AssessmentsCard record={c} headers={headers} onChanged={changed} />
      <AlertsCard record={c} headers={headers} onChanged={changed} />
      <BreachesCard record={c} headers={headers} onChanged={changed} />
      <ResponsesCard record={c} headers={headers} onChanged={changed} />
      <ReleasePlanCard record={c} headers={headers} onChanged={changed} />
      <ReferralsCard record={c} headers={headers} onChanged={changed} />
      <MonitoringCard record={c} headers={headers} onChanged={changed} />
      <ReintegrationCard record={c} headers={headers} onChanged={changed} />
      <AllocationPanel record={c} headers={headers} onChanged={changed} />
      <NotesPanel caseId={c.id} notes={notes.data} loading={notes.status === 'loading'}
        loadError={notes.status === 'error' ? notes.error : null} canWrite={canWrite} headers={headers}
        onChanged={() => { notes.reload(); timeline.reload(); }} onRetry={notes.reload} />
      <section class="card" aria-labelledby="timeline-heading" id="timeline">
        <div class="card-head">
          <h2 id="timeline-heading" tabIndex={-1}>{t('timeline.title')}</h2>
          <button type="button" class="button button-secondary button-small" id="timeline-order"
            onClick={() => setOrder((o) => (o === 'desc' ? 'asc' : 'desc'))}>
            {order === 'desc' ? t('timeline.order.asc') : t('timeline.order.desc')}
          </button>
        </div>
        <p class="muted" role="status">{order === 'desc' ? t('timeline.order.desc.now') : t('timeline.order.asc.now')}</p>
        {timeline.status === 'error' ? (
          <div class="alert alert-error" role="alert">
            <p class="alert-title">{t('load.error')}</p>
            <button type="button" class="button" onClick={timeline.reload}>{t('status.retry')}</button>
          </div>
        ) : null}
        {timeline.data ? <TimelineList items={timeline.data.items} notes={notes.data?.items ?? []} names={names} />
          : timeline.status === 'loading' ? <p class="muted">{t('status.loading')}</p> : null}
      </section>
    </>
  );
}

function CaseHeader({ record: c }: { record: CaseRecord }) {
  const { t, lang } = useI18n();
  const [photoFailed, setPhotoFailed] = useState(false);
  const p = c.person;
  const name = personName(p);
  const latin = [p.surname_latin, p.given_name_latin, p.patronymic_latin].filter(Boolean).join(' ');
  const hasPhoto = (p.has_photo ?? p.photo) === true && !photoFailed;
  return (
    <section class="card case-header" aria-labelledby="case-person-heading">
      <div class="case-person">
        {hasPhoto ? (
          <img class="case-photo" src={`/api/v1/people/${encodeURIComponent(p.id)}/photo`} width={72} height={96}
            alt={t('cases.photo', { name })} onError={() => setPhotoFailed(true)} />
        ) : (
          <span class="case-photo case-photo-none" aria-hidden="true">
            <svg viewBox="0 0 20 20" width="36" height="36" focusable="false">
              <path d="M10 9.5a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM4 17c.5-3.5 3-5 6-5s5.5 1.5 6 5" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round" />
            </svg>
          </span>
        )}
        <div>
          <h2 id="case-person-heading" class="case-person-name">
            <Link href={`/people/${encodeURIComponent(p.id)}`}>{name}</Link>
          </h2>
          {latin ? <p class="muted case-person-latin" lang="en">{latin}</p> : null}
          {p.birth_date ? <p class="case-person-born">{t('cases.born', { date: formatDay(p.birth_date, lang) })}</p> : null}
          <p class="badges">
            <span class="badge badge-info">{caseKindLabel(t, c.kind)}</span>
            <span class={c.status === 'open' ? 'badge badge-ok' : c.status === 'closed' ? 'badge badge-off' : 'badge badge-warn'}>
              {caseStatusLabel(t, c.status)}
            </span>
          </p>
        </div>
      </div>
      <dl class="facts facts-compact case-facts">
        <div class="fact"><dt>{t('cases.number')}</dt><dd>{c.number}</dd></div>
        <div class="fact"><dt>{t('cases.kind')}</dt><dd>{caseKindLabel(t, c.kind)}</dd></div>
        <div class="fact"><dt>{t('cases.status')}</dt><dd>{caseStatusLabel(t, c.status)}</dd></div>
        <div class="fact"><dt>{t('cases.unit')}</dt><dd>{c.unit_name}</dd></div>
        <div class="fact"><dt>{t('cases.officer')}</dt><dd>{c.officer_name || t('cases.unallocated')}</dd></div>
        <div class="fact"><dt>{t('cases.opened_on')}</dt><dd>{formatDay(c.opened_on, lang)}</dd></div>
        {c.consent_on ? <div class="fact"><dt>{t('cases.consent_on')}</dt><dd>{formatDay(c.consent_on, lang)}</dd></div> : null}
        {c.closed_on ? <div class="fact"><dt>{t('cases.closed_on')}</dt><dd>{formatDay(c.closed_on, lang)}</dd></div> : null}
      </dl>
      <dl class="case-reasons">
        <dt>{t('cases.open_reason')}</dt><dd>{c.open_reason}</dd>
        {c.close_reason ? <><dt>{t('cases.close.reason')}</dt><dd>{c.close_reason}</dd></> : null}
      </dl>
    </section>
  );
}

interface PretrialPanelProps {
  record: CaseRecord;
  headers: Record<string, string>;
  onChanged: () => void;
}

/** On a pre-trial case: the link to its report, or the form that records the court's request. */
function PretrialPanel({ record: c, headers, onChanged }: PretrialPanelProps) {
  const { t } = useI18n();
  const { can } = useSession();
  const [created, setCreated] = useState(false);
  const linkRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => { if (created && c.pretrial_report_id) linkRef.current?.querySelector('a')?.focus(); }, [created, c.pretrial_report_id]);
  return (
    <section class="card" aria-labelledby="pretrial-heading" id="pretrial">
      <h2 id="pretrial-heading" tabIndex={-1}>{t('pretrial.request')}</h2>
      {c.pretrial_report_id ? (
        <>
          {created ? <Success><p>{t('pretrial.request.recorded')}</p></Success> : null}
          <p ref={linkRef}>
            <Link href={`/pretrial/${encodeURIComponent(c.pretrial_report_id)}`} class="button">{t('pretrial.open')}</Link>
          </p>
        </>
      ) : can('pretrial.write') && c.status !== 'closed' ? (
        <PretrialRequestForm caseId={c.id} headers={headers} onSaved={() => { setCreated(true); onChanged(); }} />
      ) : <p>{t('pretrial.request.none')}</p>}
    </section>
  );
}

function PretrialRequestForm({ caseId, headers, onSaved }: { caseId: string; headers: Record<string, string>; onSaved: () => void }) {
  const { t, lang } = useI18n();
  const zone = useTimeZone();
  const reference = useLoad(() => loadReference(), []);
  const [court, setCourt] = useState('');
  const [courtRef, setCourtRef] = useState('');
  const [received, setReceived] = useState(today(zone));
  const [due, setDue] = useState('');
  const [language, setLanguage] = useState<string>(lang);
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const mistakes: { field: string; message: string }[] = [];
  if (!court.trim()) mistakes.push({ field: 'court', message: t('cases.required') });
  if (!received) mistakes.push({ field: 'received_on', message: t('cases.required') });
  if (due && received && due < received) mistakes.push({ field: 'due_on', message: t('pretrial.due_on.before') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const days = reference.data?.settings?.pretrial_due_days ?? 30;
  const fields = { court: 'pretrial-court', court_reference: 'pretrial-court-ref', received_on: 'pretrial-received', due_on: 'pretrial-due', language: 'pretrial-language' };
  const labels = {
    court: t('pretrial.court'), court_reference: t('pretrial.court_reference'), received_on: t('pretrial.received_on'),
    due_on: t('pretrial.due_on'), language: t('pretrial.language'),
  };
  return (
    <form class="form form-wide" noValidate aria-labelledby="pretrial-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (mistakes.length) {
          setAttempt((a) => a + 1);
          return;
        }
        setAttempt(0);
        void run(async () => {
          const body: Record<string, string> = { court: court.trim(), received_on: received, language };
          if (courtRef.trim()) body.court_reference = courtRef.trim();
          if (due) body.due_on = due;
          await request('POST', `/api/v1/cases/${encodeURIComponent(caseId)}/pretrial-report`, { body, headers });
          onSaved();
        });
      }}>
      <h3 id="pretrial-form-title">{t('pretrial.request.record')}</h3>
      <p class="hint">{t('pretrial.request.about')}</p>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={fields} labels={labels} />
      <div class="form-grid">
        <TextField id={fields.court} label={labels.court} value={court} onValue={setCourt} required error={fe.court} maxLength={300} />
        <TextField id={fields.court_reference} label={labels.court_reference} value={courtRef} onValue={setCourtRef} optional
          error={fe.court_reference} maxLength={100} />
        <DateField id={fields.received_on} label={labels.received_on} value={received} onValue={setReceived} required error={fe.received_on} />
        <DateField id={fields.due_on} label={labels.due_on} value={due} onValue={setDue} optional error={fe.due_on}
          hint={t('pretrial.due_on.hint', { n: days })} />
        <SelectField id={fields.language} label={labels.language} value={language} onValue={setLanguage} required error={fe.language}
          hint={t('pretrial.language.hint')} options={REPORT_LANGS.map((l) => ({ value: l, label: LANG_NAMES[l] }))} />
      </div>
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{busy ? t('cases.saving') : t('pretrial.request.submit')}</button>
      </div>
    </form>
  );
}
