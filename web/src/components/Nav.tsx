import { useI18n } from '../i18n';
import { SECTIONS, sectionAllowed, type SectionId } from '../router';
import { Link } from './Link';

interface NavProps {
  open: boolean;
  current: SectionId | null;
  /** The user's permissions: sections they do not open are left out. */
  permissions: readonly string[];
  onNavigate: () => void;
}

/** The sections. A sidebar on wide screens; below that, a panel opened by the header's menu button. */
export function Nav({ open, current, permissions, onNavigate }: NavProps) {
  const { t } = useI18n();
  return (
    <nav id="primary-nav" class={open ? 'site-nav is-open' : 'site-nav'} aria-label={t('nav.label')}>
      <ul>
        {SECTIONS.filter((s) => sectionAllowed(s, permissions)).map((s) => (
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
