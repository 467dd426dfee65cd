import { squaredDistance, squaredDistance64 } from '../numeric/distance';
import { distancesFromTwoPoints, distancesToCentres } from './assign';
import { Rng, sampleWithoutReplacement } from '../numeric/random';
import type { Matrix } from './types';

export interface Seeding {
  /** k x d initial centres, row-major. */
  centres: Float64Array;
  /** For each point, the index of its nearest initial centre ... */
  nearest: Int32Array;
  /** ... its squared distance to it ... */
  nearestSq: Float64Array;
  /**
   * ... and a lower bound on its (not squared) distance to every other centre. Together they give
   * the first bounded Lloyd pass what a full pass would have measured, so it can skip most points.
   */
  secondLower: Float64Array;
}

/**
 * Marks a (point, candidate) pair that the triangle inequality settled without measuring; being
 * infinite, it drops out of min() without a branch. (Finite data cannot produce it: checkMatrix
 * rejects coordinates whose squares would overflow.)
 */
const PRUNED = Infinity;

/**
 * Above twice this many points, greedy k-means++ judges its candidates on a seeded uniform sample
 * of this many points instead of on all of them (see kmeansPlusPlus). The choice between
 * candidates is a comparison of sums over the points, and a sum over 16,384 uniformly drawn
 * points estimates each to within about 1% (relative standard error ~ 1 / sqrt(sample) for a
 * sum of non-negative terms that no few points dominate); a candidate that wins by less is about
 * as good a centre as the one it beat. Judging 2 + ln k candidates on every point was three
 * quarters of the cost of a k-means restart at 100k x 64 (K = 10), because in high dimensions the
 * triangle inequality below prunes almost nothing.
 */
export const SEEDING_SAMPLE = 16_384;

/**
 * Greedy k-means++ as scikit-learn does it: the first centre uniformly at random, then for every
 * further centre draw `trials` candidates with probability proportional to the squared distance
 * to the nearest centre so far, and keep the candidate that lowers the total the most. Above
 * 2 x `sample` points "the total" is measured on a seeded uniform sample of `sample` points
 * (drawn once per seeding); the draws themselves, and every point's nearest and second-nearest
 * bookkeeping, always use all points. At or below that size the result is exactly scikit-learn's
 * algorithm.
 *
 * The triangle inequality spares candidate distances: a candidate at distance D from a point's
 * nearest centre is at least D - r from that point (r = the point's current nearest distance),
 * so when D >= 2r it cannot come closer and need not be measured. The result is the same as
 * measuring everything, only faster on well-separated clusters.
 *
 * Points that already coincide with a centre have weight 0 and are never drawn, so when the data
 * holds at least k distinct points the k centres are distinct.
 */
export function kmeansPlusPlus(
  data: Matrix,
  n: number,
  d: number,
  k: number,
  rng: Rng,
  trials = 2 + Math.floor(Math.log(k)),
  sample = SEEDING_SAMPLE,
): Seeding {
  const centres = new Float64Array(k * d);
  const nearest = new Int32Array(n);
  const nearestSq = new Float64Array(n);
  const secondLower = new Float64Array(n).fill(Infinity);

  copyRow(data, rng.nextInt(n) * d, centres, 0, d);
  const four = new Int32Array(4);
  let i0 = 0;
  for (; i0 + 3 < n; i0 += 4) {
    for (let q = 0; q < 4; q++) four[q] = i0 + q;
    fourDistances(data, d, four, centres, nearestSq);
  }
  for (; i0 < n; i0++) nearestSq[i0] = squaredDistance(data, i0 * d, centres, 0, d);

  // The points the candidates are judged on, in increasing order: all of them, or a sample drawn
  // from its own generator (only when sampling, so that smaller inputs draw exactly as before).
  const judged = n > 2 * sample && k > 1 ? sampleWithoutReplacement(new Rng(rng.nextUint32()), n, sample) : null;
  const m = judged ? judged.length : n;
  const cumulative = new Float64Array(n);
  const candidates = new Float64Array(trials * d);
  const candToCentreSq = new Float64Array(trials * k);
  // trialSq[s * trials + t]: squared distance of judged point s to candidate t, or PRUNED.
  const trialSq = new Float64Array(trials * m);
  const trialPot = new Float64Array(trials);
  const distA = new Float64Array(trials);
  const distB = new Float64Array(trials);
  // The winner's distance to every point not judged (sampling only).
  const winnerSq = judged ? new Float64Array(n) : null;

  for (let c = 1; c < k; c++) {
    let pot = 0;
    for (let i = 0; i < n; i++) {
      pot += nearestSq[i];
      cumulative[i] = pot;
    }
    if (!(pot > 0)) {
      // Every point sits on a chosen centre (fewer distinct points than k, which only happens on the
      // small sub-samples of mini-batch k-means): fill up at random and let the empty-cluster
      // handling of the caller move them. Duplicate centres void the second-centre bounds.
      for (let cc = c; cc < k; cc++) copyRow(data, rng.nextInt(n) * d, centres, cc * d, d);
      secondLower.fill(0);
      break;
    }

    for (let t = 0; t < trials; t++) {
      const id = searchCumulative(cumulative, nearestSq, rng.nextFloat() * pot);
      copyRow(data, id * d, candidates, t * d, d);
      for (let q = 0; q < c; q++) {
        candToCentreSq[t * k + q] = squaredDistance64(candidates, t * d, centres, q * d, d);
      }
    }

    // A judged point that any candidate might come closer to is measured against all of them: the
    // two-point kernel (distancesFromTwoPoints) is so much faster per distance than single
    // distances that skipping individual candidates does not pay. Such points are queued and done
    // two at a time.
    let pending = -1;
    for (let s = 0; s < m; s++) {
      const i = judged ? judged[s] : s;
      const limit = 4 * nearestSq[i]; // D >= 2r  <=>  D^2 >= 4 r^2
      const near = nearest[i];
      let need = false;
      for (let t = 0; t < trials; t++) if (candToCentreSq[t * k + near] < limit) need = true;
      if (!need) {
        for (let t = 0, at = s * trials; t < trials; t++) trialSq[at + t] = PRUNED;
        continue;
      }
      if (pending < 0) {
        pending = s;
        continue;
      }
      const p = judged ? judged[pending] : pending;
      distancesFromTwoPoints(data, p * d, i * d, d, candidates, trials, distA, distB);
      for (let t = 0, at = pending * trials, bt = s * trials; t < trials; t++) {
        trialSq[at + t] = distA[t];
        trialSq[bt + t] = distB[t];
      }
      pending = -1;
    }
    if (pending >= 0) {
      const p = judged ? judged[pending] : pending;
      distancesToCentres(data, p * d, d, candidates, trials, distA);
      for (let t = 0; t < trials; t++) trialSq[pending * trials + t] = distA[t];
    }

    // Each candidate's potential: sum over the judged points, in point order, of min(current, candidate).
    for (let t = 0; t < trials; t++) {
      let sum = 0;
      for (let s = 0; s < m; s++) sum += Math.min(trialSq[s * trials + t], nearestSq[judged ? judged[s] : s]);
      trialPot[t] = sum;
    }
    let best = 0;
    for (let t = 1; t < trials; t++) if (trialPot[t] < trialPot[best]) best = t;
    copyRow(candidates, best * d, centres, c * d, d);

    if (judged && winnerSq) {
      // The winner's distances to all points: the judged ones are known, the others measured (or
      // pruned as above), then folded in like the judged ones.
      measureWinner(data, n, d, centres, c, k, nearest, nearestSq, candToCentreSq, best, judged, trialSq, trials, winnerSq);
      for (let i = 0; i < n; i++) foldWinner(i, winnerSq[i], c, nearest, nearestSq, secondLower, candToCentreSq, best, k);
    } else {
      for (let i = 0; i < n; i++) foldWinner(i, trialSq[i * trials + best], c, nearest, nearestSq, secondLower, candToCentreSq, best, k);
    }
  }
  return { centres, nearest, nearestSq, secondLower };
}

/** Point i's bookkeeping once centre c (candidate `best`) is chosen, given its squared distance v to it or PRUNED. */
function foldWinner(
  i: number,
  v: number,
  c: number,
  nearest: Int32Array,
  nearestSq: Float64Array,
  secondLower: Float64Array,
  candToCentreSq: Float64Array,
  best: number,
  k: number,
): void {
  const r2 = nearestSq[i];
  if (v === PRUNED) {
    // Not measured: the triangle inequality's D - r is still a bound on the distance.
    const bound = Math.sqrt(candToCentreSq[best * k + nearest[i]]) - Math.sqrt(r2);
    if (bound < secondLower[i]) secondLower[i] = bound;
  } else if (v < r2) {
    // The old nearest centre becomes the runner-up; every other one was farther still.
    secondLower[i] = Math.sqrt(r2);
    nearestSq[i] = v;
    nearest[i] = c;
  } else {
    const dist = Math.sqrt(v);
    if (dist < secondLower[i]) secondLower[i] = dist;
  }
}

/**
 * out[i] = squared distance of point i to the new centre c (or PRUNED where the triangle
 * inequality settles it): copied from trialSq for the judged points, measured four points at a
 * time for the others.
 */
function measureWinner(
  data: Matrix,
  n: number,
  d: number,
  centres: Float64Array,
  c: number,
  k: number,
  nearest: Int32Array,
  nearestSq: Float64Array,
  candToCentreSq: Float64Array,
  best: number,
  judged: Int32Array,
  trialSq: Float64Array,
  trials: number,
  out: Float64Array,
): void {
  const centre = centres.subarray(c * d, (c + 1) * d);
  // Points to measure, queued and measured four at a time against the one centre.
  const queue = new Int32Array(4);
  let queued = 0;
  let s = 0;
  for (let i = 0; i < n; i++) {
    if (s < judged.length && judged[s] === i) {
      out[i] = trialSq[s * trials + best];
      s++;
      continue;
    }
    if (candToCentreSq[best * k + nearest[i]] >= 4 * nearestSq[i]) {
      out[i] = PRUNED;
      continue;
    }
    queue[queued++] = i;
    if (queued === 4) {
      fourDistances(data, d, queue, centre, out);
      queued = 0;
    }
  }
  for (let q = 0; q < queued; q++) out[queue[q]] = squaredDistance(data, queue[q] * d, centre, 0, d);
}

/**
 * Squared distances of the four points in `rows` to one centre, into out[row]. Four points share
 * each load of the centre's coordinate, which makes this about twice as fast per distance as one
 * or two points at a time; each sum is still formed in j order, so the values equal squaredDistance.
 */
function fourDistances(data: Matrix, d: number, rows: Int32Array, centre: Float64Array, out: Float64Array): void {
  const o0 = rows[0] * d;
  const o1 = rows[1] * d;
  const o2 = rows[2] * d;
  const o3 = rows[3] * d;
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  for (let j = 0; j < d; j++) {
    const v = centre[j];
    const t0 = data[o0 + j] - v;
    const t1 = data[o1 + j] - v;
    const t2 = data[o2 + j] - v;
    const t3 = data[o3 + j] - v;
    a0 += t0 * t0;
    a1 += t1 * t1;
    a2 += t2 * t2;
    a3 += t3 * t3;
  }
  out[rows[0]] = a0;
  out[rows[1]] = a1;
  out[rows[2]] = a2;
  out[rows[3]] = a3;
}

/** First index whose running total exceeds r; zero-weight points can never be returned. */
function searchCumulative(cumulative: Float64Array, weights: Float64Array, r: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  if (!(cumulative[hi] > r)) {
    // r rounded up to the total: take the last point that has any weight.
    while (hi > 0 && !(weights[hi] > 0)) hi--;
    return hi;
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid] > r) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function copyRow(src: Matrix, srcOff: number, dst: Float64Array, dstOff: number, d: number): void {
  for (let j = 0; j < d; j++) dst[dstOff + j] = src[srcOff + j];
}

/**
 * Seedings for K = 1, 2, ... kMax from one greedy k-means++ run: the algorithm picks centres one
 * after the other, so the first K centres of a kMax seeding are a K seeding (drawn with kMax's
 * number of trials). A K sweep asks for K in increasing order; each step adds one centre and
 * updates every point's nearest and second-nearest distance in one pass, instead of seeding every
 * K from scratch (most of the seeding cost of a sweep).
 */
export class PrefixSeeder {
  private readonly centres: Float64Array;
  private k = 1;
  private readonly nearest: Int32Array;
  private readonly nearestSq: Float64Array;
  private readonly secondSq: Float64Array;

  constructor(
    private readonly data: Matrix,
    private readonly n: number,
    private readonly d: number,
    readonly kMax: number,
    rng: Rng,
  ) {
    this.centres = kmeansPlusPlus(data, n, d, kMax, rng).centres;
    this.nearest = new Int32Array(n);
    this.nearestSq = new Float64Array(n);
    this.secondSq = new Float64Array(n).fill(Infinity);
    for (let i = 0; i < n; i++) this.nearestSq[i] = squaredDistance(data, i * d, this.centres, 0, d);
  }

  /** The seeding of the first k centres; k may not go below the last one asked for. */
  seeding(k: number): Seeding {
    if (!(k >= this.k && k <= this.kMax)) throw new RangeError(`PrefixSeeder: K ${k} is not in ${this.k}..${this.kMax}`);
    const { data, n, d, nearest, nearestSq, secondSq } = this;
    for (; this.k < k; this.k++) {
      const c = this.k;
      for (let i = 0; i < n; i++) {
        const s = squaredDistance(data, i * d, this.centres, c * d, d);
        if (s < nearestSq[i]) {
          secondSq[i] = nearestSq[i];
          nearestSq[i] = s;
          nearest[i] = c;
        } else if (s < secondSq[i]) secondSq[i] = s;
      }
    }
    const secondLower = new Float64Array(n);
    for (let i = 0; i < n; i++) secondLower[i] = Math.sqrt(secondSq[i]);
    return { centres: this.centres.slice(0, k * d), nearest: nearest.slice(), nearestSq: nearestSq.slice(), secondLower };
  }
}

/**
 * The Seeding that PrefixSeeder gives for k, rebuilt from its first k centres alone: one pass
 * that measures every point against centres 0..k-1 and folds them in that order with the same
 * comparisons, so nearest, nearestSq and secondLower are equal bit for bit. A helper thread of a
 * parallel sweep gets only the centres (a few kB) and rebuilds the rest, at the cost of one
 * unbounded assignment pass, instead of receiving three n-long arrays per seed.
 */
export function seedingFromCentres(data: Matrix, n: number, d: number, centres: Float64Array, k: number): Seeding {
  if (!(k >= 1 && centres.length >= k * d)) throw new RangeError(`seedingFromCentres: ${centres.length / d} centres cannot seed K = ${k}`);
  const own = centres.slice(0, k * d);
  const nearest = new Int32Array(n);
  const nearestSq = new Float64Array(n);
  const secondLower = new Float64Array(n);
  const distA = new Float64Array(k);
  const distB = new Float64Array(k);
  const fold = (i: number, dist: Float64Array): void => {
    let best = 0;
    let bestSq = dist[0];
    let secondSq = Infinity;
    for (let c = 1; c < k; c++) {
      const s = dist[c];
      if (s < bestSq) {
        secondSq = bestSq;
        bestSq = s;
        best = c;
      } else if (s < secondSq) secondSq = s;
    }
    nearest[i] = best;
    nearestSq[i] = bestSq;
    secondLower[i] = Math.sqrt(secondSq);
  };
  let i = 0;
  for (; i + 1 < n; i += 2) {
    distancesFromTwoPoints(data, i * d, (i + 1) * d, d, own, k, distA, distB);
    fold(i, distA);
    fold(i + 1, distB);
  }
  if (i < n) {
    distancesToCentres(data, i * d, d, own, k, distA);
    fold(i, distA);
  }
  return { centres: own, nearest, nearestSq, secondLower };
}
