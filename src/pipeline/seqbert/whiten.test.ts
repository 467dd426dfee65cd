import { describe, expect, it } from 'vitest';
import { Random } from '../numeric/sfc32';
import { applyWhitening, fitWhitening, ROWS_PER_AXIS, whitenRows, whitenRowsWith } from './whiten';

/** n rows of size d: `rank` random directions with scales 10, 5, 2.5, ... plus a mean offset. */
function lowRank(n: number, d: number, rank: number, seed: number): Float32Array {
  const rng = new Random(seed);
  const dirs = Array.from({ length: rank }, () => Float64Array.from({ length: d }, () => rng.float() * 2 - 1));
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < rank; k++) {
      const a = (rng.float() * 2 - 1) * 10 * 0.5 ** k;
      for (let j = 0; j < d; j++) x[i * d + j] += a * dirs[k][j] + (k === 0 ? 3 : 0);
    }
  return x;
}

function covariance(y: Float32Array, n: number, k: number): number[][] {
  const mean = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) mean[c] += y[i * k + c] / n;
  const cov = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < n; i++) for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) cov[a][b] += ((y[i * k + a] - mean[a]) * (y[i * k + b] - mean[b])) / n;
  return cov;
}

describe('whitening', () => {
  it('gives centred, uncorrelated, unit-variance axes, and keeps only the axes that carry variance', () => {
    const n = 500;
    const d = 8;
    const x = lowRank(n, d, 3, 1);
    const w = fitWhitening(x, n, d, 1);
    // Rank 3: the five empty directions are never kept, even when all the variance is asked for.
    expect(w.kept).toBe(3);
    expect(w.varianceKept).toBeCloseTo(1, 6);
    const y = applyWhitening(w, x, n);
    const cov = covariance(y, n, w.kept);
    for (let a = 0; a < w.kept; a++) for (let b = 0; b < w.kept; b++) expect(cov[a][b]).toBeCloseTo(a === b ? 1 : 0, 3);
  });

  it('drops the smallest axes beyond the variance share asked for', () => {
    const n = 400;
    const d = 6;
    const x = lowRank(n, d, 5, 2);
    const all = fitWhitening(x, n, d, 1);
    const most = fitWhitening(x, n, d, 0.9);
    expect(all.kept).toBe(5);
    expect(most.kept).toBeLessThan(all.kept);
    expect(most.varianceKept).toBeGreaterThanOrEqual(0.9);
  });

  it('whitenRows keeps the size, zero rows stay zero, and too few rows are left as they are', () => {
    const n = 300;
    const d = 8;
    const x = lowRank(n, d, 4, 3);
    x.fill(0, 5 * d, 6 * d);
    const { vectors, whitened } = whitenRows(x, n, d);
    expect(vectors.length).toBe(n * d);
    // Rank 4: at most 4 axes (the default keeps 99% of the variance, so the smallest may go).
    const kept = whitened?.kept ?? 0;
    expect(kept).toBeGreaterThanOrEqual(3);
    expect(kept).toBeLessThanOrEqual(4);
    expect(Array.from(vectors.subarray(5 * d, 6 * d))).toEqual(new Array(d).fill(0));
    for (let i = 0; i < n; i++) for (let c = kept; c < d; c++) expect(vectors[i * d + c]).toBe(0);
    // One axis per ROWS_PER_AXIS rows at most: 100 rows of isotropic noise (every axis needed for 99%) keep 5 axes.
    const rng = new Random(4);
    const full = Float32Array.from({ length: 100 * d }, () => rng.float() - 0.5);
    expect(whitenRows(full, 100, d).whitened?.kept).toBe(100 / ROWS_PER_AXIS);
    const few = x.slice(0, 10 * d);
    const same = whitenRows(few, 10, d);
    expect(same.whitened).toBeNull();
    expect(same.vectors).toBe(few);
  });

  it("whitenRowsWith gives whitenRows's rows with its fitted whitening, and places other rows the same way", () => {
    const n = 300;
    const d = 8;
    const x = lowRank(n, d, 4, 3);
    x.fill(0, 7 * d, 8 * d);
    const fitted = whitenRows(x, n, d);
    expect(fitted.whitening).not.toBeNull();
    expect(Array.from(whitenRowsWith(fitted.whitening!, x, n, d))).toEqual(Array.from(fitted.vectors));
    // Another log's rows: the training log's mean and axes, zero rows still zero.
    const other = lowRank(40, d, 4, 9);
    other.fill(0, 0, d);
    const y = whitenRowsWith(fitted.whitening!, other, 40, d);
    expect(Array.from(y.subarray(0, d))).toEqual(new Array(d).fill(0));
    for (let i = 0; i < 40; i++) for (let c = fitted.whitening!.kept; c < d; c++) expect(y[i * d + c]).toBe(0);
  });
});
