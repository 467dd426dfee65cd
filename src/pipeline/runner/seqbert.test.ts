// The runner's encode stage with the behaviour BERT: its int8 sequence vectors (hidden wide) are
// what the graph network, the sweep and the map get; the text encoder's item vectors are its item
// features. Tiny sizes (1 layer, 16 hidden, 2 epochs) on a small generated behaviour log.
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeStream } from '../analyze';
import { createFeaturizer, EncoderError } from '../encode';
import { prepareEvaluation } from '../eval';
import { itemVectorsByItem } from '../gcn';
import { behaviourCsvStream, generateBehaviourLog } from '../synth';
import { DEFAULT_ENCODER_KIND } from './constants';
import { PipelineRunner } from './runner';
import { evaluateWithSeqBert, maskedHeadMetrics } from './seqbertEval';
import type { SeqBertOptions } from '../seqbert';
import { TASTE_WEIGHT } from '../seqbert/segmentSpace';

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

    // The sweep clusters the BERT's vectors beside the text encoder's (seqbert/segmentSpace.ts):
    // 16 + 32 columns, each block standardised, the text block at TASTE_WEIGHT.
    const swept = await runner.cluster(sweepReq);
    expect(swept.d).toBe(16 + 32);
    expect(swept.n).toBe(n);
    expect(swept.source).toMatchObject({ stage: 'encoder', model: 'seqbert', taste: { behaviourDims: 16, tasteDims: 32, tasteWeight: TASTE_WEIGHT } });
    const seg = encoded.segments!;
    expect(seg.d).toBe(48);
    // Each column that varies gets variance 1 / its block's width (the text block's times
    // TASTE_WEIGHT squared); the columns the whitening left at 0 stay 0.
    let varying = 0;
    for (let j = 0; j < 48; j++) {
      let m = 0;
      for (let s = 0; s < n; s++) m += seg.vectors[s * 48 + j];
      m /= n;
      let v = 0;
      for (let s = 0; s < n; s++) v += (seg.vectors[s * 48 + j] - m) ** 2 / n;
      if (v === 0) continue;
      varying++;
      expect(v).toBeCloseTo(j < 16 ? 1 / 16 : TASTE_WEIGHT ** 2 / 32, 4);
    }
    expect(varying).toBeGreaterThan(32);
    // The first column is the BERT's, standardised: the same order of customers as its own vectors.
    expect(seg.vectors[0] > seg.vectors[48]).toBe(encoded.vectors[0] > encoded.vectors[16]);
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
    expect(gcnSweep.d).toBe(48);
    expect(gcnSweep.labels).toEqual(swept.labels);
    const withGcn = runner.sweep();
    expect(withGcn.vectors).toBe(seg.vectors);
    expect(withGcn.gcn).toMatchObject({ users: g.trained.users, items: g.trained.items, dims: g.trained.d });
    expect(runner.clusterInput('gcn')).toMatchObject({ stage: 'encoder', trained: g.trained });
    expect(withGcn.recommendations(2, 5).method).toBe('gcn+behaviour');
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
