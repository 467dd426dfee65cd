// The projection stage's own errors. The map reuses checks of the clustering stage (matrix shape,
// trustworthiness): what they throw is reported as a map failure, never as "cannot be clustered".
import { ClusteringInputError } from '../cluster/types';

/**
 * Thrown for input that UMAP cannot handle (NaN, bad options ...). The message is meant to be
 * shown to the user as is.
 */
export class ProjectionInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProjectionInputError';
  }
}

/** Thrown when the CancelToken of a running projection was set. */
export class ProjectionCancelledError extends Error {
  constructor(message = 'Projection was cancelled') {
    super(message);
    this.name = 'ProjectionCancelledError';
  }
}

/** Runs `f`, turning an input error of a clustering check it relies on into this stage's own. */
export function asProjectionStep<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ClusteringInputError) throw new ProjectionInputError(e.message);
    throw e;
  }
}
