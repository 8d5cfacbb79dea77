// /programmes/:id: one programme — its details, a form to change them (programmes.manage), the
// participants and the waiting list in order (referrals.read), and for the provider the attendance
// register: choose a session date, mark each enrolled participant present, late or absent (with a
// reason), save. /programmes/new: the same form, empty.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiError, get, request } from '../../api';
import { CheckboxGroup, FormError, SelectField, Success, TextAreaField, TextField } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { fieldErrors } from '../../problems';
import { isPartner, navigate } from '../../router';
import { useSession, useTimeZone } from '../../session';
import { localProblem } from '../cases/Decisions';
import { DateField, RadioGroup } from '../cases/Fields';
import { formatDay, getVersioned, today, type Versioned } from '../cases/model';
import { PlacesText } from './Catalogue';
import {
  ATTENDANCE, PROGRAMME_LANGUAGES, PROGRAMME_TYPES, ProgrammesNav, ReferralStatusBadge, codeLabel, participantName,
  useReferralReference, type Partner, type Participant, type Participants, type Programme,
} from './model';

export function ProgrammeNewPage() {
  const { t } = useI18n();
  return (
    <>
      <p class="breadcrumbs"><Link href="/programmes">{t('prog.catalogue')}</Link></p>
      <h1 tabIndex={-1}>{t('prog.new')}</h1>
      <ProgrammeForm onSaved={(p) => navigate(`/programmes/${encodeURIComponent(p.id)}`)} onCancel={() => navigate('/programmes')} />
    </>
  );
}

export function ProgrammePage({ id }: { id: string }) {
  const record = useLoad((signal) => getVersioned<Programme>(`/api/v1/programmes/${encodeURIComponent(id)}`, { signal }), [id]);
  const { t } = useI18n();
  return (
    <>
      <ProgrammesNav current="catalogue" />
      <p class="breadcrumbs"><Link href="/programmes">{t('prog.catalogue')}</Link></p>
      <LoadState load={record}>
        {(v) => <ProgrammeBody record={v} onChanged={record.reload} />}
      </LoadState>
    </>
  );
}

function ProgrammeBody({ record, onChanged }: { record: Versioned<Programme>; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const { can, user } = useSession();
  const p = record.data;
  const [editing, setEditing] = useState(false);
  const [done, setDone] = useState('');
  const participants = useLoad((signal) => (can('referrals.read')
    ? get<Participants>(`/api/v1/programmes/${encodeURIComponent(p.id)}/participants`, { signal })
    : Promise.resolve(null)), [p.id, record.version]);
  const rows: [string, ComponentChildren][] = [
    [t('prog.type'), codeLabel(t, 'prog.type', p.type)],
    [t('prog.provider'), p.provider_kind
      ? <>{p.provider_name}<span class="cell-sub">{codeLabel(t, 'partner.kind', p.provider_kind)}</span></>
      : p.provider_name],
    [t('prog.language'), p.languages.map((l) => codeLabel(t, 'prog.lang', l)).join(', ')],
    [t('prog.schedule'), p.schedule],
    [t('prog.location'), p.location || '—'],
    [t('prog.dates'), p.starts_on || p.ends_on ? `${formatDay(p.starts_on, lang) || '…'} – ${formatDay(p.ends_on, lang) || '…'}` : '—'],
    [t('prog.eligibility'), p.eligibility],
    [t('prog.status'), codeLabel(t, 'prog.status', p.status)],
  ];
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>{p.name}</h1>
        {can('programmes.manage') && !editing ? (
          <button type="button" class="button button-secondary" id="prog-edit" onClick={() => { setEditing(true); setDone(''); }}>{t('action.edit')}</button>
        ) : null}
      </div>
      {done ? <Success><p>{done}</p></Success> : null}
      {editing ? (
        <section class="card" aria-labelledby="prog-edit-title">
          <h2 id="prog-edit-title">{t('prog.edit')}</h2>
          <ProgrammeForm initial={record} onCancel={() => setEditing(false)} onStale={onChanged}
            onSaved={() => { setEditing(false); setDone(t('prog.saved')); onChanged(); }} />
        </section>
      ) : null}
      <section class="card" aria-labelledby="prog-details-title">
        <h2 id="prog-details-title">{t('prog.details')}</h2>
        <p id="prog-places"><PlacesText p={p} /></p>
        {p.description ? <p class="prog-description">{p.description}</p> : null}
        <dl class="facts">
          {rows.map(([term, value]) => <div class="fact" key={term}><dt>{term}</dt><dd>{value}</dd></div>)}
        </dl>
      </section>
      {participants.data ? (
        <ParticipantsCard data={participants.data} partner={isPartner(user?.permissions ?? [])} />
      ) : participants.status === 'error' ? (
        <LoadState load={participants}>{() => null}</LoadState>
      ) : null}
      {can('referrals.provide') && participants.data ? (
        <AttendanceRegister programmeId={p.id} enrolled={participants.data.enrolled} onSaved={participants.reload} />
      ) : null}
    </>
  );
}

function ParticipantsCard({ data, partner }: { data: Participants; partner: boolean }) {
  const { t } = useI18n();
  const reference = useReferralReference();
  const table = (items: Participant[], waiting: boolean, id: string) => (
    <div class="table-wrap prog-stack-wrap">
      <table class="table prog-table" id={id}>
        <caption class="visually-hidden">{t(waiting ? 'prog.waiting' : 'prog.enrolled')}</caption>
        <thead>
          <tr>
            {waiting ? <th scope="col">{t('prog.position')}</th> : null}
            <th scope="col">{t('prog.participant')}</th>
            <th scope="col">{t('ref.status')}</th>
            <th scope="col">{t('prog.attendance.counts')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((x) => (
            <tr key={x.referral_id} data-id={x.referral_id}>
              {waiting ? <td data-label={t('prog.position')}>{x.position ?? '—'}</td> : null}
              <th scope="row"><Link href={`/referrals/${encodeURIComponent(x.referral_id)}`}>{participantName(x.person) || t('ref.name_not_shared')}</Link>
                <span class="cell-sub">{x.person.case_number}</span></th>
              <td data-label={t('ref.status')}><ReferralStatusBadge code={x.status} reference={reference.data} /></td>
              <td data-label={t('prog.attendance.counts')}>{t('prog.attendance.line', x.attendance)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
  return (
    <section class="card" aria-labelledby="prog-participants-title" id="prog-participants">
      <h2 id="prog-participants-title">{t('prog.participants')}</h2>
      <h3>{t('prog.enrolled')}</h3>
      {data.enrolled.length ? table(data.enrolled, false, 'prog-enrolled') : <p>{t('prog.enrolled.none')}</p>}
      <h3>{t('prog.waiting')}</h3>
      {data.waiting.length ? table([...data.waiting].sort((a, b) => (a.position ?? 0) - (b.position ?? 0)), true, 'prog-waiting')
        : <p>{t('prog.waiting.none')}</p>}
      {data.others.enrolled || data.others.waiting ? (
        <p class="muted" id="prog-others">{t(partner ? 'prog.others.partner' : 'prog.others', { enrolled: data.others.enrolled, waiting: data.others.waiting })}</p>
      ) : null}
    </section>
  );
}

interface Mark {
  status: string;
  reason: string;
}

function AttendanceRegister({ programmeId, enrolled, onSaved }: { programmeId: string; enrolled: Participant[]; onSaved: () => void }) {
  const { t, lang } = useI18n();
  const zone = useTimeZone();
  const [on, setOn] = useState(today(zone));
  const [marks, setMarks] = useState<Record<string, Mark>>({});
  const [attempt, setAttempt] = useState(0);
  const [done, setDone] = useState('');
  // The referrals in the order they were last sent: the server names entries[i] by that order.
  const [sent, setSent] = useState<string[]>([]);
  const { busy, error: serverError, run } = useAction();
  const mark = (id: string): Mark => marks[id] ?? { status: '', reason: '' };
  const setMark = (id: string, m: Partial<Mark>) => setMarks((all) => ({ ...all, [id]: { ...mark(id), ...m } }));
  const nameOf = (x: Participant) => participantName(x.person) || x.person.case_number;
  const mistakes: { field: string; message: string }[] = [];
  if (!on) mistakes.push({ field: 'session_on', message: t('prog.required') });
  const entries = enrolled.filter((x) => mark(x.referral_id).status);
  if (!entries.length) mistakes.push({ field: 'entries', message: t('prog.attendance.none_marked') });
  enrolled.forEach((x) => {
    const m = mark(x.referral_id);
    const n = m.reason.trim().length;
    if (m.status === 'absent' && (n < 3 || n > 500)) {
      mistakes.push({ field: `reason-${x.referral_id}`, message: t('prog.chars', { min: 3, max: 500 }) });
    }
  });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const fields: Record<string, string> = { session_on: 'attendance-on' };
  const labels: Record<string, string> = { session_on: t('prog.attendance.on'), entries: t('prog.attendance') };
  enrolled.forEach((x, i) => {
    const name = nameOf(x);
    fields[`reason-${x.referral_id}`] = `att-${i}-reason`;
    labels[`reason-${x.referral_id}`] = t('prog.attendance.reason', { name });
    const j = sent.indexOf(x.referral_id);
    if (j >= 0) {
      fields[`entries[${j}].status`] = `att-${i}`;
      labels[`entries[${j}].status`] = name;
      fields[`entries[${j}].absence_reason`] = `att-${i}-reason`;
      labels[`entries[${j}].absence_reason`] = t('prog.attendance.reason', { name });
      labels[`entries[${j}].referral_id`] = name;
      fields[`entries[${j}].referral_id`] = `att-${i}`;
    }
  });
  if (!enrolled.length) {
    return (
      <section class="card" aria-labelledby="attendance-title" id="attendance">
        <h2 id="attendance-title">{t('prog.attendance')}</h2>
        <p>{t('prog.attendance.nobody')}</p>
      </section>
    );
  }
  return (
    <section class="card" aria-labelledby="attendance-title" id="attendance">
      <h2 id="attendance-title">{t('prog.attendance')}</h2>
      <p class="muted">{t('prog.attendance.about')}</p>
      {done ? <Success><p id="attendance-done">{done}</p></Success> : null}
      <form class="form form-wide" noValidate onSubmit={(e) => {
        e.preventDefault();
        setDone('');
        if (mistakes.length) { setAttempt((n) => n + 1); return; }
        const ids = entries.map((x) => x.referral_id);
        setSent(ids);
        setAttempt((n) => n + 1);
        void run(async () => {
          const body = {
            session_on: on,
            entries: entries.map((x) => {
              const m = mark(x.referral_id);
              return m.status === 'absent'
                ? { referral_id: x.referral_id, status: m.status, absence_reason: m.reason.trim() }
                : { referral_id: x.referral_id, status: m.status };
            }),
          };
          const r = await request<{ recorded: number }>('POST', `/api/v1/programmes/${encodeURIComponent(programmeId)}/attendance`, { body });
          setDone(t('prog.attendance.saved', { n: r.data.recorded, date: formatDay(on, lang) }));
          setMarks({});
          setSent([]);
          setAttempt(0);
          onSaved();
        });
      }}>
        <FormError error={error} focusKey={attempt} fields={fields} labels={labels} />
        <DateField id="attendance-on" label={t('prog.attendance.on')} value={on} onValue={setOn} max={today(zone)} error={fe.session_on} />
        <ul class="plain-list prog-register">
          {enrolled.map((x, i) => {
            const m = mark(x.referral_id);
            const name = nameOf(x);
            const j = sent.indexOf(x.referral_id);
            const sentError = (k: string) => (j >= 0 ? fe[`entries[${j}].${k}`] : undefined);
            return (
              <li key={x.referral_id} class="prog-register-row" data-id={x.referral_id}>
                <RadioGroup id={`att-${i}`} legend={name} value={m.status} onValue={(v) => setMark(x.referral_id, { status: v })}
                  error={sentError('status') ?? sentError('referral_id')}
                  options={ATTENDANCE.map((s) => ({ value: s, label: codeLabel(t, 'prog.att', s) }))} />
                {m.status === 'absent' ? (
                  <TextField id={`att-${i}-reason`} label={t('prog.attendance.reason', { name })} value={m.reason}
                    onValue={(v) => setMark(x.referral_id, { reason: v })} maxLength={500}
                    error={fe[`reason-${x.referral_id}`] ?? sentError('absence_reason')} />
                ) : null}
              </li>
            );
          })}
        </ul>
        <div class="button-row">
          <button type="submit" class="button" id="attendance-save" disabled={busy}>{t('prog.attendance.save')}</button>
        </div>
      </form>
    </section>
  );
}

interface FormProps {
  initial?: Versioned<Programme>;
  onSaved: (p: Programme) => void;
  onCancel: () => void;
  onStale?: () => void;
}

export function ProgrammeForm({ initial, onSaved, onCancel, onStale }: FormProps) {
  const { t } = useI18n();
  const p0 = initial?.data;
  const partners = useLoad((signal) => get<{ items: Partner[] }>('/api/v1/partners', { signal }), []);
  const [v, setV] = useState({
    name: p0?.name ?? '', type: p0?.type ?? '', provider_agency_id: p0?.provider_agency_id ?? '', description: p0?.description ?? '',
    places: p0 ? String(p0.places) : '', schedule: p0?.schedule ?? '', eligibility: p0?.eligibility ?? '', location: p0?.location ?? '',
    starts_on: p0?.starts_on ?? '', ends_on: p0?.ends_on ?? '', status: p0?.status ?? 'open',
  });
  const [languages, setLanguages] = useState<string[]>(p0?.languages ?? []);
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const set = (k: keyof typeof v) => (x: string) => setV((o) => ({ ...o, [k]: x }));
  const providers = partners.data?.items ?? [];
  const provider = v.provider_agency_id || (providers.length === 1 ? providers[0]?.id ?? '' : '');
  const mistakes: { field: string; message: string }[] = [];
  if (!v.name.trim()) mistakes.push({ field: 'name', message: t('prog.required') });
  if (!v.type) mistakes.push({ field: 'type', message: t('prog.required') });
  if (!provider) mistakes.push({ field: 'provider_agency_id', message: t('prog.required') });
  const places = Number(v.places);
  if (!Number.isInteger(places) || places < 1 || places > 10000) mistakes.push({ field: 'places', message: t('prog.places.range') });
  if (!v.schedule.trim()) mistakes.push({ field: 'schedule', message: t('prog.required') });
  if (!v.eligibility.trim()) mistakes.push({ field: 'eligibility', message: t('prog.required') });
  if (!languages.length) mistakes.push({ field: 'languages', message: t('prog.languages.choose') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const stale = error instanceof ApiError && error.status === 412;
  const fields: Record<string, string> = {
    name: 'prog-f-name', type: 'prog-f-type', provider_agency_id: 'prog-f-provider', description: 'prog-f-description',
    places: 'prog-f-places', schedule: 'prog-f-schedule', languages: 'prog-f-languages', eligibility: 'prog-f-eligibility',
    location: 'prog-f-location', starts_on: 'prog-f-starts', ends_on: 'prog-f-ends', status: 'prog-f-status',
  };
  const labels: Record<string, string> = {
    name: t('prog.name'), type: t('prog.type'), provider_agency_id: t('prog.provider'), description: t('prog.description'),
    places: t('prog.places'), schedule: t('prog.schedule'), languages: t('prog.language'), eligibility: t('prog.eligibility'),
    location: t('prog.location'), starts_on: t('prog.starts_on'), ends_on: t('prog.ends_on'), status: t('prog.status'),
  };
  return (
    <form class="form form-wide" noValidate onSubmit={(e) => {
      e.preventDefault();
      setAttempt((n) => n + 1);
      if (mistakes.length) return;
      void run(async () => {
        const body: Record<string, unknown> = {
          name: v.name.trim(), type: v.type, provider_agency_id: provider, description: v.description.trim() || null, places,
          schedule: v.schedule.trim(), languages, eligibility: v.eligibility.trim(), location: v.location.trim() || null,
          starts_on: v.starts_on || null, ends_on: v.ends_on || null,
        };
        if (initial) body.status = v.status;
        const r = initial
          ? await request<Programme>('PUT', `/api/v1/programmes/${encodeURIComponent(initial.data.id)}`, { body, ifMatch: initial.version })
          : await request<Programme>('POST', '/api/v1/programmes', { body });
        onSaved(r.data);
      });
    }}>
      <FormError error={error} focusKey={attempt} fields={fields} labels={labels}>
        {stale && onStale ? <button type="button" class="button" onClick={onStale}>{t('action.reload')}</button> : null}
      </FormError>
      <div class="form-grid">
        <TextField id={fields.name as string} label={labels.name as string} value={v.name} onValue={set('name')} maxLength={200} error={fe.name} />
        <SelectField id={fields.type as string} label={labels.type as string} value={v.type} onValue={set('type')} error={fe.type}
          options={[{ value: '', label: t('prog.pick') }, ...PROGRAMME_TYPES.map((x) => ({ value: x, label: codeLabel(t, 'prog.type', x) }))]} />
        <SelectField id={fields.provider_agency_id as string} label={labels.provider_agency_id as string} value={provider}
          onValue={set('provider_agency_id')} error={fe.provider_agency_id}
          options={[{ value: '', label: t('prog.pick') }, ...providers.map((x) => ({ value: x.id, label: x.name }))]} />
        <TextField id={fields.places as string} label={labels.places as string} value={v.places} onValue={set('places')} type="number"
          inputMode="numeric" min={1} max={10000} error={fe.places} />
        <TextField id={fields.schedule as string} label={labels.schedule as string} value={v.schedule} onValue={set('schedule')}
          hint={t('prog.schedule.hint')} maxLength={500} error={fe.schedule} />
        <TextField id={fields.location as string} label={labels.location as string} value={v.location} onValue={set('location')} optional
          maxLength={500} error={fe.location} />
        <DateField id={fields.starts_on as string} label={labels.starts_on as string} value={v.starts_on} onValue={set('starts_on')} optional error={fe.starts_on} />
        <DateField id={fields.ends_on as string} label={labels.ends_on as string} value={v.ends_on} onValue={set('ends_on')} optional error={fe.ends_on} />
        {initial ? (
          <SelectField id={fields.status as string} label={labels.status as string} value={v.status} onValue={set('status')} error={fe.status}
            options={[{ value: 'open', label: t('prog.status.open') }, { value: 'closed', label: t('prog.status.closed') }]} />
        ) : null}
      </div>
      <CheckboxGroup id={fields.languages as string} legend={labels.languages as string} selected={languages} onChange={setLanguages}
        error={fe.languages} options={PROGRAMME_LANGUAGES.map((x) => ({ value: x, label: codeLabel(t, 'prog.lang', x) }))} />
      <TextAreaField id={fields.eligibility as string} label={labels.eligibility as string} value={v.eligibility} onValue={set('eligibility')}
        rows={2} max={2000} error={fe.eligibility} />
      <TextAreaField id={fields.description as string} label={labels.description as string} value={v.description} onValue={set('description')}
        rows={3} max={4000} error={fe.description} />
      <div class="button-row">
        <button type="submit" class="button" id="prog-save" disabled={busy}>{initial ? t('action.save') : t('prog.create')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}
