// What the behaviour BERT learned, in numbers a person can read. On the held-out sequences, with
// one fixed masking (the same every time it is measured), every masked event is fully hidden (the
// mask token for its item and its kind; its time gap and visit position kept, as in training's 80%
// case; never the unchanged or random-item 10% cases, which would show the answer or a decoy):
//   - type accuracy: how often the type head's best guess is the hidden event's kind, beside always
//     guessing the commonest kind among those hidden events;
//   - hit@10: how often the hidden product is among the item head's 10 best-scored items of the
//     whole catalogue, beside always guessing the 10 most frequent items of the training sequences.
// Forward only, batch by batch, the catalogue scored in chunks of masked events, so memory stays
// bounded at any catalogue size.

import * as tf from '@tensorflow/tfjs-core';
import { Random } from '../numeric/sfc32';
import { buildBatch, RowMap } from './batch';
import { batchTensors, catalogueRows } from './batchTensors';
import { seqBertCancelled } from './errors';
import { encode, ITEM_MASK, ITEM_SPECIALS, itemHead, itemTable, typeHead, typeMask, type ParamMap } from './model';
import type { SeqBertArchitecture } from './options';
import { tokenCount, type SeqTokens } from './tokens';
import type { HeldOutReport, SeqBertInput } from './types';

/** Rows whose highest logit (the first, on ties) is at the label: a count. */
export function argmaxHits(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.cast(labels, 'int32')), 'int32')) as tf.Scalar);
}

/**
 * Rows whose target column is among the k best: fewer than k columns score strictly higher than
 * the target (so ties count in the target's favour): a count. The target's logit is picked out of
 * the same row (a one-hot product: exact), so it is compared with itself bit for bit.
 */
export function hitsAtK(logits: tf.Tensor2D, targets: tf.Tensor1D, k: number): tf.Scalar {
  return tf.tidy(() => {
    // int32 then cast: the wasm backend's OneHot writes zeros when asked for float32 directly.
    const picked = tf.sum(tf.mul(logits, tf.cast(tf.oneHot(tf.cast(targets, 'int32'), logits.shape[1]), 'float32')), 1, true);
    const above = tf.sum(tf.cast(tf.greater(logits, picked), 'int32'), 1);
    return tf.sum(tf.cast(tf.less(above, k), 'int32')) as tf.Scalar;
  });
}

/** The k items that occur most often among the tokens of `seqs` (ties: the lower index first). */
export function topItems(tok: SeqTokens, seqs: ArrayLike<number>, items: number, k: number): Int32Array {
  const count = new Int32Array(items);
  for (let i = 0; i < seqs.length; i++) {
    const s = seqs[i];
    for (let t = tok.offsets[s]; t < tok.offsets[s + 1]; t++) count[tok.item[t]]++;
  }
  const order = Int32Array.from({ length: items }, (_, i) => i).sort((a, b) => count[b] - count[a] || a - b);
  return order.slice(0, Math.min(k, items));
}

/** About 2M logits per chunk of masked events (8 MB), whatever the catalogue size. */
const LOGITS_PER_CHUNK = 1 << 21;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Scores the model `p` on the held-out sequences `valSeqs` (see the top of this file); the item
 * baseline counts the tokens of `trainSeqs`. Null when nothing is held out or nothing was hidden.
 */
export async function measureHeldOut(
  p: ParamMap,
  arch: SeqBertArchitecture,
  input: SeqBertInput,
  tok: SeqTokens,
  valSeqs: Int32Array,
  trainSeqs: Int32Array,
  masking: { rate: number; seed: number; batchSize: number },
  signal?: AbortSignal,
): Promise<HeldOutReport | null> {
  if (valSeqs.length === 0) return null;
  const h = arch.hidden;
  const items = input.table.items.length;
  const types = input.table.typeNames.length;
  const rng = new Random(masking.seed + 104_729); // the same masks every time
  const rows = new RowMap(items);
  const top10 = new Uint8Array(items);
  for (const i of topItems(tok, trainSeqs, items, 10)) top10[i] = 1;
  const typeCount = new Float64Array(types);
  let masked = 0;
  let typeHits = 0;
  let itemHits = 0;
  let baselineHits = 0;

  // Every item's row once (text projection plus correction), as embed.ts does; rows^T for the scores.
  const [fullTable, rowsT] = tf.tidy(() => {
    const text = input.itemDims > 0 ? tf.tensor2d(input.itemVectors, [items, input.itemDims]) : null;
    const table = itemTable(
      p,
      text,
      tf.tensor1d(
        Int32Array.from({ length: items }, (_, i) => i),
        'int32',
      ),
    );
    return [table, tf.transpose(tf.slice(table, [ITEM_SPECIALS, 0], [items, h]))];
  });
  const chunk = Math.max(1, Math.floor(LOGITS_PER_CHUNK / Math.max(1, items)));
  try {
    const order = Int32Array.from(valSeqs).sort((a, b) => tokenCount(tok, a) - tokenCount(tok, b));
    let lastYield = performance.now();
    for (let at = 0; at < order.length; at += masking.batchSize) {
      const seqs = order.subarray(at, Math.min(order.length, at + masking.batchSize));
      const entries = Array.from(seqs, (seq) => ({ seq, from: 0, len: tokenCount(tok, seq) }));
      const hb = buildBatch(tok, entries, types, items, rows, { rate: masking.rate, rng, negatives: 0 });
      const M = hb.maskedAt.length;
      if (M === 0) continue;
      // Every masked event fully hidden (buildBatch's 80/10/10 leaves some shown or swapped).
      for (let m = 0; m < M; m++) {
        hb.itemRow[hb.maskedAt[m]] = ITEM_MASK;
        hb.type[hb.maskedAt[m]] = typeMask(types);
      }
      // Per-batch rows to the global rows of fullTable; targets to table items.
      const global = catalogueRows(hb);
      const targetItem = Int32Array.from(hb.targetRow, (r) => hb.rowItems[r]);
      for (let m = 0; m < M; m++) {
        typeCount[hb.targetType[m]]++;
        baselineHits += top10[targetItem[m]];
      }
      const counts = tf.tidy(() => {
        const batch = batchTensors(hb, global);
        const states = encode(p, arch, fullTable, batch, 0);
        const hidden = tf.gather(states, tf.tensor1d(hb.maskedAt, 'int32'));
        const types = argmaxHits(typeHead(p, hidden), tf.tensor1d(hb.targetType, 'int32'));
        const q = itemHead(p, hidden);
        let hits: tf.Tensor = tf.scalar(0, 'int32');
        for (let c = 0; c < M; c += chunk) {
          const n = Math.min(chunk, M - c);
          const logits = tf.matMul(tf.slice(q, [c, 0], [n, h]), rowsT) as tf.Tensor2D;
          hits = tf.add(hits, hitsAtK(logits, tf.tensor1d(targetItem.subarray(c, c + n), 'int32'), 10));
        }
        return tf.stack([types, hits]);
      });
      const [t, i] = await counts.data();
      counts.dispose();
      typeHits += t;
      itemHits += i;
      masked += M;
      if (performance.now() - lastYield > 50) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
      if (signal?.aborted) throw seqBertCancelled();
    }
  } finally {
    fullTable.dispose();
    rowsT.dispose();
  }
  if (masked === 0) return null;
  let commonest = 0;
  for (const c of typeCount) commonest = Math.max(commonest, c);
  return {
    sequences: valSeqs.length,
    masked,
    typeAccuracy: typeHits / masked,
    typeBaseline: commonest / masked,
    itemHit10: itemHits / masked,
    itemBaseline10: baselineHits / masked,
  };
}
