import { describe, expect, it } from 'vitest';
import { GpuUnavailableError } from '../gpu/device';
import { adjustedRandIndex } from './agreement';
import { assignStep } from './assign';
import { makeBlobs } from './blobs';
import { type AsyncAssigner, cpuAsyncAssigner } from './asyncAssigner';
import { createEmulatedGpuAssigner } from './gpu/emulate';
import { kmeans } from './kmeans';
import { kmeansAsync } from './kmeansAsync';
import { ClusteringCancelledError, ClusteringInputError } from './types';

function expectSameResult(a: { labels: Int32Array; centres: Float64Array; inertia: number; restartInertias: number[]; iterations: number }, b: typeof a) {
  expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
  expect(Array.from(a.centres)).toEqual(Array.from(b.centres));
  expect(a.inertia).toBe(b.inertia);
  expect(a.restartInertias).toEqual(b.restartInertias);
  expect(a.iterations).toBe(b.iterations);
}

describe('kmeansAsync', () => {
  const { data } = makeBlobs(3000, 12, 7, { std: 4, seed: 21 });
  const n = 3000;
  const d = 12;

  it('without an assigner is kmeans() itself', async () => {
    const r = await kmeansAsync(data, n, d, { k: 7, seed: 4 });
    expectSameResult(r, kmeans(data, n, d, { k: 7, seed: 4 }));
    expect(r.path).toBe('cpu');
    expect(r.assignPasses).toBe(0);
  });

  it('with an exact assigner follows kmeans(assign: assignStep) bit for bit', async () => {
    const want = kmeans(data, n, d, { k: 7, seed: 4, assign: assignStep });
    const viaCpu = await kmeansAsync(data, n, d, { k: 7, seed: 4, assigner: cpuAsyncAssigner(data, n, d) });
    expectSameResult(viaCpu, want);
    expect(viaCpu.path).toBe('cpu');
    expect(viaCpu.assignPasses).toBeGreaterThan(3);
    const gpu = await createEmulatedGpuAssigner(data, n, d, { sums: 'cpu' });
    const viaGpu = await kmeansAsync(data, n, d, { k: 7, seed: 4, assigner: gpu });
    expectSameResult(viaGpu, want);
    expect(viaGpu.path).toBe('gpu');
    expect(gpu.stats.passes).toBe(viaGpu.assignPasses);
    // ... and the Hamerly CPU path agrees on the labels.
    expect(Array.from(viaGpu.labels)).toEqual(Array.from(kmeans(data, n, d, { k: 7, seed: 4 }).labels));
  });

  it('with GPU sums stays within 1e-6 of the CPU inertia', async () => {
    const gpu = await createEmulatedGpuAssigner(data, n, d, { sums: 'gpu' });
    const viaGpu = await kmeansAsync(data, n, d, { k: 7, seed: 4, assigner: gpu });
    const cpu = kmeans(data, n, d, { k: 7, seed: 4 });
    expect(Math.abs(viaGpu.inertia - cpu.inertia) / cpu.inertia).toBeLessThan(1e-6);
    expect(adjustedRandIndex(viaGpu.labels, cpu.labels)).toBeGreaterThan(0.999);
  });

  it('runs mini-batch with the final labelling on the assigner, identically', async () => {
    const opts = { k: 5, seed: 2, algorithm: 'minibatch' as const, batchSize: 256 };
    const want = kmeans(data, n, d, opts);
    const gpu = await createEmulatedGpuAssigner(data, n, d, { sums: 'cpu' });
    const got = await kmeansAsync(data, n, d, { ...opts, assigner: gpu });
    expectSameResult(got, want);
    expect(got.algorithm).toBe('minibatch');
    expect(got.assignPasses).toBe(1);
  });

  it('falls back to the CPU when the GPU gives up, and says why', async () => {
    let calls = 0;
    const failing: AsyncAssigner = {
      n,
      d,
      kind: 'gpu',
      assign: async () => {
        if (++calls === 3) throw new GpuUnavailableError('device-lost', 'The GPU device was lost (unknown): test');
        return 0;
      },
      dispose: () => {},
    };
    const r = await kmeansAsync(data, n, d, { k: 7, seed: 4, assigner: failing });
    expect(r.path).toBe('cpu');
    expect(r.fallbackReason).toMatch(/device was lost/);
    expectSameResult(r, kmeans(data, n, d, { k: 7, seed: 4 }));
    calls = 0;
    await expect(kmeansAsync(data, n, d, { k: 7, assigner: failing, fallbackToCpu: false })).rejects.toThrow(GpuUnavailableError);
  });

  it('does not hide other errors behind the fallback', async () => {
    const broken: AsyncAssigner = { ...cpuAsyncAssigner(data, n, d), assign: async () => Promise.reject(new TypeError('bug')) };
    await expect(kmeansAsync(data, n, d, { k: 3, assigner: broken })).rejects.toThrow(TypeError);
  });

  it('stops between passes when cancelled', async () => {
    const token = { cancelled: false };
    const inner = cpuAsyncAssigner(data, n, d);
    let passes = 0;
    const cancelling: AsyncAssigner = {
      ...inner,
      assign: (...args) => {
        if (++passes === 2) token.cancelled = true;
        return inner.assign(...args);
      },
    };
    await expect(kmeansAsync(data, n, d, { k: 7, assigner: cancelling, cancel: token })).rejects.toThrow(ClusteringCancelledError);
    expect(passes).toBe(2);
    await expect(kmeansAsync(data, n, d, { k: 7, cancel: { cancelled: true } })).rejects.toThrow(ClusteringCancelledError);
  });

  it('rejects an assigner for other data, and an assign function together with an assigner', async () => {
    await expect(kmeansAsync(data, n, d, { k: 2, assigner: cpuAsyncAssigner(data, n - 1, d) })).rejects.toThrow(/made for 2999 x 12 data/);
    await expect(kmeansAsync(data, n, d, { k: 2, assign: assignStep, assigner: cpuAsyncAssigner(data, n, d) })).rejects.toThrow(ClusteringInputError);
    await expect(kmeansAsync(new Float64Array(4).fill(1), 2, 2, { k: 2 })).rejects.toThrow(/identical/);
  });
});
