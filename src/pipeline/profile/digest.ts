// What the profiles need of each user, boiled down once per (table, sequences): funnel flags,
// revenue, and the distinct items, categories, brands and ordering sessions it touched, as CSR
// lists. Profiles for every K then walk these short lists instead of the events themselves: the
// events of one user lie scattered over the whole time-ordered table, so re-reading them for each
// K was mostly cache misses (about 3x slower on a million events).

import { CART, CLICK, PURCHASE, RETURN, VIEW } from '../ingest/eventTypes';
import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';
import { eventAmount } from './money';

// Per-user funnel flags.
export const VIEWED = 1;
export const CARTED = 2;
export const BOUGHT = 4;
export const RETURNED = 8;

export interface UserDigest {
  table: EventTable;
  /** The item mask the digest left out (null: none). */
  exclude: Uint8Array | null;
  /** VIEWED | CARTED | BOUGHT | RETURNED per user. */
  flags: Uint8Array;
  /** Purchases minus returns; 0 without prices. */
  revenue: Float64Array;
  /** User u touched items[itemStart[u] .. itemStart[u+1]), itemEvents of them each. */
  itemStart: Int32Array;
  items: Int32Array;
  itemEvents: Int32Array;
  catStart: Int32Array;
  cats: Int32Array;
  brandStart: Int32Array;
  brands: Int32Array;
  /** Distinct sessions in which the user bought; -1 stands for "bought without a session id" (one order). */
  orderStart: Int32Array;
  orderSessions: Int32Array;
}

const cache = new WeakMap<Sequences, UserDigest>();

/**
 * `exclude` (per item, 1 = leave out): events on those items (service lines: postage, fees) count
 * for nothing here: no funnel step, no revenue, no order, no item, category or brand. The digest is
 * cached per sequences for the last mask given (the same mask object is reused until the user
 * changes the service lines).
 */
export function userDigest(table: EventTable, sequences: Sequences, exclude: Uint8Array | null = null): UserDigest {
  let d = cache.get(sequences);
  if (!d || d.table !== table || d.exclude !== exclude) {
    d = buildDigest(table, sequences, exclude);
    cache.set(sequences, d);
  }
  return d;
}

/** An Int32Array that grows by doubling, for lists whose length is only known at the end. */
class IntList {
  data: Int32Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Int32Array(Math.max(16, capacity));
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  done(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

function buildDigest(table: EventTable, sequences: Sequences, exclude: Uint8Array | null): UserDigest {
  const n = sequences.count;
  const { offsets, events } = sequences;
  const { type, item, session, itemCategory, itemBrand } = table;
  const flags = new Uint8Array(n);
  const revenue = new Float64Array(n);
  const itemStart = new Int32Array(n + 1);
  const catStart = new Int32Array(n + 1);
  const brandStart = new Int32Array(n + 1);
  const orderStart = new Int32Array(n + 1);
  const items = new IntList(events.length);
  const itemEvents = new IntList(events.length);
  const cats = new IntList(n * 2);
  const brands = new IntList(n * 2);
  const orders = new IntList(n);
  // Slot of each item in the current user's list (valid when its stamp is the user's), so repeat
  // events only bump a count.
  const itemStamp = new Int32Array(table.items.length);
  const itemSlot = new Int32Array(table.items.length);
  const catStamp = new Int32Array(table.categories.length);
  const brandStamp = new Int32Array(table.brands.length);
  const sessionStamp = new Int32Array(table.sessions.length);

  for (let u = 0; u < n; u++) {
    const stamp = u + 1;
    let f = 0;
    let r = 0;
    let sessionless = false;
    for (let j = offsets[u]; j < offsets[u + 1]; j++) {
      const e = events[j];
      if (exclude !== null && exclude[item[e]] === 1) continue;
      const t = type[e];
      if (t === VIEW || t === CLICK) f |= VIEWED;
      else if (t === CART) f |= CARTED;
      else if (t === PURCHASE) {
        f |= BOUGHT;
        const s = session[e];
        if (s < 0) {
          if (!sessionless) orders.push(-1);
          sessionless = true;
        } else if (sessionStamp[s] !== stamp) {
          sessionStamp[s] = stamp;
          orders.push(s);
        }
      } else if (t === RETURN) f |= RETURNED;
      if (table.hasPrice) r += eventAmount(table, e);

      const it = item[e];
      if (itemStamp[it] === stamp) {
        itemEvents.data[itemSlot[it]]++;
        continue;
      }
      itemStamp[it] = stamp;
      itemSlot[it] = items.length;
      items.push(it);
      itemEvents.push(1);
      const c = itemCategory[it];
      if (c >= 0 && catStamp[c] !== stamp) {
        catStamp[c] = stamp;
        cats.push(c);
      }
      const b = itemBrand[it];
      if (b >= 0 && brandStamp[b] !== stamp) {
        brandStamp[b] = stamp;
        brands.push(b);
      }
    }
    flags[u] = f;
    revenue[u] = r;
    itemStart[u + 1] = items.length;
    catStart[u + 1] = cats.length;
    brandStart[u + 1] = brands.length;
    orderStart[u + 1] = orders.length;
  }
  return {
    table,
    exclude,
    flags,
    revenue,
    itemStart,
    items: items.done(),
    itemEvents: itemEvents.done(),
    catStart,
    cats: cats.done(),
    brandStart,
    brands: brands.done(),
    orderStart,
    orderSessions: orders.done(),
  };
}
