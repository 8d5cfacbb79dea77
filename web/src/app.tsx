// The shell: skip link, header (product, deployment, language, the user's menu), navigation,
// main area. It owns the session: asks the server who is logged in at start, sends everyone
// who is not to /login (remembering where they were going), and goes back there whenever the
// server says the session has ended.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  ApiError, describeError, get, loadSystem, post, put, setCsrfToken, setRequestLanguage,
  setUnauthenticatedHandler, type SessionInfo, type SessionUser, type SystemState,
} from './api';
import { Header } from './components/Header';
import { Nav } from './components/Nav';
import { I18nContext, initialLang, isLang, storeLang, storedLang, translate, type I18n, type Lang, type MessageKey } from './i18n';
import { Account } from './pages/Account';
import { AdminHome } from './pages/admin/AdminHome';
import { SupervisionLevelsPage } from './pages/admin/SupervisionLevels';
import { AgenciesPage } from './pages/admin/Agencies';
import { RolesPage } from './pages/admin/Roles';
import { TokensPage } from './pages/admin/Tokens';
import { UnitsPage } from './pages/admin/Units';
import { UsersPage } from './pages/admin/Users';
import { AuditPage } from './pages/Audit';
import { Dashboard } from './pages/Dashboard';
import { Forbidden } from './pages/Forbidden';
import { Login } from './pages/Login';
import { MyUnitPage } from './pages/MyUnit';
import { NotFound } from './pages/NotFound';
import { PeopleSection } from './pages/people/People';
import { CasePage } from './pages/cases/CasePage';
import { CataloguePage } from './pages/conditions/CataloguePage';
import { VariationPage } from './pages/conditions/VariationPage';
import { VariationsQueuePage } from './pages/conditions/VariationsQueue';
import { DiaryPage } from './pages/supervision/Diary';
import { AlertsQueuePage } from './pages/compliance/AlertsQueue';
import { AlertPage } from './pages/compliance/AlertPage';
import { TasksPage } from './pages/compliance/Tasks';
import { BreachesListPage } from './pages/compliance/BreachesList';
import { BreachPage } from './pages/compliance/BreachPage';
import { ComplaintsPage } from './pages/compliance/Complaints';
import { ComplaintPage } from './pages/compliance/ComplaintPage';
import { ComplianceRulesPage } from './pages/admin/ComplianceRules';
import { JobsPage } from './pages/admin/Jobs';
import { InstrumentsPage } from './pages/admin/Instruments';
import { PartnersPage } from './pages/admin/Partners';
import { SettingsPage } from './pages/admin/Settings';
import { CataloguePage as ProgrammeCataloguePage } from './pages/programmes/Catalogue';
import { ProgrammeNewPage, ProgrammePage } from './pages/programmes/ProgrammePage';
import { ReferralPage } from './pages/programmes/ReferralPage';
import { ReferralsListPage } from './pages/programmes/Referrals';
import { PanelMeetingPage } from './pages/release/PanelMeetingPage';
import { ReleasePlanPage } from './pages/release/ReleasePlanPage';
import { ReleasePlanningList } from './pages/release/ReleasePlanningList';
import { AssessmentPage } from './pages/assessments/AssessmentPage';
import { AssessmentHistoryPage } from './pages/assessments/History';
import { AssessmentsQueuePage } from './pages/assessments/Queue';
import { CertificationsPage } from './pages/assessments/Certifications';
import { CasesPage } from './pages/cases/CasesPage';
import { PretrialEditorPage } from './pages/cases/PretrialEditor';
import { PretrialListPage } from './pages/cases/PretrialList';
import { Placeholder } from './pages/Placeholder';
import { monitoringPage, MONITORING_LABELS } from './pages/monitoring/pages';
import { PROGRAMMES_PAGE_PERMISSION, isMonitoringOnly, navigate, replace, routeFor, sectionAllowed, usePath, type CasesRoutePage, type ComplianceRoutePage,
  type PeopleRoutePage, type ProgrammesRoutePage, type Route, type SupervisionRoutePage } from './router';
import { SessionContext, SystemContext, type SessionApi, type SessionState } from './session';

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

async function fetchSession(): Promise<SessionState> {
  try {
    const info = await get<SessionInfo>('/api/v1/auth/session', { no401Redirect: true });
    setCsrfToken(info.csrf_token);
    return info.stage === 'full' ? { status: 'full', info } : { status: 'partial', info };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setCsrfToken(null);
      return { status: 'anonymous', ended: false };
    }
    return { status: 'error', detail: describeError(error) };
  }
}

/** The window title of each People page (a person's page: "Person"). */
const PEOPLE_LABELS: Readonly<Record<PeopleRoutePage, MessageKey>> = {
  search: 'section.people', new: 'people.new.title', person: 'people.person.title',
  'access-requests': 'sar.title', import: 'import.title',
};

/** The window title of each Cases page. */
const CASES_LABELS: Readonly<Record<CasesRoutePage, MessageKey>> = {
  list: 'section.cases', case: 'cases.case', pretrial: 'pretrial.title', report: 'pretrial.report',
};

/** The page of the Cases section at a route (a case or a report is keyed by its id, so it starts afresh). */
function casesPage(page: CasesRoutePage, id: string | null) {
  if (page === 'case' && id) return <CasePage key={id} id={id} />;
  if (page === 'report' && id) return <PretrialEditorPage key={id} id={id} />;
  if (page === 'pretrial') return <PretrialListPage />;
  return <CasesPage />;
}

/** The window title of each Supervision page. */
const SUPERVISION_LABELS: Readonly<Record<SupervisionRoutePage, MessageKey>> = {
  diary: 'diary.title', variations: 'variations.title', variation: 'variation.title', catalogue: 'catalogue.title',
  assessments: 'assessments.title', assessment: 'assessment.title', 'assessment-history': 'assessment.history.title',
  certifications: 'certifications.title',
};

/** The page of the Supervision section at a route. */
function supervisionPage(page: SupervisionRoutePage, id: string | null) {
  if (page === 'variation' && id) return <VariationPage key={id} id={id} />;
  if (page === 'variations') return <VariationsQueuePage />;
  if (page === 'catalogue') return <CataloguePage />;
  if (page === 'assessment' && id) return <AssessmentPage key={id} id={id} />;
  if (page === 'assessment-history' && id) return <AssessmentHistoryPage key={id} caseId={id} />;
  if (page === 'assessments') return <AssessmentsQueuePage />;
  if (page === 'certifications') return <CertificationsPage />;
  return <DiaryPage />;
}

/** The window title of each page of the Alerts section. */
const COMPLIANCE_LABELS: Readonly<Record<ComplianceRoutePage, MessageKey>> = {
  alerts: 'compliance.tab.alerts', alert: 'compliance.alert', tasks: 'compliance.tab.tasks',
  breaches: 'compliance.tab.breaches', breach: 'compliance.breach', complaints: 'compliance.tab.complaints',
  complaint: 'compliance.complaint',
};

/** The page of the Alerts section at a route (one record is keyed by its id, so it starts afresh). */
function compliancePage(page: ComplianceRoutePage, id: string | null) {
  if (page === 'alert' && id) return <AlertPage key={id} id={id} />;
  if (page === 'breach' && id) return <BreachPage key={id} id={id} />;
  if (page === 'complaint' && id) return <ComplaintPage key={id} id={id} />;
  if (page === 'tasks') return <TasksPage />;
  if (page === 'breaches') return <BreachesListPage />;
  if (page === 'complaints') return <ComplaintsPage />;
  return <AlertsQueuePage />;
}

/** The window title of each page of the Programmes section. */
const PROGRAMMES_LABELS: Readonly<Record<ProgrammesRoutePage, MessageKey>> = {
  catalogue: 'section.programmes', new: 'prog.new', programme: 'prog.programme', referrals: 'ref.list.title',
  referral: 'ref.referral', 'release-planning': 'prog.release_planning', 'release-plan': 'prog.release_plan',
  'panel-meeting': 'prog.panel_meeting',
};

/** The page of the Programmes section at a route (one record is keyed by its id, so it starts afresh). */
function programmesPage(page: ProgrammesRoutePage, id: string | null) {
  if (page === 'programme' && id) return <ProgrammePage key={id} id={id} />;
  if (page === 'new') return <ProgrammeNewPage />;
  if (page === 'referral' && id) return <ReferralPage key={id} id={id} />;
  if (page === 'referrals') return <ReferralsListPage />;
  if (page === 'release-planning') return <ReleasePlanningList />;
  if (page === 'release-plan' && id) return <ReleasePlanPage key={id} caseId={id} />;
  if (page === 'panel-meeting' && id) return <PanelMeetingPage key={id} id={id} />;
  return <ProgrammeCataloguePage />;
}

function pageLabel(route: Route): MessageKey {
  switch (route.kind) {
    case 'login': return 'login.title';
    case 'account': return 'account.title';
    case 'admin': return route.page ? route.page.label : route.section.label;
    case 'section': return route.section.label;
    case 'people': return PEOPLE_LABELS[route.page];
    case 'cases': return CASES_LABELS[route.page];
    case 'supervision': return SUPERVISION_LABELS[route.page];
    case 'compliance': return COMPLIANCE_LABELS[route.page];
    case 'programmes': return PROGRAMMES_LABELS[route.page];
    case 'monitoring': return MONITORING_LABELS[route.page];
    default: return 'notfound.title';
  }
}

export function App({ initialSystem, pendingSystem }: AppProps) {
  const [system, setSystem] = useState<SystemState>(initialSystem);
  const [lang, setLangState] = useState<Lang>(() =>
    initialLang(initialSystem.status === 'ok' ? initialSystem.info.default_language : undefined));
  // Whether the language came from the user (now or in an earlier visit) rather than a default.
  const chosen = useRef(storedLang() !== null);
  // Whether it came from the logged-in user's profile (then the deployment default does not apply).
  const fromProfile = useRef(false);
  const [menuOpen, setMenuOpen] = useState(false);
  // Set when the shell itself changes the path (a redirect to /login), so focus is left alone.
  const redirected = useRef(false);
  const [session, setSession] = useState<SessionState>({ status: 'loading' });
  const sessionRef = useRef(session);
  sessionRef.current = session;
  const path = usePath();
  const route = routeFor(path);

  const applySession = useCallback((next: SessionState) => {
    setSession(next);
    if (next.status === 'full' && !chosen.current && isLang(next.info.user.preferred_language)) {
      fromProfile.current = true;
      setLangState(next.info.user.preferred_language);
    }
  }, []);

  const refresh = useCallback(async () => {
    const next = await fetchSession();
    applySession(next);
    return next;
  }, []);

  useEffect(() => {
    setUnauthenticatedHandler(() => setSession({ status: 'anonymous', ended: true }));
    void refresh();
    return () => setUnauthenticatedHandler(null);
  }, []);

  useEffect(() => {
    if (initialSystem.status !== 'loading') return;
    void pendingSystem.then((state) => {
      setSystem(state);
      if (!chosen.current && !fromProfile.current && state.status === 'ok' && isLang(state.info.default_language)) {
        setLangState(state.info.default_language);
      }
    });
  }, []);

  // Not logged in (or not all the way): every page but /login sends the user there.
  useEffect(() => {
    if ((session.status === 'anonymous' || session.status === 'partial') && route.kind !== 'login') {
      const here = location.pathname + location.search;
      redirected.current = true;
      replace(here === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`);
    }
  }, [session, path]);

  const retry = useCallback(() => {
    setSystem({ status: 'loading' });
    void loadSystem().then(setSystem);
  }, []);

  const logout = useCallback(async () => {
    try {
      await post('/api/v1/auth/logout', {}, { no401Redirect: true });
    } catch {
      /* already ended on the server: the outcome is the same */
    }
    setCsrfToken(null);
    navigate('/login');
    setSession({ status: 'anonymous', ended: false });
  }, []);

  const user: SessionUser | null = session.status === 'full' ? session.info.user : null;
  const permissions = user?.permissions ?? [];
  const sessionApi = useMemo<SessionApi>(() => ({
    state: session,
    user,
    can: (...wanted) => wanted.some((p) => permissions.includes(p)),
    refresh,
    logout,
  }), [session]);

  const i18n = useMemo<I18n>(() => ({
    lang,
    t: (key, params) => translate(lang, key, params),
    setLang: (next) => {
      chosen.current = true;
      storeLang(next);
      setLangState(next);
      const current = sessionRef.current;
      if (current.status === 'full' && current.info.user.preferred_language !== next) {
        // Remember it in the profile too, so other browsers start in it.
        put<SessionUser>('/api/v1/me/preferences', { preferred_language: next }, null).then(
          (updated) => {
            const now = sessionRef.current;
            if (now.status === 'full' && updated && typeof updated === 'object') {
              setSession({ status: 'full', info: { ...now.info, user: { ...now.info.user, preferred_language: next } } });
            }
          },
          () => { /* the choice still holds in this browser */ },
        );
      }
    },
  }), [lang]);
  const { t } = i18n;

  useEffect(() => {
    document.documentElement.lang = lang;
    setRequestLanguage(lang);
  }, [lang]);

  useEffect(() => {
    document.title = t('title.page', { page: t(pageLabel(route)) });
  }, [lang, path]);

  // After an in-app navigation, close the menu and move focus to the new page's heading,
  // so keyboard and screen-reader users land on what changed. Not on the first load.
  const firstPath = useRef(true);
  useEffect(() => {
    if (firstPath.current) {
      firstPath.current = false;
      return;
    }
    setMenuOpen(false);
    if (redirected.current) {
      // A redirect (to /login) is not the user's navigation: leave focus where the page put it.
      redirected.current = false;
      return;
    }
    window.scrollTo(0, 0);
    // A page that put focus in a field of its own (the login form) keeps it there.
    const active = document.activeElement;
    if (active instanceof HTMLInputElement && active.closest('#main')) return;
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

  const loggedIn = session.status === 'full';
  let page;
  if (session.status === 'loading' || (!loggedIn && session.status !== 'error' && route.kind !== 'login')) {
    page = <p class="muted" role="status">{t('status.loading')}</p>;
  } else if (session.status === 'error' && route.kind !== 'login') {
    page = (
      <div class="alert alert-error" role="alert">
        <p class="alert-title">{t('session.error.title')}</p>
        <p>{t('status.error.text')}</p>
        <p class="alert-detail">{t('status.error.detail', { detail: session.detail })}</p>
        <button type="button" class="button" onClick={() => { setSession({ status: 'loading' }); void refresh(); }}>
          {t('status.retry')}
        </button>
      </div>
    );
  } else if (route.kind === 'login') page = <Login />;
  else if (route.kind === 'account') page = <Account />;
  else if (route.kind === 'notfound') page = <NotFound path={path} />;
  else if (!sectionAllowed(route.section, permissions)) page = <Forbidden />;
  else if (route.kind === 'admin') {
    if (!route.page) page = <AdminHome />;
    else if (!permissions.includes(route.page.permission)) page = <Forbidden />;
    else if (route.page.id === 'users') page = <UsersPage />;
    else if (route.page.id === 'agencies') page = <AgenciesPage />;
    else if (route.page.id === 'units') page = <UnitsPage />;
    else if (route.page.id === 'tokens') page = <TokensPage />;
    else if (route.page.id === 'supervision-levels') page = <SupervisionLevelsPage />;
    else if (route.page.id === 'compliance-rules') page = <ComplianceRulesPage />;
    else if (route.page.id === 'jobs') page = <JobsPage />;
    else if (route.page.id === 'instruments') page = <InstrumentsPage />;
    else if (route.page.id === 'partners') page = <PartnersPage />;
    else if (route.page.id === 'settings') page = <SettingsPage />;
    else page = <RolesPage />;
  } else if (route.section.id === 'dashboard' && isMonitoringOnly(permissions)) page = monitoringPage('landing', null);
  else if (route.section.id === 'dashboard') page = <Dashboard system={system} onRetry={retry} />;
  else if (route.section.id === 'audit') page = <AuditPage />;
  else if (route.section.id === 'unit') page = <MyUnitPage />;
  else if (route.kind === 'people') page = <PeopleSection page={route.page} id={route.id} />;
  else if (route.kind === 'cases') page = casesPage(route.page, route.id);
  else if (route.kind === 'supervision') page = supervisionPage(route.page, route.id);
  else if (route.kind === 'compliance') page = compliancePage(route.page, route.id);
  else if (route.kind === 'monitoring') page = monitoringPage(route.page, route.id);
  else if (route.kind === 'programmes') {
    page = permissions.includes(PROGRAMMES_PAGE_PERMISSION[route.page]) ? programmesPage(route.page, route.id) : <Forbidden />;
  } else page = <Placeholder section={route.section} />;

  const showNav = loggedIn && route.kind !== 'login';
  const current = route.kind === 'section' || route.kind === 'admin' || route.kind === 'people' || route.kind === 'cases'
    || route.kind === 'supervision' || route.kind === 'compliance' || route.kind === 'programmes' || route.kind === 'monitoring'
    ? route.section.id : null;

  return (
    <I18nContext.Provider value={i18n}>
      <SystemContext.Provider value={system}>
        <SessionContext.Provider value={sessionApi}>
          <div class={showNav ? 'app' : 'app app-bare'}>
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
            <Header
              system={system}
              showNavToggle={showNav}
              menuOpen={menuOpen}
              onToggleMenu={() => setMenuOpen((open) => !open)}
              user={route.kind === 'login' ? null : user}
              onLogout={() => void logout()}
              path={path}
            />
            <div class="layout">
              {showNav ? (
                <Nav open={menuOpen} current={current} permissions={permissions} onNavigate={() => setMenuOpen(false)} />
              ) : null}
              <main id="main" class="main" tabIndex={-1}>
                <div class={route.kind === 'login' ? 'page page-login' : 'page'}>{page}</div>
              </main>
            </div>
          </div>
        </SessionContext.Provider>
      </SystemContext.Provider>
    </I18nContext.Provider>
  );
}
