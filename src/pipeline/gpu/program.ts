// Compute programs and the one cache of their compiled pipelines, shared by every kernel (the GCN's
// in gcn/gpu, k-means' in cluster/gpu).
//
// A program is what a kernel needs compiled: its WGSL, the entry point, the workgroup size the WGSL
// declares, and a cache key. The key names everything the source depends on (the way
// tfjs-backend-webgpu's programs carry a shaderKey): two programs with one key must be the same
// program, which getPipeline() checks. Each kernel's program objects sit in its shaders.ts next to
// the WGSL; the dispatch that sizes their grids sits in its plan.ts.
//
// Compiling takes seconds on software adapters (SwiftShader), so pipelines are kept per device for
// the life of the device: a WeakMap from device to key, so a dropped device takes its pipelines
// with it. Programs that share a source (several entry points of one module) compile it once.
import { errorText, GpuUnavailableError } from './device';
import { compileShader } from './buffers';

export interface GpuProgram {
  /** Cache key: unique per (source, entry point); programs built from parameters put them in it. */
  readonly shaderKey: string;
  /** Label of the module and pipeline in browser error messages and GPU captures. */
  readonly label: string;
  readonly code: string;
  readonly entryPoint: string;
  /** Invocations per workgroup, as the WGSL's @workgroup_size declares (the dispatch plans with it). */
  readonly workgroupSize: number;
}

interface DeviceCache {
  pipelines: Map<string, { code: string; entryPoint: string; pipeline: Promise<GPUComputePipeline> }>;
  modules: Map<string, Promise<GPUShaderModule>>;
}

const caches = new WeakMap<GPUDevice, DeviceCache>();

function cacheOf(device: GPUDevice): DeviceCache {
  let c = caches.get(device);
  if (!c) {
    c = { pipelines: new Map(), modules: new Map() };
    caches.set(device, c);
  }
  return c;
}

/**
 * The compiled pipeline of `program` on `device`, compiled on first use and shared afterwards. A
 * failed compile is not cached (the next call tries again) and rejects with GpuUnavailableError.
 */
export function getPipeline(device: GPUDevice, program: GpuProgram): Promise<GPUComputePipeline> {
  const cache = cacheOf(device);
  const hit = cache.pipelines.get(program.shaderKey);
  if (hit) {
    if (hit.code !== program.code || hit.entryPoint !== program.entryPoint) {
      throw new Error(`Two different GPU programs share the cache key '${program.shaderKey}'`);
    }
    return hit.pipeline;
  }
  let module = cache.modules.get(program.code);
  if (!module) {
    const compiled = compileShader(device, program.code, program.label);
    module = compiled;
    cache.modules.set(program.code, compiled);
    compiled.catch(() => {
      if (cache.modules.get(program.code) === compiled) cache.modules.delete(program.code);
    });
  }
  const compiledModule = module;
  const pipeline = (async () => {
    const m = await compiledModule;
    const descriptor: GPUComputePipelineDescriptor = {
      label: program.label,
      layout: 'auto',
      compute: { module: m, entryPoint: program.entryPoint },
    };
    try {
      // The async form does not stall the queue where the browser compiles in the background.
      return device.createComputePipelineAsync ? await device.createComputePipelineAsync(descriptor) : device.createComputePipeline(descriptor);
    } catch (e) {
      throw new GpuUnavailableError('gpu-error', `Creating the ${program.label} pipeline failed: ${errorText(e)}`);
    }
  })();
  const entry = { code: program.code, entryPoint: program.entryPoint, pipeline };
  cache.pipelines.set(program.shaderKey, entry);
  pipeline.catch(() => {
    if (cache.pipelines.get(program.shaderKey) === entry) cache.pipelines.delete(program.shaderKey);
  });
  return pipeline;
}

/** How many pipelines are cached for `device` (tests and diagnostics). */
export function cachedPipelineCount(device: GPUDevice): number {
  return caches.get(device)?.pipelines.size ?? 0;
}
