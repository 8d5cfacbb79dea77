// Returnee families on a person's page (the family-and-third-parties section): whether a family
// member returned with the person and from which country, their own person record when they have
// one, whether the entry is restricted (only the person's own unit sees it, and every view of it is
// logged), and, for a child, a child-protection referral (date, agency, note) shown as a flag.
import type { JSX } from 'preact';
import { useEffect } from 'preact/hooks';
import type { Agency } from '../../api';
import { SelectField, TextAreaField } from '../../components/Form';
import { Link } from '../../components/Link';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { DateField } from '../cases/Fields';
import { formatDay } from '../cases/model';
import { PersonPicker, type PersonHit, type ThirdParty } from '../people/common';
import { ThirdPartyFields, type ThirdPartyDraft } from '../people/fields';
import { countryName, countryOptions, loadOrg, truthy } from './model';

/** A third party with the returnee-family fields (GET /people/{id}/third-parties). */
export interface FamilyMember extends ThirdParty {
  linked_person_id?: string | null;
  linked_person_name?: string | null;
  returnee?: boolean | number;
  returned_from?: string | null;
  restricted?: boolean | number;
  child_protection?: boolean | number;
  child_protection_on?: string | null;
  child_protection_agency_id?: string | null;
  child_protection_agency_name?: string | null;
  child_protection_note?: string | null;
  version?: number;
}

export interface FamilyDraft extends ThirdPartyDraft {
  returnee: boolean;
  returned_from: string;
  linked_person_id: string;
  /** The linked record as the picker shows it. */
  linked: PersonHit | null;
  restricted: boolean;
  child_protection: boolean;
  child_protection_on: string;
  child_protection_agency_id: string;
  child_protection_note: string;
}

export const emptyFamily = (): FamilyDraft => ({
  relationship: 'spouse', full_name: '', birth_date: '', contact: '', note: '', returnee: false, returned_from: '', linked_person_id: '', linked: null,
  restricted: false, child_protection: false, child_protection_on: '', child_protection_agency_id: '', child_protection_note: '',
});

export function familyDraft(p: FamilyMember): FamilyDraft {
  return {
    relationship: p.relationship, full_name: p.full_name, birth_date: p.birth_date ?? '', contact: p.contact ?? '', note: p.note ?? '',
    returnee: truthy(p.returnee), returned_from: (p.returned_from ?? '').toUpperCase(), linked_person_id: p.linked_person_id ?? '',
    linked: p.linked_person_id ? linkedHit(p.linked_person_id, p.linked_person_name ?? '') : null,
    restricted: truthy(p.restricted), child_protection: truthy(p.child_protection), child_protection_on: p.child_protection_on ?? '',
    child_protection_agency_id: p.child_protection_agency_id ?? '', child_protection_note: p.child_protection_note ?? '',
  };
}

/** A picker entry for a record known only by its id and name. */
function linkedHit(id: string, name: string): PersonHit {
  return { id, surname: name || id, given_name: '', patronymic: null, surname_latin: null, given_name_latin: null, patronymic_latin: null,
    birth_date: null, sex: null, unit_name: null, score: 0, match: '', open_cases: 0 };
}

/** The request body; for a new entry (POST) empty values are left out, for a change (PUT) they are sent as null. */
export function familyBody(d: FamilyDraft, change: boolean): Record<string, unknown> {
  const s = (v: string) => (v.trim() ? v.trim() : null);
  const child = d.relationship === 'child' && d.child_protection;
  const body: Record<string, unknown> = {
    relationship: d.relationship, full_name: d.full_name.trim(), birth_date: s(d.birth_date), contact: s(d.contact), note: s(d.note),
    linked_person_id: s(d.linked_person_id), returnee: d.returnee, returned_from: d.returnee ? s(d.returned_from.toUpperCase()) : null,
    restricted: d.restricted, child_protection: child,
    child_protection_on: child ? s(d.child_protection_on) : null,
    child_protection_agency_id: child ? s(d.child_protection_agency_id) : null,
    child_protection_note: child ? s(d.child_protection_note) : null,
  };
  if (!change) for (const k of Object.keys(body)) if (body[k] === null) delete body[k];
  return body;
}

type T = (key: Parameters<ReturnType<typeof useI18n>['t']>[0], params?: Record<string, string | number>) => string;

/** What the form refuses before sending. */
export function familyMistakes(t: T, d: FamilyDraft): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  if (!d.full_name.trim()) out.push({ field: 'full_name', message: t('field.required') });
  if (d.returnee && d.returned_from.trim() && !/^[A-Za-z]{2}$/.test(d.returned_from.trim())) {
    out.push({ field: 'returned_from', message: t('rel.family.country.format') });
  }
  if (d.relationship === 'child' && d.child_protection) {
    if (!d.child_protection_on) out.push({ field: 'child_protection_on', message: t('field.required') });
    if (d.child_protection_note.trim().length < 3) out.push({ field: 'child_protection_note', message: t('rel.family.cp.note.required') });
  }
  return out;
}

interface RowProps {
  prefix: string;
  value: FamilyDraft;
  onChange: (next: FamilyDraft) => void;
  errors: Readonly<Record<string, string>>;
}

/** The third party's own fields and then the returnee-family ones. */
export function FamilyFields({ prefix, value, onChange, errors }: RowProps): JSX.Element {
  const { t, lang } = useI18n();
  const org = useLoad(() => loadOrg(), []);
  const set = (patch: Partial<FamilyDraft>) => onChange({ ...value, ...patch });
  const child = value.relationship === 'child';
  useEffect(() => {
    if (!child && value.child_protection) set({ child_protection: false });
  }, [child]);
  const agencies: Agency[] = org.data?.agencies ?? [];
  return (
    <>
      <ThirdPartyFields prefix={prefix} value={value} onChange={(next) => onChange({ ...value, ...next })} errors={errors} />
      <fieldset class="field rel-rows" id={`${prefix}-family`}>
        <legend>{t('rel.family.title')}</legend>
        <div class="checkbox">
          <input type="checkbox" id={`${prefix}-returnee`} checked={value.returnee} onChange={(e) => set({ returnee: e.currentTarget.checked })} />
          <label for={`${prefix}-returnee`}>{t('rel.family.returnee')}<span class="checkbox-about">{t('rel.family.returnee.about')}</span></label>
        </div>
        {value.returnee ? (
          <div class="form-grid">
            <SelectField id={`${prefix}-returned_from`} label={t('rel.family.returned_from')} value={value.returned_from}
              onValue={(returned_from) => set({ returned_from })} optional hint={t('rel.family.returned_from.hint')} error={errors.returned_from}
              options={[{ value: '', label: t('rel.family.country.unknown') }, ...countryOptions(lang)]} />
          </div>
        ) : null}
        <PersonPicker id={`${prefix}-linked_person_id`} label={t('rel.family.linked')} value={value.linked}
          onChange={(hit) => set({ linked: hit, linked_person_id: hit?.id ?? '' })} error={errors.linked_person_id} />
        <div class="checkbox">
          <input type="checkbox" id={`${prefix}-restricted`} checked={value.restricted} aria-describedby={`${prefix}-restricted-about`}
            onChange={(e) => set({ restricted: e.currentTarget.checked })} />
          <label for={`${prefix}-restricted`}>{t('rel.family.restricted')}
            <span class="checkbox-about" id={`${prefix}-restricted-about`}>{t('rel.family.restricted.about')}</span></label>
        </div>
        {child ? (
          <>
            <div class="checkbox">
              <input type="checkbox" id={`${prefix}-child_protection`} checked={value.child_protection}
                onChange={(e) => set({ child_protection: e.currentTarget.checked })} />
              <label for={`${prefix}-child_protection`}>{t('rel.family.cp')}<span class="checkbox-about">{t('rel.family.cp.about')}</span></label>
            </div>
            {value.child_protection ? (
              <>
                <div class="form-grid">
                  <DateField id={`${prefix}-child_protection_on`} label={t('rel.family.cp.on')} value={value.child_protection_on}
                    onValue={(child_protection_on) => set({ child_protection_on })} error={errors.child_protection_on} />
                  <SelectField id={`${prefix}-child_protection_agency_id`} label={t('rel.family.cp.agency')} optional
                    value={value.child_protection_agency_id} onValue={(child_protection_agency_id) => set({ child_protection_agency_id })}
                    error={errors.child_protection_agency_id}
                    options={[{ value: '', label: t('rel.pick') }, ...agencies.map((a) => ({ value: a.id, label: a.name }))]} />
                </div>
                <TextAreaField id={`${prefix}-child_protection_note`} label={t('rel.family.cp.note')} value={value.child_protection_note}
                  onValue={(child_protection_note) => set({ child_protection_note })} rows={2} min={3} max={2000}
                  error={errors.child_protection_note} />
              </>
            ) : null}
          </>
        ) : null}
      </fieldset>
    </>
  );
}

/** The labels of the returnee-family fields, for an error summary. */
export function familyLabels(t: T): Record<string, string> {
  return {
    returned_from: t('rel.family.returned_from'), linked_person_id: t('rel.family.linked'), restricted: t('rel.family.restricted'),
    returnee: t('rel.family.returnee'), child_protection: t('rel.family.cp'), child_protection_on: t('rel.family.cp.on'),
    child_protection_agency_id: t('rel.family.cp.agency'), child_protection_note: t('rel.family.cp.note'),
  };
}

/** The flags of one entry in the list: returnee, restricted, child-protection referral, linked record. */
export function FamilyFlags({ p }: { p: FamilyMember }) {
  const { t, lang } = useI18n();
  const org = useLoad(() => loadOrg().catch(() => null), []);
  const agency = p.child_protection_agency_name
    ?? org.data?.agencies.find((a) => a.id === p.child_protection_agency_id)?.name ?? '';
  const returnee = truthy(p.returnee);
  const restricted = truthy(p.restricted);
  const cp = truthy(p.child_protection);
  if (!returnee && !restricted && !cp && !p.linked_person_id) return <>—</>;
  return (
    <div class="tp-family" data-id={p.id}>
      <div class="tp-flags">
        {returnee ? <span class="badge badge-info tp-returnee">{p.returned_from
          ? t('rel.family.returnee.from', { country: countryName(p.returned_from, lang) }) : t('rel.family.returnee')}</span> : null}
        {restricted ? <span class="badge badge-warn tp-restricted" title={t('rel.family.restricted.about')}>{t('rel.family.restricted.badge')}</span> : null}
        {cp ? <span class="badge badge-bad tp-child-protection">{t('rel.family.cp.flag')}</span> : null}
      </div>
      {cp ? (
        <p class="cell-sub tp-cp-detail">{[p.child_protection_on ? formatDay(p.child_protection_on, lang) : '', agency, p.child_protection_note ?? '']
          .filter(Boolean).join(' · ')}</p>
      ) : null}
      {p.linked_person_id ? (
        <p class="cell-sub"><Link href={`/people/${encodeURIComponent(p.linked_person_id)}`} class="tp-linked">
          {p.linked_person_name ? t('rel.family.linked.named', { name: p.linked_person_name }) : t('rel.family.linked.open')}</Link></p>
      ) : null}
    </div>
  );
}

/** "n restricted entries hidden" when the API held some back from the caller. */
export function RestrictedHidden({ n }: { n: number | undefined }) {
  const { t } = useI18n();
  if (!n) return null;
  return <p class="notice" id="person-tp-hidden">{t('rel.family.hidden', { n })}</p>;
}
