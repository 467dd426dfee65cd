// The behaviour BERT stage: a small BERT4Rec-style encoder trained self-supervised on the loaded
// log with tfjs, quantized to int8, and one embedding per behaviour sequence.
//
//   const model = await trainSeqBert({ sequences, table, itemVectors, itemDims }, { epochs: 8 }, { onProgress, signal, stop });
//   const { vectors, dims } = await embedSequences(model, input); // int8 model, mean pooling, whitened
//
// Files: tokens.ts (last maxLen events: item, type, gap bucket, item recency, position in the
// visit), batch.ts (batches and BERT masking; item-hidden rows), batchTensors.ts, model.ts
// (encoder; layer norm and GELU with their own lean gradients), train.ts (masked item + type,
// InfoNCE between two item-hidden crops, Adam, early stopping, a token budget that bounds the
// time), heldout.ts (what it learned, in plain numbers), embed.ts + whiten.ts (pooled, whitened
// sequence vectors), quantize.ts (int8 per channel), serialize.ts (bytes), backend.ts (webgpu /
// wasm / cpu), gradients.ts (tfjs gradient registry), rank.ts (item rows and next-item scores).
//
// Measured (docs/benchmarks.md, "Behaviour BERT"; wasm, one thread, the shared 2-core machine):
//   - generated behaviour logs (planted segments that differ only in how people shop), k-means
//     K = planted on the default vectors: ARI 0.997 (4 segments, 2,000 users) and 0.949 (6, 3,000);
//     0.944 mean over 12 smaller runs; the order-only pair 0.97-1.00; the featuriser path 0.00;
//   - UCI Dec-May trained and embedded in 76 s, 735 MiB; 1M events / 50k users 130 s, 812 MiB;
//   - int8 vs float32 sequence embeddings: cosine mean 1.0000, min 0.9999; same clusters.
export { trainSeqBert } from './train';
export { embedSequences, embedBothPoolings, compareQuantized, rowCosines } from './embed';
export { fitWhitening, applyWhitening, whitenRows, whitenRowsWith, ROWS_PER_AXIS, type Whitening } from './whiten';
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
  HeldOutReport,
  SeqBertProgress,
  SeqBertHooks,
  SeqBertBackend,
  SeqBertVocab,
  EmbedOptions,
  SequenceEmbedding,
  NamedWeight,
  QuantizedWeight,
} from './types';
