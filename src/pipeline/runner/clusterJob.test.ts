import { describe, expect, it } from 'vitest';
import { ClusteringCancelledError, ClusteringInputError, cpuAsyncAssigner, makeBlobs, sweepK, type AsyncAssigner } from '../cluster';
import { createEmulatedGpuAssigner } from '../cluster/gpu/emulate';
import type { GpuAdapterSummary } from '../gpu/device';
import { clusterSizes, resolveSweepRange, runSweepJob, type OpenGpu } from './clusterJob';
import { behaviourRestarts } from './runner';
import { Random } from '../numeric/sfc32';

const SOURCE = { stage: 'encoder' as const, model: 'test', label: 'Test vectors', zeroVectors: 0 };
const ADAPTER: GpuAdapterSummary = { vendor: 'test', architecture: 'emulated', device: '', description: '', isFallbackAdapter: false };

function blobs(n = 240, d = 6, centres = 4) {
  return makeBlobs(n, d, centres, { std: 0.6, seed: 11 }).data;
}

describe('resolveSweepRange', () => {
  it('keeps a range the data allows', () => {
    expect(resolveSweepRange(blobs(), 240, 6, 2, 15)).toEqual({ kMin: 2, kMax: 15, note: null });
  });

  it('lowers kMax to the number of distinct points, and says so', () => {
    const n = 50;
    const d = 3;
    const data = new Float32Array(n * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) data[i * d + j] = (i % 6) + j;
    const r = resolveSweepRange(data, n, d, 2, 15);
    expect(r.kMax).toBe(6);
    expect(r.note).toMatch(/Only 6 of the 50 sequence vectors are distinct, so the sweep stops at K = 6 instead of 15/);
  });

  it('lowers kMax to n - 1 for few points', () => {
    const r = resolveSweepRange(blobs(5, 2), 5, 2, 2, 15);
    expect(r.kMax).toBe(4);
    expect(r.note).toMatch(/With 5 sequences the sweep stops at K = 4/);
  });

  it('refuses what cannot be clustered, with a message for people', () => {
    const identical = new Float32Array(40).fill(0.5);
    expect(() => resolveSweepRange(identical, 10, 4, 2, 15)).toThrow(/All 10 points are identical/);
    expect(() => resolveSweepRange(new Float32Array(4), 1, 4, 2, 15)).toThrow(/only one point/);
    expect(() => resolveSweepRange(new Float32Array(0), 0, 4, 2, 15)).toThrow(/no points/);
    expect(() => resolveSweepRange(blobs(2, 3), 2, 3, 2, 15)).toThrow(/needs at least 3 points/);
    const nan = blobs(30, 3);
    nan[7] = Number.NaN;
    expect(() => resolveSweepRange(nan, 30, 3, 2, 15)).toThrow(/missing value \(NaN\) at point 2/);
    const inf = blobs(30, 3);
    inf[4] = Number.POSITIVE_INFINITY;
    expect(() => resolveSweepRange(inf, 30, 3, 2, 15)).toThrow(/infinite value/);
    for (const [lo, hi, msg] of [
      [1, 5, /smallest K must be a whole number of at least 2/],
      [0, 5, /smallest K/],
      [5, 2, /largest K must be a whole number of at least the smallest \(5\)/],
      [2, 2.5, /largest K/],
      [2, 41, /at most 40/],
    ] as const) {
      expect(() => resolveSweepRange(blobs(), 240, 6, lo, hi)).toThrow(ClusteringInputError);
      expect(() => resolveSweepRange(blobs(), 240, 6, lo, hi)).toThrow(msg);
    }
  });
});

describe('runSweepJob', () => {
  it('more k-means++ starts per run never give a K a worse clustering (the behaviour vectors use them)', async () => {
    // Overlapping blobs in 6 dimensions: one start per run often lands in a worse local optimum.
    const rng = new Random(11);
    const n = 400;
    const data = new Float32Array(n * 6);
    for (let i = 0; i < n; i++) for (let j = 0; j < 6; j++) data[i * 6 + j] = (i % 7 === j ? 1.2 : 0) + (rng.float() - 0.5) * 2;
    const one = await runSweepJob(data, n, 6, { kMin: 2, kMax: 9, device: 'cpu', seeds: 1, source: SOURCE });
    const ten = await runSweepJob(data, n, 6, { kMin: 2, kMax: 9, device: 'cpu', seeds: 1, restarts: 10, source: SOURCE });
    let better = 0;
    for (let i = 0; i < one.entries.length; i++) {
      expect(ten.entries[i].inertia).toBeLessThanOrEqual(one.entries[i].inertia * (1 + 1e-9));
      if (ten.entries[i].inertia < one.entries[i].inertia * (1 - 1e-6)) better++;
    }
    expect(better).toBeGreaterThan(0);
    expect(behaviourRestarts(1_200)).toBe(10);
    expect(behaviourRestarts(50_000)).toBe(4);
    expect(behaviourRestarts(1_000_000)).toBe(1);
  });

  it('sweeps on the CPU: every K with sizes, finite scores, the planted K suggested', async () => {
    const data = blobs();
    const progress: number[] = [];
    const r = await runSweepJob(data, 240, 6, { kMin: 2, kMax: 8, device: 'auto', source: SOURCE, onProgress: (p) => progress.push(p.fraction) });
    expect(r.entries.map((e) => e.k)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(r.labels).toHaveLength(7);
    for (const [i, e] of r.entries.entries()) {
      expect(e.sizes).toHaveLength(e.k);
      expect(e.sizes.reduce((a, b) => a + b, 0)).toBe(240);
      expect(clusterSizes(r.labels[i], e.k)).toEqual(e.sizes);
      for (const v of [e.inertia, e.silhouette, e.calinskiHarabasz, e.daviesBouldin, e.stability]) expect(Number.isFinite(v)).toBe(true);
      expect(e.path).toBe('cpu');
    }
    expect(r.suggested.k).toBe(4);
    expect(r.suggested.reason).toMatch(/highest mean silhouette/);
    expect(r.path).toBe('cpu');
    expect(r.pathReason).toMatch(/WebGPU is not available/);
    expect(r.fallback).toBeNull();
    expect(r.silhouette).toEqual({ exact: true, sampleSize: 240, exactMax: 2000 });
    expect(r.minibatchThreshold).toBe(200_000);
    expect(r.algorithm).toBe('lloyd');
    expect(r.seeds).toBe(3);
    expect(progress.at(-1)).toBe(1);
    expect(progress.every((f, i) => i === 0 || f >= progress[i - 1])).toBe(true);
  });

  it('runs the assignment on the GPU assigner when one opens, with the CPU result', async () => {
    const data = blobs();
    const opened: { rejectSoftware: boolean }[] = [];
    const openGpu: OpenGpu = async (x, n, d, opts) => {
      opened.push(opts);
      return { ok: true, assigner: await createEmulatedGpuAssigner(x, n, d), adapter: ADAPTER };
    };
    const gpu = await runSweepJob(data, 240, 6, { kMin: 2, kMax: 6, device: 'auto', openGpu, source: SOURCE });
    expect(opened).toEqual([{ rejectSoftware: true }]);
    expect(gpu.path).toBe('webgpu');
    expect(gpu.entries.every((e) => e.path === 'webgpu')).toBe(true);
    expect(gpu.pathReason).toMatch(/WebGPU on test emulated/);
    expect(gpu.adapter).toBe('test emulated');
    const cpu = await sweepK(data, 240, 6, { kMin: 2, kMax: 6, seeds: 3, assigner: cpuAsyncAssigner(data, 240, 6) });
    gpu.entries.forEach((e, i) => {
      expect(Array.from(gpu.labels[i])).toEqual(Array.from(cpu.entries[i].labels));
      expect(e.inertia).toBe(cpu.entries[i].inertia);
    });
    // A forced GPU accepts software adapters.
    await runSweepJob(data, 240, 6, { kMin: 2, kMax: 3, device: 'gpu', openGpu, source: SOURCE });
    expect(opened[1]).toEqual({ rejectSoftware: false });
  });

  it('never opens the GPU when the CPU is chosen', async () => {
    let asked = false;
    const r = await runSweepJob(blobs(), 240, 6, {
      kMin: 2,
      kMax: 3,
      device: 'cpu',
      openGpu: async () => {
        asked = true;
        return { ok: false, reason: 'no' };
      },
      source: SOURCE,
    });
    expect(asked).toBe(false);
    expect(r.path).toBe('cpu');
    expect(r.pathReason).toMatch(/as chosen in the settings/);
  });

  it('says why the GPU was not used; a forced GPU that cannot open is a fallback', async () => {
    const openGpu: OpenGpu = async (_x, _n, _d, { rejectSoftware }) =>
      rejectSoftware
        ? { ok: false, reason: 'WebGPU offers only a software adapter here', adapter: { ...ADAPTER, isFallbackAdapter: true } }
        : { ok: false, reason: 'no adapter at all' };
    const auto = await runSweepJob(blobs(), 240, 6, { kMin: 2, kMax: 3, device: 'auto', openGpu, source: SOURCE });
    expect(auto.path).toBe('cpu');
    expect(auto.pathReason).toBe('CPU: WebGPU offers only a software adapter here');
    expect(auto.fallback).toBeNull();
    const forced = await runSweepJob(blobs(), 240, 6, { kMin: 2, kMax: 3, device: 'gpu', openGpu, source: SOURCE });
    expect(forced.path).toBe('cpu');
    expect(forced.fallback).toBe('no adapter at all');
  });

  it('falls back to the CPU for the rest of the sweep when the GPU fails mid-way, and says why', async () => {
    const data = blobs();
    let passes = 0;
    let disposed = false;
    const openGpu: OpenGpu = async (x, n, d) => {
      const inner = await createEmulatedGpuAssigner(x, n, d);
      const flaky: AsyncAssigner = {
        n,
        d,
        kind: 'gpu',
        async assign(c, k, l, s, cnt) {
          if (++passes > 12) throw new Error('GPUValidationError: buffer destroyed');
          return inner.assign(c, k, l, s, cnt);
        },
        dispose() {
          disposed = true;
          inner.dispose();
        },
      };
      return { ok: true, assigner: flaky, adapter: ADAPTER };
    };
    const r = await runSweepJob(data, 240, 6, { kMin: 2, kMax: 6, device: 'gpu', openGpu, source: SOURCE });
    expect(passes).toBe(13); // one failed pass, then never again
    expect(disposed).toBe(true);
    expect(r.path).toBe('cpu');
    expect(r.fallback).toMatch(/the GPU failed: GPUValidationError: buffer destroyed/);
    expect(r.pathReason).toMatch(/fell back to the CPU/);
    expect(r.entries).toHaveLength(5);
    expect(r.entries[0].path).toBe('webgpu');
    expect(r.entries.at(-1)!.path).toBe('cpu');
    for (const e of r.entries) expect(e.sizes.reduce((a, b) => a + b, 0)).toBe(240);
  });

  it('a lost device sends the next pass to the CPU', async () => {
    const data = blobs();
    let lose: (m: string) => void = () => {};
    const openGpu: OpenGpu = async (x, n, d) => ({
      ok: true,
      assigner: await createEmulatedGpuAssigner(x, n, d),
      adapter: ADAPTER,
      onLost: (listener) => {
        lose = listener;
        return () => {};
      },
    });
    const r = await runSweepJob(data, 240, 6, {
      kMin: 2,
      kMax: 5,
      device: 'auto',
      openGpu,
      source: SOURCE,
      onProgress: (p) => {
        if (p.k === 3) lose('The GPU device was lost (unknown): test');
      },
    });
    expect(r.path).toBe('cpu');
    expect(r.fallback).toMatch(/device was lost/);
    expect(r.entries[0].path).toBe('webgpu');
    expect(r.entries.at(-1)!.path).toBe('cpu');
  });

  it('stops with ClusteringCancelledError when cancelled', async () => {
    const cancel = { cancelled: false };
    const job = runSweepJob(blobs(), 240, 6, {
      kMin: 2,
      kMax: 15,
      device: 'cpu',
      cancel,
      source: SOURCE,
      onProgress: (p) => {
        if (p.k >= 4) cancel.cancelled = true;
      },
    });
    await expect(job).rejects.toBeInstanceOf(ClusteringCancelledError);
  });

  it('reports a narrowed range and refuses bad seeds', async () => {
    const r = await runSweepJob(blobs(6, 2), 6, 2, { kMin: 2, kMax: 15, device: 'cpu', source: SOURCE });
    expect(r.range).toEqual({ kMin: 2, kMax: 5 });
    expect(r.requested).toEqual({ kMin: 2, kMax: 15 });
    expect(r.rangeNote).toMatch(/stops at K = 5/);
    expect(r.entries).toHaveLength(4);
    await expect(runSweepJob(blobs(), 240, 6, { kMin: 2, kMax: 3, device: 'cpu', seeds: 0, source: SOURCE })).rejects.toThrow(/seeds/);
  });
});
