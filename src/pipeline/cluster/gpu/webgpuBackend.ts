// The WebGPU backend of the k-means assigner: uploads the points once (in chunks that fit one
// storage binding), runs the assign and sums programs (shaders.ts) each call and reads the raw
// results back for the host's finishing pass (assigner.ts).
import { alignUp, createBuffer, READBACK, readBuffers, STORAGE_RW, UNIFORM, withErrorScopes } from '../../gpu/buffers';
import { assertDeviceAlive, BufferUsage, type GpuContext } from '../../gpu/device';
import { getPipeline } from '../../gpu/program';
import type { Matrix } from '../types';
import { createAssignerWithBackend, type GpuAssigner, type GpuAssignerOptions, type KernelBackend, type KernelCall, type KernelOutput } from './assigner';
import { type ChunkPlan, GPU_MAX_K, SUMS_WORKGROUP } from './plan';
import { ASSIGN_PROGRAM, PARAMS_BYTES, SUMS_PROGRAM } from './shaders';

/**
 * Creates the WebGPU assigner for `data` (n x d, row-major), uploading the data once. `device` is
 * a GPUDevice or a GpuContext from acquireGpu. The data array is kept by reference (flagged points
 * are re-decided from it): do not modify it while the assigner is in use. Throws
 * GpuUnavailableError when the GPU cannot take this input (values beyond float32 range, a lost
 * device, a shader that fails to compile); the caller then uses the CPU.
 */
export async function createGpuAssigner(
  device: GPUDevice | GpuContext,
  data: Matrix,
  n: number,
  d: number,
  opts: GpuAssignerOptions = {},
): Promise<GpuAssigner> {
  const dev = 'queue' in device ? device : device.device;
  assertDeviceAlive(dev);
  const backend = new WebGpuBackend(dev, data, d, opts.maxWorkgroupsPerDimension);
  return createAssignerWithBackend(backend, data, n, d, opts);
}

interface Pipelines {
  assign: GPUComputePipeline;
  sums: GPUComputePipeline | null;
}

interface ChunkResources {
  plan: ChunkPlan;
  data: GPUBuffer;
  params: GPUBuffer;
  out: GPUBuffer;
  outRead: GPUBuffer;
  assignGroup: GPUBindGroup | null;
  partials: GPUBuffer | null;
  partialsRead: GPUBuffer | null;
  sumsGroup: GPUBindGroup | null;
}

class WebGpuBackend implements KernelBackend {
  readonly name = 'webgpu' as const;
  readonly maxWorkgroupsPerDimension: number;
  readonly maxBindingBytes: number;
  private chunks: ChunkResources[] = [];
  private centres: GPUBuffer | null = null;
  private pipes: Pipelines | null = null;
  private dp = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly data: Matrix,
    private readonly d: number,
    maxPerDim?: number,
  ) {
    const l = device.limits;
    this.maxWorkgroupsPerDimension = Math.min(l.maxComputeWorkgroupsPerDimension, maxPerDim ?? Infinity);
    // Every binding must fit maxStorageBufferBindingSize, every buffer maxBufferSize.
    this.maxBindingBytes = Math.min(Number(l.maxStorageBufferBindingSize), Number(l.maxBufferSize));
  }

  async prepare(chunks: ChunkPlan[], dp: number): Promise<void> {
    const { device, data, d } = this;
    this.dp = dp;
    const assignPipe = await getPipeline(device, ASSIGN_PROGRAM);
    this.pipes = { assign: assignPipe, sums: null };
    await withErrorScopes(device, 'Uploading the points', () => {
      this.centres = createBuffer(device, GPU_MAX_K * dp * 4, BufferUsage.STORAGE | BufferUsage.COPY_DST, 'k-means centres');
      for (const plan of chunks) {
        const dataBuf = createBuffer(device, plan.rows * dp * 4, BufferUsage.STORAGE | BufferUsage.COPY_DST, 'k-means points');
        uploadRows(device, dataBuf, data, plan.start, plan.rows, d, dp);
        const params = createBuffer(device, PARAMS_BYTES, UNIFORM, 'k-means params');
        const out = createBuffer(device, plan.rows * 8, STORAGE_RW, 'k-means labels');
        const outRead = createBuffer(device, plan.rows * 8, READBACK, 'k-means labels readback');
        this.chunks.push({ plan, data: dataBuf, params, out, outRead, assignGroup: null, partials: null, partialsRead: null, sumsGroup: null });
      }
      for (const ch of this.chunks) {
        ch.assignGroup = device.createBindGroup({
          label: 'k-means assign',
          layout: assignPipe.getBindGroupLayout(0),
          entries: [
            { binding: 0, resource: { buffer: ch.params } },
            { binding: 1, resource: { buffer: this.centres as GPUBuffer } },
            { binding: 2, resource: { buffer: ch.data } },
            { binding: 3, resource: { buffer: ch.out } },
          ],
        });
      }
    });
  }

  async run(call: KernelCall): Promise<KernelOutput[]> {
    const { device, dp } = this;
    assertDeviceAlive(device);
    const pipes = this.pipes as Pipelines;
    if (call.sumsOnGpu && !pipes.sums) pipes.sums = await getPipeline(device, SUMS_PROGRAM);
    const dv = dp / 4;
    const partialBytes = call.tiles.map((t) => t.tiles * call.k * dp * 4);

    await withErrorScopes(device, 'The k-means assignment', () => {
      if (call.sumsOnGpu) this.ensurePartials(partialBytes);
      device.queue.writeBuffer(this.centres as GPUBuffer, 0, call.centres.buffer, call.centres.byteOffset, call.centres.byteLength);
      const params = new ArrayBuffer(PARAMS_BYTES);
      const u = new Uint32Array(params);
      const f = new Float32Array(params);
      const encoder = device.createCommandEncoder({ label: 'k-means assignment' });
      this.chunks.forEach((ch, index) => {
        const tiles = call.tiles[index];
        u.set([ch.plan.rows, dv, ch.plan.grid[0], call.k, tiles.tile, tiles.tiles, 0, 0]);
        f.set([call.cmax, call.tol.rel, call.tol.abs, call.tol.tiny], 8);
        device.queue.writeBuffer(ch.params, 0, params);
        // One pass per chunk: the params buffer is rewritten per chunk, and each pass only
        // reads its own chunk's parameters.
        const pass = encoder.beginComputePass({ label: 'k-means assign' });
        pass.setPipeline(pipes.assign);
        pass.setBindGroup(0, ch.assignGroup as GPUBindGroup);
        pass.dispatchWorkgroups(ch.plan.grid[0], ch.plan.grid[1]);
        if (call.sumsOnGpu && tiles.tiles > 0) {
          pass.setPipeline(pipes.sums as GPUComputePipeline);
          pass.setBindGroup(0, ch.sumsGroup as GPUBindGroup);
          pass.dispatchWorkgroups(Math.ceil(dv / SUMS_WORKGROUP), tiles.tiles);
        }
        pass.end();
        encoder.copyBufferToBuffer(ch.out, 0, ch.outRead, 0, alignUp(ch.plan.rows * 8, 4));
        if (call.sumsOnGpu && partialBytes[index] > 0) {
          encoder.copyBufferToBuffer(ch.partials as GPUBuffer, 0, ch.partialsRead as GPUBuffer, 0, partialBytes[index]);
        }
      });
      device.queue.submit([encoder.finish()]);
    });

    const buffers: GPUBuffer[] = [];
    const bytes: number[] = [];
    for (let c = 0; c < this.chunks.length; c++) {
      buffers.push(this.chunks[c].outRead);
      bytes.push(this.chunks[c].plan.rows * 8);
      if (call.sumsOnGpu) {
        buffers.push(this.chunks[c].partialsRead as GPUBuffer);
        bytes.push(partialBytes[c]);
      }
    }
    const results = await readBuffers(device, buffers, bytes);
    const outputs: KernelOutput[] = [];
    for (let c = 0, r = 0; c < this.chunks.length; c++) {
      const out = new Uint32Array(results[r++]);
      const partials = call.sumsOnGpu ? new Float32Array(results[r++]) : null;
      outputs.push({ out, partials });
    }
    return outputs;
  }

  /** (Re)allocates each chunk's partial-sum buffers when a call needs more than they hold. */
  private ensurePartials(bytes: number[]): void {
    const { device } = this;
    const sumsPipe = (this.pipes as Pipelines).sums as GPUComputePipeline;
    this.chunks.forEach((ch, i) => {
      const need = Math.max(16, bytes[i]);
      if (ch.partials && ch.partials.size >= need) return;
      ch.partials?.destroy();
      ch.partialsRead?.destroy();
      ch.partials = createBuffer(device, need, STORAGE_RW, 'k-means partial sums');
      ch.partialsRead = createBuffer(device, need, READBACK, 'k-means partial sums readback');
      ch.sumsGroup = device.createBindGroup({
        label: 'k-means sums',
        layout: sumsPipe.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: ch.params } },
          { binding: 1, resource: { buffer: this.centres as GPUBuffer } },
          { binding: 2, resource: { buffer: ch.data } },
          { binding: 4, resource: { buffer: ch.out } },
          { binding: 5, resource: { buffer: ch.partials } },
        ],
      });
    });
  }

  dispose(): void {
    for (const ch of this.chunks) {
      for (const b of [ch.data, ch.params, ch.out, ch.outRead, ch.partials, ch.partialsRead]) b?.destroy();
    }
    this.centres?.destroy();
    this.chunks = [];
  }
}

/** Writes rows [start, start + rows) as float32, zero-padded to dp columns, in slices of ~16 MiB. */
function uploadRows(device: GPUDevice, buffer: GPUBuffer, data: Matrix, start: number, rows: number, d: number, dp: number): void {
  if (data instanceof Float32Array && d === dp) {
    const view = data.subarray(start * d, (start + rows) * d);
    device.queue.writeBuffer(buffer, 0, view.buffer, view.byteOffset, view.byteLength);
    return;
  }
  const slice = Math.max(1, Math.floor((16 << 20) / (dp * 4)));
  const tmp = new Float32Array(Math.min(slice, rows) * dp);
  for (let r0 = 0; r0 < rows; r0 += slice) {
    const m = Math.min(slice, rows - r0);
    tmp.fill(0);
    for (let r = 0; r < m; r++) {
      const src = (start + r0 + r) * d;
      for (let j = 0; j < d; j++) tmp[r * dp + j] = data[src + j];
    }
    device.queue.writeBuffer(buffer, r0 * dp * 4, tmp.buffer, 0, m * dp * 4);
  }
}
