import { describe, expect, it } from 'vitest';
import { kmeans } from '../cluster';
import { adjustedRandIndex } from '../cluster/agreement';
import { applySegmentSpace, fitSegmentSpace, TASTE_WEIGHT } from './segmentSpace';

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

describe('the segment space', () => {
  it('gives each block its own total variance, whatever its width and units', () => {
    const r = rng(1);
    const n = 300;
    const behaviour = Float32Array.from({ length: n * 8 }, () => 40 * gauss(r) + 7);
    const taste = Float32Array.from({ length: n * 50 }, (_, i) => (i % 50 === 3 ? 5 : 0.01 * gauss(r)));
    const space = fitSegmentSpace(behaviour, 8, taste, 50, n);
    const x = applySegmentSpace(space, behaviour, taste, n);
    expect(blockVariance(x, n, 58, 0, 8)).toBeCloseTo(1, 5);
    // One column is constant: it stays 0, so the block holds 49 of 50 shares of TASTE_WEIGHT squared.
    expect(blockVariance(x, n, 58, 8, 58)).toBeCloseTo((TASTE_WEIGHT ** 2 * 49) / 50, 5);
    for (let i = 0; i < n; i++) expect(x[i * 58 + 8 + 3]).toBe(0);
  });

  it('places other customers by the fitted means and scales, not by refitting to them', () => {
    const r = rng(2);
    const n = 100;
    const behaviour = Float32Array.from({ length: n * 4 }, () => gauss(r));
    const taste = Float32Array.from({ length: n * 6 }, () => gauss(r));
    const space = fitSegmentSpace(behaviour, 4, taste, 6, n);
    // Two new customers far off to one side stay far off: a refit would centre them.
    const b2 = new Float32Array(2 * 4).fill(10);
    const t2 = new Float32Array(2 * 6).fill(10);
    const x2 = applySegmentSpace(space, b2, t2, 2);
    for (let j = 0; j < 4; j++) expect(x2[j]).toBeCloseTo((10 - space.mean[j]) * space.scale[j], 5);
    expect(x2[0]).toBeGreaterThan(2);
    expect(() => applySegmentSpace(space, b2, t2, 3)).toThrow(/3 x 4/);
  });

  it('finds segments that only the taste block holds beside those of the behaviour block', () => {
    // Customers in 2 behaviour groups x 2 taste groups, in blocks as wide as the app's (the BERT's
    // 64 whitened columns, a text encoder's hundreds), each group apart in a few of its columns.
    const r = rng(3);
    const n = 400;
    const bd = 64;
    const td = 200;
    const behaviourOf = Int32Array.from({ length: n }, (_, i) => i % 2);
    const tasteOf = Int32Array.from({ length: n }, (_, i) => (i >> 1) % 2);
    const behaviour = new Float32Array(n * bd);
    const taste = new Float32Array(n * td);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < bd; j++) behaviour[i * bd + j] = gauss(r) + (j < 2 ? 8 * behaviourOf[i] : 0);
      // Item-mean units: small numbers, the taste groups apart in half of them.
      for (let j = 0; j < td; j++) taste[i * td + j] = 0.01 * (gauss(r) + (j < 100 ? 4 * tasteOf[i] : 0));
    }
    const both = Int32Array.from({ length: n }, (_, i) => behaviourOf[i] * 2 + tasteOf[i]);
    const ari = (x: Float32Array, d: number, k: number, truth: Int32Array): number =>
      adjustedRandIndex(truth, kmeans(x, n, d, { k, restarts: 5, seed: 1 }).labels);
    const x = applySegmentSpace(fitSegmentSpace(behaviour, bd, taste, td, n), behaviour, taste, n);
    const raw = new Float32Array(n * (bd + td));
    for (let i = 0; i < n; i++) {
      raw.set(behaviour.subarray(i * bd, (i + 1) * bd), i * (bd + td));
      raw.set(taste.subarray(i * td, (i + 1) * td), i * (bd + td) + bd);
    }
    // Alone, the behaviour block cannot tell the taste groups apart (measured 0.33); side by side as
    // they come, the taste block's small units hide them too (0.35); standardised, both are found (0.93).
    expect(ari(behaviour, bd, 4, both)).toBeLessThan(0.5);
    expect(ari(raw, bd + td, 4, both)).toBeLessThan(0.5);
    expect(ari(x, bd + td, 4, both)).toBeGreaterThan(0.85);
  });
});
