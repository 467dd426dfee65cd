import { describe, expect, it } from 'vitest';
import { analyzeCsv } from '../../../test/lib/testLog';
import { buildGraph, type Graph } from './build';
import { csrToDense, nnz } from './csr';
import { GraphOptionsError, type GraphOptions } from './options';

const HEADER = 'user_id,session_id,item_id,event_type,timestamp';
const T = (min: number): string => new Date(Date.UTC(2021, 0, 1, 10, min)).toISOString();

/** Node index of a user / item name. */
function nodeOf(g: Graph, table: { users: string[]; items: string[] }, keys: Int32Array) {
  return {
    user: (name: string) => Array.from(keys).indexOf(table.users.indexOf(name)),
    item: (name: string) => g.users + table.items.indexOf(name),
  };
}

async function graphOf(lines: string[], opts: Partial<GraphOptions> = {}) {
  const { table, sequences } = await analyzeCsv([HEADER, ...lines]);
  const g = buildGraph(table, sequences, opts);
  const dense = csrToDense(g.adj);
  const at = (a: number, b: number): number => dense[a * g.nodes + b];
  return { g, table, sequences, at, ...nodeOf(g, table, sequences.key) };
}

/** Unnormalised weight of a-b, recovered from the normalised entry and the degrees. */
const raw = (g: Graph, at: (a: number, b: number) => number, a: number, b: number): number => at(a, b) * Math.sqrt(g.degree[a] * g.degree[b]);

describe('behaviour graph', () => {
  const log = [`u1,s1,x,view,${T(0)}`, `u1,s1,y,view,${T(1)}`, `u1,s1,y,purchase,${T(2)}`, `u2,s2,y,view,${T(0)}`, `u2,s2,z,cart,${T(1)}`];

  it('has a node per sequence and per item, and counts the edges of each kind', async () => {
    const { g } = await graphOf(log, { halfLifeDays: 0 });
    expect(g.users).toBe(2);
    expect(g.items).toBe(3);
    expect(g.nodes).toBe(5);
    // u1-x, u1-y, u2-y, u2-z; transitions x-y (u1), y-z (u2); y->y repeats are not transitions.
    expect(g.counts).toEqual({ userItem: 4, transitions: 2, selfLoops: 5, isolated: 0 });
    expect(nnz(g.adj)).toBe(2 * 4 + 2 * 2 + 5);
  });

  it('weighs user-item links by event type, summed per pair, through log1p', async () => {
    const { g, at, user, item } = await graphOf(log, { halfLifeDays: 0 });
    expect(raw(g, at, user('u1'), item('x'))).toBeCloseTo(Math.log1p(1), 5);
    expect(raw(g, at, user('u1'), item('y'))).toBeCloseTo(Math.log1p(1 + 5), 5);
    expect(raw(g, at, user('u2'), item('z'))).toBeCloseTo(Math.log1p(3), 5);
    expect(at(user('u1'), item('z'))).toBe(0);
    const lin = await graphOf(log, { halfLifeDays: 0, compress: 'none', eventWeights: { purchase: 10 } });
    expect(raw(lin.g, lin.at, lin.user('u1'), lin.item('y'))).toBeCloseTo(11, 4);
    // The links matrix (training positives) holds the same weights.
    expect(lin.g.links.values[lin.g.links.rowPtr[lin.user('u1')] + 1]).toBeCloseTo(11, 5);
  });

  it("decays older events by the half-life before the sequence's last event", async () => {
    const days = (d: number): string => new Date(Date.UTC(2021, 0, 1 + d)).toISOString();
    const { g, at, user, item } = await graphOf([`u1,s1,x,view,${days(0)}`, `u1,s2,y,view,${days(10)}`], {
      halfLifeDays: 10,
      compress: 'none',
      transitions: false,
    });
    expect(raw(g, at, user('u1'), item('x'))).toBeCloseTo(0.5, 5);
    expect(raw(g, at, user('u1'), item('y'))).toBeCloseTo(1, 5);
  });

  it('drops pairs whose weights cancel (bought, then returned)', async () => {
    const { g, at, user, item } = await graphOf([`u1,s1,x,purchase,${T(0)}`, `u1,s1,x,return,${T(5)}`, `u1,s1,y,view,${T(6)}`], { halfLifeDays: 0 });
    expect(at(user('u1'), item('x'))).toBe(0);
    expect(at(user('u1'), item('y'))).toBeGreaterThan(0);
    expect(g.counts.userItem).toBe(1);
  });

  it('links consecutive items symmetrically, summing repeats, within the gap limit only', async () => {
    const lines = [`u1,s1,a,view,${T(0)}`, `u1,s1,b,view,${T(1)}`, `u1,s1,a,view,${T(2)}`, `u1,s1,c,view,${T(50)}`];
    const { g, at, item } = await graphOf(lines, { halfLifeDays: 0, compress: 'none', userItem: false });
    expect(raw(g, at, item('a'), item('b'))).toBeCloseTo(2, 5);
    expect(raw(g, at, item('b'), item('a'))).toBeCloseTo(2, 5);
    expect(at(item('a'), item('c'))).toBe(0);
    const nolimit = await graphOf(lines, { halfLifeDays: 0, compress: 'none', userItem: false, transitionMaxGapMinutes: 0, transitionWeight: 0.5 });
    expect(raw(nolimit.g, nolimit.at, nolimit.item('a'), nolimit.item('c'))).toBeCloseTo(0.5, 5);
  });

  it('is D^-1/2 (A + I) D^-1/2: symmetric, degrees are row sums of A + I', async () => {
    const { g, at, user, item } = await graphOf(log, { halfLifeDays: 0, compress: 'none' });
    const n = g.nodes;
    for (let a = 0; a < n; a++) {
      let deg = 0;
      for (let b = 0; b < n; b++) {
        expect(at(a, b)).toBeCloseTo(at(b, a), 7);
        deg += raw(g, at, a, b);
      }
      expect(deg).toBeCloseTo(g.degree[a], 4);
      expect(raw(g, at, a, a)).toBeCloseTo(1, 5);
    }
    // u1: x (1) + y (6) + self (1) = 8; x: u1 (1) + transition x-y (1) + self = 3.
    expect(g.degree[user('u1')]).toBeCloseTo(8, 5);
    expect(g.degree[item('x')]).toBeCloseTo(3, 5);
    const w = raw(g, at, 0, g.users);
    expect(at(0, g.users)).toBeCloseTo(w / Math.sqrt(g.degree[0] * g.degree[g.users]), 6);
  });

  it('leaves rows of unlinked nodes empty without self-loops, and normalises without NaN', async () => {
    // Item q is only returned, so nobody links to it: with no self-loops its row stays empty.
    const { g, at, item } = await graphOf([`u1,s1,x,view,${T(0)}`, `u1,s1,q,return,${T(1)}`], { selfLoops: false, transitions: false, halfLifeDays: 0 });
    const q = item('q');
    expect(g.adj.rowPtr[q + 1] - g.adj.rowPtr[q]).toBe(0);
    expect(g.degree[q]).toBe(0);
    expect(g.counts.isolated).toBe(1);
    expect(Array.from(g.adj.values).every(Number.isFinite)).toBe(true);
    // A single link u1-x: both degrees 1, so the normalised weight is the raw one over 1.
    expect(at(0, item('x'))).toBeCloseTo(Math.log1p(1) / Math.log1p(1), 6);
  });

  it('rejects bad options with a message', () => {
    expect(() =>
      buildGraph(
        { item: new Int32Array(), type: new Uint8Array(), time: new Float64Array(), typeNames: [], items: [] },
        { count: 0, offsets: Int32Array.of(0), events: new Int32Array() },
        { halfLifeDays: -1 },
      ),
    ).toThrow(GraphOptionsError);
    expect(() =>
      buildGraph(
        { item: new Int32Array(), type: new Uint8Array(), time: new Float64Array(), typeNames: [], items: [] },
        { count: 0, offsets: Int32Array.of(0), events: new Int32Array() },
        { compress: 'sqrt' as 'none' },
      ),
    ).toThrow(/compression/);
  });
});
