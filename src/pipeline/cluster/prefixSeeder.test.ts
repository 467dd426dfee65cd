import { describe, expect, it } from 'vitest';
import { makeBlobs } from './blobs';
import { kmeans } from './kmeans';
import { Rng } from '../numeric/random';
import { kmeansPlusPlus, PrefixSeeder, seedingFromCentres } from './seeding';

describe('PrefixSeeder', () => {
  const n = 1500;
  const d = 6;
  const { data } = makeBlobs(n, d, 5, { std: 1.5, seed: 11 });
  const kMax = 9;
  const trials = 2 + Math.floor(Math.log(kMax));

  it('gives, for each K, the seeding k-means++ draws for K with the same random numbers', () => {
    const seeder = new PrefixSeeder(data, n, d, kMax, new Rng(3).fork());
    for (const k of [1, 2, 4, 5, 9]) {
      const got = seeder.seeding(k);
      const want = kmeansPlusPlus(data, n, d, k, new Rng(3).fork(), trials);
      expect(Array.from(got.centres)).toEqual(Array.from(want.centres));
      // Nearest centres and distances are exact; the second-centre bound is the exact second distance.
      for (let i = 0; i < n; i += 37) {
        const dist = Array.from({ length: k }, (_, c) => {
          let s = 0;
          for (let j = 0; j < d; j++) s += (data[i * d + j] - got.centres[c * d + j]) ** 2;
          return s;
        });
        const sorted = [...dist].sort((a, b) => a - b);
        expect(got.nearestSq[i]).toBeCloseTo(sorted[0], 9);
        expect(dist[got.nearest[i]]).toBeCloseTo(sorted[0], 9);
        expect(got.secondLower[i]).toBeCloseTo(k > 1 ? Math.sqrt(sorted[1]) : Infinity, 9);
      }
    }
  });

  it('refuses to go back to a smaller K, and a run from its seeding converges like one from scratch', () => {
    const seeder = new PrefixSeeder(data, n, d, kMax, new Rng(5).fork());
    const seeding = seeder.seeding(5);
    expect(() => seeder.seeding(4)).toThrow(RangeError);
    const fromPrefix = kmeans(data, n, d, { k: 5, restarts: 1, seed: 5, seeding });
    const best = kmeans(data, n, d, { k: 5, restarts: 10, seed: 0 });
    expect(fromPrefix.inertia).toBeLessThanOrEqual(best.inertia * 1.01);
  });

  it('is rebuilt exactly from its centres alone (what a helper thread of the sweep does)', () => {
    // Odd n (the unpaired last point) and duplicated rows (ties between centres) included.
    const m = 1001;
    const dup = new Float32Array(m * d);
    dup.set(data.subarray(0, 700 * d));
    dup.set(data.subarray(0, 301 * d), 700 * d);
    const seeder = new PrefixSeeder(dup, m, d, kMax, new Rng(9).fork());
    const all = seeder.seeding(kMax).centres;
    const again = new PrefixSeeder(dup, m, d, kMax, new Rng(9).fork());
    for (let k = 1; k <= kMax; k++) {
      const want = again.seeding(k);
      const got = seedingFromCentres(dup, m, d, all, k);
      expect(Array.from(got.centres)).toEqual(Array.from(want.centres));
      expect(Array.from(got.nearest)).toEqual(Array.from(want.nearest));
      expect(Array.from(got.nearestSq)).toEqual(Array.from(want.nearestSq));
      expect(Array.from(got.secondLower)).toEqual(Array.from(want.secondLower));
    }
    expect(() => seedingFromCentres(dup, m, d, all, kMax + 1)).toThrow(RangeError);
  });
});
