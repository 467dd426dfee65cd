// The behaviour BERT (src/pipeline/seqbert) in real headless Chromium: on the WebGPU backend
// (SwiftShader here; see e2e/gpu-kmeans.spec.ts for the setup notes) against the same trained
// model's embeddings on the cpu backend, and on the wasm backend with its .wasm files fetched from
// our own origin (the build's tfjs-wasm/ folder, vite.config.ts). The harness (e2e/seqbert/) is
// bundled with esbuild and served on the app's origin through page.route, with the headers the
// preview server sends (cross-origin isolation included), under the network guard of ./fixtures.
// Sizes are tiny: SwiftShader compiles each shader in about a second.
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { build } from 'esbuild';
import type { seqbertHarness as Harness } from './seqbert/seqbertHarness';
import { expect, ORIGIN, test } from './fixtures';

const HARNESS_URL = `${ORIGIN}/__seqbert-harness.html`;
/** About 30 behaviour sequences. */
const USERS = 30;
const HIDDEN = 16;
let bundled: { page: string; worker: string } | null = null;

async function bundle(): Promise<{ page: string; worker: string }> {
  if (bundled) return bundled;
  const dir = fileURLToPath(new URL('./seqbert/', import.meta.url));
  const result = await build({
    entryPoints: { harness: `${dir}seqbertHarness.ts`, worker: `${dir}seqbertWorker.ts` },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    outdir: 'seqbert-harness-out',
    // What Vite replaces in the app build; the preview serves the app at the root.
    define: { 'import.meta.env.BASE_URL': '"/"' },
    logLevel: 'silent',
  });
  const text = (name: string) => {
    const file = result.outputFiles.find((f) => f.path.endsWith(`${name}.js`));
    if (!file) throw new Error(`esbuild produced no ${name}.js`);
    return file.text;
  };
  bundled = { page: text('harness'), worker: text('worker') };
  return bundled;
}

/** The cross-origin isolation headers the preview server sends with the app's page. */
async function isolationHeaders(page: Page): Promise<Record<string, string>> {
  const res = await page.request.get(`${ORIGIN}/`);
  const h = res.headers();
  return { 'cross-origin-opener-policy': h['cross-origin-opener-policy'] ?? '', 'cross-origin-embedder-policy': h['cross-origin-embedder-policy'] ?? '' };
}

async function openHarness(page: Page): Promise<void> {
  const { page: js, worker } = await bundle();
  const headers = await isolationHeaders(page);
  await page.route(HARNESS_URL, (route) =>
    route.fulfill({
      contentType: 'text/html',
      headers,
      body: '<!doctype html><meta charset="utf-8"><title>Behaviour BERT harness</title><script type="module" src="/__seqbert-harness.js"></script>',
    }),
  );
  await page.route(`${ORIGIN}/__seqbert-harness.js`, (route) => route.fulfill({ contentType: 'text/javascript', headers, body: js }));
  await page.route(`${ORIGIN}/__seqbert-harness-worker.js`, (route) => route.fulfill({ contentType: 'text/javascript', headers, body: worker }));
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(HARNESS_URL);
  await page
    .waitForFunction(() => globalThis.__seqbertHarness !== undefined, undefined, { timeout: 20_000 })
    .catch(() => {
      throw new Error(`The harness did not start: ${errors.join('; ') || 'no page error'}`);
    });
}

type H = typeof Harness;
function call<K extends keyof H>(page: Page, name: K, ...args: Parameters<H[K]>): Promise<Awaited<ReturnType<H[K]>>> {
  return page.evaluate(([n, a]) => (globalThis.__seqbertHarness as unknown as Record<string, (...x: unknown[]) => Promise<unknown>>)[n](...a), [name, args] as [
    string,
    unknown[],
  ]) as Promise<Awaited<ReturnType<H[K]>>>;
}

test.describe('behaviour BERT in the browser', () => {
  test.describe.configure({ timeout: 300_000 });

  test('the preview server makes the page cross-origin isolated', async ({ page }) => {
    const h = await isolationHeaders(page);
    expect(h['cross-origin-opener-policy']).toBe('same-origin');
    expect(h['cross-origin-embedder-policy']).toMatch(/^(require-corp|credentialless)$/);
    await page.goto('/');
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  });

  test('WebGPU: a tiny BERT trains and embeds on webgpu, and matches its CPU twin', async ({ page }) => {
    await openHarness(page);
    const r = await call(page, 'webgpuCase', USERS);
    test
      .info()
      .annotations.push({ type: 'webgpu', description: JSON.stringify({ seconds: r.seconds, loss: r.loss, cosine: r.cosine, sequences: r.sequences }) });
    expect(r.started).toBe('webgpu');
    expect(r.reportBackend).toBe('webgpu');
    expect(r.runningAfterEmbed).toBe('webgpu');
    expect(r.loss.length).toBe(1);
    expect(Number.isFinite(r.loss[0])).toBe(true);
    expect(r.sequences).toBeGreaterThanOrEqual(USERS * 0.8);
    expect(r.dims).toBe(HIDDEN);
    expect(r.vectorsLength).toBe(r.sequences * HIDDEN);
    expect(r.finiteValues).toBe(r.vectorsLength);
    expect(r.zeroRows).toBeLessThan(r.sequences);
    // The CPU twin: the same weights on the cpu backend give the same sequence vectors.
    expect(r.cpuBackend).toBe('cpu/cpu');
    expect(r.cpuFiniteValues).toBe(r.vectorsLength);
    expect(r.zeroRowMismatch).toBe(0);
    expect(r.cosine.min).toBeGreaterThan(0.99);
  });

  test('wasm: the .wasm files come from our own origin and the backend reports wasm', async ({ page }) => {
    const requested: string[] = [];
    page.on('request', (req) => requested.push(req.url()));
    await openHarness(page);
    const r = await call(page, 'wasmCase', USERS);
    test.info().annotations.push({ type: 'wasm', description: JSON.stringify({ seconds: r.seconds, loss: r.loss, multithread: r.multithread, simd: r.simd }) });
    expect(r.wasmPaths).toBe(`${ORIGIN}/tfjs-wasm/`);
    expect(r.started).toBe('wasm');
    expect(r.reportBackend).toBe('wasm');
    expect(r.runningAfterEmbed).toBe('wasm');
    expect(Number.isFinite(r.loss[0])).toBe(true);
    expect(r.vectorsLength).toBe(r.sequences * HIDDEN);
    expect(r.finiteValues).toBe(r.vectorsLength);

    const wasm = requested.filter((u) => new URL(u).pathname.endsWith('.wasm'));
    expect(wasm.length).toBeGreaterThan(0);
    for (const u of wasm) expect(u.startsWith(`${ORIGIN}/tfjs-wasm/tfjs-backend-wasm`), u).toBe(true);
    // The module tfjs picked for this page: threaded where the page is isolated and allows it.
    const expected = r.multithread && r.simd ? 'tfjs-backend-wasm-threaded-simd.wasm' : r.simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
    expect(wasm.map((u) => new URL(u).pathname.split('/').pop())).toContain(expected);
    expect(r.crossOriginIsolated).toBe(true);
    // No other host, and nothing but http(s) to 127.0.0.1 besides data:/blob: URLs.
    for (const u of requested) {
      if (u.startsWith('blob:') || u.startsWith('data:')) continue;
      expect(new URL(u).hostname, u).toBe('127.0.0.1');
    }
  });

  test('wasm in a dedicated worker (where the app trains): same files, same origin, reports wasm', async ({ page }) => {
    const requested: string[] = [];
    page.context().on('request', (req) => requested.push(req.url()));
    await openHarness(page);
    const { report: r, error } = await call(page, 'workerWasmCase', USERS);
    expect(error).toBeNull();
    if (!r) throw new Error('no report');
    test.info().annotations.push({
      type: 'wasm-worker',
      description: JSON.stringify({ seconds: r.seconds, loss: r.loss, multithread: r.multithread, isolated: r.crossOriginIsolated }),
    });
    expect(r.wasmPaths).toBe(`${ORIGIN}/tfjs-wasm/`);
    expect(r.started).toBe('wasm');
    expect(r.reportBackend).toBe('wasm');
    expect(Number.isFinite(r.loss[0])).toBe(true);
    expect(r.finiteValues).toBe(r.sequences * HIDDEN);
    expect(r.crossOriginIsolated).toBe(true);
    const wasm = requested.filter((u) => u.endsWith('.wasm'));
    expect(wasm.length).toBeGreaterThan(0);
    for (const u of wasm) expect(u.startsWith(`${ORIGIN}/tfjs-wasm/`), u).toBe(true);
  });
});
