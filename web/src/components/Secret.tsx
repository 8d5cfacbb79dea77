// A secret the server shows once (one-time password, API token, recovery codes):
// readable, selectable, with a copy button and a clear word that it will not be shown again.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n';

/** Copies text; resolves false when the browser refuses (no clipboard permission, not a secure context). */
async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* fall through to the selection-based copy */
  }
  try {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'offscreen';
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  } catch {
    return false;
  }
}

export function CopyButton({ text, label }: { text: string; label?: string }) {
  const { t } = useI18n();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  return (
    <>
      <button
        type="button"
        class="button button-secondary button-small"
        onClick={() => {
          void copyText(text).then((ok) => {
            setState(ok ? 'copied' : 'failed');
            window.clearTimeout(timer.current);
            timer.current = window.setTimeout(() => setState('idle'), 4000);
          });
        }}
      >
        {label ?? t('action.copy')}
      </button>
      <span class="copy-status" role="status">
        {state === 'copied' ? t('copy.done') : state === 'failed' ? t('copy.failed') : ''}
      </span>
    </>
  );
}

interface OneTimeSecretProps {
  /** Heading of the box. */
  title: string;
  secret: string;
  /** What to do with it (must be changed at first login, store it now, ...). */
  children?: ComponentChildren;
  /** id of the element holding the secret (tests and labels refer to it). */
  id: string;
  onDone?: () => void;
  doneLabel?: string;
}

export function OneTimeSecret({ title, secret, children, id, onDone, doneLabel }: OneTimeSecretProps) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div class="secret-box" role="region" aria-labelledby={`${id}-title`} tabIndex={-1} ref={ref}>
      <h3 id={`${id}-title`}>{title}</h3>
      <p class="secret-once">{t('secret.once')}</p>
      <div class="secret-line">
        <code class="secret" id={id}>{secret}</code>
        <CopyButton text={secret} />
      </div>
      {children}
      {onDone ? (
        <button type="button" class="button" onClick={onDone}>{doneLabel ?? t('action.done')}</button>
      ) : null}
    </div>
  );
}
