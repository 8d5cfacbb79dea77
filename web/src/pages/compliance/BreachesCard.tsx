// The case page's card of breach allegations: each with its state and next step, linked to its page.
import { Link } from '../../components/Link';
import { useLoad } from '../../hooks';
import { useI18n } from '../../i18n';
import { useSession } from '../../session';
import type { CasePanelProps } from '../supervision/SupervisionPanels';
import { StateBadge, loadBreaches, nextText } from './BreachPage';
import './breaches.css';

export function BreachesCard({ record, headers }: CasePanelProps) {
  const { t } = useI18n();
  const { can } = useSession();
  const load = useLoad((signal) => loadBreaches(`/api/v1/cases/${encodeURIComponent(record.id)}/breaches`, headers, signal)
    .then((r) => r.items).catch(() => null), [record.id]);
  const items = load.data;
  if (!items) return null;
  return (
    <section class="card" aria-labelledby="breaches-card-heading" id="breaches">
      <div class="card-head">
        <h2 id="breaches-card-heading">{t('breaches.card.title')}</h2>
        {can('breaches.list') ? <Link href="/breaches">{t('breaches.card.all')}</Link> : null}
      </div>
      {items.length ? (
        <ul class="breach-card-list">
          {items.map((b) => (
            <li key={b.id}>
              {can('breaches.list') ? <Link href={`/breaches/${b.id}`}>{b.allegation}</Link> : <span>{b.allegation}</span>}
              {' '}<StateBadge state={b.state} />
              <div class="muted">{nextText(t, b)}</div>
            </li>
          ))}
        </ul>
      ) : <p class="muted">{t('breaches.card.none')}</p>}
    </section>
  );
}
