// /admin/compliance-rules: what the rule engine watches for (reference.manage). Per rule its title in
// the UI language, whether it fires on an event or on time, whether it is on, its severity, its
// threshold with unit, and after how many hours an unacknowledged alert escalates. A rule is edited
// with If-Match; a 422 is shown by field.
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { get, request } from '../../api';
import { FormError, SelectField, Success, TextField } from '../../components/Form';
import { LoadState } from '../../components/LoadState';
import { useAction, useLoad } from '../../hooks';
import { useI18n, type MessageKey } from '../../i18n';
import { fieldErrors } from '../../problems';
import { useDates } from '../../session';
import { AdminNav } from './AdminHome';
import '../compliance/rules.css';

interface Rule {
  code: string;
  rank: number;
  fires_on: 'event' | 'time';
  enabled: boolean;
  severity: 'low' | 'medium' | 'high';
  threshold: number | null;
  threshold_unit: 'hours' | 'days' | null;
  escalate_after_hours: number;
  title: { ky: string; ru: string; en: string };
  updated_at: string | null;
  updated_by_name: string | null;
  version: number;
}

const SEVERITIES = ['low', 'medium', 'high'] as const;
/** A key built from a code (every code has its key in the rules part file). */
const k = (key: string) => key as MessageKey;

export function ComplianceRulesPage() {
  const { t, lang } = useI18n();
  const dates = useDates();
  const rules = useLoad((signal) => get<{ items: Rule[] }>('/api/v1/compliance/rules', { signal }), []);
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const threshold = (r: Rule) => (r.threshold === null || r.threshold_unit === null
    ? '—' : t(k(`rules.unit.${r.threshold_unit}`), { n: r.threshold }));
  const close = (code: string) => {
    setEditing(null);
    window.setTimeout(() => document.getElementById(`rule-edit-${code}`)?.focus(), 0);
  };
  return (
    <>
      <AdminNav current="compliance-rules" />
      <div class="page-head">
        <h1 tabIndex={-1}>{t('admin.rules')}</h1>
      </div>
      <p class="lead">{t('admin.rules.about')}</p>
      <p>{t('rules.never_punish')}</p>
      {notice ? <Success><p>{notice}</p></Success> : null}
      <LoadState load={rules}>
        {(data) => (
          <div class="table-wrap" role="region" aria-labelledby="rules-caption" tabIndex={0}>
            <table class="table rules-table" id="rules-table">
              <caption id="rules-caption" class="visually-hidden">{t('admin.rules')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('rules.rule')}</th>
                  <th scope="col">{t('rules.fires_on')}</th>
                  <th scope="col">{t('rules.enabled')}</th>
                  <th scope="col">{t('rules.severity')}</th>
                  <th scope="col">{t('rules.threshold')}</th>
                  <th scope="col">{t('rules.escalate_after')}</th>
                  <th scope="col"><span class="visually-hidden">{t('table.actions')}</span></th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((r) => (
                  <Fragment key={r.code}>
                  <tr id={`rule-${r.code.replace('.', '-')}`} class={editing === r.code ? 'is-selected' : undefined}>
                    <th scope="row">
                      <span class="cell-main">{r.title[lang] || r.code}</span>
                      <code class="cell-sub">{r.code}</code>
                    </th>
                    <td>{t(k(`rules.fires.${r.fires_on}`))}</td>
                    <td>{r.enabled ? t('rules.on') : t('rules.off')}</td>
                    <td>{t(k(`rules.severity.${r.severity}`))}</td>
                    <td>{threshold(r)}</td>
                    <td>{t('rules.unit.hours', { n: r.escalate_after_hours })}</td>
                    <td>
                      <button type="button" class="button button-secondary button-small" id={`rule-edit-${r.code}`}
                        aria-expanded={editing === r.code} aria-controls={editing === r.code ? 'rule-form' : undefined}
                        onClick={() => { setEditing(editing === r.code ? null : r.code); setNotice(null); }}>
                        {t('rules.edit')}<span class="visually-hidden">: {r.title[lang] || r.code}</span>
                      </button>
                    </td>
                  </tr>
                  {editing === r.code ? (
                    <tr class="rule-edit-row">
                      <td colSpan={7} id="rule-form">
                        <RuleForm rule={r} onCancel={() => close(r.code)}
                          onSaved={(saved) => {
                            close(saved.code);
                            setNotice(t('rules.saved', { title: saved.title[lang] || saved.code }));
                            rules.reload();
                          }} />
                        {r.updated_at ? (
                          <p class="hint">{t('rules.last_changed', { when: dates.short(r.updated_at), who: r.updated_by_name ?? '—' })}</p>
                        ) : null}
                      </td>
                    </tr>
                  ) : null}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </LoadState>
    </>
  );
}

function RuleForm({ rule, onCancel, onSaved }: { rule: Rule; onCancel: () => void; onSaved: (r: Rule) => void }) {
  const { t, lang } = useI18n();
  const [enabled, setEnabled] = useState(rule.enabled);
  const [severity, setSeverity] = useState<string>(rule.severity);
  const [threshold, setThreshold] = useState(rule.threshold === null ? '' : String(rule.threshold));
  const [escalate, setEscalate] = useState(String(rule.escalate_after_hours));
  const { busy, error, run } = useAction();
  const fe = fieldErrors(error, t);
  const labels: Record<string, string> = {
    enabled: t('rules.enabled'),
    severity: t('rules.severity'),
    threshold: rule.threshold_unit ? t(k(`rules.threshold.${rule.threshold_unit}`)) : t('rules.threshold'),
    escalate_after_hours: t('rules.escalate_after_hours'),
  };
  const fields: Record<string, string> = {
    enabled: 'rule-enabled', severity: 'rule-severity', threshold: 'rule-threshold', escalate_after_hours: 'rule-escalate',
  };
  const number = (v: string) => (/^\d+$/.test(v.trim()) ? Number(v.trim()) : v);
  return (
    <form class="form form-wide" noValidate aria-labelledby="rule-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          const body = {
            enabled, severity,
            threshold: rule.threshold_unit === null ? null : threshold.trim() === '' ? null : number(threshold),
            escalate_after_hours: number(escalate),
          };
          const r = await request<Rule>('PUT', `/api/v1/compliance/rules/${encodeURIComponent(rule.code)}`,
            { body, ifMatch: String(rule.version) });
          onSaved(r.data);
        });
      }}>
      <h2 id="rule-form-title">{t('rules.edit_title', { title: rule.title[lang] || rule.code })}</h2>
      <FormError error={error} fields={fields} labels={labels} />
      <div class="checkbox">
        <input type="checkbox" id="rule-enabled" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)}
          aria-describedby="rule-enabled-hint" />
        <label for="rule-enabled">{t('rules.enabled_label')}</label>
      </div>
      <p class="hint" id="rule-enabled-hint">{enabled ? t('rules.enabled_hint') : t('rules.disabled_hint')}</p>
      {fe.enabled ? <p class="field-error" role="alert">{fe.enabled}</p> : null}
      <div class="form-grid">
        <SelectField id="rule-severity" label={labels.severity as string} value={severity} onValue={setSeverity} required
          options={SEVERITIES.map((s) => ({ value: s, label: t(k(`rules.severity.${s}`)) }))} error={fe.severity} />
        {rule.threshold_unit ? (
          <TextField id="rule-threshold" label={labels.threshold as string} value={threshold} onValue={setThreshold}
            type="number" inputMode="numeric" min={0} max={8784} required error={fe.threshold}
            hint={t(k(`rules.hint.${rule.code}`))} />
        ) : null}
        <TextField id="rule-escalate" label={labels.escalate_after_hours as string} value={escalate} onValue={setEscalate}
          type="number" inputMode="numeric" min={1} max={720} required error={fe.escalate_after_hours}
          hint={t('rules.escalate_hint')} />
      </div>
      {!rule.threshold_unit ? <p class="hint">{t(k(`rules.hint.${rule.code}`))}</p> : null}
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>{busy ? t('cases.saving') : t('rules.save')}</button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}
