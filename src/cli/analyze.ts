// `npm run -s analyze -- FILE [--by user|session] [--json] ...`: the browser pipeline, in Node.
// Progress goes to stderr so that stdout holds only the report.

import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { analyzeStream } from '../pipeline/analyze';
import { createFeaturizer, encodeSequences, EncoderError, loadModelEmbedder, type EncodeMode, type EventWeights, type FileProbe, type TextEmbedder } from '../pipeline/encode';
import { LogError, type SequenceOptions } from '../pipeline/types';
import { defaultModelId, parseManifest, type ModelManifest } from '../worker/manifest';
import { formatReport, type CliEncoderReport } from './format';

const USAGE = `usage: npm run -s analyze -- FILE [--by user|session] [--json]
       [--min-length N] [--max-length N] [--dedupe SECONDS] [--session-gap MINUTES]
       [--model ID] [--encoder bert|featurizer] [--no-encode]
       [--mode items|sequence-text] [--half-life DAYS] [--weight TYPE=N ...]`;

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
      case '-h':
      case '--help':
        process.stdout.write(USAGE + '\n');
        process.exit(0);
      default:
        if (a.startsWith('-')) fail(`unknown option ${a}`);
        if (file) fail('give one file');
        file = a;
    }
  }
  if (!file) fail('no input file');
  if (encoder === 'featurizer' && model) fail('--model names a BERT model; it cannot go with --encoder featurizer');
  return { file, json, sequence, encode, encoder, model, mode, halfLifeDays, weights };
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
    const out = encoder ? { ...report, encoder } : report;
    process.stdout.write(args.json ? JSON.stringify(out) + '\n' : formatReport(report, encoder));
  } catch (err) {
    if (tty) process.stderr.write('\n');
    if (err instanceof LogError) fail(`${args.file}: ${err.message}`, 1);
    if (err instanceof EncoderError) fail(err.message, 1);
    throw err;
  }
}

main().catch((err) => {
  process.stderr.write(`analyze: unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(3);
});
