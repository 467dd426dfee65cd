// Timestamps arrive as ISO-like strings ("2019-10-01 00:00:00 UTC", "2010-12-01 08:26"),
// US-style dates ("12/1/2010 8:26"), dates alone, or epoch numbers in s / ms / µs.
// Naive times (no zone) are read as UTC so that results don't depend on the viewer's zone.
// Hand-rolled because Date.parse is slow and inconsistent across engines for non-ISO shapes.

const ZERO = 48;

function digitsAt(s: string, start: number, end: number): number {
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i) - ZERO;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Reads a run of digits starting at `pos`; returns [value, endPos] or null. */
function readInt(s: string, pos: number): [number, number] | null {
  let end = pos;
  while (end < s.length) {
    const c = s.charCodeAt(end) - ZERO;
    if (c < 0 || c > 9) break;
    end++;
  }
  if (end === pos || end - pos > 9) return null;
  return [digitsAt(s, pos, end), end];
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(y: number, mo: number, d: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || y < 1900 || y > 2200) return false;
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= DAYS_IN_MONTH[mo - 1] + (leap ? 1 : 0);
}

/** Whether s[at, at + 4) is " UTC" (compared in place: a builtin call per row costs more). */
function isUtcAt(s: string, at: number): boolean {
  return s.charCodeAt(at) === 32 && s.charCodeAt(at + 1) === 85 && s.charCodeAt(at + 2) === 84 && s.charCodeAt(at + 3) === 67;
}

/** "HH:MM:SS" at `pos` followed by nothing, "Z" or " UTC" up to `end`: the common case, without regexes. */
function fastClock(s: string, pos: number, end = s.length): number {
  if (pos + 9 > end) return -1;
  const sep = s.charCodeAt(pos);
  if ((sep !== 32 /* space */ && sep !== 84) /* T */ || s.charCodeAt(pos + 3) !== 58 /* : */ || s.charCodeAt(pos + 6) !== 58) return -1;
  const tail = end - (pos + 9);
  if (tail !== 0 && !(tail === 1 && s.charCodeAt(end - 1) === 90) /* Z */ && !(tail === 4 && isUtcAt(s, end - 4))) return -1;
  const h = digitsAt(s, pos + 1, pos + 3);
  const m = digitsAt(s, pos + 4, pos + 6);
  const sec = digitsAt(s, pos + 7, pos + 9);
  if (h < 0 || m < 0 || sec < 0 || h > 23 || m > 59 || sec > 60) return -1;
  return ((h * 60 + m) * 60 + sec) * 1000;
}

// Consecutive rows mostly fall on the same day: remember the last day's midnight.
let lastDay = '';
let lastDayMs = NaN;

/** Parses "HH:MM[:SS[.fff]]" plus an optional zone from `pos`; returns ms since midnight minus zone offset. */
function parseClock(s: string, pos: number): number {
  let i = pos;
  while (i < s.length && (s[i] === ' ' || s[i] === 'T')) i++;
  if (i >= s.length) return 0;
  const h = readInt(s, i);
  if (!h || s[h[1]] !== ':') return NaN;
  const m = readInt(s, h[1] + 1);
  if (!m) return NaN;
  let sec = 0;
  let ms = 0;
  i = m[1];
  if (s[i] === ':') {
    const sv = readInt(s, i + 1);
    if (!sv) return NaN;
    sec = sv[0];
    i = sv[1];
    if (s[i] === '.' || s[i] === ',') {
      let j = i + 1;
      let frac = 0;
      let scale = 1000;
      while (j < s.length) {
        const c = s.charCodeAt(j) - ZERO;
        if (c < 0 || c > 9) break;
        if (scale > 1) {
          scale /= 10;
          frac += c * scale;
        }
        j++;
      }
      ms = Math.floor(frac);
      i = j;
    }
  }
  if (h[0] > 23 || m[0] > 59 || sec > 60) return NaN;
  let hour = h[0];
  // 12-hour clocks ("8:26 PM")
  const rest = s.slice(i).trim();
  let zone = rest;
  const ampm = /^(am|pm)\b/i.exec(rest);
  if (ampm) {
    if (hour > 12 || hour === 0) return NaN;
    const pm = ampm[1].toLowerCase() === 'pm';
    hour = (hour % 12) + (pm ? 12 : 0);
    zone = rest.slice(2).trim();
  }
  const offset = parseZone(zone);
  if (Number.isNaN(offset)) return NaN;
  return ((hour * 60 + m[0]) * 60 + sec) * 1000 + ms - offset;
}

/** Zone suffix -> offset in ms ("" / "Z" / "UTC" / "GMT" / "+01:00" / "-0500"). NaN if unknown. */
function parseZone(z: string): number {
  if (z === '' || z === 'Z' || z === 'z' || z === 'UTC' || z === 'GMT' || z === 'utc') return 0;
  const m = /^(?:UTC|GMT)?\s*([+-])(\d{2}):?(\d{2})?$/.exec(z);
  if (!m) return NaN;
  const mins = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return (m[1] === '-' ? -1 : 1) * mins * 60_000;
}

/** Epoch number -> ms, guessing the unit from its magnitude (s, ms, µs). */
export function epochToMs(v: number): number {
  if (!Number.isFinite(v) || v < 0) return NaN;
  if (v >= 1e14) return Math.floor(v / 1000); // µs
  if (v >= 1e11) return v; // ms
  if (v >= 1e8) return v * 1000; // s (1973 onwards)
  return NaN;
}

/** Day/month order of numeric dates such as 10/11/2019: day first, month first, or decided from the column. */
export type DateOrder = 'dmy' | 'mdy' | 'auto';

/** What a numeric day/month date said about its order (see DateShape). */
export const DateKind = {
  /** Not a numeric d/m date (ISO, epoch, a name), or day = month: the order does not matter. */
  None: 0,
  /** Both numbers are 12 or less and differ: read in the order assumed, swapping gives the other reading. */
  Ambiguous: 1,
  /** The first number is over 12: only day-first fits. */
  DayFirst: 2,
  /** The second number is over 12: only month-first fits. */
  MonthFirst: 3,
  /** The order was set and this date only fits the other one (31/10 with month-first set). */
  WrongOrder: 4,
} as const;
export type DateKind = (typeof DateKind)[keyof typeof DateKind];

/** Out-parameter of readTimestamp: the date's kind, and for an ambiguous one the other reading's offset. */
export interface DateShape {
  kind: DateKind;
  /** Days to add to read an ambiguous date the other way round (0 otherwise). */
  swapDays: number;
}

/** Times outside these years are refused: an epoch of 99999999999999999999 is not a date (and Date would throw). */
export const MIN_TIME_MS = Date.UTC(1900, 0, 1);
export const MAX_TIME_MS = Date.UTC(2200, 0, 1);
export function inTimeRange(ms: number): boolean {
  return ms >= MIN_TIME_MS && ms < MAX_TIME_MS;
}

const scratch: DateShape = { kind: DateKind.None, swapDays: 0 };

/**
 * Parses one timestamp string to ms since the Unix epoch (UTC); NaN when it cannot be read.
 * Numeric dates (10/11/2019, 10-11-2019) are read month-first unless the first number is over 12
 * or `order` says day-first; dotted ones (10.11.2019) always day-first.
 */
export function parseTimestamp(raw: string, order: DateOrder = 'auto'): number {
  return readTimestamp(raw, order === 'dmy' ? 'dmy' : 'mdy', order !== 'auto', scratch);
}

/**
 * parseTimestamp with the order spelled out: ambiguous numeric dates are read as `assume`;
 * `strict` refuses (NaN, kind WrongOrder) a date that only fits the other order. `shape` tells the
 * caller what the date said about the order, so a column's order can be settled from all its values.
 */
export function readTimestamp(raw: string, assume: 'dmy' | 'mdy', strict: boolean, shape: DateShape): number {
  shape.kind = DateKind.None;
  shape.swapDays = 0;
  const s = raw.trim();
  if (s.length === 0) return NaN;
  const c0 = s.charCodeAt(0) - ZERO;
  if (c0 < 0 || c0 > 9) return fallback(s);
  // YYYY-MM-DD, YYYY/MM/DD or YYYY.MM.DD
  if (s.length >= 10 && (s[4] === '-' || s[4] === '/' || s[4] === '.') && s[7] === s[4]) {
    let day: number;
    if (lastDay.length === 10 && s.startsWith(lastDay)) {
      day = lastDayMs;
    } else {
      const y = digitsAt(s, 0, 4);
      const mo = digitsAt(s, 5, 7);
      const d = digitsAt(s, 8, 10);
      if (y < 0 || mo < 0 || d < 0 || !validDate(y, mo, d)) return NaN;
      day = Date.UTC(y, mo - 1, d);
      lastDay = s.slice(0, 10);
      lastDayMs = day;
    }
    const fast = fastClock(s, 10);
    if (fast >= 0) return day + fast;
    const clock = parseClock(s, 10);
    return Number.isNaN(clock) ? NaN : day + clock;
  }
  // D/M/Y or M/D/Y with '/', '-' or '.' between (a 2- or 4-digit year last)
  const a = readInt(s, 0);
  if (a && (s[a[1]] === '/' || s[a[1]] === '.' || s[a[1]] === '-') && a[1] <= 2) {
    const sep = s[a[1]];
    const b = readInt(s, a[1] + 1);
    if (!b || s[b[1]] !== sep || b[1] - a[1] - 1 > 2) return NaN;
    const y = readInt(s, b[1] + 1);
    if (!y) return NaN;
    const yearDigits = y[1] - b[1] - 1;
    if (yearDigits !== 2 && yearDigits !== 4) return NaN;
    let year = y[0];
    if (yearDigits === 2) year += year < 70 ? 2000 : 1900;
    const first = a[0];
    const second = b[0];
    let dayFirst: boolean;
    if (sep === '.') dayFirst = true;
    else if (first > 12 && second <= 12) {
      shape.kind = DateKind.DayFirst;
      dayFirst = true;
    } else if (second > 12 && first <= 12) {
      shape.kind = DateKind.MonthFirst;
      dayFirst = false;
    } else {
      dayFirst = assume === 'dmy';
      if (first !== second && first <= 12) shape.kind = DateKind.Ambiguous;
    }
    if (strict && sep !== '.' && ((shape.kind === DateKind.DayFirst && assume === 'mdy') || (shape.kind === DateKind.MonthFirst && assume === 'dmy'))) {
      shape.kind = DateKind.WrongOrder;
      return NaN;
    }
    const mo = dayFirst ? second : first;
    const d = dayFirst ? first : second;
    if (!validDate(year, mo, d)) return NaN;
    const clock = parseClock(s, y[1]);
    if (Number.isNaN(clock)) return NaN;
    const date = Date.UTC(year, mo - 1, d);
    if (shape.kind === DateKind.Ambiguous) shape.swapDays = Math.round((Date.UTC(year, d - 1, mo) - date) / 86_400_000);
    return date + clock;
  }
  // Epoch numbers, in exponent notation too (JSON writes 1e300 so): read as numbers, so that one
  // out of range is refused as such rather than as unreadable.
  if (/^\d+(\.\d+)?(?:[eE]\+?\d+)?$/.test(s)) return epochToMs(Number(s));
  return fallback(s);
}

/**
 * The order a column's sample of dates shows: 'dmy' when a first number is over 12, 'mdy' when a
 * second one is, null when every date is ambiguous (or none is a numeric day/month date).
 */
export function sampleDateOrder(values: readonly string[]): 'dmy' | 'mdy' | null {
  const shape: DateShape = { kind: DateKind.None, swapDays: 0 };
  let dmy = 0;
  let mdy = 0;
  for (const v of values) {
    readTimestamp(v, 'mdy', false, shape);
    if (shape.kind === DateKind.DayFirst) dmy++;
    else if (shape.kind === DateKind.MonthFirst) mdy++;
  }
  if (dmy === 0 && mdy === 0) return null;
  return dmy >= mdy ? 'dmy' : 'mdy';
}

function fallback(s: string): number {
  // Month names etc. ("Wed, 01 Dec 2010 08:26:00 GMT"): the engine's parser, but only for
  // strings that carry a 4-digit year, since Date.parse accepts nonsense like "1".
  if (!/\b\d{4}\b/.test(s)) return NaN;
  const v = Date.parse(s);
  return Number.isNaN(v) ? NaN : v;
}

/** Parses a "time offset" column (ms added to the timestamp, e.g. Diginetica's timeframe). */
export function parseOffset(raw: string): number {
  const v = Number(raw);
  return Number.isFinite(v) ? v : NaN;
}

/** Memoises the last value: logs repeat the same timestamp on consecutive rows (invoice lines). */
export class TimestampReader {
  private last = '';
  private lastValue = NaN;
  private lastKind: DateKind = DateKind.None;
  private lastSwap = 0;
  /** What the last value read said about the day/month order (see readTimestamp). */
  readonly shape: DateShape = { kind: DateKind.None, swapDays: 0 };

  /** `assume` and `strict` as for readTimestamp; the defaults read like parseTimestamp(raw). */
  constructor(
    private readonly assume: 'dmy' | 'mdy' = 'mdy',
    private readonly strict = false,
  ) {}

  read(raw: string): number {
    if (raw === this.last) {
      this.shape.kind = this.lastKind;
      this.shape.swapDays = this.lastSwap;
      return this.lastValue;
    }
    this.last = raw;
    this.lastValue = readTimestamp(raw, this.assume, this.strict, this.shape);
    this.lastKind = this.shape.kind;
    this.lastSwap = this.shape.swapDays;
    return this.lastValue;
  }

  /** The same for text[start, end), slicing only when the value changed and is not a plain ISO time. */
  readAt(text: string, start: number, end: number): number {
    const last = this.last;
    if (last.length === end - start && last.length > 0 && text.startsWith(last, start)) {
      this.shape.kind = this.lastKind;
      this.shape.swapDays = this.lastSwap;
      return this.lastValue;
    }
    const iso = isoAt(text, start, end);
    if (!Number.isNaN(iso)) {
      this.shape.kind = DateKind.None;
      this.shape.swapDays = 0;
      return iso;
    }
    return this.read(text.slice(start, end));
  }
}

/** Whether text[start, start + 10) is lastDay (10 characters), compared in place. */
function sameDay(text: string, start: number): boolean {
  const d = lastDay;
  for (let i = 9; i >= 0; i--) if (text.charCodeAt(start + i) !== d.charCodeAt(i)) return false;
  return true;
}

/**
 * readTimestamp's common case read in place: "YYYY-MM-DD HH:MM:SS" (or with '/', '.', 'T') and
 * nothing, "Z" or " UTC" after it. NaN when the text is not of that shape or not a valid date
 * (readTimestamp then decides); otherwise the value readTimestamp gives, without a string made.
 */
export function isoAt(text: string, start: number, end: number): number {
  if (end - start < 19) return NaN;
  const c0 = text.charCodeAt(start) - ZERO;
  if (c0 < 0 || c0 > 9) return NaN;
  const sep = text.charCodeAt(start + 4);
  if ((sep !== 45 /* - */ && sep !== 47 /* / */ && sep !== 46) /* . */ || text.charCodeAt(start + 7) !== sep) return NaN;
  let day: number;
  if (lastDay.length === 10 && sameDay(text, start)) {
    day = lastDayMs;
  } else {
    const y = digitsAt(text, start, start + 4);
    const mo = digitsAt(text, start + 5, start + 7);
    const d = digitsAt(text, start + 8, start + 10);
    if (y < 0 || mo < 0 || d < 0 || !validDate(y, mo, d)) return NaN;
    day = Date.UTC(y, mo - 1, d);
    lastDay = text.slice(start, start + 10);
    lastDayMs = day;
  }
  const fast = fastClock(text, start + 10, end);
  return fast >= 0 ? day + fast : NaN;
}
