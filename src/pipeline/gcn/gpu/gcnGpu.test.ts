// Host-side checks of the GPU context that need no GPU: argument validation happens before any
// device call, and work of size zero dispatches nothing. (The kernels themselves are checked in
// real Chromium by e2e/gpu-gcn.spec.ts.)
import { describe, expect, it } from 'vitest';
import type { Csr } from '../../graph/csr';
import { createGcnGpu } from './gcnGpu';

/** A device whose every method throws: any call at all fails the test. */
function untouchableDevice(): GPUDevice {
  const fail = () => {
    throw new Error('the device must not be used');
  };
  return {
    queue: { writeBuffer: fail, submit: fail },
    limits: { maxComputeWorkgroupsPerDimension: 65535, maxStorageBufferBindingSize: 1 << 27 },
    lost: new Promise(() => {}),
    createBuffer: fail,
    createCommandEncoder: fail,
    createShaderModule: fail,
    pushErrorScope: fail,
    popErrorScope: fail,
  } as unknown as GPUDevice;
}

const csr: Csr = { rows: 2, cols: 3, rowPtr: new Int32Array([0, 1, 1]), colIdx: new Int32Array([2]), values: new Float32Array([1]) };

describe('createGcnGpu argument checks', () => {
  it('rejects mis-sized inputs before touching the device', async () => {
    const g = createGcnGpu(untouchableDevice());
    await expect(g.spmm(csr, new Float32Array(5), 2, new Float32Array(4))).rejects.toThrow(/X holds 5 numbers, needs 3 x 2/);
    await expect(g.spmmT(csr, new Float32Array(6), 2, new Float32Array(3))).rejects.toThrow(/out holds 3 numbers/);
    await expect(g.biasActNorm(new Float32Array(4), new Float32Array(1), 2, 2, 'relu', true, new Float32Array(4), null)).rejects.toThrow(/bias holds 1/);
    await expect(
      g.biasActNormBackward(
        new Float32Array(4),
        new Float32Array(4),
        new Float32Array(2),
        new Float32Array(4),
        null,
        2,
        2,
        'none',
        true,
        new Float32Array(4),
        new Float64Array(2),
      ),
    ).rejects.toThrow(/forward norms/);
    await expect(g.lightgcnForward(csr, new Float32Array(6), 2, 1, 'mean')).rejects.toThrow(/square/);
    expect(g.stats.dispatches).toBe(0);
  });

  it('does nothing for empty work', async () => {
    const g = createGcnGpu(untouchableDevice());
    const empty: Csr = { rows: 0, cols: 3, rowPtr: new Int32Array([0]), colIdx: new Int32Array(0), values: new Float32Array(0) };
    await g.spmm(empty, new Float32Array(3), 1, new Float32Array(0));
    await g.spmm(csr, new Float32Array(0), 0, new Float32Array(0));
    await g.biasActNorm(new Float32Array(0), new Float32Array(0), 0, 0, 'none', true, new Float32Array(0), new Float32Array(0));
    await g.combine(1, new Float32Array(0), 1, new Float32Array(0));
    expect(g.stats.dispatches).toBe(0);
  });

  it('builds the transpose once per matrix', () => {
    const g = createGcnGpu(untouchableDevice());
    const t = g.transposed(csr);
    expect(g.transposed(csr)).toBe(t);
    expect(t.rows).toBe(3);
    expect([...t.rowPtr]).toEqual([0, 0, 0, 1]);
  });
});
