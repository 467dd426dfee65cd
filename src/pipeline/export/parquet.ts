// The Parquet exports: customer vectors, item vectors, assignments with map coordinates and the
// cluster centres, for pandas, DuckDB, Spark and Embedding Atlas. Written with hyparquet-writer
// (pure JavaScript, no wasm, MIT): the analysis worker and the CLI write the same bytes.
//
// A vector is one LIST<FLOAT> column named `vector` (Parquet's standard 3-level list, float32
// elements): DuckDB reads it as FLOAT[], pandas/pyarrow as an array per row, Spark as
// array<float>, and Embedding Atlas takes it as is (`embedding-atlas user_vectors.parquet --vector
// vector`). One column per dimension would need a list rebuilt in every one of them.
//
// Files (columns, in order):
//   user_vectors.parquet  user_id, cluster, label, vector    one row per clustered sequence
//   item_vectors.parquet  item_id, title, vector             one row per item of the log
//   assignments.parquet   user_id, cluster, label, x, y      as assignments.csv (x, y null without a map;
//                                                            customers with too little history: cluster -1)
//   centroids.parquet     cluster, label, size, vector       the mean of each cluster's vectors (the
//                                                            clustered space), 0..K-1
// Text is written as is (no spreadsheet formula neutralisation: nothing here opens in a spreadsheet).

import type { SchemaElement } from 'hyparquet';
import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import { TOO_LITTLE_HISTORY_CLUSTER, TOO_LITTLE_HISTORY_LABEL } from '../profile/label';
import type { AssignmentInput } from './tables';

/** The file names `--out` writes and the export panel offers. */
export const PARQUET_FILES = {
  userVectors: 'user_vectors.parquet',
  itemVectors: 'item_vectors.parquet',
  assignments: 'assignments.parquet',
  centroids: 'centroids.parquet',
} as const;

export type ParquetExportKind = keyof typeof PARQUET_FILES;

export const PARQUET_MIME = 'application/vnd.apache.parquet';

export interface ParquetResult {
  bytes: Uint8Array;
  rows: number;
}

type Vectors = Float32Array | Float64Array;

export interface UserVectorsInput {
  ids: readonly string[];
  /** Cluster per sequence. */
  labels: Int32Array;
  clusterLabels: readonly string[];
  /** n x d, row-major: the vectors that were clustered. */
  vectors: Vectors;
  d: number;
}

export interface ItemVectorsInput {
  ids: readonly string[];
  titles: readonly string[];
  /** items x d, row-major. */
  vectors: Vectors;
  d: number;
}

export interface CentroidsInput {
  /** k x d, row-major. */
  centres: Float32Array;
  d: number;
  /** Label text per cluster. */
  clusterLabels: readonly string[];
  /** Members per cluster. */
  sizes: ArrayLike<number>;
}

const CREATED_BY = 'SeqLens (hyparquet-writer)';

const str = (name: string, nullable = false): SchemaElement => ({
  name,
  type: 'BYTE_ARRAY',
  converted_type: 'UTF8',
  repetition_type: nullable ? 'OPTIONAL' : 'REQUIRED',
});
const int = (name: string): SchemaElement => ({ name, type: 'INT32', repetition_type: 'REQUIRED' });
const float = (name: string): SchemaElement => ({ name, type: 'FLOAT', repetition_type: 'OPTIONAL' });
/** LIST<FLOAT>, the standard 3-level layout (list / element), not null. */
const vectorColumn = (name: string): SchemaElement[] => [
  { name, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', type: 'FLOAT', repetition_type: 'REQUIRED' },
];

/** The n rows of an n x d matrix as plain arrays (the writer's list encoding walks arrays). */
function rowsOf(vectors: Vectors, n: number, d: number): number[][] {
  if (!(d > 0) || vectors.length !== n * d) throw new RangeError(`${n} rows of ${d} values need ${n * d} numbers, not ${vectors.length}`);
  const out = new Array<number[]>(n);
  for (let i = 0; i < n; i++) out[i] = Array.from(vectors.subarray(i * d, (i + 1) * d), Math.fround);
  return out;
}

function write(columns: { source: ColumnSource; schema: SchemaElement[] }[], rows: number): ParquetResult {
  const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }];
  for (const c of columns) schema.push(...c.schema);
  const buffer = parquetWriteBuffer({ columnData: columns.map((c) => c.source), schema, createdBy: CREATED_BY });
  return { bytes: new Uint8Array(buffer), rows };
}

const labelOf = (labels: readonly string[], c: number): string =>
  c >= 0 && c < labels.length ? labels[c] : c === TOO_LITTLE_HISTORY_CLUSTER ? TOO_LITTLE_HISTORY_LABEL : '';

/** user_vectors.parquet: user_id, cluster, label, vector (the clustered vector of each sequence). */
export function userVectorsParquet(u: UserVectorsInput): ParquetResult {
  const n = u.ids.length;
  if (u.labels.length !== n) throw new RangeError(`${n} ids but ${u.labels.length} cluster labels`);
  return write(
    [
      { source: { name: 'user_id', data: u.ids.slice() }, schema: [str('user_id')] },
      { source: { name: 'cluster', data: Int32Array.from(u.labels) }, schema: [int('cluster')] },
      { source: { name: 'label', data: Array.from(u.labels, (c) => labelOf(u.clusterLabels, c)) }, schema: [str('label')] },
      { source: { name: 'vector', data: rowsOf(u.vectors, n, u.d) }, schema: vectorColumn('vector') },
    ],
    n,
  );
}

/** item_vectors.parquet: item_id, title (null when the log has none), vector. */
export function itemVectorsParquet(it: ItemVectorsInput): ParquetResult {
  const n = it.ids.length;
  if (it.titles.length !== n) throw new RangeError(`${n} item ids but ${it.titles.length} titles`);
  return write(
    [
      { source: { name: 'item_id', data: it.ids.slice() }, schema: [str('item_id')] },
      { source: { name: 'title', data: it.titles.map((t) => (t === '' ? null : t)) }, schema: [str('title', true)] },
      { source: { name: 'vector', data: rowsOf(it.vectors, n, it.d) }, schema: vectorColumn('vector') },
    ],
    n,
  );
}

/**
 * assignments.parquet: user_id, cluster, label, x, y: the rows of assignments.csv (the selection's,
 * or everybody followed by the customers with too little history, cluster -1 and no position).
 */
export function assignmentsParquet(a: AssignmentInput): ParquetResult {
  const n = a.ids.length;
  if (a.labels.length !== n) throw new RangeError(`${n} ids but ${a.labels.length} cluster labels`);
  if (a.coords !== null && a.coords.length !== 2 * n) throw new RangeError(`${n} ids but ${a.coords.length / 2} map points`);
  const order = a.selection ?? Int32Array.from({ length: n }, (_, i) => i);
  const few = a.tooLittleHistory ?? [];
  const rows = order.length + few.length;
  const ids = new Array<string>(rows);
  const clusters = new Int32Array(rows);
  const x = new Array<number | null>(rows).fill(null);
  const y = new Array<number | null>(rows).fill(null);
  for (let r = 0; r < order.length; r++) {
    const i = order[r];
    if (i < 0 || i >= n) throw new RangeError(`selection holds index ${i}, outside the ${n} sequences`);
    ids[r] = a.ids[i];
    clusters[r] = a.labels[i];
    if (a.coords) {
      const px = a.coords[2 * i];
      const py = a.coords[2 * i + 1];
      x[r] = Number.isFinite(px) ? px : null;
      y[r] = Number.isFinite(py) ? py : null;
    }
  }
  for (let j = 0; j < few.length; j++) {
    ids[order.length + j] = few[j];
    clusters[order.length + j] = TOO_LITTLE_HISTORY_CLUSTER;
  }
  return write(
    [
      { source: { name: 'user_id', data: ids }, schema: [str('user_id')] },
      { source: { name: 'cluster', data: clusters }, schema: [int('cluster')] },
      { source: { name: 'label', data: Array.from(clusters, (c) => labelOf(a.clusterLabels, c)) }, schema: [str('label')] },
      { source: { name: 'x', data: x }, schema: [float('x')] },
      { source: { name: 'y', data: y }, schema: [float('y')] },
    ],
    rows,
  );
}

/** centroids.parquet: cluster, label, size, vector (one row per cluster 0..K-1). */
export function centroidsParquet(c: CentroidsInput): ParquetResult {
  const k = c.sizes.length;
  return write(
    [
      { source: { name: 'cluster', data: Int32Array.from({ length: k }, (_, i) => i) }, schema: [int('cluster')] },
      { source: { name: 'label', data: Array.from({ length: k }, (_, i) => labelOf(c.clusterLabels, i)) }, schema: [str('label')] },
      { source: { name: 'size', data: Int32Array.from(c.sizes) }, schema: [int('size')] },
      { source: { name: 'vector', data: rowsOf(c.centres, k, c.d) }, schema: vectorColumn('vector') },
    ],
    k,
  );
}

/**
 * Each cluster's centre: the mean of its members' vectors (k-means' centre of the final assignment),
 * in float64 sums; an empty cluster's centre is zeros. Labels outside 0..k-1 are left out.
 */
export function clusterCentres(vectors: Vectors, n: number, d: number, labels: Int32Array, k: number): { centres: Float32Array; sizes: Int32Array } {
  const sums = new Float64Array(k * d);
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (c < 0 || c >= k) continue;
    sizes[c]++;
    const row = i * d;
    const at = c * d;
    for (let j = 0; j < d; j++) sums[at + j] += vectors[row + j];
  }
  const centres = new Float32Array(k * d);
  for (let c = 0; c < k; c++) {
    if (sizes[c] === 0) continue;
    for (let j = 0; j < d; j++) centres[c * d + j] = sums[c * d + j] / sizes[c];
  }
  return { centres, sizes };
}
