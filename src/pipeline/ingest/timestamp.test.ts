import { describe, expect, it } from 'vitest';
import { DateKind, inTimeRange, parseTimestamp, readTimestamp, sampleDateOrder, type DateShape } from './timestamp';

describe('parseTimestamp', () => {
  it.each([
    ['2019-10-01 00:00:00 UTC', Date.UTC(2019, 9, 1)],
    ['2010-12-01 08:26:00', Date.UTC(2010, 11, 1, 8, 26)],
    ['2010-12-01T08:26:00Z', Date.UTC(2010, 11, 1, 8, 26)],
    ['2010-12-01T08:26:00.250+01:00', Date.UTC(2010, 11, 1, 7, 26, 0, 250)],
    ['2016-05-09', Date.UTC(2016, 4, 9)],
    ['12/1/2010 8:26', Date.UTC(2010, 11, 1, 8, 26)],
    ['25/12/2010 18:05', Date.UTC(2010, 11, 25, 18, 5)],
    ['12/1/2010 8:26 PM', Date.UTC(2010, 11, 1, 20, 26)],
    ['1659304800025', 1659304800025],
    ['1659304800', 1659304800000],
    ['1659304800025000', 1659304800025],
    ['Wed, 01 Dec 2010 08:26:00 GMT', Date.UTC(2010, 11, 1, 8, 26)],
    ['2020-02-29 23:59:59', Date.UTC(2020, 1, 29, 23, 59, 59)],
    ['2019-10-01T00:00:00Z', Date.UTC(2019, 9, 1)],
  ])('%s', (s, expected) => {
    expect(parseTimestamp(s)).toBe(expected);
  });

  it.each([
    '',
    'yesterday',
    '2019-13-01',
    '2019-02-29',
    '2100-02-29 10:00:00',
    '2019-02-30 10:00',
    '2019-10-01 25:00',
    '12',
    '1.5',
    'n/a',
    '2019-10-01 10:00 XYZ',
  ])('rejects %j', (s) => {
    expect(parseTimestamp(s)).toBeNaN();
  });
});

describe('numeric dates and their day/month order', () => {
  const shape = (): DateShape => ({ kind: DateKind.None, swapDays: 0 });

  it.each([
    ['31-10-2019 10:00', Date.UTC(2019, 9, 31, 10)],
    ['2019.10.31 10:00:00', Date.UTC(2019, 9, 31, 10)],
    ['31.10.19', Date.UTC(2019, 9, 31)],
    ['10-31-2019', Date.UTC(2019, 9, 31)],
  ])('reads %s', (s, expected) => {
    expect(parseTimestamp(s)).toBe(expected);
  });

  it('says what each date tells about the order, and how far the other reading lies', () => {
    const out = shape();
    expect(readTimestamp('31/10/2019', 'mdy', false, out)).toBe(Date.UTC(2019, 9, 31));
    expect(out.kind).toBe(DateKind.DayFirst);
    expect(readTimestamp('10/31/2019', 'dmy', false, out)).toBe(Date.UTC(2019, 9, 31));
    expect(out.kind).toBe(DateKind.MonthFirst);
    const t = readTimestamp('1/2/2019 10:00', 'mdy', false, out);
    expect(t).toBe(Date.UTC(2019, 0, 2, 10));
    expect(out.kind).toBe(DateKind.Ambiguous);
    expect(t + out.swapDays * 86_400_000).toBe(Date.UTC(2019, 1, 1, 10));
    readTimestamp('5/5/2019', 'mdy', false, out);
    expect(out.kind).toBe(DateKind.None);
    readTimestamp('2019-10-31', 'mdy', false, out);
    expect(out.kind).toBe(DateKind.None);
  });

  it('refuses a date that only fits the other order when the order is strict', () => {
    const out = shape();
    expect(readTimestamp('31/10/2019', 'mdy', true, out)).toBeNaN();
    expect(out.kind).toBe(DateKind.WrongOrder);
    expect(parseTimestamp('10/31/2019', 'dmy')).toBeNaN();
    expect(parseTimestamp('1/2/2019', 'dmy')).toBe(Date.UTC(2019, 1, 1));
  });

  it('settles a sample: day-first when a first number is over 12, month-first when a second is, null when none tells', () => {
    expect(sampleDateOrder(['1/2/2019', '13/2/2019'])).toBe('dmy');
    expect(sampleDateOrder(['1/2/2019', '2/13/2019'])).toBe('mdy');
    expect(sampleDateOrder(['1/2/2019', '2019-10-31'])).toBeNull();
  });

  it('knows the range of a log', () => {
    expect(inTimeRange(parseTimestamp('99999999999999999999'))).toBe(false);
    expect(inTimeRange(parseTimestamp('1e300'))).toBe(false);
    expect(inTimeRange(parseTimestamp('2019-10-01'))).toBe(true);
    expect(inTimeRange(Date.UTC(2200, 0, 1))).toBe(false);
  });
});
