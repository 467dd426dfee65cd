// A host batch (batch.ts) as the encoder's input tensors, for the forward-only passes (embedding,
// held-out scoring, next-item ranking) that look items up in the whole catalogue's table.

import * as tf from '@tensorflow/tfjs-core';
import type { HostBatch } from './batch';
import { ITEM_SPECIALS, type BatchTensors } from './model';

/** The batch's item rows as rows of the whole catalogue's table (specials, then every item in table order). */
export function catalogueRows(hb: HostBatch): Int32Array {
  return Int32Array.from(hb.itemRow, (r) => (r >= ITEM_SPECIALS ? ITEM_SPECIALS + hb.rowItems[r - ITEM_SPECIALS] : r));
}

/** The encoder's inputs; `itemRow` replaces the batch's own (e.g. catalogueRows). Call inside tf.tidy. */
export function batchTensors(hb: HostBatch, itemRow: Int32Array = hb.itemRow): BatchTensors {
  return {
    B: hb.B,
    T: hb.T,
    itemRow: tf.tensor1d(itemRow, 'int32'),
    type: tf.tensor1d(hb.type, 'int32'),
    gap: tf.tensor1d(hb.gap, 'int32'),
    recency: tf.tensor1d(hb.recency, 'int32'),
    sessionPos: tf.tensor1d(hb.sessionPos, 'int32'),
    keyBias: tf.tensor2d(hb.keyBias, [hb.B, hb.T]),
  };
}
