import { useI18n } from '../i18n';
import { SECTIONS, type SectionId } from '../router';
import { Link } from './Link';

interface NavProps {
  open: boolean;
  current: SectionId | null;
  onNavigate: () => void;
}

/** The sections. A sidebar on wide screens; below that, a panel opened by the header's menu button. */
export function Nav({ open, current, onNavigate }: NavProps) {
  const { t } = useI18n();
  return (
    <nav id="primary-nav" class={open ? 'site-nav is-open' : 'site-nav'} aria-label={t('nav.label')}>
      <ul>
        {SECTIONS.map((s) => (
          <li key={s.id}>
            <Link href={s.path} current={s.id === current} onNavigate={onNavigate}>
              {t(s.label)}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
