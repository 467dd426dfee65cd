import { describe, expect, it } from 'vitest';
import { csvCell, float32Number, toCsv } from './csv';
import { parseCsv } from '../../../test/lib/testCsv';

describe('csvCell', () => {
  it('neutralises text that a spreadsheet would run as a formula', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+441234')).toBe("'+441234");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    // CR both triggers neutralisation and needs quoting.
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    // Only the first character matters.
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell("'=quoted")).toBe("'=quoted");
  });

  it('never neutralises numbers, and writes them shortest', () => {
    expect(csvCell(-1.5)).toBe('-1.5');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(0.1)).toBe('0.1');
    expect(csvCell(1e-7)).toBe('1e-7');
    expect(Number(csvCell(0.1 + 0.2))).toBe(0.1 + 0.2);
  });

  it('writes NaN, infinities, null and undefined as empty cells', () => {
    for (const v of [NaN, Infinity, -Infinity, null, undefined]) expect(csvCell(v)).toBe('');
  });

  it('quotes commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvCell('=a,"b"')).toBe(`"'=a,""b"""`);
    expect(csvCell('plain text')).toBe('plain text');
    expect(csvCell('')).toBe('');
  });
});

describe('toCsv', () => {
  it('ends every line, the last included, with CRLF', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          [1, 'x'],
          [null, -2],
        ],
      ),
    ).toBe('a,b\r\n1,x\r\n,-2\r\n');
    expect(toCsv(['only'], [])).toBe('only\r\n');
  });

  it("round-trips awkward ids through the app's CSV reader", () => {
    const ids = ['plain', 'with "quote"', 'with,comma', 'two\nlines', "=cmd|' /C calc'!A0", '-5', '  padded  ', 'é ü 中'];
    const text = toCsv(
      ['id', 'n'],
      ids.map((id, i) => [id, i - 1.5]),
    );
    const rows = parseCsv(text);
    expect(rows.length).toBe(ids.length + 1);
    expect(rows[0]).toEqual(['id', 'n']);
    ids.forEach((id, i) => {
      // A neutralised cell reads back with its leading quote; nothing else changes.
      const expected = /^[=+\-@\t\r]/.test(id) ? `'${id}` : id;
      expect(rows[i + 1]).toEqual([expected, String(i - 1.5)]);
    });
  });
});

describe('float32Number', () => {
  it('gives the shortest decimal that reads back as the same float32', () => {
    expect(float32Number(Math.fround(0.1))).toBe(0.1);
    expect(float32Number(Math.fround(-12.345))).toBe(-12.345);
    expect(float32Number(0)).toBe(0);
    let seed = 7;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const f = Math.fround((seed / 2147483648 - 0.5) * 10 ** ((i % 12) - 4));
      const s = float32Number(f);
      expect(Math.fround(s)).toBe(f);
      expect(
        String(s)
          .replace(/^-|e.*$|\./g, '')
          .replace(/^0+/, '').length,
      ).toBeLessThanOrEqual(9);
    }
  });

  it('passes non-finite values through', () => {
    expect(float32Number(NaN)).toBeNaN();
    expect(float32Number(Infinity)).toBe(Infinity);
  });
});
