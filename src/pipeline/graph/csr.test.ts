import { describe, expect, it } from 'vitest';
import { cooToCsr, csrToDense, hasEntry, nnz, transposeCsr } from './csr';

describe('CSR', () => {
  it('sums duplicates, sorts columns within rows and leaves empty rows empty', () => {
    const r = Int32Array.from([2, 0, 2, 0, 2, 3]);
    const c = Int32Array.from([1, 3, 0, 3, 1, 2]);
    const v = [1, 2, 3, 4, 5, 6];
    const a = cooToCsr(4, 4, r, c, v);
    expect(Array.from(a.rowPtr)).toEqual([0, 1, 1, 3, 4]);
    expect(Array.from(a.colIdx)).toEqual([3, 0, 1, 2]);
    expect(Array.from(a.values)).toEqual([6, 3, 6, 6]);
    expect(nnz(a)).toBe(4);
  });

  it('rejects indices outside the shape', () => {
    expect(() => cooToCsr(2, 2, Int32Array.from([0]), Int32Array.from([2]), [1])).toThrow(RangeError);
  });

  it('transposes into a valid CSR', () => {
    const a = cooToCsr(3, 4, Int32Array.from([0, 0, 2, 1]), Int32Array.from([3, 1, 1, 0]), [1, 2, 3, 4]);
    const t = transposeCsr(a);
    expect(t.rows).toBe(4);
    expect(t.cols).toBe(3);
    const da = csrToDense(a);
    const dt = csrToDense(t);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) expect(dt[j * 3 + i]).toBe(da[i * 4 + j]);
    for (let r = 0; r < t.rows; r++) for (let k = t.rowPtr[r] + 1; k < t.rowPtr[r + 1]; k++) expect(t.colIdx[k]).toBeGreaterThan(t.colIdx[k - 1]);
  });

  it('finds entries by binary search', () => {
    const a = cooToCsr(2, 10, Int32Array.from([0, 0, 0, 1]), Int32Array.from([1, 5, 9, 0]), [1, 1, 1, 1]);
    expect([1, 5, 9].every((c) => hasEntry(a, 0, c))).toBe(true);
    expect([0, 2, 8].some((c) => hasEntry(a, 0, c))).toBe(false);
    expect(hasEntry(a, 1, 0)).toBe(true);
  });
});
