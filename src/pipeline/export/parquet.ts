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
import { ByteWriter, ParquetWriter, type ColumnSource } from 'hyparquet-writer';
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

/** Rows lo..hi of an n x d matrix as plain arrays (the writer's list encoding walks arrays). */
function rowsOf(vectors: Vectors, lo: number, hi: number, d: number): number[][] {
  const out = new Array<number[]>(hi - lo);
  for (let i = lo; i < hi; i++) out[i - lo] = Array.from(vectors.subarray(i * d, (i + 1) * d), Math.fround);
  return out;
}

function checkMatrix(vectors: Vectors, n: number, d: number): void {
  if (!(d > 0) || vectors.length !== n * d) throw new RangeError(`${n} rows of ${d} values need ${n * d} numbers, not ${vectors.length}`);
}

/** A column: its schema and its values for rows lo..hi (made one row group at a time). */
interface Column {
  schema: SchemaElement[];
  name: string;
  /** Min and max per row group (for readers that skip groups; no use on vector elements). */
  statistics?: boolean;
  rows(lo: number, hi: number): ColumnSource['data'];
}

/** A column whose values are all made already (ids, clusters, labels, coordinates). */
const whole = (name: string, schema: SchemaElement[], data: unknown[] | Int32Array): Column => ({
  name,
  schema,
  rows: (lo, hi) => data.slice(lo, hi) as ColumnSource['data'],
});

/** A vector column over an n x d matrix: its row arrays are made one row group at a time. */
const vectorsOf = (name: string, vectors: Vectors, d: number): Column => ({
  name,
  schema: vectorColumn(name),
  statistics: false,
  rows: (lo, hi) => rowsOf(vectors, lo, hi, d),
});

/**
 * Values per row group, about: the writer holds a row group's values, their levels and their
 * encodings as plain arrays (tens of bytes a value), and the vectors were written as one group of
 * every row: 229k customers x 256 dimensions took 3.5 GB of memory. A group of about a million
 * values (4 MB of float32) keeps that to some hundred MB; readers read such groups at full speed.
 */
const GROUP_VALUES = 1 << 20;

function write(columns: Column[], rows: number, valuesPerRow = 1): ParquetResult {
  const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }];
  for (const c of columns) schema.push(...c.schema);
  const writer = new ByteWriter();
  const pq = new ParquetWriter({ writer, schema, codec: 'SNAPPY', createdBy: CREATED_BY });
  const group = Math.max(1000, Math.floor(GROUP_VALUES / valuesPerRow));
  for (let lo = 0; lo < rows; lo += group) {
    const hi = Math.min(rows, lo + group);
    pq.write({ columnData: columns.map((c) => ({ name: c.name, data: c.rows(lo, hi), statistics: c.statistics })), rowGroupSize: group });
  }
  pq.finish();
  return { bytes: new Uint8Array(writer.getBuffer()), rows };
}

const labelOf = (labels: readonly string[], c: number): string =>
  c >= 0 && c < labels.length ? labels[c] : c === TOO_LITTLE_HISTORY_CLUSTER ? TOO_LITTLE_HISTORY_LABEL : '';

/** user_vectors.parquet: user_id, cluster, label, vector (the clustered vector of each sequence). */
export function userVectorsParquet(u: UserVectorsInput): ParquetResult {
  const n = u.ids.length;
  if (u.labels.length !== n) throw new RangeError(`${n} ids but ${u.labels.length} cluster labels`);
  checkMatrix(u.vectors, n, u.d);
  return write(
    [
      whole('user_id', [str('user_id')], u.ids as string[]),
      whole('cluster', [int('cluster')], u.labels),
      whole(
        'label',
        [str('label')],
        Array.from(u.labels, (c) => labelOf(u.clusterLabels, c)),
      ),
      vectorsOf('vector', u.vectors, u.d),
    ],
    n,
    u.d,
  );
}

/** item_vectors.parquet: item_id, title (null when the log has none), vector. */
export function itemVectorsParquet(it: ItemVectorsInput): ParquetResult {
  const n = it.ids.length;
  if (it.titles.length !== n) throw new RangeError(`${n} item ids but ${it.titles.length} titles`);
  checkMatrix(it.vectors, n, it.d);
  return write(
    [
      whole('item_id', [str('item_id')], it.ids as string[]),
      whole(
        'title',
        [str('title', true)],
        it.titles.map((t) => (t === '' ? null : t)),
      ),
      vectorsOf('vector', it.vectors, it.d),
    ],
    n,
    it.d,
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
      whole('user_id', [str('user_id')], ids),
      whole('cluster', [int('cluster')], clusters),
      whole(
        'label',
        [str('label')],
        Array.from(clusters, (c) => labelOf(a.clusterLabels, c)),
      ),
      whole('x', [float('x')], x),
      whole('y', [float('y')], y),
    ],
    rows,
    5,
  );
}

/** centroids.parquet: cluster, label, size, vector (one row per cluster 0..K-1). */
export function centroidsParquet(c: CentroidsInput): ParquetResult {
  const k = c.sizes.length;
  checkMatrix(c.centres, k, c.d);
  return write(
    [
      whole(
        'cluster',
        [int('cluster')],
        Int32Array.from({ length: k }, (_, i) => i),
      ),
      whole(
        'label',
        [str('label')],
        Array.from({ length: k }, (_, i) => labelOf(c.clusterLabels, i)),
      ),
      whole('size', [int('size')], Int32Array.from(c.sizes)),
      vectorsOf('vector', c.centres, c.d),
    ],
    k,
    c.d,
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
