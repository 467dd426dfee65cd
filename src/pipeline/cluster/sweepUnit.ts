// One K of the sweep, as the sweep's own thread and its helper threads both run it: the seeded
// k-means runs, the best run's scores and the stability across runs.
import { adjustedRandIndex } from './agreement';
import type { AsyncAssigner } from './asyncAssigner';
import type { CheckedData } from './kmeans';
import { kmeansAsync, type KMeansAsyncResult } from './kmeansAsync';
import { calinskiHarabasz, daviesBouldin } from './metrics';
import { Rng } from '../numeric/random';
import type { Seeding } from './seeding';
import { silhouetteScoreSampled } from './silhouette';
import { type CancelToken, ClusteringInputError, type Matrix } from './types';

/** What every K of a sweep shares: resolved once by sweepK and sent as is to helper threads. */
export interface SweepPlan {
  kMax: number;
  seeds: number;
  baseSeed: number;
  restarts: number;
  maxIter?: number;
  tol?: number;
  algorithm: 'auto' | 'lloyd' | 'minibatch';
  batchSize?: number;
  /** Silhouette sample size (n when exact) and its seed. */
  sampleSize: number;
  silhouetteSeed: number;
  /** Whether each run's seeding is the K-prefix of its seed's kMax k-means++ seeding. */
  prefixSeeding: boolean;
  /** The data's checks and variance, established once by sweepK for every run (KMeansOptions.checked). */
  checked?: CheckedData;
}

/** One K's row of the sweep (sweep.ts re-exports it). */
export interface SweepEntry {
  k: number;
  /** Inertia of the K's clustering (the lowest of its runs). */
  inertia: number;
  /** Mean silhouette (exact, or on the sample; see silhouetteSample); NaN if undefined for this labelling. */
  silhouette: number;
  /** Points the silhouette was computed on: n when exact. */
  silhouetteSample: number;
  calinskiHarabasz: number;
  daviesBouldin: number;
  /** Mean pairwise adjusted Rand index between the K's runs (1 = every seed found the same partition); NaN with one seed. */
  stability: number;
  /** Inertia of each run, in seed order. */
  runInertias: number[];
  /** Index of the run that gave labels and centres. */
  bestRun: number;
  /** Cluster of every point for this K (the recolouring data). */
  labels: Int32Array;
  /** K x d centres. */
  centres: Float64Array;
  iterations: number;
  algorithm: 'lloyd' | 'minibatch';
  /** 'gpu' when every run of this K assigned on the GPU. */
  path: 'gpu' | 'cpu';
  /** Wall time of this K (runs and scores), in ms. */
  ms: number;
}

/** The rng of seed r's k-means++ seeding: what PrefixSeeder draws with, on any thread. */
export function seedRng(plan: SweepPlan, r: number): Rng {
  return new Rng(plan.baseSeed + r).fork();
}

/**
 * One K of the sweep: the plan's seeded runs (from the given seedings, one per run, when the plan
 * seeds by prefix), the best run's scores and the stability across runs. The same on the sweep's
 * own thread and on a helper thread, so either gives the same entry.
 */
export async function sweepOneK(
  data: Matrix,
  n: number,
  d: number,
  k: number,
  plan: SweepPlan,
  seedings: readonly Seeding[] | null,
  ctx: { assigner?: AsyncAssigner | null; cancel?: CancelToken; onRun?: () => void | Promise<void> },
): Promise<{ entry: SweepEntry; allGpu: boolean; fallbackReason?: string }> {
  const t0 = performance.now();
  const runs: KMeansAsyncResult[] = [];
  let fallbackReason: string | undefined;
  for (let r = 0; r < plan.seeds; r++) {
    const run = await kmeansAsync(data, n, d, {
      k,
      seed: plan.baseSeed + r,
      restarts: plan.restarts,
      maxIter: plan.maxIter,
      tol: plan.tol,
      algorithm: plan.algorithm,
      batchSize: plan.batchSize,
      assigner: ctx.assigner,
      cancel: ctx.cancel,
      checked: plan.checked,
      ...(seedings ? { seeding: seedings[r] } : {}),
    });
    if (run.fallbackReason && !fallbackReason) fallbackReason = run.fallbackReason;
    runs.push(run);
    await ctx.onRun?.();
  }
  let best = 0;
  for (let r = 1; r < runs.length; r++) if (runs[r].inertia < runs[best].inertia) best = r;
  const chosen = runs[best];
  let stability = Number.NaN;
  if (runs.length > 1) {
    let sum = 0;
    let pairs = 0;
    for (let a = 0; a < runs.length; a++) {
      for (let b = a + 1; b < runs.length; b++) {
        sum += adjustedRandIndex(runs[a].labels, runs[b].labels);
        pairs++;
      }
    }
    stability = sum / pairs;
  }
  const { sampleSize, silhouetteSeed } = plan;
  const entry: SweepEntry = {
    k,
    inertia: chosen.inertia,
    silhouette: orNaN(() => silhouetteScoreSampled(data, n, d, chosen.labels, sampleSize, silhouetteSeed)),
    silhouetteSample: sampleSize,
    calinskiHarabasz: orNaN(() => calinskiHarabasz(data, n, d, chosen.labels)),
    daviesBouldin: orNaN(() => daviesBouldin(data, n, d, chosen.labels)),
    stability,
    runInertias: runs.map((r) => r.inertia),
    bestRun: best,
    labels: chosen.labels,
    centres: chosen.centres,
    iterations: chosen.iterations,
    algorithm: chosen.algorithm,
    path: runs.every((r) => r.path === 'gpu') ? 'gpu' : 'cpu',
    ms: performance.now() - t0,
  };
  return { entry, allGpu: entry.path === 'gpu', ...(fallbackReason ? { fallbackReason } : {}) };
}

function orNaN(f: () => number): number {
  try {
    return f();
  } catch (e) {
    if (e instanceof ClusteringInputError) return Number.NaN;
    throw e;
  }
}
