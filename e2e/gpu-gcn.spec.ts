// The GCN's WebGPU kernels (src/pipeline/gcn/gpu) against their CPU twins (src/pipeline/gcn/kernels,
// GcnModel), in real headless Chromium on the SwiftShader adapter (see e2e/gpu-kmeans.spec.ts for
// the setup notes). The harness (e2e/gpu/gcnHarness.ts) is bundled with esbuild and served on the
// app's origin through page.route, under the network guard of ./fixtures.
//
// Agreement is measured as max_i |gpu_i - cpu_i| / max(max_i |cpu_i|, 1e-6) (a relative
// infinity-norm error) and must stay below 1e-4; for the row kernels' y and dt it is taken row by
// row (each row against its own largest magnitude), because a row on the norm's EPS clamp has
// gradients scaled by 1e12 that would hide errors elsewhere under a global scale. Gradients are also checked against central
// finite differences of the GPU forward (step 1e-2, float32): |fd - g| / max(|g|, 0.1 max|G|, 1e-3) < 1e-2.
// Sizes are small because SwiftShader is slow.
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { build } from 'esbuild';
import type { gcnHarness as Harness, SpmmCase } from './gpu/gcnHarness';
import { expect, ORIGIN, test } from './fixtures';

const HARNESS_URL = `${ORIGIN}/__gcn-harness.html`;
const TOL = 1e-4;
const FD_TOL = 1e-2;
let bundled: string | null = null;

async function bundle(): Promise<string> {
  if (bundled) return bundled;
  const dir = fileURLToPath(new URL('./gpu/', import.meta.url));
  const result = await build({
    entryPoints: { harness: `${dir}gcnHarness.ts` },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    outdir: 'gcn-harness-out',
    logLevel: 'silent',
  });
  const file = result.outputFiles.find((f) => f.path.endsWith('harness.js'));
  if (!file) throw new Error('esbuild produced no harness.js');
  bundled = file.text;
  return bundled;
}

async function openHarness(page: Page): Promise<void> {
  const js = await bundle();
  await page.route(HARNESS_URL, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><meta charset="utf-8"><title>GCN GPU harness</title><script type="module" src="/__gcn-harness.js"></script>',
    }),
  );
  await page.route(`${ORIGIN}/__gcn-harness.js`, (route) => route.fulfill({ contentType: 'text/javascript', body: js }));
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(HARNESS_URL);
  await page
    .waitForFunction(() => globalThis.__gcnHarness !== undefined, undefined, { timeout: 20_000 })
    .catch(() => {
      throw new Error(`The harness did not start: ${errors.join('; ') || 'no page error'}`);
    });
}

/** Worst errors seen per metric, reported as an annotation (and on stdout) for the record. */
function tracker() {
  const worst: Record<string, number> = {};
  return {
    note(metrics: Record<string, number>) {
      for (const [k, v] of Object.entries(metrics)) worst[k] = Math.max(worst[k] ?? 0, v);
    },
    report() {
      const text = Object.entries(worst)
        .map(([k, v]) => `${k}=${v.toExponential(2)}`)
        .join(' ');
      test.info().annotations.push({ type: 'worst errors', description: text });
      console.log(`${test.info().title}: worst ${text}`);
    },
  };
}

type H = typeof Harness;
function call<K extends keyof H>(page: Page, name: K, ...args: Parameters<H[K]>): Promise<Awaited<ReturnType<H[K]>>> {
  return page.evaluate(([n, a]) => (globalThis.__gcnHarness as unknown as Record<string, (...x: unknown[]) => Promise<unknown>>)[n](...a), [name, args] as [
    string,
    unknown[],
  ]) as Promise<Awaited<ReturnType<H[K]>>>;
}

test.describe('WebGPU GCN kernels vs their CPU twins', () => {
  test.describe.configure({ timeout: 300_000 });

  test('WebGPU really runs here: navigator.gpu, an adapter and a device', async ({ page }) => {
    await openHarness(page);
    const info = await call(page, 'info');
    expect(info.hasNavigatorGpu).toBe(true);
    test.info().annotations.push({ type: 'adapter', description: JSON.stringify(info.adapter) });
    expect(info.adapter.vendor + info.adapter.architecture).not.toBe('');
    expect(info.stats.dispatches).toBe(0);
  });

  test('spmm and its transpose product match the CPU; gradients match finite differences', async ({ page }) => {
    await openHarness(page);
    const cases: SpmmCase[] = [];
    let seed = 1;
    for (const rows of [1, 63, 65, 257])
      for (const h of [1, 3, 17, 64]) cases.push({ rows, cols: rows === 1 ? 5 : rows + 10, h, seed: seed++, degree: 4, emptyEvery: rows > 1 ? 5 : 0 });
    // One row with thousands of entries (and, transposed, thousands of rows with one entry each).
    cases.push({ rows: 65, cols: 3000, h: 17, seed: 99, degree: 3, emptyEvery: 4, heavyRow: 7, heavyDegree: 3000 });
    cases.push({ rows: 2, cols: 2500, h: 3, seed: 98, degree: 0, heavyRow: 1, heavyDegree: 2500 });
    // A 2-D workgroup grid (257 x 17 elements = 69 workgroups on a grid at most 9 wide).
    cases.push({ rows: 257, cols: 200, h: 17, seed: 97, degree: 5, emptyEvery: 3, maxWorkgroupsPerDimension: 9 });
    let before = 0;
    const t = tracker();
    for (const c of cases) {
      const label = JSON.stringify(c);
      const r = await call(page, 'spmmCase', c);
      t.note({ forward: r.forwardRel, transpose: r.backwardRel, fd: r.fdWorst });
      expect(r.forwardRel, label).toBeLessThan(TOL);
      expect(r.backwardRel, label).toBeLessThan(TOL);
      expect(r.fdChecked, label).toBeGreaterThan(0);
      expect(r.fdWorst, label).toBeLessThan(FD_TOL);
      if (c.emptyEvery) expect(r.emptyRows, label).toBeGreaterThan(0);
      if (c.heavyDegree) expect(r.maxRowLength, label).toBe(c.heavyDegree);
      // The kernels were really dispatched: forward, transpose, and the FD forwards.
      if (c.maxWorkgroupsPerDimension) expect(r.stats.byKernel.spmm, label).toBe(2 + 2 * r.fdChecked);
      else {
        expect(r.stats.byKernel.spmm - before, label).toBe(2 + 2 * r.fdChecked);
        before = r.stats.byKernel.spmm;
      }
    }
    t.report();
  });

  test('bias + activation + L2 norm, forward and backward, match activation.ts and finite differences', async ({ page }) => {
    await openHarness(page);
    let seed = 100;
    const t = tracker();
    for (const act of ['none', 'relu', 'leakyRelu', 'tanh'] as const)
      for (const normalize of [true, false])
        for (const [n, d] of [
          [1, 1],
          [63, 3],
          [65, 17],
          [257, 64],
        ]) {
          const c = { n, d, act, normalize, seed: seed++ };
          const label = JSON.stringify(c);
          const r = await call(page, 'actCase', c);
          t.note({ y: r.yRel, norms: r.normsRel, dt: r.dtRel, dBias: r.dBiasRel, dBiasSmooth: r.dBiasRelSmooth, fdT: r.fdWorstT, fdBias: r.fdWorstBias });
          expect(r.yRel, label).toBeLessThan(TOL);
          expect(r.normsRel, label).toBeLessThan(TOL);
          expect(r.dtRel, label).toBeLessThan(TOL);
          expect(r.dBiasRel, label).toBeLessThan(TOL);
          expect(r.dBiasRelSmooth, label).toBeLessThan(TOL);
          expect(r.fdWorstT, label).toBeLessThan(FD_TOL);
          expect(r.fdWorstBias, label).toBeLessThan(FD_TOL);
          if (n * d > 1) expect(r.fdChecked, label).toBeGreaterThan(0);
          expect(r.stats.byKernel.biasActNorm, label).toBeGreaterThan(0);
          expect(r.stats.byKernel.biasActNormBackward, label).toBeGreaterThan(0);
          expect(r.stats.byKernel.columnSums, label).toBeGreaterThan(0);
        }
    t.report();
  });

  test('a lost device is reported as GpuUnavailableError(device-lost)', async ({ page }) => {
    await openHarness(page);
    const r = await call(page, 'deviceLossCase');
    expect(r.errorName).toBe('GpuUnavailableError');
    expect(r.reason).toBe('device-lost');
    expect(r.message).toMatch(/lost/);
  });

  test('layer combine and the LightGCN propagation match GcnModel.forward and backward', async ({ page }) => {
    await openHarness(page);
    const t = tracker();
    for (const [len, alpha] of [
      [1, 0.5],
      [65, 1 / 3],
      [257 * 17, 0.25],
    ]) {
      const r = await call(page, 'combineCase', len, alpha, len);
      t.note({ scale: r.scaleRel, axpy: r.axpyRel });
      expect(r.scaleRel).toBeLessThan(TOL);
      expect(r.axpyRel).toBeLessThan(TOL);
    }
    for (const c of [
      { n: 63, h: 3, layers: 1, combine: 'mean' as const, seed: 1 },
      { n: 257, h: 17, layers: 3, combine: 'mean' as const, seed: 2 },
      { n: 65, h: 64, layers: 2, combine: 'last' as const, seed: 3 },
      { n: 65, h: 8, layers: 0, combine: 'mean' as const, seed: 4 },
    ]) {
      const r = await call(page, 'lightgcnCase', c);
      t.note({ lightgcn: r.rel, lightgcnBackward: r.backwardRel });
      expect(r.rel, JSON.stringify(c)).toBeLessThan(TOL);
      expect(r.backwardRel, JSON.stringify(c)).toBeLessThan(TOL);
      expect(r.hubDegree).toBeGreaterThan(c.n / 2);
      expect(r.stats.byKernel.combine).toBeGreaterThan(0);
    }
    t.report();
  });
});
