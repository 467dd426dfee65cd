import { rowSquaredDistance } from '../numeric/distance';
import { Rng, sampleWithoutReplacement } from '../numeric/random';
import { ClusteringInputError, type LabelsLike, type Matrix } from './types';
import { checkLabels, checkMatrix, encodeLabels } from './validate';

/**
 * Largest number of points the exact silhouette accepts by default: its cost grows with the
 * square of n (20,000 points take several seconds; 1,000,000 would take hours), so beyond this
 * it throws and asks for silhouetteScoreSampled instead of freezing the page.
 */
export const SILHOUETTE_EXACT_MAX_POINTS = 20_000;

export interface SilhouetteOptions {
  /** Raise the SILHOUETTE_EXACT_MAX_POINTS guard for a deliberate long computation. */
  maxPoints?: number;
}

/**
 * Silhouette coefficient of each point (euclidean), as scikit-learn's silhouette_samples:
 * s = (b - a) / max(a, b) with a = mean distance to the other members of its cluster and b = the
 * lowest mean distance to the members of another cluster; 0 for members of single-point clusters
 * and wherever a = b = 0 (scikit-learn turns those 0/0 into 0 as well).
 * O(n^2 d) time, O(n x clusters) memory.
 */
export function silhouetteSamples(data: Matrix, n: number, d: number, labels: LabelsLike, opts: SilhouetteOptions = {}): Float64Array {
  checkMatrix(data, n, d);
  checkLabels(labels, n);
  checkSize(n, opts, 'points');
  return silhouetteOfSubset(data, d, null, n, labels);
}

/** Mean silhouette over all points (scikit-learn's silhouette_score, metric='euclidean'). */
export function silhouetteScore(data: Matrix, n: number, d: number, labels: LabelsLike, opts: SilhouetteOptions = {}): number {
  return mean(silhouetteSamples(data, n, d, labels, opts));
}

/**
 * Silhouette of a seeded uniform sample of `sampleSize` points, computed among those points only,
 * as scikit-learn's silhouette_score(sample_size=...) does. Turns the O(n^2) cost into
 * O(sampleSize^2); with sampleSize >= n it is the exact score.
 */
export function silhouetteScoreSampled(
  data: Matrix,
  n: number,
  d: number,
  labels: LabelsLike,
  sampleSize: number,
  seed = 0,
  opts: SilhouetteOptions = {},
): number {
  checkMatrix(data, n, d);
  checkLabels(labels, n);
  if (!Number.isInteger(sampleSize) || sampleSize < 2) {
    throw new ClusteringInputError(`The silhouette sample size must be a whole number >= 2, got ${sampleSize}`);
  }
  checkSize(Math.min(sampleSize, n), opts, 'sampled points');
  if (sampleSize >= n) return mean(silhouetteOfSubset(data, d, null, n, labels));
  const idx = sampleWithoutReplacement(new Rng(seed), n, sampleSize);
  return mean(silhouetteOfSubset(data, d, idx, sampleSize, labels));
}

function silhouetteOfSubset(data: Matrix, d: number, idx: Int32Array | null, m: number, labels: LabelsLike): Float64Array {
  const sub = new Array<number>(m);
  for (let a = 0; a < m; a++) sub[a] = labels[idx ? idx[a] : a];
  const { codes, count: L } = encodeLabels(sub);
  if (L < 2 || L > m - 1) {
    throw new ClusteringInputError(
      `The silhouette needs between 2 and ${m - 1} clusters among the ${m} ${idx ? 'sampled ' : ''}points, ` +
        `got ${L}` +
        (idx && L < 2 ? '; use a larger sample' : ''),
    );
  }
  const counts = new Float64Array(L);
  for (let a = 0; a < m; a++) counts[codes[a]]++;

  // The sampled rows, contiguous and in the data's own array type (so the kernels below stay
  // monomorphic); for the full data, the data itself.
  let rows: Matrix = data;
  if (idx) {
    rows = data instanceof Float32Array ? new Float32Array(m * d) : new Float64Array(m * d);
    for (let a = 0; a < m; a++) rows.set(data.subarray(idx[a] * d, idx[a] * d + d), a * d);
  }

  // distSum[a*L + c] = sum of distances from point a to the points of cluster c. Each pair is
  // measured once and credited to both ends. Rows go two at a time against four partners at a
  // time, so each loaded coordinate serves several distances (as in assign.ts).
  const distSum = new Float64Array(m * L);
  const credit = (a: number, b: number, dist: number): void => {
    distSum[a * L + codes[b]] += dist;
    distSum[b * L + codes[a]] += dist;
  };
  let a = 0;
  for (; a + 1 < m; a += 2) {
    const oa = a * d;
    const ob = oa + d;
    credit(a, a + 1, Math.sqrt(rowSquaredDistance(rows, oa, ob, d)));
    let b = a + 2;
    for (; b + 3 < m; b += 4) {
      const o0 = b * d;
      const o1 = o0 + d;
      const o2 = o1 + d;
      const o3 = o2 + d;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let j = 0; j < d; j++) {
        const xa = rows[oa + j];
        const xb = rows[ob + j];
        let v = rows[o0 + j];
        let t = xa - v;
        let u = xb - v;
        a0 += t * t;
        b0 += u * u;
        v = rows[o1 + j];
        t = xa - v;
        u = xb - v;
        a1 += t * t;
        b1 += u * u;
        v = rows[o2 + j];
        t = xa - v;
        u = xb - v;
        a2 += t * t;
        b2 += u * u;
        v = rows[o3 + j];
        t = xa - v;
        u = xb - v;
        a3 += t * t;
        b3 += u * u;
      }
      credit(a, b, Math.sqrt(a0));
      credit(a, b + 1, Math.sqrt(a1));
      credit(a, b + 2, Math.sqrt(a2));
      credit(a, b + 3, Math.sqrt(a3));
      credit(a + 1, b, Math.sqrt(b0));
      credit(a + 1, b + 1, Math.sqrt(b1));
      credit(a + 1, b + 2, Math.sqrt(b2));
      credit(a + 1, b + 3, Math.sqrt(b3));
    }
    for (; b < m; b++) {
      credit(a, b, Math.sqrt(rowSquaredDistance(rows, oa, b * d, d)));
      credit(a + 1, b, Math.sqrt(rowSquaredDistance(rows, ob, b * d, d)));
    }
  }
  // With m odd the last row has met every other row already.

  const out = new Float64Array(m);
  for (let a = 0; a < m; a++) {
    const own = codes[a];
    if (counts[own] <= 1) continue; // scikit-learn: 0 for a point alone in its cluster
    const base = a * L;
    const intra = distSum[base + own] / (counts[own] - 1);
    let inter = Infinity;
    for (let c = 0; c < L; c++) {
      if (c === own) continue;
      const v = distSum[base + c] / counts[c];
      if (v < inter) inter = v;
    }
    const denom = intra > inter ? intra : inter;
    out[a] = denom > 0 ? (inter - intra) / denom : 0;
  }
  return out;
}

function checkSize(m: number, opts: SilhouetteOptions, what: string): void {
  const max = opts.maxPoints ?? SILHOUETTE_EXACT_MAX_POINTS;
  if (m > max) {
    throw new ClusteringInputError(
      `The silhouette of ${m} ${what} would take very long (its cost grows with the square of the ` +
        `number of points); use the sampled silhouette with at most ${max} points`,
    );
  }
}

function mean(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}
