// sql/assign_users.sql in DuckDB (@duckdb/node-api) against the item-vector approximation in
// TypeScript (approx.ts), on generated logs: the SQL's cluster must EQUAL assignNearest's for every
// customer (and no row exactly for those without a pooled vector). The tables go through the CSV
// writers --out uses (sqlTables.ts) and DuckDB's read_csv, as a user would run it.
// Also reported (printed, and in docs/sql.md): how often the approximation agrees with the full
// model's own clustering, with the featurizer encoder and with a tiny behaviour BERT. Asserted only
// what must hold: agreement well above what chance gives with the same segment sizes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeStream } from '../analyze';
import { createFeaturizer } from '../encode';
import type { EventTable } from '../ingest/table';
import { PipelineRunner } from '../runner/runner';
import type { SeqBertOptions } from '../seqbert';
import { behaviourCsvStream, generateBehaviourLog } from '../synth';
import { approxCentroids, approxWeights, assignNearest, poolItemVectors, sqlWithHalfLife, type ApproxAssignment, type ApproxCentroids } from './approx';
import { approxOfClustering, centroidsCsv, eventsCsv, eventWeightsCsv, itemVectorsCsv } from './sqlTables';

const SQL = readFileSync(new URL('../../../sql/assign_users.sql', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'seqlens-sql-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface SqlTables {
  events: string;
  itemVectors: string;
  centroids: string;
  weights: string;
}

/** Runs the SQL in a fresh in-memory DuckDB over the four CSV texts; rows by user id. */
async function runSql(name: string, t: SqlTables, halfLifeDays: number): Promise<Map<string, { cluster: number; distance: number }>> {
  const files = {
    events: [t.events, "{'user_id': 'VARCHAR', 'item_id': 'VARCHAR', 'event_type': 'VARCHAR', 'ts': 'BIGINT'}"],
    item_vectors: [t.itemVectors, "{'item_id': 'VARCHAR', 'dim': 'INTEGER', 'value': 'DOUBLE'}"],
    centroids: [t.centroids, "{'cluster': 'INTEGER', 'dim': 'INTEGER', 'value': 'DOUBLE'}"],
    event_weights: [t.weights, "{'event_type': 'VARCHAR', 'weight': 'DOUBLE'}"],
  } as const;
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  try {
    const c = await instance.connect();
    for (const [table, [text, columns]] of Object.entries(files)) {
      const path = join(dir, `${name}-${table}.csv`);
      writeFileSync(path, text);
      await c.run(`CREATE TABLE ${table} AS SELECT * FROM read_csv('${path}', header = true, columns = ${columns})`);
    }
    const rows = (await c.runAndReadAll(sqlWithHalfLife(SQL, halfLifeDays))).getRowObjectsJS() as { user_id: string; cluster: number; distance: number }[];
    const out = new Map<string, { cluster: number; distance: number }>();
    for (const r of rows) {
      expect(out.has(r.user_id)).toBe(false);
      out.set(r.user_id, { cluster: Number(r.cluster), distance: Number(r.distance) });
    }
    return out;
  } finally {
    instance.closeSync();
  }
}

/** Every customer: a SQL row iff a pooled vector, with the same cluster and (to rounding) distance. */
function expectEqual(users: readonly string[], ts: ApproxAssignment, sql: Map<string, { cluster: number; distance: number }>): number {
  let rows = 0;
  const mismatches: string[] = [];
  users.forEach((id, u) => {
    const r = sql.get(id);
    const want = ts.cluster[u];
    if (want < 0) {
      if (r) mismatches.push(`${id}: SQL cluster ${r.cluster}, TypeScript none`);
      return;
    }
    rows++;
    if (!r) mismatches.push(`${id}: SQL none, TypeScript ${want}`);
    else if (r.cluster !== want || Math.abs(r.distance - ts.distance[u]) > 1e-9)
      mismatches.push(`${id}: SQL ${r.cluster} at ${r.distance}, TypeScript ${want} at ${ts.distance[u]}`);
  });
  expect(mismatches.slice(0, 10)).toEqual([]);
  expect(sql.size).toBe(rows);
  return rows;
}

function tablesOf(table: EventTable, items: Float32Array, d: number, centroids: ApproxCentroids, weights: Record<string, number> = {}): SqlTables {
  return {
    events: eventsCsv(table).text,
    itemVectors: itemVectorsCsv(table.items, items, d).text,
    centroids: centroidsCsv(centroids).text,
    weights: eventWeightsCsv(weights).text,
  };
}

describe('sql/assign_users.sql in DuckDB', () => {
  it('gives assignNearest on hand-made edge cases: decay, missing times, types without a weight, items without a vector, cancelling weights, ids to quote', async () => {
    const DAY = 86_400_000;
    const typeNames = ['view', 'click', 'cart', 'purchase', 'return', 'wishlist'];
    const rows: [number, number, number, number][] = [
      [0, 0, 3, 100 * DAY],
      [0, 1, 0, 70 * DAY],
      [0, 2, 5, 10 * DAY],
      [1, 0, 3, 5 * DAY],
      [1, 0, 4, 5 * DAY],
      [2, 1, 5, Number.NaN],
      [2, 3, 0, 3 * DAY],
      [3, 4, 3, 50 * DAY], // item 4 has no vector: no row
      [-1, 0, 3, 0],
      [4, 2, 1, 7 * DAY],
      [4, 3, 2, 9 * DAY],
    ];
    const table = {
      length: rows.length,
      user: Int32Array.from(rows, (r) => r[0]),
      item: Int32Array.from(rows, (r) => r[1]),
      type: Uint8Array.from(rows, (r) => r[2]),
      time: Float64Array.from(rows, (r) => r[3]),
      typeNames,
      users: ['u0', 'u,1', 'u"2"', '=u3', 'ünï 4'],
      items: ['a', 'b,c', 'd"e', '-f', 'g'],
    } as unknown as EventTable;
    // Sparse: item 2 lies on one axis only; the last item has no row at all.
    const items = Float32Array.from([1, 0, 0.1, 0, 1, -0.3, 0, 0, 1, 0.5, 0.5, 0.5, 0, 0, 0]);
    const weights = { view: 2, wishlist: 0.5 };
    const centroids: ApproxCentroids = { dims: 3, centroids: Float32Array.from([1, 0, 0, 0, 1, 0, Number.NaN, Number.NaN, Number.NaN, 0, 0, 1]) };
    for (const halfLifeDays of [30, 0]) {
      const pooled = poolItemVectors(table, items, 3, approxWeights(weights), { halfLifeDays });
      const ts = assignNearest(pooled, centroids);
      // u1 cancels out, u3 has no item with a vector.
      expect(Array.from(ts.cluster).map((c) => c >= 0)).toEqual([true, false, true, false, true]);
      const sql = await runSql(`edge-${halfLifeDays}`, tablesOf(table, items, 3, centroids, weights), halfLifeDays);
      expect(expectEqual(table.users, ts, sql)).toBe(3);
    }
  });

  const log = generateBehaviourLog({ seed: 11, users: 400, items: 120, categories: 8, days: 60, segments: 4 });
  const K = 4;

  async function opened(): Promise<PipelineRunner> {
    const runner = new PipelineRunner();
    const analysis = await analyzeStream(behaviourCsvStream(log), { fileName: 'behaviour.csv', totalBytes: null, sequence: { by: 'user' } });
    await runner.use(analysis, 'sql-test');
    return runner;
  }

  async function check(label: string, runner: PipelineRunner, halfLifeDays: number): Promise<number> {
    await runner.cluster({ kMin: K, kMax: K, device: 'cpu', threads: 'off' });
    const encoded = runner.encoded!;
    const table = encoded.analysis.ingested.table;
    const { sequences } = encoded.analysis;
    const a = approxOfClustering({ table, sequences, itemVectors: encoded.items, d: encoded.itemDims, labels: runner.sweep().labelsOf(K), k: K, halfLifeDays });
    // The centroids are each segment's mean in the pooled space (what the saved model keeps).
    expect(a.centroids).toEqual(approxCentroids(a.pooled, a.full, K));
    const sql = await runSql(label, tablesOf(table, encoded.items, encoded.itemDims, a.centroids), halfLifeDays);
    const rows = expectEqual(table.users, a.assigned, sql);
    expect(rows).toBeGreaterThan(0.9 * table.users.length);
    const { agreement, chance, compared } = a.agreement;
    console.log(
      `SQL approximation vs full model (${label}, ${compared} customers, K = ${K}, d = ${encoded.itemDims}): ` +
        `agreement ${(100 * agreement).toFixed(1)}% (chance with these sizes ${(100 * chance).toFixed(1)}%); SQL = TypeScript for all ${table.users.length} customers`,
    );
    // Above chance by more than 4 standard errors of a count of agreements at chance (binomial).
    expect(agreement).toBeGreaterThan(chance + 4 * Math.sqrt((chance * (1 - chance)) / compared));
    return agreement;
  }

  it('equals assignNearest for every customer, and agrees with the full model above chance (featurizer encoder)', async () => {
    const runner = await opened();
    const halfLifeDays = 30;
    await runner.encode({ model: 'featurizer', mode: 'items', weights: {}, halfLifeDays, kind: 'featurizer' }, createFeaturizer({ dims: 32 }));
    // With the featurizer the full model's vectors ARE pooled item vectors (encode/sequenceVectors.ts):
    // only the app's dedupe, length filters and bot rule differ, so nearly every customer agrees.
    expect(await check('featurizer', runner, halfLifeDays)).toBeGreaterThan(0.9);
  }, 60_000);

  it('equals assignNearest for every customer, and agrees with the full model above chance (behaviour BERT item rows)', async () => {
    const runner = await opened();
    const tiny: Partial<SeqBertOptions> = { layers: 1, hidden: 16, heads: 2, maxLen: 32, epochs: 3, batchSize: 32, backend: 'wasm' };
    await runner.encode({ model: 'featurizer', mode: 'items', weights: {}, halfLifeDays: 30, kind: 'seqbert', seqbert: tiny }, createFeaturizer({ dims: 32 }));
    await check('behaviour BERT', runner, 30);
  }, 120_000);
});
