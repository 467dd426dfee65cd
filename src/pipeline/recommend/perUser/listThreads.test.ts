import { describe, expect, it } from 'vitest';
import { idOrder } from '../../eval';
import { generatedBaskets } from '../../../../test/lib/synthBaskets';
import type { HelperThreads } from '../../threads';
import { inProcessThreads } from '../../../../test/lib/inProcessThreads';
import { fitPerUser, PerUserLists, type PerUserRecommender } from './fit';
import { allLists, allListsHere, fitPerUserOnThreads, type AllLists } from './listThreads';
import { recommendForSequences, recommendForSequencesOnThreads, type ListsOfUser } from './forSequences';
import { analyzeSource } from '../../analyze';
import { blobSource } from '../../ingest/parts';

/** A generated log (every event of a session as a basket), fitted with the validation choice. */
function fitted(users = 700, items = 300) {
  const { baskets, order } = generatedBaskets({ seed: 11, users, items, events: 9000, segments: 4 });
  const rec = fitPerUser(baskets, order);
  return { rec, users: Int32Array.from({ length: users }, (_, u) => u) };
}

/** Every user's lists straight from PerUserLists, one user at a time. */
function reference(all: AllLists, rec: ReturnType<typeof fitted>['rec']): void {
  const lists = new PerUserLists(rec, all.top);
  for (let q = 0; q < all.users.length; q++) {
    const u = all.users[q];
    const n = lists.newFor(u);
    const a = lists.againFor(u);
    const ns = all.newPtr[q];
    const ne = all.newPtr[q + 1];
    expect(Array.from(all.newItems.subarray(ns, ne))).toEqual(Array.from(n.items));
    expect(Array.from(all.newScores.subarray(ns, ne))).toEqual(Array.from(n.scores));
    expect(all.newReasons.slice(ns, ne)).toEqual(n.reasons);
    const as = all.againPtr[q];
    const ae = all.againPtr[q + 1];
    expect(Array.from(all.againItems.subarray(as, ae))).toEqual(Array.from(a.items));
    expect(Array.from(all.againScores.subarray(as, ae))).toEqual(Array.from(a.scores));
    expect(all.againReasons.slice(as, ae)).toEqual(a.reasons);
  }
}

function same(x: AllLists, y: AllLists): void {
  expect(Array.from(x.users)).toEqual(Array.from(y.users));
  expect(Array.from(x.newPtr)).toEqual(Array.from(y.newPtr));
  expect(Array.from(x.newItems)).toEqual(Array.from(y.newItems));
  expect(Array.from(x.newScores)).toEqual(Array.from(y.newScores));
  expect(x.newReasons).toEqual(y.newReasons);
  expect(Array.from(x.againPtr)).toEqual(Array.from(y.againPtr));
  expect(Array.from(x.againItems)).toEqual(Array.from(y.againItems));
  expect(Array.from(x.againScores)).toEqual(Array.from(y.againScores));
  expect(x.againReasons).toEqual(y.againReasons);
}

describe("every user's lists on helper threads", () => {
  const { rec, users } = fitted();
  // Users in an order of their own, with a repeat: the lists follow `users`.
  const order = Int32Array.from([...users].reverse().concat([3, 3]));

  it('gives, on one thread, what PerUserLists gives user by user', () => {
    const here = allListsHere(rec, order, 7);
    expect(here.newPtr[order.length]).toBeGreaterThan(order.length * 5);
    expect(here.againPtr[order.length]).toBeGreaterThan(0);
    reference(here, rec);
  });

  it('gives the same lists, bit for bit, on helper threads (chunks from one queue)', async () => {
    const here = allListsHere(rec, order, 7);
    const { threads, stats } = inProcessThreads(3);
    const r = await allLists(rec, order, 7, threads, { minUsers: 0, chunk: 100 });
    expect(r.threads).toBe(3);
    expect(stats.spawned).toBe(3);
    expect(stats.terminated).toBe(3);
    expect(stats.messages.filter((m) => m.endsWith(':lists-run'))).toHaveLength(Math.ceil(order.length / 100));
    same(r.lists, here);
  });

  it("hands a dead helper's users to the others, and lists what is left here when all are dead", async () => {
    const here = allListsHere(rec, order, 7);
    // Helper 1 dies on its second chunk (messages: init, run, run).
    const one = inProcessThreads(2, (_, helper, nth) => helper === 1 && nth === 2);
    const r1 = await allLists(rec, order, 7, one.threads, { minUsers: 0, chunk: 100 });
    same(r1.lists, here);
    expect(r1.threads).toBe(2);
    const all = inProcessThreads(2, (m) => m.type !== 'lists-init');
    const r2 = await allLists(rec, order, 7, all.threads, { minUsers: 0, chunk: 100 });
    same(r2.lists, here);
    expect(r2.threads).toBe(0);
  });

  it('stays on its thread without helpers, when they cannot start, or for few users', async () => {
    const here = allListsHere(rec, order, 7);
    const broken: HelperThreads = {
      size: 2,
      spawn: () => {
        throw new Error('no workers here');
      },
    };
    const a = await allLists(rec, order, 7, broken, { minUsers: 0, chunk: 100 });
    same(a.lists, here);
    expect(a.threads).toBe(0);
    const { threads, stats } = inProcessThreads(2);
    const b = await allLists(rec, order, 7, threads);
    same(b.lists, here);
    expect(b.threads).toBe(0);
    expect(stats.spawned).toBe(0);
    same((await allLists(rec, order, 7, null)).lists, here);
  });
});

describe('fitPerUserOnThreads', () => {
  const { rec } = fitted();
  const b = rec.newModel.baskets;
  const order = idOrder(Array.from({ length: b.itemCount }, (_, i) => `i${String(i).padStart(4, '0')}`));

  function sameRecommender(x: PerUserRecommender, y: PerUserRecommender): void {
    expect(x.params).toEqual(y.params);
    expect(x.validation).toEqual(y.validation);
    const arrays = (r: PerUserRecommender) => {
      const m = r.newModel;
      const a = r.againModel;
      const typed: ArrayLike<number>[] = [
        m.uPtr,
        m.uItems,
        m.index.iPtr,
        m.index.iUsers,
        m.popularity,
        m.popOrder,
        m.idRank,
        m.exclude,
        a.repeatRate,
        a.gap,
        a.share,
        a.idRank,
      ];
      for (const nb of [m.knn, m.rp3, m.next]) typed.push(nb.ptr, nb.item, nb.weight);
      return typed.map((t) => Array.from(t));
    };
    expect(arrays(x)).toEqual(arrays(y));
    expect([x.againModel.timed, x.againModel.now]).toEqual([y.againModel.timed, y.againModel.now]);
    expect(x.newModel.baskets).toBe(b);
  }

  it('fits the models on a helper while this thread chooses the settings: the same recommender as fitPerUser', async () => {
    const { threads, stats } = inProcessThreads(2);
    const r = await fitPerUserOnThreads(b, order, {}, threads, { minUsers: 0 });
    expect(r.threads).toBe(1);
    expect(stats.messages).toEqual(['0:peruser-fit']);
    expect(stats.terminated).toBe(1);
    sameRecommender(r.rec, rec);
    // Its lists are the one-thread lists.
    const users = Int32Array.from({ length: b.userCount }, (_, u) => u);
    same(allListsHere(r.rec, users, 5), allListsHere(rec, users, 5));
  });

  it('fits here when the helper dies, when none can start, or with fixed settings', async () => {
    const dead = inProcessThreads(2, () => true);
    const r1 = await fitPerUserOnThreads(b, order, {}, dead.threads, { minUsers: 0 });
    expect(r1.threads).toBe(0);
    expect(r1.problem).toBeTruthy();
    sameRecommender(r1.rec, rec);
    const broken: HelperThreads = {
      size: 2,
      spawn: () => {
        throw new Error('no workers here');
      },
    };
    sameRecommender((await fitPerUserOnThreads(b, order, {}, broken, { minUsers: 0 })).rec, rec);
    const fixed = inProcessThreads(2);
    const r3 = await fitPerUserOnThreads(b, order, { params: rec.params }, fixed.threads, { minUsers: 0 });
    expect(fixed.stats.spawned).toBe(0);
    expect(r3.rec.validation).toBeNull();
    expect(r3.rec.params).toEqual(rec.params);
  });
});

describe('recommendForSequencesOnThreads', () => {
  it('gives every sequence and every customer the lists recommendForSequences gives', async () => {
    // 120 customers in 3 tastes, 2-4 purchase invoices each, and views (other events: filtered from `new`).
    const rows = ['user_id,item_id,title,event_type,timestamp,session_id'];
    let s = 9;
    const rand = (): number => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
    const start = Date.UTC(2024, 0, 1);
    for (let u = 0; u < 120; u++) {
      const g = u % 3;
      const invoices = 2 + Math.floor(rand() * 3);
      for (let x = 0; x < invoices; x++) {
        const at = new Date(start + (x * 10 + u / 120) * 86_400_000).toISOString();
        for (let k = 0; k < 3; k++) {
          const item = rand() < 0.8 ? g * 12 + Math.floor(rand() * 12) : 36 + Math.floor(rand() * 10);
          const type = rand() < 0.25 ? 'view' : 'purchase';
          rows.push(`c${u},p${item},item ${item},${type},${at},i${u}_${x}`);
        }
      }
    }
    const a = await analyzeSource(blobSource(new Blob([rows.join('\n')])), { fileName: 'shop.csv' });
    const { table } = a.ingested;
    const one = recommendForSequences(table, a.sequences, 6);
    const { threads, stats } = inProcessThreads(2);
    const many = await recommendForSequencesOnThreads(table, a.sequences, 6, {}, threads, { minUsers: 0, chunk: 30 });
    expect(stats.messages.filter((m) => m.endsWith(':peruser-fit'))).toHaveLength(1);
    expect(stats.messages.filter((m) => m.endsWith(':lists-run'))).toHaveLength(4);
    expect(many.recommender.params).toEqual(one.recommender.params);
    expect(Array.from(many.extraUsers)).toEqual(Array.from(one.extraUsers));
    const plain = (l: ListsOfUser) => ({
      new: [Array.from(l.new.items), Array.from(l.new.scores), l.new.reasons],
      again: [Array.from(l.again.items), Array.from(l.again.scores), l.again.reasons],
    });
    expect(a.sequences.count).toBeGreaterThan(100);
    let listed = 0;
    for (let q = 0; q < a.sequences.count; q++) {
      expect(plain(many.listsFor(q))).toEqual(plain(one.listsFor(q)));
      listed += many.listsFor(q).new.items.length;
    }
    expect(listed).toBeGreaterThan(a.sequences.count * 3);
    for (let u = 0; u < table.users.length; u++) expect(plain(many.listsForUser(u))).toEqual(plain(one.listsForUser(u)));
  });
});
