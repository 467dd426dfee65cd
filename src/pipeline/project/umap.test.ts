import { describe, expect, it } from 'vitest';
import { makeBlobs } from '../cluster/blobs';
import { Rng } from '../numeric/random';
import { layoutTrustworthiness } from './trustworthiness';
import { umap, type UmapStats } from './umap';
import { ProjectionCancelledError, ProjectionInputError, type UmapProgress } from './types';

function expectFinite(embedding: Float32Array, n: number): void {
  expect(embedding.length).toBe(2 * n);
  for (let i = 0; i < embedding.length; i++) {
    if (!Number.isFinite(embedding[i])) throw new Error(`coordinate ${i} is ${embedding[i]}`);
  }
}

/** Per blob: 2-D centroid and RMS distance of its points to it. */
function blobGeometry(e: Float32Array, labels: Int32Array, blobs: number): { centre: Float64Array; spread: Float64Array } {
  const centre = new Float64Array(2 * blobs);
  const count = new Float64Array(blobs);
  for (let i = 0; i < labels.length; i++) {
    centre[2 * labels[i]] += e[2 * i];
    centre[2 * labels[i] + 1] += e[2 * i + 1];
    count[labels[i]]++;
  }
  for (let c = 0; c < blobs; c++) {
    centre[2 * c] /= count[c];
    centre[2 * c + 1] /= count[c];
  }
  const spread = new Float64Array(blobs);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    spread[c] += (e[2 * i] - centre[2 * c]) ** 2 + (e[2 * i + 1] - centre[2 * c + 1]) ** 2;
  }
  for (let c = 0; c < blobs; c++) spread[c] = Math.sqrt(spread[c] / count[c]);
  return { centre, spread };
}

describe('umap', () => {
  it('separates 5 well-separated Gaussian blobs: trustworthiness > 0.9, centroids far apart', async () => {
    const n = 1000;
    const d = 16;
    const { data, labels } = makeBlobs(n, d, 5, { std: 1, seed: 11 });
    const { embedding, stats } = await umap(data, n, d, { seed: 1 });
    expectFinite(embedding, n);
    expect(stats.nEpochs).toBe(500);
    expect(stats.knn.method).toBe('exact');
    const t = layoutTrustworthiness(data, n, d, embedding);
    expect(t.exact).toBe(true);
    expect(t.value).toBeGreaterThan(0.9);
    const { centre, spread } = blobGeometry(embedding, labels, 5);
    const maxSpread = Math.max(...spread);
    for (let a = 0; a < 5; a++) {
      for (let b = a + 1; b < 5; b++) {
        const gap = Math.hypot(centre[2 * a] - centre[2 * b], centre[2 * a + 1] - centre[2 * b + 1]);
        expect(gap).toBeGreaterThan(3 * maxSpread);
      }
    }
  });

  it('runs the NN-descent path and the cosine metric, with the same separation', async () => {
    const n = 1500;
    const d = 20;
    const { data, labels } = makeBlobs(n, d, 4, { std: 1, seed: 3 });
    const { embedding, stats } = await umap(data, n, d, { seed: 2, metric: 'cosine', nEpochs: 200, knn: { method: 'nndescent' } });
    expectFinite(embedding, n);
    expect(stats.knn.method).toBe('nndescent');
    expect(stats.knn.iterations).toBeGreaterThan(0);
    const { centre, spread } = blobGeometry(embedding, labels, 4);
    const maxSpread = Math.max(...spread);
    for (let a = 0; a < 4; a++) {
      for (let b = a + 1; b < 4; b++) {
        expect(Math.hypot(centre[2 * a] - centre[2 * b], centre[2 * a + 1] - centre[2 * b + 1])).toBeGreaterThan(3 * maxSpread);
      }
    }
  });

  it('is reproducible: same seed, same coordinates bit for bit; another seed, another layout', async () => {
    const n = 600;
    const d = 10;
    const { data } = makeBlobs(n, d, 3, { std: 2, seed: 5 });
    const opts = { seed: 42, nEpochs: 100, knn: { method: 'nndescent' as const } };
    const a = await umap(data, n, d, opts);
    const b = await umap(data, n, d, opts);
    expect(Buffer.from(a.embedding.buffer).equals(Buffer.from(b.embedding.buffer))).toBe(true);
    const c = await umap(data, n, d, { ...opts, seed: 43 });
    expect(Buffer.from(a.embedding.buffer).equals(Buffer.from(c.embedding.buffer))).toBe(false);
  });

  it('reports progress through knn, graph and layout, ending at 1', async () => {
    const n = 400;
    const d = 5;
    const { data } = makeBlobs(n, d, 3, { seed: 1 });
    const seen: UmapProgress[] = [];
    await umap(data, n, d, { nEpochs: 30 }, { onProgress: (p) => seen.push(p) });
    const stages = [...new Set(seen.map((p) => p.stage))];
    expect(stages).toEqual(['knn', 'graph', 'layout']);
    for (let i = 1; i < seen.length; i++) expect(seen[i].overall).toBeGreaterThanOrEqual(seen[i - 1].overall);
    const last = seen[seen.length - 1];
    expect(last).toMatchObject({ stage: 'layout', epoch: 30, fraction: 1 });
    expect(last.overall).toBeCloseTo(1, 12);
  });

  describe('cancel', () => {
    it('stops at the next check once the token is set (from the progress callback)', async () => {
      const n = 500;
      const { data } = makeBlobs(n, 4, 3, { seed: 1 });
      const token = { cancelled: false };
      let lastEpoch = 0;
      const run = umap(
        data,
        n,
        4,
        { nEpochs: 300 },
        {
          cancel: token,
          onProgress: (p) => {
            if (p.stage === 'layout') lastEpoch = p.epoch;
            if (p.stage === 'layout' && p.epoch === 10) token.cancelled = true;
          },
        },
      );
      await expect(run).rejects.toBeInstanceOf(ProjectionCancelledError);
      expect(lastEpoch).toBe(10);
    });

    it('yields to the event loop, so a timer can cancel a long neighbour search', async () => {
      const n = 6000;
      const d = 32;
      const { data } = makeBlobs(n, d, 5, { seed: 2 });
      const token = { cancelled: false };
      const started = performance.now();
      setTimeout(() => (token.cancelled = true), 30);
      await expect(umap(data, n, d, {}, { cancel: token, yieldEveryMs: 10 })).rejects.toBeInstanceOf(ProjectionCancelledError);
      expect(performance.now() - started).toBeLessThan(3000);
    });

    it('rejects at once when the token is already set', async () => {
      const { data } = makeBlobs(50, 3, 2, { seed: 1 });
      await expect(umap(data, 50, 3, {}, { cancel: { cancelled: true } })).rejects.toBeInstanceOf(ProjectionCancelledError);
    });
  });

  describe('degenerate input', () => {
    it('fewer points than n_neighbors: all others are neighbours, with a warning', async () => {
      const { data } = makeBlobs(8, 3, 2, { seed: 1 });
      const { embedding, stats } = await umap(data, 8, 3);
      expectFinite(embedding, 8);
      expect(stats.nNeighbors).toBe(8);
      expect(stats.warnings.join(' ')).toMatch(/all 7 other points/);
    });

    it('0, 1, 2 and 3 points', async () => {
      expect((await umap(new Float32Array(0), 0, 4)).embedding.length).toBe(0);
      const one = await umap(Float32Array.from([1, 2]), 1, 2);
      expect(Array.from(one.embedding)).toEqual([0, 0]);
      expectFinite((await umap(Float32Array.from([1, 2, 3, 4]), 2, 2)).embedding, 2);
      expectFinite((await umap(Float32Array.from([1, 2, 3, 4, 5, 7]), 3, 2)).embedding, 3);
    });

    it('duplicate points: finite, and copies end up together', async () => {
      const n = 300;
      const d = 6;
      const rng = new Rng(3);
      const data = new Float32Array(n * d);
      // 100 copies of point A, 100 of point B, 100 scattered points.
      for (let i = 0; i < n; i++) {
        for (let t = 0; t < d; t++) data[i * d + t] = i < 100 ? 5 : i < 200 ? -5 : rng.nextGaussian() * 3;
      }
      const { embedding } = await umap(data, n, d, { seed: 1 });
      expectFinite(embedding, n);
      const { centre, spread } = blobGeometry(
        embedding,
        Int32Array.from({ length: n }, (_, i) => (i < 100 ? 0 : i < 200 ? 1 : 2)),
        3,
      );
      expect(Math.hypot(centre[0] - centre[2], centre[1] - centre[3])).toBeGreaterThan(2 * Math.max(spread[0], spread[1]));
    });

    it('all points identical: finite coordinates', async () => {
      const n = 60;
      const data = new Float64Array(n * 3).fill(7);
      expectFinite((await umap(data, n, 3, { seed: 1 })).embedding, n);
      expectFinite((await umap(data, n, 3, { seed: 1, metric: 'cosine' })).embedding, n);
    });

    it('one dimension: clusters on a line stay apart', async () => {
      const n = 300;
      const rng = new Rng(8);
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = (i % 3) * 100 + rng.nextGaussian();
      const { embedding } = await umap(data, n, 1, { seed: 1 });
      expectFinite(embedding, n);
      const { centre, spread } = blobGeometry(
        embedding,
        Int32Array.from({ length: n }, (_, i) => i % 3),
        3,
      );
      const maxSpread = Math.max(...spread);
      expect(Math.hypot(centre[0] - centre[2], centre[1] - centre[3])).toBeGreaterThan(2 * maxSpread);
      expect(Math.hypot(centre[2] - centre[4], centre[3] - centre[5])).toBeGreaterThan(2 * maxSpread);
    });

    it('zero vectors under the cosine metric, huge and tiny scales: finite', async () => {
      const n = 120;
      const d = 4;
      const rng = new Rng(2);
      const data = new Float64Array(n * d);
      for (let i = 10; i < data.length; i++) data[i] = rng.nextGaussian();
      expectFinite((await umap(data, n, d, { metric: 'cosine', nEpochs: 50 })).embedding, n);
      const huge = data.map((v) => v * 1e100);
      expectFinite((await umap(huge, n, d, { nEpochs: 50 })).embedding, n);
      expectFinite((await umap(huge, n, d, { nEpochs: 50, metric: 'cosine' })).embedding, n);
      const tiny = data.map((v) => v * 1e-100);
      expectFinite((await umap(tiny, n, d, { nEpochs: 50 })).embedding, n);
    });

    it('rejects NaN, wrong shapes and bad options with a clear error', async () => {
      const data = new Float32Array(20);
      data[7] = NaN;
      await expect(umap(data, 10, 2)).rejects.toThrow(/missing value \(NaN\) at point 3, dimension 1/);
      await expect(umap(new Float32Array(20), 10, 3)).rejects.toBeInstanceOf(ProjectionInputError);
      await expect(umap(new Float32Array(20), 10, 2, { nNeighbors: 1 })).rejects.toThrow(/n_neighbors/);
      await expect(umap(new Float32Array(20), 10, 2, { minDist: 3 })).rejects.toThrow(/min_dist/);
      await expect(umap(new Float32Array(20), 10, 2, { metric: 'manhattan' as 'cosine' })).rejects.toThrow(/metrics/);
      await expect(umap([1, 2] as unknown as Float32Array, 1, 2)).rejects.toBeInstanceOf(ProjectionInputError);
    });
  });

  it('stats account for the run', async () => {
    const n = 500;
    const { data } = makeBlobs(n, 6, 3, { seed: 9 });
    const { stats } = await umap(data, n, 6, { nEpochs: 50, minDist: 0.3 });
    const s: UmapStats = stats;
    expect(s.nNeighbors).toBe(15);
    expect(s.b).toBeGreaterThan(0.9); // fitted for min_dist 0.3, not the 0.1 defaults
    expect(s.edges).toBeGreaterThan(n * 14);
    expect(s.positiveSamples).toBeGreaterThan(0);
    expect(s.negativeSamples).toBeGreaterThan(4 * s.positiveSamples);
    expect(s.timings.totalMs).toBeGreaterThanOrEqual(s.timings.knnMs + s.timings.layoutMs);
  });
});
