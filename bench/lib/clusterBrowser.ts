// The browser half of bench/cluster.ts: bundles bench/lib/clusterWorker.ts with esbuild (as
// e2e/gpu-kmeans.spec.ts does with its harness), serves it with a two-line page on a local origin
// (127.0.0.1 is a secure context, so WebGPU is allowed), and drives headless Chromium with
// --enable-unsafe-webgpu through playwright-core. Every case runs in the page's dedicated worker,
// where the app's analysis worker runs its sweep; times are taken there with performance.now().
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from '@playwright/test';
import { chromium } from '@playwright/test';
import type { BrowserClusterCase, BrowserClusterResult } from './clusterWorker';
import { CHROMIUM_PATH } from './browserIngest';

const PAGE = `<!doctype html><meta charset="utf-8"><title>cluster bench</title><script type="module">
const worker = new Worker('/worker.js', { type: 'module' });
let pending = null;
worker.onmessage = (e) => { const p = pending; pending = null; p && p.resolve(e.data); };
worker.onerror = (e) => { const p = pending; pending = null; p && p.resolve({ error: e.message || 'worker failed' }); };
window.__runCase = (c) => new Promise((resolve) => { pending = { resolve }; worker.postMessage(c); });
window.__ready = true;
</script>`;

async function bundleWorker(): Promise<string> {
  const entry = fileURLToPath(new URL('./clusterWorker.ts', import.meta.url));
  const result = await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent' });
  return result.outputFiles[0].text;
}

export interface ClusterBrowser {
  version: string;
  adapter: string;
  run(c: BrowserClusterCase, timeoutMs: number): Promise<BrowserClusterResult>;
  close(): Promise<void>;
}

export async function openClusterBrowser(): Promise<ClusterBrowser> {
  const workerJs = await bundleWorker();
  const server: Server = createServer((req, res) => {
    if (req.url === '/worker.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(workerJs);
    } else if (req.url === '/' || req.url === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(PAGE);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost', '--disable-background-networking'],
  });
  let page: Page = await browser.newPage();
  const open = async () => {
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true);
  };
  await open();
  const adapter = await page.evaluate(async () => {
    const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: Record<string, unknown> } | null> } }).gpu;
    const a = gpu ? await gpu.requestAdapter() : null;
    if (!a) return 'none';
    const i = a.info ?? {};
    return `${[i.vendor, i.architecture, i.description].filter(Boolean).join(' ')}${i.isFallbackAdapter ? ' (fallback/software adapter)' : ''}`;
  });
  return {
    version: browser.version(),
    adapter,
    async run(c, timeoutMs) {
      const result = (await Promise.race([
        page.evaluate((x) => (window as unknown as { __runCase(c: unknown): Promise<unknown> }).__runCase(x), c),
        new Promise((resolve) => setTimeout(() => resolve({ error: `timed out after ${timeoutMs / 1000} s` }), timeoutMs)),
      ])) as BrowserClusterResult & { error: string | null };
      if (result.error && result.seconds === undefined) {
        // A stuck or crashed worker: start over with a fresh page for the next case.
        await page.close().catch(() => {});
        page = await browser.newPage();
        await open();
      }
      return result;
    },
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
