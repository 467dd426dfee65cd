// The again list's scoring on hand-made histories whose order is known: frequency, recency in days
// and in the user's own baskets, the item's repeat rate, its usual repurchase gap and its share of
// buyers each move an item the way their definition says, and nothing else moves it.
import { describe, expect, it } from 'vitest';
import { basketsFromRows, type BasketRow } from '../../eval/baskets';
import { againFeatures, againFor, fitAgain, type AgainParams } from './again';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

/** Rows from (user, day, items) triples; one basket per triple. */
function log(baskets: [number, number, number[]][], users: number, items: number) {
  const rows: BasketRow[] = [];
  baskets.forEach(([user, day, its], x) => {
    for (const item of its) rows.push({ user, item, basket: `b${String(x).padStart(4, '0')}`, time: T0 + day * DAY });
  });
  return basketsFromRows(rows, users, items);
}

const plain: AgainParams = { halfLife: Infinity, alpha: 0, due: 0 };
const rankOf = (items: Int32Array, i: number): number => Array.from(items).indexOf(i);

describe('again list scoring', () => {
  // User 0: item 0 every 7 days (days 0..70, last one 7 days before the log's last basket on day
  // 77), item 1 once on day 0, item 2 in the last basket only. User 1 ends the log on day 77.
  const hist: [number, number, number[]][] = [];
  for (let d = 0; d <= 70; d += 7) hist.push([0, d, d === 0 ? [0, 1] : [0]]);
  hist.push([0, 77, [2]]);
  hist.push([1, 77, [3]]);
  const b = log(hist, 2, 4);
  const idRank = Int32Array.from([0, 1, 2, 3]);
  const m = fitAgain(b, idRank, new Uint8Array(4));

  it('an item bought every 7 days and last bought 7 days ago ranks above one bought once long ago, under every setting tried', () => {
    for (const halfLife of [14, 60, 180, Infinity])
      for (const basketHalfLife of [1, 4, Infinity])
        for (const alpha of [0, 0.5, 1, 2])
          for (const due of [0, 1])
            for (const beta of [0, 0.25, 1, 2]) {
              const items = againFor(m, 0, 10, { halfLife, basketHalfLife, alpha, due, beta }).items;
              expect(rankOf(items, 0), JSON.stringify({ halfLife, basketHalfLife, alpha, due, beta })).toBeLessThan(rankOf(items, 1));
            }
  });

  it('features: ages in days and in the user own baskets, one per basket holding the item', () => {
    const f = againFeatures(m, 0);
    expect(Array.from(f.items)).toEqual([0, 1, 2]);
    const t = Array.from(f.items).indexOf(1);
    expect(Array.from(f.ages.subarray(f.agePtr[t], f.agePtr[t + 1]))).toEqual([77]);
    expect(Array.from(f.basketAges.subarray(f.agePtr[t], f.agePtr[t + 1]))).toEqual([11]);
    const a = Array.from(f.items).indexOf(0);
    expect(f.agePtr[a + 1] - f.agePtr[a]).toBe(11);
    expect(Math.min(...f.basketAges.subarray(f.agePtr[a], f.agePtr[a + 1]))).toBe(1);
  });

  it('recency: with no decay, count decides; with a short half-life in days or in baskets, the last basket item comes first', () => {
    expect(Array.from(againFor(m, 0, 10, plain).items)).toEqual([0, 1, 2]);
    expect(Array.from(againFor(m, 0, 10, { ...plain, halfLife: 1 }).items)).toEqual([2, 0, 1]);
    expect(Array.from(againFor(m, 0, 10, { ...plain, basketHalfLife: 0.5 }).items)).toEqual([2, 0, 1]);
    // Items 1 and 2 are each bought once: the one in a later basket is ahead under either half-life.
    for (const p of [
      { ...plain, halfLife: 60 },
      { ...plain, basketHalfLife: 4 },
    ]) {
      const items = againFor(m, 0, 10, p).items;
      expect(rankOf(items, 2)).toBeLessThan(rankOf(items, 1));
    }
  });

  it("the item's share of buyers breaks what the user's history leaves equal, and only with beta > 0", () => {
    // Users 0..3 buy items 0 and 1 once in the same basket; item 1 is also bought by users 1..3,
    // item 0 only by user 0. Without beta the tie goes by id order (0 first).
    const rows: [number, number, number[]][] = [
      [0, 0, [0, 1]],
      [0, 5, [2]],
      [1, 0, [1]],
      [2, 1, [1]],
      [3, 2, [1]],
    ];
    const mb = fitAgain(log(rows, 4, 3), Int32Array.from([0, 1, 2]), new Uint8Array(3));
    expect(Array.from(againFor(mb, 0, 2, plain).items)).toEqual([0, 1]);
    expect(Array.from(againFor(mb, 0, 2, { ...plain, beta: 1 }).items)).toEqual([1, 0]);
    expect(mb.share[1]).toBeCloseTo(5 / 6);
    expect(mb.share[0]).toBeCloseTo(2 / 6);
  });

  it('an item whose usual repurchase gap has elapsed is due: it moves ahead with due > 0', () => {
    // Users 1..3 rebuy item 0 every 30 days and item 1 every 2 days. User 0 bought both once, on
    // day 0, and the log ends on day 30: item 0 is due, item 1 is long overdue (not due).
    const rows: [number, number, number[]][] = [[0, 0, [1, 0]]];
    for (let u = 1; u <= 3; u++) rows.push([u, 0, [0, 1]], [u, 2, [1]], [u, 30, [0]]);
    const md = fitAgain(log(rows, 4, 2), Int32Array.from([1, 0]), new Uint8Array(2));
    expect(md.gap[0]).toBe(30);
    expect(md.gap[1]).toBe(2);
    expect(Array.from(againFor(md, 0, 2, plain).items)).toEqual([1, 0]);
    expect(Array.from(againFor(md, 0, 2, { ...plain, due: 1 }).items)).toEqual([0, 1]);
  });

  it('excluded items never appear, whatever their score', () => {
    const ex = new Uint8Array(4);
    ex[0] = 1;
    const me = fitAgain(b, idRank, ex);
    expect(Array.from(againFor(me, 0, 10, plain).items)).toEqual([1, 2]);
  });
});
