// The k-means assignment step on WebGPU, with assignStep (../assign.ts) as its CPU twin: the host
// side (checks, planning, the float64 finishing pass), shared by the WebGPU backend
// (webgpuBackend.ts) and the float32 emulation the unit tests run (emulate.ts).
//
// Division of labour, chosen so that the GPU result is the CPU result:
//
// 1. `assign` kernel (one invocation per point): float32 squared distance to every centre, the
//    argmin (lowest index on ties, like assignStep), the min distance, and a NEAR-TIE FLAG. The
//    flag is raised when the best and second-best float32 distances are closer than a rigorous
//    bound on float32 rounding error (tieTolerance in plan.ts), i.e. whenever float32 could have picked
//    a different centre than float64 would.
// 2. Host: every flagged point is re-decided in float64 with assign.ts's own distance code. So
//    the labels are assignStep's labels, bit for bit, including exact ties (which are always
//    flagged), not merely "equal except for ties". Typically well under 1% of points are flagged.
// 3. Sums, counts and inertia, one of two ways (option `sums`):
//    - 'cpu': the host accumulates them from the final labels in point order, in float64, exactly
//      as assignStep does: sums, counts and inertia are then IDENTICAL to assignStep's. Costs one
//      O(n d) pass on the CPU (assignStep itself is O(n k d)).
//    - 'gpu': a second kernel (`sums`) adds, per tile of points and per cluster, the float32
//      deviations x - c of each point from its (float32) centre; the host adds the tiles up in
//      float64 and adds count x c back. Summing deviations rather than raw coordinates keeps the
//      float32 error relative to the cluster's spread, not to its distance from the origin; tiles
//      hold at most 4096 points. Sums then agree with assignStep's to ~1e-6 relative (1e-4 is
//      what the tests demand), inertia is the float64 sum of the float32 minimal distances (~1e-6
//      relative); counts stay exact (integers from the labels). The host only does O(n) work.
//    'auto' (default) uses 'cpu' while n x d <= 2^24 (a few milliseconds of CPU), else 'gpu'.
//
// Limits handled: any n (data split into chunks that fit maxStorageBufferBindingSize, each
// dispatched on a 2-D grid so maxComputeWorkgroupsPerDimension is never exceeded), any d (rows
// padded with zeros to a multiple of 4, which adds exactly 0 to every distance), k up to 64.
import { alignUp } from '../../gpu/buffers';
import { GpuUnavailableError } from '../../gpu/device';
import { squaredDistance } from '../../numeric/distance';
import { addRowTo, distancesToCentres } from '../assign';
import type { AsyncAssigner } from '../asyncAssigner';
import { ClusteringInputError, type Matrix } from '../types';
import { checkMatrix } from '../validate';
import {
  AUTO_CPU_SUMS_MAX,
  type ChunkPlan,
  DEFAULT_PARTIAL_BUDGET,
  float32RangeLimit,
  GPU_MAX_K,
  planChunks,
  planTiles,
  tieTolerance,
  type TilePlan,
} from './plan';
import { FLAG, LABEL_MASK } from './shaders';

export interface GpuAssignerOptions {
  /** Where sums and inertia are accumulated; see the file comment. Default 'auto'. */
  sums?: 'auto' | 'cpu' | 'gpu';
  /** Split the data into chunks of at most this many rows (tests use it to force several chunks). */
  maxChunkRows?: number;
  /** Pretend maxComputeWorkgroupsPerDimension is this (tests use it to force 2-D grids). */
  maxWorkgroupsPerDimension?: number;
  /** Target size of the partial sums read back per chunk ('gpu' sums). Default 8 MiB. */
  partialBudgetBytes?: number;
  /** Keep the raw kernel output of the last pass in `lastRaw` (tests check the kernel itself with it). */
  keepRaw?: boolean;
}

export interface GpuAssignerStats {
  /** Assignment passes run on the GPU. */
  passes: number;
  /** Points whose label the host re-decided in float64 in the last pass, and in all passes. */
  flaggedLast: number;
  flaggedTotal: number;
  /** Data chunks (one buffer and one or more dispatches each). */
  chunks: number;
  /** Where sums were accumulated in the last pass. */
  sums: 'cpu' | 'gpu';
  /** Milliseconds from submit to results mapped, and of host work, in the last pass. */
  lastGpuMs: number;
  lastHostMs: number;
  /** Bytes of point data uploaded at creation. */
  uploadBytes: number;
}

export interface GpuAssigner extends AsyncAssigner {
  readonly kind: 'gpu';
  readonly stats: GpuAssignerStats;
  /** 'webgpu', or 'emulated' for the float32 JS emulation used in unit tests. */
  readonly backend: 'webgpu' | 'emulated';
  /** With keepRaw: the chunks and the kernels' raw output of the last pass, before the host's re-check. */
  readonly lastRaw: { chunks: ChunkPlan[]; outputs: KernelOutput[] } | null;
}

/** What the kernels of one call read besides the data. */
export interface KernelCall {
  k: number;
  /** k x dp centres in float32, rows zero-padded. */
  centres: Float32Array;
  cmax: number;
  tol: { rel: number; abs: number; tiny: number };
  sumsOnGpu: boolean;
  tiles: TilePlan[];
}

/** Raw results of one chunk: (label | FLAG, float32 bits of the min distance) per row, partial sums. */
export interface KernelOutput {
  out: Uint32Array;
  /** tiles x k x dp floats ('gpu' sums only). */
  partials: Float32Array | null;
}

/** The device side of an assigner: WebGPU (webgpuBackend.ts), or the JS emulation (emulate.ts). */
export interface KernelBackend {
  readonly name: 'webgpu' | 'emulated';
  readonly maxWorkgroupsPerDimension: number;
  readonly maxBindingBytes: number;
  /** Called once with the plan, before any run. */
  prepare(chunks: ChunkPlan[], dp: number): Promise<void>;
  run(call: KernelCall): Promise<KernelOutput[]>;
  dispose(): void;
}

/** Shared host side: checks, planning, the centre conversion and the float64 finishing pass. */
export async function createAssignerWithBackend(
  backend: KernelBackend,
  data: Matrix,
  n: number,
  d: number,
  opts: GpuAssignerOptions = {},
): Promise<GpuAssigner> {
  checkMatrix(data, n, d);
  if (n < 1) throw new ClusteringInputError('There are no points to cluster');
  const limit = float32RangeLimit(d);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(v <= limit && v >= -limit)) {
      throw new GpuUnavailableError(
        'unsupported-input',
        `Coordinate ${v} (point ${Math.floor(i / d)}) is beyond the GPU's float32 range (|x| <= ${limit.toExponential(2)})`,
      );
    }
  }
  const sumsOption = opts.sums ?? 'auto';
  if (sumsOption !== 'auto' && sumsOption !== 'cpu' && sumsOption !== 'gpu') {
    throw new ClusteringInputError(`Unknown sums mode '${String(sumsOption)}': use 'auto', 'cpu' or 'gpu'`);
  }
  const sumsOnGpu = sumsOption === 'gpu' || (sumsOption === 'auto' && n * d > AUTO_CPU_SUMS_MAX);
  const dp = alignUp(d, 4);
  const dv = dp / 4;
  const maxPerDim = Math.min(opts.maxWorkgroupsPerDimension ?? Infinity, backend.maxWorkgroupsPerDimension);
  const chunks = planChunks(n, dv, backend.maxBindingBytes, maxPerDim, opts.maxChunkRows);
  const budget = opts.partialBudgetBytes ?? DEFAULT_PARTIAL_BUDGET;
  await backend.prepare(chunks, dp);

  const centres32 = new Float32Array(GPU_MAX_K * dp);
  const stats: GpuAssignerStats = {
    passes: 0,
    flaggedLast: 0,
    flaggedTotal: 0,
    chunks: chunks.length,
    sums: sumsOnGpu ? 'gpu' : 'cpu',
    lastGpuMs: 0,
    lastHostMs: 0,
    uploadBytes: n * dp * 4,
  };
  let busy = false;
  let disposed = false;
  let lastRaw: { chunks: ChunkPlan[]; outputs: KernelOutput[] } | null = null;

  const assign = async (centres: Float64Array, k: number, outLabels: Int32Array, outSums: Float64Array, outCounts: Int32Array): Promise<number> => {
    if (disposed) throw new Error('This GPU assigner has been disposed');
    if (!Number.isInteger(k) || k < 1) throw new ClusteringInputError(`K must be a whole number >= 1, got ${k}`);
    if (k > GPU_MAX_K) {
      throw new GpuUnavailableError('unsupported-input', `The GPU assignment handles K <= ${GPU_MAX_K}, got K = ${k}`);
    }
    if (centres.length < k * d || outLabels.length < n || outSums.length < k * d || outCounts.length < k) {
      throw new ClusteringInputError(`Arrays too short for n = ${n}, d = ${d}, K = ${k}`);
    }
    if (busy) throw new Error('GPU assigner called again before the previous call finished');
    busy = true;
    try {
      centres32.fill(0);
      let cmax = 0;
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let j = 0; j < d; j++) {
          const v = centres[c * d + j];
          if (!(v <= limit && v >= -limit)) {
            throw new GpuUnavailableError('unsupported-input', `Centre coordinate ${v} is beyond the GPU's float32 range`);
          }
          centres32[c * dp + j] = v;
          s += v * v;
        }
        cmax = Math.max(cmax, Math.sqrt(s));
      }
      const tiles = chunks.map((ch) => (sumsOnGpu ? planTiles(ch.rows, k, dv, maxPerDim, budget, backend.maxBindingBytes) : { tile: 0, tiles: 0 }));
      const t0 = performance.now();
      const outputs = await backend.run({
        k,
        centres: centres32.subarray(0, k * dp),
        cmax: cmax * (1 + 1e-6),
        tol: tieTolerance(dp),
        sumsOnGpu,
        tiles,
      });
      const t1 = performance.now();
      if (opts.keepRaw) lastRaw = { chunks, outputs: outputs.map((o) => ({ out: o.out.slice(), partials: o.partials?.slice() ?? null })) };
      const { inertia, flagged } = finishAssignment(data, d, dp, centres, centres32, k, chunks, tiles, outputs, sumsOnGpu, outLabels, outSums, outCounts);
      stats.passes++;
      stats.flaggedLast = flagged;
      stats.flaggedTotal += flagged;
      stats.lastGpuMs = t1 - t0;
      stats.lastHostMs = performance.now() - t1;
      return inertia;
    } finally {
      busy = false;
    }
  };

  return {
    n,
    d,
    kind: 'gpu',
    backend: backend.name,
    stats,
    get lastRaw() {
      return lastRaw;
    },
    assign,
    dispose() {
      if (disposed) return;
      disposed = true;
      backend.dispose();
    },
  };
}

/**
 * The host's part of an assignment pass: re-decides flagged points in float64 (with assign.ts's
 * distance code, so they get assignStep's labels) and fills labels, sums and counts; returns the
 * inertia and how many points were flagged. Exported for the unit tests.
 */
export function finishAssignment(
  data: Matrix,
  d: number,
  dp: number,
  centres: Float64Array,
  centres32: Float32Array,
  k: number,
  chunks: ChunkPlan[],
  tiles: TilePlan[],
  outputs: KernelOutput[],
  sumsOnGpu: boolean,
  outLabels: Int32Array,
  outSums: Float64Array,
  outCounts: Int32Array,
): { inertia: number; flagged: number } {
  outSums.fill(0, 0, k * d);
  outCounts.fill(0, 0, k);
  const dist = new Float64Array(k);
  let inertia = 0;
  let flagged = 0;
  const decide = (i: number): number => {
    distancesToCentres(data, i * d, d, centres, k, dist);
    let best = dist[0];
    let bestC = 0;
    for (let c = 1; c < k; c++) {
      if (dist[c] < best) {
        best = dist[c];
        bestC = c;
      }
    }
    return bestC;
  };
  const badLabel = (l: number, i: number): never => {
    throw new GpuUnavailableError('gpu-error', `The GPU kernel returned label ${l} for point ${i} with K = ${k}`);
  };

  if (!sumsOnGpu) {
    // Same additions in the same order as assignStep: identical sums, counts and inertia.
    for (let ch = 0; ch < chunks.length; ch++) {
      const { start, rows } = chunks[ch];
      const out = outputs[ch].out;
      for (let r = 0; r < rows; r++) {
        const i = start + r;
        const word = out[2 * r];
        let l = word & LABEL_MASK;
        if (l >= k) badLabel(l, i);
        if (word & FLAG) {
          flagged++;
          l = decide(i);
        }
        outLabels[i] = l;
        outCounts[l]++;
        addRowTo(data, i * d, outSums, l * d, d);
        inertia += squaredDistance(data, i * d, centres, l * d, d);
      }
    }
    return { inertia, flagged };
  }

  const gpuCounts = new Float64Array(k);
  const moves: number[] = []; // triples (point, from, to)
  for (let ch = 0; ch < chunks.length; ch++) {
    const { start, rows } = chunks[ch];
    const out = outputs[ch].out;
    const dist32 = new Float32Array(out.buffer, out.byteOffset, out.length);
    for (let r = 0; r < rows; r++) {
      const i = start + r;
      const word = out[2 * r];
      const g = word & LABEL_MASK;
      if (g >= k) badLabel(g, i);
      gpuCounts[g]++;
      let l = g;
      if (word & FLAG) {
        flagged++;
        l = decide(i);
        inertia += dist[l];
        if (l !== g) moves.push(i, g, l);
      } else inertia += dist32[2 * r + 1];
      outLabels[i] = l;
      outCounts[l]++;
    }
    const partials = outputs[ch].partials;
    if (!partials) throw new Error('GPU sums requested but the kernel returned no partial sums');
    const { tiles: count } = tiles[ch];
    for (let t = 0; t < count; t++) {
      for (let c = 0; c < k; c++) {
        const p = (t * k + c) * dp;
        const q = c * d;
        for (let j = 0; j < d; j++) outSums[q + j] += partials[p + j];
      }
    }
  }
  // The kernel summed x - c32 over the points it labelled c: add the centres back.
  for (let c = 0; c < k; c++) {
    const m = gpuCounts[c];
    if (m === 0) continue;
    for (let j = 0; j < d; j++) outSums[c * d + j] += m * centres32[c * dp + j];
  }
  // Points the float64 check moved change cluster in the sums too.
  for (let t = 0; t < moves.length; t += 3) {
    const off = moves[t] * d;
    const from = moves[t + 1] * d;
    const to = moves[t + 2] * d;
    for (let j = 0; j < d; j++) {
      outSums[from + j] -= data[off + j];
      outSums[to + j] += data[off + j];
    }
  }
  return { inertia, flagged };
}
