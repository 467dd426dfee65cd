// Cooperative scheduling for long synchronous number crunching inside a worker. A CancelToken is a
// plain object that the worker's message handler sets: the handler can only run when the
// computation gives the event loop a turn, so the stages call `checkpoint()` often (cheap: a clock
// read) and it yields every `yieldEveryMs`. Cancellation is noticed at the next checkpoint.

import { type CancelToken, ProjectionCancelledError } from './types';

type Yield = () => Promise<void>;

/**
 * The cheapest macrotask hop available. setImmediate (Node) and MessageChannel (browsers, workers)
 * run without the 1-4 ms clamp of nested setTimeout(0), which would cost several percent of a
 * stage that yields every 50 ms.
 */
function pickYield(): Yield {
  const g = globalThis as { setImmediate?: (cb: () => void) => unknown };
  if (typeof g.setImmediate === 'function') {
    const setImmediate = g.setImmediate;
    return () => new Promise<void>((resolve) => void setImmediate(resolve));
  }
  if (typeof MessageChannel === 'function') {
    return () =>
      new Promise<void>((resolve) => {
        const ch = new MessageChannel();
        ch.port1.onmessage = () => {
          ch.port1.close();
          resolve();
        };
        ch.port2.postMessage(null);
      });
  }
  return () => new Promise<void>((resolve) => setTimeout(resolve, 0));
}

export class Scheduler {
  private next: number;
  private readonly yieldFn: Yield;

  constructor(
    private readonly cancel: CancelToken | undefined,
    private readonly yieldEveryMs: number,
  ) {
    this.yieldFn = pickYield();
    this.next = performance.now() + yieldEveryMs;
  }

  /** Throws ProjectionCancelledError if the token is set. */
  check(): void {
    if (this.cancel?.cancelled) throw new ProjectionCancelledError();
  }

  /** True when it is time to yield (call `pause()` then); always checks the token first. */
  due(): boolean {
    this.check();
    return this.yieldEveryMs >= 0 && performance.now() >= this.next;
  }

  /** Gives the event loop a turn, then checks the token again. */
  async pause(): Promise<void> {
    if (this.yieldEveryMs < 0) return this.check();
    await this.yieldFn();
    this.next = performance.now() + this.yieldEveryMs;
    this.check();
  }

  /** check + yield if due: `await s.checkpoint()` between chunks of work. */
  async checkpoint(): Promise<void> {
    if (this.due()) await this.pause();
  }
}
