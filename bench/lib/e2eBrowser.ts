// The whole pipeline in headless Chromium through the real UI: the built app behind `vite
// preview`, the generated file chosen in the file input, and the page left to drive every stage as
// a user would see it (ingest -> encode -> GCN -> K sweep -> map and profiles). Stage times come
// from the page's clock: an init script notes when each panel first turns done for the new file.
// Memory is the renderer's RSS from /proc (the page and its dedicated worker share that process),
// sampled every 50 ms and checked against the kernel's VmHWM. Long main-thread tasks come from a
// PerformanceObserver('longtask'), with long-animation-frame entries for the scripts behind them.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Browser, CDPSession, Page } from '@playwright/test';
import { frameNamer, profileWindow, type CpuProfile, type FrameTime } from './cpuProfile';
import { procMemory } from './memory';
import { SourceMap } from './sourceMap';

export interface BrowserE2eOptions {
  /** Query string of the page: model, GCN epochs, cluster device. */
  query: string;
  /** Longest wait for the whole pipeline, ms. */
  timeoutMs: number;
  /** Longest wait for the demo's own pipeline before the file is chosen, ms. */
  demoTimeoutMs: number;
  /** The served build: its source maps turn bundle positions back into source files. */
  appDir: string;
  /**
   * Where to write the page's CPU profile (CDP Profiler, 0.5 ms sampling) of the analysis, which
   * then says what the longest tasks ran; null: no profile (the sampling lengthens work a little).
   */
  profileFile: string | null;
}

export interface BrowserStage {
  name: string;
  /** From the previous stage's end (ingest: the change event) to this panel turning done. */
  ms: number;
  /** When this stage ended, ms after the change event. */
  endMs: number;
  /** Highest renderer RSS sampled between the stage's start and end. */
  peakRss: number;
  /** Longest main-thread task that overlapped the stage, ms (0: none reached 50 ms). */
  longestTaskMs: number;
  note: string;
}

export interface LongTask {
  start: number;
  duration: number;
  /** The stage it fell in. */
  stage: string;
  /** Long-animation-frame scripts that overlap it, longest first: "invoker (source) N ms". */
  scripts: string[];
  attribution: string;
  /** With a CPU profile: the frames that took the most time in this task (inclusive and self). */
  profile?: { total: FrameTime[]; self: FrameTime[]; sampledMs: number };
}

export interface BrowserE2eResult {
  rows: number;
  users: number;
  items: number;
  sequences: number;
  k: number;
  gcnEpochs: number;
  mapPoints: number;
  /** The encoder panel's own seconds (model load excluded: data-load-seconds). */
  encoderSeconds: number;
  encoderLoadSeconds: number;
  stages: BrowserStage[];
  /** Change event to the last of map and profiles done. */
  totalMs: number;
  /** How long the demo's pipeline took before the file was chosen, and whether it finished. */
  demo: { ms: number; finished: boolean };
  rendererBaseline: number;
  /** Peak renderer RSS: the larger of the samples and the kernel's high-water mark. */
  rendererPeak: number;
  rendererHwm: number;
  /** Peak of the sum over every Chromium process (browser, GPU, utility, renderer), sampled. */
  allProcessesPeak: number;
  /** JS heap of the page's main thread at the end (CDP Runtime.getHeapUsage). */
  pageHeapAtEnd: number;
  longTasks: LongTask[];
  longTaskCount: number;
}

/**
 * Runs in the page before its scripts. A string, not a function: tsx compiles functions with name
 * helpers (__name) that do not exist in the page. Stage ends are taken in order, each for the new
 * file only: a panel counts as done once it has left 'done' after the file was chosen and come
 * back (the demo's results stay on screen, marked done, until the new file's replace them).
 */
const INSTRUMENT_PAGE = `(() => {
  const b = { expectFile: null, changeAt: null, ends: {}, left: {}, longTasks: [], frames: [], error: null, sequences: null };
  window.__e2e = b;
  const now = () => performance.now();
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const a = (e.attribution || []).map((x) => [x.name, x.containerType, x.containerName, x.containerSrc].filter(Boolean).join(' ')).join('; ');
        b.longTasks.push({ start: e.startTime, duration: e.duration, attribution: e.name + (a ? ' [' + a + ']' : '') });
      }
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) {}
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.duration < 50) continue;
        b.frames.push({ start: e.startTime, duration: e.duration, blocking: e.blockingDuration,
          scripts: (e.scripts || []).map((s) => ({ start: s.startTime, duration: s.duration, invoker: s.invoker, type: s.invokerType,
            fn: s.sourceFunctionName || '', url: (s.sourceURL || '').replace(location.origin, ''), pos: s.sourceCharPosition,
            layout: s.forcedStyleAndLayoutDuration })) });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch (e) {}
  document.addEventListener('change', (e) => {
    const t = e.target;
    if (t && t.matches && t.matches('[data-testid="file-input"]')) { b.changeAt = now(); b.ends = {}; b.left = {}; }
  }, true);
  const el = (id) => document.querySelector('[data-testid="' + id + '"]');
  const attr = (id, a) => { const x = el(id); return x ? x.getAttribute(a) : null; };
  const check = () => {
    if (b.changeAt === null || b.expectFile === null) return;
    const t = now();
    for (const id of ['encoder', 'gcn', 'clusters', 'map']) if (attr(id, 'data-state') !== 'done') b.left[id] = true;
    if (attr('insights', 'data-loading') === 'true') b.left.insights = true;
    for (const id of ['encoder', 'gcn', 'clusters', 'map']) if (attr(id, 'data-state') === 'error' && !b.error) b.error = id + ' panel in error: ' + el(id).textContent.slice(0, 300);
    const e = b.ends;
    if (e.ingest === undefined && attr('summary', 'data-file') === b.expectFile) { e.ingest = t; b.sequences = attr('summary', 'data-sequences'); }
    if (e.ingest === undefined) return;
    if (e.encode === undefined && b.left.encoder && attr('encoder', 'data-state') === 'done' && attr('encoder', 'data-sequences') === b.sequences) e.encode = t;
    if (e.encode === undefined) return;
    if (e.gcn === undefined && b.left.gcn && attr('gcn', 'data-state') === 'done') e.gcn = t;
    if (e.gcn === undefined) return;
    if (e.sweep === undefined && b.left.clusters && attr('clusters', 'data-state') === 'done' && attr('clusters', 'data-stale') === 'false' && attr('clusters', 'data-n') === b.sequences) e.sweep = t;
    if (e.sweep === undefined) return;
    if (e.umap === undefined && b.left.map && attr('map', 'data-state') === 'done' && attr('map', 'data-stale') === 'false' && attr('map', 'data-points') === b.sequences) e.umap = t;
    const k = attr('clusters', 'data-k');
    if (e.profiles === undefined && b.left.insights && k && attr('insights', 'data-k') === k && attr('insights', 'data-loading') === 'false' && attr('insights', 'data-stale') === 'false' && document.querySelector('[data-testid="profile-card"]')) e.profiles = t;
  };
  // Only the attributes that mark a stage's end: observing every DOM change ran this check on each
  // React commit and cost the main thread about 0.3 s of querySelector over a 1M-event run.
  new MutationObserver(check).observe(document, { subtree: true, attributes: true,
    attributeFilter: ['data-file', 'data-state', 'data-sequences', 'data-loading', 'data-stale', 'data-k', 'data-points', 'data-n'] });
  // Error alerts are new elements, not attribute changes: the driver asks for them while it polls.
  window.__e2eErrors = () => {
    for (const id of ['error', 'map-error', 'insights-error']) { const x = el(id); if (x) return id + ': ' + x.textContent; }
    return null;
  };
})();`;

interface PageState {
  expectFile: string | null;
  changeAt: number | null;
  ends: Record<string, number | undefined>;
  longTasks: { start: number; duration: number; attribution: string }[];
  frames: {
    start: number;
    duration: number;
    blocking: number;
    scripts: { start: number; duration: number; invoker: string; type: string; fn: string; url: string; pos: number; layout: number }[];
  }[];
  error: string | null;
  sequences: string | null;
}

const STAGES = ['ingest', 'encode', 'gcn', 'sweep', 'umap', 'profiles'] as const;
/** Where each stage starts: the map and the profiles both start from the finished sweep. */
const STARTS_AFTER: Record<(typeof STAGES)[number], string | null> = {
  ingest: null,
  encode: 'ingest',
  gcn: 'encode',
  sweep: 'gcn',
  umap: 'sweep',
  profiles: 'sweep',
};

async function chromiumPids(cdp: CDPSession): Promise<{ renderers: number[]; all: number[] }> {
  const info = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
  return { all: info.processInfo.map((p) => p.id).filter((id) => id > 0), renderers: info.processInfo.filter((p) => p.type === 'renderer').map((p) => p.id) };
}

const rssOf = (pids: readonly number[]): number => pids.reduce((s, pid) => s + (procMemory(pid)?.rss ?? 0), 0);

/** JS heap in use by the page's main thread (CDP sessions attach to pages, not to dedicated workers). */
async function pageHeap(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    return ((await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize;
  } finally {
    await cdp.detach();
  }
}

/** "function (source:line)" for a long-animation-frame script, through the build's source maps. */
function scriptLocator(appDir: string): (url: string, pos: number, fn: string) => string {
  const bundles = new Map<string, { text: string; map: SourceMap } | null>();
  return (url, pos, fn) => {
    const path = url.replace(/^\//, '');
    if (!bundles.has(path)) {
      const file = join(appDir, path);
      const map = path && existsSync(file) ? SourceMap.forBundle(file) : null;
      bundles.set(path, map ? { text: readFileSync(file, 'utf8'), map } : null);
    }
    const b = bundles.get(path);
    const o = b && pos >= 0 ? b.map.lookupOffset(b.text, pos) : null;
    return o ? `${o.name ?? fn} in ${o.source.replace(/^(\.\.\/)+/, '').replace(/^.*node_modules\//, 'node_modules/')}:${o.line}` : `${fn}@${url}:${pos}`;
  };
}

const DEMO = 'uci-online-retail-demo.csv';

export async function runBrowserE2e(browser: Browser, baseUrl: string, file: string, opts: BrowserE2eOptions): Promise<BrowserE2eResult> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.on('pageerror', (e) => process.stderr.write(`browser: page error: ${e.message}\n`));
    await page.addInitScript(INSTRUMENT_PAGE);
    await page.goto(`${baseUrl}?${opts.query}`);
    await page.locator(`[data-testid="summary"][data-file="${DEMO}"]`).waitFor({ timeout: 60_000 });
    // The demo's pipeline runs first (the page opens with it); the measurement starts from a quiet
    // page, so the file's stages do not share the worker with the demo's.
    const demoT0 = Date.now();
    let demoFinished = true;
    try {
      await page.locator('[data-testid="map"][data-state="done"]').waitFor({ timeout: opts.demoTimeoutMs });
      // The map's chart is revealed a moment after its data (a lazily loaded chart behind Suspense).
      await page.locator('[data-testid="map"] canvas').first().waitFor({ timeout: opts.demoTimeoutMs });
      await page.locator('[data-testid="insights"][data-loading="false"] [data-testid="profile-card"]').first().waitFor({ timeout: opts.demoTimeoutMs });
    } catch {
      demoFinished = false;
    }
    const demoMs = Date.now() - demoT0;
    process.stderr.write(`browser: demo pipeline ${demoFinished ? 'done' : 'NOT done'} after ${(demoMs / 1000).toFixed(1)} s\n`);

    const name = basename(file);
    await page.evaluate((n) => ((window as unknown as { __e2e: PageState }).__e2e.expectFile = n), name);
    const cdp = await browser.newBrowserCDPSession();
    const pids = await chromiumPids(cdp);
    await cdp.detach();
    const rendererBaseline = rssOf(pids.renderers);
    // Samples carry the wall clock, so that each stage's peak can be taken from its own interval.
    const samples: { t: number; rss: number }[] = [];
    let allPeak = rssOf(pids.all);
    const timer = setInterval(() => {
      samples.push({ t: Date.now(), rss: rssOf(pids.renderers) });
      allPeak = Math.max(allPeak, rssOf(pids.all));
    }, 50);

    const pageEpoch = await page.evaluate(() => performance.timeOrigin);
    let profiler: CDPSession | null = null;
    let profilerStartPageMs = 0;
    if (opts.profileFile) {
      profiler = await context.newCDPSession(page);
      await profiler.send('Profiler.enable');
      await profiler.send('Profiler.setSamplingInterval', { interval: 500 });
      await profiler.send('Profiler.start');
      // The profile's clock starts here; page times are mapped onto it from this moment.
      profilerStartPageMs = await page.evaluate(() => performance.now());
    }
    await page.getByTestId('file-input').setInputFiles(file);
    const uploadT0 = Date.now();
    let lastReport = Date.now();
    const deadline = Date.now() + opts.timeoutMs;
    for (;;) {
      // Only the stage ends: copying the long-task lists out every half second would be main-thread work of its own.
      const poll = await page.evaluate(() => {
        const w = window as unknown as { __e2e: PageState; __e2eErrors: () => string | null };
        w.__e2e.error ??= w.__e2eErrors();
        return { ends: w.__e2e.ends, error: w.__e2e.error };
      });
      if (poll.error || (poll.ends.umap !== undefined && poll.ends.profiles !== undefined)) break;
      if (Date.now() > deadline) break;
      if (Date.now() - lastReport > 10_000) {
        lastReport = Date.now();
        const done = STAGES.filter((s) => poll.ends[s] !== undefined);
        process.stderr.write(`browser: ${((Date.now() - uploadT0) / 1000).toFixed(0)} s · done: ${done.join(', ') || '-'}\n`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    clearInterval(timer);
    const state = await page.evaluate(() => (window as unknown as { __e2e: PageState }).__e2e);
    let profile: CpuProfile | null = null;
    if (profiler && opts.profileFile) {
      profile = ((await profiler.send('Profiler.stop')) as { profile: CpuProfile }).profile;
      await profiler.detach();
      writeFileSync(opts.profileFile, JSON.stringify(profile));
    }
    const hwm = pids.renderers.reduce((s, pid) => s + (procMemory(pid)?.hwm ?? 0), 0);
    if (state.error) throw new Error(`Chromium: the pipeline failed: ${state.error}`);
    if (state.changeAt === null || state.ends.umap === undefined || state.ends.profiles === undefined) {
      throw new Error(`Chromium: the pipeline did not finish within ${opts.timeoutMs / 1000} s; stages done: ${JSON.stringify(state.ends)}`);
    }
    const changeAt = state.changeAt;
    // A string, like INSTRUMENT_PAGE: a helper function here would be compiled with __name.
    const attrs = (await page.evaluate(`(() => {
      const d = (id) => ({ ...((document.querySelector('[data-testid="' + id + '"]') || {}).dataset || {}) });
      return { summary: d('summary'), encoder: d('encoder'), gcn: d('gcn'), clusters: d('clusters'), map: d('map'), insights: d('insights'), cards: document.querySelectorAll('[data-testid="profile-card"]').length };
    })()`)) as Record<'summary' | 'encoder' | 'gcn' | 'clusters' | 'map' | 'insights', Record<string, string>> & { cards: number };
    const pageHeapAtEnd = await pageHeap(page).catch(() => NaN);

    const endOf = (s: string | null): number => (s === null ? changeAt : state.ends[s]!);
    const toEpoch = (pageMs: number): number => pageEpoch + pageMs;
    const stages: BrowserStage[] = STAGES.map((s) => {
      const start = endOf(STARTS_AFTER[s]);
      const end = endOf(s);
      const inStage = samples.filter((x) => x.t >= toEpoch(start) - 50 && x.t <= toEpoch(end) + 50);
      const tasks = state.longTasks.filter((t) => t.start + t.duration >= start && t.start <= end);
      return {
        name: s,
        ms: end - start,
        endMs: end - changeAt,
        peakRss: inStage.reduce((m, x) => Math.max(m, x.rss), 0),
        longestTaskMs: tasks.reduce((m, t) => Math.max(m, t.duration), 0),
        note: '',
      };
    });
    stages[0].note = `${attrs.summary.rows} rows, ${attrs.summary.users} users, ${attrs.summary.sequences} sequences (worker read ${attrs.summary.readMs} ms)`;
    stages[1].note = `${attrs.encoder.itemsEmbedded} item texts embedded, ${attrs.encoder.sequences} x ${attrs.encoder.dims}, ${attrs.encoder.device}; panel: ${Number(attrs.encoder.seconds).toFixed(2)} s + model load ${Number(attrs.encoder.loadSeconds).toFixed(2)} s (0 when the demo loaded it)`;
    stages[2].note = `${attrs.gcn.epoch} epochs, ${attrs.gcn.nodes} nodes, ${attrs.gcn.edges} edges`;
    stages[3].note = `K ${attrs.clusters.range}, path ${attrs.clusters.path}, suggested K = ${attrs.clusters.suggested}`;
    stages[4].note = `${attrs.map.points} points drawn (starts with the profiles, from the sweep)`;
    stages[5].note = `${attrs.cards} profile cards with recommendations (starts with the map)`;
    const totalEnd = Math.max(state.ends.umap, state.ends.profiles);

    const after = state.longTasks.filter((t) => t.start + t.duration >= changeAt && t.start <= totalEnd);
    const stageAt = (t: number): string => stages.find((s) => t <= changeAt + s.endMs && s.name !== 'profiles')?.name ?? 'after';
    const where = scriptLocator(opts.appDir);
    const longTasks: LongTask[] = after
      .sort((a, b) => b.duration - a.duration)
      .slice(0, 8)
      .map((t) => ({
        start: t.start - changeAt,
        duration: t.duration,
        stage: stageAt(t.start),
        attribution: t.attribution,
        scripts: state.frames
          .filter((f) => f.start < t.start + t.duration && f.start + f.duration > t.start)
          .flatMap((f) => f.scripts)
          .sort((a, b) => b.duration - a.duration)
          .slice(0, 3)
          .map(
            (s) =>
              `${s.invoker} (${s.type}; ${where(s.url, s.pos, s.fn)}) ${Math.round(s.duration)} ms${s.layout > 1 ? `, forced layout ${Math.round(s.layout)} ms` : ''}`,
          ),
      }));
    if (profile) {
      const name = frameNamer(opts.appDir, baseUrl);
      const toUs = (pageMs: number): number => profile.startTime + (pageMs - profilerStartPageMs) * 1000;
      for (const t of longTasks.slice(0, 4)) {
        const w = profileWindow(profile, toUs(t.start + changeAt), toUs(t.start + changeAt + t.duration), name);
        t.profile = { total: w.total.slice(0, 10), self: w.self.slice(0, 6), sampledMs: w.sampledMs };
      }
    }
    const rendererPeakSampled = samples.reduce((m, x) => Math.max(m, x.rss), rendererBaseline);
    return {
      rows: Number(attrs.summary.rows),
      users: Number(attrs.summary.users),
      items: Number(attrs.summary.items),
      sequences: Number(attrs.summary.sequences),
      k: Number(attrs.clusters.k),
      gcnEpochs: Number(attrs.gcn.epoch),
      mapPoints: Number(attrs.map.points),
      encoderSeconds: Number(attrs.encoder.seconds),
      encoderLoadSeconds: Number(attrs.encoder.loadSeconds),
      stages,
      totalMs: totalEnd - changeAt,
      demo: { ms: demoMs, finished: demoFinished },
      rendererBaseline,
      rendererPeak: Math.max(rendererPeakSampled, hwm),
      rendererHwm: hwm,
      allProcessesPeak: allPeak,
      pageHeapAtEnd,
      longTasks,
      longTaskCount: after.length,
    };
  } finally {
    await context.close();
  }
}
