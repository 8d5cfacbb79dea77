// /admin/partners: partner organisations (NGOs, religious organisations, employers, schools, health
// services, psychologists, local government) — list, register (which makes the agency of kind
// partner and its profile), and change a profile. Needs partners.manage.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, request } from '../../api';
import { FormError, SelectField, Success, TextAreaField, TextField } from '../../components/Form';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { fieldErrors } from '../../problems';
import { localProblem } from '../cases/Decisions';
import { PARTNER_KINDS, codeLabel, type Partner } from '../programmes/model';
import { AdminNav } from './AdminHome';
import { getVersioned } from './common';

export function PartnersPage() {
  const { t } = useI18n();
  const list = useLoad((signal) => get<{ items: Partner[] }>('/api/v1/partners', { signal }), []);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <>
      <AdminNav current="partners" />
      <div class="page-head">
        <h1 tabIndex={-1}>{t('admin.partners')}</h1>
        {!creating ? (
          <button type="button" class="button" id="partner-new" onClick={() => { setCreating(true); setEditing(null); setNotice(null); }}>
            {t('partner.new')}
          </button>
        ) : null}
      </div>
      <p class="lead">{t('admin.partners.about')}</p>
      {notice ? <Success><p id="partner-notice">{notice}</p></Success> : null}
      {creating ? (
        <section class="card" aria-labelledby="partner-new-heading">
          <h2 id="partner-new-heading">{t('partner.new')}</h2>
          <PartnerForm onCancel={() => setCreating(false)}
            onSaved={(p) => { setCreating(false); setNotice(t('partner.created', { name: p.name })); list.reload(); }} />
        </section>
      ) : null}
      {editing ? (
        <PartnerEditor key={editing} id={editing}
          onClose={() => { const id = editing; setEditing(null); window.setTimeout(() => document.getElementById(`edit-${id}`)?.focus(), 0); }}
          onSaved={(p) => { setEditing(null); setNotice(t('partner.saved', { name: p.name })); list.reload(); }} />
      ) : null}
      <LoadState load={list}>
        {(data) => (data.items.length === 0 ? <p id="partners-none">{t('partner.none')}</p> : (
          <div class="table-wrap" role="region" aria-labelledby="partners-caption" tabIndex={0}>
            <table class="table" id="partners-table">
              <caption id="partners-caption" class="visually-hidden">{t('admin.partners')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('partner.name')}</th>
                  <th scope="col">{t('partner.kind')}</th>
                  <th scope="col">{t('partner.contact')}</th>
                  <th scope="col">{t('partner.programmes')}</th>
                  <th scope="col"><span class="visually-hidden">{t('table.actions')}</span></th>
                </tr>
              </thead>
              <tbody>
                {[...data.items].sort((a, b) => a.name.localeCompare(b.name)).map((p) => (
                  <tr key={p.id} data-id={p.id} class={p.id === editing ? 'is-selected' : undefined}>
                    <th scope="row">{p.name}</th>
                    <td>{codeLabel(t, 'partner.kind', p.partner_kind)}</td>
                    <td>{[p.contact_name, p.phone, p.email].filter(Boolean).join(' · ') || '—'}</td>
                    <td>{typeof p.programmes === 'number' ? p.programmes : p.programmes.length}</td>
                    <td class="cell-actions">
                      <button type="button" id={`edit-${p.id}`} class="button button-secondary button-small"
                        onClick={() => { setEditing(p.id); setCreating(false); setNotice(null); }}>
                        {t('action.edit')}<span class="visually-hidden"> {p.name}</span>
                      </button>
                    </td>
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

function PartnerEditor({ id, onClose, onSaved }: { id: string; onClose: () => void; onSaved: (p: Partner) => void }) {
  const { t } = useI18n();
  const record = useLoad(() => getVersioned<Partner>(`/api/v1/partners/${encodeURIComponent(id)}`), [id]);
  return (
    <section class="card card-editor" aria-labelledby="partner-edit-heading">
      <h2 id="partner-edit-heading">{record.data ? t('partner.edit_title', { name: record.data.data.name }) : t('action.edit')}</h2>
      <LoadState load={record}>
        {({ data, version }) => (
          <PartnerForm key={version} initial={data} version={version} onCancel={onClose} onSaved={onSaved} onStale={record.reload} />
        )}
      </LoadState>
    </section>
  );
}

interface FormProps {
  initial?: Partner;
  version?: string;
  onCancel: () => void;
  onSaved: (p: Partner) => void;
  onStale?: () => void;
}

function PartnerForm({ initial, version, onCancel, onSaved, onStale }: FormProps) {
  const { t } = useI18n();
  const px = initial ? 'partner-edit' : 'partner-new';
  const [v, setV] = useState({
    name: initial?.name ?? '', partner_kind: initial?.partner_kind ?? '', contact_name: initial?.contact_name ?? '',
    phone: initial?.phone ?? '', email: initial?.email ?? '', address: initial?.address ?? '', note: initial?.note ?? '',
  });
  const set = (k: keyof typeof v) => (x: string) => setV((o) => ({ ...o, [k]: x }));
  const { busy, error: serverError, run } = useAction();
  const [attempt, setAttempt] = useState(0);
  // Checked here before sending, each message at its field in the UI language.
  const mistakes: { field: string; message: string }[] = [];
  if (!v.name.trim()) mistakes.push({ field: 'name', message: t('field.required') });
  if (!v.partner_kind) mistakes.push({ field: 'partner_kind', message: t('partner.kind.choose') });
  if (v.email.trim() && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.email.trim())) mistakes.push({ field: 'email', message: t('partner.email.invalid') });
  const taken = serverError instanceof ApiError && serverError.slug === 'name-taken';
  let error: unknown = attempt > 0 && mistakes.length ? localProblem(mistakes) : serverError;
  if (error === serverError && taken) {
    // A 409: the name is the field at fault.
    error = localProblem([{ field: 'name', message: t('partner.name_taken') }]);
  } else if (error === serverError && serverError instanceof ApiError && serverError.problem?.errors.some((e) => e.field === 'partner_kind')) {
    // The server lists the kind codes; say it in words instead.
    error = localProblem(serverError.problem.errors.map((e) => (e.field === 'partner_kind' ? { field: e.field, message: t('partner.kind.choose') } : e)));
  }
  const fe = fieldErrors(error, t);
  const stale = serverError instanceof ApiError && serverError.status === 412;
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const ids = Object.fromEntries(Object.keys(v).map((k) => [k, `${px}-${k}`])) as Record<keyof typeof v, string>;
  const labels = {
    name: t('partner.name'), partner_kind: t('partner.kind'), contact_name: t('partner.contact_name'), phone: t('partner.phone'),
    email: t('partner.email'), address: t('partner.address'), note: t('partner.note'),
  };
  return (
    <form class="form" noValidate onSubmit={(e) => {
      e.preventDefault();
      setAttempt((n) => n + 1);
      if (mistakes.length) return;
      void run(async () => {
        const opt = (s: string) => s.trim() || null;
        const body = {
          name: v.name.trim(), partner_kind: v.partner_kind, contact_name: opt(v.contact_name), phone: opt(v.phone), email: opt(v.email),
          address: opt(v.address), note: opt(v.note),
        };
        const r = initial
          ? await request<Partner>('PUT', `/api/v1/partners/${encodeURIComponent(initial.id)}`, { body, ifMatch: version ?? null })
          : await request<Partner>('POST', '/api/v1/partners', { body });
        onSaved(r.data ?? { ...(initial as Partner), ...body });
      });
    }}>
      <FormError error={error} focusKey={attempt} fields={ids} labels={labels} message={taken ? t('partner.name_taken') : undefined}>
        {stale && onStale ? <button type="button" class="button" onClick={onStale}>{t('action.reload')}</button> : null}
      </FormError>
      <div class="form-grid">
        <TextField id={ids.name} label={labels.name} value={v.name} onValue={set('name')} maxLength={200} inputRef={first} error={fe.name} autocomplete="off" />
        <SelectField id={ids.partner_kind} label={labels.partner_kind} value={v.partner_kind} onValue={set('partner_kind')} error={fe.partner_kind}
          options={[{ value: '', label: t('prog.pick') }, ...PARTNER_KINDS.map((k) => ({ value: k, label: codeLabel(t, 'partner.kind', k) }))]} />
        <TextField id={ids.contact_name} label={labels.contact_name} value={v.contact_name} onValue={set('contact_name')} optional maxLength={200}
          error={fe.contact_name} autocomplete="off" />
        <TextField id={ids.phone} label={labels.phone} value={v.phone} onValue={set('phone')} optional maxLength={50} error={fe.phone} autocomplete="off" />
        <TextField id={ids.email} label={labels.email} value={v.email} onValue={set('email')} optional type="email" maxLength={200} error={fe.email}
          autocomplete="off" />
        <TextField id={ids.address} label={labels.address} value={v.address} onValue={set('address')} optional maxLength={500} error={fe.address}
          autocomplete="off" />
      </div>
      <TextAreaField id={ids.note} label={`${labels.note} ${t('form.optional')}`} value={v.note} onValue={set('note')} rows={2} max={2000} error={fe.note} />
      <div class="button-row">
        <button type="submit" class="button" id={`${px}-submit`} disabled={busy}>{initial ? t('action.save') : t('partner.create')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}
