import { describe, expect, it } from 'vitest';
import { analyzeCsv } from '../../../test/lib/testLog';
import { nnz } from '../graph/csr';
import { buildGraph } from '../graph/build';
import { normalizeRows, runGcn } from './run';

const T = (min: number): string => new Date(Date.UTC(2021, 0, 1, 10, min)).toISOString();

describe('runGcn', () => {
  it('returns a vector per sequence and per table item, and the report shape', async () => {
    const { table, sequences } = await analyzeCsv([
      'user_id,item_id,event_type,timestamp',
      `a,x,view,${T(0)}`,
      `a,y,cart,${T(1)}`,
      `b,y,view,${T(0)}`,
      `b,z,purchase,${T(2)}`,
      `c,x,view,${T(0)}`,
    ]);
    const d = 3;
    const encoder = { dims: d, users: new Float32Array(sequences.count * d).fill(0.5), items: new Float32Array(table.items.length * d).fill(0.1) };
    const progress: number[] = [];
    const r = await runGcn(
      table,
      sequences,
      encoder,
      { hidden: 8, epochs: 5, earlyStopping: null, graph: { transitions: false } },
      { onProgress: (p) => progress.push(p.epoch) },
    );
    expect(r.dims).toBe(8);
    expect(r.userVectors.length).toBe(sequences.count * 8);
    expect(r.itemVectors.length).toBe(table.items.length * 8);
    expect(Object.keys(r.report)).toEqual(['device', 'epochs', 'loss', 'nodes', 'edges']);
    expect(r.report).toMatchObject({ device: 'cpu', epochs: 5, nodes: sequences.count + table.items.length });
    expect(r.report.edges).toBe(nnz(buildGraph(table, sequences, { transitions: false }).adj));
    expect(progress).toEqual([1, 2, 3, 4, 5]);
    expect(r.stats.features).toBe('encoder');
    const unit = normalizeRows(r.userVectors, 8);
    expect(Math.hypot(...unit.subarray(0, 8))).toBeCloseTo(1, 5);
  });
});
