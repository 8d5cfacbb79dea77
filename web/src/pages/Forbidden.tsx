import { useI18n } from '../i18n';
import { Link } from '../components/Link';

/** A page the user's permissions do not open (the server would refuse its data too). */
export function Forbidden() {
  const { t } = useI18n();
  return (
    <>
      <h1 tabIndex={-1}>{t('forbidden.title')}</h1>
      <p class="lead">{t('forbidden.text')}</p>
      <p>
        <Link href="/">{t('placeholder.back')}</Link>
      </p>
    </>
  );
}
