// Client-side routing over the history API. The server answers every non-API path
// with index.html, so each of these paths also works when loaded directly.
import { useEffect, useState } from 'preact/hooks';
import type { MessageKey } from './i18n';

export type SectionId =
  | 'dashboard' | 'people' | 'cases' | 'supervision' | 'alerts'
  | 'monitoring' | 'programmes' | 'reports' | 'admin';

export interface Section {
  id: SectionId;
  path: string;
  label: MessageKey;
  /** One line on what the section will hold (the dashboard has none). */
  about: MessageKey | null;
}

/** The product's sections, in navigation order. */
export const SECTIONS: readonly Section[] = [
  { id: 'dashboard', path: '/', label: 'section.dashboard', about: null },
  { id: 'people', path: '/people', label: 'section.people', about: 'about.people' },
  { id: 'cases', path: '/cases', label: 'section.cases', about: 'about.cases' },
  { id: 'supervision', path: '/supervision', label: 'section.supervision', about: 'about.supervision' },
  { id: 'alerts', path: '/alerts', label: 'section.alerts', about: 'about.alerts' },
  { id: 'monitoring', path: '/monitoring', label: 'section.monitoring', about: 'about.monitoring' },
  { id: 'programmes', path: '/programmes', label: 'section.programmes', about: 'about.programmes' },
  { id: 'reports', path: '/reports', label: 'section.reports', about: 'about.reports' },
  { id: 'admin', path: '/admin', label: 'section.admin', about: 'about.admin' },
];

const NAVIGATE_EVENT = 'kadam:navigate';

/** The path without a trailing slash (except the root itself). */
export function normalisePath(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') || '/' : path;
}

export function sectionFor(path: string): Section | null {
  const p = normalisePath(path);
  return SECTIONS.find((s) => s.path === p) ?? null;
}

export function navigate(path: string): void {
  if (path !== location.pathname + location.search) history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** The current location.pathname, updated on back/forward and on navigate(). */
export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATE_EVENT, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATE_EVENT, update);
    };
  }, []);
  return path;
}

/**
 * Click handler for in-app links: plain left clicks navigate without a page load;
 * clicks with a modifier (new tab, new window, download) are left to the browser.
 */
export function onLinkClick(event: MouseEvent, path: string, after?: () => void): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(path);
  after?.();
}
