// The k-means assignment step on WebGPU (see assigner.ts): host side, planning, WGSL programs,
// the WebGPU backend and the float32 emulation the unit tests run it on.
export {
  createAssignerWithBackend,
  finishAssignment,
  type GpuAssigner,
  type GpuAssignerOptions,
  type GpuAssignerStats,
  type KernelBackend,
  type KernelCall,
  type KernelOutput,
} from './assigner';
export { createEmulatedGpuAssigner, type EmulatorOptions } from './emulate';
export {
  ASSIGN_WORKGROUP,
  AUTO_CPU_SUMS_MAX,
  type ChunkPlan,
  float32RangeLimit,
  GPU_MAX_K,
  MAX_TILE,
  MIN_TILE,
  planChunks,
  planTiles,
  tieTolerance,
  type TilePlan,
} from './plan';
export { ASSIGN_PROGRAM, ASSIGN_WGSL, SUMS_PROGRAM } from './shaders';
export { createGpuAssigner } from './webgpuBackend';
