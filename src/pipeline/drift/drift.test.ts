import { describe, expect, it } from 'vitest';
import { computeDrift, MAX_DRIFT_ITEM_IDS } from './drift';
import { driftJson, transitionsCsv } from './exports';
import type { DriftReport, DriftSide } from './types';

function side(rows: [string, number][], k: number, itemIds: string[], traits?: (string[] | null)[]): DriftSide {
  return { userIds: rows.map((r) => r[0]), clusters: Int32Array.from(rows.map((r) => r[1])), k, itemIds, traits };
}

const sum = (a: number[]): number => a.reduce((s, x) => s + x, 0);

// Old log: a,b in 0; c in 1; d too little history; e in 1 (lapses); f in 0 (lapses).
// New log: a stays 0; b moves 0 -> 1; c moves 1 -> -1; d moves -1 -> 0; g, h, i are new (0, 1, -1).
const before = side(
  [
    ['a', 0],
    ['b', 0],
    ['c', 1],
    ['d', -1],
    ['e', 1],
    ['f', 0],
  ],
  2,
  ['x1', 'x2', 'x3'],
  [['Loyal', 'Big baskets'], ['Occasional']],
);
const after = side(
  [
    ['g', 0],
    ['a', 0],
    ['b', 1],
    ['c', -1],
    ['d', 0],
    ['h', 1],
    ['i', -1],
  ],
  2,
  ['x2', 'x3', 'x4', 'x5'],
  [['Loyal'], null],
);

describe('computeDrift', () => {
  const r = computeDrift(before, after, ['Loyal', 'Occasional']);

  it('counts kept, new and lost customers', () => {
    expect(r.users).toEqual({ kept: 4, new: 3, lost: 2 });
    expect(r.users.kept + r.users.new).toBe(after.userIds.length);
  });

  it('sizes before and after, the last slot for too little history', () => {
    expect(r.sizesBefore).toEqual([3, 2, 1]);
    expect(r.sizesAfter).toEqual([3, 2, 2]);
    expect(sum(r.sizesAfter)).toBe(after.userIds.length);
    expect(sum(r.sizesBefore)).toBe(before.userIds.length);
  });

  it('transitions of kept customers, rows summing to each old segment’s kept customers', () => {
    expect(r.transitions).toEqual([
      [1, 1, 0],
      [0, 0, 1],
      [1, 0, 0],
    ]);
    const keptOld = [2, 1, 1]; // a,b | c | d
    r.transitions.forEach((row, i) => expect(sum(row)).toBe(keptOld[i]));
    expect(r.moved).toBe(3);
    // Column sums + new customers per segment = sizes after.
    for (let j = 0; j <= r.k; j++) expect(sum(r.transitions.map((row) => row[j])) + r.newSegmentOfNew[j]).toBe(r.sizesAfter[j]);
    // Row sums + lost per segment = sizes before.
    r.transitions.forEach((row, i) => expect(sum(row) + r.lostBySegment[i]).toBe(r.sizesBefore[i]));
  });

  it('new customers per new segment, lapsed per old segment', () => {
    expect(r.newSegmentOfNew).toEqual([1, 1, 1]);
    expect(r.lostBySegment).toEqual([1, 1, 0]);
  });

  it('items that appeared and vanished', () => {
    expect(r.newItems).toBe(2);
    expect(r.newItemIds).toEqual(['x4', 'x5']);
    expect(r.vanishedItems).toBe(1);
    expect(r.vanishedItemIds).toEqual(['x1']);
    // No counts or titles given: catalogue order, empty titles.
    expect(r.newItemTitles).toEqual(['', '']);
  });

  it('with event counts and titles: the busiest new and vanished items first, with their titles', () => {
    const d = computeDrift(
      { ...before, itemIds: ['x1', 'x2', 'x3', 'x9'], itemCounts: [2, 9, 9, 7], itemTitles: ['Mug', 'Lamp', 'Bag', ' Tin  '] },
      { ...after, itemIds: ['x2', 'x3', 'x4', 'x5', 'x6'], itemCounts: [1, 1, 3, 8, 3], itemTitles: ['Lamp', 'Bag', 'Cup', '', 'Jar'] },
      ['A', 'B'],
    );
    // Ties (x4 and x6: 3 events each) keep catalogue order.
    expect(d.newItemIds).toEqual(['x5', 'x4', 'x6']);
    expect(d.newItemTitles).toEqual(['', 'Cup', 'Jar']);
    expect(d.vanishedItemIds).toEqual(['x9', 'x1']);
    expect(d.vanishedItemTitles).toEqual(['Tin', 'Mug']);
  });

  it('labels end with the too-little-history group; traits padded to k + 1', () => {
    expect(r.labels).toEqual(['Loyal', 'Occasional', 'Too little history yet']);
    expect(r.traits.before).toEqual([['Loyal', 'Big baskets'], ['Occasional'], null]);
    expect(r.traits.after).toEqual([['Loyal'], null, null]);
    expect(r.seconds).toBeGreaterThanOrEqual(0);
  });

  it('the same log twice: everyone kept, nobody moved, the diagonal holds the sizes', () => {
    const same = computeDrift(before, before, ['Loyal', 'Occasional']);
    expect(same.users).toEqual({ kept: 6, new: 0, lost: 0 });
    expect(same.moved).toBe(0);
    expect(same.transitions.map((row, i) => row[i])).toEqual(same.sizesBefore);
    expect(same.newItems + same.vanishedItems).toBe(0);
  });

  it('cuts the item lists to the maximum but keeps the counts', () => {
    const many = Array.from({ length: 250 }, (_, i) => `new${i}`);
    const d = computeDrift(before, { ...after, itemIds: many }, ['A', 'B']);
    expect(d.newItems).toBe(250);
    expect(d.newItemIds).toHaveLength(MAX_DRIFT_ITEM_IDS);
    expect(d.newItemIds[0]).toBe('new0');
    expect(d.vanishedItems).toBe(3);
  });

  it('refuses sides with different K or a cluster count that does not match the ids', () => {
    expect(() => computeDrift(before, { ...after, k: 3 }, ['A', 'B'])).toThrow(/segments/);
    expect(() => computeDrift(before, { ...after, clusters: new Int32Array(2) }, ['A', 'B'])).toThrow(/one cluster/);
  });

  it('holds its invariants on a larger random pair of logs', () => {
    let seed = 7;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const k = 5;
    const mk = (from: number, to: number): [string, number][] => {
      const rows: [string, number][] = [];
      for (let u = from; u < to; u++) rows.push([`u${u}`, Math.floor(rand() * (k + 1)) - 1]);
      return rows;
    };
    const b = side(mk(0, 3000), k, []);
    const a = side(mk(1000, 5000), k, []);
    const d = computeDrift(b, a, ['a', 'b', 'c', 'd', 'e']);
    expect(d.users).toEqual({ kept: 2000, new: 2000, lost: 1000 });
    expect(sum(d.sizesAfter)).toBe(4000);
    expect(sum(d.transitions.flat())).toBe(2000);
    expect(sum(d.newSegmentOfNew)).toBe(2000);
    expect(sum(d.lostBySegment)).toBe(1000);
    const diag = d.transitions.reduce((s, row, i) => s + row[i], 0);
    expect(d.moved).toBe(2000 - diag);
  });
});

describe('drift exports', () => {
  const r: DriftReport = computeDrift(before, after, ['Loyal, "gold"', '=HYPERLINK("x")']);

  it('transitions.csv: every pair, cluster -1 for too little history, labels quoted and neutralised', () => {
    const lines = transitionsCsv(r).split('\r\n');
    expect(lines[0]).toBe('from_cluster,from_label,to_cluster,to_label,customers');
    expect(lines).toHaveLength(1 + 9 + 1); // header, (k+1)^2 rows, trailing line end
    expect(lines[1]).toBe('0,"Loyal, ""gold""",0,"Loyal, ""gold""",1');
    expect(lines[2]).toBe(`0,"Loyal, ""gold""",1,"'=HYPERLINK(""x"")",1`);
    expect(lines[3]).toBe('0,"Loyal, ""gold""",-1,Too little history yet,0');
    expect(lines[7]).toBe('-1,Too little history yet,0,"Loyal, ""gold""",1');
    const total = lines.slice(1, -1).reduce((s, l) => s + Number(l.slice(l.lastIndexOf(',') + 1)), 0);
    expect(total).toBe(r.users.kept);
  });

  it('drift.json: the report with the cluster number of each index', () => {
    const text = driftJson(r);
    expect(text.endsWith('\n')).toBe(true);
    const j = JSON.parse(text);
    expect(j.clusters).toEqual([0, 1, -1]);
    expect(j.users).toEqual(r.users);
    expect(j.transitions).toEqual(r.transitions);
    expect(j.sizesAfter).toEqual(r.sizesAfter);
    expect(j.labels[2]).toBe('Too little history yet');
    expect(j.newItemIds).toEqual(['x4', 'x5']);
  });
});
