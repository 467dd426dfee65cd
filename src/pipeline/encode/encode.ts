// The encoder stage: sequences in, one L2-normalised vector per sequence out, plus a report of
// how they were made. Which embedder (model or featurizer) is the caller's choice; see
// transformersModel.ts and featurizer.ts.

import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';
import type { EmbeddingCache } from './cache';
import { embedTexts } from './embedTexts';
import { collectItemTexts } from './itemText';
import { sequenceTexts } from './sequenceText';
import { sequenceVectors } from './sequenceVectors';
import type { CancelToken, EncodeMode, EncodeProgress, EncoderReport, TextEmbedder } from './types';
import { checkHalfLife, DEFAULT_HALF_LIFE_DAYS, type EventWeights } from './weights';

export interface EncodeOptions {
  mode?: EncodeMode;
  /** Items mode: weights by event type name (view, click, cart, purchase, return, custom names, other). */
  weights?: Partial<EventWeights>;
  /** Items mode: recency half-life in days before each sequence's last event; 0 = no decay. */
  halfLifeDays?: number;
  cache?: EmbeddingCache;
  batchSize?: number;
  maxBatchChars?: number;
  onProgress?: (p: EncodeProgress) => void;
  cancel?: CancelToken;
}

export interface SequenceEncoding {
  /** count x dims, row-major: row i belongs to sequence i. */
  vectors: Float32Array;
  count: number;
  dims: number;
  encoder: EncoderReport;
  /** Sequences left as zero rows because their weights cancelled out (items mode). */
  zeroVectors: number;
  /** Sequence-text mode: sequences that lost old events to the model's window, and how many events. */
  truncated: { sequences: number; events: number };
  /** Where the item texts came from: titles, categories/brands, or only ids (nothing to read). */
  itemTextSources: { title: number; category: number; id: number };
  ms: number;
}

export async function encodeSequences(
  input: { table: EventTable; sequences: Sequences },
  embedder: TextEmbedder,
  opts: EncodeOptions = {},
): Promise<SequenceEncoding> {
  const t0 = performance.now();
  const { table, sequences } = input;
  const mode = opts.mode ?? 'items';
  const halfLifeDays = checkHalfLife(opts.halfLifeDays ?? DEFAULT_HALF_LIFE_DAYS);
  const items = collectItemTexts(table, sequences);
  const embedOpts = { cache: opts.cache, batchSize: opts.batchSize, maxBatchChars: opts.maxBatchChars, onProgress: opts.onProgress, cancel: opts.cancel };
  const dims = embedder.dims;

  let vectors: Float32Array;
  let texts: number;
  let embedded: { itemsEmbedded: number; cacheHits: number };
  let zeroVectors = 0;
  const truncated = { sequences: 0, events: 0 };
  if (mode === 'sequence-text') {
    const seq = sequenceTexts(table, sequences, items.textOf, items.texts, embedder);
    truncated.sequences = seq.truncated;
    truncated.events = seq.eventsDropped;
    const result = await embedTexts(embedder, seq.texts, embedOpts);
    vectors = new Float32Array(sequences.count * dims);
    for (let s = 0; s < sequences.count; s++) {
      const t = seq.textOf[s];
      vectors.set(result.vectors.subarray(t * dims, (t + 1) * dims), s * dims);
    }
    texts = seq.texts.length;
    embedded = result;
  } else {
    const result = await embedTexts(embedder, items.texts, embedOpts);
    const seq = sequenceVectors(table, sequences, items.textOf, result.vectors, dims, { weights: opts.weights, halfLifeDays });
    vectors = seq.vectors;
    zeroVectors = seq.zeroVectors;
    texts = items.texts.length;
    embedded = result;
  }

  return {
    vectors,
    count: sequences.count,
    dims,
    encoder: {
      model: embedder.model,
      dtype: embedder.dtype,
      device: embedder.device,
      dims,
      itemsEmbedded: embedded.itemsEmbedded,
      cacheHits: embedded.cacheHits,
      kind: embedder.kind,
      mode,
      texts,
    },
    zeroVectors,
    truncated,
    itemTextSources: items.sources,
    ms: performance.now() - t0,
  };
}
