import { describe, expect, it } from 'vitest';
import { textStream } from '../../../test/streams';
import { analyzeStream } from '../analyze';
import { amountCurrency, currencyCode, detectCurrency, NO_CURRENCY } from './currency';

const rows = (values: string[]): string[][] => values.map((v, i) => [`u${i}`, `item${i}`, v]);

describe('currency of the amounts', () => {
  it('knows ISO codes and refuses other three-letter words', () => {
    expect(currencyCode('gbp')).toBe('GBP');
    expect(currencyCode(' EUR ')).toBe('EUR');
    expect(currencyCode('PCS')).toBeNull();
    expect(currencyCode('EURO')).toBeNull();
    expect(currencyCode('')).toBeNull();
  });

  it('reads the sign or code around one amount', () => {
    expect(amountCurrency('£3.50')).toEqual({ code: 'GBP', sign: '£' });
    expect(amountCurrency('EUR 4')).toEqual({ code: 'EUR', sign: null });
    expect(amountCurrency('3,50 €')).toEqual({ code: 'EUR', sign: '€' });
    expect(amountCurrency('-£12')).toEqual({ code: 'GBP', sign: '£' });
    expect(amountCurrency('4 usd')).toEqual({ code: 'USD', sign: null });
    expect(amountCurrency('$1,299.00')).toEqual({ code: null, sign: '$' });
    expect(amountCurrency('US$ 5')).toEqual({ code: null, sign: '$' });
    expect(amountCurrency('3.50')).toBeNull();
    expect(amountCurrency('1e5')).toBeNull();
    expect(amountCurrency('3 pcs')).toBeNull();
  });

  it('takes the code of a currency column whose values agree', () => {
    const columns = ['user_id', 'item_id', 'price', 'Currency_Code'];
    const samples = Array.from({ length: 20 }, (_, i) => [`u${i}`, `i${i}`, '3.50', i === 3 ? '' : 'gbp']);
    expect(detectCurrency(columns, samples, { user: 0, item: 1, price: 2 })).toEqual({ code: 'GBP', source: 'column', column: 'Currency_Code' });
  });

  it('says nothing from a currency column of mixed codes, and falls back to the prices', () => {
    const columns = ['user_id', 'item_id', 'price', 'currency'];
    const mixed = Array.from({ length: 20 }, (_, i) => [`u${i}`, `i${i}`, '3.50', i % 2 ? 'EUR' : 'USD']);
    expect(detectCurrency(columns, mixed, { user: 0, item: 1, price: 2 })).toEqual(NO_CURRENCY);
    const signed = mixed.map((r) => [r[0], r[1], `£${r[2]}`, r[3]]);
    expect(detectCurrency(columns, signed, { user: 0, item: 1, price: 2 })).toEqual({ code: 'GBP', source: 'symbol', symbol: '£' });
  });

  it('takes the sign or code of the prices when they agree', () => {
    const columns = ['user', 'item', 'price'];
    const m = { user: 0, item: 1, price: 2 };
    expect(detectCurrency(columns, rows(['£3.50', '£1', '£12.00', '£0.85']), m)).toEqual({ code: 'GBP', source: 'symbol', symbol: '£' });
    expect(detectCurrency(columns, rows(['3,50 €', '4 €', '12,00 €']), m)).toEqual({ code: 'EUR', source: 'symbol', symbol: '€' });
    expect(detectCurrency(columns, rows(['EUR 4', 'EUR 3.50', 'EUR 1']), m)).toEqual({ code: 'EUR', source: 'symbol' });
  });

  it('never guesses: plain numbers, mixed signs and dollar signs name no currency', () => {
    const columns = ['user', 'item', 'price'];
    const m = { user: 0, item: 1, price: 2 };
    expect(detectCurrency(columns, rows(['3.50', '1', '12.00']), m)).toEqual(NO_CURRENCY);
    expect(detectCurrency(columns, rows(['£3.50', '€1', '£12.00', '€2']), m)).toEqual(NO_CURRENCY);
    // Most prices plain, one signed: not enough to say.
    expect(detectCurrency(columns, rows(['£3.50', '1', '12.00', '2', '3']), m)).toEqual(NO_CURRENCY);
    expect(detectCurrency(columns, rows(['$3.50', '$1', '$12.00']), m)).toEqual({ code: null, source: 'none', symbol: '$' });
    expect(detectCurrency(columns, rows(['3.50']), { user: 0, item: 1 })).toEqual(NO_CURRENCY);
  });
});

describe('a log with a currency', () => {
  const log = (prices: string[], extra = '') =>
    [
      `user_id,item_id,event_type,timestamp,price${extra ? ',currency' : ''}`,
      ...prices.map((p, i) => `u${i % 2},i${i},purchase,2020-01-0${1 + i} 10:00:00,"${p}"${extra ? `,${extra}` : ''}`),
    ].join('\n');

  it('reads "£3.50"-style prices as numbers and says the currency in the report', async () => {
    const { report, table } = await analyzeWithTable(log(['£3.50', '£1', '£12.00']));
    expect(report.currency).toEqual({ code: 'GBP', source: 'symbol', symbol: '£' });
    expect(Array.from(table.price.subarray(0, table.length))).toEqual([3.5, 1, 12]);
  });

  it('names the currency column it took, and none for plain numbers', async () => {
    expect((await analyzeWithTable(log(['3.50', '1'], 'EUR'))).report.currency).toEqual({ code: 'EUR', source: 'column', column: 'currency' });
    expect((await analyzeWithTable(log(['3.50', '1']))).report.currency).toEqual(NO_CURRENCY);
  });
});

async function analyzeWithTable(text: string) {
  const a = await analyzeStream(textStream(text), { fileName: 't.csv', totalBytes: text.length });
  return { report: a.report, table: a.ingested.table };
}
