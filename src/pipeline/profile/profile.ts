// Cluster profiles: for each cluster of K (and for everybody), the funnel, the money, what its users
// touched most and how much more than elsewhere, its distinctive title words and a short label.
//
// One pass over the users' digests (distinct items, categories, brands, orders; see digest.ts),
// cluster by cluster (users sorted by cluster with a counting sort), with per-item/category/brand
// counters in typed arrays that are reset only where the cluster touched them; so a call costs
// O(distinct user-item pairs) whatever K is, and no object is made per event.

import type { EventTable } from '../ingest/table';
import { leftSequences, SHORT, type Sequences } from '../sequences';
import { clusterLabels, TOO_LITTLE_HISTORY_LABEL } from './label';
import { clusterTraits, traitValues } from './traits';
import { BOUGHT, CARTED, RETURNED, userDigest, VIEWED } from './digest';
import { lengthStats, topByCount } from './rank';
import { ClassTermCounter } from './terms';
import { itemTerms } from './tokenize';
import type { ClusterProfile, ClusterProfiles, Funnel, GroupStats, RankedItem, RankedName } from './types';

export class ProfileInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProfileInputError';
  }
}

export interface ProfileOptions {
  /** Entries of each top list (categories, brands, items); default 10. */
  top?: number;
  /** Distinctive terms per cluster; default 8. */
  terms?: number;
  /**
   * Items to leave out (per item of table.items, 1 = out): service lines such as postage and fees
   * (see pipeline/catalog). Their events make no funnel step, revenue, order, top item, category,
   * brand or term; sequence lengths and event counts still include them (they are the sequences').
   */
  exclude?: Uint8Array | null;
}

/** Sums of one group, filled during the pass. */
interface Acc {
  size: number;
  events: number;
  viewers: number;
  carters: number;
  buyers: number;
  returners: number;
  viewedAndCarted: number;
  cartedAndBought: number;
  viewedAndBought: number;
  revenue: number;
  orders: number;
}

const newAcc = (): Acc => ({
  size: 0,
  events: 0,
  viewers: 0,
  carters: 0,
  buyers: 0,
  returners: 0,
  viewedAndCarted: 0,
  cartedAndBought: 0,
  viewedAndBought: 0,
  revenue: 0,
  orders: 0,
});

/** Top entries of one list for one group, before lifts are known. */
interface Top {
  idx: Int32Array;
  users: Int32Array;
}

function checkCount(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 0) throw new ProfileInputError(`${name} must be a whole number of at least 0 (got ${v}).`);
  return v;
}

function checkLabels(sequences: Sequences, labels: Int32Array, k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new ProfileInputError(`The number of clusters must be a whole number of at least 1 (got ${k}).`);
  if (!(labels instanceof Int32Array)) throw new ProfileInputError('Cluster labels must be an Int32Array.');
  if (labels.length !== sequences.count) {
    throw new ProfileInputError(`There are ${labels.length} cluster labels for ${sequences.count} sequences; they must be one per sequence.`);
  }
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (c < 0 || c >= k) throw new ProfileInputError(`Sequence ${i} has cluster label ${c}, outside 0..${k - 1} for K = ${k}.`);
  }
}

export function profileClusters(table: EventTable, sequences: Sequences, labels: Int32Array, k: number, opts: ProfileOptions = {}): ClusterProfiles {
  checkLabels(sequences, labels, k);
  const top = checkCount('top', opts.top, 10);
  const nTerms = checkCount('terms', opts.terms, 8);
  const exclude = opts.exclude ?? null;
  if (exclude !== null && (!(exclude instanceof Uint8Array) || exclude.length !== table.items.length)) {
    throw new ProfileInputError(`The items to leave out must be a Uint8Array with one entry per item (${table.items.length}).`);
  }
  const n = sequences.count;
  const { offsets } = sequences;
  const d = userDigest(table, sequences, exclude);

  // Users in cluster order (stable: by sequence index within a cluster).
  const clusterStart = new Int32Array(k + 1);
  for (let i = 0; i < n; i++) clusterStart[labels[i] + 1]++;
  for (let c = 0; c < k; c++) clusterStart[c + 1] += clusterStart[c];
  const order = new Int32Array(n);
  const cursor = clusterStart.slice(0, k);
  for (let i = 0; i < n; i++) order[cursor[labels[i]]++] = i;

  const nItems = table.items.length;
  const nCats = table.categories.length;
  const nBrands = table.brands.length;
  // Distinct users per item/category/brand: in the current cluster, and over everybody.
  const itemUsers = new Int32Array(nItems);
  const itemUsersAll = new Int32Array(nItems);
  const itemEvents = new Int32Array(nItems);
  const touchedItems = new Int32Array(nItems);
  const catUsers = new Int32Array(nCats);
  const catUsersAll = new Int32Array(nCats);
  const touchedCats = new Int32Array(nCats);
  const brandUsers = new Int32Array(nBrands);
  const brandUsersAll = new Int32Array(nBrands);
  const touchedBrands = new Int32Array(nBrands);
  // Orders: a session (invoice) is counted once per cluster and once overall.
  const sessionStamp = new Int32Array(table.sessions.length);
  const sessionSeen = new Uint8Array(table.sessions.length);
  const lengths = new Int32Array(n);

  const terms = itemTerms(table);
  const counter = new ClassTermCounter(terms);
  const hasPrice = table.hasPrice;
  const all = newAcc();
  const accs: Acc[] = [];
  const tops: { items: Top; cats: Top; brands: Top }[] = [];

  for (let c = 0; c < k; c++) {
    const acc = newAcc();
    let nTouchedItems = 0;
    let nTouchedCats = 0;
    let nTouchedBrands = 0;
    for (let pos = clusterStart[c]; pos < clusterStart[c + 1]; pos++) {
      const u = order[pos];
      lengths[pos] = offsets[u + 1] - offsets[u];
      for (let p = d.itemStart[u]; p < d.itemStart[u + 1]; p++) {
        const it = d.items[p];
        if (itemUsers[it]++ === 0) touchedItems[nTouchedItems++] = it;
        itemUsersAll[it]++;
        itemEvents[it] += d.itemEvents[p];
      }
      for (let p = d.catStart[u]; p < d.catStart[u + 1]; p++) {
        const x = d.cats[p];
        if (catUsers[x]++ === 0) touchedCats[nTouchedCats++] = x;
        catUsersAll[x]++;
      }
      for (let p = d.brandStart[u]; p < d.brandStart[u + 1]; p++) {
        const x = d.brands[p];
        if (brandUsers[x]++ === 0) touchedBrands[nTouchedBrands++] = x;
        brandUsersAll[x]++;
      }
      for (let p = d.orderStart[u]; p < d.orderStart[u + 1]; p++) {
        const s = d.orderSessions[p];
        if (s < 0) {
          // Bought without a session id: the sequence itself is the order (once).
          acc.orders++;
          all.orders++;
          continue;
        }
        if (sessionStamp[s] !== c + 1) {
          sessionStamp[s] = c + 1;
          acc.orders++;
        }
        if (sessionSeen[s] === 0) {
          sessionSeen[s] = 1;
          all.orders++;
        }
      }
      const flags = d.flags[u];
      acc.size++;
      acc.events += lengths[pos];
      acc.revenue += d.revenue[u];
      if (flags & VIEWED) acc.viewers++;
      if (flags & CARTED) acc.carters++;
      if (flags & BOUGHT) acc.buyers++;
      if (flags & RETURNED) acc.returners++;
      if ((flags & (VIEWED | CARTED)) === (VIEWED | CARTED)) acc.viewedAndCarted++;
      if ((flags & (CARTED | BOUGHT)) === (CARTED | BOUGHT)) acc.cartedAndBought++;
      if ((flags & (VIEWED | BOUGHT)) === (VIEWED | BOUGHT)) acc.viewedAndBought++;
    }

    tops.push({
      items: takeTop(touchedItems, nTouchedItems, itemUsers, top),
      cats: takeTop(touchedCats, nTouchedCats, catUsers, top),
      brands: takeTop(touchedBrands, nTouchedBrands, brandUsers, top),
    });
    for (let i = 0; i < nTouchedItems; i++) {
      const it = touchedItems[i];
      counter.addItem(it, itemEvents[it]);
      itemUsers[it] = 0;
      itemEvents[it] = 0;
    }
    counter.endClass();
    for (let i = 0; i < nTouchedCats; i++) catUsers[touchedCats[i]] = 0;
    for (let i = 0; i < nTouchedBrands; i++) brandUsers[touchedBrands[i]] = 0;
    accs.push(acc);
    addInto(all, acc);
  }
  // Summed in sequence order, not cluster order, so that the overall figure is the same for every K.
  all.revenue = 0;
  for (let u = 0; u < n; u++) all.revenue += d.revenue[u];

  const allTops = {
    items: takeTop(iota(nItems), nItems, itemUsersAll, top),
    cats: takeTop(iota(nCats), nCats, catUsersAll, top),
    brands: takeTop(iota(nBrands), nBrands, brandUsersAll, top),
  };
  const shared: Shared = { table, users: n, hasPrice, itemUsersAll, catUsersAll, brandUsersAll };
  const overall = groupStats(shared, all, lengths, allTops, true);
  const termLists = counter.scores(nTerms);
  const clusters: ClusterProfile[] = accs.map((acc, c) => ({
    cluster: c,
    label: '',
    terms: termLists[c],
    ...groupStats(shared, acc, lengths.subarray(clusterStart[c], clusterStart[c + 1]), tops[c], false),
  }));
  const traits = clusterTraits(traitValues(table, sequences, d, exclude), order, clusterStart);
  clusters.forEach((g, c) => (g.traits = traits[c]));
  const names = clusterLabels(clusters, overall);
  clusters.forEach((g, c) => (g.label = names[c]));

  let excludedItems = 0;
  if (exclude) for (let i = 0; i < exclude.length; i++) excludedItems += exclude[i];
  return {
    k,
    users: n,
    excludedItems,
    hasPrice,
    hasTitles: terms.source === 'titles',
    hasCategories: nCats > 0,
    hasBrands: nBrands > 0,
    termSource: terms.source,
    overall,
    clusters,
  };
}

/**
 * The customers (or sessions) the minimum length left out, profiled as one group: what they did,
 * their revenue and top items. undefined when there are none.
 */
export function profileTooLittleHistory(
  table: EventTable,
  sequences: Sequences,
  minLength: number,
  opts: ProfileOptions = {},
): ClusterProfiles['tooLittleHistory'] {
  const short = leftSequences(sequences, SHORT);
  if (short.count === 0) return undefined;
  const p = profileClusters(table, short, new Int32Array(short.count), 1, opts);
  const { cluster: _c, label: _l, terms: _t, traits: _tr, ...stats } = p.clusters[0];
  return { ...stats, share: short.count / (short.count + sequences.count), label: TOO_LITTLE_HISTORY_LABEL, minLength };
}

function takeTop(candidates: Int32Array, n: number, counts: Int32Array, top: number): Top {
  const idx = topByCount(candidates, n, counts, top);
  const users = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) users[i] = counts[idx[i]];
  return { idx, users };
}

function iota(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

function addInto(to: Acc, from: Acc): void {
  to.size += from.size;
  to.events += from.events;
  to.viewers += from.viewers;
  to.carters += from.carters;
  to.buyers += from.buyers;
  to.returners += from.returners;
  to.viewedAndCarted += from.viewedAndCarted;
  to.cartedAndBought += from.cartedAndBought;
  to.viewedAndBought += from.viewedAndBought;
  // Orders are not summed: a session shared by two clusters is one order overall (counted in the pass).
}

interface Shared {
  table: EventTable;
  users: number;
  hasPrice: boolean;
  itemUsersAll: Int32Array;
  catUsersAll: Int32Array;
  brandUsersAll: Int32Array;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);

function groupStats(sh: Shared, acc: Acc, lengths: Int32Array, tops: { items: Top; cats: Top; brands: Top }, isOverall: boolean): GroupStats {
  const size = acc.size;
  const funnel: Funnel = {
    viewers: acc.viewers,
    carters: acc.carters,
    buyers: acc.buyers,
    returners: acc.returners,
    viewToCart: ratio(acc.viewedAndCarted, acc.viewers),
    cartToPurchase: ratio(acc.cartedAndBought, acc.carters),
    viewToPurchase: ratio(acc.viewedAndBought, acc.viewers),
  };
  // Lift against everybody: the group's share of users over the share among all users.
  const lift = (users: number, usersAll: number): number => (isOverall ? 1 : users / size / (usersAll / sh.users));
  const names = (top: Top, dict: string[], usersAll: Int32Array): RankedName[] =>
    Array.from(top.idx, (x, i) => ({ name: dict[x], users: top.users[i], share: top.users[i] / size, lift: lift(top.users[i], usersAll[x]) }));
  const t = sh.table;
  const topItems: RankedItem[] = Array.from(tops.items.idx, (x, i) => ({
    item: x,
    id: t.items[x],
    title: t.itemTitle[x] ?? '',
    users: tops.items.users[i],
    share: tops.items.users[i] / size,
    lift: lift(tops.items.users[i], sh.itemUsersAll[x]),
  }));
  const revenue = sh.hasPrice ? acc.revenue : null;
  const orders = sh.hasPrice ? acc.orders : null;
  return {
    size,
    share: sh.users > 0 ? size / sh.users : 0,
    events: acc.events,
    length: lengthStats(lengths),
    funnel,
    revenue,
    orders,
    aov: revenue !== null && orders ? revenue / orders : null,
    revenuePerUser: revenue !== null && size > 0 ? revenue / size : null,
    topCategories: names(tops.cats, t.categories, sh.catUsersAll),
    topBrands: names(tops.brands, t.brands, sh.brandUsersAll),
    topItems,
  };
}
