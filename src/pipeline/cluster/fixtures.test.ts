// The scikit-learn reference fixtures in ../shared/fixtures/clustering (see its README): every
// metric to 1e-9 relative, and k-means with the fixture's restarts no worse than 1.001 x sklearn.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { adjustedRandIndex, normalizedMutualInfo } from './agreement';
import { kmeans } from './kmeans';
import { calinskiHarabasz, daviesBouldin } from './metrics';
import { silhouetteScore } from './silhouette';
import { trustworthiness } from './trustworthiness';

const FIXTURE_DIR = fileURLToPath(new URL('../../../../shared/fixtures/clustering/', import.meta.url));

interface Metrics {
  silhouette: number;
  calinski_harabasz: number;
  davies_bouldin: number;
}
interface Fixture {
  X: number[][];
  labels_true: number[];
  labels_noisy: number[];
  metrics_true: Metrics;
  metrics_noisy: Metrics;
  ari_true_vs_noisy: number;
  nmi_true_vs_noisy: number;
  kmeans: { k: number; n_init: number; best_inertia: number };
  trustworthiness_first2dims_k5?: number;
}

function expectRelClose(actual: number, expected: number, rel = 1e-9): void {
  expect(Number.isFinite(actual)).toBe(true);
  const err = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
  if (err > rel) throw new Error(`got ${actual}, expected ${expected} (relative error ${err.toExponential(2)} > ${rel})`);
}

const files = (() => {
  try {
    return readdirSync(FIXTURE_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch {
    return [];
  }
})();

describe('scikit-learn fixtures', () => {
  it(`are present in ${FIXTURE_DIR}`, () => {
    expect(files.length).toBeGreaterThan(0);
  });

  describe.each(files)('%s', (file) => {
    const fx = JSON.parse(readFileSync(FIXTURE_DIR + file, 'utf8')) as Fixture;
    const n = fx.X.length;
    const d = fx.X[0].length;
    const X = new Float64Array(n * d);
    fx.X.forEach((row, i) => X.set(row, i * d));

    for (const which of ['true', 'noisy'] as const) {
      const labels = which === 'true' ? fx.labels_true : fx.labels_noisy;
      const ref = which === 'true' ? fx.metrics_true : fx.metrics_noisy;
      it(`silhouette of labels_${which}`, () => expectRelClose(silhouetteScore(X, n, d, labels), ref.silhouette));
      it(`Calinski-Harabasz of labels_${which}`, () => expectRelClose(calinskiHarabasz(X, n, d, labels), ref.calinski_harabasz));
      it(`Davies-Bouldin of labels_${which}`, () => expectRelClose(daviesBouldin(X, n, d, labels), ref.davies_bouldin));
    }

    it('ARI and NMI of true vs noisy labels', () => {
      expectRelClose(adjustedRandIndex(fx.labels_true, fx.labels_noisy), fx.ari_true_vs_noisy);
      expectRelClose(adjustedRandIndex(fx.labels_noisy, fx.labels_true), fx.ari_true_vs_noisy);
      expectRelClose(normalizedMutualInfo(fx.labels_true, fx.labels_noisy), fx.nmi_true_vs_noisy);
      expectRelClose(normalizedMutualInfo(fx.labels_noisy, fx.labels_true), fx.nmi_true_vs_noisy);
    });

    it(`k-means with ${fx.kmeans.n_init} restarts reaches <= 1.001 x scikit-learn's best inertia`, () => {
      for (const seed of [0, 1, 2]) {
        const r = kmeans(X, n, d, { k: fx.kmeans.k, restarts: fx.kmeans.n_init, seed });
        expect(r.algorithm).toBe('lloyd');
        expect(r.inertia).toBeLessThanOrEqual(1.001 * fx.kmeans.best_inertia);
        // Not better than the optimum sklearn found by more than rounding (would hint at a wrong inertia).
        expect(r.inertia).toBeGreaterThan(fx.kmeans.best_inertia * (1 - 1e-9));
      }
    });

    if (fx.trustworthiness_first2dims_k5 !== undefined) {
      const expected = fx.trustworthiness_first2dims_k5;
      it('trustworthiness of the first two coordinates, 5 neighbours', () => {
        const E = new Float64Array(n * 2);
        for (let i = 0; i < n; i++) {
          E[2 * i] = X[i * d];
          E[2 * i + 1] = X[i * d + 1];
        }
        expectRelClose(trustworthiness(X, E, n, d, 2, 5), expected);
      });
    }
  });
});
