// The fused step after a layer's transform, one row (node) at a time:
//   z = t + b;  a = act(z);  y = normalize ? a / max(|a|, EPS) : a
// Fused because each stage alone is a full pass over n x h numbers for very little arithmetic.
// The backward recomputes z and a from t and b instead of storing them.

export type Activation = 'none' | 'relu' | 'leakyRelu' | 'tanh';

export const ACTIVATIONS: readonly Activation[] = ['none', 'relu', 'leakyRelu', 'tanh'];
/** Slope of leakyRelu below 0. */
export const LEAKY_SLOPE = 0.2;
/** Rows shorter than this are divided by EPS, not by their length (a zero row stays zero). */
export const NORM_EPS = 1e-12;

function activate(z: number, act: Activation): number {
  switch (act) {
    case 'relu':
      return z > 0 ? z : 0;
    case 'leakyRelu':
      return z > 0 ? z : LEAKY_SLOPE * z;
    case 'tanh':
      return Math.tanh(z);
    default:
      return z;
  }
}

/** d act / d z at z (relu's derivative at 0 is taken as 0, as in PyTorch). */
function slope(z: number, act: Activation): number {
  switch (act) {
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'leakyRelu':
      return z > 0 ? 1 : LEAKY_SLOPE;
    case 'tanh': {
      const a = Math.tanh(z);
      return 1 - a * a;
    }
    default:
      return 1;
  }
}

/**
 * Forward: y (n x d) from t (n x d) and bias (d). `norms` (n), when normalising, receives each
 * row's max(|a|, EPS) for the backward pass.
 */
export function biasActNorm(
  t: Float32Array,
  bias: Float32Array,
  n: number,
  d: number,
  act: Activation,
  normalize: boolean,
  y: Float32Array,
  norms: Float32Array | null,
): void {
  const a = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    const o = r * d;
    let sq = 0;
    for (let j = 0; j < d; j++) {
      const v = activate(t[o + j] + bias[j], act);
      a[j] = v;
      sq += v * v;
    }
    let inv = 1;
    if (normalize) {
      const norm = Math.max(Math.sqrt(sq), NORM_EPS);
      if (norms) norms[r] = norm;
      inv = 1 / norm;
    }
    for (let j = 0; j < d; j++) y[o + j] = a[j] * inv;
  }
}

/**
 * Backward: dt (n x d) from dy, and dBias (d) += column sums of dt (rows in order). For the
 * normalisation, with u = a / |a|: da = (dy - u (u . dy)) / |a|; y as stored is u.
 */
export function biasActNormBackward(
  dy: Float32Array,
  t: Float32Array,
  bias: Float32Array,
  y: Float32Array,
  norms: Float32Array | null,
  n: number,
  d: number,
  act: Activation,
  normalize: boolean,
  dt: Float32Array,
  dBias: Float64Array,
): void {
  for (let r = 0; r < n; r++) {
    const o = r * d;
    let dot = 0;
    let inv = 1;
    if (normalize) {
      const norm = (norms as Float32Array)[r];
      inv = 1 / norm;
      // Below EPS the forward divided by a constant, so no projection term.
      if (norm > NORM_EPS) for (let j = 0; j < d; j++) dot += y[o + j] * dy[o + j];
    }
    for (let j = 0; j < d; j++) {
      const da = normalize ? (dy[o + j] - y[o + j] * dot) * inv : dy[o + j];
      const g = da * slope(t[o + j] + bias[j], act);
      dt[o + j] = g;
      dBias[j] += g;
    }
  }
}
