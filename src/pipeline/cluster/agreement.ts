import { ClusteringInputError, type LabelsLike } from './types';
import { encodeLabels } from './validate';

/** Sparse contingency table of two labelings: cells in row-major order, plus both marginals. */
interface Contingency {
  n: number;
  rows: number;
  cols: number;
  /** Non-zero cells, sorted by (row, col). */
  cellRow: Int32Array;
  cellCol: Int32Array;
  cellCount: Float64Array;
  rowSum: Float64Array;
  colSum: Float64Array;
}

function contingency(a: LabelsLike, b: LabelsLike): Contingency {
  if (a.length !== b.length) {
    throw new ClusteringInputError(`The two labelings differ in length: ${a.length} and ${b.length}`);
  }
  for (const [name, labels] of [
    ['first', a],
    ['second', b],
  ] as const) {
    for (let i = 0; i < labels.length; i++) {
      if (!Number.isInteger(labels[i])) {
        throw new ClusteringInputError(`The ${name} labeling must hold integers; item ${i} is ${labels[i]}`);
      }
    }
  }
  const n = a.length;
  const ea = encodeLabels(a);
  const eb = encodeLabels(b);
  const cols = eb.count;
  const cells = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = ea.codes[i] * cols + eb.codes[i];
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  const keys = Array.from(cells.keys()).sort((x, y) => x - y);
  const cellRow = new Int32Array(keys.length);
  const cellCol = new Int32Array(keys.length);
  const cellCount = new Float64Array(keys.length);
  const rowSum = new Float64Array(ea.count);
  const colSum = new Float64Array(cols);
  keys.forEach((key, t) => {
    const r = Math.floor(key / cols);
    const c = key - r * cols;
    const v = cells.get(key) as number;
    cellRow[t] = r;
    cellCol[t] = c;
    cellCount[t] = v;
    rowSum[r] += v;
    colSum[c] += v;
  });
  return { n, rows: ea.count, cols, cellRow, cellCol, cellCount, rowSum, colSum };
}

/**
 * Adjusted Rand index, as scikit-learn's adjusted_rand_score (pair-confusion form). Pair counts
 * are exact in float64 up to ~9e7 points; their products are formed in BigInt because
 * tp*tn - fn*fp cancels badly for near-random labelings. 1.0 for identical partitions, including
 * the empty and single-cluster cases, as in scikit-learn.
 */
export function adjustedRandIndex(labelsTrue: LabelsLike, labelsPred: LabelsLike): number {
  const t = contingency(labelsTrue, labelsPred);
  const n = t.n;
  let sumSquares = 0;
  let dotCols = 0; // sum over cells of n_ij * (column total)
  let dotRows = 0; // sum over cells of n_ij * (row total)
  for (let i = 0; i < t.cellCount.length; i++) {
    const v = t.cellCount[i];
    sumSquares += v * v;
    dotCols += v * t.colSum[t.cellCol[i]];
    dotRows += v * t.rowSum[t.cellRow[i]];
  }
  const tp = BigInt(sumSquares - n);
  const fp = BigInt(dotCols - sumSquares);
  const fn = BigInt(dotRows - sumSquares);
  const tn = BigInt(n) * BigInt(n) - fp - fn - BigInt(sumSquares);
  if (fn === 0n && fp === 0n) return 1;
  const num = tp * tn - fn * fp;
  const den = (tp + fn) * (fn + tn) + (tp + fp) * (fp + tn);
  return (2 * Number(num)) / Number(den);
}

/** Shannon entropy (nats) of a labeling, from its cluster sizes, in scikit-learn's form. */
function entropyOf(sizes: Float64Array, total: number): number {
  if (sizes.length === 0) return 1; // scikit-learn: entropy of an empty labeling is 1.0
  const logTotal = Math.log(total);
  let h = 0;
  for (let i = 0; i < sizes.length; i++) {
    const p = sizes[i];
    if (p > 0) h -= (p / total) * (Math.log(p) - logTotal);
  }
  return h;
}

/** Mutual information (nats), in scikit-learn's form, including its rounding of tiny terms to 0. */
export function mutualInformation(labelsTrue: LabelsLike, labelsPred: LabelsLike): number {
  return mutualInfoOf(contingency(labelsTrue, labelsPred));
}

function mutualInfoOf(t: Contingency): number {
  if (t.rows === 1 || t.cols === 1) return 0;
  const total = t.n;
  const logTotal = Math.log(total);
  const logRowsTotal = Math.log(total);
  let mi = 0;
  for (let i = 0; i < t.cellCount.length; i++) {
    const v = t.cellCount[i];
    const pNm = v / total;
    const outer = t.rowSum[t.cellRow[i]] * t.colSum[t.cellCol[i]];
    const logOuter = -Math.log(outer) + logRowsTotal + logTotal;
    const term = pNm * (Math.log(v) - logTotal) + pNm * logOuter;
    if (Math.abs(term) >= Number.EPSILON) mi += term;
  }
  return mi > 0 ? mi : 0;
}

/**
 * Normalized mutual information with the arithmetic mean of the two entropies as normaliser
 * (scikit-learn's default): 1.0 when both labelings are a single cluster (or empty), 0 when the
 * mutual information is 0.
 */
export function normalizedMutualInfo(labelsTrue: LabelsLike, labelsPred: LabelsLike): number {
  const t = contingency(labelsTrue, labelsPred);
  if ((t.rows === 1 && t.cols === 1) || (t.rows === 0 && t.cols === 0)) return 1;
  const mi = mutualInfoOf(t);
  if (mi === 0) return 0;
  const hTrue = entropyOf(t.rowSum, t.n);
  const hPred = entropyOf(t.colSum, t.n);
  return mi / ((hTrue + hPred) / 2);
}
