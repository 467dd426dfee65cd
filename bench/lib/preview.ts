// Serves the production build the way users get it: `vite build` output behind `vite preview`.
// The dev server would measure unbundled modules and on-demand transforms instead. The build goes
// to a private outDir: e2e runs rebuild the shared dist/ at any time, and a page whose assets are
// swapped mid-run fails to load (seen: ERR_HTTP_RESPONSE_CODE_FAILURE during a benchmark).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Newest modification time under the given paths (files or directories), in ms. */
function newestMtime(paths: readonly string[]): number {
  let newest = 0;
  const visit = (p: string): void => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) for (const name of readdirSync(p)) visit(join(p, name));
    else if (st.mtimeMs > newest) newest = st.mtimeMs;
  };
  paths.forEach(visit);
  return newest;
}

/** Runs `npm run build` into outDir unless that build is newer than every input of the build. */
export function ensureBuilt(root: string, outDir: string, force = false): { built: boolean } {
  const out = join(outDir, 'index.html');
  const inputs = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'].map((p) => join(root, p));
  if (!force && existsSync(out) && statSync(out).mtimeMs >= newestMtime(inputs)) return { built: false };
  // Build output goes to stderr: stdout is reserved for the results table.
  const r = spawnSync('npm', ['run', 'build', '--', '--outDir', outDir, '--emptyOutDir'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status})`);
  return { built: true };
}

export interface PreviewServer {
  url: string;
  stop(): Promise<void>;
}

export async function startPreview(root: string, outDir: string, port: number): Promise<PreviewServer> {
  // Its own process group, so that stopping it also stops the node process npx starts.
  const child: ChildProcess = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort', '--outDir', outDir], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = `http://127.0.0.1:${port}/`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
  };

  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`vite preview exited (code ${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(url);
      if (res.ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`vite preview did not answer on ${url} within 30 s:\n${output}`);
}
