// How a file's values are read, settled once the columns are known and the same for every part of
// the file (helper threads get them with the mapping): the day/month order of numeric dates, the
// decimal mark of each amount column, and the most events kept.

import type { RoleMapping } from '../types';
import { isMissing } from './detect';
import { decimalMarkOf, type DecimalMark } from './numbers';
import { sampleDateOrder, type DateOrder } from './timestamp';

export interface ReadRules {
  /** Set by the user ('dmy' / 'mdy': dates that only fit the other order are rejected), or 'auto'. */
  dateOrder: DateOrder;
  /**
   * With 'auto', the order ambiguous dates (10/11/2019) are read in while reading: the sample's,
   * else month-first. The table settles the order from every value at the end (see table.ts).
   */
  assumeOrder: 'dmy' | 'mdy';
  priceMark: DecimalMark;
  quantityMark: DecimalMark;
  /** Reading stops with a clear message past this many events (memory grows with them). */
  maxEvents: number;
}

/**
 * Default bound on events kept: each costs 45 bytes in the table (up to twice that while its
 * columns double) and about as much again in the later stages, so 15 million stay under about
 * 2 GB, what a browser tab can hold; a 1 GB CSV of 10 million rows still fits. A gzip of a few
 * megabytes can inflate to far more rows than that: it stops here with a message.
 */
export const DEFAULT_MAX_EVENTS = 15_000_000;

export const DEFAULT_READ_RULES: ReadRules = { dateOrder: 'auto', assumeOrder: 'mdy', priceMark: '.', quantityMark: '.', maxEvents: DEFAULT_MAX_EVENTS };

/** The rules for a file from its mapping and sample records, with what the user set. */
export function readRulesFor(mapping: RoleMapping, samples: readonly string[][], set: { dateOrder?: DateOrder; maxEvents?: number }): ReadRules {
  const values = (col: number | undefined): string[] => (col === undefined ? [] : samples.map((r) => r[col] ?? '').filter((v) => !isMissing(v.trim())));
  const dateOrder = set.dateOrder ?? 'auto';
  return {
    dateOrder,
    assumeOrder: dateOrder === 'auto' ? (sampleDateOrder(values(mapping.time)) ?? 'mdy') : dateOrder,
    priceMark: decimalMarkOf(values(mapping.price)),
    quantityMark: decimalMarkOf(values(mapping.quantity)),
    maxEvents: set.maxEvents ?? DEFAULT_MAX_EVENTS,
  };
}
