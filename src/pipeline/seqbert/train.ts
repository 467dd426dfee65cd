// Masked-event training (placeholder while the trainer lands; the API below is final).

import { SeqBertError } from './errors';
import type { SeqBertOptions } from './options';
import type { SeqBertHooks, SeqBertInput, SeqBertModel } from './types';

export async function trainSeqBert(_input: SeqBertInput, _options: Partial<SeqBertOptions> = {}, _hooks: SeqBertHooks = {}): Promise<SeqBertModel> {
  throw new SeqBertError('Training is not implemented yet.', 'bad-options');
}
