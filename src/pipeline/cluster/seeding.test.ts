import { describe, expect, it } from 'vitest';
import { makeBlobs } from './blobs';
import { meanFeatureVariance } from './kmeans';
import { lloydHamerly } from './lloyd';
import { Rng } from '../numeric/random';
import { kmeansPlusPlus } from './seeding';

describe('greedy k-means++ judging candidates on a sample', () => {
  // A small `sample` stands in for SEEDING_SAMPLE so that the sampled path runs on small data.
  const n = 6001;
  const d = 10;
  const { data } = makeBlobs(n, d, 8, { std: 3, seed: 5 });

  it('still gives every point its exact nearest centre and a valid second-centre bound', () => {
    for (const seed of [1, 2, 3]) {
      const s = kmeansPlusPlus(data, n, d, 9, new Rng(seed), undefined, 700);
      let violations = 0;
      for (let i = 0; i < n; i++) {
        const dist: number[] = [];
        for (let c = 0; c < 9; c++) {
          let t = 0;
          for (let j = 0; j < d; j++) t += (data[i * d + j] - s.centres[c * d + j]) ** 2;
          dist.push(t);
        }
        const min = Math.min(...dist);
        if (dist[s.nearest[i]] !== min || s.nearestSq[i] !== min) violations++;
        dist.forEach((v, c) => {
          if (c !== s.nearest[i] && s.secondLower[i] > Math.sqrt(v) * (1 + 1e-12)) violations++;
        });
      }
      expect(violations).toBe(0);
      expect(new Set(Array.from({ length: 9 }, (_, c) => s.centres.slice(c * d, c * d + d).join())).size).toBe(9);
    }
  });

  it('is the exact algorithm up to twice the sample size, and reproducible above it', () => {
    const exact = kmeansPlusPlus(data, n, d, 9, new Rng(4), undefined, Infinity);
    const atLimit = kmeansPlusPlus(data, n, d, 9, new Rng(4), undefined, Math.ceil(n / 2));
    expect(Array.from(atLimit.centres)).toEqual(Array.from(exact.centres));
    const a = kmeansPlusPlus(data, n, d, 9, new Rng(4), undefined, 700);
    const b = kmeansPlusPlus(data, n, d, 9, new Rng(4), undefined, 700);
    expect(Array.from(a.centres)).toEqual(Array.from(b.centres));
    expect(Array.from(a.centres)).not.toEqual(Array.from(exact.centres));
  });

  it('leads Lloyd to final inertias as low as judging on every point, on average', () => {
    const tolAbs = 1e-4 * meanFeatureVariance(data, n, d);
    const mean = (sample: number): number => {
      let total = 0;
      for (let seed = 0; seed < 16; seed++) {
        const s = kmeansPlusPlus(data, n, d, 8, new Rng(seed), undefined, sample);
        total += lloydHamerly(data, n, d, 8, s, { maxIter: 300, tolAbs }).inertia;
      }
      return total / 16;
    };
    expect(mean(700) / mean(Infinity)).toBeLessThan(1.01);
  });
});
