// WGSL of the GCN kernels. Each mirrors a CPU kernel in ../kernels and walks the same order:
//   SPMM           out = A X (CSR A, row-major X): one invocation per (row, column), gathering the
//                  row's entries in CSR order into one float32 sum. Gather only (no atomics); an
//                  empty row writes 0, a long row is a plain loop. The backward (A^T dY) is the
//                  same kernel over the transposed CSR, built once on the CPU (transposeCsr).
//   BIAS_ACT_NORM  y = norm(act(t + b)) per row (activation.ts biasActNorm), norms kept.
//   BIAS_ACT_NORM_BACKWARD  dt per row (activation.ts biasActNormBackward).
//   COLUMN_SUMS    dBias[j] = sum over rows in order of dt[r, j] (one invocation per column).
//   COMBINE        out = alpha x + beta out, beta in {0, 1} (dense.ts scaleInto / axpy).
// Constants shared with the host: WORKGROUP (plan.ts) = 64; activation codes below. GCN_PROGRAMS
// at the end wraps each source as a program for the shared pipeline cache (../../gpu/program.ts).
import { LEAKY_SLOPE } from '../kernels/activation';
import type { Activation } from '../kernels/activation';
import type { GpuProgram } from '../../gpu/program';
import { WORKGROUP } from './plan';

export const ACT_CODE: Record<Activation, number> = { none: 0, relu: 1, leakyRelu: 2, tanh: 3 };

const INDEX = /* wgsl */ `
fn linearIndex(wid: vec3<u32>, li: u32, gridX: u32) -> u32 {
  return (wid.y * gridX + wid.x) * ${WORKGROUP}u + li;
}`;

export const SPMM_WGSL = /* wgsl */ `
struct Params { rows: u32, h: u32, gridX: u32, pad: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> rowPtr: array<u32>;
@group(0) @binding(2) var<storage, read> colIdx: array<u32>;
@group(0) @binding(3) var<storage, read> vals: array<f32>;
@group(0) @binding(4) var<storage, read> x: array<f32>;
@group(0) @binding(5) var<storage, read_write> outp: array<f32>;
${INDEX}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = linearIndex(wid, li, p.gridX);
  if (i >= p.rows * p.h) { return; }
  let r = i / p.h;
  let j = i - r * p.h;
  let hi = rowPtr[r + 1u];
  var s = 0.0;
  for (var k = rowPtr[r]; k < hi; k = k + 1u) {
    s = s + vals[k] * x[colIdx[k] * p.h + j];
  }
  outp[i] = s;
}`;

const ACT_FNS = /* wgsl */ `
fn act(z: f32, code: u32) -> f32 {
  switch code {
    case 1u: { return select(0.0, z, z > 0.0); }
    case 2u: { return select(${LEAKY_SLOPE} * z, z, z > 0.0); }
    // Clamped: tanh(20) is 1 in float32, and some implementations overflow exp for large |z|.
    case 3u: { return tanh(clamp(z, -20.0, 20.0)); }
    default: { return z; }
  }
}
// d act / dz; ReLU's derivative at 0 is 0 (as activation.ts and PyTorch).
fn slope(z: f32, code: u32) -> f32 {
  switch code {
    case 1u: { return select(0.0, 1.0, z > 0.0); }
    case 2u: { return select(${LEAKY_SLOPE}, 1.0, z > 0.0); }
    case 3u: { let a = tanh(clamp(z, -20.0, 20.0)); return 1.0 - a * a; }
    default: { return 1.0; }
  }
}
const NORM_EPS: f32 = 1e-12;`;

export const BIAS_ACT_NORM_WGSL = /* wgsl */ `
struct Params { n: u32, d: u32, gridX: u32, act: u32, normalize: u32, p0: u32, p1: u32, p2: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> t: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> norms: array<f32>;
${INDEX}
${ACT_FNS}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let r = linearIndex(wid, li, p.gridX);
  if (r >= p.n) { return; }
  let o = r * p.d;
  var sq = 0.0;
  for (var j = 0u; j < p.d; j = j + 1u) {
    let v = act(t[o + j] + bias[j], p.act);
    y[o + j] = v;
    sq = sq + v * v;
  }
  if (p.normalize != 0u) {
    let nrm = max(sqrt(sq), NORM_EPS);
    norms[r] = nrm;
    let inv = 1.0 / nrm;
    for (var j = 0u; j < p.d; j = j + 1u) { y[o + j] = y[o + j] * inv; }
  }
}`;

export const BIAS_ACT_NORM_BACKWARD_WGSL = /* wgsl */ `
struct Params { n: u32, d: u32, gridX: u32, act: u32, normalize: u32, p0: u32, p1: u32, p2: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> t: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read> y: array<f32>;
@group(0) @binding(5) var<storage, read> norms: array<f32>;
@group(0) @binding(6) var<storage, read_write> dt: array<f32>;
${INDEX}
${ACT_FNS}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let r = linearIndex(wid, li, p.gridX);
  if (r >= p.n) { return; }
  let o = r * p.d;
  var dot = 0.0;
  var inv = 1.0;
  let normalize = p.normalize != 0u;
  if (normalize) {
    let nrm = norms[r];
    inv = 1.0 / nrm;
    // Below EPS the forward divided by a constant: no projection term.
    if (nrm > NORM_EPS) {
      for (var j = 0u; j < p.d; j = j + 1u) { dot = dot + y[o + j] * dy[o + j]; }
    }
  }
  for (var j = 0u; j < p.d; j = j + 1u) {
    var da = dy[o + j];
    if (normalize) { da = (dy[o + j] - y[o + j] * dot) * inv; }
    dt[o + j] = da * slope(t[o + j] + bias[j], p.act);
  }
}`;

export const COLUMN_SUMS_WGSL = /* wgsl */ `
struct Params { n: u32, d: u32, gridX: u32, pad: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> m: array<f32>;
@group(0) @binding(2) var<storage, read_write> sums: array<f32>;
${INDEX}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let j = linearIndex(wid, li, p.gridX);
  if (j >= p.d) { return; }
  var s = 0.0;
  for (var r = 0u; r < p.n; r = r + 1u) { s = s + m[r * p.d + j]; }
  sums[j] = s;
}`;

export const COMBINE_WGSL = /* wgsl */ `
struct Params { len: u32, gridX: u32, alpha: f32, beta: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> outp: array<f32>;
${INDEX}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let i = linearIndex(wid, li, p.gridX);
  if (i >= p.len) { return; }
  // beta == 0 overwrites without reading (out may hold garbage or NaN).
  if (p.beta == 0.0) { outp[i] = p.alpha * x[i]; } else { outp[i] = p.beta * outp[i] + p.alpha * x[i]; }
}`;

/** The kernels by name, as gcnGpu.ts dispatches them. */
export type GcnKernel = 'spmm' | 'biasActNorm' | 'biasActNormBackward' | 'columnSums' | 'combine';

function program(name: GcnKernel, code: string): GpuProgram {
  return { shaderKey: `gcn-${name}`, label: `gcn-${name}`, code, entryPoint: 'main', workgroupSize: WORKGROUP };
}

/** Each kernel's program: one WGSL module with a `main` entry point, WORKGROUP invocations per group. */
export const GCN_PROGRAMS: Record<GcnKernel, GpuProgram> = {
  spmm: program('spmm', SPMM_WGSL),
  biasActNorm: program('biasActNorm', BIAS_ACT_NORM_WGSL),
  biasActNormBackward: program('biasActNormBackward', BIAS_ACT_NORM_BACKWARD_WGSL),
  columnSums: program('columnSums', COLUMN_SUMS_WGSL),
  combine: program('combine', COMBINE_WGSL),
};
