// The GCN's WebGPU twin of its CPU kernels (../kernels): CSR spmm and its transpose product,
// fused bias + activation + row L2 normalisation (forward and backward, with the bias gradient
// as column sums), the layer combine (scale / axpy), and the LightGCN propagation (forward and
// backward) built from them. Not yet called by train.ts: it is the building block for that.
//
// Raw WebGPU and not tfjs-backend-webgpu, for the reasons given in src/pipeline/gpu/device.ts:
// each kernel is one WGSL program (./shaders.ts) over buffers in exactly the layout the CPU side
// already holds (CSR as three typed arrays, row-major float32 matrices), with the CPU kernel's
// summation order. tfjs has no CSR sparse-dense product on WebGPU (it would need a dense or
// gather/scatter-with-atomics formulation whose summation order differs from the CPU twin's), and
// would add its tensor layer, buffer pool and tens of kilobytes of code for five small programs.
//
// Numerics: the GPU forms every sum in float32 in the CPU kernel's order; the CPU sums in float64.
// Results agree to float32 rounding (about 1e-6 relative for well-conditioned sums), not bit for bit.
//
// The host-facing methods mirror the CPU signatures (same arguments, outputs written into the
// caller's arrays) but are async: each uploads, dispatches, and reads back. Repeated calls with the
// same Csr object reuse its uploaded buffers (kept per Csr object, so a Csr must not be mutated
// after its first use here; call release() to free them, after which they are uploaded afresh).
import { alignUp, createBuffer, createStorageWith, readBuffers, READBACK, STORAGE_RW, UNIFORM, withErrorScopes } from '../../gpu/buffers';
import { assertDeviceAlive, type GpuContext } from '../../gpu/device';
import { getPipeline } from '../../gpu/program';
import { checkHolds, checkWidth } from '../../numeric/shape';
import { transposeCsr, type Csr } from '../../graph/csr';
import type { Activation } from '../kernels/activation';
import { layerWeights } from '../model';
import { checkBinding, planDispatch, type DispatchPlan } from './plan';
import { ACT_CODE, GCN_PROGRAMS, type GcnKernel as KernelName } from './shaders';

/** A CSR matrix resident on the GPU. */
export interface GpuCsr {
  rows: number;
  cols: number;
  nnz: number;
  rowPtr: GPUBuffer;
  colIdx: GPUBuffer;
  values: GPUBuffer;
}

export interface GcnGpuStats {
  /** Compute dispatches issued (a kernel with no work issues none). */
  dispatches: number;
  byKernel: Record<KernelName, number>;
}

export interface GcnGpu {
  readonly device: GPUDevice;
  readonly stats: GcnGpuStats;
  /** Uploads a float32 matrix into a new storage buffer (the caller destroys it). */
  upload(data: Float32Array, label?: string): GPUBuffer;
  /** Reads `length` float32s back from a storage buffer made by upload(). */
  read(buffer: GPUBuffer, length: number): Promise<Float32Array>;
  /** The CSR's GPU buffers, uploaded once per Csr object. */
  uploadCsr(a: Csr): GpuCsr;
  /** transposeCsr(a), built once per Csr object (for spmmT). */
  transposed(a: Csr): Csr;
  /** out = A X (sparse.ts spmm). */
  spmm(a: Csr, x: Float32Array, d: number, out: Float32Array): Promise<void>;
  /** dX = A^T dY given aT = transposeCsr(A) (sparse.ts spmmBackward). */
  spmmT(aT: Csr, dy: Float32Array, d: number, dx: Float32Array): Promise<void>;
  /** activation.ts biasActNorm. */
  biasActNorm(
    t: Float32Array,
    bias: Float32Array,
    n: number,
    d: number,
    act: Activation,
    normalize: boolean,
    y: Float32Array,
    norms: Float32Array | null,
  ): Promise<void>;
  /** activation.ts biasActNormBackward: writes dt, adds the column sums of dt into dBias. */
  biasActNormBackward(
    dy: Float32Array,
    t: Float32Array,
    bias: Float32Array,
    y: Float32Array,
    norms: Float32Array | null,
    n: number,
    d: number,
    act: Activation,
    normalize: boolean,
    dt: Float32Array,
    dBias: Float64Array,
  ): Promise<void>;
  /** out = alpha x (beta 0, dense.ts scaleInto) or out += alpha x (beta 1, dense.ts axpy). */
  combine(alpha: number, x: Float32Array, beta: 0 | 1, out: Float32Array): Promise<void>;
  /**
   * LightGCN forward as GcnModel.forward computes it: H_0 = E, H_{l+1} = A H_l,
   * Z = sum_l alpha_l H_l (layerWeights). One submission; returns Z (nodes x d).
   */
  lightgcnForward(a: Csr, emb: Float32Array, d: number, layers: number, combine: 'mean' | 'last'): Promise<Float32Array>;
  /**
   * LightGCN backward as GcnModel.backward computes it: dH_L = alpha_L dZ, then
   * dH_l = A^T dH_{l+1} + alpha_l dZ down to l = 0; returns dE = dH_0. aT = transposeCsr(A)
   * (A itself for the symmetric normalised adjacency). One submission.
   */
  lightgcnBackward(aT: Csr, dz: Float32Array, d: number, layers: number, combine: 'mean' | 'last'): Promise<Float32Array>;
  /** Frees the cached CSR buffers. */
  release(): void;
}

export interface GcnGpuOptions {
  /** Caps the workgroup grid's width (tests use a tiny value to exercise the 2-D grid). */
  maxWorkgroupsPerDimension?: number;
}

/** Accepts a bare device or a GpuContext from acquireGpu(). */
export function createGcnGpu(source: GPUDevice | GpuContext, opts: GcnGpuOptions = {}): GcnGpu {
  const device: GPUDevice = 'queue' in source ? source : source.device;
  const maxPerDim = Math.min(device.limits.maxComputeWorkgroupsPerDimension, opts.maxWorkgroupsPerDimension ?? Infinity);
  const maxBinding = Number(device.limits.maxStorageBufferBindingSize);
  let csrCache = new WeakMap<Csr, GpuCsr>();
  const csrList: GpuCsr[] = [];
  const transposes = new WeakMap<Csr, Csr>();
  const stats: GcnGpuStats = { dispatches: 0, byKernel: { spmm: 0, biasActNorm: 0, biasActNormBackward: 0, columnSums: 0, combine: 0 } };

  /** One batch of dispatches with its temporary buffers, submitted together. */
  class Batch {
    readonly encoder = device.createCommandEncoder({ label: 'gcn' });
    readonly temps: GPUBuffer[] = [];
    storage(data: ArrayBufferView, label: string): GPUBuffer {
      checkBinding(data.byteLength, maxBinding, label);
      const b = createStorageWith(device, data, label, STORAGE_RW);
      this.temps.push(b);
      return b;
    }
    empty(floats: number, label: string): GPUBuffer {
      checkBinding(floats * 4, maxBinding, label);
      const b = createBuffer(device, floats * 4, STORAGE_RW, label);
      this.temps.push(b);
      return b;
    }
    async dispatch(name: KernelName, plan: DispatchPlan, params: ArrayBuffer, buffers: GPUBuffer[]): Promise<void> {
      if (plan.groups === 0) return;
      const pipe = await getPipeline(device, GCN_PROGRAMS[name]);
      const uniform = createBuffer(device, params.byteLength, UNIFORM, `gcn-${name}-params`);
      device.queue.writeBuffer(uniform, 0, params);
      this.temps.push(uniform);
      const bindGroup = device.createBindGroup({
        layout: pipe.getBindGroupLayout(0),
        entries: [uniform, ...buffers].map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      const pass = this.encoder.beginComputePass({ label: `gcn-${name}` });
      pass.setPipeline(pipe);
      pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(plan.x, plan.y);
      pass.end();
      stats.dispatches++;
      stats.byKernel[name]++;
    }
    /** Submits, reads `reads` back (buffer, float count) and frees the temporaries. */
    async finish(reads: [GPUBuffer, number][]): Promise<Float32Array[]> {
      const staging = reads.map(([, n]) => {
        const s = createBuffer(device, n * 4, READBACK, 'gcn-readback');
        this.temps.push(s);
        return s;
      });
      reads.forEach(([b, n], i) => {
        if (n > 0) this.encoder.copyBufferToBuffer(b, 0, staging[i], 0, alignUp(n * 4, 4));
      });
      device.queue.submit([this.encoder.finish()]);
      try {
        const data = await readBuffers(
          device,
          staging,
          reads.map(([, n]) => n * 4),
        );
        return data.map((d) => new Float32Array(d));
      } finally {
        for (const t of this.temps) t.destroy();
      }
    }
  }

  function uploadCsr(a: Csr): GpuCsr {
    let g = csrCache.get(a);
    if (g) return g;
    const nnz = a.rowPtr[a.rows];
    checkBinding(nnz * 4, maxBinding, 'CSR columns');
    g = {
      rows: a.rows,
      cols: a.cols,
      nnz,
      rowPtr: createStorageWith(device, a.rowPtr.subarray(0, a.rows + 1), 'gcn-csr-rowPtr'),
      colIdx: createStorageWith(device, a.colIdx.subarray(0, nnz), 'gcn-csr-colIdx'),
      values: createStorageWith(device, a.values.subarray(0, nnz), 'gcn-csr-values'),
    };
    csrCache.set(a, g);
    csrList.push(g);
    return g;
  }

  function spmmParams(rows: number, h: number, plan: DispatchPlan): ArrayBuffer {
    return new Uint32Array([rows, h, plan.x, 0]).buffer;
  }

  async function encodeSpmm(batch: Batch, g: GpuCsr, x: GPUBuffer, h: number, out: GPUBuffer): Promise<void> {
    const plan = planDispatch(g.rows * h, maxPerDim);
    await batch.dispatch('spmm', plan, spmmParams(g.rows, h, plan), [g.rowPtr, g.colIdx, g.values, x, out]);
  }

  async function encodeCombine(batch: Batch, alpha: number, x: GPUBuffer, beta: 0 | 1, out: GPUBuffer, len: number): Promise<void> {
    const plan = planDispatch(len, maxPerDim);
    const params = new ArrayBuffer(16);
    new Uint32Array(params, 0, 2).set([len, plan.x]);
    new Float32Array(params, 8, 2).set([alpha, beta]);
    await batch.dispatch('combine', plan, params, [x, out]);
  }

  function rowParams(n: number, d: number, plan: DispatchPlan, act: Activation, normalize: boolean): ArrayBuffer {
    return new Uint32Array([n, d, plan.x, ACT_CODE[act], normalize ? 1 : 0, 0, 0, 0]).buffer;
  }

  async function product(a: Csr, x: Float32Array, d: number, out: Float32Array, what: string): Promise<void> {
    checkWidth(d, what);
    checkHolds(x, a.cols, d, `${what}: X`);
    checkHolds(out, a.rows, d, `${what}: out`);
    if (a.rows * d === 0) return;
    await withErrorScopes(device, `GCN ${what}`, async () => {
      assertDeviceAlive(device);
      const batch = new Batch();
      const g = uploadCsr(a);
      const xb = batch.storage(x.subarray(0, a.cols * d), 'gcn-x');
      const ob = batch.empty(a.rows * d, 'gcn-out');
      await encodeSpmm(batch, g, xb, d, ob);
      const [res] = await batch.finish([[ob, a.rows * d]]);
      out.set(res);
    });
  }

  return {
    device,
    stats,
    upload(data, label = 'gcn-matrix') {
      checkBinding(data.byteLength, maxBinding, label);
      return createStorageWith(device, data, label, STORAGE_RW);
    },
    async read(buffer, length) {
      return withErrorScopes(device, 'GCN read-back', async () => {
        const batch = new Batch();
        const [res] = await batch.finish([[buffer, length]]);
        return res;
      });
    },
    uploadCsr,
    transposed(a) {
      let t = transposes.get(a);
      if (!t) {
        t = transposeCsr(a);
        transposes.set(a, t);
      }
      return t;
    },
    spmm: (a, x, d, out) => product(a, x, d, out, 'spmm'),
    spmmT: (aT, dy, d, dx) => product(aT, dy, d, dx, 'spmmT'),

    async biasActNorm(t, bias, n, d, act, normalize, y, norms) {
      checkWidth(d, 'biasActNorm');
      checkRows(n, d, [t, y], bias, 'biasActNorm');
      if (n * d === 0) return;
      await withErrorScopes(device, 'GCN biasActNorm', async () => {
        assertDeviceAlive(device);
        const batch = new Batch();
        const tb = batch.storage(t.subarray(0, n * d), 'gcn-t');
        const bb = batch.storage(bias.subarray(0, d), 'gcn-bias');
        const yb = batch.empty(n * d, 'gcn-y');
        const nb = batch.empty(n, 'gcn-norms');
        const plan = planDispatch(n, maxPerDim);
        await batch.dispatch('biasActNorm', plan, rowParams(n, d, plan, act, normalize), [tb, bb, yb, nb]);
        const [yr, nr] = await batch.finish([
          [yb, n * d],
          [nb, n],
        ]);
        y.set(yr);
        if (normalize && norms) norms.set(nr);
      });
    },

    async biasActNormBackward(dy, t, bias, y, norms, n, d, act, normalize, dt, dBias) {
      checkWidth(d, 'biasActNormBackward');
      checkRows(n, d, [dy, t, y, dt], bias, 'biasActNormBackward');
      if (normalize && (!norms || norms.length < n)) throw new RangeError('biasActNormBackward: normalize needs the forward norms.');
      if (dBias.length < d) throw new RangeError('biasActNormBackward: dBias is shorter than d.');
      if (n * d === 0) return;
      await withErrorScopes(device, 'GCN biasActNormBackward', async () => {
        assertDeviceAlive(device);
        const batch = new Batch();
        const dyb = batch.storage(dy.subarray(0, n * d), 'gcn-dy');
        const tb = batch.storage(t.subarray(0, n * d), 'gcn-t');
        const bb = batch.storage(bias.subarray(0, d), 'gcn-bias');
        const yb = batch.storage(y.subarray(0, n * d), 'gcn-y');
        const nb = normalize ? batch.storage((norms as Float32Array).subarray(0, n), 'gcn-norms') : batch.empty(1, 'gcn-no-norms');
        const dtb = batch.empty(n * d, 'gcn-dt');
        const sb = batch.empty(d, 'gcn-dbias');
        const rows = planDispatch(n, maxPerDim);
        await batch.dispatch('biasActNormBackward', rows, rowParams(n, d, rows, act, normalize), [dyb, tb, bb, yb, nb, dtb]);
        const cols = planDispatch(d, maxPerDim);
        await batch.dispatch('columnSums', cols, new Uint32Array([n, d, cols.x, 0]).buffer, [dtb, sb]);
        const [dtr, sums] = await batch.finish([
          [dtb, n * d],
          [sb, d],
        ]);
        dt.set(dtr);
        for (let j = 0; j < d; j++) dBias[j] += sums[j];
      });
    },

    async combine(alpha, x, beta, out) {
      const len = Math.min(x.length, out.length);
      if (len === 0) return;
      await withErrorScopes(device, 'GCN combine', async () => {
        assertDeviceAlive(device);
        const batch = new Batch();
        const xb = batch.storage(x.subarray(0, len), 'gcn-x');
        const ob = beta === 0 ? batch.empty(len, 'gcn-out') : batch.storage(out.subarray(0, len), 'gcn-out');
        await encodeCombine(batch, alpha, xb, beta, ob, len);
        const [res] = await batch.finish([[ob, len]]);
        out.set(res);
      });
    },

    async lightgcnForward(a, emb, d, layers, combine) {
      checkWidth(d, 'lightgcnForward');
      if (a.rows !== a.cols) throw new RangeError(`lightgcnForward: A must be square, got ${a.rows} x ${a.cols}.`);
      const n = a.rows;
      checkHolds(emb, n, d, 'lightgcnForward: emb');
      const alpha = layerWeights(layers, combine);
      if (n * d === 0) return new Float32Array(0);
      return withErrorScopes(device, 'GCN lightgcnForward', async () => {
        assertDeviceAlive(device);
        const batch = new Batch();
        const g = uploadCsr(a);
        const e = batch.storage(emb.subarray(0, n * d), 'gcn-emb');
        const z = batch.empty(n * d, 'gcn-z');
        const ping = [batch.empty(n * d, 'gcn-hA'), batch.empty(n * d, 'gcn-hB')];
        await encodeCombine(batch, alpha[0], e, 0, z, n * d);
        let cur = e;
        for (let l = 0; l < layers; l++) {
          const next = ping[l % 2];
          await encodeSpmm(batch, g, cur, d, next);
          if (alpha[l + 1] !== 0) await encodeCombine(batch, alpha[l + 1], next, 1, z, n * d);
          cur = next;
        }
        const [res] = await batch.finish([[z, n * d]]);
        return res;
      });
    },

    async lightgcnBackward(aT, dz, d, layers, combine) {
      checkWidth(d, 'lightgcnBackward');
      if (aT.rows !== aT.cols) throw new RangeError(`lightgcnBackward: A must be square, got ${aT.rows} x ${aT.cols}.`);
      const n = aT.rows;
      checkHolds(dz, n, d, 'lightgcnBackward: dz');
      const alpha = layerWeights(layers, combine);
      if (n * d === 0) return new Float32Array(0);
      return withErrorScopes(device, 'GCN lightgcnBackward', async () => {
        assertDeviceAlive(device);
        const batch = new Batch();
        const g = uploadCsr(aT);
        const dzb = batch.storage(dz.subarray(0, n * d), 'gcn-dz');
        const ping = [batch.empty(n * d, 'gcn-dhA'), batch.empty(n * d, 'gcn-dhB')];
        let dh = ping[0];
        await encodeCombine(batch, alpha[layers], dzb, 0, dh, n * d);
        for (let l = layers - 1; l >= 0; l--) {
          const into = dh === ping[0] ? ping[1] : ping[0];
          await encodeSpmm(batch, g, dh, d, into);
          await encodeCombine(batch, alpha[l], dzb, 1, into, n * d);
          dh = into;
        }
        const [res] = await batch.finish([[dh, n * d]]);
        return res;
      });
    },

    release() {
      csrCache = new WeakMap();
      for (const g of csrList.splice(0)) {
        g.rowPtr.destroy();
        g.colIdx.destroy();
        g.values.destroy();
      }
    },
  };
}

function checkRows(n: number, d: number, mats: Float32Array[], bias: Float32Array, what: string): void {
  for (const m of mats) checkHolds(m, n, d, `${what}: a matrix`);
  if (bias.length < d) throw new RangeError(`${what}: bias holds ${bias.length} numbers, needs ${d}.`);
}
