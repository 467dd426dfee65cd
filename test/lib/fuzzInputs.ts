// Inputs for fuzzing the log reader: generated logs whose content we know (so a test can check that
// every accepted event is a row that was really there), byte-level mutations, gzip, and streams cut
// at chosen byte offsets (inside multibyte UTF-8, inside quotes, between \r and \n).
// Lives under test/ (not src/pipeline) because it uses node:zlib and fast-check.

import fc from 'fast-check';
import { gzipSync } from 'node:zlib';

export const DELIMITERS = [',', ';', '\t', '|'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

/** Header of generated CSV logs; the reader's column detection maps item_id to column 1 by name. */
export const CSV_HEADER = ['user_id', 'item_id', 'event_type', 'timestamp', 'title'];
export const ITEM_COLUMN = 1;

/** One generated data record and the 1-based line of the file it starts on. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

export interface CsvLog {
  text: string;
  delimiter: Delimiter;
  records: CsvRecord[];
  /** Lines of the text, counted as the reader counts them (by '\n'). */
  lines: number;
}

/** Characters that stress a CSV reader: every candidate delimiter, quotes, line breaks, multibyte text. */
const FIELD_CHARS = ['a', 'b', 'Z', '0', '7', ' ', '.', '"', ',', ';', '\t', '|', '\n', '\r', '\r\n', 'é', '€', '😀', '中', '\u00a0'];
const fieldText = fc.array(fc.constantFrom(...FIELD_CHARS), { maxLength: 10 }).map((a) => a.join(''));
/** Values the reader treats as missing (see detect.ts isMissing). */
const missing = fc.constantFrom('', 'NA', 'null', '-', 'n/a');
const longField = fc.integer({ min: 200, max: 70_000 }).map((n) => 'x€"\n'.repeat(Math.ceil(n / 4)).slice(0, n));

/** Item ids start with 'i' and end with 'z' so no trimming or id normalisation applies to them. */
const itemId = fc.oneof({ weight: 8, arbitrary: fieldText.map((s) => `i${s}z`) }, { weight: 1, arbitrary: missing });
const userId = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('u1', 'u2', 'u3', '17850', 'ü😀', 'a,b', 'q"q') }, { weight: 1, arbitrary: missing });
const eventType = fc.constantFrom('view', 'cart', 'purchase', 'clicks', 'remove_from_cart', '', 'wat"?');
const timestamp = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .integer({ min: 0, max: 86_399 })
      .map((s) => `2020-01-0${1 + (s % 9)} ${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1_500_000_000_000, max: 1_700_000_000_000 }).map(String) },
  { weight: 1, arbitrary: fieldText },
);
const title = fc.oneof({ weight: 6, arbitrary: fieldText }, { weight: 1, arbitrary: longField });

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** A data record: the five header columns, sometimes one short or with extra fields. */
const record = fc.tuple(userId, itemId, eventType, timestamp, title, fc.constantFrom(0, 0, 0, 0, -1, 1, 2), fieldText).map(([u, i, e, t, ti, delta, extra]) => {
  const f = [u, i, e, t, ti];
  if (delta < 0) f.pop();
  for (let k = 0; k < delta; k++) f.push(extra);
  return f;
});

/** RFC 4180 quoting when needed (or asked for); the reader must read the field back unchanged. */
function quote(field: string, d: string, force: boolean): string {
  if (force || field.includes(d) || /["\n\r]/.test(field)) return `"${field.replace(/"/g, '""')}"`;
  return field;
}

export const csvLog: fc.Arbitrary<CsvLog> = fc
  .record({
    delimiter: fc.constantFrom(...DELIMITERS),
    crlf: fc.boolean(),
    bom: fc.boolean(),
    finalNewline: fc.boolean(),
    leadingBlank: fc.boolean(),
    rows: fc.array(fc.tuple(record, fc.boolean(), fc.nat({ max: 9 })), { maxLength: 80 }),
  })
  .map(({ delimiter, crlf, bom, finalNewline, leadingBlank, rows }) => {
    const eol = crlf ? '\r\n' : '\n';
    let text = bom ? '\uFEFF' : '';
    let line = 1;
    const put = (s: string): void => {
      text += s;
      for (let k = s.indexOf('\n'); k >= 0; k = s.indexOf('\n', k + 1)) line++;
    };
    if (leadingBlank) put(eol);
    put(CSV_HEADER.join(delimiter));
    const records: CsvRecord[] = [];
    for (const [fields, forceQuote, blank] of rows) {
      put(eol);
      if (blank === 0) put(eol); // an empty line between records
      // A lone empty field would be an empty line (no record): quote it.
      const cells = fields.map((f) => quote(f, delimiter, forceQuote || (fields.length === 1 && f === '')));
      records.push({ fields, line });
      put(cells.join(delimiter));
    }
    if (finalNewline) put(eol);
    return { text, delimiter, records, lines: line };
  });

/** JSON Lines, flat or OTTO-nested, with values of every JSON type in the id fields. */
const jsonValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('u1', 'i9', '', 'NA', '😀', 'a\nb', '"') },
  { weight: 3, arbitrary: fc.integer({ min: -5, max: 2_000_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, 1.5, 1e21, [], {}, [1, 'x'], { a: { b: 1 } }) },
);
const flatObject = fc.record(
  {
    user_id: jsonValue,
    item_id: jsonValue,
    event_type: fc.constantFrom('view', 'cart', 'purchase', 'x'),
    timestamp: fc.oneof(fc.integer({ min: 1_500_000_000, max: 1_700_000_000 }), jsonValue),
    extra: jsonValue,
  },
  { requiredKeys: ['item_id'] },
);
const ottoEvent = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      aid: fc.oneof(fc.integer({ min: 0, max: 2_000_000 }), jsonValue),
      ts: fc.integer({ min: 1_659_304_800_000, max: 1_661_000_000_000 }),
      type: fc.constantFrom('clicks', 'carts', 'orders'),
    }),
  },
  { weight: 1, arbitrary: jsonValue },
);
const ottoObject = fc.record({
  session: fc.oneof(fc.nat({ max: 1000 }), jsonValue),
  events: fc.oneof({ weight: 8, arbitrary: fc.array(ottoEvent, { maxLength: 12 }) }, { weight: 1, arbitrary: jsonValue }),
});

export const jsonlLog: fc.Arbitrary<string> = fc
  .tuple(fc.boolean(), fc.array(fc.tuple(fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), flatObject, ottoObject), { minLength: 1, maxLength: 40 }), fc.boolean())
  .map(([nested, lines, crlf]) =>
    lines
      .map(([kind, flat, otto]) => (kind === 0 ? '' : kind === 1 ? '{"broken": ' : kind === 2 ? '[1,2]' : JSON.stringify(nested ? otto : flat)))
      .join(crlf ? '\r\n' : '\n'),
  );

/** A byte-level edit, positions as fractions of the current length so they shrink well. */
export type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'duplicate'; at: number; len: number }
  | { kind: 'insert'; at: number; bytes: readonly number[] };

const frac = fc.double({ min: 0, max: 1, noNaN: true });
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: frac }),
  fc.record({ kind: fc.constant('flip' as const), at: frac, mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: frac, len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: frac, len: fc.integer({ min: 1, max: 256 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: frac,
    bytes: fc.oneof(
      fc.constantFrom<readonly number[]>([0], [0x22], [0x0d], [0xe2, 0x82]),
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }),
    ),
  }),
);

export function mutate(bytes: Uint8Array, edits: readonly Mutation[]): Uint8Array {
  let b = bytes;
  for (const m of edits) {
    const at = Math.min(b.length, Math.floor(m.at * (b.length + 1)));
    switch (m.kind) {
      case 'truncate':
        b = b.slice(0, at);
        break;
      case 'flip':
        if (at < b.length) {
          b = b.slice();
          b[at] ^= m.mask;
        }
        break;
      case 'delete':
        b = concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + m.len)));
        break;
      case 'duplicate':
        b = concat(b.subarray(0, Math.min(b.length, at + m.len)), b.subarray(at));
        break;
      case 'insert':
        b = concat(b.subarray(0, at), Uint8Array.from(m.bytes), b.subarray(at));
        break;
    }
  }
  return b;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function gzipBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(bytes));
}

/**
 * Where to cut a stream into chunks: random offsets, plus some of the awkward ones (inside a
 * multibyte character, right after a quote, between \r and \n).
 */
export const cuts = fc.record({ random: fc.array(frac, { maxLength: 12 }), awkward: fc.array(fc.nat(), { maxLength: 12 }), single: fc.boolean() });
export type Cuts = typeof cuts extends fc.Arbitrary<infer T> ? T : never;

export function cutOffsets(bytes: Uint8Array, c: Cuts): number[] {
  const n = bytes.length;
  // One byte at a time is the harshest cutting; keep it to inputs small enough to stay fast.
  if (c.single && n <= 4096) return Array.from({ length: Math.max(0, n - 1) }, (_, i) => i + 1);
  const awkward: number[] = [];
  for (let i = 1; i < n; i++) {
    const x = bytes[i];
    if ((x & 0xc0) === 0x80 || (x === 10 && bytes[i - 1] === 13) || bytes[i - 1] === 0x22) awkward.push(i);
  }
  const out = new Set<number>();
  for (const f of c.random) out.add(Math.floor(f * n));
  if (awkward.length > 0) for (const k of c.awkward) out.add(awkward[k % awkward.length]);
  return [...out].filter((x) => x > 0 && x < n).sort((a, b) => a - b);
}

/** A stream of `bytes` cut at the given offsets (copies, so the reader cannot alias our buffer). */
export function chunkedStream(bytes: Uint8Array, offsets: readonly number[]): ReadableStream<Uint8Array> {
  const bounds = [0, ...offsets, bytes.length];
  let k = 0;
  return new ReadableStream<Uint8Array>({
    pull(ctrl) {
      if (k >= bounds.length - 1) {
        ctrl.close();
        return;
      }
      ctrl.enqueue(bytes.slice(bounds[k], bounds[k + 1]));
      k++;
    },
  });
}

/** Lines in the decoded text, as the reader numbers them. */
export function lineCount(text: string): number {
  let n = 1;
  for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) n++;
  return n;
}
