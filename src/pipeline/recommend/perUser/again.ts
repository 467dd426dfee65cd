// The "again" list: per user, items they bought before, ranked by how likely they are to buy them
// again now:
//   score = recency-weighted count x (item's repeat rate)^alpha x (1 + due x closeness to its usual gap)
//           x (item's share of buyers)^beta
// - recency-weighted count: each earlier basket holding the item counts
//   0.5^(age / halfLife) x 0.5^(baskets since / basketHalfLife), age from the log's last basket
//   (days; basket positions when the log has no times), baskets since counted in the user's own
//   baskets (0 for their last one), so recency is measured both in time and in the user's visits;
// - repeat rate: of the item's buyers, the share who bought it in two or more baskets (smoothed),
//   so items people restock rank above one-off purchases;
// - usual gap: the median time between one user's consecutive baskets holding the item, over all
//   users; an item whose gap has (about) elapsed since the user's last purchase of it is due;
// - share of buyers: the item's distinct buyers over all users (smoothed): of two past items
//   bought as often, the one most customers buy is the likelier (what "own most-bought, then
//   popular" gets from its popularity fill).
// The settings are chosen on a validation split of the training data (fit.ts).

import type { Baskets } from '../../eval/baskets';

export interface AgainParams {
  halfLife: number;
  alpha: number;
  due: number;
  /** Power of the item's share of buyers (0 = off, the default). */
  beta?: number;
  /** Half-life in the user's own baskets (Infinity = off, the default). */
  basketHalfLife?: number;
}

export interface AgainModel {
  baskets: Baskets;
  /** Whether baskets have times (else ages are in baskets). */
  timed: boolean;
  now: number;
  repeatRate: Float64Array;
  /** Median gap between repurchases per item (days, or baskets), NaN when never repurchased. */
  gap: Float64Array;
  /** Share of users who bought the item, smoothed: (buyers + 1) / (users + 2). */
  share: Float64Array;
  idRank: Int32Array;
  exclude: Uint8Array;
}

const DAY = 86_400_000;

export function fitAgain(b: Baskets, idRank: Int32Array, exclude: Uint8Array): AgainModel {
  const n = b.itemCount;
  let timed = b.basketTime.length > 0;
  let now = -Infinity;
  for (let x = 0; x < b.basketTime.length; x++) {
    if (!Number.isFinite(b.basketTime[x])) timed = false;
    else if (b.basketTime[x] > now) now = b.basketTime[x];
  }
  const buyers = new Float64Array(n);
  const repeaters = new Float64Array(n);
  const seen = new Int32Array(n).fill(-1);
  const lastAt = new Float64Array(n);
  const counted = new Int32Array(n).fill(-1);
  // Gaps per item, gathered then reduced to a median.
  const gaps: number[][] = Array.from({ length: n }, () => []);
  for (let u = 0; u < b.userCount; u++) {
    for (let x = b.userPtr[u]; x < b.userPtr[u + 1]; x++) {
      const t = timed ? b.basketTime[x] / DAY : x - b.userPtr[u];
      for (let k = b.ptr[x]; k < b.ptr[x + 1]; k++) {
        const i = b.items[k];
        if (seen[i] !== u) {
          seen[i] = u;
          buyers[i]++;
        } else {
          if (counted[i] !== u) {
            counted[i] = u;
            repeaters[i]++;
          }
          if (gaps[i].length < 4096) gaps[i].push(t - lastAt[i]);
        }
        lastAt[i] = t;
      }
    }
  }
  const repeatRate = new Float64Array(n);
  const gap = new Float64Array(n).fill(NaN);
  const share = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    repeatRate[i] = (repeaters[i] + 1) / (buyers[i] + 2);
    share[i] = (buyers[i] + 1) / (b.userCount + 2);
    const g = gaps[i];
    if (g.length) {
      g.sort((p, q) => p - q);
      gap[i] = Math.max(g[g.length >> 1], timed ? 1 : 1);
    }
  }
  return { baskets: b, timed, now: timed ? now / DAY : 0, repeatRate, gap, share, idRank, exclude };
}

export interface AgainList {
  items: Int32Array;
  scores: Float64Array;
  reasons: string[];
}

/** A user's past items with when they bought them: what every setting of the again list ranks. */
export interface AgainFeatures {
  now: number;
  items: Int32Array;
  /** Baskets holding items[t]: ages (now - basket time) at agePtr[t] .. agePtr[t+1]. */
  agePtr: Int32Array;
  ages: Float64Array;
  /** The same baskets' distance from the user's last basket, in baskets (0 = the last). */
  basketAges: Float64Array;
}

/** Per-model scratch for againFeatures (item -> slot by stamp), so a user's features cost their baskets, not the catalogue. */
interface FeatureScratch {
  stamp: Int32Array;
  slot: Int32Array;
  items: Int32Array;
  fill: Int32Array;
  calls: number;
}
const scratches = new WeakMap<AgainModel, FeatureScratch>();

export function againFeatures(m: AgainModel, u: number): AgainFeatures {
  const b = m.baskets;
  const first = b.userPtr[u];
  const last = b.userPtr[u + 1] - 1;
  const now = m.timed ? m.now : last - first;
  let sc = scratches.get(m);
  if (!sc) {
    const n = b.itemCount;
    sc = { stamp: new Int32Array(n).fill(-1), slot: new Int32Array(n), items: new Int32Array(n), fill: new Int32Array(n + 1), calls: 0 };
    scratches.set(m, sc);
  }
  const { stamp, slot, items: seen, fill } = sc;
  const st = ++sc.calls;
  // Items in order of first purchase, and how many of the user's baskets hold each.
  let c = 0;
  for (let x = first; x <= last; x++) {
    for (let q = b.ptr[x]; q < b.ptr[x + 1]; q++) {
      const i = b.items[q];
      if (m.exclude[i]) continue;
      if (stamp[i] !== st) {
        stamp[i] = st;
        slot[i] = c;
        seen[c] = i;
        fill[++c] = 0;
      }
      fill[slot[i] + 1]++;
    }
  }
  const agePtr = new Int32Array(c + 1);
  for (let t = 0; t < c; t++) agePtr[t + 1] = agePtr[t] + fill[t + 1];
  const ages = new Float64Array(agePtr[c]);
  const basketAges = new Float64Array(agePtr[c]);
  for (let t = 0; t < c; t++) fill[t] = agePtr[t];
  // Each item's ages in basket order.
  for (let x = first; x <= last; x++) {
    const t = m.timed ? b.basketTime[x] / DAY : x - first;
    for (let q = b.ptr[x]; q < b.ptr[x + 1]; q++) {
      const i = b.items[q];
      if (m.exclude[i]) continue;
      const at = fill[slot[i]]++;
      ages[at] = now - t;
      basketAges[at] = last - x;
    }
  }
  return { now, items: seen.slice(0, c), agePtr, ages, basketAges };
}

/** Per item of a user's features: the recency-weighted count under one pair of half-lives, and the youngest age. */
export interface AgainCounts {
  halfLife: number;
  basketHalfLife: number;
  count: Float64Array;
  youngest: Float64Array;
}

/** The part of rankAgain that depends on the half-lives alone: shared by the settings tried with them. */
export function againCounts(f: AgainFeatures, halfLife: number, basketHalfLife = Infinity): AgainCounts {
  const c = f.items.length;
  const count = new Float64Array(c);
  const youngest = new Float64Array(c);
  const decaying = Number.isFinite(halfLife);
  const byBaskets = Number.isFinite(basketHalfLife);
  for (let t = 0; t < c; t++) {
    let v = 0;
    let y = Infinity;
    for (let q = f.agePtr[t]; q < f.agePtr[t + 1]; q++) {
      const age = f.ages[q];
      let w = decaying ? 0.5 ** (age / halfLife) : 1;
      if (byBaskets) w *= 0.5 ** (f.basketAges[q] / basketHalfLife);
      v += w;
      if (age < y) y = age;
    }
    count[t] = v;
    youngest[t] = y;
  }
  return { halfLife, basketHalfLife, count, youngest };
}

export function rankAgain(m: AgainModel, f: AgainFeatures, k: number, p: AgainParams, withReasons = false, counts?: AgainCounts): AgainList {
  const c = f.items.length;
  const score = new Float64Array(c);
  const bhl = p.basketHalfLife ?? Infinity;
  const beta = p.beta ?? 0;
  const base = counts && counts.halfLife === p.halfLife && counts.basketHalfLife === bhl ? counts : againCounts(f, p.halfLife, bhl);
  for (let t = 0; t < c; t++) {
    const i = f.items[t];
    let v = base.count[t];
    const youngest = base.youngest[t];
    if (p.alpha !== 0) v *= m.repeatRate[i] ** p.alpha;
    if (beta !== 0) v *= m.share[i] ** beta;
    const g = m.gap[i];
    if (p.due > 0 && g > 0) v *= 1 + p.due * Math.exp(-Math.abs(Math.log(Math.max(youngest, 0.5) / g)));
    score[t] = v;
  }
  // The k best by insertion (k is small; no full sort of the user's items): highest score
  // first, equal scores by id order.
  const idRank = m.idRank;
  const cap = Math.max(0, Math.min(k, c));
  const top = new Int32Array(cap);
  let size = 0;
  for (let t = 0; t < c; t++) {
    const st = score[t];
    const rt = idRank[f.items[t]];
    if (size === cap) {
      if (cap === 0) break;
      const last = top[cap - 1];
      if (st < score[last] || (st === score[last] && rt > idRank[f.items[last]])) continue;
    }
    let q = size < cap ? size++ : cap - 1;
    while (q > 0) {
      const prev = top[q - 1];
      if (score[prev] > st || (score[prev] === st && idRank[f.items[prev]] < rt)) break;
      top[q] = prev;
      q--;
    }
    top[q] = t;
  }
  const reasons: string[] = [];
  if (withReasons) {
    const unit = m.timed ? 'days' : 'baskets';
    for (const t of top) {
      const i = f.items[t];
      let youngest = Infinity;
      for (let q = f.agePtr[t]; q < f.agePtr[t + 1]; q++) youngest = Math.min(youngest, f.ages[q]);
      let r = `bought ${f.agePtr[t + 1] - f.agePtr[t]}x, last ${Math.round(youngest)} ${unit} ago`;
      if (Number.isFinite(m.gap[i])) r += `, usual gap ${Math.round(m.gap[i])} ${unit}`;
      reasons.push(r);
    }
  }
  const items = new Int32Array(cap);
  const scores = new Float64Array(cap);
  for (let r = 0; r < cap; r++) {
    items[r] = f.items[top[r]];
    scores[r] = score[top[r]];
  }
  return { items, scores, reasons };
}

export function againFor(m: AgainModel, u: number, k: number, p: AgainParams, withReasons = false): AgainList {
  return rankAgain(m, againFeatures(m, u), k, p, withReasons);
}
