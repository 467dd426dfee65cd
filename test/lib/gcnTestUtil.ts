// Test helpers: seeded random inputs, a small random symmetric graph, and central finite
// differences against an analytic gradient.
import { expect } from 'vitest';
import { cooToCsr, type Csr } from '../../src/pipeline/graph/csr';
import { normalizeSymmetric } from '../../src/pipeline/graph/build';
import { GcnRandom } from '../../src/pipeline/gcn/random';

export function randomArray(rng: GcnRandom, n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let k = 0; k < n; k++) a[k] = scale * rng.normal();
  return a;
}

/** rows x cols with about `density` of the entries set (random values in [0.1, 1.1)). */
export function randomCsr(rng: GcnRandom, rows: number, cols: number, density: number, emptyRows: number[] = []): Csr {
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (rng.int(1000) < density * 1000 && !emptyRows.includes(i)) {
        r.push(i);
        c.push(j);
        v.push(0.1 + rng.int(1000) / 1000);
      }
    }
  }
  return cooToCsr(rows, cols, Int32Array.from(r), Int32Array.from(c), v);
}

/** A normalised symmetric adjacency with self-loops over n nodes. */
export function randomAdjacency(rng: GcnRandom, n: number, density: number): Csr {
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < n; i++) {
    r.push(i);
    c.push(i);
    v.push(1);
    for (let j = i + 1; j < n; j++) {
      if (rng.int(1000) < density * 1000) {
        const w = 0.2 + rng.int(1000) / 1000;
        r.push(i, j);
        c.push(j, i);
        v.push(w, w);
      }
    }
  }
  const a = cooToCsr(n, n, Int32Array.from(r), Int32Array.from(c), v);
  normalizeSymmetric(a);
  return a;
}

/**
 * Compares analytic[k] with (loss(x + h) - loss(x - h)) / (2h) at `samples` coordinates of x
 * (all when samples >= x.length). h is the perturbation float32 actually represents.
 */
export function expectGradient(
  x: Float32Array,
  analytic: ArrayLike<number>,
  loss: () => number,
  opts: { samples?: number; eps?: number; tol?: number; seed?: number } = {},
): void {
  const eps = opts.eps ?? 1e-2;
  const tol = opts.tol ?? 2e-3;
  const rng = new GcnRandom(opts.seed ?? 99);
  const all = (opts.samples ?? Infinity) >= x.length;
  const count = all ? x.length : (opts.samples as number);
  let worst = 0;
  for (let s = 0; s < count; s++) {
    const k = all ? s : rng.int(x.length);
    const orig = x[k];
    x[k] = orig + eps;
    const up = x[k];
    const lp = loss();
    x[k] = orig - eps;
    const down = x[k];
    const lm = loss();
    x[k] = orig;
    const numeric = (lp - lm) / (up - down);
    const err = Math.abs(numeric - analytic[k]) / Math.max(1, Math.abs(numeric), Math.abs(analytic[k]));
    worst = Math.max(worst, err);
  }
  expect(worst).toBeLessThan(tol);
}

/** sum c * y in float64: a loss whose gradient with respect to y is c. */
export function weightedSum(c: Float32Array, y: Float32Array): number {
  let s = 0;
  for (let k = 0; k < y.length; k++) s += c[k] * y[k];
  return s;
}
