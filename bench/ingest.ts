// Ingest benchmark: parse + sequence building of seeded 1,000,000-event logs and of the UCI Online
// Retail export, in Node (the CLI's path) and in headless Chromium through the real UI (the
// product's path: the analysis worker). Prints the machine and a markdown table.
//
// The synthetic logs: REES46's columns with titles (quoted on about one row in ten), and the same
// kind of log in the shape of a common export (no titles, 27% empty categories, no quote anywhere),
// unquoted and with one quoted field every 1,000 rows. On those, DuckDB (read_csv, ORDER BY user,
// time, columns into typed arrays: bench/lib/peersIngest.ts) reads the same file back to back with
// each of our runs, and the table gives DuckDB's time over ours per run: on a shared machine only
// such ratios compare.
//
//   npx tsx bench/ingest.ts [--events N] [--runs N] [--seed N] [--only node|browser] [--port N]
//                           [--files synthetic,export,export-quoted,uci] [--no-duckdb]

import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArgs, intArg } from './lib/args';
import { launchChromium, runBrowserIngest, type BrowserIngestResult } from './lib/browserIngest';
import { int, markdownTable, mib, ms, times } from './lib/format';
import { describeMachine, loadAverage, machineInfo } from './lib/machine';
import { runNodeIngest, type NodeIngestResult } from './lib/nodeIngest';
import { duckdbVersion, loadDuckDB, QUOTE_EVERY, runDuckDB, type DuckApi } from './lib/peersIngest';
import { ensureBuilt, startPreview } from './lib/preview';
import { max, median, min } from './lib/stats';
import { benchParams, ensureExportCsv, ensureSynthCsv } from './lib/synthData';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const UCI = resolve(ROOT, '../shared/data/uci-online-retail/online-retail-2010-12_2011-05.csv');
const DATA_DIR = join(ROOT, 'bench', '.data');
const APP_DIR = join(DATA_DIR, 'app');
const TARGET_WORKER_EVENTS_PER_S = 500_000;
const TARGET_PEAK_OVER_FILE = 3;
/** DuckDB's time over ours on the export-shaped files (issue #18). */
const TARGET_DUCKDB_RATIO = 1.5;
const FILE_KEYS = ['synthetic', 'export', 'export-quoted', 'uci'] as const;
type FileKey = (typeof FILE_KEYS)[number];

interface Args {
  events: number;
  runs: number;
  seed: number;
  only: 'node' | 'browser' | null;
  port: number;
  files: FileKey[];
  duckdb: boolean;
}

const USAGE = `usage: npx tsx bench/ingest.ts [--events N] [--runs N] [--seed N] [--only node|browser] [--port N] [--files ${FILE_KEYS.join(',')}] [--no-duckdb]`;

function parseArgs(argv: string[]): Args {
  const v = benchArgs(
    argv,
    {
      events: { type: 'string' },
      runs: { type: 'string' },
      seed: { type: 'string' },
      port: { type: 'string' },
      only: { type: 'string' },
      files: { type: 'string' },
      'no-duckdb': { type: 'boolean' },
    },
    USAGE,
  );
  if (v.only !== undefined && v.only !== 'node' && v.only !== 'browser') throw new Error('--only takes "node" or "browser"');
  let files: FileKey[] = [...FILE_KEYS];
  if (v.files !== undefined) {
    const list = v.files.split(',').filter((f) => f !== '');
    const bad = list.filter((f) => !(FILE_KEYS as readonly string[]).includes(f));
    if (list.length === 0 || bad.length > 0) throw new Error(`--files takes a comma-separated list of ${FILE_KEYS.join(', ')}`);
    files = list as FileKey[];
  }
  return {
    events: intArg('--events', v.events, 1_000_000, 1, USAGE),
    runs: intArg('--runs', v.runs, 3, 1, USAGE),
    seed: intArg('--seed', v.seed, 42, 0, USAGE),
    only: v.only ?? null,
    port: intArg('--port', v.port, 4174, 1, USAGE),
    files,
    duckdb: !v['no-duckdb'],
  };
}

interface Input {
  label: string;
  path: string;
  bytes: number;
  /** DuckDB reads it too (the REES46 column names its query uses). */
  duckdb: boolean;
  /** An export-shaped file, where the DuckDB ratio target applies. */
  exportShape: boolean;
}

/** DuckDB, when it runs alongside: the API and the threads it may use (as many as ours). */
interface Duck {
  api: DuckApi;
  version: string;
  threads: number;
}

interface Row {
  where: string;
  input: Input;
  rows: number;
  wall: number[];
  parse: number[];
  sequences: number[] | null;
  peak: number[];
  longestTask: number[] | null;
  /** DuckDB's total time in the runs back to back with ours (null: it did not run on this file). */
  duck: number[] | null;
  /** DuckDB's CPU time over ours in those runs (Node only: the browser's CPU time is not measured). */
  cpuRatios: number[] | null;
}

/**
 * One of our runs and one DuckDB run on the same file, back to back; which goes first alternates
 * with the run number, so neither side always gets the cooler cache or the quieter moment.
 */
async function withDuck<T>(
  duck: Duck | null,
  input: Input,
  run: number,
  ours: () => Promise<T>,
): Promise<{ res: T; duckMs: number | null; duckCpuMs: number | null }> {
  if (!duck || !input.duckdb) return { res: await ours(), duckMs: null, duckCpuMs: null };
  if (run % 2 === 1) {
    const res = await ours();
    const d = await runDuckDB(duck.api, input.path, duck.threads);
    return { res, duckMs: d.totalMs, duckCpuMs: d.cpuMs };
  }
  const d = await runDuckDB(duck.api, input.path, duck.threads);
  return { res: await ours(), duckMs: d.totalMs, duckCpuMs: d.cpuMs };
}

function duckNote(duckMs: number | null, oursMs: number): string {
  return duckMs === null ? '' : `; DuckDB ${ms(duckMs)} = ${(duckMs / oursMs).toFixed(2)}× ours`;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function benchNode(inputs: Input[], runs: number, duck: Duck | null): Promise<{ rows: Row[]; expected: Map<string, number> }> {
  const out: Row[] = [];
  const expected = new Map<string, number>();
  for (const input of inputs) {
    const results: NodeIngestResult[] = [];
    const ducks: number[] = [];
    const cpuRatios: number[] = [];
    for (let r = 1; r <= runs; r++) {
      const { res, duckMs, duckCpuMs } = await withDuck(duck, input, r, () => runNodeIngest(input.path, duck ? { threads: duck.threads } : {}));
      results.push(res);
      if (duckMs !== null) ducks.push(duckMs);
      if (duckCpuMs !== null) cpuRatios.push(duckCpuMs / res.cpuMs);
      log(
        `node    ${input.label} run ${r}: ${int(res.rows)} rows in ${ms(res.wallMs)} (read ${ms(res.readMs)} on ${res.readThreads} thread${res.readThreads === 1 ? '' : 's'}, sequences ${ms(res.sequencesMs)}) ` +
          `= ${int(res.rows / (res.wallMs / 1000))} events/s; peak RSS +${mib(res.peakRssDelta)} (${times(res.peakRssDelta / input.bytes)} file; 20 ms samples +${mib(res.sampledPeakRssDelta)})` +
          duckNote(duckMs, res.wallMs) +
          (duckCpuMs !== null ? `; CPU time ours ${ms(res.cpuMs)}, DuckDB ${ms(duckCpuMs)} = ${(duckCpuMs / res.cpuMs).toFixed(2)}×` : ''),
      );
    }
    expected.set(input.path, results[0].rows);
    out.push({
      where: 'Node (CLI path)',
      input,
      rows: results[0].rows,
      wall: results.map((x) => x.wallMs),
      parse: results.map((x) => x.readMs),
      sequences: results.map((x) => x.sequencesMs),
      peak: results.map((x) => x.peakRssDelta),
      longestTask: null,
      duck: ducks.length > 0 ? ducks : null,
      cpuRatios: cpuRatios.length > 0 ? cpuRatios : null,
    });
  }
  return { rows: out, expected };
}

async function benchBrowser(
  inputs: Input[],
  runs: number,
  port: number,
  expected: Map<string, number>,
  duck: Duck | null,
): Promise<{ rows: Row[]; version: string }> {
  const { built } = ensureBuilt(ROOT, APP_DIR);
  log(built ? `built the app (npm run build -- --outDir ${APP_DIR})` : `${APP_DIR} is up to date`);
  const server = await startPreview(ROOT, APP_DIR, port);
  const browser = await launchChromium();
  const out: Row[] = [];
  try {
    for (const input of inputs) {
      const results: BrowserIngestResult[] = [];
      const ducks: number[] = [];
      for (let r = 1; r <= runs; r++) {
        const { res, duckMs } = await withDuck(duck, input, r, () => runBrowserIngest(browser, server.url, input.path));
        if (duckMs !== null) ducks.push(duckMs);
        const want = expected.get(input.path);
        if (want !== undefined && res.rows !== want) throw new Error(`Chromium read ${res.rows} rows of ${input.label}, Node ${want}`);
        results.push(res);
        log(
          `browser ${input.label} run ${r}: ${int(res.rows)} rows, summary after ${ms(res.wallMs)}, worker read ${ms(res.readMs)} on ${res.readThreads} thread${res.readThreads === 1 ? '' : 's'} ` +
            `= ${int(res.rows / (res.readMs / 1000))} events/s; longest main-thread task ${res.longTasks ? ms(res.longestTaskMs) : 'none >= 50 ms'}; ` +
            `renderer peak RSS +${mib(res.rendererPeakDelta)} (${times(res.rendererPeakDelta / input.bytes)} file), all Chromium processes +${mib(res.allProcessesPeakDelta)}` +
            duckNote(duckMs, res.wallMs),
        );
      }
      out.push({
        where: 'Chromium worker (UI)',
        input,
        rows: results[0].rows,
        wall: results.map((x) => x.wallMs),
        parse: results.map((x) => x.readMs),
        sequences: null,
        peak: results.map((x) => x.rendererPeakDelta),
        longestTask: results.map((x) => x.longestTaskMs),
        duck: ducks.length > 0 ? ducks : null,
        cpuRatios: null,
      });
    }
    return { rows: out, version: browser.version() };
  } finally {
    await browser.close();
    await server.stop();
  }
}

function bestMedian(xs: number[], f: (v: number) => string, higherIsBetter = false): string {
  const best = higherIsBetter ? max(xs) : min(xs);
  return xs.length > 1 ? `${f(best)} / ${f(median(xs))}` : f(xs[0]);
}

function table(rows: Row[]): string {
  const header = [
    'Where',
    'File',
    'Size',
    'Rows',
    'Wall, best / median',
    'Parse, best / median',
    'Sequences, median',
    'Events/s (parse), best / median',
    'Events/s (wall), best / median',
    'Peak memory Δ, median (max)',
    'Peak ÷ file size (max)',
    'Longest main-thread task (max)',
    'DuckDB same runs, median',
    'DuckDB ÷ ours (wall), best / median',
    'DuckDB ÷ ours (CPU time), median',
  ];
  const rate = (t: number[], rows: number) => t.map((v) => rows / (v / 1000));
  const body = rows.map((r) => [
    r.where,
    r.input.label,
    mib(r.input.bytes),
    int(r.rows),
    bestMedian(r.wall, ms),
    bestMedian(r.parse, ms),
    r.sequences ? ms(median(r.sequences)) : '—',
    bestMedian(rate(r.parse, r.rows), int, true),
    bestMedian(rate(r.wall, r.rows), int, true),
    `${mib(median(r.peak))} (${mib(max(r.peak))})`,
    times(max(r.peak) / r.input.bytes),
    r.longestTask ? (max(r.longestTask) > 0 ? ms(max(r.longestTask)) : 'none ≥ 50 ms') : '—',
    r.duck ? ms(median(r.duck)) : '—',
    r.duck ? bestMedian(duckRatios(r), (v) => `${v.toFixed(2)}×`, true) : '—',
    r.cpuRatios ? `${median(r.cpuRatios).toFixed(2)}×` : '—',
  ]);
  return markdownTable(header, body);
}

/** DuckDB's time over our wall time, run by run (each pair ran back to back). */
function duckRatios(r: Row): number[] {
  return r.duck ? r.duck.map((d, i) => d / r.wall[i]) : [];
}

function targets(rows: Row[]): string[] {
  const lines: string[] = [];
  for (const r of rows) {
    if (r.duck && r.input.exportShape) {
      const m = median(duckRatios(r));
      lines.push(
        `${m >= TARGET_DUCKDB_RATIO ? 'PASS' : 'MISS'} ${r.where} DuckDB ÷ ours ${m.toFixed(2)}× (median of ${r.duck.length}) on ${r.input.label}, target >= ${TARGET_DUCKDB_RATIO}×`,
      );
    }
    if (r.where.startsWith('Chromium')) {
      const best = r.rows / (min(r.parse) / 1000);
      lines.push(
        `${best >= TARGET_WORKER_EVENTS_PER_S ? 'PASS' : 'MISS'} worker parse ${int(best)} events/s (best) on ${r.input.label}, target >= ${int(TARGET_WORKER_EVENTS_PER_S)}`,
      );
    }
    const ratio = max(r.peak) / r.input.bytes;
    lines.push(
      `${ratio < TARGET_PEAK_OVER_FILE ? 'PASS' : 'MISS'} ${r.where} peak memory ${times(ratio)} file size on ${r.input.label}, target < ${TARGET_PEAK_OVER_FILE}×`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const machine = machineInfo();
  const loadBefore = loadAverage();
  if (loadBefore > machine.cores * 0.5) log(`warning: load average ${loadBefore.toFixed(2)} on ${machine.cores} cores: other work will skew these timings`);

  const p = benchParams(args.events, args.seed);
  const inputs: Input[] = [];
  const want = (k: FileKey): boolean => args.files.includes(k);
  const generated = (label: string, f: ReturnType<typeof ensureSynthCsv>, exportShape: boolean): void => {
    log(f.generated ? `generated ${f.path} (${mib(f.bytes)}) in ${ms(f.generateMs)}` : `using cached ${f.path} (${mib(f.bytes)})`);
    inputs.push({ label: `${label} (${basename(f.path)})`, path: f.path, bytes: f.bytes, duckdb: true, exportShape });
  };
  if (want('synthetic')) generated('synthetic REES46', ensureSynthCsv(DATA_DIR, args.events, args.seed), false);
  if (want('export')) generated('export shape, unquoted', ensureExportCsv(DATA_DIR, args.events, args.seed), true);
  if (want('export-quoted'))
    generated(`export shape, quoted field every ${int(QUOTE_EVERY)} rows`, ensureExportCsv(DATA_DIR, args.events, args.seed, QUOTE_EVERY), true);
  if (want('uci')) {
    if (existsSync(UCI))
      inputs.push({ label: `UCI Online Retail (${basename(UCI)})`, path: UCI, bytes: statSync(UCI).size, duckdb: false, exportShape: false });
    else log(`skipping UCI: ${UCI} not found`);
  }

  let duck: Duck | null = null;
  if (args.duckdb) {
    try {
      const api = await loadDuckDB();
      // As many threads as our reader may use (nodeHelperThreads' default), so neither side gets more cores.
      duck = { api, version: await duckdbVersion(api), threads: Math.min(8, machine.cores) };
    } catch (e) {
      log(`skipping DuckDB: ${e instanceof Error ? e.message : e}`);
    }
  }

  const rows: Row[] = [];
  let expected = new Map<string, number>();
  if (args.only !== 'browser') {
    const node = await benchNode(inputs, args.runs, duck);
    rows.push(...node.rows);
    expected = node.expected;
  } else {
    for (const input of inputs) if (input.path !== UCI) expected.set(input.path, p.events);
  }
  let chromiumVersion = 'not run';
  if (args.only !== 'node') {
    const browser = await benchBrowser(inputs, args.runs, args.port, expected, duck);
    rows.push(...browser.rows);
    chromiumVersion = browser.version;
  }

  const out = [
    '## Machine',
    '',
    '```',
    describeMachine(machine, {
      Chromium: `${chromiumVersion} (headless, /usr/bin/chromium)`,
      'Load average (1 min)': `${loadBefore.toFixed(2)} before, ${loadAverage().toFixed(2)} after`,
      DuckDB: duck ? `${duck.version} (@duckdb/node-api), ${duck.threads} threads; ours: the same number of reader threads` : 'not run',
    }),
    '```',
    '',
    `Synthetic logs: ${int(p.events)} events, seed ${p.seed}, ${int(p.users)} users, ${int(p.items)} items, ${p.segments} segments, ${p.categories} categories (src/pipeline/synth; the export shape: exportCsv.ts).`,
    '',
    `## Results (${args.runs} run${args.runs > 1 ? 's' : ''} each)`,
    '',
    table(rows),
    '',
    'Node: wall = analyzeStream (parse + sequences + report) in a fresh process per run; peak memory = RSS above the',
    "pre-run baseline, the higher of 20 ms samples and the kernel's maxRSS. Chromium: wall = file input change event",
    "to the summary in the DOM (page clock); parse = the worker's data-read-ms; peak memory = RSS of the renderer",
    'process (page + dedicated worker) above its level before the file was chosen, 20 ms samples from /proc and VmHWM.',
    'DuckDB: read_csv + ORDER BY user_id, event_time + user, time, item and event type copied into typed arrays, on a fresh',
    'in-memory database, back to back with each of our runs on the same file (bench/lib/peersIngest.ts); the ratio is its time',
    'over our wall time in that pair (above 1: ours is faster).',
    '',
    ...targets(rows),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
