// Row-major n x d matrix of point coordinates (numeric/shape.ts). Float32 is what embeddings
// usually arrive as; every sum and distance is still accumulated in float64.
export type { Matrix } from '../numeric/shape';

/** Cluster labels as they arrive from outside (fixtures, other tools): any integers. */
export type LabelsLike = ArrayLike<number>;

/**
 * Thrown for input that no clustering can handle (NaN, too few points, K too large ...). The
 * message is meant to be shown to the user as is.
 */
export class ClusteringInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusteringInputError';
  }
}

/** Set `cancelled` to true to stop a long computation at its next check point. */
export interface CancelToken {
  cancelled: boolean;
}

/** Thrown by the asynchronous clustering functions when their CancelToken was set. */
export class ClusteringCancelledError extends Error {
  constructor(message = 'Clustering was cancelled') {
    super(message);
    this.name = 'ClusteringCancelledError';
  }
}

export function throwIfCancelled(token: CancelToken | undefined): void {
  if (token?.cancelled) throw new ClusteringCancelledError();
}
