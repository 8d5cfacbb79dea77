// /monitoring/orders — monitoring orders (the operator's all active ones, an officer's within their units):
// the person, the case, the modes ordered, the fitted device and its last contact, open alerts, the end date.
import { useState } from 'preact/hooks';
import { get, query } from '../../api';
import { SelectField, TextField } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { useDates } from '../../session';
import { formatDay } from '../cases/model';
import { MODES, codeLabel, orderPath, type Order } from './model';
import { MonitoringGate, MonitoringTabs } from './Tabs';

export function ModeList({ modes }: { modes: Order['modes'] }) {
  const { t } = useI18n();
  const on = MODES.filter((m) => modes[m]);
  return (
    <ul class="em-modes">
      {on.map((m) => <li key={m}><span class="badge badge-info">{codeLabel(t, 'em.mode', m)}</span></li>)}
    </ul>
  );
}

export function OrdersPage() {
  return <MonitoringGate tab="orders"><Orders /></MonitoringGate>;
}

function Orders() {
  const { t, lang } = useI18n();
  const dates = useDates();
  const [status, setStatus] = useState('active');
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const load = useLoad((signal) => get<{ items: Order[] }>(`/api/v1/em/orders${query({ status, q: search })}`, { signal }), [status, search]);
  return (
    <>
      <MonitoringTabs current="orders" />
      <div class="page-head"><h1 tabIndex={-1}>{t('em.orders.title')}</h1></div>
      <p class="lead">{t('em.orders.about')}</p>
      <form class="filters" role="search" onSubmit={(e) => { e.preventDefault(); setSearch(q.trim()); }}>
        <SelectField id="em-orders-status" label={t('em.orders.status')} value={status} onValue={setStatus}
          options={[{ value: 'active', label: t('em.order.status.active') }, { value: 'ended', label: t('em.order.status.ended') }]} />
        <TextField id="em-orders-q" label={t('em.orders.search')} value={q} onValue={setQ} type="search" maxLength={100} />
        <div class="button-row"><button type="submit" class="button button-secondary">{t('em.search')}</button></div>
      </form>
      <LoadState load={load}>
        {(data) => (data.items.length === 0 ? <p id="em-orders-none">{t('em.orders.none')}</p> : (
          <div class="table-wrap">
            <table class="table" id="em-orders-table">
              <caption class="visually-hidden">{t('em.orders.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('em.col.person')}</th>
                  <th scope="col">{t('em.col.modes')}</th>
                  <th scope="col">{t('em.col.device')}</th>
                  <th scope="col">{t('em.col.last_contact')}</th>
                  <th scope="col">{t('em.col.open_alerts')}</th>
                  <th scope="col">{t('em.col.ends_on')}</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((o) => (
                  <tr key={o.id} data-id={o.id}>
                    <th scope="row">
                      <Link href={orderPath(o.id)}>{o.person_name}</Link>
                      <span class="cell-sub">{t('em.case_number', { number: o.case_number })}</span>
                    </th>
                    <td><ModeList modes={o.modes} /></td>
                    <td>{o.device ? `${codeLabel(t, 'em.kind', o.device.kind)} ${o.device.identifier}` : <span class="muted">{t('em.no_device')}</span>}</td>
                    <td class="cell-nowrap">{o.device?.last_seen_at ? dates.short(o.device.last_seen_at) : <span class="muted">—</span>}</td>
                    <td>{o.open_alerts > 0 ? <span class="badge badge-bad">{o.open_alerts}</span> : '0'}</td>
                    <td class="cell-nowrap">{formatDay(o.ends_on, lang)}</td>
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
