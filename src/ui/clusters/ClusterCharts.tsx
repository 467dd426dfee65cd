// The sweep's charts (loaded on the side with ECharts): each score against K with the suggested K,
// the elbow and the K on screen marked, and the cluster sizes of the K on screen. Everything is drawn
// from the finished sweep, so choosing another K only redraws.
import { useMemo } from 'react';
import type { ClusterEntryWire, ClusterResult } from '../../worker/protocol';
import { EChart, type ChartOption } from '../common/EChart';
import { AXIS_COLOR, CHOSEN_COLOR, clusterColor, ELBOW_COLOR, GRID, SUGGESTED_COLOR } from '../common/chartTheme';
import { chartValue, formatMetric } from './clusterFormat';
import { formatInt, formatPercent } from '../common/format';

type MetricKey = 'inertia' | 'silhouette' | 'calinskiHarabasz' | 'daviesBouldin' | 'stability';

export const METRICS: { key: MetricKey; title: string; hint: string; best: 'max' | 'min' | null }[] = [
  { key: 'inertia', title: 'Inertia', hint: 'sum of squared distances to the centres; always falls as K grows, look for the bend', best: null },
  { key: 'silhouette', title: 'Silhouette', hint: '−1 to 1, higher is better', best: 'max' },
  { key: 'calinskiHarabasz', title: 'Calinski-Harabasz', hint: 'spread between the segments against within them; higher is better', best: 'max' },
  { key: 'daviesBouldin', title: 'Davies-Bouldin', hint: 'overlap of each segment with its most similar one; lower is better', best: 'min' },
  { key: 'stability', title: 'Stability (ARI between seeds)', hint: 'adjusted Rand index: 1 = every seed found the same clusters', best: 'max' },
];

interface MarkLineDatum {
  xAxis: number;
  lineStyle: { color: string; type: 'solid' | 'dashed' | 'dotted'; width: number };
}

// The marks carry no label in the chart: at the first or last K a vertical label sat on the axis
// numbers. One key under the charts names them (MarksKey).
function marks(result: ClusterResult, k: number, withElbow: boolean): MarkLineDatum[] {
  const out: MarkLineDatum[] = [{ xAxis: result.suggested.k, lineStyle: { color: SUGGESTED_COLOR, type: 'solid', width: 2 } }];
  if (withElbow && result.elbow) out.push({ xAxis: result.elbow.k, lineStyle: { color: ELBOW_COLOR, type: 'dashed', width: 2 } });
  if (k !== result.suggested.k) out.push({ xAxis: k, lineStyle: { color: CHOSEN_COLOR, type: 'dotted', width: 2 } });
  return out;
}

function MarksKey({ result, k }: { result: ClusterResult; k: number }) {
  const item = (color: string, style: 'solid' | 'dashed' | 'dotted', text: string, id: string) => (
    <li data-mark={id}>
      <span className="marks-key-line" style={{ borderTopColor: color, borderTopStyle: style }} aria-hidden="true" />
      {text}
    </li>
  );
  return (
    <ul className="marks-key" data-testid="cluster-marks-key" aria-label="Marks on the charts">
      {item(SUGGESTED_COLOR, 'solid', `suggested, K = ${result.suggested.k}`, 'suggested')}
      {result.elbow && item(ELBOW_COLOR, 'dashed', `elbow of inertia and silhouette, K = ${result.elbow.k}`, 'elbow')}
      {k !== result.suggested.k && item(CHOSEN_COLOR, 'dotted', `on screen, K = ${k}`, 'chosen')}
    </ul>
  );
}

function describe(entries: ClusterEntryWire[], key: MetricKey, title: string, best: 'max' | 'min' | null, result: ClusterResult, k: number): string {
  const finite = entries.filter((e) => Number.isFinite(e[key]));
  const first = entries[0]?.k;
  const last = entries.at(-1)?.k;
  let text = `${title} against K from ${first} to ${last}.`;
  if (finite.length === 0) text += ' Undefined for every K.';
  else if (best) {
    const top = finite.reduce((a, e) => ((best === 'max' ? e[key] > a[key] : e[key] < a[key]) ? e : a));
    text += ` ${best === 'max' ? 'Highest' : 'Lowest'}: ${formatMetric(top[key], key)} at K = ${top.k}.`;
  }
  const here = entries.find((e) => e.k === k);
  if (here) text += ` At K = ${k}: ${formatMetric(here[key], key)}.`;
  text += ` Suggested K = ${result.suggested.k}${result.elbow ? `; elbow at K = ${result.elbow.k}` : ''}.`;
  return text;
}

function MetricChart({ result, metric, k, onPick }: { result: ClusterResult; metric: (typeof METRICS)[number]; k: number; onPick(k: number): void }) {
  const { entries } = result;
  const { key, title, hint, best } = metric;
  const kMin = result.range.kMin;
  const kMax = result.range.kMax;
  const option = useMemo<ChartOption>(() => {
    const here = entries.find((e) => e.k === k);
    const y = here ? chartValue(here[key]) : null;
    return {
      animation: false,
      grid: { ...GRID, top: 24, bottom: 28 },
      tooltip: { trigger: 'axis', valueFormatter: (v) => formatMetric(typeof v === 'number' ? v : Number.NaN, key) },
      xAxis: {
        type: 'value',
        name: 'K',
        nameLocation: 'middle',
        nameGap: 22,
        min: kMin,
        max: kMax,
        minInterval: 1,
        interval: kMax - kMin > 20 ? 5 : 1,
        axisLabel: { color: AXIS_COLOR },
      },
      yAxis: { type: 'value', scale: true, axisLabel: { color: AXIS_COLOR, formatter: (v: number) => formatMetric(v, key) } },
      series: [
        {
          type: 'line',
          name: title,
          data: entries.map((e) => [e.k, chartValue(e[key])]),
          connectNulls: false,
          symbolSize: 7,
          lineStyle: { color: '#5b6472' },
          itemStyle: { color: '#5b6472' },
          markLine: { symbol: 'none', silent: true, animation: false, data: marks(result, k, key === 'inertia' || key === 'silhouette') },
          markPoint:
            y === null
              ? undefined
              : {
                  symbol: 'circle',
                  symbolSize: 12,
                  silent: true,
                  animation: false,
                  itemStyle: { color: CHOSEN_COLOR },
                  label: { show: false },
                  data: [{ name: `K = ${k}`, coord: [k, y] }],
                },
        },
      ],
    };
  }, [entries, key, title, kMin, kMax, k, result]);
  return (
    <figure className="chart-card metric-chart">
      <figcaption>
        {title} <span className="hint">{hint}</span>
      </figcaption>
      <EChart
        option={option}
        label={describe(entries, key, title, best, result, k)}
        testId={`cluster-chart-${key}`}
        className="chart-small"
        onPickX={(x) => onPick(Math.min(kMax, Math.max(kMin, Math.round(x))))}
      />
    </figure>
  );
}

export function MetricCharts({ result, k, onPick }: { result: ClusterResult; k: number; onPick(k: number): void }) {
  return (
    <>
      <MarksKey result={result} k={k} />
      <div className="chart-grid metric-charts" data-testid="cluster-metric-charts">
        {METRICS.map((m) => (
          <MetricChart key={m.key} result={result} metric={m} k={k} onPick={onPick} />
        ))}
      </div>
    </>
  );
}

export function SizesChart({ sizes, tiny, k }: { sizes: number[]; tiny: Set<number>; k: number }) {
  const total = sizes.reduce((a, b) => a + b, 0);
  const option = useMemo<ChartOption>(
    () => ({
      animation: false,
      grid: { ...GRID, top: 24, bottom: 32 },
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v) => `${formatInt(Number(v))} sequences (${formatPercent(Number(v) / Math.max(1, total))})`,
      },
      xAxis: { type: 'category', name: 'cluster', nameLocation: 'middle', nameGap: 24, data: sizes.map((_, i) => String(i)), axisLabel: { color: AXIS_COLOR } },
      yAxis: { type: 'value', axisLabel: { color: AXIS_COLOR, formatter: (v: number) => formatInt(v) } },
      series: [
        {
          type: 'bar',
          name: 'Sequences',
          barCategoryGap: '15%',
          data: sizes.map((s, i) => ({
            value: s,
            itemStyle: tiny.has(i) ? { color: clusterColor(i), borderColor: '#b3261e', borderWidth: 2, borderType: 'dashed' } : { color: clusterColor(i) },
            label: tiny.has(i) ? { show: true, position: 'top', formatter: 'tiny', color: '#b3261e' } : { show: false },
          })),
        },
      ],
    }),
    [sizes, tiny, total],
  );
  const largest = sizes.reduce((best, s, i) => (s > sizes[best] ? i : best), 0);
  const label =
    `Bar chart of cluster sizes for K = ${k}: ${sizes.map((s, i) => `cluster ${i}: ${formatInt(s)}`).join(', ')}. ` +
    `Largest: cluster ${largest}.${tiny.size ? ` Tiny: ${[...tiny].map((i) => `cluster ${i}`).join(', ')}.` : ''}`;
  return (
    <figure className="chart-card">
      <figcaption>
        Cluster sizes at K = {k} <span className="hint">sequences per cluster; dashed red outline = tiny</span>
      </figcaption>
      <EChart option={option} label={label} testId="cluster-sizes-chart" />
    </figure>
  );
}
