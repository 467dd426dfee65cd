import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration } from './format';

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
