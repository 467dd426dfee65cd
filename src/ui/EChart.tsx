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

  useEffect(() => {
    const instance = echarts.init(container.current!, undefined, { renderer: 'canvas' });
    chart.current = instance;
    const resize = () => instance.resize();
    window.addEventListener('resize', resize);
    instance.getZr().on('click', (event: { offsetX: number; offsetY: number }) => {
      const at = [event.offsetX, event.offsetY];
      if (!pick.current || !instance.containPixel('grid', at)) return;
      const [x] = instance.convertFromPixel({ gridIndex: 0 }, at) as number[];
      if (Number.isFinite(x)) pick.current(x);
    });
    return () => {
      window.removeEventListener('resize', resize);
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
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
