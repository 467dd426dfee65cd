import { describe, expect, it } from 'vitest';
import { JobSlot } from './jobSlot';

class Cancelled extends Error {}

/** What a job ended with: its value, or the error it threw (caught at once: no unhandled rejection). */
const settle = <T>(p: Promise<T>): Promise<T | unknown> => p.catch((e: unknown) => e);
/** Lets the slot's awaits run. */
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** A promise and its resolver, to hold a job open until the test lets it go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe('JobSlot', () => {
  it('cancels the job in flight when a new one starts, and starts the new one only once the old one has ended', async () => {
    const slot = new JobSlot();
    const order: string[] = [];
    const held = gate();
    let firstSignal: AbortSignal | null = null;
    const first = settle(
      slot.run(
        async (signal) => {
          firstSignal = signal;
          await held.promise;
          order.push('first ends');
          if (signal.aborted) throw new Cancelled();
          return 1;
        },
        { cancelled: () => new Cancelled() },
      ),
    );
    await tick();
    expect(firstSignal!.aborted).toBe(false);
    const second = slot.run(
      async () => {
        order.push('second starts');
        return 2;
      },
      { cancelled: () => new Cancelled() },
    );
    expect(firstSignal!.aborted).toBe(true);
    expect(slot.busy).toBe(true);
    held.open();
    expect(await first).toBeInstanceOf(Cancelled);
    await expect(second).resolves.toBe(2);
    expect(order).toEqual(['first ends', 'second starts']);
    expect(slot.busy).toBe(false);
  });

  it('a job superseded while it waits never runs: it ends with its stage error', async () => {
    const slot = new JobSlot();
    const held = gate();
    const ran: number[] = [];
    const first = slot.run(async () => held.promise, { cancelled: () => new Cancelled() });
    await tick();
    const second = settle(slot.run(async () => void ran.push(2), { cancelled: () => new Cancelled() }));
    const third = slot.run(async () => void ran.push(3), { cancelled: () => new Cancelled() });
    held.open();
    await first;
    expect(await second).toBeInstanceOf(Cancelled);
    await third;
    expect(ran).toEqual([3]);
  });

  it('releases the callback whatever the outcome, and cancel() aborts the job in flight', async () => {
    const slot = new JobSlot();
    const released: string[] = [];
    await slot.run(async () => 'ok', { cancelled: () => new Cancelled(), release: () => released.push('ok') });
    await expect(
      slot.run(async () => Promise.reject(new Error('boom')), { cancelled: () => new Cancelled(), release: () => released.push('failed') }),
    ).rejects.toThrow('boom');
    const held = gate();
    const job = settle(
      slot.run(
        async (signal) => {
          await held.promise;
          if (signal.aborted) throw new Cancelled();
        },
        { cancelled: () => new Cancelled(), release: () => released.push('cancelled') },
      ),
    );
    await tick();
    slot.cancel();
    held.open();
    expect(await job).toBeInstanceOf(Cancelled);
    expect(released).toEqual(['ok', 'failed', 'cancelled']);
  });

  it('with overlap, the new job starts without waiting for the cancelled one', async () => {
    const slot = new JobSlot();
    const held = gate();
    const first = slot.run(async () => held.promise, { cancelled: () => new Cancelled(), overlap: true });
    await expect(slot.run(async () => 'second', { cancelled: () => new Cancelled(), overlap: true })).resolves.toBe('second');
    held.open();
    await first;
  });
});
