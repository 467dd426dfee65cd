// The browser's embedding cache: a bounded in-memory front (what EmbeddingCache's synchronous get
// and set need) over IndexedDB. Before each run the encoder hands over every key it will look up
// (prefetch), and only those are read from disk; new vectors are written back in one transaction
// per flush. Keys are the encoder's own: model (cache id) + '#' + a 64-bit hash of the text, so the
// same catalogue under the same model is never embedded twice, across reloads too.

import type { EmbeddingCache } from '../pipeline/encode';
import { done, EMBEDDINGS_STORE, openDb, request } from './idb';

/** Vectors kept in memory, in floats: 32 M floats = 128 MB (about 83,000 vectors of 384 dims). */
const DEFAULT_MAX_FLOATS = 32 * 1024 * 1024;
/** Writes are flushed once this many are waiting, besides at the end of each run. */
const FLUSH_EVERY = 2048;

export interface StoreStats {
  /** Entries read from IndexedDB by the last prefetch. */
  loaded: number;
  /** Whether the last write to IndexedDB failed (quota, private mode): the cache then lasts only this session. */
  writeFailed: string | null;
}

export class PersistentEmbeddingCache implements EmbeddingCache {
  private readonly memory = new Map<string, Float32Array>();
  private floats = 0;
  private pending = new Map<string, Float32Array>();
  private flushing: Promise<void> = Promise.resolve();
  readonly stats: StoreStats = { loaded: 0, writeFailed: null };
  /** False when IndexedDB cannot be opened: the cache then works in memory only. */
  private persistent = true;

  constructor(private readonly maxFloats = DEFAULT_MAX_FLOATS) {}

  get(key: string): Float32Array | undefined {
    const v = this.memory.get(key);
    if (v) {
      // Most recently used last, so eviction takes the oldest.
      this.memory.delete(key);
      this.memory.set(key, v);
    }
    return v;
  }

  set(key: string, v: Float32Array): void {
    const copy = v.slice();
    this.remember(key, copy);
    if (!this.persistent) return;
    this.pending.set(key, copy);
    if (this.pending.size >= FLUSH_EVERY) void this.flush();
  }

  async prefetch(keys: readonly string[]): Promise<void> {
    this.stats.loaded = 0;
    const wanted = keys.filter((k) => !this.memory.has(k));
    if (wanted.length === 0 || !this.persistent) return;
    let db: IDBDatabase;
    try {
      db = await openDb();
    } catch (e) {
      this.persistent = false;
      this.stats.writeFailed = e instanceof Error ? e.message : String(e);
      return;
    }
    // Writes of the previous run first, so that they are found.
    await this.flushing;
    const tx = db.transaction(EMBEDDINGS_STORE, 'readonly');
    const store = tx.objectStore(EMBEDDINGS_STORE);
    const found = await Promise.all(wanted.map((k) => request(store.get(k)).catch(() => undefined)));
    found.forEach((value, i) => {
      if (value instanceof ArrayBuffer) {
        this.remember(wanted[i], new Float32Array(value));
        this.stats.loaded++;
      }
    });
  }

  /** Writes what is waiting; failures are recorded, never thrown (the vectors are still in memory). */
  flush(): Promise<void> {
    if (this.pending.size === 0 || !this.persistent) return this.flushing;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.flushing.then(async () => {
      try {
        const db = await openDb();
        const tx = db.transaction(EMBEDDINGS_STORE, 'readwrite');
        const store = tx.objectStore(EMBEDDINGS_STORE);
        for (const [k, v] of batch) store.put(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength), k);
        await done(tx);
        this.stats.writeFailed = null;
      } catch (e) {
        this.stats.writeFailed = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      }
    });
    return this.flushing;
  }

  /** Forgets the vectors of one model (its cache id prefix), in memory and on disk. */
  async forget(prefix: string): Promise<void> {
    for (const k of [...this.memory.keys()]) if (k.startsWith(prefix)) this.drop(k);
    for (const k of [...this.pending.keys()]) if (k.startsWith(prefix)) this.pending.delete(k);
    if (!this.persistent) return;
    try {
      const db = await openDb();
      const tx = db.transaction(EMBEDDINGS_STORE, 'readwrite');
      tx.objectStore(EMBEDDINGS_STORE).delete(IDBKeyRange.bound(prefix, `${prefix}\uffff`));
      await done(tx);
    } catch {
      // Nothing to forget if the store cannot be opened.
    }
  }

  /** Empties the cache, in memory and on disk. */
  async clear(): Promise<void> {
    this.memory.clear();
    this.pending.clear();
    this.floats = 0;
    try {
      const db = await openDb();
      const tx = db.transaction(EMBEDDINGS_STORE, 'readwrite');
      tx.objectStore(EMBEDDINGS_STORE).clear();
      await done(tx);
    } catch {
      // As above.
    }
  }

  private remember(key: string, v: Float32Array): void {
    this.drop(key);
    this.memory.set(key, v);
    this.floats += v.length;
    while (this.floats > this.maxFloats && this.memory.size > 1) {
      const oldest = this.memory.keys().next().value;
      if (oldest === undefined) break;
      this.drop(oldest);
    }
  }

  private drop(key: string): void {
    const v = this.memory.get(key);
    if (!v) return;
    this.floats -= v.length;
    this.memory.delete(key);
  }
}
