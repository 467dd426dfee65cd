// Items a customer looked at (viewed, clicked, put in the cart) and has not bought: in logs with
// views and purchases they are what people most often buy next, and the purchase baskets the
// recommender learns from do not hold them. The new list may put the latest of them first; how
// many (0 = none) is chosen on the validation split with the blend's weights (fit.ts), never
// assumed, so a log where looking does not lead to buying keeps the model's lists.
//
// Per customer, each item they looked at with the time of their first and last such event, so
// that validation can see only what happened before a held-out basket.

import type { EventTable } from '../../ingest/table';
import { CART, CLICK, VIEW } from '../../ingest/eventTypes';

export interface LookHistory {
  /** Customer u's looked-at items: ptr[u] .. ptr[u+1] (CSR over table user indices). */
  ptr: Int32Array;
  items: Int32Array;
  first: Float64Array;
  last: Float64Array;
}

/** How many looked-at items may lead a new list: the values validation tries. */
export const LOOKED_FIRST = [0, 3, 10, 20] as const;

/**
 * The views, clicks and cart events of each customer with a user id (null when the log has none:
 * nothing to put first). Events without a time count as long ago.
 */
export function lookHistory(table: EventTable): LookHistory | null {
  const n = table.length;
  const U = table.users.length;
  const looked = (e: number): boolean => {
    const t = table.type[e];
    return table.user[e] >= 0 && (t === VIEW || t === CLICK || t === CART);
  };
  let any = false;
  const count = new Int32Array(U + 1);
  for (let e = 0; e < n; e++) {
    if (!looked(e)) continue;
    any = true;
    count[table.user[e] + 1]++;
  }
  if (!any) return null;
  for (let u = 0; u < U; u++) count[u + 1] += count[u];
  // Events by customer, then collapsed to distinct items per customer.
  const rows = new Int32Array(count[U]);
  const fill = count.slice(0, U);
  for (let e = 0; e < n; e++) if (looked(e)) rows[fill[table.user[e]]++] = e;
  const ptr = new Int32Array(U + 1);
  const items = new Int32Array(rows.length);
  const first = new Float64Array(rows.length);
  const last = new Float64Array(rows.length);
  const slot = new Int32Array(table.items.length).fill(-1);
  let o = 0;
  for (let u = 0; u < U; u++) {
    const start = o;
    for (let r = count[u]; r < count[u + 1]; r++) {
      const e = rows[r];
      const i = table.item[e];
      const t = Number.isFinite(table.time[e]) ? table.time[e] : -Infinity;
      let s = slot[i];
      if (s < start) {
        s = o++;
        slot[i] = s;
        items[s] = i;
        first[s] = t;
        last[s] = t;
      } else {
        if (t < first[s]) first[s] = t;
        if (t > last[s]) last[s] = t;
      }
    }
    ptr[u + 1] = o;
  }
  return { ptr, items: items.slice(0, o), first: first.slice(0, o), last: last.slice(0, o) };
}

/**
 * Customer u's looked-at items before `cut` (ms; Infinity = everything), not `owned` and not
 * left out, latest first (ties by id rank), at most `max`.
 */
export function lookedBefore(
  h: LookHistory,
  u: number,
  cut: number,
  owned: (i: number) => boolean,
  exclude: Uint8Array,
  idRank: Int32Array,
  max: number,
): Int32Array {
  if (max <= 0 || u < 0 || u + 1 >= h.ptr.length) return new Int32Array(0);
  const picked: number[] = [];
  const at: number[] = [];
  for (let s = h.ptr[u]; s < h.ptr[u + 1]; s++) {
    if (!(h.first[s] < cut)) continue;
    const i = h.items[s];
    if (exclude[i] || owned(i)) continue;
    picked.push(i);
    // The latest look before the cut: its last one when that is before the cut, else its first.
    at.push(h.last[s] < cut ? h.last[s] : h.first[s]);
  }
  const order = picked.map((_i, q) => q).sort((a, b) => at[b] - at[a] || idRank[picked[a]] - idRank[picked[b]]);
  return Int32Array.from(order.slice(0, max), (q) => picked[q]);
}

/** `looked` first, then `list` without them, `top` in all. */
export function lookedFirst(looked: Int32Array, list: ArrayLike<number>, top: number): Int32Array {
  const out: number[] = Array.from(looked.subarray(0, top));
  const seen = new Set(out);
  for (let r = 0; r < list.length && out.length < top; r++) if (!seen.has(list[r])) out.push(list[r]);
  return Int32Array.from(out);
}
