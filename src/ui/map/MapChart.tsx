// The map itself, loaded on the side with ECharts: one large-mode scatter series per colour group
// (flat Float32Array data), wheel zoom and drag pan (inside data zoom), rectangle and lasso brushing,
// a DOM tooltip and clicks on points. Recolouring replaces only the series, so zoom and brush stay.
import { useEffect, useImperativeHandle, useRef, type Ref } from 'react';
import * as echarts from 'echarts/core';
import { ScatterChart, type ScatterSeriesOption } from 'echarts/charts';
import {
  BrushComponent,
  DataZoomInsideComponent,
  GridComponent,
  ToolboxComponent,
  TooltipComponent,
  type BrushComponentOption,
  type DataZoomComponentOption,
  type GridComponentOption,
  type ToolboxComponentOption,
  type TooltipComponentOption,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { HIDDEN_GREY, type ColorGroup } from './colorScheme';
import type { PointSeries } from './pointSeries';
import type { BrushArea } from './selection';

// The brush component always adds a toolbox to the option (its buttons); without the toolbox
// imported ECharts logs an error on every draw. It is hidden: the page has its own mode buttons.
echarts.use([ScatterChart, GridComponent, TooltipComponent, ToolboxComponent, DataZoomInsideComponent, BrushComponent, CanvasRenderer]);

type MapOption = echarts.ComposeOption<
  ScatterSeriesOption | GridComponentOption | TooltipComponentOption | ToolboxComponentOption | DataZoomComponentOption | BrushComponentOption
>;

export type MapMode = 'pan' | 'rect' | 'polygon';

export interface MapChartHandle {
  resetView(): void;
  clearBrush(): void;
  /** The map as a PNG data URL (twice the screen resolution, white background). */
  pngDataUrl(): string;
}

export interface MapChartProps {
  series: PointSeries[];
  groups: ColorGroup[];
  bounds: { xMin: number; xMax: number; yMin: number; yMax: number };
  /** Flat x, y of the selected points, drawn on top; null for none. */
  selectionXY: Float32Array | null;
  mode: MapMode;
  label: string;
  /** Tooltip content for point i (built with textContent). */
  describe(i: number): HTMLElement;
  onPick(i: number): void;
  /** The brushed areas in data coordinates, while brushing and at its end; [] when cleared. */
  onBrush(areas: BrushArea[]): void;
  /** Called once the points have been drawn (ECharts' `finished`: progressive drawing done), so a PNG holds them. */
  onDrawn?(): void;
  ref?: Ref<MapChartHandle>;
}

/** Smaller dots as the map fills up, so dense regions stay readable. */
export function symbolSize(n: number): number {
  return n > 50_000 ? 2 : n > 10_000 ? 3 : n > 2_000 ? 4 : 6;
}

interface RawArea {
  brushType?: string;
  coordRange?: unknown;
}

function toAreas(raw: RawArea[] | undefined): BrushArea[] {
  const out: BrushArea[] = [];
  for (const a of raw ?? []) {
    if (!Array.isArray(a.coordRange)) continue;
    if (a.brushType === 'rect') out.push({ brushType: 'rect', coordRange: a.coordRange as [[number, number], [number, number]] });
    else if (a.brushType === 'polygon') out.push({ brushType: 'polygon', coordRange: a.coordRange as [number, number][] });
  }
  return out;
}

export default function MapChart({ series, groups, bounds, selectionXY, mode, label, describe, onPick, onBrush, onDrawn, ref }: MapChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  // The handlers ECharts holds read the latest props through these.
  const latest = useRef({ series, describe, onPick, onBrush, onDrawn });
  latest.current = { series, describe, onPick, onBrush, onDrawn };

  useEffect(() => {
    const el = container.current!;
    const instance = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = instance;
    // A resize redraws every point: only when the box really changed size (the observer also
    // reports once on observe, and for changes the chart does not see).
    const observer = new ResizeObserver(() => {
      if (el.clientWidth !== instance.getWidth() || el.clientHeight !== instance.getHeight()) {
        instance.resize();
        // The points moved with the box: the probe names where they are now.
        writeProbe(el, instance, latest.current.series);
      }
    });
    observer.observe(el);
    instance.on('click', (params) => {
      const p = params as { seriesIndex?: number; dataIndex?: number };
      const s = latest.current.series[p.seriesIndex ?? -1];
      if (s && p.dataIndex !== undefined && p.dataIndex < s.index.length) latest.current.onPick(s.index[p.dataIndex]);
    });
    instance.on('datazoom', () => writeProbe(el, instance, latest.current.series));
    instance.on('finished', () => {
      if (latest.current.series.some((s) => s.index.length > 0)) latest.current.onDrawn?.();
    });
    // Brushing: the areas arrive in data coordinates; several moves per frame count once.
    let frame = 0;
    let pending: RawArea[] | undefined;
    instance.on('brush', (params) => {
      pending = (params as { areas?: RawArea[] }).areas;
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        latest.current.onBrush(toAreas(pending));
      });
    });
    return () => {
      if (frame) cancelAnimationFrame(frame);
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  // Axes, zoom, brush and tooltip: set once per layout (bounds), kept across recolourings.
  useEffect(() => {
    const option: MapOption = {
      animation: false,
      grid: { left: 8, right: 8, top: 8, bottom: 8, containLabel: false },
      xAxis: { type: 'value', min: bounds.xMin, max: bounds.xMax, show: false, splitLine: { show: false } },
      yAxis: { type: 'value', min: bounds.yMin, max: bounds.yMax, show: false, splitLine: { show: false } },
      dataZoom: [
        // filterMode 'none': zooming only moves the axes; filtering 100,000 points per wheel step is what would stutter.
        { type: 'inside', xAxisIndex: 0, filterMode: 'none' },
        { type: 'inside', yAxisIndex: 0, filterMode: 'none' },
      ],
      toolbox: { show: false },
      // The brush drives no series (seriesIndex []): the page works out the selection from the areas.
      brush: {
        xAxisIndex: 0,
        seriesIndex: [],
        brushMode: 'single',
        transformable: false,
        removeOnClick: true,
        brushStyle: { borderWidth: 1, color: 'rgba(47, 91, 211, 0.08)', borderColor: 'rgba(47, 91, 211, 0.8)' },
        throttleType: 'fixRate',
        throttleDelay: 0,
      },
      tooltip: {
        trigger: 'item',
        confine: true,
        transitionDuration: 0,
        showDelay: 0,
        hideDelay: 50,
        formatter: (params) => {
          const p = params as { seriesIndex?: number; dataIndex?: number };
          const s = latest.current.series[p.seriesIndex ?? -1];
          if (!s || p.dataIndex === undefined) return '';
          return latest.current.describe(s.index[p.dataIndex]);
        },
      },
      series: [],
    };
    chart.current?.setOption(option, { notMerge: true });
  }, [bounds]);

  // The points: one series per colour group, greyed hidden clusters first (behind), the selection last.
  useEffect(() => {
    const n = series.reduce((a, s) => a + s.index.length, 0);
    const size = symbolSize(n);
    const list: ScatterSeriesOption[] = series.map((s, i) => ({
      type: 'scatter',
      id: `g${i}`,
      name: s.group < 0 ? 'hidden' : (groups[s.group]?.label ?? ''),
      data: s.xy as unknown as ScatterSeriesOption['data'],
      dimensions: ['x', 'y'],
      large: true,
      largeThreshold: 2_000,
      // Drawn 5,000 points per frame: at 50,000+ points one synchronous draw holds the main thread for 100 ms+.
      progressive: 5_000,
      progressiveThreshold: 5_000,
      symbolSize: size,
      z: s.group < 0 ? 1 : 2,
      itemStyle: { color: s.group < 0 ? HIDDEN_GREY : (groups[s.group]?.color ?? '#888'), opacity: s.group < 0 ? 0.7 : 0.85 },
      emphasis: { disabled: true },
    }));
    if (selectionXY && selectionXY.length > 0) {
      list.push({
        type: 'scatter',
        id: 'selection',
        data: selectionXY as unknown as ScatterSeriesOption['data'],
        dimensions: ['x', 'y'],
        large: true,
        largeThreshold: 2_000,
        symbolSize: size + 2,
        silent: true,
        tooltip: { show: false },
        z: 3,
        itemStyle: { color: 'rgba(0, 0, 0, 0)', borderColor: '#111', borderWidth: 1 },
      });
    }
    chart.current?.setOption({ series: list }, { replaceMerge: ['series'] });
    writeProbe(container.current, chart.current, series);
  }, [series, groups, selectionXY, bounds]);

  useEffect(() => {
    chart.current?.dispatchAction({
      type: 'takeGlobalCursor',
      key: 'brush',
      brushOption: mode === 'pan' ? { brushType: false } : { brushType: mode, brushMode: 'single' },
    });
  }, [mode, bounds]);

  useImperativeHandle(
    ref,
    () => ({
      resetView() {
        chart.current?.dispatchAction({ type: 'dataZoom', batch: [0, 1].map((dataZoomIndex) => ({ dataZoomIndex, start: 0, end: 100 })) });
        writeProbe(container.current, chart.current, latest.current.series);
      },
      clearBrush() {
        chart.current?.dispatchAction({ type: 'brush', areas: [] });
      },
      pngDataUrl() {
        return chart.current?.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' }) ?? '';
      },
    }),
    [],
  );

  return <div ref={container} className="map-canvas" role="img" aria-label={label} tabIndex={0} data-testid="map-chart" />;
}

/**
 * For tests and tools: `data-probe="i,x,y"` names a point drawn on top of the others (the last of the
 * last coloured series) and where it is on the canvas, so a test can hover or click a real point.
 */
function writeProbe(el: HTMLDivElement | null, instance: echarts.ECharts | null, series: PointSeries[]): void {
  if (!el || !instance) return;
  const top = [...series].reverse().find((s) => s.group >= 0 && s.index.length > 0) ?? series.at(-1);
  if (!top || top.index.length === 0) {
    el.removeAttribute('data-probe');
    return;
  }
  const j = top.index.length - 1;
  const px = instance.convertToPixel({ gridIndex: 0 }, [top.xy[2 * j], top.xy[2 * j + 1]]) as number[] | undefined;
  if (!px || !Number.isFinite(px[0])) {
    el.removeAttribute('data-probe');
    return;
  }
  el.setAttribute('data-probe', `${top.index[j]},${Math.round(px[0])},${Math.round(px[1])}`);
}
