// Training speed of the behaviour BERT on a generated behaviour log, for quick before/after
// comparisons (the full benchmark is bench/seqbert.ts):
//
//   npx tsx bench/seqbertSpeed.ts [users] [options JSON]
//
// Prints training tokens per wall second and per CPU second of this process. The wasm backend
// runs on one thread in Node, so tokens per CPU second is what an idle core would give; wall time
// on a shared machine is only an upper bound.

import { analyzeStream } from '../src/pipeline/analyze';
import { createFeaturizer } from '../src/pipeline/encode';
import { embedItemTexts, itemVectorsByItem } from '../src/pipeline/gcn/features';
import { behaviourCsvStream, generateBehaviourLog } from '../src/pipeline/synth';
import { embedSequences, trainSeqBert, type SeqBertOptions } from '../src/pipeline/seqbert';

const users = Number(process.argv[2] ?? 600);
const options = JSON.parse(process.argv[3] ?? '{}') as Partial<SeqBertOptions>;
const log = generateBehaviourLog({ seed: 3, users, items: 500 });
const a = await analyzeStream(behaviourCsvStream(log), { fileName: 'behaviour.csv', totalBytes: null, sequence: { by: 'user' } });
const texts = await embedItemTexts(a.ingested.table, a.sequences, createFeaturizer({ dims: 64 }));
const input = { table: a.ingested.table, sequences: a.sequences, itemVectors: itemVectorsByItem(texts), itemDims: texts.dims };

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const model = await trainSeqBert(input, { epochs: 2, tokenBudget: 0, validationFraction: 0, ...options });
const trainCpu = process.cpuUsage(cpu0);
const t1 = performance.now();
await embedSequences(model, input);
const t2 = performance.now();
const r = model.report;
const tokens = r.tokensPerSecond * r.seconds;
const cpuSeconds = (trainCpu.user + trainCpu.system) / 1e6;
console.log(
  JSON.stringify({
    backend: r.backend,
    events: a.ingested.table.length,
    sequences: a.sequences.count,
    epochs: r.epochs,
    trainingTokens: Math.round(tokens),
    trainSeconds: +((t1 - t0) / 1000).toFixed(1),
    tokensPerSecond: Math.round(r.tokensPerSecond),
    tokensPerCpuSecond: Math.round(tokens / cpuSeconds),
    embedSeconds: +((t2 - t1) / 1000).toFixed(1),
  }),
);
