// `npm run -s analyze -- FILE [--by user|session] [--json] ...`: the browser pipeline, in Node.
// Progress goes to stderr so that stdout holds only the report.

import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeSource, type Analysis } from '../pipeline/analyze';
import { ClusteringInputError, SWEEP_DEFAULT_K_MAX, SWEEP_DEFAULT_K_MIN } from '../pipeline/cluster';
import { createFeaturizer, encodeSequences, EncoderError, loadModelEmbedder, type EncodeMode, type EventWeights, type FileProbe, type TextEmbedder } from '../pipeline/encode';
import { sequenceLabel } from '../pipeline/sequences';
import { LogError, type SequenceOptions } from '../pipeline/types';
import { CLUSTER_K_LIMIT, resolveSweepRange, runSweepJob } from '../worker/clusterJob';
import { fileSource } from '../node/fileSource';
import { nodeHelperThreads } from '../node/helperThreads';
import { EvalError, evaluate, type EvalReport } from '../pipeline/eval';
import { DEFAULT_GCN_OPTIONS, embedItemTexts, GcnError, itemVectorsByItem, normalizeRows, runGcn, type GcnReport, type RunGcnOptions, type TrainHooks } from '../pipeline/gcn';
import { GraphOptionsError } from '../pipeline/graph/options';
import { layoutTrustworthiness, ProjectionInputError, TRUSTWORTHINESS_EXACT_MAX, TRUSTWORTHINESS_SAMPLE, umap } from '../pipeline/project';
import { profileClusters, ProfileInputError, type ClusterProfiles } from '../pipeline/profile';
import { recommendForClusters, recommendForUser, RecommendError } from '../pipeline/recommend';
import { assignmentsCsv, profilesJson, recommendationsCsv } from '../pipeline/export';
import { defaultModelId, parseManifest, type ModelManifest } from '../worker/manifest';
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

const USAGE = `usage: npm run -s analyze -- FILE [--by user|session] [--json]
       [--min-length N] [--max-length N] [--dedupe SECONDS] [--session-gap MINUTES]
       [--model ID] [--encoder bert|featurizer] [--no-encode]
       [--mode items|sequence-text] [--half-life DAYS] [--weight TYPE=N ...]
       [--k N] [--sweep A..B] [--umap] [--out DIR]
       [--gcn on|off] [--epochs N] [--eval]`;

const HELP = `${USAGE}

Clustering (k-means on the encoder's sequence vectors; runs only when --k, --sweep, --umap or --out is given):
  --sweep A..B   K sweep from A to B (2 <= A <= B <= ${CLUSTER_K_LIMIT}): 3 seeded k-means runs per K, with
                 inertia, silhouette (exact up to 2,000 sequences, else on a seeded sample of 2,000),
                 Calinski-Harabasz, Davies-Bouldin and stability (mean ARI between the seeds' runs).
                 B is lowered, with a note on stderr, when the data has fewer distinct vectors.
                 Default ${SWEEP_DEFAULT_K_MIN}..${SWEEP_DEFAULT_K_MAX} when only --out or --umap is given.
  --k N          the clustering to report (N >= 2). Without --sweep only K = N is computed;
                 with --sweep, N must lie in A..B. Without --k the sweep's suggested K (best silhouette).
  --umap         lay the clustered vectors out in 2-D (UMAP, 15 neighbours, seed 0, CPU) and score the
                 layout's trustworthiness (15 neighbours; exact up to ${TRUSTWORTHINESS_EXACT_MAX.toLocaleString('en')} points, else
                 estimated from ${TRUSTWORTHINESS_SAMPLE.toLocaleString('en')} seeded points). Implies clustering, like --k and --sweep.
  --out DIR      write the page's exports of the chosen clustering into DIR (made if missing):
                   assignments.csv      user_id,cluster,x,y,label (one row per sequence; x,y = the
                                        UMAP map, empty without --umap; label = the cluster's label)
                   profiles.json        every cluster's size, funnel, revenue, top categories/items, terms
                   recommendations.csv  user_id,cluster,label,rank,item_id,title,score: per user the
                                        top 10 of its cluster's items that the user has no event on
                                        (cluster behaviour, blended with the GCN's vectors when it ran)
                 CSV cells that a spreadsheet would run as formulas (= + - @) get a leading '.
The JSON gets sweep: [{k, inertia, silhouette, calinskiHarabasz, daviesBouldin, stabilityAri}],
clusters: {k, sizes, metrics: {inertia, silhouette, calinskiHarabasz, daviesBouldin}, suggested, ...}
and profiles: [{cluster, label, size, share}]; metrics that are undefined for a clustering are null.
With --umap: umap: {seconds, trustworthiness15 (null below 31 points), exact, sampleSize, standardError,
nNeighbors, nEpochs, seed, source, warnings}; with --out: out: {dir, assignments, profiles,
recommendations: {file, rows}}.

Graph network (LightGCN, 2 layers, 64 dims, CPU; features = the encoder's vectors):
  --gcn on|off   train it on the sequences. Default: on when clustering (--k, --sweep, --umap, --out) or
                 --eval is asked for, off otherwise. When it runs, clustering uses its sequence
                 vectors (L2-normalised) instead of the encoder's.
  --epochs N     at most N training epochs (N >= 1, default ${DEFAULT_GCN_OPTIONS.epochs}); early stopping may end sooner.
  --eval         (needs --by user, the default) hold out each user's last basket/session, train on
                 the rest, and rank items: Recall@20 and NDCG@20 of popularity, encoder and GCN.
The JSON gets gcn: {device, epochs, loss: [per epoch], nodes, edges} and, with --eval,
eval: {protocol, users, recall20: {popularity, encoder, gcn}, ndcg20: {popularity, encoder, gcn}}.`;

/** public/models/ as an absolute path: transformers.js's env.localModelPath in Node. */
export const MODELS_DIR = fileURLToPath(new URL('../../public/models/', import.meta.url));

interface Args {
  file: string;
  json: boolean;
  sequence: Partial<SequenceOptions>;
  encode: boolean;
  encoder: 'bert' | 'featurizer' | null;
  model: string | null;
  mode: EncodeMode;
  halfLifeDays: number | undefined;
  weights: Partial<EventWeights>;
  k: number | null;
  sweep: { kMin: number; kMax: number } | null;
  out: string | null;
  umap: boolean;
  gcn: boolean | null;
  epochs: number | undefined;
  eval: boolean;
}

function parseArgs(argv: string[]): Args {
  const sequence: Partial<SequenceOptions> = {};
  let file = '';
  let json = false;
  let encode = true;
  let encoder: Args['encoder'] = null;
  let model: string | null = null;
  let mode: EncodeMode = 'items';
  let halfLifeDays: number | undefined;
  const weights: Partial<EventWeights> = {};
  let k: number | null = null;
  let sweep: Args['sweep'] = null;
  let out: string | null = null;
  let umapFlag = false;
  let gcn: boolean | null = null;
  let epochs: number | undefined;
  let evaluateFlag = false;
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0) fail(`${flag} needs a number of at least 0`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--json':
        json = true;
        break;
      case '--by': {
        const v = argv[++i];
        if (v !== 'user' && v !== 'session') fail('--by takes "user" or "session"');
        sequence.by = v;
        break;
      }
      case '--min-length':
        sequence.minLength = num(a, argv[++i]);
        break;
      case '--max-length':
        sequence.maxLength = num(a, argv[++i]);
        break;
      case '--dedupe':
        sequence.dedupeSeconds = num(a, argv[++i]);
        break;
      case '--session-gap':
        sequence.sessionGapMinutes = num(a, argv[++i]);
        break;
      case '--no-encode':
        encode = false;
        break;
      case '--encoder': {
        const v = argv[++i];
        if (v !== 'bert' && v !== 'featurizer') fail('--encoder takes "bert" or "featurizer"');
        encoder = v;
        break;
      }
      case '--model': {
        const v = argv[++i];
        if (!v || v.startsWith('-')) fail('--model needs a model id, e.g. Xenova/all-MiniLM-L6-v2');
        model = v;
        break;
      }
      case '--mode': {
        const v = argv[++i];
        if (v !== 'items' && v !== 'sequence-text') fail('--mode takes "items" or "sequence-text"');
        mode = v;
        break;
      }
      case '--half-life':
        halfLifeDays = num(a, argv[++i]);
        break;
      case '--weight': {
        const m = /^([\w-]+)=(-?\d+(?:\.\d+)?)$/.exec(argv[++i] ?? '');
        if (!m) fail('--weight takes TYPE=NUMBER, e.g. --weight purchase=5');
        weights[m[1]] = Number(m[2]);
        break;
      }
      case '--k': {
        const v = argv[++i];
        const n = Number(v);
        if (v === undefined || !/^\d+$/.test(v) || n < 2 || n > CLUSTER_K_LIMIT) fail(`--k needs a whole number from 2 to ${CLUSTER_K_LIMIT}`);
        k = n;
        break;
      }
      case '--sweep': {
        const m = /^(\d+)\.\.(\d+)$/.exec(argv[++i] ?? '');
        if (!m) fail('--sweep takes a K range A..B, e.g. --sweep 2..15');
        const lo = Number(m[1]);
        const hi = Number(m[2]);
        if (lo < 2) fail('--sweep starts at K >= 2 (the scores compare clusters)');
        if (hi < lo) fail(`--sweep ${lo}..${hi}: the range runs backwards; write ${hi}..${lo}`);
        if (hi > CLUSTER_K_LIMIT) fail(`--sweep goes up to K = ${CLUSTER_K_LIMIT} at most`);
        sweep = { kMin: lo, kMax: hi };
        break;
      }
      case '--out': {
        const v = argv[++i];
        if (!v || v.startsWith('-')) fail('--out needs a directory');
        out = v;
        break;
      }
      case '--umap':
        umapFlag = true;
        break;
      case '--gcn': {
        const v = argv[++i];
        if (v !== 'on' && v !== 'off') fail('--gcn takes "on" or "off"');
        gcn = v === 'on';
        break;
      }
      case '--epochs': {
        const v = argv[++i];
        if (v === undefined || !/^\d+$/.test(v) || Number(v) < 1) fail('--epochs needs a whole number of at least 1');
        epochs = Number(v);
        break;
      }
      case '--eval':
        evaluateFlag = true;
        break;
      case '-h':
      case '--help':
        process.stdout.write(HELP + '\n');
        process.exit(0);
      default:
        if (a.startsWith('-')) fail(`unknown option ${a}`);
        if (file) fail('give one file');
        file = a;
    }
  }
  if (!file) fail('no input file');
  if (encoder === 'featurizer' && model) fail('--model names a BERT model; it cannot go with --encoder featurizer');
  if (!encode && (k !== null || sweep !== null || out !== null || umapFlag)) fail('--k, --sweep, --umap and --out cluster the encoder\'s vectors; they cannot go with --no-encode');
  if (!encode && (gcn === true || evaluateFlag)) fail('--gcn on and --eval start from the encoder\'s vectors; they cannot go with --no-encode');
  if (evaluateFlag && sequence.by === 'session') fail('--eval holds out each user\'s last basket; it needs --by user');
  if (evaluateFlag && gcn === false) fail('--eval compares the GCN with its baselines; it cannot go with --gcn off');
  if (k !== null && sweep && (k < sweep.kMin || k > sweep.kMax)) fail(`--k ${k} lies outside --sweep ${sweep.kMin}..${sweep.kMax}`);
  const clustering = k !== null || sweep !== null || out !== null || umapFlag;
  return { file, json, sequence, encode, encoder, model, mode, halfLifeDays, weights, k, sweep, out, umap: umapFlag, gcn: encode && (gcn ?? (clustering || evaluateFlag)), epochs, eval: evaluateFlag };
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
    `  NDCG@20    popularity ${f(e.ndcg20.popularity)}  encoder ${f(e.ndcg20.encoder)}  gcn ${f(e.ndcg20.gcn)}\n`
  );
}

function readManifest(): ModelManifest {
  const path = join(MODELS_DIR, 'manifest.json');
  try {
    return parseManifest(JSON.parse(readFileSync(path, 'utf8')), path);
  } catch (e) {
    process.stderr.write(`analyze: note: ${e instanceof Error ? e.message : String(e)}\n`);
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
      process.stderr.write(
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
  process.stderr.write(`analyze: ${msg}\n${code === 2 ? USAGE + '\n' : ''}`);
  process.exit(code);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  try {
    const st = statSync(args.file);
    if (!st.isFile()) fail(`${args.file} is not a file`, 1);
  } catch {
    fail(`cannot open ${args.file}`, 1);
  }
  const tty = process.stderr.isTTY;
  let lastPct = -1;
  try {
    // A large file is read in parts on helper threads (the K sweep below uses them too).
    const analysis = await analyzeSource(fileSource(args.file), {
      fileName: basename(args.file),
      threads: nodeHelperThreads(),
      sequence: args.sequence,
      onProgress(p) {
        const pct = Math.floor((p.fraction ?? 0) * 100);
        if (pct === lastPct || p.stage === 'done') return;
        lastPct = pct;
        const line = `reading ${pct}% · ${p.rows.toLocaleString('en')} rows · ${Math.round(p.rowsPerSecond).toLocaleString('en')} rows/s`;
        process.stderr.write(tty ? `\r${line}` : `${line}\n`);
      },
    });
    if (tty) process.stderr.write('\n');
    const { report } = analysis;
    let encoder: CliEncoderReport | undefined;
    let vectors: Vectors | null = null;
    let gcnReport: GcnReport | undefined;
    let evalReport: EvalReport | undefined;
    /** The GCN's raw vectors, for the recommendations (null when it did not run). */
    let gcnVectors: { userVectors: Float32Array; itemVectors: Float32Array; dims: number } | null = null;
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
            process.stderr.write(tty ? `\r${line}` : `${line}\n`);
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
              process.stderr.write(tty ? `\r${line}` : `${line}\n`);
            },
          });
          const g = await runGcn(table, analysis.sequences, { dims: itemTexts.dims, users: r.vectors, items: itemVectorsByItem(itemTexts) }, gcnOptions, hooks('graph network'));
          if (tty) process.stderr.write('\n');
          gcnReport = g.report;
          gcnVectors = { userVectors: g.userVectors, itemVectors: g.itemVectors, dims: g.dims };
          vectors = { data: normalizeRows(g.userVectors, g.dims), n: r.count, d: g.dims, model: r.encoder.model, zeroVectors: r.zeroVectors, stage: 'gcn', epochs: g.report.epochs };
          if (args.eval) {
            const ev = await evaluate(table, analysis.sequences, itemTexts, {
              gcn: gcnOptions,
              encoder: { weights: args.weights, halfLifeDays: args.halfLifeDays },
              hooks: hooks('evaluation: graph network'),
            });
            if (tty) process.stderr.write('\n');
            evalReport = ev.report;
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
      profiles = profileClusters(analysis.ingested.table, analysis.sequences, clustered.labels, clustered.clusters.k);
      if (args.out) {
        exports = writeExports(args.out, analysis, clustered.labels, profiles, coords, gcnVectors);
        clustered.clusters.assignments = exports.assignments.file;
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
    };
    let text = formatReport(report, encoder);
    if (gcnReport) text += formatGcn(gcnReport);
    if (evalReport) text += formatEval(evalReport);
    if (clustered) text += formatClusters(clustered.sweep, clustered.clusters);
    if (profileSummary) text += formatProfiles(profileSummary);
    if (umapReport) text += formatUmap(umapReport);
    if (exports) text += formatExports(exports);
    process.stdout.write(args.json ? JSON.stringify(out) + '\n' : text);
  } catch (err) {
    if (tty) process.stderr.write('\n');
    if (err instanceof LogError) fail(`${args.file}: ${err.message}`, 1);
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
  if (range.note) process.stderr.write(`analyze: note: ${range.note}\n`);
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
      process.stderr.write(tty ? `\r${line}` : `${line}\n`);
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
        process.stderr.write(tty ? `\r${line}` : `${line}\n`);
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
    process.stderr.write(`map: trustworthiness of ${v.n.toLocaleString('en')} points\n`);
    t = layoutTrustworthiness(v.data, v.n, v.d, r.embedding, { k: TRUST_K });
  } else {
    warnings.push(`Trustworthiness with ${TRUST_K} neighbours needs more than ${2 * TRUST_K} points; there are ${v.n}, so it is left out (null).`);
  }
  for (const w of warnings) process.stderr.write(`analyze: note: ${w}\n`);
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

/** Recommendations per user in recommendations.csv. */
const RECOMMENDATIONS_PER_USER = 10;

/** --out: the page's three exports of the chosen clustering, written by the same export stage. */
function writeExports(
  dir: string,
  analysis: Analysis,
  labels: Int32Array,
  profiles: ClusterProfiles,
  coords: Float32Array | null,
  gcn: { userVectors: Float32Array; itemVectors: Float32Array; dims: number } | null,
): CliExports {
  const { table } = analysis.ingested;
  const sequences = analysis.sequences;
  const n = sequences.count;
  const k = profiles.k;
  const ids = Array.from({ length: n }, (_, i) => sequenceLabel(table, sequences, i));
  const clusterLabels: string[] = new Array<string>(k).fill('');
  for (const c of profiles.clusters) clusterLabels[c.cluster] = c.label;
  mkdirSync(dir, { recursive: true });
  const write = (name: string, r: { text: string; rows: number }): { file: string; rows: number } => {
    const file = join(dir, name);
    writeFileSync(file, r.text);
    return { file, rows: r.rows };
  };
  const assignments = write('assignments.csv', assignmentsCsv({ ids, labels, coords, clusterLabels, selection: null }));
  const profilesOut = write('profiles.json', profilesJson(profiles, { file: analysis.report.file.name, k, generatedAt: new Date().toISOString() }));
  const recs = recommendForClusters({
    table,
    sequences,
    labels,
    k,
    itemVectors: gcn?.itemVectors ?? null,
    userVectors: gcn?.userVectors ?? null,
    dims: gcn?.dims ?? 0,
  });
  const recommendations = write(
    'recommendations.csv',
    recommendationsCsv({
      ids,
      labels,
      selection: null,
      perUser: (i) => recommendForUser(recs, table, sequences, labels, i, RECOMMENDATIONS_PER_USER),
      itemIds: table.items,
      itemTitles: table.itemTitle,
      clusterLabels,
    }),
  );
  process.stderr.write(
    `analyze: wrote ${n.toLocaleString('en')} assignments (K = ${k}) to ${assignments.file}, ${k} profiles to ${profilesOut.file}, ` +
      `${recommendations.rows.toLocaleString('en')} recommendations to ${recommendations.file}\n`,
  );
  return { dir, assignments, profiles: profilesOut, recommendations: { ...recommendations, perUser: RECOMMENDATIONS_PER_USER, method: recs.method } };
}

main().catch((err) => {
  process.stderr.write(`analyze: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(3);
});
