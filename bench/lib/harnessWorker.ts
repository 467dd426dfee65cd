// The worker side of workerHarness.ts: answers each case posted by the page with run's result, or
// with { error } when it throws.
export function answerCases<C>(run: (c: C) => Promise<unknown>): void {
  const scope = globalThis as unknown as {
    onmessage: ((e: MessageEvent<C>) => void) | null;
    postMessage: (m: unknown) => void;
  };
  scope.onmessage = async (e) => {
    try {
      scope.postMessage(await run(e.data));
    } catch (err) {
      scope.postMessage({ error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    }
  };
}
