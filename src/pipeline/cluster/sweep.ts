// The K sweep behind "how many clusters?": k-means for every K in a range, with the usual internal
// scores, a stability estimate, a suggested K with its reason, and every K's labels kept so that a
// UI can recolour at once when the user picks another K.
import type { AsyncAssigner } from './asyncAssigner';
import { checkKMeansInput, meanFeatureVariance, MINIBATCH_THRESHOLD } from './kmeans';
import { PrefixSeeder } from './seeding';
import type { HelperThreads } from '../threads';
import { sweepOnThreads, threadsFor } from './sweepThreads';
import { seedRng, sweepOneK, type SweepEntry, type SweepPlan } from './sweepUnit';
import { type CancelToken, ClusteringInputError, type Matrix, throwIfCancelled } from './types';
import { countDistinctRows } from './validate';

// One K's entry is defined beside the code that computes it (sweepUnit.ts), so that the helper
// threads' side (sweepThreads.ts) needs nothing from this file.
export type { SweepEntry } from './sweepUnit';

/** Default K range of the sweep. */
export const SWEEP_DEFAULT_K_MIN = 2;
export const SWEEP_DEFAULT_K_MAX = 15;
/**
 * Up to this many points the silhouette is exact; above, it is computed on a seeded uniform
 * sample of SWEEP_SILHOUETTE_SAMPLE points (the same sample for every K, so the scores compare).
 * Exact silhouette costs O(n^2 d) per K: 2,000 points x 64 dims is about 0.1 s.
 */
export const SWEEP_SILHOUETTE_EXACT_MAX = 2000;
export const SWEEP_SILHOUETTE_SAMPLE = 2000;
/**
 * From this many points on, a sweep given helper threads uses them. Below it the whole sweep
 * takes well under a second on one thread, about what starting the helpers costs.
 */
export const SWEEP_THREADS_MIN_POINTS = 2000;

export interface SweepOptions {
  /** Smallest K (>= 2: the scores need two clusters). Default 2. */
  kMin?: number;
  /**
   * Largest K. Default 15, lowered to n - 1 and to the number of distinct points when those are
   * smaller; an explicit kMax beyond them is an error.
   */
  kMax?: number;
  /**
   * Independent k-means runs per K, each from its own seed; their mean pairwise adjusted Rand index
   * is the K's stability, and the lowest-inertia run is the K's clustering. Default 3.
   */
  seeds?: number;
  /** k-means++ starts inside each run. Default 1 (so a K's clustering is the best of `seeds` starts). */
  restarts?: number;
  /**
   * Which score suggests K: 'silhouette' (the default) or 'calinski-harabasz' (the variance ratio),
   * for vectors whitened to many unit-variance axes, where every point's silhouette is close to 0
   * and the highest one lands on the largest K.
   */
  suggestBy?: 'silhouette' | 'calinski-harabasz';
  /** Base seed; run r of every K uses seed + r. Default 0. */
  seed?: number;
  maxIter?: number;
  tol?: number;
  algorithm?: 'auto' | 'lloyd' | 'minibatch';
  batchSize?: number;
  /** Exact silhouette up to this many points. Default SWEEP_SILHOUETTE_EXACT_MAX. */
  silhouetteExactMax?: number;
  /** Sample size of the silhouette above that. Default SWEEP_SILHOUETTE_SAMPLE. */
  silhouetteSample?: number;
  /** Seed of the silhouette sample. Default 0. */
  silhouetteSeed?: number;
  /** A GPU (or other asynchronous) assignment step bound to this data; default: CPU. */
  assigner?: AsyncAssigner | null;
  /**
   * Helper threads for the CPU path (ignored with an assigner). With them, K values run side by
   * side, largest first, each on a helper: the same entries as on one thread, bit for bit, in
   * less time. Used from threadsMinPoints points on; a helper that fails hands its work back.
   */
  threads?: HelperThreads | null;
  /** Fewest points for which the sweep starts helper threads. Default SWEEP_THREADS_MIN_POINTS. */
  threadsMinPoints?: number;
  /**
   * Called after each unit of work: the K being worked on and the fraction of the sweep done (0..1).
   * On one thread K only grows; with helper threads K values finish in any order.
   */
  onProgress?: (k: number, fraction: number) => void;
  /** Called with each K's entry as soon as it is complete (with helper threads, in any K order). */
  onEntry?: (entry: SweepEntry) => void;
  /** Checked between units of work (each k-means run, each K's scores); the sweep then throws ClusteringCancelledError. */
  cancel?: CancelToken;
}

export interface Suggestion {
  k: number;
  reason: string;
}

export interface SweepResult {
  entries: SweepEntry[];
  /**
   * The suggested K: the best silhouette (ties to the smaller K; or the Calinski-Harabasz score,
   * see suggestBy), or the elbow when no silhouette is defined; moved into the useful range of
   * segments when the metrics show little structure (preferUsefulK).
   */
  suggested: Suggestion;
  /** The inertia elbow (largest distance below the chord of the normalised inertia curve), if there is one. */
  elbow: Suggestion | null;
  /** How the silhouette was computed for every K. */
  silhouette: { exact: boolean; sampleSize: number };
  /** 'gpu' when every run of every K assigned on the GPU. */
  path: 'gpu' | 'cpu';
  /** Why the GPU was abandoned, if it was. */
  fallbackReason?: string;
  /** Helper threads that ran the K values (0: all on the calling thread). */
  threads: number;
}

/** Resolves the K range against the data; throws ClusteringInputError with a user-facing message. */
export function sweepRange(data: Matrix, n: number, d: number, kMin?: number, kMax?: number): { kMin: number; kMax: number } {
  const lo = kMin ?? SWEEP_DEFAULT_K_MIN;
  if (!Number.isInteger(lo) || lo < 2) {
    throw new ClusteringInputError(`The sweep starts at K >= 2 (the scores compare clusters), got ${lo}`);
  }
  if (kMax !== undefined && (!Number.isInteger(kMax) || kMax < lo)) {
    throw new ClusteringInputError(`The largest K must be a whole number >= ${lo}, got ${kMax}`);
  }
  // NaN / Infinity, a single point, all-identical points, fewer distinct points than kMin.
  checkKMeansInput(data, n, d, lo);
  if (n - 1 < lo) {
    throw new ClusteringInputError(`A sweep from K = ${lo} needs at least ${lo + 1} points (the silhouette needs a point more than clusters), got ${n}`);
  }
  const wanted = kMax ?? SWEEP_DEFAULT_K_MAX;
  const distinct = countDistinctRows(data, n, d, wanted);
  if (kMax === undefined) return { kMin: lo, kMax: Math.max(lo, Math.min(wanted, n - 1, distinct)) };
  if (kMax > n - 1) {
    throw new ClusteringInputError(`K = ${kMax} is too many for ${n} points: the scores need fewer clusters than points; choose K <= ${n - 1}`);
  }
  if (distinct < kMax) {
    throw new ClusteringInputError(`Only ${distinct} of the ${n} points are distinct, so the sweep can go up to K = ${distinct}, not ${kMax}`);
  }
  return { kMin: lo, kMax };
}

/**
 * Runs the K sweep. Per K: `seeds` k-means runs (CPU, or the assigner when given), the inertia,
 * silhouette, Calinski-Harabasz and Davies-Bouldin of the best run, and the stability across runs.
 * Yields to the event loop between units of work so that a worker can receive a cancel message.
 */
export async function sweepK(data: Matrix, n: number, d: number, opts: SweepOptions = {}): Promise<SweepResult> {
  const { kMin, kMax } = sweepRange(data, n, d, opts.kMin, opts.kMax);
  const seeds = opts.seeds ?? 3;
  if (!Number.isInteger(seeds) || seeds < 1) {
    throw new ClusteringInputError(`The number of seeds per K must be a whole number >= 1, got ${seeds}`);
  }
  const exactMax = opts.silhouetteExactMax ?? SWEEP_SILHOUETTE_EXACT_MAX;
  const exact = n <= exactMax;
  const sampleSize = exact ? n : Math.min(n, opts.silhouetteSample ?? SWEEP_SILHOUETTE_SAMPLE);
  if (!Number.isInteger(sampleSize) || sampleSize < 3) {
    throw new ClusteringInputError(`The silhouette sample needs at least 3 points, got ${sampleSize}`);
  }
  const ks: number[] = [];
  for (let k = kMin; k <= kMax; k++) ks.push(k);
  // Lloyd runs with one start each take their seedings as prefixes of one kMax seeding per seed
  // (PrefixSeeder): the centres of K are those of K - 1 plus one. Mini-batch seeds on its samples.
  const algorithm = opts.algorithm ?? 'auto';
  const restarts = opts.restarts ?? 1;
  const plan: SweepPlan = {
    kMax,
    seeds,
    baseSeed: opts.seed ?? 0,
    restarts,
    maxIter: opts.maxIter,
    tol: opts.tol,
    algorithm,
    batchSize: opts.batchSize,
    sampleSize,
    silhouetteSeed: opts.silhouetteSeed ?? 0,
    prefixSeeding: restarts === 1 && (algorithm === 'lloyd' || (algorithm === 'auto' && n <= MINIBATCH_THRESHOLD)),
    // sweepRange checked the data for every K up to kMax: no run checks it again.
    checked: { distinctAtLeast: kMax, meanVariance: meanFeatureVariance(data, n, d) },
  };
  const cancel = opts.cancel;
  const units = ks.length * (seeds + 1);
  let done = 0;
  const progress = (k: number): void => {
    done++;
    opts.onProgress?.(k, done / units);
  };

  throwIfCancelled(cancel);
  opts.onProgress?.(kMin, 0);
  const threads = opts.assigner ? null : opts.threads;
  const helpers = threads ? threadsFor(threads, data, n, ks.length, opts.threadsMinPoints ?? SWEEP_THREADS_MIN_POINTS) : 0;
  let entries: SweepEntry[];
  let allGpu = true;
  let fallbackReason: string | undefined;
  let threadsUsed = 0;
  if (threads && helpers > 1) {
    const r = await sweepOnThreads(data, n, d, ks, plan, threads, helpers, {
      cancel,
      onRun: progress,
      onEntry: (e) => {
        progress(e.k);
        opts.onEntry?.(e);
      },
    });
    entries = r.entries;
    threadsUsed = r.threads;
    allGpu = false;
  } else {
    const seeders = plan.prefixSeeding ? Array.from({ length: seeds }, (_, r) => new PrefixSeeder(data, n, d, kMax, seedRng(plan, r))) : null;
    const step = async (k: number): Promise<void> => {
      progress(k);
      await yieldToEventLoop();
      throwIfCancelled(cancel);
    };
    entries = [];
    for (const k of ks) {
      const one = await sweepOneK(data, n, d, k, plan, seeders ? seeders.map((s) => s.seeding(k)) : null, {
        assigner: opts.assigner,
        cancel,
        onRun: () => step(k),
      });
      if (!one.allGpu) allGpu = false;
      if (one.fallbackReason && !fallbackReason) fallbackReason = one.fallbackReason;
      entries.push(one.entry);
      opts.onEntry?.(one.entry);
      await step(k);
    }
  }
  const elbow = elbowK(
    entries.map((e) => e.k),
    entries.map((e) => e.inertia),
  );
  const byScore =
    opts.suggestBy === 'calinski-harabasz'
      ? (suggestByVarianceRatio(entries, elbow) ?? suggestK(entries, elbow, exact, sampleSize))
      : suggestK(entries, elbow, exact, sampleSize);
  return {
    entries,
    suggested: preferUsefulK(entries, byScore, elbow, n, opts.suggestBy ?? 'silhouette'),
    elbow,
    silhouette: { exact, sampleSize },
    path: allGpu && opts.assigner?.kind === 'gpu' ? 'gpu' : 'cpu',
    threads: threadsUsed,
    ...(fallbackReason ? { fallbackReason } : {}),
  };
}

/**
 * The elbow of a decreasing inertia curve by the kneedle / maximum-distance-to-chord method: both
 * axes scaled to [0, 1], the point farthest below the straight line from the first to the last
 * point. Null with fewer than 3 points, a flat curve, or no point below the chord (then the
 * curve has no knee: it falls linearly or bends the other way).
 */
export function elbowK(ks: number[], inertias: number[]): Suggestion | null {
  const m = ks.length;
  if (m < 3 || inertias.length !== m) return null;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of inertias) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!(hi > lo) || !Number.isFinite(hi - lo)) return null;
  const x = ks.map((k) => (k - ks[0]) / (ks[m - 1] - ks[0]));
  const y = inertias.map((v) => (v - lo) / (hi - lo));
  // Chord from (x0, y0) to (x1, y1); signed distance of each point below it.
  const dx = x[m - 1] - x[0];
  const dy = y[m - 1] - y[0];
  const len = Math.hypot(dx, dy);
  let bestAt = -1;
  let bestDist = 1e-9;
  for (let i = 1; i < m - 1; i++) {
    const below = (dy * (x[i] - x[0]) - dx * (y[i] - y[0])) / len;
    if (below > bestDist) {
      bestDist = below;
      bestAt = i;
    }
  }
  if (bestAt < 0) return null;
  return {
    k: ks[bestAt],
    reason:
      `K = ${ks[bestAt]} is where the inertia curve bends most: it lies farthest below the line from ` +
      `K = ${ks[0]} to K = ${ks[m - 1]} (distance ${bestDist.toFixed(3)} with both axes scaled to 0..1)`,
  };
}

/** The K with the highest Calinski-Harabasz score (ties to the smaller K); null when none is finite. */
function suggestByVarianceRatio(entries: SweepEntry[], elbow: Suggestion | null): Suggestion | null {
  let best: SweepEntry | null = null;
  for (const e of entries) {
    if (!Number.isFinite(e.calinskiHarabasz)) continue;
    if (best === null || e.calinskiHarabasz > best.calinskiHarabasz) best = e;
  }
  if (best === null) return null;
  let reason = `K = ${best.k} has the highest Calinski-Harabasz score (between- to within-cluster spread), ${best.calinskiHarabasz.toFixed(1)}`;
  if (elbow) reason += elbow.k === best.k ? '; the inertia elbow is at the same K' : `; the inertia elbow is at K = ${elbow.k}`;
  return { k: best.k, reason };
}

function suggestK(entries: SweepEntry[], elbow: Suggestion | null, exact: boolean, sampleSize: number): Suggestion {
  let best: SweepEntry | null = null;
  for (const e of entries) {
    if (Number.isNaN(e.silhouette)) continue;
    if (best === null || e.silhouette > best.silhouette) best = e;
  }
  if (best === null) {
    if (elbow) return { k: elbow.k, reason: `No silhouette could be computed; ${elbow.reason}` };
    return { k: entries[0].k, reason: 'Neither a silhouette nor an inertia elbow could be computed; defaulting to the smallest K' };
  }
  const how = exact ? '' : ` (on a sample of ${sampleSize} points)`;
  let reason = `K = ${best.k} has the highest mean silhouette, ${best.silhouette.toFixed(3)}${how}`;
  if (elbow) {
    reason += elbow.k === best.k ? '; the inertia elbow is at the same K' : `; the inertia elbow is at K = ${elbow.k}`;
  }
  return { k: best.k, reason };
}

/** Below this many customers a segment needs at least SMALL_LOG_SEGMENT of them on average. */
const SMALL_LOG = 400;
const SMALL_LOG_SEGMENT = 20;

/**
 * The K range a merchant can act on for n customers: 4 to 10 segments, fewer for small logs
 * (at most one segment per 100 customers). Under SMALL_LOG customers only a ceiling: at most one
 * segment per SMALL_LOG_SEGMENT customers (2 at least). On few points the variance ratio keeps
 * growing with K (its within-cluster term divides by n - K): on generated logs of 40 to 120
 * customers in 3 to 5 segments it peaked at K = 9 to 15, clusters of a handful of customers
 * (docs/benchmarks.md, "Suggested K on small logs": one per 10, 15 and 20 customers compared).
 */
export function usefulKRange(n: number): { lo: number; hi: number } {
  if (n < SMALL_LOG) return { lo: 2, hi: Math.max(2, Math.floor(n / SMALL_LOG_SEGMENT)) };
  return { lo: 4, hi: Math.min(10, Math.floor(n / 100)) };
}

function segmentsText(r: { lo: number; hi: number }): string {
  return r.lo === r.hi ? `${r.lo} segments` : `${r.lo}-${r.hi} segments`;
}

/** A silhouette above this is clear structure (Kaufman and Rousseeuw: 0.51-0.70 reasonable). */
export const CLEAR_SILHOUETTE = 0.5;

/**
 * The best-scoring K stands when it lies in the useful range (usefulKRange) or the metrics clearly
 * say so (its silhouette above CLEAR_SILHOUETTE). Otherwise the metrics show little structure, and
 * their best K (often 2: one blob cut in two halves; on a small log often the sweep's largest, a
 * handful of customers per cluster) is no segmentation: the suggestion moves into
 * the useful range, to the inertia elbow when it lies there and its runs agree (stability at least
 * 0.5), else to the range's best score, the most stable of equal ones.
 */
export function preferUsefulK(
  entries: SweepEntry[],
  byScore: Suggestion,
  elbow: Suggestion | null,
  n: number,
  by: 'silhouette' | 'calinski-harabasz',
): Suggestion {
  const range = usefulKRange(n);
  const inRange = entries.filter((e) => e.k >= range.lo && e.k <= range.hi);
  if (inRange.length === 0 || (byScore.k >= range.lo && byScore.k <= range.hi)) return byScore;
  const best = entries.find((e) => e.k === byScore.k);
  if (best && best.silhouette > CLEAR_SILHOUETTE) {
    return {
      k: byScore.k,
      reason: `${byScore.reason}; its silhouette above ${CLEAR_SILHOUETTE} is clear structure, so it stands outside the usual ${segmentsText(range)}`,
    };
  }
  const score = (e: SweepEntry): number => (by === 'calinski-harabasz' ? e.calinskiHarabasz : e.silhouette);
  const atElbow = elbow ? inRange.find((e) => e.k === elbow.k) : undefined;
  let pick: SweepEntry;
  let why: string;
  if (atElbow && !(atElbow.stability < 0.5)) {
    pick = atElbow;
    why = `the inertia curve bends most at K = ${pick.k}`;
  } else {
    pick = inRange[0];
    for (const e of inRange) {
      const a = score(e);
      const b = score(pick);
      if (a > b || (a === b && e.stability > pick.stability)) pick = e;
    }
    why = `K = ${pick.k} has the best ${by === 'calinski-harabasz' ? 'Calinski-Harabasz score' : 'silhouette'} among them`;
  }
  const sil = best && Number.isFinite(best.silhouette) ? `silhouette ${best.silhouette.toFixed(2)}, ` : '';
  const stable = Number.isFinite(pick.stability) ? ` (runs agree: stability ${pick.stability.toFixed(2)})` : '';
  return {
    k: pick.k,
    reason:
      `The scores peak at K = ${byScore.k} but show little structure (${sil}not above ${CLEAR_SILHOUETTE}), so that split is no segmentation; ` +
      `for ${n.toLocaleString('en')} customers ${segmentsText(range)} are preferred and ${why}${stable}`,
  };
}

/** A macrotask turn, so that messages (e.g. a cancel request to a worker) are processed. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
