// /programmes: the programme catalogue. Filters by type, language, provider and open/closed (kept in
// the address); each programme with its provider, languages, schedule, free places and how many
// wait. "New programme" for programmes.manage. A partner's catalogue holds its own programmes only.
import { useState } from 'preact/hooks';
import { get, query } from '../../api';
import { SelectField } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { useSession } from '../../session';
import {
  PROGRAMME_LANGUAGES, PROGRAMME_TYPES, ProgrammesNav, codeLabel, type Partner, type Programme,
} from './model';

interface Filters {
  type: string;
  language: string;
  provider: string;
  status: string;
}

function readFilters(): Filters {
  const q = new URLSearchParams(location.search);
  return { type: q.get('type') ?? '', language: q.get('language') ?? '', provider: q.get('provider') ?? '', status: q.get('status') ?? 'open' };
}

/** "5 of 12 places free" and the waiting count. */
export function PlacesText({ p }: { p: Pick<Programme, 'places' | 'places_free' | 'waiting'> }) {
  const { t } = useI18n();
  return (
    <>
      <span class={p.places_free > 0 ? 'prog-places' : 'prog-places is-full'}>{t('prog.places.free', { free: p.places_free, places: p.places })}</span>
      {p.waiting > 0 ? <span class="cell-sub">{t('prog.places.waiting', { n: p.waiting })}</span> : null}
    </>
  );
}

export function CataloguePage() {
  const { t } = useI18n();
  const { can } = useSession();
  const [f, setF] = useState<Filters>(readFilters);
  const set = (k: keyof Filters, v: string) => {
    const next = { ...f, [k]: v };
    setF(next);
    history.replaceState(null, '', `${location.pathname}${query({ ...next, status: next.status === 'open' ? '' : next.status })}`);
  };
  const list = useLoad((signal) => get<{ items: Programme[] }>(`/api/v1/programmes${query({
    type: f.type, language: f.language, provider: f.provider, status: f.status,
  })}`, { signal }), [f.type, f.language, f.provider, f.status]);
  const partners = useLoad((signal) => get<{ items: Partner[] }>('/api/v1/partners', { signal }), []);
  const providers = [...(partners.data?.items ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <>
      <ProgrammesNav current="catalogue" />
      <div class="page-head">
        <h1 tabIndex={-1}>{t('section.programmes')}</h1>
        {can('programmes.manage') ? <Link href="/programmes/new" class="button" >{t('prog.new')}</Link> : null}
      </div>
      <p class="lead">{t(can('referrals.provide') ? 'prog.catalogue.about.partner' : 'prog.catalogue.about')}</p>
      <form class="filters" role="search" aria-label={t('prog.filters')} onSubmit={(e) => e.preventDefault()}>
        <SelectField id="prog-filter-type" label={t('prog.type')} value={f.type} onValue={(v) => set('type', v)}
          options={[{ value: '', label: t('prog.any') }, ...PROGRAMME_TYPES.map((x) => ({ value: x, label: codeLabel(t, 'prog.type', x) }))]} />
        <SelectField id="prog-filter-language" label={t('prog.language')} value={f.language} onValue={(v) => set('language', v)}
          options={[{ value: '', label: t('prog.any') }, ...PROGRAMME_LANGUAGES.map((x) => ({ value: x, label: codeLabel(t, 'prog.lang', x) }))]} />
        {providers.length > 1 ? (
          <SelectField id="prog-filter-provider" label={t('prog.provider')} value={f.provider} onValue={(v) => set('provider', v)}
            options={[{ value: '', label: t('prog.any') }, ...providers.map((x) => ({ value: x.id, label: x.name }))]} />
        ) : null}
        <SelectField id="prog-filter-status" label={t('prog.status')} value={f.status} onValue={(v) => set('status', v)}
          options={[{ value: 'open', label: t('prog.status.open') }, { value: 'closed', label: t('prog.status.closed') },
            { value: 'all', label: t('prog.status.all') }]} />
      </form>
      <LoadState load={list}>
        {(data) => (data.items.length === 0 ? <p id="prog-none">{t('prog.none')}</p> : (
          <div class="table-wrap prog-stack-wrap">
            <table class="table prog-table" id="prog-list">
              <caption class="visually-hidden">{t('prog.catalogue')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('prog.name')}</th>
                  <th scope="col">{t('prog.type')}</th>
                  <th scope="col">{t('prog.provider')}</th>
                  <th scope="col">{t('prog.language')}</th>
                  <th scope="col">{t('prog.places')}</th>
                  <th scope="col">{t('prog.schedule')}</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((p) => (
                  <tr key={p.id} data-id={p.id}>
                    <th scope="row">
                      <Link href={`/programmes/${encodeURIComponent(p.id)}`}>{p.name}</Link>
                      {p.status === 'closed' ? <>{' '}<span class="badge badge-off">{t('prog.status.closed')}</span></> : null}
                    </th>
                    <td data-label={t('prog.type')}>{codeLabel(t, 'prog.type', p.type)}</td>
                    <td data-label={t('prog.provider')}>{p.provider_name}
                      {p.provider_kind ? <span class="cell-sub">{codeLabel(t, 'partner.kind', p.provider_kind)}</span> : null}</td>
                    <td data-label={t('prog.language')}>{p.languages.map((l) => codeLabel(t, 'prog.lang', l)).join(', ')}</td>
                    <td data-label={t('prog.places')}><PlacesText p={p} /></td>
                    <td data-label={t('prog.schedule')}>{p.schedule}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      </LoadState>
    </>
  );
}
