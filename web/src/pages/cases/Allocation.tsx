// Who holds a case: its allocation history, and for unit heads (cases.allocate) allocating it to
// an officer of its unit or transferring it to another unit, always with a reason. Closing a case
// (cases.write) with a date and a reason.
import { useEffect, useState } from 'preact/hooks';
import { get, request, type Items, type Unit, type UnitMember } from '../../api';
import { FormDialog } from '../../components/Dialog';
import { FormError, SelectField, Success, TextAreaField, countChars } from '../../components/Form';
import { useAction, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { fieldErrors } from '../../problems';
import { useDates, useSession, useTimeZone } from '../../session';
import { unitOptions } from '../admin/common';
import { localProblem } from './Decisions';
import { DateField, RadioGroup } from './Fields';
import { today, type CaseRecord } from './model';

const REASON = { min: 3, max: 500 };

function reasonProblem(t: (k: 'cases.reason.length') => string, reason: string) {
  const n = countChars(reason);
  return n < REASON.min || n > REASON.max ? { field: 'reason', message: t('cases.reason.length') } : null;
}

interface AllocationPanelProps {
  record: CaseRecord;
  headers: Record<string, string>;
  onChanged: () => void;
}

export function AllocationPanel({ record, headers, onChanged }: AllocationPanelProps) {
  const { t } = useI18n();
  const { can } = useSession();
  const dates = useDates();
  const [open, setOpen] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const history = [...(record.assignments ?? [])].sort((a, b) => b.from_at.localeCompare(a.from_at));
  const mayAllocate = can('cases.allocate') && record.status !== 'closed' && record.may_change !== false;
  return (
    <section class="card" aria-labelledby="allocation-heading" id="allocation">
      <div class="card-head">
        <h2 id="allocation-heading" tabIndex={-1}>{t('cases.allocation')}</h2>
        {mayAllocate && !open ? (
          <button type="button" class="button" id="allocation-open" onClick={() => { setOpen(true); setNotice(null); }}>
            {t('cases.allocation.change')}
          </button>
        ) : null}
      </div>
      {notice ? <Success><p>{notice}</p></Success> : null}
      {open ? (
        <AllocationForm record={record} headers={headers}
          onCancel={() => { setOpen(false); window.setTimeout(() => document.getElementById('allocation-open')?.focus(), 0); }}
          onSaved={(text) => {
            setOpen(false);
            setNotice(text);
            onChanged();
            window.setTimeout(() => document.getElementById('allocation-heading')?.focus(), 0);
          }} />
      ) : null}
      <h3 class="subheading">{t('cases.allocation.history')}</h3>
      {history.length ? (
        <div class="table-wrap" role="region" aria-labelledby="allocation-heading" tabIndex={0}>
          <table class="table table-allocation">
            <thead>
              <tr>
                <th scope="col">{t('cases.allocation.from')}</th>
                <th scope="col">{t('cases.unit')}</th>
                <th scope="col">{t('cases.officer')}</th>
                <th scope="col">{t('cases.allocation.reason')}</th>
                <th scope="col">{t('cases.allocation.by')}</th>
              </tr>
            </thead>
            <tbody>
              {history.map((a, i) => (
                <tr key={`${a.from_at}-${i}`} class={a.to_at ? undefined : 'is-current'}>
                  <td class="cell-nowrap">
                    <span class="cell-main">{dates.short(a.from_at)}</span>
                    <span class="cell-sub">{a.to_at ? t('cases.allocation.until', { time: dates.short(a.to_at) }) : t('cases.allocation.current')}</span>
                  </td>
                  <td>{a.unit_name}</td>
                  <td>{a.officer_name || <span class="muted">{t('cases.unallocated')}</span>}</td>
                  <td class="cell-reason">{a.reason}</td>
                  <td>{a.by_name || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : <p>{t('cases.allocation.none')}</p>}
    </section>
  );
}

interface AllocationFormProps {
  record: CaseRecord;
  headers: Record<string, string>;
  onCancel: () => void;
  onSaved: (text: string) => void;
}

function AllocationForm({ record, headers, onCancel, onSaved }: AllocationFormProps) {
  const { t } = useI18n();
  const { can } = useSession();
  const [mode, setMode] = useState<'officer' | 'unit'>('officer');
  const [officer, setOfficer] = useState('');
  const [unit, setUnit] = useState('');
  const [reason, setReason] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, run } = useAction();
  useEffect(() => { document.getElementById('allocation-mode-officer')?.focus(); }, []);
  const targetUnit = mode === 'officer' ? record.unit_id : unit;
  const members = useLoad((signal) => (targetUnit
    ? get<Items<UnitMember>>(`/api/v1/units/${encodeURIComponent(targetUnit)}/members`, { signal }).then((r) => r.items)
    : Promise.resolve([] as UnitMember[])), [targetUnit]);
  const units = useLoad((signal) => (can('units.read')
    ? get<Items<Unit>>('/api/v1/units', { signal }).then((r) => r.items)
    : Promise.resolve([] as Unit[])), []);
  const agency = units.data?.find((u) => u.id === record.unit_id)?.agency_id ?? '';
  const unitChoices = units.data ? unitOptions(units.data, agency, new Set([record.unit_id])) : [];
  const officers = (members.data ?? []).filter((m) => m.status === 'active' && m.id !== record.officer_id)
    .map((m) => ({ value: m.id, label: m.display_name }));

  const mistakes: { field: string; message: string }[] = [];
  if (mode === 'officer' && !officer) mistakes.push({ field: 'officer_id', message: t('cases.allocation.officer.choose') });
  if (mode === 'unit' && !unit) mistakes.push({ field: 'unit_id', message: t('cases.allocation.unit.choose') });
  const bad = reasonProblem(t, reason);
  if (bad) mistakes.push(bad);
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  const fields = { officer_id: 'allocation-officer', unit_id: 'allocation-unit', reason: 'allocation-reason' };
  const labels = { officer_id: t('cases.officer'), unit_id: t('cases.unit'), reason: t('cases.allocation.reason') };
  const officerLabel = officers.find((o) => o.value === officer)?.label ?? '';
  const unitLabel = (units.data ?? []).find((u) => u.id === unit)?.name ?? '';

  return (
    <form class="form form-wide allocation-form" noValidate aria-labelledby="allocation-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (mistakes.length) {
          setAttempt((a) => a + 1);
          return;
        }
        setAttempt(0);
        void run(async () => {
          const body: Record<string, string> = { reason: reason.replace(/\s+/g, ' ').trim() };
          if (mode === 'unit') body.unit_id = unit;
          if (officer) body.officer_id = officer;
          await request('POST', `/api/v1/cases/${encodeURIComponent(record.id)}/allocation`, { body, headers });
          onSaved(mode === 'unit'
            ? t('cases.allocation.transferred', { unit: unitLabel })
            : t('cases.allocation.allocated', { name: officerLabel }));
        });
      }}>
      <h3 id="allocation-form-title">{t('cases.allocation.change')}</h3>
      <FormError error={error} focusKey={local ? attempt : serverError} fields={fields} labels={labels} />
      <RadioGroup id="allocation-mode" legend={t('cases.allocation.what')} value={mode}
        onValue={(v) => { setMode(v === 'unit' ? 'unit' : 'officer'); setOfficer(''); }}
        options={[
          { value: 'officer', label: t('cases.allocation.to_officer', { unit: record.unit_name }) },
          ...(unitChoices.length || units.status === 'loading' ? [{ value: 'unit', label: t('cases.allocation.to_unit') }] : []),
        ]} />
      <div class="form-grid">
        {mode === 'unit' ? (
          <SelectField id={fields.unit_id} label={labels.unit_id} value={unit} onValue={(v) => { setUnit(v); setOfficer(''); }}
            required error={fe.unit_id}
            options={[{ value: '', label: units.status === 'loading' ? t('status.loading') : t('cases.allocation.unit.pick') }, ...unitChoices]} />
        ) : null}
        {mode === 'officer' || unit ? (
          <SelectField id={fields.officer_id} label={labels.officer_id} value={officer} onValue={setOfficer}
            required={mode === 'officer'} optional={mode === 'unit'} error={fe.officer_id}
            hint={members.status === 'error' ? t('cases.allocation.members_unavailable') : undefined}
            options={[{ value: '', label: members.status === 'loading' ? t('status.loading')
              : mode === 'unit' ? t('cases.allocation.officer.later') : t('cases.allocation.officer.pick') }, ...officers]} />
        ) : null}
      </div>
      <TextAreaField id={fields.reason} label={labels.reason} value={reason} onValue={setReason} rows={3}
        min={REASON.min} max={REASON.max} error={fe.reason} hint={t('cases.allocation.reason.hint')} />
      <div class="button-row">
        <button type="submit" class="button" disabled={busy}>
          {mode === 'unit' ? t('cases.allocation.transfer.submit') : t('cases.allocation.submit')}
        </button>
        <button type="button" class="button button-secondary" onClick={onCancel} disabled={busy}>{t('action.cancel')}</button>
      </div>
    </form>
  );
}

interface CloseCaseProps {
  record: CaseRecord;
  headers: Record<string, string>;
  onClosed: () => void;
}

/** The "Close the case" button and its dialog (a date and a reason). */
export function CloseCase({ record, headers, onClosed }: CloseCaseProps) {
  const { t } = useI18n();
  const zone = useTimeZone();
  const [open, setOpen] = useState(false);
  const [closedOn, setClosedOn] = useState(today(zone));
  const [reason, setReason] = useState('');
  const [attempt, setAttempt] = useState(0);
  const { busy, error: serverError, setError, run } = useAction();
  const mistakes: { field: string; message: string }[] = [];
  if (!closedOn) mistakes.push({ field: 'closed_on', message: t('cases.required') });
  const bad = reasonProblem(t, reason);
  if (bad) mistakes.push(bad);
  const local = attempt > 0 && mistakes.length ? localProblem(mistakes) : null;
  const error = local ?? serverError;
  const fe = fieldErrors(error, t);
  return (
    <>
      <button type="button" class="button button-danger button-small" id="case-close" onClick={() => { setOpen(true); setError(null); setAttempt(0); }}>
        {t('cases.close')}
      </button>
      <FormDialog open={open} wide danger busy={busy} id="case-close-dialog" title={t('cases.close.title', { number: record.number })}
        submitLabel={t('cases.close.submit')}
        returnFocus={() => document.getElementById('case-heading')}
        onCancel={() => setOpen(false)}
        onSubmit={() => {
          if (mistakes.length) {
            setAttempt((a) => a + 1);
            return;
          }
          setAttempt(0);
          void run(async () => {
            await request('POST', `/api/v1/cases/${encodeURIComponent(record.id)}/close`, {
              body: { closed_on: closedOn, reason: reason.replace(/\s+/g, ' ').trim() }, headers,
            });
            setOpen(false);
            onClosed();
          });
        }}>
        <p>{t('cases.close.about')}</p>
        <FormError error={error} focusKey={local ? attempt : serverError}
          fields={{ closed_on: 'case-closed-on', reason: 'case-close-reason' }}
          labels={{ closed_on: t('cases.closed_on'), reason: t('cases.close.reason') }} />
        <DateField id="case-closed-on" label={t('cases.closed_on')} value={closedOn} onValue={setClosedOn} required error={fe.closed_on} />
        <TextAreaField id="case-close-reason" label={t('cases.close.reason')} value={reason} onValue={setReason} rows={3}
          min={REASON.min} max={REASON.max} error={fe.reason} autoFocus />
      </FormDialog>
    </>
  );
}
