// The peers side by side with ours, on the same generated data, in one run: every claim of the
// "Peers" section of docs/benchmarks.md is a ratio measured here.
//
// - reading: ours against DuckDB (bench/lib/peersIngest.ts, when it is there);
// - k-means: ours against scikit-learn's KMeans (Lloyd, k-means++, 3 restarts, one thread) on the
//   same 100k x 64 float32 matrix, written to a file that both read;
// - UMAP: ours against umap-learn at 10k and 50k points, with the trustworthiness of both layouts
//   computed by the same function (ours, checked against scikit-learn's on the fixtures).
//
// Run: npm run bench:peers -- [--repeats 3] [--only ingest,kmeans,umap] [--umap-sizes 10000,50000]
//                             [--kmeans-n 100000] [--python /usr/bin/python3] [--timeout 900]
//
// The machine may be shared: each repeat runs ours and the peer back to back (ours first, then the
// peer) and the ratio is taken per repeat; minimum and median of both are printed, with the load
// before and after. Ours runs in a fresh Node process per repeat (cold JIT, as in the app), the
// peer in a fresh Python process whose imports and data loading are not timed. The Python peers
// come from the Debian packages python3-sklearn and umap-learn (apt-get install -y python3-sklearn
// umap-learn); without them their rows say "skipped". CI does not run this.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBlobs } from '../src/pipeline/cluster/blobs';
import { kmeans } from '../src/pipeline/cluster/kmeans';
import { layoutTrustworthiness, umap } from '../src/pipeline/project/index';
import { benchArgs } from './lib/args';
import { describeMachine, machineInfo } from './lib/machine';
import { type BlasInfo, describeBlas, findPython, probePython, runPython } from './lib/peersPython';
import { median, min } from './lib/stats';

const D = 64;
const BLOBS = 10;
const STD = 4;
const DATA_SEED = 2024;
const K = 10;
const RESTARTS = 3;
const UMAP_SEED = 1;
const TRUST = { k: 15, sampleSize: 1000, seed: 7 };

interface Args {
  repeats: number;
  only: Set<string>;
  umapSizes: number[];
  kmeansN: number;
  python: string;
  timeoutS: number;
}

const USAGE =
  'usage: npm run bench:peers -- [--repeats 3] [--only ingest,kmeans,umap] [--umap-sizes 10000,50000] [--kmeans-n 100000] [--python /usr/bin/python3] [--timeout 900]';

const OPTIONS = {
  repeats: { type: 'string' },
  only: { type: 'string' },
  'umap-sizes': { type: 'string' },
  'kmeans-n': { type: 'string' },
  python: { type: 'string' },
  timeout: { type: 'string' },
  /** One measurement in this process (the parent runs each in a child of its own). */
  case: { type: 'string' },
} as const;

function parseArgs(v: ReturnType<typeof benchArgs<typeof OPTIONS>>): Args {
  return {
    repeats: Number(v.repeats ?? 3),
    only: new Set((v.only ?? 'ingest,kmeans,umap').split(',')),
    umapSizes: (v['umap-sizes'] ?? '10000,50000').split(',').map(Number),
    kmeansN: Number(v['kmeans-n'] ?? 100_000),
    python: findPython(v.python),
    timeoutS: Number(v.timeout ?? 900),
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

function load1(): string {
  return os.loadavg()[0].toFixed(1);
}

/** Our side of one repeat, in a child process of its own (see the header). */
interface OursKMeans {
  seconds: number;
  /** CPU time (user + system) of the call: on a loaded machine it moves much less than wall time. */
  cpuSeconds: number;
  warmSeconds: number;
  inertia: number;
  restartIterations: number[];
  restartAbandoned: boolean[];
}
interface OursUmap {
  seconds: number;
  cpuSeconds: number;
  epochs: number;
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
}

function readMatrix(path: string, n: number, d: number): Float32Array {
  const bytes = readFileSync(path);
  if (bytes.byteLength !== n * d * 4) throw new Error(`${path}: ${bytes.byteLength} bytes, expected ${n * d * 4}`);
  return new Float32Array(bytes.buffer, bytes.byteOffset, n * d).slice();
}

async function childCase(spec: string): Promise<unknown> {
  const [kind, path, nText, out, seedText] = spec.split('|');
  const n = Number(nText);
  const data = readMatrix(path, n, D);
  if (kind === 'kmeans') {
    const seed = Number(seedText);
    const c0 = process.cpuUsage();
    let t = performance.now();
    const r = kmeans(data, n, D, { k: K, restarts: RESTARTS, seed });
    const seconds = (performance.now() - t) / 1000;
    const cpuSeconds = cpuSince(c0);
    // The same call again in the same process: what it costs once V8 has compiled the code (as
    // in the app's worker after its first run, and in every run of a K sweep but the first).
    t = performance.now();
    kmeans(data, n, D, { k: K, restarts: RESTARTS, seed });
    const warmSeconds = (performance.now() - t) / 1000;
    return {
      seconds,
      cpuSeconds,
      warmSeconds,
      inertia: r.inertia,
      restartIterations: r.restartIterations,
      restartAbandoned: r.restartAbandoned,
    } satisfies OursKMeans;
  }
  const c0 = process.cpuUsage();
  const t = performance.now();
  const r = await umap(data, n, D, { seed: UMAP_SEED });
  const seconds = (performance.now() - t) / 1000;
  const cpuSeconds = cpuSince(c0);
  writeFileSync(out, Buffer.from(r.embedding.buffer, r.embedding.byteOffset, r.embedding.byteLength));
  return { seconds, cpuSeconds, epochs: r.stats.nEpochs } satisfies OursUmap;
}

function runOurs<T>(spec: string, timeoutS: number): T {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, [...process.execArgv, self, '--case', spec], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    timeout: timeoutS * 1000,
    killSignal: 'SIGKILL',
  });
  const line = (child.stdout ?? '').trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('{')) {
    throw new Error(`ours (${spec.split('|')[0]}): ${child.signal ? `killed after ${timeoutS} s` : (child.stderr ?? '').trim().split('\n').pop()}`);
  }
  return JSON.parse(line) as T;
}

/** "ours a / peer b" summary of paired repeats: ratio > 1 means ours is faster. */
function summary(ours: number[], peer: number[]): string {
  const ratios = ours.map((o, i) => peer[i] / o);
  return (
    `ours min ${min(ours).toFixed(2)} s / median ${median(ours).toFixed(2)} s; ` +
    `peer min ${min(peer).toFixed(2)} s / median ${median(peer).toFixed(2)} s; ` +
    `peer ÷ ours per repeat ${ratios.map((r) => r.toFixed(2)).join(', ')} ` +
    `(median ${median(ratios).toFixed(2)}×, of minima ${(min(peer) / min(ours)).toFixed(2)}×)`
  );
}

/** The part of bench/lib/peersIngest.ts (H1's reader bench) used here, typed locally: it may not exist yet. */
interface IngestPeersModule {
  ingestPeers(opts: { runs?: number; quoted?: boolean; log?: (line: string) => void }): Promise<{
    file: { label: string; bytes: number };
    events: number;
    threads: number;
    rows: { name: string; seconds: number; eventsPerSecond: number; runs: number[] }[];
    ratios: number[];
    ratio: number;
    queryRatio: number;
  }>;
}

async function ingestPart(args: Args): Promise<void> {
  console.log('\n## Reading: ours against DuckDB\n');
  const path = fileURLToPath(new URL('./lib/peersIngest.ts', import.meta.url));
  if (!existsSync(path)) {
    console.log('skipped: ingest peers not built (bench/lib/peersIngest.ts is missing)');
    return;
  }
  const mod = (await import(path)) as Partial<IngestPeersModule>;
  if (typeof mod.ingestPeers !== 'function') {
    console.log(`skipped: bench/lib/peersIngest.ts exports no ingestPeers (exports: ${Object.keys(mod).join(', ') || 'none'})`);
    return;
  }
  for (const quoted of [false, true]) {
    let r: Awaited<ReturnType<IngestPeersModule['ingestPeers']>>;
    try {
      r = await mod.ingestPeers({ runs: args.repeats, quoted, log: (line) => console.log(`- ${line}`) });
    } catch (e) {
      console.log(`skipped (${quoted ? 'quoted' : 'unquoted'} file): ${(e as Error).message}`);
      continue;
    }
    console.log(`\n${r.file.label}: ${r.events.toLocaleString('en')} events, ${(r.file.bytes / 2 ** 20).toFixed(0)} MiB, ${r.threads} thread(s) each\n`);
    console.log('| reader | median (s) | events/s | every run (s) |');
    console.log('| --- | ---: | ---: | --- |');
    for (const row of r.rows) {
      console.log(
        `| ${row.name} | ${row.seconds.toFixed(2)} | ${Math.round(row.eventsPerSecond).toLocaleString('en')} | ${row.runs.map((x) => x.toFixed(2)).join(', ')} |`,
      );
    }
    console.log(
      `\nDuckDB ÷ ours per run ${r.ratios.map((x) => x.toFixed(2)).join(', ')} (median ${r.ratio.toFixed(2)}×; ` +
        `DuckDB's query alone ÷ ours, median ${r.queryRatio.toFixed(2)}×)`,
    );
  }
}

async function kmeansPart(args: Args, dir: string, pythonOk: boolean, why: string): Promise<void> {
  const n = args.kmeansN;
  console.log(`\n## k-means: ours against scikit-learn\n`);
  console.log(
    `${n.toLocaleString('en')} x ${D} float32 (${BLOBS} blobs, std ${STD}, seed ${DATA_SEED}: bench/cluster.ts's data), K = ${K}, ` +
      `k-means++ with ${RESTARTS} restarts, tol 1e-4, one thread each; seeds: repeat r (from 0) runs ours with seed r + 1 and scikit-learn with random_state = r, so each repeat draws other restarts. ` +
      `Inertia of both recomputed in float64.\n`,
  );
  const { data } = makeBlobs(n, D, BLOBS, { std: STD, seed: DATA_SEED });
  const file = join(dir, `blobs-${n}x${D}.f32`);
  writeFileSync(file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  if (!pythonOk) console.log(`scikit-learn: skipped (${why})\n`);
  console.log(
    '| repeat | load (1 min) | ours (s) | ours, second call (s) | ours: CPU (s) | ours: inertia | ours: iterations per restart | scikit-learn (s) | scikit-learn: CPU (s) | scikit-learn: inertia | peer ÷ ours | peer ÷ ours, second call | peer ÷ ours, CPU |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const ours: number[] = [];
  const oursWarm: number[] = [];
  const oursCpu: number[] = [];
  const peer: number[] = [];
  const peerCpu: number[] = [];
  let blas: BlasInfo[] | undefined;
  for (let r = 0; r < args.repeats; r++) {
    const load = load1();
    const o = runOurs<OursKMeans>(`kmeans|${file}|${n}||${r + 1}`, args.timeoutS);
    ours.push(o.seconds);
    oursWarm.push(o.warmSeconds);
    oursCpu.push(o.cpuSeconds);
    const its = o.restartIterations.map((it, i) => (o.restartAbandoned[i] ? `${it} (abandoned)` : String(it))).join(', ');
    let p: { seconds: number; cpu_seconds: number; inertia: number; blas: BlasInfo[] } | null = null;
    if (pythonOk) {
      p = runPython<{ seconds: number; cpu_seconds: number; inertia: number; blas: BlasInfo[] }>(
        args.python,
        ['kmeans', file, String(n), String(D), String(K), String(RESTARTS), String(r)],
        args.timeoutS,
      );
      peer.push(p.seconds);
      peerCpu.push(p.cpu_seconds);
      blas = p.blas;
    }
    console.log(
      `| ${r + 1} | ${load} | ${o.seconds.toFixed(2)} | ${o.warmSeconds.toFixed(2)} | ${o.cpuSeconds.toFixed(2)} | ${o.inertia.toExponential(6)} | ${its} | ` +
        `${p ? p.seconds.toFixed(2) : '-'} | ${p ? p.cpu_seconds.toFixed(2) : '-'} | ${p ? p.inertia.toExponential(6) : '-'} | ${p ? (p.seconds / o.seconds).toFixed(2) : '-'} | ` +
        `${p ? (p.seconds / o.warmSeconds).toFixed(2) : '-'} | ${p ? (p.cpu_seconds / o.cpuSeconds).toFixed(2) : '-'} |`,
    );
  }
  if (peer.length) {
    console.log(`\nk-means, ours in a fresh process: ${summary(ours, peer)}`);
    console.log(`k-means, ours second call: ${summary(oursWarm, peer)}`);
    console.log(`k-means, CPU time (first call): ${summary(oursCpu, peerCpu)}`);
    console.log(`scikit-learn's ${describeBlas(blas)}`);
  }
}

async function umapPart(args: Args, dir: string, pythonOk: boolean, why: string): Promise<void> {
  console.log(`\n## UMAP: ours against umap-learn\n`);
  console.log(
    `${BLOBS} blobs, ${D} dims, std ${STD}, seed ${DATA_SEED}; n_neighbors 15, min_dist 0.1, 2-D, each library's own epochs rule ` +
      `(500 up to 10,000 points, 200 above) and initialisation (ours PCA, umap-learn spectral), seed ${UMAP_SEED}, one thread ` +
      `(umap-learn with random_state set runs single-threaded). umap-learn is timed warm: its numba kernels are compiled by a ` +
      `fit on 2,000 points first (that time is shown apart). Trustworthiness (k = ${TRUST.k}) of both layouts by the same ` +
      `function, on ${TRUST.sampleSize} seeded query points.\n`,
  );
  if (!pythonOk) console.log(`umap-learn: skipped (${why})\n`);
  console.log(
    '| points | repeat | load (1 min) | ours (s) | ours: CPU (s) | ours: trustworthiness | umap-learn (s) | umap-learn: CPU (s) | umap-learn: compile warm-up (s) | umap-learn: trustworthiness | peer ÷ ours | peer ÷ ours, CPU |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const lines: string[] = [];
  for (const n of args.umapSizes) {
    const { data } = makeBlobs(n, D, BLOBS, { std: STD, seed: DATA_SEED });
    const file = join(dir, `umap-${n}x${D}.f32`);
    writeFileSync(file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    const trustOf = (embPath: string): string => {
      const emb = readMatrixAny(embPath, n * 2);
      const t = layoutTrustworthiness(data, n, D, emb, TRUST);
      return t.exact ? t.value.toFixed(4) : `${t.value.toFixed(4)} ± ${t.standardError.toFixed(4)}`;
    };
    const ours: number[] = [];
    const peer: number[] = [];
    const oursCpu: number[] = [];
    const peerCpu: number[] = [];
    for (let r = 0; r < args.repeats; r++) {
      const load = load1();
      const oursOut = join(dir, `ours-${n}.f32`);
      const o = runOurs<OursUmap>(`umap|${file}|${n}|${oursOut}`, args.timeoutS);
      ours.push(o.seconds);
      let p: { seconds: number; cpu_seconds: number; warmup_seconds: number } | null = null;
      const peerOut = join(dir, `peer-${n}.f32`);
      if (pythonOk) {
        p = runPython<{ seconds: number; cpu_seconds: number; warmup_seconds: number }>(
          args.python,
          ['umap', file, String(n), String(D), String(UMAP_SEED), peerOut],
          args.timeoutS,
        );
        peer.push(p.seconds);
        peerCpu.push(p.cpu_seconds);
      }
      oursCpu.push(o.cpuSeconds);
      console.log(
        `| ${n.toLocaleString('en')} | ${r + 1} | ${load} | ${o.seconds.toFixed(2)} | ${o.cpuSeconds.toFixed(2)} | ${trustOf(oursOut)} | ` +
          `${p ? p.seconds.toFixed(2) : '-'} | ${p ? p.cpu_seconds.toFixed(2) : '-'} | ${p ? p.warmup_seconds.toFixed(1) : '-'} | ${p ? trustOf(peerOut) : '-'} | ` +
          `${p ? (p.seconds / o.seconds).toFixed(2) : '-'} | ${p ? (p.cpu_seconds / o.cpuSeconds).toFixed(2) : '-'} |`,
      );
    }
    if (peer.length) {
      lines.push(`UMAP ${n.toLocaleString('en')}: ${summary(ours, peer)}`);
      lines.push(`UMAP ${n.toLocaleString('en')}, CPU time: ${summary(oursCpu, peerCpu)}`);
    }
  }
  if (lines.length) console.log(`\n${lines.join('\n')}`);
}

function readMatrixAny(path: string, count: number): Float32Array {
  const bytes = readFileSync(path);
  if (bytes.byteLength !== count * 4) throw new Error(`${path}: ${bytes.byteLength} bytes, expected ${count * 4}`);
  return new Float32Array(bytes.buffer, bytes.byteOffset, count).slice();
}

async function main(): Promise<void> {
  const values = benchArgs(process.argv.slice(2), OPTIONS, USAGE);
  if (values.case !== undefined) {
    process.stdout.write(`${JSON.stringify(await childCase(values.case))}\n`);
    return;
  }
  const args = parseArgs(values);
  console.log('# SeqLens against its peers\n');
  console.log('```');
  console.log(describeMachine(machineInfo()));
  console.log('```\n');
  console.log(`before: ${uptime()}`);
  const { probe, why: probeWhy } = probePython(args.python);
  const sklearnOk = !!probe?.sklearn;
  const umapOk = !!probe?.umap;
  const why = (lib: string) =>
    probe ? `${lib} is not importable by ${args.python}: apt-get install -y python3-sklearn umap-learn` : `${args.python} failed: ${probeWhy}`;
  if (probe) {
    console.log(
      `peers: ${args.python} ${probe.python}, numpy ${probe.numpy}, scikit-learn ${probe.sklearn ?? 'absent'}, umap-learn ${probe.umap ?? 'absent'}, threadpoolctl ${probe.threadpoolctl ?? 'absent'}`,
    );
  }
  const dir = mkdtempSync(join(os.tmpdir(), 'seqlens-peers-'));
  try {
    if (args.only.has('ingest')) await ingestPart(args);
    if (args.only.has('kmeans')) await kmeansPart(args, dir, sklearnOk, why('scikit-learn'));
    if (args.only.has('umap')) await umapPart(args, dir, umapOk, why('umap-learn'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nafter: ${uptime()}`);
}

await main();
