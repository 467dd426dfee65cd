import { describe, expect, it } from 'vitest';
import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';
import {
  buildTokens,
  GAP_1_2_DAYS,
  GAP_1_3_MONTHS,
  GAP_2_4_DAYS,
  GAP_2_4_WEEKS,
  GAP_4_6_DAYS,
  GAP_6_8_DAYS,
  GAP_8_14_DAYS,
  GAP_FIRST,
  GAP_HOURS,
  GAP_MINUTE,
  GAP_MONTHS,
  GAP_SESSION,
  GAP_UNKNOWN,
  gapBucket,
  SESSION_POS_MAX,
} from './tokens';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

describe('tokens', () => {
  it('buckets gaps on a log scale', () => {
    expect(gapBucket(0)).toBe(GAP_MINUTE);
    expect(gapBucket(59_000)).toBe(GAP_MINUTE);
    expect(gapBucket(5 * MIN)).toBe(GAP_SESSION);
    expect(gapBucket(29 * MIN)).toBe(GAP_SESSION);
    expect(gapBucket(31 * MIN)).toBe(GAP_HOURS);
    expect(gapBucket(23 * 60 * MIN)).toBe(GAP_HOURS);
    expect(gapBucket(1.5 * DAY)).toBe(GAP_1_2_DAYS);
    expect(gapBucket(2 * DAY)).toBe(GAP_2_4_DAYS);
    expect(gapBucket(5 * DAY)).toBe(GAP_4_6_DAYS);
    // A weekly cadence, give or take a day, has a bucket of its own.
    expect(gapBucket(6.1 * DAY)).toBe(GAP_6_8_DAYS);
    expect(gapBucket(7 * DAY)).toBe(GAP_6_8_DAYS);
    expect(gapBucket(7.9 * DAY)).toBe(GAP_6_8_DAYS);
    expect(gapBucket(10 * DAY)).toBe(GAP_8_14_DAYS);
    expect(gapBucket(20 * DAY)).toBe(GAP_2_4_WEEKS);
    expect(gapBucket(45 * DAY)).toBe(GAP_1_3_MONTHS);
    expect(gapBucket(120 * DAY)).toBe(GAP_MONTHS);
    expect(gapBucket(NaN)).toBe(GAP_UNKNOWN);
  });

  it('keeps the last maxLen events of each sequence with their items, types and gaps', () => {
    const time = Float64Array.from([0, 30_000, 10 * MIN, 3 * DAY, 0, 40 * DAY]);
    const table = { time, item: Int32Array.from([1, 2, 3, 4, 5, 6]), type: Uint8Array.from([0, 2, 3, 0, 0, 4]) } as unknown as EventTable;
    // Sequence 0: events 0..3, sequence 1: events 4, 5.
    const sequences = { count: 2, offsets: Int32Array.from([0, 4, 6]), events: Int32Array.from([0, 1, 2, 3, 4, 5]) } as unknown as Sequences;
    const t = buildTokens(table, sequences, 3);
    expect(Array.from(t.offsets)).toEqual([0, 3, 5]);
    expect(Array.from(t.item)).toEqual([2, 3, 4, 5, 6]);
    expect(Array.from(t.type)).toEqual([2, 3, 0, 0, 4]);
    // The first kept event of a cut sequence keeps the gap to the event before it.
    expect(Array.from(t.gap)).toEqual([GAP_MINUTE, GAP_SESSION, GAP_2_4_DAYS, GAP_FIRST, GAP_1_3_MONTHS]);
  });

  it('marks how long ago the same item last appeared in the kept events', () => {
    const time = Float64Array.from([0, 10 * MIN, 7 * DAY, 9 * DAY, 0, DAY]);
    // Sequence 0: items 1, 2, 1, 1; sequence 1: items 1, 1 (a repeat in another sequence does not count across).
    const table = { time, item: Int32Array.from([1, 2, 1, 1, 1, 1]), type: Uint8Array.from([0, 0, 0, 0, 0, 0]) } as unknown as EventTable;
    const sequences = { count: 2, offsets: Int32Array.from([0, 4, 6]), events: Int32Array.from([0, 1, 2, 3, 4, 5]) } as unknown as Sequences;
    expect(Array.from(buildTokens(table, sequences, 10).recency!)).toEqual([GAP_FIRST, GAP_FIRST, GAP_6_8_DAYS, GAP_2_4_DAYS, GAP_FIRST, GAP_1_2_DAYS]);
    // Cut to the last 2 events: the earlier occurrences are gone.
    expect(Array.from(buildTokens(table, sequences, 2).recency!)).toEqual([GAP_FIRST, GAP_2_4_DAYS, GAP_FIRST, GAP_1_2_DAYS]);
  });
  it('counts each event position within its visit, a 30-minute gap starting a new one', () => {
    const time = Float64Array.from([0, 30_000, 10 * MIN, 45 * MIN, 46 * MIN, 3 * DAY]);
    const table = { time, item: Int32Array.from([1, 2, 3, 4, 5, 6]), type: new Uint8Array(6) } as unknown as EventTable;
    const sequences = { count: 1, offsets: Int32Array.from([0, 6]), events: Int32Array.from([0, 1, 2, 3, 4, 5]) } as unknown as Sequences;
    expect(Array.from(buildTokens(table, sequences, 10).sessionPos!)).toEqual([1, 2, 3, 1, 2, 1]);
    // A cut sequence starts counting at its first kept event.
    expect(Array.from(buildTokens(table, sequences, 2).sessionPos!)).toEqual([1, 1]);
    expect(Array.from(buildTokens(table, sequences, 3).sessionPos!)).toEqual([1, 2, 1]);
    // Long visits share the last position.
    const n = SESSION_POS_MAX + 5;
    const long = { time: Float64Array.from({ length: n }, (_, i) => i * 1000), item: new Int32Array(n), type: new Uint8Array(n) } as unknown as EventTable;
    const one = { count: 1, offsets: Int32Array.from([0, n]), events: Int32Array.from({ length: n }, (_, i) => i) } as unknown as Sequences;
    expect(Array.from(buildTokens(long, one, n).sessionPos!)).toEqual(Array.from({ length: n }, (_, i) => Math.min(SESSION_POS_MAX, i + 1)));
  });
});
