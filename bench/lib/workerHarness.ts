// What the browser halves of the benchmarks share: a bench worker (bench/lib/*Worker.ts) bundled
// with esbuild and served with a two-line page on a local origin (127.0.0.1 is a secure context,
// so WebGPU is allowed), headless Chromium with --enable-unsafe-webgpu that can reach nothing but
// that origin, the WebGPU adapter in words, and one case posted to the page's worker with a
// time limit.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from '@playwright/test';
import { chromium } from '@playwright/test';
import { CHROMIUM_PATH } from './browserIngest';

const page = (title: string): string => `<!doctype html><meta charset="utf-8"><title>${title}</title><script type="module">
const worker = new Worker('/worker.js', { type: 'module' });
let pending = null;
worker.onmessage = (e) => { const p = pending; pending = null; p && p.resolve(e.data); };
worker.onerror = (e) => { const p = pending; pending = null; p && p.resolve({ error: e.message || 'worker failed' }); };
window.__runCase = (c) => new Promise((resolve) => { pending = { resolve }; worker.postMessage(c); });
window.__ready = true;
</script>`;

export interface HarnessServer {
  origin: string;
  close(): Promise<void>;
}

async function bundle(entry: URL): Promise<string> {
  const bundled = await build({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return bundled.outputFiles[0].text;
}

/**
 * Bundles `workerEntry` and serves it as /worker.js under a page that runs cases in it; `extra`
 * maps more paths (e.g. '/helper.js') to entries bundled the same way, for workers that the
 * worker starts.
 */
export async function serveWorkerHarness(workerEntry: URL, title: string, extra: Record<string, URL> = {}): Promise<HarnessServer> {
  const scripts = new Map<string, string>([['/worker.js', await bundle(workerEntry)]]);
  for (const [path, entry] of Object.entries(extra)) scripts.set(path, await bundle(entry));
  const html = page(title);
  const server = createServer((req, res) => {
    const script = scripts.get(req.url ?? '');
    if (script !== undefined) {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(script);
    } else if (req.url === '/' || req.url === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(html);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function launchHarnessChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--enable-unsafe-webgpu',
      // Nothing may leave the machine: every host but the local server fails to resolve.
      '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost',
      '--disable-background-networking',
      ...extraArgs,
    ],
  });
}

/** Loads the harness page and waits until its worker can take cases. */
export async function openHarness(p: Page, origin: string): Promise<void> {
  await p.goto(`${origin}/`);
  await p.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true);
}

/** The adapter navigator.gpu gives a page, in words ('none' without WebGPU). */
export function adapterOf(p: Page): Promise<{ text: string; fallback: boolean }> {
  return p.evaluate(async () => {
    const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: Record<string, unknown> } | null> } }).gpu;
    const a = gpu ? await gpu.requestAdapter() : null;
    if (!a) return { text: 'none', fallback: false };
    const i = a.info ?? {};
    return { text: [i.vendor, i.architecture, i.description].filter(Boolean).join(' '), fallback: i.isFallbackAdapter === true };
  });
}

/** Posts a case to the page's worker; `{ error }` when it does not answer within timeoutMs. */
export async function runHarnessCase<R>(p: Page, c: unknown, timeoutMs: number): Promise<R | { error: string }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return (await Promise.race([
      p.evaluate((x) => (window as unknown as { __runCase(c: unknown): Promise<unknown> }).__runCase(x), c),
      new Promise((resolve) => (timer = setTimeout(() => resolve({ error: `timed out after ${timeoutMs / 1000} s` }), timeoutMs))),
    ])) as R | { error: string };
  } finally {
    clearTimeout(timer);
  }
}
