// The evaluation stage's public surface.
export {
  dotScorer,
  encoderUserVectors,
  evaluate,
  EVAL_K,
  prepareEvaluation,
  protocolText,
  rankingMetrics,
  type EvalContext,
  type EvalReport,
  type EvalResult,
  type EvaluateOptions,
  type MethodScores,
  type Scorer,
} from './evaluate';
export { leaveLastOut, type LeaveLastOutSplit, type SplitOptions } from './split';
export { ndcgAtK, recallAtK } from './metrics';
export { dotScores, topK } from './rank';
export { EvalError } from './errors';
export {
  basketsFromColumns,
  basketsFromRows,
  basketsFromTable,
  selectBaskets,
  userItems,
  type BasketRow,
  type Baskets,
  type BasketSource,
} from './baskets';
export {
  idOrder,
  protocolSplit,
  PROTOCOL_K,
  readRecommendationsCsv,
  scoreDense,
  scoreLists,
  topKInOrder,
  trainPopularity,
  type ProtocolScore,
  type ProtocolSplit,
} from './protocol';
export { evaluateBaskets, evaluateRecommendations, PROTOCOL_TEXT, type RecommendationEval } from './recommendations';
