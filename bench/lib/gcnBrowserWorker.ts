// Runs inside a dedicated worker of headless Chromium (bundled by bench/lib/gcnBrowser.ts), where
// the app's analysis worker trains the graph network: one bench/gcn.ts case per message, on the
// CPU kernels or on our WGSL kernels (hooks.gpu = createGcnGpu on the worker's WebGPU device).
// The graph comes from the same generator and seed as the Node cases (./gcnGraph.ts).
import { nnz } from '../../src/pipeline/graph';
import { trainGcn } from '../../src/pipeline/gcn';
import { createGcnGpu, type GcnGpu } from '../../src/pipeline/gcn/gpu/index';
import { acquireGpu, type GpuContext } from '../../src/pipeline/gpu/index';
import { GCN_TARGETS, graphNear } from './gcnGraph';
import { answerCases } from './harnessWorker';

export interface BrowserGcnCase {
  name: string;
  path: 'cpu' | 'webgpu';
  /** Timed epochs; one warm-up epoch runs before them. */
  epochs: number;
  hidden: number;
  layers: number;
}

export interface BrowserGcnResult {
  name: string;
  path: 'cpu' | 'webgpu';
  events: number;
  nodes: number;
  edges: number;
  epochs: number;
  msPerEpoch: number;
  firstEpochMs: number;
  buildMs: number;
  /** trainGcn's result.device: where the propagation ran at the end. */
  device: string;
  fallback: string | null;
  adapter: string;
  /** Highest performance.memory.usedJSHeapSize of the worker seen after an epoch (NaN where Chromium hides it). */
  heapPeak: number;
  loss: [number, number];
  gpuDispatches: number;
  error: null;
}

let context: GpuContext | null = null;

async function gpu(): Promise<{ ctx: GpuContext; kernels: GcnGpu }> {
  if (!context || context.lost) {
    const r = await acquireGpu();
    if (!r.ok) throw new Error(`No WebGPU: ${r.reason}: ${r.message}`);
    context = r.gpu;
  }
  // Fresh kernels per case: their CSR cache then holds this case's graph only.
  return { ctx: context, kernels: createGcnGpu(context) };
}

function heapUsed(): number {
  const m = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
  return m ? m.usedJSHeapSize : Number.NaN;
}

async function run(c: BrowserGcnCase): Promise<BrowserGcnResult> {
  let heapPeak = heapUsed();
  const t0 = performance.now();
  const { graph, events } = graphNear(GCN_TARGETS[c.name]);
  const buildMs = performance.now() - t0;
  heapPeak = Math.max(heapPeak, heapUsed());
  let kernels: GcnGpu | null = null;
  let adapter = '';
  if (c.path === 'webgpu') {
    const g = await gpu();
    kernels = g.kernels;
    const a = g.ctx.adapter;
    adapter = [a.vendor, a.architecture, a.description].filter(Boolean).join(' ') + (a.isFallbackAdapter ? ' (fallback adapter)' : '');
  }
  const epochMs: number[] = [];
  try {
    const r = await trainGcn(
      graph,
      null,
      { hidden: c.hidden, layers: c.layers, model: 'lightgcn', epochs: c.epochs + 1, earlyStopping: null },
      {
        gpu: kernels,
        onProgress: (p) => {
          epochMs.push(p.ms);
          heapPeak = Math.max(heapPeak, heapUsed());
        },
      },
    );
    const steady = epochMs.slice(1);
    return {
      name: c.name,
      path: c.path,
      events,
      nodes: graph.nodes,
      edges: nnz(graph.adj),
      epochs: steady.length,
      msPerEpoch: steady.reduce((a, b) => a + b, 0) / steady.length,
      firstEpochMs: epochMs[0],
      buildMs,
      device: r.device,
      fallback: r.fallback,
      adapter,
      heapPeak,
      loss: [r.loss[0], r.loss[r.loss.length - 1]],
      gpuDispatches: kernels?.stats.dispatches ?? 0,
      error: null,
    };
  } finally {
    kernels?.release();
  }
}

answerCases(run);
