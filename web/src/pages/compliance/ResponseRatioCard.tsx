// The dashboard's ratio of positive to negative responses over the last 365 days, per unit and per
// officer within the caller's units (a unit head: their units and officers; an officer: their unit
// and themselves). Each row has a small bar: progress recognised against non-compliance answered.
import { get } from '../../api';
import { useLoad } from '../../hooks';
import { LOCALES, useI18n } from '../../i18n';
import './responses.css';

interface Counted {
  positive: number;
  negative: number;
  ratio: number | null;
}

interface Summary {
  from: string;
  to: string;
  units: (Counted & { unit_id: string; unit_name: string })[];
  officers: (Counted & { officer_id: string; officer_name: string; unit_id: string; unit_name?: string })[];
}

function Bar({ row }: { row: Counted }) {
  const total = row.positive + row.negative;
  const pos = total ? Math.round((row.positive / total) * 100) : 0;
  return (
    <span class="resp-bar" aria-hidden="true">
      {total ? (
        <>
          <span class="resp-bar-pos" style={{ width: `${pos}%` }} />
          <span class="resp-bar-neg" style={{ width: `${100 - pos}%` }} />
        </>
      ) : null}
    </span>
  );
}

export function ResponseRatioCard() {
  const { t, lang } = useI18n();
  const load = useLoad((signal) => get<Summary>('/api/v1/compliance/responses-summary', { signal }), []);
  const ratio = (r: Counted) => (r.ratio === null ? '—'
    : new Intl.NumberFormat(LOCALES[lang], { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(r.ratio));
  const table = (id: string, caption: string, rows: { key: string; name: string; sub?: string | undefined; row: Counted }[]) => (
    <div class="table-wrap">
      <table class="table resp-ratio-table" id={id}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('responses.ratio.name')}</th>
            <th scope="col" class="cell-num">{t('responses.ratio.positive')}</th>
            <th scope="col" class="cell-num">{t('responses.ratio.negative')}</th>
            <th scope="col" class="cell-num">{t('responses.ratio.ratio')}</th>
            <th scope="col"><span class="visually-hidden">{t('responses.ratio.bar')}</span></th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ key, name, sub, row }) => (
            <tr key={key}>
              <th scope="row">{name}{sub ? <span class="cell-sub">{sub}</span> : null}</th>
              <td class="cell-num">{row.positive}</td>
              <td class="cell-num">{row.negative}</td>
              <td class="cell-num">{ratio(row)}</td>
              <td><Bar row={row} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
  const data = load.data;
  return (
    <section class="card" aria-labelledby="response-ratio-heading" id="response-ratio">
      <h2 id="response-ratio-heading">{t('responses.ratio.title')}</h2>
      <p class="muted">{t('responses.ratio.about')}</p>
      <p class="hint" id="response-ratio-explain">{t('responses.ratio.explain')}</p>
      {load.status === 'error' ? (
        <div class="alert alert-error" role="alert">
          <p class="alert-title">{t('load.error')}</p>
          <button type="button" class="button" onClick={load.reload}>{t('status.retry')}</button>
        </div>
      ) : null}
      {!data && load.status === 'loading' ? <p class="muted" role="status">{t('status.loading')}</p> : null}
      {data ? (
        <>
          <p class="resp-legend">
            <span class="resp-key resp-key-pos" aria-hidden="true" /> {t('responses.ratio.positive')}
            {' '}<span class="resp-key resp-key-neg" aria-hidden="true" /> {t('responses.ratio.negative')}
          </p>
          {data.units.length ? table('response-ratio-units', t('responses.ratio.units'),
            data.units.map((u) => ({ key: u.unit_id, name: u.unit_name, row: u }))) : null}
          {data.officers.length ? table('response-ratio-officers', t('responses.ratio.officers'),
            data.officers.map((o) => ({ key: `${o.officer_id}:${o.unit_id}`, name: o.officer_name, sub: o.unit_name, row: o })))
            : <p>{t('responses.ratio.none')}</p>}
        </>
      ) : null}
    </section>
  );
}
