// Which vectors recover which segments: on generated logs with planted "behaviour" segments (how
// people shop: generateBehaviourLog) and "taste" segments (what they buy: generateLog's personas),
// k-means with K = the planted segments (bench/lib/segmentScores.ts, 10 starts) on
//   - the behaviour BERT's sequence vectors, as the default path clusters them (int8, whitened);
//   - the featuriser's weighted mean of each sequence's item vectors (the featurizer encoder's);
//   - both side by side: each block's columns z-scored and scaled to a total variance of 1, the
//     item block then weighted by w (w = 0: the BERT's alone).
// An experiment, not the pipeline: the app clusters the BERT's vectors alone.
//
//   npx tsx bench/segmentSpaces.ts [--logs t500:6:1,b500:6:3] [--weights 0.25,0.35,0.5]
//
// A log is [b|t]users:segments:seed (bench/lib/plantedLogs.ts).

import { parseArgs } from 'node:util';
import { analyzeStream } from '../src/pipeline/analyze';
import { createFeaturizer, encodeSequences } from '../src/pipeline/encode';
import { embedItemTexts, itemVectorsByItem } from '../src/pipeline/gcn';
import { embedSequences, trainSeqBert } from '../src/pipeline/seqbert';
import { plantedUserLabels } from '../src/pipeline/synth';
import { markdownTable } from './lib/format';
import { describeMachine, loadAverage, machineInfo } from './lib/machine';
import { plantedLog } from './lib/plantedLogs';
import { scoreSegments } from './lib/segmentScores';

const DEFAULT_LOGS = 'b500:6:3,b1000:4:3,b1500:6:2,t500:6:1,t1000:8:2,t2000:6:1';

const { values: flags } = parseArgs({
  options: { logs: { type: 'string', default: DEFAULT_LOGS }, weights: { type: 'string', default: '0.25,0.35,0.5' } },
  strict: true,
});
const weights = (flags.weights ?? '').split(',').map(Number);

/** Columns z-scored, then scaled so that the block's total variance is 1 (whatever its width). */
function standardised(v: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += v[i * d + j];
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (v[i * d + j] - mean) ** 2;
    const scale = 1 / ((Math.sqrt(ss / n) || 1) * Math.sqrt(d));
    for (let i = 0; i < n; i++) out[i * d + j] = (v[i * d + j] - mean) * scale;
  }
  return out;
}

function sideBySide(a: Float32Array, da: number, b: Float32Array, db: number, n: number, wb: number): Float32Array {
  const d = da + db;
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    out.set(a.subarray(i * da, (i + 1) * da), i * d);
    for (let j = 0; j < db; j++) out[i * d + da + j] = wb * b[i * db + j];
  }
  return out;
}

const rows: string[][] = [];
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
  const ari = (v: Float32Array, d: number): string => scoreSegments(v, d, planted, segments, null).ari.toFixed(3);
  const a = standardised(bert.vectors, n, bert.dims);
  const b = standardised(items.vectors, n, items.dims);
  const row = [kind, n.toLocaleString('en'), String(segments), String(seed), ari(bert.vectors, bert.dims), ari(items.vectors, items.dims)];
  for (const w of weights) row.push(ari(sideBySide(a, bert.dims, b, items.dims, n, w), bert.dims + items.dims));
  console.error(`  ${spec}: ${row.slice(4).join(' ')}`);
  rows.push(row);
}
console.log(describeMachine(machineInfo(), { 'Load average': `${load0.toFixed(2)} before, ${loadAverage().toFixed(2)} after` }));
console.log(
  `\n${markdownTable(['segments by', 'customers', 'planted', 'seed', 'BERT (default path)', 'item mean (featuriser)', ...weights.map((w) => `both, items x ${w}`)], rows)}`,
);
