// /admin/supervision-levels: the policy table of supervision levels (reference.manage). Per level,
// the minimum contacts and home visits in a period and the reassessment interval; the case page
// measures each case against its level's row. A level may be added or taken out of use, never
// deleted (cases keep their history).
import { useState } from 'preact/hooks';
import { get, request } from '../../api';
import { FormError, Success, TextField } from '../../components/Form';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { LANGS, LANG_NAMES, useI18n } from '../../i18n';
import { fieldErrors } from '../../problems';
import { AdminNav } from './AdminHome';

interface Level {
  code: string;
  rank: number;
  title: { ky: string; ru: string; en: string };
  min_contacts: number;
  contacts_period_days: number;
  min_home_visits: number;
  home_visits_period_days: number;
  reassessment_days: number;
  active: boolean;
}

const NUMBERS = ['min_contacts', 'contacts_period_days', 'min_home_visits', 'home_visits_period_days',
  'reassessment_days'] as const;
type NumberKey = (typeof NUMBERS)[number];

export function SupervisionLevelsPage() {
  const { t, lang } = useI18n();
  const levels = useLoad((signal) => get<{ supervision_levels?: Level[] }>('/api/v1/reference', { signal }), []);
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <>
      <AdminNav current="supervision-levels" />
      <div class="page-head">
        <h1 tabIndex={-1}>{t('admin.levels')}</h1>
        {editing === null ? (
          <button type="button" class="button" id="level-new" onClick={() => { setEditing(''); setNotice(null); }}>
            {t('levels.new')}
          </button>
        ) : null}
      </div>
      <p class="lead">{t('admin.levels.about')}</p>
      {notice ? <Success><p>{notice}</p></Success> : null}
      {editing === '' ? (
        <section class="card" aria-labelledby="level-form-title">
          <LevelForm level={null} onCancel={() => setEditing(null)}
            onSaved={(code) => { setEditing(null); setNotice(t('levels.saved', { code })); levels.reload(); }} />
        </section>
      ) : null}
      <LoadState load={levels}>
        {(data) => (
          <div class="table-wrap" role="region" aria-labelledby="levels-caption" tabIndex={0}>
            <table class="table">
              <caption id="levels-caption" class="visually-hidden">{t('admin.levels')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('levels.level')}</th>
                  <th scope="col">{t('levels.contacts')}</th>
                  <th scope="col">{t('levels.home_visits')}</th>
                  <th scope="col">{t('levels.reassessment')}</th>
                  <th scope="col">{t('levels.in_use')}</th>
                  <th scope="col"><span class="visually-hidden">{t('table.actions')}</span></th>
                </tr>
              </thead>
              <tbody>
                {(data.supervision_levels ?? []).map((l) => (
                  <tr key={l.code}>
                    <th scope="row">
                      <span class="cell-main">{l.title[lang] || l.code}</span>
                      <code class="cell-sub">{l.code}</code>
                    </th>
                    <td>{t('levels.per_period', { n: l.min_contacts, days: l.contacts_period_days })}</td>
                    <td>{t('levels.per_period', { n: l.min_home_visits, days: l.home_visits_period_days })}</td>
                    <td>{t('levels.every', { days: l.reassessment_days })}</td>
                    <td>{l.active ? t('levels.yes') : t('levels.no')}</td>
                    <td>
                      <button type="button" class="button button-secondary button-small" id={`level-edit-${l.code}`}
                        onClick={() => { setEditing(l.code); setNotice(null); }}>
                        {t('levels.edit')}<span class="visually-hidden">: {l.title[lang] || l.code}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </LoadState>
      {editing && levels.data ? (
        <section class="card" aria-labelledby="level-form-title">
          <LevelForm level={(levels.data.supervision_levels ?? []).find((l) => l.code === editing) ?? null}
            onCancel={() => { const c = editing; setEditing(null); window.setTimeout(() => document.getElementById(`level-edit-${c}`)?.focus(), 0); }}
            onSaved={(code) => { setEditing(null); setNotice(t('levels.saved', { code })); levels.reload(); }} />
        </section>
      ) : null}
    </>
  );
}

function LevelForm({ level, onCancel, onSaved }: { level: Level | null; onCancel: () => void; onSaved: (code: string) => void }) {
  const { t } = useI18n();
  const [code, setCode] = useState(level?.code ?? '');
  const [title, setTitle] = useState({ ky: level?.title.ky ?? '', ru: level?.title.ru ?? '', en: level?.title.en ?? '' });
  const [numbers, setNumbers] = useState<Record<NumberKey, string>>(() => ({
    min_contacts: String(level?.min_contacts ?? 1), contacts_period_days: String(level?.contacts_period_days ?? 28),
    min_home_visits: String(level?.min_home_visits ?? 0), home_visits_period_days: String(level?.home_visits_period_days ?? 28),
    reassessment_days: String(level?.reassessment_days ?? 180),
  }));
  const [active, setActive] = useState(level?.active ?? true);
  const { busy, error, run } = useAction();
  const fe = fieldErrors(error, t);
  const labels: Record<string, string> = {
    code: t('levels.code'), 'title.ky': `${t('levels.title')} (${LANG_NAMES.ky})`, 'title.ru': `${t('levels.title')} (${LANG_NAMES.ru})`,
    'title.en': `${t('levels.title')} (${LANG_NAMES.en})`, min_contacts: t('levels.min_contacts'),
    contacts_period_days: t('levels.contacts_period_days'), min_home_visits: t('levels.min_home_visits'),
    home_visits_period_days: t('levels.home_visits_period_days'), reassessment_days: t('levels.reassessment_days'),
  };
  const fields: Record<string, string> = Object.fromEntries(Object.keys(labels).map((k) => [k, `level-${k.replace('.', '-')}`]));
  return (
    <form class="form form-wide" noValidate aria-labelledby="level-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          const body = {
            title, active,
            ...Object.fromEntries(NUMBERS.map((k) => [k, /^\d+$/.test(numbers[k]) ? Number(numbers[k]) : numbers[k]])),
          };
          await request('PUT', `/api/v1/reference/supervision-levels/${encodeURIComponent(code.trim())}`, { body });
          onSaved(code.trim());
        });
      }}>
      <h2 id="level-form-title">{level ? t('levels.edit_title', { code: level.code }) : t('levels.new')}</h2>
      <FormError error={error} fields={fields} labels={labels} />
      {!level ? (
        <TextField id={fields.code as string} label={labels.code as string} value={code} onValue={setCode} required
          maxLength={30} hint={t('levels.code_hint')} error={fe.code} />
      ) : null}
      {LANGS.map((l) => (
        <TextField key={l} id={fields[`title.${l}`] as string} label={labels[`title.${l}`] as string} value={title[l]}
          onValue={(v) => setTitle((x) => ({ ...x, [l]: v }))} required maxLength={100} error={fe[`title.${l}`]} />
      ))}
      <div class="form-grid">
        {NUMBERS.map((k) => (
          <TextField key={k} id={fields[k] as string} label={labels[k] as string} value={numbers[k]} type="number"
            inputMode="numeric" onValue={(v) => setNumbers((x) => ({ ...x, [k]: v }))} required error={fe[k]} />
        ))}
      </div>
      <div class="checkbox">
        <input type="checkbox" id="level-active" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} />
        <label for="level-active">{t('levels.active')}</label>
      </div>
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{busy ? t('cases.saving') : t('levels.save')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}
