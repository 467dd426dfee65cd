// The command line on hostile values (issue #17, the reader's classes): every one ends with a
// report whose rejects name the reason and line, or with exit 1 and a message that says what is
// wrong and what to do, never a stack trace (exit 3). Files are written to a temporary folder.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { AnalysisReport } from '../src/pipeline/types';

const dir = mkdtempSync(join(tmpdir(), 'seqlens-hostile-'));

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function analyze(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/analyze.ts', ...args, '--no-encode'], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function report(args: string[]): AnalysisReport {
  const r = analyze([...args, '--json']);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as AnalysisReport;
}

const rows = (n: number, f: (i: number) => string): string => Array.from({ length: n }, (_, i) => f(i)).join('\n');
const TIME = '2019-10-01 10:00:00';

describe('npm run analyze on hostile values', { timeout: 120_000 }, () => {
  it('rejects times out of range with their reason and line (no RangeError)', () => {
    const path = file('epochs.csv', `user_id,item_id,event_time\nu1,a,99999999999999999999\nu1,b,${TIME}\nu1,c,1e300\nu1,d,${TIME}\n`);
    const r = report([path]);
    expect(r.input.rejected.examples).toEqual({ 'time out of range (before 1900 or after 2199)': [2, 4] });
    expect(r.timeSpan.start).toBe('2019-10-01T10:00:00.000Z');
  });

  it('says why a time column of nothing but out-of-range values was not used', () => {
    const path = file('all-bad-times.csv', `user_id,item_id,event_time\n${rows(5, (i) => `u1,i${i},${'9'.repeat(20 + i)}`)}\n`);
    const r = report([path]);
    expect(r.detection.mapping.time).toBeUndefined();
    expect(r.warnings.join(' ')).toMatch(/Column "event_time" is named like a time column, but only 0 of its first 5 values fit \(not "99999999999999999999"/);
  });

  it('rejects a JSON line nested thousands of levels deep', () => {
    const deep = '['.repeat(50_000) + ']'.repeat(50_000);
    const path = file('deep.jsonl', `{"user_id":1,"item_id":"a"}\n{"user_id":1,"item_id":${deep}}\n{"user_id":1,"item_id":"b"}\n`);
    expect(report([path]).input.rejected.examples).toEqual({ 'JSON nested more than 64 levels deep': [2] });
  });

  it('reads day-first dates day-first when the first day over 12 comes late, and takes --date-order', () => {
    const ambiguous = rows(200, (i) => `u${i % 5},i${i},${(i % 12) + 1}/${(i % 11) + 1}/2019 10:00`);
    const path = file('dmy.csv', `user_id,item_id,event_time\n${ambiguous}\nu1,z,31/10/2019 10:00\n`);
    const auto = report([path]);
    expect(auto.detection.dateOrder).toEqual({ order: 'dmy', how: 'file' });
    expect(auto.timeSpan).toEqual({ start: '2019-01-01T10:00:00.000Z', end: '2019-11-12T10:00:00.000Z' });
    const mdy = report([path, '--date-order', 'mdy']);
    expect(mdy.input.rejected.examples).toEqual({ 'date does not fit the month/day order set': [202] });
    const bad = analyze([path, '--date-order', 'ymd']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--date-order takes "auto", "dmy"/);
  });

  it('warns when every numeric date is ambiguous', () => {
    const path = file('ambiguous.csv', `user_id,item_id,event_time\n${rows(30, (i) => `u${i % 5},i${i},${(i % 12) + 1}/${(i % 11) + 1}/2019 10:00`)}\n`);
    const r = report([path]);
    expect(r.detection.dateOrder).toEqual({ order: 'mdy', how: 'assumed' });
    expect(r.warnings.join(' ')).toMatch(/--date-order dmy/);
  });

  it('reads decimal-comma prices and refuses amounts that cannot be right, with reasons', () => {
    const path = file(
      'amounts.csv',
      `user_id;item_id;event_type;price\nu1;a;purchase;2,50\nu1;b;purchase;1e400\nu1;c;purchase;-3,00\nu1;d;purchase;1.299,90\nu2;e;purchase;1e308\n`,
    );
    const r = report([path]);
    expect(r.detection.decimalComma).toEqual(['price']);
    expect(r.input.rejected.examples).toEqual({ 'price out of range (beyond ±1e9)': [3, 6], 'negative price': [4] });
    expect(r.warnings.join(' ')).toMatch(/decimal comma/);
  });

  it('reads CR-only line ends, UTF-16 without a byte-order mark and an Excel sep= line', () => {
    const text = `user_id,item_id,event_time\n${rows(6, (i) => `u${i % 2},i${i},${TIME}`)}\n`;
    const plain = report([file('plain.csv', text)]);
    const cr = report([file('cr.csv', text.replace(/\n/g, '\r'))]);
    const utf16 = report([file('utf16.csv', Buffer.from(text, 'utf16le'))]);
    const excel = report([file('excel.csv', `sep=;\n${text.replace(/,/g, ';')}`)]);
    for (const r of [cr, utf16, excel]) {
      expect(r.input.rows).toBe(plain.input.rows);
      expect(r.input.accepted).toBe(6);
      expect(r.items).toBe(plain.items);
    }
    expect(excel.file.delimiter).toBe(';');
  });

  it('keeps event_time as the time column when some of its values are in another format', () => {
    const path = file('mixed.csv', `user_id,item_id,event_time\n${rows(20, (i) => `u${i % 2},i${i},${i % 4 === 0 ? 'last Tuesday' : TIME}`)}\n`);
    const r = report([path]);
    expect(r.detection.mapping.time).toBe(2);
    expect(r.input.rejected.reasons).toEqual({ 'unparsable timestamp': 5 });
    expect(r.warnings.join(' ')).not.toMatch(/No timestamp column/);
  });

  it('makes ids that look the same one user', () => {
    const path = file('ids.csv', `user_id,item_id\nalice,a\n" alice",b\n"alice\t",c\nal\u200Bice,d\nbob,e\nbob,f\n`);
    expect(report([path]).users).toBe(2);
  });

  it('counts only the items of accepted rows, and says how many only rejected rows had', () => {
    const path = file('uci.csv', `InvoiceNo,StockCode,Quantity,UnitPrice,CustomerID\n1,a,1,2.5,7\n1,b,1,2.5,7\n2,c,1,2.5,\n2,a,1,2.5,\n`);
    const r = report([path, '--by', 'user']);
    expect(r.items).toBe(2);
    expect(r.itemsOnlyInRejectedRows).toBe(1);
  });

  it('stops a gzip that inflates past --max-events with exit 1 and a message', () => {
    const block = gzipSync(Buffer.from(`u1,i1,${TIME}\n`.repeat(20_000)));
    const path = file('bomb.csv.gz', Buffer.concat([gzipSync(Buffer.from('user_id,item_id,event_time\n')), ...Array.from({ length: 10 }, () => block)]));
    const r = analyze([path, '--max-events', '50000']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/more than 50,000 events.*--max-events/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const bad = analyze([path, '--max-events', '1e20']);
    expect(bad.status).toBe(2);
  });
});
