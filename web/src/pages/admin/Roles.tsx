// /admin/roles: the roles and what each may do (read-only: roles are data set by the deployment).
import { get, type Items, type Role } from '../../api';
import { LoadState } from '../../components/LoadState';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { permissionLabel, roleDescription, roleLabel } from '../../labels';
import { AdminNav } from './AdminHome';

export function RolesPage() {
  const { t } = useI18n();
  const roles = useLoad((signal) => get<Items<Role>>('/api/v1/roles', { signal }), []);
  return (
    <>
      <AdminNav current="roles" />
      <h1 tabIndex={-1}>{t('admin.roles')}</h1>
      <p class="lead">{t('admin.roles.about')}</p>
      <LoadState load={roles}>
        {(data) => (
          <div class="table-wrap" role="region" aria-labelledby="roles-caption" tabIndex={0}>
            <table class="table">
              <caption id="roles-caption" class="visually-hidden">{t('admin.roles')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('roles.role')}</th>
                  <th scope="col">{t('roles.description')}</th>
                  <th scope="col">{t('roles.permissions')}</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((r) => (
                  <tr key={r.name}>
                    <th scope="row">
                      <span class="cell-main">{roleLabel(t, r.name)}</span>
                      <code class="cell-sub">{r.name}</code>
                    </th>
                    <td>{roleDescription(t, r.name, r.description)}</td>
                    <td>
                      {r.permissions.length ? (
                        <ul class="plain-list">
                          {r.permissions.map((p) => (
                            <li key={p}>{permissionLabel(t, p)} <code class="cell-sub">{p}</code></li>
                          ))}
                        </ul>
                      ) : '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </LoadState>
    </>
  );
}
