// One vector per sequence from a trained model: the encoder over the last maxLen events, no
// masking, pooled as the mean of the event tokens or the CLS token, L2-normalised. By default with
// the int8 weights (dequantized), which is what the pipeline keeps and clusters.

import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './backend';
import { buildBatch, RowMap } from './batch';
import { batchTensors, catalogueRows } from './batchTensors';
import { startEmbedHelpers, type EmbedJob } from './embedThreads';
import { SeqBertError } from './errors';
import { encode, itemTable, pool, toParamMap, typePad, type ParamMap } from './model';
import type { SeqBertPooling } from './options';
import { dequantizeWeights } from './quantize';
import { buildTokens, tokenCount, type SeqTokens } from './tokens';
import { whitenRows, whitenRowsWith, type Whitening } from './whiten';
import type { EmbedOptions, NamedWeight, SeqBertInput, SeqBertModel, SequenceEmbedding } from './types';
import type { HelperThreads } from '../threads';

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * The model's item and type rows for this input's table: the same table (same ids) as in
 * training keeps them; another log's items are matched by id (unknown ones get no learned
 * correction, only their text projection) and its types by name (unknown ones: padding's row).
 */
function alignVocab(model: SeqBertModel, input: SeqBertInput, weights: NamedWeight[]): { weights: NamedWeight[]; typeMap: Int32Array | null } {
  const { table } = input;
  const v = model.vocab;
  if (input.itemDims !== v.itemDims)
    throw new SeqBertError(`The model was trained on item vectors of ${v.itemDims} numbers; these have ${input.itemDims}.`, 'bad-input');
  const sameItems = v.itemIds.length === table.items.length && v.itemIds.every((id, i) => id === table.items[i]);
  const sameTypes = v.typeNames.length === table.typeNames.length && v.typeNames.every((n, i) => n === table.typeNames[i]);
  let out = weights;
  if (!sameItems) {
    const h = model.architecture.hidden;
    const index = new Map(v.itemIds.map((id, i) => [id, i]));
    out = out.map((w) => {
      if (w.name !== 'item.delta') return w;
      const data = new Float32Array(table.items.length * h);
      table.items.forEach((id, i) => {
        const k = index.get(id);
        if (k !== undefined) data.set(w.data.subarray(k * h, (k + 1) * h), i * h);
      });
      return { name: w.name, shape: [table.items.length, h], data };
    });
  }
  let typeMap: Int32Array | null = null;
  if (!sameTypes) {
    const index = new Map(v.typeNames.map((n, i) => [n, i]));
    typeMap = Int32Array.from(table.typeNames, (n) => index.get(n) ?? typePad(v.typeNames.length));
  }
  return { weights: out, typeMap };
}

/** The model's parameters and every item's row once (text projection plus correction), as tensors. */
export function prepareJob(job: EmbedJob): { p: ParamMap; fullTable: tf.Tensor2D; dispose(): void } {
  const p: ParamMap = toParamMap(job.weights);
  const allItems = tf.tensor1d(
    Int32Array.from({ length: job.items }, (_, i) => i),
    'int32',
  );
  const text = job.itemDims > 0 ? tf.tensor2d(job.itemVectors, [job.items, job.itemDims]) : null;
  const fullTable = tf.tidy(() => itemTable(p, text, allItems)) as tf.Tensor2D;
  allItems.dispose();
  text?.dispose();
  return {
    p,
    fullTable,
    dispose() {
      fullTable.dispose();
      tf.dispose(Object.values(p));
    },
  };
}

/**
 * Runs batch `b` of pass `pass`: the pooled rows of its sequences (batch order), one array per
 * pooling of the pass. The same batch gives the same numbers on any thread with the same backend.
 */
export async function runBatch(
  job: EmbedJob,
  prepared: { p: ParamMap; fullTable: tf.Tensor2D },
  rows: RowMap,
  pass: number,
  b: number,
): Promise<Float32Array[]> {
  const { tok, arch } = job;
  const h = arch.hidden;
  const { anonymous, hows } = job.passes[pass];
  const seqs = job.order.subarray(job.starts[b], job.starts[b + 1]);
  const hb = buildBatch(
    tok,
    Array.from(seqs, (seq) => ({ seq, from: 0, len: tokenCount(tok, seq), anonymous })),
    job.types,
    job.items,
    rows,
    null,
  );
  // Map per-batch rows back to global item rows of fullTable.
  const global = catalogueRows(hb);
  const pooled = tf.tidy(() => {
    const batch = batchTensors(hb, global);
    const states = encode(prepared.p, arch, prepared.fullTable, batch, 0);
    const mask = tf.tensor1d(hb.poolMask);
    return hows.map((how) => pool(states, mask, hb.B, hb.T, h, how === 'cls' ? 'cls' : 'mean'));
  });
  const out: Float32Array[] = [];
  for (const t of pooled) out.push((await t.data()) as Float32Array);
  tf.dispose(pooled);
  return out;
}

/** Below this many batches the helpers are not started (their start, tfjs's included, costs more). */
const THREADED_MIN_BATCHES = 24;

async function run(
  model: SeqBertModel,
  input: SeqBertInput,
  weights: NamedWeight[],
  poolings: SeqBertPooling[],
  batchSize: number,
  helpers: HelperThreads | null,
): Promise<Float32Array[]> {
  const arch = model.architecture;
  const h = arch.hidden;
  const { table, sequences } = input;
  const aligned = alignVocab(model, input, weights);
  let tok: SeqTokens = buildTokens(table, sequences, arch.maxLen);
  if (aligned.typeMap) tok = { ...tok, type: Uint8Array.from(tok.type, (t) => aligned.typeMap![t]) };
  const outs = poolings.map(() => new Float32Array(sequences.count * h));
  // Batches of similar lengths: little padding.
  const order = Int32Array.from({ length: sequences.count }, (_, i) => i).sort((a, b) => tokenCount(tok, a) - tokenCount(tok, b));
  const batches = Math.ceil(order.length / batchSize);
  const starts = Int32Array.from({ length: batches + 1 }, (_, b) => Math.min(order.length, b * batchSize));
  const indexed = poolings.map((how, k) => ({ how, k }));
  const passList = [
    { anonymous: false, hows: indexed.filter((x) => x.how !== 'behaviour') },
    { anonymous: true, hows: indexed.filter((x) => x.how === 'behaviour') },
  ].filter((x) => x.hows.length > 0);
  const job: EmbedJob = {
    arch,
    weights: aligned.weights,
    tok,
    types: model.vocab.typeNames.length,
    items: table.items.length,
    itemVectors: input.itemVectors,
    itemDims: input.itemDims,
    order,
    starts,
    passes: passList.map((x) => ({ anonymous: x.anonymous, hows: x.hows.map((y) => y.how) })),
  };
  const place = (pass: number, b: number, pooled: Float32Array[]): void => {
    const seqs = order.subarray(starts[b], starts[b + 1]);
    passList[pass].hows.forEach(({ k }, j) => {
      const data = pooled[j];
      for (let i = 0; i < seqs.length; i++) outs[k].set(data.subarray(i * h, (i + 1) * h), seqs[i] * h);
    });
  };
  // Where tfjs's wasm runs on one thread (Node), helper threads take a share of the batches: each
  // batch is the same on any thread, so the vectors are the same as on one (embedThreads.test.ts).
  const threaded =
    helpers && helpers.size >= 2 && batches >= THREADED_MIN_BATCHES && tf.getBackend() !== 'webgpu' ? startEmbedHelpers(helpers, job, tf.getBackend()) : null;
  const prepared = prepareJob(job);
  try {
    const rows = new RowMap(job.items);
    let lastYield = performance.now();
    const ways = threaded ? threaded.count + 1 : 1;
    for (let pass = 0; pass < passList.length; pass++) {
      for (let b = 0; b < batches; b++) {
        // Batch b goes to way b mod ways: 0 is this thread.
        if (threaded && b % ways !== 0) continue;
        place(pass, b, await runBatch(job, prepared, rows, pass, b));
        if (performance.now() - lastYield > 50) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
    }
    if (threaded) {
      // The helpers' batches (a helper that failed: its batches run here).
      for (const r of await threaded.results()) {
        if (r.pooled) place(r.pass, r.batch, r.pooled);
        else place(r.pass, r.batch, await runBatch(job, prepared, rows, r.pass, r.batch));
      }
    }
  } finally {
    threaded?.stop();
    prepared.dispose();
  }
  for (const o of outs) normalizeRowsInPlace(o, h);
  return outs;
}

function normalizeRowsInPlace(x: Float32Array, d: number): void {
  for (let r = 0; r < x.length / d; r++) {
    let sq = 0;
    for (let j = 0; j < d; j++) sq += x[r * d + j] ** 2;
    if (sq === 0) continue;
    const inv = 1 / Math.sqrt(sq);
    for (let j = 0; j < d; j++) x[r * d + j] *= inv;
  }
}

async function ready(opts: EmbedOptions): Promise<void> {
  // Keep the backend that runs (training's); start one only for e.g. a model loaded from a file.
  if (!tf.getBackend()) await initBackend(opts.backend ?? 'auto', opts.wasmPaths ?? null);
}

/** Pooled rows as the caller asked: whitened (the default) or as they are. */
function finish(
  pooled: Float32Array,
  count: number,
  dims: number,
  whiten: boolean | undefined,
  given?: Whitening,
): Pick<SequenceEmbedding, 'vectors' | 'whitened' | 'whitening'> {
  if (whiten === false) return { vectors: pooled, whitened: null, whitening: null };
  if (given) return { vectors: whitenRowsWith(given, pooled, count, dims), whitened: { kept: given.kept, varianceKept: given.varianceKept }, whitening: given };
  return whitenRows(pooled, count, dims);
}

export async function embedSequences(model: SeqBertModel, input: SeqBertInput, opts: EmbedOptions = {}): Promise<SequenceEmbedding> {
  await ready(opts);
  const quantized = opts.quantized ?? true;
  const pooling = opts.pooling ?? 'mean';
  const weights = quantized ? dequantizeWeights(model) : model.weights;
  const [pooled] = await run(model, input, weights, [pooling], opts.batchSize ?? 64, opts.helpers ?? null);
  const dims = model.architecture.hidden;
  const count = input.sequences.count;
  const { vectors, whitened, whitening } = finish(pooled, count, dims, opts.whiten, opts.whitening);
  return { vectors, dims, count, pooling, quantized, whitened, whitening };
}

/** Every pooling (for the benchmark to compare). */
export async function embedBothPoolings(
  model: SeqBertModel,
  input: SeqBertInput,
  opts: Omit<EmbedOptions, 'pooling'> = {},
): Promise<Record<SeqBertPooling, SequenceEmbedding>> {
  await ready(opts);
  const quantized = opts.quantized ?? true;
  const weights = quantized ? dequantizeWeights(model) : model.weights;
  const [behaviour, mean, cls] = await run(model, input, weights, ['behaviour', 'mean', 'cls'], opts.batchSize ?? 64, opts.helpers ?? null);
  const dims = model.architecture.hidden;
  const count = input.sequences.count;
  const one = (pooled: Float32Array, pooling: SeqBertPooling): SequenceEmbedding => {
    const w = finish(pooled, count, dims, opts.whiten);
    return { ...w, dims, count, pooling, quantized };
  };
  return { behaviour: one(behaviour, 'behaviour'), mean: one(mean, 'mean'), cls: one(cls, 'cls') };
}

/** Cosine per row between two row-normalised matrices: mean and min over non-zero rows. */
export function rowCosines(a: Float32Array, b: Float32Array, d: number): { mean: number; min: number } {
  let sum = 0;
  let min = Infinity;
  let n = 0;
  for (let r = 0; r < a.length / d; r++) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let j = 0; j < d; j++) {
      dot += a[r * d + j] * b[r * d + j];
      na += a[r * d + j] ** 2;
      nb += b[r * d + j] ** 2;
    }
    if (na === 0 || nb === 0) continue;
    const c = dot / Math.sqrt(na * nb);
    sum += c;
    if (c < min) min = c;
    n++;
  }
  return n ? { mean: sum / n, min } : { mean: 1, min: 1 };
}

/**
 * Embeds with the float32 and the int8 weights, unwhitened (whitenRows makes them what the
 * pipeline clusters), and compares them (cosine per sequence); also
 * records the result in model.report.int8Cosine.
 */
export async function compareQuantized(
  model: SeqBertModel,
  input: SeqBertInput,
  opts: Omit<EmbedOptions, 'quantized'> = {},
): Promise<{ float32: SequenceEmbedding; int8: SequenceEmbedding; cosine: { mean: number; min: number } }> {
  // Unwhitened: the cosine is about the weights, not about two slightly different whitening fits.
  const float32 = await embedSequences(model, input, { ...opts, quantized: false, whiten: false });
  const int8 = await embedSequences(model, input, { ...opts, quantized: true, whiten: false });
  const cosine = rowCosines(float32.vectors, int8.vectors, float32.dims);
  model.report.int8Cosine = cosine;
  return { float32, int8, cosine };
}
