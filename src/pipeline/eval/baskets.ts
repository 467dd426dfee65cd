// Purchase baskets per user: what the recommendation protocol and the per-user recommenders work on.
// A basket is one invoice (or session) of one user; its time is its earliest event. A log of
// anonymous sessions has each session as the customer instead (sessionSteps). Baskets are kept
// per user in time order (ties by the basket's name), each as its distinct items, ascending. CSR in
// typed arrays: user u's baskets are userPtr[u] .. userPtr[u+1], basket b's items ptr[b] .. ptr[b+1].

import type { EventTable } from '../ingest/table';
import { PURCHASE, RETURN } from '../ingest/eventTypes';

export interface Baskets {
  /** Users and items are the table's indices (table.users / table.items), so counts are the table's. */
  userCount: number;
  itemCount: number;
  userPtr: Int32Array;
  /** Per basket: its user, time (ms; NaN without times) and name (for ties), in user then time order. */
  basketUser: Int32Array;
  basketTime: Float64Array;
  basketName: string[];
  ptr: Int32Array;
  items: Int32Array;
}

export interface BasketRow {
  user: number;
  item: number;
  basket: string;
  time: number;
}

/** What basketsFromTable kept and why the rest was left out. */
export interface BasketSource {
  /**
   * Whose baskets: 'user' (the baskets' user indices are table.users'), or 'session' for a log
   * with sessions and no user ids at all (each session is a customer: indices into table.sessions).
   */
  by: 'user' | 'session';
  /** 'purchases' when the log has purchase events (only those count, by user), else every non-return event. */
  events: 'purchases' | 'all';
  /**
   * 'session' (invoice or session column), 'day' (no session column: a user's events of one day),
   * or 'step' (by session: the session's events at one moment, so its last step is what it did next).
   */
  basket: 'session' | 'day' | 'step';
  kept: number;
  skipped: { noUser: number; notPurchase: number; notPositive: number };
}

/** Builds baskets from rows (any order). Items of a basket are de-duplicated. */
export function basketsFromRows(rows: readonly BasketRow[], userCount: number, itemCount: number): Baskets {
  const u = new Int32Array(rows.length);
  const it = new Int32Array(rows.length);
  const t = new Float64Array(rows.length);
  const names = new Map<string, number>();
  const nameList: string[] = [];
  const key = new Int32Array(rows.length);
  rows.forEach((r, k) => {
    u[k] = r.user;
    it[k] = r.item;
    t[k] = r.time;
    let id = names.get(r.basket);
    if (id === undefined) {
      id = nameList.length;
      names.set(r.basket, id);
      nameList.push(r.basket);
    }
    key[k] = id;
  });
  return buildBaskets(u, it, t, key, nameList, rows.length, userCount, itemCount);
}

/**
 * Baskets from columns (one entry per row, any order): user, item, basket key (an index into
 * `names`, whose text breaks time ties) and time. For logs made in code (the benches).
 */
export function basketsFromColumns(
  user: Int32Array,
  item: Int32Array,
  basket: Int32Array,
  time: Float64Array,
  names: readonly string[],
  userCount: number,
  itemCount: number,
): Baskets {
  return buildBaskets(user, item, time, basket, names as string[], user.length, userCount, itemCount);
}

/**
 * The protocol's rows from an analysed log: a user id, a purchase (when the log has purchases; UCI
 * cancellations are returns and drop out) with a quantity above 0 (when quantities exist); a basket
 * is the row's session (the invoice for UCI) else the user's calendar day (UTC).
 */
export function basketsFromTable(table: EventTable): { baskets: Baskets; source: BasketSource } {
  if (sessionsAreCustomers(table)) return sessionSteps(table);
  const n = table.length;
  let fromPurchases = false;
  for (let e = 0; e < n && !fromPurchases; e++) if (table.type[e] === PURCHASE) fromPurchases = true;
  const bySession = table.hasSession;
  const u = new Int32Array(n);
  const it = new Int32Array(n);
  const t = new Float64Array(n);
  const key = new Int32Array(n);
  const skipped = { noUser: 0, notPurchase: 0, notPositive: 0 };
  const dayKeys = new Map<string, number>();
  const names: string[] = bySession ? table.sessions.slice() : [];
  let m = 0;
  for (let e = 0; e < n; e++) {
    const why = leftOut(table, e, table.user, fromPurchases);
    if (why) {
      skipped[why]++;
      continue;
    }
    let k: number;
    if (bySession && table.session[e] >= 0) k = table.session[e];
    else {
      // No session: the user's day. The name sorts by day, so ties in time stay in day order.
      const day = Number.isFinite(table.time[e]) ? new Date(table.time[e]).toISOString().slice(0, 10) : 'undated';
      const name = `${table.users[table.user[e]]}@${day}`;
      let id = dayKeys.get(name);
      if (id === undefined) {
        id = names.length;
        dayKeys.set(name, id);
        names.push(name);
      }
      k = id;
    }
    u[m] = table.user[e];
    it[m] = table.item[e];
    t[m] = table.time[e];
    key[m] = k;
    m++;
  }
  const baskets = buildBaskets(u, it, t, key, names, m, table.users.length, table.items.length);
  return { baskets, source: { by: 'user', events: fromPurchases ? 'purchases' : 'all', basket: bySession ? 'session' : 'day', kept: m, skipped } };
}

/**
 * Why row e is not a basket item (null: it is one): no customer (`customer[e]` < 0), not a
 * counted event (only purchases when `purchasesOnly`, else anything but a return), or a quantity
 * of 0 or less.
 */
function leftOut(table: EventTable, e: number, customer: Int32Array, purchasesOnly: boolean): keyof BasketSource['skipped'] | null {
  if (customer[e] < 0) return 'noUser';
  const type = table.type[e];
  if (purchasesOnly ? type !== PURCHASE : type === RETURN) return 'notPurchase';
  const q = table.quantity[e];
  if (!Number.isNaN(q) && !(q > 0)) return 'notPositive';
  return null;
}

/** A log of anonymous sessions: a session column and not one user id. */
function sessionsAreCustomers(table: EventTable): boolean {
  if (!table.hasSession || table.users.length > 0) return false;
  for (let e = 0; e < table.length; e++) if (table.user[e] >= 0) return false;
  return true;
}

/**
 * Baskets of a log of anonymous sessions (OTTO, YooChoose, most of Diginetica): each session is
 * a customer and each moment of it (its events at one time) a basket, so "bought before" means
 * looked at earlier in the session and the held-out last basket is what the visitor did next:
 * the usual next-item task of session-based recommenders. Every event but returns counts, a
 * purchase no more than a view: a session's purchases alone are too few to learn from.
 */
function sessionSteps(table: EventTable): { baskets: Baskets; source: BasketSource } {
  const n = table.length;
  const S = table.sessions.length;
  const skipped = { noUser: 0, notPurchase: 0, notPositive: 0 };
  const keep = new Uint8Array(n);
  const sPtr = new Int32Array(S + 1);
  for (let e = 0; e < n; e++) {
    const why = leftOut(table, e, table.session, false);
    if (why) {
      skipped[why]++;
      continue;
    }
    keep[e] = 1;
    sPtr[table.session[e] + 1]++;
  }
  for (let s = 0; s < S; s++) sPtr[s + 1] += sPtr[s];
  const m = sPtr[S];
  // Rows grouped by session (in table order within each).
  const rows = new Int32Array(m);
  const fill = sPtr.slice(0, S);
  for (let e = 0; e < n; e++) if (keep[e]) rows[fill[table.session[e]]++] = e;
  let longest = 0;
  for (let s = 0; s < S; s++) longest = Math.max(longest, sPtr[s + 1] - sPtr[s]);
  // Built directly, session by session: at most one basket per row, no map of basket keys (a
  // log of millions of events would make one of millions of entries) and no global sort.
  const userPtr = new Int32Array(S + 1);
  const basketUser = new Int32Array(m);
  const basketTime = new Float64Array(m);
  const basketStep = new Int32Array(m);
  const ptr = new Int32Array(m + 1);
  const items = new Int32Array(m);
  const times = new Float64Array(longest);
  const step = new Int32Array(longest);
  const start = new Int32Array(longest + 2);
  const byStep = new Int32Array(longest);
  let B = 0;
  let out = 0;
  let steps = 1;
  for (let s = 0; s < S; s++) {
    const lo = sPtr[s];
    const len = sPtr[s + 1] - lo;
    // The session's distinct times, ascending; a row's step is the rank of its time (rows
    // without a time come after all of them, as one step).
    let c = 0;
    for (let q = 0; q < len; q++) {
      const x = table.time[rows[lo + q]];
      if (!Number.isNaN(x)) times[c++] = x;
    }
    const sorted = times.subarray(0, c).sort();
    let d = 0;
    for (let q = 0; q < c; q++) if (q === 0 || sorted[q] !== sorted[d - 1]) sorted[d++] = sorted[q];
    const used = c < len ? d + 1 : d;
    steps = Math.max(steps, used);
    start.fill(0, 0, used + 1);
    for (let q = 0; q < len; q++) {
      const x = table.time[rows[lo + q]];
      const k = Number.isNaN(x) ? d : lowerBound(sorted, d, x);
      step[q] = k;
      start[k + 1]++;
    }
    for (let k = 0; k < used; k++) start[k + 1] += start[k];
    for (let q = 0; q < len; q++) byStep[start[step[q]]++] = q;
    // start[k] is now the end of step k's rows in byStep; step k begins where step k - 1 ends.
    let from = 0;
    for (let k = 0; k < used; k++) {
      const b = B++;
      basketUser[b] = s;
      basketTime[b] = k < d ? sorted[k] : Number.NaN;
      basketStep[b] = k;
      const first = out;
      for (let q = from; q < start[k]; q++) items[out++] = table.item[rows[lo + byStep[q]]];
      from = start[k];
      // The step's items distinct and ascending.
      const its = items.subarray(first, out).sort();
      let w = 0;
      for (let q = 0; q < its.length; q++) if (q === 0 || its[q] !== its[w - 1]) its[w++] = its[q];
      out = first + w;
      ptr[b + 1] = out;
    }
    userPtr[s + 1] = B;
  }
  // Step names sort as the steps do.
  const width = String(steps).length;
  const names = Array.from({ length: steps }, (_, k) => String(k).padStart(width, '0'));
  const basketName: string[] = new Array(B);
  for (let b = 0; b < B; b++) basketName[b] = names[basketStep[b]];
  const baskets: Baskets = {
    userCount: S,
    itemCount: table.items.length,
    userPtr,
    basketUser: basketUser.slice(0, B),
    basketTime: basketTime.slice(0, B),
    basketName,
    ptr: ptr.slice(0, B + 1),
    items: items.slice(0, out),
  };
  return { baskets, source: { by: 'session', events: 'all', basket: 'step', kept: m, skipped } };
}

/** The first index in a[0..len) (ascending) whose value is at least x. */
function lowerBound(a: Float64Array, len: number, x: number): number {
  let lo = 0;
  let hi = len;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function buildBaskets(
  u: Int32Array,
  it: Int32Array,
  t: Float64Array,
  key: Int32Array,
  names: string[],
  m: number,
  userCount: number,
  itemCount: number,
): Baskets {
  // (user, basket name) -> basket slot; a basket name shared by two users is two baskets.
  const slotOf = new Map<number, number>();
  const slotUser: number[] = [];
  const slotKey: number[] = [];
  const slotTime: number[] = [];
  const rowSlot = new Int32Array(m);
  for (let r = 0; r < m; r++) {
    const id = u[r] * names.length + key[r];
    let s = slotOf.get(id);
    if (s === undefined) {
      s = slotUser.length;
      slotOf.set(id, s);
      slotUser.push(u[r]);
      slotKey.push(key[r]);
      slotTime.push(t[r]);
    } else if (t[r] < slotTime[s] || (Number.isNaN(slotTime[s]) && !Number.isNaN(t[r]))) slotTime[s] = t[r];
    rowSlot[r] = s;
  }
  const B = slotUser.length;
  const order = Array.from({ length: B }, (_, i) => i);
  const timeKey = (s: number): number => (Number.isNaN(slotTime[s]) ? Infinity : slotTime[s]);
  order.sort((a, b) => {
    if (slotUser[a] !== slotUser[b]) return slotUser[a] - slotUser[b];
    const ta = timeKey(a);
    const tb = timeKey(b);
    if (ta !== tb) return ta < tb ? -1 : 1;
    const na = names[slotKey[a]];
    const nb = names[slotKey[b]];
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
  const rank = new Int32Array(B);
  for (let i = 0; i < B; i++) rank[order[i]] = i;
  // Rows by basket, then items de-duplicated and sorted per basket.
  const count = new Int32Array(B + 1);
  for (let r = 0; r < m; r++) count[rank[rowSlot[r]] + 1]++;
  for (let b = 0; b < B; b++) count[b + 1] += count[b];
  const fill = count.slice(0, B);
  const raw = new Int32Array(m);
  for (let r = 0; r < m; r++) raw[fill[rank[rowSlot[r]]]++] = it[r];
  const ptr = new Int32Array(B + 1);
  const items = new Int32Array(m);
  let out = 0;
  for (let b = 0; b < B; b++) {
    const part = raw.subarray(count[b], count[b + 1]).sort();
    for (let k = 0; k < part.length; k++) if (k === 0 || part[k] !== part[k - 1]) items[out++] = part[k];
    ptr[b + 1] = out;
  }
  const basketUser = new Int32Array(B);
  const basketTime = new Float64Array(B);
  const basketName: string[] = new Array(B);
  const userPtr = new Int32Array(userCount + 1);
  for (let b = 0; b < B; b++) {
    const s = order[b];
    basketUser[b] = slotUser[s];
    basketTime[b] = slotTime[s];
    basketName[b] = names[slotKey[s]];
    userPtr[slotUser[s] + 1]++;
  }
  for (let x = 0; x < userCount; x++) userPtr[x + 1] += userPtr[x];
  return { userCount, itemCount, userPtr, basketUser, basketTime, basketName, ptr, items: items.slice(0, out) };
}

/** The baskets of the given basket indices only (ascending, as a mask), same users and items. */
export function selectBaskets(b: Baskets, keep: Uint8Array): Baskets {
  const B = b.basketUser.length;
  let nb = 0;
  let ni = 0;
  for (let x = 0; x < B; x++) {
    if (!keep[x]) continue;
    nb++;
    ni += b.ptr[x + 1] - b.ptr[x];
  }
  const basketUser = new Int32Array(nb);
  const basketTime = new Float64Array(nb);
  const basketName: string[] = new Array(nb);
  const ptr = new Int32Array(nb + 1);
  const items = new Int32Array(ni);
  const userPtr = new Int32Array(b.userCount + 1);
  let o = 0;
  let oi = 0;
  for (let x = 0; x < B; x++) {
    if (!keep[x]) continue;
    basketUser[o] = b.basketUser[x];
    basketTime[o] = b.basketTime[x];
    basketName[o] = b.basketName[x];
    items.set(b.items.subarray(b.ptr[x], b.ptr[x + 1]), oi);
    oi += b.ptr[x + 1] - b.ptr[x];
    ptr[++o] = oi;
    userPtr[b.basketUser[x] + 1]++;
  }
  for (let x = 0; x < b.userCount; x++) userPtr[x + 1] += userPtr[x];
  return { userCount: b.userCount, itemCount: b.itemCount, userPtr, basketUser, basketTime, basketName, ptr, items };
}

/** Per user: its distinct items over all its baskets (CSR, ascending). */
export function userItems(b: Baskets): { ptr: Int32Array; items: Int32Array } {
  const ptr = new Int32Array(b.userCount + 1);
  // At most every basket item; each user's distinct ones sorted in place (a numeric typed sort).
  const all = new Int32Array(b.items.length);
  const stamp = new Int32Array(b.itemCount).fill(-1);
  let o = 0;
  for (let u = 0; u < b.userCount; u++) {
    const start = o;
    for (let x = b.userPtr[u]; x < b.userPtr[u + 1]; x++) {
      for (let k = b.ptr[x]; k < b.ptr[x + 1]; k++) {
        const i = b.items[k];
        if (stamp[i] === u) continue;
        stamp[i] = u;
        all[o++] = i;
      }
    }
    all.subarray(start, o).sort();
    ptr[u + 1] = o;
  }
  return { ptr, items: all.slice(0, o) };
}
