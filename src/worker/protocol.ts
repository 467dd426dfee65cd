// The contract between the page and the analysis worker. Only plain, structured-cloneable data
// crosses it: comlink flattens Error subclasses to bare Errors, so failures travel as WireError.
// The stages' own requests and results are the pipeline runner's (src/pipeline/runner/contract.ts),
// re-exported here; what is only the page's and the worker's (files, models, storage) is below.
import type { ServiceSettings } from '../pipeline/catalog/serviceSettings';
import type { AnalysisReport, Progress, RoleMapping, SequenceOptions } from '../pipeline/types';
import type { ModelDtype } from '../pipeline/encode/modelFiles';
import type { DateOrder } from '../pipeline/ingest/timestamp';
import type { DriftReport } from '../pipeline/drift/types';
import type {
  ClusterProgressWire,
  ClusterRequest,
  ClusterResult,
  EncodeProgressWire,
  EncodeRequest,
  EncodeResult,
  ExportFile,
  ExportRequest,
  GcnProgressWire,
  GcnRequest,
  GcnResultWire,
  MapData,
  ParquetExportFile,
  ParquetExportRequest,
  PrivacySpentWire,
  ProjectProgressWire,
  ProjectRequest,
  ProjectResult,
  RecommendationsWire,
  ServiceItemsWire,
  UserDetails,
} from '../pipeline/runner/contract';

/**
 * An export as the page gets it: the text in a Blob made in the worker. A Blob crosses to the
 * page by reference, so a long export (hundreds of MB of recommendations) is not copied into the
 * page's heap as strings and then again into a Blob there.
 */
export type SavedExport = Omit<ExportFile, 'parts'> & { blob: Blob };
export { isWireError } from '../pipeline/runner/contract';
export type {
  ClusterDevice,
  ClusterEntryWire,
  ClusterPath,
  ClusterProgressWire,
  ClusterRequest,
  ClusterResult,
  DeviceChoice,
  EncodeProgressWire,
  EncodeRequest,
  EncodeResult,
  ErrorCode,
  ExportFile,
  ExportFormat,
  ExportRequest,
  ExportWhat,
  GcnGraphWire,
  GcnProgressWire,
  GcnRequest,
  GcnResultWire,
  MapData,
  ParquetExportFile,
  ParquetExportRequest,
  PrivacySpentWire,
  ProjectProgressWire,
  ProjectRequest,
  ProjectResult,
  RecommendationsWire,
  RecommendedItemWire,
  SeqBertProgressWire,
  SeqBertResultWire,
  ServiceItemsWire,
  SweepThreadsMode,
  UserDetails,
  VectorProbe,
  WireError,
} from '../pipeline/runner/contract';

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
  /**
   * Whether the log itself may be copied into the browser's storage (so that a reload reopens it).
   * The page asks the user first (src/ui/state/keepLogs.ts); unset: kept, as before asking existed.
   */
  keepFile?: boolean;
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
  /** Ends the behaviour BERT's training after the current step, keeping the model trained so far (Cancel discards it). */
  stopSeqBert(): void;
  /** Encodes with a saved behaviour model file (`name` for the report): its vectors without training. A job of the encode slot. */
  encodeWithModel(bytes: Uint8Array, name: string, req: EncodeRequest, onProgress: EncodeProgressCallback): Promise<EncodeResult>;
  /** The behaviour model of the vectors on screen as a .seqbert file (its bytes and a file name). */
  seqBertModelFile(): Promise<{ bytes: Uint8Array; name: string }>;
  /** Installs a model from a folder the user chose; checks it by loading it before keeping it. */
  installModel(files: FolderFile[], onProgress: (message: string) => void): Promise<CatalogModel>;
  removeModel(id: string): Promise<void>;
  /** Empties the embedding cache (memory and IndexedDB). */
  clearEmbeddingCache(): Promise<void>;

  /** The clustering on screen at K as a saved segments model (.seqlens): its bytes (transferred), file name and size. */
  saveModel(k: number): Promise<ModelFileWire>;
  /**
   * Applies a saved model to the log on screen instead of training and sweeping: its customers are
   * placed in the saved segments; the result has the drift and the clustering the page then shows.
   * A job of the encode slot (a new encode, file or regroup cancels it); a damaged or foreign file
   * fails with code 'model-file' before anything on screen changes.
   */
  applyModel(bytes: Uint8Array, name: string, opts: { update: boolean }, onProgress: ApplyProgressCallback): Promise<AppliedModelWire>;
  cancelApply(): void;

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
  /** A file to download, made from the last sweep, projection and profiles: its text as a Blob (see SavedExport). */
  exportData(req: ExportRequest): Promise<SavedExport>;
  /** A Parquet file of everybody at K (user vectors, item vectors, assignments or centres); its bytes are moved to the page. */
  exportParquet(req: ParquetExportRequest): Promise<ParquetExportFile>;
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
  /** Copies the log on screen into the browser's storage after all (the user said yes); its saved list after. */
  keepCurrentFile(): Promise<SavedList>;
}

// ---- graph network and encoding ----

export type GcnProgressCallback = (p: GcnProgressWire) => void;
export type EncodeProgressCallback = (p: EncodeProgressWire) => void;

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

export type ClusterProgressCallback = (p: ClusterProgressWire) => void;

export interface SavedList {
  analyses: import('./analysisStore').SavedAnalysisInfo[];
  /** The saved id of the log on screen, if any. */
  current: string | null;
  lastSaveError: string | null;
}

export const DEMO_FILE_NAME = 'uci-online-retail-demo.csv';

/** Logs larger than this are not copied into the browser (the page does not ask); reopening them needs the file again. */
export const MAX_KEPT_FILE_BYTES = 512 * 1024 * 1024;

// ---- saved segments model (.seqlens) ----

/** A saved model file made in the worker: its bytes (transferred), a file name and its size. */
export interface ModelFileWire {
  bytes: Uint8Array;
  name: string;
  size: number;
}

export type ApplyProgressCallback = (p: ApplyProgressWire) => void;

/** Progress of applying a saved model: the step ('read', 'encode', 'assign', 'update', 'drift'...) and 0..1 overall. */
export interface ApplyProgressWire {
  stage: string;
  fraction: number;
}

/** A saved model applied to the log on screen: its segments, the drift, and the clustering the page shows instead of a sweep. */
export interface AppliedModelWire {
  k: number;
  labels: string[];
  drift: DriftReport;
  model: { created: string; sourceFile: string; size: number; version: number };
  /** Update mode: how far each centre moved, and a proposed new segment; null when the centres were kept. */
  update: { shift: number[]; proposal: { size: number; share: number } | null } | null;
  seconds: number;
  /** Customers of the model's log whose history had not changed: they kept their saved segment. */
  unchanged: number;
  /** Share of the model's own customers its centres put in their segment (below 1: segments made on the graph network's vectors). */
  placement: number | null;
  /** The applied clustering as a sweep of one K: the map, profiles and exports read it as they read a sweep. */
  sweep: ClusterResult;
}

// ---- map, profiles, recommendations, export ----

export type ProjectProgressCallback = (p: ProjectProgressWire) => void;

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
