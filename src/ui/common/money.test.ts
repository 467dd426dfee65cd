import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Trait } from '../../pipeline/profile/types';
import { traitText } from '../insights/insightFormat';
import { revenueBands } from '../map/colorScheme';
import { CURRENCY_KEY, currencySource, moneyOf, NONE, PLAIN_MONEY, rememberCurrency, rememberedCurrency, shownCurrency } from './money';

const inCurrency = (code: string, v: number, opts: Intl.NumberFormatOptions = {}) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency: code, ...opts }).format(v);

describe('money', () => {
  it('writes amounts in the currency, in the reader locale', () => {
    const gbp = moneyOf('GBP');
    expect(gbp.code).toBe('GBP');
    expect(gbp.format(1021.5)).toBe(inCurrency('GBP', 1021.5));
    expect(gbp.price(3.5)).toBe(inCurrency('GBP', 3.5));
    expect(gbp.whole(1021.5)).toBe(inCurrency('GBP', 1022, { maximumFractionDigits: 0, minimumFractionDigits: 0 }));
    // Big sums are compact and keep their currency.
    expect(gbp.format(5_100_000)).toBe(inCurrency('GBP', 5_100_000, { notation: 'compact', maximumFractionDigits: 1 }));
    expect(gbp.format(null)).toBe(NONE);
    expect(gbp.format(Number.NaN)).toBe(NONE);
    // Yen have no minor unit: the locale's rule, not two decimals.
    expect(moneyOf('JPY').price(350)).toBe(inCurrency('JPY', 350));
    expect(moneyOf('EUR')).toBe(moneyOf('EUR'));
  });

  it('writes plain numbers when no currency is known, never a guessed one', () => {
    expect(moneyOf(null)).toBe(PLAIN_MONEY);
    expect(PLAIN_MONEY.code).toBeNull();
    expect(PLAIN_MONEY.format(3.5)).toMatch(/^3[.,]50$/);
    expect(PLAIN_MONEY.format(1_234_567).length).toBeLessThan(7);
    expect(PLAIN_MONEY.price(3.5)).toMatch(/^3[.,]5$/);
    // Nothing that looks like a currency sign or code.
    expect(PLAIN_MONEY.format(1021.5)).not.toMatch(/[$€£¥A-Z]/);
    expect(moneyOf('??')).toBe(PLAIN_MONEY);
  });

  it('shows the log currency first, then the reader choice, else none', () => {
    expect(shownCurrency({ code: 'EUR', source: 'column', column: 'currency' }, 'GBP')).toEqual({ code: 'EUR', how: 'log' });
    expect(shownCurrency({ code: null, source: 'none', symbol: '$' }, 'USD')).toEqual({ code: 'USD', how: 'chosen' });
    expect(shownCurrency(undefined, null)).toEqual({ code: null, how: 'none' });
    expect(currencySource({ code: 'EUR', source: 'column', column: 'currency_code' })).toBe('from the column currency_code');
    expect(currencySource({ code: 'GBP', source: 'symbol', symbol: '£' })).toBe('from the £ signs of the prices');
  });

  describe('the remembered choice', () => {
    afterEach(() => vi.unstubAllGlobals());
    it('is kept in localStorage and read back; nothing kept means plain numbers', () => {
      const items = new Map<string, string>();
      vi.stubGlobal('localStorage', {
        getItem: (k: string) => items.get(k) ?? null,
        setItem: (k: string, v: string) => items.set(k, v),
        removeItem: (k: string) => items.delete(k),
      });
      expect(rememberedCurrency()).toBeNull();
      rememberCurrency('CHF');
      expect(items.get(CURRENCY_KEY)).toBe('CHF');
      expect(rememberedCurrency()).toBe('CHF');
      rememberCurrency(null);
      expect(rememberedCurrency()).toBeNull();
      items.set(CURRENCY_KEY, '<script>');
      expect(rememberedCurrency()).toBeNull();
    });
  });

  it('puts the currency in spend traits and revenue bands', () => {
    const gbp = moneyOf('GBP');
    const spend: Trait = {
      key: 'spend',
      word: 'High spend',
      value: 1021.5,
      overall: 400,
      ratio: 2.55,
      text: '1,022 spent per customer (typical customer: 400)',
    };
    expect(traitText(spend, gbp)).toBe(`${gbp.format(1021.5)} spent per customer (typical customer: ${gbp.format(400)})`);
    expect(traitText({ ...spend, average: true }, gbp)).toContain('(average customer:');
    const orders: Trait = { key: 'orders', word: 'Frequent', value: 6, overall: 2, ratio: 3, text: '6 orders per customer (typical customer: 2)' };
    expect(traitText(orders, gbp)).toBe(orders.text);
    expect(traitText(orders, gbp, 'sessions')).toBe('6 orders per session (typical session: 2)');
    const { groups } = revenueBands(Float64Array.from([-5, 0, 10, 20, 30, 40, 50]), gbp);
    expect(groups[2].label).toBe(`${gbp.whole(10)} to < ${gbp.whole(20)}`);
    expect(revenueBands(Float64Array.from([10, 20]), PLAIN_MONEY).groups[2].label).not.toMatch(/£/);
  });
});
