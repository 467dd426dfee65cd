// Applying a saved model to a new log: the pieces the runner's applyModel puts together (it encodes
// with its own encode stage, so the vectors are made exactly as in training).
//   - catalogueEmbedder: the saved item text vectors for the items the model knows (matched by id),
//     the text encoder only for items it has never seen. The featuriser's IDF is fitted per log, so
//     embedding the known items again would move them; with the saved rows a known item is where it was.
//   - the assignment: each sequence to the nearest saved centre (update.ts), too little history = -1;
//   - the applied clustering as a ClusterResult with one entry (the saved K), so the map, profiles,
//     lists and exports work unchanged;
//   - the drift's two sides.

import type { TextEmbedder } from '../encode';
import { itemText } from '../encode';
import type { DriftReport, DriftSide } from '../drift';
import { itemEventCounts, type EventTable } from '../ingest/table';
import type { ClusterProfiles } from '../profile';
import type { Trait } from '../profile/types';
import type { ClusterResult } from '../runner/contract';
import { ModelFileError } from './errors';
import { rowHash } from './build';
import type { ModelClustering, SavedModel } from './types';

/** What applyModel hands back (structured-clone safe). */
export interface AppliedModel {
  k: number;
  /** The saved segment names. */
  labels: string[];
  /** Per sequence of the new log (the map's points): its segment. */
  assigned: Int32Array;
  drift: DriftReport;
  model: { created: string; sourceFile: string; size: number; version: number };
  /** With update: how far each centre moved, and a proposed new segment (not added). */
  update: { shift: number[]; proposal: { size: number; share: number } | null } | null;
  /** Items of the new log the model has not seen (their vectors come from the text encoder alone). */
  unseenItems: number;
  /** Of those, the ones with no text at all: placed by the popularity row (popularityRow). */
  unseenByPopularity: number;
  /** Customers of the model's log whose history had not changed: they kept their saved segment. */
  unchanged: number;
  /** The model's placement share (ModelClustering.placement): how well the centres reproduce its own segments. */
  placement: number | null;
  seconds: number;
}

/** Whether `embedder` gives the vectors the model's item features were made with. */
export function checkEmbedder(model: SavedModel, embedder: TextEmbedder): void {
  const e = model.settings.encoder;
  const same = e.featurizer ? embedder.kind === 'featurizer' && embedder.model === e.textModel : embedder.model === e.textModel;
  if (!same || embedder.dims !== model.catalogue.itemDims) {
    throw new ModelFileError(
      `This model was made with the text encoder ${e.textModel} (${model.catalogue.itemDims} numbers per item); the one in use is ${embedder.model} (${embedder.dims}). ` +
        (e.featurizer ? 'Apply it with the built-in featurizer (--encoder featurizer).' : `Install and choose ${e.textModel} (--model ${e.textModel}).`),
      'incompatible',
    );
  }
}

/**
 * The count-weighted mean of the saved item text vectors: the item a customer of the model's log
 * met on average. An item the model never saw and with no text at all (only an id, whose embedding
 * says nothing) gets it, rather than a vector of its id's characters.
 */
export function popularityRow(model: SavedModel): Float32Array {
  const c = model.catalogue;
  const d = c.itemDims;
  const sum = new Float64Array(d);
  let total = 0;
  for (let i = 0; i < c.itemIds.length; i++) {
    const w = c.counts[i];
    if (!(w > 0)) continue;
    const row = c.itemText.subarray(i * d, (i + 1) * d);
    if (!row.some((v) => v !== 0)) continue;
    for (let j = 0; j < d; j++) sum[j] += w * row[j];
    total += w;
  }
  const out = new Float32Array(d);
  if (total > 0) for (let j = 0; j < d; j++) out[j] = sum[j] / total;
  return out;
}

/**
 * `inner` with the saved item text vectors in front: a text of an item the model knows (same id,
 * a saved row that is not zero) gets its saved row; an item it does not know gets its text's
 * vector from `inner` (whose prepare(), the featuriser's IDF, sees only those), or, when it has no
 * title, category or brand, the popularity row (popularityRow) when the model's own items had
 * text. `unseen` counts the items new to the model, `byPopularity` those of them placed so.
 */
export function catalogueEmbedder(
  inner: TextEmbedder,
  model: SavedModel,
  table: EventTable,
  tag: string,
): { embedder: TextEmbedder; unseen: number; byPopularity: number } {
  const c = model.catalogue;
  const d = c.itemDims;
  const index = new Map<string, number>();
  c.itemIds.forEach((id, i) => index.set(id, i));
  const known = new Map<string, Float32Array>();
  let unseen = 0;
  let byPopularity = 0;
  // A model made from ids alone embedded its items by their ids: new ids are embedded alike.
  const modelHadText = c.titles.some((t) => t.trim() !== '') || c.categories.some((t) => t.trim() !== '');
  let popular: Float32Array | null = null;
  for (let i = 0; i < table.items.length; i++) {
    const at = index.get(table.items[i]);
    let row: Float32Array | null = null;
    if (at !== undefined) {
      row = c.itemText.subarray(at * d, (at + 1) * d);
      if (!row.some((v) => v !== 0)) row = null;
    }
    const { text, source } = itemText(table, i);
    if (!row) {
      unseen++;
      if (source !== 'id' || !modelHadText) continue;
      popular ??= popularityRow(model);
      row = popular;
      byPopularity++;
    }
    if (!known.has(text)) known.set(text, row);
  }
  const embedder: TextEmbedder = {
    kind: inner.kind,
    model: inner.model,
    dtype: inner.dtype,
    device: inner.device,
    dims: inner.dims,
    maxTokens: inner.maxTokens,
    specialTokens: inner.specialTokens,
    countTokens: (text) => inner.countTokens(text),
    prepare: inner.prepare ? (texts) => inner.prepare!(texts.filter((t) => !known.has(t))) : undefined,
    cacheId: () => `${tag}:${inner.cacheId()}`,
    async embed(texts) {
      const out = new Float32Array(texts.length * d);
      const todo: number[] = [];
      texts.forEach((t, i) => {
        const row = known.get(t);
        if (row) out.set(row, i * d);
        else todo.push(i);
      });
      if (todo.length) {
        const v = await inner.embed(todo.map((i) => texts[i]));
        todo.forEach((i, j) => out.set(v.subarray(j * d, (j + 1) * d), i * d));
      }
      return out;
    },
    dispose: () => Promise.resolve(),
  };
  return { embedder, unseen, byPopularity };
}

/** The applied clustering as a sweep of one K: what SweptClusters and the page read. */
export function appliedClusterResult(
  labels: Int32Array,
  x: Float32Array,
  n: number,
  d: number,
  centres: Float32Array,
  k: number,
  source: ClusterResult['source'],
  seconds: number,
): ClusterResult {
  const sizes = new Array<number>(k).fill(0);
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    sizes[c]++;
    for (let j = 0; j < d; j++) inertia += (x[i * d + j] - centres[c * d + j]) ** 2;
  }
  return {
    entries: [
      {
        k,
        inertia,
        silhouette: Number.NaN,
        calinskiHarabasz: Number.NaN,
        daviesBouldin: Number.NaN,
        stability: Number.NaN,
        sizes,
        iterations: 0,
        algorithm: 'lloyd',
        path: 'cpu',
        runInertias: [inertia],
        ms: seconds * 1000,
      },
    ],
    labels: [labels],
    suggested: { k, reason: "the saved model's K" },
    elbow: null,
    silhouette: { exact: true, sampleSize: 0, exactMax: 0 },
    minibatchThreshold: 0,
    algorithm: 'lloyd',
    seeds: 0,
    n,
    d,
    source,
    path: 'cpu',
    pathReason: 'a saved model: each sequence to the nearest saved centre',
    threads: 0,
    fallback: null,
    adapter: null,
    requested: { kMin: k, kMax: k },
    range: { kMin: k, kMax: k },
    rangeNote: null,
    seconds,
  };
}

/** The saved model's side of the drift: the training log's customers, segments, items and traits. */
export function savedSide(model: SavedModel): DriftSide {
  const c = model.clustering;
  const cat = model.catalogue;
  return {
    userIds: c.userIds,
    clusters: c.clusters,
    k: c.k,
    itemIds: cat.itemIds,
    itemCounts: cat.counts,
    itemTitles: cat.titles,
    traits: c.traits,
    traitDetails: traitDetailsOf(c.profiles, c.k),
  };
}

/** Each segment's traits with their numbers (index = cluster; null where it has none). */
function traitDetailsOf(profiles: ClusterProfiles, k: number): (Trait[] | null)[] {
  const out: (Trait[] | null)[] = new Array(k).fill(null);
  for (const c of profiles.clusters) if (c.cluster >= 0 && c.cluster < k && c.traits?.length) out[c.cluster] = c.traits.slice();
  return out;
}

/** The new log's side: its clustered sequences' segments, then its customers with too little history (-1). */
export function appliedSide(
  ids: readonly string[],
  shortIds: readonly string[],
  labels: Int32Array,
  k: number,
  table: EventTable,
  profiles: ClusterProfiles,
): DriftSide {
  const clusters = new Int32Array(ids.length + shortIds.length).fill(-1);
  clusters.set(labels.subarray(0, ids.length));
  const traitDetails = traitDetailsOf(profiles, k);
  const traits = traitDetails.map((t) => (t ? t.map((x) => x.text) : null));
  const itemCounts = itemEventCounts(table);
  const itemTitles = Array.from({ length: table.items.length }, (_, i) => table.itemTitle[i] ?? '');
  return { userIds: ids.concat(shortIds), clusters, k, itemIds: table.items, itemCounts, itemTitles, traits, traitDetails };
}

/**
 * Customers of the model's log whose sequence vector is unchanged (same id, same vector hash) get
 * their saved segment in `labels` (in place); returns how many. Only clustered customers of the
 * saved log have a hash; a model file without hashes changes nothing.
 */
export function keepUnchanged(labels: Int32Array, vectors: Float32Array, d: number, ids: readonly string[], c: ModelClustering): number {
  const hashes = c.vectorHashes;
  if (!hashes) return 0;
  const at = new Map<string, number>();
  for (let i = 0; i < hashes.length; i++) if (c.clusters[i] >= 0) at.set(c.userIds[i], i);
  let kept = 0;
  for (let s = 0; s < labels.length && s < ids.length; s++) {
    const i = at.get(ids[s]);
    if (i === undefined || rowHash(vectors, s, d) !== hashes[i]) continue;
    labels[s] = c.clusters[i];
    kept++;
  }
  return kept;
}
