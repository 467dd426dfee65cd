// WebGPU plumbing: device acquisition with loss tracking, buffer helpers. The kernels themselves
// live next to the algorithms they accelerate (e.g. cluster/gpuAssign.ts).
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
} from './device.ts';
export { alignUp, compileShader, createBuffer, createStorageWith, grid2d, readBuffers, withErrorScopes } from './buffers.ts';
