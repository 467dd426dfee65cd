import { describe, expect, it } from 'vitest';
import { adjustedRandIndex, mutualInformation, normalizedMutualInfo } from './agreement';
import { Rng } from '../numeric/random';
import { ClusteringInputError } from './types';

// Textbook forms (Hubert & Arabie 1985; Strehl & Ghosh 2002 with arithmetic mean), independent of
// the pair-confusion and sparse-contingency formulations used by the implementation.
function table(a: number[], b: number[]) {
  const t = new Map<string, number>();
  const ra = new Map<number, number>();
  const cb = new Map<number, number>();
  a.forEach((x, i) => {
    const key = `${x},${b[i]}`;
    t.set(key, (t.get(key) ?? 0) + 1);
    ra.set(x, (ra.get(x) ?? 0) + 1);
    cb.set(b[i], (cb.get(b[i]) ?? 0) + 1);
  });
  return { cells: [...t.values()], rows: [...ra.values()], cols: [...cb.values()] };
}
const comb2 = (x: number) => (x * (x - 1)) / 2;
function naiveARI(a: number[], b: number[]): number {
  const { cells, rows, cols } = table(a, b);
  const index = cells.reduce((s, v) => s + comb2(v), 0);
  const sa = rows.reduce((s, v) => s + comb2(v), 0);
  const sb = cols.reduce((s, v) => s + comb2(v), 0);
  const expected = (sa * sb) / comb2(a.length);
  return (index - expected) / ((sa + sb) / 2 - expected);
}
function naiveNMI(a: number[], b: number[]): number {
  const n = a.length;
  const { rows, cols } = table(a, b);
  const H = (xs: number[]) => -xs.reduce((s, v) => s + (v / n) * Math.log(v / n), 0);
  const pa = new Map<number, number>();
  const pb = new Map<number, number>();
  a.forEach((x) => pa.set(x, (pa.get(x) ?? 0) + 1));
  b.forEach((x) => pb.set(x, (pb.get(x) ?? 0) + 1));
  const joint = new Map<string, number>();
  a.forEach((x, i) => joint.set(`${x},${b[i]}`, (joint.get(`${x},${b[i]}`) ?? 0) + 1));
  let mi = 0;
  for (const [key, v] of joint) {
    const [x, y] = key.split(',').map(Number);
    mi += (v / n) * Math.log((n * v) / ((pa.get(x) as number) * (pb.get(y) as number)));
  }
  return mi / ((H(rows) + H(cols)) / 2);
}

function randomLabels(n: number, L: number, seed: number): number[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => r.nextInt(L) * 3 - 4);
}
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('adjusted Rand index', () => {
  it('reproduces the scikit-learn documentation examples', () => {
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 1])).toBe(1);
    expect(adjustedRandIndex([0, 0, 1, 1], [1, 1, 0, 0])).toBe(1);
    expect(adjustedRandIndex([0, 0, 1, 2], [0, 0, 1, 1])).toBeCloseTo(4 / 7, 15);
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(4 / 7, 15);
    expect(adjustedRandIndex([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0);
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1])).toBe(-0.5);
  });

  it('matches the Hubert-Arabie formula on random labelings', () => {
    for (const [n, La, Lb, seed] of [
      [50, 3, 4, 1],
      [1000, 7, 5, 2],
      [20000, 10, 12, 3],
    ]) {
      const a = randomLabels(n, La, seed);
      const b = a.map((x, i) => (i % 5 === 0 ? randomLabels(1, Lb, seed * 1000 + i)[0] : x));
      expect(rel(adjustedRandIndex(a, b), naiveARI(a, b))).toBeLessThan(1e-10);
      const c = randomLabels(n, Lb, seed + 100); // independent: ARI near 0, where cancellation bites
      expect(Math.abs(adjustedRandIndex(a, c) - naiveARI(a, c))).toBeLessThan(1e-12);
    }
  });

  it('stays exact for a million points (pair counts beyond 2^40)', () => {
    const a = randomLabels(1_000_000, 10, 4);
    const b = a.map((x, i) => (i % 2 === 0 ? x : 0));
    const v = adjustedRandIndex(a, b);
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeGreaterThan(0);
    expect(v).toBeLessThan(1);
    expect(adjustedRandIndex(b, a)).toBe(v);
  });

  it('handles the limit cases like scikit-learn', () => {
    expect(adjustedRandIndex([], [])).toBe(1);
    expect(adjustedRandIndex([5, 5, 5], [1, 1, 1])).toBe(1);
    expect(adjustedRandIndex([1, 2, 3], [4, 5, 6])).toBe(1);
    expect(adjustedRandIndex([1], [2])).toBe(1);
  });

  it('rejects mismatched or non-integer labelings', () => {
    expect(() => adjustedRandIndex([1, 2], [1])).toThrow(ClusteringInputError);
    expect(() => adjustedRandIndex([1, 2], [1, Number.NaN])).toThrow(/integers/);
  });
});

describe('normalized mutual information', () => {
  it('reproduces the scikit-learn documentation examples', () => {
    expect(normalizedMutualInfo([0, 0, 1, 1], [0, 0, 1, 1])).toBe(1);
    expect(normalizedMutualInfo([0, 0, 1, 1], [1, 1, 0, 0])).toBe(1);
    expect(normalizedMutualInfo([0, 0, 0, 0], [0, 1, 2, 3])).toBe(0);
    // mutual_info_score([0, 1, 1, 0, 1, 0], [0, 1, 0, 0, 1, 1]) = 0.056...
    const mi = mutualInformation([0, 1, 1, 0, 1, 0], [0, 1, 0, 0, 1, 1]);
    expect(mi).toBeCloseTo((2 / 3) * Math.log(4 / 3) + (1 / 3) * Math.log(2 / 3), 15);
    expect(mi).toBeGreaterThan(0.056);
    expect(mi).toBeLessThan(0.057);
  });

  it('matches the entropy formula on random labelings', () => {
    for (const [n, La, Lb, seed] of [
      [40, 2, 3, 5],
      [999, 6, 6, 6],
      [20000, 10, 3, 7],
    ]) {
      const a = randomLabels(n, La, seed);
      const b = a.map((x, i) => (i % 4 === 0 ? randomLabels(1, Lb, seed * 77 + i)[0] : x));
      expect(rel(normalizedMutualInfo(a, b), naiveNMI(a, b))).toBeLessThan(1e-10);
      expect(rel(normalizedMutualInfo(b, a), naiveNMI(a, b))).toBeLessThan(1e-10);
    }
  });

  it('handles the limit cases like scikit-learn', () => {
    expect(normalizedMutualInfo([], [])).toBe(1);
    expect(normalizedMutualInfo([3, 3, 3], [9, 9, 9])).toBe(1);
    expect(normalizedMutualInfo([3, 3, 3], [1, 2, 3])).toBe(0);
    expect(normalizedMutualInfo([1, 2, 3], [1, 2, 3])).toBe(1);
    expect(() => normalizedMutualInfo([1], [])).toThrow(/differ in length/);
  });
});
