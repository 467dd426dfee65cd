import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeStream } from '../analyze';
import { createFeaturizer } from '../encode';
import { embedItemTexts, itemVectorsByItem } from '../gcn/features';
import { behaviourCsvStream, generateBehaviourLog } from '../synth';
import {
  compareQuantized,
  deserializeModel,
  embedBothPoolings,
  embedSequences,
  serializeModel,
  SeqBertError,
  trainSeqBert,
  type SeqBertInput,
  type SeqBertOptions,
} from './index';
import { buildTokens, tokenCount } from './tokens';

let input: SeqBertInput;
const small: Partial<SeqBertOptions> = { layers: 1, hidden: 16, heads: 2, maxLen: 24, batchSize: 32, backend: 'wasm', learningRate: 3e-3 };

beforeAll(async () => {
  const log = generateBehaviourLog({ seed: 5, users: 160, items: 80, categories: 6, days: 28 });
  const a = await analyzeStream(behaviourCsvStream(log), { fileName: 'b.csv', totalBytes: null, sequence: { by: 'user' } });
  const texts = await embedItemTexts(a.ingested.table, a.sequences, createFeaturizer({ dims: 32 }));
  input = { table: a.ingested.table, sequences: a.sequences, itemVectors: itemVectorsByItem(texts), itemDims: texts.dims };
});

describe('trainSeqBert', () => {
  it('the loss falls on a generated log; int8 embeddings stay close to float32; the file round-trips', async () => {
    const progress: number[] = [];
    const model = await trainSeqBert(input, { ...small, epochs: 5, patience: 0, tokenBudget: 0 }, { onProgress: (p) => progress.push(p.fraction) });
    const r = model.report;
    expect(r.backend).toBe('wasm');
    expect(r.epochs).toBe(5);
    expect(r.loss.length).toBe(5);
    expect(r.loss[4]).toBeLessThan(r.loss[0] * 0.95);
    expect(r.valLoss.every((v) => v !== null && Number.isFinite(v))).toBe(true);
    expect((r.valLoss[4] as number) < (r.valLoss[0] as number)).toBe(true);
    expect(progress.at(-1)).toBe(1);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]);
    expect(r.params).toBe(model.weights.reduce((a, w) => a + w.data.length, 0));

    const { float32, int8, cosine } = await compareQuantized(model, input);
    expect(float32.vectors.length).toBe(input.sequences.count * 16);
    for (let s = 0; s < float32.count; s++) {
      let n = 0;
      for (let j = 0; j < 16; j++) n += float32.vectors[s * 16 + j] ** 2;
      expect(n).toBeCloseTo(1, 4);
    }
    // Stated tolerance: int8 per-channel weights keep every sequence within cosine 0.98 of float32.
    expect(cosine.mean).toBeGreaterThan(0.995);
    expect(cosine.min).toBeGreaterThan(0.98);
    expect(int8.quantized).toBe(true);
    expect(model.report.int8Cosine).toEqual(cosine);

    for (const mode of ['all', 'int8'] as const) {
      const back = deserializeModel(serializeModel(model, mode));
      expect(back.architecture).toEqual(model.architecture);
      expect(back.vocab).toEqual(model.vocab);
      expect(back.report).toEqual(model.report);
      const again = await embedSequences(back, input, { quantized: true, whiten: false });
      expect(Array.from(again.vectors)).toEqual(Array.from(int8.vectors));
    }
    expect(() => deserializeModel(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]))).toThrow(SeqBertError);
    // A file of the format before the finer gap buckets and the recency table is refused by name.
    const bytes = serializeModel(model, 'int8');
    const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
    const header = new TextDecoder().decode(bytes.subarray(8, 8 + len));
    expect(header).toContain('"format":2');
    bytes.set(new TextEncoder().encode(header.replace('"format":2', '"format":1')), 8);
    expect(() => deserializeModel(bytes)).toThrow(/format 1, this version reads 2/);

    const both = await embedBothPoolings(model, input, { whiten: false });
    expect(both.mean.vectors).toEqual(int8.vectors);
    expect(both.cls.pooling).toBe('cls');
    expect(both.cls.vectors).not.toEqual(both.mean.vectors);
    // The behaviour reading hides every item: other vectors than the item reading's.
    expect(both.behaviour.vectors).not.toEqual(both.mean.vectors);

    // What the pipeline clusters: whitened, unit variance along the kept axes, the rest zero.
    const white = await embedSequences(model, input);
    expect(white.pooling).toBe('mean');
    const w = white.whitened;
    expect(w).not.toBeNull();
    const kept = (w as { kept: number }).kept;
    expect(kept).toBeGreaterThan(1);
    expect(kept).toBeLessThanOrEqual(16);
    const n = white.count;
    for (let c = 0; c < 16; c++) {
      let sum = 0;
      let sq = 0;
      for (let r = 0; r < n; r++) {
        sum += white.vectors[r * 16 + c];
        sq += white.vectors[r * 16 + c] ** 2;
      }
      if (c < kept) {
        expect(Math.abs(sum / n)).toBeLessThan(1e-3);
        expect(sq / n).toBeCloseTo(1, 2);
      } else expect(sq).toBe(0);
    }
  });

  it('the same seed trains the same model (dropout masks are seeded too)', async () => {
    const opts = { ...small, epochs: 1, tokenBudget: 0, dropout: 0.2, seed: 4 };
    const a = await trainSeqBert(input, opts);
    const b = await trainSeqBert(input, opts);
    const c = await trainSeqBert(input, { ...opts, seed: 5 });
    expect(b.weights.map((w) => Array.from(w.data))).toEqual(a.weights.map((w) => Array.from(w.data)));
    expect(c.weights.map((w) => Array.from(w.data))).not.toEqual(a.weights.map((w) => Array.from(w.data)));
  });

  it('a stop request ends training and keeps the model; an abort cancels', async () => {
    const stop = { requested: false };
    const model = await trainSeqBert(input, { ...small, epochs: 50, patience: 0, tokenBudget: 0 }, { stop, onProgress: () => (stop.requested = true) });
    expect(model.report.epochs).toBeLessThan(50);
    expect(model.report.stopReason).toBe('stop');
    expect(model.weights.length).toBeGreaterThan(0);

    // A token budget below one epoch's tokens plans a single epoch.
    // (Post-LN here, so that layout trains too.)
    const budgeted = await trainSeqBert(input, { ...small, epochs: 9, tokenBudget: 1, preLN: false });
    expect(budgeted.report.plannedEpochs).toBe(1);
    expect(budgeted.report.epochs).toBe(1);
    expect(Number.isFinite(budgeted.report.loss[0])).toBe(true);
    expect(budgeted.weights.some((w) => w.name === 'final.ln.g')).toBe(true);

    const controller = new AbortController();
    const run = trainSeqBert(input, { ...small, epochs: 50, tokenBudget: 0 }, { signal: controller.signal, onProgress: () => controller.abort() });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('a token budget below one epoch ends the epoch part-way: a quarter epoch runs about a quarter of the steps', async () => {
    // No held-out slice and batches of 8: 20 batches per epoch over the 160 users.
    const opts = { ...small, batchSize: 8, validationFraction: 0, contrastive: 1, contrastiveView: 'anonymous' as const, epochs: 5 };
    const tok = buildTokens(input.table, input.sequences, small.maxLen as number);
    let tokens = 0;
    for (let s = 0; s < input.sequences.count; s++) tokens += tokenCount(tok, s);
    // One epoch's training tokens: the masked rows plus two crop views of about 0.8 each.
    const epochTokens = tokens * 2.6;
    const fullRun = await trainSeqBert(input, { ...opts, epochs: 1, tokenBudget: 0 });
    expect(fullRun.report.stepsPlanned).toBe(20);
    expect(fullRun.report.steps).toBe(20);
    expect(fullRun.report.epochShare).toBe(1);

    const progress: number[] = [];
    const quarter = await trainSeqBert(input, { ...opts, tokenBudget: Math.round(epochTokens / 4) }, { onProgress: (p) => progress.push(p.fraction) });
    const r = quarter.report;
    expect(r.plannedEpochs).toBe(1);
    expect(r.epochs).toBe(1);
    expect(r.stepsPlanned).toBeGreaterThanOrEqual(4);
    expect(r.stepsPlanned).toBeLessThanOrEqual(6);
    expect(r.steps).toBe(r.stepsPlanned);
    expect(r.epochShare).toBeCloseTo((r.stepsPlanned as number) / 20, 10);
    expect(progress.at(-1)).toBe(1);
    expect(Number.isFinite(r.loss[0])).toBe(true);
    // Fewer tokens trained than the whole epoch's (a random subset of its batches, not the shortest ones only).
    const trained = (m: typeof r): number => m.tokensPerSecond * m.seconds;
    expect(trained(r)).toBeLessThan(0.5 * trained(fullRun.report));
    expect(trained(r)).toBeGreaterThan(0.05 * trained(fullRun.report));

    // A budget of 2.4 epochs: two whole epochs, then 40% of a third's batches.
    const more = await trainSeqBert(input, { ...opts, epochs: 9, patience: 0, tokenBudget: Math.round(epochTokens * 2.4) });
    expect(more.report.plannedEpochs).toBe(3);
    expect(more.report.stepsPlanned).toBe(48);
    expect(more.report.steps).toBe(48);
    expect(more.report.epochShare).toBeCloseTo(0.4, 10);
    // Below the epochs asked for, the budget does not bind: whole epochs.
    const capped = await trainSeqBert(input, { ...opts, epochs: 2, patience: 0, tokenBudget: Math.round(epochTokens * 2.4) });
    expect(capped.report.stepsPlanned).toBe(40);
    expect(capped.report.epochShare).toBe(1);
  });

  it('bad settings and inputs give clear errors', async () => {
    await expect(trainSeqBert(input, { layers: 0 })).rejects.toThrow(/at least 1 layer/);
    await expect(trainSeqBert(input, { hidden: 10, heads: 3 })).rejects.toThrow(/divisible/);
    await expect(trainSeqBert(input, { maxLen: 0 })).rejects.toThrow(/maximum sequence length/);
    await expect(trainSeqBert({ ...input, itemDims: 7 }, small)).rejects.toThrow(/item vectors hold/);
  });
});
