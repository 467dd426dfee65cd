// The browser half of bench/gcn.ts, set up as bench/lib/clusterBrowser.ts sets up the clustering
// bench: bundles bench/lib/gcnBrowserWorker.ts with esbuild, serves it with a two-line page on a
// local origin (127.0.0.1 is a secure context, so WebGPU is allowed) and drives headless Chromium
// with --enable-unsafe-webgpu through playwright-core. Every case trains in the page's dedicated
// worker, as the app's analysis worker does; epoch times are taken there by trainGcn.
//
// Each case gets a browser context of its own, hence a renderer process of its own (Chromium
// never shares renderers across contexts), so the renderer's VmHWM is that case's peak. The GPU
// process (where SwiftShader runs the kernels and keeps the buffers) is shared by every case; its
// RSS is sampled during a case and reported as the rise over its level at the case's start.
import type { Browser, BrowserContext, CDPSession, Page } from '@playwright/test';
import { procMemory, startSampler, totalRss } from './memory';
import type { BrowserGcnCase, BrowserGcnResult } from './gcnBrowserWorker';
import { adapterOf, launchHarnessChromium, openHarness, runHarnessCase, serveWorkerHarness } from './workerHarness';

export interface BrowserGcnMeasured extends BrowserGcnResult {
  /** Peak RSS of the case's renderer (page + worker): max of 50 ms samples and VmHWM. */
  rendererPeak: number;
  /** The renderer's RSS when the case was posted (page and idle worker loaded). */
  rendererBase: number;
  /** Highest used V8 heap of the worker, sampled every 100 ms over CDP (NaN if no sample came). */
  workerHeapPeak: number;
  /** Rise of the shared GPU process's RSS during the case (sampled), over its level at the start. */
  gpuProcessRise: number;
  /** Wall time of the whole case as seen from Node (graph build and device setup included). */
  wallMs: number;
}

export type BrowserGcnOutcome = BrowserGcnMeasured | { name: string; path: string; error: string };

export interface GcnBrowser {
  version: string;
  /** The adapter navigator.gpu gives a page, in words ('none' without WebGPU). */
  adapter: string;
  isFallbackAdapter: boolean;
  run(c: BrowserGcnCase, timeoutMs: number): Promise<BrowserGcnOutcome>;
  close(): Promise<void>;
}

/**
 * Samples the dedicated worker's V8 heap (Runtime.getHeapUsage: used size plus ArrayBuffer backing stores) through the page's CDP
 * session: performance.memory does not exist in workers. The inspector answers between the
 * worker's tasks and at V8 interrupts, so long synchronous stretches are sampled too, if sparsely.
 */
async function sampleWorkerHeap(page: Page, intervalMs: number): Promise<{ stop(): Promise<number> }> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  let worker: string | null = null;
  let nextId = 1;
  let peak = Number.NaN;
  let inFlight = false;
  cdp.on('Target.attachedToTarget', (e: { sessionId: string; targetInfo: { type: string } }) => {
    if (e.targetInfo.type === 'worker') worker = e.sessionId;
  });
  cdp.on('Target.receivedMessageFromTarget', (e: { message: string }) => {
    const m = JSON.parse(e.message) as { result?: { usedSize?: number; backingStorageSize?: number } };
    if (m.result?.usedSize !== undefined) {
      // Typed arrays live outside the V8 heap: their backing stores are most of what training holds.
      const used = m.result.usedSize + (m.result.backingStorageSize ?? 0);
      peak = Number.isNaN(peak) ? used : Math.max(peak, used);
      inFlight = false;
    }
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  const tick = () => {
    if (!worker || inFlight) return;
    inFlight = true;
    cdp
      .send('Target.sendMessageToTarget', { sessionId: worker, message: JSON.stringify({ id: nextId++, method: 'Runtime.getHeapUsage' }) })
      .catch(() => (inFlight = false));
  };
  const timer = setInterval(tick, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await cdp.detach().catch(() => {});
      return peak;
    },
  };
}

async function processes(browser: Browser): Promise<{ renderers: number[]; gpu: number[] }> {
  const cdp = await browser.newBrowserCDPSession();
  try {
    const info = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
    const of = (type: string) => info.processInfo.filter((p) => p.type.toLowerCase() === type.toLowerCase() && p.id > 0).map((p) => p.id);
    return { renderers: of('renderer'), gpu: of('GPU') };
  } finally {
    await cdp.detach();
  }
}

export async function openGcnBrowser(): Promise<GcnBrowser> {
  const server = await serveWorkerHarness(new URL('./gcnBrowserWorker.ts', import.meta.url), 'gcn bench');
  // Unquantised performance.memory, read by the worker after each epoch.
  const browser = await launchHarnessChromium(['--enable-precise-memory-info']);
  const open = async (): Promise<BrowserContext> => {
    const context = await browser.newContext();
    await openHarness(await context.newPage(), server.origin);
    return context;
  };
  const probe = await open();
  const adapterInfo = await adapterOf(probe.pages()[0]);
  await probe.close();
  return {
    version: browser.version(),
    adapter: adapterInfo.text,
    isFallbackAdapter: adapterInfo.fallback,
    async run(c, timeoutMs) {
      const context = await open();
      try {
        const page = context.pages()[0];
        const pids = await processes(browser);
        const gpuBase = totalRss(pids.gpu);
        const rendererBase = totalRss(pids.renderers);
        const heap = await sampleWorkerHeap(page, 100);
        const renderers = startSampler(() => totalRss(pids.renderers), 50);
        const gpuProcess = startSampler(() => totalRss(pids.gpu), 50);
        const t0 = performance.now();
        const result = await runHarnessCase<BrowserGcnResult>(page, c, timeoutMs);
        const wallMs = performance.now() - t0;
        const rendererSampled = renderers.stop();
        const gpuPeak = gpuProcess.stop();
        const workerHeapPeak = await heap.stop();
        const hwm = pids.renderers.reduce((s, pid) => s + (procMemory(pid)?.hwm ?? 0), 0);
        if (result.error !== null) return { name: c.name, path: c.path, error: result.error };
        return { ...result, workerHeapPeak, rendererPeak: Math.max(rendererSampled, hwm), rendererBase, gpuProcessRise: gpuPeak - gpuBase, wallMs };
      } finally {
        // Closing the context ends its renderer, and with it a worker stuck on a timed-out case.
        await context.close().catch(() => {});
      }
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
