// The columnar event store: one typed array per field, strings interned to dense ids. This is what
// every later stage reads; nothing here is an object per row.

import type { RoleMapping } from '../types';
import { detach, Dict } from './dict';
import { CART, EventTypeDict, PURCHASE, RETURN, VIEW } from './eventTypes';
import { fit, grow, resize, trim } from './growable';
import { isMissing } from './detect';
import { parseDecimal } from './numbers';
import type { RecordView } from './record';
import type { RejectLog } from './rejects';
import { parseOffset, TimestampReader } from './timestamp';

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
export interface TablePart {
  table: EventTable;
  categoryOrder: Int32Array;
  brandOrder: Int32Array;
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
  private readonly timestamps = new TimestampReader();

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
  ) {
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
    if (c.time >= 0) {
      t = this.timestamps.readAt(text, st[c.time], en[c.time]);
      if (Number.isNaN(t)) {
        this.rejects.add('unparsable timestamp', lineNo);
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
    }
    const qty = c.quantity >= 0 ? numberAt(text, st[c.quantity], en[c.quantity]) : NaN;
    let type = c.eventType >= 0 ? this.types.codeAt(text, st[c.eventType], en[c.eventType]) : this.defaultType;
    // Cancellations: UCI marks them with an invoice number starting with 'C' and a negative quantity.
    if (type === PURCHASE || type === CART) {
      if (qty < 0 || (c.invoice >= 0 && text.charCodeAt(st[c.invoice]) === 67 /* C */)) type = RETURN;
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
    if (n === this.cap) this.reserve(n + 1);
    this.user[n] = u;
    this.session[n] = s;
    this.time[n] = t;
    this.type[n] = type;
    this.item[n] = i;
    this.price[n] = c.price >= 0 ? priceAt(text, st[c.price], en[c.price]) : NaN;
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
    while (start < end && text.charCodeAt(start) === 32) start++;
    while (end > start && text.charCodeAt(end - 1) === 32) end--;
    if (isMissingAt(text, start, end)) return -1;
    if (end - start > 2 && text.charCodeAt(end - 1) === 48 && text.charCodeAt(end - 2) === 46 && allDigits(text, start, end - 2)) end -= 2;
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
    if (base + n > this.cap) this.reserve(base + n, true);
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
    return { table: this.build(), categoryOrder: Int32Array.from(this.categoryOrder), brandOrder: Int32Array.from(this.brandOrder) };
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

  build(): EventTable {
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
  return isMissing(text.slice(start, end));
}

function numberAt(text: string, start: number, end: number): number {
  const v = parseDecimal(text, start, end);
  if (!Number.isNaN(v) || start === end) return v;
  const x = Number(text.slice(start, end));
  return Number.isFinite(x) ? x : NaN;
}

/** Prices may carry a currency symbol or thousands separators ("$1,299.00"). */
function priceAt(text: string, start: number, end: number): number {
  const v = numberAt(text, start, end);
  if (!Number.isNaN(v) || start === end) return v;
  const cleaned = text.slice(start, end).replace(/[^0-9.\-]/g, '');
  const y = cleaned === '' ? NaN : Number(cleaned);
  return Number.isFinite(y) ? y : NaN;
}
