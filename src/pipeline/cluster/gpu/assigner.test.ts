// Host-side logic of the WebGPU assignment (chunking, tiling, the near-tie re-check, the float64
// finishing pass), run against a float32 emulation of its WGSL kernels. The kernels themselves
// are tested on a real (software) GPU in e2e/gpu-kmeans.spec.ts.
import { describe, expect, it } from 'vitest';
import { GpuUnavailableError } from '../../gpu/device';
import { assignStep } from '../assign';
import { cpuAsyncAssigner } from '../asyncAssigner';
import { makeBlobs } from '../blobs';
import { Rng } from '../../numeric/random';
import type { Matrix } from '../types';
import { createEmulatedGpuAssigner, type EmulatorOptions } from './emulate';
import { float32RangeLimit, GPU_MAX_K, MAX_TILE, MIN_TILE, planChunks, planTiles, tieTolerance } from './plan';

function cpuReference(data: Matrix, n: number, d: number, centres: Float64Array, k: number) {
  const labels = new Int32Array(n);
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  const inertia = assignStep(data, n, d, centres, k, labels, sums, counts);
  return { labels, sums, counts, inertia };
}

async function viaEmulator(data: Matrix, n: number, d: number, centres: Float64Array, k: number, opts: EmulatorOptions = {}) {
  const a = await createEmulatedGpuAssigner(data, n, d, opts);
  const labels = new Int32Array(n).fill(-7);
  const sums = new Float64Array(k * d).fill(99); // stale content must be overwritten
  const counts = new Int32Array(k).fill(5);
  const inertia = await a.assign(centres, k, labels, sums, counts);
  return { labels, sums, counts, inertia, stats: { ...a.stats }, assigner: a };
}

function randomCase(n: number, d: number, k: number, seed: number, offset = 0, f64 = false) {
  const r = new Rng(seed);
  const data = f64 ? new Float64Array(n * d) : new Float32Array(n * d);
  for (let i = 0; i < data.length; i++) data[i] = offset + r.nextGaussian() * 3 + (i % 3);
  const centres = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    // Centres on data points plus a little noise, as k-means produces.
    const p = r.nextInt(n);
    for (let j = 0; j < d; j++) centres[c * d + j] = data[p * d + j] + r.nextGaussian() * 0.5;
  }
  return { data, centres };
}

/** The label float32 arithmetic alone would pick (no re-check), for showing the re-check matters. */
function float32Labels(data: Matrix, n: number, d: number, centres: Float64Array, k: number): Int32Array {
  const f = Math.fround;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = f(f(data[i * d + j]) - f(centres[c * d + j]));
        s = f(s + f(t * t));
      }
      if (s < best) {
        best = s;
        out[i] = c;
      }
    }
  }
  return out;
}

/** Largest |gpu - cpu| over a cluster's sums, relative to the sum of |x| of its members. */
function sumsError(data: Matrix, n: number, d: number, labels: Int32Array, got: Float64Array, want: Float64Array, k: number) {
  const scale = new Float64Array(k * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) scale[labels[i] * d + j] += Math.abs(data[i * d + j]);
  let worst = 0;
  for (let q = 0; q < k * d; q++) {
    if (scale[q] === 0) {
      expect(got[q]).toBe(0);
      continue;
    }
    worst = Math.max(worst, Math.abs(got[q] - want[q]) / scale[q]);
  }
  return worst;
}

describe('planning', () => {
  it('splits the rows into chunks that fit a binding and covers each with a legal grid', () => {
    for (const [n, dv, maxBytes, maxPerDim, maxRows] of [
      [1000, 1, 1 << 20, 65535, Infinity],
      [1000, 5, 16 * 5 * 97, 65535, Infinity], // 97 rows per binding
      [100_000, 2, 1 << 27, 7, Infinity], // 7 x 7 x 64 = 3136 rows per chunk
      [130, 1, 1 << 20, 65535, 64],
    ] as const) {
      const chunks = planChunks(n, dv, maxBytes, maxPerDim, maxRows);
      let next = 0;
      for (const ch of chunks) {
        expect(ch.start).toBe(next);
        expect(ch.rows * dv * 16).toBeLessThanOrEqual(maxBytes);
        expect(ch.rows).toBeLessThanOrEqual(maxRows);
        expect(ch.grid[0]).toBeLessThanOrEqual(maxPerDim);
        expect(ch.grid[1]).toBeLessThanOrEqual(maxPerDim);
        expect(ch.grid[0] * ch.grid[1] * 64).toBeGreaterThanOrEqual(ch.rows);
        next += ch.rows;
      }
      expect(next).toBe(n);
    }
    expect(planChunks(1000, 5, 16 * 5 * 97, 65535)).toHaveLength(11);
    expect(() => planChunks(10, 1000, 1000, 65535)).toThrow(GpuUnavailableError);
  });

  it('keeps partial-sum tiles within their bounds and the tile count within one grid dimension', () => {
    for (const [rows, k, dv] of [
      [1, 1, 1],
      [1000, 64, 192],
      [4_000_000, 10, 16],
      [4_000_000, 64, 192],
    ]) {
      const { tile, tiles } = planTiles(rows, k, dv, 65535, 8 << 20, 1 << 30);
      expect(tile).toBeGreaterThanOrEqual(MIN_TILE);
      expect(tiles * tile).toBeGreaterThanOrEqual(rows);
      expect((tiles - 1) * tile).toBeLessThan(rows);
      expect(tiles).toBeLessThanOrEqual(65535);
      expect(tiles * k * dv * 16).toBeLessThanOrEqual(1 << 30);
      if (rows * k * dv * 16 <= (8 << 20) * MAX_TILE) expect(tile).toBeLessThanOrEqual(MAX_TILE);
    }
  });

  it('the tie tolerance bounds the actual float32 error of squared distances', () => {
    // The bound the kernel flags with must exceed the float32-vs-float64 error it is meant to catch.
    const r = new Rng(3);
    const f = Math.fround;
    for (const d of [1, 3, 17, 64, 300]) {
      const dp = Math.ceil(d / 4) * 4;
      const tol = tieTolerance(dp);
      for (let trial = 0; trial < 300; trial++) {
        const offset = [0, 1e3, -5e4][trial % 3];
        const spread = [1e-3, 1, 30][trial % 3 === 0 ? 2 : trial % 3 === 1 ? 1 : 0];
        const x = Array.from({ length: d }, () => offset + spread * r.nextGaussian());
        const c = x.map((v) => v + spread * r.nextGaussian() * 0.1);
        let exact = 0;
        let f32 = 0;
        let xx = 0;
        let cc = 0;
        for (let j = 0; j < d; j++) {
          exact += (x[j] - c[j]) ** 2;
          const t = f(f(x[j]) - f(c[j]));
          f32 = f(f32 + f(t * t));
          xx += x[j] * x[j];
          cc += c[j] * c[j];
        }
        const scale = Math.sqrt(xx) + Math.sqrt(cc);
        const bound = tol.rel * exact + tol.abs * (Math.sqrt(exact) + tol.abs * scale) * scale + tol.tiny;
        expect(Math.abs(f32 - exact)).toBeLessThanOrEqual(bound);
      }
    }
  });

  it('the tie tolerance is tight enough that few points need the float64 re-check', async () => {
    // Embedding-like data: 64 dimensions, 10 blobs; centres at their blob means.
    const n = 20_000;
    const d = 64;
    const k = 10;
    const { data, centres: blobCentres } = makeBlobs(n, d, k, { std: 4, seed: 2 });
    const a = await createEmulatedGpuAssigner(data, n, d);
    await a.assign(blobCentres, k, new Int32Array(n), new Float64Array(k * d), new Int32Array(k));
    expect(a.stats.flaggedLast / n).toBeLessThan(0.005);
  });
});

describe('emulated GPU assignment, CPU sums', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [2, 3, 1],
    [65, 1, 2],
    [100, 3, 5],
    [257, 17, 7],
    [1000, 8, 64],
    [999, 33, 11],
    [300, 4, 4],
  ];
  for (const [n, d, k] of shapes) {
    it(`is identical to assignStep for n=${n} d=${d} k=${k}`, async () => {
      const { data, centres } = randomCase(n, d, k, n * 7 + d + k);
      const want = cpuReference(data, n, d, centres, k);
      const got = await viaEmulator(data, n, d, centres, k, { sums: 'cpu' });
      expect(Array.from(got.labels)).toEqual(Array.from(want.labels));
      expect(Array.from(got.counts)).toEqual(Array.from(want.counts));
      expect(Array.from(got.sums)).toEqual(Array.from(want.sums));
      expect(got.inertia).toBe(want.inertia);
      expect(got.stats.passes).toBe(1);
      expect(got.stats.sums).toBe('cpu');
    });
  }

  it('is identical with many chunks, a 2-D grid, Float64 input and a reassociating GPU', async () => {
    const n = 1234;
    const d = 6;
    const k = 9;
    for (const f64 of [false, true]) {
      const { data, centres } = randomCase(n, d, k, 77, 0, f64);
      const want = cpuReference(data, n, d, centres, k);
      for (const opts of [
        { maxChunkRows: 100 },
        { maxWorkgroupsPerDimension: 2 },
        { reversed: true },
        { emulatedMaxBindingBytes: 16 * 2 * 300 },
      ] as EmulatorOptions[]) {
        const got = await viaEmulator(data, n, d, centres, k, { sums: 'cpu', ...opts });
        expect(Array.from(got.labels)).toEqual(Array.from(want.labels));
        expect(Array.from(got.sums)).toEqual(Array.from(want.sums));
        expect(got.inertia).toBe(want.inertia);
      }
      const chunked = await viaEmulator(data, n, d, centres, k, { maxChunkRows: 100 });
      expect(chunked.stats.chunks).toBe(13);
    }
  });

  it('re-decides near ties in float64: labels match where float32 alone would not', async () => {
    // Points on the bisector of two centres, far from the origin, nudged by less than float32 can
    // resolve: float32 sees ties or the wrong side, float64 does not.
    const d = 5;
    const k = 3;
    const n = 400;
    const r = new Rng(11);
    const base = [1000, -2000, 500, 300, 7];
    const centres = new Float64Array(k * d);
    for (let j = 0; j < d; j++) {
      centres[j] = base[j] + 0.5;
      centres[d + j] = base[j] - 0.5;
      centres[2 * d + j] = base[j] + 40;
    }
    const data = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      // On the bisector (all coordinates equal to base, plus an orthogonal move), nudged by ~1e-9.
      const eps = (r.nextFloat() - 0.5) * 2e-9;
      const w = r.nextGaussian() * 0.1;
      for (let j = 0; j < d; j++) data[i * d + j] = base[j] + eps + (j === 0 ? w : j === 1 ? -w : 0);
    }
    const want = cpuReference(data, n, d, centres, k);
    const naive = float32Labels(data, n, d, centres, k);
    let disagree = 0;
    for (let i = 0; i < n; i++) if (naive[i] !== want.labels[i]) disagree++;
    expect(disagree).toBeGreaterThan(20); // float32 alone really gets these wrong
    expect(new Set(want.labels).size).toBe(2); // and both sides occur in float64
    for (const sums of ['cpu', 'gpu'] as const) {
      const got = await viaEmulator(data, n, d, centres, k, { sums });
      expect(Array.from(got.labels)).toEqual(Array.from(want.labels));
      expect(Array.from(got.counts)).toEqual(Array.from(want.counts));
      expect(got.stats.flaggedLast).toBeGreaterThanOrEqual(disagree);
      expect(Math.abs(got.inertia - want.inertia) / want.inertia).toBeLessThan(1e-6);
      // With GPU sums, points the re-check moved must move in the sums too.
      expect(sumsError(data, n, d, want.labels, got.sums, want.sums, k)).toBeLessThan(1e-7);
    }
  });

  it('sends exact duplicates and exact distance ties to the lowest centre index', async () => {
    const data = new Float32Array([0, 0, 2, 0, 1, 0, 1, 0, 1, 0]);
    // Centres 0 and 1 tie for every point; centre 3 duplicates centre 0.
    const centres = new Float64Array([1, 1, 1, -1, 5, 5, 1, 1]);
    const want = cpuReference(data, 5, 2, centres, 4);
    expect(Array.from(want.labels)).toEqual([0, 0, 0, 0, 0]);
    for (const sums of ['cpu', 'gpu'] as const) {
      const got = await viaEmulator(data, 5, 2, centres, 4, { sums });
      expect(Array.from(got.labels)).toEqual([0, 0, 0, 0, 0]);
      expect(got.stats.flaggedLast).toBe(5);
      expect(got.inertia).toBe(want.inertia);
    }
  });

  it('leaves a centre nobody is nearest to empty', async () => {
    const got = await viaEmulator(new Float32Array([0, 1, 2]), 3, 1, new Float64Array([1, 100]), 2);
    expect(Array.from(got.counts)).toEqual([3, 0]);
    expect(Array.from(got.sums)).toEqual([3, 0]);
    expect(got.inertia).toBe(2);
  });
});

describe('emulated GPU assignment, GPU sums', () => {
  for (const [n, d, k, offset] of [
    [1000, 3, 5, 0],
    [5000, 17, 12, 0],
    [3000, 8, 64, 0],
    [4000, 4, 6, 1e4],
    [777, 1, 3, 0],
  ]) {
    it(`matches assignStep within 1e-4 for n=${n} d=${d} k=${k} offset=${offset}`, async () => {
      const { data, centres } = randomCase(n, d, k, n + d + k, offset);
      const want = cpuReference(data, n, d, centres, k);
      const got = await viaEmulator(data, n, d, centres, k, { sums: 'gpu', partialBudgetBytes: 4096 });
      expect(got.stats.sums).toBe('gpu');
      expect(Array.from(got.labels)).toEqual(Array.from(want.labels));
      expect(Array.from(got.counts)).toEqual(Array.from(want.counts));
      expect(sumsError(data, n, d, want.labels, got.sums, want.sums, k)).toBeLessThan(1e-6);
      expect(Math.abs(got.inertia - want.inertia) / want.inertia).toBeLessThan(1e-5);
    });
  }

  it('splits partial sums into tiles and chunks and still adds them up right', async () => {
    const n = 2500;
    const d = 5;
    const k = 7;
    const { data, centres } = randomCase(n, d, k, 5);
    const want = cpuReference(data, n, d, centres, k);
    const got = await viaEmulator(data, n, d, centres, k, { sums: 'gpu', maxChunkRows: 900, partialBudgetBytes: 1 });
    expect(got.stats.chunks).toBe(3);
    expect(Array.from(got.labels)).toEqual(Array.from(want.labels));
    expect(sumsError(data, n, d, want.labels, got.sums, want.sums, k)).toBeLessThan(1e-6);
  });

  it("'auto' sums on the CPU for small data", async () => {
    const { data, centres } = randomCase(100, 3, 2, 1);
    expect((await viaEmulator(data, 100, 3, centres, 2)).stats.sums).toBe('cpu');
  });
});

describe('assigner errors', () => {
  const { data, centres } = randomCase(50, 2, 3, 9);

  it(`refuses K > ${GPU_MAX_K} with GpuUnavailableError, so callers fall back`, async () => {
    const a = await createEmulatedGpuAssigner(data, 50, 2);
    const big = new Float64Array(65 * 2);
    const err = await a.assign(big, 65, new Int32Array(50), new Float64Array(130), new Int32Array(65)).catch((e) => e);
    expect(err).toBeInstanceOf(GpuUnavailableError);
    expect(String(err)).toMatch(/K <= 64/);
  });

  it('refuses data beyond float32 range at creation', async () => {
    const huge = Float64Array.from([1, 2, 1e30, 4]);
    expect(float32RangeLimit(2)).toBeLessThan(1e30);
    await expect(createEmulatedGpuAssigner(huge, 2, 2)).rejects.toThrow(/float32 range/);
    await expect(createEmulatedGpuAssigner(Float64Array.from([1, Number.NaN]), 1, 2)).rejects.toThrow(/NaN/);
  });

  it('refuses overlapping calls and calls after dispose', async () => {
    const a = await createEmulatedGpuAssigner(data, 50, 2);
    const args = () => [centres, 3, new Int32Array(50), new Float64Array(6), new Int32Array(3)] as const;
    const first = a.assign(...args());
    await expect(a.assign(...args())).rejects.toThrow(/before the previous call finished/);
    await first;
    a.dispose();
    await expect(a.assign(...args())).rejects.toThrow(/disposed/);
  });

  it('the CPU assigner is assignStep', async () => {
    const a = cpuAsyncAssigner(data, 50, 2);
    const labels = new Int32Array(50);
    const inertia = await a.assign(centres, 3, labels, new Float64Array(6), new Int32Array(3));
    const want = cpuReference(data, 50, 2, centres, 3);
    expect(inertia).toBe(want.inertia);
    expect(Array.from(labels)).toEqual(Array.from(want.labels));
    expect(a.kind).toBe('cpu');
  });
});
