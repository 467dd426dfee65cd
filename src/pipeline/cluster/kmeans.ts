import { type AssignFn, lloydHamerly, lloydPlain } from './lloyd';
import { DEFAULT_MINIBATCH, miniBatchKMeans } from './minibatch';
import { Rng } from '../numeric/random';
import { AbandonRule, restartOrder } from './restarts';
import { kmeansPlusPlusMany, MAX_SIDE_BY_SIDE, type Seeding, seedingExtraRows } from './seeding';
import { ClusteringInputError, type Matrix } from './types';
import { checkMatrix, countDistinctRows } from './validate';
import { type DistanceBatches, distanceBatches, WasmDistances } from './wasmDistances';

/**
 * Above this many points kmeans() switches to mini-batch k-means: full Lloyd passes over more
 * points than this stop being interactive on a laptop, and mini-batch quality is by then within
 * a fraction of a percent of Lloyd's on clustered data.
 */
export const MINIBATCH_THRESHOLD = 200_000;

export interface KMeansOptions {
  /** Number of clusters. */
  k: number;
  /** Independent k-means++ starts; the lowest inertia wins (scikit-learn's n_init). Default 3. */
  restarts?: number;
  /** Seed of the run; the same seed and data give the same result. Default 0. */
  seed?: number;
  /** Lloyd iterations per start at most (mini-batch: at most 100 passes over the data). Default 300. */
  maxIter?: number;
  /**
   * Relative tolerance: stop when the summed squared centre shift is within tol x the mean
   * per-dimension variance of the data. Default 1e-4.
   */
  tol?: number;
  /** 'auto' picks 'minibatch' above MINIBATCH_THRESHOLD points, else 'lloyd'. Default 'auto'. */
  algorithm?: 'auto' | 'lloyd' | 'minibatch';
  /** Mini-batch size (mini-batch only). Default 1024. */
  batchSize?: number;
  /**
   * Replacement for the CPU assignment step (e.g. a GPU kernel with assignStep's contract). When
   * given, Lloyd runs without distance bounds so that every pass goes through it; mini-batch uses
   * it for every batch and the final labelling.
   */
  assign?: AssignFn;
  /** Start from this seeding instead of drawing one (one restart only; Lloyd only). */
  seeding?: Seeding;
  /**
   * What a caller that runs many k-means on the same, unchanged data (the K sweep: hundreds of
   * runs) has already established about it: the data passed checkKMeansInput for every K up to
   * `distinctAtLeast`, and its meanFeatureVariance. Each run then skips those O(n d) passes
   * (about a tenth of a sweep's time at 100k x 64). A K above distinctAtLeast is checked as usual.
   */
  checked?: CheckedData;
}

/** See KMeansOptions.checked. */
export interface CheckedData {
  distinctAtLeast: number;
  meanVariance: number;
}

export interface KMeansResult {
  /** Cluster of each point, 0..k-1. */
  labels: Int32Array;
  /** k x d centres, row-major. */
  centres: Float64Array;
  /** Sum of squared distances of the points to their centres. */
  inertia: number;
  k: number;
  algorithm: 'lloyd' | 'minibatch';
  /** Lloyd iterations (or mini-batch steps) of the winning start. */
  iterations: number;
  /** Inertia reached by each start, in order. */
  restartInertias: number[];
  /** Lloyd iterations (or mini-batch steps) of each start, in order. */
  restartIterations: number[];
  /**
   * Whether each start was abandoned because it clearly could not win (restarts.ts; its inertia
   * and iterations are then where it stopped).
   */
  restartAbandoned: boolean[];
  /** Index of the winning start. */
  bestRestart: number;
}

/**
 * k-means with greedy k-means++ seeding and several restarts. Every restart is seeded first; they
 * then run in order of seeding inertia, and a restart that clearly cannot beat the best finished
 * one is abandoned early (restarts.ts gives the rule). Throws ClusteringInputError, with a message
 * fit for the user, on input that cannot be clustered into k groups.
 */
export function kmeans(data: Matrix, n: number, d: number, options: KMeansOptions): KMeansResult {
  const { k, restarts, seed, maxIter, tol, batchSize, algorithm } = resolveKMeansOptions(data, n, d, options);
  const master = new Rng(seed);

  if (algorithm === 'minibatch') {
    const r = miniBatchKMeans(data, n, d, k, master.fork(), {
      ...DEFAULT_MINIBATCH,
      batchSize,
      inits: restarts,
      assign: options.assign,
      // scikit-learn's MiniBatchKMeans defaults to tol = 0: stopping rests on the inertia monitor.
      tolAbs: 0,
    });
    return miniBatchResult(r, k);
  }

  // One set of distance kernels (and one copy of the data in WebAssembly memory) for the whole run.
  const given = options.seeding && restarts === 1;
  const extraRows = given ? 0 : seedingExtraRows(n, k, restarts);
  const dist = distanceBatches(data, n, d, Math.max(k, 2 + Math.floor(Math.log(k)), Math.min(restarts, MAX_SIDE_BY_SIDE)), extraRows);
  // As scikit-learn: the tolerance is relative to the data's spread, so it is scale-free.
  const variance = options.checked?.meanVariance ?? (dist instanceof WasmDistances ? dist.meanFeatureVariance(n) : meanFeatureVariance(data, n, d));
  const tolAbs = tol * variance;
  try {
    const seedings = drawSeedings(data, n, d, k, restarts, master, options.seeding, dist);
    const best = new BestOfRestarts(k, algorithm);
    for (const r of restartOrder(seedings)) {
      const opts = { maxIter, tolAbs, watch: best.watch(maxIter) };
      best.put(r, options.assign ? lloydPlain(data, n, d, k, seedings[r].centres, opts, options.assign) : lloydHamerly(data, n, d, k, seedings[r], opts, dist));
    }
    return best.result();
  } finally {
    dist.release();
  }
}

/**
 * The seedings of all restarts, restart r from the r-th fork of the master generator (so each is
 * what it would be if the restarts ran one after the other), or the given one for a single restart.
 */
export function drawSeedings(data: Matrix, n: number, d: number, k: number, restarts: number, master: Rng, given?: Seeding, dist?: DistanceBatches): Seeding[] {
  const rngs: Rng[] = [];
  for (let r = 0; r < restarts; r++) rngs.push(master.fork());
  if (given && restarts === 1) return [given];
  // All restarts seeded side by side: the same seedings as one after the other, in fewer passes over the data.
  return kmeansPlusPlusMany(data, n, d, k, rngs, undefined, undefined, dist);
}

/** A mini-batch run (one init chosen inside) in KMeansResult's shape. */
export function miniBatchResult(r: { labels: Int32Array; centres: Float64Array; inertia: number; steps: number }, k: number): KMeansResult {
  return {
    labels: r.labels,
    centres: r.centres,
    inertia: r.inertia,
    k,
    algorithm: 'minibatch',
    iterations: r.steps,
    restartInertias: [r.inertia],
    restartIterations: [r.steps],
    restartAbandoned: [false],
    bestRestart: 0,
  };
}

interface RestartRun {
  labels: Int32Array;
  centres: Float64Array;
  inertia: number;
  iterations: number;
  abandoned?: boolean;
}

/**
 * The restarts of a Lloyd k-means, finished in any order: keeps each one's inertia and picks the
 * lowest (the lowest-numbered restart wins a tie), and gives each restart its abandonment rule
 * against the best finished so far.
 */
export class BestOfRestarts {
  private readonly runs: (RestartRun | undefined)[] = [];

  constructor(
    private readonly k: number,
    private readonly algorithm: KMeansResult['algorithm'],
  ) {}

  /** Appends the next restart's run. */
  add(run: RestartRun): void {
    this.put(this.runs.length, run);
  }

  /** Records restart r's run. */
  put(r: number, run: RestartRun): void {
    this.runs[r] = run;
  }

  /** The rule a restart starting now runs under: none before the first restart has finished. */
  watch(maxIter: number): AbandonRule | null {
    let best = Infinity;
    for (const run of this.runs) if (run && !run.abandoned && run.inertia < best) best = run.inertia;
    return best < Infinity ? new AbandonRule(best, maxIter) : null;
  }

  result(): KMeansResult {
    let bestAt = -1;
    for (let r = 0; r < this.runs.length; r++) {
      const run = this.runs[r];
      if (!run) throw new Error(`k-means restart ${r} never ran`);
      if (!run.abandoned && (bestAt < 0 || run.inertia < (this.runs[bestAt] as RestartRun).inertia)) bestAt = r;
    }
    if (bestAt < 0) throw new ClusteringInputError('k-means needs at least one restart');
    const runs = this.runs as RestartRun[];
    const best = runs[bestAt];
    return {
      labels: best.labels,
      centres: best.centres,
      inertia: best.inertia,
      k: this.k,
      algorithm: this.algorithm,
      iterations: best.iterations,
      restartInertias: runs.map((run) => run.inertia),
      restartIterations: runs.map((run) => run.iterations),
      restartAbandoned: runs.map((run) => run.abandoned === true),
      bestRestart: bestAt,
    };
  }
}

/** KMeansOptions with defaults filled in and the algorithm chosen. */
export interface ResolvedKMeansOptions {
  k: number;
  restarts: number;
  seed: number;
  maxIter: number;
  tol: number;
  batchSize: number;
  algorithm: 'lloyd' | 'minibatch';
}

/** Validates the input and options (ClusteringInputError with a user-facing message) and applies the defaults. */
export function resolveKMeansOptions(data: Matrix, n: number, d: number, options: KMeansOptions): ResolvedKMeansOptions {
  const k = options.k;
  const restarts = options.restarts ?? 3;
  const seed = options.seed ?? 0;
  const maxIter = options.maxIter ?? 300;
  const tol = options.tol ?? 1e-4;
  const batchSize = options.batchSize ?? DEFAULT_MINIBATCH.batchSize;
  const vouched = options.checked && Number.isInteger(k) && k >= 1 && k <= options.checked.distinctAtLeast && k <= n && data.length === n * d;
  if (!vouched) checkKMeansInput(data, n, d, k);
  if (!Number.isInteger(restarts) || restarts < 1) {
    throw new ClusteringInputError(`The number of restarts must be a whole number >= 1, got ${restarts}`);
  }
  if (!Number.isInteger(maxIter) || maxIter < 1) {
    throw new ClusteringInputError(`maxIter must be a whole number >= 1, got ${maxIter}`);
  }
  if (!(tol >= 0) || !Number.isFinite(tol)) {
    throw new ClusteringInputError(`tol must be a finite number >= 0, got ${tol}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ClusteringInputError(`batchSize must be a whole number >= 1, got ${batchSize}`);
  }
  const requested = options.algorithm ?? 'auto';
  if (requested !== 'auto' && requested !== 'lloyd' && requested !== 'minibatch') {
    throw new ClusteringInputError(`Unknown k-means algorithm '${String(requested)}': use 'auto', 'lloyd' or 'minibatch'`);
  }
  const algorithm = requested === 'auto' ? (n > MINIBATCH_THRESHOLD ? 'minibatch' : 'lloyd') : requested;
  return { k, restarts, seed, maxIter, tol, batchSize, algorithm };
}

/** The checks kmeans() runs first; exported so a UI can validate before starting a worker. */
export function checkKMeansInput(data: Matrix, n: number, d: number, k: number): void {
  checkMatrix(data, n, d);
  if (n < 2) {
    throw new ClusteringInputError(n === 0 ? 'There are no points to cluster' : 'There is only one point: clustering needs at least two');
  }
  if (!Number.isInteger(k) || k < 1) {
    throw new ClusteringInputError(`The number of clusters K must be a whole number >= 1, got ${k}`);
  }
  if (k > n) {
    throw new ClusteringInputError(`Cannot make K = ${k} clusters out of only ${n} points`);
  }
  const distinct = countDistinctRows(data, n, d, k);
  if (distinct < k) {
    throw new ClusteringInputError(
      distinct === 1
        ? `All ${n} points are identical, so they cannot be split into K = ${k} clusters`
        : `Only ${distinct} of the ${n} points are distinct, so they cannot be split into ` + `K = ${k} clusters; choose K <= ${distinct}`,
    );
  }
}

/** Mean over dimensions of the per-dimension (population) variance, in float64, two passes. */
export function meanFeatureVariance(data: Matrix, n: number, d: number): number {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const off = i * d;
    for (let j = 0; j < d; j++) mean[j] += data[off + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= n;
  const sq = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const off = i * d;
    for (let j = 0; j < d; j++) {
      const t = data[off + j] - mean[j];
      sq[j] += t * t;
    }
  }
  let total = 0;
  for (let j = 0; j < d; j++) total += sq[j] / n;
  return total / d;
}
