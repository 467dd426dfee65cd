// A float32 JavaScript emulation of the two WGSL kernels of shaders.ts, behind the same
// KernelBackend interface. It lets the host-side logic (chunking, tiling, the near-tie re-check,
// the float64 finishing pass, kmeansAsync on an "accelerator") be unit-tested in Node, where
// there is no WebGPU. Every float32 operation of the shader is rounded with Math.fround in the
// same order; a real GPU may fuse or reorder some of them, which the tie bound allows for (and
// `reversed` mimics, to show that labels do not depend on it).
import type { Matrix } from '../types';
import { createAssignerWithBackend, type GpuAssigner, type GpuAssignerOptions, type KernelBackend, type KernelCall, type KernelOutput } from './assigner';
import type { ChunkPlan } from './plan';
import { FLAG, LABEL_MASK } from './shaders';

const f = Math.fround;
const BIG = f(3.0e38);

export interface EmulatorOptions extends GpuAssignerOptions {
  /** Emulated maxComputeWorkgroupsPerDimension. Default 65535. */
  emulatedMaxWorkgroups?: number;
  /** Emulated max binding size in bytes. Default 128 MiB. */
  emulatedMaxBindingBytes?: number;
  /** Sum each distance's coordinates in reverse order (a GPU that reassociates). */
  reversed?: boolean;
}

export async function createEmulatedGpuAssigner(data: Matrix, n: number, d: number, opts: EmulatorOptions = {}): Promise<GpuAssigner> {
  return createAssignerWithBackend(new EmulatedBackend(data, d, opts), data, n, d, opts);
}

class EmulatedBackend implements KernelBackend {
  readonly name = 'emulated' as const;
  readonly maxWorkgroupsPerDimension: number;
  readonly maxBindingBytes: number;
  private chunks: { plan: ChunkPlan; rows: Float32Array }[] = [];
  private dp = 0;

  constructor(
    private readonly data: Matrix,
    private readonly d: number,
    private readonly opts: EmulatorOptions,
  ) {
    this.maxWorkgroupsPerDimension = opts.emulatedMaxWorkgroups ?? 65535;
    this.maxBindingBytes = opts.emulatedMaxBindingBytes ?? 128 << 20;
  }

  async prepare(chunks: ChunkPlan[], dp: number): Promise<void> {
    this.dp = dp;
    const { data, d } = this;
    this.chunks = chunks.map((plan) => {
      const rows = new Float32Array(plan.rows * dp);
      for (let r = 0; r < plan.rows; r++) {
        for (let j = 0; j < d; j++) rows[r * dp + j] = data[(plan.start + r) * d + j];
      }
      return { plan, rows };
    });
  }

  async run(call: KernelCall): Promise<KernelOutput[]> {
    const { dp } = this;
    const { k, centres, tol } = call;
    const cmax = f(call.cmax);
    const rel = f(tol.rel);
    const abs = f(tol.abs);
    const tiny = f(tol.tiny);
    const errBound = (dist: number, scale: number): number => f(f(f(rel * dist) + f(f(abs * f(f(Math.sqrt(dist)) + f(abs * scale))) * scale)) + tiny);
    const sq4 = (x: Float32Array, xo: number, c: Float32Array, co: number): number => {
      const t0 = f(x[xo] - c[co]);
      const t1 = f(x[xo + 1] - c[co + 1]);
      const t2 = f(x[xo + 2] - c[co + 2]);
      const t3 = f(x[xo + 3] - c[co + 3]);
      return f(f(f(f(t0 * t0) + f(t1 * t1)) + f(t2 * t2)) + f(t3 * t3));
    };
    const dv = dp / 4;
    const acc = [0, 0, 0, 0];
    return this.chunks.map(({ plan, rows }, index) => {
      const out = new Uint32Array(plan.rows * 2);
      const outF = new Float32Array(out.buffer);
      for (let r = 0; r < plan.rows; r++) {
        const row = r * dp;
        let xx = 0;
        for (let v = 0; v < dv; v++) xx = f(xx + sq4(rows, row + 4 * v, ZERO4, 0));
        let best = BIG;
        let second = BIG;
        let bestC = 0;
        for (let c = 0; c < k; c += 4) {
          for (let e = 0; e < 4; e++) {
            const q = Math.min(c + e, k - 1) * dp;
            let a = 0;
            if (this.opts.reversed) for (let v = dv - 1; v >= 0; v--) a = f(a + sq4(rows, row + 4 * v, centres, q + 4 * v));
            else for (let v = 0; v < dv; v++) a = f(a + sq4(rows, row + 4 * v, centres, q + 4 * v));
            acc[e] = a;
          }
          const here = Math.min(4, k - c);
          for (let e = 0; e < here; e++) {
            const v = acc[e];
            if (v < best) {
              second = best;
              best = v;
              bestC = c + e;
            } else if (v < second) second = v;
          }
        }
        const scale = f(f(Math.sqrt(xx)) + cmax);
        let word = bestC;
        if (k > 1 && f(second - best) <= f(errBound(best, scale) + errBound(second, scale))) word = (word | FLAG) >>> 0;
        out[2 * r] = word;
        outF[2 * r + 1] = best;
      }
      let partials: Float32Array | null = null;
      const tiles = call.tiles[index];
      if (call.sumsOnGpu) {
        partials = new Float32Array(tiles.tiles * k * dp);
        const tileAcc = new Float32Array(k * dp);
        for (let t = 0; t < tiles.tiles; t++) {
          tileAcc.fill(0);
          const end = Math.min((t + 1) * tiles.tile, plan.rows);
          for (let r = t * tiles.tile; r < end; r++) {
            const c = out[2 * r] & LABEL_MASK;
            for (let j = 0; j < dp; j++) {
              tileAcc[c * dp + j] = f(tileAcc[c * dp + j] + f(rows[r * dp + j] - centres[c * dp + j]));
            }
          }
          partials.set(tileAcc.subarray(0, k * dp), t * k * dp);
        }
      }
      return { out, partials };
    });
  }

  dispose(): void {
    this.chunks = [];
  }
}

const ZERO4 = new Float32Array(4);
