// Offline evaluation of the recommenders on the loaded log: leave-last-out split, then for every
// tested user all candidate items it has not touched in training are ranked, and Recall@20 and
// NDCG@20 are averaged over users, for popularity, the encoder's vectors and the GCN's vectors.

import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';
import { sequenceVectors } from '../encode/sequenceVectors';
import { DEFAULT_HALF_LIFE_DAYS, type EventWeights } from '../encode/weights';
import { itemVectorsByItem, type ItemTextVectors } from '../gcn/features';
import { runGcn, type GcnReport, type RunGcnOptions } from '../gcn/run';
import type { TrainHooks } from '../gcn/train';
import { ndcgAtK, recallAtK } from './metrics';
import { dotScores, topK } from './rank';
import { leaveLastOut, type LeaveLastOutSplit } from './split';
import type { RecommendationEval } from './recommendations';

export const EVAL_K = 20;

export interface MethodScores {
  popularity: number;
  encoder: number;
  gcn: number;
  /** The per-user recommendations' `new` lists, under the recommendation protocol (recommendations.ts). */
  recommended?: number;
}

/** The `eval` key of the analysis report. */
export interface EvalReport {
  protocol: string;
  /** Users tested (with training events and at least one new held-out item). */
  users: number;
  recall20: MethodScores;
  ndcg20: MethodScores;
  /** The per-user recommendations under the recommendation protocol (CLI --eval). */
  recommendations?: RecommendationEval;
}

export interface EvalResult {
  report: EvalReport;
  /** The GCN trained on the training part only. */
  gcn: GcnReport;
  skipped: LeaveLastOutSplit['skipped'];
}

/** A split with what ranking needs; build once, score any number of vector sets against it. */
export interface EvalContext {
  table: EventTable;
  split: LeaveLastOutSplit;
  /** Items any input sequence uses: the catalogue that is ranked. */
  candidate: Uint8Array;
  /** Per item: distinct training users; the popularity baseline. */
  popularity: Float64Array;
}

export interface EvaluateOptions {
  gcn?: RunGcnOptions;
  /** How the encoder pools item vectors into user vectors (as EncodeOptions). */
  encoder?: { weights?: Partial<EventWeights>; halfLifeDays?: number };
  hooks?: TrainHooks;
}

export function prepareEvaluation(table: EventTable, sequences: Sequences): EvalContext {
  const split = leaveLastOut(table, sequences);
  const n = table.items.length;
  const candidate = new Uint8Array(n);
  for (let k = 0; k < sequences.events.length; k++) candidate[table.item[sequences.events[k]]] = 1;
  const popularity = new Float64Array(n);
  const stamp = new Int32Array(n).fill(-1);
  const { train } = split;
  for (let s = 0; s < train.count; s++) {
    for (let k = train.offsets[s]; k < train.offsets[s + 1]; k++) {
      const item = table.item[train.events[k]];
      if (stamp[item] === s) continue;
      stamp[item] = s;
      popularity[item]++;
    }
  }
  return { table, split, candidate, popularity };
}

/** Scores of all items for training sequence `s`, into `out` (length table.items.length). */
export type Scorer = (s: number, out: Float64Array) => void;

export function dotScorer(users: Float32Array, items: Float32Array, dims: number, itemCount: number): Scorer {
  return (s, out) => dotScores(users, s, items, itemCount, dims, out);
}

/** Mean Recall@k and NDCG@k of one scorer over the test users. */
export function rankingMetrics(ctx: EvalContext, scorer: Scorer, k = EVAL_K): { recall: number; ndcg: number } {
  const { table, split, candidate } = ctx;
  const n = table.items.length;
  const scores = new Float64Array(n);
  const exclude = new Uint8Array(n);
  const ranked = new Int32Array(k);
  const tests = split.testSeq.length;
  let recall = 0;
  let ndcg = 0;
  for (let t = 0; t < tests; t++) {
    const s = split.testSeq[t];
    for (let i = 0; i < n; i++) exclude[i] = candidate[i] ^ 1;
    const { offsets, events } = split.train;
    for (let e = offsets[s]; e < offsets[s + 1]; e++) exclude[table.item[events[e]]] = 1;
    scorer(s, scores);
    const got = topK(scores, n, k, exclude, ranked);
    const rel = split.relItems.subarray(split.relPtr[t], split.relPtr[t + 1]);
    recall += recallAtK(ranked.subarray(0, got), rel, k);
    ndcg += ndcgAtK(ranked.subarray(0, got), rel, k);
  }
  return tests > 0 ? { recall: recall / tests, ndcg: ndcg / tests } : { recall: 0, ndcg: 0 };
}

/** Encoder user vectors for the training sequences (the encoder's own pooling of item vectors). */
export function encoderUserVectors(ctx: EvalContext, itemTexts: ItemTextVectors, opts: EvaluateOptions['encoder'] = {}): Float32Array {
  return sequenceVectors(ctx.table, ctx.split.train, itemTexts.textOf, itemTexts.vectors, itemTexts.dims, {
    weights: opts.weights,
    halfLifeDays: opts.halfLifeDays ?? DEFAULT_HALF_LIFE_DAYS,
  }).vectors;
}

/**
 * Splits, trains the GCN on the training part (starting from the encoder's vectors), and scores
 * the three methods. `itemTexts` are the encoder's item text vectors over the whole log
 * (embedItemTexts): item texts are catalogue data, not behaviour, so they are not held out.
 */
export async function evaluate(table: EventTable, sequences: Sequences, itemTexts: ItemTextVectors, opts: EvaluateOptions = {}): Promise<EvalResult> {
  const ctx = prepareEvaluation(table, sequences);
  const n = table.items.length;
  const users = encoderUserVectors(ctx, itemTexts, opts.encoder);
  const items = itemVectorsByItem(itemTexts);
  const gcn = await runGcn(table, ctx.split.train, { dims: itemTexts.dims, users, items }, opts.gcn, opts.hooks);

  const pop = rankingMetrics(ctx, (_s, out) => out.set(ctx.popularity));
  const enc = rankingMetrics(ctx, dotScorer(users, items, itemTexts.dims, n));
  const g = rankingMetrics(ctx, dotScorer(gcn.userVectors, gcn.itemVectors, gcn.dims, n));
  return {
    report: {
      protocol: protocolText(ctx.split.protocol),
      users: ctx.split.testSeq.length,
      recall20: { popularity: pop.recall, encoder: enc.recall, gcn: g.recall },
      ndcg20: { popularity: pop.ndcg, encoder: enc.ndcg, gcn: g.ndcg },
    },
    gcn: gcn.report,
    skipped: ctx.split.skipped,
  };
}

export function protocolText(p: LeaveLastOutSplit['protocol']): string {
  const basket = p === 'last-session' ? "each user's last session" : "each user's last event";
  return `leave-last-out: ${basket} held out; all items not seen in training ranked; hits = new items of the held-out part`;
}
