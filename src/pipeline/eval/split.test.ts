import { describe, expect, it } from 'vitest';
import { analyzeCsv } from '../../../test/lib/testLog';
import { leaveLastOut } from './split';

const T = (min: number): string => new Date(Date.UTC(2021, 0, 1, 10, min)).toISOString();

function itemsOf(table: { item: Int32Array; items: string[] }, events: ArrayLike<number>): string[] {
  return Array.from(events, (e) => table.items[table.item[e]]);
}

describe('leave-last-out split', () => {
  it("holds out each user's last session; hits are new, non-returned items of it", async () => {
    const { table, sequences } = await analyzeCsv([
      'user_id,session_id,item_id,event_type,timestamp',
      `u1,s1,x,view,${T(0)}`,
      `u1,s1,y,purchase,${T(1)}`,
      `u1,s2,y,view,${T(60)}`,
      `u1,s2,z,purchase,${T(61)}`,
      `u1,s2,w,return,${T(62)}`,
      `u1,s2,v,view,${T(63)}`,
      `u2,s3,a,view,${T(0)}`,
      `u2,s3,b,view,${T(1)}`,
      `u3,s4,a,view,${T(0)}`,
      `u3,s5,a,view,${T(90)}`,
    ]);
    const split = leaveLastOut(table, sequences);
    expect(split.protocol).toBe('last-session');
    expect(split.skipped).toEqual({ noTraining: 1, noNewItems: 1 });
    // u2 had a single session: nothing left to train on, so it is gone from training too.
    expect(split.train.count).toBe(2);
    expect(Array.from(split.source, (s) => table.users[sequences.key[s]])).toEqual(['u1', 'u3']);
    const t1 = 0;
    const ev = split.train.events.subarray(split.train.offsets[t1], split.train.offsets[t1 + 1]);
    expect(itemsOf(table, ev)).toEqual(['x', 'y']);
    expect(split.testSeq.length).toBe(1);
    expect(split.testSeq[0]).toBe(t1);
    const rel = Array.from(split.relItems.subarray(split.relPtr[0], split.relPtr[1]), (i) => table.items[i]).sort();
    expect(rel).toEqual(['v', 'z']);
  });

  it('holds out the last event when the log has no sessions', async () => {
    const { table, sequences } = await analyzeCsv(['user_id,item_id,event_type,timestamp', `u1,x,view,${T(0)}`, `u1,y,view,${T(1)}`, `u1,z,view,${T(2)}`]);
    const split = leaveLastOut(table, sequences);
    expect(split.protocol).toBe('last-event');
    expect(itemsOf(table, split.train.events)).toEqual(['x', 'y']);
    expect(Array.from(split.relItems, (i) => table.items[i])).toEqual(['z']);
  });

  it('needs sequences grouped by user', async () => {
    const { table, sequences } = await analyzeCsv(['user_id,session_id,item_id,timestamp', `u1,s1,x,${T(0)}`], { by: 'session' });
    expect(() => leaveLastOut(table, sequences)).toThrow(/grouped by user/);
  });
});
