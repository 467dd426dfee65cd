// A saved model (.seqlens): what is needed to place new sequences in the segments of an analysis
// without training again (format.ts writes and reads it, build.ts makes it from the runner, apply.ts
// uses it). Typed arrays for the numbers; plain JSON for the rest.

import type { ServiceSettings } from '../catalog';
import type { EncodeMode, EventWeights } from '../encode';
import type { ClusterProfiles } from '../profile';
import type { EncoderKind } from '../runner/constants';
import type { SeqBertOptions } from '../seqbert';
import type { Whitening } from '../seqbert/whiten';
import type { SegmentSpace } from '../seqbert/segmentSpace';
import type { SequenceOptions } from '../types';

/** The format version this code writes and reads (a newer one is refused with a clear message). */
export const MODEL_FORMAT = 1;
/** The app that wrote a file (package.json's version). */
export const APP_VERSION = '0.1.0';
/** The file name extension. */
export const MODEL_EXTENSION = '.seqlens';

export interface ModelMeta {
  format: number;
  /** ISO time it was saved. */
  created: string;
  appVersion: string;
  /** The log it was trained on (file name only). */
  sourceFile: string;
  counts: { customers: number; events: number; items: number };
  /** The file's size in bytes (0 until written). */
  size: number;
}

export interface ModelSettings {
  sequence: SequenceOptions;
  encoder: {
    kind: EncoderKind;
    /** The text encoder's model id (the embedder's name; 'featurizer' for the built-in one). */
    textModel: string;
    /** Whether the text encoder was the built-in featurizer. */
    featurizer: boolean;
    mode: EncodeMode;
    /** The behaviour BERT's options as asked (kind 'seqbert'). */
    seqbert: Partial<SeqBertOptions> | null;
  };
  weights: Partial<EventWeights> | null;
  halfLifeDays: number | null;
  service: ServiceSettings;
  /** What the sweep clustered: the encoder's vectors, or the graph network's (then the centres are in the encoder's space, see build.ts). */
  clusteredOn: 'encoder' | 'gcn';
}

export interface ModelCatalogue {
  itemIds: string[];
  titles: string[];
  categories: string[];
  /** items x itemDims: each item's text vector. */
  itemDims: number;
  itemText: Float32Array;
  /** items x dims: the item rows the model uses as item vectors (the BERT's, or the text vectors). */
  dims: number;
  itemRows: Float32Array;
  /** The graph network's item vectors, when one ran (items x dims). */
  gcnItems: { dims: number; data: Float32Array } | null;
  /** Events per item in the training log (the popularity the SQL approximation and unseen items lean on). */
  counts: Int32Array;
}

export interface ModelClustering {
  k: number;
  /** Dimensions of the space the centres live in (the sequence vectors apply.ts makes). */
  d: number;
  /** k x d. */
  centres: Float32Array;
  /** Each segment's name (its profile's label). */
  labels: string[];
  profiles: ClusterProfiles;
  /** Per segment, its traits in words (null when it had none). */
  traits: (string[] | null)[];
  /** The training log's customers (or sessions): every one, -1 = too little history. */
  userIds: string[];
  clusters: Int32Array;
  /** 95th percentile of the training vectors' distance to their own centre (update mode's "far"). */
  p95Distance: number;
  /** Members per segment in the training log. */
  sizes: number[];
  /**
   * Per clustered customer (the first entries of userIds, one per clustered sequence): a hash of
   * their sequence vector's bytes. A customer of a new log with the same id and the same vector
   * (history unchanged) keeps their segment, whatever the centres say (apply.ts). Null in files
   * written before it existed.
   */
  vectorHashes: Int32Array | null;
  /**
   * Share of the training log's clustered customers whom the nearest centre puts in their own
   * segment: 1 (up to k-means' tolerance) when the segments were made in the encoder's space, less
   * when they were made on the graph network's vectors, which a new log cannot reproduce. Null in
   * older files.
   */
  placement: number | null;
}

export interface SavedModel {
  meta: ModelMeta;
  settings: ModelSettings;
  catalogue: ModelCatalogue;
  /**
   * The behaviour BERT (serialize.ts bytes, int8), the whitening its vectors were given and the
   * segment space the centres are in (kind 'seqbert'; null space: the BERT's vectors alone, as in
   * files written before it existed).
   */
  seqbert: { bytes: Uint8Array; whitening: Whitening | null; segmentSpace: SegmentSpace | null } | null;
  clustering: ModelClustering;
  /** Pooled item-vector centroids for the SQL approximation (k x dims), when made. */
  approx: { dims: number; centroids: Float32Array } | null;
}
