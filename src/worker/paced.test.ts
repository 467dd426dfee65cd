import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { paced } from './client';

describe('paced progress', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes the first at once, then the latest of each burst at most every interval', () => {
    const seen: number[] = [];
    const p = paced<number>((x) => seen.push(x), 200);
    p.progress(1);
    expect(seen).toEqual([1]);
    for (let i = 2; i <= 10; i++) p.progress(i);
    expect(seen).toEqual([1]);
    vi.advanceTimersByTime(199);
    expect(seen).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([1, 10]);
    // Quiet for longer than the interval: the next one goes at once again.
    vi.advanceTimersByTime(1000);
    p.progress(11);
    expect(seen).toEqual([1, 10, 11]);
  });

  it('drops what is pending once the job has ended', () => {
    const seen: number[] = [];
    const p = paced<number>((x) => seen.push(x), 200);
    p.progress(1);
    p.progress(2);
    p.end();
    p.progress(3);
    vi.advanceTimersByTime(1000);
    expect(seen).toEqual([1]);
  });
});
