// Words and numbers of the profile cards and the comparison: lifts as multiples, differences of
// rates in percentage points; amounts through a Money (common/money.ts: the log's currency, else
// plain numbers).
import type { Trait } from '../../pipeline/profile/types';
import { formatCompact, formatDecimal, formatPercent } from '../common/format';
import type { Money } from '../common/money';

export const NONE = '—';

const amount = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2, minimumFractionDigits: 2 });
const multiple = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1, minimumFractionDigits: 1 });

/** A sum of prices without a currency: two decimals up to 10,000, then compact (12.3K). Money.format writes one with its currency. */
export function formatAmount(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return NONE;
  return Math.abs(value) < 10_000 ? amount.format(value) : formatCompact(value);
}

/** A share (0..1) or conversion rate; null when the step before had nobody. */
export function formatRate(value: number | null): string {
  return value === null || !Number.isFinite(value) ? NONE : formatPercent(value);
}

/** Lift of a share against everybody: "×1.8". */
export function formatLift(lift: number): string {
  return Number.isFinite(lift) ? `×${multiple.format(lift)}` : NONE;
}

/** How much more B's rate is than A's, in percentage points: "+12 pp", "−3 pp", "0 pp". */
export function rateDifference(a: number | null, b: number | null): string {
  if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b)) return NONE;
  const pp = Math.round((b - a) * 100);
  if (pp === 0) return '0 pp';
  return `${pp > 0 ? '+' : '−'}${Math.abs(pp)} pp`;
}

/** B as a multiple of A: "×1.8"; undefined (—) when A is zero or either is missing. */
export function ratio(a: number | null, b: number | null): string {
  if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b) || a === 0) return NONE;
  return `×${multiple.format(b / a)}`;
}

/** A mean or median length of sequences. */
export function formatLength(value: number): string {
  return Number.isFinite(value) ? formatDecimal(value) : NONE;
}

/**
 * A trait in words for the reader: spend in the currency ("£1,021.50 spent per customer (typical
 * customer: £412.00)"); the others as the profile wrote them. `noun` names the members
 * ('customers', 'sessions').
 */
export function traitText(t: Trait, money: Money, noun = 'customers'): string {
  const one = noun.replace(/s$/, '');
  const base =
    t.key === 'spend' ? `${money.format(t.value)} spent per customer (${t.average ? 'average' : 'typical'} customer: ${money.format(t.overall)})` : t.text;
  return one === 'customer' ? base : base.replaceAll('customer', one);
}
