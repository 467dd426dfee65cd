import { describe, expect, it } from 'vitest';
import { decimalMarkOf, parseAmount } from './numbers';

const amount = (s: string, mark: '.' | ','): number => parseAmount(s, 0, s.length, mark);

describe('amounts by their column rule', () => {
  it('decides a column decimal mark from values that tell', () => {
    expect(decimalMarkOf(['2,50', '3', '1.299,00'])).toBe(',');
    expect(decimalMarkOf(['2.50', '1,299.00'])).toBe('.');
    // Three digits after the only mark say nothing: thousands either way, so the default holds.
    expect(decimalMarkOf(['1,299', '2'])).toBe('.');
    expect(decimalMarkOf(['2,5', '2.5'])).toBe('.');
  });

  it.each([
    ['83.04', 83.04],
    ['$1,299.00', 1299],
    ['-$5', -5],
    ['12.50 EUR', 12.5],
    ['1.5e3', 1500],
    ['1e400', Infinity],
  ])('reads %j with a decimal point', (s, v) => {
    expect(amount(s, '.')).toBe(v);
  });

  it.each([
    ['2,50', 2.5],
    ['1.299,00', 1299],
    ['1 299,5 €', 1299.5],
    ['3', 3],
  ])('reads %j with a decimal comma', (s, v) => {
    expect(amount(s, ',')).toBe(v);
  });

  it.each(['abc', '12abc', '1,2,3', '2,50', '--5', '1.2.3', ''])('refuses %j with a decimal point', (s) => {
    expect(amount(s, '.')).toBeNaN();
  });
});
