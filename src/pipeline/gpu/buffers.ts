// Small buffer and dispatch helpers shared by the compute kernels.
import { BufferUsage, errorText, GpuUnavailableError, MapMode, watchDevice } from './device';

/** x rounded up to a multiple of `a`. */
export function alignUp(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

/** A storage buffer holding `data` (size rounded up to 4 bytes, as writeBuffer requires). */
export function createStorageWith(device: GPUDevice, data: ArrayBufferView, label: string, extraUsage = 0): GPUBuffer {
  const buffer = device.createBuffer({
    label,
    size: Math.max(4, alignUp(data.byteLength, 4)),
    usage: BufferUsage.STORAGE | BufferUsage.COPY_DST | extraUsage,
  });
  if (data.byteLength > 0) device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return buffer;
}

/** An empty buffer of at least `size` bytes (rounded up to 16, so it can hold vec4s). */
export function createBuffer(device: GPUDevice, size: number, usage: number, label: string): GPUBuffer {
  return device.createBuffer({ label, size: Math.max(16, alignUp(size, 16)), usage });
}

export const STORAGE_RW = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;
export const UNIFORM = BufferUsage.UNIFORM | BufferUsage.COPY_DST;
export const READBACK = BufferUsage.MAP_READ | BufferUsage.COPY_DST;

/**
 * Workgroup counts for `groups` workgroups in a 2-D grid that respects
 * maxComputeWorkgroupsPerDimension (65535 by default): x = min(groups, max), y = ceil(groups / x).
 * The shader recovers the linear index as wid.y * x + wid.x and drops the overshoot.
 */
export function grid2d(groups: number, maxPerDim: number): [number, number] {
  if (groups <= 0) return [0, 0];
  const x = Math.min(groups, maxPerDim);
  const y = Math.ceil(groups / x);
  if (y > maxPerDim) throw new Error(`${groups} workgroups do not fit a ${maxPerDim} x ${maxPerDim} grid`);
  return [x, y];
}

/**
 * Maps READBACK buffers (already filled by a submitted copy) and returns copies of their first
 * `bytes[i]` bytes. A lost device or a failed map becomes a GpuUnavailableError.
 */
export async function readBuffers(device: GPUDevice, buffers: GPUBuffer[], bytes: number[]): Promise<ArrayBuffer[]> {
  try {
    await Promise.all(buffers.map((b, i) => b.mapAsync(MapMode.READ, 0, alignUp(bytes[i], 4))));
  } catch (e) {
    for (const b of buffers) if (b.mapState === 'mapped') b.unmap();
    const lost = watchDevice(device);
    // A map usually fails because the device went away; its `lost` promise may settle a moment later.
    if (!lost.lost) await Promise.race([device.lost, new Promise((resolve) => setTimeout(resolve, 200))]);
    if (lost.lost) throw new GpuUnavailableError('device-lost', lost.message ?? 'The GPU device was lost');
    throw new GpuUnavailableError('gpu-error', `Reading results back from the GPU failed: ${errorText(e)}`);
  }
  return buffers.map((b, i) => {
    const copy = b.getMappedRange(0, alignUp(bytes[i], 4)).slice(0, bytes[i]);
    b.unmap();
    return copy;
  });
}

/**
 * Runs `fn` inside validation and out-of-memory error scopes and turns a captured error into a
 * GpuUnavailableError with the browser's message (WebGPU otherwise reports such errors only to
 * the console, and the results are silently zeros).
 */
export async function withErrorScopes<T>(device: GPUDevice, what: string, fn: () => T | Promise<T>): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  let result: T | undefined;
  let thrown: unknown = null;
  try {
    result = await fn();
  } catch (e) {
    thrown = e;
  }
  const validation = await device.popErrorScope();
  const oom = await device.popErrorScope();
  const err = validation ?? oom;
  // The scope's message explains more than whatever the JS side saw fail afterwards.
  if (err) throw new GpuUnavailableError('gpu-error', `${what} failed on the GPU: ${err.message}`);
  if (thrown !== null) throw thrown;
  return result as T;
}

/** Compiles WGSL and fails with the compiler's messages (line:column) if it does not compile. */
export async function compileShader(device: GPUDevice, code: string, label: string): Promise<GPUShaderModule> {
  const module = device.createShaderModule({ label, code });
  const info = await module.getCompilationInfo?.();
  const errors = info?.messages.filter((m) => m.type === 'error') ?? [];
  if (errors.length > 0) {
    const text = errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('\n');
    throw new GpuUnavailableError('gpu-error', `WGSL compilation of ${label} failed:\n${text}`);
  }
  return module;
}
