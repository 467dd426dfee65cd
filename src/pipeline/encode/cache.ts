// Embedding cache: the same text under the same model always gets the same vector, so a re-run
// (another grouping, other weights, the next file of the same shop) embeds only what is new.
// The interface is synchronous and tiny so that a persistent store (IndexedDB, a file) can sit
// behind an in-memory front without the encoder knowing.

import { fnv1a64 } from './hash';

export interface EmbeddingCache {
  get(key: string): Float32Array | undefined;
  set(key: string, v: Float32Array): void;
  /**
   * Optional: called once per run with every key it is about to look up, before the first get(),
   * so that a persistent store (IndexedDB) can load just those entries into its synchronous front.
   */
  prefetch?(keys: readonly string[]): Promise<void>;
}

/** Model (cache id) plus a 64-bit hash of the text: keys stay short however long the text. */
export function cacheKey(embedderId: string, text: string): string {
  return `${embedderId}#${fnv1a64(text)}`;
}

/** In-memory cache; evicts the oldest entries beyond maxEntries (insertion order), if given. */
export class MemoryEmbeddingCache implements EmbeddingCache {
  private readonly map = new Map<string, Float32Array>();

  constructor(private readonly maxEntries = Infinity) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): Float32Array | undefined {
    return this.map.get(key);
  }

  set(key: string, v: Float32Array): void {
    // A copy: callers pass views into larger buffers that they go on to reuse.
    this.map.set(key, v.slice());
    if (this.map.size > this.maxEntries) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
  }

  clear(): void {
    this.map.clear();
  }
}
