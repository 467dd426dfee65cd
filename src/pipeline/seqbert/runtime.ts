// Whether this code runs in Node (CLI, tests, benchmarks) rather than a page or worker. Read
// through globalThis so the DOM-free type check (tsconfig.pipeline.json) needs no Node or DOM types.

interface MaybeNode {
  process?: { versions?: { node?: string } };
  window?: unknown;
}

export const isNode: boolean = (() => {
  const g = globalThis as MaybeNode;
  return !!g.process?.versions?.node && g.window === undefined;
})();
