// The space customers are segmented in when the behaviour BERT encodes them: its sequence vectors
// ("how they shop"), joined by what they buy (the text encoder's sequence vectors: the weighted
// mean of their items' vectors) when customers form groups by what they buy.
//
// Why both: the BERT alone loses segments of customers who shop alike but buy different things; the
// item mean alone sees nothing of how they shop. Why only then: every customer has a taste of their
// own, and where those tastes form no groups the taste block only pulls behaviour segments apart
// (a generated log of 400 customers in 2 behaviour segments, each with a personal taste: ARI 0.96
// with the BERT alone, 0.01 with the taste block always joined). Measured on generated logs with
// planted segments, K = the planted number (docs/benchmarks.md, "Which vectors recover which
// segments").
//
// How:
//  - each block is standardised so that neither wins by its width or its units (the BERT's 64
//    whitened columns, a text encoder's 256-384 small numbers): every column centred and scaled to
//    variance 1 / the block's width. A block's total variance is then the share of its columns that
//    vary (the BERT's whitening keeps the axes holding 99% of its variance, 15-30 of 64 on the logs
//    measured, and leaves the others at 0; those are left out of the joined vectors, which changes
//    no distance and keeps the sweep narrow: 15-30 + 16 columns). The taste block is then weighted by TASTE_WEIGHT: at 0.5
//    it already pulls behaviour segments apart, at 0.25 it recovers too little taste;
//  - of the taste block only its TASTE_AXES leading principal axes are kept: the others hold little
//    variance spread evenly, which adds about the same to every distance (the same segments on the
//    logs measured) and would make the sweep several times wider;
//  - the grouping test: k-means (K = 2, 3, 4) on those axes against Gaussian clouds of the same
//    spread per axis (the mean over TEST_CLOUDS draws). Groups leave clearly less spread within
//    clusters than a cloud does; a continuum of personal tastes does not. The taste block joins
//    when some K leaves at least TASTE_MIN_GAIN less. On the logs measured: under 5% with personal
//    tastes only, 14-35% with segments of taste (at K = 4).
// The fitted means, scales and axes are kept (and saved with a model) so that another log is placed
// in the same space, not in one refitted to it.

import { kmeans } from '../cluster/kmeans';
import { jacobiEigen } from '../numeric/eigen';
import { Rng } from '../numeric/random';

/** The factor on the taste block after both blocks are standardised. */
export const TASTE_WEIGHT = 0.35;
/** Leading principal axes of the taste block kept. */
export const TASTE_AXES = 16;
/** Least share by which k-means on the taste axes must beat Gaussian clouds of their spread. */
export const TASTE_MIN_GAIN = 0.1;
/** Customers the taste axes and the grouping test are fitted on, at most (every n/FIT_SAMPLE-th). */
const FIT_SAMPLE = 4000;
const TEST_K = [2, 3, 4] as const;

export interface SegmentSpace {
  /** Width of the behaviour block (the BERT's sequence vectors). */
  behaviourDims: number;
  /** Width of the text encoder's sequence vectors. */
  tasteDims: number;
  /**
   * The behaviour columns that vary on the log the space was fitted on, in order: the others (the
   * axes the BERT's whitening dropped) are 0 for everyone and are left out.
   */
  behaviourColumns: Int32Array;
  /** Principal axes of the standardised taste block kept. The segment vectors are behaviourColumns.length + tasteAxes wide. */
  tasteAxes: number;
  tasteWeight: number;
  /** Per input column (behaviour, then taste): subtracted, then multiplied by `scale`. */
  mean: Float64Array;
  scale: Float64Array;
  /** tasteDims x tasteAxes, row-major: the taste axes (unit length) as columns. */
  axes: Float64Array;
}

/** What the grouping test saw. */
export interface TasteCheck {
  /** 1 - (k-means inertia on the taste axes) / (its mean on Gaussian clouds of their spread), at the best K of TEST_K. */
  gain: number;
  atK: number;
  threshold: number;
  /** The taste block joined the behaviour block. */
  used: boolean;
  /** Customers the test ran on. */
  customers: number;
}

/** Column means and the factors that give each column variance 1 / width (times `weight` squared). */
function fitBlock(x: Float32Array, n: number, d: number, weight: number, mean: Float64Array, scale: Float64Array, at: number): void {
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += x[i * d + j];
    m /= Math.max(1, n);
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (x[i * d + j] - m) ** 2;
    const sd = Math.sqrt(ss / Math.max(1, n));
    mean[at + j] = m;
    // A constant column carries nothing: it stays 0 rather than being blown up.
    scale[at + j] = sd > 1e-12 ? weight / (sd * Math.sqrt(d)) : 0;
  }
}

/** Rows kept for fitting: all, or every step-th of n. */
function sampleRows(n: number): Int32Array {
  const m = Math.min(n, FIT_SAMPLE);
  return Int32Array.from({ length: m }, (_, i) => Math.floor((i * n) / m));
}

/** The leading `m` principal axes of the standardised taste block, fitted on rows `rows` (td x m, unit columns). */
function principalAxes(taste: Float32Array, td: number, rows: Int32Array, mean: Float64Array, scale: Float64Array, at: number, m: number): Float64Array {
  const cov = new Float64Array(td * td);
  const z = new Float64Array(td);
  for (const i of rows) {
    for (let j = 0; j < td; j++) z[j] = (taste[i * td + j] - mean[at + j]) * scale[at + j];
    for (let a = 0; a < td; a++) {
      const va = z[a];
      if (va === 0) continue;
      for (let b = a; b < td; b++) cov[a * td + b] += va * z[b];
    }
  }
  for (let a = 0; a < td; a++)
    for (let b = a; b < td; b++) {
      cov[a * td + b] /= rows.length;
      cov[b * td + a] = cov[a * td + b];
    }
  const { values, vectors } = jacobiEigen(cov, td);
  const order = Array.from({ length: td }, (_, i) => i).sort((p, q) => values[q] - values[p]);
  const axes = new Float64Array(td * m);
  for (let c = 0; c < m && c < td; c++) for (let j = 0; j < td; j++) axes[j * m + c] = vectors[j * td + order[c]];
  return axes;
}

/**
 * Gaussian clouds the grouping test compares with, their inertias averaged: one cloud's inertia
 * moved the gain by up to 2 points from one seed to another (docs/benchmarks.md), a mean of four
 * by about half that, for a few tens of milliseconds (k-means on at most 4,000 x 16 points).
 */
export const TEST_CLOUDS = 4;
/** Seed of the clouds' draws: the test gives the same answer every time. */
const CLOUD_SEED = 0x5e9;

/** The grouping test on the rows' taste coordinates (rows x m, centred). */
function groupingGain(coords: Float32Array, rows: number, m: number, clouds: number, seed: number): { gain: number; atK: number } {
  const sd = new Float64Array(m);
  for (let c = 0; c < m; c++) {
    let ss = 0;
    for (let i = 0; i < rows; i++) ss += coords[i * m + c] ** 2;
    sd[c] = Math.sqrt(ss / rows);
  }
  const ks = TEST_K.filter((k) => k < rows);
  const flat = new Float64Array(ks.length);
  const cloud = new Float32Array(rows * m);
  const rng = new Rng(seed);
  for (let draw = 0; draw < clouds; draw++) {
    for (let i = 0; i < rows; i++) for (let c = 0; c < m; c++) cloud[i * m + c] = sd[c] * rng.nextGaussian();
    ks.forEach((k, q) => (flat[q] += kmeans(cloud, rows, m, { k, restarts: 3, seed: 1 }).inertia / clouds));
  }
  let best = { gain: -Infinity, atK: TEST_K[0] as number };
  ks.forEach((k, q) => {
    const real = kmeans(coords, rows, m, { k, restarts: 3, seed: 1 }).inertia;
    const gain = flat[q] > 0 ? 1 - real / flat[q] : 0;
    if (gain > best.gain) best = { gain, atK: k };
  });
  return best.gain === -Infinity ? { gain: 0, atK: TEST_K[0] } : best;
}

/**
 * Fits the space on n customers' behaviour (n x bd) and taste (n x td) vectors. `space` is null
 * when the taste block does not join (no groups by what they buy): the BERT's vectors are then
 * clustered as they are.
 */
export function fitSegmentSpace(
  behaviour: Float32Array,
  bd: number,
  taste: Float32Array,
  td: number,
  n: number,
  opts: { tasteWeight?: number; axes?: number; minGain?: number; clouds?: number; cloudSeed?: number } = {},
): { space: SegmentSpace | null; check: TasteCheck } {
  if (behaviour.length !== n * bd || taste.length !== n * td) throw new Error(`segment space: expected ${n} x ${bd} and ${n} x ${td} vectors`);
  const tasteWeight = opts.tasteWeight ?? TASTE_WEIGHT;
  const threshold = opts.minGain ?? TASTE_MIN_GAIN;
  const m = Math.min(opts.axes ?? TASTE_AXES, td);
  const mean = new Float64Array(bd + td);
  const scale = new Float64Array(bd + td);
  fitBlock(behaviour, n, bd, 1, mean, scale, 0);
  fitBlock(taste, n, td, tasteWeight, mean, scale, bd);
  const rows = sampleRows(n);
  const axes = principalAxes(taste, td, rows, mean, scale, bd, m);
  const behaviourColumns = Int32Array.from(Array.from({ length: bd }, (_, j) => j).filter((j) => scale[j] !== 0));
  const space: SegmentSpace = { behaviourDims: bd, tasteDims: td, behaviourColumns, tasteAxes: m, tasteWeight, mean, scale, axes };
  const coords = tasteCoordinates(space, taste, rows);
  const { gain, atK } = groupingGain(coords, rows.length, m, opts.clouds ?? TEST_CLOUDS, opts.cloudSeed ?? CLOUD_SEED);
  const used = gain >= threshold;
  return { space: used ? space : null, check: { gain, atK, threshold, used, customers: rows.length } };
}

/** The taste axes' coordinates of rows `rows` (rows x tasteAxes). */
function tasteCoordinates(space: SegmentSpace, taste: Float32Array, rows: Int32Array): Float32Array {
  const { behaviourDims: bd, tasteDims: td, tasteAxes: m, mean, scale, axes } = space;
  const out = new Float32Array(rows.length * m);
  const z = new Float64Array(td);
  const acc = new Float64Array(m);
  rows.forEach((i, r) => {
    for (let j = 0; j < td; j++) z[j] = (taste[i * td + j] - mean[bd + j]) * scale[bd + j];
    acc.fill(0);
    for (let j = 0; j < td; j++) {
      const v = z[j];
      if (v === 0) continue;
      for (let c = 0; c < m; c++) acc[c] += v * axes[j * m + c];
    }
    for (let c = 0; c < m; c++) out[r * m + c] = acc[c];
  });
  return out;
}

/** Width of the vectors a space gives. */
export function segmentDims(space: SegmentSpace): number {
  return space.behaviourColumns.length + space.tasteAxes;
}

/** n customers' vectors in a fitted space: n x segmentDims(space). */
export function applySegmentSpace(space: SegmentSpace, behaviour: Float32Array, taste: Float32Array, n: number): Float32Array {
  const { behaviourDims: bd, tasteDims: td, behaviourColumns: cols, tasteAxes: m, mean, scale } = space;
  if (behaviour.length !== n * bd || taste.length !== n * td) throw new Error(`segment space: expected ${n} x ${bd} and ${n} x ${td} vectors`);
  const b = cols.length;
  const d = b + m;
  const out = new Float32Array(n * d);
  const coords = tasteCoordinates(
    space,
    taste,
    Int32Array.from({ length: n }, (_, i) => i),
  );
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let c = 0; c < b; c++) {
      const j = cols[c];
      out[o + c] = (behaviour[i * bd + j] - mean[j]) * scale[j];
    }
    out.set(coords.subarray(i * m, (i + 1) * m), o + b);
  }
  return out;
}
