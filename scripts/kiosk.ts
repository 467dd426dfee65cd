// `npm run kiosk [-- options]`: SeqLens as an unattended kiosk on this machine. Builds the app when
// the build is missing or older than its sources, serves it with `vite preview` on 127.0.0.1, and
// opens Chromium full screen (--kiosk, so no gesture is needed) on /?kiosk. Chromium gets a profile
// folder of its own that outlives it, so the service worker's offline cache survives a browser
// restart; if Chromium exits by itself (a crash, out of memory) it is started again. Ctrl-C stops both.
//
// Options:
//   --port N           the preview's port (default 4180)
//   --no-browser       only build and serve (open http://127.0.0.1:N/?kiosk yourself)
//   --rebuild          build even when the build looks current
//   --data PATH        a same-origin log instead of the demo, e.g. /demo/other.csv (put it in public/)
//   --idle S --dwell S --passes N --load-timeout S
//                      the kiosk's settings (see src/ui/kiosk/README.md)
//   --params 'a=b&c=d' more URL parameters, e.g. 'model=featurizer&gcn=off'
//   --profile DIR      Chromium's profile folder (default ~/.cache/seqlens-kiosk/chromium)
// Environment: CHROMIUM (default /usr/bin/chromium), SEQLENS_OUT_DIR (the build folder, default dist).

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type ParseArgsOptionsConfig, parseArgs as tokenizeArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface KioskOptions {
  port: number;
  browser: boolean;
  rebuild: boolean;
  /** The kiosk's URL parameters (without `kiosk`). */
  params: URLSearchParams;
  profile: string;
}

/** The options; those below `rebuild` become the kiosk's URL parameters of the same name. */
const OPTIONS = {
  port: { type: 'string' },
  'no-browser': { type: 'boolean' },
  rebuild: { type: 'boolean' },
  profile: { type: 'string' },
  params: { type: 'string' },
  data: { type: 'string' },
  idle: { type: 'string' },
  dwell: { type: 'string' },
  passes: { type: 'string' },
  'load-timeout': { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

export function parseArgs(argv: readonly string[]): KioskOptions {
  const options: KioskOptions = {
    port: 4180,
    browser: true,
    rebuild: false,
    params: new URLSearchParams(),
    profile: join(homedir(), '.cache', 'seqlens-kiosk', 'chromium'),
  };
  // strict: false, so that every argument comes back as a token, in order (the URL keeps the
  // parameters in the order given), and a bad one gets this script's own message.
  const { tokens } = tokenizeArgs({ args: [...argv], options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  for (const t of tokens) {
    const arg = argv[t.index];
    if (t.kind !== 'option' || t.rawName !== arg || !Object.hasOwn(OPTIONS, t.name)) throw new Error(`Unknown option ${arg} (see the top of scripts/kiosk.ts)`);
    const value = (): string => {
      if (t.value === undefined) throw new Error(`${arg} needs a value`);
      return t.value;
    };
    if (t.name === 'port') options.port = Number(value());
    else if (t.name === 'no-browser') options.browser = false;
    else if (t.name === 'rebuild') options.rebuild = true;
    else if (t.name === 'profile') options.profile = resolve(value());
    else if (t.name === 'params') for (const [k, v] of new URLSearchParams(value())) options.params.set(k, v);
    else options.params.set(t.name, value());
  }
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65_535) throw new Error('--port must be a port number');
  return options;
}

export function kioskUrl(port: number, params: URLSearchParams): string {
  const rest = params.toString();
  return `http://127.0.0.1:${port}/?kiosk${rest ? `&${rest}` : ''}`;
}

/** Chromium's flags: full screen without a gesture, no first-run or crash bubbles, and (as in playwright.config.ts) no host but this one. */
export function chromiumArgs(url: string, profile: string, asRoot: boolean): string[] {
  return [
    '--kiosk',
    `--app=${url}`,
    `--user-data-dir=${profile}`,
    '--enable-unsafe-webgpu',
    '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--no-default-browser-check',
    '--noerrdialogs',
    '--disable-session-crashed-bubble',
    '--disable-infobars',
    '--disable-translate',
    '--disable-pinch',
    '--overscroll-history-navigation=0',
    ...(asRoot ? ['--no-sandbox'] : []),
  ];
}

const VITE = join(ROOT, 'node_modules', '.bin', 'vite');

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
}

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function needsBuild(outDir: string): boolean {
  const built = join(outDir, 'index.html');
  if (!existsSync(built)) return true;
  const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'package-lock.json'].map((p) => newestMtime(join(ROOT, p)));
  return Math.max(...sources) > statSync(built).mtimeMs;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit' });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

async function waitForServer(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error('vite preview stopped');
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within a minute`);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const outDir = resolve(ROOT, process.env.SEQLENS_OUT_DIR || 'dist');
  if (options.rebuild || needsBuild(outDir)) {
    console.log(`kiosk: building into ${outDir}…`);
    await run(VITE, ['build']);
  }

  let stopping = false;
  const children = new Set<ChildProcess>();
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const child of children) if (child.exitCode === null && child.pid) killGroup(child.pid);
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  // Each child leads a process group of its own, so that stopping it stops what it started too.
  const preview = spawn(VITE, ['preview', '--host', '127.0.0.1', '--port', String(options.port), '--strictPort'], {
    cwd: ROOT,
    stdio: 'inherit',
    detached: true,
  });
  children.add(preview);
  preview.on('exit', (code) => {
    if (!stopping) {
      console.error(`kiosk: vite preview exited (${code}); stopping.`);
      stop();
    }
  });
  const url = kioskUrl(options.port, options.params);
  await waitForServer(`http://127.0.0.1:${options.port}/`, preview);
  console.log(`kiosk: serving ${url}`);
  if (!options.browser) return;

  mkdirSync(options.profile, { recursive: true });
  const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
  const args = chromiumArgs(url, options.profile, process.getuid?.() === 0);
  let starts = 0;
  const launch = () => {
    starts++;
    const startedAt = Date.now();
    const browser = spawn(chromium, args, { cwd: ROOT, stdio: 'ignore', detached: true });
    children.add(browser);
    browser.on('error', (e) => {
      console.error(`kiosk: could not start ${chromium}: ${e.message} (set CHROMIUM).`);
      stop();
    });
    browser.on('exit', (code, signal) => {
      children.delete(browser);
      if (stopping) return;
      // A browser that keeps dying at once is not restarted in a tight loop.
      const delay = Date.now() - startedAt < 10_000 ? Math.min(60_000, 2_000 * starts) : 1_000;
      console.error(`kiosk: Chromium exited (${signal ?? code}); starting it again in ${Math.round(delay / 1000)} s.`);
      setTimeout(() => !stopping && launch(), delay);
    });
  };
  launch();
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((e: unknown) => {
    console.error(`kiosk: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
