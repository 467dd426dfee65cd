import { describe, expect, it } from 'vitest';
import { formatAmount, formatLift, formatRate, NONE, rateDifference, ratio } from './insightFormat';

describe('insight formats', () => {
  it('gives rate differences in whole percentage points with a sign', () => {
    expect(rateDifference(0.2, 0.32)).toBe('+12 pp');
    expect(rateDifference(0.5, 0.47)).toBe('−3 pp');
    expect(rateDifference(0.5, 0.501)).toBe('0 pp');
    expect(rateDifference(null, 0.3)).toBe(NONE);
  });

  it('gives ratios of B to A, undefined when A is zero', () => {
    expect(ratio(10, 18)).toBe('×1.8');
    expect(ratio(4, 2)).toBe('×0.5');
    expect(ratio(0, 5)).toBe(NONE);
    expect(ratio(3, null)).toBe(NONE);
    expect(ratio(3, Number.NaN)).toBe(NONE);
  });

  it('formats amounts, lifts and rates, with a dash for what is missing', () => {
    expect(formatAmount(null)).toBe(NONE);
    expect(formatAmount(Number.NaN)).toBe(NONE);
    expect(formatAmount(3.5)).toMatch(/^3[.,]50$/);
    // Big sums are compact: far shorter than their digits.
    expect(formatAmount(1_234_567).length).toBeLessThan(7);
    expect(formatLift(2.04)).toMatch(/^×2[.,]0$/);
    expect(formatLift(Number.POSITIVE_INFINITY)).toBe(NONE);
    expect(formatRate(null)).toBe(NONE);
    expect(formatRate(0.25)).toMatch(/25/);
  });
});
