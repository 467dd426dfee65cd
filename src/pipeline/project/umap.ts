// UMAP (McInnes, Healy & Melville 2018) to two dimensions: the "project" stage of the pipeline.
//   knn:    nearest neighbours (exact for small n, NN-descent from a random-projection forest above)
//   graph:  fuzzy simplicial set (smooth kNN distances, fuzzy union)
//   layout: PCA init, then SGD with negative sampling
// Same defaults as umap-learn (n_neighbors 15, min_dist 0.1, spread 1, 500 epochs up to 10,000
// points and 200 above). Seeded and single-threaded: the same seed, data and JS engine give the
// same coordinates bit for bit. Asynchronous only to let a worker see cancel messages; it yields
// every `yieldEveryMs` and is pure computation otherwise.

import { Rng } from '../numeric/random';
import { DEFAULT_AB, findAbParams } from './abParams';
import { fuzzySimplicialSet } from './graph';
import { finishInit, pcaInit, randomInit } from './init';
import { type KnnOptions, type KnnStats, nearestNeighbours, prepareRows } from './knn';
import { makeEdges, optimizeLayout } from './layout';
import { Scheduler } from './scheduler';
import { type CancelToken, type Matrix, type Metric, ProjectionInputError, type UmapProgress, type UmapStage } from './types';

export interface UmapOptions {
  /** Neighbourhood size, the point itself counted (umap-learn's n_neighbors). Default 15. */
  nNeighbors?: number;
  /** Smallest distance between points in the layout. Default 0.1. */
  minDist?: number;
  /** Scale of the layout's distances. Default 1. */
  spread?: number;
  /** SGD epochs. Default 500 up to 10,000 points, 200 above (umap-learn). */
  nEpochs?: number;
  metric?: Metric;
  /** Seed of every random choice (trees, sampling, init noise). Default 0. */
  seed?: number;
  /** Initial layout; see init.ts for why PCA. Default 'pca'. */
  init?: 'pca' | 'random';
  /** Default 1. */
  learningRate?: number;
  /** Default 5. */
  negativeSampleRate?: number;
  /** Default 1. */
  repulsionStrength?: number;
  /** Neighbours assumed connected at full strength. Default 1. */
  localConnectivity?: number;
  /** Override the fitted curve parameters (both or neither). */
  a?: number;
  b?: number;
  /** Neighbour-search tuning (method 'auto' | 'exact' | 'nndescent', trees, ...). */
  knn?: Omit<KnnOptions, 'metric' | 'seed'>;
}

export interface UmapHooks {
  onProgress?: (p: UmapProgress) => void;
  /** Checked at every checkpoint (every few ms of work); setting it rejects with ProjectionCancelledError. */
  cancel?: CancelToken;
  /** Milliseconds of work between two turns given to the event loop. Default 50; Infinity: never. */
  yieldEveryMs?: number;
}

export interface UmapStats {
  n: number;
  d: number;
  /** Neighbourhood size used (smaller than asked when n is small), the point itself counted. */
  nNeighbors: number;
  nEpochs: number;
  a: number;
  b: number;
  metric: Metric;
  init: 'pca' | 'random';
  knn: KnnStats;
  /** Directed edges (each undirected one twice) the SGD samples. */
  edges: number;
  positiveSamples: number;
  negativeSamples: number;
  timings: { knnMs: number; graphMs: number; initMs: number; layoutMs: number; totalMs: number };
  /** Adjustments made to the request (said in words a user can read). */
  warnings: string[];
}

export interface UmapResult {
  /** n x 2, row-major. */
  embedding: Float32Array;
  stats: UmapStats;
}

/** Share of the usual run time per stage, for `overall` progress. */
const STAGE_WEIGHT: Record<UmapStage, [number, number]> = {
  knn: [0, 0.25],
  graph: [0.25, 0.02],
  layout: [0.27, 0.73],
};

export async function umap(data: Matrix, n: number, d: number, options: UmapOptions = {}, hooks: UmapHooks = {}): Promise<UmapResult> {
  const t0 = performance.now();
  checkInput(data, n, d);
  const o = resolveOptions(options, n);
  const sched = new Scheduler(hooks.cancel, hooks.yieldEveryMs ?? 50);
  const report = (stage: UmapStage, epoch: number, fraction: number): void => {
    if (!hooks.onProgress) return;
    const [from, share] = STAGE_WEIGHT[stage];
    const f = Math.min(1, Math.max(0, fraction));
    hooks.onProgress({ stage, epoch, fraction: f, overall: from + share * f });
  };
  sched.check();
  const warnings: string[] = [];
  const emptyKnn: KnnStats = { method: 'exact', trees: 0, leafSize: 0, iterations: 0, updates: [], distanceEvaluations: 0 };
  const stats: UmapStats = {
    n,
    d,
    nNeighbors: Math.min(o.nNeighbors, n),
    nEpochs: o.nEpochs,
    a: o.a,
    b: o.b,
    metric: o.metric,
    init: o.init,
    knn: emptyKnn,
    edges: 0,
    positiveSamples: 0,
    negativeSamples: 0,
    timings: { knnMs: 0, graphMs: 0, initMs: 0, layoutMs: 0, totalMs: 0 },
    warnings,
  };
  if (n <= 1) {
    // Nothing to lay out: one point sits at the origin.
    if (n === 1) warnings.push('A single point has no neighbours; it is placed at (0, 0).');
    stats.timings.totalMs = performance.now() - t0;
    return { embedding: new Float32Array(2 * n), stats };
  }
  const rng = new Rng(o.seed);
  // k other points per row; umap-learn's n_neighbors counts the point itself.
  const k = Math.min(o.nNeighbors - 1, n - 1);
  if (k < o.nNeighbors - 1) {
    warnings.push(`Only ${n} points: each point's neighbourhood is all ${k} other points instead of ${o.nNeighbors - 1}.`);
  }

  // 1. Neighbours.
  let t = performance.now();
  report('knn', 0, 0);
  const x = prepareRows(data, n, d, o.metric);
  const { graph: knn, stats: knnStats } = await nearestNeighbours(
    x,
    n,
    d,
    k,
    { ...o.knn, metric: o.metric, seed: rng.nextUint32() },
    sched,
    (epoch, fraction) => report('knn', epoch, fraction),
  );
  stats.knn = knnStats;
  report('knn', knnStats.iterations, 1);
  stats.timings.knnMs = performance.now() - t;
  await sched.checkpoint();

  // 2. Fuzzy graph.
  t = performance.now();
  report('graph', 0, 0);
  const { graph } = fuzzySimplicialSet(knn, o.localConnectivity);
  report('graph', 0, 1);
  stats.timings.graphMs = performance.now() - t;
  await sched.checkpoint();

  // 3. Layout.
  t = performance.now();
  const initRng = rng.fork();
  const init = o.init === 'pca' ? pcaInit(x, n, d, initRng) : randomInit(n, initRng);
  finishInit(init, n, initRng);
  // float32 coordinates like umap-learn's: half the memory traffic of the SGD's random reads.
  const y = new Float32Array(init);
  stats.timings.initMs = performance.now() - t;
  report('layout', 0, 0);
  await sched.checkpoint();
  t = performance.now();
  const edges = makeEdges(graph, o.nEpochs);
  stats.edges = edges.head.length;
  const samples = await optimizeLayout(
    y,
    n,
    edges,
    {
      nEpochs: o.nEpochs,
      a: o.a,
      b: o.b,
      learningRate: o.learningRate,
      repulsionStrength: o.repulsionStrength,
      negativeSampleRate: o.negativeSampleRate,
      seed: rng.nextUint32(),
    },
    sched,
    (epoch) => report('layout', epoch, epoch / o.nEpochs),
  );
  stats.positiveSamples = samples.positiveSamples;
  stats.negativeSamples = samples.negativeSamples;
  stats.timings.layoutMs = performance.now() - t;

  for (let i = 0; i < 2 * n; i++) {
    // Clipped gradients keep every step finite; a NaN here would be a bug, not a data problem.
    if (!Number.isFinite(y[i])) throw new Error(`UMAP produced a non-finite coordinate for point ${i >> 1}`);
  }
  const embedding = y;
  stats.timings.totalMs = performance.now() - t0;
  return { embedding, stats };
}

interface Resolved {
  nNeighbors: number;
  minDist: number;
  spread: number;
  nEpochs: number;
  metric: Metric;
  seed: number;
  init: 'pca' | 'random';
  learningRate: number;
  negativeSampleRate: number;
  repulsionStrength: number;
  localConnectivity: number;
  a: number;
  b: number;
  knn: Omit<KnnOptions, 'metric' | 'seed'>;
}

function resolveOptions(options: UmapOptions, n: number): Resolved {
  const nNeighbors = options.nNeighbors ?? 15;
  if (!Number.isInteger(nNeighbors) || nNeighbors < 2) {
    throw new ProjectionInputError(`UMAP needs n_neighbors to be a whole number >= 2, got ${nNeighbors}`);
  }
  const nEpochs = options.nEpochs ?? (n <= 10_000 ? 500 : 200);
  if (!Number.isInteger(nEpochs) || nEpochs < 1) {
    throw new ProjectionInputError(`UMAP needs a whole number of epochs >= 1, got ${nEpochs}`);
  }
  const metric = options.metric ?? 'euclidean';
  if (metric !== 'euclidean' && metric !== 'cosine') {
    throw new ProjectionInputError(`UMAP supports the metrics 'euclidean' and 'cosine', not '${String(metric)}'`);
  }
  const init = options.init ?? 'pca';
  if (init !== 'pca' && init !== 'random') {
    throw new ProjectionInputError(`UMAP's init must be 'pca' or 'random', not '${String(init)}'`);
  }
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new ProjectionInputError(`The random seed must be a finite number, got ${seed}`);
  const positive = (name: string, v: number): number => {
    if (!(v > 0) || !Number.isFinite(v)) throw new ProjectionInputError(`UMAP's ${name} must be a positive number, got ${v}`);
    return v;
  };
  const minDist = options.minDist ?? 0.1;
  const spread = options.spread ?? 1;
  let a: number;
  let b: number;
  if (options.a !== undefined || options.b !== undefined) {
    if (options.a === undefined || options.b === undefined) {
      throw new ProjectionInputError('Give both curve parameters a and b, or neither');
    }
    a = positive('a', options.a);
    b = positive('b', options.b);
  } else if (minDist === 0.1 && spread === 1) {
    ({ a, b } = DEFAULT_AB);
  } else {
    ({ a, b } = findAbParams(spread, minDist));
  }
  const negativeSampleRate = options.negativeSampleRate ?? 5;
  if (!Number.isInteger(negativeSampleRate) || negativeSampleRate < 0) {
    throw new ProjectionInputError(`UMAP's negative sample rate must be a whole number >= 0, got ${negativeSampleRate}`);
  }
  return {
    nNeighbors,
    minDist,
    spread,
    nEpochs,
    metric,
    seed,
    init,
    learningRate: positive('learning rate', options.learningRate ?? 1),
    negativeSampleRate,
    repulsionStrength: positive('repulsion strength', options.repulsionStrength ?? 1),
    localConnectivity: positive('local connectivity', options.localConnectivity ?? 1),
    a,
    b,
    knn: options.knn ?? {},
  };
}

function checkInput(data: Matrix, n: number, d: number): void {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    throw new ProjectionInputError('UMAP needs its vectors as a Float32Array or Float64Array');
  }
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(d) || d < 1) {
    throw new ProjectionInputError(`UMAP needs a whole number of points and at least one dimension, got ${n} x ${d}`);
  }
  if (data.length !== n * d) {
    throw new ProjectionInputError(`The vectors hold ${data.length} numbers but ${n} points x ${d} dimensions needs ${n * d}`);
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    // Beyond 1e150 squared distances overflow; NaN would spread to every neighbour.
    if (!(v < 1e150 && v > -1e150)) {
      const row = Math.floor(i / d);
      const what = Number.isNaN(v) ? 'a missing value (NaN)' : Number.isFinite(v) ? `a value too large (${v})` : 'an infinite value';
      throw new ProjectionInputError(`The vectors contain ${what} at point ${row}, dimension ${i - row * d}; drop or fix such rows before projecting`);
    }
  }
}
