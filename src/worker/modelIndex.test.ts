import { describe, expect, it } from 'vitest';
import { buildModelIndex, parseModelIndex, presentInIndex } from './modelIndex';

const FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx'];

describe('the index of model files the origin serves', () => {
  it('lists the files found per model, sorted, and leaves out models without a folder', () => {
    const tree: Record<string, string[]> = { 'seqlens-tiny-bert': ['tokenizer.json', 'onnx/model_quantized.onnx', 'config.json'] };
    const index = buildModelIndex(['Xenova/all-MiniLM-L6-v2', 'seqlens-tiny-bert'], (id) => [...(tree[id] ?? [])]);
    expect(index).toEqual({ files: { 'seqlens-tiny-bert': ['config.json', 'onnx/model_quantized.onnx', 'tokenizer.json'] } });
  });

  it('says which wanted files are there, and nothing for a model it does not list', () => {
    const index = parseModelIndex(JSON.parse(JSON.stringify(buildModelIndex(['m'], () => FILES.slice(0, 3)))));
    expect(index).not.toBeNull();
    expect(presentInIndex(index!, 'm', FILES)).toEqual([true, true, true, false]);
    expect(presentInIndex(index!, 'other', FILES)).toEqual([false, false, false, false]);
  });

  it('refuses what is not an index, so the catalog probes instead', () => {
    for (const bad of [null, 3, 'x', [], {}, { files: [] }, { files: { m: 'config.json' } }, { files: { m: [1] } }]) expect(parseModelIndex(bad)).toBeNull();
    expect(parseModelIndex({ files: {} })?.files.size).toBe(0);
  });
});
