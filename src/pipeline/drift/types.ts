// Drift between two logs analysed with the same saved segments model: who stayed, who moved to
// which segment, who is new or lapsed, which items appeared or vanished. Plain data (structured-clone
// safe): the worker sends it to the page as it is, the CLI writes it to drift.json.

import type { Trait } from '../profile/types';

/** One log's side of a drift: its customers with their segment, and its item catalogue. */
export interface DriftSide {
  /** Customer (or session) ids, one per row of `clusters`; unique. */
  userIds: readonly string[];
  /** Segment of each customer; -1 = too little history yet. */
  clusters: Int32Array;
  /** Number of segments (K). */
  k: number;
  /** The log's item ids (catalogue). */
  itemIds: readonly string[];
  /** Events per item (same order as itemIds), when known: the listed new or vanished items are the busiest first. */
  itemCounts?: ArrayLike<number>;
  /** Item titles (same order as itemIds; '' when none), when known. */
  itemTitles?: readonly string[];
  /** Traits of each segment (index = cluster), when known. */
  traits?: (string[] | null)[];
  /** The same traits with their numbers (index = cluster), when known: the page writes amounts in the reader's currency. */
  traitDetails?: (Trait[] | null)[];
}

export interface DriftReport {
  /** Number of segments; every per-segment array has k + 1 entries, the last for too little history (cluster -1). */
  k: number;
  /** Segment names, length k + 1: index k = "Too little history yet". */
  labels: string[];
  /** kept = in both logs; new = only in the new log; lost = only in the old log. */
  users: { kept: number; new: number; lost: number };
  /** Customers per segment in the old log (length k + 1). */
  sizesBefore: number[];
  /** Customers per segment in the new log, every customer of it (length k + 1). */
  sizesAfter: number[];
  /** (k + 1) x (k + 1): row = old segment, column = new segment; kept customers only. */
  transitions: number[][];
  /** Kept customers whose segment changed. */
  moved: number;
  /** New customers per segment of the new log (length k + 1). */
  newSegmentOfNew: number[];
  /** Lost (lapsed) customers per old segment (length k + 1). */
  lostBySegment: number[];
  /**
   * Items in the new log only, and in the old log only: counts, and lists cut to MAX_DRIFT_ITEM_IDS,
   * the items with the most events (in the log they are in) first, with their titles ('' when none).
   */
  newItems: number;
  vanishedItems: number;
  newItemIds: string[];
  vanishedItemIds: string[];
  newItemTitles: string[];
  vanishedItemTitles: string[];
  /** Each segment's traits then and now (length k + 1, null where unknown). */
  traits: { before: (string[] | null)[]; after: (string[] | null)[] };
  /** The traits with their numbers (length k + 1, null where unknown), when both sides had them. */
  traitDetails?: { before: (Trait[] | null)[]; after: (Trait[] | null)[] };
  seconds: number;
}
