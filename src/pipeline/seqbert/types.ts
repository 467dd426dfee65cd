// The behaviour BERT's data shapes: what goes in, the trained model (plain typed arrays, no tfjs
// objects, so it can be stored, quantized and posted between threads), and what comes out.

import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';
import type { SeqBertArchitecture, SeqBertBackendChoice, SeqBertPooling } from './options';
import type { Whitening } from './whiten';
import type { HelperThreads } from '../threads';

export type SeqBertBackend = 'webgpu' | 'wasm' | 'cpu';

export interface SeqBertInput {
  sequences: Sequences;
  table: EventTable;
  /** table.items.length x itemDims: each item's text vector (zero rows for items without one). */
  itemVectors: Float32Array;
  itemDims: number;
}

/** One weight tensor, row-major. */
export interface NamedWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** Int8 per-output-channel symmetric form of a matrix: value = q[r, c] * scale[c]. */
export interface QuantizedWeight {
  name: string;
  shape: number[];
  q: Int8Array;
  /** One scale per output channel (the last axis). */
  scale: Float32Array;
}

export interface SeqBertVocab {
  /** Item ids (table.items) the item rows were trained for; a new log's items are matched by id. */
  itemIds: string[];
  /** Event type names (table.typeNames) the type embedding was trained for. */
  typeNames: string[];
  itemDims: number;
}

/**
 * What the model learned, measured on the held-out sequences with the kept (best epoch's) weights
 * and one fixed masking where each masked event is fully hidden (heldout.ts).
 */
export interface HeldOutReport {
  /** Held-out sequences scored. */
  sequences: number;
  /** Events hidden in them (and scored). */
  masked: number;
  /** Share of hidden events whose kind (event type) the model guessed right. */
  typeAccuracy: number;
  /** The same for always guessing the commonest kind among the hidden events. */
  typeBaseline: number;
  /** Share of hidden events whose product was among the model's 10 best guesses over the whole catalogue. */
  itemHit10: number;
  /** The same for always guessing the 10 most frequent products of the training sequences. */
  itemBaseline10: number;
}

export interface SeqBertReport {
  backend: SeqBertBackend;
  layers: number;
  hidden: number;
  heads: number;
  maxLen: number;
  /** Trainable numbers. */
  params: number;
  epochs: number;
  /** Epochs planned: the epochs option, or fewer by the token budget. */
  plannedEpochs: number;
  /**
   * Share of an epoch's batches the last planned epoch runs: 1, or less when the token budget ends
   * it part-way (a random subset of the sequences); the epochs before it run whole.
   * Absent in reports of models saved before it was recorded.
   */
  epochShare?: number;
  /** Training steps (batches) run and planned. Absent in reports of models saved before they were recorded. */
  steps?: number;
  stepsPlanned?: number;
  /** Training loss per epoch (mean over steps). */
  loss: number[];
  /** Held-out loss per epoch (null when no sequences were held out). */
  valLoss: (number | null)[];
  /** The epoch whose weights were kept (best validation loss, else the last). */
  bestEpoch: number;
  stoppedEarly: boolean;
  /** Why training ended before `epochs`: 'early-stopping' | 'stop' | null. */
  stopReason: 'early-stopping' | 'stop' | null;
  seconds: number;
  /** Training tokens (real events fed, masked or not) per second. */
  tokensPerSecond: number;
  /** 'full' softmax over the catalogue, or 'sampled' with shared negatives. */
  softmax: 'full' | 'sampled';
  contrastive: boolean;
  quantized: 'int8';
  /** Cosine between int8 and float32 sequence embeddings, when embedSequences compared them. */
  int8Cosine: { mean: number; min: number } | null;
  /**
   * Type accuracy and hit@10 on the held-out sequences beside their baselines; null when nothing
   * was held out. Absent in reports of models saved before it was recorded.
   */
  heldOut?: HeldOutReport | null;
}

export interface SeqBertModel {
  architecture: SeqBertArchitecture;
  vocab: SeqBertVocab;
  /** Float32 weights as trained. */
  weights: NamedWeight[];
  /** Int8 per-channel form of every matrix (2-D weights); vectors and embeddings of small vocabularies stay float32. */
  quantized: QuantizedWeight[];
  report: SeqBertReport;
}

export interface SeqBertProgress {
  epoch: number;
  epochs: number;
  /** 0..1 over the whole training run (steps done / steps planned). */
  fraction: number;
  /** Mean training loss of the epoch so far. */
  loss: number;
  /** Held-out loss after the epoch; null mid-epoch or when nothing is held out. */
  valLoss: number | null;
}

export interface SeqBertHooks {
  onProgress?: (p: SeqBertProgress) => void;
  /** Abort: training throws a SeqBertError with code 'cancelled'. */
  signal?: AbortSignal;
  /** Set `requested` to end training after the current step, keeping the best model so far. */
  stop?: { requested: boolean };
}

export interface EmbedOptions {
  /** Compute with the int8 model (dequantized weights). Default true: what the pipeline uses. */
  quantized?: boolean;
  /** Default 'mean'. */
  pooling?: SeqBertPooling;
  /**
   * Whiten the pooled vectors over the sequences embedded (whiten.ts): centred, on their principal
   * axes, unit variance, the last 1% of the variance dropped (those columns are zero). Default true.
   */
  whiten?: boolean;
  /**
   * Whiten with this fitted whitening instead of fitting one on these sequences (a saved model
   * applied to another log: its sequences land in the training log's space). Ignored with whiten: false.
   */
  whitening?: Whitening;
  /** Sequences per forward batch. */
  batchSize?: number;
  /** Backend to start when none runs yet (default 'auto'); a running backend is kept. */
  backend?: SeqBertBackendChoice;
  /** Where the wasm files are served from (browser), as in SeqBertOptions. */
  wasmPaths?: string | null;
  /**
   * Helper threads that take a share of the batches (embedThreads.ts): for where tfjs's wasm
   * backend runs on one thread (Node). Null or absent: this thread only.
   */
  helpers?: HelperThreads | null;
}

export interface SequenceEmbedding {
  /**
   * count x dims: each row L2-normalised, then whitened when `whitened` is set (rows of sequences
   * without known events are zero before whitening).
   */
  vectors: Float32Array;
  dims: number;
  count: number;
  pooling: SeqBertPooling;
  quantized: boolean;
  /** Principal axes kept (the other columns are zero) and the share of the variance they hold; null: not whitened. */
  whitened: { kept: number; varianceKept: number } | null;
  /** The whitening applied (fitted here, or the one given), to whiten other sequences the same way; null: not whitened. */
  whitening?: Whitening | null;
}
