// Top-k of a score vector with some items excluded, and dot-product scores.

/**
 * Writes the k best items (highest score first; equal scores by lower index) into `out` and
 * returns how many there were. Items with exclude[i] set are skipped. Insertion into a sorted
 * list of k: k is 20 and n a few thousand to a few hundred thousand, so a heap gains nothing.
 */
export function topK(scores: ArrayLike<number>, n: number, k: number, exclude: Uint8Array, out: Int32Array): number {
  const best = new Float64Array(k);
  let size = 0;
  for (let i = 0; i < n; i++) {
    if (exclude[i]) continue;
    const s = scores[i];
    if (size === k && !(s > best[k - 1])) continue;
    // Scores that are NaN never enter; equal scores keep the earlier (lower) index first.
    if (Number.isNaN(s)) continue;
    let pos = size < k ? size++ : k - 1;
    while (pos > 0 && best[pos - 1] < s) {
      best[pos] = best[pos - 1];
      out[pos] = out[pos - 1];
      pos--;
    }
    best[pos] = s;
    out[pos] = i;
  }
  return size;
}

/** scores[i] = user . items[i] for n items of d dims. */
export function dotScores(user: Float32Array, userRow: number, items: Float32Array, n: number, d: number, scores: Float64Array): void {
  const u = userRow * d;
  for (let i = 0; i < n; i++) {
    const b = i * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += user[u + j] * items[b + j];
    scores[i] = s;
  }
}
