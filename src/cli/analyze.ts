// `npm run -s analyze -- FILE [--by user|session] [--json] ...`: the browser pipeline, in Node.
// Progress goes to stderr so that stdout holds only the report.

import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { analyzeStream, type Analysis } from '../pipeline/analyze';
import { ClusteringInputError, SWEEP_DEFAULT_K_MAX, SWEEP_DEFAULT_K_MIN } from '../pipeline/cluster';
import { createFeaturizer, encodeSequences, EncoderError, loadModelEmbedder, type EncodeMode, type EventWeights, type FileProbe, type TextEmbedder } from '../pipeline/encode';
import { sequenceLabel } from '../pipeline/sequences';
import { LogError, type SequenceOptions } from '../pipeline/types';
import { CLUSTER_K_LIMIT, resolveSweepRange, runSweepJob } from '../worker/clusterJob';
import { EvalError, evaluate, type EvalReport } from '../pipeline/eval';
import { DEFAULT_GCN_OPTIONS, embedItemTexts, GcnError, itemVectorsByItem, normalizeRows, runGcn, type GcnReport, type RunGcnOptions, type TrainHooks } from '../pipeline/gcn';
import { GraphOptionsError } from '../pipeline/graph/options';
import { defaultModelId, parseManifest, type ModelManifest } from '../worker/manifest';
import { assignmentsCsv, finiteOrNull, formatClusters, formatReport, type CliClusters, type CliEncoderReport, type CliSweepEntry } from './format';

const USAGE = `usage: npm run -s analyze -- FILE [--by user|session] [--json]
       [--min-length N] [--max-length N] [--dedupe SECONDS] [--session-gap MINUTES]
       [--model ID] [--encoder bert|featurizer] [--no-encode]
       [--mode items|sequence-text] [--half-life DAYS] [--weight TYPE=N ...]
       [--k N] [--sweep A..B] [--out DIR]
       [--gcn on|off] [--epochs N] [--eval]`;

const HELP = `${USAGE}

Clustering (k-means on the encoder's sequence vectors; runs only when --k, --sweep or --out is given):
  --sweep A..B   K sweep from A to B (2 <= A <= B <= ${CLUSTER_K_LIMIT}): 3 seeded k-means runs per K, with
                 inertia, silhouette (exact up to 2,000 sequences, else on a seeded sample of 2,000),
                 Calinski-Harabasz, Davies-Bouldin and stability (mean ARI between the seeds' runs).
                 B is lowered, with a note on stderr, when the data has fewer distinct vectors.
                 Default ${SWEEP_DEFAULT_K_MIN}..${SWEEP_DEFAULT_K_MAX} when only --out is given.
  --k N          the clustering to report (N >= 2). Without --sweep only K = N is computed;
                 with --sweep, N must lie in A..B. Without --k the sweep's suggested K (best silhouette).
  --out DIR      write DIR/assignments.csv: user_id,cluster (the sequence's user or session id)
The JSON gets sweep: [{k, inertia, silhouette, calinskiHarabasz, daviesBouldin, stabilityAri}] and
clusters: {k, sizes, metrics: {inertia, silhouette, calinskiHarabasz, daviesBouldin}, suggested, ...};
metrics that are undefined for a clustering are null.

Graph network (LightGCN, 2 layers, 64 dims, CPU; features = the encoder's vectors):
  --gcn on|off   train it on the sequences. Default: on when clustering (--k, --sweep, --out) or
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
  if (!encode && (k !== null || sweep !== null || out !== null)) fail('--k, --sweep and --out cluster the encoder\'s vectors; they cannot go with --no-encode');
  if (!encode && (gcn === true || evaluateFlag)) fail('--gcn on and --eval start from the encoder\'s vectors; they cannot go with --no-encode');
  if (evaluateFlag && sequence.by === 'session') fail('--eval holds out each user\'s last basket; it needs --by user');
  if (evaluateFlag && gcn === false) fail('--eval compares the GCN with its baselines; it cannot go with --gcn off');
  if (k !== null && sweep && (k < sweep.kMin || k > sweep.kMax)) fail(`--k ${k} lies outside --sweep ${sweep.kMin}..${sweep.kMax}`);
  const clustering = k !== null || sweep !== null || out !== null;
  return { file, json, sequence, encode, encoder, model, mode, halfLifeDays, weights, k, sweep, out, gcn: encode && (gcn ?? (clustering || evaluateFlag)), epochs, eval: evaluateFlag };
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
  let size: number;
  try {
    const st = statSync(args.file);
    if (!st.isFile()) fail(`${args.file} is not a file`, 1);
    size = st.size;
  } catch {
    fail(`cannot open ${args.file}`, 1);
  }
  const stream = Readable.toWeb(createReadStream(args.file, { highWaterMark: 1 << 20 })) as ReadableStream<Uint8Array>;
  const tty = process.stderr.isTTY;
  let lastPct = -1;
  try {
    const analysis = await analyzeStream(stream, {
      fileName: basename(args.file),
      totalBytes: size,
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
    const clustered = vectors && (args.k !== null || args.sweep !== null || args.out !== null) ? await cluster(args, analysis, vectors, tty) : null;
    const out = { ...report, ...(encoder ? { encoder } : {}), ...(gcnReport ? { gcn: gcnReport } : {}), ...(evalReport ? { eval: evalReport } : {}), ...(clustered ?? {}) };
    let text = formatReport(report, encoder);
    if (gcnReport) text += formatGcn(gcnReport);
    if (evalReport) text += formatEval(evalReport);
    if (clustered) text += formatClusters(clustered.sweep, clustered.clusters);
    process.stdout.write(args.json ? JSON.stringify(out) + '\n' : text);
  } catch (err) {
    if (tty) process.stderr.write('\n');
    if (err instanceof LogError) fail(`${args.file}: ${err.message}`, 1);
    if (err instanceof EncoderError) fail(err.message, 1);
    if (err instanceof GcnError || err instanceof GraphOptionsError || err instanceof EvalError) fail(`${args.file}: ${err.message}`, 1);
    if (err instanceof ClusteringInputError) fail(`${args.file}: the sequences cannot be clustered: ${err.message}`, 1);
    throw err;
  }
}

/** The K sweep on the encoder's vectors (CPU: Node has no WebGPU), and --out's assignments.csv. */
async function cluster(
  args: Args,
  analysis: Analysis,
  v: Vectors,
  tty: boolean,
): Promise<{ sweep: CliSweepEntry[]; clusters: CliClusters }> {
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
    source: { stage: 'encoder', model: v.model, label: v.model, zeroVectors: v.zeroVectors },
    onProgress(p) {
      const now = performance.now();
      if (now - lastLine < 1000 && p.fraction < 1) return;
      lastLine = now;
      const line = `clustering K = ${p.k} of ${p.kMin}..${p.kMax} · ${Math.floor(p.fraction * 100)}%`;
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
  if (args.out) {
    mkdirSync(args.out, { recursive: true });
    const file = join(args.out, 'assignments.csv');
    const ids = Array.from({ length: v.n }, (_, i) => sequenceLabel(analysis.ingested.table, analysis.sequences, i));
    writeFileSync(file, assignmentsCsv(ids, r.labels[at]));
    clusters.assignments = file;
    process.stderr.write(`analyze: wrote ${v.n.toLocaleString('en')} assignments (K = ${chosenK}) to ${file}\n`);
  }
  const sweep: CliSweepEntry[] = r.entries.map((x) => ({
    k: x.k,
    inertia: x.inertia,
    silhouette: finiteOrNull(x.silhouette),
    calinskiHarabasz: finiteOrNull(x.calinskiHarabasz),
    daviesBouldin: finiteOrNull(x.daviesBouldin),
    stabilityAri: finiteOrNull(x.stability),
  }));
  return { sweep, clusters };
}

main().catch((err) => {
  process.stderr.write(`analyze: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(3);
});
