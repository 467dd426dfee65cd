// The long-format tables sql/assign_users.sql reads, as CSV text: item_vectors(item_id, dim, value),
// centroids(cluster, dim, value), event_weights(event_type, weight), and events(user_id, item_id,
// event_type, ts) of a log (for tests, benchmarks and trying the SQL on the log SeqLens read). And
// the approximation of a clustering made on screen (approxOfClustering): what `--out` writes them from.
//
// These files are for engines, not spreadsheets: ids are written as they are (RFC 4180 quoting
// only, no formula neutralisation as the exports have: a leading ' would stop item ids from
// joining the engine's events table). Numbers are the shortest text that reads back as the same
// double, so an engine reads exactly the float32 values SeqLens uses (0.1f as 0.10000000149011612).

import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';
import type { EventWeights } from '../encode/weights';
import {
  approxAgreement,
  approxCentroids,
  approxWeights,
  assignNearest,
  poolItemVectors,
  userClusters,
  type ApproxAssignment,
  type ApproxCentroids,
  type Pooled,
} from './approx';

const NEEDS_QUOTES = /[",\r\n]/;
const field = (s: string): string => (NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Lines joined once at the end (no rope of concatenations). */
function csv(header: string, rows: (push: (line: string) => void) => void): { text: string; rows: number } {
  const lines: string[] = [header];
  rows((line) => lines.push(line));
  return { text: `${lines.join('\n')}\n`, rows: lines.length - 1 };
}

/** item_vectors(item_id, dim, value): one row per item and dimension, zeros left out (the SQL allows sparse vectors). */
export function itemVectorsCsv(itemIds: readonly string[], vectors: Float32Array, d: number): { text: string; rows: number } {
  return csv('item_id,dim,value', (push) => {
    itemIds.forEach((id, i) => {
      const f = field(id);
      for (let j = 0; j < d; j++) {
        const v = vectors[i * d + j];
        if (v !== 0 && Number.isFinite(v)) push(`${f},${j},${v}`);
      }
    });
  });
}

/** centroids(cluster, dim, value): every dimension of every centroid; a NaN row (empty segment) is left out. */
export function centroidsCsv(c: ApproxCentroids): { text: string; rows: number } {
  const d = c.dims;
  const k = d > 0 ? c.centroids.length / d : 0;
  return csv('cluster,dim,value', (push) => {
    for (let s = 0; s < k; s++) {
      const row = c.centroids.subarray(s * d, (s + 1) * d);
      if (row.some((v) => !Number.isFinite(v))) continue;
      for (let j = 0; j < d; j++) push(`${s},${j},${row[j]}`);
    }
  });
}

/** event_weights(event_type, weight): the app's defaults under the overrides, 'other' included. */
export function eventWeightsCsv(overrides?: Partial<EventWeights> | null): { text: string; rows: number } {
  const w = approxWeights(overrides);
  return csv('event_type,weight', (push) => {
    for (const [type, weight] of Object.entries(w)) push(`${field(type)},${weight}`);
  });
}

/** events(user_id, item_id, event_type, ts) of a read log: type names as SeqLens calls them, ts in ms (empty = unknown). */
export function eventsCsv(table: EventTable): { text: string; rows: number } {
  const users = table.users.map(field);
  const items = table.items.map(field);
  const types = table.typeNames.map(field);
  return csv('user_id,item_id,event_type,ts', (push) => {
    for (let e = 0; e < table.length; e++) {
      const u = table.user[e];
      const t = table.time[e];
      push(`${u >= 0 ? users[u] : ''},${table.item[e] >= 0 ? items[table.item[e]] : ''},${types[table.type[e]]},${Number.isFinite(t) ? t : ''}`);
    }
  });
}

export interface ApproxOfClustering {
  pooled: Pooled;
  centroids: ApproxCentroids;
  /** The approximation's assignment of every customer (user index), -1 without a pooled vector. */
  assigned: ApproxAssignment;
  /** The full model's cluster of every customer (user index), -1 = too little history (or left out). */
  full: Int32Array;
  /** How often the approximation gives the full model's cluster, over customers with both; chance = the same sizes at random. */
  agreement: { compared: number; agree: number; agreement: number; chance: number };
}

/**
 * The approximation of a clustering of sequences grouped by user: pooled item vectors of each
 * customer's events, centroids = each segment's mean there, and the nearest-centroid assignment
 * compared with the clustering's own. `labels` per sequence (SweptClusters.labelsOf(k)).
 */
export function approxOfClustering(input: {
  table: EventTable;
  sequences: Sequences;
  itemVectors: Float32Array;
  d: number;
  labels: Int32Array;
  k: number;
  weights?: Partial<EventWeights> | null;
  halfLifeDays: number;
}): ApproxOfClustering {
  const { table, sequences } = input;
  if (sequences.by !== 'user') throw new Error('The SQL approximation pools per customer: it needs sequences grouped by user.');
  if (input.labels.length !== sequences.count) throw new Error(`${input.labels.length} labels for ${sequences.count} sequences.`);
  const pooled = poolItemVectors(table, input.itemVectors, input.d, approxWeights(input.weights), { halfLifeDays: input.halfLifeDays });
  const full = userClusters(table.users.length, sequences.key, input.labels);
  const centroids = approxCentroids(pooled, full, input.k);
  const assigned = assignNearest(pooled, centroids);
  return { pooled, centroids, assigned, full, agreement: approxAgreement(full, assigned.cluster, input.k) };
}
