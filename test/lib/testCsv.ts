// Test helper: CSV text back to rows with the app's own reader (src/pipeline/ingest/csv.ts), so
// the exports are checked against the parser that also reads uploaded logs.
import { CsvReader } from '../../src/pipeline/ingest/csv';

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  const rejects: string[] = [];
  const reader = new CsvReader(',', 1 << 20);
  const emit = (r: { fields(): string[] }): void => {
    rows.push(r.fields());
  };
  const reject = (reason: string, line: number): void => {
    rejects.push(`${line}: ${reason}`);
  };
  reader.feed(text, emit, reject, true);
  reader.finish(emit, reject);
  if (rejects.length) throw new Error(`CSV rejected: ${rejects.join('; ')}`);
  return rows;
}
