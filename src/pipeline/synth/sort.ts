// Events are generated user by user and must come out in time order. A stable LSD radix sort on
// integer seconds does that in two linear passes; a comparator sort of a million indices takes
// several times longer and ties would need care to stay deterministic across engines.

/** Permutation that orders `keys` ascending; equal keys keep their input order. */
export function stableOrder(keys: Uint32Array): Int32Array {
  const n = keys.length;
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let next = new Int32Array(n);
  const counts = new Int32Array(1 << 16);
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keys[i] >>> shift) & 0xffff]++;
    let sum = 0;
    for (let b = 0; b < counts.length; b++) {
      const c = counts[b];
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const e = order[i];
      next[counts[(keys[e] >>> shift) & 0xffff]++] = e;
    }
    const t = order;
    order = next;
    next = t;
  }
  return order;
}
