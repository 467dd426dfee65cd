// Service-line detection (src/pipeline/catalog): how long detectServiceItems takes on the UCI log
// and on a generated log of 2 million events, and what it finds there (the UCI service codes; in a
// generated log of products only, nothing). The reading is not timed, only the detection.
// Run: npx tsx bench/serviceItems.ts [--events 2000000] [--repeats 5]
import { readFileSync } from 'node:fs';
import { analyzeStream } from '../src/pipeline/analyze';
import { detectServiceItems } from '../src/pipeline/catalog/index';
import type { EventTable } from '../src/pipeline/ingest/table';
import { csvChunks, generateLog } from '../src/pipeline/synth/index';
import { benchArgs, intArg } from './lib/args';
import { describeMachine, loadAverage, machineInfo } from './lib/machine';

const UCI = '../shared/data/uci-online-retail/online-retail-2010-12_2011-05.csv';

const USAGE = 'usage: npx tsx bench/serviceItems.ts [--events 2000000] [--repeats 5]';
const ARGS = benchArgs(process.argv.slice(2), { events: { type: 'string' }, repeats: { type: 'string' } }, USAGE);

async function tableOf(bytes: Uint8Array, name: string): Promise<EventTable> {
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += 1 << 20) c.enqueue(bytes.subarray(i, i + (1 << 20)));
      c.close();
    },
  });
  return (await analyzeStream(stream, { fileName: name, totalBytes: bytes.length })).ingested.table;
}

async function main(): Promise<void> {
  const events = intArg('--events', ARGS.events, 2_000_000, 1, USAGE);
  const repeats = intArg('--repeats', ARGS.repeats, 5, 1, USAGE);
  const cases: [string, EventTable][] = [['UCI Dec 2010 - May 2011', await tableOf(new Uint8Array(readFileSync(UCI)), 'uci.csv')]];
  const log = generateLog({ seed: 1, users: Math.max(100, events / 40), items: Math.max(100, events / 100), events, segments: 6, categories: 30 });
  cases.push([`generated, ${events.toLocaleString('en')} events`, await tableOf(new TextEncoder().encode([...csvChunks(log)].join('')), 'synth.csv')]);
  console.log(describeMachine(machineInfo(), { 'Load average (1 min) at start': loadAverage().toFixed(1) }));
  console.log('\n| log | rows | items | service lines | detection, median ms | min ms |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const [name, table] of cases) {
    const ms: number[] = [];
    let found: string[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      const d = detectServiceItems(table);
      ms.push(performance.now() - t0);
      found = d.items.map((s) => s.id);
    }
    ms.sort((a, b) => a - b);
    const shown = found.length > 8 ? `${found.slice(0, 8).join(', ')}, … (${found.length})` : found.join(', ') || 'none';
    console.log(
      `| ${name} | ${table.length.toLocaleString('en')} | ${table.items.length.toLocaleString('en')} | ${shown} | ${ms[ms.length >> 1].toFixed(0)} | ${ms[0].toFixed(0)} |`,
    );
  }
  console.log(`\nLoad average (1 min) at the end: ${loadAverage().toFixed(1)}`);
}

await main();
