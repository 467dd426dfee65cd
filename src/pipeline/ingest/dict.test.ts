import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dict } from './dict';
import { parseDecimal } from './numbers';

describe('Dict', () => {
  it('gives dense ids to ranges of a text and finds them again without slicing', () => {
    const d = new Dict();
    const text = 'abc,def,abc,xyz,def';
    const ids = [0, 4, 8, 12, 16].map((s) => d.idOf(text, s, s + 3));
    expect(ids).toEqual([0, 1, 0, 2, 1]);
    expect(d.values).toEqual(['abc', 'def', 'xyz']);
    expect(d.id('xyz')).toBe(2);
  });

  it('stays correct through rehashing and with prefixes of each other', () => {
    const d = new Dict();
    const words = Array.from({ length: 20_000 }, (_, i) => `u${i}`);
    words.forEach((w, i) => expect(d.id(w)).toBe(i));
    words.forEach((w, i) => expect(d.idOf(`>${w}<`, 1, w.length + 1)).toBe(i));
    expect(d.id('u1')).toBe(1);
    expect(d.id('u')).toBe(20_000);
    expect(d.id('')).toBe(20_001);
  });
});

describe('Dict against a Map', () => {
  it('gives the ids a Map would, for ranges of any text (Latin-1 or wider, prefixes, repeats)', () => {
    const key = fc.oneof(
      fc.constantFrom('', 'a', 'ab', 'abc', 'é', 'ü1', 'ab\u0100', '\u4e2d\u6587', 'f54633cf-87f7-487d-9de5-fdebad9180f0'),
      fc.string({ maxLength: 6, unit: fc.constantFrom('a', 'b', 'é', '\u0100', '\uD83D', '1') }),
      fc.string({ maxLength: 40 }),
      // UUIDs, their upper-case and near-miss forms; keys around the packed length (16).
      fc.constantFrom('00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000001', '10000000-0000-0000-0000-000000000000'),
      fc.uuid(),
      fc.uuid().map((u) => u.toUpperCase()),
      fc.tuple(fc.uuid(), fc.nat(35), fc.constantFrom('g', '-', 'A', 'é', '0', 'f')).map(([u, i, c]) => u.slice(0, i) + c + u.slice(i + 1)),
      fc.string({ minLength: 15, maxLength: 17, unit: fc.constantFrom('1', '2', 'ÿ', '\u0100') }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.constantFrom(0, 1, 2, 3)), { maxLength: 300 }), (ops) => {
        const d = new Dict();
        const m = new Map<string, number>();
        for (const [k, op] of ops) {
          const text = `<${k}>`;
          if (op === 0) expect(d.find(text, 1, k.length + 1)).toBe(m.get(k) ?? -1);
          else if (op === 3) {
            // The reader's way: look up, and add what the lookup missed without a second one.
            const found = d.find(text, 1, k.length + 1);
            if (!m.has(k)) m.set(k, m.size);
            expect(found >= 0 ? found : d.addMissing(text, 1, k.length + 1)).toBe(m.get(k));
          } else {
            if (!m.has(k)) m.set(k, m.size);
            expect(op === 1 ? d.idOf(text, 1, k.length + 1) : d.id(k)).toBe(m.get(k));
          }
        }
        expect(d.values).toEqual([...m.keys()]);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('Dict.find', () => {
  it('finds what is in, in place, and adds nothing', () => {
    const d = new Dict();
    for (let i = 0; i < 5_000; i++) d.id(`v${i}`);
    for (let i = 0; i < 5_000; i += 7) expect(d.find(`[v${i}]`, 1, `v${i}`.length + 1)).toBe(i);
    expect(d.find('v5000', 0, 5)).toBe(-1);
    expect(d.find('v', 0, 1)).toBe(-1);
    expect(d.find('', 0, 0)).toBe(-1);
    expect(d.size).toBe(5_000);
  });
});

describe('parseDecimal', () => {
  it.each(['0', '83.04', '-6', '+2.5', '0.1', '123456789.123456', '.5', '5.'])('matches Number(%j)', (s) => {
    expect(parseDecimal(s, 0, s.length)).toBe(Number(s));
  });
  it.each(['', '-', '1e5', '1,5', 'abc', '1.2.3', '12345678901234567'])('leaves %j to Number()', (s) => {
    expect(parseDecimal(s, 0, s.length)).toBeNaN();
  });
});
