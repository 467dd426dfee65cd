// Public surface of the clustering core: pure functions over typed arrays, no DOM or Node APIs,
// so the same code runs in a worker, in the CLI and in tests.
export { assignStep } from './assign.ts';
export { adjustedRandIndex, mutualInformation, normalizedMutualInfo } from './agreement.ts';
export { checkKMeansInput, kmeans, MINIBATCH_THRESHOLD, type KMeansOptions, type KMeansResult } from './kmeans.ts';
export type { AssignFn } from './lloyd.ts';
export { calinskiHarabasz, daviesBouldin, inertia } from './metrics.ts';
export { makeBlobs, type BlobOptions } from './blobs.ts';
export { Rng, sampleWithoutReplacement } from '../numeric/random.ts';
export {
  SILHOUETTE_EXACT_MAX_POINTS,
  silhouetteSamples,
  silhouetteScore,
  silhouetteScoreSampled,
  type SilhouetteOptions,
} from './silhouette.ts';
export { trustworthiness } from './trustworthiness.ts';
export { ClusteringInputError, type LabelsLike, type Matrix } from './types.ts';
export { kmeansAsync, lloydPlainAsync, type KMeansAsyncOptions, type KMeansAsyncResult } from './kmeansAsync.ts';
export { cpuAsyncAssigner, type AsyncAssigner } from './asyncAssigner.ts';
export { createGpuAssigner, GPU_MAX_K, type GpuAssigner, type GpuAssignerOptions, type GpuAssignerStats } from './gpu/index.ts';
export {
  elbowK,
  sweepK,
  sweepRange,
  SWEEP_DEFAULT_K_MAX,
  SWEEP_DEFAULT_K_MIN,
  SWEEP_SILHOUETTE_EXACT_MAX,
  SWEEP_SILHOUETTE_SAMPLE,
  SWEEP_THREADS_MIN_POINTS,
  type SweepEntry,
  type SweepOptions,
  type SweepResult,
  type Suggestion,
} from './sweep.ts';
export { type CancelToken, ClusteringCancelledError } from './types.ts';
export { serveSweepHelper } from './sweepThreads.ts';
export type { HelperEndpoint, HelperThreads, ThreadPort } from '../threads.ts';
