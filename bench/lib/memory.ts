// Peak-memory measurement. Sampling alone misses peaks inside long synchronous stretches (a
// sequence build that blocks for 300 ms); the kernel's high-water marks (maxRSS, VmHWM) do not,
// so both are taken and the higher one wins.

import { readFileSync } from 'node:fs';

export interface Sampler {
  /** Stops sampling; returns the highest value seen. */
  stop(): number;
}

/** Samples `read` every `intervalMs` (and once at start and stop). */
export function startSampler(read: () => number, intervalMs = 20): Sampler {
  let peak = read();
  const timer = setInterval(() => {
    const v = read();
    if (v > peak) peak = v;
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, read());
    },
  };
}

export const sampleOwnRss = (intervalMs = 20): Sampler => startSampler(() => process.memoryUsage().rss, intervalMs);

/** Peak RSS of this process since it started, in bytes (Linux/macOS kernel accounting). */
export function ownMaxRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

export interface ProcMemory {
  rss: number;
  /** Peak RSS of the process so far. */
  hwm: number;
}

/** Current and peak RSS of another process from /proc (Linux); null if it is gone or unreadable. */
export function procMemory(pid: number): ProcMemory | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string): number => {
      const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
      return m ? Number(m[1]) * 1024 : 0;
    };
    return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
  } catch {
    return null;
  }
}

/** Sum of the current RSS of a set of processes. */
export function totalRss(pids: readonly number[]): number {
  let sum = 0;
  for (const pid of pids) sum += procMemory(pid)?.rss ?? 0;
  return sum;
}
