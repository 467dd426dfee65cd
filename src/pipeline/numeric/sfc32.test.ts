import { describe, expect, it } from 'vitest';
import { hash32, Random, sampleCumulative } from './sfc32';

describe('Random', () => {
  it('replays the same sequence for the same seed and differs across seeds', () => {
    const draw = (seed: number) =>
      Array.from(
        { length: 8 },
        (
          (r) => () =>
            r.uint32()
        )(new Random(seed)),
      );
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(1)).not.toEqual(draw(1 + 2 ** 32));
  });

  it('draws floats in [0, 1) with the right mean', () => {
    const r = new Random(3);
    let sum = 0;
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = r.float();
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
    }
    expect(outside).toBe(0);
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
  });

  it('matches the means of gamma, geometric and poisson draws', () => {
    const r = new Random(5);
    const mean = (f: () => number) => {
      let s = 0;
      for (let i = 0; i < 50_000; i++) s += f();
      return s / 50_000;
    };
    expect(mean(() => r.gamma(0.3))).toBeCloseTo(0.3, 1);
    expect(mean(() => r.gamma(4))).toBeCloseTo(4, 1);
    expect(mean(() => r.geometric(3))).toBeCloseTo(3, 1);
    expect(mean(() => r.poisson(2.5))).toBeCloseTo(2.5, 1);
  });

  it('draws Dirichlet vectors on the simplex', () => {
    const r = new Random(9);
    const out = r.dirichlet([0.5, 1, 2, 4], new Float64Array(4));
    expect(out.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(out.every((x) => x >= 0)).toBe(true);
  });
});

describe('sampleCumulative', () => {
  it('samples within the requested range in proportion to the weights', () => {
    const cum = Float64Array.from([1, 2, 5, 6, 10]); // weights 1 1 3 1 4
    const r = new Random(11);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[sampleCumulative(r, cum, 2, 5)]++;
    expect(counts[0] + counts[1]).toBe(0);
    expect(counts[2] / 40_000).toBeCloseTo(3 / 8, 1);
    expect(counts[4] / 40_000).toBeCloseTo(4 / 8, 1);
  });
});

describe('hash32', () => {
  it('is a bijection on a sample (no collisions)', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 100_000; i++) seen.add(hash32(i));
    expect(seen.size).toBe(100_000);
  });
});
