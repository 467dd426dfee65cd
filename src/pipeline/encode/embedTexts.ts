// Embeds distinct texts in batches, through the cache: progress after each batch, a cancel check
// before each. Texts are batched shortest first, because a batch is padded to its longest text
// and sorting keeps that padding (wasted model work) small. Batches of long texts are also cut
// by size: attention memory grows with batch x length^2, and 32 texts of 512 tokens take ORT
// several times longer than four batches of 8.

import { cacheKey, type EmbeddingCache } from './cache';
import { cancelled, EncoderError } from './errors';
import type { CancelToken, EncodeProgress, TextEmbedder } from './types';

export interface EmbedTextsOptions {
  cache?: EmbeddingCache;
  batchSize?: number;
  /** Cap on batch size x longest text in the batch, in characters (a cheap stand-in for tokens). */
  maxBatchChars?: number;
  onProgress?: (p: EncodeProgress) => void;
  cancel?: CancelToken;
}

export interface EmbeddedTexts {
  /** texts.length x dims, in the order of `texts`. */
  vectors: Float32Array;
  itemsEmbedded: number;
  cacheHits: number;
}

export const DEFAULT_BATCH_SIZE = 32;
export const DEFAULT_MAX_BATCH_CHARS = 16_384;

/** Lets a worker's message loop run (cancel requests arrive as messages) during long CPU-bound work. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export async function embedTexts(embedder: TextEmbedder, texts: readonly string[], opts: EmbedTextsOptions = {}): Promise<EmbeddedTexts> {
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new EncoderError(`The batch size must be a whole number of at least 1, not ${batchSize}.`, 'bad-options');
  const dims = embedder.dims;
  const total = texts.length;
  const vectors = new Float32Array(total * dims);
  if (opts.cancel?.cancelled) throw cancelled();

  embedder.prepare?.(texts);
  const id = embedder.cacheId();
  const keys = texts.map((text) => cacheKey(id, text));
  if (opts.cache?.prefetch) {
    await opts.cache.prefetch(keys);
    if (opts.cancel?.cancelled) throw cancelled();
  }
  const todo: number[] = [];
  let cacheHits = 0;
  for (let t = 0; t < total; t++) {
    const hit = opts.cache?.get(keys[t]);
    if (hit && hit.length === dims) {
      vectors.set(hit, t * dims);
      cacheHits++;
    } else {
      todo.push(t);
    }
  }
  todo.sort((a, b) => texts[a].length - texts[b].length || a - b);

  const started = performance.now();
  let done = cacheHits;
  const report = (): void => {
    const seconds = (performance.now() - started) / 1000;
    opts.onProgress?.({ stage: 'embed', done, total, itemsPerSecond: seconds > 0 ? (done - cacheHits) / seconds : 0, cacheHits });
  };
  report();
  let lastYield = performance.now();
  const maxBatchChars = opts.maxBatchChars ?? DEFAULT_MAX_BATCH_CHARS;
  for (let b = 0; b < todo.length; ) {
    if (opts.cancel?.cancelled) throw cancelled();
    let end = b + 1;
    // Sorted by length, so the text just added is the batch's longest.
    while (end < todo.length && end - b < batchSize && (end - b + 1) * texts[todo[end]].length <= maxBatchChars) end++;
    const batch = todo.slice(b, end);
    b = end;
    let out: Float32Array;
    try {
      out = await embedder.embed(batch.map((t) => texts[t]));
    } catch (e) {
      if (e instanceof EncoderError) throw e;
      throw new EncoderError(`Embedding failed (${embedder.model}): ${e instanceof Error ? e.message : String(e)}`, 'embed-failed');
    }
    if (out.length !== batch.length * dims) {
      throw new EncoderError(`${embedder.model} returned ${out.length} numbers for ${batch.length} texts of ${dims} dimensions.`, 'embed-failed');
    }
    batch.forEach((t, i) => {
      const v = out.subarray(i * dims, (i + 1) * dims);
      vectors.set(v, t * dims);
      opts.cache?.set(keys[t], v);
    });
    done += batch.length;
    report();
    if (performance.now() - lastYield > 50) {
      await yieldToEventLoop();
      lastYield = performance.now();
    }
  }
  if (opts.cancel?.cancelled) throw cancelled();
  return { vectors, itemsEmbedded: todo.length, cacheHits };
}
