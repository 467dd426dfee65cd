import { describe, expect, it } from 'vitest';
import { assignStep, distancesFromTwoPoints, distancesToCentres } from './assign';
import { Rng } from '../numeric/random';
import type { Matrix } from './types';

/** Straightforward reference: one point, one centre at a time. */
function naiveAssign(data: Matrix, n: number, d: number, centres: Float64Array, k: number) {
  const labels = new Int32Array(n);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    let bc = -1;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (data[i * d + j] - centres[c * d + j]) ** 2;
      if (s < best) {
        best = s;
        bc = c;
      }
    }
    labels[i] = bc;
    counts[bc]++;
    for (let j = 0; j < d; j++) sums[bc * d + j] += data[i * d + j];
    inertia += best;
  }
  return { labels, sums, counts, inertia };
}

function randomCase(n: number, d: number, k: number, seed: number, f32: boolean) {
  const r = new Rng(seed);
  const data = f32 ? new Float32Array(n * d) : new Float64Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = r.nextGaussian() * 3 + (i % 3);
  const centres = new Float64Array(k * d);
  for (let i = 0; i < centres.length; i++) centres[i] = r.nextGaussian() * 3;
  return { data, centres };
}

describe('assignStep', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [2, 3, 1],
    [7, 5, 3],
    [100, 2, 2],
    [257, 17, 7],
    [1000, 64, 10],
    [999, 33, 11],
  ];
  for (const [n, d, k] of shapes) {
    for (const f32 of [false, true]) {
      it(`matches the naive reference for n=${n} d=${d} k=${k} ${f32 ? 'float32' : 'float64'}`, () => {
        const { data, centres } = randomCase(n, d, k, n * 31 + d * 7 + k, f32);
        const labels = new Int32Array(n).fill(-5);
        const sums = new Float64Array(k * d).fill(123); // stale content must be overwritten
        const counts = new Int32Array(k).fill(9);
        const got = assignStep(data, n, d, centres, k, labels, sums, counts);
        const ref = naiveAssign(data, n, d, centres, k);
        expect(Array.from(labels)).toEqual(Array.from(ref.labels));
        expect(Array.from(counts)).toEqual(Array.from(ref.counts));
        // Same operations in the same order: identical, not merely close.
        expect(Array.from(sums)).toEqual(Array.from(ref.sums));
        expect(got).toBe(ref.inertia);
        expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
      });
    }
  }

  it('breaks distance ties towards the lowest centre index', () => {
    const data = new Float64Array([0, 0, 2, 0, 1, 0]);
    const centres = new Float64Array([1, 1, 1, -1, 5, 5, 1, -1]); // centres 0 and 1 tie for every point
    const labels = new Int32Array(3);
    assignStep(data, 3, 2, centres, 4, labels, new Float64Array(8), new Int32Array(4));
    expect(Array.from(labels)).toEqual([0, 0, 0]);
    const swapped = new Float64Array([5, 5, 1, -1, 1, 1, 1, -1]); // now 1, 2 and 3 tie: 1 wins
    assignStep(data, 3, 2, swapped, 4, labels, new Float64Array(8), new Int32Array(4));
    expect(Array.from(labels)).toEqual([1, 1, 1]);
  });

  it('leaves counts at 0 for a centre nobody is nearest to', () => {
    const data = new Float64Array([0, 1, 2]);
    const counts = new Int32Array(2);
    const sums = new Float64Array(2);
    const inertia = assignStep(data, 3, 1, new Float64Array([1, 100]), 2, new Int32Array(3), sums, counts);
    expect(Array.from(counts)).toEqual([3, 0]);
    expect(Array.from(sums)).toEqual([3, 0]);
    expect(inertia).toBe(2);
  });
});

describe('distance kernels', () => {
  it('give the same values as the one-pair loop', () => {
    const { data, centres } = randomCase(2, 19, 7, 5, true);
    const a = new Float64Array(7);
    const b = new Float64Array(7);
    const single = new Float64Array(7);
    distancesFromTwoPoints(data, 0, 19, 19, centres, 7, a, b);
    distancesToCentres(data, 19, 19, centres, 7, single);
    for (let c = 0; c < 7; c++) {
      let s = 0;
      for (let j = 0; j < 19; j++) s += (data[j] - centres[c * 19 + j]) ** 2;
      expect(a[c]).toBe(s);
      expect(single[c]).toBe(b[c]);
    }
  });
});
