// Measures ingest in headless Chromium through the real UI: the built app parses in its worker,
// the page only renders. Times are taken inside the page (change event -> summary in the DOM), so
// Playwright's own round trips don't count; memory is the renderer's RSS (page + its dedicated
// worker share that process), sampled from /proc and checked against the kernel's VmHWM.

import { basename } from 'node:path';
import { chromium, type Browser, type CDPSession } from '@playwright/test';
import { procMemory, startSampler, totalRss } from './memory';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  // Nothing may leave the machine: every host but the local server fails to resolve.
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost',
  '--disable-background-networking',
  '--enable-precise-memory-info',
];
const DEMO_FILE = 'uci-online-retail-demo.csv';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface BrowserIngestResult {
  rows: number;
  /** Page clock, from the file input's change event to the file's summary in the DOM. */
  wallMs: number;
  /** The worker's parse time, as the summary reports it (data-read-ms). */
  readMs: number;
  /** Threads that read the file (data-read-threads): the worker and its helpers. */
  readThreads: number;
  /** Longest main-thread task during the load, ms; 0 when none reached the 50 ms long-task bar. */
  longestTaskMs: number;
  longTasks: number;
  /** Peak RSS of the renderer processes above their level before the file was chosen. */
  rendererPeakDelta: number;
  /** Same for every Chromium process (browser, GPU, utilities): sampled only. */
  allProcessesPeakDelta: number;
  /** JS heap of the page's main thread at the end (performance.memory); the worker's is not exposed. */
  mainHeapUsed: number;
}

interface BenchState {
  expectFile: string | null;
  changeAt: number | null;
  doneAt: number | null;
  rows: number | null;
  readMs: number | null;
  readThreads: number | null;
  longTasks: { start: number; duration: number }[];
}

/**
 * Runs in the page before its scripts: records long tasks, the change event and the moment the
 * summary shows the expected file. A string, not a function: tsx compiles functions with name
 * helpers (__name) that do not exist in the page.
 */
const INSTRUMENT_PAGE = `(() => {
  const b = { expectFile: null, changeAt: null, doneAt: null, rows: null, readMs: null, readThreads: null, longTasks: [] };
  window.__bench = b;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) b.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) {}
  document.addEventListener('change', (e) => {
    const t = e.target;
    if (t && t.matches && t.matches('[data-testid="file-input"]')) {
      b.changeAt = performance.now();
      b.doneAt = null;
    }
  }, true);
  new MutationObserver(() => {
    if (b.changeAt === null || b.doneAt !== null || b.expectFile === null) return;
    const s = document.querySelector('[data-testid="summary"]');
    if (s && s.getAttribute('data-file') === b.expectFile) {
      b.doneAt = performance.now();
      b.rows = Number(s.getAttribute('data-rows'));
      b.readMs = Number(s.getAttribute('data-read-ms'));
      b.readThreads = Number(s.getAttribute('data-read-threads'));
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-file', 'data-rows'] });
})();`;

async function chromiumPids(cdp: CDPSession): Promise<{ renderers: number[]; all: number[] }> {
  const info = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
  const all = info.processInfo.map((p) => p.id).filter((id) => id > 0);
  const renderers = info.processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
  return { renderers, all };
}

export async function runBrowserIngest(browser: Browser, url: string, file: string, timeoutMs = 300_000): Promise<BrowserIngestResult> {
  // A fresh context per run: its own renderer process, so each run starts from the same memory.
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.addInitScript(INSTRUMENT_PAGE);
    await page.goto(url);
    await page.locator(`[data-testid="summary"][data-file="${DEMO_FILE}"]`).waitFor({ timeout: 60_000 });
    // The demo's later stages (encoding, GCN, sweep, map, profiles) run on in the worker after its
    // summary; the read is timed from a quiet page, so that it does not share the cores with them.
    await page.locator('[data-testid="map"][data-state="done"]').waitFor({ timeout: 120_000 });
    // The map's chart is revealed a moment after its data (React shows the lazily loaded chart's
    // fallback first); a run started before that would time the chart's first draw with the read.
    await page.locator('[data-testid="map"] canvas').first().waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="insights"][data-loading="false"] [data-testid="profile-card"]').first().waitFor({ timeout: 60_000 });

    const name = basename(file);
    await page.evaluate((n) => ((window as unknown as { __bench: BenchState }).__bench.expectFile = n), name);
    const cdp = await browser.newBrowserCDPSession();
    const pids = await chromiumPids(cdp);
    await cdp.detach();
    const rendererBase = totalRss(pids.renderers);
    const allBase = totalRss(pids.all);
    const renderers = startSampler(() => totalRss(pids.renderers), 20);
    const everything = startSampler(() => totalRss(pids.all), 20);

    await page.getByTestId('file-input').setInputFiles(file);
    await page.waitForFunction(
      () => {
        const b = (window as unknown as { __bench: BenchState }).__bench;
        return b.doneAt !== null || document.querySelector('[data-testid="error"]') !== null;
      },
      undefined,
      { timeout: timeoutMs, polling: 100 },
    );
    const rendererPeak = renderers.stop();
    const allPeak = everything.stop();
    // VmHWM catches a peak between two samples; renderers are fresh per context, and the demo
    // load before the baseline is far smaller than a benchmark file.
    const hwm = pids.renderers.reduce((s, pid) => s + (procMemory(pid)?.hwm ?? 0), 0);

    const state = await page.evaluate(() => {
      const b = (window as unknown as { __bench: BenchState }).__bench;
      const err = document.querySelector('[data-testid="error"]')?.textContent ?? null;
      const mem = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
      return { ...b, error: err, heap: mem?.usedJSHeapSize ?? NaN };
    });
    if (state.doneAt === null || state.changeAt === null) throw new Error(`Chromium could not analyse ${name}: ${state.error ?? 'no summary'}`);
    const during = state.longTasks.filter((t) => t.start + t.duration >= state.changeAt! && t.start <= state.doneAt!);
    return {
      rows: state.rows ?? NaN,
      wallMs: state.doneAt - state.changeAt,
      readMs: state.readMs ?? NaN,
      readThreads: state.readThreads ?? NaN,
      longestTaskMs: during.reduce((m, t) => Math.max(m, t.duration), 0),
      longTasks: during.length,
      rendererPeakDelta: Math.max(rendererPeak, hwm) - rendererBase,
      allProcessesPeakDelta: allPeak - allBase,
      mainHeapUsed: state.heap,
    };
  } finally {
    await context.close();
  }
}
