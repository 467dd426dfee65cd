// The WebGPU k-means kernel (src/pipeline/cluster/gpu/) against its CPU twin (assignStep),
// in real headless Chromium. Independent of the app's UI: a small harness (e2e/gpu/) is bundled
// here with esbuild and served on the app's origin through page.route, so WebGPU gets a secure
// context and the network guard of ./fixtures still sees every request.
//
// WebGPU in this headless Chromium (Debian 156, no GPU) runs on the SwiftShader fallback adapter
// with only the config's `--enable-unsafe-webgpu`; no further flag is needed (checked: adding
// --enable-features=Vulkan, --use-angle=swiftshader, --use-webgpu-adapter=swiftshader or
// --enable-unsafe-swiftshader changes nothing; without --enable-unsafe-webgpu there is no adapter).
// SwiftShader compiles shaders slowly (seconds), so the sizes here stay small.
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { build } from 'esbuild';
import type { AssignCase, AssignReport, harness as Harness } from './gpu/kmeansHarness';
import { expect, ORIGIN, test } from './fixtures';

const HARNESS_URL = `${ORIGIN}/__gpu-harness.html`;
let bundles: { page: string; worker: string } | null = null;

async function bundle(): Promise<{ page: string; worker: string }> {
  if (bundles) return bundles;
  const dir = fileURLToPath(new URL('./gpu/', import.meta.url));
  const result = await build({
    entryPoints: { harness: `${dir}kmeansHarness.ts`, worker: `${dir}kmeansWorker.ts` },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    outdir: 'gpu-harness-out',
    logLevel: 'silent',
  });
  const text = (name: string) => {
    const file = result.outputFiles.find((f) => f.path.endsWith(`${name}.js`));
    if (!file) throw new Error(`esbuild produced no ${name}.js`);
    return file.text;
  };
  bundles = { page: text('harness'), worker: text('worker') };
  return bundles;
}

async function openHarness(page: Page): Promise<void> {
  const { page: pageJs, worker: workerJs } = await bundle();
  await page.route(HARNESS_URL, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><meta charset="utf-8"><title>GPU harness</title><script type="module" src="/__gpu-harness.js"></script>',
    }),
  );
  await page.route(`${ORIGIN}/__gpu-harness.js`, (route) => route.fulfill({ contentType: 'text/javascript', body: pageJs }));
  await page.route(`${ORIGIN}/__gpu-harness-worker.js`, (route) => route.fulfill({ contentType: 'text/javascript', body: workerJs }));
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(HARNESS_URL);
  await page
    .waitForFunction(() => globalThis.__gpuHarness !== undefined, undefined, { timeout: 20_000 })
    .catch(() => {
      throw new Error(`The harness did not start: ${errors.join('; ') || 'no page error'}`);
    });
}

type H = typeof Harness;
function call<K extends keyof H>(page: Page, name: K, ...args: Parameters<H[K]>): Promise<Awaited<ReturnType<H[K]>>> {
  return page.evaluate(([n, a]) => (globalThis.__gpuHarness as unknown as Record<string, (...x: unknown[]) => Promise<unknown>>)[n](...a), [name, args] as [
    string,
    unknown[],
  ]) as Promise<Awaited<ReturnType<H[K]>>>;
}

/** The checks every assignment case must pass; `exact` when sums are accumulated on the CPU. */
function expectMatchesCpu(r: AssignReport, c: AssignCase): void {
  const label = `${c.data} n=${c.n} d=${c.d} k=${c.k} ${JSON.stringify(c.options ?? {})}`;
  // It really ran on the GPU, once.
  expect(r.backend, label).toBe('webgpu');
  expect(r.stats.passes, label).toBe(1);
  // Labels: identical after the host's float64 re-check, and the kernel's own unflagged labels
  // already right (so the re-check is not hiding a broken kernel).
  expect(r.labelMismatches, label).toBe(0);
  expect(r.unflaggedRawMismatches, label).toBe(0);
  expect(r.flagged, label).toBe(r.stats.flaggedLast);
  expect(r.countsEqual, label).toBe(true);
  expect(r.distMaxRelError, label).toBeLessThan(1e-4);
  const rel = Math.abs(r.inertiaGpu - r.inertiaCpu) / Math.max(r.inertiaCpu, 1e-300);
  if (r.stats.sums === 'cpu') {
    expect(r.sumsIdentical, label).toBe(true);
    expect(r.inertiaGpu, label).toBe(r.inertiaCpu);
  } else {
    expect(r.sumsMaxRelError, label).toBeLessThan(1e-4);
    expect(rel, label).toBeLessThan(1e-4);
  }
}

test.describe('WebGPU k-means kernel vs its CPU twin', () => {
  test.describe.configure({ timeout: 180_000 });

  test('WebGPU really runs here: navigator.gpu, an adapter and a device', async ({ page }) => {
    await openHarness(page);
    const info = await call(page, 'info');
    expect(info.hasNavigatorGpu).toBe(true);
    // Which adapter it is (SwiftShader here) goes to the report; a real GPU would do as well.
    test.info().annotations.push({ type: 'adapter', description: JSON.stringify(info.adapter) });
    expect(info.adapter.vendor + info.adapter.architecture).not.toBe('');
    expect(info.limits.maxComputeWorkgroupsPerDimension).toBeGreaterThanOrEqual(65535);
    expect(info.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 << 20);
  });

  test('assignment: labels, counts, sums and inertia match assignStep', async ({ page }) => {
    await openHarness(page);
    const cases: AssignCase[] = [
      { data: 'random', n: 1000, d: 1, k: 3, seed: 1 },
      { data: 'random', n: 777, d: 3, k: 5, seed: 2 },
      { data: 'random', n: 2049, d: 17, k: 11, seed: 3 },
      { data: 'random', n: 500, d: 8, k: 1, seed: 4 },
      { data: 'random', n: 3001, d: 5, k: 64, seed: 5 },
      { data: 'random', n: 4000, d: 32, k: 10, seed: 6 },
      // Many chunks and a 2-D workgroup grid, forced with small limits.
      { data: 'random', n: 1500, d: 6, k: 7, seed: 7, options: { maxChunkRows: 256, maxWorkgroupsPerDimension: 2 } },
    ];
    for (const c of cases) {
      const r = await call(page, 'assignCase', c);
      expectMatchesCpu(r, c);
      // Random data has few near ties: the float32 kernel decides almost every point itself.
      expect(r.flagged / c.n, `${c.n}x${c.d} k=${c.k}`).toBeLessThan(0.05);
      if (c.options?.maxChunkRows) expect(r.stats.chunks).toBe(Math.ceil(c.n / c.options.maxChunkRows));
    }
  });

  test('assignment: duplicate points and exact distance ties go to the lowest centre, like assignStep', async ({ page }) => {
    await openHarness(page);
    for (const c of [
      { data: 'duplicates', n: 600, d: 4, k: 8, seed: 8 },
      { data: 'ties', n: 400, d: 2, k: 6, seed: 9 },
      { data: 'ties', n: 301, d: 5, k: 4, seed: 10, options: { sums: 'gpu' } },
    ] as AssignCase[]) {
      const r = await call(page, 'assignCase', c);
      expectMatchesCpu(r, c);
      expect(r.flagged, 'exact ties must be flagged for the float64 re-check').toBeGreaterThan(0);
    }
  });

  test('assignment with partial sums on the GPU stays within 1e-4 of assignStep', async ({ page }) => {
    await openHarness(page);
    for (const c of [
      { data: 'random', n: 3000, d: 17, k: 12, seed: 11, options: { sums: 'gpu', partialBudgetBytes: 4096 } },
      { data: 'random', n: 2500, d: 3, k: 64, seed: 12, options: { sums: 'gpu', maxChunkRows: 1000 } },
      { data: 'random', n: 999, d: 1, k: 2, seed: 13, options: { sums: 'gpu' } },
    ] as AssignCase[]) {
      const r = await call(page, 'assignCase', c);
      expect(r.stats.sums).toBe('gpu');
      expectMatchesCpu(r, c);
    }
  });

  test('kmeansAsync on the GPU reaches the CPU result', async ({ page }) => {
    await openHarness(page);
    const exact = await call(page, 'kmeansCase', { n: 2000, d: 8, k: 5, blobs: 5, seed: 3, sums: 'cpu' });
    expect(exact.path).toBe('gpu');
    expect(exact.fallbackReason).toBeNull();
    expect(exact.assignPasses).toBeGreaterThan(2);
    expect(exact.gpuPasses).toBe(exact.assignPasses);
    expect(exact.labelsIdentical).toBe(true);
    expect(Math.abs(exact.inertiaGpu - exact.inertiaCpu) / exact.inertiaCpu).toBeLessThan(1e-12);

    const fast = await call(page, 'kmeansCase', { n: 2000, d: 8, k: 5, blobs: 5, seed: 3, sums: 'gpu' });
    expect(fast.path).toBe('gpu');
    expect(Math.abs(fast.inertiaGpu - fast.inertiaCpu) / fast.inertiaCpu).toBeLessThan(1e-4);
    expect(fast.ari).toBeGreaterThan(0.99);

    const mini = await call(page, 'kmeansCase', { n: 3000, d: 4, k: 4, blobs: 4, seed: 5, sums: 'cpu', algorithm: 'minibatch' });
    expect(mini.path).toBe('gpu');
    expect(mini.assignPasses).toBe(1);
    expect(mini.labelsIdentical).toBe(true);
    expect(mini.inertiaGpu).toBe(mini.inertiaCpu);
  });

  test('the K sweep runs on the GPU and finds the same clusterings', async ({ page }) => {
    await openHarness(page);
    const r = await call(page, 'sweepCase', { n: 600, d: 4, blobs: 3, kMax: 5 });
    expect(r.path).toBe('gpu');
    expect(r.gpuPasses).toBeGreaterThan(4 * 2);
    expect(r.sameAsCpu).toBe(true);
    expect(r.suggested).toBe(3);
  });

  test('the kernel runs in a dedicated worker too', async ({ page }) => {
    await openHarness(page);
    const c: AssignCase = { data: 'random', n: 700, d: 5, k: 6, seed: 14 };
    const r = await call(page, 'workerCase', c);
    expect(r.error).toBeNull();
    expect(r.adapter).not.toBeNull();
    expectMatchesCpu(r.report as AssignReport, c);
  });

  test('a lost device is reported as such and k-means falls back to the CPU', async ({ page }) => {
    await openHarness(page);
    const r = await call(page, 'deviceLossCase');
    expect(r.errorName).toBe('GpuUnavailableError');
    expect(r.reason).toBe('device-lost');
    expect(r.message).toMatch(/lost/);
    expect(r.fallbackPath).toBe('cpu');
    expect(r.fallbackReason).toMatch(/lost/);
  });
});
