import { squaredDistance, squaredDistance64 } from '../numeric/distance';
import { Rng, sampleWithoutReplacement } from '../numeric/random';
import type { Matrix } from './types';
import { type DistanceBatches, distanceBatches, WASM_BATCH } from './wasmDistances';

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
 *
 * `dist` gives the distance kernels (default: WebAssembly where available, see wasmDistances.ts);
 * every kernel gives the same values, so the seeding does not depend on it.
 */
export function kmeansPlusPlus(
  data: Matrix,
  n: number,
  d: number,
  k: number,
  rng: Rng,
  trials = 2 + Math.floor(Math.log(k)),
  sample = SEEDING_SAMPLE,
  dist?: DistanceBatches,
): Seeding {
  return kmeansPlusPlusMany(data, n, d, k, [rng], trials, sample, dist)[0];
}

/**
 * Rows of room for copies that kmeansPlusPlusMany uses when its kernels have them (see
 * DistanceBatches.copyRows): each seeding's judged sample, when it samples.
 */
export function seedingExtraRows(n: number, k: number, seedings: number, sample = SEEDING_SAMPLE): number {
  return n > 2 * sample && k > 1 ? Math.min(seedings, MAX_SIDE_BY_SIDE) * sample : 0;
}

/** kmeansPlusPlusMany draws at most this many seedings side by side (more go in groups). */
export const MAX_SIDE_BY_SIDE = 8;

/**
 * kmeansPlusPlus once per generator, all seedings drawn side by side: seeding r equals
 * kmeansPlusPlus(..., rngs[r], ...) exactly (each uses only its own generator), but the passes
 * over all points that every step makes (the new centre's distance to every point) serve all
 * seedings at once. On data larger than the cache those passes are bound by memory bandwidth, so
 * k-means' restarts seed in about the time of one.
 */
export function kmeansPlusPlusMany(
  data: Matrix,
  n: number,
  d: number,
  k: number,
  rngs: readonly Rng[],
  trials = 2 + Math.floor(Math.log(k)),
  sample = SEEDING_SAMPLE,
  dist?: DistanceBatches,
): Seeding[] {
  if (rngs.length > MAX_SIDE_BY_SIDE) {
    const out: Seeding[] = [];
    for (let r = 0; r < rngs.length; r += MAX_SIDE_BY_SIDE) {
      out.push(...kmeansPlusPlusMany(data, n, d, k, rngs.slice(r, r + MAX_SIDE_BY_SIDE), trials, sample, dist));
    }
    return out;
  }
  const R = rngs.length;
  const b = dist ?? distanceBatches(data, n, d, Math.max(k, trials, R), seedingExtraRows(n, k, R, sample));
  try {
    return seedSideBySide(data, n, d, k, rngs, trials, sample, b);
  } finally {
    if (!dist) b.release();
  }
}

function seedSideBySide(data: Matrix, n: number, d: number, k: number, rngs: readonly Rng[], trials: number, sample: number, b: DistanceBatches): Seeding[] {
  const R = rngs.length;
  const states = rngs.map((rng) => new SeedingState(n, d, k, trials, rng));
  for (const s of states) copyRow(data, s.rng.nextInt(n) * d, s.centres, 0, d);
  // Every point's distance to the first centre of every seeding, in one pass.
  const firsts = new Float64Array(R * d);
  for (let r = 0; r < R; r++) firsts.set(states[r].centres.subarray(0, d), r * d);
  b.setCentres(firsts, R);
  for (let i0 = 0; i0 < n; i0 += WASM_BATCH) {
    const m = Math.min(WASM_BATCH, n - i0);
    for (let q = 0; q < m; q++) b.idx[q] = i0 + q;
    b.toCentres(m);
    const { out, stride } = b;
    for (let r = 0; r < R; r++) {
      const nearestSq = states[r].nearestSq;
      for (let q = 0; q < m; q++) nearestSq[i0 + q] = out[q * stride + r];
    }
  }
  // The points the candidates are judged on, in increasing order: all of them, or a sample drawn
  // from its own generator (only when sampling, so that smaller inputs draw exactly as before).
  const sampling = n > 2 * sample && k > 1;
  const mark = sampling ? new Uint8Array(n) : null;
  for (let r = 0; r < R; r++) {
    const s = states[r];
    s.startJudging(sampling ? sampleWithoutReplacement(new Rng(s.rng.nextUint32()), n, sample) : null);
    // The judged rows copied side by side where the kernels have room: judging reads them in order
    // every step instead of gathering them from all over the data (about twice as fast).
    const judged = s.judged;
    const at = n + r * sample;
    if (judged && at + judged.length <= b.rowCapacity) {
      b.copyRows(judged, judged.length, at);
      s.judgedRows = at;
    }
  }

  for (let c = 1; c < k; c++) {
    const live: SeedingState[] = [];
    for (const s of states) if (!s.done && s.pickCentre(data, c, b)) live.push(s);
    if (live.length === 0) continue;
    if (!mark) {
      for (const s of live) for (let i = 0; i < n; i++) s.fold(i, s.trialSq[i * trials + s.best], c);
      continue;
    }
    // The winners' distances to all points: the judged ones are known and the pruned ones need
    // none (as in the judging); both are folded into the points' bookkeeping seeding by seeding,
    // and the rest marked (bit r of mark[i]: seeding r needs point i measured). A marked point is
    // then measured against all live winners at once (one load of its coordinates serves them all).
    const L = live.length;
    const winners = new Float64Array(L * d);
    for (let r = 0; r < L; r++) winners.set(live[r].centres.subarray(c * d, (c + 1) * d), r * d);
    mark.fill(0);
    for (let r = 0; r < L; r++) live[r].foldKnown(c, mark, 1 << r);
    b.setCentres(winners, L);
    let queued = 0;
    for (let i = 0; i < n; i++) {
      if (mark[i] === 0) continue;
      b.idx[queued++] = i;
      if (queued === WASM_BATCH) {
        foldMeasured(b, queued, live, mark, c);
        queued = 0;
      }
    }
    if (queued > 0) foldMeasured(b, queued, live, mark, c);
  }
  return states.map((s) => ({ centres: s.centres, nearest: s.nearest, nearestSq: s.nearestSq, secondLower: s.secondLower }));
}

/** One seeding of kmeansPlusPlusMany: its centres, every point's bookkeeping and its generator. */
class SeedingState {
  readonly centres: Float64Array;
  readonly nearest: Int32Array;
  readonly nearestSq: Float64Array;
  readonly secondLower: Float64Array;
  readonly cumulative: Float64Array;
  readonly candidates: Float64Array;
  readonly candToCentreSq: Float64Array;
  /** trialSq[s * trials + t]: squared distance of judged point s to candidate t, or PRUNED. */
  trialSq = new Float64Array(0);
  readonly trialPot: Float64Array;
  judged: Int32Array | null = null;
  /** Row of the kernels' copy of judged point 0 (the others follow), or -1 to read them in place. */
  judgedRows = -1;
  /** Set when every point sits on a centre: the rest was filled at random. */
  done = false;
  /** The winning candidate of the current step. */
  best = 0;

  constructor(
    readonly n: number,
    readonly d: number,
    readonly k: number,
    readonly trials: number,
    readonly rng: Rng,
  ) {
    this.centres = new Float64Array(k * d);
    this.nearest = new Int32Array(n);
    this.nearestSq = new Float64Array(n);
    this.secondLower = new Float64Array(n).fill(Infinity);
    this.cumulative = new Float64Array(n);
    this.candidates = new Float64Array(trials * d);
    this.candToCentreSq = new Float64Array(trials * k);
    this.trialPot = new Float64Array(trials);
  }

  startJudging(judged: Int32Array | null): void {
    this.judged = judged;
    this.trialSq = new Float64Array(this.trials * (judged ? judged.length : this.n));
  }

  /**
   * Draws the candidates for centre c, judges them and stores the winner as centre c (this.best);
   * false (and the seeding filled up at random) when every point already sits on a centre.
   */
  pickCentre(data: Matrix, c: number, b: DistanceBatches): boolean {
    const { n, d, k, trials, rng, nearest, nearestSq, cumulative, candidates, candToCentreSq, trialSq, trialPot, judged, centres } = this;
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
      this.secondLower.fill(0);
      this.done = true;
      return false;
    }
    for (let t = 0; t < trials; t++) {
      const id = searchCumulative(cumulative, nearestSq, rng.nextFloat() * pot);
      copyRow(data, id * d, candidates, t * d, d);
      for (let q = 0; q < c; q++) {
        candToCentreSq[t * k + q] = squaredDistance64(candidates, t * d, centres, q * d, d);
      }
    }
    // A judged point that any candidate might come closer to is measured against all of them (the
    // multi-centre kernels are so much faster per distance than single distances that skipping
    // individual candidates does not pay), in batches.
    const m = judged ? judged.length : n;
    b.setCentres(candidates, trials);
    let queued = 0;
    const slot = this.slot;
    const rows = this.judgedRows;
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
      b.idx[queued] = rows < 0 ? i : rows + s;
      slot[queued++] = s;
      if (queued === WASM_BATCH) {
        this.storeJudged(b, queued);
        queued = 0;
      }
    }
    if (queued > 0) this.storeJudged(b, queued);

    // Each candidate's potential: sum over the judged points, in point order, of min(current, candidate).
    for (let t = 0; t < trials; t++) {
      let sum = 0;
      for (let s = 0; s < m; s++) sum += Math.min(trialSq[s * trials + t], nearestSq[judged ? judged[s] : s]);
      trialPot[t] = sum;
    }
    let best = 0;
    for (let t = 1; t < trials; t++) if (trialPot[t] < trialPot[best]) best = t;
    copyRow(candidates, best * d, centres, c * d, d);
    this.best = best;
    return true;
  }

  private readonly slot = new Int32Array(WASM_BATCH);

  /** Measures the b.idx[0..m) judged points against the candidates and stores the distances at their slots in trialSq. */
  private storeJudged(b: DistanceBatches, m: number): void {
    const { trials, trialSq, slot } = this;
    b.toCentres(m);
    const { out, stride } = b;
    for (let q = 0; q < m; q++) {
      const at = slot[q] * trials;
      for (let t = 0; t < trials; t++) trialSq[at + t] = out[q * stride + t];
    }
  }

  /** Point i's bookkeeping once centre c (candidate `best`) is chosen, given its squared distance v to it or PRUNED. */
  fold(i: number, v: number, c: number): void {
    foldPoint(i, v, c, this.nearest, this.nearestSq, this.secondLower, this.candToCentreSq, this.best * this.k);
  }

  /**
   * The winner pass's first half for this seeding (sampling only): folds every judged point (its
   * distance to the winner is known) and every point the triangle inequality prunes, and sets
   * `bit` in mark[i] for the others.
   */
  foldKnown(c: number, mark: Uint8Array, bit: number): void {
    const { n, trials, nearest, nearestSq, secondLower, candToCentreSq, trialSq, best } = this;
    const judged = this.judged as Int32Array;
    const row = best * this.k;
    const m = judged.length;
    let cur = 0;
    let next = m > 0 ? judged[0] : -1;
    for (let i = 0; i < n; i++) {
      if (i === next) {
        foldPoint(i, trialSq[cur * trials + best], c, nearest, nearestSq, secondLower, candToCentreSq, row);
        cur++;
        next = cur < m ? judged[cur] : -1;
      } else if (candToCentreSq[row + nearest[i]] >= 4 * nearestSq[i]) {
        foldPoint(i, PRUNED, c, nearest, nearestSq, secondLower, candToCentreSq, row);
      } else mark[i] |= bit;
    }
  }
}

/** Folds the distances of the b.idx[0..m) points to the live seedings' winners (b.toCentres' output) where marked. */
function foldMeasured(b: DistanceBatches, m: number, live: readonly SeedingState[], mark: Uint8Array, c: number): void {
  b.toCentres(m);
  const { idx, out, stride } = b;
  for (let r = 0; r < live.length; r++) {
    const s = live[r];
    const bit = 1 << r;
    const { nearest, nearestSq, secondLower, candToCentreSq } = s;
    const row = s.best * s.k;
    for (let q = 0; q < m; q++) {
      const i = idx[q];
      if (mark[i] & bit) foldPoint(i, out[q * stride + r], c, nearest, nearestSq, secondLower, candToCentreSq, row);
    }
  }
}

/**
 * Point i's bookkeeping once centre c is chosen, given its squared distance v to it or PRUNED
 * (candToCentreSq[row + q]: squared distance of the new centre to centre q).
 */
function foldPoint(
  i: number,
  v: number,
  c: number,
  nearest: Int32Array,
  nearestSq: Float64Array,
  secondLower: Float64Array,
  candToCentreSq: Float64Array,
  row: number,
): void {
  const r2 = nearestSq[i];
  if (v === PRUNED) {
    // Not measured: the triangle inequality's D - r is still a bound on the distance.
    const bound = Math.sqrt(candToCentreSq[row + nearest[i]]) - Math.sqrt(r2);
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
  const b = distanceBatches(data, n, d, k);
  try {
    b.setCentres(own, k);
    for (let i0 = 0; i0 < n; i0 += WASM_BATCH) {
      const m = Math.min(WASM_BATCH, n - i0);
      for (let q = 0; q < m; q++) b.idx[q] = i0 + q;
      b.toCentres(m);
      const { out, stride } = b;
      for (let q = 0; q < m; q++) {
        const at = q * stride;
        let best = 0;
        let bestSq = out[at];
        let secondSq = Infinity;
        for (let c = 1; c < k; c++) {
          const s = out[at + c];
          if (s < bestSq) {
            secondSq = bestSq;
            bestSq = s;
            best = c;
          } else if (s < secondSq) secondSq = s;
        }
        nearest[i0 + q] = best;
        nearestSq[i0 + q] = bestSq;
        secondLower[i0 + q] = Math.sqrt(secondSq);
      }
    }
  } finally {
    b.release();
  }
  return { centres: own, nearest, nearestSq, secondLower };
}
