// Browser harness for e2e/gpu-gcn.spec.ts: bundled by the spec with esbuild and served on the app's
// origin. It runs the GCN's WebGPU kernels (src/pipeline/gcn/gpu) and their CPU twins
// (src/pipeline/gcn/kernels, GcnModel) on the same seeded inputs inside the page and returns error
// summaries (the arrays stay in the browser). Not part of the app.
//
// Error measure used everywhere ("rel"): max_i |gpu_i - cpu_i| / max(max_i |cpu_i|, 1e-6), i.e. the
// worst elementwise difference relative to the largest magnitude of the CPU result (a relative
// infinity-norm error; robust to outputs that are near zero through cancellation).
import { acquireGpu, type GpuAdapterSummary, type GpuContext } from '../../src/pipeline/gpu/index';
import { transposeCsr, type Csr } from '../../src/pipeline/graph/csr';
import { createGcnGpu, type GcnGpu, type GcnGpuStats } from '../../src/pipeline/gcn/gpu/index';
import { biasActNorm, biasActNormBackward, type Activation } from '../../src/pipeline/gcn/kernels/activation';
import { axpy, scaleInto } from '../../src/pipeline/gcn/kernels/dense';
import { spmm, spmmBackward } from '../../src/pipeline/gcn/kernels/sparse';
import { GcnModel } from '../../src/pipeline/gcn/model';
import { GcnRandom } from '../../src/pipeline/gcn/random';

let context: GpuContext | null = null;
let gcn: GcnGpu | null = null;

async function gpu(): Promise<GcnGpu> {
  if (context && !context.lost && gcn) return gcn;
  const r = await acquireGpu();
  if (!r.ok) throw new Error(`No WebGPU: ${r.reason}: ${r.message}`);
  context = r.gpu;
  gcn = createGcnGpu(context);
  return gcn;
}

function rel(gpuOut: ArrayLike<number>, cpuOut: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < cpuOut.length; i++) {
    const d = Math.abs(gpuOut[i] - cpuOut[i]);
    if (!(d <= diff)) diff = d; // NaN propagates
    scale = Math.max(scale, Math.abs(cpuOut[i]));
  }
  return diff / Math.max(scale, 1e-6);
}

/** rel() row by row (each row against its own largest CPU magnitude); the worst row. */
function rowRel(gpuOut: Float32Array, cpuOut: Float32Array, n: number, d: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const e = rel(gpuOut.subarray(i * d, (i + 1) * d), cpuOut.subarray(i * d, (i + 1) * d));
    if (!(e <= worst)) worst = e;
  }
  return worst;
}

function uniform(r: GcnRandom): number {
  return r.int(1 << 30) / (1 << 30);
}

function gaussians(r: GcnRandom, n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = r.normal() * scale;
  return a;
}

export interface SpmmCase {
  rows: number;
  cols: number;
  h: number;
  seed: number;
  /** Mean entries per row. */
  degree: number;
  /** Every `emptyEvery`-th row has no entries (0: none). */
  emptyEvery?: number;
  /** This row gets min(cols, heavyDegree) entries. */
  heavyRow?: number;
  heavyDegree?: number;
  /** Run on a separate context whose workgroup grid is at most this wide (forces the 2-D grid). */
  maxWorkgroupsPerDimension?: number;
}

/** Random CSR: sorted distinct columns per row, values ~ N(0, 1) / sqrt(row length). */
function randomCsr(c: SpmmCase, r: GcnRandom): Csr {
  const rowPtr = new Int32Array(c.rows + 1);
  const cols: number[] = [];
  for (let i = 0; i < c.rows; i++) {
    let want = c.emptyEvery && i % c.emptyEvery === 0 ? 0 : r.int(2 * c.degree + 1);
    if (i === c.heavyRow) want = c.heavyDegree ?? c.cols;
    want = Math.min(want, c.cols);
    const picked = new Set<number>();
    if (want * 2 > c.cols) {
      // Dense row: take each column with probability want / cols, at least the first `want` tried.
      for (let j = 0; j < c.cols && picked.size < want; j++) if (uniform(r) < (want * 1.2) / c.cols || c.cols - j <= want - picked.size) picked.add(j);
    } else while (picked.size < want) picked.add(r.int(c.cols));
    const sorted = [...picked].sort((a, b) => a - b);
    cols.push(...sorted);
    rowPtr[i + 1] = cols.length;
  }
  const values = new Float32Array(cols.length);
  for (let i = 0; i < c.rows; i++) {
    const len = rowPtr[i + 1] - rowPtr[i];
    for (let k = rowPtr[i]; k < rowPtr[i + 1]; k++) values[k] = r.normal() / Math.sqrt(len);
  }
  return { rows: c.rows, cols: c.cols, rowPtr, colIdx: Int32Array.from(cols), values };
}

export interface SpmmReport {
  nnz: number;
  maxRowLength: number;
  emptyRows: number;
  /** GPU spmm vs CPU spmm. */
  forwardRel: number;
  /** GPU spmmT vs CPU spmmBackward (both with the transposed CSR). */
  backwardRel: number;
  /** Worst |fd - g| / max(|g|, 0.1 max|G|, 1e-3) over the checked coordinates of X, fd from GPU spmm. */
  fdWorst: number;
  fdChecked: number;
  stats: GcnGpuStats;
}

/** L(X) = sum_ij W_ij (A X)_ij in float64 from the GPU's float32 product. */
async function spmmLoss(g: GcnGpu, a: Csr, x: Float32Array, h: number, w: Float32Array): Promise<number> {
  const out = new Float32Array(a.rows * h);
  await g.spmm(a, x, h, out);
  let s = 0;
  for (let i = 0; i < out.length; i++) s += w[i] * out[i];
  return s;
}

async function spmmCase(c: SpmmCase, fdCoords = 4, step = 1e-2): Promise<SpmmReport> {
  const shared = await gpu();
  const g = c.maxWorkgroupsPerDimension ? createGcnGpu(shared.device, { maxWorkgroupsPerDimension: c.maxWorkgroupsPerDimension }) : shared;
  const r = new GcnRandom(c.seed);
  const a = randomCsr(c, r);
  const x = gaussians(r, c.cols * c.h);
  const cpu = new Float32Array(c.rows * c.h);
  const out = new Float32Array(c.rows * c.h).fill(Number.NaN);
  spmm(a, x, c.h, cpu);
  await g.spmm(a, x, c.h, out);
  const forwardRel = rel(out, cpu);

  const aT = g.transposed(a);
  const w = gaussians(r, c.rows * c.h);
  const dxCpu = new Float32Array(c.cols * c.h);
  const dxGpu = new Float32Array(c.cols * c.h).fill(Number.NaN);
  spmmBackward(aT, w, c.h, dxCpu);
  await g.spmmT(aT, w, c.h, dxGpu);
  const backwardRel = rel(dxGpu, dxCpu);

  // Finite differences of the GPU forward against the GPU backward, on the largest gradients
  // and a few random coordinates.
  let gMax = 0;
  for (const v of dxGpu) gMax = Math.max(gMax, Math.abs(v));
  const order = Array.from(dxGpu.keys()).sort((p, q) => Math.abs(dxGpu[q]) - Math.abs(dxGpu[p]));
  const coords = new Set(order.slice(0, Math.ceil(fdCoords / 2)));
  while (coords.size < Math.min(fdCoords, x.length)) coords.add(r.int(x.length));
  let fdWorst = 0;
  for (const i of coords) {
    const xp = x.slice();
    xp[i] += step;
    const xm = x.slice();
    xm[i] -= step;
    const fd = ((await spmmLoss(g, a, xp, c.h, w)) - (await spmmLoss(g, a, xm, c.h, w))) / (xp[i] - xm[i]);
    fdWorst = Math.max(fdWorst, Math.abs(fd - dxGpu[i]) / Math.max(Math.abs(dxGpu[i]), 0.1 * gMax, 1e-3));
  }
  let maxRowLength = 0;
  let emptyRows = 0;
  for (let i = 0; i < a.rows; i++) {
    const len = a.rowPtr[i + 1] - a.rowPtr[i];
    maxRowLength = Math.max(maxRowLength, len);
    if (len === 0) emptyRows++;
  }
  if (g !== shared) g.release();
  return { nnz: a.rowPtr[a.rows], maxRowLength, emptyRows, forwardRel, backwardRel, fdWorst, fdChecked: coords.size, stats: structuredClone(g.stats) };
}

export interface ActCase {
  n: number;
  d: number;
  act: Activation;
  normalize: boolean;
  seed: number;
}

export interface ActReport {
  yRel: number;
  normsRel: number;
  dtRel: number;
  dBiasRel: number;
  /** dBias of the GPU (own forward) vs the CPU with the clamped row re-randomised (smooth activations only). */
  dBiasRelSmooth: number;
  /** Rows forced to all-zero activations (norm clamped to EPS) and entries with t + b exactly 0. */
  zeroRows: number;
  exactZeros: number;
  /** FD of the GPU forward vs the GPU backward: worst |fd - g| / max(|g|, 0.1 max|G|, 1e-3). */
  fdWorstT: number;
  fdWorstBias: number;
  fdChecked: number;
  stats: GcnGpuStats;
}

async function actLoss(g: GcnGpu, t: Float32Array, bias: Float32Array, c: ActCase, w: Float32Array): Promise<number> {
  const y = new Float32Array(c.n * c.d);
  await g.biasActNorm(t, bias, c.n, c.d, c.act, c.normalize, y, null);
  let s = 0;
  for (let i = 0; i < y.length; i++) s += w[i] * y[i];
  return s;
}

async function actCase(c: ActCase, fdCoords = 4, step = 1e-2): Promise<ActReport> {
  const g = await gpu();
  const r = new GcnRandom(c.seed);
  const { n, d } = c;
  const t = gaussians(r, n * d);
  const bias = gaussians(r, d, 0.5);
  // Edge cases: a row whose activation is zero (norm clamped for relu; t = -b otherwise) and a few
  // entries with t + b exactly 0 (ReLU's derivative there is 0).
  let zeroRows = 0;
  let exactZeros = 0;
  if (n >= 3) {
    for (let j = 0; j < d; j++) t[d + j] = -bias[j];
    zeroRows++;
    for (let i = 2; i < n; i += 7) {
      const j = i % d;
      t[i * d + j] = -bias[j];
      exactZeros++;
    }
  }
  const yCpu = new Float32Array(n * d);
  const yGpu = new Float32Array(n * d).fill(Number.NaN);
  const nCpu = new Float32Array(n);
  const nGpu = new Float32Array(n).fill(Number.NaN);
  biasActNorm(t, bias, n, d, c.act, c.normalize, yCpu, c.normalize ? nCpu : null);
  await g.biasActNorm(t, bias, n, d, c.act, c.normalize, yGpu, c.normalize ? nGpu : null);
  const yRel = rowRel(yGpu, yCpu, n, d);
  const normsRel = c.normalize ? rel(nGpu, nCpu) : 0;

  const w = gaussians(r, n * d);
  const dtCpu = new Float32Array(n * d);
  const dtGpu = new Float32Array(n * d).fill(Number.NaN);
  const dbCpu = new Float64Array(d);
  const dbGpu = new Float64Array(d);
  // Both backwards from the CPU forward's y and norms: the kernels are compared on equal inputs.
  biasActNormBackward(w, t, bias, yCpu, c.normalize ? nCpu : null, n, d, c.act, c.normalize, dtCpu, dbCpu);
  await g.biasActNormBackward(w, t, bias, yCpu, c.normalize ? nCpu : null, n, d, c.act, c.normalize, dtGpu, dbGpu);
  // Row by row: the all-zero row's gradient is scaled by 1 / EPS and would swamp a global scale.
  const dtRel = rowRel(dtGpu, dtCpu, n, d);
  const dBiasRel = rel(dbGpu, dbCpu);

  // The GPU backward from the GPU forward, checked against finite differences of the GPU forward.
  const dtOwn = new Float32Array(n * d);
  const dbOwn = new Float64Array(d);
  await g.biasActNormBackward(w, t, bias, yGpu, c.normalize ? nGpu : null, n, d, c.act, c.normalize, dtOwn, dbOwn);
  const kinked = c.act === 'relu' || c.act === 'leakyRelu';
  let gMax = 0;
  for (const v of dtOwn) gMax = Math.max(gMax, Math.abs(v));
  let fdWorstT = 0;
  let checked = 0;
  for (let tries = 0; checked < fdCoords && tries < 200; tries++) {
    const i = r.int(n * d);
    const z = t[i] + bias[i % d];
    // Rows on the zero/EPS clamp and points within a step of the activation's kink are not
    // differentiable in the finite-difference sense; skip them.
    if (kinked && Math.abs(z) < 3 * step) continue;
    if (c.normalize && nGpu[Math.floor(i / d)] < 1e-3) continue;
    const tp = t.slice();
    tp[i] += step;
    const tm = t.slice();
    tm[i] -= step;
    const fd = ((await actLoss(g, tp, bias, c, w)) - (await actLoss(g, tm, bias, c, w))) / (tp[i] - tm[i]);
    fdWorstT = Math.max(fdWorstT, Math.abs(fd - dtOwn[i]) / Math.max(Math.abs(dtOwn[i]), 0.1 * gMax, 1e-3));
    checked++;
  }
  // Bias: a column's perturbation moves every row across possible kinks, so only smooth activations.
  // The forced all-zero row sits on the EPS clamp, where y = a / EPS has slope 1e12 (by
  // definition, and matched above): it is re-randomised for this check.
  let fdWorstBias = 0;
  let dBiasRelSmooth = 0;
  if (!kinked) {
    const tb = t.slice();
    if (n >= 3) for (let j = 0; j < d; j++) tb[d + j] = r.normal();
    const yb = new Float32Array(n * d);
    const nb = new Float32Array(n);
    await g.biasActNorm(tb, bias, n, d, c.act, c.normalize, yb, c.normalize ? nb : null);
    const dtb = new Float32Array(n * d);
    const dbOwnB = new Float64Array(d);
    await g.biasActNormBackward(w, tb, bias, yb, c.normalize ? nb : null, n, d, c.act, c.normalize, dtb, dbOwnB);
    let bMax = 0;
    for (const v of dbOwnB) bMax = Math.max(bMax, Math.abs(v));
    // Without the clamped row dBias is of ordinary size: compare it with the CPU's there too.
    const ybCpu = new Float32Array(n * d);
    const nbCpu = new Float32Array(n);
    biasActNorm(tb, bias, n, d, c.act, c.normalize, ybCpu, c.normalize ? nbCpu : null);
    const dbCpuB = new Float64Array(d);
    biasActNormBackward(w, tb, bias, ybCpu, c.normalize ? nbCpu : null, n, d, c.act, c.normalize, new Float32Array(n * d), dbCpuB);
    dBiasRelSmooth = rel(dbOwnB, dbCpuB);
    for (let k = 0; k < Math.min(2, d); k++) {
      const j = r.int(d);
      const bp = bias.slice();
      bp[j] += step;
      const bm = bias.slice();
      bm[j] -= step;
      const fd = ((await actLoss(g, tb, bp, c, w)) - (await actLoss(g, tb, bm, c, w))) / (bp[j] - bm[j]);
      fdWorstBias = Math.max(fdWorstBias, Math.abs(fd - dbOwnB[j]) / Math.max(Math.abs(dbOwnB[j]), 0.1 * bMax, 1e-3));
      checked++;
    }
  }
  return { yRel, normsRel, dtRel, dBiasRel, dBiasRelSmooth, zeroRows, exactZeros, fdWorstT, fdWorstBias, fdChecked: checked, stats: structuredClone(g.stats) };
}

async function combineCase(len: number, alpha: number, seed: number): Promise<{ scaleRel: number; axpyRel: number }> {
  const g = await gpu();
  const r = new GcnRandom(seed);
  const x = gaussians(r, len);
  const base = gaussians(r, len);
  const sCpu = new Float32Array(len);
  const sGpu = new Float32Array(len).fill(Number.NaN);
  scaleInto(alpha, x, sCpu);
  await g.combine(alpha, x, 0, sGpu);
  const aCpu = base.slice();
  const aGpu = base.slice();
  axpy(alpha, x, aCpu);
  await g.combine(alpha, x, 1, aGpu);
  return { scaleRel: rel(sGpu, sCpu), axpyRel: rel(aGpu, aCpu) };
}

/** Symmetric normalised adjacency D^-1/2 (A) D^-1/2 of a random undirected graph, isolated nodes kept. */
function normalisedGraph(n: number, degree: number, r: GcnRandom): Csr {
  const adj: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  const edges = Math.floor((n * degree) / 2);
  for (let e = 0; e < edges; e++) {
    const u = r.int(n);
    const v = r.int(n);
    if (u === v || u % 11 === 5 || v % 11 === 5) continue; // every 11th node isolated
    adj[u].add(v);
    adj[v].add(u);
  }
  // A hub: node 0 linked to everything not isolated.
  for (let v = 1; v < n; v++)
    if (v % 11 !== 5) {
      adj[0].add(v);
      adj[v].add(0);
    }
  const deg = adj.map((s) => s.size);
  const rowPtr = new Int32Array(n + 1);
  const colIdx: number[] = [];
  const values: number[] = [];
  for (let u = 0; u < n; u++) {
    for (const v of [...adj[u]].sort((p, q) => p - q)) {
      colIdx.push(v);
      values.push(1 / Math.sqrt(deg[u] * deg[v]));
    }
    rowPtr[u + 1] = colIdx.length;
  }
  return { rows: n, cols: n, rowPtr, colIdx: Int32Array.from(colIdx), values: Float32Array.from(values) };
}

async function lightgcnCase(c: {
  n: number;
  h: number;
  layers: number;
  combine: 'mean' | 'last';
  seed: number;
}): Promise<{ rel: number; backwardRel: number; hubDegree: number; stats: GcnGpuStats }> {
  const g = await gpu();
  const r = new GcnRandom(c.seed);
  const a = normalisedGraph(c.n, 4, r);
  const emb = gaussians(r, c.n * c.h, 0.1);
  const model = new GcnModel(
    { nodes: c.n, hidden: c.h, layers: c.layers, model: 'lightgcn', combine: c.combine, activation: 'none', normalize: false },
    a,
    transposeCsr(a),
  );
  const zCpu = model.forward({ emb, weights: [], biases: [] });
  const zGpu = await g.lightgcnForward(a, emb, c.h, c.layers, c.combine);
  const forwardRel = rel(zGpu, zCpu);
  const dz = gaussians(r, c.n * c.h);
  const dCpu = model.backward({ emb, weights: [], biases: [] }, dz).emb;
  const dGpu = await g.lightgcnBackward(g.transposed(a), dz, c.h, c.layers, c.combine);
  return { rel: forwardRel, backwardRel: rel(dGpu, dCpu), hubDegree: a.rowPtr[1] - a.rowPtr[0], stats: structuredClone(g.stats) };
}

/** A destroyed device: the GCN context must report a device-lost GpuUnavailableError. */
async function deviceLossCase(): Promise<{ errorName: string; reason: string; message: string }> {
  const r = await acquireGpu();
  if (!r.ok) throw new Error(`No WebGPU: ${r.reason}: ${r.message}`);
  const g = createGcnGpu(r.gpu);
  const a: Csr = { rows: 1, cols: 1, rowPtr: new Int32Array([0, 1]), colIdx: new Int32Array([0]), values: new Float32Array([2]) };
  const out = new Float32Array(1);
  await g.spmm(a, new Float32Array([3]), 1, out);
  if (out[0] !== 6) throw new Error(`spmm before the loss gave ${out[0]}`);
  r.gpu.destroy();
  await r.gpu.device.lost;
  await new Promise((resolve) => setTimeout(resolve, 0));
  try {
    await g.spmm(a, new Float32Array([3]), 1, out);
    return { errorName: 'none', reason: '', message: '' };
  } catch (e) {
    const err = e as Error & { reason?: string };
    return { errorName: err.name, reason: err.reason ?? '', message: err.message };
  }
}

async function info(): Promise<{ hasNavigatorGpu: boolean; adapter: GpuAdapterSummary; limits: GpuContext['limits']; stats: GcnGpuStats }> {
  const g = await gpu();
  return {
    hasNavigatorGpu: 'gpu' in navigator,
    adapter: (context as GpuContext).adapter,
    limits: (context as GpuContext).limits,
    stats: structuredClone(g.stats),
  };
}

export const gcnHarness = { info, spmmCase, actCase, combineCase, lightgcnCase, deviceLossCase };

declare global {
  // eslint-disable-next-line no-var
  var __gcnHarness: typeof gcnHarness | undefined;
}

if (typeof window !== 'undefined') globalThis.__gcnHarness = gcnHarness;
