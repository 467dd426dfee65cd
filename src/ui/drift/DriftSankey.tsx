// The Sankey of customers who moved between segments (old segment on the left, new on the right),
// drawn with ECharts' Sankey series. Only the pieces drawn here are registered, as EChart.tsx and
// the map do; the chart is made in a task of its own (chartQueue) like the other charts.
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { SankeyChart, type SankeySeriesOption } from 'echarts/charts';
import { TooltipComponent, type TooltipComponentOption } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { queueChartWork } from '../common/chartQueue';
import { AXIS_COLOR, clusterColor } from '../common/chartTheme';
import { formatInt } from '../common/format';
import type { SankeyData } from './driftModel';

echarts.use([SankeyChart, TooltipComponent, CanvasRenderer]);

type SankeyOption = echarts.ComposeOption<SankeySeriesOption | TooltipComponentOption>;

/** The too-little-history group's colour (a neutral grey): it is no segment. */
const REST_COLOR = '#9aa1ab';

export function sankeyOption(data: SankeyData, k: number, noun: string): SankeyOption {
  // Node names carry the side ("Loyal (then)"): the names drawn are the segments' own.
  const labelOf = new Map(data.nodes.map((n) => [n.name, n.label]));
  return {
    tooltip: {
      trigger: 'item',
      formatter: (p) => {
        const item = p as { dataType?: string; name: string; data: { source?: string; target?: string; value?: number }; value?: number };
        if (item.dataType === 'edge') return escapeHtml(`${item.data.source} → ${item.data.target}: ${formatInt(Number(item.data.value))} ${noun}`);
        return escapeHtml(`${labelOf.get(item.name) ?? item.name}: ${formatInt(Number(item.value))} ${noun}`);
      },
    },
    series: [
      {
        type: 'sankey',
        left: 8,
        // Room for the names of the new segments, written right of their nodes.
        right: 150,
        top: 8,
        bottom: 8,
        nodeAlign: 'justify',
        draggable: false,
        layoutIterations: 16,
        emphasis: { focus: 'adjacency' },
        label: { color: AXIS_COLOR, width: 140, overflow: 'truncate', formatter: (p: { name: string }) => labelOf.get(p.name) ?? p.name },
        lineStyle: { color: 'gradient', opacity: 0.45, curveness: 0.5 },
        data: data.nodes.map((n) => ({
          name: n.name,
          // Old segments on the left (depth 0), new ones on the right (depth 1).
          depth: n.side === 'then' ? 0 : 1,
          itemStyle: { color: n.index === k ? REST_COLOR : clusterColor(n.index) },
        })),
        links: data.links.map((l) => ({ source: l.source, target: l.target, value: l.value })),
      },
    ],
  };
}

interface Props {
  data: SankeyData;
  k: number;
  noun: string;
  label: string;
}

export function DriftSankey({ data, k, noun, label }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const wanted = useRef<SankeyOption>(sankeyOption(data, k, noun));
  wanted.current = sankeyOption(data, k, noun);

  useEffect(() => {
    const element = container.current!;
    let instance: echarts.ECharts | null = null;
    const resize = () => instance?.resize();
    const dropInit = queueChartWork(() => {
      instance = echarts.init(element, undefined, { renderer: 'canvas' });
      chart.current = instance;
      window.addEventListener('resize', resize);
      instance.setOption(wanted.current, { notMerge: true });
    });
    return () => {
      dropInit();
      window.removeEventListener('resize', resize);
      instance?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (!chart.current) return;
    const option = sankeyOption(data, k, noun);
    return queueChartWork(() => chart.current?.setOption(option, { notMerge: true }));
  }, [data, k, noun]);

  // Taller with more segments, so each node keeps room for its name.
  const height = Math.max(240, Math.min(640, 44 * Math.max(1, ...countSides(data))));
  return <div ref={container} className="chart drift-sankey" role="img" aria-label={label} data-testid="drift-sankey" style={{ height }} />;
}

/** Segment names come from the log: the tooltip is HTML, so they are escaped. */
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function countSides(data: SankeyData): number[] {
  let then = 0;
  let now = 0;
  for (const n of data.nodes) {
    if (n.side === 'then') then++;
    else now++;
  }
  return [then, now];
}
