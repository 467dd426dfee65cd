// The encoder, BERT4Rec-style: per token the sum of an item embedding (the item's text vector
// through a learned projection, plus a learned per-item correction), an event-type embedding, a
// time-gap embedding, a position embedding, and (where the model has those tables) an item-recency
// embedding (how long ago the same item last appeared) and a position-within-visit embedding;
// then L bidirectional self-attention blocks with a GELU feed-forward, padding masked out of
// attention. Weights live as plain typed arrays (NamedWeight) between runs; here they are tfjs
// tensors or variables keyed by name.
//
// Batch layout: B sequences x T columns. The last column is the CLS token; a sequence's n events
// fill the n columns before it, oldest first, and padding the columns before those. Position p of
// a column counts back from CLS (0), so "the most recent event" has the same position whatever the
// sequence length.

import * as tf from '@tensorflow/tfjs-core';
import { projectionMatrix } from '../gcn/features';
import { Random } from '../numeric/sfc32';
import type { SeqBertArchitecture } from './options';
import { GAP_BUCKETS, SESSION_POS_MAX } from './tokens';
import type { NamedWeight } from './types';

/** Rows of the per-batch item table before the items: padding, the mask token, CLS. */
export const ITEM_PAD = 0;
export const ITEM_MASK = 1;
export const ITEM_CLS = 2;
export const ITEM_SPECIALS = 3;

/** Type ids after the log's types: mask, padding, CLS. */
export const typeMask = (types: number): number => types;
export const typePad = (types: number): number => types + 1;
export const typeCls = (types: number): number => types + 2;

export type ParamMap = Record<string, tf.Tensor>;

export interface ModelSizes {
  items: number;
  types: number;
  itemDims: number;
  /** Include the item recency table (default true). */
  recency?: boolean;
  /** Include the position-within-visit table (default false; training passes the option, default on). */
  sessionPos?: boolean;
}

/** Initial weights (seeded). Item rows start from the text vectors through an orthonormal projection. */
export function initWeights(arch: SeqBertArchitecture, sizes: ModelSizes, seed: number): NamedWeight[] {
  const rng = new Random(seed ^ 0x5eb127);
  const h = arch.hidden;
  const f = h * arch.ffnMult;
  const out: NamedWeight[] = [];
  const normal = (name: string, shape: number[], std: number): void => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = rng.normal() * std;
    out.push({ name, shape, data });
  };
  const fill = (name: string, shape: number[], v: number): void => {
    out.push({ name, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(v) });
  };
  const xavier = (name: string, rows: number, cols: number): void => normal(name, [rows, cols], Math.sqrt(2 / (rows + cols)));
  if (sizes.itemDims > 0) {
    out.push({ name: 'item.proj', shape: [sizes.itemDims, h], data: projectionMatrix(sizes.itemDims, h, seed) });
    fill('item.delta', [sizes.items, h], 0);
  } else {
    normal('item.delta', [sizes.items, h], 0.5);
  }
  normal('item.special', [ITEM_SPECIALS, h], 0.5);
  normal('type', [sizes.types + 3, h], 0.5);
  normal('gap', [GAP_BUCKETS, h], 0.5);
  if (sizes.recency ?? true) normal('recency', [GAP_BUCKETS, h], 0.5);
  normal('pos', [arch.maxLen + 1, h], 0.5);
  fill('emb.ln.g', [h], 1);
  fill('emb.ln.b', [h], 0);
  for (let l = 0; l < arch.layers; l++) {
    fill(`l${l}.ln1.g`, [h], 1);
    fill(`l${l}.ln1.b`, [h], 0);
    xavier(`l${l}.qkv.w`, h, 3 * h);
    fill(`l${l}.qkv.b`, [3 * h], 0);
    xavier(`l${l}.out.w`, h, h);
    fill(`l${l}.out.b`, [h], 0);
    fill(`l${l}.ln2.g`, [h], 1);
    fill(`l${l}.ln2.b`, [h], 0);
    xavier(`l${l}.ffn1.w`, h, f);
    fill(`l${l}.ffn1.b`, [f], 0);
    xavier(`l${l}.ffn2.w`, f, h);
    fill(`l${l}.ffn2.b`, [h], 0);
  }
  fill('final.ln.g', [h], 1);
  fill('final.ln.b', [h], 0);
  xavier('head.w', h, h);
  fill('head.b', [h], 0);
  fill('head.ln.g', [h], 1);
  fill('head.ln.b', [h], 0);
  xavier('typehead.w', h, sizes.types);
  fill('typehead.b', [sizes.types], 0);
  // Drawn last, so that turning it on leaves every other initial weight as it was.
  if (sizes.sessionPos ?? false) normal('sesspos', [SESSION_POS_MAX + 1, h], 0.5);
  return out;
}

export function countParams(weights: readonly NamedWeight[]): number {
  return weights.reduce((a, w) => a + w.data.length, 0);
}

/**
 * Row lookup whose gradient is a scatter-add (scatterND sums repeated rows): the wasm backend has
 * no gradient kernel for gather (UnsortedSegmentSum), this works on every backend.
 */
export function embeddingLookup(table: tf.Tensor2D, idx: tf.Tensor1D): tf.Tensor2D {
  const rows = table.shape[0];
  const cols = table.shape[1];
  const f = tf.customGrad(((t: tf.Tensor) => ({
    value: tf.gather(t, idx),
    gradFunc: (dy: tf.Tensor) => tf.scatterND(tf.reshape(idx, [-1, 1]), dy, [rows, cols]),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(table) as tf.Tensor2D;
}

/**
 * Lookup by a one-hot product: the alternative for small vocabularies (both directions are
 * matmuls). Measured on wasm, 3,264 lookups into 64-wide tables, lookup + gradient, CPU ms:
 * 8 rows 5.1 (scatter 13.7), 64 rows 8.5 (9.8), 512 rows 33 (10.1), 4,096 rows 271 (12.4); so
 * event types and gap buckets go through here, items through embeddingLookup.
 */
export function oneHotLookup(table: tf.Tensor2D, idx: tf.Tensor1D): tf.Tensor2D {
  // int32 then cast: the wasm backend's OneHot writes zeros when asked for float32 directly.
  return linear(tf.cast(tf.oneHot(idx, table.shape[0]), 'float32'), table);
}

/**
 * x (n, k) times w (k, m) whose gradients are plain products of explicitly transposed operands:
 * the wasm backend multiplies untransposed operands with XNNPACK but falls back to a loop many
 * times slower for the transposed products autodiff's MatMul gradient asks for.
 */
export function linear(x: tf.Tensor, w: tf.Tensor): tf.Tensor2D {
  const f = tf.customGrad(((a: tf.Tensor2D, b: tf.Tensor2D, save: (t: tf.Tensor[]) => void) => {
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [sa, sb] = saved as tf.Tensor2D[];
        return [tf.matMul(dy, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, w) as tf.Tensor2D;
}

/** Batched a (n, p, k) times b (n, k, q), gradients with explicit transposes as in linear(). */
export function batchMatMul(x: tf.Tensor, w: tf.Tensor): tf.Tensor3D {
  const f = tf.customGrad(((a: tf.Tensor3D, b: tf.Tensor3D, save: (t: tf.Tensor[]) => void) => {
    save([a, b]);
    return {
      value: tf.matMul(a, b),
      gradFunc: (dy: tf.Tensor3D, saved: tf.Tensor[]) => {
        const [sa, sb] = saved as tf.Tensor3D[];
        return [tf.matMul(dy, tf.transpose(sb, [0, 2, 1])), tf.matMul(tf.transpose(sa, [0, 2, 1]), dy)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, w) as tf.Tensor3D;
}

/** Layer norm over the last axis, as plain ops (autodiff keeps every intermediate for the backward pass). */
export function layerNormPlain(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps = 1e-5): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), g), b);
}

/**
 * Layer norm whose gradient keeps only its input and gain and recomputes the rest: training's
 * peak memory is the tape of one step, and the plain form's eight intermediates per call (five
 * calls per step at 2 layers) were a large share of it (the wasm heap grows to that peak and
 * never shrinks). dx = (g dy - mean(g dy) - x^ mean(g dy x^)) / sigma, dg = sum(dy x^), db = sum(dy).
 */
export function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps = 1e-5): tf.Tensor {
  const f = tf.customGrad(((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor, save: (t: tf.Tensor[]) => void) => {
    save([xi, gi]);
    return {
      value: layerNormPlain(xi, gi, bi, eps),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sg] = saved;
        const { mean, variance } = tf.moments(sx, -1, true);
        const inv = tf.rsqrt(tf.add(variance, eps));
        const xhat = tf.mul(tf.sub(sx, mean), inv);
        const gdy = tf.mul(dy, sg);
        const dx = tf.mul(tf.sub(tf.sub(gdy, tf.mean(gdy, -1, true)), tf.mul(xhat, tf.mean(tf.mul(gdy, xhat), -1, true))), inv);
        const rowsAxes = Array.from({ length: sx.rank - 1 }, (_, i) => i);
        return [dx, tf.sum(tf.mul(dy, xhat), rowsAxes), tf.sum(dy, rowsAxes)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, g, b) as tf.Tensor;
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** GELU, tanh form (as BERT), as plain ops. */
export function geluPlain(x: tf.Tensor): tf.Tensor {
  // x * (1 + 0.044715 x^2) rather than pow(x, 3): one kernel less each way, and pow's gradient is slow.
  const inner = tf.mul(tf.mul(x, tf.add(tf.mul(tf.square(x), 0.044715), 1)), GELU_C);
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/**
 * GELU whose gradient keeps only its input (the feed-forward block's widest tensor) and
 * recomputes the rest, for the same reason as layerNorm:
 * d/dx = 0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 * 0.044715 x^2), t = tanh(c (x + 0.044715 x^3)).
 */
export function gelu(x: tf.Tensor): tf.Tensor {
  const f = tf.customGrad(((xi: tf.Tensor, save: (t: tf.Tensor[]) => void) => {
    save([xi]);
    return {
      value: geluPlain(xi),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx] = saved;
        const sq = tf.square(sx);
        const t = tf.tanh(tf.mul(tf.mul(sx, tf.add(tf.mul(sq, 0.044715), 1)), GELU_C));
        const slope = tf.add(tf.mul(tf.add(t, 1), 0.5), tf.mul(tf.mul(tf.mul(sx, 0.5 * GELU_C), tf.sub(1, tf.square(t))), tf.add(tf.mul(sq, 3 * 0.044715), 1)));
        return [tf.mul(dy, slope)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as tf.Tensor;
}

const dense = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor => tf.add(linear(x, w), b);

/**
 * Multi-head self-attention over B x T tokens. `qkv`: (B*T, 3h) projections (q, k, v side by side);
 * `keyBias`: (B, T), 0 for keys that may be attended and a large negative number for padding.
 * Returns the (B*T, h) context before the output projection.
 */
export function attention(qkv: tf.Tensor, keyBias: tf.Tensor, B: number, T: number, h: number, heads: number): tf.Tensor2D {
  const dh = h / heads;
  const split = (k: number): tf.Tensor => {
    const part = tf.slice(qkv, [0, k * h], [B * T, h]);
    return tf.reshape(tf.transpose(tf.reshape(part, [B, T, heads, dh]), [0, 2, 1, 3]), [B * heads, T, dh]);
  };
  const q = tf.mul(split(0), 1 / Math.sqrt(dh));
  const k = split(1);
  const v = split(2);
  const scores = tf.add(tf.reshape(batchMatMul(q, tf.transpose(k, [0, 2, 1])), [B, heads, T, T]), tf.reshape(keyBias, [B, 1, 1, T]));
  const p = tf.reshape(tf.softmax(scores), [B * heads, T, T]);
  const ctx = batchMatMul(p, v);
  return tf.reshape(tf.transpose(tf.reshape(ctx, [B, heads, T, dh]), [0, 2, 1, 3]), [B * T, h]) as tf.Tensor2D;
}

export interface BatchTensors {
  B: number;
  T: number;
  /** (B*T) rows of `itemTable` (ITEM_* specials first). */
  itemRow: tf.Tensor1D;
  /** (B*T) type ids (types, then mask/pad/CLS). */
  type: tf.Tensor1D;
  gap: tf.Tensor1D;
  /** (B*T) item recency buckets (tokens.ts); models without a recency table ignore it. */
  recency?: tf.Tensor1D;
  /** (B*T) positions within the visit; models without that table ignore it. */
  sessionPos?: tf.Tensor1D;
  /** (B, T): 0 where a key may be attended (events, CLS), -1e9 at padding. */
  keyBias: tf.Tensor2D;
}

/** (rows, h) item table for a batch: specials, then the text projection plus correction of `items`. */
export function itemTable(p: ParamMap, itemText: tf.Tensor2D | null, items: tf.Tensor1D): tf.Tensor2D {
  let e = embeddingLookup(p['item.delta'] as tf.Tensor2D, items);
  if (itemText && p['item.proj']) e = tf.add(e, linear(itemText, p['item.proj']));
  return tf.concat([p['item.special'] as tf.Tensor2D, e], 0);
}

/**
 * The encoder: (B*T, h) token states after the last block (and the final norm in pre-LN).
 * `dropoutSeed` seeds the dropout masks (each call of the step its own stream), so that training
 * with the same seed gives the same model.
 */
export function encode(p: ParamMap, arch: SeqBertArchitecture, table: tf.Tensor2D, batch: BatchTensors, dropout: number, dropoutSeed = 0): tf.Tensor2D {
  const { B, T } = batch;
  const h = arch.hidden;
  let calls = 0;
  const drop = (x: tf.Tensor): tf.Tensor => (dropout > 0 ? tf.dropout(x, dropout, undefined, dropoutSeed * 64 + calls++) : x);
  const pos = tf.reverse(tf.slice(p.pos, [0, 0], [T, h]), 0); // column c has position T-1-c
  let x: tf.Tensor = tf.add(
    embeddingLookup(table, batch.itemRow),
    tf.add(oneHotLookup(p.type as tf.Tensor2D, batch.type), oneHotLookup(p.gap as tf.Tensor2D, batch.gap)),
  );
  if (p.recency && batch.recency) x = tf.add(x, oneHotLookup(p.recency as tf.Tensor2D, batch.recency));
  if (p.sesspos && batch.sessionPos) x = tf.add(x, oneHotLookup(p.sesspos as tf.Tensor2D, batch.sessionPos));
  x = tf.add(tf.reshape(x, [B, T, h]), pos);
  x = drop(layerNorm(tf.reshape(x, [B * T, h]), p['emb.ln.g'], p['emb.ln.b']));
  for (let l = 0; l < arch.layers; l++) {
    const w = (n: string): tf.Tensor => p[`l${l}.${n}`];
    if (arch.preLN) {
      const a = layerNorm(x, w('ln1.g'), w('ln1.b'));
      x = tf.add(x, drop(dense(attention(dense(a, w('qkv.w'), w('qkv.b')), batch.keyBias, B, T, h, arch.heads), w('out.w'), w('out.b'))));
      const c = layerNorm(x, w('ln2.g'), w('ln2.b'));
      x = tf.add(x, drop(dense(gelu(dense(c, w('ffn1.w'), w('ffn1.b'))), w('ffn2.w'), w('ffn2.b'))));
    } else {
      const a = dense(attention(dense(x, w('qkv.w'), w('qkv.b')), batch.keyBias, B, T, h, arch.heads), w('out.w'), w('out.b'));
      x = layerNorm(tf.add(x, drop(a)), w('ln1.g'), w('ln1.b'));
      const f = dense(gelu(dense(x, w('ffn1.w'), w('ffn1.b'))), w('ffn2.w'), w('ffn2.b'));
      x = layerNorm(tf.add(x, drop(f)), w('ln2.g'), w('ln2.b'));
    }
  }
  if (arch.preLN) x = layerNorm(x, p['final.ln.g'], p['final.ln.b']);
  return x as tf.Tensor2D;
}

/** Masked-item head: (M, h) states to the vectors compared with item rows. */
export function itemHead(p: ParamMap, states: tf.Tensor): tf.Tensor2D {
  return layerNorm(gelu(dense(states, p['head.w'], p['head.b'])), p['head.ln.g'], p['head.ln.b']) as tf.Tensor2D;
}

export function typeHead(p: ParamMap, states: tf.Tensor): tf.Tensor2D {
  return dense(states, p['typehead.w'], p['typehead.b']) as tf.Tensor2D;
}

/** Mean of the real event tokens' states (poolMask (B*T) 1 at events) or the CLS column: (B, h). */
export function pool(states: tf.Tensor2D, poolMask: tf.Tensor1D, B: number, T: number, h: number, how: 'mean' | 'cls'): tf.Tensor2D {
  const s3 = tf.reshape(states, [B, T, h]);
  if (how === 'cls') return tf.reshape(tf.slice(s3, [0, T - 1, 0], [B, 1, h]), [B, h]);
  const m = tf.reshape(poolMask, [B, T, 1]);
  const sum = tf.sum(tf.mul(s3, m), 1);
  return tf.div(sum, tf.maximum(tf.sum(m, 1), 1)) as tf.Tensor2D;
}

export function toParamMap(weights: readonly NamedWeight[]): ParamMap {
  const p: ParamMap = {};
  for (const w of weights) p[w.name] = tf.tensor(w.data, w.shape, 'float32');
  return p;
}
