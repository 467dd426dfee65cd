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
