import { describe, expect, it } from 'vitest';
import { Rng } from '../numeric/random';
import { DEFAULT_AB, findAbParams } from './abParams';
import { fuzzySimplicialSet, fuzzyUnion, membershipStrengths, SMOOTH_K_TOLERANCE, smoothKnnDistances } from './graph';
import { jacobiEigen } from '../numeric/eigen';
import { type KnnGraph, nearestNeighbours, prepareRows } from './knn';
import { makeEdges, PowTable } from './layout';
import { Scheduler } from './scheduler';

async function randomKnn(n: number, d: number, k: number, seed: number): Promise<KnnGraph> {
  const rng = new Rng(seed);
  const data = new Float32Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = rng.nextGaussian();
  const x = prepareRows(data, n, d, 'euclidean');
  const { graph } = await nearestNeighbours(x, n, d, k, { method: 'exact' }, new Scheduler(undefined, Infinity), () => {});
  return graph;
}

describe('smooth kNN distances', () => {
  it('memberships of each point sum to log2(n_neighbors); the nearest neighbour has membership 1', async () => {
    const k = 14; // n_neighbors 15
    const knn = await randomKnn(500, 6, k, 1);
    const smooth = smoothKnnDistances(knn);
    const w = membershipStrengths(knn, smooth);
    for (let i = 0; i < knn.n; i++) {
      // rho = distance to the nearest neighbour (local_connectivity 1).
      expect(smooth.rhos[i]).toBe(knn.distances[i * k]);
      expect(smooth.sigmas[i]).toBeGreaterThan(0);
      let sum = 0;
      for (let t = 0; t < k; t++) sum += w[i * k + t];
      expect(Math.abs(sum - Math.log2(k + 1))).toBeLessThan(SMOOTH_K_TOLERANCE);
      expect(w[i * k]).toBe(1);
      for (let t = 1; t < k; t++) expect(w[i * k + t]).toBeLessThanOrEqual(w[i * k + t - 1]);
    }
  });

  it('bandwidth scales the target sum', async () => {
    const knn = await randomKnn(200, 4, 9, 2);
    const smooth = smoothKnnDistances(knn, 1, 1.5);
    const w = membershipStrengths(knn, smooth);
    let sum = 0;
    for (let t = 0; t < 9; t++) sum += w[t];
    expect(sum).toBeCloseTo(Math.log2(10) * 1.5, 4);
  });

  it('points whose neighbours all sit at distance 0 get finite sigma and membership 1', () => {
    const knn: KnnGraph = {
      n: 3,
      k: 2,
      indices: Int32Array.from([1, 2, 0, 2, 0, 1]),
      distances: Float32Array.from([0, 0, 0, 0, 0, 0]),
    };
    const smooth = smoothKnnDistances(knn);
    const w = membershipStrengths(knn, smooth);
    for (let i = 0; i < 3; i++) expect(Number.isFinite(smooth.sigmas[i])).toBe(true);
    expect(Array.from(w)).toEqual([1, 1, 1, 1, 1, 1]);
  });
});

describe('fuzzy union', () => {
  it('combines w_ij and w_ji as a + b - ab, keeps one-sided edges, sorts rows', () => {
    // 0 -> 1 (0.5), 0 -> 2 (0.2), 1 -> 0 (0.4), 1 -> 2 (0.6), 2 -> 0 (0.3), 2 -> 1 (0.1)
    const knn: KnnGraph = {
      n: 4,
      k: 2,
      indices: Int32Array.from([2, 1, 0, 2, 1, 0, 0, 1]),
      distances: new Float32Array(8),
    };
    const w = Float64Array.from([0.2, 0.5, 0.4, 0.6, 0.1, 0.3, 0.25, 0]);
    const g = fuzzyUnion(knn, w);
    const at = (i: number, j: number): number => {
      for (let e = g.indptr[i]; e < g.indptr[i + 1]; e++) if (g.indices[e] === j) return g.weights[e];
      return 0;
    };
    expect(at(0, 1)).toBeCloseTo(0.5 + 0.4 - 0.2, 15);
    expect(at(0, 2)).toBeCloseTo(0.2 + 0.3 - 0.06, 15);
    expect(at(1, 2)).toBeCloseTo(0.6 + 0.1 - 0.06, 15);
    // 3 -> 0 only (0.25); 3 -> 1 has weight 0 and is dropped.
    expect(at(3, 0)).toBe(0.25);
    expect(at(0, 3)).toBe(0.25);
    expect(at(3, 1)).toBe(0);
    expect(g.indptr[4]).toBe(g.indices.length);
    for (let i = 0; i < 4; i++) {
      for (let e = g.indptr[i] + 1; e < g.indptr[i + 1]; e++) expect(g.indices[e]).toBeGreaterThan(g.indices[e - 1]);
    }
  });

  it('makes a symmetric graph with weights in (0, 1] and no self loops', async () => {
    const knn = await randomKnn(400, 5, 14, 3);
    const { graph: g } = fuzzySimplicialSet(knn);
    const map = new Map<number, number>();
    for (let i = 0; i < g.n; i++) {
      for (let e = g.indptr[i]; e < g.indptr[i + 1]; e++) {
        const j = g.indices[e];
        expect(j).not.toBe(i);
        expect(g.weights[e]).toBeGreaterThan(0);
        expect(g.weights[e]).toBeLessThanOrEqual(1);
        map.set(i * g.n + j, g.weights[e]);
      }
    }
    for (const [key, v] of map) {
      const i = Math.floor(key / g.n);
      const j = key % g.n;
      expect(map.get(j * g.n + i)).toBe(v);
    }
    // At least the directed edges, at most twice as many.
    expect(g.indices.length).toBeGreaterThanOrEqual(400 * 14);
    expect(g.indices.length).toBeLessThanOrEqual(2 * 400 * 14);
  });

  it('edges below max / n_epochs are left out of the SGD; the strongest is sampled every epoch', async () => {
    const knn = await randomKnn(300, 4, 14, 4);
    const { graph } = fuzzySimplicialSet(knn);
    const edges = makeEdges(graph, 200);
    let minEps = Infinity;
    for (let e = 0; e < edges.head.length; e++) {
      expect(edges.epochsPerSample[e]).toBeLessThanOrEqual(200 + 1e-9);
      minEps = Math.min(minEps, edges.epochsPerSample[e]);
    }
    expect(minEps).toBe(1);
  });
});

describe('curve parameters a, b', () => {
  it("match umap-learn's find_ab_params for min_dist 0.1, spread 1", () => {
    const { a, b } = findAbParams(1, 0.1);
    expect(Math.abs(a - DEFAULT_AB.a) / DEFAULT_AB.a).toBeLessThan(1e-5);
    expect(Math.abs(b - DEFAULT_AB.b) / DEFAULT_AB.b).toBeLessThan(1e-5);
  });

  it('fit the target curve for other settings (smaller min_dist: larger a, smaller b)', () => {
    const tight = findAbParams(1, 0.001);
    const loose = findAbParams(1, 0.5);
    expect(tight.a).toBeGreaterThan(loose.a);
    expect(tight.b).toBeLessThan(loose.b);
    // The fitted curve is close to the target where it matters.
    const { a, b } = findAbParams(1, 0.5);
    expect(1 / (1 + a * 1.5 ** (2 * b))).toBeCloseTo(Math.exp(-(1.5 - 0.5)), 1);
    expect(() => findAbParams(1, 2)).toThrow(/min_dist/);
  });
});

describe('numerical helpers', () => {
  it('the d2^b table is within 1e-5 relative of Math.pow everywhere', () => {
    const t = new PowTable(DEFAULT_AB.b);
    for (let v = 1e-8; v < 1e6; v *= 1.013) {
      const exact = v ** DEFAULT_AB.b;
      expect(Math.abs(t.pow(v) - exact) / exact).toBeLessThan(1e-5);
    }
  });

  it('Jacobi eigen-decomposition: A Q = Q diag(values)', () => {
    const rng = new Rng(5);
    const p = 4;
    const A = new Float64Array(p * p);
    for (let i = 0; i < p; i++) {
      for (let j = i; j < p; j++) A[i * p + j] = A[j * p + i] = rng.nextGaussian();
    }
    const { values, vectors } = jacobiEigen(A, p);
    for (let c = 0; c < p; c++) {
      for (let i = 0; i < p; i++) {
        let s = 0;
        for (let j = 0; j < p; j++) s += A[i * p + j] * vectors[j * p + c];
        expect(s).toBeCloseTo(values[c] * vectors[i * p + c], 10);
      }
    }
  });
});
