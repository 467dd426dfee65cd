// How faithful a 2-D layout is to the vectors it came from: trustworthiness (Venna & Kaski), as
// scikit-learn's sklearn.manifold.trustworthiness with euclidean distances.
//
//   T(k) = 1 - 2 / (n k (2n - 3k - 1)) * sum_i sum_{j in N_k^emb(i)} max(0, r(i, j) - k)
//
// r(i, j) is j's rank among i's neighbours in the original space (1 = nearest). The exact value
// costs O(n^2 d): up to TRUSTWORTHINESS_EXACT_MAX points it is computed exactly by the clustering
// module's trustworthiness(); above, the sum over i is estimated from a seeded sample of query
// points, each ranked against all n points, which is an unbiased estimate of the exact value (not
// the trustworthiness of a subsample, whose neighbourhoods would be coarser), with its standard
// error.

import { sampleWithoutReplacement, Rng } from '../numeric/random';
import { trustworthiness } from '../cluster/trustworthiness';
import { checkMatrix } from '../cluster/validate';
import { ClusteringInputError, type Matrix } from '../cluster/types';
import { asProjectionStep } from './errors';

/** Exact trustworthiness up to this many points (about 2 s for 64 dimensions). */
export const TRUSTWORTHINESS_EXACT_MAX = 5000;
/** Query points sampled above that (standard error about 0.001 on a typical layout). */
export const TRUSTWORTHINESS_SAMPLE = 1000;

export interface TrustworthinessEstimate {
  value: number;
  /** True when every point was a query point (the exact value). */
  exact: boolean;
  /** Query points used. */
  sampleSize: number;
  /** Standard error of the estimate (0 when exact). */
  standardError: number;
  k: number;
}

/**
 * Trustworthiness from `sampleSize` seeded query points (all points when sampleSize >= n, which is
 * the exact value). Ties in distance rank by point index, as in the exact function.
 */
export function trustworthinessSampled(
  original: Matrix,
  embedded: Matrix,
  n: number,
  d: number,
  dEmbedded: number,
  k: number,
  sampleSize: number,
  seed = 0,
): TrustworthinessEstimate {
  checkMatrix(original, n, d, 'original data');
  checkMatrix(embedded, n, dEmbedded, 'embedding');
  if (!Number.isInteger(k) || k < 1 || k >= n / 2) {
    throw new ClusteringInputError(`Trustworthiness needs a whole number of neighbours k with 1 <= k < n/2 = ${n / 2}, got ${k}`);
  }
  if (!Number.isInteger(sampleSize) || sampleSize < 2) {
    throw new ClusteringInputError(`The trustworthiness sample must be a whole number >= 2, got ${sampleSize}`);
  }
  const exact = sampleSize >= n;
  const m = exact ? n : sampleSize;
  const queries = exact ? null : sampleWithoutReplacement(new Rng(seed), n, m);
  const distOrig = new Float64Array(n);
  const distEmb = new Float64Array(n);
  const nb = new Int32Array(k);
  const thr = new Float64Array(k);
  const rank = new Int32Array(k);
  let sum = 0;
  let sumSq = 0;
  for (let s = 0; s < m; s++) {
    const i = queries ? queries[s] : s;
    squaredDistances(original, n, d, i, distOrig);
    squaredDistances(embedded, n, dEmbedded, i, distEmb);
    kNearest(distEmb, i, k, nb);
    let maxThr = 0;
    for (let t = 0; t < k; t++) {
      thr[t] = distOrig[nb[t]];
      if (thr[t] > maxThr) maxThr = thr[t];
      rank[t] = 1;
    }
    // Only points no farther than the farthest embedded neighbour can outrank one of them.
    for (let q = 0; q < n; q++) {
      const dq = distOrig[q];
      if (dq > maxThr || q === i) continue;
      for (let t = 0; t < k; t++) {
        const j = nb[t];
        if (q !== j && (dq < thr[t] || (dq === thr[t] && q < j))) rank[t]++;
      }
    }
    let penalty = 0;
    for (let t = 0; t < k; t++) if (rank[t] > k) penalty += rank[t] - k;
    sum += penalty;
    sumSq += penalty * penalty;
  }
  const norm = 2 / (n * k * (2 * n - 3 * k - 1));
  const value = 1 - (n / m) * sum * norm;
  let standardError = 0;
  if (!exact) {
    const mean = sum / m;
    const variance = Math.max(0, (sumSq - m * mean * mean) / (m - 1));
    standardError = n * Math.sqrt((variance / m) * (1 - m / n)) * norm;
  }
  return { value, exact, sampleSize: m, standardError, k };
}

/**
 * Trustworthiness of a UMAP layout against its input vectors with k = 15 (UMAP's neighbourhood
 * size): exact (the clustering module's trustworthiness) up to `exactMax` points, estimated from
 * `sampleSize` seeded query points above.
 */
export function layoutTrustworthiness(
  original: Matrix,
  n: number,
  d: number,
  embedding: Matrix,
  opts: { k?: number; exactMax?: number; sampleSize?: number; seed?: number; dEmbedded?: number } = {},
): TrustworthinessEstimate {
  const k = opts.k ?? 15;
  const dE = opts.dEmbedded ?? 2;
  const exactMax = opts.exactMax ?? TRUSTWORTHINESS_EXACT_MAX;
  // The checks are the clustering module's; a failure is the map's (ProjectionInputError).
  return asProjectionStep(() =>
    n <= exactMax
      ? { value: trustworthiness(original, embedding, n, d, dE, k, Math.max(exactMax, n)), exact: true, sampleSize: n, standardError: 0, k }
      : trustworthinessSampled(original, embedding, n, d, dE, k, opts.sampleSize ?? TRUSTWORTHINESS_SAMPLE, opts.seed ?? 0),
  );
}

/** Squared distances from row i to every row; four partial sums per row (the cost of a query). */
function squaredDistances(data: Matrix, n: number, d: number, i: number, out: Float64Array): void {
  const oi = i * d;
  const end4 = d - (d & 3);
  for (let q = 0; q < n; q++) {
    const oq = q * d;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let t = 0;
    for (; t < end4; t += 4) {
      const u0 = data[oi + t] - data[oq + t];
      const u1 = data[oi + t + 1] - data[oq + t + 1];
      const u2 = data[oi + t + 2] - data[oq + t + 2];
      const u3 = data[oi + t + 3] - data[oq + t + 3];
      s0 += u0 * u0;
      s1 += u1 * u1;
      s2 += u2 * u2;
      s3 += u3 * u3;
    }
    for (; t < d; t++) {
      const u = data[oi + t] - data[oq + t];
      s0 += u * u;
    }
    out[q] = s0 + s1 + (s2 + s3);
  }
}

/** Indices of the k smallest entries of dist other than `self`, ties to the lower index. */
function kNearest(dist: Float64Array, self: number, k: number, out: Int32Array): void {
  let filled = 0;
  for (let q = 0; q < dist.length; q++) {
    if (q === self) continue;
    const v = dist[q];
    if (filled === k && !(v < dist[out[k - 1]])) continue;
    let p = filled < k ? filled++ : k - 1;
    while (p > 0 && v < dist[out[p - 1]]) {
      out[p] = out[p - 1];
      p--;
    }
    out[p] = q;
  }
}
