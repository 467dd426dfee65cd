// Recommendation and clustering quality of the graph network against its baselines, on the UCI
// Online Retail export (grouped by customer, invoices as sessions) and on generated logs with
// planted shopper segments. Prints the machine and markdown tables.
//
//   npx tsx bench/quality.ts [--quick] [--data FILE]
//
// Protocol: leave-last-out (each user's last session held out; eval/split.ts). Popularity, the
// encoder's vectors (user . item) and the GCN's vectors rank every item the user has not touched
// in training; Recall@20 and NDCG@20 are averaged over users.
//
// Tuning is honest: GCN settings are chosen on a validation split made the same way from the
// training part only (each user's second-to-last session), never on the test users' held-out
// sessions. The chosen settings are then trained on the whole training part and scored once on
// the test split. The default settings are scored too, untuned.
//
// Cluster recommendations (src/pipeline/recommend): k-means (K = planted segments on generated
// logs, a fixed 8 on UCI) on the L2-normalised GCN training user vectors of the validation-chosen
// setting; each user is scored with its cluster's list. The blend of GCN affinity and cluster
// behaviour is chosen on the same validation split; the test table shows the code's default blend
// and the per-data-set validation choice, plus behaviour only (no vectors).
//
// Encoders: the built-in featuriser (hashed character n-grams) and the tiny test model
// seqlens-tiny-bert, whose weights are random. No real model weights exist on this machine, so
// the "encoder" numbers here say nothing about a real sentence encoder.

import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeStream, type Analysis } from '../src/pipeline/analyze';
import { adjustedRandIndex, kmeans, normalizedMutualInfo } from '../src/pipeline/cluster/index';
import { createFeaturizer, loadModelEmbedder, sequenceVectors, type TextEmbedder } from '../src/pipeline/encode';
import { dotScorer, encoderUserVectors, prepareEvaluation, rankingMetrics, type EvalContext } from '../src/pipeline/eval';
import { clusterScores, DEFAULT_BLEND } from '../src/pipeline/recommend';
import {
  DEFAULT_GCN_OPTIONS,
  embedItemTexts,
  itemVectorsByItem,
  normalizeRows,
  projectFeatures,
  runGcn,
  type ItemTextVectors,
  type RunGcnOptions,
} from '../src/pipeline/gcn';
import { csvStream, generateLog, plantedUserLabels, type SynthParams } from '../src/pipeline/synth';
import { benchArgs } from './lib/args';
import { markdownTable } from './lib/format';
import { describeMachine, loadAverage, machineInfo } from './lib/machine';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const UCI = resolve(ROOT, '../shared/data/uci-online-retail/online-retail-2010-12_2011-05.csv');
const MODELS_DIR = `${join(ROOT, 'public', 'models')}/`;

/** The grid searched on validation; each setting is trained once and read at every checkpoint. */
const GRID: RunGcnOptions[] = [
  { layers: 2, regularization: 1e-4 },
  { layers: 3, regularization: 1e-4 },
  { layers: 2, regularization: 0.03 },
  { layers: 3, regularization: 0.03 },
  { layers: 2, regularization: 0.1 },
];
const CHECKPOINTS = [25, 50, 100, 200];
/** Blend weights of the GCN part tried on validation for the cluster recommendations. */
const BLENDS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
/** K of the cluster recommendations on logs without planted segments (UCI). */
const UCI_K = 8;

interface Dataset {
  name: string;
  analysis: Analysis;
  /** Planted segment per sequence, when the log was generated. */
  labels: Int32Array | null;
  segments: number;
}

interface RankRow {
  dataset: string;
  encoder: string;
  users: number;
  pop: { recall: number; ndcg: number };
  enc: { recall: number; ndcg: number };
  gcnDefault: { recall: number; ndcg: number; epochs: number };
  gcnTuned: { recall: number; ndcg: number };
  gcnNoFeatures: { recall: number; ndcg: number };
  chosen: string;
  valBest: number;
  grid: { setting: string; recall: number[] }[];
  seconds: number;
  cluster: ClusterRow;
}

interface Metrics {
  recall: number;
  ndcg: number;
}

interface ClusterRow {
  k: number;
  /** Validation Recall@20 per BLENDS entry. */
  valRecall: number[];
  chosenBlend: number;
  behaviour: Metrics;
  atDefault: Metrics;
  atChosen: Metrics;
}

/** [ARI, NMI] of k-means against the planted segments. */
type Agreement = [number, number];

interface AriRow {
  dataset: string;
  encoder: string;
  encoderAri: Agreement;
  projectedAri: Agreement;
  gcnAri: Agreement;
  gcnRawAri: Agreement;
  gcnNoFeaturesAri: Agreement;
}

function parseArgs(argv: string[]): { quick: boolean; data: string } {
  const v = benchArgs(argv, { quick: { type: 'boolean' }, data: { type: 'string' } }, 'usage: npx tsx bench/quality.ts [--quick] [--data FILE]');
  return { quick: v.quick ?? false, data: v.data !== undefined ? resolve(v.data) : UCI };
}

async function analyzeFile(file: string): Promise<Analysis> {
  const bytes = new Uint8Array(readFileSync(file));
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += 1 << 20) c.enqueue(bytes.subarray(i, i + (1 << 20)));
      c.close();
    },
  });
  return analyzeStream(stream, { fileName: basename(file), totalBytes: bytes.length, sequence: { by: 'user' } });
}

async function synthDataset(name: string, params: Partial<SynthParams>): Promise<Dataset> {
  const log = generateLog(params);
  const analysis = await analyzeStream(csvStream(log), { fileName: `${name}.csv`, totalBytes: null, sequence: { by: 'user' } });
  const byUser = plantedUserLabels(log, analysis.ingested.table.users);
  const labels = Int32Array.from(analysis.sequences.key, (k) => byUser[k]);
  return { name, analysis, labels, segments: log.params.segments };
}

const fmt = (v: number): string => v.toFixed(4);
const settingText = (s: RunGcnOptions, epochs: number): string => `${s.layers} layers, reg ${s.regularization}, ${epochs} epochs`;

/**
 * GCN trained on ctx's training part from the encoder's vectors; scored on ctx at each checkpoint.
 * `vectors` gets a copy of the output (users then items) at each checkpoint.
 */
async function gcnScores(
  ctx: EvalContext,
  texts: ItemTextVectors | null,
  setting: RunGcnOptions,
  checkpoints: number[],
  vectors?: Map<number, Float32Array>,
): Promise<Map<number, { recall: number; ndcg: number }>> {
  const table = ctx.table;
  const n = table.items.length;
  const users = ctx.split.train.count;
  const out = new Map<number, { recall: number; ndcg: number }>();
  const epochs = Math.max(...checkpoints);
  await runGcn(
    table,
    ctx.split.train,
    encoderInput(ctx, texts),
    { ...setting, epochs, earlyStopping: null },
    {
      checkpoints,
      onCheckpoint: (epoch, z) => {
        const h = z.length / (users + n);
        out.set(epoch, rankingMetrics(ctx, dotScorer(z.subarray(0, users * h), z.subarray(users * h), h, n)));
        vectors?.set(epoch, Float32Array.from(z));
      },
    },
  );
  return out;
}

/**
 * Cluster recommendations on ctx from GCN output z (training users then items): k-means on the
 * normalised user vectors once, then a scorer per blend (null = behaviour only, no vectors).
 */
function clusterScorers(ctx: EvalContext, z: Float32Array, k: number): (blend: number | null) => Metrics {
  const { table } = ctx;
  const n = table.items.length;
  const sequences = ctx.split.train;
  const users = sequences.count;
  const h = z.length / (users + n);
  const userVectors = z.subarray(0, users * h);
  const itemVectors = z.subarray(users * h);
  const labels = kmeans(normalizeRows(userVectors, h), users, h, { k, seed: 0, restarts: 5 }).labels;
  return (blend) => {
    const input = blend === null ? { itemVectors: null, userVectors: null } : { itemVectors, userVectors };
    const cs = clusterScores({ table, sequences, labels, k, dims: h, ...input }, blend ?? undefined);
    return rankingMetrics(ctx, (s, out) => out.set(cs.scores.subarray(labels[s] * n, (labels[s] + 1) * n)));
  };
}

function encoderInput(ctx: EvalContext, texts: ItemTextVectors | null) {
  return texts ? { dims: texts.dims, users: encoderUserVectors(ctx, texts), items: itemVectorsByItem(texts) } : null;
}

/** The GCN with every option at its default, early stopping included: what the app would do. */
async function gcnDefaults(ctx: EvalContext, texts: ItemTextVectors): Promise<{ recall: number; ndcg: number; epochs: number }> {
  const g = await runGcn(ctx.table, ctx.split.train, encoderInput(ctx, texts));
  return { ...rankingMetrics(ctx, dotScorer(g.userVectors, g.itemVectors, g.dims, ctx.table.items.length)), epochs: g.report.epochs };
}

async function evaluateDataset(ds: Dataset, encoderName: string, embedder: TextEmbedder, quick: boolean): Promise<{ rank: RankRow; ari: AriRow | null }> {
  const t0 = performance.now();
  const { table } = ds.analysis.ingested;
  const sequences = ds.analysis.sequences;
  const texts = await embedItemTexts(table, sequences, embedder);
  const n = table.items.length;
  const items = itemVectorsByItem(texts);
  const test = prepareEvaluation(table, sequences);
  const val = prepareEvaluation(table, test.split.train);

  const pop = rankingMetrics(test, (_s, out) => out.set(test.popularity));
  const encUsers = encoderUserVectors(test, texts);
  const enc = rankingMetrics(test, dotScorer(encUsers, items, texts.dims, n));

  // Validation: every grid setting, read at every checkpoint.
  const grid = quick ? GRID.slice(0, 1) : GRID;
  const checkpoints = quick ? [25, 50] : CHECKPOINTS;
  let best = { setting: grid[0], epochs: checkpoints[0], recall: -1 };
  let bestVectors: Float32Array | null = null;
  const gridRows: RankRow['grid'] = [];
  for (const setting of grid) {
    process.stderr.write(`  ${ds.name} / ${encoderName}: validating ${settingText(setting, Math.max(...checkpoints))}…\n`);
    const vectors = new Map<number, Float32Array>();
    const scores = await gcnScores(val, texts, setting, checkpoints, vectors);
    gridRows.push({ setting: `${setting.layers} layers, reg ${setting.regularization}`, recall: checkpoints.map((e) => scores.get(e)?.recall ?? NaN) });
    for (const e of checkpoints) {
      const r = scores.get(e)?.recall ?? -1;
      if (r > best.recall) {
        best = { setting, epochs: e, recall: r };
        bestVectors = vectors.get(e) ?? null;
      }
    }
  }
  // Cluster recommendations: the blend is chosen on validation, from the validation-chosen GCN.
  const k = ds.labels ? ds.segments : UCI_K;
  process.stderr.write(`  ${ds.name} / ${encoderName}: cluster recommendations, validating blends…\n`);
  const valCluster = clusterScorers(val, bestVectors!, k);
  const valRecall = BLENDS.map((b) => valCluster(b).recall);
  const chosenBlend = BLENDS[valRecall.indexOf(Math.max(...valRecall))];
  process.stderr.write(`  ${ds.name} / ${encoderName}: testing…\n`);
  const testVectors = new Map<number, Float32Array>();
  const tunedAt = (await gcnScores(test, texts, best.setting, [best.epochs], testVectors)).get(best.epochs)!;
  const testCluster = clusterScorers(test, testVectors.get(best.epochs)!, k);
  const cluster: ClusterRow = {
    k,
    valRecall,
    chosenBlend,
    behaviour: testCluster(null),
    atDefault: testCluster(DEFAULT_BLEND),
    atChosen: testCluster(chosenBlend),
  };
  const noFeatures = (await gcnScores(test, null, best.setting, [best.epochs])).get(best.epochs)!;
  const defaults = await gcnDefaults(test, texts);

  let ari: AriRow | null = null;
  if (ds.labels) {
    // Clustering is about the whole log: vectors from all of it, not from a split.
    const labels = ds.labels;
    const users = sequenceVectors(table, sequences, texts.textOf, texts.vectors, texts.dims, { halfLifeDays: 30 }).vectors;
    const score = (x: Float32Array, dims: number): Agreement => {
      const found = kmeans(x, sequences.count, dims, { k: ds.segments, seed: 0, restarts: 5 }).labels;
      return [adjustedRandIndex(labels, found), normalizedMutualInfo(labels, found)];
    };
    const g = await runGcn(table, sequences, { dims: texts.dims, users, items }, { ...best.setting, epochs: best.epochs, earlyStopping: null });
    const bare = await runGcn(table, sequences, null, { ...best.setting, epochs: best.epochs, earlyStopping: null });
    const projected = projectFeatures({ dims: texts.dims, users, items }, sequences.count, n, g.dims, DEFAULT_GCN_OPTIONS.seed, 1).subarray(
      0,
      sequences.count * g.dims,
    );
    ari = {
      dataset: ds.name,
      encoder: encoderName,
      encoderAri: score(users, texts.dims),
      projectedAri: score(Float32Array.from(projected), g.dims),
      gcnAri: score(normalizeRows(g.userVectors, g.dims), g.dims),
      gcnRawAri: score(g.userVectors, g.dims),
      gcnNoFeaturesAri: score(normalizeRows(bare.userVectors, bare.dims), bare.dims),
    };
  }
  return {
    rank: {
      dataset: ds.name,
      encoder: encoderName,
      users: test.split.testSeq.length,
      pop,
      enc,
      gcnDefault: defaults,
      gcnTuned: tunedAt,
      gcnNoFeatures: noFeatures,
      chosen: settingText(best.setting, best.epochs),
      valBest: best.recall,
      grid: gridRows,
      seconds: (performance.now() - t0) / 1000,
      cluster,
    },
    ari,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const loadBefore = loadAverage();
  const datasets: Dataset[] = [];
  if (existsSync(args.data)) {
    process.stderr.write(`reading ${args.data}…\n`);
    datasets.push({ name: `UCI Online Retail (${basename(args.data)})`, analysis: await analyzeFile(args.data), labels: null, segments: 0 });
  } else {
    process.stderr.write(`note: ${args.data} not found; UCI rows are left out\n`);
  }
  process.stderr.write('generating logs…\n');
  datasets.push(await synthDataset('synthetic A (seed 1, 2,000 users, 6 segments)', { seed: 1, users: 2000, items: 1000, events: 40_000, segments: 6 }));
  if (!args.quick) {
    datasets.push(
      await synthDataset('synthetic B (seed 2, 4,000 users, 8 segments, noisier)', {
        seed: 2,
        users: 4000,
        items: 2000,
        events: 60_000,
        segments: 8,
        categories: 24,
        noise: 0.25,
        tasteConcentration: 10,
      }),
    );
  }

  const transformers = await import('@huggingface/transformers');
  const tiny = await loadModelEmbedder(transformers, { model: 'seqlens-tiny-bert', dtype: 'q8', device: 'cpu', localModelPath: MODELS_DIR });
  const encoders: [string, () => TextEmbedder][] = [
    ['featuriser (256-d char n-grams)', () => createFeaturizer()],
    ['seqlens-tiny-bert (32-d, random weights)', () => tiny],
  ];
  const ranks: RankRow[] = [];
  const aris: AriRow[] = [];
  for (const ds of datasets) {
    const { table } = ds.analysis.ingested;
    process.stderr.write(`${ds.name}: ${ds.analysis.sequences.count} users, ${table.items.length} items, ${ds.analysis.sequences.events.length} events\n`);
    for (const [name, make] of encoders) {
      const r = await evaluateDataset(ds, name, make(), args.quick);
      ranks.push(r.rank);
      if (r.ari) aris.push(r.ari);
    }
  }
  await tiny.dispose();

  console.log('### Machine\n\n```');
  console.log(describeMachine(machineInfo(), { 'Load average (1 min)': `${loadBefore.toFixed(2)} before, ${loadAverage().toFixed(2)} after` }));
  console.log('```\n');
  for (const ds of datasets) {
    const { table } = ds.analysis.ingested;
    console.log(
      `- ${ds.name}: ${ds.analysis.sequences.count.toLocaleString('en')} users (sequences), ${table.items.length.toLocaleString('en')} items, ${ds.analysis.sequences.events.length.toLocaleString('en')} events`,
    );
  }
  console.log('\n#### Recall@20 and NDCG@20 (test split)\n');
  console.log(
    markdownTable(
      [
        'Data',
        'Encoder',
        'Users tested',
        'Recall@20 popularity',
        'Recall@20 encoder',
        'Recall@20 GCN (defaults)',
        'Recall@20 GCN (tuned)',
        'NDCG@20 popularity',
        'NDCG@20 encoder',
        'NDCG@20 GCN (defaults)',
        'NDCG@20 GCN (tuned)',
        'GCN tuned, no encoder features (R / N)',
        'Chosen on validation',
      ],
      ranks.map((r) => [
        r.dataset,
        r.encoder,
        r.users.toLocaleString('en'),
        fmt(r.pop.recall),
        fmt(r.enc.recall),
        `${fmt(r.gcnDefault.recall)} (${r.gcnDefault.epochs} ep.)`,
        `**${fmt(r.gcnTuned.recall)}**`,
        fmt(r.pop.ndcg),
        fmt(r.enc.ndcg),
        fmt(r.gcnDefault.ndcg),
        `**${fmt(r.gcnTuned.ndcg)}**`,
        `${fmt(r.gcnNoFeatures.recall)} / ${fmt(r.gcnNoFeatures.ndcg)}`,
        `${r.chosen} (val. Recall@20 ${fmt(r.valBest)})`,
      ]),
    ),
  );
  if (aris.length > 0) {
    console.log('\n#### ARI / NMI of k-means (K = planted segments, 5 restarts) against the planted segments\n');
    console.log(
      markdownTable(
        [
          'Data',
          'Encoder',
          'Encoder vectors',
          'GCN input (projected encoder vectors)',
          'GCN vectors (rows L2-normalised)',
          'GCN vectors (raw)',
          'GCN without encoder features (normalised)',
        ],
        aris.map((a) => [
          a.dataset,
          a.encoder,
          ...[a.encoderAri, a.projectedAri, a.gcnAri, a.gcnRawAri, a.gcnNoFeaturesAri].map(([ari, nmi]) => `${ari.toFixed(3)} / ${nmi.toFixed(3)}`),
        ]),
      ),
    );
  }
  console.log(`\n#### Cluster recommendations: Recall@20 / NDCG@20 (test split; k-means on the GCN training user vectors; default blend ${DEFAULT_BLEND})\n`);
  const rn = (m: Metrics): string => `${fmt(m.recall)} / ${fmt(m.ndcg)}`;
  console.log(
    markdownTable(
      [
        'Data',
        'Encoder',
        'K',
        'Popularity',
        'Cluster, behaviour only',
        `Cluster, GCN + behaviour (blend ${DEFAULT_BLEND})`,
        'Cluster, GCN + behaviour (blend chosen on validation)',
        'Per-user GCN (tuned)',
      ],
      ranks.map((r) => [
        r.dataset,
        r.encoder,
        String(r.cluster.k),
        rn(r.pop),
        rn(r.cluster.behaviour),
        `**${rn(r.cluster.atDefault)}**`,
        `${rn(r.cluster.atChosen)} (blend ${r.cluster.chosenBlend})`,
        rn(r.gcnTuned),
      ]),
    ),
  );
  console.log('\n#### Validation Recall@20 of the cluster recommendations by blend (weight of the GCN part)\n');
  console.log(
    markdownTable(
      ['Data', 'Encoder', ...BLENDS.map(String)],
      ranks.map((r) => [r.dataset, r.encoder, ...r.cluster.valRecall.map(fmt)]),
    ),
  );
  // The rule DEFAULT_BLEND was set by: each row's validation Recall@20 as a share of that row's
  // best, averaged over rows, so the small UCI numbers count as much as the generated logs'.
  const relative = BLENDS.map((_, j) => ranks.reduce((sum, r) => sum + r.cluster.valRecall[j] / Math.max(...r.cluster.valRecall), 0) / ranks.length);
  const bestBlend = BLENDS[relative.indexOf(Math.max(...relative))];
  console.log(
    `\nMean validation Recall@20 as a share of each row's best, by blend: ${BLENDS.map((b, j) => `${b}: ${relative[j].toFixed(3)}`).join(', ')}. Best: ${bestBlend} (code default: ${DEFAULT_BLEND}).`,
  );
  console.log('\n#### Validation Recall@20 of the grid (the choice above is the best cell)\n');
  const checkpoints = args.quick ? [25, 50] : CHECKPOINTS;
  console.log(
    markdownTable(
      ['Data', 'Encoder', 'Setting', ...checkpoints.map((e) => `${e} epochs`)],
      ranks.flatMap((r) => r.grid.map((g) => [r.dataset, r.encoder, g.setting, ...g.recall.map(fmt)])),
    ),
  );
  const d = DEFAULT_GCN_OPTIONS;
  console.log(
    `\nDefaults: ${d.model}, ${d.layers} layers, hidden ${d.hidden}, learning rate ${d.learningRate}, regularisation ${d.regularization}, at most ${d.epochs} epochs with early stopping (patience ${d.earlyStopping?.patience}, ${d.earlyStopping?.minDelta} relative); the grid varies layers, regularisation and epochs (early stopping off) and keeps the rest; graph options at their defaults.`,
  );
  console.log(`Wall time per data set and encoder: ${ranks.map((r) => `${r.seconds.toFixed(0)} s`).join(', ')}.`);
}

await main();
