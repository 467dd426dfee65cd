// How steady is the segment space's grouping test? On generated logs with planted segments (b:
// how people shop, t: what they buy) and on real logs, the test's gain (seqbert/segmentSpace.ts,
// on the featuriser's item means, which is all the test reads) under 8 seeds of the clouds it
// compares with: one cloud per test against the mean of TEST_CLOUDS. The decision (gain >= 10%)
// should not depend on the seed.
//
//   npx tsx bench/groupingTest.ts [--logs b500:6:3,t500:6:1] [--files a.csv,b.csv]
//
// A log is [b|t]users:segments:seed (bench/lib/plantedLogs.ts); --logs '' runs none.

import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { analyzeStream } from '../src/pipeline/analyze';
import { createFeaturizer, encodeSequences } from '../src/pipeline/encode';
import { fitSegmentSpace, TASTE_MIN_GAIN, TEST_CLOUDS } from '../src/pipeline/seqbert/segmentSpace';
import { markdownTable } from './lib/format';
import { describeMachine, loadAverage, machineInfo } from './lib/machine';
import { plantedLog } from './lib/plantedLogs';

const DEFAULT_LOGS =
  'b500:6:3,b1000:4:3,b1500:6:2,b800:5:9,b600:5:11,b1200:6:5,b300:3:4,b400:2:6,t500:6:1,t1000:8:2,t2000:6:1,t800:5:9,t600:5:11,t1200:4:7,t300:3:4,t400:2:6';
const UCI = '../shared/data/uci-online-retail/online-retail-2010-12_2011-05.csv';
const SEEDS = [0x5e9, 1, 2, 3, 4, 5, 6, 7];

const { values: flags } = parseArgs({ options: { logs: { type: 'string', default: DEFAULT_LOGS }, files: { type: 'string', default: UCI } }, strict: true });

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const range = (xs: number[]): string => `${pct(Math.min(...xs))} to ${pct(Math.max(...xs))}`;
const sd = (xs: number[]): number => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
};

const rows: string[][] = [];
async function measure(name: string, stream: ReadableStream<Uint8Array>, fileName: string): Promise<void> {
  const analysis = await analyzeStream(stream, { fileName, totalBytes: null, sequence: { by: 'user' } });
  const { sequences } = analysis;
  const items = await encodeSequences({ table: analysis.ingested.table, sequences }, createFeaturizer());
  const n = sequences.count;
  const gains = (clouds: number): number[] =>
    SEEDS.map((cloudSeed) => fitSegmentSpace(new Float32Array(0), 0, items.vectors, items.dims, n, { clouds, cloudSeed }).check.gain);
  const one = gains(1);
  const many = gains(TEST_CLOUDS);
  const decisions = (xs: number[]): string => {
    const joined = xs.filter((g) => g >= TASTE_MIN_GAIN).length;
    return joined === 0 ? 'never' : joined === xs.length ? 'always' : `${joined} of ${xs.length}`;
  };
  const row = [
    name,
    n.toLocaleString('en'),
    range(one),
    (100 * sd(one)).toFixed(2),
    decisions(one),
    range(many),
    (100 * sd(many)).toFixed(2),
    decisions(many),
    pct(many[0]),
  ];
  console.error(`  ${row.join(' | ')}`);
  rows.push(row);
}

const load0 = loadAverage();
for (const spec of (flags.logs ?? '').split(',').filter(Boolean)) {
  const p = plantedLog(spec);
  await measure(spec, p.stream(), 'log.csv');
}
for (const file of (flags.files ?? '').split(',').filter(Boolean)) {
  await measure(basename(file), Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>, basename(file));
}
console.log(describeMachine(machineInfo(), { 'Load average': `${load0.toFixed(2)} before, ${loadAverage().toFixed(2)} after` }));
console.log(
  `\nGain of the grouping test under ${SEEDS.length} seeds of its clouds; joined = gain >= ${pct(TASTE_MIN_GAIN)}; "the app" is the default seed with ${TEST_CLOUDS} clouds.\n\n${markdownTable(
    ['log', 'customers', 'one cloud: gain', 'sd (points)', 'joined', `${TEST_CLOUDS} clouds: gain`, 'sd (points)', 'joined', 'the app'],
    rows,
  )}`,
);
