// The GCN's own seeded PRNG (sfc32), kept apart from the clustering and generator RNGs so that
// tuning either of those never changes a trained graph network, and the reproducibility tests
// here stay meaningful.

export class GcnRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`The seed must be a finite number, got ${seed}`);
    this.a = 0x9e3779b9 ^ (Math.floor(seed / 4294967296) | 0);
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform integer in [0, n) for n up to 2^32; the modulo-style bias is below 2^-32 * n. */
  int(n: number): number {
    return Math.floor((this.uint32() / 4294967296) * n);
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.uint32() / 4294967296;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos((2 * Math.PI * this.uint32()) / 4294967296);
  }
}
