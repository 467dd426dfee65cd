// The real path: transformers.js (Node build, onnxruntime-node) loading the committed tiny model
// from public/models/ with remote loading off, on the bundled demo log.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as transformers from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeStream } from '../analyze';
import { MemoryEmbeddingCache } from './cache';
import { encodeSequences } from './encode';
import { EncoderError } from './errors';
import type { FileProbe } from './modelFiles';
import { loadModelEmbedder } from './transformersModel';
import type { TextEmbedder } from './types';

const ROOT = resolve(__dirname, '../../..');
const MODELS = join(ROOT, 'public', 'models');
const TINY = 'seqlens-tiny-bert';
const DEMO = join(ROOT, 'public', 'demo', 'uci-online-retail-demo.csv');

const fsProbe =
  (folder: string): FileProbe =>
  async (rel) =>
    existsSync(join(folder, rel));

async function demo() {
  const bytes = new Uint8Array(readFileSync(DEMO));
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += 65536) c.enqueue(bytes.slice(i, i + 65536));
      c.close();
    },
  });
  const a = await analyzeStream(stream, { fileName: 'uci-online-retail-demo.csv', totalBytes: bytes.length });
  return { table: a.ingested.table, sequences: a.sequences };
}

async function errorOf(p: Promise<unknown>): Promise<EncoderError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(EncoderError);
    return e as EncoderError;
  }
  throw new Error('expected an EncoderError');
}

describe('tiny model through transformers.js', () => {
  let model: TextEmbedder;
  let input: Awaited<ReturnType<typeof demo>>;

  beforeAll(async () => {
    model = await loadModelEmbedder(transformers, { model: TINY, dtype: 'q8', localModelPath: `${MODELS}/` });
    input = await demo();
  });
  afterAll(() => model?.dispose());

  it('loads as q8 from public/models/ with remote loading off', () => {
    expect(transformers.env.allowRemoteModels).toBe(false);
    expect(model).toMatchObject({ kind: 'model', model: TINY, dtype: 'q8', dims: 32, maxTokens: 512, specialTokens: 2 });
  });

  it('can cap the token window below the position limit', async () => {
    const capped = await loadModelEmbedder(transformers, { model: TINY, localModelPath: `${MODELS}/`, maxTokens: 64 });
    expect(capped.maxTokens).toBe(64);
    await capped.dispose();
  });

  it('gives the same vectors as calling the pipeline directly with mean pooling and normalisation', async () => {
    const extractor = await transformers.pipeline('feature-extraction', TINY, { dtype: 'q8' });
    const texts = ['WHITE HANGING HEART T-LIGHT HOLDER', 'red shirt'];
    const direct = (await extractor(texts, { pooling: 'mean', normalize: true })).data as Float32Array;
    const ours = await model.embed(texts);
    expect(Array.from(ours)).toEqual(Array.from(direct));
    await extractor.dispose();
  });

  it('embeds the bundled demo log: one unit vector per sequence', async () => {
    const r = await encodeSequences(input, model);
    expect(r.count).toBe(input.sequences.count);
    expect(r.count).toBeGreaterThan(100);
    expect(r.vectors.length).toBe(r.count * 32);
    expect(r.encoder).toMatchObject({ model: TINY, dtype: 'q8', device: 'auto', dims: 32, kind: 'model', mode: 'items', cacheHits: 0 });
    expect(r.encoder.itemsEmbedded).toBe(r.encoder.texts);
    expect(r.encoder.texts).toBeGreaterThan(1000);
    let unit = 0;
    for (let s = 0; s < r.count; s++) {
      const n = Math.hypot(...r.vectors.subarray(s * 32, (s + 1) * 32));
      if (Math.abs(n - 1) < 1e-4) unit++;
      else expect(n).toBe(0);
    }
    expect(unit).toBe(r.count - r.zeroVectors);
  });

  it('is deterministic across runs and across loads', async () => {
    const a = await encodeSequences(input, model);
    const again = await loadModelEmbedder(transformers, { model: TINY, localModelPath: `${MODELS}/` });
    const b = await encodeSequences(input, again);
    await again.dispose();
    expect(b.vectors).toEqual(a.vectors);
  });

  it('serves the second run from the cache', async () => {
    const cache = new MemoryEmbeddingCache();
    const first = await encodeSequences(input, model, { cache });
    const second = await encodeSequences(input, model, { cache });
    expect(first.encoder.cacheHits).toBe(0);
    expect(second.encoder.cacheHits).toBe(first.encoder.texts);
    expect(second.encoder.itemsEmbedded).toBe(0);
    expect(second.vectors).toEqual(first.vectors);
  });

  it('writes sequences as text within the 512-token window in sequence-text mode', async () => {
    const r = await encodeSequences(input, model, { mode: 'sequence-text' });
    expect(r.encoder.mode).toBe('sequence-text');
    expect(r.vectors.length).toBe(r.count * 32);
    // Many demo customers bought hundreds of lines: their oldest events must have been dropped.
    expect(r.truncated.sequences).toBeGreaterThan(0);
  });
});

describe('model folder problems', () => {
  let dir: string;
  const tinyFiles = join(MODELS, TINY);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'seqlens-models-'));
    const copy = (name: string, onnxAs: string | null, mutate?: (b: Buffer) => Buffer): void => {
      mkdirSync(join(dir, name, 'onnx'), { recursive: true });
      for (const f of readdirSync(tinyFiles)) if (f.endsWith('.json') || f === 'vocab.txt') copyFileSync(join(tinyFiles, f), join(dir, name, f));
      const onnx = readFileSync(join(tinyFiles, 'onnx', 'model_quantized.onnx'));
      if (onnxAs) writeFileSync(join(dir, name, onnxAs), mutate ? mutate(onnx) : onnx);
    };
    copy('corrupt', 'onnx/model_quantized.onnx', (b) => b.subarray(0, 4000));
    copy('layout', 'onnx/model.onnx');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const load = (model: string, probe?: FileProbe | null) => loadModelEmbedder(transformers, { model, localModelPath: dir, probe });

  it('a missing model folder says which file was looked for and how to install the model', async () => {
    for (const probe of [undefined, fsProbe(join(dir, 'nowhere'))]) {
      const e = await errorOf(load('nowhere', probe));
      expect(e.code).toBe('model-missing');
      expect(e.message).toContain(join(dir, 'nowhere'));
      expect(e.message).toContain('npm run models:fetch -- nowhere');
    }
  });

  it('a corrupted onnx file is named, with what to do', async () => {
    const e = await errorOf(load('corrupt'));
    expect(e.code).toBe('model-corrupt');
    expect(e.file).toBe(join(dir, 'corrupt', 'onnx', 'model_quantized.onnx'));
    expect(e.message).toContain(join(dir, 'corrupt', 'onnx', 'model_quantized.onnx'));
    expect(e.message).toMatch(/damaged or not an ONNX model.*Delete it and reinstall/);
  });

  it('a wrong layout (model.onnx but no model_quantized.onnx) names both files', async () => {
    const e = await errorOf(load('layout', fsProbe(join(dir, 'layout'))));
    expect(e.code).toBe('model-wrong-layout');
    expect(e.message).toContain(join(dir, 'layout', 'onnx', 'model_quantized.onnx'));
    expect(e.message).toContain("onnx/model.onnx (dtype 'fp32')");
    expect(e.message).toMatch(/choose the dtype that matches|rename or move/);

    // Without a probe the same problem is still reported by file.
    const plain = await errorOf(load('layout', null));
    expect(plain.code).toBe('model-file-missing');
    expect(plain.message).toContain(join(dir, 'layout', 'onnx', 'model_quantized.onnx'));
  });

  it('the tiny model points at its generator instead of the download script', async () => {
    const e = await errorOf(loadModelEmbedder(transformers, { model: TINY, localModelPath: dir }));
    expect(e.message).toContain('npx tsx scripts/make-tiny-bert.ts');
  });
});
