// Per-user recommendations: the fit and lists (fit.ts) and their use over a log's sequences
// (forSequences.ts). Kept to re-exports so that forSequences.ts can import the fit without a circle.
export * from './fit';
export { recommendForSequences, recommendForSequencesOnThreads, type ListsOfUser, type SequenceRecommender } from './forSequences';
