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
