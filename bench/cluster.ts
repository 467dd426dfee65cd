// Clustering benchmark: seeded Gaussian blobs in 64 dimensions, k-means (K = 10, 3 restarts) at
// 10k / 100k / 1M points, the bare K loop 2..15 (k-means + sampled silhouette) and the full K sweep
// of sweep.ts (3 seeded runs per K, silhouette, Calinski-Harabasz, Davies-Bouldin, stability) at
// 10k / 100k.
// Run: npx tsx bench/cluster.ts [--quick] [--std S] [--only node|browser] [--browser-sizes 10000,100000]
//                                [--browser-timeout SECONDS] [--browser-paths cpu,webgpu]
// Every Node case runs in a child process of its own so that its peak RSS is its own.
//
// The browser part (bench/lib/clusterBrowser.ts) runs k-means (K = 10, 3 restarts) and the full
// sweep in a dedicated worker of headless Chromium, as the app's analysis worker runs them: on the
// CPU path and on the WebGPU path (the assignment kernel of cluster/gpu/, through kmeansAsync and
// sweepK). Node has no WebGPU, so GPU numbers only come from there. On a machine without a GPU the
// adapter is SwiftShader (a CPU emulation): its numbers say what the software fallback costs, not
// what a real GPU does.
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { makeBlobs } from '../src/pipeline/cluster/blobs';
import { kmeans, MINIBATCH_THRESHOLD, silhouetteScoreSampled, sweepK } from '../src/pipeline/cluster/index';
import { nodeHelperThreads } from '../src/node/helperThreads';
import { openClusterBrowser } from './lib/clusterBrowser';
import { benchArgs } from './lib/args';
import type { BrowserClusterCase } from './lib/clusterWorker';

const D = 64;
const K = 10;
const RESTARTS = 3;
const SWEEP = { from: 2, to: 15 };
const SILHOUETTE_SAMPLE = 2000;
const BLOBS = 10;
const SEED = 2024;
const USAGE =
  'usage: npx tsx bench/cluster.ts [--quick] [--std S] [--only node|browser] [--browser-sizes 10000,100000] [--browser-timeout SECONDS] [--browser-paths cpu,webgpu]';

interface CaseResult {
  name: string;
  n: number;
  seconds: number;
  /** CPU time of the whole case process (user + system), less the data generation: on a shared machine it moves much less than wall time. */
  cpuSeconds: number;
  genSeconds: number;
  algorithm: string;
  detail: string;
  peakRssMiB: number;
}

/** fullsweep: the app's sweep on helper threads (one per core); fullsweep1: the same on one thread. */
type Kind = 'kmeans' | 'sweep' | 'fullsweep' | 'fullsweep1';

async function runCase(kind: Kind, n: number, std: number): Promise<CaseResult> {
  const t0 = performance.now();
  const { data } = makeBlobs(n, D, BLOBS, { std, seed: SEED });
  const genSeconds = (performance.now() - t0) / 1000;
  const cpu0 = process.cpuUsage();
  let seconds: number;
  let algorithm: string;
  let detail: string;
  if (kind === 'kmeans') {
    const t = performance.now();
    const r = kmeans(data, n, D, { k: K, restarts: RESTARTS, seed: 1 });
    seconds = (performance.now() - t) / 1000;
    algorithm = r.algorithm;
    detail =
      r.algorithm === 'minibatch'
        ? `inertia ${r.inertia.toExponential(4)}; ${r.iterations} batches of 1024`
        : `inertia ${r.inertia.toExponential(4)}; Lloyd iterations per restart: ${r.restartIterations.map((it, i) => (r.restartAbandoned[i] ? `${it} (abandoned)` : it)).join(', ')}`;
  } else if (kind === 'fullsweep' || kind === 'fullsweep1') {
    const t = performance.now();
    const threads = kind === 'fullsweep' ? nodeHelperThreads() : null;
    const r = await sweepK(data, n, D, { kMin: SWEEP.from, kMax: SWEEP.to, seed: 1, silhouetteSample: SILHOUETTE_SAMPLE, threads });
    seconds = (performance.now() - t) / 1000;
    algorithm = r.entries[0].algorithm;
    const slowest = r.entries.reduce((a, e) => (e.ms > a.ms ? e : a));
    const chosen = r.entries.find((e) => e.k === r.suggested.k);
    detail =
      `${r.threads > 1 ? `${r.threads} helper threads` : 'one thread'}; 3 runs x 1 start per K; silhouette ${r.silhouette.exact ? 'exact' : `on ${r.silhouette.sampleSize} sampled points`}; ` +
      `mean ${((seconds * 1000) / r.entries.length).toFixed(0)} ms per K (slowest K = ${slowest.k}: ${slowest.ms.toFixed(0)} ms); ` +
      `suggested K = ${r.suggested.k} (silhouette ${chosen?.silhouette.toFixed(3)}, stability ${chosen?.stability.toFixed(3)}), ` +
      `elbow K = ${r.elbow?.k ?? 'none'}`;
  } else {
    let best = { k: 0, s: -Infinity };
    let algo = '';
    let kmeansMs = 0;
    let silhouetteMs = 0;
    for (let k = SWEEP.from; k <= SWEEP.to; k++) {
      let t = performance.now();
      const r = kmeans(data, n, D, { k, restarts: RESTARTS, seed: 1 });
      kmeansMs += performance.now() - t;
      algo = r.algorithm;
      t = performance.now();
      const s = silhouetteScoreSampled(data, n, D, r.labels, SILHOUETTE_SAMPLE, 7);
      silhouetteMs += performance.now() - t;
      if (s > best.s) best = { k, s };
    }
    seconds = (kmeansMs + silhouetteMs) / 1000;
    algorithm = algo;
    detail =
      `${RESTARTS} restarts per K: k-means ${(kmeansMs / 1000).toFixed(2)} s + silhouette on a sample of ` +
      `${SILHOUETTE_SAMPLE} points ${(silhouetteMs / 1000).toFixed(2)} s; best K = ${best.k} (silhouette ${best.s.toFixed(3)})`;
  }
  return {
    name:
      kind === 'kmeans'
        ? `k-means K=${K}, ${RESTARTS} restarts`
        : kind === 'sweep'
          ? `K loop ${SWEEP.from}..${SWEEP.to}: k-means + sampled silhouette`
          : `sweepK ${SWEEP.from}..${SWEEP.to}: all scores + stability${kind === 'fullsweep1' ? ', one thread' : ''}`,
    n,
    seconds,
    cpuSeconds: ((u) => (u.user + u.system) / 1e6)(process.cpuUsage(cpu0)),
    genSeconds,
    algorithm,
    detail,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`;
  }
}

async function browserPart(sizes: number[], std: number, timeoutS: number, paths: readonly string[]): Promise<void> {
  const browser = await openClusterBrowser();
  try {
    console.log(`\n## Chromium worker (headless ${browser.version}, --enable-unsafe-webgpu; WebGPU adapter: ${browser.adapter})\n`);
    console.log(`before: ${uptime()}\n`);
    console.log('| case | points | path | algorithm | seconds | GPU setup (s) | notes |');
    console.log('| --- | ---: | --- | --- | ---: | ---: | --- |');
    for (const n of sizes) {
      const plan: [BrowserClusterCase['kind'], BrowserClusterCase['path'], boolean][] = [
        ['kmeans', 'cpu', false],
        ['kmeans', 'webgpu', false],
        ['sweep', 'cpu', true],
        ['sweep', 'cpu', false],
        ['sweep', 'webgpu', false],
      ];
      for (const [kind, path, threads] of plan.filter(([, p]) => paths.includes(p))) {
        const c: BrowserClusterCase = {
          kind,
          path,
          threads,
          n,
          d: D,
          k: K,
          restarts: RESTARTS,
          kMin: SWEEP.from,
          kMax: SWEEP.to,
          blobs: BLOBS,
          std,
          seed: SEED,
          silhouetteSample: SILHOUETTE_SAMPLE,
        };
        const name =
          kind === 'kmeans'
            ? `k-means K=${K}, ${RESTARTS} restarts`
            : `sweepK ${SWEEP.from}..${SWEEP.to}: all scores + stability${path === 'cpu' && !threads ? ', one thread' : ''}`;
        const r = await browser.run(c, timeoutS * 1000);
        if (r.seconds === undefined) {
          console.log(`| ${name} | ${n.toLocaleString('en')} | ${path} | - | not finished | - | ${r.error} |`);
          continue;
        }
        console.log(
          `| ${name} | ${n.toLocaleString('en')} | ${r.path}${r.adapter ? ` (${r.adapter})` : ''} | ${r.algorithm} | ${r.seconds.toFixed(2)} | ` +
            `${path === 'webgpu' ? r.setupSeconds.toFixed(2) : '-'} | ${r.detail}${r.error ? `; fallback: ${r.error}` : ''}; data generation ${r.genSeconds.toFixed(1)} s not counted |`,
        );
      }
    }
    console.log(`\nafter: ${uptime()}`);
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const args = benchArgs(
    process.argv.slice(2),
    {
      quick: { type: 'boolean' },
      std: { type: 'string' },
      case: { type: 'string' },
      only: { type: 'string' },
      'browser-sizes': { type: 'string' },
      'browser-timeout': { type: 'string' },
      'browser-paths': { type: 'string' },
    },
    USAGE,
  );
  const std = args.std !== undefined ? Number(args.std) : 4;
  if (args.case !== undefined) {
    const [kind, n] = args.case.split(':');
    process.stdout.write(`${JSON.stringify(await runCase(kind as Kind, Number(n), std))}\n`);
    return;
  }
  const quick = args.quick ?? false;
  const only = args.only ?? null;
  const browserSizes = args['browser-sizes'] !== undefined ? args['browser-sizes'].split(',').map(Number) : quick ? [10_000] : [10_000, 100_000];
  const browserTimeout = args['browser-timeout'] !== undefined ? Number(args['browser-timeout']) : 900;
  const cpu = os.cpus();
  console.log(`# SeqLens clustering benchmark`);
  console.log(
    `machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
      `${os.platform()} ${os.release()}, node ${process.version}`,
  );
  console.log(
    `data: ${BLOBS} Gaussian blobs, ${D} dims, std ${std}, centres uniform in [-10, 10], float32, seed ${SEED}; ` +
      `mini-batch above ${MINIBATCH_THRESHOLD.toLocaleString('en')} points; k-means single-threaded, the sweep on helper threads unless it says one thread`,
  );
  if (only !== 'browser') await nodePart(quick, std);
  const paths = args['browser-paths'] !== undefined ? args['browser-paths'].split(',') : ['cpu', 'webgpu'];
  if (only !== 'node') await browserPart(browserSizes, std, browserTimeout, paths);
}

async function nodePart(quick: boolean, std: number): Promise<void> {
  const cases: [string, number][] = [
    ['kmeans', 10_000],
    ['kmeans', 100_000],
    ...(quick ? [] : ([['kmeans', 1_000_000]] as [string, number][])),
    ['sweep', 10_000],
    ...(quick ? [] : ([['sweep', 100_000]] as [string, number][])),
    ['fullsweep', 10_000],
    ['fullsweep1', 10_000],
    ...(quick
      ? []
      : ([
          ['fullsweep', 100_000],
          ['fullsweep1', 100_000],
        ] as [string, number][])),
  ];
  console.log(`\n## Node\n\nbefore: ${uptime()}\n`);
  console.log('| case | points | algorithm | seconds | peak RSS (MiB) | notes |');
  console.log('| --- | ---: | --- | ---: | ---: | --- |');
  const self = fileURLToPath(import.meta.url);
  for (const [kind, n] of cases) {
    const child = spawnSync(process.execPath, [...process.execArgv, self, '--case', `${kind}:${n}`, '--std', String(std)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    const line = child.stdout.trim().split('\n').pop() ?? '';
    if (child.status !== 0 || !line.startsWith('{')) {
      console.log(`| ${kind} | ${n.toLocaleString('en')} | - | failed | - | ${(child.stderr || '').trim().split('\n').pop()} |`);
      continue;
    }
    const r = JSON.parse(line) as CaseResult;
    console.log(
      `| ${r.name} | ${r.n.toLocaleString('en')} | ${r.algorithm} | ${r.seconds.toFixed(2)} | ${r.peakRssMiB.toFixed(0)} | ` +
        `${r.detail}; CPU ${r.cpuSeconds.toFixed(2)} s; data generation ${r.genSeconds.toFixed(1)} s not counted |`,
    );
  }
  console.log(`\nafter: ${uptime()}`);
}

await main();
