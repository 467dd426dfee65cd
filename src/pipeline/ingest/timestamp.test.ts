import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DateKind, inTimeRange, isoAt, parseTimestamp, readTimestamp, sampleDateOrder, TimestampReader, type DateShape } from './timestamp';

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

describe('isoAt (the in-place ISO path)', () => {
  // Near-ISO texts: each part drawn from valid values and from the ways a value can be off.
  const part = (valid: string[], off: string[]) => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...valid) }, fc.constantFrom(...off));
  const text = fc
    .tuple(
      part(['2019', '2020', '1900', '2199', '1969'], ['19', '20x9', ' 2019', '1899', '2200']),
      part(['-', '/', '.'], ['_', ':']),
      part(['01', '02', '10', '12'], ['00', '13', '1', 'x1']),
      part(['-', '/', '.'], ['_']),
      part(['01', '28', '29', '30', '31'], ['00', '32', '3']),
      part([' ', 'T'], ['  ', 't', '']),
      part(['00:00:00', '23:59:59', '12:34:56', '08:26:60'], ['24:00:00', '12:60:00', '1:02:03', '12:34', '12:34:56.250', '12-34-56']),
      part(['', ' UTC', 'Z'], [' utc', 'z', '+01:00', ' UTC ', ' ', ' GMT', ' PM']),
      fc.string({ maxLength: 3 }),
      fc.string({ maxLength: 3 }),
    )
    .map(([y, s1, mo, s2, d, t, clock, zone]) => `${y}${s1}${mo}${s2}${d}${t}${clock}${zone}`);

  it('gives what readTimestamp gives, or NaN to leave it to readTimestamp', () => {
    fc.assert(
      fc.property(text, fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), (s, before, after) => {
        const shape: DateShape = { kind: DateKind.None, swapDays: 0 };
        const whole = `${before}${s}${after}`;
        const v = isoAt(whole, before.length, before.length + s.length);
        const expected = readTimestamp(s, 'mdy', false, shape);
        if (!Number.isNaN(v)) {
          expect(v).toBe(expected);
          expect(shape.kind).toBe(DateKind.None);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('reads plain ISO times in place, and TimestampReader.readAt agrees with read on every text', () => {
    expect(isoAt('x2019-10-01 00:00:06 UTC,', 1, 24)).toBe(Date.UTC(2019, 9, 1, 0, 0, 6));
    expect(isoAt('2019-10-01T23:59:59Z', 0, 20)).toBe(Date.UTC(2019, 9, 1, 23, 59, 59));
    expect(isoAt('2019-02-29 00:00:00', 0, 19)).toBeNaN();
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 8 }), (texts) => {
        const a = new TimestampReader();
        const b = new TimestampReader();
        const joined = texts.join(',');
        let pos = 0;
        for (const s of texts) {
          expect(Object.is(a.readAt(joined, pos, pos + s.length), b.read(s))).toBe(true);
          expect(a.shape).toEqual(b.shape);
          pos += s.length + 1;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
