import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeStream } from '../analyze';
import { analyzeCsv } from '../../../test/lib/testLog';
import type { EventTable } from '../ingest/table';
import { csvChunks, generateLog } from '../synth';
import { detectServiceItems, type ServiceDetection } from './serviceItems';
import { serviceIdWord, serviceTitleWord } from './serviceWords';

async function tableOf(text: string, name = 't.csv'): Promise<EventTable> {
  const bytes = new TextEncoder().encode(text);
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += 1 << 20) c.enqueue(bytes.subarray(i, i + (1 << 20)));
      c.close();
    },
  });
  return (await analyzeStream(stream, { fileName: name, totalBytes: bytes.length })).ingested.table;
}

const flagged = (table: EventTable, d: ServiceDetection): Set<string> => new Set(d.items.map((s) => table.items[s.item]));

describe('service lines of the UCI log (Dec 2010 - May 2011)', () => {
  let table: EventTable;
  let d: ServiceDetection;
  beforeAll(async () => {
    table = await tableOf(readFileSync('../shared/data/uci-online-retail/online-retail-2010-12_2011-05.csv', 'utf8'), 'uci.csv');
    d = detectServiceItems(table);
  }, 60_000);

  it('catches postage, carriage, manual lines, fees, discounts, samples, vouchers and PADS', () => {
    const got = flagged(table, d);
    for (const id of ['POST', 'DOT', 'M', 'C2', 'BANK CHARGES', 'PADS', 'AMAZONFEE', 'D', 'S', 'gift_0001_20']) expect(got, id).toContain(id);
  });

  it('leaves ordinary products alone, popular ones, odd ids and titles that merely contain a service word', () => {
    const got = flagged(table, d);
    // Popular products; products sold under odd ids; titles with "carriage", "post", "wrap" in them.
    for (const id of ['85123A', '22423', '47566', '85099B', '20725', 'DCGSSGIRL', 'DCGS0003', '85168B', '21459', '21135', '23099', '22706']) {
      expect(table.items.includes(id), id).toBe(true);
      expect(got, id).not.toContain(id);
    }
    // Service lines are a handful of a catalogue of thousands.
    expect(d.items.length).toBeLessThan(40);
  });

  it('gives each a reason a person can read, and a mask that matches the list', () => {
    const post = d.items.find((s) => s.id === 'POST')!;
    expect(post.reason).toMatch(/title says postage/);
    const dot = d.items.find((s) => s.id === 'DOT')!;
    expect(dot.evidence.signals).toContain('price-varies');
    expect(dot.reason).toMatch(/price varies [\d,.]+x across rows/);
    const pads = d.items.find((s) => s.id === 'PADS')!;
    expect(pads.evidence.signals).toEqual(expect.arrayContaining(['id-shape', 'never-charged']));
    let inMask = 0;
    for (let i = 0; i < d.mask.length; i++) inMask += d.mask[i];
    expect(inMask).toBe(d.items.length);
    for (const s of d.items) expect(d.mask[s.item]).toBe(1);
    // Most rows first.
    for (let i = 1; i < d.items.length; i++) expect(d.items[i - 1].evidence.rows).toBeGreaterThanOrEqual(d.items[i].evidence.rows);
  });
});

describe('service lines elsewhere', () => {
  it('finds none in a generated log of products only', async () => {
    const log = generateLog({ seed: 5, users: 300, items: 200, events: 5000, segments: 3, categories: 12 });
    const table = await tableOf([...csvChunks(log)].join(''));
    const d = detectServiceItems(table);
    expect(table.items.length).toBeGreaterThan(100);
    expect(d.items).toEqual([]);
    expect(d.mask.every((x) => x === 0)).toBe(true);
  });

  it('finds none in the REES46 and Diginetica samples (event logs with numeric ids and no titles)', async () => {
    for (const f of ['../shared/data/rees46-sample/2019-Oct-sample.csv', '../shared/data/diginetica-sample/sample_train-item-views.csv']) {
      const table = await tableOf(readFileSync(f, 'utf8'), f);
      expect(table.items.length, f).toBeGreaterThan(100);
      expect(detectServiceItems(table).items, f).toEqual([]);
    }
  });

  it('finds shipping and fee lines named another way, in other languages, and by behaviour alone', async () => {
    // A shop with numeric SKUs: shipping under "SHIP-STD", a cash-on-delivery fee, German postage,
    // and an untitled line "9000001" priced anew on nearly every order with quantity 1.
    const lines = ['order_id,sku,name,qty,unit_price,customer,ordered_at'];
    const products = Array.from({ length: 30 }, (_, i) => ({ sku: String(100200 + i), name: `Ceramic mug model ${i}`, price: 4 + (i % 7) }));
    for (let o = 0; o < 200; o++) {
      const when = `2022-03-${String(1 + (o % 28)).padStart(2, '0')} 10:${String(o % 60).padStart(2, '0')}:00`;
      const cust = `c${o % 40}`;
      for (let j = 0; j < 3; j++) {
        const p = products[(o * 7 + j * 11) % products.length];
        lines.push(`${o},${p.sku},${p.name},${1 + ((o + j) % 4)},${p.price},${cust},${when}`);
      }
      if (o % 3 === 0) lines.push(`${o},SHIP-STD,Standard shipping,1,4.95,${cust},${when}`);
      if (o % 10 === 0) lines.push(`${o},7000001,Nachnahmegebühr,1,2.00,${cust},${when}`);
      if (o % 9 === 0) lines.push(`${o},7000002,Versandkosten,1,5.90,${cust},${when}`);
      // A product whose title happens to hold a charge word, bought by the dozen at a list price.
      if (o % 4 === 1) lines.push(`${o},100900,Shipping box,${12 * (1 + (o % 3))},0.80,${cust},${when}`);
      if (o % 2 === 0) lines.push(`${o},9000001,,1,${(2 + ((o * 7919) % 997) / 37).toFixed(2)},${cust},${when}`);
    }
    const { table } = await analyzeCsv(lines);
    const d = detectServiceItems(table);
    const got = flagged(table, d);
    expect(got).toContain('SHIP-STD');
    expect(got).toContain('7000001');
    expect(got).toContain('7000002');
    expect(got).toContain('9000001');
    const behaviour = d.items.find((s) => s.id === '9000001')!;
    expect(behaviour.evidence.signals).toEqual(expect.arrayContaining(['price-varies', 'many-baskets']));
    expect(behaviour.evidence.signals).not.toContain('title');
    for (const p of products) expect(got).not.toContain(p.sku);
    expect(got).not.toContain('100900');
  });
});

describe('service words', () => {
  it('reads a title as a service line only when charge words make up most of it', () => {
    for (const t of [
      'POSTAGE',
      'DOTCOM POSTAGE',
      'AMAZON FEE',
      'Bank Charges',
      'Manual',
      'SAMPLES',
      'Adjust bad debt',
      'CRUK Commission',
      'Gift card',
      'Frais de livraison',
      'Gastos de envío',
      'Versandkosten',
      '送料',
      '运费',
      'Express delivery',
    ]) {
      expect(serviceTitleWord(t), t).not.toBeNull();
    }
    for (const t of [
      '',
      'BLACK BAROQUE CARRIAGE CLOCK',
      'YELLOW EASTER EGG HUNT START POST',
      'GIFT CARD HOLDER',
      'WHITE HANGING HEART T-LIGHT HOLDER',
      'Manual coffee grinder',
      '送料無料のマグカップと紅茶セット',
    ]) {
      expect(serviceTitleWord(t), t).toBeNull();
    }
  });

  it('reads charge words in ids as whole words only', () => {
    expect(serviceIdWord('SHIP-STD')).toBe('ship');
    expect(serviceIdWord('fee_cod')).toBe('fee');
    expect(serviceIdWord('POSTAGE2')).toBe('postage');
    expect(serviceIdWord('COFFEE-01')).toBeNull();
    expect(serviceIdWord('85123A')).toBeNull();
  });
});
