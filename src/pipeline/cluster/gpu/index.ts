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
} from './assigner.ts';
export { createEmulatedGpuAssigner, type EmulatorOptions } from './emulate.ts';
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
} from './plan.ts';
export { ASSIGN_PROGRAM, ASSIGN_WGSL, SUMS_PROGRAM } from './shaders.ts';
export { createGpuAssigner } from './webgpuBackend.ts';
