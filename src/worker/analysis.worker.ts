// The analysis worker: a comlink facade over the pipeline runner (src/pipeline/runner/runner.ts,
// where the data path and what invalidates what are). Here are only what a browser adds: the
// file and its saved identity (IndexedDB), the models and embedding caches, helper threads,
// WebGPU, and one job slot per stage (a new request cancels the one in flight). Failures leave as
// WireError (comlink flattens Error subclasses), mapped once by runner/errors.ts.
import * as Comlink from 'comlink';
import type { Analysis } from '../pipeline/analyze';
import { blobSource } from '../pipeline/ingest/parts';
import { ClusteringCancelledError } from '../pipeline/cluster';
import { EncoderError, MemoryEmbeddingCache, type EmbeddingCache } from '../pipeline/encode';
import { GcnError } from '../pipeline/gcn';
import { checkServiceSettings, DEFAULT_SERVICE_SETTINGS, ServiceSettingsError, type ServiceSettings } from '../pipeline/catalog';
import { sequenceLabel } from '../pipeline/sequences';
import { LogError, sameSequenceOptions, type AnalysisReport, type SequenceOptions } from '../pipeline/types';
import { PipelineRunner, type LogState } from '../pipeline/runner/runner';
import { tokenOf } from '../pipeline/runner/cancel';
import { fireAndForget, JobSlot } from '../pipeline/runner/jobSlot';
import { toWire } from '../pipeline/runner/errors';
import { FEATURIZER_ID } from '../pipeline/encode/manifest';
import { installModel, listModels, modelSpec, removeModel } from './catalog';
import { PersistentEmbeddingCache } from './embeddingStore';
import { getEmbedder, installedCache } from './encoderRuntime';
import { browserHelperThreads } from './helperThreads';
import { gcnKernels, openWorkerGpu } from './gpuRuntime';
import { tfjsWasmPaths } from './tfjsAssets';
import { fileFingerprint, forgetAnalysis, getAnalysis, idbResultStore, listAnalyses, saveAnalysis, updateSavedServiceItems } from './analysisStore';
import { EMBEDDINGS_ID, loadPseudonymSecret, MODELS_ID, privacySpent, recordPrivacySpend, storageReport, wipeStorage, type MemoryStore } from './storage';
import {
  DEMO_FILE_NAME,
  MAX_KEPT_FILE_BYTES,
  type AnalysisWorkerApi,
  type AnalyzeRequest,
  type AppliedModelWire,
  type EncodeProgressCallback,
  type EncodeRequest,
  type EncodeResult,
  type ProgressCallback,
  type VectorProbe,
  type WireError,
} from './protocol';

interface Source {
  file: Blob;
  name: string;
  /** The bundled demo: fetched again when reopened, never copied into the browser's storage. */
  demo?: boolean;
}

/** Helper threads (nested workers) for reading large files and for the K sweep, started per job. */
const helperThreads = browserHelperThreads();
const runner = new PipelineRunner({ threads: helperThreads, store: idbResultStore, openGpu: openWorkerGpu, gcnKernels });

/** The file of the log on screen: what a remap, a save or a privacy total refers to. */
let kept: Source | null = null;
/** The last file that failed for want of a user or item column, to be mapped by hand. */
let unrecognised: Source | null = null;
let lastSaveError: string | null = null;
/** The save in flight (a large log takes a moment to copy), awaited before the list is read. */
let saving: Promise<void> = Promise.resolve();
/** The page's reading limit as last sent: re-reads (remap, reopen) keep to it. */
let readLimit: number | undefined;

// One slot per stage: the latest request wins. A stage's new job also cancels the stages made from it.
const slots = { read: new JobSlot(), encode: new JobSlot(), gcn: new JobSlot(), cluster: new JobSlot(), project: new JobSlot() };
const after: Record<keyof typeof slots, (keyof typeof slots)[]> = {
  read: ['encode', 'gcn', 'cluster', 'project'],
  encode: ['gcn', 'cluster', 'project'],
  gcn: ['cluster', 'project'],
  cluster: ['project'],
  project: [],
};
function cancelFrom(stage: keyof typeof slots, self = true): void {
  if (self) slots[stage].cancel();
  for (const s of after[stage]) slots[s].cancel();
}
/** Stop (not cancel) of the training in flight: it ends after the current epoch and keeps its vectors. */
let gcnStop: { requested: boolean } | null = null;
/** The same for the behaviour BERT's training (an encode with kind 'seqbert'): it keeps the model trained so far. */
let seqBertStop: { requested: boolean } | null = null;

function releaseProxy(callback: unknown): void {
  const release = (callback as { [Comlink.releaseProxy]?: () => void })[Comlink.releaseProxy];
  if (typeof release === 'function') release.call(callback);
}

/** Runs `f`, turning whatever it throws into a WireError. */
async function wired<T>(what: string, f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw toWire(e, what);
  }
}

// ---- read ----

/** Whether the user let the log on screen be copied into the browser (AnalyzeRequest.keepFile). */
let keepFileAllowed = true;

/** Keeps how the log was read in the browser, and the log itself when allowed, so a reload can reopen it. Best effort. */
async function keepAnalysis(source: Source, log: LogState): Promise<void> {
  const { report } = log.analysis;
  lastSaveError = await saveAnalysis({
    id: log.id,
    name: source.name,
    bytes: source.file.size,
    file: keepFileAllowed && !source.demo && source.file.size <= MAX_KEPT_FILE_BYTES ? source.file : null,
    demo: !!source.demo,
    mapping: report.detection.mapping as Record<string, number>,
    sequence: { ...report.options },
    rows: report.input.rows,
    sequences: report.sequences.count,
    savedAt: new Date().toISOString(),
    serviceItems: runner.serviceSettings,
    ...(report.detection.dateOrder?.how === 'set' ? { dateOrder: report.detection.dateOrder.order } : {}),
  });
}

/** The service-line choices saved with this log before (a log opened again), else the defaults. */
async function savedServiceSettings(id: string): Promise<ServiceSettings> {
  try {
    return checkServiceSettings((await getAnalysis(id))?.serviceItems);
  } catch {
    // Unreadable storage or a record from elsewhere: detection alone, as for a new log.
    return DEFAULT_SERVICE_SETTINGS;
  }
}

/**
 * Read requests in the order they arrived. The demo and a reopened log are fetched first (a
 * network or IndexedDB wait); a file opened meanwhile must not be cancelled by the older request
 * when its wait ends (it was: the page then showed "Cancelled." and no log at all).
 */
let readTicket = 0;

function takeReadTicket(): number {
  return ++readTicket;
}

/** Throws the cancellation of a request that a newer read request overtook while it waited. */
function supersededWhileWaiting(ticket: number, onProgress: ProgressCallback): void {
  if (ticket === readTicket) return;
  releaseProxy(onProgress);
  throw { message: 'Cancelled: another log was opened meanwhile.', code: 'cancelled' } satisfies WireError;
}

function run(source: Source, req: AnalyzeRequest, onProgress: ProgressCallback): Promise<AnalysisReport> {
  if (req.maxEvents !== undefined) readLimit = req.maxEvents;
  // A re-read of the same log (remap) keeps the answer given for it; a new log brings its own.
  if (req.keepFile !== undefined) keepFileAllowed = req.keepFile;
  // A new file makes the vectors being computed for the old one pointless, and their clusters.
  cancelFrom('read', false);
  const cancelled = (): LogError => new LogError('Cancelled.', 'cancelled');
  return slots.read
    .run(
      async (signal) => {
        const analysis = await runner.read(
          blobSource(source.file),
          {
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
            onProgress: fireAndForget(onProgress),
          },
          signal,
        );
        const id = await fileFingerprint(source.file, source.name);
        const service = await savedServiceSettings(id);
        if (signal.aborted) throw cancelled();
        const log = await runner.use(analysis, id, service);
        kept = source;
        saving = keepAnalysis(source, log);
        return analysis.report;
      },
      // As before the runner: a new file starts reading at once; the cancelled read stops at its next check.
      { cancelled, release: () => releaseProxy(onProgress), overlap: true },
    )
    .catch((e) => {
      const wire = toWire(e);
      if (wire.detection && wire.code !== 'cancelled') unrecognised = source;
      throw wire;
    });
}

// ---- encoding ----

/** Vectors of real models persist in IndexedDB; the featuriser's are cheap and depend on the file (IDF), so memory only. */
const modelCache = new PersistentEmbeddingCache();
const featurizerCache = new MemoryEmbeddingCache(50_000);
/** In-memory caches the privacy panel lists (the featuriser's vectors: IDF-dependent, never stored). */
const memoryStores: MemoryStore[] = [
  { id: 'memory:featurizer', label: 'Featuriser vectors', items: () => featurizerCache.size, bytes: () => null, clear: () => featurizerCache.clear() },
];

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

const encode: AnalysisWorkerApi['encode'] = (req, onProgress) => encodeJob(req, onProgress, null);

/** An encode; with `file`, the sequence vectors come from a saved behaviour model (nothing is trained). */
function encodeJob(req: EncodeRequest, onProgress: EncodeProgressCallback, file: { bytes: Uint8Array; name: string } | null): Promise<EncodeResult> {
  // New vectors are coming: training on or a sweep of the old ones is pointless.
  cancelFrom('encode');
  const stop = { requested: false };
  seqBertStop = stop;
  // Training loss and held-out loss of each epoch so far (the current one's loss is its running mean).
  const curve: { loss: number[]; valLoss: (number | null)[] } = { loss: [], valLoss: [] };
  const progress = fireAndForget(onProgress);
  const t0 = performance.now();
  const cancelled = (): EncoderError => new EncoderError('Encoding was cancelled.', 'cancelled');
  const job = async (signal: AbortSignal): Promise<EncodeResult> => {
    if (!runner.log) throw new EncoderError('Open a file first; its sequences are then encoded.', 'bad-options');
    progress({ stage: 'load', model: req.model, done: 0, total: 0, itemsPerSecond: 0, cacheHits: 0 });
    const spec = req.model === FEATURIZER_ID ? {} : await modelSpec(req.model);
    const tLoad = performance.now();
    const loaded = await getEmbedder({ id: req.model, ...spec }, req.device);
    // Zero when the model was loaded already (by an earlier encode).
    const loadMs = performance.now() - tLoad;
    if (signal.aborted) throw cancelled();
    const persistent = loaded.embedder.kind === 'model';
    const cache: EmbeddingCache = persistent ? modelCache : featurizerCache;
    const notes = [...loaded.notes];
    let fromDisk = 0;
    const label = spec.manifest?.label ?? spec.installed?.label ?? (loaded.embedder.kind === 'featurizer' ? 'Built-in featuriser' : req.model);
    // The behaviour BERT fetches its .wasm files from our origin; the backend is the request's (default auto).
    const stageReq =
      req.kind === 'seqbert' || file
        ? { ...req, seqbert: { ...req.seqbert, backend: req.seqbert?.backend ?? 'auto', wasmPaths: tfjsWasmPaths(), wasmThreads: false } }
        : req;
    const call: Parameters<typeof runner.encode>[2] = {
      signal,
      stop,
      onSeqBert: (p) => {
        curve.loss[p.epoch - 1] = p.loss;
        if (p.valLoss !== null) curve.valLoss[p.epoch - 1] = p.valLoss;
        else if (curve.valLoss.length < p.epoch) curve.valLoss[p.epoch - 1] = null;
        progress({
          stage: 'train',
          model: req.model,
          done: 0,
          total: 0,
          itemsPerSecond: 0,
          cacheHits: 0,
          bert: {
            epoch: p.epoch,
            epochs: p.epochs,
            fraction: p.fraction,
            loss: p.loss,
            valLoss: p.valLoss,
            curve: { loss: [...curve.loss], valLoss: [...curve.valLoss] },
          },
        });
      },
      cache,
      label,
      flush: persistent ? () => modelCache.flush() : undefined,
      // Read before the item texts' own cache lookup resets it.
      onSequencesEncoded: () => (fromDisk = persistent ? modelCache.stats.loaded : 0),
      onProgress: (p) => progress({ stage: 'embed', model: req.model, done: p.done, total: p.total, itemsPerSecond: p.itemsPerSecond, cacheHits: p.cacheHits }),
    };
    const e = file ? await runner.encodeWithModel(file.bytes, stageReq, loaded.embedder, call) : await runner.encode(stageReq, loaded.embedder, call);
    const writeFailed = persistent ? modelCache.stats.writeFailed : null;
    if (writeFailed) notes.push(`The embedding cache could not be saved in this browser (${writeFailed}); it lasts until the page is closed.`);
    const r = e.encoding;
    const bert = e.seqbert;
    return {
      encoder: { ...r.encoder, device: loaded.device },
      source: loaded.source,
      label: bert ? e.label : label,
      sequences: r.count,
      zeroVectors: r.zeroVectors,
      truncated: r.truncated,
      itemTextSources: r.itemTextSources,
      seconds: (performance.now() - t0) / 1000,
      loadSeconds: loadMs / 1000,
      cache: { fromDisk, persistent: persistent && !writeFailed, writeFailed },
      notes,
      // The vectors that are clustered: the behaviour BERT's when it ran.
      probe: probeOf(e.analysis, e.vectors, e.d),
      ...(bert
        ? {
            seqbert: {
              backend: bert.report.backend,
              layers: bert.report.layers,
              hidden: bert.report.hidden,
              heads: bert.report.heads,
              maxLen: bert.report.maxLen,
              params: bert.report.params,
              epochs: bert.report.epochs,
              loss: [...bert.report.loss],
              valLoss: [...bert.report.valLoss],
              plannedEpochs: bert.report.plannedEpochs,
              bestEpoch: bert.report.bestEpoch,
              stopReason: bert.report.stopReason,
              heldOut: bert.report.heldOut ?? null,
              quantized: bert.report.quantized,
              itemFeatures: bert.itemFeatures,
              seconds: bert.seconds,
              source: bert.source,
              ...(file ? { fileName: file.name } : {}),
              saveError: bert.saveError ?? null,
            },
          }
        : {}),
    };
  };
  return wired(file ? 'using the saved behaviour model' : 'encoding', () => slots.encode.run(job, { cancelled, release: () => releaseProxy(onProgress) }));
}

// ---- graph network, clustering, map ----

const trainGcn: AnalysisWorkerApi['trainGcn'] = (req, onProgress) => {
  // The sweep of the previous vectors is pointless now.
  cancelFrom('gcn');
  const stop = { requested: false };
  gcnStop = stop;
  const options = { epochs: req.epochs, ...(req.earlyStopping ? {} : { earlyStopping: null }), graph: req.graph };
  const job = async (signal: AbortSignal) =>
    (await runner.gcn(options, { signal, stop, key: req, device: req.device ?? 'auto', onProgress: fireAndForget(onProgress) })).wire;
  return wired('training the graph network', () =>
    slots.gcn.run(job, { cancelled: () => new GcnError('Training the graph network was cancelled.', 'cancelled'), release: () => releaseProxy(onProgress) }),
  );
};

const cluster: AnalysisWorkerApi['cluster'] = (req, onProgress) => {
  // The map is made from the sweep: whatever replaces the sweep replaces the map too.
  cancelFrom('cluster');
  const job = async (signal: AbortSignal) => {
    const result = await runner.cluster(req, { signal, onProgress: fireAndForget(onProgress) });
    // The labels move to the page without a copy (each buffer once: transfer refuses duplicates).
    return Comlink.transfer(result, [...new Set(result.labels.map((l) => l.buffer as ArrayBuffer))]);
  };
  return wired('clustering', () => slots.cluster.run(job, { cancelled: () => new ClusteringCancelledError(), release: () => releaseProxy(onProgress) }));
};

const project: AnalysisWorkerApi['project'] = (req, onProgress) => {
  const cancelled = (): WireError => ({ message: 'The map was cancelled.', code: 'cancelled' });
  const job = async (signal: AbortSignal) => {
    const sweep = runner.sweep();
    const result = await sweep.project(req, fireAndForget(onProgress), tokenOf(signal));
    if (signal.aborted || runner.swept !== sweep) throw cancelled();
    return Comlink.transfer(result, [result.coords.buffer as ArrayBuffer]);
  };
  return wired('laying out the map', () => slots.project.run(job, { cancelled, release: () => releaseProxy(onProgress) }));
};

// ---- saved segments model (.seqlens) ----

/** The log on screen's name without its extension, for the files made from it. */
function logBase(): string {
  return (runner.log?.analysis.fileName ?? 'log').replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '-') || 'log';
}

/**
 * Applies a saved model to the log on screen: a job of the encode slot (it encodes the sequences
 * with the model's settings), so it replaces an encode, training, sweep or map in flight, and a
 * new encode replaces it. The file is read first: a damaged or foreign one fails before anything
 * on screen is cancelled or changed.
 */
const applyModel: AnalysisWorkerApi['applyModel'] = (bytes, _name, opts, onProgress) => {
  const progress = fireAndForget(onProgress);
  const cancelled = (): WireError => ({ message: 'Applying the model was cancelled.', code: 'cancelled' });
  return wired('applying the saved model', async () => {
    let saved: Awaited<ReturnType<typeof readModelFile>>;
    try {
      progress({ stage: 'read', fraction: 0 });
      saved = await readModelFile(bytes);
      const settings = saved.settings;
      // The runner would regroup the log as the model's was; the page would then encode and sweep
      // the regrouped log by itself, replacing the applied segments. The user regroups first.
      const on = runner.log?.analysis.report.options;
      if (on && !sameSequenceOptions(on, settings.sequence)) {
        throw { message: groupingMessage(settings.sequence), code: 'model-file' } satisfies WireError;
      }
    } catch (e) {
      releaseProxy(onProgress);
      throw e;
    }
    const job = async (signal: AbortSignal): Promise<AppliedModelWire> => {
      // Whatever was on its way for the log on screen (training, sweep, map) is replaced.
      cancelFrom('encode', false);
      const encoder = saved.settings.encoder;
      const id = encoder.featurizer ? FEATURIZER_ID : encoder.textModel;
      const spec = encoder.featurizer ? {} : await modelSpec(id);
      const loaded = await getEmbedder({ id, ...spec }, 'auto');
      if (signal.aborted) throw cancelled();
      const applied = await runner.applyModel(bytes, { update: opts.update, saved }, loaded.embedder, { signal, onProgress: progress });
      if (signal.aborted) throw cancelled();
      const sweep = runner.sweep().result;
      // The assignments are the sweep's labels already: they are not sent twice.
      const { assigned: _assigned, unseenItems: _unseen, unseenByPopularity: _byPopularity, ...rest } = applied;
      const wire: AppliedModelWire = { ...rest, sweep };
      return Comlink.transfer(wire, [...new Set(sweep.labels.map((l) => l.buffer as ArrayBuffer))]);
    };
    try {
      return await slots.encode.run(job, { cancelled, release: () => releaseProxy(onProgress) });
    } catch (e) {
      // The page's cancel: one message (the runner may report its encode's own).
      if (isCancelled(e)) throw cancelled();
      throw e;
    }
  });
};

/** What to change before a model made from a log grouped otherwise can be applied. */
function groupingMessage(o: SequenceOptions): string {
  const by = o.by === 'user' ? 'customer' : 'session';
  return (
    `This model was made from a log grouped by ${by}, with at least ${o.minLength} events each, a bot limit of ${o.maxLength}, ` +
    `repeats within ${o.dedupeSeconds} s collapsed and a session gap of ${o.sessionGapMinutes} minutes; the log on screen is grouped otherwise. Set the same under ` +
    '“How the segments were made” → Sequences, then apply the model again.'
  );
}

/** The model file reader, loaded on first use (the page's first screen does not need it). */
async function readModelFile(bytes: Uint8Array) {
  return (await import('../pipeline/model/format')).readModelFile(bytes);
}

function isCancelled(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'cancelled';
}

const api: AnalysisWorkerApi = {
  analyzeFile(file, name, req, onProgress) {
    takeReadTicket();
    return run({ file, name }, req, onProgress);
  },

  async analyzeDemo(req, onProgress) {
    const ticket = takeReadTicket();
    const url = new URL(`demo/${DEMO_FILE_NAME}`, self.location.origin + import.meta.env.BASE_URL);
    let file: Blob;
    try {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      file = await response.blob();
    } catch (e) {
      releaseProxy(onProgress);
      const reason = e instanceof Error ? e.message : String(e);
      throw { message: `The demo data could not be loaded (${reason}). Reload the page, or open a file of your own.`, code: 'unreadable' } satisfies WireError;
    }
    supersededWhileWaiting(ticket, onProgress);
    return run({ file, name: DEMO_FILE_NAME, demo: true }, req, onProgress);
  },

  async remap(which, mapping, sequence, onProgress, dateOrder) {
    takeReadTicket();
    const target = which === 'unrecognised' ? unrecognised : runner.log && kept;
    if (!target) {
      releaseProxy(onProgress);
      throw { message: 'Open a file first, then choose its column roles.', code: 'internal' } satisfies WireError;
    }
    return run(target, { mapping, sequence, dateOrder }, onProgress);
  },

  async regroup(sequence: SequenceOptions) {
    if (!runner.log || !kept) throw { message: 'Open a file first, then change how it is grouped.', code: 'internal' } satisfies WireError;
    cancelFrom('encode');
    const source = kept;
    const log = await wired('analysing', () => runner.regroup(sequence));
    saving = keepAnalysis(source, log);
    return log.analysis.report;
  },

  cancel: () => slots.read.cancel(),

  listModels: () => wired('listing the models', () => listModels()),
  encode,
  cancelEncode: () => slots.encode.cancel(),
  stopSeqBert() {
    if (slots.encode.busy && seqBertStop) seqBertStop.requested = true;
  },
  encodeWithModel: (bytes, name, req, onProgress) => encodeJob(req, onProgress, { bytes, name }),
  async seqBertModelFile() {
    const bytes = await wired('saving the behaviour model', () => runner.seqBertModelFile());
    const base = (runner.log?.analysis.fileName ?? 'log').replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '-') || 'log';
    return Comlink.transfer({ bytes, name: `${base}.seqbert` }, [bytes.buffer as ArrayBuffer]);
  },
  async installModel(files, onProgress) {
    try {
      return await wired('installing the model', () => installModel(files, fireAndForget(onProgress), (prefix) => modelCache.forget(prefix)));
    } finally {
      releaseProxy(onProgress);
    }
  },
  removeModel: (id) => wired('removing the model', () => removeModel(id, (prefix) => modelCache.forget(prefix))),
  async clearEmbeddingCache() {
    await modelCache.clear();
    featurizerCache.clear();
  },

  async saveModel(k) {
    const { bytes, size } = await wired('saving the segments model', () => runner.saveModel(k));
    return Comlink.transfer({ bytes, size, name: `${logBase()}.seqlens` }, [bytes.buffer as ArrayBuffer]);
  },
  applyModel,
  cancelApply: () => slots.encode.cancel(),

  cluster,
  cancelCluster: () => cancelFrom('cluster'),
  trainGcn,
  stopGcn() {
    if (slots.gcn.busy && gcnStop) gcnStop.requested = true;
  },
  cancelGcn: () => cancelFrom('gcn'),
  project,
  cancelProject: () => slots.project.cancel(),

  // Copied, not transferred: the runner keeps the attributes for later calls.
  mapData: () => wired('reading the map data', () => runner.sweep().mapData()),
  profiles: (k) => wired('profiling the clusters', () => runner.sweep().profiles(k)),
  recommendations: (k, perCluster) => wired('recommending', () => runner.sweep().recommendations(k, perCluster)),
  userDetails: (index, k) => wired("reading the user's events", () => runner.sweep().userDetails(index, k)),

  async exportData(req) {
    let file = await wired('exporting', () => runner.sweep().exportData(req, loadPseudonymSecret));
    // A noised export spends its epsilon on this log: the running total is kept per log (best effort:
    // a browser without storage still exports, and the file states its own epsilon).
    if (file.privacy && typeof req.epsilon === 'number' && runner.log && kept) {
      const total = await recordPrivacySpend(runner.log.id, kept.name, req.epsilon).catch(() => null);
      if (total) file = { ...file, spent: { name: total.name, spent: total.spent, exports: total.exports } };
    }
    const { parts, ...rest } = file;
    return { ...rest, blob: new Blob(parts, { type: file.mime }) };
  },

  async exportParquet(req) {
    const file = await wired('exporting', () => runner.sweep().parquetFile(req, runner.encoded, loadPseudonymSecret));
    return Comlink.transfer(file, [file.bytes.buffer as ArrayBuffer]);
  },

  async privacySpent() {
    if (!runner.log) return null;
    const found = await privacySpent(runner.log.id).catch(() => null);
    return found ? { name: found.name, spent: found.spent, exports: found.exports } : null;
  },

  serviceItems: () => wired('finding the service lines', () => runner.serviceWire()),

  async setServiceItems(settings) {
    const log = runner.log;
    if (!log) throw { message: 'Open a file first, then review its service lines.', code: 'service-input' } satisfies WireError;
    let checked: ServiceSettings;
    try {
      checked = checkServiceSettings(settings);
    } catch (e) {
      if (e instanceof ServiceSettingsError) throw { message: e.message, code: 'service-input' } satisfies WireError;
      throw toWire(e, 'changing the service lines');
    }
    return wired('changing the service lines', async () => {
      runner.setServiceSettings(checked);
      const wire = runner.serviceWire();
      // Remembered with the saved log (best effort: the choice holds for this session either way).
      const why = await updateSavedServiceItems(log.id, checked);
      if (why) lastSaveError = why;
      return wire;
    });
  },

  storageReport: () => wired('listing stored data', () => storageReport(memoryStores)),

  wipeStorage: (what) =>
    wired('deleting stored data', async () => {
      // The embedding cache's memory front goes with its store, or it would serve (and re-save) the vectors.
      if (what === 'all' || what.ids.includes(EMBEDDINGS_ID)) await modelCache.clear();
      const report = await wipeStorage(what, memoryStores);
      if (what === 'all' || what.ids.includes(MODELS_ID)) installedCache.invalidate();
      return report;
    }),

  async listSaved() {
    await saving;
    return { analyses: await listAnalyses(), current: runner.log?.id ?? null, lastSaveError };
  },

  async reopen(id, onProgress, maxEvents) {
    const ticket = takeReadTicket();
    let saved: Awaited<ReturnType<typeof getAnalysis>>;
    try {
      saved = await getAnalysis(id);
    } catch (e) {
      releaseProxy(onProgress);
      throw toWire(e, 'reopening the analysis');
    }
    supersededWhileWaiting(ticket, onProgress);
    if (!saved || (!saved.file && !saved.demo)) {
      releaseProxy(onProgress);
      throw {
        message: saved
          ? `${saved.name} was too large to keep in the browser; open the file again.`
          : 'That analysis is no longer saved in this browser; open the file again.',
        code: 'unreadable',
      } satisfies WireError;
    }
    const req: AnalyzeRequest = {
      mapping: saved.mapping,
      sequence: saved.sequence as Partial<SequenceOptions>,
      maxEvents,
      // Its file is in the browser already (the user let it be kept).
      keepFile: true,
      ...(saved.dateOrder ? { dateOrder: saved.dateOrder } : {}),
    };
    if (saved.demo) return api.analyzeDemo(req, onProgress);
    return run({ file: saved.file!, name: saved.name }, req, onProgress);
  },

  async forgetSaved(id) {
    await wired('forgetting the analysis', () => forgetAnalysis(id));
    return { analyses: await listAnalyses(), current: runner.log?.id ?? null, lastSaveError };
  },

  async keepCurrentFile() {
    const log = runner.log;
    const source = kept;
    if (!log || !source) throw { message: 'Open a file first.', code: 'internal' } satisfies WireError;
    keepFileAllowed = true;
    await saving;
    saving = keepAnalysis(source, log);
    await saving;
    return { analyses: await listAnalyses(), current: log.id, lastSaveError };
  },
};

Comlink.expose(api);
