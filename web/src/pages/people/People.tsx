// The People section's pages, by route (see router.ts): search, registration, a person,
// the subject-access register and import. Each page needs a permission; without it the
// page says so (the server would refuse its data too).
import { useI18n } from '../../i18n';
import type { PeopleRoutePage } from '../../router';
import { useSession } from '../../session';
import { Forbidden } from '../Forbidden';
import { AccessRequestsPage } from './AccessRequests';
import { ImportPage } from './Import';
import { PersonPage } from './Person';
import { RegisterPersonPage } from './Register';
import { PeopleSearchPage } from './Search';

const NEEDS: Readonly<Record<PeopleRoutePage, string>> = {
  search: 'people.read',
  new: 'people.write',
  person: 'people.read',
  'access-requests': 'access_requests.manage',
  import: 'import.run',
};

export function PeopleSection({ page, id }: { page: PeopleRoutePage; id: string | null }) {
  const { t } = useI18n();
  const { can } = useSession();
  if (!can(NEEDS[page])) {
    if (page !== 'search') return <Forbidden />;
    // The section is in everyone's navigation: say what it is and that this role does not open it.
    return (
      <>
        <h1 tabIndex={-1}>{t('section.people')}</h1>
        <p class="lead">{t('about.people')}</p>
        <div class="notice" role="note"><p>{t('people.no_access')}</p></div>
      </>
    );
  }
  if (page === 'new') return <RegisterPersonPage />;
  if (page === 'person' && id) return <PersonPage key={id} id={id} />;
  if (page === 'access-requests') return <AccessRequestsPage />;
  if (page === 'import') return <ImportPage />;
  return <PeopleSearchPage />;
}
