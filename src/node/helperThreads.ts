// Helper threads for the K sweep in Node (the CLI and the benches): worker_threads running
// helper.thread.ts. The data goes to them in one SharedArrayBuffer, not copied.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { HelperThreads } from '../pipeline/threads';

/** Most helpers a sweep starts: past this the 14 K values of a default sweep balance poorly anyway. */
const MAX_HELPERS = 8;

export function nodeHelperThreads(size = Math.min(MAX_HELPERS, os.availableParallelism())): HelperThreads {
  const bootstrap = new URL('./tsThread.mjs', import.meta.url);
  const entry = new URL('./helper.thread.ts', import.meta.url).href;
  return {
    size,
    spawn() {
      const w = new Worker(bootstrap, { workerData: { entry } });
      let ended = false;
      return {
        postMessage: (m) => w.postMessage(m),
        onMessage: (listener) => w.on('message', listener),
        onError: (listener) => {
          w.on('error', (e: Error) => listener(e.message));
          w.on('exit', (code) => {
            if (!ended) listener(`the helper thread exited with code ${code}`);
          });
        },
        terminate: () => {
          ended = true;
          void w.terminate();
        },
      };
    },
  };
}
