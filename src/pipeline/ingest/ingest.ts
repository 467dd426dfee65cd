// Reads a log from a byte stream into an EventTable: container sniffing (gzip, binary, archives),
// format and column detection on the first lines, then streaming record by record. Memory stays
// proportional to the events kept, never to the file: the bytes pass through in chunks.

import type { Detection, Progress, RoleMapping } from '../types';
import { LogError } from '../types';
import { CsvReader, sniffDelimiter } from './csv';
import { detectCurrency } from './currency';
import { detectMapping, layoutKey, missingFraction, roleMisfits, validateMapping } from './detect';
import { JsonlReader, sniffJsonShape } from './jsonl';
import { LineBlocks } from './lines';
import { RecordView } from './record';
import { RejectLog } from './rejects';
import { joinBytes, readAtLeast } from './bytes';
import { formatLineLimit, type PartFormat, type PartReading } from './parts';
import { EventTableBuilder, type EventTable } from './table';
import { readRulesFor, type ReadRules } from './readRules';
import type { DateOrder } from './timestamp';

export interface CancelToken {
  cancelled: boolean;
}

export interface IngestOptions {
  totalBytes: number | null;
  mapping?: RoleMapping;
  /** Asked once the columns are known, when `mapping` is unset: a mapping remembered for this layout. */
  mappingFor?: (detection: Detection) => RoleMapping | undefined;
  onProgress?: (p: Progress) => void;
  cancel?: CancelToken;
  /** Lines longer than this are skipped (and counted) rather than buffered. Default 16 MiB. */
  maxLineBytes?: number;
  /**
   * The rest of the file, read on helper threads: `stream` is then only the first part (up to
   * parts.cuts[0]). See parts.ts.
   */
  parts?: PartReading | null;
  /** Day/month order of numeric dates: 'auto' (default) settles it from the file's dates. */
  dateOrder?: DateOrder;
  /** Reading stops with a clear message past this many events (default DEFAULT_MAX_EVENTS). */
  maxEvents?: number;
}

export interface Ingested {
  table: EventTable;
  detection: Detection;
  /** Data rows seen (accepted + rejected); for nested JSON, events. */
  rows: number;
  rejects: RejectLog;
  warnings: string[];
  readMs: number;
  bytesRead: number;
  /** Threads that read the file: 1, or 1 + the helper parts absorbed. */
  readThreads: number;
}

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
/** Bytes of decoded text looked at before deciding format and columns. */
const SNIFF_BYTES = 64 * 1024;
const SAMPLE_RECORDS = 50;
const PROGRESS_EVERY_MS = 100;
/** Bytes of content looked at for zero bytes and control characters (see sniffBinary). */
const BINARY_SNIFF_BYTES = 8192;
/**
 * A file whose first this many content bytes hold a CR but no LF has old Mac (CR-only) line ends.
 * Fixed, not "whatever arrived first", so the verdict does not depend on how the stream is
 * chunked; half of BINARY_SNIFF_BYTES because UTF-16 text decodes to at least half its bytes.
 */
export const CR_ONLY_PROBE_BYTES = BINARY_SNIFF_BYTES / 2;
const YIELD_EVERY_MS = 80;

type Emit = (record: RecordView, line: number) => void;
type Reject = (r: string, line: number) => void;
/** What ingest needs of a format reader (CsvReader, JsonlReader). */
interface Reader {
  line: number;
  feed(block: string, emit: Emit, reject: Reject): void;
  finish(emit: Emit, reject: Reject): void;
  skipLine(): number;
  atRecordStart(): boolean;
}

export async function ingest(stream: ReadableStream<Uint8Array>, opts: IngestOptions): Promise<Ingested> {
  const started = performance.now();
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const rejects = new RejectLog();
  const warnings: string[] = [];

  const raw = stream.getReader();
  let bytesRead = 0;
  // Magic-number sniffing needs the first few bytes.
  const head = await readAtLeast(raw, 4);
  bytesRead += head.length;
  if (head.length === 0) throw new LogError('The file is empty: there is nothing to analyse.', 'empty');
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  // Parquet ("PAR1"): read whole by parquet.ts, its rows then go through the same detection and checks.
  const parquet = head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31;
  const parts = gzip || parquet ? null : (opts.parts ?? null);
  /** The stream's bytes as they come, counted into bytesRead. */
  const counting = (source: ReadableStreamDefaultReader<Uint8Array>, first: Uint8Array | null): ReadableStream<Uint8Array> =>
    new ReadableStream<Uint8Array>({
      start(c) {
        if (first) c.enqueue(first);
      },
      async pull(c) {
        const r = await source.read();
        if (r.done) c.close();
        else {
          bytesRead += r.value.length;
          c.enqueue(r.value);
        }
      },
      cancel(reason) {
        return source.cancel(reason);
      },
    });
  const counted = counting(raw, head);
  let data = (gzip ? counted.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>) : counted).getReader();

  let rows = 0;
  let absorbed = 0;
  let reader: Reader | null = null;
  let partFormat: PartFormat | null = null;
  let builder: EventTableBuilder | null = null;
  let detection: Detection | null = null;
  let columns = 0;
  let decodedBytes = 0;
  let badUtf8Lines = 0;
  /**
   * Applied to the content bytes before the line splitter, when the file needs it (see
   * startContent): UTF-16 decoded to UTF-8, CR-only line ends turned into LF. Such files are read
   * on this thread only (their bytes cannot be cut at a '\n' byte).
   */
  let transform: ((chunk: Uint8Array) => Uint8Array) | null = null;
  let flushTransform: (() => Uint8Array) | null = null;
  let rules: ReadRules | null = null;
  const sample: { fields: string[]; line: number }[] = [];
  let sniffText = '';

  const reject = (reason: string, line: number): void => {
    rows++;
    rejects.add(reason, line);
  };
  const emit = (record: RecordView, line: number): void => {
    if (builder === null) {
      sample.push({ fields: record.fields(), line });
      return;
    }
    rows++;
    if (record.count !== columns) {
      rejects.add(record.count < columns ? 'too few fields' : 'too many fields', line);
      return;
    }
    builder.add(record, line);
  };
  const blocks = new LineBlocks(maxLine, {
    overlong() {
      // Lines still held for sniffing come before the skipped one: read them first so numbering holds.
      if (reader === null) {
        if (sniffText.trim() === '')
          throw new LogError(`The first line is longer than ${formatLineLimit(maxLine)}: this is not a CSV or JSON Lines log.`, 'unreadable', 1);
        const text = begin(sniffText);
        sniffText = '';
        (reader as Reader | null)!.feed(text, emit, reject);
      }
      reject(`line longer than ${formatLineLimit(maxLine)}`, (reader as Reader).skipLine());
    },
  });

  const feed = (text: string): void => {
    if (text === '') return;
    decodedBytes += text.length;
    if (text.indexOf('\uFFFD') >= 0) badUtf8Lines++;
    if (reader === null) {
      sniffText += text;
      if (sniffText.length < SNIFF_BYTES) return;
      text = begin(sniffText);
      sniffText = '';
    }
    (reader as Reader | null)!.feed(text, emit, reject);
    if (builder === null && sample.length > SAMPLE_RECORDS) startBuilder();
  };

  /** Starts the format reader on the first text; returns the text to feed it (without an Excel `sep=` line). */
  const begin = (text: string): string => {
    const sep = /^"?sep=([^\r\n"])"?\r?\n/i.exec(text);
    if (sep) {
      // Excel's first line naming the delimiter: honoured, and counted as line 1.
      const r = new CsvReader(sep[1], maxLine);
      r.line = 1;
      detection = { format: 'csv', delimiter: sep[1], gzip, columns: [], samples: [], mapping: {}, layoutKey: '' };
      partFormat = { kind: 'csv', delimiter: sep[1] };
      reader = r;
      return text.slice(sep[0].length);
    }
    reader = startReader(text);
    return text;
  };

  const startReader = (text: string): Reader => {
    const first = text.trimStart();
    if (first.startsWith('{')) {
      const shape = sniffJsonShape(text);
      if (shape.columns.length === 0)
        throw new LogError('The file looks like JSON Lines, but none of its first lines is a JSON object. Check the export.', 'unreadable', 1);
      detection = {
        format: 'jsonl',
        gzip,
        columns: shape.columns,
        samples: [],
        mapping: {},
        layoutKey: layoutKey('jsonl', shape.columns),
        ...(shape.nested ? { nested: shape.nested } : {}),
      };
      columns = shape.columns.length;
      partFormat = { kind: 'jsonl', shape };
      return new JsonlReader(shape);
    }
    if (first.startsWith('[')) {
      throw new LogError('This is a JSON array, not JSON Lines. Save it with one JSON object per line (JSONL) and open it again.', 'unreadable', 1);
    }
    const delimiter = sniffDelimiter(text.slice(0, 16384));
    detection = { format: 'csv', delimiter, gzip, columns: [], samples: [], mapping: {}, layoutKey: '' };
    partFormat = { kind: 'csv', delimiter };
    return new CsvReader(delimiter, maxLine);
  };

  /** Decides columns and mapping from the sample, then replays the sample into the table. */
  const startBuilder = (): void => {
    const det = detection!;
    let records = sample.splice(0);
    if (det.format === 'csv') {
      const header = records.shift();
      if (!header) return;
      det.columns = headerNames(header.fields);
      det.layoutKey = layoutKey('csv', det.columns);
      columns = det.columns.length;
    }
    // The first SAMPLE_RECORDS records, not the first that fit: how many records reached the sample
    // depends on where the stream's chunks end, and detection must not.
    det.samples = records
      .slice(0, SAMPLE_RECORDS)
      .filter((r) => r.fields.length === columns)
      .map((r) => r.fields);
    const detected = detectMapping(det.columns, det.samples);
    let mapping = detected;
    if (opts.mapping) {
      const problem = validateMapping(opts.mapping, columns);
      if (problem) throw new LogError(`The column mapping does not fit this file: ${problem}`, 'bad-mapping', undefined, { ...det, mapping: detected });
      mapping = opts.mapping;
    } else if (opts.mappingFor) {
      const remembered = opts.mappingFor({ ...det, mapping: detected });
      if (remembered) {
        const problem = validateMapping(remembered, columns);
        if (problem) warnings.push(`Your saved column mapping for this layout was not used: ${problem}`);
        else mapping = remembered;
      }
    }
    det.mapping = mapping;
    warnings.push(...roleMisfits(det.columns, det.samples, mapping));
    requireUsableMapping(det);
    rules = readRulesFor(mapping, det.samples, { dateOrder: opts.dateOrder, maxEvents: opts.maxEvents });
    const comma = (['price', 'quantity'] as const).filter(
      (role) => mapping[role] !== undefined && rules![role === 'price' ? 'priceMark' : 'quantityMark'] === ',',
    );
    if (comma.length > 0) det.decimalComma = comma;
    det.currency = detectCurrency(det.columns, det.samples, mapping);
    // Rows per byte so far (the sample and its header came from decodedBytes characters) sizes the
    // table's columns for the whole file, parts read by helpers included, as they are absorbed
    // here (a compressed size says nothing).
    const rowsPerByte = decodedBytes > 0 ? (records.length + 1) / decodedBytes : 0;
    builder = new EventTableBuilder(mapping, rejects, gzip ? 0 : Math.round((opts.totalBytes ?? 0) * rowsPerByte), rules);
    builder.attachBlock(blocks.block);
    // The columns are known: the helpers can start on the rest of the file.
    if (parts && partFormat && transform === null) parts.start({ format: partFormat, columns, mapping, maxLineBytes: maxLine, rowsPerByte, rules });
    const replay = new RecordView();
    for (const r of records) {
      replay.setStrings(r.fields);
      emit(replay, r.line);
    }
    records = [];
  };

  /**
   * A Parquet file: all its bytes (the stream, and the rest of the file when the caller cut it into
   * parts), then its rows as text fields, numbered from 1 (row index + 1) in rejected-row reasons.
   */
  const readParquet = async (): Promise<void> => {
    const chunks: Uint8Array[] = [];
    for (let r = await data.read(); !r.done; r = await data.read()) chunks.push(r.value);
    if (opts.parts) {
      const rest = counting(opts.parts.openFrom(opts.parts.cuts[0]).getReader(), null).getReader();
      opts.parts.stop();
      for (let r = await rest.read(); !r.done; r = await rest.read()) chunks.push(r.value);
    }
    const { openParquet } = await import('./parquet');
    const log = openParquet(joinBytes(chunks));
    detection = { format: 'parquet', gzip: false, columns: log.columns, samples: [], mapping: {}, layoutKey: layoutKey('parquet', log.columns) };
    columns = log.columns.length;
    // Rows come as fields, not text: a reader with nothing to feed keeps the steps below as they are.
    reader = { line: log.rows, feed() {}, finish() {}, skipLine: () => 0, atRecordStart: () => true };
    const view = new RecordView();
    await log.read(
      (fields, index) => {
        view.setStrings(fields);
        emit(view, index + 1);
        if (builder === null && sample.length > SAMPLE_RECORDS) startBuilder();
      },
      async () => {
        if (opts.cancel?.cancelled) throw new LogError('Cancelled.', 'cancelled');
        progress('read');
        await nextMacrotask();
      },
    );
  };

  /** Content chunks held until the first BINARY_SNIFF_BYTES are in hand; null once sniffed. */
  let early: Uint8Array[] | null = [];
  let earlyBytes = 0;
  let lastProgress = started;
  let lastYield = started;
  const progress = (stage: Progress['stage']): void => {
    const now = performance.now();
    const secs = Math.max(1e-3, (now - started) / 1000);
    const read = bytesRead + (parts?.bytesRead() ?? 0);
    opts.onProgress?.({
      stage,
      bytesRead: read,
      totalBytes: opts.totalBytes,
      rows,
      rowsPerSecond: rows / secs,
      fraction: opts.totalBytes ? Math.min(1, read / opts.totalBytes) : null,
    });
  };

  /**
   * The first content bytes are in hand: refuses binaries and archives, sets up the transform a
   * UTF-16 file or one with CR-only line ends needs, then feeds the chunks on as they came (the
   * line splitter's handling of long lines depends on them).
   */
  const startContent = (held: Uint8Array[]): void => {
    const head = joinBytes(held, earlyBytes);
    const utf16 = sniffBinary(head);
    let chunks = held;
    if (utf16) {
      const decoder = new TextDecoder(utf16);
      const encoder = new TextEncoder();
      transform = (c) => encoder.encode(decoder.decode(c, { stream: true }));
      flushTransform = () => encoder.encode(decoder.decode());
      chunks = held.map(transform);
    }
    const probe = utf16 ? joinBytes(chunks) : head;
    // Binary data with every other byte zero looks like UTF-16 by its bytes; its text does not.
    if (utf16) refuseControlBytes(probe);
    const lineEnds = probe.subarray(0, CR_ONLY_PROBE_BYTES);
    if (lineEnds.indexOf(10) < 0 && lineEnds.indexOf(13) >= 0) {
      // Old Mac line ends: every CR becomes LF (a CR inside a quoted field too, as in a CRLF file).
      const inner = transform;
      transform = inner ? (c) => crToLf(inner(c)) : crToLf;
      if (flushTransform) {
        const flush = flushTransform;
        flushTransform = () => crToLf(flush());
      }
      chunks = chunks.map(crToLf);
    }
    for (const c of chunks) feed(blocks.push(c));
  };

  const pump = async (): Promise<void> => {
    for (;;) {
      if (opts.cancel?.cancelled) throw new LogError('Cancelled.', 'cancelled');
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await data.read();
      } catch (err) {
        throw readError(err, gzip, decodedBytes, (reader as Reader | null)?.line);
      }
      if (r.done) break;
      if (early !== null) {
        // Binary sniffing sees exactly the first BINARY_SNIFF_BYTES, however the stream is chunked
        // (sniffing each early chunk on its own made the verdict depend on chunk boundaries).
        early.push(r.value);
        earlyBytes += r.value.length;
        if (earlyBytes < BINARY_SNIFF_BYTES) continue;
        const held = early;
        early = null;
        startContent(held);
      } else {
        const t = transform as ((chunk: Uint8Array) => Uint8Array) | null;
        feed(blocks.push(t ? t(r.value) : r.value));
      }
      const now = performance.now();
      if (now - lastProgress > PROGRESS_EVERY_MS) {
        lastProgress = now;
        progress('read');
      }
      if (now - lastYield > YIELD_EVERY_MS) {
        // Let the worker see a cancel message even when reads resolve without a macrotask.
        await nextMacrotask();
        lastYield = performance.now();
      }
    }
  };

  try {
    await (parquet ? readParquet() : pump());
    if (parts) {
      // The first part is read. Take the helpers' parts in order while each starts at a record
      // boundary; from the first that does not (or whose helper failed), read on here.
      let from: number | null = parts.cuts[0];
      if (builder !== null && reader !== null && early === null && transform === null && (reader as Reader).atRecordStart()) {
        const results = await untilCancelled(parts, opts.cancel, () => progress('read'));
        const b = builder as EventTableBuilder;
        const r = reader as Reader;
        from = null;
        for (let i = 0; i < results.length; i++) {
          const part = results[i];
          if (part === null || (i < results.length - 1 && !part.endClean)) {
            from = parts.cuts[i];
            break;
          }
          b.absorb(part.part, r.line);
          absorbed++;
          rejects.appendShifted(part.rejects, r.line);
          r.line += part.lines;
          rows += part.rows;
          badUtf8Lines += part.badUtf8Blocks;
          bytesRead += part.bytes;
        }
      }
      parts.stop();
      if (from !== null) {
        data = counting(parts.openFrom(from).getReader(), null).getReader();
        await pump();
      }
    }
    if (early !== null && earlyBytes > 0) {
      const held = early;
      early = null;
      startContent(held);
    }
    const flush = flushTransform as (() => Uint8Array) | null;
    if (flush) feed(blocks.push(flush()));
    const tail = blocks.end();
    if (reader === null) {
      const all = sniffText + tail;
      sniffText = '';
      if (all.trim() === '') throw new LogError('The file is empty: there is nothing to analyse.', 'empty');
      const text = begin(all);
      (reader as Reader | null)!.feed(text, emit, reject);
    } else if (tail !== '') {
      (reader as unknown as Reader).feed(tail, emit, reject);
    }
    (reader as unknown as Reader).finish(emit, reject);
    if (builder === null) startBuilder();
  } catch (err) {
    parts?.stop();
    await data.cancel().catch(() => undefined);
    throw err;
  }

  const det = detection!;
  if (builder === null || rows === 0) {
    throw new LogError(
      det.format === 'csv'
        ? 'The file has a header but no data rows.'
        : det.format === 'parquet'
          ? 'The Parquet file has no rows.'
          : 'The file has no readable JSON lines.',
      'no-data-rows',
      undefined,
      det,
    );
  }
  const b = builder as EventTableBuilder;
  const table = b.build();
  if (b.dateOrder) {
    det.dateOrder = { order: b.dateOrder.order, how: b.dateOrder.how };
    warnings.push(...b.dateOrder.notes);
  }
  if (det.decimalComma)
    warnings.push(
      `Amounts in ${det.decimalComma.map((r) => `the ${r} column`).join(' and ')} are written with a decimal comma (2,50 = 2.5) and were read that way.`,
    );
  if (badUtf8Lines > 0) warnings.push('Some text is not valid UTF-8 and shows as �. Re-save the file as UTF-8 for correct titles.');
  if (!table.hasTime) warnings.push('No timestamp column was found: events keep their file order, and recency and session gaps are not available.');
  if (table.length === 0) warnings.push('Every row was rejected: check the reasons below and the column mapping.');
  progress('read');
  return { table, detection: det, rows, rejects, warnings, readMs: performance.now() - started, bytesRead, readThreads: 1 + absorbed };
}

/**
 * Resolves on a fresh macrotask, so queued messages (a cancel) get handled. Browsers clamp nested
 * setTimeout(0) to 4 ms; a MessageChannel round trip is not clamped. Node has setImmediate.
 */
function nextMacrotask(): Promise<void> {
  const g = globalThis as { setImmediate?: (cb: () => void) => void };
  if (typeof g.setImmediate === 'function') return new Promise((res) => g.setImmediate!(res));
  if (typeof MessageChannel === 'function') {
    return new Promise((res) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        res();
      };
      ch.port2.postMessage(null);
    });
  }
  return new Promise((res) => setTimeout(res, 0));
}

/** The helpers' parts, or a cancellation (checked every 50 ms, with a progress report). */
async function untilCancelled(parts: PartReading, cancel: CancelToken | undefined, tick: () => void) {
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    return await Promise.race([
      parts.results(),
      new Promise<never>((_, reject) => {
        timer = setInterval(() => {
          if (cancel?.cancelled) reject(new LogError('Cancelled.', 'cancelled'));
          else tick();
        }, 50);
      }),
    ]);
  } finally {
    clearInterval(timer);
  }
}

/** A copy of the chunk with every CR byte turned into LF. */
function crToLf(chunk: Uint8Array): Uint8Array {
  let i = chunk.indexOf(13);
  if (i < 0) return chunk;
  const out = chunk.slice();
  for (; i >= 0; i = out.indexOf(13, i + 1)) out[i] = 10;
  return out;
}

/**
 * UTF-16 text from its byte-order mark, or without one from where its zero bytes fall: text that is
 * mostly ASCII has a zero in every other byte (odd positions little-endian, even big-endian).
 */
function sniffUtf16(b: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  if (b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  const pairs = Math.min(b.length, BINARY_SNIFF_BYTES) >> 1;
  if (pairs < 2) return null;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < pairs; i++) {
    if (b[2 * i] === 0) evenZero++;
    if (b[2 * i + 1] === 0) oddZero++;
  }
  if (oddZero >= pairs * 0.6 && evenZero <= pairs * 0.02) return 'utf-16le';
  if (evenZero >= pairs * 0.6 && oddZero <= pairs * 0.02) return 'utf-16be';
  return null;
}

/** Refuses archives and binaries; returns the encoding of UTF-16 text (null: read as UTF-8). */
function sniffBinary(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const b = bytes;
  if (b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04) {
    throw new LogError('This is a ZIP archive (or an Excel .xlsx file). Unzip it, or export the sheet as CSV, and open that file.', 'archive', 1);
  }
  const utf16 = sniffUtf16(b);
  if (utf16) return utf16;
  refuseControlBytes(b);
  return null;
}

/** Refuses text whose first bytes hold a zero or too many control characters (the UTF-8 of a UTF-16 file's text, too). */
function refuseControlBytes(b: Uint8Array): void {
  const limit = Math.min(b.length, BINARY_SNIFF_BYTES);
  let control = 0;
  for (let i = 0; i < limit; i++) {
    const c = b[i];
    if (c === 0) throw new LogError('This is a binary file, not a CSV or JSON Lines log (it contains zero bytes near the start).', 'binary', 1);
    if (c < 9 || (c > 13 && c < 32 && c !== 27)) control++;
  }
  if (limit > 0 && control / limit > 0.05) throw new LogError('This is a binary file, not a CSV or JSON Lines log (too many control characters).', 'binary', 1);
}

function readError(err: unknown, gzip: boolean, decodedBytes: number, line: number | undefined): LogError {
  const at = line ? ` around line ${line.toLocaleString('en')}` : '';
  if (gzip) {
    return new LogError(
      `The .gz file is truncated or corrupt: it ends early${at} (after ${decodedBytes.toLocaleString('en')} characters). Download or export it again.`,
      'truncated-gzip',
      line,
    );
  }
  const msg = err instanceof Error ? err.message : String(err);
  return new LogError(`The file could not be read${at}: ${msg}`, 'unreadable', line);
}

function headerNames(fields: string[]): string[] {
  const seen = new Map<string, number>();
  return fields.map((f, i) => {
    let name = f.trim() || `column ${i + 1}`;
    const n = seen.get(name) ?? 0;
    seen.set(name, n + 1);
    if (n > 0) name = `${name} (${n + 1})`;
    return name;
  });
}

function requireUsableMapping(det: Detection): void {
  const list = det.columns.map((c) => `"${c}"`).join(', ');
  if (det.mapping.item === undefined) {
    throw new LogError(
      `No item (product) column was recognised among ${list}. Choose which column holds the item id in the column mapping.`,
      'no-user-or-item',
      undefined,
      det,
    );
  }
  const m = det.mapping;
  if (m.user === undefined && m.session === undefined && m.invoice === undefined) {
    throw new LogError(
      `No user, session or invoice column was recognised among ${list}. Choose which column identifies the shopper in the column mapping.`,
      'no-user-or-item',
      undefined,
      det,
    );
  }
}

/** Whether the user column is too sparse to group by (Diginetica's user_id is mostly "NA"). */
export function userColumnUsable(det: Detection): boolean {
  return det.mapping.user !== undefined && missingFraction(det.samples, det.mapping.user) < 0.5;
}
