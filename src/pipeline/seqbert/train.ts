// Masked-event training: per step a batch of sequences (similar lengths together, so little
// padding), ~20% of their events masked; the loss is the cross-entropy of the masked item (over the
// whole catalogue when it is small, else over the batch's targets plus shared sampled negatives)
// plus a weighted cross-entropy of the masked event type, and optionally an InfoNCE loss between
// two augmented views (crop + different masks) of each sequence. Adam; after each epoch a fixed
// masking of held-out sequences scores the model, and the best epoch's weights are kept, with what
// they learned in plain numbers (heldout.ts: type accuracy and hit@10 beside baselines).

import * as tf from '@tensorflow/tfjs-core';
import { Random } from '../numeric/sfc32';
import { initBackend } from './backend';
import { registerGradients } from './gradients';
import { buildBatch, RowMap, type BatchEntry, type HostBatch, type MaskSpec } from './batch';
import { SeqBertError, seqBertCancelled } from './errors';
import { countParams, embeddingLookup, linear, encode, initWeights, itemHead, itemTable, pool, typeHead, type BatchTensors, type ParamMap } from './model';
import { resolveSeqBertOptions, type SeqBertOptions } from './options';
import { measureHeldOut } from './heldout';
import { quantizeWeights } from './quantize';
import { buildTokens, tokenCount, type SeqTokens } from './tokens';
import type { HeldOutReport, NamedWeight, SeqBertHooks, SeqBertInput, SeqBertModel } from './types';

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export function checkInput(input: SeqBertInput): void {
  const { table, itemVectors, itemDims, sequences } = input;
  if (!(Number.isInteger(itemDims) && itemDims >= 0)) throw new SeqBertError(`The item vector size must be a whole number (got ${itemDims}).`, 'bad-input');
  if (itemVectors.length !== table.items.length * itemDims)
    throw new SeqBertError(`The item vectors hold ${itemVectors.length} numbers, not ${table.items.length} items x ${itemDims}.`, 'bad-input');
  if (sequences.count === 0) throw new SeqBertError('There are no sequences to train the behaviour BERT on.', 'bad-input');
}

/** Batches of similar length: shuffle, sort windows of 32 batches by length, shuffle the batches. */
export function planBatches(tok: SeqTokens, seqs: Int32Array, batchSize: number, rng: Random): Int32Array[] {
  const order = Int32Array.from(seqs);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const window = batchSize * 32;
  for (let w = 0; w < order.length; w += window) order.subarray(w, Math.min(order.length, w + window)).sort((a, b) => tokenCount(tok, a) - tokenCount(tok, b));
  const batches: Int32Array[] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, Math.min(order.length, i + batchSize)));
  for (let i = batches.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = batches[i];
    batches[i] = batches[j];
    batches[j] = t;
  }
  return batches;
}

/** A random contiguous crop keeping at least 60% of the events, items partly randomised (the second contrastive view). */
function crop(tok: SeqTokens, seq: number, rng: Random, itemNoise: number): BatchEntry {
  const n = tokenCount(tok, seq);
  const len = Math.max(1, Math.ceil(n * (0.6 + 0.4 * rng.float())));
  return { seq, from: rng.int(n - len + 1), len, itemNoise };
}

interface StepTensors extends BatchTensors {
  poolMask: tf.Tensor1D;
  rowItems: tf.Tensor1D;
  itemText: tf.Tensor2D | null;
  maskedAt: tf.Tensor1D;
  targetRow: tf.Tensor1D;
  targetType: tf.Tensor1D;
}

function toTensors(hb: HostBatch, input: SeqBertInput, fullText: tf.Tensor2D | null): StepTensors {
  const d = input.itemDims;
  let itemText: tf.Tensor2D | null = fullText;
  if (d > 0 && (!fullText || hb.rowItems.length !== fullText.shape[0])) {
    const x = new Float32Array(hb.rowItems.length * d);
    for (let r = 0; r < hb.rowItems.length; r++) x.set(input.itemVectors.subarray(hb.rowItems[r] * d, (hb.rowItems[r] + 1) * d), r * d);
    itemText = tf.tensor2d(x, [hb.rowItems.length, d]);
  }
  return {
    B: hb.B,
    T: hb.T,
    itemRow: tf.tensor1d(hb.itemRow, 'int32'),
    type: tf.tensor1d(hb.type, 'int32'),
    gap: tf.tensor1d(hb.gap, 'int32'),
    recency: tf.tensor1d(hb.recency, 'int32'),
    sessionPos: tf.tensor1d(hb.sessionPos, 'int32'),
    keyBias: tf.tensor2d(hb.keyBias, [hb.B, hb.T]),
    poolMask: tf.tensor1d(hb.poolMask),
    rowItems: tf.tensor1d(hb.rowItems, 'int32'),
    itemText,
    maskedAt: tf.tensor1d(hb.maskedAt, 'int32'),
    targetRow: tf.tensor1d(hb.targetRow, 'int32'),
    targetType: tf.tensor1d(hb.targetType, 'int32'),
  };
}

function disposeStep(t: StepTensors, fullText: tf.Tensor2D | null): void {
  tf.dispose([
    t.itemRow,
    t.type,
    t.gap,
    t.recency as tf.Tensor1D,
    t.sessionPos as tf.Tensor1D,
    t.keyBias,
    t.poolMask,
    t.rowItems,
    t.maskedAt,
    t.targetRow,
    t.targetType,
  ]);
  if (t.itemText && t.itemText !== fullText) t.itemText.dispose();
}

/** Mean cross-entropy of integer labels. */
function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  // int32 then cast: the wasm backend's OneHot writes zeros when asked for float32 directly.
  const picked = tf.sum(tf.mul(logits, tf.cast(tf.oneHot(labels, logits.shape[1]), 'float32')), 1);
  return tf.mean(tf.sub(tf.logSumExp(logits, 1), picked));
}

/** Mean cross-entropy when the label's logit is known apart (a row-wise dot, no one-hot matrix). */
function crossEntropyPicked(logits: tf.Tensor2D, picked: tf.Tensor): tf.Scalar {
  return tf.mean(tf.sub(tf.logSumExp(logits, 1), picked));
}

interface LossParts {
  total: tf.Scalar;
}

/**
 * The training loss of one batch: its first `views.from` rows are the masked sequences; when
 * `views` is given, the next `views.n` rows and the `views.n` after them are the two contrastive
 * views of the same sequences.
 */
function batchLoss(
  p: ParamMap,
  o: SeqBertOptions,
  t: StepTensors,
  candidates: number,
  views: { from: number; n: number } | null,
  dropout: number,
  dropoutSeed = 0,
): LossParts {
  const h = o.hidden;
  const table = itemTable(p, t.itemText, t.rowItems);
  const states = encode(p, o, table, t, dropout, dropoutSeed);
  const masked = embeddingLookup(states, t.maskedAt);
  const q = itemHead(p, masked);
  const cand = tf.slice(table, [3, 0], [candidates, h]);
  const target = embeddingLookup(cand, t.targetRow);
  const itemLoss = crossEntropyPicked(linear(q, tf.transpose(cand)), tf.sum(tf.mul(q, target), 1));
  let total = itemLoss as tf.Tensor;
  if (o.typeLossWeight > 0) total = tf.add(total, tf.mul(crossEntropy(typeHead(p, masked), t.targetType), o.typeLossWeight));
  if (views) {
    const half = views.n;
    const z = pool(states, t.poolMask, t.B, t.T, h, 'mean');
    const zn = tf.div(z, tf.add(tf.norm(z, 'euclidean', 1, true), 1e-6));
    const z1 = tf.slice(zn, [views.from, 0], [half, h]) as tf.Tensor2D;
    const z2 = tf.slice(zn, [views.from + half, 0], [half, h]) as tf.Tensor2D;
    const sim = tf.div(linear(z1, tf.transpose(z2)), o.temperature) as tf.Tensor2D;
    const diag = tf.range(0, half, 1, 'int32') as tf.Tensor1D;
    const nce = tf.mul(tf.add(crossEntropy(sim, diag), crossEntropy(tf.transpose(sim) as tf.Tensor2D, diag)), 0.5);
    total = tf.add(total, tf.mul(nce, o.contrastive));
  }
  return { total: total as tf.Scalar };
}

export async function trainSeqBert(input: SeqBertInput, options: Partial<SeqBertOptions> = {}, hooks: SeqBertHooks = {}): Promise<SeqBertModel> {
  const o = resolveSeqBertOptions(options);
  checkInput(input);
  if (hooks.signal?.aborted) throw seqBertCancelled();
  await registerGradients();
  const backend = await initBackend(o.backend, o.wasmPaths, o.wasmThreads);
  const started = performance.now();
  const { table, sequences } = input;
  const items = table.items.length;
  const types = table.typeNames.length;
  const tok = buildTokens(table, sequences, o.maxLen);
  const rng = new Random(o.seed);

  // Held-out slice for early stopping: at most 2,000 sequences, none if fewer than 10 would be held out.
  const all = new Int32Array(sequences.count).map((_, i) => i);
  for (let i = all.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = all[i];
    all[i] = all[j];
    all[j] = t;
  }
  let nVal = Math.min(2000, Math.round(all.length * o.validationFraction));
  if (nVal < 10) nVal = 0;
  const valSeqs = all.slice(0, nVal).sort();
  const trainSeqs = all.slice(nVal).sort();

  const full = items <= o.fullSoftmaxItems;
  const negatives: MaskSpec['negatives'] = full ? 'full' : o.negatives;
  const contrastive = o.contrastive > 0;
  const weights0 = initWeights(o, { items, types, itemDims: input.itemDims, recency: o.itemRecency, sessionPos: o.sessionPosition }, o.seed);
  const vars: Record<string, tf.Variable> = {};
  for (const w of weights0) {
    const init = tf.tensor(w.data, w.shape, 'float32');
    vars[w.name] = tf.variable(init, true, `seqbert.${w.name}`);
    init.dispose(); // the variable keeps its own reference to the data
  }
  const varList = Object.values(vars);
  const optimizer = tf.train.adam(o.learningRate);
  const fullText = full && input.itemDims > 0 ? tf.tensor2d(input.itemVectors, [items, input.itemDims]) : null;
  const rows = new RowMap(items);

  const snapshot = async (): Promise<NamedWeight[]> =>
    Promise.all(weights0.map(async (w) => ({ name: w.name, shape: w.shape, data: (await vars[w.name].data()) as Float32Array })));

  const valLossOf = async (): Promise<number | null> => {
    if (nVal === 0) return null;
    const vrng = new Random(o.seed + 7919); // the same masks every epoch
    let sum = 0;
    let n = 0;
    for (const b of planBatches(tok, valSeqs, o.batchSize, new Random(o.seed + 7))) {
      const entries = Array.from(b, (seq) => ({ seq, from: 0, len: tokenCount(tok, seq) }));
      const hb = buildBatch(tok, entries, types, items, rows, { rate: o.maskRate, rng: vrng, negatives });
      const t = toTensors(hb, input, fullText);
      const l = tf.tidy(() => batchLoss(vars, o, t, hb.candidates, null, 0).total);
      sum += (await l.data())[0] * hb.maskedAt.length;
      n += hb.maskedAt.length;
      l.dispose();
      disposeStep(t, fullText);
    }
    return sum / Math.max(1, n);
  };

  let epochTokens = 0;
  for (const s of trainSeqs) epochTokens += tokenCount(tok, s);
  // A crop view keeps 60-100% of the events: about 0.8 of them on average.
  const anonymousViews = contrastive && o.contrastiveView === 'anonymous';
  if (contrastive) epochTokens *= anonymousViews ? 2.6 : 1.8;
  const budgetEpochs = o.tokenBudget > 0 ? o.tokenBudget / Math.max(1, epochTokens) : Infinity;
  const epochs = Math.min(o.epochs, Math.max(1, Math.ceil(budgetEpochs - 1e-9)));
  const batchesPerEpoch = Math.ceil(trainSeqs.length / o.batchSize);
  // The token budget ends the last epoch part-way: its first batches, which planBatches has
  // shuffled (a random subset of the sequences). So training costs about the budget's tokens
  // whatever the log's size (rounding to whole epochs ran UCI Dec-May 3 epochs for a 2.6-epoch budget).
  const lastShare = budgetEpochs < o.epochs ? Math.min(1, budgetEpochs - (epochs - 1)) : 1;
  const lastSteps = Math.min(batchesPerEpoch, Math.max(1, Math.round(batchesPerEpoch * lastShare)));
  const stepsIn = (epoch: number): number => (epoch === epochs ? lastSteps : batchesPerEpoch);
  const totalSteps = batchesPerEpoch * (epochs - 1) + lastSteps;
  const loss: number[] = [];
  const valLoss: (number | null)[] = [];
  let best = Infinity;
  let bestEpoch = 0;
  let bestWeights: NamedWeight[] | null = null;
  let bestHeldOut: HeldOutReport | null = null;
  let sinceBest = 0;
  let stopReason: 'early-stopping' | 'stop' | null = null;
  let tokens = 0;
  let step = 0;
  let lastYield = performance.now();
  let lastReport = 0;
  try {
    for (let epoch = 1; epoch <= epochs && !stopReason; epoch++) {
      let sum = 0;
      let steps = 0;
      const plan = planBatches(tok, trainSeqs, o.batchSize, rng);
      for (let k = 0; k < stepsIn(epoch); k++) {
        const b = plan[k];
        const entries: BatchEntry[] = Array.from(b, (seq) => ({ seq, from: 0, len: tokenCount(tok, seq) }));
        const withViews = contrastive && b.length > 1;
        if (withViews && anonymousViews) for (let v = 0; v < 2; v++) for (const seq of b) entries.push({ ...crop(tok, seq, rng, 0), anonymous: true });
        else if (withViews) for (const seq of b) entries.push(crop(tok, seq, rng, o.viewItemNoise));
        const views = withViews ? { from: anonymousViews ? b.length : 0, n: b.length } : null;
        const hb = buildBatch(tok, entries, types, items, rows, { rate: o.maskRate, rng, negatives });
        const t = toTensors(hb, input, fullText);
        const l = optimizer.minimize(() => batchLoss(vars, o, t, hb.candidates, views, o.dropout, (o.seed % 10_000) * 1_000_000 + step).total, true, varList);
        disposeStep(t, fullText);
        const lv = l ? (await l.data())[0] : NaN;
        l?.dispose();
        if (!Number.isFinite(lv)) throw new SeqBertError(`Training diverged at epoch ${epoch} (loss ${lv}); try a lower learning rate.`, 'bad-options');
        sum += lv;
        steps++;
        step++;
        tokens += hb.tokens;
        const now = performance.now();
        if (now - lastReport > 200) {
          hooks.onProgress?.({ epoch, epochs, fraction: step / totalSteps, loss: sum / steps, valLoss: null });
          lastReport = now;
        }
        if (now - lastYield > 50) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
        if (hooks.signal?.aborted) throw seqBertCancelled();
        if (hooks.stop?.requested) {
          stopReason = 'stop';
          break;
        }
      }
      loss.push(sum / Math.max(1, steps));
      const v = await valLossOf();
      valLoss.push(v);
      hooks.onProgress?.({ epoch, epochs, fraction: stopReason ? 1 : step / totalSteps, loss: sum / Math.max(1, steps), valLoss: v });
      if (v !== null) {
        if (v < best - 1e-4) {
          best = v;
          bestEpoch = epoch;
          bestWeights = await snapshot();
          // What the kept weights learned (type accuracy, hit@10 over the catalogue, baselines).
          bestHeldOut = await measureHeldOut(vars, o, input, tok, valSeqs, trainSeqs, { rate: o.maskRate, seed: o.seed, batchSize: o.batchSize }, hooks.signal);
          sinceBest = 0;
        } else if (o.patience > 0 && ++sinceBest >= o.patience && !stopReason) {
          stopReason = 'early-stopping';
        }
      }
      if (hooks.signal?.aborted) throw seqBertCancelled();
    }
    const trainedSeconds = (performance.now() - started) / 1000;
    const weights = bestWeights ?? (await snapshot());
    const model: SeqBertModel = {
      architecture: { layers: o.layers, hidden: o.hidden, heads: o.heads, maxLen: o.maxLen, ffnMult: o.ffnMult, preLN: o.preLN },
      vocab: { itemIds: table.items.slice(), typeNames: table.typeNames.slice(), itemDims: input.itemDims },
      weights,
      quantized: quantizeWeights(weights),
      report: {
        backend,
        layers: o.layers,
        hidden: o.hidden,
        heads: o.heads,
        maxLen: o.maxLen,
        params: countParams(weights),
        epochs: loss.length,
        loss,
        valLoss,
        bestEpoch: bestWeights ? bestEpoch : loss.length,
        stoppedEarly: stopReason !== null && loss.length < epochs,
        plannedEpochs: epochs,
        epochShare: lastSteps / batchesPerEpoch,
        steps: step,
        stepsPlanned: totalSteps,
        stopReason,
        seconds: trainedSeconds,
        tokensPerSecond: tokens / Math.max(1e-9, trainedSeconds),
        softmax: full ? 'full' : 'sampled',
        contrastive,
        quantized: 'int8',
        int8Cosine: null,
        heldOut: bestHeldOut,
      },
    };
    return model;
  } finally {
    optimizer.dispose();
    tf.dispose(varList);
    fullText?.dispose();
  }
}
