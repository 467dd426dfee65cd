// k nearest neighbours for UMAP: exact (brute force) for small inputs, NN-descent (Dong, Charikar
// & Li 2011) started from a random-projection forest for large ones, as pynndescent does.
//
// Everything lives in flat typed arrays: the neighbour lists are n fixed-size max-heaps (the
// farthest current neighbour at the root, so "is this candidate better than what I have" is one
// comparison), and the NN-descent candidate lists are heaps of the same shape keyed by a random
// priority (a uniform sample of at most maxCandidates neighbours, reverse neighbours included).
//
// Distances inside the search are squared euclidean on centred (euclidean) or unit-normalised
// (cosine) float32 rows: monotone in the real distance, no sqrt in the hot loop. They are turned
// into the metric's distances once at the end (sqrt, or ||a-b||^2 / 2 = 1 - cos for unit rows).

import { rowSquaredDistance4 as sqDist } from '../numeric/distance';
import { Rng, xorshift32 as xorshift } from '../numeric/random';
import type { Scheduler } from './scheduler';
import type { Matrix, Metric } from './types';

export interface KnnGraph {
  n: number;
  /** Neighbours per point, the point itself excluded. */
  k: number;
  /** n x k neighbour indices, nearest first. */
  indices: Int32Array;
  /** n x k distances in the metric (euclidean, or 1 - cosine similarity), ascending per row. */
  distances: Float32Array;
}

export interface KnnOptions {
  metric?: Metric;
  /** 'auto': exact up to KNN_EXACT_MAX_POINTS points, NN-descent above. */
  method?: 'auto' | 'exact' | 'nndescent';
  seed?: number;
  /** Random-projection trees for the NN-descent start. Default like umap-learn: 5 + round(sqrt(n) / 20), at most 64. */
  trees?: number;
  /** Largest leaf of a projection tree. Default max(10, k + 1). */
  leafSize?: number;
  /** NN-descent iterations at most. Default max(5, round(log2 n)). */
  maxIterations?: number;
  /**
   * Candidates per point and iteration (pynndescent's max_candidates). Default 15: umap-learn asks
   * for 60, but on our benchmark data exact neighbours gave the same layout trustworthiness, at a
   * fraction of the time (docs/benchmarks.md, UMAP).
   */
  maxCandidates?: number;
  /** Stop when an iteration improves fewer than delta x n x k neighbour slots. Default 0.001. */
  delta?: number;
}

export interface KnnStats {
  method: 'exact' | 'nndescent';
  trees: number;
  leafSize: number;
  iterations: number;
  /** Heap improvements made by each NN-descent iteration. */
  updates: number[];
  /** Distance evaluations made, trees and iterations together. */
  distanceEvaluations: number;
}

/** Default NN-descent candidates per point and iteration (see KnnOptions.maxCandidates). */
export const DEFAULT_MAX_CANDIDATES = 15;

/** Exact neighbours by brute force up to this many points, like umap-learn (n < 4096). */
export const KNN_EXACT_MAX_POINTS = 4096;

/**
 * float32 copy of the rows prepared for squared-euclidean search: centred for 'euclidean' (the
 * distances do not change, float32 keeps more of the differences when the data sit far from the
 * origin), scaled to unit length for 'cosine' (zero rows stay zero: they come out at cosine
 * distance 0.5 from everything).
 */
export function prepareRows(data: Matrix, n: number, d: number, metric: Metric): Float32Array {
  const out = new Float32Array(n * d);
  if (metric === 'cosine') {
    for (let i = 0; i < n; i++) {
      const o = i * d;
      // Norm computed on the row scaled by its largest entry: squares of values near 1e150 overflow.
      let m = 0;
      for (let t = 0; t < d; t++) m = Math.max(m, Math.abs(data[o + t]));
      if (m === 0) continue;
      let s = 0;
      for (let t = 0; t < d; t++) s += (data[o + t] / m) ** 2;
      const inv = 1 / (m * Math.sqrt(s));
      for (let t = 0; t < d; t++) out[o + t] = data[o + t] * inv;
    }
    return out;
  }
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) mean[t] += data[i * d + t];
  for (let t = 0; t < d; t++) mean[t] /= Math.max(n, 1);
  let maxAbs = 0;
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) maxAbs = Math.max(maxAbs, Math.abs(data[i * d + t] - mean[t]));
  // float32 overflows above 3.4e38 and goes coarse below 1e-38: data far outside ordinary scales
  // are rescaled as a whole (UMAP's graph does not depend on the unit of distance).
  const scale = maxAbs > 1e15 || (maxAbs > 0 && maxAbs < 1e-15) ? 1 / maxAbs : 1;
  for (let i = 0; i < n; i++) for (let t = 0; t < d; t++) out[i * d + t] = (data[i * d + t] - mean[t]) * scale;
  return out;
}

/**
 * n max-heaps of k (index, distance, isNew) in three flat arrays. The root (slot 0 of a row) is
 * the farthest kept neighbour; empty slots have index -1 and distance +Infinity.
 */
class NeighbourHeaps {
  readonly idx: Int32Array;
  readonly dist: Float64Array;
  readonly isNew: Uint8Array;

  constructor(
    readonly n: number,
    readonly k: number,
  ) {
    this.idx = new Int32Array(n * k).fill(-1);
    this.dist = new Float64Array(n * k).fill(Infinity);
    this.isNew = new Uint8Array(n * k);
  }

  /** Adds j at distance dd to row i if it beats the farthest and is not there yet; 1 if added. */
  push(i: number, dd: number, j: number, flag: number): number {
    const k = this.k;
    const base = i * k;
    const dist = this.dist;
    if (!(dd < dist[base])) return 0;
    const idx = this.idx;
    for (let t = base, end = base + k; t < end; t++) if (idx[t] === j) return 0;
    const isNew = this.isNew;
    // Replace the root and sift the new entry down to its place.
    let pos = 0;
    for (;;) {
      const l = 2 * pos + 1;
      if (l >= k) break;
      const r = l + 1;
      let c = l;
      if (r < k && dist[base + r] > dist[base + l]) c = r;
      if (!(dist[base + c] > dd)) break;
      idx[base + pos] = idx[base + c];
      dist[base + pos] = dist[base + c];
      isNew[base + pos] = isNew[base + c];
      pos = c;
    }
    idx[base + pos] = j;
    dist[base + pos] = dd;
    isNew[base + pos] = flag;
    return 1;
  }

  /**
   * Every row sorted by distance, nearest first. With `order` (position -> input index) the heaps
   * are in reordered positions: row u and its entries are mapped back to input indices.
   */
  toSortedGraph(metric: Metric, order: Int32Array | null): { indices: Int32Array; distances: Float32Array } {
    const { n, k, idx, dist } = this;
    const map = order;
    const indices = new Int32Array(n * k);
    const distances = new Float32Array(n * k);
    const rank = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      const base = i * k;
      // Insertion sort of k entries (k is ~15): no comparator closures, no allocation.
      for (let t = 0; t < k; t++) {
        const v = dist[base + t];
        const id = idx[base + t];
        let p = t;
        while (p > 0 && (dist[base + rank[p - 1]] > v || (dist[base + rank[p - 1]] === v && idx[base + rank[p - 1]] > id))) {
          rank[p] = rank[p - 1];
          p--;
        }
        rank[p] = t;
      }
      const outBase = map ? map[i] * k : base;
      for (let t = 0; t < k; t++) {
        const s = base + rank[t];
        indices[outBase + t] = map ? map[idx[s]] : idx[s];
        const sq = dist[s];
        distances[outBase + t] = metric === 'cosine' ? sq / 2 : Math.sqrt(sq);
      }
    }
    return { indices, distances };
  }
}

/**
 * k nearest neighbours of every row (itself excluded), exact or by NN-descent. `x` must come from
 * prepareRows. Needs k < n.
 */
export async function nearestNeighbours(
  x: Float32Array,
  n: number,
  d: number,
  k: number,
  opts: KnnOptions,
  sched: Scheduler,
  progress: (epoch: number, fraction: number) => void,
): Promise<{ graph: KnnGraph; stats: KnnStats }> {
  const metric = opts.metric ?? 'euclidean';
  const method = opts.method ?? 'auto';
  const exact = method === 'exact' || (method === 'auto' && n <= KNN_EXACT_MAX_POINTS);
  const rng = new Rng(opts.seed ?? 0);
  const stats: KnnStats = {
    method: exact ? 'exact' : 'nndescent',
    trees: 0,
    leafSize: 0,
    iterations: 0,
    updates: [],
    distanceEvaluations: 0,
  };
  if (exact) {
    const heaps = new NeighbourHeaps(n, k);
    stats.distanceEvaluations = await bruteForce(x, n, d, heaps, sched, progress);
    const { indices, distances } = heaps.toSortedGraph(metric, null);
    return { graph: { n, k, indices, distances }, stats };
  }
  // NN-descent jumps between the rows of neighbours, and with rows in input order nearly every
  // distance reads two rows that are not in cache. The first projection tree's leaf order puts
  // nearby points at nearby indices, so the search runs on a copy of the rows in that order (about
  // 20% faster at 50k x 64, for n x d floats of memory) and the indices are mapped back at the end.
  const nTrees = Math.max(1, opts.trees ?? Math.min(64, 5 + Math.round(Math.sqrt(n) / 20)));
  const leafSize = Math.max(opts.leafSize ?? Math.max(10, k + 1), 2);
  stats.trees = nTrees;
  stats.leafSize = leafSize;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const firstLeaves: number[] = [];
  buildTree(x, d, order, leafSize, rng, (_start, end) => firstLeaves.push(end));
  const xs = new Float32Array(n * d);
  for (let u = 0; u < n; u++) xs.set(x.subarray(order[u] * d, order[u] * d + d), u * d);
  const heaps = new NeighbourHeaps(n, k);
  await nnDescent(xs, n, d, heaps, opts, nTrees, leafSize, firstLeaves, rng, sched, progress, stats);
  const { indices, distances } = heaps.toSortedGraph(metric, order);
  return { graph: { n, k, indices, distances }, stats };
}

async function bruteForce(
  x: Float32Array,
  n: number,
  d: number,
  heaps: NeighbourHeaps,
  sched: Scheduler,
  progress: (epoch: number, fraction: number) => void,
): Promise<number> {
  const hd = heaps.dist;
  const k = heaps.k;
  for (let i = 0; i < n; i++) {
    const oi = i * d;
    for (let j = i + 1; j < n; j++) {
      const dd = sqDist(x, oi, j * d, d);
      if (dd < hd[i * k]) heaps.push(i, dd, j, 0);
      if (dd < hd[j * k]) heaps.push(j, dd, i, 0);
    }
    if ((i & 63) === 63) {
      // Rows get shorter as i grows: the share of pairs done is 1 - ((n-i)/n)^2.
      const left = (n - i - 1) / n;
      progress(0, 1 - left * left);
      await sched.checkpoint();
    }
  }
  return (n * (n - 1)) / 2;
}

async function nnDescent(
  x: Float32Array,
  n: number,
  d: number,
  heaps: NeighbourHeaps,
  opts: KnnOptions,
  nTrees: number,
  leafSize: number,
  firstLeaves: number[],
  rng: Rng,
  sched: Scheduler,
  progress: (epoch: number, fraction: number) => void,
  stats: KnnStats,
): Promise<void> {
  const k = heaps.k;
  const maxIter = opts.maxIterations ?? Math.max(5, Math.round(Math.log2(n)));
  const maxCand = Math.max(1, opts.maxCandidates ?? DEFAULT_MAX_CANDIDATES);
  const delta = opts.delta ?? 0.001;
  // Budget for the progress fraction: the forest counts like one iteration.
  const totalSteps = 1 + maxIter;

  // 1. Random-projection forest: the points of a leaf are each other's first candidates. The
  // first tree was built on the input order; in the reordered rows its leaves are runs of indices.
  let evals = 0;
  const leafPairs = (perm: Int32Array | null, start: number, end: number): void => {
    for (let a = start; a < end; a++) {
      const p = perm ? perm[a] : a;
      const op = p * d;
      for (let b = a + 1; b < end; b++) {
        const q = perm ? perm[b] : b;
        const dd = sqDist(x, op, q * d, d);
        heaps.push(p, dd, q, 1);
        heaps.push(q, dd, p, 1);
      }
    }
    evals += ((end - start) * (end - start - 1)) / 2;
  };
  for (let l = 0, start = 0; l < firstLeaves.length; l++) {
    leafPairs(null, start, firstLeaves[l]);
    start = firstLeaves[l];
  }
  progress(0, 1 / nTrees / totalSteps);
  await sched.checkpoint();
  const perm = new Int32Array(n);
  for (let tree = 1; tree < nTrees; tree++) {
    for (let i = 0; i < n; i++) perm[i] = i;
    buildTree(x, d, perm, leafSize, rng, (start, end) => leafPairs(perm, start, end));
    progress(0, (tree + 1) / nTrees / totalSteps);
    await sched.checkpoint();
  }

  // Rows the forest left short (tiny leaves) get random neighbours so every heap is full.
  let s = rng.nextUint32() | 1;
  for (let i = 0; i < n; i++) {
    let guard = 0;
    while (heaps.idx[i * k] < 0 && guard++ < 4 * k + 64) {
      s = xorshift(s);
      const j = (s >>> 0) % n;
      if (j === i) continue;
      heaps.push(i, sqDist(x, i * d, j * d, d), j, 1);
      evals++;
    }
    // Unlucky draws (tiny n): take the first points not yet there.
    for (let j = 0; heaps.idx[i * k] < 0 && j < n; j++) {
      if (j !== i) heaps.push(i, sqDist(x, i * d, j * d, d), j, 1);
    }
  }

  // 2. NN-descent: a neighbour of a neighbour is likely a neighbour. Each round compares, for every
  // point, the pairs among its sampled new candidates and between new and old ones: pairs of two old
  // candidates were compared in an earlier round already.
  const newIdx = new Int32Array(n * maxCand);
  const newPri = new Uint32Array(n * maxCand);
  const oldIdx = new Int32Array(n * maxCand);
  const oldPri = new Uint32Array(n * maxCand);
  const hIdx = heaps.idx;
  const hDist = heaps.dist;
  const hNew = heaps.isNew;
  for (let iter = 0; iter < maxIter; iter++) {
    newIdx.fill(-1);
    oldIdx.fill(-1);
    newPri.fill(0xffffffff);
    oldPri.fill(0xffffffff);
    for (let i = 0; i < n; i++) {
      const base = i * k;
      for (let t = 0; t < k; t++) {
        const j = hIdx[base + t];
        if (j < 0) continue;
        s = xorshift(s);
        const pri = s >>> 0;
        if (hNew[base + t]) {
          candidatePush(newIdx, newPri, i, maxCand, pri, j);
          candidatePush(newIdx, newPri, j, maxCand, pri, i);
        } else {
          candidatePush(oldIdx, oldPri, i, maxCand, pri, j);
          candidatePush(oldIdx, oldPri, j, maxCand, pri, i);
        }
      }
    }
    // Sampled new neighbours become old: their pairs are about to be compared.
    for (let i = 0; i < n; i++) {
      const base = i * k;
      const cb = i * maxCand;
      for (let t = 0; t < k; t++) {
        if (!hNew[base + t]) continue;
        const j = hIdx[base + t];
        for (let c = 0; c < maxCand; c++) {
          if (newIdx[cb + c] === j) {
            hNew[base + t] = 0;
            break;
          }
        }
      }
    }
    await sched.checkpoint();

    let updates = 0;
    for (let i = 0; i < n; i++) {
      const cb = i * maxCand;
      for (let a = 0; a < maxCand; a++) {
        const p = newIdx[cb + a];
        if (p < 0) continue;
        const op = p * d;
        const pRoot = p * k;
        for (let b = a + 1; b < maxCand; b++) {
          const q = newIdx[cb + b];
          if (q < 0) continue;
          const dd = sqDist(x, op, q * d, d);
          evals++;
          if (dd < hDist[pRoot]) updates += heaps.push(p, dd, q, 1);
          if (dd < hDist[q * k]) updates += heaps.push(q, dd, p, 1);
        }
        for (let b = 0; b < maxCand; b++) {
          const q = oldIdx[cb + b];
          if (q < 0 || q === p) continue;
          const dd = sqDist(x, op, q * d, d);
          evals++;
          if (dd < hDist[pRoot]) updates += heaps.push(p, dd, q, 1);
          if (dd < hDist[q * k]) updates += heaps.push(q, dd, p, 1);
        }
      }
      if ((i & 1023) === 1023) {
        progress(iter + 1, (1 + iter + i / n) / totalSteps);
        await sched.checkpoint();
      }
    }
    stats.iterations = iter + 1;
    stats.updates.push(updates);
    progress(iter + 1, (2 + iter) / totalSteps);
    if (updates <= delta * k * n) break;
  }
  stats.distanceEvaluations = evals;
}

/** Push into a random-priority candidate heap (max-heap on priority, so the lowest maxCand stay). */
function candidatePush(idx: Int32Array, pri: Uint32Array, i: number, m: number, p: number, j: number): void {
  const base = i * m;
  if (!(p < pri[base])) return;
  for (let t = base, end = base + m; t < end; t++) if (idx[t] === j) return;
  let pos = 0;
  for (;;) {
    const l = 2 * pos + 1;
    if (l >= m) break;
    const r = l + 1;
    let c = l;
    if (r < m && pri[base + r] > pri[base + l]) c = r;
    if (!(pri[base + c] > p)) break;
    idx[base + pos] = idx[base + c];
    pri[base + pos] = pri[base + c];
    pos = c;
  }
  idx[base + pos] = j;
  pri[base + pos] = p;
}

/**
 * One random-projection tree over the points listed in perm (reordered in place so that every leaf
 * is a run perm[start, end)); onLeaf is called for each leaf of at most leafSize points.
 */
function buildTree(x: Float32Array, d: number, perm: Int32Array, leafSize: number, rng: Rng, onLeaf: (start: number, end: number) => void): void {
  const n = perm.length;
  const normal = new Float64Array(d);
  const side = new Uint8Array(n);
  const stack: number[] = [0, n];
  while (stack.length > 0) {
    const end = stack.pop() as number;
    const start = stack.pop() as number;
    if (end - start <= leafSize) {
      onLeaf(start, end);
      continue;
    }
    const mid = splitByHyperplane(x, d, perm, start, end, normal, side, rng);
    // Right part pushed first so that leaves come out left to right (the reordering relies on it).
    stack.push(mid, end, start, mid);
  }
}

/**
 * Splits perm[start, end) by the hyperplane halfway between two random points of the range, with
 * the difference of the two as normal (pynndescent's euclidean split; on unit rows it is close to
 * the angular one). Returns the first index of the right part. Points on the plane, and ranges
 * where every point lands on one side (duplicates), are split at random, so the recursion always
 * shrinks.
 */
function splitByHyperplane(x: Float32Array, d: number, perm: Int32Array, start: number, end: number, normal: Float64Array, side: Uint8Array, rng: Rng): number {
  const size = end - start;
  const a = perm[start + rng.nextInt(size)];
  let b = perm[start + rng.nextInt(size - 1)];
  if (b === a) b = perm[end - 1];
  const oa = a * d;
  const ob = b * d;
  let offset = 0;
  for (let t = 0; t < d; t++) {
    const v = x[oa + t] - x[ob + t];
    normal[t] = v;
    offset -= (v * (x[oa + t] + x[ob + t])) / 2;
  }
  let left = 0;
  const end4 = d - (d & 3);
  for (let u = start; u < end; u++) {
    const o = perm[u] * d;
    // Four partial sums, as in sqDist: the forest's n d log(n) multiply-adds are a third of the
    // neighbour search otherwise.
    let m0 = offset;
    let m1 = 0;
    let m2 = 0;
    let m3 = 0;
    let t = 0;
    for (; t < end4; t += 4) {
      m0 += normal[t] * x[o + t];
      m1 += normal[t + 1] * x[o + t + 1];
      m2 += normal[t + 2] * x[o + t + 2];
      m3 += normal[t + 3] * x[o + t + 3];
    }
    for (; t < d; t++) m0 += normal[t] * x[o + t];
    const m = m0 + m1 + (m2 + m3);
    const goLeft = m > 0 ? 1 : m < 0 ? 0 : rng.nextUint32() & 1;
    side[u] = goLeft;
    left += goLeft;
  }
  if (left === 0 || left === size) {
    // Degenerate plane (identical points): a random half. The shuffle keeps later splits fair.
    for (let u = end - 1; u > start; u--) {
      const v = start + rng.nextInt(u - start + 1);
      const tmp = perm[u];
      perm[u] = perm[v];
      perm[v] = tmp;
    }
    return start + (size >> 1);
  }
  // Stable in-place partition is not needed; a two-pointer swap keeps it O(size).
  let lo = start;
  let hi = end - 1;
  while (lo <= hi) {
    if (side[lo]) {
      lo++;
    } else {
      const tmp = perm[lo];
      perm[lo] = perm[hi];
      perm[hi] = tmp;
      const ts = side[lo];
      side[lo] = side[hi];
      side[hi] = ts;
      hi--;
    }
  }
  return lo;
}
