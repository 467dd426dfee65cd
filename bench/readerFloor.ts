// Where a reader's time must go to beat DuckDB: stripped-down loops over the same file, in one run
// with DuckDB and our reader. Each loop does a part of the reader's work (no times, prices, event
// types, checks, rejects or sequences), so its time is what the reader's own building blocks cost
// for that part. Issue #18 asks for 1.5x DuckDB's wall time; DuckDB ÷ (loop / 2) is what a
// perfect split over two threads, with no start-up or merge cost, would give that part alone.
//
// Run: npx tsx bench/readerFloor.ts [--runs 5] [--events 1000000] [--file CSV]
// The default file is the unquoted export-shaped log of bench:ingest (bench/.data, made if missing).

import { closeSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { fileSource } from '../src/node/fileSource';
import { analyzeSource } from '../src/pipeline/analyze';
import { alignedBytes, type BlockBytes, Dict } from '../src/pipeline/ingest/dict';
import { benchArgs, intArg } from './lib/args';
import { loadAverage, machineInfo, describeMachine } from './lib/machine';
import { loadDuckDB, peersIngestFile, runDuckDB } from './lib/peersIngest';

const USAGE = 'usage: npx tsx bench/readerFloor.ts [--runs 5] [--events 1000000] [--file CSV]';
const ID_COLUMNS = ['product_id', 'user_id', 'user_session'];
const CHUNK = 1 << 20;

type Stage = 'read' | 'lines' | 'fields' | 'ids';

/** One pass over the file doing `stage`'s work and no more; returns the lines seen. */
function strippedRead(path: string, stage: Stage): number {
  const fd = openSync(path, 'r');
  // Carried bytes of a line cut by a chunk end, then the next chunk, in one reused buffer.
  const buf = new Uint8Array(2 * CHUNK + 1024);
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const dicts = ID_COLUMNS.map(() => new Dict());
  // As the reader does: blocks that decoded one byte per character are looked up from their bytes.
  const block: BlockBytes = { text: '', bytes: null, view: null };
  for (const d of dicts) d.attachBlock(block);
  const ids = new Int32Array(ID_COLUMNS.length * 1024);
  let want: number[] = [];
  let header = true;
  let carry = 0;
  let lines = 0;
  let sum = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, carry, CHUNK, null);
      if (n === 0) break;
      if (stage === 'read') {
        sum += n;
        continue;
      }
      const total = carry + n;
      const lastNl = buf.lastIndexOf(10, total - 1);
      const bytes = buf.subarray(0, lastNl + 1);
      const text = decoder.decode(bytes);
      const aligned = alignedBytes(text, bytes);
      block.text = text;
      block.bytes = aligned ? bytes : null;
      block.view = aligned ? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) : null;
      let at = 0;
      for (;;) {
        const nl = text.indexOf('\n', at);
        if (nl < 0) break;
        if (header) {
          const names = text.slice(at, nl).split(',');
          want = ID_COLUMNS.map((c) => names.indexOf(c));
          header = false;
        } else if (stage !== 'lines') {
          let f = at;
          let col = 0;
          for (;;) {
            let c = text.indexOf(',', f);
            if (c < 0 || c > nl) c = nl;
            if (stage === 'ids') {
              for (let k = 0; k < want.length; k++) if (want[k] === col) ids[(lines & 1023) * ID_COLUMNS.length + k] = dicts[k].idOf(text, f, c);
            } else sum += c - f;
            if (c === nl) break;
            f = c + 1;
            col++;
          }
        }
        lines++;
        at = nl + 1;
      }
      carry = total - (lastNl + 1);
      buf.copyWithin(0, lastNl + 1, total);
    }
  } finally {
    closeSync(fd);
  }
  return lines + (sum & 0) + (ids[0] & 0);
}

interface Sample {
  wallMs: number;
  cpuMs: number;
}

async function timed(run: () => unknown | Promise<unknown>): Promise<Sample> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const c = process.cpuUsage(c0);
  return { wallMs: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const v = benchArgs(process.argv.slice(2), { runs: { type: 'string' }, events: { type: 'string' }, file: { type: 'string' } }, USAGE);
  const runs = intArg('--runs', v.runs, 5, 1, USAGE);
  const events = intArg('--events', v.events, 1_000_000, 1000, USAGE);
  const path = v.file ?? peersIngestFile(events, false).path;
  const machine = machineInfo();
  const duck = await loadDuckDB();
  const threads = Math.min(8, machine.cores);
  const load0 = loadAverage();

  const cases: [string, () => unknown | Promise<unknown>][] = [
    [`DuckDB, ${threads} threads: read_csv, ORDER BY user and time, columns copied out`, () => runDuckDB(duck, path, threads)],
    ['ours, one thread: the CLI path (read, checks, sequences, report)', () => analyzeSource(fileSource(path), { fileName: basename(path), threads: null })],
    ['loop: bytes read from disk, nothing else', () => strippedRead(path, 'read')],
    ['loop: + UTF-8 decoded, lines split', () => strippedRead(path, 'lines')],
    ['loop: + every field found (indexOf per delimiter)', () => strippedRead(path, 'fields')],
    [`loop: + ${ID_COLUMNS.join(', ')} interned (the reader's Dict)`, () => strippedRead(path, 'ids')],
  ];
  const byCase = cases.map(() => [] as Sample[]);
  // Warm-up: compile every loop once, so the runs measure steady code as the reader's long files do.
  for (const [, run] of cases.slice(2)) await run();
  // Each run takes the cases in another order, so none always follows the same one.
  for (let r = 0; r < runs; r++) {
    for (let q = 0; q < cases.length; q++) {
      const c = (q + r) % cases.length;
      byCase[c].push(await timed(cases[c][1]));
    }
  }

  const duckWall = median(byCase[0].map((s) => s.wallMs));
  console.log(`# The reader's building blocks against DuckDB (${basename(path)})\n`);
  console.log('```');
  console.log(describeMachine(machine, { 'Load average (1 min)': `${load0.toFixed(2)} before, ${loadAverage().toFixed(2)} after` }));
  console.log('```\n');
  console.log(
    `${runs} runs of each, in rotation, one process. Ratios: DuckDB's median wall time over the case's; "two threads, perfect split" halves the case's time (no start-up, no merge).\n`,
  );
  console.log('| case | wall, median (ms) | CPU, median (ms) | DuckDB ÷ it | DuckDB ÷ it, two threads, perfect split |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  cases.forEach(([label], c) => {
    const w = median(byCase[c].map((s) => s.wallMs));
    const cpu = median(byCase[c].map((s) => s.cpuMs));
    const ratio = c === 0 ? '1' : (duckWall / w).toFixed(2);
    const split = c <= 1 ? '' : (duckWall / (w / 2)).toFixed(2);
    console.log(`| ${label} | ${w.toFixed(0)} | ${cpu.toFixed(0)} | ${ratio} | ${split} |`);
  });
  console.log(`\nTarget (#18): DuckDB ÷ ours >= 1.5, i.e. ours at most ${(duckWall / 1.5).toFixed(0)} ms wall here.`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
