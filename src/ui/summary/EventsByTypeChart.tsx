import { useMemo } from 'react';
import { EChart, type BarChartOption } from '../common/EChart';
import { AXIS_COLOR, BAR_COLOR, GRID } from '../common/chartTheme';
import { formatInt } from '../common/format';

export function EventsByTypeChart({ byType }: { byType: Record<string, number> }) {
  const entries = useMemo(() => Object.entries(byType).sort((a, b) => b[1] - a[1]), [byType]);

  const option = useMemo<BarChartOption>(
    () => ({
      grid: { ...GRID, top: 32 },
      tooltip: { trigger: 'axis', valueFormatter: (v) => formatInt(Number(v)) },
      xAxis: { type: 'category', data: entries.map(([type]) => type), axisLabel: { color: AXIS_COLOR, interval: 0, rotate: entries.length > 6 ? 30 : 0 } },
      yAxis: {
        type: 'value',
        name: 'events',
        nameTextStyle: { color: AXIS_COLOR, align: 'left' },
        axisLabel: { color: AXIS_COLOR, formatter: (v: number) => formatInt(v) },
      },
      series: [
        {
          type: 'bar',
          name: 'Events',
          data: entries.map(([, n]) => n),
          itemStyle: { color: BAR_COLOR },
          barMaxWidth: 48,
          // A type with few events (returns beside views) stays visible, and its count is written on it.
          barMinHeight: 3,
          label: { show: entries.length <= 8, position: 'top', color: AXIS_COLOR, formatter: (p: { value: unknown }) => formatInt(Number(p.value)) },
        },
      ],
    }),
    [entries],
  );

  const label =
    entries.length === 0
      ? 'Bar chart of events by type: no events.'
      : `Bar chart of events by type: ${entries.map(([type, n]) => `${type} ${formatInt(n)}`).join(', ')}.`;

  return (
    <figure className="chart-card">
      <figcaption>Events by type</figcaption>
      <EChart option={option} label={label} testId="chart-event-types" />
    </figure>
  );
}
