// Shared shapes of the pipeline stages. Plain data only: every value here must survive
// structured cloning (worker <-> page) and JSON (the CLI's --json output).

/** What a column of the input means to us. */
export type Role =
  | 'user'
  | 'session'
  | 'time'
  | 'timeOffset'
  | 'eventType'
  | 'item'
  | 'title'
  | 'category'
  | 'brand'
  | 'price'
  | 'quantity'
  | 'invoice'
  | 'country';

export const ROLES: readonly Role[] = [
  'user',
  'session',
  'time',
  'timeOffset',
  'eventType',
  'item',
  'title',
  'category',
  'brand',
  'price',
  'quantity',
  'invoice',
  'country',
];

/** Role -> column index in the (flattened) record; a role that is absent is left out. */
export type RoleMapping = Partial<Record<Role, number>>;

export type LogFormat = 'csv' | 'jsonl' | 'parquet';

export interface Detection {
  format: LogFormat;
  /** CSV only: the field delimiter that was sniffed. */
  delimiter?: string;
  /** JSONL only: 'otto' when each line holds a session with a nested `events` array. */
  nested?: 'otto';
  gzip: boolean;
  /** Column names (CSV header, or JSON keys with nested ones flattened as `events.aid`). */
  columns: string[];
  /** Up to 5 sample records, one string per column. */
  samples: string[][];
  /** What was detected (or given), role -> column index. */
  mapping: RoleMapping;
  /** Stable key of the column layout, for remembering a user's mapping choice. */
  layoutKey: string;
  /**
   * How numeric dates (10/11/2019) were read, when the time column has any whose order matters:
   * day-first or month-first, and whether the user set it, the file's dates showed it, or it was
   * assumed because every date was ambiguous.
   */
  dateOrder?: { order: 'dmy' | 'mdy'; how: 'set' | 'file' | 'assumed' };
  /** The decimal mark of the price and quantity columns, when it is a comma ("2,50"). */
  decimalComma?: Array<'price' | 'quantity'>;
  /** The currency of the amounts, from a currency column or the prices' signs (ingest/currency.ts). */
  currency?: CurrencyInfo;
}

/**
 * Which currency a log's amounts are in and how that is known: a currency column's code
 * ('column'), the sign or code around the prices ('symbol'), or not at all ('none': plain
 * numbers). `symbol` is the sign seen, also when it names several currencies ('$': code null).
 */
export interface CurrencyInfo {
  /** ISO 4217 code ("GBP"), or null. */
  code: string | null;
  source: 'column' | 'symbol' | 'none';
  /** The currency column, when source is 'column'. */
  column?: string;
  symbol?: string;
}

/** How raw events become sequences; everything here can change without re-reading the file. */
export interface SequenceOptions {
  by: 'user' | 'session';
  /** Sequences with fewer events (after collapsing duplicates) are filtered out. */
  minLength: number;
  /**
   * Bot limit: sequences with more browsing events (views, clicks: not carts, purchases or returns)
   * than this, or browsing faster than a person (see sequences.ts, botReason), are left out as bots.
   * 0 = no bot rule at all.
   */
  maxLength: number;
  /** Identical (item, type) events of one sequence closer than this many seconds collapse to one. 0 = off. */
  dedupeSeconds: number;
  /** Without a session column, a user's gap longer than this many minutes starts a new session. */
  sessionGapMinutes: number;
}

export const DEFAULT_SEQUENCE_OPTIONS: SequenceOptions = {
  by: 'user',
  minLength: 2,
  maxLength: 5000,
  dedupeSeconds: 5,
  sessionGapMinutes: 30,
};

/** Whether two groupings make the same sequences. */
export function sameSequenceOptions(a: SequenceOptions, b: SequenceOptions): boolean {
  return (
    a.by === b.by &&
    a.minLength === b.minLength &&
    a.maxLength === b.maxLength &&
    a.dedupeSeconds === b.dedupeSeconds &&
    a.sessionGapMinutes === b.sessionGapMinutes
  );
}

export interface RejectSummary {
  count: number;
  /** reason -> rows rejected for it */
  reasons: Record<string, number>;
  /** reason -> the first few 1-based line numbers of the file that were rejected for it */
  examples: Record<string, number[]>;
  /** reason -> what probably caused it, what it means for the numbers and how to keep the rows (see summary.ts). */
  advice?: Record<string, RejectAdvice>;
}

/** Why rows were rejected, in a merchant's words. */
export interface RejectAdvice {
  /** The likely cause ("usually guest orders"). */
  cause: string;
  /** What leaving them out does to the numbers ("revenue excludes them"). */
  effect: string;
  /** How to keep them, if there is a way ("group by session or invoice"); null when there is none. */
  keep: string | null;
  /** Purchases minus returns of the rejected rows that are still in the table; null without prices. */
  revenue: number | null;
}

/** A sequence left out as a bot, and why. */
export interface DroppedSequence {
  id: string;
  /** Events of the sequence (after collapsing repeats). */
  events: number;
  /** Of them, browsing events (views, clicks and other non-purchase types). */
  browse: number;
  reason: string;
}

export interface Progress {
  stage: 'read' | 'sequences' | 'done';
  bytesRead: number;
  /** Compressed bytes read of the input, when its size is known. */
  totalBytes: number | null;
  rows: number;
  rowsPerSecond: number;
  /** 0..1 when the total is known, else null. */
  fraction: number | null;
}

export interface LengthStats {
  min: number;
  median: number;
  p90: number;
  max: number;
  mean: number;
}

/** The analysis report: the CLI prints it as JSON; the UI renders it. Later stages add keys. */
export interface AnalysisReport {
  file: { name: string; bytes: number | null; format: LogFormat; gzip: boolean; delimiter?: string };
  detection: Detection;
  input: { rows: number; accepted: number; rejected: RejectSummary };
  events: { total: number; byType: Record<string, number> };
  sequences: {
    by: 'user' | 'session';
    count: number;
    lengths: LengthStats;
    /** Histogram of sequence lengths: counts[i] sequences have length in [edges[i], edges[i+1]). */
    histogram: { edges: number[]; counts: number[] };
    /**
     * tooShort: sequences under the minimum length (customers with too little history yet: not
     * clustered, but a group of their own in profiles and exports); abnormalVolume: bots (browsing
     * at an inhuman rate or volume; purchases never make a bot).
     */
    filtered: { tooShort: number; abnormalVolume: number; duplicatesCollapsed: number; eventsDropped: number };
    /** The bots left out, each with its reason (the first MAX_DROPPED_LISTED). */
    dropped?: DroppedSequence[];
  };
  /** Distinct users and items of the accepted rows. */
  users: number;
  sessions: number;
  items: number;
  /** Distinct items that only rows rejected after reading (no user id when grouping by user...) had. */
  itemsOnlyInRejectedRows: number;
  timeSpan: { start: string | null; end: string | null };
  /** The currency of every amount (revenue, spend, prices); code null: plain numbers. */
  currency: CurrencyInfo;
  options: SequenceOptions;
  warnings: string[];
  /** readThreads: threads that read the file (1, or more when a large file was read in parts). */
  timings: { readMs: number; sequencesMs: number; readThreads: number };
}

/** A user-facing error with a location and what to do about it. */
export class LogError extends Error {
  constructor(
    message: string,
    readonly code:
      | 'empty'
      | 'binary'
      | 'archive'
      | 'truncated-gzip'
      | 'no-data-rows'
      | 'no-user-or-item'
      | 'unreadable'
      | 'bad-mapping'
      | 'too-large'
      | 'cancelled',
    readonly line?: number,
    /** What was detected before the error, so the UI can offer the mapping panel. */
    readonly detection?: Detection,
  ) {
    super(message);
    this.name = 'LogError';
  }
}
