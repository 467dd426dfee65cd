import type { EncoderReport } from '../pipeline/encode';
import type { AnalysisReport } from '../pipeline/types';

const n = (v: number): string => v.toLocaleString('en');

/** What `npm run analyze` adds to its JSON under `encoder`. */
export interface CliEncoderReport extends EncoderReport {
  sequences: number;
  zeroVectors: number;
  truncated: { sequences: number; events: number };
  itemTextSources: { title: number; category: number; id: number };
  /** Model loading included. */
  seconds: number;
}

/** One K of the sweep in the CLI's JSON. Metrics that are undefined for a labelling are null. */
export interface CliSweepEntry {
  k: number;
  inertia: number;
  silhouette: number | null;
  calinskiHarabasz: number | null;
  daviesBouldin: number | null;
  stabilityAri: number | null;
}

/** The chosen clustering in the CLI's JSON. */
export interface CliClusters {
  k: number;
  /** 'k' when --k chose it, 'suggested' when the sweep's suggestion did. */
  chosenBy: 'k' | 'suggested';
  sizes: number[];
  metrics: { inertia: number; silhouette: number | null; calinskiHarabasz: number | null; daviesBouldin: number | null; stabilityAri: number | null };
  suggested: { k: number; reason: string };
  elbow: { k: number; reason: string } | null;
  /** What was clustered: the encoder's sequence vectors (until the graph network exists). */
  source: { stage: 'encoder' | 'gcn'; model: string; n: number; d: number; epochs?: number };
  path: 'cpu' | 'webgpu';
  algorithm: 'lloyd' | 'minibatch';
  seeds: number;
  silhouette: { exact: boolean; sampleSize: number };
  /** Why the swept range is narrower than asked, if it is. */
  rangeNote: string | null;
  /** Where --out wrote the assignments. */
  assignments?: string;
}

/** NaN (a score undefined for this labelling) becomes null: JSON has no NaN, and it must never pass for a number. */
export function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/**
 * One CSV cell: cells that a spreadsheet would run as a formula (starting with = + - @, tab or
 * carriage return) get a leading single quote; cells with a comma, quote or line break are quoted.
 */
export function csvCell(value: string): string {
  let v = value;
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** assignments.csv: `user_id,cluster`, one row per sequence, in sequence order. */
export function assignmentsCsv(ids: readonly string[], clusters: ArrayLike<number>): string {
  const lines = ['user_id,cluster'];
  for (let i = 0; i < ids.length; i++) lines.push(`${csvCell(ids[i])},${clusters[i]}`);
  return lines.join('\n') + '\n';
}

const metric = (v: number | null, digits: number): string => (v === null ? '—' : v.toFixed(digits));

/** The sweep and the chosen clustering as text lines. */
export function formatClusters(sweep: CliSweepEntry[], c: CliClusters): string {
  const lines: string[] = [];
  const s = c.source;
  lines.push(
    `clusters of ${s.stage} vectors (${s.model}, ${n(s.n)} x ${s.d}): k-means ${c.algorithm}, ${c.seeds} seeds per K, ${c.path}; ` +
      `silhouette ${c.silhouette.exact ? `exact on all ${n(c.silhouette.sampleSize)} points` : `on a sample of ${n(c.silhouette.sampleSize)} points`}`,
  );
  if (c.rangeNote) lines.push(`  note: ${c.rangeNote}`);
  lines.push('     K       inertia  silhouette  Calinski-H  Davies-B  stability');
  for (const e of sweep) {
    const mark = e.k === c.k ? ' <' : '';
    lines.push(
      `  ${String(e.k).padStart(4)}  ${e.inertia.toPrecision(6).padStart(12)}  ${metric(e.silhouette, 3).padStart(10)}  ` +
        `${metric(e.calinskiHarabasz, 2).padStart(10)}  ${metric(e.daviesBouldin, 3).padStart(8)}  ${metric(e.stabilityAri, 3).padStart(9)}${mark}`,
    );
  }
  lines.push(`suggested K = ${c.suggested.k}: ${c.suggested.reason}`);
  if (c.elbow) lines.push(`elbow: K = ${c.elbow.k}`);
  lines.push(`K = ${c.k}${c.chosenBy === 'k' ? ' (--k)' : ' (suggested)'}: sizes ${c.sizes.map(n).join(', ')}`);
  if (c.assignments) lines.push(`assignments: ${c.assignments}`);
  return lines.join('\n') + '\n';
}

/** The report as a short human-readable text (the CLI without --json). */
export function formatReport(r: AnalysisReport, encoder?: CliEncoderReport): string {
  const lines: string[] = [];
  lines.push(`${r.file.name}: ${r.file.format.toUpperCase()}${r.file.gzip ? ' (gzip)' : ''}${r.file.delimiter ? `, delimiter ${JSON.stringify(r.file.delimiter)}` : ''}`);
  const mapping = Object.entries(r.detection.mapping)
    .map(([role, col]) => `${role}=${r.detection.columns[col as number]}`)
    .join(', ');
  lines.push(`columns: ${mapping}`);
  lines.push(`rows: ${n(r.input.rows)} read, ${n(r.input.accepted)} accepted, ${n(r.input.rejected.count)} rejected`);
  for (const [reason, count] of Object.entries(r.input.rejected.reasons)) {
    lines.push(`  ${reason}: ${n(count)} (lines ${r.input.rejected.examples[reason].join(', ')}${count > r.input.rejected.examples[reason].length ? ', …' : ''})`);
  }
  lines.push(`users: ${n(r.users)}  sessions: ${n(r.sessions)}  items: ${n(r.items)}`);
  lines.push(`events in sequences: ${n(r.events.total)} (${Object.entries(r.events.byType).map(([k, v]) => `${k} ${n(v)}`).join(', ')})`);
  const s = r.sequences;
  lines.push(`sequences by ${s.by}: ${n(s.count)}; length min ${s.lengths.min}, median ${s.lengths.median}, p90 ${s.lengths.p90}, max ${s.lengths.max}`);
  lines.push(`filtered: ${n(s.filtered.tooShort)} too short, ${n(s.filtered.abnormalVolume)} abnormal volume, ${n(s.filtered.duplicatesCollapsed)} duplicate events collapsed`);
  if (r.timeSpan.start) lines.push(`time span: ${r.timeSpan.start} .. ${r.timeSpan.end}`);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  lines.push(`read in ${n(r.timings.readMs)} ms, sequences in ${n(r.timings.sequencesMs)} ms`);
  if (encoder) {
    const e = encoder;
    const what = e.kind === 'featurizer' ? `${e.model} (built-in featurizer, not semantic)` : `${e.model} (${e.dtype}, ${e.device})`;
    lines.push(
      `encoder: ${what}, ${e.mode === 'items' ? 'weighted mean of items' : 'sequences as text'}: ${e.dims} dims, ` +
        `${n(e.itemsEmbedded)} of ${n(e.texts)} distinct texts embedded, ${n(e.cacheHits)} cache hits, ${n(e.sequences)} sequences in ${e.seconds.toFixed(1)} s`,
    );
    if (e.zeroVectors > 0) lines.push(`  ${n(e.zeroVectors)} sequences whose weights cancel out have no vector`);
    if (e.truncated.sequences > 0) lines.push(`  ${n(e.truncated.sequences)} sequences cut to the model's window (${n(e.truncated.events)} oldest events left out)`);
  }
  return lines.join('\n') + '\n';
}
