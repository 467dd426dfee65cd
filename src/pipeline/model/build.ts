// A saved model from an analysis at K: the sweep's segments as centres in the space the encoder
// puts sequences in (what apply.ts can reproduce for a new log), with the settings, the item
// catalogue, the behaviour BERT and its whitening, the segment names, profiles and traits, and the
// training log's customers with their segment (for drift). Pure: the runner hands its state in.

import type { Analysis } from '../analyze';
import type { ServiceSettings } from '../catalog';
import { DEFAULT_HALF_LIFE_DAYS, type EncodeMode, type EventWeights } from '../encode';
import type { ClusterProfiles } from '../profile';
import { TOO_LITTLE_HISTORY_CLUSTER } from '../profile';
import type { EncoderKind } from '../runner/constants';
import type { SeqBertOptions } from '../seqbert';
import type { Whitening } from '../seqbert/whiten';
import type { SegmentSpace } from '../seqbert/segmentSpace';
import { itemEventCounts } from '../ingest/table';
import { leftSequences, sequenceLabel, SHORT } from '../sequences';
import { approxCentroids, approxWeights, poolItemVectors, userClusters } from './approx';
import { nearestCentres } from './update';
import { APP_VERSION, MODEL_FORMAT, type SavedModel } from './types';

export interface BuildInput {
  analysis: Analysis;
  /** The encoder's sequence vectors (n x d): the space apply.ts assigns in. */
  vectors: Float32Array;
  n: number;
  d: number;
  /** The sweep's cluster of every sequence at K. */
  labels: Int32Array;
  k: number;
  /** What the sweep clustered (with 'gcn' the centres are still the means of the encoder's vectors). */
  clusteredOn: 'encoder' | 'gcn';
  profiles: ClusterProfiles;
  encoder: {
    kind: EncoderKind;
    textModel: string;
    featurizer: boolean;
    mode: EncodeMode;
    seqbert: Partial<SeqBertOptions> | null;
    weights: Partial<EventWeights> | null;
    halfLifeDays: number | null;
  };
  service: ServiceSettings;
  /** items x itemDims: the text encoder's item vectors. */
  itemText: Float32Array;
  itemDims: number;
  /** items x dims: the item rows the encoder uses (the BERT's, or the text vectors). */
  itemRows: Float32Array;
  itemRowDims: number;
  gcnItems: { dims: number; data: Float32Array } | null;
  seqbert: { bytes: Uint8Array; whitening: Whitening | null; segmentSpace: SegmentSpace | null } | null;
  created?: string;
}

/** The log's customers (or sessions) as the exports list them: the clustered ones, then those with too little history. */
export function customersOf(analysis: Analysis): { ids: string[]; shortIds: string[] } {
  const { table } = analysis.ingested;
  const seq = analysis.sequences;
  const ids = Array.from({ length: seq.count }, (_x, i) => sequenceLabel(table, seq, i));
  const short = leftSequences(seq, SHORT);
  const shortIds = Array.from({ length: short.count }, (_x, i) => sequenceLabel(table, short, i));
  return { ids, shortIds };
}

/** k x d means of each cluster's rows; a cluster without members keeps a zero row. */
export function clusterMeans(vectors: Float32Array, n: number, d: number, labels: Int32Array, k: number): Float32Array {
  const sum = new Float64Array(k * d);
  const count = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (c < 0 || c >= k) continue;
    count[c]++;
    for (let j = 0; j < d; j++) sum[c * d + j] += vectors[i * d + j];
  }
  const out = new Float32Array(k * d);
  for (let c = 0; c < k; c++) if (count[c] > 0) for (let j = 0; j < d; j++) out[c * d + j] = sum[c * d + j] / count[c];
  return out;
}

/** The 95th percentile of each row's Euclidean distance to its own cluster's centre. */
export function ownCentreP95(vectors: Float32Array, n: number, d: number, labels: Int32Array, centres: Float32Array): number {
  const dist: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (c < 0) continue;
    let s = 0;
    for (let j = 0; j < d; j++) s += (vectors[i * d + j] - centres[c * d + j]) ** 2;
    dist.push(Math.sqrt(s));
  }
  if (dist.length === 0) return 0;
  dist.sort((a, b) => a - b);
  return dist[Math.min(dist.length - 1, Math.floor(0.95 * dist.length))];
}

/** FNV-1a over a float row's bytes: equal rows, equal hashes (a changed row: a different one, but for a 2^-32 chance). */
export function rowHash(x: Float32Array, row: number, d: number): number {
  const bytes = new Uint8Array(x.buffer, x.byteOffset + row * d * 4, d * 4);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h | 0;
}

/** Share of the clustered sequences whose nearest centre is their own segment's. */
function placementShare(x: Float32Array, n: number, d: number, labels: Int32Array, centres: Float32Array, k: number): number {
  const nearest = nearestCentres(x, n, d, centres, k).labels;
  let same = 0;
  let counted = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] < 0) continue;
    counted++;
    if (nearest[i] === labels[i]) same++;
  }
  return counted ? same / counted : 1;
}

export function buildSavedModel(x: BuildInput): SavedModel {
  const { analysis, k, labels } = x;
  const { table } = analysis.ingested;
  const seq = analysis.sequences;
  const centres = clusterMeans(x.vectors, x.n, x.d, labels, k);
  const { ids, shortIds } = customersOf(analysis);
  const clusters = new Int32Array(ids.length + shortIds.length).fill(TOO_LITTLE_HISTORY_CLUSTER);
  clusters.set(labels.subarray(0, ids.length));
  const sizes = new Array<number>(k).fill(0);
  for (const c of labels) if (c >= 0 && c < k) sizes[c]++;
  const names = new Array<string>(k).fill('');
  const traits: (string[] | null)[] = new Array(k).fill(null);
  for (const c of x.profiles.clusters) {
    if (c.cluster < 0 || c.cluster >= k) continue;
    names[c.cluster] = c.label;
    traits[c.cluster] = c.traits?.length ? c.traits.map((t) => t.text) : null;
  }
  const counts = itemEventCounts(table).slice();
  // The SQL approximation's centroids: each customer's pooled item rows, averaged per segment (by user only).
  let approx: SavedModel['approx'] = null;
  if (seq.by === 'user' && table.hasUser && x.itemRowDims > 0) {
    const pooled = poolItemVectors(table, x.itemRows, x.itemRowDims, approxWeights(x.encoder.weights), {
      halfLifeDays: x.encoder.halfLifeDays ?? DEFAULT_HALF_LIFE_DAYS,
    });
    approx = approxCentroids(pooled, userClusters(table.users.length, seq.key, labels), k);
  }
  return {
    meta: {
      format: MODEL_FORMAT,
      created: x.created ?? new Date().toISOString(),
      appVersion: APP_VERSION,
      sourceFile: analysis.fileName,
      counts: { customers: clusters.length, events: table.length, items: table.items.length },
      size: 0,
    },
    settings: {
      sequence: { ...analysis.report.options },
      encoder: { kind: x.encoder.kind, textModel: x.encoder.textModel, featurizer: x.encoder.featurizer, mode: x.encoder.mode, seqbert: x.encoder.seqbert },
      weights: x.encoder.weights,
      halfLifeDays: x.encoder.halfLifeDays,
      service: x.service,
      clusteredOn: x.clusteredOn,
    },
    catalogue: {
      itemIds: table.items.slice(),
      titles: table.itemTitle.slice(),
      categories: Array.from(table.itemCategory, (c) => (c >= 0 ? (table.categories[c] ?? '') : '')),
      itemDims: x.itemDims,
      itemText: x.itemText,
      dims: x.itemRowDims,
      itemRows: x.itemRows,
      gcnItems: x.gcnItems,
      counts,
    },
    seqbert: x.seqbert,
    clustering: {
      k,
      d: x.d,
      centres,
      labels: names,
      profiles: x.profiles,
      traits,
      userIds: ids.concat(shortIds),
      clusters,
      p95Distance: ownCentreP95(x.vectors, x.n, x.d, labels, centres),
      sizes,
      vectorHashes: Int32Array.from({ length: x.n }, (_, i) => rowHash(x.vectors, i, x.d)),
      placement: placementShare(x.vectors, x.n, x.d, labels, centres, k),
    },
    approx,
  };
}
