// Parquet input: a log exported from a warehouse, pandas or DuckDB as a .parquet file. The file is
// recognised by its magic ("PAR1"), not its name; ingest.ts hands its bytes here and gets the rows
// back as text fields, one string per top-level column, which then go through the same column
// detection, mapping and row checks as a CSV's. Read with hyparquet (pure JavaScript, MIT), loaded
// only when a Parquet file is opened.
//
// Values as text: strings as they are; nulls empty; integers (INT64 too) in decimal; FLOAT
// (float32) in the shortest form that reads back as the same float32, DOUBLE as JavaScript writes
// it; timestamps (any unit, INT96 too) and dates as "YYYY-MM-DD HH:MM:SS[.mmm]" / "YYYY-MM-DD" in
// UTC, as the CSV reader reads a naive time; booleans true/false; nested values (lists, structs)
// as JSON. A file is read whole (Parquet keeps its index at the end), a row group at a time.

import { parquetMetadata, parquetRead, parquetSchema, type FileMetaData } from 'hyparquet';
import { LogError } from '../types';

/** Whether the first bytes are Parquet's magic "PAR1". */
export function isParquet(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31;
}

export interface ParquetLog {
  /** Top-level column names. */
  columns: string[];
  rows: number;
  /**
   * Calls `row` with each row's fields (a fresh array) and its 0-based index, in file order; `tick`
   * runs between row groups (progress, cancellation: it may throw).
   */
  read(row: (fields: string[], index: number) => void, tick?: () => Promise<void> | void): Promise<void>;
}

const pad = (v: number, n = 2): string => String(v).padStart(n, '0');

/** ms since the epoch as "YYYY-MM-DD HH:MM:SS", with ".mmm" when there are milliseconds (UTC). */
export function timestampText(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (y < 0 || y > 9999) return '';
  const base = `${pad(y, 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const frac = d.getUTCMilliseconds();
  return frac === 0 ? base : `${base}.${pad(frac, 3)}`;
}

/** The shortest decimal that reads back as the same float32 (as the exports write floats). */
function float32Text(v: number): string {
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return String(Number(s));
  }
  return String(f);
}

const bigintJson = (_: string, v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);

/** One value as the text a CSV cell would hold. */
function text(v: unknown, float32: boolean): string {
  if (v === null || v === undefined) return '';
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      if (!Number.isFinite(v)) return '';
      return float32 ? float32Text(v) : String(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      if (v instanceof Date) return timestampText(v.getTime());
      return JSON.stringify(v, bigintJson) ?? '';
  }
}

/** Dates and times straight to text: no Date object per value. */
const PARSERS = {
  timestampFromMilliseconds: (ms: bigint) => timestampText(Number(ms)),
  timestampFromMicroseconds: (us: bigint) => timestampText(Number(us / 1000n)),
  timestampFromNanoseconds: (ns: bigint) => timestampText(Number(ns / 1000000n)),
  dateFromDays: (days: number) => timestampText(days * 86_400_000).slice(0, 10),
};

function damaged(why: unknown): LogError {
  const detail = why instanceof Error ? why.message : String(why);
  return new LogError(`This Parquet file cannot be read (${detail}). It may be damaged or cut short: export it again, or save it as CSV.`, 'unreadable');
}

/** Opens a whole Parquet file: its columns and row count now, its rows on read(). Throws LogError when it cannot be read. */
export function openParquet(bytes: Uint8Array): ParquetLog {
  if (bytes.length < 12 || !isParquet(bytes.subarray(bytes.length - 4))) {
    throw damaged(new Error('it does not end with the Parquet footer'));
  }
  const file = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
  let metadata: FileMetaData;
  let columns: string[];
  let float32: boolean[];
  try {
    metadata = parquetMetadata(file as ArrayBuffer);
    const top = parquetSchema(metadata).children;
    columns = top.map((c) => c.element.name);
    float32 = top.map((c) => c.element.type === 'FLOAT');
  } catch (e) {
    throw damaged(e);
  }
  if (columns.length === 0) throw new LogError('This Parquet file has no columns.', 'unreadable');
  const rows = Number(metadata.num_rows);
  return {
    columns,
    rows,
    async read(row, tick) {
      let start = 0;
      for (const group of metadata.row_groups) {
        const end = start + Number(group.num_rows);
        let got: unknown[][] = [];
        try {
          await parquetRead({
            file: file as ArrayBuffer,
            metadata,
            rowStart: start,
            rowEnd: end,
            parsers: PARSERS,
            onComplete: (r) => {
              got = r;
            },
          });
        } catch (e) {
          throw damaged(e);
        }
        if (got.length !== end - start) throw damaged(new Error(`row group at row ${start + 1} holds ${got.length} rows, not ${end - start}`));
        for (let i = 0; i < got.length; i++) {
          const values = got[i];
          const fields = new Array<string>(columns.length);
          for (let j = 0; j < columns.length; j++) fields[j] = text(values[j], float32[j]);
          row(fields, start + i);
        }
        start = end;
        await tick?.();
      }
    },
  };
}
