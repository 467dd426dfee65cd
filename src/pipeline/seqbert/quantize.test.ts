import { describe, expect, it } from 'vitest';
import { Random } from '../numeric/sfc32';
import { dequantizeMatrix, dequantizeWeights, quantizeMatrix, quantizeWeights } from './quantize';
import { refQuantize } from './reference';
import type { NamedWeight } from './types';

describe('int8 per-channel quantisation', () => {
  it('matches the float64 reference and stays within half a step per value', () => {
    const rng = new Random(11);
    const rows = 9;
    const cols = 6;
    const w = Float64Array.from({ length: rows * cols }, (_, i) => rng.normal() * (1 + (i % cols)) * 0.3);
    // One channel all zero, one with a single large value: both must survive.
    for (let r = 0; r < rows; r++) w[r * cols + 2] = 0;
    w[4 * cols + 5] = 40;
    const { q, scale } = quantizeMatrix(Float32Array.from(w), rows, cols);
    const ref = refQuantize(Float64Array.from(Float32Array.from(w)), rows, cols);
    for (let c = 0; c < cols; c++) expect(scale[c]).toBeCloseTo(ref.scale[c], 6);
    let differ = 0;
    for (let i = 0; i < q.length; i++) {
      // float32 vs float64 division may round a value sitting on .5 the other way.
      expect(Math.abs(q[i] - ref.q[i])).toBeLessThanOrEqual(1);
      if (q[i] !== ref.q[i]) differ++;
      expect(Math.abs(q[i])).toBeLessThanOrEqual(127);
    }
    expect(differ).toBeLessThanOrEqual(1);
    const back = dequantizeMatrix(q, scale, rows, cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) expect(Math.abs(back[r * cols + c] - w[r * cols + c])).toBeLessThanOrEqual(scale[c] / 2 + 1e-6);
    }
    expect(scale[2]).toBe(0);
    for (let r = 0; r < rows; r++) expect(back[r * cols + 2]).toBe(0);
    // The channel's largest value maps to +-127 exactly.
    expect(q[4 * cols + 5]).toBe(127);
  });

  it('quantizes matrices only; vectors stay float32', () => {
    const weights: NamedWeight[] = [
      { name: 'm', shape: [3, 4], data: Float32Array.from({ length: 12 }, (_, i) => i - 6) },
      { name: 'v', shape: [4], data: Float32Array.from([0.1, 0.2, 0.3, 0.4]) },
    ];
    const quantized = quantizeWeights(weights);
    expect(quantized.map((q) => q.name)).toEqual(['m']);
    const deq = dequantizeWeights({ weights, quantized });
    expect(deq[1]).toBe(weights[1]);
    for (let i = 0; i < 12; i++) expect(deq[0].data[i]).toBeCloseTo(weights[0].data[i], 1);
  });
});
