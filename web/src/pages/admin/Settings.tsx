// /admin/settings: the deployment's numeric settings (settings.manage): deadlines in days, the
// release-planning window in months, the longest a referral may share data. Each row says what the
// setting means, its bounds and default, when it last changed; a value is saved on its own row with
// the version read (If-Match), and a value outside the bounds is refused next to its field.
import { useState } from 'preact/hooks';
import { get, request } from '../../api';
import { FormError, Success, TextField } from '../../components/Form';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { useI18n, type MessageKey } from '../../i18n';
import { fieldErrors } from '../../problems';
import { useDates } from '../../session';
import { AdminNav } from './AdminHome';

interface Setting {
  key: string;
  value: number;
  default: number;
  min: number;
  max: number;
  unit: 'days' | 'months' | 'conditions';
  about: string;
  version: number;
  updated_at: string | null;
}

/** A catalogue text by a built key, else the fallback (a setting added to the server before the UI knows it). */
function say(t: (k: MessageKey, p?: Record<string, string | number>) => string, key: string, fallback: string): string {
  const text = t(key as MessageKey);
  return text === key ? fallback : text;
}

export function SettingsPage() {
  const { t } = useI18n();
  const settings = useLoad((signal) => get<{ items: Setting[] }>('/api/v1/settings', { signal }), []);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <>
      <AdminNav current="settings" />
      <div class="page-head">
        <h1 tabIndex={-1}>{t('admin.settings')}</h1>
      </div>
      <p class="lead">{t('admin.settings.about')}</p>
      {notice ? <Success><p>{notice}</p></Success> : null}
      <LoadState load={settings}>
        {(data) => (
          <div class="table-wrap" role="region" aria-labelledby="settings-caption" tabIndex={0}>
            <table class="table" id="settings-table">
              <caption id="settings-caption" class="visually-hidden">{t('admin.settings')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('settings.setting')}</th>
                  <th scope="col">{t('settings.value')}</th>
                  <th scope="col">{t('settings.changed')}</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((s) => (
                  <SettingRow key={s.key} setting={s}
                    onSaved={(title, value) => { setNotice(t('settings.saved', { title, value })); settings.reload(); }} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </LoadState>
    </>
  );
}

function SettingRow({ setting, onSaved }: { setting: Setting; onSaved: (title: string, value: string) => void }) {
  const { t } = useI18n();
  const dates = useDates();
  const [value, setValue] = useState(String(setting.value));
  const { busy, error, run } = useAction();
  const fe = fieldErrors(error, t);
  const id = `setting-${setting.key.replace(/[^a-z0-9]+/g, '-')}`;
  const title = say(t, `settings.key.${setting.key}`, setting.key);
  const unit = say(t, `settings.unit.${setting.unit}`, setting.unit);
  const changed = value.trim() !== String(setting.value);
  return (
    <tr id={`${id}-row`}>
      <th scope="row">
        <span class="cell-main">{title}</span>
        <span class="cell-sub">{say(t, `settings.about.${setting.key}`, setting.about)}</span>
        <code class="cell-sub">{setting.key}</code>
      </th>
      <td>
        <form class="inline-form" noValidate onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const n = /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
            await request('PUT', `/api/v1/settings/${encodeURIComponent(setting.key)}`,
              { body: { value: n }, ifMatch: String(setting.version) });
            onSaved(title, `${value.trim()} ${unit}`);
          });
        }}>
          <FormError error={error} fields={{ value: id }} labels={{ value: title }} />
          <TextField id={id} label={t('settings.value_for', { title })} value={value} onValue={setValue} type="number"
            inputMode="numeric" min={setting.min} max={setting.max} required error={fe.value}
            hint={`${unit}. ${t('settings.bounds', { min: setting.min, max: setting.max, def: setting.default })}`} />
          <button type="submit" class="button button-small" id={`${id}-save`} disabled={busy || !changed}>
            {busy ? t('settings.saving') : t('settings.save')}
          </button>
        </form>
      </td>
      <td>{setting.updated_at ? dates.short(setting.updated_at) : <span class="muted">{t('settings.never')}</span>}</td>
    </tr>
  );
}
