// The offline evaluation (eval/) when the behaviour BERT is the encoder: the same leave-last-out
// split and ranking protocol, with a BERT trained on the training part only (the held-out baskets
// must not be seen), its int8 embeddings and item rows as the graph network's features (as in the
// pipeline), and a fourth method: the BERT's masked-item head ranking "the event after the
// sequence" (seqbert/rank.ts). Popularity and the text encoder are scored as evaluate() does.

import {
  encoderUserVectors,
  prepareEvaluation,
  protocolText,
  rankingMetrics,
  dotScorer,
  type EvalContext,
  type EvalReport,
  type EvaluateOptions,
  type MethodScores,
} from '../eval';
import { itemVectorsByItem, runGcn, type GcnReport, type ItemTextVectors, type RunGcnOptions, type TrainHooks } from '../gcn';
import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';
import type { SeqBertModel, SeqBertOptions, SeqBertProgress, SeqBertReport } from '../seqbert';

export interface SeqBertMethodScores extends MethodScores {
  seqbert: number;
}

export interface SeqBertEvalReport extends EvalReport {
  recall20: SeqBertMethodScores;
  ndcg20: SeqBertMethodScores;
}

export interface SeqBertEvalResult {
  report: SeqBertEvalReport;
  gcn: GcnReport;
  /** The BERT trained on the training part. */
  seqbert: SeqBertReport;
}

export interface SeqBertEvalOptions {
  gcn?: RunGcnOptions;
  encoder?: EvaluateOptions['encoder'];
  seqbert?: Partial<SeqBertOptions>;
  hooks?: TrainHooks;
  onSeqBert?: (p: SeqBertProgress) => void;
  signal?: AbortSignal;
}

/** Scores held per chunk of test users: at most about 16M numbers (64 MB) whatever the catalogue. */
const SCORE_BUDGET = 1 << 24;

/** Mean Recall@k and NDCG@k of the masked-item head, with rankingMetrics' exclusions, chunk by chunk. */
export async function maskedHeadMetrics(
  ctx: EvalContext,
  model: SeqBertModel,
  input: { table: EventTable; sequences: Sequences; itemVectors: Float32Array; itemDims: number },
  signal?: AbortSignal,
  /** Test users scored per chunk (default: as many as SCORE_BUDGET allows). */
  chunkSize?: number,
): Promise<{ recall: number; ndcg: number }> {
  const { scoreNextItems } = await import('../seqbert/rank');
  const { split } = ctx;
  const items = ctx.table.items.length;
  const tests = split.testSeq.length;
  const chunk = chunkSize ?? Math.max(64, Math.floor(SCORE_BUDGET / Math.max(1, items)));
  const buffer = new Float32Array(Math.min(chunk, tests) * items);
  let recall = 0;
  let ndcg = 0;
  for (let a = 0; a < tests; a += chunk) {
    const b = Math.min(tests, a + chunk);
    const seqs = split.testSeq.subarray(a, b);
    await scoreNextItems(model, input, seqs, (k, scores) => buffer.set(scores, k * items), { signal });
    const row = new Map<number, number>();
    seqs.forEach((s, k) => row.set(s, k));
    // The same protocol on this chunk of test users (their held-out items rebased).
    const relPtr = Int32Array.from(split.relPtr.subarray(a, b + 1), (x) => x - split.relPtr[a]);
    const sub: EvalContext = { ...ctx, split: { ...split, testSeq: seqs, relPtr, relItems: split.relItems.subarray(split.relPtr[a], split.relPtr[b]) } };
    const m = rankingMetrics(sub, (s, out) => {
      const k = row.get(s)!;
      for (let i = 0; i < items; i++) out[i] = buffer[k * items + i];
    });
    recall += m.recall * (b - a);
    ndcg += m.ndcg * (b - a);
  }
  return tests > 0 ? { recall: recall / tests, ndcg: ndcg / tests } : { recall: 0, ndcg: 0 };
}

/**
 * Splits, trains the BERT and then the GCN (from the BERT's vectors) on the training part, and
 * scores popularity, the text encoder, the GCN and the BERT's masked-item head. `itemTexts`: the
 * text encoder's item vectors over the whole log (catalogue data, not behaviour: not held out).
 */
export async function evaluateWithSeqBert(
  table: EventTable,
  sequences: Sequences,
  itemTexts: ItemTextVectors,
  opts: SeqBertEvalOptions = {},
): Promise<SeqBertEvalResult> {
  const { trainSeqBert, embedSequences } = await import('../seqbert');
  const { itemRows } = await import('../seqbert/rank');
  const ctx = prepareEvaluation(table, sequences);
  const n = table.items.length;
  const textUsers = encoderUserVectors(ctx, itemTexts, opts.encoder);
  const textItems = itemVectorsByItem(itemTexts);
  const input = { table, sequences: ctx.split.train, itemVectors: textItems, itemDims: itemTexts.dims };
  const model = await trainSeqBert(input, opts.seqbert ?? {}, { signal: opts.signal, onProgress: opts.onSeqBert });
  const users = (await embedSequences(model, input, { quantized: true, whiten: false })).vectors;
  const items = await itemRows(model, input, { quantized: true });
  const hidden = model.architecture.hidden;
  const gcn = await runGcn(table, ctx.split.train, { dims: hidden, users, items }, opts.gcn, opts.hooks);

  const pop = rankingMetrics(ctx, (_s, out) => out.set(ctx.popularity));
  const enc = rankingMetrics(ctx, dotScorer(textUsers, textItems, itemTexts.dims, n));
  const g = rankingMetrics(ctx, dotScorer(gcn.userVectors, gcn.itemVectors, gcn.dims, n));
  const bert = await maskedHeadMetrics(ctx, model, input, opts.signal);
  return {
    report: {
      protocol: protocolText(ctx.split.protocol),
      users: ctx.split.testSeq.length,
      recall20: { popularity: pop.recall, encoder: enc.recall, gcn: g.recall, seqbert: bert.recall },
      ndcg20: { popularity: pop.ndcg, encoder: enc.ndcg, gcn: g.ndcg, seqbert: bert.ndcg },
    },
    gcn: gcn.report,
    seqbert: model.report,
  };
}
