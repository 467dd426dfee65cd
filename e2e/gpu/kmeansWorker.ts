// Worker side of the harness: acquires WebGPU inside a dedicated worker (where the app's analysis
// runs) and answers one assignment case, compared with assignStep, by postMessage.
import { type AssignCase, harness } from './kmeansHarness';

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent<AssignCase>) => void) | null;
  postMessage: (m: unknown) => void;
};

scope.onmessage = async (e) => {
  try {
    const { adapter } = await harness.info();
    const report = await harness.assignCase(e.data);
    scope.postMessage({ adapter, report, error: null });
  } catch (err) {
    scope.postMessage({ adapter: null, report: null, error: err instanceof Error ? err.message : String(err) });
  }
};
