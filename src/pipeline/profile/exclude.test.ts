// Service lines left out of the profiles (ProfileOptions.exclude), on the bundled demo (UCI invoice
// lines, with POSTAGE on many invoices) and on a hand-made log.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeStream } from '../analyze';
import { detectServiceItems } from '../catalog';
import { analyzeCsv } from '../../../test/lib/testLog';
import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';
import { eventAmount } from './money';
import { profileClusters, ProfileInputError, type ClusterProfiles, type GroupStats } from './index';

const DEMO = join(resolve(__dirname, '../../..'), 'public', 'demo', 'uci-online-retail-demo.csv');

let table: EventTable;
let sequences: Sequences;

beforeAll(async () => {
  const bytes = new Uint8Array(readFileSync(DEMO));
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(bytes);
      c.close();
    },
  });
  const a = await analyzeStream(stream, { fileName: 'demo.csv', totalBytes: bytes.length });
  table = a.ingested.table;
  sequences = a.sequences;
});

const groups = (p: ClusterProfiles): GroupStats[] => [p.overall, ...p.clusters];

describe('profiles without service lines', () => {
  const K = 4;
  let labels: Int32Array;
  let mask: Uint8Array;
  let plain: ClusterProfiles;
  let without: ClusterProfiles;
  beforeAll(() => {
    labels = new Int32Array(sequences.count);
    for (let i = 0; i < sequences.count; i++) labels[i] = i % K;
    mask = detectServiceItems(table).mask;
    plain = profileClusters(table, sequences, labels, K, { top: 120 });
    without = profileClusters(table, sequences, labels, K, { top: 120, exclude: mask });
  });

  it('has service lines among the top items of the demo when they are not left out', () => {
    // The premise of the other checks: postage is among the most shared "items" of the demo.
    expect(plain.overall.topItems.some((t) => mask[t.item] === 1)).toBe(true);
    expect(plain.excludedItems).toBe(0);
  });

  it('leaves them out of every top list and term, and keeps the products exactly as they were', () => {
    let excluded = 0;
    for (let i = 0; i < mask.length; i++) excluded += mask[i];
    expect(without.excludedItems).toBe(excluded);
    const plainGroups = groups(plain);
    groups(without).forEach((g, gi) => {
      for (const t of g.topItems) expect(mask[t.item], t.id).toBe(0);
      // Products keep their counts: the list is the old one without the service lines (ties aside, in order).
      const before = plainGroups[gi].topItems.filter((t) => mask[t.item] === 0);
      const n = Math.min(before.length, g.topItems.length) - 1;
      for (let j = 0; j < n; j++) {
        expect(g.topItems[j].item).toBe(before[j].item);
        expect(g.topItems[j].users).toBe(before[j].users);
        expect(g.topItems[j].lift).toBeCloseTo(before[j].lift, 12);
      }
    });
    for (const c of without.clusters) for (const t of c.terms) expect(['postage', 'carriage', 'manual']).not.toContain(t.term);
  });

  it('counts revenue of products only, and the same sequences and events', () => {
    let service = 0;
    for (let j = 0; j < sequences.events.length; j++) {
      const e = sequences.events[j];
      if (mask[table.item[e]] === 1) service += eventAmount(table, e);
    }
    expect(service).not.toBe(0);
    expect(without.overall.revenue!).toBeCloseTo(plain.overall.revenue! - service, 6);
    expect(without.overall.size).toBe(plain.overall.size);
    expect(without.overall.events).toBe(plain.overall.events);
    // A fresh call without the mask gives the full profile again (the digest cache follows the mask).
    expect(profileClusters(table, sequences, labels, K, { top: 120 }).overall.revenue).toBe(plain.overall.revenue);
  });

  it('rejects a mask that does not fit the catalogue', () => {
    expect(() => profileClusters(table, sequences, labels, K, { exclude: new Uint8Array(3) })).toThrow(ProfileInputError);
  });
});

describe('a hand-made log', () => {
  it('does not count an order made of a service line alone, nor a buyer who only paid a fee', async () => {
    const H = 'event_time,event_type,product_id,price,user_id,user_session,title';
    const { table: t, sequences: s } = await analyzeCsv([
      H,
      '2021-01-01 10:00:00 UTC,purchase,p1,20,u1,s1,Kettle',
      '2021-01-01 10:00:00 UTC,purchase,ship,5,u1,s1,Shipping',
      '2021-01-02 10:00:00 UTC,purchase,ship,5,u1,s2,Shipping',
      '2021-01-01 10:00:00 UTC,purchase,ship,5,u2,s3,Shipping',
      '2021-01-01 10:00:00 UTC,view,p1,20,u2,s3,Kettle',
    ]);
    const mask = new Uint8Array(t.items.length);
    mask[t.items.indexOf('ship')] = 1;
    const p = profileClusters(t, s, new Int32Array(s.count), 1, { exclude: mask });
    expect(p.overall.orders).toBe(1);
    expect(p.overall.revenue).toBe(20);
    expect(p.overall.funnel.buyers).toBe(1);
    expect(p.overall.topItems.map((x) => x.id)).toEqual(['p1']);
    const all = profileClusters(t, s, new Int32Array(s.count), 1);
    expect(all.overall.orders).toBe(3);
    expect(all.overall.revenue).toBe(35);
  });
});
