import { describe, expect, it } from 'vitest';
import { Random } from '../../numeric/sfc32';
import { analyzeCsv } from '../../../../test/lib/testLog';
import { PURCHASE } from '../../ingest/eventTypes';
import { basketsFromTable, idOrder } from '../../eval';
import { evaluateRecommendations } from '../../eval/recommendations';
import { recommendForSequences } from './forSequences';
import { clearGain, fitPerUser, LOOK_EVIDENCE_MIN, LOOKED_PRIOR } from './fit';
import { lookedBefore, lookedFirst, lookHistory } from './viewed';

const LOG = [
  'user_id,session_id,timestamp,item_id,event_type',
  'u1,s1,2021-01-01 10:00:00,A,view',
  'u1,s1,2021-01-01 10:01:00,B,view',
  'u1,s1,2021-01-01 10:02:00,B,cart',
  'u1,s1,2021-01-01 10:03:00,B,purchase',
  'u1,s2,2021-01-03 10:00:00,C,view',
  'u1,s2,2021-01-03 10:05:00,A,view',
  'u1,s3,2021-01-05 10:00:00,D,click',
  'u2,s4,2021-01-02 10:00:00,A,purchase',
  'u2,s4,2021-01-02 10:00:00,E,return',
];

describe('what customers looked at and did not buy', () => {
  it('keeps each customer’s viewed, clicked and carted items with their first and last time', async () => {
    const { table } = await analyzeCsv(LOG);
    const h = lookHistory(table)!;
    const u1 = table.users.indexOf('u1');
    const u2 = table.users.indexOf('u2');
    const mine = (u: number) =>
      Array.from({ length: h.ptr[u + 1] - h.ptr[u] }, (_, q) => {
        const s = h.ptr[u] + q;
        return [table.items[h.items[s]], new Date(h.first[s]).toISOString().slice(0, 16), new Date(h.last[s]).toISOString().slice(0, 16)];
      }).sort();
    expect(mine(u1)).toEqual([
      ['A', '2021-01-01T10:00', '2021-01-03T10:05'],
      ['B', '2021-01-01T10:01', '2021-01-01T10:02'],
      ['C', '2021-01-03T10:00', '2021-01-03T10:00'],
      ['D', '2021-01-05T10:00', '2021-01-05T10:00'],
    ]);
    // Purchases and returns are not looks.
    expect(mine(u2)).toEqual([]);
  });

  it('lists them latest first, before a cut, without what was bought or left out', async () => {
    const { table } = await analyzeCsv(LOG);
    const h = lookHistory(table)!;
    const u1 = table.users.indexOf('u1');
    const item = (id: string) => table.items.indexOf(id);
    const idRank = new Int32Array(table.items.length);
    idOrder(table.items).forEach((i, r) => {
      idRank[i] = r;
    });
    const none = new Uint8Array(table.items.length);
    const names = (xs: Int32Array) => Array.from(xs, (i) => table.items[i]);
    const boughtB = (i: number) => i === item('B');
    expect(names(lookedBefore(h, u1, Infinity, boughtB, none, idRank, 10))).toEqual(['D', 'A', 'C']);
    // Before Jan 3 10:02 only A (first seen Jan 1) and C count; A's last look is after the cut, so its first one dates it.
    expect(names(lookedBefore(h, u1, Date.UTC(2021, 0, 3, 10, 2), boughtB, none, idRank, 10))).toEqual(['C', 'A']);
    const outC = new Uint8Array(table.items.length);
    outC[item('C')] = 1;
    expect(names(lookedBefore(h, u1, Infinity, boughtB, outC, idRank, 2))).toEqual(['D', 'A']);
    expect(Array.from(lookedFirst(Int32Array.from([5, 2]), [2, 7, 8, 9], 4))).toEqual([5, 2, 7, 8]);
  });
});

/** Shoppers who view a few items and buy one of them in the same visit: looking predicts buying. */
function browsingLog(seed: number, buyWhatTheyViewed: boolean): string[] {
  const random = new Random(seed);
  const rand = (): number => random.float();
  const rows = ['user_id,session_id,timestamp,item_id,event_type'];
  for (let u = 0; u < 150; u++) {
    for (let v = 0; v < 3; v++) {
      const day = String(1 + v * 3 + (u % 3)).padStart(2, '0');
      const viewed = [0, 1, 2].map(() => Math.floor(rand() * 60));
      viewed.forEach((i, k) => rows.push(`u${u},u${u}-${v},2021-01-${day} 10:0${k}:00,p${i},view`));
      // Else they buy from their own taste (a third of the catalogue, its first items most),
      // whatever they looked at: the model's lists predict that, their views do not.
      const bought = buyWhatTheyViewed ? viewed[Math.floor(rand() * 3)] : (u % 3) * 20 + Math.floor(20 * rand() ** 2);
      rows.push(`u${u},u${u}-${v},2021-01-${day} 10:05:00,p${bought},purchase`);
    }
  }
  return rows;
}

describe('looked-at items leading the new list', () => {
  it('are chosen on validation when looking leads to buying, and not when it does not', async () => {
    const yes = (await analyzeCsv(browsingLog(7, true))).table;
    const no = (await analyzeCsv(browsingLog(7, false))).table;
    const choose = (t: typeof yes) => {
      const { baskets } = basketsFromTable(t);
      return fitPerUser(baskets, idOrder(t.items), { looks: lookHistory(t) }).params.newItems.lookedFirst;
    };
    expect(choose(yes)).toBeGreaterThan(0);
    expect(choose(no)).toBe(0);
    // Without a look history there is nothing to choose.
    const { baskets } = basketsFromTable(yes);
    expect(fitPerUser(baskets, idOrder(yes.items), {}).params.newItems.lookedFirst).toBeUndefined();
    // Scored under the protocol (held-out baskets, looks before them only), they lift the lists.
    const scored = evaluateRecommendations(yes);
    expect(scored.recall20.recommended).toBeGreaterThan(scored.recall20.popularity + 0.2);
  });

  it('lead each customer’s exported list, looked at before and not bought, with their reason', async () => {
    const { table, sequences } = await analyzeCsv(browsingLog(3, true));
    const r = recommendForSequences(table, sequences, 5);
    expect(r.recommender.params.newItems.lookedFirst).toBeGreaterThan(0);
    const h = lookHistory(table)!;
    let led = 0;
    for (let u = 0; u < table.users.length; u++) {
      const l = r.listsForUser(u);
      const looked = new Set(h.items.subarray(h.ptr[u], h.ptr[u + 1]));
      const bought = new Set<number>();
      for (let e = 0; e < table.length; e++) if (table.user[e] === u && table.type[e] === PURCHASE) bought.add(table.item[e]);
      l.new.reasons.forEach((reason, q) => {
        const i = l.new.items[q];
        expect(bought.has(i)).toBe(false);
        if (reason === 'looked at, not bought') {
          expect(looked.has(i)).toBe(true);
          led++;
        }
      });
      // Scores never rise down the list.
      for (let q = 1; q < l.new.scores.length; q++) expect(l.new.scores[q]).toBeLessThanOrEqual(l.new.scores[q - 1]);
    }
    expect(led).toBeGreaterThan(table.users.length);
  });
});

describe('looked-at items when validation cannot tell', () => {
  it('lead by LOOKED_PRIOR in a log with too few validation customers, and the export shows them', async () => {
    // Twelve customers who look at two items and buy a third once: nobody bought twice, so no
    // validation customer: everyone got the same best sellers before.
    const rows = ['user_id,session_id,timestamp,item_id,event_type'];
    for (let u = 0; u < 12; u++)
      rows.push(
        `u${u},s${u},2021-01-01 10:00:00,p${u},view`,
        `u${u},s${u},2021-01-01 10:01:00,p${u + 1},view`,
        `u${u},s${u},2021-01-01 10:02:00,p${20 + (u % 2)},purchase`,
      );
    const { table, sequences } = await analyzeCsv(rows);
    const { baskets } = basketsFromTable(table);
    const rec = fitPerUser(baskets, idOrder(table.items), { looks: lookHistory(table) });
    expect(rec.validation?.users ?? 0).toBeLessThan(LOOK_EVIDENCE_MIN);
    expect(rec.params.newItems.lookedFirst).toBe(LOOKED_PRIOR);
    const r = recommendForSequences(table, sequences, 5);
    const firsts = new Set<number>();
    for (let u = 0; u < 12; u++) {
      const l = r.listsForUser(table.users.indexOf(`u${u}`)).new;
      expect(l.reasons.slice(0, 2)).toEqual(['looked at, not bought', 'looked at, not bought']);
      expect(new Set(Array.from(l.items.subarray(0, 2), (i) => table.items[i]))).toEqual(new Set([`p${u}`, `p${u + 1}`]));
      firsts.add(l.items[0]);
    }
    expect(firsts.size).toBeGreaterThan(6);
  });
});

describe('clearGain', () => {
  it('takes a paired gain only when it is clear of chance', () => {
    const a = new Float64Array(200);
    const clear = Float64Array.from(a, (_x, q) => (q % 4 === 0 ? 1 : 0));
    // Two cases better and one worse out of 200: noise.
    const noise = Float64Array.from(a, (_x, q) => (q < 2 ? 1 : q === 2 ? -1 : 0));
    expect(clearGain(a, clear)).toBe(true);
    expect(clearGain(a, noise)).toBe(false);
    expect(clearGain(clear, a)).toBe(false);
  });
});
