import { describe, expect, it } from 'vitest';
import { createFeaturizer } from './featurizer';

const cos = (v: Float32Array, i: number, j: number, d: number): number => {
  let s = 0;
  for (let k = 0; k < d; k++) s += v[i * d + k] * v[j * d + k];
  return s;
};

describe('hashed n-gram TF-IDF featurizer', () => {
  it('is labelled as the featurizer and has a fixed dimension', async () => {
    const f = createFeaturizer();
    expect(f.kind).toBe('featurizer');
    expect(f.model).toMatch(/^featurizer\//);
    expect(f.dims).toBe(256);
    const v = await f.embed(['red shirt', 'jeans']);
    expect(v.length).toBe(2 * 256);
  });

  it('gives unit vectors; similar titles are closer than unrelated ones, in any script', async () => {
    const f = createFeaturizer();
    const texts = ['RED RETROSPOT CAKE STAND', 'RED RETROSPOT CHARLOTTE BAG', 'WOODEN PICTURE FRAME', '红色连衣裙 夏季', '红色连衣裙 秋季', '男士皮鞋'];
    f.prepare(texts);
    const v = await f.embed(texts);
    for (let i = 0; i < texts.length; i++) expect(cos(v, i, i, f.dims)).toBeCloseTo(1, 5);
    expect(cos(v, 0, 1, f.dims)).toBeGreaterThan(cos(v, 0, 2, f.dims));
    expect(cos(v, 3, 4, f.dims)).toBeGreaterThan(cos(v, 3, 5, f.dims));
  });

  it('is deterministic, and its cache id changes with the corpus (IDF) it was prepared on', async () => {
    const a = createFeaturizer();
    const b = createFeaturizer();
    a.prepare(['a b c', 'd e f']);
    b.prepare(['a b c', 'd e f']);
    expect(await a.embed(['hello world'])).toEqual(await b.embed(['hello world']));
    expect(a.cacheId()).toBe(b.cacheId());
    b.prepare(['something else entirely']);
    expect(b.cacheId()).not.toBe(a.cacheId());
  });

  it('leaves an empty text as a zero row and counts words and CJK characters as tokens', async () => {
    const f = createFeaturizer({ dims: 64 });
    expect(Array.from(await f.embed(['']))).toEqual(new Array(64).fill(0));
    expect(f.countTokens('view: red shirt')).toBe(4);
    expect(f.countTokens('红色连衣裙')).toBe(5);
  });
});
