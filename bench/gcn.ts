// Graph-network training speed on the CPU path in Node: behaviour graphs built from generated logs
// with about 10k, 100k, 1M and 2M stored edges (entries of the normalised adjacency, both directions of
// every link plus self-loops: what one sparse product walks), trained with the default options
// (LightGCN, 2 layers, hidden 64, one full-batch BPR step per epoch). Prints ms per epoch, edges
// per second, the time of one sparse product alone, and peak memory.
//
//   npx tsx bench/gcn.ts [--epochs N] [--hidden N] [--layers N] [--model lightgcn|gcn] [--only 10k|100k|1m|2m]
//
// Each case runs in a child process of its own so that its peak RSS is its own. The log goes
// straight from the generator's arrays into the graph (no CSV round trip): ingest has its own
// benchmark, and this one should time the graph network only.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildGraph, nnz, type Graph } from '../src/pipeline/graph';
import { spmm, trainGcn } from '../src/pipeline/gcn';
import { EVENT_TYPES, generateLog } from '../src/pipeline/synth';
import { int, markdownTable, MiB } from './lib/format';
import { describeMachine, loadAverage, machineInfo } from './lib/machine';
import { ownMaxRss, sampleOwnRss } from './lib/memory';

// 2m: a million undirected links is about two million stored entries, for readers who count edges that way.
const TARGETS: Record<string, number> = { '10k': 10_000, '100k': 100_000, '1m': 1_000_000, '2m': 2_000_000 };
const SEED = 42;

interface Args {
  epochs: number;
  hidden: number;
  layers: number;
  model: 'lightgcn' | 'gcn';
  only: string | null;
  caseName: string | null;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { epochs: 10, hidden: 64, layers: 2, model: 'lightgcn', only: null, caseName: null };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[++i];
    if (k === '--epochs') a.epochs = Number(v);
    else if (k === '--hidden') a.hidden = Number(v);
    else if (k === '--layers') a.layers = Number(v);
    else if (k === '--model') a.model = v as Args['model'];
    else if (k === '--only') a.only = v;
    else if (k === '--case') a.caseName = v;
    else throw new Error(`unknown option ${k}; usage: npx tsx bench/gcn.ts [--epochs N] [--hidden N] [--layers N] [--model lightgcn|gcn] [--only 10k|100k|1m|2m]`);
  }
  return a;
}

/** A generated log as the graph builder reads it: events grouped by user, in time order. */
function synthGraph(events: number): Graph {
  const log = generateLog({ seed: SEED, events, users: Math.max(1, Math.round(events / 16)), items: Math.min(50_000, Math.max(1_000, Math.round(events / 50))), segments: 6, categories: 24 });
  const users = log.params.users;
  // The log is in global time order, so a stable counting sort by user keeps each user's order.
  const start = new Int32Array(users + 1);
  for (let e = 0; e < log.length; e++) start[log.user[e] + 1]++;
  for (let u = 0; u < users; u++) start[u + 1] += start[u];
  const cursor = start.slice(0, users);
  const order = new Int32Array(log.length);
  for (let e = 0; e < log.length; e++) order[cursor[log.user[e]]++] = e;
  const offsets: number[] = [0];
  for (let u = 0; u < users; u++) if (start[u + 1] > start[u]) offsets.push(start[u + 1]);
  const table = { item: log.item, type: log.type, time: log.time, typeNames: [...EVENT_TYPES], items: new Array<string>(log.catalog.size) };
  return buildGraph(table, { count: offsets.length - 1, offsets: Int32Array.from(offsets), events: order });
}

/** Events whose graph has about `target` stored edges (graph size grows a little slower than linearly). */
function graphNear(target: number): { graph: Graph; events: number } {
  let events = Math.max(500, Math.round(target / 3.3));
  let graph = synthGraph(events);
  for (let step = 0; step < 4 && Math.abs(nnz(graph.adj) / target - 1) > 0.03; step++) {
    events = Math.round(events * (target / nnz(graph.adj)) ** 1.1);
    graph = synthGraph(events);
  }
  return { graph, events };
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
  const { graph, events } = graphNear(TARGETS[name]);
  const buildMs = performance.now() - t0;
  const epochMs: number[] = [];
  const r = await trainGcn(graph, null, { hidden: args.hidden, layers: args.layers, model: args.model, epochs: args.epochs + 1, earlyStopping: null }, { onProgress: (p) => epochMs.push(p.ms) });
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

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.caseName) {
    process.stdout.write(`${JSON.stringify(await runCase(args.caseName, args))}\n`);
    return;
  }
  const loadBefore = loadAverage();
  const self = fileURLToPath(import.meta.url);
  const names = Object.keys(TARGETS).filter((n) => !args.only || n === args.only);
  const results: CaseResult[] = [];
  for (const name of names) {
    process.stderr.write(`gcn: ${name} edges…\n`);
    const child = spawnSync(process.execPath, [...process.execArgv, self, '--case', name, '--epochs', String(args.epochs), '--hidden', String(args.hidden), '--layers', String(args.layers), '--model', args.model], { encoding: 'utf8', maxBuffer: 1 << 20 });
    const line = child.stdout.trim().split('\n').pop() ?? '';
    if (child.status !== 0 || !line.startsWith('{')) throw new Error(`case ${name} failed: ${child.stderr}`);
    results.push(JSON.parse(line) as CaseResult);
  }
  console.log('### Machine\n\n```');
  console.log(describeMachine(machineInfo(), { 'Load average (1 min)': `${loadBefore.toFixed(2)} before, ${loadAverage().toFixed(2)} after` }));
  console.log('```\n');
  console.log(`Model: ${args.model}, ${args.layers} layers, hidden ${args.hidden}, one negative per pair; ${args.epochs} timed epochs after one warm-up epoch; single thread.\n`);
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
      ['Graph', 'Events', 'Nodes', 'Edges (stored)', 'User-item / transition links', 'BPR pairs', 'ms per epoch', 'First epoch', 'One spmm', 'Edges/s', 'Log + graph build', 'Peak RSS (Δ)', 'Loss'],
      rows,
    ),
  );
}

await main();
