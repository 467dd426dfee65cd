import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCsv } from '../../../test/lib/testLog';
import { basketsFromTable } from './baskets';
import { idOrder, protocolSplit, readRecommendationsCsv, scoreDense, scoreLists, trainPopularity } from './protocol';

// A hand-made invoice log (UCI's columns) whose split and scores are worked out by hand below.
const LOG = [
  'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
  // u1: i1 then i2 (held out: C is new, A is bought again).
  'i1,A,a,1,2021-01-01 10:00:00,1,u1,UK',
  'i1,B,b,2,2021-01-01 10:00:00,1,u1,UK',
  'i2,C,c,1,2021-01-02 10:00:00,1,u1,UK',
  'i2,A,a,1,2021-01-02 10:05:00,1,u1,UK',
  // u2: one basket, training only.
  'i3,A,a,1,2021-01-01 11:00:00,1,u2,UK',
  'i3,C,c,1,2021-01-01 11:00:00,1,u2,UK',
  // u3: i5 and i6 share a time; the last by (time, InvoiceNo) is i6, holding only B (not new).
  'i4,B,b,1,2021-01-01 09:00:00,1,u3,UK',
  'i6,B,b,1,2021-01-03 09:00:00,1,u3,UK',
  'i5,D,d,1,2021-01-03 09:00:00,1,u3,UK',
  // u4: one basket; its cancellation and its zero-quantity line are not purchases.
  'i7,E,e,1,2021-01-05 09:00:00,1,u4,UK',
  'C9,E,e,-1,2021-01-06 09:00:00,1,u4,UK',
  'i10,F,f,0,2021-01-06 09:00:00,1,u4,UK',
  // u5: D twice.
  'i8,D,d,1,2021-01-01 09:00:00,1,u5,UK',
  'i9,D,d,3,2021-01-04 09:00:00,1,u5,UK',
  // No customer: left out.
  'i11,G,g,1,2021-01-04 09:00:00,1,,UK',
];

async function setup() {
  const { table } = await analyzeCsv(LOG);
  const { baskets, source } = basketsFromTable(table);
  const split = protocolSplit(baskets);
  const user = (id: string): number => table.users.indexOf(id);
  const item = (id: string): number => table.items.indexOf(id);
  const names = (xs: ArrayLike<number>): string[] => Array.from(xs, (i) => table.items[i]);
  return { table, baskets, source, split, user, item, names };
}

describe('recommendation protocol', () => {
  it('keeps customer purchases with a positive quantity, one basket per invoice in (time, invoice) order', async () => {
    const { baskets, source, table, user, names } = await setup();
    expect(source.events).toBe('purchases');
    expect(source.skipped.notPositive).toBe(1);
    expect(source.skipped.notPurchase + source.skipped.noUser).toBeGreaterThanOrEqual(1);
    const u3 = user('u3');
    const lo = baskets.userPtr[u3];
    expect(Array.from({ length: baskets.userPtr[u3 + 1] - lo }, (_, k) => baskets.basketName[lo + k])).toEqual(['i4', 'i5', 'i6']);
    // A basket's items are distinct; u4 keeps only i7.
    const u4 = user('u4');
    expect(baskets.userPtr[u4 + 1] - baskets.userPtr[u4]).toBe(1);
    const b1 = baskets.userPtr[user('u1')];
    expect(names(baskets.items.subarray(baskets.ptr[b1], baskets.ptr[b1 + 1])).sort()).toEqual(['A', 'B']);
    expect(table.items).not.toContain(undefined);
  });

  it('holds out the last basket of users with two or more; targets are its new items (main) or all of it (repeat)', async () => {
    const { split, user, names, table } = await setup();
    expect(Array.from(split.users, (u) => table.users[u])).toEqual(['u1']);
    expect(names(split.targets)).toEqual(['C']);
    expect(Array.from(split.repeatUsers, (u) => table.users[u]).sort()).toEqual(['u1', 'u3', 'u5']);
    const t1 = Array.from(split.repeatUsers).indexOf(user('u1'));
    expect(names(split.repeatTargets.subarray(split.repeatPtr[t1], split.repeatPtr[t1 + 1])).sort()).toEqual(['A', 'C']);
    // Training: u2 and u4 keep their single basket; u1 keeps only i1.
    const u1 = user('u1');
    expect(names(split.trainItems.subarray(split.trainPtr[u1], split.trainPtr[u1 + 1])).sort()).toEqual(['A', 'B']);
    const u2 = user('u2');
    expect(split.trainPtr[u2 + 1] - split.trainPtr[u2]).toBe(2);
    // Every item of the filtered log is a candidate, held-out only ones too; F (quantity 0) and G (no customer) are not.
    expect(names(Array.from(split.candidate.keys()).filter((i) => split.candidate[i])).sort()).toEqual(['A', 'B', 'C', 'D', 'E']);
  });

  it('scores popularity by hand: ties by item id, training items excluded in main, nothing in repeat', async () => {
    const { split, table } = await setup();
    const pop = trainPopularity(split);
    const order = idOrder(table.items);
    // Training buyers: A 2, B 2, C 1, D 2 (u3, u5), E 1. u1 ranks C, D, E as D, C, E: C at rank 2.
    const main = scoreDense(split, (_u, out) => out.set(pop), order, 'new');
    expect(main.users).toBe(1);
    expect(main.recall).toBe(1);
    expect(main.ndcg).toBeCloseTo(1 / Math.log2(3), 12);
    // Repeat: A, B, D, C, E for everyone. u1 {A, C}: ranks 1 and 4; u3 {B}: rank 2; u5 {D}: rank 3.
    const rep = scoreDense(split, (_u, out) => out.set(pop), order, 'repeat');
    expect(rep.users).toBe(3);
    expect(rep.recall).toBe(1);
    const u1 = (1 + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3));
    expect(rep.ndcg).toBeCloseTo((u1 + 1 / Math.log2(3) + 0.5) / 3, 12);
    // Cut at 2: u1 finds A only (1/2), u3 finds B, u5 misses D.
    const rep2 = scoreDense(split, (_u, out) => out.set(pop), order, 'repeat', 2);
    expect(rep2.recall).toBeCloseTo((0.5 + 1 + 0) / 3, 12);
  });

  it('scores a recommendations.csv read back from disk, dropping owned items from the new list', async () => {
    const { split, table, user } = await setup();
    const csv = [
      'user_id,cluster,label,list,rank,item_id,title,score,reason',
      // u1's new list: A is owned (dropped), then E, then C: C counts at rank 2.
      'u1,0,x,new,1,A,a,3,knn',
      'u1,0,x,new,3,C,c,1,knn',
      'u1,0,x,new,2,E,e,2,popular',
      'u1,0,x,again,1,B,b,1,bought 1x',
      'u1,0,x,again,2,A,a,1,bought 1x',
      'u3,0,x,again,1,B,b,1,bought 1x',
      'nobody,0,x,new,1,C,c,1,knn',
    ].join('\r\n');
    const dir = mkdtempSync(join(tmpdir(), 'seqlens-protocol-'));
    const file = join(dir, 'recommendations.csv');
    writeFileSync(file, csv);
    const text = readFileSync(file, 'utf8');
    const fresh = readRecommendationsCsv(text, table.users, table.items, 'new');
    expect(fresh.skipped.unknownUser).toBe(1);
    expect(fresh.lists.get(user('u1'))!.map((i) => table.items[i])).toEqual(['A', 'E', 'C']);
    const main = scoreLists(split, (u) => fresh.lists.get(u), 'new');
    expect(main.recall).toBe(1);
    expect(main.ndcg).toBeCloseTo(1 / Math.log2(3), 12);
    const again = readRecommendationsCsv(text, table.users, table.items, 'again');
    const rep = scoreLists(split, (u) => again.lists.get(u), 'repeat');
    // u1 {A, C}: A at rank 2 (recall 1/2); u3 {B}: rank 1; u5 has no list (0).
    expect(rep.recall).toBeCloseTo((0.5 + 1 + 0) / 3, 12);
    expect(rep.ndcg).toBeCloseTo((1 / Math.log2(3) / (1 + 1 / Math.log2(3)) + 1 + 0) / 3, 12);
  });
});
