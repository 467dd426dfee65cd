// Errors of the recommendation stage; messages are shown to the user as they are.
export class RecommendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecommendError';
  }
}
