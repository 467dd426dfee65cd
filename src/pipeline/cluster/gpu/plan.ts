// Host-side planning of the k-means assignment kernels (pure, tested in Node): how the points are
// split into chunks that fit one storage binding, each chunk's 2-D workgroup grid, the partial-sum
// tiles of the 'gpu' sums, and the float32 error bounds that decide which points the host
// re-checks in float64 (see assigner.ts for the division of labour).
import { alignUp, grid2d } from '../../gpu/buffers';
import { GpuUnavailableError } from '../../gpu/device';

/** Largest K the kernel handles (the per-tile sum accumulators are sized for it). */
export const GPU_MAX_K = 64;
/** Points per workgroup of the assign kernel. */
export const ASSIGN_WORKGROUP = 64;
/** Invocations (vec4 columns) per workgroup of the sums kernel. */
export const SUMS_WORKGROUP = 64;
/** Points per partial-sum tile: at least this many ... */
export const MIN_TILE = 64;
/** ... and at most this many (float32 accumulation over a tile stays ~1e-6 relative). */
export const MAX_TILE = 4096;
/** 'auto' sums on the CPU up to this many coordinates (n x d). */
export const AUTO_CPU_SUMS_MAX = 1 << 24;
/** Bytes of partial sums read back per chunk and call ('gpu' sums), unless an option says otherwise. */
export const DEFAULT_PARTIAL_BUDGET = 8 << 20;
const U32 = 2 ** -24; // float32 unit roundoff

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
export function planChunks(n: number, dv: number, maxBindingBytes: number, maxPerDim: number, maxChunkRows = Infinity): ChunkPlan[] {
  const rowBytes = dv * 16;
  const byBinding = Math.floor(maxBindingBytes / rowBytes);
  const byGrid = maxPerDim * maxPerDim * ASSIGN_WORKGROUP;
  const perChunk = Math.min(byBinding, byGrid, Math.max(1, Math.floor(maxChunkRows)));
  if (perChunk < 1) {
    throw new GpuUnavailableError('unsupported-input', `A single point of ${dv * 4} dimensions does not fit one GPU buffer binding (${maxBindingBytes} bytes)`);
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
export function planTiles(rows: number, k: number, dv: number, maxPerDim: number, budgetBytes: number, maxBindingBytes: number): TilePlan {
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
