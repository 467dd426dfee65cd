// Small numeric helpers of the profiles: the top few of many counts, and quantiles of lengths.

/**
 * Indices of the `top` largest counts among candidates[0 .. n), best first; ties go to the lower
 * index (first seen in the file), so the same log always gives the same list. A bounded insertion
 * list, because `top` is ~10 while candidates can be every item of the catalogue.
 */
export function topByCount(candidates: Int32Array, n: number, counts: Int32Array, top: number): Int32Array {
  const best = new Int32Array(Math.min(top, n));
  let size = 0;
  const cap = best.length;
  if (cap === 0) return best;
  for (let i = 0; i < n; i++) {
    const x = candidates[i];
    const cx = counts[x];
    if (cx <= 0) continue;
    if (size === cap) {
      const w = best[size - 1];
      const cw = counts[w];
      if (cx < cw || (cx === cw && x > w)) continue;
      size--;
    }
    let j = size++;
    while (j > 0) {
      const y = best[j - 1];
      const cy = counts[y];
      if (cy > cx || (cy === cx && y < x)) break;
      best[j] = y;
      j--;
    }
    best[j] = x;
  }
  return best.slice(0, size);
}

/** Quantile q (0..1) of ascending-sorted values, interpolating linearly between ranks; 0 when empty. */
export function quantileSorted(sorted: Int32Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function lengthStats(lengths: Int32Array): { mean: number; median: number; p90: number } {
  const n = lengths.length;
  if (n === 0) return { mean: 0, median: 0, p90: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += lengths[i];
  const sorted = lengths.slice().sort();
  return { mean: sum / n, median: quantileSorted(sorted, 0.5), p90: quantileSorted(sorted, 0.9) };
}
