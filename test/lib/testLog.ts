// Test helper: a small log as CSV text through the real ingest and sequencing, so tests exercise
// the same EventTable/Sequences shapes the app produces.
import { analyzeStream } from '../../src/pipeline/analyze';
import type { SequenceOptions } from '../../src/pipeline/types';

export async function analyzeCsv(lines: string[], sequence: Partial<SequenceOptions> = {}) {
  const text = lines.join('\n');
  const bytes = new TextEncoder().encode(text);
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(bytes);
      c.close();
    },
  });
  const a = await analyzeStream(stream, { fileName: 't.csv', totalBytes: bytes.length, sequence: { minLength: 1, dedupeSeconds: 0, ...sequence } });
  return { table: a.ingested.table, sequences: a.sequences, analysis: a };
}
