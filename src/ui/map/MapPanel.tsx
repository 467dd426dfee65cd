// The map of users: every sequence at its UMAP position, coloured by cluster or by an attribute,
// with zoom, brushing, a legend that greys clusters out, a tooltip and a per-user drawer. A new K
// only rebuilds the colour groups; the layout comes from the projection and is not recomputed.
import { SavedNote } from '../state/SavedNote';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AnalysisClient } from '../../worker/client';
import type { MapData, ProjectProgressWire, ProjectResult } from '../../worker/protocol';
import { clusterColor } from '../common/chartTheme';
import { formatDecimal, formatInt, formatPercent } from '../common/format';
import { ProgressMeter } from '../common/ProgressMeter';
import { useMoney } from '../common/MoneyContext';
import type { ProjectionState } from './useProjection';
import { clusterName, colorScheme, type ColorScheme } from './colorScheme';
import type { MapChartHandle, MapMode } from './MapChart';
import { pointFacts, tooltipElement } from './pointText';
import { bounds, splitPoints } from './pointSeries';
import { pointsInAreas, summariseSelection, type BrushArea } from './selection';
import type { ColorBy, MapView } from './useMapView';
import { UserDrawer } from './UserDrawer';

// ECharts is loaded on the side, as for the other charts.
const loadMapChart = () => import('./MapChart');
const MapChart = lazy(loadMapChart);

interface Props {
  projection: ProjectionState;
  /** Cluster of every point for the K on screen, or null (no sweep yet). */
  labels: Int32Array | null;
  k: number | null;
  /** Profile label of each cluster; null while the profiles load. */
  clusterLabels: string[] | null;
  view: MapView;
  client: AnalysisClient;
  /** What a point is: a customer, or a session when the log is grouped by session. */
  noun?: 'customer' | 'session';
}

// In plain words: the map's steps are what a merchant watches on the first screen.
const STAGES: Record<ProjectProgressWire['stage'], string> = {
  knn: 'Finding who shops alike',
  graph: 'Linking them',
  layout: 'Drawing the map',
  trust: 'Checking the map',
};

export function stageLabel(p: ProjectProgressWire): string {
  return STAGES[p.stage];
}

const COLOR_BY: { value: ColorBy; label: string }[] = [
  { value: 'cluster', label: 'Segment' },
  { value: 'length', label: 'Number of events' },
  { value: 'revenue', label: 'Revenue' },
  { value: 'country', label: 'Country' },
  { value: 'lastType', label: 'Last event type' },
];

function available(by: ColorBy, data: MapData): boolean {
  if (by === 'revenue') return data.hasPrice;
  if (by === 'country') return data.hasCountry;
  return true;
}

export function MapPanel({ projection, labels, k, clusterLabels, view, client, noun = 'customer' }: Props) {
  // Fetch the chart's code while the layout is computed, so that the map shows as soon as it is done.
  useEffect(() => void loadMapChart(), []);
  const { state, result, data, stale, error } = projection;
  const ready = result !== null && data !== null && data.n === result.n;
  // Which layouts this panel has drawn: a test (and a reader of the DOM) can tell a recolouring from a new layout.
  const layouts = useRef<{ last: ProjectResult | null; count: number }>({ last: null, count: 0 });
  if (result && layouts.current.last !== result) layouts.current = { last: result, count: layouts.current.count + 1 };

  // Indices of an older, larger layout mean nothing for this one.
  const n = result?.n ?? 0;
  const { selection, focus, setSelection, setFocus } = view;
  useEffect(() => {
    if (!result) return;
    if (selection && selection.length > 0 && selection[selection.length - 1] >= result.n) setSelection(null);
    if (focus !== null && focus >= result.n) setFocus(null);
  }, [result, selection, focus, setSelection, setFocus]);

  return (
    <section
      className="panel map"
      aria-labelledby="map-heading"
      data-testid="map"
      data-state={state}
      data-points={ready ? n : ''}
      data-k={ready && labels && labels.length === n ? (k ?? '') : ''}
      data-selected={view.selection?.length ?? 0}
      data-hidden={[...view.hidden].sort((a, b) => a - b).join(',')}
      data-color-by={view.colorBy}
      data-layouts={layouts.current.count}
      data-stale={stale ? 'true' : 'false'}
    >
      <h2 id="map-heading">Map of your {noun === 'session' ? 'sessions' : 'customers'}</h2>
      <p className="hint">Each dot is one {noun}; dots close together shop alike. Wheel to zoom, drag to pan, Rectangle or Lasso to select.</p>
      {state === 'running' && <Progress projection={projection} />}
      {state === 'error' && error && (
        <div role="alert" className="alert" data-testid="map-error" data-code={error.code}>
          <div>
            <p className="alert-title">{error.code === 'project-input' ? `These ${noun}s cannot be mapped` : 'The map could not be drawn'}</p>
            <p>{error.message}</p>
            <p>
              <button type="button" className="link" onClick={projection.retry}>
                Try again
              </button>
            </p>
          </div>
        </div>
      )}
      {state === 'cancelled' && (
        <p className="status" data-testid="map-cancelled">
          The map was cancelled.{' '}
          <button type="button" className="link" onClick={projection.retry}>
            Lay out again
          </button>
        </p>
      )}
      {state === 'waiting' && !result && (
        <p className="hint" data-testid="map-waiting">
          The map is drawn once the segments are ready.
        </p>
      )}
      {stale && result && state !== 'error' && (
        <p className="hint" data-testid="map-stale">
          This map belongs to the previous segments; a new one is drawn once they are ready.
        </p>
      )}
      {ready && (
        <MapBody
          result={result}
          data={data}
          labels={labels && labels.length === result.n ? labels : null}
          k={k}
          clusterLabels={clusterLabels}
          view={view}
          client={client}
          stale={stale}
          noun={noun}
        />
      )}
    </section>
  );
}

function Progress({ projection }: { projection: ProjectionState }) {
  const p = projection.progress;
  const label = p ? stageLabel(p) : 'Starting the map…';
  return (
    <ProgressMeter
      label={label}
      fraction={p ? p.overall : null}
      details={p ? `Placing those who shop alike close together · ${label.toLowerCase()}` : 'Getting ready…'}
      onCancel={projection.cancel}
      panelTestId="map-progress"
      barTestId="map-progress-bar"
      cancelTestId="map-cancel"
    />
  );
}

interface BodyProps {
  result: ProjectResult;
  data: MapData;
  labels: Int32Array | null;
  k: number | null;
  clusterLabels: string[] | null;
  view: MapView;
  client: AnalysisClient;
  stale: boolean;
  noun: 'customer' | 'session';
}

function MapBody({ result, data, labels, k, clusterLabels, view, client, stale, noun }: BodyProps) {
  const money = useMoney();
  const chart = useRef<MapChartHandle>(null);
  const [mode, setMode] = useState<MapMode>('pan');
  const colorBy = available(view.colorBy, data) ? view.colorBy : 'cluster';
  const { hidden, selection, setSelection } = view;
  const coords = result.coords;

  const scheme = useMemo<ColorScheme>(
    () =>
      colorScheme(colorBy, {
        labels,
        k,
        clusterLabels,
        attributes: data.attributes,
        typeNames: data.typeNames,
        countries: data.countries,
        money,
        noun: `${noun}s`,
      }),
    [colorBy, labels, k, clusterLabels, data, money, noun],
  );
  const hiddenOf = useMemo(() => (labels && hidden.size > 0 ? (i: number) => hidden.has(labels[i]) : null), [labels, hidden]);
  const series = useMemo(() => splitPoints(coords, scheme.groupOf, scheme.groups.length, hiddenOf), [coords, scheme, hiddenOf]);
  const box = useMemo(() => bounds(coords), [coords]);
  const selectionXY = useMemo(() => {
    if (!selection) return null;
    const xy = new Float32Array(selection.length * 2);
    for (let j = 0; j < selection.length; j++) {
      xy[2 * j] = coords[2 * selection[j]];
      xy[2 * j + 1] = coords[2 * selection[j] + 1];
    }
    return xy;
  }, [selection, coords]);

  const latest = useRef({ labels, clusterLabels, data, hiddenOf });
  latest.current = { labels, clusterLabels, data, hiddenOf };
  const describe = useCallback((i: number) => {
    const { data: d, labels: l, clusterLabels: c } = latest.current;
    return tooltipElement(pointFacts(i, d, l, c));
  }, []);
  const onBrush = useCallback(
    (areas: BrushArea[]) => setSelection(areas.length === 0 ? null : pointsInAreas(coords, areas, latest.current.hiddenOf)),
    [coords, setSelection],
  );

  const hiddenPoints = useMemo(() => series.filter((s) => s.group < 0).reduce((a, s) => a + s.index.length, 0), [series]);
  const label = describeMap(result.n, noun, colorBy, scheme, k, hidden.size, hiddenPoints, selection?.length ?? 0);

  // Save PNG waits for the first complete drawing (the chart loads lazily and draws progressively).
  const [drawn, setDrawn] = useState(false);
  const onDrawn = useCallback(() => setDrawn(true), []);
  const savePng = () => {
    const url = chart.current?.pngDataUrl();
    if (!url) return;
    const a = document.createElement('a');
    a.href = url;
    a.download = k === null ? 'seqlens-map.png' : `seqlens-map-k${k}.png`;
    document.body.appendChild(a);
    a.click();
    a.remove();
  };
  const clearSelection = () => {
    chart.current?.clearBrush();
    setSelection(null);
  };

  const focused = view.focus;
  return (
    <div className={`map-body${stale ? ' stale' : ''}`} aria-busy={stale}>
      <div className="map-toolbar" role="toolbar" aria-label="Map controls">
        <label className="map-color-by">
          Colour by{' '}
          <select data-testid="map-color-by" value={colorBy} onChange={(event) => view.setColorBy(event.currentTarget.value as ColorBy)}>
            {COLOR_BY.filter((c) => available(c.value, data)).map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <span className="map-modes" role="group" aria-label="Mouse drags">
          {(
            [
              ['pan', 'Pan / zoom'],
              ['rect', 'Rectangle select'],
              ['polygon', 'Lasso select'],
            ] as const
          ).map(([m, text]) => (
            <button key={m} type="button" aria-pressed={mode === m} data-testid={`map-mode-${m}`} onClick={() => setMode(m)}>
              {text}
            </button>
          ))}
        </span>
        <button type="button" data-testid="map-reset" onClick={() => chart.current?.resetView()}>
          Reset view
        </button>
        <button
          type="button"
          data-testid="map-save-png"
          onClick={savePng}
          disabled={!drawn}
          title={drawn ? 'Download the map as a PNG image' : 'Available once the map is drawn'}
        >
          Save PNG
        </button>
      </div>

      <div className="map-layout">
        <Suspense fallback={<div className="map-canvas chart-loading">Loading the map…</div>}>
          <MapChart
            ref={chart}
            series={series}
            groups={scheme.groups}
            bounds={box}
            selectionXY={selectionXY}
            mode={mode}
            label={label}
            describe={describe}
            onPick={view.setFocus}
            onBrush={onBrush}
            onDrawn={onDrawn}
          />
        </Suspense>
        <div className="map-side">
          <ClusterLegend labels={labels} k={k} clusterLabels={clusterLabels} view={view} scheme={colorBy === 'cluster' ? scheme : null} />
          {colorBy !== 'cluster' && <ColorKey scheme={scheme} title={COLOR_BY.find((c) => c.value === colorBy)!.label} />}
          <SelectionSummary selection={selection} data={data} labels={labels} k={k} noun={noun} clusterLabels={clusterLabels} onClear={clearSelection} />
        </div>
      </div>

      <SavedNote restored={result.restored} saveError={result.saveError} testId="map" />
      {/* How the map was made: for analysts, folded away from the merchant's first screen. */}
      <details className="map-details-box">
        <summary className="hint">Map details</summary>
        <p className="hint map-details" data-testid="map-details" data-trust={result.trustworthiness.value} data-restored={result.restored ? 'true' : 'false'}>
          {formatInt(result.n)} points · {formatInt(result.nNeighbors)} neighbours · {formatInt(result.nEpochs)} epochs · {formatDecimal(result.seconds)} s ·
          trustworthiness (15 neighbours) {Number.isFinite(result.trustworthiness.value) ? result.trustworthiness.value.toFixed(3) : '—'}{' '}
          {result.trustworthiness.exact ? '(exact)' : `(sampled on ${formatInt(result.trustworthiness.sampleSize)} points)`}
        </p>
        <p className="hint">
          Laid out with UMAP: each point is placed near its {formatInt(result.nNeighbors)} most similar neighbours, in {formatInt(result.nEpochs)} rounds
          (epochs) of adjustment. Trustworthiness (0 to 1) says how well the map keeps each point's true neighbours close: above 0.9 the map can be read as it
          looks.
        </p>
      </details>
      {result.warnings.map((w) => (
        <p key={w} className="notice" data-testid="map-warning">
          {w}
        </p>
      ))}

      {focused !== null && k !== null && focused < result.n && (
        <UserDrawer
          key={`${focused}-${k}`}
          client={client}
          index={focused}
          k={k}
          title={data.ids[focused] ?? `#${focused}`}
          clusterName={labels ? clusterName(labels[focused], clusterLabels) : null}
          onClose={() => view.setFocus(null)}
        />
      )}
    </div>
  );
}

function describeMap(
  n: number,
  noun: string,
  by: ColorBy,
  scheme: ColorScheme,
  k: number | null,
  hiddenClusters: number,
  hiddenPoints: number,
  selected: number,
): string {
  const what = COLOR_BY.find((c) => c.value === by)!.label.toLowerCase();
  const groups = [...scheme.groups]
    .map((g) => `${g.label}: ${formatInt(g.count)}`)
    .slice(0, 12)
    .join('; ');
  let text = `Map of ${formatInt(n)} ${noun}s, those who shop alike close together, coloured by ${what}${by === 'cluster' && k !== null ? ` (${k} segments)` : ''}. ${groups}.`;
  if (hiddenClusters > 0) text += ` ${hiddenClusters} segment${hiddenClusters === 1 ? '' : 's'} greyed out (${formatInt(hiddenPoints)} ${noun}s).`;
  if (selected > 0) text += ` ${formatInt(selected)} selected.`;
  return text;
}

function ClusterLegend({
  labels,
  k,
  clusterLabels,
  view,
  scheme,
}: {
  labels: Int32Array | null;
  k: number | null;
  clusterLabels: string[] | null;
  view: MapView;
  scheme: ColorScheme | null;
}) {
  if (!labels || k === null) return null;
  const counts = scheme ? scheme.groups.map((g) => g.count) : countLabels(labels, k);
  return (
    <div className="map-legend" data-testid="map-legend">
      <h3 className="map-side-title">Segments (K = {k})</h3>
      <p className="hint">Click to grey a cluster out or back in.</p>
      <ul>
        {counts.map((c, i) => {
          const shown = !view.hidden.has(i);
          return (
            <li key={i}>
              <button
                type="button"
                className="map-legend-item"
                aria-pressed={shown}
                data-testid={`map-legend-${i}`}
                data-cluster={i}
                data-hidden={shown ? 'false' : 'true'}
                onClick={() => view.toggleHidden(i)}
                title={`${clusterName(i, clusterLabels)}: ${shown ? 'shown, click to grey out' : 'greyed out, click to show'}`}
              >
                <span className="swatch" style={{ background: shown ? clusterColor(i) : '#d5d8de' }} aria-hidden="true" />
                <span className="map-legend-label">{clusterName(i, clusterLabels)}</span>
                <span className="map-legend-count">{formatInt(c)}</span>
              </button>
            </li>
          );
        })}
      </ul>
      {view.hidden.size > 0 && (
        <button type="button" className="link" onClick={() => view.setHidden([])} data-testid="map-show-all">
          Show all clusters
        </button>
      )}
    </div>
  );
}

function countLabels(labels: Int32Array, k: number): number[] {
  const out = new Array<number>(k).fill(0);
  for (let i = 0; i < labels.length; i++) out[labels[i]]++;
  return out;
}

function ColorKey({ scheme, title }: { scheme: ColorScheme; title: string }) {
  return (
    <div className="map-color-key" data-testid="map-color-key" data-by={scheme.by} data-groups={scheme.groups.length}>
      <h3 className="map-side-title">{title}</h3>
      <ul className={scheme.ordered ? 'ordered' : undefined}>
        {scheme.groups.map((g, i) => (
          <li key={i} data-count={g.count}>
            <span className="swatch" style={{ background: g.color }} aria-hidden="true" /> {g.label} <span className="hint">({formatInt(g.count)})</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function SelectionSummary({
  selection,
  data,
  labels,
  k,
  noun,
  clusterLabels,
  onClear,
}: {
  selection: Int32Array | null;
  data: MapData;
  labels: Int32Array | null;
  k: number | null;
  noun: string;
  clusterLabels: string[] | null;
  onClear(): void;
}) {
  const money = useMoney();
  const summary = useMemo(() => (selection ? summariseSelection(selection, data.attributes, labels, k, data.hasPrice) : null), [selection, data, labels, k]);
  return (
    <div className="map-selection" data-testid="map-selection" data-count={summary?.count ?? 0} aria-live="polite">
      <h3 className="map-side-title">Selection</h3>
      {!summary ? (
        <p className="hint">Nothing selected: pick Rectangle or Lasso select and drag over the map.</p>
      ) : (
        <>
          <p data-testid="map-selection-count">
            <strong>{formatInt(summary.count)}</strong> {noun}s ({formatPercent(summary.share)} of {formatInt(data.n)})
          </p>
          <p>{formatDecimal(summary.meanLength)} events each on average</p>
          {summary.revenue !== null && (
            <p data-testid="map-selection-revenue" data-revenue={summary.revenue}>
              Net revenue {money.format(summary.revenue)}
            </p>
          )}
          {summary.perCluster && (
            <ul className="map-selection-clusters" data-testid="map-selection-clusters">
              {summary.perCluster.map((c, i) =>
                c === 0 ? null : (
                  <li key={i} data-cluster={i} data-count={c}>
                    <span className="swatch" style={{ background: clusterColor(i) }} aria-hidden="true" /> {clusterName(i, clusterLabels)}: {formatInt(c)}
                  </li>
                ),
              )}
            </ul>
          )}
          <button type="button" onClick={onClear} data-testid="map-clear-selection">
            Clear selection
          </button>
        </>
      )}
    </div>
  );
}
