// The columnar event store: one typed array per field, strings interned to dense ids. This is what
// every later stage reads; nothing here is an object per row.

import { LogError, type RoleMapping } from '../types';
import { type BlockBytes, detach, Dict } from './dict';
import { CART, EventTypeDict, PURCHASE, RETURN, VIEW } from './eventTypes';
import { fit, grow, resize, trim } from './growable';
import { isMissing } from './detect';
import { needsNormalising, normaliseId } from './ids';
import { MAX_AMOUNT, parseAmount, type DecimalMark } from './numbers';
import { DEFAULT_READ_RULES, type ReadRules } from './readRules';
import type { RecordView } from './record';
import type { RejectLog } from './rejects';
import { DateKind, inTimeRange, parseOffset, TimestampReader } from './timestamp';

export interface EventTable {
  length: number;
  /** Index into `users`, or -1 when the row had no user id. */
  user: Int32Array;
  /** Index into `sessions`, or -1 when the row had none. */
  session: Int32Array;
  /** ms since the epoch, UTC; NaN for every row when the log has no time column. */
  time: Float64Array;
  /** Index into `typeNames` (0..4 are view, click, cart, purchase, return). */
  type: Uint8Array;
  item: Int32Array;
  price: Float64Array;
  quantity: Float64Array;
  /** Index into `countries`, or -1. */
  country: Int32Array;
  /** 1-based line of the file the event came from. */
  line: Int32Array;
  users: string[];
  sessions: string[];
  items: string[];
  typeNames: string[];
  countries: string[];
  categories: string[];
  brands: string[];
  /** Per item: first non-empty title seen ('' if none). */
  itemTitle: string[];
  /** Per item: index into `categories` / `brands`, or -1. */
  itemCategory: Int32Array;
  itemBrand: Int32Array;
  hasTime: boolean;
  hasUser: boolean;
  hasSession: boolean;
  /** True when sessions are invoice numbers (no session column in the log). */
  sessionFromInvoice: boolean;
  hasPrice: boolean;
}

/**
 * A table read from one part of a file (by a helper thread), with what absorb() needs to add it
 * to the part before it as if one reader had read both: the items in the order they got their
 * category and their brand (the order those values were first stored).
 */
const eventCounts = new WeakMap<EventTable, Int32Array>();

/** Events per item of `table`, counted once per table (shared: read it, never write it). */
export function itemEventCounts(table: EventTable): Int32Array {
  let r = eventCounts.get(table);
  if (!r) {
    r = new Int32Array(table.items.length);
    for (let e = 0; e < table.length; e++) r[table.item[e]]++;
    eventCounts.set(table, r);
  }
  return r;
}

export interface TablePart {
  table: EventTable;
  categoryOrder: Int32Array;
  brandOrder: Int32Array;
  dates: DateEvidence;
}

/**
 * What a reader's numeric dates said about their day/month order, for settling it from every value
 * of the file (see EventTableBuilder.build): counts and first lines of the dates that only fit one
 * order, and per row the days to add to read an ambiguous date the other way (null: none so far).
 */
export interface DateEvidence {
  dayFirst: number;
  firstDayFirstLine: number;
  monthFirst: number;
  firstMonthFirstLine: number;
  ambiguous: number;
  swapDays: Int32Array | null;
}

/** How the day/month order of a table's numeric dates was settled; null when it has none that are ambiguous or telling. */
export interface DateOrderOutcome {
  order: 'dmy' | 'mdy';
  /** 'set': by the user; 'file': by the dates themselves; 'assumed': every date was ambiguous. */
  how: 'set' | 'file' | 'assumed';
  /** Warnings for the user (an assumed order, dates of both orders). */
  notes: string[];
}

/** Most rows the columns are sized for up front (about 190 MB); beyond, they double as they fill. */
const MAX_PRESIZED_ROWS = 1 << 22;

export class EventTableBuilder {
  length = 0;
  private cap = 1 << 14;
  private user = new Int32Array(this.cap);
  private session = new Int32Array(this.cap);
  private time = new Float64Array(this.cap);
  private type = new Uint8Array(this.cap);
  private item = new Int32Array(this.cap);
  private price = new Float64Array(this.cap);
  private quantity = new Float64Array(this.cap);
  private country = new Int32Array(this.cap);
  private line = new Int32Array(this.cap);
  private itemCategory = new Int32Array(1 << 10).fill(-1);
  private itemBrand = new Int32Array(1 << 10).fill(-1);
  private readonly itemTitle: string[] = [];
  /** Items in the order their category / brand was set (see TablePart). */
  private readonly categoryOrder: number[] = [];
  private readonly brandOrder: number[] = [];

  private readonly users = new Dict();
  private readonly sessions = new Dict();
  private readonly items = new Dict();
  private readonly countries = new Dict();
  private readonly categories = new Dict();
  private readonly brands = new Dict();
  readonly types = new EventTypeDict();
  private readonly timestamps: TimestampReader;
  private readonly rules: ReadRules;
  private readonly dates: DateEvidence = { dayFirst: 0, firstDayFirstLine: 0, monthFirst: 0, firstMonthFirstLine: 0, ambiguous: 0, swapDays: null };
  /** Set by build(): how the day/month order was settled. */
  dateOrder: DateOrderOutcome | null = null;

  private readonly c: Required<Record<keyof RoleMapping, number>>;
  private readonly defaultType: number;
  private readonly sessionCol: number;

  /**
   * `expectedRows`: how many rows the file will likely give (estimated from its size), so the
   * columns are made that large at once instead of doubling their way there (which holds up to
   * three times the final size in memory at the last doubling and the final trim).
   */
  constructor(
    mapping: RoleMapping,
    private readonly rejects: RejectLog,
    expectedRows = 0,
    rules: Partial<ReadRules> = {},
  ) {
    this.rules = { ...DEFAULT_READ_RULES, ...rules };
    this.timestamps = new TimestampReader(this.rules.assumeOrder, this.rules.dateOrder !== 'auto');
    // Capped: an estimate from the first rows can be far off (short rows first, long ones later).
    if (expectedRows > this.cap) this.reserve(Math.ceil(Math.min(expectedRows, MAX_PRESIZED_ROWS) * 1.05), true);
    const col = (r: keyof RoleMapping): number => mapping[r] ?? -1;
    this.c = {
      user: col('user'),
      session: col('session'),
      time: col('time'),
      timeOffset: col('timeOffset'),
      eventType: col('eventType'),
      item: col('item'),
      title: col('title'),
      category: col('category'),
      brand: col('brand'),
      price: col('price'),
      quantity: col('quantity'),
      invoice: col('invoice'),
      country: col('country'),
    };
    // Invoice lines (UCI) carry no event type: each line is a purchase (or a return, below).
    this.defaultType = this.c.invoice >= 0 || this.c.quantity >= 0 ? PURCHASE : VIEW;
    this.sessionCol = this.c.session >= 0 ? this.c.session : this.c.invoice;
  }

  /** Looks ids up in the block's bytes while they line up with it (Dict.attachBlock): the reader's blocks. */
  attachBlock(block: BlockBytes): void {
    for (const d of [this.users, this.sessions, this.items, this.countries, this.categories, this.brands]) d.attachBlock(block);
    this.types.attachBlock(block);
  }

  /** Adds one record; returns false (after logging why) when the row is rejected. */
  add(r: RecordView, lineNo: number): boolean {
    const c = this.c;
    const text = r.text;
    const st = r.starts;
    const en = r.ends;
    if (isMissingAt(text, st[c.item], en[c.item])) {
      this.rejects.add('missing item id', lineNo);
      return false;
    }
    const u = c.user >= 0 ? this.idAt(this.users, text, st[c.user], en[c.user]) : -1;
    const s = this.sessionCol >= 0 ? this.idAt(this.sessions, text, st[this.sessionCol], en[this.sessionCol]) : -1;
    if (u < 0 && s < 0) {
      this.rejects.add(c.user >= 0 ? 'missing user id' : 'missing session id', lineNo);
      return false;
    }
    let t = NaN;
    const shape = this.timestamps.shape;
    if (c.time >= 0) {
      t = this.timestamps.readAt(text, st[c.time], en[c.time]);
      if (Number.isNaN(t)) {
        this.rejects.add(
          shape.kind === DateKind.WrongOrder
            ? `date does not fit the ${this.rules.dateOrder === 'dmy' ? 'day/month' : 'month/day'} order set`
            : 'unparsable timestamp',
          lineNo,
        );
        return false;
      }
      if (c.timeOffset >= 0) {
        const off = parseOffset(r.field(c.timeOffset));
        if (Number.isNaN(off)) {
          this.rejects.add('unparsable time offset', lineNo);
          return false;
        }
        t += off;
      }
      if (!inTimeRange(t)) {
        this.rejects.add('time out of range (before 1900 or after 2199)', lineNo);
        return false;
      }
    }
    const qty = c.quantity >= 0 ? this.amountAt(text, st[c.quantity], en[c.quantity], this.rules.quantityMark, 'quantity', lineNo) : NaN;
    if (qty === null) return false;
    let type = c.eventType >= 0 ? this.types.codeAt(text, st[c.eventType], en[c.eventType]) : this.defaultType;
    // Cancellations: UCI marks them with an invoice number starting with 'C' and a negative quantity.
    if (type === PURCHASE || type === CART) {
      if (qty < 0 || (c.invoice >= 0 && text.charCodeAt(st[c.invoice]) === 67) /* C */) type = RETURN;
    }
    const price = c.price >= 0 ? this.amountAt(text, st[c.price], en[c.price], this.rules.priceMark, 'price', lineNo) : NaN;
    if (price === null) return false;
    // A negative price would count as negative revenue; a return subtracts its amount whatever the sign.
    if (price < 0 && type !== RETURN) {
      this.rejects.add('negative price', lineNo);
      return false;
    }

    const i = this.idAt(this.items, text, st[c.item], en[c.item]);
    if (i >= this.itemCategory.length) {
      const old = this.itemCategory.length;
      this.itemCategory = grow(this.itemCategory, Int32Array, i + 1);
      this.itemCategory.fill(-1, old);
      this.itemBrand = grow(this.itemBrand, Int32Array, i + 1);
      this.itemBrand.fill(-1, old);
    }
    // Item attributes are read once per item (the first non-empty value), not once per row.
    if (i >= this.itemTitle.length) this.itemTitle.push('');
    if (c.title >= 0 && this.itemTitle[i] === '' && !isMissingAt(text, st[c.title], en[c.title])) {
      this.itemTitle[i] = detach(r.field(c.title).trim());
    }
    if (c.category >= 0 && this.itemCategory[i] < 0) {
      const v = this.idAt(this.categories, text, st[c.category], en[c.category]);
      if (v >= 0) {
        this.itemCategory[i] = v;
        this.categoryOrder.push(i);
      }
    }
    if (c.brand >= 0 && this.itemBrand[i] < 0) {
      const v = this.idAt(this.brands, text, st[c.brand], en[c.brand]);
      if (v >= 0) {
        this.itemBrand[i] = v;
        this.brandOrder.push(i);
      }
    }

    const n = this.length;
    if (n >= this.rules.maxEvents) throw tooManyEvents(this.rules.maxEvents);
    if (n === this.cap) this.reserve(n + 1);
    if (shape.kind !== DateKind.None) this.noteDate(n, lineNo);
    this.user[n] = u;
    this.session[n] = s;
    this.time[n] = t;
    this.type[n] = type;
    this.item[n] = i;
    this.price[n] = price;
    this.quantity[n] = qty;
    this.country[n] = c.country >= 0 ? this.idAt(this.countries, text, st[c.country], en[c.country]) : -1;
    this.line[n] = lineNo;
    this.length = n + 1;
    return true;
  }

  /**
   * Interned id of an id-like field, or -1 when it is missing. Surrounding spaces are ignored, and
   * a float-formatted integer id ("17850.0", as UCI's CustomerID) is the same id as "17850".
   */
  private idAt(dict: Dict, text: string, start: number, end: number): number {
    // A value already in the dictionary is already normal (every value stored went through the
    // rule below, and the rule changes nothing it has made): most rows stop here.
    const known = dict.find(text, start, end);
    if (known >= 0) return known;
    const plain = !needsNormalising(text, start, end);
    if (plain && !isMissingAt(text, start, end) && !floatInteger(text, start, end)) return dict.addMissing(text, start, end);
    if (!plain) {
      // The id rule (ids.ts); plain ASCII ids skip it.
      text = normaliseId(text.slice(start, end));
      start = 0;
      end = text.length;
    }
    if (isMissingAt(text, start, end)) return -1;
    if (floatInteger(text, start, end)) end -= 2;
    return dict.idOf(text, start, end);
  }

  /**
   * Appends a part read by another reader from the bytes right after this one's (lines numbered
   * from 1 there; `lineOffset` is the number of lines before it). Values new to this table get ids
   * in the order the part met them, item attributes fill in only what is still unset, and the
   * category and brand values are stored in the order the part stored them: the result is the
   * table one reader would have built from both parts, id for id.
   */
  absorb(part: TablePart, lineOffset: number): void {
    const p = part.table;
    const remap = (dict: Dict, values: string[]): Int32Array => {
      const m = new Int32Array(values.length);
      for (let j = 0; j < values.length; j++) m[j] = dict.id(values[j]);
      return m;
    };
    const users = remap(this.users, p.users);
    const sessions = remap(this.sessions, p.sessions);
    const items = remap(this.items, p.items);
    const countries = remap(this.countries, p.countries);
    const types = Uint8Array.from(p.typeNames, (name) => this.types.code(name));

    const size = this.items.size;
    if (size > this.itemCategory.length) {
      const old = this.itemCategory.length;
      this.itemCategory = grow(this.itemCategory, Int32Array, size);
      this.itemCategory.fill(-1, old);
      this.itemBrand = grow(this.itemBrand, Int32Array, size);
      this.itemBrand.fill(-1, old);
    }
    while (this.itemTitle.length < size) this.itemTitle.push('');
    for (let j = 0; j < items.length; j++) {
      const g = items[j];
      if (this.itemTitle[g] === '' && p.itemTitle[j] !== '') this.itemTitle[g] = p.itemTitle[j];
    }
    for (const j of part.categoryOrder) {
      const g = items[j];
      if (this.itemCategory[g] >= 0) continue;
      this.itemCategory[g] = this.categories.id(p.categories[p.itemCategory[j]]);
      this.categoryOrder.push(g);
    }
    for (const j of part.brandOrder) {
      const g = items[j];
      if (this.itemBrand[g] >= 0) continue;
      this.itemBrand[g] = this.brands.id(p.brands[p.itemBrand[j]]);
      this.brandOrder.push(g);
    }

    const base = this.length;
    const n = p.length;
    if (base + n > this.rules.maxEvents) throw tooManyEvents(this.rules.maxEvents);
    if (base + n > this.cap) this.reserve(base + n, true);
    const d = part.dates;
    if (d.dayFirst > 0 && this.dates.dayFirst === 0) this.dates.firstDayFirstLine = d.firstDayFirstLine + lineOffset;
    if (d.monthFirst > 0 && this.dates.monthFirst === 0) this.dates.firstMonthFirstLine = d.firstMonthFirstLine + lineOffset;
    this.dates.dayFirst += d.dayFirst;
    this.dates.monthFirst += d.monthFirst;
    this.dates.ambiguous += d.ambiguous;
    if (d.swapDays) {
      this.swapDaysFor(base + n).set(d.swapDays.subarray(0, n), base);
    }
    for (let r = 0; r < n; r++) {
      const o = base + r;
      const u = p.user[r];
      const s = p.session[r];
      const k = p.country[r];
      this.user[o] = u < 0 ? -1 : users[u];
      this.session[o] = s < 0 ? -1 : sessions[s];
      this.item[o] = items[p.item[r]];
      this.type[o] = types[p.type[r]];
      this.country[o] = k < 0 ? -1 : countries[k];
      this.line[o] = p.line[r] + lineOffset;
    }
    this.time.set(p.time, base);
    this.price.set(p.price, base);
    this.quantity.set(p.quantity, base);
    this.length = base + n;
  }

  /** The table so far, with the order information absorb() needs (see TablePart). */
  buildPart(): TablePart {
    const dates = { ...this.dates, swapDays: this.dates.swapDays ? fit(this.dates.swapDays, this.length) : null };
    return { table: this.table(), categoryOrder: Int32Array.from(this.categoryOrder), brandOrder: Int32Array.from(this.brandOrder), dates };
  }

  /** Records what row n's numeric date said about the day/month order (see DateEvidence). */
  private noteDate(n: number, lineNo: number): void {
    const shape = this.timestamps.shape;
    const d = this.dates;
    if (shape.kind === DateKind.DayFirst) {
      if (d.dayFirst++ === 0) d.firstDayFirstLine = lineNo;
    } else if (shape.kind === DateKind.MonthFirst) {
      if (d.monthFirst++ === 0) d.firstMonthFirstLine = lineNo;
    } else if (shape.kind === DateKind.Ambiguous) {
      d.ambiguous++;
      // Only an undecided order may need the other reading later.
      if (this.rules.dateOrder === 'auto') this.swapDaysFor(n + 1)[n] = shape.swapDays;
    }
  }

  /** The swap column, made (zeros: rows read so far had no ambiguous date) or grown to hold `rows`. */
  private swapDaysFor(rows: number): Int32Array {
    const d = this.dates;
    if (d.swapDays === null) d.swapDays = new Int32Array(Math.max(this.cap, rows));
    else if (d.swapDays.length < rows) d.swapDays = grow(d.swapDays, Int32Array, Math.max(this.cap, rows));
    return d.swapDays;
  }

  /**
   * A price or quantity by its column's rule (numbers.ts): NaN when missing, null (after logging
   * why) when it is not a number or out of range, the value otherwise.
   */
  private amountAt(text: string, start: number, end: number, mark: DecimalMark, what: string, lineNo: number): number | null {
    if (isMissingAt(text, start, end)) return NaN;
    const v = parseAmount(text, start, end, mark);
    if (Number.isNaN(v)) {
      this.rejects.add(`unreadable ${what}`, lineNo);
      return null;
    }
    if (!(Math.abs(v) <= MAX_AMOUNT)) {
      this.rejects.add(`${what} out of range (beyond ±1e9)`, lineNo);
      return null;
    }
    return v;
  }

  /** Room for `min` rows: doubling, or exactly that many when `exact`. */
  private reserve(min: number, exact = false): void {
    const to = <T extends Int32Array | Float64Array | Uint8Array>(a: T, ctor: new (n: number) => T): T => (exact ? resize(a, ctor, min) : grow(a, ctor, min));
    this.user = to(this.user, Int32Array);
    this.session = to(this.session, Int32Array);
    this.time = to(this.time, Float64Array);
    this.type = to(this.type, Uint8Array);
    this.item = to(this.item, Int32Array);
    this.price = to(this.price, Float64Array);
    this.quantity = to(this.quantity, Float64Array);
    this.country = to(this.country, Int32Array);
    this.line = to(this.line, Int32Array);
    this.cap = this.user.length;
  }

  /**
   * The table, with the day/month order of its numeric dates settled from every value (when it was
   * left to the file): any date whose first number is over 12 makes the column day-first (more
   * such dates than month-first ones, when both kinds occur), and the ambiguous dates read the
   * other way while reading are turned round. The outcome is in `dateOrder`.
   */
  build(): EventTable {
    const table = this.table();
    const d = this.dates;
    const r = this.rules;
    if (d.dayFirst + d.monthFirst + d.ambiguous === 0) return table;
    const notes: string[] = [];
    const name = (o: 'dmy' | 'mdy'): string => (o === 'dmy' ? 'day/month (31/10/2019)' : 'month/day (10/31/2019)');
    let order = r.assumeOrder;
    let how: DateOrderOutcome['how'] = 'assumed';
    if (r.dateOrder !== 'auto') {
      how = 'set';
    } else if (d.dayFirst > 0 || d.monthFirst > 0) {
      how = 'file';
      order = d.dayFirst >= d.monthFirst ? 'dmy' : 'mdy';
      if (order !== r.assumeOrder && d.swapDays) {
        const time = table.time;
        const swap = d.swapDays;
        for (let e = 0; e < table.length; e++) if (swap[e] !== 0) time[e] += swap[e] * 86_400_000;
      }
      if (d.dayFirst > 0 && d.monthFirst > 0) {
        const [other, line] = order === 'dmy' ? [d.monthFirst, d.firstMonthFirstLine] : [d.dayFirst, d.firstDayFirstLine];
        notes.push(
          `Dates are written in both orders: ambiguous ones were read as ${name(order)}, but ${other.toLocaleString('en')} (first at line ${line.toLocaleString('en')}) only fit the other order and were read that way. Check the time column.`,
        );
      }
    } else {
      notes.push(
        `Every date could be day/month or month/day (no day above 12): they were read as ${name(order)}. If that is wrong, choose the date order in the column mapping (command line: --date-order dmy).`,
      );
    }
    this.dateOrder = { order, how, notes };
    return table;
  }

  private table(): EventTable {
    const n = this.length;
    const items = this.items.size;
    const c = this.c;
    return {
      length: n,
      user: fit(this.user, n),
      session: fit(this.session, n),
      time: fit(this.time, n),
      type: fit(this.type, n),
      item: fit(this.item, n),
      price: fit(this.price, n),
      quantity: fit(this.quantity, n),
      country: fit(this.country, n),
      line: fit(this.line, n),
      users: this.users.values,
      sessions: this.sessions.values,
      items: this.items.values,
      typeNames: this.types.names,
      countries: this.countries.values,
      categories: this.categories.values,
      brands: this.brands.values,
      itemTitle: this.itemTitle,
      itemCategory: trim(this.itemCategory, items),
      itemBrand: trim(this.itemBrand, items),
      hasTime: c.time >= 0,
      hasUser: c.user >= 0,
      hasSession: this.sessionCol >= 0,
      sessionFromInvoice: c.session < 0 && c.invoice >= 0,
      hasPrice: c.price >= 0,
    };
  }
}

/** Whether text[start, end) is an integer written as a float ("17850.0"). */
function floatInteger(text: string, start: number, end: number): boolean {
  return end - start > 2 && text.charCodeAt(end - 1) === 48 && text.charCodeAt(end - 2) === 46 && allDigits(text, start, end - 2);
}

function allDigits(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return end > start;
}

function isMissingAt(text: string, start: number, end: number): boolean {
  const n = end - start;
  if (n <= 0) return true;
  if (n > 9) return false;
  // isMissing's own first test, in place: a value that starts with a digit or most letters is no
  // missing marker, and is not sliced (two short strings a row otherwise: the item and the price).
  const c = text.charCodeAt(start) | 0x20;
  if (c !== 0x6e /* n */ && c !== 0x75 /* u */ && c !== 0x2d /* - */ && c !== 0x20 && c !== 0x29 /* tab|0x20 */) return false;
  return isMissing(text.slice(start, end));
}

function tooManyEvents(max: number): LogError {
  return new LogError(
    `The log holds more than ${max.toLocaleString('en')} events, the most SeqLens reads at once (memory grows with every event kept). Analyse a shorter period or split the file, or raise the limit: the app's reading limit (under the file picker), --max-events on the command line.`,
    'too-large',
  );
}
