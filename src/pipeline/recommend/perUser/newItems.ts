// The "new" list: per user, items they have not bought, scored by a weighted blend of signals:
//   knn      ItemKNN, cosine neighbours of the user's items
//   rp3      RP3beta, a popularity-damped two-step walk from the user's items
//   next     items bought in the basket after one holding the user's (recent) items
//   users    UserKNN: what the customers most like this one (cosine over bought items) bought
//   popular  distinct buyers
// Each signal's scores are scaled by their maximum over the user's candidates, so a weight means
// the same for every user and every log; the weights (and how fast older baskets fade from the
// user's profile) are chosen on a validation split of the training data (tune.ts).
// Only items some signal touches, plus the most popular ones, can reach a list: the per-user work
// is the user's items x the neighbour list length, not the catalogue.

import type { Baskets } from '../../eval/baskets';
import { userItems } from '../../eval/baskets';
import { cooccurrenceNeighbours, itemUserIndex, keepLargest, kthLargest, nextBasketNeighbours, type ItemUserIndex, type Neighbours } from './neighbours';

export const SIGNALS = ['knn', 'rp3', 'next', 'users', 'popular'] as const;
const POPULAR = 4;
export type Signal = (typeof SIGNALS)[number];
export type SignalWeights = Record<Signal, number>;

export interface NewItemsParams {
  weights: SignalWeights;
  /** Weight of a basket in the user's profile: decay^(baskets since it), 1 = all baskets alike. */
  decay: number;
  /**
   * How many items the user looked at (views, clicks, carts) and has not bought lead the list,
   * latest first (viewed.ts); absent or 0: none. Chosen on validation when the log has looks.
   */
  lookedFirst?: number;
}

/**
 * Neighbours kept per item (the lists the user's items contribute from). 50, not 100: each user's
 * spread is its items x this x 3 signals, and the shorter rows cost nothing in quality
 * (docs/benchmarks.md, per-user recommendations, speed: UCI Dec-May exported lists Recall@20
 * 0.1346 -> 0.1357; generated logs -0.002 to +0.004) while the 50k x 10k case takes about a
 * sixth less CPU. 30 was better on UCI still (0.1396 from the bench's lists) but lost up to 0.006
 * on the generated logs.
 */
export const NEIGHBOURS = 50;
/** RP3beta's popularity damping exponent (the value its authors found robust across data sets). */
export const RP3_BETA = 0.5;
/**
 * Profile decay of the `next` signal: the next basket follows the user's latest ones, so each
 * older basket counts this much less. Fixed, as a property of the signal, not tuned per log.
 */
export const NEXT_DECAY = 0.3;
/** UserKNN: neighbours per user, and buyers of one item scanned at most when looking for them. */
export const USER_NEIGHBOURS = 50;
export const USER_SCAN = 3000;

export interface NewItemsModel {
  itemCount: number;
  baskets: Baskets;
  /** user -> distinct items (CSR, ascending). */
  uPtr: Int32Array;
  uItems: Int32Array;
  knn: Neighbours;
  rp3: Neighbours;
  next: Neighbours;
  /** user <-> item index of the baskets (UserKNN). */
  index: ItemUserIndex;
  /** Distinct buyers per item, and items by it (most first, ties by id order). */
  popularity: Float64Array;
  popOrder: Int32Array;
  /** Position of each item in id (string) order: equal scores rank by it. */
  idRank: Int32Array;
  /** Items never recommended (service lines), 1 = left out; may be all 0. */
  exclude: Uint8Array;
}

export function fitNewItems(b: Baskets, idOrder: Int32Array, exclude: Uint8Array | undefined, neighbours = NEIGHBOURS): NewItemsModel {
  const n = b.itemCount;
  const own = userItems(b);
  const idx = itemUserIndex(b, own.ptr, own.items);
  const { knn, rp3 } = cooccurrenceNeighbours(idx, n, neighbours, RP3_BETA);
  const deg = (i: number): number => idx.iPtr[i + 1] - idx.iPtr[i];
  const next = nextBasketNeighbours(b, n, deg, neighbours);
  const popularity = new Float64Array(n);
  for (let i = 0; i < n; i++) popularity[i] = deg(i);
  const idRank = new Int32Array(n);
  for (let r = 0; r < idOrder.length; r++) idRank[idOrder[r]] = r;
  const popOrder = Int32Array.from(idOrder).sort((a, c) => popularity[c] - popularity[a] || idRank[a] - idRank[c]);
  return {
    itemCount: n,
    baskets: b,
    uPtr: own.ptr,
    uItems: own.items,
    knn,
    rp3,
    next,
    index: idx,
    popularity,
    popOrder,
    idRank,
    exclude: exclude ?? new Uint8Array(n),
  };
}

/** One user's candidates and each signal's scaled score for them (0..1): what any blend ranks. */
export interface UserSignals {
  items: Int32Array;
  /** values[s * items.length + t]: signal SIGNALS[s] for items[t]. */
  values: Float32Array;
}

/**
 * Accumulated signals per candidate, interleaved and in the order the candidates were found
 * (acc[slot * ACC + s]): one candidate's are one cache line, and the passes over a user's
 * candidates (maxima, blend, snapshot) read memory in order.
 */
const ACC = 4;

/**
 * The knn, rp3 and next rows of each item merged into one row (their union), each entry four
 * 32-bit words: the neighbour, then its knn, rp3 and next weights (0 where the row lacks it).
 * One contiguous read per profile item instead of six arrays, and one candidate look-up per
 * neighbour instead of up to three: the spread of the three item signals reads memory in order.
 * Each (candidate, signal) sum still adds the profile items' terms in profile order, and a zero
 * weight adds +0, so the sums are the same to the last bit as three separate spreads.
 */
export interface FusedRows {
  ptr: Int32Array;
  /** Entry e: words[4e] the item (Int32 view), words[4e + 1..3] the weights (Float32 view). */
  ints: Int32Array;
  floats: Float32Array;
}

const fusedCache = new WeakMap<Neighbours, FusedRows>();

export function fusedRows(m: Pick<NewItemsModel, 'itemCount' | 'knn' | 'rp3' | 'next'>): FusedRows {
  const known = fusedCache.get(m.knn);
  if (known) return known;
  const n = m.itemCount;
  const rows = [m.knn, m.rp3, m.next];
  const ptr = new Int32Array(n + 1);
  const at = new Int32Array(n).fill(-1);
  const seen: number[] = [];
  // First the union sizes, then the entries.
  for (let i = 0; i < n; i++) {
    let size = 0;
    for (const nb of rows) {
      for (let r = nb.ptr[i]; r < nb.ptr[i + 1]; r++) {
        const j = nb.item[r];
        if (at[j] < 0) {
          at[j] = size++;
          seen.push(j);
        }
      }
    }
    for (const j of seen) at[j] = -1;
    seen.length = 0;
    ptr[i + 1] = ptr[i] + size;
  }
  const buffer = new ArrayBuffer(ptr[n] * 16);
  const ints = new Int32Array(buffer);
  const floats = new Float32Array(buffer);
  for (let i = 0; i < n; i++) {
    let size = 0;
    const o = ptr[i];
    for (let s = 0; s < 3; s++) {
      const nb = rows[s];
      for (let r = nb.ptr[i]; r < nb.ptr[i + 1]; r++) {
        const j = nb.item[r];
        let e = at[j];
        if (e < 0) {
          e = at[j] = size++;
          seen.push(j);
          ints[4 * (o + e)] = j;
        }
        floats[4 * (o + e) + 1 + s] = nb.weight[r];
      }
    }
    for (const j of seen) at[j] = -1;
    seen.length = 0;
  }
  const out = { ptr, ints, floats };
  fusedCache.set(m.knn, out);
  return out;
}

/** Reason texts by signal order code (base 6 digits, strongest first), built once each. */
const reasonTexts = new Map<number, string>();
function reasonText(code: number, order: Int32Array, n: number): string {
  let r = reasonTexts.get(code);
  if (r === undefined) {
    const names: string[] = [];
    for (let q = 0; q < n; q++) names.push(SIGNALS[order[q]]);
    r = names.join('+') || 'popular';
    reasonTexts.set(code, r);
  }
  return r;
}

/**
 * The signals giving at least a quarter of an item's score (v[s] > 0), strongest first, equal ones
 * in SIGNALS order, as text ("knn+users"; "popular" when none): `order` is scratch of SIGNALS.length.
 */
function reasonOf(v: Float64Array, score: number, order: Int32Array): string {
  let n = 0;
  for (let s = 0; s < SIGNALS.length; s++) {
    const x = v[s];
    if (!(x > 0 && x >= 0.25 * score)) continue;
    // Insertion after every larger or equal one: a stable sort by value, largest first.
    let q = n++;
    while (q > 0 && v[order[q - 1]] < x) {
      order[q] = order[q - 1];
      q--;
    }
    order[q] = s;
  }
  let code = 0;
  for (let q = 0; q < n; q++) code = code * 6 + order[q] + 1;
  return reasonText(code, order, n);
}

/** Collects users' signals; scratch arrays are reused, so one collector serves one thread. */
export class SignalCollector {
  /** Per candidate slot (plus a last, never read slot for items that cannot be candidates). */
  private readonly acc: Float64Array;
  /** Item -> its candidate slot for the current user; -1 none; `trash` when it cannot be one (owned, left out). */
  private readonly pos: Int32Array;
  /** Slot -> item: the current user's candidates in the order they were found. */
  private readonly touched: Int32Array;
  /** Items whose pos is `trash` now, to clear with the candidates before the next user. */
  private readonly blocked: Int32Array;
  private readonly trash: number;
  private candidateCount = 0;
  private blockedCount = 0;
  private readonly profile: Float64Array;
  private readonly profileNext: Float64Array;
  private readonly profileItems: Int32Array;
  private readonly inProfile: Int32Array;
  /** Shared items with the current user per customer: at most USER_SCAN in all, so 16 bits hold it. */
  private readonly overlap: Uint16Array;
  /** Distinct items per customer (UserKNN's cosine denominators). */
  private readonly userDeg: Int32Array;
  private readonly mine: Int32Array;
  private readonly others: Int32Array;
  /** Customers sharing two or more of the user's items (a subset of others), and their count. */
  private readonly others2: Int32Array;
  private n2 = 0;
  /** The customers whose cosines were taken (others or others2), and how many. */
  private near: Int32Array;
  private nearCount = 0;
  private readonly sims: Float64Array;
  private readonly simScratch: Float64Array;
  private readonly signalScratch = new Float64Array(SIGNALS.length);
  private readonly orderScratch = new Int32Array(SIGNALS.length);
  /** Items from the fewest buyers to the most (ties by index), and each item's place there. */
  private readonly rarityOrder: Int32Array;
  private readonly rarityRank: Int32Array;
  private profileCount = 0;
  /** Stamp of the current profile: inProfile holds the stamp of the call that last set it. */
  private profileStamp = 0;
  private readonly fused: FusedRows;
  /** Whether the UserKNN signal is computed (off when its weight is 0 everywhere it is used). */
  wantUsers = true;

  constructor(
    private readonly m: NewItemsModel,
    private readonly listLength: number,
  ) {
    const n = m.itemCount;
    this.trash = n;
    this.fused = fusedRows(m);
    this.acc = new Float64Array((n + 1) * ACC);
    this.pos = new Int32Array(n).fill(-1);
    this.touched = new Int32Array(n);
    this.blocked = new Int32Array(n);
    this.profile = new Float64Array(n);
    this.profileNext = new Float64Array(n);
    this.profileItems = new Int32Array(n);
    this.inProfile = new Int32Array(n).fill(-1);
    const users = m.baskets.userCount;
    this.overlap = new Uint16Array(users);
    this.userDeg = new Int32Array(users);
    for (let v = 0; v < users; v++) this.userDeg[v] = m.index.uPtr[v + 1] - m.index.uPtr[v];
    this.mine = new Int32Array(n);
    this.others = new Int32Array(users);
    this.others2 = new Int32Array(users);
    this.near = this.others;
    this.sims = new Float64Array(users);
    this.simScratch = new Float64Array(users);
    const { iPtr } = m.index;
    this.rarityOrder = new Int32Array(n).map((_x, i) => i).sort((x, y) => iPtr[x + 1] - iPtr[x] - (iPtr[y + 1] - iPtr[y]) || x - y);
    this.rarityRank = new Int32Array(n);
    for (let r = 0; r < n; r++) this.rarityRank[this.rarityOrder[r]] = r;
  }

  /** Profile weights of user u's items under `decay` (the next signal's under NEXT_DECAY), latest basket first. */
  private weighProfile(u: number, decay: number): void {
    const { m, profile, profileNext, profileItems, inProfile } = this;
    const b = m.baskets;
    const ps = ++this.profileStamp;
    let p = 0;
    let w = 1;
    let wn = 1;
    for (let x = b.userPtr[u + 1] - 1; x >= b.userPtr[u]; x--) {
      for (let k = b.ptr[x]; k < b.ptr[x + 1]; k++) {
        const i = b.items[k];
        if (inProfile[i] !== ps) {
          inProfile[i] = ps;
          profile[i] = 0;
          profileNext[i] = 0;
          profileItems[p++] = i;
        }
        profile[i] += w;
        profileNext[i] += wn;
      }
      w *= decay;
      wn *= NEXT_DECAY;
    }
    this.profileCount = p;
  }

  /**
   * Adds the knn, rp3 and (with `next`) next signals from the user's profile in one pass over the
   * fused rows; new candidates get the next slots when `grow`, else only the current candidates
   * are updated (a rerun under another decay, next left as it is).
   */
  private spreadFused(count: number, grow: boolean, next: boolean): number {
    const { acc, pos, touched, blocked, profileItems, profile, profileNext, trash, fused } = this;
    const exclude = this.m.exclude;
    const { ptr, ints, floats } = fused;
    const p = this.profileCount;
    for (let q = 0; q < p; q++) {
      const i = profileItems[q];
      const wi = profile[i];
      const wn = next ? profileNext[i] : 0;
      const end = 4 * ptr[i + 1];
      for (let e = 4 * ptr[i]; e < end; e += 4) {
        const j = ints[e];
        let t = pos[j];
        if (t < 0) {
          if (!grow) continue;
          if (exclude[j] !== 0) {
            pos[j] = trash;
            blocked[this.blockedCount++] = j;
            continue;
          }
          t = count++;
          pos[j] = t;
          touched[t] = j;
          const o = t * ACC;
          acc[o] = 0;
          acc[o + 1] = 0;
          acc[o + 2] = 0;
          acc[o + 3] = 0;
        }
        // The trash slot (owned, left-out items) takes sums nobody reads: no test on the hot path.
        const o = t * ACC;
        acc[o] += wi * floats[e + 1];
        acc[o + 1] += wi * floats[e + 2];
        if (next) acc[o + 2] += wn * floats[e + 3];
      }
    }
    return count;
  }

  /**
   * UserKNN, first step: the customers sharing the user's items (in others[0..no)) with the
   * overlap counts. At most USER_SCAN buyers are visited per user, rarest items first (they say
   * most about taste, as in IDF), so a catalogue's bestsellers do not make it users x users.
   */
  private scanBuyers(u: number): number {
    const { iPtr, iUsers, uPtr, uItems } = this.m.index;
    const { overlap, others, others2, mine, rarityRank, rarityOrder } = this;
    let no = 0;
    let n2 = 0;
    // Sorted as rarity ranks: a numeric sort, without a comparator call per pair.
    let nm = 0;
    for (let k = uPtr[u]; k < uPtr[u + 1]; k++) mine[nm++] = rarityRank[uItems[k]];
    const byRarity = mine.subarray(0, nm).sort();
    let budget = USER_SCAN;
    for (let q = 0; q < nm && budget > 0; q++) {
      const i = rarityOrder[byRarity[q]];
      const end = Math.min(iPtr[i + 1], iPtr[i] + budget);
      budget -= end - iPtr[i];
      for (let r = iPtr[i]; r < end; r++) {
        const v = iUsers[r];
        if (v === u) continue;
        const c = overlap[v];
        if (c === 0) others[no++] = v;
        else if (c === 1) others2[n2++] = v;
        overlap[v] = c + 1;
      }
    }
    this.n2 = n2;
    return no;
  }

  /**
   * UserKNN, second step: cosines into sims[0..nearCount) of the customers in `near`, the overlap
   * counts back to 0 for the next user; returns the USER_NEIGHBOURS-th largest (the cut). When
   * at least USER_NEIGHBOURS customers share two or more items with this one, only they are
   * candidates: most scanned customers share a single item, and one shared item says little
   * (dropping them kept or raised Recall@20 on UCI and the generated logs, docs/benchmarks.md,
   * per-user speed, fourth pass) while the cosines cost a fraction.
   */
  private nearestThreshold(u: number, no: number): number {
    const { uPtr } = this.m.index;
    const { overlap, others, sims, userDeg } = this;
    const du = uPtr[u + 1] - uPtr[u];
    // The K largest so far in a min-heap (simScratch[0] the smallest): one pass, no copy, and
    // most customers fail the first comparison once it is full.
    const K = USER_NEIGHBOURS;
    const heap = this.simScratch;
    let h = 0;
    const pairs = this.n2 >= K;
    const near = pairs ? this.others2 : others;
    const nn = pairs ? this.n2 : no;
    for (let q = 0; q < nn; q++) {
      const v = near[q];
      const x = overlap[v] / Math.sqrt(du * userDeg[v]);
      sims[q] = x;
      h = keepLargest(heap, h, K, x);
    }
    for (let q = 0; q < no; q++) overlap[others[q]] = 0;
    this.near = near;
    this.nearCount = nn;
    return nn > K ? Math.max(heap[0], Number.MIN_VALUE) : Number.MIN_VALUE;
  }

  /** Fills acc and touched for user u; returns the candidates' count and their top popularity. */
  private gather(u: number, decay: number): { count: number; popMax: number } {
    const { m, acc, pos, touched, blocked, trash } = this;
    // The previous user's candidates and blocked items go back to none.
    for (let t = 0; t < this.candidateCount; t++) pos[touched[t]] = -1;
    for (let t = 0; t < this.blockedCount; t++) pos[blocked[t]] = -1;
    this.candidateCount = 0;
    // Bought by the user: never a candidate.
    let nb = 0;
    for (let k = m.uPtr[u]; k < m.uPtr[u + 1]; k++) {
      const i = m.uItems[k];
      pos[i] = trash;
      blocked[nb++] = i;
    }
    this.blockedCount = nb;
    this.weighProfile(u, decay);
    let count = 0;
    const exclude = m.exclude;
    count = this.spreadFused(count, true, true);
    // UserKNN: the USER_NEIGHBOURS customers most like this one (cosine over bought items) spread
    // their items, each weighted by its similarity.
    if (this.wantUsers) {
      const { uPtr, uItems } = m.index;
      const no = this.scanBuyers(u);
      const threshold = this.nearestThreshold(u, no);
      const { near, nearCount, sims } = this;
      for (let q = 0; q < nearCount; q++) {
        const sv = sims[q];
        if (sv < threshold) continue;
        const v = near[q];
        for (let k = uPtr[v]; k < uPtr[v + 1]; k++) {
          const j = uItems[k];
          let t = pos[j];
          if (t < 0) {
            if (exclude[j] !== 0) {
              pos[j] = trash;
              blocked[this.blockedCount++] = j;
              continue;
            }
            t = count++;
            pos[j] = t;
            touched[t] = j;
            const o = t * ACC;
            acc[o] = 0;
            acc[o + 1] = 0;
            acc[o + 2] = 0;
            acc[o + 3] = 0;
          }
          acc[t * ACC + 3] += sv;
        }
      }
    }
    // The most popular allowed items not touched yet: enough for a full list on popularity alone.
    let added = 0;
    let popMax = 0;
    for (let r = 0; r < m.popOrder.length && added < this.listLength; r++) {
      const i = m.popOrder[r];
      const t = pos[i];
      if (t === trash || exclude[i] !== 0) continue;
      if (popMax === 0) popMax = m.popularity[i];
      if (t >= 0) continue;
      const slot = count++;
      pos[i] = slot;
      touched[slot] = i;
      const o = slot * ACC;
      acc[o] = 0;
      acc[o + 1] = 0;
      acc[o + 2] = 0;
      acc[o + 3] = 0;
      added++;
    }
    this.candidateCount = count;
    return { count, popMax };
  }

  private snapshot(count: number, popMax: number): UserSignals {
    const { acc, m } = this;
    const items = this.touched.slice(0, count);
    const values = new Float32Array(SIGNALS.length * count);
    for (let s = 0; s < SIGNALS.length; s++) {
      let max = 0;
      if (s === POPULAR) max = popMax;
      else for (let t = 0; t < count; t++) if (acc[t * ACC + s] > max) max = acc[t * ACC + s];
      const base = s * count;
      for (let t = 0; t < count; t++) {
        const v = s === POPULAR ? m.popularity[items[t]] : acc[t * ACC + s];
        values[base + t] = max > 0 ? v / max : 0;
      }
    }
    return { items, values };
  }

  collect(u: number, decay: number): UserSignals {
    const { count, popMax } = this.gather(u, decay);
    return this.snapshot(count, popMax);
  }

  /**
   * collect(u, d) for each decay d, gathering once: the candidates, UserKNN, next and popularity
   * do not depend on the decay, so only knn and rp3 are spread again for the later decays.
   */
  collectDecays(u: number, decays: readonly number[]): UserSignals[] {
    const { count, popMax } = this.gather(u, decays[0]);
    const out = [this.snapshot(count, popMax)];
    const { acc } = this;
    for (let d = 1; d < decays.length; d++) {
      this.weighProfile(u, decays[d]);
      for (let t = 0; t < count; t++) {
        acc[t * ACC] = 0;
        acc[t * ACC + 1] = 0;
      }
      this.spreadFused(count, false, false);
      out.push(this.snapshot(count, popMax));
    }
    return out;
  }

  /** The user's top k under `p` straight from the accumulators (what rankSignals(collect()) gives, without the copies). */
  rank(u: number, p: NewItemsParams, k: number): RankedWithReasons {
    const { count, popMax } = this.gather(u, p.decay);
    const { acc, m, touched } = this;
    let m0 = 0;
    let m1 = 0;
    let m2 = 0;
    let m3 = 0;
    for (let t = 0; t < count; t++) {
      const o = t * ACC;
      if (acc[o] > m0) m0 = acc[o];
      if (acc[o + 1] > m1) m1 = acc[o + 1];
      if (acc[o + 2] > m2) m2 = acc[o + 2];
      if (acc[o + 3] > m3) m3 = acc[o + 3];
    }
    const w = p.weights;
    const s0 = m0 > 0 ? w.knn / m0 : 0;
    const s1 = m1 > 0 ? w.rp3 / m1 : 0;
    const s2 = m2 > 0 ? w.next / m2 : 0;
    const s3 = m3 > 0 ? w.users / m3 : 0;
    const s4 = popMax > 0 ? w.popular / popMax : 0;
    const pop = m.popularity;
    const idRank = m.idRank;
    const cap = Math.min(k, count);
    // Candidate slots of the k best so far, best first (ties: lower id rank first).
    const best = new Int32Array(cap);
    const bestScore = new Float64Array(cap);
    let size = 0;
    let floor = -Infinity;
    for (let t = 0; t < count; t++) {
      const o = t * ACC;
      const j = touched[t];
      const st = s0 * acc[o] + s1 * acc[o + 1] + s2 * acc[o + 2] + s3 * acc[o + 3] + s4 * pop[j];
      if (size === cap) {
        if (st < floor || (st === floor && idRank[j] > idRank[touched[best[cap - 1]]])) continue;
      }
      let q = size < cap ? size++ : cap - 1;
      while (q > 0) {
        const sp = bestScore[q - 1];
        if (sp > st || (sp === st && idRank[touched[best[q - 1]]] < idRank[j])) break;
        best[q] = best[q - 1];
        bestScore[q] = sp;
        q--;
      }
      best[q] = t;
      bestScore[q] = st;
      if (size === cap) floor = bestScore[cap - 1];
    }
    const items = new Int32Array(size);
    const reasons: string[] = new Array<string>(size);
    const v = this.signalScratch;
    for (let r = 0; r < size; r++) {
      const o = best[r] * ACC;
      const j = touched[best[r]];
      items[r] = j;
      v[0] = s0 * acc[o];
      v[1] = s1 * acc[o + 1];
      v[2] = s2 * acc[o + 2];
      v[3] = s3 * acc[o + 3];
      v[4] = s4 * pop[j];
      reasons[r] = reasonOf(v, bestScore[r], this.orderScratch);
    }
    return { items, scores: size === cap ? bestScore : bestScore.slice(0, size), reasons };
  }
}

export interface RankedWithReasons {
  items: Int32Array;
  scores: Float64Array;
  /** Per item: the signals that put it there (those giving at least a quarter of its score), strongest first. */
  reasons: string[];
}

/**
 * The top `k` of a user's candidates under weights `w` (in SIGNALS order) into `best` (candidate
 * positions, best first), with every candidate's blended score in `score`; returns how many.
 * Equal scores rank in id order. The scratch arrays let validation rank many blends without allocating.
 */
export function topSignals(
  sig: UserSignals,
  w: ArrayLike<number>,
  idRank: Int32Array,
  k: number,
  score: Float64Array,
  best: Int32Array,
  prefix?: { from: number; sums: Float64Array; offset: number },
): number {
  const c = sig.items.length;
  // With a prefix, the sums of the signals before `from` are given (partialSignals under the
  // same weights): the same additions in the same order, so the same scores to the last bit.
  if (prefix) score.set(prefix.sums.subarray(prefix.offset, prefix.offset + c));
  else score.fill(0, 0, c);
  for (let s = prefix ? prefix.from : 0; s < w.length; s++) {
    if (w[s] === 0) continue;
    const base = s * c;
    for (let t = 0; t < c; t++) score[t] += w[s] * sig.values[base + t];
  }
  const cap = Math.min(k, c);
  let size = 0;
  let floor = -Infinity; // score of the last kept entry once the list is full
  for (let t = 0; t < c; t++) {
    const st = score[t];
    if (size === cap && st < floor) continue;
    const rt = idRank[sig.items[t]];
    if (size === cap) {
      const last = best[cap - 1];
      if (st === floor && rt > idRank[sig.items[last]]) continue;
    }
    let pos = size < cap ? size++ : cap - 1;
    while (pos > 0) {
      const prev = best[pos - 1];
      const sp = score[prev];
      if (sp > st || (sp === st && idRank[sig.items[prev]] < rt)) break;
      best[pos] = prev;
      pos--;
    }
    best[pos] = t;
    if (size === cap) floor = score[best[cap - 1]];
  }
  return size;
}

/**
 * The blended scores of signals 0..upTo-1 only (those of weight 0 skipped, in SIGNALS order, as
 * topSignals adds them) into out[offset..offset + candidates): what topSignals starts from when
 * validation tries many weights of one signal with those before it fixed.
 */
export function partialSignals(sig: UserSignals, w: ArrayLike<number>, upTo: number, out: Float64Array, offset: number): void {
  const c = sig.items.length;
  out.fill(0, offset, offset + c);
  for (let s = 0; s < upTo; s++) {
    if (w[s] === 0) continue;
    const base = s * c;
    for (let t = 0; t < c; t++) out[offset + t] += w[s] * sig.values[base + t];
  }
}

/** The top `k` of a user's candidates under `weights`, equal scores in id order. */
export function rankSignals(sig: UserSignals, weights: SignalWeights, idRank: Int32Array, k: number, withReasons = false): RankedWithReasons {
  const c = sig.items.length;
  const w = SIGNALS.map((s) => weights[s]);
  const score = new Float64Array(c);
  const best = new Int32Array(Math.min(k, c));
  const size = topSignals(sig, w, idRank, k, score, best);
  const items = new Int32Array(size);
  const scores = new Float64Array(size);
  const reasons: string[] = [];
  for (let r = 0; r < size; r++) {
    const t = best[r];
    items[r] = sig.items[t];
    scores[r] = score[t];
    if (!withReasons) continue;
    const parts: [number, string][] = [];
    for (let s = 0; s < w.length; s++) {
      const v = w[s] * sig.values[s * c + t];
      if (v > 0 && v >= 0.25 * score[t]) parts.push([v, SIGNALS[s]]);
    }
    parts.sort((a, b) => b[0] - a[0]);
    reasons.push(parts.map((x) => x[1]).join('+') || 'popular');
  }
  return { items, scores, reasons };
}

/**
 * The candidates among the `keep` best of at least one signal: for choosing weights only, where
 * the same users are ranked under many blends. An item outside every signal's top `keep` almost
 * never reaches a blended top 20, and the choice needs relative, not exact, scores.
 */
export function pruneSignals(sig: UserSignals, keep: number): UserSignals {
  const c = sig.items.length;
  if (c <= keep) return sig;
  const take = new Uint8Array(c);
  const col = new Float64Array(c);
  const scratch = new Float64Array(c);
  for (let s = 0; s < SIGNALS.length; s++) {
    const base = s * c;
    for (let t = 0; t < c; t++) col[t] = sig.values[base + t];
    // Everything at or above the keep-th largest value (ties may add a few more), zeros never.
    const threshold = Math.max(kthLargest(col, c, keep, scratch), Number.MIN_VALUE);
    for (let t = 0; t < c; t++) if (col[t] >= threshold) take[t] = 1;
  }
  let m = 0;
  for (let t = 0; t < c; t++) m += take[t];
  const items = new Int32Array(m);
  const values = new Float32Array(SIGNALS.length * m);
  let o = 0;
  for (let t = 0; t < c; t++) {
    if (!take[t]) continue;
    items[o] = sig.items[t];
    for (let s = 0; s < SIGNALS.length; s++) values[s * m + o] = sig.values[s * c + t];
    o++;
  }
  return { items, values };
}
