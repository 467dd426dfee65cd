// Public surface of the projection stage (UMAP to 2-D): pure functions over typed arrays, no DOM
// or Node APIs, so the same code runs in the analysis worker, the CLI and tests.
export { umap, type UmapHooks, type UmapOptions, type UmapResult, type UmapStats } from './umap';
export { DEFAULT_AB, findAbParams } from './abParams';
export { KNN_EXACT_MAX_POINTS, type KnnGraph, type KnnOptions, type KnnStats } from './knn';
export {
  layoutTrustworthiness,
  TRUSTWORTHINESS_EXACT_MAX,
  TRUSTWORTHINESS_SAMPLE,
  trustworthinessSampled,
  type TrustworthinessEstimate,
} from './trustworthiness';
export {
  type CancelToken,
  type Matrix,
  type Metric,
  ProjectionCancelledError,
  ProjectionInputError,
  type UmapProgress,
  type UmapStage,
} from './types';
