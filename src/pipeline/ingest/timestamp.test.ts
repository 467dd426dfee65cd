import { describe, expect, it } from 'vitest';
import { parseTimestamp } from './timestamp';

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
  ])('%s', (s, expected) => {
    expect(parseTimestamp(s)).toBe(expected);
  });

  it.each(['', 'yesterday', '2019-13-01', '2019-02-30 10:00', '2019-10-01 25:00', '12', '1.5', 'n/a', '2019-10-01 10:00 XYZ'])('rejects %j', (s) => {
    expect(parseTimestamp(s)).toBeNaN();
  });
});
