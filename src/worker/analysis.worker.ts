// Runs the pipeline off the main thread and keeps the last file and analysis, so remapping,
// regrouping and encoding never ask the page to send the file again. The encoder (transformers.js
// or the built-in featuriser) runs here too; a new file, a regroup or a new encode cancels the
// encode in flight. The K sweep runs on the vectors of the last finished encode (WebGPU for the
// assignment step where available); a new file, regroup, encode or sweep cancels it.
import * as Comlink from 'comlink';
import { analyzeStream, regroup as regroupAnalysis, type Analysis, type CancelToken } from '../pipeline/analyze';
import { ClusteringCancelledError, ClusteringInputError } from '../pipeline/cluster';
import { EncoderError, encodeSequences, MemoryEmbeddingCache, type EmbeddingCache } from '../pipeline/encode';
import { sequenceLabel } from '../pipeline/sequences';
import { LogError, type AnalysisReport, type RoleMapping, type SequenceOptions } from '../pipeline/types';
import { installModel, listModels, modelSpec, removeModel } from './catalog';
import { PersistentEmbeddingCache } from './embeddingStore';
import { getEmbedder } from './encoderRuntime';
import { runSweepJob } from './clusterJob';
import { openWorkerGpu } from './gpuRuntime';
import { FEATURIZER_ID } from './manifest';
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
  type ProgressCallback,
  type VectorProbe,
  type WireError,
} from './protocol';

interface Source {
  file: Blob;
  name: string;
}

/** The last successful analysis and the file it came from: what a cancel or error falls back to. */
let kept: (Source & { analysis: Analysis }) | null = null;
/** The last file that failed for want of a user or item column, to be mapped by hand. */
let unrecognised: Source | null = null;
let running: CancelToken | null = null;

async function run(source: Source, req: AnalyzeRequest, onProgress: ProgressCallback): Promise<AnalysisReport> {
  if (running) running.cancelled = true;
  // A new file makes the vectors being computed for the old one pointless, and their clusters.
  stopEncode();
  stopCluster();
  const token: CancelToken = { cancelled: false };
  running = token;
  // Progress is fire-and-forget: awaiting each round trip to the page would slow the read down.
  const progress: ProgressCallback = (p) => void Promise.resolve(onProgress(p)).catch(() => {});
  try {
    const analysis = await analyzeStream(source.file.stream(), {
      fileName: source.name,
      totalBytes: source.file.size,
      mapping: req.mapping,
      // A mapping the user chose before for this column layout, picked once the columns are known.
      mappingFor: req.mapping ? undefined : (d) => req.savedMappings?.[d.layoutKey],
      sequence: req.sequence,
      onProgress: progress,
      cancel: token,
    });
    // A pipeline that finished despite a late cancel must not replace what the page still shows.
    if (token.cancelled) throw new LogError('Cancelled.', 'cancelled');
    kept = { ...source, analysis };
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
  const message = e instanceof Error ? e.message : String(e);
  return { message: `Unexpected error while ${what}: ${message}`, code: 'internal' };
}

// ---- encoding ----

/** Vectors of real models persist in IndexedDB; the featuriser's are cheap and depend on the file (IDF), so memory only. */
const modelCache = new PersistentEmbeddingCache();
const featurizerCache = new MemoryEmbeddingCache(50_000);
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
  // New vectors are coming: a sweep of the old ones is pointless.
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
    if (!analysis) throw new EncoderError('Open a file first; its sequences are then encoded.', 'bad-options');
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
    // A regroup or another file since: these vectors belong to sequences no longer on screen.
    if (token.cancelled || kept?.analysis !== analysis) throw new EncoderError('Encoding was cancelled.', 'cancelled');
    if (cache === modelCache && modelCache.stats.writeFailed) {
      notes.push(`The embedding cache could not be saved in this browser (${modelCache.stats.writeFailed}); it lasts until the page is closed.`);
    }
    const label = spec.manifest?.label ?? spec.installed?.label ?? (loaded.embedder.kind === 'featurizer' ? 'Built-in featuriser' : req.model);
    encoded = { analysis, vectors: result.vectors, n: result.count, d: result.dims, model: result.encoder.model, label, zeroVectors: result.zeroVectors };
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
      cache: { fromDisk: cache === modelCache ? modelCache.stats.loaded : 0, persistent: cache === modelCache && !modelCache.stats.writeFailed, writeFailed: cache === modelCache ? modelCache.stats.writeFailed : null },
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
let encoded: { analysis: Analysis; vectors: Float32Array; n: number; d: number; model: string; label: string; zeroVectors: number } | null = null;
let clustering: { token: CancelToken; finished: Promise<unknown> } | null = null;

function stopCluster(): void {
  if (clustering) clustering.token.cancelled = true;
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
    const result = await runSweepJob(vectors.vectors, vectors.n, vectors.d, {
      kMin: req.kMin,
      kMax: req.kMax,
      device: req.device,
      seeds: req.seeds,
      openGpu: openWorkerGpu,
      onProgress: progress,
      cancel: token,
      source: { stage: 'encoder', model: vectors.model, label: vectors.label, zeroVectors: vectors.zeroVectors },
    });
    // Vectors replaced (a new encode, file or regroup) while it ran: these clusters are for sequences no longer on screen.
    if (token.cancelled || encoded !== vectors) throw new ClusteringCancelledError();
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
    return run({ file, name: DEMO_FILE_NAME }, req, onProgress);
  },

  async remap(which, mapping, sequence, onProgress) {
    const target = which === 'unrecognised' ? unrecognised : kept;
    if (!target) {
      releaseProxy(onProgress);
      throw { message: 'Open a file first, then choose its column roles.', code: 'internal' } satisfies WireError;
    }
    return run(target, { mapping, sequence }, onProgress);
  },

  async regroup(sequence: SequenceOptions) {
    if (!kept) throw { message: 'Open a file first, then change how it is grouped.', code: 'internal' } satisfies WireError;
    stopEncode();
    stopCluster();
    try {
      kept.analysis = regroupAnalysis(kept.analysis, sequence);
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
};

Comlink.expose(api);
