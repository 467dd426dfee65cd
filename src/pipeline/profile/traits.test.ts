import { describe, expect, it } from 'vitest';
import { clusterTraits, type TraitValues } from './traits';

describe('cluster traits in words', () => {
  it('says "1 order", "1 line", "1 day" for one and the plural otherwise', () => {
    // Cluster 0: customers 0-1, one order of one line, last seen a day before the end; cluster 1: the rest.
    const v: TraitValues = {
      orders: Float64Array.from([1, 1, 4, 4, 6, 4]),
      spend: null,
      basket: Float64Array.from([1, 1, 3, 5, 5, 3]),
      recency: Float64Array.from([1, 1, 30, 40, 30, 50]),
      cadence: null,
      events: Float64Array.from([2, 2, 12, 20, 30, 12]),
    };
    const [one, many] = clusterTraits(v, Int32Array.from([0, 1, 2, 3, 4, 5]), Int32Array.from([0, 2, 6]));
    const text = (list: typeof one, key: string): string => list.find((t) => t.key === key)?.text ?? '';
    expect(text(one, 'orders')).toBe('1 order per customer (typical customer: 4)');
    expect(text(one, 'basket')).toBe('1 line per order (typical customer: 3)');
    expect(text(one, 'recency')).toBe('last seen 1 day before the log ends (typical customer: 30)');
    expect(text(many, 'orders')).toBe('4 orders per customer (typical customer: 4)');
    expect(text(many, 'basket')).toBe('4 lines per order (typical customer: 3)');
  });
});
