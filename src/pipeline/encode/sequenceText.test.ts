import { describe, expect, it } from 'vitest';
import { collectItemTexts } from './itemText';
import { sequenceTexts } from './sequenceText';
import { analyzeCsv } from '../../../test/lib/testLog';

// One token per word or punctuation mark: easy to count by hand.
const counter = (maxTokens: number) => ({
  maxTokens,
  specialTokens: 2,
  countTokens: (t: string) => t.match(/\w+|[^\s\w]/g)?.length ?? 0,
});

const LOG = [
  'user_id,item_id,event_type,timestamp,title',
  'u1,s1,view,2021-01-01 10:00:00,red shirt',
  'u1,j1,cart,2021-01-01 10:01:00,jeans',
  'u1,j1,purchase,2021-01-01 10:02:00,jeans',
  'u2,j1,view,2021-01-01 10:00:00,jeans',
];

describe('sequences as text', () => {
  it('writes "type: item" in time order, joined by "; "', async () => {
    const { table, sequences } = await analyzeCsv(LOG);
    const items = collectItemTexts(table, sequences);
    const out = sequenceTexts(table, sequences, items.textOf, items.texts, counter(512));
    const u1 = sequences.key.indexOf(table.users.indexOf('u1'));
    expect(out.texts[out.textOf[u1]]).toBe('view: red shirt; cart: jeans; purchase: jeans');
    expect(out.truncated).toBe(0);
  });

  it('keeps the most recent events that fit the model window', async () => {
    const { table, sequences } = await analyzeCsv(LOG);
    const items = collectItemTexts(table, sequences);
    // "cart: jeans; purchase: jeans" is 3 + 1 + 3 = 7 tokens; with [CLS]/[SEP] a window of 9 fits it exactly.
    const out = sequenceTexts(table, sequences, items.textOf, items.texts, counter(9));
    const u1 = sequences.key.indexOf(table.users.indexOf('u1'));
    expect(out.texts[out.textOf[u1]]).toBe('cart: jeans; purchase: jeans');
    expect(out.truncated).toBe(1);
    expect(out.eventsDropped).toBe(1);
  });

  it('always keeps the last event, even when it alone is longer than the window', async () => {
    const { table, sequences } = await analyzeCsv(LOG);
    const items = collectItemTexts(table, sequences);
    const out = sequenceTexts(table, sequences, items.textOf, items.texts, counter(3));
    const u1 = sequences.key.indexOf(table.users.indexOf('u1'));
    expect(out.texts[out.textOf[u1]]).toBe('purchase: jeans');
  });
});
