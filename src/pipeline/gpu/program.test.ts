// The pipeline cache against a fake device that counts what it compiles: the real compiler only
// exists in a browser (the e2e GPU specs run the programs themselves).
import { describe, expect, it } from 'vitest';
import { GpuUnavailableError } from './device';
import { cachedPipelineCount, getPipeline, type GpuProgram } from './program';

function fakeDevice(opts: { failCompile?: () => boolean; asyncPipelines?: boolean } = {}) {
  const calls = { modules: 0, pipelines: 0 };
  const device = {
    createShaderModule: (desc: GPUShaderModuleDescriptor) => {
      calls.modules++;
      const failed = opts.failCompile?.() ?? false;
      return {
        code: desc.code,
        getCompilationInfo: async () => ({ messages: failed ? [{ type: 'error', lineNum: 1, linePos: 2, message: 'bad' }] : [] }),
      };
    },
    createComputePipeline: (desc: GPUComputePipelineDescriptor) => {
      calls.pipelines++;
      return { desc, id: calls.pipelines };
    },
    createComputePipelineAsync: undefined as unknown,
  };
  if (opts.asyncPipelines) device.createComputePipelineAsync = async (desc: GPUComputePipelineDescriptor) => device.createComputePipeline(desc);
  return { device: device as unknown as GPUDevice, calls };
}

const MAIN: GpuProgram = { shaderKey: 'test-a', label: 'test a', code: 'fn a() {}', entryPoint: 'a', workgroupSize: 64 };
const SECOND_ENTRY: GpuProgram = { ...MAIN, shaderKey: 'test-a2', entryPoint: 'a2' };
const OTHER: GpuProgram = { shaderKey: 'test-b', label: 'test b', code: 'fn b() {}', entryPoint: 'main', workgroupSize: 64 };

describe('getPipeline', () => {
  it('compiles a program once per device and hands the same pipeline back', async () => {
    const { device, calls } = fakeDevice();
    const first = getPipeline(device, MAIN);
    const again = getPipeline(device, { ...MAIN }); // an equal program object: the key decides
    expect(again).toBe(first);
    expect(await again).toBe(await first);
    expect(calls).toEqual({ modules: 1, pipelines: 1 });
    expect(await getPipeline(device, OTHER)).not.toBe(await first);
    expect(cachedPipelineCount(device)).toBe(2);
  });

  it('compiles again for another device', async () => {
    const a = fakeDevice();
    const b = fakeDevice({ asyncPipelines: true });
    const pa = await getPipeline(a.device, MAIN);
    const pb = await getPipeline(b.device, MAIN);
    expect(pb).not.toBe(pa);
    expect(a.calls.pipelines).toBe(1);
    expect(b.calls.pipelines).toBe(1);
  });

  it('shares one module among the entry points of one source', async () => {
    const { device, calls } = fakeDevice();
    const [p1, p2] = await Promise.all([getPipeline(device, MAIN), getPipeline(device, SECOND_ENTRY)]);
    expect(p1).not.toBe(p2);
    expect(calls).toEqual({ modules: 1, pipelines: 2 });
  });

  it('refuses two different programs under one key', () => {
    const { device } = fakeDevice();
    void getPipeline(device, MAIN);
    expect(() => getPipeline(device, { ...MAIN, code: 'fn other() {}' })).toThrow(/share the cache key 'test-a'/);
  });

  it('does not keep a failed compile: the next call compiles again', async () => {
    let fail = true;
    const { device, calls } = fakeDevice({ failCompile: () => fail });
    const err = await getPipeline(device, MAIN).catch((e) => e);
    expect(err).toBeInstanceOf(GpuUnavailableError);
    expect((err as Error).message).toMatch(/WGSL compilation of test a failed:\n1:2 bad/);
    expect(cachedPipelineCount(device)).toBe(0);
    fail = false;
    await expect(getPipeline(device, MAIN)).resolves.toBeDefined();
    expect(calls.modules).toBe(2);
    expect(cachedPipelineCount(device)).toBe(1);
  });
});
