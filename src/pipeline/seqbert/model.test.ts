import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../numeric/sfc32';
import { initBackend } from './backend';
import { registerGradients } from './gradients';
import { attention, batchMatMul, embeddingLookup, gelu, geluPlain, layerNorm, layerNormPlain, linear, oneHotLookup } from './model';
import { refAttention, refGelu, refLayerNorm } from './reference';

const randn = (rng: Random, n: number, s = 1): Float64Array => Float64Array.from({ length: n }, () => rng.normal() * s);
const f32 = (a: Float64Array): Float32Array => Float32Array.from(a);

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst).toBeLessThan(tol);
}

beforeAll(async () => {
  await registerGradients();
  await initBackend('wasm');
});

describe('encoder blocks against a float64 reference', () => {
  it('runs on the wasm backend', () => {
    expect(tf.getBackend()).toBe('wasm');
  });

  it('layer norm', () => {
    const rng = new Random(3);
    const rows = 7;
    const d = 12;
    const x = randn(rng, rows * d, 3);
    const g = randn(rng, d);
    const b = randn(rng, d);
    const got = tf.tidy(() => layerNorm(tf.tensor2d(f32(x), [rows, d]), tf.tensor1d(f32(g)), tf.tensor1d(f32(b))).dataSync());
    expectClose(got, refLayerNorm(x, rows, d, g, b), 1e-4);
  });

  it("layer norm's and gelu's own gradients equal autodiff's through the plain ops", () => {
    const rng = new Random(9);
    const rows = 6;
    const d = 10;
    const x = tf.tensor2d(f32(randn(rng, rows * d, 2)), [rows, d]);
    const g = tf.tensor1d(f32(randn(rng, d)));
    const b = tf.tensor1d(f32(randn(rng, d)));
    const w = tf.tensor2d(f32(randn(rng, rows * d)), [rows, d]); // a non-trivial upstream gradient
    const loss = (ln: typeof layerNorm) => (a: tf.Tensor, c: tf.Tensor, e: tf.Tensor) => tf.sum(tf.mul(ln(a, c, e), w)) as tf.Scalar;
    const mine = tf.grads(loss(layerNorm))([x, g, b]);
    const plain = tf.grads(loss(layerNormPlain))([x, g, b]);
    for (let i = 0; i < 3; i++) expectClose(mine[i].dataSync(), plain[i].dataSync(), 1e-4);
    const gl = (fn: typeof gelu) => (a: tf.Tensor) => tf.sum(tf.mul(fn(a), w)) as tf.Scalar;
    expectClose(tf.grad(gl(gelu))(x).dataSync(), tf.grad(gl(geluPlain))(x).dataSync(), 1e-5);
    expectClose(gelu(x).dataSync(), geluPlain(x).dataSync(), 1e-7);
    tf.dispose([x, g, b, w, ...mine, ...plain]);
  });

  it('gelu', () => {
    const x = Float64Array.from({ length: 41 }, (_, i) => -5 + i * 0.25);
    const got = tf.tidy(() => gelu(tf.tensor1d(f32(x))).dataSync());
    expectClose(got, x.map(refGelu), 1e-5);
  });

  it('multi-head attention with padding masked out', () => {
    const rng = new Random(5);
    const B = 3;
    const T = 5;
    const h = 8;
    const heads = 2;
    const qkv = randn(rng, B * T * 3 * h);
    // Sequence 0 full, 1 with two padded keys, 2 with only its last key.
    const valid = [1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1];
    const bias = Float32Array.from(valid, (v) => (v ? 0 : -1e9));
    const got = tf.tidy(() => attention(tf.tensor2d(f32(qkv), [B * T, 3 * h]), tf.tensor2d(bias, [B, T]), B, T, h, heads).dataSync());
    const ref = refAttention(qkv, valid, B, T, h, heads);
    expectClose(got, ref, 1e-4);
    // A padded key must not change any output: perturb it and compare.
    const qkv2 = Float64Array.from(qkv);
    for (let t = 0; t < 3 * h; t++) qkv2[(1 * T + 0) * 3 * h + t] += 100; // key/value rows of padding (seq 1, column 0)
    const got2 = tf.tidy(() => attention(tf.tensor2d(f32(qkv2), [B * T, 3 * h]), tf.tensor2d(bias, [B, T]), B, T, h, heads).dataSync());
    for (let i = 1; i < T; i++) for (let t = 0; t < h; t++) expect(got2[(1 * T + i) * h + t]).toBeCloseTo(got[(1 * T + i) * h + t], 4);
  });

  it('row lookup: gather forward, scatter-add gradient (repeated rows sum)', () => {
    const rng = new Random(7);
    const rows = 6;
    const d = 4;
    const table = f32(randn(rng, rows * d));
    const idx = Int32Array.from([2, 0, 2, 5, 2]);
    const up = f32(randn(rng, idx.length * d));
    const { value, grad } = tf.tidy(() => {
      const t = tf.tensor2d(table, [rows, d]);
      const i = tf.tensor1d(idx, 'int32');
      const u = tf.tensor2d(up, [idx.length, d]);
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(embeddingLookup(x as tf.Tensor2D, i), u)))(t);
      return { value: embeddingLookup(t, i).dataSync(), grad: g.dataSync() };
    });
    const refGrad = new Float64Array(rows * d);
    idx.forEach((r, k) => {
      for (let j = 0; j < d; j++) {
        expect(value[k * d + j]).toBe(table[r * d + j]);
        refGrad[r * d + j] += up[k * d + j];
      }
    });
    expectClose(grad, refGrad, 1e-5);
    // The one-hot product gives the same rows and the same gradient.
    const oh = tf.tidy(() => {
      const t = tf.tensor2d(table, [rows, d]);
      const i = tf.tensor1d(idx, 'int32');
      const u = tf.tensor2d(up, [idx.length, d]);
      return {
        v: oneHotLookup(t, i).dataSync(),
        g: tf
          .grad((x: tf.Tensor) => tf.sum(tf.mul(oneHotLookup(x as tf.Tensor2D, i), u)))(t)
          .dataSync(),
      };
    });
    expectClose(oh.v, value, 1e-6);
    expectClose(oh.g, refGrad, 1e-5);
  });

  it('linear and batched products: gradients equal the plain MatMul ones', () => {
    const rng = new Random(9);
    const a = f32(randn(rng, 5 * 3));
    const w = f32(randn(rng, 3 * 4));
    const up = f32(randn(rng, 5 * 4));
    const [ga, gw] = tf.tidy(() => {
      const f = (x: tf.Tensor, y: tf.Tensor): tf.Tensor => tf.sum(tf.mul(linear(x, y), tf.tensor2d(up, [5, 4])));
      return tf
        .grads(f)([tf.tensor2d(a, [5, 3]), tf.tensor2d(w, [3, 4])])
        .map((g) => g.dataSync());
    });
    // d/dA sum(U * AW) = U W^T, d/dW = A^T U.
    const refA = new Float64Array(15);
    const refW = new Float64Array(12);
    for (let i = 0; i < 5; i++)
      for (let k = 0; k < 3; k++)
        for (let j = 0; j < 4; j++) {
          refA[i * 3 + k] += up[i * 4 + j] * w[k * 4 + j];
          refW[k * 4 + j] += a[i * 3 + k] * up[i * 4 + j];
        }
    expectClose(ga, refA, 1e-4);
    expectClose(gw, refW, 1e-4);
    const [gb1, gb2] = tf.tidy(() => {
      const x = tf.tensor3d(Float32Array.from([...a, ...a]), [2, 5, 3]);
      const y = tf.tensor3d(Float32Array.from([...w, ...w]), [2, 3, 4]);
      const u = tf.tensor3d(Float32Array.from([...up, ...up]), [2, 5, 4]);
      return tf
        .grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(batchMatMul(p, q), u)))([x, y])
        .map((g) => g.dataSync());
    });
    expectClose(gb1, [...refA, ...refA], 1e-4);
    expectClose(gb2, [...refW, ...refW], 1e-4);
  });
});
