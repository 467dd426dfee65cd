import { describe, expect, it } from 'vitest';
import { CART, PURCHASE, RETURN, VIEW } from '../ingest/eventTypes';
import { analyzeCsv } from '../../../test/lib/testLog';
import { LAST_EVENTS, sequenceTimeline, userAttributes } from './index';

const UCI = [
  'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
  '536365,A1,WHITE HEART HOLDER,6,2010-12-01 08:26:00,2.50,17850.0,United Kingdom',
  '536365,B2,RED LANTERN,2,2010-12-01 08:26:00,4.00,17850.0,United Kingdom',
  '536366,A1,WHITE HEART HOLDER,1,2010-12-02 08:26:00,2.50,17850.0,France',
  'C536367,A1,WHITE HEART HOLDER,-2,2010-12-03 09:00:00,2.50,17850.0,United Kingdom',
  '536368,B2,RED LANTERN,3,2010-12-01 10:00:00,4.00,13047.0,France',
];

describe('userAttributes', () => {
  it('gives length, revenue, modal country and the last events, most recent first', async () => {
    const { table, sequences } = await analyzeCsv(UCI);
    const a = userAttributes(table, sequences);
    const u = sequences.key.indexOf(table.users.indexOf('17850'));
    const v = sequences.key.indexOf(table.users.indexOf('13047'));
    expect(a.n).toBe(2);
    expect([a.length[u], a.length[v]]).toEqual([4, 1]);
    expect([a.revenue[u], a.revenue[v]]).toEqual([20.5, 12]);
    expect(table.countries[a.country[u]]).toBe('United Kingdom');
    expect(table.countries[a.country[v]]).toBe('France');
    expect(a.lastType[u]).toBe(RETURN);
    const A1 = table.items.indexOf('A1');
    const B2 = table.items.indexOf('B2');
    expect(Array.from(a.lastItems.subarray(u * LAST_EVENTS, (u + 1) * LAST_EVENTS))).toEqual([A1, A1, B2]);
    expect(Array.from(a.lastTypes.subarray(u * LAST_EVENTS, (u + 1) * LAST_EVENTS))).toEqual([RETURN, PURCHASE, PURCHASE]);
    expect(Array.from(a.lastItems.subarray(v * LAST_EVENTS, (v + 1) * LAST_EVENTS))).toEqual([B2, -1, -1]);
    expect(Array.from(a.lastTypes.subarray(v * LAST_EVENTS, (v + 1) * LAST_EVENTS))).toEqual([PURCHASE, 0, 0]);
    expect(a.lastTime[u]).toBe(Date.UTC(2010, 11, 3, 9, 0, 0));
  });

  it('leaves the amounts of excluded items (service lines) out of the revenue, like the profiles', async () => {
    const { table, sequences } = await analyzeCsv(UCI);
    const exclude = new Uint8Array(table.items.length);
    exclude[table.items.indexOf('B2')] = 1;
    const a = userAttributes(table, sequences, exclude);
    const u = sequences.key.indexOf(table.users.indexOf('17850'));
    const v = sequences.key.indexOf(table.users.indexOf('13047'));
    // 17850: A1 6 x 2.50 + 1 x 2.50 - 2 x 2.50 (its B2 left out); 13047 bought only B2.
    expect([a.revenue[u], a.revenue[v]]).toEqual([12.5, 0]);
    // Lengths and last events still hold every event.
    expect([a.length[u], a.length[v]]).toEqual([4, 1]);
  });

  it('breaks country ties towards the country seen first in the file, and marks missing prices, times and countries', async () => {
    const { table, sequences } = await analyzeCsv([
      'user_id,item_id,event_type,country',
      'u1,a,view,Spain',
      'u1,b,cart,Italy',
      'u1,c,view,Italy',
      'u1,d,view,Spain',
      'u2,a,view,',
    ]);
    const a = userAttributes(table, sequences);
    const u1 = sequences.key.indexOf(table.users.indexOf('u1'));
    const u2 = sequences.key.indexOf(table.users.indexOf('u2'));
    expect(table.countries[a.country[u1]]).toBe('Spain');
    expect(a.country[u2]).toBe(-1);
    expect(Number.isNaN(a.revenue[u1]) && Number.isNaN(a.revenue[u2])).toBe(true);
    expect(Number.isNaN(a.lastTime[u1])).toBe(true);
    expect(a.lastType[u1]).toBe(VIEW);
    expect(a.lastTypes[u1 * LAST_EVENTS + 2]).toBe(CART);
  });
});

describe('sequenceTimeline', () => {
  it('lists a sequence in time order with names resolved, up to the limit', async () => {
    const { table, sequences } = await analyzeCsv([
      'event_time,event_type,product_id,category_code,brand,price,user_id,user_session,title',
      '2021-01-01 10:05:00 UTC,purchase,p2,,,9.5,u1,s1,',
      '2021-01-01 10:00:00 UTC,view,p1,home.lamp,lumo,12,u1,s1,desk lamp',
      '2021-01-01 10:01:00 UTC,cart,p1,home.lamp,lumo,12,u1,s1,desk lamp',
    ]);
    const t = sequenceTimeline(table, sequences, 0);
    expect(t.id).toBe('u1');
    expect(t.total).toBe(3);
    expect(t.events.map((e) => [e.type, e.item, e.title, e.category, e.brand, e.price, e.quantity, e.line])).toEqual([
      ['view', 'p1', 'desk lamp', 'home.lamp', 'lumo', 12, null, 3],
      ['cart', 'p1', 'desk lamp', 'home.lamp', 'lumo', 12, null, 4],
      ['purchase', 'p2', '', '', '', 9.5, null, 2],
    ]);
    expect(t.events[0].time).toBe(Date.UTC(2021, 0, 1, 10, 0, 0));
    const short = sequenceTimeline(table, sequences, 0, 2);
    expect([short.total, short.events.length, short.events[1].type]).toEqual([3, 2, 'cart']);
    expect(() => sequenceTimeline(table, sequences, 1)).toThrow(/Sequence 1 does not exist/);
    expect(() => sequenceTimeline(table, sequences, 0, -1)).toThrow(/limit/);
  });
});
