import { describe, expect, it } from 'vitest';
import type { Csr } from '../../graph/csr';
import { ACTIVATIONS, biasActNorm, biasActNormBackward } from '../kernels/activation';
import { spmm } from '../kernels/sparse';
import { GcnRandom } from '../random';
import { biasActNormBackwardF32, biasActNormF32, spmmF32 } from './emulate';

/** max |a - b| / max(max |b|, 1e-6): the measure the browser spec uses. */
function rel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= diff)) diff = d;
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / Math.max(scale, 1e-6);
}

function randomCsr(rows: number, cols: number, r: GcnRandom, heavyRow = -1): Csr {
  const rowPtr = new Int32Array(rows + 1);
  const colIdx: number[] = [];
  for (let i = 0; i < rows; i++) {
    const picked = new Set<number>();
    const want = i === heavyRow ? cols : i % 5 === 0 ? 0 : r.int(8);
    if (want === cols) for (let j = 0; j < cols; j++) picked.add(j);
    else while (picked.size < Math.min(want, cols)) picked.add(r.int(cols));
    colIdx.push(...[...picked].sort((p, q) => p - q));
    rowPtr[i + 1] = colIdx.length;
  }
  const values = new Float32Array(colIdx.length);
  for (let k = 0; k < values.length; k++) values[k] = r.normal() * 0.1;
  return { rows, cols, rowPtr, colIdx: Int32Array.from(colIdx), values };
}

function gaussians(r: GcnRandom, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => r.normal());
}

describe('float32 emulation of the WGSL kernels vs the float64-summing CPU kernels', () => {
  it('spmm: empty rows give 0, a 3000-entry row stays within 1e-4', () => {
    const r = new GcnRandom(1);
    for (const [rows, cols, h, heavy] of [
      [1, 5, 1, -1],
      [65, 70, 3, -1],
      [63, 3000, 17, 7],
    ]) {
      const a = randomCsr(rows, cols, r, heavy);
      const x = gaussians(r, cols * h);
      const cpu = new Float32Array(rows * h);
      const emu = new Float32Array(rows * h).fill(Number.NaN);
      spmm(a, x, h, cpu);
      spmmF32(a, x, h, emu);
      expect(rel(emu, cpu)).toBeLessThan(1e-4);
      for (let i = 0; i < rows; i += 5) for (let j = 0; j < h; j++) expect(emu[i * h + j]).toBe(0); // empty rows
    }
  });

  it('biasActNorm forward and backward stay within 1e-4 for every activation', () => {
    const r = new GcnRandom(2);
    for (const act of ACTIVATIONS)
      for (const normalize of [true, false])
        for (const [n, d] of [
          [1, 1],
          [65, 17],
          [63, 64],
        ]) {
          const t = gaussians(r, n * d);
          const bias = gaussians(r, d);
          if (n > 2) for (let j = 0; j < d; j++) t[d + j] = -bias[j]; // a zero row (EPS clamp)
          const y = [new Float32Array(n * d), new Float32Array(n * d)];
          const norms = [new Float32Array(n), new Float32Array(n)];
          biasActNorm(t, bias, n, d, act, normalize, y[0], norms[0]);
          biasActNormF32(t, bias, n, d, act, normalize, y[1], norms[1]);
          expect(rel(y[1], y[0])).toBeLessThan(1e-4);
          if (normalize) expect(rel(norms[1], norms[0])).toBeLessThan(1e-4);
          const dy = gaussians(r, n * d);
          const dt = [new Float32Array(n * d), new Float32Array(n * d)];
          const db = [new Float64Array(d), new Float64Array(d)];
          biasActNormBackward(dy, t, bias, y[0], norms[0], n, d, act, normalize, dt[0], db[0]);
          biasActNormBackwardF32(dy, t, bias, y[0], norms[0], n, d, act, normalize, dt[1], db[1]);
          for (let i = 0; i < n; i++) expect(rel(dt[1].subarray(i * d, (i + 1) * d), dt[0].subarray(i * d, (i + 1) * d))).toBeLessThan(1e-4);
          expect(rel(db[1], db[0])).toBeLessThan(1e-4);
        }
  });

  it('ReLU passes no gradient at exactly 0, leaky ReLU passes 0.2', () => {
    const t = new Float32Array([0.5, -0.5]);
    const bias = new Float32Array([-0.5, 0.5]); // z = 0 in both columns
    for (const [act, want] of [
      ['relu', 0],
      ['leakyRelu', Math.fround(0.2)],
    ] as const) {
      const dt = new Float32Array(2);
      biasActNormBackwardF32(new Float32Array([1, 1]), t, bias, new Float32Array(2), null, 1, 2, act, false, dt, new Float64Array(2));
      expect([...dt]).toEqual([want, want]);
    }
  });
});
