import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { queueChartWork } from './chartQueue';

describe('chart work queue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs one job per macrotask, in order, and drops a job cancelled before its turn', () => {
    const ran: string[] = [];
    queueChartWork(() => ran.push('a'));
    const dropB = queueChartWork(() => ran.push('b'));
    queueChartWork(() => ran.push('c'));
    expect(ran).toEqual([]);
    vi.advanceTimersToNextTimer();
    expect(ran).toEqual(['a']);
    dropB();
    vi.advanceTimersToNextTimer();
    expect(ran).toEqual(['a', 'c']);
    vi.runAllTimers();
    expect(ran).toEqual(['a', 'c']);
  });

  it('keeps going after a job that throws', () => {
    const ran: string[] = [];
    queueChartWork(() => {
      throw new Error('chart failed');
    });
    queueChartWork(() => ran.push('next'));
    expect(() => vi.advanceTimersToNextTimer()).toThrow('chart failed');
    vi.advanceTimersToNextTimer();
    expect(ran).toEqual(['next']);
  });
});
