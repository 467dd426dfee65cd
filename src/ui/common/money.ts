// Amounts for people: in the log's currency when it is known (a currency column, the prices'
// signs) or when the reader named it (remembered in this browser), as the reader's locale writes
// that currency ("£1,021.50", "1.021,50 €"); otherwise plain numbers, never a guessed currency.
import type { CurrencyInfo } from '../../pipeline/types';
import { formatCompact } from './format';

/** Sums from this size on are written compact ("£12.3K"): a merchant reads the size first. */
const COMPACT_FROM = 10_000;
export const NONE = '—';

export interface Money {
  /** The ISO 4217 code amounts are written in, or null (plain numbers). */
  code: string | null;
  /** A sum of prices: two decimals up to 10,000, then compact. */
  format(value: number | null): string;
  /** One price as it is, with its decimals ("£3.50"). */
  price(value: number | null): string;
  /** Rounded to whole units ("£1,021"), for the bounds of bands. */
  whole(value: number): string;
}

const plainAmount = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2, minimumFractionDigits: 2 });
const plainPrice = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const plainWhole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

function plain(): Money {
  return {
    code: null,
    format: (v) => (v === null || !Number.isFinite(v) ? NONE : Math.abs(v) < COMPACT_FROM ? plainAmount.format(v) : formatCompact(v)),
    price: (v) => (v === null || !Number.isFinite(v) ? NONE : plainPrice.format(v)),
    whole: (v) => plainWhole.format(v),
  };
}

export const PLAIN_MONEY: Money = plain();

const made = new Map<string, Money>();

/** The Money of a currency (made once per code); PLAIN_MONEY for null or a code this browser cannot write. */
export function moneyOf(code: string | null): Money {
  if (code === null) return PLAIN_MONEY;
  let m = made.get(code);
  if (m) return m;
  let exact: Intl.NumberFormat;
  let compact: Intl.NumberFormat;
  let whole: Intl.NumberFormat;
  try {
    exact = new Intl.NumberFormat(undefined, { style: 'currency', currency: code });
    whole = new Intl.NumberFormat(undefined, { style: 'currency', currency: code, minimumFractionDigits: 0, maximumFractionDigits: 0 });
    compact = new Intl.NumberFormat(undefined, { style: 'currency', currency: code, notation: 'compact', maximumFractionDigits: 1 });
  } catch {
    return PLAIN_MONEY;
  }
  m = {
    code,
    format: (v) => (v === null || !Number.isFinite(v) ? NONE : (Math.abs(v) < COMPACT_FROM ? exact : compact).format(v)),
    price: (v) => (v === null || !Number.isFinite(v) ? NONE : exact.format(v)),
    whole: (v) => whole.format(v),
  };
  made.set(code, m);
  return m;
}

/** The currency amounts are shown in: the log's own, else the reader's choice, else none. */
export function shownCurrency(detected: CurrencyInfo | undefined, chosen: string | null): { code: string | null; how: 'log' | 'chosen' | 'none' } {
  if (detected?.code) return { code: detected.code, how: 'log' };
  if (chosen) return { code: chosen, how: 'chosen' };
  return { code: null, how: 'none' };
}

/** How the log's currency was found, in words: "from the currency column", "from the £ signs of the prices". */
export function currencySource(c: CurrencyInfo): string {
  if (c.source === 'column') return `from the column ${c.column ?? 'currency'}`;
  if (c.source === 'symbol') return c.symbol ? `from the ${c.symbol} signs of the prices` : 'from the codes written with the prices';
  return '';
}

export const CURRENCY_KEY = 'seqlens.currency';

/** The currency the reader chose for logs that do not say theirs (null: plain numbers). */
export function rememberedCurrency(): string | null {
  try {
    const v = localStorage.getItem(CURRENCY_KEY);
    return v && /^[A-Z]{3}$/.test(v) ? v : null;
  } catch {
    return null;
  }
}

export function rememberCurrency(code: string | null): void {
  try {
    if (code) localStorage.setItem(CURRENCY_KEY, code);
    else localStorage.removeItem(CURRENCY_KEY);
  } catch {
    // Storage off: the choice holds for this visit only.
  }
}

/** The currencies offered to choose from: common ones first, then every one this browser knows. */
export function currencyChoices(): string[] {
  const common = ['USD', 'EUR', 'GBP', 'JPY', 'CNY', 'INR', 'CAD', 'AUD', 'CHF', 'SEK', 'BRL', 'MXN'];
  let all: string[] = [];
  try {
    all = Intl.supportedValuesOf('currency');
  } catch {
    // Older browsers: the common ones only.
  }
  return [...common, ...all.filter((c) => !common.includes(c))];
}

/** A currency's name in the reader's language ("British Pound"), else its code. */
export function currencyName(code: string): string {
  try {
    return new Intl.DisplayNames(undefined, { type: 'currency' }).of(code) ?? code;
  } catch {
    return code;
  }
}
