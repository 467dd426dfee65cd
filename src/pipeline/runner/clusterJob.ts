// The K sweep as the pipeline runner (in the worker and the CLI) runs it: the requested K range checked against
// the data (narrowed, with a note, when there are too few distinct points), the assignment path
// chosen (WebGPU or CPU) and guarded so that any GPU failure falls back to the CPU with the reason
// kept, and the result flattened into plain data for the page. Pure TypeScript: no DOM, no Node.
import {
  ClusteringInputError,
  MINIBATCH_THRESHOLD,
  SWEEP_SILHOUETTE_EXACT_MAX,
  SWEEP_SILHOUETTE_SAMPLE,
  sweepK,
  sweepRange,
  type AsyncAssigner,
  type CancelToken,
  type Matrix,
  type SweepResult,
  type HelperThreads,
} from '../cluster';
import { countDistinctRows } from '../cluster/validate';
import { errorText, GpuUnavailableError, type GpuAdapterSummary } from '../gpu/device';
import type { ClusterDevice, ClusterEntryWire, ClusterPath, ClusterProgressWire, ClusterResult } from './contract';

/** Largest K the UI and the CLI let anyone ask for (the GPU kernel takes up to 64). */
export const CLUSTER_K_LIMIT = 40;
export const DEFAULT_SEEDS = 3;

/** What opening the GPU gave: an assigner bound to the data, or why not. */
export type GpuOpening =
  | { ok: true; assigner: AsyncAssigner; adapter: GpuAdapterSummary; onLost?: (listener: (message: string) => void) => () => void }
  | { ok: false; reason: string; adapter?: GpuAdapterSummary };

/**
 * Acquires WebGPU and uploads the data for the assignment kernel. With rejectSoftware, a software
 * adapter (SwiftShader, WARP) is refused with a reason instead.
 */
export type OpenGpu = (data: Matrix, n: number, d: number, opts: { rejectSoftware: boolean }) => Promise<GpuOpening>;

export interface SweepJobOptions {
  kMin: number;
  kMax: number;
  device: ClusterDevice;
  seeds?: number;
  /** k-means++ starts inside each run (the sweep's default when absent: 1). */
  restarts?: number;
  /** Which score suggests K (the sweep's default when absent: silhouette). */
  suggestBy?: 'silhouette' | 'calinski-harabasz';
  /** How to reach the GPU; absent (Node) means the CPU only. */
  openGpu?: OpenGpu | null;
  /** Helper threads for the CPU path (nested workers, worker_threads); absent: this thread only. */
  threads?: HelperThreads | null;
  /** Fewest points for which helpers start; default the sweep's own (SWEEP_THREADS_MIN_POINTS). */
  threadsMinPoints?: number;
  onProgress?: (p: ClusterProgressWire) => void;
  cancel?: CancelToken;
  source: ClusterResult['source'];
}

export function adapterName(a: GpuAdapterSummary): string {
  const name = [a.vendor, a.architecture, a.device, a.description].filter((s) => s?.trim()).join(' ');
  return name || 'unnamed adapter';
}

/**
 * The K range to sweep: kMin and kMax as asked when the data allows them, else kMax lowered to
 * what it does allow (points - 1, distinct points) with a note saying why. Throws
 * ClusteringInputError, with a message for the user, when not even kMin is possible (a single
 * sequence, all-identical vectors, NaN or infinite values) or the range itself is malformed.
 */
export function resolveSweepRange(data: Matrix, n: number, d: number, kMin: number, kMax: number): { kMin: number; kMax: number; note: string | null } {
  if (!Number.isInteger(kMin) || kMin < 2) {
    throw new ClusteringInputError(`The smallest K must be a whole number of at least 2 (the scores compare clusters), got ${kMin}`);
  }
  if (!Number.isInteger(kMax) || kMax < kMin) {
    throw new ClusteringInputError(`The largest K must be a whole number of at least the smallest (${kMin}), got ${kMax}`);
  }
  if (kMax > CLUSTER_K_LIMIT) {
    throw new ClusteringInputError(`The largest K can be at most ${CLUSTER_K_LIMIT}, got ${kMax}`);
  }
  // NaN / Infinity, no or one point, all-identical points, fewer points or distinct points than kMin.
  sweepRange(data, n, d, kMin, kMin);
  const distinct = countDistinctRows(data, n, d, kMax);
  const top = Math.min(kMax, n - 1, distinct);
  if (top >= kMax) return { kMin, kMax, note: null };
  const note =
    distinct <= n - 1
      ? `Only ${distinct} of the ${n} sequence vectors are distinct, so the sweep stops at K = ${top} instead of ${kMax}.`
      : `With ${n} sequences the sweep stops at K = ${top} instead of ${kMax} (the silhouette needs more points than clusters).`;
  return { kMin, kMax: top, note };
}

/** Members per cluster 0..k-1. */
export function clusterSizes(labels: ArrayLike<number>, k: number): number[] {
  const sizes = new Array<number>(k).fill(0);
  for (let i = 0; i < labels.length; i++) sizes[labels[i]]++;
  return sizes;
}

interface GuardedAssigner extends AsyncAssigner {
  /** The reason of the first failure, or null while the GPU works. */
  failed(): string | null;
  /** Marks the GPU as failed (device lost) so that the next pass goes to the CPU. */
  markFailed(reason: string): void;
}

/**
 * An assigner that turns the first failure of any kind (device lost, validation error, a kernel
 * that throws) into GpuUnavailableError and answers every later call with it at once, so that
 * kmeansAsync redoes each remaining run on the CPU instead of trying the broken GPU again.
 */
function guardGpu(inner: AsyncAssigner, onFail: (reason: string) => void): GuardedAssigner {
  let failed: string | null = null;
  const markFailed = (reason: string): void => {
    if (failed !== null) return;
    failed = reason;
    onFail(reason);
  };
  return {
    n: inner.n,
    d: inner.d,
    kind: inner.kind,
    failed: () => failed,
    markFailed,
    async assign(centres, k, labels, sums, counts) {
      if (failed !== null) throw new GpuUnavailableError('gpu-error', failed);
      try {
        return await inner.assign(centres, k, labels, sums, counts);
      } catch (e) {
        if (e instanceof ClusteringInputError) throw e;
        markFailed(e instanceof GpuUnavailableError ? e.message : `the GPU failed: ${errorText(e)}`);
        throw new GpuUnavailableError('gpu-error', failed ?? 'the GPU failed');
      }
    },
    dispose: () => inner.dispose(),
  };
}

/** Runs the sweep on `data` (n x d) and returns it as plain data, labels per K included. */
export async function runSweepJob(data: Matrix, n: number, d: number, opts: SweepJobOptions): Promise<ClusterResult> {
  const t0 = performance.now();
  const seeds = opts.seeds ?? DEFAULT_SEEDS;
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 10) {
    throw new ClusteringInputError(`The number of seeds per K must be a whole number from 1 to 10, got ${seeds}`);
  }
  const range = resolveSweepRange(data, n, d, opts.kMin, opts.kMax);

  let assigner: GuardedAssigner | null = null;
  let adapter: string | null = null;
  let pathReason: string;
  let fallback: string | null = null;
  let current: ClusterPath = 'cpu';
  let unsubscribe: (() => void) | null = null;
  if (opts.device === 'cpu') {
    pathReason = 'CPU, as chosen in the settings';
  } else if (!opts.openGpu) {
    pathReason = 'CPU: WebGPU is not available here';
    if (opts.device === 'gpu') fallback = 'WebGPU is not available here';
  } else {
    let opened: GpuOpening;
    try {
      opened = await opts.openGpu(data, n, d, { rejectSoftware: opts.device === 'auto' });
    } catch (e) {
      opened = { ok: false, reason: `WebGPU could not be opened: ${errorText(e)}` };
    }
    if (opened.ok) {
      adapter = adapterName(opened.adapter);
      const guarded = guardGpu(opened.assigner, () => {
        current = 'cpu';
      });
      assigner = guarded;
      current = 'webgpu';
      pathReason = `WebGPU on ${adapter}${opened.adapter.isFallbackAdapter ? ' (a software adapter: correct, but slower than the CPU)' : ''}`;
      unsubscribe = opened.onLost?.((message) => guarded.markFailed(message)) ?? null;
    } else {
      if (opened.adapter) adapter = adapterName(opened.adapter);
      pathReason = `CPU: ${opened.reason}`;
      if (opts.device === 'gpu') fallback = opened.reason;
    }
  }

  let sweep: SweepResult;
  let done = 0;
  try {
    sweep = await sweepK(data, n, d, {
      kMin: range.kMin,
      kMax: range.kMax,
      seeds,
      restarts: opts.restarts,
      suggestBy: opts.suggestBy,
      assigner,
      threads: opts.threads,
      threadsMinPoints: opts.threadsMinPoints,
      cancel: opts.cancel,
      onEntry: () => {
        done++;
      },
      onProgress: (k, fraction) => opts.onProgress?.({ k, fraction, kMin: range.kMin, kMax: range.kMax, path: current, done }),
    });
  } finally {
    unsubscribe?.();
    assigner?.dispose();
  }
  const gpuFailure = assigner?.failed() ?? null;
  if (gpuFailure || sweep.fallbackReason) fallback = gpuFailure ?? sweep.fallbackReason ?? null;
  const path: ClusterPath = sweep.path === 'gpu' ? 'webgpu' : 'cpu';
  if (assigner && path === 'cpu')
    pathReason = `CPU: WebGPU${adapter ? ` on ${adapter}` : ''} failed (${fallback ?? 'unknown error'}), so the sweep fell back to the CPU`;
  if (sweep.threads > 1) pathReason += `; the K values ran side by side on ${sweep.threads} helper threads`;

  const entries: ClusterEntryWire[] = sweep.entries.map((e) => ({
    k: e.k,
    inertia: e.inertia,
    silhouette: e.silhouette,
    calinskiHarabasz: e.calinskiHarabasz,
    daviesBouldin: e.daviesBouldin,
    stability: e.stability,
    sizes: clusterSizes(e.labels, e.k),
    iterations: e.iterations,
    algorithm: e.algorithm,
    path: e.path === 'gpu' ? 'webgpu' : 'cpu',
    runInertias: e.runInertias,
    ms: e.ms,
  }));
  return {
    entries,
    labels: sweep.entries.map((e) => e.labels),
    suggested: sweep.suggested,
    elbow: sweep.elbow,
    silhouette: { ...sweep.silhouette, exactMax: SWEEP_SILHOUETTE_EXACT_MAX },
    minibatchThreshold: MINIBATCH_THRESHOLD,
    algorithm: entries[0]?.algorithm ?? (n > MINIBATCH_THRESHOLD ? 'minibatch' : 'lloyd'),
    seeds,
    n,
    d,
    source: opts.source,
    path,
    pathReason,
    threads: sweep.threads,
    fallback,
    adapter,
    requested: { kMin: opts.kMin, kMax: opts.kMax },
    range: { kMin: range.kMin, kMax: range.kMax },
    rangeNote: range.note,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** The silhouette sample size the sweep will use for n points (n itself when exact). */
export function silhouetteSampleFor(n: number): number {
  return n <= SWEEP_SILHOUETTE_EXACT_MAX ? n : Math.min(n, SWEEP_SILHOUETTE_SAMPLE);
}
