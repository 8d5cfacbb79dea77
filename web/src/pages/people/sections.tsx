// The sections of a person's page below the header: documents, address history, phones,
// aliases, cases (and opening one), family and third parties (S15: only for
// people.third_parties, loaded only when asked for, and the asking is logged), merging
// another record into this one, and subject-access exports (S13).
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, del, get, post, purposeHeaders, put, query, type Items, type StatedPurpose } from '../../api';
import { ConfirmDialog } from '../../components/Dialog';
import { FormError, SelectField, Success, TextAreaField, countChars } from '../../components/Form';
import { LoadState } from '../../components/LoadState';
import { Link } from '../../components/Link';
import { useAction, useLoad } from '../../hooks';
import { useI18n, type MessageKey } from '../../i18n';
import { peopleLabel } from '../../labels';
import { problemMessage } from '../../problems';
import { useDates, useSession } from '../../session';
import {
  AccessProblem, CASE_KINDS, DOC_LANGS, DateField, PersonPicker, PurposeDialog, fetchBlob, fieldErrorsOf, localProblem,
  nameOf, needsPurpose, normaliseField, saveBlob, truthy, useDay, usePurpose, useToday,
  type AccessRequest, type Person, type PersonHit, type ThirdParty,
} from './common';
import {
  AddressFields, AliasFields, DocumentFields, PhoneFields, compact, emptyAddress, emptyAlias,
  emptyDocument, emptyPhone,
  type AddressDraft, type AliasDraft, type DocumentDraft, type PhoneDraft,
} from './fields';
import {
  FamilyFields, FamilyFlags, RestrictedHidden, emptyFamily, familyBody, familyDraft, familyLabels, familyMistakes,
  type FamilyDraft, type FamilyMember,
} from '../release/Family';

/** What every section needs: the record, its version, the purpose headers, and a way to reload it. */
export interface PersonContext {
  person: Person;
  version: string;
  headers: Record<string, string>;
  reload: () => void;
  notify: (text: string | null) => void;
  canWrite: boolean;
}

const personPath = (ctx: PersonContext, rest = '') => `/api/v1/people/${encodeURIComponent(ctx.person.id)}${rest}`;

// ---- building blocks ----

interface AddFormProps<D> {
  idPrefix: string;
  title: string;
  initial: D;
  Fields: (props: { prefix: string; value: D; onChange: (next: D) => void; errors: Readonly<Record<string, string>> }) => JSX.Element;
  /** Field name -> label, for the error summary. */
  labels: Readonly<Record<string, string>>;
  mistakes: (d: D) => { field: string; message: string }[];
  submitLabel: string;
  onSubmit: (d: D) => Promise<void>;
  onCancel: () => void;
  hint?: string;
  children?: ComponentChildren;
}

/** A small form that adds one item; its first field takes focus when it opens. */
function AddForm<D>({ idPrefix, title, initial, Fields, labels, mistakes, submitLabel, onSubmit, onCancel, hint, children }: AddFormProps<D>) {
  const { t } = useI18n();
  const [draft, setDraft] = useState<D>(initial);
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const found = mistakes(draft);
  const local = attempt > 0 && found.length ? localProblem(found) : null;
  const error = local ?? serverError;
  const fe = fieldErrorsOf(error, t);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    form.current?.querySelector<HTMLElement>('input, select, textarea')?.focus();
  }, []);
  const raw = error instanceof ApiError ? (error.problem?.errors ?? []).map((e) => e.field) : [];
  const ids = Object.fromEntries(raw.map((f) => [f, `${idPrefix}-${normaliseField(f)}`]));
  return (
    <form class="form add-form" ref={form} noValidate aria-labelledby={`${idPrefix}-heading`}
      onSubmit={(e) => {
        e.preventDefault();
        if (found.length) {
          setAttempt((n) => n + 1);
          return;
        }
        setAttempt(0);
        void run(() => onSubmit(draft));
      }}>
      <h3 id={`${idPrefix}-heading`}>{title}</h3>
      {hint ? <p class="hint">{hint}</p> : null}
      <FormError error={error} focusKey={local ? attempt : serverError} fields={ids} labels={labels} />
      <Fields prefix={idPrefix} value={draft} onChange={setDraft} errors={fe} />
      {children}
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{submitLabel}</button>
        <button type="button" class="button button-secondary" onClick={onCancel}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}

/** Removing an item after a confirmation; focus then goes to the section's heading. */
function useRemoval<I>(ctx: PersonContext, headingId: string, path: (item: I) => string, done: (item: I) => string) {
  const { t } = useI18n();
  const [target, setTarget] = useState<{ item: I; name: string } | null>(null);
  const action = useAction();
  const removed = useRef(false);
  return {
    error: action.error,
    ask: (item: I, name: string) => { action.setError(null); setTarget({ item, name }); },
    dialog: (
      <ConfirmDialog open={target !== null} title={t('people.remove.title', { what: target?.name ?? '' })}
        confirmLabel={t('people.list.remove')} danger busy={action.busy}
        returnFocus={() => (removed.current ? document.getElementById(headingId) : null)}
        onCancel={() => { removed.current = false; setTarget(null); }}
        onConfirm={() => {
          const current = target;
          if (!current) return;
          void action.run(async () => {
            await del(path(current.item), { headers: ctx.headers });
            ctx.notify(done(current.item));
            ctx.reload();
          }).then((ok) => {
            removed.current = ok;
            setTarget(null);
          });
        }}>
        <p>{t('people.remove.text')}</p>
      </ConfirmDialog>
    ),
  };
}

interface CardProps {
  id: string;
  title: string;
  /** The Add button's text (no button when absent). */
  addLabel?: string | undefined;
  adding: boolean;
  onAdd: () => void;
  children: ComponentChildren;
}

function Card({ id, title, addLabel, adding, onAdd, children }: CardProps) {
  return (
    <section class="card person-section" aria-labelledby={`${id}-heading`} id={id}>
      <div class="card-head">
        <h2 id={`${id}-heading`} tabIndex={-1}>{title}</h2>
        {addLabel && !adding ? (
          <button type="button" class="button button-secondary button-small" id={`${id}-add`} onClick={onAdd}>{addLabel}</button>
        ) : null}
      </div>
      {children}
    </section>
  );
}

const required = (t: (k: MessageKey) => string, ...checks: [string, string][]) =>
  checks.filter(([, v]) => !v.trim()).map(([field]) => ({ field, message: t('field.required') }));

function RemoveButton({ label, name, onClick }: { label: string; name: string; onClick: () => void }) {
  return (
    <button type="button" class="button button-secondary button-small" onClick={onClick} aria-label={`${label}: ${name}`}>
      {label}
    </button>
  );
}

/** Closes an add form and gives focus back to the section's Add button. */
const backTo = (id: string) => window.setTimeout(() => document.getElementById(`${id}-add`)?.focus(), 0);

// ---- documents ----

export function DocumentsCard({ ctx }: { ctx: PersonContext }) {
  const { t } = useI18n();
  const day = useDay();
  const [adding, setAdding] = useState(false);
  const editable = ctx.canWrite && !ctx.person.merged_into;
  const removal = useRemoval<{ id: string; number: string }>(ctx, 'person-documents-heading',
    (d) => personPath(ctx, `/documents/${encodeURIComponent(d.id)}`), (d) => t('people.doc.removed', { number: d.number }));
  const docs = ctx.person.documents ?? [];
  return (
    <Card id="person-documents" title={t('people.documents')} addLabel={editable ? t('people.doc.add') : undefined} adding={adding}
      onAdd={() => { ctx.notify(null); setAdding(true); }}>
      <FormError error={removal.error} />
      {adding ? (
        <AddForm<DocumentDraft> idPrefix="doc-new" title={t('people.doc.add')} initial={emptyDocument()} Fields={DocumentFields}
          labels={{ type: t('people.doc.type'), number: t('people.doc.number'), country: t('people.doc.country'),
            issued_on: t('people.doc.issued_on'), expires_on: t('people.doc.expires_on') }}
          mistakes={(d) => required(t, ['number', d.number])} submitLabel={t('people.doc.add')}
          onCancel={() => { setAdding(false); backTo('person-documents'); }}
          onSubmit={async (d) => {
            await post(personPath(ctx, '/documents'), compact(d), { headers: ctx.headers });
            setAdding(false);
            ctx.notify(t('people.doc.added', { number: d.number.trim() }));
            ctx.reload();
            backTo('person-documents');
          }} />
      ) : null}
      {docs.length ? (
        <div class="table-wrap" role="region" aria-labelledby="person-documents-heading" tabIndex={0}>
          <table class="table table-documents">
            <thead>
              <tr>
                <th scope="col">{t('people.doc.number')}</th>
                <th scope="col">{t('people.doc.type')}</th>
                <th scope="col">{t('people.doc.country')}</th>
                <th scope="col">{t('people.doc.issued_on')}</th>
                <th scope="col">{t('people.doc.expires_on')}</th>
                {editable ? <th scope="col"><span class="visually-hidden">{t('table.actions')}</span></th> : null}
              </tr>
            </thead>
            <tbody>
              {docs.map((d) => (
                <tr key={d.id}>
                  <th scope="row" class="cell-id">{d.number}</th>
                  <td>{peopleLabel(t, 'doc_type', d.type)}</td>
                  <td>{d.country || '—'}</td>
                  <td class="cell-nowrap">{day(d.issued_on) || '—'}</td>
                  <td class="cell-nowrap">{day(d.expires_on) || '—'}</td>
                  {editable ? (
                    <td class="cell-actions">
                      <RemoveButton label={t('people.list.remove')} name={d.number}
                        onClick={() => removal.ask(d, `${peopleLabel(t, 'doc_type', d.type)} ${d.number}`)} />
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : <p class="muted">{t('people.doc.none')}</p>}
      {removal.dialog}
    </Card>
  );
}

// ---- addresses: current ones and the history ----

export function AddressesCard({ ctx }: { ctx: PersonContext }) {
  const { t } = useI18n();
  const day = useDay();
  const today = useToday();
  const [adding, setAdding] = useState(false);
  const editable = ctx.canWrite && !ctx.person.merged_into;
  const all = [...(ctx.person.addresses ?? [])].sort((a, b) => (b.valid_from ?? '').localeCompare(a.valid_from ?? ''));
  const current = all.filter((a) => !a.valid_to || a.valid_to > today);
  const past = all.filter((a) => a.valid_to && a.valid_to <= today);
  const table = (rows: typeof all, captionId: string, caption: string, withEnd: boolean) => (
    <div class="table-wrap" role="region" aria-labelledby={captionId} tabIndex={0}>
      <table class="table table-addresses">
        <caption id={captionId} class="table-caption">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('people.address.address')}</th>
            <th scope="col">{t('people.address.kind')}</th>
            <th scope="col">{t('people.address.valid_from')}</th>
            {withEnd ? <th scope="col">{t('people.address.valid_to')}</th> : null}
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr key={a.id}>
              <th scope="row">{a.address}</th>
              <td>{peopleLabel(t, 'address_kind', a.kind)}</td>
              <td class="cell-nowrap">{day(a.valid_from) || '—'}</td>
              {withEnd ? <td class="cell-nowrap">{day(a.valid_to) || '—'}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
  return (
    <Card id="person-addresses" title={t('people.addresses')} addLabel={editable ? t('people.address.add') : undefined}
      adding={adding} onAdd={() => { ctx.notify(null); setAdding(true); }}>
      {adding ? (
        <AddForm<AddressDraft> idPrefix="address-new" title={t('people.address.add')} initial={emptyAddress(today)}
          Fields={AddressFields} hint={t('people.address.add.hint')}
          labels={{ kind: t('people.address.kind'), address: t('people.address.address'), valid_from: t('people.address.valid_from') }}
          mistakes={(d) => required(t, ['address', d.address], ['valid_from', d.valid_from])} submitLabel={t('people.address.add')}
          onCancel={() => { setAdding(false); backTo('person-addresses'); }}
          onSubmit={async (d) => {
            await post(personPath(ctx, '/addresses'), compact(d), { headers: ctx.headers });
            setAdding(false);
            ctx.notify(t('people.address.added'));
            ctx.reload();
            backTo('person-addresses');
          }} />
      ) : null}
      {current.length ? table(current, 'addresses-current', t('people.address.current'), false) : <p class="muted">{t('people.address.none')}</p>}
      {past.length ? table(past, 'addresses-past', t('people.address.past'), true) : null}
    </Card>
  );
}

// ---- phones ----

export function PhonesCard({ ctx }: { ctx: PersonContext }) {
  const { t } = useI18n();
  const [adding, setAdding] = useState(false);
  const editable = ctx.canWrite && !ctx.person.merged_into;
  const removal = useRemoval<{ id: string; number: string }>(ctx, 'person-phones-heading',
    (p) => personPath(ctx, `/phones/${encodeURIComponent(p.id)}`), (p) => t('people.phone.removed', { number: p.number }));
  const phones = ctx.person.phones ?? [];
  return (
    <Card id="person-phones" title={t('people.phones')} addLabel={editable ? t('people.phone.add') : undefined} adding={adding}
      onAdd={() => { ctx.notify(null); setAdding(true); }}>
      <FormError error={removal.error} />
      {adding ? (
        <AddForm<PhoneDraft> idPrefix="phone-new" title={t('people.phone.add')} initial={emptyPhone()} Fields={PhoneFields}
          labels={{ number: t('people.phone.number'), label: t('people.phone.label') }}
          mistakes={(d) => required(t, ['number', d.number])} submitLabel={t('people.phone.add')}
          onCancel={() => { setAdding(false); backTo('person-phones'); }}
          onSubmit={async (d) => {
            await post(personPath(ctx, '/phones'), compact(d), { headers: ctx.headers });
            setAdding(false);
            ctx.notify(t('people.phone.added', { number: d.number.trim() }));
            ctx.reload();
            backTo('person-phones');
          }} />
      ) : null}
      {phones.length ? (
        <ul class="plain-list item-list">
          {phones.map((p) => (
            <li key={p.id} class="item-row">
              <span>
                <span class="cell-main">{p.number}</span>
                {p.label ? <span class="cell-sub">{p.label}</span> : null}
              </span>
              {editable ? <RemoveButton label={t('people.list.remove')} name={p.number} onClick={() => removal.ask(p, p.number)} /> : null}
            </li>
          ))}
        </ul>
      ) : <p class="muted">{t('people.phone.none')}</p>}
      {removal.dialog}
    </Card>
  );
}

// ---- aliases ----

export function AliasesCard({ ctx }: { ctx: PersonContext }) {
  const { t } = useI18n();
  const [adding, setAdding] = useState(false);
  const editable = ctx.canWrite && !ctx.person.merged_into;
  const removal = useRemoval<{ id: string; name: string }>(ctx, 'person-aliases-heading',
    (a) => personPath(ctx, `/aliases/${encodeURIComponent(a.id)}`), (a) => t('people.alias.removed', { name: a.name }));
  const aliases = ctx.person.aliases ?? [];
  return (
    <Card id="person-aliases" title={t('people.aliases')} addLabel={editable ? t('people.alias.add') : undefined} adding={adding}
      onAdd={() => { ctx.notify(null); setAdding(true); }}>
      <p class="hint">{t('people.aliases.about')}</p>
      <FormError error={removal.error} />
      {adding ? (
        <AddForm<AliasDraft> idPrefix="alias-new" title={t('people.alias.add')} initial={emptyAlias()} Fields={AliasFields}
          labels={{ name: t('people.alias.name'), kind: t('people.alias.kind') }}
          mistakes={(d) => required(t, ['name', d.name])} submitLabel={t('people.alias.add')}
          onCancel={() => { setAdding(false); backTo('person-aliases'); }}
          onSubmit={async (d) => {
            await post(personPath(ctx, '/aliases'), compact(d), { headers: ctx.headers });
            setAdding(false);
            ctx.notify(t('people.alias.added', { name: d.name.trim() }));
            ctx.reload();
            backTo('person-aliases');
          }} />
      ) : null}
      {aliases.length ? (
        <ul class="plain-list item-list">
          {aliases.map((a) => (
            <li key={a.id} class="item-row">
              <span>
                <span class="cell-main">{a.name}</span>
                <span class="cell-sub">{peopleLabel(t, 'alias_kind', a.kind)}</span>
              </span>
              {editable ? <RemoveButton label={t('people.list.remove')} name={a.name} onClick={() => removal.ask(a, a.name)} /> : null}
            </li>
          ))}
        </ul>
      ) : <p class="muted">{t('people.alias.none')}</p>}
      {removal.dialog}
    </Card>
  );
}

// ---- cases ----

const CASE_STATUS_CLASS: Readonly<Record<string, string>> = { open: 'badge badge-ok', suspended: 'badge badge-warn', closed: 'badge badge-off' };

export function CasesCard({ ctx }: { ctx: PersonContext }) {
  const { t } = useI18n();
  const { can } = useSession();
  const day = useDay();
  const [opening, setOpening] = useState(false);
  const [opened, setOpened] = useState<{ id: string; number: string } | null>(null);
  const cases = ctx.person.cases ?? [];
  return (
    <Card id="person-cases" title={t('people.cases')} addLabel={can('cases.write') && !ctx.person.merged_into ? t('people.case.open') : undefined}
      adding={opening} onAdd={() => { ctx.notify(null); setOpened(null); setOpening(true); }}>
      {opened ? (
        <Success>
          <p>
            {t('people.case.opened', { number: opened.number })}{' '}
            <Link href={`/cases/${encodeURIComponent(opened.id)}`}>{t('people.case.go')}</Link>
          </p>
        </Success>
      ) : null}
      {opening ? (
        <OpenCaseForm ctx={ctx} onCancel={() => { setOpening(false); backTo('person-cases'); }}
          onOpened={(c) => { setOpening(false); setOpened(c); ctx.reload(); backTo('person-cases'); }} />
      ) : null}
      {cases.length ? (
        <div class="table-wrap" role="region" aria-labelledby="person-cases-heading" tabIndex={0}>
          <table class="table table-cases">
            <thead>
              <tr>
                <th scope="col">{t('people.case.number')}</th>
                <th scope="col">{t('people.case.kind')}</th>
                <th scope="col">{t('people.case.status')}</th>
                <th scope="col">{t('people.unit')}</th>
                <th scope="col">{t('people.case.officer')}</th>
                <th scope="col">{t('people.case.opened_on')}</th>
                <th scope="col">{t('people.case.closed_on')}</th>
              </tr>
            </thead>
            <tbody>
              {cases.map((c) => (
                <tr key={c.id}>
                  <th scope="row" class="cell-nowrap"><Link href={`/cases/${encodeURIComponent(c.id)}`}>{c.number}</Link></th>
                  <td>{peopleLabel(t, 'case_kind', c.kind)}</td>
                  <td><span class={CASE_STATUS_CLASS[c.status] ?? 'badge badge-off'}>{peopleLabel(t, 'case_status', c.status)}</span></td>
                  <td>{c.unit_name || '—'}</td>
                  <td>{c.officer_name || <span class="muted">{t('people.case.unallocated')}</span>}</td>
                  <td class="cell-nowrap">{day(c.opened_on) || '—'}</td>
                  <td class="cell-nowrap">{day(c.closed_on) || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : <p class="muted">{t('people.case.none')}</p>}
    </Card>
  );
}

function OpenCaseForm({ ctx, onCancel, onOpened }: { ctx: PersonContext; onCancel: () => void; onOpened: (c: { id: string; number: string }) => void }) {
  const { t } = useI18n();
  const today = useToday();
  const [kind, setKind] = useState<string>('executive');
  const [openedOn, setOpenedOn] = useState(today);
  const [reason, setReason] = useState('');
  const [consentOn, setConsentOn] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const post_pen = kind === 'post_penitentiary';
  const mistakes: { field: string; message: string }[] = [];
  if (!openedOn) mistakes.push({ field: 'opened_on', message: t('field.required') });
  const n = countChars(reason);
  if (n < 3 || n > 500) mistakes.push({ field: 'open_reason', message: t('field.between_chars', { min: 3, max: 500 }) });
  if (post_pen && !consentOn) mistakes.push({ field: 'consent_on', message: t('people.case.consent.required') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrorsOf(error, t);
  useEffect(() => { document.getElementById('case-new-kind')?.focus(); }, []);
  return (
    <form class="form add-form" noValidate aria-labelledby="case-new-heading"
      onSubmit={(e) => {
        e.preventDefault();
        if (mistakes.length) {
          setAttempt((x) => x + 1);
          return;
        }
        setAttempt(0);
        void run(async () => {
          const body: Record<string, unknown> = {
            person_id: ctx.person.id, kind, opened_on: openedOn, open_reason: reason.replace(/\s+/g, ' ').trim(),
          };
          if (post_pen) body.consent_on = consentOn;
          const c = await post<{ id: string; number: string }>('/api/v1/cases', body, { headers: ctx.headers });
          onOpened(c);
        });
      }}>
      <h3 id="case-new-heading">{t('people.case.open')}</h3>
      <FormError error={error} focusKey={local ? attempt : serverError}
        fields={{ kind: 'case-new-kind', opened_on: 'case-new-opened_on', open_reason: 'case-new-reason', consent_on: 'case-new-consent_on' }}
        labels={{ kind: t('people.case.kind'), opened_on: t('people.case.opened_on'), open_reason: t('people.case.reason'),
          consent_on: t('people.case.consent_on'), unit_id: t('people.unit'), person_id: t('people.person.title') }} />
      <div class="form-grid">
        <SelectField id="case-new-kind" label={t('people.case.kind')} value={kind} onValue={setKind} required error={fe.kind}
          options={CASE_KINDS.map((k) => ({ value: k, label: peopleLabel(t, 'case_kind', k) }))} />
        <DateField id="case-new-opened_on" label={t('people.case.opened_on')} value={openedOn} onValue={setOpenedOn} required
          error={fe.opened_on} />
        {post_pen ? (
          <DateField id="case-new-consent_on" label={t('people.case.consent_on')} value={consentOn} onValue={setConsentOn} required
            hint={t('people.case.consent.hint')} error={fe.consent_on} max={today} />
        ) : null}
      </div>
      <TextAreaField id="case-new-reason" label={t('people.case.reason')} value={reason} onValue={setReason} rows={3} min={3} max={500}
        hint={t('people.case.reason.hint')} error={fe.open_reason} />
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{t('people.case.open')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}

// ---- family and third parties (S15) ----

export function ThirdPartiesCard({ ctx }: { ctx: PersonContext }) {
  const { t } = useI18n();
  const { can } = useSession();
  const [shown, setShown] = useState(false);
  // Absent altogether for roles that may not see it (the server refuses it too).
  if (!can('people.third_parties') || ctx.person.third_parties_restricted === true || ctx.person.third_parties_restricted === 1) return null;
  return (
    <section class="card person-section restricted" aria-labelledby="person-tp-heading" id="person-third-parties">
      <div class="card-head">
        <h2 id="person-tp-heading" tabIndex={-1}>
          {t('people.tp.title')} <span class="badge badge-bad">{t('people.tp.restricted')}</span>
        </h2>
      </div>
      <div class="alert alert-warning restricted-notice">
        <p>{t('people.tp.notice')}</p>
      </div>
      {shown ? <ThirdPartiesList ctx={ctx} /> : (
        <button type="button" class="button" id="person-tp-show" onClick={() => setShown(true)}>{t('people.tp.show')}</button>
      )}
    </section>
  );
}

function ThirdPartiesList({ ctx }: { ctx: PersonContext }) {
  const { t } = useI18n();
  const day = useDay();
  const [adding, setAdding] = useState(false);
  const [changing, setChanging] = useState<FamilyMember | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useLoad((signal) => get<Items<FamilyMember> & { restricted_hidden?: number }>(personPath(ctx, '/third-parties'),
    { signal, headers: ctx.headers }), [ctx.person.id]);
  const inner: PersonContext = { ...ctx, reload: list.reload, notify: setNotice };
  const removal = useRemoval<ThirdParty>(inner, 'person-tp-heading',
    (p) => personPath(ctx, `/third-parties/${encodeURIComponent(p.id)}`), (p) => t('people.tp.removed', { name: p.full_name }));
  const editable = !ctx.person.merged_into;
  useEffect(() => { document.getElementById('person-tp-heading')?.focus(); }, []);
  if (list.status === 'error') return <AccessProblem error={list.error} onRetry={list.reload} />;
  const labels = { relationship: t('people.tp.relationship'), full_name: t('people.tp.full_name'), birth_date: t('people.birth_date'),
    contact: t('people.tp.contact'), note: t('people.tp.note'), ...familyLabels(t) };
  return (
    <>
      {notice ? <Success><p>{notice}</p></Success> : null}
      <FormError error={removal.error} />
      <RestrictedHidden n={list.data?.restricted_hidden} />
      {editable && !adding && !changing ? (
        <p>
          <button type="button" class="button button-secondary button-small" id="person-tp-add"
            onClick={() => { setNotice(null); setAdding(true); }}>{t('people.tp.add')}</button>
        </p>
      ) : null}
      {adding ? (
        <AddForm<FamilyDraft> idPrefix="tp-new" title={t('people.tp.add')} initial={emptyFamily()} Fields={FamilyFields}
          hint={t('people.tp.minimum')} labels={labels}
          mistakes={(d) => familyMistakes(t, d)} submitLabel={t('people.tp.add')}
          onCancel={() => { setAdding(false); backTo('person-tp'); }}
          onSubmit={async (d) => {
            await post(personPath(ctx, '/third-parties'), familyBody(d, false), { headers: ctx.headers });
            setAdding(false);
            setNotice(t('people.tp.added', { name: d.full_name.trim() }));
            list.reload();
            backTo('person-tp');
          }} />
      ) : null}
      {changing ? (
        <AddForm<FamilyDraft> key={changing.id} idPrefix="tp-edit" title={t('rel.family.change', { name: changing.full_name })}
          initial={familyDraft(changing)} Fields={FamilyFields} labels={labels}
          mistakes={(d) => familyMistakes(t, d)} submitLabel={t('rel.save')}
          onCancel={() => setChanging(null)}
          onSubmit={async (d) => {
            await put(personPath(ctx, `/third-parties/${encodeURIComponent(changing.id)}`), familyBody(d, true),
              changing.version != null ? String(changing.version) : null, { headers: ctx.headers });
            setChanging(null);
            setNotice(t('rel.family.changed', { name: d.full_name.trim() }));
            list.reload();
          }} />
      ) : null}
      {list.data === undefined ? <p class="muted" role="status">{t('status.loading')}</p>
        : list.data.items.length ? (
          <div class="table-wrap rel-stack-wrap" role="region" aria-labelledby="person-tp-heading" tabIndex={0}>
            <table class="table table-third-parties rel-stack">
              <thead>
                <tr>
                  <th scope="col">{t('people.tp.full_name')}</th>
                  <th scope="col">{t('people.tp.relationship')}</th>
                  <th scope="col">{t('people.birth_date')}</th>
                  <th scope="col">{t('people.tp.contact')}</th>
                  <th scope="col">{t('people.tp.note')}</th>
                  <th scope="col">{t('rel.family.title')}</th>
                  {editable ? <th scope="col"><span class="visually-hidden">{t('table.actions')}</span></th> : null}
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((p) => (
                  <tr key={p.id} data-id={p.id}>
                    <th scope="row">{p.full_name}</th>
                    <td data-label={t('people.tp.relationship')}>{peopleLabel(t, 'relationship', p.relationship)}</td>
                    <td data-label={t('people.birth_date')} class="cell-nowrap">{day(p.birth_date) || '—'}</td>
                    <td data-label={t('people.tp.contact')} class="tp-contact">{p.contact || '—'}</td>
                    <td data-label={t('people.tp.note')} class="tp-note">{p.note || '—'}</td>
                    <td data-label={t('rel.family.title')}><FamilyFlags p={p} /></td>
                    {editable ? (
                      <td class="cell-actions">
                        <button type="button" class="button button-secondary button-small" id={`tp-change-${p.id}`}
                          aria-label={`${t('rel.change')}: ${p.full_name}`}
                          onClick={() => { setNotice(null); setAdding(false); setChanging(p); }}>{t('rel.change')}</button>
                        {' '}<RemoveButton label={t('people.list.remove')} name={p.full_name} onClick={() => removal.ask(p, p.full_name)} />
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : <p class="muted">{t('people.tp.none')}</p>}
      {removal.dialog}
    </>
  );
}

// ---- merging another record into this one; the merges so far ----

export function MergeCard({ ctx }: { ctx: PersonContext }) {
  const { t } = useI18n();
  const { can } = useSession();
  const dates = useDates();
  const [merging, setMerging] = useState(false);
  const merges = ctx.person.merges ?? [];
  const mayMerge = can('people.merge') && !ctx.person.merged_into;
  if (!mayMerge && merges.length === 0) return null;
  return (
    <Card id="person-merge" title={t('people.merge.title')} addLabel={mayMerge ? t('people.merge.start') : undefined} adding={merging}
      onAdd={() => { ctx.notify(null); setMerging(true); }}>
      {merging ? (
        <MergeForm ctx={ctx} onCancel={() => { setMerging(false); backTo('person-merge'); }}
          onMerged={(other) => {
            setMerging(false);
            ctx.notify(t('people.merge.done', { name: other }));
            ctx.reload();
            backTo('person-merge');
          }} />
      ) : null}
      {merges.length ? (
        <div class="table-wrap" role="region" aria-labelledby="person-merge-heading" tabIndex={0}>
          <table class="table table-merges">
            <caption class="table-caption">{t('people.merge.history')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('people.merge.at')}</th>
                <th scope="col">{t('people.merge.what')}</th>
                <th scope="col">{t('people.merge.reason_short')}</th>
              </tr>
            </thead>
            <tbody>
              {merges.map((m) => {
                const into = m.kept_id === ctx.person.id;
                const other = into ? m.merged_id : m.kept_id;
                return (
                  <tr key={m.id}>
                    <td class="cell-nowrap">{dates.short(m.merged_at)}</td>
                    <td>
                      {into ? t('people.merge.merged_here') : t('people.merge.merged_there')}{' '}
                      <Link href={`/people/${encodeURIComponent(other)}`}>{t('people.merge.other_record')}</Link>
                    </td>
                    <td>{m.reason}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : <p class="muted">{t('people.merge.none')}</p>}
    </Card>
  );
}

function MergeForm({ ctx, onCancel, onMerged }: { ctx: PersonContext; onCancel: () => void; onMerged: (otherName: string) => void }) {
  const { t } = useI18n();
  const [other, setOther] = useState<PersonHit | null>(null);
  const [reason, setReason] = useState('');
  const [sure, setSure] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  const wide = usePurpose();
  const mistakes: { field: string; message: string }[] = [];
  if (!other) mistakes.push({ field: 'other_id', message: t('people.merge.choose') });
  const n = countChars(reason);
  if (n < 10 || n > 1000) mistakes.push({ field: 'reason', message: t('field.between_chars', { min: 10, max: 1000 }) });
  if (!sure) mistakes.push({ field: 'confirm', message: t('people.merge.confirm.required') });
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrorsOf(error, t);
  return (
    <>
      <form class="form add-form merge-form" noValidate aria-labelledby="merge-heading"
        onSubmit={(e) => {
          e.preventDefault();
          if (mistakes.length || !other) {
            setAttempt((x) => x + 1);
            return;
          }
          setAttempt(0);
          void run(async () => {
            await post(personPath(ctx, '/merge'), { other_id: other.id, reason: reason.replace(/\s+/g, ' ').trim() }, { headers: ctx.headers });
            onMerged(nameOf(other));
          });
        }}>
        <h3 id="merge-heading">{t('people.merge.start')}</h3>
        <div class="alert alert-warning">
          <p class="alert-title">{t('people.merge.explain.title', { name: nameOf(ctx.person) })}</p>
          <ul>
            <li>{t('people.merge.explain.moved')}</li>
            <li>{t('people.merge.explain.names')}</li>
            <li>{t('people.merge.explain.kept')}</li>
          </ul>
        </div>
        <FormError error={error} focusKey={local ? attempt : serverError}
          fields={{ other_id: 'merge-other', reason: 'merge-reason', confirm: 'merge-confirm' }}
          labels={{ other_id: t('people.merge.other'), reason: t('people.merge.reason'), confirm: t('people.merge.confirm') }} />
        <PersonPicker id="merge-other" label={t('people.merge.other')} value={other} onChange={setOther} exclude={ctx.person.id}
          error={fe.other_id} wide={wide} />
        {other ? (
          <p class="merge-summary">
            {t('people.merge.summary', { other: nameOf(other), kept: nameOf(ctx.person) })}
          </p>
        ) : null}
        <TextAreaField id="merge-reason" label={t('people.merge.reason')} value={reason} onValue={setReason} rows={3} min={10} max={1000}
          hint={t('people.merge.reason.hint')} error={fe.reason} />
        <div class={fe.confirm ? 'field has-error' : 'field'}>
          <div class="checkbox">
            <input type="checkbox" id="merge-confirm" checked={sure} onChange={(e) => setSure(e.currentTarget.checked)}
              aria-invalid={fe.confirm ? 'true' : undefined} aria-describedby={fe.confirm ? 'merge-confirm-error' : undefined} />
            <label for="merge-confirm">{t('people.merge.confirm')}</label>
          </div>
          {fe.confirm ? <p class="field-error" id="merge-confirm-error">{fe.confirm}</p> : null}
        </div>
        <div class="button-row">
          <button type="submit" class="button button-danger" disabled={busy}>{t('people.merge.submit')}</button>
          <button type="button" class="button button-secondary" onClick={onCancel}>{t('action.cancel')}</button>
        </div>
      </form>
      {wide.dialog('merge-wide', { title: t('people.wide.title'), intro: t('people.wide.intro'), submitLabel: t('people.wide.start') })}
    </>
  );
}

// ---- subject-access exports (S13) ----

interface ExportLinksProps {
  personId: string;
  /** The open subject-access request the export answers (the server requires one). */
  requestId: string;
  label: string;
  /** Short language names (in a table). */
  compact?: boolean;
  /** A purpose already stated for this person (the person's page). */
  headers?: Record<string, string>;
}

/**
 * The person's export in each format and language, downloaded as a file. The export is
 * asked for with the request's id and, for a person outside the caller's units, a stated
 * purpose (a plain link could not send it): a 428 asks for one, then the download is retried.
 */
export function ExportLinks({ personId, requestId, label, compact = false, headers = {} }: ExportLinksProps) {
  const { t, lang } = useI18n();
  const [purpose, setPurpose] = useState<StatedPurpose | null>(null);
  const [pending, setPending] = useState<{ format: string; lang: string } | null>(null);
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const idPrefix = `export-${requestId}`;

  const download = async (format: string, docLang: string, stated: StatedPurpose | null) => {
    const q = new URLSearchParams({ format, lang: docLang, access_request_id: requestId });
    setBusy(`${format}-${docLang}`);
    setError(null);
    try {
      const blob = await fetchBlob(`/api/v1/people/${encodeURIComponent(personId)}/export?${q.toString()}`, lang,
        { ...headers, ...purposeHeaders(stated) });
      saveBlob(blob, `kadam-export-${personId.slice(0, 8)}-${docLang}.${format}`);
    } catch (e) {
      if (needsPurpose(e)) {
        setPending({ format, lang: docLang });
        setAsking(true);
      } else {
        setError(e);
      }
    } finally {
      setBusy(null);
    }
  };

  return (
    <div class="export">
      <ul class={compact ? 'plain-list export-links export-compact' : 'plain-list export-links'} aria-label={label}>
        {(['html', 'json'] as const).map((format) => (
          <li key={format}>
            <span class="export-format">{t(`sar.export.${format}`)}</span>
            {DOC_LANGS.map((l) => (
              <button key={l} type="button" class="link-button export-link" disabled={busy !== null}
                aria-label={`${t(`sar.export.${format}`)}: ${peopleLabel(t, 'language', l)} (${label})`}
                onClick={() => void download(format, l, purpose)}>
                {compact ? t(`sar.export.${l}`) : peopleLabel(t, 'language', l)}
              </button>
            ))}
          </li>
        ))}
      </ul>
      {busy ? <p class="muted" role="status">{t('sar.export.preparing')}</p> : null}
      {error ? <p class="field-error" role="alert">{problemMessage(t, error)}</p> : null}
      <PurposeDialog open={asking} idPrefix={idPrefix} initial="disclosure" intro={t('sar.export.purpose')}
        onCancel={() => { setAsking(false); setPending(null); }}
        onSubmit={(p) => {
          setAsking(false);
          setPurpose(p);
          const next = pending;
          setPending(null);
          if (next) void download(next.format, next.lang, p);
        }} />
    </div>
  );
}

/** The person's open subject-access requests, each with its export (access_requests.manage). */
export function ExportCard({ ctx }: { ctx: PersonContext }) {
  const { t } = useI18n();
  const { can } = useSession();
  const allowed = can('access_requests.manage');
  const day = useDay();
  const requests = useLoad((signal) => (allowed
    ? get<Items<AccessRequest>>(`/api/v1/access-requests${query({ status: 'open' })}`, { signal })
      .then((r) => r.items.filter((a) => a.person_id === ctx.person.id))
    : Promise.resolve([] as AccessRequest[])), [ctx.person.id, allowed]);
  if (!allowed) return null;
  return (
    <section class="card person-section" aria-labelledby="person-export-heading" id="person-export">
      <h2 id="person-export-heading">{t('sar.export.title')}</h2>
      <p class="hint">{t('sar.export.about')}</p>
      <LoadState load={requests}>
        {(items) => (items.length ? (
          <ul class="plain-list export-requests">
            {items.map((r) => (
              <li key={r.id}>
                <p class="export-request">
                  {t('sar.export.request', { received: day(r.received_on), due: day(r.due_on) })}
                  {truthy(r.is_overdue) ? <> <span class="badge badge-bad">{t('sar.overdue', { n: Math.abs(r.days_left) })}</span></> : null}
                </p>
                <ExportLinks personId={ctx.person.id} requestId={r.id} headers={ctx.headers}
                  label={t('sar.export.for', { name: nameOf(ctx.person) })} />
              </li>
            ))}
          </ul>
        ) : <p>{t('sar.export.no_request')}</p>)}
      </LoadState>
      <p><Link href="/people/access-requests">{t('sar.export.register')}</Link></p>
    </section>
  );
}
