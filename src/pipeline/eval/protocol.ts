// The recommendation protocol of issue #14, exactly:
// - each user with >= 2 baskets: the last basket by (time, name) is held out, the earlier ones are
//   training; users with one basket are training only; training is binary (user, item);
// - main protocol: candidates = every item of the filtered log minus the user's training items;
//   targets = the held-out basket's distinct items not in training; users without a target are
//   skipped; top 20, equal scores by item id (string order); Recall@20 = hits / targets, NDCG@20
//   with binary gains and ideal DCG over min(targets, 20); averaged over users;
// - repeat protocol: nothing excluded, targets = every distinct item of the held-out basket.
// It scores dense scorers, ranked lists and a recommendations.csv read back from disk alike.

import { CsvReader } from '../ingest/csv';
import { selectBaskets, userItems, type Baskets } from './baskets';
import { ndcgAtK, recallAtK } from './metrics';

export const PROTOCOL_K = 20;

export interface ProtocolSplit {
  /** The training baskets (held-out ones removed); same user and item numbering. */
  train: Baskets;
  /** Per basket of the input: 1 when it is held out. */
  heldOut: Uint8Array;
  /** Items in any basket of the input (held-out ones included): the candidates. */
  candidate: Uint8Array;
  /** Per user: its distinct training items (CSR, ascending). */
  trainPtr: Int32Array;
  trainItems: Int32Array;
  /** Main protocol: tested users and their targets (new held-out items, ascending). */
  users: Int32Array;
  targetPtr: Int32Array;
  targets: Int32Array;
  /** Repeat protocol: tested users (every user with a held-out basket) and all its items. */
  repeatUsers: Int32Array;
  repeatPtr: Int32Array;
  repeatTargets: Int32Array;
}

/** Per user of `b`, the time of its basket that `split` (made from `b`) holds out; NaN for users with none. */
export function heldOutTimes(b: Baskets, split: ProtocolSplit): Float64Array {
  const cut = new Float64Array(b.userCount).fill(Number.NaN);
  for (let x = 0; x < split.heldOut.length; x++) if (split.heldOut[x]) cut[b.basketUser[x]] = b.basketTime[x];
  return cut;
}

export function protocolSplit(b: Baskets): ProtocolSplit {
  const B = b.basketUser.length;
  const heldOut = new Uint8Array(B);
  const candidate = new Uint8Array(b.itemCount);
  for (let k = 0; k < b.items.length; k++) candidate[b.items[k]] = 1;
  for (let u = 0; u < b.userCount; u++) {
    if (b.userPtr[u + 1] - b.userPtr[u] >= 2) heldOut[b.userPtr[u + 1] - 1] = 1;
  }
  const keep = new Uint8Array(B);
  for (let x = 0; x < B; x++) keep[x] = heldOut[x] ^ 1;
  const train = selectBaskets(b, keep);
  const own = userItems(train);
  const mark = new Int32Array(b.itemCount).fill(-1);
  const users: number[] = [];
  const targetPtr: number[] = [0];
  const targets: number[] = [];
  const repeatUsers: number[] = [];
  const repeatPtr: number[] = [0];
  const repeatTargets: number[] = [];
  for (let u = 0; u < b.userCount; u++) {
    if (b.userPtr[u + 1] - b.userPtr[u] < 2) continue;
    const last = b.userPtr[u + 1] - 1;
    for (let k = own.ptr[u]; k < own.ptr[u + 1]; k++) mark[own.items[k]] = u;
    repeatUsers.push(u);
    const start = targets.length;
    for (let k = b.ptr[last]; k < b.ptr[last + 1]; k++) {
      const i = b.items[k];
      repeatTargets.push(i);
      if (mark[i] !== u) targets.push(i);
    }
    repeatPtr.push(repeatTargets.length);
    if (targets.length > start) {
      users.push(u);
      targetPtr.push(targets.length);
    }
  }
  return {
    train,
    heldOut,
    candidate,
    trainPtr: own.ptr,
    trainItems: own.items,
    users: Int32Array.from(users),
    targetPtr: Int32Array.from(targetPtr),
    targets: Int32Array.from(targets),
    repeatUsers: Int32Array.from(repeatUsers),
    repeatPtr: Int32Array.from(repeatPtr),
    repeatTargets: Int32Array.from(repeatTargets),
  };
}

/** Items in id (string) order: equal scores rank in this order. */
export function idOrder(itemIds: readonly string[]): Int32Array {
  const order = Array.from({ length: itemIds.length }, (_, i) => i);
  order.sort((a, b) => (itemIds[a] < itemIds[b] ? -1 : itemIds[a] > itemIds[b] ? 1 : a - b));
  return Int32Array.from(order);
}

/**
 * The k best allowed items by score, equal scores in `order` (NaN never ranks). Walks the items in
 * id order and lets only a strictly higher score pass an earlier item, so ties keep id order.
 */
export function topKInOrder(scores: ArrayLike<number>, order: Int32Array, allowed: (i: number) => boolean, k: number, out: Int32Array): number {
  const best = new Float64Array(k);
  let size = 0;
  for (let r = 0; r < order.length; r++) {
    const i = order[r];
    const s = scores[i];
    if (Number.isNaN(s) || (size === k && !(s > best[k - 1])) || !allowed(i)) continue;
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

export interface ProtocolScore {
  users: number;
  recall: number;
  ndcg: number;
}

/** A user's ranked list, best first (item indices); it may hold items the protocol excludes. */
export type ListOf = (user: number) => ArrayLike<number> | undefined;

/**
 * Scores ranked lists: under 'new' the user's training items and non-candidates are dropped from
 * its list before the cut at k (the protocol never ranks them); under 'repeat' nothing is dropped.
 * A user with no list scores 0.
 */
export function scoreLists(split: ProtocolSplit, listOf: ListOf, mode: 'new' | 'repeat', k = PROTOCOL_K): ProtocolScore {
  const users = mode === 'new' ? split.users : split.repeatUsers;
  const ptr = mode === 'new' ? split.targetPtr : split.repeatPtr;
  const tg = mode === 'new' ? split.targets : split.repeatTargets;
  const owned = new Int32Array(split.candidate.length).fill(-1);
  const ranked = new Int32Array(k);
  let recall = 0;
  let ndcg = 0;
  for (let t = 0; t < users.length; t++) {
    const u = users[t];
    const list = listOf(u);
    if (!list) continue;
    if (mode === 'new') for (let x = split.trainPtr[u]; x < split.trainPtr[u + 1]; x++) owned[split.trainItems[x]] = u;
    let n = 0;
    for (let r = 0; r < list.length && n < k; r++) {
      const i = list[r];
      if (!(i >= 0 && i < owned.length)) continue;
      if (mode === 'new' && (owned[i] === u || !split.candidate[i])) continue;
      let dup = false;
      for (let q = 0; q < n && !dup; q++) dup = ranked[q] === i;
      if (!dup) ranked[n++] = i;
    }
    const rel = tg.subarray(ptr[t], ptr[t + 1]);
    recall += recallAtK(ranked.subarray(0, n), rel, k);
    ndcg += ndcgAtK(ranked.subarray(0, n), rel, k);
  }
  const m = users.length;
  return { users: m, recall: m ? recall / m : 0, ndcg: m ? ndcg / m : 0 };
}

/** Scores of every item for a user (dense, table.items.length), written into `out`. */
export type DenseScorer = (user: number, out: Float64Array) => void;

/** Ranks each tested user's candidates by a dense scorer (ties by id order) and scores the lists. */
export function scoreDense(split: ProtocolSplit, scorer: DenseScorer, order: Int32Array, mode: 'new' | 'repeat', k = PROTOCOL_K): ProtocolScore {
  const n = split.candidate.length;
  const scores = new Float64Array(n);
  const owned = new Int32Array(n).fill(-1);
  const out = new Int32Array(k);
  return scoreLists(
    split,
    (u) => {
      scorer(u, scores);
      for (let x = split.trainPtr[u]; x < split.trainPtr[u + 1]; x++) owned[split.trainItems[x]] = u;
      const allowed = mode === 'new' ? (i: number): boolean => split.candidate[i] === 1 && owned[i] !== u : (i: number): boolean => split.candidate[i] === 1;
      const got = topKInOrder(scores, order, allowed, k, out);
      return out.slice(0, got);
    },
    mode,
    k,
  );
}

/** Per user (training): distinct training users of each item; the popularity baseline. */
export function trainPopularity(split: ProtocolSplit): Float64Array {
  const pop = new Float64Array(split.candidate.length);
  for (let k = 0; k < split.trainItems.length; k++) pop[split.trainItems[k]]++;
  return pop;
}

export interface CsvLists {
  /** Per user index: the list's items in rank order (ids not in the log are -1). */
  lists: Map<number, number[]>;
  rows: number;
  /** Rows skipped: unknown user, bad rank, other list, or malformed; each counted. */
  skipped: { unknownUser: number; badRank: number; malformed: number };
}

/** CSV cells the export neutralised against formulas start with ' before = + - @; undo that. */
function unquoteFormula(s: string): string {
  return s.length > 1 && s[0] === "'" && '=+-@'.includes(s[1]) ? s.slice(1) : s;
}

/**
 * Reads a recommendations.csv (columns user_id, list, rank, item_id at least; without a `list`
 * column every row counts as list 'new') into per-user ranked lists for one list name.
 */
export function readRecommendationsCsv(text: string, userIds: readonly string[], itemIds: readonly string[], list: 'new' | 'again'): CsvLists {
  const userIndex = new Map<string, number>();
  userIds.forEach((id, i) => userIndex.set(id, i));
  const itemIndex = new Map<string, number>();
  itemIds.forEach((id, i) => itemIndex.set(id, i));
  const rowsByUser = new Map<number, [number, number][]>();
  const skipped = { unknownUser: 0, badRank: 0, malformed: 0 };
  let header: string[] | null = null;
  let col = { user: -1, list: -1, rank: -1, item: -1 };
  let rows = 0;
  const reader = new CsvReader(',', 1 << 24);
  const emit = (r: { fields(): string[] }): void => {
    const f = r.fields();
    if (header === null) {
      header = f.map((h) => h.trim());
      col = { user: header.indexOf('user_id'), list: header.indexOf('list'), rank: header.indexOf('rank'), item: header.indexOf('item_id') };
      if (col.user < 0 || col.rank < 0 || col.item < 0) throw new RangeError('recommendations CSV needs user_id, rank and item_id columns');
      return;
    }
    rows++;
    if (f.length < header.length) {
      skipped.malformed++;
      return;
    }
    if (col.list >= 0 && f[col.list] !== list) return;
    const u = userIndex.get(unquoteFormula(f[col.user]));
    if (u === undefined) {
      skipped.unknownUser++;
      return;
    }
    const rank = Number(f[col.rank]);
    if (!Number.isInteger(rank) || rank < 1) {
      skipped.badRank++;
      return;
    }
    const item = itemIndex.get(unquoteFormula(f[col.item])) ?? -1;
    let l = rowsByUser.get(u);
    if (!l) {
      l = [];
      rowsByUser.set(u, l);
    }
    l.push([rank, item]);
  };
  const reject = (): void => {
    skipped.malformed++;
  };
  reader.feed(text, emit, reject, true);
  reader.finish(emit, reject);
  const lists = new Map<number, number[]>();
  for (const [u, l] of rowsByUser)
    lists.set(
      u,
      l.sort((a, b) => a[0] - b[0]).map((p) => p[1]),
    );
  return { lists, rows, skipped };
}
