// The checks of a model folder chosen in the browser (the manifest's tests: pipeline/encode/manifest.test.ts).
import { describe, expect, it } from 'vitest';
import { EncoderError } from '../pipeline/encode';
import { checkFolderJson, checkFolderLayout, localModelId, type FolderEntry } from './folderModel';

const entries = (...paths: string[]): FolderEntry[] => paths.map((path) => ({ path, size: path.endsWith('.onnx') ? 1_000_000 : 100 }));
const GOOD = ['m/config.json', 'm/tokenizer.json', 'm/tokenizer_config.json', 'm/vocab.txt', 'm/onnx/model_quantized.onnx'];

function errorOf(f: () => unknown): EncoderError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(EncoderError);
    return e as EncoderError;
  }
  throw new Error('expected an EncoderError');
}

describe('a model folder chosen in the browser', () => {
  it('finds the model root, also when a parent folder was chosen', () => {
    const layout = checkFolderLayout(entries(...GOOD));
    expect(layout.root).toBe('m');
    expect(layout.name).toBe('m');
    expect([...layout.files.keys()].sort()).toEqual(['config.json', 'onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
    const nested = checkFolderLayout(entries(...GOOD.map((p) => `models/Xenova/all-MiniLM-L6-v2/${p.slice(2)}`), 'models/README.md'));
    expect(nested.root).toBe('models/Xenova/all-MiniLM-L6-v2');
    expect(nested.name).toBe('all-MiniLM-L6-v2');
  });

  it('names a missing file', () => {
    const e = errorOf(() => checkFolderLayout(entries(...GOOD.filter((p) => !p.endsWith('/tokenizer.json')))));
    expect(e.code).toBe('model-file-missing');
    expect(e.message).toMatch(/"m" is incomplete: tokenizer\.json is missing/);
  });

  it('explains a wrong layout: weights outside onnx/ or of another dtype', () => {
    const outside = errorOf(() => checkFolderLayout(entries('m/config.json', 'm/tokenizer.json', 'm/tokenizer_config.json', 'm/model_quantized.onnx')));
    expect(outside.code).toBe('model-wrong-layout');
    expect(outside.message).toContain('m/onnx/model_quantized.onnx is missing, but it has model_quantized.onnx (outside onnx/)');
    const fp32 = errorOf(() => checkFolderLayout(entries('m/config.json', 'm/tokenizer.json', 'm/tokenizer_config.json', 'm/onnx/model.onnx')));
    expect(fp32.message).toContain("onnx/model.onnx (dtype 'fp32')");
    const none = errorOf(() => checkFolderLayout(entries('m/config.json', 'm/tokenizer.json', 'm/tokenizer_config.json')));
    expect(none.message).toContain('no .onnx file at all');
    const notModel = errorOf(() => checkFolderLayout(entries('photos/a.jpg', 'photos/b.jpg')));
    expect(notModel.code).toBe('model-wrong-layout');
    expect(notModel.message).toMatch(/"photos" is not a model folder: it has no config\.json/);
    const two = errorOf(() => checkFolderLayout(entries(...GOOD.map((p) => `all/a/${p.slice(2)}`), ...GOOD.map((p) => `all/b/${p.slice(2)}`))));
    expect(two.message).toMatch(/holds several models \(all\/a, all\/b\)/);
  });

  it('calls an empty weights file damaged and checks the JSON files', () => {
    const tiny = entries(...GOOD).map((e) => (e.path.endsWith('.onnx') ? { ...e, size: 10 } : e));
    expect(errorOf(() => checkFolderLayout(tiny)).code).toBe('model-corrupt');
    const bad = errorOf(() => checkFolderJson('m', { 'config.json': '{"model_type":"bert","hidden_size":32}', 'tokenizer.json': '{"trunc' }));
    expect(bad.code).toBe('model-corrupt');
    expect(bad.message).toMatch(/m\/tokenizer\.json is damaged: it is not valid JSON/);
    const notEncoder = errorOf(() => checkFolderJson('m', { 'config.json': '{"foo":1}' }));
    expect(notEncoder.message).toMatch(/needs model_type and hidden_size/);
    expect(checkFolderJson('m', { 'config.json': '{"model_type":"bert","hidden_size":32}' }).config.hidden_size).toBe(32);
  });

  it('gives folder models an id transformers.js accepts', () => {
    expect(localModelId('all-MiniLM-L6-v2')).toBe('local/all-MiniLM-L6-v2');
    expect(localModelId('my model (copy)')).toBe('local/my-model-copy');
    expect(localModelId('--')).toBe('local/model');
  });
});
