// The behaviour BERT stage: a small BERT4Rec-style encoder trained self-supervised (masked events)
// on the loaded log with tfjs, quantized to int8, and one embedding per behaviour sequence.
//
//   const model = await trainSeqBert({ sequences, table, itemVectors, itemDims }, { epochs: 8 }, { onProgress });
//   const { vectors, dims } = await embedSequences(model, input, { quantized: true });

export { trainSeqBert } from './train';
export { embedSequences, embedBothPoolings, compareQuantized, rowCosines } from './embed';
export { initBackend, currentBackend } from './backend';
export { quantizeModel, dequantizeWeights, quantizeMatrix, dequantizeMatrix } from './quantize';
export { serializeModel, deserializeModel } from './serialize';
export { DEFAULT_SEQBERT_OPTIONS, resolveSeqBertOptions, validateArchitecture } from './options';
export type { SeqBertOptions, SeqBertArchitecture, SeqBertBackendChoice, SeqBertPooling } from './options';
export { SeqBertError, type SeqBertErrorCode } from './errors';
export type {
  SeqBertInput,
  SeqBertModel,
  SeqBertReport,
  SeqBertProgress,
  SeqBertHooks,
  SeqBertBackend,
  SeqBertVocab,
  EmbedOptions,
  SequenceEmbedding,
  NamedWeight,
  QuantizedWeight,
} from './types';
