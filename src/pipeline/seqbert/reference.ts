// Plain float64 implementations of the encoder's building blocks, for the tests to compare the
// tfjs versions with. Row-major arrays; no tfjs.

export function refLayerNorm(x: Float64Array, rows: number, d: number, g: ArrayLike<number>, b: ArrayLike<number>, eps = 1e-5): Float64Array {
  const out = new Float64Array(rows * d);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    for (let j = 0; j < d; j++) mean += x[r * d + j];
    mean /= d;
    let v = 0;
    for (let j = 0; j < d; j++) v += (x[r * d + j] - mean) ** 2;
    v /= d;
    const inv = 1 / Math.sqrt(v + eps);
    for (let j = 0; j < d; j++) out[r * d + j] = (x[r * d + j] - mean) * inv * g[j] + b[j];
  }
  return out;
}

export function refGelu(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
}

/**
 * Multi-head attention context: qkv (B*T, 3h) with q, k, v side by side, keyValid (B*T) 1 where a
 * key may be attended. Returns (B*T, h).
 */
export function refAttention(qkv: Float64Array, keyValid: ArrayLike<number>, B: number, T: number, h: number, heads: number): Float64Array {
  const dh = h / heads;
  const out = new Float64Array(B * T * h);
  const scores = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    for (let hd = 0; hd < heads; hd++) {
      for (let i = 0; i < T; i++) {
        const qi = (b * T + i) * 3 * h + hd * dh;
        let max = -Infinity;
        for (let j = 0; j < T; j++) {
          if (!keyValid[b * T + j]) {
            scores[j] = -Infinity;
            continue;
          }
          const kj = (b * T + j) * 3 * h + h + hd * dh;
          let s = 0;
          for (let t = 0; t < dh; t++) s += qkv[qi + t] * qkv[kj + t];
          scores[j] = s / Math.sqrt(dh);
          if (scores[j] > max) max = scores[j];
        }
        let z = 0;
        for (let j = 0; j < T; j++) {
          scores[j] = scores[j] === -Infinity ? 0 : Math.exp(scores[j] - max);
          z += scores[j];
        }
        const o = (b * T + i) * h + hd * dh;
        for (let j = 0; j < T; j++) {
          if (scores[j] === 0) continue;
          const vj = (b * T + j) * 3 * h + 2 * h + hd * dh;
          for (let t = 0; t < dh; t++) out[o + t] += (scores[j] / z) * qkv[vj + t];
        }
      }
    }
  }
  return out;
}

/** Symmetric per-column int8 quantisation, in float64: q and scale per column. */
export function refQuantize(w: Float64Array, rows: number, cols: number): { q: Int8Array; scale: Float64Array } {
  const scale = new Float64Array(cols);
  for (let c = 0; c < cols; c++) {
    let m = 0;
    for (let r = 0; r < rows; r++) m = Math.max(m, Math.abs(w[r * cols + c]));
    scale[c] = m / 127;
  }
  const q = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) q[r * cols + c] = scale[c] === 0 ? 0 : Math.round(w[r * cols + c] / scale[c]);
  return { q, scale };
}
