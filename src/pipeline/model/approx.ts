// The item-vector approximation of the app's assignment, the one sql/assign_users.sql computes on
// engines built for logs far beyond a browser (DuckDB, Spark SQL, any warehouse). Each customer is
// the weighted sum of the item vectors of all their events, L2-normalised (weights by event type
// and recency, as the text encoder's sequence vectors: encode/sequenceVectors.ts), and goes to the
// nearest of k centroids that were computed in that same pooled space from the full model's
// segments. The functions here do exactly what the SQL does, step for step, so the two give the
// same assignment (sql.test.ts checks every customer in DuckDB):
//   - every event of a customer counts: no dedupe, no length filters, no bot rule (the app's
//     sequences have those; the SQL would need window functions per dialect for them);
//   - recency: an event `age` ms before the customer's latest event (of any item, known or not)
//     weighs 0.5^(age / half-life); an event without a time (NaN here, NULL in SQL) and every event
//     when the half-life is 0 weigh 1. Standard SQL has POWER, so this is the app's decay exactly;
//   - an event type without a weight of its own takes the weight of 'other' (0 when there is none);
//   - items without a vector (rowOf -1 here; a missing item_vectors row there) add nothing;
//   - a customer whose weighted sum is (near) zero, relative to the sum of the absolute weights of
//     their events (everything bought was returned, or no item with a vector), gets no cluster: -1
//     here, no row in the SQL's output;
//   - nearest by Euclidean distance (as |x|^2 - 2 x.c + |c|^2, the SQL's form), ties to the lowest cluster; a centroid row of NaN (a segment
//     none of whose customers has a pooled vector) is never nearest and is left out of centroids.csv.
// Pooled vectors are float64 (the SQL's DOUBLE); item vectors and centroids float32, as saved.

import { DEFAULT_EVENT_WEIGHTS, type EventWeights } from '../encode/weights';

const MS_PER_DAY = 86_400_000;

/** What pooling reads of a log: the EventTable's columns (an EventTable is one). */
export interface ApproxEvents {
  length: number;
  /** Index into `users`, or -1 (the event is skipped). */
  user: Int32Array;
  /** Index into the log's items (rowOf maps it to an item vector row). */
  item: Int32Array;
  /** Index into `typeNames`. */
  type: ArrayLike<number>;
  /** ms since the epoch; NaN = unknown. */
  time: Float64Array;
  typeNames: readonly string[];
  users: readonly string[];
}

export interface ApproxOptions {
  /** Half-life of the recency decay in days; 0 = no decay (the app's default is 30). */
  halfLifeDays: number;
  /** Per log item: its row in the item vectors, -1 = none. Default: item i is row i. */
  rowOf?: Int32Array;
}

/** One pooled vector per customer of the log (index = user index). */
export interface Pooled {
  /** Customers (the log's users). */
  n: number;
  d: number;
  /** n x d, row-major, each valid row of unit length; invalid rows are zero. */
  vectors: Float64Array;
  /** 1 = the customer has a pooled vector; 0 = none (no event with a vector, or weights cancelling). */
  valid: Uint8Array;
}

/** The approximation's centroids as the saved model keeps them (SavedModel.approx). */
export interface ApproxCentroids {
  dims: number;
  /** k x dims; a NaN row for a segment none of whose customers has a pooled vector. */
  centroids: Float32Array;
}

export interface ApproxAssignment {
  /** Per customer: the nearest centroid, or -1 without a pooled vector. */
  cluster: Int32Array;
  /** Per customer: Euclidean distance to that centroid (NaN with cluster -1). */
  distance: Float64Array;
}

/** The full weight table by type name: the app's defaults under `overrides` (what event_weights.csv holds). */
export function approxWeights(overrides: Partial<EventWeights> | null | undefined = {}): EventWeights {
  const merged: EventWeights = { ...DEFAULT_EVENT_WEIGHTS };
  for (const [k, v] of Object.entries(overrides ?? {})) if (v !== undefined && Number.isFinite(v)) merged[k] = v;
  return merged;
}

/** Per log item: its row among `rowIds` (matched by id), -1 = none. */
export function rowsById(itemIds: readonly string[], rowIds: readonly string[]): Int32Array {
  const index = new Map<string, number>();
  rowIds.forEach((id, i) => {
    if (!index.has(id)) index.set(id, i);
  });
  return Int32Array.from(itemIds, (id) => index.get(id) ?? -1);
}

/**
 * Each customer's weighted sum of the item vectors of their events, L2-normalised (the weighted
 * mean's direction). `itemVectors` is rows x d float32 (the encode stage's item rows: runner
 * Encoded.items / itemDims); `weights` by event type name (approxWeights fills in the app's).
 */
export function poolItemVectors(events: ApproxEvents, itemVectors: Float32Array, d: number, weights: Readonly<EventWeights>, opts: ApproxOptions): Pooled {
  const n = events.users.length;
  const rows = d > 0 ? Math.floor(itemVectors.length / d) : 0;
  const other = weights.other ?? 0;
  const typeWeight = Float64Array.from(events.typeNames, (name) => weights[name] ?? other);
  const halfLifeMs = opts.halfLifeDays > 0 ? opts.halfLifeDays * MS_PER_DAY : 0;
  const { user, item, type, time } = events;

  // The customer's "now": the latest time among all their events (the SQL's MAX(ts), NULLs ignored).
  const now = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  for (let e = 0; e < events.length; e++) {
    const u = user[e];
    if (u >= 0 && time[e] > now[u]) now[u] = time[e];
  }

  const acc = new Float64Array(n * d);
  const total = new Float64Array(n);
  for (let e = 0; e < events.length; e++) {
    const u = user[e];
    if (u < 0) continue;
    const age = now[u] - time[e];
    // NaN time (or a customer with no time at all): weight 1, as the app's decay().
    const w = typeWeight[type[e]] * (halfLifeMs > 0 && age > 0 ? 0.5 ** (age / halfLifeMs) : 1);
    total[u] += Math.abs(w);
    const r = opts.rowOf ? opts.rowOf[item[e]] : item[e];
    if (w === 0 || !(r >= 0 && r < rows)) continue;
    const base = r * d;
    const out = u * d;
    for (let j = 0; j < d; j++) acc[out + j] += w * itemVectors[base + j];
  }

  const valid = new Uint8Array(n);
  for (let u = 0; u < n; u++) {
    const row = u * d;
    let sq = 0;
    for (let j = 0; j < d; j++) sq += acc[row + j] * acc[row + j];
    const norm = Math.sqrt(sq);
    // Relative to the weights, as the app: cancellation leaves float dust, not a direction.
    if (!(norm > 1e-6 * total[u])) {
      acc.fill(0, row, row + d);
      continue;
    }
    valid[u] = 1;
    for (let j = 0; j < d; j++) acc[row + j] /= norm;
  }
  return { n, d, vectors: acc, valid };
}

/**
 * k x d centroids in the pooled space: the mean pooled vector of each segment's customers under
 * the full model (`assignments` per customer, -1 = none). A segment with no pooled customer gets a
 * NaN row, which assignNearest never picks.
 */
export function approxCentroids(pooled: Pooled, assignments: Int32Array, k: number): ApproxCentroids {
  const { n, d, vectors, valid } = pooled;
  if (assignments.length !== n) throw new Error(`approxCentroids: ${assignments.length} assignments for ${n} customers.`);
  const sum = new Float64Array(k * d);
  const count = new Int32Array(k);
  for (let u = 0; u < n; u++) {
    const c = assignments[u];
    if (!valid[u] || c < 0 || c >= k) continue;
    count[c]++;
    const row = u * d;
    const out = c * d;
    for (let j = 0; j < d; j++) sum[out + j] += vectors[row + j];
  }
  const centroids = new Float32Array(k * d);
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) centroids[c * d + j] = count[c] > 0 ? sum[c * d + j] / count[c] : Number.NaN;
  return { dims: d, centroids };
}

/** Each customer's nearest centroid (Euclidean; ties to the lowest cluster), -1 without a pooled vector. */
export function assignNearest(pooled: Pooled, centroids: ApproxCentroids): ApproxAssignment {
  const { n, d, vectors, valid } = pooled;
  if (centroids.dims !== d) throw new Error(`assignNearest: centroids of ${centroids.dims} dimensions for vectors of ${d}.`);
  const k = d > 0 ? Math.floor(centroids.centroids.length / d) : 0;
  const c32 = centroids.centroids;
  // |c|^2 per centroid, as the SQL's centre_sq (NaN for an empty segment's row).
  const cc = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += c32[c * d + j] * c32[c * d + j];
    cc[c] = s;
  }
  const cluster = new Int32Array(n).fill(-1);
  const distance = new Float64Array(n).fill(Number.NaN);
  for (let u = 0; u < n; u++) {
    if (!valid[u]) continue;
    const row = u * d;
    let xx = 0;
    for (let j = 0; j < d; j++) xx += vectors[row + j] * vectors[row + j];
    let best = -1;
    let bestSq = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      // |x|^2 - 2 x.c + |c|^2, the SQL's form (it lets item vectors be sparse there).
      let xc = 0;
      for (let j = 0; j < d; j++) xc += vectors[row + j] * c32[c * d + j];
      const sq = xx - 2 * xc + cc[c];
      // Strictly less: an exact tie keeps the lower cluster; NaN (an empty segment) never wins.
      if (sq < bestSq) {
        bestSq = sq;
        best = c;
      }
    }
    if (best < 0) continue;
    cluster[u] = best;
    distance[u] = bestSq > 0 ? Math.sqrt(bestSq) : 0;
  }
  return { cluster, distance };
}

/**
 * Per customer (user index), the full model's cluster from per-sequence labels of sequences grouped
 * by user (`key` = the sequences' user index); -1 for customers without a clustered sequence.
 */
export function userClusters(users: number, key: Int32Array, labels: ArrayLike<number>): Int32Array {
  const out = new Int32Array(users).fill(-1);
  for (let s = 0; s < key.length; s++) if (key[s] >= 0 && key[s] < users) out[key[s]] = labels[s];
  return out;
}

/** Fraction of customers with a cluster in both whose clusters are equal, and what chance gives with these sizes. */
export function approxAgreement(full: Int32Array, approx: Int32Array, k: number): { compared: number; agree: number; agreement: number; chance: number } {
  const a = new Float64Array(k);
  const b = new Float64Array(k);
  let compared = 0;
  let agree = 0;
  for (let u = 0; u < full.length; u++) {
    const f = full[u];
    const g = approx[u];
    if (f < 0 || g < 0 || f >= k || g >= k) continue;
    compared++;
    a[f]++;
    b[g]++;
    if (f === g) agree++;
  }
  let chance = 0;
  for (let c = 0; c < k; c++) chance += compared > 0 ? (a[c] / compared) * (b[c] / compared) : 0;
  return { compared, agree, agreement: compared > 0 ? agree / compared : Number.NaN, chance };
}

/** sql/assign_users.sql with its half-life (the params CTE's `half_life_days`) set to `days`. */
export function sqlWithHalfLife(sql: string, days: number): string {
  if (!(days >= 0) || !Number.isFinite(days)) throw new Error(`The half-life must be a finite number of days of at least 0, not ${days}.`);
  const re = /CAST\(\s*[0-9.]+\s+AS\s+DOUBLE\s*\)(\s+AS\s+half_life_days)/;
  if (!re.test(sql)) throw new Error('This SQL has no "CAST(<days> AS DOUBLE) AS half_life_days" to set.');
  return sql.replace(re, `CAST(${days} AS DOUBLE)$1`);
}
