// The fallback when no real model is installed: hashed character n-gram (3-5) TF-IDF. It knows
// nothing of meaning ("jeans" and "trousers" are unrelated to it), but shared words and word
// pieces make titles of the same product family similar, it handles any script, and it needs no
// download. Signed hashing (the sign from another bit of the hash) keeps collisions from adding up.

import { fnv1a32, fnv1a64 } from './hash';
import type { TextEmbedder } from './types';

export interface FeaturizerOptions {
  dims?: number;
  minN?: number;
  maxN?: number;
  /** The window used when sequences are written out as text, in featurizer tokens (words, CJK characters). */
  maxTokens?: number;
}

export const FEATURIZER_NAME = 'featurizer/char-ngram-tfidf';

/** Words, single CJK characters (scripts without spaces) and single punctuation marks. */
const TOKEN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]|[\p{L}\p{N}\p{M}]+|[^\s\p{L}\p{N}\p{M}]/gu;

export class HashedNgramFeaturizer implements TextEmbedder {
  readonly kind = 'featurizer';
  readonly model: string;
  readonly dtype = 'fp32';
  readonly device = 'cpu';
  readonly dims: number;
  readonly maxTokens: number;
  readonly specialTokens = 0;
  private readonly minN: number;
  private readonly maxN: number;
  private idf: Float64Array | null = null;
  private idfId = 'tf';

  constructor(opts: FeaturizerOptions = {}) {
    this.dims = opts.dims ?? 256;
    this.minN = opts.minN ?? 3;
    this.maxN = opts.maxN ?? 5;
    this.maxTokens = opts.maxTokens ?? 512;
    if (!(Number.isInteger(this.dims) && this.dims > 0 && this.minN >= 1 && this.maxN >= this.minN)) {
      throw new RangeError(`Bad featurizer options: dims ${this.dims}, n-grams ${this.minN}-${this.maxN}.`);
    }
    this.model = `${FEATURIZER_NAME}-${this.minN}-${this.maxN}-${this.dims}`;
  }

  countTokens(text: string): number {
    return text.match(TOKEN)?.length ?? 0;
  }

  /** Document frequencies over the texts about to be embedded; vectors then weigh rare n-grams up. */
  prepare(texts: readonly string[]): void {
    const df = new Float64Array(this.dims);
    const seen = new Uint8Array(this.dims);
    for (const text of texts) {
      seen.fill(0);
      this.forEachGram(text, (bucket) => {
        seen[bucket] = 1;
      });
      for (let b = 0; b < this.dims; b++) df[b] += seen[b];
    }
    const n = texts.length;
    const idf = new Float64Array(this.dims);
    // Smoothed as in scikit-learn: a bucket in every text still weighs 1, never 0.
    for (let b = 0; b < this.dims; b++) idf[b] = Math.log((1 + n) / (1 + df[b])) + 1;
    this.idf = idf;
    this.idfId = fnv1a64(Array.from(idf, (v) => v.toFixed(6)).join(','));
  }

  cacheId(): string {
    return `${this.model}@${this.idfId}`;
  }

  async embed(texts: readonly string[]): Promise<Float32Array> {
    const d = this.dims;
    const out = new Float32Array(texts.length * d);
    const row = new Float64Array(d);
    texts.forEach((text, t) => {
      row.fill(0);
      this.forEachGram(text, (bucket, sign) => {
        row[bucket] += sign;
      });
      let norm = 0;
      for (let b = 0; b < d; b++) {
        if (this.idf) row[b] *= this.idf[b];
        norm += row[b] * row[b];
      }
      if (norm === 0) return;
      norm = Math.sqrt(norm);
      for (let b = 0; b < d; b++) out[t * d + b] = row[b] / norm;
    });
    return out;
  }

  async dispose(): Promise<void> {}

  private forEachGram(text: string, visit: (bucket: number, sign: number) => void): void {
    // Lower-cased, spaces collapsed and padded so that n-grams mark word starts and ends.
    const norm = ` ${text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim()} `;
    const codes = Array.from(norm, (ch) => ch.codePointAt(0) ?? 0);
    for (let n = this.minN; n <= this.maxN; n++) {
      for (let i = 0; i + n <= codes.length; i++) {
        // The n-gram length is mixed in so that "abc" as a 3-gram and a prefix of a 4-gram differ.
        const h = fmix32(fnv1a32(codes, i, i + n) ^ n);
        visit(h % this.dims, h & 0x80000000 ? -1 : 1);
      }
    }
  }
}

/** MurmurHash3's finaliser: spreads every input bit over the low bits the bucket is taken from. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function createFeaturizer(opts?: FeaturizerOptions): HashedNgramFeaturizer {
  return new HashedNgramFeaturizer(opts);
}
