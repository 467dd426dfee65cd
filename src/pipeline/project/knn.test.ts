import { describe, expect, it } from 'vitest';
import { Rng } from '../numeric/random';
import { nearestNeighbours, prepareRows } from './knn';
import { Scheduler } from './scheduler';
import type { Metric } from './types';

function uniform(n: number, d: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(n * d);
  for (let i = 0; i < out.length; i++) out[i] = rng.nextFloat();
  return out;
}

/** Brute-force k nearest (self excluded) straight from the input, in float64. */
function bruteForce(data: Float32Array, n: number, d: number, k: number, metric: Metric): Int32Array {
  const out = new Int32Array(n * k);
  const dist = new Float64Array(n);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += data[i * d + t] ** 2;
    norms[i] = Math.sqrt(s);
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      if (metric === 'cosine') {
        for (let t = 0; t < d; t++) s += data[i * d + t] * data[j * d + t];
        s = 1 - s / (norms[i] * norms[j]);
      } else {
        for (let t = 0; t < d; t++) s += (data[i * d + t] - data[j * d + t]) ** 2;
      }
      dist[j] = j === i ? Infinity : s;
    }
    const order = Array.from(dist.keys()).sort((a, b) => dist[a] - dist[b] || a - b);
    for (let t = 0; t < k; t++) out[i * k + t] = order[t];
  }
  return out;
}

function recall(found: Int32Array, truth: Int32Array, n: number, k: number): number {
  let hit = 0;
  for (let i = 0; i < n; i++) {
    const want = new Set(truth.subarray(i * k, i * k + k));
    for (let t = 0; t < k; t++) if (want.has(found[i * k + t])) hit++;
  }
  return hit / (n * k);
}

const quiet = new Scheduler(undefined, Infinity);
const noProgress = (): void => {};

describe('nearest neighbours', () => {
  it('NN-descent finds >= 0.9 of the true neighbours of random data (euclidean)', async () => {
    const n = 2000;
    const d = 10;
    const k = 14;
    const data = uniform(n, d, 1);
    const x = prepareRows(data, n, d, 'euclidean');
    const { graph, stats } = await nearestNeighbours(x, n, d, k, { method: 'nndescent', seed: 3 }, quiet, noProgress);
    expect(stats.method).toBe('nndescent');
    expect(stats.trees).toBeGreaterThan(0);
    const r = recall(graph.indices, bruteForce(data, n, d, k, 'euclidean'), n, k);
    expect(r).toBeGreaterThanOrEqual(0.9);
    // Far fewer distance evaluations than brute force's n(n-1)/2.
    expect(stats.distanceEvaluations).toBeLessThan((n * (n - 1)) / 2);
  });

  it('NN-descent finds >= 0.9 of the true neighbours under the cosine metric', async () => {
    const n = 1500;
    const d = 12;
    const k = 14;
    const data = uniform(n, d, 2);
    for (let i = 0; i < data.length; i++) data[i] -= 0.5; // directions all around the origin
    const x = prepareRows(data, n, d, 'cosine');
    const { graph } = await nearestNeighbours(x, n, d, k, { method: 'nndescent', metric: 'cosine', seed: 1 }, quiet, noProgress);
    expect(recall(graph.indices, bruteForce(data, n, d, k, 'cosine'), n, k)).toBeGreaterThanOrEqual(0.9);
    // Distances are 1 - cosine similarity.
    for (let i = 0; i < 20; i++) {
      const j = graph.indices[i * k];
      let dot = 0;
      let ni = 0;
      let nj = 0;
      for (let t = 0; t < d; t++) {
        dot += data[i * d + t] * data[j * d + t];
        ni += data[i * d + t] ** 2;
        nj += data[j * d + t] ** 2;
      }
      expect(graph.distances[i * k]).toBeCloseTo(1 - dot / Math.sqrt(ni * nj), 5);
    }
  });

  it('exact search equals brute force, rows sorted, self excluded, distances euclidean', async () => {
    const n = 300;
    const d = 5;
    const k = 9;
    const data = uniform(n, d, 4);
    const x = prepareRows(data, n, d, 'euclidean');
    const { graph, stats } = await nearestNeighbours(x, n, d, k, { method: 'exact' }, quiet, noProgress);
    expect(stats.method).toBe('exact');
    expect(recall(graph.indices, bruteForce(data, n, d, k, 'euclidean'), n, k)).toBe(1);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < k; t++) {
        const j = graph.indices[i * k + t];
        expect(j).not.toBe(i);
        if (t > 0) expect(graph.distances[i * k + t]).toBeGreaterThanOrEqual(graph.distances[i * k + t - 1]);
        let s = 0;
        for (let u = 0; u < d; u++) s += (data[i * d + u] - data[j * d + u]) ** 2;
        expect(graph.distances[i * k + t]).toBeCloseTo(Math.sqrt(s), 5);
      }
    }
  });

  it('NN-descent maps its reordered rows back: every listed distance is the distance to that point', async () => {
    const n = 800;
    const d = 6;
    const k = 7;
    const data = uniform(n, d, 5);
    const x = prepareRows(data, n, d, 'euclidean');
    const { graph } = await nearestNeighbours(x, n, d, k, { method: 'nndescent', seed: 9 }, quiet, noProgress);
    for (let i = 0; i < n; i++) {
      const seen = new Set<number>();
      for (let t = 0; t < k; t++) {
        const j = graph.indices[i * k + t];
        expect(j).toBeGreaterThanOrEqual(0);
        expect(j).not.toBe(i);
        expect(seen.has(j)).toBe(false);
        seen.add(j);
        let s = 0;
        for (let u = 0; u < d; u++) s += (data[i * d + u] - data[j * d + u]) ** 2;
        expect(Math.abs(graph.distances[i * k + t] - Math.sqrt(s))).toBeLessThan(1e-5);
      }
    }
  });

  it('copes with many duplicate rows (hyperplanes that split nothing)', async () => {
    const n = 600;
    const d = 4;
    const k = 14;
    const data = new Float32Array(n * d);
    // 400 copies of one point, 200 copies of another.
    for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) data[i * d + t] = i < 400 ? 1 : 2;
    const x = prepareRows(data, n, d, 'euclidean');
    const { graph } = await nearestNeighbours(x, n, d, k, { method: 'nndescent', seed: 1 }, quiet, noProgress);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < k; t++) {
        expect(graph.indices[i * k + t]).toBeGreaterThanOrEqual(0);
        // Every point has at least 14 exact duplicates: all its neighbours are at distance 0.
        expect(graph.distances[i * k + t]).toBe(0);
      }
    }
  });

  it('is reproducible with a seed', async () => {
    const n = 1200;
    const d = 8;
    const data = uniform(n, d, 6);
    const x = prepareRows(data, n, d, 'euclidean');
    const a = await nearestNeighbours(x, n, d, 10, { method: 'nndescent', seed: 4 }, quiet, noProgress);
    const b = await nearestNeighbours(x, n, d, 10, { method: 'nndescent', seed: 4 }, quiet, noProgress);
    expect(a.graph.indices).toEqual(b.graph.indices);
    expect(a.graph.distances).toEqual(b.graph.distances);
  });
});
