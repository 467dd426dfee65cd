import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectMapping, layoutKey, validateMapping } from './detect';

const data = '../shared/data/';
function head(path: string, delimiter: string): { columns: string[]; samples: string[][] } {
  const lines = readFileSync(data + path, 'utf8')
    .split('\n')
    .slice(0, 20)
    .filter(Boolean);
  return { columns: lines[0].split(delimiter), samples: lines.slice(1).map((l) => l.split(delimiter)) };
}
function named(columns: string[], mapping: Record<string, number | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(mapping).map(([role, col]) => [role, columns[col!]]));
}

describe('detectMapping on the shared logs', () => {
  it('REES46 event log', () => {
    const { columns, samples } = head('rees46-sample/2019-Oct-sample.csv', ',');
    expect(named(columns, detectMapping(columns, samples))).toEqual({
      item: 'product_id',
      user: 'user_id',
      session: 'user_session',
      time: 'event_time',
      eventType: 'event_type',
      category: 'category_code',
      brand: 'brand',
      price: 'price',
    });
  });

  it('UCI invoice lines', () => {
    const { columns, samples } = head('uci-online-retail/online-retail-2010-12_2011-05.csv', ',');
    expect(named(columns, detectMapping(columns, samples))).toEqual({
      item: 'StockCode',
      user: 'CustomerID',
      invoice: 'InvoiceNo',
      time: 'InvoiceDate',
      title: 'Description',
      price: 'UnitPrice',
      quantity: 'Quantity',
      country: 'Country',
    });
  });

  it('Diginetica session clicks', () => {
    const { columns, samples } = head('diginetica-sample/sample_train-item-views.csv', ';');
    expect(named(columns, detectMapping(columns, samples))).toEqual({
      item: 'item_id',
      user: 'user_id',
      session: 'session_id',
      time: 'eventdate',
      timeOffset: 'timeframe',
    });
  });

  it('OTTO nested columns', () => {
    const columns = ['session', 'events.aid', 'events.ts', 'events.type'];
    const samples = [['0', '1517085', '1659304800025', 'clicks']];
    expect(named(columns, detectMapping(columns, samples))).toEqual({ session: 'session', item: 'events.aid', time: 'events.ts', eventType: 'events.type' });
  });

  it('does not take a "date" column of words as the time', () => {
    const m = detectMapping(
      ['user', 'item', 'date'],
      [
        ['u', 'i', 'soon'],
        ['u', 'i', 'later'],
      ],
    );
    expect(m.time).toBeUndefined();
  });

  it('finds an unnamed time column by its values', () => {
    const m = detectMapping(['customer', 'sku', 'when'], [['u', 'i', '2020-01-02 10:00:00']]);
    expect(m.time).toBe(2);
  });
});

describe('mapping helpers', () => {
  it('layout keys depend on names and order', () => {
    expect(layoutKey('csv', ['a', 'b'])).toBe(layoutKey('csv', ['a', 'b']));
    expect(layoutKey('csv', ['a', 'b'])).not.toBe(layoutKey('csv', ['b', 'a']));
  });
  it('validateMapping reports out-of-range and doubly-used columns', () => {
    expect(validateMapping({ item: 0, user: 1 }, 2)).toBeNull();
    expect(validateMapping({ item: 5 }, 2)).toMatch(/column 5/);
    expect(validateMapping({ item: 1, user: 1 }, 2)).toMatch(/both/);
  });
});
