// Initial 2-D layout for the SGD.
//
// Default 'pca': the data projected on its two leading principal axes. Why not umap-learn's
// spectral init: the Laplacian eigenvectors of a kNN graph of well-separated clusters (exactly what
// this stage gets: clustered vectors) are degenerate, one near-zero eigenvalue per cluster, so
// both an eigensolver and a cheap power-iteration approximation converge slowly and a pair of them
// collapses most clusters onto a few points unless every connected component is laid out
// separately (umap-learn's multi-component layout, a second algorithm). PCA costs a few passes over
// the data, is deterministic, places disconnected clusters by their centroids, and Kobak & Linderman
// (Nature Biotechnology 2021) found PCA-initialised UMAP/t-SNE keep global structure about as well as
// spectral init and far better than random init. 'random' (umap-js's only init) is kept for
// comparison.
//
// Both end like umap-learn: coordinates scaled to max |x| = 10, Gaussian noise of sd 1e-4 (it also
// pulls duplicate points apart, so the SGD sees nonzero distances), then each axis stretched to
// [0, 10].

import type { Rng } from '../numeric/random';
import { jacobiEigen } from '../numeric/eigen';

/**
 * Top-2 principal axes by block power iteration (4 vectors, 2 of them for faster convergence) on
 * at most `maxRows` sampled rows, Rayleigh-Ritz at the end; then every row projected. O(maxRows d)
 * per iteration, O(n d) for the projection. `x` must be centred (prepareRows does that for euclidean;
 * for cosine rows the mean is removed here).
 */
export function pcaInit(x: Float32Array, n: number, d: number, rng: Rng, maxRows = 4096, iterations = 24): Float64Array {
  const out = new Float64Array(n * 2);
  if (n === 0) return out;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) mean[t] += x[i * d + t];
  for (let t = 0; t < d; t++) mean[t] /= n;
  // Rows used to find the axes: all, or an evenly strided set (any fixed subset is a fair sample
  // of the covariance; striding keeps it deterministic without drawing).
  const m = Math.min(n, maxRows);
  const rows = new Int32Array(m);
  for (let r = 0; r < m; r++) rows[r] = Math.floor((r * n) / m);
  const p = Math.min(d, 4);
  const V = new Float64Array(d * p); // column c at V[t * p + c]
  for (let i = 0; i < V.length; i++) V[i] = rng.nextGaussian();
  orthonormalise(V, d, p);
  const XV = new Float64Array(m * p);
  const W = new Float64Array(d * p);
  const multiply = (): void => {
    // W = Xc^T (Xc V), Xc = centred sampled rows.
    XV.fill(0);
    for (let r = 0; r < m; r++) {
      const o = rows[r] * d;
      for (let t = 0; t < d; t++) {
        const v = x[o + t] - mean[t];
        for (let c = 0; c < p; c++) XV[r * p + c] += v * V[t * p + c];
      }
    }
    W.fill(0);
    for (let r = 0; r < m; r++) {
      const o = rows[r] * d;
      for (let t = 0; t < d; t++) {
        const v = x[o + t] - mean[t];
        for (let c = 0; c < p; c++) W[t * p + c] += v * XV[r * p + c];
      }
    }
  };
  let rank = p;
  for (let it = 0; it < iterations; it++) {
    multiply();
    V.set(W);
    rank = orthonormalise(V, d, p);
    if (rank === 0) break;
  }
  // Rayleigh-Ritz: the p x p matrix V^T C V, its eigenvectors rotate V onto the principal axes.
  multiply();
  const H = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    for (let b = 0; b < p; b++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += V[t * p + a] * W[t * p + b];
      H[a * p + b] = s;
    }
  }
  const { values, vectors } = jacobiEigen(H, p);
  const order = Array.from({ length: p }, (_, i) => i).sort((i, j) => values[j] - values[i]);
  const top = values[order[0]] ?? 0;
  const axes = new Float64Array(d * 2);
  const usable = [false, false];
  for (let c = 0; c < 2 && c < p; c++) {
    const e = order[c];
    // An axis with (almost) no variance (d = 1, all points equal) is left to the noise below.
    usable[c] = rank > c && values[e] > 1e-12 * Math.max(top, 1e-300) && values[e] > 0;
    if (!usable[c]) continue;
    for (let t = 0; t < d; t++) {
      let s = 0;
      for (let b = 0; b < p; b++) s += V[t * p + b] * vectors[b * p + e];
      axes[t * 2 + c] = s;
    }
  }
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let s0 = 0;
    let s1 = 0;
    for (let t = 0; t < d; t++) {
      const v = x[o + t] - mean[t];
      s0 += v * axes[t * 2];
      s1 += v * axes[t * 2 + 1];
    }
    out[2 * i] = s0;
    out[2 * i + 1] = s1;
  }
  // An axis without variance gets uniform random coordinates instead: the layout needs two.
  for (let c = 0; c < 2; c++) {
    if (usable[c]) continue;
    for (let i = 0; i < n; i++) out[2 * i + c] = rng.nextFloat() * 2 - 1;
  }
  return out;
}

/** umap-learn's random init: uniform in [-10, 10]^2. */
export function randomInit(n: number, rng: Rng): Float64Array {
  const out = new Float64Array(n * 2);
  for (let i = 0; i < out.length; i++) out[i] = rng.nextFloat() * 20 - 10;
  return out;
}

/** Scale to max |x| = 10, add N(0, 1e-4) noise, stretch each axis to [0, 10] (umap-learn). */
export function finishInit(y: Float64Array, n: number, rng: Rng): void {
  let maxAbs = 0;
  for (let i = 0; i < y.length; i++) maxAbs = Math.max(maxAbs, Math.abs(y[i]));
  const expansion = maxAbs > 0 ? 10 / maxAbs : 1;
  for (let i = 0; i < y.length; i++) y[i] = y[i] * expansion + 1e-4 * rng.nextGaussian();
  for (let c = 0; c < 2; c++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = y[2 * i + c];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const range = hi - lo;
    const scale = range > 0 ? 10 / range : 0;
    for (let i = 0; i < n; i++) y[2 * i + c] = range > 0 ? (y[2 * i + c] - lo) * scale : 5;
  }
}

/** Modified Gram-Schmidt on the p columns of V (d x p, row-major); returns the rank kept. */
function orthonormalise(V: Float64Array, d: number, p: number): number {
  let rank = 0;
  for (let c = 0; c < p; c++) {
    for (let b = 0; b < c; b++) {
      let dot = 0;
      for (let t = 0; t < d; t++) dot += V[t * p + c] * V[t * p + b];
      for (let t = 0; t < d; t++) V[t * p + c] -= dot * V[t * p + b];
    }
    let norm = 0;
    for (let t = 0; t < d; t++) norm += V[t * p + c] * V[t * p + c];
    norm = Math.sqrt(norm);
    if (norm > 1e-300) {
      for (let t = 0; t < d; t++) V[t * p + c] /= norm;
      rank++;
    } else {
      for (let t = 0; t < d; t++) V[t * p + c] = 0;
    }
  }
  return rank;
}
