import { describe, expect, it } from 'vitest';
import { CsvReader, sniffDelimiter } from './csv';
import type { RecordView } from './record';

function readAll(text: string, delimiter = ',', blockSplits: number[] = []): { records: [string[], number][]; rejects: [string, number][] } {
  const records: [string[], number][] = [];
  const rejects: [string, number][] = [];
  const r = new CsvReader(delimiter, 1 << 20);
  const emit = (v: RecordView, line: number): void => {
    records.push([v.fields(), line]);
  };
  const reject = (reason: string, line: number): void => {
    rejects.push([reason, line]);
  };
  // Blocks must end on a newline (the line splitter guarantees it); cut at the given line indexes.
  const lines = text.split(/(?<=\n)/);
  let start = 0;
  for (const cut of [...blockSplits, lines.length]) {
    r.feed(lines.slice(start, cut).join(''), emit, reject, cut === lines.length);
    start = cut;
  }
  r.finish(emit, reject);
  return { records, rejects };
}

describe('CsvReader', () => {
  it('splits plain lines and numbers them', () => {
    const { records } = readAll('a,b,c\n1,2,3\r\n4,5,6');
    expect(records).toEqual([
      [['a', 'b', 'c'], 1],
      [['1', '2', '3'], 2],
      [['4', '5', '6'], 3],
    ]);
  });

  it('reads quoted fields with delimiters, escaped quotes and empty values', () => {
    const { records } = readAll('x,"a, b","say ""hi""",,"",z\n');
    expect(records[0][0]).toEqual(['x', 'a, b', 'say "hi"', '', '', 'z']);
  });

  it('keeps text after a closing quote and mixes quoted, escaped and plain fields', () => {
    const { records } = readAll('"a"b,"c",d\n1,"2""",3\n');
    expect(records.map((r) => r[0])).toEqual([
      ['ab', 'c', 'd'],
      ['1', '2"', '3'],
    ]);
  });

  it('keeps newlines inside quotes and counts their lines', () => {
    const { records } = readAll('h1,h2\n"multi\nline\nvalue",2\nnext,3\n');
    expect(records[1]).toEqual([['multi\nline\nvalue', '2'], 2]);
    expect(records[2]).toEqual([['next', '3'], 5]);
  });

  it('carries an open quoted record across blocks', () => {
    const text = 'h1,h2\n"starts here\nand ends, here",2\nlast,1\n';
    for (const cut of [1, 2, 3]) {
      const { records, rejects } = readAll(text, ',', [cut]);
      expect(rejects).toEqual([]);
      expect(records.map((r) => r[0])).toEqual([
        ['h1', 'h2'],
        ['starts here\nand ends, here', '2'],
        ['last', '1'],
      ]);
      expect(records[2][1]).toBe(4);
    }
  });

  it('rejects an unclosed quote at end of input with its line and keeps the lines after it', () => {
    const { records, rejects } = readAll('h\n"never closed\nb\nc\n');
    expect(rejects).toEqual([['unclosed quote', 2]]);
    expect(records.map((r) => r[0][0])).toEqual(['h', 'b', 'c']);
    expect(records[2][1]).toBe(4);
  });

  it('handles CRLF after a quoted field and other delimiters', () => {
    const { records } = readAll('a;"b;c"\r\nd;e\r\n', ';');
    expect(records.map((r) => r[0])).toEqual([
      ['a', 'b;c'],
      ['d', 'e'],
    ]);
  });
});

describe('sniffDelimiter', () => {
  it.each([
    ['a,b,c\n1,2,3\n', ','],
    ['session_id;user_id;item_id\n1;NA;81766\n', ';'],
    ['a\tb\tc\n1\t2\t3\n', '\t'],
    ['a|b\n1|2\n', '|'],
    ['name,note\n"x; y; z",1\n', ','],
  ])('%j -> %j', (text, d) => {
    expect(sniffDelimiter(text)).toBe(d);
  });
});
