import { GpuUnavailableError } from '../gpu/device';
import type { AsyncAssigner } from './asyncAssigner';
import {
  BestOfRestarts,
  type CheckedData,
  drawSeedings,
  kmeans,
  type KMeansOptions,
  type KMeansResult,
  meanFeatureVariance,
  miniBatchResult,
  resolveKMeansOptions,
} from './kmeans';
import { type LloydOptions, type LloydResult, lloydPlainSteps } from './lloyd';
import { DEFAULT_MINIBATCH, finishMiniBatch, miniBatchCentres } from './minibatch';
import { Rng } from '../numeric/random';
import { restartOrder } from './restarts';
import type { Seeding } from './seeding';
import { type CancelToken, ClusteringInputError, type Matrix, throwIfCancelled } from './types';

export interface KMeansAsyncOptions extends KMeansOptions {
  /**
   * An assignment step bound to this data (createGpuAssigner, cpuAsyncAssigner). Without one the
   * CPU path of kmeans() runs (Hamerly-bounded Lloyd), unchanged.
   */
  assigner?: AsyncAssigner | null;
  /** Checked before every assignment pass (with an assigner) and before the CPU run. */
  cancel?: CancelToken;
  /**
   * When the assigner fails with GpuUnavailableError (device lost, input beyond float32 ...),
   * redo the clustering on the CPU instead of failing. Default true.
   */
  fallbackToCpu?: boolean;
}

export interface KMeansAsyncResult extends KMeansResult {
  /** Where the assignment passes ran: 'gpu' only if every pass of the result ran on the GPU. */
  path: 'gpu' | 'cpu';
  /** Why the GPU was abandoned for the CPU, when it was. */
  fallbackReason?: string;
  /** Assignment passes made through the assigner (0 on the CPU path). */
  assignPasses: number;
}

/**
 * kmeans() with an optional asynchronous assignment step (a GPU kernel). With an assigner, Lloyd
 * runs without distance bounds (every pass is a full assignment: what a GPU does best) and
 * mini-batch uses it for the final labelling of all points; the seeding and the mini-batch steps
 * stay on the CPU. Same seeds, same result structure: with an exact assigner (sums 'cpu') the
 * result is identical, bit for bit, to kmeans(..., { assign: assignStep }).
 */
export async function kmeansAsync(data: Matrix, n: number, d: number, options: KMeansAsyncOptions): Promise<KMeansAsyncResult> {
  const { assigner, cancel } = options;
  if (assigner && options.assign) {
    throw new ClusteringInputError('Give either an assignment function (assign) or an assigner, not both');
  }
  const opts = resolveKMeansOptions(data, n, d, options);
  throwIfCancelled(cancel);
  const cpu = (fallbackReason?: string): KMeansAsyncResult => {
    throwIfCancelled(cancel);
    const r = kmeans(data, n, d, { ...options, assigner: undefined } as KMeansOptions);
    return { ...r, path: 'cpu', assignPasses: 0, ...(fallbackReason ? { fallbackReason } : {}) };
  };
  if (!assigner) return cpu();
  if (assigner.n !== n || assigner.d !== d) {
    throw new ClusteringInputError(`The assigner was made for ${assigner.n} x ${assigner.d} data, not ${n} x ${d}`);
  }
  let passes = 0;
  const assign = async (centres: Float64Array, labels: Int32Array, sums: Float64Array, counts: Int32Array) => {
    throwIfCancelled(cancel);
    passes++;
    return assigner.assign(centres, opts.k, labels, sums, counts);
  };
  try {
    const r = await runWithAssigner(data, n, d, opts, assign, options.seeding, options.checked);
    return { ...r, path: assigner.kind, assignPasses: passes };
  } catch (e) {
    if (e instanceof GpuUnavailableError && options.fallbackToCpu !== false) return cpu(e.message);
    throw e;
  }
}

type AssignAsync = (centres: Float64Array, labels: Int32Array, sums: Float64Array, counts: Int32Array) => Promise<number>;

async function runWithAssigner(
  data: Matrix,
  n: number,
  d: number,
  opts: ReturnType<typeof resolveKMeansOptions>,
  assign: AssignAsync,
  given?: Seeding,
  checked?: CheckedData,
): Promise<KMeansResult> {
  const { k, restarts, seed, maxIter, tol, batchSize, algorithm } = opts;
  const master = new Rng(seed);
  if (algorithm === 'minibatch') {
    // Exactly kmeans()'s mini-batch run, with the final pass over all points on the assigner.
    const { centres, steps } = miniBatchCentres(data, n, d, k, master.fork(), {
      ...DEFAULT_MINIBATCH,
      batchSize,
      inits: restarts,
      tolAbs: 0,
    });
    const labels = new Int32Array(n);
    const sums = new Float64Array(k * d);
    const counts = new Int32Array(k);
    const inertia = await assign(centres, labels, sums, counts);
    const r = finishMiniBatch(data, n, d, k, centres, steps, labels, sums, counts, inertia);
    return miniBatchResult(r, k);
  }
  const tolAbs = tol * (checked?.meanVariance ?? meanFeatureVariance(data, n, d));
  // kmeans()'s restarts exactly: the same seedings, order and abandonment rule.
  const seedings = drawSeedings(data, n, d, k, restarts, master, given);
  const best = new BestOfRestarts(k, algorithm);
  for (const r of restartOrder(seedings)) {
    best.put(r, await lloydPlainAsync(data, n, d, k, seedings[r].centres, { maxIter, tolAbs, watch: best.watch(maxIter) }, assign));
  }
  return best.result();
}

/** lloydPlain driven by an asynchronous assignment step: the same iterations, awaited. */
export async function lloydPlainAsync(
  data: Matrix,
  n: number,
  d: number,
  k: number,
  initCentres: Float64Array,
  opts: LloydOptions,
  assign: AssignAsync,
): Promise<LloydResult> {
  const steps = lloydPlainSteps(data, n, d, k, initCentres, opts);
  for (let s = steps.next(); ; s = steps.next()) {
    if (s.done) return s.value;
    await assign(s.value.centres, s.value.labels, s.value.sums, s.value.counts);
  }
}
