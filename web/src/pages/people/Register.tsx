// /people/new: registering a person. Names are typed as in the documents (usually Cyrillic);
// the Latin spelling is filled in as they are typed and can be corrected. Before anything is
// saved the server is asked for likely duplicates (POST /people/duplicates): when there are
// some, the user opens the existing record or says "not the same person", which registers with
// confirm_not_duplicate. A 409 possible-duplicate (someone registered them meanwhile) shows the
// same list.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, post, type Items, type Unit } from '../../api';
import { FormError, SelectField } from '../../components/Form';
import { Link } from '../../components/Link';
import { useAction, useLoad } from '../../hooks';
import { useI18n, type MessageKey } from '../../i18n';
import { peopleLabel } from '../../labels';
import { navigate, onLinkClick } from '../../router';
import { useSession } from '../../session';
import { subtreeIds, unitTree } from '../admin/common';
import {
  PeopleHeading, fieldErrorsOf, latinOf, localProblem, nameOf, normaliseField, truthy, useDay, useToday, type Duplicate,
} from './common';
import {
  AddressFields, AliasFields, CountryList, DocumentFields, MainFields, PhoneFields, compact, emptyAddress, emptyAlias,
  emptyDocument, emptyMain, emptyPhone, mainBody, mainFieldLabels, mainMistakes,
  type AddressDraft, type AliasDraft, type DocumentDraft, type MainDraft, type PhoneDraft,
} from './fields';

interface Row<D> { key: number; value: D }
type ListName = 'documents' | 'addresses' | 'phones' | 'aliases';

const LIST_LABELS: Readonly<Record<ListName, MessageKey>> = {
  documents: 'people.documents', addresses: 'people.addresses', phones: 'people.phones', aliases: 'people.aliases',
};
const ITEM_LABELS: Readonly<Record<ListName, MessageKey>> = {
  documents: 'people.document_n', addresses: 'people.address_n', phones: 'people.phone_n', aliases: 'people.alias_n',
};
const SUBFIELD_LABELS: Readonly<Record<string, MessageKey>> = {
  type: 'people.doc.type', number: 'people.doc.number', country: 'people.doc.country', issued_on: 'people.doc.issued_on',
  expires_on: 'people.doc.expires_on', kind: 'people.address.kind', address: 'people.address.address',
  valid_from: 'people.address.valid_from', label: 'people.phone.label', name: 'people.alias.name',
};

let nextKey = 1;
const row = <D,>(value: D): Row<D> => ({ key: nextKey++, value });

/** The errors of one list item, by the item's own field names. */
function itemErrors(fe: Record<string, string>, list: ListName, index: number): Record<string, string> {
  const prefix = `${list}.${index}.`;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fe)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

export function RegisterPersonPage() {
  const { t } = useI18n();
  const { user, can } = useSession();
  const today = useToday();
  const [main, setMain] = useState<MainDraft>(emptyMain);
  const [edited, setEdited] = useState({ surname: false, given_name: false, patronymic: false });
  const [unitId, setUnitId] = useState(user?.unit?.id ?? '');
  const [documents, setDocuments] = useState<Row<DocumentDraft>[]>([]);
  const [addresses, setAddresses] = useState<Row<AddressDraft>[]>([]);
  const [phones, setPhones] = useState<Row<PhoneDraft>[]>([]);
  const [aliases, setAliases] = useState<Row<AliasDraft>[]>([]);
  const [duplicates, setDuplicates] = useState<Duplicate[] | null>(null);
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, setError, run } = useAction();
  const dupBox = useRef<HTMLDivElement>(null);

  const units = useLoad((signal) => (can('units.read')
    ? get<Items<Unit>>('/api/v1/units', { signal }).then((r) => r.items)
    : Promise.resolve([] as Unit[])), []);
  // The caller's unit and the units below it (the server decides what it accepts).
  const own = user?.unit ?? null;
  const unitChoices = (() => {
    const all = units.data ?? [];
    const mine = own ? all.find((u) => u.id === own.id) : undefined;
    if (!own || !mine) return own ? [{ value: own.id, label: own.name }] : [];
    const below = subtreeIds(all, own.id);
    return unitTree(all, mine.agency_id).filter((r) => below.has(r.unit.id))
      .map((r) => ({ value: r.unit.id, label: `${'\u00a0\u00a0\u00a0'.repeat(r.depth)}${r.unit.name}` }));
  })();

  // Mistakes the form can see itself, from the first submit they stopped, while they last.
  const mistakes = [
    ...mainMistakes(main, t, today),
    ...documents.flatMap((r, i) => (r.value.number.trim() ? [] : [{ field: `documents[${i}].number`, message: t('field.required') }])),
    ...addresses.flatMap((r, i) => [
      ...(r.value.address.trim() ? [] : [{ field: `addresses[${i}].address`, message: t('field.required') }]),
      ...(r.value.valid_from ? [] : [{ field: `addresses[${i}].valid_from`, message: t('field.required') }]),
    ]),
    ...phones.flatMap((r, i) => (r.value.number.trim() ? [] : [{ field: `phones[${i}].number`, message: t('field.required') }])),
    ...aliases.flatMap((r, i) => (r.value.name.trim() ? [] : [{ field: `aliases[${i}].name`, message: t('field.required') }])),
  ];
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const possibleDuplicate = serverError instanceof ApiError && serverError.status === 409;
  const error = local ?? (possibleDuplicate ? null : serverError);
  const fe = fieldErrorsOf(error, t);

  useEffect(() => {
    if (duplicates) dupBox.current?.focus();
  }, [duplicates]);

  const body = (confirm: boolean): Record<string, unknown> => {
    const b: Record<string, unknown> = mainBody(main);
    if (unitId && unitId !== own?.id) b.unit_id = unitId;
    if (documents.length) b.documents = documents.map((r) => compact(r.value));
    if (addresses.length) b.addresses = addresses.map((r) => compact(r.value));
    if (phones.length) b.phones = phones.map((r) => compact(r.value));
    if (aliases.length) b.aliases = aliases.map((r) => compact(r.value));
    if (confirm) b.confirm_not_duplicate = true;
    return b;
  };

  const create = async (confirm: boolean) => {
    try {
      const person = await post<{ id: string }>('/api/v1/people', body(confirm));
      navigate(`/people/${encodeURIComponent(person.id)}?registered=1`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) {
        const list = e.problem?.body.duplicates;
        setDuplicates(Array.isArray(list) ? (list as Duplicate[]) : []);
      }
      throw e;
    }
  };

  const submit = (confirm: boolean) => {
    if (mistakes.length) {
      setAttempt((n) => n + 1);
      setError(null);
      return;
    }
    setAttempt(0);
    void run(async () => {
      if (!confirm) {
        const check = await post<Items<Duplicate>>('/api/v1/people/duplicates', compact({
          surname: main.surname, given_name: main.given_name, patronymic: main.patronymic,
          surname_latin: main.surname_latin, given_name_latin: main.given_name_latin, birth_date: main.birth_date,
          ...(documents.length ? { documents: documents.map((r) => ({ number: r.value.number.trim() })) } : {}),
        }));
        if (check.items.length) {
          setDuplicates(check.items);
          return;
        }
      }
      await create(confirm);
    });
  };

  // Field names as the server says them -> control ids and labels, for the error summary.
  const rawFields = error instanceof ApiError ? (error.problem?.errors ?? []).map((e) => e.field) : [];
  const fieldIds: Record<string, string> = {};
  const fieldLabels: Record<string, string> = { ...mainFieldLabels(t) };
  for (const raw of rawFields) {
    const norm = normaliseField(raw);
    fieldIds[raw] = `reg-${norm.replace(/\./g, '-')}`;
    const m = /^(documents|addresses|phones|aliases)\.(\d+)\.(\w+)$/.exec(norm);
    if (m) {
      const list = m[1] as ListName;
      const sub = list === 'phones' && m[3] === 'number' ? 'people.phone.number' : SUBFIELD_LABELS[m[3] ?? ''];
      fieldLabels[raw] = `${t(ITEM_LABELS[list], { n: Number(m[2]) + 1 })}: ${sub ? t(sub) : m[3]}`;
    } else if (mainFieldLabels(t)[norm]) {
      fieldLabels[raw] = mainFieldLabels(t)[norm] ?? raw;
    }
  }

  return (
    <>
      <PeopleHeading current="new" title={t('people.new.title')} lead={t('people.new.lead')} />
      <form class="form form-person" noValidate aria-labelledby="reg-heading"
        onSubmit={(e) => { e.preventDefault(); submit(false); }}>
        <h2 id="reg-heading" class="visually-hidden">{t('people.new.title')}</h2>
        <FormError error={error} focusKey={local ? attempt : serverError} fields={fieldIds} labels={fieldLabels} />
        {unitChoices.length > 1 ? (
          <SelectField id="reg-unit_id" label={t('people.unit')} value={unitId} onValue={setUnitId} error={fe.unit_id}
            hint={t('people.unit.hint')} options={unitChoices} />
        ) : null}
        <MainFields prefix="reg" value={main} onChange={setMain} errors={fe} edited={edited} today={today}
          onEdited={(part, on) => setEdited((prev) => ({ ...prev, [part]: on }))} />

        <Repeater list="documents" rows={documents} setRows={setDocuments} make={emptyDocument} first="type">
          {(r, i, update) => <DocumentFields prefix={`reg-documents-${i}`} value={r.value} onChange={update} errors={itemErrors(fe, 'documents', i)} />}
        </Repeater>
        <Repeater list="addresses" rows={addresses} setRows={setAddresses} make={() => emptyAddress(today)} first="kind">
          {(r, i, update) => <AddressFields prefix={`reg-addresses-${i}`} value={r.value} onChange={update} errors={itemErrors(fe, 'addresses', i)} />}
        </Repeater>
        <Repeater list="phones" rows={phones} setRows={setPhones} make={emptyPhone} first="number">
          {(r, i, update) => <PhoneFields prefix={`reg-phones-${i}`} value={r.value} onChange={update} errors={itemErrors(fe, 'phones', i)} />}
        </Repeater>
        <Repeater list="aliases" rows={aliases} setRows={setAliases} make={emptyAlias} first="name">
          {(r, i, update) => <AliasFields prefix={`reg-aliases-${i}`} value={r.value} onChange={update} errors={itemErrors(fe, 'aliases', i)} />}
        </Repeater>
        <CountryList />

        {duplicates ? (
          <DuplicateWarning items={duplicates} boxRef={dupBox} busy={busy}
            onConfirm={() => submit(true)}
            onBack={() => {
              setDuplicates(null);
              window.setTimeout(() => document.getElementById('reg-surname')?.focus(), 0);
            }} />
        ) : (
          <div class="button-row">
            <button type="submit" class="button" disabled={busy}>{busy ? t('people.new.checking') : t('people.new.submit')}</button>
            <Link href="/people" class="button button-secondary">{t('action.cancel')}</Link>
          </div>
        )}
      </form>
    </>
  );
}

interface RepeaterProps<D> {
  list: ListName;
  rows: Row<D>[];
  setRows: (update: (rows: Row<D>[]) => Row<D>[]) => void;
  make: () => D;
  /** The first field's name: it takes focus when a row is added. */
  first: string;
  children: (r: Row<D>, index: number, update: (next: D) => void) => ComponentChildren;
}

/** A list of items in the registration form: each with its fields and a Remove button, then Add. */
function Repeater<D>({ list, rows, setRows, make, first, children }: RepeaterProps<D>) {
  const { t } = useI18n();
  const added = useRef(false);
  useEffect(() => {
    if (!added.current) return;
    added.current = false;
    document.getElementById(`reg-${list}-${rows.length - 1}-${first}`)?.focus();
  }, [rows.length]);
  return (
    <fieldset class="fieldset repeater" id={`reg-${list}`}>
      <legend>{t(LIST_LABELS[list])}</legend>
      {rows.length === 0 ? <p class="muted">{t('people.list.none_yet')}</p> : null}
      {rows.map((r, i) => (
        <div class="repeat-row" key={r.key} role="group" aria-label={t(ITEM_LABELS[list], { n: i + 1 })}>
          <div class="repeat-head">
            <h3 class="repeat-title">{t(ITEM_LABELS[list], { n: i + 1 })}</h3>
            <button type="button" class="button button-secondary button-small"
              aria-label={`${t('people.list.remove')}: ${t(ITEM_LABELS[list], { n: i + 1 })}`}
              onClick={() => {
                setRows((prev) => prev.filter((x) => x.key !== r.key));
                window.setTimeout(() => document.getElementById(`reg-${list}-add`)?.focus(), 0);
              }}>
              {t('people.list.remove')}
            </button>
          </div>
          {children(r, i, (next) => setRows((prev) => prev.map((x) => (x.key === r.key ? { ...x, value: next } : x))))}
        </div>
      ))}
      <button type="button" class="button button-secondary" id={`reg-${list}-add`}
        onClick={() => { added.current = true; setRows((prev) => [...prev, row(make())]); }}>
        {t(`people.list.add.${list}`)}
      </button>
    </fieldset>
  );
}

interface DuplicateWarningProps {
  items: Duplicate[];
  boxRef: { current: HTMLDivElement | null };
  busy: boolean;
  onConfirm: () => void;
  onBack: () => void;
}

/** Likely duplicates: open the existing record, or say this is someone else and register. */
function DuplicateWarning({ items, boxRef, busy, onConfirm, onBack }: DuplicateWarningProps) {
  const { t } = useI18n();
  return (
    <div class="alert alert-warning duplicates" tabIndex={-1} ref={boxRef} role="alert" aria-labelledby="dup-heading" id="reg-duplicates">
      <h2 id="dup-heading" class="alert-title">{t('people.dup.title', { n: items.length })}</h2>
      <p>{t('people.dup.text')}</p>
      <DuplicateTable items={items} />
      <div class="button-row">
        <button type="button" class="button" disabled={busy} onClick={onConfirm}>{t('people.dup.confirm')}</button>
        <button type="button" class="button button-secondary" disabled={busy} onClick={onBack}>{t('people.dup.back')}</button>
      </div>
    </div>
  );
}

export function DuplicateTable({ items }: { items: readonly Duplicate[] }) {
  const { t } = useI18n();
  const day = useDay();
  return (
    <div class="table-wrap" role="region" aria-labelledby="dup-caption" tabIndex={0}>
      <table class="table table-duplicates">
        <caption id="dup-caption" class="visually-hidden">{t('people.dup.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('people.name')}</th>
            <th scope="col">{t('people.birth_date')}</th>
            <th scope="col">{t('people.unit')}</th>
            <th scope="col">{t('people.dup.reasons')}</th>
            <th scope="col"><span class="visually-hidden">{t('table.actions')}</span></th>
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <tr key={d.id}>
              <th scope="row">
                <span class="cell-main">{nameOf(d)}</span>
                {latinOf(d) ? <span class="cell-sub">{latinOf(d)}</span> : null}
              </th>
              <td class="cell-nowrap">{day(d.birth_date) || '—'}</td>
              <td>{d.unit_name || '—'}</td>
              <td>
                <span class="badges">
                  {(d.reasons ?? []).map((r) => <span class="badge badge-warn" key={r}>{peopleLabel(t, 'reason', r)}</span>)}
                </span>
              </td>
              <td class="cell-actions">
                {truthy(d.in_scope) ? (
                  <a href={`/people/${encodeURIComponent(d.id)}`} aria-label={`${t('people.dup.open')}: ${nameOf(d)}`}
                    onClick={(e) => onLinkClick(e, `/people/${encodeURIComponent(d.id)}`)}>
                    {t('people.dup.open')}
                  </a>
                ) : <span class="muted">{t('people.dup.out_of_scope')}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
