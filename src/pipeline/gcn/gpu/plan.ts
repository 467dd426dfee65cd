// Host-side dispatch planning for the GCN's WGSL kernels (pure, tested in Node).
//
// Every kernel maps one invocation to one output element (spmm: a (row, column) pair; the row
// kernels: one row; the column sums: one column; combine: one element) and runs WORKGROUP
// invocations per workgroup. Counts that are not multiples of WORKGROUP leave the tail of the last
// workgroup idle (the shader drops indices >= count). Workgroups are laid out on a 2-D grid so
// that counts above maxComputeWorkgroupsPerDimension (65535) still fit; the shader recovers the
// linear workgroup index as wid.y * gridX + wid.x.
import { GpuUnavailableError } from '../../gpu/device';
import { grid2d } from '../../gpu/buffers';

/** Invocations per workgroup for every GCN kernel. */
export const WORKGROUP = 64;

export interface DispatchPlan {
  /** Elements (invocations that do work). */
  count: number;
  /** Workgroups needed: ceil(count / WORKGROUP). */
  groups: number;
  /** Workgroup grid; x * y >= groups, with at most one partly used row of workgroups. */
  x: number;
  y: number;
}

/** The grid for `count` one-element invocations. count 0 gives an empty plan (no dispatch). */
export function planDispatch(count: number, maxPerDim: number, workgroup = WORKGROUP): DispatchPlan {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`planDispatch: bad count ${count}`);
  // The shaders index elements with u32.
  if (count > 0xffffffff) throw new GpuUnavailableError('unsupported-input', `${count} elements exceed the 32-bit index range of the GCN kernels`);
  const groups = Math.ceil(count / workgroup);
  const [x, y] = grid2d(groups, maxPerDim);
  return { count, groups, x, y };
}

/** Throws GpuUnavailableError('unsupported-input') when a buffer of `bytes` cannot be bound. */
export function checkBinding(bytes: number, maxBinding: number, what: string): void {
  if (bytes > maxBinding) {
    throw new GpuUnavailableError('unsupported-input', `${what} needs ${bytes} bytes in one storage binding; the GPU allows ${maxBinding}`);
  }
}
