// Public surface of the clustering core: pure functions over typed arrays, no DOM or Node APIs,
// so the same code runs in a worker, in the CLI and in tests.
export { assignStep } from './assign';
export { adjustedRandIndex, mutualInformation, normalizedMutualInfo } from './agreement';
export { checkKMeansInput, kmeans, MINIBATCH_THRESHOLD, type KMeansOptions, type KMeansResult } from './kmeans';
export type { AssignFn } from './lloyd';
export { calinskiHarabasz, daviesBouldin, inertia } from './metrics';
export { makeBlobs, type BlobOptions } from './blobs';
export { Rng, sampleWithoutReplacement } from '../numeric/random';
export {
  SILHOUETTE_EXACT_MAX_POINTS,
  silhouetteSamples,
  silhouetteScore,
  silhouetteScoreSampled,
  type SilhouetteOptions,
} from './silhouette';
export { trustworthiness } from './trustworthiness';
export { ClusteringInputError, type LabelsLike, type Matrix } from './types';
export { kmeansAsync, lloydPlainAsync, type KMeansAsyncOptions, type KMeansAsyncResult } from './kmeansAsync';
export { cpuAsyncAssigner, type AsyncAssigner } from './asyncAssigner';
export { createGpuAssigner, GPU_MAX_K, type GpuAssigner, type GpuAssignerOptions, type GpuAssignerStats } from './gpu/index';
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
} from './sweep';
export { type CancelToken, ClusteringCancelledError } from './types';
export { serveSweepHelper } from './sweepThreads';
export type { HelperEndpoint, HelperThreads, ThreadPort } from '../threads';
