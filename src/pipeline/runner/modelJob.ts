// The runner's saved-model steps (issue #16), kept out of runner.ts: the .seqlens bytes of the
// clustering on screen at K, and the checks and bookkeeping of applying one to the log on screen.
// The runner hands its state in (no import of runner.ts: no import circle).

import type { Analysis } from '../analyze';
import type { ServiceSettings } from '../catalog';
import { itemVectorsByItem, type ItemTextVectors } from '../gcn';
import { buildSavedModel } from '../model/build';
import { writeModelFile } from '../model/format';
import type { SavedModel } from '../model/types';
import type { SeqBertModel, SeqBertOptions } from '../seqbert';
import type { Whitening } from '../seqbert/whiten';
import type { SegmentSpace } from '../seqbert/segmentSpace';
import type { EncoderKind } from './constants';
import type { SweptClusters } from './mapJob';
import type { EncodeMode, EventWeights, SequenceEncoding } from '../encode';

/** What of the runner's encode a saved model needs (runner.ts's Encoded has these). */
export interface EncodedForModel {
  analysis: Analysis;
  vectors: Float32Array;
  n: number;
  d: number;
  items: Float32Array;
  itemDims: number;
  itemTexts: ItemTextVectors;
  encoding: SequenceEncoding;
  kind: EncoderKind;
  seqbert: { model: SeqBertModel; options: Partial<SeqBertOptions>; whitening?: Whitening | null } | null;
  /** What the sweep clustered with the behaviour BERT (runner.ts's clusteredVectors); null: `vectors`. */
  segments: { vectors: Float32Array; d: number; space: SegmentSpace } | null;
  request?: { mode?: EncodeMode; weights?: Partial<EventWeights>; halfLifeDays?: number; seqbert?: Partial<SeqBertOptions> };
}

/** The .seqlens bytes of the sweep's clustering at K. */
export async function modelFileOf(
  encoded: EncodedForModel,
  swept: SweptClusters,
  k: number,
  gcnItems: { dims: number; data: Float32Array } | null,
  service: ServiceSettings,
): Promise<{ bytes: Uint8Array; model: SavedModel }> {
  const labels = swept.labelsOf(k);
  const { analysis } = encoded;
  let seqbert: SavedModel['seqbert'] = null;
  if (encoded.seqbert) {
    const { serializeModel } = await import('../seqbert/serialize');
    let whitening = encoded.seqbert.whitening;
    if (whitening === undefined) {
      // Restored from a store entry that did not keep it: the same model on the same log fits the same one.
      const { embedSequences } = await import('../seqbert');
      const input = {
        table: analysis.ingested.table,
        sequences: analysis.sequences,
        itemVectors: itemVectorsByItem(encoded.itemTexts),
        itemDims: encoded.itemTexts.dims,
      };
      whitening = (await embedSequences(encoded.seqbert.model, input, { quantized: true })).whitening ?? null;
    }
    seqbert = { bytes: serializeModel(encoded.seqbert.model, 'int8'), whitening, segmentSpace: encoded.segments?.space ?? null };
  }
  const e = encoded.encoding.encoder;
  const req = encoded.request ?? {};
  const model = buildSavedModel({
    analysis,
    vectors: (encoded.segments ?? encoded).vectors,
    n: encoded.n,
    d: (encoded.segments ?? encoded).d,
    labels,
    k,
    clusteredOn: swept.result.source.stage,
    profiles: swept.profiles(k),
    encoder: {
      kind: encoded.kind,
      textModel: e.model,
      featurizer: e.kind === 'featurizer',
      mode: e.mode,
      seqbert: encoded.seqbert ? encoded.seqbert.options : null,
      weights: req.weights ?? null,
      halfLifeDays: req.halfLifeDays ?? null,
    },
    service,
    itemText: itemVectorsByItem(encoded.itemTexts),
    itemDims: encoded.itemTexts.dims,
    itemRows: encoded.items,
    itemRowDims: encoded.itemDims,
    gcnItems,
    seqbert,
  });
  return { bytes: await writeModelFile(model), model };
}
