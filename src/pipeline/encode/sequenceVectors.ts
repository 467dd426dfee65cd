// A sequence's vector: the weighted sum of its items' vectors (weights by event type and recency),
// L2-normalised. The mean's divisor is left out because normalising removes it anyway.

import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';
import { decay, typeWeights, type EventWeights } from './weights';

export interface SequenceVectorOptions {
  weights?: Partial<EventWeights>;
  /** Half-life of the recency decay in days; 0 = no decay. */
  halfLifeDays: number;
}

export interface SequenceVectors {
  /** count x dims, row-major. */
  vectors: Float32Array;
  /** Sequences whose weights cancel out (say, everything bought was returned): left as zero rows. */
  zeroVectors: number;
}

export function sequenceVectors(
  table: EventTable,
  sequences: Sequences,
  textOf: Int32Array,
  textVectors: Float32Array,
  dims: number,
  opts: SequenceVectorOptions,
): SequenceVectors {
  const w = typeWeights(table.typeNames, opts.weights);
  const { offsets, events, count } = sequences;
  const out = new Float32Array(count * dims);
  const acc = new Float64Array(dims);
  let zeroVectors = 0;
  for (let s = 0; s < count; s++) {
    acc.fill(0);
    let total = 0;
    const lo = offsets[s];
    const hi = offsets[s + 1];
    // Events are in time order, so the last one is the sequence's "now".
    const now = table.time[events[hi - 1]];
    for (let k = lo; k < hi; k++) {
      const e = events[k];
      const weight = w[table.type[e]] * decay(now - table.time[e], opts.halfLifeDays);
      if (weight === 0) continue;
      total += Math.abs(weight);
      const base = textOf[table.item[e]] * dims;
      for (let j = 0; j < dims; j++) acc[j] += weight * textVectors[base + j];
    }
    let norm = 0;
    for (let j = 0; j < dims; j++) norm += acc[j] * acc[j];
    norm = Math.sqrt(norm);
    // Relative to the weights: cancellation leaves float dust, which must not be blown up to unit length.
    if (!(norm > 1e-6 * total)) {
      zeroVectors++;
      continue;
    }
    const row = s * dims;
    for (let j = 0; j < dims; j++) out[row + j] = acc[j] / norm;
  }
  return { vectors: out, zeroVectors };
}
