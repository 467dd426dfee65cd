// The page's handle on the analysis worker: turns wire errors back into real errors and makes a
// crashed worker fail pending calls instead of leaving them hanging.
import * as Comlink from 'comlink';
import type { ClusterProfiles } from '../pipeline/profile/types';
import type { ServiceSettings } from '../pipeline/catalog/serviceSettings';
import type { AnalysisReport, Detection, Progress, RoleMapping, SequenceOptions } from '../pipeline/types';
import type { DateOrder } from '../pipeline/ingest/timestamp';
import {
  isWireError,
  type AnalysisWorkerApi,
  type AnalyzeRequest,
  type AppliedModelWire,
  type ApplyProgressWire,
  type CatalogModel,
  type ClusterProgressWire,
  type ClusterRequest,
  type ClusterResult,
  type EncodeProgressWire,
  type EncodeRequest,
  type EncodeResult,
  type ErrorCode,
  type FolderFile,
  type GcnProgressWire,
  type GcnRequest,
  type GcnResultWire,
  type ModelCatalog,
  type ModelFileWire,
  type SavedExport,
  type PrivacySpentWire,
  type ExportRequest,
  type MapData,
  type ParquetExportFile,
  type ParquetExportRequest,
  type ProjectProgressWire,
  type ProjectRequest,
  type ProjectResult,
  type RecommendationsWire,
  type ServiceItemsWire,
  type StorageReport,
  type StorageWipe,
  type SavedList,
  type UserDetails,
  type RemapTarget,
  type WireError,
} from './protocol';

export class AnalysisError extends Error {
  readonly code: ErrorCode;
  readonly line?: number;
  readonly detection?: Detection;
  /** Encoder errors: the model file at fault. */
  readonly file?: string;

  constructor(wire: WireError) {
    super(wire.message);
    this.name = 'AnalysisError';
    this.code = wire.code;
    this.line = wire.line;
    this.detection = wire.detection;
    this.file = wire.file;
  }
}

export type OnProgress = (p: Progress) => void;

export interface AnalysisClient {
  analyzeFile(file: File, req: AnalyzeRequest, onProgress: OnProgress): Promise<AnalysisReport>;
  analyzeDemo(req: AnalyzeRequest, onProgress: OnProgress): Promise<AnalysisReport>;
  remap(
    target: RemapTarget,
    mapping: RoleMapping,
    sequence: Partial<SequenceOptions> | undefined,
    onProgress: OnProgress,
    /** How numeric dates are read (the mapping panel's date order); unset: decided from the file. */
    dateOrder?: DateOrder,
  ): Promise<AnalysisReport>;
  regroup(sequence: SequenceOptions): Promise<AnalysisReport>;
  cancel(): Promise<void>;
  listModels(): Promise<ModelCatalog>;
  encode(req: EncodeRequest, onProgress: (p: EncodeProgressWire) => void): Promise<EncodeResult>;
  cancelEncode(): Promise<void>;
  stopSeqBert(): Promise<void>;
  encodeWithModel(bytes: Uint8Array, name: string, req: EncodeRequest, onProgress: (p: EncodeProgressWire) => void): Promise<EncodeResult>;
  seqBertModelFile(): Promise<{ bytes: Uint8Array; name: string }>;
  installModel(files: FolderFile[], onProgress: (message: string) => void): Promise<CatalogModel>;
  removeModel(id: string): Promise<void>;
  clearEmbeddingCache(): Promise<void>;
  /** The clustering on screen at K as a .seqlens file. */
  saveModel(k: number): Promise<ModelFileWire>;
  /** Applies a saved model's bytes (moved to the worker) to the log on screen. */
  applyModel(bytes: Uint8Array, name: string, opts: { update: boolean }, onProgress: (p: ApplyProgressWire) => void): Promise<AppliedModelWire>;
  cancelApply(): Promise<void>;
  cluster(req: ClusterRequest, onProgress: (p: ClusterProgressWire) => void): Promise<ClusterResult>;
  cancelCluster(): Promise<void>;
  trainGcn(req: GcnRequest, onProgress: (p: GcnProgressWire) => void): Promise<GcnResultWire>;
  stopGcn(): Promise<void>;
  cancelGcn(): Promise<void>;
  project(req: ProjectRequest, onProgress: (p: ProjectProgressWire) => void): Promise<ProjectResult>;
  cancelProject(): Promise<void>;
  mapData(): Promise<MapData>;
  profiles(k: number): Promise<ClusterProfiles>;
  recommendations(k: number, perCluster: number): Promise<RecommendationsWire>;
  userDetails(index: number, k: number): Promise<UserDetails>;
  exportData(req: ExportRequest): Promise<SavedExport>;
  exportParquet(req: ParquetExportRequest): Promise<ParquetExportFile>;
  privacySpent(): Promise<PrivacySpentWire | null>;
  serviceItems(): Promise<ServiceItemsWire>;
  setServiceItems(settings: ServiceSettings): Promise<ServiceItemsWire>;
  storageReport(): Promise<StorageReport>;
  wipeStorage(what: StorageWipe): Promise<StorageReport>;
  listSaved(): Promise<SavedList>;
  reopen(id: string, onProgress: OnProgress, maxEvents?: number): Promise<AnalysisReport>;
  forgetSaved(id: string): Promise<SavedList>;
  /** Copies the log on screen into the browser's storage after all (the user said yes). */
  keepCurrentFile(): Promise<SavedList>;
  // ---- recovery (kiosk mode) ----
  /** Terminates the worker (failing its pending calls with `internal`) and starts a fresh one. */
  restart(): void;
  /** Called when the worker dies (a crash, a failed load, `simulateCrash`); returns the unsubscribe. */
  onCrash(listener: (e: AnalysisError) => void): () => void;
  /** Kills the worker as a crash would (for tests of the recovery): pending calls fail, crash listeners run. */
  simulateCrash(reason: string): void;
}

export function createAnalysisClient(): AnalysisClient {
  // ---- recovery (kiosk mode): the worker can be replaced; `remote` always names the live one ----
  let worker: Worker;
  let remote: Comlink.Remote<AnalysisWorkerApi>;
  let crash: AnalysisError | null = null;
  const crashListeners = new Set<(e: AnalysisError) => void>();
  const onCrashListeners = new Set<(e: AnalysisError) => void>();
  const die = (message: string) => {
    crash = new AnalysisError({ message, code: 'internal' });
    for (const fail of crashListeners) fail(crash);
    for (const listener of onCrashListeners) listener(crash);
  };
  const connect = () => {
    const w = new Worker(new URL('./analysis.worker.ts', import.meta.url), { type: 'module', name: 'seqlens-analysis' });
    w.addEventListener('error', (event) => {
      event.preventDefault();
      // An error of a worker already replaced is no news.
      if (w !== worker) return;
      die(`The analysis worker stopped (${event.message || 'failed to load'}). Reload the page to try again.`);
    });
    worker = w;
    remote = Comlink.wrap<AnalysisWorkerApi>(w);
    crash = null;
  };
  connect();
  const recovery = {
    restart() {
      worker.terminate();
      // Calls still waiting on the old worker would never settle: fail them before moving on.
      const stopped = new AnalysisError({ message: 'The analysis worker was restarted.', code: 'internal' });
      for (const fail of crashListeners) fail(stopped);
      connect();
    },
    onCrash(listener: (e: AnalysisError) => void) {
      onCrashListeners.add(listener);
      return () => void onCrashListeners.delete(listener);
    },
    simulateCrash(reason: string) {
      worker.terminate();
      die(`The analysis worker stopped (${reason}).`);
    },
  };
  // ---- end of recovery ----

  function call<T>(start: () => Promise<T>): Promise<T> {
    if (crash) return Promise.reject(crash);
    return new Promise<T>((resolve, reject) => {
      const fail = (e: AnalysisError) => reject(e);
      crashListeners.add(fail);
      start()
        .then(resolve, (e: unknown) => reject(toAnalysisError(e)))
        .finally(() => crashListeners.delete(fail));
    });
  }

  /** call() for a job whose progress the page only shows: passed on at most every PROGRESS_MS. */
  function callPaced<T, P>(onProgress: (p: P) => void, start: (progress: (p: P) => void) => Promise<T>): Promise<T> {
    const p = paced(onProgress);
    return call(() => start(Comlink.proxy(p.progress))).finally(p.end);
  }

  return {
    ...recovery,
    analyzeFile: (file, req, onProgress) => callPaced(onProgress, (p) => remote.analyzeFile(file, file.name, req, p)),
    analyzeDemo: (req, onProgress) => callPaced(onProgress, (p) => remote.analyzeDemo(req, p)),
    remap: (target, mapping, sequence, onProgress, dateOrder) => callPaced(onProgress, (p) => remote.remap(target, mapping, sequence, p, dateOrder)),
    regroup: (sequence) => call(() => remote.regroup(sequence)),
    cancel: () => call(() => remote.cancel()),
    listModels: () => call(() => remote.listModels()),
    encode: (req, onProgress) => callPaced(onProgress, (p) => remote.encode(req, p)),
    cancelEncode: () => call(() => remote.cancelEncode()),
    stopSeqBert: () => call(() => remote.stopSeqBert()),
    // The file's bytes move to the worker (the page keeps no copy).
    encodeWithModel: (bytes, name, req, onProgress) =>
      callPaced(onProgress, (p) => remote.encodeWithModel(Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]), name, req, p)),
    seqBertModelFile: () => call(() => remote.seqBertModelFile()),
    installModel: (files, onProgress) => call(() => remote.installModel(files, Comlink.proxy(onProgress))),
    removeModel: (id) => call(() => remote.removeModel(id)),
    clearEmbeddingCache: () => call(() => remote.clearEmbeddingCache()),
    saveModel: (k) => call(() => remote.saveModel(k)),
    // The file's bytes move to the worker (the page keeps no copy).
    applyModel: (bytes, name, opts, onProgress) =>
      callPaced(onProgress, (p) => remote.applyModel(Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]), name, opts, p)),
    cancelApply: () => call(() => remote.cancelApply()),
    cluster: (req, onProgress) => callPaced(onProgress, (p) => remote.cluster(req, p)),
    cancelCluster: () => call(() => remote.cancelCluster()),
    trainGcn: (req, onProgress) => call(() => remote.trainGcn(req, Comlink.proxy(onProgress))),
    stopGcn: () => call(() => remote.stopGcn()),
    cancelGcn: () => call(() => remote.cancelGcn()),
    project: (req, onProgress) => callPaced(onProgress, (p) => remote.project(req, p)),
    cancelProject: () => call(() => remote.cancelProject()),
    mapData: () => call(() => remote.mapData()),
    profiles: (k) => call(() => remote.profiles(k)),
    recommendations: (k, perCluster) => call(() => remote.recommendations(k, perCluster)),
    userDetails: (index, k) => call(() => remote.userDetails(index, k)),
    exportData: (req) => call(() => remote.exportData(req)),
    exportParquet: (req) => call(() => remote.exportParquet(req)),
    privacySpent: () => call(() => remote.privacySpent()),
    serviceItems: () => call(() => remote.serviceItems()),
    setServiceItems: (settings) => call(() => remote.setServiceItems(settings)),
    storageReport: () => call(() => remote.storageReport()),
    wipeStorage: (what) => call(() => remote.wipeStorage(what)),
    listSaved: () => call(() => remote.listSaved()),
    reopen: (id, onProgress, maxEvents) => callPaced(onProgress, (p) => remote.reopen(id, p, maxEvents)),
    forgetSaved: (id) => call(() => remote.forgetSaved(id)),
    keepCurrentFile: () => call(() => remote.keepCurrentFile()),
  };
}

/**
 * Progress bars redrawn more than a few times a second cost the page renders that buy nothing, and
 * each one interrupts React's slower transition renders (a finished sweep's charts): the
 * interrupted render starts over. The GCN's progress is not paced: it carries each epoch's loss.
 */
export const PROGRESS_MS = 200;

/** Passes on the first progress at once, then at most one per PROGRESS_MS, the latest always, until end(). */
export function paced<P>(onProgress: (p: P) => void, ms = PROGRESS_MS): { progress: (p: P) => void; end: () => void } {
  let last = -Infinity;
  let latest: { p: P } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let ended = false;
  const emit = (): void => {
    timer = null;
    if (ended || !latest) return;
    const { p } = latest;
    latest = null;
    last = performance.now();
    onProgress(p);
  };
  return {
    progress(p) {
      if (ended) return;
      latest = { p };
      if (timer !== null) return;
      const wait = last + ms - performance.now();
      if (wait <= 0) emit();
      else timer = setTimeout(emit, wait);
    },
    end() {
      ended = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}

function toAnalysisError(e: unknown): AnalysisError {
  if (e instanceof AnalysisError) return e;
  if (isWireError(e)) return new AnalysisError(e);
  const message = e instanceof Error ? e.message : String(e);
  return new AnalysisError({ message: `Unexpected error: ${message}`, code: 'internal' });
}
