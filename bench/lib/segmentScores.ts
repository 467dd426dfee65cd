// Scores of a set of sequence vectors against planted segments: k-means with K = the planted
// segments (the project's k-means), ARI overall, ARI on the order-only pair (the pair's users as
// labelled by the overall clustering, and k-means with K = 2 on the pair's users alone), and the
// contingency table that says which segments are confused.

import { adjustedRandIndex, kmeans } from '../../src/pipeline/cluster';

export interface SegmentScores {
  /** ARI of k-means (K = segments) against the planted segments. */
  ari: number;
  /** The same clustering's ARI on the order-only pair's users only. */
  pairInOverall: number;
  /** ARI of k-means with K = 2 run on the pair's users alone. */
  pairAlone: number;
  /** Cluster of each sequence (for ARI between two clusterings). */
  labels: Int32Array;
  /** planted x cluster counts. */
  contingency: number[][];
  kmeansMs: number;
}

const RESTARTS = 10;

export function clusterLabels(vectors: Float32Array, n: number, d: number, k: number, restarts = RESTARTS): Int32Array {
  return kmeans(vectors, n, d, { k, restarts, seed: 0 }).labels;
}

/** Rows `rows` of an n x d matrix, as a new matrix. */
function pickRows(x: Float32Array, d: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * d);
  rows.forEach((r, i) => out.set(x.subarray(r * d, (r + 1) * d), i * d));
  return out;
}

/** `restarts`: k-means++ starts (10 by default; the app's sweep runs 3 seeds x behaviourRestarts on the behaviour vectors). */
export function scoreSegments(
  vectors: Float32Array,
  d: number,
  planted: Int32Array,
  segments: number,
  pair: readonly [number, number] | null,
  restarts = RESTARTS,
): SegmentScores {
  const n = planted.length;
  const t0 = performance.now();
  const labels = clusterLabels(vectors, n, d, segments, restarts);
  const contingency = Array.from({ length: segments }, () => new Array<number>(segments).fill(0));
  for (let s = 0; s < n; s++) contingency[planted[s]][labels[s]]++;
  let pairInOverall = NaN;
  let pairAlone = NaN;
  if (pair) {
    const rows: number[] = [];
    for (let s = 0; s < n; s++) if (planted[s] === pair[0] || planted[s] === pair[1]) rows.push(s);
    const truth = Int32Array.from(rows, (s) => planted[s]);
    pairInOverall = adjustedRandIndex(
      truth,
      Int32Array.from(rows, (s) => labels[s]),
    );
    pairAlone = adjustedRandIndex(truth, clusterLabels(pickRows(vectors, d, rows), rows.length, d, 2));
  }
  return { ari: adjustedRandIndex(planted, labels), pairInOverall, pairAlone, labels, contingency, kmeansMs: performance.now() - t0 };
}

/**
 * The contingency table as text: one line per planted segment with the share of its users in
 * each cluster, so a reader sees at once which segments share a cluster.
 */
export function describeConfusion(scores: SegmentScores, names: readonly string[]): string {
  const lines: string[] = [];
  scores.contingency.forEach((row, p) => {
    const total = row.reduce((a, b) => a + b, 0);
    const cells = row.map((c, k) => `c${k} ${Math.round((100 * c) / Math.max(1, total))}%`).join('  ');
    lines.push(`  ${names[p].padEnd(20)} ${cells}`);
  });
  return lines.join('\n');
}

/** Planted segments the clustering mixes up: pairs whose users share a cluster most (at least `min` of either). */
export function confusedPairs(scores: SegmentScores, names: readonly string[], min = 0.2): string[] {
  const c = scores.contingency;
  const share = c.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => v / Math.max(1, total));
  });
  const out: string[] = [];
  for (let a = 0; a < c.length; a++) {
    for (let b = a + 1; b < c.length; b++) {
      let overlap = 0;
      for (let k = 0; k < c[a].length; k++) overlap += Math.min(share[a][k], share[b][k]);
      if (overlap >= min) out.push(`${names[a]} / ${names[b]} (${Math.round(100 * overlap)}% overlap)`);
    }
  }
  return out;
}
