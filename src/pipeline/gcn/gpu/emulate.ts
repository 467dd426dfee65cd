// Float32 emulators of the WGSL kernels in ./shaders.ts, line for line (Math.fround after every
// operation, same loops, same order), so that Node tests can pin down how far a float32 kernel
// may drift from its float64-summing CPU twin without a GPU. Not used at run time.
import { LEAKY_SLOPE, NORM_EPS, type Activation } from '../kernels/activation';
import type { Csr } from '../../graph/csr';

const f = Math.fround;
const EPS32 = f(NORM_EPS);

export function spmmF32(a: Csr, x: Float32Array, h: number, out: Float32Array): void {
  for (let i = 0; i < a.rows * h; i++) {
    const r = Math.floor(i / h);
    const j = i - r * h;
    let s = 0;
    for (let k = a.rowPtr[r]; k < a.rowPtr[r + 1]; k++) s = f(s + f(a.values[k] * x[a.colIdx[k] * h + j]));
    out[i] = s;
  }
}

function act(z: number, a: Activation): number {
  switch (a) {
    case 'relu':
      return z > 0 ? z : 0;
    case 'leakyRelu':
      return z > 0 ? z : f(f(LEAKY_SLOPE) * z);
    case 'tanh':
      return f(Math.tanh(Math.min(20, Math.max(-20, z))));
    default:
      return z;
  }
}

function slope(z: number, a: Activation): number {
  switch (a) {
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'leakyRelu':
      return z > 0 ? 1 : f(LEAKY_SLOPE);
    case 'tanh': {
      const t = act(z, a);
      return f(1 - f(t * t));
    }
    default:
      return 1;
  }
}

export function biasActNormF32(
  t: Float32Array,
  bias: Float32Array,
  n: number,
  d: number,
  a: Activation,
  normalize: boolean,
  y: Float32Array,
  norms: Float32Array | null,
): void {
  for (let r = 0; r < n; r++) {
    const o = r * d;
    let sq = 0;
    for (let j = 0; j < d; j++) {
      const v = act(f(t[o + j] + bias[j]), a);
      y[o + j] = v;
      sq = f(sq + f(v * v));
    }
    if (normalize) {
      const nrm = Math.max(f(Math.sqrt(sq)), EPS32);
      if (norms) norms[r] = nrm;
      const inv = f(1 / nrm);
      for (let j = 0; j < d; j++) y[o + j] = f(y[o + j] * inv);
    }
  }
}

export function biasActNormBackwardF32(
  dy: Float32Array,
  t: Float32Array,
  bias: Float32Array,
  y: Float32Array,
  norms: Float32Array | null,
  n: number,
  d: number,
  a: Activation,
  normalize: boolean,
  dt: Float32Array,
  dBias: Float64Array,
): void {
  for (let r = 0; r < n; r++) {
    const o = r * d;
    let dot = 0;
    let inv = 1;
    if (normalize) {
      const nrm = (norms as Float32Array)[r];
      inv = f(1 / nrm);
      if (nrm > EPS32) for (let j = 0; j < d; j++) dot = f(dot + f(y[o + j] * dy[o + j]));
    }
    for (let j = 0; j < d; j++) {
      const da = normalize ? f(f(dy[o + j] - f(y[o + j] * dot)) * inv) : dy[o + j];
      dt[o + j] = f(da * slope(f(t[o + j] + bias[j]), a));
    }
  }
  // The column-sums kernel: one float32 running sum per column, rows in order.
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let r = 0; r < n; r++) s = f(s + dt[r * d + j]);
    dBias[j] += s;
  }
}
