// Sparse x dense products, the bulk of every epoch. Contract shared with the GPU twin: element
// (r, j) of the output is the sum over row r's entries in CSR order of value * X[col, j], the
// products and their sum formed in at least float32 and stored once as float32. The CPU sums in
// float64 (JS numbers), so a float32 GPU kernel agrees to rounding (about 1e-6 relative), not
// bit for bit; tests of the twin must compare with a tolerance.

import type { Csr } from '../../graph/csr';
import { checkHolds } from '../../numeric/shape';

/**
 * out = A X. X is A.cols x d and out A.rows x d, both row-major; out is overwritten. Columns are
 * taken eight at a time so that eight running sums stay in registers while the row is walked
 * (about 3x faster in V8 than accumulating into memory).
 */
export function spmm(a: Csr, x: Float32Array, d: number, out: Float32Array): void {
  checkShapes(a, x, d, out);
  const { rowPtr, colIdx, values } = a;
  const d8 = d - (d % 8);
  for (let r = 0; r < a.rows; r++) {
    const lo = rowPtr[r];
    const hi = rowPtr[r + 1];
    const o = r * d;
    for (let j = 0; j < d8; j += 8) {
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0,
        s4 = 0,
        s5 = 0,
        s6 = 0,
        s7 = 0; // prettier-ignore
      for (let k = lo; k < hi; k++) {
        const v = values[k];
        const b = colIdx[k] * d + j;
        s0 += v * x[b];
        s1 += v * x[b + 1];
        s2 += v * x[b + 2];
        s3 += v * x[b + 3];
        s4 += v * x[b + 4];
        s5 += v * x[b + 5];
        s6 += v * x[b + 6];
        s7 += v * x[b + 7];
      }
      out[o + j] = s0;
      out[o + j + 1] = s1;
      out[o + j + 2] = s2;
      out[o + j + 3] = s3;
      out[o + j + 4] = s4;
      out[o + j + 5] = s5;
      out[o + j + 6] = s6;
      out[o + j + 7] = s7;
    }
    for (let j = d8; j < d; j++) {
      let s = 0;
      for (let k = lo; k < hi; k++) s += values[k] * x[colIdx[k] * d + j];
      out[o + j] = s;
    }
  }
}

/**
 * Backward of Y = A X with respect to X: dX = A^T dY. Takes the transpose itself (transposeCsr,
 * built once; the normalised graph is symmetric and is its own), because scattering into dX
 * would need float atomics on a GPU and would sum in another order.
 */
export function spmmBackward(aT: Csr, dy: Float32Array, d: number, dx: Float32Array): void {
  spmm(aT, dy, d, dx);
}

function checkShapes(a: Csr, x: Float32Array, d: number, out: Float32Array): void {
  checkHolds(x, a.cols, d, 'spmm: X');
  checkHolds(out, a.rows, d, 'spmm: out');
  if (x === out) throw new RangeError('spmm: X and out must not be the same buffer.');
}
