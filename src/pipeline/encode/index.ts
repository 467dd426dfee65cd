// The encoder stage's public surface.
export { encodeSequences, type EncodeOptions, type SequenceEncoding } from './encode';
export { MemoryEmbeddingCache, cacheKey, type EmbeddingCache } from './cache';
export { createFeaturizer, HashedNgramFeaturizer, FEATURIZER_NAME, type FeaturizerOptions } from './featurizer';
export { loadModelEmbedder, type ModelEmbedderOptions, type TransformersLike, type TransformersEnvLike, type DeviceName } from './transformersModel';
export { httpProbe, onnxFileFor, DTYPE_SUFFIX, TINY_MODEL_ID, type FileProbe, type ModelDtype } from './modelFiles';
export { DEFAULT_EVENT_WEIGHTS, DEFAULT_HALF_LIFE_DAYS, type EventWeights } from './weights';
export { EncoderError, type EncoderErrorCode } from './errors';
export { embedTexts } from './embedTexts';
export { collectItemTexts, itemText } from './itemText';
export { sequenceTexts } from './sequenceText';
export { sequenceVectors } from './sequenceVectors';
export { fnv1a64 } from './hash';
export type { TextEmbedder, EncoderReport, EncodeProgress, EncodeMode, CancelToken } from './types';
