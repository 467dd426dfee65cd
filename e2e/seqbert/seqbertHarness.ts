// Browser harness for e2e/seqbert.spec.ts: bundled by the spec with esbuild and served on the app's
// origin. It trains a tiny behaviour BERT inside the page on a backend the spec names and returns
// summaries (the vectors stay in the browser). Not part of the app.
import * as tf from '@tensorflow/tfjs-core';
import { analyzeStream } from '../../src/pipeline/analyze';
import { createFeaturizer } from '../../src/pipeline/encode/index';
import { embedItemTexts, itemVectorsByItem } from '../../src/pipeline/gcn/features';
import {
  currentBackend,
  embedSequences,
  initBackend,
  rowCosines,
  type SeqBertInput,
  type SeqBertOptions,
  trainSeqBert,
} from '../../src/pipeline/seqbert/index';
import { behaviourCsvStream, generateBehaviourLog } from '../../src/pipeline/synth/index';
import { tfjsWasmPaths } from '../../src/worker/tfjsAssets';

/** The tiny model of the browser checks: SwiftShader compiles every shader slowly. */
const TINY: Partial<SeqBertOptions> = {
  layers: 1,
  hidden: 16,
  heads: 2,
  maxLen: 8,
  epochs: 1,
  batchSize: 16,
  tokenBudget: 0,
  patience: 0,
  validationFraction: 0,
};

async function smallInput(users: number): Promise<SeqBertInput> {
  const log = generateBehaviourLog({ seed: 7, users, items: 40, categories: 4, days: 14 });
  const a = await analyzeStream(behaviourCsvStream(log), { fileName: 'b.csv', totalBytes: null, sequence: { by: 'user' } });
  const texts = await embedItemTexts(a.ingested.table, a.sequences, createFeaturizer({ dims: 16 }));
  return { table: a.ingested.table, sequences: a.sequences, itemVectors: itemVectorsByItem(texts), itemDims: texts.dims };
}

function finiteCount(x: Float32Array): number {
  let n = 0;
  for (const v of x) if (Number.isFinite(v)) n++;
  return n;
}

/** Rows whose norm is not 1 (zero rows: sequences without known events). */
function zeroRows(x: Float32Array, d: number): number {
  let n = 0;
  for (let r = 0; r < x.length / d; r++) {
    let sq = 0;
    for (let j = 0; j < d; j++) sq += x[r * d + j] ** 2;
    if (sq === 0) n++;
  }
  return n;
}

export interface TrainReport {
  /** What initBackend returned. */
  started: string;
  /** What the trained model's report says ran, and what tfjs runs after embedding. */
  reportBackend: string;
  runningAfterEmbed: string;
  loss: number[];
  sequences: number;
  dims: number;
  vectorsLength: number;
  finiteValues: number;
  zeroRows: number;
  params: number;
  seconds: number;
}

export interface WebGpuReport extends TrainReport {
  /** The same trained model's embeddings on the cpu backend ("CPU twin"). */
  cpuBackend: string;
  cpuFiniteValues: number;
  /** Per-row cosine between webgpu and cpu embeddings (non-zero rows). */
  cosine: { mean: number; min: number };
  /** Rows zero in one embedding but not in the other (must be 0). */
  zeroRowMismatch: number;
}

async function train(backend: 'webgpu' | 'wasm', users: number) {
  const started = await initBackend(backend, backend === 'wasm' ? tfjsWasmPaths() : null);
  const input = await smallInput(users);
  const t = performance.now();
  const model = await trainSeqBert(input, { ...TINY, backend, wasmPaths: backend === 'wasm' ? tfjsWasmPaths() : null });
  const emb = await embedSequences(model, input);
  const report: TrainReport = {
    started,
    reportBackend: model.report.backend,
    runningAfterEmbed: currentBackend(),
    loss: model.report.loss,
    sequences: input.sequences.count,
    dims: emb.dims,
    vectorsLength: emb.vectors.length,
    finiteValues: finiteCount(emb.vectors),
    zeroRows: zeroRows(emb.vectors, emb.dims),
    params: model.report.params,
    seconds: (performance.now() - t) / 1000,
  };
  return { report, model, input, emb };
}

async function webgpuCase(users: number): Promise<WebGpuReport> {
  const { report, model, input, emb } = await train('webgpu', users);
  // The CPU twin: the very same weights, embedded again on the cpu backend.
  const cpuBackend = await initBackend('cpu');
  const cpu = await embedSequences(model, input);
  let zeroRowMismatch = 0;
  for (let r = 0; r < cpu.count; r++) {
    let a = 0;
    let b = 0;
    for (let j = 0; j < cpu.dims; j++) {
      a += emb.vectors[r * cpu.dims + j] ** 2;
      b += cpu.vectors[r * cpu.dims + j] ** 2;
    }
    if ((a === 0) !== (b === 0)) zeroRowMismatch++;
  }
  return {
    ...report,
    cpuBackend: `${cpuBackend}/${currentBackend()}`,
    cpuFiniteValues: finiteCount(cpu.vectors),
    cosine: rowCosines(emb.vectors, cpu.vectors, cpu.dims),
    zeroRowMismatch,
  };
}

export interface WasmReport extends TrainReport {
  crossOriginIsolated: boolean;
  /** tfjs's own reading of whether the threaded module can run here. */
  multithread: boolean;
  simd: boolean;
  wasmPaths: string;
}

async function wasmCase(users: number): Promise<WasmReport> {
  const { report } = await train('wasm', users);
  return {
    ...report,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    multithread: (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) as boolean,
    simd: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean,
    wasmPaths: tfjsWasmPaths(),
  };
}

/** The wasm case from a dedicated worker (served at /__seqbert-harness-worker.js), where the app trains. */
function workerWasmCase(users: number): Promise<{ report: WasmReport | null; error: string | null }> {
  const worker = new Worker('/__seqbert-harness-worker.js', { type: 'module' });
  return new Promise((resolve) => {
    worker.onmessage = (e) => {
      worker.terminate();
      resolve(e.data);
    };
    worker.onerror = (e) => {
      worker.terminate();
      resolve({ report: null, error: e.message || 'worker failed to load' });
    };
    worker.postMessage(users);
  });
}

export const seqbertHarness = { webgpuCase, wasmCase, workerWasmCase };

declare global {
  // eslint-disable-next-line no-var
  var __seqbertHarness: typeof seqbertHarness | undefined;
}

if (typeof window !== 'undefined') globalThis.__seqbertHarness = seqbertHarness;
