import { describe, expect, it } from 'vitest';
import { makeBlobs } from './blobs';
import { calinskiHarabasz, daviesBouldin, inertia } from './metrics';
import { Rng } from '../numeric/random';
import { SILHOUETTE_EXACT_MAX_POINTS, silhouetteSamples, silhouetteScore, silhouetteScoreSampled } from './silhouette';
import { trustworthiness } from './trustworthiness';
import { ClusteringInputError } from './types';

// Textbook definitions, written as plainly as possible, to check the optimised code against.
const dist = (X: ArrayLike<number>, d: number, a: number, b: number) => {
  let s = 0;
  for (let j = 0; j < d; j++) s += (X[a * d + j] - X[b * d + j]) ** 2;
  return Math.sqrt(s);
};
function naiveSilhouette(X: ArrayLike<number>, _n: number, d: number, labels: number[]): number[] {
  const ids = [...new Set(labels)];
  return labels.map((own, i) => {
    const members = (c: number) => labels.map((l, j) => (l === c ? j : -1)).filter((j) => j >= 0);
    const mine = members(own).filter((j) => j !== i);
    if (mine.length === 0) return 0;
    const a = mine.reduce((s, j) => s + dist(X, d, i, j), 0) / mine.length;
    const b = Math.min(...ids.filter((c) => c !== own).map((c) => members(c).reduce((s, j) => s + dist(X, d, i, j), 0) / members(c).length));
    return Math.max(a, b) === 0 ? 0 : (b - a) / Math.max(a, b);
  });
}
function centroidsOf(X: ArrayLike<number>, n: number, d: number, labels: number[]) {
  const m = new Map<number, { sum: number[]; count: number }>();
  for (let i = 0; i < n; i++) {
    const e = m.get(labels[i]) ?? { sum: new Array(d).fill(0), count: 0 };
    for (let j = 0; j < d; j++) e.sum[j] += X[i * d + j];
    e.count++;
    m.set(labels[i], e);
  }
  return new Map([...m].map(([c, e]) => [c, { mean: e.sum.map((s) => s / e.count), count: e.count }]));
}
function naiveCH(X: ArrayLike<number>, n: number, d: number, labels: number[]): number {
  const cs = centroidsOf(X, n, d, labels);
  const all = centroidsOf(X, n, d, new Array(n).fill(0)).get(0)!.mean;
  let B = 0;
  let W = 0;
  for (const { mean, count } of cs.values()) B += count * mean.reduce((s, v, j) => s + (v - all[j]) ** 2, 0);
  for (let i = 0; i < n; i++) {
    const mean = cs.get(labels[i])!.mean;
    for (let j = 0; j < d; j++) W += (X[i * d + j] - mean[j]) ** 2;
  }
  return (B * (n - cs.size)) / (W * (cs.size - 1));
}
function naiveDB(X: ArrayLike<number>, n: number, d: number, labels: number[]): number {
  const cs = [...centroidsOf(X, n, d, labels)];
  const S = cs.map(([c, { mean, count }]) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      if (labels[i] === c) s += Math.sqrt(mean.reduce((t, v, j) => t + (X[i * d + j] - v) ** 2, 0));
    }
    return s / count;
  });
  const M = (a: number[], b: number[]) => Math.sqrt(a.reduce((t, v, j) => t + (v - b[j]) ** 2, 0));
  let total = 0;
  cs.forEach(([, ci], p) => {
    let worst = 0;
    cs.forEach(([, cj], q) => {
      if (p !== q) worst = Math.max(worst, (S[p] + S[q]) / M(ci.mean, cj.mean));
    });
    total += worst;
  });
  return total / cs.length;
}

function randomLabelled(n: number, d: number, L: number, seed: number) {
  const { data } = makeBlobs(n, d, L, { std: 3, seed, float64: true });
  const r = new Rng(seed + 1);
  // Arbitrary label values (negative, gaps) exercise the label encoding.
  const labels = Array.from({ length: n }, () => [-3, 0, 7, 100, 42, 5][r.nextInt(L)]);
  return { data, labels };
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('internal metrics against their textbook definitions', () => {
  for (const [n, d, L, seed] of [
    [60, 3, 2, 1],
    [151, 7, 5, 2],
    [300, 16, 6, 3],
  ]) {
    const { data, labels } = randomLabelled(n, d, L, seed);
    it(`silhouette n=${n} d=${d} L=${L}`, () => {
      const ref = naiveSilhouette(data, n, d, labels);
      const got = silhouetteSamples(data, n, d, labels);
      ref.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThan(1e-12));
      expect(rel(silhouetteScore(data, n, d, labels), ref.reduce((s, v) => s + v, 0) / n)).toBeLessThan(1e-12);
    });
    it(`Calinski-Harabasz n=${n} d=${d} L=${L}`, () => {
      expect(rel(calinskiHarabasz(data, n, d, labels), naiveCH(data, n, d, labels))).toBeLessThan(1e-12);
    });
    it(`Davies-Bouldin n=${n} d=${d} L=${L}`, () => {
      expect(rel(daviesBouldin(data, n, d, labels), naiveDB(data, n, d, labels))).toBeLessThan(1e-12);
    });
  }

  it('inertia with and without explicit centres', () => {
    const { data, labels } = randomLabelled(200, 4, 3, 7);
    const codes = labels.map((l) => [-3, 0, 7].indexOf(l));
    const cs = centroidsOf(data, 200, 4, codes);
    const centres = new Float64Array(12);
    for (const [c, { mean }] of cs) centres.set(mean, c * 4);
    let ref = 0;
    for (let i = 0; i < 200; i++) for (let j = 0; j < 4; j++) ref += (data[i * 4 + j] - centres[codes[i] * 4 + j]) ** 2;
    expect(rel(inertia(data, 200, 4, codes, centres), ref)).toBeLessThan(1e-12);
    expect(rel(inertia(data, 200, 4, labels), ref)).toBeLessThan(1e-12);
    expect(() =>
      inertia(
        data,
        200,
        4,
        codes.map((c) => c + 5),
        centres,
      ),
    ).toThrow(/has no centre/);
  });
});

describe('internal metrics: edge cases as scikit-learn', () => {
  const X = Float64Array.from([0, 0, 0, 1, 5, 5, 5, 6, 10, 10]); // 5 points in 2-d

  it('reject a single cluster and one cluster per point', () => {
    for (const f of [silhouetteScore, calinskiHarabasz, daviesBouldin]) {
      expect(() => f(X, 5, 2, [1, 1, 1, 1, 1])).toThrow(ClusteringInputError);
      expect(() => f(X, 5, 2, [1, 1, 1, 1, 1])).toThrow(/between 2 and 4 clusters .* got 1/);
      expect(() => f(X, 5, 2, [0, 1, 2, 3, 4])).toThrow(/got 5/);
    }
  });

  it('give 0 silhouette to points alone in their cluster', () => {
    const s = silhouetteSamples(X, 5, 2, [0, 0, 1, 1, 2]);
    expect(s[4]).toBe(0);
    expect(s[0]).toBeGreaterThan(0);
  });

  it('give 0, not NaN, where a point is at distance 0 from everything', () => {
    const same = new Float64Array(8).fill(3); // 4 identical points, 2 clusters
    const s = silhouetteSamples(same, 4, 2, [0, 0, 1, 1]);
    expect(Array.from(s)).toEqual([0, 0, 0, 0]);
    expect(calinskiHarabasz(same, 4, 2, [0, 0, 1, 1])).toBe(1); // sklearn: 1.0 when within-dispersion is 0
    expect(daviesBouldin(same, 4, 2, [0, 0, 1, 1])).toBe(0); // sklearn: 0.0 when all spreads are ~0
  });

  it('treat coinciding centroids like scikit-learn in Davies-Bouldin', () => {
    // Two clusters with the same centroid and a third apart: the pair is skipped, not divided by 0.
    const Y = Float64Array.from([-1, 0, 1, 0, 0, -1, 0, 1, 10, 0, 12, 0]);
    const v = daviesBouldin(Y, 6, 2, [0, 0, 1, 1, 2, 2]);
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeCloseTo(((1 + 1) / 11 + (1 + 1) / 11 + (1 + 1) / 11) / 3, 12);
  });

  it('refuse an exact silhouette that would run for hours, pointing to the sampled one', () => {
    expect(SILHOUETTE_EXACT_MAX_POINTS).toBe(20_000);
    expect(() => silhouetteScore(X, 5, 2, [0, 0, 1, 1, 2], { maxPoints: 4 })).toThrow(/use the sampled silhouette/);
    expect(silhouetteScore(X, 5, 2, [0, 0, 1, 1, 2], { maxPoints: 5 })).toBeGreaterThan(0);
    expect(() => silhouetteScoreSampled(X, 5, 2, [0, 0, 1, 1, 2], 5, 0, { maxPoints: 4 })).toThrow(/at most 4 points/);
    expect(() => trustworthiness(X, X, 5, 2, 2, 1, 4)).toThrow(/sample of at most 4 points/);
  });

  it('validate inputs', () => {
    expect(() => silhouetteScore(X, 5, 2, [0, 1])).toThrow(/Got 2 labels for 5 points/);
    expect(() => calinskiHarabasz(X, 5, 2, [0, 1, 0, 1, 0.5])).toThrow(/integers/);
    expect(() => daviesBouldin(Float64Array.from([0, Number.NaN, 1, 2]), 2, 2, [0, 1])).toThrow(/NaN/);
  });
});

describe('sampled silhouette', () => {
  const { data, labels } = makeBlobs(3000, 8, 4, { std: 3, seed: 21 });
  const all = Array.from(labels);

  it('is reproducible, depends on the seed and is near the exact value', () => {
    const a = silhouetteScoreSampled(data, 3000, 8, all, 800, 5);
    const b = silhouetteScoreSampled(data, 3000, 8, all, 800, 5);
    const c = silhouetteScoreSampled(data, 3000, 8, all, 800, 6);
    const exact = silhouetteScore(data, 3000, 8, all);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(Math.abs(a - exact)).toBeLessThan(0.03);
  });

  it('equals the exact score when the sample covers all points', () => {
    expect(silhouetteScoreSampled(data, 3000, 8, all, 3000, 1)).toBe(silhouetteScore(data, 3000, 8, all));
  });

  it('is the exact silhouette of the sampled points', () => {
    const tiny = makeBlobs(40, 3, 3, { std: 2, seed: 22, float64: true });
    const lab = Array.from(tiny.labels);
    const got = silhouetteScoreSampled(tiny.data, 40, 3, lab, 25, 9);
    // Rebuild the same sample with the same generator and compute the plain silhouette on it.
    const idx = Array.from({ length: 40 }, (_, i) => i);
    const sample = new Set<number>();
    const r = new Rng(9);
    for (let j = 40 - 25; j < 40; j++) {
      const t = r.nextInt(j + 1);
      sample.add(sample.has(t) ? j : t);
    }
    const picked = idx.filter((i) => sample.has(i));
    const sub = new Float64Array(25 * 3);
    picked.forEach((i, a) => sub.set(tiny.data.subarray(i * 3, i * 3 + 3), a * 3));
    const ref = naiveSilhouette(
      sub,
      25,
      3,
      picked.map((i) => lab[i]),
    );
    expect(rel(got, ref.reduce((s, v) => s + v, 0) / 25)).toBeLessThan(1e-12);
  });

  it('reports a sample that holds only one cluster', () => {
    const lab = new Array(3000).fill(0);
    lab[17] = 1;
    expect(() => silhouetteScoreSampled(data, 3000, 8, lab, 10, 0)).toThrow(/use a larger sample/);
    expect(() => silhouetteScoreSampled(data, 3000, 8, all, 1, 0)).toThrow(/sample size/);
  });
});

describe('trustworthiness', () => {
  it('is 1 for an embedding that keeps all distances and lower for a shuffled one', () => {
    const { data } = makeBlobs(120, 5, 3, { std: 1, seed: 30, float64: true });
    expect(trustworthiness(data, data, 120, 5, 5, 5)).toBe(1);
    const r = new Rng(1);
    const shuffled = new Float64Array(240);
    for (let i = 0; i < 240; i++) shuffled[i] = r.nextGaussian();
    const t = trustworthiness(data, shuffled, 120, 5, 2, 5);
    expect(t).toBeLessThan(0.7);
    expect(t).toBeGreaterThan(0);
  });

  it('matches a direct implementation of the rank formula', () => {
    const { data } = makeBlobs(50, 4, 3, { std: 2, seed: 31, float64: true });
    const E = new Float64Array(100);
    for (let i = 0; i < 50; i++) {
      E[2 * i] = data[4 * i];
      E[2 * i + 1] = data[4 * i + 2];
    }
    const k = 4;
    let penalty = 0;
    for (let i = 0; i < 50; i++) {
      const others = Array.from({ length: 50 }, (_, j) => j).filter((j) => j !== i);
      const byOrig = [...others].sort((a, b) => dist(data, 4, i, a) - dist(data, 4, i, b) || a - b);
      const byEmb = [...others].sort((a, b) => dist(E, 2, i, a) - dist(E, 2, i, b) || a - b).slice(0, k);
      for (const j of byEmb) penalty += Math.max(0, byOrig.indexOf(j) + 1 - k);
    }
    const ref = 1 - (penalty * 2) / (50 * k * (2 * 50 - 3 * k - 1));
    expect(rel(trustworthiness(data, E, 50, 4, 2, k), ref)).toBeLessThan(1e-14);
  });

  it('rejects too many neighbours', () => {
    const X = new Float64Array(20).map((_, i) => i);
    expect(() => trustworthiness(X, X, 10, 2, 2, 5)).toThrow(/k < n\/2/);
  });
});
