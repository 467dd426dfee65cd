// `analyze --out DIR` writes DIR/sql/ (assign_users.sql with the half-life asked, item_vectors.csv,
// centroids.csv, event_weights.csv): the files run as they are in DuckDB over the log's events,
// and the share of customers whose SQL segment is their assignments.csv segment is the agreement
// the report states. On the bundled demo log (real UCI data) with the built-in featuriser.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../test/lib/testCsv';
import { analyzeStream } from '../pipeline/analyze';
import { eventsCsv } from '../pipeline/model/sqlTables';
import type { CliSqlTables } from './sqlOut';

const DEMO = 'public/demo/uci-online-retail-demo.csv';
const root = mkdtempSync(join(tmpdir(), 'seqlens-sqlout-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('analyze --out DIR: the SQL tables', () => {
  it('runs in DuckDB as written and agrees with assignments.csv as often as the report says', async () => {
    const dir = join(root, 'out');
    const res = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/analyze.ts', DEMO, '--encoder', 'featurizer', '--gcn', 'off', '--k', '4', '--half-life', '14', '--out', dir, '--json'],
      { encoding: 'utf8' },
    );
    expect(res.status, res.stderr).toBe(0);
    const sql = (JSON.parse(res.stdout) as { sql: CliSqlTables }).sql;
    expect(sql.halfLifeDays).toBe(14);
    expect(sql.files.itemVectors.rows).toBeGreaterThan(0);
    const text = readFileSync(sql.files.sql, 'utf8');
    expect(text).toContain('CAST(14 AS DOUBLE) AS half_life_days');

    // The log's events as the SQL's events table (type names and times as SeqLens read them).
    const analysis = await analyzeStream(new Blob([readFileSync(DEMO)]).stream(), { fileName: 'demo.csv', totalBytes: null, sequence: { by: 'user' } });
    const events = join(root, 'events.csv');
    writeFileSync(events, eventsCsv(analysis.ingested.table).text);
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    let rows: { user_id: string; cluster: number }[];
    try {
      const c = await instance.connect();
      const view = (name: string, file: string, columns: string): Promise<unknown> =>
        c.run(`CREATE VIEW ${name} AS SELECT * FROM read_csv('${file}', header = true, columns = ${columns})`);
      await view('events', events, "{'user_id': 'VARCHAR', 'item_id': 'VARCHAR', 'event_type': 'VARCHAR', 'ts': 'BIGINT'}");
      await view('item_vectors', sql.files.itemVectors.file, "{'item_id': 'VARCHAR', 'dim': 'INTEGER', 'value': 'DOUBLE'}");
      await view('centroids', sql.files.centroids.file, "{'cluster': 'INTEGER', 'dim': 'INTEGER', 'value': 'DOUBLE'}");
      await view('event_weights', sql.files.eventWeights.file, "{'event_type': 'VARCHAR', 'weight': 'DOUBLE'}");
      rows = (await c.runAndReadAll(text)).getRowObjectsJS() as typeof rows;
    } finally {
      instance.closeSync();
    }
    expect(rows.length).toBeGreaterThan(0);

    const assigned = new Map(
      parseCsv(readFileSync(join(dir, 'assignments.csv'), 'utf8'))
        .slice(1)
        .map((r) => [r[0], Number(r[1])] as const),
    );
    let both = 0;
    let same = 0;
    for (const r of rows) {
      const full = assigned.get(r.user_id);
      if (full === undefined || full < 0) continue;
      both++;
      if (full === Number(r.cluster)) same++;
    }
    expect(both).toBe(sql.agreement.customers);
    expect(same / both).toBeCloseTo(sql.agreement.agreement, 12);
    expect(sql.agreement.agreement).toBeGreaterThan(sql.agreement.chance);
  }, 120_000);
});
