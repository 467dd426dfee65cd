// Reads a log file from disk through the app's own pipeline (by user), for the benches.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { analyzeStream, type Analysis } from '../../src/pipeline/analyze';

export async function analyzeFile(file: string): Promise<Analysis> {
  const bytes = new Uint8Array(readFileSync(file));
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(bytes);
      c.close();
    },
  });
  return analyzeStream(stream, { fileName: basename(file), totalBytes: bytes.length, sequence: { by: 'user' } });
}
