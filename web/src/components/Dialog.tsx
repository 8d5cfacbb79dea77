// A confirmation dialog on the native <dialog> element: modal, keeps focus inside,
// Escape cancels, focus goes back to what opened it when it closes.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useI18n } from '../i18n';

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
}

let dialogs = 0;

export function ConfirmDialog({ open, title, children, confirmLabel, danger = false, busy = false, onConfirm, onCancel }: ConfirmDialogProps) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const id = useRef(`dialog-${++dialogs}`);

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

  // Give focus back to the opener (if it is still there) once closed.
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return undefined;
    const onClose = () => {
      const back = opener.current;
      opener.current = null;
      if (back && back.isConnected) back.focus();
    };
    dialog.addEventListener('close', onClose);
    return () => dialog.removeEventListener('close', onClose);
  }, []);

  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby={`${id.current}-title`}
      aria-describedby={`${id.current}-body`}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <h2 id={`${id.current}-title`}>{title}</h2>
      <div id={`${id.current}-body`} class="dialog-body">{children}</div>
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
