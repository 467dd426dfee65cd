import { describe, expect, it } from 'vitest';
import { Rng, sampleWithoutReplacement } from './random';

describe('Rng', () => {
  it('replays the same stream for the same seed and differs across seeds', () => {
    const a = new Rng(123);
    const b = new Rng(123);
    const c = new Rng(124);
    const sa = Array.from({ length: 50 }, () => a.nextUint32());
    const sb = Array.from({ length: 50 }, () => b.nextUint32());
    const sc = Array.from({ length: 50 }, () => c.nextUint32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
    expect(new Set(sa).size).toBe(50);
  });

  it('keeps seeds above 2^32 apart from small ones', () => {
    expect(new Rng(5).nextUint32()).not.toBe(new Rng(5 + 2 ** 32).nextUint32());
  });

  it('draws floats in [0, 1) with a plausible mean', () => {
    const r = new Rng(7);
    let sum = 0;
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const v = r.nextFloat();
      if (!(v >= 0 && v < 1)) outside++;
      sum += v;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / 100_000 - 0.5)).toBeLessThan(0.005);
  });

  it('draws integers covering [0, n) evenly', () => {
    const r = new Rng(9);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[r.nextInt(7)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(() => r.nextInt(0)).toThrow();
    expect(() => r.nextInt(2.5)).toThrow();
  });

  it('draws Gaussians with mean 0 and variance 1', () => {
    const r = new Rng(11);
    let s = 0;
    let s2 = 0;
    const m = 100_000;
    for (let i = 0; i < m; i++) {
      const g = r.nextGaussian();
      s += g;
      s2 += g * g;
    }
    expect(Math.abs(s / m)).toBeLessThan(0.02);
    expect(Math.abs(s2 / m - 1)).toBeLessThan(0.02);
  });

  it('forks reproducible, distinct child streams', () => {
    const p1 = new Rng(1);
    const p2 = new Rng(1);
    const a = p1.fork();
    const b = p1.fork();
    expect(a.nextUint32()).toBe(p2.fork().nextUint32());
    expect(a.nextUint32()).not.toBe(b.nextUint32());
  });

  it('rejects a non-finite seed', () => {
    expect(() => new Rng(Number.NaN)).toThrow(/seed/);
  });
});

describe('sampleWithoutReplacement', () => {
  it('returns m distinct sorted indices in range, reproducibly', () => {
    const s = sampleWithoutReplacement(new Rng(3), 1000, 100);
    expect(s.length).toBe(100);
    expect(new Set(s).size).toBe(100);
    for (let i = 1; i < s.length; i++) expect(s[i]).toBeGreaterThan(s[i - 1]);
    expect(s[0]).toBeGreaterThanOrEqual(0);
    expect(s[99]).toBeLessThan(1000);
    expect(sampleWithoutReplacement(new Rng(3), 1000, 100)).toEqual(s);
  });

  it('returns everything when m = n and rejects m > n', () => {
    expect(Array.from(sampleWithoutReplacement(new Rng(1), 5, 5))).toEqual([0, 1, 2, 3, 4]);
    expect(() => sampleWithoutReplacement(new Rng(1), 5, 6)).toThrow();
  });

  it('is close to uniform', () => {
    const r = new Rng(5);
    const hits = new Array(10).fill(0);
    for (let t = 0; t < 20_000; t++) for (const i of sampleWithoutReplacement(r, 10, 3)) hits[i]++;
    for (const h of hits) expect(Math.abs(h - 6000)).toBeLessThan(300);
  });
});
