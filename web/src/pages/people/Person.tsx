// /people/:id: one person's record. The header holds the photo, the names in both scripts,
// birth, citizenship and languages, with an editor for them (PUT with If-Match: a 412 says
// someone else changed the record meanwhile). Below: documents, address history, phones,
// aliases, cases (and opening one), the restricted family-and-third-parties section (S15),
// merging another record into this one, and subject-access exports (S13). A record outside
// the caller's units may need a stated purpose (428), sent with every call about it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, del, purposeHeaders, put, request, type StatedPurpose } from '../../api';
import { ConfirmDialog } from '../../components/Dialog';
import { FormError, Success } from '../../components/Form';
import { Link } from '../../components/Link';
import { useAction, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { peopleLabel } from '../../labels';
import { problemMessage } from '../../problems';
import { useDates, useSession } from '../../session';
import {
  AccessProblem, FileField, PeopleNav, fieldErrorsOf, languageList, latinOf, localProblem, nameOf, sendRaw, truthy,
  useAskOnce, useCsrf, useDay, usePurpose, useToday, type Person,
} from './common';
import { CountryList, MainFields, mainBody, mainFieldIds, mainFieldLabels, mainMistakes, type MainDraft } from './fields';
import {
  AddressesCard, AliasesCard, CasesCard, DocumentsCard, ExportCard, MergeCard, PhonesCard, ThirdPartiesCard,
  type PersonContext,
} from './sections';

const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const PHOTO_MAX = 1024 * 1024;

async function loadPerson(id: string, purpose: StatedPurpose | null, signal: AbortSignal) {
  const r = await request<Person>('GET', `/api/v1/people/${encodeURIComponent(id)}`, { signal, headers: purposeHeaders(purpose) });
  return { person: r.data, version: r.etag ?? String(r.data.version ?? '') };
}

export function PersonPage({ id }: { id: string }) {
  const { t } = useI18n();
  const purpose = usePurpose();
  const record = useLoad((signal) => loadPerson(id, purpose.purpose, signal), [id, purpose.purpose]);
  useAskOnce(record.status === 'error' ? record.error : null, purpose.ask);
  const [notice, setNotice] = useState<string | null>(() =>
    (new URLSearchParams(location.search).get('registered') ? t('people.registered') : null));

  // The "registered" note is for this visit only: not for a reload or a link copied from here.
  useEffect(() => {
    if (location.search) history.replaceState(null, '', location.pathname);
  }, []);

  const data = record.data;
  const heading = data ? nameOf(data.person) : t('people.person.title');
  return (
    <>
      <PeopleNav current={null} />
      <p class="breadcrumb"><Link href="/people">{t('people.back_to_search')}</Link></p>
      <h1 tabIndex={-1} id="person-heading">{heading}</h1>
      {notice ? <Success><p>{notice}</p></Success> : null}
      {record.status === 'error' ? (
        <AccessProblem error={record.error} onPurpose={purpose.ask} onRetry={record.reload} notFound={t('people.not_found')} />
      ) : null}
      {!data && record.status === 'loading' ? <p class="muted" role="status">{t('status.loading')}</p> : null}
      {data ? (
        <PersonRecord key={data.person.id} person={data.person} version={data.version} purpose={purpose.purpose}
          reload={record.reload} onNotice={setNotice} />
      ) : null}
      {purpose.dialog('person-purpose')}
    </>
  );
}

interface PersonRecordProps {
  person: Person;
  version: string;
  purpose: StatedPurpose | null;
  reload: () => void;
  onNotice: (text: string | null) => void;
}

function PersonRecord({ person, version, purpose, reload, onNotice }: PersonRecordProps) {
  const { t } = useI18n();
  const { can } = useSession();
  const headers = purposeHeaders(purpose);
  const ctx: PersonContext = { person, version, headers, reload, notify: onNotice, canWrite: can('people.write') };
  const [editing, setEditing] = useState(false);
  return (
    <>
      {person.merged_into ? (
        <div class="notice" role="note">
          <p class="alert-title">{t('people.merged_into')}</p>
          <p><Link href={`/people/${encodeURIComponent(person.merged_into)}`}>{t('people.merged_into.open')}</Link></p>
        </div>
      ) : null}
      <section class="card person-header" aria-labelledby="person-summary-heading">
        <div class="card-head">
          <h2 id="person-summary-heading">{t('people.summary')}</h2>
          {ctx.canWrite && !editing && !person.merged_into ? (
            <button type="button" class="button button-secondary button-small" id="person-edit"
              onClick={() => { setEditing(true); onNotice(null); }}>
              {t('people.edit')}
            </button>
          ) : null}
        </div>
        {editing ? (
          <EditMain ctx={ctx} onClose={(saved) => {
            setEditing(false);
            if (saved) onNotice(t('people.saved'));
            window.setTimeout(() => document.getElementById('person-edit')?.focus(), 0);
          }} />
        ) : (
          <div class="person-summary">
            <Photo ctx={ctx} />
            <Facts person={person} />
          </div>
        )}
      </section>
      <DocumentsCard ctx={ctx} />
      <AddressesCard ctx={ctx} />
      <PhonesCard ctx={ctx} />
      <AliasesCard ctx={ctx} />
      <CasesCard ctx={ctx} />
      <ThirdPartiesCard ctx={ctx} />
      <MergeCard ctx={ctx} />
      <ExportCard ctx={ctx} />
      <CountryList />
    </>
  );
}

function Facts({ person }: { person: Person }) {
  const { t } = useI18n();
  const day = useDay();
  const dates = useDates();
  const langs = languageList(person.languages);
  const fact = (label: string, value: string | null | undefined) => (
    <div class="fact"><dt>{label}</dt><dd>{value || '—'}</dd></div>
  );
  return (
    <dl class="facts person-facts">
      {fact(t('people.name_latin'), latinOf(person))}
      {fact(t('people.birth_date'), day(person.birth_date))}
      {fact(t('people.sex'), person.sex ? peopleLabel(t, 'sex', person.sex) : '')}
      {fact(t('people.birth_place'), person.birth_place)}
      {fact(t('people.citizenship'), person.citizenship)}
      {fact(t('people.languages'), langs.map((l) => peopleLabel(t, 'language', l)).join(', '))}
      {fact(t('people.preferred_language'), person.preferred_language ? peopleLabel(t, 'language', person.preferred_language) : '')}
      {fact(t('people.unit'), person.unit_name)}
      {fact(t('people.updated_at'), dates.short(person.updated_at))}
    </dl>
  );
}

/** The photo, and (people.write) uploading a new one or removing it. */
function Photo({ ctx }: { ctx: PersonContext }) {
  const { t, lang } = useI18n();
  const csrf = useCsrf();
  const { person, headers } = ctx;
  const hasPhoto = truthy(person.has_photo);
  const path = `/api/v1/people/${encodeURIComponent(person.id)}/photo`;
  const purposeStated = Object.keys(headers).length > 0;
  // With a stated purpose the photo must be asked for with its headers (an <img> cannot send them).
  const [blobUrl, setBlobUrl] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [removing, setRemoving] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const action = useAction();

  useEffect(() => {
    if (!hasPhoto || !purposeStated) return undefined;
    let url: string | null = null;
    const controller = new AbortController();
    fetch(path, { headers, credentials: 'same-origin', cache: 'no-store', signal: controller.signal })
      .then((r) => (r.ok ? r.blob() : Promise.reject(new Error(String(r.status)))))
      .then((blob) => { url = URL.createObjectURL(blob); setBlobUrl(url); }, () => setBlobUrl(null));
    return () => {
      controller.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [hasPhoto, purposeStated, ctx.version]);

  const upload = (file: File | null) => {
    setProblem(null);
    if (!file) return;
    if (!PHOTO_TYPES.includes(file.type)) {
      setProblem(t('people.photo.bad_type'));
      return;
    }
    if (file.size > PHOTO_MAX) {
      setProblem(t('people.photo.too_big'));
      return;
    }
    void action.run(async () => {
      await sendRaw('PUT', path, file, file.type, csrf, lang, headers);
      if (fileInput.current) fileInput.current.value = '';
      ctx.notify(t('people.photo.saved'));
      ctx.reload();
    });
  };

  const serverProblem = action.error instanceof ApiError
    ? (action.error.status === 413 ? t('people.photo.too_big')
      : action.error.status === 415 ? t('people.photo.bad_type')
        : action.error.status === 422 ? t('people.photo.unreadable') : problemMessage(t, action.error))
    : action.error ? problemMessage(t, action.error) : null;
  const src = hasPhoto ? (purposeStated ? blobUrl : `${path}?v=${encodeURIComponent(ctx.version)}`) : null;

  return (
    <div class="person-photo">
      {src ? (
        <img class="photo" src={src} alt={t('people.photo.alt', { name: nameOf(person) })} width={160} height={200} />
      ) : (
        <div class="photo photo-none" role="img" aria-label={t('people.photo.none')}>
          <span aria-hidden="true">{initials(person)}</span>
        </div>
      )}
      {ctx.canWrite && !person.merged_into ? (
        <div class="photo-actions">
          <FileField id="person-photo-file" label={hasPhoto ? t('people.photo.replace') : t('people.photo.upload')}
            accept={PHOTO_TYPES.join(',')} hint={t('people.photo.hint')} onFile={upload} inputRef={fileInput}
            error={problem ?? serverProblem ?? undefined} />
          {action.busy ? <p class="muted" role="status">{t('people.photo.uploading')}</p> : null}
          {hasPhoto ? (
            <button type="button" class="button button-secondary button-small" id="person-photo-remove"
              onClick={() => setRemoving(true)}>
              {t('people.photo.remove')}
            </button>
          ) : null}
        </div>
      ) : null}
      <ConfirmDialog open={removing} title={t('people.photo.remove.title')} confirmLabel={t('people.photo.remove')} danger
        busy={action.busy}
        returnFocus={() => document.getElementById('person-photo-file')}
        onCancel={() => setRemoving(false)}
        onConfirm={() => {
          void action.run(async () => {
            await del(path, { headers });
            ctx.notify(t('people.photo.removed'));
            ctx.reload();
          }).then(() => setRemoving(false));
        }}>
        <p>{t('people.photo.remove.text')}</p>
      </ConfirmDialog>
    </div>
  );
}

function initials(p: Person): string {
  return [p.surname, p.given_name].map((s) => [...(s ?? '')][0] ?? '').join('').toUpperCase();
}

const toDraft = (p: Person): MainDraft => ({
  surname: p.surname ?? '', given_name: p.given_name ?? '', patronymic: p.patronymic ?? '',
  surname_latin: p.surname_latin ?? '', given_name_latin: p.given_name_latin ?? '', patronymic_latin: p.patronymic_latin ?? '',
  sex: p.sex ?? '', birth_date: p.birth_date ?? '', birth_place: p.birth_place ?? '', citizenship: p.citizenship ?? '',
  languages: languageList(p.languages), preferred_language: p.preferred_language ?? 'ky',
});

/** Changing the main fields; If-Match the version read, so a change made meanwhile is not overwritten. */
function EditMain({ ctx, onClose }: { ctx: PersonContext; onClose: (saved: boolean) => void }) {
  const { t } = useI18n();
  const today = useToday();
  const { person } = ctx;
  const [draft, setDraft] = useState<MainDraft>(() => toDraft(person));
  // Latin spellings already on the record are kept unless the user empties them.
  const [edited, setEdited] = useState({
    surname: Boolean(person.surname_latin), given_name: Boolean(person.given_name_latin), patronymic: Boolean(person.patronymic_latin),
  });
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const mistakes = mainMistakes(draft, t, today);
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrorsOf(error, t);
  const stale = serverError instanceof ApiError && serverError.status === 412;
  useEffect(() => { document.getElementById('edit-surname')?.focus(); }, []);
  return (
    <form class="form form-person" noValidate aria-labelledby="edit-heading"
      onSubmit={(e) => {
        e.preventDefault();
        if (mistakes.length) {
          setAttempt((n) => n + 1);
          return;
        }
        setAttempt(0);
        void run(async () => {
          await put(`/api/v1/people/${encodeURIComponent(person.id)}`, mainBody(draft), ctx.version, { headers: ctx.headers });
          ctx.reload();
          onClose(true);
        });
      }}>
      <h3 id="edit-heading">{t('people.edit.title')}</h3>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={mainFieldIds('edit')} labels={mainFieldLabels(t)}
        message={stale ? t('people.stale') : undefined}>
        {stale ? <button type="button" class="button" onClick={() => { ctx.reload(); onClose(false); }}>{t('action.reload')}</button> : null}
      </FormError>
      <MainFields prefix="edit" value={draft} onChange={setDraft} errors={fe} edited={edited} today={today}
        onEdited={(part, on) => setEdited((prev) => ({ ...prev, [part]: on }))} />
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{t('action.save')}</button>
        <button type="button" class="button button-secondary" onClick={() => onClose(false)}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}
