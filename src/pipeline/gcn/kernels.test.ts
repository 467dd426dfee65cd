import { describe, expect, it } from 'vitest';
import { csrToDense, transposeCsr } from '../graph/csr';
import {
  adamStep,
  anchorPenalty,
  axpy,
  biasActNorm,
  biasActNormBackward,
  bprCoefficients,
  bprScatter,
  matmul,
  matmulNT,
  matmulTN,
  spmm,
  spmmBackward,
  type Activation,
} from './kernels';
import { GcnRandom } from './random';
import { expectGradient, randomArray, randomCsr, weightedSum } from '../../../test/lib/gcnTestUtil';

function denseProduct(a: Float64Array, n: number, k: number, b: ArrayLike<number>, m: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) for (let j = 0; j < m; j++) out[i * m + j] += a[i * k + t] * b[t * m + j];
  return out;
}

describe('spmm', () => {
  for (const d of [1, 8, 13, 64]) {
    it(`matches a dense product (d = ${d}), including empty rows`, () => {
      const rng = new GcnRandom(d);
      const a = randomCsr(rng, 17, 11, 0.25, [0, 9, 16]);
      const x = randomArray(rng, 11 * d);
      const out = new Float32Array(17 * d).fill(NaN);
      spmm(a, x, d, out);
      const ref = denseProduct(csrToDense(a), 17, 11, x, d);
      for (let k = 0; k < out.length; k++) expect(out[k]).toBeCloseTo(ref[k], 5);
      for (const r of [0, 9, 16]) for (let j = 0; j < d; j++) expect(out[r * d + j]).toBe(0);
    });
  }

  it('backward is the product with the transpose: <A X, Y> = <X, A^T Y>', () => {
    const rng = new GcnRandom(5);
    const d = 9;
    const a = randomCsr(rng, 12, 7, 0.3);
    const x = randomArray(rng, 7 * d);
    const y = randomArray(rng, 12 * d);
    const ax = new Float32Array(12 * d);
    const aty = new Float32Array(7 * d);
    spmm(a, x, d, ax);
    spmmBackward(transposeCsr(a), y, d, aty);
    expect(weightedSum(y, ax)).toBeCloseTo(weightedSum(x, aty), 4);
    // And it is the gradient of sum(C * AX) with respect to X.
    expectGradient(
      x,
      (() => {
        const g = new Float32Array(7 * d);
        spmmBackward(transposeCsr(a), y, d, g);
        return g;
      })(),
      () => {
        spmm(a, x, d, ax);
        return weightedSum(y, ax);
      },
    );
  });

  it('refuses wrong shapes and aliasing', () => {
    const a = randomCsr(new GcnRandom(1), 3, 3, 0.5);
    expect(() => spmm(a, new Float32Array(3), 2, new Float32Array(6))).toThrow(RangeError);
    const x = new Float32Array(6);
    expect(() => spmm(a, x, 2, x)).toThrow(/same buffer/);
  });
});

describe('dense kernels', () => {
  it.each([4, 12])('matmul, X^T G and G W^T match naive products (m = %i)', (m) => {
    const rng = new GcnRandom(3);
    const [n, k] = [6, 5];
    const x = randomArray(rng, n * k);
    const w = randomArray(rng, k * m);
    const g = randomArray(rng, n * m);
    const out = new Float32Array(n * m);
    matmul(x, w, n, k, m, out);
    const ref = denseProduct(Float64Array.from(x), n, k, w, m);
    out.forEach((v, i) => expect(v).toBeCloseTo(ref[i], 5));
    const xtg = new Float32Array(k * m);
    matmulTN(x, g, n, k, m, xtg);
    const xt = new Float64Array(k * n);
    for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) xt[t * n + i] = x[i * k + t];
    denseProduct(xt, k, n, g, m).forEach((v, i) => expect(xtg[i]).toBeCloseTo(v, 5));
    const gwt = new Float32Array(n * k);
    matmulNT(g, w, n, k, m, gwt);
    const wt = new Float64Array(m * k);
    for (let t = 0; t < k; t++) for (let j = 0; j < m; j++) wt[j * k + t] = w[t * m + j];
    denseProduct(Float64Array.from(g), n, m, wt, k).forEach((v, i) => expect(gwt[i]).toBeCloseTo(v, 5));
    const acc = Float32Array.of(1, 2);
    axpy(0.5, Float32Array.of(2, 4), acc);
    expect(Array.from(acc)).toEqual([2, 4]);
  });
});

describe('fused bias + activation + normalise', () => {
  const cases: [Activation, boolean][] = [
    ['none', false],
    ['none', true],
    ['tanh', false],
    ['tanh', true],
    ['leakyRelu', false],
    ['leakyRelu', true],
    ['relu', true],
  ];
  for (const [act, normalize] of cases) {
    it(`backward matches finite differences (${act}${normalize ? ', normalised' : ''})`, () => {
      const rng = new GcnRandom(11);
      const [n, d] = [5, 6];
      const t = randomArray(rng, n * d);
      const bias = randomArray(rng, d, 0.3);
      const c = randomArray(rng, n * d);
      const y = new Float32Array(n * d);
      const norms = normalize ? new Float32Array(n) : null;
      const loss = (): number => {
        biasActNorm(t, bias, n, d, act, normalize, y, norms);
        return weightedSum(c, y);
      };
      loss();
      const dt = new Float32Array(n * d);
      const db = new Float64Array(d);
      biasActNormBackward(c, t, bias, y, norms, n, d, act, normalize, dt, db);
      // Finite differences across relu's kink are meaningless: keep inputs away from it.
      if (act === 'relu') for (let k = 0; k < t.length; k++) if (Math.abs(t[k] + bias[k % d]) < 0.05) t[k] += 0.2;
      if (act === 'relu') {
        loss();
        dt.fill(0);
        db.fill(0);
        biasActNormBackward(c, t, bias, y, norms, n, d, act, normalize, dt, db);
      }
      expectGradient(t, dt, loss, { eps: 1e-3 });
      expectGradient(bias, Float32Array.from(db), loss, { eps: 1e-3 });
      if (normalize) for (let r = 0; r < n; r++) expect(Math.hypot(...y.subarray(r * d, (r + 1) * d))).toBeCloseTo(1, 5);
    });
  }

  it('keeps an all-zero row at zero when normalising', () => {
    const y = new Float32Array(3);
    biasActNorm(new Float32Array(3), new Float32Array(3), 1, 3, 'relu', true, y, new Float32Array(1));
    expect(Array.from(y)).toEqual([0, 0, 0]);
  });
});

describe('BPR', () => {
  it('loss is softplus of the negative margin, and its gradient matches finite differences', () => {
    const rng = new GcnRandom(21);
    const [nodes, d] = [8, 5];
    const z = randomArray(rng, nodes * d, 0.7);
    const pu = Int32Array.of(0, 0, 1, 2);
    const pi = Int32Array.of(4, 5, 5, 6);
    const pj = Int32Array.of(6, 7, 4, 7);
    const coef = new Float32Array(4);
    const loss = (): number => bprCoefficients(z, d, pu, pi, pj, 4, coef);
    const l = loss();
    let ref = 0;
    for (let p = 0; p < 4; p++) {
      let x = 0;
      for (let c = 0; c < d; c++) x += z[pu[p] * d + c] * (z[pi[p] * d + c] - z[pj[p] * d + c]);
      ref += Math.log(1 + Math.exp(-x));
    }
    expect(l).toBeCloseTo(ref / 4, 6);
    const dz = new Float32Array(nodes * d);
    bprScatter(z, d, pu, pi, pj, 4, coef, dz);
    expectGradient(z, dz, loss, { eps: 1e-3 });
  });

  it('stays finite for huge margins', () => {
    const z = Float32Array.of(100, 100, -100);
    const coef = new Float32Array(2);
    const l = bprCoefficients(z, 1, Int32Array.of(0, 0), Int32Array.of(1, 2), Int32Array.of(2, 1), 2, coef);
    expect(Number.isFinite(l)).toBe(true);
    expect(l).toBeCloseTo(20000 / 2, 0);
    expect(Array.from(coef).every(Number.isFinite)).toBe(true);
  });
});

describe('Adam and the anchor penalty', () => {
  it('first Adam step moves each parameter by lr against the gradient sign', () => {
    const p = Float32Array.of(1, 1);
    adamStep(p, Float32Array.of(0.5, -2), new Float32Array(2), new Float32Array(2), 1, { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    expect(p[0]).toBeCloseTo(0.9, 6);
    expect(p[1]).toBeCloseTo(1.1, 6);
  });

  it('penalty is lambda/2 * scale * |p - anchor|^2 with the matching gradient', () => {
    const p = Float32Array.of(1, 2, 3);
    const g = new Float32Array(3);
    const l = anchorPenalty(p, Float32Array.of(1, 1, 1), 0.5, 2, g);
    expect(l).toBeCloseTo(0.5 * 0.5 * 2 * (0 + 1 + 4), 6);
    expect(Array.from(g)).toEqual([0, 1, 2]);
  });
});
