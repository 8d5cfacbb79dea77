// Client-side routing over the history API. The server answers every non-API path
// with index.html, so each of these paths also works when loaded directly.
import { useEffect, useState } from 'preact/hooks';
import type { MessageKey } from './i18n';

export type SectionId =
  | 'dashboard' | 'people' | 'cases' | 'supervision' | 'alerts'
  | 'monitoring' | 'programmes' | 'reports' | 'unit' | 'admin' | 'audit';

export interface Section {
  id: SectionId;
  path: string;
  label: MessageKey;
  /** One line on what the section will hold (the dashboard has none). */
  about: MessageKey | null;
  /** Shown only to users with at least one of these permissions (absent: everyone). */
  anyOf?: readonly string[];
  /** Open to partner users (the narrow UI, see isPartner); the others are not shown to them. */
  partners?: boolean;
  /** Open to monitoring-only users (see isMonitoringOnly); the others are not shown to them. */
  monitoring?: boolean;
}

/** The permissions that open Electronic monitoring (any one of them). */
export const MONITORING_PERMISSIONS: readonly string[] = ['em.read', 'em.operate', 'em.police.read', 'em.police.request', 'em.police.decide'];

/**
 * Whether a user works only with electronic monitoring (the monitoring centre's operator, a police liaison):
 * they read no person records, so only the sections marked `monitoring` are shown to them.
 */
export function isMonitoringOnly(permissions: readonly string[]): boolean {
  return !permissions.includes('people.read') && (permissions.includes('em.operate') || permissions.includes('em.police.request'));
}

/**
 * The permission only a partner organisation's users hold: it marks the narrow UI, in which only
 * the sections marked `partners` are shown (a partner reads no person or case, only what a
 * referral shares with it). Checked together with people.read so a role that ever holds both keeps
 * the staff UI.
 */
export const PARTNER_PERMISSION = 'referrals.provide';

/** Whether a user with these permissions gets the narrow partner UI. */
export function isPartner(permissions: readonly string[]): boolean {
  return permissions.includes(PARTNER_PERMISSION) && !permissions.includes('people.read');
}

/**
 * The permissions that open the administration section (any one of them). Reading agencies
 * and units alone does not: most roles may, for the names on their screens.
 */
export const ADMIN_PERMISSIONS: readonly string[] = ['users.read', 'users.manage', 'tokens.manage', 'roles.read',
  'agencies.manage', 'units.manage', 'reference.manage', 'system.jobs', 'partners.manage', 'settings.manage'];

/** The permissions that open Programmes (the catalogue, referrals, release planning). */
export const PROGRAMMES_PERMISSIONS: readonly string[] = ['programmes.read', 'release.read'];

/** The permissions that open My unit (its staff; shares and emergency access on it). */
export const UNIT_PERMISSIONS: readonly string[] = ['units.members.read', 'grants.manage'];

/** The permissions that open Alerts and breaches (any one of them). */
export const COMPLIANCE_PERMISSIONS: readonly string[] = ['alerts.read', 'breaches.list', 'complaints.read'];

/** The product's sections, in navigation order. */
export const SECTIONS: readonly Section[] = [
  { id: 'dashboard', path: '/', label: 'section.dashboard', about: null, partners: true, monitoring: true },
  { id: 'people', path: '/people', label: 'section.people', about: 'about.people' },
  { id: 'cases', path: '/cases', label: 'section.cases', about: 'about.cases' },
  { id: 'supervision', path: '/supervision', label: 'section.supervision', about: 'about.supervision' },
  { id: 'alerts', path: '/alerts', label: 'section.alerts', about: 'about.alerts', anyOf: COMPLIANCE_PERMISSIONS, monitoring: true },
  { id: 'monitoring', path: '/monitoring', label: 'section.monitoring', about: 'about.monitoring', anyOf: MONITORING_PERMISSIONS,
    monitoring: true },
  { id: 'programmes', path: '/programmes', label: 'section.programmes', about: 'about.programmes',
    anyOf: PROGRAMMES_PERMISSIONS, partners: true },
  { id: 'reports', path: '/reports', label: 'section.reports', about: 'about.reports' },
  { id: 'unit', path: '/unit', label: 'section.unit', about: 'about.unit', anyOf: UNIT_PERMISSIONS },
  { id: 'admin', path: '/admin', label: 'section.admin', about: 'about.admin', anyOf: ADMIN_PERMISSIONS },
  { id: 'audit', path: '/audit', label: 'section.audit', about: 'about.audit', anyOf: ['audit.read'] },
];

export type AdminPageId = 'users' | 'agencies' | 'units' | 'tokens' | 'roles' | 'supervision-levels' | 'compliance-rules' | 'jobs'
  | 'instruments' | 'partners' | 'settings';

export interface AdminPage {
  id: AdminPageId;
  path: string;
  label: MessageKey;
  about: MessageKey;
  /** Needs this permission. */
  permission: string;
}

/** The pages under /admin, in the order of its sub-navigation. */
export const ADMIN_PAGES: readonly AdminPage[] = [
  { id: 'users', path: '/admin/users', label: 'admin.users', about: 'admin.users.about', permission: 'users.read' },
  { id: 'agencies', path: '/admin/agencies', label: 'admin.agencies', about: 'admin.agencies.about', permission: 'agencies.read' },
  { id: 'units', path: '/admin/units', label: 'admin.units', about: 'admin.units.about', permission: 'units.read' },
  { id: 'tokens', path: '/admin/tokens', label: 'admin.tokens', about: 'admin.tokens.about', permission: 'tokens.manage' },
  { id: 'roles', path: '/admin/roles', label: 'admin.roles', about: 'admin.roles.about', permission: 'roles.read' },
  { id: 'supervision-levels', path: '/admin/supervision-levels', label: 'admin.levels', about: 'admin.levels.about',
    permission: 'reference.manage' },
  { id: 'compliance-rules', path: '/admin/compliance-rules', label: 'admin.rules', about: 'admin.rules.about',
    permission: 'reference.manage' },
  { id: 'jobs', path: '/admin/jobs', label: 'admin.jobs', about: 'admin.jobs.about', permission: 'system.jobs' },
  { id: 'instruments', path: '/admin/instruments', label: 'admin.instruments', about: 'admin.instruments.about',
    permission: 'reference.manage' },
  { id: 'partners', path: '/admin/partners', label: 'admin.partners', about: 'admin.partners.about', permission: 'partners.manage' },
  { id: 'settings', path: '/admin/settings', label: 'admin.settings', about: 'admin.settings.about', permission: 'settings.manage' },
];

/** Whether a user with these permissions may see the section. */
export function sectionAllowed(section: Section, permissions: readonly string[]): boolean {
  if (!section.partners && isPartner(permissions)) return false;
  if (!section.monitoring && isMonitoringOnly(permissions)) return false;
  return !section.anyOf || section.anyOf.some((p) => permissions.includes(p));
}

/** What a path shows. */
export type Route =
  | { kind: 'login' }
  | { kind: 'account' }
  | { kind: 'section'; section: Section }
  | { kind: 'admin'; section: Section; page: AdminPage | null }
  | { kind: 'people'; section: Section; page: PeopleRoutePage; id: string | null }
  | { kind: 'cases'; section: Section; page: CasesRoutePage; id: string | null }
  | { kind: 'supervision'; section: Section; page: SupervisionRoutePage; id: string | null }
  | { kind: 'compliance'; section: Section; page: ComplianceRoutePage; id: string | null }
  | { kind: 'programmes'; section: Section; page: ProgrammesRoutePage; id: string | null }
  | { kind: 'monitoring'; section: Section; page: MonitoringRoutePage; id: string | null }
  | { kind: 'notfound' };

/** The pages of Electronic monitoring: /monitoring (the operator's queue), /monitoring/orders,
 * /monitoring/orders/:id, /monitoring/devices, /monitoring/police-requests. */
export type MonitoringRoutePage = 'queue' | 'orders' | 'order' | 'devices' | 'police';

const MONITORING_FIXED: Readonly<Record<string, MonitoringRoutePage>> = {
  '/monitoring': 'queue', '/monitoring/orders': 'orders', '/monitoring/devices': 'devices', '/monitoring/police-requests': 'police',
};

function monitoringRoute(p: string): Route {
  const section = SECTIONS.find((s) => s.id === 'monitoring') as Section;
  const fixed = MONITORING_FIXED[p];
  if (fixed) return { kind: 'monitoring', section, page: fixed, id: null };
  const m = /^\/monitoring\/orders\/([^/]+)$/.exec(p);
  if (!m || !m[1]) return { kind: 'notfound' };
  let id: string;
  try {
    id = decodeURIComponent(m[1]);
  } catch {
    return { kind: 'notfound' };
  }
  return { kind: 'monitoring', section, page: 'order', id };
}

/** The pages of the People section: /people, /people/new, /people/:id, /people/access-requests, /people/import. */
export type PeopleRoutePage = 'search' | 'new' | 'person' | 'access-requests' | 'import';

const PEOPLE_FIXED: Readonly<Record<string, PeopleRoutePage>> = {
  '/people': 'search', '/people/new': 'new', '/people/access-requests': 'access-requests', '/people/import': 'import',
};

function peopleRoute(p: string): Route {
  const section = SECTIONS.find((s) => s.id === 'people') as Section;
  const fixed = PEOPLE_FIXED[p];
  if (fixed) return { kind: 'people', section, page: fixed, id: null };
  const m = /^\/people\/([^/]+)$/.exec(p);
  if (!m || !m[1]) return { kind: 'notfound' };
  let id: string;
  try {
    id = decodeURIComponent(m[1]);
  } catch {
    return { kind: 'notfound' };
  }
  return { kind: 'people', section, page: 'person', id };
}

/** The pages of the Cases section: /cases, /cases/:id, /cases/pretrial, /pretrial/:id (a pre-trial report). */
export type CasesRoutePage = 'list' | 'case' | 'pretrial' | 'report';

function casesRoute(p: string): Route {
  const section = SECTIONS.find((s) => s.id === 'cases') as Section;
  if (p === '/cases') return { kind: 'cases', section, page: 'list', id: null };
  if (p === '/cases/pretrial') return { kind: 'cases', section, page: 'pretrial', id: null };
  const m = /^\/(cases|pretrial)\/([^/]+)$/.exec(p);
  if (!m || !m[2]) return { kind: 'notfound' };
  let id: string;
  try {
    id = decodeURIComponent(m[2]);
  } catch {
    return { kind: 'notfound' };
  }
  return { kind: 'cases', section, page: m[1] === 'cases' ? 'case' : 'report', id };
}

/** The pages of the Supervision section: /supervision (the diary), /supervision/variations (proposals to review
 * or decide), /variations/:id (one proposal), /supervision/catalogue (the condition catalogue),
 * /supervision/assessments (assessments waiting for a step), /assessments/:id (one assessment),
 * /assessment-history/:caseId (a case's assessments over time; ?instrument=CODE), /supervision/certifications. */
export type SupervisionRoutePage = 'diary' | 'variations' | 'variation' | 'catalogue' | 'assessments' | 'assessment'
  | 'assessment-history' | 'certifications';

const SUPERVISION_FIXED: Readonly<Record<string, SupervisionRoutePage>> = {
  '/supervision': 'diary', '/supervision/variations': 'variations', '/supervision/catalogue': 'catalogue',
  '/supervision/assessments': 'assessments', '/supervision/certifications': 'certifications',
};

const SUPERVISION_ONE: Readonly<Record<string, SupervisionRoutePage>> = {
  variations: 'variation', assessments: 'assessment', 'assessment-history': 'assessment-history',
};

function supervisionRoute(p: string): Route {
  const section = SECTIONS.find((s) => s.id === 'supervision') as Section;
  const fixed = SUPERVISION_FIXED[p];
  if (fixed) return { kind: 'supervision', section, page: fixed, id: null };
  const m = /^\/(variations|assessments|assessment-history)\/([^/]+)$/.exec(p);
  const page = m && m[1] ? SUPERVISION_ONE[m[1]] : undefined;
  if (!m || !m[2] || !page) return { kind: 'notfound' };
  let id: string;
  try {
    id = decodeURIComponent(m[2]);
  } catch {
    return { kind: 'notfound' };
  }
  return { kind: 'supervision', section, page, id };
}

/** The pages of the Alerts section: /alerts (the queue), /alerts/tasks, /alerts/:id, /breaches, /breaches/:id,
 * /complaints, /complaints/:id. */
export type ComplianceRoutePage = 'alerts' | 'alert' | 'tasks' | 'breaches' | 'breach' | 'complaints' | 'complaint';

const COMPLIANCE_FIXED: Readonly<Record<string, ComplianceRoutePage>> = {
  '/alerts': 'alerts', '/alerts/tasks': 'tasks', '/breaches': 'breaches', '/complaints': 'complaints',
};

const COMPLIANCE_ONE: Readonly<Record<string, ComplianceRoutePage>> = {
  alerts: 'alert', breaches: 'breach', complaints: 'complaint',
};

function complianceRoute(p: string): Route {
  const section = SECTIONS.find((s) => s.id === 'alerts') as Section;
  const fixed = COMPLIANCE_FIXED[p];
  if (fixed) return { kind: 'compliance', section, page: fixed, id: null };
  const m = /^\/(alerts|breaches|complaints)\/([^/]+)$/.exec(p);
  const page = m && m[1] ? COMPLIANCE_ONE[m[1]] : undefined;
  if (!m || !m[2] || !page) return { kind: 'notfound' };
  let id: string;
  try {
    id = decodeURIComponent(m[2]);
  } catch {
    return { kind: 'notfound' };
  }
  return { kind: 'compliance', section, page, id };
}

/** The pages of the Programmes section: /programmes (the catalogue), /programmes/new, /programmes/:id,
 * /referrals, /referrals/:id, /release-planning, /release-plans/:caseId, /panel-meetings/:id. */
export type ProgrammesRoutePage = 'catalogue' | 'new' | 'programme' | 'referrals' | 'referral' | 'release-planning'
  | 'release-plan' | 'panel-meeting';

/** The permission each page of the Programmes section needs. */
export const PROGRAMMES_PAGE_PERMISSION: Readonly<Record<ProgrammesRoutePage, string>> = {
  catalogue: 'programmes.read', new: 'programmes.manage', programme: 'programmes.read', referrals: 'referrals.read',
  referral: 'referrals.read', 'release-planning': 'release.read', 'release-plan': 'release.read',
  'panel-meeting': 'release.read',
};

const PROGRAMMES_FIXED: Readonly<Record<string, ProgrammesRoutePage>> = {
  '/programmes': 'catalogue', '/programmes/new': 'new', '/referrals': 'referrals', '/release-planning': 'release-planning',
};

const PROGRAMMES_ONE: Readonly<Record<string, ProgrammesRoutePage>> = {
  programmes: 'programme', referrals: 'referral', 'release-plans': 'release-plan', 'panel-meetings': 'panel-meeting',
};

const PROGRAMMES_PATH = /^\/(programmes|referrals|release-planning|release-plans|panel-meetings)(\/|$)/;

function programmesRoute(p: string): Route {
  const section = SECTIONS.find((s) => s.id === 'programmes') as Section;
  const fixed = PROGRAMMES_FIXED[p];
  if (fixed) return { kind: 'programmes', section, page: fixed, id: null };
  const m = /^\/(programmes|referrals|release-plans|panel-meetings)\/([^/]+)$/.exec(p);
  const page = m && m[1] ? PROGRAMMES_ONE[m[1]] : undefined;
  if (!m || !m[2] || !page) return { kind: 'notfound' };
  let id: string;
  try {
    id = decodeURIComponent(m[2]);
  } catch {
    return { kind: 'notfound' };
  }
  return { kind: 'programmes', section, page, id };
}

export function routeFor(path: string): Route {
  const p = normalisePath(path);
  if (p === '/login') return { kind: 'login' };
  if (p === '/account') return { kind: 'account' };
  if (p === '/admin' || p.startsWith('/admin/')) {
    const section = SECTIONS.find((s) => s.id === 'admin') as Section;
    if (p === '/admin') return { kind: 'admin', section, page: null };
    const page = ADMIN_PAGES.find((a) => a.path === p);
    return page ? { kind: 'admin', section, page } : { kind: 'notfound' };
  }
  if (p === '/people' || p.startsWith('/people/')) return peopleRoute(p);
  if (p === '/cases' || p.startsWith('/cases/') || p.startsWith('/pretrial/')) return casesRoute(p);
  if (p === '/supervision' || /^\/(supervision|variations|assessments|assessment-history)\//.test(p)) {
    return supervisionRoute(p);
  }
  if (/^\/(alerts|breaches|complaints)(\/|$)/.test(p)) return complianceRoute(p);
  if (PROGRAMMES_PATH.test(p)) return programmesRoute(p);
  if (p === '/monitoring' || p.startsWith('/monitoring/')) return monitoringRoute(p);
  const section = SECTIONS.find((s) => s.path === p);
  return section ? { kind: 'section', section } : { kind: 'notfound' };
}

const NAVIGATE_EVENT = 'kadam:navigate';

/** The path without a trailing slash (except the root itself). */
export function normalisePath(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') || '/' : path;
}

export function sectionFor(path: string): Section | null {
  const route = routeFor(path);
  return route.kind === 'section' || route.kind === 'admin' || route.kind === 'people' || route.kind === 'cases'
    || route.kind === 'supervision' || route.kind === 'compliance' || route.kind === 'programmes' || route.kind === 'monitoring'
    ? route.section : null;
}

export function navigate(path: string): void {
  if (path !== location.pathname + location.search) history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/** Like navigate(), but replaces the current history entry (redirects). */
export function replace(path: string): void {
  if (path !== location.pathname + location.search) history.replaceState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

/**
 * A same-origin path to return to after login, or null when `next` is not one
 * (absolute URLs, protocol-relative //host, backslashes and /login itself are refused).
 */
export function safeNext(next: string | null): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return null;
  if (normalisePath(next.split(/[?#]/)[0] ?? '') === '/login') return null;
  return next;
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
