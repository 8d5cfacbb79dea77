import type { SystemInfo, SystemState } from '../api';
import { formatDateTime, zoneOffset } from '../format';
import { useI18n } from '../i18n';
import { Link } from '../components/Link';
import { CaseloadCards } from './cases/DashboardCards';
import { ComplianceDashboardCards } from './compliance/DashboardCards';
import { ResponseRatioCard } from './compliance/ResponseRatioCard';
import { PartnerReferralsCard } from './programmes/Referrals';
import { SECTIONS, isPartner, sectionAllowed } from '../router';
import { useSession } from '../session';

const BACKEND_NAMES: Readonly<Record<string, string>> = { sqlite: 'SQLite', postgresql: 'PostgreSQL' };

function Facts({ info }: { info: SystemInfo }) {
  const { t, lang } = useI18n();
  const offset = info.timezone ? zoneOffset(info.timezone, info.time) : '';
  const rows: [string, string][] = [
    [t('status.deployment'), info.deployment_name || '—'],
    [t('status.version'), info.version || '—'],
    [t('status.backend'), BACKEND_NAMES[info.backend] ?? (info.backend || '—')],
    [t('status.schema'), String(info.schema_version)],
    [t('status.timezone'), info.timezone ? (offset ? `${info.timezone} (${offset})` : info.timezone) : '—'],
    [t('status.time'), info.time ? formatDateTime(info.time, info.timezone, lang) : '—'],
  ];
  return (
    <dl class="facts">
      {rows.map(([term, value]) => (
        <div class="fact" key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

interface DashboardProps {
  system: SystemState;
  onRetry: () => void;
}

export function Dashboard({ system, onRetry }: DashboardProps) {
  const { t } = useI18n();
  const { user, can } = useSession();
  const permissions = user?.permissions ?? [];
  // A partner organisation's users get the narrow UI: no server details, their own wording.
  const partner = isPartner(permissions);
  return (
    <>
      <h1 tabIndex={-1}>{t('dashboard.welcome')}</h1>
      {user ? <p class="signed-in">{t('dashboard.signed_in', { name: user.display_name })}</p> : null}
      <p class="lead">{t('dashboard.intro')}</p>
      {can('people.read') ? <CaseloadCards /> : null}
      {can('alerts.read') ? <ComplianceDashboardCards /> : null}
      {can('alerts.read') ? <ResponseRatioCard /> : null}
      {can('referrals.provide') ? <PartnerReferralsCard /> : null}

      {partner ? null : <section class="card" aria-labelledby="status-heading">
        <h2 id="status-heading">{t('status.title')}</h2>
        {system.status === 'loading' ? (
          <p class="muted" role="status">{t('status.loading')}</p>
        ) : system.status === 'error' ? (
          <div class="alert alert-error" role="alert">
            <p class="alert-title">{t('status.error.title')}</p>
            <p>{t('status.error.text')}</p>
            <p class="alert-detail">{t('status.error.detail', { detail: system.detail })}</p>
            <button type="button" class="button" onClick={onRetry}>
              {t('status.retry')}
            </button>
          </div>
        ) : (
          <Facts info={system.info} />
        )}
      </section>}

      <section class="sections" aria-labelledby="sections-heading">
        <h2 id="sections-heading">{t('dashboard.sections')}</h2>
        <ul class="section-grid">
          {SECTIONS.filter((s) => s.about && sectionAllowed(s, permissions)).map((s) => (
            <li key={s.id}>
              <Link href={s.path} class="section-card">
                <span class="section-card-title">{t(s.label)}</span>
                {s.about ? <span class="section-card-about">{t(partner && s.id === 'programmes' ? 'about.programmes.partner' : s.about)}</span> : null}
              </Link>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
