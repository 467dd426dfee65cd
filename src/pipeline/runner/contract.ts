// The plain data the pipeline runner takes and gives: requests, progress and results of each stage,
// and WireError, the one shape every failure takes once mapped (see errors.ts). Only structured-
// cloneable values, so the worker can hand them to the page as they are (src/worker/protocol.ts
// re-exports them) and the CLI can print them.
import type { ServiceLineEntry, ServiceSettings } from '../catalog/serviceSettings';
import type { EncodeMode, EncoderErrorCode, EncoderReport, EventWeights } from '../encode';
import type { Detection, LogError } from '../types';
import type { Timeline, UserAttributes } from '../profile/types';
import type { SeqBertOptions } from '../seqbert/options';
import type { HeldOutReport } from '../seqbert/types';
import type { EncoderKind } from './constants';

/** 'model-file': a saved model (.seqlens) that cannot be used (model/errors.ts says why). */
export type ErrorCode = LogError['code'] | EncoderErrorCode | 'cluster-input' | 'gcn-input' | 'project-input' | 'service-input' | 'model-file' | 'internal';

export interface WireError {
  message: string;
  code: ErrorCode;
  line?: number;
  /** What was detected before a 'no-user-or-item' failure, so the user can map those columns. */
  detection?: Detection;
  /** Encoder errors: the model file at fault. */
  file?: string;
}

// ---- graph network ----

/** What the user can change about the graph and its training (the rest are the stage's defaults). */
export interface GcnRequest {
  /** At most this many epochs (early stopping may end sooner). */
  epochs: number;
  /** Stop once the loss stops improving (the stage's default rule); false trains every epoch unless stopped. */
  earlyStopping: boolean;
  /** Where the propagation runs: 'auto' = WebGPU on a hardware adapter, else the CPU. Default 'auto'. */
  device?: 'auto' | 'cpu' | 'gpu';
  graph: {
    userItem: boolean;
    transitions: boolean;
    selfLoops: boolean;
    transitionWeight: number;
    halfLifeDays: number;
    transitionMaxGapMinutes: number;
  };
}

export interface GcnGraphWire {
  nodes: number;
  /** Stored entries of the normalised adjacency. */
  edges: number;
  users: number;
  items: number;
  /** Undirected links of each kind, and nodes with no link but their self-loop. */
  counts: { userItem: number; transitions: number; selfLoops: number; isolated: number };
  buildMs: number;
}

export interface GcnProgressWire {
  /** 'graph': the graph is built (epoch 0); 'train': an epoch is done. */
  stage: 'graph' | 'train';
  graph: GcnGraphWire;
  epoch: number;
  epochs: number;
  loss: number;
  ms: number;
}

export interface GcnResultWire {
  /** The stage's report: device, epochs, loss per epoch, nodes, edges. */
  report: { device: 'cpu' | 'webgpu'; epochs: number; loss: number[]; nodes: number; edges: number };
  /** Why that device: the adapter used, the setting, or why the GPU was not used. */
  pathReason: string;
  /** The GPU error that moved training to the CPU part-way, if one did. */
  fallback: string | null;
  /** The WebGPU adapter used, if any. */
  adapter: string | null;
  graph: GcnGraphWire;
  model: 'lightgcn';
  layers: number;
  hidden: number;
  /** Stopped before the epoch cap: by early stopping or by the Stop button. */
  stoppedEarly: boolean;
  stoppedByUser: boolean;
  msPerEpoch: number;
  seconds: number;
  /** The encoder whose vectors were the features. */
  encoder: { model: string; label: string };
  /** Taken from this browser's saved results (the same log and settings were trained before). */
  restored?: boolean;
  /** Why the result could not be saved for next time (full storage ...), if it could not. */
  saveError?: string | null;
}

export type DeviceChoice = 'auto' | 'wasm' | 'webgpu';

export interface EncodeRequest {
  /** A model id of the catalogue, or 'featurizer'. */
  model: string;
  mode: EncodeMode;
  weights: Partial<EventWeights>;
  halfLifeDays: number;
  device: DeviceChoice;
  /** Which encoder makes the sequence vectors; absent: DEFAULT_ENCODER_KIND (constants.ts). */
  kind?: EncoderKind;
  /** The behaviour BERT's options, with kind 'seqbert'. */
  seqbert?: Partial<SeqBertOptions>;
}

export interface EncodeProgressWire {
  /** 'train': the behaviour BERT is training (kind 'seqbert'); `bert` says how far. */
  stage: 'load' | 'embed' | 'train';
  model: string;
  /** Distinct texts done (cache hits included) and in all; 0 / 0 while loading. */
  done: number;
  total: number;
  itemsPerSecond: number;
  cacheHits: number;
  /** The behaviour BERT's training progress, with stage 'train'. */
  bert?: SeqBertProgressWire;
}

export interface SeqBertProgressWire {
  epoch: number;
  epochs: number;
  /** 0..1 over the whole training run. */
  fraction: number;
  loss: number;
  valLoss: number | null;
  /** Per epoch so far: training loss (the current epoch's running mean last) and held-out loss (null: none held out). */
  curve?: { loss: number[]; valLoss: (number | null)[] };
}

/** What the behaviour BERT that made the vectors was, as trained (kind 'seqbert'). */
export interface SeqBertResultWire {
  /** The tfjs backend that really ran. */
  backend: string;
  layers: number;
  hidden: number;
  heads: number;
  maxLen: number;
  params: number;
  epochs: number;
  /** Training loss per epoch. */
  loss: number[];
  /** Held-out loss per epoch (null where nothing was held out). */
  valLoss: (number | null)[];
  /** Epochs planned, the epoch whose weights were kept, and why training ended early ('stop': the Stop button). */
  plannedEpochs: number;
  bestEpoch: number;
  stopReason: 'early-stopping' | 'stop' | null;
  /**
   * What the kept model learned, on the held-out sequences: how often it names a hidden event's
   * kind and has the hidden product among its top 10 guesses, beside the baselines (the commonest
   * kind; the 10 best sellers). Null when nothing was held out or the model predates it.
   */
  heldOut: HeldOutReport | null;
  quantized: 'int8';
  /** What gave the item features: the featuriser or a text model id. */
  itemFeatures: string;
  seconds: number;
  /** Trained now, restored from this browser's saved results (same log and settings), or loaded from a model file. */
  source: 'trained' | 'restored' | 'file';
  /** The model file's name, with source 'file'. */
  fileName?: string;
  /** Why the trained model could not be kept in this browser, if it could not. */
  saveError?: string | null;
}

/** The first values of a few sequence vectors, for tests that compare the browser with Node. */
export interface VectorProbe {
  index: number;
  id: string;
  values: number[];
}

export interface EncodeResult {
  encoder: EncoderReport;
  /** Where the model came from: the server's /models/, the browser's store, or built in. */
  source: 'origin' | 'browser' | 'built-in';
  label: string;
  sequences: number;
  zeroVectors: number;
  truncated: { sequences: number; events: number };
  itemTextSources: { title: number; category: number; id: number };
  /** Whole run, model loading included, and the part spent loading. */
  seconds: number;
  loadSeconds: number;
  /** Entries the embedding cache read from IndexedDB for this run, and whether writing to it failed. */
  cache: { fromDisk: number; persistent: boolean; writeFailed: string | null };
  notes: string[];
  probe: VectorProbe[];
  /** Set when the behaviour BERT made the sequence vectors. */
  seqbert?: SeqBertResultWire;
}

// ---- clustering ----

/** Where the k-means assignment step runs: 'auto' = WebGPU on a hardware adapter, else the CPU. */
export type ClusterDevice = 'auto' | 'cpu' | 'gpu';
/** The path that ran. */
export type ClusterPath = 'webgpu' | 'cpu';

export type SweepThreadsMode = 'auto' | 'on' | 'off';

export interface ClusterRequest {
  /** K range of the sweep; kMax is lowered (with a note) when the data has too few distinct points. */
  kMin: number;
  kMax: number;
  device: ClusterDevice;
  /**
   * Helper threads for the CPU sweep: 'auto' (default) from SWEEP_THREADS_MIN_POINTS sequences on,
   * 'on' whatever the size, 'off' never. The results are the same; only the time differs.
   */
  threads?: SweepThreadsMode;
  /** k-means runs per K (their agreement is the stability). Default 3. */
  seeds?: number;
  /**
   * Which sequence vectors: the last trained graph network's (L2-normalised) or the encoder's. Default
   * 'encoder'. With the behaviour BERT its own vectors are clustered either way; 'gcn' then gives the
   * recommendations the graph network's user and item vectors (runner.clusterInput).
   */
  vectors?: 'encoder' | 'gcn';
}

export interface ClusterProgressWire {
  /** The K last worked on (on helper threads K values finish in any order), and the fraction of the whole sweep done (0..1). */
  k: number;
  fraction: number;
  kMin: number;
  kMax: number;
  /** Where assignments are running right now (switches to 'cpu' when the GPU fails). */
  path: ClusterPath;
  /** K values finished so far. */
  done: number;
}

/** One K of the sweep, without the per-point labels (those travel in ClusterResult.labels). */
export interface ClusterEntryWire {
  k: number;
  inertia: number;
  /** NaN when undefined for this labelling. */
  silhouette: number;
  calinskiHarabasz: number;
  daviesBouldin: number;
  /** Mean pairwise adjusted Rand index between the seeds' runs; NaN with one seed. */
  stability: number;
  /** Members of each cluster 0..k-1. */
  sizes: number[];
  iterations: number;
  algorithm: 'lloyd' | 'minibatch';
  path: ClusterPath;
  runInertias: number[];
  ms: number;
}

export interface ClusterResult {
  entries: ClusterEntryWire[];
  /** Cluster of every sequence for each entry (same order as entries): the recolouring data. */
  labels: Int32Array[];
  suggested: { k: number; reason: string };
  elbow: { k: number; reason: string } | null;
  /** Exact silhouette up to exactMax points; above, on a seeded sample of sampleSize points. */
  silhouette: { exact: boolean; sampleSize: number; exactMax: number };
  /** Mini-batch k-means is picked above this many points. */
  minibatchThreshold: number;
  algorithm: 'lloyd' | 'minibatch';
  seeds: number;
  /** Points (sequences) and dimensions clustered. */
  n: number;
  d: number;
  /** What was clustered: the encoder's sequence vectors, or the graph network's (then `gcn` says how it was trained). */
  source: {
    stage: 'encoder' | 'gcn';
    model: string;
    label: string;
    zeroVectors: number;
    gcn?: { model: 'lightgcn'; layers: number; hidden: number; epochs: number };
    /**
     * With the behaviour model: whether what customers buy joined how they shop (used: `axes`
     * principal axes of the text encoder's vectors at `weight`, beside the `behaviourDims` columns of the BERT's that vary),
     * and the grouping test that decided (gain against threshold; null: a saved model's space).
     */
    taste?: { used: boolean; gain: number | null; threshold: number | null; behaviourDims: number; axes: number; weight: number };
  };
  /** The path that ran for the whole sweep ('cpu' if any run fell back). */
  path: ClusterPath;
  /** Why that path: the adapter used, the setting, or why the GPU was not used. */
  pathReason: string;
  /** Helper threads that ran K values side by side (0: the analysis worker alone). */
  threads: number;
  /** The GPU error that made the sweep fall back to the CPU, if one did. */
  fallback: string | null;
  /** The WebGPU adapter used or found (vendor, architecture, description), if any. */
  adapter: string | null;
  requested: { kMin: number; kMax: number };
  /** The K range swept, and why it is narrower than requested, if it is. */
  range: { kMin: number; kMax: number };
  rangeNote: string | null;
  seconds: number;
  /** Taken from this browser's saved results (the same vectors and settings were swept before). */
  restored?: boolean;
  saveError?: string | null;
}

export function isWireError(value: unknown): value is WireError {
  return typeof value === 'object' && value !== null && typeof (value as WireError).message === 'string' && typeof (value as WireError).code === 'string';
}

// ---- map, profiles, recommendations, export ----

export interface ProjectRequest {
  /** Seed of UMAP (default 0): the same seed and vectors give the same map. */
  seed?: number;
  nNeighbors?: number;
  minDist?: number;
}

export interface ProjectProgressWire {
  stage: 'knn' | 'graph' | 'layout' | 'trust';
  /** NN-descent iteration or SGD epoch (see UmapProgress). */
  epoch: number;
  /** Whole projection, 0..1. */
  overall: number;
}

export interface ProjectResult {
  /** n x 2, row-major, same order as the sweep's labels. */
  coords: Float32Array;
  n: number;
  /** The vectors that were laid out: those the sweep clustered. */
  source: ClusterResult['source'];
  /** Trustworthiness (15 neighbours) of the layout against those vectors; sampled above exactMax points. */
  trustworthiness: { value: number; exact: boolean; sampleSize: number; standardError: number };
  nNeighbors: number;
  nEpochs: number;
  seed: number;
  seconds: number;
  timings: { knnMs: number; graphMs: number; layoutMs: number; trustMs: number };
  warnings: string[];
  /** Taken from this browser's saved results. */
  restored?: boolean;
  saveError?: string | null;
}

/** What the page needs to draw, colour and describe every point; arrays are per sequence (point). */
export interface MapData {
  n: number;
  /** User (or session) id of each point, as in the file. */
  ids: readonly string[];
  attributes: UserAttributes;
  typeNames: string[];
  countries: string[];
  /** Per item: its title, else its id (for tooltips of the last events). */
  itemLabels: string[];
  hasPrice: boolean;
  hasTime: boolean;
  hasCountry: boolean;
}

export interface RecommendedItemWire {
  id: string;
  title: string;
  score: number;
  /** Per-user lists: the signal(s) that put the item there (new) or its purchase history (again). */
  reason?: string;
}

export interface RecommendationsWire {
  k: number;
  method: 'gcn+behaviour' | 'behaviour';
  /** Per cluster, its top items. */
  clusters: RecommendedItemWire[][];
}

export interface UserDetails {
  timeline: Timeline;
  cluster: number;
  /** The user's own `new` list: items they have not bought (pipeline/recommend/perUser). */
  recommendations: RecommendedItemWire[];
  /** The user's `again` list: items bought before, most likely to be bought again now first. */
  again: RecommendedItemWire[];
  /**
   * What the lists learn from: 'purchases', or 'events' (every event, views too: a log without
   * purchases, or of anonymous sessions, where "bought before" means looked at before).
   */
  history: 'purchases' | 'events';
}

export type ExportWhat = 'assignments' | 'profiles' | 'recommendations';
export type ExportFormat = 'csv' | 'json';

export interface ExportRequest {
  what: ExportWhat;
  format: ExportFormat;
  k: number;
  /** Points (sequence indices) to export; null = everybody. */
  selection: Int32Array | null;
  /**
   * Assignments and recommendations: user ids replaced by 'u_' + 16 hex characters of
   * HMAC-SHA256 with a secret made and kept in this browser (the same user gets the same
   * pseudonym in every export from here, until the key is deleted in the privacy panel).
   */
  pseudonymise?: boolean;
  /**
   * Profiles: add Laplace noise for epsilon-differential privacy with this budget (> 0; smaller is
   * more private); null or absent = exact counts. The file states the mechanism (profiles.json
   * "privacy", profiles.csv a "privacy" column); unbounded numbers (events, revenue, orders) are left out.
   */
  epsilon?: number | null;
  /**
   * With epsilon and sequences by session: most sessions one user adds to the noised counts
   * (default 1); the sensitivity is scaled to it. Without user ids the guarantee is per session.
   */
  sessionsPerUser?: number | null;
}

export interface ExportFile {
  name: string;
  mime: string;
  /** The file's text in parts, whole lines each (one string cannot hold a long file: see export/csv.ts PART_LINES). */
  parts: string[];
  rows: number;
  /** What the export did for privacy, in a line for the status message; absent when nothing. */
  privacy?: string;
  /** A noised export: the log's running total of epsilon, this export included. */
  spent?: PrivacySpentWire;
}

/** A Parquet download of the export panel (export/parquet.ts): everybody at K, as `--out` writes it. */
export interface ParquetExportRequest {
  what: 'userVectors' | 'itemVectors' | 'assignments' | 'centroids';
  k: number;
  /** User ids replaced by keyed hashes, as in ExportRequest. */
  pseudonymise?: boolean;
}

export interface ParquetExportFile {
  name: string;
  mime: string;
  bytes: Uint8Array;
  rows: number;
  /** What the export did for privacy, in a line for the status message; absent when nothing. */
  privacy?: string;
}

/** The running total of epsilon spent on one log (sequential composition: the epsilons add up). */
export interface PrivacySpentWire {
  name: string;
  spent: number;
  exports: number;
}

// ---- service lines ----

/** The service lines of the log on screen, as the user reviews them (see pipeline/catalog). */
export interface ServiceItemsWire {
  settings: ServiceSettings;
  /** Service lines in effect, and detected ones the user turned back into products. */
  lines: ServiceLineEntry[];
  /** Ids of the user's choices that are not items of this log. */
  unknown: string[];
  /** Items treated as service lines. */
  count: number;
  /** Items of the log. */
  items: number;
  /** Changes with every change of the choices: the profiles and recommendations of a version leave out its lines. */
  version: number;
}
