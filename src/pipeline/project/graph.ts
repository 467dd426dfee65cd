// UMAP's fuzzy simplicial set: turn each point's k neighbour distances into membership strengths
// (a local metric per point: distances beyond the nearest neighbour, scaled by sigma), then make
// the directed graph symmetric with the fuzzy union A + A^T - A o A^T. Follows umap-learn's
// smooth_knn_dist / compute_membership_strengths / fuzzy_simplicial_set, on CSR typed arrays.

import type { KnnGraph } from './knn';

/** Binary-search tolerance on the membership sum (umap-learn's SMOOTH_K_TOLERANCE). */
export const SMOOTH_K_TOLERANCE = 1e-5;
/** Lower bound of sigma relative to the mean neighbour distance (umap-learn's MIN_K_DIST_SCALE). */
export const MIN_K_DIST_SCALE = 1e-3;

export interface SmoothKnn {
  /** Per-point distance scale. */
  sigmas: Float64Array;
  /** Per-point distance to the nearest neighbour at distance > 0 (local_connectivity = 1). */
  rhos: Float64Array;
}

/**
 * sigma and rho per point such that sum_j exp(-(d_ij - rho_i) / sigma_i) over the k neighbours
 * equals log2(k + 1) x bandwidth: umap-learn counts the point itself among its n_neighbors
 * neighbours, so our k = n_neighbors - 1 other points give its target log2(n_neighbors).
 * Neighbours no farther than rho count 1. sigma is found by bisection (64 steps at most).
 */
export function smoothKnnDistances(knn: KnnGraph, localConnectivity = 1, bandwidth = 1, nIter = 64): SmoothKnn {
  const { n, k, distances } = knn;
  const target = Math.log2(k + 1) * bandwidth;
  const sigmas = new Float64Array(n);
  const rhos = new Float64Array(n);
  // umap-learn averages over its n_neighbors columns, the point's own zero distance included.
  let total = 0;
  for (let t = 0; t < n * k; t++) total += distances[t];
  const meanAll = total / Math.max(1, n * (k + 1));
  const index = Math.floor(localConnectivity);
  const interpolation = localConnectivity - index;
  for (let i = 0; i < n; i++) {
    const base = i * k;
    // rho: the index-th nonzero distance (interpolated for a fractional local connectivity).
    let nonZero = 0;
    let rowSum = 0;
    let maxNonZero = 0;
    let rho = 0;
    for (let t = 0; t < k; t++) {
      const v = distances[base + t];
      rowSum += v;
      if (v > 0) {
        nonZero++;
        if (v > maxNonZero) maxNonZero = v;
      }
    }
    if (nonZero >= localConnectivity) {
      // The (index-1)-th and index-th nonzero distances of the ascending row (0-based).
      let before = maxNonZero;
      let at = maxNonZero;
      for (let t = 0, c = 0; t < k && c <= index; t++) {
        const v = distances[base + t];
        if (!(v > 0)) continue;
        if (c === index - 1) before = v;
        if (c === index) at = v;
        c++;
      }
      if (index > 0) {
        rho = before;
        if (interpolation > SMOOTH_K_TOLERANCE) rho += interpolation * (at - before);
      } else {
        rho = interpolation * at;
      }
    } else if (nonZero > 0) {
      rho = maxNonZero;
    }
    rhos[i] = rho;

    let lo = 0;
    let hi = Infinity;
    let mid = 1;
    for (let it = 0; it < nIter; it++) {
      let psum = 0;
      for (let t = 0; t < k; t++) {
        const dd = distances[base + t] - rho;
        psum += dd > 0 ? Math.exp(-(dd / mid)) : 1;
      }
      if (Math.abs(psum - target) < SMOOTH_K_TOLERANCE) break;
      if (psum > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = hi === Infinity ? mid * 2 : (lo + hi) / 2;
      }
    }
    // A floor on sigma keeps memberships finite where all neighbours sit at the same distance.
    const floor = MIN_K_DIST_SCALE * (rho > 0 ? rowSum / (k + 1) : meanAll);
    sigmas[i] = mid < floor ? floor : mid;
  }
  return { sigmas, rhos };
}

/** Sparse symmetric matrix in compressed-row form; column indices ascending within a row. */
export interface CsrGraph {
  n: number;
  indptr: Int32Array;
  indices: Int32Array;
  weights: Float64Array;
}

/** Directed membership strengths, row i = point i's k neighbours (umap-learn's compute_membership_strengths). */
export function membershipStrengths(knn: KnnGraph, smooth: SmoothKnn): Float64Array {
  const { n, k, indices, distances } = knn;
  const w = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const rho = smooth.rhos[i];
    const sigma = smooth.sigmas[i];
    for (let t = 0; t < k; t++) {
      const e = i * k + t;
      if (indices[e] === i || indices[e] < 0) w[e] = 0;
      else {
        const dd = distances[e] - rho;
        w[e] = dd <= 0 || sigma === 0 ? 1 : Math.exp(-(dd / sigma));
      }
    }
  }
  return w;
}

/**
 * Fuzzy union of the directed kNN memberships with their transpose: w_ij + w_ji - w_ij w_ji
 * (set_op_mix_ratio 1). Built row by row by merging two sorted lists, the kNN row (sorted here)
 * and the transpose row (sorted by construction: a counting sort that visits sources in order).
 * Zero weights are dropped.
 */
export function fuzzyUnion(knn: KnnGraph, w: Float64Array): CsrGraph {
  const { n, k, indices } = knn;
  // Row-sorted copy of the directed graph.
  const aIdx = new Int32Array(n * k);
  const aW = new Float64Array(n * k);
  const order = new Int32Array(k);
  const aLen = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const base = i * k;
    let m = 0;
    for (let t = 0; t < k; t++) {
      const j = indices[base + t];
      if (j < 0 || j === i || !(w[base + t] > 0)) continue;
      let p = m++;
      while (p > 0 && indices[base + order[p - 1]] > j) {
        order[p] = order[p - 1];
        p--;
      }
      order[p] = t;
    }
    for (let t = 0; t < m; t++) {
      aIdx[base + t] = indices[base + order[t]];
      aW[base + t] = w[base + order[t]];
    }
    aLen[i] = m;
  }
  // Transpose by counting sort on the target.
  const tPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) for (let t = 0; t < aLen[i]; t++) tPtr[aIdx[i * k + t] + 1]++;
  for (let i = 0; i < n; i++) tPtr[i + 1] += tPtr[i];
  const nnzA = tPtr[n];
  const tIdx = new Int32Array(nnzA);
  const tW = new Float64Array(nnzA);
  const fill = tPtr.slice(0, n);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < aLen[i]; t++) {
      const j = aIdx[i * k + t];
      const at = fill[j]++;
      tIdx[at] = i;
      tW[at] = aW[i * k + t];
    }
  }
  // Merge: the union has at most 2 nnz(A) entries.
  const indptr = new Int32Array(n + 1);
  const outIdx = new Int32Array(2 * nnzA);
  const outW = new Float64Array(2 * nnzA);
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    let p = i * k;
    const pEnd = p + aLen[i];
    let q = tPtr[i];
    const qEnd = tPtr[i + 1];
    while (p < pEnd || q < qEnd) {
      const jp = p < pEnd ? aIdx[p] : n;
      const jq = q < qEnd ? tIdx[q] : n;
      let j: number;
      let v: number;
      if (jp === jq) {
        j = jp;
        const x = aW[p++];
        const y = tW[q++];
        v = x + y - x * y;
      } else if (jp < jq) {
        j = jp;
        v = aW[p++];
      } else {
        j = jq;
        v = tW[q++];
      }
      if (v > 0) {
        outIdx[nnz] = j;
        outW[nnz] = v;
        nnz++;
      }
    }
    indptr[i + 1] = nnz;
  }
  return { n, indptr, indices: outIdx.slice(0, nnz), weights: outW.slice(0, nnz) };
}

/** The whole graph stage: smooth kNN distances, memberships, fuzzy union. */
export function fuzzySimplicialSet(knn: KnnGraph, localConnectivity = 1, bandwidth = 1): { graph: CsrGraph; smooth: SmoothKnn } {
  const smooth = smoothKnnDistances(knn, localConnectivity, bandwidth);
  const w = membershipStrengths(knn, smooth);
  return { graph: fuzzyUnion(knn, w), smooth };
}
