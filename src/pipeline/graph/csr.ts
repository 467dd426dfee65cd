// Compressed sparse rows in three typed arrays, the layout a GPU storage buffer takes as is. Every
// builder here emits rows with strictly increasing column indices and no duplicates: the kernels'
// summation order is defined by that order, and a GPU twin has to walk the same one.

export interface Csr {
  rows: number;
  cols: number;
  /** Row r holds entries rowPtr[r] .. rowPtr[r+1]. */
  rowPtr: Int32Array;
  /** Column of each entry; strictly increasing within a row. */
  colIdx: Int32Array;
  values: Float32Array;
}

/** Number of stored entries. */
export function nnz(a: Csr): number {
  return a.rowPtr[a.rows];
}

/**
 * Builds a CSR from `count` coordinate triplets, summing duplicates (in float64, then rounded once).
 * Two stable counting sorts (by column, then by row) leave each row's columns ascending without a
 * comparison sort, so building is linear in entries + rows + cols.
 */
export function cooToCsr(rows: number, cols: number, r: Int32Array, c: Int32Array, v: ArrayLike<number>, count = r.length): Csr {
  const byCol = countingOrder(c, cols, count, null);
  const order = countingOrder(r, rows, count, byCol);
  const rowPtr = new Int32Array(rows + 1);
  const colIdx = new Int32Array(count);
  const sums = new Float64Array(count);
  let out = 0;
  let prevRow = -1;
  let prevCol = -1;
  for (let t = 0; t < count; t++) {
    const e = order[t];
    const row = r[e];
    const col = c[e];
    if (row === prevRow && col === prevCol) {
      sums[out - 1] += v[e];
      continue;
    }
    colIdx[out] = col;
    sums[out] = v[e];
    rowPtr[row + 1]++;
    out++;
    prevRow = row;
    prevCol = col;
  }
  for (let i = 0; i < rows; i++) rowPtr[i + 1] += rowPtr[i];
  return { rows, cols, rowPtr, colIdx: colIdx.slice(0, out), values: Float32Array.from(sums.subarray(0, out)) };
}

/** Indices 0..count-1 stably sorted by key (0..buckets-1), visiting them in `within` order if given. */
function countingOrder(key: Int32Array, buckets: number, count: number, within: Int32Array | null): Int32Array {
  const start = new Int32Array(buckets + 1);
  for (let e = 0; e < count; e++) {
    const k = key[e];
    if (!(k >= 0 && k < buckets)) throw new RangeError(`Sparse index ${k} is outside 0..${buckets - 1}.`);
    start[k + 1]++;
  }
  for (let b = 0; b < buckets; b++) start[b + 1] += start[b];
  const out = new Int32Array(count);
  for (let t = 0; t < count; t++) {
    const e = within ? within[t] : t;
    out[start[key[e]]++] = e;
  }
  return out;
}

/**
 * The transpose, itself a valid CSR (columns ascending). A GPU has no float atomics for scattering
 * into A^T X, so the backward pass gathers over this instead; the CPU does the same so that both
 * sum in one order.
 */
export function transposeCsr(a: Csr): Csr {
  const n = nnz(a);
  const rowPtr = new Int32Array(a.cols + 1);
  for (let k = 0; k < n; k++) rowPtr[a.colIdx[k] + 1]++;
  for (let c = 0; c < a.cols; c++) rowPtr[c + 1] += rowPtr[c];
  const cursor = rowPtr.slice(0, a.cols);
  const colIdx = new Int32Array(n);
  const values = new Float32Array(n);
  // Rows are visited in increasing order, so each transposed row comes out sorted.
  for (let r = 0; r < a.rows; r++) {
    for (let k = a.rowPtr[r]; k < a.rowPtr[r + 1]; k++) {
      const dst = cursor[a.colIdx[k]]++;
      colIdx[dst] = r;
      values[dst] = a.values[k];
    }
  }
  return { rows: a.cols, cols: a.rows, rowPtr, colIdx, values };
}

/** Whether column `col` is stored in row `row` (binary search over the sorted row). */
export function hasEntry(a: Csr, row: number, col: number): boolean {
  let lo = a.rowPtr[row];
  let hi = a.rowPtr[row + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = a.colIdx[mid];
    if (c === col) return true;
    if (c < col) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Dense row-major copy; for tests and tiny graphs only. */
export function csrToDense(a: Csr): Float64Array {
  const out = new Float64Array(a.rows * a.cols);
  for (let r = 0; r < a.rows; r++) for (let k = a.rowPtr[r]; k < a.rowPtr[r + 1]; k++) out[r * a.cols + a.colIdx[k]] += a.values[k];
  return out;
}
