// The synthetic log written the way most shops' exports come: REES46's columns without the title
// (`event_time,event_type,product_id,category_code,brand,price,user_id,user_session`), many empty
// category codes, and no quoted field anywhere. Readers have a fast path for lines without quotes,
// and a file with no quote at all is the case that path must really be fast on (it once was not):
// csvChunks' titles put a quote on about one row in ten, which hides such a slow path.
// `quoteEvery` puts a harmless quote back ("view" for view) on every n-th row, so the same events
// can be read with and without quotes.

import { eventTimeFormatter, sessionIdCache } from './csv';
import { EVENT_TYPES, type SynthLog } from './generate';
import { userIdOf } from './ids';
import { hash32 } from '../numeric/sfc32';

export const EXPORT_HEADER = ['event_time', 'event_type', 'product_id', 'category_code', 'brand', 'price', 'user_id', 'user_session'] as const;

export interface ExportCsvOptions {
  /** Rows per yielded chunk (the header rides with the first). */
  rowsPerChunk?: number;
  /** Share of items whose category_code is empty (REES46's October 2019 file: about 27%). */
  missingCategory?: number;
  /** Quote the event_type field of every n-th data row (rows n, 2n, ...); 0: no quote anywhere. */
  quoteEvery?: number;
  delimiter?: ',' | ';' | '\t' | '|';
  lineEnd?: '\n' | '\r\n';
  /** 'rees46': `2019-10-01 00:00:00 UTC`; 'iso': `2019-10-01T00:00:00Z`. */
  time?: 'rees46' | 'iso';
}

export const DEFAULT_MISSING_CATEGORY = 0.27;

/** Whether item `i` of a log made with `seed` has its category code left empty. */
export function categoryMissing(seed: number, i: number, share: number): boolean {
  return hash32((i ^ hash32((seed >>> 0) ^ 0xca7e9041)) >>> 0) / 4294967296 < share;
}

export function* exportCsvChunks(log: SynthLog, opts: ExportCsvOptions = {}): Generator<string, void, undefined> {
  const perChunk = Math.max(1, Math.floor(opts.rowsPerChunk ?? 4096));
  const d = opts.delimiter ?? ',';
  const eol = opts.lineEnd ?? '\n';
  const quoteEvery = Math.max(0, Math.floor(opts.quoteEvery ?? 0));
  const share = opts.missingCategory ?? DEFAULT_MISSING_CATEGORY;
  const cat = log.catalog;
  const seed = log.params.seed;
  // product_id,category_code,brand,price once per item. No value may need quoting: the point of
  // this shape is a file without a single quote.
  const itemMid: string[] = new Array<string>(cat.size);
  for (let i = 0; i < cat.size; i++) {
    const code = categoryMissing(seed, i, share) ? '' : cat.categories[cat.category[i]].code;
    const brand = cat.brand[i] < 0 ? '' : cat.brands[cat.brand[i]];
    itemMid[i] = [String(cat.productId[i]), code, brand, cat.price[i].toFixed(2)].map((v) => plain(v, d)).join(d);
  }
  const plainTypes = EVENT_TYPES.map((t) => plain(t, d));
  const quotedTypes = EVENT_TYPES.map((t) => `"${t}"`);
  const sessionId = sessionIdCache(seed);
  const rees46Time = eventTimeFormatter();
  const iso = opts.time === 'iso';
  let lastMs = NaN;
  let lastTime = '';
  let rows: string[] = [EXPORT_HEADER.join(d) + eol];
  for (let e = 0; e < log.length; e++) {
    const ms = log.time[e];
    if (ms !== lastMs) {
      lastMs = ms;
      const t = rees46Time(ms);
      lastTime = iso ? `${t.slice(0, 10)}T${t.slice(11, 19)}Z` : t;
    }
    const type = quoteEvery > 0 && (e + 1) % quoteEvery === 0 ? quotedTypes[log.type[e]] : plainTypes[log.type[e]];
    rows.push(`${lastTime}${d}${type}${d}${itemMid[log.item[e]]}${d}${userIdOf(log.user[e])}${d}${sessionId(log.session[e])}${eol}`);
    if (rows.length >= perChunk) {
      yield rows.join('');
      rows = [];
    }
  }
  if (rows.length > 0) yield rows.join('');
}

function plain(v: string, d: string): string {
  if (v.includes(d) || /["\r\n]/.test(v)) throw new Error(`exportCsvChunks: "${v}" would need quoting with delimiter ${JSON.stringify(d)}`);
  return v;
}
