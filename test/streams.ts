// Helpers to feed the pipeline from memory in tests, in chunks of a chosen size.
import { gzipSync } from 'node:zlib';

export function bytesStream(bytes: Uint8Array, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  let pos = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (pos >= bytes.length) {
        c.close();
        return;
      }
      c.enqueue(bytes.slice(pos, pos + chunk));
      pos += chunk;
    },
  });
}

export function textStream(text: string, chunk?: number): ReadableStream<Uint8Array> {
  return bytesStream(new TextEncoder().encode(text), chunk);
}

export function gzip(text: string): Uint8Array {
  return new Uint8Array(gzipSync(Buffer.from(text, 'utf8')));
}
