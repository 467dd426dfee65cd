import { describe, expect, it } from 'vitest';
import { analyzeCsv } from '../../../test/lib/testLog';
import { profileClusters, ProfileInputError } from './index';
import { MAX_LABEL } from './label';

// Four users, two clusters, every number below worked out by hand.
//   u1 (cluster 0): s1 view/cart/purchase i1 (20), view i2; s2 purchase i2 (30)      -> V C B, 50, orders s1 s2
//   u2 (cluster 0): s3 view i1, view i3                                               -> V, 0
//   u3 (cluster 1): s4 view/cart/purchase i3 (50), purchase i4 (80); s5 return i4 (80) -> V C B R, 50, order s4 only
//   u4 (cluster 1): s6 cart i4, purchase i4 (80)                                      -> C B, 80, order s6
const HEADER = 'event_time,event_type,product_id,category_code,brand,price,user_id,user_session,title';
const I1 = 'i1,home.kitchen.kettle,acme,20,';
const I2 = 'i2,home.kitchen.kettle,bolt,30,';
const I3 = 'i3,apparel.shoes,acme,50,';
const I4 = 'i4,apparel.shoes,,80,';
const T = { i1: 'steel kettle', i2: 'glass kettle', i3: 'running shoes', i4: 'leather shoes' };
const row = (time: string, type: string, item: string, user: string, session: string, title: string) =>
  `2021-01-01 ${time} UTC,${type},${item}${user},${session},${title}`;
const LOG = [
  HEADER,
  row('10:00:00', 'view', I1, 'u1', 's1', T.i1),
  row('10:01:00', 'cart', I1, 'u1', 's1', T.i1),
  row('10:02:00', 'purchase', I1, 'u1', 's1', T.i1),
  row('10:03:00', 'view', I2, 'u1', 's1', T.i2),
  row('12:00:00', 'purchase', I2, 'u1', 's2', T.i2),
  row('10:00:00', 'view', I1, 'u2', 's3', T.i1),
  row('10:01:00', 'view', I3, 'u2', 's3', T.i3),
  row('10:00:00', 'view', I3, 'u3', 's4', T.i3),
  row('10:01:00', 'cart', I3, 'u3', 's4', T.i3),
  row('10:02:00', 'purchase', I3, 'u3', 's4', T.i3),
  row('10:03:00', 'purchase', I4, 'u3', 's4', T.i4),
  row('15:00:00', 'return', I4, 'u3', 's5', T.i4),
  row('10:00:00', 'cart', I4, 'u4', 's6', T.i4),
  row('10:01:00', 'purchase', I4, 'u4', 's6', T.i4),
];

async function handMade() {
  const { table, sequences } = await analyzeCsv(LOG, { by: 'user' });
  const labels = new Int32Array(sequences.count);
  const clusterOf: Record<string, number> = { u1: 0, u2: 0, u3: 1, u4: 1 };
  for (let i = 0; i < sequences.count; i++) labels[i] = clusterOf[table.users[sequences.key[i]]];
  return { table, sequences, labels };
}

describe('profileClusters on a hand-made log', () => {
  it('counts sizes, events, lengths, funnels, revenue and orders', async () => {
    const { table, sequences, labels } = await handMade();
    const p = profileClusters(table, sequences, labels, 2);
    expect(p.users).toBe(4);
    expect(p.hasPrice && p.hasTitles && p.hasCategories && p.hasBrands).toBe(true);
    expect(p.termSource).toBe('titles');

    const o = p.overall;
    expect([o.size, o.share, o.events]).toEqual([4, 1, 14]);
    // Lengths 5, 2, 5, 2: p90 interpolates between ranks (position 2.7 of [2, 2, 5, 5]).
    expect(o.length).toEqual({ mean: 3.5, median: 3.5, p90: 5 });
    expect(o.funnel).toEqual({ viewers: 3, carters: 3, buyers: 3, returners: 1, viewToCart: 2 / 3, cartToPurchase: 1, viewToPurchase: 2 / 3 });
    expect(o.revenue).toBe(180);
    expect(o.orders).toBe(4);
    expect(o.aov).toBe(45);
    expect(o.revenuePerUser).toBe(45);

    const [c0, c1] = p.clusters;
    expect([c0.cluster, c0.size, c0.share, c0.events]).toEqual([0, 2, 0.5, 7]);
    expect(c0.length.mean).toBe(3.5);
    expect(c0.length.p90).toBeCloseTo(4.7, 12);
    expect(c0.funnel).toEqual({ viewers: 2, carters: 1, buyers: 1, returners: 0, viewToCart: 0.5, cartToPurchase: 1, viewToPurchase: 0.5 });
    expect([c0.revenue, c0.orders, c0.aov, c0.revenuePerUser]).toEqual([50, 2, 25, 25]);

    expect(c1.funnel).toEqual({ viewers: 1, carters: 2, buyers: 2, returners: 1, viewToCart: 1, cartToPurchase: 1, viewToPurchase: 1 });
    // The return subtracts its 80 once; the return-only session s5 is not an order.
    expect([c1.revenue, c1.orders, c1.aov, c1.revenuePerUser]).toEqual([130, 2, 65, 65]);
  });

  it('ranks categories, brands and items by distinct users, with share and lift', async () => {
    const { table, sequences, labels } = await handMade();
    const p = profileClusters(table, sequences, labels, 2);
    expect(p.overall.topCategories).toEqual([
      { name: 'apparel.shoes', users: 3, share: 0.75, lift: 1 },
      { name: 'home.kitchen.kettle', users: 2, share: 0.5, lift: 1 },
    ]);
    const [c0, c1] = p.clusters;
    expect(c0.topCategories).toEqual([
      { name: 'home.kitchen.kettle', users: 2, share: 1, lift: 2 },
      { name: 'apparel.shoes', users: 1, share: 0.5, lift: 0.5 / 0.75 },
    ]);
    expect(c1.topCategories).toEqual([{ name: 'apparel.shoes', users: 2, share: 1, lift: 1 / 0.75 }]);
    expect(c0.topBrands).toEqual([
      { name: 'acme', users: 2, share: 1, lift: 1 / 0.75 },
      { name: 'bolt', users: 1, share: 0.5, lift: 2 },
    ]);
    // u4 only touched i4, which has no brand.
    expect(c1.topBrands).toEqual([{ name: 'acme', users: 1, share: 0.5, lift: 0.5 / 0.75 }]);

    // Ties (i1, i3, i4 have two users each) go to the item seen first in the file.
    expect(p.overall.topItems.map((x) => [x.id, x.users])).toEqual([
      ['i1', 2],
      ['i3', 2],
      ['i4', 2],
      ['i2', 1],
    ]);
    expect(c0.topItems.map((x) => [x.id, x.title, x.users, x.share, x.lift])).toEqual([
      ['i1', 'steel kettle', 2, 1, 2],
      ['i2', 'glass kettle', 1, 0.5, 2],
      ['i3', 'running shoes', 1, 0.5, 1],
    ]);
    expect(c1.topItems.map((x) => [x.id, x.users, x.lift])).toEqual([
      ['i4', 2, 2],
      ['i3', 1, 1],
    ]);
    expect(table.items[c1.topItems[0].item]).toBe('i4');

    const short = profileClusters(table, sequences, labels, 2, { top: 2, terms: 1 });
    expect(short.overall.topItems.map((x) => x.id)).toEqual(['i1', 'i3']);
    expect(short.clusters[0].topItems.map((x) => x.id)).toEqual(['i1', 'i2']);
    expect(short.clusters.map((c) => c.terms.length)).toEqual([1, 1]);
  });

  it('scores title terms with class-based TF-IDF, every event counting', async () => {
    const { table, sequences, labels } = await handMade();
    const p = profileClusters(table, sequences, labels, 2);
    // Cluster 0 events: i1 x4, i2 x2, i3 x1 (14 words); cluster 1: i3 x3, i4 x4 (14 words).
    // f(t) over both: steel 4, kettle 6, glass 2, running 4, shoes 8, leather 4; A = 28 / 2 = 14.
    const w = (tf: number, words: number, f: number) => (tf / words) * Math.log(1 + 14 / f);
    const expected0 = [
      ['kettle', w(6, 14, 6)],
      ['steel', w(4, 14, 4)],
      ['glass', w(2, 14, 2)],
      ['running', w(1, 14, 4)],
      ['shoes', w(1, 14, 8)],
    ] as const;
    const expected1 = [
      ['shoes', w(7, 14, 8)],
      ['leather', w(4, 14, 4)],
      ['running', w(3, 14, 4)],
    ] as const;
    for (const [got, want] of [
      [p.clusters[0].terms, expected0],
      [p.clusters[1].terms, expected1],
    ] as const) {
      expect(got.map((t) => t.term)).toEqual(want.map((x) => x[0]));
      got.forEach((t, i) => expect(t.score).toBeCloseTo(want[i][1], 12));
    }
  });

  it('labels clusters by what sets them apart: behaviour, then the most over-represented category and terms', async () => {
    const { table, sequences, labels } = await handMade();
    const p = profileClusters(table, sequences, labels, 2);
    // Cluster 0 spends a median 25 against everybody's 50, and carts and buys less than everybody
    // (lift 2/3): low-spend browsers of kettles; "kettle" is not repeated.
    expect(p.clusters[0].label).toBe('Low spend, browsers · kettle · steel, glass');
    expect(p.clusters[0].traits?.[0]).toMatchObject({ key: 'spend', word: 'Low spend', value: 25, overall: 50, ratio: 0.5 });
    // Half of cluster 1 returned, twice the overall rate; u3's return at 15:00 is the log's last event.
    expect(p.clusters[1].label).toBe('Returners, recent · shoes · leather, running');
  });

  it('makes labels distinct and names empty clusters', async () => {
    const { table, sequences } = await analyzeCsv([
      'user_id,item_id,event_type,timestamp,title',
      'u1,a,view,2021-01-01 10:00:00,blue mug',
      'u2,a,view,2021-01-01 10:00:00,blue mug',
    ]);
    const p = profileClusters(table, sequences, Int32Array.from([0, 1]), 4);
    const names = p.clusters.map((c) => c.label);
    expect(new Set(names).size).toBe(4);
    // The same customer twice: the title words name the first; the second gets its top item.
    expect(names.slice(0, 2)).toEqual(['Blue, mug', 'Typical · blue mug']);
    expect(names[2]).toBe('Empty #2');
    for (const l of names) expect(l.length).toBeGreaterThan(0);
    for (const l of names) expect(Array.from(l).length).toBeLessThanOrEqual(MAX_LABEL);
    const empty = p.clusters[3];
    expect([empty.size, empty.share, empty.events, empty.revenue, empty.terms.length, empty.topItems.length]).toEqual([0, 0, 0, null, 0, 0]);
    expect(empty.funnel.viewToCart).toBeNull();
    expect(empty.length).toEqual({ mean: 0, median: 0, p90: 0 });
  });

  it('counts purchases of UCI invoices once and cancellations as returns, without subtracting twice', async () => {
    const { table, sequences } = await analyzeCsv([
      'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
      '536365,A1,WHITE HEART HOLDER,6,2010-12-01 08:26:00,2.50,17850.0,United Kingdom',
      '536365,B2,RED LANTERN,2,2010-12-01 08:26:00,4.00,17850.0,United Kingdom',
      '536366,A1,WHITE HEART HOLDER,1,2010-12-02 08:26:00,2.50,17850.0,France',
      'C536367,A1,WHITE HEART HOLDER,-2,2010-12-03 09:00:00,2.50,17850.0,United Kingdom',
      '536368,B2,RED LANTERN,3,2010-12-01 10:00:00,4.00,13047.0,France',
    ]);
    const labels = Int32Array.from({ length: sequences.count }, (_, i) => (table.users[sequences.key[i]] === '17850' ? 0 : 1));
    const p = profileClusters(table, sequences, labels, 2);
    // 15 + 8 + 2.5 - 5 for 17850 over invoices 536365 and 536366; 12 for 13047.
    expect([p.clusters[0].revenue, p.clusters[0].orders]).toEqual([20.5, 2]);
    expect([p.clusters[1].revenue, p.clusters[1].orders]).toEqual([12, 1]);
    expect([p.overall.revenue, p.overall.orders]).toEqual([32.5, 3]);
    expect(p.overall.aov).toBeCloseTo(32.5 / 3, 12);
    // No views or carts in an invoice log: the steps before buying had nobody, so no conversions.
    expect(p.overall.funnel).toEqual({ viewers: 0, carters: 0, buyers: 2, returners: 1, viewToCart: null, cartToPurchase: null, viewToPurchase: null });
    expect(p.hasCategories).toBe(false);
    // 17850 ordered later and returned: the behaviour, then the title words (no categories).
    expect(p.clusters.map((c) => c.label)).toEqual(['Recent, returners · heart, holder', 'Lapsed, occasional · lantern, red']);
  });

  it('counts a sequence as one order without session ids, and gives no money figures without prices', async () => {
    const withPrice = await analyzeCsv([
      'user_id,item_id,event_type,timestamp,price',
      'u1,a,purchase,2021-01-01 10:00:00,5',
      'u1,b,purchase,2021-01-05 10:00:00,7',
      'u2,a,view,2021-01-01 10:00:00,5',
    ]);
    const p = profileClusters(withPrice.table, withPrice.sequences, new Int32Array(2), 1);
    expect([p.overall.revenue, p.overall.orders, p.overall.aov, p.overall.revenuePerUser]).toEqual([12, 1, 12, 6]);
    expect(p.termSource).toBeNull();
    expect(p.clusters[0].terms).toEqual([]);

    const noPrice = await analyzeCsv(['user_id,item_id,event_type,timestamp', 'u1,a,purchase,2021-01-01 10:00:00', 'u2,a,view,2021-01-01 10:00:00']);
    const q = profileClusters(noPrice.table, noPrice.sequences, new Int32Array(2), 1);
    expect(q.hasPrice).toBe(false);
    for (const g of [q.overall, q.clusters[0]]) expect([g.revenue, g.orders, g.aov, g.revenuePerUser]).toEqual([null, null, null, null]);
    expect(q.overall.funnel.buyers).toBe(1);
  });

  it('uses category and brand names as terms when no item has a title', async () => {
    const { table, sequences } = await analyzeCsv([
      'user_id,item_id,event_type,timestamp,category_code,brand',
      'u1,a,view,2021-01-01 10:00:00,electronics.audio.headphone,sony',
      'u2,b,view,2021-01-01 10:00:00,furniture.living_room.sofa,ikea',
    ]);
    const p = profileClusters(table, sequences, Int32Array.from([0, 1]), 2);
    expect(p.termSource).toBe('categories');
    expect(p.hasTitles).toBe(false);
    expect(p.clusters[0].terms.map((t) => t.term).sort()).toEqual(['audio', 'electronics', 'headphone', 'sony']);
    expect(p.clusters[1].terms.map((t) => t.term)).toContain('sofa');
  });

  it('gives Chinese titles character-bigram terms', async () => {
    const { table, sequences } = await analyzeCsv([
      'user_id,item_id,event_type,timestamp,title',
      'u1,a,view,2021-01-01 10:00:00,无线蓝牙耳机',
      'u1,b,view,2021-01-01 10:01:00,降噪耳机',
      'u2,c,view,2021-01-01 10:00:00,陶瓷茶杯',
    ]);
    const p = profileClusters(table, sequences, Int32Array.from([0, 1]), 2);
    // 耳机 ("earphones") is in both of u1's titles, so it leads; 无线 etc. once each.
    expect(p.clusters[0].terms[0].term).toBe('耳机');
    expect(p.clusters[1].terms.map((t) => t.term).sort()).toEqual(['瓷茶', '茶杯', '陶瓷']);
    expect(p.clusters[0].label).toContain('耳机');
  });

  it('profiles a log whose sequences were all filtered out', async () => {
    const { table, sequences } = await analyzeCsv(LOG, { by: 'user', minLength: 100 });
    expect(sequences.count).toBe(0);
    const p = profileClusters(table, sequences, new Int32Array(0), 2);
    expect([p.users, p.overall.size, p.overall.share, p.overall.revenue, p.overall.orders, p.overall.aov]).toEqual([0, 0, 0, 0, 0, null]);
    expect(p.clusters.map((c) => c.label)).toEqual(['Empty #0', 'Empty #1']);
  });

  it('rejects labels that do not fit the sequences or K', async () => {
    const { table, sequences, labels } = await handMade();
    const bad = (l: Int32Array, k: number) => () => profileClusters(table, sequences, l, k);
    expect(bad(labels.subarray(0, 3), 2)).toThrow(/3 cluster labels for 4 sequences/);
    expect(bad(Int32Array.from([0, 1, 2, 0]), 2)).toThrow(/Sequence 2 has cluster label 2, outside 0\.\.1/);
    expect(bad(Int32Array.from([0, -1, 0, 0]), 2)).toThrow(ProfileInputError);
    expect(bad(labels, 0)).toThrow(/at least 1/);
    expect(bad(labels, 1.5)).toThrow(/whole number/);
    expect(() => profileClusters(table, sequences, [0, 0, 1, 1] as unknown as Int32Array, 2)).toThrow(/Int32Array/);
    expect(() => profileClusters(table, sequences, labels, 2, { top: -1 })).toThrow(/top must be/);
  });
});
