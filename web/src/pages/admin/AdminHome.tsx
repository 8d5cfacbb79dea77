// /admin: the administration pages this user may open, and the sub-navigation they share.
import { Link } from '../../components/Link';
import { useI18n } from '../../i18n';
import { ADMIN_PAGES, type AdminPageId } from '../../router';
import { useSession } from '../../session';

/** Links between the administration pages, shown at the top of each. */
export function AdminNav({ current }: { current: AdminPageId | null }) {
  const { t } = useI18n();
  const { can } = useSession();
  const pages = ADMIN_PAGES.filter((p) => can(p.permission));
  return (
    <nav class="sub-nav" aria-label={t('admin.nav')}>
      <ul>
        <li>
          <Link href="/admin" current={current === null}>{t('admin.overview')}</Link>
        </li>
        {pages.map((p) => (
          <li key={p.id}>
            <Link href={p.path} current={p.id === current}>{t(p.label)}</Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function AdminHome() {
  const { t } = useI18n();
  const { can } = useSession();
  const pages = ADMIN_PAGES.filter((p) => can(p.permission));
  return (
    <>
      <AdminNav current={null} />
      <h1 tabIndex={-1}>{t('section.admin')}</h1>
      <p class="lead">{t('about.admin')}</p>
      <ul class="section-grid">
        {pages.map((p) => (
          <li key={p.id}>
            <Link href={p.path} class="section-card">
              <span class="section-card-title">{t(p.label)}</span>
              <span class="section-card-about">{t(p.about)}</span>
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}
