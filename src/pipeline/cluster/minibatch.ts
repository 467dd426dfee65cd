import { assignStep } from './assign';
import { type Rng, sampleWithoutReplacement } from '../numeric/random';
import { copyRow, kmeansPlusPlus } from './seeding';
import { type AssignFn, exactInertia, relocateEmptyClusters } from './lloyd';
import type { Matrix } from './types';

export interface MiniBatchOptions {
  batchSize: number;
  /** Passes over the data at most (scikit-learn's max_iter for MiniBatchKMeans, default 100). */
  maxEpochs: number;
  /** Number of k-means++ initialisations tried on sub-samples; the best on a held-out batch wins. */
  inits: number;
  /** Stop after this many batches without improvement of the smoothed batch inertia. */
  maxNoImprovement: number;
  /** Centres whose count falls under this fraction of the largest count are re-seeded. */
  reassignmentRatio: number;
  /** Stop when the summed squared centre change of one batch is within this (0 = off). */
  tolAbs: number;
  /** The assignment step for batches and the final labelling (see AssignFn). */
  assign?: AssignFn;
}

export const DEFAULT_MINIBATCH: MiniBatchOptions = {
  batchSize: 1024,
  maxEpochs: 100,
  inits: 3,
  maxNoImprovement: 10,
  reassignmentRatio: 0.01,
  tolAbs: 0,
};

export interface MiniBatchResult {
  centres: Float64Array;
  labels: Int32Array;
  inertia: number;
  /** Number of mini-batches processed. */
  steps: number;
}

/**
 * Mini-batch k-means (Sculley 2010) following scikit-learn's MiniBatchKMeans: per-centre learning
 * rate 1/count, early stop on an exponentially weighted average of the batch inertia, and
 * re-seeding of starved centres. Memory and time per step do not grow with n; only the final
 * labelling pass, which uses assignStep, reads all the data.
 */
export function miniBatchKMeans(data: Matrix, n: number, d: number, k: number, rng: Rng, opts: MiniBatchOptions): MiniBatchResult {
  const { centres, steps } = miniBatchCentres(data, n, d, k, rng, opts);
  const assign = opts.assign ?? assignStep;
  const labels = new Int32Array(n);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  const inertia = assign(data, n, d, centres, k, labels, sums, counts);
  return finishMiniBatch(data, n, d, k, centres, steps, labels, sums, counts, inertia);
}

/**
 * The mini-batch iterations without the final labelling pass: the centres and the number of
 * steps. The final pass (the only one that reads all the data) is left to the caller, so that an
 * asynchronous (GPU) assigner can do it; finishMiniBatch completes the result.
 */
export function miniBatchCentres(data: Matrix, n: number, d: number, k: number, rng: Rng, opts: MiniBatchOptions): { centres: Float64Array; steps: number } {
  const assign = opts.assign ?? assignStep;
  const batch = Math.min(opts.batchSize, n);
  const initSize = Math.min(n, Math.max(3 * batch, 3 * k));

  // Batches keep the data's own array type so the distance kernels see a single type (V8 runs
  // them measurably slower once they have seen both Float32Array and Float64Array).
  const batchData = sameType(data, Math.max(batch, initSize) * d);
  const batchLabels = new Int32Array(Math.max(batch, initSize));
  const batchSums = new Float64Array(k * d);
  const batchCounts = new Int32Array(k);

  // Initialisations are compared on a batch none of them was seeded from.
  const validation = sameType(data, batch * d);
  gatherRandom(data, n, d, rng, batch, validation);
  let centres: Float64Array = new Float64Array(k * d);
  let bestInit = Infinity;
  for (let t = 0; t < opts.inits; t++) {
    gatherRandom(data, n, d, rng, initSize, batchData);
    const seeded = kmeansPlusPlus(batchData, initSize, d, k, rng).centres;
    const inertia = assign(validation, batch, d, seeded, k, batchLabels, batchSums, batchCounts);
    if (inertia < bestInit) {
      bestInit = inertia;
      centres = seeded;
    }
  }

  const counts = new Float64Array(k);
  const maxSteps = Math.floor((opts.maxEpochs * n) / batch);
  const alpha = Math.min(1, (batch * 2) / (n + 1));
  let ewa = NaN;
  let ewaMin = Infinity;
  let noImprovement = 0;
  let sinceReassign = 0;
  let step = 0;
  while (step < maxSteps) {
    gatherRandom(data, n, d, rng, batch, batchData);
    const batchInertia = assign(batchData, batch, d, centres, k, batchLabels, batchSums, batchCounts);
    let shiftSq = 0;
    for (let c = 0; c < k; c++) {
      const m = batchCounts[c];
      if (m === 0) continue;
      const q = c * d;
      const old = counts[c];
      const total = old + m;
      for (let j = 0; j < d; j++) {
        const v = (centres[q + j] * old + batchSums[q + j]) / total;
        const t = v - centres[q + j];
        shiftSq += t * t;
        centres[q + j] = v;
      }
      counts[c] = total;
    }

    sinceReassign += batch;
    if (opts.reassignmentRatio > 0 && (hasZero(counts) || sinceReassign >= 10 * k)) {
      sinceReassign = 0;
      reseedStarved(centres, counts, k, d, batchData, batch, rng, opts.reassignmentRatio);
    }

    step++;
    // scikit-learn's convergence monitor: the first batch only measures the initialisation.
    if (step === 1) continue;
    const normalised = batchInertia / batch;
    ewa = Number.isNaN(ewa) ? normalised : ewa * (1 - alpha) + normalised * alpha;
    if (opts.tolAbs > 0 && shiftSq <= opts.tolAbs) break;
    if (ewa < ewaMin) {
      ewaMin = ewa;
      noImprovement = 0;
    } else if (++noImprovement >= opts.maxNoImprovement) break;
  }

  return { centres, steps: step };
}

/**
 * After the final labelling pass (labels, sums and counts of every point against `centres`, and
 * its inertia): a centre that no point ended up nearest to would be a cluster in name only, so it
 * gets the farthest point, as Lloyd does with empty clusters.
 */
export function finishMiniBatch(
  data: Matrix,
  n: number,
  d: number,
  k: number,
  centres: Float64Array,
  steps: number,
  labels: Int32Array,
  sums: Float64Array,
  counts: Int32Array,
  inertia: number,
): MiniBatchResult {
  const relocated: number[] = [];
  relocateEmptyClusters(data, n, d, centres, k, labels, sums, counts, relocated);
  if (relocated.length > 0) {
    for (const i of relocated) copyRow(data, i * d, centres, labels[i] * d, d);
    inertia = exactInertia(data, n, d, centres, labels);
  }
  return { centres, labels, inertia, steps };
}

/** Copies `count` rows drawn uniformly with replacement (as scikit-learn does) into out. */
function gatherRandom(data: Matrix, n: number, d: number, rng: Rng, count: number, out: Matrix): void {
  for (let r = 0; r < count; r++) {
    const src = rng.nextInt(n) * d;
    const dst = r * d;
    for (let j = 0; j < d; j++) out[dst + j] = data[src + j];
  }
}

function sameType(data: Matrix, length: number): Matrix {
  return data instanceof Float32Array ? new Float32Array(length) : new Float64Array(length);
}

function hasZero(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] === 0) return true;
  return false;
}

/**
 * Moves centres that receive (almost) no points onto random points of the current batch, so a bad
 * start cannot leave a cluster dead for good. Their counts restart at the smallest healthy count
 * so that they neither freeze nor get reseeded again at once.
 */
function reseedStarved(centres: Float64Array, counts: Float64Array, k: number, d: number, batchData: Matrix, batch: number, rng: Rng, ratio: number): void {
  let max = 0;
  for (let c = 0; c < k; c++) if (counts[c] > max) max = counts[c];
  const starved: number[] = [];
  for (let c = 0; c < k; c++) if (counts[c] < ratio * max) starved.push(c);
  if (starved.length === 0) return;
  // At most half a batch of new centres; the least-fed go first.
  starved.sort((a, b) => counts[a] - counts[b] || a - b);
  const limit = Math.floor(0.5 * batch);
  if (starved.length > limit) starved.length = limit;
  if (starved.length === 0 || starved.length === k) return;
  const isStarved = new Uint8Array(k);
  for (const c of starved) isStarved[c] = 1;
  let minHealthy = Infinity;
  for (let c = 0; c < k; c++) if (!isStarved[c] && counts[c] < minHealthy) minHealthy = counts[c];
  const picks = sampleWithoutReplacement(rng, batch, starved.length);
  starved.forEach((c, r) => {
    copyRow(batchData, picks[r] * d, centres, c * d, d);
    counts[c] = minHealthy;
  });
}
