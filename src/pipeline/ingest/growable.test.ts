import { describe, expect, it } from 'vitest';
import { fit, grow, resize } from './growable';

describe('growable columns', () => {
  it('grows by doubling, resizes exactly, and keeps the values', () => {
    const a = Int32Array.from([1, 2, 3]);
    const g = grow(a, Int32Array, 20);
    expect(g.length).toBe(32);
    expect(Array.from(g.subarray(0, 3))).toEqual([1, 2, 3]);
    const r = resize(a, Int32Array, 5);
    expect(Array.from(r)).toEqual([1, 2, 3, 0, 0]);
    expect(Array.from(resize(r, Int32Array, 2))).toEqual([1, 2]);
  });

  it('fits a column as a view when little is spare, as a copy when much is', () => {
    const a = new Float64Array(100).map((_, i) => i);
    const close = fit(a, 95);
    expect(close.buffer).toBe(a.buffer);
    expect(close.length).toBe(95);
    const far = fit(a, 10);
    expect(far.buffer).not.toBe(a.buffer);
    expect(far.buffer.byteLength).toBe(80);
    expect(Array.from(far)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(fit(a, 100)).toBe(a);
  });
});
