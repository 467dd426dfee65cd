// The k-means assignment step on WebGPU, with assignStep (assign.ts) as its CPU twin.
//
// Division of labour, chosen so that the GPU result is the CPU result:
//
// 1. `assign` kernel (one invocation per point): float32 squared distance to every centre, the
//    argmin (lowest index on ties, like assignStep), the min distance, and a NEAR-TIE FLAG. The
//    flag is raised when the best and second-best float32 distances are closer than a rigorous
//    bound on float32 rounding error (tieTolerance below), i.e. whenever float32 could have picked
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
import {
  alignUp,
  compileShader,
  createBuffer,
  grid2d,
  READBACK,
  readBuffers,
  STORAGE_RW,
  UNIFORM,
  withErrorScopes,
} from '../gpu/buffers.ts';
import { assertDeviceAlive, BufferUsage, errorText, type GpuContext, GpuUnavailableError } from '../gpu/device.ts';
import { addRowTo, assignStep, distancesToCentres, squaredDistance } from './assign.ts';
import { ClusteringInputError, type Matrix } from './types.ts';
import { checkMatrix } from './validate.ts';

/**
 * An assignment step bound to one data set, with assignStep's contract but asynchronous: fills
 * outLabels (n), outSums (k x d) and outCounts (k) and resolves to the inertia.
 */
export interface AsyncAssigner {
  readonly n: number;
  readonly d: number;
  /** 'gpu' for a WebGPU kernel, 'cpu' for assignStep behind a promise. */
  readonly kind: 'gpu' | 'cpu';
  assign(
    centres: Float64Array,
    k: number,
    outLabels: Int32Array,
    outSums: Float64Array,
    outCounts: Int32Array,
  ): Promise<number>;
  dispose(): void;
}

/** assignStep behind the AsyncAssigner interface: the CPU fallback, and a reference in tests. */
export function cpuAsyncAssigner(data: Matrix, n: number, d: number): AsyncAssigner {
  return {
    n,
    d,
    kind: 'cpu',
    assign: async (centres, k, labels, sums, counts) => assignStep(data, n, d, centres, k, labels, sums, counts),
    dispose: () => {},
  };
}

/** Largest K the kernel handles (the per-tile sum accumulators are sized for it). */
export const GPU_MAX_K = 64;
/** Points per workgroup of the assign kernel. */
export const ASSIGN_WORKGROUP = 64;
/** Points per partial-sum tile: at least this many ... */
export const MIN_TILE = 64;
/** ... and at most this many (float32 accumulation over a tile stays ~1e-6 relative). */
export const MAX_TILE = 4096;
/** 'auto' sums on the CPU up to this many coordinates (n x d). */
export const AUTO_CPU_SUMS_MAX = 1 << 24;
const DEFAULT_PARTIAL_BUDGET = 8 << 20; // bytes of partial sums read back per chunk and call
const FLAG = 0x80000000;
const LABEL_MASK = 0x7fffffff;
const U32 = 2 ** -24; // float32 unit roundoff

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

/** One data chunk: rows [start, start + rows), dispatched on a grid of grid[0] x grid[1] workgroups. */
export interface ChunkPlan {
  start: number;
  rows: number;
  grid: [number, number];
}

/** Partial-sum tiling of one chunk: `tiles` tiles of `tile` points. */
export interface TilePlan {
  tile: number;
  tiles: number;
}

/**
 * Splits n rows of dv vec4s into chunks whose data buffer fits one storage binding, and gives each
 * its 2-D workgroup grid.
 */
export function planChunks(
  n: number,
  dv: number,
  maxBindingBytes: number,
  maxPerDim: number,
  maxChunkRows = Infinity,
): ChunkPlan[] {
  const rowBytes = dv * 16;
  const byBinding = Math.floor(maxBindingBytes / rowBytes);
  const byGrid = maxPerDim * maxPerDim * ASSIGN_WORKGROUP;
  const perChunk = Math.min(byBinding, byGrid, Math.max(1, Math.floor(maxChunkRows)));
  if (perChunk < 1) {
    throw new GpuUnavailableError(
      'unsupported-input',
      `A single point of ${dv * 4} dimensions does not fit one GPU buffer binding (${maxBindingBytes} bytes)`,
    );
  }
  const chunks: ChunkPlan[] = [];
  for (let start = 0; start < n; start += perChunk) {
    const rows = Math.min(perChunk, n - start);
    chunks.push({ start, rows, grid: grid2d(Math.ceil(rows / ASSIGN_WORKGROUP), maxPerDim) });
  }
  return chunks;
}

/**
 * Tile size for the partial sums of one chunk: the partials (tiles x k x dv vec4s) should stay
 * near `budgetBytes`, tiles hold between MIN_TILE and MAX_TILE points (a power of two), there are
 * at most maxPerDim tiles (one workgroup row each), and the partials fit one binding.
 */
export function planTiles(
  rows: number,
  k: number,
  dv: number,
  maxPerDim: number,
  budgetBytes: number,
  maxBindingBytes: number,
): TilePlan {
  const bytesPerPointTile = k * dv * 16; // partials of one tile
  let tile = MIN_TILE;
  const wanted = Math.ceil((rows * bytesPerPointTile) / budgetBytes);
  while (tile < wanted && tile < MAX_TILE) tile *= 2;
  tile = Math.max(tile, Math.ceil(rows / maxPerDim), Math.ceil((rows * bytesPerPointTile) / maxBindingBytes));
  return { tile, tiles: Math.ceil(rows / tile) };
}

/**
 * Float32 rounding-error bound used for the near-tie flag: |D32 - D| <= rel*D + abs*(sqrt(D) +
 * abs*S)*S + tiny, with D the exact squared distance, D32 the kernel's, S = ||x|| + max ||c||.
 * Derivation (u = 2^-24): converting x and c to float32 and subtracting errs by at most
 * e_j = 2u(|x_j| + |c_j|) per coordinate; squaring turns that into 2|x_j - c_j| e_j + e_j^2,
 * whose sum is <= 4u sqrt(D) S + 4u^2 S^2 (Cauchy-Schwarz); the products and the dp-term sum add
 * (dp + 1) u D. `tiny` covers subnormals flushed to zero. Every term carries a safety factor of
 * 4, for GPUs that fuse or reorder operations.
 */
export function tieTolerance(dp: number): { rel: number; abs: number; tiny: number } {
  return { rel: 4 * (dp + 2) * U32, abs: 16 * U32, tiny: (dp + 4) * 2 ** -120 };
}

/**
 * Largest coordinate magnitude the float32 kernel accepts for d dimensions: squared distances
 * must stay far below float32's 3.4e38 (factor 64 to spare).
 */
export function float32RangeLimit(d: number): number {
  return Math.sqrt(3.4e38 / (64 * alignUp(d, 4))) / 2;
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

/** The device side of an assigner: WebGPU, or the JS emulation in gpuAssignEmulator.ts. */
export interface KernelBackend {
  readonly name: 'webgpu' | 'emulated';
  readonly maxWorkgroupsPerDimension: number;
  readonly maxBindingBytes: number;
  /** Called once with the plan, before any run. */
  prepare(chunks: ChunkPlan[], dp: number): Promise<void>;
  run(call: KernelCall): Promise<KernelOutput[]>;
  dispose(): void;
}

/**
 * Creates the WebGPU assigner for `data` (n x d, row-major), uploading the data once. `device` is
 * a GPUDevice or a GpuContext from acquireGpu. The data array is kept by reference (flagged points
 * are re-decided from it): do not modify it while the assigner is in use. Throws
 * GpuUnavailableError when the GPU cannot take this input (values beyond float32 range, a lost
 * device, a shader that fails to compile); the caller then uses the CPU.
 */
export async function createGpuAssigner(
  device: GPUDevice | GpuContext,
  data: Matrix,
  n: number,
  d: number,
  opts: GpuAssignerOptions = {},
): Promise<GpuAssigner> {
  const dev = 'queue' in device ? device : device.device;
  assertDeviceAlive(dev);
  const backend = new WebGpuBackend(dev, data, n, d, opts.maxWorkgroupsPerDimension);
  return createAssignerWithBackend(backend, data, n, d, opts);
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

  const assign = async (
    centres: Float64Array,
    k: number,
    outLabels: Int32Array,
    outSums: Float64Array,
    outCounts: Int32Array,
  ): Promise<number> => {
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
      const tiles = chunks.map((ch) =>
        sumsOnGpu ? planTiles(ch.rows, k, dv, maxPerDim, budget, backend.maxBindingBytes) : { tile: 0, tiles: 0 },
      );
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
      const { inertia, flagged } = finishAssignment(
        data,
        d,
        dp,
        centres,
        centres32,
        k,
        chunks,
        tiles,
        outputs,
        sumsOnGpu,
        outLabels,
        outSums,
        outCounts,
      );
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

/** The WGSL of both kernels; one module, two entry points. */
export const ASSIGN_WGSL = /* wgsl */ `
struct Params {
  rows: u32,     // points in this chunk
  dv: u32,       // vec4s per row (d rounded up to a multiple of 4, over 4)
  grid_x: u32,   // workgroups along x of the assign dispatch
  k: u32,        // centres
  tile: u32,     // points per partial-sum tile
  tiles: u32,    // tiles in this chunk
  pad0: u32,
  pad1: u32,
  cmax: f32,     // largest centre norm (rounded up)
  rel_tol: f32,  // tieTolerance(): see gpuAssign.ts
  abs_tol: f32,
  tiny: f32,
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> centres: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> data: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<vec2<u32>>;
@group(0) @binding(4) var<storage, read> labels: array<vec2<u32>>;
@group(0) @binding(5) var<storage, read_write> partials: array<vec4<f32>>;

const FLAG: u32 = 0x80000000u;
const BIG: f32 = 3.0e38;

// Bound on |float32 distance - exact distance| for a distance near dist; scale = |x| + max |c|.
fn err_bound(dist: f32, scale: f32) -> f32 {
  return P.rel_tol * dist + P.abs_tol * (sqrt(dist) + P.abs_tol * scale) * scale + P.tiny;
}

// One point per invocation: distances to all k centres, four centres per sweep over the row.
@compute @workgroup_size(64)
fn assign(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * P.grid_x + wid.x) * 64u + lid;
  if (i >= P.rows) {
    return;
  }
  let dv = P.dv;
  let row = i * dv;
  var xx = 0.0;
  for (var j = 0u; j < dv; j++) {
    let x = data[row + j];
    xx += dot(x, x);
  }
  let k = P.k;
  let last = k - 1u;
  var best = BIG;
  var second = BIG;
  var best_c = 0u;
  for (var c = 0u; c < k; c += 4u) {
    let q0 = c * dv;
    let q1 = min(c + 1u, last) * dv;
    let q2 = min(c + 2u, last) * dv;
    let q3 = min(c + 3u, last) * dv;
    var acc = vec4<f32>(0.0);
    for (var j = 0u; j < dv; j++) {
      let x = data[row + j];
      let t0 = x - centres[q0 + j];
      let t1 = x - centres[q1 + j];
      let t2 = x - centres[q2 + j];
      let t3 = x - centres[q3 + j];
      acc += vec4<f32>(dot(t0, t0), dot(t1, t1), dot(t2, t2), dot(t3, t3));
    }
    let here = min(4u, k - c);
    for (var e = 0u; e < here; e++) {
      let v = acc[e];
      // Strictly less: the lowest index wins a tie, as in assignStep.
      if (v < best) {
        second = best;
        best = v;
        best_c = c + e;
      } else if (v < second) {
        second = v;
      }
    }
  }
  let scale = sqrt(xx) + P.cmax;
  var word = best_c;
  if (k > 1u && second - best <= err_bound(best, scale) + err_bound(second, scale)) {
    word = word | FLAG;
  }
  out[i] = vec2<u32>(word, bitcast<u32>(best));
}

// One vec4 column of one tile per invocation: per cluster, the sum of x - c over the tile's points.
@compute @workgroup_size(64)
fn sums(@builtin(global_invocation_id) gid: vec3<u32>) {
  let v = gid.x;
  let t = gid.y;
  if (v >= P.dv || t >= P.tiles) {
    return;
  }
  var acc: array<vec4<f32>, ${GPU_MAX_K}>;
  let start = t * P.tile;
  let end = min(start + P.tile, P.rows);
  for (var i = start; i < end; i++) {
    let c = labels[i].x & 0x7fffffffu;
    acc[c] += data[i * P.dv + v] - centres[c * P.dv + v];
  }
  let base = t * P.k;
  for (var c = 0u; c < P.k; c++) {
    partials[(base + c) * P.dv + v] = acc[c];
  }
}
`;

const PARAMS_BYTES = 48;

interface Pipelines {
  assign: GPUComputePipeline;
  sums: GPUComputePipeline | null;
}

const pipelineCache = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();
const moduleCache = new WeakMap<GPUDevice, Promise<GPUShaderModule>>();

/** Compiles each entry point once per device: shader compilation takes seconds on software GPUs. */
function pipeline(device: GPUDevice, entryPoint: 'assign' | 'sums'): Promise<GPUComputePipeline> {
  let perDevice = pipelineCache.get(device);
  if (!perDevice) {
    perDevice = new Map();
    pipelineCache.set(device, perDevice);
  }
  let p = perDevice.get(entryPoint);
  if (!p) {
    const cache = perDevice;
    let modulePromise = moduleCache.get(device);
    if (!modulePromise) {
      modulePromise = compileShader(device, ASSIGN_WGSL, 'k-means assignment');
      moduleCache.set(device, modulePromise);
      modulePromise.catch(() => moduleCache.delete(device));
    }
    const compiled = modulePromise;
    p = (async () => {
      const module = await compiled;
      try {
        return await device.createComputePipelineAsync({
          label: `k-means ${entryPoint}`,
          layout: 'auto',
          compute: { module, entryPoint },
        });
      } catch (e) {
        throw new GpuUnavailableError('gpu-error', `Creating the k-means ${entryPoint} pipeline failed: ${errorText(e)}`);
      }
    })();
    p.catch(() => cache.delete(entryPoint));
    perDevice.set(entryPoint, p);
  }
  return p;
}

interface ChunkResources {
  plan: ChunkPlan;
  data: GPUBuffer;
  params: GPUBuffer;
  out: GPUBuffer;
  outRead: GPUBuffer;
  assignGroup: GPUBindGroup | null;
  partials: GPUBuffer | null;
  partialsRead: GPUBuffer | null;
  sumsGroup: GPUBindGroup | null;
}

class WebGpuBackend implements KernelBackend {
  readonly name = 'webgpu' as const;
  readonly maxWorkgroupsPerDimension: number;
  readonly maxBindingBytes: number;
  private chunks: ChunkResources[] = [];
  private centres: GPUBuffer | null = null;
  private pipes: Pipelines | null = null;
  private dp = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly data: Matrix,
    private readonly n: number,
    private readonly d: number,
    maxPerDim?: number,
  ) {
    const l = device.limits;
    this.maxWorkgroupsPerDimension = Math.min(l.maxComputeWorkgroupsPerDimension, maxPerDim ?? Infinity);
    // Every binding must fit maxStorageBufferBindingSize, every buffer maxBufferSize.
    this.maxBindingBytes = Math.min(Number(l.maxStorageBufferBindingSize), Number(l.maxBufferSize));
  }

  async prepare(chunks: ChunkPlan[], dp: number): Promise<void> {
    const { device, data, d } = this;
    this.dp = dp;
    const assignPipe = await pipeline(device, 'assign');
    this.pipes = { assign: assignPipe, sums: null };
    await withErrorScopes(device, 'Uploading the points', () => {
      this.centres = createBuffer(device, GPU_MAX_K * dp * 4, BufferUsage.STORAGE | BufferUsage.COPY_DST, 'k-means centres');
      for (const plan of chunks) {
        const dataBuf = createBuffer(device, plan.rows * dp * 4, BufferUsage.STORAGE | BufferUsage.COPY_DST, 'k-means points');
        uploadRows(device, dataBuf, data, plan.start, plan.rows, d, dp);
        const params = createBuffer(device, PARAMS_BYTES, UNIFORM, 'k-means params');
        const out = createBuffer(device, plan.rows * 8, STORAGE_RW, 'k-means labels');
        const outRead = createBuffer(device, plan.rows * 8, READBACK, 'k-means labels readback');
        this.chunks.push({ plan, data: dataBuf, params, out, outRead, assignGroup: null, partials: null, partialsRead: null, sumsGroup: null });
      }
      for (const ch of this.chunks) {
        ch.assignGroup = device.createBindGroup({
          label: 'k-means assign',
          layout: assignPipe.getBindGroupLayout(0),
          entries: [
            { binding: 0, resource: { buffer: ch.params } },
            { binding: 1, resource: { buffer: this.centres as GPUBuffer } },
            { binding: 2, resource: { buffer: ch.data } },
            { binding: 3, resource: { buffer: ch.out } },
          ],
        });
      }
    });
  }

  async run(call: KernelCall): Promise<KernelOutput[]> {
    const { device, dp } = this;
    assertDeviceAlive(device);
    const pipes = this.pipes as Pipelines;
    if (call.sumsOnGpu && !pipes.sums) pipes.sums = await pipeline(device, 'sums');
    const dv = dp / 4;
    const partialBytes = call.tiles.map((t) => t.tiles * call.k * dp * 4);

    await withErrorScopes(device, 'The k-means assignment', () => {
      if (call.sumsOnGpu) this.ensurePartials(partialBytes);
      device.queue.writeBuffer(this.centres as GPUBuffer, 0, call.centres.buffer, call.centres.byteOffset, call.centres.byteLength);
      const params = new ArrayBuffer(PARAMS_BYTES);
      const u = new Uint32Array(params);
      const f = new Float32Array(params);
      const encoder = device.createCommandEncoder({ label: 'k-means assignment' });
      this.chunks.forEach((ch, index) => {
        const tiles = call.tiles[index];
        u.set([ch.plan.rows, dv, ch.plan.grid[0], call.k, tiles.tile, tiles.tiles, 0, 0]);
        f.set([call.cmax, call.tol.rel, call.tol.abs, call.tol.tiny], 8);
        device.queue.writeBuffer(ch.params, 0, params);
        // One pass per chunk: the params buffer is rewritten per chunk, and each pass only
        // reads its own chunk's parameters.
        const pass = encoder.beginComputePass({ label: 'k-means assign' });
        pass.setPipeline(pipes.assign);
        pass.setBindGroup(0, ch.assignGroup as GPUBindGroup);
        pass.dispatchWorkgroups(ch.plan.grid[0], ch.plan.grid[1]);
        if (call.sumsOnGpu && tiles.tiles > 0) {
          pass.setPipeline(pipes.sums as GPUComputePipeline);
          pass.setBindGroup(0, ch.sumsGroup as GPUBindGroup);
          pass.dispatchWorkgroups(Math.ceil(dv / 64), tiles.tiles);
        }
        pass.end();
        encoder.copyBufferToBuffer(ch.out, 0, ch.outRead, 0, alignUp(ch.plan.rows * 8, 4));
        if (call.sumsOnGpu && partialBytes[index] > 0) {
          encoder.copyBufferToBuffer(ch.partials as GPUBuffer, 0, ch.partialsRead as GPUBuffer, 0, partialBytes[index]);
        }
      });
      device.queue.submit([encoder.finish()]);
    });

    const buffers: GPUBuffer[] = [];
    const bytes: number[] = [];
    for (let c = 0; c < this.chunks.length; c++) {
      buffers.push(this.chunks[c].outRead);
      bytes.push(this.chunks[c].plan.rows * 8);
      if (call.sumsOnGpu) {
        buffers.push(this.chunks[c].partialsRead as GPUBuffer);
        bytes.push(partialBytes[c]);
      }
    }
    const results = await readBuffers(device, buffers, bytes);
    const outputs: KernelOutput[] = [];
    for (let c = 0, r = 0; c < this.chunks.length; c++) {
      const out = new Uint32Array(results[r++]);
      const partials = call.sumsOnGpu ? new Float32Array(results[r++]) : null;
      outputs.push({ out, partials });
    }
    return outputs;
  }

  /** (Re)allocates each chunk's partial-sum buffers when a call needs more than they hold. */
  private ensurePartials(bytes: number[]): void {
    const { device } = this;
    const sumsPipe = (this.pipes as Pipelines).sums as GPUComputePipeline;
    this.chunks.forEach((ch, i) => {
      const need = Math.max(16, bytes[i]);
      if (ch.partials && ch.partials.size >= need) return;
      ch.partials?.destroy();
      ch.partialsRead?.destroy();
      ch.partials = createBuffer(device, need, STORAGE_RW, 'k-means partial sums');
      ch.partialsRead = createBuffer(device, need, READBACK, 'k-means partial sums readback');
      ch.sumsGroup = device.createBindGroup({
        label: 'k-means sums',
        layout: sumsPipe.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: ch.params } },
          { binding: 1, resource: { buffer: this.centres as GPUBuffer } },
          { binding: 2, resource: { buffer: ch.data } },
          { binding: 4, resource: { buffer: ch.out } },
          { binding: 5, resource: { buffer: ch.partials } },
        ],
      });
    });
  }

  dispose(): void {
    for (const ch of this.chunks) {
      for (const b of [ch.data, ch.params, ch.out, ch.outRead, ch.partials, ch.partialsRead]) b?.destroy();
    }
    this.centres?.destroy();
    this.chunks = [];
  }
}

/** Writes rows [start, start + rows) as float32, zero-padded to dp columns, in slices of ~16 MiB. */
function uploadRows(device: GPUDevice, buffer: GPUBuffer, data: Matrix, start: number, rows: number, d: number, dp: number): void {
  if (data instanceof Float32Array && d === dp) {
    const view = data.subarray(start * d, (start + rows) * d);
    device.queue.writeBuffer(buffer, 0, view.buffer, view.byteOffset, view.byteLength);
    return;
  }
  const slice = Math.max(1, Math.floor((16 << 20) / (dp * 4)));
  const tmp = new Float32Array(Math.min(slice, rows) * dp);
  for (let r0 = 0; r0 < rows; r0 += slice) {
    const m = Math.min(slice, rows - r0);
    tmp.fill(0);
    for (let r = 0; r < m; r++) {
      const src = (start + r0 + r) * d;
      for (let j = 0; j < d; j++) tmp[r * dp + j] = data[src + j];
    }
    device.queue.writeBuffer(buffer, r0 * dp * 4, tmp.buffer, 0, m * dp * 4);
  }
}
