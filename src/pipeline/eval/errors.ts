// Errors of the evaluation stage; messages are shown to the user as they are.
export class EvalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvalError';
  }
}
