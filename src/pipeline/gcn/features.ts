// Node features from the encoder: item text vectors for item nodes, sequence vectors for sequence
// nodes, projected to the hidden size by a fixed seeded projection with orthonormal rows or
// columns. Orthonormal, so that dot products (what ranking uses) survive: exactly when the encoder
// has no more dimensions than the hidden size, and as in a Johnson-Lindenstrauss projection
// (scaled to keep lengths on average) when it has more.

import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';
import { collectItemTexts } from '../encode/itemText';
import { embedTexts, type EmbedTextsOptions } from '../encode/embedTexts';
import type { TextEmbedder } from '../encode/types';
import { GcnError } from './errors';
import { GcnRandom } from './random';

/** What the encoder stage hands the graph network. */
export interface EncoderVectors {
  dims: number;
  /** sequences x dims: the encoder's sequence vectors (SequenceEncoding.vectors). */
  users: Float32Array;
  /** table.items.length x dims: each item's text vector (zero rows for items without one). */
  items: Float32Array;
}

/** Distinct item texts as the encoder sees them, embedded once. */
export interface ItemTextVectors {
  dims: number;
  /** Per table item: index into `vectors`' rows, or -1 (item used by no sequence). */
  textOf: Int32Array;
  /** texts x dims. */
  vectors: Float32Array;
}

/** Embeds the text of every item the sequences use (the same texts encodeSequences embeds). */
export async function embedItemTexts(table: EventTable, sequences: Sequences, embedder: TextEmbedder, opts: EmbedTextsOptions = {}): Promise<ItemTextVectors> {
  const texts = collectItemTexts(table, sequences);
  const embedded = await embedTexts(embedder, texts.texts, opts);
  return { dims: embedder.dims, textOf: texts.textOf, vectors: embedded.vectors };
}

/** Per-item rows (table.items.length x dims) from per-text rows. */
export function itemVectorsByItem(t: ItemTextVectors): Float32Array {
  const n = t.textOf.length;
  const out = new Float32Array(n * t.dims);
  for (let i = 0; i < n; i++) {
    const k = t.textOf[i];
    if (k >= 0) out.set(t.vectors.subarray(k * t.dims, (k + 1) * t.dims), i * t.dims);
  }
  return out;
}

/**
 * dims x hidden projection P. dims <= hidden: orthonormal rows (P P^T = I, dot products kept).
 * dims > hidden: orthonormal columns times sqrt(dims / hidden) (expected lengths kept).
 */
export function projectionMatrix(dims: number, hidden: number, seed: number): Float32Array {
  const rng = new GcnRandom(seed ^ 0x70a0e1);
  const rowsOrtho = dims <= hidden;
  // Orthonormalise `count` random vectors of length `len` (modified Gram-Schmidt).
  const count = rowsOrtho ? dims : hidden;
  const len = rowsOrtho ? hidden : dims;
  const q = new Float64Array(count * len);
  for (let a = 0; a < count; a++) {
    const row = q.subarray(a * len, (a + 1) * len);
    for (;;) {
      for (let t = 0; t < len; t++) row[t] = rng.normal();
      for (let b = 0; b < a; b++) {
        const prev = q.subarray(b * len, (b + 1) * len);
        let dot = 0;
        for (let t = 0; t < len; t++) dot += row[t] * prev[t];
        for (let t = 0; t < len; t++) row[t] -= dot * prev[t];
      }
      let norm = 0;
      for (let t = 0; t < len; t++) norm += row[t] * row[t];
      norm = Math.sqrt(norm);
      if (norm > 1e-6) {
        for (let t = 0; t < len; t++) row[t] /= norm;
        break;
      }
    }
  }
  const p = new Float32Array(dims * hidden);
  const scale = rowsOrtho ? 1 : Math.sqrt(dims / hidden);
  for (let a = 0; a < count; a++) {
    for (let t = 0; t < len; t++) {
      if (rowsOrtho) p[a * hidden + t] = q[a * len + t];
      else p[t * hidden + a] = q[a * len + t] * scale;
    }
  }
  return p;
}

/** nodes x hidden: sequence rows then item rows, each projected and scaled by `scale`. */
export function projectFeatures(enc: EncoderVectors, users: number, items: number, hidden: number, seed: number, scale: number): Float32Array {
  const d = enc.dims;
  if (enc.users.length !== users * d) throw new GcnError(`The encoder gave ${enc.users.length / d} sequence vectors for ${users} sequences.`, 'bad-input');
  if (enc.items.length !== items * d) throw new GcnError(`The encoder gave ${enc.items.length / d} item vectors for ${items} items.`, 'bad-input');
  const p = projectionMatrix(d, hidden, seed);
  const out = new Float32Array((users + items) * hidden);
  const acc = new Float64Array(hidden);
  const project = (src: Float32Array, n: number, base: number): void => {
    for (let r = 0; r < n; r++) {
      acc.fill(0);
      for (let t = 0; t < d; t++) {
        const v = src[r * d + t];
        if (v === 0) continue;
        for (let c = 0; c < hidden; c++) acc[c] += v * p[t * hidden + c];
      }
      const o = (base + r) * hidden;
      for (let c = 0; c < hidden; c++) out[o + c] = scale * acc[c];
    }
  };
  project(enc.users, users, 0);
  project(enc.items, items, users);
  return out;
}
