import { describe, expect, it } from 'vitest';
import { adjustedRandIndex } from './agreement';
import { makeBlobs } from './blobs';
import { createEmulatedGpuAssigner } from './gpu/emulate';
import { kmeans } from './kmeans';
import { calinskiHarabasz, daviesBouldin } from './metrics';
import { silhouetteScore, silhouetteScoreSampled } from './silhouette';
import { elbowK, preferUsefulK, sweepK, sweepRange, usefulKRange } from './sweep';
import { ClusteringCancelledError, ClusteringInputError } from './types';

describe('sweepK on well-separated blobs', () => {
  const n = 800;
  const d = 6;
  const { data, labels: truth } = makeBlobs(n, d, 4, { std: 0.6, seed: 31 });

  it('suggests the true K, by silhouette and elbow alike, and scores every K like the metric functions', async () => {
    const progress: [number, number][] = [];
    const seen: number[] = [];
    const r = await sweepK(data, n, d, {
      kMax: 8,
      onProgress: (k, f) => progress.push([k, f]),
      onEntry: (e) => seen.push(e.k),
    });
    expect(r.entries.map((e) => e.k)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(seen).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(r.suggested.k).toBe(4);
    expect(r.suggested.reason).toMatch(/K = 4 has the highest mean silhouette, 0\.\d{3}; the inertia elbow is at the same K/);
    expect(r.elbow?.k).toBe(4);
    expect(r.silhouette).toEqual({ exact: true, sampleSize: n });
    expect(r.path).toBe('cpu');
    const four = r.entries[2];
    expect(adjustedRandIndex(four.labels, truth)).toBe(1);
    expect(four.stability).toBe(1);
    for (const e of r.entries) {
      expect(new Set(e.labels).size).toBe(e.k);
      expect(e.labels).toHaveLength(n);
      expect(e.centres).toHaveLength(e.k * d);
      expect(e.runInertias).toHaveLength(3);
      expect(e.inertia).toBe(Math.min(...e.runInertias));
      expect(e.runInertias[e.bestRun]).toBe(e.inertia);
      expect(e.silhouette).toBeCloseTo(silhouetteScore(data, n, d, e.labels), 12);
      expect(e.silhouetteSample).toBe(n);
      expect(e.calinskiHarabasz).toBe(calinskiHarabasz(data, n, d, e.labels));
      expect(e.daviesBouldin).toBe(daviesBouldin(data, n, d, e.labels));
      expect(e.stability).toBeGreaterThan(-0.5);
      expect(e.stability).toBeLessThanOrEqual(1);
    }
    // Inertia falls with K; silhouette peaks at 4.
    for (let i = 1; i < r.entries.length; i++) expect(r.entries[i].inertia).toBeLessThan(r.entries[i - 1].inertia);
    // Progress: increasing fractions ending at 1, K never going back.
    expect(progress[0]).toEqual([2, 0]);
    expect(progress[progress.length - 1]).toEqual([8, 1]);
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i][1]).toBeGreaterThan(progress[i - 1][1]);
      expect(progress[i][0]).toBeGreaterThanOrEqual(progress[i - 1][0]);
    }
    expect(progress).toHaveLength(1 + 7 * 4);
  });

  it("reuses kmeans' seeds: each run is kmeans(seed + r), the best run gives the labels", async () => {
    const r = await sweepK(data, n, d, { kMin: 3, kMax: 3, seed: 10, seeds: 2 });
    const runs = [kmeans(data, n, d, { k: 3, seed: 10, restarts: 1 }), kmeans(data, n, d, { k: 3, seed: 11, restarts: 1 })];
    expect(r.entries[0].runInertias).toEqual(runs.map((x) => x.inertia));
    const best = runs[0].inertia <= runs[1].inertia ? runs[0] : runs[1];
    expect(Array.from(r.entries[0].labels)).toEqual(Array.from(best.labels));
    expect(r.entries[0].stability).toBeCloseTo(adjustedRandIndex(runs[0].labels, runs[1].labels), 12);
  });

  it('is reproducible, and NaN stability with a single seed', async () => {
    const a = await sweepK(data, n, d, { kMax: 5, seed: 3 });
    const b = await sweepK(data, n, d, { kMax: 5, seed: 3 });
    expect(a.entries.map((e) => [e.inertia, e.silhouette, e.stability])).toEqual(b.entries.map((e) => [e.inertia, e.silhouette, e.stability]));
    const one = await sweepK(data, n, d, { kMax: 3, seeds: 1 });
    expect(one.entries.every((e) => Number.isNaN(e.stability))).toBe(true);
  });

  it('samples the silhouette above the exact limit, with one sample for all K', async () => {
    const r = await sweepK(data, n, d, { kMax: 5, silhouetteExactMax: 500, silhouetteSample: 300, silhouetteSeed: 9 });
    expect(r.silhouette).toEqual({ exact: false, sampleSize: 300 });
    for (const e of r.entries) {
      expect(e.silhouetteSample).toBe(300);
      expect(e.silhouette).toBe(silhouetteScoreSampled(data, n, d, e.labels, 300, 9));
    }
    expect(r.suggested.reason).toMatch(/on a sample of 300 points/);
  });

  it('gives the same clusterings on the (emulated) GPU path', async () => {
    const gpu = await createEmulatedGpuAssigner(data, n, d, { sums: 'cpu' });
    const cpu = await sweepK(data, n, d, { kMax: 6 });
    const viaGpu = await sweepK(data, n, d, { kMax: 6, assigner: gpu });
    expect(viaGpu.path).toBe('gpu');
    expect(viaGpu.entries.every((e) => e.path === 'gpu')).toBe(true);
    expect(gpu.stats.passes).toBeGreaterThan(5 * 3);
    viaGpu.entries.forEach((e, i) => {
      expect(Array.from(e.labels)).toEqual(Array.from(cpu.entries[i].labels));
      expect(Math.abs(e.inertia - cpu.entries[i].inertia) / e.inertia).toBeLessThan(1e-12);
    });
    expect(viaGpu.suggested).toEqual(cpu.suggested);
  });

  it('stops when cancelled and reports a cancellation, not a result', async () => {
    const token = { cancelled: false };
    let units = 0;
    const run = sweepK(data, n, d, {
      cancel: token,
      onProgress: () => {
        if (++units === 3) token.cancelled = true;
      },
    });
    await expect(run).rejects.toThrow(ClusteringCancelledError);
    expect(units).toBe(3);
    // A cancel set from outside (as a worker's message handler would) is seen too.
    const outside = { cancelled: false };
    const p = sweepK(data, n, d, { cancel: outside });
    setTimeout(() => (outside.cancelled = true), 0);
    await expect(p).rejects.toThrow(ClusteringCancelledError);
  });
});

describe('sweep input checks', () => {
  const ok = makeBlobs(40, 2, 3, { seed: 1, float64: true }).data;
  const cases: [string, () => unknown, RegExp][] = [
    [
      'K beyond the distinct points',
      () => sweepRange(Float64Array.from([0, 0, 1, 1, 2, 2, 0, 0, 1, 1]), 5, 2, 2, 4),
      /Only 3 of the 5 points are distinct, so the sweep can go up to K = 3, not 4/,
    ],
    ['NaN', () => sweepRange(Float64Array.from([1, Number.NaN, 2, 3, 4, 5]), 3, 2), /missing value \(NaN\) at point 0, dimension 1/],
    ['Infinity', () => sweepRange(Float32Array.from([1, 2, Number.NEGATIVE_INFINITY, 3]), 2, 2), /infinite value at point 1/],
    ['all identical vectors', () => sweepRange(new Float32Array(30).fill(0.5), 10, 3), /All 10 points are identical/],
    ['a single point', () => sweepRange(Float64Array.from([1, 2]), 1, 2), /only one point/],
    ['two points only', () => sweepRange(Float64Array.from([1, 2, 3, 4]), 2, 2), /needs at least 3 points/],
    ['K = 1', () => sweepRange(ok, 40, 2, 1), /starts at K >= 2/],
    ['kMax < kMin', () => sweepRange(ok, 40, 2, 5, 4), /whole number >= 5, got 4/],
    ['kMax >= n', () => sweepRange(ok, 40, 2, 2, 40), /too many for 40 points.*K <= 39/],
  ];
  for (const [name, run, message] of cases) {
    it(`rejects ${name} with a clear message`, () => {
      expect(run).toThrow(ClusteringInputError);
      expect(run).toThrow(message);
    });
  }

  it('lowers the default K range to what the data allows', () => {
    expect(sweepRange(ok, 40, 2)).toEqual({ kMin: 2, kMax: 15 });
    expect(sweepRange(ok.subarray(0, 20), 10, 2)).toEqual({ kMin: 2, kMax: 9 });
    const fewDistinct = new Float64Array(100);
    for (let i = 0; i < 100; i++) fewDistinct[i] = i % 6;
    expect(sweepRange(fewDistinct, 100, 1)).toEqual({ kMin: 2, kMax: 6 });
  });

  it('sweepK itself rejects bad input before any work', async () => {
    let called = false;
    await expect(sweepK(new Float64Array(8).fill(3), 4, 2, { onProgress: () => (called = true) })).rejects.toThrow(/identical/);
    await expect(sweepK(ok, 40, 2, { seeds: 0 })).rejects.toThrow(/seeds per K/);
    expect(called).toBe(false);
  });
});

describe('elbowK', () => {
  it('finds the knee by the largest distance below the chord', () => {
    const ks = [2, 3, 4, 5, 6, 7, 8];
    expect(elbowK(ks, [1000, 600, 200, 180, 165, 150, 140])?.k).toBe(4);
    expect(elbowK(ks, [1000, 300, 250, 200, 160, 130, 100])?.k).toBe(3);
    const e = elbowK(ks, [1000, 600, 200, 180, 165, 150, 140]);
    expect(e?.reason).toMatch(/K = 4 .* farthest below the line from K = 2 to K = 8/);
  });

  it('returns null without a knee: too few points, a straight or concave curve, a flat one', () => {
    expect(elbowK([2, 3], [10, 5])).toBeNull();
    expect(elbowK([2, 3, 4, 5], [40, 30, 20, 10])).toBeNull();
    expect(elbowK([2, 3, 4, 5], [40, 39, 35, 10])).toBeNull();
    expect(elbowK([2, 3, 4], [5, 5, 5])).toBeNull();
  });

  it('does not depend on the scale of the inertia', () => {
    const ks = [2, 3, 4, 5, 6, 7];
    const curve = [900, 500, 300, 260, 240, 230];
    expect(elbowK(ks, curve)?.k).toBe(
      elbowK(
        ks,
        curve.map((v) => v * 1e-9),
      )?.k,
    );
  });
});

describe('sweepK suggestBy', () => {
  it("'calinski-harabasz' suggests the K with the highest variance ratio and says so; the default stays the silhouette", async () => {
    // Overlapping blobs in 24 dimensions: silhouettes are small everywhere.
    const { data } = makeBlobs(600, 24, 5, { std: 2.5, seed: 7 });
    const bySil = await sweepK(data, 600, 24, { kMin: 2, kMax: 9, seeds: 2 });
    const byCh = await sweepK(data, 600, 24, { kMin: 2, kMax: 9, seeds: 2, suggestBy: 'calinski-harabasz' });
    const argmax = (f: (e: (typeof byCh.entries)[number]) => number): number => byCh.entries.reduce((b, e) => (f(e) > f(b) ? e : b)).k;
    expect(byCh.suggested.k).toBe(argmax((e) => e.calinskiHarabasz));
    expect(byCh.suggested.reason).toMatch(/highest Calinski-Harabasz score/);
    expect(bySil.suggested.k).toBe(bySil.entries.reduce((b, e) => (e.silhouette > b.silhouette ? e : b)).k);
    expect(bySil.suggested.reason).toMatch(/silhouette/);
    // The same runs: only the suggestion differs.
    expect(byCh.entries.map((e) => e.inertia)).toEqual(bySil.entries.map((e) => e.inertia));
  });
});

describe('the suggested K on data with little structure', () => {
  it('moves out of a degenerate split into 4-10 segments when the scores show no clear structure', async () => {
    // One round blob: every K is as good as any other; the scores' best (often 2) halves it.
    const { data } = makeBlobs(1000, 8, 1, { std: 1, seed: 3 });
    const r = await sweepK(data, 1000, 8, { kMin: 2, kMax: 12, seeds: 2 });
    const best = r.entries.reduce((b, e) => (e.silhouette > b.silhouette ? e : b));
    expect(best.silhouette).toBeLessThan(0.5);
    expect(r.suggested.k).toBeGreaterThanOrEqual(4);
    expect(r.suggested.k).toBeLessThanOrEqual(10);
    if (best.k < 4 || best.k > 10) expect(r.suggested.reason).toMatch(/little structure .* 4-10 segments are preferred/);
  });

  it('keeps a best K outside the range when its silhouette says the structure is clear; on a small log, a best K under the ceiling stands', () => {
    const entry = (k: number, silhouette: number, calinskiHarabasz = 10, stability = 1) =>
      ({ k, silhouette, calinskiHarabasz, stability, inertia: 100 / k }) as unknown as Parameters<typeof preferUsefulK>[0][number];
    const entries = [entry(2, 0.8), entry(3, 0.3), entry(4, 0.2), entry(5, 0.25), entry(6, 0.1)];
    const two = { k: 2, reason: 'K = 2 has the highest mean silhouette, 0.800' };
    expect(preferUsefulK(entries, two, null, 3000, 'silhouette').k).toBe(2);
    const weak = entries.map((e) => (e.k === 2 ? entry(2, 0.3) : e));
    const moved = preferUsefulK(weak, { k: 2, reason: 'x' }, null, 3000, 'silhouette');
    expect(moved.k).toBe(5);
    expect(moved.reason).toMatch(/K = 5 has the best silhouette among them/);
    // The elbow wins inside the range when its runs agree.
    expect(preferUsefulK(weak, { k: 2, reason: 'x' }, { k: 6, reason: 'elbow' }, 3000, 'silhouette').k).toBe(6);
    expect(preferUsefulK(weak, { k: 2, reason: 'x' }, null, 300, 'silhouette').k).toBe(2);
    expect(usefulKRange(399)).toEqual({ lo: 2, hi: 19 });
    expect(usefulKRange(500)).toEqual({ lo: 4, hi: 5 });
    expect(usefulKRange(3500)).toEqual({ lo: 4, hi: 10 });
  });

  it('on a small log, moves a score that keeps rising with K back to segments of 20 customers or more', () => {
    // The variance ratio on few points: it grows with K (clusters of one or two customers), the
    // silhouette is middling, the inertia bends at 4.
    const entry = (k: number) =>
      ({ k, silhouette: 0.45, calinskiHarabasz: 30 * k, stability: 1, inertia: 100 / k }) as unknown as Parameters<typeof preferUsefulK>[0][number];
    const entries = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15].map(entry);
    const fifteen = { k: 15, reason: 'K = 15 has the highest Calinski-Harabasz score' };
    expect(usefulKRange(80)).toEqual({ lo: 2, hi: 4 });
    const atElbow = preferUsefulK(entries, fifteen, { k: 4, reason: 'elbow' }, 80, 'calinski-harabasz');
    expect(atElbow.k).toBe(4);
    expect(atElbow.reason).toMatch(/for 80 customers 2-4 segments are preferred and the inertia curve bends most at K = 4/);
    // No elbow in the range: the range's best score, its top.
    expect(preferUsefulK(entries, fifteen, { k: 9, reason: 'elbow' }, 120, 'calinski-harabasz').k).toBe(6);
    // Forty customers: two segments.
    const tiny = preferUsefulK(entries, fifteen, null, 40, 'calinski-harabasz');
    expect(tiny.k).toBe(2);
    expect(tiny.reason).toMatch(/for 40 customers 2 segments are preferred/);
    // A K past the ceiling with a clear silhouette stands, as on big logs; one inside it is kept.
    const clear = entries.map((e) => (e.k === 15 ? { ...e, silhouette: 0.7 } : e));
    expect(preferUsefulK(clear, fifteen, null, 80, 'calinski-harabasz').k).toBe(15);
    expect(preferUsefulK(entries, { k: 3, reason: 'x' }, null, 80, 'calinski-harabasz').k).toBe(3);
    // At 300 customers and more the ceiling lies past the default sweep (2..15): nothing moves.
    expect(preferUsefulK(entries, fifteen, { k: 4, reason: 'elbow' }, 300, 'calinski-harabasz').k).toBe(15);
  });
});
