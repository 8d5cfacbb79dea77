// The shell: skip link, header (product, deployment, language), navigation, main area.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { loadSystem, type SystemState } from './api';
import { Header } from './components/Header';
import { Nav } from './components/Nav';
import { I18nContext, initialLang, isLang, storeLang, storedLang, translate, type I18n, type Lang } from './i18n';
import { Dashboard } from './pages/Dashboard';
import { NotFound } from './pages/NotFound';
import { Placeholder } from './pages/Placeholder';
import { sectionFor, usePath } from './router';

interface AppProps {
  /** /api/v1/system as far as it is known at the first render. */
  initialSystem: SystemState;
  /** The first /api/v1/system call, for when it had not finished by the first render. */
  pendingSystem: Promise<SystemState>;
}

function focusMain(): void {
  const target = document.querySelector<HTMLElement>('#main h1') ?? document.getElementById('main');
  target?.focus();
}

export function App({ initialSystem, pendingSystem }: AppProps) {
  const [system, setSystem] = useState<SystemState>(initialSystem);
  const [lang, setLangState] = useState<Lang>(() =>
    initialLang(initialSystem.status === 'ok' ? initialSystem.info.default_language : undefined));
  // Whether the language came from the user (now or in an earlier visit) rather than a default.
  const chosen = useRef(storedLang() !== null);
  const [menuOpen, setMenuOpen] = useState(false);
  const path = usePath();
  const section = sectionFor(path);

  useEffect(() => {
    if (initialSystem.status !== 'loading') return;
    void pendingSystem.then((state) => {
      setSystem(state);
      if (!chosen.current && state.status === 'ok' && isLang(state.info.default_language)) {
        setLangState(state.info.default_language);
      }
    });
  }, []);

  const retry = useCallback(() => {
    setSystem({ status: 'loading' });
    void loadSystem().then(setSystem);
  }, []);

  const i18n = useMemo<I18n>(() => ({
    lang,
    t: (key, params) => translate(lang, key, params),
    setLang: (next) => {
      chosen.current = true;
      storeLang(next);
      setLangState(next);
    },
  }), [lang]);
  const { t } = i18n;

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  useEffect(() => {
    document.title = t('title.page', { page: t(section ? section.label : 'notfound.title') });
  }, [lang, section]);

  // After an in-app navigation, close the menu and move focus to the new page's heading,
  // so keyboard and screen-reader users land on what changed. Not on the first load.
  const firstPath = useRef(true);
  useEffect(() => {
    if (firstPath.current) {
      firstPath.current = false;
      return;
    }
    setMenuOpen(false);
    window.scrollTo(0, 0);
    focusMain();
  }, [path]);

  // Escape closes the menu and gives focus back to its button.
  useEffect(() => {
    if (!menuOpen) return undefined;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setMenuOpen(false);
      document.getElementById('nav-toggle')?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [menuOpen]);

  let page;
  if (!section) page = <NotFound path={path} />;
  else if (section.id === 'dashboard') page = <Dashboard system={system} onRetry={retry} />;
  else page = <Placeholder section={section} />;

  return (
    <I18nContext.Provider value={i18n}>
      <div class="app">
        <a
          class="skip-link"
          href="#main"
          onClick={(event) => {
            event.preventDefault();
            focusMain();
          }}
        >
          {t('skip.link')}
        </a>
        <Header system={system} menuOpen={menuOpen} onToggleMenu={() => setMenuOpen((open) => !open)} />
        <div class="layout">
          <Nav open={menuOpen} current={section?.id ?? null} onNavigate={() => setMenuOpen(false)} />
          <main id="main" class="main" tabIndex={-1}>
            <div class="page">{page}</div>
          </main>
        </div>
      </div>
    </I18nContext.Provider>
  );
}
