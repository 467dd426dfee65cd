// The browser half of bench/cluster.ts: bundles bench/lib/clusterWorker.ts with esbuild (as
// e2e/gpu-kmeans.spec.ts does with its harness), serves it with a two-line page on a local origin
// (127.0.0.1 is a secure context, so WebGPU is allowed), and drives headless Chromium with
// --enable-unsafe-webgpu through playwright-core. Every case runs in the page's dedicated worker,
// where the app's analysis worker runs its sweep; times are taken there with performance.now().
import type { Page } from '@playwright/test';
import type { BrowserClusterCase, BrowserClusterResult } from './clusterWorker';
import { adapterOf, launchHarnessChromium, openHarness, runHarnessCase, serveWorkerHarness } from './workerHarness';

export interface ClusterBrowser {
  version: string;
  adapter: string;
  run(c: BrowserClusterCase, timeoutMs: number): Promise<BrowserClusterResult>;
  close(): Promise<void>;
}

export async function openClusterBrowser(): Promise<ClusterBrowser> {
  const server = await serveWorkerHarness(new URL('./clusterWorker.ts', import.meta.url), 'cluster bench', {
    '/helper.js': new URL('../../src/worker/helper.worker.ts', import.meta.url),
  });
  const browser = await launchHarnessChromium();
  let page: Page = await browser.newPage();
  await openHarness(page, server.origin);
  const a = await adapterOf(page);
  return {
    version: browser.version(),
    adapter: a.text === 'none' ? 'none' : `${a.text}${a.fallback ? ' (fallback/software adapter)' : ''}`,
    async run(c, timeoutMs) {
      const result = (await runHarnessCase<BrowserClusterResult>(page, c, timeoutMs)) as BrowserClusterResult & { error: string | null };
      if (result.error && result.seconds === undefined) {
        // A stuck or crashed worker: start over with a fresh page for the next case.
        await page.close().catch(() => {});
        page = await browser.newPage();
        await openHarness(page, server.origin);
      }
      return result;
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
