import { type AssignFn, lloydHamerly, lloydPlain } from './lloyd.ts';
import { DEFAULT_MINIBATCH, miniBatchKMeans } from './minibatch.ts';
import { Rng } from './random.ts';
import { kmeansPlusPlus, type Seeding } from './seeding.ts';
import { ClusteringInputError, type Matrix } from './types.ts';
import { checkMatrix, countDistinctRows } from './validate.ts';

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
  /** Index of the winning start. */
  bestRestart: number;
}

/**
 * k-means with greedy k-means++ seeding and several restarts. Throws ClusteringInputError, with a
 * message fit for the user, on input that cannot be clustered into k groups.
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

  // As scikit-learn: the tolerance is relative to the data's spread, so it is scale-free.
  const tolAbs = tol * meanFeatureVariance(data, n, d);
  const best = new BestOfRestarts(k, algorithm);
  for (let r = 0; r < restarts; r++) {
    const rng = master.fork();
    const seeding = options.seeding && restarts === 1 ? options.seeding : kmeansPlusPlus(data, n, d, k, rng);
    best.add(
      options.assign
        ? lloydPlain(data, n, d, k, seeding.centres, { maxIter, tolAbs }, options.assign)
        : lloydHamerly(data, n, d, k, seeding, { maxIter, tolAbs }),
    );
  }
  return best.result();
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
    bestRestart: 0,
  };
}

/** Keeps the lowest-inertia Lloyd run of several restarts (the first wins a tie) and all their inertias. */
export class BestOfRestarts {
  private best: KMeansResult | null = null;
  private readonly inertias: number[] = [];
  private readonly iterations: number[] = [];

  constructor(
    private readonly k: number,
    private readonly algorithm: KMeansResult['algorithm'],
  ) {}

  add(run: { labels: Int32Array; centres: Float64Array; inertia: number; iterations: number }): void {
    const r = this.inertias.length;
    this.inertias.push(run.inertia);
    this.iterations.push(run.iterations);
    if (this.best === null || run.inertia < this.best.inertia) {
      this.best = {
        labels: run.labels,
        centres: run.centres,
        inertia: run.inertia,
        k: this.k,
        algorithm: this.algorithm,
        iterations: run.iterations,
        restartInertias: this.inertias,
        restartIterations: this.iterations,
        bestRestart: r,
      };
    }
  }

  result(): KMeansResult {
    if (this.best === null) throw new ClusteringInputError('k-means needs at least one restart');
    return this.best;
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
  checkKMeansInput(data, n, d, k);
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
    throw new ClusteringInputError(
      n === 0 ? 'There are no points to cluster' : 'There is only one point: clustering needs at least two',
    );
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
        : `Only ${distinct} of the ${n} points are distinct, so they cannot be split into ` +
          `K = ${k} clusters; choose K <= ${distinct}`,
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
