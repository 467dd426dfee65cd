import { describe, expect, it } from 'vitest';
import { alignUp, grid2d, readBuffers, withErrorScopes } from './buffers';
import { acquireGpu, assertDeviceAlive, GpuUnavailableError, isDeviceLost, navigatorGpu, wrapDevice } from './device';

/** Just enough of a GPUDevice for the plumbing: limits, a controllable `lost`, error scopes. */
function fakeDevice(scopeErrors: (string | null)[] = []) {
  let lose: (info: { reason: string; message: string }) => void = () => {};
  const lost = new Promise<{ reason: string; message: string }>((resolve) => {
    lose = resolve;
  });
  const scopes: (string | null)[] = [...scopeErrors];
  let destroyed = false;
  const device = {
    limits: {
      maxStorageBufferBindingSize: 1 << 27,
      maxBufferSize: 1 << 28,
      maxComputeWorkgroupsPerDimension: 65535,
      maxComputeInvocationsPerWorkgroup: 256,
      maxComputeWorkgroupStorageSize: 16384,
    },
    lost,
    pushErrorScope: () => {},
    popErrorScope: async () => {
      const m = scopes.shift() ?? null;
      return m === null ? null : { message: m };
    },
    destroy: () => {
      destroyed = true;
      lose({ reason: 'destroyed', message: 'destroy() called' });
    },
  };
  return {
    device: device as unknown as GPUDevice,
    lose: (message: string) => lose({ reason: 'unknown', message }),
    isDestroyed: () => destroyed,
  };
}

function fakeGpu(adapter: unknown): GPU {
  return { requestAdapter: async () => adapter } as unknown as GPU;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('acquireGpu', () => {
  it('reports a missing WebGPU instead of throwing (Node has no navigator.gpu)', async () => {
    expect(navigatorGpu()).toBeNull();
    const r = await acquireGpu();
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toBe('no-webgpu');
      expect(r.message).toMatch(/WebGPU is not available/);
    }
  });

  it('reports a missing adapter', async () => {
    const r = await acquireGpu({ gpu: fakeGpu(null) });
    expect(r).toMatchObject({ ok: false, reason: 'no-adapter' });
  });

  it('reports a device that cannot be opened, with the browser message', async () => {
    const adapter = {
      info: { vendor: 'v', architecture: 'a', device: '', description: '', isFallbackAdapter: false },
      limits: { maxStorageBufferBindingSize: 1, maxBufferSize: 1 },
      requestDevice: async () => {
        throw new Error('out of luck');
      },
    };
    const r = await acquireGpu({ gpu: fakeGpu(adapter) });
    expect(r).toMatchObject({ ok: false, reason: 'device-failed' });
    if (!r.ok) expect(r.message).toMatch(/out of luck/);
  });

  it('asks for the adapter maximum buffer sizes, reports the adapter and refuses fallbacks on request', async () => {
    const fake = fakeDevice();
    let asked: GPUDeviceDescriptor | undefined;
    const adapter = {
      info: { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true },
      limits: { maxStorageBufferBindingSize: 1 << 30, maxBufferSize: 1 << 31 },
      requestDevice: async (desc: GPUDeviceDescriptor) => {
        asked = desc;
        return fake.device;
      },
    };
    const r = await acquireGpu({ gpu: fakeGpu(adapter) });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(asked?.requiredLimits).toEqual({ maxStorageBufferBindingSize: 1 << 30, maxBufferSize: 1 << 31 });
    expect(r.gpu.adapter).toEqual({ vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true });
    expect(r.gpu.limits.maxComputeWorkgroupsPerDimension).toBe(65535);
    const refused = await acquireGpu({ gpu: fakeGpu(adapter), rejectFallbackAdapter: true });
    expect(refused).toMatchObject({ ok: false, reason: 'no-adapter' });
  });
});

describe('device loss', () => {
  it('flips the flag, tells listeners once and makes assertDeviceAlive throw', async () => {
    const fake = fakeDevice();
    const ctx = wrapDevice(fake.device);
    const heard: string[] = [];
    ctx.onLost((m) => heard.push(m));
    expect(ctx.lost).toBe(false);
    expect(() => assertDeviceAlive(fake.device)).not.toThrow();
    fake.lose('driver reset');
    await tick();
    expect(ctx.lost).toBe(true);
    expect(isDeviceLost(fake.device)).toBe(true);
    expect(ctx.lostMessage).toMatch(/lost \(unknown\): driver reset/);
    expect(heard).toHaveLength(1);
    expect(() => assertDeviceAlive(fake.device)).toThrow(GpuUnavailableError);
    let late = '';
    ctx.onLost((m) => (late = m));
    expect(late).toMatch(/driver reset/);
  });

  it('counts destroy() as a loss', async () => {
    const fake = fakeDevice();
    const ctx = wrapDevice(fake.device);
    ctx.destroy();
    await tick();
    expect(fake.isDestroyed()).toBe(true);
    expect(ctx.lost).toBe(true);
  });

  it('turns a failed read-back on a lost device into a device-lost error', async () => {
    const fake = fakeDevice();
    wrapDevice(fake.device);
    const buffer = {
      mapState: 'unmapped',
      mapAsync: async () => {
        throw new Error('OperationError');
      },
    } as unknown as GPUBuffer;
    fake.lose('gone');
    await tick();
    const err = await readBuffers(fake.device, [buffer], [16]).catch((e) => e);
    expect(err).toBeInstanceOf(GpuUnavailableError);
    expect((err as GpuUnavailableError).reason).toBe('device-lost');
  });

  it('waits a moment for a loss that is announced after the failed read-back', async () => {
    const failing = {
      mapState: 'unmapped',
      mapAsync: async () => {
        throw new Error('OperationError');
      },
    } as unknown as GPUBuffer;
    const late = fakeDevice();
    setTimeout(() => late.lose('late'), 20);
    const err = (await readBuffers(late.device, [failing], [16]).catch((e) => e)) as GpuUnavailableError;
    expect(err.reason).toBe('device-lost');
    const alive = fakeDevice();
    const other = (await readBuffers(alive.device, [failing], [16]).catch((e) => e)) as GpuUnavailableError;
    expect(other.reason).toBe('gpu-error');
    expect(other.message).toMatch(/Reading results back from the GPU failed: OperationError/);
  });
});

describe('buffer helpers', () => {
  it('alignUp rounds up to the multiple', () => {
    expect([0, 1, 4, 5, 17].map((x) => alignUp(x, 4))).toEqual([0, 4, 4, 8, 20]);
  });

  it('grid2d covers every workgroup without exceeding the per-dimension limit', () => {
    for (const [groups, max] of [
      [1, 65535],
      [65535, 65535],
      [65536, 65535],
      [8, 3],
      [9, 3],
      [1_000_000, 65535],
    ]) {
      const [x, y] = grid2d(groups, max);
      expect(x).toBeLessThanOrEqual(max);
      expect(y).toBeLessThanOrEqual(max);
      expect(x * y).toBeGreaterThanOrEqual(groups);
      expect(x * (y - 1)).toBeLessThan(groups); // no empty row of workgroups
    }
    expect(grid2d(0, 5)).toEqual([0, 0]);
    expect(() => grid2d(10, 3)).toThrow(/do not fit/);
  });

  it('withErrorScopes turns a captured validation error into GpuUnavailableError', async () => {
    const ok = fakeDevice([null, null]);
    await expect(withErrorScopes(ok.device, 'x', () => 7)).resolves.toBe(7);
    const bad = fakeDevice(['binding too large', null]);
    await expect(withErrorScopes(bad.device, 'Upload', () => 7)).rejects.toThrow(/Upload failed on the GPU: binding too large/);
  });
});
