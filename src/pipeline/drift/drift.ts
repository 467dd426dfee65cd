// computeDrift: the comparison of two logs' segment assignments (the saved model's training log and
// a log it was applied to). One pass over each side with typed counters; the old side's ids are
// indexed once in a Map (50k customers: a few ms).

import { TOO_LITTLE_HISTORY_LABEL } from '../profile/label';
import type { DriftReport, DriftSide } from './types';

/** The item id lists in a report are cut to this many (the counts are complete). */
export const MAX_DRIFT_ITEM_IDS = 100;

/** Index of a cluster in the report's arrays: 0..k-1, and k for -1 (too little history) or anything out of range. */
function slot(c: number, k: number): number {
  return c >= 0 && c < k ? c : k;
}

function padTraits<T>(traits: (T[] | null)[] | undefined, k: number): (T[] | null)[] {
  const out: (T[] | null)[] = [];
  for (let c = 0; c <= k; c++) {
    const t = traits?.[c];
    out.push(t ? [...t] : null);
  }
  return out;
}

/** The items of `side` that `other` lacks: how many, and the `max` with the most events (catalogue order on ties), with titles. */
function missingFrom(side: DriftSide, other: ReadonlySet<string>, max: number): { count: number; list: string[]; titles: string[] } {
  const missing: number[] = [];
  side.itemIds.forEach((id, i) => {
    if (!other.has(id)) missing.push(i);
  });
  const counts = side.itemCounts;
  if (counts) missing.sort((a, b) => counts[b] - counts[a] || a - b);
  const top = missing.slice(0, max);
  return { count: missing.length, list: top.map((i) => side.itemIds[i]), titles: top.map((i) => side.itemTitles?.[i]?.trim() ?? '') };
}

/**
 * Drift from `before` (the saved model's log) to `after` (the log it was applied to). Both sides use
 * the same K segments; `labels` names them (length k, or k + 1 whose last entry is replaced by the
 * too-little-history name). Invariants: kept + new = customers of the new log; row i of
 * transitions sums to the kept customers of old segment i; sizesAfter sums to the new log's
 * customers; sizesBefore sums to the old log's.
 */
export function computeDrift(before: DriftSide, after: DriftSide, labels: readonly string[]): DriftReport {
  const t0 = performance.now();
  const k = before.k;
  if (after.k !== k) throw new Error(`drift: the two sides have ${before.k} and ${after.k} segments`);
  if (before.userIds.length !== before.clusters.length || after.userIds.length !== after.clusters.length) {
    throw new Error('drift: one cluster per customer expected');
  }
  const n = k + 1;
  const nb = before.userIds.length;
  const na = after.userIds.length;

  const indexOf = new Map<string, number>();
  for (let i = 0; i < nb; i++) if (!indexOf.has(before.userIds[i])) indexOf.set(before.userIds[i], i);

  const sizesBefore = new Int32Array(n);
  for (let i = 0; i < nb; i++) sizesBefore[slot(before.clusters[i], k)]++;

  const sizesAfter = new Int32Array(n);
  const newOf = new Int32Array(n);
  const trans = new Int32Array(n * n);
  const seen = new Uint8Array(nb);
  let kept = 0;
  let moved = 0;
  for (let j = 0; j < na; j++) {
    const to = slot(after.clusters[j], k);
    sizesAfter[to]++;
    const i = indexOf.get(after.userIds[j]);
    if (i === undefined) {
      newOf[to]++;
      continue;
    }
    kept++;
    seen[i] = 1;
    const from = slot(before.clusters[i], k);
    trans[from * n + to]++;
    if (from !== to) moved++;
  }

  const lostOf = new Int32Array(n);
  let lost = 0;
  for (const [, i] of indexOf) {
    if (seen[i]) continue;
    lost++;
    lostOf[slot(before.clusters[i], k)]++;
  }

  const transitions: number[][] = [];
  for (let r = 0; r < n; r++) transitions.push(Array.from(trans.subarray(r * n, (r + 1) * n)));

  const beforeItems = new Set(before.itemIds);
  const afterItems = new Set(after.itemIds);
  const appeared = missingFrom(after, beforeItems, MAX_DRIFT_ITEM_IDS);
  const vanished = missingFrom(before, afterItems, MAX_DRIFT_ITEM_IDS);

  const names: string[] = [];
  for (let c = 0; c < k; c++) names.push(labels[c] ?? `Segment ${c + 1}`);
  names.push(TOO_LITTLE_HISTORY_LABEL);

  return {
    k,
    labels: names,
    users: { kept, new: na - kept, lost },
    sizesBefore: Array.from(sizesBefore),
    sizesAfter: Array.from(sizesAfter),
    transitions,
    moved,
    newSegmentOfNew: Array.from(newOf),
    lostBySegment: Array.from(lostOf),
    newItems: appeared.count,
    vanishedItems: vanished.count,
    newItemIds: appeared.list,
    vanishedItemIds: vanished.list,
    newItemTitles: appeared.titles,
    vanishedItemTitles: vanished.titles,
    traits: { before: padTraits(before.traits, k), after: padTraits(after.traits, k) },
    ...(before.traitDetails && after.traitDetails
      ? { traitDetails: { before: padTraits(before.traitDetails, k), after: padTraits(after.traitDetails, k) } }
      : {}),
    seconds: (performance.now() - t0) / 1000,
  };
}

/** The cluster number an index of the report's arrays stands for in the exports (k -> -1). */
export function driftCluster(index: number, k: number): number {
  return index === k ? -1 : index;
}
