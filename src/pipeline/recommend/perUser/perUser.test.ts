import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { basketsFromRows, type BasketRow, type Baskets } from '../../eval/baskets';
import { evaluateBaskets } from '../../eval/recommendations';
import { idOrder, protocolSplit, readRecommendationsCsv, scoreLists, trainPopularity, scoreDense } from '../../eval/protocol';
import { exportText, recommendationsCsv } from '../../export/tables';
import { fitPerUser, PerUserLists } from './index';
import { fitNewItems, SignalCollector } from './newItems';
import { kthLargest } from './neighbours';

/** A seeded log with structure: users in 4 groups, each group buying from its own 30 items, in order. */
function groupLog(seed: number, users = 240, items = 160): { rows: BasketRow[]; itemIds: string[]; users: number; items: number } {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const rows: BasketRow[] = [];
  for (let u = 0; u < users; u++) {
    const g = u % 4;
    const baskets = 2 + Math.floor(rand() * 4);
    let pos = Math.floor(rand() * 10);
    for (let b = 0; b < baskets; b++) {
      const size = 2 + Math.floor(rand() * 3);
      for (let k = 0; k < size; k++) {
        // Mostly the group's items, walking forward (a sequential pattern), sometimes any item.
        const item = rand() < 0.85 ? g * 30 + ((pos + k) % 30) : 120 + Math.floor(rand() * (items - 120));
        rows.push({ user: u, item, basket: `b${u}-${b}`, time: Date.UTC(2021, 0, 1) + (b * 7 + u / users) * 86_400_000 });
      }
      pos += size;
    }
  }
  return { rows, itemIds: Array.from({ length: items }, (_, i) => `i${String(i).padStart(3, '0')}`), users, items };
}

/** The same baskets with every held-out (last, for users with 2+) basket's items replaced. */
function scrambleHeldOut(b: Baskets, seed: number): Baskets {
  const split = protocolSplit(b);
  const rows: BasketRow[] = [];
  let s = seed;
  for (let x = 0; x < b.basketUser.length; x++) {
    for (let k = b.ptr[x]; k < b.ptr[x + 1]; k++) {
      s = (s * 48271) % 2147483647;
      const item = split.heldOut[x] ? s % b.itemCount : b.items[k];
      rows.push({ user: b.basketUser[x], item, basket: b.basketName[x], time: b.basketTime[x] });
    }
  }
  return basketsFromRows(rows, b.userCount, b.itemCount);
}

describe('per-user recommendations', () => {
  const log = groupLog(7);
  const baskets = basketsFromRows(log.rows, log.users, log.items);
  const order = idOrder(log.itemIds);

  it('new lists hold no owned or excluded item; again lists only owned ones; both beat popularity on a structured log', () => {
    const split = protocolSplit(baskets);
    const exclude = new Uint8Array(log.items);
    exclude[3] = 1; // a "service line"
    const rec = fitPerUser(split.train, order, { exclude });
    const lists = new PerUserLists(rec, 10);
    for (let u = 0; u < log.users; u++) {
      const owned = new Set(split.trainItems.subarray(split.trainPtr[u], split.trainPtr[u + 1]));
      const n = lists.newFor(u);
      expect(n.items.length).toBe(10);
      for (const i of n.items) {
        expect(owned.has(i)).toBe(false);
        expect(i).not.toBe(3);
      }
      for (let r = 1; r < n.scores.length; r++) expect(n.scores[r]).toBeLessThanOrEqual(n.scores[r - 1]);
      expect(n.reasons.every((x) => /^(knn|rp3|next|users|popular)(\+(knn|rp3|next|users|popular))*$/.test(x))).toBe(true);
      const a = lists.againFor(u);
      for (const i of a.items) {
        expect(owned.has(i)).toBe(true);
        expect(i).not.toBe(3);
      }
    }
    const pop = trainPopularity(split);
    const popular = scoreDense(split, (_u, o) => o.set(pop), order, 'new', 10);
    const mine = scoreLists(split, (u) => lists.newFor(u).items, 'new', 10);
    expect(mine.recall).toBeGreaterThan(popular.recall * 1.5);
  });

  it('chooses its settings without the test baskets: scrambling them changes the score, never the choice', () => {
    const a = evaluateBaskets(baskets, log.itemIds, {
      by: 'user',
      events: 'purchases',
      basket: 'session',
      kept: 0,
      skipped: { noUser: 0, notPurchase: 0, notPositive: 0 },
    });
    const scrambled = scrambleHeldOut(baskets, 11);
    const b = evaluateBaskets(scrambled, log.itemIds, a.source);
    // The held-out baskets differ, so the test scores do...
    expect(b.recall20.recommended).not.toBe(a.recall20.recommended);
    // ...but the settings, and their validation scores, come from the training baskets alone.
    expect(b.chosen).toEqual(a.chosen);
    expect(b.validation).toEqual(a.validation);
    expect(a.validation!.users).toBeGreaterThan(0);
  });

  it('the exported recommendations.csv, read back from disk, scores exactly as the lists it was written from', () => {
    const split = protocolSplit(baskets);
    const rec = fitPerUser(split.train, order, {});
    const lists = new PerUserLists(rec, 20);
    const ids = Array.from({ length: log.users }, (_, u) => `=u${u}`); // formula-like ids are neutralised and read back
    const csv = recommendationsCsv({
      ids,
      labels: new Int32Array(log.users),
      selection: null,
      perUser: (u) => ({ new: lists.newFor(u), again: lists.againFor(u) }),
      itemIds: log.itemIds,
      itemTitles: log.itemIds.map((i) => `title, "${i}"`),
      clusterLabels: ['all'],
    });
    const file = join(mkdtempSync(join(tmpdir(), 'seqlens-recs-')), 'recommendations.csv');
    writeFileSync(file, exportText(csv));
    const text = readFileSync(file, 'utf8');
    const fresh = readRecommendationsCsv(text, ids, log.itemIds, 'new');
    const again = readRecommendationsCsv(text, ids, log.itemIds, 'again');
    expect(fresh.skipped).toEqual({ unknownUser: 0, badRank: 0, malformed: 0 });
    expect(fresh.lists.size).toBe(log.users);
    const fromDisk = scoreLists(split, (u) => fresh.lists.get(u), 'new');
    const direct = scoreLists(split, (u) => lists.newFor(u).items, 'new');
    expect(fromDisk).toEqual(direct);
    expect(fromDisk.recall).toBeGreaterThan(0);
    expect(scoreLists(split, (u) => again.lists.get(u), 'repeat')).toEqual(scoreLists(split, (u) => lists.againFor(u).items, 'repeat'));
  });
  it('a user ranked again (after others, or twice in a row) gets the same list; one gather serves every decay', () => {
    const rec = fitPerUser(baskets, order, {});
    const lists = new PerUserLists(rec, 10);
    const first = Array.from({ length: log.users }, (_, u) => lists.newFor(u));
    for (const u of [5, 5, 0, 17, 5]) {
      const again = lists.newFor(u);
      expect(Array.from(again.items)).toEqual(Array.from(first[u].items));
      expect(Array.from(again.scores)).toEqual(Array.from(first[u].scores));
    }
    // collectDecays(u, ds)[d] is collect(u, ds[d]): the candidates and the other signals do not
    // depend on the decay, only knn and rp3 are spread again.
    const model = fitNewItems(baskets, order, undefined);
    const one = new SignalCollector(model, 20);
    const many = new SignalCollector(model, 20);
    const decays = [1, 0.7, 0.4];
    for (let u = 0; u < log.users; u += 7) {
      const all = many.collectDecays(u, decays);
      decays.forEach((d, k) => {
        const sig = one.collect(u, d);
        expect(Array.from(all[k].items)).toEqual(Array.from(sig.items));
        expect(Array.from(all[k].values)).toEqual(Array.from(sig.values));
      });
    }
  });
  it('kthLargest is the k-th largest counted with ties, on both of its paths (heap for small k, quickselect)', () => {
    let s = 3;
    const rand = (): number => {
      s = (s * 48271) % 2147483647;
      return s / 2147483647;
    };
    for (const m of [1, 7, 64, 500, 3000]) {
      const a = new Float64Array(m);
      // Few distinct values, so ties at the cut are common.
      for (let q = 0; q < m; q++) a[q] = Math.floor(rand() * 12) / 4;
      const sorted = Array.from(a).sort((x, y) => y - x);
      for (const k of [1, 2, Math.max(1, m >> 3), Math.max(1, m >> 1), m]) {
        expect(kthLargest(a, m, k, new Float64Array(m))).toBe(sorted[k - 1]);
      }
    }
  });
});
