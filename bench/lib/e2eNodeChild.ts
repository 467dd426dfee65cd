// Child-process side of runNodeE2e: the whole pipeline in-process, the way the CLI runs it
// (src/cli/analyze.ts --umap --out): ingest, encode, GCN, K sweep, UMAP (+ trustworthiness),
// profiles and recommendations. Per stage: wall time, peak RSS and the longest event-loop block.
// Reports to the parent over IPC, so the RSS and the kernel's high-water mark belong to this run.

import { createReadStream, existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { analyzeStream } from '../../src/pipeline/analyze';
import { encodeSequences, loadModelEmbedder } from '../../src/pipeline/encode';
import { embedItemTexts, itemVectorsByItem, normalizeRows, runGcn } from '../../src/pipeline/gcn';
import { layoutTrustworthiness, umap } from '../../src/pipeline/project';
import { profileClusters } from '../../src/pipeline/profile';
import { recommendForClusters } from '../../src/pipeline/recommend';
import { runSweepJob } from '../../src/pipeline/runner/clusterJob';
import { nodeHelperThreads } from '../../src/node/helperThreads';
import { ownMaxRss, sampleOwnRss } from './memory';
import type { NodeE2eOptions, NodeE2eResult, NodeStage } from './e2eNode';

const MODELS_DIR = fileURLToPath(new URL('../../public/models/', import.meta.url));

async function main(): Promise<void> {
  const [file, optsJson] = parseArgs({ options: {}, allowPositionals: true }).positionals;
  if (!file || !optsJson || !process.send) throw new Error('usage: forked by runNodeE2e');
  const opts = JSON.parse(optsJson) as NodeE2eOptions;
  (globalThis as { gc?: () => void }).gc?.();
  const baselineRss = process.memoryUsage().rss;
  const stages: NodeStage[] = [];
  const log = (s: string): void => void process.stderr.write(`node: ${s}\n`);

  /** Runs one stage with its own RSS sampler and event-loop delay histogram. */
  async function stage<T>(name: string, run: () => Promise<T> | T, note: (r: T) => string = () => ''): Promise<T> {
    const maxBefore = ownMaxRss();
    const sampler = sampleOwnRss(20);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const t0 = performance.now();
    const r = await run();
    const ms = performance.now() - t0;
    loop.disable();
    const sampled = sampler.stop();
    const maxAfter = ownMaxRss();
    // maxRSS is monotone over the process: when this stage raised it, its peak is the new maximum.
    const peakRss = maxAfter > maxBefore ? Math.max(sampled, maxAfter) : sampled;
    const s: NodeStage = { name, ms, peakRss, longestBlockMs: loop.max / 1e6, note: note(r) };
    stages.push(s);
    log(`${name} ${(ms / 1000).toFixed(2)} s, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB ${s.note}`);
    return r;
  }

  const totalBytes = statSync(file).size;
  const t0 = performance.now();
  const analysis = await stage(
    'ingest',
    () =>
      analyzeStream(Readable.toWeb(createReadStream(file, { highWaterMark: 1 << 20 })) as unknown as ReadableStream<Uint8Array>, {
        fileName: basename(file),
        totalBytes,
      }),
    (a) => `${a.report.input.rows} rows, ${a.report.users} users, ${a.sequences.count} sequences`,
  );
  const { table } = analysis.ingested;
  const sequences = analysis.sequences;

  if (!existsSync(join(MODELS_DIR, opts.model, 'config.json'))) throw new Error(`model ${opts.model} is not under ${MODELS_DIR}`);
  // Model loading counts to the encode stage: the page's encode includes it too (on a first visit).
  const { embedder, encoded } = await stage(
    'encode',
    async () => {
      const transformers = await import('@huggingface/transformers');
      const embedder = await loadModelEmbedder(transformers, { model: opts.model, dtype: 'q8', device: 'cpu', localModelPath: MODELS_DIR });
      return { embedder, encoded: await encodeSequences({ table, sequences }, embedder, { mode: 'items' }) };
    },
    ({ encoded: r }) => `${r.encoder.itemsEmbedded} item texts embedded, ${r.count} x ${r.dims} (model load included)`,
  );

  const gcn = await stage(
    'gcn',
    async () => {
      const itemTexts = await embedItemTexts(table, sequences, embedder);
      return runGcn(table, sequences, { dims: itemTexts.dims, users: encoded.vectors, items: itemVectorsByItem(itemTexts) }, { epochs: opts.gcnEpochs });
    },
    (g) => `${g.report.epochs} epochs, ${g.report.nodes} nodes, ${g.report.edges} edges`,
  );
  await embedder.dispose();
  const vectors = normalizeRows(gcn.userVectors, gcn.dims);
  const n = encoded.count;
  const d = gcn.dims;

  const sweep = await stage(
    'sweep',
    () =>
      runSweepJob(vectors, n, d, {
        kMin: opts.kMin,
        kMax: opts.kMax,
        device: 'cpu',
        threads: nodeHelperThreads(),
        source: { stage: 'gcn', model: opts.model, label: opts.model, zeroVectors: encoded.zeroVectors },
      }),
    (r) => `K ${r.range.kMin}..${r.range.kMax}, ${r.threads} helper threads, suggested K = ${r.suggested.k}`,
  );
  const at = sweep.entries.findIndex((e) => e.k === sweep.suggested.k);
  const labels = sweep.labels[at];
  const k = sweep.suggested.k;

  await stage(
    'umap',
    async () => {
      const r = await umap(vectors, n, d, { seed: 0 });
      const t = layoutTrustworthiness(vectors, n, d, r.embedding, { k: 15 });
      return { r, t };
    },
    ({ r, t }) => `${r.stats.nEpochs} epochs, trustworthiness ${t.value.toFixed(4)}${t.exact ? '' : ` (sample ${t.sampleSize})`}`,
  );

  await stage(
    'profiles',
    () => {
      const profiles = profileClusters(table, sequences, labels, k);
      const recs = recommendForClusters({ table, sequences, labels, k, itemVectors: gcn.itemVectors, userVectors: gcn.userVectors, dims: gcn.dims });
      return { profiles, recs };
    },
    ({ profiles, recs }) => `${profiles.clusters.length} profiles, recommendations by ${recs.method}`,
  );
  const totalMs = performance.now() - t0;

  const result: NodeE2eResult = {
    rows: analysis.report.input.rows,
    users: analysis.report.users,
    items: table.items.length,
    sequences: sequences.count,
    k,
    gcnEpochs: gcn.report.epochs,
    stages,
    totalMs,
    baselineRss,
    peakRss: Math.max(ownMaxRss(), ...stages.map((s) => s.peakRss)),
  };
  process.send(result, () => process.exit(0));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
