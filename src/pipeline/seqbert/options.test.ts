import { describe, expect, it } from 'vitest';
import { SeqBertError } from './errors';
import { DEFAULT_SEQBERT_OPTIONS, resolveSeqBertOptions } from './options';

describe('behaviour BERT options', () => {
  it('defaults: 2 layers, 64 hidden, 2 heads, the last 50 events', () => {
    const o = resolveSeqBertOptions();
    expect(o).toMatchObject({ layers: 2, hidden: 64, heads: 2, maxLen: 50 });
    expect(resolveSeqBertOptions({ layers: undefined })).toEqual(DEFAULT_SEQBERT_OPTIONS);
  });

  it.each([
    [{ layers: 0 }, /at least 1 layer/],
    [{ hidden: 30, heads: 4 }, /hidden size \(30\) must be divisible by the number of attention heads \(4\)/],
    [{ maxLen: 0 }, /maximum sequence length must be a whole number of at least 1/],
    [{ heads: 0 }, /attention heads/],
    [{ epochs: 0 }, /epochs/],
    [{ maskRate: 0 }, /mask rate/],
    [{ learningRate: -1 }, /learning rate/],
    [{ backend: 'tpu' as never }, /backend must be auto, webgpu, wasm or cpu/],
    [{ pooling: 'max' as never }, /pooling/],
    [{ itemRecency: 'yes' as never }, /item recency setting must be true or false/],
    [{ sessionPosition: 1 as never }, /visit position setting must be true or false/],
  ])('rejects %j with a clear message', (opts, message) => {
    expect(() => resolveSeqBertOptions(opts)).toThrow(message);
    try {
      resolveSeqBertOptions(opts);
    } catch (e) {
      expect(e).toBeInstanceOf(SeqBertError);
      expect((e as SeqBertError).code).toBe('bad-options');
    }
  });
});
