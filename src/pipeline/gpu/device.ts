// WebGPU device acquisition for SeqLens's compute kernels. Pure TypeScript over the standard
// WebGPU API (its types come with TypeScript's DOM and WebWorker libs): no DOM access, so the
// same code runs in a page, in a dedicated Web Worker, and (returning "unavailable") in Node.
//
// Why raw WebGPU and not tfjs' WebGPU backend: each of our kernels is one WGSL program whose
// source sits next to its dispatch, over buffers laid out the way our pipeline already holds
// its data (row-major float32, rows padded to vec4). tfjs would add a tensor layer (shape
// bookkeeping, its own buffer pool and layout conversions, a generic op graph) that we do not
// need, tens of kilobytes of code, and no way to express the host-side exactness checks that
// make the GPU results match the CPU ones (see cluster/gpu/assigner.ts).

/** GPUBufferUsage flags; numeric because the global constants do not exist outside browsers. */
export const BufferUsage = {
  MAP_READ: 0x0001,
  MAP_WRITE: 0x0002,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

/** GPUMapMode flags. */
export const MapMode = { READ: 0x0001, WRITE: 0x0002 } as const;

export type GpuFailure = 'no-webgpu' | 'no-adapter' | 'device-failed' | 'device-lost' | 'unsupported-input' | 'gpu-error';

/**
 * Thrown (or reported) when the GPU cannot do the work: no WebGPU, no adapter, a lost device, or
 * input the kernel cannot represent in float32. Callers catch it and fall back to the CPU.
 */
export class GpuUnavailableError extends Error {
  readonly reason: GpuFailure;
  constructor(reason: GpuFailure, message: string) {
    super(message);
    this.name = 'GpuUnavailableError';
    this.reason = reason;
  }
}

/** What the adapter says about itself (empty strings where the browser hides it). */
export interface GpuAdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for software adapters such as SwiftShader: correct but slow. */
  isFallbackAdapter: boolean;
}

/** The limits our kernels plan their dispatches with. */
export interface GpuLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupsPerDimension: number;
  maxComputeInvocationsPerWorkgroup: number;
  maxComputeWorkgroupStorageSize: number;
}

export interface GpuContext {
  readonly device: GPUDevice;
  readonly adapter: GpuAdapterSummary;
  readonly limits: GpuLimits;
  /** True once the device is lost (driver reset, tab backgrounded on some systems, destroy()). */
  readonly lost: boolean;
  /** The browser's explanation of the loss, or null while the device is alive. */
  readonly lostMessage: string | null;
  /** Calls `listener` once when the device is lost (at once if it already is); returns an unsubscribe. */
  onLost(listener: (message: string) => void): () => void;
  /** Releases the device; it then counts as lost (reason 'destroyed'). */
  destroy(): void;
}

export type GpuAcquireResult = { ok: true; gpu: GpuContext } | { ok: false; reason: GpuFailure; message: string };

export interface AcquireOptions {
  powerPreference?: 'low-power' | 'high-performance';
  /** The WebGPU entry point to use instead of navigator.gpu (tests, or an OffscreenCanvas host). */
  gpu?: GPU | null;
  /** Refuse software adapters (SwiftShader, WARP): useful when the GPU is only wanted for speed. */
  rejectFallbackAdapter?: boolean;
}

/** navigator.gpu where it exists: pages and dedicated workers of WebGPU-enabled browsers. */
export function navigatorGpu(): GPU | null {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  return nav?.gpu ?? null;
}

/**
 * Acquires an adapter and a device with the largest buffer limits the adapter allows. Never
 * throws: a failure comes back as { ok: false, reason, message } so the caller can use the CPU.
 */
export async function acquireGpu(opts: AcquireOptions = {}): Promise<GpuAcquireResult> {
  const gpu = opts.gpu === undefined ? navigatorGpu() : opts.gpu;
  if (!gpu) {
    return { ok: false, reason: 'no-webgpu', message: 'WebGPU is not available in this browser (navigator.gpu is missing)' };
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter(opts.powerPreference ? { powerPreference: opts.powerPreference } : undefined);
  } catch (e) {
    return { ok: false, reason: 'no-adapter', message: `WebGPU refused to give an adapter: ${errorText(e)}` };
  }
  if (!adapter) {
    return { ok: false, reason: 'no-adapter', message: 'WebGPU is present but found no usable GPU adapter' };
  }
  const summary = summarizeAdapter(adapter);
  if (opts.rejectFallbackAdapter && summary.isFallbackAdapter) {
    return { ok: false, reason: 'no-adapter', message: 'Only a software (fallback) GPU adapter is available' };
  }
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      label: 'seqlens-compute',
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
      },
    });
  } catch (e) {
    return { ok: false, reason: 'device-failed', message: `Could not open a WebGPU device: ${errorText(e)}` };
  }
  return { ok: true, gpu: wrapDevice(device, summary) };
}

/** Wraps an existing device (one the caller acquired itself) with loss tracking and limits. */
export function wrapDevice(device: GPUDevice, adapter?: GpuAdapterSummary): GpuContext {
  const state = watchDevice(device);
  const summary = adapter ?? summarizeInfo((device as { adapterInfo?: GPUAdapterInfo }).adapterInfo);
  const l = device.limits;
  const limits: GpuLimits = {
    maxStorageBufferBindingSize: Number(l.maxStorageBufferBindingSize),
    maxBufferSize: Number(l.maxBufferSize),
    maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
    maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
  };
  return {
    device,
    adapter: summary,
    limits,
    get lost() {
      return state.lost;
    },
    get lostMessage() {
      return state.message;
    },
    onLost(listener) {
      if (state.lost) {
        listener(state.message ?? 'device lost');
        return () => {};
      }
      state.listeners.add(listener);
      return () => state.listeners.delete(listener);
    },
    destroy() {
      device.destroy();
    },
  };
}

interface LossState {
  lost: boolean;
  message: string | null;
  listeners: Set<(message: string) => void>;
}

const watched = new WeakMap<GPUDevice, LossState>();

/**
 * Loss tracking for a device, set up once per device: GPUDevice.lost resolves exactly once, so
 * every party that cares (contexts, kernels) shares this state instead of awaiting it separately.
 */
export function watchDevice(device: GPUDevice): LossState {
  let state = watched.get(device);
  if (state) return state;
  const s: LossState = { lost: false, message: null, listeners: new Set() };
  state = s;
  watched.set(device, s);
  device.lost.then(
    (info) => {
      s.lost = true;
      s.message = `The GPU device was lost (${info.reason ?? 'unknown'}): ${info.message || 'no details'}`;
      for (const f of s.listeners) f(s.message);
      s.listeners.clear();
    },
    () => {},
  );
  return s;
}

/** True when the device is known to be lost; callers then switch to the CPU. */
export function isDeviceLost(device: GPUDevice): boolean {
  return watchDevice(device).lost;
}

/** Throws GpuUnavailableError('device-lost') if the device is lost. */
export function assertDeviceAlive(device: GPUDevice): void {
  const s = watchDevice(device);
  if (s.lost) throw new GpuUnavailableError('device-lost', s.message ?? 'The GPU device was lost');
}

function summarizeAdapter(adapter: GPUAdapter): GpuAdapterSummary {
  return summarizeInfo((adapter as { info?: GPUAdapterInfo }).info);
}

function summarizeInfo(info: GPUAdapterInfo | undefined): GpuAdapterSummary {
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    isFallbackAdapter: info?.isFallbackAdapter ?? false,
  };
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
