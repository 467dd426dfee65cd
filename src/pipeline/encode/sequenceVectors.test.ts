import { describe, expect, it } from 'vitest';
import { sequenceVectors } from './sequenceVectors';
import { analyzeCsv } from '../../../test/lib/testLog';
import { DEFAULT_EVENT_WEIGHTS, decay, typeWeights } from './weights';
import { EncoderError } from './errors';

// Three items with orthogonal unit vectors, so a sequence vector's coordinates are its weights.
const HEADER = 'user_id,item_id,event_type,timestamp,title';
const ITEMS: Record<string, string> = { x: 'shirt', y: 'jeans', z: 'hat' };
const ev = (u: string, item: string, type: string, t: string): string => `${u},${item},${type},${t},${ITEMS[item]}`;

async function vectorsOf(lines: string[], opts: { halfLifeDays?: number; weights?: Record<string, number> } = {}) {
  const { table, sequences } = await analyzeCsv([HEADER, ...lines]);
  const d = 3;
  const basis = new Float32Array(table.items.length * d);
  const textOf = new Int32Array(table.items.length);
  table.items.forEach((id, i) => {
    textOf[i] = i;
    basis[i * d + 'xyz'.indexOf(id)] = 1;
  });
  const out = sequenceVectors(table, sequences, textOf, basis, d, { halfLifeDays: opts.halfLifeDays ?? 0, weights: opts.weights });
  const byUser = new Map<string, number[]>();
  for (let s = 0; s < sequences.count; s++) byUser.set(table.users[sequences.key[s]], Array.from(out.vectors.subarray(s * d, s * d + d)));
  return { byUser, zeroVectors: out.zeroVectors };
}

const T0 = '2021-01-01 10:00:00';
const T1 = '2021-01-01 10:05:00';
const T2 = '2021-01-01 10:10:00';

describe('sequence vectors', () => {
  it('are L2-normalised weighted means of the item vectors', async () => {
    const { byUser } = await vectorsOf([ev('a', 'x', 'view', T0), ev('a', 'y', 'view', T1)]);
    const v = byUser.get('a')!;
    expect(v[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(v[1]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(Math.hypot(...v)).toBeCloseTo(1, 6);
  });

  it('a purchase moves the vector towards its item more than a view, and the order is view < click < cart < purchase', async () => {
    const towardsY = async (type: string): Promise<number> => {
      const { byUser } = await vectorsOf([ev('a', 'x', 'view', T0), ev('a', 'y', type, T1)]);
      return byUser.get('a')![1];
    };
    const [view, click, cart, purchase] = [await towardsY('view'), await towardsY('click'), await towardsY('cart'), await towardsY('purchase')];
    expect(click).toBeGreaterThan(view);
    expect(cart).toBeGreaterThan(click);
    expect(purchase).toBeGreaterThan(cart);
  });

  it('a return subtracts its item: buying and returning cancels out', async () => {
    const { byUser } = await vectorsOf([
      ev('kept', 'x', 'purchase', T0),
      ev('kept', 'y', 'purchase', T1),
      ev('returned', 'x', 'purchase', T0),
      ev('returned', 'y', 'purchase', T1),
      ev('returned', 'y', 'return', T2),
    ]);
    expect(byUser.get('kept')![1]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(byUser.get('returned')![0]).toBeCloseTo(1, 6);
    expect(byUser.get('returned')![1]).toBeCloseTo(0, 6);
  });

  it('leaves a sequence whose weights cancel exactly as a zero row and counts it', async () => {
    const { byUser, zeroVectors } = await vectorsOf([ev('a', 'x', 'purchase', T0), ev('a', 'x', 'return', T1)]);
    expect(byUser.get('a')).toEqual([0, 0, 0]);
    expect(zeroVectors).toBe(1);
  });

  it('weights can be overridden, custom types included', async () => {
    const lines = [ev('a', 'x', 'view', T0), ev('a', 'y', 'wishlist', T1)];
    const plain = (await vectorsOf(lines)).byUser.get('a')!;
    expect(plain[0]).toBeCloseTo(plain[1], 6); // custom types default to `other` = 1, as a view
    const heavy = (await vectorsOf(lines, { weights: { wishlist: 3 } })).byUser.get('a')!;
    expect(heavy[1]).toBeCloseTo(3 * heavy[0], 5);
  });

  it('recency decay halves an event every half-life before the sequence last event', async () => {
    const lines = [ev('a', 'x', 'view', '2021-01-01 00:00:00'), ev('a', 'y', 'view', '2021-01-11 00:00:00')];
    const v = (await vectorsOf(lines, { halfLifeDays: 10 })).byUser.get('a')!;
    expect(v[0] / v[1]).toBeCloseTo(0.5, 6);
    const off = (await vectorsOf(lines, { halfLifeDays: 0 })).byUser.get('a')!;
    expect(off[0] / off[1]).toBeCloseTo(1, 6);
  });
});

describe('weights', () => {
  it('defaults rank view < click < cart < purchase and make returns negative', () => {
    const w = DEFAULT_EVENT_WEIGHTS;
    expect(w.view < w.click && w.click < w.cart && w.cart < w.purchase).toBe(true);
    expect(w.return).toBeLessThan(0);
  });

  it('rejects a non-finite weight with a clear error', () => {
    expect(() => typeWeights(['view'], { view: NaN })).toThrow(EncoderError);
    expect(() => typeWeights(['view'], { view: NaN })).toThrow(/weight of "view"/);
  });

  it('decay is 1 without timestamps (NaN ages)', () => {
    expect(decay(NaN, 30)).toBe(1);
  });
});
