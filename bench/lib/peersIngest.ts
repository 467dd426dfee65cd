// Reading a log, ours against DuckDB on the same file in the same run: DuckDB (@duckdb/node-api, a
// dev dependency) runs read_csv, orders the events by user and time, and copies the columns a
// sequence needs into typed arrays; ours is the CLI's path (analyzeSource: read, per-user
// sequences, report) in a fresh child process. Each run times both back to back, alternating
// which goes first, on a shared machine whose load moves: compare the ratios, not the seconds.
//
// The input is the seeded synthetic log in the shape of a common export (exportCsv.ts: REES46's
// columns without titles, 27% empty category codes, nothing quoted), or the same events with one
// quoted field on every 1,000th row (`quoted`). bench:ingest and bench:peers both use this.

import { statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNodeIngest } from './nodeIngest';
import { median } from './stats';
import { ensureExportCsv } from './synthData';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PEERS_DATA_DIR = join(ROOT, 'bench', '.data');
/** The quoted variant: one quoted field on every QUOTE_EVERY-th row, nothing else changed. */
export const QUOTE_EVERY = 1000;

export interface PeerRow {
  name: string;
  /** Median over the runs. */
  seconds: number;
  eventsPerSecond: number;
  /** Every run, in seconds. */
  runs: number[];
}

export interface PeerFile {
  label: string;
  path: string;
  bytes: number;
}

export interface IngestPeersResult {
  file: PeerFile;
  events: number;
  threads: number;
  /** Ours (Node), then DuckDB. */
  rows: PeerRow[];
  /** DuckDB's time over ours, per run (above 1: ours is faster). */
  ratios: number[];
  /** Median of `ratios`. */
  ratio: number;
  /** DuckDB's query alone (read_csv + ORDER BY, results fetched) over ours, median per run. */
  queryRatio: number;
  /**
   * DuckDB's CPU time over ours (every thread of each side), median per run: how much work each
   * does, which other jobs on a shared machine disturb far less than the wall times.
   */
  cpuRatio: number;
  duckdbVersion: string;
}

export interface IngestPeersOptions {
  events?: number;
  /** The file with a quoted field on every 1,000th row instead of the unquoted one. */
  quoted?: boolean;
  /** Threads each side may use (ours: the reader's parts; DuckDB: SET threads). Default: the machine's cores, at most 8. */
  threads?: number;
  runs?: number;
  seed?: number;
  /** Another CSV with the same column names (event_time, event_type, product_id, user_id) instead of the generated one. */
  file?: PeerFile;
  dataDir?: string;
  log?: (line: string) => void;
}

/** The generated input of ingestPeers (written once, then cached under bench/.data). */
export function peersIngestFile(events: number, quoted: boolean, seed = 42, dataDir = PEERS_DATA_DIR): PeerFile {
  const f = ensureExportCsv(dataDir, events, seed, quoted ? QUOTE_EVERY : 0);
  return {
    label: `${quoted ? `export shape, a quoted field every ${QUOTE_EVERY.toLocaleString('en')} rows` : 'export shape, unquoted'} (${basename(f.path)})`,
    path: f.path,
    bytes: f.bytes,
  };
}

export interface DuckRun {
  rows: number;
  /** read_csv + ORDER BY until every chunk is fetched. */
  queryMs: number;
  /** Query plus the copy of the columns into typed arrays. */
  totalMs: number;
  /** CPU time of this process over the same span (DuckDB's threads run in it). */
  cpuMs: number;
}

export type DuckApi = typeof import('@duckdb/node-api');

export async function loadDuckDB(): Promise<DuckApi> {
  try {
    return await import('@duckdb/node-api');
  } catch (e) {
    throw new Error(`@duckdb/node-api is not installed (npm install): ${e instanceof Error ? e.message : e}`);
  }
}

/**
 * One DuckDB run on a fresh in-memory database: the events ordered by user and time, and the
 * columns a sequence needs (user, time in ms, item, event type code) as typed arrays. Types come
 * from read_csv's own detection, as a user of DuckDB would get them.
 */
export async function runDuckDB(duck: DuckApi, path: string, threads: number): Promise<DuckRun> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const instance = await duck.DuckDBInstance.create(':memory:', { threads: String(threads) });
  const conn = await instance.connect();
  try {
    const file = path.replace(/'/g, "''");
    const result = await conn.run(
      `SELECT user_id::DOUBLE AS u, epoch_ms(event_time)::DOUBLE AS t, product_id::DOUBLE AS item,
              CASE event_type WHEN 'view' THEN 0 WHEN 'cart' THEN 1 WHEN 'purchase' THEN 2 ELSE 3 END::UTINYINT AS type
       FROM read_csv('${file}', header = true)
       ORDER BY user_id, event_time`,
    );
    const chunks = await result.fetchAllChunks();
    const queryMs = performance.now() - t0;
    let n = 0;
    for (const c of chunks) n += c.rowCount;
    const user = new Float64Array(n);
    const time = new Float64Array(n);
    const item = new Float64Array(n);
    const type = new Uint8Array(n);
    let off = 0;
    for (const c of chunks) {
      const m = c.rowCount;
      const vu = c.getColumnVector(0);
      const vt = c.getColumnVector(1);
      const vi = c.getColumnVector(2);
      const vy = c.getColumnVector(3);
      for (let i = 0; i < m; i++) {
        user[off + i] = Number(vu.getItem(i) ?? NaN);
        time[off + i] = Number(vt.getItem(i) ?? NaN);
        item[off + i] = Number(vi.getItem(i) ?? NaN);
        type[off + i] = Number(vy.getItem(i) ?? 3);
      }
      off += m;
    }
    // Read one value of each so the copies cannot be skipped.
    if (n > 0 && Number.isNaN(user[n - 1] + time[n - 1] + item[n - 1] + type[n - 1])) throw new Error('DuckDB: missing values in the last row');
    const totalMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { rows: n, queryMs, totalMs, cpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

export async function duckdbVersion(duck: DuckApi): Promise<string> {
  const instance = await duck.DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    const r = await conn.runAndReadAll('SELECT version()');
    return String(r.getRows()[0][0]);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

export async function ingestPeers(opts: IngestPeersOptions = {}): Promise<IngestPeersResult> {
  const events = opts.events ?? 1_000_000;
  const runs = opts.runs ?? 3;
  const threads = opts.threads ?? Math.min(8, (await import('node:os')).availableParallelism());
  const log = opts.log ?? (() => {});
  const file = opts.file ?? peersIngestFile(events, opts.quoted ?? false, opts.seed ?? 42, opts.dataDir);
  const duck = await loadDuckDB();
  const version = await duckdbVersion(duck);
  const ours: number[] = [];
  const theirs: number[] = [];
  const theirsQuery: number[] = [];
  const cpuRatios: number[] = [];
  let rows = 0;
  for (let r = 0; r < runs; r++) {
    const oursFirst = r % 2 === 0;
    let o: Awaited<ReturnType<typeof runNodeIngest>> | null = null;
    let d: DuckRun | null = null;
    if (oursFirst) o = await runNodeIngest(file.path, { threads });
    d = await runDuckDB(duck, file.path, threads);
    if (!oursFirst) o = await runNodeIngest(file.path, { threads });
    if (!o || !d) throw new Error('unreachable');
    if (o.rows !== d.rows) throw new Error(`ours read ${o.rows} rows of ${file.path}, DuckDB ${d.rows}`);
    rows = o.rows;
    ours.push(o.wallMs / 1000);
    theirs.push(d.totalMs / 1000);
    theirsQuery.push(d.queryMs / 1000);
    cpuRatios.push(d.cpuMs / o.cpuMs);
    log(
      `ingest peers run ${r + 1}/${runs} (${threads} thread${threads === 1 ? '' : 's'}, ${oursFirst ? 'ours first' : 'DuckDB first'}): ` +
        `ours ${(o.wallMs / 1000).toFixed(2)} s (read on ${o.readThreads} thread${o.readThreads === 1 ? '' : 's'}), ` +
        `DuckDB ${(d.totalMs / 1000).toFixed(2)} s (query ${(d.queryMs / 1000).toFixed(2)} s) = ${(d.totalMs / o.wallMs).toFixed(2)}x; ` +
        `CPU time ours ${(o.cpuMs / 1000).toFixed(2)} s, DuckDB ${(d.cpuMs / 1000).toFixed(2)} s = ${(d.cpuMs / o.cpuMs).toFixed(2)}x`,
    );
  }
  const row = (name: string, xs: number[]): PeerRow => ({ name, seconds: median(xs), eventsPerSecond: rows / median(xs), runs: xs });
  const ratios = ours.map((o, i) => theirs[i] / o);
  return {
    file: { ...file, bytes: file.bytes || statSync(file.path).size },
    events: rows,
    threads,
    rows: [row('SeqLens (Node, CLI path: read + per-user sequences)', ours), row(`DuckDB ${version} (read_csv + ORDER BY user, time + typed arrays)`, theirs)],
    ratios,
    ratio: median(ratios),
    queryRatio: median(ours.map((o, i) => theirsQuery[i] / o)),
    cpuRatio: median(cpuRatios),
    duckdbVersion: version,
  };
}

/** Best and median of the per-run ratios, as "1.9x / 1.7x". */
export function ratioSummary(r: IngestPeersResult): string {
  const best = Math.max(...r.ratios);
  return r.ratios.length > 1 ? `${best.toFixed(2)}x / ${r.ratio.toFixed(2)}x` : `${r.ratio.toFixed(2)}x`;
}
