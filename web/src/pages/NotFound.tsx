import { useI18n } from '../i18n';
import { Link } from '../components/Link';

export function NotFound({ path }: { path: string }) {
  const { t } = useI18n();
  return (
    <>
      <h1 tabIndex={-1}>{t('notfound.title')}</h1>
      <p class="lead">{t('notfound.text', { path })}</p>
      <p>
        <Link href="/">{t('placeholder.back')}</Link>
      </p>
    </>
  );
}
