// The one error a saved model file gives when it cannot be used: what is wrong and what to do.

export type ModelFileErrorCode = 'not-a-model' | 'version' | 'damaged' | 'incompatible';

export class ModelFileError extends Error {
  constructor(
    message: string,
    readonly code: ModelFileErrorCode,
  ) {
    super(message);
    this.name = 'ModelFileError';
  }
}
