// The runner's encode stage with the behaviour BERT: its int8 sequence vectors (hidden wide) are
// what the graph network, the sweep and the map get; the text encoder's item vectors are its item
// features. Tiny sizes (1 layer, 16 hidden, 2 epochs) on a small generated behaviour log.
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeStream } from '../analyze';
import { createFeaturizer, EncoderError } from '../encode';
import { prepareEvaluation } from '../eval';
import { itemVectorsByItem } from '../gcn';
import { behaviourCsvStream, csvStream, generateBehaviourLog, generateLog, plantedUserLabels } from '../synth';
import { DEFAULT_ENCODER_KIND } from './constants';
import { PipelineRunner } from './runner';
import { evaluateWithSeqBert, maskedHeadMetrics } from './seqbertEval';
import type { SeqBertOptions } from '../seqbert';
import { TASTE_AXES, TASTE_WEIGHT } from '../seqbert/segmentSpace';
import { adjustedRandIndex, kmeans } from '../cluster';

const TINY: Partial<SeqBertOptions> = { layers: 1, hidden: 16, heads: 2, maxLen: 24, epochs: 2, batchSize: 32, backend: 'wasm' };
const textReq = { model: 'featurizer', mode: 'items' as const, weights: {}, halfLifeDays: 0 };
const sweepReq = { kMin: 2, kMax: 4, device: 'cpu' as const, threads: 'off' as const };

const log = generateBehaviourLog({ seed: 3, users: 90, items: 60, categories: 5, days: 28 });

async function opened(): Promise<PipelineRunner> {
  const runner = new PipelineRunner();
  const analysis = await analyzeStream(behaviourCsvStream(log), { fileName: 'behaviour.csv', totalBytes: null, sequence: { by: 'user' } });
  await runner.use(analysis, 'behaviour-1');
  return runner;
}

let runner: PipelineRunner;
beforeAll(async () => {
  runner = await opened();
});

describe("encode with kind 'seqbert'", () => {
  it('gives the BERT-sized int8 vectors that the graph network, the sweep and the map use', async () => {
    const progress: number[] = [];
    const encoded = await runner.encode({ ...textReq, kind: 'seqbert', seqbert: TINY }, createFeaturizer({ dims: 32 }), {
      onSeqBert: (p) => progress.push(p.fraction),
    });
    const n = encoded.analysis.sequences.count;
    const items = encoded.analysis.ingested.table.items.length;
    expect(encoded.kind).toBe('seqbert');
    expect(encoded.d).toBe(16);
    expect(encoded.vectors.length).toBe(n * 16);
    // Whitened over the log (seqbert/whiten.ts): the first principal axis centred at unit variance.
    expect(n).toBeGreaterThanOrEqual(40);
    let sum = 0;
    let sq = 0;
    for (let s = 0; s < n; s++) {
      for (let j = 0; j < 16; j++) expect(Number.isFinite(encoded.vectors[s * 16 + j])).toBe(true);
      sum += encoded.vectors[s * 16];
      sq += encoded.vectors[s * 16] ** 2;
    }
    expect(Math.abs(sum / n)).toBeLessThan(1e-3);
    expect(sq / n).toBeCloseTo(1, 2);
    // The graph network's item features: the BERT's item rows, as wide as its sequence vectors.
    expect(encoded.itemDims).toBe(16);
    expect(encoded.items.length).toBe(items * 16);
    // The text encoder's item vectors stay (the evaluation's encoder baseline, the BERT's input).
    expect(encoded.itemTexts.dims).toBe(32);
    const sb = encoded.seqbert!;
    expect(sb.itemFeatures).toBe('featurizer');
    expect(sb.report).toMatchObject({ backend: 'wasm', layers: 1, hidden: 16, heads: 2, maxLen: 24, quantized: 'int8' });
    expect(sb.report.loss.length).toBe(sb.report.epochs);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(1);

    // Customers of this log differ in how they shop, not in what they buy (each has a taste of
    // their own, from one prior): the grouping test keeps what they buy out (seqbert/segmentSpace.ts)
    // and the sweep clusters the BERT's vectors as they are.
    expect(encoded.tasteCheck).toMatchObject({ used: false, customers: n });
    expect(encoded.segments).toBeNull();
    const swept = await runner.cluster(sweepReq);
    expect(swept.d).toBe(16);
    expect(swept.n).toBe(n);
    expect(swept.source).toMatchObject({ stage: 'encoder', model: 'seqbert', taste: { used: false, behaviourDims: 16, axes: 0 } });
    expect(swept.entries.map((e) => e.k)).toEqual([2, 3, 4]);
    const map = await runner.sweep().project({ seed: 0 }, () => {}, { cancelled: false });
    expect(runner.sweep().recommendations(2, 5).method).toBe('behaviour');
    expect(map.coords.length).toBe(2 * n);

    const g = await runner.gcn({ epochs: 3, earlyStopping: null }, {});
    expect(g.wire.encoder.model).toBe('seqbert');
    // Asked for the graph network's vectors, the sweep still clusters the BERT's (the network's
    // propagation would bring taste back); the network's user and item vectors go to the recommendations.
    const gcnSweep = await runner.cluster({ ...sweepReq, vectors: 'gcn' });
    expect(gcnSweep.source).toMatchObject({ stage: 'encoder', model: 'seqbert' });
    expect(gcnSweep.source.gcn).toBeUndefined();
    expect(gcnSweep.d).toBe(16);
    expect(gcnSweep.labels).toEqual(swept.labels);
    const withGcn = runner.sweep();
    expect(withGcn.vectors).toBe(encoded.vectors);
    expect(withGcn.gcn).toMatchObject({ users: g.trained.users, items: g.trained.items, dims: g.trained.d });
    expect(runner.clusterInput('gcn')).toMatchObject({ stage: 'encoder', trained: g.trained });
    expect(withGcn.recommendations(2, 5).method).toBe('gcn+behaviour');
  });

  it('joins what customers buy to how they shop when they form groups by it, and finds those groups', async () => {
    // Three personas that differ in what they buy (generateLog), nothing planted in how they shop.
    const taste = generateLog({ seed: 5, users: 150, segments: 3, items: 90, categories: 6, events: 150 * 30, days: 30 });
    const r = new PipelineRunner();
    await r.use(await analyzeStream(csvStream(taste), { fileName: 'taste.csv', totalBytes: null, sequence: { by: 'user' } }), 'taste-1');
    const encoded = await r.encode({ ...textReq, kind: 'seqbert', seqbert: TINY }, createFeaturizer({ dims: 32 }));
    const n = encoded.n;
    expect(encoded.tasteCheck!.used).toBe(true);
    expect(encoded.tasteCheck!.gain).toBeGreaterThanOrEqual(encoded.tasteCheck!.threshold);
    const seg = encoded.segments!;
    // The BERT's columns that vary (the whitening leaves some at 0 for everyone: those are left out).
    const b = seg.space.behaviourColumns.length;
    expect(b).toBeGreaterThan(1);
    expect(b).toBeLessThanOrEqual(16);
    const d = b + TASTE_AXES;
    expect(seg.d).toBe(d);
    // The BERT's columns get variance 1/16 each, as in a block of 16;
    // the taste axes hold at most the text block's TASTE_WEIGHT squared, the first axis the most.
    const variance = (j: number): number => {
      let m = 0;
      for (let s = 0; s < n; s++) m += seg.vectors[s * d + j];
      m /= n;
      let v = 0;
      for (let s = 0; s < n; s++) v += (seg.vectors[s * d + j] - m) ** 2 / n;
      return v;
    };
    for (let j = 0; j < b; j++) expect(variance(j)).toBeCloseTo(1 / 16, 4);
    let tasteVar = 0;
    for (let j = b; j < d; j++) tasteVar += variance(j);
    expect(tasteVar).toBeLessThanOrEqual(TASTE_WEIGHT ** 2 + 1e-6);
    expect(variance(b)).toBeGreaterThan(variance(d - 1));
    const swept = await r.cluster({ ...sweepReq, kMin: 3, kMax: 3 });
    expect(swept.d).toBe(d);
    expect(swept.source.taste).toMatchObject({ used: true, behaviourDims: b, axes: TASTE_AXES, weight: TASTE_WEIGHT });
    // The personas are found in the joined space, not in the BERT's alone.
    const planted = plantedUserLabels(taste, encoded.analysis.ingested.table.users);
    const truth = Int32Array.from(encoded.analysis.sequences.key, (u) => planted[u]);
    const joined = adjustedRandIndex(truth, swept.labels[0]);
    const alone = adjustedRandIndex(truth, kmeans(encoded.vectors, n, 16, { k: 3, restarts: 10, seed: 0 }).labels);
    // Measured: 0.76 joined, 0.16 with the (tiny) BERT's vectors alone.
    expect(joined).toBeGreaterThan(0.6);
    expect(joined).toBeGreaterThan(alone + 0.3);
  });

  it('has its own key: the text encoder of the same settings is another result', async () => {
    const r = await opened();
    const bert = await r.encode({ ...textReq, kind: 'seqbert', seqbert: TINY }, createFeaturizer({ dims: 32 }));
    const text = await r.encode({ ...textReq, kind: 'text' }, createFeaturizer({ dims: 32 }));
    expect(text.kind).toBe('text');
    expect(text.seqbert).toBeNull();
    expect(text.d).toBe(32);
    expect(bert.key).not.toBe(text.key);
  });

  it('uses DEFAULT_ENCODER_KIND when the request names none', async () => {
    const r = await opened();
    const encoded = await r.encode({ ...textReq, seqbert: TINY }, createFeaturizer({ dims: 32 }));
    expect(encoded.kind).toBe(DEFAULT_ENCODER_KIND);
    expect(encoded.seqbert !== null).toBe(DEFAULT_ENCODER_KIND === 'seqbert');
    expect(encoded.d).toBe(DEFAULT_ENCODER_KIND === 'seqbert' ? 16 : 32);
  });

  it('is cancelled through the AbortSignal, as an encoder error, and keeps the previous vectors', async () => {
    const r = await opened();
    const before = await r.encode({ ...textReq, kind: 'text' }, createFeaturizer({ dims: 32 }));
    const abort = new AbortController();
    const run = r.encode({ ...textReq, kind: 'seqbert', seqbert: { ...TINY, epochs: 50, patience: 0 } }, createFeaturizer({ dims: 32 }), {
      signal: abort.signal,
      onSeqBert: () => abort.abort(),
    });
    await expect(run).rejects.toBeInstanceOf(EncoderError);
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(r.encoded).toBe(before);
  });

  it('refuses a bad shape with the stage message, as an encoder error', async () => {
    const r = await opened();
    await expect(r.encode({ ...textReq, kind: 'seqbert', seqbert: { ...TINY, hidden: 15 } }, createFeaturizer({ dims: 32 }))).rejects.toMatchObject({
      code: 'bad-options',
      message: expect.stringMatching(/divisible by the number of attention heads/),
    });
  });
});

describe('evaluation with the behaviour BERT', () => {
  it('ranks each held-out basket with the masked-item head beside popularity, encoder and gcn', async () => {
    const a = runner.log!.analysis;
    const texts = runner.encoded!.itemTexts;
    const r = await evaluateWithSeqBert(a.ingested.table, a.sequences, texts, { seqbert: TINY, gcn: { epochs: 3 } });
    const { recall20, ndcg20 } = r.report;
    expect(r.report.users).toBeGreaterThan(0);
    for (const m of [recall20, ndcg20]) {
      for (const k of ['popularity', 'encoder', 'gcn', 'seqbert'] as const) {
        expect(m[k]).toBeGreaterThanOrEqual(0);
        expect(m[k]).toBeLessThanOrEqual(1);
      }
    }
    expect(r.seqbert.hidden).toBe(16);
    expect(ndcg20.seqbert > 0 || recall20.seqbert === 0).toBe(true);
  });

  it('scores chunk by chunk exactly as in one pass (the protocol rebased per chunk)', async () => {
    const a = runner.log!.analysis;
    const table = a.ingested.table;
    const ctx = prepareEvaluation(table, a.sequences);
    const texts = runner.encoded!.itemTexts;
    const input = { table, sequences: ctx.split.train, itemVectors: itemVectorsByItem(texts), itemDims: texts.dims };
    const model = runner.encoded!.seqbert!.model;
    // The model was trained on the whole log's table: the same items and types, so it can score the split.
    const whole = await maskedHeadMetrics(ctx, model, input);
    const chunked = await maskedHeadMetrics(ctx, model, input, undefined, 7);
    expect(chunked.recall).toBeCloseTo(whole.recall, 10);
    expect(chunked.ndcg).toBeCloseTo(whole.ndcg, 10);
  });
});
