// Property-based fuzzing of the log reader through its public entry, analyzeStream: random bytes,
// generated CSV / JSON Lines with known content, the project's real log shapes, byte mutations,
// gzip (whole and truncated), all fed in randomly cut chunks. Whatever comes in, the reader must
// resolve or reject with a LogError, finish promptly, account for every row, and never return an
// event for a row that was not in the input. SEQLENS_FUZZ_RUNS raises the run count for a long
// local session (fast-check prints the seed and the shrunk counterexample of any failure).

import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chunkedStream,
  CSV_HEADER,
  csvLog,
  cutOffsets,
  cuts,
  gzipBytes,
  ITEM_COLUMN,
  jsonlLog,
  mutate,
  mutation,
  type CsvLog,
  type Cuts,
} from '../../../test/lib/fuzzInputs';
import { snapshot, type Outcome } from '../../../test/lib/analysisSnapshot';
import { analyzeStream, type Analysis } from '../analyze';
import { EXPORT_HEADER, exportCsvChunks, generateLog, type ExportCsvOptions, type SynthLog } from '../synth';
import { CR_ONLY_PROBE_BYTES } from './ingest';
import { LogError } from '../types';

const RUNS = Number(process.env.SEQLENS_FUZZ_RUNS ?? 150);
/** One run must finish well within this; a hang (a promise never settling) fails the property. */
const RUN_TIMEOUT_MS = 10_000;
/** SEQLENS_FUZZ_SEED (and SEQLENS_FUZZ_PATH, with `-t` picking one property) replay a reported failure. */
const REPLAY: fc.Parameters<unknown> = process.env.SEQLENS_FUZZ_SEED
  ? { seed: Number(process.env.SEQLENS_FUZZ_SEED), ...(process.env.SEQLENS_FUZZ_PATH ? { path: process.env.SEQLENS_FUZZ_PATH } : {}) }
  : {};
const params = (numRuns = RUNS): fc.Parameters<unknown> => ({
  numRuns,
  interruptAfterTimeLimit: Math.max(20_000, numRuns * 400),
  markInterruptAsFailure: false,
  ...REPLAY,
});
const testTimeout = Math.max(60_000, RUNS * 1_000);

const encoder = new TextEncoder();

async function read(bytes: Uint8Array, offsets: readonly number[], maxLineBytes?: number): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`analyzeStream did not settle within ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS);
  });
  const run = analyzeStream(chunkedStream(bytes, offsets), { fileName: 'fuzz', totalBytes: bytes.length, maxLineBytes }).then(
    (analysis): Outcome => ({ ok: true, analysis }),
    (error: unknown): Outcome => ({ ok: false, error }),
  );
  try {
    return await Promise.race([run, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Lines of the (decompressed) input as the reader numbers them: one more than its '\n' bytes, and
 * its '\r' bytes too when the file has old Mac line ends (a CR but no LF at its start).
 */
function linesOf(plain: Uint8Array): number {
  const count = (byte: number): number => {
    let n = 0;
    for (let i = plain.indexOf(byte); i >= 0; i = plain.indexOf(byte, i + 1)) n++;
    return n;
  };
  const head = plain.subarray(0, CR_ONLY_PROBE_BYTES);
  const crOnly = head.indexOf(10) < 0 && head.indexOf(13) >= 0;
  return 1 + count(10) + (crOnly ? count(13) : 0);
}

/** What must hold of any outcome: a LogError, or a report that accounts for every row it read. */
function checkOutcome(o: Outcome, lines: number, distinctLines: boolean): void {
  if (!o.ok) {
    expect(o.error).toBeInstanceOf(LogError);
    const line = (o.error as LogError).line;
    if (line !== undefined) expect(line >= 1 && line <= lines, `error line ${line} of ${lines}`).toBe(true);
    return;
  }
  const { report, ingested, sequences } = o.analysis;
  const { table } = ingested;
  const rej = report.input.rejected;
  expect(report.input.rows).toBe(report.input.accepted + rej.count);
  expect(ingested.rows).toBe(table.length + ingested.rejects.total);
  // Events without the grouping key (say, no user id when grouping by user) are rejected at grouping.
  expect(report.input.accepted).toBe(sequences.grouped);
  expect(report.input.rows).toBe(ingested.rows);
  expect(Object.values(rej.reasons).reduce((a, b) => a + b, 0)).toBe(rej.count);
  for (const [reason, examples] of Object.entries(rej.examples)) {
    expect(examples.length).toBeGreaterThan(0);
    expect(examples.length).toBeLessThanOrEqual(Math.min(5, rej.reasons[reason]));
    for (const l of examples) expect(Number.isInteger(l) && l >= 1 && l <= lines, `"${reason}" example line ${l} of ${lines}`).toBe(true);
  }
  const seen = new Set<number>();
  for (let e = 0; e < table.length; e++) {
    const l = table.line[e];
    if (!(l >= 1 && l <= lines)) expect.fail(`event ${e} claims line ${l} of ${lines}`);
    if (distinctLines) {
      if (seen.has(l)) expect.fail(`two events claim line ${l}`);
      seen.add(l);
    }
    if (!(table.item[e] >= 0 && table.item[e] < table.items.length)) expect.fail(`event ${e} has item index ${table.item[e]}`);
  }
}

/** Reads `bytes` cut as asked and in one chunk; checks both outcomes and that they agree. */
async function readBothWays(bytes: Uint8Array, c: Cuts, plain: Uint8Array, distinctLines: boolean): Promise<Outcome> {
  const lines = linesOf(plain);
  const whole = await read(bytes, []);
  checkOutcome(whole, lines, distinctLines);
  const cut = await read(bytes, cutOffsets(bytes, c));
  checkOutcome(cut, lines, distinctLines);
  expect(snapshot(cut)).toEqual(snapshot(whole));
  return cut;
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

/** Real logs in the shapes the app is for: a random window of lines below the header. */
const SHAPES: { name: string; text: string; nested: boolean }[] = [
  { name: 'rees46', text: readFileSync('../shared/data/rees46-sample/2019-Oct-sample.csv', 'utf8'), nested: false },
  { name: 'diginetica', text: readFileSync('../shared/data/diginetica-sample/sample_train-item-views.csv', 'utf8'), nested: false },
  { name: 'otto', text: readFileSync('../shared/data/otto-sample/train.jsonl', 'utf8'), nested: true },
  { name: 'uci', text: readFileSync('public/demo/uci-online-retail-demo.csv', 'utf8'), nested: false },
];
const shapeSlice = fc
  .record({ shape: fc.nat({ max: SHAPES.length - 1 }), from: fc.nat(), count: fc.integer({ min: 0, max: 120 }) })
  .map(({ shape, from, count }) => {
    const s = SHAPES[shape];
    const lines = s.text.split('\n');
    const head = s.name === 'otto' ? [] : [lines[0]];
    const start = 1 + (from % (lines.length - 1));
    return { nested: s.nested, text: [...head, ...lines.slice(start, start + count)].join('\n') };
  });

/**
 * A generated log in the shape of a common export (src/pipeline/synth/exportCsv.ts: REES46's
 * columns without titles, empty categories, not one quote), with its delimiter, line ends and time
 * format drawn, and sometimes a harmless quoted field every n rows (the same values, quoted).
 */
const exportLogParams = fc.record({
  seed: fc.nat({ max: 1_000_000 }),
  events: fc.integer({ min: 1, max: 600 }),
  delimiter: fc.constantFrom<NonNullable<ExportCsvOptions['delimiter']>>(',', ';', '\t', '|'),
  lineEnd: fc.constantFrom<NonNullable<ExportCsvOptions['lineEnd']>>('\n', '\r\n'),
  time: fc.constantFrom<NonNullable<ExportCsvOptions['time']>>('rees46', 'iso'),
  missingCategory: fc.constantFrom(0, 0.27, 1),
  quoteEvery: fc.constantFrom(1, 2, 7, 100),
  rowsPerChunk: fc.integer({ min: 1, max: 50 }),
});
type ExportLogParams = typeof exportLogParams extends fc.Arbitrary<infer T> ? T : never;

/** The log of `o` and its CSV text, unquoted and quoted (made in the property, so a failure prints only `o`). */
function exportLog(o: ExportLogParams): { log: SynthLog; unquoted: string; quoted: string } {
  const log = generateLog({ seed: o.seed, events: o.events, users: Math.max(1, Math.round(o.events / 16)), items: 60, categories: 12 });
  const opts: ExportCsvOptions = { delimiter: o.delimiter, lineEnd: o.lineEnd, time: o.time, missingCategory: o.missingCategory, rowsPerChunk: o.rowsPerChunk };
  return { log, unquoted: [...exportCsvChunks(log, opts)].join(''), quoted: [...exportCsvChunks(log, { ...opts, quoteEvery: o.quoteEvery })].join('') };
}

describe('log reader fuzzing (analyzeStream)', () => {
  it('survives random bytes', { timeout: testTimeout }, async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 3000 }),
      // Printable-ish noise gets past the binary sniffing and into the parsers.
      fc.array(fc.constantFrom(...encoder.encode('ab,;|\t"\r\n{}[]:0 é😀')), { maxLength: 3000 }).map((a) => Uint8Array.from(a)),
      // Bytes that start like gzip but are not.
      fc.uint8Array({ maxLength: 500 }).map((b) => Uint8Array.from([0x1f, 0x8b, ...b])),
    );
    await fc.assert(
      fc.asyncProperty(bytes, cuts, fc.constantFrom(undefined, 16, 200), async (b, c, maxLine) => {
        checkOutcome(await read(b, cutOffsets(b, c), maxLine), linesOf(b), true);
      }),
      params(),
    );
  });

  it('reads generated CSV exactly: every event is a real row with its own item id, every row is counted', { timeout: testTimeout }, async () => {
    await fc.assert(
      fc.asyncProperty(csvLog, cuts, async (log, c) => {
        const bytes = encoder.encode(log.text);
        const o = await readBothWays(bytes, c, bytes, true);
        checkCsvContent(o, log);
      }),
      params(),
    );
  });

  it('survives mutated CSV and gives the same result however it is chunked', { timeout: testTimeout }, async () => {
    await fc.assert(
      fc.asyncProperty(csvLog, fc.array(mutation, { minLength: 1, maxLength: 4 }), cuts, async (log, edits, c) => {
        const bytes = mutate(encoder.encode(log.text), edits);
        await readBothWays(bytes, c, bytes, true);
      }),
      params(),
    );
  });

  it('reads the export shape without quotes exactly, and a quoted field every n rows changes nothing', { timeout: testTimeout }, async () => {
    await fc.assert(
      fc.asyncProperty(exportLogParams, cuts, fc.boolean(), async (params, c, gzip) => {
        const { log, unquoted, quoted } = exportLog(params);
        const delimiter = params.delimiter;
        expect(unquoted.includes('"')).toBe(false);
        const plain = encoder.encode(unquoted);
        const o = await readBothWays(gzip ? gzipBytes(plain) : plain, c, plain, true);
        checkExportContent(o, log, delimiter);
        const q = encoder.encode(quoted);
        const oq = await readBothWays(q, c, q, true);
        checkExportContent(oq, log, delimiter);
        // The same events whether a field is quoted or not (and gzipped or not, bar the gzip flag).
        const a = snapshot(o) as { report?: { file: unknown; detection: { gzip: boolean } } };
        const b = snapshot(oq) as { report?: { file: unknown; detection: { gzip: boolean } } };
        if (a.report && b.report) {
          a.report.file = b.report.file = null;
          a.report.detection.gzip = b.report.detection.gzip = false;
        }
        expect(b).toEqual(a);
      }),
      params(Math.ceil(RUNS / 3)),
    );
  });

  it('survives JSON Lines (flat and OTTO-nested), mutated or not', { timeout: testTimeout }, async () => {
    await fc.assert(
      fc.asyncProperty(jsonlLog, fc.array(mutation, { maxLength: 3 }), cuts, async (text, edits, c) => {
        const bytes = mutate(encoder.encode(text), edits);
        // A nested line holds several events, so only flat logs have one event per line.
        await readBothWays(bytes, c, bytes, !text.includes('"events"'));
      }),
      params(),
    );
  });

  it('survives the real log shapes (REES46, Diginetica, OTTO, UCI), mutated', { timeout: testTimeout }, async () => {
    await fc.assert(
      fc.asyncProperty(shapeSlice, fc.array(mutation, { maxLength: 4 }), cuts, async ({ text, nested }, edits, c) => {
        const bytes = mutate(encoder.encode(text), edits);
        await readBothWays(bytes, c, bytes, !nested);
      }),
      params(),
    );
  });

  it('reads gzip like the plain text, and rejects truncated gzip with a LogError', { timeout: testTimeout }, async () => {
    const plainText = fc.oneof(
      csvLog.map((l) => l.text),
      jsonlLog,
      shapeSlice.map((s) => s.text),
    );
    await fc.assert(
      fc.asyncProperty(plainText, cuts, frac01(), async (text, c, keep) => {
        const plain = encoder.encode(text);
        const gz = gzipBytes(plain);
        const o = await readBothWays(gz, c, plain, false);
        const p = await read(plain, []);
        const a = snapshot(o) as { report?: { file: unknown; detection: unknown } };
        const b = snapshot(p) as { report?: { file: unknown; detection: unknown } };
        if (a.report && b.report) {
          // Same content, same result, apart from the file's gzip flag.
          a.report.file = b.report.file = a.report.detection = b.report.detection = null;
        }
        expect(a).toEqual(b);

        const cutAt = 2 + Math.floor(keep * (gz.length - 2));
        if (cutAt < gz.length) {
          const t = await read(gz.subarray(0, cutAt), cutOffsets(gz.subarray(0, cutAt), c));
          expect(t.ok).toBe(false);
          expect((t as { error: LogError }).error).toBeInstanceOf(LogError);
          expect((t as { error: LogError }).error.code).toBe('truncated-gzip');
        }
      }),
      params(Math.ceil(RUNS / 2)),
    );
  });
});

function frac01(): fc.Arbitrary<number> {
  return fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
}

/**
 * The generated CSV's records are known: the reader must see exactly them. Each accepted event
 * names the line its record starts on, and carries that record's item id; rows with the wrong
 * number of fields or no item are rejected, each once.
 */
function checkCsvContent(o: Outcome, log: CsvLog): void {
  if (log.records.length === 0) {
    expect(o.ok).toBe(false);
    expect((o as { error: LogError }).error.code).toBe('no-data-rows');
    return;
  }
  if (!o.ok) {
    // The only acceptable failure with a header and rows present is none: the layout is always usable.
    throw o.error;
  }
  const { report, ingested } = o.analysis;
  const { table, detection } = ingested;
  expect(detection.format).toBe('csv');
  expect(detection.delimiter).toBe(log.delimiter);
  expect(detection.columns).toEqual(CSV_HEADER);
  expect(detection.mapping.item).toBe(ITEM_COLUMN);
  expect(report.input.rows).toBe(log.records.length);

  const byLine = new Map(log.records.map((r) => [r.line, r]));
  for (let e = 0; e < table.length; e++) {
    const r = byLine.get(table.line[e]);
    if (!r) expect.fail(`event ${e} claims line ${table.line[e]}, where no record starts`);
    expect(r.fields.length).toBe(CSV_HEADER.length);
    expect(table.items[table.item[e]]).toBe(r.fields[ITEM_COLUMN]);
  }
  const rejected = ingested.rejects.summary().reasons;
  const few = log.records.filter((r) => r.fields.length < CSV_HEADER.length).length;
  const many = log.records.filter((r) => r.fields.length > CSV_HEADER.length).length;
  const noItem = log.records.filter((r) => r.fields.length === CSV_HEADER.length && /^(|NA|null|-|n\/a)$/.test(r.fields[ITEM_COLUMN])).length;
  expect(rejected['too few fields'] ?? 0).toBe(few);
  expect(rejected['too many fields'] ?? 0).toBe(many);
  expect(rejected['missing item id'] ?? 0).toBe(noItem);
}

/** Every generated event is read, none rejected, each from its own line with its own item and user. */
function checkExportContent(o: Outcome, log: SynthLog, delimiter: string): void {
  if (!o.ok) throw o.error;
  const { report, ingested } = o.analysis;
  const { table, detection } = ingested;
  expect(detection.format).toBe('csv');
  expect(detection.delimiter).toBe(delimiter);
  expect(detection.columns).toEqual([...EXPORT_HEADER]);
  expect(report.input.rows).toBe(log.length);
  expect(report.input.accepted).toBe(log.length);
  expect(table.length).toBe(log.length);
  const cat = log.catalog;
  for (let e = 0; e < table.length; e++) {
    // Data rows start on line 2, in the generator's order.
    const k = table.line[e] - 2;
    if (!(k >= 0 && k < log.length)) expect.fail(`event ${e} claims line ${table.line[e]}`);
    if (table.items[table.item[e]] !== String(cat.productId[log.item[k]]))
      expect.fail(`event ${e} (line ${table.line[e]}) has item ${table.items[table.item[e]]}`);
    if (table.time[e] !== log.time[k]) expect.fail(`event ${e} (line ${table.line[e]}) has time ${table.time[e]}, written ${log.time[k]}`);
  }
}

// Shrunk counterexamples the properties above found, kept as fixed examples.
describe('log reader fuzzing: regressions', () => {
  it('sniffs for binary content the same however the first bytes are chunked', async () => {
    // A single control byte before a header: one-byte chunks used to see a chunk of 100% control
    // characters and call the file binary, while one chunk saw 1 in 94.
    for (const text of ['\x0Eevent_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session', '\x1A"item_id":"u1","extra":0}']) {
      const bytes = encoder.encode(text);
      const whole = await read(bytes, []);
      const single = await read(bytes, cutOffsets(bytes, { random: [], awkward: [], single: true }));
      expect(whole.ok).toBe(false);
      expect((whole as { error: LogError }).error.code).not.toBe('binary');
      expect(snapshot(single)).toEqual(snapshot(whole));
    }
  });

  it('reads a BOM in the middle of the file the same however the stream is chunked', async () => {
    // Two exports concatenated, each with its BOM. TextDecoder drops a BOM at the start of each
    // decode() call, so the second one used to vanish only when a chunk happened to start there.
    const bytes = encoder.encode('\uFEFFuser_id,item_id\nu1,a\n\uFEFFuser_id,item_id\nu1,b\n');
    const secondBom = bytes.indexOf(0xef, 3);
    const whole = await read(bytes, []);
    const cut = await read(bytes, [secondBom]);
    checkOutcome(whole, linesOf(bytes), true);
    expect(snapshot(cut)).toEqual(snapshot(whole));
    expect((whole as { analysis: Analysis }).analysis.report.detection.columns).toEqual(['user_id', 'item_id']);
  });

  it('detects columns from the same sample records however the stream is chunked', async () => {
    // Past the 64 KiB sniffing window, detection starts once 50 records are in; which records had
    // arrived used to decide the sample (a block of 51 records vs the whole file gave different samples).
    const title = 't'.repeat(1400);
    const rows = ['user_id,item_id,timestamp,title'];
    for (let i = 0; i < 150; i++) rows.push(`u${i % 7},i${i},2020-01-01 10:00:${String(i % 60).padStart(2, '0')},${title}${i < 10 ? ',extra' : ''}`);
    const text = rows.join('\n');
    const bytes = encoder.encode(text);
    const cutAfter51 = bytes.indexOf(10, encoder.encode(rows.slice(0, 51).join('\n')).length - 1) + 1;
    const whole = await read(bytes, []);
    const cut = await read(bytes, [cutAfter51]);
    checkOutcome(whole, linesOf(bytes), true);
    expect(snapshot(cut)).toEqual(snapshot(whole));
    const samples = (whole as { analysis: Analysis }).analysis.report.detection.samples;
    // The first 50 records, minus the 10 with an extra field.
    expect(samples.map((s) => s[1])).toEqual(Array.from({ length: 40 }, (_, k) => `i${k + 10}`));
  });
});
