// Errors of the graph-network stage; messages are shown to the user as they are.

export type GcnErrorCode = 'bad-options' | 'bad-input' | 'cancelled';

export class GcnError extends Error {
  constructor(
    message: string,
    readonly code: GcnErrorCode,
  ) {
    super(message);
    this.name = 'GcnError';
  }
}

export function gcnCancelled(): GcnError {
  return new GcnError('Training the graph network was cancelled.', 'cancelled');
}
