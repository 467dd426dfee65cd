import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignedBytes, type BlockBytes, Dict } from './dict';
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

describe('Dict reading a block from its bytes', () => {
  /** The block's bytes as the reader gives them (LineBlocks): set when they line up with the text. */
  function blockOf(text: string): BlockBytes {
    const bytes = new TextEncoder().encode(text);
    const aligned = alignedBytes(text, bytes);
    return { text, bytes: aligned ? bytes : null, view: aligned ? new DataView(bytes.buffer) : null };
  }

  it('tells when bytes line up with their text', () => {
    expect(alignedBytes('abc,123\n', new TextEncoder().encode('abc,123\n'))).toBe(true);
    expect(alignedBytes('é', new TextEncoder().encode('é'))).toBe(false);
    // A lone bad byte decodes to one U+FFFD: as many characters as bytes, but not the same ones.
    const bad = new Uint8Array([0x61, 0xff, 0x62]);
    expect(alignedBytes(new TextDecoder().decode(bad), bad)).toBe(false);
  });

  it('gives the ids a Map would, whichever path (bytes of a block, or a string) meets a key first', () => {
    const ascii = fc.oneof(
      fc.constantFrom('', 'a', 'ab', 'abc', 'abcd', 'abcde', '17850', '17850.0', 'f54633cf-87f7-487d-9de5-fdebad9180f0'),
      fc.uuid(),
      fc.string({ maxLength: 12, unit: fc.constantFrom('a', 'b', '1', '-', ' ') }),
      fc.tuple(fc.uuid(), fc.nat(35), fc.constantFrom('g', '-', 'A', '0', 'f')).map(([u, i, c]) => u.slice(0, i) + c + u.slice(i + 1)),
    );
    // Keys a block of other bytes carries, or that only a string can: the string path alone.
    const wide = fc.constantFrom('é', 'ü1', 'ab\u0100', '\u4e2d\u6587', 'abcé');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.oneof({ weight: 4, arbitrary: ascii }, { weight: 1, arbitrary: wide }), fc.constantFrom(0, 1, 2, 3)), { maxLength: 200 }),
        fc.boolean(),
        (ops, widen) => {
          const d = new Dict();
          const m = new Map<string, number>();
          // One block holding every key (ASCII keys only, or all of them: then it does not line up).
          const keys = ops.map(([k]) => k).filter((k) => widen || !/[^\x00-\x7f]/.test(k));
          const starts: number[] = [];
          let text = '';
          for (const k of keys) {
            starts.push(text.length);
            text += `${k}\n`;
          }
          const block = blockOf(text);
          expect(block.bytes !== null).toBe(!keys.some((k) => /[^\x00-\x7f]/.test(k)));
          d.attachBlock(block);
          let at = 0;
          for (const [k, op] of ops) {
            const inBlock = at < keys.length && keys[at] === k;
            const [t, s] = inBlock && op !== 2 ? [text, starts[at]] : [`<${k}>`, 1];
            if (inBlock) at++;
            if (op === 0) expect(d.find(t, s, s + k.length)).toBe(m.get(k) ?? -1);
            else {
              const found = d.find(t, s, s + k.length);
              if (!m.has(k)) m.set(k, m.size);
              expect(found >= 0 ? found : op === 3 ? d.addMissing(t, s, s + k.length) : d.idOf(t, s, s + k.length)).toBe(m.get(k));
            }
          }
          expect(d.values).toEqual([...m.keys()]);
          // Every key is found again both ways.
          for (const [k, id] of m) expect(d.find(`(${k})`, 1, k.length + 1)).toBe(id);
          keys.forEach((k, q) => expect(d.find(text, starts[q], starts[q] + k.length)).toBe(m.get(k) ?? -1));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('reads every id of a file right, in blocks that line up with their bytes and in blocks that do not', async () => {
    const { ingest } = await import('./ingest');
    const user = (i: number): string => `u${(i * 7) % 97}`;
    const session = (i: number): string => `s${i % 331}-${'x'.repeat(i % 40)}`;
    const item = (i: number): string => (i % 500 === 7 ? 'itém7' : `item${i % 53}`);
    const rows = Array.from({ length: 3_000 }, (_, i) => `${user(i)},${session(i)},${item(i)},2024-01-0${1 + (i % 9)} 10:00:00,view`);
    const bytes = new TextEncoder().encode(`user_id,session_id,product_id,event_time,event_type\n${rows.join('\n')}\n`);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let o = 0; o < bytes.length; o += 4096) c.enqueue(bytes.subarray(o, o + 4096));
        c.close();
      },
    });
    const { table } = await ingest(stream, { totalBytes: null });
    expect(table.length).toBe(3_000);
    // Ids in order of first appearance, each naming its row's value.
    const firstSeen = (f: (i: number) => string): string[] => [...new Set(rows.map((_, i) => f(i)))];
    expect(table.users).toEqual(firstSeen(user));
    expect(table.sessions).toEqual(firstSeen(session));
    for (let e = 0; e < table.length; e++) {
      expect(table.users[table.user[e]]).toBe(user(e));
      expect(table.sessions[table.session[e]]).toBe(session(e));
      expect(table.items[table.item[e]]).toBe(item(e));
    }
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
