// What each cluster did with each item: per (sequence, item) the weight of the strongest event
// the sequence had on it (purchase 5 > cart 3 > click 2 > view 1; a return alone counts nothing),
// summed over the cluster's members. So an item counts once per member, however often it was
// clicked, and a buyer counts more than a browser. One pass over the events, no per-row objects.

import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';
import { typeWeights } from '../encode/weights';

export interface BehaviourCounts {
  /** k x n, row-major: weighted distinct members of cluster c with item i. */
  byCluster: Float64Array;
  /** Per item: the same over all sequences. */
  overall: Float64Array;
  /** Members per cluster. */
  sizes: Int32Array;
  /** Per item: 1 when some sequence uses it (any event type); only these are recommended. */
  candidate: Uint8Array;
  /** The most distinct items any one sequence has. */
  maxDistinct: number;
}

export function behaviourCounts(table: EventTable, sequences: Sequences, labels: Int32Array, k: number): BehaviourCounts {
  const n = table.items.length;
  const w = typeWeights(table.typeNames);
  const byCluster = new Float64Array(k * n);
  const overall = new Float64Array(n);
  const sizes = new Int32Array(k);
  const candidate = new Uint8Array(n);
  // stamp[i] = last sequence that touched item i; best[i] = its strongest weight so far.
  const stamp = new Int32Array(n).fill(-1);
  const best = new Float64Array(n);
  const { offsets, events } = sequences;
  let maxDistinct = 0;
  for (let s = 0; s < sequences.count; s++) {
    const row = labels[s] * n;
    sizes[labels[s]]++;
    let distinct = 0;
    for (let e = offsets[s]; e < offsets[s + 1]; e++) {
      const ev = events[e];
      const i = table.item[ev];
      if (stamp[i] !== s) {
        stamp[i] = s;
        best[i] = 0;
        candidate[i] = 1;
        distinct++;
      }
      const x = w[table.type[ev]];
      if (x > best[i]) {
        // Add only the increase, so the sum holds the maximum without a second pass.
        byCluster[row + i] += x - best[i];
        overall[i] += x - best[i];
        best[i] = x;
      }
    }
    if (distinct > maxDistinct) maxDistinct = distinct;
  }
  return { byCluster, overall, sizes, candidate, maxDistinct };
}
