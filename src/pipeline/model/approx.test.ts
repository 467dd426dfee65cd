// The item-vector approximation by hand on tiny logs: weights by type name ('other' for the rest),
// the app's recency decay, cancelling weights, unknown items, centroids per segment and the nearest
// centre with ties to the lowest cluster.
import { describe, expect, it } from 'vitest';
import {
  approxAgreement,
  approxCentroids,
  approxWeights,
  assignNearest,
  poolItemVectors,
  rowsById,
  sqlWithHalfLife,
  userClusters,
  type ApproxEvents,
} from './approx';

const DAY = 86_400_000;

function events(rows: [user: number, item: number, type: number, time: number][], users = 3): ApproxEvents {
  return {
    length: rows.length,
    user: Int32Array.from(rows, (r) => r[0]),
    item: Int32Array.from(rows, (r) => r[1]),
    type: Uint8Array.from(rows, (r) => r[2]),
    time: Float64Array.from(rows, (r) => r[3]),
    typeNames: ['view', 'click', 'cart', 'purchase', 'return', 'wishlist'],
    users: Array.from({ length: users }, (_, i) => `u${i}`),
  };
}

// Three items on the axes of a 2-d space, and one diagonal.
const items = Float32Array.from([1, 0, 0, 1, -1, 0, 1, 1]);

describe('poolItemVectors', () => {
  it('sums weighted item vectors, normalised, with the app weights, decay and "other" for unknown types', () => {
    const w = approxWeights({ view: 2 });
    expect(w).toMatchObject({ view: 2, purchase: 5, return: -5, other: 1 });
    const log = events([
      // u0: a purchase of item 0 now, a view of item 1 30 days earlier (half the weight at a 30-day half-life).
      [0, 0, 3, 100 * DAY],
      [0, 1, 0, 70 * DAY],
      // u1: bought item 0 and returned it: cancels, no vector.
      [1, 0, 3, 5 * DAY],
      [1, 0, 4, 5 * DAY],
      // u2: a 'wishlist' event (weight of 'other') on item 1, no time; and an event without a user.
      [2, 1, 5, Number.NaN],
      [-1, 0, 3, 0],
    ]);
    const p = poolItemVectors(log, items, 2, w, { halfLifeDays: 30 });
    expect(Array.from(p.valid)).toEqual([1, 0, 1]);
    // u0: 5 * (1,0) + 2 * 0.5 * (0,1) = (5, 1), normalised.
    const norm = Math.hypot(5, 1);
    expect(p.vectors[0]).toBeCloseTo(5 / norm, 12);
    expect(p.vectors[1]).toBeCloseTo(1 / norm, 12);
    expect(Array.from(p.vectors.subarray(2, 4))).toEqual([0, 0]);
    expect(Array.from(p.vectors.subarray(4, 6))).toEqual([0, 1]);
    // Without decay both count fully: (5, 2).
    const flat = poolItemVectors(log, items, 2, w, { halfLifeDays: 0 });
    expect(flat.vectors[1] / flat.vectors[0]).toBeCloseTo(2 / 5, 12);
  });

  it('leaves out items without a vector (rowOf -1), and a customer with only those has none', () => {
    const log = events([
      [0, 0, 0, 0],
      [0, 1, 0, 0],
      [1, 1, 0, 0],
    ]);
    // Log item 0 is vector row 2, log item 1 has none.
    const rowOf = rowsById(['a', 'b'], ['x', 'y', 'a']);
    expect(Array.from(rowOf)).toEqual([2, -1]);
    const p = poolItemVectors(log, items, 2, approxWeights(), { halfLifeDays: 30, rowOf });
    expect(Array.from(p.valid)).toEqual([1, 0, 0]);
    expect(Array.from(p.vectors.subarray(0, 2))).toEqual([-1, 0]);
  });
});

describe('approxCentroids and assignNearest', () => {
  it('averages each segment in the pooled space and assigns to the nearest, ties to the lowest cluster', () => {
    const pooled = { n: 4, d: 2, vectors: Float64Array.from([1, 0, 0, 1, Math.SQRT1_2, Math.SQRT1_2, 0, 0]), valid: Uint8Array.from([1, 1, 1, 0]) };
    // Segment 2 has only a customer without a vector: a NaN row, never nearest.
    const c = approxCentroids(pooled, Int32Array.from([0, 1, 1, 2]), 3);
    expect(c.dims).toBe(2);
    expect(c.centroids[0]).toBe(1);
    expect(c.centroids[2]).toBeCloseTo(Math.SQRT1_2 / 2, 6);
    expect(c.centroids[3]).toBeCloseTo((1 + Math.SQRT1_2) / 2, 6);
    expect(Number.isNaN(c.centroids[4])).toBe(true);
    const a = assignNearest(pooled, c);
    expect(Array.from(a.cluster)).toEqual([0, 1, 1, -1]);
    expect(a.distance[0]).toBe(0);
    expect(Number.isNaN(a.distance[3])).toBe(true);

    // Two equal centres: the lower one wins.
    const tie = assignNearest(pooled, { dims: 2, centroids: Float32Array.from([0, 0, 5, 5, 5, 5]) });
    expect(Array.from(tie.cluster)).toEqual([0, 0, 0, -1]);
    const mirror = assignNearest(
      { n: 1, d: 2, vectors: Float64Array.from([0, 1]), valid: Uint8Array.from([1]) },
      { dims: 2, centroids: Float32Array.from([1, 1, -1, 1]) },
    );
    expect(Array.from(mirror.cluster)).toEqual([0]);
  });

  it('reads per-user clusters from sequences and compares two assignments with chance', () => {
    expect(Array.from(userClusters(4, Int32Array.from([3, 0]), Int32Array.from([1, 2])))).toEqual([2, -1, -1, 1]);
    const r = approxAgreement(Int32Array.from([0, 0, 1, 1, -1]), Int32Array.from([0, 1, 1, 1, 0]), 2);
    expect(r).toEqual({ compared: 4, agree: 3, agreement: 0.75, chance: 0.5 * 0.25 + 0.5 * 0.75 });
  });
});

describe('sqlWithHalfLife', () => {
  it('sets the params CTE', () => {
    expect(sqlWithHalfLife('SELECT CAST(30 AS DOUBLE) AS half_life_days', 7.5)).toBe('SELECT CAST(7.5 AS DOUBLE) AS half_life_days');
    expect(() => sqlWithHalfLife('SELECT 1', 7)).toThrow(/half_life_days/);
  });
});
