// A Node helper thread of the K sweep (see pipeline/cluster/sweepThreads.ts).
import { parentPort } from 'node:worker_threads';
import { serveSweepHelper } from '../pipeline/cluster/sweepThreads.ts';

const port = parentPort;
if (!port) throw new Error('helper.thread.ts runs as a worker thread');
serveSweepHelper({
  postMessage: (m) => port.postMessage(m),
  onMessage: (listener) => port.on('message', listener),
});
