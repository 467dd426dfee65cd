// Ingest benchmark: parse + sequence building of a seeded 1,000,000-event REES46-shaped CSV and of
// the UCI Online Retail export, in Node (the CLI's path) and in headless Chromium through the real
// UI (the product's path: the analysis worker). Prints the machine and a markdown table.
//
//   npx tsx bench/ingest.ts [--events N] [--runs N] [--seed N] [--only node|browser] [--port N]

import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, runBrowserIngest, type BrowserIngestResult } from './lib/browserIngest';
import { int, markdownTable, mib, ms, times } from './lib/format';
import { describeMachine, loadAverage, machineInfo } from './lib/machine';
import { runNodeIngest, type NodeIngestResult } from './lib/nodeIngest';
import { ensureBuilt, startPreview } from './lib/preview';
import { max, median, min } from './lib/stats';
import { ensureSynthCsv } from './lib/synthData';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const UCI = resolve(ROOT, '../shared/data/uci-online-retail/online-retail-2010-12_2011-05.csv');
const DATA_DIR = join(ROOT, 'bench', '.data');
const APP_DIR = join(DATA_DIR, 'app');
const TARGET_WORKER_EVENTS_PER_S = 500_000;
const TARGET_PEAK_OVER_FILE = 3;

interface Args {
  events: number;
  runs: number;
  seed: number;
  only: 'node' | 'browser' | null;
  port: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { events: 1_000_000, runs: 3, seed: 42, only: null, port: 4174 };
  const num = (flag: string, v: string | undefined, lo: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < lo) throw new Error(`${flag} needs an integer of at least ${lo}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--events') args.events = num(a, argv[++i], 1);
    else if (a === '--runs') args.runs = num(a, argv[++i], 1);
    else if (a === '--seed') args.seed = num(a, argv[++i], 0);
    else if (a === '--port') args.port = num(a, argv[++i], 1);
    else if (a === '--only') {
      const v = argv[++i];
      if (v !== 'node' && v !== 'browser') throw new Error('--only takes "node" or "browser"');
      args.only = v;
    } else throw new Error(`unknown option ${a}\nusage: npx tsx bench/ingest.ts [--events N] [--runs N] [--seed N] [--only node|browser] [--port N]`);
  }
  return args;
}

interface Input {
  label: string;
  path: string;
  bytes: number;
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
}

function log(line: string): void {
  process.stderr.write(line + '\n');
}

async function benchNode(inputs: Input[], runs: number): Promise<{ rows: Row[]; expected: Map<string, number> }> {
  const out: Row[] = [];
  const expected = new Map<string, number>();
  for (const input of inputs) {
    const results: NodeIngestResult[] = [];
    for (let r = 1; r <= runs; r++) {
      const res = await runNodeIngest(input.path);
      results.push(res);
      log(
        `node    ${input.label} run ${r}: ${int(res.rows)} rows in ${ms(res.wallMs)} (read ${ms(res.readMs)} on ${res.readThreads} thread${res.readThreads === 1 ? '' : 's'}, sequences ${ms(res.sequencesMs)}) ` +
          `= ${int(res.rows / (res.wallMs / 1000))} events/s; peak RSS +${mib(res.peakRssDelta)} (${times(res.peakRssDelta / input.bytes)} file; 20 ms samples +${mib(res.sampledPeakRssDelta)})`,
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
    });
  }
  return { rows: out, expected };
}

async function benchBrowser(inputs: Input[], runs: number, port: number, expected: Map<string, number>): Promise<{ rows: Row[]; version: string }> {
  const { built } = ensureBuilt(ROOT, APP_DIR);
  log(built ? `built the app (npm run build -- --outDir ${APP_DIR})` : `${APP_DIR} is up to date`);
  const server = await startPreview(ROOT, APP_DIR, port);
  const browser = await launchChromium();
  const out: Row[] = [];
  try {
    for (const input of inputs) {
      const results: BrowserIngestResult[] = [];
      for (let r = 1; r <= runs; r++) {
        const res = await runBrowserIngest(browser, server.url, input.path);
        const want = expected.get(input.path);
        if (want !== undefined && res.rows !== want) throw new Error(`Chromium read ${res.rows} rows of ${input.label}, Node ${want}`);
        results.push(res);
        log(
          `browser ${input.label} run ${r}: ${int(res.rows)} rows, summary after ${ms(res.wallMs)}, worker read ${ms(res.readMs)} on ${res.readThreads} thread${res.readThreads === 1 ? '' : 's'} ` +
            `= ${int(res.rows / (res.readMs / 1000))} events/s; longest main-thread task ${res.longTasks ? ms(res.longestTaskMs) : 'none >= 50 ms'}; ` +
            `renderer peak RSS +${mib(res.rendererPeakDelta)} (${times(res.rendererPeakDelta / input.bytes)} file), all Chromium processes +${mib(res.allProcessesPeakDelta)}`,
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
  ]);
  return markdownTable(header, body);
}

function targets(rows: Row[]): string[] {
  const lines: string[] = [];
  for (const r of rows) {
    if (r.where.startsWith('Chromium')) {
      const best = r.rows / (min(r.parse) / 1000);
      lines.push(`${best >= TARGET_WORKER_EVENTS_PER_S ? 'PASS' : 'MISS'} worker parse ${int(best)} events/s (best) on ${r.input.label}, target >= ${int(TARGET_WORKER_EVENTS_PER_S)}`);
    }
    const ratio = max(r.peak) / r.input.bytes;
    lines.push(`${ratio < TARGET_PEAK_OVER_FILE ? 'PASS' : 'MISS'} ${r.where} peak memory ${times(ratio)} file size on ${r.input.label}, target < ${TARGET_PEAK_OVER_FILE}×`);
  }
  return lines;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const machine = machineInfo();
  const loadBefore = loadAverage();
  if (loadBefore > machine.cores * 0.5) log(`warning: load average ${loadBefore.toFixed(2)} on ${machine.cores} cores: other work will skew these timings`);

  const synth = ensureSynthCsv(DATA_DIR, args.events, args.seed);
  const p = synth.params;
  log(
    synth.generated
      ? `generated ${synth.path} (${mib(synth.bytes)}) in ${ms(synth.generateMs)}`
      : `using cached ${synth.path} (${mib(synth.bytes)})`,
  );
  const inputs: Input[] = [
    {
      label: `synthetic REES46 (${basename(synth.path)})`,
      path: synth.path,
      bytes: synth.bytes,
    },
  ];
  if (existsSync(UCI)) inputs.push({ label: `UCI Online Retail (${basename(UCI)})`, path: UCI, bytes: statSync(UCI).size });
  else log(`skipping UCI: ${UCI} not found`);

  const rows: Row[] = [];
  let expected = new Map<string, number>();
  if (args.only !== 'browser') {
    const node = await benchNode(inputs, args.runs);
    rows.push(...node.rows);
    expected = node.expected;
  } else {
    expected.set(synth.path, p.events);
  }
  let chromiumVersion = 'not run';
  if (args.only !== 'node') {
    const browser = await benchBrowser(inputs, args.runs, args.port, expected);
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
    }),
    '```',
    '',
    `Synthetic log: ${int(p.events)} events, seed ${p.seed}, ${int(p.users)} users, ${int(p.items)} items, ${p.segments} segments, ${p.categories} categories (src/pipeline/synth).`,
    '',
    `## Results (${args.runs} run${args.runs > 1 ? 's' : ''} each)`,
    '',
    table(rows),
    '',
    'Node: wall = analyzeStream (parse + sequences + report) in a fresh process per run; peak memory = RSS above the',
    "pre-run baseline, the higher of 20 ms samples and the kernel's maxRSS. Chromium: wall = file input change event",
    'to the summary in the DOM (page clock); parse = the worker\'s data-read-ms; peak memory = RSS of the renderer',
    'process (page + dedicated worker) above its level before the file was chosen, 20 ms samples from /proc and VmHWM.',
    '',
    ...targets(rows),
  ];
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
