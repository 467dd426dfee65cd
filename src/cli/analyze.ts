// `npm run -s analyze -- FILE [--by user|session] [--json] ...`: the browser pipeline, in Node.
// Progress goes to stderr so that stdout holds only the report.

import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeSource, type Analysis } from '../pipeline/analyze';
import { ClusteringInputError, SWEEP_DEFAULT_K_MAX, SWEEP_DEFAULT_K_MIN } from '../pipeline/cluster';
import { createFeaturizer, encodeSequences, EncoderError, loadModelEmbedder, type FileProbe, type TextEmbedder } from '../pipeline/encode';
import { sequenceLabel } from '../pipeline/sequences';
import { LogError, type AnalysisReport } from '../pipeline/types';
import { resolveSweepRange, runSweepJob } from '../pipeline/runner/clusterJob';
import { fileSource } from '../node/fileSource';
import { nodeHelperThreads } from '../node/helperThreads';
import { EvalError, evaluate, evaluateRecommendations, type EvalReport } from '../pipeline/eval';
import { embedItemTexts, GcnError, itemVectorsByItem, normalizeRows, runGcn, type GcnReport, type RunGcnOptions, type TrainHooks } from '../pipeline/gcn';
import { GraphOptionsError } from '../pipeline/graph/options';
import { layoutTrustworthiness, ProjectionInputError, umap } from '../pipeline/project';
import { profileClusters, ProfileInputError, type ClusterProfiles } from '../pipeline/profile';
import { recommendForSequences, RecommendError } from '../pipeline/recommend';
import { assignmentsCsv, cryptoUniform, privateProfiles, privacySummary, profilesJson, pseudonymKey, pseudonymLookup, pseudonymsOf, recommendationsCsv, type PrivacyStatement } from '../pipeline/export';
import { defaultModelId, parseManifest, type ModelManifest } from '../pipeline/encode/manifest';
import {
  finiteOrNull,
  formatClusters,
  formatExports,
  formatProfiles,
  formatReport,
  formatUmap,
  type CliClusters,
  type CliEncoderReport,
  type CliExports,
  type CliProfileSummary,
  type CliSweepEntry,
  type CliUmap,
} from './format';
import { HELP, parseArgs, USAGE, UsageError, type Args } from './args';
import { cliServiceLines, formatServiceLines } from './serviceLines';
import { cliWarning } from './advice';
import { KeyFileError, loadOrMakeKey } from './keyFile';
import { OutDirError, prepareOutDir } from './outDir';
import { stdJson, terminalLine, writeErr, writeOut } from './terminal';

/** public/models/ as an absolute path: transformers.js's env.localModelPath in Node. */
export const MODELS_DIR = fileURLToPath(new URL('../../public/models/', import.meta.url));

/** The files --out writes. */
const EXPORT_FILES = ['assignments.csv', 'profiles.json', 'recommendations.csv'] as const;

/** A progress line on stderr: redrawn in place on a terminal, one line each otherwise. */
function progress(tty: boolean, line: string): void {
  const safe = terminalLine(line);
  process.stderr.write(tty ? `\r${safe}` : `${safe}\n`);
}

interface Vectors {
  data: Float32Array;
  n: number;
  d: number;
  model: string;
  zeroVectors: number;
  /** What the vectors are: the encoder's (default) or the graph network's (then L2-normalised). */
  stage?: 'encoder' | 'gcn';
  epochs?: number;
}

function formatGcn(g: GcnReport): string {
  const first = g.loss[0];
  const last = g.loss[g.loss.length - 1];
  return `\nGraph network (LightGCN, ${g.device}): ${g.nodes.toLocaleString('en')} nodes, ${g.edges.toLocaleString('en')} stored edges; ${g.epochs} epochs, loss ${first?.toFixed(4)} -> ${last?.toFixed(4)}\n`;
}

function formatEval(e: EvalReport): string {
  const f = (x: number): string => x.toFixed(4);
  return (
    `\nEvaluation (${e.protocol}; ${e.users.toLocaleString('en')} users)\n` +
    `  Recall@20  popularity ${f(e.recall20.popularity)}  encoder ${f(e.recall20.encoder)}  gcn ${f(e.recall20.gcn)}\n` +
    `  NDCG@20    popularity ${f(e.ndcg20.popularity)}  encoder ${f(e.ndcg20.encoder)}  gcn ${f(e.ndcg20.gcn)}\n` +
    (e.recommendations
      ? `Per-user recommendations (last purchase basket held out; ${e.recommendations.users.toLocaleString('en')} users, ${e.recommendations.repeatUsers.toLocaleString('en')} for buy-again)\n` +
        `  new    Recall@20 ${f(e.recommendations.recall20.recommended)}  NDCG@20 ${f(e.recommendations.ndcg20.recommended)}  (popularity ${f(e.recommendations.recall20.popularity)} / ${f(e.recommendations.ndcg20.popularity)})\n` +
        `  again  Recall@20 ${f(e.recommendations.again.recall20)}  NDCG@20 ${f(e.recommendations.again.ndcg20)}  (own most-bought ${f(e.recommendations.again.ownMostBought.recall20)} / ${f(e.recommendations.again.ownMostBought.ndcg20)})\n`
      : '')
  );
}

function readManifest(): ModelManifest {
  const path = join(MODELS_DIR, 'manifest.json');
  try {
    return parseManifest(JSON.parse(readFileSync(path, 'utf8')), path);
  } catch (e) {
    writeErr(`analyze: note: ${e instanceof Error ? e.message : String(e)}\n`);
    return { default: 'Xenova/all-MiniLM-L6-v2', models: [] };
  }
}

const fsProbe = (id: string): FileProbe => async (rel) => existsSync(join(MODELS_DIR, id, rel));

/** Which embedder to use: the flags, else the manifest's default model when installed, else the featuriser (with a note). */
async function chooseEmbedder(args: Args): Promise<TextEmbedder> {
  if (args.encoder === 'featurizer') return createFeaturizer();
  const manifest = readManifest();
  const installed = (id: string): boolean => {
    const entry = manifest.models.find((m) => m.id === id);
    const files = entry?.files ?? ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx'];
    return files.every((f) => existsSync(join(MODELS_DIR, id, f)));
  };
  let id = args.model;
  if (!id) {
    const chosen = defaultModelId(manifest, installed);
    if (chosen === 'featurizer') {
      const wanted = manifest.default || 'Xenova/all-MiniLM-L6-v2';
      if (args.encoder === 'bert') {
        fail(`--encoder bert: no BERT model is installed under ${MODELS_DIR} (looked for ${wanted}). Install it with \`npm run models:fetch\`, or name one with --model ID.`, 1);
      }
      writeErr(
        `analyze: note: no sentence-encoder model is installed (${join(MODELS_DIR, wanted)} is missing), so sequences are encoded with the built-in featurizer ` +
          `(character n-grams: similar spelling, not similar meaning). Install ${wanted} with \`npm run models:fetch\`; --encoder featurizer silences this note, --no-encode skips encoding.\n`,
      );
      return createFeaturizer();
    }
    id = chosen;
  }
  const entry = manifest.models.find((m) => m.id === id);
  const transformers = await import('@huggingface/transformers');
  return loadModelEmbedder(transformers, {
    model: id,
    dtype: entry?.dtype ?? 'q8',
    device: 'cpu',
    localModelPath: MODELS_DIR,
    maxTokens: entry?.maxTokens,
    probe: fsProbe(id),
  });
}

function fail(msg: string, code = 2): never {
  writeErr(`analyze: ${msg}\n${code === 2 ? USAGE + '\n' : ''}`);
  process.exit(code);
}

/** Reasons of rejected rows, most frequent first, with their first lines. */
function topReasons(r: AnalysisReport, max = 5): string {
  const entries = Object.entries(r.input.rejected.reasons).sort((a, b) => b[1] - a[1]);
  const lines = entries.slice(0, max).map(([reason, count]) => {
    const at = r.input.rejected.examples[reason] ?? [];
    return `  ${reason}: ${count.toLocaleString('en')} rows${at.length ? ` (lines ${at.join(', ')}${count > at.length ? ', …' : ''})` : ''}`;
  });
  if (entries.length > max) lines.push(`  and ${entries.length - max} more reasons`);
  return lines.join('\n');
}

/**
 * Nothing to analyse is a failure (exit 1), not a report of zeros: every row rejected (the top
 * reasons say why), or no sequence left after the filters (which filter took them).
 */
function checkSomethingLeft(r: AnalysisReport, file: string): void {
  if (r.input.rows > 0 && r.input.accepted === 0) {
    fail(`${file}: every row was rejected (${r.input.rows.toLocaleString('en')} rows); the top reasons:\n${topReasons(r)}`, 1);
  }
  if (r.sequences.count === 0) {
    const f = r.sequences.filtered;
    const why: string[] = [];
    if (f.tooShort > 0) why.push(`${f.tooShort.toLocaleString('en')} shorter than the minimum length (lower it with --min-length N)`);
    if (f.abnormalVolume > 0) why.push(`${f.abnormalVolume.toLocaleString('en')} longer than the maximum length (raise it with --max-length N, 0 = off)`);
    const rejected = r.input.rejected.count > 0 ? `\nRejected rows, top reasons:\n${topReasons(r)}` : '';
    const grouping = r.warnings.map(cliWarning).filter((w) => /group|user id|session/i.test(w));
    fail(
      `${file}: no sequence is left to analyse${why.length ? `: ${why.join('; ')}` : ''}.` +
        (grouping.length ? `\n${grouping.map((w) => `  ${w}`).join('\n')}` : '') +
        rejected,
      1,
    );
  }
}

async function main(): Promise<void> {
  let args: Args;
  try {
    const parsed = parseArgs(process.argv.slice(2));
    if (parsed === 'help') {
      process.stdout.write(HELP + '\n');
      process.exit(0);
    }
    args = parsed;
  } catch (e) {
    if (e instanceof UsageError) fail(e.message);
    throw e;
  }
  try {
    const st = statSync(args.file);
    if (!st.isFile()) fail(`${args.file} is not a file`, 1);
  } catch {
    fail(`cannot open ${args.file}`, 1);
  }
  // The output folder and the key are checked before the work, which can take minutes.
  let secret: Uint8Array | null = null;
  if (args.out) {
    try {
      const dir = prepareOutDir(args.out, EXPORT_FILES);
      if (args.pseudonymise) {
        const key = loadOrMakeKey(args.keyFile, dir);
        secret = key.secret;
        if (key.warning) writeErr(`analyze: warning: ${key.warning}\n`);
      }
    } catch (e) {
      if (e instanceof OutDirError || e instanceof KeyFileError) fail(e.message, 1);
      throw e;
    }
  }
  const tty = process.stderr.isTTY;
  let lastPct = -1;
  try {
    // A large file is read in parts on helper threads (the K sweep below uses them too).
    const analysis = await analyzeSource(fileSource(args.file), {
      fileName: basename(args.file),
      threads: nodeHelperThreads(),
      sequence: args.sequence,
      dateOrder: args.dateOrder,
      maxEvents: args.maxEvents,
      onProgress(p) {
        const pct = Math.floor((p.fraction ?? 0) * 100);
        if (pct === lastPct || p.stage === 'done') return;
        lastPct = pct;
        const line = `reading ${pct}% · ${p.rows.toLocaleString('en')} rows · ${Math.round(p.rowsPerSecond).toLocaleString('en')} rows/s`;
        progress(tty, line);
      },
    });
    if (tty) process.stderr.write('\n');
    // The pipeline's advice names the app's settings; here it names the options.
    const report: AnalysisReport = { ...analysis.report, warnings: analysis.report.warnings.map(cliWarning) };
    checkSomethingLeft(report, args.file);
    // Service lines (postage, fees...): left out of profiles and recommendations, listed in the report.
    const services = cliServiceLines(analysis.ingested.table, args.serviceItems, writeErr);
    let encoder: CliEncoderReport | undefined;
    let vectors: Vectors | null = null;
    let gcnReport: GcnReport | undefined;
    let evalReport: EvalReport | undefined;
    if (args.eval && analysis.sequences.by !== 'user') fail('--eval holds out each user\'s last basket; it needs sequences grouped by user (--by user)');
    if (args.encode) {
      const t0 = performance.now();
      const embedder = await chooseEmbedder(args);
      let lastLine = 0;
      try {
        const r = await encodeSequences({ table: analysis.ingested.table, sequences: analysis.sequences }, embedder, {
          mode: args.mode,
          weights: args.weights,
          halfLifeDays: args.halfLifeDays,
          onProgress(p) {
            const now = performance.now();
            if (now - lastLine < 1000 && p.done < p.total) return;
            lastLine = now;
            const line = `encoding ${p.done.toLocaleString('en')} of ${p.total.toLocaleString('en')} texts · ${Math.round(p.itemsPerSecond).toLocaleString('en')} items/s`;
            progress(tty, line);
          },
        });
        if (tty) process.stderr.write('\n');
        vectors = { data: r.vectors, n: r.count, d: r.dims, model: r.encoder.model, zeroVectors: r.zeroVectors };
        if (args.gcn) {
          const table = analysis.ingested.table;
          const itemTexts = await embedItemTexts(table, analysis.sequences, embedder);
          const gcnOptions: RunGcnOptions = { epochs: args.epochs, graph: { eventWeights: args.weights, ...(args.halfLifeDays !== undefined ? { halfLifeDays: args.halfLifeDays } : {}) } };
          const hooks = (what: string): TrainHooks => ({
            onProgress(p) {
              const line = `${what} epoch ${p.epoch} of ${p.epochs} · loss ${p.loss.toFixed(4)} · ${Math.round(p.ms)} ms`;
              progress(tty, line);
            },
          });
          const g = await runGcn(table, analysis.sequences, { dims: itemTexts.dims, users: r.vectors, items: itemVectorsByItem(itemTexts) }, gcnOptions, hooks('graph network'));
          if (tty) process.stderr.write('\n');
          gcnReport = g.report;
          vectors = { data: normalizeRows(g.userVectors, g.dims), n: r.count, d: g.dims, model: r.encoder.model, zeroVectors: r.zeroVectors, stage: 'gcn', epochs: g.report.epochs };
          if (args.eval) {
            const ev = await evaluate(table, analysis.sequences, itemTexts, {
              gcn: gcnOptions,
              encoder: { weights: args.weights, halfLifeDays: args.halfLifeDays },
              hooks: hooks('evaluation: graph network'),
            });
            if (tty) process.stderr.write('\n');
            writeErr('evaluation: per-user recommendations (recommendation protocol)\n');
            const rec = evaluateRecommendations(table, { exclude: services.mask });
            evalReport = {
              ...ev.report,
              recall20: { ...ev.report.recall20, recommended: rec.recall20.recommended },
              ndcg20: { ...ev.report.ndcg20, recommended: rec.ndcg20.recommended },
              recommendations: rec,
            };
          }
        }
        const e = r.encoder;
        encoder = {
          model: e.model,
          dtype: e.dtype,
          device: e.device,
          dims: e.dims,
          itemsEmbedded: e.itemsEmbedded,
          cacheHits: e.cacheHits,
          kind: e.kind,
          mode: e.mode,
          texts: e.texts,
          sequences: r.count,
          zeroVectors: r.zeroVectors,
          truncated: r.truncated,
          itemTextSources: r.itemTextSources,
          seconds: Math.round(performance.now() - t0) / 1000,
        };
      } finally {
        await embedder.dispose();
      }
    }
    const clustered = vectors && (args.k !== null || args.sweep !== null || args.out !== null || args.umap) ? await cluster(args, vectors, tty) : null;
    let umapReport: CliUmap | undefined;
    let coords: Float32Array | null = null;
    let profiles: ClusterProfiles | undefined;
    let exports: CliExports | undefined;
    if (clustered && vectors) {
      if (args.umap) ({ umap: umapReport, coords } = await project(vectors, tty));
      profiles = profileClusters(analysis.ingested.table, analysis.sequences, clustered.labels, clustered.clusters.k, { exclude: services.mask });
      if (args.out) {
        let written: { exports: CliExports; profiles: ClusterProfiles };
        ({ exports, profiles } = written = await writeExports(args.out, analysis, clustered.labels, profiles, coords, args.top, { secret, epsilon: args.epsilon, sessionsPerUser: args.sessionsPerUser }, services.mask));
        clustered.clusters.assignments = written.exports.assignments.file;
      }
    }
    const profileSummary: CliProfileSummary[] | undefined = profiles?.clusters.map((c) => ({ cluster: c.cluster, label: c.label, size: c.size, share: c.share }));
    const out = {
      ...report,
      ...(encoder ? { encoder } : {}),
      ...(gcnReport ? { gcn: gcnReport } : {}),
      ...(evalReport ? { eval: evalReport } : {}),
      ...(clustered ? { sweep: clustered.sweep, clusters: clustered.clusters } : {}),
      ...(profileSummary ? { profiles: profileSummary } : {}),
      ...(umapReport ? { umap: umapReport } : {}),
      ...(exports ? { out: exports } : {}),
      serviceItems: services.report,
    };
    let text = formatReport(report, encoder);
    if (gcnReport) text += formatGcn(gcnReport);
    if (evalReport) text += formatEval(evalReport);
    if (clustered) text += formatClusters(clustered.sweep, clustered.clusters);
    if (profileSummary) text += formatProfiles(profileSummary);
    if (umapReport) text += formatUmap(umapReport);
    if (exports) text += formatExports(exports);
    text += formatServiceLines(services.report);
    if (args.json) process.stdout.write(stdJson(out) + '\n');
    else writeOut(text);
  } catch (err) {
    if (tty) process.stderr.write('\n');
    if (err instanceof LogError) fail(`${args.file}: ${cliWarning(err.message)}`, 1);
    if (err instanceof EncoderError) fail(err.message, 1);
    if (err instanceof GcnError || err instanceof GraphOptionsError || err instanceof EvalError) fail(`${args.file}: ${err.message}`, 1);
    if (err instanceof ClusteringInputError) fail(`${args.file}: the sequences cannot be clustered: ${err.message}`, 1);
    if (err instanceof ProjectionInputError) fail(`${args.file}: the clustered vectors cannot be mapped: ${err.message}`, 1);
    if (err instanceof ProfileInputError) fail(`${args.file}: the clusters cannot be profiled: ${err.message}`, 1);
    if (err instanceof RecommendError) fail(`${args.file}: no recommendations: ${err.message}`, 1);
    throw err;
  }
}

/** The K sweep on the encoder's (or GCN's) vectors (CPU: Node has no WebGPU); labels are the chosen K's. */
async function cluster(args: Args, v: Vectors, tty: boolean): Promise<{ sweep: CliSweepEntry[]; clusters: CliClusters; labels: Int32Array }> {
  const asked = args.sweep ?? (args.k !== null ? { kMin: args.k, kMax: args.k } : { kMin: SWEEP_DEFAULT_K_MIN, kMax: SWEEP_DEFAULT_K_MAX });
  // Checked first, so that a K the data cannot give fails before the work.
  const range = resolveSweepRange(v.data, v.n, v.d, asked.kMin, asked.kMax);
  if (args.k !== null && args.k > range.kMax) throw new ClusteringInputError(`K = ${args.k} is not possible: ${range.note ?? ''}`.trim());
  if (range.note) writeErr(`analyze: note: ${range.note}\n`);
  let lastLine = 0;
  const r = await runSweepJob(v.data, v.n, v.d, {
    kMin: asked.kMin,
    kMax: asked.kMax,
    device: 'cpu',
    threads: nodeHelperThreads(),
    source: { stage: 'encoder', model: v.model, label: v.model, zeroVectors: v.zeroVectors },
    onProgress(p) {
      const now = performance.now();
      if (now - lastLine < 1000 && p.fraction < 1) return;
      lastLine = now;
      const line = `clustering K = ${p.kMin}..${p.kMax} · ${p.done} K values done · ${Math.floor(p.fraction * 100)}%`;
      progress(tty, line);
    },
  });
  if (tty) process.stderr.write('\n');
  const chosenK = args.k ?? r.suggested.k;
  const at = r.entries.findIndex((e) => e.k === chosenK);
  const e = r.entries[at];
  const clusters: CliClusters = {
    k: chosenK,
    chosenBy: args.k !== null ? 'k' : 'suggested',
    sizes: e.sizes,
    metrics: {
      inertia: e.inertia,
      silhouette: finiteOrNull(e.silhouette),
      calinskiHarabasz: finiteOrNull(e.calinskiHarabasz),
      daviesBouldin: finiteOrNull(e.daviesBouldin),
      stabilityAri: finiteOrNull(e.stability),
    },
    suggested: r.suggested,
    elbow: r.elbow,
    source: { stage: v.stage ?? 'encoder', model: v.model, n: v.n, d: v.d, ...(v.epochs !== undefined ? { epochs: v.epochs } : {}) },
    path: r.path,
    algorithm: r.algorithm,
    seeds: r.seeds,
    silhouette: { exact: r.silhouette.exact, sampleSize: r.silhouette.sampleSize },
    rangeNote: r.rangeNote,
  };
  const sweep: CliSweepEntry[] = r.entries.map((x) => ({
    k: x.k,
    inertia: x.inertia,
    silhouette: finiteOrNull(x.silhouette),
    calinskiHarabasz: finiteOrNull(x.calinskiHarabasz),
    daviesBouldin: finiteOrNull(x.daviesBouldin),
    stabilityAri: finiteOrNull(x.stability),
  }));
  return { sweep, clusters, labels: r.labels[at] };
}

/** Neighbours of the layout's trustworthiness: UMAP's neighbourhood size. */
const TRUST_K = 15;

/** UMAP of the clustered vectors (seed 0: the same vectors give the same map) and its trustworthiness. */
async function project(v: Vectors, tty: boolean): Promise<{ umap: CliUmap; coords: Float32Array }> {
  const t0 = performance.now();
  let lastLine = 0;
  const r = await umap(
    v.data,
    v.n,
    v.d,
    { seed: 0 },
    {
      onProgress(p) {
        const now = performance.now();
        if (now - lastLine < 1000 && p.overall < 1) return;
        lastLine = now;
        const line = `map (UMAP) ${p.stage} · ${Math.floor(p.overall * 100)}%`;
        progress(tty, line);
      },
    },
  );
  const seconds = (performance.now() - t0) / 1000;
  if (tty) process.stderr.write('\n');
  const t1 = performance.now();
  const warnings = [...r.stats.warnings];
  // Trustworthiness with k neighbours is defined for k < n/2 only.
  let t: { value: number; exact: boolean; sampleSize: number; standardError: number } = { value: NaN, exact: true, sampleSize: 0, standardError: 0 };
  if (v.n > 2 * TRUST_K) {
    writeErr(`map: trustworthiness of ${v.n.toLocaleString('en')} points\n`);
    t = layoutTrustworthiness(v.data, v.n, v.d, r.embedding, { k: TRUST_K });
  } else {
    warnings.push(`Trustworthiness with ${TRUST_K} neighbours needs more than ${2 * TRUST_K} points; there are ${v.n}, so it is left out (null).`);
  }
  for (const w of warnings) writeErr(`analyze: note: ${w}\n`);
  return {
    coords: r.embedding,
    umap: {
      seconds: Math.round(seconds * 1000) / 1000,
      trustworthiness15: finiteOrNull(t.value),
      exact: t.exact,
      sampleSize: t.sampleSize,
      standardError: t.standardError,
      trustworthinessSeconds: Math.round(performance.now() - t1) / 1000,
      nNeighbors: r.stats.nNeighbors,
      nEpochs: r.stats.nEpochs,
      seed: 0,
      source: { stage: v.stage ?? 'encoder', n: v.n, d: v.d },
      warnings,
    },
  };
}

/** What --pseudonymise and --epsilon ask of the exports. */
interface ExportPrivacy {
  secret: Uint8Array | null;
  epsilon: number | null;
  sessionsPerUser: number | undefined;
}

/**
 * --out: the page's three exports of the chosen clustering, written by the same export stage; with
 * --pseudonymise the ids are keyed hashes, with --epsilon profiles.json holds noised counts (and
 * the returned profiles, which the report shows, are those).
 */
async function writeExports(
  dir: string,
  analysis: Analysis,
  labels: Int32Array,
  exact: ClusterProfiles,
  coords: Float32Array | null,
  top: number,
  privacy: ExportPrivacy,
  /** Service lines (per item, 1 = out): not recommended. */
  exclude: Uint8Array,
): Promise<{ exports: CliExports; profiles: ClusterProfiles }> {
  const { table } = analysis.ingested;
  const sequences = analysis.sequences;
  const n = sequences.count;
  const k = exact.k;
  let ids = Array.from({ length: n }, (_, i) => sequenceLabel(table, sequences, i));
  if (privacy.secret) ids = ids.map(pseudonymLookup(await pseudonymsOf(ids, await pseudonymKey(privacy.secret))));
  let profiles = exact;
  let statement: PrivacyStatement | undefined;
  if (privacy.epsilon !== null) {
    ({ profiles, privacy: statement } = privateProfiles(table, sequences, labels, k, { epsilon: privacy.epsilon, uniform: cryptoUniform(), sessionsPerUser: privacy.sessionsPerUser, profile: { exclude } }));
  }
  // Labels are the exact profiles' (the noised keep them; they are stated as not protected).
  const clusterLabels: string[] = new Array<string>(k).fill('');
  for (const c of exact.clusters) clusterLabels[c.cluster] = c.label;
  const write = (name: string, r: { text: string; rows: number }): { file: string; rows: number } => {
    const file = join(dir, name);
    writeFileSync(file, r.text);
    return { file, rows: r.rows };
  };
  const assignments = write('assignments.csv', assignmentsCsv({ ids, labels, coords, clusterLabels, selection: null }));
  const profilesOut = write('profiles.json', profilesJson(profiles, { file: analysis.report.file.name, k, generatedAt: new Date().toISOString(), privacy: statement }));
  // Each user's own lists (not the cluster's: that stays in the profiles as the segment summary),
  // without service lines.
  writeErr('analyze: per-user recommendations\n');
  const recs = recommendForSequences(table, sequences, top, { exclude });
  // Customers the sequence filters left out (a single event...) still get their lists, after the
  // sequences, with no cluster.
  let extraIds = Array.from(recs.extraUsers, (u) => table.users[u]);
  if (privacy.secret && extraIds.length) extraIds = extraIds.map(pseudonymLookup(await pseudonymsOf(extraIds, await pseudonymKey(privacy.secret))));
  const recIds = ids.concat(extraIds);
  const recLabels = new Int32Array(n + extraIds.length).fill(-1);
  recLabels.set(labels);
  const recommendations = write(
    'recommendations.csv',
    recommendationsCsv({
      ids: recIds,
      labels: recLabels,
      selection: null,
      perUser: (i) => (i < n ? recs.listsFor(i) : recs.listsForUser(recs.extraUsers[i - n])),
      itemIds: table.items,
      itemTitles: table.itemTitle,
      clusterLabels,
    }),
  );
  writeErr(
    `analyze: wrote ${n.toLocaleString('en')} assignments (K = ${k}) to ${assignments.file}, ${k} profiles to ${profilesOut.file}, ` +
      `${recommendations.rows.toLocaleString('en')} recommendations to ${recommendations.file}\n`,
  );
  if (privacy.secret) writeErr('analyze: user ids in the assignments and recommendations are pseudonymised (keyed hash)\n');
  if (statement) writeErr(`analyze: profiles: ${privacySummary(statement)}\n  ${statement.covers}\n`);
  return {
    profiles,
    exports: {
      dir,
      assignments,
      profiles: profilesOut,
      recommendations: { ...recommendations, perUser: top, method: 'per user: new (ItemKNN, RP3beta, next basket, popularity) and again' },
      ...(privacy.secret || statement
        ? { privacy: { pseudonymised: privacy.secret !== null, ...(statement ? { profiles: { epsilon: statement.epsilon, unit: statement.unit, sequencesPerUnit: statement.sequencesPerUnit, sensitivity: statement.sensitivity, summary: privacySummary(statement) } } : {}) } }
        : {}),
    },
  };
}

main().catch((err) => {
  writeErr(`analyze: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(3);
});
