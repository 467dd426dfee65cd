// The contract between the page and the analysis worker. Only plain, structured-cloneable data
// crosses it: comlink flattens Error subclasses to bare Errors, so failures travel as WireError.
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

export type ErrorCode = LogError['code'] | EncoderErrorCode | 'internal';

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

export const DEMO_FILE_NAME = 'uci-online-retail-demo.csv';

export function isWireError(value: unknown): value is WireError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as WireError).message === 'string' &&
    typeof (value as WireError).code === 'string'
  );
}
