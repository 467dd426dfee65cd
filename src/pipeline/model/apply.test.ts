// How the apply step gives vectors to the items of a new log: items the model knows get their
// saved row; new items with a title or category get their text's vector from the text encoder;
// new items with nothing but an id get the model's average item (popularityRow), unless the model
// itself was made from ids alone. A customer whose vector did not change keeps their saved segment.
import { describe, expect, it } from 'vitest';
import { smallModel } from '../../../test/lib/savedModel';
import { analyzeCsv } from '../../../test/lib/testLog';
import { createFeaturizer } from '../encode';
import { catalogueEmbedder, keepUnchanged, popularityRow } from './apply';
import { rowHash } from './build';

const HEADER = 'event_time,event_type,product_id,user_id,title';
/** item-1 and item-2 are the model's; new-titled has a title; new-bare has only its id. */
const LOG = [
  HEADER,
  '2021-01-01 10:00:00,view,item-1,u1,Title 1 ✓',
  '2021-01-01 10:01:00,view,item-2,u1,Title 2 ✓',
  '2021-01-01 10:02:00,view,new-titled,u2,Red enamel teapot',
  '2021-01-01 10:03:00,view,new-bare,u2,',
];

function rowOf(m: ReturnType<typeof smallModel>, i: number): Float32Array {
  const d = m.catalogue.itemDims;
  return m.catalogue.itemText.slice(i * d, (i + 1) * d);
}

describe('catalogueEmbedder', () => {
  it('saved rows for known items, the text encoder for titled new ones, the average item for bare new ones', async () => {
    const model = smallModel(1, { d: 16 });
    const { table } = await analyzeCsv(LOG);
    const inner = createFeaturizer({ dims: 16 });
    const { embedder, unseen, byPopularity } = catalogueEmbedder(inner, model, table, 'test');
    expect(unseen).toBe(2);
    expect(byPopularity).toBe(1);
    const out = await embedder.embed(['Title 1 ✓', 'Title 2 ✓', 'Red enamel teapot', 'new-bare']);
    const d = 16;
    expect(out.slice(0, d)).toEqual(rowOf(model, 1));
    expect(out.slice(d, 2 * d)).toEqual(rowOf(model, 2));
    expect(out.slice(2 * d, 3 * d)).toEqual(await inner.embed(['Red enamel teapot']));
    expect(out.slice(3 * d, 4 * d)).toEqual(popularityRow(model));
  });

  it('the average item is the count-weighted mean of the saved rows, zero rows left out', () => {
    const model = smallModel(2, { items: 3, d: 4 });
    const c = model.catalogue;
    c.itemText = Float32Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0]);
    c.counts = Int32Array.from([1, 50, 3]);
    // Item 1 has a zero row (nothing known about it): its 50 events do not pull the mean to 0.
    expect(Array.from(popularityRow(model))).toEqual([0.25, 1.5, 0, 0]);
  });

  it('a model made from ids alone embeds new ids the same way', async () => {
    const model = smallModel(3, { d: 16 });
    model.catalogue.titles = model.catalogue.titles.map(() => '');
    model.catalogue.categories = model.catalogue.categories.map(() => '');
    const { table } = await analyzeCsv(LOG);
    const inner = createFeaturizer({ dims: 16 });
    const { embedder, byPopularity } = catalogueEmbedder(inner, model, table, 'test');
    expect(byPopularity).toBe(0);
    expect(await embedder.embed(['new-bare'])).toEqual(await inner.embed(['new-bare']));
  });
});

describe('keepUnchanged', () => {
  it('a saved customer with the same vector keeps their segment; a changed, new or too-short one is left to the centres', () => {
    const model = smallModel(4, { users: 6, k: 3, d: 2 });
    const c = model.clustering;
    const saved = Float32Array.from([1, 0, 0, 1, 0.5, 0.5, -1, 0, 0, -1]);
    c.userIds = ['a', 'b', 'c', 'd', 'e', 'short'];
    c.clusters = Int32Array.from([2, 0, 1, 1, 0, -1]);
    c.vectorHashes = Int32Array.from({ length: 5 }, (_, i) => rowHash(saved, i, 2));
    // The new log: b, e and d unchanged (their saved segments 0, 0, 1), a changed, z new.
    const ids = ['b', 'a', 'z', 'e', 'd'];
    const vectors = Float32Array.from([0, 1, 1, 0.001, 3, 3, 0, -1, -1, 0]);
    const labels = Int32Array.from([1, 1, 1, 2, 2]);
    expect(keepUnchanged(labels, vectors, 2, ids, c)).toBe(3);
    expect(Array.from(labels)).toEqual([0, 1, 1, 0, 1]);
    // A file written before the hashes: nothing changes.
    const before = Int32Array.from([1, 1, 1, 2, 2]);
    expect(keepUnchanged(before, vectors, 2, ids, { ...c, vectorHashes: null })).toBe(0);
    expect(Array.from(before)).toEqual([1, 1, 1, 2, 2]);
  });
});
