import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AnalysisError } from '../../worker/client';
import { type StageCallbacks, StageSlot } from './stageSlot';

interface Input {
  name: string;
}

/** A worker call the test answers by hand. */
interface Call {
  input: Input;
  key: string;
  progress: (p: number) => void;
  current: () => boolean;
  resolve: (r: string) => void;
  reject: (e: unknown) => void;
}

/** Records what reaches the screen, and the worker calls made. */
function recorder() {
  const calls: Call[] = [];
  const seen: string[] = [];
  const cb: StageCallbacks<Input, string, number> = {
    run: (input, key, progress, current) =>
      new Promise<string>((resolve, reject) => {
        calls.push({ input, key, progress, current, resolve, reject });
      }),
    started: (input, key) => seen.push(`started ${input.name} ${key}`),
    progress: (p) => seen.push(`progress ${p}`),
    done: (result, input) => seen.push(`done ${result} for ${input.name}`),
    interrupted: () => seen.push('interrupted'),
    failed: (error, input) => seen.push(`failed ${error ? error.code : 'by user'} for ${input.name}`),
  };
  return { calls, seen, cb };
}

const cancelled = () => new AnalysisError({ message: 'Cancelled.', code: 'cancelled' });

describe('StageSlot: latest request wins', () => {
  it('drops the answer and progress of a job superseded by a newer one', async () => {
    const slot = new StageSlot<Input>(300);
    const { calls, seen, cb } = recorder();
    const a = { name: 'a' };
    const b = { name: 'b' };
    const first = slot.start(a, 'k', cb);
    const second = slot.start(b, 'k', cb);
    expect(calls[0].current()).toBe(false);
    expect(calls[1].current()).toBe(true);
    calls[0].progress(1);
    calls[1].progress(2);
    calls[0].resolve('A');
    await first;
    calls[1].resolve('B');
    await second;
    expect(seen).toEqual(['started a k', 'started b k', 'progress 2', 'done B for b']);
  });

  it('ignores the superseded job failing, even as cancelled by the worker', async () => {
    const slot = new StageSlot<Input>(300);
    const { calls, seen, cb } = recorder();
    const first = slot.start({ name: 'a' }, 'k', cb);
    const second = slot.start({ name: 'b' }, 'k', cb);
    calls[0].reject(cancelled());
    await first;
    calls[1].resolve('B');
    await second;
    expect(seen).toEqual(['started a k', 'started b k', 'done B for b']);
  });

  it('drops progress that comes after the answer', async () => {
    const slot = new StageSlot<Input>(300);
    const { calls, seen, cb } = recorder();
    const job = slot.start({ name: 'a' }, 'k', cb);
    calls[0].resolve('A');
    await job;
    calls[0].progress(9);
    expect(seen).toEqual(['started a k', 'done A for a']);
  });
});

describe('StageSlot: dropping the job in flight', () => {
  it('forgets the job when newer inputs are on their way, so the same request can start again', async () => {
    const slot = new StageSlot<Input>(300);
    const { calls, seen, cb } = recorder();
    const a = { name: 'a' };
    const job = slot.start(a, 'k', cb);
    expect(slot.delay(a, 'k')).toBeNull();
    const token = slot.token();
    expect(slot.drop()).toBe(true);
    expect(slot.isLatest(token)).toBe(false);
    expect(calls[0].current()).toBe(false);
    // The worker stops it: no message, and it did not settle.
    calls[0].reject(cancelled());
    await job;
    expect(seen).toEqual(['started a k']);
    expect(slot.delay(a, 'k')).not.toBeNull();
    expect(slot.drop()).toBe(false);
  });

  it('reports a cancel by the worker (not the user) as interrupted, without settling', async () => {
    const slot = new StageSlot<Input>(300);
    const { calls, seen, cb } = recorder();
    const a = { name: 'a' };
    const job = slot.start(a, 'k', cb);
    calls[0].reject(cancelled());
    await job;
    expect(seen).toEqual(['started a k', 'interrupted']);
    expect(slot.delay(a, 'k')).not.toBeNull();
  });

  it('settles a cancel the user asked for', async () => {
    const slot = new StageSlot<Input>(300);
    const { calls, seen, cb } = recorder();
    const a = { name: 'a' };
    const job = slot.start(a, 'k', cb);
    slot.markUserCancel();
    calls[0].reject(cancelled());
    await job;
    expect(seen).toEqual(['started a k', 'failed by user for a']);
    expect(slot.delay(a, 'k')).toBeNull();
  });

  it('does not carry a user cancel over to the next job', async () => {
    const slot = new StageSlot<Input>(300);
    const { calls, seen, cb } = recorder();
    slot.markUserCancel();
    const job = slot.start({ name: 'a' }, 'k', cb);
    calls[0].reject(cancelled());
    await job;
    expect(seen).toEqual(['started a k', 'interrupted']);
  });
});

describe('StageSlot: settled results', () => {
  it('keeps a finished or failed request from running again until its input or settings change', async () => {
    const slot = new StageSlot<Input>(300);
    const { calls, seen, cb } = recorder();
    const a = { name: 'a' };
    const ok = slot.start(a, 'k1', cb);
    calls[0].resolve('A');
    await ok;
    expect(slot.delay(a, 'k1')).toBeNull();
    const bad = slot.start(a, 'k2', cb);
    calls[1].reject(new Error('boom'));
    await bad;
    expect(seen.at(-1)).toBe('failed internal for a');
    expect(slot.delay(a, 'k2')).toBeNull();
    // Only the last request is remembered as settled.
    expect(slot.delay(a, 'k1')).not.toBeNull();
    expect(slot.delay({ name: 'a' }, 'k2')).not.toBeNull();
  });

  it('runs a settled request again after forget (retry)', async () => {
    const slot = new StageSlot<Input>(300);
    const { calls, cb } = recorder();
    const a = { name: 'a' };
    const job = slot.start(a, 'k', cb);
    calls[0].resolve('A');
    await job;
    slot.forget();
    expect(slot.delay(a, 'k')).not.toBeNull();
  });

  it('passes the worker errors through with their code', async () => {
    const slot = new StageSlot<Input>(300);
    const { calls, seen, cb } = recorder();
    const job = slot.start({ name: 'a' }, 'k', cb);
    calls[0].reject(new AnalysisError({ message: 'no model', code: 'gcn-input' }));
    await job;
    expect(seen.at(-1)).toBe('failed gcn-input for a');
  });
});

describe('StageSlot: debounce', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits only for a settings change on the same input', async () => {
    const slot = new StageSlot<Input>(300);
    const { calls, cb } = recorder();
    const a = { name: 'a' };
    expect(slot.delay(a, 'k1')).toBe(0);
    const job = slot.start(a, 'k1', cb);
    calls[0].resolve('A');
    await job;
    expect(slot.delay(a, 'k2')).toBe(300);
    expect(slot.delay({ name: 'b' }, 'k2')).toBe(0);
  });

  it('starts one job, with the last settings, after a burst of changes', async () => {
    const slot = new StageSlot<Input>(300);
    const { calls, seen, cb } = recorder();
    const a = { name: 'a' };
    const job = slot.start(a, 'k0', cb);
    calls[0].resolve('A');
    await job;
    // Each change replaces the previous timer, as an effect's cleanup does.
    let cleanup = slot.schedule(a, 'k1', () => cb);
    for (const key of ['k2', 'k3']) {
      vi.advanceTimersByTime(299);
      cleanup?.();
      cleanup = slot.schedule(a, key, () => cb);
    }
    expect(calls).toHaveLength(1);
    vi.advanceTimersByTime(299);
    expect(calls).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(calls).toHaveLength(2);
    expect(calls[1].key).toBe('k3');
    expect(seen.at(-1)).toBe('started a k3');
  });

  it('starts a new input on the next turn of the timer queue, and nothing for a request in flight', () => {
    const slot = new StageSlot<Input>(250);
    const { calls, cb } = recorder();
    const a = { name: 'a' };
    expect(slot.schedule(a, 'k', () => cb)).toBeTypeOf('function');
    expect(calls).toHaveLength(0);
    vi.advanceTimersByTime(0);
    expect(calls).toHaveLength(1);
    expect(slot.schedule(a, 'k', () => cb)).toBeUndefined();
    vi.runAllTimers();
    expect(calls).toHaveLength(1);
  });

  it('reads the callbacks when the timer fires, not when it is set', () => {
    const slot = new StageSlot<Input>(300);
    const older = recorder();
    const newer = recorder();
    let latest = older.cb;
    slot.schedule({ name: 'a' }, 'k', () => latest);
    latest = newer.cb;
    vi.runAllTimers();
    expect(older.calls).toHaveLength(0);
    expect(newer.calls).toHaveLength(1);
  });

  it('starts a stage without a timer at once', () => {
    const slot = new StageSlot<Input>(null);
    const { calls, cb } = recorder();
    const a = { name: 'a' };
    expect(slot.schedule(a, '', () => cb)).toBeUndefined();
    expect(calls).toHaveLength(1);
    expect(slot.schedule(a, '', () => cb)).toBeUndefined();
    expect(calls).toHaveLength(1);
  });
});
