// Modal dialogs on the native <dialog> element: modal, keeps focus inside, Escape cancels,
// focus goes back to what opened it when it closes. ConfirmDialog asks yes or no; FormDialog
// holds a small form (its first field takes focus when it opens).
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useI18n } from '../i18n';

let dialogs = 0;

/**
 * Opens and closes the <dialog> with `open`, and gives focus back once closed: to what
 * returnFocus() names (when the dialog's action removed the opener, say), else to the opener.
 */
function useModal(open: boolean, returnFocus?: () => HTMLElement | null) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const id = useRef(`dialog-${++dialogs}`);
  const back = useRef(returnFocus);
  back.current = returnFocus;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      dialog.showModal();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return undefined;
    const onClose = () => {
      const target = back.current?.() ?? opener.current;
      opener.current = null;
      if (target && target.isConnected) target.focus();
    };
    dialog.addEventListener('close', onClose);
    return () => dialog.removeEventListener('close', onClose);
  }, []);

  return { ref, id: id.current };
}

interface ConfirmDialogProps {
  /** Open while true. */
  open: boolean;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  /** Styles the confirm button as destructive. */
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  /** Where focus goes once closed, instead of the opener (null: the opener). */
  returnFocus?: () => HTMLElement | null;
}

export function ConfirmDialog({ open, title, children, confirmLabel, danger = false, busy = false, onConfirm, onCancel, returnFocus }: ConfirmDialogProps) {
  const { t } = useI18n();
  const { ref, id } = useModal(open, returnFocus);
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      <div id={`${id}-body`} class="dialog-body">{children}</div>
      <div class="button-row">
        <button type="button" class={danger ? 'button button-danger' : 'button'} disabled={busy} onClick={onConfirm}>
          {confirmLabel}
        </button>
        <button type="button" class="button button-secondary" disabled={busy} onClick={onCancel} autoFocus>
          {t('action.cancel')}
        </button>
      </div>
    </dialog>
  );
}

interface FormDialogProps {
  open: boolean;
  title: string;
  /** The fields (give the first one autoFocus). */
  children: ComponentChildren;
  submitLabel: string;
  danger?: boolean;
  busy?: boolean;
  /** A wider dialog, for forms with a long text. */
  wide?: boolean;
  /** id for the dialog element (tests and labels refer to it). */
  id?: string;
  onSubmit: () => void;
  onCancel: () => void;
  /** Where focus goes once closed, instead of the opener (null: the opener). */
  returnFocus?: () => HTMLElement | null;
}

export function FormDialog({ open, title, children, submitLabel, danger = false, busy = false, wide = false, id: elementId, onSubmit, onCancel, returnFocus }: FormDialogProps) {
  const { t } = useI18n();
  const { ref, id } = useModal(open, returnFocus);
  return (
    <dialog
      ref={ref}
      id={elementId}
      class={wide ? 'dialog dialog-wide' : 'dialog'}
      aria-labelledby={`${id}-title`}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <form
        class="dialog-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy) onSubmit();
        }}
      >
        <h2 id={`${id}-title`}>{title}</h2>
        {open ? children : null}
        <div class="button-row">
          <button type="submit" class={danger ? 'button button-danger' : 'button'} disabled={busy}>{submitLabel}</button>
          <button type="button" class="button button-secondary" disabled={busy} onClick={onCancel}>{t('action.cancel')}</button>
        </div>
      </form>
    </dialog>
  );
}
