// Helper threads for the K sweep in the browser: Web Workers started from the analysis worker
// (nested workers), running helper.worker.ts. Without cross-origin isolation there is no
// SharedArrayBuffer, so each helper gets its own copy of the vectors (sweepThreads.ts caps that).
import type { HelperThreads } from '../pipeline/threads';

/** Most helpers: leaves the page and the analysis worker room on larger machines. */
const MAX_HELPERS = 4;

/** The app's helper worker; Vite bundles it from this literal `new Worker(new URL(...))`. */
function appHelper(): Worker {
  return new Worker(new URL('./helper.worker.ts', import.meta.url), { type: 'module', name: 'seqlens-helper' });
}

/**
 * Helper threads for this browser, or null where a worker cannot start workers. `start` makes
 * one helper worker (the benches serve their own bundle of helper.worker.ts).
 */
export function browserHelperThreads(start: () => Worker = appHelper): HelperThreads | null {
  if (typeof Worker !== 'function') return null;
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1;
  return {
    size: Math.min(MAX_HELPERS, cores),
    spawn() {
      const w = start();
      return {
        postMessage: (m) => w.postMessage(m),
        onMessage: (listener) => w.addEventListener('message', (e) => listener(e.data)),
        onError: (listener) => {
          w.addEventListener('error', (e) => {
            e.preventDefault();
            listener(e.message || 'the helper worker failed to load');
          });
          w.addEventListener('messageerror', () => listener('a message from the helper could not be read'));
        },
        terminate: () => w.terminate(),
      };
    },
  };
}
