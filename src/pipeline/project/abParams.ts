// UMAP's low-dimensional similarity is 1 / (1 + a d^(2b)); a and b are chosen so that this curve
// best fits (least squares on 300 points of [0, 3 spread]) the target "1 up to min_dist, then
// exp(-(d - min_dist) / spread)", as umap-learn's find_ab_params does with scipy's curve_fit.
// Two parameters: a few dozen Levenberg-Marquardt steps with a 2 x 2 solve.

import { ProjectionInputError } from './types';

/** umap-learn's fit for min_dist 0.1, spread 1 (the defaults). */
export const DEFAULT_AB = { a: 1.576943460405378, b: 0.8950608781227859 } as const;

export function findAbParams(spread = 1, minDist = 0.1): { a: number; b: number } {
  if (!(spread > 0) || !(minDist >= 0) || !Number.isFinite(spread) || !Number.isFinite(minDist)) {
    throw new ProjectionInputError(`UMAP needs spread > 0 and min_dist >= 0, got spread ${spread}, min_dist ${minDist}`);
  }
  if (minDist > spread) {
    throw new ProjectionInputError(`UMAP's min_dist (${minDist}) must not be larger than spread (${spread})`);
  }
  const m = 300;
  const xs = new Float64Array(m);
  const ys = new Float64Array(m);
  const lx = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const x = (spread * 3 * i) / (m - 1);
    xs[i] = x;
    ys[i] = x < minDist ? 1 : Math.exp(-(x - minDist) / spread);
    lx[i] = x > 0 ? Math.log(x) : 0;
  }
  const sse = (a: number, b: number): number => {
    let s = 0;
    for (let i = 0; i < m; i++) {
      const u = xs[i] > 0 ? Math.exp(2 * b * lx[i]) : 0;
      const r = 1 / (1 + a * u) - ys[i];
      s += r * r;
    }
    return s;
  };
  // Start where curve_fit starts (a = b = 1).
  let a = 1;
  let b = 1;
  let cost = sse(a, b);
  let lambda = 1e-3;
  for (let iter = 0; iter < 500; iter++) {
    // Normal equations J^T J and gradient J^T r.
    let jaa = 0;
    let jab = 0;
    let jbb = 0;
    let ga = 0;
    let gb = 0;
    for (let i = 0; i < m; i++) {
      if (!(xs[i] > 0)) {
        continue; // f = 1 at x = 0 for any a, b: no gradient (its residual is constant).
      }
      const u = Math.exp(2 * b * lx[i]);
      const f = 1 / (1 + a * u);
      const r = f - ys[i];
      const da = -u * f * f;
      const db = -a * u * 2 * lx[i] * f * f;
      jaa += da * da;
      jab += da * db;
      jbb += db * db;
      ga += da * r;
      gb += db * r;
    }
    let improved = false;
    for (let tries = 0; tries < 30 && !improved; tries++) {
      const A = jaa * (1 + lambda);
      const D = jbb * (1 + lambda);
      const det = A * D - jab * jab;
      if (!(Math.abs(det) > 0)) {
        lambda *= 10;
        continue;
      }
      const stepA = -(D * ga - jab * gb) / det;
      const stepB = -(A * gb - jab * ga) / det;
      const na = a + stepA;
      const nb = b + stepB;
      const c = na > 0 && nb > 0 ? sse(na, nb) : Infinity;
      if (c < cost) {
        const rel = (cost - c) / Math.max(cost, 1e-300);
        a = na;
        b = nb;
        cost = c;
        lambda = Math.max(lambda / 10, 1e-12);
        improved = true;
        if (rel < 1e-14 && Math.abs(stepA) < 1e-12 * a && Math.abs(stepB) < 1e-12 * b) return { a, b };
      } else {
        lambda *= 10;
      }
    }
    if (!improved) break; // at the minimum to rounding
  }
  return { a, b };
}
