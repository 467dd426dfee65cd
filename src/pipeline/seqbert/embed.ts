// Sequence embeddings (placeholder while the forward pass lands; the API below is final).

import { SeqBertError } from './errors';
import type { EmbedOptions, SeqBertInput, SeqBertModel, SequenceEmbedding } from './types';

export async function embedSequences(_model: SeqBertModel, _input: SeqBertInput, _opts: EmbedOptions = {}): Promise<SequenceEmbedding> {
  throw new SeqBertError('Embedding is not implemented yet.', 'bad-options');
}

/** Embeds with the float32 and the int8 weights; cosine per sequence between the two. */
export async function compareQuantized(_model: SeqBertModel, _input: SeqBertInput, _opts: Omit<EmbedOptions, 'quantized'> = {}): Promise<{ float32: SequenceEmbedding; int8: SequenceEmbedding; cosine: { mean: number; min: number } }> {
  throw new SeqBertError('Embedding is not implemented yet.', 'bad-options');
}
