// The recommendation stage: per cluster the items its members are most likely to want next, from
// the cluster's behaviour and (when the GCN ran) the GCN's item and sequence vectors; per user the
// cluster's list minus what the user already has.

import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';
import { RecommendError } from './errors';
import { rankItems } from './rank';
import { clusterScores } from './scores';
import type { ClusterRecommendations, RankedItems } from './types';

export interface RecommendInput {
  table: EventTable;
  sequences: Sequences;
  labels: Int32Array;
  k: number;
  /** GCN item vectors, table.items.length x dims (row i = table item i), or null (encoder-only / no GCN). */
  itemVectors: Float32Array | null;
  /** GCN sequence vectors, sequences.count x dims, or null. */
  userVectors: Float32Array | null;
  dims: number;
}

/** Default list length per cluster: users of the sample logs own well under 100 of a cluster's top items. */
export const DEFAULT_PER_CLUSTER = 100;
export const DEFAULT_PER_USER = 20;

function checkCount(what: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new RecommendError(`The ${what} must be a whole number of at least 1, not ${v}.`);
  return v;
}

/**
 * Ranked items per cluster (scores.ts says how they are scored). Only items some sequence uses are
 * recommended; equal scores go by lower item index, so the same input gives the same lists.
 * `blend` (0..1, default DEFAULT_BLEND) is the GCN part's weight; ignored without vectors.
 */
export function recommendForClusters(input: RecommendInput, opts: { perCluster?: number; blend?: number } = {}): ClusterRecommendations {
  const perCluster = checkCount('number of items per cluster', opts.perCluster ?? DEFAULT_PER_CLUSTER);
  const cs = clusterScores(input, opts.blend);
  const n = input.table.items.length;
  const clusters: RankedItems[] = [];
  for (let c = 0; c < input.k; c++) clusters.push(rankItems(cs.scores, c * n, n, cs.candidate, perCluster));
  // Long enough that a user owning every item of its cluster's list still gets up to perCluster items.
  const popular = rankItems(cs.popularity, 0, n, cs.candidate, perCluster + cs.maxDistinct);
  return { k: input.k, method: cs.method, perCluster, clusters, blend: cs.blend, popular };
}

/**
 * The first `n` items of sequence `index`'s cluster list that the sequence has no event on. When
 * the list runs out (the user owns most of it) the rest is filled from the overall popularity
 * ranking, again without owned items or repeats; `filled` says how many, and their scores are the
 * last cluster score scaled by relative popularity so the list stays in descending order. Full
 * lists are guaranteed for n <= recs.perCluster (when the log has that many items the user lacks).
 */
export function recommendForUser(
  recs: ClusterRecommendations,
  table: EventTable,
  sequences: Sequences,
  labels: Int32Array,
  index: number,
  n = DEFAULT_PER_USER,
): RankedItems {
  checkCount('number of items per user', n);
  if (labels.length !== sequences.count) {
    throw new RecommendError(`There are ${labels.length} cluster labels for ${sequences.count} sequences; there must be one per sequence.`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= sequences.count) {
    throw new RecommendError(`There is no sequence ${index}; the log has ${sequences.count}.`);
  }
  const c = labels[index];
  if (!(c >= 0 && c < recs.k)) throw new RecommendError(`Sequence ${index} has cluster ${c}, outside the ${recs.k} clusters recommended for.`);
  const owned = new Set<number>();
  for (let e = sequences.offsets[index]; e < sequences.offsets[index + 1]; e++) owned.add(table.item[sequences.events[e]]);

  const items: number[] = [];
  const scores: number[] = [];
  const list = recs.clusters[c];
  for (let r = 0; r < list.items.length && items.length < n; r++) {
    if (owned.has(list.items[r])) continue;
    items.push(list.items[r]);
    scores.push(list.scores[r]);
  }
  let filled = 0;
  if (items.length < n) {
    const taken = new Set(items);
    const last = scores.length > 0 ? scores[scores.length - 1] : 1;
    const top = recs.popular.scores.length > 0 ? recs.popular.scores[0] : 0;
    const pop = recs.popular;
    for (let r = 0; r < pop.items.length && items.length < n; r++) {
      const i = pop.items[r];
      if (owned.has(i) || taken.has(i)) continue;
      items.push(i);
      scores.push(top > 0 ? (last * pop.scores[r]) / top : 0);
      filled++;
    }
  }
  return { items: Int32Array.from(items), scores: Float64Array.from(scores), filled };
}

export { clusterScores, DEFAULT_BLEND, PRIOR_MEMBERS, type ClusterScoreInput, type ClusterScores } from './scores';
export { behaviourCounts, type BehaviourCounts } from './behaviour';
export { RecommendError } from './errors';
export * from './types';
export {
  fitPerUser,
  PerUserLists,
  recommendForSequences,
  recommendForSequencesOnThreads,
  SIGNALS,
  type ListsOfUser,
  type PerUserOptions,
  type PerUserRecommender,
  type SequenceRecommender,
  type Signal,
} from './perUser';
