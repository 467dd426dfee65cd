import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { assignmentsParquet, centroidsParquet, clusterCentres, itemVectorsParquet, userVectorsParquet } from './parquet';

const IDS = ['u1', 'has "quote"', 'a,b', 'two\nlines', '=cmd', 'ünï'];
const LABELS = Int32Array.from([1, 0, 1, 2, 0, 2]);
const CLUSTER_LABELS = ['Browsers', 'Buyers', 'Cart, abandoners'];
const D = 5;
const VECTORS = Float32Array.from({ length: IDS.length * D }, (_, i) => Math.sin(i + 1) * (i % 3 === 0 ? 100 : 0.01));

const dir = mkdtempSync(join(tmpdir(), 'seqlens-parquet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The file's bytes read back with hyparquet, as row objects. */
const readBack = (bytes: Uint8Array) => parquetReadObjects({ file: bytes.slice().buffer });

/** Rows of a DuckDB query over the file written to disk (read_parquet on `path`). */
async function duck(bytes: Uint8Array, name: string, sql: (path: string) => string): Promise<Record<string, unknown>[]> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const c = await instance.connect();
    const r = await c.runAndReadAll(sql(`read_parquet('${path}')`));
    return r.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    instance.closeSync();
  }
}

const row = (i: number): number[] => Array.from(VECTORS.subarray(i * D, (i + 1) * D));

describe('user_vectors.parquet', () => {
  const out = userVectorsParquet({ ids: IDS, labels: LABELS, clusterLabels: CLUSTER_LABELS, vectors: VECTORS, d: D });

  it('starts and ends with the Parquet magic and reads back with the same values', async () => {
    expect(out.rows).toBe(IDS.length);
    expect(new TextDecoder().decode(out.bytes.subarray(0, 4))).toBe('PAR1');
    expect(new TextDecoder().decode(out.bytes.subarray(out.bytes.length - 4))).toBe('PAR1');
    const rows = await readBack(out.bytes);
    expect(rows).toEqual(IDS.map((id, i) => ({ user_id: id, cluster: LABELS[i], label: CLUSTER_LABELS[LABELS[i]], vector: row(i) })));
  });

  it('is a FLOAT list column in the schema (what DuckDB reads as FLOAT[])', () => {
    const names = parquetMetadata(out.bytes.slice().buffer).schema.map((e) => `${e.name}:${e.type ?? e.converted_type ?? ''}`);
    expect(names).toEqual(['root:', 'user_id:BYTE_ARRAY', 'cluster:INT32', 'label:BYTE_ARRAY', 'vector:LIST', 'list:', 'element:FLOAT']);
  });

  it('opens in DuckDB: rows, the vector type and values', async () => {
    const rows = await duck(
      out.bytes,
      'user_vectors.parquet',
      (f) => `SELECT user_id, cluster, label, vector, typeof(vector) AS t FROM ${f} ORDER BY cluster, user_id`,
    );
    expect(rows).toHaveLength(IDS.length);
    expect(rows.every((r) => r.t === 'FLOAT[]')).toBe(true);
    const i = IDS.indexOf('two\nlines');
    const got = rows.find((r) => r.user_id === 'two\nlines')!;
    expect(got.cluster).toBe(2);
    expect(got.label).toBe('Cart, abandoners');
    expect(got.vector).toEqual(row(i));
    const [{ d }] = await duck(out.bytes, 'user_vectors.parquet', (f) => `SELECT max(len(vector))::INTEGER AS d FROM ${f}`);
    expect(d).toBe(D);
  });

  it('refuses vectors that do not fit the ids', () => {
    expect(() => userVectorsParquet({ ids: IDS, labels: LABELS, clusterLabels: CLUSTER_LABELS, vectors: VECTORS.subarray(1), d: D })).toThrow(RangeError);
    expect(() => userVectorsParquet({ ids: IDS.slice(1), labels: LABELS, clusterLabels: CLUSTER_LABELS, vectors: VECTORS, d: D })).toThrow(RangeError);
  });
});

describe('many rows: written a row group at a time', () => {
  // Big enough for three row groups (about a million values each; GROUP_VALUES): every row must
  // come back once, in order, in hyparquet and in DuckDB.
  const n = 2_500;
  const d = 1_000;
  const ids = Array.from({ length: n }, (_, i) => `u${i}`);
  const labels = Int32Array.from({ length: n }, (_, i) => i % 3);
  const vectors = Float32Array.from({ length: n * d }, (_, i) => ((i * 7919) % 1000) / 250 - 2);
  const out = userVectorsParquet({ ids, labels, clusterLabels: CLUSTER_LABELS, vectors, d });

  it('has several row groups that read back as the whole matrix', async () => {
    const meta = parquetMetadata(out.bytes.slice().buffer);
    expect(meta.row_groups.length).toBe(3);
    expect(Number(meta.num_rows)).toBe(n);
    const rows = await readBack(out.bytes);
    expect(rows).toHaveLength(n);
    for (const i of [0, 1_047, 1_048, 2_095, 2_096, n - 1]) {
      expect(rows[i].user_id).toBe(`u${i}`);
      expect(rows[i].cluster).toBe(i % 3);
      expect(rows[i].vector).toEqual(Array.from(vectors.subarray(i * d, (i + 1) * d)));
    }
    const duckRows = await duck(out.bytes, 'many.parquet', (f) => `SELECT count(*)::INTEGER AS n, sum(vector[${d}])::DOUBLE AS last FROM ${f}`);
    let last = 0;
    for (let i = 0; i < n; i++) last += vectors[i * d + d - 1];
    expect(duckRows[0].n).toBe(n);
    expect(duckRows[0].last as number).toBeCloseTo(last, 6);
  });
});

describe('item_vectors.parquet', () => {
  const ids = ['85123A', '71053', 'POST'];
  const titles = ['WHITE HANGING HEART T-LIGHT HOLDER', 'WHITE METAL LANTERN', ''];
  const vectors = Float64Array.from({ length: 3 * 4 }, (_, i) => i / 3 - 1);
  const out = itemVectorsParquet({ ids, titles, vectors, d: 4 });

  it('reads back: ids, titles (null when none) and float32 vectors', async () => {
    const rows = await readBack(out.bytes);
    expect(rows).toEqual(
      ids.map((id, i) => ({ item_id: id, title: titles[i] === '' ? null : titles[i], vector: Array.from(vectors.subarray(i * 4, i * 4 + 4), Math.fround) })),
    );
  });

  it('opens in DuckDB', async () => {
    const rows = await duck(out.bytes, 'item_vectors.parquet', (f) => `SELECT item_id, title, vector[2] AS v2 FROM ${f} ORDER BY item_id`);
    expect(rows.map((r) => r.item_id)).toEqual(['71053', '85123A', 'POST']);
    expect(rows[2].title).toBeNull();
    expect(rows[0].v2).toBe(Math.fround(vectors[5]));
  });
});

describe('assignments.parquet', () => {
  const coords = Float32Array.from({ length: IDS.length * 2 }, (_, i) => i * 0.1 - 0.3);
  const input = { ids: IDS, labels: LABELS, coords, clusterLabels: CLUSTER_LABELS, selection: null, tooLittleHistory: ['late1', 'late2'] };

  it('has the rows of assignments.csv: every sequence, then too little history (cluster -1, no position)', async () => {
    const out = assignmentsParquet(input);
    expect(out.rows).toBe(IDS.length + 2);
    const rows = await readBack(out.bytes);
    expect(rows.slice(0, IDS.length)).toEqual(
      IDS.map((id, i) => ({ user_id: id, cluster: LABELS[i], label: CLUSTER_LABELS[LABELS[i]], x: coords[2 * i], y: coords[2 * i + 1] })),
    );
    expect(rows.slice(IDS.length)).toEqual([
      { user_id: 'late1', cluster: -1, label: 'Too little history yet', x: null, y: null },
      { user_id: 'late2', cluster: -1, label: 'Too little history yet', x: null, y: null },
    ]);
    const [counts] = await duck(
      out.bytes,
      'assignments.parquet',
      (f) => `SELECT count(*)::INTEGER AS n, count(x)::INTEGER AS placed, min(cluster) AS lo FROM ${f}`,
    );
    expect(counts).toEqual({ n: IDS.length + 2, placed: IDS.length, lo: -1 });
  });

  it('without a map, x and y are null; a selection keeps its order and nothing else', async () => {
    const out = assignmentsParquet({ ...input, coords: null, selection: Int32Array.from([4, 1]), tooLittleHistory: [] });
    expect(await readBack(out.bytes)).toEqual([
      { user_id: '=cmd', cluster: 0, label: 'Browsers', x: null, y: null },
      { user_id: 'has "quote"', cluster: 0, label: 'Browsers', x: null, y: null },
    ]);
  });
});

describe('centroids.parquet', () => {
  it('holds the mean of each cluster, equal to the members averaged here', async () => {
    const { centres, sizes } = clusterCentres(VECTORS, IDS.length, D, LABELS, 4);
    expect(Array.from(sizes)).toEqual([2, 2, 2, 0]);
    for (let j = 0; j < D; j++) expect(centres[D + j]).toBeCloseTo((VECTORS[j] + VECTORS[2 * D + j]) / 2, 4);
    expect(Array.from(centres.subarray(3 * D))).toEqual(new Array(D).fill(0));
    const out = centroidsParquet({ centres, d: D, clusterLabels: CLUSTER_LABELS, sizes });
    const rows = await readBack(out.bytes);
    expect(rows.map((r) => [r.cluster, r.label, r.size])).toEqual([
      [0, 'Browsers', 2],
      [1, 'Buyers', 2],
      [2, 'Cart, abandoners', 2],
      [3, '', 0],
    ]);
    expect(rows[1].vector).toEqual(Array.from(centres.subarray(D, 2 * D)));
    const duckRows = await duck(out.bytes, 'centroids.parquet', (f) => `SELECT cluster, vector FROM ${f} WHERE size > 0 ORDER BY cluster`);
    expect(duckRows.map((r) => r.cluster)).toEqual([0, 1, 2]);
    expect(duckRows[2].vector).toEqual(Array.from(centres.subarray(2 * D, 3 * D)));
  });
});
