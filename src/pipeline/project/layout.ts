// UMAP's layout optimisation: stochastic gradient descent on the fuzzy cross-entropy between the
// graph and the 2-D similarities 1 / (1 + a d^(2b)), as umap-learn's optimize_layout_euclidean
// (single-threaded, move_other = true):
//  - every edge is sampled in proportion to its weight: an edge of weight w is visited every
//    max_w / w epochs (its "epochs per sample"), so no weights appear in the gradient;
//  - each visit pulls its two ends together and pushes the head away from negative_sample_rate
//    uniformly drawn points (repulsion, standing in for all the non-edges);
//  - gradients are clipped to [-4, 4] per coordinate; the learning rate decays linearly to 0.
// The coordinates, edges and schedules are flat typed arrays; the loop allocates nothing.

import type { CsrGraph } from './graph';
import type { Scheduler } from './scheduler';

export interface LayoutOptions {
  nEpochs: number;
  a: number;
  b: number;
  /** Initial learning rate. Default 1. */
  learningRate?: number;
  /** Weight of the negative samples (gamma). Default 1. */
  repulsionStrength?: number;
  /** Negative samples per positive one. Default 5. */
  negativeSampleRate?: number;
  /** Seed of the negative sampling. */
  seed: number;
}

export interface Edges {
  head: Int32Array;
  tail: Int32Array;
  /** Epochs between two samples of the edge: nEpochs / (nEpochs x w / max w). */
  epochsPerSample: Float64Array;
}

/**
 * Edges of the graph in row order, dropped when their weight is below max / nEpochs (they would
 * be sampled less than once: umap-learn removes them too).
 */
export function makeEdges(graph: CsrGraph, nEpochs: number): Edges {
  const { n, indptr, indices, weights } = graph;
  let wMax = 0;
  for (let e = 0; e < weights.length; e++) if (weights[e] > wMax) wMax = weights[e];
  const cut = wMax / nEpochs;
  let m = 0;
  for (let e = 0; e < weights.length; e++) if (weights[e] >= cut && weights[e] > 0) m++;
  const head = new Int32Array(m);
  const tail = new Int32Array(m);
  const epochsPerSample = new Float64Array(m);
  let at = 0;
  for (let i = 0; i < n; i++) {
    for (let e = indptr[i]; e < indptr[i + 1]; e++) {
      const w = weights[e];
      if (!(w >= cut && w > 0)) continue;
      head[at] = i;
      tail[at] = indices[e];
      epochsPerSample[at] = wMax / w; // = nEpochs / (nEpochs * w / wMax)
      at++;
    }
  }
  return { head, tail, epochsPerSample };
}

/** Clip to [-4, 4]: one far-off point must not fling another across the layout. */
function clip(v: number): number {
  return v > 4 ? 4 : v < -4 ? -4 : v;
}

/**
 * d2^b for the gradients, from a table. Both gradients need d2^b for every sample, and V8's
 * Math.pow costs 50-100 ns (several times the rest of a sample's work), so x^b is tabulated on a
 * log-linear grid: each power-of-two interval [2^e, 2^(e+1)) of d2 is cut into 64 equal bins and
 * interpolated linearly. The bin comes from Math.clz32 of the scaled d2, so there is no log, sqrt or
 * division on the way: the relative error is below 3e-6 everywhere (a bin spans 1/64 of its value).
 * The grid covers d2 in [2^-16, 2^15); outside it (near-coincident or very far points) the exact
 * exp(b log d2) is used, itself 2-3x cheaper than Math.pow.
 */
export class PowTable {
  /** Bins per power of two. */
  static readonly BINS = 64;
  /** d2 is scaled by 2^SHIFT so that the grid starts at scaled value 1. */
  static readonly SHIFT = 16;
  static readonly SCALE = 2 ** PowTable.SHIFT;
  /** Scaled values up to 2^31 (Math.clz32 works on 32-bit integers). */
  static readonly LIMIT = 2 ** 31;
  readonly values: Float64Array;
  /** BINS / 2^e: turns a scaled value into its bin position within its power of two. */
  readonly binScale: Float64Array;

  constructor(readonly b: number) {
    const B = PowTable.BINS;
    this.values = new Float64Array(31 * B + 1);
    for (let e = 0; e <= 31; e++) {
      for (let s = 0; s < (e < 31 ? B : 1); s++) {
        const x = 2 ** (e - PowTable.SHIFT) * (1 + s / B);
        this.values[e * B + s] = Math.exp(b * Math.log(x));
      }
    }
    this.binScale = new Float64Array(32);
    for (let e = 0; e < 32; e++) this.binScale[e] = B / 2 ** e;
  }

  /** d2^b (d2 > 0); the SGD loop inlines the same steps. */
  pow(d2: number): number {
    const v = d2 * PowTable.SCALE;
    if (v >= 1 && v < PowTable.LIMIT) {
      const e = 31 - Math.clz32(v);
      const f = v * this.binScale[e] - PowTable.BINS; // position in [0, BINS) within [2^e, 2^(e+1))
      const fi = f | 0;
      const i0 = e * PowTable.BINS + fi;
      const v0 = this.values[i0];
      return v0 + (f - fi) * (this.values[i0 + 1] - v0);
    }
    return Math.exp(this.b * Math.log(d2));
  }
}

/** Everything one epoch reads and writes; plain fields so the epoch can copy them into locals. */
interface SgdState {
  y: Float32Array;
  n: number;
  head: Int32Array;
  tail: Int32Array;
  epochsPerSample: Float64Array;
  epochsPerNeg: Float64Array;
  nextSample: Float64Array;
  nextNeg: Float64Array;
  a: number;
  b: number;
  gamma: number;
  table: PowTable;
  /** xorshift32 state of the negative sampling (never 0). */
  rng: number;
  positives: number;
  negatives: number;
}

/**
 * Edges [e0, e1) of one epoch. A synchronous function of its own so that the optimising compiler
 * sees a plain loop over typed arrays (no await inside).
 */
function sgdEdges(st: SgdState, epoch: number, alpha: number, e0: number, e1: number): void {
  const { y, n, head, tail, epochsPerSample, epochsPerNeg, nextSample, nextNeg, a, b, gamma } = st;
  const tab = st.table.values;
  const binScale = st.table.binScale;
  const bins = PowTable.BINS;
  const scale = PowTable.SCALE;
  const limit = PowTable.LIMIT;
  const twoAB = 2 * a * b;
  const twoGammaB = 2 * gamma * b;
  let s = st.rng;
  let positives = 0;
  let negatives = 0;
  for (let e = e0; e < e1; e++) {
    if (nextSample[e] > epoch) continue;
    const j = head[e];
    const k = tail[e];
    const jx = 2 * j;
    const kx = 2 * k;
    let cx = y[jx];
    let cy = y[jx + 1];
    let dx = cx - y[kx];
    let dy = cy - y[kx + 1];
    let d2 = dx * dx + dy * dy;
    if (d2 > 0) {
      // Attraction: d/dy of log(1 / (1 + a d2^b)) = -2ab d2^(b-1) / (1 + a d2^b) per coordinate.
      let pw: number;
      const v = d2 * scale;
      if (v >= 1 && v < limit) {
        const ex = 31 - Math.clz32(v);
        const f = v * binScale[ex] - bins;
        const fi = f | 0;
        const i0 = ex * bins + fi;
        pw = tab[i0] + (f - fi) * (tab[i0 + 1] - tab[i0]);
      } else {
        pw = Math.exp(b * Math.log(d2));
      }
      const g = (-twoAB * pw) / (d2 * (a * pw + 1));
      const gx = clip(g * dx) * alpha;
      const gy = clip(g * dy) * alpha;
      cx += gx;
      cy += gy;
      y[kx] -= gx;
      y[kx + 1] -= gy;
    }
    nextSample[e] += epochsPerSample[e];
    positives++;
    // The negative samples owed since the last visit (umap-learn's schedule), each a uniformly
    // drawn point pushed away from: 2 gamma b / ((0.001 + d2)(1 + a d2^b)). Applied one after the
    // other, as umap-learn does.
    const nNeg = Math.floor((epoch - nextNeg[e]) / epochsPerNeg[e]);
    for (let p = 0; p < nNeg; p++) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      const q = ((s >>> 0) * n * 2.3283064365386963e-10) | 0; // (s / 2^32) * n, no division
      if (q === j) continue;
      const qx = 2 * q;
      dx = cx - y[qx];
      dy = cy - y[qx + 1];
      d2 = dx * dx + dy * dy;
      if (!(d2 > 0)) continue; // coincident points: no direction to push in (umap-learn: 0)
      let pw: number;
      const v = d2 * scale;
      if (v >= 1 && v < limit) {
        const ex = 31 - Math.clz32(v);
        const f = v * binScale[ex] - bins;
        const fi = f | 0;
        const i0 = ex * bins + fi;
        pw = tab[i0] + (f - fi) * (tab[i0 + 1] - tab[i0]);
      } else {
        pw = Math.exp(b * Math.log(d2));
      }
      const g = twoGammaB / ((0.001 + d2) * (a * pw + 1));
      cx += clip(g * dx) * alpha;
      cy += clip(g * dy) * alpha;
    }
    if (nNeg > 0) {
      negatives += nNeg;
      nextNeg[e] += nNeg * epochsPerNeg[e];
    }
    y[jx] = cx;
    y[jx + 1] = cy;
  }
  st.rng = s;
  st.positives += positives;
  st.negatives += negatives;
}

/**
 * Runs the SGD in place on y (n x 2). Yields to the scheduler between epochs (and inside
 * an epoch on large graphs); `onEpoch(done)` after each epoch.
 */
export async function optimizeLayout(
  y: Float32Array,
  n: number,
  edges: Edges,
  opts: LayoutOptions,
  sched: Scheduler,
  onEpoch: (done: number) => void,
): Promise<{ positiveSamples: number; negativeSamples: number }> {
  const { head, tail, epochsPerSample } = edges;
  const m = head.length;
  const nEpochs = opts.nEpochs;
  const negRate = opts.negativeSampleRate ?? 5;
  const initialAlpha = opts.learningRate ?? 1;
  const epochsPerNeg = new Float64Array(m);
  const nextSample = new Float64Array(m);
  const nextNeg = new Float64Array(m);
  for (let e = 0; e < m; e++) {
    // negative_sample_rate 0: Infinity epochs between negatives, so none are ever owed.
    epochsPerNeg[e] = negRate > 0 ? epochsPerSample[e] / negRate : Infinity;
    nextSample[e] = epochsPerSample[e];
    nextNeg[e] = epochsPerNeg[e];
  }
  const st: SgdState = {
    y,
    n,
    head,
    tail,
    epochsPerSample,
    epochsPerNeg,
    nextSample,
    nextNeg,
    a: opts.a,
    b: opts.b,
    gamma: opts.repulsionStrength ?? 1,
    table: new PowTable(opts.b),
    rng: Math.imul(opts.seed | 0, 0x9e3779b1) ^ 0x6d2b79f5 || 1,
    positives: 0,
    negatives: 0,
  };
  // Inside an epoch, give the scheduler a look every this many edges (a few ms of work).
  const chunk = 1 << 16;
  let alpha = initialAlpha;
  for (let epoch = 0; epoch < nEpochs; epoch++) {
    for (let e0 = 0; e0 < m; e0 += chunk) {
      const e1 = Math.min(m, e0 + chunk);
      sgdEdges(st, epoch, alpha, e0, e1);
      if (e1 < m) await sched.checkpoint();
    }
    alpha = initialAlpha * (1 - epoch / nEpochs);
    onEpoch(epoch + 1);
    await sched.checkpoint();
  }
  return { positiveSamples: st.positives, negativeSamples: st.negatives };
}
