// Parquet in and out (issue #16 item 5), in Node: reading a log from Parquet against the same log
// as CSV (read + sequences, analyzeStream, one thread), and writing the export files at a size a
// merchant's log gives (50,000 customers x 64 dimensions). The Parquet copy of the log is DuckDB's
// (COPY (SELECT * FROM read_csv(...)) TO ... (FORMAT parquet)), as a warehouse would hand it over.
// Runs alternate CSV / Parquet back to back; wall and CPU time per run, medians printed.
//
//   npx tsx bench/parquet.ts [--runs N] [--file CSV]

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { analyzeStream } from '../src/pipeline/analyze';
import { centroidsParquet, clusterCentres, userVectorsParquet } from '../src/pipeline/export/parquet';
import { benchArgs, intArg } from './lib/args';
import { int, markdownTable, mib } from './lib/format';
import { describeMachine, loadAverage, machineInfo } from './lib/machine';
import { median } from './lib/stats';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const UCI = resolve(ROOT, '../shared/data/uci-online-retail/online-retail-2010-12_2011-05.csv');
const DEMO = resolve(ROOT, 'public/demo/uci-online-retail-demo.csv');
const DATA_DIR = join(ROOT, 'bench', '.data');

const USAGE = 'usage: npx tsx bench/parquet.ts [--runs N] [--file CSV]';
const args = benchArgs(process.argv.slice(2), { runs: { type: 'string' }, file: { type: 'string' } }, USAGE);
const runs = intArg('--runs', args.runs, 3, 1, USAGE);
const csvPath = args.file !== undefined ? resolve(args.file) : existsSync(UCI) ? UCI : DEMO;
const pqPath = join(
  DATA_DIR,
  `${csvPath
    .split('/')
    .pop()!
    .replace(/\.csv$/, '')}.parquet`,
);

function stream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.subarray(at, at + (1 << 20)));
      at += 1 << 20;
    },
  });
}

/** Wall and CPU seconds of one call. */
async function timed<T>(f: () => Promise<T> | T): Promise<{ wall: number; cpu: number; value: T }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await f();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6, value };
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const { mkdirSync } = await import('node:fs');
  mkdirSync(DATA_DIR, { recursive: true });
  const db = await DuckDBInstance.create(':memory:');
  try {
    const c = await db.connect();
    await c.run(`COPY (SELECT * FROM read_csv('${csvPath}')) TO '${pqPath}' (FORMAT parquet)`);
  } finally {
    db.closeSync();
  }
  const files = { CSV: new Uint8Array(readFileSync(csvPath)), Parquet: new Uint8Array(readFileSync(pqPath)) };
  const results: Record<string, { wall: number[]; cpu: number[]; events: number; sequences: number; rejected: number }> = {};
  for (let r = 0; r < runs; r++) {
    for (const [name, bytes] of Object.entries(files)) {
      const t = await timed(() => analyzeStream(stream(bytes), { fileName: name === 'CSV' ? 'log.csv' : 'log.parquet', totalBytes: bytes.length }));
      const rep = t.value.report;
      results[name] ??= { wall: [], cpu: [], events: rep.events.total, sequences: rep.sequences.count, rejected: rep.input.rejected.count };
      const got = results[name];
      got.wall.push(t.wall);
      got.cpu.push(t.cpu);
    }
  }
  console.log(
    `# Parquet in and out\n\n${describeMachine(machineInfo())}\nlog: ${csvPath} (${mib(files.CSV.length)} CSV, ${mib(files.Parquet.length)} Parquet from DuckDB)\n`,
  );
  console.log(
    markdownTable(
      ['read + sequences', 'file', 'events', 'sequences', 'rejected', 'wall s (median)', 'CPU s (median)', 'events/s'],
      Object.entries(results).map(([name, r]) => [
        name,
        mib(files[name as keyof typeof files].length),
        int(r.events),
        int(r.sequences),
        int(r.rejected),
        median(r.wall).toFixed(2),
        median(r.cpu).toFixed(2),
        int(r.events / median(r.wall)),
      ]),
    ),
  );

  // Writing: 50,000 customers x 64 dimensions, 8 clusters.
  const n = 50_000;
  const d = 64;
  let seed = 1;
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed / 2 ** 32) * 2 - 1;
  };
  const vectors = Float32Array.from({ length: n * d }, rand);
  const ids = Array.from({ length: n }, (_, i) => `customer-${i}`);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 8);
  const clusterLabels = Array.from({ length: 8 }, (_, i) => `Segment ${i}`);
  const write: string[][] = [];
  for (let r = 0; r < runs; r++) {
    const users = await timed(() => userVectorsParquet({ ids, labels, clusterLabels, vectors, d }));
    const centres = await timed(() => {
      const { centres, sizes } = clusterCentres(vectors, n, d, labels, 8);
      return centroidsParquet({ centres, d, clusterLabels, sizes });
    });
    write.push([`run ${r + 1}`, users.wall.toFixed(2), users.cpu.toFixed(2), mib(users.value.bytes.length), centres.wall.toFixed(3)]);
  }
  console.log(`\nwriting user_vectors.parquet (${int(n)} x ${d}) and centroids.parquet (8 x ${d})\n`);
  console.log(markdownTable(['run', 'user vectors wall s', 'CPU s', 'file', 'centroids wall s'], write));
  console.log(`\nload average before ${loadBefore.toFixed(2)}, after ${loadAverage().toFixed(2)}; Parquet copy at ${pqPath} (${mib(statSync(pqPath).size)})`);
}

await main();
