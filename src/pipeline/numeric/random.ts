// Seeded PRNG so that every k-means run, sample and benchmark can be replayed from one integer.
// (Two other generators live beside it, each kept for the streams its users depend on: sfc32.ts
// for the synthetic logs and the GCN, xorshift32 below for the UMAP neighbour search.)
// xoshiro128** (Blackman & Vigna): 32-bit state words keep it fast in JS without BigInt, and its
// period (2^128 - 1) is far beyond anything a browser session draws.

/** splitmix32: spreads a small user seed over the 128-bit state so that seeds 0, 1, 2 ... differ. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`Random seed must be a finite number, got ${seed}`);
    // Fold in the high bits too, so seeds above 2^32 don't silently collide with small ones.
    const st = { s: (seed >>> 0) ^ Math.floor(seed / 4294967296) };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1; // the all-zero state is a fixed point
  }

  /** Uniform integer in [0, 2^32). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9);
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits (32 bits would leave gaps that k-means++ can hit). */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), without modulo bias. n must be in [1, 2^32]. */
  nextInt(n: number): number {
    if (!(n >= 1 && n <= 4294967296) || !Number.isInteger(n)) {
      throw new Error(`nextInt needs an integer bound in [1, 2^32], got ${n}`);
    }
    if (n === 4294967296) return this.nextUint32();
    // Rejection sampling: discard the top partial block of 2^32 so every residue is equally likely.
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Standard normal deviate (Box-Muller); used by the benchmark's blob generator and tests. */
  nextGaussian(): number {
    let u = 0;
    while (u === 0) u = this.nextFloat(); // log(0) would give -Infinity
    const v = this.nextFloat();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** An independent child generator, so that restart r does not depend on how much restart r-1 drew. */
  fork(): Rng {
    const child = new Rng(0);
    child.a = this.nextUint32() | 0;
    child.b = this.nextUint32() | 0;
    child.c = this.nextUint32() | 0;
    child.d = this.nextUint32() | 0;
    if ((child.a | child.b | child.c | child.d) === 0) child.d = 1;
    return child;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * m distinct indices drawn uniformly from [0, n), returned in increasing order (row-major data is
 * then read front to back). Floyd's algorithm: O(m) draws and memory even when m << n.
 */
export function sampleWithoutReplacement(rng: Rng, n: number, m: number): Int32Array {
  if (!Number.isInteger(m) || m < 0 || m > n) {
    throw new Error(`Cannot sample ${m} distinct items out of ${n}`);
  }
  const chosen = new Set<number>();
  for (let j = n - m; j < n; j++) {
    const t = rng.nextInt(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  const out = Int32Array.from(chosen);
  out.sort();
  return out;
}

/**
 * One xorshift32 step (Marsaglia): the next state of a non-zero 32-bit state. For hot loops that
 * need speed, not quality (the UMAP neighbour search's random priorities and fallbacks).
 */
export function xorshift32(s: number): number {
  s ^= s << 13;
  s ^= s >>> 17;
  s ^= s << 5;
  return s | 0;
}
