// /monitoring/devices — the device inventory: filters by status and identifier, register a device, change a
// device's status (in stock, faulty, retired), and the identifiers that sent messages but are not in the
// inventory (refused), each with "register this identifier" filling in the form.
import { useState } from 'preact/hooks';
import { get, query, request } from '../../api';
import { FormError, SelectField, Success, TextField } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { fieldErrors } from '../../problems';
import { useDates, useSession } from '../../session';
import { DEVICE_KINDS, DEVICE_STATUSES, PROTOCOLS, codeLabel, orderPath, type Device, type UnknownDevice } from './model';
import { MonitoringGate, MonitoringTabs } from './Tabs';

export function DevicesPage() {
  return <MonitoringGate tab="devices"><Devices /></MonitoringGate>;
}

function Devices() {
  const { t } = useI18n();
  const { can } = useSession();
  const dates = useDates();
  const [status, setStatus] = useState('');
  const [q, setQ] = useState('');
  const [search, setSearch] = useState('');
  const [prefill, setPrefill] = useState<UnknownDevice | null>(null);
  const [form, setForm] = useState(false);
  const [done, setDone] = useState('');
  const load = useLoad((signal) => get<{ items: Device[]; next_cursor: string | null }>(`/api/v1/em/devices${query({ status, q: search, limit: 200 })}`, { signal }), [status, search]);
  const manage = can('em.devices');
  const unknown = useLoad((signal) => (manage ? get<{ items: UnknownDevice[] }>('/api/v1/em/unknown-devices', { signal }) : Promise.resolve({ items: [] })), [manage]);
  const changed = (text: string) => { setDone(text); setForm(false); setPrefill(null); load.reload(); unknown.reload(); };
  return (
    <>
      <MonitoringTabs current="devices" />
      <div class="page-head">
        <h1 tabIndex={-1}>{t('em.devices.title')}</h1>
        {manage && !form ? <button type="button" class="button" id="em-device-new" onClick={() => { setForm(true); setDone(''); }}>{t('em.device.new')}</button> : null}
      </div>
      {done ? <Success><p id="em-devices-done">{done}</p></Success> : null}
      {form ? <DeviceForm key={prefill?.identifier ?? ''} prefill={prefill} onCancel={() => { setForm(false); setPrefill(null); }} onSaved={() => changed(t('em.device.created'))} /> : null}
      <form class="filters" role="search" onSubmit={(e) => { e.preventDefault(); setSearch(q.trim()); }}>
        <SelectField id="em-devices-status" label={t('em.device.status')} value={status} onValue={setStatus}
          options={[{ value: '', label: t('em.any') }, ...DEVICE_STATUSES.map((s) => ({ value: s, label: codeLabel(t, 'em.device.status', s) }))]} />
        <TextField id="em-devices-q" label={t('em.device.identifier')} value={q} onValue={setQ} type="search" maxLength={64} />
        <div class="button-row"><button type="submit" class="button button-secondary">{t('em.search')}</button></div>
      </form>
      <LoadState load={load}>
        {(data) => (data.items.length === 0 ? <p id="em-devices-none">{t('em.devices.none')}</p> : (
          <div class="table-wrap">
            <table class="table" id="em-devices-table">
              <caption class="visually-hidden">{t('em.devices.title')}</caption>
              <thead><tr><th scope="col">{t('em.device.identifier')}</th><th scope="col">{t('em.device.kind')}</th><th scope="col">{t('em.device.protocol')}</th><th scope="col">{t('em.device.status')}</th><th scope="col">{t('em.col.last_contact')}</th><th scope="col">{t('em.device.fitted_to')}</th></tr></thead>
              <tbody>
                {data.items.map((d) => (
                  <tr key={d.id} data-id={d.id}>
                    <th scope="row">{d.identifier}{d.model ? <span class="cell-sub">{d.model}</span> : null}</th>
                    <td>{codeLabel(t, 'em.kind', d.kind)}</td>
                    <td>{codeLabel(t, 'em.protocol', d.protocol)}</td>
                    <td>{manage && d.status !== 'assigned' ? <StatusChange device={d} onDone={changed} /> : codeLabel(t, 'em.device.status', d.status)}</td>
                    <td class="cell-nowrap">{d.last_seen_at ? dates.short(d.last_seen_at) : '—'}{d.battery_pct != null ? <span class="cell-sub">{t('em.position.battery', { n: d.battery_pct })}</span> : null}</td>
                    <td>{d.fitting ? <Link href={orderPath(d.fitting.order_id)}>{d.fitting.person_name} · {d.fitting.case_number}</Link> : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      </LoadState>
      {manage ? (
        <section class="card" aria-labelledby="em-unknown-heading" id="em-unknown">
          <h2 id="em-unknown-heading">{t('em.unknown.title')}</h2>
          <p class="hint">{t('em.unknown.about')}</p>
          {(unknown.data?.items ?? []).length === 0 ? <p>{t('em.unknown.none')}</p> : (
            <ul id="em-unknown-list">
              {(unknown.data?.items ?? []).map((u) => (
                <li key={`${u.protocol}:${u.identifier}`}>
                  {u.identifier} · {codeLabel(t, 'em.protocol', u.protocol)}{u.last_seen_at ? ` · ${dates.short(u.last_seen_at)}` : ''}{u.messages != null ? ` · ${t('em.unknown.count', { n: u.messages })}` : ''}{u.last_address ? ` · ${u.last_address}` : ''}{' '}
                  <button type="button" class="button button-small button-secondary" onClick={() => { setPrefill(u); setForm(true); setDone(''); }}>{t('em.unknown.register')}</button>
                </li>
              ))}
            </ul>
          )}
        </section>
      ) : null}
    </>
  );
}

function StatusChange({ device: d, onDone }: { device: Device; onDone: (text: string) => void }) {
  const { t } = useI18n();
  const { busy, error, run } = useAction();
  return (
    <>
      <label class="visually-hidden" for={`em-dev-status-${d.id}`}>{t('em.device.status.of', { identifier: d.identifier })}</label>
      <select id={`em-dev-status-${d.id}`} class="input em-status-select" value={d.status} disabled={busy} onChange={(e) => {
        const status = e.currentTarget.value;
        void run(async () => {
          await request('PUT', `/api/v1/em/devices/${encodeURIComponent(d.id)}`, { body: { status }, ifMatch: String(d.version) });
          onDone(t('em.saved'));
        });
      }}>
        {['in_stock', 'faulty', 'retired'].map((s) => <option key={s} value={s}>{codeLabel(t, 'em.device.status', s)}</option>)}
      </select>
      <FormError error={error} />
    </>
  );
}

function DeviceForm({ prefill, onCancel, onSaved }: { prefill: UnknownDevice | null; onCancel: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<string>(prefill?.protocol === 'osmand' ? 'phone' : 'ankle_tag');
  const [identifier, setIdentifier] = useState(prefill?.identifier ?? '');
  const [protocol, setProtocol] = useState<string>(prefill?.protocol ?? 'gt06');
  const [model, setModel] = useState('');
  const [phone, setPhone] = useState('');
  const { busy, error, run } = useAction();
  const fe = fieldErrors(error, t);
  const ids = { kind: 'em-dev-kind', identifier: 'em-dev-identifier', protocol: 'em-dev-protocol', model: 'em-dev-model', phone_number: 'em-dev-phone' };
  return (
    <form class="form" noValidate id="em-device-form" onSubmit={(e) => {
      e.preventDefault();
      void run(async () => {
        await request('POST', '/api/v1/em/devices', { body: { kind, identifier: identifier.trim(), protocol, ...(model.trim() ? { model: model.trim() } : {}), ...(phone.trim() ? { phone_number: phone.trim() } : {}) } });
        onSaved();
      });
    }}>
      <h2>{t('em.device.new')}</h2>
      <FormError error={error} fields={ids} labels={{ kind: t('em.device.kind'), identifier: t('em.device.identifier'), protocol: t('em.device.protocol'), model: t('em.device.model'), phone_number: t('em.device.phone') }} />
      <SelectField id={ids.kind} label={t('em.device.kind')} value={kind} onValue={setKind} error={fe.kind}
        options={DEVICE_KINDS.map((k) => ({ value: k, label: codeLabel(t, 'em.kind', k) }))} />
      <TextField id={ids.identifier} label={t('em.device.identifier')} value={identifier} onValue={setIdentifier} maxLength={64} error={fe.identifier} hint={t('em.device.identifier.hint')} />
      <SelectField id={ids.protocol} label={t('em.device.protocol')} value={protocol} onValue={setProtocol} error={fe.protocol}
        options={PROTOCOLS.map((p) => ({ value: p, label: codeLabel(t, 'em.protocol', p) }))} />
      <TextField id={ids.model} label={t('em.device.model')} value={model} onValue={setModel} maxLength={100} optional error={fe.model} />
      <TextField id={ids.phone_number} label={t('em.device.phone')} value={phone} onValue={setPhone} maxLength={32} optional error={fe.phone_number} />
      <div class="button-row">
        <button type="submit" class="button" id="em-device-submit" disabled={busy}>{t('em.device.submit')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}
