// The best `len` eligible items of a score vector, highest first, equal scores by lower index.

import { topK } from '../eval/rank';
import type { RankedItems } from './types';

/** Above this list length insertion into a sorted list (eval's topK, O(n x len)) loses to a sort. */
const INSERTION_MAX = 256;

export function rankItems(scores: Float64Array, offset: number, n: number, eligible: Uint8Array, len: number): RankedItems {
  const row = scores.subarray(offset, offset + n);
  let items: Int32Array;
  if (len <= INSERTION_MAX) {
    const exclude = new Uint8Array(n);
    for (let i = 0; i < n; i++) exclude[i] = eligible[i] ^ 1;
    const out = new Int32Array(len);
    items = out.slice(0, topK(row, n, len, exclude, out));
  } else {
    let m = 0;
    for (let i = 0; i < n; i++) m += eligible[i];
    const all = new Int32Array(m);
    for (let i = 0, j = 0; i < n; i++) if (eligible[i]) all[j++] = i;
    all.sort((a, b) => row[b] - row[a] || a - b);
    items = all.slice(0, Math.min(len, m));
  }
  return { items, scores: Float64Array.from(items, (i) => row[i]) };
}
