// The per-user recommender's kernels against brute-force references on small random logs: the
// top-K row selection, the sparse neighbour rows, the slot-based signal collector (rank) and the
// again list's partial selection. Each reference is the plain definition, written densely.

import { describe, expect, it } from 'vitest';
import { basketsFromRows, userItems, type BasketRow, type Baskets } from '../../eval/baskets';
import { againFeatures, fitAgain, rankAgain } from './again';
import { cooccurrenceNeighbours, itemUserIndex, selectTopK, type Neighbours } from './neighbours';
import {
  fitNewItems,
  NEXT_DECAY,
  partialSignals,
  SignalCollector,
  SIGNALS,
  topSignals,
  USER_NEIGHBOURS,
  type NewItemsModel,
  type NewItemsParams,
} from './newItems';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Random baskets: skewed item popularity (so rows have ties and long tails), a few baskets per user. */
function randomBaskets(seed: number, users: number, items: number): Baskets {
  const rand = rng(seed);
  const rows: BasketRow[] = [];
  for (let u = 0; u < users; u++) {
    const nb = 1 + Math.floor(rand() * 4);
    for (let b = 0; b < nb; b++) {
      const size = 1 + Math.floor(rand() * 5);
      for (let k = 0; k < size; k++) {
        const item = Math.floor(items * rand() ** 2);
        rows.push({ user: u, item, basket: `b${u}-${b}`, time: Date.UTC(2021, 0, 1) + (b * 5 + u / users) * 86_400_000 });
      }
    }
  }
  return basketsFromRows(rows, users, items);
}

/** How often the reference took only the customers sharing two items, and how often all. */
let cutToTwice = 0;
let keptAll = 0;

describe('recommender kernels against brute force', () => {
  it('selectTopK keeps the K best by (value desc, item asc), best first, with many ties', () => {
    const rand = rng(5);
    for (const m of [0, 1, 5, 40, 300, 2000]) {
      for (const K of [1, 3, 50, 100]) {
        const vals = new Float64Array(m);
        const js = new Int32Array(m);
        // Items in shuffled order, values from few levels so that ties cross the cut.
        const perm = Array.from({ length: m }, (_, t) => t);
        for (let t = m - 1; t > 0; t--) {
          const r = Math.floor(rand() * (t + 1));
          [perm[t], perm[r]] = [perm[r], perm[t]];
        }
        for (let t = 0; t < m; t++) {
          js[t] = perm[t] * 3;
          vals[t] = Math.floor(rand() * 7) / 7;
        }
        const sel = new Int32Array(K);
        const size = selectTopK(vals, js, m, K, sel);
        const want = Array.from({ length: m }, (_, t) => t)
          .sort((a, b) => vals[b] - vals[a] || js[a] - js[b])
          .slice(0, K);
        expect(size).toBe(want.length);
        expect(Array.from(sel.subarray(0, size), (t) => js[t])).toEqual(want.map((t) => js[t]));
      }
    }
  });

  it('neighbour rows are the K best of the dense cosine (ItemKNN) and RP3beta rows', () => {
    const b = randomBaskets(11, 150, 70);
    const own = userItems(b);
    const idx = itemUserIndex(b, own.ptr, own.items);
    const n = b.itemCount;
    const K = 8;
    const beta = 0.5;
    const { knn, rp3 } = cooccurrenceNeighbours(idx, n, K, beta);
    const deg = (i: number): number => idx.iPtr[i + 1] - idx.iPtr[i];
    const c = new Float64Array(n * n);
    const w = new Float64Array(n * n);
    for (let u = 0; u < b.userCount; u++) {
      const d = own.ptr[u + 1] - own.ptr[u];
      for (let a = own.ptr[u]; a < own.ptr[u + 1]; a++)
        for (let q = own.ptr[u]; q < own.ptr[u + 1]; q++) {
          c[own.items[a] * n + own.items[q]] += 1;
          w[own.items[a] * n + own.items[q]] += 1 / d;
        }
    }
    const row = (nb: Neighbours, i: number): [number, number][] =>
      Array.from({ length: nb.ptr[i + 1] - nb.ptr[i] }, (_, r) => [nb.item[nb.ptr[i] + r], nb.weight[nb.ptr[i] + r]]);
    const best = (value: (j: number) => number, i: number): [number, number][] => {
      const all: [number, number][] = [];
      for (let j = 0; j < n; j++) if (j !== i && c[i * n + j] > 0) all.push([j, value(j)]);
      all.sort((x, y) => y[1] - x[1] || x[0] - y[0]);
      return all.slice(0, K).map(([j, v]) => [j, Math.fround(v)]);
    };
    for (let i = 0; i < n; i++) {
      expect(row(knn, i)).toEqual(best((j) => c[i * n + j] / Math.sqrt(deg(i) * deg(j)), i));
      expect(row(rp3, i)).toEqual(best((j) => w[i * n + j] / deg(i) / deg(j) ** beta, i));
    }
  });

  /** rank(u) by the definitions, densely over the catalogue, in the collector's order of additions. */
  function referenceRank(m: NewItemsModel, u: number, p: NewItemsParams, k: number, listLength: number) {
    const n = m.itemCount;
    const b = m.baskets;
    const profile = new Float64Array(n);
    const profileNext = new Float64Array(n);
    const order: number[] = [];
    let w = 1;
    let wn = 1;
    for (let x = b.userPtr[u + 1] - 1; x >= b.userPtr[u]; x--) {
      for (let q = b.ptr[x]; q < b.ptr[x + 1]; q++) {
        const i = b.items[q];
        if (!order.includes(i)) order.push(i);
        profile[i] += w;
        profileNext[i] += wn;
      }
      w *= p.decay;
      wn *= NEXT_DECAY;
    }
    const owned = new Set(m.uItems.subarray(m.uPtr[u], m.uPtr[u + 1]));
    const allowed = (j: number): boolean => !owned.has(j) && !m.exclude[j];
    const acc = [0, 1, 2, 3].map(() => new Float64Array(n));
    const cand = new Uint8Array(n);
    [m.knn, m.rp3, m.next].forEach((nb, s) => {
      for (const i of order)
        for (let r = nb.ptr[i]; r < nb.ptr[i + 1]; r++) {
          const j = nb.item[r];
          if (!allowed(j)) continue;
          cand[j] = 1;
          acc[s][j] += (s === 2 ? profileNext[i] : profile[i]) * nb.weight[r];
        }
    });
    // UserKNN: every customer sharing an item (the scan budget does not bind on a log this small),
    // or only those sharing two when there are enough of them,
    // in the collector's scan order (the user's items rarest first, their buyers in index order).
    const { iPtr, iUsers, uPtr, uItems } = m.index;
    const mine = Array.from(uItems.subarray(uPtr[u], uPtr[u + 1])).sort((x, y) => iPtr[x + 1] - iPtr[x] - (iPtr[y + 1] - iPtr[y]) || x - y);
    const all: number[] = [];
    // Those sharing two or more items, in the order they reached two: the only candidates when
    // there are at least USER_NEIGHBOURS of them.
    const twice: number[] = [];
    const overlap = new Map<number, number>();
    for (const i of mine)
      for (let r = iPtr[i]; r < iPtr[i + 1]; r++) {
        const v = iUsers[r];
        if (v === u) continue;
        if (!overlap.has(v)) all.push(v);
        if (overlap.get(v) === 1) twice.push(v);
        overlap.set(v, (overlap.get(v) ?? 0) + 1);
      }
    const others = twice.length >= USER_NEIGHBOURS ? twice : all;
    if (others === twice) cutToTwice++;
    else keptAll++;
    const du = uPtr[u + 1] - uPtr[u];
    const sims = others.map((v) => (overlap.get(v) ?? 0) / Math.sqrt(du * (uPtr[v + 1] - uPtr[v])));
    const sorted = [...sims].sort((x, y) => y - x);
    const threshold = others.length > USER_NEIGHBOURS ? Math.max(sorted[USER_NEIGHBOURS - 1], Number.MIN_VALUE) : Number.MIN_VALUE;
    others.forEach((v, q) => {
      if (sims[q] < threshold) return;
      for (let r = uPtr[v]; r < uPtr[v + 1]; r++) {
        const j = uItems[r];
        if (!allowed(j)) continue;
        cand[j] = 1;
        acc[3][j] += sims[q];
      }
    });
    let added = 0;
    let popMax = 0;
    for (let r = 0; r < m.popOrder.length && added < listLength; r++) {
      const i = m.popOrder[r];
      if (!allowed(i)) continue;
      if (popMax === 0) popMax = m.popularity[i];
      if (cand[i]) continue;
      cand[i] = 1;
      added++;
    }
    const maxes = [0, 1, 2, 3].map((s) => {
      let x = 0;
      for (let j = 0; j < n; j++) if (cand[j] && acc[s][j] > x) x = acc[s][j];
      return x;
    });
    maxes.push(popMax);
    const scale = SIGNALS.map((s, q) => (maxes[q] > 0 ? p.weights[s] / maxes[q] : 0));
    const parts = (j: number): number[] => [0, 1, 2, 3, 4].map((s) => scale[s] * (s === 4 ? m.popularity[j] : acc[s][j]));
    const scored: { j: number; score: number }[] = [];
    for (let j = 0; j < n; j++) if (cand[j]) scored.push({ j, score: parts(j).reduce((x, y) => x + y, 0) });
    scored.sort((x, y) => y.score - x.score || m.idRank[x.j] - m.idRank[y.j]);
    return scored.slice(0, k).map(({ j, score }) => {
      const ps = parts(j)
        .map((v, s) => [v, s] as [number, number])
        .filter(([v]) => v > 0 && v >= 0.25 * score)
        .sort((x, y) => y[0] - x[0]);
      return { item: j, score, reason: ps.map(([, s]) => SIGNALS[s]).join('+') || 'popular' };
    });
  }

  it('the collector ranks every user as the dense definition does, in any order, twice, with left-out items', () => {
    const b = randomBaskets(23, 90, 60);
    const ids = Array.from({ length: 60 }, (_, i) => `i${String((i * 37) % 60).padStart(2, '0')}`);
    const idOrder = Int32Array.from(ids.map((_, i) => i).sort((x, y) => (ids[x] < ids[y] ? -1 : ids[x] > ids[y] ? 1 : 0)));
    const exclude = new Uint8Array(60);
    exclude[0] = 1;
    exclude[7] = 1;
    const m = fitNewItems(b, idOrder, exclude, 12);
    const params: NewItemsParams[] = [
      { weights: { knn: 1, rp3: 1, next: 0.5, users: 1, popular: 0.1 }, decay: 0.7 },
      { weights: { knn: 0, rp3: 3, next: 0, users: 0.3, popular: 1 }, decay: 1 },
    ];
    for (const p of params) {
      const col = new SignalCollector(m, 10);
      const users = [...Array.from({ length: 90 }, (_, u) => (u * 17) % 90), 3, 3, 44];
      for (const u of users) {
        const got = col.rank(u, p, 10);
        const want = referenceRank(m, u, p, 10, 10);
        expect(Array.from(got.items)).toEqual(want.map((x) => x.item));
        want.forEach((x, r) => expect(got.scores[r]).toBeCloseTo(x.score, 12));
        expect(got.reasons).toEqual(want.map((x) => x.reason));
      }
    }
    // Both ways of choosing UserKNN's candidates were compared.
    expect(cutToTwice).toBeGreaterThan(0);
    expect(keptAll).toBeGreaterThan(0);
  });

  it('topSignals from a prefix of partial sums gives the same scores to the last bit and the same top k', () => {
    const rand = rng(41);
    const c = 300;
    const items = Int32Array.from({ length: c }, (_, t) => (t * 7) % c);
    const idRank = Int32Array.from({ length: c }, (_, i) => c - 1 - i);
    const values = Float32Array.from({ length: SIGNALS.length * c }, () => (rand() < 0.3 ? 0 : Math.round(rand() * 8) / 8));
    const sig = { items, values };
    for (const w of [
      [1, 1, 1, 1, 1],
      [0.3, 0, 3, 0.1, 1],
      [0, 0, 0, 0, 0.1],
    ]) {
      const score = new Float64Array(c);
      const best = new Int32Array(20);
      const size = topSignals(sig, w, idRank, 20, score, best);
      const want = { score: Float64Array.from(score), best: Array.from(best.subarray(0, size)) };
      for (let from = 0; from <= SIGNALS.length; from++) {
        const sums = new Float64Array(c + 5);
        partialSignals(sig, w, from, sums, 5);
        const s2 = new Float64Array(c);
        const b2 = new Int32Array(20);
        const n2 = topSignals(sig, w, idRank, 20, s2, b2, { from, sums, offset: 5 });
        expect(Array.from(s2)).toEqual(Array.from(want.score));
        expect(Array.from(b2.subarray(0, n2))).toEqual(want.best);
      }
    }
  });

  it('the again list is the full sort of the user items cut to k', () => {
    const b = randomBaskets(31, 120, 40);
    const idRank = Int32Array.from({ length: 40 }, (_, i) => (i * 7) % 40);
    const m = fitAgain(b, idRank, new Uint8Array(40));
    for (let u = 0; u < 120; u++) {
      const f = againFeatures(m, u);
      const p = { halfLife: 30, alpha: 0.5, due: 1, beta: 1, basketHalfLife: 4 };
      const all = rankAgain(m, f, 1000, p);
      const want = Array.from(f.items).sort((x, y) => {
        const sx = all.scores[Array.from(all.items).indexOf(x)];
        const sy = all.scores[Array.from(all.items).indexOf(y)];
        return sy - sx || idRank[x] - idRank[y];
      });
      expect(Array.from(all.items)).toEqual(want);
      for (const k of [0, 1, 3]) expect(Array.from(rankAgain(m, f, k, p).items)).toEqual(want.slice(0, k));
    }
  });
});
