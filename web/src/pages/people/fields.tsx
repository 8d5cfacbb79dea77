// The fields of a person's details (an identity document, an address, a phone number, an
// alias, a third party) and of their names, shared by the registration form and the person
// page's add forms. Each takes an id prefix, the values, a change callback and the server's
// field errors (keyed by the field's own name: number, country, ...).
import { useEffect } from 'preact/hooks';
import { get, query } from '../../api';
import { CheckboxGroup, SelectField, TextField } from '../../components/Form';
import { useI18n, type MessageKey } from '../../i18n';
import { peopleLabel } from '../../labels';
import {
  ADDRESS_KINDS, ALIAS_KINDS, COUNTRY_SUGGESTIONS, DOC_LANGS, DOC_TYPES, DateField, LANGUAGE_CODES, RELATIONSHIPS, SEXES,
  useDebounced,
} from './common';

export interface DocumentDraft { type: string; number: string; country: string; issued_on: string; expires_on: string }
export interface AddressDraft { kind: string; address: string; valid_from: string }
export interface PhoneDraft { number: string; label: string }
export interface AliasDraft { name: string; kind: string }
export interface ThirdPartyDraft { relationship: string; full_name: string; birth_date: string; contact: string; note: string }

export const emptyDocument = (): DocumentDraft => ({ type: 'passport', number: '', country: 'KG', issued_on: '', expires_on: '' });
export const emptyAddress = (today: string): AddressDraft => ({ kind: 'actual', address: '', valid_from: today });
export const emptyPhone = (): PhoneDraft => ({ number: '', label: '' });
export const emptyAlias = (): AliasDraft => ({ name: '', kind: 'spelling' });
export const emptyThirdParty = (): ThirdPartyDraft => ({ relationship: 'spouse', full_name: '', birth_date: '', contact: '', note: '' });

type Errors = Readonly<Record<string, string>>;

/** Drops empty optional values; trims the rest. */
export function compact<R extends object>(row: R): Partial<R> {
  const out: Partial<R> = {};
  for (const [k, v] of Object.entries(row) as [keyof R, unknown][]) {
    if (typeof v === 'string') {
      const s = v.trim();
      if (s) (out as Record<keyof R, unknown>)[k] = s;
    } else if (v !== null && v !== undefined) {
      (out as Record<keyof R, unknown>)[k] = v;
    }
  }
  return out;
}

/** The countries offered as suggestions (a datalist; any code may be typed). */
export function CountryList() {
  return (
    <datalist id="people-countries">
      {COUNTRY_SUGGESTIONS.map((c) => <option key={c} value={c} />)}
    </datalist>
  );
}

interface RowProps<D> {
  prefix: string;
  value: D;
  onChange: (next: D) => void;
  errors: Errors;
}

export function DocumentFields({ prefix, value, onChange, errors }: RowProps<DocumentDraft>) {
  const { t } = useI18n();
  const set = (patch: Partial<DocumentDraft>) => onChange({ ...value, ...patch });
  return (
    <div class="form-grid">
      <SelectField id={`${prefix}-type`} label={t('people.doc.type')} value={value.type} onValue={(type) => set({ type })}
        required error={errors.type} options={DOC_TYPES.map((d) => ({ value: d, label: peopleLabel(t, 'doc_type', d) }))} />
      <TextField id={`${prefix}-number`} label={t('people.doc.number')} value={value.number} onValue={(number) => set({ number })}
        required error={errors.number} autocomplete="off" spellcheck={false} autocapitalize="characters" maxLength={32} />
      <TextField id={`${prefix}-country`} label={t('people.doc.country')} value={value.country}
        onValue={(country) => set({ country: country.toUpperCase() })} optional hint={t('people.country.hint')}
        error={errors.country} autocomplete="off" spellcheck={false} maxLength={2} list="people-countries" class="input-short" />
      <DateField id={`${prefix}-issued_on`} label={t('people.doc.issued_on')} value={value.issued_on}
        onValue={(issued_on) => set({ issued_on })} optional error={errors.issued_on} />
      <DateField id={`${prefix}-expires_on`} label={t('people.doc.expires_on')} value={value.expires_on}
        onValue={(expires_on) => set({ expires_on })} optional error={errors.expires_on} />
    </div>
  );
}

export function AddressFields({ prefix, value, onChange, errors }: RowProps<AddressDraft>) {
  const { t } = useI18n();
  const set = (patch: Partial<AddressDraft>) => onChange({ ...value, ...patch });
  return (
    <div class="form-grid">
      <SelectField id={`${prefix}-kind`} label={t('people.address.kind')} value={value.kind} onValue={(kind) => set({ kind })}
        required error={errors.kind} options={ADDRESS_KINDS.map((k) => ({ value: k, label: peopleLabel(t, 'address_kind', k) }))} />
      <TextField id={`${prefix}-address`} label={t('people.address.address')} value={value.address}
        onValue={(address) => set({ address })} required error={errors.address} autocomplete="off" maxLength={500}
        class="input-wide" />
      <DateField id={`${prefix}-valid_from`} label={t('people.address.valid_from')} value={value.valid_from}
        onValue={(valid_from) => set({ valid_from })} required error={errors.valid_from} />
    </div>
  );
}

export function PhoneFields({ prefix, value, onChange, errors }: RowProps<PhoneDraft>) {
  const { t } = useI18n();
  const set = (patch: Partial<PhoneDraft>) => onChange({ ...value, ...patch });
  return (
    <div class="form-grid">
      <TextField id={`${prefix}-number`} label={t('people.phone.number')} value={value.number} onValue={(number) => set({ number })}
        required error={errors.number} autocomplete="off" hint={t('people.phone.hint')} maxLength={32} />
      <TextField id={`${prefix}-label`} label={t('people.phone.label')} value={value.label} onValue={(label) => set({ label })}
        optional error={errors.label} autocomplete="off" hint={t('people.phone.label.hint')} maxLength={100} />
    </div>
  );
}

export function AliasFields({ prefix, value, onChange, errors }: RowProps<AliasDraft>) {
  const { t } = useI18n();
  const set = (patch: Partial<AliasDraft>) => onChange({ ...value, ...patch });
  return (
    <div class="form-grid">
      <TextField id={`${prefix}-name`} label={t('people.alias.name')} value={value.name} onValue={(name) => set({ name })}
        required error={errors.name} autocomplete="off" spellcheck={false} maxLength={200} />
      <SelectField id={`${prefix}-kind`} label={t('people.alias.kind')} value={value.kind} onValue={(kind) => set({ kind })}
        required error={errors.kind} options={ALIAS_KINDS.map((k) => ({ value: k, label: peopleLabel(t, 'alias_kind', k) }))} />
    </div>
  );
}

export function ThirdPartyFields({ prefix, value, onChange, errors }: RowProps<ThirdPartyDraft>) {
  const { t } = useI18n();
  const set = (patch: Partial<ThirdPartyDraft>) => onChange({ ...value, ...patch });
  return (
    <div class="form-grid">
      <SelectField id={`${prefix}-relationship`} label={t('people.tp.relationship')} value={value.relationship}
        onValue={(relationship) => set({ relationship })} required error={errors.relationship}
        options={RELATIONSHIPS.map((r) => ({ value: r, label: peopleLabel(t, 'relationship', r) }))} />
      <TextField id={`${prefix}-full_name`} label={t('people.tp.full_name')} value={value.full_name}
        onValue={(full_name) => set({ full_name })} required error={errors.full_name} autocomplete="off" maxLength={300} />
      <DateField id={`${prefix}-birth_date`} label={t('people.birth_date')} value={value.birth_date}
        onValue={(birth_date) => set({ birth_date })} optional error={errors.birth_date} />
      <TextField id={`${prefix}-contact`} label={t('people.tp.contact')} value={value.contact}
        onValue={(contact) => set({ contact })} optional error={errors.contact} autocomplete="off" maxLength={300} />
      <TextField id={`${prefix}-note`} label={t('people.tp.note')} value={value.note} onValue={(note) => set({ note })}
        optional error={errors.note} autocomplete="off" maxLength={1000} hint={t('people.tp.note.hint')} />
    </div>
  );
}

/**
 * Fills a Latin spelling from the Cyrillic one as it is typed (GET /api/v1/transliteration),
 * until the user changes the Latin field themselves.
 */
export function useTransliteration(cyrillic: string, edited: boolean, setLatin: (latin: string) => void): void {
  const settled = useDebounced(cyrillic.trim(), 250);
  useEffect(() => {
    if (edited) return undefined;
    if (!settled) {
      setLatin('');
      return undefined;
    }
    const controller = new AbortController();
    get<{ latin: string }>(`/api/v1/transliteration${query({ text: settled })}`, { signal: controller.signal }).then(
      (r) => { if (!controller.signal.aborted && typeof r.latin === 'string') setLatin(r.latin); },
      () => { /* the user can type the Latin spelling */ },
    );
    return () => controller.abort();
  }, [settled, edited]);
}

/** The main fields of a person's record (POST and PUT /api/v1/people without the lists). */
export interface MainDraft {
  surname: string;
  given_name: string;
  patronymic: string;
  surname_latin: string;
  given_name_latin: string;
  patronymic_latin: string;
  sex: string;
  birth_date: string;
  birth_place: string;
  citizenship: string;
  languages: string[];
  preferred_language: string;
}

export const emptyMain = (): MainDraft => ({
  surname: '', given_name: '', patronymic: '', surname_latin: '', given_name_latin: '', patronymic_latin: '',
  sex: '', birth_date: '', birth_place: '', citizenship: 'KG', languages: [], preferred_language: 'ky',
});

/** The body for the main fields: trimmed, empty optional ones left out. */
export function mainBody(d: MainDraft): Record<string, unknown> {
  const body: Record<string, unknown> = compact({
    surname: d.surname, given_name: d.given_name, patronymic: d.patronymic,
    surname_latin: d.surname_latin, given_name_latin: d.given_name_latin, patronymic_latin: d.patronymic_latin,
    sex: d.sex, birth_date: d.birth_date, birth_place: d.birth_place, citizenship: d.citizenship.toUpperCase(),
    preferred_language: d.preferred_language,
  });
  body.languages = d.languages;
  return body;
}

/** Mistakes the form can see before asking the server (said the way the server says its own). */
export function mainMistakes(d: MainDraft, t: (key: 'field.required' | 'people.citizenship.bad' | 'people.birth_date.future') => string,
  today: string): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  if (!d.surname.trim()) out.push({ field: 'surname', message: t('field.required') });
  if (!d.given_name.trim()) out.push({ field: 'given_name', message: t('field.required') });
  if (!d.birth_date) out.push({ field: 'birth_date', message: t('field.required') });
  else if (d.birth_date > today) out.push({ field: 'birth_date', message: t('people.birth_date.future') });
  if (d.citizenship.trim() && !/^[A-Za-z]{2}$/.test(d.citizenship.trim())) out.push({ field: 'citizenship', message: t('people.citizenship.bad') });
  return out;
}

/** The ids of the main fields' controls, by field name (for the error summary's links). */
export const mainFieldIds = (prefix: string): Record<string, string> => Object.fromEntries(
  ['surname', 'given_name', 'patronymic', 'surname_latin', 'given_name_latin', 'patronymic_latin', 'sex', 'birth_date',
    'birth_place', 'citizenship', 'languages', 'preferred_language'].map((f) => [f, `${prefix}-${f}`]),
);

export function mainFieldLabels(t: (key: MessageKey) => string): Record<string, string> {
  return {
    surname: t('people.surname'), given_name: t('people.given_name'), patronymic: t('people.patronymic'),
    surname_latin: t('people.surname_latin'), given_name_latin: t('people.given_name_latin'),
    patronymic_latin: t('people.patronymic_latin'), sex: t('people.sex'), birth_date: t('people.birth_date'),
    birth_place: t('people.birth_place'), citizenship: t('people.citizenship'), languages: t('people.languages'),
    preferred_language: t('people.preferred_language'), unit_id: t('people.unit'),
  };
}

interface MainFieldsProps {
  prefix: string;
  value: MainDraft;
  onChange: (update: (prev: MainDraft) => MainDraft) => void;
  errors: Errors;
  /** Which Latin fields the user has changed (those are no longer filled in from the Cyrillic). */
  edited: Readonly<Record<'surname' | 'given_name' | 'patronymic', boolean>>;
  onEdited: (part: 'surname' | 'given_name' | 'patronymic', edited: boolean) => void;
  today: string;
}

const PARTS = ['surname', 'given_name', 'patronymic'] as const;

/** Names in both scripts, sex, birth, citizenship and languages (the page renders <CountryList /> once). */
export function MainFields({ prefix, value, onChange, errors, edited, onEdited, today }: MainFieldsProps) {
  const { t } = useI18n();
  const set = (patch: Partial<MainDraft>) => onChange((prev) => ({ ...prev, ...patch }));
  useTransliteration(value.surname, edited.surname, (surname_latin) => set({ surname_latin }));
  useTransliteration(value.given_name, edited.given_name, (given_name_latin) => set({ given_name_latin }));
  useTransliteration(value.patronymic, edited.patronymic, (patronymic_latin) => set({ patronymic_latin }));
  return (
    <>
      <fieldset class="fieldset">
        <legend>{t('people.names')}</legend>
        <p class="hint" id={`${prefix}-names-hint`}>{t('people.names.hint')}</p>
        <div class="name-grid">
          {PARTS.map((part) => {
            const latin = `${part}_latin` as const;
            return (
              <div class="name-pair" key={part}>
                <TextField id={`${prefix}-${part}`} label={t(`people.${part}`)} value={value[part]}
                  onValue={(v) => set({ [part]: v } as Partial<MainDraft>)} required={part !== 'patronymic'}
                  optional={part === 'patronymic'} error={errors[part]} autocomplete="off" spellcheck={false} maxLength={100} />
                <TextField id={`${prefix}-${latin}`} label={t(`people.${latin}`)} value={value[latin]}
                  onValue={(v) => { onEdited(part, v.trim() !== ''); set({ [latin]: v } as Partial<MainDraft>); }}
                  optional error={errors[latin]} autocomplete="off" spellcheck={false} maxLength={100}
                  hint={edited[part] ? undefined : t('people.latin.hint')} />
              </div>
            );
          })}
        </div>
      </fieldset>
      <div class="form-grid">
        <SelectField id={`${prefix}-sex`} label={t('people.sex')} value={value.sex} onValue={(sex) => set({ sex })} optional
          error={errors.sex}
          options={[{ value: '', label: t('people.not_stated') }, ...SEXES.map((s) => ({ value: s, label: peopleLabel(t, 'sex', s) }))]} />
        <DateField id={`${prefix}-birth_date`} label={t('people.birth_date')} value={value.birth_date}
          onValue={(birth_date) => set({ birth_date })} required error={errors.birth_date} max={today} />
        <TextField id={`${prefix}-birth_place`} label={t('people.birth_place')} value={value.birth_place}
          onValue={(birth_place) => set({ birth_place })} optional error={errors.birth_place} autocomplete="off" maxLength={200} />
        <TextField id={`${prefix}-citizenship`} label={t('people.citizenship')} value={value.citizenship}
          onValue={(c) => set({ citizenship: c.toUpperCase() })} optional hint={t('people.country.hint')}
          error={errors.citizenship} autocomplete="off" spellcheck={false} maxLength={2} list="people-countries" class="input-short" />
        <SelectField id={`${prefix}-preferred_language`} label={t('people.preferred_language')} value={value.preferred_language}
          onValue={(preferred_language) => set({ preferred_language })} error={errors.preferred_language}
          hint={t('people.preferred_language.hint')}
          options={DOC_LANGS.map((l) => ({ value: l, label: peopleLabel(t, 'language', l) }))} />
      </div>
      <CheckboxGroup id={`${prefix}-languages`} legend={t('people.languages')} selected={value.languages}
        onChange={(languages) => set({ languages })} error={errors.languages}
        options={LANGUAGE_CODES.map((l) => ({ value: l, label: peopleLabel(t, 'language', l) }))} />
    </>
  );
}
