// Encoder benchmark: items/s and sequences/s of the encoder stage in Node (the CLI's path:
// transformers.js + onnxruntime-node) and in headless Chromium through the real UI (the product's
// path: transformers.js + onnxruntime-web in the analysis worker), for the tiny test model and,
// where installed, the real model; in both pooling ("items") and sequence-as-text modes. Also how
// many model calls deduplication and the cache save on the UCI Online Retail export. Prints the
// machine and markdown tables.
//
//   npx tsx bench/encode.ts [--only node|browser] [--data FILE] [--port N]

import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { analyzeStream, type Analysis } from '../src/pipeline/analyze';
import {
  collectItemTexts,
  createFeaturizer,
  encodeSequences,
  loadModelEmbedder,
  MemoryEmbeddingCache,
  sequenceTexts,
  type EncodeMode,
  type TextEmbedder,
} from '../src/pipeline/encode';
import { parseManifest } from '../src/pipeline/encode/manifest';
import { benchArgs } from './lib/args';
import { launchChromium } from './lib/browserIngest';
import { int, markdownTable } from './lib/format';
import { describeMachine, loadAverage, machineInfo } from './lib/machine';
import { ensureBuilt, startPreview } from './lib/preview';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const UCI = resolve(ROOT, '../shared/data/uci-online-retail/online-retail-2010-12_2011-05.csv');
const MODELS_DIR = `${join(ROOT, 'public', 'models')}/`;
const APP_DIR = join(ROOT, 'bench', '.data', 'app');
const MODES: EncodeMode[] = ['items', 'sequence-text'];

interface Args {
  only: 'node' | 'browser' | null;
  data: string;
  port: number;
}

const USAGE = 'usage: npx tsx bench/encode.ts [--only node|browser] [--data FILE] [--port N]';

function parseArgs(argv: string[]): Args {
  const v = benchArgs(argv, { only: { type: 'string' }, data: { type: 'string' }, port: { type: 'string' } }, USAGE);
  if (v.only !== undefined && v.only !== 'node' && v.only !== 'browser') throw new Error('--only takes node or browser');
  return { only: v.only ?? null, data: v.data !== undefined ? resolve(v.data) : UCI, port: v.port !== undefined ? Number(v.port) : 4175 };
}

interface Row {
  where: 'Node' | 'Chromium';
  model: string;
  device: string;
  mode: EncodeMode;
  texts: number;
  embedded: number;
  sequences: number;
  /** Model loading, s (0 when it was loaded already). */
  loadS: number;
  /** Cold run (empty cache), loading excluded. */
  coldS: number;
  /** Same input again, everything from the cache. */
  warmS: number;
  warmHits: number;
}

/** Models to measure: the test model, and each real model of the manifest whose files are installed. */
function models(): { id: string; maxTokens?: number }[] {
  const manifest = parseManifest(JSON.parse(readFileSync(join(MODELS_DIR, 'manifest.json'), 'utf8')));
  const installed = manifest.models.filter((m) => m.files.every((f) => existsSync(join(MODELS_DIR, m.id, f))));
  return installed
    .map((m) => ({ id: m.id, maxTokens: m.maxTokens }))
    .sort((a, b) => Number(a.id !== 'seqlens-tiny-bert') - Number(b.id !== 'seqlens-tiny-bert'));
}

async function analyzeFile(file: string): Promise<Analysis> {
  const bytes = new Uint8Array(readFileSync(file));
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += 1 << 20) c.enqueue(bytes.subarray(i, i + (1 << 20)));
      c.close();
    },
  });
  return analyzeStream(stream, { fileName: basename(file), totalBytes: bytes.length });
}

async function nodeRows(analysis: Analysis): Promise<Row[]> {
  const transformers = await import('@huggingface/transformers');
  const input = { table: analysis.ingested.table, sequences: analysis.sequences };
  const rows: Row[] = [];
  const measure = async (embedder: TextEmbedder, loadS: number, label: string): Promise<void> => {
    for (const mode of MODES) {
      const cache = new MemoryEmbeddingCache();
      process.stderr.write(`node: ${label}, ${mode}…\n`);
      const t0 = performance.now();
      const cold = await encodeSequences(input, embedder, { mode, cache });
      const coldS = (performance.now() - t0) / 1000;
      const t1 = performance.now();
      const warm = await encodeSequences(input, embedder, { mode, cache });
      const warmS = (performance.now() - t1) / 1000;
      rows.push({
        where: 'Node',
        model: label,
        device: embedder.device,
        mode,
        texts: cold.encoder.texts,
        embedded: cold.encoder.itemsEmbedded,
        sequences: cold.count,
        loadS: mode === 'items' ? loadS : 0,
        coldS,
        warmS,
        warmHits: warm.encoder.cacheHits,
      });
    }
  };
  for (const m of models()) {
    const t0 = performance.now();
    const embedder = await loadModelEmbedder(transformers, { model: m.id, device: 'cpu', localModelPath: MODELS_DIR, maxTokens: m.maxTokens });
    await measure(embedder, (performance.now() - t0) / 1000, m.id);
    await embedder.dispose();
  }
  await measure(createFeaturizer(), 0, 'built-in featuriser');
  return rows;
}

async function waitEncoded(page: Page, file: string, mode: EncodeMode, timeoutMs: number): Promise<Record<string, string>> {
  await page.waitForFunction(
    ({ file, mode }) => {
      const s = document.querySelector('[data-testid="summary"]');
      const e = document.querySelector('[data-testid="encoder"]') as HTMLElement | null;
      return (
        !!s &&
        !!e &&
        s.getAttribute('data-file') === file &&
        e.dataset.state === 'done' &&
        e.dataset.mode === mode &&
        e.dataset.sequences === s.getAttribute('data-sequences')
      );
    },
    { file, mode },
    { timeout: timeoutMs, polling: 100 },
  );
  return page.getByTestId('encoder').evaluate((el) => ({ ...(el as HTMLElement).dataset }) as Record<string, string>);
}

async function browserRows(url: string, file: string): Promise<Row[]> {
  const browser = await launchChromium();
  const rows: Row[] = [];
  const name = basename(file);
  try {
    for (const m of models()) {
      // A fresh profile per model: the IndexedDB embedding cache starts empty.
      const context = await browser.newContext();
      const page = await context.newPage();
      try {
        // The demo is a subset of the same shop's catalogue: encoding it with the model first would
        // warm the cache. So the file is read with the featuriser, then the model is chosen.
        await page.goto(`${url}?model=featurizer`);
        await waitEncoded(page, 'uci-online-retail-demo.csv', 'items', 300_000);
        await page.getByTestId('file-input').setInputFiles(file);
        await waitEncoded(page, name, 'items', 300_000);
        for (const mode of MODES) {
          process.stderr.write(`chromium: ${m.id}, ${mode}…\n`);
          if (mode === 'sequence-text')
            await page
              .getByTestId('encode-mode')
              .getByLabel(/Sequence as text/)
              .check();
          else await page.getByTestId('model-select').selectOption(m.id);
          await page.waitForFunction((id) => document.querySelector('[data-testid="encoder"]')?.getAttribute('data-model') === id, m.id, {
            timeout: 1_800_000,
          });
          const cold = await waitEncoded(page, name, mode, 1_800_000);
          // The same file again, in the same page: every vector comes from the cache.
          await page.getByTestId('file-input').setInputFiles(file);
          await page
            .waitForFunction(() => document.querySelector('[data-testid="encoder"]')?.getAttribute('data-state') !== 'done', undefined, { timeout: 60_000 })
            .catch(() => {});
          const warm = await waitEncoded(page, name, mode, 600_000);
          const load = Number(cold.loadSeconds || 0);
          rows.push({
            where: 'Chromium',
            model: m.id,
            device: cold.device,
            mode,
            texts: Number(cold.texts),
            embedded: Number(cold.itemsEmbedded),
            sequences: Number(cold.sequences),
            loadS: load,
            coldS: Number(cold.seconds) - load,
            warmS: Number(warm.seconds),
            warmHits: Number(warm.cacheHits),
          });
        }
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
  return rows;
}

function dedupTable(analysis: Analysis): string {
  const { table } = analysis.ingested;
  const { sequences } = analysis;
  const items = collectItemTexts(table, sequences);
  const events = sequences.events.length;
  const distinctItems = new Set(Array.from(sequences.events, (e) => table.item[e])).size;
  const journeys = sequenceTexts(table, sequences, items.textOf, items.texts, createFeaturizer());
  const pct = (saved: number, of: number) => `${((100 * saved) / of).toFixed(1)}%`;
  return markdownTable(
    ['mode', 'model inputs without dedup', 'distinct items', 'distinct texts (model calls, cold)', 'calls saved by dedup', 'calls on a re-run (cache)'],
    [
      [
        'items (pooling)',
        `${int(events)} item events`,
        int(distinctItems),
        int(items.texts.length),
        `${int(events - items.texts.length)} (${pct(events - items.texts.length, events)})`,
        '0',
      ],
      [
        'sequence-text',
        `${int(sequences.count)} sequences`,
        '—',
        int(journeys.texts.length),
        `${int(sequences.count - journeys.texts.length)} (${pct(sequences.count - journeys.texts.length, sequences.count)})`,
        '0',
      ],
    ],
  );
}

const fmt = (v: number, digits = 1): string => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');

function resultTable(rows: Row[]): string {
  return markdownTable(
    [
      'where',
      'model',
      'device',
      'mode',
      'distinct texts',
      'embedded',
      'items/s',
      'sequences',
      'sequences/s',
      'load s',
      'cold s',
      'cached re-run s',
      'cache hits',
    ],
    rows.map((r) => [
      r.where,
      r.model,
      r.device,
      r.mode,
      int(r.texts),
      int(r.embedded),
      int(r.embedded / r.coldS),
      int(r.sequences),
      int(r.sequences / r.coldS),
      fmt(r.loadS, 2),
      fmt(r.coldS, 2),
      fmt(r.warmS, 2),
      int(r.warmHits),
    ]),
  );
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(args.data)) throw new Error(`${args.data} is missing (the UCI export from ../shared/data).`);
  const found = models();
  process.stderr.write(
    `models: ${found.map((m) => m.id).join(', ')}${found.some((m) => m.id !== 'seqlens-tiny-bert') ? '' : ' (no real model installed: `npm run models:fetch` adds Xenova/all-MiniLM-L6-v2)'}\n`,
  );
  const analysis = await analyzeFile(args.data);
  const rows: Row[] = [];
  if (args.only !== 'browser') rows.push(...(await nodeRows(analysis)));
  if (args.only !== 'node') {
    ensureBuilt(ROOT, APP_DIR);
    const server = await startPreview(ROOT, APP_DIR, args.port);
    try {
      rows.push(...(await browserRows(server.url, args.data)));
    } finally {
      await server.stop();
    }
  }
  const lines = [
    '## Encoder benchmark',
    '',
    '```',
    describeMachine(machineInfo(), { 'Load average (1 min) at the end': loadAverage().toFixed(2), Chromium: '/usr/bin/chromium, headless' }),
    '```',
    '',
    `Data: ${basename(args.data)}, grouped by ${analysis.sequences.by}: ${int(analysis.report.input.rows)} rows, ${int(analysis.sequences.count)} sequences, ${int(analysis.sequences.events.length)} item events in sequences.`,
    'items/s = distinct texts embedded per second of the cold run (model loading excluded); sequences/s = sequences per second of the same run. ',
    "The cached re-run encodes the same file again: in Node from the run's in-memory cache, in Chromium after re-reading the file, from the worker's cache (IndexedDB-backed).",
    '',
    resultTable(rows),
    '',
    '### Model calls saved on this data',
    '',
    dedupTable(analysis),
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
