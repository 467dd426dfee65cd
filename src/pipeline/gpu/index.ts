// WebGPU plumbing: device acquisition with loss tracking, buffer helpers, and the one cache of
// compiled pipelines (program.ts). The kernels themselves live next to the algorithms they
// accelerate (cluster/gpu/, gcn/gpu/), each as program objects beside its WGSL.
export {
  acquireGpu,
  assertDeviceAlive,
  BufferUsage,
  GpuUnavailableError,
  isDeviceLost,
  MapMode,
  navigatorGpu,
  watchDevice,
  wrapDevice,
  type AcquireOptions,
  type GpuAcquireResult,
  type GpuAdapterSummary,
  type GpuContext,
  type GpuFailure,
  type GpuLimits,
} from './device';
export { alignUp, compileShader, createBuffer, createStorageWith, grid2d, readBuffers, withErrorScopes } from './buffers';
export { cachedPipelineCount, getPipeline, type GpuProgram } from './program';
