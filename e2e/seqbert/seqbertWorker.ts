// Worker side of the harness: the wasm case inside a dedicated worker (where the app's analysis
// runs, and where the threaded module starts its own nested workers), answered by postMessage.
import { seqbertHarness } from './seqbertHarness';

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<number>) => void) | null;
  postMessage: (m: unknown) => void;
};

scope.onmessage = async (e) => {
  try {
    scope.postMessage({ report: await seqbertHarness.wasmCase(e.data), error: null });
  } catch (err) {
    scope.postMessage({ report: null, error: err instanceof Error ? err.message : String(err) });
  }
};
