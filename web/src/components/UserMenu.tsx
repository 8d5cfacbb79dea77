// The logged-in user's name in the header, opening a small menu: My account, Log out.
// A disclosure (button + list), so it works with Tab and Enter like any other links and
// buttons; Escape and a click elsewhere close it.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { SessionUser } from '../api';
import { useI18n } from '../i18n';
import { Link } from './Link';

export function UserMenu({ user, onLogout }: { user: SessionUser; onLogout: () => void }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  // Clicks and focus elsewhere close it (Escape is handled on the box itself, below).
  useEffect(() => {
    if (!open) return undefined;
    const onPointer = (event: Event) => {
      if (box.current && event.target instanceof Node && !box.current.contains(event.target)) setOpen(false);
    };
    const onFocus = (event: FocusEvent) => {
      if (box.current && event.target instanceof Node && !box.current.contains(event.target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('focusin', onFocus);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('focusin', onFocus);
    };
  }, [open]);

  return (
    <div
      class="user-menu"
      ref={box}
      onKeyDown={(event) => {
        if (event.key !== 'Escape' || !open) return;
        event.stopPropagation();
        setOpen(false);
        button.current?.focus();
      }}
    >
      <button
        type="button"
        id="user-menu-button"
        class="user-menu-button"
        ref={button}
        aria-expanded={open ? 'true' : 'false'}
        aria-controls="user-menu"
        onClick={() => setOpen((o) => !o)}
      >
        <span class="visually-hidden">{t('user.menu')}: </span>
        <span class="user-name">{user.display_name}</span>
        <svg class="user-menu-caret" viewBox="0 0 12 12" width="12" height="12" aria-hidden="true" focusable="false">
          <path d="M2 4l4 4 4-4" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
        </svg>
      </button>
      <ul id="user-menu" class={open ? 'user-menu-list is-open' : 'user-menu-list'}>
        <li class="user-menu-who">
          <span class="user-menu-login">{user.login}</span>
          <span class="user-menu-agency">{user.agency.name}{user.unit ? ` · ${user.unit.name}` : ''}</span>
        </li>
        <li>
          <Link href="/account" onNavigate={() => setOpen(false)}>{t('user.account')}</Link>
        </li>
        <li>
          <button
            type="button"
            class="user-menu-item"
            onClick={() => {
              setOpen(false);
              onLogout();
            }}
          >
            {t('user.logout')}
          </button>
        </li>
      </ul>
    </div>
  );
}
