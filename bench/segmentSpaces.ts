// Which vectors recover which segments: on generated logs with planted "behaviour" segments (how
// people shop: generateBehaviourLog) and "taste" segments (what they buy: generateLog's personas),
// k-means with K = the planted segments (bench/lib/segmentScores.ts, 10 starts) on
//   - the behaviour BERT's sequence vectors alone (int8, whitened);
//   - the featuriser's weighted mean of each sequence's item vectors (the featurizer encoder's);
//   - both side by side in the segment space (seqbert/segmentSpace.ts: each block standardised, the
//     item block's 16 leading axes at 0.35), whatever the grouping test says;
//   - what the app clusters: the segment space when the grouping test lets what they buy join
//     (its gain is shown), else the BERT's vectors alone.
//
//   npx tsx bench/segmentSpaces.ts [--logs t500:6:1,b500:6:3]
//
// A log is [b|t]users:segments:seed (bench/lib/plantedLogs.ts).

import { parseArgs } from 'node:util';
import { analyzeStream } from '../src/pipeline/analyze';
import { createFeaturizer, encodeSequences } from '../src/pipeline/encode';
import { embedItemTexts, itemVectorsByItem } from '../src/pipeline/gcn';
import { embedSequences, trainSeqBert } from '../src/pipeline/seqbert';
import { applySegmentSpace, fitSegmentSpace, segmentDims } from '../src/pipeline/seqbert/segmentSpace';
import { plantedUserLabels } from '../src/pipeline/synth';
import { markdownTable } from './lib/format';
import { describeMachine, loadAverage, machineInfo } from './lib/machine';
import { plantedLog } from './lib/plantedLogs';
import { scoreSegments } from './lib/segmentScores';

const DEFAULT_LOGS =
  'b500:6:3,b1000:4:3,b1500:6:2,b800:5:9,b600:5:11,b1200:6:5,b300:3:4,b400:2:6,t500:6:1,t1000:8:2,t2000:6:1,t800:5:9,t600:5:11,t1200:4:7,t300:3:4,t400:2:6';

const { values: flags } = parseArgs({ options: { logs: { type: 'string', default: DEFAULT_LOGS } }, strict: true });

const rows: string[][] = [];
const sums: { behaviour: number[][]; taste: number[][] } = { behaviour: [], taste: [] };
const load0 = loadAverage();
for (const spec of (flags.logs ?? DEFAULT_LOGS).split(',')) {
  const { kind, segments, seed, log, stream } = plantedLog(spec);
  const analysis = await analyzeStream(stream(), { fileName: 'log.csv', totalBytes: null, sequence: { by: 'user' } });
  const { sequences } = analysis;
  const table = analysis.ingested.table;
  const labels = plantedUserLabels(log, table.users);
  const planted = Int32Array.from(sequences.key, (u) => labels[u]);
  const featurizer = createFeaturizer();
  const itemTexts = await embedItemTexts(table, sequences, featurizer);
  const input = { sequences, table, itemVectors: itemVectorsByItem(itemTexts), itemDims: itemTexts.dims };
  const model = await trainSeqBert(input, { backend: 'wasm' });
  const bert = await embedSequences(model, input, { quantized: true });
  const items = await encodeSequences({ table, sequences }, featurizer);
  const n = sequences.count;
  const ari = (v: Float32Array, d: number): number => scoreSegments(v, d, planted, segments, null).ari;
  const fitted = fitSegmentSpace(bert.vectors, bert.dims, items.vectors, items.dims, n);
  const always = fitSegmentSpace(bert.vectors, bert.dims, items.vectors, items.dims, n, { minGain: -Infinity }).space!;
  const joined = ari(applySegmentSpace(always, bert.vectors, items.vectors, n), segmentDims(always));
  const alone = ari(bert.vectors, bert.dims);
  const row = [
    kind,
    n.toLocaleString('en'),
    String(segments),
    String(seed),
    alone.toFixed(3),
    ari(items.vectors, items.dims).toFixed(3),
    joined.toFixed(3),
    `${(100 * fitted.check.gain).toFixed(1)}% (K = ${fitted.check.atK})`,
    (fitted.space ? joined : alone).toFixed(3),
  ];
  console.error(`  ${spec}: ${row.slice(4).join(' ')}`);
  (kind === 'behaviour' ? sums.behaviour : sums.taste).push([alone, joined, fitted.space ? joined : alone]);
  rows.push(row);
}
console.log(describeMachine(machineInfo(), { 'Load average': `${load0.toFixed(2)} before, ${loadAverage().toFixed(2)} after` }));
console.log(
  `\n${markdownTable(['segments by', 'customers', 'planted', 'seed', 'BERT alone', 'item mean (featuriser)', 'both (segment space)', 'grouping test: gain', 'the app'], rows)}`,
);
const mean = (xs: number[][], c: number): string => (xs.length ? (xs.reduce((a, x) => a + x[c], 0) / xs.length).toFixed(3) : '–');
console.log(
  `\nMean ARI, behaviour / taste logs: BERT alone ${mean(sums.behaviour, 0)} / ${mean(sums.taste, 0)}; both ${mean(sums.behaviour, 1)} / ${mean(sums.taste, 1)}; the app ${mean(sums.behaviour, 2)} / ${mean(sums.taste, 2)}`,
);
