import { describe, expect, it } from 'vitest';
import { kmeans } from '../cluster';
import { adjustedRandIndex } from '../cluster/agreement';
import { applySegmentSpace, fitSegmentSpace, segmentDims, TASTE_AXES, TASTE_MIN_GAIN, TASTE_WEIGHT, TEST_CLOUDS } from './segmentSpace';

/** Seeded uniform in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** Total variance of columns [from, to) of an n x d matrix. */
function blockVariance(x: Float32Array, n: number, d: number, from: number, to: number): number {
  let total = 0;
  for (let j = from; j < to; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += x[i * d + j];
    m /= n;
    for (let i = 0; i < n; i++) total += (x[i * d + j] - m) ** 2 / n;
  }
  return total;
}

/** n customers with a personal taste over `cats` categories: a continuum, no groups (the taste block's columns are categories). */
function personalTastes(r: () => number, n: number, cats: number): Float32Array {
  const x = new Float32Array(n * cats);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < cats; c++) {
      const g = -Math.log(1 - r()) * (0.5 + r());
      x[i * cats + c] = g;
      sum += g;
    }
    for (let c = 0; c < cats; c++) x[i * cats + c] /= sum;
  }
  return x;
}

/**
 * n customers in `groups` groups by taste: each group favours its own `favourites` categories
 * (60% of what they buy), beside a personal taste.
 */
function groupedTastes(r: () => number, n: number, cats: number, groups: number, favourites = 3): { x: Float32Array; group: Int32Array } {
  const x = personalTastes(r, n, cats);
  const group = Int32Array.from({ length: n }, (_, i) => i % groups);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < cats; c++) x[i * cats + c] *= 0.4;
    for (let f = 0; f < favourites; f++) x[i * cats + ((group[i] * favourites + f) % cats)] += 0.6 / favourites;
  }
  return { x, group };
}

describe('the segment space', () => {
  it('gives each block its own total variance, whatever its width and units, and keeps the taste axes', () => {
    const r = rng(1);
    const n = 300;
    const behaviour = Float32Array.from({ length: n * 8 }, () => 40 * gauss(r) + 7);
    const { x: taste } = groupedTastes(r, n, 50, 4);
    const { space, check } = fitSegmentSpace(behaviour, 8, taste, 50, n);
    expect(check.used).toBe(true);
    const s = space!;
    expect(s.tasteAxes).toBe(TASTE_AXES);
    const x = applySegmentSpace(s, behaviour, taste, n);
    const d = 8 + TASTE_AXES;
    expect(blockVariance(x, n, d, 0, 8)).toBeCloseTo(1, 5);
    // The taste axes hold most, not all, of the taste block's TASTE_WEIGHT squared, the first the most.
    const kept = blockVariance(x, n, d, 8, d);
    expect(kept).toBeLessThan(TASTE_WEIGHT ** 2 + 1e-9);
    expect(kept).toBeGreaterThan(0.5 * TASTE_WEIGHT ** 2);
    expect(blockVariance(x, n, d, 8, 9)).toBeGreaterThan(blockVariance(x, n, d, d - 1, d));
    // The axes are unit columns, at right angles.
    for (let a = 0; a < TASTE_AXES; a++)
      for (let b = a; b < TASTE_AXES; b++) {
        let dot = 0;
        for (let j = 0; j < 50; j++) dot += s.axes[j * TASTE_AXES + a] * s.axes[j * TASTE_AXES + b];
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 6);
      }
  });

  it('leaves out the behaviour columns that are 0 for everyone, which changes no distance', () => {
    const r = rng(5);
    const n = 200;
    // Columns 1 and 3 are 0 for everyone, as the axes the BERT's whitening drops.
    const behaviour = Float32Array.from({ length: n * 5 }, (_, i) => (i % 5 === 1 || i % 5 === 3 ? 0 : gauss(r)));
    const { x: taste } = groupedTastes(r, n, 30, 3);
    const space = fitSegmentSpace(behaviour, 5, taste, 30, n).space!;
    expect(Array.from(space.behaviourColumns)).toEqual([0, 2, 4]);
    expect(segmentDims(space)).toBe(3 + TASTE_AXES);
    const x = applySegmentSpace(space, behaviour, taste, n);
    const d = segmentDims(space);
    // The three behaviour columns, standardised within a block of 5: variance 1/5 each.
    for (let c = 0; c < 3; c++) expect(blockVariance(x, n, d, c, c + 1)).toBeCloseTo(1 / 5, 5);
    expect(x[0]).toBeCloseTo((behaviour[0] - space.mean[0]) * space.scale[0], 6);
    expect(x[1]).toBeCloseTo((behaviour[2] - space.mean[2]) * space.scale[2], 6);
  });

  it('lets what they buy join only when customers form groups by it', () => {
    const r = rng(4);
    const n = 600;
    const behaviour = Float32Array.from({ length: n * 16 }, () => gauss(r));
    const alone = fitSegmentSpace(behaviour, 16, personalTastes(r, n, 40), 40, n);
    expect(alone.space).toBeNull();
    expect(alone.check.used).toBe(false);
    expect(alone.check.gain).toBeLessThan(TASTE_MIN_GAIN);
    expect(alone.check.customers).toBe(n);
    const grouped = fitSegmentSpace(behaviour, 16, groupedTastes(r, n, 40, 3).x, 40, n);
    expect(grouped.check.used).toBe(true);
    expect(grouped.check.gain).toBeGreaterThanOrEqual(TASTE_MIN_GAIN);
    expect(grouped.space).not.toBeNull();
    // The same answer every time (seeded k-means and cloud).
    expect(fitSegmentSpace(behaviour, 16, groupedTastes(rng(4), n, 40, 3).x, 40, n).check.gain).toBeGreaterThan(0);
    expect(fitSegmentSpace(behaviour, 16, personalTastes(rng(9), n, 40), 40, n).check).toEqual(
      fitSegmentSpace(behaviour, 16, personalTastes(rng(9), n, 40), 40, n).check,
    );
  });

  it('compares with several clouds, so the gain moves less with the clouds drawn than with one', () => {
    const n = 300;
    const behaviour = Float32Array.from({ length: n * 4 }, () => gauss(rng(7)));
    const gains = (taste: Float32Array, clouds: number): number[] =>
      [1, 2, 3, 4, 5, 6].map((cloudSeed) => fitSegmentSpace(behaviour, 4, taste, 40, n, { clouds, cloudSeed }).check.gain);
    const spread = (xs: number[]): number => Math.max(...xs) - Math.min(...xs);
    for (const taste of [personalTastes(rng(11), n, 40), groupedTastes(rng(12), n, 40, 3).x]) {
      const one = gains(taste, 1);
      const averaged = gains(taste, TEST_CLOUDS);
      expect(spread(averaged)).toBeLessThan(0.75 * spread(one));
      // The same decision whatever the clouds' seed.
      expect(new Set(averaged.map((g) => g >= TASTE_MIN_GAIN)).size).toBe(1);
    }
    expect(gains(personalTastes(rng(11), n, 40), TEST_CLOUDS).every((g) => g < TASTE_MIN_GAIN)).toBe(true);
    expect(gains(groupedTastes(rng(12), n, 40, 3).x, TEST_CLOUDS).every((g) => g >= TASTE_MIN_GAIN)).toBe(true);
  });

  it('places other customers by the fitted means, scales and axes, not by refitting to them', () => {
    const r = rng(2);
    const n = 200;
    const behaviour = Float32Array.from({ length: n * 4 }, () => gauss(r));
    const { x: taste } = groupedTastes(r, n, 20, 3);
    const space = fitSegmentSpace(behaviour, 4, taste, 20, n).space!;
    // Two new customers far off to one side stay far off: a refit would centre them.
    const b2 = new Float32Array(2 * 4).fill(10);
    const t2 = new Float32Array(2 * 20).fill(0.05);
    const x2 = applySegmentSpace(space, b2, t2, 2);
    for (let j = 0; j < 4; j++) expect(x2[j]).toBeCloseTo((10 - space.mean[j]) * space.scale[j], 5);
    expect(x2[0]).toBeGreaterThan(2);
    let axis0 = 0;
    for (let j = 0; j < 20; j++) axis0 += (0.05 - space.mean[4 + j]) * space.scale[4 + j] * space.axes[j * space.tasteAxes];
    expect(x2[4]).toBeCloseTo(axis0, 5);
    expect(() => applySegmentSpace(space, b2, t2, 3)).toThrow(/3 x 4/);
  });

  it('finds segments that only the taste block holds beside those of the behaviour block', () => {
    // Customers in 2 behaviour groups x 2 taste groups, in blocks as wide as the app's (the BERT's
    // 64 whitened columns, a text encoder's hundreds).
    const r = rng(3);
    const n = 400;
    const bd = 64;
    const td = 200;
    // Taste groups alternate customer by customer (groupedTastes), behaviour groups pair by pair.
    const behaviourOf = Int32Array.from({ length: n }, (_, i) => (i >> 1) % 2);
    // A text encoder spreads a kind of item over many of its columns: here 40 of 200 per group.
    const { x: taste, group: tasteOf } = groupedTastes(r, n, td, 2, 40);
    const behaviour = new Float32Array(n * bd);
    for (let i = 0; i < n; i++) for (let j = 0; j < bd; j++) behaviour[i * bd + j] = gauss(r) + (j < 4 ? 8 * behaviourOf[i] : 0);
    // Item-mean units: small numbers.
    for (let i = 0; i < taste.length; i++) taste[i] *= 0.01;
    const both = Int32Array.from({ length: n }, (_, i) => behaviourOf[i] * 2 + tasteOf[i]);
    const ari = (x: Float32Array, d: number, k: number, truth: Int32Array): number =>
      adjustedRandIndex(truth, kmeans(x, n, d, { k, restarts: 5, seed: 1 }).labels);
    const { space, check } = fitSegmentSpace(behaviour, bd, taste, td, n);
    expect(check.used).toBe(true);
    const x = applySegmentSpace(space!, behaviour, taste, n);
    const raw = new Float32Array(n * (bd + td));
    for (let i = 0; i < n; i++) {
      raw.set(behaviour.subarray(i * bd, (i + 1) * bd), i * (bd + td));
      raw.set(taste.subarray(i * td, (i + 1) * td), i * (bd + td) + bd);
    }
    // Alone, the behaviour block cannot tell the taste groups apart; side by side as they come,
    // the taste block's small units hide them too; in the segment space both are found.
    // Measured: 0.35, 0.35 and 1.
    expect(ari(behaviour, bd, 4, both)).toBeLessThan(0.6);
    expect(ari(raw, bd + td, 4, both)).toBeLessThan(0.6);
    expect(ari(x, bd + TASTE_AXES, 4, both)).toBeGreaterThan(0.85);
  });
});
