// The CSV reader alone (CsvReader.feed, records emitted into nothing) on lines of different shapes,
// fed in blocks of two sizes: time per line must not grow with the block, whatever the shape. A
// reader with a search that rescans the rest of the block per line or per field (the slow path of
// #18) shows up here as a per-line time that grows with the block. `--old DIR` also times the
// reader of another checkout (say, `git worktree add --detach /tmp/old <commit>`), interleaved.
//
//   npx tsx bench/readerShapes.ts [--old DIR] [--reps N]

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchArgs } from './lib/args';
import { describeMachine, loadAverage, machineInfo } from './lib/machine';
import { markdownTable } from './lib/format';
import { median } from './lib/stats';
import { CsvReader } from '../src/pipeline/ingest/csv';

type Reader = new (delimiter: string, maxRecordChars: number) => Pick<CsvReader, 'feed'>;

const ROW = [
  '2019-10-01 00:00:06 UTC',
  'view',
  '1006985',
  'construction.tools.drill',
  'interskol',
  '83.04',
  '500013796',
  'f54633cf-87f7-487d-9de5-fdebad9180f0',
];
const wide = (n: number, q: boolean): string => Array.from({ length: n }, (_, i) => (q ? `"v${i}"` : `v${i}`)).join(',');

/** One line of each shape (with its line end) and the delimiter it uses. */
const SHAPES: { name: string; line: string; delimiter: string }[] = [
  { name: 'export shape, no quote', line: `${ROW.join(',')}\n`, delimiter: ',' },
  { name: 'TSV, no quote', line: `${ROW.join('\t')}\n`, delimiter: '\t' },
  { name: 'CRLF, no quote', line: `${ROW.join(',')}\r\n`, delimiter: ',' },
  { name: 'one column', line: '500013796\n', delimiter: ',' },
  { name: '200 columns, no quote', line: `${wide(200, false)}\n`, delimiter: ',' },
  { name: 'every field quoted', line: `${ROW.map((f) => `"${f}"`).join(',')}\n`, delimiter: ',' },
  { name: '200 columns, every field quoted', line: `${wide(200, true)}\n`, delimiter: ',' },
  { name: 'long quoted title (900 chars)', line: `${ROW.join(',')},"${'a long title, with a comma '.repeat(33)}"\n`, delimiter: ',' },
];
const BLOCK_LINES = [200, 3200];

function parseArgs(argv: string[]): { old: string | null; reps: number } {
  const v = benchArgs(argv, { old: { type: 'string' }, reps: { type: 'string' } }, 'usage: npx tsx bench/readerShapes.ts [--old DIR] [--reps N]');
  return { old: v.old !== undefined ? resolve(v.old) : null, reps: v.reps !== undefined ? Math.max(1, Number(v.reps) | 0) : 5 };
}

/** Nanoseconds per line: the median of `reps` timings, each over about 40 MB of text. */
function time(R: Reader, line: string, delimiter: string, blockLines: number, reps: number): number {
  const block = line.repeat(blockLines);
  const blocks = Math.max(1, Math.round(40e6 / block.length));
  const per: number[] = [];
  let sink = 0;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const reader = new R(delimiter, 1 << 24);
    for (let b = 0; b < blocks; b++)
      reader.feed(
        block,
        (v) => (sink += v.count),
        () => {},
      );
    per.push(((performance.now() - t0) * 1e6) / (blocks * blockLines));
  }
  if (sink < 0) throw new Error('unreachable');
  return median(per);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const loadBefore = loadAverage();
  const readers: { name: string; R: Reader }[] = [{ name: 'this checkout', R: CsvReader }];
  if (args.old) {
    const mod = (await import(pathToFileURL(resolve(args.old, 'src/pipeline/ingest/csv.ts')).href)) as { CsvReader: Reader };
    readers.push({ name: args.old, R: mod.CsvReader });
  }
  const header = ['Shape', 'Line length', ...readers.flatMap((r) => BLOCK_LINES.map((b) => `${r.name}: ns/line, ${b}-line blocks`))];
  const body: string[][] = [];
  for (const s of SHAPES) {
    const cells: string[] = [];
    for (const r of readers) for (const b of BLOCK_LINES) cells.push(time(r.R, s.line, s.delimiter, b, args.reps).toFixed(0));
    body.push([s.name, String(s.line.length), ...cells]);
    process.stderr.write(`${s.name}: ${cells.join(' ')}\n`);
  }
  process.stdout.write(
    [
      '```',
      describeMachine(machineInfo(), { 'Load average (1 min)': `${loadBefore.toFixed(2)} before, ${loadAverage().toFixed(2)} after` }),
      '```',
      '',
      markdownTable(header, body),
      '',
    ].join('\n'),
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
