// Token columns of every sequence, built once: the last `maxLen` events of each sequence, with per
// event its item, its event type and the log-scale time gap since the event before it. CSR like
// Sequences (offsets + flat columns), so batching never allocates per event.

import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';

/** Time-gap buckets: what the gap embedding is indexed by. */
export const GAP_PAD = 0;
export const GAP_FIRST = 1;
export const GAP_MINUTE = 2;
export const GAP_SESSION = 3;
export const GAP_HOURS = 4;
export const GAP_DAYS = 5;
export const GAP_WEEKS = 6;
export const GAP_MONTHS = 7;
/** The log has no times. */
export const GAP_UNKNOWN = 8;
export const GAP_BUCKETS = 9;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Bucket of a gap in ms (NaN: unknown). Same minute, same session (< 30 min), hours, days, weeks, months and more. */
export function gapBucket(ms: number): number {
  if (!(ms >= 0)) return Number.isNaN(ms) ? GAP_UNKNOWN : GAP_MINUTE;
  if (ms < MINUTE) return GAP_MINUTE;
  if (ms < 30 * MINUTE) return GAP_SESSION;
  if (ms < DAY) return GAP_HOURS;
  if (ms < 7 * DAY) return GAP_DAYS;
  if (ms < 30 * DAY) return GAP_WEEKS;
  return GAP_MONTHS;
}

export interface SeqTokens {
  count: number;
  maxLen: number;
  /** Sequence i's tokens are [offsets[i], offsets[i+1]), oldest first; at most maxLen. */
  offsets: Int32Array;
  /** Table item index. */
  item: Int32Array;
  /** Table event type index. */
  type: Uint8Array;
  gap: Uint8Array;
}

export function buildTokens(table: EventTable, sequences: Sequences, maxLen: number): SeqTokens {
  const { count, offsets: so, events } = sequences;
  const offsets = new Int32Array(count + 1);
  for (let s = 0; s < count; s++) offsets[s + 1] = offsets[s] + Math.min(maxLen, so[s + 1] - so[s]);
  const total = offsets[count];
  const item = new Int32Array(total);
  const type = new Uint8Array(total);
  const gap = new Uint8Array(total);
  const time = table.time;
  for (let s = 0; s < count; s++) {
    const hi = so[s + 1];
    const lo = hi - (offsets[s + 1] - offsets[s]);
    let o = offsets[s];
    for (let i = lo; i < hi; i++, o++) {
      const e = events[i];
      item[o] = table.item[e];
      type[o] = table.type[e];
      // The first kept event's gap is to the event before it when the sequence was cut.
      gap[o] = i === so[s] ? GAP_FIRST : gapBucket(time[e] - time[events[i - 1]]);
    }
  }
  return { count, maxLen, offsets, item, type, gap };
}

/** Real tokens of sequence s. */
export const tokenCount = (t: SeqTokens, s: number): number => t.offsets[s + 1] - t.offsets[s];
