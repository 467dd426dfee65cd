import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeStream } from '../analyze';
import type { Csr } from '../graph/csr';
import { buildGraph, type Graph } from '../graph/build';
import { csvStream, generateLog } from '../synth';
import { spmmF32 } from './gpu/emulate';
import { layerWeights } from './model';
import type { LightgcnKernels } from './propagate';
import { trainGcn } from './train';

let graph: Graph;

beforeAll(async () => {
  const log = generateLog({ seed: 4, users: 120, items: 90, events: 2000, segments: 3, categories: 5 });
  const a = await analyzeStream(csvStream(log), { fileName: 'synth.csv', totalBytes: null, sequence: { by: 'user' } });
  graph = buildGraph(a.ingested.table, a.sequences);
});

/**
 * The WGSL LightGCN programs emulated in float32, line for line (./gpu/emulate.ts): what training
 * on the GPU computes, without a GPU. `failAt` makes the n-th call throw, like a lost device.
 */
function emulatedGpu(failAt = Infinity): LightgcnKernels & { calls: number } {
  const k = {
    calls: 0,
    async lightgcnForward(a: Csr, emb: Float32Array, d: number, layers: number, combine: 'mean' | 'last') {
      if (++k.calls >= failAt) throw new Error('GPU device lost (emulated)');
      const alpha = layerWeights(layers, combine);
      const z = new Float32Array(emb.length);
      for (let i = 0; i < z.length; i++) z[i] = Math.fround(alpha[0] * emb[i]);
      let cur = emb;
      for (let l = 0; l < layers; l++) {
        const next = new Float32Array(emb.length);
        spmmF32(a, cur, d, next);
        for (let i = 0; i < z.length; i++) z[i] = Math.fround(z[i] + Math.fround(alpha[l + 1] * next[i]));
        cur = next;
      }
      return z;
    },
    async lightgcnBackward(aT: Csr, dz: Float32Array, d: number, layers: number, combine: 'mean' | 'last') {
      if (++k.calls >= failAt) throw new Error('GPU device lost (emulated)');
      const alpha = layerWeights(layers, combine);
      let dh = new Float32Array(dz.length);
      for (let i = 0; i < dh.length; i++) dh[i] = Math.fround(alpha[layers] * dz[i]);
      for (let l = layers - 1; l >= 0; l--) {
        const into = new Float32Array(dz.length);
        spmmF32(aT, dh, d, into);
        for (let i = 0; i < into.length; i++) into[i] = Math.fround(into[i] + Math.fround(alpha[l] * dz[i]));
        dh = into;
      }
      return dh;
    },
  };
  return k;
}

function maxRelativeGap(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  let gap = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(a[i]));
    gap = Math.max(gap, Math.abs(a[i] - b[i]));
  }
  return gap / scale;
}

describe('training with the propagation on the GPU', () => {
  const opts = { epochs: 25, hidden: 16, seed: 7, earlyStopping: null };

  it('gives the CPU training to float32 rounding, and says it ran on WebGPU', async () => {
    const cpu = await trainGcn(graph, null, opts);
    const gpu = emulatedGpu();
    const r = await trainGcn(graph, null, opts, { gpu });
    expect(cpu.device).toBe('cpu');
    expect(r.device).toBe('webgpu');
    expect(r.fallback).toBeNull();
    // Two programs per epoch and one for the final vectors: every propagation went to the kernels.
    expect(gpu.calls).toBe(2 * opts.epochs + 1);
    expect(r.loss).toHaveLength(opts.epochs);
    for (let e = 0; e < opts.epochs; e++) expect(Math.abs(r.loss[e] - cpu.loss[e]) / cpu.loss[e]).toBeLessThan(1e-4);
    expect(maxRelativeGap(r.z, cpu.z)).toBeLessThan(1e-3);
  });

  it('carries on on the CPU when the GPU fails mid-training, and says why', async () => {
    const failing = emulatedGpu(8);
    const r = await trainGcn(graph, null, opts, { gpu: failing });
    expect(r.device).toBe('cpu');
    expect(r.fallback).toMatch(/device lost/);
    expect(r.epochs).toBe(opts.epochs);
    expect(r.loss.every(Number.isFinite)).toBe(true);
    const cpu = await trainGcn(graph, null, opts);
    expect(maxRelativeGap(r.z, cpu.z)).toBeLessThan(1e-3);
  });

  it("keeps the 'gcn' variant on the CPU even when kernels are given", async () => {
    const gpu = emulatedGpu();
    const r = await trainGcn(graph, null, { ...opts, epochs: 3, model: 'gcn' }, { gpu });
    expect(r.device).toBe('cpu');
    expect(gpu.calls).toBe(0);
  });
});
