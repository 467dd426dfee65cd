import { rowSquaredDistance } from '../numeric/distance';
import { ClusteringInputError, type Matrix } from './types';
import { checkMatrix } from './validate';

/**
 * Trustworthiness of an embedding (Venna & Kaski), as scikit-learn's
 * sklearn.manifold.trustworthiness with euclidean distances: how far, in the original space's
 * neighbour ranking, the k nearest neighbours in the embedding lie beyond the original k nearest.
 * 1 = every embedded neighbour is a true neighbour. Distance ties rank by point index.
 * O(n^2 (d + k)) time, O(n) extra memory.
 */
export function trustworthiness(original: Matrix, embedded: Matrix, n: number, d: number, dEmbedded: number, k = 5, maxPoints = 20_000): number {
  if (n > maxPoints) {
    throw new ClusteringInputError(
      `Trustworthiness of ${n} points would take very long (its cost grows with the square of the ` +
        `number of points); compute it on a sample of at most ${maxPoints} points`,
    );
  }
  checkMatrix(original, n, d, 'original data');
  checkMatrix(embedded, n, dEmbedded, 'embedding');
  if (!Number.isInteger(k) || k < 1 || k >= n / 2) {
    throw new ClusteringInputError(`Trustworthiness needs a whole number of neighbours k with 1 <= k < n/2 = ${n / 2}, got ${k}`);
  }
  const distOrig = new Float64Array(n);
  const distEmb = new Float64Array(n);
  const neighbours = new Int32Array(k);
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    squaredRow(original, n, d, i, distOrig);
    squaredRow(embedded, n, dEmbedded, i, distEmb);
    kNearest(distEmb, i, k, neighbours);
    for (let t = 0; t < k; t++) {
      const j = neighbours[t];
      // Rank of j among i's neighbours in the original space (1 = nearest).
      const dj = distOrig[j];
      let rank = 1;
      for (let m = 0; m < n; m++) {
        if (m === i || m === j) continue;
        const dm = distOrig[m];
        if (dm < dj || (dm === dj && m < j)) rank++;
      }
      if (rank > k) penalty += rank - k;
    }
  }
  return 1 - penalty * (2 / (n * k * (2 * n - 3 * k - 1)));
}

function squaredRow(data: Matrix, n: number, d: number, i: number, out: Float64Array): void {
  const oi = i * d;
  for (let m = 0; m < n; m++) {
    const om = m * d;
    out[m] = rowSquaredDistance(data, oi, om, d);
  }
}

/** Indices of the k smallest entries of dist other than `self`, ties to the lower index. */
function kNearest(dist: Float64Array, self: number, k: number, out: Int32Array): void {
  let filled = 0;
  for (let m = 0; m < dist.length; m++) {
    if (m === self) continue;
    const v = dist[m];
    if (filled === k && !(v < dist[out[k - 1]])) continue;
    let p = filled < k ? filled++ : k - 1;
    while (p > 0 && v < dist[out[p - 1]]) {
      out[p] = out[p - 1];
      p--;
    }
    out[p] = m;
  }
}
