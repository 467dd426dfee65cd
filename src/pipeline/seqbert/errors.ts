// Errors of the behaviour-BERT stage; messages are shown to the user as they are.

export type SeqBertErrorCode = 'bad-options' | 'bad-input' | 'backend' | 'cancelled' | 'bad-model';

export class SeqBertError extends Error {
  constructor(
    message: string,
    readonly code: SeqBertErrorCode,
  ) {
    super(message);
    this.name = 'SeqBertError';
  }
}

export function seqBertCancelled(): SeqBertError {
  return new SeqBertError('Training the behaviour BERT was cancelled.', 'cancelled');
}
