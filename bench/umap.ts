// UMAP benchmark: SeqLens's own UMAP (src/pipeline/project) against umap-js on the same seeded
// Gaussian blobs (64 dims, 10 blobs, std 4, centres uniform in [-10, 10]: the clustering benchmark's
// data), seconds per stage, peak RSS and trustworthiness (k = 15) of the 2-D layouts.
// Run: npx tsx bench/umap.ts [--sizes 10000,50000,100000] [--umapjs-max 50000] [--umapjs-timeout 900]
//                            [--trust-sample 1000] [--std 4] [--seed 2024] [--only ours|umapjs]
//
// umap-js runs up to 50,000 points by default: there it needs about 2 minutes and 2.7 GB on a 2-core
// EPYC, and its time and memory grow faster than linearly, so 100,000 points would take several
// minutes and most of a small machine's memory (--umapjs-max raises the cap; --umapjs-timeout kills
// a run that takes longer).
//
// Every case runs in a child process of its own, so that its peak RSS is its own and a umap-js run
// past its time cap can be killed. umap-js is not a dependency of the project: install it without
// touching package.json (`npm install --no-save umap-js`); without it, its rows say so.
//
// Trustworthiness: exact up to TRUSTWORTHINESS_EXACT_MAX (5,000) points; above, estimated from
// --trust-sample seeded query points ranked against all n points (the same query points for both
// implementations, so the comparison is paired), printed with its standard error.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { makeBlobs } from '../src/pipeline/cluster/blobs';
import { Rng } from '../src/pipeline/numeric/random';
import { layoutTrustworthiness, TRUSTWORTHINESS_EXACT_MAX, umap } from '../src/pipeline/project/index';
import { benchArgs } from './lib/args';
import { describeMachine, loadAverage, machineInfo } from './lib/machine';
import { ownMaxRss, sampleOwnRss } from './lib/memory';

const D = 64;
const BLOBS = 10;
const TRUST_K = 15;
const TRUST_SEED = 7;
const UMAP_SEED = 1;

type Impl = 'ours' | 'umapjs';

interface CaseResult {
  impl: Impl;
  n: number;
  knnS: number;
  graphS: number;
  layoutS: number;
  totalS: number;
  epochs: number;
  peakRssMiB: number;
  baseRssMiB: number;
  trust: number;
  trustSe: number;
  trustExact: boolean;
  trustSample: number;
  trustS: number;
  genS: number;
  detail: string;
}

interface Args {
  sizes: number[];
  umapjsMax: number;
  umapjsTimeout: number;
  trustSample: number;
  std: number;
  seed: number;
  only: Impl | null;
}

const USAGE =
  'usage: npx tsx bench/umap.ts [--sizes 10000,50000,100000] [--umapjs-max 50000] [--umapjs-timeout 900] [--trust-sample 1000] [--std 4] [--seed 2024] [--only ours|umapjs]';

const OPTIONS = {
  sizes: { type: 'string' },
  'umapjs-max': { type: 'string' },
  'umapjs-timeout': { type: 'string' },
  'trust-sample': { type: 'string' },
  std: { type: 'string' },
  seed: { type: 'string' },
  only: { type: 'string' },
  /** IMPL:N, one measurement in this process (the parent runs each in a child of its own). */
  case: { type: 'string' },
} as const;

function parseArgs(v: ReturnType<typeof benchArgs<typeof OPTIONS>>): Args {
  return {
    sizes: (v.sizes ?? '10000,50000,100000').split(',').map(Number),
    umapjsMax: Number(v['umapjs-max'] ?? 50_000),
    umapjsTimeout: Number(v['umapjs-timeout'] ?? 900),
    trustSample: Number(v['trust-sample'] ?? 1000),
    std: Number(v.std ?? 4),
    seed: Number(v.seed ?? 2024),
    only: (v.only as Impl | undefined) ?? null,
  };
}

const MiB = 1024 * 1024;

/** The part of umap-js's API used here (typed locally: umap-js is not a project dependency). */
interface UmapJs {
  version: string;
  UMAP: new (params: {
    nComponents: number;
    nNeighbors: number;
    minDist: number;
    random: () => number;
  }) => {
    setPrecomputedKNN(knnIndices: number[][], knnDistances: number[][]): void;
    initializeFit(X: number[][]): number;
    step(): number;
    getEmbedding(): number[][];
  };
}

async function loadUmapJs(): Promise<UmapJs> {
  // A computed specifier: the type checker must not look for a module the project does not list.
  const name = ['umap', 'js'].join('-');
  try {
    const mod = (await import(name)) as { UMAP: UmapJs['UMAP']; default?: { UMAP: UmapJs['UMAP'] } };
    const version = (createRequire(import.meta.url)(`${name}/package.json`) as { version: string }).version;
    return { UMAP: mod.UMAP ?? mod.default?.UMAP, version };
  } catch {
    throw new Error('umap-js is not installed (npm install --no-save umap-js)');
  }
}

async function runCase(impl: Impl, n: number, args: Args): Promise<CaseResult> {
  let t = performance.now();
  const { data } = makeBlobs(n, D, BLOBS, { std: args.std, seed: args.seed });
  const genS = (performance.now() - t) / 1000;
  let knnS = 0;
  let graphS = 0;
  let layoutS = 0;
  let totalS = 0;
  let epochs = 0;
  let detail = '';
  let embedding: Float32Array;
  const baseRss = process.memoryUsage().rss;
  const sampler = sampleOwnRss(20);
  if (impl === 'ours') {
    const r = await umap(data as Float32Array, n, D, { seed: UMAP_SEED });
    const s = r.stats;
    knnS = s.timings.knnMs / 1000;
    graphS = s.timings.graphMs / 1000;
    layoutS = (s.timings.initMs + s.timings.layoutMs) / 1000;
    totalS = s.timings.totalMs / 1000;
    epochs = s.nEpochs;
    embedding = r.embedding;
    detail =
      `${s.knn.method}${s.knn.method === 'nndescent' ? ` (${s.knn.trees} trees, ${s.knn.iterations} iterations)` : ''}; ` +
      `PCA init ${(s.timings.initMs / 1000).toFixed(2)} s; ${s.edges.toLocaleString('en')} edges; ` +
      `${((s.positiveSamples + s.negativeSamples) / 1e6).toFixed(0)}M SGD samples`;
  } else {
    const mod = await loadUmapJs();
    // umap-js takes number[][]: converted before the clock starts (it is the input it needs).
    const X: number[][] = [];
    for (let i = 0; i < n; i++) X.push(Array.from(data.subarray(i * D, (i + 1) * D)));
    const rng = new Rng(UMAP_SEED);
    const u = new mod.UMAP({ nComponents: 2, nNeighbors: 15, minDist: 0.1, random: () => rng.nextFloat() });
    // Its stages timed apart: the kNN through its own (private) nearestNeighbors, handed back with
    // setPrecomputedKNN; initializeFit then builds the graph and the initial layout.
    const priv = u as unknown as { nearestNeighbors(X: number[][]): { knnIndices: number[][]; knnDistances: number[][] } };
    t = performance.now();
    const t0 = t;
    const knn = priv.nearestNeighbors(X);
    u.setPrecomputedKNN(knn.knnIndices, knn.knnDistances);
    knnS = (performance.now() - t) / 1000;
    t = performance.now();
    epochs = u.initializeFit(X);
    graphS = (performance.now() - t) / 1000;
    t = performance.now();
    for (let e = 0; e < epochs; e++) u.step();
    layoutS = (performance.now() - t) / 1000;
    totalS = (performance.now() - t0) / 1000;
    const emb = u.getEmbedding();
    embedding = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      embedding[2 * i] = emb[i][0];
      embedding[2 * i + 1] = emb[i][1];
    }
    detail = `umap-js ${mod.version}, random init; its graph column also builds its initial layout and transform search graph`;
  }
  const peak = Math.max(sampler.stop(), ownMaxRss());
  t = performance.now();
  const tw = layoutTrustworthiness(data, n, D, embedding, { k: TRUST_K, sampleSize: args.trustSample, seed: TRUST_SEED });
  const trustS = (performance.now() - t) / 1000;
  return {
    impl,
    n,
    knnS,
    graphS,
    layoutS,
    totalS,
    epochs,
    peakRssMiB: peak / MiB,
    baseRssMiB: baseRss / MiB,
    trust: tw.value,
    trustSe: tw.standardError,
    trustExact: tw.exact,
    trustSample: tw.sampleSize,
    trustS,
    genS,
    detail,
  };
}

function row(r: CaseResult): string {
  const trust = r.trustExact ? `${r.trust.toFixed(4)} (exact)` : `${r.trust.toFixed(4)} ± ${r.trustSe.toFixed(4)}`;
  return (
    `| ${r.impl === 'ours' ? 'SeqLens' : 'umap-js'} | ${r.n.toLocaleString('en')} | ${r.knnS.toFixed(2)} | ${r.graphS.toFixed(2)} | ` +
    `${r.layoutS.toFixed(2)} | **${r.totalS.toFixed(2)}** | ${r.epochs} | ${r.peakRssMiB.toFixed(0)} (${r.baseRssMiB.toFixed(0)} before) | ` +
    `${trust} | ${r.detail} |`
  );
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const values = benchArgs(argv, OPTIONS, USAGE);
  const args = parseArgs(values);
  if (values.case !== undefined) {
    const [impl, n] = values.case.split(':');
    process.stdout.write(`${JSON.stringify(await runCase(impl as Impl, Number(n), args))}\n`);
    return;
  }
  const m = machineInfo();
  console.log('# SeqLens UMAP benchmark\n');
  console.log('```');
  console.log(
    describeMachine(m, {
      'Load average (1, 5, 15 min) at start': os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(', '),
    }),
  );
  console.log('```\n');
  console.log(
    `Data: ${BLOBS} Gaussian blobs, ${D} dims, std ${args.std}, centres uniform in [-10, 10], float32, seed ${args.seed}. ` +
      `Both: n_neighbors 15, min_dist 0.1, epochs 500 up to 10,000 points and 200 above (umap-js: 500/400/300/200 ` +
      `up to 2,500/5,000/7,500/more), seed ${UMAP_SEED}, single-threaded. Trustworthiness k = ${TRUST_K}: exact up to ` +
      `${TRUSTWORTHINESS_EXACT_MAX.toLocaleString('en')} points, above that estimated from ${args.trustSample} seeded query ` +
      `points (± one standard error). umap-js runs up to ${args.umapjsMax.toLocaleString('en')} points, killed after ` +
      `${args.umapjsTimeout} s. Seconds are wall time; layout includes the initial layout.\n`,
  );
  const header = '| implementation | points | kNN (s) | graph (s) | layout (s) | total (s) | epochs | peak RSS MiB | trustworthiness (k=15) | notes |';
  const lines: string[] = [header, '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |'];
  const results: CaseResult[] = [];
  const self = fileURLToPath(import.meta.url);
  for (const n of args.sizes) {
    for (const impl of ['ours', 'umapjs'] as const) {
      if (args.only && args.only !== impl) continue;
      const name = impl === 'ours' ? 'SeqLens' : 'umap-js';
      if (impl === 'umapjs' && n > args.umapjsMax) {
        lines.push(`| ${name} | ${n.toLocaleString('en')} | - | - | - | skipped | - | - | - | above --umapjs-max ${args.umapjsMax} |`);
        continue;
      }
      const load = loadAverage();
      const child = spawnSync(process.execPath, [...process.execArgv, self, ...argv, '--case', `${impl}:${n}`], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
        timeout: impl === 'umapjs' ? args.umapjsTimeout * 1000 : undefined,
        killSignal: 'SIGKILL',
      });
      const out = child.stdout.trim().split('\n').pop() ?? '';
      if (child.status !== 0 || !out.startsWith('{')) {
        const why = child.error || child.signal ? `not finished within ${args.umapjsTimeout} s` : (child.stderr || '').trim().split('\n').pop();
        lines.push(`| ${name} | ${n.toLocaleString('en')} | - | - | - | failed | - | - | - | ${why} |`);
        console.error(`${name} ${n}: ${why}`);
        continue;
      }
      const r = JSON.parse(out) as CaseResult;
      r.detail += `; load ${load.toFixed(2)} at start; trustworthiness took ${r.trustS.toFixed(1)} s, data ${r.genS.toFixed(1)} s (not counted)`;
      results.push(r);
      lines.push(row(r));
      console.error(`${name} ${n}: ${r.totalS.toFixed(2)} s, trustworthiness ${r.trust.toFixed(4)}`);
    }
  }
  console.log(lines.join('\n'));
  console.log(
    `\nLoad average at end: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}\n`,
  );

  // Against the targets.
  const ours50 = results.find((r) => r.impl === 'ours' && r.n === 50_000);
  if (ours50) console.log(`- 50,000 points in under 30 s: ${ours50.totalS < 30 ? 'met' : '**missed**'} (${ours50.totalS.toFixed(1)} s)`);
  const both = results
    .filter((r) => r.impl === 'umapjs')
    .map((js) => ({ js, ours: results.find((r) => r.impl === 'ours' && r.n === js.n) }))
    .filter((p): p is { js: CaseResult; ours: CaseResult } => p.ours !== undefined);
  for (const { js, ours } of both) {
    const diff = ours.trust - js.trust;
    console.log(
      `- ${js.n.toLocaleString('en')} points: trustworthiness ${ours.trust.toFixed(4)} vs umap-js ${js.trust.toFixed(4)} ` +
        `(difference ${diff >= 0 ? '+' : ''}${diff.toFixed(4)}; target: no worse than -0.01: ${diff >= -0.01 ? 'met' : '**missed**'}); ` +
        `${(js.totalS / ours.totalS).toFixed(1)}x faster`,
    );
  }
}

await main();
