// The behaviour BERT stage: a small BERT4Rec-style encoder trained self-supervised on the loaded
// log with tfjs, quantized to int8, and one embedding per behaviour sequence.
//
//   const model = await trainSeqBert({ sequences, table, itemVectors, itemDims }, { epochs: 8 }, { onProgress, signal, stop });
//   const { vectors, dims } = await embedSequences(model, input); // int8 model, mean pooling
//
// Files: tokens.ts (last maxLen events: item, type, gap bucket, item recency, position in the
// visit), batch.ts (batches and BERT masking), model.ts (encoder), train.ts (masked item + type,
// InfoNCE between two views, Adam, early stopping), embed.ts, quantize.ts (int8 per channel),
// serialize.ts (bytes), backend.ts (webgpu / wasm / cpu), gradients.ts (tfjs gradient registry),
// rank.ts (item rows and next-item scores for recommendations).
//
// Measured on the shared 2-core machine (wasm, one thread; noisy: other jobs ran alongside):
//   - training ~5.8-6.5k tokens per CPU second (bench/seqbertSpeed.ts, 32 vs 64 sequences per step);
//   - UCI Dec-May (209k rows, 2,678 users, 3,514 items, 81k tokens per epoch at maxLen 50):
//     4 epochs by the token budget (6.9k tokens/s) + int8 embedding of every user: 78 s + 3 s wall
//     at load ~2 (148 s wall at load ~5), peak RSS 624 MB with the log loaded;
//   - int8 vs float32 sequence embeddings: cosine mean 0.99995, min 0.9998;
//   - clustering (generated behaviour log, 1,000 users, 6 planted segments, k-means K = 6 on the
//     int8 embeddings, one run per setting, run-to-run spread about +-0.15): mean pooling 0.61-0.70
//     ARI overall and 1.00 on the order-only pair with the defaults; without the contrastive term
//     0.47 / 0.00; contrastive without item noise in the second view 0.24-0.50 / 0.95-1.00; item
//     noise 0.8 0.45 / 0.99. CLS pooling 0.27-0.53 / 0.00-1.00: mean pooling is the default.
export { trainSeqBert } from './train';
export { embedSequences, embedBothPoolings, compareQuantized, rowCosines, whitenRows } from './embed';
export { fitWhitening, applyWhitening, type Whitening } from './whiten';
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
