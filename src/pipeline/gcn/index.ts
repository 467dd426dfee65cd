// The graph-network stage's public surface.
export { runGcn, normalizeRows, type GcnReport, type GcnResult, type RunGcnHooks, type RunGcnOptions } from './run';
export { trainGcn, type GcnProgress, type TrainHooks, type TrainResult } from './train';
export { DEFAULT_GCN_OPTIONS, resolveGcnOptions, type GcnOptions } from './options';
export { embedItemTexts, itemVectorsByItem, projectFeatures, projectionMatrix, type EncoderVectors, type ItemTextVectors } from './features';
export { GcnModel, layerWeights, type ModelParams, type ModelShape } from './model';
export { GcnError, type GcnErrorCode } from './errors';
export { GcnRandom } from './random';
export * from './kernels';
