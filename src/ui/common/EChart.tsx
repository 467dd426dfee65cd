// Only the pieces of ECharts we draw with are registered, which keeps the bundle small.
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart, type BarSeriesOption, type LineSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  MarkLineComponent,
  MarkPointComponent,
  TooltipComponent,
  type GridComponentOption,
  type MarkLineComponentOption,
  type MarkPointComponentOption,
  type TooltipComponentOption,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { queueChartWork } from './chartQueue';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, MarkLineComponent, MarkPointComponent, CanvasRenderer]);

export type BarChartOption = echarts.ComposeOption<BarSeriesOption | GridComponentOption | TooltipComponentOption>;
export type ChartOption = echarts.ComposeOption<
  BarSeriesOption | LineSeriesOption | GridComponentOption | TooltipComponentOption | MarkLineComponentOption | MarkPointComponentOption
>;

interface Props {
  option: ChartOption;
  /** What the chart shows, in words: the canvas itself says nothing to assistive technology. */
  label: string;
  testId?: string;
  /**
   * Called with the x-axis value under a click anywhere in the plot area (not only on a point), for
   * charts whose x axis is something to choose (K).
   */
  onPickX?: (x: number) => void;
  className?: string;
}

export function EChart({ option, label, testId, onPickX, className }: Props) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const pick = useRef(onPickX);
  pick.current = onPickX;

  // The option to draw: the chart is made in a task of its own (chartQueue), and draws the latest.
  const wanted = useRef(option);
  wanted.current = option;

  useEffect(() => {
    const element = container.current!;
    let instance: echarts.ECharts | null = null;
    const resize = () => instance?.resize();
    const dropInit = queueChartWork(() => {
      instance = echarts.init(element, undefined, { renderer: 'canvas' });
      chart.current = instance;
      const made = instance;
      window.addEventListener('resize', resize);
      made.getZr().on('click', (event: { offsetX: number; offsetY: number }) => {
        const at = [event.offsetX, event.offsetY];
        if (!pick.current || !made.containPixel('grid', at)) return;
        const [x] = made.convertFromPixel({ gridIndex: 0 }, at) as number[];
        if (Number.isFinite(x)) pick.current(x);
      });
      made.setOption(wanted.current, { notMerge: true });
    });
    return () => {
      dropInit();
      window.removeEventListener('resize', resize);
      instance?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    // Before the chart exists its first draw takes the latest option; afterwards each change is queued.
    if (!chart.current) return;
    return queueChartWork(() => chart.current?.setOption(option, { notMerge: true }));
  }, [option]);

  return (
    <div
      ref={container}
      className={className ? `chart ${className}` : 'chart'}
      role="img"
      aria-label={label}
      data-testid={testId}
      style={onPickX ? { cursor: 'pointer' } : undefined}
    />
  );
}
