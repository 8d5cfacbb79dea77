import { useI18n } from '../i18n';
import { Link } from '../components/Link';
import type { Section } from '../router';

/** A section that exists in the navigation but not yet in the product. */
export function Placeholder({ section }: { section: Section }) {
  const { t } = useI18n();
  return (
    <>
      <h1 tabIndex={-1}>{t(section.label)}</h1>
      {section.about ? <p class="lead">{t(section.about)}</p> : null}
      <div class="notice" role="note">
        <p>{t('placeholder.notice')}</p>
      </div>
      <p>
        <Link href="/">{t('placeholder.back')}</Link>
      </p>
    </>
  );
}
