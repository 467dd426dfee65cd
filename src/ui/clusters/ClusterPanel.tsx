import { ProgressMeter } from '../common/ProgressMeter';
import { SavedNote } from '../state/SavedNote';
import { lazy, Suspense, useEffect, useId, useMemo } from 'react';
import type { ClusterResult } from '../../worker/protocol';
import { clusterColor } from '../common/chartTheme';
import { formatMetric, silhouetteVerdict, tinyClusters, TINY_MEMBERS, TINY_SHARE, UNDEFINED_METRIC } from './clusterFormat';
import { K_LIMIT } from './clusterSettings';
import { formatDecimal, formatInt, formatPercent } from '../common/format';
import { NumberField } from '../common/NumberField';
import type { ClustersState } from './useClusters';

// ECharts is loaded on the side, as for the summary's charts.
const loadCharts = () => import('./ClusterCharts');
const MetricCharts = lazy(() => loadCharts().then((m) => ({ default: m.MetricCharts })));
const SizesChart = lazy(() => loadCharts().then((m) => ({ default: m.SizesChart })));

const DEVICE_LABELS = {
  auto: 'Automatic',
  cpu: 'CPU',
  gpu: 'WebGPU',
} as const;

interface Props {
  clusters: ClustersState;
  /** Whether encoded vectors exist to cluster (the encoder finished at least once). */
  hasVectors: boolean;
}

export function ClusterPanel({ clusters, hasVectors }: Props) {
  const { settings, job, k, stale, settingsError } = clusters;
  // Fetch the charts' code while the sweep runs, so that its result shows with its charts at once
  // instead of behind a fallback that React fills in later (at some less convenient moment).
  useEffect(() => void loadCharts(), []);
  const result = job.result;
  const entryIndex = result && k !== null ? result.entries.findIndex((e) => e.k === k) : -1;
  const entry = result && entryIndex >= 0 ? result.entries[entryIndex] : null;

  return (
    <section
      className="panel clusters"
      aria-labelledby="clusters-heading"
      data-testid="clusters"
      data-state={job.state}
      data-k={entry?.k ?? ''}
      data-suggested={result?.suggested.k ?? ''}
      data-elbow={result?.elbow?.k ?? ''}
      data-path={result?.path ?? ''}
      data-n={result?.n ?? ''}
      data-d={result?.d ?? ''}
      data-range={result ? `${result.range.kMin}..${result.range.kMax}` : ''}
      data-sizes={entry ? JSON.stringify(entry.sizes) : ''}
      data-stale={stale ? 'true' : 'false'}
    >
      <h2 id="clusters-heading">Clusters</h2>
      <p className="hint">
        k-means groups sequences whose vectors lie close together. A sweep clusters every K of the range, scores each one, and suggests a K; pick another with
        the slider or by clicking a chart: every K is already computed.
      </p>

      <form className="options-form cluster-options" onSubmit={(event) => event.preventDefault()}>
        <NumberField
          name="k-min"
          label="Smallest K"
          hint="at least 2"
          min={2}
          max={K_LIMIT}
          value={settings.kMin}
          onChange={(kMin) => clusters.update({ kMin })}
        />
        <NumberField
          name="k-max"
          label="Largest K"
          hint={`at most ${K_LIMIT}`}
          min={2}
          max={K_LIMIT}
          value={settings.kMax}
          onChange={(kMax) => clusters.update({ kMax })}
        />
        <div className="field">
          <label htmlFor="cluster-device">Assignment step</label>
          <select
            id="cluster-device"
            data-testid="cluster-device"
            value={settings.device}
            onChange={(event) => clusters.update({ device: event.currentTarget.value as keyof typeof DEVICE_LABELS })}
          >
            {(Object.keys(DEVICE_LABELS) as (keyof typeof DEVICE_LABELS)[]).map((d) => (
              <option key={d} value={d}>
                {DEVICE_LABELS[d]}
              </option>
            ))}
          </select>
          <span className="hint">Automatic: WebGPU on a hardware GPU, else the CPU. WebGPU: also on a software adapter.</span>
        </div>
      </form>
      {settingsError && (
        <p className="notice" role="alert" data-testid="cluster-settings-error">
          {settingsError}
        </p>
      )}

      {job.state === 'running' && <SweepProgress clusters={clusters} />}
      {job.state === 'error' && job.error && (
        <div role="alert" className="alert" data-testid="cluster-error" data-code={job.error.code}>
          <div>
            <p className="alert-title">{job.error.code === 'cluster-input' ? 'The sequences cannot be clustered' : 'The clustering failed'}</p>
            <p>{job.error.message}</p>
            {job.error.code === 'cluster-input' && <p className="hint">Each sequence is one point: its vector from the encoder.</p>}
          </div>
        </div>
      )}
      {job.state === 'cancelled' && (
        <p className="status" data-testid="cluster-cancelled">
          The sweep was cancelled.{' '}
          <button type="button" className="link" onClick={clusters.retry}>
            Sweep again
          </button>
        </p>
      )}
      {job.state === 'waiting' && !result && (
        <p className="hint" data-testid="cluster-waiting">
          {hasVectors ? 'The sweep starts in a moment.' : 'The sweep starts once the sequences are encoded (and the graph network, when on, is trained).'}
        </p>
      )}
      {result && stale && job.state !== 'running' && job.state !== 'error' && (
        <p className="hint" data-testid="cluster-stale">
          These clusters belong to the previous sequence vectors
          {job.state === 'cancelled' ? '.' : '; a new sweep starts once the sequences on screen are encoded.'}
        </p>
      )}
      {result && job.state !== 'error' && entry && <SweepView result={result} entryIndex={entryIndex} stale={stale} clusters={clusters} />}
    </section>
  );
}

function SweepProgress({ clusters }: { clusters: ClustersState }) {
  const p = clusters.job.progress;
  const label = p ? `Sweeping K = ${p.kMin}–${p.kMax}` : 'Starting the K sweep…';
  const details = p ? `${formatInt(p.done)} of ${formatInt(p.kMax - p.kMin + 1)} K values done · assignment on ${p.path}` : 'Checking the vectors…';
  return (
    <ProgressMeter
      label={label}
      fraction={p ? p.fraction : null}
      details={details}
      onCancel={clusters.cancel}
      panelTestId="cluster-progress"
      cancelTestId="cluster-cancel"
    />
  );
}

function SweepView({ result, entryIndex, stale, clusters }: { result: ClusterResult; entryIndex: number; stale: boolean; clusters: ClustersState }) {
  const sliderId = useId();
  const entry = result.entries[entryIndex];
  const k = entry.k;
  const tiny = useMemo(() => new Set(tinyClusters(entry.sizes)), [entry.sizes]);
  const best = result.entries.find((e) => e.k === result.suggested.k);
  const sil = result.silhouette;
  const n = result.n;
  const kMin = result.range.kMin;
  const kMax = result.range.kMax;
  const single = kMin === kMax;

  return (
    <div className={`cluster-result${stale ? ' stale' : ''}`} data-testid="cluster-result" aria-busy={stale} data-restored={result.restored ? 'true' : 'false'}>
      <SavedNote restored={result.restored} saveError={result.saveError} testId="cluster" />
      <p className="cluster-source" data-testid="cluster-source" data-stage={result.source.stage}>
        {result.source.gcn
          ? `Clustered: GCN vectors (LightGCN, ${result.source.gcn.layers} layers, ${result.source.gcn.hidden} dims, trained ${formatInt(result.source.gcn.epochs)} epoch${result.source.gcn.epochs === 1 ? '' : 's'} on ${result.source.model === 'seqbert' ? 'behaviour model' : 'encoder'} features; model ${result.source.model}, ${formatInt(n)} × ${formatInt(result.d)}, L2-normalised)`
          : result.source.model === 'seqbert'
            ? `Clustered: behaviour model vectors${result.source.taste?.used ? ' beside what each customer bought' : ''} (model ${result.source.model}, ${formatInt(n)} × ${formatInt(result.d)})`
            : `Clustered: encoder vectors (model ${result.source.model}, ${formatInt(n)} × ${formatInt(result.d)})`}
        <span className="hint">
          {' '}
          — {result.source.label}.{' '}
          {result.source.gcn
            ? 'The graph network’s sequence vectors are what is clustered; turn it off under “Graph network” to cluster the encoder’s.'
            : result.source.model === 'seqbert'
              ? `${tasteText(result.source.taste)} The graph network, on or off, does not change them (it trains from the behaviour model and ranks each cluster’s recommended items).`
              : 'The graph network is off, so the encoder’s sequence vectors are what is clustered.'}
          {result.source.zeroVectors > 0 && ` ${formatInt(result.source.zeroVectors)} sequences without a vector (weights that cancel out) sit at the origin.`}
        </span>
      </p>
      <p className="cluster-path" data-testid="cluster-path" data-path={result.path} data-threads={result.threads ?? 0}>
        <span className="chip">assignment: {result.path}</span> <span className="hint">{result.pathReason}</span>
      </p>
      {result.fallback && (
        <p className="notice" role="status" data-testid="cluster-fallback">
          WebGPU was not used for every step: {result.fallback}. The results are the CPU&rsquo;s and are exact.
        </p>
      )}
      {result.rangeNote && (
        <p className="notice" data-testid="cluster-range-note">
          {result.rangeNote}
        </p>
      )}
      <ul className="cluster-method" data-testid="cluster-method">
        <li>
          {result.algorithm === 'minibatch' ? 'Mini-batch k-means' : 'k-means (Lloyd)'}: mini-batch is picked automatically above{' '}
          {formatInt(result.minibatchThreshold)} sequences; these {formatInt(n)} use {result.algorithm === 'minibatch' ? 'mini-batch' : 'full Lloyd'}.
        </li>
        <li data-testid="cluster-silhouette-note">
          Silhouette: exact up to {formatInt(sil.exactMax)} sequences, above that on a seeded sample;{' '}
          {sil.exact ? `here exact on all ${formatInt(sil.sampleSize)}.` : `here on a sample of ${formatInt(sil.sampleSize)} of ${formatInt(n)}.`}
        </li>
        <li>
          {result.seeds} seeded runs per K: the lowest inertia is kept; stability is the mean adjusted Rand index between the runs. Sweep time{' '}
          {formatDecimal(result.seconds)} s.
        </li>
      </ul>

      <div className="suggestion" data-testid="cluster-suggested">
        <p>
          <strong>Suggested K = {result.suggested.k}.</strong> {result.suggested.reason}.
        </p>
        {result.elbow && (
          <p className="hint" data-testid="cluster-elbow">
            Elbow: K = {result.elbow.k} — {result.elbow.reason}.
          </p>
        )}
        {best && (
          <p className="hint" data-testid="cluster-verdict">
            {silhouetteVerdict(best.silhouette)}
          </p>
        )}
        <p className="hint" data-testid="cluster-rule">
          How K is suggested: the best score wins when it shows clear structure (silhouette above 0.5) or lies within the segments a merchant can act on (4 to
          10 for a few thousand customers, at most one per 100; under 400 customers, at most one per 20). Otherwise the best score is no segmentation (one blob
          cut in two, or on a small log a handful of customers per cluster), and the suggestion moves into that range: to the elbow when the runs there agree,
          else to the range's best score. Any K can still be chosen.
        </p>
        <p>
          <button type="button" onClick={() => clusters.chooseK(result.suggested.k)} disabled={k === result.suggested.k}>
            Use suggested K ({result.suggested.k})
          </button>{' '}
          {result.elbow && (
            <button type="button" onClick={() => clusters.chooseK(result.elbow!.k)} disabled={k === result.elbow.k}>
              Use elbow K ({result.elbow.k})
            </button>
          )}
        </p>
      </div>

      {!single && (
        <div className="k-slider field">
          <label htmlFor={sliderId}>
            K, the number of clusters: <output data-testid="k-value">{k}</output>
          </label>
          <input
            id={sliderId}
            type="range"
            data-testid="k-slider"
            min={kMin}
            max={kMax}
            step={1}
            value={k}
            aria-valuetext={`K = ${k}: silhouette ${formatMetric(entry.silhouette, 'silhouette')}${k === result.suggested.k ? ' (suggested)' : ''}`}
            onChange={(event) => clusters.chooseK(Number(event.currentTarget.value))}
          />
          <span className="hint">
            {kMin}–{kMax}; arrow keys move one K, Home and End jump to the ends. Click a chart to pick its K.
          </span>
        </div>
      )}

      <Suspense fallback={<div className="chart-card chart-loading">Loading charts…</div>}>
        <MetricCharts result={result} k={k} onPick={clusters.chooseK} />
      </Suspense>

      <div className="chart-grid">
        <Suspense fallback={<div className="chart-card chart-loading">Loading chart…</div>}>
          <SizesChart sizes={entry.sizes} tiny={tiny} k={k} />
        </Suspense>
        <MetricsTable result={result} entryIndex={entryIndex} />
      </div>

      {tiny.size > 0 && (
        <p className="notice" data-testid="cluster-tiny">
          {tiny.size === 1 ? '1 tiny cluster' : `${tiny.size} tiny clusters`} (fewer than {TINY_MEMBERS} sequences or under {formatPercent(TINY_SHARE)} of
          them): {[...tiny].map((i) => `cluster ${i} (${formatInt(entry.sizes[i])})`).join(', ')}. Tiny clusters are often outliers or an over-large K.
        </p>
      )}
      <SizesTable sizes={entry.sizes} tiny={tiny} k={k} />
      <SweepTable result={result} k={k} onPick={clusters.chooseK} />
    </div>
  );
}

function MetricsTable({ result, entryIndex }: { result: ClusterResult; entryIndex: number }) {
  const e = result.entries[entryIndex];
  const sil = result.silhouette;
  const rows: { name: string; value: string; note: string; test: string }[] = [
    { name: 'Inertia', value: formatMetric(e.inertia, 'inertia'), note: 'lower is tighter', test: 'inertia' },
    {
      name: 'Silhouette',
      value: formatMetric(e.silhouette, 'silhouette'),
      note: sil.exact ? 'exact, −1 to 1, higher is better' : `on ${formatInt(sil.sampleSize)} sampled sequences; higher is better`,
      test: 'silhouette',
    },
    {
      name: 'Calinski-Harabasz',
      value: formatMetric(e.calinskiHarabasz, 'calinskiHarabasz'),
      note: 'spread between segments against within them; higher is better',
      test: 'calinski-harabasz',
    },
    {
      name: 'Davies-Bouldin',
      value: formatMetric(e.daviesBouldin, 'daviesBouldin'),
      note: 'overlap of each segment with its most similar one; lower is better',
      test: 'davies-bouldin',
    },
    {
      name: 'Stability (ARI)',
      value: formatMetric(e.stability, 'stability'),
      note: `adjusted Rand index between ${result.seeds} seeded runs; 1 = identical`,
      test: 'stability',
    },
    {
      name: 'Iterations',
      value: formatInt(e.iterations),
      note: e.algorithm === 'minibatch' ? 'mini-batch steps' : 'Lloyd iterations of the best run',
      test: 'iterations',
    },
    { name: 'Assignment', value: e.path, note: `${formatInt(Math.round(e.ms))} ms for this K`, test: 'path' },
  ];
  return (
    <figure className="chart-card">
      <figcaption>Scores at K = {e.k}</figcaption>
      <table className="data-table" data-testid="cluster-metrics-table" data-k={e.k}>
        <tbody>
          {rows.map((r) => (
            <tr key={r.name} data-metric={r.test}>
              <th scope="row">{r.name}</th>
              <td className="num" title={r.value === UNDEFINED_METRIC ? 'undefined for this clustering' : undefined}>
                {r.value}
              </td>
              <td className="hint">{r.note}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

function SizesTable({ sizes, tiny, k }: { sizes: number[]; tiny: Set<number>; k: number }) {
  const total = sizes.reduce((a, b) => a + b, 0);
  return (
    <details className="cluster-sizes-details">
      <summary>Cluster sizes at K = {k} as a table</summary>
      <table className="data-table" data-testid="cluster-sizes-table" data-k={k}>
        <thead>
          <tr>
            <th scope="col">Cluster</th>
            <th scope="col" className="num">
              Sequences
            </th>
            <th scope="col" className="num">
              Share
            </th>
            <th scope="col">Note</th>
          </tr>
        </thead>
        <tbody>
          {sizes.map((s, i) => (
            <tr key={i} data-cluster={i} data-size={s} data-tiny={tiny.has(i) ? 'true' : 'false'}>
              <th scope="row">
                <span className="swatch" style={{ background: clusterColor(i) }} aria-hidden="true" /> {i}
              </th>
              <td className="num">{formatInt(s)}</td>
              <td className="num">{formatPercent(s / Math.max(1, total))}</td>
              <td>{tiny.has(i) ? 'tiny' : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function SweepTable({ result, k, onPick }: { result: ClusterResult; k: number; onPick(k: number): void }) {
  return (
    <details className="cluster-sweep-details">
      <summary>Every K of the sweep as a table</summary>
      <div className="table-scroll">
        <table className="data-table" data-testid="cluster-sweep-table">
          <thead>
            <tr>
              <th scope="col">K</th>
              <th scope="col" className="num">
                <abbr title="sum of squared distances to the segment centres: lower is tighter, and it always falls as K grows">Inertia</abbr>
              </th>
              <th scope="col" className="num">
                <abbr title="how much closer each point is to its own segment than to the next one, -1 to 1: higher is better">Silhouette</abbr>
              </th>
              <th scope="col" className="num">
                <abbr title="spread between the segments against the spread within them: higher is better">Calinski-Harabasz</abbr>
              </th>
              <th scope="col" className="num">
                <abbr title="how much each segment overlaps its most similar one: lower is better">Davies-Bouldin</abbr>
              </th>
              <th scope="col" className="num">
                <abbr title="agreement of the seeded runs (adjusted Rand index, ARI): 1 = they found the same segments">Stability</abbr>
              </th>
              <th scope="col">Path</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {result.entries.map((e) => (
              <tr key={e.k} data-k={e.k} aria-current={e.k === k ? 'true' : undefined}>
                <th scope="row">
                  {e.k}
                  {e.k === result.suggested.k ? ' (suggested)' : ''}
                  {result.elbow?.k === e.k ? ' (elbow)' : ''}
                </th>
                <td className="num">{formatMetric(e.inertia, 'inertia')}</td>
                <td className="num">{formatMetric(e.silhouette, 'silhouette')}</td>
                <td className="num">{formatMetric(e.calinskiHarabasz, 'calinskiHarabasz')}</td>
                <td className="num">{formatMetric(e.daviesBouldin, 'daviesBouldin')}</td>
                <td className="num">{formatMetric(e.stability, 'stability')}</td>
                <td>{e.path}</td>
                <td>
                  <button type="button" className="link" onClick={() => onPick(e.k)} disabled={e.k === k}>
                    Show K = {e.k}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/** What the behaviour model's segments are made from, in the merchant's words (the runner's ClusterResult source.taste). */
export function tasteText(taste: ClusterResult['source']['taste']): string {
  if (!taste) return 'Segments and the map are made from how customers shop (the behaviour model’s vectors).';
  const test =
    taste.gain !== null && taste.threshold !== null
      ? ` (split by what they buy, customers come out ${formatPercent(Math.max(0, taste.gain))} closer together than a crowd with no groups would; it takes ${formatPercent(taste.threshold)})`
      : '';
  return taste.used
    ? `Segments and the map are made from how customers shop and, at ${formatPercent(taste.weight)} of that weight, what they buy: customers form groups by what they buy here${test}.`
    : `Segments and the map are made from how customers shop: what they buy does not split them into clear groups here${test}.`;
}
