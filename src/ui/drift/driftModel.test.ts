import { describe, expect, it } from 'vitest';
import { computeDrift } from '../../pipeline/drift/drift';
import type { DriftReport, DriftSide } from '../../pipeline/drift/types';
import type { Trait } from '../../pipeline/profile/types';
import { driftFileName, matrixTable, modelFileName, nodeName, sankeyData, sizeRows, traitRows } from './driftModel';

function side(rows: [string, number][], itemIds: string[], traits?: (string[] | null)[]): DriftSide {
  return { userIds: rows.map((r) => r[0]), clusters: Int32Array.from(rows.map((r) => r[1])), k: 2, itemIds, traits };
}

// a stays in Loyal; b, e move Loyal -> Occasional; c moves Occasional -> too little; d moves too little -> Loyal;
// f lapses; g is new.
const report = computeDrift(
  side(
    [
      ['a', 0],
      ['b', 0],
      ['e', 0],
      ['c', 1],
      ['d', -1],
      ['f', 1],
    ],
    ['x'],
    [['Buys often', 'Big baskets'], ['Rarely buys']],
  ),
  side(
    [
      ['a', 0],
      ['b', 1],
      ['e', 1],
      ['c', -1],
      ['d', 0],
      ['g', 1],
    ],
    ['x', 'y'],
    [['Buys often'], ['Rarely buys', 'Buys gifts']],
  ),
  ['Loyal', 'Occasional'],
);

describe('drift view model', () => {
  it('size rows: before, after, change and shares per segment, too little history last', () => {
    const rows = sizeRows(report);
    expect(rows.map((r) => [r.label, r.before, r.after, r.change])).toEqual([
      ['Loyal', 3, 2, -1],
      ['Occasional', 2, 3, 1],
      ['Too little history yet', 1, 1, 0],
    ]);
    expect(rows[0].beforeShare).toBeCloseTo(0.5);
    expect(rows.reduce((s, r) => s + r.afterShare, 0)).toBeCloseTo(1);
  });

  it('Sankey: only customers who moved, largest link first, a node per side', () => {
    const s = sankeyData(report);
    expect(s.moved).toBe(report.moved);
    expect(s.moved).toBe(4);
    expect(s.links[0]).toEqual({ source: nodeName('Loyal', 'then'), target: nodeName('Occasional', 'now'), value: 2 });
    expect(s.links.every((l) => l.source.endsWith('(then)') && l.target.endsWith('(now)'))).toBe(true);
    expect(s.links.some((l) => l.source === nodeName('Too little history yet', 'then'))).toBe(true);
    // Every link's ends are nodes, and node names are unique.
    const names = new Set(s.nodes.map((n) => n.name));
    expect(names.size).toBe(s.nodes.length);
    for (const l of s.links) expect(names.has(l.source) && names.has(l.target)).toBe(true);
    // Loyal stayed (a) is no link; Occasional (now) has no outgoing link.
    expect(s.links.find((l) => l.source === nodeName('Loyal', 'then') && l.target === nodeName('Loyal', 'now'))).toBeUndefined();
  });

  it('Sankey: keeps the largest links when there are too many', () => {
    const s = sankeyData(report, 1);
    expect(s.links).toHaveLength(1);
    expect(s.links[0].value).toBe(2);
    expect(s.moved).toBe(4);
    expect(s.nodes.map((n) => n.name)).toEqual([nodeName('Loyal', 'then'), nodeName('Occasional', 'now')]);
  });

  it('matrix table: totals consistent with the kept customers', () => {
    const m = matrixTable(report);
    expect(m.total).toBe(report.users.kept);
    expect(m.rowTotals).toEqual([3, 1, 1]);
    expect(m.columnTotals).toEqual([2, 2, 1]);
    expect(m.stayed + report.moved).toBe(m.total);
  });

  it('traits then and now per segment', () => {
    const rows = traitRows(report);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual({ index: 0, label: 'Loyal', before: ['Buys often', 'Big baskets'], after: ['Buys often'] });
    expect(rows[1]).toEqual({ index: 1, label: 'Occasional', before: ['Rarely buys'], after: ['Rarely buys', 'Buys gifts'] });
  });

  it('traits with their numbers are said by the page (amounts in the chosen currency), the rest as written', () => {
    const spend = {
      key: 'spend',
      word: 'High spend',
      value: 1021.5,
      overall: 400,
      ratio: 2.55,
      text: '1,022 spent per customer (typical customer: 400)',
    } as Trait;
    const withDetails: DriftReport = { ...report, traitDetails: { before: [[spend], null, null], after: [null, null, null] } };
    const say = (t: Trait): string => (t.key === 'spend' ? `£${t.value.toFixed(2)} spent` : t.text);
    const rows = traitRows(withDetails, say);
    expect(rows[0].before).toEqual(['£1021.50 spent']);
    // Where a side has no numbers, its words stay.
    expect(rows[0].after).toEqual(['Buys often']);
    expect(rows[1].before).toEqual(['Rarely buys']);
    // Without a sayer, the written words.
    expect(traitRows(withDetails)[0].before).toEqual(['Buys often', 'Big baskets']);
  });

  it('file names from the log name', () => {
    expect(modelFileName('march sales.csv')).toBe('march-sales.seqlens');
    expect(driftFileName('april.csv', 'drift.json')).toBe('april-drift.json');
    expect(driftFileName('april.csv', 'transitions.csv')).toBe('april-transitions.csv');
    expect(modelFileName('.csv')).toBe('log.seqlens');
  });
});
