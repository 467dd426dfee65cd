// CPU time of reading two logs (UCI Online Retail, 18 MB, quoted titles; a generated REES46-shaped
// log of 64 MiB with 36-character session ids) through analyzeStream, from the source tree given
// (default: this one). Run it on two checkouts of the code, alternating, to compare them under the
// same load: CPU time (user + system) moves less with other jobs on the machine than wall time.
//   npx tsx bench/readerAB.ts /path/to/checkout-a ; npx tsx bench/readerAB.ts /path/to/checkout-b ; ...
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { rees46Stream } from '../test/lib/rees46Stream';

// One optional argument: the checkout to read with (default: this one).
const { positionals } = parseArgs({ options: {}, allowPositionals: true });
const root = resolve(positionals[0] ?? '.');
const { analyzeStream } = (await import(`${root}/src/pipeline/analyze.ts`)) as typeof import('../src/pipeline/analyze');
const uci = new Uint8Array(readFileSync(new URL('../../shared/data/uci-online-retail/online-retail-2010-12_2011-05.csv', import.meta.url)));
const MB = 1 << 20;
const chunks = (b: Uint8Array): ReadableStream<Uint8Array> =>
  new ReadableStream({
    start(c) {
      for (let i = 0; i < b.length; i += MB) c.enqueue(b.subarray(i, i + MB));
      c.close();
    },
  });
const inputs: [string, () => ReadableStream<Uint8Array>][] = [
  ['UCI 18 MB', () => chunks(uci)],
  [
    'REES46-shaped 64 MiB (generator included)',
    () => rees46Stream({ targetBytes: 64 * MB, items: 50_000, users: 200_000, sessionRows: 8, userUuid: true, widen: 0, bad: new Map() }).stream,
  ],
];
const out: string[] = [];
for (const [name, open] of inputs) {
  const ms: number[] = [];
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    await analyzeStream(open(), { fileName: name, totalBytes: null });
    const c = process.cpuUsage(c0);
    ms.push((c.user + c.system) / 1000);
  }
  out.push(`${name}: CPU ms min ${Math.min(...ms).toFixed(0)} (${ms.map((v) => v.toFixed(0)).join(', ')})`);
}
console.log(`${root} | ${out.join(' | ')} | ${cpus().length}x ${cpus()[0]?.model}, load ${loadavg()[0].toFixed(1)}`);
