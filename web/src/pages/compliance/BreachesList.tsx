// /breaches — breach allegations: the service's within its units, the competent authority's those referred to
// it. Filter by state; each row says whose, which case, what is alleged, the state and the next step.
import { useState } from 'preact/hooks';
import { query } from '../../api';
import { SelectField } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useLoad } from '../../hooks';
import { useI18n, type MessageKey } from '../../i18n';
import { ComplianceGate, ComplianceTabs } from './Tabs';
import { ALL_STATES, StateBadge, loadBreaches, nextText, type Breach } from './BreachPage';
import './breaches.css';

export function BreachesListPage() {
  return <ComplianceGate permission="breaches.list"><BreachesList /></ComplianceGate>;
}

function BreachesList() {
  const { t } = useI18n();
  const [state, setState] = useState('');
  const [pages, setPages] = useState<Breach[][]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const load = useLoad(async (signal) => {
    const r = await loadBreaches(`/api/v1/breaches${query({ state: state || null })}`, {}, signal);
    setPages([]);
    setCursor(r.next_cursor ?? null);
    return r.items;
  }, [state]);
  const more = async () => {
    if (!cursor) return;
    const r = await loadBreaches(`/api/v1/breaches${query({ state: state || null, cursor })}`);
    setPages((p) => [...p, r.items]);
    setCursor(r.next_cursor ?? null);
  };
  return (
    <>
      <ComplianceTabs current="breaches" />
      <div class="page-head"><h1 tabIndex={-1} id="breaches-heading">{t('breaches.title')}</h1></div>
      <div class="breach-filter">
        <SelectField id="breaches-state" label={t('breaches.filter.state')} value={state} onValue={setState}
          options={[{ value: '', label: t('breaches.filter.all') }, ...ALL_STATES.map((s) => ({ value: s, label: t(`breach.state.${s}` as MessageKey) }))]} />
      </div>
      <LoadState load={load}>
        {(first) => {
          const items = [...first, ...pages.flat()];
          if (!items.length) return <p class="muted" role="status">{t('breaches.none')}</p>;
          return (
            <>
              <div class="table-wrap" role="region" aria-labelledby="breaches-heading" tabIndex={0}>
              <table class="table breach-table" id="breaches-table">
                <thead>
                  <tr>
                    <th scope="col">{t('breaches.col.person')}</th>
                    <th scope="col">{t('breaches.col.case')}</th>
                    <th scope="col">{t('breaches.col.allegation')}</th>
                    <th scope="col">{t('breaches.col.state')}</th>
                    <th scope="col">{t('breaches.col.next')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((b) => (
                    <tr key={b.id}>
                      <td><Link href={`/breaches/${b.id}`}>{b.person_name}</Link></td>
                      <td class="cell-nowrap">{b.case_number}</td>
                      <td class="breach-allegation">{b.allegation}</td>
                      <td><StateBadge state={b.state} /></td>
                      <td>{nextText(t, b)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              </div>
              {cursor ? <button type="button" class="button" onClick={() => void more()}>{t('breaches.more')}</button> : null}
            </>
          );
        }}
      </LoadState>
    </>
  );
}
