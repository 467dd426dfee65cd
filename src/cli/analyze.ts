// `npm run -s analyze -- FILE [--by user|session] [--json] ...`: the browser pipeline, in Node.
// Progress goes to stderr so that stdout holds only the report.

import { closeSync, existsSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { driftJson, transitionsCsv, type DriftReport } from '../pipeline/drift';
import { ModelFileError } from '../pipeline/model/errors';
import { readModelFile } from '../pipeline/model/format';
import type { SavedModel } from '../pipeline/model/types';
import { cliDrift, formatApplied, formatDrift, type CliApplied } from './formatModel';
import { fileURLToPath } from 'node:url';
import { ClusteringInputError, SWEEP_DEFAULT_K_MAX, SWEEP_DEFAULT_K_MIN } from '../pipeline/cluster';
import { createFeaturizer, loadModelEmbedder, type FileProbe, type TextEmbedder } from '../pipeline/encode';
import { defaultModelId, parseManifest, type ModelManifest } from '../pipeline/encode/manifest';
import type { AnalysisReport } from '../pipeline/types';
import { fileSource } from '../node/fileSource';
import { nodeHelperThreads } from '../node/helperThreads';
import { evaluate, evaluateRecommendations, type BasketSource, type EvalReport } from '../pipeline/eval';
import type { GcnReport, RunGcnOptions, TrainHooks } from '../pipeline/gcn';
import { TOO_LITTLE_HISTORY_CLUSTER, type ClusterProfiles } from '../pipeline/profile';
import { privacySummary, type ExportResult } from '../pipeline/export';
import { PARQUET_FILES, type ParquetExportKind } from '../pipeline/export/parquet';
import { PipelineRunner } from '../pipeline/runner/runner';
import { resolveSweepRange } from '../pipeline/runner/clusterJob';
import { cliFailure } from '../pipeline/runner/errors';
import { TRUST_K } from '../pipeline/runner/constants';
import {
  finiteOrNull,
  formatClusters,
  formatEval,
  formatExports,
  formatGcn,
  formatProfiles,
  formatReport,
  formatUmap,
  type CliClusters,
  type CliEncoderReport,
  type CliSeqBertReport,
  formatSeqBert,
  type CliExports,
  type CliProfileSummary,
  type CliSweepEntry,
  type CliUmap,
} from './format';
import { encoderKindOf, HELP, parseArgs, seqBertOptionsOf, USAGE, UsageError, type Args } from './args';
import { evaluateWithSeqBert, type SeqBertEvalReport } from '../pipeline/runner/seqbertEval';
import type { SeqBertOptions, SeqBertProgress } from '../pipeline/seqbert';
import { formatServiceLines, reportServiceLines } from './serviceLines';
import { cliWarning } from './advice';
import { KeyFileError, loadOrMakeKey } from './keyFile';
import { OutDirError, prepareOutDir } from './outDir';
import { stdJson, terminalLine, writeErr, writeOut } from './terminal';
import { type CliSqlTables, formatSqlTables, writeSqlTables } from './sqlOut';

/** public/models/ as an absolute path: transformers.js's env.localModelPath in Node. */
export const MODELS_DIR = fileURLToPath(new URL('../../public/models/', import.meta.url));

/** The files --out writes with --apply besides. */
const DRIFT_FILES = ['drift.json', 'transitions.csv'] as const;

/** The files --out writes. */
const EXPORT_FILES = ['assignments.csv', 'profiles.json', 'recommendations.csv', ...Object.values(PARQUET_FILES)] as const;

/** A progress line on stderr: redrawn in place on a terminal, one line each otherwise. */
function progress(tty: boolean, line: string): void {
  const safe = terminalLine(line);
  process.stderr.write(tty ? `\r${safe}` : `${safe}\n`);
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

const fsProbe =
  (id: string): FileProbe =>
  async (rel) =>
    existsSync(join(MODELS_DIR, id, rel));

/** Which embedder to use: the flags, else the manifest's default model when installed, else the featuriser (with a note). */
async function chooseEmbedder(args: Pick<Args, 'encoder' | 'model'>): Promise<TextEmbedder> {
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
      if (args.encoder === 'text') {
        fail(
          `--encoder text: no BERT model is installed (the sentence encoder) under ${MODELS_DIR} (looked for ${wanted}). Install it with \`npm run models:fetch\`, or name one with --model ID.`,
          1,
        );
      }
      writeErr(
        `analyze: note: no sentence-encoder model is installed (${join(MODELS_DIR, wanted)} is missing), so ${encoderKindOf(args) === 'seqbert' ? "the behaviour BERT's item features come from" : 'sequences are encoded with'} the built-in featurizer ` +
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
  writeErr(`analyze: ${msg}\n${code === 2 ? `${USAGE}\n` : ''}`);
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
    if (f.abnormalVolume > 0)
      why.push(`${f.abnormalVolume.toLocaleString('en')} left out as bots (raise the browsing limit with --max-length N, 0 = no bot rule)`);
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
      process.stdout.write(`${HELP}\n`);
      process.exit(0);
    }
    args = parsed;
    // The BERT's shape is checked before any work, with the stage's own messages.
    if (args.encode && encoderKindOf(args) === 'seqbert') seqBertOptionsOf(args);
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
  // A model to apply is read and checked, and the place to save one, before the work.
  const model = args.apply ? await loadModelArg(args.apply) : null;
  if (args.saveModel) checkModelPath(args.saveModel);
  // The output folder and the key are checked before the work, which can take minutes.
  let secret: Uint8Array | null = null;
  if (args.out) {
    try {
      const dir = prepareOutDir(args.out, model ? [...EXPORT_FILES, ...DRIFT_FILES] : EXPORT_FILES);
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
  // The same runner as the app's worker, with Node's helper threads (large files, the K sweep, the
  // behaviour BERT's embedding: tfjs's wasm runs on one thread in Node) and no GPU.
  const runner = new PipelineRunner({ threads: nodeHelperThreads(), embedThreads: nodeHelperThreads() });
  try {
    let lastPct = -1;
    const analysis = await runner.read(fileSource(args.file), {
      fileName: basename(args.file),
      // With --apply, grouped as the model's log was.
      sequence: model ? model.saved.settings.sequence : args.sequence,
      dateOrder: args.dateOrder,
      maxEvents: args.maxEvents,
      onProgress(p) {
        const pct = Math.floor((p.fraction ?? 0) * 100);
        if (pct === lastPct || p.stage === 'done') return;
        lastPct = pct;
        progress(tty, `reading ${pct}% · ${p.rows.toLocaleString('en')} rows · ${Math.round(p.rowsPerSecond).toLocaleString('en')} rows/s`);
      },
    });
    if (tty) process.stderr.write('\n');
    // The pipeline's advice names the app's settings; here it names the options.
    const report: AnalysisReport = { ...analysis.report, warnings: analysis.report.warnings.map(cliWarning) };
    checkSomethingLeft(report, args.file);
    const serviceItems = model ? model.saved.settings.service : args.serviceItems;
    await runner.use(analysis, '', serviceItems);
    // Service lines (postage, fees...): left out of profiles and recommendations, listed in the report.
    const services = reportServiceLines(runner.serviceResolution()!, serviceItems, writeErr);
    if (args.eval && analysis.sequences.by !== 'user') fail("--eval holds out each user's last basket; it needs sequences grouped by user (--by user)");
    let encoder: CliEncoderReport | CliSeqBertReport | undefined;
    let gcnReport: GcnReport | undefined;
    let evalReport: EvalReport | SeqBertEvalReport | undefined;
    let applied: { applied: CliApplied; drift: DriftReport } | undefined;
    if (model) {
      applied = await applySaved(runner, args.apply!, model, args.update, tty);
    } else if (args.encode) {
      ({ encoder, gcnReport, evalReport } = await encodeAndTrain(runner, args, services.mask, tty));
    }
    const clusterAsked = args.k !== null || args.sweep !== null || args.out !== null || args.umap || args.saveModel !== null;
    const clustered = !model && runner.encoded && clusterAsked ? await cluster(runner, args, gcnReport ? 'gcn' : 'encoder', tty) : null;
    // The clustering on screen: the sweep's chosen K, or the saved model's.
    const chosenK = clustered?.clusters.k ?? applied?.applied.k;
    let umapReport: CliUmap | undefined;
    let profiles: ClusterProfiles | undefined;
    let exports: CliExports | undefined;
    let driftFiles: { drift: string; transitions: string } | undefined;
    let savedModel: { file: string; size: number; k: number } | undefined;
    let sqlTables: CliSqlTables | { skipped: string } | undefined;
    if (chosenK !== undefined) {
      if (args.umap) umapReport = await project(runner, tty);
      profiles = runner.sweep().profiles(chosenK);
      if (args.out) {
        ({ exports, profiles } = await writeExports(args.out, runner, chosenK, args.top, {
          secret,
          epsilon: args.epsilon,
          sessionsPerUser: args.sessionsPerUser,
        }));
        if (clustered) clustered.clusters.assignments = exports.assignments.file;
        if (applied) driftFiles = writeDriftFiles(args.out, applied.drift);
        // The SQL approximation's tables (docs/sql.md), of a clustering made here (an applied model's are its own).
        if (clustered) sqlTables = writeSqlTables(args.out, runner, chosenK, { weights: args.weights, halfLifeDays: args.halfLifeDays });
      }
      if (args.saveModel) savedModel = await saveModelFile(runner, args.saveModel, chosenK);
    }
    const profileSummary: CliProfileSummary[] | undefined = profiles?.clusters.map((c) => ({
      cluster: c.cluster,
      label: c.label,
      size: c.size,
      share: c.share,
    }));
    // The customers under the minimum history: a group of their own (cluster -1 in the exports); its share is of everybody.
    const few = profiles?.tooLittleHistory;
    if (profileSummary && few) profileSummary.push({ cluster: TOO_LITTLE_HISTORY_CLUSTER, label: few.label, size: few.size, share: few.share });
    const out = {
      ...report,
      ...(encoder ? { encoder } : {}),
      ...(gcnReport ? { gcn: gcnReport } : {}),
      ...(evalReport ? { eval: evalReport } : {}),
      ...(clustered ? { sweep: clustered.sweep, clusters: clustered.clusters } : {}),
      ...(profileSummary ? { profiles: profileSummary } : {}),
      ...(umapReport ? { umap: umapReport } : {}),
      ...(exports ? { out: driftFiles ? { ...exports, ...driftFiles } : exports } : {}),
      ...(applied ? { applied: applied.applied, drift: cliDrift(applied.drift) } : {}),
      ...(savedModel ? { model: savedModel } : {}),
      ...(sqlTables ? { sql: sqlTables } : {}),
      serviceItems: services.report,
    };
    let text = formatReport(report, encoder && 'text' in encoder ? encoder.text : encoder);
    if (encoder && 'text' in encoder) text += formatSeqBert(encoder);
    if (gcnReport) text += formatGcn(gcnReport);
    if (evalReport) text += formatEval(evalReport);
    if (clustered) text += formatClusters(clustered.sweep, clustered.clusters);
    if (applied) text += formatApplied(applied.applied) + formatDrift(applied.drift);
    if (profileSummary) text += formatProfiles(profileSummary);
    if (umapReport) text += formatUmap(umapReport);
    if (exports) text += formatExports(exports);
    if (driftFiles) text += `drift: ${driftFiles.drift}, ${driftFiles.transitions}\n`;
    if (sqlTables) text += formatSqlTables(sqlTables);
    if (savedModel) text += `model: ${savedModel.file} (${savedModel.size.toLocaleString('en')} bytes, K = ${savedModel.k})\n`;
    text += formatServiceLines(services.report);
    if (args.json) process.stdout.write(`${stdJson(out)}\n`);
    else writeOut(text);
  } catch (err) {
    if (tty) process.stderr.write('\n');
    // The stages' errors, mapped once (pipeline/runner/errors.ts); anything else is a bug (exit 3).
    const line = cliFailure(err, args.file, cliWarning);
    if (line !== null) fail(line, 1);
    throw err;
  }
}

/** --apply FILE: the model's bytes, read and checked (exit 1 with the reader's message when it cannot be used). */
async function loadModelArg(file: string): Promise<{ bytes: Uint8Array; saved: SavedModel }> {
  let bytes: Uint8Array;
  try {
    if (!statSync(file).isFile()) fail(`--apply ${file}: that is not a file`, 1);
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    if (e instanceof Error && 'code' in e) fail(`--apply ${file}: the model file cannot be opened`, 1);
    throw e;
  }
  try {
    return { bytes, saved: await readModelFile(bytes) };
  } catch (e) {
    if (e instanceof ModelFileError) fail(`--apply ${file}: ${e.message}`, 1);
    throw e;
  }
}

/** --save-model FILE: refused before the work when it names a folder or a place that is not there. */
function checkModelPath(file: string): void {
  const abs = resolve(file);
  if (existsSync(abs) && !statSync(abs).isFile()) fail(`--save-model ${file}: that is a folder, not a file`, 1);
  if (!existsSync(dirname(abs)) || !statSync(dirname(abs)).isDirectory()) fail(`--save-model ${file}: the folder ${dirname(abs)} does not exist`, 1);
}

async function saveModelFile(runner: PipelineRunner, file: string, k: number): Promise<{ file: string; size: number; k: number }> {
  const { bytes, size } = await runner.saveModel(k);
  try {
    writeFileSync(file, bytes);
  } catch (e) {
    fail(`--save-model ${file}: the model cannot be written: ${e instanceof Error ? e.message : String(e)}`, 1);
  }
  writeErr(`analyze: saved the model (K = ${k}, ${size.toLocaleString('en')} bytes) to ${file}\n`);
  return { file, size, k };
}

/**
 * --apply: the saved model on the runner's log, with the text encoder its item features were made
 * with (the built-in featurizer, or the installed model it names).
 */
async function applySaved(
  runner: PipelineRunner,
  file: string,
  model: { bytes: Uint8Array; saved: SavedModel },
  update: boolean,
  tty: boolean,
): Promise<{ applied: CliApplied; drift: DriftReport }> {
  const e = model.saved.settings.encoder;
  const embedder = e.featurizer ? createFeaturizer({ dims: model.saved.catalogue.itemDims }) : await chooseEmbedder({ encoder: 'text', model: e.textModel });
  try {
    const r = await runner.applyModel(model.bytes, { update, saved: model.saved }, embedder, {
      onProgress: (p) => progress(tty, `applying the saved model: ${p.stage} ${Math.floor(p.fraction * 100)}%`),
    });
    if (tty) process.stderr.write('\n');
    const sizes = runner.sweep().result.entries[0].sizes;
    return {
      applied: {
        k: r.k,
        labels: r.labels,
        sizes,
        model: { file, ...r.model },
        unseenItems: r.unseenItems,
        unseenByPopularity: r.unseenByPopularity,
        unchanged: r.unchanged,
        placement: r.placement === null ? null : Math.round(r.placement * 10000) / 10000,
        update: r.update,
        seconds: Math.round(r.seconds * 1000) / 1000,
      },
      drift: r.drift,
    };
  } finally {
    await embedder.dispose();
  }
}

/** drift.json and transitions.csv beside the other exports. */
function writeDriftFiles(dir: string, d: DriftReport): { drift: string; transitions: string } {
  const drift = join(dir, 'drift.json');
  const transitions = join(dir, 'transitions.csv');
  writeFileSync(drift, driftJson(d));
  writeFileSync(transitions, transitionsCsv(d));
  writeErr(`analyze: wrote the drift to ${drift} and ${transitions}\n`);
  return { drift, transitions };
}

/** The encode stage, then (--gcn) the graph network and (--eval) the evaluation, on the runner's log. */
async function encodeAndTrain(
  runner: PipelineRunner,
  args: Args,
  exclude: Uint8Array,
  tty: boolean,
): Promise<{ encoder: CliEncoderReport | CliSeqBertReport; gcnReport?: GcnReport; evalReport?: EvalReport | SeqBertEvalReport }> {
  const t0 = performance.now();
  const embedder = await chooseEmbedder(args);
  const kind = encoderKindOf(args);
  const seqbertOptions: Partial<SeqBertOptions> = kind === 'seqbert' ? seqBertOptionsOf(args) : {};
  // Redrawn at every report on a terminal; otherwise (a log file) each epoch's end and every 10 s.
  const seqbertProgress = (what: string) => {
    let last = 0;
    return (p: SeqBertProgress): void => {
      const now = performance.now();
      const epochEnd = p.valLoss !== null || p.fraction >= 1;
      if (!tty && !epochEnd && now - last < 10_000) return;
      last = now;
      const val = p.valLoss === null ? '' : ` · held-out ${p.valLoss.toFixed(4)}`;
      progress(tty, `${what} epoch ${p.epoch} of ${p.epochs} · ${Math.floor(p.fraction * 100)}% · loss ${p.loss.toFixed(4)}${val}`);
    };
  };
  let lastLine = 0;
  try {
    const req = { model: args.model ?? undefined, mode: args.mode, weights: args.weights, halfLifeDays: args.halfLifeDays, kind, seqbert: seqbertOptions };
    const encoded = await runner.encode(req, embedder, {
      onSeqBert: seqbertProgress('behaviour BERT'),
      onProgress(p) {
        const now = performance.now();
        if (now - lastLine < 1000 && p.done < p.total) return;
        lastLine = now;
        progress(
          tty,
          `encoding ${p.done.toLocaleString('en')} of ${p.total.toLocaleString('en')} texts · ${Math.round(p.itemsPerSecond).toLocaleString('en')} items/s`,
        );
      },
    });
    if (tty) process.stderr.write('\n');
    const r = encoded.encoding;
    let gcnReport: GcnReport | undefined;
    let evalReport: EvalReport | undefined;
    if (args.gcn) {
      const { table } = encoded.analysis.ingested;
      const { sequences } = encoded.analysis;
      const gcnOptions: RunGcnOptions = {
        epochs: args.epochs,
        graph: { eventWeights: args.weights, ...(args.halfLifeDays !== undefined ? { halfLifeDays: args.halfLifeDays } : {}) },
      };
      const hooks = (what: string): TrainHooks => ({
        onProgress(p) {
          progress(tty, `${what} epoch ${p.epoch} of ${p.epochs} · loss ${p.loss.toFixed(4)} · ${Math.round(p.ms)} ms`);
        },
      });
      const trainHooks = hooks('graph network');
      const g = await runner.gcn(gcnOptions, { onProgress: (p) => p.stage === 'train' && trainHooks.onProgress?.(p) });
      if (tty) process.stderr.write('\n');
      gcnReport = g.wire.report;
      if (args.eval) {
        const encoder = { weights: args.weights, halfLifeDays: args.halfLifeDays };
        const ev = encoded.seqbert
          ? await evaluateWithSeqBert(table, sequences, encoded.itemTexts, {
              gcn: gcnOptions,
              encoder,
              seqbert: seqbertOptions,
              hooks: hooks('evaluation: graph network'),
              onSeqBert: seqbertProgress('evaluation: behaviour BERT'),
            })
          : await evaluate(table, sequences, encoded.itemTexts, { gcn: gcnOptions, encoder, hooks: hooks('evaluation: graph network') });
        if (tty) process.stderr.write('\n');
        writeErr('evaluation: per-user recommendations (recommendation protocol)\n');
        const rec = evaluateRecommendations(table, { exclude });
        evalReport = {
          ...ev.report,
          recall20: { ...ev.report.recall20, recommended: rec.recall20.recommended },
          ndcg20: { ...ev.report.ndcg20, recommended: rec.ndcg20.recommended },
          recommendations: rec,
        };
      }
    }
    const e = r.encoder;
    const encoder: CliEncoderReport = {
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
    const sb = encoded.seqbert;
    if (sb) {
      const b = sb.report;
      const seqbert: CliSeqBertReport = {
        kind: 'seqbert',
        backend: b.backend,
        layers: b.layers,
        hidden: b.hidden,
        heads: b.heads,
        maxLen: b.maxLen,
        params: b.params,
        epochs: b.epochs,
        plannedEpochs: b.plannedEpochs,
        loss: b.loss,
        valLoss: b.valLoss,
        bestEpoch: b.bestEpoch,
        stopReason: b.stopReason,
        heldOut: b.heldOut ?? null,
        quantized: b.quantized,
        softmax: b.softmax,
        contrastive: b.contrastive,
        tokensPerSecond: b.tokensPerSecond,
        sequences: encoded.n,
        dims: encoded.d,
        zeroVectors: encoded.zeroVectors,
        seconds: Math.round(sb.seconds * 1000) / 1000,
        itemFeatures: sb.itemFeatures,
        text: encoder,
      };
      return { encoder: seqbert, gcnReport, evalReport };
    }
    return { encoder, gcnReport, evalReport };
  } finally {
    await embedder.dispose();
  }
}

/** The K sweep on the encoder's (or GCN's; the behaviour BERT's either way) vectors (CPU: Node has no WebGPU); labels stay in the runner. */
async function cluster(
  runner: PipelineRunner,
  args: Args,
  vectors: 'encoder' | 'gcn',
  tty: boolean,
): Promise<{ sweep: CliSweepEntry[]; clusters: CliClusters }> {
  const asked = args.sweep ?? (args.k !== null ? { kMin: args.k, kMax: args.k } : { kMin: SWEEP_DEFAULT_K_MIN, kMax: SWEEP_DEFAULT_K_MAX });
  const v = runner.clusterInput(vectors);
  // Checked first, so that a K the data cannot give fails before the work.
  const range = resolveSweepRange(v.vectors, v.n, v.d, asked.kMin, asked.kMax);
  if (args.k !== null && args.k > range.kMax) throw new ClusteringInputError(`K = ${args.k} is not possible: ${range.note ?? ''}`.trim());
  if (range.note) writeErr(`analyze: note: ${range.note}\n`);
  let lastLine = 0;
  const r = await runner.cluster(
    { kMin: asked.kMin, kMax: asked.kMax, device: 'cpu', vectors },
    {
      onProgress(p) {
        const now = performance.now();
        if (now - lastLine < 1000 && p.fraction < 1) return;
        lastLine = now;
        progress(tty, `clustering K = ${p.kMin}..${p.kMax} · ${p.done} K values done · ${Math.floor(p.fraction * 100)}%`);
      },
    },
  );
  if (tty) process.stderr.write('\n');
  const chosenK = args.k ?? r.suggested.k;
  const e = r.entries.find((x) => x.k === chosenK)!;
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
    // With the behaviour BERT its own vectors (beside what they buy, when that joins) are clustered, the graph network on or off (runner.clusterInput).
    source: {
      stage: v.stage,
      model: v.encoded.model,
      n: v.n,
      d: v.d,
      ...(v.stage === 'gcn' && v.trained ? { epochs: v.trained.epochs } : {}),
      ...(r.source.taste ? { taste: r.source.taste } : {}),
    },
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
  return { sweep, clusters };
}

/** The runner's map of the clustered vectors (seed 0: the same vectors give the same map) and its trustworthiness. */
async function project(runner: PipelineRunner, tty: boolean): Promise<CliUmap> {
  const swept = runner.sweep();
  let lastLine = 0;
  const r = await swept.project(
    { seed: 0 },
    (p) => {
      if (p.stage === 'trust') {
        if (tty) process.stderr.write('\n');
        if (swept.n > 2 * TRUST_K) writeErr(`map: trustworthiness of ${swept.n.toLocaleString('en')} points\n`);
        return;
      }
      const now = performance.now();
      if (now - lastLine < 1000) return;
      lastLine = now;
      progress(tty, `map (UMAP) ${p.stage} · ${Math.floor(p.overall * 100)}%`);
    },
    { cancelled: false },
    // Too few points for trustworthiness is a note here (null in the JSON), not a failure.
    { trust: 'when-defined' },
  );
  for (const w of r.warnings) writeErr(`analyze: note: ${w}\n`);
  const t = r.trustworthiness;
  return {
    seconds: Math.round((r.seconds - r.timings.trustMs / 1000) * 1000) / 1000,
    trustworthiness15: finiteOrNull(t.value),
    exact: t.exact,
    sampleSize: t.sampleSize,
    standardError: t.standardError,
    trustworthinessSeconds: Math.round(r.timings.trustMs) / 1000,
    nNeighbors: r.nNeighbors,
    nEpochs: r.nEpochs,
    seed: 0,
    source: { stage: r.source.stage, n: swept.n, d: swept.d },
    warnings: r.warnings,
  };
}

/** What --pseudonymise and --epsilon ask of the exports. */
interface ExportPrivacy {
  secret: Uint8Array | null;
  epsilon: number | null;
  sessionsPerUser: number | undefined;
}

/** What the lists learnt from, in words (the JSON's method). */
function learntFrom(source: BasketSource): string {
  if (source.events === 'purchases') return 'purchases';
  if (source.by === 'session') return 'every event of each session';
  return 'every event (the log has no purchases)';
}

/**
 * --out: the page's three exports of the chosen clustering, made by the runner's export step; with
 * --pseudonymise the ids are keyed hashes, with --epsilon profiles.json holds noised counts (and
 * the returned profiles, which the report shows, are those).
 */
async function writeExports(
  dir: string,
  runner: PipelineRunner,
  k: number,
  top: number,
  privacy: ExportPrivacy,
): Promise<{ exports: CliExports; profiles: ClusterProfiles }> {
  writeErr('analyze: per-user recommendations\n');
  const swept = runner.sweep();
  const made = await swept.exportAll(k, { top, secret: privacy.secret, epsilon: privacy.epsilon, sessionsPerUser: privacy.sessionsPerUser });
  const write = (name: string, r: ExportResult): { file: string; rows: number } => {
    const file = join(dir, name);
    // Part by part: a long file does not fit one string (export/csv.ts PART_LINES).
    const fd = openSync(file, 'w');
    try {
      for (const part of r.parts) writeSync(fd, part);
    } finally {
      closeSync(fd);
    }
    return { file, rows: r.rows };
  };
  const assignments = write('assignments.csv', made.assignments);
  const profilesOut = write('profiles.json', made.profilesFile);
  const recommendations = write('recommendations.csv', made.recommendations);
  // The Parquet files (vectors, assignments with the map, centres) for pandas, DuckDB, Spark, Embedding Atlas.
  const pq = await swept.parquetExports(k, { secret: privacy.secret, encoded: runner.encoded });
  const parquet: CliExports['parquet'] = {};
  for (const kind of Object.keys(PARQUET_FILES) as ParquetExportKind[]) {
    const r = pq[kind];
    if (!r) continue;
    const file = join(dir, PARQUET_FILES[kind]);
    writeFileSync(file, r.bytes);
    parquet[kind] = { file, rows: r.rows };
  }
  writeErr(
    `analyze: wrote ${assignments.rows.toLocaleString('en')} assignments (K = ${k}) to ${assignments.file}, ${k} profiles to ${profilesOut.file}, ` +
      `${recommendations.rows.toLocaleString('en')} recommendations to ${recommendations.file}\n`,
  );
  const parquetNames = Object.values(parquet).map((f) => basename(f.file));
  writeErr(`analyze: wrote ${parquetNames.join(', ')} to ${dir}\n`);
  const statement = made.privacy;
  if (privacy.secret) writeErr('analyze: user ids in the assignments, recommendations and Parquet files are pseudonymised (keyed hash)\n');
  if (statement) writeErr(`analyze: profiles: ${privacySummary(statement)}\n  ${statement.covers}\n`);
  return {
    profiles: made.profiles,
    exports: {
      dir,
      assignments,
      profiles: profilesOut,
      recommendations: {
        ...recommendations,
        perUser: top,
        method: `per user (per session in a log of anonymous sessions): new (what they looked at and did not buy, when validation chooses it; ItemKNN, RP3beta, next basket, UserKNN, popularity) and again; learnt from ${learntFrom(made.recommendationSource)}`,
      },
      parquet,
      ...(privacy.secret || statement
        ? {
            privacy: {
              pseudonymised: privacy.secret !== null,
              ...(statement
                ? {
                    profiles: {
                      epsilon: statement.epsilon,
                      unit: statement.unit,
                      sequencesPerUnit: statement.sequencesPerUnit,
                      sensitivity: statement.sensitivity,
                      summary: privacySummary(statement),
                    },
                  }
                : {}),
            },
          }
        : {}),
    },
  };
}

main().catch((err) => {
  writeErr(`analyze: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(3);
});
