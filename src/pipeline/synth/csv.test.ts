import { describe, expect, it } from 'vitest';
import { csvChunks, csvField, csvStream, formatEventTime, REES46_HEADER } from './csv';
import { EVENT_TYPES, generateLog } from './generate';
import { sessionIdOf, userIdOf } from './ids';

const log = generateLog({ seed: 3, users: 400, items: 300, events: 6000, segments: 4, categories: 16 });

/** A deliberately independent RFC 4180 reader for checking the writer's output. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  return rows;
}

describe('csvChunks', () => {
  const text = [...csvChunks(log)].join('');
  const rows = parseCsv(text);

  it('writes the REES46 header and one row per event, every row complete', () => {
    expect(text.startsWith(`${REES46_HEADER}\n`)).toBe(true);
    expect(rows.length).toBe(log.length + 1);
    expect(rows.every((r) => r.length === 9)).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('writes each event as the log holds it', () => {
    const cat = log.catalog;
    for (const e of [0, 1, 17, 2500, log.length - 1]) {
      const i = log.item[e];
      expect(rows[e + 1]).toEqual([
        formatEventTime(log.time[e]),
        EVENT_TYPES[log.type[e]],
        String(cat.productId[i]),
        cat.categories[cat.category[i]].code,
        cat.brand[i] < 0 ? '' : cat.brands[cat.brand[i]],
        cat.price[i].toFixed(2),
        userIdOf(log.user[e]),
        sessionIdOf(3, log.session[e]),
        cat.title[i],
      ]);
    }
  });

  it('formats times like REES46 and sessions like UUIDs', () => {
    for (const r of rows.slice(1, 200)) {
      expect(r[0]).toMatch(/^2019-1[01]-\d\d \d\d:\d\d:\d\d UTC$/);
      expect(r[7]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(formatEventTime(Date.UTC(2019, 9, 1, 7, 5, 9))).toBe('2019-10-01 07:05:09 UTC');
  });

  it('quotes titles that need it, and they read back intact', () => {
    expect(csvField('red cotton shirt')).toBe('red cotton shirt');
    expect(csvField('55" 4k uhd smart tv')).toBe('"55"" 4k uhd smart tv"');
    expect(csvField('sofa, 3-seat')).toBe('"sofa, 3-seat"');
    const tricky = rows.slice(1).filter((r) => /[",]/.test(r[8]));
    expect(tricky.length).toBeGreaterThan(0);
  });

  it('streams in bounded chunks rather than one string', () => {
    const chunks = [...csvChunks(log, { rowsPerChunk: 500 })];
    expect(chunks.length).toBe(Math.ceil((log.length + 1) / 500));
    expect(chunks.join('')).toBe(text);
  });

  it('writes byte-identical files for the same seed', () => {
    const again = [...csvChunks(generateLog({ seed: 3, users: 400, items: 300, events: 6000, segments: 4, categories: 16 }))].join('');
    expect(again).toBe(text);
    const other = [...csvChunks(generateLog({ seed: 4, users: 400, items: 300, events: 6000, segments: 4, categories: 16 }))].join('');
    expect(other).not.toBe(text);
  });

  it('offers the same bytes as a ReadableStream', async () => {
    const decoder = new TextDecoder();
    let streamed = '';
    const reader = csvStream(log, { rowsPerChunk: 1000 }).getReader();
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      streamed += decoder.decode(r.value, { stream: true });
    }
    expect(streamed).toBe(text);
  });
});
