// What the trained behaviour BERT says about items, beyond one vector per sequence:
//   - itemRows: every item's input embedding (its text vector through the learned projection plus
//     the learned correction), hidden wide: the graph network's item features next to the BERT's
//     sequence vectors, in the same space as the masked-item head's scores;
//   - scoreNextItems: "what comes next" for a sequence, the way the model was trained to answer
//     it: a [MASK] event appended after the sequence's last event, scored by the masked-item head
//     against every item row (the training loss's logits, no bias).
// Both with the int8 model by default (dequantized weights), as embedSequences.

import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './backend';
import { buildBatch, RowMap } from './batch';
import { batchTensors, catalogueRows } from './batchTensors';
import { SeqBertError } from './errors';
import { encode, ITEM_MASK, ITEM_SPECIALS, itemHead, itemTable, toParamMap, typeMask, type ParamMap } from './model';
import { dequantizeWeights } from './quantize';
import { buildTokens, GAP_2_4_DAYS, GAP_HOURS, GAP_MINUTE, GAP_SESSION, GAP_UNKNOWN, SESSION_POS_MAX, type SeqTokens } from './tokens';
import type { EmbedOptions, SeqBertInput, SeqBertModel } from './types';

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export interface RankOptions extends Pick<EmbedOptions, 'quantized' | 'backend' | 'wasmPaths'> {
  /** Sequences per forward batch. */
  batchSize?: number;
  signal?: AbortSignal;
  /** Gap bucket of the appended [MASK] (tokens.ts GAP_*); default: the sequence's usual gap between visits. */
  maskGap?: number;
}

/** The model's vocabulary must be this table's: scores are per table item. */
function checkSameVocab(model: SeqBertModel, input: SeqBertInput): void {
  const v = model.vocab;
  const { table } = input;
  const same =
    v.itemIds.length === table.items.length &&
    v.itemIds.every((id, i) => id === table.items[i]) &&
    v.typeNames.length === table.typeNames.length &&
    v.typeNames.every((n, i) => n === table.typeNames[i]);
  if (!same) throw new SeqBertError('This model was trained on another log: its items and event types must be those of the log it ranks for.', 'bad-input');
  if (input.itemDims !== v.itemDims)
    throw new SeqBertError(`The model was trained on item vectors of ${v.itemDims} numbers; these have ${input.itemDims}.`, 'bad-input');
}

async function params(model: SeqBertModel, opts: RankOptions): Promise<ParamMap> {
  if (!tf.getBackend()) await initBackend(opts.backend ?? 'auto', opts.wasmPaths ?? null);
  return toParamMap((opts.quantized ?? true) ? dequantizeWeights(model) : model.weights);
}

/** (items, hidden) item input embeddings, with the specials' rows left out. */
function fullItemTable(p: ParamMap, input: SeqBertInput): tf.Tensor2D {
  const items = input.table.items.length;
  return tf.tidy(() => {
    const all = tf.tensor1d(
      Int32Array.from({ length: items }, (_, i) => i),
      'int32',
    );
    const text = input.itemDims > 0 ? tf.tensor2d(input.itemVectors, [items, input.itemDims]) : null;
    return itemTable(p, text, all);
  });
}

/** table.items x hidden: each item's input embedding (text projection plus learned correction). */
export async function itemRows(model: SeqBertModel, input: SeqBertInput, opts: RankOptions = {}): Promise<Float32Array> {
  checkSameVocab(model, input);
  const p = await params(model, opts);
  try {
    const table = fullItemTable(p, input);
    const rows = tf.slice(table, [ITEM_SPECIALS, 0], [input.table.items.length, model.architecture.hidden]);
    const data = (await rows.data()) as Float32Array;
    tf.dispose([table, rows]);
    return data;
  } finally {
    tf.dispose(Object.values(p));
  }
}

/**
 * The gap bucket of the appended [MASK]: the next basket starts a new visit, so the sequence's
 * most frequent gap between visits (hours or more), else days; unknown when the log has no times.
 */
function nextGap(tok: SeqTokens, s: number): number {
  const counts = new Int32Array(GAP_UNKNOWN + 1);
  for (let t = tok.offsets[s]; t < tok.offsets[s + 1]; t++) counts[tok.gap[t]]++;
  if (counts[GAP_UNKNOWN] > 0) return GAP_UNKNOWN;
  let best = GAP_2_4_DAYS;
  for (let g = GAP_HOURS; g < GAP_UNKNOWN; g++) if (counts[g] > counts[best]) best = g;
  return best;
}

/** The sequences' last maxLen - 1 events, each followed by one placeholder event for the [MASK]. */
function withMaskSlot(input: SeqBertInput, maxLen: number, types: number, maskGap?: number): SeqTokens {
  const base = buildTokens(input.table, input.sequences, Math.max(1, maxLen - 1));
  const n = base.count;
  const offsets = new Int32Array(n + 1);
  const total = base.item.length + n;
  const item = new Int32Array(total);
  const type = new Uint8Array(total);
  const gap = new Uint8Array(total);
  // The [MASK]'s recency stays GAP_PAD, as for masked tokens in training.
  const recency = new Uint8Array(total);
  const sessionPos = new Uint8Array(total);
  for (let s = 0; s < n; s++) {
    const lo = base.offsets[s];
    const hi = base.offsets[s + 1];
    const o = lo + s;
    item.set(base.item.subarray(lo, hi), o);
    type.set(base.type.subarray(lo, hi), o);
    gap.set(base.gap.subarray(lo, hi), o);
    if (base.recency) recency.set(base.recency.subarray(lo, hi), o);
    if (base.sessionPos) sessionPos.set(base.sessionPos.subarray(lo, hi), o);
    const at = o + (hi - lo);
    // Item 0 only holds the place: its row is replaced by the mask token's below.
    item[at] = 0;
    type[at] = typeMask(types);
    gap[at] = maskGap ?? nextGap(base, s);
    // The next basket starts a visit unless its gap is within one.
    sessionPos[at] = gap[at] === GAP_MINUTE || gap[at] === GAP_SESSION ? Math.min(SESSION_POS_MAX, (hi > lo ? (base.sessionPos?.[hi - 1] ?? 0) : 0) + 1) : 1;
    offsets[s + 1] = at + 1;
  }
  return { count: n, maxLen, offsets, item, type, gap, recency, sessionPos };
}

/**
 * Scores every table item as the event after each of `seqs` (indices into input.sequences):
 * calls `onScores(k, scores)` for seqs[k] in order, `scores` (table.items long) valid only during
 * the call. Higher is likelier; the caller leaves out what it must not recommend.
 */
export async function scoreNextItems(
  model: SeqBertModel,
  input: SeqBertInput,
  seqs: Int32Array,
  onScores: (k: number, scores: Float32Array) => void,
  opts: RankOptions = {},
): Promise<void> {
  checkSameVocab(model, input);
  const arch = model.architecture;
  const h = arch.hidden;
  const items = input.table.items.length;
  const types = input.table.typeNames.length;
  const tok = withMaskSlot(input, arch.maxLen, types, opts.maskGap);
  // 64 like embedSequences: larger forward batches grow the wasm heap (see embed.ts).
  const batchSize = opts.batchSize ?? 64;
  const p = await params(model, opts);
  const rows = new RowMap(items);
  let table: tf.Tensor2D | null = null;
  let candT: tf.Tensor2D | null = null;
  try {
    table = fullItemTable(p, input);
    // Transposed once: wasm multiplies untransposed operands fast (see model.ts linear()).
    candT = tf.tidy(() => tf.transpose(tf.slice(table!, [ITEM_SPECIALS, 0], [items, h])) as tf.Tensor2D);
    let lastYield = performance.now();
    for (let at = 0; at < seqs.length; at += batchSize) {
      if (opts.signal?.aborted) throw new SeqBertError('Ranking with the behaviour BERT was cancelled.', 'cancelled');
      const part = seqs.subarray(at, Math.min(seqs.length, at + batchSize));
      const hb = buildBatch(
        tok,
        Array.from(part, (seq) => ({ seq, from: 0, len: tok.offsets[seq + 1] - tok.offsets[seq] })),
        types,
        items,
        rows,
        null,
      );
      // Batch rows to the full table's rows; each sequence's last event column (T - 2, before CLS) is its [MASK].
      const global = catalogueRows(hb);
      const maskedAt = new Int32Array(hb.B);
      for (let b = 0; b < hb.B; b++) {
        maskedAt[b] = b * hb.T + hb.T - 2;
        global[maskedAt[b]] = ITEM_MASK;
      }
      const scores = tf.tidy(() => {
        const batch = batchTensors(hb, global);
        const states = encode(p, arch, table!, batch, 0);
        const q = itemHead(p, tf.gather(states, tf.tensor1d(maskedAt, 'int32')));
        return tf.matMul(q, candT!);
      });
      const data = (await scores.data()) as Float32Array;
      scores.dispose();
      for (let b = 0; b < part.length; b++) onScores(at + b, data.subarray(b * items, (b + 1) * items));
      if (performance.now() - lastYield > 50) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
  } finally {
    tf.dispose([table, candT].filter((t): t is tf.Tensor2D => t !== null));
    tf.dispose(Object.values(p));
  }
}
