// Public surface of the clustering core: pure functions over typed arrays, no DOM or Node APIs,
// so the same code runs in a worker, in the CLI and in tests.
export { assignStep } from './assign.ts';
export { adjustedRandIndex, mutualInformation, normalizedMutualInfo } from './agreement.ts';
export { checkKMeansInput, kmeans, MINIBATCH_THRESHOLD, type KMeansOptions, type KMeansResult } from './kmeans.ts';
export type { AssignFn } from './lloyd.ts';
export { calinskiHarabasz, daviesBouldin, inertia } from './metrics.ts';
export { makeBlobs, type BlobOptions } from './blobs.ts';
export { Rng, sampleWithoutReplacement } from './random.ts';
export {
  SILHOUETTE_EXACT_MAX_POINTS,
  silhouetteSamples,
  silhouetteScore,
  silhouetteScoreSampled,
  type SilhouetteOptions,
} from './silhouette.ts';
export { trustworthiness } from './trustworthiness.ts';
export { ClusteringInputError, type LabelsLike, type Matrix } from './types.ts';
