import { describe, expect, it } from 'vitest';
import { assignStep } from './assign';
import { makeBlobs } from './blobs';
import { drawSeedings, kmeans, meanFeatureVariance } from './kmeans';
import { lloydHamerly } from './lloyd';
import { Rng } from '../numeric/random';
import { ABANDON_MARGIN, AbandonRule, isCheckpoint, restartOrder } from './restarts';

describe('AbandonRule', () => {
  it('checks at iterations 2, 4, 8, 16 ... only', () => {
    expect([1, 2, 3, 4, 5, 8, 12, 16, 64].filter(isCheckpoint)).toEqual([2, 4, 8, 16, 64]);
  });

  it('gives up only on a run far behind the best that has stopped falling fast enough to catch up', () => {
    const far = 100 * (1 + 2 * ABANDON_MARGIN);
    // The first checkpoint has no rate yet.
    expect(new AbandonRule(100, 300).abandon(2, far)).toBe(false);
    // Flat and far behind: abandoned.
    const flat = new AbandonRule(100, 300);
    flat.abandon(2, far + 0.01);
    expect(flat.abandon(4, far)).toBe(true);
    // Far behind but still falling fast enough to reach the best within the iterations left.
    const falling = new AbandonRule(100, 300);
    falling.abandon(2, far + 2);
    expect(falling.abandon(4, far)).toBe(false);
    // Flat but within the margin: a close competitor is never dropped.
    const close = new AbandonRule(100, 300);
    close.abandon(2, 100 * (1 + ABANDON_MARGIN / 2));
    expect(close.abandon(4, 100 * (1 + ABANDON_MARGIN / 2))).toBe(false);
    // Near the iteration limit even a fast fall cannot make up the gap.
    const late = new AbandonRule(100, 10);
    late.abandon(4, far + 2);
    expect(late.abandon(8, far)).toBe(true);
  });

  it('orders restarts by seeding inertia, ties by index', () => {
    const s = (v: number[]) => ({
      centres: new Float64Array(1),
      nearest: new Int32Array(v.length),
      nearestSq: Float64Array.from(v),
      secondLower: new Float64Array(v.length),
    });
    expect(restartOrder([s([3, 1]), s([1, 1]), s([2, 0]), s([0, 2])])).toEqual([1, 2, 3, 0]);
  });
});

describe('k-means restarts', () => {
  // Well-separated blobs: some seedings put two centres in one blob and end in a local optimum
  // about 20% worse, the case abandonment is for.
  const n = 12_000;
  const d = 32;
  const { data } = makeBlobs(n, d, 10, { std: 2, seed: 7 });
  const restarts = 8;

  it('abandons only restarts that would have ended above the best, and never picks one', () => {
    let abandoned = 0;
    for (const seed of [1, 2, 3]) {
      const r = kmeans(data, n, d, { k: 10, restarts, seed });
      const finished = r.restartInertias.filter((_, i) => !r.restartAbandoned[i]);
      expect(r.inertia).toBe(Math.min(...finished));
      expect(r.restartAbandoned[r.bestRestart]).toBe(false);
      // Each abandoned restart, run to the end on its own, finishes above the best.
      const seedings = drawSeedings(data, n, d, 10, restarts, new Rng(seed));
      const tolAbs = 1e-4 * meanFeatureVariance(data, n, d);
      r.restartAbandoned.forEach((gaveUp, i) => {
        if (!gaveUp) return;
        abandoned++;
        expect(r.restartInertias[i]).toBeGreaterThan((1 + ABANDON_MARGIN) * r.inertia);
        const full = lloydHamerly(data, n, d, 10, seedings[i], { maxIter: 300, tolAbs });
        expect(full.inertia).toBeGreaterThan(r.inertia);
        expect(full.iterations).toBeGreaterThan(r.restartIterations[i]);
      });
    }
    expect(abandoned).toBeGreaterThan(0);
  });

  it('abandons at the same iterations with bounds, plain passes and a supplied assignment step', () => {
    const fast = kmeans(data, n, d, { k: 10, restarts, seed: 2 });
    const plain = kmeans(data, n, d, { k: 10, restarts, seed: 2, assign: assignStep });
    expect(fast.restartAbandoned.some(Boolean)).toBe(true);
    expect(plain.restartAbandoned).toEqual(fast.restartAbandoned);
    expect(plain.restartIterations).toEqual(fast.restartIterations);
    expect(Array.from(plain.labels)).toEqual(Array.from(fast.labels));
    fast.restartInertias.forEach((v, i) => expect(Math.abs(v - plain.restartInertias[i]) / v).toBeLessThan(1e-12));
  });
});
