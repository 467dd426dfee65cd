// Squared euclidean distances, in the two summation orders the pipeline relies on:
// - j order, one accumulator (squaredDistance, squaredDistance64, rowSquaredDistance): k-means'
//   contract (cluster/assign.ts) and the metrics built on it; the WebGPU assigner re-decides ties
//   with exactly these sums, so their order must not change;
// - four partial sums (rowSquaredDistance4): faster, for the neighbour search, whose results only
//   need to be consistent with themselves.
// Each function reads one array type per argument so that its element accesses stay monomorphic
// in V8: these are the innermost loops of clustering and of the map.
import type { Matrix } from './shape';

/** Squared euclidean distance between row `off` of data and row `cOff` of centres, in j order. */
export function squaredDistance(data: Matrix, off: number, centres: Float64Array, cOff: number, d: number): number {
  let acc = 0;
  for (let j = 0; j < d; j++) {
    const t = data[off + j] - centres[cOff + j];
    acc += t * t;
  }
  return acc;
}

/**
 * squaredDistance between two float64 rows (centres, candidates). Kept apart so that the element
 * accesses of squaredDistance only ever see the data's own array type and stay monomorphic.
 */
export function squaredDistance64(a: Float64Array, aOff: number, b: Float64Array, bOff: number, d: number): number {
  let acc = 0;
  for (let j = 0; j < d; j++) {
    const t = a[aOff + j] - b[bOff + j];
    acc += t * t;
  }
  return acc;
}

/** Squared distance between rows `oa` and `ob` (offsets) of one matrix, in j order. */
export function rowSquaredDistance(rows: Matrix, oa: number, ob: number, d: number): number {
  let acc = 0;
  for (let j = 0; j < d; j++) {
    const t = rows[oa + j] - rows[ob + j];
    acc += t * t;
  }
  return acc;
}

/**
 * Squared euclidean distance of rows a and b (offsets a*d, b*d given). Four accumulators let the
 * CPU overlap the additions; this loop is where the UMAP neighbour search (project/knn.ts) spends
 * most of its time. Its sums differ from rowSquaredDistance's in the last bits: use one or the
 * other consistently.
 */
export function rowSquaredDistance4(x: Float32Array, a: number, b: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t = 0;
  const end4 = d - (d & 3);
  for (; t < end4; t += 4) {
    const u0 = x[a + t] - x[b + t];
    const u1 = x[a + t + 1] - x[b + t + 1];
    const u2 = x[a + t + 2] - x[b + t + 2];
    const u3 = x[a + t + 3] - x[b + t + 3];
    s0 += u0 * u0;
    s1 += u1 * u1;
    s2 += u2 * u2;
    s3 += u3 * u3;
  }
  for (; t < d; t++) {
    const u = x[a + t] - x[b + t];
    s0 += u * u;
  }
  return s0 + s1 + (s2 + s3);
}
