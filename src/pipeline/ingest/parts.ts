// Reading one large log on several threads. The file is cut at line ends into parts; the calling
// thread reads the first part as usual (format and column detection included) and, as soon as the
// columns are known, helper threads read the others with the same format and mapping. Each helper
// builds a table of its own; the caller then absorbs them in file order (EventTableBuilder.absorb),
// which gives the table, line numbers and reject log that one reader would have produced.
//
// A cut is only a guess at a record boundary: a quoted CSV field may hold line breaks. The guess is
// checked when the part before it has been read: if that reader ended inside a quoted field, the
// part after the cut (and everything after it) is read again on the calling thread, continuing from
// where the reader stopped. A helper that fails costs the same. Gzip files are never cut.
import type { RoleMapping } from '../types';
import type { HelperEndpoint, HelperThreads, ThreadPort } from '../threads';
import { readAtLeast } from './bytes';
import { CsvReader } from './csv';
import { JsonlReader, type JsonShape } from './jsonl';
import { LineBlocks } from './lines';
import type { RecordView } from './record';
import { RejectLog, type RejectEntry } from './rejects';
import { EventTableBuilder, type TablePart } from './table';
import type { ReadRules } from './readRules';

/** Bytes of a log that can be opened at any offset: a File in the browser, a path in Node. */
export interface ByteSource {
  size: number;
  open(start: number, end: number): ReadableStream<Uint8Array>;
  /** What a helper thread needs to open the same bytes itself (a Blob, a path); null: it cannot. */
  shared: SharedSource | null;
}

export type SharedSource = { kind: 'blob'; blob: Blob } | { kind: 'path'; path: string };

/** A Blob (a File the user chose) as a ByteSource; helpers get the Blob itself, which no copy makes. */
export function blobSource(blob: Blob): ByteSource {
  return { size: blob.size, open: (start, end) => blob.slice(start, end).stream(), shared: { kind: 'blob', blob } };
}

/** Opens a shared source's bytes [start, end) on a helper thread. */
export type OpenShared = (source: SharedSource, start: number, end: number) => ReadableStream<Uint8Array>;

export type PartFormat = { kind: 'csv'; delimiter: string } | { kind: 'jsonl'; shape: JsonShape };

/** What every part is read with: decided on the first part. */
export interface PartSettings {
  format: PartFormat;
  columns: number;
  mapping: RoleMapping;
  maxLineBytes: number;
  /** Rows per byte in the first part's sample: sizes a part's table up front. */
  rowsPerByte: number;
  /** How values are read (date order, decimal marks, event limit): the first part's. */
  rules?: ReadRules;
}

export interface ParsedPart {
  part: TablePart;
  /** Data rows seen (accepted + rejected). */
  rows: number;
  /** Lines read: the next part's lines come after these. */
  lines: number;
  /** Whether the part ended between records (false: inside a quoted field, so the next cut was wrong). */
  endClean: boolean;
  rejects: RejectEntry[];
  badUtf8Blocks: number;
  bytes: number;
}

/**
 * Below this size a file is read on one thread: starting helpers, cutting and merging cost more
 * than they save (measured: an 18 MiB file read 0.1 s slower in parts, a 140 MiB one 1 s faster).
 */
export const SPLIT_MIN_BYTES = 48 * 1024 * 1024;
/** The first part's size relative to an even share (see cutPoints). */
const FIRST_PART_SHARE = 1.1;
/** How far past a cut point the next line end is looked for. */
const CUT_WINDOW = 1 << 20;

/** Whether a file of this size is worth reading on helper threads, and on how many parts. */
export function partsFor(source: ByteSource, threads: HelperThreads | null, minBytes = SPLIT_MIN_BYTES): number {
  if (!threads || !source.shared || source.size < minBytes) return 1;
  return Math.max(1, Math.min(Math.floor(threads.size), 8));
}

/**
 * Cut points for `parts` parts: each is the byte after the first line end at or past an even share
 * of the file. Fewer come back when line ends are too far apart (or the file is gzip: none).
 */
export async function cutPoints(source: ByteSource, parts: number): Promise<number[]> {
  const head = await readAtLeast(source.open(0, Math.min(source.size, 2)).getReader(), Infinity);
  if (head[0] === 0x1f && head[1] === 0x8b) return [];
  const cuts: number[] = [];
  // The calling thread gets a larger first part: its helpers start later (a thread takes time to
  // come up), and their parts must still be copied over and absorbed when they are done.
  const first = FIRST_PART_SHARE / parts;
  for (let p = 1; p < parts; p++) {
    const at = Math.floor(source.size * (first + ((1 - first) * (p - 1)) / (parts - 1)));
    if (cuts.length > 0 && at <= cuts[cuts.length - 1]) continue;
    const window = await readAtLeast(source.open(at, Math.min(source.size, at + CUT_WINDOW)).getReader(), Infinity);
    const nl = window.indexOf(10);
    if (nl < 0) continue;
    const cut = at + nl + 1;
    if (cut < source.size && (cuts.length === 0 || cut > cuts[cuts.length - 1])) cuts.push(cut);
  }
  return cuts;
}

export function formatLineLimit(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

/**
 * Reads one part: the bytes after a cut, with the first part's settings. `last` parts end the file
 * (a quoted field still open there is an error, as for one reader); others stop where their bytes do.
 */
export async function parsePart(
  stream: ReadableStream<Uint8Array>,
  settings: PartSettings,
  last: boolean,
  onBytes?: (bytes: number) => void,
  size = 0,
): Promise<ParsedPart> {
  const rejects = new RejectLog();
  const builder = new EventTableBuilder(settings.mapping, rejects, Math.round(size * settings.rowsPerByte), settings.rules);
  const reader = settings.format.kind === 'csv' ? new CsvReader(settings.format.delimiter, settings.maxLineBytes) : new JsonlReader(settings.format.shape);
  const columns = settings.columns;
  let rows = 0;
  let badUtf8Blocks = 0;
  let bytes = 0;
  const reject = (reason: string, line: number): void => {
    rows++;
    rejects.add(reason, line);
  };
  const emit = (record: RecordView, line: number): void => {
    rows++;
    if (record.count !== columns) {
      rejects.add(record.count < columns ? 'too few fields' : 'too many fields', line);
      return;
    }
    builder.add(record, line);
  };
  const blocks = new LineBlocks(
    settings.maxLineBytes,
    { overlong: () => reject(`line longer than ${formatLineLimit(settings.maxLineBytes)}`, reader.skipLine()) },
    false,
  );
  builder.attachBlock(blocks.block);
  const feed = (text: string): void => {
    if (text === '') return;
    if (text.indexOf('\uFFFD') >= 0) badUtf8Blocks++;
    reader.feed(text, emit, reject);
  };
  const r = stream.getReader();
  for (;;) {
    const chunk = await r.read();
    if (chunk.done) break;
    bytes += chunk.value.length;
    feed(blocks.push(chunk.value));
    onBytes?.(bytes);
  }
  feed(blocks.end());
  if (last) reader.finish(emit, reject);
  return { part: builder.buildPart(), rows, lines: reader.line, endClean: reader.atRecordStart(), rejects: rejects.entries(), badUtf8Blocks, bytes };
}

type ToHelper = { type: 'parse'; id: number; source: SharedSource; start: number; end: number; last: boolean; settings: PartSettings };
type FromHelper =
  | { type: 'part'; id: number; parsed: ParsedPart }
  | { type: 'part-bytes'; id: number; bytes: number }
  | { type: 'part-error'; id: number; message: string };

/** The helper thread's side: reads the parts it is sent and answers with their tables. */
export function serveIngestHelper(endpoint: HelperEndpoint, open: OpenShared): void {
  endpoint.onMessage(async (raw) => {
    const m = raw as ToHelper;
    if (m.type !== 'parse') return;
    try {
      let lastReport = 0;
      const parsed = await parsePart(
        open(m.source, m.start, m.end),
        m.settings,
        m.last,
        (bytes) => {
          const now = performance.now();
          if (now - lastReport < 100) return;
          lastReport = now;
          endpoint.postMessage({ type: 'part-bytes', id: m.id, bytes } satisfies FromHelper);
        },
        m.end - m.start,
      );
      // The table's columns are handed over, not copied: tens of megabytes for a large part.
      const t = parsed.part.table;
      const columns = [
        t.user,
        t.session,
        t.time,
        t.type,
        t.item,
        t.price,
        t.quantity,
        t.country,
        t.line,
        t.itemCategory,
        t.itemBrand,
        parsed.part.categoryOrder,
        parsed.part.brandOrder,
      ];
      const buffers = [...new Set(columns.map((c) => c.buffer as ArrayBuffer))];
      endpoint.postMessage({ type: 'part', id: m.id, parsed } satisfies FromHelper, buffers);
    } catch (e) {
      endpoint.postMessage({ type: 'part-error', id: m.id, message: e instanceof Error ? e.message : String(e) } satisfies FromHelper);
    }
  });
}

/** The parts after the first, being read on helper threads (see the header). */
export interface PartReading {
  /** The cut where part i (1-based: part 0 is the caller's) starts. */
  cuts: readonly number[];
  /** Starts the helpers, once the first part has told the settings. */
  start(settings: PartSettings): void;
  /** Bytes the helpers have read so far, for progress. */
  bytesRead(): number;
  /** The parts in file order; null for a part whose helper failed (it is read here instead). */
  results(): Promise<(ParsedPart | null)[]>;
  /** Stops every helper. */
  stop(): void;
  /** The file from `start` to its end, for reading the rest here. */
  openFrom(start: number): ReadableStream<Uint8Array>;
}

/**
 * Starts one helper per part at once (a thread takes a while to start: this overlaps it with the
 * first part's column detection); start() then sends them their parts.
 */
export function readParts(source: ByteSource, cuts: readonly number[], threads: HelperThreads): PartReading {
  const ports: ThreadPort[] = [];
  const bytes = cuts.map(() => 0);
  const helpers = cuts.map((_, i) => {
    let settle: (part: ParsedPart | null) => void = () => {};
    const result = new Promise<ParsedPart | null>((resolve) => (settle = resolve));
    let port: ThreadPort | null = null;
    try {
      port = threads.spawn();
      ports.push(port);
      port.onError(() => settle(null));
      port.onMessage((raw) => {
        const m = raw as FromHelper;
        if (m.id !== i) return;
        if (m.type === 'part-bytes') bytes[i] = m.bytes;
        else if (m.type === 'part') {
          bytes[i] = m.parsed.bytes;
          settle(m.parsed);
        } else if (m.type === 'part-error') settle(null);
      });
    } catch {
      settle(null);
    }
    return { port, result };
  });
  let outcome: Promise<(ParsedPart | null)[]> | null = null;
  return {
    cuts,
    start(settings) {
      const shared = source.shared!;
      cuts.forEach((start, i) => {
        const end = i + 1 < cuts.length ? cuts[i + 1] : source.size;
        helpers[i].port?.postMessage({ type: 'parse', id: i, source: shared, start, end, last: i === cuts.length - 1, settings } satisfies ToHelper);
      });
      outcome = Promise.all(helpers.map((h) => h.result));
    },
    bytesRead: () => bytes.reduce((a, b) => a + b, 0),
    results: () => outcome ?? Promise.resolve(cuts.map(() => null)),
    stop() {
      for (const p of ports.splice(0)) p.terminate();
    },
    openFrom: (start) => source.open(start, source.size),
  };
}
