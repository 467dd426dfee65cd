// The same encoding in Node (transformers.js's Node build, onnxruntime-node) for the browser's
// vectors to be checked against: the demo log through the real pipeline, the tiny model from
// public/models/, the options the UI uses by default.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as transformers from '@huggingface/transformers';
import { analyzeStream } from '../src/pipeline/analyze';
import { encodeSequences, loadModelEmbedder, type EncodeMode } from '../src/pipeline/encode';
import { sequenceLabel } from '../src/pipeline/sequences';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const MODELS_DIR = `${ROOT}public/models/`;
export const TINY_MODEL_DIR = `${MODELS_DIR}seqlens-tiny-bert`;
const DEMO = `${ROOT}public/demo/uci-online-retail-demo.csv`;

export interface NodeVectors {
  dims: number;
  texts: number;
  /** Sequence id (as the app labels it) -> its vector. */
  byId: Map<string, Float32Array>;
}

export function nodeDemoVectors(mode: EncodeMode = 'items'): Promise<NodeVectors> {
  return nodeVectors(new Uint8Array(readFileSync(DEMO)), 'uci-online-retail-demo.csv', mode);
}

export async function nodeVectors(bytes: Uint8Array, fileName: string, mode: EncodeMode = 'items'): Promise<NodeVectors> {
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(bytes);
      c.close();
    },
  });
  const analysis = await analyzeStream(stream, { fileName, totalBytes: bytes.length });
  const embedder = await loadModelEmbedder(transformers, { model: 'seqlens-tiny-bert', dtype: 'q8', device: 'cpu', localModelPath: MODELS_DIR });
  try {
    const r = await encodeSequences({ table: analysis.ingested.table, sequences: analysis.sequences }, embedder, { mode });
    const byId = new Map<string, Float32Array>();
    for (let s = 0; s < r.count; s++) {
      byId.set(sequenceLabel(analysis.ingested.table, analysis.sequences, s), r.vectors.slice(s * r.dims, (s + 1) * r.dims));
    }
    return { dims: r.dims, texts: r.encoder.texts, byId };
  } finally {
    await embedder.dispose();
  }
}
