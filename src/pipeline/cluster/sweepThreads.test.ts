import { describe, expect, it } from 'vitest';
import { makeBlobs } from './blobs';
import { sweepK, type SweepResult } from './sweep';
import type { HelperThreads } from '../threads';
import { inProcessThreads } from '../../../test/lib/inProcessThreads';
import { ClusteringCancelledError, ClusteringInputError } from './types';

function sameEntries(a: SweepResult, b: SweepResult): void {
  expect(a.entries.map((e) => e.k)).toEqual(b.entries.map((e) => e.k));
  for (let i = 0; i < a.entries.length; i++) {
    const x = a.entries[i];
    const y = b.entries[i];
    expect(x.inertia).toBe(y.inertia);
    expect(x.runInertias).toEqual(y.runInertias);
    expect(x.silhouette).toBe(y.silhouette);
    expect(x.calinskiHarabasz).toBe(y.calinskiHarabasz);
    expect(x.daviesBouldin).toBe(y.daviesBouldin);
    expect(x.stability).toBe(y.stability);
    expect(Array.from(x.labels)).toEqual(Array.from(y.labels));
    expect(Array.from(x.centres)).toEqual(Array.from(y.centres));
  }
  expect(a.suggested).toEqual(b.suggested);
  expect(a.elbow).toEqual(b.elbow);
}

describe('sweepK on helper threads', () => {
  const n = 900;
  const d = 5;
  const { data } = makeBlobs(n, d, 5, { std: 1.2, seed: 7 });
  const base = { kMin: 2, kMax: 7, seed: 3, threadsMinPoints: 1 };

  it('gives the same entries, bit for bit, as the sweep on one thread, and reports every unit', async () => {
    const serial = await sweepK(data, n, d, base);
    expect(serial.threads).toBe(0);
    const { threads, stats } = inProcessThreads(2);
    const fractions: number[] = [];
    const seen: number[] = [];
    const r = await sweepK(data, n, d, { ...base, threads, onProgress: (_, f) => fractions.push(f), onEntry: (e) => seen.push(e.k) });
    sameEntries(r, serial);
    expect(r.threads).toBe(2);
    expect(stats.spawned).toBe(2);
    expect(stats.terminated).toBe(2);
    // Seeds first (3), then K largest first.
    expect(stats.messages.filter((m) => m.endsWith(':seed'))).toHaveLength(3);
    expect(seen.slice().sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(seen[0]).toBeGreaterThanOrEqual(6);
    expect(fractions).toHaveLength(1 + 6 * 4);
    expect(fractions[fractions.length - 1]).toBe(1);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThan(fractions[i - 1]);
  });

  it('also for a plan without prefix seeding (several starts per run)', async () => {
    const opts = { ...base, kMax: 5, restarts: 2 };
    const serial = await sweepK(data, n, d, opts);
    const { threads, stats } = inProcessThreads(3);
    const r = await sweepK(data, n, d, { ...opts, threads });
    sameEntries(r, serial);
    expect(stats.messages.some((m) => m.endsWith(':seed'))).toBe(false);
  });

  it("hands a dead helper's task to the others, and runs what is left here when all are dead", async () => {
    const serial = await sweepK(data, n, d, base);
    // Helper 1 dies on its third message (init, seed, then its first K).
    const one = inProcessThreads(2, (_, helper, nth) => helper === 1 && nth === 2);
    const r1 = await sweepK(data, n, d, { ...base, threads: one.threads });
    sameEntries(r1, serial);
    expect(r1.threads).toBe(1);
    // Both die as soon as they get work: the calling thread does everything.
    const all = inProcessThreads(2, (m) => m.type !== 'init');
    const r2 = await sweepK(data, n, d, { ...base, threads: all.threads });
    sameEntries(r2, serial);
    expect(r2.threads).toBe(0);
  });

  it('stays on its thread when helpers cannot start, or when there are too few points', async () => {
    const serial = await sweepK(data, n, d, base);
    const broken: HelperThreads = {
      size: 2,
      spawn: () => {
        throw new Error('no workers here');
      },
    };
    sameEntries(await sweepK(data, n, d, { ...base, threads: broken }), serial);
    const { threads, stats } = inProcessThreads(2);
    const small = await sweepK(data, n, d, { ...base, threads, threadsMinPoints: n + 1 });
    expect(small.threads).toBe(0);
    expect(stats.spawned).toBe(0);
    const single = inProcessThreads(1);
    expect((await sweepK(data, n, d, { ...base, threads: single.threads })).threads).toBe(0);
    expect(single.stats.spawned).toBe(0);
  });

  it('passes an input error on, and stops every helper on cancel', async () => {
    // An input error only a helper meets: it throws on the first K it is given.
    const failing = inProcessThreads(2);
    const spawn = failing.threads.spawn;
    failing.threads.spawn = () => {
      const port = spawn();
      const listeners: ((m: unknown) => void)[] = [];
      port.onMessage((m) => {
        const msg = m as { type: string };
        listeners.forEach((l) => l(msg.type === 'entry' ? { type: 'error', name: 'ClusteringInputError', message: 'bad vectors' } : m));
      });
      return { ...port, onMessage: (l) => listeners.push(l) };
    };
    await expect(sweepK(data, n, d, { ...base, threads: failing.threads })).rejects.toThrow(new ClusteringInputError('bad vectors'));
    expect(failing.stats.terminated).toBe(2);

    const { threads, stats } = inProcessThreads(2);
    const cancel = { cancelled: false };
    const run = sweepK(data, n, d, {
      ...base,
      threads,
      cancel,
      onProgress: (_, f) => {
        if (f > 0) cancel.cancelled = true;
      },
    });
    await expect(run).rejects.toBeInstanceOf(ClusteringCancelledError);
    expect(stats.terminated).toBe(2);
  });
});
