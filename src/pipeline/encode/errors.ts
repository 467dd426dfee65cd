// Errors of the encoder stage. Messages are shown to the user as they are, so each one says which
// file or option is at fault and what to do about it.

export type EncoderErrorCode =
  | 'model-missing'
  | 'model-file-missing'
  | 'model-wrong-layout'
  | 'model-corrupt'
  | 'model-load-failed'
  | 'embed-failed'
  | 'bad-options'
  | 'cancelled';

export class EncoderError extends Error {
  constructor(
    message: string,
    readonly code: EncoderErrorCode,
    /** The file at fault (path or URL), when there is one. */
    readonly file?: string,
  ) {
    super(message);
    this.name = 'EncoderError';
  }
}

export function cancelled(): EncoderError {
  return new EncoderError('Encoding was cancelled.', 'cancelled');
}
