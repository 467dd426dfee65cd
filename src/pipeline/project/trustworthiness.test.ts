// Trustworthiness against scikit-learn's reference values in ../shared/fixtures/clustering
// (trustworthiness_first2dims_k5: sklearn.manifold.trustworthiness of the projection onto the first
// two coordinates, 5 neighbours), and the sampled estimate against the exact value.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeBlobs } from '../cluster/blobs';
import { Rng } from '../numeric/random';
import { trustworthiness } from '../cluster/trustworthiness';
import { layoutTrustworthiness, trustworthinessSampled } from './trustworthiness';

const FIXTURE_DIR = fileURLToPath(new URL('../../../../shared/fixtures/clustering/', import.meta.url));

function relErr(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
}

const fixtures = (() => {
  try {
    return readdirSync(FIXTURE_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => ({ file: f, fx: JSON.parse(readFileSync(FIXTURE_DIR + f, 'utf8')) as { X: number[][]; trustworthiness_first2dims_k5?: number } }))
      .filter(({ fx }) => fx.trustworthiness_first2dims_k5 !== undefined);
  } catch {
    return [];
  }
})();

describe('trustworthiness against scikit-learn', () => {
  it(`has fixtures with trustworthiness_first2dims_k5 in ${FIXTURE_DIR}`, () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  describe.each(fixtures)('$file', ({ fx }) => {
    const n = fx.X.length;
    const d = fx.X[0].length;
    const X = new Float64Array(n * d);
    fx.X.forEach((row, i) => X.set(row, i * d));
    const E = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) {
      E[2 * i] = X[i * d];
      E[2 * i + 1] = X[i * d + 1];
    }
    const expected = fx.trustworthiness_first2dims_k5 as number;

    it('layoutTrustworthiness (exact path) to 1e-9 relative', () => {
      const r = layoutTrustworthiness(X, n, d, E, { k: 5 });
      expect(r.exact).toBe(true);
      expect(relErr(r.value, expected)).toBeLessThan(1e-9);
    });

    it('trustworthinessSampled with every point as a query to 1e-9 relative', () => {
      const r = trustworthinessSampled(X, E, n, d, 2, 5, n);
      expect(r.exact).toBe(true);
      expect(r.standardError).toBe(0);
      expect(relErr(r.value, expected)).toBeLessThan(1e-9);
    });

    it('forced onto the sampled path, lands within 4 standard errors of the exact value', () => {
      const r = layoutTrustworthiness(X, n, d, E, { k: 5, exactMax: 10, sampleSize: 150, seed: 3 });
      expect(r.exact).toBe(false);
      expect(r.sampleSize).toBe(150);
      expect(Math.abs(r.value - expected)).toBeLessThanOrEqual(4 * r.standardError + 1e-12);
    });
  });
});

describe('sampled trustworthiness', () => {
  it('equals the clustering module’s exact value when every point is sampled (k = 15, float32 data)', () => {
    const n = 600;
    const d = 8;
    const { data } = makeBlobs(n, d, 4, { std: 3, seed: 2 });
    const rng = new Rng(1);
    // A rough 2-D view: two coordinates plus noise.
    const E = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      E[2 * i] = data[i * d] + rng.nextGaussian();
      E[2 * i + 1] = data[i * d + 1] + rng.nextGaussian();
    }
    const exact = trustworthiness(data, E, n, d, 2, 15);
    expect(relErr(trustworthinessSampled(data, E, n, d, 2, 15, n).value, exact)).toBeLessThan(1e-12);
    // Unbiased estimate: the mean over several seeds is close, each seed within 4 SE.
    let mean = 0;
    for (let seed = 0; seed < 8; seed++) {
      const r = trustworthinessSampled(data, E, n, d, 2, 15, 120, seed);
      expect(r.standardError).toBeGreaterThan(0);
      expect(Math.abs(r.value - exact)).toBeLessThan(4 * r.standardError);
      mean += r.value / 8;
    }
    expect(Math.abs(mean - exact)).toBeLessThan(0.01);
  });

  it('is 1 for an embedding that is the data itself, and rejects k >= n / 2', () => {
    const n = 100;
    const { data } = makeBlobs(n, 2, 3, { seed: 4 });
    expect(trustworthinessSampled(data, data, n, 2, 2, 5, 30, 1).value).toBe(1);
    expect(() => trustworthinessSampled(data, data, n, 2, 2, 50, 30)).toThrow(/k < n\/2/);
  });
});
