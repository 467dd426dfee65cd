import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeStream } from '../analyze';
import { createFeaturizer } from '../encode';
import { embedItemTexts, itemVectorsByItem } from '../gcn/features';
import { behaviourCsvStream, generateBehaviourLog } from '../synth';
import { argmaxHits, hitsAtK, measureHeldOut, topItems } from './heldout';
import { deserializeModel, initBackend, serializeModel, trainSeqBert, type SeqBertInput, type SeqBertOptions } from './index';
import { toParamMap } from './model';
import { buildTokens, tokenCount } from './tokens';

let input: SeqBertInput;
const small: Partial<SeqBertOptions> = { layers: 1, hidden: 16, heads: 2, maxLen: 24, batchSize: 32, backend: 'wasm', learningRate: 3e-3 };

beforeAll(async () => {
  await initBackend('wasm', null);
  const log = generateBehaviourLog({ seed: 5, users: 400, items: 48, categories: 8, days: 28 });
  const a = await analyzeStream(behaviourCsvStream(log), { fileName: 'b.csv', totalBytes: null, sequence: { by: 'user' } });
  const texts = await embedItemTexts(a.ingested.table, a.sequences, createFeaturizer({ dims: 32 }));
  input = { table: a.ingested.table, sequences: a.sequences, itemVectors: itemVectorsByItem(texts), itemDims: texts.dims };
});

describe('held-out metrics', () => {
  it('argmaxHits and hitsAtK count a hand-made case', async () => {
    // 3 rows x 12 columns: row r's logits are distinct, column c scores (c * 7 + r * 5) % 12.
    const data = new Float32Array(36);
    for (let r = 0; r < 3; r++) for (let c = 0; c < 12; c++) data[r * 12 + c] = (c * 7 + r * 5) % 12;
    const logits = tf.tensor2d(data, [3, 12]);
    // Row 0 scores 7c % 12: best c = 5 (11); c = 2 (score 2) has 9 columns above it, c = 7 (score 1) 10.
    // Row 1 scores (7c + 5) % 12: best c = 6; c = 1 (score 0) has 11 above it.
    // Row 2 scores (7c + 10) % 12: best c = 7; c = 11 (score 3) has 8 above it.
    const count = async (t: tf.Scalar): Promise<number> => {
      const v = (await t.data())[0];
      t.dispose();
      return v;
    };
    const labels = (xs: number[]): tf.Tensor1D => tf.tensor1d(xs, 'int32');
    expect(await count(argmaxHits(logits, labels([5, 6, 7])))).toBe(3);
    expect(await count(argmaxHits(logits, labels([5, 0, 7])))).toBe(2);
    expect(await count(argmaxHits(logits, labels([0, 0, 0])))).toBe(0);
    expect(await count(hitsAtK(logits, labels([2, 1, 11]), 10))).toBe(2);
    expect(await count(hitsAtK(logits, labels([7, 1, 11]), 10))).toBe(1);
    expect(await count(hitsAtK(logits, labels([2, 1, 11]), 1))).toBe(0);
    expect(await count(hitsAtK(logits, labels([5, 6, 7]), 1))).toBe(3);
    // A tie counts for the target: two columns at the top score.
    const tie = tf.tensor2d([3, 9, 9, 1], [1, 4]);
    expect(await count(hitsAtK(tie, labels([2]), 1))).toBe(1);
    tf.dispose([logits, tie]);

    // topItems: most frequent first, ties by the lower index.
    const tok = buildTokens(input.table, input.sequences, 24);
    const seqs = [0, 1, 2];
    const freq = new Map<number, number>();
    for (const s of seqs) for (let t = tok.offsets[s]; t < tok.offsets[s + 1]; t++) freq.set(tok.item[t], (freq.get(tok.item[t]) ?? 0) + 1);
    const expected = [...freq.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([i]) => i);
    expect(Array.from(topItems(tok, seqs, input.table.items.length, 4))).toEqual(expected.slice(0, 4));
  });

  it('the trained model beats both baselines on held-out customers; the numbers are shares with the right counts', async () => {
    // Small and short, so the test stays quick: one layer, 32 wide, a higher learning rate, no
    // contrastive term or dropout (measured: 16 epochs ~15 s on the 2-core machine).
    const model = await trainSeqBert(input, {
      ...small,
      hidden: 32,
      epochs: 16,
      patience: 0,
      tokenBudget: 0,
      validationFraction: 0.2,
      learningRate: 1e-2,
      contrastive: 0,
      dropout: 0,
    });
    const h = model.report.heldOut;
    expect(h).toBeTruthy();
    if (!h) return;
    expect(h.sequences).toBe(Math.round(input.sequences.count * 0.2));
    expect(h.masked).toBeGreaterThanOrEqual(h.sequences);
    expect(h.masked).toBeLessThanOrEqual(h.sequences * Math.round(0.2 * 24));
    for (const v of [h.typeAccuracy, h.typeBaseline, h.itemHit10, h.itemBaseline10]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
      // A share of the hidden events: a whole count over `masked`.
      expect(Math.abs(v * h.masked - Math.round(v * h.masked))).toBeLessThan(1e-6);
    }
    expect(h.typeAccuracy).toBeGreaterThan(h.typeBaseline);
    expect(h.itemHit10).toBeGreaterThan(h.itemBaseline10);

    // The report (and so the numbers) survive the model file; a file without them still loads.
    const back = deserializeModel(serializeModel(model, 'int8'));
    expect(back.report.heldOut).toEqual(h);
    const { heldOut: _, ...older } = model.report;
    const old = deserializeModel(serializeModel({ ...model, report: older }, 'int8'));
    expect(old.report.heldOut).toBeUndefined();
    expect(old.weights.length).toBe(back.weights.length);

    // Measured directly on every sequence: one masked event per 5 (at least one) in each sequence with events.
    const o = { maxLen: 24, rate: 0.2 };
    const tok = buildTokens(input.table, input.sequences, o.maxLen);
    const all = Int32Array.from({ length: input.sequences.count }, (_, i) => i);
    let expectedMasked = 0;
    let withEvents = 0;
    for (const s of all) {
      const n = tokenCount(tok, s);
      if (n > 0) withEvents++;
      expectedMasked += Math.min(n, Math.max(1, Math.round(o.rate * n)));
    }
    const p = toParamMap(model.weights);
    const before = tf.memory().numTensors;
    const whole = await measureHeldOut(p, model.architecture, input, tok, all, all, { rate: o.rate, seed: 1, batchSize: 7 }, undefined);
    expect(tf.memory().numTensors).toBe(before); // nothing left behind
    tf.dispose(Object.values(p));
    expect(whole).not.toBeNull();
    expect(whole?.sequences).toBe(input.sequences.count);
    expect(whole?.masked).toBe(expectedMasked);
    expect(withEvents).toBe(input.sequences.count);
    // Nothing held out: nothing measured.
    const none = await trainSeqBert(input, { ...small, epochs: 1, tokenBudget: 0, validationFraction: 0 });
    expect(none.report.heldOut).toBeNull();
  });
});
