// Quick A/B harness for the behaviour BERT's segment separation: several generated behaviour logs
// (every seed x segment count), the BERT trained with the stage's defaults plus the options given
// as JSON, k-means (K = planted segments) on the int8 embeddings as the pipeline makes them (mean
// pooling, whitened) and, beside them, unwhitened; ARI per log and the mean. k-means takes the
// best of --restarts starts: 30 by default, what the app's sweep runs on the behaviour vectors up
// to 20k sequences (3 seeds x 10 starts, runner.ts behaviourRestarts). Small logs so that a
// comparison fits in minutes on 2 cores; report CPU seconds, not wall time, when the machine is shared.
//
//   npx tsx bench/seqbertAri.ts [--seeds 1,2] [--segments 4,6] [--users 1200] [--opts '{"contrastive":2}']
//                               [--pooling behaviour|mean|cls] [--restarts 30] [--confusion]

import { parseArgs } from 'node:util';
import { analyzeStream } from '../src/pipeline/analyze';
import { createFeaturizer } from '../src/pipeline/encode';
import { embedItemTexts, itemVectorsByItem } from '../src/pipeline/gcn';
import { embedSequences, trainSeqBert, type SeqBertOptions } from '../src/pipeline/seqbert';
import { behaviourCsvStream, generateBehaviourLog, plantedUserLabels } from '../src/pipeline/synth';
import { describeConfusion, scoreSegments } from './lib/segmentScores';

const { values: flags } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2' },
    segments: { type: 'string', default: '4,6' },
    users: { type: 'string', default: '1200' },
    opts: { type: 'string', default: '{}' },
    pooling: { type: 'string', default: 'mean' },
    confusion: { type: 'boolean', default: false },
    restarts: { type: 'string', default: '30' },
  },
  strict: true,
});

const list = (s: string): number[] => s.split(',').map((x) => Number(x.trim()));
const seeds = list(flags.seeds ?? '1,2');
const segmentCounts = list(flags.segments ?? '4,6');
const users = Number(flags.users);
const opts = JSON.parse(flags.opts ?? '{}') as Partial<SeqBertOptions>;
const pooling = (['behaviour', 'mean', 'cls'] as const).find((p) => p === flags.pooling) ?? 'mean';
const restarts = Number(flags.restarts);

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const results: { seed: number; segments: number; ari: number; raw: number; pair: number; pairAlone: number; cpu: number; epochs: number }[] = [];
for (const segments of segmentCounts) {
  for (const seed of seeds) {
    const log = generateBehaviourLog({ seed, users, segments, items: 1000, categories: 24 });
    const analysis = await analyzeStream(behaviourCsvStream(log), { fileName: 'behaviour.csv', totalBytes: null, sequence: { by: 'user' } });
    const { sequences } = analysis;
    const table = analysis.ingested.table;
    const userLabels = plantedUserLabels(log, table.users);
    const planted = Int32Array.from(sequences.key, (u) => userLabels[u]);
    const itemTexts = await embedItemTexts(table, sequences, createFeaturizer());
    const input = { sequences, table, itemVectors: itemVectorsByItem(itemTexts), itemDims: itemTexts.dims };
    const c0 = cpuSeconds();
    const model = await trainSeqBert(input, { backend: 'wasm', ...opts });
    const emb = await embedSequences(model, input, { quantized: true, pooling });
    const cpu = cpuSeconds() - c0;
    const rawEmb = await embedSequences(model, input, { quantized: true, pooling, whiten: false });
    const pair = log.orderOnlyPairs[0] ?? null;
    const s = scoreSegments(emb.vectors, emb.dims, planted, log.segments.length, pair, restarts);
    const raw = scoreSegments(rawEmb.vectors, rawEmb.dims, planted, log.segments.length, pair, restarts);
    const r = { seed, segments, ari: s.ari, raw: raw.ari, pair: s.pairInOverall, pairAlone: s.pairAlone, cpu, epochs: model.report.epochs };
    results.push(r);
    process.stdout.write(
      `seed ${seed} segments ${segments}: ARI ${s.ari.toFixed(3)} (unwhitened ${raw.ari.toFixed(3)}) pair ${s.pairInOverall.toFixed(3)} pair alone ${s.pairAlone.toFixed(3)} ` +
        `(${r.epochs} epochs, ${cpu.toFixed(0)} CPU s, ${emb.whitened?.kept ?? 'no'} whitened axes)\n`,
    );
    if (flags.confusion)
      process.stdout.write(
        `${describeConfusion(
          s,
          log.segments.map((x) => x.kind),
        )}\n`,
      );
  }
}
const mean = (f: (r: (typeof results)[number]) => number): string => (results.reduce((a, r) => a + f(r), 0) / results.length).toFixed(3);
process.stdout.write(
  `mean over ${results.length} logs (opts ${JSON.stringify(opts)}, ${pooling}, ${restarts} k-means starts): ARI ${mean((r) => r.ari)} ` +
    `(min ${Math.min(...results.map((r) => r.ari)).toFixed(3)}; unwhitened ${mean((r) => r.raw)}) pair ${mean((r) => r.pair)} pair alone ${mean((r) => r.pairAlone)}\n`,
);
