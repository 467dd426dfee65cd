import { useMemo } from 'react';
import type { AnalysisReport } from '../../pipeline/types';
import { EChart, type BarChartOption } from '../common/EChart';
import { AXIS_COLOR, BAR_COLOR, GRID } from '../common/chartTheme';
import { formatInt } from '../common/format';

type Histogram = AnalysisReport['sequences']['histogram'];

/** Bucket [a, b) of whole-number lengths reads best as "a" or "a–(b-1)"; an open last bucket as "a+". */
export function bucketLabels({ edges, counts }: Histogram): string[] {
  return counts.map((_, i) => {
    const lo = edges[i];
    const hi = edges[i + 1];
    if (hi === undefined || !Number.isFinite(hi)) return `${formatInt(lo)}+`;
    return hi - lo <= 1 ? formatInt(lo) : `${formatInt(lo)}–${formatInt(Math.ceil(hi) - 1)}`;
  });
}

/** noun: what one bar counts, 'customers' or 'sessions'. */
export function LengthHistogramChart({ histogram, noun = 'customers' }: { histogram: Histogram; noun?: string }) {
  const labels = useMemo(() => bucketLabels(histogram), [histogram]);
  const one = noun.replace(/s$/, '');

  const option = useMemo<BarChartOption>(
    () => ({
      grid: { ...GRID, top: 32, bottom: 32 },
      tooltip: { trigger: 'axis', valueFormatter: (v) => `${formatInt(Number(v))} ${noun}` },
      xAxis: { type: 'category', name: 'events', nameLocation: 'middle', nameGap: 28, data: labels, axisLabel: { color: AXIS_COLOR } },
      yAxis: {
        type: 'value',
        name: noun,
        nameTextStyle: { color: AXIS_COLOR, align: 'left' },
        axisLabel: { color: AXIS_COLOR, formatter: (v: number) => formatInt(v) },
      },
      series: [{ type: 'bar', name: noun[0].toUpperCase() + noun.slice(1), data: histogram.counts, itemStyle: { color: BAR_COLOR }, barCategoryGap: '8%' }],
    }),
    [labels, histogram, noun],
  );

  const total = histogram.counts.reduce((a, b) => a + b, 0);
  const peak = histogram.counts.reduce((best, n, i) => (n > histogram.counts[best] ? i : best), 0);
  const label =
    total === 0
      ? `Histogram of events per ${one}: no ${noun}.`
      : `Histogram of events per ${one}: ${formatInt(total)} ${noun}; the most common is ${labels[peak]} events (${formatInt(histogram.counts[peak])} ${noun}).`;

  return (
    <figure className="chart-card">
      <figcaption>Events per {one}</figcaption>
      <EChart option={option} label={label} testId="chart-lengths" />
    </figure>
  );
}
