// Runs inside a dedicated worker of headless Chromium (bundled by bench/lib/clusterBrowser.ts):
// the clustering benchmark cases on the CPU path (kmeans / sweepK as the app's worker runs them
// without WebGPU) and on the WebGPU path (the assignment kernel of cluster/gpu/ through
// kmeansAsync / sweepK). Answers one case per message.
import { makeBlobs } from '../../src/pipeline/cluster/blobs';
import { createGpuAssigner, type GpuAssigner } from '../../src/pipeline/cluster/gpu/index';
import { kmeans } from '../../src/pipeline/cluster/kmeans';
import { kmeansAsync } from '../../src/pipeline/cluster/kmeansAsync';
import { sweepK } from '../../src/pipeline/cluster/sweep';
import { browserHelperThreads } from '../../src/worker/helperThreads';
import { adjustedRandIndex } from '../../src/pipeline/cluster/agreement';
import { acquireGpu, type GpuContext } from '../../src/pipeline/gpu/index';
import { answerCases } from './harnessWorker';

export interface BrowserClusterCase {
  kind: 'kmeans' | 'sweep';
  path: 'cpu' | 'webgpu';
  /** The CPU sweep on helper workers (as the app runs it), each a bundle of helper.worker.ts. */
  threads: boolean;
  n: number;
  d: number;
  k: number;
  restarts: number;
  kMin: number;
  kMax: number;
  blobs: number;
  std: number;
  seed: number;
  silhouetteSample: number;
}

export interface BrowserClusterResult {
  seconds: number;
  /** Creating the GPU assigner (device already open): shader compile and data upload. */
  setupSeconds: number;
  genSeconds: number;
  algorithm: string;
  path: string;
  detail: string;
  adapter: string;
  /** Labels of the K = k clustering (kmeans) or of the suggested K (sweep), for cross-checks. */
  inertia: number;
  suggested: number | null;
  gpuPasses: number;
  flagged: number;
  error: string | null;
}

let gpu: GpuContext | null = null;
const cpuLabels = new Map<string, Int32Array>();

async function device(): Promise<GpuContext> {
  if (gpu && !gpu.lost) return gpu;
  const r = await acquireGpu();
  if (!r.ok) throw new Error(`No WebGPU: ${r.message}`);
  gpu = r.gpu;
  return gpu;
}

async function run(c: BrowserClusterCase): Promise<BrowserClusterResult> {
  const t0 = performance.now();
  const { data } = makeBlobs(c.n, c.d, c.blobs, { std: c.std, seed: c.seed });
  const genSeconds = (performance.now() - t0) / 1000;
  let assigner: GpuAssigner | null = null;
  let setupSeconds = 0;
  let adapter = '';
  if (c.path === 'webgpu') {
    const ctx = await device();
    adapter =
      [ctx.adapter.vendor, ctx.adapter.architecture, ctx.adapter.description].filter(Boolean).join(' ') + (ctx.adapter.isFallbackAdapter ? ' (software)' : '');
    const t = performance.now();
    assigner = await createGpuAssigner(ctx, data, c.n, c.d);
    setupSeconds = (performance.now() - t) / 1000;
  }
  const key = `${c.kind}:${c.n}`;
  try {
    if (c.kind === 'kmeans') {
      const opts = { k: c.k, restarts: c.restarts, seed: 1 };
      const t = performance.now();
      const r = assigner ? await kmeansAsync(data, c.n, c.d, { ...opts, assigner, fallbackToCpu: false }) : kmeans(data, c.n, c.d, opts);
      const seconds = (performance.now() - t) / 1000;
      let detail = `inertia ${r.inertia.toExponential(4)}; ${r.algorithm === 'minibatch' ? `${r.iterations} batches` : `Lloyd iterations per restart: ${r.restartIterations.map((it, i) => (r.restartAbandoned[i] ? `${it} (abandoned)` : it)).join(', ')}`}`;
      if (assigner) {
        const ref = cpuLabels.get(key);
        if (ref) detail += `; ARI vs the CPU run ${adjustedRandIndex(ref, r.labels).toFixed(6)}`;
        detail += `; ${assigner.stats.passes} GPU passes, last pass ${assigner.stats.lastGpuMs.toFixed(1)} ms GPU + ${assigner.stats.lastHostMs.toFixed(1)} ms host, sums on ${assigner.stats.sums}`;
      } else cpuLabels.set(key, r.labels);
      return {
        seconds,
        setupSeconds,
        genSeconds,
        algorithm: r.algorithm,
        path: assigner ? 'webgpu' : 'cpu',
        detail,
        adapter,
        inertia: r.inertia,
        suggested: null,
        gpuPasses: assigner?.stats.passes ?? 0,
        flagged: assigner?.stats.flaggedTotal ?? 0,
        error: null,
      };
    }
    const t = performance.now();
    const threads = c.threads ? browserHelperThreads(() => new Worker('/helper.js', { type: 'module' })) : null;
    const r = await sweepK(data, c.n, c.d, { kMin: c.kMin, kMax: c.kMax, seed: 1, silhouetteSample: c.silhouetteSample, assigner, threads });
    const seconds = (performance.now() - t) / 1000;
    const chosen = r.entries.find((e) => e.k === r.suggested.k)!;
    let detail =
      `${r.threads > 1 ? `${r.threads} helper workers` : 'one thread'}; 3 runs x 1 start per K; silhouette ${r.silhouette.exact ? 'exact' : `on ${r.silhouette.sampleSize} sampled points`}; ` +
      `mean ${((seconds * 1000) / r.entries.length).toFixed(0)} ms per K; suggested K = ${r.suggested.k} (silhouette ${chosen.silhouette.toFixed(3)}), elbow K = ${r.elbow?.k ?? 'none'}`;
    if (assigner) {
      const ref = cpuLabels.get(key);
      if (ref) detail += `; suggested-K labels ARI vs the CPU sweep ${adjustedRandIndex(ref, chosen.labels).toFixed(6)}`;
      detail += `; ${assigner.stats.passes} GPU passes`;
    } else cpuLabels.set(key, chosen.labels);
    return {
      seconds,
      setupSeconds,
      genSeconds,
      algorithm: chosen.algorithm,
      path: r.path === 'gpu' ? 'webgpu' : 'cpu',
      detail,
      adapter,
      inertia: chosen.inertia,
      suggested: r.suggested.k,
      gpuPasses: assigner?.stats.passes ?? 0,
      flagged: assigner?.stats.flaggedTotal ?? 0,
      error: r.fallbackReason ?? null,
    };
  } finally {
    assigner?.dispose();
  }
}

answerCases(run);
