// Guesses what each column means from its name first, then checks the guess against sample values.
import type { Role, RoleMapping } from '../types';
import { decimalMarkOf, parseAmount } from './numbers';
import { inTimeRange, parseTimestamp } from './timestamp';

/** Column-name synonyms per role, best first. Names are compared lower-cased with non-alphanumerics removed. */
const NAMES: Record<Role, string[]> = {
  user: ['userid', 'customerid', 'visitorid', 'clientid', 'shopperid', 'memberid', 'accountid', 'user', 'customer', 'uid', 'visitor', 'client'],
  session: ['usersession', 'sessionid', 'session', 'visitid', 'sid', 'visit'],
  time: ['eventtime', 'timestamp', 'eventtimestamp', 'datetime', 'ts', 'time', 'invoicedate', 'eventdate', 'createdat', 'occurredat', 'orderdate', 'date'],
  timeOffset: ['timeframe'],
  eventType: ['eventtype', 'event', 'type', 'action', 'behavior', 'behaviour', 'eventname', 'interaction', 'activity'],
  item: ['itemid', 'productid', 'aid', 'sku', 'stockcode', 'articleid', 'asin', 'item', 'product', 'article', 'goodsid'],
  title: ['title', 'description', 'productname', 'itemname', 'productname', 'name', 'producttitle', 'itemtitle'],
  category: ['categorycode', 'category', 'categoryname', 'categoryid', 'cat', 'department'],
  brand: ['brand', 'manufacturer', 'vendor', 'brandname'],
  price: ['price', 'unitprice', 'itemprice', 'amount', 'value', 'revenue'],
  quantity: ['quantity', 'qty', 'units'],
  invoice: ['invoiceno', 'invoice', 'invoiceid', 'orderid', 'basketid', 'transactionid', 'orderno'],
  country: ['country', 'region', 'market', 'countrycode'],
};

/** Roles are assigned in this order so that a column claimed by a more important role is not reused. */
const ORDER: Role[] = ['item', 'user', 'session', 'invoice', 'time', 'timeOffset', 'eventType', 'title', 'category', 'brand', 'price', 'quantity', 'country'];

export function normaliseName(name: string): string {
  return name
    .replace(/^events\./, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

const MISSING = new Set(['', 'na', 'n/a', 'null', 'none', 'nan', 'undefined', '-']);
export function isMissing(v: string): boolean {
  const n = v.length;
  if (n === 0) return true;
  if (n > 9) return false;
  // Hot path: real ids start with a digit or a letter other than these.
  const c = v.charCodeAt(0) | 0x20;
  if (c !== 0x6e /* n */ && c !== 0x75 /* u */ && c !== 0x2d /* - */ && c !== 0x20 && c !== 0x29 /* tab|0x20 */) return false;
  return MISSING.has(v.trim().toLowerCase());
}

function fractionOf(samples: string[][], col: number, test: (v: string) => boolean): number {
  let n = 0;
  let ok = 0;
  for (const row of samples) {
    const v = row[col];
    if (v === undefined || isMissing(v)) continue;
    n++;
    if (test(v)) ok++;
  }
  return n === 0 ? 0 : ok / n;
}

const isNumber = (v: string): boolean => v.trim() !== '' && Number.isFinite(Number(v));
const isTime = (v: string): boolean => inTimeRange(parseTimestamp(v));

/**
 * Share of a time column's sample values that must read as times. A majority, not all: a column
 * named event_time whose formats are mixed is still the time column, and the rows whose time
 * cannot be read are rejected with that reason rather than the whole log losing its times.
 */
const TIME_FIT = 0.5;

/** Values must look right for a name match to count (a "date" column of words is not a time). */
function valuesFit(role: Role, samples: string[][], col: number): boolean {
  if (samples.length === 0) return true;
  switch (role) {
    case 'time':
      return fractionOf(samples, col, isTime) >= TIME_FIT;
    case 'price':
    case 'quantity': {
      // Read by the column's own rule (numbers.ts), so "2,50" and "$1,299.00" count as amounts.
      const mark = decimalMarkOf(samples.map((r) => r[col] ?? ''));
      return fractionOf(samples, col, (v) => !Number.isNaN(parseAmount(v, 0, v.length, mark))) >= 0.8;
    }
    case 'timeOffset':
      return fractionOf(samples, col, isNumber) >= 0.8;
    default:
      return true;
  }
}

/** Detects role -> column from column names and sample records. */
export function detectMapping(columns: string[], samples: string[][]): RoleMapping {
  const names = columns.map(normaliseName);
  const taken = new Set<number>();
  const mapping: RoleMapping = {};
  for (const role of ORDER) {
    let best = -1;
    let bestRank = Infinity;
    names.forEach((name, col) => {
      if (taken.has(col)) return;
      const rank = NAMES[role].indexOf(name);
      if (rank >= 0 && rank < bestRank && valuesFit(role, samples, col)) {
        best = col;
        bestRank = rank;
      }
    });
    if (best >= 0) {
      mapping[role] = best;
      taken.add(best);
    }
  }
  // No time column by name: take the first unclaimed column whose values all read as dates.
  if (mapping.time === undefined && samples.length > 0) {
    for (let col = 0; col < columns.length; col++) {
      if (taken.has(col)) continue;
      const fits = fractionOf(samples, col, (v) => !isNumber(v) && isTime(v));
      if (fits >= 0.95) {
        mapping.time = col;
        break;
      }
    }
  }
  return mapping;
}

const MISFIT_HELP: Partial<Record<Role, [string, string]>> = {
  time: ['a time', 'Supported: ISO dates, d/m/y or m/d/y, epoch seconds or milliseconds'],
  price: ['a price', 'Supported: one number per value, with a decimal point or a decimal comma, grouping marks and a currency sign'],
  quantity: ['a quantity', 'Supported: one number per value'],
};

/**
 * Why a column named like a time, price or quantity column was not taken (its values did not fit):
 * one message per such role the mapping lacks, naming the column and how many sample values fit.
 */
export function roleMisfits(columns: string[], samples: string[][], mapping: RoleMapping): string[] {
  const out: string[] = [];
  for (const role of Object.keys(MISFIT_HELP) as Role[]) {
    if (mapping[role] !== undefined || samples.length === 0) continue;
    const col = columns.findIndex((c, i) => NAMES[role].includes(normaliseName(c)) && !Object.values(mapping).includes(i));
    if (col < 0) continue;
    const values = samples.map((r) => r[col] ?? '').filter((v) => !isMissing(v));
    const mark = decimalMarkOf(values);
    const fits = role === 'time' ? isTime : (v: string) => !Number.isNaN(parseAmount(v, 0, v.length, mark));
    const ok = values.filter(fits).length;
    const examples = values
      .filter((v) => !fits(v))
      .slice(0, 2)
      .map((v) => `"${v.slice(0, 40)}"`)
      .join(', ');
    const [what, help] = MISFIT_HELP[role]!;
    out.push(
      `Column "${columns[col]}" is named like ${what} column, but only ${ok} of its first ${values.length} values fit${examples ? ` (not ${examples})` : ''}, so it was not used. ${help}; or choose the column's role in the column mapping.`,
    );
  }
  return out;
}

/** Fraction of sample values of a column that are missing (e.g. Diginetica's user_id of "NA"). */
export function missingFraction(samples: string[][], col: number | undefined): number {
  if (col === undefined || samples.length === 0) return 1;
  let missing = 0;
  for (const row of samples) if (row[col] === undefined || isMissing(row[col])) missing++;
  return missing / samples.length;
}

/** Key of a column layout, for remembering a mapping a user chose for files of the same shape. */
export function layoutKey(format: string, columns: string[]): string {
  // FNV-1a over the joined names: short, stable, no crypto needed.
  const s = `${format}\u0000${columns.join('\u0000')}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return `${format}:${columns.length}:${(h >>> 0).toString(16).padStart(8, '0')}`;
}

/** Checks a user-given mapping against the columns; returns a message for the first problem. */
export function validateMapping(mapping: RoleMapping, columns: number): string | null {
  const seen = new Map<number, Role>();
  for (const [role, col] of Object.entries(mapping) as [Role, number][]) {
    if (!NAMES[role]) return `Unknown role "${role}".`;
    if (!Number.isInteger(col) || col < 0 || col >= columns) return `Role "${role}" points to column ${col}, but the file has ${columns} columns.`;
    const other = seen.get(col);
    if (other) return `Column ${col + 1} is mapped to both "${other}" and "${role}".`;
    seen.set(col, role);
  }
  return null;
}
