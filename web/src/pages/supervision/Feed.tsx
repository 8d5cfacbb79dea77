// The calendar feed: one secret URL per person that Thunderbird or Outlook reads their
// appointments from. The URL is shown once, when created (with a copy button and how to add it);
// afterwards only whether there is one, when it was made and last used. Replacing it makes a new
// URL and stops the old one; revoking stops it.
import { useState } from 'preact/hooks';
import { del, get, post } from '../../api';
import { ConfirmDialog } from '../../components/Dialog';
import { Success } from '../../components/Form';
import { CopyButton } from '../../components/Secret';
import { useAction, useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { problemMessage } from '../../problems';
import { useDates } from '../../session';
import { LoadError, focusLater } from './common';
import type { Feed } from './model';

export function FeedPanel() {
  const { t } = useI18n();
  const dates = useDates();
  const feed = useLoad((signal) => get<Feed>('/api/v1/me/calendar-feed', { signal }), []);
  const [url, setUrl] = useState('');
  const [revoked, setRevoked] = useState(false);
  const [confirm, setConfirm] = useState<'' | 'replace' | 'revoke'>('');
  const { busy, error, run } = useAction();
  const f = feed.data;
  const create = () => {
    setConfirm('');
    void run(async () => {
      const r = await post<{ url: string; created_at: string }>('/api/v1/me/calendar-feed');
      setUrl(new URL(r.url, window.location.origin).href);
      setRevoked(false);
      feed.reload();
      focusLater('feed-url-box');
    });
  };
  const revoke = () => {
    setConfirm('');
    void run(async () => {
      await del('/api/v1/me/calendar-feed');
      setUrl('');
      setRevoked(true);
      feed.reload();
      focusLater('feed-heading');
    });
  };
  return (
    <section class="card sup-card" aria-labelledby="feed-heading" id="feed">
      <h2 id="feed-heading" tabIndex={-1}>{t('feed.title')}</h2>
      <p class="muted">{t('feed.about')}</p>
      {feed.status === 'error' ? <LoadError onRetry={feed.reload} /> : null}
      {error ? <div class="alert alert-error" role="alert"><p class="alert-title">{problemMessage(t, error)}</p></div> : null}
      {revoked ? <Success><p>{t('feed.revoked')}</p></Success> : null}
      {url ? (
        <div class="secret-box" id="feed-url-box" role="region" aria-labelledby="feed-url-title" tabIndex={-1}>
          <h3 id="feed-url-title">{t('feed.url.title')}</h3>
          <p class="secret-once">{t('feed.url.once')}</p>
          <div class="secret-line">
            <code class="secret sup-feed-url" id="feed-url">{url}</code>
            <CopyButton text={url} />
          </div>
          <h4>{t('feed.howto.title')}</h4>
          <ul>
            <li>{t('feed.howto.thunderbird')}</li>
            <li>{t('feed.howto.outlook')}</li>
          </ul>
          <p class="hint">{t('feed.howto.private')}</p>
        </div>
      ) : null}
      {f ? (
        <dl class="facts facts-compact" id="feed-status">
          <div class="fact"><dt>{t('feed.status')}</dt>
            <dd><span class={f.active ? 'badge badge-ok' : 'badge badge-off'}>{f.active ? t('feed.active') : t('feed.inactive')}</span></dd></div>
          {f.active && f.created_at ? <div class="fact"><dt>{t('feed.created')}</dt><dd>{dates.short(f.created_at)}</dd></div> : null}
          {f.active ? <div class="fact"><dt>{t('feed.last_used')}</dt><dd>{f.last_used_at ? dates.short(f.last_used_at) : t('feed.never')}</dd></div> : null}
        </dl>
      ) : null}
      {f ? (
        <div class="button-row">
          {f.active ? (
            <>
              <button type="button" class="button button-secondary" id="feed-replace" disabled={busy} onClick={() => setConfirm('replace')}>
                {t('feed.replace')}
              </button>
              <button type="button" class="button button-danger" id="feed-revoke" disabled={busy} onClick={() => setConfirm('revoke')}>
                {t('feed.revoke')}
              </button>
            </>
          ) : (
            <button type="button" class="button" id="feed-create" disabled={busy} onClick={create}>{t('feed.create')}</button>
          )}
        </div>
      ) : null}
      <ConfirmDialog open={confirm !== ''} title={confirm === 'revoke' ? t('feed.revoke.title') : t('feed.replace.title')}
        confirmLabel={confirm === 'revoke' ? t('feed.revoke') : t('feed.replace')} danger={confirm === 'revoke'}
        onConfirm={confirm === 'revoke' ? revoke : create} onCancel={() => setConfirm('')}>
        <p>{confirm === 'revoke' ? t('feed.revoke.text') : t('feed.replace.text')}</p>
      </ConfirmDialog>
    </section>
  );
}
