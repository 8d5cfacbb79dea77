// /assessment-history/:caseId?instrument=CODE — a case's assessments with one instrument over
// time: a chart (uPlot) of each domain's rating position by assessment date, one line per domain
// with a legend and the scale's labels on the y axis; and the item-by-item comparison table, which
// is also the chart's text alternative: rows are the items grouped by domain (each domain's own
// rating first), columns the assessments oldest to newest, each cell the value's label, a change
// from the column before marked by colour and by an arrow with a spoken label; the judgements last.
// Only submitted, countersigned and superseded assessments are compared.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { get, query } from '../../api';
import { SelectField } from '../../components/Form';
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useLoad } from '../../hooks';
import { useI18n, type Lang } from '../../i18n';
import { formatDay } from '../cases/model';
import { StatusBadge, inLang, type Instrument, type T, type Texts } from './AssessmentPage';
import './assessments.css';

interface Labelled {
  id: string;
  label: Texts;
}

interface Cell {
  value: string | null;
  position: number | null;
}

export interface History {
  instrument_code: string;
  instrument_name: Texts;
  domains: { id: string; kind: string; name: Texts; values: Labelled[] }[];
  items: { id: string; domain: string; kind: string; title: Texts; values: Labelled[] }[];
  judgements: Labelled[];
  assessments: {
    id: string;
    status: string;
    assessed_on: string;
    instrument_version: string;
    judgement: string | null;
    judgement_position: number | null;
    domains: Record<string, Cell>;
    items: Record<string, Cell>;
  }[];
}

/** Distinct colours that read on white, with a dash pattern for the second round. */
const COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#8c6d00', '#3a78a8', '#000000', '#8c564b', '#6b6b6b', '#9467bd'];

function initialCode(): string {
  return new URLSearchParams(location.search).get('instrument') ?? '';
}

export function AssessmentHistoryPage({ caseId }: { caseId: string }) {
  const { t, lang } = useI18n();
  const [code, setCode] = useState(initialCode);
  const instruments = useLoad((signal) => get<{ items: Instrument[] }>('/api/v1/instruments', { signal }), []);
  const codes: { code: string; name: Texts }[] = [];
  for (const i of instruments.data?.items ?? []) {
    const known = codes.find((c) => c.code === i.code);
    if (!known) codes.push({ code: i.code, name: i.name });
    else if (i.current) known.name = i.name;
  }
  useEffect(() => {
    if (!code && codes[0]) choose(codes[0].code);
  }, [code, codes.length]);
  const choose = (c: string) => {
    setCode(c);
    history.replaceState(null, '', `${location.pathname}${query({ instrument: c })}`);
  };
  const load = useLoad((signal) => (code
    ? get<History>(`/api/v1/cases/${encodeURIComponent(caseId)}/assessments/history${query({ instrument: code })}`, { signal })
    : new Promise<History>(() => {})), [caseId, code]);
  return (
    <>
      <p class="breadcrumbs"><Link href={`/cases/${encodeURIComponent(caseId)}#assessments`}>{t('assess.history.back')}</Link></p>
      <div class="page-head">
        <h1 tabIndex={-1} id="history-heading">{t('assessment.history.title')}</h1>
      </div>
      <div class="filters">
        <SelectField id="history-instrument" label={t('assess.instrument')} value={code} onValue={choose}
          options={[...(code && !codes.some((c) => c.code === code) ? [{ value: code, label: code }] : []),
            ...codes.map((c) => ({ value: c.code, label: inLang(c.name, lang) || c.code }))]} />
      </div>
      <LoadState load={load}>
        {(h) => (h.assessments.length === 0
          ? <p id="history-none">{t('assess.history.none')}</p>
          : <HistoryBody h={h} />)}
      </LoadState>
    </>
  );
}

function HistoryBody({ h }: { h: History }) {
  const { t, lang } = useI18n();
  return (
    <>
      <section class="card" aria-labelledby="history-chart-heading">
        <h2 id="history-chart-heading">{t('assess.history.chart', { instrument: inLang(h.instrument_name, lang) || h.instrument_code })}</h2>
        <p class="hint" id="history-chart-about">{t('assess.history.chart.about')}</p>
        <Chart h={h} lang={lang} t={t} />
      </section>
      <section class="card" aria-labelledby="history-table-heading">
        <h2 id="history-table-heading">{t('assess.history.table')}</h2>
        <p class="hint">{t('assess.history.table.about')}</p>
        <Comparison h={h} />
      </section>
    </>
  );
}

/** The y-axis labels: at each position, the labels the domains' scales give it (several joined). */
function axisLabels(h: History, lang: Lang): string[] {
  const n = Math.max(0, ...h.domains.map((d) => d.values.length));
  return Array.from({ length: n }, (_, p) => {
    const seen: string[] = [];
    for (const d of h.domains) {
      const v = d.values[p];
      const text = v ? inLang(v.label, lang) || v.id : '';
      if (text && !seen.includes(text)) seen.push(text);
    }
    return seen.join(' / ');
  });
}

function dayToSeconds(day: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(day);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 1000 : 0;
}

function Chart({ h, lang, t }: { h: History; lang: Lang; t: T }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const labels = axisLabels(h, lang);
    // x must rise: two assessments on one day are a minute apart.
    const xs: number[] = [];
    for (const a of h.assessments) {
      const x = dayToSeconds(a.assessed_on);
      const prev = xs[xs.length - 1];
      xs.push(prev !== undefined && x <= prev ? prev + 60 : x);
    }
    const series: uPlot.Series[] = [{ label: t('assess.assessed_on'), value: (_u, v) => (v == null ? '—' : formatDay(
      new Date(v * 1000).toISOString().slice(0, 10), lang)) }];
    const data: uPlot.AlignedData = [xs, ...h.domains.map((d) => h.assessments.map((a) => a.domains?.[d.id]?.position ?? null))];
    h.domains.forEach((d, i) => {
      const colour = COLOURS[i % COLOURS.length] ?? '#000000';
      series.push({
        label: inLang(d.name, lang) || d.id,
        stroke: colour,
        width: 2,
        dash: i >= COLOURS.length ? [6, 4] : i >= 5 ? [8, 3] : [],
        spanGaps: true,
        points: { show: true, size: 7, fill: colour },
        value: (_u, v) => (v == null ? '—' : d.values[Math.round(v)] ? inLang(d.values[Math.round(v)]?.label, lang) : String(v)),
      });
    });
    const top = Math.max(1, labels.length - 1);
    const width = () => Math.max(320, el.clientWidth);
    const opts: uPlot.Options = {
      width: width(),
      height: 320,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'UTC'),
      scales: {
        x: { time: true, ...(xs.length === 1 ? { range: (_u, min, max) => [min - 86400 * 30, max + 86400 * 30] as [number, number] } : {}) },
        y: { range: [-0.3, top + 0.3] },
      },
      series,
      axes: [
        {
          stroke: '#333333',
          grid: { stroke: '#e3e3e3' },
          ticks: { stroke: '#cccccc' },
          // A tick at each assessment (a day named once), not at calendar steps.
          splits: () => xs,
          values: (_u, splits) => splits.map((v, i) => {
            const day = formatDay(new Date(v * 1000).toISOString().slice(0, 10), lang);
            const before = i > 0 ? formatDay(new Date((splits[i - 1] ?? 0) * 1000).toISOString().slice(0, 10), lang) : '';
            return day === before ? '' : day;
          }),
        },
        {
          stroke: '#333333',
          size: 130,
          grid: { stroke: '#e3e3e3' },
          ticks: { stroke: '#cccccc' },
          splits: () => labels.map((_, p) => p),
          values: (_u, splits) => splits.map((v) => labels[Math.round(v)] ?? ''),
        },
      ],
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
    };
    const plot = new uPlot(opts, data, el);
    const canvas = el.querySelector('canvas');
    canvas?.setAttribute('role', 'img');
    canvas?.setAttribute('aria-label', t('assess.history.chart.label', {
      n: h.assessments.length, domains: h.domains.length,
      from: formatDay(h.assessments[0]?.assessed_on ?? '', lang), to: formatDay(h.assessments[h.assessments.length - 1]?.assessed_on ?? '', lang),
    }));
    canvas?.setAttribute('aria-describedby', 'history-table-heading');
    let observer: ResizeObserver | null = null;
    if (typeof ResizeObserver !== 'undefined') {
      observer = new ResizeObserver(() => plot.setSize({ width: width(), height: 320 }));
      observer.observe(el);
    }
    return () => {
      observer?.disconnect();
      plot.destroy();
    };
  }, [h, lang]);
  return <div class="assess-chart" id="history-chart" ref={box} />;
}

type Change = 'up' | 'down' | 'changed' | null;

function changeOf(prev: Cell | undefined | null, cur: Cell | undefined | null, first: boolean): Change {
  if (first || !prev || !cur || !prev.value || !cur.value || prev.value === cur.value) return null;
  if (prev.position != null && cur.position != null && prev.position !== cur.position) return cur.position > prev.position ? 'up' : 'down';
  return 'changed';
}

function ChangeMark({ change }: { change: Change }) {
  const { t } = useI18n();
  if (!change) return null;
  const label = t(change === 'up' ? 'assess.change.up' : change === 'down' ? 'assess.change.down' : 'assess.change.changed');
  return (
    <span class={`assess-change assess-change-${change}`} role="img" aria-label={label} title={label}>
      {change === 'up' ? '↑' : change === 'down' ? '↓' : '≠'}
    </span>
  );
}

function labelOf(values: Labelled[], value: string | null | undefined, lang: Lang): string {
  if (!value) return '';
  const v = values.find((x) => x.id === value);
  return v ? inLang(v.label, lang) || value : value;
}

function Comparison({ h }: { h: History }) {
  const { t, lang } = useI18n();
  const as = h.assessments;
  const row = (key: string, head: ComponentChildren, cells: (Cell | undefined)[], values: Labelled[], cls = '') => (
    <tr key={key} class={cls} data-row={key}>
      <th scope="row">{head}</th>
      {cells.map((c, i) => {
        const change = changeOf(cells[i - 1], c, i === 0);
        return (
          <td key={as[i]?.id ?? i} class={change ? `assess-cell is-changed is-${change}` : 'assess-cell'} data-change={change ?? undefined}>
            {c?.value ? labelOf(values, c.value, lang) : <span class="muted" aria-label={t('assess.not_rated')}>—</span>}
            {change ? <> <ChangeMark change={change} /></> : null}
          </td>
        );
      })}
    </tr>
  );
  return (
    <div class="table-wrap">
      <table class="table assess-compare" id="history-table">
        <caption class="visually-hidden">{t('assess.history.table')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('assess.history.item')}</th>
            {as.map((a) => (
              <th scope="col" key={a.id}>
                <Link href={`/assessments/${encodeURIComponent(a.id)}`}>{formatDay(a.assessed_on, lang)}</Link>
                <span class="cell-sub"><StatusBadge status={a.status} /> {a.instrument_version}</span>
              </th>
            ))}
          </tr>
        </thead>
        {h.domains.map((d) => (
          <tbody key={d.id} data-domain={d.id}>
            <tr class="assess-group">
              <th scope="colgroup" colSpan={as.length + 1}>{inLang(d.name, lang) || d.id}</th>
            </tr>
            {row(`domain-${d.id}`, <strong>{t('assess.domain.rating')}</strong>, as.map((a) => a.domains?.[d.id]), d.values, 'assess-domain-row')}
            {h.items.filter((i) => i.domain === d.id).map((i) => row(i.id,
              <><span class="assess-item-id">{i.id}</span> {inLang(i.title, lang) || i.id}</>, as.map((a) => a.items?.[i.id]), i.values))}
          </tbody>
        ))}
        <tfoot>
          {row('judgement', <strong>{t('assess.field.judgement')}</strong>,
            as.map((a) => ({ value: a.judgement, position: a.judgement_position })), h.judgements, 'assess-judgement-row')}
        </tfoot>
      </table>
    </div>
  );
}
