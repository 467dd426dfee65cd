// End-to-end benchmark: the complete pipeline (ingest, encode with the test model, GCN, K sweep,
// UMAP, profiles and recommendations) on a generated log of 1,000,000 events, 50,000 users and
// 10,000 items, in Node (in-process, like the CLI) and in headless Chromium through the real UI
// (the built app; every stage in its analysis worker). Prints the machine, the load, a markdown
// table per environment (stage, seconds, peak memory, longest task) and the totals vs the targets.
//
//   npm run bench:e2e -- [--quick] [--events N] [--users N] [--items N] [--seed N]
//                        [--gcn-epochs N] [--only node|browser] [--port N] [--timeout SECONDS] [--profile]
//
// --quick: 100,000 events, 5,000 users, 1,000 items. --profile: record the page's CPU profile
// during the Chromium run (bench/.data/e2e-main.cpuprofile) and show where the longest tasks went.

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArgs, intArg } from './lib/args';
import { launchChromium } from './lib/browserIngest';
import { runBrowserE2e, type BrowserE2eResult } from './lib/e2eBrowser';
import { ensureE2eCsv } from './lib/e2eData';
import { runNodeE2e, type NodeE2eResult } from './lib/e2eNode';
import { int, markdownTable, mib, MiB } from './lib/format';
import { describeMachine, loadAverage, machineInfo } from './lib/machine';
import { ensureBuilt, startPreview } from './lib/preview';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA_DIR = join(ROOT, 'bench', '.data');
/** A build folder of its own (git-ignored as dist-*): e2e runs of other checkouts rebuild dist/ at any time. */
const APP_DIR = join(ROOT, 'dist-bench');
const MODEL = 'seqlens-tiny-bert';
const K_MIN = 2;
const K_MAX = 15;

const TARGET_TOTAL_S = 180;
/** "Under 2 GB", read strictly as 2,000,000,000 bytes (1,907 MiB). */
const TARGET_PEAK_BYTES = 2e9;
const TARGET_TASK_MS = 50;

interface Args {
  events: number;
  users: number;
  items: number;
  seed: number;
  gcnEpochs: number;
  only: 'node' | 'browser' | null;
  port: number;
  timeoutS: number;
  profile: boolean;
}

const USAGE =
  'usage: npm run bench:e2e -- [--quick] [--events N] [--users N] [--items N] [--seed N] [--gcn-epochs N] [--only node|browser] [--port N] [--timeout SECONDS] [--profile]';

function parseArgs(argv: string[]): Args {
  // GCN epochs: the default cap (200, early stopping after 10 flat epochs) would take most of the
  // 3-minute budget on its own at ~0.5 s per epoch on this graph; 30 epochs is where the loss of
  // the 1M-event graph has fallen most of the way (docs/benchmarks.md, GCN) and fits the budget.
  const v = benchArgs(
    argv,
    {
      quick: { type: 'boolean' },
      events: { type: 'string' },
      users: { type: 'string' },
      items: { type: 'string' },
      seed: { type: 'string' },
      'gcn-epochs': { type: 'string' },
      only: { type: 'string' },
      port: { type: 'string' },
      timeout: { type: 'string' },
      profile: { type: 'boolean' },
    },
    USAGE,
  );
  if (v.only !== undefined && v.only !== 'node' && v.only !== 'browser') throw new Error(`--only takes "node" or "browser"\n${USAGE}`);
  // --quick is the smaller log; --events, --users and --items still override it.
  const size = v.quick ? { events: 100_000, users: 5_000, items: 1_000 } : { events: 1_000_000, users: 50_000, items: 10_000 };
  return {
    events: intArg('--events', v.events, size.events, 1, USAGE),
    users: intArg('--users', v.users, size.users, 1, USAGE),
    items: intArg('--items', v.items, size.items, 1, USAGE),
    seed: intArg('--seed', v.seed, 42, 0, USAGE),
    gcnEpochs: intArg('--gcn-epochs', v['gcn-epochs'], 30, 1, USAGE),
    only: v.only ?? null,
    port: intArg('--port', v.port, 4191, 1, USAGE),
    timeoutS: intArg('--timeout', v.timeout, 900, 1, USAGE),
    profile: v.profile ?? false,
  };
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

const sec = (ms: number): string => (ms / 1000).toFixed(1);
const verdict = (ok: boolean): string => (ok ? '**met**' : '**missed**');

function nodeTable(r: NodeE2eResult): string {
  return markdownTable(
    ['stage', 'seconds', 'peak RSS', 'longest event-loop block', 'notes'],
    [
      ...r.stages.map((s) => [s.name, sec(s.ms), mib(s.peakRss), `${Math.round(s.longestBlockMs)} ms`, s.note]),
      [
        '**total**',
        `**${sec(r.totalMs)}**`,
        `**${mib(r.peakRss)}**`,
        `${Math.round(Math.max(...r.stages.map((s) => s.longestBlockMs)))} ms`,
        `baseline RSS ${mib(r.baselineRss)}`,
      ],
    ],
  );
}

function browserTable(r: BrowserE2eResult): string {
  return markdownTable(
    ['stage', 'seconds', 'done at (s)', 'peak renderer RSS', 'longest main-thread task', 'notes'],
    [
      ...r.stages.map((s) => [s.name, sec(s.ms), sec(s.endMs), mib(s.peakRss), s.longestTaskMs > 0 ? `${Math.round(s.longestTaskMs)} ms` : '< 50 ms', s.note]),
      [
        '**total**',
        `**${sec(r.totalMs)}**`,
        sec(r.totalMs),
        `**${mib(r.rendererPeak)}**`,
        `**${r.longTasks[0] ? `${Math.round(r.longTasks[0].duration)} ms` : '< 50 ms'}**`,
        `renderer before the file ${mib(r.rendererBaseline)}; all Chromium processes peak ${mib(r.allProcessesPeak)}; page's JS heap at the end ${mib(r.pageHeapAtEnd)}`,
      ],
    ],
  );
}

function longTaskList(r: BrowserE2eResult): string {
  if (r.longTasks.length === 0) return 'No main-thread task reached 50 ms.';
  const lines = r.longTasks.map(
    (t) =>
      `- ${Math.round(t.duration)} ms at ${sec(t.start)} s (${t.stage}): ${t.attribution}` +
      (t.scripts.length ? `\n  - ${t.scripts.join('\n  - ')}` : '') +
      (t.profile
        ? `\n  - CPU profile, ${Math.round(t.profile.sampledMs)} ms sampled; inclusive: ${t.profile.total.map((f) => `${f.frame} ${Math.round(f.ms)}`).join(' › ')}` +
          `\n  - self: ${t.profile.self.map((f) => `${f.frame} ${Math.round(f.ms)} ms`).join(', ')}`
        : ''),
  );
  return `${r.longTaskCount} main-thread tasks of 50 ms or more; the longest:\n${lines.join('\n')}`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const loadBefore = loadAverage();
  const data = ensureE2eCsv(DATA_DIR, args);
  log(`${data.generated ? 'generated' : 'cached'} ${data.path} (${mib(data.bytes)}${data.generated ? `, ${sec(data.generateMs)} s` : ''})`);

  let node: NodeE2eResult | null = null;
  let browser: BrowserE2eResult | null = null;
  const loads: string[] = [`${loadBefore.toFixed(2)} before`];
  if (args.only !== 'browser') {
    log('Node: the whole pipeline in a child process ...');
    node = await runNodeE2e(data.path, { model: MODEL, gcnEpochs: args.gcnEpochs, kMin: K_MIN, kMax: K_MAX });
    loads.push(`${loadAverage().toFixed(2)} after Node`);
  }
  const query = `model=${MODEL}&gcn=on&gcn-epochs=${args.gcnEpochs}&cluster-device=cpu&sweep=${K_MIN}..${K_MAX}`;
  if (args.only !== 'node') {
    log(`Chromium: building the app into ${APP_DIR} (skipped when up to date) ...`);
    const { built } = ensureBuilt(ROOT, APP_DIR);
    log(built ? 'built' : 'build is up to date');
    loads.push(`${loadAverage().toFixed(2)} before Chromium`);
    const server = await startPreview(ROOT, APP_DIR, args.port);
    try {
      const b = await launchChromium();
      try {
        log(`Chromium: ${server.url}?${query} ...`);
        browser = await runBrowserE2e(b, server.url, data.path, {
          query,
          timeoutMs: args.timeoutS * 1000,
          demoTimeoutMs: 180_000,
          appDir: APP_DIR,
          profileFile: args.profile ? join(DATA_DIR, 'e2e-main.cpuprofile') : null,
        });
      } finally {
        await b.close();
      }
    } finally {
      await server.stop();
    }
    loads.push(`${loadAverage().toFixed(2)} after Chromium`);
  }

  const out: string[] = [];
  out.push('```');
  out.push(describeMachine(machineInfo(), { 'Load average (1 min)': loads.join(', ') }));
  out.push('```', '');
  const counts = node ?? browser!;
  out.push(
    `Input: \`${data.path.replace(`${ROOT}/`, '')}\` (${mib(data.bytes)}): generator asked for ${int(args.events)} events, ${int(args.users)} users, ` +
      `${int(args.items)} catalogue items (seed ${args.seed}); the log has ${int(counts.rows)} rows, ${int(counts.users)} users with events, ` +
      `${int(counts.items)} distinct items, ${int(counts.sequences)} sequences (by user).`,
  );
  out.push(
    `Settings: model ${MODEL} (q8, CPU/wasm), items mode; GCN at most ${args.gcnEpochs} epochs (early stopping on); K sweep ${K_MIN}..${K_MAX} on the CPU; UMAP seed 0.`,
    '',
  );
  if (node) {
    out.push(`### Node (in-process, like the CLI; ${node.gcnEpochs} GCN epochs, suggested K = ${node.k})`, '', nodeTable(node), '');
  }
  if (browser) {
    out.push(
      `### Chromium (real UI, \`?${query}\`; ${browser.gcnEpochs} GCN epochs, suggested K = ${browser.k})`,
      '',
      `The demo's own pipeline ran first (${browser.demo.finished ? 'finished' : 'NOT finished'} after ${sec(browser.demo.ms)} s); times run from the file input's change event. ` +
        'The map and the profiles both start from the finished sweep and share the worker.',
      '',
      browserTable(browser),
      '',
      longTaskList(browser),
      '',
    );
  }
  out.push('### Against the targets', '');
  const rows: string[][] = [];
  if (node) {
    rows.push(['Node: under 3 minutes end to end', `${sec(node.totalMs)} s`, verdict(node.totalMs < TARGET_TOTAL_S * 1000)]);
    rows.push(['Node: peak memory under 2 GB', `${mib(node.peakRss)} RSS`, verdict(node.peakRss < TARGET_PEAK_BYTES)]);
  }
  if (browser) {
    const longest = browser.longTasks[0]?.duration ?? 0;
    rows.push(['Chromium: under 3 minutes end to end', `${sec(browser.totalMs)} s`, verdict(browser.totalMs < TARGET_TOTAL_S * 1000)]);
    rows.push([
      'Chromium: peak memory under 2 GB (renderer: page + worker)',
      `${mib(browser.rendererPeak)} RSS`,
      verdict(browser.rendererPeak < TARGET_PEAK_BYTES),
    ]);
    rows.push([
      'Chromium: peak memory under 2 GB (all Chromium processes, sampled)',
      mib(browser.allProcessesPeak),
      verdict(browser.allProcessesPeak < TARGET_PEAK_BYTES),
    ]);
    rows.push([
      'Chromium: no main-thread task over 50 ms',
      longest > 0 ? `longest ${Math.round(longest)} ms (${browser.longTasks[0].stage}); ${browser.longTaskCount} tasks ≥ 50 ms` : 'none ≥ 50 ms',
      verdict(longest <= TARGET_TASK_MS),
    ]);
  }
  out.push(markdownTable(['target', 'result', ''], rows));
  process.stdout.write(`${out.join('\n')}\n`);
  if (node || browser) {
    process.stderr.write(`(peak numbers in MiB; 2 GB = ${(TARGET_PEAK_BYTES / MiB).toFixed(0)} MiB)\n`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
