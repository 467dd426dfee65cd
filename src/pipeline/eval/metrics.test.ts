import { describe, expect, it } from 'vitest';
import { ndcgAtK, recallAtK } from './metrics';
import { dotScores, topK } from './rank';

describe('Recall@k and NDCG@k', () => {
  const ranked = [5, 3, 9, 1];
  const relevant = [1, 3, 7];
  it('count hits in the top k over all relevant items', () => {
    expect(recallAtK(ranked, relevant, 3)).toBeCloseTo(1 / 3, 12);
    expect(recallAtK(ranked, relevant, 4)).toBeCloseTo(2 / 3, 12);
    expect(recallAtK(ranked, relevant, 1)).toBe(0);
    expect(recallAtK([], relevant, 20)).toBe(0);
    expect(recallAtK(ranked, [], 20)).toBe(0);
  });

  it('discount hits by log2(rank + 1) against the ideal ranking', () => {
    const idcg = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
    expect(ndcgAtK(ranked, relevant, 3)).toBeCloseTo(1 / Math.log2(3) / idcg, 12);
    expect(ndcgAtK(ranked, relevant, 4)).toBeCloseTo((1 / Math.log2(3) + 1 / Math.log2(5)) / idcg, 12);
    expect(ndcgAtK([7, 1, 3], relevant, 20)).toBeCloseTo(1, 12);
    // With k below the number of relevant items the ideal has only k hits.
    expect(ndcgAtK([1, 2], relevant, 2)).toBeCloseTo(1 / (1 + 1 / Math.log2(3)), 12);
    expect(ndcgAtK([9], relevant, 20)).toBe(0);
  });
});

describe('top-k ranking', () => {
  it('orders by score, breaks ties by lower index and skips excluded items', () => {
    const scores = [0.5, 0.9, 0.9, 0.1, 0.7];
    const out = new Int32Array(3);
    expect(topK(scores, 5, 3, Uint8Array.of(0, 0, 0, 0, 1), out)).toBe(3);
    expect(Array.from(out)).toEqual([1, 2, 0]);
    expect(topK(scores, 5, 3, Uint8Array.of(0, 1, 0, 0, 0), out)).toBe(3);
    expect(Array.from(out)).toEqual([2, 4, 0]);
    const few = new Int32Array(3);
    expect(topK([NaN, 2], 2, 3, new Uint8Array(2), few)).toBe(1);
    expect(few[0]).toBe(1);
  });

  it('scores items by dot product with a user row', () => {
    const out = new Float64Array(2);
    dotScores(Float32Array.of(0, 0, 1, 2), 1, Float32Array.of(1, 1, 3, -1), 2, 2, out);
    expect(Array.from(out)).toEqual([3, 1]);
  });
});
