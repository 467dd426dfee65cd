// Graph-network training speed: behaviour graphs built from generated logs with about 10k, 100k,
// 1M and 2M stored edges (entries of the normalised adjacency, both directions of every link plus
// self-loops: what one sparse product walks), trained with the default options (LightGCN, 2
// layers, hidden 64, one full-batch BPR step per epoch), on the CPU path in Node and on both paths
// (our CPU kernels and our WGSL kernels on WebGPU) in headless Chromium's dedicated worker, as the
// app trains. Prints ms per epoch, edges per second and peak memory (plus, in Node, the time of one
// sparse product alone).
//
//   npx tsx bench/gcn.ts [--epochs N] [--hidden N] [--layers N] [--model lightgcn|gcn]
//                        [--only node|browser|10k|100k|1m|2m[,...]] [--browser-epochs N]
//                        [--browser-max-edges N] [--gpu-max-edges N] [--browser-timeout S]
//
// Each Node case runs in a child process of its own so that its peak RSS is its own; each browser
// case in a browser context (renderer process) of its own. The log goes straight from the
// generator's arrays into the graph (no CSV round trip): ingest has its own benchmark, and this
// one should time the graph network only. Both runtimes build the same graphs
// (./lib/gcnGraph.ts: same generator, seed and sizes). --model applies to Node only: the
// browser rows are LightGCN, the one model with a GPU path.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nnz } from '../src/pipeline/graph';
import { spmm, trainGcn } from '../src/pipeline/gcn';
import { GCN_TARGETS, graphNear } from './lib/gcnGraph';
import { benchArgs } from './lib/args';
import type { BrowserGcnOutcome } from './lib/gcnBrowser';
import { int, markdownTable, MiB } from './lib/format';
import { describeMachine, loadAverage, machineInfo } from './lib/machine';
import { ownMaxRss, sampleOwnRss } from './lib/memory';

const SIZES = Object.keys(GCN_TARGETS);
/**
 * Browser cases above this many stored edges are skipped (--browser-max-edges), and WebGPU cases
 * above GPU_MAX_EDGES (--gpu-max-edges). By default every size runs: on SwiftShader (2 cores) the
 * 2m WebGPU case takes ~10 s per epoch, so 6 epochs of every size fit in ~5 min together.
 * Lower them on slower machines; a case that overruns --browser-timeout is reported as failed.
 */
const BROWSER_MAX_EDGES = 2_000_000;
const GPU_MAX_EDGES = 2_000_000;
const USAGE =
  'usage: npx tsx bench/gcn.ts [--epochs N] [--hidden N] [--layers N] [--model lightgcn|gcn] [--only node|browser|10k|100k|1m|2m[,...]] ' +
  '[--browser-epochs N] [--browser-max-edges N] [--gpu-max-edges N] [--browser-timeout S]';

interface Args {
  epochs: number;
  hidden: number;
  layers: number;
  model: 'lightgcn' | 'gcn';
  /** Size names to run (null: all). */
  sizes: string[] | null;
  node: boolean;
  browser: boolean;
  browserEpochs: number;
  browserMaxEdges: number;
  gpuMaxEdges: number;
  browserTimeoutS: number;
  caseName: string | null;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    epochs: 10,
    hidden: 64,
    layers: 2,
    model: 'lightgcn',
    sizes: null,
    node: true,
    browser: true,
    browserEpochs: 5,
    browserMaxEdges: BROWSER_MAX_EDGES,
    gpuMaxEdges: GPU_MAX_EDGES,
    browserTimeoutS: 300,
    caseName: null,
  };
  const v = benchArgs(
    argv,
    {
      epochs: { type: 'string' },
      hidden: { type: 'string' },
      layers: { type: 'string' },
      model: { type: 'string' },
      only: { type: 'string', multiple: true },
      'browser-epochs': { type: 'string' },
      'browser-max-edges': { type: 'string' },
      'gpu-max-edges': { type: 'string' },
      'browser-timeout': { type: 'string' },
      case: { type: 'string' },
    },
    USAGE,
  );
  if (v.epochs !== undefined) a.epochs = Number(v.epochs);
  if (v.hidden !== undefined) a.hidden = Number(v.hidden);
  if (v.layers !== undefined) a.layers = Number(v.layers);
  if (v.model !== undefined) a.model = v.model as Args['model'];
  for (const only of v.only ?? []) {
    // A runtime (node, browser), sizes, or both, comma-separated: --only browser,100k.
    const parts = only.split(',');
    const runtimes: string[] = parts.filter((p) => p === 'node' || p === 'browser');
    const sizes = parts.filter((p) => !runtimes.includes(p));
    for (const s of sizes) if (!(s in GCN_TARGETS)) throw new Error(`unknown --only value ${s}; ${USAGE}`);
    if (runtimes.length > 0) {
      a.node = runtimes.includes('node');
      a.browser = runtimes.includes('browser');
    }
    if (sizes.length > 0) a.sizes = sizes;
  }
  if (v['browser-epochs'] !== undefined) a.browserEpochs = Number(v['browser-epochs']);
  if (v['browser-max-edges'] !== undefined) a.browserMaxEdges = Number(v['browser-max-edges']);
  if (v['gpu-max-edges'] !== undefined) a.gpuMaxEdges = Number(v['gpu-max-edges']);
  if (v['browser-timeout'] !== undefined) a.browserTimeoutS = Number(v['browser-timeout']);
  if (v.case !== undefined) a.caseName = v.case;
  return a;
}

interface CaseResult {
  name: string;
  events: number;
  nodes: number;
  edges: number;
  links: number;
  transitions: number;
  pairs: number;
  epochs: number;
  msPerEpoch: number;
  firstEpochMs: number;
  spmmMs: number;
  buildMs: number;
  peakRss: number;
  baseRss: number;
  loss: [number, number];
}

async function runCase(name: string, args: Args): Promise<CaseResult> {
  const baseRss = process.memoryUsage().rss;
  const sampler = sampleOwnRss(20);
  const t0 = performance.now();
  const { graph, events } = graphNear(GCN_TARGETS[name]);
  const buildMs = performance.now() - t0;
  const epochMs: number[] = [];
  const r = await trainGcn(
    graph,
    null,
    { hidden: args.hidden, layers: args.layers, model: args.model, epochs: args.epochs + 1, earlyStopping: null },
    { onProgress: (p) => epochMs.push(p.ms) },
  );
  // One sparse product alone, for the share of an epoch it takes.
  const x = r.z;
  const out = new Float32Array(x.length);
  spmm(graph.adj, x, args.hidden, out);
  const s0 = performance.now();
  const reps = 5;
  for (let k = 0; k < reps; k++) spmm(graph.adj, x, args.hidden, out);
  const spmmMs = (performance.now() - s0) / reps;
  const peakRss = Math.max(sampler.stop(), ownMaxRss());
  // The first epoch pays for V8 compiling the kernels; it is reported apart.
  const steady = epochMs.slice(1);
  return {
    name,
    events,
    nodes: graph.nodes,
    edges: nnz(graph.adj),
    links: graph.counts.userItem,
    transitions: graph.counts.transitions,
    pairs: nnz(graph.links),
    epochs: steady.length,
    msPerEpoch: steady.reduce((a, b) => a + b, 0) / steady.length,
    firstEpochMs: epochMs[0],
    spmmMs,
    buildMs,
    peakRss,
    baseRss,
    loss: [r.loss[0], r.loss[r.loss.length - 1]],
  };
}

function printNodeTable(results: CaseResult[], args: Args): void {
  console.log(
    `### Node, CPU path\n\nModel: ${args.model}, ${args.layers} layers, hidden ${args.hidden}, one negative per pair; ${args.epochs} timed epochs after one warm-up epoch; single thread.\n`,
  );
  const rows = results.map((r) => [
    r.name,
    int(r.events),
    int(r.nodes),
    int(r.edges),
    `${int(r.links)} / ${int(r.transitions)}`,
    int(r.pairs),
    `${r.msPerEpoch.toFixed(1)} ms`,
    `${r.firstEpochMs.toFixed(1)} ms`,
    `${r.spmmMs.toFixed(1)} ms`,
    int(r.edges / (r.msPerEpoch / 1000)),
    `${int(r.buildMs)} ms`,
    `${(r.peakRss / MiB).toFixed(0)} MiB (+${((r.peakRss - r.baseRss) / MiB).toFixed(0)})`,
    `${r.loss[0].toFixed(3)} → ${r.loss[1].toFixed(3)}`,
  ]);
  console.log(
    markdownTable(
      [
        'Graph',
        'Events',
        'Nodes',
        'Edges (stored)',
        'User-item / transition links',
        'BPR pairs',
        'ms per epoch',
        'First epoch',
        'One spmm',
        'Edges/s',
        'Log + graph build',
        'Peak RSS (Δ)',
        'Loss',
      ],
      rows,
    ),
  );
}

function runNode(names: string[], args: Args): CaseResult[] {
  const self = fileURLToPath(import.meta.url);
  const results: CaseResult[] = [];
  for (const name of names) {
    process.stderr.write(`gcn: node ${name} edges…\n`);
    const child = spawnSync(
      process.execPath,
      [
        ...process.execArgv,
        self,
        '--case',
        name,
        '--epochs',
        String(args.epochs),
        '--hidden',
        String(args.hidden),
        '--layers',
        String(args.layers),
        '--model',
        args.model,
      ],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    const line = child.stdout.trim().split('\n').pop() ?? '';
    if (child.status !== 0 || !line.startsWith('{')) throw new Error(`case ${name} failed: ${child.stderr}`);
    results.push(JSON.parse(line) as CaseResult);
  }
  return results;
}

interface BrowserRun {
  version: string;
  adapter: string;
  isFallbackAdapter: boolean;
  outcomes: BrowserGcnOutcome[];
  skipped: string[];
}

/** Both propagation paths in headless Chromium's dedicated worker, on the graphs of the Node cases. */
async function runBrowser(names: string[], args: Args): Promise<BrowserRun> {
  // Imported here so that the Node cases' child processes do not load Playwright and esbuild.
  const { openGcnBrowser } = await import('./lib/gcnBrowser');
  const browser = await openGcnBrowser();
  const outcomes: BrowserGcnOutcome[] = [];
  const skipped: string[] = [];
  try {
    for (const name of names) {
      for (const path of ['cpu', 'webgpu'] as const) {
        const cap = path === 'webgpu' ? Math.min(args.browserMaxEdges, args.gpuMaxEdges) : args.browserMaxEdges;
        if (GCN_TARGETS[name] > cap) {
          const why =
            path === 'webgpu' && GCN_TARGETS[name] <= args.browserMaxEdges
              ? `over --gpu-max-edges ${int(args.gpuMaxEdges)}`
              : `over --browser-max-edges ${int(args.browserMaxEdges)}`;
          skipped.push(`${name} ${path}: ${why}`);
          continue;
        }
        process.stderr.write(`gcn: browser ${path} ${name} edges…\n`);
        const c = { name, path, epochs: args.browserEpochs, hidden: args.hidden, layers: args.layers };
        const r = await browser.run(c, args.browserTimeoutS * 1000);
        outcomes.push(r);
        if (r.error !== null) process.stderr.write(`gcn: browser ${path} ${name} failed: ${r.error}\n`);
      }
    }
  } finally {
    await browser.close();
  }
  return { version: browser.version, adapter: browser.adapter, isFallbackAdapter: browser.isFallbackAdapter, outcomes, skipped };
}

function printBrowserTable(run: BrowserRun, args: Args): void {
  const software = run.isFallbackAdapter || /swiftshader/i.test(run.adapter);
  console.log(`### Headless Chromium, dedicated worker, CPU and WebGPU paths\n`);
  console.log(`Chromium ${run.version}; WebGPU adapter: ${run.adapter || 'unnamed'}${run.isFallbackAdapter ? ' (fallback adapter)' : ''}.`);
  if (software)
    console.log(
      `The adapter is SwiftShader, a software rasteriser: the WGSL kernels run on the CPU cores, so the WebGPU rows time our kernels on an emulator and say nothing about real GPUs.`,
    );
  console.log(
    `Model: lightgcn, ${args.layers} layers, hidden ${args.hidden}; ${args.browserEpochs} timed epochs after one warm-up epoch; early stopping off.\n`,
  );
  const rows: string[][] = [];
  const problems: string[] = [];
  for (const r of run.outcomes) {
    if (r.error !== null) {
      rows.push([r.name, r.path, '', '', '', 'failed', '', '', '', '', '', '', '']);
      problems.push(`${r.name} ${r.path}: ${r.error}`);
      continue;
    }
    // The row only counts for its path if training stayed there to the end.
    const ok = r.path === 'webgpu' ? r.device === 'webgpu' && r.fallback === null : r.device === 'cpu' && r.fallback === null;
    if (!ok) problems.push(`${r.name} ${r.path}: ran on ${r.device}${r.fallback ? `; fell back to the CPU: ${r.fallback}` : ''}`);
    rows.push([
      r.name,
      r.path,
      `${r.device}${ok ? '' : ' (!)'}`,
      int(r.events),
      int(r.edges),
      `${r.msPerEpoch.toFixed(1)} ms`,
      `${r.firstEpochMs.toFixed(1)} ms`,
      int(r.edges / (r.msPerEpoch / 1000)),
      `${int(r.buildMs)} ms`,
      Number.isFinite(r.workerHeapPeak) ? `${(r.workerHeapPeak / MiB).toFixed(0)} MiB` : 'n/a',
      `${(r.rendererPeak / MiB).toFixed(0)} MiB (+${((r.rendererPeak - r.rendererBase) / MiB).toFixed(0)})`,
      r.path === 'webgpu' ? `+${(r.gpuProcessRise / MiB).toFixed(0)} MiB` : '',
      `${r.loss[0].toFixed(3)} → ${r.loss[1].toFixed(3)}`,
    ]);
  }
  console.log(
    markdownTable(
      [
        'Graph',
        'Path',
        'result.device',
        'Events',
        'Edges (stored)',
        'ms per epoch',
        'First epoch',
        'Edges/s',
        'Log + graph build',
        'Worker JS heap peak',
        'Renderer peak RSS (Δ)',
        'GPU process RSS rise',
        'Loss',
      ],
      rows,
    ),
  );
  if (run.skipped.length > 0) console.log(`\nSkipped: ${run.skipped.join('; ')}.`);
  if (problems.length > 0) console.log(`\nProblems: ${problems.join('; ')}.`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.caseName) {
    process.stdout.write(`${JSON.stringify(await runCase(args.caseName, args))}\n`);
    return;
  }
  const loadBefore = loadAverage();
  const names = SIZES.filter((n) => !args.sizes || args.sizes.includes(n));
  const started = performance.now();
  const node = args.node ? runNode(names, args) : [];
  const loadMid = loadAverage();
  const browser = args.browser ? await runBrowser(names, args) : null;
  console.log('### Machine\n\n```');
  const load = [
    `${loadBefore.toFixed(2)} before`,
    ...(args.node && args.browser ? [`${loadMid.toFixed(2)} between Node and Chromium`] : []),
    `${loadAverage().toFixed(2)} after`,
  ];
  console.log(
    describeMachine(machineInfo(), { 'Load average (1 min)': load.join(', '), 'Bench wall time': `${((performance.now() - started) / 1000).toFixed(0)} s` }),
  );
  console.log('```\n');
  if (args.node) printNodeTable(node, args);
  if (args.node && browser) console.log('');
  if (browser) printBrowserTable(browser, args);
  if (browser?.outcomes.some((r) => r.error !== null || r.fallback !== null || r.device !== r.path)) process.exitCode = 1;
}

await main();
