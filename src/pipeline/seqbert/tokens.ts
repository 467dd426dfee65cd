// Token columns of every sequence, built once: the last `maxLen` events of each sequence, with per
// event its item, its event type and the log-scale time gap since the event before it. CSR like
// Sequences (offsets + flat columns), so batching never allocates per event.

import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';

/**
 * Time-gap buckets: what the gap embedding is indexed by. Finer around days and weeks than a plain
 * log scale: a weekly cadence (replenishment) sits in a bucket of its own (6-8 days) instead of on
 * the boundary between "days" and "weeks", and a buy 1-4 days after the cart is told from one a
 * week later.
 */
export const GAP_PAD = 0;
/** The first event of a sequence (for the item recency: the item was not seen before). */
export const GAP_FIRST = 1;
export const GAP_MINUTE = 2;
export const GAP_SESSION = 3;
/** 30 minutes to a day. */
export const GAP_HOURS = 4;
export const GAP_1_2_DAYS = 5;
export const GAP_2_4_DAYS = 6;
export const GAP_4_6_DAYS = 7;
export const GAP_6_8_DAYS = 8;
export const GAP_8_14_DAYS = 9;
export const GAP_2_4_WEEKS = 10;
export const GAP_1_3_MONTHS = 11;
export const GAP_MONTHS = 12;
/** The log has no times. */
export const GAP_UNKNOWN = 13;
export const GAP_BUCKETS = 14;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Upper ends (exclusive) of buckets GAP_MINUTE.. in ms; longer gaps are GAP_MONTHS. */
const GAP_UPPER = [MINUTE, 30 * MINUTE, DAY, 2 * DAY, 4 * DAY, 6 * DAY, 8 * DAY, 14 * DAY, 30 * DAY, 90 * DAY];

/** Bucket of a gap in ms (NaN: unknown; negative: same minute). */
export function gapBucket(ms: number): number {
  if (!(ms >= 0)) return Number.isNaN(ms) ? GAP_UNKNOWN : GAP_MINUTE;
  for (let k = 0; k < GAP_UPPER.length; k++) if (ms < GAP_UPPER[k]) return GAP_MINUTE + k;
  return GAP_MONTHS;
}

/** Position of an event within its visit (events since a gap of 30 minutes or more), 1-based and capped here; 0 is padding. */
export const SESSION_POS_MAX = 16;

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
  /**
   * Time since the same item's previous event in the kept sequence, in gap buckets; GAP_FIRST when
   * the item was not seen before. It marks what repeats: replenishment, a return of what was
   * bought, a purchase days after the cart. Absent: GAP_PAD everywhere (hand-made token sets).
   */
  recency?: Uint8Array;
  /** Position within the visit, 1..SESSION_POS_MAX (a long visit's later events share the last); absent: 0 everywhere. */
  sessionPos?: Uint8Array;
}

export function buildTokens(table: EventTable, sequences: Sequences, maxLen: number): SeqTokens {
  const { count, offsets: so, events } = sequences;
  const offsets = new Int32Array(count + 1);
  for (let s = 0; s < count; s++) offsets[s + 1] = offsets[s] + Math.min(maxLen, so[s + 1] - so[s]);
  const total = offsets[count];
  const item = new Int32Array(total);
  const type = new Uint8Array(total);
  const gap = new Uint8Array(total);
  const recency = new Uint8Array(total);
  const sessionPos = new Uint8Array(total);
  const time = table.time;
  // Time of each item's latest event in the sequence being read (cleared per sequence).
  const lastSeen = new Map<number, number>();
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
      const it = table.item[e];
      const prev = lastSeen.get(it);
      recency[o] = prev === undefined ? GAP_FIRST : gapBucket(time[e] - prev);
      lastSeen.set(it, time[e]);
      const g = gap[o];
      sessionPos[o] = i > lo && (g === GAP_MINUTE || g === GAP_SESSION) ? Math.min(SESSION_POS_MAX, sessionPos[o - 1] + 1) : 1;
    }
    lastSeen.clear();
  }
  return { count, maxLen, offsets, item, type, gap, recency, sessionPos };
}

/** Real tokens of sequence s. */
export const tokenCount = (t: SeqTokens, s: number): number => t.offsets[s + 1] - t.offsets[s];
