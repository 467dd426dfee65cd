// Dense products of the GCN variant's layer transforms (n x h times h x h). Each output element
// sums over the shared index in increasing order, in float64, stored once as float32; the GPU twin
// sums in the same order in float32.

/** out (n x m) = X (n x k) W (k x m). Eight running sums in registers per pass, as in spmm. */
export function matmul(x: Float32Array, w: Float32Array, n: number, k: number, m: number, out: Float32Array): void {
  const m8 = m - (m % 8);
  for (let r = 0; r < n; r++) {
    const xr = r * k;
    const o = r * m;
    for (let c = 0; c < m8; c += 8) {
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0,
        s4 = 0,
        s5 = 0,
        s6 = 0,
        s7 = 0; // prettier-ignore
      for (let t = 0; t < k; t++) {
        const v = x[xr + t];
        const b = t * m + c;
        s0 += v * w[b];
        s1 += v * w[b + 1];
        s2 += v * w[b + 2];
        s3 += v * w[b + 3];
        s4 += v * w[b + 4];
        s5 += v * w[b + 5];
        s6 += v * w[b + 6];
        s7 += v * w[b + 7];
      }
      out[o + c] = s0;
      out[o + c + 1] = s1;
      out[o + c + 2] = s2;
      out[o + c + 3] = s3;
      out[o + c + 4] = s4;
      out[o + c + 5] = s5;
      out[o + c + 6] = s6;
      out[o + c + 7] = s7;
    }
    for (let c = m8; c < m; c++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += x[xr + t] * w[t * m + c];
      out[o + c] = s;
    }
  }
}

/** out (k x m) = X^T (k x n) G (n x m): the weight gradient; rows of X and G are summed in order. */
export function matmulTN(x: Float32Array, g: Float32Array, n: number, k: number, m: number, out: Float32Array): void {
  const acc = new Float64Array(k * m);
  for (let r = 0; r < n; r++) {
    const xr = r * k;
    const gr = r * m;
    for (let t = 0; t < k; t++) {
      const v = x[xr + t];
      if (v === 0) continue;
      const a = t * m;
      for (let c = 0; c < m; c++) acc[a + c] += v * g[gr + c];
    }
  }
  for (let i = 0; i < k * m; i++) out[i] = acc[i];
}

/** out (n x k) = G (n x m) W^T (m x k), W being k x m: the input gradient of matmul. */
export function matmulNT(g: Float32Array, w: Float32Array, n: number, k: number, m: number, out: Float32Array): void {
  for (let r = 0; r < n; r++) {
    const gr = r * m;
    const o = r * k;
    for (let t = 0; t < k; t++) {
      const wr = t * m;
      let s = 0;
      for (let c = 0; c < m; c++) s += g[gr + c] * w[wr + c];
      out[o + t] = s;
    }
  }
}

/** out += alpha * x over the first `count` numbers (layer combination). */
export function axpy(alpha: number, x: Float32Array, out: Float32Array, count = out.length): void {
  if (alpha === 0) return;
  for (let i = 0; i < count; i++) out[i] += alpha * x[i];
}

/** out = alpha * x. */
export function scaleInto(alpha: number, x: Float32Array, out: Float32Array, count = out.length): void {
  for (let i = 0; i < count; i++) out[i] = alpha * x[i];
}
