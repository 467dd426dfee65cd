// The per-user recommendations scored under the protocol (protocol.ts): the last basket of each
// user with two or more is held out, the recommender (settings chosen on its own validation split
// of the remaining baskets) is fitted on the rest, and its `new` lists are scored under the main
// protocol and its `again` lists under the repeat protocol, next to popularity and the customer's
// own most-bought items (the baselines of the recommendations issue).

import type { EventTable } from '../ingest/table';
import { fitPerUser, PerUserLists, type PerUserOptions, type PerUserRecommender } from '../recommend/perUser';
import { looksFor } from '../recommend/perUser/forSequences';
import { lookedBefore, lookedFirst } from '../recommend/perUser/viewed';
import { basketsFromTable, type Baskets, type BasketSource } from './baskets';
import { heldOutTimes, idOrder, protocolSplit, PROTOCOL_K, scoreDense, scoreLists, trainPopularity, type ProtocolScore } from './protocol';

export interface RecommendationEval {
  protocol: string;
  /** Users scored under the main protocol (a held-out basket with an item new to them). */
  users: number;
  /** Users scored under the repeat protocol (a held-out basket). */
  repeatUsers: number;
  recall20: { popularity: number; recommended: number };
  ndcg20: { popularity: number; recommended: number };
  again: { recall20: number; ndcg20: number; ownMostBought: { recall20: number; ndcg20: number } };
  /** The settings the recommender chose on its validation split, and their validation scores. */
  chosen: PerUserRecommender['params'];
  validation: PerUserRecommender['validation'];
  source: BasketSource;
  seconds: number;
}

export const PROTOCOL_TEXT =
  "per user, the last basket (by time, then basket id) of users with two or more is held out; main: items not bought before ranked, targets = the basket's new items; repeat: nothing excluded, targets = all its items; top 20, ties by item id";

/** Own most-bought (baskets holding the item) first, ties by item id; nothing else. */
function ownMostBought(b: Baskets): (u: number, out: Float64Array) => void {
  return (u, out) => {
    // NaN never ranks, so nothing follows the customer's own items (no fill in id order).
    out.fill(NaN);
    for (let x = b.userPtr[u]; x < b.userPtr[u + 1]; x++) for (let k = b.ptr[x]; k < b.ptr[x + 1]; k++) out[b.items[k]] = (out[b.items[k]] || 0) + 1;
  };
}

export function evaluateBaskets(baskets: Baskets, itemIds: readonly string[], source: BasketSource, opts: PerUserOptions = {}): RecommendationEval {
  const t0 = performance.now();
  const split = protocolSplit(baskets);
  const order = idOrder(itemIds);
  const pop = trainPopularity(split);
  const popular = scoreDense(split, (_u, out) => out.set(pop), order, 'new');
  const rec = fitPerUser(split.train, order, opts);
  const lists = new PerUserLists(rec, PROTOCOL_K);
  // With a look history, what the test customer looked at before the held-out basket leads, as
  // many as the settings chose (the exports' lists; perUser/viewed.ts).
  const lead = opts.looks ? (rec.params.newItems.lookedFirst ?? 0) : 0;
  const cut = heldOutTimes(baskets, split);
  const m = rec.newModel;
  const newList = (u: number): Int32Array => {
    const list = lists.newFor(u).items;
    if (!opts.looks || lead === 0) return list;
    const own = split.trainItems.subarray(split.trainPtr[u], split.trainPtr[u + 1]);
    return lookedFirst(
      lookedBefore(opts.looks, u, cut[u], (i) => own.includes(i), m.exclude, m.idRank, lead),
      list,
      PROTOCOL_K,
    );
  };
  const recommended = scoreLists(split, newList, 'new');
  const again = scoreLists(split, (u) => lists.againFor(u).items, 'repeat');
  const own = scoreDense(split, ownMostBought(split.train), order, 'repeat');
  const r = (x: ProtocolScore): { recall20: number; ndcg20: number } => ({ recall20: x.recall, ndcg20: x.ndcg });
  return {
    protocol: PROTOCOL_TEXT,
    users: recommended.users,
    repeatUsers: again.users,
    recall20: { popularity: popular.recall, recommended: recommended.recall },
    ndcg20: { popularity: popular.ndcg, recommended: recommended.ndcg },
    again: { ...r(again), ownMostBought: r(own) },
    chosen: rec.params,
    validation: rec.validation,
    source,
    seconds: (performance.now() - t0) / 1000,
  };
}

export function evaluateRecommendations(table: EventTable, opts: PerUserOptions = {}): RecommendationEval {
  const { baskets, source } = basketsFromTable(table);
  return evaluateBaskets(baskets, table.items, source, { ...opts, looks: looksFor(table, source) });
}
