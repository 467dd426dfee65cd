import { describe, expect, it } from 'vitest';
import { Random } from '../numeric/sfc32';
import { buildBatch, chooseMasked, RowMap } from './batch';
import { ITEM_CLS, ITEM_MASK, ITEM_PAD, ITEM_SPECIALS, typeCls, typeMask, typePad } from './model';
import { GAP_FIRST, GAP_PAD, type SeqTokens } from './tokens';

/** Two sequences: 4 events and 2 events, items and types chosen so each token is recognisable. */
function tokens(): SeqTokens {
  return {
    count: 2,
    maxLen: 10,
    offsets: Int32Array.from([0, 4, 6]),
    item: Int32Array.from([5, 6, 7, 5, 9, 8]),
    type: Uint8Array.from([0, 0, 2, 3, 0, 3]),
    gap: Uint8Array.from([GAP_FIRST, 2, 3, 4, GAP_FIRST, 7]),
  };
}

describe('masking', () => {
  it('chooses round(rate * n) distinct tokens, at least one', () => {
    const rng = new Random(1);
    const scratch = new Int32Array(50);
    const out = new Int32Array(50);
    for (const n of [1, 2, 7, 50]) {
      for (let rep = 0; rep < 20; rep++) {
        const k = chooseMasked(n, 0.2, rng, scratch, out);
        expect(k).toBe(Math.min(n, Math.max(1, Math.round(0.2 * n))));
        const picked = Array.from(out.subarray(0, k));
        expect(new Set(picked).size).toBe(k);
        for (const p of picked) expect(p >= 0 && p < n).toBe(true);
      }
    }
  });

  it('masks about the rate over many sequences, each position alike', () => {
    const rng = new Random(2);
    const n = 40;
    const hits = new Float64Array(n);
    const scratch = new Int32Array(n);
    const out = new Int32Array(n);
    const reps = 4000;
    for (let r = 0; r < reps; r++) {
      const k = chooseMasked(n, 0.15, rng, scratch, out);
      for (let i = 0; i < k; i++) hits[out[i]]++;
    }
    for (const h of hits) expect(Math.abs(h / reps - 6 / 40)).toBeLessThan(0.03);
  });
});

describe('buildBatch', () => {
  it('lays out events right-aligned before the CLS column, padding first, without masking', () => {
    const tok = tokens();
    const types = 5;
    const b = buildBatch(
      tok,
      [
        { seq: 0, from: 0, len: 4 },
        { seq: 1, from: 0, len: 2 },
      ],
      types,
      10,
      new RowMap(10),
      null,
    );
    expect(b.B).toBe(2);
    expect(b.T).toBe(5);
    const item = (row: number): number => (row >= ITEM_SPECIALS ? b.rowItems[row - ITEM_SPECIALS] : -1);
    // Row 0: four events then CLS. Row 1: two padding columns, two events, CLS.
    expect(Array.from(b.itemRow, item)).toEqual([5, 6, 7, 5, -1, -1, -1, 9, 8, -1]);
    expect(Array.from(b.itemRow.subarray(4, 7))).toEqual([ITEM_CLS, ITEM_PAD, ITEM_PAD]);
    expect(b.itemRow[9]).toBe(ITEM_CLS);
    const cls = typeCls(types);
    const pad = typePad(types);
    expect(Array.from(b.type)).toEqual([0, 0, 2, 3, cls, pad, pad, 0, 3, cls]);
    expect(Array.from(b.gap)).toEqual([GAP_FIRST, 2, 3, 4, 0, 0, 0, GAP_FIRST, 7, 0]);
    expect(Array.from(b.keyBias)).toEqual([0, 0, 0, 0, 0, -1e9, -1e9, 0, 0, 0].map(Math.fround));
    expect(Array.from(b.poolMask)).toEqual([1, 1, 1, 1, 0, 0, 0, 1, 1, 0]);
    expect(b.tokens).toBe(6);
    expect(b.maskedAt.length).toBe(0);
  });

  it('records masked targets, puts them first among the candidates, and hides 80% of them', () => {
    const tok: SeqTokens = {
      count: 1,
      maxLen: 200,
      offsets: Int32Array.from([0, 200]),
      item: Int32Array.from({ length: 200 }, (_, i) => i % 50),
      type: Uint8Array.from({ length: 200 }, (_, i) => i % 4),
      gap: new Uint8Array(200).fill(3),
    };
    const rng = new Random(4);
    const rows = new RowMap(1000);
    let masked = 0;
    let hidden = 0;
    let kept = 0;
    for (let rep = 0; rep < 30; rep++) {
      const b = buildBatch(tok, [{ seq: 0, from: 0, len: 200 }], 4, 1000, rows, { rate: 0.2, rng, negatives: 64 });
      expect(b.maskedAt.length).toBe(40);
      for (let m = 0; m < b.maskedAt.length; m++) {
        const at = b.maskedAt[m];
        const off = at - (b.T - 1 - 200);
        expect(b.rowItems[b.targetRow[m]]).toBe(tok.item[off]);
        expect(b.targetType[m]).toBe(tok.type[off]);
        expect(b.targetRow[m]).toBeLessThan(b.candidates);
        masked++;
        if (b.itemRow[at] === ITEM_MASK) {
          hidden++;
          expect(b.type[at]).toBe(typeMask(4));
        } else if (b.rowItems[b.itemRow[at] - ITEM_SPECIALS] === tok.item[off]) kept++;
      }
      // Candidates: the distinct targets plus up to 64 sampled negatives.
      const distinctTargets = new Set(Array.from(b.targetRow)).size;
      expect(b.candidates).toBeGreaterThanOrEqual(distinctTargets);
      expect(b.candidates).toBeLessThanOrEqual(distinctTargets + 64);
      // Unmasked tokens are unchanged.
      for (let i = 0; i < 200; i++) {
        const at = b.T - 1 - 200 + i;
        if (!b.maskedAt.includes(at)) expect(b.rowItems[b.itemRow[at] - ITEM_SPECIALS]).toBe(tok.item[i]);
      }
    }
    expect(Math.abs(hidden / masked - 0.8)).toBeLessThan(0.06);
    // Kept: the 10% unchanged, plus random replacements that happen to draw the same item.
    expect(kept / masked).toBeGreaterThan(0.05);
    expect(kept / masked).toBeLessThan(0.16);
  });

  it('with a full softmax every item is a candidate, in item order', () => {
    const tok = tokens();
    const b = buildBatch(tok, [{ seq: 0, from: 1, len: 3 }], 5, 12, new RowMap(12), { rate: 0.5, rng: new Random(1), negatives: 'full' });
    expect(b.candidates).toBe(12);
    expect(Array.from(b.rowItems.subarray(0, 12))).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(b.T).toBe(4);
    expect(b.maskedAt.length).toBe(2);
    // A crop: tokens 1..3 of sequence 0.
    for (let m = 0; m < 2; m++) expect([6, 7, 5]).toContain(b.rowItems[b.targetRow[m]]);
  });

  it('item noise swaps the unmasked items of its row only, keeping types and gaps', () => {
    const n = 200;
    const tok: SeqTokens = {
      count: 1,
      maxLen: n,
      offsets: Int32Array.from([0, n]),
      item: new Int32Array(n).fill(7),
      type: Uint8Array.from({ length: n }, (_, i) => i % 3),
      gap: new Uint8Array(n).fill(4),
    };
    const b = buildBatch(
      tok,
      [
        { seq: 0, from: 0, len: n },
        { seq: 0, from: 0, len: n, itemNoise: 0.5 },
      ],
      3,
      1000,
      new RowMap(1000),
      { rate: 0.1, rng: new Random(8), negatives: 16 },
    );
    const masked = new Set(Array.from(b.maskedAt));
    let swapped = 0;
    let unmasked = 0;
    for (let row = 0; row < 2; row++) {
      for (let i = 0; i < n; i++) {
        const at = row * b.T + i; // both rows are full: no padding
        if (masked.has(at)) continue;
        expect(b.type[at]).toBe(tok.type[i]);
        expect(b.gap[at]).toBe(4);
        const item = b.rowItems[b.itemRow[at] - ITEM_SPECIALS];
        if (row === 0) expect(item).toBe(7);
        else {
          unmasked++;
          if (item !== 7) swapped++;
        }
      }
    }
    expect(Math.abs(swapped / unmasked - 0.5)).toBeLessThan(0.12);
    // Masked targets are the true items in both rows.
    for (let m = 0; m < b.maskedAt.length; m++) expect(b.rowItems[b.targetRow[m]]).toBe(7);
  });
  it('copies the item recency of unmasked events and hides it at masked ones, padding and CLS', () => {
    const n = 100;
    const tok: SeqTokens = {
      count: 2,
      maxLen: n,
      offsets: Int32Array.from([0, n, n + 3]),
      item: Int32Array.from({ length: n + 3 }, (_, i) => i % 10),
      type: new Uint8Array(n + 3),
      gap: new Uint8Array(n + 3).fill(4),
      recency: Uint8Array.from({ length: n + 3 }, (_, i) => (i < 10 ? GAP_FIRST : 2 + (i % 11))),
    };
    const b = buildBatch(
      tok,
      [
        { seq: 0, from: 0, len: n },
        { seq: 1, from: 0, len: 3 },
      ],
      1,
      10,
      new RowMap(10),
      { rate: 0.2, rng: new Random(3), negatives: 'full' },
    );
    const masked = new Set(Array.from(b.maskedAt));
    expect(masked.size).toBe(21);
    for (let i = 0; i < n; i++) expect(b.recency[i]).toBe(masked.has(i) ? GAP_PAD : tok.recency![i]);
    expect(b.recency[n]).toBe(GAP_PAD); // CLS
    // Row 1: padding columns, then its 3 events (one masked), then CLS.
    const row1 = Array.from(b.recency.subarray(b.T, 2 * b.T));
    expect(row1.slice(0, b.T - 4).every((r) => r === GAP_PAD)).toBe(true);
    for (let i = 0; i < 3; i++) {
      const at = b.T + b.T - 4 + i;
      expect(b.recency[at]).toBe(masked.has(at) ? GAP_PAD : tok.recency![n + i]);
    }
    // Without a recency column every token reads GAP_PAD.
    const plain = buildBatch(tokens(), [{ seq: 0, from: 0, len: 4 }], 5, 10, new RowMap(10), null);
    expect(Array.from(plain.recency).every((r) => r === GAP_PAD)).toBe(true);
  });

  it('an anonymous row hides every item, keeps types, gaps and recency, and is never masked', () => {
    const tok: SeqTokens = { ...tokens(), recency: Uint8Array.from([GAP_FIRST, GAP_FIRST, GAP_FIRST, 5, GAP_FIRST, GAP_FIRST]) };
    const b = buildBatch(
      tok,
      [
        { seq: 0, from: 0, len: 4 },
        { seq: 0, from: 0, len: 4, anonymous: true },
      ],
      5,
      10,
      new RowMap(10),
      { rate: 0.5, rng: new Random(2), negatives: 4 },
    );
    // Only the first row's tokens are masked (round(0.5 * 4) = 2).
    expect(b.maskedAt.length).toBe(2);
    for (const at of b.maskedAt) expect(at).toBeLessThan(b.T);
    for (let i = 0; i < 4; i++) {
      const at = b.T + i; // the second row is full: no padding
      expect(b.itemRow[at]).toBe(ITEM_MASK);
      expect(b.type[at]).toBe(tok.type[i]);
      expect(b.gap[at]).toBe(tok.gap[i]);
      expect(b.recency[at]).toBe(tok.recency![i]);
      expect(b.poolMask[at]).toBe(1);
    }
    expect(b.itemRow[2 * b.T - 1]).toBe(ITEM_CLS);
    // No item of the anonymous row enters the item table.
    const firstRow = new Set(Array.from(b.itemRow.subarray(0, b.T)).filter((r) => r >= ITEM_SPECIALS));
    expect(b.rowItems.length).toBeGreaterThanOrEqual(firstRow.size);
  });
});
