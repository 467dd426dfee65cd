// WebGPU twins of the GCN's CPU kernels (see gcnGpu.ts).
export { createGcnGpu, type GcnGpu, type GcnGpuOptions, type GcnGpuStats, type GpuCsr } from './gcnGpu';
export { checkBinding, planDispatch, WORKGROUP, type DispatchPlan } from './plan';
export { ACT_CODE, GCN_PROGRAMS, type GcnKernel } from './shaders';
