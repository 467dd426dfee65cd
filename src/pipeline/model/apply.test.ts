// How the apply step gives vectors to the items of a new log: items the model knows get their
// saved row; new items with a title or category get their text's vector from the text encoder;
// new items with nothing but an id get the model's average item (popularityRow), unless the model
// itself was made from ids alone.
import { describe, expect, it } from 'vitest';
import { smallModel } from '../../../test/lib/savedModel';
import { analyzeCsv } from '../../../test/lib/testLog';
import { createFeaturizer } from '../encode';
import { catalogueEmbedder, popularityRow } from './apply';

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
