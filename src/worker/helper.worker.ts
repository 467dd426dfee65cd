// A helper thread started by the analysis worker: serves the K sweep
// (pipeline/cluster/sweepThreads.ts) and the reading of a large log in parts (pipeline/ingest/parts.ts).
import { serveSweepHelper } from '../pipeline/cluster/sweepThreads';
import { serveIngestHelper, type SharedSource } from '../pipeline/ingest/parts';
import { serveListsHelper } from '../pipeline/recommend/perUser/listThreads';
import type { HelperEndpoint } from '../pipeline/threads';

const scope = self as unknown as {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
};
const endpoint: HelperEndpoint = {
  postMessage: (m, transfer) => scope.postMessage(m, transfer ?? []),
  onMessage: (listener) => scope.addEventListener('message', (e) => listener(e.data)),
};
serveSweepHelper(endpoint);
serveListsHelper(endpoint);
serveIngestHelper(endpoint, (source: SharedSource, start, end) => {
  if (source.kind !== 'blob') throw new Error('a browser helper reads files it is given, not paths');
  return source.blob.slice(start, end).stream();
});
