// The pipeline entry points shared by the worker, the CLI and the benchmarks.

import { ingest, userColumnUsable, type CancelToken, type Ingested } from './ingest/ingest';
import { cutPoints, partsFor, readParts, type ByteSource, type PartReading } from './ingest/parts';
import type { HelperThreads } from './threads';
import type { DateOrder } from './ingest/timestamp';
import { buildSequences, type Sequences } from './sequences';
import { summarize } from './summary';
import { DEFAULT_SEQUENCE_OPTIONS, LogError, type AnalysisReport, type Detection, type Progress, type RoleMapping, type SequenceOptions } from './types';

export type { CancelToken } from './ingest/ingest';

export interface AnalyzeOptions {
  fileName: string;
  totalBytes: number | null;
  mapping?: RoleMapping;
  /** See IngestOptions.mappingFor: a remembered mapping for the detected column layout. */
  mappingFor?: (detection: Detection) => RoleMapping | undefined;
  /** Unset fields take defaults; `by` unset means: user when the log has usable user ids, else session. */
  sequence?: Partial<SequenceOptions>;
  onProgress?: (p: Progress) => void;
  cancel?: CancelToken;
  maxLineBytes?: number;
  /** Day/month order of numeric dates (default 'auto': settled from the file); see IngestOptions. */
  dateOrder?: DateOrder;
  /** Most events read before stopping with a message (default DEFAULT_MAX_EVENTS). */
  maxEvents?: number;
  /** The file after the stream's end, read on helper threads (see ingest/parts.ts); set by analyzeSource. */
  parts?: PartReading | null;
}

export interface SourceOptions extends Omit<AnalyzeOptions, 'parts' | 'totalBytes'> {
  /** Helper threads to read parts of a large file with; null or absent: this thread only. */
  threads?: HelperThreads | null;
  /** Smallest file read in parts (default SPLIT_MIN_BYTES). */
  splitMinBytes?: number;
}

/**
 * Analyses a file that can be opened at any offset (a File, a path): a large one is cut into parts
 * read side by side on helper threads, with the same result as one reader.
 */
export async function analyzeSource(source: ByteSource, opts: SourceOptions): Promise<Analysis> {
  const { threads, splitMinBytes, ...rest } = opts;
  const n = partsFor(source, threads ?? null, splitMinBytes);
  const cuts = n > 1 ? await cutPoints(source, n) : [];
  if (cuts.length === 0 || !threads) return analyzeStream(source.open(0, source.size), { ...rest, totalBytes: source.size });
  const parts = readParts(source, cuts, threads);
  return analyzeStream(source.open(0, cuts[0]), { ...rest, totalBytes: source.size, parts });
}

export interface Analysis {
  report: AnalysisReport;
  ingested: Ingested;
  sequences: Sequences;
  fileName: string;
  totalBytes: number | null;
}

export async function analyzeStream(stream: ReadableStream<Uint8Array>, opts: AnalyzeOptions): Promise<Analysis> {
  const ingested = await ingest(stream, {
    totalBytes: opts.totalBytes,
    mapping: opts.mapping,
    mappingFor: opts.mappingFor,
    onProgress: opts.onProgress,
    cancel: opts.cancel,
    maxLineBytes: opts.maxLineBytes,
    parts: opts.parts,
    dateOrder: opts.dateOrder,
    maxEvents: opts.maxEvents,
  });
  if (opts.cancel?.cancelled) throw new LogError('Cancelled.', 'cancelled');
  const by = opts.sequence?.by ?? (userColumnUsable(ingested.detection) ? 'user' : 'session');
  const sequence: SequenceOptions = { ...DEFAULT_SEQUENCE_OPTIONS, ...opts.sequence, by };
  const analysis = group(ingested, sequence, opts.fileName, opts.totalBytes);
  if (!opts.sequence?.by && by === 'session' && ingested.detection.mapping.user !== undefined) {
    analysis.report.warnings.unshift('Most rows have no user id, so sequences are grouped by session.');
  }
  opts.onProgress?.({
    stage: 'done',
    bytesRead: ingested.bytesRead,
    totalBytes: opts.totalBytes,
    rows: ingested.rows,
    rowsPerSecond: ingested.rows / Math.max(1e-3, ingested.readMs / 1000),
    fraction: 1,
  });
  return analysis;
}

/** Rebuilds sequences and the report with other options, without reading the file again. */
export function regroup(previous: Analysis, sequence: SequenceOptions): Analysis {
  return group(previous.ingested, sequence, previous.fileName, previous.totalBytes);
}

function group(ingested: Ingested, sequence: SequenceOptions, fileName: string, totalBytes: number | null): Analysis {
  const problem = checkSequenceOptions(sequence);
  if (problem) throw new LogError(problem, 'bad-mapping');
  const t0 = performance.now();
  const sequences = buildSequences(ingested.table, sequence);
  const report = summarize(ingested, sequences, sequence, fileName, totalBytes, performance.now() - t0);
  return { report, ingested, sequences, fileName, totalBytes };
}

function checkSequenceOptions(o: SequenceOptions): string | null {
  if (o.by !== 'user' && o.by !== 'session') return `Group by must be "user" or "session", not "${String(o.by)}".`;
  const nonNeg = (name: string, v: number): string | null => (Number.isFinite(v) && v >= 0 ? null : `${name} must be a number of at least 0 (got ${v}).`);
  return (
    nonNeg('Minimum sequence length', o.minLength) ??
    nonNeg('Maximum events per sequence', o.maxLength) ??
    nonNeg('Duplicate window', o.dedupeSeconds) ??
    nonNeg('Session gap', o.sessionGapMinutes)
  );
}
