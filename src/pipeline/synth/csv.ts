// Writes a SynthLog as REES46-shaped CSV, a chunk of rows at a time: a million events are about
// 130 MB of text, which must never exist as one string (V8 caps strings at ~512 MB anyway, and a
// browser tab would not want it). Only per-item text is cached; rows are formatted on the fly.

import type { Catalog } from './catalog';
import { EVENT_TYPES, type SynthLog } from './generate';
import { sessionIdOf, userIdOf } from './ids';

export const REES46_HEADER = 'event_time,event_type,product_id,category_code,brand,price,user_id,user_session,title';

export interface CsvOptions {
  /** Rows per yielded chunk (the header rides with the first). */
  rowsPerChunk?: number;
}

const DEFAULT_ROWS_PER_CHUNK = 4096;

/** RFC 4180 quoting, only where needed (titles like `55" 4k uhd smart tv` or `sofa, 3-seat`). */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** REES46's timestamp shape: `2019-10-01 00:00:00 UTC`. */
export function formatEventTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

const TWO_DIGITS: string[] = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const DAY_MS = 86_400_000;

/**
 * formatEventTime for whole-second times that arrive in order: the date part is formatted once
 * per day and the clock from a lookup table, because Date#toISOString per row was a third of the
 * writer's time.
 */
export function eventTimeFormatter(): (ms: number) => string {
  let day = NaN;
  let prefix = '';
  return (ms) => {
    const d = Math.floor(ms / DAY_MS);
    if (d !== day) {
      day = d;
      prefix = `${new Date(d * DAY_MS).toISOString().slice(0, 10)} `;
    }
    const sec = Math.floor((ms - d * DAY_MS) / 1000);
    return `${prefix}${TWO_DIGITS[Math.floor(sec / 3600)]}:${TWO_DIGITS[Math.floor(sec / 60) % 60]}:${TWO_DIGITS[sec % 60]} UTC`;
  };
}

/** An item's CSV text, once per item: what every row of that item repeats. */
export interface ItemCsvColumns {
  /** `product_id,category_code,brand,price`, fields quoted where needed. */
  itemMid: string[];
  /** The title field, quoted where needed. */
  itemTitle: string[];
}

export function itemCsvColumns(cat: Catalog): ItemCsvColumns {
  const itemMid: string[] = new Array<string>(cat.size);
  const itemTitle: string[] = new Array<string>(cat.size);
  for (let i = 0; i < cat.size; i++) {
    const brand = cat.brand[i] < 0 ? '' : csvField(cat.brands[cat.brand[i]]);
    itemMid[i] = `${cat.productId[i]},${cat.categories[cat.category[i]].code},${brand},${cat.price[i].toFixed(2)}`;
    itemTitle[i] = csvField(cat.title[i]);
  }
  return { itemMid, itemTitle };
}

export function* csvChunks(log: SynthLog, opts: CsvOptions = {}): Generator<string, void, undefined> {
  const perChunk = Math.max(1, Math.floor(opts.rowsPerChunk ?? DEFAULT_ROWS_PER_CHUNK));
  const { itemMid, itemTitle } = itemCsvColumns(log.catalog);
  const sessionId = sessionIdCache(log.params.seed);
  const time = eventTimeFormatter();
  let lastMs = NaN;
  let lastTime = '';
  // Rows are joined once per chunk: appending each row to a growing string builds a rope that
  // has to be flattened later, which doubled the garbage collector's work.
  let rows: string[] = [`${REES46_HEADER}\n`];
  for (let e = 0; e < log.length; e++) {
    const ms = log.time[e];
    if (ms !== lastMs) {
      lastMs = ms;
      lastTime = time(ms);
    }
    const i = log.item[e];
    rows.push(`${lastTime},${EVENT_TYPES[log.type[e]]},${itemMid[i]},${userIdOf(log.user[e])},${sessionId(log.session[e])},${itemTitle[i]}\n`);
    if (rows.length >= perChunk) {
      yield rows.join('');
      rows = [];
    }
  }
  if (rows.length > 0) yield rows.join('');
}

/**
 * sessionIdOf behind a small direct-mapped cache: a session's events sit close together in time,
 * so its id is usually still cached when its next row comes, and most rows skip the hashing.
 */
export function sessionIdCache(seed: number): (s: number) => string {
  const size = 1 << 12;
  const keys = new Int32Array(size).fill(-1);
  const ids: string[] = new Array<string>(size).fill('');
  return (s) => {
    const slot = s & (size - 1);
    if (keys[slot] !== s) {
      keys[slot] = s;
      ids[slot] = sessionIdOf(seed, s);
    }
    return ids[slot];
  };
}

/** The CSV as a byte stream, pulled chunk by chunk: what analyzeStream and file APIs take. */
export function csvStream(log: SynthLog, opts: CsvOptions = {}): ReadableStream<Uint8Array> {
  const chunks = csvChunks(log, opts);
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    cancel() {
      chunks.return(undefined);
    },
  });
}
