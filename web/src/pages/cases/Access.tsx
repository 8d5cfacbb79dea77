// What a case or report page shows when the server will not simply hand the record over:
//   428 purpose-required — the record is outside the caller's units but their role reaches it with
//        a stated purpose: a dialog asks for the purpose and a justification (both are logged), and
//        the page asks again with them (X-Kadam-Purpose / X-Kadam-Justification);
//   403 — refused (the server has logged it); 404 — no such record.
// Anything else is LoadState's error with a retry.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, PURPOSES, type StatedPurpose } from '../../api';
import { FormDialog } from '../../components/Dialog';
import { FormError, SelectField, TextAreaField, countChars } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import type { Load } from '../../hooks';
import { useI18n } from '../../i18n';
import { purposeLabel } from '../../labels';

const JUSTIFY = { min: 10, max: 500 };

/** Whether the server asks for a stated purpose (not the other 428, If-Match required). */
export function isPurposeRequired(error: unknown): boolean {
  return error instanceof ApiError && error.status === 428 && error.slug !== 'if-match-required';
}

interface RecordGateProps<D> {
  load: Load<D> & { reload: () => void };
  /** The purpose stated so far (null: none). */
  purpose: StatedPurpose | null;
  onPurpose: (p: StatedPurpose) => void;
  idPrefix: string;
  children: (data: D) => ComponentChildren;
}

export function RecordGate<D>({ load, purpose, onPurpose, idPrefix, children }: RecordGateProps<D>) {
  const { t } = useI18n();
  const error = load.status === 'error' && load.error instanceof ApiError ? load.error : null;
  if (error && isPurposeRequired(error)) {
    return <PurposeRequired idPrefix={idPrefix} onPurpose={onPurpose} />;
  }
  if (error && purpose && error.status === 422) {
    return <PurposeRequired idPrefix={idPrefix} onPurpose={onPurpose} error={error} />;
  }
  if (error && error.status === 403) {
    return (
      <div class="alert alert-error" role="alert">
        <p class="alert-title">{t('cases.refused')}</p>
        <p>{t('cases.refused.text')}</p>
        <p><Link href="/cases">{t('cases.back')}</Link></p>
      </div>
    );
  }
  if (error && error.status === 404) {
    return (
      <div class="alert alert-error" role="alert">
        <p class="alert-title">{t('cases.not_found')}</p>
        <p><Link href="/cases">{t('cases.back')}</Link></p>
      </div>
    );
  }
  return <LoadState load={load}>{children}</LoadState>;
}

interface PurposeRequiredProps {
  idPrefix: string;
  onPurpose: (p: StatedPurpose) => void;
  /** The server's answer to a purpose it did not accept. */
  error?: ApiError;
}

/** The notice that a purpose is needed, and the dialog that asks for it (open at first by itself). */
export function PurposeRequired({ idPrefix, onPurpose, error }: PurposeRequiredProps) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const asked = useRef(false);
  useEffect(() => {
    if (!asked.current && !error) {
      asked.current = true;
      setOpen(true);
    }
  }, []);
  return (
    <div class="notice" role="note">
      {error ? <FormError error={error} /> : null}
      <p class="alert-title">{t('cases.purpose.needed')}</p>
      <p>{t('cases.purpose.intro')}</p>
      <button type="button" class="button" id={`${idPrefix}-purpose-open`} onClick={() => setOpen(true)}>
        {t('units.purpose.state')}
      </button>
      <PurposeDialog open={open} idPrefix={idPrefix} onCancel={() => setOpen(false)}
        onSubmit={(p) => { setOpen(false); onPurpose(p); }} />
    </div>
  );
}

interface PurposeDialogProps {
  open: boolean;
  idPrefix: string;
  onCancel: () => void;
  onSubmit: (p: StatedPurpose) => void;
}

function PurposeDialog({ open, idPrefix, onCancel, onSubmit }: PurposeDialogProps) {
  const { t } = useI18n();
  const [purpose, setPurpose] = useState<string>('supervision');
  const [justification, setJustification] = useState('');
  const [tried, setTried] = useState(false);
  const fieldId = `${idPrefix}-justification`;
  const n = countChars(justification);
  const bad = n < JUSTIFY.min || n > JUSTIFY.max;
  const error = tried && bad ? t('units.justification.length') : undefined;
  return (
    <FormDialog open={open} wide id={`${idPrefix}-purpose-dialog`} title={t('cases.purpose.title')}
      submitLabel={t('cases.purpose.show')}
      onCancel={() => { setTried(false); onCancel(); }}
      onSubmit={() => {
        if (bad) {
          setTried(true);
          document.getElementById(fieldId)?.focus();
          return;
        }
        setTried(false);
        onSubmit({ purpose, justification: justification.replace(/\s+/g, ' ').trim() });
      }}>
      <p>{t('cases.purpose.intro')}</p>
      <SelectField id={`${idPrefix}-purpose`} label={t('units.purpose')} value={purpose} onValue={setPurpose} required autoFocus
        options={PURPOSES.map((p) => ({ value: p, label: purposeLabel(t, p) }))} />
      <TextAreaField id={fieldId} label={t('units.justification')} value={justification} onValue={setJustification}
        hint={t('units.justification.hint')} error={error} announce rows={3} min={JUSTIFY.min} max={JUSTIFY.max} />
    </FormDialog>
  );
}
