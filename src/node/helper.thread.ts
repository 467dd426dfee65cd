// A Node helper thread: serves the K sweep (pipeline/cluster/sweepThreads.ts), the per-user lists
// (pipeline/recommend/perUser/listThreads.ts), the reading of a large log in parts
// (pipeline/ingest/parts.ts) and the behaviour BERT's embedding (pipeline/seqbert/embedThreads.ts).
//
// The stages' modules are loaded when a message for them arrives, and a helper sent a part to read
// loads the reader alone: it starts reading while the caller is still reading its own part, and
// under tsx the sweep's and the recommenders' modules cost it 100-150 ms of CPU before it could
// begin. Any other message loads every stage.
import { parentPort } from 'node:worker_threads';
import type { HelperEndpoint } from '../pipeline/threads';

const port = parentPort;
if (!port) throw new Error('helper.thread.ts runs as a worker thread');
const listeners: ((message: unknown) => void)[] = [];
const endpoint: HelperEndpoint = {
  postMessage: (m, transfer) => port.postMessage(m, transfer ? { transfer } : undefined),
  onMessage: (listener) => listeners.push(listener),
};

let ingest: Promise<void> | null = null;
let others: Promise<void> | null = null;
const loadIngest = (): Promise<void> =>
  (ingest ??= Promise.all([import('../pipeline/ingest/parts'), import('./fileSource')]).then(([parts, files]) =>
    parts.serveIngestHelper(endpoint, files.openSharedInNode),
  ));
const loadOthers = (): Promise<void> =>
  (others ??= Promise.all([import('../pipeline/cluster/sweepThreads'), import('../pipeline/recommend/perUser/listThreads')]).then(([sweep, lists]) => {
    sweep.serveSweepHelper(endpoint);
    lists.serveListsHelper(endpoint);
  }));

// The behaviour BERT's embedding (pipeline/seqbert/embedThreads.ts) loads tfjs and the model alone.
let embed: Promise<void> | null = null;
const loadEmbed = (): Promise<void> => (embed ??= import('../pipeline/seqbert/embedHelper').then((m) => m.serveEmbedHelper(endpoint)));

// Messages are handed on in the order they came, each once the stages it may be for are loaded.
let delivered: Promise<void> = Promise.resolve();
port.on('message', (message: unknown) => {
  const type = (message as { type?: unknown } | null)?.type;
  const loading: Promise<unknown> = type === 'parse' ? loadIngest() : type === 'embed-run' ? loadEmbed() : Promise.all([loadIngest(), loadOthers()]);
  delivered = delivered
    .then(() => loading)
    .then(() => {
      for (const listener of listeners) listener(message);
    });
});
