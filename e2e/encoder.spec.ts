// The encoder stage in the browser: transformers.js in the analysis worker, the tiny test model
// from /models/ (q8), the embedding cache in IndexedDB, installing a model from a folder, and the
// errors of missing, damaged and wrongly laid-out models. The fixture fails any test that makes a
// request to anything but the app's own origin.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { ANALYSIS_TIMEOUT, DEMO, summary, summaryData, upload } from './helpers';
import { nodeDemoVectors, nodeVectors, TINY_MODEL_DIR, type NodeVectors } from './encoderReference';

const TINY = 'seqlens-tiny-bert';
const ENCODE_TIMEOUT = 90_000;

const encoder = (page: Page): Locator => page.getByTestId('encoder');

async function encoderData(page: Page): Promise<Record<string, string>> {
  return encoder(page).evaluate((el) => ({ ...(el as HTMLElement).dataset }) as Record<string, string>);
}

async function openWith(page: Page, query: string): Promise<void> {
  await page.goto(`/${query}`);
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
}

/** Waits for a finished encode (by `model`, when given: an earlier result may still be on screen). */
async function encoded(page: Page, model?: string): Promise<Record<string, string>> {
  if (model) await expect(encoder(page)).toHaveAttribute('data-model', model, { timeout: ENCODE_TIMEOUT });
  await expect(encoder(page)).toHaveAttribute('data-state', 'done', { timeout: ENCODE_TIMEOUT });
  return encoderData(page);
}

interface Probe {
  index: number;
  id: string;
  values: number[];
}

function expectProbeMatches(probeJson: string, node: NodeVectors): void {
  const probe = JSON.parse(probeJson) as Probe[];
  expect(probe.length).toBeGreaterThanOrEqual(3);
  for (const p of probe) {
    const v = node.byId.get(p.id);
    expect(v, `sequence ${p.id} in Node`).toBeDefined();
    expect(p.values).toHaveLength(8);
    p.values.forEach((x, j) => expect(Math.abs(x - v![j]), `sequence ${p.id}, value ${j}: browser ${x}, Node ${v![j]}`).toBeLessThan(1e-4));
  }
}

/**
 * Whatever is installed on this machine, the page sees no real model: the build's list of served
 * model files (models/installed.json) is answered without them, and their files are not found.
 */
async function hideRealModels(context: BrowserContext): Promise<void> {
  await context.route(/\/models\/installed\.json$/, async (route) => {
    const response = await route.fetch();
    const index = (await response.json()) as { files: Record<string, string[]> };
    for (const id of Object.keys(index.files)) if (id.startsWith('Xenova/')) delete index.files[id];
    await route.fulfill({ response, json: index });
  });
  await context.route(/\/models\/Xenova\//, (route) => route.fulfill({ status: 404, body: 'not found' }));
}

let nodeItems: Promise<NodeVectors> | null = null;

test('the worker loads the tiny model as q8 from /models/ and its vectors match Node within 1e-4', async ({ page }) => {
  nodeItems ??= nodeDemoVectors('items');
  const webgpu = await page.evaluate(() => 'gpu' in navigator);
  const requests: string[] = [];
  page.context().on('request', (r) => requests.push(new URL(r.url()).pathname));
  await openWith(page, `?model=${TINY}`);
  const data = await encoded(page, TINY);
  expect(data.dtype).toBe('q8');
  expect(data.kind).toBe('model');
  expect(data.source).toBe('origin');
  expect(data.mode).toBe('items');
  expect(['wasm', 'webgpu']).toContain(data.device);
  if (!webgpu) expect(data.device).toBe('wasm');
  // What is in use is shown, not only in attributes.
  const inUse = page.getByTestId('encoder-in-use');
  await expect(inUse).toContainText('SeqLens tiny test model');
  await expect(inUse).toContainText('dtype q8');
  await expect(inUse).toContainText(`device ${data.device}`);
  await expect(page.getByTestId('model-select')).toHaveValue(TINY);

  expect(Number(data.dims)).toBe(32);
  expect(data.sequences).toBe((await summaryData(page)).sequences);
  expect(Number(data.itemsEmbedded)).toBeGreaterThan(1000);
  expect(Number(data.cacheHits)).toBe(0);
  await expect(page.getByTestId('encode-dims')).toContainText('32');
  await expect(page.getByTestId('encode-sequences')).toContainText(data.sequences);

  // The model and ONNX Runtime came from our origin: the model folder and the build's assets.
  expect(requests).toContain(`/models/${TINY}/onnx/model_quantized.onnx`);
  expect(requests.some((p) => /\/assets\/ort-wasm-simd-threaded\.asyncify-[\w-]+\.wasm$/.test(p))).toBe(true);

  const node = await nodeItems;
  expect(Number(data.texts)).toBe(node.texts);
  expectProbeMatches(data.vectorProbe, node);
});

test('on WebGPU (forced; a software adapter on machines without a GPU) the vectors match Node too', async ({ page }) => {
  await page.goto('/');
  const adapter = await page.evaluate(async () => {
    const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    return !!gpu && !!(await gpu.requestAdapter().catch(() => null));
  });
  test.skip(!adapter, 'this browser has no WebGPU adapter at all');
  // A small file: a software adapter is slow, and the point is the WebGPU path, not the size.
  const lines = ['InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country'];
  const titles = [
    'WHITE HANGING HEART T-LIGHT HOLDER',
    'REGENCY CAKESTAND 3 TIER',
    'JUMBO BAG RED RETROSPOT',
    'PARTY BUNTING',
    'LUNCH BAG RED RETROSPOT',
    'ASSORTED COLOUR BIRD ORNAMENT',
  ];
  for (let i = 0; i < 48; i++) {
    lines.push(
      `${536365 + Math.floor(i / 4)},${85000 + (i % 6)},${titles[i % 6]},${1 + (i % 3)},12/${1 + (i % 9)}/2010 08:${String(10 + i).padStart(2, '0')},2.55,${17850 + (i % 8)},United Kingdom`,
    );
  }
  const csv = Buffer.from(lines.join('\n'));
  const node = nodeVectors(new Uint8Array(csv), 'gift-shop.csv');
  await openWith(page, '?model=featurizer&device=webgpu');
  await upload(page, { name: 'gift-shop.csv', mimeType: 'text/csv', buffer: csv });
  await expect(summary(page)).toHaveAttribute('data-file', 'gift-shop.csv', { timeout: ANALYSIS_TIMEOUT });
  await page.getByTestId('model-select').selectOption(TINY);
  const data = await encoded(page, TINY);
  expect(data.device).toBe('webgpu');
  await expect(page.getByTestId('encoder-in-use')).toContainText('device webgpu');
  expect(Number(data.texts)).toBe(6);
  expectProbeMatches(data.vectorProbe, await node);
});

test('re-encoding is served from the IndexedDB cache: after a pooling change and after a reload', async ({ page }) => {
  await openWith(page, `?model=${TINY}`);
  const first = await encoded(page, TINY);
  expect(Number(first.cacheHits)).toBe(0);

  // Another half-life: same item texts, so every one is a cache hit, but other sequence vectors.
  await page.getByLabel('Recency half-life').fill('0');
  await expect(encoder(page)).not.toHaveAttribute('data-vector-probe', first.vectorProbe, { timeout: ENCODE_TIMEOUT });
  const again = await encoded(page, TINY);
  expect(Number(again.cacheHits)).toBe(Number(first.texts));
  expect(Number(again.itemsEmbedded)).toBe(0);
  await expect(page.getByTestId('encode-cache-hits')).toContainText(Number(first.texts).toLocaleString('en'));

  // A new page: the vectors come back from IndexedDB, nothing is embedded again.
  await page.reload();
  await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
  const reloaded = await encoded(page, TINY);
  expect(Number(reloaded.itemsEmbedded)).toBe(0);
  expect(Number(reloaded.cacheHits)).toBe(Number(first.texts));
  await expect(page.getByTestId('encode-cache-hits')).toContainText("from this browser's store");
  // The half-life was remembered; the vectors equal the second run's.
  expect(reloaded.vectorProbe).toBe(again.vectorProbe);

  // Regrouping re-encodes by itself: new sequences, the same item texts, so from the cache.
  await page.getByTestId('group-by').getByRole('radio', { name: 'Session' }).check();
  await expect(summary(page)).toHaveAttribute('data-by', 'session');
  const sequences = (await summaryData(page)).sequences;
  await expect(encoder(page)).toHaveAttribute('data-sequences', sequences, { timeout: ENCODE_TIMEOUT });
  const regrouped = await encoded(page, TINY);
  expect(Number(regrouped.cacheHits)).toBeGreaterThan(0);
  expect(Number(regrouped.itemsEmbedded)).toBe(Number(regrouped.texts) - Number(regrouped.cacheHits));
});

test('sequence-as-text mode embeds whole journeys and matches Node', async ({ page }) => {
  const node = nodeDemoVectors('sequence-text');
  await openWith(page, `?model=${TINY}`);
  await encoded(page, TINY);
  await page
    .getByTestId('encode-mode')
    .getByLabel(/Sequence as text/)
    .check();
  await expect(encoder(page)).toHaveAttribute('data-mode', 'sequence-text', { timeout: ENCODE_TIMEOUT });
  const data = await encoded(page, TINY);
  // Weights do not apply to text.
  await expect(page.getByLabel('Purchase weight')).toBeDisabled();
  await expect(page.getByTestId('encode-result')).toContainText(/sequences were longer than the model.s window/);
  expect(Number(data.texts)).toBeLessThanOrEqual(Number(data.sequences));
  expectProbeMatches(data.vectorProbe, await node);
});

test('without a real model the featuriser is used, labelled, with how to install one; the test model is never the default', async ({ page, context }) => {
  await hideRealModels(context);
  // The catalog reads the build's list of model files: no request for a file it does not list.
  const modelRequests: string[] = [];
  context.on('request', (r) => {
    if (r.url().includes('/models/') && !/\/models\/(manifest|installed)\.json$/.test(r.url())) modelRequests.push(`${r.method()} ${r.url()}`);
  });
  await openWith(page, '');
  const data = await encoded(page);
  expect(data.kind).toBe('featurizer');
  expect(data.model).toMatch(/^featurizer\//);
  expect(data.model).not.toBe(TINY);
  await expect(page.getByTestId('model-select')).toHaveValue('featurizer');
  const notice = page.getByTestId('no-model-notice');
  await expect(notice).toContainText('No sentence-encoder model is installed');
  await expect(notice).toContainText('npm run models:fetch');
  await expect(notice).toContainText('choose the model’s folder');
  await expect(page.getByTestId('encoder-in-use')).toContainText('Built-in featuriser');
  await expect(page.getByTestId('encoder-in-use')).toContainText('not semantic');
  await expect(page.getByTestId('model-select').locator('option', { hasText: 'all-MiniLM-L6-v2' }).first()).toContainText('not installed');
  await expect(page.getByTestId('model-select').locator('option', { hasText: 'tiny test model' })).not.toContainText('not installed');
  expect(modelRequests.filter((r) => r.includes('/models/Xenova/'))).toEqual([]);
  expect(modelRequests.filter((r) => r.startsWith('HEAD '))).toEqual([]);
});

test('a model that is not installed gives a clear error, and the featuriser is one click away', async ({ page, context }) => {
  await hideRealModels(context);
  await openWith(page, '?model=Xenova/all-MiniLM-L6-v2');
  const error = page.getByTestId('encode-error');
  await expect(error).toBeVisible({ timeout: ENCODE_TIMEOUT });
  await expect(error).toHaveAttribute('data-code', 'model-missing');
  await expect(error).toContainText('Model "Xenova/all-MiniLM-L6-v2" is not installed');
  await expect(error).toContainText('npm run models:fetch');
  await expect(encoder(page)).toHaveAttribute('data-state', 'error');
  await error.getByRole('button', { name: 'Use the built-in featuriser' }).click();
  const data = await encoded(page);
  expect(data.kind).toBe('featurizer');
  await expect(page.getByTestId('encode-error')).toHaveCount(0);
});

/** A copy of the tiny model's folder under a new name, changed by `change`. */
function modelFolder(name: string, change: (dir: string) => void = () => {}): { dir: string; cleanup(): void } {
  const base = mkdtempSync(join(tmpdir(), 'seqlens-model-'));
  const dir = join(base, name);
  cpSync(TINY_MODEL_DIR, dir, { recursive: true });
  change(dir);
  return { dir, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

test('a model folder installs in the browser, is used, and is still there after a reload', async ({ page }) => {
  const folder = modelFolder('my-shop-model');
  try {
    await openWith(page, '');
    await encoded(page);
    await page.getByTestId('model-folder-input').setInputFiles(folder.dir);
    await expect(page.getByTestId('model-install-done')).toContainText('installed in this browser', { timeout: ENCODE_TIMEOUT });
    await expect(page.getByTestId('model-select')).toHaveValue('local/my-shop-model');
    const data = await encoded(page, 'local/my-shop-model');
    expect(data.source).toBe('browser');
    expect(data.dtype).toBe('q8');
    expect(Number(data.dims)).toBe(32);
    await expect(page.getByRole('list', { name: 'Models installed in this browser' })).toContainText('my-shop-model');

    // The files live in IndexedDB: after a reload the model loads without asking the server for it.
    const asked: string[] = [];
    page.context().on('request', (r) => asked.push(new URL(r.url()).pathname));
    await page.reload();
    await expect(summary(page)).toHaveAttribute('data-file', DEMO, { timeout: ANALYSIS_TIMEOUT });
    const reloaded = await encoded(page, 'local/my-shop-model');
    expect(Number(reloaded.cacheHits)).toBe(Number(data.texts));
    expect(asked.filter((p) => p.startsWith('/models/local/'))).toEqual([]);

    await page.getByRole('list', { name: 'Models installed in this browser' }).getByRole('button', { name: 'Remove' }).click();
    await expect(page.getByTestId('model-install-done')).toContainText('Removed local/my-shop-model');
    await expect(page.getByTestId('model-select').locator('option[value="local/my-shop-model"]')).toHaveCount(0);
  } finally {
    folder.cleanup();
  }
});

const BAD_FOLDERS: { name: string; change: (dir: string) => void; code: string; message: RegExp }[] = [
  {
    name: 'corrupted-model',
    // Cut the weights short: the JSON files are fine, ONNX Runtime cannot parse the rest.
    change: (dir) => truncateSync(join(dir, 'onnx', 'model_quantized.onnx'), Math.floor(statSync(join(dir, 'onnx', 'model_quantized.onnx')).size / 3)),
    code: 'model-corrupt',
    message: /corrupted-model was not installed: .*corrupted-model\/onnx\/model_quantized\.onnx is damaged or not an ONNX model/,
  },
  {
    name: 'wrong-layout-model',
    change: (dir) => renameSync(join(dir, 'onnx', 'model_quantized.onnx'), join(dir, 'onnx', 'model.onnx')),
    code: 'model-wrong-layout',
    message: /wrong-layout-model\/onnx\/model_quantized\.onnx is missing, but it has onnx\/model\.onnx \(dtype 'fp32'\)/,
  },
  {
    name: 'incomplete-model',
    change: (dir) => rmSync(join(dir, 'tokenizer.json')),
    code: 'model-file-missing',
    message: /"incomplete-model" is incomplete: tokenizer\.json is missing/,
  },
  {
    name: 'broken-json-model',
    change: (dir) => truncateSync(join(dir, 'tokenizer.json'), 1000),
    code: 'model-corrupt',
    message: /broken-json-model\/tokenizer\.json is damaged: it is not valid JSON/,
  },
];

test('damaged, wrongly laid-out and incomplete model folders are refused with a clear message', async ({ page }) => {
  await openWith(page, '');
  await encoded(page);
  for (const bad of BAD_FOLDERS) {
    const folder = modelFolder(bad.name, bad.change);
    try {
      expect(readdirSync(folder.dir).length).toBeGreaterThan(0);
      await page.getByTestId('model-folder-input').setInputFiles(folder.dir);
      const error = page.getByTestId('model-install-error');
      await expect(error).toHaveAttribute('data-code', bad.code, { timeout: ENCODE_TIMEOUT });
      await expect(error).toContainText(bad.message);
      // Nothing was kept, and the encoding on screen is untouched.
      await expect(page.getByTestId('model-select').locator(`option[value="local/${bad.name}"]`)).toHaveCount(0);
      await expect(encoder(page)).toHaveAttribute('data-state', 'done');
      await expect(encoder(page)).toHaveAttribute('data-kind', 'featurizer');
    } finally {
      folder.cleanup();
    }
  }
});

test('encoding can be cancelled and resumed from the cache; a new file cancels a running encode', async ({ page }) => {
  await openWith(page, `?model=${TINY}&device=wasm`);
  const progress = page.getByTestId('encode-progress');
  // The demo's 2,500 titles take the tiny model a few seconds: long enough to catch it running.
  await expect(progress).toBeVisible({ timeout: ENCODE_TIMEOUT });
  await expect(progress).toContainText(/items\/s/, { timeout: ENCODE_TIMEOUT });
  await page.getByTestId('encode-cancel').click();
  await expect(page.getByTestId('encode-cancelled')).toBeVisible();
  await expect(encoder(page)).toHaveAttribute('data-state', 'cancelled');
  await expect(progress).toHaveCount(0);

  await page.getByRole('button', { name: 'Encode again' }).click();
  const data = await encoded(page, TINY);
  // What was embedded before the cancel was kept.
  expect(Number(data.cacheHits)).toBeGreaterThan(0);

  // Journeys as text are new texts (seconds of work); open a new file while they are embedded.
  await page
    .getByTestId('encode-mode')
    .getByLabel(/Sequence as text/)
    .check();
  await expect(progress).toContainText(/items\/s/, { timeout: 10_000 });
  const lines = ['user_id,item_id,event_type,timestamp,title'];
  for (let i = 0; i < 60; i++) lines.push(`u${i % 7},i${i % 11},view,2021-01-01T00:${String(i).padStart(2, '0')}:00Z,Blue mug number ${i % 11}`);
  await upload(page, { name: 'mugs.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
  await expect(summary(page)).toHaveAttribute('data-file', 'mugs.csv', { timeout: ANALYSIS_TIMEOUT });
  const mugs = await encoded(page, TINY);
  expect(mugs.sequences).toBe((await summaryData(page)).sequences);
  // Still as text: one journey text per user of the new file.
  expect(mugs.mode).toBe('sequence-text');
  expect(Number(mugs.texts)).toBe(7);
});

test('the build serves ONNX Runtime from its own assets and names no remote host for models or wasm', async () => {
  // The build the web server serves (playwright.config.ts): vite.config.ts's build.outDir,
  // SEQLENS_OUT_DIR else dist/, which vite resolves from the project root.
  const root = fileURLToPath(new URL('..', import.meta.url));
  const assets = join(resolve(root, process.env.SEQLENS_OUT_DIR || 'dist'), 'assets');
  const code = readdirSync(assets).filter((f) => /\.(m?js)$/.test(f));
  expect(code.some((f) => f.startsWith('transformers.web'))).toBe(true);
  expect(readdirSync(assets).some((f) => /^ort-wasm-simd-threaded\.asyncify-.*\.wasm$/.test(f))).toBe(true);
  for (const f of code) {
    const text = readFileSync(join(assets, f), 'utf8');
    expect(text, f).not.toContain('cdn.jsdelivr.net');
    expect(text, f).not.toMatch(/remoteHost:\s*["'`]https?:/);
  }
});
