// Runs the pipeline off the main thread and keeps the last file and analysis, so remapping,
// regrouping and encoding never ask the page to send the file again. The encoder (transformers.js
// or the built-in featuriser) runs here too; a new file, a regroup or a new encode cancels the
// encode in flight. The K sweep runs on the vectors of the last finished encode (WebGPU for the
// assignment step where available); a new file, regroup, encode or sweep cancels it.
import * as Comlink from 'comlink';
import { analyzeSource, regroup as regroupAnalysis, type Analysis, type CancelToken } from '../pipeline/analyze';
import { blobSource } from '../pipeline/ingest/parts';
import { ClusteringCancelledError, ClusteringInputError } from '../pipeline/cluster';
import { buildGraph } from '../pipeline/graph/build';
import { ProjectionCancelledError, ProjectionInputError } from '../pipeline/project';
import { nnz } from '../pipeline/graph/csr';
import { GraphOptionsError } from '../pipeline/graph/options';
import { embedItemTexts, GcnError, itemVectorsByItem, normalizeRows, projectFeatures, resolveGcnOptions, trainGcn } from '../pipeline/gcn';
import { EncoderError, encodeSequences, MemoryEmbeddingCache, type EmbeddingCache } from '../pipeline/encode';
import { sequenceLabel } from '../pipeline/sequences';
import { LogError, type AnalysisReport, type RoleMapping, type SequenceOptions } from '../pipeline/types';
import { installModel, listModels, modelSpec, removeModel } from './catalog';
import { PersistentEmbeddingCache } from './embeddingStore';
import { getEmbedder, installedCache } from './encoderRuntime';
import { adapterName, runSweepJob } from '../pipeline/runner/clusterJob';
import { browserHelperThreads } from './helperThreads';
import { createGcnGpu, type GcnGpu } from '../pipeline/gcn/gpu/gcnGpu';
import { errorText } from '../pipeline/gpu/device';
import { SweptClusters } from '../pipeline/runner/mapJob';
import { fileFingerprint, forgetAnalysis, getAnalysis, getResult, idbResultStore, listAnalyses, MAX_KEPT_FILE_BYTES, putResult, saveAnalysis, stableKey, updateSavedServiceItems } from './analysisStore';
import {
  checkServiceSettings,
  DEFAULT_SERVICE_SETTINGS,
  detectServiceItems,
  resolveServiceItems,
  ServiceSettingsError,
  type ServiceDetection,
  type ServiceResolution,
  type ServiceSettings,
} from '../pipeline/catalog';
import type { EventTable } from '../pipeline/ingest/table';
import { computeGpu, openWorkerGpu } from './gpuRuntime';
import { FEATURIZER_ID } from './manifest';
import { EMBEDDINGS_ID, loadPseudonymSecret, MODELS_ID, privacySpent, recordPrivacySpend, storageReport, wipeStorage, type MemoryStore } from './storage';
import {
  DEMO_FILE_NAME,
  isWireError,
  type ClusterProgressCallback,
  type ClusterRequest,
  type ClusterResult,
  type AnalysisWorkerApi,
  type AnalyzeRequest,
  type EncodeProgressCallback,
  type EncodeRequest,
  type EncodeResult,
  type GcnGraphWire,
  type GcnProgressCallback,
  type GcnRequest,
  type GcnResultWire,
  type ProgressCallback,
  type ProjectProgressCallback,
  type ProjectRequest,
  type ProjectResult,
  type ServiceItemsWire,
  type VectorProbe,
  type WireError,
} from './protocol';

interface Source {
  file: Blob;
  name: string;
  /** The bundled demo: fetched again when reopened, never copied into the browser's storage. */
  demo?: boolean;
}

/** The last successful analysis and the file it came from: what a cancel or error falls back to. */
let kept: (Source & { analysis: Analysis; saved: Saved }) | null = null;

/** The saved-analysis identity of what is on screen: the file's id and the key of its sequences. */
interface Saved {
  id: string;
  /** Hash of the file and every setting the sequences depend on: the root of the stage keys. */
  key: string;
}

async function savedIdentity(source: Source, analysis: Analysis): Promise<Saved> {
  const id = await fileFingerprint(source.file, source.name);
  return { id, key: await sequencesKey(id, analysis.report) };
}

/**
 * Key of the sequences read from file `id`: its mapping and options, and a day/month order the user
 * set (it changes the times; left out otherwise, so the keys of earlier saved results still match).
 */
function sequencesKey(id: string, report: AnalysisReport): Promise<string> {
  const order = report.detection.dateOrder;
  return stableKey(id, report.detection.mapping, report.options, ...(order?.how === 'set' ? [{ dateOrder: order.order }] : []));
}

/** Keeps the log (and how it was read) in the browser, so a reload can reopen it. Best effort. */
async function keepAnalysis(source: Source, analysis: Analysis, saved: Saved): Promise<void> {
  const { report } = analysis;
  const keepFile = !source.demo && source.file.size <= MAX_KEPT_FILE_BYTES;
  lastSaveError = await saveAnalysis({
    id: saved.id,
    name: source.name,
    bytes: source.file.size,
    file: keepFile ? source.file : null,
    demo: !!source.demo,
    mapping: report.detection.mapping as Record<string, number>,
    sequence: { ...report.options },
    rows: report.input.rows,
    sequences: report.sequences.count,
    savedAt: new Date().toISOString(),
    serviceItems: service.settings,
    ...(report.detection.dateOrder?.how === 'set' ? { dateOrder: report.detection.dateOrder.order } : {}),
  });
}

// ---- service lines ----

/** The user's service-line choices for the log on screen, and a version that changes with them. */
let service: { settings: ServiceSettings; version: number } = { settings: DEFAULT_SERVICE_SETTINGS, version: 0 };
/** Detection depends on the table only (not on grouping): once per table read. */
const detections = new WeakMap<EventTable, ServiceDetection>();
let resolvedService: { table: EventTable; settings: ServiceSettings; r: ServiceResolution } | null = null;

/** The service lines in effect for the log on screen (null before a log is read). */
function serviceResolution(): ServiceResolution | null {
  const table = kept?.analysis.ingested.table;
  if (!table) return null;
  if (resolvedService && resolvedService.table === table && resolvedService.settings === service.settings) return resolvedService.r;
  let d = detections.get(table);
  if (!d) {
    d = detectServiceItems(table);
    detections.set(table, d);
  }
  const r = resolveServiceItems(table, d, service.settings);
  resolvedService = { table, settings: service.settings, r };
  return r;
}

/** The item mask profiles and recommendations leave out (null when there is nothing to leave out). */
function serviceMask(): Uint8Array | null {
  const r = serviceResolution();
  return r && r.count > 0 ? r.mask : null;
}

function serviceWire(): ServiceItemsWire {
  const r = serviceResolution();
  return {
    settings: service.settings,
    lines: r?.lines ?? [],
    unknown: r?.unknown ?? [],
    count: r?.count ?? 0,
    items: kept?.analysis.ingested.table.items.length ?? 0,
    version: service.version,
  };
}

/** The choices saved with this log before (a log opened again), else the defaults. */
async function savedServiceSettings(id: string): Promise<ServiceSettings> {
  try {
    return checkServiceSettings((await getAnalysis(id))?.serviceItems);
  } catch {
    // Unreadable storage or a record from elsewhere: detection alone, as for a new log.
    return DEFAULT_SERVICE_SETTINGS;
  }
}
let lastSaveError: string | null = null;
/** The save in flight (a large log takes a moment to copy), awaited before the list is read. */
let saving: Promise<void> = Promise.resolve();
/** The last file that failed for want of a user or item column, to be mapped by hand. */
let unrecognised: Source | null = null;
let running: CancelToken | null = null;
/** Helper threads (nested workers) for reading large files and for the K sweep, started per job. */
const helperThreads = browserHelperThreads();

/** The page's reading limit as last sent: re-reads (remap, reopen) keep to it. */
let readLimit: number | undefined;

async function run(source: Source, req: AnalyzeRequest, onProgress: ProgressCallback): Promise<AnalysisReport> {
  if (req.maxEvents !== undefined) readLimit = req.maxEvents;
  if (running) running.cancelled = true;
  // A new file makes the vectors being computed for the old one pointless, and their clusters.
  stopEncode();
  stopGcn();
  stopCluster();
  const token: CancelToken = { cancelled: false };
  running = token;
  // Progress is fire-and-forget: awaiting each round trip to the page would slow the read down.
  const progress: ProgressCallback = (p) => void Promise.resolve(onProgress(p)).catch(() => {});
  try {
    const analysis = await analyzeSource(blobSource(source.file), {
      fileName: source.name,
      // A large file is read in parts on helper threads (the same result, sooner).
      threads: req.readThreads === 'off' ? null : helperThreads,
      splitMinBytes: req.readThreads === 'on' ? 0 : undefined,
      mapping: req.mapping,
      // A mapping the user chose before for this column layout, picked once the columns are known.
      mappingFor: req.mapping ? undefined : (d) => req.savedMappings?.[d.layoutKey],
      sequence: req.sequence,
      dateOrder: req.dateOrder,
      maxEvents: readLimit,
      onProgress: progress,
      cancel: token,
    });
    // A pipeline that finished despite a late cancel must not replace what the page still shows.
    if (token.cancelled) throw new LogError('Cancelled.', 'cancelled');
    const saved = await savedIdentity(source, analysis);
    const serviceSettings = await savedServiceSettings(saved.id);
    if (token.cancelled) throw new LogError('Cancelled.', 'cancelled');
    kept = { ...source, analysis, saved };
    service = { settings: serviceSettings, version: service.version + 1 };
    saving = keepAnalysis(source, analysis, saved);
    return analysis.report;
  } catch (e) {
    const wire = toWire(e);
    if (wire.detection && !token.cancelled) unrecognised = source;
    throw wire;
  } finally {
    if (running === token) running = null;
    releaseProxy(onProgress);
  }
}

function toWire(e: unknown, what = 'analysing'): WireError {
  // A plain wire error thrown here on purpose (LogError and EncoderError have a code too, but are Errors).
  if (isWireError(e) && !(e instanceof Error)) return e;
  if (e instanceof LogError) {
    const wire: WireError = { message: e.message, code: e.code, line: e.line };
    if (e.code === 'no-user-or-item' && e.detection) wire.detection = e.detection;
    return wire;
  }
  if (e instanceof EncoderError) return { message: e.message, code: e.code, ...(e.file ? { file: e.file } : {}) };
  if (e instanceof ClusteringCancelledError) return { message: 'Clustering was cancelled.', code: 'cancelled' };
  if (e instanceof ClusteringInputError) return { message: e.message, code: 'cluster-input' };
  if (e instanceof GcnError) return { message: e.message, code: e.code === 'cancelled' ? 'cancelled' : 'gcn-input' };
  if (e instanceof GraphOptionsError) return { message: e.message, code: 'gcn-input' };
  if (e instanceof ProjectionCancelledError) return { message: 'The map was cancelled.', code: 'cancelled' };
  if (e instanceof ProjectionInputError) return { message: e.message, code: 'project-input' };
  const message = e instanceof Error ? e.message : String(e);
  return { message: `Unexpected error while ${what}: ${message}`, code: 'internal' };
}

// ---- encoding ----

/** Vectors of real models persist in IndexedDB; the featuriser's are cheap and depend on the file (IDF), so memory only. */
const modelCache = new PersistentEmbeddingCache();
const featurizerCache = new MemoryEmbeddingCache(50_000);
/** In-memory caches the privacy panel lists (the featuriser's vectors: IDF-dependent, never stored). */
const memoryStores: MemoryStore[] = [
  { id: 'memory:featurizer', label: 'Featuriser vectors', items: () => featurizerCache.size, bytes: () => null, clear: () => featurizerCache.clear() },
];
let encoding: { token: CancelToken; finished: Promise<unknown> } | null = null;

function stopEncode(): void {
  if (encoding) encoding.token.cancelled = true;
}

/** Sequences whose first values go into the probe: the first two, the middle one and the last. */
function probeOf(analysis: Analysis, vectors: Float32Array, dims: number): VectorProbe[] {
  const n = analysis.sequences.count;
  const picks = [...new Set([0, 1, n >> 1, n - 1].filter((i) => i >= 0 && i < n))];
  return picks.map((index) => ({
    index,
    id: sequenceLabel(analysis.ingested.table, analysis.sequences, index),
    values: Array.from(vectors.subarray(index * dims, index * dims + Math.min(8, dims))),
  }));
}

async function encode(req: EncodeRequest, onProgress: EncodeProgressCallback): Promise<EncodeResult> {
  stopEncode();
  // New vectors are coming: training on or a sweep of the old ones is pointless.
  stopGcn();
  stopCluster();
  const previous = encoding;
  const token: CancelToken = { cancelled: false };
  let finish!: () => void;
  encoding = { token, finished: new Promise<void>((r) => (finish = r)) };
  const progress: EncodeProgressCallback = (p) => void Promise.resolve(onProgress(p)).catch(() => {});
  const t0 = performance.now();
  try {
    // One encode at a time: the cancelled one stops at its next batch.
    await previous?.finished;
    if (token.cancelled) throw new EncoderError('Encoding was cancelled.', 'cancelled');
    const analysis = kept?.analysis;
    if (!analysis || !kept) throw new EncoderError('Open a file first; its sequences are then encoded.', 'bad-options');
    const rootKey = kept.saved.key;
    progress({ stage: 'load', model: req.model, done: 0, total: 0, itemsPerSecond: 0, cacheHits: 0 });
    const spec = req.model === FEATURIZER_ID ? {} : await modelSpec(req.model);
    const tLoad = performance.now();
    const loaded = await getEmbedder({ id: req.model, ...spec }, req.device);
    // Zero when the model was loaded already (by an earlier encode).
    const loadMs = performance.now() - tLoad;
    if (token.cancelled) throw new EncoderError('Encoding was cancelled.', 'cancelled');
    const cache: EmbeddingCache = loaded.embedder.kind === 'model' ? modelCache : featurizerCache;
    const notes = [...loaded.notes];
    let result;
    try {
      result = await encodeSequences({ table: analysis.ingested.table, sequences: analysis.sequences }, loaded.embedder, {
        mode: req.mode,
        weights: req.weights,
        halfLifeDays: req.halfLifeDays,
        cache,
        cancel: token,
        onProgress: (p) => progress({ stage: 'embed', model: req.model, done: p.done, total: p.total, itemsPerSecond: p.itemsPerSecond, cacheHits: p.cacheHits }),
      });
    } finally {
      // What was embedded is kept, even when cancelled half-way.
      if (cache === modelCache) await modelCache.flush();
    }
    // Read before the item texts' own cache lookup resets it.
    const fromDisk = cache === modelCache ? modelCache.stats.loaded : 0;
    // The item text vectors, the graph network's item features (the same texts: cache hits, mostly).
    const itemTexts = await embedItemTexts(analysis.ingested.table, analysis.sequences, loaded.embedder, { cache, cancel: token });
    // New item texts (sequence-as-text mode embeds none of them in the encode) are kept too.
    if (cache === modelCache) await modelCache.flush();
    // A regroup or another file since: these vectors belong to sequences no longer on screen.
    if (token.cancelled || kept?.analysis !== analysis) throw new EncoderError('Encoding was cancelled.', 'cancelled');
    if (cache === modelCache && modelCache.stats.writeFailed) {
      notes.push(`The embedding cache could not be saved in this browser (${modelCache.stats.writeFailed}); it lasts until the page is closed.`);
    }
    const label = spec.manifest?.label ?? spec.installed?.label ?? (loaded.embedder.kind === 'featurizer' ? 'Built-in featuriser' : req.model);
    encoded = {
      analysis,
      key: await stableKey(rootKey, 'encode', { model: req.model, mode: req.mode, weights: req.weights, halfLifeDays: req.halfLifeDays }),
      vectors: result.vectors,
      n: result.count,
      d: result.dims,
      model: result.encoder.model,
      label,
      zeroVectors: result.zeroVectors,
      items: itemVectorsByItem(itemTexts),
      itemDims: itemTexts.dims,
    };
    return {
      encoder: { ...result.encoder, device: loaded.device },
      source: loaded.source,
      label,
      sequences: result.count,
      zeroVectors: result.zeroVectors,
      truncated: result.truncated,
      itemTextSources: result.itemTextSources,
      seconds: (performance.now() - t0) / 1000,
      loadSeconds: loadMs / 1000,
      cache: { fromDisk, persistent: cache === modelCache && !modelCache.stats.writeFailed, writeFailed: cache === modelCache ? modelCache.stats.writeFailed : null },
      notes,
      probe: probeOf(analysis, result.vectors, result.dims),
    };
  } catch (e) {
    throw toWire(e, 'encoding');
  } finally {
    finish();
    if (encoding?.token === token) encoding = null;
    releaseProxy(onProgress);
  }
}

// ---- clustering ----

/** The vectors of the last finished encode, with the analysis they belong to. */
interface Encoded {
  analysis: Analysis;
  /** Hash of the log and every setting these vectors depend on: the root of the later stages' keys. */
  key: string;
  vectors: Float32Array;
  n: number;
  d: number;
  model: string;
  label: string;
  zeroVectors: number;
  /** table.items x itemDims: each item's text vector (the graph network's item features). */
  items: Float32Array;
  itemDims: number;
}
let encoded: Encoded | null = null;
let clustering: { token: CancelToken; finished: Promise<unknown> } | null = null;

function stopCluster(): void {
  if (clustering) clustering.token.cancelled = true;
  // The map is made from the sweep: whatever replaces the sweep replaces the map too.
  stopProject();
}

async function cluster(req: ClusterRequest, onProgress: ClusterProgressCallback): Promise<ClusterResult> {
  stopCluster();
  const previous = clustering;
  const token: CancelToken = { cancelled: false };
  let finish!: () => void;
  clustering = { token, finished: new Promise<void>((r) => (finish = r)) };
  const progress: ClusterProgressCallback = (p) => void Promise.resolve(onProgress(p)).catch(() => {});
  try {
    // One sweep at a time: the cancelled one stops at its next k-means run.
    await previous?.finished;
    if (token.cancelled) throw new ClusteringCancelledError();
    const vectors = encoded;
    if (!vectors || vectors.analysis !== kept?.analysis) {
      throw { message: 'Encode the sequences first: the clusters are made from their vectors.', code: 'cluster-input' } satisfies WireError;
    }
    const graph = req.vectors === 'gcn' ? trained : null;
    if (req.vectors === 'gcn' && (!graph || graph.from !== vectors)) {
      throw { message: 'Train the graph network first: the clusters are made from its vectors.', code: 'cluster-input' } satisfies WireError;
    }
    const data = graph ? { vectors: graph.vectors, n: vectors.n, d: graph.d } : vectors;
    // The threads mode changes no result; it is in the key so that forcing it (a diagnostic) really runs.
    const key = await stableKey(graph ? graph.key : vectors.key, 'sweep', { kMin: req.kMin, kMax: req.kMax, device: req.device, seeds: req.seeds ?? null, vectors: req.vectors ?? 'encoder', ...(req.threads && req.threads !== 'auto' ? { threads: req.threads } : {}) });
    const hit = await getResult<ClusterResult>(key);
    if (token.cancelled || encoded !== vectors || (graph && trained !== graph)) throw new ClusteringCancelledError();
    const computed = hit
      ? null
      : await runSweepJob(data.vectors, data.n, data.d, {
      kMin: req.kMin,
      kMax: req.kMax,
      device: req.device,
      seeds: req.seeds,
      openGpu: openWorkerGpu,
      threads: req.threads === 'off' ? null : helperThreads,
      threadsMinPoints: req.threads === 'on' ? 0 : undefined,
      onProgress: progress,
      cancel: token,
      source: graph
        ? { stage: 'gcn', model: vectors.model, label: vectors.label, zeroVectors: vectors.zeroVectors, gcn: { model: 'lightgcn', layers: graph.layers, hidden: graph.d, epochs: graph.epochs } }
        : { stage: 'encoder', model: vectors.model, label: vectors.label, zeroVectors: vectors.zeroVectors },
        });
    const result: ClusterResult = hit ? { ...hit, restored: true, seconds: 0 } : computed!;
    // Vectors replaced (a new encode, file or regroup) while it ran: these clusters are for sequences no longer on screen.
    if (token.cancelled || encoded !== vectors || (graph && trained !== graph)) throw new ClusteringCancelledError();
    // The worker keeps its own copy of the labels for profiles, recommendations and exports.
    swept = new SweptClusters(
      vectors.analysis,
      data.vectors,
      data.n,
      data.d,
      result,
      result.labels.map((l) => l.slice()),
      graph ? { users: graph.users, items: graph.items, dims: graph.d } : null,
      kept?.name ?? 'log',
      { key, analysis: kept?.saved.id ?? '' },
      idbResultStore,
    );
    swept.setExcludedItems(serviceMask());
    if (!hit && kept) result.saveError = await putResult(key, 'sweep', kept.saved.id, { ...result, labels: result.labels.map((l) => l.slice()) });
    // The labels move to the page without a copy (each buffer once: transfer refuses duplicates).
    return Comlink.transfer(result, [...new Set(result.labels.map((l) => l.buffer as ArrayBuffer))]);
  } catch (e) {
    throw toWire(e, 'clustering');
  } finally {
    finish();
    if (clustering?.token === token) clustering = null;
    releaseProxy(onProgress);
  }
}

// ---- graph network ----

/** The last finished training: L2-normalised sequence vectors, for the sweep, and the encode they came from. */
/**
 * Where the graph network propagates: WebGPU when asked, or on 'auto' when the adapter is real
 * hardware (a software adapter such as SwiftShader is slower than the CPU), else the CPU.
 */
async function gcnPath(device: 'auto' | 'cpu' | 'gpu', model: string): Promise<{ kernels: GcnGpu | null; reason: string; adapter: string | null }> {
  if (device === 'cpu') return { kernels: null, reason: 'CPU, as chosen in the settings', adapter: null };
  if (model !== 'lightgcn') return { kernels: null, reason: "CPU: only LightGCN has WebGPU kernels", adapter: null };
  const r = await computeGpu();
  if (!r.ok) return { kernels: null, reason: `CPU: WebGPU is not available here (${r.message})`, adapter: null };
  const adapter = adapterName(r.gpu.adapter);
  if (device === 'auto' && r.gpu.adapter.isFallbackAdapter) {
    return { kernels: null, reason: `CPU: WebGPU offers only a software adapter here (${adapter}), slower than the CPU; choose WebGPU to use it anyway`, adapter };
  }
  try {
    return { kernels: createGcnGpu(r.gpu), reason: `WebGPU (${adapter})${device === 'gpu' ? ', as chosen in the settings' : ''}`, adapter };
  } catch (e) {
    return { kernels: null, reason: `CPU: the WebGPU kernels could not be set up (${errorText(e)})`, adapter };
  }
}

interface CachedGcn {
  vectors: Float32Array;
  users: Float32Array;
  items: Float32Array;
  d: number;
  layers: number;
  epochs: number;
  wire: GcnResultWire;
}

let trained: {
  from: Encoded;
  /** Hash of the encode's key and the training settings. */
  key: string;
  vectors: Float32Array;
  d: number;
  layers: number;
  epochs: number;
  /** Raw (not normalised) user and item vectors: what recommendations score with. */
  users: Float32Array;
  items: Float32Array;
} | null = null;
let training: { cancel: CancelToken; stop: { requested: boolean }; finished: Promise<unknown> } | null = null;

function stopGcn(): void {
  if (training) training.cancel.cancelled = true;
}

async function gcn(req: GcnRequest, onProgress: GcnProgressCallback): Promise<GcnResultWire> {
  stopGcn();
  // The sweep of the previous vectors is pointless now.
  stopCluster();
  const previous = training;
  const cancel: CancelToken = { cancelled: false };
  const stop = { requested: false };
  let finish!: () => void;
  training = { cancel, stop, finished: new Promise<void>((r) => (finish = r)) };
  const progress: GcnProgressCallback = (p) => void Promise.resolve(onProgress(p)).catch(() => {});
  const t0 = performance.now();
  try {
    await previous?.finished;
    if (cancel.cancelled) throw new GcnError('Training the graph network was cancelled.', 'cancelled');
    const from = encoded;
    if (!from || from.analysis !== kept?.analysis) {
      throw { message: 'Encode the sequences first: the graph network starts from their vectors.', code: 'gcn-input' } satisfies WireError;
    }
    const key = await stableKey(from.key, 'gcn', req);
    const hit = await getResult<CachedGcn>(key);
    if (cancel.cancelled || encoded !== from) throw new GcnError('Training the graph network was cancelled.', 'cancelled');
    if (hit) {
      // Trained before on this log with these settings: the same seeded training, so the same vectors.
      trained = { from, key, vectors: hit.vectors, d: hit.d, layers: hit.layers, epochs: hit.epochs, users: hit.users, items: hit.items };
      return { ...hit.wire, seconds: (performance.now() - t0) / 1000, restored: true };
    }
    const o = resolveGcnOptions({ epochs: req.epochs, ...(req.earlyStopping ? {} : { earlyStopping: null }) });
    const { table } = from.analysis.ingested;
    const sequences = from.analysis.sequences;
    const g = buildGraph(table, sequences, req.graph);
    const graph: GcnGraphWire = { nodes: g.nodes, edges: nnz(g.adj), users: g.users, items: g.items, counts: g.counts, buildMs: performance.now() - t0 };
    progress({ stage: 'graph', graph, epoch: 0, epochs: o.epochs, loss: NaN, ms: 0 });
    if (from.itemDims !== from.d) throw new GcnError(`The encoder's item vectors have ${from.itemDims} dimensions, its sequence vectors ${from.d}.`, 'bad-input');
    const anchor = projectFeatures({ dims: from.d, users: from.vectors, items: from.items }, g.users, g.items, o.hidden, o.seed, o.featureScale);
    const path = await gcnPath(req.device ?? 'auto', o.model);
    let r;
    try {
      r = await trainGcn(g, anchor, o, {
      gpu: path.kernels,
      cancel,
      stop,
      onProgress: (p) => progress({ stage: 'train', graph, epoch: p.epoch, epochs: p.epochs, loss: p.loss, ms: p.ms }),
      });
    } finally {
      path.kernels?.release();
    }
    if (cancel.cancelled || encoded !== from) throw new GcnError('Training the graph network was cancelled.', 'cancelled');
    const users = r.z.slice(0, g.users * o.hidden);
    const items = r.z.slice(g.users * o.hidden);
    trained = { from, key, vectors: normalizeRows(users, o.hidden), d: o.hidden, layers: o.layers, epochs: r.epochs, users, items };
    const wire: GcnResultWire = {
      report: { device: r.device, epochs: r.epochs, loss: r.loss, nodes: g.nodes, edges: graph.edges },
      pathReason: r.fallback ? `WebGPU failed part-way; the CPU took over` : path.reason,
      fallback: r.fallback,
      adapter: path.adapter,
      graph,
      model: 'lightgcn',
      layers: o.layers,
      hidden: o.hidden,
      stoppedEarly: r.stoppedEarly,
      stoppedByUser: stop.requested,
      msPerEpoch: r.msPerEpoch,
      seconds: (performance.now() - t0) / 1000,
      encoder: { model: from.model, label: from.label },
    };
    // A training the user stopped is not what these settings give: it is not kept.
    if (!stop.requested && kept) {
      const t = trained;
      wire.saveError = await putResult(key, 'gcn', kept.saved.id, { vectors: t.vectors, users, items, d: t.d, layers: t.layers, epochs: t.epochs, wire } satisfies CachedGcn);
    }
    return wire;
  } catch (e) {
    throw toWire(e, 'training the graph network');
  } finally {
    finish();
    if (training?.cancel === cancel) training = null;
    releaseProxy(onProgress);
  }
}

// ---- map, profiles, recommendations, export ----

/** The last finished sweep and what is made of it; replaced by the next sweep. */
let swept: SweptClusters | null = null;
let projecting: { token: CancelToken; finished: Promise<unknown> } | null = null;

function stopProject(): void {
  if (projecting) projecting.token.cancelled = true;
}

/** The sweep on screen, or a message saying what to do first. */
function currentSweep(): SweptClusters {
  if (!swept || swept.analysis !== kept?.analysis) {
    throw { message: 'Cluster the sequences first: the map and profiles are made from the clusters.', code: 'project-input' } satisfies WireError;
  }
  return swept;
}

async function project(req: ProjectRequest, onProgress: ProjectProgressCallback): Promise<ProjectResult> {
  stopProject();
  const previous = projecting;
  const token: CancelToken = { cancelled: false };
  let finish!: () => void;
  projecting = { token, finished: new Promise<void>((r) => (finish = r)) };
  const progress: ProjectProgressCallback = (p) => void Promise.resolve(onProgress(p)).catch(() => {});
  try {
    await previous?.finished;
    if (token.cancelled) throw { message: 'The map was cancelled.', code: 'cancelled' } satisfies WireError;
    const sweep = currentSweep();
    const result = await sweep.project(req, progress, token);
    if (token.cancelled || swept !== sweep) throw { message: 'The map was cancelled.', code: 'cancelled' } satisfies WireError;
    return Comlink.transfer(result, [result.coords.buffer as ArrayBuffer]);
  } catch (e) {
    throw toWire(e, 'laying out the map');
  } finally {
    finish();
    if (projecting?.token === token) projecting = null;
    releaseProxy(onProgress);
  }
}

/** Runs a quick request on the sweep on screen, with errors turned into wire errors. */
function onSweep<T>(what: string, f: (sweep: SweptClusters) => T): T {
  try {
    return f(currentSweep());
  } catch (e) {
    throw toWire(e, what);
  }
}

function releaseProxy(callback: unknown): void {
  const release = (callback as { [Comlink.releaseProxy]?: () => void })[Comlink.releaseProxy];
  if (typeof release === 'function') release.call(callback);
}

const api: AnalysisWorkerApi = {
  analyzeFile(file, name, req, onProgress) {
    return run({ file, name }, req, onProgress);
  },

  async analyzeDemo(req, onProgress) {
    const url = new URL(`demo/${DEMO_FILE_NAME}`, self.location.origin + import.meta.env.BASE_URL);
    let file: Blob;
    try {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      file = await response.blob();
    } catch (e) {
      releaseProxy(onProgress);
      const reason = e instanceof Error ? e.message : String(e);
      throw {
        message: `The demo data could not be loaded (${reason}). Reload the page, or open a file of your own.`,
        code: 'unreadable',
      } satisfies WireError;
    }
    return run({ file, name: DEMO_FILE_NAME, demo: true }, req, onProgress);
  },

  async remap(which, mapping, sequence, onProgress, dateOrder) {
    const target = which === 'unrecognised' ? unrecognised : kept;
    if (!target) {
      releaseProxy(onProgress);
      throw { message: 'Open a file first, then choose its column roles.', code: 'internal' } satisfies WireError;
    }
    return run(target, { mapping, sequence, dateOrder }, onProgress);
  },

  async regroup(sequence: SequenceOptions) {
    if (!kept) throw { message: 'Open a file first, then change how it is grouped.', code: 'internal' } satisfies WireError;
    stopEncode();
    stopGcn();
    stopCluster();
    try {
      const analysis = regroupAnalysis(kept.analysis, sequence);
      const saved = { id: kept.saved.id, key: await sequencesKey(kept.saved.id, analysis.report) };
      kept = { ...kept, analysis, saved };
      saving = keepAnalysis(kept, analysis, saved);
    } catch (e) {
      throw toWire(e);
    }
    return kept.analysis.report;
  },

  cancel() {
    if (running) running.cancelled = true;
  },

  async listModels() {
    try {
      return await listModels();
    } catch (e) {
      throw toWire(e, 'listing the models');
    }
  },

  encode,

  cancelEncode() {
    stopEncode();
  },

  async installModel(files, onProgress) {
    try {
      return await installModel(files, (m) => void Promise.resolve(onProgress(m)).catch(() => {}), (prefix) => modelCache.forget(prefix));
    } catch (e) {
      throw toWire(e, 'installing the model');
    } finally {
      releaseProxy(onProgress);
    }
  },

  async removeModel(id) {
    try {
      await removeModel(id, (prefix) => modelCache.forget(prefix));
    } catch (e) {
      throw toWire(e, 'removing the model');
    }
  },

  async clearEmbeddingCache() {
    await modelCache.clear();
    featurizerCache.clear();
  },

  cluster,

  cancelCluster() {
    stopCluster();
  },

  trainGcn: gcn,

  stopGcn() {
    if (training) training.stop.requested = true;
  },

  cancelGcn() {
    stopGcn();
  },

  project,

  cancelProject() {
    stopProject();
  },

  async mapData() {
    // Copied, not transferred: the worker keeps the attributes for later calls.
    return onSweep('reading the map data', (s) => s.mapData());
  },

  async profiles(k) {
    return onSweep('profiling the clusters', (s) => s.profiles(k));
  },

  async recommendations(k, perCluster) {
    return onSweep('recommending', (s) => s.recommendations(k, perCluster));
  },

  async userDetails(index, k) {
    return onSweep("reading the user's events", (s) => s.userDetails(index, k));
  },

  async exportData(req) {
    let file;
    try {
      file = await onSweep('exporting', (s) => s.exportData(req, loadPseudonymSecret));
    } catch (e) {
      throw toWire(e, 'exporting');
    }
    // A noised export spends its epsilon on this log: the running total is kept per log (best effort:
    // a browser without storage still exports, and the file states its own epsilon).
    if (file.privacy && typeof req.epsilon === 'number' && kept) {
      const total = await recordPrivacySpend(kept.saved.id, kept.name, req.epsilon).catch(() => null);
      if (total) file = { ...file, spent: { name: total.name, spent: total.spent, exports: total.exports } };
    }
    return file;
  },

  async privacySpent() {
    if (!kept) return null;
    const found = await privacySpent(kept.saved.id).catch(() => null);
    return found ? { name: found.name, spent: found.spent, exports: found.exports } : null;
  },

  async serviceItems() {
    try {
      return serviceWire();
    } catch (e) {
      throw toWire(e, 'finding the service lines');
    }
  },

  async setServiceItems(settings) {
    if (!kept) throw { message: 'Open a file first, then review its service lines.', code: 'service-input' } satisfies WireError;
    let checked: ServiceSettings;
    try {
      checked = checkServiceSettings(settings);
    } catch (e) {
      if (e instanceof ServiceSettingsError) throw { message: e.message, code: 'service-input' } satisfies WireError;
      throw toWire(e, 'changing the service lines');
    }
    service = { settings: checked, version: service.version + 1 };
    try {
      swept?.setExcludedItems(serviceMask());
      const wire = serviceWire();
      // Remembered with the saved log (best effort: the choice holds for this session either way).
      const why = await updateSavedServiceItems(kept.saved.id, checked);
      if (why) lastSaveError = why;
      return wire;
    } catch (e) {
      throw toWire(e, 'changing the service lines');
    }
  },

  async storageReport() {
    try {
      return await storageReport(memoryStores);
    } catch (e) {
      throw toWire(e, 'listing stored data');
    }
  },

  async wipeStorage(what) {
    try {
      // The embedding cache's memory front goes with its store, or it would serve (and re-save) the vectors.
      if (what === 'all' || what.ids.includes(EMBEDDINGS_ID)) await modelCache.clear();
      const report = await wipeStorage(what, memoryStores);
      if (what === 'all' || what.ids.includes(MODELS_ID)) installedCache.invalidate();
      return report;
    } catch (e) {
      throw toWire(e, 'deleting stored data');
    }
  },

  async listSaved() {
    await saving;
    return { analyses: await listAnalyses(), current: kept?.saved.id ?? null, lastSaveError };
  },

  async reopen(id, onProgress, maxEvents) {
    let saved;
    try {
      saved = await getAnalysis(id);
    } catch (e) {
      releaseProxy(onProgress);
      throw toWire(e, 'reopening the analysis');
    }
    if (!saved || (!saved.file && !saved.demo)) {
      releaseProxy(onProgress);
      throw {
        message: saved ? `${saved.name} was too large to keep in the browser; open the file again.` : 'That analysis is no longer saved in this browser; open the file again.',
        code: 'unreadable',
      } satisfies WireError;
    }
    const req: AnalyzeRequest = { mapping: saved.mapping, sequence: saved.sequence as Partial<SequenceOptions>, maxEvents, ...(saved.dateOrder ? { dateOrder: saved.dateOrder } : {}) };
    if (saved.demo) return api.analyzeDemo(req, onProgress);
    return run({ file: saved.file!, name: saved.name }, req, onProgress);
  },

  async forgetSaved(id) {
    try {
      await forgetAnalysis(id);
    } catch (e) {
      throw toWire(e, 'forgetting the analysis');
    }
    return { analyses: await listAnalyses(), current: kept?.saved.id ?? null, lastSaveError };
  },
};

Comlink.expose(api);
