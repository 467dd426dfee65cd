import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesStream, gzip, textStream } from '../../test/streams';
import { analyzeStream, regroup } from './analyze';
import { DEFAULT_SEQUENCE_OPTIONS, LogError, type SequenceOptions } from './types';
import { leftSequences, SHORT } from './sequences';

const analyze = (text: string, opts: { sequence?: Partial<SequenceOptions>; chunk?: number; maxLineBytes?: number } = {}) =>
  analyzeStream(textStream(text, opts.chunk), { fileName: 't.csv', totalBytes: text.length, sequence: opts.sequence, maxLineBytes: opts.maxLineBytes });

async function errorOf(p: Promise<unknown>): Promise<LogError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(LogError);
    return e as LogError;
  }
  throw new Error('expected a LogError');
}

const LOG = [
  'user_id,item_id,event_type,timestamp,price',
  'u1,a,view,2020-01-01 10:00:05,1.5',
  'u1,b,cart,2020-01-01 10:00:01,2',
  'u2,a,view,2020-01-01 11:00:00,1.5',
  ',a,view,2020-01-01 11:00:00,1.5',
  'u2,c,purchase,not a date,3',
  'u2,c,purchase,2020-01-01 11:05:00,3',
  'u3,a,view,2020-01-01 11:05:00',
  'u2,c,add_to_cart,2020-01-01 11:04:00,3',
].join('\n');

describe('analyzeStream', () => {
  it('accounts for every row: accepted or rejected with a located reason', async () => {
    const { report } = await analyze(LOG);
    expect(report.input.rows).toBe(8);
    expect(report.input.rejected.reasons).toEqual({ 'missing user id': 1, 'unparsable timestamp': 1, 'too few fields': 1 });
    expect(report.input.rejected.examples).toEqual({ 'missing user id': [5], 'unparsable timestamp': [6], 'too few fields': [8] });
    expect(report.input.accepted).toBe(5);
    expect(report.users).toBe(2);
    expect(report.events.byType).toEqual({ view: 2, cart: 2, purchase: 1 });
  });

  it('is identical whatever the chunk size (records cut anywhere)', async () => {
    const whole = (await analyze(LOG)).report;
    for (const chunk of [1, 3, 7, 64]) {
      const r = (await analyze(LOG, { chunk })).report;
      expect(r.input).toEqual(whole.input);
      expect(r.events).toEqual(whole.events);
      expect(r.sequences.lengths).toEqual(whole.sequences.lengths);
    }
  });

  it('orders each sequence by time, not file order', async () => {
    const a = await analyze(LOG);
    const { table } = a.ingested;
    const s = a.sequences;
    for (let i = 0; i < s.count; i++) {
      for (let j = s.offsets[i] + 1; j < s.offsets[i + 1]; j++) {
        expect(table.time[s.events[j]]).toBeGreaterThanOrEqual(table.time[s.events[j - 1]]);
      }
    }
    const u1 = [...s.key].indexOf(table.users.indexOf('u1'));
    expect(table.items[table.item[s.events[s.offsets[u1]]]]).toBe('b');
  });

  it('reads gzip transparently, with a BOM and CRLF', async () => {
    const text = `\uFEFF${LOG.replace(/\n/g, '\r\n')}`;
    const plain = (await analyze(LOG)).report;
    const { report } = await analyzeStream(bytesStream(gzip(text), 5), { fileName: 't.csv.gz', totalBytes: null });
    expect(report.file.gzip).toBe(true);
    expect(report.detection.columns[0]).toBe('user_id');
    expect(report.input).toEqual(plain.input);
  });

  it('reports a truncated gzip file clearly', async () => {
    const gz = gzip(LOG.repeat(50));
    const e = await errorOf(analyzeStream(bytesStream(gz.slice(0, gz.length - 30)), { fileName: 'x.gz', totalBytes: null }));
    expect(e.code).toBe('truncated-gzip');
    expect(e.message).toMatch(/truncated or corrupt/);
  });

  it.each([
    ['', 'empty'],
    ['   \n\n', 'empty'],
    ['user_id,item_id\n', 'no-data-rows'],
    ['name,colour\nx,red\n', 'no-user-or-item'],
  ])('rejects %j with %s', async (text, code) => {
    const e = await errorOf(analyze(text));
    expect(e.code).toBe(code);
  });

  it('names the columns and hands back the detection when no item column is recognised', async () => {
    const e = await errorOf(analyze('customer,colour\nx,red\n'));
    expect(e.message).toContain('"colour"');
    expect(e.detection?.columns).toEqual(['customer', 'colour']);
  });

  it('rejects binary files and archives', async () => {
    const bin = new Uint8Array(4096).map((_, i) => (i * 7919) % 256);
    expect((await errorOf(analyzeStream(bytesStream(bin), { fileName: 'b', totalBytes: null }))).code).toBe('binary');
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]);
    expect((await errorOf(analyzeStream(bytesStream(zip), { fileName: 'z', totalBytes: null }))).code).toBe('archive');
  });

  it('skips an overlong line, counts it, and keeps reading', async () => {
    const long = `u9,z,view,2020-01-01 10:00:00,${'x'.repeat(5000)}`;
    const text = `${LOG.split('\n').slice(0, 3).join('\n')}\n${long}\n${LOG.split('\n').slice(3).join('\n')}`;
    const { report } = await analyze(text, { maxLineBytes: 1024, chunk: 256 });
    expect(report.input.rejected.reasons['line longer than 1 KiB']).toBe(1);
    expect(report.input.rejected.examples['line longer than 1 KiB']).toEqual([4]);
    // The rows after it keep their own line numbers.
    expect(report.input.rejected.examples['missing user id']).toEqual([6]);
  });

  it('streams past a 2 GB line without buffering it', async () => {
    const pre = new TextEncoder().encode('user_id,item_id\nu1,a\nu1,b\n');
    const block = new Uint8Array(8 << 20).fill(0x61);
    const post = new TextEncoder().encode('\nu2,c\nu2,d\n');
    let sent = 0;
    const total = 2 * 1024 ** 3;
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(pre);
      },
      pull(c) {
        if (sent < total) {
          c.enqueue(block);
          sent += block.length;
        } else {
          c.enqueue(post);
          c.close();
        }
      },
    });
    const before = process.memoryUsage().rss;
    const { report } = await analyzeStream(stream, { fileName: 'huge.csv', totalBytes: null });
    expect(process.memoryUsage().rss - before).toBeLessThan(512 * 1024 * 1024);
    expect(report.input.rejected.reasons).toEqual({ 'line longer than 16 MiB': 1 });
    expect(report.input.rejected.examples['line longer than 16 MiB']).toEqual([4]);
    expect(report.input.accepted).toBe(4);
  }, 120_000);

  it('groups by session and can regroup without reading again', async () => {
    const text = [
      'user_id,session,item_id,event_type,ts',
      'u1,s1,a,view,1600000000',
      'u1,s1,b,view,1600000010',
      'u1,s2,c,view,1600009000',
      'u1,s2,d,view,1600009010',
    ].join('\n');
    const a = await analyze(text, { sequence: { by: 'user', minLength: 1 } });
    expect(a.report.sequences.count).toBe(1);
    const b = regroup(a, { ...DEFAULT_SEQUENCE_OPTIONS, by: 'session', minLength: 1 });
    expect(b.report.sequences.count).toBe(2);
    expect(b.report.input.rows).toBe(4);
  });

  it('derives sessions from time gaps when the log has no session column', async () => {
    const text = ['user_id,item_id,ts', 'u1,a,2020-01-01 10:00', 'u1,b,2020-01-01 10:10', 'u1,c,2020-01-01 12:00', 'u1,d,2020-01-01 12:01'].join('\n');
    const a = await analyze(text, { sequence: { by: 'session', minLength: 1 } });
    expect(a.report.sequences.count).toBe(2);
    expect(a.report.sessions).toBe(2);
    expect(a.report.warnings.join(' ')).toMatch(/derived from gaps/);
  });

  it('collapses rapid duplicates and applies the length filters', async () => {
    const rows = ['user_id,item_id,event_type,ts'];
    for (let i = 0; i < 3; i++) rows.push(`u1,a,view,${1600000000 + i}`); // 3 views within 2 s -> 1
    rows.push('u1,a,view,1600000100', 'u1,b,view,1600000101'); // kept
    rows.push('u2,a,view,1600000000'); // too short
    for (let i = 0; i < 20; i++) rows.push(`bot,x${i},view,${1600000000 + i}`); // abnormal volume
    const { report } = await analyze(rows.join('\n'), { sequence: { by: 'user', minLength: 2, maxLength: 10, dedupeSeconds: 5 } });
    expect(report.sequences.filtered).toEqual({ tooShort: 1, abnormalVolume: 1, duplicatesCollapsed: 2, eventsDropped: 21 });
    expect(report.sequences.count).toBe(1);
    expect(report.sequences.lengths.max).toBe(3);
  });

  it('never takes a heavy buyer for a bot: the bot rule counts views and clicks, and their rate', async () => {
    const rows = ['user_id,item_id,event_type,ts'];
    for (let i = 0; i < 40; i++) rows.push(`wholesale,x${i},purchase,${1600000000 + i * 60}`); // 40 purchases: a customer
    for (let i = 0; i < 12; i++) rows.push(`scraper,x${i},view,${1600000000 + i * 60}`); // 12 views > 10: volume
    for (let i = 0; i < 60; i++) rows.push(`fast,y${i},view,${1600000000 + i * 0.2}`); // 60 views in 12 s: rate
    for (let i = 0; i < 60; i++) rows.push(`reader,y${i},purchase,${1600000000 + i * 0.2}`); // fast purchases: still a customer
    rows.push('once,x1,purchase,1600000000'); // too little history
    const { report } = await analyze(rows.join('\n'), { sequence: { by: 'user', minLength: 2, maxLength: 100, dedupeSeconds: 0 } });
    expect(report.sequences.filtered.abnormalVolume).toBe(1);
    expect(report.sequences.dropped).toEqual([
      { id: 'fast', events: 60, browse: 60, reason: 'bot: views and clicks faster than a person browses (median gap under 1 second)' },
    ]);
    const low = await analyze(rows.join('\n'), { sequence: { by: 'user', minLength: 2, maxLength: 10, dedupeSeconds: 0 } });
    expect(low.report.sequences.dropped?.map((d) => [d.id, d.reason])).toEqual([
      ['scraper', 'bot: more than 10 views and clicks'],
      ['fast', 'bot: more than 10 views and clicks'],
    ]);
    expect(low.report.sequences.count).toBe(2); // wholesale, reader
    expect(low.report.sequences.filtered.tooShort).toBe(1);
    // The left-out sequences are kept with their reason, the short one as a group of its own.
    expect(Array.from(low.sequences.left.reason)).toEqual([2, 2, 1]);
    const short = leftSequences(low.sequences, SHORT);
    expect(short.count).toBe(1);
    expect(low.ingested.table.users[short.key[0]]).toBe('once');
    // 0 = no bot rule at all.
    const off = await analyze(rows.join('\n'), { sequence: { by: 'user', minLength: 2, maxLength: 0, dedupeSeconds: 0 } });
    expect(off.report.sequences.count).toBe(4);
  });

  it('explains rows without a customer id: guest orders, revenue left out, group by session to keep them', async () => {
    const text = [
      'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
      '536365,A,HEART,6,2010-12-01 08:26:00,2.5,17850,United Kingdom',
      '536365,B,CANDLE,1,2010-12-01 08:26:00,3,17850,United Kingdom',
      '536367,B,CANDLE,1,2010-12-01 08:36:00,3,17851,United Kingdom',
      '536366,A,HEART,4,2010-12-01 09:26:00,2.5,,United Kingdom',
      '536366,B,CANDLE,2,2010-12-01 09:26:00,3,,United Kingdom',
    ].join('\n');
    const { report } = await analyze(text, { sequence: { minLength: 1 } });
    const advice = report.input.rejected.advice?.['missing user id'];
    expect(advice?.cause).toMatch(/guest orders/);
    expect(advice?.effect).toMatch(/revenue/);
    expect(advice?.revenue).toBe(16);
    expect(advice?.keep).toMatch(/group by session/);
  });

  it('treats UCI cancellations (C invoices, negative quantity) as returns', async () => {
    const text = [
      'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
      '536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom',
      'C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,17850.0,United Kingdom',
      '536366,22633,HAND WARMER,-6,2010-12-01 08:28:00,1.85,17850,United Kingdom',
    ].join('\n');
    const { report, ingested } = await analyze(text, { sequence: { minLength: 1 } });
    expect(report.events.byType).toEqual({ purchase: 1, return: 2 });
    expect(ingested.table.users).toEqual(['17850']);
    expect(report.sessions).toBe(3);
  });

  it('reads OTTO-style nested JSON Lines and flat JSON Lines', async () => {
    const otto = readFileSync('../shared/data/otto-sample/train.jsonl', 'utf8');
    const { report } = await analyzeStream(textStream(otto, 999), { fileName: 'train.jsonl', totalBytes: null });
    const sessions = otto
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(report.detection.nested).toBe('otto');
    expect(report.input.rows).toBe(sessions.reduce((s, x) => s + x.events.length, 0));
    expect(report.sessions).toBe(sessions.length);
    expect(report.sequences.by).toBe('session');

    const flat = '{"user":"a","sku":"x","event":"view","ts":1600000000}\nnot json\n{"user":"a","sku":"y","event":"purchase","ts":1600000100}\n[1]\n';
    const f = await analyzeStream(textStream(flat), { fileName: 'f.jsonl', totalBytes: null, sequence: { minLength: 1 } });
    expect(f.report.input.rejected.examples).toEqual({ 'invalid JSON': [2], 'line is not a JSON object': [4] });
    expect(f.report.events.byType).toEqual({ view: 1, purchase: 1 });
  });

  it('stops when cancelled', async () => {
    const token = { cancelled: false };
    const big = `user_id,item_id\n${'u1,a\n'.repeat(200_000)}`;
    const p = analyzeStream(textStream(big, 4096), {
      fileName: 'big.csv',
      totalBytes: big.length,
      cancel: token,
      onProgress: () => {
        token.cancelled = true;
      },
    });
    expect((await errorOf(p)).code).toBe('cancelled');
  });

  it('applies a user mapping and rejects one that does not fit', async () => {
    const text = 'a,b,c\nu1,i1,2020-01-01\nu1,i2,2020-01-02\n';
    const { report } = await analyzeStream(textStream(text), { fileName: 'm.csv', totalBytes: null, mapping: { user: 0, item: 1, time: 2 } });
    expect(report.users).toBe(1);
    expect(report.items).toBe(2);
    const e = await errorOf(analyzeStream(textStream(text), { fileName: 'm.csv', totalBytes: null, mapping: { user: 0, item: 7 } }));
    expect(e.code).toBe('bad-mapping');
  });
});
