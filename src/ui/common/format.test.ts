import { describe, expect, it } from 'vitest';
import { formatBytes, formatDay, formatDuration, formatMoment } from './format';

describe('sizes and durations for people', () => {
  it('picks the unit and the digits', () => {
    const n = (x: number, digits: number) => new Intl.NumberFormat(undefined, { maximumFractionDigits: digits }).format(x);
    expect(formatBytes(999)).toContain(n(999, 0));
    expect(formatBytes(1500)).toContain(n(1.5, 1));
    expect(formatBytes(1500).replace(n(1.5, 1), '')).not.toBe(formatBytes(1_500_000).replace(n(1.5, 1), ''));
    expect(formatBytes(2.25e9)).toContain(n(2.3, 1));
    expect(formatDuration(420)).toContain(n(420, 0));
    expect(formatDuration(4200)).toContain(n(4.2, 1));
    // Seconds above a second, milliseconds below: the unit text differs.
    expect(formatDuration(420).replace(n(420, 0), '')).not.toBe(formatDuration(4200).replace(n(4.2, 1), ''));
  });
});

describe('dates for people', () => {
  it('writes a moment in the same date style as a day of the log, with its time', () => {
    // Noon UTC falls on the same calendar day in every time zone within ±11 h.
    const noon = Date.UTC(2011, 11, 9, 12, 0);
    const text = formatMoment(noon);
    expect(text.startsWith(formatDay('2011-12-09T00:00:00Z'))).toBe(true);
    expect(text.length).toBeGreaterThan(formatDay('2011-12-09T00:00:00Z').length);
    expect(text).not.toContain('12/9/2011');
    expect(formatMoment(Number.NaN)).toBe('—');
    // With seconds (the kiosk's log): the same day first, and longer still.
    const exact = formatMoment(noon + 7_000, true);
    expect(exact.startsWith(formatDay('2011-12-09T00:00:00Z'))).toBe(true);
    expect(exact.length).toBeGreaterThan(text.length);
  });
});
