// Shapes shared by the encoder stage. The stage turns behaviour sequences into one vector each;
// everything that produces text vectors (a transformers.js model, the built-in featurizer, a test
// double) sits behind TextEmbedder, so the rest of the stage never knows which one it has.

export interface TextEmbedder {
  /** 'featurizer' marks the built-in fallback so reports and the UI can say vectors are not semantic. */
  readonly kind: 'model' | 'featurizer';
  /** Model id as loaded ('Xenova/all-MiniLM-L6-v2'), or the featurizer's name. */
  readonly model: string;
  readonly dtype: string;
  readonly device: string;
  readonly dims: number;
  /** Most tokens one text may have, special tokens included (the model's position window). */
  readonly maxTokens: number;
  /** Tokens the encoder adds around every text ([CLS] and [SEP] for BERT). */
  readonly specialTokens: number;
  /** Tokens of a text without the special ones; used to fit sequences into the window. */
  countTokens(text: string): number;
  /** Optional pass over every distinct text before embedding (the featurizer's IDF). */
  prepare?(texts: readonly string[]): void;
  /**
   * Identifies the vectors this embedder produces, for cache keys: two embedders with the same id
   * must give the same vector for the same text. Read after prepare().
   */
  cacheId(): string;
  /** texts.length x dims, row-major, each row L2-normalised (a zero row only for an empty text). */
  embed(texts: readonly string[]): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export interface CancelToken {
  cancelled: boolean;
}

export interface EncodeProgress {
  stage: 'embed';
  /** Distinct texts done so far (cache hits included) and in all. */
  done: number;
  total: number;
  /** Texts per second since embedding started. */
  itemsPerSecond: number;
  cacheHits: number;
}

/** What the encoder report says about how the vectors were made (plain data: JSON and structured clone). */
export interface EncoderReport {
  model: string;
  dtype: string;
  device: string;
  dims: number;
  /** Distinct texts the model (or featurizer) computed in this run. */
  itemsEmbedded: number;
  /** Distinct texts whose vectors came from the cache instead. */
  cacheHits: number;
  kind: 'model' | 'featurizer';
  mode: EncodeMode;
  /** Distinct texts needed: itemsEmbedded + cacheHits. */
  texts: number;
}

/**
 * 'items': each item's text is embedded once and a sequence is the weighted mean of its items.
 * 'sequence-text': each sequence is written out as text ("view: red shirt; cart: jeans") and
 * embedded as a whole, which is the method as published; slower, and weights do not apply.
 */
export type EncodeMode = 'items' | 'sequence-text';
