// Helper threads, abstractly: the pipeline stages that split work across threads (the K sweep,
// reading a large log) talk to their helpers through these ports, which worker_threads in Node
// and nested Web Workers in the browser implement (src/node/helperThreads.ts,
// src/worker/helperThreads.ts). One helper script serves every kind of task.

/** One end of a message channel to a thread: a Web Worker or a Node worker_threads Worker, adapted. */
export interface ThreadPort {
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** The thread failed to start or died; the listener gets a reason in words. */
  onError(listener: (reason: string) => void): void;
  terminate(): void;
}

/** How a stage starts helper threads. */
export interface HelperThreads {
  /** Most helpers worth starting (the machine's cores); below 2 a stage stays on its thread. */
  size: number;
  /** Starts one helper thread (running the helper script, which serves every kind of task). */
  spawn(): ThreadPort;
}

/** The helper's end of the port (a worker's global scope, Node's parentPort). */
export interface HelperEndpoint {
  /** `transfer`: buffers handed over rather than copied (the helper must not use them after). */
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** Whether typed arrays can be shared between threads instead of copied (Node; cross-origin-isolated pages). */
export function canShareMemory(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean };
  return typeof SharedArrayBuffer === 'function' && g.crossOriginIsolated !== false;
}
