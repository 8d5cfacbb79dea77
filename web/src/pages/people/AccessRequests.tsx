// /people/access-requests: the subject-access register (S13). A person may ask for the data
// held on them; the law in force sets a deadline (one week under Kyrgyz Law No. 58), which the
// server computes. The list shows the due date and the days left, overdue requests first and
// marked; a request is registered against a person found by search, and closed as fulfilled
// or refused with a note. Exports of the person's data are linked from each request.
import { useEffect, useState } from 'preact/hooks';
import { get, post, purposeHeaders, query, type Items, type StatedPurpose } from '../../api';
import { FormDialog } from '../../components/Dialog';
import { FormError, SelectField, Success, TextAreaField, countChars } from '../../components/Form';
import { LoadState } from '../../components/LoadState';
import { Link } from '../../components/Link';
import { useAction, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { peopleLabel, sarLabel } from '../../labels';
import { useDates } from '../../session';
import {
  DOC_LANGS, DateField, PeopleHeading, PersonPicker, PurposeDialog, fieldErrorsOf, localProblem, nameOf, needsPurpose,
  truthy, useDay, usePurpose, useToday, type AccessRequest, type PersonHit,
} from './common';
import { ExportLinks } from './sections';

const STATUSES = ['open', 'fulfilled', 'refused', 'all'] as const;
const CHANNELS = ['in_person', 'letter', 'email', 'representative'] as const;

export function AccessRequestsPage() {
  const { t } = useI18n();
  const [status, setStatus] = useState<string>('open');
  const list = useLoad((signal) => get<Items<AccessRequest>>(`/api/v1/access-requests${query({ status })}`, { signal }), [status]);
  const [registering, setRegistering] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [closing, setClosing] = useState<AccessRequest | null>(null);

  return (
    <>
      <PeopleHeading current="access-requests" title={t('sar.title')} lead={t('sar.lead')}>
        {!registering ? (
          <button type="button" class="button" id="sar-new" onClick={() => { setRegistering(true); setNotice(null); }}>
            {t('sar.new')}
          </button>
        ) : null}
      </PeopleHeading>
      {notice ? <Success><p>{notice}</p></Success> : null}
      {registering ? (
        <RegisterRequest
          onCancel={() => {
            setRegistering(false);
            window.setTimeout(() => document.getElementById('sar-new')?.focus(), 0);
          }}
          onSaved={(name, due) => {
            setRegistering(false);
            setNotice(t('sar.registered', { name, date: due }));
            list.reload();
            window.setTimeout(() => document.getElementById('sar-new')?.focus(), 0);
          }} />
      ) : null}

      <form class="filters sar-filters" role="search" aria-label={t('sar.filter')} onSubmit={(e) => e.preventDefault()}>
        <SelectField id="sar-status" label={t('sar.filter.status')} value={status} onValue={setStatus}
          options={STATUSES.map((s) => ({ value: s, label: s === 'all' ? t('sar.status.all') : sarLabel(t, 'status', s) }))} />
      </form>

      <LoadState load={list}>
        {(data) => (
          <>
            <p class="muted results-count" role="status">{data.items.length ? t('table.count', { n: data.items.length }) : ''}</p>
            {data.items.length ? (
              <RequestsTable items={data.items} onClose={(r) => { setNotice(null); setClosing(r); }} />
            ) : <p>{t('sar.none')}</p>}
          </>
        )}
      </LoadState>

      <CloseDialog request={closing} onCancel={() => setClosing(null)}
        onClosed={(r, outcome) => {
          setClosing(null);
          setNotice(t(outcome === 'fulfilled' ? 'sar.closed.fulfilled' : 'sar.closed.refused', { name: r.person_name }));
          list.reload();
        }} />
    </>
  );
}

function RequestsTable({ items, onClose }: { items: AccessRequest[]; onClose: (r: AccessRequest) => void }) {
  const { t } = useI18n();
  const day = useDay();
  const dates = useDates();
  // Open requests by deadline (overdue first), then the closed ones, most recent first.
  const sorted = [...items].sort((a, b) => {
    const ao = a.status === 'open' ? 0 : 1;
    const bo = b.status === 'open' ? 0 : 1;
    if (ao !== bo) return ao - bo;
    return ao === 0 ? a.due_on.localeCompare(b.due_on) : (b.closed_at ?? '').localeCompare(a.closed_at ?? '');
  });
  return (
    <div class="table-wrap" role="region" aria-labelledby="sar-caption" tabIndex={0}>
      <table class="table table-sar">
        <caption id="sar-caption" class="visually-hidden">{t('sar.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('sar.person')}</th>
            <th scope="col">{t('sar.received_on')}</th>
            <th scope="col">{t('sar.due_on')}</th>
            <th scope="col">{t('sar.channel')}</th>
            <th scope="col">{t('sar.status')}</th>
            <th scope="col">{t('sar.export')}</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((r) => {
            const open = r.status === 'open';
            const overdue = open && truthy(r.is_overdue);
            return (
              <tr key={r.id} class={overdue ? 'is-overdue' : undefined}>
                <th scope="row">
                  <Link href={`/people/${encodeURIComponent(r.person_id)}`} class="cell-main">{r.person_name}</Link>
                  <span class="cell-sub">{t('sar.language', { lang: peopleLabel(t, 'language', r.language) })}</span>
                </th>
                <td class="cell-nowrap">{day(r.received_on)}</td>
                <td class="cell-nowrap">
                  <span class="cell-main">{day(r.due_on)}</span>
                  {open ? (
                    overdue ? <span class="badge badge-bad">{t('sar.overdue', { n: Math.abs(r.days_left) })}</span>
                      : <span class={r.days_left <= 2 ? 'badge badge-warn' : 'badge badge-info'}>{t('sar.days_left', { n: r.days_left })}</span>
                  ) : null}
                </td>
                <td>{sarLabel(t, 'channel', r.channel)}</td>
                <td>
                  <span class={open ? 'badge badge-info' : r.status === 'fulfilled' ? 'badge badge-ok' : 'badge badge-off'}>
                    {sarLabel(t, 'status', r.status)}
                  </span>
                  {r.closed_at ? <span class="cell-sub">{dates.short(r.closed_at)}</span> : null}
                  {r.outcome_note ? <span class="cell-sub">{r.outcome_note}</span> : null}
                  {open ? (
                    <button type="button" class="button button-secondary button-small" id={`sar-close-${r.id}`} onClick={() => onClose(r)}
                      aria-label={`${t('sar.close')}: ${r.person_name}`}>
                      {t('sar.close')}
                    </button>
                  ) : null}
                </td>
                <td>
                  {open ? (
                    <ExportLinks personId={r.person_id} requestId={r.id} compact label={t('sar.export.for', { name: r.person_name })} />
                  ) : <span class="muted">—</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function RegisterRequest({ onCancel, onSaved }: { onCancel: () => void; onSaved: (name: string, due: string) => void }) {
  const { t, lang } = useI18n();
  const day = useDay();
  const today = useToday();
  const [person, setPerson] = useState<PersonHit | null>(null);
  const [received, setReceived] = useState(today);
  const [channel, setChannel] = useState<string>('in_person');
  const [language, setLanguage] = useState<string>(lang);
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, setError, run } = useAction();
  const wide = usePurpose();
  // A person outside one's units: registering their request needs a stated purpose too (428).
  const [asking, setAsking] = useState(false);
  const mistakes: { field: string; message: string }[] = [];
  if (!person) mistakes.push({ field: 'person_id', message: t('sar.person.choose') });
  if (!received) mistakes.push({ field: 'received_on', message: t('field.required') });
  else if (received > today) mistakes.push({ field: 'received_on', message: t('sar.received_on.future') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? (needsPurpose(serverError) ? null : serverError);
  const fe = fieldErrorsOf(error, t);
  useEffect(() => { document.getElementById('sar-person')?.focus(); }, []);
  const save = (chosen: PersonHit, stated: StatedPurpose | null) => {
    void run(async () => {
      const r = await post<AccessRequest>('/api/v1/access-requests', { person_id: chosen.id, received_on: received, channel, language },
        { headers: purposeHeaders(stated) });
      onSaved(nameOf(chosen), day(r?.due_on) || '—');
    });
  };
  useEffect(() => {
    if (needsPurpose(serverError)) setAsking(true);
  }, [serverError]);
  return (
    <section class="card card-editor" aria-labelledby="sar-new-heading">
      <h2 id="sar-new-heading">{t('sar.new')}</h2>
      <form class="form" noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (mistakes.length || !person) {
            setAttempt((n) => n + 1);
            return;
          }
          setAttempt(0);
          save(person, wide.purpose);
        }}>
        <FormError error={error} focusKey={local ? attempt : serverError}
          fields={{ person_id: 'sar-person', received_on: 'sar-received', channel: 'sar-channel', language: 'sar-language' }}
          labels={{ person_id: t('sar.person'), received_on: t('sar.received_on'), channel: t('sar.channel'), language: t('sar.language.field') }} />
        <PersonPicker id="sar-person" label={t('sar.person')} value={person} onChange={setPerson} error={fe.person_id} wide={wide} />
        <div class="form-grid">
          <DateField id="sar-received" label={t('sar.received_on')} value={received} onValue={setReceived} required max={today}
            error={fe.received_on} hint={t('sar.received_on.hint')} />
          <SelectField id="sar-channel" label={t('sar.channel')} value={channel} onValue={setChannel} required error={fe.channel}
            options={CHANNELS.map((c) => ({ value: c, label: sarLabel(t, 'channel', c) }))} />
          <SelectField id="sar-language" label={t('sar.language.field')} value={language} onValue={setLanguage} required
            error={fe.language} hint={t('sar.language.hint')}
            options={DOC_LANGS.map((l) => ({ value: l, label: peopleLabel(t, 'language', l) }))} />
        </div>
        <div class="button-row">
          <button type="submit" class="button" disabled={busy}>{t('sar.register')}</button>
          <button type="button" class="button button-secondary" onClick={onCancel}>{t('action.cancel')}</button>
        </div>
      </form>
      {wide.dialog('sar-wide', { title: t('people.wide.title'), intro: t('people.wide.intro'), submitLabel: t('people.wide.start') })}
      <PurposeDialog open={asking} idPrefix="sar-purpose" initial="disclosure" intro={t('sar.purpose')}
        title={t('people.purpose.title')} submitLabel={t('sar.register')}
        onCancel={() => { setAsking(false); setError(null); }}
        onSubmit={(p) => {
          setAsking(false);
          if (person) save(person, p);
        }} />
    </section>
  );
}

interface CloseDialogProps {
  request: AccessRequest | null;
  onCancel: () => void;
  onClosed: (r: AccessRequest, outcome: string) => void;
}

/** Closing a request: fulfilled or refused, with a note (a refusal needs its reason). */
function CloseDialog({ request, onCancel, onClosed }: CloseDialogProps) {
  const { t } = useI18n();
  const [outcome, setOutcome] = useState<string>('fulfilled');
  const [note, setNote] = useState('');
  const [tried, setTried] = useState(false);
  const { busy, error, setError, run } = useAction();
  const fe = fieldErrorsOf(error, t);
  const n = countChars(note);
  const bad = n < 3 || n > 2000;
  const local = tried && bad ? t('field.between_chars', { min: 3, max: 2000 }) : undefined;
  const reset = () => { setTried(false); setNote(''); setOutcome('fulfilled'); setError(null); };
  return (
    <FormDialog open={request !== null} wide id="sar-close-dialog" busy={busy}
      title={t('sar.close.title', { name: request?.person_name ?? '' })} submitLabel={t('sar.close')}
      returnFocus={() => document.getElementById('sar-status')}
      onCancel={() => { reset(); onCancel(); }}
      onSubmit={() => {
        const r = request;
        if (!r) return;
        if (bad) {
          setTried(true);
          document.getElementById('sar-close-note')?.focus();
          return;
        }
        setTried(false);
        void run(async () => {
          await post(`/api/v1/access-requests/${encodeURIComponent(r.id)}/closure`,
            { status: outcome, outcome_note: note.replace(/\s+/g, ' ').trim() });
          reset();
          onClosed(r, outcome);
        });
      }}>
      <FormError error={error} fields={{ status: 'sar-close-status', outcome_note: 'sar-close-note' }}
        labels={{ status: t('sar.close.outcome'), outcome_note: t('sar.close.note') }} />
      <SelectField id="sar-close-status" label={t('sar.close.outcome')} value={outcome} onValue={setOutcome} required autoFocus
        error={fe.status}
        options={[{ value: 'fulfilled', label: sarLabel(t, 'status', 'fulfilled') }, { value: 'refused', label: sarLabel(t, 'status', 'refused') }]} />
      <TextAreaField id="sar-close-note" label={t('sar.close.note')} value={note} onValue={setNote} rows={4} min={3} max={2000}
        hint={outcome === 'refused' ? t('sar.close.note.refused') : t('sar.close.note.fulfilled')} error={local ?? fe.outcome_note}
        announce={local !== undefined} />
    </FormDialog>
  );
}
