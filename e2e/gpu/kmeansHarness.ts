// Browser harness for e2e/gpu-kmeans.spec.ts: bundled by the spec with esbuild and served on the
// app's origin. It runs the WebGPU k-means kernel and its CPU twin (assignStep) on the same input
// inside the page, and returns comparison summaries for the spec to assert on (the arrays stay in
// the browser). Not part of the app.
import { acquireGpu, type GpuAdapterSummary, type GpuContext, GpuUnavailableError } from '../../src/pipeline/gpu/index';
import { adjustedRandIndex } from '../../src/pipeline/cluster/agreement';
import { assignStep } from '../../src/pipeline/cluster/assign';
import { makeBlobs } from '../../src/pipeline/cluster/blobs';
import { createGpuAssigner, type GpuAssignerOptions, type GpuAssignerStats } from '../../src/pipeline/cluster/gpu/index';
import { kmeans } from '../../src/pipeline/cluster/kmeans';
import { kmeansAsync } from '../../src/pipeline/cluster/kmeansAsync';
import { squaredDistance } from '../../src/pipeline/numeric/distance';
import { Rng } from '../../src/pipeline/numeric/random';
import { sweepK } from '../../src/pipeline/cluster/sweep';

export interface AssignCase {
  n: number;
  d: number;
  k: number;
  seed: number;
  /** random: Gaussian data, centres near data points; duplicates: few distinct rows and centres on them; ties: points equidistant from centre pairs. */
  data: 'random' | 'duplicates' | 'ties';
  options?: GpuAssignerOptions;
}

export interface AssignReport {
  backend: string;
  stats: GpuAssignerStats;
  /** Final labels that differ from assignStep's (must be 0). */
  labelMismatches: number;
  /** Points whose raw GPU label differs from assignStep's although the kernel did not flag them (must be 0). */
  unflaggedRawMismatches: number;
  /** Points the kernel flagged as near ties. */
  flagged: number;
  countsEqual: boolean;
  sumsIdentical: boolean;
  /** Worst |gpu - cpu| of the sums, relative to the summed |x| of the cluster. */
  sumsMaxRelError: number;
  inertiaGpu: number;
  inertiaCpu: number;
  /** Worst relative error of the kernel's float32 minimal distances (points with distance > 1e-3). */
  distMaxRelError: number;
  gpuMs: number;
  cpuMs: number;
}

let context: GpuContext | null = null;

async function gpu(): Promise<GpuContext> {
  if (context && !context.lost) return context;
  const r = await acquireGpu();
  if (!r.ok) throw new Error(`No WebGPU: ${r.reason}: ${r.message}`);
  context = r.gpu;
  return context;
}

function makeCase(c: AssignCase): { data: Float32Array; centres: Float64Array } {
  const { n, d, k } = c;
  const r = new Rng(c.seed);
  const data = new Float32Array(n * d);
  const centres = new Float64Array(k * d);
  if (c.data === 'random') {
    for (let i = 0; i < data.length; i++) data[i] = r.nextGaussian() * 3 + (i % 5);
    for (let q = 0; q < k; q++) {
      const p = r.nextInt(n);
      for (let j = 0; j < d; j++) centres[q * d + j] = data[p * d + j] + r.nextGaussian() * 0.3;
    }
  } else if (c.data === 'duplicates') {
    // 7 distinct rows repeated; centres sit exactly on distinct rows, several centres on the same row.
    const rows = Array.from({ length: 7 }, () => Array.from({ length: d }, () => Math.round(r.nextGaussian() * 4)));
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) data[i * d + j] = rows[i % 7][j];
    for (let q = 0; q < k; q++) for (let j = 0; j < d; j++) centres[q * d + j] = rows[q % 5][j];
  } else {
    // Integer grid points; centres in mirrored pairs around them, so many distances tie exactly.
    for (let i = 0; i < data.length; i++) data[i] = r.nextInt(5);
    for (let q = 0; q < k; q++) {
      for (let j = 0; j < d; j++) centres[q * d + j] = q % 2 === 0 ? 2 + (j % 2) : 2 - (j % 2);
      centres[q * d] += Math.floor(q / 2) * 0.5;
    }
  }
  return { data, centres };
}

async function assignCase(c: AssignCase): Promise<AssignReport> {
  const ctx = await gpu();
  const { n, d, k } = c;
  const { data, centres } = makeCase(c);
  const assigner = await createGpuAssigner(ctx, data, n, d, { keepRaw: true, ...c.options });
  try {
    const labels = new Int32Array(n);
    const sums = new Float64Array(k * d);
    const counts = new Int32Array(k);
    let t = performance.now();
    const inertiaGpu = await assigner.assign(centres, k, labels, sums, counts);
    const gpuMs = performance.now() - t;
    const cpuLabels = new Int32Array(n);
    const cpuSums = new Float64Array(k * d);
    const cpuCounts = new Int32Array(k);
    t = performance.now();
    const inertiaCpu = assignStep(data, n, d, centres, k, cpuLabels, cpuSums, cpuCounts);
    const cpuMs = performance.now() - t;

    let labelMismatches = 0;
    for (let i = 0; i < n; i++) if (labels[i] !== cpuLabels[i]) labelMismatches++;
    // The kernel itself, before the host's re-check: unflagged labels must already be right.
    let unflaggedRawMismatches = 0;
    let flagged = 0;
    let distMaxRelError = 0;
    const raw = assigner.lastRaw;
    if (!raw) throw new Error('keepRaw did not keep the raw output');
    raw.chunks.forEach((ch, index) => {
      const out = raw.outputs[index].out;
      const dist = new Float32Array(out.buffer, out.byteOffset, out.length);
      for (let r = 0; r < ch.rows; r++) {
        const i = ch.start + r;
        const word = out[2 * r];
        if (word >>> 31) flagged++;
        else if ((word & 0x7fffffff) !== cpuLabels[i]) unflaggedRawMismatches++;
        const exact = squaredDistance(data, i * d, centres, cpuLabels[i] * d, d);
        if (exact > 1e-3) distMaxRelError = Math.max(distMaxRelError, Math.abs(dist[2 * r + 1] - exact) / exact);
      }
    });
    const scale = new Float64Array(k * d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) scale[cpuLabels[i] * d + j] += Math.abs(data[i * d + j]);
    let sumsMaxRelError = 0;
    let sumsIdentical = true;
    for (let q = 0; q < k * d; q++) {
      if (sums[q] !== cpuSums[q]) sumsIdentical = false;
      const e = Math.abs(sums[q] - cpuSums[q]);
      sumsMaxRelError = Math.max(sumsMaxRelError, scale[q] > 0 ? e / scale[q] : e);
    }
    let countsEqual = true;
    for (let q = 0; q < k; q++) if (counts[q] !== cpuCounts[q]) countsEqual = false;
    return {
      backend: assigner.backend,
      stats: { ...assigner.stats },
      labelMismatches,
      unflaggedRawMismatches,
      flagged,
      countsEqual,
      sumsIdentical,
      sumsMaxRelError,
      inertiaGpu,
      inertiaCpu,
      distMaxRelError,
      gpuMs,
      cpuMs,
    };
  } finally {
    assigner.dispose();
  }
}

export interface KMeansReport {
  path: string;
  fallbackReason: string | null;
  assignPasses: number;
  gpuPasses: number;
  inertiaGpu: number;
  inertiaCpu: number;
  ari: number;
  labelsIdentical: boolean;
  gpuMs: number;
  cpuMs: number;
}

async function kmeansCase(c: {
  n: number;
  d: number;
  k: number;
  blobs: number;
  seed: number;
  sums: 'cpu' | 'gpu';
  algorithm?: 'lloyd' | 'minibatch';
}): Promise<KMeansReport> {
  const ctx = await gpu();
  const { data } = makeBlobs(c.n, c.d, c.blobs, { std: 2, seed: c.seed });
  const assigner = await createGpuAssigner(ctx, data, c.n, c.d, { sums: c.sums });
  try {
    const opts = { k: c.k, seed: c.seed, restarts: 2, algorithm: c.algorithm ?? 'lloyd', batchSize: 256 } as const;
    let t = performance.now();
    const g = await kmeansAsync(data, c.n, c.d, { ...opts, assigner, fallbackToCpu: false });
    const gpuMs = performance.now() - t;
    t = performance.now();
    const cpu = kmeans(data, c.n, c.d, opts);
    const cpuMs = performance.now() - t;
    let same = true;
    for (let i = 0; i < c.n; i++) if (g.labels[i] !== cpu.labels[i]) same = false;
    return {
      path: g.path,
      fallbackReason: g.fallbackReason ?? null,
      assignPasses: g.assignPasses,
      gpuPasses: assigner.stats.passes,
      inertiaGpu: g.inertia,
      inertiaCpu: cpu.inertia,
      ari: adjustedRandIndex(g.labels, cpu.labels),
      labelsIdentical: same,
      gpuMs,
      cpuMs,
    };
  } finally {
    assigner.dispose();
  }
}

async function sweepCase(c: {
  n: number;
  d: number;
  blobs: number;
  kMax: number;
}): Promise<{ path: string; suggested: number; elbow: number | null; gpuPasses: number; sameAsCpu: boolean }> {
  const ctx = await gpu();
  const { data } = makeBlobs(c.n, c.d, c.blobs, { std: 0.7, seed: 5 });
  const assigner = await createGpuAssigner(ctx, data, c.n, c.d);
  try {
    const g = await sweepK(data, c.n, c.d, { kMax: c.kMax, seeds: 2, assigner });
    const cpu = await sweepK(data, c.n, c.d, { kMax: c.kMax, seeds: 2 });
    const sameAsCpu = g.entries.every((e, i) => e.labels.every((l, p) => l === cpu.entries[i].labels[p]));
    return { path: g.path, suggested: g.suggested.k, elbow: g.elbow?.k ?? null, gpuPasses: assigner.stats.passes, sameAsCpu };
  } finally {
    assigner.dispose();
  }
}

/** Loses a device on purpose (destroy) and checks that the assigner says so and kmeansAsync falls back. */
async function deviceLossCase(): Promise<{ errorName: string; reason: string; message: string; fallbackPath: string; fallbackReason: string | null }> {
  const r = await acquireGpu();
  if (!r.ok) throw new Error(r.message);
  const n = 300;
  const d = 3;
  const { data } = makeBlobs(n, d, 3, { seed: 1 });
  const assigner = await createGpuAssigner(r.gpu, data, n, d);
  r.gpu.destroy();
  await r.gpu.device.lost;
  const err = await assigner.assign(new Float64Array(6), 2, new Int32Array(n), new Float64Array(6), new Int32Array(2)).then(
    () => null,
    (e: unknown) => e,
  );
  const km = await kmeansAsync(data, n, d, { k: 3, assigner });
  return {
    errorName: err instanceof Error ? err.name : String(err),
    reason: err instanceof GpuUnavailableError ? err.reason : '',
    message: err instanceof Error ? err.message : '',
    fallbackPath: km.path,
    fallbackReason: km.fallbackReason ?? null,
  };
}

/** The same assignment from a dedicated worker (served at /__gpu-harness-worker.js). */
function workerCase(c: AssignCase): Promise<{ adapter: GpuAdapterSummary | null; report: AssignReport | null; error: string | null }> {
  const worker = new Worker('/__gpu-harness-worker.js', { type: 'module' });
  return new Promise((resolve) => {
    worker.onmessage = (e) => {
      worker.terminate();
      resolve(e.data);
    };
    worker.onerror = (e) => {
      worker.terminate();
      resolve({ adapter: null, report: null, error: e.message || 'worker failed to load' });
    };
    worker.postMessage(c);
  });
}

async function info(): Promise<{ hasNavigatorGpu: boolean; adapter: GpuAdapterSummary; limits: GpuContext['limits'] }> {
  const ctx = await gpu();
  return { hasNavigatorGpu: 'gpu' in navigator, adapter: ctx.adapter, limits: ctx.limits };
}

export const harness = { info, assignCase, kmeansCase, sweepCase, deviceLossCase, workerCase };

declare global {
  // eslint-disable-next-line no-var
  var __gpuHarness: typeof harness | undefined;
}

if (typeof window !== 'undefined') globalThis.__gpuHarness = harness;
