// A Node helper thread: serves the K sweep (pipeline/cluster/sweepThreads.ts) and the reading of a
// large log in parts (pipeline/ingest/parts.ts).
import { parentPort } from 'node:worker_threads';
import { serveSweepHelper } from '../pipeline/cluster/sweepThreads';
import { serveIngestHelper } from '../pipeline/ingest/parts';
import { serveListsHelper } from '../pipeline/recommend/perUser/listThreads';
import type { HelperEndpoint } from '../pipeline/threads';
import { openSharedInNode } from './fileSource';

const port = parentPort;
if (!port) throw new Error('helper.thread.ts runs as a worker thread');
const endpoint: HelperEndpoint = {
  postMessage: (m, transfer) => port.postMessage(m, transfer ? { transfer } : undefined),
  onMessage: (listener) => port.on('message', listener),
};
serveSweepHelper(endpoint);
serveListsHelper(endpoint);
serveIngestHelper(endpoint, openSharedInNode);
