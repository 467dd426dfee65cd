// The assignment step as an object bound to one data set, with an asynchronous contract, so that
// k-means (kmeansAsync.ts) and the K sweep can run it on the CPU or on an accelerator
// (gpu/assigner.ts) without knowing which.
import { assignStep } from './assign';
import type { Matrix } from './types';

/**
 * An assignment step bound to one data set, with assignStep's contract but asynchronous: fills
 * outLabels (n), outSums (k x d) and outCounts (k) and resolves to the inertia.
 */
export interface AsyncAssigner {
  readonly n: number;
  readonly d: number;
  /** 'gpu' for a WebGPU kernel, 'cpu' for assignStep behind a promise. */
  readonly kind: 'gpu' | 'cpu';
  assign(centres: Float64Array, k: number, outLabels: Int32Array, outSums: Float64Array, outCounts: Int32Array): Promise<number>;
  dispose(): void;
}

/** assignStep behind the AsyncAssigner interface: the CPU fallback, and a reference in tests. */
export function cpuAsyncAssigner(data: Matrix, n: number, d: number): AsyncAssigner {
  return {
    n,
    d,
    kind: 'cpu',
    assign: async (centres, k, labels, sums, counts) => assignStep(data, n, d, centres, k, labels, sums, counts),
    dispose: () => {},
  };
}
