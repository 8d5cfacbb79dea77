// What a page shows while its data loads, when loading failed (with a retry), and then the data.
import type { ComponentChildren } from 'preact';
import type { Load } from '../hooks';
import { useI18n } from '../i18n';
import { problemMessage } from '../problems';

interface LoadStateProps<T> {
  load: Load<T> & { reload: () => void };
  children: (data: T) => ComponentChildren;
}

export function LoadState<T>({ load, children }: LoadStateProps<T>) {
  const { t } = useI18n();
  if (load.status === 'error') {
    return (
      <>
        <div class="alert alert-error" role="alert">
          <p class="alert-title">{t('load.error')}</p>
          <p>{problemMessage(t, load.error)}</p>
          <button type="button" class="button" onClick={load.reload}>{t('status.retry')}</button>
        </div>
        {load.data !== undefined ? children(load.data) : null}
      </>
    );
  }
  if (load.data === undefined) return <p class="muted" role="status">{t('status.loading')}</p>;
  return <>{children(load.data)}</>;
}
