// The pipeline entry points shared by the worker, the CLI and the benchmarks.

import { ingest, userColumnUsable, type CancelToken, type Ingested } from './ingest/ingest';
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
  });
  if (opts.cancel?.cancelled) throw new LogError('Cancelled.', 'cancelled');
  const by = opts.sequence?.by ?? (userColumnUsable(ingested.detection) ? 'user' : 'session');
  const sequence: SequenceOptions = { ...DEFAULT_SEQUENCE_OPTIONS, ...opts.sequence, by };
  const analysis = group(ingested, sequence, opts.fileName, opts.totalBytes);
  if (!opts.sequence?.by && by === 'session' && ingested.detection.mapping.user !== undefined) {
    analysis.report.warnings.unshift('Most rows have no user id, so sequences are grouped by session.');
  }
  opts.onProgress?.({ stage: 'done', bytesRead: ingested.bytesRead, totalBytes: opts.totalBytes, rows: ingested.rows, rowsPerSecond: ingested.rows / Math.max(1e-3, ingested.readMs / 1000), fraction: 1 });
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
  return nonNeg('Minimum sequence length', o.minLength) ?? nonNeg('Maximum events per sequence', o.maxLength) ?? nonNeg('Duplicate window', o.dedupeSeconds) ?? nonNeg('Session gap', o.sessionGapMinutes);
}
