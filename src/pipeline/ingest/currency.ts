// Which currency the log's amounts are in, decided once from the sample records: a currency
// column ("currency", "currency_code") whose values agree on one ISO 4217 code, else the sign or
// code written around the prices ("£3.50", "EUR 4", "3,50 €"). Never a guess: '$' and '¥' name
// several currencies, so they only say which sign was seen, and mixed codes say nothing. The
// price column itself is read as before (numbers.ts strips the signs); this only names them.

import type { CurrencyInfo, RoleMapping } from '../types';
import { isMissing, normaliseName } from './detect';

/** Column names (normalised as detect.ts does) that hold a currency code. */
const CURRENCY_COLUMNS = ['currency', 'currencycode', 'currencyiso', 'currencyid', 'ccy', 'curr', 'pricecurrency', 'currencyname'];

/** Signs that name one currency only. */
const SIGNS: Record<string, string> = {
  '£': 'GBP',
  '€': 'EUR',
  '₹': 'INR',
  '₽': 'RUB',
  '₩': 'KRW',
  '₺': 'TRY',
  '₪': 'ILS',
  '₫': 'VND',
  '₴': 'UAH',
  '₱': 'PHP',
};
/** Signs several currencies use (dollars, yen and yuan): seen, but not a currency by themselves. */
const AMBIGUOUS_SIGNS = new Set(['$', '¥']);

/** Share of the sample's non-missing values that must agree on one currency. */
const AGREE = 0.9;

let known: Set<string> | null = null;
/** An ISO 4217 code this runtime can format ("GBP"), upper-cased; null otherwise. */
export function currencyCode(text: string): string | null {
  const code = text.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) return null;
  if (known === null) {
    try {
      known = new Set(Intl.supportedValuesOf('currency'));
    } catch {
      known = new Set();
    }
  }
  if (known.size > 0) return known.has(code) ? code : null;
  // No list from the runtime: a code it can format is a code.
  try {
    new Intl.NumberFormat('en', { style: 'currency', currency: code });
    return code;
  } catch {
    return null;
  }
}

/** The sign or code written around one amount: { code } when it names one currency, { sign } when it only shows one. */
export function amountCurrency(value: string): { code: string | null; sign: string | null } | null {
  const v = value.trim();
  const lead = /^[+-]?\s*([A-Z]{3}|[^\d\s.,+-]{1,3})\s*[+-]?\d/i.exec(v);
  const trail = /\d\s*([A-Z]{3}|[^\d\s.,+-]{1,3})$/i.exec(v);
  const mark = lead?.[1] ?? trail?.[1];
  if (!mark) return null;
  const code = currencyCode(mark);
  if (code) return { code, sign: null };
  const sign = [...mark].find((ch) => ch in SIGNS || AMBIGUOUS_SIGNS.has(ch));
  if (!sign) return null;
  return { code: SIGNS[sign] ?? null, sign };
}

/** The value most of `values` agree on (at least AGREE of them), else null. */
function agreed(values: Array<string | null>): string | null {
  if (values.length === 0) return null;
  const counts = new Map<string | null, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  for (const [v, c] of counts) if (v !== null && c / values.length >= AGREE) return v;
  return null;
}

/** No currency known: the amounts are plain numbers (the reader may name the currency). */
export const NO_CURRENCY: CurrencyInfo = { code: null, source: 'none' };

/**
 * The currency of the amounts from the column names and sample records: the currency column's
 * code, else the price column's sign or code; source 'none' when neither says one currency. A
 * sign that names several ('$') is kept as `symbol` with no code.
 */
export function detectCurrency(columns: readonly string[], samples: readonly string[][], mapping: RoleMapping): CurrencyInfo {
  const taken = new Set(Object.values(mapping));
  const col = columns.findIndex((c, i) => !taken.has(i) && CURRENCY_COLUMNS.includes(normaliseName(c)));
  if (col >= 0) {
    const values = samples.map((r) => r[col] ?? '').filter((v) => !isMissing(v.trim()));
    const code = agreed(values.map(currencyCode));
    if (code) return { code, source: 'column', column: columns[col] };
  }
  if (mapping.price === undefined) return NO_CURRENCY;
  const prices = samples.map((r) => r[mapping.price!] ?? '').filter((v) => !isMissing(v.trim()));
  if (prices.length === 0) return NO_CURRENCY;
  const marks = prices.map(amountCurrency);
  // Most prices carry a sign or code, and they agree on it.
  const code = agreed(marks.map((m) => m?.code ?? null));
  if (code) {
    const sign = agreed(marks.map((m) => m?.sign ?? null));
    return { code, source: 'symbol', ...(sign ? { symbol: sign } : {}) };
  }
  const sign = agreed(marks.map((m) => m?.sign ?? null));
  return sign ? { ...NO_CURRENCY, symbol: sign } : NO_CURRENCY;
}
