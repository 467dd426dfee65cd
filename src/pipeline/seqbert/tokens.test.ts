import { describe, expect, it } from 'vitest';
import type { EventTable } from '../ingest/table';
import type { Sequences } from '../sequences';
import { buildTokens, GAP_DAYS, GAP_FIRST, GAP_HOURS, GAP_MINUTE, GAP_MONTHS, GAP_SESSION, GAP_UNKNOWN, GAP_WEEKS, gapBucket } from './tokens';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

describe('tokens', () => {
  it('buckets gaps on a log scale', () => {
    expect(gapBucket(0)).toBe(GAP_MINUTE);
    expect(gapBucket(59_000)).toBe(GAP_MINUTE);
    expect(gapBucket(5 * MIN)).toBe(GAP_SESSION);
    expect(gapBucket(29 * MIN)).toBe(GAP_SESSION);
    expect(gapBucket(31 * MIN)).toBe(GAP_HOURS);
    expect(gapBucket(2 * DAY)).toBe(GAP_DAYS);
    expect(gapBucket(10 * DAY)).toBe(GAP_WEEKS);
    expect(gapBucket(45 * DAY)).toBe(GAP_MONTHS);
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
    expect(Array.from(t.gap)).toEqual([GAP_MINUTE, GAP_SESSION, GAP_DAYS, GAP_FIRST, GAP_MONTHS]);
  });
});
