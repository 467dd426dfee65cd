// Shared types of the projection stage (UMAP to 2-D). Pure data: no DOM, no Node APIs, so the
// stage runs in the analysis worker, the CLI and the tests alike.

/** Row-major n x d matrix. Float32 is what embeddings arrive as; Float64 is accepted too. */
export type Matrix = Float32Array | Float64Array;

export type Metric = 'euclidean' | 'cosine';

/** Set `cancelled` to true to stop a projection at its next check point. */
export interface CancelToken {
  cancelled: boolean;
}

export type UmapStage = 'knn' | 'graph' | 'layout';

export interface UmapProgress {
  stage: UmapStage;
  /**
   * Step within the stage: the NN-descent iteration (0 while the random-projection trees are built)
   * for 'knn', 0 for 'graph', the SGD epoch (0 = initial layout) for 'layout'.
   */
  epoch: number;
  /** How far the stage is, 0..1. */
  fraction: number;
  /** How far the whole projection is, 0..1 (stages weighted by their usual share of the time). */
  overall: number;
}

// The stage's errors live in errors.ts; re-exported for the modules that import them from here.
export { ProjectionCancelledError, ProjectionInputError } from './errors';
