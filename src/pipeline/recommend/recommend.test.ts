import { describe, expect, it } from 'vitest';
import { analyzeStream } from '../analyze';
import { analyzeCsv } from '../../../test/lib/testLog';
import { prepareEvaluation, rankingMetrics } from '../eval';
import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';
import { csvStream, generateLog, plantedUserLabels } from '../synth';
import { clusterScores, PRIOR_MEMBERS, recommendForClusters, recommendForUser, RecommendError, type RecommendInput } from './index';

const HEADER = 'user_id,item_id,event_type,timestamp';
const T = (m: number): string => new Date(Date.UTC(2024, 0, 1, 0, m)).toISOString();

/**
 * Two clusters of 10 users with disjoint tastes. Cluster "a": all 10 buy A1, 8 buy A2, 8 put A3
 * in the cart (A3 is also viewed first, which must not add); cluster "b" the same with B items.
 * Behaviour (weighted distinct members): A1 50, A2 40, A3 24.
 */
function disjointLines(): string[] {
  const lines = [HEADER];
  let m = 0;
  for (const g of ['a', 'b']) {
    const I = g.toUpperCase();
    for (let u = 0; u < 10; u++) {
      lines.push(`${g}${u},${I}1,purchase,${T(m++)}`);
      if (u < 8) lines.push(`${g}${u},${I}2,purchase,${T(m++)}`);
      if (u < 8) lines.push(`${g}${u},${I}3,view,${T(m++)}`, `${g}${u},${I}3,cart,${T(m++)}`);
    }
  }
  return lines;
}

function labelsBy(table: EventTable, sequences: Sequences, clusterOf: (user: string) => number): Int32Array {
  return Int32Array.from(sequences.key, (k) => clusterOf(table.users[k]));
}

const names = (table: EventTable, items: Int32Array): string[] => Array.from(items, (i) => table.items[i]);

async function disjoint() {
  const { table, sequences } = await analyzeCsv(disjointLines());
  const labels = labelsBy(table, sequences, (u) => (u.startsWith('a') ? 0 : 1));
  const input: RecommendInput = { table, sequences, labels, k: 2, itemVectors: null, userVectors: null, dims: 0 };
  return { table, sequences, labels, input };
}

describe('recommendForClusters', () => {
  it('ranks each cluster its own items first, by weighted distinct members, behaviour only without vectors', async () => {
    const { table, input } = await disjoint();
    const r = recommendForClusters(input);
    expect(r.method).toBe('behaviour');
    expect(r.blend).toBe(0);
    expect(r.k).toBe(2);
    expect(r.perCluster).toBe(100);
    // Six items are used; the lists hold all of them (fewer than perCluster).
    expect(names(table, r.clusters[0].items)).toEqual(['A1', 'A2', 'A3', 'B1', 'B2', 'B3']);
    expect(names(table, r.clusters[1].items)).toEqual(['B1', 'B2', 'B3', 'A1', 'A2', 'A3']);
    // Smoothed share (x + m * overall / S) / (size + m), S = 20 users, then min-max over the items:
    // A1 (50 + 12.5), A2 (40 + 10), B3 (0 + 6) is the minimum.
    const m = PRIOR_MEMBERS;
    const raw = (own: number, overall: number): number => (own + (m * overall) / 20) / (10 + m);
    const lo = raw(0, 24);
    const hi = raw(50, 50);
    expect(r.clusters[0].scores[0]).toBeCloseTo(1, 12);
    expect(r.clusters[0].scores[1]).toBeCloseTo((raw(40, 40) - lo) / (hi - lo), 12);
    expect(r.clusters[0].scores[2]).toBeCloseTo((raw(24, 24) - lo) / (hi - lo), 12);
    expect(r.clusters[0].scores[3]).toBeCloseTo((raw(0, 50) - lo) / (hi - lo), 12);
    expect(r.clusters[0].scores[5]).toBe(0);
  });

  it('never recommends items that no sequence uses', async () => {
    const { table, sequences } = await analyzeCsv([HEADER, `u1,x,purchase,${T(0)}`, `u2,y,purchase,${T(1)}`, `u3,z,purchase,${T(2)}`]);
    // Keep only the first two sequences: z is in the table but no sequence uses it.
    const two: Sequences = {
      ...sequences,
      count: 2,
      key: sequences.key.slice(0, 2),
      offsets: sequences.offsets.slice(0, 3),
      events: sequences.events.slice(0, sequences.offsets[2]),
    };
    const r = recommendForClusters({ table, sequences: two, labels: new Int32Array(2), k: 1, itemVectors: null, userVectors: null, dims: 0 });
    expect(table.items).toContain('z');
    expect(names(table, r.clusters[0].items).sort()).toEqual(['x', 'y']);
    expect(names(table, r.popular.items).sort()).toEqual(['x', 'y']);
  });

  it('GCN vectors change the order where behaviour ties; blend 1 ranks by affinity alone', async () => {
    // One cluster; P is bought by both users, Q and R by one each (a behaviour tie, broken by index: Q first).
    const { table, sequences } = await analyzeCsv([HEADER, `u1,P,purchase,${T(0)}`, `u1,Q,purchase,${T(1)}`, `u2,P,purchase,${T(2)}`, `u2,R,purchase,${T(3)}`]);
    const labels = new Int32Array(2);
    const idx = (id: string): number => table.items.indexOf(id);
    const dims = 2;
    // Users point along (1, 0); R is aligned with them, Q orthogonal, P in between.
    const userVectors = Float32Array.from([1, 0, 1, 0]);
    const itemVectors = new Float32Array(table.items.length * dims);
    itemVectors.set([0.5, 0.5], idx('P') * dims);
    itemVectors.set([0, 1], idx('Q') * dims);
    itemVectors.set([1, 0], idx('R') * dims);
    const base = { table, sequences, labels, k: 1, dims };
    const behaviour = recommendForClusters({ ...base, itemVectors: null, userVectors: null });
    expect(names(table, behaviour.clusters[0].items)).toEqual(['P', 'Q', 'R']);
    const blended = recommendForClusters({ ...base, itemVectors, userVectors }, { blend: 0.5 });
    expect(blended.method).toBe('gcn+behaviour');
    expect(blended.blend).toBe(0.5);
    // Behaviour scaled: P 1, Q 0, R 0; affinity (dot with centroid (1, 0)) scaled: P 0.5, Q 0, R 1.
    expect(names(table, blended.clusters[0].items)).toEqual(['P', 'R', 'Q']);
    expect(Array.from(blended.clusters[0].scores)).toEqual([0.75, 0.5, 0]);
    const affinity = recommendForClusters({ ...base, itemVectors, userVectors }, { blend: 1 });
    expect(names(table, affinity.clusters[0].items)).toEqual(['R', 'P', 'Q']);
    // Blend 0 with vectors is behaviour alone.
    expect(recommendForClusters({ ...base, itemVectors, userVectors }, { blend: 0 }).clusters[0].items).toEqual(behaviour.clusters[0].items);
  });

  it('uses the mean of the members vectors: a far-off member moves the centroid', async () => {
    const { table, sequences } = await analyzeCsv([HEADER, `u1,P,purchase,${T(0)}`, `u2,Q,purchase,${T(1)}`, `u3,R,purchase,${T(2)}`]);
    const idx = (id: string): number => table.items.indexOf(id);
    const itemVectors = new Float32Array(6);
    itemVectors.set([1, 0], idx('P') * 2);
    itemVectors.set([0, 1], idx('Q') * 2);
    itemVectors.set([-1, 0], idx('R') * 2);
    const input = { table, sequences, labels: new Int32Array(3), k: 1, dims: 2, itemVectors };
    // Centroid (1 + 0 + 0, 0 + 0.4 + 0) / 3: P first; with u2 far along y, (1, 3)/3: Q first.
    const near = recommendForClusters({ ...input, userVectors: Float32Array.from([1, 0, 0, 0.4, 0, 0]) }, { blend: 1 });
    const far = recommendForClusters({ ...input, userVectors: Float32Array.from([1, 0, 0, 3, 0, 0]) }, { blend: 1 });
    expect(names(table, near.clusters[0].items)).toEqual(['P', 'Q', 'R']);
    expect(names(table, far.clusters[0].items)).toEqual(['Q', 'P', 'R']);
  });

  it('breaks ties by item index and gives the same output for the same input', async () => {
    const { table, sequences } = await analyzeCsv([HEADER, `u1,c,view,${T(0)}`, `u1,a,view,${T(1)}`, `u2,b,view,${T(2)}`, `u2,d,view,${T(3)}`]);
    const input: RecommendInput = { table, sequences, labels: new Int32Array(2), k: 1, itemVectors: null, userVectors: null, dims: 0 };
    const r = recommendForClusters(input);
    expect(Array.from(r.clusters[0].items)).toEqual([0, 1, 2, 3]);
    expect(Array.from(r.clusters[0].scores)).toEqual([0, 0, 0, 0]);
    const { input: d } = await disjoint();
    const v = {
      ...d,
      dims: 3,
      itemVectors: Float32Array.from({ length: d.table.items.length * 3 }, (_, i) => Math.sin(i)),
      userVectors: Float32Array.from({ length: d.sequences.count * 3 }, (_, i) => Math.cos(i)),
    };
    expect(recommendForClusters(v)).toEqual(recommendForClusters(v));
  });

  it('an empty cluster gets the overall ranking (the smoothing prior)', async () => {
    const { table, input } = await disjoint();
    const r = recommendForClusters({ ...input, k: 3 });
    // All of A and B tie in the prior (A1 = B1 = 50 ...): index order within equal scores.
    expect(names(table, r.clusters[2].items)).toEqual(['A1', 'B1', 'A2', 'B2', 'A3', 'B3']);
  });

  it('rejects input it cannot use, with a message', async () => {
    const { input } = await disjoint();
    const n = input.table.items.length;
    const S = input.sequences.count;
    const bad: [Partial<RecommendInput>, RegExp][] = [
      [{ k: 0 }, /at least 1/],
      [{ labels: new Int32Array(S - 1) }, /one per sequence/],
      [{ labels: new Int32Array(S).fill(2) }, /outside 0\.\.1/],
      [{ itemVectors: new Float32Array(n * 2), dims: 2 }, /together/],
      [{ itemVectors: new Float32Array(n * 2), userVectors: new Float32Array(S * 2 + 1), dims: 2 }, /sequence vectors hold/],
      [{ itemVectors: new Float32Array(n * 2 - 1), userVectors: new Float32Array(S * 2), dims: 2 }, /item vectors hold/],
      [{ itemVectors: new Float32Array(n * 2).fill(NaN), userVectors: new Float32Array(S * 2), dims: 2 }, /finite/],
      [{ itemVectors: new Float32Array(0), userVectors: new Float32Array(0), dims: 0 }, /vector size/],
    ];
    for (const [patch, msg] of bad) {
      expect(() => recommendForClusters({ ...input, ...patch })).toThrow(RecommendError);
      expect(() => recommendForClusters({ ...input, ...patch })).toThrow(msg);
    }
    expect(() => recommendForClusters(input, { perCluster: 0 })).toThrow(/per cluster/);
    const withVectors = { ...input, itemVectors: new Float32Array(n), userVectors: new Float32Array(S), dims: 1 };
    expect(() => recommendForClusters(withVectors, { blend: 1.5 })).toThrow(/between 0 and 1/);
  });
});

describe('recommendForUser', () => {
  it('is the cluster list minus the items the user has, in order', async () => {
    const { table, sequences, labels, input } = await disjoint();
    const r = recommendForClusters(input);
    for (let s = 0; s < sequences.count; s++) {
      const mine = new Set<number>();
      for (let e = sequences.offsets[s]; e < sequences.offsets[s + 1]; e++) mine.add(table.item[sequences.events[e]]);
      const list = recommendForUser(r, table, sequences, labels, s, 3);
      const expected = Array.from(r.clusters[labels[s]].items)
        .filter((i) => !mine.has(i))
        .slice(0, 3);
      expect(Array.from(list.items)).toEqual(expected);
      expect(list.filled).toBe(0);
    }
    // a9 only bought A1: A2, A3, then B1.
    const a9 = Array.from(sequences.key).findIndex((k) => table.users[k] === 'a9');
    expect(names(table, recommendForUser(r, table, sequences, labels, a9, 3).items)).toEqual(['A2', 'A3', 'B1']);
  });

  it('fills from overall popularity when the cluster list runs out, without owned items or repeats', async () => {
    const { table, sequences, labels, input } = await disjoint();
    const r = recommendForClusters(input, { perCluster: 2 });
    expect(names(table, r.clusters[0].items)).toEqual(['A1', 'A2']);
    // Popularity (weighted distinct users): A1 = B1 50, A2 = B2 40, A3 = B3 24; ties by index. Its
    // length is perCluster + the most distinct items of any user (3): enough for n <= perCluster.
    expect(names(table, r.popular.items)).toEqual(['A1', 'B1', 'A2', 'B2', 'A3']);
    const a0 = Array.from(sequences.key).findIndex((k) => table.users[k] === 'a0'); // owns A1, A2, A3
    const list = recommendForUser(r, table, sequences, labels, a0, 2);
    expect(names(table, list.items)).toEqual(['B1', 'B2']);
    expect(list.filled).toBe(2);
    // More than perCluster may run out: what there is comes back.
    expect(names(table, recommendForUser(r, table, sequences, labels, a0, 20).items)).toEqual(['B1', 'B2']);
    const a9 = Array.from(sequences.key).findIndex((k) => table.users[k] === 'a9'); // owns A1
    const l9 = recommendForUser(r, table, sequences, labels, a9, 4);
    expect(names(table, l9.items)).toEqual(['A2', 'B1', 'B2', 'A3']);
    expect(l9.filled).toBe(3);
    // Scores stay in descending order across the fill.
    for (let j = 1; j < l9.scores.length; j++) expect(l9.scores[j]).toBeLessThanOrEqual(l9.scores[j - 1]);
  });

  it('rejects a bad index, count or labels', async () => {
    const { table, sequences, labels, input } = await disjoint();
    const r = recommendForClusters(input);
    expect(() => recommendForUser(r, table, sequences, labels, sequences.count)).toThrow(/no sequence/);
    expect(() => recommendForUser(r, table, sequences, labels, -1)).toThrow(/no sequence/);
    expect(() => recommendForUser(r, table, sequences, labels, 0, 0)).toThrow(/per user/);
    expect(() => recommendForUser(r, table, sequences, labels.subarray(1), 0)).toThrow(/one per sequence/);
    expect(() => recommendForUser(r, table, sequences, new Int32Array(labels.length).fill(5), 0)).toThrow(/outside/);
  });
});

describe('on a generated log with planted segments', () => {
  it('gives full, sorted, candidate-only lists, and per-user lists without owned items', async () => {
    const log = generateLog({ seed: 5, users: 400, items: 300, events: 6000, segments: 4 });
    const a = await analyzeStream(csvStream(log), { fileName: 's.csv', totalBytes: null, sequence: { by: 'user' } });
    const table = a.ingested.table;
    const sequences = a.sequences;
    const byUser = plantedUserLabels(log, table.users);
    const labels = Int32Array.from(sequences.key, (k) => byUser[k]);
    const r = recommendForClusters({ table, sequences, labels, k: 4, itemVectors: null, userVectors: null, dims: 0 }, { perCluster: 50 });
    const used = new Set(Array.from(sequences.events, (e) => table.item[e]));
    for (const c of r.clusters) {
      expect(c.items.length).toBe(50);
      expect(new Set(c.items).size).toBe(50);
      for (let j = 0; j < 50; j++) {
        expect(used.has(c.items[j])).toBe(true);
        if (j > 0) expect(c.scores[j]).toBeLessThanOrEqual(c.scores[j - 1]);
      }
    }
    // Planted segments have different tastes, so their lists differ.
    expect(new Set(r.clusters.map((c) => c.items[0])).size).toBeGreaterThan(1);
    for (let s = 0; s < sequences.count; s += 7) {
      const list = recommendForUser(r, table, sequences, labels, s);
      expect(list.items.length).toBe(20);
      for (let e = sequences.offsets[s]; e < sequences.offsets[s + 1]; e++) expect(list.items).not.toContain(table.item[sequences.events[e]]);
    }
  });

  it('cluster behaviour on the planted segments beats popularity on held-out sessions', async () => {
    const log = generateLog({ seed: 6, users: 600, items: 400, events: 12000, segments: 4 });
    const a = await analyzeStream(csvStream(log), { fileName: 's.csv', totalBytes: null, sequence: { by: 'user' } });
    const table = a.ingested.table;
    const ctx = prepareEvaluation(table, a.sequences);
    const byUser = plantedUserLabels(log, table.users);
    const labels = Int32Array.from(ctx.split.train.key, (k) => byUser[k]);
    const n = table.items.length;
    const cs = clusterScores({ table, sequences: ctx.split.train, labels, k: 4, itemVectors: null, userVectors: null, dims: 0 });
    const cluster = rankingMetrics(ctx, (s, out) => out.set(cs.scores.subarray(labels[s] * n, (labels[s] + 1) * n)));
    const pop = rankingMetrics(ctx, (_s, out) => out.set(ctx.popularity));
    expect(cluster.recall).toBeGreaterThan(pop.recall * 1.2);
  });
});
