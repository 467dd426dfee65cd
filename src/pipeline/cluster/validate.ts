import { ClusteringInputError, type LabelsLike, type Matrix } from './types';

/** Shape and finiteness checks shared by k-means and the metrics; returns nothing, throws on bad input. */
export function checkMatrix(data: Matrix, n: number, d: number, what = 'data'): void {
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    throw new ClusteringInputError(`The ${what} must be a Float32Array or Float64Array`);
  }
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(d) || d < 1) {
    throw new ClusteringInputError(`The ${what} shape must be whole numbers with at least one dimension, got ${n} x ${d}`);
  }
  if (data.length !== n * d) {
    throw new ClusteringInputError(`The ${what} holds ${data.length} numbers but ${n} points x ${d} dimensions needs ${n * d}`);
  }
  // One pass over everything: a single NaN would otherwise turn every distance and centre into NaN,
  // and coordinates beyond 1e150 would overflow squared distances to Infinity.
  for (let i = 0, len = data.length; i < len; i++) {
    const v = data[i];
    if (!(v < 1e150 && v > -1e150)) {
      const row = Math.floor(i / d);
      const kind = Number.isNaN(v) ? 'a missing value (NaN)' : Number.isFinite(v) ? `a value too large to compute with (${v})` : 'an infinite value';
      throw new ClusteringInputError(
        `The ${what} contains ${kind} at point ${row}, dimension ${i - row * d}; clean, rescale or drop such rows before clustering`,
      );
    }
  }
}

/**
 * Number of distinct rows, counting at most `limit` (so it stops early on typical data, where the
 * first few rows already differ). Rows are compared by value; -0 equals 0.
 */
export function countDistinctRows(data: Matrix, n: number, d: number, limit: number): number {
  const buckets = new Map<number, number[]>();
  let distinct = 0;
  for (let i = 0; i < n && distinct < limit; i++) {
    const off = i * d;
    let h = 0x811c9dc5;
    for (let j = 0; j < d; j++) {
      // Hash a float64 view of the value so that Float32 and Float64 data behave the same.
      const v = data[off + j] + 0; // -0 -> 0
      const lo = v | 0;
      const hi = Math.floor(v * 65536) | 0;
      h = Math.imul(h ^ lo, 0x01000193);
      h = Math.imul(h ^ hi, 0x01000193);
    }
    const rows = buckets.get(h);
    if (rows === undefined) {
      buckets.set(h, [i]);
      distinct++;
      continue;
    }
    let seen = false;
    for (const r of rows) {
      if (rowsEqual(data, r * d, off, d)) {
        seen = true;
        break;
      }
    }
    if (!seen) {
      rows.push(i);
      distinct++;
    }
  }
  return distinct;
}

function rowsEqual(data: Matrix, a: number, b: number, d: number): boolean {
  for (let j = 0; j < d; j++) if (data[a + j] !== data[b + j]) return false;
  return true;
}

/** Checks a label array against the number of points and that every label is an integer. */
export function checkLabels(labels: LabelsLike, n: number, what = 'labels'): void {
  if (labels.length !== n) {
    throw new ClusteringInputError(`Got ${labels.length} ${what} for ${n} points`);
  }
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    if (!Number.isInteger(v)) {
      throw new ClusteringInputError(`The ${what} must be integers; item ${i} is ${v}`);
    }
  }
}

/**
 * Maps arbitrary integer labels to 0..L-1 in increasing label order (like scikit-learn's
 * LabelEncoder), so that per-cluster arrays can be indexed directly.
 */
export function encodeLabels(labels: LabelsLike): { codes: Int32Array; count: number; classes: number[] } {
  const n = labels.length;
  const classes = Array.from(new Set(Array.from(labels))).sort((a, b) => a - b);
  const index = new Map<number, number>();
  classes.forEach((c, i) => index.set(c, i));
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) codes[i] = index.get(labels[i]) as number;
  return { codes, count: classes.length, classes };
}
