// Hostile values through the reader's public entry (analyzeStream), one block per defect class of
// issue #17 that lives in the reader, each with property-based inputs (fast-check) where the class
// has a space of values: times out of range and JSON nested too deep are rejected rows with their
// reason and line; numeric dates get one day/month order per column, settled from every date even
// when the first telling one comes late; amounts follow one rule per column (decimal comma, range,
// sign); CR-only, UTF-16 and Excel `sep=` files read like their plain twins; ids follow one rule;
// the summary counts items of accepted rows only; and the event limit stops a file with a message.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkedStream, cutOffsets, cuts, type Cuts } from '../../../test/lib/fuzzInputs';
import { inProcessThreads } from '../../../test/lib/inProcessThreads';
import { analyzeSource, analyzeStream, type Analysis } from '../analyze';
import { blobSource } from './parts';
import { LogError } from '../types';
import { MAX_JSON_DEPTH } from './jsonl';
import { MAX_AMOUNT } from './numbers';
import type { DateOrder } from './timestamp';

const RUNS = Number(process.env.SEQLENS_FUZZ_RUNS ?? 40);
const params = (numRuns = RUNS): fc.Parameters<unknown> => ({ numRuns, interruptAfterTimeLimit: 15_000, markInterruptAsFailure: false });
const encoder = new TextEncoder();

async function read(
  text: string | Uint8Array,
  c: Cuts | null = null,
  opts: { dateOrder?: DateOrder; maxEvents?: number; sequence?: { by: 'user' | 'session' } } = {},
): Promise<Analysis> {
  const bytes = typeof text === 'string' ? encoder.encode(text) : text;
  const offsets = c ? cutOffsets(bytes, c) : [];
  return analyzeStream(chunkedStream(bytes, offsets), { fileName: 'hostile', totalBytes: bytes.length, ...opts });
}

/** Line numbers (1-based, the header is line 1) of the data rows whose index is in `rows`. */
const linesOf = (rows: readonly number[]): number[] => rows.map((r) => r + 2).sort((a, b) => a - b);

const GOOD_TIME = '2019-10-01 10:00:00';

describe('times out of range and deep JSON (class 1)', () => {
  const hugeTime = fc.oneof(
    // Epochs past any unit's range: 99999999999999999999, 1e21...
    fc.bigInt({ min: 10n ** 17n, max: 10n ** 40n }).map(String),
    // Years before 1900 or after 2199, written as ISO dates or in words.
    fc.integer({ min: 1000, max: 1899 }).map((y) => `${y}-06-01 10:00:00`),
    fc.integer({ min: 2200, max: 9999 }).map((y) => `01 Dec ${y} 08:26:00 GMT`),
    fc.constantFrom('1e300', '1e+300', '-1', '9'.repeat(400)),
  );

  it('rejects each bad time as a row with its reason and line; the report never throws', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(79), hugeTime), { minLength: 1, maxLength: 6 }), cuts, async (bad, c) => {
        const at = new Map(bad);
        const rows = Array.from({ length: 80 }, (_, i) => `u${i % 5},i${i},${at.get(i) ?? GOOD_TIME}`);
        const { report, ingested } = await read(`user_id,item_id,event_time\n${rows.join('\n')}\n`, c);
        const rej = report.input.rejected;
        expect(ingested.table.length).toBe(80 - at.size);
        expect(rej.count).toBe(at.size);
        for (const reason of Object.keys(rej.reasons)) expect(reason).toMatch(/^(time out of range|unparsable timestamp)/);
        const examples = Object.values(rej.examples)
          .flat()
          .sort((a, b) => a - b);
        expect(examples).toEqual(linesOf([...at.keys()]).slice(0, examples.length));
        expect(report.timeSpan).toEqual({ start: '2019-10-01T10:00:00.000Z', end: '2019-10-01T10:00:00.000Z' });
      }),
      params(),
    );
  });

  it('rejects a time offset that pushes a time out of range', async () => {
    const { report } = await read(`session_id,item_id,timestamp,timeframe\n1,a,${GOOD_TIME},1e300\n1,b,${GOOD_TIME},5\n1,c,${GOOD_TIME},0\n`);
    expect(report.input.rejected.examples).toEqual({ 'time out of range (before 1900 or after 2199)': [2] });
  });

  it('rejects a JSON line nested deeper than the limit, and only that line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 20_000 }), fc.boolean(), fc.nat(9), async (depth, objects, at) => {
        const value = objects ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : '['.repeat(depth) + ']'.repeat(depth);
        const lines = Array.from({ length: 10 }, (_, i) => (i === at ? `{"user_id":"u1","item_id":${value}}` : `{"user_id":"u1","item_id":"i${i}"}`));
        const { report } = await read(`${lines.join('\n')}\n`);
        if (depth > MAX_JSON_DEPTH) {
          expect(report.input.rejected.examples).toEqual({ [`JSON nested more than ${MAX_JSON_DEPTH} levels deep`]: [at + 1] });
        } else {
          expect(report.input.rejected.count).toBe(0);
        }
      }),
      params(30),
    );
  });
});

describe('the day/month order of numeric dates (class 2)', () => {
  /** A date with its true value: day and month, both 12 or less unless `telling`. */
  const date = (telling: boolean) =>
    fc.record({
      y: fc.integer({ min: 2000, max: 2030 }),
      m: fc.integer({ min: 1, max: 12 }),
      d: telling ? fc.integer({ min: 13, max: 28 }) : fc.integer({ min: 1, max: 12 }),
      h: fc.integer({ min: 0, max: 23 }),
      min: fc.integer({ min: 0, max: 59 }),
    });
  type D = { y: number; m: number; d: number; h: number; min: number };
  const write = (x: D, order: 'dmy' | 'mdy', sep: string): string => {
    const [a, b] = order === 'dmy' ? [x.d, x.m] : [x.m, x.d];
    return `${a}${sep}${b}${sep}${x.y} ${x.h}:${String(x.min).padStart(2, '0')}`;
  };
  const utc = (x: D): number => Date.UTC(x.y, x.m - 1, x.d, x.h, x.min);

  it('reads every date in the order the file shows, even when the first telling date comes after the sample and in a later chunk', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<'dmy' | 'mdy'>('dmy', 'mdy'),
        fc.constantFrom('/', '-'),
        fc.array(date(false), { minLength: 120, maxLength: 300 }),
        date(true),
        fc.nat(),
        cuts,
        async (order, sep, ambiguous, telling, pos, c) => {
          // Past the 50 records the columns are detected from.
          const at = 60 + (pos % (ambiguous.length - 60));
          const dates = [...ambiguous.slice(0, at), telling, ...ambiguous.slice(at)];
          const rows = dates.map((x, i) => `u${i % 9},i${i},${write(x, order, sep)}`);
          const { report, ingested } = await read(`user_id,item_id,event_time\n${rows.join('\n')}\n`, c);
          expect(report.input.rejected.count).toBe(0);
          expect(report.detection.dateOrder).toEqual({ order, how: 'file' });
          const t = ingested.table;
          for (let e = 0; e < t.length; e++)
            if (t.time[e] !== utc(dates[e])) expect.fail(`row ${e}: ${write(dates[e], order, sep)} read as ${new Date(t.time[e]).toISOString()}`);
          expect(report.warnings.join(' ')).not.toMatch(/day\/month or month\/day/);
        },
      ),
      params(),
    );
  });

  it('settles the order over a file read in parts on helper threads: a telling date in the last part turns the earlier parts round', async () => {
    const dates: D[] = Array.from({ length: 20_000 }, (_, i) => ({ y: 2019, m: (i % 12) + 1, d: ((i * 7) % 12) + 1, h: i % 24, min: i % 60 }));
    dates.push({ y: 2019, m: 10, d: 31, h: 10, min: 0 });
    const text = `user_id,item_id,event_time\n${dates.map((x, i) => `u${i % 97},i${i % 501},${write(x, 'dmy', '/')}`).join('\n')}\n`;
    const bytes = encoder.encode(text);
    const { threads } = inProcessThreads(3);
    const split = await analyzeSource(blobSource(new Blob([bytes])), { fileName: 'log', threads, splitMinBytes: 0 });
    expect(split.ingested.readThreads).toBe(3);
    expect(split.report.detection.dateOrder).toEqual({ order: 'dmy', how: 'file' });
    const t = split.ingested.table;
    expect(t.length).toBe(dates.length);
    for (let e = 0; e < t.length; e++) if (t.time[e] !== utc(dates[e])) expect.fail(`row ${e} read as ${new Date(t.time[e]).toISOString()}`);
  });

  it('warns when every date is ambiguous, and reads them as set when the order is given', async () => {
    const dates = Array.from({ length: 40 }, (_, i) => ({ y: 2019, m: (i % 12) + 1, d: (i % 11) + 1, h: 10, min: 0 }));
    const text = `user_id,item_id,event_time\n${dates.map((x, i) => `u${i % 3},i${i},${write(x, 'dmy', '/')}`).join('\n')}\n`;
    const auto = await read(text);
    expect(auto.report.detection.dateOrder).toEqual({ order: 'mdy', how: 'assumed' });
    expect(auto.report.warnings.join(' ')).toMatch(/could be day\/month or month\/day/);
    const set = await read(text, null, { dateOrder: 'dmy' });
    expect(set.report.detection.dateOrder).toEqual({ order: 'dmy', how: 'set' });
    const t = set.ingested.table;
    for (let e = 0; e < t.length; e++) expect(t.time[e]).toBe(utc(dates[e]));
  });

  it('rejects, with its line, a date that only fits the other order when the order is set', async () => {
    const text = `user_id,item_id,event_time\nu1,a,1/2/2019 10:00\nu1,b,31/10/2019 10:00\nu1,c,10/31/2019 10:00\n`;
    const mdy = await read(text, null, { dateOrder: 'mdy' });
    expect(mdy.report.input.rejected.examples).toEqual({ 'date does not fit the month/day order set': [3] });
    const dmy = await read(text, null, { dateOrder: 'dmy' });
    expect(dmy.report.input.rejected.examples).toEqual({ 'date does not fit the day/month order set': [4] });
  });

  it('warns when the dates come in both orders', async () => {
    const rows = ['u1,a,31/10/2019 10:00', 'u1,b,30/10/2019 10:00', 'u1,c,10/29/2019 10:00', 'u1,d,1/2/2019 10:00'];
    const { report, ingested } = await read(`user_id,item_id,event_time\n${rows.join('\n')}\n`);
    expect(report.detection.dateOrder).toEqual({ order: 'dmy', how: 'file' });
    expect(report.warnings.join(' ')).toMatch(/both orders.*first at line 4/);
    expect(ingested.table.time[3]).toBe(Date.UTC(2019, 1, 1, 10));
  });
});

describe('amounts: one rule per column (class 3)', () => {
  const header = 'user_id;item_id;event_type;price';
  /** An amount written with the given decimal mark, grouping and currency, and its value. */
  const amount = fc
    .record({
      cents: fc.integer({ min: 0, max: 99_999_999_99 }),
      comma: fc.boolean(),
      group: fc.boolean(),
      currency: fc.constantFrom('', '$', '€ ', ' EUR', '£'),
    })
    .map(({ cents, comma, group, currency }) => {
      const whole = Math.floor(cents / 100);
      const frac = String(cents % 100).padStart(2, '0');
      const digits = group ? whole.toLocaleString('en').replace(/,/g, comma ? '.' : ',') : String(whole);
      const body = `${digits}${comma ? ',' : '.'}${frac}`;
      const text = currency.startsWith(' ') ? body + currency : currency + body;
      return { text, value: Number(`${whole}.${frac}`), comma };
    });

  it('reads a column of decimal-comma or decimal-point amounts by its own rule', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(amount, { minLength: 5, maxLength: 80 }), async (comma, raw) => {
        // One column, one rule: every amount written with the same mark.
        const amounts = raw.map((a) => (a.comma === comma ? a : { ...a, text: a.text.replace(/[.,]/g, (m) => (m === '.' ? ',' : '.')), comma }));
        // A column needs one telling value (not three digits after the last mark) to be decided.
        amounts[0] = { text: comma ? '2,5' : '2.5', value: 2.5, comma };
        const rows = amounts.map((a, i) => `u${i % 4};i${i};purchase;${a.text}`);
        const { report, ingested } = await read(`${header}\n${rows.join('\n')}\n`);
        expect(report.input.rejected.count).toBe(0);
        expect(report.detection.mapping.price).toBe(3);
        expect(report.detection.decimalComma).toEqual(comma ? ['price'] : undefined);
        if (comma) expect(report.warnings.join(' ')).toMatch(/decimal comma/);
        amounts.forEach((a, e) => expect(ingested.table.price[e]).toBeCloseTo(a.value, 6));
      }),
      params(),
    );
  });

  it('rejects amounts out of range, unreadable ones and negative purchase prices, each with its reason and line', async () => {
    const big = fc.oneof(
      fc.double({ min: MAX_AMOUNT * 1.01, max: 1e308, noNaN: true }).map((v) => v.toExponential()),
      fc.constantFrom('1e400', '1e308', '-1e308', '99999999999'),
    );
    await fc.assert(
      fc.asyncProperty(big, fc.double({ min: -1e6, max: -0.01, noNaN: true }), async (huge, negative) => {
        const rows = [
          `u1;a;purchase;${huge}`,
          `u1;b;purchase;${negative}`,
          `u1;c;return;${negative}`,
          'u1;d;purchase;12abc',
          'u1;e;purchase;3.5',
          'u1;f;purchase;',
          'u1;g;purchase;4',
        ];
        const { report, ingested } = await read(`${header}\n${rows.join('\n')}\n`);
        expect(report.input.rejected.examples).toEqual({ 'price out of range (beyond ±1e9)': [2], 'negative price': [3], 'unreadable price': [5] });
        // The return keeps its amount (returns subtract whatever the sign); an empty price is no price.
        expect(Array.from(ingested.table.price)).toEqual([negative, 3.5, NaN, 4]);
      }),
      params(),
    );
  });

  it('refuses JSON numbers too large for a double as out of range', async () => {
    const { report } = await read('{"user_id":"u1","item_id":"a","price":1e400}\n{"user_id":"u1","item_id":"b","price":2.5}\n');
    expect(report.input.rejected.examples).toEqual({ 'price out of range (beyond ±1e9)': [1] });
  });

  it('reads quantities by the same rule', async () => {
    const { report, ingested } = await read('InvoiceNo;StockCode;Quantity;UnitPrice;CustomerID\n1;a;2;2,50;7\n1;b;-1;1,25;7\nC2;c;1e400;1;7\n');
    expect(report.input.rejected.examples).toEqual({ 'quantity out of range (beyond ±1e9)': [4] });
    expect(Array.from(ingested.table.quantity)).toEqual([2, -1]);
    expect(Array.from(ingested.table.price)).toEqual([2.5, 1.25]);
  });
});

describe('line ends, encodings and Excel files (class 6)', () => {
  const plainLog = fc
    .array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.stringMatching(/^[a-z0-9]{1,8}$/), fc.integer({ min: 0, max: 86_399 })), { minLength: 1, maxLength: 60 })
    .map(
      (rows) =>
        `user_id,item_id,event_time\n${rows.map(([u, item, s]) => `u${u},${item},${new Date(Date.UTC(2019, 9, 1) + s * 1000).toISOString()}`).join('\n')}\n`,
    );

  const utf16 = (text: string, bigEndian: boolean, bom: boolean): Uint8Array => {
    const body = (bom ? '\uFEFF' : '') + text;
    const out = new Uint8Array(body.length * 2);
    for (let i = 0; i < body.length; i++) {
      const c = body.charCodeAt(i);
      out[2 * i + (bigEndian ? 1 : 0)] = c & 0xff;
      out[2 * i + (bigEndian ? 0 : 1)] = c >> 8;
    }
    return out;
  };
  const same = (a: Analysis, b: Analysis, lineShift = 0): void => {
    expect(a.report.input).toEqual(b.report.input);
    expect(Array.from(a.ingested.table.time)).toEqual(Array.from(b.ingested.table.time));
    expect(a.ingested.table.items).toEqual(b.ingested.table.items);
    expect(Array.from(a.ingested.table.line)).toEqual(Array.from(b.ingested.table.line, (l) => l + lineShift));
  };

  it('reads CR-only line ends, UTF-16 (either byte order, with or without a byte-order mark) and an Excel sep= line like the plain file', async () => {
    await fc.assert(
      fc.asyncProperty(plainLog, cuts, fc.boolean(), fc.boolean(), async (text, c, be, bom) => {
        const plain = await read(text);
        same(await read(text.replace(/\n/g, '\r'), c), plain);
        same(await read(utf16(text, be, bom), c), plain);
        const excel = await read(`sep=;\n${text.replace(/,/g, ';')}`, c);
        expect(excel.report.detection.delimiter).toBe(';');
        expect(excel.report.input.rows).toBe(plain.report.input.rows);
        expect(Array.from(excel.ingested.table.line)).toEqual(Array.from(plain.ingested.table.line, (l) => l + 1));
      }),
      params(),
    );
  });

  it('decides CR-only line ends from the first bytes, the same however the stream is chunked', async () => {
    // CR line ends for the first 9 KB, then LF: whether the reader saw an LF used to depend on how
    // much had arrived when it looked, so one chunk and 8 KiB chunks read different files.
    const crRows = Array.from({ length: 300 }, (_, i) => `u${i % 7},i${i},${GOOD_TIME}`);
    const lfRows = Array.from({ length: 50 }, (_, i) => `u${i % 7},j${i},${GOOD_TIME}`);
    const text = `user_id,item_id,event_time\r${crRows.join('\r')}\r${lfRows.join('\n')}\n`;
    expect(text.indexOf('\n')).toBeGreaterThan(8192);
    const bytes = encoder.encode(text);
    const whole = await read(bytes);
    expect(whole.report.input.accepted).toBe(350);
    expect(whole.ingested.table.line[349]).toBe(351);
    for (const size of [8192, 8200, 4096, 1000]) {
      const offsets = Array.from({ length: Math.floor((bytes.length - 1) / size) }, (_, i) => (i + 1) * size);
      same(await analyzeStream(chunkedStream(bytes, offsets), { fileName: 'hostile', totalBytes: bytes.length }), whole);
    }
    // A header behind a CR and repeated: its two CRs are line ends, so the repeat sits on line 3 of 3.
    const h = 'event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session';
    const dup = await read(`\r${h.slice(0, 75)}\r${h}`);
    expect(dup.report.input.rejected.examples['too many fields']).toEqual([3]);
  });

  it('reads a UTF-16 or CR-only file on one thread when helper threads are at hand (its bytes cannot be cut at a newline byte)', async () => {
    const text = `user_id,item_id,event_time\n${Array.from({ length: 20_000 }, (_, i) => `u${i % 97},i${i % 501},${GOOD_TIME}`).join('\n')}\n`;
    for (const bytes of [utf16(text, false, false), encoder.encode(text.replace(/\n/g, '\r'))]) {
      const { threads } = inProcessThreads(3);
      const { report, ingested } = await analyzeSource(blobSource(new Blob([bytes as Uint8Array<ArrayBuffer>])), {
        fileName: 'log',
        threads,
        splitMinBytes: 0,
      });
      expect(report.input.accepted).toBe(20_000);
      expect(ingested.table.line[19_999]).toBe(20_001);
    }
  });

  it('still refuses binary data whose every other byte is zero (it looks like UTF-16 only by its bytes)', async () => {
    for (const low of [(i: number) => (i * 37) % 32, (i: number) => 1 + ((i * 37) % 8)]) {
      const bytes = new Uint8Array(8192);
      for (let i = 0; i < 4096; i++) bytes[2 * i] = low(i);
      const error = await read(bytes).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(LogError);
      expect((error as LogError).code).toBe('binary');
    }
  });

  it('keeps a time column named as one whose formats are mixed, rejecting the rows it cannot read', async () => {
    const rows = Array.from(
      { length: 30 },
      (_, i) => `u${i % 3},i${i},${i % 3 === 0 ? 'sometime on Tuesday' : `2019-10-${String(i + 1).padStart(2, '0')}T10:00:00Z`}`,
    );
    const { report } = await read(`user_id,item_id,event_time\n${rows.join('\n')}\n`);
    expect(report.detection.mapping.time).toBe(2);
    expect(report.input.rejected.reasons).toEqual({ 'unparsable timestamp': 10 });
    expect(report.warnings.join(' ')).not.toMatch(/No timestamp column/);
  });

  it('says which column looked like a time column when too few of its values are times', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `u${i % 3},i${i},${i % 3 === 0 ? '2019-10-01T10:00:00Z' : 'soon'}`);
    const { report } = await read(`user_id,item_id,event_time\n${rows.join('\n')}\n`);
    expect(report.warnings.join(' ')).toMatch(/Column "event_time" is named like a time column, but only 10 of its first 30 values fit/);
  });
});

describe('ids: one rule (class 8)', () => {
  const edge = fc.constantFrom('', ' ', '\t', '\u00A0', '\u3000', '\u2003', '\u200B', '\uFEFF');
  const inside = fc.constantFrom('', '\u200B', '\u200C', '\u200D', '\u2060', '\u00AD');

  it('makes ids that look the same one id: edges trimmed, zero-width characters removed, NFC', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('alice', 'bob', 'José', 'Zoë', '17850'), edge, edge, inside, fc.boolean()), { minLength: 1, maxLength: 40 }),
        async (ids) => {
          const written = ids.map(([id, before, after, mid, nfd]) => {
            const base = nfd ? id.normalize('NFD') : id;
            const cut = Math.floor(base.length / 2);
            return before + base.slice(0, cut) + mid + base.slice(cut) + after;
          });
          // Quoted: a tab or a leading space is part of the field, as a CSV writer would keep it.
          const rows = written.map((u, i) => `"${u}",i${i}`);
          const { ingested } = await read(`user_id,item_id\n${rows.join('\n')}\n`);
          const expected = [...new Set(ids.map(([id]) => id))];
          expect(ingested.table.users.slice().sort()).toEqual(expected.sort());
        },
      ),
      params(),
    );
  });
});

describe('summary counts (class 9)', () => {
  it('counts the items and users of accepted rows only, and says how many items only rejected rows had', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }), fc.integer({ min: 0, max: 30 })), { minLength: 1, maxLength: 80 }),
        async (rows) => {
          // UCI-shaped: invoices as sessions, so rows without a customer are rejected at grouping.
          const lines = rows.map(([u, item], i) => `${500 + i},${item},1,2.5,${u ?? ''}`);
          const { report } = await read(`InvoiceNo,StockCode,Quantity,UnitPrice,CustomerID\n${lines.join('\n')}\n`, null, { sequence: { by: 'user' } });
          const accepted = new Set(rows.filter(([u]) => u !== null).map(([, item]) => item));
          const rejectedOnly = new Set(rows.filter(([u, item]) => u === null && !accepted.has(item)).map(([, item]) => item));
          expect(report.items).toBe(accepted.size);
          expect(report.itemsOnlyInRejectedRows).toBe(rejectedOnly.size);
          expect(report.users).toBe(new Set(rows.map(([u]) => u).filter((u) => u !== null)).size);
        },
      ),
      params(),
    );
  });
});

describe('the event limit (class 5)', () => {
  it('stops with a clear message past the limit, and reads a file at the limit', async () => {
    const text = `user_id,item_id\n${Array.from({ length: 100 }, (_, i) => `u${i % 7},i${i}`).join('\n')}\n`;
    const error = await read(text, null, { maxEvents: 99 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LogError);
    expect((error as LogError).code).toBe('too-large');
    expect((error as LogError).message).toMatch(/more than 99 events.*--max-events/);
    expect((await read(text, null, { maxEvents: 100 })).ingested.table.length).toBe(100);
  });
});
