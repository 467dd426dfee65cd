// Invariants of the profiles on the bundled demo (UCI Online Retail invoice lines), checked against
// straightforward recomputations from the event table.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeStream } from '../analyze';
import { PURCHASE, RETURN } from '../ingest/eventTypes';
import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';
import { profileClusters, userAttributes, type ClusterProfiles, type GroupStats } from './index';
import { MAX_LABEL } from './label';

const DEMO = join(resolve(__dirname, '../../..'), 'public', 'demo', 'uci-online-retail-demo.csv');

let table: EventTable;
let sequences: Sequences;

beforeAll(async () => {
  const bytes = new Uint8Array(readFileSync(DEMO));
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += 65536) c.enqueue(bytes.slice(i, i + 65536));
      c.close();
    },
  });
  const a = await analyzeStream(stream, { fileName: 'uci-online-retail-demo.csv', totalBytes: bytes.length });
  table = a.ingested.table;
  sequences = a.sequences;
});

/** A fixed, uneven split of the users: by the first purchase's country and the user's size. */
function someLabels(k: number): Int32Array {
  const labels = new Int32Array(sequences.count);
  for (let i = 0; i < sequences.count; i++) {
    const len = sequences.offsets[i + 1] - sequences.offsets[i];
    labels[i] = (Math.floor(Math.log2(len + 1)) + table.country[sequences.events[sequences.offsets[i]]]) % k;
  }
  return labels;
}

/** Distinct users of cluster c (all when c < 0) with an event on item `it`. */
function usersOfItem(labels: Int32Array, c: number, it: number): number {
  let n = 0;
  for (let i = 0; i < sequences.count; i++) {
    if (c >= 0 && labels[i] !== c) continue;
    for (let j = sequences.offsets[i]; j < sequences.offsets[i + 1]; j++) {
      if (table.item[sequences.events[j]] === it) {
        n++;
        break;
      }
    }
  }
  return n;
}

function checkGroup(g: GroupStats): void {
  const f = g.funnel;
  for (const x of [f.viewers, f.carters, f.buyers, f.returners]) expect(x).toBeLessThanOrEqual(g.size);
  expect(g.length.median).toBeLessThanOrEqual(g.length.p90);
  for (const list of [g.topItems, g.topCategories, g.topBrands]) {
    for (let i = 1; i < list.length; i++) expect(list[i - 1].users).toBeGreaterThanOrEqual(list[i].users);
  }
  for (const it of g.topItems) expect(it.share).toBeCloseTo(it.users / g.size, 12);
}

describe('profiles of the demo log', () => {
  let p: ClusterProfiles;
  let labels: Int32Array;
  const K = 6;
  beforeAll(() => {
    labels = someLabels(K);
    p = profileClusters(table, sequences, labels, K);
  });

  it('splits users, events, funnel steps and orders exactly between clusters', () => {
    expect(p.users).toBe(sequences.count);
    expect(p.overall.size).toBe(sequences.count);
    expect(p.overall.events).toBe(sequences.events.length);
    const sum = (f: (g: GroupStats) => number) => p.clusters.reduce((s, g) => s + f(g), 0);
    expect(sum((g) => g.size)).toBe(p.users);
    expect(sum((g) => g.share)).toBeCloseTo(1, 12);
    expect(sum((g) => g.events)).toBe(p.overall.events);
    expect(sum((g) => g.funnel.buyers)).toBe(p.overall.funnel.buyers);
    expect(sum((g) => g.funnel.returners)).toBe(p.overall.funnel.returners);
    // Every invoice belongs to one customer, so cluster orders add up to the distinct invoices bought.
    const invoices = new Set<number>();
    for (const e of sequences.events) if (table.type[e] === PURCHASE) invoices.add(table.session[e]);
    expect(p.overall.orders).toBe(invoices.size);
    expect(sum((g) => g.orders ?? NaN)).toBe(invoices.size);
    p.clusters.forEach(checkGroup);
    checkGroup(p.overall);
  });

  it('adds revenue up: clusters to overall, users to overall, and price x quantity over the kept lines', () => {
    // UCI cancellations carry a negative quantity, so plain price x quantity over purchases and
    // returns is the net revenue; the profile must agree (no return subtracted twice).
    let expected = 0;
    let returns = 0;
    for (const e of sequences.events) {
      const t = table.type[e];
      if (t === PURCHASE || t === RETURN) expected += table.price[e] * table.quantity[e];
      if (t === RETURN) returns++;
    }
    expect(returns).toBeGreaterThan(0);
    expect(p.overall.revenue).toBeCloseTo(expected, 4);
    expect(p.clusters.reduce((s, g) => s + (g.revenue ?? NaN), 0)).toBeCloseTo(expected, 4);
    const perUser = userAttributes(table, sequences).revenue.reduce((s, r) => s + r, 0);
    expect(perUser).toBeCloseTo(expected, 4);
    for (const g of p.clusters) expect(g.aov).toBeCloseTo((g.revenue ?? NaN) / (g.orders ?? NaN), 8);
  });

  it('counts top items by distinct users and lifts them against everybody', () => {
    const top = p.overall.topItems[0];
    expect(top.users).toBe(usersOfItem(labels, -1, top.item));
    for (const g of p.clusters) {
      const it = g.topItems[0];
      const all = usersOfItem(labels, -1, it.item);
      expect(it.users).toBe(usersOfItem(labels, g.cluster, it.item));
      expect(it.lift).toBeCloseTo(it.users / g.size / (all / p.users), 12);
      expect(it.title).toBe(table.itemTitle[it.item]);
    }
    // No item is more widely shared than the overall top one.
    for (const g of p.clusters) for (const it of g.topItems) expect(usersOfItem(labels, -1, it.item)).toBeLessThanOrEqual(top.users);
  });

  it('gives every cluster title terms, best first, and a short distinct label', () => {
    expect(p.termSource).toBe('titles');
    const names = p.clusters.map((g) => g.label);
    expect(new Set(names).size).toBe(K);
    for (const g of p.clusters) {
      expect(g.label.length).toBeGreaterThan(0);
      expect(Array.from(g.label).length).toBeLessThanOrEqual(MAX_LABEL);
      expect(g.terms.length).toBe(8);
      for (let i = 1; i < g.terms.length; i++) expect(g.terms[i - 1].score).toBeGreaterThanOrEqual(g.terms[i].score);
      for (const t of g.terms) expect(t.term).toMatch(/^[\p{Ll}\p{N}]{2,}$/u);
    }
  });

  it('labels an invoice log by what sets each cluster apart: no word every label shares, no title word in two labels', () => {
    const names = p.clusters.map((g) => g.label);
    // Everybody buys in an invoice log: buying names no cluster.
    for (const l of names) expect(l).not.toMatch(/Buyers/);
    const first = names.map((l) => l.split(/, | · /)[0]);
    expect(new Set(first).size).toBeGreaterThan(1);
    const termLabels = new Map<string, number>();
    for (const g of p.clusters)
      for (const t of new Set(g.terms.map((x) => x.term)))
        if (
          g.label
            .toLowerCase()
            .split(/[ ,·]+/)
            .includes(t)
        )
          termLabels.set(t, (termLabels.get(t) ?? 0) + 1);
    for (const [t, n] of termLabels) expect(n, t).toBe(1);
    // Every label leads with a behaviour trait it has, with its numbers.
    for (const g of p.clusters) {
      const lead = g.traits?.find((t) => g.label.startsWith(t.word));
      if (lead) expect(lead.text).toMatch(/\(typical customer: |\(average customer: /);
    }
  });

  it('gives the same overall figures whatever K is', () => {
    const other = profileClusters(table, sequences, someLabels(3), 3);
    expect(other.overall).toEqual(p.overall);
    const one = profileClusters(table, sequences, new Int32Array(sequences.count), 1);
    const { label: _l, terms: _t, cluster: _c, traits, ...rest } = one.clusters[0];
    // ... and every trait at everybody's value.
    for (const t of traits ?? []) expect([t.value, t.ratio]).toEqual([t.overall, 1]);
    // With one cluster it is everybody, with lifts of 1.
    expect(rest).toEqual(p.overall);
  });
});
