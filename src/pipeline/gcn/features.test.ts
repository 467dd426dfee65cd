import { describe, expect, it } from 'vitest';
import { itemVectorsByItem, projectFeatures, projectionMatrix } from './features';
import { GcnRandom } from './random';
import { randomArray } from '../../../test/lib/gcnTestUtil';

function dot(a: Float32Array, i: number, b: Float32Array, j: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += a[i * d + k] * b[j * d + k];
  return s;
}

describe('feature projection', () => {
  it('keeps dot products exactly when the encoder is no wider than the hidden size', () => {
    const rng = new GcnRandom(2);
    const enc = { dims: 8, users: randomArray(rng, 3 * 8), items: randomArray(rng, 4 * 8) };
    const x = projectFeatures(enc, 3, 4, 16, 1, 1);
    expect(x.length).toBe(7 * 16);
    expect(dot(x, 0, x, 3 + 2, 16)).toBeCloseTo(dot(enc.users, 0, enc.items, 2, 8), 4);
    expect(dot(x, 1, x, 1, 16)).toBeCloseTo(dot(enc.users, 1, enc.users, 1, 8), 4);
  });

  it('keeps lengths on average when the encoder is wider', () => {
    const p = projectionMatrix(256, 64, 1);
    // Columns are orthogonal, each of squared length 256/64.
    for (const [a, b] of [
      [0, 1],
      [5, 63],
    ]) {
      let s = 0;
      for (let t = 0; t < 256; t++) s += p[t * 64 + a] * p[t * 64 + b];
      expect(s).toBeCloseTo(0, 3);
    }
    let sq = 0;
    for (let t = 0; t < 256; t++) sq += p[t * 64 + 7] ** 2;
    expect(sq).toBeCloseTo(4, 3);
  });

  it('rejects vectors of the wrong count, and expands text rows to item rows', () => {
    expect(() => projectFeatures({ dims: 2, users: new Float32Array(4), items: new Float32Array(2) }, 2, 2, 4, 1, 1)).toThrow(/item vectors/);
    const byItem = itemVectorsByItem({ dims: 2, textOf: Int32Array.of(1, -1, 0), vectors: Float32Array.of(1, 2, 3, 4) });
    expect(Array.from(byItem)).toEqual([3, 4, 0, 0, 1, 2]);
  });
});
