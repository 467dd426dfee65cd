// WebGPU for the analysis worker's compute kernels (the k-means assignment step): one device,
// acquired on first use and again after it is lost, and the assigner for a data set made on it.
import { createGpuAssigner } from '../pipeline/cluster';
import { acquireGpu, errorText, type GpuAcquireResult } from '../pipeline/gpu/device';
import type { OpenGpu } from '../pipeline/runner/clusterJob';

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
      reason:
        'WebGPU offers only a software adapter here (correct, but slower than the CPU); choose WebGPU in the settings to use it anyway',
    };
  }
  try {
    const assigner = await createGpuAssigner(r.gpu, data, n, d);
    return { ok: true, assigner, adapter, onLost: (listener) => r.gpu.onLost(listener) };
  } catch (e) {
    return { ok: false, adapter, reason: `the WebGPU assignment kernel could not be set up (${errorText(e)})` };
  }
};
