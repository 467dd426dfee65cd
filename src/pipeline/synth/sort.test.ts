import { describe, expect, it } from 'vitest';
import { stableOrder } from './sort';

describe('stableOrder', () => {
  it('sorts by key across both 16-bit halves and keeps ties in input order', () => {
    const keys = Uint32Array.from([70_000, 5, 70_000, 0, 4_294_967_295, 5, 65_536]);
    expect(Array.from(stableOrder(keys))).toEqual([3, 1, 5, 6, 0, 2, 4]);
  });

  it('handles empty input', () => {
    expect(stableOrder(new Uint32Array(0)).length).toBe(0);
  });
});
