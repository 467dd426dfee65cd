// WGSL of the k-means assignment (one module, two entry points) and its programs for the shared
// pipeline cache (../../gpu/program.ts):
//   assign  one point per invocation: float32 squared distance to every centre, the argmin (lowest
//           index on ties), the min distance and the near-tie flag (bound from plan.ts tieTolerance).
//   sums    one vec4 column of one tile of points per invocation: per cluster, the float32 sum of
//           x - c over the tile ('gpu' sums; the host adds the tiles up in float64).
// Constants shared with the host: the workgroup sizes and GPU_MAX_K (plan.ts), the output word's
// FLAG / LABEL_MASK and the params layout below.
import type { GpuProgram } from '../../gpu/program';
import { ASSIGN_WORKGROUP, GPU_MAX_K, SUMS_WORKGROUP } from './plan';

/** Output word of the assign kernel: the label, with the top bit set when the host must re-check. */
export const FLAG = 0x80000000;
export const LABEL_MASK = 0x7fffffff;
/** Bytes of the Params uniform (8 u32 + 4 f32). */
export const PARAMS_BYTES = 48;

/** The WGSL of both kernels; one module, two entry points. */
export const ASSIGN_WGSL = /* wgsl */ `
struct Params {
  rows: u32,     // points in this chunk
  dv: u32,       // vec4s per row (d rounded up to a multiple of 4, over 4)
  grid_x: u32,   // workgroups along x of the assign dispatch
  k: u32,        // centres
  tile: u32,     // points per partial-sum tile
  tiles: u32,    // tiles in this chunk
  pad0: u32,
  pad1: u32,
  cmax: f32,     // largest centre norm (rounded up)
  rel_tol: f32,  // tieTolerance(): see plan.ts
  abs_tol: f32,
  tiny: f32,
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> centres: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> data: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<vec2<u32>>;
@group(0) @binding(4) var<storage, read> labels: array<vec2<u32>>;
@group(0) @binding(5) var<storage, read_write> partials: array<vec4<f32>>;

const FLAG: u32 = 0x80000000u;
const BIG: f32 = 3.0e38;

// Bound on |float32 distance - exact distance| for a distance near dist; scale = |x| + max |c|.
fn err_bound(dist: f32, scale: f32) -> f32 {
  return P.rel_tol * dist + P.abs_tol * (sqrt(dist) + P.abs_tol * scale) * scale + P.tiny;
}

// One point per invocation: distances to all k centres, four centres per sweep over the row.
@compute @workgroup_size(${ASSIGN_WORKGROUP})
fn assign(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * P.grid_x + wid.x) * ${ASSIGN_WORKGROUP}u + lid;
  if (i >= P.rows) {
    return;
  }
  let dv = P.dv;
  let row = i * dv;
  var xx = 0.0;
  for (var j = 0u; j < dv; j++) {
    let x = data[row + j];
    xx += dot(x, x);
  }
  let k = P.k;
  let last = k - 1u;
  var best = BIG;
  var second = BIG;
  var best_c = 0u;
  for (var c = 0u; c < k; c += 4u) {
    let q0 = c * dv;
    let q1 = min(c + 1u, last) * dv;
    let q2 = min(c + 2u, last) * dv;
    let q3 = min(c + 3u, last) * dv;
    var acc = vec4<f32>(0.0);
    for (var j = 0u; j < dv; j++) {
      let x = data[row + j];
      let t0 = x - centres[q0 + j];
      let t1 = x - centres[q1 + j];
      let t2 = x - centres[q2 + j];
      let t3 = x - centres[q3 + j];
      acc += vec4<f32>(dot(t0, t0), dot(t1, t1), dot(t2, t2), dot(t3, t3));
    }
    let here = min(4u, k - c);
    for (var e = 0u; e < here; e++) {
      let v = acc[e];
      // Strictly less: the lowest index wins a tie, as in assignStep.
      if (v < best) {
        second = best;
        best = v;
        best_c = c + e;
      } else if (v < second) {
        second = v;
      }
    }
  }
  let scale = sqrt(xx) + P.cmax;
  var word = best_c;
  if (k > 1u && second - best <= err_bound(best, scale) + err_bound(second, scale)) {
    word = word | FLAG;
  }
  out[i] = vec2<u32>(word, bitcast<u32>(best));
}

// One vec4 column of one tile per invocation: per cluster, the sum of x - c over the tile's points.
@compute @workgroup_size(${SUMS_WORKGROUP})
fn sums(@builtin(global_invocation_id) gid: vec3<u32>) {
  let v = gid.x;
  let t = gid.y;
  if (v >= P.dv || t >= P.tiles) {
    return;
  }
  var acc: array<vec4<f32>, ${GPU_MAX_K}>;
  let start = t * P.tile;
  let end = min(start + P.tile, P.rows);
  for (var i = start; i < end; i++) {
    let c = labels[i].x & 0x7fffffffu;
    acc[c] += data[i * P.dv + v] - centres[c * P.dv + v];
  }
  let base = t * P.k;
  for (var c = 0u; c < P.k; c++) {
    partials[(base + c) * P.dv + v] = acc[c];
  }
}
`;

export const ASSIGN_PROGRAM: GpuProgram = {
  shaderKey: 'kmeans-assign',
  label: 'k-means assign',
  code: ASSIGN_WGSL,
  entryPoint: 'assign',
  workgroupSize: ASSIGN_WORKGROUP,
};

export const SUMS_PROGRAM: GpuProgram = {
  shaderKey: 'kmeans-sums',
  label: 'k-means sums',
  code: ASSIGN_WGSL,
  entryPoint: 'sums',
  workgroupSize: SUMS_WORKGROUP,
};
