// FNV-1a 64 over UTF-8, for cache keys: fast, stable across runs and platforms, and 64 bits keep
// collisions negligible for the millions of distinct texts a cache may see. Computed in 16-bit limbs
// because BigInt per byte would dominate the cost of hashing a large catalogue.

const utf8 = new TextEncoder();

export function fnv1a64(text: string): string {
  const bytes = utf8.encode(text);
  // Offset basis 0xcbf29ce484222325, low limb first.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (let i = 0; i < bytes.length; i++) {
    h0 ^= bytes[i];
    // Multiply by the prime 2^40 + 0x1b3: limb 0 gets 0x1b3, limb 2 gets 0x100.
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3;
    const t2 = h2 * 0x1b3 + h0 * 0x100;
    const t3 = h3 * 0x1b3 + h1 * 0x100;
    h0 = t0 & 0xffff;
    let c = t1 + (t0 >>> 16);
    h1 = c & 0xffff;
    c = t2 + (c >>> 16);
    h2 = c & 0xffff;
    h3 = (t3 + (c >>> 16)) & 0xffff;
  }
  return hex4(h3) + hex4(h2) + hex4(h1) + hex4(h0);
}

function hex4(v: number): string {
  return v.toString(16).padStart(4, '0');
}

/** FNV-1a 32 over UTF-16 code units: the featurizer's n-gram hash, where speed matters more than width. */
export function fnv1a32(codes: ArrayLike<number>, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    h ^= codes[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
