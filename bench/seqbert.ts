// Behaviour BERT benchmark (issue 13's targets).
//
// Segments: generated behaviour logs (src/pipeline/synth/behaviour.ts: segments that share the
// catalogue, item popularity and taste prior, and differ only in how people shop, with an
// order-only pair), written as CSV and read back through the app's reader, grouped by user. For
// each set of sequence vectors, k-means with K = the planted segments (the project's k-means, 10
// restarts) and its ARI against the planted labels, overall and on the order-only pair:
//   - featuriser: the path without a model (character n-gram item vectors -> weighted sequence
//     vectors), without and with the GCN after it (as `npm run analyze` builds them);
//   - behaviour BERT (src/pipeline/seqbert): the default pipeline's vectors (what embedSequences
//     returns by default: mean pooling, int8, whitened), the 'behaviour' pooling (items hidden)
//     whitened, mean pooling unwhitened, CLS (int8, whitened), float32 vs int8 (cosine of the
//     unwhitened embeddings, ARI between the clusterings of the whitened ones), and the GCN after
//     the BERT (user features = the default vectors, item features = the BERT's item input
//     embeddings).
// Speed (child processes, so that each peak RSS is its own; wall and CPU seconds, training
// tokens/s and the tfjs backend that ran; the log streamed from disk through the app's reader):
//   - speed: UCI Online Retail Dec-May (the shared file is already cut to Dec 2010 - May 2011);
//   - speed1m: a generated log (src/pipeline/synth generateLog, 1,000,000 events, 50,000 users by
//     default) written to a temporary CSV; trained under the stage's token budget and every user
//     embedded (int8, whitened).
//
//   npm run bench:seqbert -- [--quick] [--only segments|speed|speed1m] [--users N] [--segments N] [--seed N]
//                            [--bert-epochs N] [--bert-token-budget N] [--gcn-epochs N] [--backend auto|wasm|cpu] [--data FILE]
//                            [--big-events N] [--big-users N]
//
// --quick: one small generated log (4 segments, 1,200 users) and the UCI speed case (not speed1m).

import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { adjustedRandIndex } from '../src/pipeline/cluster';
import { analyzeStream, type Analysis } from '../src/pipeline/analyze';
import { createFeaturizer, encodeSequences } from '../src/pipeline/encode';
import { embedItemTexts, itemVectorsByItem, normalizeRows, runGcn } from '../src/pipeline/gcn';
import { behaviourCsvStream, csvChunks, generateLog, generateBehaviourLog, plantedUserLabels, type BehaviourLog } from '../src/pipeline/synth';
import { int, markdownTable, mib } from './lib/format';
import { describeMachine, loadAverage, machineInfo } from './lib/machine';
import { ownMaxRss, sampleOwnRss } from './lib/memory';
import { confusedPairs, describeConfusion, scoreSegments, type SegmentScores } from './lib/segmentScores';

const USAGE =
  'usage: npm run bench:seqbert -- [--quick] [--only segments|speed|speed1m] [--users N] [--segments N] [--seed N] [--bert-epochs N] [--bert-token-budget N] [--gcn-epochs N] [--backend auto|wasm|cpu] [--data FILE] [--big-events N] [--big-users N]';
const ONLY = ['segments', 'speed', 'speed1m'];

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    users: { type: 'string' },
    segments: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'bert-epochs': { type: 'string' },
    'bert-token-budget': { type: 'string' },
    'gcn-epochs': { type: 'string' },
    backend: { type: 'string', default: 'auto' },
    data: { type: 'string', default: '../shared/data/uci-online-retail/online-retail-2010-12_2011-05.csv' },
    'big-events': { type: 'string', default: '1000000' },
    'big-users': { type: 'string', default: '50000' },
    case: { type: 'string' },
  },
  strict: true,
});

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${v}; ${USAGE}`);
  return n;
}

if (flags.only !== undefined && !ONLY.includes(flags.only)) throw new Error(`unknown --only ${flags.only}; ${USAGE}`);
const quick = flags.quick ?? false;
const seed = num('seed', flags.seed) ?? 1;
const bertEpochs = num('bert-epochs', flags['bert-epochs']);
/** The stage's token budget (epochs cut to fit it); 0 = train the full epochs. */
const tokenBudget = flags['bert-token-budget'] === undefined ? undefined : Number(flags['bert-token-budget']);
if (tokenBudget !== undefined && !(Number.isInteger(tokenBudget) && tokenBudget >= 0))
  throw new Error(`--bert-token-budget must be a whole number >= 0; ${USAGE}`);
const bertOptions = { ...(bertEpochs ? { epochs: bertEpochs } : {}), ...(tokenBudget !== undefined ? { tokenBudget } : {}) };
const gcnEpochs = num('gcn-epochs', flags['gcn-epochs']) ?? 100;
const bigEvents = num('big-events', flags['big-events']) ?? 1_000_000;
const bigUsers = num('big-users', flags['big-users']) ?? 50_000;
const backend = (flags.backend ?? 'auto') as 'auto' | 'wasm' | 'cpu';

// The seqbert stage is loaded on demand, so that the featuriser rows still run where it fails to load.
type SeqBert = typeof import('../src/pipeline/seqbert');
async function loadSeqBert(): Promise<{ mod: SeqBert | null; why: string }> {
  try {
    return { mod: await import('../src/pipeline/seqbert'), why: '' };
  } catch (e) {
    return { mod: null, why: e instanceof Error ? e.message : String(e) };
  }
}

const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
const s1 = (msv: number): string => (Number.isFinite(msv) ? (msv / 1000).toFixed(1) : 'n/a');

interface Row {
  vectors: string;
  scores: SegmentScores;
  /** Seconds to make the vectors (training included). */
  ms: number;
  note?: string;
}

interface LogCase {
  users: number;
  segments: number;
}

async function readBack(log: BehaviourLog): Promise<Analysis> {
  return analyzeStream(behaviourCsvStream(log), { fileName: 'behaviour.csv', totalBytes: null, sequence: { by: 'user' } });
}

/** Items x hidden: each item's input embedding in the BERT (text vector through item.proj, plus item.delta). */
function bertItemVectors(
  model: Awaited<ReturnType<SeqBert['trainSeqBert']>>,
  itemIds: readonly string[],
  itemVectors: Float32Array,
  itemDims: number,
): Float32Array {
  const h = model.architecture.hidden;
  const w = (name: string) => model.weights.find((x) => x.name === name);
  const proj = w('item.proj');
  const delta = w('item.delta');
  const row = new Map(model.vocab.itemIds.map((id, r) => [id, r]));
  const out = new Float32Array(itemIds.length * h);
  for (let i = 0; i < itemIds.length; i++) {
    const o = i * h;
    if (proj && proj.shape[0] === itemDims) {
      for (let t = 0; t < itemDims; t++) {
        const v = itemVectors[i * itemDims + t];
        if (v === 0) continue;
        for (let c = 0; c < h; c++) out[o + c] += v * proj.data[t * h + c];
      }
    }
    const r = row.get(itemIds[i]);
    if (delta && r !== undefined && r < delta.shape[0]) for (let c = 0; c < h; c++) out[o + c] += delta.data[r * h + c];
  }
  return out;
}

async function segmentsCase(c: LogCase, seqbert: SeqBert | null): Promise<string> {
  const log = generateBehaviourLog({ seed, users: c.users, segments: c.segments, items: 1000, categories: 24 });
  const analysis = await readBack(log);
  const { sequences } = analysis;
  const table = analysis.ingested.table;
  const userLabels = plantedUserLabels(log, table.users);
  const planted = Int32Array.from(sequences.key, (u) => userLabels[u]);
  const K = log.segments.length;
  const pair = log.orderOnlyPairs[0] ?? null;
  const names = log.segments.map((s) => s.kind);
  const rows: Row[] = [];
  const notes: string[] = [];
  process.stderr.write(`seqbert: ${c.users} users, ${K} segments, ${log.length} events\n`);

  const featurizer = createFeaturizer();
  let t0 = performance.now();
  const enc = await encodeSequences({ table, sequences }, featurizer);
  const encMs = performance.now() - t0;
  rows.push({ vectors: 'featuriser (items -> sequence vectors)', scores: scoreSegments(enc.vectors, enc.dims, planted, K, pair), ms: encMs });
  const itemTexts = await embedItemTexts(table, sequences, featurizer);
  const textItems = itemVectorsByItem(itemTexts);
  t0 = performance.now();
  const g = await runGcn(table, sequences, { dims: itemTexts.dims, users: enc.vectors, items: textItems }, { epochs: gcnEpochs });
  rows.push({
    vectors: `featuriser + GCN (${g.report.epochs} epochs)`,
    scores: scoreSegments(normalizeRows(g.userVectors, g.dims), g.dims, planted, K, pair),
    ms: encMs + performance.now() - t0,
  });

  let bertSummary = '';
  if (seqbert) {
    try {
      bertSummary = await bertRows();
    } catch (e) {
      bertSummary = `Behaviour BERT rows failed: ${e instanceof Error ? e.message : String(e)}`;
      process.stderr.write(`seqbert: ${bertSummary}\n`);
    }
  }
  async function bertRows(): Promise<string> {
    if (!seqbert) return '';
    const input = { sequences, table, itemVectors: textItems, itemDims: itemTexts.dims };
    t0 = performance.now();
    let lastLine = 0;
    const model = await seqbert.trainSeqBert(
      input,
      { backend, ...bertOptions },
      {
        onProgress(p) {
          const now = performance.now();
          if (now - lastLine < 5000) return;
          lastLine = now;
          process.stderr.write(`  bert epoch ${p.epoch}/${p.epochs} ${Math.round(100 * p.fraction)}% loss ${p.loss.toFixed(3)}\n`);
        },
      },
    );
    const trainMs = performance.now() - t0;
    const r = model.report;
    const summary =
      `BERT: backend ${r.backend}, ${r.layers} layers, hidden ${r.hidden}, ${r.heads} heads, max length ${r.maxLen}, ${int(r.params)} parameters, ` +
      `${r.epochShare !== undefined && r.epochShare < 1 && r.epochs === r.plannedEpochs ? `${(r.epochs - 1 + r.epochShare).toFixed(2)} epochs (${r.steps} steps, the last epoch cut by the token budget)` : `${r.epochs} of ${r.plannedEpochs} planned epochs (best ${r.bestEpoch}${r.stopReason ? `, ${r.stopReason}` : ''})`}, softmax ${r.softmax}, contrastive ${r.contrastive ? 'on' : 'off'}, ` +
      `loss ${r.loss.map((x) => x.toFixed(3)).join(' ')}, ${s1(trainMs)} s training, ${int(r.tokensPerSecond)} tokens/s.`;
    // The default pipeline's vectors: what embedSequences returns by default (mean pooling, int8, whitened).
    t0 = performance.now();
    const def = await seqbert.embedSequences(model, input);
    const embedMs = performance.now() - t0;
    const defScores = scoreSegments(def.vectors, def.dims, planted, K, pair);
    const kept = (e: { whitened: { kept: number; varianceKept: number } | null }): string =>
      e.whitened
        ? `whitened: ${e.whitened.kept} of ${model.architecture.hidden} axes kept (${(100 * e.whitened.varianceKept).toFixed(1)}% of the variance)`
        : 'not whitened (too few sequences)';
    rows.push({
      vectors: `BERT default: ${def.pooling}-pooled, int8, whitened (embedSequences)`,
      scores: defScores,
      ms: trainMs + embedMs,
      note: kept(def),
    });
    // The other readings, unwhitened from one pass each, whitened here as embedSequences does.
    const raw = await seqbert.embedBothPoolings(model, input, { whiten: false });
    const white = (e: { vectors: Float32Array; dims: number; count: number }) => seqbert.whitenRows(e.vectors, e.count, e.dims);
    const beh = white(raw.behaviour);
    const behScores = scoreSegments(beh.vectors, raw.behaviour.dims, planted, K, pair);
    rows.push({
      vectors: "BERT 'behaviour'-pooled (items hidden), int8, whitened",
      scores: behScores,
      ms: trainMs + embedMs,
      note: kept(beh),
    });
    rows.push({
      vectors: 'BERT mean-pooled, int8, unwhitened',
      scores: scoreSegments(raw.mean.vectors, raw.mean.dims, planted, K, pair),
      ms: trainMs + embedMs,
    });
    const cls = white(raw.cls);
    const clsScores = scoreSegments(cls.vectors, raw.cls.dims, planted, K, pair);
    rows.push({ vectors: 'BERT CLS, int8, whitened', scores: clsScores, ms: trainMs + embedMs, note: kept(cls) });
    // float32 vs int8: cosine of the unwhitened embeddings; ARI between the clusterings of the whitened ones.
    const cmp = await seqbert.compareQuantized(model, input, { pooling: 'mean' });
    const f32 = white(cmp.float32);
    const f32Scores = scoreSegments(f32.vectors, cmp.float32.dims, planted, K, pair);
    rows.push({
      vectors: 'BERT mean-pooled, float32, whitened',
      scores: f32Scores,
      ms: trainMs + embedMs,
      note:
        `int8 vs float32: cosine (unwhitened) mean ${cmp.cosine.mean.toFixed(4)}, min ${cmp.cosine.min.toFixed(4)}; ` +
        `ARI between the two clusterings (whitened) ${f3(adjustedRandIndex(f32Scores.labels, defScores.labels))}`,
    });
    // The GCN after the BERT: user features = the default vectors.
    t0 = performance.now();
    const bg = await runGcn(
      table,
      sequences,
      { dims: def.dims, users: def.vectors, items: bertItemVectors(model, table.items, textItems, itemTexts.dims) },
      { epochs: gcnEpochs },
    );
    rows.push({
      vectors: `BERT default + GCN (${bg.report.epochs} epochs)`,
      scores: scoreSegments(normalizeRows(bg.userVectors, bg.dims), bg.dims, planted, K, pair),
      ms: trainMs + embedMs + performance.now() - t0,
    });
    for (const [label, sc] of [
      ['BERT default (mean, int8, whitened)', defScores],
      ["BERT 'behaviour'-pooled, whitened", behScores],
    ] as const) {
      notes.push(`Clusters of ${label} vs planted segments (share of each segment's users per cluster):\n${describeConfusion(sc, names)}`);
      const mixed = confusedPairs(sc, names);
      const allPairs = (names.length * (names.length - 1)) / 2;
      if (mixed.length === allPairs) notes.push(`Confused (${label}): every pair of segments shares clusters (no segment has a cluster of its own)`);
      else if (mixed.length > 0) notes.push(`Confused (${label}): ${mixed.join('; ')}`);
    }
    return summary;
  }
  const feat = rows[0].scores;
  notes.unshift(`Clusters of the featuriser path vs planted segments:\n${describeConfusion(feat, names)}`);

  const table1 = markdownTable(
    ['vectors', 'ARI (K = segments)', 'ARI on the order-only pair (same clustering)', 'ARI on the pair alone (K = 2)', 'seconds'],
    rows.map((r) => [r.vectors, f3(r.scores.ari), f3(r.scores.pairInOverall), f3(r.scores.pairAlone), s1(r.ms)]),
  );
  const extra = rows.filter((r) => r.note).map((r) => `- ${r.vectors}: ${r.note}`);
  return (
    `### ${K} segments, ${int(c.users)} users (${int(log.length)} events, ${int(sequences.count)} sequences; seed ${seed})\n\n` +
    `Segments: ${names.join(', ')}; order-only pair: ${pair ? `${names[pair[0]]} / ${names[pair[1]]}` : 'none'}.\n\n` +
    `${table1}\n` +
    (extra.length > 0 ? `\n${extra.join('\n')}\n` : '') +
    (bertSummary ? `\n${bertSummary}\n` : seqbert === null ? '\nBehaviour BERT rows skipped: the seqbert stage did not load.\n' : '') +
    `\n\`\`\`\n${notes.join('\n\n')}\n\`\`\`\n`
  );
}

interface SpeedResult {
  rows: number;
  /** Events in the user sequences (rows without a customer id are in no sequence). */
  events: number;
  sequences: number;
  items: number;
  readMs: number;
  featureMs: number;
  trainMs: number;
  /** embedSequences with its defaults (int8, mean pooling, whitened), every sequence once. */
  embedMs: number;
  /** CPU seconds (user + system) of this process over training and over embedding. */
  trainCpuS: number;
  embedCpuS: number;
  tokensPerSecond: number;
  /** Training tokens fed (both contrastive views counted). */
  trainingTokens: number;
  /** Tokens embedded (every sequence's last maxLen events). */
  embedTokens: number;
  backend: string;
  epochs: number;
  plannedEpochs: number;
  epochShare: number | null;
  steps: number | null;
  stepsPlanned: number | null;
  bestEpoch: number;
  stopReason: string | null;
  maxLen: number;
  params: number;
  whitenedKept: number | null;
  peakRss: number;
  sampledPeakRss: number;
  load: [number, number];
}

/** A log file streamed from disk through the app's reader (as the page reads a File), grouped by user. */
async function analyzeFileStreaming(file: string): Promise<Analysis> {
  const stream = Readable.toWeb(createReadStream(file, { highWaterMark: 1 << 20 })) as unknown as ReadableStream<Uint8Array>;
  return analyzeStream(stream, { fileName: basename(file), totalBytes: statSync(file).size, sequence: { by: 'user' } });
}

const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};

/** A speed case, in this (child) process: prints its result as one JSON line. */
async function speedChild(): Promise<void> {
  const load0 = loadAverage();
  const seqbert = await import('../src/pipeline/seqbert');
  const sampler = sampleOwnRss();
  let t0 = performance.now();
  const a = await analyzeFileStreaming(flags.data!);
  const readMs = performance.now() - t0;
  t0 = performance.now();
  const itemTexts = await embedItemTexts(a.ingested.table, a.sequences, createFeaturizer());
  const input = { sequences: a.sequences, table: a.ingested.table, itemVectors: itemVectorsByItem(itemTexts), itemDims: itemTexts.dims };
  const featureMs = performance.now() - t0;
  let cpu0 = process.cpuUsage();
  t0 = performance.now();
  const model = await seqbert.trainSeqBert(input, { backend, ...bertOptions });
  const trainMs = performance.now() - t0;
  const trainCpuS = cpuSeconds(cpu0);
  cpu0 = process.cpuUsage();
  t0 = performance.now();
  const emb = await seqbert.embedSequences(model, input);
  const embedMs = performance.now() - t0;
  const embedCpuS = cpuSeconds(cpu0);
  const r = model.report;
  let embedTokens = 0;
  for (let q = 0; q < a.sequences.count; q++) embedTokens += Math.min(r.maxLen, a.sequences.offsets[q + 1] - a.sequences.offsets[q]);
  const out: SpeedResult = {
    rows: a.ingested.table.length,
    events: a.sequences.offsets[a.sequences.count],
    sequences: a.sequences.count,
    items: a.ingested.table.items.length,
    readMs,
    featureMs,
    trainMs,
    embedMs,
    trainCpuS,
    embedCpuS,
    tokensPerSecond: r.tokensPerSecond,
    trainingTokens: r.tokensPerSecond * r.seconds,
    embedTokens,
    backend: r.backend,
    epochs: r.epochs,
    plannedEpochs: r.plannedEpochs,
    epochShare: r.epochShare ?? null,
    steps: r.steps ?? null,
    stepsPlanned: r.stepsPlanned ?? null,
    bestEpoch: r.bestEpoch,
    stopReason: r.stopReason,
    maxLen: r.maxLen,
    params: r.params,
    whitenedKept: emb.whitened?.kept ?? null,
    sampledPeakRss: sampler.stop(),
    peakRss: ownMaxRss(),
    load: [load0, loadAverage()],
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function runSpeedChild(file: string): SpeedResult | null {
  const self = fileURLToPath(import.meta.url);
  const args = [
    ...process.execArgv,
    self,
    '--case',
    'speed',
    '--data',
    file,
    '--backend',
    backend,
    ...(bertEpochs ? ['--bert-epochs', String(bertEpochs)] : []),
    ...(tokenBudget !== undefined ? ['--bert-token-budget', String(tokenBudget)] : []),
  ];
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 22, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('{')) return null;
  return JSON.parse(line) as SpeedResult;
}

function speedTable(r: SpeedResult, targetS: number): string {
  const total = r.trainMs + r.embedMs;
  const epochs =
    r.epochShare !== null && r.epochShare < 1 && r.epochs === r.plannedEpochs
      ? `${(r.epochs - 1 + r.epochShare).toFixed(2)} (${int(r.steps ?? NaN)} steps; the last epoch cut at ${(100 * r.epochShare).toFixed(0)}% by the token budget)`
      : `${r.epochs} of ${r.plannedEpochs} planned (best ${r.bestEpoch}${r.stopReason ? `, ${r.stopReason}` : ''})`;
  return (
    markdownTable(
      [
        'backend',
        'epochs run',
        'training s (CPU s)',
        'embedding s, int8 + whitening (CPU s)',
        `trained + embedded s (target <= ${targetS})`,
        'training tokens/s',
        'embedding tokens/s',
        'peak RSS (target < 1 GB)',
      ],
      [
        [
          r.backend,
          epochs,
          `${s1(r.trainMs)} (${r.trainCpuS.toFixed(1)})`,
          `${s1(r.embedMs)} (${r.embedCpuS.toFixed(1)})`,
          s1(total),
          int(r.tokensPerSecond),
          int(r.embedTokens / (r.embedMs / 1000)),
          mib(Math.max(r.peakRss, r.sampledPeakRss)),
        ],
      ],
    ) +
    `\n\nMax length ${r.maxLen}, ${int(r.params)} parameters, ${int(r.items)} items; ${int(r.trainingTokens)} training tokens, ` +
    `${int(r.embedTokens)} tokens embedded (${r.whitenedKept === null ? 'not whitened' : `whitened, ${r.whitenedKept} axes kept`}). ` +
    `Reading the file (streamed through the app's reader) took ${s1(r.readMs)} s and the featuriser's item vectors (the BERT's item input) ` +
    `${s1(r.featureMs)} s, not counted above; peak RSS is the whole child process's (log, tables and model). ` +
    `Load average (1 min) ${r.load[0].toFixed(2)} at the child's start, ${r.load[1].toFixed(2)} at its end.\n`
  );
}

function speedCase(): string {
  process.stderr.write(`seqbert: speed case on ${flags.data}\n`);
  const r = runSpeedChild(flags.data!);
  if (!r) return `### Speed: UCI Online Retail Dec-May\n\nFailed; see the log above.\n`;
  return `### Speed: UCI Online Retail Dec-May (${int(r.rows)} rows, ${int(r.events)} events in ${int(r.sequences)} user sequences)\n\n${speedTable(r, 90)}`;
}

/** The 1M-event case: a generated log (the general generator) written to a temporary CSV, read back in the child. */
async function speed1mCase(): Promise<string> {
  const file = join(tmpdir(), `seqlens-seqbert-speed-${process.pid}-${bigEvents}-${bigUsers}.csv`);
  let t0 = performance.now();
  const log = generateLog({ seed, users: bigUsers, events: bigEvents, items: 5000, segments: 6, categories: 24 });
  const out = createWriteStream(file);
  for (const chunk of csvChunks(log)) if (!out.write(chunk)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
  const genS = (performance.now() - t0) / 1000;
  process.stderr.write(`seqbert: speed case on a generated log (${int(bigEvents)} events, ${int(bigUsers)} users, ${file}, ${genS.toFixed(1)} s)\n`);
  t0 = performance.now();
  let r: SpeedResult | null;
  try {
    r = runSpeedChild(file);
  } finally {
    rmSync(file, { force: true });
  }
  const title = `### Speed: generated log, ${int(bigEvents)} events, ${int(bigUsers)} users (src/pipeline/synth generateLog, seed ${seed}, 5,000 items)`;
  if (!r) return `${title}\n\nFailed; see the log above.\n`;
  return `${title}\n\n${int(r.rows)} rows, ${int(r.events)} events in ${int(r.sequences)} user sequences; generating and writing the CSV took ${genS.toFixed(1)} s (not counted).\n\n${speedTable(r, 600)}`;
}

/** The commit measured, and whether the stages measured had uncommitted changes (the tree is shared while they are written). */
function codeVersion(): string {
  const git = (...a: string[]): string => spawnSync('git', a, { encoding: 'utf8' }).stdout ?? '';
  const head = git('rev-parse', '--short', 'HEAD').trim() || 'unknown';
  // Porcelain lines are "XY path": the status takes the first three characters (not trimmed away).
  const dirty = git('status', '--porcelain', '--', 'src/pipeline/seqbert', 'src/pipeline/synth', 'src/pipeline/gcn', 'src/pipeline/encode')
    .split('\n')
    .filter((l) => l.length > 3)
    .map((l) => l.slice(3).split('/').slice(0, 3).join('/'));
  return dirty.length > 0 ? `${head}, with uncommitted changes in ${[...new Set(dirty)].join(', ')}` : head;
}

async function main(): Promise<void> {
  if (flags.case === 'speed') return speedChild();
  const m = machineInfo();
  const { mod: seqbert, why } = await loadSeqBert();
  if (!seqbert) process.stderr.write(`seqbert: the seqbert stage did not load (${why}); BERT rows are skipped\n`);
  const parts: string[] = [
    `## Behaviour BERT (bench:seqbert)\n\nCommand: \`npm run bench:seqbert${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`\n\n` +
      `\`\`\`\n${describeMachine(m, { 'Load (1 min) at start': loadAverage().toFixed(2), Code: codeVersion() })}\n\`\`\`\n`,
  ];
  if (flags.only === undefined || flags.only === 'segments') {
    const users = num('users', flags.users);
    const segments = num('segments', flags.segments);
    const cases: LogCase[] =
      users || segments
        ? [{ users: users ?? 3000, segments: segments ?? 6 }]
        : quick
          ? [{ users: 1200, segments: 4 }]
          : [
              { users: 2000, segments: 4 },
              { users: 3000, segments: 6 },
            ];
    for (const c of cases) parts.push(await segmentsCase(c, seqbert));
  }
  if (flags.only === undefined || flags.only === 'speed') parts.push(seqbert ? speedCase() : '### Speed\n\nSkipped: the seqbert stage did not load.\n');
  if (flags.only === 'speed1m' || (flags.only === undefined && !quick))
    parts.push(seqbert ? await speed1mCase() : '### Speed (1M events)\n\nSkipped: the seqbert stage did not load.\n');
  parts.push(`Load (1 min) at the end: ${loadAverage().toFixed(2)}.\n`);
  process.stdout.write(parts.join('\n'));
}

await main();
