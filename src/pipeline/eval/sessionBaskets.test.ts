import { describe, expect, it } from 'vitest';
import { Random } from '../numeric/sfc32';
import { analyzeCsv } from '../../../test/lib/testLog';
import { RETURN } from '../ingest/eventTypes';
import { recommendForSequences } from '../recommend';
import { basketsFromRows, basketsFromTable, type BasketRow } from './baskets';
import { protocolSplit } from './protocol';

// Anonymous sessions (no user column): each session is the customer, each moment of it a basket.
const SESSIONS = [
  'session_id,timestamp,item_id,event_type',
  // s1: A and B at the same moment, then C, then A again; a purchase counts no more than a view.
  's1,2021-01-01 10:00:00,A,view',
  's1,2021-01-01 10:00:00,B,view',
  's1,2021-01-01 10:02:00,C,purchase',
  's1,2021-01-01 10:05:00,A,view',
  // s2: its rows out of time order; a return is left out.
  's2,2021-01-02 09:03:00,D,view',
  's2,2021-01-02 09:00:00,A,view',
  's2,2021-01-02 09:01:00,B,view',
  's2,2021-01-02 09:04:00,D,return',
  // s3: one moment only.
  's3,2021-01-03 09:00:00,B,view',
];

describe('baskets of a log of anonymous sessions', () => {
  it('makes each session a customer and each of its moments a basket, in time order, from every event but returns', async () => {
    const { table } = await analyzeCsv(SESSIONS);
    expect(table.users.length).toBe(0);
    const { baskets, source } = basketsFromTable(table);
    expect(source).toMatchObject({ by: 'session', events: 'all', basket: 'step', kept: 8 });
    expect(source.skipped.notPurchase).toBe(1);
    expect(baskets.userCount).toBe(table.sessions.length);
    const stepsOf = (id: string): string[][] => {
      const s = table.sessions.indexOf(id);
      const out: string[][] = [];
      for (let x = baskets.userPtr[s]; x < baskets.userPtr[s + 1]; x++)
        out.push(Array.from(baskets.items.subarray(baskets.ptr[x], baskets.ptr[x + 1]), (i) => table.items[i]).sort());
      return out;
    };
    expect(stepsOf('s1')).toEqual([['A', 'B'], ['C'], ['A']]);
    expect(stepsOf('s2')).toEqual([['A'], ['B'], ['D']]);
    expect(stepsOf('s3')).toEqual([['B']]);
    // The protocol holds out each session's last moment: what the visitor did next.
    const split = protocolSplit(baskets);
    const held = (id: string): number => {
      const s = table.sessions.indexOf(id);
      let n = 0;
      for (let x = baskets.userPtr[s]; x < baskets.userPtr[s + 1]; x++) n += split.heldOut[x];
      return n;
    };
    expect([held('s1'), held('s2'), held('s3')]).toEqual([1, 1, 0]);
    expect(Array.from(split.users, (s) => table.sessions[s])).toEqual(['s2']);
  });

  it('builds the same baskets as the generic builder, on random sessions with shared times', async () => {
    const random = new Random(5);
    const rand = (): number => random.float();
    const lines = ['session_id,timestamp,item_id,event_type'];
    for (let r = 0; r < 600; r++) {
      const s = Math.floor(rand() * 40);
      // Few distinct minutes, so many rows share a moment.
      const time = `2021-01-0${1 + (s % 5)} 10:${String(Math.floor(rand() * 6)).padStart(2, '0')}:00`;
      lines.push(`s${s},${time},i${Math.floor(rand() * 25)},${rand() < 0.1 ? 'return' : 'view'}`);
    }
    const { table } = await analyzeCsv(lines);
    const { baskets } = basketsFromTable(table);
    const rows: BasketRow[] = [];
    for (let e = 0; e < table.length; e++) {
      if (table.type[e] === RETURN || table.session[e] < 0) continue;
      // The generic builder orders a user's baskets by time, then name: one basket per moment,
      // rows without a time in one basket last.
      const t = table.time[e];
      rows.push({ user: table.session[e], item: table.item[e], basket: Number.isNaN(t) ? 'z' : `t${t}`, time: t });
    }
    const want = basketsFromRows(rows, table.sessions.length, table.items.length);
    expect(Array.from(baskets.userPtr)).toEqual(Array.from(want.userPtr));
    expect(Array.from(baskets.basketUser)).toEqual(Array.from(want.basketUser));
    expect(Array.from(baskets.basketTime)).toEqual(Array.from(want.basketTime));
    expect(Array.from(baskets.ptr)).toEqual(Array.from(want.ptr));
    expect(Array.from(baskets.items)).toEqual(Array.from(want.items));
    expect(baskets.basketUser.length).toBeGreaterThan(100);
  });

  it('makes a session of a log without times one basket', async () => {
    const { table } = await analyzeCsv(['session_id,item_id', 's1,A', 's1,B', 's1,A', 's2,C']);
    expect(table.hasTime).toBe(false);
    const { baskets } = basketsFromTable(table);
    const s1 = table.sessions.indexOf('s1');
    expect(baskets.userPtr[s1 + 1] - baskets.userPtr[s1]).toBe(1);
    const b = baskets.userPtr[s1];
    expect(Array.from(baskets.items.subarray(baskets.ptr[b], baskets.ptr[b + 1]), (i) => table.items[i])).toEqual(['A', 'B']);
    expect(Number.isNaN(baskets.basketTime[b])).toBe(true);
  });

  it('keeps a log with user ids on customers and purchases', async () => {
    const { table } = await analyzeCsv([
      'user_id,session_id,timestamp,item_id,event_type',
      'u1,s1,2021-01-01 10:00:00,A,view',
      'u1,s1,2021-01-01 10:01:00,B,purchase',
    ]);
    expect(basketsFromTable(table).source).toMatchObject({ by: 'user', events: 'purchases', basket: 'session' });
  });

  it('gives every session its own lists, and the again list says seen, not bought', async () => {
    const rows = ['session_id,timestamp,item_id,event_type'];
    // 60 sessions over 12 items in two tastes, each a walk of 4-6 views.
    for (let s = 0; s < 60; s++) {
      const base = s % 2 === 0 ? 0 : 6;
      const len = 4 + (s % 3);
      for (let k = 0; k < len; k++)
        rows.push(
          `s${s},2021-01-01 ${String(10 + (s % 10)).padStart(2, '0')}:${String(k * 7 + (s % 5)).padStart(2, '0')}:00,i${base + ((s + k * k) % 6)},view`,
        );
    }
    const { table, sequences } = await analyzeCsv(rows);
    expect(sequences.by).toBe('session');
    const r = recommendForSequences(table, sequences, 5);
    expect(r.source.by).toBe('session');
    let withLists = 0;
    for (let q = 0; q < sequences.count; q++) {
      const l = r.listsFor(q);
      if (l.new.items.length > 0) withLists++;
      // New items are ones the session has not looked at; again items are ones it has.
      const own = new Set<number>();
      for (let k = sequences.offsets[q]; k < sequences.offsets[q + 1]; k++) own.add(table.item[sequences.events[k]]);
      for (const i of l.new.items) expect(own.has(i)).toBe(false);
      for (const i of l.again.items) expect(own.has(i)).toBe(true);
      for (const reason of l.again.reasons) expect(reason).toMatch(/^seen \d+x/);
      // A session's new list keeps to its taste first: the top item is from the same six.
      const first = l.new.items[0];
      const mine = table.items[table.item[sequences.events[sequences.offsets[q]]]];
      if (first !== undefined) expect(Number(table.items[first].slice(1)) < 6).toBe(Number(mine.slice(1)) < 6);
    }
    expect(withLists).toBe(sequences.count);
  });
});
