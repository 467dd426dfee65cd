// Reading a log in parts on helper threads must give exactly what one reader gives: the same table
// (ids, item attributes, line numbers), the same rejects and report. Checked on the real logs, on
// generated logs full of quoting and bad rows (fast-check), with cuts inside quoted fields, and with
// helpers that die.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { csvLog, jsonlLog } from '../../../test/lib/fuzzInputs';
import { snapshot, type Outcome } from '../../../test/lib/analysisSnapshot';
import { inProcessThreads } from '../../../test/lib/inProcessThreads';
import { analyzeSource, analyzeStream, type Analysis } from '../analyze';
import { blobSource, cutPoints, type ByteSource } from './parts';

const encoder = new TextEncoder();

/** The bytes as a File would be given: a Blob source. */
const bytesSource = (bytes: Uint8Array): ByteSource => blobSource(new Blob([bytes as Uint8Array<ArrayBuffer>]));

const settle = (p: Promise<Analysis>): Promise<Outcome> =>
  p.then(
    (analysis): Outcome => ({ ok: true, analysis }),
    (error: unknown): Outcome => ({ ok: false, error }),
  );

/** One reader, and `parts` parts on in-process helpers; returns both outcomes and the threads used. */
async function bothWays(bytes: Uint8Array, parts: number, crash?: Parameters<typeof inProcessThreads>[1]) {
  const whole = await settle(analyzeStream(bytesSource(bytes).open(0, bytes.length), { fileName: 'log', totalBytes: bytes.length }));
  const { threads, stats } = inProcessThreads(parts, crash);
  const split = await settle(analyzeSource(bytesSource(bytes), { fileName: 'log', threads, splitMinBytes: 0 }));
  return { whole, split, stats, readThreads: split.ok ? split.analysis.ingested.readThreads : 0 };
}

const SHARED = '../shared/data';

describe('reading a log in parts', () => {
  for (const [name, path] of [
    ['REES46 events', `${SHARED}/rees46-sample/2019-Oct-sample.csv`],
    ['Diginetica clicks (;)', `${SHARED}/diginetica-sample/sample_train-item-views.csv`],
    ['UCI invoice lines', `${SHARED}/uci-online-retail/online-retail-2010-12_2011-05.csv`],
  ] as const) {
    it(`gives what one reader gives: ${name}`, async () => {
      const bytes = new Uint8Array(readFileSync(path));
      for (const parts of [2, 3]) {
        const { whole, split, readThreads } = await bothWays(bytes, parts);
        expect(whole.ok).toBe(true);
        expect(snapshot(split)).toEqual(snapshot(whole));
        // The first part must hold the column detection (64 KiB); smaller files are read on one thread.
        if (bytes.length / parts > 70_000) expect(readThreads).toBe(parts);
      }
    }, 60_000);
  }

  it('reads on when a cut falls inside a quoted field with line breaks', async () => {
    // Titles with line breaks on every row: every cut lands after a '\n' inside quotes or not.
    const rows = ['user_id,item_id,event_type,event_time,title'];
    for (let i = 0; i < 6000; i++) rows.push(`u${i % 97},i${i % 511},view,2020-01-0${1 + (i % 9)} 10:00:00,"line one\nline ${i}\n"`);
    const bytes = encoder.encode(`${rows.join('\n')}\n`);
    const cuts = await cutPoints(bytesSource(bytes), 4);
    expect(cuts).toHaveLength(3);
    const { whole, split } = await bothWays(bytes, 4);
    expect(whole.ok && whole.analysis.report.input.accepted).toBe(6000);
    expect(snapshot(split)).toEqual(snapshot(whole));
  }, 60_000);

  it("reads a dead helper's part itself", async () => {
    const bytes = new Uint8Array(readFileSync(`${SHARED}/diginetica-sample/sample_train-item-views.csv`));
    // The first helper's part failed: it and the parts after it were read by the calling thread.
    const first = await bothWays(bytes, 3, (m, helper) => m.type === 'parse' && helper === 0);
    expect(snapshot(first.split)).toEqual(snapshot(first.whole));
    expect(first.readThreads).toBe(1);
    // The second's failed: the first helper's part was taken, the last read here.
    const second = await bothWays(bytes, 3, (m, helper) => m.type === 'parse' && helper === 1);
    expect(snapshot(second.split)).toEqual(snapshot(second.whole));
    expect(second.readThreads).toBe(2);
  }, 60_000);

  it('never cuts a gzip file', async () => {
    const bytes = new Uint8Array(readFileSync(`${SHARED}/rees46-sample/2019-Oct-sample.csv`));
    const { gzipSync } = await import('node:zlib');
    const gz = new Uint8Array(gzipSync(bytes));
    expect(await cutPoints(bytesSource(gz), 2)).toEqual([]);
    const { whole, split, stats } = await bothWays(gz, 2);
    expect(snapshot(split)).toEqual(snapshot(whole));
    expect(stats.spawned).toBe(0);
  });

  // Generated logs below a valid head long enough for the first part to detect the columns, so the
  // fuzzed rows (quotes, line breaks, bad rows, custom types, missing ids) land in helper parts.
  it('gives what one reader gives on generated logs (property)', async () => {
    const head = (d: string, n: number): string => {
      let s = '';
      for (let i = 0; i < n; i++)
        s += `${[`u${i % 13}`, `i${i % 40}z`, i % 3 ? 'view' : 'cart', `2021-03-0${1 + (i % 9)} 0${i % 10}:00:00`, `t${i}`].join(d)}\n`;
      return s;
    };
    let usedParts = 0;
    await fc.assert(
      fc.asyncProperty(csvLog, fc.integer({ min: 2, max: 4 }), async (log, parts) => {
        const nl = log.text.indexOf('\n');
        // Only logs whose header is the first line (no leading blank line) take the extra head rows.
        fc.pre(nl > 0 && !log.text.startsWith('\n') && !log.text.startsWith('\r') && !log.text.startsWith('\uFEFF\n'));
        const text = log.text.slice(0, nl + 1) + head(log.delimiter, 8000) + log.text.slice(nl + 1);
        const bytes = encoder.encode(text);
        const { whole, split, readThreads } = await bothWays(bytes, parts);
        expect(snapshot(split)).toEqual(snapshot(whole));
        if (readThreads > 1) usedParts++;
      }),
      { numRuns: 40 },
    );
    await fc.assert(
      fc.asyncProperty(jsonlLog, fc.integer({ min: 2, max: 3 }), async (log, parts) => {
        const filler = Array.from({ length: 6000 }, (_, i) =>
          JSON.stringify({ user_id: `u${i % 7}`, item_id: `i${i % 30}`, event_type: 'view', timestamp: 1_600_000_000 + i }),
        ).join('\n');
        const bytes = encoder.encode(`${filler}\n${log}`);
        const { whole, split, readThreads } = await bothWays(bytes, parts);
        expect(snapshot(split)).toEqual(snapshot(whole));
        if (readThreads > 1) usedParts++;
      }),
      { numRuns: 25 },
    );
    // Most runs really read in parts (the rest met a cut inside quotes, or bad rows up front).
    expect(usedParts).toBeGreaterThan(30);
  }, 120_000);
});
