// Every item's score for every cluster: a blend of what the cluster's members did (behaviour) and
// how close the item's GCN vector is to the members' (GCN affinity). Both parts are min-max scaled
// to [0, 1] over the candidate items of each cluster before blending, so `blend` means the same on
// every data set whatever the scale of the counts or of the dot products.

import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';
import { behaviourCounts } from './behaviour';
import { RecommendError } from './errors';

export interface ClusterScoreInput {
  table: EventTable;
  sequences: Sequences;
  labels: Int32Array;
  k: number;
  itemVectors: Float32Array | null;
  userVectors: Float32Array | null;
  dims: number;
}

export interface ClusterScores {
  /** k x n, row-major; 0 for items no sequence uses (they are not candidates). */
  scores: Float64Array;
  method: 'gcn+behaviour' | 'behaviour';
  blend: number;
  /** Per item: weighted distinct users over all sequences (the popularity ranking). */
  popularity: Float64Array;
  candidate: Uint8Array;
  maxDistinct: number;
}

/**
 * Weight of the GCN part. Chosen on validation splits made from the training part only (each
 * user's second-to-last session; `npx tsx bench/quality.ts`, "Cluster recommendations" in
 * docs/benchmarks.md), never on the test sessions: of 0, 0.1, ..., 1, 0.7 had the highest mean
 * validation Recall@20 relative to each data set's best (0.996, over UCI and two generated logs,
 * two encoders each). The curve is flat: 0.4 to 0.9 all scored 0.990 or more, behaviour only 0.982.
 */
export const DEFAULT_BLEND = 0.7;

/**
 * Pseudo-members of the smoothing prior: a cluster's behaviour share of an item is shrunk towards
 * the item's share among everybody as if PRIOR_MEMBERS average users had joined the cluster. It
 * only matters for tiny clusters, whose few members' items would otherwise all tie at the top.
 */
export const PRIOR_MEMBERS = 5;

export function checkInput(input: ClusterScoreInput): void {
  const { table, sequences, labels, k, itemVectors, userVectors, dims } = input;
  if (!Number.isInteger(k) || k < 1) throw new RecommendError(`The number of clusters must be a whole number of at least 1, not ${k}.`);
  if (labels.length !== sequences.count) {
    throw new RecommendError(`There are ${labels.length} cluster labels for ${sequences.count} sequences; there must be one per sequence.`);
  }
  for (let s = 0; s < labels.length; s++) {
    if (!(labels[s] >= 0 && labels[s] < k)) throw new RecommendError(`Sequence ${s} has cluster ${labels[s]}, outside 0..${k - 1}.`);
  }
  if ((itemVectors === null) !== (userVectors === null)) {
    throw new RecommendError('GCN item and sequence vectors must be given together (or neither, for behaviour only).');
  }
  if (itemVectors && userVectors) {
    if (!Number.isInteger(dims) || dims < 1) throw new RecommendError(`The vector size must be a whole number of at least 1, not ${dims}.`);
    if (itemVectors.length !== table.items.length * dims) {
      throw new RecommendError(
        `The GCN item vectors hold ${itemVectors.length} numbers; ${table.items.length} items x ${dims} dims need ${table.items.length * dims}.`,
      );
    }
    if (userVectors.length !== sequences.count * dims) {
      throw new RecommendError(
        `The GCN sequence vectors hold ${userVectors.length} numbers; ${sequences.count} sequences x ${dims} dims need ${sequences.count * dims}.`,
      );
    }
    for (const v of [itemVectors, userVectors]) {
      for (let j = 0; j < v.length; j++) if (!Number.isFinite(v[j])) throw new RecommendError('The GCN vectors contain a value that is not a finite number.');
    }
  }
}

export function checkBlend(blend: number): number {
  if (!(blend >= 0 && blend <= 1)) throw new RecommendError(`The GCN blend weight must be between 0 and 1, not ${blend}.`);
  return blend;
}

/** Min-max scales row[i] over the candidates to [0, 1] in place (all 0 when they are all equal). */
function scaleRow(row: Float64Array, candidate: Uint8Array): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < row.length; i++) {
    if (!candidate[i]) continue;
    if (row[i] < lo) lo = row[i];
    if (row[i] > hi) hi = row[i];
  }
  const span = hi - lo;
  for (let i = 0; i < row.length; i++) row[i] = candidate[i] && span > 0 ? (row[i] - lo) / span : 0;
}

export function clusterScores(input: ClusterScoreInput, blendOpt?: number): ClusterScores {
  checkInput(input);
  const { table, sequences, labels, k, itemVectors, userVectors, dims } = input;
  const n = table.items.length;
  const gcn = itemVectors !== null && userVectors !== null;
  const blend = gcn ? checkBlend(blendOpt ?? DEFAULT_BLEND) : 0;
  const b = behaviourCounts(table, sequences, labels, k);
  const S = Math.max(1, sequences.count);

  const scores = b.byCluster; // reused in place: behaviour part first
  for (let c = 0; c < k; c++) {
    const row = scores.subarray(c * n, (c + 1) * n);
    const denom = b.sizes[c] + PRIOR_MEMBERS;
    for (let i = 0; i < n; i++) row[i] = (row[i] + (PRIOR_MEMBERS * b.overall[i]) / S) / denom;
    scaleRow(row, b.candidate);
  }

  if (gcn && blend > 0) {
    // The mean of the members' dot scores is the dot with the members' mean vector (linear), so
    // one centroid per cluster: k x n x dims work instead of members x n x dims.
    const centroid = new Float64Array(k * dims);
    for (let s = 0; s < sequences.count; s++) {
      const c = labels[s] * dims;
      const u = s * dims;
      for (let j = 0; j < dims; j++) centroid[c + j] += userVectors[u + j];
    }
    const affinity = new Float64Array(n);
    for (let c = 0; c < k; c++) {
      const size = b.sizes[c];
      const row = scores.subarray(c * n, (c + 1) * n);
      if (size === 0) continue; // no members, no affinity: behaviour (= the prior) alone
      const base = c * dims;
      for (let j = 0; j < dims; j++) centroid[base + j] /= size;
      for (let i = 0; i < n; i++) {
        if (!b.candidate[i]) {
          affinity[i] = 0;
          continue;
        }
        const v = i * dims;
        let d = 0;
        for (let j = 0; j < dims; j++) d += centroid[base + j] * itemVectors[v + j];
        affinity[i] = d;
      }
      scaleRow(affinity, b.candidate);
      for (let i = 0; i < n; i++) row[i] = (1 - blend) * row[i] + blend * affinity[i];
    }
  }
  return { scores, method: gcn ? 'gcn+behaviour' : 'behaviour', blend, popularity: b.overall, candidate: b.candidate, maxDistinct: b.maxDistinct };
}
