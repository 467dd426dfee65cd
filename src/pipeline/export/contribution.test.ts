// The stated sensitivity of a noised profiles export, checked by brute force: on a small generated
// log, every user is removed in turn (all their rows, the log read again), and the exact counts that
// get noise must move, summed, by no more than the sensitivity the export states. Grouped by user,
// by session with user ids (the cap), and by session without user ids (per session).
import { describe, expect, it } from 'vitest';
import { analyzeStream, type Analysis } from '../analyze';
import { Rng } from '../numeric/random';
import { profileClusters } from '../profile';
import type { ClusterProfiles } from '../profile/types';
import { sequenceLabel } from '../sequences';
import { boundContributions, narrowSequences, sequenceOwners } from './contribution';
import { noisyProfiles, privateProfiles } from './privacy';

const K = 3;
const TOP = 10;

interface Row {
  user: string;
  session: string;
  type: string;
  item: number;
  t: number;
}

/** Users with 1..6 sessions each, 1..9 events per session over 14 items in 4 categories and 3 brands. */
function makeLog(seed: number): Row[] {
  const rng = new Rng(seed);
  const rows: Row[] = [];
  const types = ['view', 'view', 'cart', 'purchase'];
  for (let u = 0; u < 14; u++) {
    const sessions = 1 + Math.floor(rng.nextFloat() * 6);
    for (let s = 0; s < sessions; s++) {
      const n = 1 + Math.floor(rng.nextFloat() * 9);
      for (let e = 0; e < n; e++) {
        rows.push({
          user: `u${u}`,
          session: `s${u}_${s}`,
          type: types[Math.floor(rng.nextFloat() * types.length)],
          item: Math.floor(rng.nextFloat() * 14),
          t: (u * 10 + s) * 86_400 + e * 60,
        });
      }
    }
  }
  return rows;
}

function csv(rows: Row[], withUser: boolean): string {
  const head = 'event_time,event_type,product_id,category_code,brand,price,user_id,user_session';
  const lines = rows.map((r) =>
    [
      new Date(Date.UTC(2020, 0, 1) + r.t * 1000).toISOString().replace('T', ' ').replace('.000Z', ' UTC'),
      r.type,
      `p${r.item}`,
      `cat.c${r.item % 4}`,
      `b${r.item % 3}`,
      '1.50',
      withUser ? r.user : '',
      r.session,
    ].join(','),
  );
  return `${[head, ...lines].join('\n')}\n`;
}

async function analyse(text: string, by: 'user' | 'session'): Promise<Analysis> {
  const bytes = new TextEncoder().encode(text);
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(bytes);
      c.close();
    },
  });
  return analyzeStream(stream, { fileName: 'log.csv', totalBytes: bytes.length, sequence: { by, minLength: 1, dedupeSeconds: 0 } });
}

/** A clustering that depends on each sequence alone (its id), so that removing a user moves nobody else: "given the clustering". */
function labelOf(id: string): number {
  let h = 7;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % K;
}

const ids = (a: Analysis): string[] => Array.from({ length: a.sequences.count }, (_, i) => sequenceLabel(a.ingested.table, a.sequences, i));

/** Exact profiles of the sequences with these ids, every name ranked (so a published name's count can be read in a neighbour too). */
function exactProfiles(a: Analysis, keepIds: Set<string>): ClusterProfiles {
  const all = ids(a);
  const keep = Int32Array.from(all.flatMap((id, i) => (keepIds.has(id) ? [i] : [])));
  const sub = narrowSequences(a.sequences, keep);
  const labels = Int32Array.from(keep, (i) => labelOf(all[i]));
  return profileClusters(a.ingested.table, sub, labels, K, { top: 1000 });
}

/** The noised statistics: per cluster size and funnel counts, and the users of each published top-list name. */
function counts(p: ClusterProfiles, published: Map<string, Set<string>>): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of p.clusters) {
    const key = `c${c.cluster}`;
    out.set(`${key}.size`, c.size);
    for (const f of ['viewers', 'carters', 'buyers', 'returners'] as const) out.set(`${key}.${f}`, c.funnel[f]);
    const lists = { cat: c.topCategories, brand: c.topBrands, item: c.topItems.map((x) => ({ name: x.id, users: x.users })) };
    for (const [list, entries] of Object.entries(lists)) {
      const names = published.get(`${key}.${list}`) ?? new Set<string>();
      for (const e of entries) if (names.has(e.name)) out.set(`${key}.${list}.${e.name}`, e.users);
    }
  }
  return out;
}

/** The names each cluster's top lists publish (the first TOP). */
function publishedNames(p: ClusterProfiles): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const c of p.clusters) {
    out.set(`c${c.cluster}.cat`, new Set(c.topCategories.slice(0, TOP).map((x) => x.name)));
    out.set(`c${c.cluster}.brand`, new Set(c.topBrands.slice(0, TOP).map((x) => x.name)));
    out.set(`c${c.cluster}.item`, new Set(c.topItems.slice(0, TOP).map((x) => x.id)));
  }
  return out;
}

function l1(a: Map<string, number>, b: Map<string, number>): number {
  let s = 0;
  for (const k of new Set([...a.keys(), ...b.keys()])) s += Math.abs((a.get(k) ?? 0) - (b.get(k) ?? 0));
  return s;
}

/**
 * For each unit (user, or session when there are no user ids): the L1 change of the noised counts
 * when its rows are removed, with the other units' choice of counted sequences held fixed.
 */
async function neighbourChanges(rows: Row[], by: 'user' | 'session', withUser: boolean, sessionsPerUser: number) {
  const full = await analyse(csv(rows, withUser), by);
  const rng = new Rng(3);
  const uniform = () => rng.nextFloat();
  const bound = boundContributions(full.ingested.table, full.sequences, { sessionsPerUser, uniform });
  const allIds = ids(full);
  const kept = new Set(Array.from(bound.keep, (i) => allIds[i]));
  const exact = exactProfiles(full, kept);
  const published = publishedNames(exact);
  const base = counts(exact, published);
  const { privacy } = noisyProfiles(
    profileClusters(
      full.ingested.table,
      narrowSequences(full.sequences, bound.keep),
      Int32Array.from(bound.keep, (i) => labelOf(allIds[i])),
      K,
    ),
    {
      epsilon: 1,
      uniform,
      topLimit: TOP,
      contribution: bound,
    },
  );
  const units = bound.unit === 'user' ? [...new Set(rows.map((r) => r.user))] : [...new Set(rows.map((r) => r.session))];
  const changes: number[] = [];
  for (const unit of units) {
    const rest = rows.filter((r) => (bound.unit === 'user' ? r.user : r.session) !== unit);
    const neighbour = await analyse(csv(rest, withUser), by);
    const p = exactProfiles(neighbour, kept);
    changes.push(l1(base, counts(p, published)));
  }
  return { bound, privacy, changes };
}

describe('the stated sensitivity holds against every neighbour (one user removed)', () => {
  const rows = makeLog(42);

  it('grouped by user: one sequence per user, sensitivity 5 + 3 x 10', async () => {
    const { bound, privacy, changes } = await neighbourChanges(rows, 'user', true, 1);
    expect(bound.unit).toBe('user');
    expect(privacy.sensitivity).toBe(35);
    expect(Math.max(...changes)).toBeLessThanOrEqual(privacy.sensitivity);
    expect(Math.max(...changes)).toBeGreaterThan(0);
  });

  it('grouped by session with user ids: capped at N sessions per user, sensitivity N x 35', async () => {
    const sessionsOf = new Map<string, Set<string>>();
    for (const r of rows) (sessionsOf.get(r.user) ?? sessionsOf.set(r.user, new Set()).get(r.user)!).add(r.session);
    const most = Math.max(...[...sessionsOf.values()].map((s) => s.size));
    expect(most).toBeGreaterThan(3);
    for (const cap of [1, 3]) {
      const { bound, privacy, changes } = await neighbourChanges(rows, 'session', true, cap);
      expect(bound.unit).toBe('user');
      expect(bound.sequencesPerUnit).toBe(cap);
      expect(bound.dropped.overCap).toBeGreaterThan(0);
      expect(privacy.sensitivity).toBe(cap * 35);
      expect(Math.max(...changes)).toBeLessThanOrEqual(privacy.sensitivity);
    }
    // Without the cap the per-user statement would be false: a user with many sessions moves the
    // counts by more than one sequence's 35.
    const { changes } = await neighbourChanges(rows, 'session', true, most);
    expect(Math.max(...changes)).toBeGreaterThan(35);
  });

  it('grouped by session without user ids: the guarantee is per session, and holds per session', async () => {
    const { bound, privacy, changes } = await neighbourChanges(rows, 'session', false, 1);
    expect(bound.unit).toBe('session');
    expect(privacy.unit).toBe('session');
    expect(privacy.neighbours).toBe('add or remove one session');
    expect(privacy.covers).toMatch(/per session, not per person/i);
    expect(privacy.sensitivity).toBe(35);
    expect(Math.max(...changes)).toBeLessThanOrEqual(privacy.sensitivity);
  });
});

describe('boundContributions', () => {
  it('keeps at most the cap per user, at random, and every user with a session keeps one', async () => {
    const a = await analyse(csv(makeLog(7), true), 'session');
    const owners = sequenceOwners(a.ingested.table, a.sequences);
    const seen = new Set<number>();
    for (let run = 0; run < 2; run++) {
      const rng = new Rng(run);
      const b = boundContributions(a.ingested.table, a.sequences, { sessionsPerUser: 2, uniform: () => rng.nextFloat() });
      const per = new Map<number, number>();
      for (const i of b.keep) per.set(owners[i], (per.get(owners[i]) ?? 0) + 1);
      for (const n of per.values()) expect(n).toBeLessThanOrEqual(2);
      expect(per.size).toBe(new Set(owners).size);
      expect(b.keep.length + b.dropped.overCap).toBe(a.sequences.count);
      for (const i of b.keep) seen.add(i);
    }
    // Two seeds choose differently somewhere.
    expect(seen.size).toBeGreaterThan(new Set(owners).size * 2 - 1);
  });

  it('privateProfiles states the cap and what was left out, and refuses a bad epsilon', async () => {
    const a = await analyse(csv(makeLog(9), true), 'session');
    const labels = Int32Array.from(ids(a), labelOf);
    const rng = new Rng(1);
    const { privacy, bound } = privateProfiles(a.ingested.table, a.sequences, labels, K, { epsilon: 2, uniform: () => rng.nextFloat(), sessionsPerUser: 2 });
    expect(privacy.sequencesPerUnit).toBe(2);
    expect(privacy.sensitivity).toBe(70);
    expect(privacy.scale).toBe(35);
    expect(privacy.sequencesLeftOut.overCap).toBe(bound.dropped.overCap);
    expect(privacy.covers).toMatch(/at most 2 sessions/);
    expect(privacy.covers).toMatch(/given the clustering/);
    expect(() => privateProfiles(a.ingested.table, a.sequences, labels, K, { epsilon: 0, uniform: Math.random })).toThrow(/Epsilon/);
  });
});
