// --out DIR also writes DIR/sql/: sql/assign_users.sql (its half-life set to this analysis's) and the
// long-format tables it reads besides the user's own events table: item_vectors.csv (the encode
// stage's item rows: the behaviour BERT's by default), centroids.csv (each segment's mean in the
// pooled item-vector space, model/approx.ts) and event_weights.csv. With them the same assignment
// (the item-vector approximation) runs in DuckDB, Spark SQL or a warehouse on logs of any size
// (docs/sql.md). Sequences grouped by session have no per-customer approximation: nothing is written.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_HALF_LIFE_DAYS, type EventWeights } from '../pipeline/encode/weights';
import { sqlWithHalfLife } from '../pipeline/model/approx';
import { approxOfClustering, centroidsCsv, eventWeightsCsv, itemVectorsCsv } from '../pipeline/model/sqlTables';
import type { PipelineRunner } from '../pipeline/runner/runner';

const SQL_TEMPLATE = new URL('../../sql/assign_users.sql', import.meta.url);

export interface CliSqlTables {
  dir: string;
  files: { sql: string; itemVectors: { file: string; rows: number }; centroids: { file: string; rows: number }; eventWeights: { file: string; rows: number } };
  halfLifeDays: number;
  /** The approximation against the clustering it was made from, over customers with both (chance: same sizes at random). */
  agreement: { customers: number; agreement: number; chance: number };
}

export function writeSqlTables(
  outDir: string,
  runner: PipelineRunner,
  k: number,
  opts: { weights?: Partial<EventWeights> | null; halfLifeDays?: number },
): CliSqlTables | { skipped: string } {
  const encoded = runner.encoded;
  if (!encoded) return { skipped: 'no encoded vectors' };
  if (encoded.analysis.sequences.by !== 'user') return { skipped: 'sequences are grouped by session; the SQL assigns customers (--by user)' };
  const halfLifeDays = opts.halfLifeDays ?? DEFAULT_HALF_LIFE_DAYS;
  const table = encoded.analysis.ingested.table;
  const a = approxOfClustering({
    table,
    sequences: encoded.analysis.sequences,
    itemVectors: encoded.items,
    d: encoded.itemDims,
    labels: runner.sweep().labelsOf(k),
    k,
    weights: opts.weights,
    halfLifeDays,
  });
  const dir = join(outDir, 'sql');
  try {
    mkdirSync(dir);
  } catch (e) {
    if ((e as { code?: string }).code !== 'EEXIST') throw e;
  }
  const write = (name: string, r: { text: string; rows: number }): { file: string; rows: number } => {
    const file = join(dir, name);
    writeFileSync(file, r.text);
    return { file, rows: r.rows };
  };
  const sql = join(dir, 'assign_users.sql');
  writeFileSync(sql, sqlWithHalfLife(readFileSync(SQL_TEMPLATE, 'utf8'), halfLifeDays));
  return {
    dir,
    files: {
      sql,
      itemVectors: write('item_vectors.csv', itemVectorsCsv(table.items, encoded.items, encoded.itemDims)),
      centroids: write('centroids.csv', centroidsCsv(a.centroids)),
      eventWeights: write('event_weights.csv', eventWeightsCsv(opts.weights)),
    },
    halfLifeDays,
    agreement: { customers: a.agreement.compared, agreement: a.agreement.agreement, chance: a.agreement.chance },
  };
}

/** The report's line about the SQL tables. */
export function formatSqlTables(t: CliSqlTables | { skipped: string }): string {
  if ('skipped' in t) return `sql: not written (${t.skipped})\n`;
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  return (
    `sql: ${t.files.sql} with item_vectors.csv (${t.files.itemVectors.rows.toLocaleString('en')} rows), centroids.csv, event_weights.csv; ` +
    `the approximation gives this clustering's segment to ${pct(t.agreement.agreement)} of ${t.agreement.customers.toLocaleString('en')} customers ` +
    `(chance ${pct(t.agreement.chance)})\n`
  );
}
