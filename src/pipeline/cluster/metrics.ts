import { ClusteringInputError, type LabelsLike, type Matrix } from './types';
import { checkLabels, checkMatrix, encodeLabels } from './validate';

interface Grouped {
  codes: Int32Array;
  L: number;
  counts: Float64Array;
  /** L x d cluster means. */
  centroids: Float64Array;
}

/** Label encoding, sizes and centroids, after the input checks every internal index needs. */
function group(data: Matrix, n: number, d: number, labels: LabelsLike, metric: string): Grouped {
  checkMatrix(data, n, d);
  checkLabels(labels, n);
  const { codes, count: L } = encodeLabels(labels);
  // scikit-learn's check_number_of_labels: with 1 cluster or n clusters these scores are undefined.
  if (L < 2 || L > n - 1) {
    throw new ClusteringInputError(`The ${metric} needs between 2 and ${n - 1} clusters for ${n} points, got ${L}`);
  }
  const counts = new Float64Array(L);
  const centroids = new Float64Array(L * d);
  for (let i = 0; i < n; i++) {
    const c = codes[i];
    counts[c]++;
    const off = i * d;
    const q = c * d;
    for (let j = 0; j < d; j++) centroids[q + j] += data[off + j];
  }
  for (let c = 0; c < L; c++) {
    const q = c * d;
    for (let j = 0; j < d; j++) centroids[q + j] /= counts[c];
  }
  return { codes, L, counts, centroids };
}

/**
 * Calinski-Harabasz index (variance ratio criterion), as scikit-learn: between-cluster dispersion
 * x (n - L) over within-cluster dispersion x (L - 1). When every point sits on its cluster mean
 * the ratio is infinite; scikit-learn returns 1.0 there and so do we.
 */
export function calinskiHarabasz(data: Matrix, n: number, d: number, labels: LabelsLike): number {
  const { codes, L, counts, centroids } = group(data, n, d, labels, 'Calinski-Harabasz index');
  const overall = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const off = i * d;
    for (let j = 0; j < d; j++) overall[j] += data[off + j];
  }
  for (let j = 0; j < d; j++) overall[j] /= n;
  let extra = 0;
  for (let c = 0; c < L; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = centroids[c * d + j] - overall[j];
      s += t * t;
    }
    extra += counts[c] * s;
  }
  let intra = 0;
  for (let i = 0; i < n; i++) {
    const off = i * d;
    const q = codes[i] * d;
    for (let j = 0; j < d; j++) {
      const t = data[off + j] - centroids[q + j];
      intra += t * t;
    }
  }
  return intra === 0 ? 1 : (extra * (n - L)) / (intra * (L - 1));
}

/**
 * Davies-Bouldin index, as scikit-learn: the mean over clusters of the worst
 * (s_i + s_j) / dist(centroid_i, centroid_j), s = mean distance of members to their centroid.
 * scikit-learn returns 0 when all s or all centroid distances are within 1e-8 of 0, and treats
 * two coinciding centroids as infinitely far apart; we do the same.
 */
export function daviesBouldin(data: Matrix, n: number, d: number, labels: LabelsLike): number {
  const { codes, L, counts, centroids } = group(data, n, d, labels, 'Davies-Bouldin index');
  const spread = new Float64Array(L);
  for (let i = 0; i < n; i++) {
    const off = i * d;
    const q = codes[i] * d;
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = data[off + j] - centroids[q + j];
      s += t * t;
    }
    spread[codes[i]] += Math.sqrt(s);
  }
  for (let c = 0; c < L; c++) spread[c] /= counts[c];
  const dist = new Float64Array(L * L);
  let allCentroidsTogether = true;
  for (let a = 0; a < L; a++) {
    for (let b = a + 1; b < L; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = centroids[a * d + j] - centroids[b * d + j];
        s += t * t;
      }
      const v = Math.sqrt(s);
      dist[a * L + b] = v;
      dist[b * L + a] = v;
      if (v > 1e-8) allCentroidsTogether = false;
    }
  }
  let allTight = true;
  for (let c = 0; c < L; c++) if (spread[c] > 1e-8) allTight = false;
  if (allTight || allCentroidsTogether) return 0;
  let total = 0;
  for (let a = 0; a < L; a++) {
    let worst = 0;
    for (let b = 0; b < L; b++) {
      if (b === a) continue;
      const D = dist[a * L + b];
      if (D === 0) continue; // 0 / infinity
      const r = (spread[a] + spread[b]) / D;
      if (r > worst) worst = r;
    }
    total += worst;
  }
  return total / L;
}

/**
 * Inertia: the sum of squared distances of the points to their cluster's centre. With `centres`
 * (k x d) the labels index them and must lie in 0..k-1; without, each label's centroid is used.
 */
export function inertia(data: Matrix, n: number, d: number, labels: LabelsLike, centres?: Float64Array): number {
  checkMatrix(data, n, d);
  checkLabels(labels, n);
  let codes: ArrayLike<number> = labels;
  let ctr: Float64Array;
  if (centres) {
    const k = centres.length / d;
    if (!Number.isInteger(k)) {
      throw new ClusteringInputError(`The centres hold ${centres.length} numbers, not a multiple of d = ${d}`);
    }
    for (let i = 0; i < n; i++) {
      if (labels[i] < 0 || labels[i] >= k) {
        throw new ClusteringInputError(`Label ${labels[i]} of point ${i} has no centre (there are ${k})`);
      }
    }
    ctr = centres;
  } else {
    const enc = encodeLabels(labels);
    codes = enc.codes;
    const counts = new Float64Array(enc.count);
    ctr = new Float64Array(enc.count * d);
    for (let i = 0; i < n; i++) {
      counts[codes[i]]++;
      for (let j = 0; j < d; j++) ctr[codes[i] * d + j] += data[i * d + j];
    }
    for (let c = 0; c < enc.count; c++) for (let j = 0; j < d; j++) ctr[c * d + j] /= counts[c];
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    const off = i * d;
    const q = codes[i] * d;
    for (let j = 0; j < d; j++) {
      const t = data[off + j] - ctr[q + j];
      total += t * t;
    }
  }
  return total;
}
