// The model manifest the app, the worker and the CLI read (public/models/manifest.json).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultModelId, FEATURIZER_ID, parseManifest } from './manifest';

const SHIPPED = parseManifest(JSON.parse(readFileSync(join(__dirname, '../../../public/models/manifest.json'), 'utf8')));

describe('public/models/manifest.json', () => {
  it('lists the real default model (q8) and the tiny model as a test model, with the files each needs', () => {
    expect(SHIPPED.default).toBe('Xenova/all-MiniLM-L6-v2');
    const real = SHIPPED.models.find((m) => m.id === 'Xenova/all-MiniLM-L6-v2')!;
    expect(real).toMatchObject({ dtype: 'q8', test: false, dims: 384 });
    expect(real.files).toEqual(expect.arrayContaining(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx']));
    const tiny = SHIPPED.models.find((m) => m.id === 'seqlens-tiny-bert')!;
    expect(tiny).toMatchObject({ dtype: 'q8', test: true, dims: 32 });
    // The pinned weights of the default model agree with the download script's pins.
    const pins = JSON.parse(readFileSync(join(__dirname, '../../../models.manifest.json'), 'utf8'));
    const onnx = pins.models['Xenova/all-MiniLM-L6-v2'].files.find((f: { path: string }) => f.path === 'onnx/model_quantized.onnx');
    expect(real.sha256?.['onnx/model_quantized.onnx']).toBe(onnx.sha256);
  });

  it('default: the real model when installed, never the test model, else the featuriser', () => {
    expect(defaultModelId(SHIPPED, () => true)).toBe('Xenova/all-MiniLM-L6-v2');
    expect(defaultModelId(SHIPPED, (id) => id === 'seqlens-tiny-bert')).toBe(FEATURIZER_ID);
    expect(defaultModelId(SHIPPED, () => false)).toBe(FEATURIZER_ID);
    expect(defaultModelId(SHIPPED, (id) => id === 'Xenova/paraphrase-multilingual-MiniLM-L12-v2')).toBe('Xenova/paraphrase-multilingual-MiniLM-L12-v2');
  });

  it('rejects a malformed manifest with a message', () => {
    expect(() => parseManifest({ models: 'x' })).toThrow(/"models" must be a list/);
    expect(() => parseManifest({ models: [{ id: '../etc' }] })).toThrow(/id must be a model id/);
    expect(() => parseManifest({ models: [{ id: 'a/b', dtype: 'q3' }] })).toThrow(/dtype "q3"/);
  });
});
