// Options of the behaviour BERT: plain data with defaults, for the UI and CLI to show and edit.

import { SeqBertError } from './errors';

export type SeqBertBackendChoice = 'auto' | 'webgpu' | 'wasm' | 'cpu';
/**
 * How a sequence becomes one vector: 'behaviour' = mean of the event tokens read with every item
 * hidden (types, gaps, repeats and order only: how someone shops); 'mean' = mean of the event
 * tokens read with the items; 'cls' = the CLS token read with the items.
 */
export type SeqBertPooling = 'behaviour' | 'mean' | 'cls';
export type SeqBertContrastiveView = 'anonymous' | 'noisy';

/** The shape of the network: what a saved model needs to be rebuilt. */
export interface SeqBertArchitecture {
  layers: number;
  hidden: number;
  heads: number;
  /** Sequences are cut to their last `maxLen` events (one position is the CLS token). */
  maxLen: number;
  /** Inner size of each feed-forward block, as a multiple of `hidden`. */
  ffnMult: number;
  /** Layer norm before (pre-LN, trains more stably at small sizes) or after each sub-block. */
  preLN: boolean;
}

export interface SeqBertOptions extends SeqBertArchitecture {
  /** At most this many passes over the training sequences. */
  epochs: number;
  /**
   * Training tokens to aim for (both contrastive views counted): the epochs are cut to
   * round(tokenBudget / tokens per epoch), at least 1, so a large log trains for fewer passes
   * than a small one; a budget below one epoch's tokens runs that share of one epoch's batches
   * (a random subset of the sequences), so the time stays bounded however large the log.
   * 0 = always `epochs`.
   */
  tokenBudget: number;
  /** Sequences per training step. */
  batchSize: number;
  learningRate: number;
  /** Share of real tokens masked (and predicted) per sequence and step. */
  maskRate: number;
  /**
   * Shared sampled negatives per step for the masked-item softmax. The full catalogue is scored
   * instead when it holds at most `fullSoftmaxItems` items.
   */
  negatives: number;
  fullSoftmaxItems: number;
  /** Weight of the event-type prediction loss next to the masked-item loss. */
  typeLossWeight: number;
  /** Weight of the contrastive (two augmented views, InfoNCE) loss; 0 = off. */
  contrastive: number;
  /** InfoNCE temperature. */
  temperature: number;
  /**
   * Share of the second view's events whose item is replaced by a random one, so that the two
   * views agree on how someone shops rather than on what they buy (taste alone would otherwise
   * tell the views of one sequence apart from the others).
   */
  viewItemNoise: number;
  /**
   * The contrastive views: 'anonymous' = two crops read with every item hidden (what the
   * 'behaviour' pooling reads); 'noisy' = the masked sequence and a crop with `viewItemNoise` of
   * its items replaced.
   */
  contrastiveView: SeqBertContrastiveView;
  /** Share of sequences held out to decide early stopping (none when too few sequences). */
  validationFraction: number;
  /** Stop after this many epochs without a better validation loss; 0 = never stop early. */
  patience: number;
  dropout: number;
  seed: number;
  backend: SeqBertBackendChoice;
  /**
   * Where the wasm backend's .wasm files are: a URL prefix ending in '/' in the browser; in Node
   * a directory (default: node_modules/@tensorflow/tfjs-backend-wasm/dist).
   */
  wasmPaths: string | null;
  /**
   * Whether the wasm backend may use its multi-threaded module where the page is cross-origin
   * isolated. The app's module worker turns it off: tfjs's pthread workers cannot load the bundled
   * worker script there (they fail with "e is not defined"), so the single-threaded SIMD module runs.
   */
  wasmThreads: boolean;
  /** The sequence embedding embedSequences returns by default. */
  pooling: SeqBertPooling;
  /**
   * Add an embedding of how long ago each event's item last appeared in the sequence (tokens.ts
   * recency): what marks repeats such as replenishment, returns and deferred purchases.
   */
  itemRecency: boolean;
  /** Add an embedding of each event's position within its visit (events since a 30-minute gap). */
  sessionPosition: boolean;
}

export const DEFAULT_SEQBERT_OPTIONS: Readonly<SeqBertOptions> = Object.freeze({
  layers: 2,
  hidden: 64,
  heads: 2,
  maxLen: 50,
  ffnMult: 2,
  preLN: true,
  epochs: 10,
  // About 85 s of one core at the ~6k tokens/s the wasm backend trains the default model with
  // (UCI Dec-May: 2.6 epochs, the last cut part-way).
  tokenBudget: 500_000,
  // With the contrastive views a step holds 2 x 32 sequences: about 350 MB of activations at
  // maxLen 50 (64 sequences per step: ~700 MB, for ~10% more tokens per second).
  batchSize: 32,
  learningRate: 2e-3,
  maskRate: 0.2,
  negatives: 256,
  fullSoftmaxItems: 512,
  typeLossWeight: 0.5,
  // The contrastive term between two item-hidden crops is what makes the pooled vectors follow how
  // people shop: with it and whitening, generated behaviour logs cluster at ARI 0.92-0.98 (mean over
  // logs, per model seed); weight 2 or temperature 0.5 measured within that spread.
  contrastive: 1,
  temperature: 0.2,
  viewItemNoise: 0.5,
  contrastiveView: 'anonymous',
  validationFraction: 0.1,
  patience: 2,
  dropout: 0.1,
  seed: 1,
  backend: 'auto',
  wasmPaths: null,
  wasmThreads: true,
  pooling: 'mean',
  // Generated behaviour logs (1,200 users, 4 and 6 segments, 2 log seeds x 2 model seeds, k-means
  // on mean-pooled int8 embeddings, before they were whitened; docs/benchmarks.md): finer gap buckets + item recency + visit
  // position gave mean ARI 0.53 (order-only pair 0.75) where the coarse buckets alone gave 0.51
  // (0.64); recency without the visit position 0.47 (0.65). Run-to-run spread is about +-0.2.
  itemRecency: true,
  sessionPosition: true,
});

export function resolveSeqBertOptions(opts: Partial<SeqBertOptions> = {}): SeqBertOptions {
  const defined = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as Partial<SeqBertOptions>;
  const o: SeqBertOptions = { ...DEFAULT_SEQBERT_OPTIONS, ...defined };
  validateArchitecture(o);
  const bad = (msg: string): never => {
    throw new SeqBertError(msg, 'bad-options');
  };
  const int = (name: string, v: number, min: number): void => {
    if (!(Number.isInteger(v) && v >= min)) bad(`${name} must be a whole number of at least ${min} (got ${v}).`);
  };
  const num = (name: string, v: number, min: number, max: number): void => {
    if (!(Number.isFinite(v) && v >= min && v <= max)) bad(`${name} must be a number from ${min} to ${max} (got ${v}).`);
  };
  int('The number of epochs', o.epochs, 1);
  int('The token budget', o.tokenBudget, 0);
  int('The batch size', o.batchSize, 2);
  int('The number of sampled negatives', o.negatives, 1);
  int('The full-softmax catalogue limit', o.fullSoftmaxItems, 0);
  int('The patience', o.patience, 0);
  if (!(Number.isFinite(o.learningRate) && o.learningRate > 0)) bad(`The learning rate must be a number above 0 (got ${o.learningRate}).`);
  num('The mask rate', o.maskRate, 0.01, 0.9);
  num('The event-type loss weight', o.typeLossWeight, 0, 100);
  num('The contrastive weight', o.contrastive, 0, 100);
  num('The temperature', o.temperature, 1e-3, 10);
  num('The view item noise', o.viewItemNoise, 0, 1);
  num('The validation share', o.validationFraction, 0, 0.5);
  num('The dropout', o.dropout, 0, 0.9);
  if (!Number.isFinite(o.seed)) bad(`The seed must be a finite number (got ${o.seed}).`);
  if (!['auto', 'webgpu', 'wasm', 'cpu'].includes(o.backend)) bad(`The backend must be auto, webgpu, wasm or cpu, not "${String(o.backend)}".`);
  if (typeof o.itemRecency !== 'boolean') bad(`The item recency setting must be true or false (got ${String(o.itemRecency)}).`);
  if (typeof o.sessionPosition !== 'boolean') bad(`The visit position setting must be true or false (got ${String(o.sessionPosition)}).`);
  if (!['behaviour', 'mean', 'cls'].includes(o.pooling)) bad(`The pooling must be "behaviour", "mean" or "cls", not "${String(o.pooling)}".`);
  if (!['anonymous', 'noisy'].includes(o.contrastiveView)) bad(`The contrastive view must be "anonymous" or "noisy", not "${String(o.contrastiveView)}".`);
  return o;
}

/** Checks the network's shape; the messages name the setting to change. */
export function validateArchitecture(a: SeqBertArchitecture): void {
  const bad = (msg: string): never => {
    throw new SeqBertError(msg, 'bad-options');
  };
  if (!(Number.isInteger(a.layers) && a.layers >= 1)) bad(`The behaviour BERT needs at least 1 layer (got ${a.layers}).`);
  if (!(Number.isInteger(a.hidden) && a.hidden >= 2)) bad(`The hidden size must be a whole number of at least 2 (got ${a.hidden}).`);
  if (!(Number.isInteger(a.heads) && a.heads >= 1)) bad(`The number of attention heads must be a whole number of at least 1 (got ${a.heads}).`);
  if (a.hidden % a.heads !== 0) bad(`The hidden size (${a.hidden}) must be divisible by the number of attention heads (${a.heads}).`);
  if (!(Number.isInteger(a.maxLen) && a.maxLen >= 1)) bad(`The maximum sequence length must be a whole number of at least 1 (got ${a.maxLen}).`);
  if (!(Number.isInteger(a.ffnMult) && a.ffnMult >= 1)) bad(`The feed-forward size multiple must be a whole number of at least 1 (got ${a.ffnMult}).`);
}
