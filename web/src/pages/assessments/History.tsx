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
import { Link } from '../../components/Link';
import { LoadState } from '../../components/LoadState';
import { useLoad } from '../../hooks';
import { useI18n, type Lang, type MessageKey } from '../../i18n';
import { RadioGroup } from '../cases/Fields';
import { formatDay } from '../cases/model';
import { StatusBadge, inLang, type Instrument, type T, type Texts } from './model';
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
      <div class="filters assess-history-filters">
        {/* Radio buttons, not a select: the instruments' long names wrap instead of being cut off. */}
        <RadioGroup id="history-instrument" legend={t('assess.instrument')} value={code} onValue={choose}
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
        <p class="hint" id="history-table-about">{t('assess.history.table.about')}</p>
        <ChangeLegend />
        <Comparison h={h} />
      </section>
    </>
  );
}

/** Whether a higher position on this domain's scale means more concern (risk, motivation) or less (protective). */
export function towardConcern(kind: string | undefined): 1 | -1 | 0 {
  if (kind === 'protective') return -1;
  if (kind === 'risk' || kind === 'motivation') return 1;
  return 0;
}

/**
 * The y-axis labels: at each concern position (0 = least concern), the labels the risk and need
 * domains' scales give it (several joined); the protective domains' labels only when there are no others.
 */
function axisLabels(h: History, lang: Lang): string[] {
  const n = Math.max(0, ...h.domains.map((d) => d.values.length));
  const concern = h.domains.filter((d) => towardConcern(d.kind) >= 0);
  const from = concern.length ? concern : h.domains;
  return Array.from({ length: n }, (_, p) => {
    const seen: string[] = [];
    for (const d of from) {
      const flip = towardConcern(d.kind) < 0;
      const v = d.values[flip ? d.values.length - 1 - p : p];
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

/** The width in pixels the longest of `texts` takes in the chart's axis font. */
function textWidth(texts: string[]): number {
  const ctx = document.createElement('canvas').getContext('2d');
  if (!ctx) return Math.max(0, ...texts.map((x) => x.length * 7));
  ctx.font = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  return Math.max(0, ...texts.map((x) => ctx.measureText(x).width));
}

/** Dash patterns, one per series in turn, so lines that lie on each other stay tellable apart. */
const DASHES: number[][] = [[], [8, 4], [2, 3], [12, 3, 2, 3], [5, 5], [1, 4], [10, 6]];

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
    // Up is more concern for every line: a protective domain's scale is turned over. Lines are
    // set a little apart (by at most ±0.15 of a step) so domains at the same value all show.
    const k = h.domains.length;
    const offset = (i: number) => (k > 1 ? ((i - (k - 1) / 2) / (k - 1)) * 0.3 : 0);
    const data: uPlot.AlignedData = [xs, ...h.domains.map((d, i) => h.assessments.map((a) => {
      const p = a.domains?.[d.id]?.position;
      if (p == null) return null;
      const concern = towardConcern(d.kind) < 0 ? d.values.length - 1 - p : p;
      return concern + offset(i);
    }))];
    h.domains.forEach((d, i) => {
      const colour = COLOURS[i % COLOURS.length] ?? '#000000';
      const name = inLang(d.name, lang) || d.id;
      series.push({
        label: towardConcern(d.kind) < 0 ? `${name} ${t('assess.history.inverted')}` : name,
        stroke: colour,
        width: 2,
        dash: DASHES[i % DASHES.length] ?? [],
        spanGaps: true,
        points: { show: true, size: 6 + (i % 4) * 2, fill: i % 2 ? '#ffffff' : colour, stroke: colour, width: 2 },
        // The legend shows the value as rated, not the plotted position.
        value: (_u, _v, _si, idx) => {
          const cell = idx == null ? null : h.assessments[idx]?.domains?.[d.id];
          return cell?.value ? inLang(d.values.find((x) => x.id === cell.value)?.label, lang) || cell.value : '—';
        },
      });
    });
    const top = Math.max(1, labels.length - 1);
    const axisSize = Math.ceil(textWidth(labels)) + 40;
    const width = () => Math.max(200, el.clientWidth);
    const opts: uPlot.Options = {
      width: width(),
      height: 320,
      // Room on the right for the last date under the axis.
      padding: [12, 48, 0, 0],
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'UTC'),
      scales: {
        x: { time: true, ...(xs.length === 1 ? { range: (_u, min, max) => [min - 86400 * 30, max + 86400 * 30] as [number, number] } : {}) },
        y: { range: [-0.35, top + 0.35] },
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
          label: t('assess.history.axis'),
          labelSize: 20,
          size: axisSize,
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
    let last = width();
    if (typeof ResizeObserver !== 'undefined') {
      observer = new ResizeObserver(() => {
        const w = width();
        if (w !== last) { last = w; plot.setSize({ width: w, height: 320 }); }
      });
      observer.observe(el);
    }
    return () => {
      observer?.disconnect();
      plot.destroy();
    };
  }, [h, lang]);
  return <div class="assess-chart" id="history-chart" ref={box} />;
}

/** better / worse: toward less / more concern; changed: another value where the scale has no direction. */
type Change = 'better' | 'worse' | 'changed' | null;

function changeOf(prev: Cell | undefined | null, cur: Cell | undefined | null, first: boolean, toward: 1 | -1 | 0): Change {
  if (first || !prev || !cur || !prev.value || !cur.value || prev.value === cur.value) return null;
  if (toward !== 0 && prev.position != null && cur.position != null && prev.position !== cur.position) {
    return (cur.position - prev.position) * toward > 0 ? 'worse' : 'better';
  }
  return 'changed';
}

const CHANGE_MARK: Record<'better' | 'worse' | 'changed', string> = { better: '✓', worse: '!', changed: '≠' };

function ChangeMark({ change }: { change: Change }) {
  const { t } = useI18n();
  if (!change) return null;
  const long = t(`assess.change.${change}` as MessageKey);
  return (
    <span class={`assess-change assess-change-${change}`} title={long}>
      <span aria-hidden="true">{CHANGE_MARK[change]} {t(`assess.change.${change}.short` as MessageKey)}</span>
      <span class="visually-hidden">{long}</span>
    </span>
  );
}

function ChangeLegend() {
  const { t } = useI18n();
  return (
    <ul class="plain-list assess-change-legend" id="history-legend" aria-label={t('assess.change.legend')}>
      {(['worse', 'better', 'changed'] as const).map((c) => (
        <li key={c}><ChangeMark change={c} /> <span aria-hidden="true">{t(`assess.change.${c}.about` as MessageKey)}</span></li>
      ))}
    </ul>
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
  const kindOf = (domain: string) => h.domains.find((d) => d.id === domain)?.kind;
  const row = (key: string, head: ComponentChildren, cells: (Cell | undefined)[], values: Labelled[], toward: 1 | -1 | 0, cls = '') => (
    <tr key={key} class={cls} data-row={key}>
      <th scope="row">{head}</th>
      {cells.map((c, i) => {
        const change = changeOf(cells[i - 1], c, i === 0, toward);
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
      <table class="table assess-compare" id="history-table" aria-labelledby="history-table-heading" aria-describedby="history-table-about">
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
            {row(`domain-${d.id}`, <strong>{t('assess.domain.rating')}</strong>, as.map((a) => a.domains?.[d.id]), d.values, towardConcern(d.kind), 'assess-domain-row')}
            {h.items.filter((i) => i.domain === d.id).map((i) => row(i.id,
              <><span class="assess-item-id">{i.id}</span> {inLang(i.title, lang) || i.id}</>, as.map((a) => a.items?.[i.id]), i.values, towardConcern(kindOf(i.domain))))}
          </tbody>
        ))}
        <tfoot>
          {row('judgement', <strong>{t('assess.field.judgement')}</strong>,
            as.map((a) => ({ value: a.judgement, position: a.judgement_position })), h.judgements, 1, 'assess-judgement-row')}
        </tfoot>
      </table>
    </div>
  );
}
