// The columnar event store: one typed array per field, strings interned to dense ids. This is what
// every later stage reads; nothing here is an object per row.

import type { RoleMapping } from '../types';
import { detach, Dict } from './dict';
import { CART, EventTypeDict, PURCHASE, RETURN, VIEW } from './eventTypes';
import { grow, trim } from './growable';
import { isMissing } from './detect';
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

/** UCI's CustomerID is a float ("17850.0"): ids that differ only by ".0" are the same id. */
function normId(v: string): string {
  const t = v.length > 0 && (v.charCodeAt(0) === 32 || v.charCodeAt(v.length - 1) === 32) ? v.trim() : v;
  return t.endsWith('.0') && /^\d+\.0$/.test(t) ? t.slice(0, -2) : t;
}

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

  constructor(
    mapping: RoleMapping,
    private readonly rejects: RejectLog,
  ) {
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
  add(f: string[], lineNo: number): boolean {
    const c = this.c;
    const itemRaw = f[c.item];
    if (itemRaw === undefined || isMissing(itemRaw)) {
      this.rejects.add('missing item id', lineNo);
      return false;
    }
    let u = -1;
    if (c.user >= 0) {
      const v = f[c.user];
      if (!isMissing(v)) u = this.users.id(normId(v));
    }
    let s = -1;
    if (this.sessionCol >= 0) {
      const v = f[this.sessionCol];
      if (!isMissing(v)) s = this.sessions.id(normId(v));
    }
    if (u < 0 && s < 0) {
      this.rejects.add(c.user >= 0 ? 'missing user id' : 'missing session id', lineNo);
      return false;
    }
    let t = NaN;
    if (c.time >= 0) {
      t = this.timestamps.read(f[c.time]);
      if (Number.isNaN(t)) {
        this.rejects.add('unparsable timestamp', lineNo);
        return false;
      }
      if (c.timeOffset >= 0) {
        const off = parseOffset(f[c.timeOffset]);
        if (Number.isNaN(off)) {
          this.rejects.add('unparsable time offset', lineNo);
          return false;
        }
        t += off;
      }
    }
    const qty = c.quantity >= 0 ? Number(f[c.quantity]) : NaN;
    let type = c.eventType >= 0 ? this.types.code(f[c.eventType]) : this.defaultType;
    // Cancellations: UCI marks them with an invoice number starting with 'C' and a negative quantity.
    if (type === PURCHASE || type === CART) {
      if (qty < 0 || (c.invoice >= 0 && f[c.invoice].charCodeAt(0) === 67 /* C */)) type = RETURN;
    }

    const i = this.items.id(normId(itemRaw));
    if (i >= this.itemCategory.length) {
      const old = this.itemCategory.length;
      this.itemCategory = grow(this.itemCategory, Int32Array, i + 1);
      this.itemCategory.fill(-1, old);
      this.itemBrand = grow(this.itemBrand, Int32Array, i + 1);
      this.itemBrand.fill(-1, old);
    }
    if (i >= this.itemTitle.length) this.itemTitle.push('');
    if (c.title >= 0 && this.itemTitle[i] === '') {
      const v = f[c.title];
      if (!isMissing(v)) this.itemTitle[i] = detach(v.trim());
    }
    if (c.category >= 0 && this.itemCategory[i] < 0) {
      const v = f[c.category];
      if (!isMissing(v)) this.itemCategory[i] = this.categories.id(v.trim());
    }
    if (c.brand >= 0 && this.itemBrand[i] < 0) {
      const v = f[c.brand];
      if (!isMissing(v)) this.itemBrand[i] = this.brands.id(v.trim());
    }

    const n = this.length;
    if (n === this.cap) this.reserve(n + 1);
    this.user[n] = u;
    this.session[n] = s;
    this.time[n] = t;
    this.type[n] = type;
    this.item[n] = i;
    this.price[n] = c.price >= 0 ? parsePrice(f[c.price]) : NaN;
    this.quantity[n] = qty;
    this.country[n] = c.country >= 0 && !isMissing(f[c.country]) ? this.countries.id(f[c.country]) : -1;
    this.line[n] = lineNo;
    this.length = n + 1;
    return true;
  }

  private reserve(min: number): void {
    this.user = grow(this.user, Int32Array, min);
    this.session = grow(this.session, Int32Array, min);
    this.time = grow(this.time, Float64Array, min);
    this.type = grow(this.type, Uint8Array, min);
    this.item = grow(this.item, Int32Array, min);
    this.price = grow(this.price, Float64Array, min);
    this.quantity = grow(this.quantity, Float64Array, min);
    this.country = grow(this.country, Int32Array, min);
    this.line = grow(this.line, Int32Array, min);
    this.cap = this.user.length;
  }

  build(): EventTable {
    const n = this.length;
    const items = this.items.size;
    const c = this.c;
    return {
      length: n,
      user: trim(this.user, n),
      session: trim(this.session, n),
      time: trim(this.time, n),
      type: trim(this.type, n),
      item: trim(this.item, n),
      price: trim(this.price, n),
      quantity: trim(this.quantity, n),
      country: trim(this.country, n),
      line: trim(this.line, n),
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

/** Prices may carry a currency symbol or thousands separators ("$1,299.00"). */
function parsePrice(v: string): number {
  const x = Number(v);
  if (v !== '' && Number.isFinite(x)) return x;
  const cleaned = v.replace(/[^0-9.\-]/g, '');
  const y = cleaned === '' ? NaN : Number(cleaned);
  return Number.isFinite(y) ? y : NaN;
}
