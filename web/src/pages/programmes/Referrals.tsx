// /referrals: staff see the referrals of the cases of their units (filtered by status); a partner's
// users see "Referrals to my organisation" — only those whose share is live, each with only what it
// shares. The same table is the partner's card on the dashboard.
import { useState } from 'preact/hooks';
import { get, query } from '../../api';
import { SelectField } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { useSession } from '../../session';
import { formatDay } from '../cases/model';
import {
  ProgrammesNav, ReferralStatusBadge, ShareUntil, codeLabel, sharedName, statusLabel, useReferralReference,
  type Referral, type ReferralReference,
} from './model';

export function ReferralsTable({ items, reference, id }: { items: Referral[]; reference: ReferralReference | undefined; id: string }) {
  const { t, lang } = useI18n();
  return (
    <div class="table-wrap prog-stack-wrap">
      <table class="table prog-table" id={id}>
        <caption class="visually-hidden">{t('ref.list.title')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('ref.person')}</th>
            <th scope="col">{t('ref.programme')}</th>
            <th scope="col">{t('ref.status')}</th>
            <th scope="col">{t('ref.referred_on')}</th>
            <th scope="col">{t('ref.share_until')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((r) => (
            <tr key={r.id} data-id={r.id} data-status={r.status}>
              <th scope="row">
                <Link href={`/referrals/${encodeURIComponent(r.id)}`}>
                  {r.person_name || sharedName(r.person) || t('ref.name_not_shared')}
                </Link>
                <span class="cell-sub">{r.case_number ?? r.person?.case_number ?? ''}</span>
              </th>
              <td data-label={t('ref.programme')}>{r.programme_name}
                <span class="cell-sub">{codeLabel(t, 'prog.type', r.programme_type)} · {r.partner_name}</span></td>
              <td data-label={t('ref.status')}><ReferralStatusBadge code={r.status} reference={reference} /></td>
              <td data-label={t('ref.referred_on')} class="cell-nowrap">{formatDay(r.referred_on, lang)}</td>
              <td data-label={t('ref.share_until')} class="cell-nowrap"><ShareUntil referral={r} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ReferralsListPage() {
  const { t, lang } = useI18n();
  const { can } = useSession();
  const partner = can('referrals.provide');
  const reference = useReferralReference();
  const [status, setStatus] = useState(() => new URLSearchParams(location.search).get('status') ?? '');
  const list = useLoad((signal) => get<{ items: Referral[] }>(`/api/v1/referrals${query({ status })}`, { signal }), [status]);
  const statuses = [...(reference.data?.statuses ?? [])].sort((a, b) => a.position - b.position);
  return (
    <>
      <ProgrammesNav current="referrals" />
      <h1 tabIndex={-1}>{t(partner ? 'ref.list.partner' : 'ref.list.title')}</h1>
      <p class="lead">{t(partner ? 'ref.list.partner.about' : 'ref.list.about')}</p>
      <form class="filters" role="search" aria-label={t('prog.filters')} onSubmit={(e) => e.preventDefault()}>
        <SelectField id="ref-filter-status" label={t('ref.status')} value={status}
          onValue={(v) => { setStatus(v); history.replaceState(null, '', `${location.pathname}${query({ status: v })}`); }}
          options={[{ value: '', label: t('prog.any') }, ...statuses.map((s) => ({ value: s.code, label: statusLabel(reference.data, s.code, lang) }))]} />
      </form>
      <LoadState load={list}>
        {(data) => (data.items.length === 0 ? <p id="ref-none">{t('ref.none')}</p>
          : <ReferralsTable items={data.items} reference={reference.data} id="ref-list" />)}
      </LoadState>
    </>
  );
}

/** The partner's dashboard card: the referrals to its organisation, open ones first. */
export function PartnerReferralsCard() {
  const { t } = useI18n();
  const reference = useReferralReference();
  const list = useLoad((signal) => get<{ items: Referral[] }>('/api/v1/referrals', { signal }), []);
  const terminal = (code: string) => reference.data?.statuses.some((s) => s.code === code && (s.is_terminal === true || s.is_terminal === 1));
  return (
    <section class="card" aria-labelledby="partner-referrals-title" id="partner-referrals">
      <div class="card-head">
        <h2 id="partner-referrals-title">{t('ref.list.partner')}</h2>
        <Link href="/referrals">{t('ref.all')}</Link>
      </div>
      <LoadState load={list}>
        {(data) => {
          const open = data.items.filter((r) => !terminal(r.status));
          return open.length === 0 ? <p>{t('ref.none.open')}</p>
            : <ReferralsTable items={open} reference={reference.data} id="partner-referrals-list" />;
        }}
      </LoadState>
    </section>
  );
}
