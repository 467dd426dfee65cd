// Per-user lists for the analysis's sequences (what the export, the CLI and the user drawer show):
// the recommender is fitted on every purchase basket of the log, and each sequence gets the lists
// of its user (sequences by session: the session's user). A log of anonymous sessions (no user id
// at all) has each session as the customer, its moments as baskets (eval/baskets.ts, sessionSteps).

import { basketsFromTable, type Baskets, type BasketSource } from '../../eval/baskets';
import { idOrder } from '../../eval/protocol';
import type { EventTable } from '../../ingest/table';
import type { Sequences } from '../../sequences';
import type { HelperThreads } from '../../threads';
import { fitPerUser, PerUserLists, type PerUserOptions, type PerUserRecommender } from './fit';
import { allLists, fitPerUserOnThreads, LIST_THREADS_MIN_USERS, type AllLists } from './listThreads';
import { lookedBefore, lookHistory, type LookHistory } from './viewed';

export interface ListsOfUser {
  new: { items: Int32Array; scores: Float64Array; reasons: string[] };
  again: { items: Int32Array; scores: Float64Array; reasons: string[] };
}

export interface SequenceRecommender {
  recommender: PerUserRecommender;
  source: BasketSource;
  top: number;
  /** The lists of sequence s's user (empty lists when it has none). */
  listsFor(s: number): ListsOfUser;
  /**
   * Users with purchase baskets but no sequence (by user: those the sequence filters left out,
   * e.g. a single event): customers too, so the export lists them after the sequences.
   */
  extraUsers: Int32Array;
  /** The lists of user u (a table user index), without the per-sequence filter of other events. */
  listsForUser(u: number): ListsOfUser;
  /** The customer of event e as listsForUser counts them: its user, or its session in a log of anonymous sessions. */
  customerOf(e: number): number;
}

/** Extra items ranked per new list, to replace those the user has non-purchase events on. */
const SPARE = 20;

const EMPTY = (): ListsOfUser => ({
  new: { items: new Int32Array(0), scores: new Float64Array(0), reasons: [] },
  again: { items: new Int32Array(0), scores: new Float64Array(0), reasons: [] },
});

/** One list of a user, as PerUserLists gives it. */
type List = ListsOfUser['new'];

/** Where a user's two lists (of top + SPARE items) come from: ranked on demand, or all made beforehand. */
interface ListSource {
  newFor(u: number): List;
  againFor(u: number): List;
}

export function recommendForSequences(table: EventTable, sequences: Sequences, top: number, opts: PerUserOptions = {}): SequenceRecommender {
  checkTop(top);
  const { baskets, source } = basketsFromTable(table);
  const looks = looksFor(table, source);
  const recommender = fitPerUser(baskets, idOrder(table.items), { ...opts, looks });
  // Lists a little longer than asked, so that items the user has other events on (viewed,
  // returned: not purchases, so the model does not count them as owned) can be dropped from `new`.
  return sequenceRecommender(table, sequences, top, baskets, source, recommender, new PerUserLists(recommender, top + SPARE), looks);
}

/**
 * recommendForSequences with helper threads: the models fitted on a helper while this thread
 * chooses the settings, then every user's lists made at once across the helpers
 * (listThreads.ts). The same lists as recommendForSequences, which a log with fewer than
 * `minUsers` customers (or no threads) gets.
 */
export async function recommendForSequencesOnThreads(
  table: EventTable,
  sequences: Sequences,
  top: number,
  opts: PerUserOptions,
  threads: HelperThreads | null,
  o: { minUsers?: number; chunk?: number } = {},
): Promise<SequenceRecommender> {
  checkTop(top);
  const { baskets, source } = basketsFromTable(table);
  const minUsers = o.minUsers ?? LIST_THREADS_MIN_USERS;
  if (!threads || baskets.userCount < minUsers) return recommendForSequences(table, sequences, top, opts);
  const looks = looksFor(table, source);
  const { rec } = await fitPerUserOnThreads(baskets, idOrder(table.items), { ...opts, looks }, threads, { minUsers });
  const users: number[] = [];
  for (let u = 0; u < baskets.userCount; u++) if (baskets.userPtr[u + 1] > baskets.userPtr[u]) users.push(u);
  const { lists } = await allLists(rec, Int32Array.from(users), top + SPARE, threads, { minUsers, chunk: o.chunk });
  // Users without baskets are ranked on demand (popular items only), as the one-thread lists would be.
  return sequenceRecommender(table, sequences, top, baskets, source, rec, madeLists(lists, baskets.userCount, new PerUserLists(rec, top + SPARE)), looks);
}

/**
 * What customers looked at without buying, for lists learnt from purchases (viewed.ts); null when
 * the baskets hold every event already (no purchases, or anonymous sessions).
 */
export function looksFor(table: EventTable, source: BasketSource): LookHistory | null {
  return source.by === 'user' && source.events === 'purchases' ? lookHistory(table) : null;
}

function checkTop(top: number): void {
  if (!Number.isInteger(top) || top < 1) throw new RangeError(`The list length must be a whole number of at least 1, not ${top}.`);
}

/** The lists in `all` by user; users not in it from `fallback`. */
function madeLists(all: AllLists, userCount: number, fallback: PerUserLists): ListSource {
  const row = new Int32Array(userCount).fill(-1);
  for (let q = 0; q < all.users.length; q++) row[all.users[q]] = q;
  const cut = (ptr: Int32Array, items: Int32Array, scores: Float64Array, reasons: string[], q: number): List => ({
    items: items.slice(ptr[q], ptr[q + 1]),
    scores: scores.slice(ptr[q], ptr[q + 1]),
    reasons: reasons.slice(ptr[q], ptr[q + 1]),
  });
  return {
    newFor(u) {
      const q = row[u];
      return q < 0 ? fallback.newFor(u) : cut(all.newPtr, all.newItems, all.newScores, all.newReasons, q);
    },
    againFor(u) {
      const q = row[u];
      return q < 0 ? fallback.againFor(u) : cut(all.againPtr, all.againItems, all.againScores, all.againReasons, q);
    },
  };
}

function sequenceRecommender(
  table: EventTable,
  sequences: Sequences,
  top: number,
  baskets: Baskets,
  source: BasketSource,
  recommender: PerUserRecommender,
  lists: ListSource,
  looks: LookHistory | null,
): SequenceRecommender {
  const seen = new Int32Array(table.items.length).fill(-1);
  const lead = Math.min(top, recommender.params.newItems.lookedFirst ?? 0);
  const m = recommender.newModel;
  /**
   * User u's new list of `top`: what they looked at and have not bought first, when validation
   * chose so (their score the list's best, so scores never rise down the list), then the model's
   * list without the items `skip` drops.
   */
  const withLooks = (u: number, n: List, skip: (i: number) => boolean): List => {
    const own = m.uItems.subarray(m.uPtr[u], m.uPtr[u + 1]);
    const looked = looks && lead > 0 ? lookedBefore(looks, u, Infinity, (i) => own.includes(i), m.exclude, m.idRank, lead) : new Int32Array(0);
    const best = n.scores.length > 0 ? n.scores[0] : 0;
    const items: number[] = Array.from(looked);
    const scores: number[] = items.map(() => best);
    const reasons: string[] = items.map(() => 'looked at, not bought');
    const led = new Set(items);
    for (let r = 0; r < n.items.length && items.length < top; r++) {
      if (skip(n.items[r]) || led.has(n.items[r])) continue;
      items.push(n.items[r]);
      scores.push(n.scores[r]);
      reasons.push(n.reasons[r]);
    }
    return { items: Int32Array.from(items), scores: Float64Array.from(scores), reasons };
  };
  // A sequence's customer: its user, or its session's user; for a log of anonymous sessions
  // (source.by 'session') the session itself.
  const customer = source.by === 'session' ? table.session : table.user;
  const userOf = (s: number): number => {
    if (sequences.by === 'user' && source.by === 'user') return sequences.key[s];
    const lo = sequences.offsets[s];
    return sequences.offsets[s + 1] > lo ? customer[sequences.events[lo]] : -1;
  };
  const covered = new Uint8Array(baskets.userCount);
  for (let s = 0; s < sequences.count; s++) {
    const u = userOf(s);
    if (u >= 0 && u < baskets.userCount) covered[u] = 1;
  }
  const extra: number[] = [];
  if (sequences.by === 'user' && source.by === 'user')
    for (let u = 0; u < baskets.userCount; u++) if (!covered[u] && baskets.userPtr[u + 1] > baskets.userPtr[u]) extra.push(u);
  // Lists built on every event (views too: no purchases in the log, or anonymous sessions) say
  // "seen", not "bought", in the again list's reasons.
  const word = source.events === 'all' ? (r: string): string => r.replace(/^bought /, 'seen ') : (r: string): string => r;
  const cutTo = (l: ListsOfUser['new']): ListsOfUser['new'] => {
    const cut = Math.min(top, l.items.length);
    return { items: l.items.slice(0, cut), scores: l.scores.slice(0, cut), reasons: l.reasons.slice(0, cut).map(word) };
  };
  return {
    recommender,
    source,
    top,
    extraUsers: Int32Array.from(extra),
    customerOf: (e) => customer[e],
    listsForUser(u) {
      if (u < 0 || u >= baskets.userCount) return EMPTY();
      return { new: withLooks(u, lists.newFor(u), () => false), again: cutTo(lists.againFor(u)) };
    },
    listsFor(s) {
      const u = userOf(s);
      if (u < 0 || u >= baskets.userCount) return EMPTY();
      for (let k = sequences.offsets[s]; k < sequences.offsets[s + 1]; k++) seen[table.item[sequences.events[k]]] = s;
      return { new: withLooks(u, lists.newFor(u), (i) => seen[i] === s), again: cutTo(lists.againFor(u)) };
    },
  };
}
