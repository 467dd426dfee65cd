import { describe, expect, it } from 'vitest';
import { adjustedRandIndex } from './agreement';
import { assignStep } from './assign';
import { makeBlobs } from './blobs';
import { kmeans, meanFeatureVariance, MINIBATCH_THRESHOLD } from './kmeans';
import { type AssignFn, lloydHamerly, lloydPlain } from './lloyd';
import { inertia as inertiaOf } from './metrics';
import { Rng } from '../numeric/random';
import { kmeansPlusPlus } from './seeding';
import { ClusteringInputError } from './types';

function nearestLabels(data: Float32Array | Float64Array, n: number, d: number, centres: Float64Array, k: number) {
  const labels = new Int32Array(n);
  const inertia = assignStep(data, n, d, centres, k, labels, new Float64Array(k * d), new Int32Array(k));
  return { labels, inertia };
}

function clusterSizes(labels: Int32Array, k: number): number[] {
  const sizes = new Array(k).fill(0);
  for (const l of labels) sizes[l]++;
  return sizes;
}

describe('kmeans', () => {
  it('finds well-separated blobs exactly', () => {
    const { data, labels } = makeBlobs(3000, 8, 5, { std: 0.5, seed: 1 });
    const r = kmeans(data, 3000, 8, { k: 5, seed: 3 });
    expect(adjustedRandIndex(labels, r.labels)).toBe(1);
    expect(r.algorithm).toBe('lloyd');
    expect(clusterSizes(r.labels, 5).every((s) => s > 0)).toBe(true);
  });

  it('is reproducible: same seed, same result; another seed, other starts', () => {
    const { data } = makeBlobs(2000, 16, 6, { std: 6, seed: 2 });
    const a = kmeans(data, 2000, 16, { k: 6, restarts: 4, seed: 42 });
    const b = kmeans(data, 2000, 16, { k: 6, restarts: 4, seed: 42 });
    const c = kmeans(data, 2000, 16, { k: 6, restarts: 4, seed: 43 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(Array.from(a.centres)).toEqual(Array.from(b.centres));
    expect(a.inertia).toBe(b.inertia);
    expect(a.restartInertias).toEqual(b.restartInertias);
    expect(c.restartInertias).not.toEqual(a.restartInertias);
  });

  it('keeps the best of its restarts, and its labels and centres are consistent', () => {
    const { data } = makeBlobs(1500, 10, 8, { std: 5, seed: 4 });
    const r = kmeans(data, 1500, 10, { k: 8, restarts: 5, seed: 1 });
    expect(r.restartInertias.length).toBe(5);
    expect(r.inertia).toBe(Math.min(...r.restartInertias));
    expect(r.restartInertias[r.bestRestart]).toBe(r.inertia);
    // Labels are the nearest centres, and the inertia is theirs.
    const near = nearestLabels(data, 1500, 10, r.centres, 8);
    expect(Array.from(r.labels)).toEqual(Array.from(near.labels));
    expect(r.inertia).toBeCloseTo(near.inertia, 6);
    expect(inertiaOf(data, 1500, 10, r.labels, r.centres)).toBeCloseTo(r.inertia, 6);
  });

  it('with Hamerly bounds follows exactly the same iterations as plain Lloyd', () => {
    for (const [std, seed] of [
      [6, 1],
      [3, 2],
      [1, 3],
    ]) {
      const { data } = makeBlobs(3000, 12, 7, { std, seed });
      let calls = 0;
      const counted: AssignFn = (...args) => {
        calls++;
        return assignStep(...args);
      };
      const fast = kmeans(data, 3000, 12, { k: 7, restarts: 3, seed });
      const plain = kmeans(data, 3000, 12, { k: 7, restarts: 3, seed, assign: counted });
      expect(calls).toBeGreaterThan(3);
      expect(Array.from(fast.labels)).toEqual(Array.from(plain.labels));
      expect(fast.iterations).toBe(plain.iterations);
      expect(Math.abs(fast.inertia - plain.inertia) / plain.inertia).toBeLessThan(1e-12);
      for (let r = 0; r < 3; r++) {
        expect(Math.abs(fast.restartInertias[r] - plain.restartInertias[r]) / plain.restartInertias[r]).toBeLessThan(1e-12);
      }
    }
  });

  it('with K = 1 returns the mean and the total sum of squares', () => {
    const { data } = makeBlobs(500, 3, 2, { seed: 5, float64: true });
    const r = kmeans(data, 500, 3, { k: 1 });
    const mean = [0, 0, 0];
    for (let i = 0; i < 500; i++) for (let j = 0; j < 3; j++) mean[j] += data[i * 3 + j] / 500;
    let ss = 0;
    for (let i = 0; i < 500; i++) for (let j = 0; j < 3; j++) ss += (data[i * 3 + j] - mean[j]) ** 2;
    for (let j = 0; j < 3; j++) expect(r.centres[j]).toBeCloseTo(mean[j], 10);
    expect(r.inertia / ss - 1).toBeLessThan(1e-12);
    expect(r.labels.every((l) => l === 0)).toBe(true);
  });

  it('stops at maxIter with labels that match the returned centres', () => {
    const { data } = makeBlobs(2000, 5, 6, { std: 4, seed: 6 });
    for (const assign of [undefined, assignStep]) {
      const r = kmeans(data, 2000, 5, { k: 6, maxIter: 1, restarts: 1, assign });
      expect(r.iterations).toBe(1);
      expect(Array.from(r.labels)).toEqual(Array.from(nearestLabels(data, 2000, 5, r.centres, 6).labels));
    }
  });

  it('clusters heavily duplicated data when K equals the number of distinct points', () => {
    const n = 900;
    const data = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      data[2 * i] = i % 3;
      data[2 * i + 1] = -(i % 3);
    }
    const r = kmeans(data, n, 2, { k: 3, restarts: 2 });
    expect(r.inertia).toBe(0);
    expect(clusterSizes(r.labels, 3)).toEqual([300, 300, 300]);
  });

  it('with checks and variance established by the caller gives the same result, and still checks a K beyond them', () => {
    const { data } = makeBlobs(1200, 6, 4, { std: 1, seed: 14 });
    const checked = { distinctAtLeast: 5, meanVariance: meanFeatureVariance(data, 1200, 6) };
    const plain = kmeans(data, 1200, 6, { k: 5, seed: 3 });
    const vouched = kmeans(data, 1200, 6, { k: 5, seed: 3, checked });
    expect(Array.from(vouched.labels)).toEqual(Array.from(plain.labels));
    expect(vouched.restartInertias).toEqual(plain.restartInertias);
    const dup = new Float64Array(40).fill(1);
    expect(() => kmeans(dup, 20, 2, { k: 2, checked: { distinctAtLeast: 1, meanVariance: 0 } })).toThrow(/identical/);
  });

  it('accepts Float32 and Float64 input alike', () => {
    const { data } = makeBlobs(1000, 6, 4, { std: 1, seed: 8 });
    const d64 = Float64Array.from(data);
    const a = kmeans(data, 1000, 6, { k: 4, seed: 2 });
    const b = kmeans(d64, 1000, 6, { k: 4, seed: 2 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(a.inertia).toBe(b.inertia);
  });
});

describe('Lloyd iterations', () => {
  it('refill a cluster that starts empty, with or without bounds', () => {
    const { data } = makeBlobs(600, 2, 3, { std: 1, seed: 9, float64: true });
    // Centres 0-2 on data points, centre 3 far away from everything: empty after the first pass.
    const init = new Float64Array([data[0], data[1], data[2], data[3], data[4], data[5], 1e4, 1e4]);
    const opts = { maxIter: 300, tolAbs: 0 };
    const plain = lloydPlain(data, 600, 2, 4, init, opts);
    const near = nearestLabels(data, 600, 2, init, 4);
    const nearestSq = new Float64Array(600);
    for (let i = 0; i < 600; i++) {
      const c = near.labels[i];
      nearestSq[i] = (data[2 * i] - init[2 * c]) ** 2 + (data[2 * i + 1] - init[2 * c + 1]) ** 2;
    }
    const secondLower = new Float64Array(600); // 0 is always a valid lower bound
    const bounded = lloydHamerly(data, 600, 2, 4, { centres: init, nearest: near.labels, nearestSq, secondLower }, opts);
    for (const r of [plain, bounded]) {
      expect(clusterSizes(r.labels, 4).every((s) => s > 0)).toBe(true);
      expect(r.centres.every(Number.isFinite)).toBe(true);
    }
    expect(Array.from(bounded.labels)).toEqual(Array.from(plain.labels));
  });

  it('get exact nearest centres and valid second-centre bounds from the seeding', () => {
    for (const [std, k] of [
      [0.5, 6],
      [4, 10],
      [20, 3],
    ]) {
      const n = 2001;
      const d = 9;
      const { data } = makeBlobs(n, d, 6, { std, seed: k });
      const s = kmeansPlusPlus(data, n, d, k, new Rng(k));
      let violations = 0;
      for (let i = 0; i < n; i++) {
        const dist: number[] = [];
        for (let c = 0; c < k; c++) {
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
    }
  });

  it('seed distinct centres by k-means++ and never pick a point sitting on a centre', () => {
    const n = 400;
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = i < 390 ? 0 : i; // 390 copies of one value + 10 others
    for (let seed = 0; seed < 20; seed++) {
      const s = kmeansPlusPlus(data, n, 1, 11, new Rng(seed));
      expect(new Set(s.centres).size).toBe(11);
    }
  });
});

describe('mini-batch', () => {
  it(`is picked automatically above ${MINIBATCH_THRESHOLD} points`, () => {
    expect(MINIBATCH_THRESHOLD).toBe(200_000);
    const { data } = makeBlobs(MINIBATCH_THRESHOLD + 1, 2, 3, { std: 0.5, seed: 10 });
    const big = kmeans(data, MINIBATCH_THRESHOLD + 1, 2, { k: 3, restarts: 1 });
    const small = kmeans(data.subarray(0, MINIBATCH_THRESHOLD * 2), MINIBATCH_THRESHOLD, 2, { k: 3, restarts: 1 });
    expect(big.algorithm).toBe('minibatch');
    expect(small.algorithm).toBe('lloyd');
    expect(big.labels.length).toBe(MINIBATCH_THRESHOLD + 1);
  });

  it('gets within 1% of Lloyd on blobs, reproducibly', () => {
    const { data, labels } = makeBlobs(30_000, 16, 8, { std: 2, seed: 11 });
    const full = kmeans(data, 30_000, 16, { k: 8, seed: 1, algorithm: 'lloyd' });
    const mb = kmeans(data, 30_000, 16, { k: 8, seed: 1, algorithm: 'minibatch' });
    const again = kmeans(data, 30_000, 16, { k: 8, seed: 1, algorithm: 'minibatch' });
    expect(mb.algorithm).toBe('minibatch');
    expect(mb.inertia).toBeLessThan(full.inertia * 1.01);
    expect(adjustedRandIndex(labels, mb.labels)).toBeGreaterThan(0.99);
    expect(Array.from(again.labels)).toEqual(Array.from(mb.labels));
    expect(again.inertia).toBe(mb.inertia);
    expect(Array.from(mb.labels)).toEqual(Array.from(nearestLabels(data, 30_000, 16, mb.centres, 8).labels));
  });

  it('sends every batch and the final labelling through a supplied assignment step', () => {
    const { data } = makeBlobs(5000, 4, 3, { std: 1, seed: 13 });
    const sizes: number[] = [];
    const spy: AssignFn = (x, n, ...rest) => {
      sizes.push(n);
      return assignStep(x, n, ...rest);
    };
    const viaSpy = kmeans(data, 5000, 4, { k: 3, algorithm: 'minibatch', batchSize: 256, assign: spy });
    const plain = kmeans(data, 5000, 4, { k: 3, algorithm: 'minibatch', batchSize: 256 });
    expect(sizes[sizes.length - 1]).toBe(5000);
    expect(sizes.filter((s) => s === 256).length).toBeGreaterThan(3);
    expect(viaSpy.inertia).toBe(plain.inertia);
  });

  it('copes with a batch larger than the data and with duplicates', () => {
    const data = new Float64Array(50);
    for (let i = 0; i < 50; i++) data[i] = i % 5;
    const r = kmeans(data, 50, 1, { k: 5, algorithm: 'minibatch', batchSize: 4096 });
    expect(r.inertia).toBe(0);
    expect(clusterSizes(r.labels, 5)).toEqual([10, 10, 10, 10, 10]);
  });
});

describe('kmeans input errors', () => {
  const ok = makeBlobs(50, 3, 2, { seed: 12, float64: true }).data;
  const cases: [string, () => unknown, RegExp][] = [
    ['NaN', () => kmeans(Float64Array.from([1, 2, Number.NaN, 4]), 2, 2, { k: 2 }), /missing value \(NaN\) at point 1, dimension 0/],
    ['Infinity', () => kmeans(Float32Array.from([1, Number.POSITIVE_INFINITY, 3, 4]), 2, 2, { k: 1 }), /infinite value at point 0, dimension 1/],
    ['overflowing values', () => kmeans(Float64Array.from([1, 2, 3e200, 4]), 2, 2, { k: 1 }), /too large to compute with .* point 1, dimension 0/],
    ['all identical', () => kmeans(new Float64Array(30).fill(7), 10, 3, { k: 2 }), /All 10 points are identical/],
    ['too few distinct', () => kmeans(Float64Array.from([0, 0, 1, 1, 0, 0, 1, 1]), 4, 2, { k: 3 }), /Only 2 of the 4 points are distinct.*K <= 2/],
    ['K > n', () => kmeans(ok, 50, 3, { k: 51 }), /K = 51 clusters out of only 50 points/],
    ['single point', () => kmeans(Float64Array.from([1, 2]), 1, 2, { k: 1 }), /only one point/],
    ['no points', () => kmeans(new Float64Array(0), 0, 2, { k: 1 }), /no points/],
    ['K = 0', () => kmeans(ok, 50, 3, { k: 0 }), /whole number >= 1, got 0/],
    ['fractional K', () => kmeans(ok, 50, 3, { k: 2.5 }), /whole number >= 1, got 2.5/],
    ['shape mismatch', () => kmeans(ok, 51, 3, { k: 2 }), /holds 150 numbers but 51 points x 3 dimensions needs 153/],
    ['zero restarts', () => kmeans(ok, 50, 3, { k: 2, restarts: 0 }), /restarts/],
    ['bad tol', () => kmeans(ok, 50, 3, { k: 2, tol: Number.NaN }), /tol/],
    ['unknown algorithm', () => kmeans(ok, 50, 3, { k: 2, algorithm: 'elkan' as 'lloyd' }), /Unknown k-means algorithm 'elkan'/],
    ['plain array', () => kmeans([1, 2] as unknown as Float64Array, 1, 2, { k: 1 }), /Float32Array or Float64Array/],
  ];
  for (const [name, run, message] of cases) {
    it(`rejects ${name} with a clear message`, () => {
      expect(run).toThrow(ClusteringInputError);
      expect(run).toThrow(message);
    });
  }
});
