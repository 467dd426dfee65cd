// Parquet input: the same log as CSV and as Parquet (written by hyparquet-writer, and by DuckDB's
// COPY ... TO) gives the same events, sequences and rejected rows; a damaged file a clear error.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesStream, textStream } from '../../../test/streams';
import { analyzeStream, type Analysis } from '../analyze';
import { LogError } from '../types';
import type { PartReading } from './parts';
import { isParquet, timestampText } from './parquet';

const dir = mkdtempSync(join(tmpdir(), 'seqlens-parquet-in-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TYPES = ['view', 'view', 'cart', 'purchase'];
interface Row {
  user: string | null;
  item: number;
  type: string;
  time: number;
  price: number | null;
  title: string;
}

/** 90 events of 9 users over two days; one without a user id, some without a price. */
const ROWS: Row[] = Array.from({ length: 90 }, (_, i) => ({
  user: i === 37 ? null : `u${(i * 7) % 9}`,
  item: 100 + ((i * 13) % 11),
  type: TYPES[i % 4],
  time: Date.UTC(2020, 0, 1 + (i % 2), 8 + (i % 11), (i * 17) % 60, (i * 7) % 60),
  price: i % 5 === 0 ? null : 1 + (i % 7) * 0.25,
  title: `Item "${100 + ((i * 13) % 11)}", red`,
}));

const CSV = [
  'user_id,item_id,event_type,timestamp,price,title',
  ...ROWS.map((r) => `${r.user ?? ''},${r.item},${r.type},${timestampText(r.time)},${r.price ?? ''},"${r.title.replace(/"/g, '""')}"`),
].join('\n');

const analyze = (stream: ReadableStream<Uint8Array>, fileName: string, size: number, parts?: PartReading) =>
  analyzeStream(stream, { fileName, totalBytes: size, parts, sequence: { minLength: 1, dedupeSeconds: 0 } });

const fromCsv = () => analyze(textStream(CSV), 't.csv', CSV.length);
const fromParquet = (bytes: Uint8Array, chunk?: number) => analyze(bytesStream(bytes, chunk), 't.parquet', bytes.length);

/** Each sequence as its user and its events (item, type, time, price, title), in order. */
function sequencesOf(a: Analysis): string[] {
  const { table } = a.ingested;
  const s = a.sequences;
  const out: string[] = [];
  for (let i = 0; i < s.count; i++) {
    const events: string[] = [];
    for (let j = s.offsets[i]; j < s.offsets[i + 1]; j++) {
      const e = s.events[j];
      const item = table.item[e];
      events.push(`${table.items[item]}/${table.typeNames[table.type[e]]}/${table.time[e]}/${table.price[e]}/${table.itemTitle[item]}`);
    }
    out.push(`${table.users[s.key[i]]}: ${events.join(' ')}`);
  }
  return out.sort();
}

function hyparquetFile(rowGroupSize = 16): Uint8Array {
  return new Uint8Array(
    parquetWriteBuffer({
      rowGroupSize,
      columnData: [
        { name: 'user_id', data: ROWS.map((r) => r.user), type: 'STRING' },
        { name: 'item_id', data: Int32Array.from(ROWS, (r) => r.item), type: 'INT32' },
        { name: 'event_type', data: ROWS.map((r) => r.type), type: 'STRING' },
        { name: 'timestamp', data: ROWS.map((r) => new Date(r.time)), type: 'TIMESTAMP' },
        { name: 'price', data: ROWS.map((r) => r.price), type: 'DOUBLE' },
        { name: 'title', data: ROWS.map((r) => r.title), type: 'STRING' },
      ],
    }),
  );
}

describe('a Parquet log', () => {
  it('is recognised by its magic, whatever its name', () => {
    expect(isParquet(hyparquetFile())).toBe(true);
    expect(isParquet(new TextEncoder().encode(CSV))).toBe(false);
  });

  it('written by hyparquet-writer (typed columns, several row groups) gives the events, sequences and rejects of the CSV', async () => {
    const csv = await fromCsv();
    const bytes = hyparquetFile();
    // Chunks of every size: the file is read whole before its rows.
    for (const chunk of [7, 1 << 16]) {
      const pq = await fromParquet(bytes, chunk);
      expect(pq.report.file.format).toBe('parquet');
      expect(pq.ingested.detection.columns).toEqual(['user_id', 'item_id', 'event_type', 'timestamp', 'price', 'title']);
      expect(pq.ingested.detection.mapping).toEqual(csv.ingested.detection.mapping);
      expect(sequencesOf(pq)).toEqual(sequencesOf(csv));
      expect(pq.report.input.rows).toBe(csv.report.input.rows);
      expect(pq.report.input.accepted).toBe(csv.report.input.accepted);
      expect(pq.report.input.rejected.reasons).toEqual(csv.report.input.rejected.reasons);
      // Row numbers: the Parquet row index + 1 (the CSV's line numbers count its header).
      const missing = pq.report.input.rejected.reasons['missing user id'] ? pq.report.input.rejected.examples['missing user id'] : [];
      expect(missing).toEqual([38]);
      expect(csv.report.input.rejected.examples['missing user id']).toEqual([39]);
      expect(Array.from(pq.ingested.table.line.subarray(0, 3))).toEqual([1, 2, 3]);
    }
  });

  it('written by DuckDB (COPY ... TO from the CSV) gives the same sequences', async () => {
    const csvPath = join(dir, 'log.csv');
    const pqPath = join(dir, 'log.parquet');
    writeFileSync(csvPath, CSV);
    const instance = await DuckDBInstance.create(':memory:');
    try {
      const c = await instance.connect();
      await c.run(`COPY (SELECT * FROM read_csv('${csvPath}')) TO '${pqPath}' (FORMAT parquet)`);
      const types = (await c.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${pqPath}'))`)).getRows();
      // DuckDB types the columns itself: ids as integers, the time as a TIMESTAMP, the price as a DOUBLE.
      expect(Object.fromEntries(types)).toMatchObject({ item_id: 'BIGINT', timestamp: 'TIMESTAMP', price: 'DOUBLE' });
    } finally {
      instance.closeSync();
    }
    const bytes = new Uint8Array(readFileSync(pqPath));
    const pq = await fromParquet(bytes);
    const csv = await fromCsv();
    expect(sequencesOf(pq)).toEqual(sequencesOf(csv));
    expect(pq.report.input.rejected.reasons).toEqual(csv.report.input.rejected.reasons);
  });

  it('cut into parts by the caller (a large file): the rest is read here, the helpers stopped', async () => {
    const bytes = hyparquetFile();
    const cut = Math.floor(bytes.length / 3);
    let stopped = 0;
    const parts: PartReading = {
      cuts: [cut],
      start: () => {
        throw new Error('no helper reads a Parquet part');
      },
      bytesRead: () => 0,
      results: async () => [],
      stop: () => {
        stopped++;
      },
      openFrom: (start) => bytesStream(bytes.slice(start), 100),
    };
    const pq = await analyze(bytesStream(bytes.slice(0, cut)), 't.parquet', bytes.length, parts);
    expect(stopped).toBeGreaterThan(0);
    expect(sequencesOf(pq)).toEqual(sequencesOf(await fromCsv()));
  });

  it('reads strings, 64-bit integers, float32s, booleans and times as text; nulls as empty', async () => {
    const n = 60;
    const bytes = new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: 'user_id', data: Array.from({ length: n }, (_, i) => `c${i % 6}`), type: 'STRING' },
          { name: 'product_id', data: BigInt64Array.from({ length: n }, (_, i) => 9007199254740993n + BigInt(i % 4)), type: 'INT64' },
          { name: 'event_time', data: Array.from({ length: n }, (_, i) => new Date(Date.UTC(2021, 2, 1, 0, i, 0, i % 2 ? 250 : 0))), type: 'TIMESTAMP' },
          { name: 'price', data: Float32Array.from({ length: n }, (_, i) => 0.1 * (i + 1)), type: 'FLOAT' },
          { name: 'member', data: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : i % 2 === 0)), type: 'BOOLEAN' },
        ],
      }),
    );
    const pq = await fromParquet(bytes);
    const det = pq.ingested.detection;
    expect(det.samples[0]).toEqual(['c0', '9007199254740993', '2021-03-01 00:00:00', '0.1', '']);
    expect(det.samples[1]).toEqual(['c1', '9007199254740994', '2021-03-01 00:01:00.250', '0.2', 'false']);
    expect(det.mapping.user).toBe(0);
    expect(det.mapping.item).toBe(1);
    expect(det.mapping.time).toBe(2);
    expect(pq.ingested.table.items).toContain('9007199254740996');
    expect(pq.ingested.table.time[1]).toBe(Date.UTC(2021, 2, 1, 0, 1, 0, 250));
    expect(pq.report.input.accepted).toBe(n);
  });
});

describe('a damaged Parquet file', () => {
  async function errorOf(bytes: Uint8Array): Promise<LogError> {
    try {
      await fromParquet(bytes);
    } catch (e) {
      expect(e).toBeInstanceOf(LogError);
      return e as LogError;
    }
    throw new Error('expected a LogError');
  }

  it('cut short, its footer overwritten, or only the magic: a clear error, no crash', async () => {
    const good = hyparquetFile();
    const short = await errorOf(good.slice(0, Math.floor(good.length / 2)));
    expect(short.code).toBe('unreadable');
    expect(short.message).toMatch(/^This Parquet file cannot be read \(.+\)\. It may be damaged or cut short/);
    const footer = good.slice();
    const metaLength = new DataView(footer.buffer).getUint32(footer.length - 8, true);
    footer.fill(0xa5, footer.length - 8 - metaLength, footer.length - 8);
    expect((await errorOf(footer)).message).toMatch(/This Parquet file cannot be read/);
    expect((await errorOf(new TextEncoder().encode('PAR1'))).message).toMatch(/This Parquet file cannot be read/);
  });

  it('with damaged data pages: a clear error or rows read and checked, never a crash', async () => {
    const good = hyparquetFile(1000);
    const bad = good.slice();
    for (let i = 8; i < bad.length / 2; i += 5) bad[i] ^= 0x5a;
    try {
      const a = await fromParquet(bad);
      expect(a.report.input.rows).toBeLessThanOrEqual(ROWS.length);
    } catch (e) {
      expect(e).toBeInstanceOf(LogError);
    }
  });
});
