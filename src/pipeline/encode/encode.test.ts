import { describe, expect, it } from 'vitest';
import { MemoryEmbeddingCache, cacheKey } from './cache';
import { encodeSequences } from './encode';
import { EncoderError } from './errors';
import { createFeaturizer } from './featurizer';
import { collectItemTexts } from './itemText';
import { analyzeCsv } from '../../../test/lib/testLog';
import type { EncodeProgress, TextEmbedder } from './types';

/** Wraps an embedder and records every batch it is asked for. */
function spy(inner: TextEmbedder): TextEmbedder & { batches: string[][] } {
  const batches: string[][] = [];
  return Object.assign(Object.create(inner) as TextEmbedder, {
    batches,
    embed: (texts: readonly string[]) => {
      batches.push([...texts]);
      return inner.embed(texts);
    },
  });
}

const REES = [
  'event_time,event_type,product_id,category_code,brand,user_id,user_session',
  '2019-10-01 00:00:00 UTC,view,1,electronics.smartphone,samsung,u1,s1',
  '2019-10-01 00:01:00 UTC,view,2,electronics.smartphone,samsung,u1,s1',
  '2019-10-01 00:02:00 UTC,cart,3,,apple,u1,s1',
  '2019-10-01 00:03:00 UTC,view,4,,,u2,s2',
  '2019-10-01 00:04:00 UTC,purchase,1,electronics.smartphone,samsung,u2,s2',
];

describe('item texts', () => {
  it('use the title, else category and brand, else the item id; each distinct text once', async () => {
    const { table, sequences } = await analyzeCsv(REES);
    const items = collectItemTexts(table, sequences);
    const textOf = (id: string) => items.texts[items.textOf[table.items.indexOf(id)]];
    expect(textOf('1')).toBe('electronics smartphone samsung');
    expect(textOf('2')).toBe('electronics smartphone samsung');
    expect(textOf('3')).toBe('apple');
    expect(textOf('4')).toBe('4');
    expect(items.texts).toHaveLength(3);
    expect(items.sources).toEqual({ title: 0, category: 2, id: 1 });

    const titled = await analyzeCsv(['user_id,item_id,event_type,timestamp,title,category', 'u,a,view,2021-01-01,Red Shirt,apparel']);
    expect(collectItemTexts(titled.table, titled.sequences).texts).toEqual(['Red Shirt']);
  });
});

describe('encodeSequences', () => {
  it('embeds each distinct text once, in batches, and reports the encoder', async () => {
    const { table, sequences } = await analyzeCsv(REES);
    const f = spy(createFeaturizer({ dims: 64 }));
    const r = await encodeSequences({ table, sequences }, f, { batchSize: 2 });
    expect(r.count).toBe(sequences.count);
    expect(r.vectors.length).toBe(sequences.count * 64);
    expect(f.batches.map((b) => b.length)).toEqual([2, 1]);
    expect(new Set(f.batches.flat()).size).toBe(3);
    expect(r.encoder).toEqual({
      model: f.model,
      dtype: 'fp32',
      device: 'cpu',
      dims: 64,
      itemsEmbedded: 3,
      cacheHits: 0,
      kind: 'featurizer',
      mode: 'items',
      texts: 3,
    });
    for (let s = 0; s < r.count; s++) {
      expect(Math.hypot(...r.vectors.subarray(s * 64, (s + 1) * 64))).toBeCloseTo(1, 5);
    }
  });

  it('serves a second run from the cache, keyed by model and text hash, with identical vectors', async () => {
    const { table, sequences } = await analyzeCsv(REES);
    const cache = new MemoryEmbeddingCache();
    const first = await encodeSequences({ table, sequences }, createFeaturizer(), { cache });
    const f = spy(createFeaturizer());
    const second = await encodeSequences({ table, sequences }, f, { cache });
    expect(second.encoder.cacheHits).toBe(3);
    expect(second.encoder.itemsEmbedded).toBe(0);
    expect(f.batches).toEqual([]);
    expect(second.vectors).toEqual(first.vectors);
    expect(cache.get(cacheKey(f.cacheId(), 'apple'))).toBeInstanceOf(Float32Array);
  });

  it('lets a persistent cache prefetch exactly the keys it is about to be asked for', async () => {
    const { table, sequences } = await analyzeCsv(REES);
    const f = createFeaturizer();
    const warm = new MemoryEmbeddingCache();
    await encodeSequences({ table, sequences }, f, { cache: warm });
    // A "store" that only answers get() for keys it prefetched first, like the IndexedDB cache.
    const stored = new MemoryEmbeddingCache();
    const loaded = new Map<string, Float32Array>();
    const calls: string[] = [];
    const cache = {
      async prefetch(keys: readonly string[]) {
        calls.push(`prefetch:${keys.length}`);
        for (const k of keys) {
          const v = warm.get(k);
          if (v) loaded.set(k, v);
        }
      },
      get(key: string) {
        calls.push('get');
        return loaded.get(key);
      },
      set: (key: string, v: Float32Array) => stored.set(key, v),
    };
    const r = await encodeSequences({ table, sequences }, f, { cache });
    expect(calls[0]).toBe('prefetch:3');
    expect(calls.filter((c) => c.startsWith('prefetch'))).toHaveLength(1);
    expect(r.encoder.cacheHits).toBe(3);
    expect(r.encoder.itemsEmbedded).toBe(0);
    expect(stored.size).toBe(0);
  });

  it('reports progress (done / total, items per second) and ends at the total', async () => {
    const { table, sequences } = await analyzeCsv(REES);
    const seen: EncodeProgress[] = [];
    await encodeSequences({ table, sequences }, createFeaturizer(), { batchSize: 1, onProgress: (p) => seen.push(p) });
    expect(seen.map((p) => p.done)).toEqual([0, 1, 2, 3]);
    expect(seen.every((p) => p.total === 3 && p.itemsPerSecond >= 0)).toBe(true);
  });

  it('stops between batches when cancelled', async () => {
    const { table, sequences } = await analyzeCsv(REES);
    const cancel = { cancelled: false };
    const f = spy(createFeaturizer());
    const run = encodeSequences({ table, sequences }, f, {
      batchSize: 1,
      cancel,
      onProgress: (p) => {
        if (p.done === 1) cancel.cancelled = true;
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'EncoderError', code: 'cancelled' });
    expect(f.batches).toHaveLength(1);
  });

  it('sequence-text mode embeds each distinct journey as text', async () => {
    const { table, sequences } = await analyzeCsv(REES);
    const f = spy(createFeaturizer());
    const r = await encodeSequences({ table, sequences }, f, { mode: 'sequence-text' });
    expect(r.encoder.mode).toBe('sequence-text');
    expect(f.batches.flat().sort()).toEqual([
      'view: 4; purchase: electronics smartphone samsung',
      'view: electronics smartphone samsung; view: electronics smartphone samsung; cart: apple',
    ]);
    expect(r.encoder.texts).toBe(2);
  });

  it('rejects bad options with a message that says what is allowed', async () => {
    const { table, sequences } = await analyzeCsv(REES);
    await expect(encodeSequences({ table, sequences }, createFeaturizer(), { halfLifeDays: -1 })).rejects.toThrow(/half-life .* at least 0/);
    await expect(encodeSequences({ table, sequences }, createFeaturizer(), { batchSize: 0 })).rejects.toBeInstanceOf(EncoderError);
  });
});
