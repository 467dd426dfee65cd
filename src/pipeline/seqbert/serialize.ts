// A model as bytes, for a file or IndexedDB: magic, header length, a JSON header (architecture,
// vocabulary, report, and where each blob is), then the blobs: float32 weights and int8 matrices
// with their float32 scales, each aligned to 4 bytes.

import { SeqBertError } from './errors';
import { validateArchitecture } from './options';
import { dequantizeMatrix } from './quantize';
import type { NamedWeight, QuantizedWeight, SeqBertModel } from './types';

const MAGIC = 0x54524253; // 'SBRT' little-endian
// 2: finer gap buckets (14 rows) and the item recency table; format-1 models embedded gaps differently.
const FORMAT = 2;

interface BlobRef {
  name: string;
  shape: number[];
  offset: number;
  /** float32: data; int8: q, then scales (shape[last] float32s) at scaleOffset. */
  kind: 'float32' | 'int8';
  scaleOffset?: number;
}

interface Header {
  format: number;
  architecture: SeqBertModel['architecture'];
  vocab: SeqBertModel['vocab'];
  report: SeqBertModel['report'];
  weights: BlobRef[];
  quantized: BlobRef[];
}

const align4 = (n: number): number => (n + 3) & ~3;
const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * `weights`: 'all' keeps the float32 weights and the int8 matrices; 'int8' keeps only the float32
 * tensors that were not quantized (about a quarter of the size; the model then embeds int8 only).
 */
export function serializeModel(model: SeqBertModel, weights: 'all' | 'int8' = 'all'): Uint8Array {
  const qNames = new Set(model.quantized.map((q) => q.name));
  const floats = weights === 'all' ? model.weights : model.weights.filter((w) => !qNames.has(w.name));
  let offset = 0;
  const wRefs: BlobRef[] = floats.map((w) => {
    const ref: BlobRef = { name: w.name, shape: w.shape, offset, kind: 'float32' };
    offset += w.data.length * 4;
    return ref;
  });
  const qRefs: BlobRef[] = model.quantized.map((q) => {
    const ref: BlobRef = { name: q.name, shape: q.shape, offset, kind: 'int8', scaleOffset: 0 };
    offset = align4(offset + q.q.length);
    ref.scaleOffset = offset;
    offset += q.scale.length * 4;
    return ref;
  });
  const header: Header = { format: FORMAT, architecture: model.architecture, vocab: model.vocab, report: model.report, weights: wRefs, quantized: qRefs };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = align4(8 + json.length);
  const out = new Uint8Array(start + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, json.length, true);
  out.set(json, 8);
  floats.forEach((w, i) => out.set(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength), start + wRefs[i].offset));
  model.quantized.forEach((q, i) => {
    out.set(new Uint8Array(q.q.buffer, q.q.byteOffset, q.q.byteLength), start + qRefs[i].offset);
    out.set(new Uint8Array(q.scale.buffer, q.scale.byteOffset, q.scale.byteLength), start + (qRefs[i].scaleOffset ?? 0));
  });
  return out;
}

export function deserializeModel(bytes: Uint8Array): SeqBertModel {
  const bad = (why: string): never => {
    throw new SeqBertError(`This is not a behaviour BERT model file (${why}).`, 'bad-model');
  };
  if (bytes.length < 8) bad('too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) bad('wrong signature');
  const len = view.getUint32(4, true);
  if (8 + len > bytes.length) bad('truncated header');
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len))) as Header;
  } catch {
    return bad('unreadable header');
  }
  if (header.format !== FORMAT) bad(`format ${header.format}, this version reads ${FORMAT}`);
  validateArchitecture(header.architecture);
  const start = align4(8 + len);
  // Copies, so the model does not pin (or alias) the caller's buffer, and alignment is guaranteed.
  const floats = (at: number, n: number): Float32Array => {
    if (start + at + n * 4 > bytes.length) bad('truncated data');
    return new Float32Array(bytes.slice(start + at, start + at + n * 4).buffer);
  };
  const weights: NamedWeight[] = header.weights.map((r) => ({ name: r.name, shape: r.shape, data: floats(r.offset, size(r.shape)) }));
  const quantized: QuantizedWeight[] = header.quantized.map((r) => {
    const n = size(r.shape);
    if (start + r.offset + n > bytes.length) bad('truncated data');
    return {
      name: r.name,
      shape: r.shape,
      q: new Int8Array(bytes.slice(start + r.offset, start + r.offset + n).buffer),
      scale: floats(r.scaleOffset ?? 0, r.shape[r.shape.length - 1]),
    };
  });
  // A file saved int8-only lacks the float32 matrices: they are the dequantized int8 ones.
  const have = new Set(weights.map((w) => w.name));
  for (const q of quantized)
    if (!have.has(q.name)) weights.push({ name: q.name, shape: q.shape, data: dequantizeMatrix(q.q, q.scale, q.shape[0], q.shape[1]) });
  return { architecture: header.architecture, vocab: header.vocab, report: header.report, weights, quantized };
}
