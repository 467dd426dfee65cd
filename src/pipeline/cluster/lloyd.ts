import { squaredDistance, squaredDistance64 } from '../numeric/distance';
import { addRowTo, assignStep } from './assign';
import { type AbandonRule, isCheckpoint } from './restarts';
import type { Seeding } from './seeding';
import type { Matrix } from './types';
import { type DistanceBatches, distanceBatches, WASM_BATCH } from './wasmDistances';

/** Signature of the assignment step, so that a GPU implementation can stand in for assignStep. */
export type AssignFn = (
  data: Matrix,
  n: number,
  d: number,
  centres: Float64Array,
  k: number,
  outLabels: Int32Array,
  outSums: Float64Array,
  outCounts: Int32Array,
) => number;

export interface LloydOptions {
  maxIter: number;
  /** Absolute tolerance on the summed squared centre shift (already scaled by the data variance). */
  tolAbs: number;
  /** Abandons the run at a checkpoint when it clearly cannot beat an earlier restart (restarts.ts). */
  watch?: AbandonRule | null;
}

export interface LloydResult {
  centres: Float64Array;
  labels: Int32Array;
  inertia: number;
  iterations: number;
  /** True when the labels stopped changing (as opposed to stopping on tolerance or maxIter). */
  strictConvergence: boolean;
  /**
   * True when opts.watch abandoned the run: then inertia is that of labels around centres, their
   * means, at that iteration (an upper bound on where the run would have ended), and labels need
   * not be the nearest centres.
   */
  abandoned: boolean;
}

/**
 * Lloyd's algorithm driven by a pluggable assignment step, in scikit-learn's order: assign, move
 * centres, stop when labels repeat or the squared centre shift is within tolerance, and after a
 * tolerance stop assign once more so labels match the returned centres. Every pass measures
 * every distance, which is what a GPU does best; on the CPU lloydHamerly is the fast path.
 */
export function lloydPlain(
  data: Matrix,
  n: number,
  d: number,
  k: number,
  initCentres: Float64Array,
  opts: LloydOptions,
  assign: AssignFn = assignStep,
): LloydResult {
  const steps = lloydPlainSteps(data, n, d, k, initCentres, opts);
  for (let s = steps.next(); ; s = steps.next()) {
    if (s.done) return s.value;
    const q = s.value;
    assign(data, n, d, q.centres, k, q.labels, q.sums, q.counts);
  }
}

/** One assignment lloydPlainSteps asks its driver for: fill labels, sums and counts for centres. */
export interface AssignRequest {
  centres: Float64Array;
  labels: Int32Array;
  sums: Float64Array;
  counts: Int32Array;
}

/**
 * lloydPlain as a generator that yields each assignment it needs instead of calling a function,
 * so that a synchronous driver (lloydPlain) and an asynchronous one (lloydPlainAsync, for a GPU
 * assigner) run exactly the same iterations.
 */
export function* lloydPlainSteps(
  data: Matrix,
  n: number,
  d: number,
  k: number,
  initCentres: Float64Array,
  opts: LloydOptions,
): Generator<AssignRequest, LloydResult, void> {
  let centres = Float64Array.from(initCentres);
  let next = new Float64Array(k * d);
  const labels = new Int32Array(n);
  const labelsOld = new Int32Array(n).fill(-1);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  let strict = false;
  let it = 0;
  while (it < opts.maxIter) {
    yield { centres, labels, sums, counts };
    relocateEmptyClusters(data, n, d, centres, k, labels, sums, counts, []);
    const shiftSq = meansAndShift(centres, sums, counts, k, d, next, null);
    [centres, next] = [next, centres];
    it++;
    if (sameLabels(labels, labelsOld)) {
      strict = true;
      break;
    }
    if (shiftSq <= opts.tolAbs) break;
    labelsOld.set(labels);
    const stop = abandonAt(opts, it, data, n, d, centres, labels);
    if (stop !== null) return stop;
  }
  if (!strict) yield { centres, labels, sums, counts };
  const inertia = exactInertia(data, n, d, centres, labels);
  return { centres, labels, inertia, iterations: it, strictConvergence: strict, abandoned: false };
}

/** The abandoned result when opts.watch gives up on the run after iteration `it`, else null. */
function abandonAt(
  opts: LloydOptions,
  it: number,
  data: Matrix,
  n: number,
  d: number,
  centres: Float64Array,
  labels: Int32Array,
  dist?: DistanceBatches,
  k = 0,
): LloydResult | null {
  if (!opts.watch || !isCheckpoint(it) || it >= opts.maxIter) return null;
  const inertia = dist ? batchedInertia(dist, n, centres, k, labels) : exactInertia(data, n, d, centres, labels);
  if (!opts.watch.abandon(it, inertia)) return null;
  return { centres, labels, inertia, iterations: it, strictConvergence: false, abandoned: true };
}

/**
 * The same iterations as lloydPlain, with Hamerly's bounds (Hamerly 2010, "Making k-means even
 * faster"): per point an upper bound on the distance to its own centre and a lower bound on the
 * distance to any other. When the upper bound is below both the lower bound and half the gap to
 * the nearest other centre, the point cannot change cluster and costs nothing. After the first
 * passes that holds for most points, so a pass costs O(n) instead of O(n k d). Labels are those of
 * plain Lloyd except for exact distance ties. The distances come from `dist` (default: WebAssembly
 * where available, see wasmDistances.ts), whose kernels all give the same values.
 */
export function lloydHamerly(data: Matrix, n: number, d: number, k: number, seeding: Seeding, opts: LloydOptions, dist?: DistanceBatches): LloydResult {
  const b = dist ?? distanceBatches(data, n, d, k);
  try {
    return hamerly(data, n, d, k, seeding, opts, b);
  } finally {
    if (!dist) b.release();
  }
}

function hamerly(data: Matrix, n: number, d: number, k: number, seeding: Seeding, opts: LloydOptions, dist: DistanceBatches): LloydResult {
  let centres = Float64Array.from(seeding.centres);
  let next = new Float64Array(k * d);
  // The seeding already measured each point against every centre: start from that.
  const labels = Int32Array.from(seeding.nearest);
  const upper = new Float64Array(n);
  for (let i = 0; i < n; i++) upper[i] = Math.sqrt(seeding.nearestSq[i]);
  const lower = Float64Array.from(seeding.secondLower);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) counts[labels[i]]++;
  dist.clusterSums(labels, k, sums);
  const halfGap = new Float64Array(k);
  const shift = new Float64Array(k);
  const state: PassState = {
    data,
    n,
    d,
    k,
    labels,
    upper,
    lower,
    sums,
    counts,
    halfGap,
    dist,
    cand: new Int32Array(WASM_BATCH),
    candBound: new Float64Array(WASM_BATCH),
  };

  let strict = false;
  let it = 0;
  while (it < opts.maxIter) {
    halfGaps(centres, k, d, halfGap);
    // On the first pass the upper bounds are the seeding's exact distances, and the seeding's
    // lower bounds let most points pass without a single distance.
    const changed = hamerlyPass(state, centres, true, it === 0);
    it++;
    // Labels equal to the previous pass's: centres are already their means. (The first pass is
    // compared with the seeding, which scikit-learn never counts as converged.)
    if (it > 1 && changed === 0) {
      strict = true;
      break;
    }
    const relocated: number[] = [];
    relocateEmptyClusters(data, n, d, centres, k, labels, sums, counts, relocated);
    const shiftSq = meansAndShift(centres, sums, counts, k, d, next, shift);
    [centres, next] = [next, centres];

    let max1 = 0;
    let max2 = 0;
    let argMax = -1;
    for (let c = 0; c < k; c++) {
      const s = shift[c];
      if (s > max1) {
        max2 = max1;
        max1 = s;
        argMax = c;
      } else if (s > max2) max2 = s;
    }
    for (let i = 0; i < n; i++) {
      const a = labels[i];
      upper[i] += shift[a];
      lower[i] -= a === argMax ? max2 : max1;
    }
    // A relocated point is its cluster's only member, so it sits exactly on the new centre.
    for (const i of relocated) {
      upper[i] = 0;
      lower[i] = 0;
    }
    if (shiftSq <= opts.tolAbs) break;
    const stop = abandonAt(opts, it, data, n, d, centres, labels, dist, k);
    if (stop !== null) return stop;
  }
  if (!strict) {
    halfGaps(centres, k, d, halfGap);
    hamerlyPass(state, centres, false, false);
  }
  const inertia = batchedInertia(dist, n, centres, k, labels);
  return { centres, labels, inertia, iterations: it, strictConvergence: strict, abandoned: false };
}

interface PassState {
  data: Matrix;
  n: number;
  d: number;
  k: number;
  labels: Int32Array;
  upper: Float64Array;
  lower: Float64Array;
  sums: Float64Array;
  counts: Int32Array;
  halfGap: Float64Array;
  dist: DistanceBatches;
  /** Points of the current batch that their bounds did not settle, and those bounds. */
  cand: Int32Array;
  candBound: Float64Array;
}

/**
 * One bounded assignment pass; returns how many points changed cluster. Points whose bounds do
 * not settle them are collected in batches: their upper bounds are tightened to the exact
 * distance to their own centre (unless already exact), and those still unsettled are measured
 * against all centres, then settled in point order, as one point at a time would.
 */
function hamerlyPass(st: PassState, centres: Float64Array, updateSums: boolean, upperExact: boolean): number {
  const { n, k, labels, upper, lower, halfGap, dist, cand, candBound } = st;
  dist.setCentres(centres, k);
  if (!upperExact) for (let c = 0; c < k; c++) dist.setOwnCentre(c, centres, c);
  let changed = 0;
  let queued = 0;
  for (let i = 0; i < n; i++) {
    const a = labels[i];
    const bound = halfGap[a] > lower[i] ? halfGap[a] : lower[i];
    if (upper[i] <= bound) continue;
    cand[queued] = i;
    candBound[queued++] = bound;
    if (queued === WASM_BATCH) {
      changed += settleBatch(st, queued, updateSums, upperExact);
      queued = 0;
    }
  }
  if (queued > 0) changed += settleBatch(st, queued, updateSums, upperExact);
  return changed;
}

/** The queued points cand[0..queued) of a pass: tightened (unless upperExact), measured and settled in order; how many moved. */
function settleBatch(st: PassState, queued: number, updateSums: boolean, upperExact: boolean): number {
  const { labels, upper, dist, cand, candBound } = st;
  let m = queued;
  if (!upperExact) {
    // The upper bounds may just be loose: tighten them before paying for all k distances.
    for (let q = 0; q < queued; q++) {
      dist.idx[q] = cand[q];
      dist.sel[q] = labels[cand[q]];
    }
    dist.toOwn(queued);
    m = 0;
    for (let q = 0; q < queued; q++) {
      const i = cand[q];
      const u = Math.sqrt(dist.out[q]);
      upper[i] = u;
      if (u > candBound[q]) cand[m++] = i;
    }
  }
  for (let q = 0; q < m; q++) dist.idx[q] = cand[q];
  dist.toCentres(m);
  let changed = 0;
  for (let q = 0; q < m; q++) changed += settleBounded(st, cand[q], dist.out, q * dist.stride, updateSums);
  return changed;
}

/** New label and both bounds of point i from its distances to all centres (dist[at..at+k)); 1 if it moved. */
function settleBounded(st: PassState, i: number, dist: Float64Array, at: number, updateSums: boolean): number {
  const { data, d, k, labels, upper, lower, sums, counts } = st;
  let best = dist[at];
  let b = 0;
  let second = Infinity;
  for (let c = 1; c < k; c++) {
    const v = dist[at + c];
    if (v < best) {
      second = best;
      best = v;
      b = c;
    } else if (v < second) second = v;
  }
  upper[i] = Math.sqrt(best);
  lower[i] = Math.sqrt(second);
  const a = labels[i];
  if (b === a) return 0;
  labels[i] = b;
  if (updateSums) {
    counts[a]--;
    counts[b]++;
    addRow(data, i * d, sums, a * d, d, -1);
    addRow(data, i * d, sums, b * d, d, 1);
  }
  return 1;
}

/** halfGap[c] = half the distance from centre c to its nearest other centre (Infinity if k = 1). */
function halfGaps(centres: Float64Array, k: number, d: number, out: Float64Array): void {
  out.fill(Infinity);
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      const h = 0.5 * Math.sqrt(squaredDistance64(centres, a * d, centres, b * d, d));
      if (h < out[a]) out[a] = h;
      if (h < out[b]) out[b] = h;
    }
  }
}

/**
 * Gives each empty cluster the point farthest from its current centre, like scikit-learn, so a
 * run never returns fewer than k clusters. Unlike scikit-learn the point's label moves too, which
 * keeps labels, sums and counts consistent for the bounded passes.
 */
export function relocateEmptyClusters(
  data: Matrix,
  n: number,
  d: number,
  centres: Float64Array,
  k: number,
  labels: Int32Array,
  sums: Float64Array,
  counts: Int32Array,
  relocated: number[],
): void {
  let dist: Float64Array | null = null;
  for (let c = 0; c < k; c++) {
    if (counts[c] !== 0) continue;
    if (dist === null) {
      dist = new Float64Array(n);
      for (let i = 0; i < n; i++) dist[i] = squaredDistance(data, i * d, centres, labels[i] * d, d);
    }
    let far = -1;
    for (let i = 0; i < n; i++) {
      // Never empty another cluster to fill this one.
      if (dist[i] >= 0 && counts[labels[i]] > 1 && (far < 0 || dist[i] > dist[far])) far = i;
    }
    if (far < 0) return; // every cluster is a singleton: nothing can move
    const from = labels[far];
    addRow(data, far * d, sums, from * d, d, -1);
    counts[from]--;
    sums.fill(0, c * d, (c + 1) * d);
    addRow(data, far * d, sums, c * d, d, 1);
    counts[c] = 1;
    labels[far] = c;
    dist[far] = -1;
    relocated.push(far);
  }
}

/** next = sums / counts (a cluster left empty keeps its centre); returns the summed squared shift. */
function meansAndShift(
  centres: Float64Array,
  sums: Float64Array,
  counts: Int32Array,
  k: number,
  d: number,
  next: Float64Array,
  shiftOut: Float64Array | null,
): number {
  let total = 0;
  for (let c = 0; c < k; c++) {
    const q = c * d;
    const cnt = counts[c];
    let s2 = 0;
    for (let j = 0; j < d; j++) {
      const v = cnt > 0 ? sums[q + j] / cnt : centres[q + j];
      next[q + j] = v;
      const t = v - centres[q + j];
      s2 += t * t;
    }
    if (shiftOut) shiftOut[c] = Math.sqrt(s2);
    total += s2;
  }
  return total;
}

function addRow(data: Matrix, off: number, sums: Float64Array, q: number, d: number, sign: 1 | -1): void {
  if (sign > 0) addRowTo(data, off, sums, q, d);
  else for (let j = 0; j < d; j++) sums[q + j] -= data[off + j];
}

function sameLabels(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** exactInertia through distance batches: the same sum, in point order, of the same distances. */
export function batchedInertia(dist: DistanceBatches, n: number, centres: Float64Array, k: number, labels: Int32Array): number {
  for (let c = 0; c < k; c++) dist.setOwnCentre(c, centres, c);
  let total = 0;
  for (let i0 = 0; i0 < n; i0 += WASM_BATCH) {
    const m = Math.min(WASM_BATCH, n - i0);
    for (let q = 0; q < m; q++) {
      dist.idx[q] = i0 + q;
      dist.sel[q] = labels[i0 + q];
    }
    dist.toOwn(m);
    for (let q = 0; q < m; q++) total += dist.out[q];
  }
  return total;
}

/** Sum of squared distances of each point to the centre of its label. */
export function exactInertia(data: Matrix, n: number, d: number, centres: Float64Array, labels: Int32Array): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += squaredDistance(data, i * d, centres, labels[i] * d, d);
  return total;
}
