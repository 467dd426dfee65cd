// A log file on disk as a ByteSource: any byte range can be streamed, here or on a helper thread.
import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { ByteSource, SharedSource } from '../pipeline/ingest/parts';

/** Streams bytes [start, end) of the file at `path`, in 1 MiB chunks. */
export function openFileRange(path: string, start: number, end: number): ReadableStream<Uint8Array> {
  if (end <= start) return new ReadableStream({ start: (c) => c.close() });
  return Readable.toWeb(createReadStream(path, { start, end: end - 1, highWaterMark: 1 << 20 })) as unknown as ReadableStream<Uint8Array>;
}

export function fileSource(path: string): ByteSource {
  return { size: statSync(path).size, open: (start, end) => openFileRange(path, start, end), shared: { kind: 'path', path } };
}

/** Opens a shared source on a Node helper thread (a path; a Blob too, for completeness). */
export function openSharedInNode(source: SharedSource, start: number, end: number): ReadableStream<Uint8Array> {
  return source.kind === 'path' ? openFileRange(source.path, start, end) : source.blob.slice(start, end).stream();
}
