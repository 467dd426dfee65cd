// The synthetic-log generator's seeded PRNG (synth/), also the GCN's (gcn/random.ts). Kept apart
// from the clustering generator (random.ts, xoshiro128**) on purpose: cached benchmark files, the
// planted labels that tests check and trained graph networks must not change when the clustering
// code tunes its RNG; each generator's stream is fixed. sfc32 (Chris Doty-Humphrey's Small Fast Counting generator) is 32-bit only,
// so it is quick in V8 without BigInt, and its counter guarantees a period of at least 2^32.

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`The seed must be a finite number, got ${seed}`);
    // Fold in the high bits so that seeds above 2^32 don't collide with small ones.
    const hi = Math.floor(seed / 4294967296) | 0;
    this.a = 0x9e3779b9 ^ hi;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    // The first outputs of a fresh sfc32 are poorly mixed; the reference implementation burns 12.
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** Uniform integer in [0, 2^32). */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform double in [0, 1); 32 bits are plenty for sampling a synthetic log. */
  float(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [0, n). The modulo bias for n far below 2^32 is irrelevant here. */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform double in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** Standard normal deviate (Box-Muller, one of the pair). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  /** Exponential deviate with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.float()) * mean;
  }

  /** Number of failures before a success: a geometric count with the given mean (>= 0). */
  geometric(mean: number): number {
    if (mean <= 0) return 0;
    const p = 1 / (1 + mean);
    return Math.floor(Math.log(1 - this.float()) / Math.log(1 - p));
  }

  /** Poisson deviate; Knuth's product method for small means, a rounded normal for large ones. */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.float();
    while (p > limit) {
      k++;
      p *= this.float();
    }
    return k;
  }

  /** Gamma(shape, 1) deviate (Marsaglia-Tsang; shapes below 1 via the u^(1/shape) boost). */
  gamma(shape: number): number {
    if (shape < 1) {
      const u = this.float();
      return this.gamma(shape + 1) * (u === 0 ? Number.MIN_VALUE : u) ** (1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.float();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Dirichlet(alpha) draw written into `out` (same length as alpha). */
  dirichlet(alpha: ArrayLike<number>, out: Float64Array): Float64Array {
    let sum = 0;
    for (let i = 0; i < alpha.length; i++) {
      const g = alpha[i] > 0 ? this.gamma(alpha[i]) : 0;
      out[i] = g;
      sum += g;
    }
    if (sum === 0) {
      // All mass underflowed (tiny alphas): fall back to one category, as the limit would.
      out.fill(0);
      out[this.int(alpha.length)] = 1;
      return out;
    }
    for (let i = 0; i < alpha.length; i++) out[i] /= sum;
    return out;
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = xs[i];
      xs[i] = xs[j];
      xs[j] = t;
    }
    return xs;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
}

/**
 * Index drawn from a cumulative weight table: cum[i] is the sum of weights 0..i. Binary search,
 * so per-segment item tables of tens of thousands of entries stay cheap to sample.
 */
export function sampleCumulative(rng: Random, cum: Float64Array, lo = 0, hi = cum.length): number {
  const base = lo > 0 ? cum[lo - 1] : 0;
  const x = base + rng.float() * (cum[hi - 1] - base);
  let a = lo;
  let b = hi - 1;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (cum[m] > x) b = m;
    else a = m + 1;
  }
  return a;
}

/** A 32-bit integer hash (lowbias32 by Chris Wellons), for ids that must not need a stored table. */
export function hash32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}
