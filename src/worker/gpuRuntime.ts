// WebGPU for the analysis worker's compute kernels (the k-means assignment step, the graph
// network's propagation): one device, acquired on first use and again after it is lost, and the
// kernels made on it. Injected into the pipeline runner (RunnerEnv.openGpu, gcnKernels).
import { createGpuAssigner } from '../pipeline/cluster';
import { createGcnGpu } from '../pipeline/gcn/gpu/gcnGpu';
import { acquireGpu, errorText, type GpuAcquireResult } from '../pipeline/gpu/device';
import { adapterName, type OpenGpu } from '../pipeline/runner/clusterJob';
import type { GcnPath } from '../pipeline/runner/runner';

let acquired: Promise<GpuAcquireResult> | null = null;

/** The worker's compute device, acquired once; a lost device or a failed try is acquired afresh next time. */
export async function computeGpu(): Promise<GpuAcquireResult> {
  if (acquired) {
    const r = await acquired;
    if (r.ok && !r.gpu.lost) return r;
  }
  const next = acquireGpu();
  acquired = next;
  const r = await next;
  if (!r.ok && acquired === next) acquired = null;
  return r;
}

export const openWorkerGpu: OpenGpu = async (data, n, d, { rejectSoftware }) => {
  const r = await computeGpu();
  if (!r.ok) return { ok: false, reason: r.message };
  const adapter = r.gpu.adapter;
  if (rejectSoftware && adapter.isFallbackAdapter) {
    return {
      ok: false,
      adapter,
      reason: 'WebGPU offers only a software adapter here (correct, but slower than the CPU); choose WebGPU in the settings to use it anyway',
    };
  }
  try {
    const assigner = await createGpuAssigner(r.gpu, data, n, d);
    return { ok: true, assigner, adapter, onLost: (listener) => r.gpu.onLost(listener) };
  } catch (e) {
    return { ok: false, adapter, reason: `the WebGPU assignment kernel could not be set up (${errorText(e)})` };
  }
};

/**
 * Where the graph network propagates: WebGPU when asked, or on 'auto' when the adapter is real
 * hardware (a software adapter such as SwiftShader is slower than the CPU), else the CPU.
 */
export async function gcnKernels(device: 'auto' | 'cpu' | 'gpu', model: string): Promise<GcnPath> {
  if (device === 'cpu') return { kernels: null, reason: 'CPU, as chosen in the settings', adapter: null };
  if (model !== 'lightgcn') return { kernels: null, reason: 'CPU: only LightGCN has WebGPU kernels', adapter: null };
  const r = await computeGpu();
  if (!r.ok) return { kernels: null, reason: `CPU: WebGPU is not available here (${r.message})`, adapter: null };
  const adapter = adapterName(r.gpu.adapter);
  if (device === 'auto' && r.gpu.adapter.isFallbackAdapter) {
    return {
      kernels: null,
      reason: `CPU: WebGPU offers only a software adapter here (${adapter}), slower than the CPU; choose WebGPU to use it anyway`,
      adapter,
    };
  }
  try {
    return { kernels: createGcnGpu(r.gpu), reason: `WebGPU (${adapter})${device === 'gpu' ? ', as chosen in the settings' : ''}`, adapter };
  } catch (e) {
    return { kernels: null, reason: `CPU: the WebGPU kernels could not be set up (${errorText(e)})`, adapter };
  }
}
