// The contract between the page and the analysis worker. Only plain, structured-cloneable data
// crosses it: comlink flattens Error subclasses to bare Errors, so failures travel as WireError.
import type { ServiceLineEntry, ServiceSettings } from '../pipeline/catalog/serviceSettings';
import type { EncodeMode, EncoderErrorCode, EncoderReport, EventWeights } from '../pipeline/encode';
import type {
  AnalysisReport,
  Detection,
  LogError,
  Progress,
  RoleMapping,
  SequenceOptions,
} from '../pipeline/types';
import type { ModelDtype } from '../pipeline/encode/modelFiles';
import type { DateOrder } from '../pipeline/ingest/timestamp';

export type ErrorCode = LogError['code'] | EncoderErrorCode | 'cluster-input' | 'gcn-input' | 'project-input' | 'service-input' | 'internal';

export interface WireError {
  message: string;
  code: ErrorCode;
  line?: number;
  /** What was detected before a 'no-user-or-item' failure, so the user can map those columns. */
  detection?: Detection;
  /** Encoder errors: the model file at fault. */
  file?: string;
}

export interface AnalyzeRequest {
  mapping?: RoleMapping;
  sequence?: Partial<SequenceOptions>;
  /** layoutKey -> mapping the user applied before; used when no explicit mapping is given. */
  savedMappings?: Record<string, RoleMapping>;
  /**
   * Reading a large file in parts on helper threads: 'auto' (default) from 16 MiB on, 'on' at any
   * size, 'off' never. The result is the same; only the time differs.
   */
  readThreads?: 'auto' | 'on' | 'off';
  /** Day/month order of numeric dates: 'auto' (default) settles it from the file's dates. */
  dateOrder?: DateOrder;
  /** Reading stops with a message past this many events (the page's reading limit); kept for later re-reads. */
  maxEvents?: number;
}

export type ProgressCallback = (p: Progress) => void;

export type RemapTarget = 'report' | 'unrecognised';

export interface AnalysisWorkerApi {
  analyzeFile(file: Blob, name: string, req: AnalyzeRequest, onProgress: ProgressCallback): Promise<AnalysisReport>;
  analyzeDemo(req: AnalyzeRequest, onProgress: ProgressCallback): Promise<AnalysisReport>;
  /** Re-reads a file with a new mapping: the one of the report on screen, or the last one whose columns could not be recognised. */
  remap(
    target: RemapTarget,
    mapping: RoleMapping,
    sequence: Partial<SequenceOptions> | undefined,
    onProgress: ProgressCallback,
    dateOrder?: DateOrder,
  ): Promise<AnalysisReport>;
  regroup(sequence: SequenceOptions): Promise<AnalysisReport>;
  cancel(): void;

  /** The models of public/models/manifest.json and those installed in this browser, with what is present. */
  listModels(): Promise<ModelCatalog>;
  /** Encodes the sequences of the analysis on screen; a new encode, file or regroup cancels it. */
  encode(req: EncodeRequest, onProgress: EncodeProgressCallback): Promise<EncodeResult>;
  cancelEncode(): void;
  /** Installs a model from a folder the user chose; checks it by loading it before keeping it. */
  installModel(files: FolderFile[], onProgress: (message: string) => void): Promise<CatalogModel>;
  removeModel(id: string): Promise<void>;
  /** Empties the embedding cache (memory and IndexedDB). */
  clearEmbeddingCache(): Promise<void>;

  /**
   * Runs the K sweep on the sequence vectors of the last finished encode of the analysis on
   * screen; a new sweep, file, regroup or encode cancels it.
   */
  cluster(req: ClusterRequest, onProgress: ClusterProgressCallback): Promise<ClusterResult>;
  cancelCluster(): void;

  /**
   * Trains the graph network (CPU) on the sequences of the analysis on screen, starting from the
   * vectors of the last finished encode; a new training, file, regroup or encode cancels it.
   */
  trainGcn(req: GcnRequest, onProgress: GcnProgressCallback): Promise<GcnResultWire>;
  /** Ends training after the current epoch, keeping the vectors trained so far. */
  stopGcn(): void;
  /** Abandons the training: no vectors come of it. */
  cancelGcn(): void;

  /** Lays out the vectors of the last finished sweep in 2-D (UMAP); a new sweep, encode, file or projection cancels it. */
  project(req: ProjectRequest, onProgress: ProjectProgressCallback): Promise<ProjectResult>;
  cancelProject(): void;
  /** Ids and attributes of every point of the last finished sweep. */
  mapData(): Promise<MapData>;
  /** Profiles of the clusters of K (from the last finished sweep). */
  profiles(k: number): Promise<import('../pipeline/profile/types').ClusterProfiles>;
  recommendations(k: number, perCluster: number): Promise<RecommendationsWire>;
  /** One point's timeline and recommendations for the clustering with K. */
  userDetails(index: number, k: number): Promise<UserDetails>;
  /** A file to download, made from the last sweep, projection and profiles. */
  exportData(req: ExportRequest): Promise<ExportFile>;
  /** The epsilon that noised exports of the log on screen have spent in this browser, in total; null when none. */
  privacySpent(): Promise<PrivacySpentWire | null>;

  /** The service lines (postage, fees...) of the log on screen: detected ones and the user's choices. */
  serviceItems(): Promise<ServiceItemsWire>;
  /** Replaces the user's service-line choices (kept with the saved analysis); profiles and recommendations follow. */
  setServiceItems(settings: ServiceSettings): Promise<ServiceItemsWire>;

  /** What SeqLens keeps in this browser's IndexedDB, Cache Storage and OPFS (the page adds localStorage), with sizes. */
  storageReport(): Promise<StorageReport>;
  /** Deletes stored data (see StorageWipe), then reports what is left. */
  wipeStorage(what: StorageWipe): Promise<StorageReport>;

  /** The logs kept in this browser (newest first), which one is on screen, and why the last save failed, if it did. */
  listSaved(): Promise<SavedList>;
  /** Opens a kept log again as it was read (mapping, sequence options); its saved stage results then answer at once. */
  reopen(id: string, onProgress: ProgressCallback, maxEvents?: number): Promise<AnalysisReport>;
  /** Forgets a kept log and every result saved for it. */
  forgetSaved(id: string): Promise<SavedList>;
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

export type GcnProgressCallback = (p: GcnProgressWire) => void;

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
}

export interface EncodeProgressWire {
  stage: 'load' | 'embed';
  model: string;
  /** Distinct texts done (cache hits included) and in all; 0 / 0 while loading. */
  done: number;
  total: number;
  itemsPerSecond: number;
  cacheHits: number;
}

export type EncodeProgressCallback = (p: EncodeProgressWire) => void;

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
}

export interface CatalogModel {
  id: string;
  label: string;
  dtype: ModelDtype;
  dims?: number;
  test: boolean;
  /** Where its files are: on our server (public/models/), in this browser (installed from a folder), nowhere. */
  source: 'origin' | 'browser' | null;
  /** Files of the manifest missing on the server, when some but not all are there. */
  missing: string[];
  install?: string;
  /** Browser installs: folder name, size, date. */
  folder?: string;
  bytes?: number;
  installedAt?: string;
}

export interface ModelCatalog {
  models: CatalogModel[];
  /** What is used when the user chose nothing: the manifest's default if installed, else 'featurizer'. */
  defaultModel: string;
  /** The manifest's preferred model (installed or not), for the install hint. */
  preferred: CatalogModel | null;
  /** Set when public/models/manifest.json could not be read. */
  manifestError: string | null;
  /** What the worker found of WebGPU. */
  webgpu: { device: 'wasm' | 'webgpu'; why: string };
  /** Whether IndexedDB works here (models installed from a folder and the embedding cache need it). */
  storage: boolean;
}

export interface FolderFile {
  /** webkitRelativePath, e.g. 'all-MiniLM-L6-v2/onnx/model_quantized.onnx'. */
  path: string;
  file: Blob;
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
  /** Which sequence vectors: the last trained graph network's (L2-normalised) or the encoder's. Default 'encoder'. */
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

export type ClusterProgressCallback = (p: ClusterProgressWire) => void;

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

export interface SavedList {
  analyses: import('./analysisStore').SavedAnalysisInfo[];
  /** The saved id of the log on screen, if any. */
  current: string | null;
  lastSaveError: string | null;
}

export const DEMO_FILE_NAME = 'uci-online-retail-demo.csv';

export function isWireError(value: unknown): value is WireError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as WireError).message === 'string' &&
    typeof (value as WireError).code === 'string'
  );
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

export type ProjectProgressCallback = (p: ProjectProgressWire) => void;

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
  attributes: import('../pipeline/profile/types').UserAttributes;
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
  timeline: import('../pipeline/profile/types').Timeline;
  cluster: number;
  /** The user's own `new` list: items they have not bought (pipeline/recommend/perUser). */
  recommendations: RecommendedItemWire[];
  /** The user's `again` list: items bought before, most likely to be bought again now first. */
  again: RecommendedItemWire[];
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
  text: string;
  rows: number;
  /** What the export did for privacy, in a line for the status message; absent when nothing. */
  privacy?: string;
  /** A noised export: the log's running total of epsilon, this export included. */
  spent?: PrivacySpentWire;
}

/** The running total of epsilon spent on one log (sequential composition: the epsilons add up). */
export interface PrivacySpentWire {
  name: string;
  spent: number;
  exports: number;
}

// ---- stored data ----

export type StorageKind = 'indexeddb' | 'cache' | 'opfs' | 'memory';

/** One place where SeqLens keeps data in this browser. */
export interface StoredItem {
  /** Stable id for wipeStorage: 'idb:<database>/<store>', 'cache:<name>', 'opfs:<name>', 'memory:<name>'. */
  id: string;
  kind: StorageKind;
  /** What it is, for people ("Embedding cache", "Pseudonymisation key"). */
  label: string;
  /** Where it lives, e.g. 'IndexedDB seqlens / embeddings'. */
  where: string;
  items: number;
  /** Sum of the stored values' sizes (Blob.size, byteLength, else the JSON length); an estimate. */
  bytes: number;
}

export interface StorageReport {
  items: StoredItem[];
  /** navigator.storage.estimate() for the whole origin; null where the browser does not say. */
  usage: number | null;
  quota: number | null;
}

/** 'all': every database, cache, OPFS entry and in-memory cache of SeqLens; else the listed item ids. */
export type StorageWipe = 'all' | { ids: string[] };

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
