// Clustering benchmark: seeded Gaussian blobs in 64 dimensions, k-means (K = 10, 3 restarts) at
// 10k / 100k / 1M points, the bare K loop 2..15 (k-means + sampled silhouette) and the full K sweep
// of sweep.ts (3 seeded runs per K, silhouette, Calinski-Harabasz, Davies-Bouldin, stability) at
// 10k / 100k.
// Run: npx tsx bench/cluster.ts [--quick] [--std S]
// Every case runs in a child process of its own so that its peak RSS is its own.
//
// GPU timings are not taken here: Node has no WebGPU. They have to come from a browser, the way
// bench/lib/browserIngest.ts measures ingest: serve a bundle of e2e/gpu/kmeansHarness.ts on the
// preview origin (as e2e/gpu-kmeans.spec.ts does with esbuild + page.route), launch Chromium with
// --enable-unsafe-webgpu, and call __gpuHarness.kmeansCase / assignCase, which already time the
// GPU path and the CPU twin inside the page (gpuMs, cpuMs; assigner.stats.lastGpuMs splits
// submit-to-readback from the host's re-check). On this machine that adapter is SwiftShader (a
// CPU emulation), so only a run on a real GPU says anything about speed.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { makeBlobs } from '../src/pipeline/cluster/blobs.ts';
import { kmeans, MINIBATCH_THRESHOLD, silhouetteScoreSampled, sweepK } from '../src/pipeline/cluster/index.ts';

const D = 64;
const K = 10;
const RESTARTS = 3;
const SWEEP = { from: 2, to: 15 };
const SILHOUETTE_SAMPLE = 2000;
const BLOBS = 10;
const SEED = 2024;

interface CaseResult {
  name: string;
  n: number;
  seconds: number;
  genSeconds: number;
  algorithm: string;
  detail: string;
  peakRssMiB: number;
}

type Kind = 'kmeans' | 'sweep' | 'fullsweep';

async function runCase(kind: Kind, n: number, std: number): Promise<CaseResult> {
  const t0 = performance.now();
  const { data } = makeBlobs(n, D, BLOBS, { std, seed: SEED });
  const genSeconds = (performance.now() - t0) / 1000;
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
        : `inertia ${r.inertia.toExponential(4)}; Lloyd iterations per restart: ${r.restartIterations.join(', ')}`;
  } else if (kind === 'fullsweep') {
    const t = performance.now();
    const r = await sweepK(data, n, D, { kMin: SWEEP.from, kMax: SWEEP.to, seed: 1, silhouetteSample: SILHOUETTE_SAMPLE });
    seconds = (performance.now() - t) / 1000;
    algorithm = r.entries[0].algorithm;
    const slowest = r.entries.reduce((a, e) => (e.ms > a.ms ? e : a));
    const chosen = r.entries.find((e) => e.k === r.suggested.k);
    detail =
      `3 runs x 1 start per K; silhouette ${r.silhouette.exact ? 'exact' : `on ${r.silhouette.sampleSize} sampled points`}; ` +
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
          : `sweepK ${SWEEP.from}..${SWEEP.to}: all scores + stability`,
    n,
    seconds,
    genSeconds,
    algorithm,
    detail,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const stdAt = args.indexOf('--std');
  const std = stdAt >= 0 ? Number(args[stdAt + 1]) : 4;
  const caseAt = args.indexOf('--case');
  if (caseAt >= 0) {
    const [kind, n] = args[caseAt + 1].split(':');
    process.stdout.write(`${JSON.stringify(await runCase(kind as Kind, Number(n), std))}\n`);
    return;
  }
  const quick = args.includes('--quick');
  const cases: [string, number][] = [
    ['kmeans', 10_000],
    ['kmeans', 100_000],
    ...(quick ? [] : ([['kmeans', 1_000_000]] as [string, number][])),
    ['sweep', 10_000],
    ...(quick ? [] : ([['sweep', 100_000]] as [string, number][])),
    ['fullsweep', 10_000],
    ...(quick ? [] : ([['fullsweep', 100_000]] as [string, number][])),
  ];
  const cpu = os.cpus();
  console.log(`# SeqLens clustering benchmark`);
  console.log(
    `machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
      `${os.platform()} ${os.release()}, node ${process.version}`,
  );
  console.log(
    `data: ${BLOBS} Gaussian blobs, ${D} dims, std ${std}, centres uniform in [-10, 10], float32, seed ${SEED}; ` +
      `mini-batch above ${MINIBATCH_THRESHOLD.toLocaleString('en')} points; single-threaded\n`,
  );
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
        `${r.detail}; data generation ${r.genSeconds.toFixed(1)} s not counted |`,
    );
  }
}

await main();
