// The whole data path, in one place. A log goes through these stages, each in its own folder:
//
//   read      ingest/ + sequences.ts   the file -> an event table -> sequences (per user or session)
//   encode    encode/                  item texts -> vectors -> one vector per sequence
//   gcn       graph/ + gcn/            sequences and items as a graph -> LightGCN vectors (optional)
//   cluster   cluster/                 a K sweep of k-means on the encoder's or the GCN's vectors
//   project   project/                 UMAP of the clustered vectors to 2-D
//   profile   profile/ + catalog/      per cluster: funnel, revenue, top items... (service lines out)
//   recommend recommend/               per user: new and again lists; per cluster: top items
//   export    export/                  assignments, profiles, recommendations as CSV or JSON
//
// The runner keeps each stage's result with the input it was made from: a new log (or a regroup)
// drops everything after it, a new encode drops the graph network and the sweep, a new sweep
// drops the map. Each slow stage's result is keyed by a hash of its input's key and its own
// settings (stableKey), so the browser can keep it (ResultStore) and never serve a stale one.
//
// The worker (src/worker/analysis.worker.ts) and the CLI (src/cli/analyze.ts) drive this same
// object; what only a browser has (IndexedDB, nested workers, WebGPU) is injected (RunnerEnv).
// Cancellation: each stage takes an AbortSignal (see cancel.ts for the stages' CancelToken).

import { analyzeSource, regroup, type Analysis, type SourceOptions } from '../analyze';
import {
  detectServiceItems,
  DEFAULT_SERVICE_SETTINGS,
  resolveServiceItems,
  type ServiceDetection,
  type ServiceResolution,
  type ServiceSettings,
} from '../catalog';
import { ClusteringCancelledError } from '../cluster';
import {
  EncoderError,
  encodeSequences,
  type EmbeddingCache,
  type EncodeMode,
  type EncodeProgress,
  type EventWeights,
  type SequenceEncoding,
  type TextEmbedder,
} from '../encode';
import {
  embedItemTexts,
  GcnError,
  itemVectorsByItem,
  normalizeRows,
  resolveGcnOptions,
  runGcn,
  type GcnProgress,
  type GcnResult,
  type ItemTextVectors,
  type RunGcnOptions,
} from '../gcn';
import type { LightgcnKernels } from '../gcn/propagate';
import { nnz } from '../graph/csr';
import type { ByteSource } from '../ingest/parts';
import type { EventTable } from '../ingest/table';
import type { HelperThreads } from '../threads';
import { LogError, sameSequenceOptions, type AnalysisReport, type SequenceOptions } from '../types';
import { tokenOf } from './cancel';
import { runSweepJob, type OpenGpu } from './clusterJob';
import type { ClusterProgressWire, ClusterRequest, ClusterResult, GcnGraphWire, GcnResultWire, ServiceItemsWire, WireError } from './contract';
import { SweptClusters } from './mapJob';
import { noResultStore, stableKey, type ResultStore } from './resultStore';
import { DEFAULT_ENCODER_KIND, type EncoderKind } from './constants';
import type { SeqBertModel, SeqBertOptions, SeqBertProgress, SeqBertReport } from '../seqbert';
import type { Whitening } from '../seqbert/whiten';
import { applySegmentSpace, fitSegmentSpace, segmentDims, type SegmentSpace, type TasteCheck } from '../seqbert/segmentSpace';
import type { DriftReport } from '../drift';
import type { AppliedModel } from '../model/apply';
import type { SavedModel } from '../model/types';
import { ModelFileError } from '../model/errors';

/** Where the graph network propagates, and why (see RunnerEnv.gcnKernels). */
export interface GcnPath {
  kernels: (LightgcnKernels & { release(): void }) | null;
  reason: string;
  adapter: string | null;
}

/** What the runner is given by its host: the browser's or Node's. */
export interface RunnerEnv {
  /** Helper threads for reading large files and for the K sweep; null: this thread only. */
  threads?: HelperThreads | null;
  /**
   * Helper threads for the behaviour BERT's embedding, where tfjs's wasm backend runs on one thread
   * (Node: the CLI). The browser's wasm has threads of its own: absent there.
   */
  embedThreads?: HelperThreads | null;
  /** Where slow stages' results are kept between sessions (IndexedDB); default: nowhere. */
  store?: ResultStore;
  /** Opens WebGPU for the sweep's assignment step; absent (Node): the CPU. */
  openGpu?: OpenGpu | null;
  /** The graph network's kernels for a device choice and model; absent: the CPU. */
  gcnKernels?: (device: 'auto' | 'cpu' | 'gpu', model: string) => Promise<GcnPath>;
}

/** The log on screen: its sequences and their identity (the root of every later stage's key). */
export interface LogState {
  analysis: Analysis;
  /** The file's identity (the browser's saved-analysis id; '' in the CLI). */
  id: string;
  /** Hash of the file and every setting the sequences depend on. */
  key: string;
}

/** The vectors of the last finished encode, with the log they belong to. */
export interface Encoded {
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
  /** The item texts' vectors (the evaluation's encoder baseline). */
  itemTexts: ItemTextVectors;
  /** The text encoder's own sequence encoding (with 'seqbert', its report says what gave the item features). */
  encoding: SequenceEncoding;
  /** Which encoder made `vectors`. */
  kind: EncoderKind;
  /** With kind 'seqbert': the trained model and its report; `vectors` are its int8 embeddings. */
  seqbert: SeqBertEncoded | null;
  /**
   * With kind 'seqbert', when what customers buy joins how they shop (seqbert/segmentSpace.ts):
   * what the sweep clusters. Null: `vectors` themselves (other kinds, no groups by what they buy,
   * saved models without a space).
   */
  segments: SegmentVectors | null;
  /** With kind 'seqbert' fitted on this log: the grouping test on what customers buy (null: not run, e.g. a saved model's space). */
  tasteCheck: TasteCheck | null;
  /** What encode() was asked (a saved model keeps the weights, half-life and mode). */
  request?: EncodeStageRequest;
}

/** Customers in the segment space: n x d, and the fitted space that placed them there. */
export interface SegmentVectors {
  vectors: Float32Array;
  d: number;
  space: SegmentSpace;
}

/** The behaviour BERT of an encode: its sequence vectors are Encoded.vectors, its item rows Encoded.items. */
export interface SeqBertEncoded {
  model: SeqBertModel;
  report: SeqBertReport;
  /** The options it was trained with (as asked; the stage's defaults fill the rest). */
  options: Partial<SeqBertOptions>;
  /** The text encoder whose item vectors were the item features (its model id, or 'featurizer'). */
  itemFeatures: string;
  /** Training and embedding, the text encoder's part left out. */
  seconds: number;
  /** Trained here now, taken from the result store (trained before on this log), or loaded from a model file. */
  source: 'trained' | 'restored' | 'file';
  /** Why the trained model could not be kept in the result store, if it could not. */
  saveError?: string | null;
  /** The whitening `vectors` were given (null: none; absent: restored from a store entry without it). */
  whitening?: Whitening | null;
}

/** The behaviour BERT as kept in the result store: the model as serialize.ts bytes, its vectors and item rows. */
interface CachedSeqBert {
  model: Uint8Array;
  vectors: Float32Array;
  items: Float32Array;
  d: number;
  zeroVectors: number;
  label: string;
  options: Partial<SeqBertOptions>;
  itemFeatures: string;
  seconds: number;
  whitening?: Whitening | null;
}

/** What encode() asks for: the text encoder's settings, and which encoder makes the sequence vectors. */
export interface EncodeStageRequest {
  model?: string;
  mode?: EncodeMode;
  weights?: Partial<EventWeights>;
  halfLifeDays?: number;
  /** Default DEFAULT_ENCODER_KIND. 'text' and 'featurizer' both use the embedder given (the caller picks it). */
  kind?: EncoderKind;
  /** The behaviour BERT's options (kind 'seqbert'). */
  seqbert?: Partial<SeqBertOptions>;
}

/** The last finished training: L2-normalised sequence vectors for the sweep, raw ones for recommendations. */
export interface Trained {
  from: Encoded;
  /** Hash of the encode's key and the training settings. */
  key: string;
  vectors: Float32Array;
  d: number;
  layers: number;
  epochs: number;
  users: Float32Array;
  items: Float32Array;
}

/** A training as kept in the result store. */
interface CachedGcn {
  vectors: Float32Array;
  users: Float32Array;
  items: Float32Array;
  d: number;
  layers: number;
  epochs: number;
  wire: GcnResultWire;
}

export interface StageCall<P> {
  signal?: AbortSignal;
  onProgress?: (p: P) => void;
}

const encodeCancelled = (): EncoderError => new EncoderError('Encoding was cancelled.', 'cancelled');

/** The behaviour BERT's errors as the encode stage's (one error mapping: errors.ts knows EncoderError). */
function asEncoderError(e: unknown): unknown {
  if (!(e instanceof Error) || e.name !== 'SeqBertError') return e;
  const code = (e as Error & { code: string }).code;
  return new EncoderError(e.message, code === 'cancelled' ? 'cancelled' : code === 'bad-options' || code === 'bad-input' ? 'bad-options' : 'embed-failed');
}
/** A model file that cannot be read: what is wrong (SeqBertError's words) and what to do. */
function modelFileError(e: unknown): unknown {
  if (!(e instanceof Error) || e.name !== 'SeqBertError') return e;
  return new EncoderError(
    `${e.message} Choose a .seqbert file saved by SeqLens ("Save behaviour model") with this version, or train the behaviour model on this log instead.`,
    'model-corrupt',
  );
}

/** What the sweep clusters with the encoder's vectors: the segment space's, else the encoder's own. */
export function clusteredVectors(encoded: Pick<Encoded, 'vectors' | 'd' | 'segments'>): { vectors: Float32Array; d: number } {
  return encoded.segments ?? encoded;
}

/** The cluster result's word on the segment space (none without one). */
function tasteOf(encoded: Encoded): { taste?: ClusterResult['source']['taste'] } {
  const s = encoded.segments?.space;
  const c = encoded.tasteCheck;
  if (!s && !c) return {};
  return {
    taste: {
      used: s !== undefined,
      gain: c ? c.gain : null,
      threshold: c ? c.threshold : null,
      behaviourDims: s ? s.behaviourColumns.length : encoded.d,
      axes: s ? s.tasteAxes : 0,
      weight: s ? s.tasteWeight : 0,
    },
  };
}

/**
 * The BERT's sequence vectors (n x d) and the text encoder's (`text`, the encode before the BERT)
 * in the segment space: `given` places them in a saved one, null keeps the BERT's alone (a saved
 * model without a space), absent fits one on this log (which may find no groups by what they buy).
 */
function segmentVectors(
  vectors: Float32Array,
  d: number,
  text: Encoded,
  given: SegmentSpace | null | undefined,
): { segments: SegmentVectors | null; tasteCheck: TasteCheck | null } {
  if (given === null) return { segments: null, tasteCheck: null };
  const n = text.n;
  let space: SegmentSpace | null = given ?? null;
  let tasteCheck: TasteCheck | null = null;
  if (!space) {
    const fitted = fitSegmentSpace(vectors, d, text.vectors, text.d, n);
    tasteCheck = fitted.check;
    if (!fitted.space) return { segments: null, tasteCheck };
    space = fitted.space;
  }
  if (space.behaviourDims !== d || space.tasteDims !== text.d) {
    throw new EncoderError(
      `This model's segments were made from ${space.behaviourDims} + ${space.tasteDims} numbers per customer, but the encoders here give ${d} + ${text.d}. ` +
        'Choose the text model it was made with under "Model", or cluster this log afresh.',
      'model-wrong-layout',
    );
  }
  return { segments: { vectors: applySegmentSpace(space, vectors, text.vectors, n), d: segmentDims(space), space }, tasteCheck };
}

/**
 * The model with its item rows (the learned correction, float32 and int8) laid out for `table`'s
 * items, matched by id (an item it never saw gets no correction, only its text projection), and
 * the table's vocabulary: what rank.ts's per-item functions need for a model of another log.
 */
export function alignModelItems(model: SeqBertModel, table: EventTable): SeqBertModel {
  const v = model.vocab;
  const same = v.itemIds.length === table.items.length && v.itemIds.every((id, i) => id === table.items[i]);
  const vocab = { itemIds: table.items.slice(), typeNames: table.typeNames.slice(), itemDims: v.itemDims };
  if (same) return { ...model, vocab };
  const index = new Map(v.itemIds.map((id, i) => [id, i]));
  const rowsOf = <T extends Float32Array | Int8Array>(data: T, h: number, make: (n: number) => T): T => {
    const out = make(table.items.length * h);
    table.items.forEach((id, i) => {
      const k = index.get(id);
      if (k !== undefined) out.set(data.subarray(k * h, (k + 1) * h), i * h);
    });
    return out;
  };
  return {
    ...model,
    vocab,
    weights: model.weights.map((w) =>
      w.name === 'item.delta' ? { ...w, shape: [table.items.length, w.shape[1]], data: rowsOf(w.data, w.shape[1], (n) => new Float32Array(n)) } : w,
    ),
    // Per-column scales: rows move freely.
    quantized: model.quantized.map((q) =>
      q.name === 'item.delta' ? { ...q, shape: [table.items.length, q.shape[1]], q: rowsOf(q.q, q.shape[1], (n) => new Int8Array(n)) } : q,
    ),
  };
}

const gcnCancelled = (): GcnError => new GcnError('Training the graph network was cancelled.', 'cancelled');

/**
 * k-means++ starts per run of the sweep on the behaviour BERT's (whitened) vectors. Their segments
 * differ along a few of many unit-variance axes, so few starts often settle in a split-and-merge
 * local optimum: on generated behaviour logs (1,200 users, K = planted, 20 trained models) the best
 * of 3 starts (the sweep's 3 seeds x 1) gave ARI 0.85 on average, the best of 30 (3 x 10) 0.92.
 * About 200k point-starts per run bounds the extra time: 10 starts up to 20k sequences, fewer
 * above, 1 from 400k.
 */
export function behaviourRestarts(n: number): number {
  return Math.max(1, Math.min(10, Math.round(200_000 / Math.max(1, n))));
}
const readCancelled = (): LogError => new LogError('Cancelled.', 'cancelled');

/**
 * Key of the sequences read from file `id`: its mapping and options, and a day/month order the user
 * set (it changes the times; left out otherwise, so the keys of earlier saved results still match).
 */
export function sequencesKey(id: string, report: AnalysisReport): Promise<string> {
  const order = report.detection.dateOrder;
  return stableKey(id, report.detection.mapping, report.options, ...(order?.how === 'set' ? [{ dateOrder: order.order }] : []));
}

export class PipelineRunner {
  private readonly store: ResultStore;
  private current: LogState | null = null;
  private encodedState: Encoded | null = null;
  private trainedState: Trained | null = null;
  private sweptState: SweptClusters | null = null;
  /** The last saved model applied, with the log it was applied to (drift() reads it). */
  private appliedState: { analysis: Analysis; drift: DriftReport } | null = null;
  /** Service-line choices for the log on screen, and a version that changes with them. */
  private service: { settings: ServiceSettings; version: number } = { settings: DEFAULT_SERVICE_SETTINGS, version: 0 };
  /** Detection depends on the table only (not on grouping): once per table read. */
  private readonly detections = new WeakMap<EventTable, ServiceDetection>();
  private resolved: { table: EventTable; settings: ServiceSettings; r: ServiceResolution } | null = null;

  constructor(private readonly env: RunnerEnv = {}) {
    this.store = env.store ?? noResultStore;
  }

  get log(): LogState | null {
    return this.current;
  }
  get encoded(): Encoded | null {
    return this.encodedState;
  }
  get trained(): Trained | null {
    return this.trainedState;
  }
  get swept(): SweptClusters | null {
    return this.sweptState;
  }

  // ---- read: file -> table -> sequences ----

  /** Reads a log (a large one in parts on the helper threads). Nothing changes until use() adopts it. */
  async read(
    source: ByteSource,
    opts: Omit<SourceOptions, 'cancel' | 'threads'> & { threads?: HelperThreads | null },
    signal?: AbortSignal,
  ): Promise<Analysis> {
    const token = tokenOf(signal);
    const analysis = await analyzeSource(source, { ...opts, threads: opts.threads === undefined ? (this.env.threads ?? null) : opts.threads, cancel: token });
    // A pipeline that finished despite a late cancel must not replace what is on screen.
    if (token.cancelled) throw readCancelled();
    return analysis;
  }

  /** Makes `analysis` (of file `id`) the log on screen: every later stage's result is dropped. */
  async use(analysis: Analysis, id: string, service?: ServiceSettings): Promise<LogState> {
    const key = await sequencesKey(id, analysis.report);
    this.current = { analysis, id, key };
    this.encodedState = null;
    this.trainedState = null;
    this.sweptState = null;
    this.service = { settings: service ?? DEFAULT_SERVICE_SETTINGS, version: this.service.version + 1 };
    return this.current;
  }

  /** Groups the log's events again (no re-read); the later stages start over. */
  async regroup(sequence: SequenceOptions): Promise<LogState> {
    const log = this.requireLog('Open a file first, then change how it is grouped.', 'internal');
    const analysis = regroup(log.analysis, sequence);
    const key = await sequencesKey(log.id, analysis.report);
    this.current = { analysis, id: log.id, key };
    this.encodedState = null;
    this.trainedState = null;
    this.sweptState = null;
    return this.current;
  }

  // ---- service lines (catalog/): left out of profiles and recommendations ----

  get serviceSettings(): ServiceSettings {
    return this.service.settings;
  }

  /** Replaces the service-line choices (checked by the caller); the sweep's profiles follow. */
  setServiceSettings(settings: ServiceSettings): void {
    this.service = { settings, version: this.service.version + 1 };
    this.sweptState?.setExcludedItems(this.serviceMask());
  }

  /** The service lines in effect for the log on screen (null before a log is read). */
  serviceResolution(): ServiceResolution | null {
    const table = this.current?.analysis.ingested.table;
    if (!table) return null;
    const settings = this.service.settings;
    if (this.resolved && this.resolved.table === table && this.resolved.settings === settings) return this.resolved.r;
    let d: ServiceDetection | null = null;
    // Detection is only read in 'auto' mode (see resolveServiceItems).
    if (settings.mode === 'auto') {
      d = this.detections.get(table) ?? null;
      if (!d) {
        d = detectServiceItems(table);
        this.detections.set(table, d);
      }
    }
    const r = resolveServiceItems(table, d, settings);
    this.resolved = { table, settings, r };
    return r;
  }

  /** The item mask profiles and recommendations leave out (null when there is nothing to leave out). */
  serviceMask(): Uint8Array | null {
    const r = this.serviceResolution();
    return r && r.count > 0 ? r.mask : null;
  }

  serviceWire(): ServiceItemsWire {
    const r = this.serviceResolution();
    return {
      settings: this.service.settings,
      lines: r?.lines ?? [],
      unknown: r?.unknown ?? [],
      count: r?.count ?? 0,
      items: this.current?.analysis.ingested.table.items.length ?? 0,
      version: this.service.version,
    };
  }

  // ---- encode: sequences -> vectors ----

  /**
   * Encodes the sequences of the log on screen with `embedder`, and the item texts (the graph
   * network's item features). `flush` persists what the cache took in (after each part, even a
   * cancelled one); `onSequencesEncoded` runs between the two parts.
   */
  async encode(
    req: EncodeStageRequest,
    embedder: TextEmbedder,
    call: StageCall<EncodeProgress> & {
      cache?: EmbeddingCache;
      flush?: () => Promise<void>;
      onSequencesEncoded?: () => void;
      label?: string;
      /** The behaviour BERT's training progress (kind 'seqbert'). */
      onSeqBert?: (p: SeqBertProgress) => void;
      /** Ends the behaviour BERT's training after the current step, keeping the best model so far. */
      stop?: { requested: boolean };
      /** A saved behaviour BERT (see encodeWithModel): it embeds the sequences, nothing is trained. */
      withModel?: { model: SeqBertModel; hash: string };
      /** With withModel: whiten with this (a saved model's); null: do not whiten; absent: fit on this log. */
      whitening?: Whitening | null;
      /** With withModel: place customers in this segment space (a saved model's); null: none (the BERT's vectors); absent: fit on this log. */
      segmentSpace?: SegmentSpace | null;
    } = {},
  ): Promise<Encoded> {
    const log = this.requireLog('Open a file first; its sequences are then encoded.', null);
    const { analysis } = log;
    const token = tokenOf(call.signal);
    if (token.cancelled) throw encodeCancelled();
    let result: SequenceEncoding;
    try {
      result = await encodeSequences({ table: analysis.ingested.table, sequences: analysis.sequences }, embedder, {
        mode: req.mode,
        weights: req.weights,
        halfLifeDays: req.halfLifeDays,
        cache: call.cache,
        cancel: token,
        onProgress: call.onProgress,
      });
    } finally {
      // What was embedded is kept, even when cancelled half-way.
      await call.flush?.();
    }
    call.onSequencesEncoded?.();
    const itemTexts = await embedItemTexts(analysis.ingested.table, analysis.sequences, embedder, { cache: call.cache, cancel: token });
    // New item texts (sequence-as-text mode embeds none of them in the encode) are kept too.
    await call.flush?.();
    // A regroup or another file since: these vectors belong to sequences no longer on screen.
    if (token.cancelled || this.current?.analysis !== analysis) throw encodeCancelled();
    const kind = req.kind ?? DEFAULT_ENCODER_KIND;
    const textKey = { model: req.model, mode: req.mode, weights: req.weights, halfLifeDays: req.halfLifeDays };
    // The text encoder's keys stay as they were, so results saved before the BERT existed still match.
    const key = await stableKey(
      log.key,
      'encode',
      kind === 'seqbert' ? { ...textKey, kind, ...(call.withModel ? { modelFile: call.withModel.hash } : { seqbert: req.seqbert ?? {} }) } : textKey,
    );
    const label = call.label ?? result.encoder.model;
    let encoded: Encoded = {
      analysis,
      key,
      vectors: result.vectors,
      n: result.count,
      d: result.dims,
      model: result.encoder.model,
      label,
      zeroVectors: result.zeroVectors,
      items: itemVectorsByItem(itemTexts),
      itemDims: itemTexts.dims,
      itemTexts,
      encoding: result,
      kind,
      seqbert: null,
      segments: null,
      tasteCheck: null,
      request: req,
    };
    if (kind === 'seqbert') {
      encoded = await this.encodeSeqBert(encoded, req.seqbert ?? {}, call);
      if (token.cancelled || this.current?.analysis !== analysis) throw encodeCancelled();
    }
    this.encodedState = encoded;
    this.trainedState = null;
    this.sweptState = null;
    return encoded;
  }

  /**
   * The behaviour BERT on the sequences, the text encoder's item vectors as its item features; the
   * result's sequence vectors are its int8 embeddings and its item rows the graph network's item
   * features (both `hidden` wide). Loaded on first use: the page does not carry tfjs otherwise.
   * A model trained before on this log with these settings comes from the result store (as bytes,
   * serialize.ts), with its vectors: nothing is trained. A trained one is kept there, unless the
   * user stopped it (then it is not what these settings give). With `withModel` (a saved model
   * file), the model embeds this log's sequences as it is.
   */
  private async encodeSeqBert(
    text: Encoded,
    options: Partial<SeqBertOptions>,
    call: {
      signal?: AbortSignal;
      onSeqBert?: (p: SeqBertProgress) => void;
      stop?: { requested: boolean };
      withModel?: { model: SeqBertModel; hash: string };
      whitening?: Whitening | null;
      segmentSpace?: SegmentSpace | null;
    },
  ): Promise<Encoded> {
    const t0 = performance.now();
    const { analysis } = text;
    const input = { table: analysis.ingested.table, sequences: analysis.sequences, itemVectors: text.items, itemDims: text.itemDims };
    const itemFeatures = text.encoding.encoder.kind === 'featurizer' ? 'featurizer' : text.model;
    const label = `Behaviour BERT (item features: ${text.label})`;
    const adopt = (
      model: SeqBertModel,
      vectors: Float32Array,
      items: Float32Array,
      d: number,
      zeroVectors: number,
      seqbert: Omit<SeqBertEncoded, 'model' | 'report'>,
    ): Encoded => ({
      ...text,
      vectors,
      d,
      model: 'seqbert',
      label,
      zeroVectors,
      items,
      itemDims: d,
      seqbert: { model, report: model.report, ...seqbert },
      ...segmentVectors(vectors, d, text, call.withModel ? call.segmentSpace : undefined),
    });
    try {
      const { deserializeModel, serializeModel } = await import('../seqbert/serialize');
      if (!call.withModel) {
        const hit = await this.store.get<CachedSeqBert>(text.key);
        if (hit) {
          const model = deserializeModel(hit.model);
          return adopt(model, hit.vectors, hit.items, hit.d, hit.zeroVectors, {
            options: hit.options,
            itemFeatures: hit.itemFeatures,
            seconds: (performance.now() - t0) / 1000,
            source: 'restored',
            ...(hit.whitening !== undefined ? { whitening: hit.whitening } : {}),
          });
        }
      }
      const { trainSeqBert, embedSequences, initBackend } = await import('../seqbert');
      const { itemRows } = await import('../seqbert/rank');
      let model: SeqBertModel;
      if (call.withModel) {
        model = call.withModel.model;
        if (model.vocab.itemDims !== text.itemDims) {
          throw new EncoderError(
            `This behaviour model was trained with item vectors of ${model.vocab.itemDims} numbers, but the text model in use (${text.label}) gives ${text.itemDims}. ` +
              'Choose the text model it was trained with under "Model", or train a new behaviour model on this log.',
            'model-wrong-layout',
          );
        }
        // The backend the worker asks for (a fresh page has none running yet).
        await initBackend(options.backend ?? 'auto', options.wasmPaths ?? null, options.wasmThreads ?? true);
      } else {
        model = await trainSeqBert(input, options, { signal: call.signal, onProgress: call.onSeqBert, stop: call.stop });
      }
      const given = call.withModel ? call.whitening : undefined;
      const embedded = await embedSequences(model, input, {
        quantized: true,
        helpers: this.env.embedThreads ?? null,
        ...(given === null ? { whiten: false } : given ? { whitening: given } : {}),
      });
      // Item rows are per table item: a model of another log is matched to this one's items by id first.
      const items = await itemRows(call.withModel ? alignModelItems(model, input.table) : model, input, { quantized: true });
      const d = embedded.dims;
      let zeroVectors = 0;
      for (let r = 0; r < embedded.count; r++) {
        let any = false;
        for (let j = 0; j < d && !any; j++) any = embedded.vectors[r * d + j] !== 0;
        if (!any) zeroVectors++;
      }
      const seconds = (performance.now() - t0) / 1000;
      const encoded = adopt(model, embedded.vectors, items, d, zeroVectors, {
        options,
        itemFeatures,
        seconds,
        source: call.withModel ? 'file' : 'trained',
        whitening: embedded.whitening ?? null,
      });
      // Kept with the analysis (reloading the page restores it), unless stopped by the user or from a file.
      if (!call.withModel && model.report.stopReason !== 'stop' && this.current?.id && !call.signal?.aborted) {
        encoded.seqbert!.saveError = await this.store.put(text.key, 'encode', this.current.id, {
          model: serializeModel(model),
          vectors: embedded.vectors,
          items,
          d,
          zeroVectors,
          label,
          options,
          itemFeatures,
          seconds,
          whitening: embedded.whitening ?? null,
        } satisfies CachedSeqBert);
      }
      return encoded;
    } catch (e) {
      throw asEncoderError(e);
    }
  }

  /**
   * Encodes the sequences on screen with a saved behaviour BERT (`bytes`: a model file of
   * serialize.ts), without training: items are matched by id and event types by name. A file that
   * is not such a model, or of another format, fails before anything on screen changes.
   */
  async encodeWithModel(
    bytes: Uint8Array,
    req: EncodeStageRequest,
    embedder: TextEmbedder,
    call: Parameters<PipelineRunner['encode']>[2] = {},
  ): Promise<Encoded> {
    let model: SeqBertModel;
    try {
      const { deserializeModel } = await import('../seqbert/serialize');
      model = deserializeModel(bytes);
    } catch (e) {
      throw modelFileError(e);
    }
    const hash = await stableKey(Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes.slice()))));
    return this.encode({ ...req, kind: 'seqbert' }, embedder, { ...call, withModel: { model, hash } });
  }

  /** The behaviour BERT of the vectors on screen as a model file (serialize.ts bytes), or a message saying what to do first. */
  async seqBertModelFile(): Promise<Uint8Array> {
    const e = this.encodedState;
    if (!e?.seqbert || e.analysis !== this.current?.analysis)
      throw new EncoderError('No behaviour model has made the vectors on screen: choose "How they shop" and let it train first.', 'bad-options');
    const { serializeModel } = await import('../seqbert/serialize');
    return serializeModel(e.seqbert.model);
  }

  // ---- gcn: graph of sequences and items -> LightGCN vectors ----

  /**
   * Trains the graph network from the last encode's vectors. `key` is what the result is saved
   * under besides the encode (the request as the user made it); `stop.requested` ends training
   * after the current epoch, keeping what it has (such a result is not saved).
   */
  async gcn(
    options: RunGcnOptions,
    call: StageCall<{ stage: 'graph' | 'train'; graph: GcnGraphWire; epoch: number; epochs: number; loss: number; ms: number }> & {
      device?: 'auto' | 'cpu' | 'gpu';
      key?: unknown;
      stop?: { requested: boolean };
    },
  ): Promise<{ wire: GcnResultWire; trained: Trained }> {
    const t0 = performance.now();
    const token = tokenOf(call.signal);
    const from = this.encodedState;
    if (!from || from.analysis !== this.current?.analysis) {
      throw { message: 'Encode the sequences first: the graph network starts from their vectors.', code: 'gcn-input' } satisfies WireError;
    }
    const key = await stableKey(from.key, 'gcn', call.key ?? options);
    const hit = await this.store.get<CachedGcn>(key);
    if (token.cancelled || this.encodedState !== from) throw gcnCancelled();
    if (hit) {
      // Trained before on this log with these settings: the same seeded training, so the same vectors.
      const trained: Trained = { from, key, vectors: hit.vectors, d: hit.d, layers: hit.layers, epochs: hit.epochs, users: hit.users, items: hit.items };
      this.adoptTraining(trained);
      return { wire: { ...hit.wire, seconds: (performance.now() - t0) / 1000, restored: true }, trained };
    }
    if (from.itemDims !== from.d)
      throw new GcnError(`The encoder's item vectors have ${from.itemDims} dimensions, its sequence vectors ${from.d}.`, 'bad-input');
    const { graph: _graph, ...gcnOptions } = options;
    const { model, epochs } = resolveGcnOptions(gcnOptions);
    const path: GcnPath = this.env.gcnKernels ? await this.env.gcnKernels(call.device ?? 'auto', model) : { kernels: null, reason: 'CPU', adapter: null };
    const stop = call.stop ?? { requested: false };
    let graph: GcnGraphWire | null = null;
    let r: GcnResult;
    try {
      r = await runGcn(from.analysis.ingested.table, from.analysis.sequences, { dims: from.d, users: from.vectors, items: from.items }, options, {
        gpu: path.kernels,
        cancel: token,
        stop,
        onGraph: (g, buildMs) => {
          graph = { nodes: g.nodes, edges: nnz(g.adj), users: g.users, items: g.items, counts: g.counts, buildMs };
          call.onProgress?.({ stage: 'graph', graph, epoch: 0, epochs, loss: NaN, ms: 0 });
        },
        onProgress: (p: GcnProgress) => call.onProgress?.({ stage: 'train', graph: graph!, epoch: p.epoch, epochs: p.epochs, loss: p.loss, ms: p.ms }),
      });
    } finally {
      path.kernels?.release();
    }
    if (token.cancelled || this.encodedState !== from) throw gcnCancelled();
    const o = r.stats.options;
    const trained: Trained = {
      from,
      key,
      vectors: normalizeRows(r.userVectors, r.dims),
      d: r.dims,
      layers: o.layers,
      epochs: r.report.epochs,
      users: r.userVectors,
      items: r.itemVectors,
    };
    this.adoptTraining(trained);
    const g: GcnGraphWire = graph!;
    const wire: GcnResultWire = {
      report: r.report,
      pathReason: r.stats.fallback ? `WebGPU failed part-way; the CPU took over` : path.reason,
      fallback: r.stats.fallback,
      adapter: path.adapter,
      graph: g,
      model: 'lightgcn',
      layers: o.layers,
      hidden: o.hidden,
      stoppedEarly: r.stats.stoppedEarly,
      stoppedByUser: stop.requested,
      msPerEpoch: r.stats.msPerEpoch,
      seconds: (performance.now() - t0) / 1000,
      encoder: { model: from.model, label: from.label },
    };
    // A training the user stopped is not what these settings give: it is not kept.
    if (!stop.requested && this.current) {
      wire.saveError = await this.store.put(key, 'gcn', this.current.id, {
        vectors: trained.vectors,
        users: trained.users,
        items: trained.items,
        d: trained.d,
        layers: trained.layers,
        epochs: trained.epochs,
        wire,
      } satisfies CachedGcn);
    }
    return { wire, trained };
  }

  private adoptTraining(t: Trained): void {
    this.trainedState = t;
    this.sweptState = null;
  }

  // ---- cluster: K sweep of k-means ----

  /**
   * The vectors a sweep of `which` would cluster, or a message saying what to do first. `stage` is
   * what is really clustered: with the behaviour BERT (kind 'seqbert') always its own sequence
   * vectors, the graph network on or off, since LightGCN's propagation over user-item edges brings
   * taste back and erases the behaviour segments (docs/benchmarks.md, "Behaviour BERT": ARI 0.00
   * after the GCN). `trained` is the graph network asked for (null with 'encoder'): its user and item
   * vectors still rank each cluster's recommended items.
   */
  clusterInput(which: 'encoder' | 'gcn' = 'encoder'): {
    vectors: Float32Array;
    n: number;
    d: number;
    encoded: Encoded;
    trained: Trained | null;
    stage: 'encoder' | 'gcn';
  } {
    const encoded = this.encodedState;
    if (!encoded || encoded.analysis !== this.current?.analysis) {
      throw { message: 'Encode the sequences first: the clusters are made from their vectors.', code: 'cluster-input' } satisfies WireError;
    }
    const trained = which === 'gcn' ? this.trainedState : null;
    if (which === 'gcn' && (!trained || trained.from !== encoded)) {
      throw { message: 'Train the graph network first: the clusters are made from its vectors.', code: 'cluster-input' } satisfies WireError;
    }
    if (trained && encoded.kind !== 'seqbert') return { vectors: trained.vectors, n: encoded.n, d: trained.d, encoded, trained, stage: 'gcn' };
    const { vectors, d } = clusteredVectors(encoded);
    return { vectors, n: encoded.n, d, encoded, trained, stage: 'encoder' };
  }

  /** Sweeps K over the encoder's or the graph network's vectors; the result's labels are the caller's to keep. */
  async cluster(req: ClusterRequest, call: StageCall<ClusterProgressWire> = {}): Promise<ClusterResult> {
    const token = tokenOf(call.signal);
    const input = this.clusterInput(req.vectors ?? 'encoder');
    const { encoded, trained } = input;
    // Made from the graph network's vectors (not the behaviour BERT's, which are clustered as they are).
    const fromGcn = input.stage === 'gcn' ? trained : null;
    const stale = (): boolean => token.cancelled || this.encodedState !== encoded || (trained !== null && this.trainedState !== trained);
    // The threads mode changes no result; it is in the key so that forcing it (a diagnostic) really runs.
    // The BERT's vectors give the same sweep whether or not a graph network trained beside them.
    const behaviour = !fromGcn && encoded.model === 'seqbert';
    const restarts = behaviour ? behaviourRestarts(input.n) : undefined;
    // On whitened vectors every silhouette is near 0 and the highest lands on the largest K (15 of
    // 2..15 on a 4-segment behaviour log); the variance ratio picked 3-8 on 4- and 6-segment logs.
    const suggestBy = behaviour ? ('calinski-harabasz' as const) : undefined;
    const key = await stableKey(fromGcn ? fromGcn.key : encoded.key, 'sweep', {
      kMin: req.kMin,
      kMax: req.kMax,
      device: req.device,
      seeds: req.seeds ?? null,
      vectors: input.stage,
      ...(restarts ? { restarts, suggestBy } : {}),
      // Sweeps saved before the segment space existed clustered the BERT's vectors alone and carry
      // no grouping test: neither is restored for a log the test has now seen.
      ...(!fromGcn && encoded.segments ? { segmentSpace: { taste: encoded.segments.space.tasteWeight, d: encoded.segments.d } } : {}),
      ...(!fromGcn && !encoded.segments && encoded.tasteCheck ? { tasteTested: true } : {}),
      ...(req.threads && req.threads !== 'auto' ? { threads: req.threads } : {}),
    });
    const hit = await this.store.get<ClusterResult>(key);
    if (stale()) throw new ClusteringCancelledError();
    const result: ClusterResult = hit
      ? { ...hit, restored: true, seconds: 0 }
      : await runSweepJob(input.vectors, input.n, input.d, {
          kMin: req.kMin,
          kMax: req.kMax,
          device: req.device,
          seeds: req.seeds,
          restarts,
          suggestBy,
          openGpu: this.env.openGpu,
          threads: req.threads === 'off' ? null : (this.env.threads ?? null),
          threadsMinPoints: req.threads === 'on' ? 0 : undefined,
          onProgress: call.onProgress,
          cancel: token,
          source: fromGcn
            ? {
                stage: 'gcn',
                model: encoded.model,
                label: encoded.label,
                zeroVectors: encoded.zeroVectors,
                gcn: { model: 'lightgcn', layers: fromGcn.layers, hidden: fromGcn.d, epochs: fromGcn.epochs },
              }
            : { stage: 'encoder', model: encoded.model, label: encoded.label, zeroVectors: encoded.zeroVectors, ...tasteOf(encoded) },
        });
    // Vectors replaced (a new encode, file or regroup) while it ran: these clusters are for sequences no longer on screen.
    if (stale()) throw new ClusteringCancelledError();
    // The runner keeps its own copy of the labels for profiles, recommendations and exports.
    const swept = new SweptClusters(
      encoded.analysis,
      input.vectors,
      input.n,
      input.d,
      result,
      result.labels.map((l) => l.slice()),
      trained ? { users: trained.users, items: trained.items, dims: trained.d } : null,
      this.current?.analysis.fileName ?? 'log',
      { key, analysis: this.current?.id ?? '' },
      this.store,
    );
    swept.setExcludedItems(this.serviceMask());
    swept.setThreads(this.env.threads ?? null);
    this.sweptState = swept;
    if (!hit && this.current?.id)
      result.saveError = await this.store.put(key, 'sweep', this.current.id, { ...result, labels: result.labels.map((l) => l.slice()) });
    return result;
  }

  // ---- saved models (.seqlens, model/): save the clustering on screen, apply one to a new log ----

  /** The clustering on screen at K as a .seqlens file (modelJob.ts), or a message saying what to do first. */
  async saveModel(k: number): Promise<{ bytes: Uint8Array; size: number }> {
    const swept = this.sweep();
    const encoded = this.encodedState;
    if (!encoded || encoded.analysis !== swept.analysis)
      throw { message: 'Encode and cluster the sequences first: the model is made from their segments.', code: 'project-input' } satisfies WireError;
    swept.labelsOf(k);
    const trained = this.trainedState && this.trainedState.from === encoded ? this.trainedState : null;
    const { modelFileOf } = await import('./modelJob');
    const { bytes } = await modelFileOf(encoded, swept, k, trained ? { dims: trained.d, data: trained.items } : null, this.service.settings);
    return { bytes, size: bytes.length };
  }

  /**
   * Applies a saved model (.seqlens bytes) to the log on screen, without training or a sweep: the
   * sequences (grouped as the model's were) are encoded with its settings and model, items matched
   * by id, and each goes to the nearest saved centre; with `update` the centres follow the new log
   * (model/update.ts). Afterwards sweep() is the applied clustering (one K: the saved one, its
   * segments named as saved) and drift() compares it with the model's log. A file that cannot be
   * used is a ModelFileError before anything on screen changes. `opts.saved`: the file as the
   * caller has already read it from these bytes (a big model takes a while to read twice).
   */
  async applyModel(
    bytes: Uint8Array,
    opts: { update?: boolean; saved?: SavedModel },
    embedder: TextEmbedder,
    call: StageCall<{ stage: string; fraction: number }> = {},
  ): Promise<AppliedModel> {
    const t0 = performance.now();
    const [{ readModelFile }, apply, { nearestCentres, updateCentres }, { customersOf }, { computeDrift }] = await Promise.all([
      import('../model/format'),
      import('../model/apply'),
      import('../model/update'),
      import('../model/build'),
      import('../drift'),
    ]);
    const saved = opts.saved ?? (await readModelFile(bytes));
    apply.checkEmbedder(saved, embedder);
    let log = this.requireLog('Open the new log first, then apply the saved model to it.', null);
    if (!sameSequenceOptions(log.analysis.report.options, saved.settings.sequence)) log = await this.regroup(saved.settings.sequence);
    const { analysis } = log;
    const { table } = analysis.ingested;
    this.setServiceSettings(saved.settings.service);
    const hash = await stableKey(Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes.slice()))));
    const { embedder: known, unseen, byPopularity } = apply.catalogueEmbedder(embedder, saved, table, `seqlens-${hash}`);
    const e = saved.settings.encoder;
    const req: EncodeStageRequest = {
      model: e.textModel,
      mode: e.mode,
      ...(saved.settings.weights ? { weights: saved.settings.weights } : {}),
      ...(saved.settings.halfLifeDays !== null ? { halfLifeDays: saved.settings.halfLifeDays } : {}),
      kind: e.kind,
      ...(e.seqbert ? { seqbert: e.seqbert } : {}),
    };
    call.onProgress?.({ stage: 'encode', fraction: 0 });
    let encoded: Encoded;
    if (saved.seqbert) {
      const { deserializeModel } = await import('../seqbert/serialize');
      const model = deserializeModel(saved.seqbert.bytes);
      encoded = await this.encode({ ...req, kind: 'seqbert' }, known, {
        signal: call.signal,
        withModel: { model, hash },
        whitening: saved.seqbert.whitening,
        segmentSpace: saved.seqbert.segmentSpace,
      });
    } else {
      encoded = await this.encode(req, known, { signal: call.signal });
    }
    const { k, d } = saved.clustering;
    const { vectors, d: here } = clusteredVectors(encoded);
    if (here !== d) {
      throw new ModelFileError(
        `This model's segments are in ${d} dimensions, but its encoder gave ${here} here. Save the model again with this version of SeqLens.`,
        'incompatible',
      );
    }
    call.onProgress?.({ stage: 'assign', fraction: 0.8 });
    const n = encoded.n;
    let centres = saved.clustering.centres;
    let labels: Int32Array;
    let update: AppliedModel['update'] = null;
    if (opts.update) {
      const u = updateCentres(vectors, n, d, centres, k, saved.clustering.sizes, saved.clustering.p95Distance);
      centres = u.centres;
      labels = u.labels;
      update = { shift: u.shift, proposal: u.proposal ? { size: u.proposal.size, share: u.proposal.share } : null };
    } else {
      labels = nearestCentres(vectors, n, d, centres, k).labels;
    }
    // A customer whose history did not change (same id, same vector) keeps their segment: the
    // same log gives the same segments even where the nearest centre would say otherwise (segments
    // made on the graph network's vectors, k-means' tolerance).
    const { ids, shortIds } = customersOf(analysis);
    const unchanged = apply.keepUnchanged(labels, vectors, d, ids, saved.clustering);
    const source = {
      stage: 'encoder' as const,
      model: encoded.model,
      label: `${encoded.label} · saved model of ${saved.meta.sourceFile}`,
      zeroVectors: encoded.zeroVectors,
      ...tasteOf(encoded),
    };
    const result = apply.appliedClusterResult(labels, vectors, n, d, centres, k, source, (performance.now() - t0) / 1000);
    const key = await stableKey(encoded.key, 'apply', { model: hash, update: opts.update === true });
    const swept = new SweptClusters(
      analysis,
      vectors,
      n,
      d,
      result,
      [labels.slice()],
      null,
      analysis.fileName,
      { key, analysis: this.current?.id ?? '' },
      this.store,
    );
    swept.setExcludedItems(this.serviceMask());
    swept.setThreads(this.env.threads ?? null);
    swept.setClusterNames(saved.clustering.labels);
    this.sweptState = swept;
    call.onProgress?.({ stage: 'drift', fraction: 0.9 });
    const drift = computeDrift(apply.savedSide(saved), apply.appliedSide(ids, shortIds, labels, k, table, swept.profiles(k)), saved.clustering.labels);
    this.appliedState = { analysis, drift };
    call.onProgress?.({ stage: 'done', fraction: 1 });
    return {
      k,
      labels: saved.clustering.labels.slice(),
      assigned: labels,
      drift,
      model: { created: saved.meta.created, sourceFile: saved.meta.sourceFile, size: bytes.length, version: saved.meta.format },
      update,
      unseenItems: unseen,
      unseenByPopularity: byPopularity,
      unchanged,
      placement: saved.clustering.placement,
      seconds: (performance.now() - t0) / 1000,
    };
  }

  /** The drift of the last applyModel, if the log it was applied to is still on screen. */
  drift(): DriftReport | null {
    const a = this.appliedState;
    return a && a.analysis === this.current?.analysis && this.sweptState?.analysis === a.analysis ? a.drift : null;
  }

  // ---- project, profile, recommend, export: made from the sweep (mapJob.ts) ----

  /** The sweep on screen, or a message saying what to do first. */
  sweep(): SweptClusters {
    const swept = this.sweptState;
    if (!swept || swept.analysis !== this.current?.analysis) {
      throw { message: 'Cluster the sequences first: the map and profiles are made from the clusters.', code: 'project-input' } satisfies WireError;
    }
    return swept;
  }

  private requireLog(message: string, code: 'internal' | null): LogState {
    if (!this.current) {
      if (code === null) throw new EncoderError(message, 'bad-options');
      throw { message, code } satisfies WireError;
    }
    return this.current;
  }
}
