import type { SessionUser, SystemState } from '../api';
import { LANGS, LANG_NAMES, isLang, useI18n } from '../i18n';
import { Link } from './Link';
import { Logo } from './Logo';
import { NotificationBell } from './Notifications';
import { UserMenu } from './UserMenu';

interface HeaderProps {
  system: SystemState;
  /** The navigation's menu button (only when there is a navigation: logged in). */
  showNavToggle: boolean;
  menuOpen: boolean;
  onToggleMenu: () => void;
  /** The logged-in user, for the user menu; null hides it. */
  user: SessionUser | null;
  onLogout: () => void;
  /** The current path: the notifications are asked for again after each navigation. */
  path: string;
}

export function Header({ system, showNavToggle, menuOpen, onToggleMenu, user, onLogout, path }: HeaderProps) {
  const { t, lang, setLang } = useI18n();
  const info = system.status === 'ok' ? system.info : null;
  return (
    <header class="site-header">
      <div class="topbar">
        {showNavToggle ? <button
          type="button"
          id="nav-toggle"
          class="nav-toggle"
          aria-expanded={menuOpen ? 'true' : 'false'}
          aria-controls="primary-nav"
          onClick={onToggleMenu}
        >
          <svg class="nav-toggle-icon" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true" focusable="false">
            <path d="M3 5h14M3 10h14M3 15h14" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
          </svg>
          <span>{t('nav.toggle')}</span>
        </button> : null}
        <Link href="/" class="brand">
          <Logo />
          <span class="brand-name">{t('app.name')}</span>
        </Link>
        {info?.deployment_name ? <span class="deployment">{info.deployment_name}</span> : null}
        <div class="lang-switch">
          <label for="lang-select">{t('lang.label')}</label>
          <select
            id="lang-select"
            value={lang}
            onChange={(event) => {
              const value = event.currentTarget.value;
              if (isLang(value)) setLang(value);
            }}
          >
            {LANGS.map((l) => (
              <option key={l} value={l} lang={l}>
                {LANG_NAMES[l]}
              </option>
            ))}
          </select>
        </div>
        {user ? <NotificationBell path={path} /> : null}
        {user ? <UserMenu user={user} onLogout={onLogout} /> : null}
      </div>
      {info?.demo ? (
        <div class="demo-banner" role="note">
          <strong>{t('demo.banner')}</strong>
          <span>{t('demo.note')}</span>
        </div>
      ) : null}
    </header>
  );
}
