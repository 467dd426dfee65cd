// Int8 per-channel symmetric quantisation: each output channel (last axis) of a matrix gets one
// scale, max|w| / 127, so a channel with small weights keeps its resolution. Vectors (biases, layer
// norm gains) stay float32: they are tiny and carry the scale of whole activations.

import type { NamedWeight, QuantizedWeight, SeqBertModel } from './types';

/** Int8 form of a rows x cols matrix, one scale per column (output channel). */
export function quantizeMatrix(data: Float32Array, rows: number, cols: number): { q: Int8Array; scale: Float32Array } {
  const scale = new Float32Array(cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) {
      const a = Math.abs(data[o + c]);
      if (a > scale[c]) scale[c] = a;
    }
  }
  for (let c = 0; c < cols; c++) scale[c] = scale[c] / 127;
  const q = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) {
      const s = scale[c];
      // |v| <= 127 by construction of the scale (the clamp only guards float rounding).
      q[o + c] = s === 0 ? 0 : Math.max(-127, Math.min(127, Math.round(data[o + c] / s)));
    }
  }
  return { q, scale };
}

export function dequantizeMatrix(q: Int8Array, scale: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) out[o + c] = q[o + c] * scale[c];
  }
  return out;
}

/** Which weights are quantized: every matrix (2-D). */
export function isQuantizable(w: NamedWeight): boolean {
  return w.shape.length === 2 && w.shape[0] > 1 && w.shape[1] > 1;
}

export function quantizeWeights(weights: readonly NamedWeight[]): QuantizedWeight[] {
  return weights.filter(isQuantizable).map((w) => ({ name: w.name, shape: w.shape.slice(), ...quantizeMatrix(w.data, w.shape[0], w.shape[1]) }));
}

/** The model's weights with every quantized matrix replaced by its dequantized int8 form. */
export function dequantizeWeights(model: Pick<SeqBertModel, 'weights' | 'quantized'>): NamedWeight[] {
  const byName = new Map(model.quantized.map((q) => [q.name, q]));
  return model.weights.map((w) => {
    const q = byName.get(w.name);
    if (!q) return w;
    return { name: w.name, shape: w.shape, data: dequantizeMatrix(q.q, q.scale, q.shape[0], q.shape[1]) };
  });
}

/** Fills model.quantized from model.weights. */
export function quantizeModel(model: SeqBertModel): SeqBertModel {
  model.quantized = quantizeWeights(model.weights);
  return model;
}
